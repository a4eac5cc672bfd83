"""imread/imwrite/imdecode/imencode against cv2 5.0.0: every format, flag, depth and channel count; errors.

Files are made in memory or in tmp_path by cv2, Pillow, purecv, or by the small PNG/TIFF/BMP builders below
(for layouts neither library writes: interlaced, 2/4-bit, gAMA, sBIT, tiles, planar...). The oracle is
always ``cv2.imdecode`` of the same bytes.
"""

from __future__ import annotations

import io
import os
import struct
import warnings
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

import purecv

DATA = Path(purecv.__file__).parent / "data"
FLAGS = (-1, 0, 1, 2, 3, 4, 6, 128, 129, 256, 258)
EXTS = (".png", ".jpg", ".bmp", ".tif", ".webp")


# ----------------------------------------------------------------------------------------------- helpers


def decode_like_cv2(data: bytes, flags=FLAGS, skip=()):
    """purecv.imdecode == cv2.imdecode for every flag; where cv2 returns None, purecv must raise."""
    buf = np.frombuffer(data, np.uint8)
    checked = 0
    for fl in flags:
        if fl in skip:
            continue
        want = cv2.imdecode(buf, fl)
        if want is None:
            with pytest.raises(ValueError, match="imdecode: buffer of"):
                purecv.imdecode(data, fl)
            continue
        got = purecv.imdecode(data, fl)
        assert got.dtype == want.dtype, fl
        assert got.shape == want.shape, fl
        np.testing.assert_array_equal(got, want, err_msg=f"flags={fl}")
        checked += 1
    assert checked


def encode_quietly(ext, img, params=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return purecv.imencode(ext, img, params)[1].tobytes()


def pillow_bytes(im: Image.Image, fmt: str, **kw) -> bytes:
    out = io.BytesIO()
    im.save(out, fmt, **kw)
    return out.getvalue()


def rand(rng, shape, dtype):
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        return (rng.random(shape) * 300 - 20).astype(dtype)
    info = np.iinfo(dtype)
    return rng.integers(info.min, int(info.max) + 1, shape, dtype=dtype)


def smooth(height=37, width=45, cn=3):
    """A photo-like image (JPEG and lossy WebP are compared on it, not on noise)."""
    y, x = np.mgrid[:height, :width]
    img = np.stack([(x * 5) % 256, (y * 6) % 256, ((x + y) * 3) % 256, (x * y) % 256], -1).astype(np.uint8)
    return img[..., :cn]


ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2))


def png_chunk(ctype: bytes, body: bytes) -> bytes:
    return (
        struct.pack(">I", len(body)) + ctype + body + struct.pack(">I", zlib.crc32(body, zlib.crc32(ctype)))
    )


