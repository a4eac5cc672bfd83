"""Box-filter driver and kernels: separable running sums, O(1) per pixel in the kernel size.

The plain formula, for an output pixel ``(y, x)`` of a ``kw`` x ``kh`` box anchored at ``(ax, ay)``::

    S(y, x) = sum(src[ytab[y + i], xtab[x + j]] for i in range(kh) for j in range(kw))
    dst(y, x) = normalise(S(y, x))          # OpenCV's rounding recipe, see ``_finish_row``

Per strip of output rows (one strip per task of the thread pool, each with its own ``kh - 1`` rows of halo):

1. a *column sum* per lane of the border-padded width, updated as a running sum down the strip
   (``colsum += row_in - row_out``), vectorised across all ``W * C`` lanes;
2. its horizontal border lanes copied from the interior through the border table;
3. the horizontal window sum of the column sums (``_window_sum``), vectorised across the width;
4. OpenCV's normalisation and saturation into the output row (``_finish_row``).

The accumulator is as narrow as OpenCV's: uint16 for an 8-bit box of area <= 256 (32 lanes per AVX-512
instruction), int32 for other integer sums, float64 for floating-point input.
"""

from __future__ import annotations

import numpy as np
from numba import prange

from .._jit import kernel, parallel_kernel
from .rows import strip_range

__all__ = [
    "FINISH_F32",
    "FINISH_F64",
    "FINISH_FIX8",
    "FINISH_RAW",
    "box_rows",
    "box_rows_parallel",
]

# How a window sum S becomes an output value (one choice per call, branched per row, never per pixel).
FINISH_FIX8 = 0  # 8-bit, area <= 256: ((S + dd) * ds) >> 23, OpenCV's ColumnSum<ushort, uchar>
FINISH_F32 = 1  # int sums to int output: rint(f32(S) * f32(scale)) in OpenCV's SIMD body, f64 in its tail
FINISH_F64 = 2  # S * scale in double, then round half to even and saturate (int) or cast (float)
FINISH_RAW = 3  # normalize=False: saturate S into the output type

# Below this width a window is summed tap by tap; above it, by doubling widths (log2(kw) passes).
_DIRECT_MAX_TAPS = 6


@kernel
def _window_sum(v, out, n, step, k, tmp):
    """``out[i] = v[i] + v[i + step] + ... + v[i + (k - 1) * step]`` for ``i < n``; ``v`` is not changed.

    Small ``k``: ``k`` vector adds over shifted views. Large ``k``: ``tmp`` holds sums of windows of width
    1, 2, 4, ... (each doubling is one vectorised pass), and the binary digits of ``k`` pick which to add,
    so the cost is about ``2 * log2(k)`` passes instead of ``k``.
    """
    # Numba checks every index that might be negative (``a[i + off]``), which blocks SIMD; so each loop
    # indexes views (``a[off:][i]``) with the bare loop counter only.
    if k <= _DIRECT_MAX_TAPS:
        for i in range(n):
            out[i] = v[i]
        for j in range(1, k):
            vj = v[j * step :]
            for i in range(n):
                out[i] += vj[i]
        return
    # Doubling: ``tmp[p]`` holds sums of ``width`` taps; each pass writes sums of 2 * width taps into the
    # other row of ``tmp`` (two buffers, so no loop reads what it writes and every pass vectorises; picking
    # them by index rather than swapping two names keeps LLVM's alias analysis, measured 4x faster).
    length = n + (k - 1) * step
    first_buf = tmp[0]
    for i in range(length):
        first_buf[i] = v[i]
    width = 1
    taken = 0  # taps already added into out
    first = True
    rest = k
    p = 0
    while True:
        cur = tmp[p]
        if rest & 1:
            part = cur[taken * step :]
            if first:
                for i in range(n):
                    out[i] = part[i]
                first = False
            else:
                for i in range(n):
                    out[i] = out[i] + part[i]
            taken += width
        rest >>= 1
        if rest == 0:
            break
        shift = width * step
        length -= shift
        nxt = tmp[1 - p]
        ahead = cur[shift:]
        for i in range(length):  # nxt[i] = cur[i] + cur[i + width * step]
            nxt[i] = cur[i] + ahead[i]
        p = 1 - p
        width *= 2


