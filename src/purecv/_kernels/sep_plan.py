"""Which arithmetic a separable filter uses: OpenCV's ``createSeparableLinearFilter`` decisions as a SepPlan.

OpenCV classifies each 1-D kernel (``getKernelType``: smooth, symmetrical, antisymmetrical, integer) and
then picks one of three paths, which purecv reproduces:

- 8U -> 8U with smooth symmetric kernels whose taps are multiples of 1/256: exact integers with 8
  fractional bits per pass; the column SIMD loop rounds ties to even, its scalar tail rounds them up
  (:data:`FIN_TIES`);
- 8U -> 16S with integer symmetric/antisymmetric kernels (Sobel, Scharr): exact integers (:data:`FIN_ADD`);
- everything else: float32 (float64 when the source or output is 64F) in OpenCV's order of fused
  multiply-adds, rounded half to even and saturated for integer outputs.

GaussianBlur's 8U/16U fixed-point path is :func:`fixed_point_plan`.
"""

from __future__ import annotations

import numpy as np

from .sep_passes import MODE_ASYM, MODE_SEQ, MODE_SMALL, MODE_SMALL_ASYM, MODE_SYM
from .separable import FIN_ADD, FIN_ADDF, FIN_CAST, FIN_NONE, FIN_ROUND, FIN_SHIFT, FIN_TIES, SepPlan

__all__ = ["fixed_point_plan", "kernel_type", "linear_plan"]

SMOOTH, SYMMETRICAL, ASYMMETRICAL, INTEGER = 1, 2, 4, 8
_FLT_EPSILON = float(np.finfo(np.float32).eps)


def _cv_round(v: float) -> int:
    """``saturate_cast<int>(double)``: round half to even, clamp to int32."""
    return int(min(max(np.rint(v), -(2**31)), 2**31 - 1))


def kernel_type(k: np.ndarray, anchor: int) -> int:
    """OpenCV's ``getKernelType`` for a 1-D kernel (float64) anchored at ``anchor``.

    Examples
    --------
    >>> kernel_type(np.array([0.25, 0.5, 0.25]), 1) == SMOOTH | SYMMETRICAL
    True
    >>> kernel_type(np.array([-1.0, 0.0, 1.0]), 1) == ASYMMETRICAL | INTEGER
    True
    """
    n = k.shape[0]
    kind = SMOOTH | INTEGER
    if anchor * 2 + 1 == n:
        kind |= SYMMETRICAL | ASYMMETRICAL
    total = 0.0
    for i in range(n):
        a, b = float(k[i]), float(k[n - 1 - i])
        if a != b:
            kind &= ~SYMMETRICAL
        if a != -b:
            kind &= ~ASYMMETRICAL
        if a < 0:
            kind &= ~SMOOTH
        if a != _cv_round(a):
            kind &= ~INTEGER
        total += a
    if abs(total - 1) > _FLT_EPSILON * (abs(total) + 1):
        kind &= ~SMOOTH
    return kind


def _bit_exact(k: np.ndarray, bits: int) -> np.ndarray | None:
    """``createBitExactKernel_32S``: the taps times ``2**bits`` as int64, or None if any is not close."""
    scaled = k * float(1 << bits)
    ints = np.array([_cv_round(v) for v in scaled], np.int64)
    if np.any(np.abs(scaled - ints) > 10 * _FLT_EPSILON * (1 << bits)):
        return None
    return ints


def _int_dtype(bound: int, signed: bool) -> np.dtype:
    """The narrowest of (u)int16 / int32 that holds ``[-bound, bound]`` (int32 wraps like OpenCV's int)."""
    if signed:
        return np.dtype(np.int16) if bound <= 32767 else np.dtype(np.int32)
    return np.dtype(np.uint16) if bound <= 65535 else np.dtype(np.int32)


def _simd_lanes(lanes: int, steps: tuple[int, ...]) -> int:
    """Lanes an OpenCV column loop runs in SIMD: a loop of ``steps[0]``, then one of each smaller step."""
    n = lanes // steps[0] * steps[0]
    for step in steps[1:]:
        if lanes - n >= step:
            n += step
    return n


