"""Lane kernels of the correlation op: groups of taps as fused multiply-adds over a row of lanes.

Each applies ``g`` taps (lane offsets ``o``, weights ``w``) of one padded row to one accumulator row
(``single``) or to the two accumulators of a pair of output rows with one load per lane (``pair``)::

    a[x] = fma(row[x + o[t]], wa[t], a[x])        # for t in range(g), in order
    b[x] = fma(row[x + o[t]], wb[t], b[x])        # pair only

``g`` is 1 to 4, or 8 (``pair8``/``single8``): one pass loads and stores each accumulator once per group.
"""

from __future__ import annotations

from .._jit import kernel
from .fma import fma

__all__ = ["pair", "pair8", "single", "single8"]


@kernel
def pair8(a, b, row, n, o, wa, wb):
    """:func:`pair` for 8 taps: one pass loads each accumulator once per 16 multiply-adds."""
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
def pair(a, b, row, n, g, o, wa, wb):
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
def single8(a, row, n, o, w):
    """:func:`single` for 8 taps."""
    r0, r1, r2, r3 = row[o[0] :], row[o[1] :], row[o[2] :], row[o[3] :]
    r4, r5, r6, r7 = row[o[4] :], row[o[5] :], row[o[6] :], row[o[7] :]
    w0, w1, w2, w3, w4, w5, w6, w7 = w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]
    for x in range(n):
        s = fma(r3[x], w3, fma(r2[x], w2, fma(r1[x], w1, fma(r0[x], w0, a[x]))))
        a[x] = fma(r7[x], w7, fma(r6[x], w6, fma(r5[x], w5, fma(r4[x], w4, s))))


@kernel
def single(a, row, n, g, o, w):
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
