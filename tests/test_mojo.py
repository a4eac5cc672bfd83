"""The optional Mojo peer (purecv.bench.mojo_peer): the article's kernels vs their NumPy model.

Tests that need Mojo skip when ``mojo.importer`` cannot be imported (install ``purecv[mojo]``); once Mojo
is importable, a kernel that fails to compile is a failure, not a skip. The NumPy model's own tests run
everywhere.
"""

import ctypes
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from purecv.bench import mojo_peer
from purecv.bench.mojo_peer import MOJO_ENV_KEYS, article_blur_model, clean_env, load_mojo, mojo_box_blur

FIRE = Path(mojo_peer.__file__).parents[1] / "data" / "fire.png"


@pytest.fixture(scope="module")
def mojo_module():
    pytest.importorskip("mojo.importer", reason="Mojo is not installed: pip install 'purecv[mojo]'")
    module, seconds, reason = load_mojo()
    assert module is not None, reason
    assert seconds >= 0.0
    return module


def naive_model(img, diameter):
    """The article's loop, written out per pixel (slow; tiny images only)."""
    h, w = img.shape[:2]
    r = diameter // 2
    out = np.empty_like(img)
    for y in range(h):
        for x in range(w):
            total = [0, 0, 0]
            for ky in range(-r, r):
                for kx in range(-r, r):
                    iy, ix = min(max(y + ky, 0), h - 1), min(max(x + kx, 0), w - 1)
                    for c in range(3):
                        total[c] += int(img[iy, ix, c])
            out[y, x] = [t // (diameter * diameter) for t in total] + [255]
    return out


def fire_rgba():
    cv2 = pytest.importorskip("cv2")
    bgr = cv2.imread(str(FIRE), cv2.IMREAD_COLOR)
    return np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_RGB2RGBA))  # the article: appends alpha 255


def random_rgba(shape, seed):
    return np.random.default_rng(seed).integers(0, 256, (*shape, 4), dtype=np.uint8)


# ---- the NumPy model (no Mojo needed) ----


@pytest.mark.parametrize("diameter", [2, 4, 8])
@pytest.mark.parametrize("shape", [(1, 1), (2, 3), (5, 7), (9, 4)])
def test_model_matches_the_per_pixel_loop(shape, diameter):
    img = random_rgba(shape, seed=diameter * 100 + shape[1])
    np.testing.assert_array_equal(article_blur_model(img, diameter), naive_model(img, diameter))


def test_model_fixed_width_keeps_the_tail():
    img = random_rgba((3, 21), seed=7)
    out = article_blur_model(img, simd_width=16)
    np.testing.assert_array_equal(out[:, 16:], img[:, 16:])
    np.testing.assert_array_equal(out[:, :16], article_blur_model(img)[:, :16])


def test_model_leaves_its_input_alone():
    img = random_rgba((6, 6), seed=3)
    before = img.copy()
    article_blur_model(img)
    np.testing.assert_array_equal(img, before)


def test_model_differs_from_cv2_blur_only_by_rounding_with_replicated_borders():
    cv2 = pytest.importorskip("cv2")
    img = random_rgba((12, 17), seed=11)
    img[..., 3] = 255
    ours = article_blur_model(img).astype(np.int16)
    theirs = cv2.blur(img, (8, 8), borderType=cv2.BORDER_REPLICATE).astype(np.int16)
    diff = theirs - ours  # cv2 rounds to nearest, the article truncates: 0 or +1
    assert set(np.unique(diff)) <= {0, 1}
    assert diff.any()


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"diameter": 7}, ValueError, "'diameter' must be an even int >= 2"),
        ({"diameter": 0}, ValueError, "'diameter' must be an even int >= 2"),
    ],
)
def test_model_rejects_bad_diameter(kwargs, error, match):
    with pytest.raises(error, match=match):
        article_blur_model(random_rgba((2, 2), seed=0), **kwargs)


@pytest.mark.parametrize(
    ("img", "error", "match"),
    [
        ([[1, 2]], TypeError, "'img' must be a numpy.ndarray; got list"),
        (np.zeros((2, 2, 4), np.float32), TypeError, "'img' must be uint8"),
        (np.zeros((2, 2, 3), np.uint8), ValueError, r"shape \(height, width, 4\).*got \(2, 2, 3\)"),
        (np.zeros((0, 2, 4), np.uint8), ValueError, "height, width > 0"),
    ],
)
def test_bad_images_are_rejected(img, error, match):
    with pytest.raises(error, match=match):
        article_blur_model(img)
    with pytest.raises(error, match=match):
        mojo_box_blur(img)


def test_views_are_rejected_before_mojo_is_touched():
    img = random_rgba((4, 8), seed=1)[:, ::2]
    with pytest.raises(ValueError, match="C-contiguous and writable"):
        mojo_box_blur(img)
    frozen = random_rgba((4, 8), seed=1)
    frozen.flags.writeable = False
    with pytest.raises(ValueError, match="C-contiguous and writable"):
        mojo_box_blur(frozen)


def test_unaligned_data_is_rejected():
    raw = np.zeros(4 * 4 * 4 + 1, np.uint8)
    img = raw[1:].reshape(4, 4, 4)  # C-contiguous, one byte off a 4-byte boundary
    with pytest.raises(ValueError, match="4-byte aligned"):
        mojo_box_blur(img)


def test_missing_mojo_gives_a_reason(monkeypatch):
    monkeypatch.setitem(sys.modules, "mojo.importer", None)  # makes `import mojo.importer` fail
    module, seconds, reason = mojo_peer._load_uncached()
    assert module is None
    assert seconds == 0.0
    assert "Mojo is not importable" in reason
    assert "purecv[mojo]" in reason


