"""JPEG and WebP through Pillow, shaped as cv2 5.0.0 shapes them.

Pillow and cv2 call the same libraries (libjpeg-turbo, libwebp) with the same settings, so the decoded
pixels are the same (measured: identical on every JPEG and WebP the tests try, lossy ones included).
What cv2 adds, and this module replays:

- JPEG gray is libjpeg's own luma (``JCS_GRAYSCALE``: the Y plane, not a weighted sum of the decoded
  RGB), colour from a gray JPEG is replicated; Adobe CMYK becomes BGR by cv2's ``icvCvt_CMYK2BGR``;
- WebP gray is ``cvtColor(COLOR_BGR2GRAY)`` of the decoded colour (15-bit weights);
- EXIF orientation is applied unless the flags say otherwise (see :mod:`purecv.io`);
- JPEG encodes at quality 95, 4:2:0; WebP is lossless unless a quality of at most 100 is given.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from ..color import cvtColor
from ..constants import COLOR_BGR2GRAY, COLOR_BGRA2GRAY
from ._swap import swap_rb

__all__ = ["decode_jpeg", "decode_webp", "encode_jpeg", "encode_webp", "open_image"]

_GRAY14 = (1868, 9617, 4899)  # cv2's utils.cpp weights for B, G, R (sum 2**14)


def open_image(data: bytes, kind: str, where: str) -> Image.Image:
    """Open ``data`` with Pillow, refusing anything but ``kind`` (the format the header said)."""
    try:
        im = Image.open(io.BytesIO(data), formats=[kind])
    except (OSError, ValueError, SyntaxError) as exc:
        msg = f"{where}: corrupt or unsupported {kind} ({exc})"
        raise ValueError(msg) from None
    return im


def _load(im: Image.Image, kind: str, where: str) -> None:
    try:
        im.load()
    except (OSError, ValueError, SyntaxError) as exc:
        msg = f"{where}: corrupt or truncated {kind} ({exc})"
        raise ValueError(msg) from None


def _orientation(im: Image.Image) -> int:
    try:
        value = im.getexif().get(0x0112, 1)
    except Exception:  # noqa: BLE001 (a damaged EXIF block is ignored, as cv2 ignores it)
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _bgr(rgb: np.ndarray, cn: int, to_rgb: bool) -> np.ndarray:
    """(H, W, 3|4) RGB(A) -> cv2's ``cn`` channels (3 or 4), BGR(A) unless ``to_rgb``."""
    rgb = rgb[..., :cn]
    return np.ascontiguousarray(rgb) if to_rgb else swap_rb(rgb)


def decode_jpeg(data: bytes, request, where: str) -> tuple[np.ndarray, int]:
    """JPEG -> (image, EXIF orientation). ``request(native_cn, dtype) -> (cn, dtype, rgb)``."""
    im = open_image(data, "JPEG", where)
    native = 1 if im.mode == "L" else 3
    cn, _, to_rgb = request(native, np.dtype(np.uint8))
    orientation = _orientation(im)
    if im.mode == "CMYK":
        inverted = bool(im.tile) and im.tile[0].args[0] == "CMYK;I"
        _load(im, "JPEG", where)
        return _from_cmyk(np.asarray(im), inverted, cn, to_rgb), orientation
    if cn == 1 and im.mode != "L":
        im.draft("L", im.size)  # libjpeg's own gray output, as cv2 asks for (JCS_GRAYSCALE)
    _load(im, "JPEG", where)
    if im.mode not in ("L", "RGB"):
        msg = f"{where}: unsupported JPEG colour mode {im.mode}"
        raise ValueError(msg)
    arr = np.asarray(im)
    if cn == 1:
        return arr, orientation
    if arr.ndim == 2:
        return np.repeat(arr[..., None], 3, axis=2), orientation
    return _bgr(arr, 3, to_rgb), orientation


def _from_cmyk(cmyk: np.ndarray, inverted: bool, cn: int, to_rgb: bool) -> np.ndarray:
    """cv2's ``icvCvt_CMYK2BGR`` / ``icvCvt_CMYK2Gray`` on libjpeg's raw (Adobe: inverted) CMYK."""
    raw = (255 - cmyk if inverted else cmyk).astype(np.int32)
    k = raw[..., 3]
    c, m, y = (k - ((255 - raw[..., i]) * k >> 8) for i in range(3))
    if cn == 1:
        b_w, g_w, r_w = _GRAY14
        return ((y * b_w + m * g_w + c * r_w + 8192) >> 14).astype(np.uint8)
    rgb = np.stack([c, m, y], axis=-1).astype(np.uint8)
    return rgb if to_rgb else np.ascontiguousarray(rgb[..., ::-1])


def decode_webp(data: bytes, request, where: str) -> tuple[np.ndarray, int]:
    """WebP (the first frame of an animation) -> (image, EXIF orientation)."""
    im = open_image(data, "WEBP", where)
    _load(im, "WebP", where)
    orientation = _orientation(im)
    mode = "RGBA" if "A" in im.mode else "RGB"
    arr = np.asarray(im if im.mode == mode else im.convert(mode))
    native = arr.shape[2]
    cn, _, to_rgb = request(native, np.dtype(np.uint8))
    if cn == 1:
        bgr = _bgr(arr, native, False)
        return cvtColor(bgr, COLOR_BGRA2GRAY if native == 4 else COLOR_BGR2GRAY), orientation
    return _bgr(arr, cn, to_rgb), orientation


def _to_pillow(img: np.ndarray) -> Image.Image:
    """BGR(A)/gray uint8 -> a Pillow image in RGB(A)/L."""
    if img.ndim == 2:
        return Image.fromarray(img, "L")
    rgb = swap_rb(img)
    return Image.fromarray(rgb, "RGBA" if img.shape[2] == 4 else "RGB")


def encode_jpeg(img: np.ndarray, quality: int, progressive: bool, optimize: bool, subsampling: int) -> bytes:
    """JPEG bytes of a uint8 gray or BGR image (a fourth channel is dropped, as cv2 drops it)."""
    if img.ndim == 3 and img.shape[2] == 4:
        img = img[..., :3]
    out = io.BytesIO()
    opts = {"quality": quality, "progressive": progressive, "optimize": optimize}
    if img.ndim == 3:
        opts["subsampling"] = subsampling
    _to_pillow(img).save(out, "JPEG", **opts)
    return out.getvalue()


def encode_webp(img: np.ndarray, quality: float | None) -> bytes:
    """WebP bytes of a uint8 image: lossless when ``quality`` is None, else lossy at ``quality`` (1..100)."""
    if img.ndim == 2:
        img = np.repeat(img[..., None], 3, axis=2)  # cv2: GRAY2BGR, WebP has no gray
    out = io.BytesIO()
    if quality is None:
        _to_pillow(img).save(out, "WEBP", lossless=True, method=4)
    else:
        _to_pillow(img).save(out, "WEBP", quality=quality, method=4)
    return out.getvalue()
