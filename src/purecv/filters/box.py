"""Box filters: ``blur``, ``boxFilter``, ``sqrBoxFilter`` and the article's ``box_blur``.

Semantics are cv2 5.0.0's (anchor, even sizes, kernels larger than the image, every ddepth it allows,
``normalize=False`` raw sums), plus ``BORDER_WRAP``, which cv2 refuses.

Exactness: integer outputs are bit-identical to cv2, including its rounding recipes (8-bit boxes of area
<= 256 use ``((S + dd) * ds) >> 23``, which differs from round-half-up for power-of-two areas; larger
integer sums round ``float32(S) * float32(1/area)`` to even, except in the last ``W*C % 8`` lanes of a row,
where cv2 rounds in double). Float outputs are within 1e-5 relative (float32) and 1e-12 (float64) of cv2,
whose running sums are in double too but added in another order.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import numpy as np

from .._border import border_table
from .._jit import current_threads
from .._kernels.box import (
    FINISH_F32,
    FINISH_F64,
    FINISH_FIX8,
    FINISH_RAW,
    FINISH_SINGLE,
    SINGLE_MAX_TAPS,
    box_sums,
    fix8_magic,
)
from .._kernels.rows import as_rows, plan_strips
from .._validate import (
    DEPTH_NAMES,
    DEPTH_OF,
    DTYPE_OF,
    check_anchor,
    check_border,
    check_dst,
    check_image,
    check_ksize,
)
from ..constants import (
    BORDER_CONSTANT,
    BORDER_DEFAULT,
    BORDER_ISOLATED,
    CV_8U,
    CV_16S,
    CV_16U,
    CV_32F,
    CV_32S,
    CV_64F,
)

__all__ = ["blur", "boxFilter", "box_blur", "sqrBoxFilter"]

_BOX_DTYPES = (np.uint8, np.uint16, np.int16, np.int32, np.float32, np.float64)
_SQR_DTYPES = (np.uint8, np.uint16, np.int16, np.float32, np.float64)
_INT_DEPTHS = (CV_8U, CV_16U, CV_16S, CV_32S)
_DDEPTHS = (CV_8U, CV_16U, CV_16S, CV_32S, CV_32F, CV_64F)
# Saturation bounds of each output type (floats do not saturate).
_LIMITS = {
    DTYPE_OF[d]: (float(np.iinfo(DTYPE_OF[d]).min), float(np.iinfo(DTYPE_OF[d]).max)) for d in _INT_DEPTHS
} | {np.dtype(np.float32): (-np.inf, np.inf), np.dtype(np.float64): (-np.inf, np.inf)}


def _out_depth(func: str, ddepth: object, sdepth: int, default: int, square: bool) -> int:
    """Resolve ``ddepth`` (-1: ``default``) and refuse the pairs cv2 refuses."""
    if isinstance(ddepth, bool) or not isinstance(ddepth, int | np.integer):
        msg = f"{func}: 'ddepth' must be an int (-1 or a CV_* depth); got {ddepth!r}"
        raise TypeError(msg)
    ddepth = default if ddepth < 0 else int(ddepth)
    if ddepth == default:  # always allowed (the common case, checked first: it is one comparison)
        return ddepth
    allowed = [
        d
        for d in _DDEPTHS
        if not (d == CV_32S and (sdepth in (CV_32F, CV_64F) or square and sdepth != CV_8U))
    ]
    if ddepth not in allowed:
        names = ", ".join(DEPTH_NAMES[d] for d in allowed)
        msg = (
            f"{func}: 'ddepth' for a {DEPTH_NAMES[sdepth]} source must be -1 or one of {names}; got {ddepth}"
        )
        raise ValueError(msg)
    return ddepth


def _sum_type(sdepth: int, ddepth: int, area: int, normalize: bool, square: bool) -> np.dtype:
    """The accumulator cv2's createBoxFilter / sqrBoxFilter picks."""
    if square:
        return np.dtype(np.int64 if sdepth == CV_8U else np.float64)
    if sdepth == CV_8U and ddepth == CV_8U and area <= 256:
        return np.dtype(np.uint16)
    limit = {CV_8U: 1 << 23, CV_16U: 1 << 15}.get(sdepth, 1 << 16)
    if sdepth in _INT_DEPTHS and (not normalize or area <= limit):
        return np.dtype(np.int32)
    return np.dtype(np.float64)


