"""The stack blur's row pass: tent sums of radius ``r`` along each row, as cv2 5.0.0 adds them.

The plain formula, per lane ``x`` of a row with ``C`` channels::

    S(x) = sum((r + 1 - abs(j)) * row[border(x + j * C)] for j in range(-r, r + 1))

Small radii (``ksize <= 9``) add the taps directly, in cv2's order and with its saturating 16-bit pair
adds (``_tent_direct``, ``_tent_small``); larger ones keep cv2's running sums, a rising and a falling
sum per channel (``_tent_running``, ``_chains``). The driver and its rounding rules are in
:mod:`purecv._kernels.stackblur`.
"""

from __future__ import annotations

import numpy as np

from .._jit import kernel

__all__ = ["KIND_F32", "KIND_S16", "KIND_U8", "KIND_U16", "tent_running", "tent_small"]

KIND_U8, KIND_U16, KIND_S16, KIND_F32 = 0, 1, 2, 3  # the source kinds the kernels specialise on


@kernel
def _pair(a, b, lo, hi):
    """``a + b``, saturated to ``[lo, hi]`` (cv2's 16-bit SIMD adds)."""
    return min(max(np.int64(a) + b, lo), hi)


@kernel
def _tent_direct(src, acc, cn, r, sat, lo, hi):
    """Integer tent sums ``acc[i]`` centred on ``src[r*cn + i]``, for kernels of <= 9 taps (r <= 4).

    ``acc[i] = (r + 1) * x[i] + sum((r + 1 - k) * (x[i - k*cn] + x[i + k*cn]) for k in 1..r)``, in one
    pass over the lanes. With ``sat`` each pair saturates to ``[lo, hi]`` first (5 taps and more).
    One loop per radius, weights as literals: the arithmetic then narrows to the accumulator's type
    (int16 lanes for uint8), which runtime weights prevent (measured 2.4x slower).
    """
    n = acc.shape[0]
    c, l1, r1 = src[r * cn :], src[(r - 1) * cn :], src[(r + 1) * cn :]
    if r == 1:
        for i in range(n):
            acc[i] = 2 * c[i] + (l1[i] + r1[i])
        return
    l2, r2 = src[(r - 2) * cn :], src[(r + 2) * cn :]
    if r == 2 and sat:
        for i in range(n):
            acc[i] = 3 * c[i] + 2 * _pair(l1[i], r1[i], lo, hi) + _pair(l2[i], r2[i], lo, hi)
    elif r == 2:
        for i in range(n):
            acc[i] = 3 * c[i] + 2 * (l1[i] + r1[i]) + (l2[i] + r2[i])
    if r == 2:
        return
    l3, r3 = src[(r - 3) * cn :], src[(r + 3) * cn :]
    if r == 3 and sat:
        for i in range(n):
            acc[i] = (
                4 * c[i]
                + 3 * _pair(l1[i], r1[i], lo, hi)
                + 2 * _pair(l2[i], r2[i], lo, hi)
                + _pair(l3[i], r3[i], lo, hi)
            )
    elif r == 3:
        for i in range(n):
            acc[i] = 4 * c[i] + 3 * (l1[i] + r1[i]) + 2 * (l2[i] + r2[i]) + (l3[i] + r3[i])
    if r == 3:
        return
    l4, r4 = src, src[8 * cn :]
    if sat:
        for i in range(n):
            acc[i] = (
                5 * c[i]
                + 4 * _pair(l1[i], r1[i], lo, hi)
                + 3 * _pair(l2[i], r2[i], lo, hi)
                + 2 * _pair(l3[i], r3[i], lo, hi)
                + _pair(l4[i], r4[i], lo, hi)
            )
    else:
        for i in range(n):
            acc[i] = (
                5 * c[i] + 4 * (l1[i] + r1[i]) + 3 * (l2[i] + r2[i]) + 2 * (l3[i] + r3[i]) + (l4[i] + r4[i])
            )


