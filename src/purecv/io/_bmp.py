"""BMP: uncompressed pixels decoded here, RLE and OS/2 files by Pillow; shaped as cv2 5.0.0's
``BmpDecoder``; written here as cv2 writes it.

As cv2 reads it: a palette image is gray (1 channel) when every palette entry is gray; 16-bit pixels
keep only their 5 (or 6) significant bits (``v << 3``, no low-bit replication); a 32-bit image has
4 channels only with ``BI_BITFIELDS`` (alpha 255 when there is no alpha mask), else 3. Colour -> gray
uses cv2's old 14-bit weights, rounded, except for 32-bit ``BI_BITFIELDS`` images:
``floor(R*0.299f + G*0.587f + B*0.114f)`` in float32 (measured, bit-exact over a million pixels).

Written as cv2 writes it: gray as 8 bits with a gray palette, BGR as 24 bits, BGRA as 32 bits with
``BI_BITFIELDS`` and a version-5 header; rows bottom-up, padded to 4 bytes.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np

from ._pillow import _load, open_image
from ._swap import swap_rb

__all__ = ["decode", "encode"]

_GRAY14 = (1868, 9617, 4899)  # B, G, R
_BI_RGB, _BI_BITFIELDS = 0, 3
_MASKS_555 = (0x7C00, 0x03E0, 0x001F)
_MASKS_565 = (0xF800, 0x07E0, 0x001F)
_MASKS_8888 = (0xFF0000, 0xFF00, 0xFF)


@dataclass
class _Header:
    offset: int
    size: int  # of the info header
    width: int
    height: int  # negative: rows stored top-down
    bpp: int
    compression: int
    palette: np.ndarray  # (256, 3) BGR, zero-padded
    masks: tuple[int, ...]  # R, G, B, A for BI_BITFIELDS
    gray: bool  # every palette entry gray


def _header(data: bytes, where: str) -> _Header:
    if len(data) < 26:
        msg = f"{where}: truncated BMP (no header)"
        raise ValueError(msg)
    offset, size = struct.unpack("<II", data[10:18])
    if size == 12:  # OS/2 core header: 16-bit sizes, 3-byte palette entries
        width, height, _, bpp = struct.unpack("<HHHH", data[18:26])
        compression, used, entry = _BI_RGB, 0, 3
    elif len(data) >= 54:
        width, height, _, bpp, compression = struct.unpack("<iiHHI", data[18:34])
        used, entry = struct.unpack("<I", data[46:50])[0], 4
    else:
        msg = f"{where}: truncated BMP (no header)"
        raise ValueError(msg)
    masks = ()
    if compression == _BI_BITFIELDS:
        masks = struct.unpack("<4I", data[54:70].ljust(16, b"\0"))  # after a v1 header, or inside a v4/v5
        if size == 40:
            masks = (*masks[:3], 0)  # a v1 header carries no alpha mask
    palette = np.zeros((256, 3), np.uint8)
    gray = False
    if bpp <= 8:
        n = min(used or 1 << bpp, 1 << bpp, 256)
        raw = np.frombuffer(data[14 + size : 14 + size + entry * n], np.uint8)
        raw = raw[: raw.size - raw.size % entry].reshape(-1, entry)
        palette[: len(raw)] = raw[:, :3]
        gray = bool((palette[: 1 << bpp, 0] == palette[: 1 << bpp, 1]).all())
        gray = gray and bool((palette[: 1 << bpp, 1] == palette[: 1 << bpp, 2]).all())
    return _Header(offset, size, width, height, bpp, compression, palette, masks, gray)


def _raw_bgr(data: bytes, h: _Header, where: str) -> np.ndarray | None:
    """Uncompressed pixels as BGR(A) uint8, or None when Pillow must decode (RLE, odd masks...)."""
    width, height = h.width, abs(h.height)
    standard = h.masks[:3] in (_MASKS_555, _MASKS_565, _MASKS_8888)
    plain = h.compression == _BI_RGB or (h.compression == _BI_BITFIELDS and h.bpp in (16, 32) and standard)
    if h.size == 12 or not plain or h.bpp not in (1, 4, 8, 16, 24, 32) or width <= 0 or height == 0:
        return None
    pitch = (width * h.bpp + 31) // 32 * 4
    if len(data) < h.offset + pitch * height:
        msg = f"{where}: truncated BMP ({len(data) - h.offset} bytes of pixels for {pitch * height})"
        raise ValueError(msg)
    pixels = np.frombuffer(data, np.uint8, pitch * height, h.offset)
    rows = pixels.reshape(height, pitch)
    rows = rows if h.height < 0 else rows[::-1]
    if h.bpp <= 8:
        shifts = np.arange(8 - h.bpp, -1, -h.bpp, dtype=np.uint8)
        idx = ((rows[:, :, None] >> shifts) & np.uint8((1 << h.bpp) - 1)).reshape(height, -1)[:, :width]
        return h.palette[idx]
    if h.bpp == 16:
        v = rows[:, : 2 * width].view("<u2").astype(np.uint16)
        six = h.masks[:3] == _MASKS_565
        b = (v << 3) & 0xF8
        g = (v >> 3) & 0xFC if six else (v >> 2) & 0xF8
        r = (v >> 8) & 0xF8 if six else (v >> 7) & 0xF8
        return np.stack([b, g, r], axis=-1).astype(np.uint8)
    px = rows[:, : width * h.bpp // 8].reshape(height, width, h.bpp // 8)
    if h.bpp == 32 and h.compression == _BI_BITFIELDS:
        if not h.masks[3]:
            px = np.concatenate([px[..., :3], np.full((height, width, 1), 255, np.uint8)], axis=2)
        return px
    return px[..., :3]


def decode(data: bytes, request, where: str) -> np.ndarray:
    """BMP -> the image cv2 returns for ``request(native_cn, dtype) -> (cn, dtype, rgb)``."""
    h = _header(data, where)
    four = h.bpp == 32 and h.compression == _BI_BITFIELDS
    bgr = _raw_bgr(data, h, where)
    if bgr is None:
        im = open_image(data, "BMP", where)
        _load(im, "BMP", where)
        rgba = np.asarray(im.convert("RGBA" if four and h.masks[3] else "RGB"))
        if four and not h.masks[3]:
            rgba = np.concatenate([rgba, np.full(rgba.shape[:2] + (1,), 255, np.uint8)], axis=2)
        bgr = swap_rb(rgba)
    native = 1 if h.bpp <= 8 and h.gray else 4 if four else 3
    cn, _, to_rgb = request(native, np.dtype(np.uint8))
    if cn == 1 and four:  # cv2 5.0's BI_BITFIELDS path: float32 weights, summed R, G, B, truncated
        b, g, r = (bgr[..., i].astype(np.float32) for i in range(3))
        gray = r * np.float32(0.299) + g * np.float32(0.587) + b * np.float32(0.114)
        return np.floor(gray).astype(np.uint8)
    if cn == 1:
        b, g, r = (bgr[..., i].astype(np.int32) for i in range(3))
        return ((b * _GRAY14[0] + g * _GRAY14[1] + r * _GRAY14[2] + 8192) >> 14).astype(np.uint8)
    if bgr.shape[2] < cn:
        bgr = np.concatenate([bgr, np.full_like(bgr[..., :1], 255)], axis=2)
    bgr = bgr[..., :cn]
    return swap_rb(bgr) if to_rgb else np.ascontiguousarray(bgr)


def encode(img: np.ndarray) -> bytes:
    """BMP bytes of a uint8 gray, BGR or BGRA image, laid out as cv2's ``BmpEncoder`` lays it out."""
    height, width = img.shape[:2]
    cn = 1 if img.ndim == 2 else img.shape[2]
    pitch = (width * cn + 3) & ~3
    rows = img.reshape(height, width * cn)[::-1]  # bottom-up
    if pitch != width * cn:
        padded = np.zeros((height, pitch), np.uint8)
        padded[:, : width * cn] = rows
        rows = padded
    pixels = rows.tobytes()
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
