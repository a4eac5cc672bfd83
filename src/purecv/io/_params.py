"""The encoding side of ``imwrite``/``imencode``: extension -> format, image checks, cv2's ``params``."""

from __future__ import annotations

import warnings
import zlib

import numpy as np

from ..constants import (
    IMWRITE_JPEG_CHROMA_QUALITY,
    IMWRITE_JPEG_LUMA_QUALITY,
    IMWRITE_JPEG_OPTIMIZE,
    IMWRITE_JPEG_PROGRESSIVE,
    IMWRITE_JPEG_QUALITY,
    IMWRITE_JPEG_RST_INTERVAL,
    IMWRITE_JPEG_SAMPLING_FACTOR,
    IMWRITE_PNG_BILEVEL,
    IMWRITE_PNG_COMPRESSION,
    IMWRITE_PNG_FILTER,
    IMWRITE_PNG_STRATEGY,
    IMWRITE_PNG_ZLIBBUFFER_SIZE,
    IMWRITE_TIFF_COMPRESSION,
    IMWRITE_TIFF_PREDICTOR,
    IMWRITE_TIFF_RESUNIT,
    IMWRITE_TIFF_ROWSPERSTRIP,
    IMWRITE_TIFF_XDPI,
    IMWRITE_TIFF_YDPI,
    IMWRITE_WEBP_QUALITY,
)
from . import _bmp, _png, _tiff
from ._pillow import encode_jpeg, encode_webp

__all__ = ["encode_image", "format_of"]

_EXTENSIONS = {
    ".png": "png",
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".jpe": "jpeg",
    ".bmp": "bmp",
    ".dib": "bmp",
    ".tif": "tiff",
    ".tiff": "tiff",
    ".webp": "webp",
}
_NAMES = {"png": "PNG", "jpeg": "JPEG", "bmp": "BMP", "tiff": "TIFF", "webp": "WebP"}
# The dtypes each format stores; others become uint8 (cv2: ``img.convertTo(CV_8U)``).
_STORES = {
    "png": (np.uint8, np.uint16),
    "jpeg": (np.uint8,),
    "bmp": (np.uint8,),
    "webp": (np.uint8,),
    "tiff": (np.uint8, np.int8, np.uint16, np.int16, np.uint32, np.int32, np.float32, np.float64),
}
# The keys purecv implements, per format; the rest of that format's keys raise.
_IMPLEMENTED = {
    "png": {IMWRITE_PNG_COMPRESSION, IMWRITE_PNG_STRATEGY, IMWRITE_PNG_FILTER},
    "jpeg": {
        IMWRITE_JPEG_QUALITY,
        IMWRITE_JPEG_PROGRESSIVE,
        IMWRITE_JPEG_OPTIMIZE,
        IMWRITE_JPEG_SAMPLING_FACTOR,
    },
    "webp": {IMWRITE_WEBP_QUALITY},
    "tiff": {
        IMWRITE_TIFF_COMPRESSION,
        IMWRITE_TIFF_PREDICTOR,
        IMWRITE_TIFF_ROWSPERSTRIP,
        IMWRITE_TIFF_XDPI,
        IMWRITE_TIFF_YDPI,
        IMWRITE_TIFF_RESUNIT,
    },
    "bmp": set(),
}
_NOT_IMPLEMENTED = {
    "png": {
        IMWRITE_PNG_BILEVEL: "IMWRITE_PNG_BILEVEL",
        IMWRITE_PNG_ZLIBBUFFER_SIZE: "IMWRITE_PNG_ZLIBBUFFER_SIZE",
    },
    "jpeg": {
        IMWRITE_JPEG_RST_INTERVAL: "IMWRITE_JPEG_RST_INTERVAL",
        IMWRITE_JPEG_LUMA_QUALITY: "IMWRITE_JPEG_LUMA_QUALITY",
        IMWRITE_JPEG_CHROMA_QUALITY: "IMWRITE_JPEG_CHROMA_QUALITY",
    },
    "bmp": {768: "IMWRITE_BMP_COMPRESSION"},
    "webp": {65: "IMWRITE_WEBP_LOSSLESS_MODE"},
    "tiff": {},
}
_SUBSAMPLING = {0x111111: 0, 0x211111: 1, 0x221111: 2}  # cv2's IMWRITE_JPEG_SAMPLING_FACTOR -> Pillow's
_PNG_DEFAULT = (1, zlib.Z_RLE, 16)  # cv2's PngEncoder: level 1, Z_RLE, the Sub filter


def format_of(ext: str) -> str | None:
    """'png', 'jpeg', 'bmp', 'tiff', 'webp' for a file extension (any case, with its period), else None."""
    return _EXTENSIONS.get(ext.lower())


def _check_image(func: str, img: object, fmt: str) -> np.ndarray:
    if not isinstance(img, np.ndarray):
        msg = f"{func}: 'img' must be a numpy.ndarray; got {type(img).__name__}"
        raise TypeError(msg)
    if img.dtype.kind not in "uif" or img.dtype.itemsize > 8:
        msg = f"{func}: 'img' has dtype {img.dtype.name}; expected an integer or float image (uint8...)"
        raise TypeError(msg)
    if img.ndim not in (2, 3) or img.size == 0:
        msg = f"{func}: 'img' must be a non-empty (H, W) or (H, W, C) array; got shape {img.shape}"
        raise ValueError(msg)
    cn = 1 if img.ndim == 2 else img.shape[2]
    if cn not in (1, 3, 4):
        msg = f"{func}: 'img' must have 1, 3 or 4 channels (gray, BGR, BGRA); got {cn} (shape {img.shape})"
        raise ValueError(msg)
    if img.shape[0] >= 1 << 31 or img.shape[1] >= 1 << 31:
        msg = f"{func}: 'img' of shape {img.shape} is too large for an image file"
        raise ValueError(msg)
    img = img[..., 0] if cn == 1 and img.ndim == 3 else img
    if img.dtype.type not in _STORES[fmt]:
        warnings.warn(
            f"{func}: {_NAMES[fmt]} cannot store {img.dtype.name}; converting to uint8 with rounding and "
            "saturation, as cv2 does (convert the image yourself to silence this warning)",
            UserWarning,
            stacklevel=4,
        )
        img = np.clip(np.rint(img) if img.dtype.kind == "f" else img, 0, 255).astype(np.uint8)
    return img


