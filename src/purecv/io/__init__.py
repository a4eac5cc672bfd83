"""Image files: ``imread``, ``imwrite``, ``imdecode``, ``imencode``, as cv2 5.0.0 reads and writes them.

Formats: PNG (purecv's own codec: zlib plus Numba scanline filters), TIFF (purecv's own for sample
arrays of any depth, Pillow for palette, bilevel, CMYK, YCbCr and JPEG-compressed ones), JPEG and WebP
(Pillow), BMP (purecv; Pillow for RLE). ``imread`` and ``imdecode`` recognise the format from the data's
first bytes, never from the file name; ``imwrite`` and ``imencode`` choose it from the extension, as cv2.

Pixels are cv2's, format by format: channel order BGR(A) (RGB with ``IMREAD_COLOR_RGB``); the same
channel counts and depths for every flag combination cv2 allows; each codec's own gray conversion (libpng's
for PNG, gamma tables included; the JPEG's luma; cv2's 14-bit weights for BMP and TIFF; ``cvtColor`` for
WebP); EXIF orientation. PNG, BMP, TIFF and lossless WebP decode bit-identically to cv2. JPEG and lossy WebP
too: tolerance 0, measured on every file the tests make (qualities 0 to 100, 4:4:4/4:2:2/4:2:0, progressive,
gray, CMYK), and purecv's JPEG and lossy WebP files decode to the same pixels as cv2's own at the same
parameters (same libjpeg-turbo and libwebp settings through Pillow). BMP files are byte-identical to cv2's.

The one intended difference: where cv2 fails silently, purecv raises. ``cv2.imread`` returns ``None`` for
a missing, unreadable, truncated or unrecognised file and ``cv2.imwrite`` returns ``False`` when it cannot
write; purecv raises ``FileNotFoundError``, ``PermissionError``, ``IsADirectoryError`` (all ``OSError``) or
``ValueError``, with the path and the reason in the message. Writes are atomic: the bytes go to a temporary
file in the target's directory, which then replaces the target, so a failed write leaves no partial file.

Also different, and deliberately so: files cv2 misreads come back right (16-bit colour TIFF read with
``IMREAD_ANYDEPTH | IMREAD_COLOR_RGB``, planar TIFF deeper than 8 bits, uncompressed tiled TIFF read as 8
bits); a truncated JPEG raises where cv2 pads it with gray. Not implemented: ``IMREAD_REDUCED_*`` and
``IMREAD_LOAD_GDAL`` (refused with a ValueError), formats other than these five, the frames of animated
PNG and WebP after the first (PNG: the IDAT image), EXIF read from PNG text chunks ("Raw profile type
exif"), and a few writer keys (refused by name, see :func:`imwrite`).
"""

from __future__ import annotations

import errno
import os
import stat
import uuid
from collections.abc import Sequence

import numpy as np

from ..constants import (
    IMREAD_ANYCOLOR,
    IMREAD_ANYDEPTH,
    IMREAD_COLOR,
    IMREAD_COLOR_RGB,
    IMREAD_IGNORE_ORIENTATION,
    IMREAD_UNCHANGED,
)
from . import _bmp, _png, _tiff
from ._exif import apply_orientation, orientation_of
from ._params import encode_image
from ._pillow import decode_jpeg, decode_webp

__all__ = ["haveImageReader", "haveImageWriter", "imdecode", "imencode", "imread", "imwrite"]

# the flag bits purecv reads; IMREAD_LOAD_GDAL (8) and IMREAD_REDUCED_* (16, 32, 64) are not implemented
_FLAG_BITS = IMREAD_COLOR | IMREAD_ANYDEPTH | IMREAD_ANYCOLOR | IMREAD_IGNORE_ORIENTATION | IMREAD_COLOR_RGB
_FORMATS = "PNG, JPEG, BMP, TIFF or WebP"


def sniff(data: bytes) -> str | None:
    """The format of ``data`` from its magic bytes: 'png', 'jpeg', 'bmp', 'tiff', 'webp', or None."""
    head = bytes(data[:12])
    if head.startswith(_png.SIGNATURE):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"BM"):
        return "bmp"
    if head[:4] in (b"II*\0", b"MM\0*"):
        return "tiff"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def _check_flags(func: str, flags: object) -> int:
    if isinstance(flags, bool) or not isinstance(flags, int | np.integer):
        msg = f"{func}: 'flags' must be an int IMREAD_* combination; got {flags!r}"
        raise TypeError(msg)
    flags = int(flags)
    if flags == IMREAD_UNCHANGED:
        return flags
    if flags < 0 or flags & ~_FLAG_BITS:
        msg = (
            f"{func}: 'flags' {flags} is not supported; purecv reads IMREAD_UNCHANGED (-1) or a combination "
            "of IMREAD_GRAYSCALE (0), IMREAD_COLOR (1), IMREAD_ANYDEPTH (2), IMREAD_ANYCOLOR (4), "
            "IMREAD_IGNORE_ORIENTATION (128) and IMREAD_COLOR_RGB (256) (no IMREAD_REDUCED_*, no GDAL)"
        )
        raise ValueError(msg)
    if flags & IMREAD_COLOR and flags & IMREAD_COLOR_RGB:
        msg = (
            f"{func}: IMREAD_COLOR (= IMREAD_COLOR_BGR) and IMREAD_COLOR_RGB exclude each other; got {flags}"
        )
        raise ValueError(msg)
    return flags