@kernel
def _finish_row(s, d, mode, ds, dd, scale, tail, lo, hi, to_int):
    """Write window sums ``s`` into the output row ``d`` as OpenCV rounds them (see the FINISH_* codes)."""
    n = d.shape[0]
    if mode == FINISH_FIX8:
        for i in range(n):  # d = ((S + dd) * ds) >> 23, exact in uint32
            d[i] = ((np.uint32(s[i]) + np.uint32(dd)) * np.uint32(ds)) >> np.uint32(23)
    elif mode == FINISH_F32:
        fscale = np.float32(scale)
        for i in range(tail):  # OpenCV's SIMD body: v_round(v_cvt_f32(S) * (float)scale)
            d[i] = min(max(np.rint(np.float32(s[i]) * fscale), lo), hi)
        for i in range(tail, n):  # its scalar tail: saturate_cast<T>(S * (double)scale)
            d[i] = min(max(np.rint(np.float64(s[i]) * scale), lo), hi)
    elif mode == FINISH_F64 and to_int:
        for i in range(n):
            d[i] = min(max(np.rint(np.float64(s[i]) * scale), lo), hi)
    elif mode == FINISH_F64:
        for i in range(n):
            d[i] = np.float64(s[i]) * scale
    elif to_int:  # FINISH_RAW
        for i in range(n):
            d[i] = min(max(s[i], lo), hi)
    else:
        for i in range(n):
            d[i] = s[i]


@kernel
def _box_strip(src, dst, y0, y1, ytab, xtab, before, cn, kw, kh, square, colsum, hsum, tmp, zero,
               mode, ds, dd, scale, tail, lo, hi, to_int):
    """Output rows ``[y0, y1)``: running column sums down the strip, window sums across it."""
    lanes = src.shape[1]
    width = lanes // cn
    base = before * cn
    inner = colsum[base : base + lanes]  # the interior lanes (a view: see _window_sum on indexing)
    for i in range(colsum.shape[0]):
        colsum[i] = 0
    # Prime the column sums with the first kh - 1 rows of the window of row y0.
    for r in range(y0, y0 + kh - 1):
        sy = ytab[r]
        if sy >= 0:
            row = src[sy]
            if square:
                for i in range(lanes):
                    inner[i] = inner[i] + row[i] * row[i]
            else:
                for i in range(lanes):
                    inner[i] = inner[i] + row[i]
    for y in range(y0, y1):
        # colsum += row entering the window (y + kh - 1) - row that left it (y - 1)
        sy_in = ytab[y + kh - 1]
        sy_out = ytab[y - 1] if y > y0 else -1
        row_in = src[sy_in] if sy_in >= 0 else zero
        row_out = src[sy_out] if sy_out >= 0 else zero
        # (accumulate in the accumulator's type: colsum + a - b, never a - b in the source type)
        if square:
            for i in range(lanes):
                inner[i] = inner[i] + row_in[i] * row_in[i] - row_out[i] * row_out[i]
        else:
            for i in range(lanes):
                inner[i] = inner[i] + row_in[i] - row_out[i]
        # Horizontal border: the column sums of border columns are those of the columns they mirror.
        for j in range(xtab.shape[0]):
            if j < before or j >= before + width:
                sx = xtab[j]
                for c in range(cn):
                    colsum[j * cn + c] = inner[sx * cn + c] if sx >= 0 else 0
        _window_sum(colsum, hsum, lanes, cn, kw, tmp)
        _finish_row(hsum, dst[y], mode, ds, dd, scale, tail, lo, hi, to_int)


@kernel
def box_rows(src, dst, ytab, xtab, before, cn, kw, kh, square, acc,
             mode, ds, dd, scale, tail, lo, hi, to_int):
    """Box filter of (H, W*C) rows ``src`` into ``dst`` on the calling thread. ``acc``: accumulator template."""
    padded = acc.shape[0]
    _box_strip(src, dst, 0, src.shape[0], ytab, xtab, before, cn, kw, kh, square,
               np.empty_like(acc), np.empty(src.shape[1], acc.dtype), np.empty((2, padded), acc.dtype),
               np.zeros(src.shape[1], src.dtype), mode, ds, dd, scale, tail, lo, hi, to_int)


@parallel_kernel
def box_rows_parallel(src, dst, ytab, xtab, before, cn, kw, kh, square, acc,
                      mode, ds, dd, scale, tail, lo, hi, to_int, n_strips):
    """As :func:`box_rows`, over ``n_strips`` strips of rows on the thread pool (each its own halo)."""
    height = src.shape[0]
    padded = acc.shape[0]
    zero = np.zeros(src.shape[1], src.dtype)
    for s in prange(n_strips):
        y0, y1 = strip_range(height, n_strips, s)
        _box_strip(src, dst, y0, y1, ytab, xtab, before, cn, kw, kh, square,
                   np.empty_like(acc), np.empty(src.shape[1], acc.dtype), np.empty((2, padded), acc.dtype),
                   zero, mode, ds, dd, scale, tail, lo, hi, to_int)
