"""getDerivKernels, Sobel, Scharr and Laplacian against cv2 5.0.0, and a NumPy reference beyond cv2.

8U -> 16S results must be bit-identical (integer taps, exact integer sums); other integer outputs at least
99.9% identical and never more than 1 apart; float32 within 1e-5 and float64 within 1e-10 of
``max(|cv2|, sum|kx| * sum|ky| * max|src| + |delta|)`` (times ``|scale|``).
"""

import numpy as np
import pytest

import purecv
import sep_reference as ref
from purecv.constants import (
    BORDER_CONSTANT,
    BORDER_ISOLATED,
    BORDER_REFLECT,
    BORDER_REFLECT_101,
    BORDER_REPLICATE,
    BORDER_WRAP,
    CV_8S,
    CV_8U,
    CV_16S,
    CV_16U,
    CV_32F,
    CV_32S,
    CV_64F,
    FILTER_SCHARR,
)
from sep_reference import Tally, image

cv2 = pytest.importorskip("cv2")

CV2_BORDERS = [BORDER_CONSTANT, BORDER_REPLICATE, BORDER_REFLECT, BORDER_REFLECT_101 | BORDER_ISOLATED]
DTYPE = {CV_8U: np.uint8, CV_16U: np.uint16, CV_16S: np.int16, CV_32F: np.float32, CV_64F: np.float64}
PAIRS = [  # (source depth, ddepth)
    (CV_8U, CV_16S), (CV_8U, -1), (CV_8U, CV_32F), (CV_8U, CV_16U), (CV_8U, CV_64F),
    (CV_16U, -1), (CV_16U, CV_32F), (CV_16S, -1), (CV_16S, CV_64F),
    (CV_32F, -1), (CV_32F, CV_16S), (CV_64F, -1), (CV_64F, CV_8U),
]  # fmt: skip
SOBEL = [  # (dx, dy, ksize, scale, delta)
    (1, 0, 3, 1, 0), (0, 1, 3, 1, 0), (1, 1, 3, 1, 0), (2, 0, 5, 1, 0), (0, 2, 1, 1, 0), (1, 0, 1, 1, 0),
    (1, 2, 7, 2, 3), (3, 0, 5, 0.5, 1.5), (1, 0, FILTER_SCHARR, 1, 0), (0, 1, -1, 3, 0.5), (2, 1, 31, 1, 0),
    (1, 0, 3, 1, 0.5), (0, 1, 5, -1, 2.5),
]  # fmt: skip
SHAPES = [(1, 1), (2, 3), (9, 1, 3), (16, 23, 4), (11, 30, 5), (24, 40)]


def test_get_deriv_kernels_outputs():
    """cv2's positional order: (dx, dy, ksize, kx, ky, normalize, ktype); kx, ky are filled when given."""
    kx, ky = np.zeros((5, 1), np.float64), np.zeros((5, 1), np.float64)
    got = purecv.getDerivKernels(1, 1, 5, kx, ky, True, CV_64F)
    assert got[0] is kx
    assert got[1] is ky
    want = cv2.getDerivKernels(1, 1, 5, None, None, True, CV_64F)
    np.testing.assert_array_equal(kx, want[0])
    np.testing.assert_array_equal(ky, want[1])
    with pytest.raises(ValueError, match=r"getDerivKernels: 'kx' must be a writeable float64 array of shape"):
        purecv.getDerivKernels(1, 1, 5, np.zeros((3, 1)), None, True, CV_64F)


def test_get_deriv_kernels_identical():
    for dx, dy, ksize in [(1, 0, 3), (0, 1, 3), (2, 0, 5), (1, 1, 7), (0, 2, 1), (1, 0, 1), (3, 0, 7),
                          (1, 0, -1), (0, 1, -1), (0, 1, 0), (2, 1, 31), (5, 0, 31), (2, 2, 5)]:  # fmt: skip
        for normalize in (False, True):
            for ktype in (CV_32F, CV_64F):
                want = cv2.getDerivKernels(dx, dy, ksize, normalize=normalize, ktype=ktype)
                got = purecv.getDerivKernels(dx, dy, ksize, normalize=normalize, ktype=ktype)
                for g, w in zip(got, want, strict=True):
                    assert g.dtype == w.dtype
                    assert g.shape == w.shape
                    np.testing.assert_array_equal(g, w)


