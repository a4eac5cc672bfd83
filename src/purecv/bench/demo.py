"""``purecv demo``: the article's box-blur benchmark, redone on one definition and checked pixel by pixel.

The article timed three different blurs (a clamped 9x9 Python loop, ``cv2.filter2D`` with an 8x8 kernel,
and a Mojo 8x8 kernel with clamped coordinates) as if they were one. The demo times the same rows plus
``cv2.blur`` and purecv, interleaved in one process, and compares every row's output with purecv's
definition, :data:`DEFINITION` (= ``cv2.blur(img, (8, 8))``), saying which rows compute another blur.

:func:`run_demo` returns the figures as a dict; :mod:`purecv.bench.demo_report` lays them out for people
and writes the images and the chart. The CLI (``purecv demo``) chains them.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

import purecv
from purecv import reference

from . import harness
from .images import load_fire_bgra, tile_to
from .machine import machine_info

__all__ = ["DEFINITION", "DIAMETER", "DemoOptions", "Row", "demo_rows", "run_demo"]

DIAMETER = 8
KSIZE = (DIAMETER, DIAMETER)
DEFINITION = (
    "8x8 mean over rows y-4..y+3 and columns x-4..x+3, BORDER_REFLECT_101 outside the image, "
    "OpenCV's 8-bit rounding: cv2.blur(img, (8, 8))"
)
NAIVE = "naive_python"


@dataclass
class DemoOptions:
    """What ``purecv demo`` runs; the CLI fills it from its arguments."""

    threads: int | None = None  # None: all of Numba's threads, for purecv and OpenCV alike
    repeats: int = 25  # interleaved rounds of the fast rows
    naive_repeats: int = 3  # runs of the naive Python row (about 0.4 s each at 256x256)
    naive: bool = True
    size: tuple[int, int] | None = None  # also run at this (width, height), the fire image tiled
    progress: bool = True


@dataclass
class Row:
    """One timed row: how to blur an image with it, and what blur it computes."""

    key: str
    label: str
    blur: Callable[[np.ndarray], np.ndarray]  # a new blurred image; the input is left as it was
    computes: str = ""  # what it computes when that is not the definition
    in_place: Callable[[np.ndarray], object] | None = None  # timed on a scratch copy instead of blur

    def call(self, image: np.ndarray) -> Callable[[], object]:
        """A zero-argument call of this row on ``image``, for the timer (the scratch copy is not timed)."""
        if self.in_place is None:
            return lambda: self.blur(image)
        scratch = image.copy()
        return lambda: self.in_place(scratch)


def demo_rows(cv2: Any, mojo: Any) -> list[Row]:
    """The rows the demo times, in the article's order, for the peers that are present.

    ``cv2`` is the OpenCV module or None; ``mojo`` is :mod:`purecv.bench.mojo_peer` when its kernel
    loaded, else None. The naive Python row comes first.
    """
    rows = [
        Row(
            NAIVE,
            "naive Python (article)",
            lambda im: reference.naive_box_blur(im, DIAMETER),
            "the article's loop: a clamped 9x9 window x-4..x+4 (it shrinks at the edges, no border), "
            "mean truncated",
        )
    ]
    box = np.ones(KSIZE) / (DIAMETER * DIAMETER)  # the article's float64 kernel
    if cv2 is not None:
        rows += [
            Row(
                "cv2_filter2D",
                "OpenCV filter2D 8x8",
                lambda im: cv2.filter2D(im, -1, box),
                "same window and border; the float sum S/64 is rounded half to even, where cv2.blur's "
                "fixed point rounds up from S mod 64 = 31",
            ),
            Row("cv2_blur", "OpenCV blur 8x8", lambda im: cv2.blur(im, KSIZE)),
        ]
    rows += [
        Row("purecv_box_blur", "purecv.box_blur(img, 8)", lambda im: purecv.box_blur(im, DIAMETER)),
        Row("purecv_blur", "purecv.blur(img, (8, 8))", lambda im: purecv.blur(im, KSIZE)),
    ]
    if hasattr(purecv, "filter2D"):
        rows.append(
            Row(
                "purecv_filter2D",
                "purecv.filter2D 8x8",
                lambda im: purecv.filter2D(im, -1, box),
                "as cv2.filter2D: the float sum S/64 rounded half to even",
            )
        )
    if mojo is not None:
        clamped = (
            "the article's kernel: 8x8 window x-4..x+3 with clamped coordinates (no reflection), "
            "sum // 64 truncated, alpha forced to 255"
        )
        for vectorized, key, label in (
            (False, "mojo_simd", "Mojo SIMD (article)"),
            (True, "mojo_vectorize", "Mojo SIMD + vectorize (article)"),
        ):
            tail = "" if vectorized else "; the last width % SIMD-width pixels of each row stay unblurred"
            rows.append(
                Row(
                    key,
                    label,
                    lambda im, v=vectorized: mojo.mojo_box_blur(im.copy(), vectorized=v),
                    clamped + tail,
                    in_place=lambda im, v=vectorized: mojo.mojo_box_blur(im, vectorized=v),
                )
            )
    return rows


def _progress(total: int, desc: str, enabled: bool, unit: str) -> Any:
    from tqdm.auto import tqdm

    # bars only on a terminal: redirected output stays clean
    enabled = enabled and sys.stderr.isatty()
    return tqdm(total=total, desc=desc, unit=unit, leave=False, file=sys.stderr, disable=not enabled)


def _compare(out: np.ndarray, want: np.ndarray) -> dict[str, Any]:
    """Largest difference of any value, and the share of pixels with any channel differing."""
    diff = np.abs(out.astype(np.int16) - want.astype(np.int16))
    per_pixel = diff.reshape(diff.shape[0], diff.shape[1], -1).max(axis=2)
    return {
        "max_abs_diff": int(diff.max()),
        "pixels_differing_pct": 100.0 * np.count_nonzero(per_pixel) / per_pixel.size,
    }


def _time_naive(image: np.ndarray, opts: DemoOptions) -> tuple[harness.Stats, np.ndarray]:
    """The naive row alone, a few runs with a progress bar: it takes about 0.4 s per run at 256x256."""
    samples = []
    out = image
    with _progress(opts.naive_repeats * image.shape[0], "naive Python", opts.progress, "row") as bar:
        for _ in range(opts.naive_repeats):
            t0 = time.perf_counter()
            out = reference.naive_box_blur(image, DIAMETER, progress=bar)
            samples.append(time.perf_counter() - t0)
    return harness.summarize(samples), out


def _run_size(image: np.ndarray, rows: list[Row], opts: DemoOptions, cv2: Any) -> dict[str, Any]:
    """Time ``rows`` on ``image`` (the naive one apart, the others interleaved) and check their outputs."""
    h, w = image.shape[:2]
    if cv2 is not None and h * w > 1 << 20:  # the reference's 64 float64 passes are slow at 4K
        want, source = cv2.blur(image, KSIZE), "cv2.blur (equal to purecv.reference.box_filter_ref)"
    else:
        want, source = reference.box_filter_ref(image, KSIZE), "purecv.reference.box_filter_ref"
    stats: dict[str, harness.Stats] = {}
    outputs: dict[str, np.ndarray] = {}
    fast = [r for r in rows if r.key != NAIVE]
    if len(fast) < len(rows):
        stats[NAIVE], outputs[NAIVE] = _time_naive(image, opts)
    for row in fast:
        outputs[row.key] = row.blur(image)
    calls = {r.key: r.call(image) for r in fast}
    numbers = {key: harness.calibrate(fn) for key, fn in calls.items()}
    with _progress(opts.repeats, f"timing {w}x{h}", opts.progress, "round") as bar:
        samples = harness.interleave(calls, opts.repeats, warmup=2, number=numbers, progress=bar)
    stats.update({key: harness.summarize(s) for key, s in samples.items()})
    python_s = stats[NAIVE].median if NAIVE in stats else None
    entries = []
    for row in rows:
        s = stats[row.key]
        entry: dict[str, Any] = {
            "key": row.key,
            "label": row.label,
            "seconds": s.median,
            "stats": s.as_dict(),
            "calls_per_sample": numbers.get(row.key, 1),
            "speedup_vs_python": python_s / s.median if python_s else None,
        }
        for peer in ("cv2_filter2D", "cv2_blur"):
            if peer in samples and row.key in samples:  # interleaved: the median of per-round ratios
                entry[f"speedup_vs_{peer}"] = harness.ratio_stats(samples[peer], samples[row.key]).median
            elif peer in samples:
                entry[f"speedup_vs_{peer}"] = stats[peer].median / s.median
            else:
                entry[f"speedup_vs_{peer}"] = None
        entry.update(_compare(outputs[row.key], want))
        entry["same_as_definition"] = entry["max_abs_diff"] == 0
        entry["computes"] = row.computes or "purecv's definition"
        entries.append(entry)
    return {"size": [w, h], "definition_from": source, "rows": entries, "outputs": outputs}


def run_demo(opts: DemoOptions) -> dict[str, Any]:
    """Run the demo; return its figures (JSON-ready, except ``runs[i]['outputs']``: the blurred images)."""
    try:
        import cv2
    except ImportError:
        cv2 = None
    threads = harness.set_threads(opts.threads, cv2)
    from . import mojo_peer

    loaded = mojo_peer.load_mojo()
    rows = demo_rows(cv2, mojo_peer if loaded.module is not None else None)
    image = load_fire_bgra()
    # JIT: the first call of each purecv row in this process, timed before any warm-up
    jit = {r.label: harness.first_call(r.call(image)).as_dict() for r in rows if r.key.startswith("purecv")}
    result: dict[str, Any] = {
        "machine": machine_info(),
        "threads": {"purecv": threads, "opencv": cv2.getNumThreads() if cv2 else None, "mojo": 1},
        "definition": DEFINITION,
        "image": "fire.png read as 8-bit BGR, alpha 255 appended (the article's COLOR_RGB2RGBA on BGR data)",
        "repeats": {"fast_rows": opts.repeats, NAIVE: opts.naive_repeats if opts.naive else 0},
        "opencv": {
            "available": cv2 is not None,
            "version": getattr(cv2, "__version__", None),
            "reason": None if cv2 else "OpenCV is not installed (pip install opencv-python-headless)",
        },
        "mojo": {
            "available": loaded.module is not None,
            "compile_seconds": loaded.compile_seconds,
            "status": loaded.reason,
        },
        "jit": jit,
        "runs": [_run_size(image, rows if opts.naive else rows[1:], opts, cv2)],
    }
    if opts.size is not None:
        big = tile_to(image, *opts.size)
        run = _run_size(big, rows[1:], opts, cv2)
        naive = next((r for r in result["runs"][0]["rows"] if r["key"] == NAIVE), None)
        run["naive_python_skipped"] = {
            "reason": "the naive Python row is not run at this size (too slow for a demo)",
            "estimated_seconds": None
            if naive is None
            else naive["seconds"] * big.shape[0] * big.shape[1] / (image.shape[0] * image.shape[1]),
        }
        result["runs"].append(run)
    return result
