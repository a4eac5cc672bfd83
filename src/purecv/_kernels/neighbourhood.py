"""The 2-D neighbourhood driver: every output pixel combines a ``kh`` x ``kw`` window of border-padded input.

The plain formula, for an output pixel ``(y, x)`` and channel ``c`` of a kernel anchored at ``(ax, ay)``::

    acc = init
    for (ky, kx) in taps:                       # row-major order, zero weights dropped (OpenCV's order)
        acc = combine(acc, w[ky, kx], src[ytab[y + ky], xtab[x + kx], c])
    dst[y, x, c] = finish(acc)

with ``ytab``/``xtab`` from :func:`purecv._border.border_table`. How it runs, per strip of output rows (one
strip per task of the thread pool, each with its own ``kh - 1`` rows of halo):

1. a *ring* of ``kh + 1`` padded rows in the work dtype (float32 or float64 for correlation): each source row
   is converted and border-extended once (:func:`_fill`), then read by ``kh`` output rows;
2. output rows are made two at a time. A *schedule* (built once per call by :func:`tap_schedule`) lists the
   taps grouped by the padded row they read: padded row ``y + q`` serves kernel row ``q`` of output row ``y``
   and kernel row ``q - 1`` of output row ``y + 1``, so one load of a row lane feeds two accumulators
   (measured about 1.8x the throughput of one row at a time). Each entry holds up to 8 taps, applied in one
   pass over the ``W * C`` lanes (the tap loop outside the lane loop, so it vectorises);
3. a finish step per row: round half to even and saturate for integer outputs (OpenCV's ``saturate_cast``,
   including the ``INT_MIN`` that x86 gives for NaN or values outside int32), a cast for float outputs,
   a clamp alone for exact integer accumulators (an integer ``cval`` dtype: int16 lanes for integer kernels).

Plugging in another op (morphology's max/min, ...): give it an ``OP_*`` code and a branch in
:func:`_run_entry`, reusing the same schedule (its offsets; weights ignored) and its own ``init`` value.
"""

from __future__ import annotations

import functools

import numpy as np
from numba import prange

from .._border import border_table
from .._jit import kernel, parallel_kernel
from .rows import plan_strips, strip_range
from .saturate import clamp_row, saturate_row
from .taps import pair, pair8, single, single8

__all__ = ["OP_CORRELATE", "PARALLEL_MIN_WORK", "neighbourhood", "tap_schedule"]

OP_CORRELATE = 0  # acc = fma(x, w, acc) per tap: filter2D (OpenCV's v_muladd, fused under FMA dispatch)

# Schedule entry kinds: which of the two accumulators of a row pair a group of taps updates.
_PAIR = 0  # both, from one shared load: acc0 with kernel row q, acc1 with kernel row q - 1
_FIRST = 1  # acc0 only
_SECOND = 2  # acc1 only
_GROUP = 8  # taps per entry at most: groups of 8, then of at most 4 (one pass per row of an 8-wide kernel)
PARALLEL_MIN_WORK = 1 << 26  # lane-taps (~1 ms on one thread) below which a call stays on one thread
CHUNK = 16384  # lanes per pass (4K RGBA rows in one pass; wider rows in chunks that stay in L2)


def tap_schedule(weights: np.ndarray, cn: int):
    """:func:`_tap_schedule`, remembered for the last few kernels (a script filters many images alike)."""
    weights = np.ascontiguousarray(weights)
    return _cached_schedule(weights.tobytes(), weights.shape, weights.dtype.str, cn)


@functools.lru_cache(maxsize=32)
def _cached_schedule(data: bytes, shape: tuple[int, int], dtype: str, cn: int):
    return _tap_schedule(np.frombuffer(data, dtype).reshape(shape), cn)


