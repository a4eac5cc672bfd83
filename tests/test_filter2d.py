"""filter2D against cv2 5.0.0 and against a slow NumPy reference (for what cv2 cannot do).

Exactness rules (also in ``purecv.filter2D``'s docstring):

- integer outputs: over each grid, at least 99.9% of the values identical to cv2, none off by more than 1;
- float outputs: ``|ours - cv2| <= rtol * max(|cv2|, scale)`` with
  ``scale = sum|kernel| * max|src| + |delta|`` and ``rtol`` 1e-5 for float32 outputs, 1e-10 for float64.
"""

import numpy as np
import pytest

import purecv
from purecv import reference
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
from purecv.filters.linear import filter2D

cv2 = pytest.importorskip("cv2")

CV2_BORDERS = [BORDER_CONSTANT, BORDER_REPLICATE, BORDER_REFLECT, BORDER_REFLECT_101]
DTYPE = {CV_8U: np.uint8, CV_16U: np.uint16, CV_16S: np.int16, CV_32F: np.float32, CV_64F: np.float64}
PAIRS = [  # (source depth, ddepth) that cv2's direct path accepts
    (CV_8U, -1), (CV_8U, CV_16U), (CV_8U, CV_16S), (CV_8U, CV_32F), (CV_8U, CV_64F),
    (CV_16U, -1), (CV_16U, CV_32F), (CV_16U, CV_64F),
    (CV_16S, -1), (CV_16S, CV_32F), (CV_16S, CV_64F),
    (CV_32F, -1), (CV_64F, -1),
]  # fmt: skip
KSIZES = [(1, 1), (3, 3), (2, 2), (4, 3), (3, 5), (5, 5), (8, 8), (11, 11), (12, 12), (31, 31), (40, 33)]


def _image(shape, dtype, rng):
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        return rng.uniform(-100, 300, shape).astype(dtype)
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max, shape, endpoint=True, dtype=dtype)


def _kernel(kh, kw, rng):
    k = rng.standard_normal((kh, kw)) / np.sqrt(kh * kw)
    k[rng.random((kh, kw)) < 0.15] = 0  # some dropped taps
    return k


class Tally:
    """Counts integer mismatches over a grid; checks float tolerances case by case."""

    def __init__(self):
        self.values = 0
        self.different = 0

    def check(self, got, want, src, kernel, delta=0.0, what=""):
        assert got.shape == want.shape, what
        assert got.dtype == want.dtype, what
        if got.dtype.kind in "iu":
            diff = np.abs(got.astype(np.int64) - want.astype(np.int64))
            assert diff.max(initial=0) <= 1, f"{what}: off by {diff.max()}"
            self.values += diff.size
            self.different += int(np.count_nonzero(diff))
        else:
            rtol = 1e-5 if got.dtype == np.float32 else 1e-10
            scale = np.abs(kernel).sum() * np.abs(src.astype(np.float64)).max() + abs(delta)
            err = np.abs(got.astype(np.float64) - want.astype(np.float64))
            bound = rtol * np.maximum(np.abs(want.astype(np.float64)), scale)
            assert (err <= bound).all(), f"{what}: worst error {np.max(err / bound)} x the bound"

    def done(self):
        assert self.different <= 0.001 * self.values, f"{self.different} of {self.values} values differ"


def numpy_filter2d(src, ddepth, kernel, anchor=(-1, -1), delta=0.0, border=BORDER_REFLECT_101, value=0):
    """Slow reference: pad with ``reference.pad``, sum the taps in row-major order, round half to even.

    The sum runs in cv2's type: float32 with fused multiply-adds (each step rounded once, here from an
    exact float64 product and sum) for 8U/16U/16S/32F sources, float64 when the source or the output is
    float64, or float64 with the kernel rounded to float32 where cv2 switches to its DFT path.
    """
    kh, kw = kernel.shape
    ax = kw // 2 if anchor[0] == -1 else anchor[0]
    ay = kh // 2 if anchor[1] == -1 else anchor[1]
    padded = reference.pad(src, ay, kh - 1 - ay, ax, kw - 1 - ax, border, value=value).astype(np.float64)
    dtype = np.dtype(DTYPE[ddepth] if ddepth >= 0 else src.dtype)
    fast = (src.dtype == np.uint8 and dtype in (np.uint8, np.int16)) or src.dtype == dtype == np.float32
    if kh * kw >= (130 if fast else 50) and src.dtype != np.float64:  # cv2's DFT path
        acc_type, kernel = np.float64, kernel.astype(np.float32).astype(np.float64)
    else:
        acc_type = np.float64 if np.float64 in (src.dtype, dtype) else np.float32
        kernel = kernel.astype(acc_type).astype(np.float64)
    h, w = src.shape[:2]
    acc = np.full(src.shape, acc_type(delta), acc_type)
    for i in range(kh):
        for j in range(kw):
            if kernel[i, j] != 0:
                acc = (kernel[i, j] * padded[i : i + h, j : j + w] + acc).astype(acc_type)
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        acc = np.clip(np.rint(acc), info.min, info.max)
    return acc.astype(dtype)


