"""Stack blur driver and column pass: cv2 5.0.0's two passes, rows then columns, with its rounding recipes.

The plain formula: a tent of radius ``r`` (weights ``r + 1 - |j|``, sum ``(r + 1)**2``) along each axis,

    S(x) = sum((r + 1 - abs(j)) * src[border(x + j)] for j in range(-r, r + 1))
    dst(x) = rule(S(x))                        # S / (r + 1)**2, rounded as cv2 rounds at that position

first along the rows (into an intermediate image of the source type), then down the columns.

How cv2 rounds depends on where a lane sits (``stackblur.cpp``, SSE3 baseline of the 5.0.0 wheels):

- row pass, ``ksize <= 9`` and ``W > ksize``: the SIMD body, lanes ``[r*C, r*C + n*VEC)``, uses
  ``(S * stackblurMul[r]) >> stackblurShr[r]`` (RULE_SHIFT); the other lanes truncate
  ``float32(S) * (1/(r+1)**2)`` (RULE_TRUNC). 16-bit SIMD lanes add mirrored pairs with saturation.
- row pass, larger kernels: running sums rounded half to even (RULE_ROUND), and a right-edge tail whose
  leaving pixel stops advancing after ``(r + 1) / 2`` steps (``_row_tables`` reproduces it).
- column pass: RULE_SHIFT (int32 product, wrapping, then cv2's saturating packs) except the last
  ``len % VEC`` lanes of each of cv2's thread stripes (RULE_TRUNC), and RULE_TRUNC for ``r > 254``.
- float32: the same sums, added in cv2's order for each region, times ``float32(1/(r+1)**2)``.
- integer sums wrap in int32 as cv2's do (16-bit images with ``r > 180``).

purecv's other borders (WRAP, REFLECT, REFLECT_101) use one rule per pass on exact sums (RULE_EXACT where
cv2's body would shift), so they do not depend on lane positions or thread counts.
"""

from __future__ import annotations

import numpy as np
from numba import prange

from .._border import border_table
from .._jit import current_threads, kernel, parallel_kernel
from ..constants import BORDER_REPLICATE
from .rows import plan_strips, strip_range
from .stack_tent import KIND_F32, KIND_S16, KIND_U8, KIND_U16, tent_running, tent_small

__all__ = ["stack_blur", "stackblur_mul_shr"]

RULE_TRUNC = 0  # static_cast<T>(float(S) * m): toward zero, wrapped into T
RULE_ROUND = 1  # saturate_cast<T>(float(S) * m): half to even, saturated
RULE_SHIFT = 2  # cv2's SIMD: low 32 bits of S * mul, shifted, its saturating packs (see _apply)
RULE_EXACT = 3  # (S * mul) >> shr in int64, saturated (purecv's non-cv2 borders)
RULE_FLOAT = 4  # float32 output: float(S) * m
RULE_SHIFT8 = 5  # RULE_SHIFT for uint8 sums with S * mul < 2**24: trunc(float32(S) * (mul / 2**shr)), exact

_KINDS = {
    np.dtype(np.uint8): KIND_U8,
    np.dtype(np.uint16): KIND_U16,
    np.dtype(np.int16): KIND_S16,
    np.dtype(np.float32): KIND_F32,
}
_SIMD_BYTES = 16  # cv2 5.0.0 x86-64 wheels: stackblur.cpp is built for the SSE3 baseline (128-bit)
_COLUMN_BLOCK = 16384  # lanes per column block: whole rows of 4K RGBA (smaller blocks measured slower)


