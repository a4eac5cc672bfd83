"""Colour conversion: ``cvtColor`` between BGR, RGB, BGRA, RGBA and GRAY.

Semantics are cv2 5.0.0's for the twelve codes ``COLOR_BGR2BGRA`` (0) to ``COLOR_RGBA2GRAY`` (11): the
channel counts each code accepts (the BGR <-> RGB family also takes a gray source and replicates it),
``dstCn`` (3 or 4 for the colour outputs), the alpha a conversion adds (255, 65535 or 1.0, the maximum of
the dtype) and the gray weights (see :mod:`purecv._kernels.color`).

Exactness: uint8 and uint16 results are bit-identical to cv2, channel shuffles of every dtype too. float32
gray follows the fused multiply-adds of the IPP kernel cv2 calls on x86, including how it treats the last
4-pixel block of a 3-channel row: bit-identical to cv2 5.0.0 on an AVX-512 CPU. cv2 without IPP, or on
other CPUs, adds in another order, so the portable contract is 1 ulp for non-negative input.
"""

from __future__ import annotations

import numpy as np

from ._jit import current_threads
from ._kernels.color import (
    GRAY_WEIGHTS_F32,
    GRAY_WEIGHTS_FIX15,
    PARALLEL_MIN_LANES,
    gray_float,
    gray_float_parallel,
    gray_int,
    gray_int_parallel,
    shuffle,
    shuffle_parallel,
)
from ._kernels.rows import as_rows
from ._validate import check_dst, check_image
from .constants import (
    ALGO_HINT_ACCURATE,
    ALGO_HINT_APPROX,
    ALGO_HINT_DEFAULT,
    COLOR_BGR2BGRA,
    COLOR_BGR2GRAY,
    COLOR_BGR2RGB,
    COLOR_BGR2RGBA,
    COLOR_BGRA2BGR,
    COLOR_BGRA2GRAY,
    COLOR_BGRA2RGBA,
    COLOR_GRAY2BGR,
    COLOR_GRAY2BGRA,
    COLOR_RGB2GRAY,
    COLOR_RGBA2BGR,
    COLOR_RGBA2GRAY,
)

__all__ = ["cvtColor"]

_COLOR_DTYPES = (np.uint8, np.uint16, np.float32)

# code -> (names, accepted source channel counts, default destination channels (1: gray), swap B and R)
_CODES = {
    COLOR_BGR2BGRA: ("COLOR_BGR2BGRA/COLOR_RGB2RGBA", (1, 3, 4), 4, False),
    COLOR_BGRA2BGR: ("COLOR_BGRA2BGR/COLOR_RGBA2RGB", (1, 3, 4), 3, False),
    COLOR_BGR2RGBA: ("COLOR_BGR2RGBA/COLOR_RGB2BGRA", (1, 3, 4), 4, True),
    COLOR_RGBA2BGR: ("COLOR_RGBA2BGR/COLOR_BGRA2RGB", (1, 3, 4), 3, True),
    COLOR_BGR2RGB: ("COLOR_BGR2RGB/COLOR_RGB2BGR", (1, 3, 4), 3, True),
    COLOR_BGRA2RGBA: ("COLOR_BGRA2RGBA/COLOR_RGBA2BGRA", (1, 3, 4), 4, True),
    COLOR_BGR2GRAY: ("COLOR_BGR2GRAY", (3, 4), 1, False),
    COLOR_RGB2GRAY: ("COLOR_RGB2GRAY", (3, 4), 1, True),
    COLOR_GRAY2BGR: ("COLOR_GRAY2BGR/COLOR_GRAY2RGB", (1,), 3, False),
    COLOR_GRAY2BGRA: ("COLOR_GRAY2BGRA/COLOR_GRAY2RGBA", (1,), 4, False),
    COLOR_BGRA2GRAY: ("COLOR_BGRA2GRAY", (3, 4), 1, False),
    COLOR_RGBA2GRAY: ("COLOR_RGBA2GRAY", (3, 4), 1, True),
}
_ALPHA = {np.dtype(np.uint8): 255, np.dtype(np.uint16): 65535, np.dtype(np.float32): 1.0}


def _is_int(value: object) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)