# --- cv2 grids --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("sdepth", "ddepth"), PAIRS)
@pytest.mark.parametrize("cn", [1, 3, 4, 5])
def test_matches_cv2_grid(sdepth, ddepth, cn):
    rng = np.random.default_rng(100 * sdepth + 10 * cn + ddepth)
    shape = (23, 29) if cn == 1 else (23, 29, cn)
    src = _image(shape, DTYPE[sdepth], rng)
    tally = Tally()
    for i, (kh, kw) in enumerate(KSIZES):
        kernel = _kernel(kh, kw, rng)
        border = CV2_BORDERS[i % 4] | (BORDER_ISOLATED if i % 3 == 0 else 0)
        anchors = [(-1, -1), (0, 0), (kw - 1, kh - 1), (kw // 3, -1)]
        delta = [0.0, 0.5, -7.25][i % 3]
        for anchor in anchors:
            got = filter2D(src, ddepth, kernel, anchor=anchor, delta=delta, borderType=border)
            want = cv2.filter2D(src, ddepth, kernel, anchor=anchor, delta=delta, borderType=border)
            tally.check(got, want, src, kernel, delta, f"k={kh}x{kw} anchor={anchor} border={border}")
    tally.done()


@pytest.mark.parametrize("border", CV2_BORDERS)
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.int16, np.float32, np.float64])
def test_every_border_and_large_image(border, dtype):
    # 3x3 .. 7x7 on a larger image: the direct path, split into several strips
    rng = np.random.default_rng(border)
    src = _image((96, 1500), dtype, rng)
    tally = Tally()
    for kh, kw in [(3, 3), (5, 7), (6, 4)]:
        kernel = _kernel(kh, kw, rng)
        got = filter2D(src, -1, kernel, borderType=border)
        want = cv2.filter2D(src, -1, kernel, borderType=border)
        tally.check(got, want, src, kernel, what=f"{kh}x{kw}")
    tally.done()


@pytest.mark.parametrize("shape", [(1, 1), (2, 3), (1, 7), (6, 1), (2, 3, 3), (1, 1, 4)])
@pytest.mark.parametrize("ksize", [(1, 1), (3, 3), (2, 5), (8, 8), (13, 12)])
def test_tiny_images(shape, ksize):
    rng = np.random.default_rng(sum(shape) * 7 + ksize[0])
    kernel = _kernel(*ksize, rng)
    tally = Tally()
    for dtype in (np.uint8, np.float32):
        src = _image(shape, dtype, rng)
        for border in CV2_BORDERS:
            got = filter2D(src, -1, kernel, borderType=border)
            want = cv2.filter2D(src, -1, kernel, borderType=border)
            tally.check(got, want, src, kernel, what=f"{np.dtype(dtype).name} border={border}")
    tally.done()