@kernel
def _tent_direct_f32(src, acc, out, m, cn, r, order):
    """float32 tent sums centred on ``src[r*cn + i]``, added in one of cv2's orders, ``out[i] = sum * m``.

    ``order`` 0, cv2's border loops: left to right, ``x[-r]*1 + x[-r+1]*2 + ... + x[r]*1``;
    1, its 3-tap SIMD: ``((x + x) + x[-1]) + x[1]``; 2, its body: ``x*(r+1) + sum((x[k] + x[-k]) * (r+1-k))``.
    ``acc`` holds the partial sums; the last tap's pass writes ``out``.
    """
    n = out.shape[0]
    centre = src[r * cn :]
    if order == 1:
        left, right = src, src[2 * cn :]
        for i in range(n):
            out[i] = (((centre[i] + centre[i]) + left[i]) + right[i]) * m
        return
    if order == 0:  # one tap at a time, left to right
        for i in range(n):
            acc[i] = src[i]
        for k in range(1, 2 * r + 1):
            w, tap = np.float32(r + 1 - abs(k - r)), src[k * cn :]
            for i in range(n):
                acc[i] += tap[i] * w
    else:  # the centre, then mirrored pairs
        for i in range(n):
            acc[i] = centre[i] * np.float32(r + 1)
        for k in range(1, r + 1):
            w, right, left = np.float32(r + 1 - k), src[(r + k) * cn :], src[(r - k) * cn :]
            for i in range(n):
                acc[i] += (right[i] + left[i]) * w
    for i in range(n):
        out[i] = acc[i] * m


@kernel
def tent_small(x, out, acc, edge, xtab, cn, r, a1, sat, edge_order, rnd):
    """Tent sums of row ``x`` for kernels of <= 9 taps: the interior straight from ``x``, the ``r`` edge
    pixels each side from ``edge``, filled through ``xtab`` (padded index of pixel ``j`` at ``j + r``).

    Integer sums go to ``acc`` (16-bit pairs saturate in ``[r*cn, a1)`` with ``sat``); float32 lanes
    are summed in cv2's order for their region (``edge_order`` at the edges, cv2's SIMD order in
    ``[r*cn, a1)``, its scalar body order up to ``(W - r)*cn``) and written scaled to ``out``.
    """
    lanes = x.shape[0]
    width = lanes // cn
    e0, e1 = r * cn, lanes - r * cn  # interior lanes
    m, lo, hi, kind = rnd[2], rnd[3], rnd[4], rnd[5]
    for side in range(2):
        first = 0 if side == 0 else width - r  # edge buffer: pixels [first - r, first + 2r)
        for j in range(3 * r):
            sx = xtab[first + j] * cn
            for c in range(cn):
                edge[j * cn + c] = x[sx + c]
        l0, l1 = (0, e0) if side == 0 else (e1, lanes)
        if kind == KIND_F32:
            _tent_direct_f32(edge, acc[l0:l1], out[l0:l1], m, cn, r, edge_order)
        else:
            _tent_direct(edge, acc[l0:l1], cn, r, False, lo, hi)
    if kind == KIND_F32:
        _tent_direct_f32(x, acc[e0:a1], out[e0:a1], m, cn, r, 1 if r == 1 else 2)
        _tent_direct_f32(x[a1 - e0 :], acc[a1:e1], out[a1:e1], m, cn, r, 2)
    elif sat:
        _tent_direct(x, acc[e0:a1], cn, r, True, lo, hi)
        _tent_direct(x[a1 - e0 :], acc[a1:e1], cn, r, False, lo, hi)
    else:
        _tent_direct(x, acc[e0:e1], cn, r, False, lo, hi)


