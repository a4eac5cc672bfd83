"""Stack blur driver and kernels: cv2 5.0.0's two passes, rows then columns, with its rounding recipes.

The plain formula: a tent of radius ``r`` (weights ``r + 1 - |j|``, sum ``(r + 1)**2``) along each axis,

    S(x) = sum((r + 1 - abs(j)) * src[border(x + j)] for j in range(-r, r + 1))
    dst(x) = rule(S(x))                        # S / (r + 1)**2, rounded as cv2 rounds at that position

first along the rows (into an intermediate image of the source type), then down the columns.

How cv2 rounds depends on where a lane sits (``stackblur.cpp``, SSE3 baseline of the 5.0.0 wheels):

- row pass, ``ksize <= 9`` and ``W > ksize``: the SIMD body, lanes ``[r*C, r*C + n*VEC)``, uses
  ``(S * stackblurMul[r]) >> stackblurShr[r]`` (RULE_SHIFT); the other lanes truncate
  ``float32(S) * (1/(r+1)**2)`` (RULE_TRUNC). 16-bit SIMD lanes add mirrored pairs with saturation.
- row pass, larger kernels: running sums rounded half to even (RULE_ROUND), and a right-edge tail whose
  leaving pixel stops advancing after ``(r + 1) / 2`` steps (``_diff_tables`` reproduces it).
- column pass: RULE_SHIFT (int32 product, wrapping, then cv2's saturating packs) except the last
  ``len % VEC`` lanes of each of cv2's thread stripes (RULE_TRUNC), and RULE_TRUNC for ``r > 254``.
- float32: the same running sums, in cv2's order of operations, times ``float32(1/(r+1)**2)``.

purecv's other borders (WRAP, REFLECT, REFLECT_101) use one rule per pass on exact sums (RULE_EXACT where
cv2's body would shift), so they do not depend on lane positions or thread counts.
"""

from __future__ import annotations

import numpy as np
from numba import prange

from .._border import border_table
from .._jit import current_threads, kernel, parallel_kernel
from ..constants import BORDER_REPLICATE
from .rows import pad_row, plan_strips, strip_range

__all__ = ["stack_blur", "stackblur_mul_shr"]

RULE_TRUNC = 0  # static_cast<T>(float(S) * m): toward zero, wrapped into T
RULE_ROUND = 1  # saturate_cast<T>(float(S) * m): half to even, saturated
RULE_SHIFT = 2  # cv2's SIMD: low 32 bits of S * mul, shifted, its saturating packs (see _shift)
RULE_EXACT = 3  # (S * mul) >> shr in int64, saturated (purecv's non-cv2 borders)
RULE_FLOAT = 4  # float32 output: float(S) * m

KIND_U8, KIND_U16, KIND_S16, KIND_F32 = 0, 1, 2, 3
_KINDS = {np.dtype(np.uint8): KIND_U8, np.dtype(np.uint16): KIND_U16, np.dtype(np.int16): KIND_S16,
          np.dtype(np.float32): KIND_F32}
_SIMD_BYTES = 16  # cv2 5.0.0 x86-64 wheels: stackblur.cpp is built for the SSE3 baseline (128-bit)
_COLUMN_BLOCK = 2048  # lanes per column block: its three running-sum rows stay in L1