def _check_code(code: object, dstCn: object, hint: object) -> tuple[int, int]:  # noqa: N803 (cv2's name)
    """Check ``code``, ``dstCn`` and ``hint``; return the code and the destination channel count."""
    func = "cvtColor"
    if not _is_int(code):
        msg = f"{func}: 'code' must be an int COLOR_* constant; got {code!r}"
        raise TypeError(msg)
    if int(code) not in _CODES:
        known = ", ".join(f"{names} ({c})" for c, (names, *_rest) in _CODES.items())
        msg = f"{func}: 'code' {code!r} is not a conversion purecv supports; expected one of {known}"
        raise ValueError(msg)
    code = int(code)
    names, _, default_cn, _ = _CODES[code]
    if not _is_int(dstCn):
        msg = f"{func}: 'dstCn' must be an int (0 for the code's default); got {dstCn!r}"
        raise TypeError(msg)
    dcn = int(dstCn)
    allowed = (0, 1) if default_cn == 1 else (0, 3, 4)
    if dcn not in allowed:
        msg = f"{func}: 'dstCn' for {names} ({code}) must be one of {allowed}; got {dcn}"
        raise ValueError(msg)
    hints = "ALGO_HINT_DEFAULT (0), ALGO_HINT_ACCURATE (1) or ALGO_HINT_APPROX (2)"
    if not _is_int(hint):
        msg = f"{func}: 'hint' must be an int, {hints}; got {hint!r}"
        raise TypeError(msg)
    if int(hint) not in (ALGO_HINT_DEFAULT, ALGO_HINT_ACCURATE, ALGO_HINT_APPROX):
        msg = f"{func}: 'hint' must be {hints}; got {hint!r}"
        raise ValueError(msg)
    return code, (dcn or default_cn)


def cvtColor(  # noqa: N802 (cv2's name)
    src: np.ndarray,
    code: int,
    dst: np.ndarray | None = None,
    dstCn: int = 0,  # noqa: N803 (cv2's name)
    hint: int = ALGO_HINT_DEFAULT,
) -> np.ndarray:
    """Convert an image between BGR, RGB, BGRA, RGBA and gray, as ``cv2.cvtColor``.

    Parameters
    ----------
    src : numpy.ndarray
        uint8, uint16 or float32 image: ``(H, W)`` or ``(H, W, 1)`` gray, ``(H, W, 3)`` or ``(H, W, 4)``
        colour. Any strides.
    code : int
        ``COLOR_BGR2BGRA`` (= ``COLOR_RGB2RGBA``), ``COLOR_BGRA2BGR``, ``COLOR_BGR2RGBA``,
        ``COLOR_RGBA2BGR``, ``COLOR_BGR2RGB``, ``COLOR_BGRA2RGBA``, ``COLOR_BGR2GRAY``, ``COLOR_RGB2GRAY``,
        ``COLOR_GRAY2BGR``, ``COLOR_GRAY2BGRA``, ``COLOR_BGRA2GRAY``, ``COLOR_RGBA2GRAY`` or an alias.
        As in cv2, the colour -> gray codes take 3 or 4 channels, ``COLOR_GRAY2*`` take 1, and the
        colour -> colour codes take 1 (replicated), 3 or 4; a 4-channel source keeps its alpha when the
        output has 4 channels.
    dst : numpy.ndarray, optional
        Output of the result's shape (``(H, W)`` for gray, ``(H, W, dcn)`` otherwise) and ``src``'s dtype.
        It may be ``src`` itself when the shapes agree (e.g. ``COLOR_BGR2RGB`` in place).
    dstCn : int, optional
        Channels of a colour result, 3 or 4; 0 (default) takes the code's. For the gray codes only 0 or 1
        (cv2 ignores any value there; purecv refuses the meaningless ones).
    hint : int, optional
        ``ALGO_HINT_*``; accepted for cv2 compatibility, no effect (neither has it in cv2 for these codes).

    Returns
    -------
    numpy.ndarray
        ``dst`` if given, else a new array. An added alpha channel holds the dtype's maximum: 255, 65535
        or 1.0.

    Raises
    ------
    TypeError
        ``src`` not an array of uint8, uint16 or float32; ``code``/``dstCn`` not ints; ``dst`` of another
        dtype.
    ValueError
        Unknown ``code``, a channel count the code does not accept, a bad ``dstCn``, ``hint`` or ``dst``
        shape.

    Notes
    -----
    Gray: ``Y = (B*3735 + G*19235 + R*9798 + 16384) >> 15`` for uint8 and uint16 (bit-identical to cv2);
    ``fma(R, 0.299f, fma(B, 0.114f, G*0.587f))`` for float32, as cv2's IPP kernel (see the module
    docstring).

    Examples
    --------
    >>> import numpy as np
    >>> import purecv
    >>> bgr = np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255], [10, 20, 30]]], np.uint8)
    >>> purecv.cvtColor(bgr, purecv.COLOR_BGR2GRAY)
    array([[ 29, 150,  76,  22]], dtype=uint8)
    >>> purecv.cvtColor(bgr, purecv.COLOR_BGR2RGBA)[0, 3]
    array([ 30,  20,  10, 255], dtype=uint8)
    >>> purecv.cvtColor(np.array([[0.5]], np.float32), purecv.COLOR_GRAY2BGRA)
    array([[[0.5, 0.5, 0.5, 1. ]]], dtype=float32)
    """
    func = "cvtColor"
    src = check_image(func, src, dtypes=_COLOR_DTYPES)
    code, dcn = _check_code(code, dstCn, hint)
    names, accepted, _, swap = _CODES[code]
    scn = 1 if src.ndim == 2 else src.shape[2]
    if scn not in accepted:
        counts = [f"{c}-" for c in accepted]
        want = ", ".join(counts[:-1]) + " or " + counts[-1] if len(counts) > 1 else counts[0]
        msg = (
            f"{func}: {names} ({code}) needs a {want}channel 'src'; "
            f"got {scn} channel{'s' if scn != 1 else ''} (shape {src.shape})"
        )
        raise ValueError(msg)
    height, width = src.shape[:2]
    out_shape = (height, width) if dcn == 1 else (height, width, dcn)
    dst = check_dst(func, dst, out_shape, src.dtype)
    return _convert(src, scn, dcn, swap, dst, out_shape)