def test_cache_dir_follows_the_override(monkeypatch, tmp_path):
    monkeypatch.setenv("PURECV_MOJO_CACHE", str(tmp_path))
    assert mojo_peer.mojo_cache_dir() == tmp_path
    monkeypatch.delenv("PURECV_MOJO_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert mojo_peer.mojo_cache_dir().parent == tmp_path / "purecv"


# ---- the Mojo kernels ----


@pytest.mark.mojo
def test_module_reports_its_shape(mojo_module):
    assert mojo_module.diameter() == 8
    assert mojo_module.simd_width() in (4, 8, 16)  # uint32 lanes: SSE/NEON, AVX2, AVX-512
    assert "purecv.bench.mojo_blur" in sys.modules


def test_load_is_done_once():
    first = load_mojo()
    assert load_mojo() is first
    if first.module is not None:
        assert "Mojo 1.2.0" in first.reason


@pytest.mark.mojo
@pytest.mark.parametrize("vectorized", [True, False])
def test_fire_image_bit_exact(mojo_module, vectorized):
    img = fire_rgba()
    assert img.shape == (256, 256, 4)
    expected = article_blur_model(img, simd_width=None if vectorized else mojo_module.simd_width())
    mojo_box_blur(img, vectorized=vectorized)
    np.testing.assert_array_equal(img, expected)


@pytest.mark.mojo
@pytest.mark.parametrize("shape", [(1, 1), (1, 17), (2, 3), (3, 15), (7, 16), (5, 33), (9, 37), (16, 101)])
def test_random_images_bit_exact(mojo_module, shape):
    lanes = mojo_module.simd_width()
    original = random_rgba(shape, seed=shape[0] * 1000 + shape[1])
    vec = original.copy()
    mojo_box_blur(vec)
    np.testing.assert_array_equal(vec, article_blur_model(original))
    fixed = original.copy()
    mojo_box_blur(fixed, vectorized=False)
    np.testing.assert_array_equal(fixed, article_blur_model(original, simd_width=lanes))
    tail = shape[1] // lanes * lanes
    np.testing.assert_array_equal(fixed[:, tail:], original[:, tail:])  # the unblurred tail


@pytest.mark.mojo
def test_blur_is_in_place_and_zero_copy(mojo_module):
    img = random_rgba((20, 45), seed=5)
    expected = article_blur_model(img)
    address = img.__array_interface__["data"][0]
    out = mojo_box_blur(img)
    assert out is img
    assert img.__array_interface__["data"][0] == address
    np.testing.assert_array_equal(img, expected)


@pytest.mark.mojo
def test_kernel_takes_the_raw_address(mojo_module):
    img = random_rgba((6, 19), seed=9)
    expected = article_blur_model(img)
    mojo_module.box_blur_vectorized(img.__array_interface__["data"][0], 6, 19)
    np.testing.assert_array_equal(img, expected)
    with pytest.raises(Exception, match="non-null address"):
        mojo_module.box_blur_simd(0, 6, 19)


def _c_getenv(key):
    libc = ctypes.CDLL(None)
    libc.getenv.restype = ctypes.c_char_p
    value = libc.getenv(key.encode())
    return None if value is None else value.decode()


@pytest.mark.mojo
def test_subprocess_with_clean_env_works(mojo_module):
    before = mojo_peer._env_before
    assert before is not None
    env = clean_env()
    for key in MOJO_ENV_KEYS:
        assert env.get(key) == before[key]
    code = f"import json, os, purecv; print(json.dumps({{k: os.environ.get(k) for k in {MOJO_ENV_KEYS!r}}}))"
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == before  # the child's view of the three variables
    # The import did set them at the C level (what a child started without env= would inherit);
    # MOJO_PYTHON_LIBRARY is the one Mojo 1.2 always sets.
    assert _c_getenv("MOJO_PYTHON_LIBRARY") is not None


GUARDED_RUN = """
import ctypes, mmap, sys
import numpy as np
from purecv.bench.mojo_peer import article_blur_model, load_mojo, mojo_box_blur

assert load_mojo().module is not None, load_mojo().reason
page = mmap.PAGESIZE
libc = ctypes.CDLL(None, use_errno=True)
libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
for height, width in [(5, 37), (3, 16), (2, 3), (1, 1)]:
    nbytes = height * width * 4
    buf = mmap.mmap(-1, 3 * page)
    base = ctypes.addressof(ctypes.c_char.from_buffer(buf))
    # Pages 0 and 2 become unreadable: the image ends exactly where page 2 starts.
    for guard in (base, base + 2 * page):
        assert libc.mprotect(guard, page, 0) == 0, ctypes.get_errno()
    img = np.frombuffer(buf, np.uint8, nbytes, 2 * page - nbytes).reshape(height, width, 4)
    img[...] = np.random.default_rng(width).integers(0, 256, img.shape, dtype=np.uint8)
    for vectorized in (True, False):
        original = img.copy()
        mojo_box_blur(img, vectorized=vectorized)
        lanes = None if vectorized else load_mojo().module.simd_width()
        assert np.array_equal(img, article_blur_model(original, simd_width=lanes))
        img[...] = original
    print("ok", height, width, flush=True)
"""


@pytest.mark.mojo
def test_no_read_outside_the_image(mojo_module):
    # The article's kernel reads past the buffer's end in the last rows; the port must not. An image
    # placed right before an unreadable page would crash the child process if it did.
    done = subprocess.run(
        [sys.executable, "-c", GUARDED_RUN],
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, (done.returncode, done.stdout, done.stderr)
    assert done.stdout.count("ok") == 4
