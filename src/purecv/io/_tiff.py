"""TIFF: sample arrays of any depth read and written here; other TIFFs (palette, 1-bit, YCbCr, CMYK,
JPEG-compressed...) read through Pillow.

Pillow holds neither 16-bit colour nor multi-channel 32/64-bit or signed samples, all of which cv2 reads
and writes, so the strips and tiles of a TIFF whose samples are plain numbers (gray or RGB, 8 to 64 bits,
unsigned, signed or float, chunky or planar; uncompressed, LZW, Deflate or PackBits; predictor 1, 2 or 3)
are decoded here. cv2 5.0.0 then shapes them in two ways (``imgcodecs/src/grfmt_tiff.cpp``):

- 8-bit results go through libtiff's RGBA interface: 16-bit colour samples become
  ``(v * 255 + 32767) // 65535`` and 16-bit gray ones ``v >> 8``, signed ones are read as unsigned, an
  unassociated alpha premultiplies the colour (``(c * a + 127) // 255``), CMYK becomes RGB plus an alpha
  of 255, gray+alpha loses its alpha, and colour -> gray uses cv2's old 14-bit weights, rounded
  (``(B*1868 + G*9617 + R*4899 + 8192) >> 14``); 32- and 64-bit samples cannot be read as 8 bits;
- other results keep the samples; 16-bit colour -> gray uses the same 14-bit weights, and 32/64-bit
  images must be read with their own channel count.

The Orientation tag is always applied, whatever the flags (libtiff's and cv2's behaviour).
"""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
from PIL import Image

from .._kernels.tiff import lzw_decode, lzw_encode, packbits_decode
from ._exif import apply_orientation
from ._swap import swap_rb

__all__ = ["decode", "encode"]

# tag numbers
_WIDTH, _HEIGHT, _BITS, _COMPRESSION, _PHOTOMETRIC = 256, 257, 258, 259, 262
_STRIP_OFFSETS, _ORIENTATION, _SPP, _ROWS_PER_STRIP, _STRIP_COUNTS = 273, 274, 277, 278, 279
_XRES, _YRES, _PLANAR, _RES_UNIT, _PREDICTOR = 282, 283, 284, 296, 317
_TILE_WIDTH, _TILE_LENGTH, _TILE_OFFSETS, _TILE_COUNTS = 322, 323, 324, 325
_EXTRA_SAMPLES, _SAMPLE_FORMAT = 338, 339
# field type -> struct code
_TYPES = {1: "B", 2: "c", 3: "H", 4: "I", 5: "II", 6: "b", 7: "B", 8: "h", 9: "i", 10: "ii", 11: "f", 12: "d"}
_COMPRESSIONS = {1: "none", 5: "LZW", 8: "Deflate", 32946: "Deflate", 32773: "PackBits"}
_KINDS = {1: "u", 2: "i", 3: "f"}
_GRAY14 = (1868, 9617, 4899)  # cv2's utils.cpp weights for B, G, R (sum 2**14)


def _fail(where: str, what: str) -> ValueError:
    return ValueError(f"{where}: {what}")


def _read_ifd(data: bytes, where: str) -> tuple[dict[int, tuple], str]:
    """The first image file directory: tag -> tuple of values; and the byte order ('<' or '>')."""
    order = {b"II": "<", b"MM": ">"}.get(bytes(data[:2]))
    if order is None or len(data) < 8:
        raise _fail(where, "not a TIFF file (bad header)")
    magic, offset = struct.unpack(order + "HI", data[2:8])
    if magic != 42:
        raise _fail(where, "unsupported TIFF (BigTIFF or bad magic number)")
    if offset + 2 > len(data):
        raise _fail(where, "truncated TIFF (no image directory)")
    (count,) = struct.unpack(order + "H", data[offset : offset + 2])
    if offset + 2 + 12 * count > len(data):
        raise _fail(where, "truncated TIFF (image directory runs past the end)")
    tags = {}
    for i in range(count):
        entry = data[offset + 2 + 12 * i : offset + 14 + 12 * i]
        tag, ftype, n = struct.unpack(order + "HHI", entry[:8])
        if ftype not in _TYPES:
            continue
        fmt = f"{order}{n * len(_TYPES[ftype])}{_TYPES[ftype][0]}"
        size = struct.calcsize(fmt)
        if size <= 4:
            raw = entry[8 : 8 + size]
        else:
            (at,) = struct.unpack(order + "I", entry[8:12])
            raw = data[at : at + size]
            if len(raw) < size:
                raise _fail(where, f"truncated TIFF (values of tag {tag} run past the end)")
        tags[tag] = struct.unpack(fmt, raw)
    return tags, order