def _smooth_u8_plan(kx, ky, anchor, delta, lanes) -> SepPlan | None:
    """8U -> 8U, smooth symmetric taps in 1/256 units: 16-bit rows, 32-bit columns, 16 fractional bits."""
    ix, iy = _bit_exact(kx, 8), _bit_exact(ky, 8)
    if ix is None or iy is None:
        return None
    n_simd = 0 if iy.shape[0] == 1 else _simd_lanes(lanes, (32, 16))  # SymmColumnVec_32s8u, AVX2 lanes
    return SepPlan(
        True,
        ix,
        iy,
        anchor,
        MODE_SYM,
        MODE_SYM,
        FIN_TIES,
        np.dtype(np.uint16),
        np.dtype(np.int32),
        shift=16,
        # (clipped: any |delta| over 2**26 saturates every output as the exact value would, and the
        # finish's int32 lanes cannot wrap: |acc| <= 255 * 2**16)
        delta=min(max(_cv_round(delta * 65536), -(1 << 26)), 1 << 26),
        n_simd=n_simd,
    )


def _integer_s16_plan(kx, ky, anchor, delta, lanes, rtype, ctype) -> SepPlan:
    """8U -> 16S with integer (anti)symmetric taps: exact sums, ``delta`` rounded by cvRound."""
    ix, iy = np.rint(kx).astype(np.int64), np.rint(ky).astype(np.int64)
    row_mode = MODE_SYM if rtype & SYMMETRICAL else MODE_ASYM
    col_mode = MODE_SYM if ctype & SYMMETRICAL else MODE_ASYM
    rbound = 255 * int(np.abs(ix).sum())
    abound = rbound * int(np.abs(iy).sum())
    ring = _int_dtype(rbound, True)
    acc = np.dtype(np.int32) if ring == np.int32 else _int_dtype(abound, True)
    fin, n_simd, fixed = FIN_ADD, 0, _cv_round(delta)
    if acc == np.int16 and fixed == 0:  # Sobel 3x3 and the like: the int16 column sums are the output
        fin = FIN_NONE
    # SymmColumnSmallVec_32s16s does 1 2 1, 1 -2 1 and -1 0 1 in integers, other 3-tap columns in float
    if col_mode == MODE_SYM:
        special = iy.shape[0] != 3 or (abs(iy[1]) == 2 and iy[2] == 1)
    else:
        special = iy.shape[0] != 3 or abs(iy[2]) == 1
    if not special and delta != _cv_round(delta):
        # SymmColumnSmallVec_32s16s: SIMD lanes add the float delta before rounding, the tail cvRound(delta)
        fin, n_simd, fixed = FIN_ADDF, _simd_lanes(lanes, (32, 16, 8)), _cv_round(delta * 65536)
    return SepPlan(
        True,
        ix,
        iy,
        anchor,
        row_mode,
        col_mode,
        fin,
        ring,
        acc,
        delta=fixed,
        n_simd=n_simd,
        tail_delta=_cv_round(delta),
        saturate=abound + abs(fixed) > 32767,
    )