def _requester(flags: int):
    """cv2's ``calcType``: from the file's channels and dtype to the (channels, dtype, RGB order) returned."""

    def request(native_cn: int, native_dtype: np.dtype) -> tuple[int, np.dtype, bool]:
        if flags == IMREAD_UNCHANGED:
            return native_cn, native_dtype, False
        dtype = native_dtype if flags & IMREAD_ANYDEPTH else np.dtype(np.uint8)
        color = flags & (IMREAD_COLOR | IMREAD_COLOR_RGB) or (flags & IMREAD_ANYCOLOR and native_cn > 1)
        return (3 if color else 1), dtype, bool(flags & IMREAD_COLOR_RGB)

    return request


def _decode(data: bytes, flags: int, where: str) -> np.ndarray:
    """Sniff, decode, orient."""
    kind = sniff(data)
    if kind is None:
        if not data:
            msg = f"{where}: empty data; expected a {_FORMATS} image"
        else:
            msg = f"{where}: not a {_FORMATS} image (unrecognised first bytes {bytes(data[:8])!r})"
        raise ValueError(msg)
    request = _requester(flags)
    orientation = 1
    if kind == "png":
        png = _png.decode(data, where)
        native_cn, is16 = _png.file_type(png)
        cn, dtype, rgb = request(native_cn, np.dtype(np.uint16 if is16 else np.uint8))
        img = _png.to_cv(png, cn, dtype == np.uint16, rgb)
        orientation = orientation_of(png.exif)
    elif kind == "tiff":
        return _tiff.decode(data, request, where)  # TIFF orients whatever the flags (as cv2 does)
    elif kind == "bmp":
        img = _bmp.decode(data, request, where)
    elif kind == "jpeg":
        img, orientation = decode_jpeg(data, request, where)
    else:
        img, orientation = decode_webp(data, request, where)
    if flags != IMREAD_UNCHANGED and not flags & IMREAD_IGNORE_ORIENTATION and orientation != 1:
        img = apply_orientation(img, orientation)
    return img


def _check_path(func: str, filename: object) -> str:
    if not isinstance(filename, str | os.PathLike):
        msg = f"{func}: 'filename' must be a str or os.PathLike; got {type(filename).__name__}"
        raise TypeError(msg)
    path = os.fspath(filename)
    if not isinstance(path, str):
        msg = f"{func}: 'filename' must be a str path; got {path!r}"
        raise TypeError(msg)
    return path


def _os_error(func: str, exc: OSError, path: str, doing: str) -> OSError:
    """The same OSError subclass, with the function, the path and what failed in its message."""
    kind = type(exc) if type(exc) is not OSError else OSError
    return kind(exc.errno, f"{func}: cannot {doing} '{path}': {exc.strerror or exc}", path)


def imread(filename: str | os.PathLike, flags: int = IMREAD_COLOR) -> np.ndarray:
    """Load an image file, as ``cv2.imread`` (but raising where cv2 returns None).

    Parameters
    ----------
    filename : str or os.PathLike
        A PNG, JPEG, BMP, TIFF or WebP file, recognised by its first bytes (the extension is ignored).
    flags : int, optional
        ``IMREAD_COLOR`` (default: 8-bit BGR), ``IMREAD_GRAYSCALE`` (8-bit gray, by the codec's own
        conversion), ``IMREAD_UNCHANGED`` (the file's channels, alpha included, and depth; no EXIF
        rotation), or a combination of ``IMREAD_COLOR``, ``IMREAD_ANYDEPTH`` (keep 16-bit and float
        samples), ``IMREAD_ANYCOLOR`` (gray stays gray), ``IMREAD_IGNORE_ORIENTATION`` and
        ``IMREAD_COLOR_RGB`` (RGB order), as cv2 combines them.

    Returns
    -------
    numpy.ndarray
        ``(H, W)`` or ``(H, W, 3|4)``, uint8 or, with ``IMREAD_ANYDEPTH``/``IMREAD_UNCHANGED``, the file's
        depth (uint16 PNG/TIFF; any TIFF sample type).

    Raises
    ------
    FileNotFoundError, IsADirectoryError, PermissionError
        The file cannot be opened (the message names the path).
    ValueError
        Not a supported image, truncated or corrupt (the message names the path and the reason), or
        ``flags`` purecv does not implement (``IMREAD_REDUCED_*``, ``IMREAD_LOAD_GDAL``).
    TypeError
        ``filename`` not a path, ``flags`` not an int.

    Examples
    --------
    >>> import importlib.resources
    >>> import purecv
    >>> fire = importlib.resources.files("purecv") / "data" / "fire.png"
    >>> purecv.imread(fire).shape
    (256, 256, 3)
    """
    path = _check_path("imread", filename)
    flags = _check_flags("imread", flags)
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        err = _os_error("imread", exc, path, "read")
        raise err from None
    return _decode(data, flags, f"imread: '{path}'")


