"""The ``purecv`` command: demo end to end, blur on files against cv2, argument errors, ``python -m``."""

import json
import subprocess
import sys

import numpy as np
import pytest

from purecv import cli
from purecv.bench import demo

cv2 = pytest.importorskip("cv2")


def _run(argv, capsys):
    status = cli.main(argv)
    out = capsys.readouterr()
    return status, out.out, out.err


# --- purecv demo ---------------------------------------------------------------------------------------


def test_demo_end_to_end_json_and_files(tmp_path, capsys):
    out = tmp_path / "demo"
    argv = ["demo", "--repeats", "2", "--naive-repeats", "1", "--size", "300x200", "--out", str(out)]
    status, stdout, _ = _run([*argv, "--json", "--no-progress", "--threads", "1"], capsys)
    assert status == 0
    result = json.loads(stdout)
    for key in ("machine", "threads", "definition", "jit", "mojo", "opencv", "runs", "written"):
        assert key in result
    assert result["threads"]["purecv"] == result["threads"]["opencv"] == 1
    assert [run["size"] for run in result["runs"]] == [[256, 256], [300, 200]]
    rows = {r["key"]: r for r in result["runs"][0]["rows"]}
    assert list(rows)[:5] == ["naive_python", "cv2_filter2D", "cv2_blur", "purecv_box_blur", "purecv_blur"]
    for key in ("cv2_blur", "purecv_box_blur", "purecv_blur"):
        assert rows[key]["same_as_definition"]
        assert rows[key]["max_abs_diff"] == 0
        assert rows[key]["pixels_differing_pct"] == 0
    naive = rows["naive_python"]
    assert not naive["same_as_definition"]
    assert "9x9" in naive["computes"]
    assert naive["speedup_vs_python"] == 1.0
    assert rows["purecv_blur"]["speedup_vs_python"] > 0
    assert rows["cv2_filter2D"]["speedup_vs_cv2_filter2D"] == 1.0
    for r in rows.values():
        for field in ("seconds", "stats", "speedup_vs_cv2_blur", "max_abs_diff", "pixels_differing_pct"):
            assert field in r
    assert "purecv.box_blur(img, 8)" in result["jit"]
    big = result["runs"][1]
    assert "naive_python" not in {r["key"] for r in big["rows"]}
    assert big["naive_python_skipped"]["estimated_seconds"] > 0
    for r in big["rows"]:  # the box rows compute the definition; filter2D rounds its float sum instead
        if r["key"] in ("purecv_blur", "purecv_box_blur"):
            assert r["same_as_definition"]
        if r["key"] == "purecv_filter2D":
            assert r["max_abs_diff"] <= 1
    assert (out / "fire_bgra.png").is_file()
    for key in rows:
        assert (out / f"{key}.png").is_file()
    written = cv2.imread(str(out / "purecv_blur.png"), cv2.IMREAD_UNCHANGED)
    np.testing.assert_array_equal(written, cv2.blur(cv2.imread(str(out / "fire_bgra.png"), -1), (8, 8)))
    if result["written"]["chart"]:
        assert (out / "bars.png").read_bytes()[:4] == b"\x89PNG"
    else:
        assert "matplotlib" in result["written"]["chart_skipped"]


def test_demo_text_report_without_naive(tmp_path, capsys):
    status, stdout, _ = _run(
        ["demo", "--repeats", "1", "--no-naive", "--no-plot", "--out", str(tmp_path)], capsys
    )
    assert status == 0
    assert "naive Python not run (--no-naive)" in stdout
    assert "vs OpenCV filter2D" in stdout
    assert "Same blur?" in stdout
    assert "purecv.blur(img, (8, 8))" in stdout
    assert "chart skipped: --no-plot" in stdout
    assert not (tmp_path / "naive_python.png").exists()


def test_demo_rows_without_peers():
    rows = demo.demo_rows(None, None)
    assert [r.key for r in rows] == ["naive_python", "purecv_box_blur", "purecv_blur"] + (
        ["purecv_filter2D"] if hasattr(__import__("purecv"), "filter2D") else []
    )


def test_demo_says_when_opencv_is_missing(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "cv2", None)  # makes "import cv2" raise ImportError
    status, stdout, _ = _run(
        ["demo", "--repeats", "1", "--no-naive", "--no-plot", "--out", str(tmp_path)], capsys
    )
    assert status == 0
    assert "OpenCV rows skipped: OpenCV is not installed" in stdout
    assert "OpenCV filter2D 8x8" not in stdout


