"""B <-> R for the codecs: cvtColor's vectorised kernel where it applies, NumPy indexing otherwise."""

from __future__ import annotations

import numpy as np

from ..color import cvtColor
from ..constants import COLOR_BGR2RGB, COLOR_BGRA2RGBA

__all__ = ["swap_rb"]


def swap_rb(img: np.ndarray) -> np.ndarray:
    """A C-contiguous copy of a (H, W, 3|4) image with channels 0 and 2 exchanged (alpha kept).

    >>> swap_rb(np.array([[[1, 2, 3, 4]]], np.uint8))
    array([[[3, 2, 1, 4]]], dtype=uint8)
    """
    if img.dtype in (np.uint8, np.uint16, np.float32):
        return cvtColor(img, COLOR_BGRA2RGBA if img.shape[2] == 4 else COLOR_BGR2RGB)
    return np.ascontiguousarray(img[..., [2, 1, 0, 3][: img.shape[2]]])
