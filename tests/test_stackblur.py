"""purecv.stackBlur against cv2.stackBlur (REPLICATE) and a slow NumPy tent reference (other borders)."""

import numba
import numpy as np
import pytest

import purecv
from purecv._kernels.stackblur import stackblur_mul_shr
from purecv.constants import (
    BORDER_CONSTANT,
    BORDER_ISOLATED,
    BORDER_REFLECT,
    BORDER_REFLECT_101,
    BORDER_REPLICATE,
    BORDER_WRAP,
)

cv2 = pytest.importorskip("cv2")

KSIZES = [(1, 1), (3, 3), (5, 5), (7, 7), (9, 9), (11, 11), (15, 15), (21, 21), (51, 51)]
KSIZES += [(3, 9), (9, 3), (1, 7), (13, 1)]  # anisotropic, one pass only
SIZES = [(1, 1), (2, 3), (3, 2), (5, 4), (7, 13), (12, 37), (33, 70)]
CHANNELS = [1, 3, 4, 5]


def _random(shape, dtype, seed, bright=False):
    """Seeded test image; ``bright`` puts integers in the top 1/16 of their range (saturation, overflow)."""
    rng = np.random.default_rng(seed)
    if np.dtype(dtype).kind == "f":
        return rng.uniform(-100, 300, shape).astype(dtype)
    info = np.iinfo(dtype)
    low = info.max - info.max // 16 if bright else info.min
    return rng.integers(low, info.max, shape, endpoint=True, dtype=dtype)


def _image(height, width, cn, dtype, seed, bright=False):
    shape = (height, width) if cn == 1 else (height, width, cn)
    return _random(shape, dtype, seed, bright)


@pytest.fixture(autouse=True)
def _cv2_threads_like_purecv():
    """cv2's rounding depends on its thread count: every comparison runs both with the same one."""
    before = cv2.getNumThreads()
    cv2.setNumThreads(purecv.getNumThreads())
    yield
    cv2.setNumThreads(before)


@pytest.fixture(params=[1, 2], ids=["1thread", "2threads"])
def threads(request):
    """The same thread count for purecv and cv2: cv2's column pass rounds by thread stripe."""
    n = min(request.param, numba.config.NUMBA_NUM_THREADS)
    before = cv2.getNumThreads()
    purecv.setNumThreads(n)
    cv2.setNumThreads(n)
    yield n
    purecv.setNumThreads(-1)
    cv2.setNumThreads(before)


def _assert_matches_cv2(img, ksize):
    got = purecv.stackBlur(img, ksize)
    want = cv2.stackBlur(img, ksize)
    assert got.dtype == want.dtype
    if img.dtype == np.float32:
        scale = float(np.abs(img).max())
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5 * scale)
    else:
        np.testing.assert_array_equal(got, want)


# --- cv2 parity ----------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES, ids=str)
@pytest.mark.parametrize("cn", CHANNELS)
def test_uint8_matches_cv2(size, cn, threads):
    for i, ksize in enumerate(KSIZES):
        for bright in (False, True):
            _assert_matches_cv2(_image(*size, cn, np.uint8, seed=i, bright=bright), ksize)


@pytest.mark.parametrize("dtype", [np.uint16, np.int16, np.float32])
@pytest.mark.parametrize("size", [(1, 1), (2, 3), (5, 4), (12, 37), (33, 70)], ids=str)
def test_other_depths_match_cv2(dtype, size, threads):
    for cn in CHANNELS:
        for i, ksize in enumerate(KSIZES):
            for bright in (False, True):  # bright 16-bit pairs saturate in cv2's SIMD adds
                _assert_matches_cv2(_image(*size, cn, dtype, seed=cn + i, bright=bright), ksize)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.int16, np.float32])
@pytest.mark.parametrize("ksize", [(9, 9), (51, 51), (5, 21)], ids=str)
def test_parallel_sizes_match_cv2(dtype, ksize, threads):
    """Images large enough for purecv's thread pool and for several cv2 stripes per row."""
    for cn in (1, 3, 4):
        _assert_matches_cv2(_image(150, 517, cn, dtype, seed=cn, bright=cn == 3), ksize)


