"""Linear filters with an arbitrary kernel: ``filter2D``."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .._kernels.correlate import correlate
from .._kernels.rows import as_rows
from .._validate import (
    DEPTH_NAMES,
    DEPTH_OF,
    DTYPE_OF,
    check_anchor,
    check_border,
    check_dst,
    check_image,
    check_number,
)
from ..constants import BORDER_DEFAULT, CV_8U, CV_16S, CV_16U, CV_32F, CV_64F

__all__ = ["filter2D"]

# cv2's depth table for filter2D (its direct path; the DFT path that cv2 takes for large kernels accepts
# more pairs, but which path runs depends on the kernel size, so purecv keeps the one table).
_DDEPTHS = {
    CV_8U: (CV_8U, CV_16U, CV_16S, CV_32F, CV_64F),
    CV_16U: (CV_16U, CV_32F, CV_64F),
    CV_16S: (CV_16S, CV_32F, CV_64F),
    CV_32F: (CV_32F,),
    CV_64F: (CV_64F,),
}


def _check_ddepth(func: str, ddepth: object, sdepth: int) -> int:
    if isinstance(ddepth, bool) or not isinstance(ddepth, int | np.integer):
        msg = f"{func}: 'ddepth' must be an int (-1 or a CV_* depth); got {ddepth!r}"
        raise TypeError(msg)
    ddepth = sdepth if ddepth < 0 else int(ddepth)
    allowed = _DDEPTHS[sdepth]
    if ddepth not in allowed:
        names = ", ".join(DEPTH_NAMES[d] for d in allowed)
        got = DEPTH_NAMES.get(ddepth, str(ddepth))
        msg = f"filter2D: 'ddepth' for a {DEPTH_NAMES[sdepth]} source must be -1 or one of {names}; got {got}"
        raise ValueError(msg)
    return ddepth


def _check_kernel(func: str, kernel: object) -> np.ndarray:
    """A finite, real, single-channel kernel as a 2-D float64 array (kh, kw), read as cv2 reads it."""
    if not isinstance(kernel, np.ndarray):
        msg = f"{func}: 'kernel' must be a numpy.ndarray; got {type(kernel).__name__}"
        raise TypeError(msg)
    if kernel.dtype.kind not in "buif":
        msg = f"{func}: 'kernel' must hold real numbers (bool, int or float); got dtype {kernel.dtype.name}"
        raise TypeError(msg)
    shape = kernel.shape
    if kernel.ndim == 3 and shape[2] == 1:  # (kh, kw, 1): single channel, as cv2 reads it
        kernel = kernel[:, :, 0]
    elif kernel.ndim == 1:  # cv2 5.0 reads a 1-D array as one row
        kernel = kernel[None, :]
    elif kernel.ndim == 0:
        kernel = kernel.reshape(1, 1)
    if kernel.ndim != 2:
        msg = f"{func}: 'kernel' must be a 2-D single-channel array (kh, kw); got shape {shape}"
        raise ValueError(msg)
    if kernel.size == 0:
        msg = f"{func}: 'kernel' is empty (shape {shape}); expected at least one coefficient"
        raise ValueError(msg)
    kernel = kernel.astype(np.float64)
    if not np.isfinite(kernel).all():
        msg = f"{func}: 'kernel' must be finite; it holds NaN or infinity"
        raise ValueError(msg)
    return kernel


def _border_values(func: str, value: object, cn: int, dtype: np.dtype) -> np.ndarray:
    """The constant border per channel, saturated to the source dtype (as cv2's FilterEngine stores it)."""
    if isinstance(value, Sequence | np.ndarray) and not isinstance(value, str | bytes):
        values = [check_number(func, v, "borderValue") for v in np.asarray(value, dtype=object).ravel()]
        if len(values) == 4 and cn < 4:  # a cv2 Scalar
            values = values[:cn]
        if len(values) != cn:
            msg = f"{func}: 'borderValue' must be a number or one per channel ({cn}); got {len(values)}"
            raise ValueError(msg)
    else:
        values = [check_number(func, value, "borderValue")] * cn
    values = np.array(values, np.float64)
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        values = np.clip(np.rint(values), info.min, info.max)
    return values.astype(dtype).astype(np.float64)


def filter2D(  # noqa: N802 (cv2's name)
    src: np.ndarray,
    ddepth: int,
    kernel: np.ndarray,
    dst: np.ndarray | None = None,
    anchor: tuple[int, int] = (-1, -1),
    delta: float = 0,
    borderType: int = BORDER_DEFAULT,  # noqa: N803 (cv2's name)
    *,
    borderValue: float | Sequence[float] = 0,  # noqa: N803 (cv2's style)
) -> np.ndarray:
    """Correlate an image with a kernel, as ``cv2.filter2D``.

    ``dst(y, x) = saturate(delta + sum(kernel(i, j) * src(y + i - ay, x + j - ax)))`` over the kernel's
    nonzero coefficients, per channel, with pixels outside the image supplied by ``borderType``. This is
    correlation, not convolution: flip the kernel (``kernel[::-1, ::-1]``, anchor ``(kw - 1 - ax,
    kh - 1 - ay)``) for a convolution.

    Parameters
    ----------
    src : numpy.ndarray
        (H, W) or (H, W, C) image, C <= 512, of uint8, uint16, int16, float32 or float64.
    ddepth : int
        Output depth, ``-1`` for the source's: uint8 -> ``CV_8U``, ``CV_16U``, ``CV_16S``, ``CV_32F``,
        ``CV_64F``; uint16 -> ``CV_16U``, ``CV_32F``, ``CV_64F``; int16 -> ``CV_16S``, ``CV_32F``,
        ``CV_64F``; float32 -> ``CV_32F``; float64 -> ``CV_64F``.
    kernel : numpy.ndarray
        Single-channel coefficients, (kh, kw) (also (kh, kw, 1), or 1-D as one row, as cv2 reads them), of
        any real dtype, finite, any size (odd, even, larger than the image).
    dst : numpy.ndarray, optional
        Output array of the result's shape and dtype; may be ``src`` itself (in place).
    anchor : tuple of int
        Kernel position ``(x, y)`` of the output pixel; ``-1`` (per coordinate) is ``k // 2``.
    delta : float
        Added to every output value before rounding.
    borderType : int
        ``BORDER_CONSTANT``, ``BORDER_REPLICATE``, ``BORDER_REFLECT``, ``BORDER_REFLECT_101`` (default) or
        ``BORDER_WRAP`` (purecv only), optionally ``| BORDER_ISOLATED`` (no effect on NumPy arrays).
    borderValue : float or sequence of float, keyword-only
        purecv only: the value (or one per channel) of ``BORDER_CONSTANT``, saturated to the source dtype;
        cv2 always uses 0.

    Returns
    -------
    numpy.ndarray
        The filtered image (``dst`` when given), (H, W) for a (H, W, 1) source as cv2 returns it.

    Notes
    -----
    **Arithmetic.** cv2 sums one of two ways, and purecv follows the one cv2 takes for the call:

    - its direct path: kernel and ``delta`` rounded to float32 (float64 when the source or the output is
      float64), taps added in row-major order with zero coefficients dropped, each step a fused
      multiply-add (as cv2's AVX2/AVX-512 code);
    - its DFT path, taken when the kernel area is >= 130 for uint8 -> uint8/int16 and float32 -> float32,
      and >= 50 for every other pair: the kernel rounded to float32 (float64 sources excepted), summed
      exactly by purecv (cv2's FFTs add their own rounding noise).

    Integer outputs are then rounded half to even and saturated (NaN and values beyond int32 give the
    dtype's minimum, as cv2 on x86).

    **Methods.** Fastest first, each used only where it reproduces the arithmetic above: a kernel with all
    taps equal runs as running box sums (O(1) per pixel; for integer outputs only where cv2's sum is exact
    too, or on its DFT path); an integer kernel on an 8-bit image with an integer output (and
    ``|delta| + 255 * sum|kernel| <= 32767``, e.g. Laplacian's) as the direct sum in exact int16 lanes,
    where cv2's float32 sum is exact too; a rank-1 kernel (an outer product, to float32 precision) as a
    row pass and a column pass (kw + kh taps; float outputs and cv2's DFT path); a large kernel by FFTs
    down the columns with the taps along the rows, when that is cheaper than the direct sum (about from
    9x9; not for integer outputs of cv2's direct path, nor for sources holding NaN or infinity); otherwise
    the direct sum in cv2's own order, two output rows per pass over the padded rows, vectorised across
    the W * C lanes. All of them run on ``purecv.setNumThreads`` threads.

    **Exactness against cv2 5.0.0** (x86-64, AVX2/FMA dispatch), as tested:

    - integer outputs: bit-identical on cv2's direct path (the same float32 fused multiply-adds in the
      same order); on its DFT path at least 99.9% identical and never off by more than 1, the difference
      being cv2's float32 FFT noise next to a .5 tie (up to ~0.3% of values for 16-bit data, and the exact
      ties of even-area box kernels such as 12x12 of 1/144, which cv2 rounds by noise);
    - float outputs: ``|purecv - cv2| <= rtol * max(|cv2|, sum|kernel| * max|src| + |delta|)`` with
      ``rtol`` 1e-5 for float32 and 1e-10 for float64 outputs.

    **Beyond cv2.** ``BORDER_WRAP`` (cv2 refuses it on its direct path), ``borderValue``, any number of
    channels up to 512, and one depth table for every kernel size (cv2 accepts more depth pairs on its DFT
    path only). The kernel must be finite (cv2 lets NaN spread). A ``dst`` of the wrong shape or dtype is
    an error (cv2 silently allocates a new array).

    Raises
    ------
    TypeError
        ``src``, ``kernel``, ``dst``, ``ddepth``, ``anchor``, ``delta`` or ``borderType`` of a wrong type.
    ValueError
        A refused ``ddepth``, an empty, non-2-D or non-finite kernel, an anchor outside the kernel, an
        unknown border, or a ``dst`` of the wrong shape.

    Examples
    --------
    >>> import numpy as np
    >>> import purecv
    >>> img = np.zeros((3, 5), np.uint8)
    >>> img[1, 2] = 100
    >>> purecv.filter2D(img, -1, np.array([[1, 2, 3]]) / 4)
    array([[ 0,  0,  0,  0,  0],
           [ 0, 75, 50, 25,  0],
           [ 0,  0,  0,  0,  0]], dtype=uint8)
    >>> diff = np.array([[1.0], [-1.0]])  # 2x1: anchor y = 1, so dst(y) = src(y - 1) - src(y) + delta
    >>> purecv.filter2D(img, purecv.CV_32F, diff, delta=0.5, borderType=purecv.BORDER_CONSTANT)
    array([[  0.5,   0.5,   0.5,   0.5,   0.5],
           [  0.5,   0.5, -99.5,   0.5,   0.5],
           [  0.5,   0.5, 100.5,   0.5,   0.5]], dtype=float32)
    """
    func = "filter2D"
    src = check_image(func, src)
    sdepth = DEPTH_OF[src.dtype]
    ddepth = _check_ddepth(func, ddepth, sdepth)
    weights = _check_kernel(func, kernel)
    kh, kw = weights.shape
    ax, ay = check_anchor(func, anchor, kw, kh)
    delta = check_number(func, delta, "delta")
    border = check_border(func, borderType)
    cn = 1 if src.ndim == 2 else src.shape[2]
    cval = _border_values(func, borderValue, cn, src.dtype)
    out_shape = src.shape if src.ndim == 2 or cn > 1 else src.shape[:2]
    if cn == 1 and isinstance(dst, np.ndarray) and dst.shape == (*src.shape[:2], 1):
        out_shape = dst.shape  # cv2 also fills a (H, W, 1) dst for a single-channel source
    out_dtype = DTYPE_OF[ddepth]
    dst = check_dst(func, dst, out_shape, out_dtype)

    rows = as_rows(src)
    if dst is not None and np.may_share_memory(dst, src):
        rows = rows.copy()  # in place: strips read rows that other strips have already written
    out = dst if dst is not None and dst.flags.c_contiguous else np.empty(out_shape, out_dtype)
    correlate(rows, out.reshape(src.shape[0], -1), cn, weights, (ay, ax), border, cval, delta)
    if dst is not None and out is not dst:
        dst[...] = out
        return dst
    return out
