"""Stack blur: ``stackBlur``, cv2 5.0.0's near-Gaussian tent blur, O(1) per pixel in the kernel size.

Semantics are cv2's: odd ``ksize`` reduced to the image size, BORDER_REPLICATE, uint8, uint16, int16 and
float32 with any number of channels, and cv2's rounding, which depends on where a lane sits (see
``purecv._kernels.stackblur``). Beyond cv2: ``borderType`` may also be BORDER_WRAP, BORDER_REFLECT or
BORDER_REFLECT_101 (keyword-only).
"""

from __future__ import annotations

import numpy as np

from .._kernels.rows import as_rows
from .._kernels.stackblur import stack_blur
from .._validate import check_border, check_dst, check_image, check_ksize
from ..constants import BORDER_REFLECT, BORDER_REFLECT_101, BORDER_REPLICATE, BORDER_WRAP

__all__ = ["stackBlur"]

_DTYPES = (np.uint8, np.uint16, np.int16, np.float32)  # cv2 refuses the others (StsNotImplemented)
_BORDERS = (BORDER_REPLICATE, BORDER_REFLECT, BORDER_WRAP, BORDER_REFLECT_101)


def _fit(k: int, n: int) -> int:
    """cv2 reduces a kernel longer than the image to the longest odd length that fits."""
    if k <= n:
        return k
    return max(1, n - 1) if n % 2 == 0 else n


def stackBlur(  # noqa: N802 (cv2's name)
    src: np.ndarray,
    ksize: tuple[int, int],
    dst: np.ndarray | None = None,
    *,
    borderType: int = BORDER_REPLICATE,  # noqa: N803 (cv2's spelling)
) -> np.ndarray:
    """Blur an image with a stack blur (a tent along each axis), as ``cv2.stackBlur``.

    Each output pixel is ``sum(w(i) * w(j) * src(y + i, x + j)) / ((rx + 1)**2 * (ry + 1)**2)`` with tent
    weights ``w(j) = r + 1 - |j|``, ``r = ksize // 2``, computed as cv2 does: a row pass, rounded back to
    the source type, then a column pass, each with running sums (O(1) per pixel whatever the size).

    Parameters
    ----------
    src : numpy.ndarray
        (H, W) or (H, W, C) image of uint8, uint16, int16 or float32, any C <= 512.
    ksize : tuple of int
        Kernel size ``(width, height)``, each positive and odd. A size larger than the image is reduced
        to the largest odd size that fits, as cv2 does; ``(1, 1)`` copies.
    dst : numpy.ndarray, optional
        Output array of the same shape and dtype as the result (or (H, W, 1) for one channel); may be
        ``src`` itself (in place).
    borderType : int, keyword-only
        purecv extra. ``BORDER_REPLICATE`` (cv2's only border, the default), ``BORDER_WRAP``,
        ``BORDER_REFLECT`` or ``BORDER_REFLECT_101``.

    Returns
    -------
    numpy.ndarray
        The blurred image (``dst`` when given); an (H, W, 1) source gives (H, W), as in cv2.

    Notes
    -----
    With ``BORDER_REPLICATE``, integer results are bit-identical to cv2 5.0.0 and float32 results agree
    with it to the last bit in our tests (promised: 1e-5 relative). cv2 rounds some lanes its SIMD code
    and some its scalar code, and where the column pass switches depends on its thread count; purecv
    reproduces cv2 with ``cv2.setNumThreads(n)`` when ``purecv.setNumThreads(n)`` is the same ``n``.
    The other borders round one way per pass (cv2's interior rule on exact sums), whatever the threads.

    Examples
    --------
    >>> import numpy as np, purecv
    >>> img = np.zeros((5, 7), np.uint8)
    >>> img[2, 3] = 160
    >>> purecv.stackBlur(img, (3, 3))
    array([[ 0,  0,  0,  0,  0,  0,  0],
           [ 0,  0, 10, 20, 10,  0,  0],
           [ 0,  0, 20, 40, 20,  0,  0],
           [ 0,  0, 10, 20, 10,  0,  0],
           [ 0,  0,  0,  0,  0,  0,  0]], dtype=uint8)

    The tent wraps around the image with ``BORDER_WRAP``:

    >>> row = np.array([[0, 0, 0, 0, 90]], np.float32)
    >>> purecv.stackBlur(row, (3, 1), borderType=purecv.BORDER_WRAP)
    array([[22.5,  0. ,  0. , 22.5, 45. ]], dtype=float32)
    """
    func = "stackBlur"
    src = check_image(func, src, dtypes=_DTYPES)
    kw, kh = check_ksize(func, ksize)
    if kw % 2 == 0 or kh % 2 == 0:
        msg = f"{func}: 'ksize' must be a pair of positive odd ints (width, height); got ({kw}, {kh})"
        raise ValueError(msg)
    border = check_border(func, borderType, _BORDERS)
    height, width = src.shape[:2]
    cn = 1 if src.ndim == 2 else src.shape[2]
    out_shape = src.shape if src.ndim == 2 or cn > 1 else src.shape[:2]
    if cn == 1 and isinstance(dst, np.ndarray) and dst.shape == (height, width, 1):
        out_shape = dst.shape  # cv2 also fills a (H, W, 1) dst for a single-channel source
    dst = check_dst(func, dst, out_shape, src.dtype)
    out = dst if dst is not None and dst.flags.c_contiguous else np.empty(out_shape, src.dtype)
    stack_blur(as_rows(src), out.reshape(height, width * cn), cn, _fit(kw, width), _fit(kh, height), border)
    if dst is not None and out is not dst:
        dst[...] = out
        return dst
    return out
