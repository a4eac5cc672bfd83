"""Image derivatives: ``getDerivKernels``, ``Sobel``, ``Scharr`` and ``Laplacian``, as cv2 5.0.0 builds them.

Sobel and Scharr are separable filters with integer taps (a smoothing binomial times a difference), run by
the separable driver with cv2's choice of arithmetic: 8U -> 16S is exact integer arithmetic, other pairs
are float32 (float64) sums in cv2's order. ``Laplacian`` with ``ksize`` 1 or 3 is cv2's 3x3 ``filter2D``;
larger apertures add two separable second derivatives, then scale, as cv2 does.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .._kernels.deriv_taps import deriv_taps, sobel_taps
from .._kernels.rows import as_rows
from .._kernels.sep_plan import linear_plan
from .._kernels.separable import separable
from .._validate import DTYPE_OF, check_border, check_dst, check_image, check_number, depth_of
from ..constants import (
    BORDER_CONSTANT,
    BORDER_DEFAULT,
    CV_8S,
    CV_8U,
    CV_16S,
    CV_16U,
    CV_32F,
    CV_32S,
    CV_64F,
)
from .linear import filter2D
from .separable import check_border_value, check_ddepth, run_separable

__all__ = ["Laplacian", "Scharr", "Sobel", "getDerivKernels"]

# filter2D's depth pairs (Laplacian with ksize 1 or 3 is a filter2D call in cv2)
_FILTER2D_DEPTHS = {
    CV_8U: (CV_8U, CV_16U, CV_16S, CV_32F, CV_64F),
    CV_16U: (CV_16U, CV_32F, CV_64F),
    CV_16S: (CV_16S, CV_32F, CV_64F),
    CV_32F: (CV_32F,),
    CV_64F: (CV_64F,),
}
_ALL_DEPTHS = (CV_8U, CV_8S, CV_16U, CV_16S, CV_32S, CV_32F, CV_64F)


def _is_int(value: object) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)


def _check_int(func: str, value: object, name: str) -> int:
    if not _is_int(value):
        msg = f"{func}: '{name}' must be an int; got {value!r}"
        raise TypeError(msg)
    return int(value)


def _check_orders(func: str, dx: int, dy: int, ksize: int) -> None:
    """cv2's checks of ``dx``, ``dy`` and ``ksize`` for Sobel and Scharr kernels."""
    if ksize <= 0:  # Scharr (FILTER_SCHARR is -1; cv2 takes any ksize <= 0 as Scharr)
        if not (dx >= 0 and dy >= 0 and dx + dy == 1):
            msg = f"{func}: Scharr needs dx, dy >= 0 with dx + dy == 1; got dx={dx}, dy={dy}"
            raise ValueError(msg)
        return
    if ksize % 2 == 0 or ksize > 31:
        msg = f"{func}: 'ksize' must be odd and at most 31 (or -1 for Scharr); got {ksize}"
        raise ValueError(msg)
    if dx < 0 or dy < 0 or dx + dy == 0:
        msg = f"{func}: dx and dy must be >= 0 with dx + dy > 0; got dx={dx}, dy={dy}"
        raise ValueError(msg)
    if dx >= (3 if ksize == 1 else ksize) or dy >= (3 if ksize == 1 else ksize):
        msg = f"{func}: dx and dy must be below their kernel sizes; got dx={dx}, dy={dy}, ksize={ksize}"
        raise ValueError(msg)