def _check_params(func: str, params: object, fmt: str) -> dict[int, int]:
    """Flat [key, value, ...] -> {key: value} for this format (other formats' keys dropped, as cv2 does)."""
    if params is None:
        return {}
    if isinstance(params, np.ndarray):
        params = params.reshape(-1).tolist()
    if not isinstance(params, list | tuple):
        msg = f"{func}: 'params' must be a flat list of ints [key, value, ...]; got {type(params).__name__}"
        raise TypeError(msg)
    values = list(params)
    if any(isinstance(v, bool) or not isinstance(v, int | np.integer) for v in values):
        msg = f"{func}: 'params' must hold ints only (IMWRITE_* keys and their values); got {params!r}"
        raise TypeError(msg)
    if len(values) % 2:
        msg = f"{func}: 'params' must be [key, value, ...] pairs; got an odd length {len(values)}"
        raise ValueError(msg)
    pairs = {int(values[i]): int(values[i + 1]) for i in range(0, len(values), 2)}
    for key in pairs:
        if key in _NOT_IMPLEMENTED[fmt]:
            name = _NOT_IMPLEMENTED[fmt][key]
            msg = f"{func}: {name} ({key}) is not implemented by purecv's {_NAMES[fmt]} writer"
            raise ValueError(msg)
    return {k: v for k, v in pairs.items() if k in _IMPLEMENTED[fmt]}


def _choice(func: str, name: str, value: int, allowed: dict) -> object:
    if value not in allowed:
        msg = f"{func}: {name} must be one of {sorted(allowed)}; got {value}"
        raise ValueError(msg)
    return allowed[value]


def encode_image(func: str, ext: str, img: object, params: object, path: str | None = None) -> bytes:
    """Validate and encode; ``path`` (imwrite) only goes into messages."""
    fmt = format_of(ext)
    if fmt is None:
        target = f"'{path}'" if path is not None else repr(ext)
        msg = (
            f"{func}: no writer for {target}: the extension must be one of "
            f"{', '.join(sorted(_EXTENSIONS))} (any case){'' if path is not None else ', with its period'}"
        )
        raise ValueError(msg)
    img = _check_image(func, img, fmt)
    p = _check_params(func, params, fmt)
    if fmt == "png":
        level, strategy, filters = _PNG_DEFAULT
        if IMWRITE_PNG_COMPRESSION in p:  # as cv2: an explicit level brings the default strategy, all filters
            level = min(max(p[IMWRITE_PNG_COMPRESSION], 0), 9)
            strategy, filters = zlib.Z_DEFAULT_STRATEGY, 248
        strategy = min(max(p.get(IMWRITE_PNG_STRATEGY, strategy), 0), zlib.Z_FIXED)
        filters = p.get(IMWRITE_PNG_FILTER, filters)
        return _png.encode(img, level, strategy, filters)
    if fmt == "jpeg":
        quality = min(max(p.get(IMWRITE_JPEG_QUALITY, 95), 0), 100)
        factor = p.get(IMWRITE_JPEG_SAMPLING_FACTOR, 0x221111)
        sub = _choice(func, "IMWRITE_JPEG_SAMPLING_FACTOR", factor, _SUBSAMPLING)
        progressive = bool(p.get(IMWRITE_JPEG_PROGRESSIVE, 0))
        return encode_jpeg(img, quality, progressive, bool(p.get(IMWRITE_JPEG_OPTIMIZE, 0)), sub)
    if fmt == "webp":
        quality = p.get(IMWRITE_WEBP_QUALITY)
        return encode_webp(img, None if quality is None or quality > 100 else max(quality, 1))
    if fmt == "bmp":
        return _bmp.encode(img)
    compression = _choice(
        func, "IMWRITE_TIFF_COMPRESSION", p.get(IMWRITE_TIFF_COMPRESSION, 5), {1: 1, 5: 5, 8: 8, 32946: 32946}
    )
    predictor = p.get(IMWRITE_TIFF_PREDICTOR)
    if predictor is not None:
        predictor = _choice(func, "IMWRITE_TIFF_PREDICTOR", predictor, {1: 1, 2: 2})
        if predictor == 2 and img.dtype.kind == "f":
            msg = f"{func}: IMWRITE_TIFF_PREDICTOR 2 (horizontal) is for integer images; got {img.dtype.name}"
            raise ValueError(msg)
    dpi = None
    if IMWRITE_TIFF_XDPI in p or IMWRITE_TIFF_YDPI in p:
        xdpi = p.get(IMWRITE_TIFF_XDPI, p.get(IMWRITE_TIFF_YDPI))
        dpi = (xdpi, p.get(IMWRITE_TIFF_YDPI, xdpi))
    res_unit = _choice(func, "IMWRITE_TIFF_RESUNIT", p.get(IMWRITE_TIFF_RESUNIT, 2), {1: 1, 2: 2, 3: 3})
    return _tiff.encode(img, compression, predictor, p.get(IMWRITE_TIFF_ROWSPERSTRIP), dpi, res_unit)
