"""The slow references of purecv.reference, checked against cv2 and against direct loops."""

import numpy as np
import pytest

from purecv import reference
from purecv.constants import (
    BORDER_CONSTANT,
    BORDER_REFLECT,
    BORDER_REFLECT_101,
    BORDER_REPLICATE,
    BORDER_TRANSPARENT,
    BORDER_WRAP,
    CV_16U,
    CV_32F,
    CV_32S,
)

cv2 = pytest.importorskip("cv2")

CV2_BORDERS = [BORDER_CONSTANT, BORDER_REPLICATE, BORDER_REFLECT, BORDER_REFLECT_101, BORDER_WRAP]
FILTER_BORDERS = [BORDER_CONSTANT, BORDER_REPLICATE, BORDER_REFLECT, BORDER_REFLECT_101]


def _random(shape, dtype, seed):
    rng = np.random.default_rng(seed)
    if np.dtype(dtype).kind == "f":
        return rng.uniform(-10, 300, shape).astype(dtype)
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max, shape, endpoint=True, dtype=dtype)


# --- pad ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("border", CV2_BORDERS)
@pytest.mark.parametrize("shape", [(1, 1), (2, 3), (5, 4, 3), (3, 2, 4), (1, 6)])
@pytest.mark.parametrize("pads", [(0, 0, 0, 0), (1, 2, 3, 0), (7, 5, 9, 11)])
def test_pad_matches_copy_make_border(border, shape, pads):
    img = _random(shape, np.uint8, seed=sum(shape) + border)
    value = (11, 22, 33, 44)
    got = reference.pad(img, *pads, border, value=value[: img.shape[2]] if img.ndim == 3 else value[0])
    want = cv2.copyMakeBorder(img, *pads, border, value=value)
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("border", CV2_BORDERS)
def test_pad_float_and_larger_than_image(border):
    img = _random((3, 4, 2), np.float32, seed=border)
    got = reference.pad(img, 10, 9, 13, 8, border, value=(-1.5, 2.5))
    want = cv2.copyMakeBorder(img, 10, 9, 13, 8, border, value=(-1.5, 2.5, 0, 0))
    np.testing.assert_array_equal(got, want)


def test_pad_scalar_value_fills_every_channel():
    img = np.zeros((1, 1, 3), np.uint8)
    got = reference.pad(img, 1, 0, 0, 0, BORDER_CONSTANT, value=7)
    np.testing.assert_array_equal(got[0, 0], [7, 7, 7])


def test_pad_rejects_transparent():
    with pytest.raises(ValueError, match="pad: 'borderType' must be a BORDER_\\* constant"):
        reference.pad(np.zeros((2, 2), np.uint8), 1, 1, 1, 1, BORDER_TRANSPARENT)


def test_border_source_matches_cv2_border_interpolate():
    for border in (BORDER_REPLICATE, BORDER_REFLECT, BORDER_REFLECT_101, BORDER_WRAP):
        for n in (1, 2, 5):
            got = [reference.border_source(p, n, border) for p in range(-13, n + 13)]
            want = [cv2.borderInterpolate(p, n, border) for p in range(-13, n + 13)]
            assert got == want, (border, n)


# --- naive_box_blur --------------------------------------------------------------------------------


def _direct_naive(img, diameter):
    """The article's blur as explicit integer loops: clamped (2r+1)^2 window, floor of the mean."""
    h, w = img.shape[:2]
    r = diameter // 2
    out = np.empty_like(img)
    for x in range(h):
        for y in range(w):
            total, count = np.zeros(img.shape[2:], np.int64), 0
            for i in range(x - r, x + r + 1):
                for j in range(y - r, y + r + 1):
                    if 0 <= i < h and 0 <= j < w:
                        total += img[i, j]
                        count += 1
            out[x, y] = total // count
    return out


@pytest.mark.parametrize("diameter", [1, 2, 3, 8])
@pytest.mark.parametrize("shape", [(1, 1, 4), (5, 6, 4), (4, 7), (9, 3, 3)])
def test_naive_box_blur_matches_direct_loop(shape, diameter):
    img = _random(shape, np.uint8, seed=diameter)
    np.testing.assert_array_equal(reference.naive_box_blur(img, diameter), _direct_naive(img, diameter))


