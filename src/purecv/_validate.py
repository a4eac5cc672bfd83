"""Shared argument checks for the public functions, with one message style.

Every message names the function, the parameter, what was expected and what came, e.g.::

    blur: 'ksize' must be a pair of positive ints (width, height); got (0, 3)

Kernels never validate: whatever reaches ``purecv._kernels`` has passed through here.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np

from .constants import (
    BORDER_CONSTANT,
    BORDER_ISOLATED,
    BORDER_REFLECT,
    BORDER_REFLECT_101,
    BORDER_REPLICATE,
    BORDER_WRAP,
    CV_8S,
    CV_8U,
    CV_16S,
    CV_16U,
    CV_32F,
    CV_32S,
    CV_64F,
)

__all__ = [
    "BORDER_NAMES",
    "CN_MAX",
    "DEPTH_NAMES",
    "DEPTH_OF",
    "DTYPE_OF",
    "check_anchor",
    "check_border",
    "check_dst",
    "check_image",
    "check_ksize",
    "check_number",
    "depth_of",
]

CN_MAX = 512  # cv2's CV_CN_MAX

DTYPE_OF = {
    CV_8U: np.dtype(np.uint8),
    CV_8S: np.dtype(np.int8),
    CV_16U: np.dtype(np.uint16),
    CV_16S: np.dtype(np.int16),
    CV_32S: np.dtype(np.int32),
    CV_32F: np.dtype(np.float32),
    CV_64F: np.dtype(np.float64),
}
DEPTH_OF = {dt: depth for depth, dt in DTYPE_OF.items()}
DEPTH_NAMES = {
    CV_8U: "CV_8U",
    CV_8S: "CV_8S",
    CV_16U: "CV_16U",
    CV_16S: "CV_16S",
    CV_32S: "CV_32S",
    CV_32F: "CV_32F",
    CV_64F: "CV_64F",
}
BORDER_NAMES = {
    BORDER_CONSTANT: "BORDER_CONSTANT",
    BORDER_REPLICATE: "BORDER_REPLICATE",
    BORDER_REFLECT: "BORDER_REFLECT",
    BORDER_WRAP: "BORDER_WRAP",
    BORDER_REFLECT_101: "BORDER_REFLECT_101",
}
# The dtypes every filter accepts unless it says otherwise.
FILTER_DTYPES = (np.uint8, np.uint16, np.int16, np.float32, np.float64)


def _is_int(value: object) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)


def _is_int_pair(value: object) -> bool:
    """A cv2 Size or Point: a tuple, list or array of two ints (not bools)."""
    if type(value) is tuple and len(value) == 2 and type(value[0]) is int and type(value[1]) is int:
        return True  # the common case, without the ABC checks below
    return (
        isinstance(value, Sequence | np.ndarray)
        and not isinstance(value, str | bytes)
        and len(value) == 2
        and all(_is_int(v) for v in value)
    )


def depth_of(dtype: np.dtype) -> int:
    """Return cv2's depth code (``CV_8U`` ...) of a NumPy dtype."""
    return DEPTH_OF[np.dtype(dtype)]


@functools.cache
def _dtypes(dtypes: tuple[type, ...]) -> tuple[np.dtype, ...]:
    """The NumPy dtypes of ``dtypes``, built once per list (a call's validation stays in microseconds)."""
    return tuple(np.dtype(d) for d in dtypes)


def check_image(
    func: str,
    src: object,
    name: str = "src",
    dtypes: Sequence[type] = FILTER_DTYPES,
) -> np.ndarray:
    """Check that ``src`` is a non-empty 2-D or 3-D array of an accepted dtype, at most 512 channels."""
    if not isinstance(src, np.ndarray):
        msg = f"{func}: '{name}' must be a numpy.ndarray; got {type(src).__name__}"
        raise TypeError(msg)
    allowed = _dtypes(tuple(dtypes))
    if src.dtype not in allowed:
        names = ", ".join(d.name for d in allowed)
        msg = f"{func}: '{name}' has dtype {src.dtype.name}; expected one of {names}"
        raise TypeError(msg)
    if src.ndim not in (2, 3):
        msg = f"{func}: '{name}' must have 2 dimensions (H, W) or 3 (H, W, C); got shape {src.shape}"
        raise ValueError(msg)
    if src.size == 0:
        msg = f"{func}: '{name}' is empty (shape {src.shape}); expected at least one pixel"
        raise ValueError(msg)
    if src.ndim == 3 and src.shape[2] > CN_MAX:
        msg = f"{func}: '{name}' has {src.shape[2]} channels; expected at most {CN_MAX}"
        raise ValueError(msg)
    return src


