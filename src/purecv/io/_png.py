"""PNG, decoded and encoded by purecv itself: chunks and zlib in Python, scanline filters in Numba.

Pillow cannot hold 16-bit colour (it narrows 16-bit RGB, RGBA and gray+alpha PNGs to 8 bits), so PNG is
read here, into the file's own samples, and then shaped as cv2 5.0.0 shapes it. cv2 reads PNG through
libpng with these transformations (``imgcodecs/src/grfmt_png.cpp``), replayed in libpng's order by
:func:`to_cv`:

1. palette -> RGB, or RGBA when the file has a ``tRNS`` chunk; gray of 1, 2 or 4 bits -> 8 bits
   (x255, x85, x17); an RGB ``tRNS`` colour becomes alpha only when 4 channels are asked for;
2. alpha dropped (no compositing) when fewer than 4 channels are asked for;
3. colour -> gray with libpng's weights ``(R, G, B) = (9797, 19234, 3737) / 32768``, truncated for 8-bit
   samples and rounded for 16-bit ones; through libpng's gamma tables when the file's gamma (``gAMA``, or
   ``sRGB``: 0.45455) is outside 0.95..1.05;
4. 16 -> 8 bits by dropping the low byte;
5. gray -> colour by replication; RGB -> BGR unless ``IMREAD_COLOR_RGB``.
"""

from __future__ import annotations

import math
import struct
import zlib
from dataclasses import dataclass

import numpy as np

from .._kernels.png import FILTER_BITS, filter_rows, unfilter_rows
from ._swap import swap_rb

__all__ = ["SIGNATURE", "PngImage", "decode", "encode", "file_type", "to_cv"]

SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_PIXELS = 1 << 30  # cv2's default OPENCV_IO_MAX_IMAGE_PIXELS

# colour type -> samples per pixel; the bit depths the spec allows for it
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
_DEPTHS = {0: (1, 2, 4, 8, 16), 2: (8, 16), 3: (1, 2, 4, 8), 4: (8, 16), 6: (8, 16)}
# Adam7 passes: (x0, y0, dx, dy)
_ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2))
# libpng's png_set_rgb_to_gray(png, 1, 0.299, 0.587): int(0.299 * 32768), int(0.587 * 32768), the rest
_GRAY_R, _GRAY_G = 29900 * 32768 // 100000, 58700 * 32768 // 100000
_GRAY_B = 32768 - _GRAY_R - _GRAY_G
_SRGB_GAMMA = 45455


@dataclass
class PngImage:
    """What a PNG file holds, before any of cv2's transformations."""

    samples: np.ndarray  # (H, W, C) uint8 or uint16; palette indices for colour type 3
    color_type: int
    bit_depth: int
    palette: np.ndarray | None = None  # (256, 3) uint8, zero-padded
    trns_alpha: np.ndarray | None = None  # (256,) uint8 for a palette image, 255-padded
    trns_color: tuple[int, ...] | None = None  # transparent gray or RGB value of a non-palette image
    gamma: int | None = None  # gAMA in units of 1e-5 (sRGB: 45455)
    exif: bytes | None = None
    sig_bits: int = 0  # sBIT: the largest significant-bit count of the colour channels (0: none)


def _fail(where: str, what: str):
    msg = f"{where}: {what}"
    return ValueError(msg)


def file_type(img: PngImage) -> tuple[int, bool]:
    """cv2's native type of the file (``PngDecoder::readHeader``): channels and whether it is 16-bit."""
    ct = img.color_type
    has_trns = img.trns_alpha is not None or (ct == 2 and img.trns_color is not None)
    cn = {0: 1, 2: 4 if has_trns else 3, 3: 4 if has_trns else 3, 4: 4, 6: 4}[ct]
    return cn, img.bit_depth == 16


