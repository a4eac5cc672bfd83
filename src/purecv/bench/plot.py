"""Bar charts of benchmark results, as PNG files (matplotlib is optional: without it, no chart).

Only matplotlib's object API is used (``Figure`` + the Agg canvas), so nothing changes pyplot's global
backend or state in the caller's process.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path

__all__ = ["have_matplotlib", "speedup_chart", "time_chart"]


def have_matplotlib() -> bool:
    """True when matplotlib can be imported."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _figure(n_bars: int):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 1.2 + 0.42 * n_bars), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def time_chart(
    path: str | Path,
    labels: Sequence[str],
    seconds: Sequence[float],
    *,
    title: str,
    notes: Sequence[str] | None = None,
) -> Path:
    """Horizontal bars of median times on a log axis, each bar labelled with its time (and a note).

    Raises ImportError when matplotlib is missing (check :func:`have_matplotlib` first).
    """
    from .harness import format_seconds

    fig = _figure(len(labels))
    ax = fig.add_subplot()
    y = list(range(len(labels)))[::-1]
    ax.barh(y, seconds, color=["#c0392b" if "purecv" in lab else "#7f8c8d" for lab in labels])
    ax.set_yticks(y, labels)
    ax.set_xscale("log")
    ax.set_xlabel("seconds per call (median, log scale; shorter is faster)")
    ax.set_title(title)
    for i, (yy, s) in enumerate(zip(y, seconds, strict=True)):
        text = format_seconds(s) + (f"  {notes[i]}" if notes and notes[i] else "")
        ax.text(s * 1.08, yy, text, va="center", fontsize=8)
    ax.set_xlim(min(seconds) / 2, max(seconds) * 60)
    out = Path(path)
    fig.savefig(out, dpi=110)
    return out


def speedup_chart(
    path: str | Path,
    labels: Sequence[str],
    speedups: Mapping[str, Sequence[float | None]],
    *,
    title: str,
) -> Path:
    """Grouped horizontal bars of speedups (peer time / purecv time) per series, with a line at 1x.

    ``speedups`` maps a series name (e.g. ``"1 thread"``) to one value per label (None: not measured).
    Raises ImportError when matplotlib is missing.
    """
    fig = _figure(len(labels) * max(1, len(speedups)) // 2 + 2)
    ax = fig.add_subplot()
    n = max(1, len(speedups))
    height = 0.8 / n
    base = list(range(len(labels)))[::-1]
    for k, (series, values) in enumerate(speedups.items()):
        ys = [b + 0.4 - height * (k + 0.5) for b in base]
        vals = [v if v is not None and math.isfinite(v) else 0.0 for v in values]
        ax.barh(ys, vals, height=height, label=series)
        for yy, v in zip(ys, vals, strict=True):
            if v > 0:
                ax.text(v * 1.05, yy, f"{v:.2f}x", va="center", fontsize=7)
    ax.axvline(1.0, color="black", linewidth=1)
    finite = [v for values in speedups.values() for v in values if v is not None and 0 < v < math.inf]
    if finite:
        ax.set_xlim(min(min(finite), 1.0) / 1.5, max(max(finite), 1.0) * 2.0)  # room for the labels
    ax.set_yticks(base, labels)
    ax.set_xscale("log")
    ax.set_xlabel("speedup of purecv over the peer (peer time / purecv time; > 1: purecv faster)")
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize=8)
    out = Path(path)
    fig.savefig(out, dpi=110)
    return out