class _Plan(NamedTuple):
    """Everything a box-filter call needs that its arguments' values, not its arrays, decide."""

    out_shape: tuple[int, ...]
    out_dtype: np.dtype
    kw: int
    kh: int
    ax: int
    cn: int
    col: np.ndarray  # templates of the column-sum and window-sum types (never written)
    acc: np.ndarray
    rounding: tuple
    ytab: np.ndarray
    xtab: np.ndarray
    n_strips: int
    sdepth: int


def _box(func, src, ddepth, ksize, dst, anchor, normalize, border_type, *, square, default_depth):
    """Validate a box-filter call, then run the driver. Shared by the three public box functions.

    Arguments of exactly the plain types (int, bool, tuples of ints) plan through a cache keyed on their
    values and the image's shape and dtype: on the article's 256x256 image that is a twentieth of the
    call. Anything else (lists, NumPy integers, bools where ints belong) takes the uncached path, so a
    wrong type is never served a plan made for an equal value of another type.
    """
    src = check_image(func, src, dtypes=_SQR_DTYPES if square else _BOX_DTYPES)
    args = (func, src.shape, src.dtype, ddepth, ksize, anchor, normalize, border_type, square, default_depth)
    if (
        type(ddepth) is int
        and type(ksize) is tuple
        and type(anchor) is tuple
        and type(normalize) is bool
        and type(border_type) is int
        and all(type(v) is int for v in (*ksize, *anchor))
    ):
        plan = _cached_plan(*args, current_threads())
    else:
        plan = _plan(*args)
    dst = check_dst(func, dst, plan.out_shape, plan.out_dtype)
    return _box_driver(src, dst, plan, square)


def _plan(func, shape, dtype, ddepth, ksize, anchor, normalize, border_type, square, default_depth) -> _Plan:
    """Check the arguments (the image's dtype and shape already are) and plan the kernel call."""
    sdepth = DEPTH_OF[dtype]
    ddepth = _out_depth(func, ddepth, sdepth, default_depth(sdepth), square)
    kw, kh = check_ksize(func, ksize)
    border = check_border(func, border_type)
    if not isinstance(normalize, bool | np.bool_ | int):
        msg = f"{func}: 'normalize' must be a bool; got {normalize!r}"
        raise TypeError(msg)
    normalize = bool(normalize)
    height, width = shape[:2]
    if (
        border != BORDER_CONSTANT
        and normalize
        and int(border_type) & BORDER_ISOLATED
        and sdepth in _INT_DEPTHS
    ):
        # cv2 (integer depths): a 1-pixel-high (wide) image is filtered with a 1-pixel-high (wide) kernel.
        kh = 1 if height == 1 else kh
        kw = 1 if width == 1 else kw
    ax, ay = check_anchor(func, anchor, kw, kh)
    cn = 1 if len(shape) == 2 else shape[2]
    out_shape = shape if cn > 1 else shape[:2]
    col_dtype, acc_dtype, rounding = _recipe(sdepth, ddepth, kw, kh, normalize, square, width * cn)
    xtab = border_table(width, ax, kw - 1 - ax, border)
    return _Plan(
        out_shape=out_shape,
        out_dtype=DTYPE_OF[ddepth],
        kw=kw,
        kh=kh,
        ax=ax,
        cn=cn,
        col=np.empty(xtab.shape[0] * cn, col_dtype),
        acc=np.empty(1, acc_dtype),
        rounding=rounding,
        ytab=border_table(height, ay, kh - 1 - ay, border),
        xtab=xtab,
        n_strips=plan_strips(height, width * cn, kh),
        sdepth=sdepth,
    )


@functools.lru_cache(maxsize=256)
def _cached_plan(*args) -> _Plan:
    """:func:`_plan`, once per argument values and thread count (the last argument: strips depend on it)."""
    return _plan(*args[:-1])


