"""Images for the CLI and the demo: the bundled fire emoji, reading and writing files, tiling to a size.

Files go through ``purecv.imread`` / ``purecv.imwrite`` (BGR order, cv2's conventions). While a checkout
lacks those, a small Pillow fallback with the same conventions stands in.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

import numpy as np

import purecv
from purecv.constants import COLOR_RGB2RGBA, IMREAD_COLOR, IMREAD_UNCHANGED

__all__ = ["load_fire_bgra", "read_image", "tile_to", "write_image"]


def read_image(path: str | Path, flags: int = IMREAD_UNCHANGED) -> np.ndarray:
    """Read ``path`` like ``cv2.imread`` (BGR/BGRA channel order); raise ValueError if it cannot be read.

    ``flags`` is ``IMREAD_UNCHANGED`` (keep channels and depth) or ``IMREAD_COLOR`` (3-channel 8-bit).
    """
    if hasattr(purecv, "imread"):
        img = purecv.imread(str(path), flags)
    else:
        img = _pillow_read(Path(path), flags)
    if img is None:
        msg = f"cannot read an image from {str(path)!r}"
        raise ValueError(msg)
    return img


def write_image(path: str | Path, img: np.ndarray) -> None:
    """Write ``img`` (BGR/BGRA channel order) to ``path``, format from the extension."""
    if hasattr(purecv, "imwrite"):
        if not purecv.imwrite(str(path), img):
            msg = f"cannot write an image to {str(path)!r}"
            raise ValueError(msg)
        return
    _pillow_write(Path(path), img)


def load_fire_bgra() -> np.ndarray:
    """The article's input: the bundled fire emoji read as 8-bit BGR, then given a 4th channel of 255.

    The article converted with ``COLOR_RGB2RGBA`` on OpenCV's BGR data, which only appends alpha = 255
    (the channels stay in BGR order): a (256, 256, 4) uint8 BGRA array.

    Examples
    --------
    >>> img = load_fire_bgra()
    >>> img.shape, img.dtype.name, img[0, 0].tolist()
    ((256, 256, 4), 'uint8', [255, 255, 255, 255])
    """
    resource = importlib.resources.files("purecv") / "data" / "fire.png"
    with importlib.resources.as_file(resource) as path:
        bgr = read_image(path, IMREAD_COLOR)
    if hasattr(purecv, "cvtColor"):
        return purecv.cvtColor(bgr, COLOR_RGB2RGBA)
    return np.dstack([bgr, np.full(bgr.shape[:2], 255, np.uint8)])


def tile_to(img: np.ndarray, width: int, height: int) -> np.ndarray:
    """Repeat ``img`` across and down until it covers ``width`` x ``height``, then crop (C-contiguous).

    Examples
    --------
    >>> tile_to(np.arange(4, dtype=np.uint8).reshape(2, 2), 3, 3)
    array([[0, 1, 0],
           [2, 3, 2],
           [0, 1, 0]], dtype=uint8)
    """
    h, w = img.shape[:2]
    reps = (-(-height // h), -(-width // w)) + (1,) * (img.ndim - 2)
    return np.ascontiguousarray(np.tile(img, reps)[:height, :width])


def _pillow_read(path: Path, flags: int) -> np.ndarray | None:
    """cv2.imread's conventions over Pillow: gray stays 2-D, colour comes back BGR or BGRA."""
    from PIL import Image, UnidentifiedImageError

    try:
        head = path.read_bytes()[:26]
    except OSError:
        return None
    if head[:8] == b"\x89PNG\r\n\x1a\n" and head[24] == 16 and head[25] in (2, 6):
        msg = f"{str(path)!r} is a 16-bit colour PNG, which the Pillow fallback would cut to 8 bits"
        raise ValueError(msg)
    try:
        with Image.open(path) as im:
            im.load()
            if flags != IMREAD_UNCHANGED:
                return np.ascontiguousarray(np.asarray(im.convert("RGB"))[..., ::-1])
            if im.mode == "P":
                im = im.convert("RGBA" if "transparency" in im.info else "RGB")
            if im.mode in ("1", "L", "I;16", "I", "F"):
                arr = np.asarray(im)
                return arr.astype(np.uint16) if im.mode == "I;16" else arr
            im = im.convert("RGBA" if "A" in im.mode else "RGB")
            arr = np.asarray(im)
    except (OSError, UnidentifiedImageError):
        return None
    order = [2, 1, 0, 3] if arr.shape[2] == 4 else [2, 1, 0]
    return np.ascontiguousarray(arr[..., order])


def _pillow_write(path: Path, img: np.ndarray) -> None:
    from PIL import Image

    if img.ndim == 3 and img.shape[2] in (3, 4):
        order = [2, 1, 0, 3] if img.shape[2] == 4 else [2, 1, 0]
        img = img[..., order]
    elif img.ndim == 3 and img.shape[2] == 1:
        img = img[..., 0]
    try:
        Image.fromarray(np.ascontiguousarray(img)).save(path)
    except (OSError, ValueError, TypeError, KeyError) as exc:
        msg = f"cannot write an image to {str(path)!r}: {exc}"
        raise ValueError(msg) from exc