@pytest.mark.parametrize(
    ("dtype", "ddepth", "kernel"),
    [
        (np.uint8, -1, "direct"),  # cv2's direct path: strips of the neighbourhood driver
        (np.float32, -1, "fft"),  # row blocks and lane chunks of the FFT path
        (np.uint16, CV_32F, "box"),  # running sums
    ],
)
def test_threads_do_not_change_results(monkeypatch, dtype, ddepth, kernel):
    import purecv._kernels.neighbourhood as neighbourhood_mod
    import purecv._kernels.rows as rows_mod
    import purecv._kernels.spectral as spectral_mod

    thresholds = [(neighbourhood_mod, "PARALLEL_MIN_WORK"), (spectral_mod, "PARALLEL_MIN_WORK"),
                  (rows_mod, "PARALLEL_MIN_LANES")]  # fmt: skip
    for module, name in thresholds:
        monkeypatch.setattr(module, name, 0)  # parallel even for this small image
    rng = np.random.default_rng(5)
    src = _image((300, 700), dtype, rng)
    weights = {"direct": _kernel(7, 6, rng), "fft": _kernel(21, 15, rng), "box": np.full((5, 4), 0.5)}[kernel]
    try:
        purecv.setNumThreads(1)
        one = filter2D(src, ddepth, weights)
        purecv.setNumThreads(2)
        two = filter2D(src, ddepth, weights)
    finally:
        purecv.setNumThreads(-1)
    np.testing.assert_array_equal(one, two)
    Tally().check(one, cv2.filter2D(src, ddepth, weights), src, weights)


def test_uint8_is_bit_exact_with_fused_multiply_add():
    # cv2's 8U SIMD body sums with FMA in tap order; so does purecv, so the results agree exactly.
    rng = np.random.default_rng(11)
    src = _image((200, 333, 3), np.uint8, rng)
    for kh, kw in [(3, 3), (5, 4), (7, 7)]:
        kernel = _kernel(kh, kw, rng)
        for ddepth in (-1, CV_16S):
            got = filter2D(src, ddepth, kernel, delta=0.3)
            np.testing.assert_array_equal(got, cv2.filter2D(src, ddepth, kernel, delta=0.3))


# --- kernel reading, special values -----------------------------------------------------------------


@pytest.mark.parametrize("kdtype", [np.bool_, np.uint8, np.int8, np.int16, np.int32, np.int64, np.float16])
def test_kernel_dtypes(kdtype):
    rng = np.random.default_rng(3)
    src = _image((20, 17, 3), np.uint8, rng)
    kernel = rng.integers(0, 3, (3, 4)).astype(kdtype)
    np.testing.assert_array_equal(filter2D(src, CV_32F, kernel), cv2.filter2D(src, CV_32F, kernel))


def test_kernel_shapes_read_as_cv2():
    rng = np.random.default_rng(4)
    src = _image((12, 15), np.float32, rng)
    row = rng.standard_normal(5)
    for kernel in (row, row[None, :], row[:, None], row[:, None, None], np.array(2.5)):
        Tally().check(filter2D(src, -1, kernel), cv2.filter2D(src, -1, kernel), src, np.atleast_1d(kernel))
    strided = rng.standard_normal((8, 10))[::2, ::3]  # non-contiguous kernel
    Tally().check(filter2D(src, -1, strided), cv2.filter2D(src, -1, strided), src, strided)


def test_all_zero_kernel_gives_delta():
    src = _image((5, 6, 3), np.uint8, np.random.default_rng(0))
    got = filter2D(src, -1, np.zeros((3, 3)), delta=7.5)
    np.testing.assert_array_equal(got, cv2.filter2D(src, -1, np.zeros((3, 3)), delta=7.5))
    assert (got == 8).all()


def test_out_of_int32_values_saturate_as_cv2():
    # cv2 rounds with cvtss2si: beyond int32 the result is INT_MIN, saturated to the dtype's minimum
    src = np.array([[0, 1, 2, 200, 3]], np.uint8)
    for ddepth in (-1, CV_16S, CV_16U):
        for w in (1e10, -1e10, 1e7, -1e5):
            got = filter2D(src, ddepth, np.array([[w]]), borderType=BORDER_REPLICATE)
            want = cv2.filter2D(src, ddepth, np.array([[w]]), borderType=BORDER_REPLICATE)
            np.testing.assert_array_equal(got, want)


def test_float_specials_propagate():
    src = np.array([[1.0, np.inf, 2.0, np.nan, 3.0]], np.float32)
    kernel = np.array([[0.5, 0.0, 0.25]])
    got = filter2D(src, -1, kernel, borderType=BORDER_REPLICATE)
    want = cv2.filter2D(src, -1, kernel, borderType=BORDER_REPLICATE)
    np.testing.assert_array_equal(got, want)  # NaN == NaN here; the zero tap is dropped as in cv2


