"""``purecv bench``: purecv's filters against their OpenCV counterparts, row by row, at each thread count.

Every row times one public purecv call against the cv2 call with the same arguments, interleaved
(A B A B ...) after warm-up, and reports both medians and the median of the per-pair ratios
``cv2 time / purecv time`` (> 1: purecv is faster; losses are listed next to wins). Each row also reports
the first call's time and the Numba compilation inside it (apart from the timings), and the largest
difference between the two outputs. Rows whose purecv function does not exist yet are listed as skipped.

Two more figures come from fresh processes: ``import purecv`` + the first ``blur`` call with a warm
on-disk cache (median of several runs), and the same with an empty cache (``NUMBA_CACHE_DIR`` pointed at
a new folder): the cold compile a user sees once after installing.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import purecv

from . import harness
from .images import load_fire_bgra
from .machine import describe, machine_info

__all__ = [
    "CASES",
    "Case",
    "SuiteOptions",
    "plot_suite",
    "render_markdown",
    "render_text",
    "run_suite",
    "suite_json",
]

_CV_16S = 3
_CV_32S = 4


@dataclass(frozen=True)
class Case:
    """One row: ``purecv.<op>`` against ``cv2`` on one image, same arguments."""

    name: str
    op: str  # the purecv function the row needs
    image: str  # a key of _IMAGES
    purecv: Callable[[Any, np.ndarray], np.ndarray]  # (module, image) -> result; module is purecv
    cv2: Callable[[Any, np.ndarray], np.ndarray]  # (cv2, image) -> result
    peer: str  # the cv2 call, for people


def _kernel(k: int) -> np.ndarray:
    """A seeded float32 k x k kernel that sums to 1 (filter2D rows)."""
    kern = np.random.default_rng(k).random((k, k), dtype=np.float32)
    return kern / kern.sum()


def _cases() -> list[Case]:
    box = np.ones((8, 8)) / 64  # the article's kernel
    cases = [
        Case(
            f"blur u8 4ch {{4k}} k{k}",
            "blur",
            "u8",
            lambda m, im, k=k: m.blur(im, (k, k)),
            lambda c, im, k=k: c.blur(im, (k, k)),
            "cv2.blur",
        )
        for k in (3, 9, 51)
    ]
    cases += [
        Case(
            "article 256x256 u8 4ch box_blur 8 vs filter2D",
            "box_blur",
            "fire",
            lambda m, im: m.box_blur(im, 8),
            lambda c, im: c.filter2D(im, -1, box),
            "cv2.filter2D",
        ),
        Case(
            "article 256x256 u8 4ch box_blur 8 vs blur",
            "box_blur",
            "fire",
            lambda m, im: m.box_blur(im, 8),
            lambda c, im: c.blur(im, (8, 8)),
            "cv2.blur",
        ),
        Case(
            "blur f32 4ch {4k} k9",
            "blur",
            "f32",
            lambda m, im: m.blur(im, (9, 9)),
            lambda c, im: c.blur(im, (9, 9)),
            "cv2.blur",
        ),
    ]
    cases += [
        Case(
            f"GaussianBlur u8 4ch {{4k}} k{k}",
            "GaussianBlur",
            "u8",
            lambda m, im, k=k: m.GaussianBlur(im, (k, k), 0),
            lambda c, im, k=k: c.GaussianBlur(im, (k, k), 0),
            "cv2.GaussianBlur",
        )
        for k in (3, 9, 31)
    ]
    cases += [  # issue 3's targets: a float 8x8 kernel on u8 4ch; a 31x31 one on f32 (cv2's DFT there)
        Case(
            f"filter2D {dt} 4ch {{4k}} {k}x{k}",
            "filter2D",
            dt,
            lambda m, im, k=k: m.filter2D(im, -1, _kernel(k)),
            lambda c, im, k=k: c.filter2D(im, -1, _kernel(k)),
            "cv2.filter2D",
        )
        for dt, k in (("u8", 8), ("f32", 31))
    ]
    cases += [
        Case(
            f"filter2D f32 1ch {{4k}} {k}x{k}",
            "filter2D",
            "f32_gray",
            lambda m, im, k=k: m.filter2D(im, -1, _kernel(k)),
            lambda c, im, k=k: c.filter2D(im, -1, _kernel(k)),
            "cv2.filter2D",
        )
        for k in (8, 31)
    ]
    cases.append(
        Case(
            "Sobel u8->s16 4ch {4k} dx=1 k3",
            "Sobel",
            "u8",
            lambda m, im: m.Sobel(im, _CV_16S, 1, 0, ksize=3),
            lambda c, im: c.Sobel(im, _CV_16S, 1, 0, ksize=3),
            "cv2.Sobel",
        )
    )
    sep = np.array([1, 4, 6, 4, 1], np.float32) / 16  # a smooth 5-tap kernel (cv2's fixed-point route)
    cases += [
        Case(
            "Scharr u8->s16 4ch {4k} dx=1",
            "Scharr",
            "u8",
            lambda m, im: m.Scharr(im, _CV_16S, 1, 0),
            lambda c, im: c.Scharr(im, _CV_16S, 1, 0),
            "cv2.Scharr",
        ),
        Case(
            "Laplacian u8->s16 4ch {4k} k3",
            "Laplacian",
            "u8",
            lambda m, im: m.Laplacian(im, _CV_16S, ksize=3),
            lambda c, im: c.Laplacian(im, _CV_16S, ksize=3),
            "cv2.Laplacian",
        ),
        Case(
            "sepFilter2D u8 4ch {4k} 5x5 smooth",
            "sepFilter2D",
            "u8",
            lambda m, im: m.sepFilter2D(im, -1, sep, sep),
            lambda c, im: c.sepFilter2D(im, -1, sep, sep),
            "cv2.sepFilter2D",
        ),
        Case(
            "boxFilter u8->s32 4ch {4k} k9 raw sums",
            "boxFilter",
            "u8",
            lambda m, im: m.boxFilter(im, _CV_32S, (9, 9), normalize=False),
            lambda c, im: c.boxFilter(im, _CV_32S, (9, 9), normalize=False),
            "cv2.boxFilter",
        ),
        Case(
            "sqrBoxFilter u8->f32 4ch {4k} k9",
            "sqrBoxFilter",
            "u8",
            lambda m, im: m.sqrBoxFilter(im, -1, (9, 9)),
            lambda c, im: c.sqrBoxFilter(im, -1, (9, 9)),
            "cv2.sqrBoxFilter",
        ),
    ]
    cases += [
        Case(
            f"stackBlur u8 4ch {{4k}} k{k}",
            "stackBlur",
            "u8",
            lambda m, im, k=k: m.stackBlur(im, (k, k)),
            lambda c, im, k=k: c.stackBlur(im, (k, k)),
            "cv2.stackBlur",
        )
        for k in (9, 51)
    ]
    return cases


CASES = _cases()


@dataclass
class SuiteOptions:
    """What ``purecv bench`` runs; the CLI fills it from its arguments."""

    threads: list[int] = field(default_factory=lambda: [1, 2])
    repeats: int | None = None  # pairs per row (default 21, --quick 5); slow rows get fewer (>= 5)
    quick: bool = False  # 1920x1080 instead of 3840x2160, fewer repeats and process runs
    filters: list[str] = field(default_factory=list)  # keep rows whose name contains one of these
    processes: bool = True  # run the fresh-process timings
    progress: bool = True
    budget: float = 3.0  # seconds of timing per row and thread count, at most (min 5 pairs)


def _images(size: tuple[int, int]) -> dict[str, Callable[[], np.ndarray]]:
    w, h = size
    rng = np.random.default_rng(2023)

    def u8() -> np.ndarray:
        return rng.integers(0, 256, (h, w, 4), dtype=np.uint8)

    return {
        "u8": u8,
        "f32": lambda: u8().astype(np.float32) / 255,
        "f32_gray": lambda: rng.random((h, w), dtype=np.float32),
        "fire": load_fire_bgra,
    }


def _max_diff(a: np.ndarray, b: np.ndarray) -> float | None:
    if a.shape != b.shape:
        return None
    return float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64)), initial=0.0))


def _time_case(case: Case, img: np.ndarray, cv2: Any, threads: int, opts: SuiteOptions) -> dict[str, Any]:
    harness.set_threads(threads, cv2)
    ours = lambda: case.purecv(purecv, img)  # noqa: E731
    theirs = lambda: case.cv2(cv2, img)  # noqa: E731
    first = harness.first_call(ours)  # before any warm-up: compile (or cache load) apart
    diff = _max_diff(ours(), theirs())
    t0 = time.perf_counter()
    theirs()
    ours()
    pair = time.perf_counter() - t0
    wanted = opts.repeats or (5 if opts.quick else 21)
    repeats = max(5, min(wanted, int(opts.budget / max(pair, 1e-9))))
    result = harness.time_pair(ours, theirs, repeats, warmup=1)
    return {
        "name": case.name,
        "op": case.op,
        "peer": case.peer,
        "threads": threads,
        "repeats": repeats,
        "purecv": result.a.as_dict(),
        "opencv": result.b.as_dict(),
        "speedup": result.ratio.as_dict(),  # cv2 time / purecv time, per pair
        "max_abs_diff": diff,
        "first_call": first.as_dict(),
    }


_CHILD = """
import json, time
t0 = time.perf_counter()
import numpy as np
import purecv
t1 = time.perf_counter()
img = np.zeros((256, 256, 4), np.uint8)
t2 = time.perf_counter()
purecv.blur(img, (3, 3))
t3 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "first_blur_s": t3 - t2}))
"""


def _child_env(**extra: str) -> dict[str, str]:
    try:
        from .mojo_peer import clean_env  # drops what a Mojo import put into the environment

        env = clean_env()
    except ImportError:
        env = dict(os.environ)
    env.update(extra)
    return env


def _child(env: dict[str, str]) -> dict[str, float]:
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", _CHILD], env=env, capture_output=True, text=True, timeout=600)
    wall = time.perf_counter() - t0
    if out.returncode != 0:
        last = (out.stderr.strip().splitlines() or ["no output"])[-1]
        msg = f"the fresh-process run failed (exit status {out.returncode}): {last}"
        raise RuntimeError(msg)
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    return {**figures, "in_process_s": figures["import_s"] + figures["first_blur_s"], "process_wall_s": wall}


def _processes(quick: bool) -> dict[str, Any]:
    """Fresh-process start-up: warm on-disk cache (median of runs) and cold compile (empty cache)."""
    env = _child_env()
    _child(env)  # make sure the on-disk cache holds this kernel
    runs = [_child(env) for _ in range(3 if quick else 7)]
    warm = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
    with tempfile.TemporaryDirectory(prefix="purecv-cold-cache-") as cache:
        cold = _child(_child_env(NUMBA_CACHE_DIR=cache))
    return {
        "what": "a new process: import purecv; purecv.blur(zeros((256, 256, 4), uint8), (3, 3))",
        "warm_cache": {**warm, "runs": len(runs)},
        "cold_cache": cold,
    }


def run_suite(opts: SuiteOptions) -> dict[str, Any]:
    """Run the rows (and the fresh-process timings); return the results as a JSON-ready dict."""
    try:
        import cv2
    except ImportError:
        cv2 = None
    size = (1920, 1080) if opts.quick else (3840, 2160)
    label = f"{size[0]}x{size[1]}"
    makers = _images(size)
    images: dict[str, np.ndarray] = {}
    chosen = [c for c in CASES if not opts.filters or any(f.lower() in c.name.lower() for f in opts.filters)]
    rows, skipped = [], []
    todo = [(c, n) for c in chosen for n in opts.threads]
    from tqdm.auto import tqdm

    bar = tqdm(
        todo,
        desc="bench",
        unit="row",
        leave=False,
        file=sys.stderr,
        disable=not (opts.progress and sys.stderr.isatty()),
    )
    for case, threads in bar:
        name = case.name.format(**{"4k": label})
        if cv2 is None:
            if threads == opts.threads[0]:
                reason = "OpenCV is not installed (pip install opencv-python-headless)"
                skipped.append({"name": name, "reason": reason})
            continue
        if not hasattr(purecv, case.op):
            if threads == opts.threads[0]:
                skipped.append({"name": name, "reason": f"purecv.{case.op} does not exist yet"})
            continue
        bar.set_postfix_str(f"{name}, {threads} thread(s)")
        if case.image not in images:
            images[case.image] = makers[case.image]()
        row = _time_case(case, images[case.image], cv2, threads, opts)
        row["name"] = name
        rows.append(row)
    harness.set_threads(None, cv2)
    result: dict[str, Any] = {
        "machine": machine_info(),
        "protocol": "interleaved pairs (purecv, cv2) after warm-up, same thread count on both sides; "
        "speedup = median over pairs of cv2 time / purecv time (> 1: purecv faster)",
        "image_size": list(size),
        "rows": rows,
        "skipped": skipped,
    }
    if opts.processes:
        try:
            result["process"] = _processes(opts.quick)
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            result["process_error"] = str(exc)
    return result


def suite_json(result: dict[str, Any]) -> str:
    """The results as JSON."""
    return json.dumps(result, indent=2)


def _table_rows(result: dict[str, Any]) -> list[list[str]]:
    fmt = harness.format_seconds
    out = []
    for r in result["rows"]:
        sp = r["speedup"]
        diff = r["max_abs_diff"]
        out.append(
            [
                r["name"],
                r["peer"],
                str(r["threads"]),
                fmt(r["purecv"]["median"]),
                fmt(r["opencv"]["median"]),
                harness.format_speedup(sp["median"]),
                f"{sp['q1']:.2f}-{sp['q3']:.2f}",
                "-" if diff is None else f"{diff:.3g}",
                fmt(r["first_call"]["compile_seconds"]) if r["first_call"]["compiled"] else "cached",
            ]
        )
    return out


_HEADERS = ["row", "vs", "threads", "purecv", "OpenCV", "speedup", "IQR", "max |diff|", "JIT"]


def _process_lines(result: dict[str, Any]) -> list[str]:
    if "process" not in result:
        return []
    p = result["process"]
    warm, cold = p["warm_cache"], p["cold_cache"]
    fmt = harness.format_seconds
    return [
        f"fresh process ({p['what']}):",
        (
            f"  warm cache (median of {warm['runs']}): import {fmt(warm['import_s'])} + first blur "
            f"{fmt(warm['first_blur_s'])} = {fmt(warm['in_process_s'])}; "
            f"whole process {fmt(warm['process_wall_s'])}"
        ),
        (
            f"  cold cache (new NUMBA_CACHE_DIR): import {fmt(cold['import_s'])} + first blur (compiling) "
            f"{fmt(cold['first_blur_s'])}; whole process {fmt(cold['process_wall_s'])}"
        ),
    ]


def render_text(result: dict[str, Any]) -> str:
    """The results for a terminal."""
    lines = ["purecv bench", describe(result["machine"]), result["protocol"], ""]
    lines.append(harness.text_table(_HEADERS, _table_rows(result)))
    lines += [f"skipped: {s['name']}: {s['reason']}" for s in result["skipped"]]
    if result["rows"]:
        lines.append(
            "JIT: Numba compile time of the row's first call in this process ('cached': loaded from disk)"
        )
    lines += ["", *_process_lines(result)] if "process" in result else []
    if "process_error" in result:
        lines += ["", f"fresh-process timings: {result['process_error']}"]
    if result.get("chart"):
        lines.append(f"chart: {result['chart']}")
    return "\n".join(lines)


def render_markdown(result: dict[str, Any]) -> str:
    """The results as Markdown, for the README."""
    m = result["machine"]
    lines = [
        f"Machine: {describe(m).replace(chr(10), '; ')}.",
        "",
        (
            "Speedup = median over interleaved pairs of (OpenCV time / purecv time); > 1 means purecv is "
            "faster. Same thread count on both sides."
        ),
        "",
        harness.markdown_table(_HEADERS, _table_rows(result)),
    ]
    if result["skipped"]:
        lines += ["", "Not measured: " + "; ".join(f"{s['name']} ({s['reason']})" for s in result["skipped"])]
    if "process" in result:
        lines += ["", *(f"- {line.strip()}" for line in _process_lines(result)[1:])]
    return "\n".join(lines)


def plot_suite(result: dict[str, Any], path: str) -> str | None:
    """Draw the speedups per row and thread count into ``path``; None (and a note) without matplotlib."""
    from .plot import have_matplotlib, speedup_chart

    if not have_matplotlib():
        print("chart skipped: matplotlib is not installed (pip install matplotlib)", file=sys.stderr)
        return None
    names = list(dict.fromkeys(r["name"] for r in result["rows"]))
    series: dict[str, list[float | None]] = {}
    for r in result["rows"]:
        values = series.setdefault(f"{r['threads']} thread(s)", [None] * len(names))
        values[names.index(r["name"])] = r["speedup"]["median"]
    return str(speedup_chart(path, names, series, title="purecv vs OpenCV (speedup, > 1: purecv faster)"))