def _sample_dtype(tags: dict, order: str) -> np.dtype | None:
    """The dtype of a TIFF whose samples are plain numbers this module decodes, else None."""
    spp = tags.get(_SPP, (1,))[0]
    bits = set(tags.get(_BITS, (1,)))
    formats = set(tags.get(_SAMPLE_FORMAT, (1,)))
    photometric = tags.get(_PHOTOMETRIC, (None,))[0]
    compression = tags.get(_COMPRESSION, (1,))[0]
    ok = (
        len(bits) == 1
        and len(formats) == 1
        and bits <= {8, 16, 32, 64}
        and formats <= {1, 2, 3}
        and compression in _COMPRESSIONS
        and tags.get(_PREDICTOR, (1,))[0] in (1, 2, 3)
        and (photometric == 1 and spp == 1 or photometric == 2 and spp in (3, 4))
    )
    if not ok:
        return None
    bit, kind = bits.pop(), _KINDS[formats.pop()]
    if kind == "f" and bit not in (32, 64):
        return None
    return np.dtype(f"{order}{kind}{bit // 8}")


def _inflate_all(data: bytes, offsets, counts, sizes: list[int], compression: int, where: str) -> np.ndarray:
    """Every strip or tile decompressed, one after another, into one flat byte buffer."""
    starts = np.cumsum([0, *sizes[:-1]], dtype=np.int64)
    flat = np.empty(int(sum(sizes)), np.uint8)
    src = np.frombuffer(data, np.uint8)
    written = np.zeros(len(sizes), np.int64)
    if compression == 5:  # all strips in one kernel call: a strip per row is common (cv2 writes them)
        at = np.asarray(offsets[: len(sizes)], np.int64)
        ends = np.minimum(at + np.asarray(counts[: len(sizes)], np.int64), len(data))
        lzw_decode(src, at, np.maximum(ends - at, 0), flat, starts, np.asarray(sizes, np.int64), written)
        if (written < 0).any():
            raise _fail(where, "corrupt TIFF (bad LZW code)")
    for i, size in enumerate(sizes):
        if compression == 5:
            break
        chunk = data[offsets[i] : offsets[i] + counts[i]]
        target = flat[starts[i] : starts[i] + size]
        if compression == 1:
            written[i] = min(len(chunk), size)
            target[: written[i]] = np.frombuffer(chunk, np.uint8, written[i])
        elif compression == 32773:
            written[i] = packbits_decode(np.frombuffer(chunk, np.uint8), target)
        else:
            try:
                raw = zlib.decompressobj().decompress(chunk, size)
            except zlib.error as exc:
                raise _fail(where, f"corrupt TIFF (zlib: {exc})") from None
            written[i] = len(raw)
            target[: len(raw)] = np.frombuffer(raw, np.uint8)
    short = np.flatnonzero(written < np.asarray(sizes))
    if short.size:
        i = short[0]
        raise _fail(where, f"truncated TIFF (strip or tile {i} holds {written[i]} of its {sizes[i]} bytes)")
    return flat


