"""getGaussianKernel and GaussianBlur against cv2 5.0.0, and against a slow NumPy reference beyond cv2.

uint8 and uint16 results must be bit-identical (OpenCV's fixed-point recipe); int16 results at least
99.9% identical and never more than 1 apart; float32 within 1e-5 and float64 within 1e-10 of
``max(|cv2|, max|src|)``.
"""

import numpy as np
import pytest

import purecv
import sep_reference as ref
from purecv._kernels.gauss_taps import fixed_point_taps, gaussian_taps
from purecv.constants import (
    ALGO_HINT_APPROX,
    BORDER_CONSTANT,
    BORDER_ISOLATED,
    BORDER_REFLECT,
    BORDER_REFLECT_101,
    BORDER_REPLICATE,
    BORDER_WRAP,
    CV_32F,
    CV_64F,
)
from sep_reference import image

cv2 = pytest.importorskip("cv2")

CV2_BORDERS = [
    BORDER_CONSTANT,
    BORDER_REPLICATE,
    BORDER_REFLECT,
    BORDER_REFLECT_101,
    BORDER_REFLECT | BORDER_ISOLATED,
]
SIZES = [  # (ksize, sigmaX, sigmaY)
    ((3, 3), 0, 0), ((5, 5), 0, 0), ((7, 7), 0, 0), ((9, 9), 0, 0), ((31, 31), 0, 0), ((1, 5), 0, 0),
    ((3, 7), 1.2, 0), ((0, 0), 1.3, 0), ((0, 0), 0.6, 2.2), ((5, 0), 0, 1.7), ((11, 11), 2.5, 0.8),
    ((3, 3), 0.1, 0), ((15, 15), 12.0, 0), ((41, 41), 0, 0),
]  # fmt: skip


def assert_like_cv2(got, want, src):
    assert got.shape == want.shape
    assert got.dtype == want.dtype
    if got.dtype in (np.uint8, np.uint16):
        np.testing.assert_array_equal(got, want)
    elif got.dtype == np.int16:
        diff = np.abs(got.astype(np.int64) - want)
        assert diff.max(initial=0) <= 1
        assert np.count_nonzero(diff) <= 0.001 * diff.size
    else:
        rtol = 1e-5 if got.dtype == np.float32 else 1e-10
        scale = max(np.abs(src.astype(np.float64)).max(), 1.0)
        bound = rtol * np.maximum(np.abs(want.astype(np.float64)), scale)
        assert (np.abs(got.astype(np.float64) - want) <= bound).all()


def test_get_gaussian_kernel_identical():
    rng = np.random.default_rng(1)
    sigmas = [0, -1, 0.3, 0.8, 1, 1.5, 2.5, 12, 100, *rng.uniform(0.05, 40, 60)]
    for sigma in sigmas:
        for n in (1, 2, 3, 4, 5, 7, 8, 9, 11, 21, 31, 51):
            for ktype in (CV_32F, CV_64F):
                want = cv2.getGaussianKernel(n, sigma, ktype)
                got = purecv.getGaussianKernel(n, sigma, ktype)
                assert got.dtype == want.dtype
                assert got.shape == want.shape == (n, 1)
                np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(purecv.getGaussianKernel(5, 1.0), cv2.getGaussianKernel(5, 1.0))


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.int16, np.float32, np.float64])
@pytest.mark.parametrize("cn", [1, 3, 4, 5])
def test_matches_cv2(dtype, cn):
    rng = np.random.default_rng(10 * cn + np.dtype(dtype).num)
    for hw in [(1, 1), (2, 3), (1, 8), (9, 1), (13, 17), (40, 29)]:
        src = image((*hw, cn), dtype, rng)
        for i, (ksize, sx, sy) in enumerate(SIZES):
            border = CV2_BORDERS[(i + hw[0]) % len(CV2_BORDERS)]
            want = cv2.GaussianBlur(src, ksize, sx, sigmaY=sy, borderType=border)
            got = purecv.GaussianBlur(src, ksize, sx, sigmaY=sy, borderType=border)
            assert_like_cv2(got, want, src)


@pytest.mark.parametrize("border", CV2_BORDERS)
def test_fixed_point_every_border_and_size(border):
    """u8 and u16 on wide images (SIMD-sized rows), kernel sizes 1..51 and larger than the image."""
    rng = np.random.default_rng(2)
    for dtype in (np.uint8, np.uint16):
        for shape in [(37, 70, 3), (5, 300), (3, 4, 4)]:
            src = image(shape, dtype, rng)
            for ksize in [(3, 3), (5, 5), (7, 3), (9, 9), (13, 13), (31, 31), (51, 9)]:
                for sigma in (0, 1.1, 4.0):
                    want = cv2.GaussianBlur(src, ksize, sigma, borderType=border)
                    np.testing.assert_array_equal(
                        purecv.GaussianBlur(src, ksize, sigma, borderType=border), want
                    )