# --- arrays: views, dst, in place -------------------------------------------------------------------


def test_non_contiguous_sources():
    rng = np.random.default_rng(9)
    base = _image((40, 50, 4), np.uint8, rng)
    kernel = _kernel(5, 3, rng)
    tally = Tally()
    for view in (base[::2, ::3], base[..., :3], base[5:30, 7:40, 1], np.asfortranarray(base[..., 0])):
        tally.check(filter2D(view, -1, kernel), cv2.filter2D(view, -1, kernel), view, kernel)
    tally.done()


@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.float32])
def test_in_place(dtype):
    rng = np.random.default_rng(2)
    src = _image((64, 600, 3), dtype, rng)
    kernel = _kernel(6, 5, rng)
    want = cv2.filter2D(src, -1, kernel)
    out = filter2D(src, -1, kernel, dst=src)
    assert out is src
    Tally().check(src, want, src, kernel)


def test_dst_is_filled_and_returned():
    rng = np.random.default_rng(6)
    src = _image((10, 12, 3), np.uint8, rng)
    kernel = _kernel(3, 3, rng)
    dst = np.zeros((10, 12, 3), np.float32)
    assert filter2D(src, CV_32F, kernel, dst) is dst
    Tally().check(dst, cv2.filter2D(src, CV_32F, kernel), src, kernel)
    big = np.zeros((10, 24, 3), np.int16)
    view = big[:, ::2]  # non-contiguous dst
    assert filter2D(src, CV_16S, kernel, dst=view) is view
    np.testing.assert_array_equal(view, filter2D(src, CV_16S, kernel))
    assert (big[:, 1::2] == 0).all()
    single = _image((7, 8, 1), np.uint8, rng)  # (H, W, 1) gives (H, W), as cv2
    assert filter2D(single, -1, kernel).shape == cv2.filter2D(single, -1, kernel).shape == (7, 8)
    for source in (single, single[:, :, 0]):  # and a (H, W, 1) dst is filled, as cv2 does
        dst = np.zeros((7, 8, 1), np.uint8)
        assert filter2D(source, -1, kernel, dst) is dst
        np.testing.assert_array_equal(dst, cv2.filter2D(source, -1, kernel)[:, :, None])


# --- beyond cv2: WRAP, borderValue, many channels ----------------------------------------------------


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.int16, np.float32, np.float64])
def test_wrap_border_against_numpy(dtype):
    rng = np.random.default_rng(8)
    src = _image((13, 11, 2), dtype, rng)
    tally = Tally()
    for kh, kw in [(3, 3), (4, 5), (16, 14)]:
        kernel = _kernel(kh, kw, rng)
        for anchor in [(-1, -1), (0, kh - 1)]:
            got = filter2D(src, -1, kernel, anchor=anchor, delta=1.5, borderType=BORDER_WRAP)
            want = numpy_filter2d(src, -1, kernel, anchor, 1.5, BORDER_WRAP)
            tally.check(got, want, src, kernel, 1.5, f"{kh}x{kw} {anchor}")
    tally.done()


def test_border_value_against_numpy():
    rng = np.random.default_rng(12)
    tally = Tally()
    for dtype, value in [(np.uint8, 300), (np.uint8, (10, 20.6, -5)), (np.float32, (1.5, -2.5, 1e3, 0)),
                         (np.int16, -40000), (np.float64, 2.25)]:  # fmt: skip
        src = _image((9, 10, 3), dtype, rng)
        kernel = _kernel(4, 5, rng)
        cn_value = np.asarray(value, np.float64).ravel()[:3] if np.ndim(value) else value
        if np.dtype(dtype).kind in "iu":  # cv2 saturates the border value to the source dtype
            info = np.iinfo(dtype)
            cn_value = np.clip(np.rint(cn_value), info.min, info.max)
        ddepth = -1 if dtype == np.float32 else CV_64F
        got = filter2D(src, ddepth, kernel, borderType=BORDER_CONSTANT, borderValue=value)
        want = numpy_filter2d(src, ddepth, kernel, border=BORDER_CONSTANT, value=cn_value)
        tally.check(got, want, src, kernel, what=f"{np.dtype(dtype).name} {value}")
    tally.done()
    src = _image((9, 10, 3), np.uint8, rng)  # the default is cv2's zero
    np.testing.assert_array_equal(
        filter2D(src, -1, np.ones((3, 3)) / 9, borderType=BORDER_CONSTANT),
        cv2.filter2D(src, -1, np.ones((3, 3)) / 9, borderType=BORDER_CONSTANT),
    )


