"""PNG scanline filters (PNG spec, section 9): undo them when decoding, choose and apply them when encoding.

A filtered image is ``height`` rows of ``1 + rowbytes`` bytes: a filter type (0 None, 1 Sub, 2 Up,
3 Average, 4 Paeth) and the row's bytes, each predicted from ``a`` (the byte ``bpp`` to the left), ``b``
(the byte above) and ``c`` (above-left), all zero outside the image::

    Sub: x - a    Up: x - b    Average: x - (a + b) // 2    Paeth: x - paeth(a, b, c)      (mod 256)

Rows depend on the row above, so the kernels are serial; zlib dominates the time anyway.
"""

from __future__ import annotations

import numpy as np

from .._jit import kernel

__all__ = ["FILTER_BITS", "filter_rows", "unfilter_rows"]

# cv2's IMWRITE_PNG_FILTER bits, one per filter type: NONE, SUB, UP, AVG, PAETH.
FILTER_BITS = (8, 16, 32, 64, 128)


@kernel
def _paeth(a, b, c):
    p = a + b - c
    pa = abs(p - a)
    pb = abs(p - b)
    pc = abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    if pb <= pc:
        return b
    return c


@kernel
def unfilter_rows(data, height, rowbytes, bpp, out):
    """Undo the filters of ``data`` (``height`` rows of ``1 + rowbytes`` bytes) into ``out`` (``rowbytes``).

    Returns -1, or the index of the first row whose filter type is not 0..4 (the driver reports it).
    One loop per filter type (the type is constant along a row); uint8 stores wrap modulo 256.
    """
    zero = np.zeros(rowbytes, np.uint8)
    for y in range(height):
        base = y * (rowbytes + 1)
        ftype = data[base]
        row = data[base + 1 : base + 1 + rowbytes]
        cur = out[y]
        prev = out[y - 1] if y > 0 else zero
        if ftype == 0:
            cur[:] = row
        elif ftype == 1:  # x + a
            cur[:bpp] = row[:bpp]
            for i in range(bpp, rowbytes):
                cur[i] = row[i] + cur[i - bpp]
        elif ftype == 2:  # x + b
            for i in range(rowbytes):
                cur[i] = row[i] + prev[i]
        elif ftype == 3:  # x + (a + b) // 2
            for i in range(bpp):
                cur[i] = row[i] + (prev[i] >> 1)
            for i in range(bpp, rowbytes):
                cur[i] = row[i] + ((np.int32(cur[i - bpp]) + prev[i]) >> 1)
        elif ftype == 4:  # x + paeth(a, b, c)
            for i in range(bpp):
                cur[i] = row[i] + prev[i]
            for i in range(bpp, rowbytes):
                cur[i] = row[i] + _paeth(np.int32(cur[i - bpp]), np.int32(prev[i]), np.int32(prev[i - bpp]))
        else:
            return y
    return -1


@kernel
def _filter_one(row, prev, bpp, ftype, out):
    """Filter ``row`` with ``ftype`` (``prev``: the row above, zeros for the first) into ``out``.

    Returns libpng's cost of the choice: the sum of the filtered bytes' magnitudes as signed bytes.
    """
    n = row.shape[0]
    if ftype == 0:
        out[:] = row
    elif ftype == 1:
        out[:bpp] = row[:bpp]
        for i in range(bpp, n):
            out[i] = row[i] - row[i - bpp]
    elif ftype == 2:
        for i in range(n):
            out[i] = row[i] - prev[i]
    elif ftype == 3:
        for i in range(bpp):
            out[i] = row[i] - (prev[i] >> 1)
        for i in range(bpp, n):
            out[i] = row[i] - ((np.int32(row[i - bpp]) + prev[i]) >> 1)
    else:
        for i in range(bpp):
            out[i] = row[i] - prev[i]
        for i in range(bpp, n):
            out[i] = row[i] - _paeth(np.int32(row[i - bpp]), np.int32(prev[i]), np.int32(prev[i - bpp]))
    total = 0
    for i in range(n):
        v = np.int32(out[i])
        total += v if v < 128 else 256 - v
    return total


@kernel
def filter_rows(img, bpp, allowed, out):
    """Filter the rows of ``img`` (``height`` x ``rowbytes`` bytes) into ``out`` (rows of ``1 + rowbytes``).

    ``allowed`` is a mask of ``FILTER_BITS``. With one filter allowed every row uses it; with several, each
    row takes the one with the smallest sum of absolute signed bytes (libpng's heuristic, ties to the
    lower type).
    """
    height, rowbytes = img.shape
    zero = np.zeros(rowbytes, np.uint8)
    tmp = np.empty(rowbytes, np.uint8)
    for y in range(height):
        prev = img[y - 1] if y > 0 else zero
        best = -1
        best_cost = 0
        for ftype in range(5):
            if not allowed & (8 << ftype):
                continue
            if allowed == (8 << ftype):  # the only one: no cost to compare
                _filter_one(img[y], prev, bpp, ftype, out[y, 1:])
                out[y, 0] = ftype
                break
            cost = _filter_one(img[y], prev, bpp, ftype, tmp)
            if best < 0 or cost < best_cost:
                best = ftype
                best_cost = cost
                out[y, 0] = ftype
                out[y, 1:] = tmp
    return out