def decode(data: bytes | memoryview, where: str) -> PngImage:
    """Parse and inflate a PNG; raise ``ValueError`` naming ``where`` for anything malformed or cut short."""
    data = memoryview(data)
    if bytes(data[:8]) != SIGNATURE:
        raise _fail(where, "not a PNG file (bad signature)")
    pos, idat, info, img_kw = 8, [], None, {}
    while True:
        if pos + 12 > len(data):
            raise _fail(where, "truncated PNG (no IEND chunk)")
        length, ctype = struct.unpack(">I4s", data[pos : pos + 8])
        end = pos + 12 + length
        if length > 0x7FFFFFFF or end > len(data):
            raise _fail(where, f"truncated PNG (chunk {ctype!r} runs past the end of the data)")
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[end - 4 : end])
        critical = not ctype[0] & 0x20
        pos = end
        if zlib.crc32(body, zlib.crc32(ctype)) != crc:
            if critical:
                raise _fail(where, f"corrupt PNG (CRC error in chunk {ctype.decode('latin-1')!r})")
            continue  # libpng discards a damaged ancillary chunk
        if info is None and ctype != b"IHDR":
            raise _fail(where, "corrupt PNG (IHDR is not the first chunk)")
        if ctype == b"IHDR":
            info = _read_ihdr(bytes(body), where)
        elif ctype == b"PLTE":
            pal = np.zeros((256, 3), np.uint8)
            entries = np.frombuffer(body, np.uint8)[: 3 * 256]
            pal.reshape(-1)[: entries.size - entries.size % 3] = entries[: entries.size - entries.size % 3]
            img_kw["palette"] = pal
        elif ctype == b"tRNS":
            _read_trns(bytes(body), info[3], img_kw)
        elif ctype == b"IDAT":
            idat.append(body)
        elif ctype == b"gAMA" and length == 4:
            img_kw.setdefault("gamma", struct.unpack(">I", body)[0] or None)
        elif ctype == b"sRGB":
            img_kw["gamma"] = _SRGB_GAMMA
        elif ctype == b"sBIT":
            img_kw["sig_bits"] = max(bytes(body)[:3] or b"\0") if info[3] in (2, 3, 6) else bytes(body)[:1][0]
        elif ctype == b"eXIf":
            img_kw["exif"] = bytes(body)
        elif ctype == b"IEND":
            break
        elif critical:
            raise _fail(where, f"unsupported PNG (unknown critical chunk {ctype.decode('latin-1')!r})")
    if not idat:
        raise _fail(where, "corrupt PNG (no IDAT chunk)")
    width, height, depth, color_type, interlace = info
    if color_type == 3 and "palette" not in img_kw:
        raise _fail(where, "corrupt PNG (palette image without a PLTE chunk)")
    samples = _inflate(b"".join(idat), width, height, depth, color_type, interlace, where)
    if color_type in (0, 4) and depth < 8:
        samples = samples * np.uint8(255 // ((1 << depth) - 1))  # libpng's expand_gray_1_2_4_to_8
    return PngImage(samples, color_type, depth, **img_kw)


def _read_ihdr(body: bytes, where: str) -> tuple[int, int, int, int, int]:
    if len(body) != 13:
        raise _fail(where, "corrupt PNG (IHDR chunk of the wrong length)")
    width, height, depth, color_type, method, filter_method, interlace = struct.unpack(">IIBBBBB", body)
    if color_type not in _CHANNELS or depth not in _DEPTHS[color_type]:
        raise _fail(where, f"corrupt PNG (bit depth {depth} with colour type {color_type})")
    if method or filter_method or interlace > 1:
        raise _fail(where, "corrupt PNG (unknown compression, filter or interlace method)")
    if not 0 < width < 1 << 31 or not 0 < height < 1 << 31:
        raise _fail(where, f"corrupt PNG (size {width}x{height})")
    if width * height > MAX_PIXELS:
        raise _fail(where, f"image of {width}x{height} pixels is over cv2's limit of 2**30 pixels")
    return width, height, depth, color_type, interlace


def _read_trns(body: bytes, color_type: int, img_kw: dict) -> None:
    if color_type == 3:
        alpha = np.full(256, 255, np.uint8)
        given = np.frombuffer(body, np.uint8)[:256]
        alpha[: given.size] = given
        img_kw["trns_alpha"] = alpha
    elif color_type == 0 and len(body) >= 2:
        img_kw["trns_color"] = struct.unpack(">H", body[:2])
    elif color_type == 2 and len(body) >= 6:
        img_kw["trns_color"] = struct.unpack(">HHH", body[:6])


def _inflate(stream, width, height, depth, color_type, interlace, where) -> np.ndarray:
    """zlib -> unfiltered rows -> (H, W, C) samples (palette indices or gray levels unscaled below 8 bits)."""
    cn = _CHANNELS[color_type]
    bits = cn * depth
    bpp = max(1, bits // 8)
    passes = _ADAM7 if interlace else ((0, 0, 1, 1),)
    sizes = []
    for x0, y0, dx, dy in passes:
        pw, ph = -(-(width - x0) // dx), -(-(height - y0) // dy)
        sizes.append((pw, ph, (pw * bits + 7) // 8) if pw > 0 and ph > 0 else (0, 0, 0))
    expected = sum(ph * (rowbytes + 1) for pw, ph, rowbytes in sizes)
    try:
        raw = zlib.decompressobj().decompress(stream, expected)
    except zlib.error as exc:
        raise _fail(where, f"corrupt PNG (zlib: {exc})") from None
    if len(raw) < expected:
        raise _fail(where, f"truncated PNG (image data ends after {len(raw)} of {expected} bytes)")
    raw = np.frombuffer(raw, np.uint8)
    dtype = np.dtype(">u2") if depth == 16 else np.dtype(np.uint8)
    out = np.empty((height, width, cn), np.uint16 if depth == 16 else np.uint8)
    offset = 0
    for (x0, y0, dx, dy), (pw, ph, rowbytes) in zip(passes, sizes, strict=True):
        if pw == 0:
            continue
        rows = np.empty((ph, rowbytes), np.uint8)
        bad = unfilter_rows(raw[offset : offset + ph * (rowbytes + 1)], ph, rowbytes, bpp, rows)
        if bad >= 0:
            raise _fail(where, f"corrupt PNG (unknown filter type in row {bad})")
        offset += ph * (rowbytes + 1)
        if depth < 8:
            per_byte = 8 // depth
            shifts = np.arange(8 - depth, -1, -depth, dtype=np.uint8)
            unpacked = (rows[:, :, None] >> shifts) & np.uint8((1 << depth) - 1)
            sub = unpacked.reshape(ph, rowbytes * per_byte)[:, :pw, None]
        else:
            sub = rows.view(dtype).reshape(ph, pw, cn)
        out[y0::dy, x0::dx] = sub
    return out


def _significant(gamma: int) -> bool:
    """libpng's ``png_gamma_significant``: a gamma within 0.05 of 1 counts as 1."""
    return not 95000 <= gamma <= 105000


def _reciprocal(gamma: int) -> int:
    """libpng's ``png_reciprocal`` in its fixed point (units of 1e-5)."""
    return math.floor(1e10 / gamma + 0.5)


def _table8(gamma: int) -> np.ndarray:
    """libpng's ``png_build_8bit_table``: ``floor(255 * (i / 255) ** (gamma * 1e-5) + 0.5)``."""
    i = np.arange(256)
    if not _significant(gamma):
        return i
    table = np.floor(255 * np.power(i / 255.0, gamma * 0.00001) + 0.5).astype(np.int64)
    table[0], table[255] = 0, 255
    return table


def _table16(shift: int, gamma: int) -> np.ndarray:
    """libpng's ``png_build_16bit_table``, flattened: entry ``v >> shift`` for a 16-bit ``v``."""
    top = (1 << (16 - shift)) - 1
    ig = np.arange(top + 1)
    if _significant(gamma):
        return np.floor(65535.0 * np.power(ig * (1.0 / top), gamma * 0.00001) + 0.5).astype(np.int64)
    return ig if shift == 0 else (ig * 65535 + (1 << (15 - shift))) // top


def _table16to8(shift: int, gamma: int) -> np.ndarray:
    """libpng's ``png_build_16to8_table``, flattened: 16-bit values rounded to multiples of 257."""
    top = (1 << (16 - shift)) - 1
    table = np.full(top + 1, 65535, np.int64)
    last = 0
    for i in range(255):
        out = i * 257
        bound = out + 128
        if 0 < bound < 65535:
            bound = math.floor(65535 * math.pow(bound / 65535.0, gamma * 0.00001) + 0.5)
        bound = (bound * top + 32768) // 65535 + 1
        table[last:bound] = out
        last = max(last, bound)
    return table


def _mix(r: np.ndarray, g: np.ndarray, b: np.ndarray, rounding: int) -> np.ndarray:
    return (_GRAY_R * r + _GRAY_G * g + _GRAY_B * b + rounding) >> 15


def _to_gray(rgb: np.ndarray, img: PngImage, strip16: bool) -> np.ndarray:
    """libpng's ``png_do_rgb_to_gray`` (without alpha: cv2 strips it first), then ``strip_16`` if asked."""
    r, g, b = (rgb[..., i].astype(np.int64) for i in range(3))
    equal = (r == g) & (g == b)
    gamma = img.gamma
    if gamma is None or not _significant(gamma):  # no gamma tables: the plain weighted sum
        gray = _mix(r, g, b, 16384 if img.bit_depth == 16 else 0)  # 8-bit sums truncated, 16-bit rounded
    else:
        # libpng (png_build_gamma_table) assumes the screen's gamma undoes the file's; the exponents are
        # its fixed-point reciprocals and products, rounded as it rounds them.
        screen = _reciprocal(gamma)
        to_1_exp, from_1_exp = _reciprocal(gamma), _reciprocal(screen)
        if img.bit_depth == 8:
            to_1, from_1 = _table8(to_1_exp), _table8(from_1_exp)
            same = _table8(math.floor(1e15 / gamma / screen + 0.5))
            gray = np.where(equal, same[r], from_1[_mix(to_1[r], to_1[g], to_1[b], 16384)])
        else:  # tables indexed by the top 16 - shift bits of a sample
            shift = 16 - img.sig_bits if 0 < img.sig_bits < 16 else 0
            shift = min(8, max(shift, 5) if strip16 else shift)
            to_1, from_1 = _table16(shift, to_1_exp), _table16(shift, from_1_exp)
            if strip16:
                same = _table16to8(shift, math.floor(gamma * 1e-5 * screen + 0.5))
            else:
                same = _table16(shift, math.floor(1e15 / gamma / screen + 0.5))
            mixed = _mix(to_1[r >> shift], to_1[g >> shift], to_1[b >> shift], 16384)
            gray = np.where(equal, same[r >> shift], from_1[mixed >> shift])
    gray = gray[..., None]
    return (gray >> 8).astype(np.uint8) if strip16 and img.bit_depth == 16 else gray.astype(rgb.dtype)


def to_cv(img: PngImage, cn: int, keep16: bool, rgb: bool) -> np.ndarray:
    """The image cv2 returns for ``cn`` channels (1, 3 or 4), 16 bits if ``keep16``, RGB order if ``rgb``."""
    s = img.samples
    ct = img.color_type
    if ct == 3:
        idx = s[..., 0]
        s = img.palette[idx]
        if img.trns_alpha is not None:
            s = np.concatenate([s, img.trns_alpha[idx][..., None]], axis=2)
    elif ct == 2 and cn == 4 and img.trns_color is not None:
        opaque = (s != np.array(img.trns_color, s.dtype)).any(axis=2, keepdims=True)
        s = np.concatenate([s, np.where(opaque, np.iinfo(s.dtype).max, 0).astype(s.dtype)], axis=2)
    color = s.shape[2] >= 3
    if cn < 4 and s.shape[2] in (2, 4):
        s = s[..., :-1]  # png_set_strip_alpha
    if cn == 1 and color:
        s = _to_gray(s, img, strip16=not keep16)
    if s.dtype == np.uint16 and not keep16:
        s = (s >> 8).astype(np.uint8)  # png_set_strip_16
    if cn >= 3 and not color:
        s = s[..., [0, 0, 0, 1] if s.shape[2] == 2 else [0, 0, 0]]
    elif color and cn > 1 and not rgb:
        s = swap_rb(s)
    return np.ascontiguousarray(s if cn > 1 else s[..., 0])


def _chunk(ctype: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(body, zlib.crc32(ctype))
    return struct.pack(">I", len(body)) + ctype + body + struct.pack(">I", crc)


def encode(img: np.ndarray, level: int, strategy: int, filters: int) -> bytes:
    """PNG bytes of a uint8/uint16 image of 1, 3 or 4 channels (BGR(A) in, RGB(A) in the file).

    ``level`` and ``strategy`` are zlib's; ``filters`` a mask of ``FILTER_BITS`` (cv2's IMWRITE_PNG_FILTER).
    """
    height, width = img.shape[:2]
    cn = 1 if img.ndim == 2 else img.shape[2]
    if cn >= 3:
        img = swap_rb(img)
    depth = 16 if img.dtype == np.uint16 else 8
    samples = np.ascontiguousarray(img, dtype=">u2" if depth == 16 else np.uint8)
    rows = samples.view(np.uint8).reshape(height, width * cn * depth // 8)
    filtered = np.empty((height, rows.shape[1] + 1), np.uint8)
    filter_rows(rows, cn * depth // 8, filters & sum(FILTER_BITS) or FILTER_BITS[0], filtered)
    compressor = zlib.compressobj(level, zlib.DEFLATED, 15, 8, strategy)
    stream = compressor.compress(filtered) + compressor.flush()
    color_type = {1: 0, 3: 2, 4: 6}[cn]
    ihdr = struct.pack(">IIBBBBB", width, height, depth, color_type, 0, 0, 0)
    return SIGNATURE + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", stream) + _chunk(b"IEND", b"")