def _undo_predictor(block: np.ndarray, predictor: int) -> np.ndarray:
    """``block``: (rows, width, spp) samples in file order. Predictor 2: horizontal differences of values;
    3: of bytes, after splitting each row's samples into byte planes (most significant first)."""
    if predictor == 2:
        native = block.astype(block.dtype.newbyteorder("="))
        return np.cumsum(native, axis=1, dtype=native.dtype)
    if predictor == 3:
        rows, width, spp = block.shape
        size = block.dtype.itemsize
        # bytes differenced with a stride of spp (libtiff's fpAcc), then split into byte planes
        planes = np.cumsum(block.view(np.uint8).reshape(rows, width * size, spp), axis=1, dtype=np.uint8)
        planes = planes.reshape(rows, size, width * spp).transpose(0, 2, 1)
        big = np.ascontiguousarray(planes).view(block.dtype.newbyteorder(">"))
        return big.reshape(rows, width, spp).astype(block.dtype.newbyteorder("="))
    return block.astype(block.dtype.newbyteorder("="), copy=False)  # native byte order


def _read_samples(data: bytes, tags: dict, dtype: np.dtype, where: str) -> np.ndarray:
    """Every strip or tile of the first image, decompressed, un-predicted, assembled: (H, W, spp)."""
    width, height = tags[_WIDTH][0], tags[_HEIGHT][0]
    spp = tags.get(_SPP, (1,))[0]
    planar = tags.get(_PLANAR, (1,))[0] == 2
    compression = tags.get(_COMPRESSION, (1,))[0]
    predictor = tags.get(_PREDICTOR, (1,))[0]
    if _TILE_OFFSETS in tags:
        bw, bh = tags[_TILE_WIDTH][0], tags[_TILE_LENGTH][0]
        offsets, counts = tags[_TILE_OFFSETS], tags.get(_TILE_COUNTS)
    else:
        bw, bh = width, min(tags.get(_ROWS_PER_STRIP, (height,))[0], height)
        offsets, counts = tags.get(_STRIP_OFFSETS), tags.get(_STRIP_COUNTS)
    across, down = -(-width // bw), -(-height // bh)
    planes = spp if planar else 1
    per_block = 1 if planar else spp
    if not offsets or not counts or len(offsets) < across * down * planes or len(counts) < len(offsets):
        raise _fail(where, "corrupt TIFF (missing strip or tile offsets)")
    n = across * down * planes
    tiled = _TILE_OFFSETS in tags
    heights = [bh if tiled else min(bh, height - (i % (across * down)) * bh) for i in range(n)]
    sizes = [rows * bw * per_block * dtype.itemsize for rows in heights]
    flat = _inflate_all(data, offsets, counts, sizes, compression, where)
    if not tiled and not planar:  # strips of whole rows, one after another: the image itself
        return _undo_predictor(flat.view(dtype).reshape(height, width, spp), predictor)
    out = np.empty((height, width, spp), dtype.newbyteorder("="))
    start = 0
    for i, rows in enumerate(heights):
        plane, rest = divmod(i, across * down)
        y, x = divmod(rest, across) if tiled else (rest, 0)
        block = flat[start : start + sizes[i]].view(dtype).reshape(rows, bw, per_block)
        start += sizes[i]
        block = _undo_predictor(block, predictor)
        y0, x0 = y * bh, x * bw
        h, w = min(rows, height - y0), min(bw, width - x0)
        channels = slice(plane, plane + 1) if planar else slice(None)
        out[y0 : y0 + h, x0 : x0 + w, channels] = block[:h, :w]
    return out


def _gray14(rgb: np.ndarray) -> np.ndarray:
    """cv2's ``icvCvt_BGR2Gray`` on RGB samples: 14-bit weights, rounded, in the samples' unsigned type."""
    b, g, r = (rgb[..., 2 - i].astype(np.int64) for i in range(3))
    return ((b * _GRAY14[0] + g * _GRAY14[1] + r * _GRAY14[2] + 8192) >> 14).astype(rgb.dtype)


def _shape(s: np.ndarray, cn: int, rgb: bool) -> np.ndarray:
    """RGB(A)/gray samples -> cv2's ``cn`` channels, BGR order unless ``rgb``."""
    if s.shape[2] >= 3:
        if cn == 1:
            s = _gray14(s)[..., None]
        elif cn == 3:
            s = s[..., :3]
    elif cn > 1:
        s = np.repeat(s, 3, axis=2)
    if s.shape[2] >= 3 and not rgb:
        s = swap_rb(s)
    return s[..., 0] if cn == 1 else s


def decode(data: bytes, request, where: str) -> np.ndarray:
    """Decode a TIFF for ``request(native_cn, native_dtype) -> (cn, dtype, rgb)`` (cv2's flag logic)."""
    tags, order = _read_ifd(data, where)
    if _WIDTH not in tags or _HEIGHT not in tags:
        raise _fail(where, "corrupt TIFF (no image size)")
    dtype = _sample_dtype(tags, order)
    if dtype is None:
        img = _pillow_rgba(data, where)
        native = img.shape[2]
        cn, out_dtype, rgb = request(native, np.dtype(np.uint8))
    else:
        samples = _read_samples(data, tags, dtype, where)
        native = samples.shape[2]
        cn, out_dtype, rgb = request(native, samples.dtype)
        if out_dtype == np.uint8:
            img = _rgba_interface(samples, tags, where)
        elif samples.dtype.itemsize > 2 and cn != native:
            msg = f"cv2 reads this {native}-channel {samples.dtype.name} TIFF only as {native} channels"
            raise _fail(where, f"{msg} (IMREAD_UNCHANGED, or IMREAD_ANYDEPTH with the matching colour flag)")
        else:
            img = samples
    unsigned = img.view(img.dtype.str.replace("i", "u")) if img.dtype.kind == "i" else img
    out = _shape(unsigned, cn, rgb).view(img.dtype)
    return apply_orientation(out, tags.get(_ORIENTATION, (1,))[0])


def _rgba_interface(samples: np.ndarray, tags: dict, where: str) -> np.ndarray:
    """libtiff's RGBA reading of 8/16-bit samples (cv2's path to every 8-bit result)."""
    if samples.dtype.itemsize > 2 or samples.dtype.kind == "f":
        hint = "use IMREAD_UNCHANGED or IMREAD_ANYDEPTH"
        raise _fail(where, f"cv2 cannot read {samples.dtype.name} TIFF samples as 8 bits; {hint}")
    u = samples.view(samples.dtype.str.replace("i", "u"))
    if u.dtype.itemsize == 2 and u.shape[2] == 1:
        u = (u >> 8).astype(np.uint8)  # libtiff's 16-bit gray: the high byte
    elif u.dtype.itemsize == 2:
        u = ((u.astype(np.uint32) * 255 + 32767) // 65535).astype(np.uint8)  # 16-bit RGB(A): rounded
    if u.shape[2] == 4 and tags.get(_EXTRA_SAMPLES, (0,))[0] == 2:  # unassociated alpha
        color = (u[..., :3].astype(np.uint16) * u[..., 3:] + 127) // 255
        u = np.concatenate([color.astype(np.uint8), u[..., 3:]], axis=2)
    return u


def _pillow_rgba(data: bytes, where: str) -> np.ndarray:
    """TIFFs this module does not decode (palette, bilevel, YCbCr, CMYK, gray+alpha, JPEG...), via Pillow,
    as libtiff's RGBA interface delivers them to cv2: gray (alpha dropped), RGB, or CMYK as RGB + 255."""
    try:
        with Image.open(io.BytesIO(data)) as im:
            im.load()
            mode = im.mode
            target = "L" if mode in ("1", "L", "LA") else "RGBA" if mode == "RGBA" else "RGB"
            arr = np.asarray(im.convert(target))
    except (OSError, ValueError, SyntaxError) as exc:
        raise _fail(where, f"unsupported or corrupt TIFF ({exc})") from None
    if arr.ndim == 2:
        return arr[..., None]
    if mode == "CMYK":
        return np.concatenate([arr, np.full(arr.shape[:2] + (1,), 255, np.uint8)], axis=2)
    return arr


def encode(img: np.ndarray, compression: int, predictor: int | None, rows_per_strip: int | None,
           dpi: tuple[int, int] | None, res_unit: int) -> bytes:  # fmt: skip
    """Little-endian TIFF of a (H, W) or (H, W, 1|3|4) image of any dtype cv2 writes (BGR(A) -> RGB(A))."""
    height, width = img.shape[:2]
    cn = 1 if img.ndim == 2 else img.shape[2]
    img = img.reshape(height, width, cn)
    if cn >= 3:
        img = swap_rb(img)
    samples = np.ascontiguousarray(img, img.dtype.newbyteorder("<"))
    kind = samples.dtype.kind
    if predictor is None:
        predictor = 2 if kind in "iu" and compression != 1 else 1
    if rows_per_strip is None or rows_per_strip <= 0:
        rows_per_strip = max(1, (1 << 16) // max(1, width * cn * samples.dtype.itemsize))
    rows_per_strip = min(rows_per_strip, height)
    strips = []
    for y in range(0, height, rows_per_strip):
        block = samples[y : y + rows_per_strip]
        if predictor == 2:
            block = np.diff(block, axis=1, prepend=np.zeros_like(block[:, :1]))
        raw = np.ascontiguousarray(block).view(np.uint8).reshape(-1)
        if compression == 5:
            buf = np.empty(raw.size * 3 // 2 + 16, np.uint8)
            strips.append(buf[: lzw_encode(raw, buf)].tobytes())
        elif compression in (8, 32946):
            strips.append(zlib.compress(raw.tobytes(), 6))
        else:
            strips.append(raw.tobytes())
    bits = samples.dtype.itemsize * 8
    fmt = {"u": 1, "i": 2, "f": 3}[kind]
    entries = [
        (_WIDTH, 4, [width]),
        (_HEIGHT, 4, [height]),
        (_BITS, 3, [bits] * cn),
        (_COMPRESSION, 3, [compression]),
        (_PHOTOMETRIC, 3, [1 if cn == 1 else 2]),
        (_STRIP_OFFSETS, 4, [0] * len(strips)),  # filled in below
        (_SPP, 3, [cn]),
        (_ROWS_PER_STRIP, 4, [rows_per_strip]),
        (_STRIP_COUNTS, 4, [len(s) for s in strips]),
        (_PLANAR, 3, [1]),
        (_SAMPLE_FORMAT, 3, [fmt] * cn),
    ]
    if predictor != 1:
        entries.append((_PREDICTOR, 3, [predictor]))
    if cn == 4:
        # "unspecified": libtiff (so cv2) then passes the 4th channel through untouched, as for cv2's own
        # files, which have no ExtraSamples tag; "unassociated alpha" (2) would make it premultiply.
        entries.append((_EXTRA_SAMPLES, 3, [0]))
    if dpi is not None:
        entries += [(_XRES, 5, [dpi[0], 1]), (_YRES, 5, [dpi[1], 1]), (_RES_UNIT, 3, [res_unit])]
    entries.sort()
    return _assemble(entries, strips)


def _assemble(entries: list, strips: list[bytes]) -> bytes:
    """Header, strips, then the directory with its out-of-line values."""
    body = b"".join(strips)
    ifd_at = 8 + len(body) + (len(body) & 1)
    extra_at = ifd_at + 2 + 12 * len(entries) + 4
    ifd, extra = b"", b""
    starts = [8 + sum(len(s) for s in strips[:i]) for i in range(len(strips))]
    for tag, ftype, values in entries:
        if tag == _STRIP_OFFSETS:
            values = starts
        code = {3: "H", 4: "I", 5: "I"}[ftype]
        n = len(values) // 2 if ftype == 5 else len(values)
        packed = struct.pack(f"<{len(values)}{code}", *values)
        if len(packed) <= 4:
            ifd += struct.pack("<HHI", tag, ftype, n) + packed.ljust(4, b"\0")
        else:
            ifd += struct.pack("<HHII", tag, ftype, n, extra_at + len(extra))
            extra += packed + b"\0" * (len(packed) & 1)
    head = b"II*\0" + struct.pack("<I", ifd_at)
    directory = struct.pack("<H", len(entries)) + ifd + b"\0" * 4 + extra
    return head + body + b"\0" * (ifd_at - 8 - len(body)) + directory