def _tap_schedule(weights: np.ndarray, cn: int):
    """Group the nonzero taps of ``weights`` (kh, kw) into passes over padded rows.

    Returns ``(kind, q, g, offs, wts, split)``: entries ``[0, split)`` make a pair of output rows,
    entries ``[split, E)`` a single row. Entry ``e`` applies ``g[e]`` taps, at lane offsets
    ``offs[e, :g]`` (``kx * cn``) of padded row ``q[e]`` (relative to the first output row), with weights
    ``wts[e, 0, :g]`` for the first accumulator and ``wts[e, 1, :g]`` for the second. Each accumulator
    sees its taps in row-major order, as OpenCV applies them.

    Examples
    --------
    >>> kind, q, g, offs, wts, split = tap_schedule(np.array([[1.0, 2.0], [0.0, 3.0]]), 1)
    >>> kind.tolist(), q.tolist(), g.tolist(), split
    ([1, 2, 0, 2, 1, 1], [0, 1, 1, 2, 0, 1], [2, 1, 1, 1, 2, 1], 4)
    """
    kh, kw = weights.shape
    live = weights != 0
    if not live.any():  # an all-zero kernel: OpenCV keeps one zero tap, so the result is delta
        live[0, 0] = True
    entries = []  # (kind, q, [(kx, w0, w1), ...])

    def emit(kind, q, run):  # groups of 8, then of at most 4 (the kernels of .taps)
        i = 0
        while i < len(run):
            size = _GROUP if len(run) - i >= _GROUP else 4
            entries.append((kind, q, run[i : i + size]))
            i += size

    for q in range(kh + 1):  # pairs: padded row q serves kernel rows q (acc0) and q - 1 (acc1)
        run, run_kind = [], None
        for kx in range(kw):
            l0 = q < kh and live[q, kx]
            l1 = q > 0 and live[q - 1, kx]
            if not (l0 or l1):
                continue
            kind = _PAIR if l0 and l1 else _FIRST if l0 else _SECOND
            if kind != run_kind and run:
                emit(run_kind, q, run)
                run = []
            run_kind = kind
            run.append((kx, weights[q, kx] if l0 else 0, weights[q - 1, kx] if l1 else 0))
        if run:
            emit(run_kind, q, run)
    split = len(entries)
    for q in range(kh):  # a single row
        emit(_FIRST, q, [(kx, weights[q, kx], 0) for kx in range(kw) if live[q, kx]])

    n = len(entries)
    kind = np.array([e[0] for e in entries], np.int64)
    q = np.array([e[1] for e in entries], np.int64)
    g = np.array([len(e[2]) for e in entries], np.int64)
    offs = np.zeros((n, _GROUP), np.int64)
    wts = np.zeros((n, 2, _GROUP), weights.dtype)
    for e, (_, _, taps) in enumerate(entries):
        for t, (kx, w0, w1) in enumerate(taps):
            offs[e, t] = kx * cn
            wts[e, 0, t] = w0
            wts[e, 1, t] = w1
    return kind, q, g, offs, wts, split


@kernel
def _run_entry(op, kind, row, a0, a1, n, g, o, w):
    """Apply one schedule entry (a group of taps on one padded row) with the op's combine step."""
    if op == OP_CORRELATE:
        if kind == _PAIR and g == 8:
            pair8(a0, a1, row, n, o, w[0], w[1])
        elif kind == _PAIR:
            pair(a0, a1, row, n, g, o, w[0], w[1])
        else:
            a, r = (a0, 0) if kind == _FIRST else (a1, 1)
            if g == 8:
                single8(a, row, n, o, w[r])
            else:
                single(a, row, n, g, o, w[r])


@kernel
def _border_column(row, sx, j, cn, cval, out):
    """Padded column ``j`` of ``out`` is source column ``sx`` of ``row``, or ``cval`` where ``sx < 0``."""
    for c in range(cn):
        out[j * cn + c] = cval[c] if sx < 0 else row[sx * cn + c]


@kernel
def _fill(src, sy, xtab, ax, cn, cval, out):
    """Padded row: source row ``sy`` converted and border-extended into ``out`` (all ``cval`` if ``sy < 0``).

    ``out[j * cn + c] = src[sy, xtab[j] * cn + c]`` (``cval[c]`` where ``xtab[j] < 0``), as
    :func:`purecv._kernels.rows.pad_row`, with the interior copied through a view so that it vectorises.
    """
    padded = out.shape[0] // cn
    if sy < 0:
        for j in range(padded):
            for c in range(cn):
                out[j * cn + c] = cval[c]
        return
    row = src[sy]
    lanes = row.shape[0]
    width = lanes // cn
    inner = out[ax * cn :]
    for i in range(lanes):  # out[ax * cn + i] = row[i]
        inner[i] = row[i]
    for j in range(ax):  # the border columns: left, then right
        _border_column(row, xtab[j], j, cn, cval, out)
    for j in range(ax + width, padded):
        _border_column(row, xtab[j], j, cn, cval, out)


