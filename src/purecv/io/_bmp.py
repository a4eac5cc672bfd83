"""BMP: pixels decoded by Pillow, shaped as cv2 5.0.0's ``BmpDecoder``; written here as cv2 writes it.

From the header, as cv2 reads it: a palette image is gray (1 channel) when every palette entry is gray;
16-bit pixels keep only their 5 (or 6) significant bits (``v << 3``, no low-bit replication); a 32-bit
image has 4 channels only with ``BI_BITFIELDS`` (alpha 255 when there is no alpha mask), else 3.
Colour -> gray uses cv2's old 14-bit weights, rounded, except for 32-bit ``BI_BITFIELDS`` images:
``floor(R*0.299f + G*0.587f + B*0.114f)`` in float32 (measured, bit-exact over a million pixels).

Written as cv2 writes it: gray as 8 bits with a gray palette, BGR as 24 bits, BGRA as 32 bits with
``BI_BITFIELDS`` and a version-5 header; rows bottom-up, padded to 4 bytes.
"""

from __future__ import annotations

import struct

import numpy as np

from ._pillow import _load, open_image

__all__ = ["decode", "encode"]

_GRAY14 = (1868, 9617, 4899)  # B, G, R
_BI_RGB, _BI_BITFIELDS = 0, 3


def _header(data: bytes, where: str) -> tuple[int, int, bool, bool]:
    """(bits per pixel, compression, gray palette?, alpha mask?) from the file and info headers."""
    if len(data) < 30:
        msg = f"{where}: truncated BMP (no header)"
        raise ValueError(msg)
    (size,) = struct.unpack("<I", data[14:18])
    if size == 12:  # OS/2 core header: 3-byte palette entries
        (bpp,) = struct.unpack("<H", data[24:26])
        compression, used, entry = _BI_RGB, 0, 3
    else:
        bpp, compression = struct.unpack("<HI", data[28:34])
        used = struct.unpack("<I", data[46:50])[0] if len(data) >= 50 else 0
        entry = 4
    gray = False
    if bpp <= 8:
        n = 1 << bpp
        start = 14 + size + (12 if compression == _BI_BITFIELDS and size == 40 else 0)
        pal = np.zeros((n, entry), np.uint8)
        raw = np.frombuffer(data[start : start + entry * min(used or n, n)], np.uint8)
        pal.reshape(-1)[: raw.size - raw.size % entry] = raw[: raw.size - raw.size % entry]
        gray = bool(((pal[:, 0] == pal[:, 1]) & (pal[:, 1] == pal[:, 2])).all())
    alpha = False
    if bpp == 32 and compression == _BI_BITFIELDS and size >= 56:
        alpha = struct.unpack("<I", data[14 + 52 : 14 + 56])[0] != 0
    return bpp, compression, gray, alpha


def decode(data: bytes, request, where: str) -> np.ndarray:
    """BMP -> the image cv2 returns for ``request(native_cn, dtype) -> (cn, dtype, rgb)``."""
    bpp, compression, gray, alpha_mask = _header(data, where)
    im = open_image(data, "BMP", where)
    _load(im, "BMP", where)
    four = bpp == 32 and compression == _BI_BITFIELDS
    native = 1 if gray else 4 if four else 3
    cn, _, to_rgb = request(native, np.dtype(np.uint8))
    rgb = np.asarray(im.convert("RGBA" if four and alpha_mask else "RGB"))
    if bpp == 16:  # cv2 keeps the bits as stored: no replication into the low bits
        green = 0xFC if compression == _BI_BITFIELDS and _green_bits(data) == 6 else 0xF8
        rgb = rgb & np.array([0xF8, green, 0xF8], np.uint8)
    if four and not alpha_mask:
        rgb = np.concatenate([rgb, np.full(rgb.shape[:2] + (1,), 255, np.uint8)], axis=2)
    if cn == 1 and four:  # cv2 5.0's BI_BITFIELDS path: float32 weights, summed R, G, B, truncated
        r, g, b = (rgb[..., i].astype(np.float32) for i in range(3))
        gray = r * np.float32(0.299) + g * np.float32(0.587) + b * np.float32(0.114)
        return np.floor(gray).astype(np.uint8)
    if cn == 1:
        r, g, b = (rgb[..., i].astype(np.int32) for i in range(3))
        return ((b * _GRAY14[0] + g * _GRAY14[1] + r * _GRAY14[2] + 8192) >> 14).astype(np.uint8)
    if rgb.shape[2] < cn:
        rgb = np.concatenate([rgb, np.full_like(rgb[..., :1], 255)], axis=2)
    rgb = rgb[..., :cn]
    return np.ascontiguousarray(rgb if to_rgb else rgb[..., [2, 1, 0, 3][:cn]])


def _green_bits(data: bytes) -> int:
    (green_mask,) = struct.unpack("<I", data[14 + 44 : 14 + 48])
    return 6 if green_mask == 0x7E0 else 5


def encode(img: np.ndarray) -> bytes:
    """BMP bytes of a uint8 gray, BGR or BGRA image, laid out as cv2's ``BmpEncoder`` lays it out."""
    height, width = img.shape[:2]
    cn = 1 if img.ndim == 2 else img.shape[2]
    pitch = (width * cn + 3) & ~3
    rows = np.zeros((height, pitch), np.uint8)
    rows[:, : width * cn] = img.reshape(height, width * cn)
    pixels = rows[::-1].tobytes()  # bottom-up
    if cn == 4:
        info = struct.pack("<IiiHHIIiiII", 124, width, height, 1, 32, _BI_BITFIELDS, 0, 0, 0, 0, 0)
        info += struct.pack("<4I4s", 0x00FF0000, 0x0000FF00, 0x000000FF, 0xFF000000, b"BGRs")
        info += b"\0" * (124 - len(info))
        palette = b""
    else:
        info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 8 * cn, _BI_RGB, 0, 0, 0, 0, 0)
        palette = np.repeat(np.arange(256, dtype=np.uint8), 4).reshape(256, 4) if cn == 1 else None
        if palette is not None:
            palette[:, 3] = 0
        palette = b"" if palette is None else palette.tobytes()
    offset = 14 + len(info) + len(palette)
    head = b"BM" + struct.pack("<IHHI", offset + len(pixels), 0, 0, offset)
    return head + info + palette + pixels
