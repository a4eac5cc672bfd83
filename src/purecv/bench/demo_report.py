"""Lay out ``purecv demo``'s figures for people (:func:`render`) and machines (:func:`to_json`), and
save its images and chart (:func:`write_outputs`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .harness import format_seconds, format_speedup, text_table
from .images import load_fire_bgra, write_image
from .machine import describe
from .plot import have_matplotlib, time_chart

__all__ = ["render", "to_json", "write_outputs"]


def to_json(result: dict[str, Any]) -> str:
    """The demo's figures as JSON (the blurred images left out)."""
    clean = dict(result)
    clean["runs"] = [{k: v for k, v in run.items() if k != "outputs"} for run in result["runs"]]
    return json.dumps(clean, indent=2)


def _pct(value: float) -> str:
    return "0 %" if value == 0 else f"{value:.3g} %"


def _timing_table(run: dict[str, Any]) -> str:
    rows = []
    for r in run["rows"]:
        spread = f"{format_seconds(r['stats']['q1'])}-{format_seconds(r['stats']['q3'])}"
        rows.append(
            [
                r["label"],
                format_seconds(r["seconds"]),
                spread,
                format_speedup(r["speedup_vs_python"]),
                format_speedup(r["speedup_vs_cv2_filter2D"]),
                format_speedup(r["speedup_vs_cv2_blur"]),
            ]
        )
    headers = ["row", "median", "IQR", "vs Python", "vs OpenCV filter2D", "vs OpenCV blur"]
    return text_table(headers, rows)


def _check_table(run: dict[str, Any]) -> str:
    """Per row: largest difference, share of pixels differing, and what a differing row computes."""
    rows, notes = [], []
    for r in run["rows"]:
        verdict = "same blur"
        if not r["same_as_definition"]:
            if r["computes"] not in notes:
                notes.append(r["computes"])
            verdict = f"another blur [{notes.index(r['computes']) + 1}]"
        rows.append([r["label"], str(r["max_abs_diff"]), _pct(r["pixels_differing_pct"]), verdict])
    table = text_table(["row", "max |diff|", "pixels differing", "verdict"], rows)
    return "\n".join([table, *(f"  [{i}] {note}" for i, note in enumerate(notes, 1))])


def render(result: dict[str, Any]) -> str:
    """The demo's report for a terminal: machine, timing tables, compile times, output checks."""
    th = result["threads"]
    lines = [
        "purecv demo: the article's 8x8 box blur of the fire emoji (4-channel uint8)",
        describe(result["machine"]),
        f"threads: purecv {th['purecv']}, OpenCV {th['opencv'] or '-'}, Mojo 1 (the article's kernel)",
        f"timing: median of {result['repeats']['fast_rows']} interleaved rounds after warm-up"
        + (
            f"; naive Python: median of {result['repeats']['naive_python']} runs"
            if result["repeats"]["naive_python"]
            else "; naive Python not run (--no-naive)"
        ),
        "speedup vs X: X's time / this row's time, per round, median (> 1: this row is faster)",
    ]
    if not result["opencv"]["available"]:
        lines.append(f"OpenCV rows skipped: {result['opencv']['reason']}")
    mojo = result["mojo"]
    lines.append(f"Mojo: {mojo['status']}" if mojo["available"] else f"Mojo rows skipped: {mojo['status']}")
    for run in result["runs"]:
        w, h = run["size"]
        lines += ["", f"== {w}x{h} ==", _timing_table(run)]
        skipped = run.get("naive_python_skipped")
        if skipped:
            est = skipped["estimated_seconds"]
            lines.append(
                f"naive Python: {skipped['reason']}"
                + (f"; estimated {format_seconds(est)} from the 256x256 rate" if est else "")
            )
    lines += ["", "JIT compile time, apart from the timings (first call in this process):"]
    for label, fc in result["jit"].items():
        how = (
            f"{format_seconds(fc['compile_seconds'])} compiling {fc['compiled']} functions"
            if fc["compiled"]
            else "nothing compiled: loaded from Numba's on-disk cache"
        )
        lines.append(f"  {label}: first call {format_seconds(fc['seconds'])} ({how})")
    if mojo["available"]:
        cached = "compiled" not in mojo["status"]
        lines.append(
            f"  Mojo import: {format_seconds(mojo['compile_seconds'])}"
            + (" (cached build; a cold compile takes ~5-7 s)" if cached else " (compiling mojo_blur.mojo)")
        )
    lines += [
        "",
        (
            "The article (256x256, shared cloud CPU, two revisions): naive Python 0.646 s / ~0.2 s, "
            "OpenCV filter2D 1.47 ms / 0.613 ms, Mojo SIMD + vectorize 0.464 ms / 0.323 ms."
        ),
    ]
    lines += ["", f"Same blur? Every output against purecv's definition: {result['definition']}"]
    for run in result["runs"]:
        w, h = run["size"]
        lines += [f"-- {w}x{h} (reference: {run['definition_from']})", _check_table(run)]
    if "written" in result:
        lines += ["", f"wrote {len(result['written']['images'])} images to {result['written']['folder']}"]
        lines.append(
            f"chart: {result['written']['chart']}"
            if result["written"]["chart"]
            else f"chart skipped: {result['written']['chart_skipped']}"
        )
    return "\n".join(lines)


def write_outputs(result: dict[str, Any], folder: str | Path, *, plot: bool = True) -> dict[str, Any]:
    """Save the input, every row's blurred image (first size only) and the bar chart into ``folder``.

    Records and returns what was written under ``result['written']``.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    first = result["runs"][0]
    images = [folder / "fire_bgra.png"]
    write_image(images[0], load_fire_bgra())
    for key, img in first["outputs"].items():
        images.append(folder / f"{key}.png")
        write_image(images[-1], img)
    written: dict[str, Any] = {"folder": str(folder), "images": [str(p) for p in images], "chart": None}
    if not plot:
        written["chart_skipped"] = "--no-plot"
    elif not have_matplotlib():
        written["chart_skipped"] = "matplotlib is not installed (pip install matplotlib)"
    else:
        charts = []
        for k, run in enumerate(result["runs"]):
            w, h = run["size"]
            charts.append(
                time_chart(
                    folder / ("bars.png" if k == 0 else f"bars_{w}x{h}.png"),
                    [r["label"] for r in run["rows"]],
                    [r["seconds"] for r in run["rows"]],
                    title=f"8x8 box blur, {w}x{h} 4-channel uint8, {result['threads']['purecv']} thread(s) "
                    "(median seconds per call)",
                    notes=["" if r["same_as_definition"] else "(another blur)" for r in run["rows"]],
                )
            )
        written["chart"] = ", ".join(str(c) for c in charts)
    result["written"] = written
    return written