@pytest.mark.parametrize(
    ("dtype", "shape", "ksize"),
    [
        (np.uint8, (520, 7, 4), (1, 509)),  # cv2's int32 product of the column pass wraps (r > ~128)
        (np.uint8, (9, 600, 3), (401, 3)),
        (np.uint16, (400, 6, 2), (1, 391)),  # r > 180: 16-bit sums wrap in int32 in cv2
        (np.uint16, (5, 800, 3), (511, 3)),
        (np.int16, (300, 30), (1, 255)),  # r > 254: no SIMD tables, float rounding
        (np.float32, (300, 200, 2), (101, 301)),
    ],
    ids=str,
)
def test_large_kernels_match_cv2(dtype, shape, ksize, threads):
    _assert_matches_cv2(_random(shape, dtype, seed=3, bright=True), ksize)


@pytest.mark.parametrize("cn", [2, 7, 8, 16, 33])
def test_many_channels_match_cv2(cn, threads):
    for i, ksize in enumerate([(3, 3), (9, 5), (11, 11), (31, 3)]):
        _assert_matches_cv2(_image(23, 41, cn, np.uint8, seed=i), ksize)
        _assert_matches_cv2(_image(23, 41, cn, np.float32, seed=i), ksize)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.int16])
def test_every_radius_on_extreme_values(dtype, threads):
    """Each radius 1..40 on images at the type's limits: the edge of every rounding path's range."""
    info = np.iinfo(dtype)
    rng = np.random.default_rng(12)
    img = rng.choice(np.array([info.min, info.max, info.max - 1], dtype), size=(83, 90, 2))
    for k in range(3, 83, 2):
        _assert_matches_cv2(img, (k, k))
        _assert_matches_cv2(np.full((40, 50), info.max, dtype), (k, k))


def test_kernel_larger_than_image_is_reduced():
    img = _image(4, 6, 3, np.uint8, seed=1)
    for ksize in [(7, 5), (51, 51), (5, 101)]:
        _assert_matches_cv2(img, ksize)
    np.testing.assert_array_equal(purecv.stackBlur(img, (7, 5)), purecv.stackBlur(img, (5, 3)))


def test_single_channel_3d_gives_2d_like_cv2():
    img = _random((9, 11, 1), np.uint8, seed=2)
    got = purecv.stackBlur(img, (5, 5))
    assert got.shape == (9, 11)
    np.testing.assert_array_equal(got, cv2.stackBlur(img, (5, 5)))


def test_single_channel_dst_may_be_3d_like_cv2():
    img = _random((9, 11), np.uint8, seed=3)
    for dst in (np.zeros((9, 11, 1), np.uint8), np.zeros((9, 11), np.uint8)):
        want = cv2.stackBlur(img, (5, 3), dst.copy())
        got = purecv.stackBlur(img, (5, 3), dst)
        assert got is dst
        np.testing.assert_array_equal(got, want)
    flat = _random((9, 11, 1), np.uint8, seed=4)
    want = cv2.stackBlur(flat.copy(), (5, 3))
    assert purecv.stackBlur(flat, (5, 3), flat) is flat  # in place, (H, W, 1)
    np.testing.assert_array_equal(flat[:, :, 0], want)


def test_ksize_one_copies():
    img = _image(6, 7, 3, np.int16, seed=4)
    got = purecv.stackBlur(img, (1, 1))
    assert got is not img
    np.testing.assert_array_equal(got, img)


# --- layouts, dst, in place ----------------------------------------------------------------------


def test_non_contiguous_input():
    base = _image(40, 90, 4, np.uint8, seed=5)
    for view in (base[::2, ::3], base[:, :, 1:], base[5:30, 10:80, ::-1], base[:, :, 2]):
        for ksize in [(5, 5), (11, 7)]:
            _assert_matches_cv2(view, ksize)
            np.testing.assert_array_equal(
                purecv.stackBlur(view, ksize), purecv.stackBlur(np.ascontiguousarray(view), ksize)
            )


@pytest.mark.parametrize("ksize", [(5, 5), (1, 9), (9, 1), (21, 21), (1, 1)], ids=str)
@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_in_place(ksize, dtype):
    img = _image(30, 45, 3, dtype, seed=6)
    want = cv2.stackBlur(img.copy(), ksize)
    work = img.copy()
    got = purecv.stackBlur(work, ksize, dst=work)
    assert got is work
    np.testing.assert_array_equal(work, want)