def _convert(src, scn, dcn, swap, dst, out_shape):
    """Driver: contiguous rows in, the kernel for the layout, the result into ``dst``."""
    height, width = src.shape[:2]
    rows = as_rows(src)
    direct = dst is not None and dst.flags.c_contiguous
    out = dst if direct else np.empty(out_shape, src.dtype)
    if direct and np.may_share_memory(dst, rows) and not _same_rows(dst, rows):
        rows = rows.copy()  # overlapping, shifted views: the kernel would read pixels it has written
    out_rows = out.reshape(height, -1)
    lanes = height * width * max(scn, dcn)
    threads = current_threads() if lanes >= PARALLEL_MIN_LANES else 1
    n_strips = min(4 * threads, height) if threads > 1 else 1
    if dcn == 1:
        weights = GRAY_WEIGHTS_F32 if src.dtype == np.float32 else GRAY_WEIGHTS_FIX15
        cb, cg, cr = weights
        c0, c2 = (cr, cb) if swap else (cb, cr)
        if src.dtype == np.float32:
            kernel, parallel = gray_float, gray_float_parallel
        else:
            kernel, parallel = gray_int, gray_int_parallel
        if n_strips > 1:
            parallel(rows, out_rows, scn, c0, cg, c2, n_strips)
        else:
            kernel(rows, out_rows, scn, c0, cg, c2, 0, height)
    elif scn == dcn and not swap:
        np.copyto(out_rows, rows)  # BGR2BGR-like codes on their own layout: a copy
    else:
        alpha = src.dtype.type(_ALPHA[src.dtype])
        bidx = 2 if swap else 0
        if n_strips > 1:
            shuffle_parallel(rows, out_rows, scn, dcn, bidx, alpha, n_strips)
        else:
            shuffle(rows, out_rows, scn, dcn, bidx, alpha, 0, height)
    if dst is not None and out is not dst:
        dst[...] = out
        return dst
    return out


def _same_rows(dst: np.ndarray, rows: np.ndarray) -> bool:
    """Whether ``dst`` is exactly the memory of ``rows`` (the in-place case the kernels support)."""
    return (
        dst.flags.c_contiguous
        and dst.size == rows.size
        and dst.__array_interface__["data"][0] == rows.__array_interface__["data"][0]
    )