@pytest.mark.parametrize("cn", [7, 16])
def test_many_channels_against_numpy(cn):
    rng = np.random.default_rng(cn)
    src = _image((17, 19, cn), np.uint16, rng)
    kernel = _kernel(5, 4, rng)
    tally = Tally()
    for border in (BORDER_REFLECT, BORDER_WRAP):
        got = filter2D(src, CV_32F, kernel, borderType=border)
        tally.check(got, numpy_filter2d(src, CV_32F, kernel, border=border), src, kernel)
    tally.done()


# --- bad input --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kernel", "error", "match"),
    [
        (np.array([[1.0, np.nan]]), ValueError, "finite"),
        (np.array([[np.inf]]), ValueError, "finite"),
        (np.ones((3, 3, 2)), ValueError, "2-D single-channel"),
        (np.ones((2, 3, 3, 1)), ValueError, "2-D single-channel"),
        (np.zeros((0, 3)), ValueError, "empty"),
        (np.zeros(0), ValueError, "empty"),
        (np.array([["a", "b"]]), TypeError, "real numbers"),
        (np.ones((3, 3), np.complex64), TypeError, "real numbers"),
        (np.array([[1, None]], dtype=object), TypeError, "real numbers"),
        ([[0, 1, 0], [1, 1, 1]], TypeError, "numpy.ndarray"),
        (2.0, TypeError, "numpy.ndarray"),
    ],
)
def test_bad_kernel(kernel, error, match):
    with pytest.raises(error, match=match):
        filter2D(np.zeros((4, 4), np.uint8), -1, kernel)


@pytest.mark.parametrize(("dtype", "ddepth"), [
    (np.float32, CV_8U), (np.float32, CV_64F), (np.float64, CV_32F), (np.uint16, CV_16S), (np.int16, CV_8U),
    (np.uint8, CV_8S), (np.uint8, CV_32S), (np.uint8, 9),
])  # fmt: skip
def test_refused_ddepth(dtype, ddepth):
    src = np.zeros((4, 4), dtype)
    with pytest.raises(cv2.error):  # cv2 refuses these too (3x3: its direct path)
        cv2.filter2D(src, ddepth, np.ones((3, 3)))
    with pytest.raises(ValueError, match="'ddepth' for a CV_"):
        filter2D(src, ddepth, np.ones((3, 3)))


def test_bad_arguments():
    src = np.zeros((4, 5, 3), np.uint8)
    k = np.ones((3, 2))
    with pytest.raises(ValueError, match="'anchor' must lie inside the 2x3 kernel"):
        filter2D(src, -1, k, anchor=(2, 0))
    with pytest.raises(ValueError, match="'anchor' must lie inside"):
        filter2D(src, -1, k, anchor=(0, -2))
    with pytest.raises(TypeError, match="'anchor' must be a pair of ints"):
        filter2D(src, -1, k, anchor=(0.5, 1))
    with pytest.raises(TypeError, match="'ddepth' must be an int"):
        filter2D(src, "CV_8U", k)
    with pytest.raises(TypeError, match="'delta' must be a real number"):
        filter2D(src, -1, k, delta="1")
    with pytest.raises(ValueError, match="'borderType' must be one of"):
        filter2D(src, -1, k, borderType=BORDER_TRANSPARENT)
    with pytest.raises(TypeError, match="'src' has dtype int8"):
        filter2D(src.astype(np.int8), -1, k)
    with pytest.raises(TypeError, match="'src' must be a numpy.ndarray"):
        filter2D(src.tolist(), -1, k)
    with pytest.raises(ValueError, match="'borderValue' must be a number or one per channel"):
        filter2D(src, -1, k, borderValue=(1, 2))
    with pytest.raises(TypeError, match="'borderValue' must be a real number"):
        filter2D(src, -1, k, borderValue="x")


