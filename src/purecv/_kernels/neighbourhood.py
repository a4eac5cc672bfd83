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
   (measured about 1.8x the throughput of one row at a time). Each entry holds up to 4 taps, applied in one
   pass over the ``W * C`` lanes (the tap loop outside the lane loop, so it vectorises);
3. a finish step per row: round half to even and saturate for integer outputs (OpenCV's ``saturate_cast``,
   including the ``INT_MIN`` that x86 gives for NaN or values outside int32), a cast for float outputs.

Plugging in another op (morphology's max/min, ...): give it an ``OP_*`` code and a branch in
:func:`_run_entry`, reusing the same schedule (its offsets; weights ignored) and its own ``init`` value.
"""

from __future__ import annotations

import numpy as np
from numba import prange

from .._border import border_table
from .._jit import kernel, parallel_kernel
from .fma import fma
from .rows import plan_strips, strip_range

__all__ = ["OP_CORRELATE", "neighbourhood", "tap_schedule"]

OP_CORRELATE = 0  # acc = fma(x, w, acc) per tap: filter2D (OpenCV's v_muladd, fused under FMA dispatch)

# Schedule entry kinds: which of the two accumulators of a row pair a group of taps updates.
_PAIR = 0  # both, from one shared load: acc0 with kernel row q, acc1 with kernel row q - 1
_FIRST = 1  # acc0 only
_SECOND = 2  # acc1 only
_GROUP = 8  # taps per entry at most: groups of 8, then of at most 4 (one pass per row of an 8-wide kernel)
CHUNK = 16384  # lanes per pass (4K RGBA rows in one pass; wider rows in chunks that stay in L2)


def tap_schedule(weights: np.ndarray, cn: int):
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

    def emit(kind, q, run):  # groups of 8 (pairs only), then of at most 4
        i = 0
        while i < len(run):
            size = 8 if len(run) - i >= 8 else 4
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
def _pair8(a, b, row, n, o, wa, wb):
    """:func:`_pair` for 8 taps: one pass loads each accumulator once per 16 multiply-adds."""
    r0, r1, r2, r3 = row[o[0] :], row[o[1] :], row[o[2] :], row[o[3] :]
    r4, r5, r6, r7 = row[o[4] :], row[o[5] :], row[o[6] :], row[o[7] :]
    a0, a1, a2, a3, a4, a5, a6, a7 = wa[0], wa[1], wa[2], wa[3], wa[4], wa[5], wa[6], wa[7]
    b0, b1, b2, b3, b4, b5, b6, b7 = wb[0], wb[1], wb[2], wb[3], wb[4], wb[5], wb[6], wb[7]
    for x in range(n):
        v0, v1, v2, v3, v4, v5, v6, v7 = r0[x], r1[x], r2[x], r3[x], r4[x], r5[x], r6[x], r7[x]
        s = fma(v3, a3, fma(v2, a2, fma(v1, a1, fma(v0, a0, a[x]))))
        a[x] = fma(v7, a7, fma(v6, a6, fma(v5, a5, fma(v4, a4, s))))
        t = fma(v3, b3, fma(v2, b2, fma(v1, b1, fma(v0, b0, b[x]))))
        b[x] = fma(v7, b7, fma(v6, b6, fma(v5, b5, fma(v4, b4, t))))


@kernel
def _pair(a, b, row, n, g, o, wa, wb):
    """``a[x] = fma(row[x + o[t]], wa[t], a[x])`` and the same into ``b`` with ``wb``, for taps t < g."""
    # Views with the bare loop counter as index: Numba checks indices that might be negative (a[x + o]),
    # which blocks SIMD. Weights are read into scalars first so LLVM keeps them in registers.
    r0 = row[o[0] :]
    a0, b0 = wa[0], wb[0]
    if g == 1:
        for x in range(n):
            v = r0[x]
            a[x] = fma(v, a0, a[x])
            b[x] = fma(v, b0, b[x])
        return
    r1 = row[o[1] :]
    a1, b1 = wa[1], wb[1]
    if g == 2:
        for x in range(n):
            v0, v1 = r0[x], r1[x]
            a[x] = fma(v1, a1, fma(v0, a0, a[x]))
            b[x] = fma(v1, b1, fma(v0, b0, b[x]))
        return
    r2 = row[o[2] :]
    a2, b2 = wa[2], wb[2]
    if g == 3:
        for x in range(n):
            v0, v1, v2 = r0[x], r1[x], r2[x]
            a[x] = fma(v2, a2, fma(v1, a1, fma(v0, a0, a[x])))
            b[x] = fma(v2, b2, fma(v1, b1, fma(v0, b0, b[x])))
        return
    r3 = row[o[3] :]
    a3, b3 = wa[3], wb[3]
    for x in range(n):
        v0, v1, v2, v3 = r0[x], r1[x], r2[x], r3[x]
        a[x] = fma(v3, a3, fma(v2, a2, fma(v1, a1, fma(v0, a0, a[x]))))
        b[x] = fma(v3, b3, fma(v2, b2, fma(v1, b1, fma(v0, b0, b[x]))))


@kernel
def _single8(a, row, n, o, w):
    """:func:`_single` for 8 taps."""
    r0, r1, r2, r3 = row[o[0] :], row[o[1] :], row[o[2] :], row[o[3] :]
    r4, r5, r6, r7 = row[o[4] :], row[o[5] :], row[o[6] :], row[o[7] :]
    w0, w1, w2, w3, w4, w5, w6, w7 = w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]
    for x in range(n):
        s = fma(r3[x], w3, fma(r2[x], w2, fma(r1[x], w1, fma(r0[x], w0, a[x]))))
        a[x] = fma(r7[x], w7, fma(r6[x], w6, fma(r5[x], w5, fma(r4[x], w4, s))))


@kernel
def _single(a, row, n, g, o, w):
    """``a[x] = fma(row[x + o[t]], w[t], a[x])`` for taps t < g, in order."""
    r0 = row[o[0] :]
    w0 = w[0]
    if g == 1:
        for x in range(n):
            a[x] = fma(r0[x], w0, a[x])
        return
    r1 = row[o[1] :]
    w1 = w[1]
    if g == 2:
        for x in range(n):
            a[x] = fma(r1[x], w1, fma(r0[x], w0, a[x]))
        return
    r2 = row[o[2] :]
    w2 = w[2]
    if g == 3:
        for x in range(n):
            a[x] = fma(r2[x], w2, fma(r1[x], w1, fma(r0[x], w0, a[x])))
        return
    r3 = row[o[3] :]
    w3 = w[3]
    for x in range(n):
        a[x] = fma(r3[x], w3, fma(r2[x], w2, fma(r1[x], w1, fma(r0[x], w0, a[x]))))


@kernel
def _run_entry(op, kind, row, acc, n, g, o, w):
    """Apply one schedule entry (a group of taps on one padded row) with the op's combine step."""
    if op == OP_CORRELATE:
        if kind == _PAIR and g == 8:
            _pair8(acc[0], acc[1], row, n, o, w[0], w[1])
        elif kind == _PAIR:
            _pair(acc[0], acc[1], row, n, g, o, w[0], w[1])
        else:
            r = 0 if kind == _FIRST else 1
            if g == 8:
                _single8(acc[r], row, n, o, w[r])
            else:
                _single(acc[r], row, n, g, o, w[r])


@kernel
def _finish(acc, out, to_int, lo, hi):
    """``out = saturate_cast(acc)``: round half to even and clamp to ``[lo, hi]``, or cast for floats."""
    n = out.shape[0]
    if to_int:
        big = acc.dtype.type(2147483648.0)
        for i in range(n):
            v = acc[i]
            # cvRound on x86 (cvtss2si): NaN and values outside int32 become INT_MIN, then saturate.
            r = np.rint(v) if v >= -big and v < big else -big
            out[i] = min(max(r, lo), hi)
    else:
        for i in range(n):
            out[i] = acc[i]


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
    for j in range(padded):
        if j >= ax and j < ax + width:
            continue
        sx = xtab[j]
        for c in range(cn):
            out[j * cn + c] = cval[c] if sx < 0 else row[sx * cn + c]


@kernel
def _strip(
    src,
    dst,
    y0,
    y1,
    ytab,
    xtab,
    ax,
    cn,
    kh,
    cval,
    op,
    init,
    kind,
    qs,
    gs,
    offs,
    wts,
    split,
    to_int,
    lo,
    hi,
    ring,
    acc,
):
    """Output rows ``[y0, y1)``, two at a time, from a ring of padded rows (see :func:`tap_schedule`)."""
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
        for c0 in range(0, lanes, CHUNK):  # a chunk of lanes at a time keeps the accumulators in L1
            n = min(CHUNK, lanes - c0)
            for r in range(nb):
                acc[r, :n] = init
            for e in range(e0, e1):
                row = ring[(y + qs[e]) % ring_n, c0:]
                _run_entry(op, kind[e], row, acc, n, gs[e], offs[e], wts[e])
            for r in range(nb):
                _finish(acc[r], dst[y + r, c0 : c0 + n], to_int, lo, hi)
        y += nb


@parallel_kernel
def _strips(
    src,
    dst,
    ytab,
    xtab,
    ax,
    cn,
    kh,
    cval,
    op,
    init,
    kind,
    qs,
    gs,
    offs,
    wts,
    split,
    to_int,
    lo,
    hi,
    padded,
    n_strips,
):
    """:func:`_strip` over ``n_strips`` strips of rows on the thread pool, each with its own buffers."""
    height = dst.shape[0]
    for s in prange(n_strips):
        y0, y1 = strip_range(height, n_strips, s)
        ring = np.empty((kh + 1, padded), cval.dtype)
        acc = np.empty((2, CHUNK), cval.dtype)
        _strip(
            src,
            dst,
            y0,
            y1,
            ytab,
            xtab,
            ax,
            cn,
            kh,
            cval,
            op,
            init,
            kind,
            qs,
            gs,
            offs,
            wts,
            split,
            to_int,
            lo,
            hi,
            ring,
            acc,
        )


def neighbourhood(src, dst, cn, ksize, anchor, border, cval, op, init, sched) -> None:
    """Run op ``op`` over (H, W*C) rows ``src`` into ``dst`` (C-contiguous, distinct memory).

    ``ksize = (kh, kw)``, ``anchor = (ay, ax)``; ``border`` without ``BORDER_ISOLATED``; ``cval``: the
    constant-border value per channel, in the work dtype (which it also sets: ring and accumulators);
    ``init``: the accumulators' start value (``delta`` for correlation); ``sched``: :func:`tap_schedule`.
    """
    kh, kw = ksize
    ay, ax = anchor
    height, lanes = dst.shape
    width = lanes // cn
    ytab = border_table(src.shape[0], ay, kh - 1 - ay, border)
    xtab = border_table(width, ax, kw - 1 - ax, border)
    to_int = dst.dtype.kind in "iu"
    info = np.iinfo(dst.dtype) if to_int else None
    lo, hi = (float(info.min), float(info.max)) if to_int else (-np.inf, np.inf)
    n_strips = plan_strips(height, lanes, kh)  # applies purecv.setNumThreads first
    padded = (width + kw - 1) * cn
    work = cval.dtype.type
    _strips(
        src,
        dst,
        ytab,
        xtab,
        ax,
        cn,
        kh,
        cval,
        op,
        work(init),
        *sched,
        to_int,
        work(lo),
        work(hi),
        padded,
        n_strips,
    )