@pytest.mark.parametrize(("sdepth", "ddepth"), PAIRS)
def test_sobel_scharr_match_cv2(sdepth, ddepth):
    rng = np.random.default_rng(20 + 10 * sdepth + ddepth)
    exact = sdepth == CV_8U and ddepth == CV_16S
    tally = Tally()
    for shape in SHAPES:
        src = image(shape, DTYPE[sdepth], rng)
        peak = max(np.abs(src.astype(np.float64)).max(), 1.0)
        for i, (dx, dy, ksize, scale, delta) in enumerate(SOBEL):
            border = CV2_BORDERS[(i + shape[0]) % len(CV2_BORDERS)]
            what = f"Sobel {shape} {dx} {dy} {ksize} {scale} {delta} {border}"
            want = cv2.Sobel(src, ddepth, dx, dy, ksize=ksize, scale=scale, delta=delta, borderType=border)
            got = purecv.Sobel(src, ddepth, dx, dy, ksize=ksize, scale=scale, delta=delta, borderType=border)
            kx, ky = purecv.getDerivKernels(dx, dy, ksize, ktype=CV_64F)
            # cv2 rounds delta to an integer on the exact path, so a fractional delta is exact as well
            size = abs(scale) * np.abs(kx).sum() * np.abs(ky).sum() * peak + abs(delta)
            tally.check(got, want, size, what, exact and float(scale).is_integer())
        for dx, dy, scale, delta in [(1, 0, 1, 0), (0, 1, 2, 0.5), (1, 0, 0.25, 1)]:
            want = cv2.Scharr(src, ddepth, dx, dy, scale=scale, delta=delta)
            got = purecv.Scharr(src, ddepth, dx, dy, scale=scale, delta=delta)
            size = 16 * 2 * abs(scale) * peak + abs(delta)
            tally.check(got, want, size, f"Scharr {shape} {dx} {dy}", exact and float(scale).is_integer())
    tally.assert_mostly_identical()


@pytest.mark.parametrize("sdepth", [CV_8U, CV_16U, CV_16S, CV_32F, CV_64F])
def test_laplacian_matches_cv2(sdepth):
    rng = np.random.default_rng(30 + sdepth)
    tally = Tally()
    for shape in SHAPES:
        src = image(shape, DTYPE[sdepth], rng)
        peak = max(np.abs(src.astype(np.float64)).max(), 1.0)
        for ddepth in (-1, CV_8U, CV_8S, CV_16U, CV_16S, CV_32S, CV_32F, CV_64F):
            for ksize, scale, delta in [(1, 1, 0), (3, 1, 0), (5, 1, 0), (7, 2, 1), (1, 0.5, 0.25),
                                        (5, 0.3, 2.5), (31, 1, 0)]:  # fmt: skip
                border = CV2_BORDERS[(ksize + shape[0] + ddepth) % len(CV2_BORDERS)]
                try:
                    want = cv2.Laplacian(
                        src, ddepth, ksize=ksize, scale=scale, delta=delta, borderType=border
                    )
                except cv2.error:
                    with pytest.raises(ValueError, match="Laplacian: 'ddepth' for a"):
                        purecv.Laplacian(
                            src, ddepth, ksize=ksize, scale=scale, delta=delta, borderType=border
                        )
                    continue
                got = purecv.Laplacian(src, ddepth, ksize=ksize, scale=scale, delta=delta, borderType=border)
                exact = (
                    sdepth == CV_8U
                    and ddepth == CV_16S
                    and float(scale).is_integer()
                    and float(delta).is_integer()
                )
                size = abs(scale) * (16 if ksize < 5 else 4 ** (ksize - 1)) * peak + abs(delta)
                tally.check(got, want, size, f"Laplacian {shape} {ddepth} {ksize} {scale} {delta}", exact)
    tally.assert_mostly_identical()


def test_views_and_in_place():
    rng = np.random.default_rng(5)
    big = image((40, 50, 3), np.int16, rng)
    view = big[2:38:2, 1:49:3]
    np.testing.assert_array_equal(purecv.Sobel(view, -1, 1, 0), cv2.Sobel(view, -1, 1, 0))
    np.testing.assert_array_equal(purecv.Laplacian(view, -1, ksize=5), cv2.Laplacian(view, -1, ksize=5))
    copy = view.copy()
    want = cv2.Scharr(copy, -1, 0, 1)
    assert purecv.Scharr(copy, -1, 0, 1, dst=copy) is copy
    np.testing.assert_array_equal(copy, want)
    copy = view.copy()
    want = cv2.Laplacian(copy, -1, ksize=3)
    assert purecv.Laplacian(copy, -1, copy, 3) is copy
    np.testing.assert_array_equal(copy, want)


