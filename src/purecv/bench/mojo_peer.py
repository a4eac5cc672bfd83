"""The optional Mojo peer: the article's SIMD box blurs, compiled from ``mojo_blur.mojo``.

The article ("Rust or Mojo for the future of AI?") rewrote a box blur as a Mojo SIMD kernel that reads
a NumPy RGBA image in place. This module loads that kernel, ported to Mojo 1.2 (``pip install
'purecv[mojo]'``, i.e. ``mojo==1.2.0``), and models in NumPy exactly what it computes:

- :func:`load_mojo` imports the kernel once per process and says how long the first import took (Mojo
  compiles the ``.mojo`` file on a cache miss, about 5 s) or why Mojo is unavailable.
- :func:`mojo_box_blur` runs either kernel on a ``(height, width, 4)`` uint8 array, in place, without a
  copy: Mojo gets the array's data address, height and width.
- :func:`article_blur_model` is the NumPy model of the kernels (not OpenCV's blur: see its Notes), and
  :func:`blur_difference` sums up how two blurred images differ.
- :func:`clean_env` gives subprocesses an environment without what the Mojo import injects.

The compiled extension lives in a per-user cache directory (:func:`mojo_cache_dir`), never next to the
installed package, which may be read-only. Nothing here imports Mojo until :func:`load_mojo` is called.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import NamedTuple

import numpy as np

__all__ = [
    "MOJO_ENV_KEYS",
    "MojoLoad",
    "article_blur_model",
    "blur_difference",
    "clean_env",
    "load_mojo",
    "mojo_box_blur",
    "mojo_cache_dir",
]

MOJO_ENV_KEYS = ("PYTHONPATH", "PYTHONEXECUTABLE", "MOJO_PYTHON_LIBRARY")
"""Variables that loading a Mojo extension sets with C ``setenv`` (so ``os.environ`` does not show them,
but every child process started without ``env=`` inherits them; Mojo 1.2 sets ``PYTHONPATH=':'``)."""

_SOURCE = Path(__file__).with_name("mojo_blur.mojo")
_MODULE = "mojo_blur"  # the .mojo file's stem; it exports PyInit_mojo_blur
_QUALNAME = f"{__package__}.{_MODULE}"  # the name the loaded extension gets in sys.modules


class MojoLoad(NamedTuple):
    """What :func:`load_mojo` returns (a tuple: ``module, compile_seconds, reason = load_mojo()``)."""

    module: ModuleType | None
    """The extension (functions ``box_blur_simd``, ``box_blur_vectorized``, ``simd_width``,
    ``diameter``), or None when Mojo is unavailable."""
    compile_seconds: float
    """Wall time of the first import: the compile on a cache miss, a library load (milliseconds) on a
    hit, 0.0 when Mojo could not be imported at all."""
    reason: str
    """Why the module is None, or how it was obtained (compiled or loaded from the cache, and where)."""


_loaded: MojoLoad | None = None
_env_before: dict[str, str | None] | None = None


def _mojo_version() -> str:
    try:
        return metadata.version("mojo")
    except metadata.PackageNotFoundError:
        return "unknown"


def mojo_cache_dir() -> Path:
    """Directory that receives the copied ``.mojo`` source and the compiled extension.

    ``$PURECV_MOJO_CACHE`` if set, else ``$XDG_CACHE_HOME/purecv/mojo-<version>`` (``~/.cache`` when
    ``XDG_CACHE_HOME`` is unset). The Mojo version is part of the name because Mojo's import cache is
    keyed on the source text only, not on the compiler that built it.
    """
    override = os.environ.get("PURECV_MOJO_CACHE")
    if override:
        return Path(override)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "purecv" / f"mojo-{_mojo_version()}"


def _stage_source() -> Path:
    """Copy ``mojo_blur.mojo`` into a writable cache directory (only when its text changed)."""
    text = _SOURCE.read_bytes()
    fallback = Path(tempfile.gettempdir()) / f"purecv-{os.getuid()}" / f"mojo-{_mojo_version()}"
    errors = []
    for folder in (mojo_cache_dir(), fallback):
        target = folder / _SOURCE.name
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if not target.is_file() or target.read_bytes() != text:
                partial = folder / f".{_SOURCE.name}.{os.getpid()}"
                partial.write_bytes(text)
                os.replace(partial, target)  # atomic: another process never sees half a file
            if os.access(folder, os.W_OK):
                return folder
            errors.append(f"{folder} is not writable")
        except OSError as exc:
            errors.append(f"{folder}: {exc}")
    msg = "; ".join(errors)
    raise OSError(msg)


def _load_uncached() -> MojoLoad:
    """Import Mojo and the kernel, timing the import; never raises."""
    global _env_before
    try:
        import mojo.importer  # registers the import hook that compiles .mojo files
    except Exception as exc:  # ImportError, or OSError from the wheel's native libraries
        reason = (
            f"Mojo is not importable ({type(exc).__name__}: {exc}); "
            "install it with: pip install 'purecv[mojo]' (mojo==1.2.0, Linux or macOS arm64)"
        )
        return MojoLoad(None, 0.0, reason)
    version = _mojo_version()
    try:
        folder = _stage_source()
    except OSError as exc:
        reason = f"no writable cache directory for the Mojo build ({exc}); set PURECV_MOJO_CACHE"
        return MojoLoad(None, 0.0, reason)
    built_before = set((folder / "__mojocache__").glob(f"{_MODULE}.*.so"))
    if _env_before is None:
        _env_before = {key: os.environ.get(key) for key in MOJO_ENV_KEYS}
    saved_path = sys.path[:]
    start = time.perf_counter()
    try:
        sys.path.insert(0, str(folder))  # the importer searches sys.path: ours comes first
        found = mojo.importer.MojoImporter().find_spec(_MODULE, None)  # compiles on a cache miss
        if found is None or not found.origin:
            return MojoLoad(None, time.perf_counter() - start, f"Mojo found no {_MODULE}.mojo in {folder}")
        spec = importlib.util.spec_from_file_location(_QUALNAME, found.origin)
        module = importlib.util.module_from_spec(spec)  # runs PyInit_mojo_blur
        spec.loader.exec_module(module)
    except Exception as exc:  # the importer raises ImportError with the compiler's message as cause
        seconds = time.perf_counter() - start
        detail = f"{exc} {exc.__cause__}" if exc.__cause__ else str(exc)
        return MojoLoad(None, seconds, f"Mojo {version} could not build or load {_SOURCE.name}: {detail}")
    finally:
        sys.path[:] = saved_path
    seconds = time.perf_counter() - start
    sys.modules[_QUALNAME] = module
    so_file = Path(found.origin)
    if so_file in built_before:
        how = f"loaded the cached build {so_file} (Mojo {version})"
    else:
        how = f"compiled {_SOURCE.name} with Mojo {version} in {seconds:.2f} s into {so_file}"
    return MojoLoad(module, seconds, how)


def load_mojo() -> MojoLoad:
    """Import the Mojo kernel once per process: ``(module | None, compile_seconds, reason)``.

    The first call copies ``mojo_blur.mojo`` into :func:`mojo_cache_dir`, imports it through
    ``mojo.importer`` (compiling it when the cache has no build of this source) and times that import;
    later calls return the same result. It never raises: when Mojo is missing or the build fails, the
    module is None and ``reason`` says why (with the compiler's message).

    Loading the extension sets the :data:`MOJO_ENV_KEYS` variables at the C level; start subprocesses
    with ``env=clean_env()`` afterwards.
    """
    global _loaded
    if _loaded is None:
        _loaded = _load_uncached()
    return _loaded


def clean_env() -> dict[str, str]:
    """``os.environ`` as a dict, with :data:`MOJO_ENV_KEYS` as they were before the Mojo import.

    Pass it as ``env=`` to every subprocess started after :func:`load_mojo`, e.g.
    ``subprocess.run([sys.executable, "-c", "import purecv"], env=clean_env())``; without ``env=`` the
    child inherits the variables Mojo set (``PYTHONPATH=':'`` puts the working directory on its path).
    """
    env = dict(os.environ)
    before = _env_before if _env_before is not None else {key: os.environ.get(key) for key in MOJO_ENV_KEYS}
    for key, value in before.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def _check_rgba(func: str, img: object) -> np.ndarray:
    if not isinstance(img, np.ndarray):
        msg = f"{func}: 'img' must be a numpy.ndarray; got {type(img).__name__}"
        raise TypeError(msg)
    if img.dtype != np.uint8:
        msg = f"{func}: 'img' must be uint8 (one uint32 per RGBA pixel); got {img.dtype}"
        raise TypeError(msg)
    if img.ndim != 3 or img.shape[2] != 4 or img.shape[0] == 0 or img.shape[1] == 0:
        msg = f"{func}: 'img' must have shape (height, width, 4) with height, width > 0; got {img.shape}"
        raise ValueError(msg)
    return img


def mojo_box_blur(img: np.ndarray, *, vectorized: bool = True) -> np.ndarray:
    """Run the article's Mojo box blur on ``img`` in place and return ``img``.

    Parameters
    ----------
    img : ndarray
        C-contiguous, writable ``(height, width, 4)`` uint8 array (RGBA, one uint32 per pixel), its data
        4-byte aligned. Mojo reads and writes this memory directly: no copy is made.
    vectorized : bool, optional
        True (default): the kernel built on ``vectorize``, which blurs every pixel. False: the fixed-width
        kernel, which leaves the last ``width % simd_width`` pixels of each row unchanged.

    Returns
    -------
    ndarray
        ``img`` itself, now equal to ``article_blur_model(original)`` (with ``simd_width`` for the
        fixed-width kernel).

    Raises
    ------
    RuntimeError
        Mojo is unavailable (the message gives :func:`load_mojo`'s reason).
    TypeError, ValueError
        ``img`` is not an array of that kind.
    """
    _check_rgba("mojo_box_blur", img)
    if not img.flags.c_contiguous or not img.flags.writeable:
        msg = "mojo_box_blur: 'img' must be C-contiguous and writable (it is blurred in place); got a view"
        raise ValueError(msg)
    address = img.__array_interface__["data"][0]
    if address % 4:
        msg = f"mojo_box_blur: 'img' data must be 4-byte aligned (uint32 pixels); got address {address:#x}"
        raise ValueError(msg)
    module, _, reason = load_mojo()
    if module is None:
        msg = f"mojo_box_blur: the Mojo peer is unavailable: {reason}"
        raise RuntimeError(msg)
    kernel = module.box_blur_vectorized if vectorized else module.box_blur_simd
    kernel(address, img.shape[0], img.shape[1])
    return img


def article_blur_model(img: np.ndarray, diameter: int = 8, *, simd_width: int | None = None) -> np.ndarray:
    """NumPy model of the article's Mojo box blur: the exact uint8 result, as a new array.

    For channels 0..2 of every pixel: the sum over the ``diameter x diameter`` window
    ``ky, kx in range(-r, r)`` (``r = diameter // 2``) of the pixels at the clamped coordinates
    ``(clip(y + ky, 0, h - 1), clip(x + kx, 0, w - 1))``, divided by ``diameter ** 2`` with truncation
    (unsigned integer division, as Mojo does it). Channel 3 (alpha) is 255; the input alpha is ignored.

    Parameters
    ----------
    img : ndarray
        ``(height, width, 4)`` uint8 array; it is not modified.
    diameter : int, optional
        Even window side (default 8, the article's and the Mojo kernel's).
    simd_width : int, optional
        Model the fixed-width kernel: pixels from column ``width // simd_width * simd_width`` on keep
        their input values (all four channels). None (default) models the ``vectorize`` kernel.

    Returns
    -------
    ndarray
        The blurred ``(height, width, 4)`` uint8 image.

    Notes
    -----
    This is the article's blur, not OpenCV's. ``cv2.blur(img, (8, 8))`` averages the same window
    (``x-4 .. x+3``), but reads outside the image by reflection (``BORDER_REFLECT_101``) instead of
    clamping, rounds to nearest instead of truncating, and blurs alpha like any channel. The article's
    naive Python blur is a third definition (a clamped ``(2r+1) x (2r+1)`` window, averaged over the
    pixels inside the image).

    Examples
    --------
    >>> img = np.zeros((1, 4, 4), np.uint8)
    >>> img[0, :, 0] = [0, 4, 8, 12]
    >>> article_blur_model(img, 2)[0]
    array([[  0,   0,   0, 255],
           [  2,   0,   0, 255],
           [  6,   0,   0, 255],
           [ 10,   0,   0, 255]], dtype=uint8)
    >>> article_blur_model(img, 2, simd_width=3)[0, 3]  # the tail pixel keeps its values
    array([12,  0,  0,  0], dtype=uint8)
    """
    _check_rgba("article_blur_model", img)
    if not isinstance(diameter, int | np.integer) or diameter < 2 or diameter % 2:
        msg = f"article_blur_model: 'diameter' must be an even int >= 2 (a 2r x 2r window); got {diameter!r}"
        raise ValueError(msg)
    height, width = img.shape[:2]
    r = diameter // 2
    offsets = np.arange(-r, r)
    rows = np.clip(np.arange(height)[:, None] + offsets, 0, height - 1)  # (height, 2r) clamped rows
    cols = np.clip(np.arange(width)[:, None] + offsets, 0, width - 1)  # (width, 2r) clamped columns
    src = img[..., :3].astype(np.uint32)
    # The window sum split in two passes (integers: same result as the kernel's 2r x 2r loop).
    across = sum(src[:, cols[:, k]] for k in range(diameter))  # (height, width, 3): sum over kx
    window = sum(across[rows[:, k]] for k in range(diameter))  # sum over ky
    out = np.empty_like(img)
    out[..., :3] = window // np.uint32(diameter * diameter)
    out[..., 3] = 255
    if simd_width is not None:
        done = width // simd_width * simd_width
        out[:, done:] = img[:, done:]
    return out


def blur_difference(a: np.ndarray, b: np.ndarray, *, margin: int = 4) -> dict[str, float]:
    """How two blurred uint8 images of one shape differ, overall and away from the border.

    Returns ``max_abs`` and ``mean_abs`` (over all values), ``share_differing`` (fraction of values
    that differ), and ``interior_max_abs`` (largest difference more than ``margin`` pixels from every
    edge, 0.0 when there is no interior).

    Examples
    --------
    >>> a = np.zeros((10, 10, 1), np.uint8)
    >>> b = a.copy(); b[0, 0] = 3; b[5, 5] = 1
    >>> blur_difference(a, b)
    {'max_abs': 3.0, 'mean_abs': 0.04, 'share_differing': 0.02, 'interior_max_abs': 1.0}
    """
    if a.shape != b.shape:
        msg = f"blur_difference: 'a' and 'b' must have one shape; got {a.shape} and {b.shape}"
        raise ValueError(msg)
    diff = np.abs(a.astype(np.int16) - b.astype(np.int16))
    inner = diff[margin:-margin, margin:-margin] if margin > 0 else diff
    return {
        "max_abs": float(diff.max(initial=0)),
        "mean_abs": float(diff.mean()) if diff.size else 0.0,
        "share_differing": float(np.count_nonzero(diff) / diff.size) if diff.size else 0.0,
        "interior_max_abs": float(inner.max(initial=0)),
    }