def _box_driver(src: np.ndarray, dst: np.ndarray | None, plan: _Plan, square: bool) -> np.ndarray:
    """Run the planned kernel call: rows, the in-place copy, the output."""
    if plan.kw == plan.kh == 1 and not square and plan.out_dtype == src.dtype:
        # A 1x1 box is each value itself (plus 0, as a running sum: -0.0 becomes 0.0): no kernel.
        out = np.empty(plan.out_shape, plan.out_dtype) if dst is None else dst
        np.add(src.reshape(plan.out_shape), src.dtype.type(0), out=out)
        return out
    height = src.shape[0]
    rows = as_rows(src)
    if square and plan.sdepth in (CV_32F, CV_64F):
        rows = rows.astype(np.float64)  # squares in double, as cv2's SqrRowSum<float, double>
    elif square and plan.sdepth != CV_8U:
        rows = rows.astype(np.int64)
    if dst is not None and np.may_share_memory(dst, src):
        rows = rows.copy()  # in place: strips read rows that other strips have already written
    out = dst if dst is not None and dst.flags.c_contiguous else np.empty(plan.out_shape, plan.out_dtype)
    out_rows = out.reshape(height, -1)
    box_sums(rows, out_rows, plan.ytab, plan.xtab, plan.ax, plan.cn, plan.kw, plan.kh, square=square,
             col=plan.col, acc=plan.acc, rounding=plan.rounding, n_strips=plan.n_strips)  # fmt: skip
    if dst is not None and out is not dst:
        dst[...] = out
        return dst
    return out


@functools.lru_cache(maxsize=256)
def _recipe(
    sdepth: int, ddepth: int, kw: int, kh: int, normalize: bool, square: bool, lanes: int
) -> tuple[np.dtype, np.dtype, tuple]:
    """Column-sum type, window-sum type and rounding recipe (see ``_kernels.box._finish_row``).

    They depend on scalars only, so each configuration is planned once (a small image's call would
    otherwise spend a tenth of its time here).
    """
    area = kw * kh
    acc_dtype = _sum_type(sdepth, ddepth, area, normalize, square)
    scale = 1.0 / area if normalize else 1.0
    ds = dd = shift = 0
    if (not normalize or area == 1) and acc_dtype.kind == "f" and ddepth in _INT_DEPTHS:
        mode = FINISH_F64  # round the raw double sum (cv2: saturate_cast<T>(double))
    elif not normalize or area == 1:  # cv2 skips scaling when 1/area == 1
        mode = FINISH_RAW
    elif acc_dtype == np.uint16:
        mode = FINISH_FIX8
        ds, dd, shift = fix8_magic(area)
    elif acc_dtype == np.int32 and ddepth in _INT_DEPTHS:
        mode = FINISH_F32
    else:
        mode = FINISH_F64
    # The first lane of cv2's scalar tail: its SIMD body takes 8 lanes (4 for int32 output) at a time,
    # 16 in the 8-bit rounding.
    tail = lanes - lanes % (16 if mode == FINISH_FIX8 else 4 if ddepth == CV_32S else 8)
    to_int = ddepth in _INT_DEPTHS
    # cv2's SIMD body packs int32 results into unsigned types as unsigned: negatives saturate high; and
    # packs area 2's 8-bit 256 (the sum 510) to 255, where its tail wraps it to 0.
    neg_to_hi = acc_dtype == np.int32 and ddepth in (CV_8U, CV_16U) or mode == FINISH_FIX8 and area == 2
    lo, hi = _LIMITS[DTYPE_OF[ddepth]]
    # Column sums of up to 257 rows of 8-bit values fit in uint16 whatever the window sum's type.
    col_dtype = np.dtype(np.uint16) if sdepth == CV_8U and not square and kh <= 257 else acc_dtype
    if sdepth == ddepth == CV_32F and not square and kw <= SINGLE_MAX_TAPS:
        # float32 to float32: running column sums in double, window sums across them in float32
        # (``box_sums``), rounded once more into the float32 output.
        acc_dtype = np.dtype(np.float32)
        mode = FINISH_SINGLE if mode == FINISH_F64 else mode
    return col_dtype, acc_dtype, (mode, ds, dd, shift, scale, tail, lo, hi, to_int, bool(neg_to_hi))


def _same_depth(sdepth: int) -> int:
    return sdepth


def _sqr_depth(sdepth: int) -> int:
    return CV_32F if sdepth < CV_32F else CV_64F