def make_png(samples, color_type, depth, interlace=0, extra=(), palette=None, trns=None) -> bytes:
    """A PNG from raw samples (H, W, C) at any bit depth, filter type 0, optionally Adam7-interlaced."""
    s = samples if samples.ndim == 3 else samples[..., None]
    height, width = s.shape[:2]
    raw = b""
    for x0, y0, dx, dy in ADAM7 if interlace else ((0, 0, 1, 1),):
        sub = s[y0::dy, x0::dx]
        for row in sub if sub.size else ():
            if depth == 16:
                packed = row.astype(">u2").tobytes()
            elif depth == 8:
                packed = row.astype(np.uint8).tobytes()
            else:
                per = 8 // depth
                vals = np.zeros(-(-row.shape[0] // per) * per, np.uint8)
                vals[: row.shape[0]] = row[:, 0]
                shifts = np.arange(8 - depth, -1, -depth, dtype=np.uint8)
                packed = (
                    np.bitwise_or.reduce(vals.reshape(-1, per) << shifts, axis=1).astype(np.uint8).tobytes()
                )
            raw += b"\0" + packed
    ihdr = struct.pack(">IIBBBBB", width, height, depth, color_type, 0, 0, interlace)
    out = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr)
    for ctype, body in extra:
        out += png_chunk(ctype, body)
    if palette is not None:
        out += png_chunk(b"PLTE", np.asarray(palette, np.uint8).tobytes())
    if trns is not None:
        out += png_chunk(b"tRNS", trns)
    return out + png_chunk(b"IDAT", zlib.compress(raw)) + png_chunk(b"IEND", b"")


def make_tiff(samples, *, tile=None, planar=False, compression=1, extra_samples=None, order="<") -> bytes:
    """An uncompressed or Deflate TIFF of (H, W, C) samples: strips or tiles, chunky or planar."""
    height, width, cn = samples.shape
    kind = {"u": 1, "i": 2, "f": 3}[samples.dtype.kind]
    planes = [samples[..., c : c + 1] for c in range(cn)] if planar else [samples]
    bw, bh = tile or (width, height)
    blocks = []
    for plane in planes:
        for y in range(0, height, bh):
            for x in range(0, width, bw if tile else width):
                block = np.zeros((bh, bw, plane.shape[2]), samples.dtype) if tile else plane[y : y + bh]
                if tile:
                    part = plane[y : y + bh, x : x + bw]
                    block[: part.shape[0], : part.shape[1]] = part
                raw = np.ascontiguousarray(block, block.dtype.newbyteorder(order)).tobytes()
                blocks.append(zlib.compress(raw) if compression == 8 else raw)
    offsets, pos = [], 8
    for b in blocks:
        offsets.append(pos)
        pos += len(b)
    tags = [
        (256, 4, [width]),
        (257, 4, [height]),
        (258, 3, [samples.dtype.itemsize * 8] * cn),
        (259, 3, [compression]),
        (262, 3, [1 if cn == 1 else 2]),
        (277, 3, [cn]),
        (284, 3, [2 if planar else 1]),
        (339, 3, [kind] * cn),
    ]
    if tile:
        tags += [(322, 4, [bw]), (323, 4, [bh]), (324, 4, offsets), (325, 4, [len(b) for b in blocks])]
    else:
        tags += [(273, 4, offsets), (278, 4, [height]), (279, 4, [len(b) for b in blocks])]
    if extra_samples is not None:
        tags.append((338, 3, [extra_samples]))
    tags.sort()
    ifd_at = pos + (pos & 1)
    extra_at = ifd_at + 2 + 12 * len(tags) + 4
    ifd, extra = b"", b""
    for tag, ftype, values in tags:
        packed = struct.pack(f"{order}{len(values)}{'H' if ftype == 3 else 'I'}", *values)
        if len(packed) <= 4:
            ifd += struct.pack(f"{order}HHI", tag, ftype, len(values)) + packed.ljust(4, b"\0")
        else:
            ifd += struct.pack(f"{order}HHII", tag, ftype, len(values), extra_at + len(extra))
            extra += packed
    body = b"".join(blocks) + b"\0" * (ifd_at - pos)
    head = (b"II*\0" if order == "<" else b"MM\0*") + struct.pack(f"{order}I", ifd_at)
    return head + body + struct.pack(f"{order}H", len(tags)) + ifd + b"\0" * 4 + extra


def make_bmp(
    pixels: bytes, width, height, bpp, compression=0, palette=b"", masks=(), header=40, used=0
) -> bytes:
    info = struct.pack("<IiiHHIIiiII", header, width, height, 1, bpp, compression, len(pixels), 0, 0, used, 0)
    info += b"".join(struct.pack("<I", m) for m in masks)
    info = info.ljust(header + (12 if header == 40 and masks else 0), b"\0")
    offset = 14 + len(info) + len(palette)
    return b"BM" + struct.pack("<IHHI", offset + len(pixels), 0, 0, offset) + info + palette + pixels


def bmp_rows(rows: np.ndarray) -> bytes:
    """Bottom-up rows of bytes, each padded to 4 bytes."""
    pitch = -(-rows.shape[1] // 4) * 4
    out = np.zeros((rows.shape[0], pitch), np.uint8)
    out[:, : rows.shape[1]] = rows
    return out[::-1].tobytes()


# ----------------------------------------------------------------------------------- cv2 agreement


@pytest.mark.parametrize("name", ["fire.png", "fire-noto-136x128.png", "astronaut.png"])
def test_bundled_images(name):
    """The shipped samples (RGB, and a palette PNG with transparency) read as cv2 reads them."""
    path = DATA / name
    for fl in FLAGS:
        want = cv2.imread(str(path), fl)
        got = purecv.imread(path, fl)
        assert got.shape == want.shape
        np.testing.assert_array_equal(got, want)
    decode_like_cv2(path.read_bytes())


@pytest.mark.parametrize("ext", EXTS)
@pytest.mark.parametrize("cn", [1, 3, 4])
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_cv2_files_decode_like_cv2(ext, cn, dtype):
    rng = np.random.default_rng(EXTS.index(ext) * 10 + cn)
    img = rand(rng, (37, 45, cn), dtype) if ext != ".jpg" else smooth(cn=cn).astype(dtype)
    img = img[..., 0] if cn == 1 else img
    data = cv2.imencode(ext, img)[1].tobytes()
    # cv2 reads a 16-bit colour TIFF with IMREAD_ANYDEPTH | IMREAD_COLOR_RGB as garbage (a cv2 bug)
    skip = (258,) if ext == ".tif" and dtype == np.uint16 and cn > 1 else ()
    decode_like_cv2(data, skip=skip)


@pytest.mark.parametrize("ext", EXTS)
@pytest.mark.parametrize("cn", [1, 3, 4])
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_purecv_files_decode_like_cv2(ext, cn, dtype):
    """purecv's files, read by cv2 and by purecv, under every flag."""
    rng = np.random.default_rng(EXTS.index(ext) * 10 + cn + 100)
    img = rand(rng, (37, 45, cn), dtype) if ext != ".jpg" else smooth(cn=cn).astype(dtype)
    img = img[..., 0] if cn == 1 else img
    data = encode_quietly(ext, img)
    skip = (258,) if ext == ".tif" and dtype == np.uint16 and cn > 1 else ()
    decode_like_cv2(data, skip=skip)


def test_cv2_bug_16bit_tiff_rgb_is_read_correctly():
    """cv2 scrambles a 16-bit colour TIFF read with IMREAD_ANYDEPTH | IMREAD_COLOR_RGB; purecv gives RGB."""
    img = rand(np.random.default_rng(1), (5, 6, 3), np.uint16)
    data = cv2.imencode(".tif", img)[1].tobytes()
    got = purecv.imdecode(data, purecv.IMREAD_ANYDEPTH | purecv.IMREAD_COLOR_RGB)
    np.testing.assert_array_equal(got, img[..., ::-1])


@pytest.mark.parametrize("ext", [".png", ".bmp", ".tif", ".webp"])
@pytest.mark.parametrize("cn", [1, 3, 4])
def test_lossless_roundtrip_through_cv2(ext, cn, tmp_path):
    """purecv writes, cv2 reads back exactly what was written (and purecv reads cv2's files exactly)."""
    rng = np.random.default_rng(cn)
    img = rand(rng, (19, 23, cn), np.uint8)
    img = img[..., 0] if cn == 1 else img
    want = img
    if ext == ".webp":  # stores gray as BGR, and (lossless, as cv2) may change colours under alpha 0
        want = cv2.imdecode(cv2.imencode(ext, img)[1], cv2.IMREAD_UNCHANGED)
    path = tmp_path / f"x{ext}"
    assert purecv.imwrite(path, img) is True
    np.testing.assert_array_equal(cv2.imread(str(path), cv2.IMREAD_UNCHANGED), want)
    np.testing.assert_array_equal(purecv.imread(path, purecv.IMREAD_UNCHANGED), want)
    cv2.imwrite(str(tmp_path / f"y{ext}"), img)
    np.testing.assert_array_equal(purecv.imread(tmp_path / f"y{ext}", purecv.IMREAD_UNCHANGED), want)


@pytest.mark.parametrize("ext", [".png", ".tif"])
@pytest.mark.parametrize("cn", [1, 3, 4])
def test_16bit_roundtrip(ext, cn, tmp_path):
    img = rand(np.random.default_rng(cn), (11, 13, cn), np.uint16)
    img = img[..., 0] if cn == 1 else img
    purecv.imwrite(tmp_path / f"a{ext}", img)
    np.testing.assert_array_equal(cv2.imread(str(tmp_path / f"a{ext}"), cv2.IMREAD_UNCHANGED), img)
    np.testing.assert_array_equal(purecv.imread(tmp_path / f"a{ext}", purecv.IMREAD_UNCHANGED), img)
    both = purecv.IMREAD_ANYDEPTH | purecv.IMREAD_COLOR
    np.testing.assert_array_equal(
        purecv.imread(tmp_path / f"a{ext}", both), cv2.imread(str(tmp_path / f"a{ext}"), both)
    )


def test_non_contiguous_images_are_written(tmp_path):
    img = rand(np.random.default_rng(2), (20, 30, 4), np.uint8)
    for view in (img[::2, ::3, :3], img[..., ::-1], img.transpose(1, 0, 2), img[..., 1]):
        for ext in (".png", ".bmp", ".tif"):
            data = purecv.imencode(ext, view)[1]
            np.testing.assert_array_equal(cv2.imdecode(data, cv2.IMREAD_UNCHANGED), view)


# ------------------------------------------------------------------------------------------------ PNG


@pytest.mark.parametrize("interlace", [0, 1])
@pytest.mark.parametrize(
    ("color_type", "depth"),
    [
        (0, 1),
        (0, 2),
        (0, 4),
        (0, 8),
        (0, 16),
        (2, 8),
        (2, 16),
        (3, 1),
        (3, 2),
        (3, 4),
        (3, 8),
        (4, 8),
        (4, 16),
    ]
    + [(6, 8), (6, 16)],
)
def test_png_every_layout(color_type, depth, interlace):
    """Every colour type and bit depth of the spec, plain and Adam7, including out-of-palette indices."""
    rng = np.random.default_rng(color_type * 100 + depth)
    cn = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[color_type]
    top = min(1 << depth, 40) if color_type == 3 else 1 << depth
    samples = rng.integers(0, top, (13, 17, cn))
    palette = rng.integers(0, 256, (30, 3)) if color_type == 3 else None  # indices 30..39: no entry
    decode_like_cv2(make_png(samples, color_type, depth, interlace, palette=palette))


@pytest.mark.parametrize("shape", [(1, 1), (1, 9), (9, 1), (2, 2), (3, 5), (8, 8)])
def test_png_tiny_interlaced(shape):
    """Adam7 passes that are empty for tiny images carry no bytes at all."""
    samples = np.random.default_rng(0).integers(0, 256, (*shape, 3))
    decode_like_cv2(make_png(samples, 2, 8, interlace=1))


@pytest.mark.parametrize("gamma", [None, 45455, 100000, 96000, 220000, 50000, "sRGB"])
@pytest.mark.parametrize(("color_type", "depth"), [(2, 8), (6, 8), (2, 16), (6, 16)])
def test_png_gray_through_libpng_gamma(gamma, color_type, depth):
    """IMREAD_GRAYSCALE goes through libpng's rgb_to_gray: its tables when gAMA/sRGB say gamma != 1."""
    rng = np.random.default_rng(depth)
    samples = rng.integers(0, 1 << depth, (16, 16, 3 if color_type == 2 else 4))
    samples[0, :4, 1:3] = samples[0, :4, :1]  # some gray pixels: libpng passes them through its gamma table
    extra = (
        []
        if gamma is None
        else [(b"sRGB", b"\0")]
        if gamma == "sRGB"
        else [(b"gAMA", struct.pack(">I", gamma))]
    )
    decode_like_cv2(make_png(samples, color_type, depth, extra=extra))


@pytest.mark.parametrize("sbit", [b"\x0a\x0a\x0a", b"\x0c\x0b\x08", b"\x10\x10\x10"])
def test_png_sbit_shifts_16bit_gamma_tables(sbit):
    samples = np.random.default_rng(3).integers(0, 1 << 16, (16, 16, 3))
    extra = [(b"gAMA", struct.pack(">I", 45455)), (b"sBIT", sbit)]
    decode_like_cv2(make_png(samples, 2, 16, extra=extra))


def test_png_transparency_chunks():
    rng = np.random.default_rng(4)
    rgb8 = rng.integers(0, 256, (9, 10, 3))
    rgb8[0, 0] = (1, 2, 3)
    decode_like_cv2(make_png(rgb8, 2, 8, trns=struct.pack(">HHH", 1, 2, 3)))
    rgb16 = rng.integers(0, 1 << 16, (9, 10, 3))
    rgb16[1, 1] = (1000, 2000, 3000)
    decode_like_cv2(make_png(rgb16, 2, 16, trns=struct.pack(">HHH", 1000, 2000, 3000)))
    decode_like_cv2(make_png(rgb16[..., :1], 0, 16, trns=struct.pack(">H", 1000)))
    idx = rng.integers(0, 30, (9, 10, 1))
    decode_like_cv2(make_png(idx, 3, 8, palette=rng.integers(0, 256, (30, 3)), trns=bytes([0, 50, 100])))


@pytest.mark.parametrize(
    "mode", ["1", "L", "LA", "P", "PA", "RGB", "RGBA", "I;16", "L-trns", "RGB-trns", "P4"]
)
def test_png_written_by_pillow(mode):
    rng = np.random.default_rng(5)
    rgb = rng.integers(0, 256, (13, 17, 3), dtype=np.uint8)
    base = Image.fromarray(rgb)
    kw = {}
    if mode == "1":
        im = Image.fromarray(rgb[..., 0] > 128)
    elif mode == "LA":
        im = Image.fromarray(rgb[..., :2].copy(), "LA")
    elif mode == "P":
        im = base.quantize(200)
    elif mode == "PA":
        im, kw = base.quantize(200), {"transparency": bytes(range(0, 250, 5))}
    elif mode == "P4":
        im, kw = base.quantize(16), {"bits": 4}
    elif mode == "I;16":
        im = Image.fromarray(rng.integers(0, 1 << 16, (13, 17), dtype=np.uint16))
    elif mode == "L-trns":
        im, kw = base.convert("L"), {"transparency": 7}
    elif mode == "RGB-trns":
        im, kw = base, {"transparency": tuple(int(v) for v in rgb[0, 0])}
    else:
        im = base.convert(mode)
    decode_like_cv2(pillow_bytes(im, "PNG", **kw))


def test_png_default_filtering_is_cv2s():
    """Without params cv2 filters every row with Sub and deflates at level 1 with Z_RLE: same stream."""
    img = cv2.imread(str(DATA / "astronaut.png"))

    def inflated(data):
        idat, pos = b"", 8
        while pos < len(data):
            (length,) = struct.unpack(">I", data[pos : pos + 4])
            if data[pos + 4 : pos + 8] == b"IDAT":
                idat += data[pos + 8 : pos + 8 + length]
            pos += 12 + length
        return zlib.decompress(idat)

    ours, theirs = purecv.imencode(".png", img)[1].tobytes(), cv2.imencode(".png", img)[1].tobytes()
    assert inflated(ours) == inflated(theirs)
    assert abs(len(ours) - len(theirs)) < 0.01 * len(theirs)


@pytest.mark.parametrize(
    "params", [[], [16, 0], [16, 3], [16, 9], [16, -4], [16, 20], [17, 2], [19, 8], [19, 128]]
)
def test_png_params(params):
    """Compression level (clamped to 0..9 as cv2 does), strategy and filter: valid, lossless files."""
    img = cv2.imread(str(DATA / "fire.png"))
    ours = purecv.imencode(".png", img, params)[1]
    np.testing.assert_array_equal(cv2.imdecode(ours, cv2.IMREAD_UNCHANGED), img)
    theirs = cv2.imencode(".png", img, params)[1]
    assert abs(ours.size - theirs.size) < 0.05 * theirs.size + 1000


def test_png_compression_levels_shrink():
    img = cv2.imread(str(DATA / "astronaut.png"))
    sizes = [purecv.imencode(".png", img, [purecv.IMWRITE_PNG_COMPRESSION, lvl])[1].size for lvl in (0, 1, 9)]
    assert sizes[0] > sizes[1] > sizes[2]


# ----------------------------------------------------------------------------------------------- JPEG


@pytest.mark.parametrize("quality", [0, 10, 50, 75, 95, 100])
@pytest.mark.parametrize(
    "extra",
    [[], [2, 1], [3, 1], [7, 0x111111], [7, 0x211111], [7, 0x221111]],
    ids=["default", "progressive", "optimize", "444", "422", "420"],
)
def test_jpeg_encode_matches_cv2(quality, extra):
    """Tolerance 0: the same libjpeg-turbo settings give the same file size and decoded pixels as cv2."""
    img = cv2.imread(str(DATA / "astronaut.png"))[::2, ::2]
    params = [purecv.IMWRITE_JPEG_QUALITY, quality, *extra]
    ours, theirs = purecv.imencode(".jpg", img, params)[1], cv2.imencode(".jpg", img, params)[1]
    assert ours.size == theirs.size
    np.testing.assert_array_equal(
        cv2.imdecode(ours, cv2.IMREAD_COLOR), cv2.imdecode(theirs, cv2.IMREAD_COLOR)
    )


def test_jpeg_quality_default_and_clamp():
    img = smooth(64, 64)
    default = purecv.imencode(".jpg", img)[1]
    assert default.size == purecv.imencode(".jpg", img, [purecv.IMWRITE_JPEG_QUALITY, 95])[1].size
    assert default.size == cv2.imencode(".jpg", img)[1].size
    assert purecv.imencode(".jpg", img, [1, 150])[1].size == purecv.imencode(".jpg", img, [1, 100])[1].size
    sizes = [purecv.imencode(".jpg", img, [1, q])[1].size for q in (20, 60, 90)]
    assert sizes == sorted(sizes)


@pytest.mark.parametrize("mode", ["L", "RGB", "CMYK"])
def test_jpeg_written_by_pillow(mode):
    """Gray JPEG, YCbCr JPEG (gray = libjpeg's luma), Adobe CMYK (cv2's CMYK -> BGR formula)."""
    im = Image.fromarray(smooth(40, 48)).convert(mode)
    decode_like_cv2(pillow_bytes(im, "JPEG", quality=90))
    decode_like_cv2(pillow_bytes(im, "JPEG", quality=60, progressive=True))


def test_jpeg_gray_is_libjpeg_luma_not_cvtcolor():
    data = cv2.imencode(".jpg", cv2.imread(str(DATA / "astronaut.png")))[1]
    gray = purecv.imdecode(data, purecv.IMREAD_GRAYSCALE)
    np.testing.assert_array_equal(gray, cv2.imdecode(data, cv2.IMREAD_GRAYSCALE))
    via_cvtcolor = cv2.cvtColor(cv2.imdecode(data, cv2.IMREAD_COLOR), cv2.COLOR_BGR2GRAY)
    assert (gray != via_cvtcolor).any()


# ------------------------------------------------------------------------------------------------ WebP


@pytest.mark.parametrize("quality", [None, 1, 50, 100, 101, -5])
@pytest.mark.parametrize("cn", [1, 3, 4])
def test_webp_encode_matches_cv2(quality, cn):
    """Lossless by default and above 100; lossy 1..100 (below 1 clamped), as cv2; gray stored as BGR."""
    img = smooth(40, 48, cn)
    params = [] if quality is None else [purecv.IMWRITE_WEBP_QUALITY, quality]
    ours, theirs = purecv.imencode(".webp", img, params)[1], cv2.imencode(".webp", img, params)[1]
    np.testing.assert_array_equal(cv2.imdecode(ours, -1), cv2.imdecode(theirs, -1))
    decode_like_cv2(ours.tobytes())


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "L", "LA"])
def test_webp_written_by_pillow(mode):
    im = Image.fromarray(np.dstack([smooth(30, 31), smooth(30, 31, 1)])).convert(mode)
    decode_like_cv2(pillow_bytes(im, "WEBP", lossless=True))
    decode_like_cv2(pillow_bytes(im, "WEBP", quality=70))