# --- purecv blur ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shape", "dtype", "ksize", "border", "code"),
    [
        ((40, 50, 4), np.uint8, "5", "default", cv2.BORDER_DEFAULT),
        ((33, 21, 3), np.uint8, "7x3", "replicate", cv2.BORDER_REPLICATE),
        ((17, 30), np.uint8, "4x4", "constant", cv2.BORDER_CONSTANT),
        ((20, 20), np.uint16, "3", "reflect", cv2.BORDER_REFLECT),
        ((25, 19, 4), np.uint8, "9", "reflect101", cv2.BORDER_REFLECT_101),
    ],
)
def test_blur_file_matches_cv2(tmp_path, capsys, shape, dtype, ksize, border, code):
    rng = np.random.default_rng(len(shape) * 100 + shape[0])
    img = rng.integers(0, np.iinfo(dtype).max, shape, endpoint=True, dtype=dtype)
    src, dst = tmp_path / "in.png", tmp_path / "out.png"
    assert cv2.imwrite(str(src), img)
    status, stdout, _ = _run(["blur", str(src), str(dst), "-k", ksize, "--border", border], capsys)
    assert status == 0
    assert str(dst) in stdout
    got = cv2.imread(str(dst), cv2.IMREAD_UNCHANGED)
    kw, kh = cli.parse_ksize(ksize)
    np.testing.assert_array_equal(got, cv2.blur(img, (kw, kh), borderType=code))


def test_blur_16bit_colour(tmp_path, capsys):
    import purecv

    img = np.random.default_rng(4).integers(0, 65536, (10, 12, 3), dtype=np.uint16)
    src, dst = tmp_path / "in.png", tmp_path / "out.png"
    cv2.imwrite(str(src), img)
    if not hasattr(purecv, "imread"):  # the Pillow fallback refuses rather than cutting to 8 bits
        with pytest.raises(SystemExit):
            cli.main(["blur", str(src), str(dst), "-k", "3"])
        assert "16-bit colour PNG" in capsys.readouterr().err
        return
    assert cli.main(["blur", str(src), str(dst), "-k", "3"]) == 0
    np.testing.assert_array_equal(cv2.imread(str(dst), cv2.IMREAD_UNCHANGED), cv2.blur(img, (3, 3)))


def test_blur_wrap_border(tmp_path, capsys):
    from purecv import reference

    img = np.random.default_rng(3).integers(0, 256, (12, 15, 3), dtype=np.uint8)
    src, dst = tmp_path / "in.png", tmp_path / "out.png"
    cv2.imwrite(str(src), img)
    status, _, _ = _run(["blur", str(src), str(dst), "-k", "5", "--border", "wrap"], capsys)
    assert status == 0
    want = reference.box_filter_ref(img, (5, 5), borderType=cv2.BORDER_WRAP)
    np.testing.assert_array_equal(cv2.imread(str(dst), cv2.IMREAD_UNCHANGED), want)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "the following arguments are required"),
        (["blur", "IN", "OUT"], "the following arguments are required: -k/--ksize"),
        (["blur", "IN", "OUT", "-k", "0"], "expected a kernel size K or WxH with positive ints"),
        (["blur", "IN", "OUT", "-k", "3x"], "expected a kernel size K or WxH"),
        (["blur", "IN", "OUT", "-k", "3", "--border", "mirror"], "invalid choice: 'mirror'"),
        (["blur", "{missing}", "OUT", "-k", "3"], "cannot read an image from"),
        (["blur", "{text}", "OUT", "-k", "3"], "cannot read an image from"),
        (["blur", "{png}", "{nodir}", "-k", "3"], "cannot write an image to"),
        (["demo", "--repeats", "0"], "expected a positive int"),
        (["demo", "--size", "big"], "expected an image size WxH"),
        (["bench", "--threads", "1,x"], "expected positive thread counts"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(tmp_path, capsys, args, message):
    png = tmp_path / "ok.png"
    cv2.imwrite(str(png), np.zeros((4, 4), np.uint8))
    (tmp_path / "notes.txt").write_text("not an image")
    paths = {
        "{missing}": str(tmp_path / "missing.png"),
        "{text}": str(tmp_path / "notes.txt"),
        "{png}": str(png),
        "{nodir}": str(tmp_path / "no" / "such" / "dir" / "out.png"),
    }
    argv = [paths.get(a, a) for a in args]
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert message in err
    assert "usage: purecv" in err
    assert "Traceback" not in err


def test_python_dash_m_and_lazy_imports():
    out = subprocess.run(
        [sys.executable, "-m", "purecv", "blur", "--help"], capture_output=True, text=True, check=True
    )
    assert "--border" in out.stdout
    code = (
        "import sys, purecv; "
        "print([m for m in ('matplotlib', 'tqdm', 'cv2', 'purecv.bench', 'purecv.cli') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_parse_helpers():
    assert cli.parse_ksize("5") == (5, 5)
    assert cli.parse_ksize("7X3") == (7, 3)
    assert cli.parse_size("3840x2160") == (3840, 2160)
    assert cli.BORDERS["default"] == cv2.BORDER_DEFAULT
    assert cli.BORDERS["wrap"] == cv2.BORDER_WRAP