def test_dst_is_filled_and_returned():
    img = _image(20, 25, 4, np.uint16, seed=7)
    dst = np.zeros_like(img)
    assert purecv.stackBlur(img, (7, 3), dst) is dst
    np.testing.assert_array_equal(dst, cv2.stackBlur(img, (7, 3)))
    holder = np.zeros((20, 25, 8), np.uint16)
    view = holder[:, :, ::2]  # a non-contiguous dst is written through
    assert purecv.stackBlur(img, (7, 3), dst=view) is view
    np.testing.assert_array_equal(holder[:, :, ::2], cv2.stackBlur(img, (7, 3)))


# --- purecv's other borders against a slow NumPy reference ----------------------------------------

_NP_MODES = {
    BORDER_REPLICATE: "edge",
    BORDER_WRAP: "wrap",
    BORDER_REFLECT: "symmetric",
    BORDER_REFLECT_101: "reflect",
}


def _tent_pass(img, r, axis, border):
    """Exact tent sums of radius ``r`` along ``axis``: the plain formula, over border-mapped indices."""
    n = img.shape[axis]
    pad = [(0, 0)] * img.ndim
    pad[axis] = (r, r)
    wide = img.astype(np.float64 if img.dtype.kind == "f" else np.int64)
    padded = np.pad(wide, pad, mode=_NP_MODES[border])
    total = 0
    for j in range(-r, r + 1):
        total = total + (r + 1 - abs(j)) * np.take(padded, np.arange(n) + r + j, axis=axis)
    return total


def _reference(img, ksize, border):
    """stackBlur with one rounding rule per pass, the rule cv2 applies inside the image."""
    kw, kh = ksize
    height, width = img.shape[:2]
    kw = kw if kw <= width else (width if width % 2 else max(1, width - 1))
    kh = kh if kh <= height else (height if height % 2 else max(1, height - 1))
    out = img
    for axis, k, n in ((1, kw, width), (0, kh, height)):
        if k == 1:
            continue
        r = k // 2
        s = _tent_pass(out, r, axis, border)
        if img.dtype.kind == "f":
            out = (s / (r + 1) ** 2).astype(np.float32)
            continue
        info = np.iinfo(img.dtype)
        mul, shr = stackblur_mul_shr(min(r, 254))
        m = np.float32(1) / np.float32((r + 1) ** 2)
        if axis == 1 and not (k <= 9 and n > k):  # rows, running sums: float, half to even
            q = np.rint(s.astype(np.float32) * m)
        elif axis == 0 and r > 254:  # columns without tables: float, toward zero
            q = np.trunc(s.astype(np.float32) * m)
        else:  # cv2's SIMD rule, (S * mul) >> shr
            q = (s * mul) >> shr
        out = np.clip(q, info.min, info.max).astype(img.dtype)
    return out


@pytest.mark.parametrize("border", [BORDER_WRAP, BORDER_REFLECT, BORDER_REFLECT_101])
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.int16, np.float32])
def test_other_borders_match_reference(border, dtype, threads):
    for i, (size, cn, ksize) in enumerate(
        [
            ((1, 1), 1, (3, 3)),
            ((2, 3), 3, (3, 3)),
            ((7, 13), 4, (5, 9)),
            ((12, 37), 1, (9, 9)),
            ((12, 37), 5, (11, 3)),
            ((33, 70), 3, (21, 15)),
            ((16, 10), 2, (51, 51)),
            ((150, 517), 4, (9, 31)),
        ]
    ):
        img = _image(*size, cn, dtype, seed=i, bright=i % 2 == 1)
        got = purecv.stackBlur(img, ksize, borderType=border)
        want = _reference(img, ksize, border)
        if dtype == np.float32:
            scale = float(np.abs(img).max())
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5 * scale)
        else:
            np.testing.assert_array_equal(got, want)


def test_wrap_large_kernel_uses_exact_sums():
    """Where cv2's 32-bit products and sums would wrap, purecv's own borders stay exact."""
    img = _random((600, 5, 2), np.uint16, seed=8, bright=True)
    for ksize in [(1, 401), (3, 599)]:
        np.testing.assert_array_equal(
            purecv.stackBlur(img, ksize, borderType=BORDER_WRAP), _reference(img, ksize, BORDER_WRAP)
        )