@kernel
def _strip(src, dst, y0, y1, tables, shape, cval, op, init, taps, limits, ring, acc):
    """Output rows ``[y0, y1)``, two at a time, from a ring of padded rows (see :func:`tap_schedule`)."""
    ytab, xtab = tables
    ax, cn, kh = shape
    kind, qs, gs, offs, wts, split = taps
    to_int, lo, hi, exact = limits
    lanes = dst.shape[1]
    ring_n = ring.shape[0]
    filled = y0  # padded rows [y0, filled) have been through the ring
    y = y0
    while y < y1:
        nb = 2 if y1 - y >= 2 else 1
        while filled < y + kh - 1 + nb:
            _fill(src, ytab[filled], xtab, ax, cn, cval, ring[filled % ring_n])
            filled += 1
        e0, e1 = (0, split) if nb == 2 else (split, kind.shape[0])
        for c0 in range(0, lanes, CHUNK):  # a chunk of lanes at a time keeps the accumulators in cache
            n = min(CHUNK, lanes - c0)
            a0, a1 = acc[0, :n], acc[1, :n]
            a0[:] = init
            a1[:] = init
            for e in range(e0, e1):
                row = ring[(y + qs[e]) % ring_n, c0:]
                _run_entry(op, kind[e], row, a0, a1, n, gs[e], offs[e], wts[e])
            for r in range(nb):
                if exact:
                    clamp_row(acc[r], dst[y + r, c0 : c0 + n], lo, hi)
                else:
                    saturate_row(acc[r], dst[y + r, c0 : c0 + n], to_int, lo, hi)
        y += nb


@kernel
def _run_strip(s, n_strips, src, dst, tables, shape, padded, cval, op, init, taps, limits):
    """Strip ``s`` of ``n_strips``, with its own ring and accumulators."""
    y0, y1 = strip_range(dst.shape[0], n_strips, s)
    ring = np.empty((shape[2] + 1, padded), cval.dtype)
    acc = np.empty((2, CHUNK + 32), cval.dtype)  # rows not 2**k bytes apart: no cache-set conflicts
    _strip(src, dst, y0, y1, tables, shape, cval, op, init, taps, limits, ring, acc)


@parallel_kernel
def _strips(src, dst, tables, shape, padded, cval, op, init, taps, limits, n_strips):
    """:func:`_run_strip` for every strip, on the thread pool."""
    # (no argument may be called ``sched``: Numba's parallel lowering has a variable of that name)
    for s in prange(n_strips):
        _run_strip(s, n_strips, src, dst, tables, shape, padded, cval, op, init, taps, limits)


def neighbourhood(src, dst, cn, ksize, anchor, border, cval, op, init, sched) -> None:
    """Run op ``op`` over (H, W*C) rows ``src`` into ``dst`` (C-contiguous, distinct memory).

    ``ksize = (kh, kw)``, ``anchor = (ay, ax)``; ``border`` without ``BORDER_ISOLATED``; ``cval``: the
    constant-border value per channel, in the work dtype (which it also sets: ring and accumulators);
    ``init``: the accumulators' start value (``delta`` for correlation); ``sched``: :func:`tap_schedule`.
    Small jobs (under :data:`PARALLEL_MIN_WORK` lane-taps) run on the calling thread: waking the pool
    costs more than it saves, and on a busy machine a woken thread can wait a whole scheduler tick.
    """
    kh, kw = ksize
    ay, ax = anchor
    height, lanes = dst.shape
    width = lanes // cn
    tables = (
        border_table(src.shape[0], ay, kh - 1 - ay, border),
        border_table(width, ax, kw - 1 - ax, border),
    )
    to_int = dst.dtype.kind in "iu"
    info = np.iinfo(dst.dtype) if to_int else None
    work = cval.dtype.type
    exact = cval.dtype.kind in "iu"  # integer accumulators (integer outputs only): clamp, no rounding
    if exact:
        wi = np.iinfo(cval.dtype)
        lo, hi = work(max(info.min, wi.min)), work(min(info.max, wi.max))
    else:
        lo, hi = work(info.min if to_int else -np.inf), work(info.max if to_int else np.inf)
    limits = (to_int, lo, hi, exact)
    padded = (width + kw - 1) * cn
    args = (src, dst, tables, (ax, cn, kh), padded, cval, op, work(init), sched, limits)
    n_strips = plan_strips(height, lanes, kh)  # applies purecv.setNumThreads first
    if n_strips == 1 or height * lanes * int(sched[2].sum()) < PARALLEL_MIN_WORK:
        _run_strip(0, 1, *args)
    else:
        _strips(*args, n_strips)
