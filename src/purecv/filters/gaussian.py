"""Gaussian smoothing: ``getGaussianKernel`` and ``GaussianBlur`` with cv2 5.0.0's rules and arithmetic.

The taps are OpenCV's bit-exact ones (software double, its own ``exp``). 8-bit and 16-bit images take
OpenCV's fixed-point path: taps quantised with error diffusion to 8 (16) fractional bits, an exact
horizontal pass, then one rounding ``(acc + 2**(2F-1)) >> 2F`` after the vertical pass. Other depths run
``sepFilter2D`` with float32 (float64) taps, as cv2 does.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .._kernels.gauss_taps import fixed_point_taps, gaussian_taps
from .._kernels.sep_plan import fixed_point_plan, linear_plan
from .._validate import check_border, check_dst, check_image, check_number
from ..constants import (
    ALGO_HINT_ACCURATE,
    ALGO_HINT_APPROX,
    ALGO_HINT_DEFAULT,
    BORDER_CONSTANT,
    BORDER_DEFAULT,
    CV_32F,
    CV_64F,
)
from .separable import check_border_value, run_separable

__all__ = ["GaussianBlur", "getGaussianKernel"]

_DBL_EPSILON = float(np.finfo(np.float64).eps)


def _is_int(value: object) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)


def getGaussianKernel(ksize: int, sigma: float, ktype: int = CV_64F) -> np.ndarray:  # noqa: N802
    """Return the ``ksize`` x 1 Gaussian kernel, as ``cv2.getGaussianKernel``.

    ``k[i] = alpha * exp(-(i - (ksize - 1) / 2)**2 / (2 * sigma**2))``, ``alpha`` making the taps sum to 1.
    ``sigma <= 0`` means ``0.3 * ((ksize - 1) * 0.5 - 1) + 0.8``, except for ksize 1, 3, 5, 7 and 9, which
    then use OpenCV's fixed tables (binomial-like; for 9, ``{4, 13, 30, 51, 60, ...} / 256``).

    Parameters
    ----------
    ksize : int
        Number of taps, >= 1 (even sizes are accepted, as cv2 does).
    sigma : float
        Standard deviation; <= 0 derives it from ``ksize`` as above.
    ktype : int
        ``CV_64F`` (default) or ``CV_32F``.

    Returns
    -------
    numpy.ndarray
        Shape (ksize, 1), identical to cv2's: OpenCV computes the taps in software double with its own
        ``exp``, and purecv reproduces that bit for bit.

    Examples
    --------
    >>> import purecv
    >>> purecv.getGaussianKernel(3, 0).ravel().tolist()
    [0.25, 0.5, 0.25]
    >>> purecv.getGaussianKernel(5, 1.0, purecv.CV_32F).ravel()
    array([0.05448868, 0.24420135, 0.40261996, 0.24420135, 0.05448868],
          dtype=float32)
    """
    func = "getGaussianKernel"
    if not _is_int(ksize):
        msg = f"{func}: 'ksize' must be an int; got {ksize!r}"
        raise TypeError(msg)
    if ksize < 1:
        msg = f"{func}: 'ksize' must be >= 1; got {ksize}"
        raise ValueError(msg)
    sigma = check_number(func, sigma, "sigma")
    if not np.isfinite(sigma):
        msg = f"{func}: 'sigma' must be finite; got {sigma}"
        raise ValueError(msg)
    if not _is_int(ktype) or ktype not in (CV_32F, CV_64F):
        msg = f"{func}: 'ktype' must be CV_32F ({CV_32F}) or CV_64F ({CV_64F}); got {ktype!r}"
        raise ValueError(msg)
    taps = np.array(gaussian_taps(int(ksize), sigma), np.float64)
    return taps.astype(np.float32 if ktype == CV_32F else np.float64).reshape(-1, 1)


def _check_gauss_ksize(func: str, ksize: object) -> tuple[int, int]:
    """A pair ``(width, height)`` of ints, each 0 (derive from sigma) or positive and odd."""
    ok = isinstance(ksize, Sequence | np.ndarray) and not isinstance(ksize, str | bytes) and len(ksize) == 2
    if not ok or not all(_is_int(v) for v in ksize):
        msg = f"{func}: 'ksize' must be a pair of ints (width, height); got {ksize!r}"
        raise TypeError(msg)
    kw, kh = int(ksize[0]), int(ksize[1])
    if kw < 0 or kh < 0 or (kw > 0 and kw % 2 == 0) or (kh > 0 and kh % 2 == 0):
        msg = f"{func}: 'ksize' must be positive odd ints, or 0 to derive them from sigma; got ({kw}, {kh})"
        raise ValueError(msg)
    return kw, kh


def _check_sigma(func: str, value: object, name: str) -> float:
    sigma = check_number(func, value, name)
    if not np.isfinite(sigma):
        msg = f"{func}: '{name}' must be finite; got {sigma}"
        raise ValueError(msg)
    return sigma


def GaussianBlur(  # noqa: N802 (cv2's name)
    src: np.ndarray,
    ksize: tuple[int, int],
    sigmaX: float,  # noqa: N803
    dst: np.ndarray | None = None,
    sigmaY: float = 0,  # noqa: N803
    borderType: int = BORDER_DEFAULT,  # noqa: N803
    hint: int = ALGO_HINT_DEFAULT,
    *,
    borderValue: float | Sequence[float] = 0,  # noqa: N803
) -> np.ndarray:
    """Blur an image with a Gaussian kernel, as ``cv2.GaussianBlur``.

    Parameters
    ----------
    src : numpy.ndarray
        (H, W) or (H, W, C) image of uint8, uint16, int16, float32 or float64, any C <= 512.
    ksize : tuple of int
        ``(width, height)``: positive odd sizes, or 0 to derive one from its sigma as
        ``round(sigma * (3 if uint8 else 4) * 2 + 1) | 1``.
    sigmaX : float
        Horizontal standard deviation; <= 0 derives it from the width (see :func:`getGaussianKernel`).
    dst : numpy.ndarray, optional
        Output of ``src``'s shape and dtype; may be ``src`` itself.
    sigmaY : float
        Vertical standard deviation; 0 (default) means ``sigmaX``.
    borderType : int
        ``BORDER_CONSTANT``, ``BORDER_REPLICATE``, ``BORDER_REFLECT``, ``BORDER_REFLECT_101`` (default) or
        ``BORDER_WRAP`` (purecv only), optionally ``| BORDER_ISOLATED``. Except for ``BORDER_CONSTANT``, a
        1-pixel-high (wide) image is filtered with a 1-tap column (row) kernel, as cv2 does.
    hint : int
        ``ALGO_HINT_DEFAULT``, ``ALGO_HINT_ACCURATE`` or ``ALGO_HINT_APPROX``: accepted for cv2
        compatibility; purecv always computes the exact result (cv2 may use approximate code for APPROX).
    borderValue : float or sequence of float, keyword-only
        purecv only: the ``BORDER_CONSTANT`` value (one number or one per channel); cv2 uses 0.

    Returns
    -------
    numpy.ndarray
        The blurred image (``dst`` when given).

    Notes
    -----
    uint8 and uint16 results are bit-identical to cv2 5.0.0 (its fixed-point recipe, with 8 and 16
    fractional bits). int16 results come from float32 sums in cv2's order (identical in the tests, at worst
    1 apart next to a rounding tie); float32 results are within 1e-5 relative, float64 within 1e-10.

    Examples
    --------
    >>> import numpy as np, purecv
    >>> img = np.zeros((5, 5), np.uint8); img[2, 2] = 255
    >>> purecv.GaussianBlur(img, (3, 3), 0)[1:4, 1:4]
    array([[16, 32, 16],
           [32, 64, 32],
           [16, 32, 16]], dtype=uint8)
    """
    func = "GaussianBlur"
    src = check_image(func, src)
    kw, kh = _check_gauss_ksize(func, ksize)
    sx = _check_sigma(func, sigmaX, "sigmaX")
    sy = _check_sigma(func, sigmaY, "sigmaY")
    border = check_border(func, borderType)
    if not _is_int(hint) or hint not in (ALGO_HINT_DEFAULT, ALGO_HINT_ACCURATE, ALGO_HINT_APPROX):
        msg = f"{func}: 'hint' must be ALGO_HINT_DEFAULT, _ACCURATE or _APPROX (0, 1, 2); got {hint!r}"
        raise ValueError(msg)
    cn = 1 if src.ndim == 2 else src.shape[2]
    cval = check_border_value(func, borderValue, src) if border == BORDER_CONSTANT else [0] * cn
    height, width = src.shape[:2]
    if border != BORDER_CONSTANT:
        kh = 1 if height == 1 else kh
        kw = 1 if width == 1 else kw
    if kw == 1 and kh == 1:
        out_shape = src.shape if src.ndim == 2 or cn > 1 else src.shape[:2]
        dst = check_dst(func, dst, out_shape, src.dtype)
        if dst is None:
            return src.reshape(out_shape).copy()
        dst[...] = src.reshape(out_shape)
        return dst
    sy = sx if sy <= 0 else sy
    per_sigma = 3 if src.dtype == np.uint8 else 4
    if kw <= 0 and sx > 0:
        kw = round(sx * per_sigma * 2 + 1) | 1
    if kh <= 0 and sy > 0:
        kh = round(sy * per_sigma * 2 + 1) | 1
    if kw <= 0 or kh <= 0:
        msg = f"{func}: 'ksize' is (0, 0) where the sigma is <= 0; give a size or a positive sigma"
        raise ValueError(msg)
    sx, sy = max(sx, 0.0), max(sy, 0.0)
    tx = gaussian_taps(kw, sx)
    ty = tx if kh == kw and abs(sx - sy) < _DBL_EPSILON else gaussian_taps(kh, sy)
    if src.dtype in (np.uint8, np.uint16):
        bits = 8 if src.dtype == np.uint8 else 16
        plan = fixed_point_plan(fixed_point_taps(tx, bits), fixed_point_taps(ty, bits), bits)
    else:  # cv2: sepFilter2D with float32 taps (float64 for a float64 image)
        ktype = np.float64 if src.dtype == np.float64 else np.float32
        kx = np.array(tx).astype(ktype).astype(np.float64)
        ky = np.array(ty).astype(ktype).astype(np.float64)
        plan = linear_plan(src.dtype, src.dtype, kx, ky, (kw // 2, kh // 2), 0.0, width * cn)
    return run_separable(func, src, dst, src.dtype, plan, border, cval)
