"""The row and column passes of the separable driver (:mod:`purecv._kernels.separable`).

Every pass keeps the tap loop outside the lane loop, so each inner loop is one vectorisable sweep over
contiguous lanes. Views such as ``p[o:o + n]`` are indexed by the bare loop counter: Numba checks indices
that might be negative (``p[i + o]``), which blocks SIMD.

Exact passes (integer taps, integer rings) may fold symmetric kernels, since integer sums do not depend on
their order. Float passes apply OpenCV's exact operation order (``v_muladd`` is a fused multiply-add under
its FMA dispatch), so float32 sums match cv2's to the last bit. The plain formulas:

- row, sequential:   ``out[i] = sum_j k[j] * p[i + j*cn]``, left to right (``fma`` chain from ``p*k[0]``)
- column, sequential: ``acc = fma(k[0], R_0, delta)``, then ``acc = fma(k[t], R_t, acc)``
- column, symmetric:  ``acc = fma(k[c], R_c, delta)``, then ``acc = fma(k[c+j], R_{c+j} + R_{c-j}, acc)``
- column, antisymmetric: ``acc = delta``, then ``acc = fma(k[c+j], R_{c+j} - R_{c-j}, acc)``
"""

from __future__ import annotations

from .._jit import kernel
from .fma import fma

__all__ = [
    "MODE_ASYM",
    "MODE_SEQ",
    "MODE_SMALL",
    "MODE_SMALL_ASYM",
    "MODE_SYM",
    "col_float",
    "col_int",
    "col_shift3",
    "round_shift",
    "row_float",
    "row_int",
]

MODE_SEQ = 0  # every tap in order
MODE_SYM = 1  # k[c - j] == k[c + j]: fold the pair, one multiply
MODE_ASYM = 2  # k[c - j] == -k[c + j], k[c] == 0
MODE_SMALL = 3  # float32 3- or 5-tap symmetric: OpenCV's SymmRowSmall / SymmColumnSmall order
MODE_SMALL_ASYM = 4  # the same for antisymmetric taps


@kernel
def row_int(p, k, mode, cn, out):
    """Exact integer row pass: ``out[i] = sum_j k[j] * p[i + j*cn]`` (``out``'s dtype holds the result)."""
    n = out.shape[0]
    taps = k.shape[0]
    if mode == MODE_SEQ or taps == 1:
        p0 = p[:n]
        k0 = k[0]
        for i in range(n):
            out[i] = k0 * p0[i]
        for j in range(1, taps):
            pj = p[j * cn : j * cn + n]
            kj = k[j]
            for i in range(n):
                out[i] += kj * pj[i]
        return
    c = taps // 2
    pc = p[c * cn : c * cn + n]
    kc = k[c]
    for j in range(1, c + 1):
        pa = p[(c - j) * cn : (c - j) * cn + n]
        pb = p[(c + j) * cn : (c + j) * cn + n]
        kj = k[c + j]
        if mode == MODE_SYM:
            if j == 1:  # the centre tap fused into the first pair
                for i in range(n):
                    out[i] = kc * pc[i] + kj * (pa[i] + pb[i])
            else:
                for i in range(n):
                    out[i] += kj * (pa[i] + pb[i])
        elif j == 1:
            for i in range(n):
                out[i] = kj * (pb[i] - pa[i])
        else:
            for i in range(n):
                out[i] += kj * (pb[i] - pa[i])


@kernel
def col_int(ring, slots, k, mode, b0, b1, acc):
    """Exact integer column pass over lanes ``[b0, b1)``: ``acc = sum_t k[t] * ring[slots[t]]``."""
    n = b1 - b0
    taps = k.shape[0]
    if mode == MODE_SEQ or taps == 1:
        r0 = ring[slots[0]][b0:b1]
        k0 = k[0]
        for i in range(n):
            acc[i] = k0 * r0[i]
        for t in range(1, taps):
            rt = ring[slots[t]][b0:b1]
            kt = k[t]
            for i in range(n):
                acc[i] += kt * rt[i]
        return
    c = taps // 2
    rc = ring[slots[c]][b0:b1]
    kc = k[c]
    for j in range(1, c + 1):
        ra = ring[slots[c - j]][b0:b1]
        rb = ring[slots[c + j]][b0:b1]
        kj = k[c + j]
        if mode == MODE_SYM:
            if j == 1:
                for i in range(n):
                    acc[i] = kc * rc[i] + kj * (ra[i] + rb[i])
            else:
                for i in range(n):
                    acc[i] += kj * (ra[i] + rb[i])
        elif j == 1:
            for i in range(n):
                acc[i] = kj * (rb[i] - ra[i])
        else:
            for i in range(n):
                acc[i] += kj * (rb[i] - ra[i])