def blur(
    src: np.ndarray,
    ksize: tuple[int, int],
    dst: np.ndarray | None = None,
    anchor: tuple[int, int] = (-1, -1),
    borderType: int = BORDER_DEFAULT,  # noqa: N803 (cv2's name)
) -> np.ndarray:
    """Blur an image with the normalised box filter, as ``cv2.blur``.

    ``blur(src, ksize, dst, anchor, borderType)`` is ``boxFilter(src, -1, ksize, dst, anchor, True,
    borderType)``: every output pixel is the mean of the ``ksize`` window around it.

    Parameters
    ----------
    src : numpy.ndarray
        (H, W) or (H, W, C) image, C <= 512, of uint8, uint16, int16, int32, float32 or float64.
    ksize : tuple of int
        Kernel size ``(width, height)``, each >= 1; even sizes and sizes larger than the image work.
    dst : numpy.ndarray, optional
        Output array of the same shape and dtype as ``src``; may be ``src`` itself (in place).
    anchor : tuple of int
        Position ``(x, y)`` of the output pixel within the kernel; ``(-1, -1)`` is ``ksize // 2``, so an
        even kernel covers one more pixel to the left (top) than to the right (bottom).
    borderType : int
        ``BORDER_CONSTANT`` (zeros), ``BORDER_REPLICATE``, ``BORDER_REFLECT``, ``BORDER_REFLECT_101``
        (the default), or ``BORDER_WRAP`` (purecv only), optionally ``| BORDER_ISOLATED``.

    Returns
    -------
    numpy.ndarray
        The blurred image (``dst`` when given).

    Notes
    -----
    Integer results are bit-identical to cv2 5.0.0; float results agree within 1e-5 relative (float32)
    and 1e-12 (float64) of ``max(|cv2|, max|src|)``. The cost per pixel does not depend on the kernel
    size (running sums). cv2's 8-bit rounding turns a constant ``v`` into ``v + 1`` under a box of area 2
    (``(1, 2)`` or ``(2, 1)``), and 255 into 256, which its SIMD body saturates to 255 and its scalar
    tail (the last ``W * C % 16`` lanes of each row) casts to 0; purecv does the same.

    NaN and inf propagate to every output whose window holds one (NaN, or +-inf; +inf and -inf together
    give NaN), as in cv2. cv2's running sums also carry a NaN on past its windows, down the columns and
    along the rows (for a 9x9 box on a 600x500 image, to every pixel); purecv stops at the window: where
    cv2 is finite, purecv is too, with equal values.

    Examples
    --------
    >>> import numpy as np, purecv
    >>> img = np.zeros((5, 5), np.uint8)
    >>> img[2, 2] = 90
    >>> purecv.blur(img, (3, 3))
    array([[ 0,  0,  0,  0,  0],
           [ 0, 10, 10, 10,  0],
           [ 0, 10, 10, 10,  0],
           [ 0, 10, 10, 10,  0],
           [ 0,  0,  0,  0,  0]], dtype=uint8)

    cv2's rounding for power-of-two areas rounds a 2x2 mean of 1/4 up (an even kernel's window leans
    left and up: it covers ``x - 1 .. x`` and ``y - 1 .. y``):

    >>> img = np.zeros((3, 3), np.uint8)
    >>> img[1, 1] = 1
    >>> purecv.blur(img, (2, 2), borderType=purecv.BORDER_CONSTANT)
    array([[0, 0, 0],
           [0, 1, 1],
           [0, 1, 1]], dtype=uint8)
    """
    return _box(
        "blur", src, -1, ksize, dst, anchor, True, borderType, square=False, default_depth=_same_depth
    )


