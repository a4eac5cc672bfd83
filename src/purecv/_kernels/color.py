"""Colour-conversion kernels: channel shuffles (BGR <-> RGB, +/- alpha, gray -> colour) and colour -> gray.

Images arrive as C-contiguous rows of ``W * scn`` lanes (channels interleaved) and leave as rows of
``W * dcn`` lanes. Each row is converted by a small serial helper whose channel counts and blue index are
passed as literal constants from one branch of the parallel kernel; LLVM inlines the helper, so every
branch becomes a loop with constant strides and offsets that it vectorises (interleaved loads and stores).
A runtime channel count in the pixel loop would block that and cost about 10x.

Gray weights are OpenCV 5.0's (``imgproc/src/color.hpp``):

- integers: ``Y = (B*3735 + G*19235 + R*9798 + (1 << 14)) >> 15`` (15-bit fixed point, rounded), both for
  8-bit and 16-bit images (the 16-bit sum fits an int32);
- float32: ``Y = fma(R, 0.299f, fma(B, 0.114f, G * 0.587f))``, the order of the IPP kernel cv2 calls on
  x86 (AVX-512), including its tail quirk (see ``_gray_row_f32``).
"""

from __future__ import annotations

import numpy as np
from numba import prange

from .._jit import kernel, parallel_kernel
from .fma import fma
from .rows import strip_range

__all__ = [
    "GRAY_WEIGHTS_F32",
    "GRAY_WEIGHTS_FIX15",
    "PARALLEL_MIN_LANES",
    "gray_float",
    "gray_float_parallel",
    "gray_int",
    "gray_int_parallel",
    "shuffle",
    "shuffle_parallel",
]

# Below this many lanes (W * channels, summed over rows) a conversion runs on the calling thread. A
# conversion is one pass over memory (1080p BGR -> gray: about 0.4 ms on one core, as fast as cv2 on
# two), so waking the thread pool pays off only for very large images; on a busy machine a woken worker
# can wait a whole scheduler tick (16 ms measured on the shared 2-vCPU box), 40x the work itself.
PARALLEL_MIN_LANES = 1 << 24

# (B, G, R) weights of cvtColor's colour -> gray, for integer and float32 images.
GRAY_WEIGHTS_FIX15 = (3735, 19235, 9798)
GRAY_WEIGHTS_F32 = (np.float32(0.114), np.float32(0.587), np.float32(0.299))


@kernel
def _shuffle_row(s, d, n, scn, dcn, bidx, alpha):
    """``n`` pixels: ``d[bidx] = s[0]; d[1] = s[1]; d[2 - bidx] = s[2]; d[3] = s[3] or alpha``.

    ``scn == 1`` replicates the gray value into B, G and R. Every pixel is read before it is written, so
    ``s`` and ``d`` may be the same row when ``scn == dcn`` (in place).
    """
    if scn == 4 and dcn == 3 and s.itemsize == 4:
        # float32 4 -> 3: indexing flat lanes, LLVM emits gathers 10x slower than this 2-D form.
        s2 = s.reshape(n, 4)
        d2 = d.reshape(n, 3)
        for x in range(n):
            d2[x, bidx] = s2[x, 0]
            d2[x, 1] = s2[x, 1]
            d2[x, 2 - bidx] = s2[x, 2]
        return
    for x in range(n):
        p = x * scn
        q = x * dcn
        if scn == 1:
            b = g = r = s[p]
        else:
            b = s[p]
            g = s[p + 1]
            r = s[p + 2]
        a = s[p + 3] if scn == 4 else alpha
        d[q + bidx] = b
        d[q + 1] = g
        d[q + 2 - bidx] = r
        if dcn == 4:
            d[q + 3] = a