def test_bad_dst():
    src = np.zeros((4, 5, 3), np.uint8)
    k = np.ones((3, 3))
    with pytest.raises(TypeError, match="'dst' has dtype float32; expected uint8"):
        filter2D(src, -1, k, dst=np.zeros((4, 5, 3), np.float32))
    with pytest.raises(ValueError, match=r"'dst' has shape \(4, 5\); expected \(4, 5, 3\)"):
        filter2D(src, -1, k, dst=np.zeros((4, 5), np.uint8))
    with pytest.raises(TypeError, match="'dst' must be a numpy.ndarray or None"):
        filter2D(src, -1, k, dst=[0])
    ro = np.zeros((4, 5, 3), np.uint8)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        filter2D(src, -1, k, dst=ro)


def test_exported_at_top_level():
    assert purecv.filter2D is filter2D


# --- routes: box sums, separable passes, FFT -----------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.int16, np.float32, np.float64])
def test_box_kernels(dtype):
    # all taps equal: running sums; integer outputs stay bit-exact where cv2's float32 sum is exact too
    # (w = 2**-k on its direct path). Even areas on cv2's DFT path: see the test below.
    rng = np.random.default_rng(21)
    src = _image((70, 90, 4), dtype, rng)
    tally = Tally()
    boxes = [((2, 2), 0.25), ((4, 1), 1.0), ((5, 7), 1 / 35), ((3, 3), -2.0), ((7, 9), 1 / 63)]
    if dtype == np.uint8:
        boxes.append(((8, 8), 1 / 64))  # the article's kernel (cv2's direct path for 8U -> 8U)
    for (kh, kw), w in boxes:
        kernel = np.full((kh, kw), w)
        for border in CV2_BORDERS:
            got = filter2D(src, -1, kernel, anchor=(0, kh - 1), borderType=border)
            want = cv2.filter2D(src, -1, kernel, anchor=(0, kh - 1), borderType=border)
            tally.check(got, want, src, kernel, what=f"{kh}x{kw} {w}")
            if np.frexp(w)[0] == 0.5 and got.dtype.kind in "iu":
                np.testing.assert_array_equal(got, want)
    tally.done()


@pytest.mark.parametrize(("dtype", "size"), [(np.uint8, 12), (np.uint16, 8)])
def test_box_kernel_on_cv2_dft_path_differs_only_at_ties(dtype, size):
    # An even-area box on cv2's DFT path (float32 FFTs for 8U -> 8U, double for 16U): FFT noise decides
    # the exact ties S / area = n + 1/2; purecv rounds the exact sum with cv2's float32 weight, and agrees
    # everywhere else.
    rng = np.random.default_rng(22)
    src = _image((60, 80, 3), dtype, rng)
    area = size * size
    kernel = np.full((size, size), 1 / area)
    got = filter2D(src, -1, kernel, borderType=BORDER_REPLICATE)
    want = cv2.filter2D(src, -1, kernel, borderType=BORDER_REPLICATE)
    sums = np.rint(numpy_filter2d(src, CV_64F, np.ones((size, size)), border=BORDER_REPLICATE))
    ties = sums % area == area // 2
    assert np.abs(got.astype(int) - want).max() <= 1
    assert (got[~ties] == want[~ties]).all()
    assert ties.any()


@pytest.mark.parametrize("cn", [1, 3, 4, 5])
def test_integer_kernels_on_uint8_take_exact_int16_lanes(cn):
    """Integer kernels on 8-bit images run in int16 lanes (method 2): identical to cv2, including at the
    int16 limit (|delta| + 255 * sum|w| = 32767 exactly), and just past it (the float path)."""
    from purecv._kernels.correlate import int16_exact

    rng = np.random.default_rng(40 + cn)
    limit = np.zeros((3, 3))
    limit[0, 0], limit[1, 1], limit[2, 1] = 64, -63, 1  # 255 * 128 + 127 = 32767 with delta 127
    kernels = [
        (np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]]), 0),
        (np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]]), 3),
        (rng.integers(-4, 5, (5, 4)), -60),
        (limit, 127),
        (limit, 128),  # one past the limit: the float32 path
    ]
    img = rng.integers(0, 256, (37, 29, cn)).astype(np.uint8)
    img[:4] = 255  # the extremes of every sum
    img[-4:] = 0
    for kernel, delta in kernels:
        k = kernel.astype(np.float32)
        assert int16_exact(np.dtype(np.uint8), np.dtype(np.int16), k.astype(np.float64), delta) == (
            delta != 128
        )
        for ddepth in (-1, CV_16S, CV_16U):
            for border in CV2_BORDERS:
                ours = filter2D(img, ddepth, k, delta=delta, borderType=border)
                theirs = cv2.filter2D(img, ddepth, k, delta=delta, borderType=border)
                np.testing.assert_array_equal(ours, theirs.reshape(ours.shape))