def check_ksize(func: str, ksize: object, name: str = "ksize") -> tuple[int, int]:
    """Check a cv2 ``Size``: a pair of positive ints ``(width, height)``."""
    if not _is_int_pair(ksize):
        msg = f"{func}: '{name}' must be a pair of ints (width, height); got {ksize!r}"
        raise TypeError(msg)
    kw, kh = int(ksize[0]), int(ksize[1])
    if kw <= 0 or kh <= 0:
        msg = f"{func}: '{name}' must be a pair of positive ints (width, height); got ({kw}, {kh})"
        raise ValueError(msg)
    return kw, kh


def check_anchor(func: str, anchor: object, kw: int, kh: int) -> tuple[int, int]:
    """Check a cv2 anchor ``(x, y)`` inside a ``kw`` x ``kh`` kernel; ``-1`` means the centre."""
    if not _is_int_pair(anchor):
        msg = f"{func}: 'anchor' must be a pair of ints (x, y); got {anchor!r}"
        raise TypeError(msg)
    ax, ay = int(anchor[0]), int(anchor[1])
    ax = kw // 2 if ax == -1 else ax
    ay = kh // 2 if ay == -1 else ay
    if not (0 <= ax < kw and 0 <= ay < kh):
        msg = (
            f"{func}: 'anchor' must lie inside the {kw}x{kh} kernel "
            f"(0 <= x < {kw}, 0 <= y < {kh}, or -1 for the centre); got {tuple(anchor)}"
        )
        raise ValueError(msg)
    return ax, ay


def check_border(
    func: str,
    border_type: object,
    allowed: Sequence[int] = (
        BORDER_CONSTANT,
        BORDER_REPLICATE,
        BORDER_REFLECT,
        BORDER_WRAP,
        BORDER_REFLECT_101,
    ),
    name: str = "borderType",
) -> int:
    """Check a border type and return it without the ``BORDER_ISOLATED`` flag.

    From Python every call already behaves as ``BORDER_ISOLATED`` (a NumPy view carries no parent image),
    so the flag is accepted and has no further effect.
    """
    if not _is_int(border_type):
        msg = f"{func}: '{name}' must be an int BORDER_* constant; got {border_type!r}"
        raise TypeError(msg)
    base = int(border_type) & ~BORDER_ISOLATED
    if int(border_type) < 0 or base not in allowed:
        names = ", ".join(BORDER_NAMES[b] for b in allowed)
        msg = f"{func}: '{name}' must be one of {names} (optionally | BORDER_ISOLATED); got {border_type!r}"
        raise ValueError(msg)
    return base


def check_number(func: str, value: object, name: str) -> float:
    """Check a real scalar (int or float, not bool) and return it as a float."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.integer | np.floating):
        msg = f"{func}: '{name}' must be a real number; got {value!r}"
        raise TypeError(msg)
    return float(value)


def check_dst(func: str, dst: object, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray | None:
    """Check a caller-supplied output array: same shape and dtype as the result, writeable."""
    if dst is None:
        return None
    if not isinstance(dst, np.ndarray):
        msg = f"{func}: 'dst' must be a numpy.ndarray or None; got {type(dst).__name__}"
        raise TypeError(msg)
    if dst.dtype != dtype:
        msg = f"{func}: 'dst' has dtype {dst.dtype.name}; expected {np.dtype(dtype).name}"
        raise TypeError(msg)
    if dst.shape != tuple(shape):
        msg = f"{func}: 'dst' has shape {dst.shape}; expected {tuple(shape)}"
        raise ValueError(msg)
    if not dst.flags.writeable:
        msg = f"{func}: 'dst' is read-only; expected a writeable array"
        raise ValueError(msg)
    return dst