# ------------------------------------------------------------------------------------------------- BMP


@pytest.mark.parametrize("mode", ["1", "L", "P", "P4", "RGB", "RGBA"])
def test_bmp_written_by_pillow(mode):
    rgb = np.random.default_rng(6).integers(0, 256, (13, 17, 3), dtype=np.uint8)
    base = Image.fromarray(rgb)
    kw = {}
    if mode == "1":
        im = base.convert("1")
    elif mode == "P":
        im = base.quantize(100)
    elif mode == "P4":
        im, kw = base.quantize(12), {"bits": 4}
    else:
        im = base.convert(mode)
    decode_like_cv2(pillow_bytes(im, "BMP", **kw))


@pytest.mark.parametrize(
    ("compression", "masks", "header"),
    [(0, (), 40), (3, (0xFF0000, 0xFF00, 0xFF, 0), 108), (3, (0xFF0000, 0xFF00, 0xFF, 0xFF000000), 108)],
    ids=["BI_RGB", "bitfields-no-alpha", "bitfields-alpha"],
)
def test_bmp_32bit(compression, masks, header):
    """3 channels for BI_RGB; 4 for BI_BITFIELDS (alpha 255 without an alpha mask); float gray for these."""
    levels = np.arange(256, dtype=np.uint8)
    px = np.random.default_rng(7).integers(0, 256, (64, 64, 4), dtype=np.uint8)
    px[0, :, :3] = levels[:64, None]  # gray levels: cv2's float weights do not sum to exactly 1
    data = make_bmp(bmp_rows(px.reshape(64, -1)), 64, 64, 32, compression, masks=masks, header=header)
    decode_like_cv2(data)