def imdecode(buf: np.ndarray | bytes | bytearray | memoryview, flags: int) -> np.ndarray:
    """Decode an image held in memory, as ``cv2.imdecode`` (but raising where cv2 returns None).

    Parameters
    ----------
    buf : numpy.ndarray, bytes, bytearray or memoryview
        The file's bytes: a uint8 array (any shape, read in C order, as cv2 reads a contiguous Mat) or
        any bytes-like object.
    flags : int
        As for :func:`imread`.

    Returns
    -------
    numpy.ndarray
        The image, as :func:`imread` would return it.

    Raises
    ------
    ValueError
        Empty, unrecognised, truncated or corrupt data.
    TypeError
        ``buf`` neither a uint8 array nor bytes-like.

    Examples
    --------
    >>> import numpy as np
    >>> import purecv
    >>> ok, buf = purecv.imencode(".png", np.array([[0, 128, 255]], np.uint8))
    >>> purecv.imdecode(buf, purecv.IMREAD_UNCHANGED)
    array([[  0, 128, 255]], dtype=uint8)
    """
    flags = _check_flags("imdecode", flags)
    if isinstance(buf, np.ndarray):
        if buf.dtype != np.uint8:
            msg = f"imdecode: 'buf' must be a uint8 array or bytes; got an array of {buf.dtype.name}"
            raise TypeError(msg)
        data = np.ascontiguousarray(buf).tobytes()
    elif isinstance(buf, bytes | bytearray | memoryview):
        data = bytes(buf)
    else:
        msg = f"imdecode: 'buf' must be a uint8 numpy.ndarray or bytes-like; got {type(buf).__name__}"
        raise TypeError(msg)
    return _decode(data, flags, f"imdecode: buffer of {len(data)} bytes")


def imencode(
    ext: str, img: np.ndarray, params: Sequence[int] | np.ndarray | None = None
) -> tuple[bool, np.ndarray]:
    """Encode an image into memory, as ``cv2.imencode``.

    Parameters
    ----------
    ext : str
        ``'.png'``, ``'.jpg'``/``'.jpeg'``/``'.jpe'``, ``'.bmp'``/``'.dib'``, ``'.tif'``/``'.tiff'`` or
        ``'.webp'``, any case, with its leading period (as cv2 requires).
    img : numpy.ndarray
        ``(H, W)`` or ``(H, W, 1|3|4)``, BGR(A). Depths a format cannot store are converted to uint8 with
        rounding and saturation, as cv2 converts them, with a warning.
    params : sequence of int, optional
        Flat ``[key, value, ...]`` pairs, see :func:`imwrite`.

    Returns
    -------
    tuple of (bool, numpy.ndarray)
        ``True`` and the encoded bytes as a 1-D uint8 array.

    Examples
    --------
    >>> import numpy as np
    >>> import purecv
    >>> ok, buf = purecv.imencode(".bmp", np.zeros((2, 3, 3), np.uint8))
    >>> ok, buf.dtype, buf.shape, bytes(buf[:2])
    (True, dtype('uint8'), (78,), b'BM')
    """
    if not isinstance(ext, str):
        msg = f"imencode: 'ext' must be a str such as '.png'; got {type(ext).__name__}"
        raise TypeError(msg)
    data = encode_image("imencode", ext, img, params)
    return True, np.frombuffer(data, np.uint8).copy()