@kernel
def tent_running(x, diff, e, acc, init, cn, r, atab, btab, itab, iw):
    """Tent sums of row ``x`` by cv2's running sums (its row pass for kernels larger than 9).

    ``diff[m] = x[atab[m]] - x[btab[m]]`` (pixel ``m``, every channel), ``e[i] = diff[i + r + 1] - diff[i]``;
    then ``S(0) = sum(x[itab[k]] * iw[k])``, ``D(0) = diff[0] + ... + diff[r]`` and, per channel,
    ``S(i + 1) = S(i) + D(i)``, ``D(i + 1) = D(i) + e[i]``, in cv2's order (float32 sums match it exactly).
    """
    lanes = x.shape[0]
    width = lanes // cn
    # Interior: e[i] = (x[i + r + 2] - x[i + 1]) - (x[i + 1] - x[i - r]), one vector loop; near the
    # edges, where the tables (and cv2's tail) decide, through diff.
    i0, i1 = r, max(r, width - r - 2)
    head = min(2 * r + 2, atab.shape[0])
    for part in range(2):
        for m in range(0, head) if part == 0 else range(max(head, width - r - 3), atab.shape[0]):
            a, b = atab[m] * cn, btab[m] * cn
            for c in range(cn):
                diff[m * cn + c] = x[a + c] - x[b + c]
    far, near, back = x[(i0 + r + 2) * cn :], x[(i0 + 1) * cn :], x[(i0 - r) * cn :]
    mid = e[i0 * cn : i1 * cn]
    for k in range(mid.shape[0]):
        mid[k] = (far[k] - near[k]) - (near[k] - back[k])
    later = diff[(r + 1) * cn :]
    for k in range(i0 * cn):
        e[k] = later[k] - diff[k]
    for k in range(i1 * cn, lanes):
        e[k] = later[k] - diff[k]
    for c in range(cn):
        s = x[itab[0] * cn + c] * iw[0]
        for k in range(1, itab.shape[0]):
            s += x[itab[k] * cn + c] * iw[k]
        init[0, c] = s
        dv = diff[c]
        for m in range(1, r + 1):
            dv += diff[m * cn + c]
        init[1, c] = dv
    acc2, e2 = acc.reshape(width, cn), e.reshape(width, cn)
    if cn <= 4:
        _chains(acc2, e2, init, cn)
    else:  # strided views: slower, but literal columns in the common case are worth 2.5x (measured)
        for c in range(0, cn, 4):
            _chains(acc2[:, c:], e2[:, c:], init[:, c:], min(4, cn - c))


@kernel
def _chains(acc2, e2, init, g):
    """The sequential part of the row pass for channels ``0 .. g - 1`` (``g <= 4``), side by side.

    Per channel ``ch``, with ``S, D`` starting at ``init[0, ch], init[1, ch]``::

        acc2[i, ch] = S;  S += D;  D += e2[i, ch]
    """
    s0, s1, s2, s3 = init[0, 0], init[0, min(1, g - 1)], init[0, min(2, g - 1)], init[0, g - 1]
    d0, d1, d2, d3 = init[1, 0], init[1, min(1, g - 1)], init[1, min(2, g - 1)], init[1, g - 1]
    if g == 4:
        for i in range(acc2.shape[0]):
            acc2[i, 0], acc2[i, 1], acc2[i, 2], acc2[i, 3] = s0, s1, s2, s3
            s0, s1, s2, s3 = s0 + d0, s1 + d1, s2 + d2, s3 + d3
            d0, d1, d2, d3 = d0 + e2[i, 0], d1 + e2[i, 1], d2 + e2[i, 2], d3 + e2[i, 3]
    elif g == 3:
        for i in range(acc2.shape[0]):
            acc2[i, 0], acc2[i, 1], acc2[i, 2] = s0, s1, s2
            s0, s1, s2 = s0 + d0, s1 + d1, s2 + d2
            d0, d1, d2 = d0 + e2[i, 0], d1 + e2[i, 1], d2 + e2[i, 2]
    elif g == 2:
        for i in range(acc2.shape[0]):
            acc2[i, 0], acc2[i, 1] = s0, s1
            s0, s1 = s0 + d0, s1 + d1
            d0, d1 = d0 + e2[i, 0], d1 + e2[i, 1]
    else:
        for i in range(acc2.shape[0]):
            acc2[i, 0] = s0
            s0 += d0
            d0 += e2[i, 0]