def test_views_in_place_dst_hint():
    rng = np.random.default_rng(3)
    big = image((50, 60, 3), np.uint8, rng)
    view = big[5:45:3, 2:58:2]
    want = cv2.GaussianBlur(view, (5, 5), 1.5)
    np.testing.assert_array_equal(purecv.GaussianBlur(view, (5, 5), 1.5), want)
    np.testing.assert_array_equal(purecv.GaussianBlur(view, (5, 5), 1.5, hint=ALGO_HINT_APPROX), want)
    copy = view.copy()
    assert purecv.GaussianBlur(copy, (5, 5), 1.5, dst=copy) is copy
    np.testing.assert_array_equal(copy, want)
    out = np.zeros_like(view)
    assert purecv.GaussianBlur(view, [5, 5], 1.5, out) is out  # cv2's positional order, ksize as a list
    np.testing.assert_array_equal(out, want)
    one = image((6, 7, 1), np.uint16, rng)
    np.testing.assert_array_equal(purecv.GaussianBlur(one, (3, 3), 0), cv2.GaussianBlur(one, (3, 3), 0))
    # 1x1 kernels (and collapsed axes) copy
    np.testing.assert_array_equal(purecv.GaussianBlur(view, (1, 1), 0), view)
    row = image((1, 20), np.uint8, rng)
    np.testing.assert_array_equal(purecv.GaussianBlur(row, (1, 9), 0), row)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_wrap_and_border_value_fixed_point(dtype):
    """Beyond cv2: WRAP and a constant border value, against the exact fixed-point model."""
    rng = np.random.default_rng(4)
    bits = 8 if dtype == np.uint8 else 16
    for shape in [(12, 15, 3), (3, 5, 6), (20, 9, 1)]:
        src = image(shape, dtype, rng)
        cn = shape[2]
        for (kw, kh), sigma in [((3, 3), 0), ((5, 9), 1.4), ((9, 9), 0), ((31, 7), 0)]:
            kx = fixed_point_taps(gaussian_taps(kw, sigma), bits)
            ky = fixed_point_taps(gaussian_taps(kh, sigma), bits)
            for border, value in [
                (BORDER_WRAP, 0),
                (BORDER_CONSTANT, 200),
                (BORDER_CONSTANT, list(range(7, 7 + cn))),
            ]:
                got = purecv.GaussianBlur(src, (kw, kh), sigma, borderType=border, borderValue=value)
                want = ref.fixed_point(src, kx, ky, bits, border, value).reshape(got.shape)
                np.testing.assert_array_equal(got, want)


def test_wrap_float():
    rng = np.random.default_rng(5)
    src = image((16, 21, 3), np.float64, rng)
    taps = np.array(gaussian_taps(7, 1.5))
    got = purecv.GaussianBlur(src, (7, 7), 1.5, borderType=BORDER_WRAP)
    np.testing.assert_allclose(
        got, ref.correlate(src, taps, taps, (3, 3), BORDER_WRAP), rtol=1e-12, atol=1e-10
    )
    got = purecv.GaussianBlur(src.astype(np.float32), (7, 7), 1.5, borderType=BORDER_WRAP | BORDER_ISOLATED)
    np.testing.assert_allclose(got, ref.correlate(src, taps, taps, (3, 3), BORDER_WRAP), rtol=1e-5, atol=1e-3)


def test_bad_input_raises():
    img = np.zeros((5, 6), np.uint8)
    for bad in [(4, 3), (3, -1), (-3, -3), (2, 2)]:
        with pytest.raises(ValueError, match="GaussianBlur: 'ksize' must be positive odd ints, or 0"):
            purecv.GaussianBlur(img, bad, 1.0)
    with pytest.raises(TypeError, match="GaussianBlur: 'ksize' must be a pair of ints"):
        purecv.GaussianBlur(img, 3, 1.0)
    with pytest.raises(ValueError, match="GaussianBlur: 'sigmaX' must be finite; got nan"):
        purecv.GaussianBlur(img, (3, 3), float("nan"))
    with pytest.raises(ValueError, match="GaussianBlur: 'sigmaY' must be finite; got inf"):
        purecv.GaussianBlur(img, (3, 3), 1, sigmaY=float("inf"))
    with pytest.raises(TypeError, match="GaussianBlur: 'sigmaX' must be a real number"):
        purecv.GaussianBlur(img, (3, 3), "1")
    with pytest.raises(ValueError, match=r"GaussianBlur: 'ksize' is \(0, 0\) where the sigma is <= 0"):
        purecv.GaussianBlur(img, (0, 0), 0)
    with pytest.raises(ValueError, match="GaussianBlur: 'hint' must be"):
        purecv.GaussianBlur(img, (3, 3), 0, hint=7)
    with pytest.raises(ValueError, match="GaussianBlur: 'borderType' must be one of"):
        purecv.GaussianBlur(img, (3, 3), 0, borderType=9)
    with pytest.raises(TypeError, match="GaussianBlur: 'src' has dtype int8"):
        purecv.GaussianBlur(img.astype(np.int8), (3, 3), 0)
    with pytest.raises(ValueError, match="getGaussianKernel: 'ksize' must be >= 1; got 0"):
        purecv.getGaussianKernel(0, 1.0)
    with pytest.raises(ValueError, match="getGaussianKernel: 'sigma' must be finite"):
        purecv.getGaussianKernel(3, float("nan"))
    with pytest.raises(ValueError, match="getGaussianKernel: 'ktype' must be CV_32F"):
        purecv.getGaussianKernel(3, 1.0, 0)
