"""The benchmark harness (statistics on fake clocks, compile timing), machine info, the suite and charts.

No timing assertions: only the arithmetic, the protocol's order of calls and the fields of the results.
"""

import json

import numba
import numpy as np
import pytest

from purecv.bench import harness, machine, suite
from purecv.bench.harness import FakeClock


def test_summarize_median_quartiles_and_spread():
    s = harness.summarize([9.0, 1.0, 5.0, 3.0, 7.0])
    assert (s.median, s.q1, s.q3, s.min, s.max, s.n) == (5.0, 3.0, 7.0, 1.0, 9.0, 5)
    assert s.iqr == 4.0
    assert s.as_dict()["iqr"] == 4.0
    even = harness.summarize([1.0, 2.0, 3.0, 4.0])
    assert even.median == 2.5
    with pytest.raises(ValueError, match="summarize: 'samples' is empty"):
        harness.summarize([])


def test_ratio_stats_is_the_median_of_per_pair_ratios():
    # per-pair ratios 2, 3, 10: the median is 3, not the ratio of the medians (8 / 2 = 4)
    peer = [2.0, 6.0, 8.0]
    ours = [1.0, 2.0, 0.8]
    assert harness.ratio_stats(peer, ours).median == 3.0
    assert harness.ratio_stats([1.0], [0.0]).median == float("inf")
    with pytest.raises(ValueError, match="differ in length"):
        harness.ratio_stats([1.0, 2.0], [1.0])


def test_interleave_alternates_calls_after_warmup():
    order = []
    clock = FakeClock()

    def make(name, dt):
        tick = clock.tick(dt)

        def call():
            order.append(name)
            tick()

        return call

    samples = harness.interleave(
        {"a": make("a", 1.0), "b": make("b", 2.0)}, 3, warmup=2, number={"a": 2, "b": 1}, timer=clock
    )
    assert order == ["a", "a", "b", "b"] + ["a", "a", "b"] * 3
    assert samples == {"a": [1.0, 1.0, 1.0], "b": [2.0, 2.0, 2.0]}


def test_interleave_reports_progress_per_round():
    class Bar:
        n = 0

        def update(self, k):
            self.n += k

    bar = Bar()
    clock = FakeClock()
    harness.interleave({"a": clock.tick(1.0)}, 4, warmup=0, timer=clock, progress=bar)
    assert bar.n == 4


def test_time_pair_on_a_drifting_fake_clock():
    """A slow drift hits both sides of each pair, so the per-pair ratio stays exact."""
    clock = FakeClock()
    rounds = {"r": 0}

    def a():
        rounds["r"] += 1  # the machine gets slower every round
        clock.now += 1.0 * rounds["r"]

    def b():
        clock.now += 3.0 * rounds["r"]

    r = harness.time_pair(a, b, repeats=5, warmup=1, target=0.0, timer=clock)
    assert r.ratio.median == 3.0
    assert r.ratio.iqr == 0.0
    assert r.a.iqr > 0  # the times themselves drift
    assert r.a.n == r.b.n == r.ratio.n == 5
    assert set(r.as_dict()) == {"a", "b", "ratio_b_over_a"}


def test_calibrate_chooses_calls_per_sample():
    clock = FakeClock()
    assert harness.calibrate(clock.tick(1e-5), target=1e-3, timer=clock) == 100
    assert harness.calibrate(clock.tick(0.5), target=1e-3, timer=clock) == 1
    assert harness.calibrate(clock.tick(0.0), timer=clock) == 1000


def test_first_call_separates_compilation():
    @numba.njit  # a fresh dispatcher, not cached: its first call compiles
    def add_one(x):
        return x + 1

    first = harness.first_call(lambda: add_one(1))
    assert first.compiled >= 1
    assert 0 < first.compile_seconds <= first.seconds
    again = harness.first_call(lambda: add_one(2))
    assert again.compiled == 0
    assert again.compile_seconds == 0.0
    assert "compiling" in first.describe()
    assert "on-disk cache" in again.describe(warm=1e-6)


def test_set_threads_sets_both_sides():
    import purecv

    class FakeCv2:
        n = None

        def setNumThreads(self, n):  # noqa: N802
            self.n = n

    fake = FakeCv2()
    before = purecv.getNumThreads()
    try:
        assert harness.set_threads(1, fake) == 1
        assert fake.n == 1
        assert purecv.getNumThreads() == 1
        assert harness.set_threads(None, fake) == numba.config.NUMBA_NUM_THREADS
        assert fake.n == numba.config.NUMBA_NUM_THREADS
    finally:
        purecv.setNumThreads(before)