def linear_plan(
    sdt: np.dtype, ddt: np.dtype, kx, ky, anchor: tuple[int, int], delta: float, lanes: int
) -> SepPlan:
    """The plan cv2.sepFilter2D uses for ``sdt`` -> ``ddt`` with taps ``kx``, ``ky`` (float64 arrays)."""
    ax, ay = anchor
    rtype, ctype = kernel_type(kx, ax), kernel_type(ky, ay)
    sym = SYMMETRICAL | ASYMMETRICAL
    if sdt == np.uint8:
        if ddt == np.uint8 and rtype == SMOOTH | SYMMETRICAL and ctype == SMOOTH | SYMMETRICAL:
            plan = _smooth_u8_plan(kx, ky, anchor, delta, lanes)
            if plan is not None:
                return plan
        if ddt == np.int16 and rtype & sym and ctype & sym and rtype & ctype & INTEGER:
            return _integer_s16_plan(kx, ky, anchor, delta, lanes, rtype, ctype)
    work = np.dtype(np.float64) if np.float64 in (sdt, ddt) else np.dtype(np.float32)
    fx, fy = kx.astype(work), ky.astype(work)
    row_mode = col_mode = MODE_SEQ
    if rtype & sym and work == sdt == np.float32 and fx.shape[0] in (3, 5):
        row_mode = MODE_SMALL if rtype & SYMMETRICAL else MODE_SMALL_ASYM
    if ctype & sym:
        if fy.shape[0] == 3 and work == ddt == np.float32:
            col_mode = MODE_SMALL if ctype & SYMMETRICAL else MODE_SMALL_ASYM
        else:
            col_mode = MODE_SYM if ctype & SYMMETRICAL else MODE_ASYM
    to_int = ddt.kind in "iu"
    fin = FIN_ROUND if to_int else FIN_CAST
    n_row, n_col = _fused_lanes(sdt, work, to_int, row_mode, col_mode, lanes)
    steps = fx.shape[0] - 1  # GCC unrolls RowFilter's tap loop by 4 (float) or 2 (double); its epilogue fuses
    tail_fused = steps % 4 if work == sdt == np.float32 else steps % 2 if work == sdt == np.float64 else 0
    return SepPlan(
        False,
        fx,
        fy,
        anchor,
        row_mode,
        col_mode,
        fin,
        work,
        work,
        delta=float(delta),
        n_fma_row=n_row,
        row_tail_fused=tail_fused,
        n_fma_col=n_col,
    )


def _fused_lanes(sdt, work, to_int, row_mode, col_mode, lanes) -> tuple[int, int]:
    """How many leading lanes of a row OpenCV sums with fused multiply-adds, in the row and column pass.

    Measured on cv2 5.0.0 (x86-64, AVX2/FMA dispatch): its SIMD loops fuse, the 4-lane unrolled C loops
    that follow are fused by the compiler in some instantiations and not in others, and the last lanes
    never are. The lanes after the returned counts are summed with separately rounded products.
    """

    def whole(step: int) -> int:
        return lanes // step * step

    if row_mode in (MODE_SMALL, MODE_SMALL_ASYM):
        n_row = whole(8)  # SymmRowSmallVec_32f
    elif work == np.float32 and sdt == np.uint8:
        n_row = whole(32)  # RowVec_8u32f; its unrolled tail is not fused
    else:
        n_row = whole(4)  # RowFilter's 4-lane loop is fused, the remainder not
    if col_mode in (MODE_SMALL, MODE_SMALL_ASYM):
        n_col = lanes
    elif to_int:
        n_col = whole(4)
    elif col_mode != MODE_SEQ and work == np.float32:
        n_col = whole(8)  # SymmColumnVec_32f
    else:
        n_col = 0  # float outputs of ColumnFilter (and 64F symmetric ones) are never fused
    return n_row, n_col


def fixed_point_plan(ix: list[int], iy: list[int], bits: int) -> SepPlan:
    """GaussianBlur's 8U/16U path: taps with ``bits`` fractional bits each, one rounding ``>> 2*bits``.

    Common power-of-two factors of the taps are divided out first (same result, narrower lanes): 8U 3x3
    becomes ``[1, 2, 1]`` twice and ``(acc + 8) >> 4``, all in 16-bit lanes.
    """
    kx, ky = np.array(ix, np.int64), np.array(iy, np.int64)
    shift = 2 * bits
    for k in (kx, ky):
        while np.all(k % 2 == 0) and shift > 0:
            k //= 2
            shift -= 1
    top = 255 if bits == 8 else 65535
    rbound = top * int(kx.sum())
    abound = rbound * int(ky.sum())
    if bits == 8:
        ring, acc = _int_dtype(rbound, False), _int_dtype(abound, False)
    else:
        ring, acc = np.dtype(np.uint32), np.dtype(np.int64)
    centre = (kx.shape[0] // 2, ky.shape[0] // 2)
    return SepPlan(
        True, kx, ky, centre, MODE_SYM, MODE_SYM, FIN_SHIFT, ring, acc, shift=shift, saturate=False
    )