@pytest.mark.parametrize("border", [BORDER_WRAP, BORDER_CONSTANT])
def test_wrap_and_border_value_against_reference(border):
    """Beyond cv2: WRAP and a constant border value, exact for 8U -> 16S, 6 channels too."""
    rng = np.random.default_rng(6)
    for shape in [(10, 13, 3), (5, 4, 6), (12, 7)]:
        src = image(shape, np.uint8, rng)
        cn = 1 if len(shape) == 2 else shape[2]
        value = 0 if border == BORDER_WRAP else list(range(40, 40 + cn))
        for dx, dy, ksize in [(1, 0, 3), (0, 2, 5), (1, 1, 7), (1, 0, FILTER_SCHARR)]:
            kx, ky = (k.ravel().astype(np.int64) for k in purecv.getDerivKernels(dx, dy, ksize, ktype=CV_64F))
            want = ref.correlate(
                src.astype(np.int64), kx, ky, (len(kx) // 2, len(ky) // 2), border, value, acc=np.int64
            )
            got = purecv.Sobel(src, CV_16S, dx, dy, ksize=ksize, borderType=border, borderValue=value)
            np.testing.assert_array_equal(got, np.clip(want, -32768, 32767))
            got = purecv.Sobel(
                src.astype(np.float64), -1, dx, dy, ksize=ksize, borderType=border, borderValue=value
            )
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-9)
        lap = np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]])
        want = sum(
            lap[i, j]
            * ref.pad(src.reshape(*shape[:2], -1).astype(np.int64), 1, 1, 1, 1, border, value)[
                i : i + shape[0], j : j + shape[1]
            ]
            for i in range(3)
            for j in range(3)
        ).reshape(src.shape)
        got = purecv.Laplacian(src, CV_16S, borderType=border, borderValue=value)
        np.testing.assert_array_equal(got, want)
        for ksize in (5, 7):  # the sum of the two separable second derivatives
            kd, ks = (k.ravel().astype(np.int64) for k in purecv.getDerivKernels(2, 0, ksize, ktype=CV_64F))
            c = (ksize // 2, ksize // 2)
            want = ref.correlate(
                src.astype(np.int64), kd, ks, c, border, value, acc=np.int64
            ) + ref.correlate(src.astype(np.int64), ks, kd, c, border, value, acc=np.int64)
            got = purecv.Laplacian(src, CV_32F, ksize=ksize, borderType=border, borderValue=value)
            np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-3)


def test_bad_input_raises():
    img = np.zeros((5, 6), np.uint8)
    with pytest.raises(ValueError, match="Sobel: dx and dy must be >= 0 with dx \\+ dy > 0; got dx=0, dy=0"):
        purecv.Sobel(img, -1, 0, 0)
    with pytest.raises(ValueError, match="Sobel: dx and dy must be >= 0"):
        purecv.Sobel(img, -1, -1, 1)
    with pytest.raises(
        ValueError, match="Sobel: dx and dy must be below their kernel sizes; got dx=3, dy=0, ksize=3"
    ):
        purecv.Sobel(img, -1, 3, 0, ksize=3)
    for ksize in (2, 4, 33):
        with pytest.raises(ValueError, match="Sobel: 'ksize' must be odd and at most 31"):
            purecv.Sobel(img, -1, 1, 0, ksize=ksize)
    with pytest.raises(
        ValueError, match="Sobel: Scharr needs dx, dy >= 0 with dx \\+ dy == 1; got dx=1, dy=1"
    ):
        purecv.Sobel(img, -1, 1, 1, ksize=FILTER_SCHARR)
    with pytest.raises(
        ValueError, match="Scharr: Scharr needs dx, dy >= 0 with dx \\+ dy == 1; got dx=2, dy=0"
    ):
        purecv.Scharr(img, -1, 2, 0)
    with pytest.raises(TypeError, match="unexpected keyword argument 'ksize'"):
        purecv.Scharr(img, -1, 1, 0, ksize=5)
    with pytest.raises(TypeError, match="Sobel: 'dx' must be an int"):
        purecv.Sobel(img, -1, 1.0, 0)
    with pytest.raises(ValueError, match="Sobel: 'ddepth' for a CV_8U source must be -1 or one of"):
        purecv.Sobel(img, CV_32S, 1, 0)
    with pytest.raises(ValueError, match="Scharr: 'ddepth' for a CV_64F source"):
        purecv.Scharr(img.astype(np.float64), CV_32F, 1, 0)
    with pytest.raises(ValueError, match="Sobel: 'scale' and 'delta' must be finite"):
        purecv.Sobel(img, -1, 1, 0, scale=np.nan)
    for ksize in (0, 2, -1, 33):
        with pytest.raises(ValueError, match="Laplacian: 'ksize' must be odd, from 1 to 31"):
            purecv.Laplacian(img, -1, ksize=ksize)
    with pytest.raises(
        ValueError, match="Laplacian: 'ddepth' for a CV_16U source must be -1 or one of CV_16U"
    ):
        purecv.Laplacian(img.astype(np.uint16), CV_8U)
    with pytest.raises(ValueError, match="getDerivKernels: 'ktype' must be CV_32F"):
        purecv.getDerivKernels(1, 0, 3, ktype=CV_16U)
    with pytest.raises(TypeError, match="getDerivKernels: 'normalize' must be a bool"):
        purecv.getDerivKernels(1, 0, 3, normalize="yes")