def stackblur_mul_shr(r: int) -> tuple[int, int]:
    """cv2's ``stackblurMul[r]``, ``stackblurShr[r]``: ``mul / 2**shr`` just above ``1 / (r + 1)**2``.

    >>> stackblur_mul_shr(1), stackblur_mul_shr(2), stackblur_mul_shr(254)
    ((512, 11), (456, 12), (259, 24))
    """
    area = (r + 1) ** 2
    shr = area.bit_length() - 1 + 9  # mul lands in (256, 512]
    return -(-(1 << shr) // area), shr


@kernel
def _shift(s, mul, shr, kind):
    """cv2's SIMD rounding of a tent sum: ``(S * mul) >> shr`` in 32-bit lanes, then its packs."""
    p = (np.int64(s) * mul) & 0xFFFFFFFF  # v_mul keeps the low 32 bits
    if kind == KIND_U16:  # v_uint32: logical shift, v_pack saturates to 65535
        return min(p >> shr, 65535)
    if p >= 0x80000000:  # v_int32: arithmetic shift, v_pack saturates to int16 ...
        p -= 0x100000000
    t = min(max(p >> shr, -32768), 32767)
    if kind == KIND_U8:  # ... reinterpreted as uint16, packed to uint8 with saturation
        t = min(t & 0xFFFF, 255)
    return t


@kernel
def _apply(s, out, l0, l1, rule, mul, shr, m, lo, hi, kind):
    """``out[l] = rule(s[l])`` for lanes ``[l0, l1)``; ``m`` is float32(1 / (r + 1)**2)."""
    a = s[l0:l1]
    o = out[l0:l1]
    if rule == RULE_TRUNC:
        for i in range(a.shape[0]):
            o[i] = np.int64(np.float32(a[i]) * m)  # the store wraps into T, as the C cast does
    elif rule == RULE_ROUND:
        flo, fhi = np.float32(lo), np.float32(hi)
        for i in range(a.shape[0]):
            o[i] = min(max(np.rint(np.float32(a[i]) * m), flo), fhi)
    elif rule == RULE_SHIFT:
        for i in range(a.shape[0]):
            o[i] = _shift(a[i], mul, shr, kind)
    elif rule == RULE_EXACT:
        for i in range(a.shape[0]):
            o[i] = min(max((np.int64(a[i]) * mul) >> shr, lo), hi)
    else:
        for i in range(a.shape[0]):
            o[i] = a[i] * m


@kernel
def _tent_direct(p, acc, cn, r, l0, l1, sat, lo, hi):
    """Integer tent sums of the padded row ``p`` (``r`` pixels each side) for lanes ``[l0, l1)``.

    ``acc[l] = (r + 1) * x[l] + sum((r + 1 - k) * (x[l - k*cn] + x[l + k*cn]) for k in 1..r)``; with
    ``sat`` each pair saturates to ``[lo, hi]`` first, as cv2's 16-bit SIMD adds do.
    """
    a = acc[l0:l1]
    centre = p[l0 + r * cn :]
    for i in range(a.shape[0]):
        a[i] = (r + 1) * np.int64(centre[i])
    for k in range(1, r + 1):
        left = p[l0 + (r - k) * cn :]
        right = p[l0 + (r + k) * cn :]
        w = r + 1 - k
        if sat:
            for i in range(a.shape[0]):
                a[i] += w * min(max(np.int64(left[i]) + right[i], lo), hi)
        else:
            for i in range(a.shape[0]):
                a[i] += w * (np.int64(left[i]) + right[i])


@kernel
def _tent_direct_f32(p, acc, cn, r, l0, l1, order):
    """float32 tent sums of the padded row ``p`` for lanes ``[l0, l1)``, added in one of cv2's orders.

    ``order`` 0, cv2's border loops: left to right, ``x[-r]*1 + x[-r+1]*2 + ... + x[r]*1``;
    1, its 3-tap SIMD: ``((x + x) + x[-1]) + x[1]``; 2, its body: ``x*(r+1) + sum((x[k] + x[-k]) * (r+1-k))``.
    """
    a = acc[l0:l1]
    if order == 0:
        for i in range(a.shape[0]):
            a[i] = p[l0 + i]  # weight 1
        for k in range(1, 2 * r + 1):
            w = np.float32(r + 1 - abs(k - r))
            tap = p[l0 + k * cn :]
            for i in range(a.shape[0]):
                a[i] += tap[i] * w
        return
    centre = p[l0 + r * cn :]
    left = p[l0 + (r - 1) * cn :]
    right = p[l0 + (r + 1) * cn :]
    if order == 1:
        for i in range(a.shape[0]):
            a[i] = ((centre[i] + centre[i]) + left[i]) + right[i]
        return
    for i in range(a.shape[0]):
        a[i] = centre[i] * np.float32(r + 1)
    for k in range(1, r + 1):
        w = np.float32(r + 1 - k)
        left = p[l0 + (r - k) * cn :]
        right = p[l0 + (r + k) * cn :]
        for i in range(a.shape[0]):
            a[i] += (right[i] + left[i]) * w


@kernel
def _tent_running(x, diff, e, acc, cn, r, atab, btab, itab, iw):
    """Tent sums of row ``x`` by cv2's running sums (its row pass for kernels larger than 9).

    ``diff[m] = x[atab[m]] - x[btab[m]]`` (pixel ``m``, every channel), ``e[i] = diff[i + r + 1] - diff[i]``;
    then ``S(0) = sum(x[itab[k]] * iw[k])``, ``D(0) = diff[0] + ... + diff[r]`` and, per channel,
    ``S(i + 1) = S(i) + D(i)``, ``D(i + 1) = D(i) + e[i]``, in cv2's order (float32 sums match it exactly).
    """
    lanes = x.shape[0]
    width = lanes // cn
    # The middle pixels (atab[m] = m + 1, btab[m] = m - r) as one vector loop, the edges by table.
    mid0, mid1 = r, width - 1
    d = diff[mid0 * cn : mid1 * cn]
    ahead = x[(r + 1) * cn :]
    for i in range(d.shape[0]):
        d[i] = ahead[i] - x[i]
    for m in range(atab.shape[0]):
        if m < mid0 or m >= mid1:
            a, b = atab[m] * cn, btab[m] * cn
            for c in range(cn):
                diff[m * cn + c] = x[a + c] - x[b + c]
    later = diff[(r + 1) * cn :]
    for i in range(lanes):
        e[i] = later[i] - diff[i]
    for c in range(cn):
        s = x[itab[0] * cn + c] * iw[0]
        for k in range(1, itab.shape[0]):
            s += x[itab[k] * cn + c] * iw[k]
        dv = diff[c]
        for m in range(1, r + 1):
            dv += diff[m * cn + c]
        for i in range(width):  # the sequential part: two adds per lane
            acc[i * cn + c] = s
            s += dv
            dv += e[i * cn + c]


@kernel
def _rows(x, out, y0, y1, xtab, r, cn, small, a0, a1, a2, sat, edge_rule, mid_rule,
          atab, btab, itab, iw, acc_proto, mul, shr, m, lo, hi, kind):
    """Row pass for rows ``[y0, y1)`` of the (H, W*C) image ``x`` into ``out``."""
    lanes = x.shape[1]
    is_float = kind == KIND_F32
    acc = np.empty(lanes, acc_proto.dtype)
    if small:
        p = np.empty(lanes + 2 * r * cn, acc_proto.dtype)
        zero = np.zeros(cn, acc_proto.dtype)
        for y in range(y0, y1):
            pad_row(x[y], xtab, r, cn, zero, p)
            if is_float:
                _tent_direct_f32(p, acc, cn, r, 0, a0, 0)
                _tent_direct_f32(p, acc, cn, r, a0, a1, 1 if r == 1 else 2)
                _tent_direct_f32(p, acc, cn, r, a1, a2, 2)
                _tent_direct_f32(p, acc, cn, r, a2, lanes, 0)
                _apply(acc, out[y], 0, lanes, RULE_FLOAT, mul, shr, m, lo, hi, kind)
            else:
                _tent_direct(p, acc, cn, r, 0, lanes, False, lo, hi)
                if sat:
                    _tent_direct(p, acc, cn, r, a0, a1, True, lo, hi)
                _apply(acc, out[y], 0, a0, edge_rule, mul, shr, m, lo, hi, kind)
                _apply(acc, out[y], a0, a1, mid_rule, mul, shr, m, lo, hi, kind)
                _apply(acc, out[y], a1, lanes, edge_rule, mul, shr, m, lo, hi, kind)
    else:
        diff = np.zeros((atab.shape[0] + 1) * cn, acc_proto.dtype)
        e = np.empty(lanes, acc_proto.dtype)
        for y in range(y0, y1):
            _tent_running(x[y], diff, e, acc, cn, r, atab, btab, itab, iw)
            _apply(acc, out[y], 0, lanes, mid_rule, mul, shr, m, lo, hi, kind)


@parallel_kernel
def _rows_parallel(x, out, n_strips, xtab, r, cn, small, a0, a1, a2, sat, edge_rule, mid_rule,
                   atab, btab, itab, iw, acc_proto, mul, shr, m, lo, hi, kind):
    """:func:`_rows` over ``n_strips`` strips of rows on the thread pool."""
    for s in prange(n_strips):
        y0, y1 = strip_range(x.shape[0], n_strips, s)
        _rows(x, out, y0, y1, xtab, r, cn, small, a0, a1, a2, sat, edge_rule, mid_rule,
              atab, btab, itab, iw, acc_proto, mul, shr, m, lo, hi, kind)


@kernel
def _columns(x, out, b0, b1, ytab, r, wts, rule, flanes, mul, shr, m, lo, hi, kind):
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
            _apply(s, o, 0, n, rule, mul, shr, m, lo, hi, kind)
            for j in range(f0, f1):
                _apply(s, o, flanes[j] - c0, flanes[j] - c0 + 1, RULE_TRUNC, mul, shr, m, lo, hi, kind)
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
def _columns_parallel(x, out, n_parts, ytab, r, wts, rule, flanes, mul, shr, m, lo, hi, kind):
    """:func:`_columns` over ``n_parts`` parts of the lanes (multiples of 64) on the thread pool."""
    lanes = x.shape[1]
    for part in prange(n_parts):
        b0 = min(lanes, ((lanes * part) // n_parts) // 64 * 64)
        b1 = lanes if part == n_parts - 1 else min(lanes, ((lanes * (part + 1)) // n_parts) // 64 * 64)
        _columns(x, out, b0, b1, ytab, r, wts, rule, flanes, mul, shr, m, lo, hi, kind)


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
    """float32 for float32; int32 for integers, as cv2 (whose sums wrap), int64 where ours could overflow."""
    if kind == KIND_F32:
        return np.dtype(np.float32)
    peak = max(abs(int(np.iinfo(dtype).min)), int(np.iinfo(dtype).max)) * (r + 1) ** 2
    return np.dtype(np.int32 if cv2_border or peak < 2**31 else np.int64)


def _row_pass(x, out, cn, r, border, kind, threads):
    """Rows of ``x`` blurred with a tent of radius ``r`` into ``out`` (may be ``x``: rows are buffered)."""
    height, lanes = x.shape
    width = lanes // cn
    kw = 2 * r + 1
    cv2_border = border == BORDER_REPLICATE
    acc = np.empty(0, _acc_dtype(kind, r, cv2_border, x.dtype))
    mul, shr = stackblur_mul_shr(r)
    m = np.float32(1) / np.float32((r + 1) ** 2)
    lo, hi = (0, 0) if kind == KIND_F32 else (int(np.iinfo(x.dtype).min), int(np.iinfo(x.dtype).max))
    small = kw <= 9 and width > kw
    if small and cv2_border:
        vec = _SIMD_BYTES // x.dtype.itemsize
        a0, a2 = r * cn, (width - r) * cn
        a1 = a0 + (a2 - a0) // vec * vec
        edge_rule, mid_rule = RULE_TRUNC, RULE_SHIFT
        sat = kind in (KIND_U16, KIND_S16) and kw >= 5
    elif small:
        a0, a1, a2 = 0, 0, lanes
        edge_rule = mid_rule = RULE_EXACT
        sat = False
        if kind != KIND_F32:
            a1 = lanes
    else:
        a0 = a1 = a2 = 0
        edge_rule, mid_rule, sat = RULE_ROUND, RULE_ROUND, False
    if kind == KIND_F32:
        edge_rule = mid_rule = RULE_FLOAT
    xtab = border_table(width, r, r, border)
    tables = _row_tables(width, r, border) if not small else (np.zeros(1, np.int64),) * 3 + (np.zeros(1),)
    atab, btab, itab, iw = tables
    args = (xtab, r, cn, small, a0, a1, a2, sat, edge_rule, mid_rule,
            atab, btab, itab, iw.astype(acc.dtype), acc, mul, shr, m, lo, hi, kind)
    n_strips = plan_strips(height, lanes, 0) if threads > 1 else 1
    if n_strips == 1:
        _rows(x, out, 0, height, *args)
    else:
        _rows_parallel(x, out, n_strips, *args)


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
    mul, shr = stackblur_mul_shr(min(r, 254))
    m = np.float32(1) / np.float32((r + 1) ** 2)
    lo, hi = (0, 0) if kind == KIND_F32 else (int(np.iinfo(x.dtype).min), int(np.iinfo(x.dtype).max))
    flanes = np.zeros(0, np.int64)
    if kind == KIND_F32:
        rule = RULE_FLOAT
    elif r > 254:
        rule = RULE_TRUNC
    elif cv2_border:
        rule = RULE_SHIFT
        flanes = _cv2_stripe_tails(height, lanes, _SIMD_BYTES // x.dtype.itemsize, threads)
    else:
        rule = RULE_EXACT
    ytab = border_table(height, r, r + 1, border)
    args = (ytab, r, wts, rule, flanes, mul, shr, m, lo, hi, kind)
    n_parts = min(4 * threads, lanes // 256) if threads > 1 and height * lanes >= 1 << 17 else 1
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
    if kw > 1:
        mid = out if kh == 1 else np.empty_like(x)
        _row_pass(x, mid, cn, kw // 2, border, kind, threads)
    else:
        mid = x.copy() if np.may_share_memory(x, out) and kh > 1 else x
    if kh > 1:
        _column_pass(mid, out, kh // 2, border, kind, threads)
    elif kw == 1:
        out[...] = x