@kernel
def shuffle(src, dst, scn, dcn, bidx, alpha, y0, y1):
    """Rows ``y0:y1`` of ``scn``-channel pixels (1, 3 or 4) to rows of ``dcn``-channel pixels (3 or 4).

    ``bidx`` is 2 to swap B and R, else 0; ``alpha`` (of ``dst``'s dtype) fills a fourth channel that
    ``src`` lacks. Identity copies (3 -> 3 and 4 -> 4 without a swap) never reach this kernel.
    """
    width = dst.shape[1] // dcn
    for y in range(y0, y1):
        s = src[y]
        d = dst[y]
        # One branch per layout, each with literal constants (see the module docstring).
        if scn == 1:
            if dcn == 3:
                _shuffle_row(s, d, width, 1, 3, 0, alpha)
            else:
                _shuffle_row(s, d, width, 1, 4, 0, alpha)
        elif scn == 3:
            if dcn == 3:
                _shuffle_row(s, d, width, 3, 3, 2, alpha)
            elif bidx == 0:
                _shuffle_row(s, d, width, 3, 4, 0, alpha)
            else:
                _shuffle_row(s, d, width, 3, 4, 2, alpha)
        elif dcn == 4:
            _shuffle_row(s, d, width, 4, 4, 2, alpha)
        elif bidx == 0:
            _shuffle_row(s, d, width, 4, 3, 0, alpha)
        else:
            _shuffle_row(s, d, width, 4, 3, 2, alpha)


@parallel_kernel
def shuffle_parallel(src, dst, scn, dcn, bidx, alpha, n_strips):
    """:func:`shuffle` over ``n_strips`` strips of rows on the thread pool."""
    for strip in prange(n_strips):
        y0, y1 = strip_range(src.shape[0], n_strips, strip)
        shuffle(src, dst, scn, dcn, bidx, alpha, y0, y1)


@kernel
def _gray_row_int(s, d, n, scn, c0, c1, c2):
    """``d[x] = (s0 * c0 + s1 * c1 + s2 * c2 + 2**14) >> 15`` per pixel (weights sum to 2**15)."""
    for x in range(n):
        p = x * scn
        d[x] = (np.int32(s[p]) * c0 + np.int32(s[p + 1]) * c1 + np.int32(s[p + 2]) * c2 + 16384) >> 15


@kernel
def _gray_row_f32(s, d, n, scn, c0, c1, c2):
    """``d[x] = fma(s2, c2, fma(s0, c0, s1 * c1))`` per pixel (IPP's order; one rounding per fma)."""
    if scn == 4:  # the 2-D form vectorises; flat lanes with a gap make LLVM emit slow gathers (x4)
        s2 = s.reshape(n, 4)
        for x in range(n):
            d[x] = fma(s2[x, 2], c2, fma(s2[x, 0], c0, s2[x, 1] * c1))
        return
    for x in range(n):
        p = x * scn
        d[x] = fma(s[p + 2], c2, fma(s[p], c0, s[p + 1] * c1))
    if scn == 3 and n % 8 >= 4:
        # IPP handles 8 pixels at a time, then one block of 4 whose lanes 0 and 2 add channel 0 first.
        for x in range(n - n % 8, n - n % 8 + 4, 2):
            p = x * 3
            d[x] = fma(s[p + 2], c2, fma(s[p + 1], c1, s[p] * c0))


@kernel
def gray_int(src, dst, scn, c0, c1, c2, y0, y1):
    """Rows ``y0:y1`` of 3- or 4-channel uint8/uint16 pixels to gray; ``c0`` weighs channel 0 (B, or R)."""
    for y in range(y0, y1):
        if scn == 3:
            _gray_row_int(src[y], dst[y], dst.shape[1], 3, c0, c1, c2)
        else:
            _gray_row_int(src[y], dst[y], dst.shape[1], 4, c0, c1, c2)


@kernel
def gray_float(src, dst, scn, c0, c1, c2, y0, y1):
    """Rows ``y0:y1`` of 3- or 4-channel float32 pixels to gray; ``c0`` weighs channel 0 (B, or R)."""
    for y in range(y0, y1):
        if scn == 3:
            _gray_row_f32(src[y], dst[y], dst.shape[1], 3, c0, c1, c2)
        else:
            _gray_row_f32(src[y], dst[y], dst.shape[1], 4, c0, c1, c2)


@parallel_kernel
def gray_int_parallel(src, dst, scn, c0, c1, c2, n_strips):
    """:func:`gray_int` over ``n_strips`` strips of rows on the thread pool."""
    for strip in prange(n_strips):
        y0, y1 = strip_range(src.shape[0], n_strips, strip)
        gray_int(src, dst, scn, c0, c1, c2, y0, y1)


@parallel_kernel
def gray_float_parallel(src, dst, scn, c0, c1, c2, n_strips):
    """:func:`gray_float` over ``n_strips`` strips of rows on the thread pool."""
    for strip in prange(n_strips):
        y0, y1 = strip_range(src.shape[0], n_strips, strip)
        gray_float(src, dst, scn, c0, c1, c2, y0, y1)