def test_naive_box_blur_reports_progress_and_leaves_input():
    img = _random((6, 5, 4), np.uint8, seed=3)
    before = img.copy()
    calls = []
    out = reference.naive_box_blur(img, 8, progress=calls.append)
    assert calls == [1] * 6
    np.testing.assert_array_equal(img, before)
    assert out.shape == img.shape
    assert out.dtype == img.dtype

    class Bar:
        n = 0

        def update(self, k):
            self.n += k

    bar = Bar()
    reference.naive_box_blur(img, 3, progress=bar)
    assert bar.n == 6


def test_naive_box_blur_differs_from_cv2_blur():
    """The article's window is 9x9 and clamped for diameter 8: a different blur than cv2.blur 8x8."""
    img = _random((16, 16, 4), np.uint8, seed=8)
    assert np.any(reference.naive_box_blur(img, 8) != cv2.blur(img, (8, 8)))


# --- box_filter_ref ---------------------------------------------------------------------------------


@pytest.mark.parametrize("border", FILTER_BORDERS)
@pytest.mark.parametrize(
    "ksize", [(1, 1), (2, 2), (3, 3), (4, 4), (8, 8), (4, 2), (2, 3), (3, 5), (16, 16), (17, 15), (31, 31)]
)
def test_box_filter_ref_matches_cv2_blur_u8(ksize, border):
    img = _random((23, 29, 3), np.uint8, seed=ksize[0] * 100 + ksize[1])
    got = reference.box_filter_ref(img, ksize, borderType=border)
    np.testing.assert_array_equal(got, cv2.blur(img, ksize, borderType=border))


@pytest.mark.parametrize("anchor", [(0, 0), (4, 1), (-1, 2)])
def test_box_filter_ref_anchor(anchor):
    img = _random((12, 10, 4), np.uint8, seed=5)
    got = reference.box_filter_ref(img, (5, 3), anchor=anchor, borderType=BORDER_REFLECT)
    np.testing.assert_array_equal(got, cv2.blur(img, (5, 3), anchor=anchor, borderType=BORDER_REFLECT))


@pytest.mark.parametrize("border", FILTER_BORDERS)
def test_box_filter_ref_unnormalized_sums(border):
    img = _random((9, 11, 2), np.uint8, seed=border)
    got = reference.box_filter_ref(img, (6, 4), normalize=False, borderType=border, ddepth=CV_32S)
    want = cv2.boxFilter(img, CV_32S, (6, 4), normalize=False, borderType=border)
    np.testing.assert_array_equal(got, want)
    got16 = reference.box_filter_ref(img, (3, 3), normalize=False, borderType=border, ddepth=CV_16U)
    want16 = cv2.boxFilter(img, CV_16U, (3, 3), normalize=False, borderType=border)
    np.testing.assert_array_equal(got16, want16)


@pytest.mark.parametrize("border", FILTER_BORDERS)
def test_box_filter_ref_float(border):
    img = _random((10, 13, 3), np.float32, seed=border)
    got = reference.box_filter_ref(img, (5, 7), borderType=border)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, cv2.blur(img, (5, 7), borderType=border), rtol=1e-6, atol=1e-4)
    got32 = reference.box_filter_ref(img.astype(np.uint8), (5, 7), borderType=border, ddepth=CV_32F)
    want32 = cv2.boxFilter(img.astype(np.uint8), CV_32F, (5, 7), borderType=border)
    np.testing.assert_allclose(got32, want32, rtol=1e-6)


@pytest.mark.parametrize("ksize", [(3, 3), (4, 2), (7, 5)])
def test_box_filter_ref_wrap_is_periodic(ksize):
    """BORDER_WRAP (refused by cv2's filters) equals a sum of np.roll shifts of the image."""
    img = _random((6, 9, 2), np.uint8, seed=ksize[0])
    kw, kh = ksize
    ax, ay = kw // 2, kh // 2
    sums = np.zeros(img.shape, np.int64)
    for dy in range(kh):
        for dx in range(kw):
            sums += np.roll(img.astype(np.int64), (ay - dy, ax - dx), axis=(0, 1))
    got = reference.box_filter_ref(img, ksize, normalize=False, borderType=BORDER_WRAP, ddepth=CV_32S)
    np.testing.assert_array_equal(got, sums)
    mean = reference.box_filter_ref(img, ksize, borderType=BORDER_WRAP)
    # an odd area has no ties, so OpenCV's recipe is plain rounding there
    if (kw * kh) % 2:
        np.testing.assert_array_equal(mean, np.floor(sums / (kw * kh) + 0.5).astype(np.uint8))
