"""The one border mechanism: map out-of-range coordinates to source coordinates, for every mode.

Filters never branch on the border per pixel. A driver asks for an index table once per call,

    table = border_table(n, before, after, border)      # len(table) == before + n + after

where ``table[before + p]`` is the source index that padded position ``p`` (``-before <= p < n + after``)
reads, or ``-1`` where ``BORDER_CONSTANT`` supplies the constant. Kernels then gather rows and columns
through the table. The mapping is OpenCV's ``borderInterpolate``, including iterated reflection for
kernels larger than the image, plus ``BORDER_WRAP`` (which cv2's filters refuse).

Examples
--------
>>> from purecv.constants import BORDER_REFLECT_101, BORDER_WRAP, BORDER_CONSTANT
>>> border_table(4, 2, 2, BORDER_REFLECT_101).tolist()
[2, 1, 0, 1, 2, 3, 2, 1]
>>> border_table(4, 2, 2, BORDER_WRAP).tolist()
[2, 3, 0, 1, 2, 3, 0, 1]
>>> border_table(3, 1, 1, BORDER_CONSTANT).tolist()
[-1, 0, 1, 2, -1]
"""

from __future__ import annotations

import functools

import numpy as np

from .constants import BORDER_CONSTANT, BORDER_REFLECT, BORDER_REFLECT_101, BORDER_REPLICATE, BORDER_WRAP

__all__ = ["border_interpolate", "border_table"]


@functools.lru_cache(maxsize=256)
def border_table(n: int, before: int, after: int, border: int) -> np.ndarray:
    """Return the source index (or -1 for CONSTANT) of each of ``before + n + after`` padded positions.

    Tables are cached (a small image's call would otherwise spend more time building them than filtering)
    and returned read-only.
    """
    table = _build_table(n, before, after, border)
    table.flags.writeable = False
    return table


def _build_table(n: int, before: int, after: int, border: int) -> np.ndarray:
    p = np.arange(-before, n + after, dtype=np.int64)
    if border == BORDER_CONSTANT:
        return np.where((p >= 0) & (p < n), p, -1)
    if border == BORDER_REPLICATE:
        return np.clip(p, 0, n - 1)
    if border == BORDER_WRAP:
        return np.mod(p, n)
    if n == 1:
        return np.zeros_like(p)
    if border == BORDER_REFLECT:  # fedcba|abcdefgh|hgfedcb: period 2n
        q = np.mod(p, 2 * n)
        return np.where(q < n, q, 2 * n - 1 - q)
    if border == BORDER_REFLECT_101:  # gfedcb|abcdefgh|gfedcba: period 2n - 2
        q = np.mod(p, 2 * n - 2)
        return np.where(q < n, q, 2 * n - 2 - q)
    msg = f"border_table: unknown border {border!r}"
    raise ValueError(msg)


def border_interpolate(p: int, n: int, border: int) -> int:
    """Return the source index for coordinate ``p`` of an axis of length ``n`` (cv2.borderInterpolate).

    Examples
    --------
    >>> from purecv.constants import BORDER_REFLECT
    >>> border_interpolate(-1, 5, BORDER_REFLECT), border_interpolate(5, 5, BORDER_REFLECT)
    (0, 4)
    """
    if 0 <= p < n:
        return p
    return int(border_table(n, max(0, -p), max(0, p - n + 1), border)[0 if p < 0 else -1])