def test_wrap_does_not_depend_on_threads():
    img = _image(200, 400, 3, np.uint8, seed=9)
    results = []
    for n in (1, 2):
        purecv.setNumThreads(n)
        results.append(purecv.stackBlur(img, (7, 15), borderType=BORDER_WRAP))
    purecv.setNumThreads(-1)
    np.testing.assert_array_equal(results[0], results[1])


def test_replicate_reference_agrees_inside_the_image():
    """The reference's rule is cv2's rule away from the left and right edges and stripe tails."""
    img = _image(40, 64, 4, np.uint8, seed=10)
    want = _reference(img, (5, 5), BORDER_REPLICATE)
    np.testing.assert_array_equal(purecv.stackBlur(img, (5, 5))[:, 2:48], want[:, 2:48])


def test_isolated_flag_is_accepted():
    img = _image(10, 12, 3, np.uint8, seed=11)
    np.testing.assert_array_equal(
        purecv.stackBlur(img, (5, 5), borderType=BORDER_WRAP | BORDER_ISOLATED),
        purecv.stackBlur(img, (5, 5), borderType=BORDER_WRAP),
    )


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ksize", "error", "match"),
    [
        ((2, 3), ValueError, r"stackBlur: 'ksize' must be a pair of positive odd ints .*got \(2, 3\)"),
        ((3, 4), ValueError, r"positive odd ints .*got \(3, 4\)"),
        ((0, 3), ValueError, r"'ksize' must be a pair of positive ints .*got \(0, 3\)"),
        ((-3, 3), ValueError, r"positive ints .*got \(-3, 3\)"),
        ((3.0, 3), TypeError, r"'ksize' must be a pair of ints"),
        ((3,), TypeError, r"'ksize' must be a pair of ints"),
        (3, TypeError, r"'ksize' must be a pair of ints"),
        ("33", TypeError, r"'ksize' must be a pair of ints"),
    ],
)
def test_bad_ksize(ksize, error, match):
    with pytest.raises(error, match=match):
        purecv.stackBlur(np.zeros((5, 5), np.uint8), ksize)


@pytest.mark.parametrize("dtype", [np.float64, np.int8, np.int32, np.bool_, np.float16])
def test_unsupported_dtype(dtype):
    # cv2: "Unsupported input format in StackBlur, the supported formats are: CV_8U, CV_16U, CV_16S and
    # CV_32F" (StsNotImplemented)
    expected = r"stackBlur: 'src' has dtype .*; expected one of uint8, uint16, int16, float32"
    with pytest.raises(TypeError, match=expected):
        purecv.stackBlur(np.zeros((5, 5), dtype), (3, 3))


def test_bad_arrays():
    with pytest.raises(ValueError, match=r"stackBlur: 'src' is empty"):
        purecv.stackBlur(np.zeros((0, 3), np.uint8), (3, 3))
    with pytest.raises(ValueError, match=r"stackBlur: 'src' must have 2 dimensions"):
        purecv.stackBlur(np.zeros((2, 3, 4, 5), np.uint8), (3, 3))
    with pytest.raises(ValueError, match=r"must have 2 dimensions"):
        purecv.stackBlur(np.zeros(5, np.uint8), (3, 3))
    with pytest.raises(TypeError, match=r"stackBlur: 'src' must be a numpy.ndarray; got list"):
        purecv.stackBlur([[1, 2], [3, 4]], (3, 3))


def test_bad_border_and_dst():
    img = np.zeros((5, 5), np.uint8)
    with pytest.raises(ValueError, match=r"stackBlur: 'borderType' must be one of BORDER_REPLICATE.*got 0"):
        purecv.stackBlur(img, (3, 3), borderType=BORDER_CONSTANT)
    with pytest.raises(TypeError, match=r"'borderType' must be an int"):
        purecv.stackBlur(img, (3, 3), borderType="wrap")
    with pytest.raises(TypeError, match=r"stackBlur: 'dst' has dtype uint16; expected uint8"):
        purecv.stackBlur(img, (3, 3), np.zeros((5, 5), np.uint16))
    with pytest.raises(ValueError, match=r"stackBlur: 'dst' has shape \(5, 4\); expected \(5, 5\)"):
        purecv.stackBlur(img, (3, 3), np.zeros((5, 4), np.uint8))
    with pytest.raises(TypeError, match=r"positional"):
        purecv.stackBlur(img, (3, 3), None, BORDER_WRAP)  # extras are keyword-only