def getDerivKernels(  # noqa: N802 (cv2's name)
    dx: int,
    dy: int,
    ksize: int,
    kx: np.ndarray | None = None,
    ky: np.ndarray | None = None,
    normalize: bool = False,
    ktype: int = CV_32F,
) -> tuple[np.ndarray, np.ndarray]:
    """Return the row and column kernels of a Sobel (or Scharr) derivative, as ``cv2.getDerivKernels``.

    Parameters
    ----------
    dx, dy : int
        Derivative orders in x and y (>= 0, not both 0; each below its kernel size).
    ksize : int
        1, 3, 5, ..., 31, or ``FILTER_SCHARR`` (-1; any value <= 0 means Scharr, as in cv2), for which
        ``dx + dy`` must be 1. ``ksize=1`` gives a 3-tap kernel along a differentiated axis.
    kx, ky : numpy.ndarray, optional
        Output arrays (cv2's positional output parameters), filled when given; each must have the
        result's shape (n, 1) and the ``ktype`` dtype.
    normalize : bool
        Scale the smoothing taps to sum to 1 (and Sobel's derivative taps by ``2**-(ksize-order-1)``).
    ktype : int
        ``CV_32F`` (default) or ``CV_64F``.

    Returns
    -------
    tuple of numpy.ndarray
        ``(kx, ky)``, each of shape (n, 1).

    Examples
    --------
    >>> import purecv
    >>> kx, ky = purecv.getDerivKernels(1, 0, 3)
    >>> kx.ravel().tolist(), ky.ravel().tolist()
    ([-1.0, 0.0, 1.0], [1.0, 2.0, 1.0])
    >>> [k.ravel().tolist() for k in purecv.getDerivKernels(0, 1, purecv.FILTER_SCHARR, normalize=True)]
    [[0.09375, 0.3125, 0.09375], [-1.0, 0.0, 1.0]]
    """
    func = "getDerivKernels"
    dx, dy = _check_int(func, dx, "dx"), _check_int(func, dy, "dy")
    ksize = _check_int(func, ksize, "ksize")
    if not isinstance(normalize, bool | np.bool_ | int):
        msg = f"{func}: 'normalize' must be a bool; got {normalize!r}"
        raise TypeError(msg)
    if not _is_int(ktype) or ktype not in (CV_32F, CV_64F):
        msg = f"{func}: 'ktype' must be CV_32F ({CV_32F}) or CV_64F ({CV_64F}); got {ktype!r}"
        raise ValueError(msg)
    _check_orders(func, dx, dy, ksize)
    tx, ty, ex, ey = deriv_taps(dx, dy, ksize)
    dtype = np.dtype(np.float32 if ktype == CV_32F else np.float64)
    out = []
    for taps, exponent, order, given, name in ((tx, ex, dx, kx, "kx"), (ty, ey, dy, ky, "ky")):
        scale = 1.0
        if normalize and (ksize > 0 or order == 0):
            scale = 1.0 / (1 << exponent)
        k = (np.array(taps, np.float64) * scale).astype(dtype).reshape(-1, 1)
        if given is not None:
            is_array = isinstance(given, np.ndarray)
            if not (is_array and given.dtype == dtype and given.shape == k.shape and given.flags.writeable):
                got = f"{given.dtype} array of shape {given.shape}" if is_array else repr(given)
                msg = f"{func}: '{name}' must be a writeable {dtype} array of shape {k.shape}; got {got}"
                raise ValueError(msg)
            given[...] = k.reshape(given.shape)
            k = given
        out.append(k)
    return out[0], out[1]