@pytest.mark.parametrize("green", [5, 6])
def test_bmp_16bit_keeps_stored_bits(green):
    px = np.random.default_rng(8).integers(0, 1 << 16, (5, 7), dtype=np.uint16)
    rows = px.astype("<u2").view(np.uint8).reshape(5, 14)
    masks = (0xF800, 0x7E0, 0x1F) if green == 6 else ()
    decode_like_cv2(make_bmp(bmp_rows(rows), 7, 5, 16, 3 if masks else 0, masks=masks))


def test_bmp_gray_palette_and_top_down():
    pal = np.repeat(np.arange(0, 256, 16, dtype=np.uint8), 4).reshape(16, 4)
    idx = np.random.default_rng(9).integers(0, 16, (6, 8), dtype=np.uint8)
    data = make_bmp(bmp_rows(idx), 8, 6, 8, palette=pal.tobytes(), used=16)
    decode_like_cv2(data)
    top_down = make_bmp(bmp_rows(idx[::-1]), 8, -6, 8, palette=pal.tobytes(), used=16)
    np.testing.assert_array_equal(purecv.imdecode(top_down, -1), purecv.imdecode(data, -1))


def test_bmp_written_like_cv2():
    """Same headers and layout as cv2's BmpEncoder: byte-identical files."""
    img = np.random.default_rng(10).integers(0, 256, (5, 7, 4), dtype=np.uint8)
    for view in (img[..., 0], img[..., :3], img):
        assert purecv.imencode(".bmp", view)[1].tobytes() == cv2.imencode(".bmp", view)[1].tobytes()