@kernel
def round_shift(a, s):
    """``(a + 2**(s-1)) >> s`` as ``(a >> s) + ((a >> (s-1)) & 1)``, which cannot carry out of ``a``'s width.

    LLVM keeps narrow lanes only for literal shift counts. Each branch becomes its own vectorised loop
    when LLVM unswitches the loop around this function, which it does for up to three branches, so the
    counts are split over this function and :func:`_round_shift_b`.
    """
    if s == 4:  # GaussianBlur 8U 3x3
        return (a >> 4) + ((a >> 3) & 1)
    if s == 8:  # 8U 5x5
        return (a >> 8) + ((a >> 7) & 1)
    if s == 16:  # 8U, most kernels
        return (a >> 16) + ((a >> 15) & 1)
    return (a >> s) + ((a >> (s - 1)) & 1)


@kernel
def _round_shift_b(a, s):
    """:func:`round_shift` for the other counts."""
    if s == 12:  # 8U 7x7
        return (a >> 12) + ((a >> 11) & 1)
    if s == 32:  # 16U
        return (a >> 32) + ((a >> 31) & 1)
    return (a >> s) + ((a >> (s - 1)) & 1)


@kernel
def _last_pair(base, kc, ra, rb, kj, s, like, out):
    """``out = round_shift(kc * base + kj * (ra + rb), s)``: the column's last taps and the finish, each sum
    truncated to ``like``'s dtype (which holds it)."""
    n = out.shape[0]
    narrow = like.dtype.type
    if s == 4 or s == 8 or s == 16:
        for i in range(n):
            out[i] = round_shift(narrow(kc * base[i] + kj * (ra[i] + rb[i])), s)
    else:
        for i in range(n):
            out[i] = _round_shift_b(narrow(kc * base[i] + kj * (ra[i] + rb[i])), s)


@kernel
def col_shift3(ring, slots, k, shift, like, out):
    """Three symmetric column taps fused with the fixed-point finish over a whole row:
    ``out = round_shift(k[1] * R1 + k[2] * (R0 + R2), shift)`` (GaussianBlur 3x3 and the like).

    One loop reads the three ring rows and writes the output; the sum is truncated to ``like``'s dtype,
    which holds it, so LLVM keeps narrow lanes. (For longer kernels a separate accumulator pass is as fast.)
    """
    _last_pair(ring[slots[1]], k[1], ring[slots[0]], ring[slots[2]], k[2], shift, like, out)


@kernel
def row_float(p, k, mode, cn, n_fma, tail_fused, out):
    """Float row pass in OpenCV's order: a multiply-add chain (RowFilter) or SymmRowSmallVec_32f (3/5 taps).

    Lanes below ``n_fma`` are OpenCV's SIMD (or compiler-fused) lanes and use fused multiply-adds; the
    lanes after them are its scalar tail, which rounds products and sums separately except in its last
    ``tail_fused`` taps (where the compiler's unrolling left fused multiply-adds).
    """
    n = out.shape[0]
    taps = k.shape[0]
    m = min(n_fma, n)
    if mode == MODE_SMALL or mode == MODE_SMALL_ASYM:
        m = _row_small(p, k, mode == MODE_SMALL, cn, n_fma, out)
    else:
        p0 = p[:n]
        k0 = k[0]
        for i in range(n):
            out[i] = p0[i] * k0
        for j in range(1, taps):
            pj = p[j * cn : j * cn + n]
            kj = k[j]
            for i in range(m):
                out[i] = fma(pj[i], kj, out[i])
            if j >= taps - tail_fused:
                for i in range(m, n):
                    out[i] = fma(pj[i], kj, out[i])
            else:
                for i in range(m, n):
                    out[i] += pj[i] * kj
        return
    c = taps // 2
    for i in range(m, n):  # the scalar tail: s = k[c]*x; s += k[c+j]*(x[+j] +- x[-j]), fused for 3 taps
        s = p[c * cn + i] * k[c]
        for j in range(1, c + 1):
            a, b = p[(c + j) * cn + i], p[(c - j) * cn + i]
            t = a + b if mode == MODE_SMALL else a - b
            s = fma(t, k[c + j], s) if taps == 3 else s + t * k[c + j]
        out[i] = s