def _derivative(func, src, ddepth, dx, dy, ksize, dst, scale, delta, border_type, border_value):
    """Sobel / Scharr: cv2 scales the smoothing kernel (the x one when dx == 0), then sepFilter2D."""
    src = check_image(func, src)
    sdepth = depth_of(src.dtype)
    ddepth = check_ddepth(func, ddepth, sdepth)
    scale = check_number(func, scale, "scale")
    delta = check_number(func, delta, "delta")
    if not (np.isfinite(scale) and np.isfinite(delta)):
        msg = f"{func}: 'scale' and 'delta' must be finite; got scale={scale}, delta={delta}"
        raise ValueError(msg)
    border = check_border(func, border_type)
    _check_orders(func, dx, dy, ksize)
    tx, ty, _, _ = deriv_taps(dx, dy, ksize)
    ktype = np.float64 if CV_64F in (sdepth, ddepth) else np.float32
    kx = np.array(tx, np.float64).astype(ktype)
    ky = np.array(ty, np.float64).astype(ktype)
    if scale != 1:
        if dx == 0:
            kx = (kx.astype(np.float64) * scale).astype(ktype)
        else:
            ky = (ky.astype(np.float64) * scale).astype(ktype)
    cn = 1 if src.ndim == 2 else src.shape[2]
    cval = check_border_value(func, border_value, src) if border == BORDER_CONSTANT else [0] * cn
    out_dtype = DTYPE_OF[ddepth]
    anchor = (kx.shape[0] // 2, ky.shape[0] // 2)
    plan = linear_plan(
        src.dtype, out_dtype, kx.astype(np.float64), ky.astype(np.float64), anchor, delta, src.shape[1] * cn
    )
    return run_separable(func, src, dst, out_dtype, plan, border, cval)


def Sobel(  # noqa: N802 (cv2's name)
    src: np.ndarray,
    ddepth: int,
    dx: int,
    dy: int,
    dst: np.ndarray | None = None,
    ksize: int = 3,
    scale: float = 1,
    delta: float = 0,
    borderType: int = BORDER_DEFAULT,  # noqa: N803
    *,
    borderValue: float | Sequence[float] = 0,  # noqa: N803
) -> np.ndarray:
    """Sobel derivative ``d^(dx+dy) / dx^dx dy^dy`` of an image, as ``cv2.Sobel``.

    Correlates with ``getDerivKernels(dx, dy, ksize)`` (``ky`` x ``kx``), times ``scale``, plus ``delta``.

    Parameters
    ----------
    src : numpy.ndarray
        (H, W) or (H, W, C) image of uint8, uint16, int16, float32 or float64, any C <= 512.
    ddepth : int
        -1 (the source depth), ``CV_8U``, ``CV_16U``, ``CV_16S``, ``CV_32F`` or ``CV_64F`` (not ``CV_32F``
        for a float64 source). ``CV_16S`` or ``CV_32F`` keep negative values of an 8-bit source.
    dx, dy : int
        Derivative orders, >= 0 and not both 0, each below the kernel size.
    dst : numpy.ndarray, optional
        Output of ``src``'s shape and the ``ddepth`` dtype; may be ``src`` when the dtypes agree.
    ksize : int
        1, 3 (default), 5, 7, ..., 31, or ``FILTER_SCHARR`` (-1: Scharr's 3x3 kernel, ``dx + dy == 1``;
        cv2 treats every ksize <= 0 so). ``ksize=1`` uses a 3x1 or 1x3 kernel (no smoothing).
    scale : float
        Multiplies the derivative.
    delta : float
        Added to the result.
    borderType : int
        ``BORDER_CONSTANT``, ``BORDER_REPLICATE``, ``BORDER_REFLECT``, ``BORDER_REFLECT_101`` (default) or
        ``BORDER_WRAP`` (purecv only), optionally ``| BORDER_ISOLATED``.
    borderValue : float or sequence of float, keyword-only
        purecv only: the ``BORDER_CONSTANT`` value (one number or one per channel); cv2 uses 0.

    Returns
    -------
    numpy.ndarray
        The derivative (``dst`` when given).

    Notes
    -----
    8U -> 16S with an integer ``scale`` is exact integer arithmetic, bit-identical to cv2 (``delta`` is
    rounded to an integer first, as cv2 does). Other integer outputs come from float32 sums in cv2's order
    (identical in the tests; at worst 1 apart next to a rounding tie). Float outputs are within 1e-5
    relative (float32) and 1e-10 (float64) of cv2.

    Examples
    --------
    >>> import numpy as np, purecv
    >>> img = np.array([[0, 0, 10, 10]] * 3, np.uint8)
    >>> purecv.Sobel(img, purecv.CV_16S, 1, 0)
    array([[ 0, 40, 40,  0],
           [ 0, 40, 40,  0],
           [ 0, 40, 40,  0]], dtype=int16)
    """
    func = "Sobel"
    dx, dy, ksize = _check_int(func, dx, "dx"), _check_int(func, dy, "dy"), _check_int(func, ksize, "ksize")
    return _derivative(func, src, ddepth, dx, dy, ksize, dst, scale, delta, borderType, borderValue)


def Scharr(  # noqa: N802 (cv2's name)
    src: np.ndarray,
    ddepth: int,
    dx: int,
    dy: int,
    dst: np.ndarray | None = None,
    scale: float = 1,
    delta: float = 0,
    borderType: int = BORDER_DEFAULT,  # noqa: N803
    *,
    borderValue: float | Sequence[float] = 0,  # noqa: N803
) -> np.ndarray:
    """First x or y derivative with Scharr's 3x3 kernel (``[3, 10, 3]`` x ``[-1, 0, 1]``), as ``cv2.Scharr``.

    Same as ``Sobel(src, ddepth, dx, dy, dst, FILTER_SCHARR, scale, delta, borderType)``; cv2's Scharr has
    no ``ksize`` (its kernel is always 3x3), and ``dx + dy`` must be 1.

    Parameters
    ----------
    src : numpy.ndarray
        (H, W) or (H, W, C) image of uint8, uint16, int16, float32 or float64.
    ddepth : int
        As for :func:`Sobel`.
    dx, dy : int
        ``(1, 0)`` or ``(0, 1)``.
    dst : numpy.ndarray, optional
        Output of ``src``'s shape and the ``ddepth`` dtype.
    scale, delta : float
        The derivative is multiplied by ``scale``, then ``delta`` is added.
    borderType : int
        As for :func:`Sobel`.
    borderValue : float or sequence of float, keyword-only
        purecv only: the ``BORDER_CONSTANT`` value; cv2 uses 0.

    Returns
    -------
    numpy.ndarray
        The derivative (``dst`` when given). Exactness as for :func:`Sobel`.

    Examples
    --------
    >>> import numpy as np, purecv
    >>> img = np.array([[0, 0, 10, 10]] * 3, np.uint8)
    >>> purecv.Scharr(img, purecv.CV_16S, 1, 0)[0]
    array([  0, 160, 160,   0], dtype=int16)
    """
    func = "Scharr"
    dx, dy = _check_int(func, dx, "dx"), _check_int(func, dy, "dy")
    return _derivative(func, src, ddepth, dx, dy, -1, dst, scale, delta, borderType, borderValue)


def _convert_scale(x: np.ndarray, dtype: np.dtype, scale: float, delta: float) -> np.ndarray:
    """``Mat.convertTo(dtype, scale, delta)`` as cv2 does it for a continuous matrix.

    Without scaling it is a plain saturating conversion. Otherwise ``x * scale + delta`` is one fused
    multiply-add in float32 (``x`` rounded to float32 first), or in double when the output is float64 or a
    float64 source goes to int32/float32; integer outputs are then rounded half to even and saturated.
    """
    eps = float(np.finfo(np.float64).eps)
    if abs(scale - 1) < eps and abs(delta) < eps:
        y = x
    elif dtype == np.float64 or (x.dtype == np.float64 and dtype in (np.int32, np.float32)):
        # double fma, emulated with extended precision
        y = (x.astype(np.longdouble) * np.longdouble(scale) + np.longdouble(delta)).astype(np.float64)
    else:  # float32 fma: the exact x * a + b rounded once
        a, b = np.float64(np.float32(scale)), np.float64(np.float32(delta))
        y = (x.astype(np.float32).astype(np.float64) * a + b).astype(np.float32)
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        if y.dtype.kind == "f":  # x86 cvRound: NaN and values beyond int32 become INT_MIN, then saturate
            y = np.rint(y)
            y = np.where((y >= -(2.0**31)) & (y < 2.0**31), y, -(2.0**31))
        return np.clip(y, info.min, info.max).astype(dtype)
    return y.astype(dtype)


def Laplacian(  # noqa: N802 (cv2's name)
    src: np.ndarray,
    ddepth: int,
    dst: np.ndarray | None = None,
    ksize: int = 1,
    scale: float = 1,
    delta: float = 0,
    borderType: int = BORDER_DEFAULT,  # noqa: N803
    *,
    borderValue: float | Sequence[float] = 0,  # noqa: N803
) -> np.ndarray:
    """Laplacian ``d2/dx2 + d2/dy2`` of an image, as ``cv2.Laplacian``.

    ``ksize=1`` is the 3x3 kernel ``[[0, 1, 0], [1, -4, 1], [0, 1, 0]]``, ``ksize=3`` is
    ``[[2, 0, 2], [0, -8, 0], [2, 0, 2]]`` (both through ``filter2D``); larger odd sizes (up to 31) add the
    Sobel second derivatives in x and y. The result is multiplied by ``scale``, then ``delta`` is added.

    Parameters
    ----------
    src : numpy.ndarray
        (H, W) or (H, W, C) image of uint8, uint16, int16, float32 or float64.
    ddepth : int
        -1 (the source's) or a depth cv2 accepts: for ksize 1 and 3 the ``filter2D`` pairs (8U -> 8U, 16U,
        16S, 32F, 64F; 16U -> 16U, 32F, 64F; 16S -> 16S, 32F, 64F; 32F -> 32F; 64F -> 64F); for larger
        ksize any of ``CV_8U``, ``CV_8S``, ``CV_16U``, ``CV_16S``, ``CV_32S``, ``CV_32F``, ``CV_64F``.
    dst : numpy.ndarray, optional
        Output of ``src``'s shape and the ``ddepth`` dtype.
    ksize : int
        Aperture: 1 (default), 3, 5, ..., 31.
    scale, delta : float
        The Laplacian is multiplied by ``scale``, then ``delta`` is added.
    borderType : int
        ``BORDER_CONSTANT``, ``BORDER_REPLICATE``, ``BORDER_REFLECT``, ``BORDER_REFLECT_101`` (default) or
        ``BORDER_WRAP`` (purecv only), optionally ``| BORDER_ISOLATED``.
    borderValue : float or sequence of float, keyword-only
        purecv only: the ``BORDER_CONSTANT`` value; cv2 uses 0.

    Returns
    -------
    numpy.ndarray
        The Laplacian (``dst`` when given).

    Notes
    -----
    8U -> 16S with integer ``scale`` and ``delta`` is exact, bit-identical to cv2 (for ksize 5, cv2 sums
    the two derivatives in saturating int16, and so does purecv). Other integer outputs follow cv2's float32
    order (at worst 1 apart next to a rounding tie); float outputs are within 1e-5 relative (float32) and
    1e-10 (float64).

    Examples
    --------
    >>> import numpy as np, purecv
    >>> img = np.zeros((3, 3), np.uint8); img[1, 1] = 10
    >>> purecv.Laplacian(img, purecv.CV_16S, borderType=purecv.BORDER_CONSTANT)
    array([[  0,  10,   0],
           [ 10, -40,  10],
           [  0,  10,   0]], dtype=int16)
    """
    func = "Laplacian"
    src = check_image(func, src)
    sdepth = depth_of(src.dtype)
    ksize = _check_int(func, ksize, "ksize")
    if ksize <= 0 or ksize % 2 == 0 or ksize > 31:
        msg = f"{func}: 'ksize' must be odd, from 1 to 31; got {ksize}"
        raise ValueError(msg)
    small = ksize in (1, 3)
    ddepth = check_ddepth(
        func, ddepth, sdepth, _FILTER2D_DEPTHS[sdepth] if small else _ALL_DEPTHS, f64_to_f32=not small
    )
    scale = check_number(func, scale, "scale")
    delta = check_number(func, delta, "delta")
    if not (np.isfinite(scale) and np.isfinite(delta)):
        msg = f"{func}: 'scale' and 'delta' must be finite; got scale={scale}, delta={delta}"
        raise ValueError(msg)
    border = check_border(func, borderType)
    cn = 1 if src.ndim == 2 else src.shape[2]
    cval = check_border_value(func, borderValue, src) if border == BORDER_CONSTANT else [0] * cn
    if small:
        taps = [[0, 1, 0], [1, -4, 1], [0, 1, 0]] if ksize == 1 else [[2, 0, 2], [0, -8, 0], [2, 0, 2]]
        kernel = np.array(taps, np.float32)
        if scale != 1:
            kernel = (kernel.astype(np.float64) * scale).astype(np.float32)
        return filter2D(src, ddepth, kernel, dst, (-1, -1), delta, borderType, borderValue=cval)
    out_dtype = DTYPE_OF[ddepth]
    out_shape = src.shape if src.ndim == 2 or cn > 1 else src.shape[:2]
    dst = check_dst(func, dst, out_shape, out_dtype)
    # cv2: d2x = (kd x ks), d2y = (ks x kd) into 16S for 8-bit sources with ksize 5, else 32F (64F)
    work = np.dtype(
        np.int16 if sdepth == CV_8U and ksize <= 5 else np.float64 if sdepth == CV_64F else np.float32
    )
    ktype = np.float64 if CV_64F in (sdepth, ddepth) else np.float32
    kd = np.array(sobel_taps(2, ksize), np.float64).astype(ktype).astype(np.float64)
    ks = np.array(sobel_taps(0, ksize), np.float64).astype(ktype).astype(np.float64)
    rows = as_rows(src)
    lanes = rows.shape[1]
    centre = (ksize // 2, ksize // 2)
    parts = []
    for kx, ky in ((kd, ks), (ks, kd)):
        part = np.empty(rows.shape, work)
        separable(rows, part, cn, linear_plan(src.dtype, work, kx, ky, centre, 0.0, lanes), border, cval)
        parts.append(part)
    if work == np.int16:  # saturating int16 sum, as cv::add
        total = np.clip(parts[0].astype(np.int32) + parts[1], -32768, 32767).astype(np.int16)
    else:
        total = parts[0] + parts[1]
    result = _convert_scale(total, out_dtype, scale, delta).reshape(out_shape)
    if dst is None:
        return result
    dst[...] = result
    return dst