# ------------------------------------------------------------------------------------------------ TIFF

TIFF_DTYPES = [np.uint8, np.int8, np.uint16, np.int16, np.int32, np.uint32, np.float32, np.float64]
TIFF_FLAGS = (-1, 0, 1, 2, 3, 4, 6, 256)


@pytest.mark.parametrize("dtype", TIFF_DTYPES)
@pytest.mark.parametrize("cn", [1, 3, 4])
def test_tiff_every_dtype(dtype, cn):
    """cv2's and purecv's TIFFs of every sample type: what cv2 reads (or refuses), purecv reads (refuses)."""
    img = rand(np.random.default_rng(11), (9, 11, cn), dtype)
    img = img[..., 0] if cn == 1 else img
    decode_like_cv2(cv2.imencode(".tif", img)[1].tobytes(), TIFF_FLAGS)
    decode_like_cv2(purecv.imencode(".tif", img)[1].tobytes(), TIFF_FLAGS)
    for comp in (1, 5, 8, 32946):
        data = purecv.imencode(".tif", img, [purecv.IMWRITE_TIFF_COMPRESSION, comp])[1]
        np.testing.assert_array_equal(cv2.imdecode(data, cv2.IMREAD_UNCHANGED), img)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_tiff_floating_point_predictor(dtype):
    img = rand(np.random.default_rng(12), (9, 11, 3), dtype)
    data = cv2.imencode(".tif", img, [cv2.IMWRITE_TIFF_PREDICTOR, 3, cv2.IMWRITE_TIFF_COMPRESSION, 5])[1]
    decode_like_cv2(data.tobytes(), (-1, 6))


@pytest.mark.parametrize("compression", ["raw", "tiff_lzw", "tiff_deflate", "packbits", "jpeg"])
@pytest.mark.parametrize("mode", ["RGB", "L", "RGBA", "P", "1", "CMYK", "I;16", "F", "LA"])
def test_tiff_written_by_pillow(compression, mode):
    """Pillow's TIFFs: unassociated alpha (premultiplied by cv2), palette, bilevel, CMYK, gray+alpha..."""
    rgb = np.random.default_rng(13).integers(0, 256, (20, 23, 3), dtype=np.uint8)
    if mode == "I;16":
        im = Image.fromarray(rgb[..., 0].astype(np.uint16) * 257)
    elif mode == "F":
        im = Image.fromarray(rgb[..., 0].astype(np.float32) / 7)
    else:
        im = Image.fromarray(rgb).convert(mode)
    try:
        data = pillow_bytes(im, "TIFF", compression=compression)
    except (OSError, ValueError, KeyError):
        pytest.skip(f"Pillow cannot write {mode} with {compression}")
    decode_like_cv2(data, TIFF_FLAGS)


@pytest.mark.parametrize(
    "layout",
    [{"tile": (16, 16)}, {"planar": True}, {"tile": (16, 16), "planar": True, "compression": 8}],
    ids=["tiled", "planar", "tiled-planar-deflate"],
)
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32])
def test_tiff_tiles_and_planes(layout, dtype):
    """Tiles and separate planes decode to the samples written. cv2 agrees where it can read them: it
    refuses uncompressed tiles as 8 bits (libtiff's RGBA reader) and misreads planar images deeper than
    8 bits (it takes the planes for interleaved samples)."""
    img = rand(np.random.default_rng(14), (21, 35, 3), dtype)
    data = make_tiff(img, **layout)
    np.testing.assert_array_equal(purecv.imdecode(data, purecv.IMREAD_UNCHANGED), img[..., ::-1])
    if dtype != np.uint8 and "planar" in layout:
        return
    compared = 0
    for fl in TIFF_FLAGS:
        want = cv2.imdecode(np.frombuffer(data, np.uint8), fl)
        if want is None:
            assert "compression" not in layout
            continue
        np.testing.assert_array_equal(purecv.imdecode(data, fl), want)
        compared += 1
    assert compared or (dtype == np.uint8 and "compression" not in layout)  # 8-bit: read only as 8 bits


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.int16, np.float32, np.float64])
def test_tiff_big_endian(dtype):
    img = rand(np.random.default_rng(16), (7, 9, 3), dtype)
    decode_like_cv2(make_tiff(img, order=">"), TIFF_FLAGS)
    decode_like_cv2(make_tiff(img[..., :1], order=">", compression=8), TIFF_FLAGS)


def test_tiff_params(tmp_path):
    img = rand(np.random.default_rng(15), (40, 30, 3), np.uint16)
    params = [
        purecv.IMWRITE_TIFF_ROWSPERSTRIP,
        7,
        purecv.IMWRITE_TIFF_XDPI,
        300,
        purecv.IMWRITE_TIFF_YDPI,
        150,
        purecv.IMWRITE_TIFF_RESUNIT,
        3,
    ]
    purecv.imwrite(tmp_path / "a.tiff", img, params)
    np.testing.assert_array_equal(cv2.imread(str(tmp_path / "a.tiff"), -1), img)
    with Image.open(tmp_path / "a.tiff") as im:
        assert im.tag_v2[278] == 7
        assert len(im.tag_v2[273]) == 6
        assert (float(im.tag_v2[282]), float(im.tag_v2[283]), im.tag_v2[296]) == (300.0, 150.0, 3)
    for predictor in (1, 2):
        data = purecv.imencode(".tif", img, [purecv.IMWRITE_TIFF_PREDICTOR, predictor])[1]
        np.testing.assert_array_equal(cv2.imdecode(data, -1), img)