def imwrite(
    filename: str | os.PathLike, img: np.ndarray, params: Sequence[int] | np.ndarray | None = None
) -> bool:
    """Save an image, as ``cv2.imwrite``, atomically (but raising where cv2 returns False).

    Parameters
    ----------
    filename : str or os.PathLike
        The target; its extension picks the format (``.png``, ``.jpg``/``.jpeg``/``.jpe``,
        ``.bmp``/``.dib``, ``.tif``/``.tiff``, ``.webp``, any case).
    img : numpy.ndarray
        ``(H, W)`` or ``(H, W, 1|3|4)`` BGR(A). PNG stores uint8 and uint16, TIFF every integer and float
        dtype, JPEG, BMP and WebP uint8; other depths are converted to uint8 with rounding and saturation,
        as cv2 converts them, with a warning. JPEG drops a fourth channel; WebP stores gray as BGR.
    params : sequence of int, optional
        Flat ``[key, value, ...]`` pairs, as cv2's: ``IMWRITE_PNG_COMPRESSION`` (0..9; default: cv2's
        level 1 with run-length matching and the Sub filter), ``IMWRITE_PNG_STRATEGY``,
        ``IMWRITE_PNG_FILTER``, ``IMWRITE_JPEG_QUALITY`` (0..100, default 95),
        ``IMWRITE_JPEG_PROGRESSIVE``, ``IMWRITE_JPEG_OPTIMIZE``, ``IMWRITE_JPEG_SAMPLING_FACTOR`` (4:4:4,
        4:2:2 or 4:2:0), ``IMWRITE_WEBP_QUALITY`` (1..100 lossy, above 100 lossless; default lossless),
        ``IMWRITE_TIFF_COMPRESSION`` (1 none, 5 LZW (default), 8 Deflate), ``IMWRITE_TIFF_PREDICTOR``,
        ``IMWRITE_TIFF_ROWSPERSTRIP``, ``IMWRITE_TIFF_XDPI``/``YDPI``/``RESUNIT``. Keys of other formats
        are ignored, as cv2 ignores them; keys of this format that purecv does not implement raise.

    Returns
    -------
    bool
        ``True``; every failure raises.

    Raises
    ------
    ValueError
        Unknown extension, bad image shape, bad or unsupported parameter.
    FileNotFoundError, PermissionError, IsADirectoryError
        The directory is missing or not writable, or the target is a directory; nothing is left behind.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> import purecv
    >>> target = os.path.join(tempfile.mkdtemp(), "gray.png")
    >>> purecv.imwrite(target, np.full((2, 2), 7, np.uint8))
    True
    >>> purecv.imread(target, purecv.IMREAD_GRAYSCALE)
    array([[7, 7],
           [7, 7]], dtype=uint8)
    """
    path = _check_path("imwrite", filename)
    ext = os.path.splitext(path)[1]
    data = encode_image("imwrite", ext, img, params, path=path)
    _write_atomically(path, data)
    return True


def _write_atomically(path: str, data: bytes) -> None:
    """Write ``data`` to a new file beside ``path``, then rename it over ``path``; clean up on any failure.

    As a plain overwrite (cv2's ``fopen``) would: a symbolic link is written through, and an existing
    file keeps its permission bits.
    """
    if os.path.isdir(path):
        raise IsADirectoryError(errno.EISDIR, f"imwrite: cannot write '{path}': it is a directory", path)
    target = os.path.realpath(path)
    folder = os.path.dirname(target)
    tmp = os.path.join(folder, f".{os.path.basename(target)}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies, as for open()
    except OSError as exc:
        err = _os_error("imwrite", exc, path, "write")
        raise err from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if os.path.exists(target):
            os.chmod(tmp, stat.S_IMODE(os.stat(target).st_mode))
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            err = _os_error("imwrite", exc, path, "write")
            raise err from None
        raise


def haveImageReader(filename: str | os.PathLike) -> bool:  # noqa: N802 (cv2's name)
    """Whether :func:`imread` recognises the file's format (from its first bytes), as cv2's function.

    Examples
    --------
    >>> import importlib.resources
    >>> import purecv
    >>> purecv.haveImageReader(importlib.resources.files("purecv") / "data" / "fire.png")
    True
    """
    path = _check_path("haveImageReader", filename)
    try:
        with open(path, "rb") as f:
            return sniff(f.read(12)) is not None
    except OSError:
        return False


def haveImageWriter(filename: str | os.PathLike) -> bool:  # noqa: N802 (cv2's name)
    """Whether :func:`imwrite` can write a file of this name (from its extension), as cv2's function.

    Examples
    --------
    >>> import purecv
    >>> purecv.haveImageWriter("out.TIFF"), purecv.haveImageWriter("out.gif")
    (True, False)
    """
    from ._params import format_of

    path = _check_path("haveImageWriter", filename)
    return format_of(os.path.splitext(path)[1]) is not None
