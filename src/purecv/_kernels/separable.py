"""The separable row/column driver: every filter whose kernel is ``ky (column) x kx (row)`` runs here.

The plain formula, for output row ``y`` and lane ``i`` (``W * C`` lanes, channels interleaved)::

    R[r][i] = sum_j kx[j] * P_r[i + j*C]       # row pass: P_r is padded row r (horizontal border)
    acc[i]  = sum_t ky[t] * R[y + t][i]        # column pass over kh row-filtered rows
    dst[y][i] = finish(acc[i])                 # shift/round/saturate, or a cast

with padded row ``r`` = source row ``ytab[r]`` (``purecv._border.border_table``), or a constant row where
the table says -1 (BORDER_CONSTANT). How it runs, per strip of output rows (``prange`` over strips, each
with its own ``kh - 1`` rows of halo):

1. each source row is border-extended once (``rows.pad_row``) and run through the row pass into a *ring*
   of ``kh`` rows in a narrow accumulator dtype (uint16/int16/int32/int64 for exact integer modes,
   float32/float64 as OpenCV chooses for float modes), plus one constant row for BORDER_CONSTANT;
2. each output row is a column pass over the ``kh`` ring rows it needs, in blocks of lanes small enough
   to stay in L1, followed by a *finish* step chosen by mode (:data:`FIN_SHIFT`, ...). Two shortcuts: a
   3-tap fixed-point column is one loop with its rounding (16-bit lanes for 8-bit GaussianBlur 3x3), and
   int16 sums that are the output (Sobel 3x3 into 16S) are written straight into it.

Two families, two strip kernels: :func:`_int_strips` (exact integer arithmetic: GaussianBlur's fixed point,
Sobel's integer taps) and :func:`_float_strips` (OpenCV's float order, fused multiply-adds). Which family,
which dtypes and which pass order a call uses is a :class:`SepPlan`, built by :mod:`.sep_plan`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import prange

from .._border import border_table
from .._jit import inline_kernel, kernel, parallel_kernel
from .lanes import shift_right, wrap_add
from .rows import pad_row, plan_strips, strip_range
from .saturate import saturate_row
from .sep_passes import MODE_SYM, col_float, col_int, col_shift3, round_shift, row_float, row_int

__all__ = [
    "FIN_ADD",
    "FIN_ADDF",
    "FIN_CAST",
    "FIN_NONE",
    "FIN_ROUND",
    "FIN_SHIFT",
    "FIN_TIES",
    "SepPlan",
    "separable",
]

FIN_SHIFT = 0  # (acc + 2**(s-1)) >> s, saturate: fixed point with s fractional bits (s = 0: plain acc)
FIN_ADD = 1  # acc + delta, saturate: exact integer filters (delta already rounded by cvRound)
FIN_TIES = 2  # fixed point, but ties round to even on lanes < n_simd and up after (OpenCV's SIMD/tail)
FIN_ADDF = 3  # acc + delta, but lanes < n_simd round acc + (fractional) delta half to even (OpenCV's SIMD)
FIN_ROUND = 4  # float -> integer: round half to even, saturate (x86 cvRound: NaN/overflow -> INT_MIN)
FIN_CAST = 5  # float -> float
FIN_NONE = 6  # the column sum is the output (same dtype, nothing to add or saturate): written in place

_BLOCK = 2048  # lanes per column-pass block: the accumulator block and ring slices stay in L1


class SepPlan(NamedTuple):
    """How one separable filter runs: taps, pass orders, dtypes and finish (see :mod:`.sep_plan`)."""

    exact: bool  # integer family (True) or float family
    kx: np.ndarray  # row taps: int64 (exact) or the ring's float dtype
    ky: np.ndarray  # column taps, likewise
    anchor: tuple[int, int]  # (ax, ay) inside the kernel
    row_mode: int  # sep_passes.MODE_*
    col_mode: int
    fin_mode: int  # FIN_*
    ring: np.dtype  # dtype of the row-filtered ring
    acc: np.dtype  # dtype of the column accumulator
    shift: int = 0  # FIN_SHIFT fractional bits (FIN_TIES: always 16, which _finish_ties assumes)
    delta: float = 0.0  # added by the column pass (float family) or the finish (exact family)
    n_simd: int = 0  # FIN_TIES / FIN_ADDF: lanes that OpenCV's SIMD loop rounds half to even
    n_fma_row: int = 0  # float family: lanes whose row sums OpenCV fuses (SIMD lanes); the rest are unfused
    row_tail_fused: int = 0  # float family: trailing row taps that are fused on the unfused lanes too
    n_fma_col: int = 0  # the same for the column pass
    saturate: bool = True  # False when the finished value always fits the output dtype
    tail_delta: int = 0  # FIN_ADDF: cvRound(delta), added on lanes >= n_simd


@inline_kernel
def _finish_ties(acc, n, delta, simd, lo, hi, out):
    """FIN_TIES (sepFilter2D's smooth 8-bit taps: int32 ``acc``, 16 fractional bits, 8-bit ``out``).

    Plain formula: ``a = acc[i] + delta``, ``q = (a + 2**15) >> 16``; on the first ``simd`` lanes (OpenCV's
    SIMD loop) a tie, ``a mod 2**16 == 2**15``, rounds to even instead: ``q = (a + 2**15 - 1 + odd) >>
    16`` with ``odd = (a >> 16) & 1`` (of the fractions, only a tie carries by the odd bit alone). Then
    ``out[i] = clip(q, lo, hi)``. (Typed for every accumulator dtype of ``_finish_int``, used for int32.)
    Every step in int32 lanes (``lanes``; the plan keeps ``|delta| <= 2**26``, so nothing wraps). Numba's
    own arithmetic, with the lane index tested in the loop, ran it in 64-bit lanes: a 4K row (15360
    lanes, in cache) took 3.7 us, here 1.3 us; the 4K sepFilter2D (5 smooth taps, 4 channels, one thread)
    went from 23 to 18 ms.
    """
    d, half, below_half = np.int32(delta), np.int32(1 << 15), np.int32((1 << 15) - 1)
    sixteen, one, bottom, top = np.int32(16), np.int32(1), np.int32(lo), np.int32(hi)
    for i in range(simd):
        a = wrap_add(np.int32(acc[i]), d)
        odd = np.int32(shift_right(a, sixteen) & one)
        q = shift_right(wrap_add(wrap_add(a, below_half), odd), sixteen)
        out[i] = min(max(q, bottom), top)
    for i in range(simd, n):
        q = shift_right(wrap_add(wrap_add(np.int32(acc[i]), d), half), sixteen)
        out[i] = min(max(q, bottom), top)


@kernel
def _finish_int(acc, n, mode, shift, delta, tail_delta, n_simd, b0, sat, lo, hi, out):
    """Exact finish of lanes ``[b0, b0 + n)`` into ``out`` (already offset to ``b0``)."""
    if mode == FIN_SHIFT and shift > 0:
        # (a + 2**(s-1)) >> s == (a >> s) + ((a >> (s-1)) & 1): no carry out of the accumulator's width
        s1 = shift - 1
        if sat:
            for i in range(n):
                a = acc[i]
                out[i] = min(max((a >> shift) + ((a >> s1) & 1), lo), hi)
        else:
            for i in range(n):
                out[i] = round_shift(acc[i], shift)
    elif mode == FIN_SHIFT or mode == FIN_ADD:
        if sat:
            for i in range(n):
                out[i] = min(max(acc[i] + delta, lo), hi)
        else:
            for i in range(n):
                out[i] = acc[i] + delta
    elif mode == FIN_TIES:  # delta: the fixed-point delta; ties to even on SIMD lanes
        _finish_ties(acc, n, delta, max(0, min(n, n_simd - b0)), lo, hi, out)
    else:  # FIN_ADDF: delta has 16 fractional bits; the tail adds tail_delta = cvRound(delta)
        for i in range(n):
            if b0 + i < n_simd:
                a = (np.int64(acc[i]) << 16) + delta
                q = (a + (1 << 15)) >> 16
                if (a & 0xFFFF) == 0x8000 and (q & 1) == 1:
                    q -= 1
            else:
                q = acc[i] + tail_delta
            out[i] = min(max(q, lo), hi)


@kernel
def _slots(ytab, y, kh, ring_rows, slots):
    """Ring slot of each of the ``kh`` padded rows output row ``y`` reads (the constant row for -1)."""
    for t in range(kh):
        slots[t] = ring_rows if ytab[y + t] < 0 else (y + t) % ring_rows


@kernel
def _const_pad(cval, cn, pad):
    """A padded row that is all border value (BORDER_CONSTANT rows above and below the image)."""
    for j in range(pad.shape[0] // cn):
        for c in range(cn):
            pad[j * cn + c] = cval[c]


@kernel
def _int_strip(src, dst, y0, y1, taps, tables, modes, fin, cval, cn, bufs):
    """Exact family, output rows ``[y0, y1)``: ring of row-filtered rows, column pass, finish."""
    kx, ky, ax = taps
    xtab, ytab = tables
    row_mode, col_mode = modes
    fin_mode, shift, delta, tail_delta, n_simd, sat, lo, hi = fin
    pad, ring, acc, slots = bufs
    lanes = dst.shape[1]
    kh = ky.shape[0]
    if _has_const(ytab):
        _const_pad(cval, cn, pad)
        row_int(pad, kx, row_mode, cn, ring[kh])
    for r in range(y0, y1 + kh - 1):
        if ytab[r] >= 0:
            pad_row(src[ytab[r]], xtab, ax, cn, cval, pad)
            row_int(pad, kx, row_mode, cn, ring[r % kh])
        y = r - kh + 1
        if y >= y0:
            _slots(ytab, y, kh, kh, slots)
            if fin_mode == FIN_NONE:
                col_int(ring, slots, ky, col_mode, 0, lanes, dst[y])
                continue
            if fin_mode == FIN_SHIFT and not sat and kh == 3 and col_mode == MODE_SYM and shift > 0:
                col_shift3(ring, slots, ky, shift, acc, dst[y])  # fused column pass and rounding
                continue
            for b0 in range(0, lanes, _BLOCK):
                b1 = min(lanes, b0 + _BLOCK)
                col_int(ring, slots, ky, col_mode, b0, b1, acc)
                _finish_int(
                    acc, b1 - b0, fin_mode, shift, delta, tail_delta, n_simd, b0, sat, lo, hi, dst[y][b0:b1]
                )


@parallel_kernel
def _int_strips(src, dst, taps, tables, modes, fin, cval, cn, ring_proto, acc_proto, n_strips):
    """:func:`_int_strip` over ``n_strips`` strips on the thread pool, each with its own buffers."""
    height, lanes = dst.shape
    kh = taps[1].shape[0]
    for s in prange(n_strips):
        y0, y1 = strip_range(height, n_strips, s)
        pad = np.empty(tables[0].shape[0] * cn, src.dtype)
        ring = np.empty((kh + 1, lanes), ring_proto.dtype)
        acc = np.empty(min(lanes, _BLOCK), acc_proto.dtype)
        slots = np.empty(kh, np.int64)
        _int_strip(src, dst, y0, y1, taps, tables, modes, fin, cval, cn, (pad, ring, acc, slots))


@kernel
def _float_strip(src, dst, y0, y1, taps, tables, modes, fin, cval, cn, bufs):
    """Float family, output rows ``[y0, y1)``."""
    kx, ky, ax = taps
    xtab, ytab = tables
    row_mode, col_mode, n_fma_row, tail_fused, n_fma_col = modes
    d, to_int, lo, hi, same = fin  # same: dst when it has the ring's dtype, else an empty array
    direct = same.shape[0] > 0
    pad, ring, acc, slots = bufs
    lanes = dst.shape[1]
    kh = ky.shape[0]
    if _has_const(ytab):
        _const_pad(cval, cn, pad)
        row_float(pad, kx, row_mode, cn, n_fma_row, tail_fused, ring[kh])
    for r in range(y0, y1 + kh - 1):
        if ytab[r] >= 0:
            pad_row(src[ytab[r]], xtab, ax, cn, cval, pad)
            row_float(pad, kx, row_mode, cn, n_fma_row, tail_fused, ring[r % kh])
        y = r - kh + 1
        if y >= y0:
            _slots(ytab, y, kh, kh, slots)
            for b0 in range(0, lanes, _BLOCK):
                b1 = min(lanes, b0 + _BLOCK)
                if direct:  # the output has the ring's dtype: sum straight into it
                    col_float(ring, slots, ky, col_mode, d, n_fma_col, b0, b1, same[y][b0:b1])
                    continue
                col_float(ring, slots, ky, col_mode, d, n_fma_col, b0, b1, acc)
                saturate_row(acc, dst[y][b0:b1], to_int, lo, hi)


@parallel_kernel
def _float_strips(src, dst, taps, tables, modes, fin, cval, cn, n_strips):
    """:func:`_float_strip` over ``n_strips`` strips: taps, ring and accumulator in the taps' float dtype."""
    height, lanes = dst.shape
    kx, ky = taps[0], taps[1]
    kh = ky.shape[0]
    for s in prange(n_strips):
        y0, y1 = strip_range(height, n_strips, s)
        pad = np.empty(tables[0].shape[0] * cn, kx.dtype)
        ring = np.empty((kh + 1, lanes), kx.dtype)
        acc = np.empty(min(lanes, _BLOCK), kx.dtype)
        slots = np.empty(kh, np.int64)
        _float_strip(src, dst, y0, y1, taps, tables, modes, fin, cval, cn, (pad, ring, acc, slots))


@kernel
def _has_const(ytab):
    """Whether any padded row is the BORDER_CONSTANT row (table entry -1)."""
    for r in range(ytab.shape[0]):
        if ytab[r] < 0:
            return True
    return False


def separable(src: np.ndarray, dst: np.ndarray, cn: int, plan: SepPlan, border: int, cval) -> None:
    """Filter (H, W*C) rows ``src`` into ``dst`` (same shape, C-contiguous, not overlapping ``src``).

    ``border`` is a BORDER_* mode without BORDER_ISOLATED; ``cval`` is the constant border value per channel
    (a sequence of ``cn`` numbers, already saturated to ``src``'s dtype).
    """
    height, lanes = dst.shape
    width = lanes // cn
    kw, kh = plan.kx.shape[0], plan.ky.shape[0]
    ax, ay = plan.anchor
    xtab = border_table(width, ax, kw - 1 - ax, border)
    ytab = border_table(height, ay, kh - 1 - ay, border)
    n_strips = plan_strips(height, lanes, kh - 1)  # applies purecv.setNumThreads first
    to_int = dst.dtype.kind in "iu"
    info = np.iinfo(dst.dtype) if to_int else None
    if plan.exact:
        cv = np.asarray(cval, src.dtype)
        lo, hi = int(info.min), int(info.max)
        # taps in the ring's / accumulator's dtype: LLVM then keeps the arithmetic in 16 or 32-bit lanes
        taps = (plan.kx.astype(plan.ring), plan.ky.astype(plan.acc), ax)
        fin = (
            plan.fin_mode,
            plan.shift,
            int(plan.delta),
            plan.tail_delta,
            plan.n_simd,
            plan.saturate,
            lo,
            hi,
        )
        _int_strips(
            src,
            dst,
            taps,
            (xtab, ytab),
            (plan.row_mode, plan.col_mode),
            fin,
            cv,
            cn,
            np.empty(0, plan.ring),
            np.empty(0, plan.acc),
            n_strips,
        )
    else:
        cv = np.asarray(cval, plan.kx.dtype)
        lo, hi = (float(info.min), float(info.max)) if to_int else (0.0, 0.0)
        modes = (plan.row_mode, plan.col_mode, plan.n_fma_row, plan.row_tail_fused, plan.n_fma_col)
        same = dst if dst.dtype == plan.kx.dtype else np.empty((0, 0), plan.kx.dtype)
        fin = (plan.kx.dtype.type(plan.delta), to_int, lo, hi, same)
        _float_strips(src, dst, (plan.kx, plan.ky, ax), (xtab, ytab), modes, fin, cv, cn, n_strips)
