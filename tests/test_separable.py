"""sepFilter2D against cv2 5.0.0, and against a slow NumPy reference for what cv2 cannot do.

Exactness rules (also in ``purecv.sepFilter2D``'s docstring):

- 8U -> 8U with smooth symmetric kernels in 1/256 steps, and 8U -> 16S with integer kernels: identical;
- other integer outputs: over each grid at least 99.9% of the values identical to cv2, none off by more
  than 1 (cv2 sums in float32 with fused multiply-adds);
- float outputs: ``|ours - cv2| <= rtol * max(|cv2|, sum|kx| * sum|ky| * max|src| + |delta|)``, rtol 1e-5
  for float32 outputs and 1e-10 for float64.
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
    BORDER_TRANSPARENT,
    BORDER_WRAP,
    CV_8S,
    CV_8U,
    CV_16S,
    CV_16U,
    CV_32F,
    CV_32S,
    CV_64F,
)
from sep_reference import Tally, image

cv2 = pytest.importorskip("cv2")

CV2_BORDERS = [BORDER_CONSTANT, BORDER_REPLICATE, BORDER_REFLECT, BORDER_REFLECT_101 | BORDER_ISOLATED]
DTYPE = {CV_8U: np.uint8, CV_16U: np.uint16, CV_16S: np.int16, CV_32F: np.float32, CV_64F: np.float64}
PAIRS = [  # (source depth, ddepth)
    (CV_8U, -1), (CV_8U, CV_16S), (CV_8U, CV_32F), (CV_8U, CV_16U), (CV_8U, CV_64F),
    (CV_16U, -1), (CV_16U, CV_32F), (CV_16U, CV_8U),
    (CV_16S, -1), (CV_16S, CV_32F), (CV_16S, CV_64F),
    (CV_32F, -1), (CV_32F, CV_8U), (CV_32F, CV_16S), (CV_32F, CV_64F),
    (CV_64F, -1), (CV_64F, CV_16U),
]  # fmt: skip
SHAPES = [(1, 1), (2, 3), (1, 9, 3), (7, 1), (6, 5, 4), (23, 37, 3), (19, 21, 5), (40, 64)]
LENGTHS = [1, 2, 3, 4, 5, 7, 9, 31]


def taps(n, rng, kind):
    """A 1-D kernel: random, smooth-symmetric, integer-symmetric or integer-antisymmetric."""
    if kind == "random":
        return rng.standard_normal(n) / np.sqrt(n)
    half = rng.integers(1, 9, (n + 1) // 2)
    k = np.concatenate([half, half[-1 - n % 2 :: -1][: n // 2]]).astype(np.float64)
    if kind == "smooth":
        return k / k.sum()
    if kind == "antisym":
        k[n // 2 + 1 :] = -k[: n // 2][::-1]
        k[n // 2] = 0
    return k


def magnitude(src, kx, ky, delta=0.0):
    return np.abs(kx).sum() * np.abs(ky).sum() * np.abs(src.astype(np.float64)).max() + abs(delta)


@pytest.mark.parametrize(("sdepth", "ddepth"), PAIRS)
def test_matches_cv2(sdepth, ddepth):
    rng = np.random.default_rng(100 + 10 * sdepth + ddepth)
    tally = Tally()
    for shape in SHAPES:
        src = image(shape, DTYPE[sdepth], rng)
        for _ in range(3):
            n1, n2 = rng.choice(LENGTHS, 2)
            kind = rng.choice(["random", "smooth", "int"])
            kx, ky = taps(n1, rng, kind), taps(n2, rng, kind)
            anchor = (int(rng.integers(-1, n1)), int(rng.integers(-1, n2)))
            delta = float(rng.choice([0, 0, 1.5, -3]))
            border = int(rng.choice(CV2_BORDERS))
            what = f"{shape} kx={kx.round(3)} ky={ky.round(3)} anchor={anchor} delta={delta} border={border}"
            want = cv2.sepFilter2D(src, ddepth, kx, ky, anchor=anchor, delta=delta, borderType=border)
            got = purecv.sepFilter2D(src, ddepth, kx, ky, anchor=anchor, delta=delta, borderType=border)
            tally.check(got, want, magnitude(src, kx, ky, delta), what)
    tally.assert_mostly_identical()


@pytest.mark.parametrize("border", CV2_BORDERS)
@pytest.mark.parametrize("cn", [1, 3, 4, 5])
def test_exact_paths_identical(border, cn):
    """8U smooth 1/256 kernels (fixed point) and 8U -> 16S integer kernels are bit-identical."""
    rng = np.random.default_rng(7 + cn)
    for shape in [(1, 1, cn), (2, 3, cn), (17, 45, cn), (9, 70, cn)]:
        src = image(shape, np.uint8, rng)
        for n1, n2 in [(3, 3), (5, 1), (1, 7), (9, 31)]:
            kx = np.rint(taps(n1, rng, "smooth") * 256) / 256
            kx[n1 // 2] += 1 - kx.sum()
            ky = np.rint(taps(n2, rng, "smooth") * 256) / 256
            ky[n2 // 2] += 1 - ky.sum()
            for delta in (0, 2, 0.5):
                want = cv2.sepFilter2D(src, -1, kx, ky, delta=delta, borderType=border)
                got = purecv.sepFilter2D(src, -1, kx, ky, delta=delta, borderType=border)
                np.testing.assert_array_equal(got, want)
            for kinds in [("int", "antisym"), ("antisym", "int"), ("antisym", "antisym")]:
                kx, ky = taps(n1, rng, kinds[0]), taps(n2, rng, kinds[1])
                for delta in (0, -7, 2.5):
                    want = cv2.sepFilter2D(src, CV_16S, kx, ky, delta=delta, borderType=border)
                    got = purecv.sepFilter2D(src, CV_16S, kx, ky, delta=delta, borderType=border)
                    np.testing.assert_array_equal(got, want)


def test_smooth_u8_ties_and_large_deltas_as_cv2():
    """The fixed-point finish: half-way sums (ties) on the SIMD lanes and the scalar tail, and deltas far
    past saturation (the plan clips the fixed-point delta to 2**26, where every output saturates)."""
    rng = np.random.default_rng(11)
    k = np.array([1, 2, 1], np.float32) / 4  # acc = 4096 * S, S the 1-2-1 by 1-2-1 sum: ties at S % 16 == 8
    src = rng.integers(0, 256, (9, 67, 3), dtype=np.uint8)  # 201 lanes: SIMD blocks and a tail
    for delta in (0, 0.5, -0.5, 1.5, 700.25, -700.25, 1500, -1500, 30000, -30000):
        want = cv2.sepFilter2D(src, -1, k, k, delta=delta)
        got = purecv.sepFilter2D(src, -1, k, k, delta=delta)
        np.testing.assert_array_equal(got, want, err_msg=f"delta={delta}")


def test_large_kernels_and_even_sizes():
    """Kernels longer than the image (iterated reflection) and even lengths with every anchor."""
    rng = np.random.default_rng(3)
    tally = Tally()
    for shape in [(3, 4, 3), (5, 2), (2, 6, 4)]:
        for dtype in (np.uint8, np.float32):
            src = image(shape, dtype, rng)
            for n in (2, 6, 13, 40):
                kx, ky = taps(n, rng, "random"), taps(n, rng, "random")
                for anchor in [(-1, -1), (0, n - 1), (n - 1, 0)]:
                    for border in CV2_BORDERS:
                        want = cv2.sepFilter2D(src, -1, kx, ky, anchor=anchor, borderType=border)
                        got = purecv.sepFilter2D(src, -1, kx, ky, anchor=anchor, borderType=border)
                        tally.check(got, want, magnitude(src, kx, ky), f"{shape} {n} {anchor} {border}")
    tally.assert_mostly_identical()


def test_views_in_place_dst_and_kernel_shapes():
    rng = np.random.default_rng(4)
    big = image((30, 40, 3), np.uint8, rng)
    view = big[3:25:2, 5:35:3]  # non-contiguous
    kx, ky = np.array([1.0, 2, 1]) / 4, np.array([0.2, 0.5, 0.3])
    want = cv2.sepFilter2D(view, CV_16S, kx, ky)
    np.testing.assert_array_equal(purecv.sepFilter2D(view, CV_16S, kx, ky), want)
    np.testing.assert_array_equal(purecv.sepFilter2D(view, CV_16S, kx.reshape(1, 3), ky.reshape(3, 1)), want)
    # mixed kernel types (cv2 asks for one type): the float32 taps are the same as in cv2's float32 pair
    k32 = ky.astype(np.float32)
    np.testing.assert_array_equal(
        purecv.sepFilter2D(view, CV_16S, list(kx), k32),
        cv2.sepFilter2D(view, CV_16S, kx.astype(np.float32), k32),
    )
    # dst given, dst non-contiguous, dst is src
    out = np.zeros(view.shape, np.int16)
    assert purecv.sepFilter2D(view, CV_16S, kx, ky, dst=out) is out
    np.testing.assert_array_equal(out, want)
    strided = np.zeros((view.shape[0], view.shape[1] * 2, 3), np.int16)[:, ::2]
    purecv.sepFilter2D(view, CV_16S, kx, ky, dst=strided)
    np.testing.assert_array_equal(strided, want)
    img = image((20, 30, 4), np.float32, rng)
    expect = cv2.sepFilter2D(img, -1, kx, ky)
    assert purecv.sepFilter2D(img, -1, kx, ky, dst=img) is img
    np.testing.assert_allclose(img, expect, rtol=1e-6, atol=1e-4)
    # a (H, W, 1) image comes back (H, W), as from cv2
    one = image((6, 7, 1), np.uint16, rng)
    assert purecv.sepFilter2D(one, -1, kx, ky).shape == cv2.sepFilter2D(one, -1, kx, ky).shape == (6, 7)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.int16, np.float32, np.float64])
def test_wrap_and_border_value_against_reference(dtype):
    """Beyond cv2: BORDER_WRAP and a constant border value (scalar or per channel), 6 channels too."""
    rng = np.random.default_rng(5)
    for shape in [(9, 11, 3), (4, 3, 6), (1, 5), (12, 9)]:
        src = image(shape, dtype, rng)
        cn = 1 if len(shape) == 2 else shape[2]
        for n1, n2 in [(3, 5), (4, 1), (7, 9)]:
            kx, ky = taps(n1, rng, "random"), taps(n2, rng, "smooth")
            for border, value in [
                (BORDER_WRAP, 0),
                (BORDER_CONSTANT, 17),
                (BORDER_CONSTANT, list(range(cn))),
            ]:
                got = purecv.sepFilter2D(src, CV_64F, kx, ky, borderType=border, borderValue=value)
                want = ref.correlate(src.astype(np.float64), kx, ky, (n1 // 2, n2 // 2), border, value)
                np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10 * np.abs(want).max())
                if dtype != np.float64:
                    got = purecv.sepFilter2D(src, -1, kx, ky, borderType=border, borderValue=value)
                    want = ref.saturate(want.astype(np.float64), dtype)
                    tol = 0 if dtype == np.float32 else 1
                    diff = np.abs(got.astype(np.float64) - want.astype(np.float64))
                    assert diff.max() <= max(tol, 1e-4 * np.abs(want).max()), (shape, n1, n2, border, value)


def test_threads_do_not_change_results():
    rng = np.random.default_rng(8)
    src = image((300, 500, 3), np.uint8, rng)  # large enough for several strips
    kx, ky = taps(7, rng, "random"), taps(5, rng, "random")
    results = []
    for threads in (1, 2, -1):
        purecv.setNumThreads(threads)
        results.append(
            (
                purecv.sepFilter2D(src, CV_32F, kx, ky),
                purecv.GaussianBlur(src, (9, 9), 0),
                purecv.Sobel(src, CV_16S, 1, 1, ksize=5),
            )
        )
    for later in results[1:]:
        for a, b in zip(results[0], later, strict=True):
            np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(results[0][1], cv2.GaussianBlur(src, (9, 9), 0))


def test_scalar_border_value():
    rng = np.random.default_rng(9)
    src = image((6, 7, 3), np.uint8, rng)
    k = np.array([0.25, 0.5, 0.25])
    a = purecv.sepFilter2D(src, -1, k, k, borderType=BORDER_CONSTANT, borderValue=(1, 2, 3, 0))
    b = purecv.sepFilter2D(src, -1, k, k, borderType=BORDER_CONSTANT, borderValue=[1, 2, 3])
    np.testing.assert_array_equal(a, b)
    c = purecv.sepFilter2D(src, -1, k, k, borderType=BORDER_CONSTANT, borderValue=300)  # saturated to 255
    d = purecv.sepFilter2D(src, -1, k, k, borderType=BORDER_CONSTANT, borderValue=255)
    np.testing.assert_array_equal(c, d)


def test_six_channels_match_cv2():
    rng = np.random.default_rng(6)
    src = image((15, 20, 6), np.uint8, rng)
    kx, ky = np.array([1.0, 4, 6, 4, 1]) / 16, np.array([1.0, 2, 1]) / 4
    np.testing.assert_array_equal(purecv.sepFilter2D(src, -1, kx, ky), cv2.sepFilter2D(src, -1, kx, ky))


def test_bad_input_raises():
    img = np.zeros((5, 6), np.uint8)
    k = np.array([1.0, 2, 1])
    with pytest.raises(TypeError, match="sepFilter2D: 'src' must be a numpy.ndarray"):
        purecv.sepFilter2D([[1, 2]], -1, k, k)
    with pytest.raises(TypeError, match="sepFilter2D: 'kernelX' must be a numpy.ndarray"):
        purecv.sepFilter2D(img, -1, "abc", k)
    with pytest.raises(ValueError, match="sepFilter2D: 'kernelX' is empty"):
        purecv.sepFilter2D(img, -1, np.array([]), k)
    with pytest.raises(
        ValueError, match=r"sepFilter2D: 'kernelY' must be 1-D, \(n, 1\) or \(1, n\); got shape \(3, 3\)"
    ):
        purecv.sepFilter2D(img, -1, k, np.ones((3, 3)))
    with pytest.raises(ValueError, match="sepFilter2D: 'kernelX' must hold finite numbers"):
        purecv.sepFilter2D(img, -1, np.array([1.0, np.nan]), k)
    with pytest.raises(TypeError, match="sepFilter2D: 'kernelY' must hold real numbers"):
        purecv.sepFilter2D(img, -1, k, np.array([1j, 2j]))
    with pytest.raises(ValueError, match="sepFilter2D: 'ddepth' for a CV_64F source must be -1 or one of"):
        purecv.sepFilter2D(img.astype(np.float64), CV_32F, k, k)
    for bad in (CV_8S, CV_32S, 9):
        with pytest.raises(ValueError, match="sepFilter2D: 'ddepth' for a CV_8U source"):
            purecv.sepFilter2D(img, bad, k, k)
    with pytest.raises(TypeError, match="sepFilter2D: 'ddepth' must be an int"):
        purecv.sepFilter2D(img, 1.5, k, k)
    with pytest.raises(ValueError, match="sepFilter2D: 'anchor' must lie inside the 3x3 kernel"):
        purecv.sepFilter2D(img, -1, k, k, anchor=(3, 0))
    with pytest.raises(ValueError, match="sepFilter2D: 'borderType' must be one of"):
        purecv.sepFilter2D(img, -1, k, k, borderType=BORDER_TRANSPARENT)
    with pytest.raises(ValueError, match="sepFilter2D: 'delta' must be finite"):
        purecv.sepFilter2D(img, -1, k, k, delta=np.inf)
    with pytest.raises(ValueError, match="sepFilter2D: 'borderValue' must be a number or 3 numbers"):
        purecv.sepFilter2D(
            np.zeros((4, 4, 3), np.uint8), -1, k, k, borderType=BORDER_CONSTANT, borderValue=[1, 2]
        )
    with pytest.raises(TypeError, match="sepFilter2D: 'borderValue' must be a real number"):
        purecv.sepFilter2D(img, -1, k, k, borderType=BORDER_CONSTANT, borderValue="x")
    with pytest.raises(ValueError, match=r"sepFilter2D: 'dst' has shape \(5, 5\); expected \(5, 6\)"):
        purecv.sepFilter2D(img, -1, k, k, dst=np.zeros((5, 5), np.uint8))
    with pytest.raises(TypeError, match="sepFilter2D: 'dst' has dtype int16; expected uint8"):
        purecv.sepFilter2D(img, -1, k, k, dst=np.zeros((5, 6), np.int16))
    with pytest.raises(TypeError, match="sepFilter2D: 'src' has dtype int32"):
        purecv.sepFilter2D(img.astype(np.int32), -1, k, k)