# ------------------------------------------------------------------------------------- EXIF orientation


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "TIFF"])
@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation(fmt, orientation):
    """Applied unless IMREAD_UNCHANGED or IMREAD_IGNORE_ORIENTATION; TIFF always applies it, as cv2 does."""
    img = np.random.default_rng(orientation).integers(0, 256, (6, 10, 3), dtype=np.uint8)
    exif = Image.Exif()
    exif[0x0112] = orientation
    kw = {"quality": 100, "subsampling": 0} if fmt == "JPEG" else {"lossless": True} if fmt == "WEBP" else {}
    decode_like_cv2(pillow_bytes(Image.fromarray(img), fmt, exif=exif.tobytes(), **kw))


# ----------------------------------------------------------------------------------------------- flags


@pytest.mark.parametrize("flags", [17, 8, 16, 33, 65, -2, 512, 1 | 256])
def test_unsupported_flags(flags):
    data = cv2.imencode(".png", np.zeros((2, 2), np.uint8))[1]
    with pytest.raises(ValueError, match="imdecode: .*'flags'|IMREAD_COLOR_RGB exclude"):
        purecv.imdecode(data, flags)


def test_flags_types():
    data = cv2.imencode(".png", np.zeros((2, 2), np.uint8))[1]
    with pytest.raises(TypeError, match="imdecode: 'flags' must be an int IMREAD_\\* combination; got True"):
        purecv.imdecode(data, True)
    with pytest.raises(TypeError, match="'flags' must be an int"):
        purecv.imread(DATA / "fire.png", "color")
    np.testing.assert_array_equal(purecv.imdecode(data, np.int64(0)), np.zeros((2, 2), np.uint8))


def test_color_rgb_flag_is_rgb():
    img = cv2.imread(str(DATA / "fire.png"))
    rgb = purecv.imread(DATA / "fire.png", purecv.IMREAD_COLOR_RGB)
    np.testing.assert_array_equal(rgb, img[..., ::-1])


# --------------------------------------------------------------------------------- imdecode inputs


def test_imdecode_accepts_arrays_and_bytes_like():
    img = np.random.default_rng(16).integers(0, 256, (4, 5, 3), dtype=np.uint8)
    buf = cv2.imencode(".png", img)[1]
    for source in (
        buf,
        buf.reshape(1, -1),
        buf.tobytes(),
        bytearray(buf.tobytes()),
        memoryview(buf.tobytes()),
    ):
        np.testing.assert_array_equal(purecv.imdecode(source, purecv.IMREAD_UNCHANGED), img)
    with pytest.raises(
        TypeError, match="imdecode: 'buf' must be a uint8 array or bytes; got an array of int16"
    ):
        purecv.imdecode(buf.astype(np.int16), -1)
    with pytest.raises(
        TypeError, match="imdecode: 'buf' must be a uint8 numpy.ndarray or bytes-like; got str"
    ):
        purecv.imdecode("x.png", -1)


def test_imencode_returns_true_and_a_flat_uint8_array():
    ok, buf = purecv.imencode(".PNG", np.zeros((3, 4, 3), np.uint8))
    assert ok is True
    assert buf.dtype == np.uint8
    assert buf.ndim == 1
    assert buf.flags.writeable


def test_have_image_reader_and_writer(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"hello")
    cv2.imwrite(str(tmp_path / "img.jpeg"), np.zeros((2, 2), np.uint8))
    os.rename(tmp_path / "img.jpeg", tmp_path / "img.dat")  # content decides, not the name
    assert purecv.haveImageReader(tmp_path / "img.dat") is True
    assert purecv.haveImageReader(tmp_path / "a.txt") is False
    assert purecv.haveImageReader(tmp_path / "missing.png") is False
    assert [purecv.haveImageWriter(f"x{e}") for e in (".jpe", ".DIB", ".tiff", ".gif", "")] == [1, 1, 1, 0, 0]


def test_imread_sniffs_content_not_extension(tmp_path):
    img = np.random.default_rng(17).integers(0, 256, (4, 5, 3), dtype=np.uint8)
    (tmp_path / "really-a-bmp.png").write_bytes(cv2.imencode(".bmp", img)[1].tobytes())
    np.testing.assert_array_equal(purecv.imread(tmp_path / "really-a-bmp.png"), img)
    np.testing.assert_array_equal(purecv.imread(str(tmp_path / "really-a-bmp.png")), img)


# ---------------------------------------------------------------------------------- dtype conversion


@pytest.mark.parametrize("ext", [".png", ".jpg", ".bmp", ".webp"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int16, np.int8, np.int32, np.uint16])
def test_unstorable_depths_convert_like_cv2(ext, dtype):
    """cv2 saturates (rounding half to even) to uint8 what a format cannot store; purecv too, and warns."""
    img = np.array([[[-5.7, 0.5, 1.5], [2.5, 254.6, 300.2], [65000, 3, 70000]]])
    if np.dtype(dtype).kind in "iu":
        img = np.clip(np.rint(img), np.iinfo(dtype).min, np.iinfo(dtype).max)
    img = img.astype(dtype)
    if ext == ".png" and dtype == np.uint16:
        return  # stored as is
    with pytest.warns(UserWarning, match="cannot store .*converting to uint8 with rounding and saturation"):
        ours = purecv.imencode(ext, img)[1]
    want = cv2.imdecode(cv2.imencode(ext, img)[1], -1)
    np.testing.assert_array_equal(cv2.imdecode(ours, -1), want)


# ---------------------------------------------------------------------------------- errors: reading


def test_missing_file():
    with pytest.raises(FileNotFoundError, match="imread: cannot read '/nonexistent/dir/x.png'") as info:
        purecv.imread("/nonexistent/dir/x.png")
    assert info.value.filename == "/nonexistent/dir/x.png"
    assert cv2.imread("/nonexistent/dir/x.png") is None


def test_directory_instead_of_file(tmp_path):
    """Tests run as root, so permissions cannot be denied; a directory is the unreadable file."""
    with pytest.raises(IsADirectoryError, match=f"imread: cannot read '{tmp_path}'"):
        purecv.imread(tmp_path)
    assert cv2.imread(str(tmp_path)) is None


def test_unreadable_file(tmp_path, monkeypatch):
    path = tmp_path / "locked.png"
    path.write_bytes(cv2.imencode(".png", np.zeros((2, 2), np.uint8))[1].tobytes())
    real_open = open

    def denied(file, *args, **kwargs):
        if os.fspath(file) == str(path):
            raise PermissionError(13, "Permission denied")
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", denied)
    with pytest.raises(PermissionError, match=f"imread: cannot read '{path}': Permission denied"):
        purecv.imread(path)