def test_formatting_helpers():
    assert harness.format_seconds(0.000323) == "323 us"
    assert harness.format_seconds(1.5) == "1.50 s"
    assert harness.format_speedup(663.2) == "663x"
    table = harness.text_table(["a", "b"], [["x", "1"]]).splitlines()
    assert table[0].split() == ["a", "b"]
    assert harness.markdown_table(["a", "b"], [["x|y", "1"]]).splitlines()[2] == "| x\\|y | 1 |"


def test_machine_info_fields():
    info = machine.machine_info()
    for key in ("cpu", "flags", "cores", "numba_threads", "versions", "commit", "date"):
        assert key in info
    for key in ("python", "numpy", "numba", "opencv", "purecv"):
        assert key in info["versions"]
    assert info["versions"]["numba"] == numba.__version__
    assert set(info["flags"]) <= set(machine.SIMD_FLAGS)
    json.dumps(info)
    assert info["cpu"] in machine.describe(info)


# --- the suite ---------------------------------------------------------------------------------------


def test_suite_cases_are_named_and_cover_the_issue():
    names = [c.name for c in suite.CASES]
    assert len(names) == len(set(names))
    ops = {c.op for c in suite.CASES}
    assert {"blur", "box_blur", "GaussianBlur", "filter2D", "Sobel", "stackBlur"} <= ops
    assert sum("article" in n for n in names) == 2


def test_suite_runs_a_filtered_quick_row(monkeypatch):
    pytest.importorskip("cv2")
    opts = suite.SuiteOptions(
        threads=[1], repeats=5, quick=True, filters=["article"], processes=False, progress=False, budget=0.2
    )
    result = suite.run_suite(opts)
    assert [r["peer"] for r in result["rows"]] == ["cv2.filter2D", "cv2.blur"]
    for row in result["rows"]:
        assert row["threads"] == 1
        assert row["repeats"] == 5
        assert row["speedup"]["n"] == 5
        assert row["purecv"]["median"] > 0
        assert row["opencv"]["median"] > 0
        assert {"seconds", "compile_seconds", "compiled"} == set(row["first_call"])
    by_peer = {r["peer"]: r for r in result["rows"]}
    assert by_peer["cv2.blur"]["max_abs_diff"] == 0  # purecv.box_blur is bit-exact with cv2.blur
    assert by_peer["cv2.filter2D"]["max_abs_diff"] <= 1  # filter2D rounds ties differently
    text = suite.render_text(result)
    markdown = suite.render_markdown(result)
    assert "article 256x256" in text
    assert markdown.count("\n| article 256x256") == 2
    assert json.loads(suite.suite_json(result))["machine"]["versions"]["opencv"]


def test_suite_lists_missing_functions_as_skipped(monkeypatch):
    pytest.importorskip("cv2")
    import purecv

    monkeypatch.delattr(purecv, "box_blur")
    opts = suite.SuiteOptions(
        threads=[1, 2], quick=True, filters=["article"], processes=False, progress=False
    )
    result = suite.run_suite(opts)
    assert result["rows"] == []
    assert [s["reason"] for s in result["skipped"]] == ["purecv.box_blur does not exist yet"] * 2


def test_fresh_process_child_reports_import_and_first_call():
    figures = suite._child(suite._child_env())
    assert set(figures) == {"import_s", "first_blur_s", "in_process_s", "process_wall_s"}
    assert figures["process_wall_s"] >= figures["in_process_s"] > 0


def test_fresh_process_failure_is_reported(monkeypatch):
    monkeypatch.setattr(suite, "_CHILD", "raise SystemExit('boom')")
    with pytest.raises(RuntimeError, match=r"fresh-process run failed \(exit status 1\): boom"):
        suite._child(suite._child_env())


def test_charts_are_written(tmp_path):
    pytest.importorskip("matplotlib")
    from purecv.bench import plot

    out = plot.time_chart(tmp_path / "t.png", ["naive", "purecv"], [0.4, 1e-4], title="t", notes=["x", ""])
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    out = plot.speedup_chart(
        tmp_path / "s.png", ["a", "b"], {"1 thread": [2.0, None], "2": [0.5, 3.0]}, title="s"
    )
    assert out.stat().st_size > 1000


def test_random_images_are_seeded():
    a = suite._images((8, 4))["u8"]()
    b = suite._images((8, 4))["u8"]()
    np.testing.assert_array_equal(a, b)
    assert a.shape == (4, 8, 4)
