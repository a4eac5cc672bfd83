"""Slow, readable references: the article's naive blur, and NumPy models of borders and box filters.

Nothing here is fast and nothing here is compiled. These functions are the yardsticks the tests and the
demo measure purecv against, so they are written to be read, independently of purecv's own machinery
(:mod:`purecv._border` and the kernels are not used):

- :func:`naive_box_blur` is the article's pure-Python blur, exactly as the article runs it (a clamped
  ``(2r+1) x (2r+1)`` window, the mean truncated to the image's dtype). It computes a *different* blur
  from ``cv2.blur``; the demo times it and reports how far it lands from purecv's definition.
- :func:`pad` extends an image with any border mode, like ``cv2.copyMakeBorder`` (plus ``BORDER_WRAP``
  with any pad size).
- :func:`box_filter_ref` is ``cv2.boxFilter`` as window sums over the padded image, with OpenCV's exact
  fixed-point rounding for 8-bit output.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ._validate import DTYPE_OF
from .constants import (
    BORDER_CONSTANT,
    BORDER_DEFAULT,
    BORDER_ISOLATED,
    BORDER_REFLECT,
    BORDER_REFLECT_101,
    BORDER_REPLICATE,
    BORDER_WRAP,
)

__all__ = ["border_source", "box_filter_ref", "naive_box_blur", "pad"]

_BORDERS = (BORDER_CONSTANT, BORDER_REPLICATE, BORDER_REFLECT, BORDER_WRAP, BORDER_REFLECT_101)


def naive_box_blur(
    image: np.ndarray,
    diameter: int,
    progress: Callable[[int], object] | object | None = None,
) -> np.ndarray:
    """Blur ``image`` the way the article's pure-Python version does, one pixel at a time.

    For every pixel ``(x, y)`` (``x`` over rows, ``y`` over columns) the output is the mean, over rows and
    columns, of the window ``image[max(0, x-r):min(h, x+r+1), max(0, y-r):min(w, y+r+1)]`` with
    ``r = diameter // 2``, stored into a copy of the image (so an 8-bit mean is truncated, not rounded).
    An even ``diameter`` therefore averages a ``(diameter + 1)``-wide window, and windows near the edges
    shrink instead of reading a border: this is *not* ``cv2.blur``'s definition.

    Parameters
    ----------
    image : numpy.ndarray
        (H, W) or (H, W, C) array.
    diameter : int
        The article's "diameter"; the window is ``2 * (diameter // 2) + 1`` pixels wide.
    progress : callable or tqdm bar, optional
        Called once per finished row with ``1`` (a tqdm bar's ``update`` is used if it has one).

    Returns
    -------
    numpy.ndarray
        The blurred copy, same shape and dtype as ``image``.

    Examples
    --------
    >>> import numpy as np
    >>> img = np.array([[0, 0, 0], [0, 90, 0], [0, 0, 0]], dtype=np.uint8)
    >>> naive_box_blur(img, 2)  # corners average 4 pixels (90/4 = 22.5), edges 6 (15), centre 9 (10)
    array([[22, 15, 22],
           [15, 10, 15],
           [22, 15, 22]], dtype=uint8)
    """
    update = getattr(progress, "update", progress)
    h, w = image.shape[:2]
    r = diameter // 2
    out = image.copy()
    for x in range(h):
        for y in range(w):
            window = image[max(0, x - r) : min(h, x + r + 1), max(0, y - r) : min(w, y + r + 1)]
            out[x, y] = window.mean(axis=(0, 1))
        if update is not None:
            update(1)
    return out


def border_source(p: int, n: int, border_type: int) -> int:
    """Return the index along an axis of length ``n`` that position ``p`` reads, or -1 for a constant.

    This is OpenCV's ``borderInterpolate``, reflections iterated until the index lands inside, written
    as the plain loop.

    Examples
    --------
    >>> [border_source(p, 3, BORDER_REFLECT_101) for p in range(-4, 7)]
    [0, 1, 2, 1, 0, 1, 2, 1, 0, 1, 2]
    >>> [border_source(p, 3, BORDER_REFLECT) for p in range(-4, 7)]
    [2, 2, 1, 0, 0, 1, 2, 2, 1, 0, 0]
    >>> [border_source(p, 3, BORDER_WRAP) for p in (-4, -1, 3, 7)], border_source(-1, 3, BORDER_CONSTANT)
    ([2, 2, 0, 1], -1)
    """
    border_type &= ~BORDER_ISOLATED
    if 0 <= p < n:
        return p
    if border_type == BORDER_CONSTANT:
        return -1
    if border_type == BORDER_REPLICATE:
        return 0 if p < 0 else n - 1
    if border_type == BORDER_WRAP:
        return p % n
    if border_type not in (BORDER_REFLECT, BORDER_REFLECT_101):
        msg = f"border_source: unknown border type {border_type!r}"
        raise ValueError(msg)
    if n == 1:
        return 0
    skip_edge = 1 if border_type == BORDER_REFLECT_101 else 0  # REFLECT_101 does not repeat the edge
    while not 0 <= p < n:
        p = -p - 1 + skip_edge if p < 0 else 2 * n - 1 - p - skip_edge
    return p


def pad(
    image: np.ndarray,
    top: int,
    bottom: int,
    left: int,
    right: int,
    borderType: int,  # noqa: N803 (cv2's name)
    value: float | Sequence[float] = 0,
) -> np.ndarray:
    """Extend ``image`` by the given number of rows and columns with a border, like cv2.copyMakeBorder.

    Pads may be larger than the image: reflections are iterated as OpenCV does. ``value`` fills
    ``BORDER_CONSTANT``; a number fills every channel (``cv2.copyMakeBorder`` takes a bare number as
    ``(value, 0, 0, 0)``), a sequence gives one value per channel.

    Examples
    --------
    >>> import numpy as np
    >>> row = np.array([[1, 2, 3]], dtype=np.uint8)
    >>> pad(row, 0, 0, 4, 4, BORDER_REFLECT_101)
    array([[1, 2, 3, 2, 1, 2, 3, 2, 1, 2, 3]], dtype=uint8)
    >>> pad(row, 0, 0, 2, 2, BORDER_WRAP)
    array([[2, 3, 1, 2, 3, 1, 2]], dtype=uint8)
    >>> pad(row, 1, 0, 1, 1, BORDER_CONSTANT, value=9)
    array([[9, 9, 9, 9, 9],
           [9, 1, 2, 3, 9]], dtype=uint8)
    """
    if (borderType & ~BORDER_ISOLATED) not in _BORDERS:
        msg = f"pad: 'borderType' must be a BORDER_* constant (not BORDER_TRANSPARENT); got {borderType!r}"
        raise ValueError(msg)
    h, w = image.shape[:2]
    rows = np.array([border_source(p, h, borderType) for p in range(-top, h + bottom)], dtype=np.int64)
    cols = np.array([border_source(p, w, borderType) for p in range(-left, w + right)], dtype=np.int64)
    out = image[np.maximum(rows, 0)][:, np.maximum(cols, 0)]
    constant = (rows[:, None] < 0) | (cols[None, :] < 0)
    if constant.any():
        fill = np.asarray(value, dtype=np.float64)
        if fill.ndim == 1 and image.ndim == 3:
            fill = fill[: image.shape[2]]
        elif fill.ndim == 1:
            fill = fill[0]
        out[constant] = fill
    return out


def _round_box_8u(sums: np.ndarray, area: int) -> np.ndarray:
    """OpenCV's normalisation of 8-bit box sums (``ColumnSum<ushort, uchar>``, and its int32 sibling).

    For ``1 < area <= 256``: ``((S + dd) * ds) >> 23`` with ``ds = 2**23 / area`` rounded to the nearest
    int and ``dd = area // 2 + (1 if the fraction of 2**23 / area is below 0.5 else 0)``: round-half-up of
    ``S / area`` except for power-of-two areas, which round ``(S + area/2 + 1) / area`` down.
    For larger areas: ``rint(float32(S) * float32(1 / area))`` (ties to even; OpenCV's scalar tail columns
    round ties up instead, so exact ties there depend on the CPU's SIMD width).
    """
    s = sums.astype(np.int64)
    if area == 1:  # OpenCV skips the division
        return s
    if area <= 256:
        exact = (1 << 23) / area
        frac = exact - np.floor(exact)
        ds = int(np.floor(exact)) if frac < 0.5 else int(np.ceil(exact))
        dd = area // 2 + (1 if frac < 0.5 else 0)
        return ((s + dd) * ds) >> 23
    return np.rint(s.astype(np.float32) * np.float32(1.0 / area))


def box_filter_ref(
    image: np.ndarray,
    ksize: tuple[int, int],
    anchor: tuple[int, int] = (-1, -1),
    normalize: bool = True,
    borderType: int = BORDER_DEFAULT,  # noqa: N803 (cv2's name)
    ddepth: int = -1,
) -> np.ndarray:
    """cv2.boxFilter as plain window sums over :func:`pad`'s padded image, in float64.

    The window of output pixel ``(y, x)`` covers rows ``y - ay .. y - ay + kh - 1`` and columns
    ``x - ax .. x - ax + kw - 1`` (``ksize = (kw, kh)``, anchor ``(-1, -1)`` = ``(kw // 2, kh // 2)``).
    ``BORDER_CONSTANT`` reads zeros; ``BORDER_WRAP`` (which cv2 refuses) wraps around.
    Output rounding follows OpenCV: 8-bit normalised output uses its fixed-point recipe
    (see :func:`_round_box_8u`), other integer outputs round ``S / area`` to nearest (ties to even) and
    saturate, float outputs are ``S * (1 / area)`` cast to the output dtype.

    Parameters
    ----------
    image : numpy.ndarray
        (H, W) or (H, W, C) array.
    ksize : (int, int)
        Kernel width and height.
    anchor : (int, int)
        Kernel anchor ``(x, y)``; -1 means the centre.
    normalize : bool
        Divide by the kernel area (True) or return raw sums.
    borderType : int
        A BORDER_* constant, BORDER_WRAP included.
    ddepth : int
        Output depth (``CV_8U`` ...), -1 for the input's dtype.

    Examples
    --------
    >>> import numpy as np
    >>> img = np.zeros((3, 4), dtype=np.uint8); img[1, 1] = 1
    >>> box_filter_ref(img, (2, 2), borderType=BORDER_CONSTANT)  # 1/4 gives 1: OpenCV's rounding
    array([[0, 0, 0, 0],
           [0, 1, 1, 0],
           [0, 1, 1, 0]], dtype=uint8)
    >>> box_filter_ref(np.arange(4.0).reshape(1, 4), (3, 1), borderType=BORDER_WRAP)
    array([[1.33333333, 1.        , 2.        , 1.66666667]])
    >>> from purecv.constants import CV_32S
    >>> box_filter_ref(np.full((2, 2), 200, np.uint8), (3, 3), normalize=False, ddepth=CV_32S)
    array([[1800, 1800],
           [1800, 1800]], dtype=int32)
    """
    kw, kh = ksize
    ax = kw // 2 if anchor[0] == -1 else anchor[0]
    ay = kh // 2 if anchor[1] == -1 else anchor[1]
    out_dtype = np.dtype(image.dtype if ddepth == -1 else DTYPE_OF[ddepth])
    h, w = image.shape[:2]
    padded = pad(image.astype(np.float64), ay, kh - 1 - ay, ax, kw - 1 - ax, borderType)
    sums = np.zeros(image.shape, dtype=np.float64)
    for dy in range(kh):  # plain window sum: every tap is a shifted view of the padded image
        for dx in range(kw):
            sums += padded[dy : dy + h, dx : dx + w]
    area = kw * kh
    if not normalize:
        values = sums
    elif out_dtype == np.uint8 and image.dtype == np.uint8:
        values = _round_box_8u(sums, area)
    elif out_dtype.kind in "iu" and image.dtype.kind in "iu" and area <= (1 << 15):
        # OpenCV's int32 sums into an integer type: float32(S) * float32(1 / area), rounded to even
        values = sums.astype(np.float32) * np.float32(1.0 / area)
    else:
        values = sums * (1.0 / area)
    if out_dtype.kind in "iu":
        info = np.iinfo(out_dtype)
        values = np.clip(np.rint(values), info.min, info.max)
    return values.astype(out_dtype)
