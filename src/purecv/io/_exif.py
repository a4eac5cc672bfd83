"""EXIF orientation: read the tag (0x0112) and turn the decoded pixels upright, as cv2's ``ExifTransform``."""

from __future__ import annotations

import numpy as np
from PIL import Image

__all__ = ["apply_orientation", "orientation_of"]

_ORIENTATION = 0x0112


def orientation_of(exif: bytes | None) -> int:
    """The orientation (1..8) in raw EXIF bytes (TIFF header, optionally after ``Exif\\0\\0``); 1 if none."""
    if not exif:
        return 1
    try:
        parsed = Image.Exif()
        parsed.load(exif if exif.startswith(b"Exif\0\0") else b"Exif\0\0" + exif)
        value = parsed.get(_ORIENTATION, 1)
    except Exception:  # noqa: BLE001 (a damaged EXIF block is ignored, as cv2 ignores it)
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def apply_orientation(img: np.ndarray, orientation: int) -> np.ndarray:
    """The image as displayed: EXIF orientations 2..8 are mirrors and quarter turns of the stored rows.

    >>> a = np.arange(6).reshape(2, 3)
    >>> apply_orientation(a, 6)  # stored rotated 90 degrees counter-clockwise: turn it clockwise
    array([[3, 0],
           [4, 1],
           [5, 2]])
    """
    if orientation in (5, 6, 7, 8):
        img = img.swapaxes(0, 1)  # transpose first, then flip as for 4, 2, 3, 1 (flips of the transpose)
        orientation = {5: 1, 6: 2, 7: 3, 8: 4}[orientation]
    if orientation in (2, 3):
        img = img[:, ::-1]
    if orientation in (3, 4):
        img = img[::-1]
    return np.ascontiguousarray(img)