@pytest.mark.parametrize(
    ("content", "pattern"),
    [
        (b"", "empty data; expected a PNG, JPEG, BMP, TIFF or WebP image"),
        (
            b"hello world, not an image",
            r"not a PNG, JPEG, BMP, TIFF or WebP image \(unrecognised first bytes",
        ),
        (b"GIF89a\x01\x00\x01\x00", "not a PNG, JPEG, BMP, TIFF or WebP image"),
        (b"\x89PNG\r\n\x1a\n", r"truncated PNG \(no IEND chunk\)"),
    ],
    ids=["empty", "text", "gif", "png-signature-only"],
)
def test_not_an_image(tmp_path, content, pattern):
    path = tmp_path / "bad.png"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=f"imread: '{path}': {pattern}"):
        purecv.imread(path)
    assert cv2.imread(str(path)) is None


@pytest.mark.parametrize("ext", EXTS)
def test_truncated_files(tmp_path, ext):
    """Cut in the pixel data: cv2 returns None or a half-gray image; purecv raises, naming the file."""
    img = cv2.imread(str(DATA / "astronaut.png"))[:200, :200]
    data = cv2.imencode(ext, img)[1].tobytes()
    for cut in (len(data) // 3, len(data) - 40):
        path = tmp_path / f"cut{cut}{ext}"
        path.write_bytes(data[:cut])
        with pytest.raises(ValueError, match=f"imread: '{path}': .*(truncated|corrupt)"):
            purecv.imread(path)


@pytest.mark.parametrize(
    ("mutate", "pattern"),
    [
        (lambda d: d[:19] + b"\x09" + d[20:], r"CRC error in chunk 'IHDR'"),
        (lambda d: d[:8] + d[33:], "IHDR is not the first chunk"),
        (lambda d: d[:16] + struct.pack(">I", 0) + d[20:], "corrupt PNG"),
    ],
    ids=["crc", "no-ihdr", "zero-width"],
)
def test_corrupt_png(mutate, pattern):
    data = cv2.imencode(".png", np.zeros((4, 4), np.uint8))[1].tobytes()
    with pytest.raises(ValueError, match=pattern):
        purecv.imdecode(mutate(data), -1)


def test_png_damaged_ancillary_chunk_is_skipped():
    """libpng drops an ancillary chunk whose CRC is wrong; a gAMA chunk so dropped no longer counts."""
    samples = np.random.default_rng(17).integers(0, 256, (8, 8, 3))
    good = make_png(samples, 2, 8, extra=[(b"gAMA", struct.pack(">I", 45455))])
    at = good.index(b"gAMA") + 8  # the chunk's CRC
    bad = good[:at] + bytes([good[at] ^ 1]) + good[at + 1 :]
    decode_like_cv2(bad)
    np.testing.assert_array_equal(purecv.imdecode(bad, 0), purecv.imdecode(make_png(samples, 2, 8), 0))


def test_png_unknown_critical_chunk():
    data = make_png(np.zeros((2, 2, 1)), 0, 8, extra=[(b"ABCD", b"x")])
    with pytest.raises(ValueError, match="unsupported PNG \\(unknown critical chunk 'ABCD'\\)"):
        purecv.imdecode(data, -1)
    assert cv2.imdecode(np.frombuffer(data, np.uint8), -1) is None


def png_with_stream(stream: bytes, width=4, height=3) -> bytes:
    """A gray 8-bit PNG whose IDAT holds ``stream`` as is."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    chunks = png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", stream) + png_chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


@pytest.mark.parametrize(
    ("stream", "pattern"),
    [
        (zlib.compress(b"\7" + b"\0" * 14), "unknown filter type in row 0"),
        (zlib.compress(b"\0" * 10), r"truncated PNG \(image data ends after 10 of 15 bytes\)"),
        (zlib.compress(b"\0" * 15)[:2] + b"\xff" * 9, r"corrupt PNG \(zlib: "),
    ],
    ids=["filter-type", "short-data", "bad-deflate"],
)
def test_corrupt_png_data(stream, pattern):
    with pytest.raises(ValueError, match=pattern):
        purecv.imdecode(png_with_stream(stream), -1)
    assert cv2.imdecode(np.frombuffer(png_with_stream(stream), np.uint8), -1) is None


def test_tiff_refusals_name_the_way_out():
    data = cv2.imencode(".tif", np.zeros((3, 4, 3), np.float32))[1]
    with pytest.raises(
        ValueError,
        match="imdecode: buffer of .*: cv2 cannot read float32 TIFF samples as 8 bits; use IMREAD_UNCHANGED",
    ):
        purecv.imdecode(data, purecv.IMREAD_COLOR)
    with pytest.raises(ValueError, match="reads this 3-channel float32 TIFF only as 3 channels"):
        purecv.imdecode(data, purecv.IMREAD_ANYDEPTH)
    assert cv2.imdecode(data, cv2.IMREAD_ANYDEPTH) is None


# ---------------------------------------------------------------------------------- errors: writing


def test_unknown_or_missing_extension(tmp_path):
    img = np.zeros((2, 2), np.uint8)
    for name in ("x.gif", "x", "x.png.bak"):
        with pytest.raises(
            ValueError, match=f"imwrite: no writer for '{tmp_path / name}': the extension must be"
        ):
            purecv.imwrite(tmp_path / name, img)
    for ext in ("png", "", ".xyz"):
        with pytest.raises(ValueError, match=f"imencode: no writer for {ext!r}: .* with its period"):
            purecv.imencode(ext, img)
    assert os.listdir(tmp_path) == []


def test_unwritable_targets(tmp_path):
    img = np.zeros((2, 2), np.uint8)
    missing = tmp_path / "no" / "such" / "dir" / "x.png"
    with pytest.raises(FileNotFoundError, match=f"imwrite: cannot write '{missing}'"):
        purecv.imwrite(missing, img)
    assert cv2.imwrite(str(missing), img) is False
    (tmp_path / "d.png").mkdir()
    with pytest.raises(
        IsADirectoryError, match=f"imwrite: cannot write '{tmp_path / 'd.png'}': it is a directory"
    ):
        purecv.imwrite(tmp_path / "d.png", img)
    assert sorted(os.listdir(tmp_path)) == ["d.png"]


def test_write_is_atomic(tmp_path, monkeypatch):
    """A failure after the bytes are written (here: the rename) leaves the old file and no temporary."""
    target = tmp_path / "keep.png"
    old = np.full((2, 2), 9, np.uint8)
    purecv.imwrite(target, old)
    before = target.read_bytes()

    def broken_replace(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(PermissionError, match=f"imwrite: cannot write '{target}': Permission denied"):
        purecv.imwrite(target, np.zeros((5, 5), np.uint8))
    assert target.read_bytes() == before
    assert os.listdir(tmp_path) == ["keep.png"]


def test_unwritable_directory(tmp_path, monkeypatch):
    """Root ignores permission bits, so the refusal is simulated where the temporary file is created."""

    def denied(path, *args, **kwargs):
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr(os, "open", denied)
    with pytest.raises(
        PermissionError, match=f"imwrite: cannot write '{tmp_path / 'x.png'}': Permission denied"
    ):
        purecv.imwrite(tmp_path / "x.png", np.zeros((2, 2), np.uint8))
    assert os.listdir(tmp_path) == []


def test_interrupted_write_leaves_nothing(tmp_path, monkeypatch):
    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        purecv.imwrite(tmp_path / "x.jpg", np.zeros((4, 4, 3), np.uint8))
    assert os.listdir(tmp_path) == []


def test_overwrite_and_file_mode(tmp_path):
    target = tmp_path / "x.png"
    purecv.imwrite(target, np.zeros((2, 2), np.uint8))
    purecv.imwrite(target, np.full((3, 3), 5, np.uint8))
    np.testing.assert_array_equal(purecv.imread(target, 0), np.full((3, 3), 5, np.uint8))
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask
    assert os.listdir(tmp_path) == ["x.png"]


def test_overwrite_keeps_mode_and_follows_links(tmp_path):
    target = tmp_path / "real.png"
    purecv.imwrite(target, np.zeros((2, 2), np.uint8))
    os.chmod(target, 0o640)
    link = tmp_path / "link.png"
    link.symlink_to(target)
    purecv.imwrite(link, np.full((2, 2), 3, np.uint8))
    assert link.is_symlink()
    assert target.stat().st_mode & 0o777 == 0o640
    np.testing.assert_array_equal(purecv.imread(target, 0), np.full((2, 2), 3, np.uint8))
    assert sorted(os.listdir(tmp_path)) == ["link.png", "real.png"]


@pytest.mark.parametrize(
    ("img", "exc", "pattern"),
    [
        ([[1, 2]], TypeError, "'img' must be a numpy.ndarray; got list"),
        (np.zeros((2, 2), bool), TypeError, "'img' has dtype bool; expected an integer or float image"),
        (np.zeros((2, 2), np.complex64), TypeError, "'img' has dtype complex64"),
        (
            np.zeros((0, 2), np.uint8),
            ValueError,
            r"'img' must be a non-empty \(H, W\) or \(H, W, C\) array; got shape \(0, 2\)",
        ),
        (
            np.zeros((2, 2, 3, 1), np.uint8),
            ValueError,
            r"'img' must be a non-empty .* got shape \(2, 2, 3, 1\)",
        ),
        (
            np.zeros((2, 2, 2), np.uint8),
            ValueError,
            r"'img' must have 1, 3 or 4 channels \(gray, BGR, BGRA\); got 2",
        ),
        (np.zeros((2, 2, 5), np.uint8), ValueError, "'img' must have 1, 3 or 4 channels .* got 5"),
    ],
    ids=["list", "bool", "complex", "empty", "4-d", "2-channels", "5-channels"],
)
def test_bad_images(img, exc, pattern, tmp_path):
    with pytest.raises(exc, match=f"imwrite: {pattern}"):
        purecv.imwrite(tmp_path / "x.png", img)
    with pytest.raises(exc, match=f"imencode: {pattern}"):
        purecv.imencode(".tif", img)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize(
    ("ext", "params", "exc", "pattern"),
    [
        (".png", [16], ValueError, "'params' must be \\[key, value, ...\\] pairs; got an odd length 1"),
        (".png", [16, 1.5], TypeError, "'params' must hold ints only"),
        (".png", {16: 1}, TypeError, "'params' must be a flat list of ints"),
        (
            ".png",
            [purecv.IMWRITE_PNG_BILEVEL, 1],
            ValueError,
            "IMWRITE_PNG_BILEVEL \\(18\\) is not implemented",
        ),
        (
            ".jpg",
            [purecv.IMWRITE_JPEG_LUMA_QUALITY, 50],
            ValueError,
            "IMWRITE_JPEG_LUMA_QUALITY \\(5\\) is not",
        ),
        (".jpg", [7, 0x411111], ValueError, "IMWRITE_JPEG_SAMPLING_FACTOR must be one of"),
        (".tif", [259, 7], ValueError, "IMWRITE_TIFF_COMPRESSION must be one of \\[1, 5, 8, 32946\\]; got 7"),
        (".tif", [317, 3], ValueError, "IMWRITE_TIFF_PREDICTOR must be one of \\[1, 2\\]; got 3"),
        (".bmp", [768, 0], ValueError, "IMWRITE_BMP_COMPRESSION \\(768\\) is not implemented"),
    ],
    ids=["odd", "float", "dict", "bilevel", "luma", "411", "tiff-jpeg", "float-predictor", "bmp-compression"],
)
def test_bad_params(ext, params, exc, pattern):
    with pytest.raises(exc, match=f"imencode: {pattern}"):
        purecv.imencode(ext, np.zeros((4, 4, 3), np.uint8), params)


def test_other_formats_params_are_ignored_as_cv2_does():
    img = smooth(16, 16)
    params = [purecv.IMWRITE_JPEG_QUALITY, 10, purecv.IMWRITE_WEBP_QUALITY, 5, 99999, 1]
    ours = purecv.imencode(".png", img, params)[1]
    np.testing.assert_array_equal(cv2.imdecode(ours, -1), img)
    assert ours.size == purecv.imencode(".png", img)[1].size
    np.testing.assert_array_equal(
        purecv.imencode(".png", img, np.array([16, 9]))[1], purecv.imencode(".png", img, [16, 9])[1]
    )


def test_bad_paths():
    with pytest.raises(TypeError, match="imread: 'filename' must be a str or os.PathLike; got int"):
        purecv.imread(3)

    class BytesPath:
        def __fspath__(self):
            return b"x.png"

    with pytest.raises(TypeError, match="imwrite: 'filename' must be a str path; got b'x.png'"):
        purecv.imwrite(BytesPath(), np.zeros((2, 2)))
    with pytest.raises(TypeError, match="imencode: 'ext' must be a str such as '.png'; got bytes"):
        purecv.imencode(b".png", np.zeros((2, 2), np.uint8))