def boxFilter(  # noqa: N802 (cv2's name)
    src: np.ndarray,
    ddepth: int,
    ksize: tuple[int, int],
    dst: np.ndarray | None = None,
    anchor: tuple[int, int] = (-1, -1),
    normalize: bool = True,
    borderType: int = BORDER_DEFAULT,  # noqa: N803 (cv2's name)
) -> np.ndarray:
    """Sum (or average, with ``normalize``) every ``ksize`` window, as ``cv2.boxFilter``.

    Parameters
    ----------
    src : numpy.ndarray
        (H, W) or (H, W, C) image, C <= 512, of uint8, uint16, int16, int32, float32 or float64.
    ddepth : int
        Output depth: -1 (same as ``src``), ``CV_8U``, ``CV_16U``, ``CV_16S``, ``CV_32S`` (integer
        sources only), ``CV_32F`` or ``CV_64F``. Results saturate to the output type.
    ksize, dst, anchor, borderType
        As in :func:`blur`.
    normalize : bool
        ``True``: the window mean; ``False``: the raw window sum (e.g. ``CV_8U`` -> ``CV_32S``).

    Returns
    -------
    numpy.ndarray
        The filtered image, of depth ``ddepth``.

    Notes
    -----
    Integer results are bit-identical to cv2 5.0.0; float results agree within 1e-5 relative (float32)
    and 1e-12 (float64).

    Examples
    --------
    >>> import numpy as np, purecv
    >>> img = np.arange(9, dtype=np.uint8).reshape(3, 3)
    >>> purecv.boxFilter(img, purecv.CV_32S, (3, 3), normalize=False, borderType=purecv.BORDER_CONSTANT)
    array([[ 8, 15, 12],
           [21, 36, 27],
           [20, 33, 24]], dtype=int32)
    """
    return _box(
        "boxFilter",
        src,
        ddepth,
        ksize,
        dst,
        anchor,
        normalize,
        borderType,
        square=False,
        default_depth=_same_depth,
    )


def sqrBoxFilter(  # noqa: N802 (cv2's name)
    src: np.ndarray,
    ddepth: int,
    ksize: tuple[int, int],
    dst: np.ndarray | None = None,
    anchor: tuple[int, int] = (-1, -1),
    normalize: bool = True,
    borderType: int = BORDER_DEFAULT,  # noqa: N803 (cv2's name)
) -> np.ndarray:
    """Sum (or average) the squares of every ``ksize`` window, as ``cv2.sqrBoxFilter``.

    Parameters
    ----------
    src : numpy.ndarray
        (H, W) or (H, W, C) image of uint8, uint16, int16, float32 or float64.
    ddepth : int
        -1 gives ``CV_32F`` for integer sources and ``CV_64F`` for float ones; ``CV_32S`` is allowed for
        uint8 sources only.
    ksize, dst, anchor, normalize, borderType
        As in :func:`boxFilter`.

    Returns
    -------
    numpy.ndarray
        The filtered image, of depth ``ddepth``.

    Examples
    --------
    >>> import numpy as np, purecv
    >>> img = np.array([[1, 2], [3, 4]], np.uint8)
    >>> purecv.sqrBoxFilter(img, -1, (2, 2), normalize=False, borderType=purecv.BORDER_CONSTANT)
    array([[ 1.,  5.],
           [10., 30.]], dtype=float32)
    """
    return _box(
        "sqrBoxFilter",
        src,
        ddepth,
        ksize,
        dst,
        anchor,
        normalize,
        borderType,
        square=True,
        default_depth=_sqr_depth,
    )


def box_blur(image: np.ndarray, diameter: int, out: np.ndarray | None = None) -> np.ndarray:
    """The article's box blur: ``blur(image, (diameter, diameter))``, optionally in place.

    Parameters
    ----------
    image : numpy.ndarray
        (H, W) or (H, W, C) image, for example the article's 4-channel uint8 fire image.
    diameter : int
        Width and height of the box, >= 1.
    out : numpy.ndarray, optional
        Where to write the result; ``image`` itself blurs in place, with no copy kept by the caller.

    Returns
    -------
    numpy.ndarray
        The blurred image (``out`` when given).

    Examples
    --------
    >>> import numpy as np, purecv
    >>> img = np.full((4, 6, 4), 200, np.uint8)
    >>> purecv.box_blur(img, 8, out=img) is img
    True
    >>> int(img.min()), int(img.max())
    (200, 200)
    """
    if isinstance(diameter, bool) or not isinstance(diameter, int | np.integer):
        msg = f"box_blur: 'diameter' must be an int; got {diameter!r}"
        raise TypeError(msg)
    if diameter < 1:
        msg = f"box_blur: 'diameter' must be >= 1; got {diameter}"
        raise ValueError(msg)
    return _box(
        "box_blur",
        image,
        -1,
        (int(diameter), int(diameter)),
        out,
        (-1, -1),
        True,
        BORDER_DEFAULT,
        square=False,
        default_depth=_same_depth,
    )