def stackblur_mul_shr(r: int) -> tuple[int, int]:
    """cv2's ``stackblurMul[r]``, ``stackblurShr[r]``: ``mul / 2**shr`` just above ``1 / (r + 1)**2``.

    >>> stackblur_mul_shr(1), stackblur_mul_shr(2), stackblur_mul_shr(254)
    ((512, 11), (456, 12), (259, 24))
    """
    area = (r + 1) ** 2
    shr = area.bit_length() - 1 + 9  # mul lands in (256, 512]
    return -(-(1 << shr) // area), shr


@kernel
def _apply(s, out, rule, rnd):
    """``out[l] = rule(s[l])`` for every lane. ``rnd = (mul, shr, m, lo, hi, kind, q)``: cv2's table
    entries, ``m = float32(1 / (r + 1)**2)``, the output type's range, its KIND_* code, ``mul / 2**shr``.
    """
    mul, shr, m, lo, hi, kind, q = rnd
    if rule == RULE_TRUNC:
        for i in range(out.shape[0]):
            out[i] = np.int32(np.float32(s[i]) * m)  # the store wraps into T, as the C cast does
    elif rule == RULE_ROUND:
        flo, fhi = np.float32(lo), np.float32(hi)
        for i in range(out.shape[0]):
            out[i] = min(max(np.rint(np.float32(s[i]) * m), flo), fhi)
    elif rule == RULE_SHIFT8:  # the product is exact in float32: half the instructions of the int path
        for i in range(out.shape[0]):
            out[i] = np.int32(np.float32(s[i]) * q)
    elif rule == RULE_SHIFT and kind == KIND_U16:
        for i in range(out.shape[0]):  # v_uint32 product (low 32 bits), logical shift, v_pack saturates
            out[i] = min(np.uint32(s[i] * mul) >> shr, 65535)
    elif rule == RULE_SHIFT and kind == KIND_S16:
        for i in range(out.shape[0]):  # v_int32 product (low 32 bits), arithmetic shift, v_pack saturates
            out[i] = min(max(np.int32(s[i] * mul) >> shr, -32768), 32767)
    elif rule == RULE_SHIFT:
        for i in range(out.shape[0]):  # as int16, then reinterpreted as uint16 and packed to uint8
            out[i] = min(min(max(np.int32(s[i] * mul) >> shr, -32768), 32767) & 0xFFFF, 255)
    elif rule == RULE_EXACT:
        for i in range(out.shape[0]):
            out[i] = min(max((np.int64(s[i]) * mul) >> shr, lo), hi)
    else:
        for i in range(out.shape[0]):
            out[i] = s[i] * m


@kernel
def _rows(x, out, y0, y1, plan, tables, rnd, acc_proto):
    """Row pass for rows ``[y0, y1)`` of the (H, W*C) image ``x`` into ``out``.

    ``plan = (r, cn, small, a1, sat, edge_order, edge_rule, mid_rule)``: small kernels round lanes
    ``[r*cn, a1)`` (cv2's SIMD body) by ``mid_rule``, the others by ``edge_rule``; larger kernels by
    ``mid_rule``. ``tables = (xtab, atab, btab, itab, iw)``: see :mod:`.stack_tent`.
    """
    r, cn, small, a1, sat, edge_order, edge_rule, mid_rule = plan
    xtab, atab, btab, itab, iw = tables
    kind = rnd[5]
    lanes = x.shape[1]
    acc = np.empty(lanes, acc_proto.dtype)
    edge = np.empty(3 * r * cn, acc_proto.dtype)
    diff = np.zeros(atab.shape[0] * cn, acc_proto.dtype)
    e = np.empty(lanes, acc_proto.dtype)
    init = np.empty((2, cn), acc_proto.dtype)
    for y in range(y0, y1):
        o = out[y]
        if not small:
            tent_running(x[y], diff, e, acc, init, cn, r, atab, btab, itab, iw)
            _apply(acc, o, mid_rule, rnd)
            continue
        tent_small(x[y], o, acc, edge, xtab, cn, r, a1, sat, edge_order, rnd)
        if kind == KIND_F32:
            continue
        _apply(acc[: r * cn], o[: r * cn], edge_rule, rnd)
        _apply(acc[r * cn : a1], o[r * cn : a1], mid_rule, rnd)
        _apply(acc[a1:], o[a1:], edge_rule, rnd)


@parallel_kernel
def _rows_parallel(x, out, n_strips, plan, tables, rnd, acc_proto):
    """:func:`_rows` over ``n_strips`` strips of rows on the thread pool."""
    for s in prange(n_strips):
        y0, y1 = strip_range(x.shape[0], n_strips, s)
        _rows(x, out, y0, y1, plan, tables, rnd, acc_proto)


@kernel
def _columns(x, out, b0, b1, ytab, r, wts, rule, flanes, rnd):
    """Column pass for lanes ``[b0, b1)``: cv2's running sums down all rows, a block of lanes at a time.

    With ``x~[j] = x[ytab[j + r]]`` (row ``j`` through the border), per output row ``i``::

        out[i] = rule(S); S -= Sout; Sout -= x~[i - r]; Sin += x~[i + r + 1]; S += Sin
        Sout += x~[i + 1]; Sin -= x~[i + 1]

    cv2's order of operations, so float32 sums match it exactly. Lanes listed in ``flanes`` (cv2's
    scalar stripe tails) round with RULE_TRUNC instead of ``rule``.
    """
    height = out.shape[0]
    for c0 in range(b0, b1, _COLUMN_BLOCK):
        c1 = min(c0 + _COLUMN_BLOCK, b1)
        n = c1 - c0
        s = np.zeros(n, wts.dtype)
        s_in = np.zeros(n, wts.dtype)
        s_out = np.zeros(n, wts.dtype)
        f0, f1 = np.searchsorted(flanes, c0), np.searchsorted(flanes, c1)
        for i in range(r + 1):  # rows -r..0, weights 1..r+1
            row = x[ytab[i]][c0:c1]
            w = wts[i + 1]
            for k in range(n):
                s[k] += row[k] * w
                s_out[k] += row[k]
        for i in range(1, r + 1):  # rows 1..r, weights r..1
            row = x[ytab[r + i]][c0:c1]
            w = wts[r - i + 1]
            for k in range(n):
                s[k] += row[k] * w
                s_in[k] += row[k]
        for i in range(height):
            o = out[i][c0:c1]
            _apply(s, o, rule, rnd)
            for j in range(f0, f1):
                f = flanes[j] - c0
                _apply(s[f : f + 1], o[f : f + 1], RULE_TRUNC, rnd)
            leaving = x[ytab[i]][c0:c1]
            entering = x[ytab[i + 2 * r + 1]][c0:c1]
            nxt = x[ytab[i + r + 1]][c0:c1]
            for k in range(n):
                t = s[k] - s_out[k]
                t_out = s_out[k] - leaving[k]
                t_in = s_in[k] + entering[k]
                s[k] = t + t_in
                s_out[k] = t_out + nxt[k]
                s_in[k] = t_in - nxt[k]


@parallel_kernel
def _columns_parallel(x, out, n_parts, ytab, r, wts, rule, flanes, rnd):
    """:func:`_columns` over ``n_parts`` parts of the lanes (multiples of 64) on the thread pool."""
    lanes = x.shape[1]
    for part in prange(n_parts):
        b0 = min(lanes, ((lanes * part) // n_parts) // 64 * 64)
        b1 = lanes if part == n_parts - 1 else min(lanes, ((lanes * (part + 1)) // n_parts) // 64 * 64)
        _columns(x, out, b0, b1, ytab, r, wts, rule, flanes, rnd)


def _row_tables(width: int, r: int, border: int) -> tuple[np.ndarray, ...]:
    """Pixel tables of the running-sum row pass: ``diff[m] = x[atab[m]] - x[btab[m]]``, ``S(0)`` terms.

    For BORDER_REPLICATE they are cv2's, including its right-edge tail, where the pixel leaving the
    window advances only while ``dist >= step`` (``dist`` counting down from ``r + 1``), so it lags.
    """
    count = width + r + 1
    if border != BORDER_REPLICATE:
        ext = border_table(width, 2 * r + 1, 2 * r + 2, border)  # ext[j + 2r + 1] = border(j)
        m = np.arange(count)
        atab, btab = ext[m + 1 + 2 * r + 1], ext[m - r + 2 * r + 1]
        itab = ext[np.arange(-r, r + 1) + 2 * r + 1]
        iw = r + 1 - np.abs(np.arange(-r, r + 1))
        return atab, btab, itab, iw
    wm = width - 1
    atab = np.zeros(count, np.int64)
    btab = np.zeros(count, np.int64)
    m = np.arange(width - 1)
    atab[m] = np.minimum(m + 1, wm)
    btab[m] = np.maximum(m - r, 0)
    q, dist = width - r - 1, r + 1
    for step in range(r):  # cv2's tail: diff = x[wm] - x[q]
        atab[wm + step], btab[wm + step] = wm, q
        if dist >= step:
            q, dist = q + 1, dist - 1
    itab = np.minimum(np.arange(r + 1), wm)
    iw = np.concatenate(([(r + 2) * (r + 1) // 2], np.arange(r, 0, -1)))
    return atab, btab, itab, iw


def _acc_dtype(kind: int, r: int, cv2_border: bool, dtype: np.dtype) -> np.dtype:
    """float32 for float32; for integers int32 as cv2 (whose sums wrap), narrower or wider where exact."""
    if kind == KIND_F32:
        return np.dtype(np.float32)
    if kind == KIND_U8 and r <= 10:
        return np.dtype(np.int16)  # uint8 sums <= 255 * 11**2 fit: twice the lanes per vector
    peak = max(abs(int(np.iinfo(dtype).min)), int(np.iinfo(dtype).max)) * (r + 1) ** 2
    return np.dtype(np.int32 if cv2_border or peak < 2**31 else np.int64)


def _rounding(r: int, dtype: np.dtype) -> tuple:
    """``rnd`` of the kernels: ``(mul, shr, float32(1 / (r + 1)**2), lo, hi, kind, mul / 2**shr)``."""
    mul, shr = stackblur_mul_shr(min(r, 254))
    info = np.iinfo(dtype) if dtype.kind in "iu" else None
    lo, hi = (int(info.min), int(info.max)) if info is not None else (0, 0)
    m = np.float32(1) / np.float32((r + 1) ** 2)
    return mul, shr, m, lo, hi, _KINDS[dtype], np.float32(mul / 2**shr)


def _shift_rule(r: int, dtype: np.dtype) -> int:
    """RULE_SHIFT, or its float form where that is exact (uint8, ``255 * (r + 1)**2 * mul < 2**24``)."""
    mul, _ = stackblur_mul_shr(min(r, 254))
    return RULE_SHIFT8 if dtype == np.uint8 and 255 * (r + 1) ** 2 * mul < 1 << 24 else RULE_SHIFT


def _row_pass(x, out, cn, r, border, kind, threads):
    """Rows of ``x`` blurred with a tent of radius ``r`` into ``out`` (which must not overlap ``x``)."""
    height, lanes = x.shape
    width = lanes // cn
    kw = 2 * r + 1
    cv2_border = border == BORDER_REPLICATE
    acc = np.empty(0, _acc_dtype(kind, r, cv2_border, x.dtype))
    small = kw <= 9 and width > kw
    a1 = (width - r) * cn  # end of the SIMD-rounded lanes (small kernels)
    if small and cv2_border:
        vec = _SIMD_BYTES // x.dtype.itemsize
        a1 = r * cn + (width - 2 * r) * cn // vec * vec
        edge_rule, mid_rule, edge_order = RULE_TRUNC, _shift_rule(r, x.dtype), 0
    elif small:
        edge_rule, mid_rule, edge_order = RULE_EXACT, RULE_EXACT, 2
    else:
        edge_rule, mid_rule, edge_order = RULE_ROUND, RULE_ROUND, 0
    if kind == KIND_F32:
        edge_rule = mid_rule = RULE_FLOAT
    sat = small and cv2_border and kind in (KIND_U16, KIND_S16) and kw >= 5
    plan = (r, cn, small, a1, sat, edge_order, edge_rule, mid_rule)
    dummy = np.zeros(1, np.int64)
    atab, btab, itab, iw = _row_tables(width, r, border) if not small else (dummy, dummy, dummy, dummy)
    tables = (border_table(width, r, r, border), atab, btab, itab, iw.astype(acc.dtype))
    rnd = _rounding(r, x.dtype)
    n_strips = plan_strips(height, lanes, 0) if threads > 1 else 1
    if n_strips == 1:
        _rows(x, out, 0, height, plan, tables, rnd, acc)
    else:
        _rows_parallel(x, out, n_strips, plan, tables, rnd, acc)


def _cv2_stripe_tails(height: int, lanes: int, vec: int, threads: int) -> np.ndarray:
    """Lanes cv2's column pass rounds in scalar code: the last ``len % vec`` lanes of each thread stripe.

    cv2 cuts ``[0, W*C)`` into ``min(n, W*C)`` stripes, ``n`` its thread count capped to ``H // 3``
    (``parallel_for_``'s split: stripe ``i`` starts at ``(i * len + n // 2) // n``).
    """
    n = threads if height // threads >= 3 else max(1, height // 3)
    n = min(n, lanes)
    starts = [(i * lanes + n // 2) // n for i in range(n)] + [lanes]
    tails = [np.arange(a + (b - a) // vec * vec, b) for a, b in zip(starts[:-1], starts[1:], strict=True)]
    return np.concatenate(tails).astype(np.int64)


def _column_pass(x, out, r, border, kind, threads):
    """Columns of ``x`` blurred with a tent of radius ``r`` into ``out`` (which must not overlap ``x``)."""
    height, lanes = x.shape
    cv2_border = border == BORDER_REPLICATE
    wts = np.arange(r + 2).astype(_acc_dtype(kind, r, cv2_border, x.dtype))
    flanes = np.zeros(0, np.int64)
    if kind == KIND_F32:
        rule = RULE_FLOAT
    elif r > 254:
        rule = RULE_TRUNC
    elif cv2_border:
        rule = _shift_rule(r, x.dtype)
        flanes = _cv2_stripe_tails(height, lanes, _SIMD_BYTES // x.dtype.itemsize, threads)
    else:
        rule = RULE_EXACT
    ytab = border_table(height, r, r + 1, border)
    args = (ytab, r, wts, rule, flanes, _rounding(r, x.dtype))
    n_parts = min(2 * threads, lanes // 256) if threads > 1 and height * lanes >= 1 << 17 else 1
    if n_parts <= 1:
        _columns(x, out, 0, lanes, *args)
    else:
        _columns_parallel(x, out, n_parts, *args)


def stack_blur(x: np.ndarray, out: np.ndarray, cn: int, kw: int, kh: int, border: int) -> None:
    """Stack-blur the (H, W*C) rows ``x`` into ``out`` (same shape and dtype; may be ``x`` itself).

    ``kw`` and ``kh`` are odd and already reduced to the image size, as cv2 reduces them.
    """
    kind = _KINDS[x.dtype]
    threads = current_threads()
    in_place = np.may_share_memory(x, out)  # neither pass may read what it has already written
    if kw > 1:
        mid = out if kh == 1 and not in_place else np.empty_like(x)
        _row_pass(x, mid, cn, kw // 2, border, kind, threads)
    else:
        mid = x.copy() if in_place else x
    if kh > 1:
        _column_pass(mid, out, kh // 2, border, kind, threads)
    elif mid is not out:
        out[...] = mid
