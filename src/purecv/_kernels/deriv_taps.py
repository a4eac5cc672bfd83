"""Sobel and Scharr taps as cv2 builds them (``getSobelKernels`` / ``getScharrKernels`` in ``deriv.cpp``).

Examples
--------
>>> sobel_taps(1, 5), sobel_taps(2, 5)
([-1, -2, 0, 2, 1], [1, 0, -2, 0, 1])
>>> deriv_taps(0, 1, -1)
([3, 10, 3], [-1, 0, 1], 5, 0)
"""

from __future__ import annotations

__all__ = ["deriv_taps", "sobel_taps"]


def sobel_taps(order: int, ksize: int) -> list[int]:
    """Integer taps of one axis of cv2's Sobel kernel: a binomial smoothed ``ksize - order - 1`` times,
    differenced ``order`` times (``getSobelKernels``)."""
    if ksize == 1:
        return [1]
    if ksize == 3:
        return [[1, 2, 1], [-1, 0, 1], [1, -2, 1]][order]
    taps = [1] + [0] * ksize
    for _ in range(ksize - order - 1):  # smooth: taps[j] += taps[j - 1]
        taps = [taps[0]] + [taps[j] + taps[j - 1] for j in range(1, ksize + 1)]
    for _ in range(order):  # difference: taps[j] = taps[j - 1] - taps[j]
        taps = [-taps[0]] + [taps[j - 1] - taps[j] for j in range(1, ksize + 1)]
    return taps[:ksize]


def deriv_taps(dx: int, dy: int, ksize: int) -> tuple[list[int], list[int], int, int]:
    """Unnormalised taps ``(kx, ky)`` and the exponents ``e`` of their normalisation ``2**-e``.

    ``ksize <= 0`` is Scharr (``dx + dy == 1``); ``ksize == 1`` uses 3 taps along a differentiated axis.
    The arguments are valid (the public functions check them first).
    """
    if ksize <= 0:  # Scharr: 1/32 for the smoothing part
        pick = ([3, 10, 3], [-1, 0, 1])
        return pick[dx], pick[dy], 5 * (dx == 0), 5 * (dy == 0)
    kx_size = 3 if ksize == 1 and dx > 0 else ksize
    ky_size = 3 if ksize == 1 and dy > 0 else ksize
    return sobel_taps(dx, kx_size), sobel_taps(dy, ky_size), kx_size - dx - 1, ky_size - dy - 1