@kernel
def _row_small(p, k, symmetric, cn, n_fma, out):
    """SymmRowSmallVec_32f on lanes ``[0, n_fma)``, then OpenCV's 2-lane scalar loop; returns lanes done."""
    n = out.shape[0]
    taps = k.shape[0]
    c = taps // 2
    kc, k1 = k[c], k[c + 1]
    xc = p[c * cn : c * cn + n]
    xm = p[(c - 1) * cn : (c - 1) * cn + n]
    xp = p[(c + 1) * cn : (c + 1) * cn + n]
    m = min(n_fma, n)
    m2 = n - n % 2  # the 2-lane loop ends here; an odd last lane is the generic scalar tail
    if taps == 3 and not symmetric:
        for i in range(n):
            out[i] = xp[i] - xm[i] if k1 == 1 else (xp[i] - xm[i]) * k1
        return n
    if taps == 3 and abs(kc) == 2 and k1 == 1:  # 1 2 1 / 1 -2 1: SIMD fuses, the 2-lane loop adds in order
        for i in range(m):
            out[i] = fma(xc[i], kc, xm[i] + xp[i])
        for i in range(m, m2):
            out[i] = (xm[i] + xc[i] * kc) + xp[i]
        return m2
    if taps == 3:
        for i in range(m2):
            out[i] = fma(xc[i], kc, (xm[i] + xp[i]) * k1)
        return m2
    k2 = k[c + 2]
    xm2 = p[:n]
    xp2 = p[4 * cn : 4 * cn + n]
    if symmetric and kc == -2 and k1 == 0 and k2 == 1:
        for i in range(m):
            out[i] = fma(xc[i], kc, xm2[i] + xp2[i])
        for i in range(m, m2):
            out[i] = (xc[i] * kc + xm2[i]) + xp2[i]
    elif symmetric:
        for i in range(m2):
            out[i] = fma(xp2[i] + xm2[i], k2, fma(xc[i], kc, (xm[i] + xp[i]) * k1))
    else:
        for i in range(m):
            out[i] = fma(xp2[i] - xm2[i], k2, (xp[i] - xm[i]) * k1)
        for i in range(m, m2):  # the compiler fuses the other product there
            out[i] = fma(xp[i] - xm[i], k1, (xp2[i] - xm2[i]) * k2)
    return m2


@kernel
def col_float(ring, slots, k, mode, d, n_fma, b0, b1, acc):
    """Float column pass over lanes ``[b0, b1)`` in OpenCV's order (see the module docstring).

    Lanes below ``n_fma`` use fused multiply-adds, the others OpenCV's unfused scalar tail.
    """
    n = b1 - b0
    m = min(max(n_fma - b0, 0), n)
    taps = k.shape[0]
    c = taps // 2
    if mode == MODE_SEQ:
        r0 = ring[slots[0]][b0:b1]
        k0 = k[0]
        for i in range(m):
            acc[i] = fma(r0[i], k0, d)
        for i in range(m, n):
            acc[i] = r0[i] * k0 + d
        for t in range(1, taps):
            rt = ring[slots[t]][b0:b1]
            kt = k[t]
            for i in range(m):
                acc[i] = fma(rt[i], kt, acc[i])
            for i in range(m, n):
                acc[i] += rt[i] * kt
    elif mode == MODE_SYM:
        rc = ring[slots[c]][b0:b1]
        kc = k[c]
        for i in range(m):
            acc[i] = fma(rc[i], kc, d)
        for i in range(m, n):
            acc[i] = rc[i] * kc + d
        for j in range(1, c + 1):
            ra = ring[slots[c - j]][b0:b1]
            rb = ring[slots[c + j]][b0:b1]
            kj = k[c + j]
            for i in range(m):
                acc[i] = fma(rb[i] + ra[i], kj, acc[i])
            for i in range(m, n):
                acc[i] += (rb[i] + ra[i]) * kj
    elif mode == MODE_ASYM:
        for i in range(n):
            acc[i] = d
        for j in range(1, c + 1):
            ra = ring[slots[c - j]][b0:b1]
            rb = ring[slots[c + j]][b0:b1]
            kj = k[c + j]
            for i in range(m):
                acc[i] = fma(rb[i] - ra[i], kj, acc[i])
            for i in range(m, n):
                acc[i] += (rb[i] - ra[i]) * kj
    else:  # MODE_SMALL(_ASYM): SymmColumnSmallVec_32f, 3 taps, float32 output; its tail rounds alike
        r0 = ring[slots[0]][b0:b1]
        r1 = ring[slots[1]][b0:b1]
        r2 = ring[slots[2]][b0:b1]
        k0, k1 = k[1], k[2]
        if mode == MODE_SMALL:
            if abs(k0) == 2 and k1 == 1:
                for i in range(n):
                    acc[i] = fma(r1[i], k0, (r0[i] + r2[i]) + d)
            else:
                for i in range(n):
                    acc[i] = fma(r0[i] + r2[i], k1, fma(r1[i], k0, d))
        elif k1 == 1:
            for i in range(n):
                acc[i] = (r2[i] - r0[i]) + d
        elif k1 == -1:
            for i in range(n):
                acc[i] = (r0[i] - r2[i]) + d
        else:
            for i in range(n):
                acc[i] = fma(r2[i] - r0[i], k1, d)