def test_rank_one_kernels():
    # outer products: a row pass and a column pass, for float outputs and on cv2's DFT path
    rng = np.random.default_rng(23)
    tally = Tally()
    for dtype, ddepth, size, sigma in [(np.float32, -1, 7, 1.5), (np.uint8, CV_32F, 9, 2.0),
                                       (np.uint16, CV_32F, 31, 5.0), (np.float64, -1, 15, 3.0),
                                       (np.uint8, -1, 13, 2.0), (np.uint8, CV_64F, 5, 1.0)]:  # fmt: skip
        src = _image((80, 60, 3), dtype, rng)
        g = cv2.getGaussianKernel(size, sigma)
        kernel = g @ np.roll(g, 1).T  # not symmetric
        for border in CV2_BORDERS:
            got = filter2D(src, ddepth, kernel, delta=2.5, borderType=border)
            want = cv2.filter2D(src, ddepth, kernel, delta=2.5, borderType=border)
            tally.check(got, want, src, kernel, 2.5, f"{np.dtype(dtype).name} {size}")
    tally.done()


def test_large_kernels_on_large_image():
    # the FFT path over several row blocks and lane chunks, against cv2 (whose DFT path runs too)
    rng = np.random.default_rng(24)
    tally = Tally()
    cases = [(np.float32, (300, 260, 4), (31, 31)), (np.uint8, (250, 300, 3), (20, 17)),
             (np.int16, (200, 150), (9, 40)), (np.float64, (270, 100, 2), (45, 7))]  # fmt: skip
    for dtype, shape, ksize in cases:
        src = _image(shape, dtype, rng)
        kernel = _kernel(*ksize, rng)
        for border in (BORDER_CONSTANT, BORDER_REFLECT_101):
            got = filter2D(src, -1, kernel, anchor=(2, ksize[0] - 3), delta=-1.0, borderType=border)
            want = cv2.filter2D(src, -1, kernel, anchor=(2, ksize[0] - 3), delta=-1.0, borderType=border)
            tally.check(got, want, src, kernel, -1.0, f"{np.dtype(dtype).name} {ksize}")
    tally.done()


@pytest.mark.parametrize("ddepth", [-1, CV_32F])
def test_16bit_large_kernels_round_the_exact_sum(ddepth):
    # cv2's DFT path runs float32 FFTs unless the output is 64F: for 16-bit data its error reaches a few
    # thousandths, so next to a .5 tie its integer output can differ from the exact rounding by one.
    # purecv rounds the exact sum (with cv2's float32-rounded kernel): equal to the NumPy reference, and to
    # cv2 wherever cv2's own error cannot reach a tie.
    rng = np.random.default_rng(25)
    src = _image((80, 60, 3), np.uint16, rng)
    kernel = _kernel(21, 19, rng)
    got = filter2D(src, ddepth, kernel, delta=2.5)
    want = cv2.filter2D(src, ddepth, kernel, delta=2.5)
    exact = numpy_filter2d(src, CV_64F, kernel, delta=2.5)  # the float32-rounded kernel, summed in double
    scale = np.abs(kernel).sum() * 65535 + 2.5
    if ddepth == CV_32F:
        Tally().check(got, exact.astype(np.float32), src, kernel, 2.5)
        Tally().check(got, want, src, kernel, 2.5)
        return
    np.testing.assert_array_equal(got, np.clip(np.rint(exact), 0, 65535))
    near_tie = np.abs(exact - np.floor(exact) - 0.5) < 1e-7 * scale
    assert (got[~near_tie] == want[~near_tie]).all()
    assert np.abs(got.astype(int) - want).max() <= 1
