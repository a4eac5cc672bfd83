"""Box filters against cv2 5.0.0 (the oracle) and, beyond cv2, against purecv.reference."""

from __future__ import annotations

import threading

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import purecv
from purecv._kernels import box as box_kernels
from purecv._kernels.box import _window_sum, fix8_magic, opencv_fix8
from purecv.reference import box_filter_ref

DTYPES = [np.uint8, np.uint16, np.int16, np.int32, np.float32, np.float64]
BORDERS = [
    purecv.BORDER_CONSTANT,
    purecv.BORDER_REPLICATE,
    purecv.BORDER_REFLECT,
    purecv.BORDER_REFLECT_101,
    purecv.BORDER_REFLECT_101 | purecv.BORDER_ISOLATED,
]
# (width, height): 1, odd, even, mixed, a line, area > 256 with exact ties, larger than the images below
KSIZES = [(1, 1), (3, 3), (2, 2), (4, 3), (8, 8), (5, 1), (1, 7), (16, 16), (20, 30), (23, 41)]
SHAPES = [(1, 1), (2, 3), (7, 9), (13, 17), (31, 19)]
CHANNELS = [1, 3, 4, 5]


def make_image(rng: np.random.Generator, shape: tuple[int, ...], dtype) -> np.ndarray:
    dtype = np.dtype(dtype)
    if dtype == np.int32:
        return rng.integers(-(1 << 20), 1 << 20, shape).astype(dtype)
    if dtype.kind in "ui":
        info = np.iinfo(dtype)
        return rng.integers(info.min, info.max, shape, endpoint=True).astype(dtype)
    return (rng.standard_normal(shape) * 100 + 50).astype(dtype)


def assert_like_cv2(ours: np.ndarray, theirs: np.ndarray, src: np.ndarray) -> None:
    """Integers bit-identical; floats within 1e-5 (float32) / 1e-12 (float64) of max(|cv2|, max|src|)."""
    assert ours.shape == theirs.shape
    assert ours.dtype == theirs.dtype
    if ours.dtype.kind in "ui":
        np.testing.assert_array_equal(ours, theirs)
        return
    rtol = 1e-5 if ours.dtype == np.float32 else 1e-12
    scale = np.maximum(np.abs(theirs.astype(np.float64)), float(np.abs(src).max()))
    err = np.abs(ours.astype(np.float64) - theirs) / np.maximum(scale, np.finfo(np.float64).tiny)
    assert err.max() <= rtol, f"max relative error {err.max():.3g} > {rtol:g}"


def shaped(shape: tuple[int, int], cn: int) -> tuple[int, ...]:
    return shape if cn == 1 else (*shape, cn)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("border", BORDERS)
def test_blur_matches_cv2(dtype, border):
    rng = np.random.default_rng(1000 + border)
    for shape in SHAPES:
        for cn in CHANNELS:
            src = make_image(rng, shaped(shape, cn), dtype)
            for ksize in KSIZES:
                kw, kh = ksize
                anchors = [(-1, -1), (0, 0), (kw - 1, kh - 1)]
                for anchor in anchors:
                    try:
                        expected = cv2.blur(src, ksize, anchor=anchor, borderType=border)
                    except cv2.error:  # BORDER_ISOLATED shrank the kernel of a 1-pixel axis under the anchor
                        with pytest.raises(ValueError, match="'anchor' must lie inside"):
                            purecv.blur(src, ksize, anchor=anchor, borderType=border)
                        continue
                    got = purecv.blur(src, ksize, anchor=anchor, borderType=border)
                    assert_like_cv2(got, expected, src)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_boxfilter_every_ddepth_and_raw_sums(dtype):
    rng = np.random.default_rng(7)
    src = make_image(rng, (11, 14, 3), dtype)
    tried = 0
    for ddepth in (
        -1,
        purecv.CV_8U,
        purecv.CV_16U,
        purecv.CV_16S,
        purecv.CV_32S,
        purecv.CV_32F,
        purecv.CV_64F,
    ):
        for normalize in (True, False):
            for ksize in ((3, 3), (2, 5), (16, 16), (20, 30)):
                try:
                    expected = cv2.boxFilter(src, ddepth, ksize, normalize=normalize)
                except cv2.error:
                    with pytest.raises(ValueError, match="ddepth"):
                        purecv.boxFilter(src, ddepth, ksize, normalize=normalize)
                    continue
                got = purecv.boxFilter(src, ddepth, ksize, normalize=normalize)
                assert_like_cv2(got, expected, src)
                tried += 1
    assert tried >= 20


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.int16, np.float32, np.float64], ids=str)
def test_sqrboxfilter_matches_cv2(dtype):
    rng = np.random.default_rng(11)
    src = make_image(rng, (9, 12, 4), dtype)
    if np.dtype(dtype).kind == "f":
        src = (src / 10).astype(dtype)
    for ddepth in (-1, purecv.CV_32F, purecv.CV_64F):
        for normalize in (True, False):
            for border in BORDERS:
                for ksize in ((3, 3), (4, 2), (7, 7)):
                    # cv2's sqrBoxFilter refuses the ISOLATED flag; purecv takes it (a no-op from Python)
                    cv_border = border & ~cv2.BORDER_ISOLATED
                    expected = cv2.sqrBoxFilter(src, ddepth, ksize, normalize=normalize, borderType=cv_border)
                    got = purecv.sqrBoxFilter(src, ddepth, ksize, normalize=normalize, borderType=border)
                    assert got.dtype == expected.dtype
                    np.testing.assert_allclose(got, expected, rtol=1e-5 if got.dtype == np.float32 else 1e-12)


def test_sqrboxfilter_uint8_to_int32_exact():
    src = make_image(np.random.default_rng(5), (10, 13), np.uint8)
    expected = cv2.sqrBoxFilter(src, cv2.CV_32S, (5, 3), normalize=False)
    np.testing.assert_array_equal(purecv.sqrBoxFilter(src, purecv.CV_32S, (5, 3), normalize=False), expected)


def test_integer_ties_in_simd_body_and_scalar_tail():
    # Area 600 (even, > 256): cv2 rounds float32(S)/area to even in its SIMD body and in double in the last
    # W*C % 8 lanes; W*C = 333 * 1 leaves a 5-lane tail.
    rng = np.random.default_rng(3)
    for dtype in (np.uint8, np.uint16, np.int16):
        src = make_image(rng, (300, 333), dtype)
        for ksize in ((20, 30), (32, 32), (64, 16)):
            np.testing.assert_array_equal(purecv.blur(src, ksize), cv2.blur(src, ksize))


def test_fix8_magic_equals_opencv_rounding_for_every_area():
    for area in range(2, 257):
        m, e, shift = fix8_magic(area)
        ds, dd = opencv_fix8(area)
        sums = np.arange(255 * area + 1, dtype=np.int64)
        np.testing.assert_array_equal(((sums + e) * m) >> 16 >> shift, ((sums + dd) * ds) >> 23)


def test_power_of_two_area_rounding_quirk():
    img = np.zeros((4, 4), np.uint8)
    img[1, 1] = 1
    got = purecv.blur(img, (2, 2), borderType=purecv.BORDER_CONSTANT)
    np.testing.assert_array_equal(got, cv2.blur(img, (2, 2), borderType=cv2.BORDER_CONSTANT))
    assert got[1, 1] == 1  # 1/4 rounds to 1 in OpenCV's fixed point


@pytest.mark.parametrize("threads", [1, 2])
def test_large_images_across_strips(threads):
    rng = np.random.default_rng(21)
    src = make_image(rng, (517, 389, 3), np.uint8)
    srcf = make_image(rng, (517, 389, 3), np.float32)
    purecv.setNumThreads(threads)
    try:
        for ksize in ((3, 3), (9, 9), (51, 51), (8, 8), (64, 3)):
            for border in BORDERS:
                np.testing.assert_array_equal(
                    purecv.blur(src, ksize, borderType=border), cv2.blur(src, ksize, borderType=border)
                )
                assert_like_cv2(
                    purecv.blur(srcf, ksize, borderType=border),
                    cv2.blur(srcf, ksize, borderType=border),
                    srcf,
                )
    finally:
        purecv.setNumThreads(-1)


@pytest.mark.parametrize("threads", [1, 2])
def test_prefetching_path_matches_cv2(monkeypatch, threads):
    """Images of PREFETCH_MIN_BYTES or more round their rows in prefetching blocks (``_finish_span``);
    forced here on small images, so every dtype, window width and border goes through the blocks, rows
    longer than a block included, raw sums too."""
    monkeypatch.setattr(box_kernels, "PREFETCH_MIN_BYTES", 0)
    rng = np.random.default_rng(23)
    purecv.setNumThreads(threads)
    try:
        for dtype in DTYPES:
            for shape in [(37, 301, 4), (19, 700, 3), (23, 1100)]:  # up to 3300 lanes: several blocks
                src = make_image(rng, shape, dtype)
                for ksize in ((2, 1), (3, 3), (9, 9), (8, 5), (13, 3), (51, 51)):
                    for border in (purecv.BORDER_CONSTANT, purecv.BORDER_REFLECT_101):
                        got = purecv.blur(src, ksize, borderType=border)
                        assert_like_cv2(got, cv2.blur(src, ksize, borderType=border), src)
                        assert_like_cv2(
                            purecv.boxFilter(src, -1, ksize, normalize=False, borderType=border),
                            cv2.boxFilter(src, -1, ksize, normalize=False, borderType=border),
                            src * np.prod(ksize),
                        )
    finally:
        purecv.setNumThreads(-1)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_wide_windows_sliding_along_long_rows(dtype):
    """Windows of 12+ columns slide along the row (a vector of lanes per step for 2, 4, 8 and 16
    channels, lane by lane otherwise), across rows longer than one chunk of lanes."""
    rng = np.random.default_rng(33)
    for cn in (1, 2, 3, 4, 8, 16):
        src = make_image(rng, shaped((23, 2600 // cn + 7), cn), dtype)
        for ksize in ((12, 3), (13, 5), (25, 2), (51, 4), (120, 3)):
            ddepth = -1 if np.dtype(dtype) != np.int32 else purecv.CV_32F
            assert_like_cv2(purecv.boxFilter(src, ddepth, ksize), cv2.boxFilter(src, ddepth, ksize), src)
            # raw sums against the plain window sums: within 1e-12 of the window's largest possible sum
            raw = purecv.boxFilter(src, purecv.CV_64F, ksize, normalize=False)
            ref = box_filter_ref(src.astype(np.float64), ksize, normalize=False)
            bound = 1e-12 * ksize[0] * ksize[1] * float(np.abs(src).max())
            assert np.abs(raw - ref).max() <= bound


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_pair_sum_windows_across_long_rows(dtype):
    """Windows of 7 to 12 columns are summed from pairs of column sums (``_pair_sums``), chunk by chunk of
    a row longer than one chunk, for every channel count the chunks cut differently; 8-bit boxes up to
    the tallest window whose pairs fit uint16 (kh 128) and past it (kh 129, tap by tap)."""
    rng = np.random.default_rng(38)
    for cn in (1, 2, 3, 4, 5):
        src = make_image(rng, shaped((140, 9000 // cn + 3), cn), dtype)
        if np.dtype(dtype) == np.uint8:
            src[:, 100:140] = 255  # the largest sums
        for kw in range(7, 13):
            for kh in (1, 4, 9) + ((128, 129) if np.dtype(dtype) == np.uint8 else ()):
                for border in (purecv.BORDER_CONSTANT, purecv.BORDER_REFLECT_101):
                    ddepth = -1 if np.dtype(dtype) != np.int32 else purecv.CV_32F
                    got = purecv.boxFilter(src, ddepth, (kw, kh), borderType=border)
                    assert_like_cv2(got, cv2.boxFilter(src, ddepth, (kw, kh), borderType=border), src)
        raw = purecv.boxFilter(src, purecv.CV_64F, (9, 3), normalize=False, borderType=purecv.BORDER_WRAP)
        ref = box_filter_ref(src.astype(np.float64), (9, 3), normalize=False, borderType=purecv.BORDER_WRAP)
        assert np.abs(raw - ref).max() <= 1e-12 * 27 * float(np.abs(src).max())


@pytest.mark.parametrize("kw", [1, 3, 5, 9, 12, 13, 25])
def test_float32_windows_are_accurate_to_their_own_magnitude(kw):
    """float32 boxes of up to 12 columns add their double column sums in float32: the error stays a few
    float32 ulps of each window's own values, even far below a bright band that has passed through the
    running column sums (a float32 running sum would keep an error of the band's size)."""
    rng = np.random.default_rng(39)
    src = (rng.random((400, 333, 3)) + 0.5).astype(np.float32)
    src[:20] *= np.float32(1e7)
    got = purecv.blur(src, (kw, 9)).astype(np.float64)
    want = box_filter_ref(src.astype(np.float64), (kw, 9), borderType=purecv.BORDER_REFLECT_101)
    dark = slice(40, None)  # windows that hold none of the band
    np.testing.assert_allclose(got[dark], want[dark], rtol=4 * kw * 2.0**-24)
    np.testing.assert_allclose(got, want, rtol=1e-5)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_one_by_one_box_is_the_image_plus_zero(dtype):
    """A 1x1 box skips the kernel: each value plus 0, as cv2's running sums give it (-0.0 becomes 0.0),
    into a new array, a given ``dst`` or the source itself, and (H, W, 1) comes back (H, W) as in cv2."""
    rng = np.random.default_rng(40)
    for shape in ((31, 19, 4), (7, 9, 1), (5, 3)):
        src = make_image(rng, shape, dtype)
        if src.dtype.kind == "f":
            src.flat[:3] = -0.0
        for normalize in (True, False):
            want = cv2.boxFilter(src, -1, (1, 1), normalize=normalize)
            got = purecv.boxFilter(src, -1, (1, 1), normalize=normalize)
            assert got.shape == want.shape
            np.testing.assert_array_equal(got, want)
            assert np.array_equal(np.signbit(got), np.signbit(want))
        if src.ndim == 3 and src.shape[2] > 1:
            inplace = src.copy()
            assert purecv.blur(inplace, (1, 1), dst=inplace) is inplace
            np.testing.assert_array_equal(inplace, cv2.blur(src, (1, 1)))


@pytest.mark.parametrize("sliding", [False, True])
def test_window_sums_never_read_unset_scratch(sliding):
    """The window-sum buffers are ``np.empty`` scratch: filled with NaN here, no NaN may reach a sum.

    (The sliding sum once started from ``out[0] * 0``: a NaN or inf left in freed memory made every
    window of a float32 blur NaN, now and then.)"""
    v = np.random.default_rng(35).random(700)
    for step in (1, 2, 3, 4, 8):
        for k in (2, 3, 7, 11, 12, 24, 30):
            n = len(v) - (k - 1) * step
            out = np.full(n, np.nan)
            tmp = np.full((3, len(v)), np.nan)
            _window_sum(v, out, n, step, k, tmp, sliding, np.empty(0, np.uint16))
            want = np.array([v[i : i + k * step : step].sum() for i in range(n)])
            np.testing.assert_allclose(out, want, rtol=1e-12)
    # 8-bit column sums into int32 window sums, W in a uint16 buffer (``narrow``), all scratch set to -1
    c = np.random.default_rng(36).integers(0, 255 * 64, 700).astype(np.uint16)
    for step in (1, 2, 4, 8, 16):
        for k in (11, 12, 24, 30):
            n = len(c) - (k - 1) * step
            out = np.full(n, -1, np.int32)
            tmp = np.full((3, len(c)), -1, np.int32)
            narrow = np.full(len(c), 0xFFFF, np.uint16)
            c_step = c // (16 // step) if step < 16 else c  # W = sums of 16 / step lanes must fit uint16
            _window_sum(c_step, out, n, step, k, tmp, sliding, narrow)
            want = np.array([int(c_step[i : i + k * step : step].sum()) for i in range(n)])
            np.testing.assert_array_equal(out, want)


@pytest.mark.parametrize("fetch", [False, True])
def test_sliding_and_rounding_in_one_pass(monkeypatch, fetch):
    """int32 window sums of 13+ columns on 2, 4, 8 or 16 channels slide and round in one loop
    (``_slide_finish``): rows of several chunks of lanes, each chunk's first vector and cv2's scalar
    tail (W * C % 8 lanes), every integer ddepth cv2 gives these sources (negative results into an
    unsigned type included), with and without the prefetching blocks."""
    if fetch:
        monkeypatch.setattr(box_kernels, "PREFETCH_MIN_BYTES", 0)
    rng = np.random.default_rng(41)
    cases = [
        (np.uint8, (purecv.CV_8U, purecv.CV_16U, purecv.CV_16S)),
        (np.uint16, (purecv.CV_16U,)),
        (np.int16, (purecv.CV_8U, purecv.CV_16U, purecv.CV_16S)),
    ]
    for dtype, ddepths in cases:
        for cn, width in ((2, 4500), (4, 2101), (8, 1103), (16, 262)):
            src = make_image(rng, shaped((40, width), cn), dtype)
            src[:, 10:30] = np.iinfo(dtype).max  # the largest sums
            for ksize in ((13, 21), (17, 3), (51, 4), (width + 5, 2)):
                for ddepth in ddepths:
                    for border in (purecv.BORDER_CONSTANT, purecv.BORDER_REFLECT_101):
                        got = purecv.boxFilter(src, ddepth, ksize, borderType=border)
                        want = cv2.boxFilter(src, ddepth, ksize, borderType=border)
                        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("cn", [2, 4, 8, 16])
def test_eight_bit_wide_windows_at_the_uint16_partial_sum_limit(cn):
    """8-bit boxes of area > 256 slide with partial sums of ``16 / cn`` column sums kept in uint16 while
    ``16 / cn * 255 * kh <= 65535``: the tallest window that fits and the next one, against cv2."""
    rng = np.random.default_rng(37)
    limit = 65535 // (255 * (16 // cn))
    src = make_image(rng, shaped((limit + 9, 4500 // cn), cn), np.uint8)
    src[:, 40:100] = 255  # bands of the largest sums between random ones: partial sums on both sides of 2**16
    src[:, 500:530] = 255
    for kh in (limit, limit + 1):
        for kw in (13, 40):
            np.testing.assert_array_equal(purecv.blur(src, (kw, kh)), cv2.blur(src, (kw, kh)))
            sums = purecv.boxFilter(src, purecv.CV_32S, (kw, kh), normalize=False)
            np.testing.assert_array_equal(sums, cv2.boxFilter(src, purecv.CV_32S, (kw, kh), normalize=False))


def test_nan_with_wide_windows_on_four_channels():
    """A NaN or inf never slides along the row: the rerun sums each window afresh."""
    rng = np.random.default_rng(34)
    src = rng.random((40, 700, 4)).astype(np.float32)
    src[5, 100, 1], src[30, 600, 2] = np.nan, np.inf
    for ksize in ((13, 3), (31, 7)):
        got = purecv.blur(src, ksize)
        nan_in = box_filter_ref(np.isnan(src).astype(np.float64), ksize, normalize=False) > 0
        inf_in = box_filter_ref((src == np.inf).astype(np.float64), ksize, normalize=False) > 0
        np.testing.assert_array_equal(np.isnan(got), nan_in)
        np.testing.assert_array_equal(got == np.inf, inf_in & ~nan_in)
        clean = ~nan_in & ~inf_in
        expected = box_filter_ref(np.nan_to_num(src, posinf=0.0).astype(np.float64), ksize)
        np.testing.assert_allclose(got[clean], expected[clean], rtol=1e-5)


def test_one_pixel_images_with_isolated_collapse_the_kernel():
    rng = np.random.default_rng(2)
    for shape in ((1, 17), (17, 1), (1, 1)):
        src = make_image(rng, shape, np.uint8)
        for border in BORDERS:
            for ksize in ((4, 4), (3, 6), (8, 2)):
                np.testing.assert_array_equal(
                    purecv.blur(src, ksize, borderType=border), cv2.blur(src, ksize, borderType=border)
                )


def test_non_contiguous_views_equal_copies():
    rng = np.random.default_rng(4)
    base = make_image(rng, (40, 60, 4), np.uint8)
    views = [base[::2, ::3], base[5:30, 7:50, :3], base[:, :, 1], base.transpose(1, 0, 2), base[::-1]]
    for view in views:
        assert not view.flags.c_contiguous
        np.testing.assert_array_equal(purecv.blur(view, (5, 3)), purecv.blur(view.copy(), (5, 3)))
        np.testing.assert_array_equal(purecv.blur(view, (5, 3)), cv2.blur(view, (5, 3)))


def test_dst_argument_and_in_place():
    rng = np.random.default_rng(6)
    src = make_image(rng, (64, 80, 3), np.uint8)
    expected = cv2.blur(src, (7, 7))
    dst = np.empty_like(src)
    assert purecv.blur(src, (7, 7), dst) is dst
    np.testing.assert_array_equal(dst, expected)
    inplace = src.copy()
    assert purecv.blur(inplace, (7, 7), dst=inplace) is inplace
    np.testing.assert_array_equal(inplace, expected)
    # a non-contiguous dst view is written through
    big = np.zeros((64, 160, 3), np.uint8)
    out_view = big[:, ::2]
    assert purecv.blur(src, (7, 7), dst=out_view) is out_view
    np.testing.assert_array_equal(big[:, ::2], expected)


def test_box_blur_is_blur_and_works_in_place():
    img = make_image(np.random.default_rng(8), (256, 256, 4), np.uint8)
    expected = cv2.blur(img, (8, 8))
    np.testing.assert_array_equal(purecv.box_blur(img, 8), expected)
    address = img.__array_interface__["data"][0]
    out = purecv.box_blur(img, 8, out=img)
    assert out is img
    assert img.__array_interface__["data"][0] == address
    np.testing.assert_array_equal(img, expected)


def test_many_channels_up_to_512():
    rng = np.random.default_rng(9)
    for cn in (2, 7, 64, 128):
        src = make_image(rng, (9, 7, cn), np.uint8)
        np.testing.assert_array_equal(purecv.blur(src, (3, 5)), cv2.blur(src, (3, 5)))
    for cn in (256, 512):  # cv2's Python binding refuses these arrays; purecv takes up to CV_CN_MAX
        src = make_image(rng, (9, 7, cn), np.uint8)
        np.testing.assert_array_equal(purecv.blur(src, (3, 5)), box_filter_ref(src, (3, 5)))


def test_single_channel_3d_input_returns_2d_like_cv2():
    src = make_image(np.random.default_rng(10), (9, 7, 1), np.uint16)
    got = purecv.blur(src, (3, 3))
    assert got.shape == (9, 7)
    np.testing.assert_array_equal(got, cv2.blur(src, (3, 3)))


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.int16, np.float32, np.float64], ids=str)
def test_wrap_border_against_reference(dtype):
    rng = np.random.default_rng(12)
    # 16-bit sums round in float32 except in the last W*C % 8 lanes (cv2's scalar tail), which the
    # reference does not model: keep W*C a multiple of 8 for those types.
    shapes = (
        ((2, 8), (9, 16), (20, 8)) if np.dtype(dtype).itemsize == 2 else ((1, 1), (2, 3), (9, 13), (20, 7))
    )
    for shape in shapes:
        for cn in (1, 3, 5):
            src = make_image(rng, shaped(shape, cn), dtype)
            for ksize in ((3, 3), (2, 2), (4, 7), (25, 3)):
                for anchor in ((-1, -1), (0, 0)):
                    for normalize in (True, False):
                        ddepth = -1 if normalize else purecv.CV_64F
                        got = purecv.boxFilter(
                            src,
                            ddepth,
                            ksize,
                            anchor=anchor,
                            normalize=normalize,
                            borderType=purecv.BORDER_WRAP,
                        )
                        ref = box_filter_ref(src, ksize, anchor, normalize, purecv.BORDER_WRAP, ddepth)
                        if got.dtype.kind == "f":
                            np.testing.assert_allclose(
                                got, ref, rtol=1e-5, atol=1e-9 * float(np.abs(src).max())
                            )
                        else:
                            np.testing.assert_array_equal(got, ref)


@pytest.mark.parametrize("threads", [1, 2])
def test_nan_and_inf_reach_exactly_the_windows_that_hold_them(threads):
    """NaN/inf propagate to every output whose window holds one, as in cv2, and no further.

    cv2's running sums also carry a NaN on along the rows and columns after its window (a whole
    600x500 image for a 9x9 box); purecv does not, so there it gives a subset of cv2's non-finite pixels
    and equal values elsewhere.
    """
    rng = np.random.default_rng(14)
    purecv.setNumThreads(threads)
    try:
        for shape in ((12, 10), (600, 500)):
            src = rng.random(shape).astype(np.float32)
            src[4, 3], src[8, 7], src[shape[0] - 3, 2], src[300 % shape[0], 9] = (
                np.nan,
                np.inf,
                -np.inf,
                np.inf,
            )
            for ksize in ((3, 3), (4, 4), (7, 3), (9, 9)):
                for border in (purecv.BORDER_REFLECT_101, purecv.BORDER_CONSTANT, purecv.BORDER_WRAP):
                    got = purecv.blur(src, ksize, borderType=border)

                    def holds(mask, ksize=ksize, border=border):
                        counts = box_filter_ref(
                            mask.astype(np.float64), ksize, normalize=False, borderType=border
                        )
                        return counts > 0

                    nan_in, pos_in, neg_in = holds(np.isnan(src)), holds(src == np.inf), holds(src == -np.inf)
                    np.testing.assert_array_equal(np.isnan(got), nan_in | (pos_in & neg_in))
                    np.testing.assert_array_equal(got == np.inf, pos_in & ~nan_in & ~neg_in)
                    np.testing.assert_array_equal(got == -np.inf, neg_in & ~nan_in & ~pos_in)
                    if border == purecv.BORDER_WRAP:
                        continue
                    expected = cv2.blur(src, ksize, borderType=border)
                    assert not (np.isfinite(expected) & ~np.isfinite(got)).any()
                    finite = np.isfinite(expected) & np.isfinite(got)
                    np.testing.assert_allclose(got[finite], expected[finite], rtol=1e-5)
    finally:
        purecv.setNumThreads(-1)


def test_gil_released_threads_give_same_results():
    rng = np.random.default_rng(13)
    images = [make_image(rng, (300, 400, 3), np.uint8) for _ in range(4)]
    results = [None] * 4

    def work(i):
        results[i] = purecv.blur(images[i], (9, 9))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for img, res in zip(images, results, strict=True):
        np.testing.assert_array_equal(res, cv2.blur(img, (9, 9)))


@pytest.mark.parametrize("cn", [1, 3, 4])
@pytest.mark.parametrize("ksize", [(2, 1), (1, 2)])
def test_area_two_saturates_in_the_body_and_wraps_in_the_tail(ksize, cn):
    """The one 8-bit box whose rounding reaches 256 (two 255s): cv2 gives 255 in its SIMD body and 0 in
    the last ``W*C % 16`` lanes of a row; the widths cross the boundary."""
    rng = np.random.default_rng(2)
    for w in (1, 5, 6, 15, 16, 17, 63, 64, 65, 700):
        img = rng.integers(250, 256, (4, w, cn), dtype=np.uint8)
        img[1:3, ::2] = 255
        np.testing.assert_array_equal(purecv.blur(img, ksize), cv2.blur(img, ksize))


@settings(max_examples=40, deadline=None)
@given(
    value=st.integers(0, 255),
    h=st.integers(1, 20),
    w=st.integers(1, 20),
    kw=st.integers(1, 30),
    kh=st.integers(1, 30),
    border=st.sampled_from([1, 2, 3, 4]),
)
def test_property_constant_image_stays_constant(value, h, w, kw, kh, border):
    """Except for a box of area 2, where cv2's 8-bit rounding ``((2v + 2) * 2**22) >> 23`` gives ``v + 1``:
    256 for 255, which cv2's SIMD body saturates to 255 and its scalar tail (the last ``W*C % 16`` lanes
    of a row) casts to 0; purecv does the same, bit for bit."""
    img = np.full((h, w, 3), value, np.uint8)
    expected = img
    if kw * kh == 2:
        rows = np.full((h, w * 3), value + 1)
        rows[:, : w * 3 - w * 3 % 16] = np.minimum(rows[:, : w * 3 - w * 3 % 16], 255)
        expected = (rows % 256).astype(np.uint8).reshape(img.shape)
    got = purecv.blur(img, (kw, kh), borderType=border)
    np.testing.assert_array_equal(got, expected)
    if border != purecv.BORDER_WRAP:  # (cv2 refuses WRAP)
        np.testing.assert_array_equal(got, cv2.blur(img, (kw, kh), borderType=border))


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    h=st.integers(1, 16),
    w=st.integers(1, 16),
    kw=st.integers(1, 40),
    kh=st.integers(1, 40),
)
def test_property_wrap_keeps_the_sum(seed, h, w, kw, kh):
    img = np.random.default_rng(seed).integers(0, 256, (h, w), dtype=np.uint8)
    sums = purecv.boxFilter(img, purecv.CV_32S, (kw, kh), normalize=False, borderType=purecv.BORDER_WRAP)
    assert int(sums.sum()) == int(img.sum()) * kw * kh


# --- bad input ---------------------------------------------------------------------------------------------

GOOD = np.zeros((4, 4), np.uint8)


@pytest.mark.parametrize(
    ("dtype", "name"),
    [
        (np.bool_, "bool"),
        (np.int64, "int64"),
        (np.float16, "float16"),
        (np.complex64, "complex64"),
        (object, "object"),
        (np.int8, "int8"),
    ],
)
def test_refused_dtypes(dtype, name):
    with pytest.raises(TypeError, match=rf"blur: 'src' has dtype {name}; expected one of uint8"):
        purecv.blur(np.zeros((4, 4), dtype), (3, 3))


@pytest.mark.parametrize(
    ("ksize", "exc", "match"),
    [
        ((0, 3), ValueError, r"'ksize' must be a pair of positive ints \(width, height\); got \(0, 3\)"),
        ((3, -1), ValueError, "positive"),
        ((3.0, 3), TypeError, r"'ksize' must be a pair of ints"),
        (3, TypeError, r"'ksize' must be a pair of ints \(width, height\); got 3"),
        ((3, 3, 3), TypeError, "pair"),
        ("33", TypeError, "pair"),
        ((True, 3), TypeError, "pair"),
    ],
)
def test_bad_ksize(ksize, exc, match):
    with pytest.raises(exc, match=match):
        purecv.blur(GOOD, ksize)


def test_cached_plans_never_serve_a_wrong_type_or_thread_count():
    """A call with plain arguments is planned once and cached; equal values of other types (a bool for an
    int, a list for a tuple, a NumPy int) take the checked path: a bool still raises, the others give the
    same result. A plan made at one thread count is not reused at another."""
    img = np.random.default_rng(41).integers(0, 256, (300, 900, 4), dtype=np.uint8)
    want = cv2.blur(img, (1, 3))
    np.testing.assert_array_equal(purecv.blur(img, (1, 3)), want)  # cached now
    with pytest.raises(TypeError, match="pair"):
        purecv.blur(img, (True, 3))
    with pytest.raises(TypeError, match="anchor"):
        purecv.blur(img, (1, 3), anchor=(False, -1))
    with pytest.raises(TypeError, match="borderType"):
        purecv.blur(img, (1, 3), borderType=True)
    for ksize in ([1, 3], (np.int64(1), 3), np.array([1, 3])):
        np.testing.assert_array_equal(purecv.blur(img, ksize), want)
    np.testing.assert_array_equal(purecv.boxFilter(img, np.int32(-1), (1, 3)), want)
    np.testing.assert_array_equal(purecv.boxFilter(img, -1, (1, 3), normalize=np.bool_(True)), want)
    plans = purecv.filters.box._cached_plan
    before = plans.cache_info()
    try:
        for threads in (1, 2, 1):
            purecv.setNumThreads(threads)
            cv2.setNumThreads(threads)
            np.testing.assert_array_equal(purecv.blur(img, (9, 7)), cv2.blur(img, (9, 7)))
        after = plans.cache_info()
        assert (after.misses - before.misses, after.hits - before.hits) == (2, 1)  # one plan per count
    finally:
        purecv.setNumThreads(-1)
        cv2.setNumThreads(-1)


def test_bad_anchor_border_ddepth_dst():
    with pytest.raises(ValueError, match=r"'anchor' must lie inside the 3x3 kernel"):
        purecv.blur(GOOD, (3, 3), anchor=(3, 0))
    with pytest.raises(ValueError, match=r"'anchor' must lie inside"):
        purecv.blur(GOOD, (3, 3), anchor=(-2, 0))
    with pytest.raises(TypeError, match=r"'anchor' must be a pair of ints"):
        purecv.blur(GOOD, (3, 3), anchor=(1,))
    for border in (purecv.BORDER_TRANSPARENT, 7, -1, 99):
        with pytest.raises(ValueError, match=r"'borderType' must be one of BORDER_CONSTANT"):
            purecv.blur(GOOD, (3, 3), borderType=border)
    with pytest.raises(TypeError, match="'borderType' must be an int"):
        purecv.blur(GOOD, (3, 3), borderType="reflect")
    with pytest.raises(ValueError, match=r"boxFilter: 'ddepth' for a CV_32F source must be -1 or one of"):
        purecv.boxFilter(GOOD.astype(np.float32), purecv.CV_32S, (3, 3))
    with pytest.raises(ValueError, match="'ddepth'"):
        purecv.boxFilter(GOOD, 42, (3, 3))
    with pytest.raises(TypeError, match=r"'dst' has dtype uint16; expected uint8"):
        purecv.blur(GOOD, (3, 3), dst=np.zeros((4, 4), np.uint16))
    with pytest.raises(ValueError, match=r"'dst' has shape \(4, 5\); expected \(4, 4\)"):
        purecv.blur(GOOD, (3, 3), dst=np.zeros((4, 5), np.uint8))
    with pytest.raises(TypeError, match="'dst' must be a numpy.ndarray"):
        purecv.blur(GOOD, (3, 3), dst=[[0]])


def test_bad_arrays():
    with pytest.raises(ValueError, match=r"'src' is empty \(shape \(0, 4\)\)"):
        purecv.blur(np.zeros((0, 4), np.uint8), (3, 3))
    with pytest.raises(ValueError, match=r"must have 2 dimensions \(H, W\) or 3 \(H, W, C\); got shape"):
        purecv.blur(np.zeros((2, 2, 2, 2), np.uint8), (3, 3))
    with pytest.raises(ValueError, match=r"must have 2 dimensions"):
        purecv.blur(np.zeros(5, np.uint8), (3, 3))
    with pytest.raises(ValueError, match=r"has 513 channels; expected at most 512"):
        purecv.blur(np.zeros((2, 2, 513), np.uint8), (3, 3))
    with pytest.raises(TypeError, match=r"blur: 'src' must be a numpy.ndarray; got list"):
        purecv.blur([[1, 2], [3, 4]], (3, 3))
    with pytest.raises(TypeError, match=r"box_blur: 'diameter' must be an int"):
        purecv.box_blur(GOOD, 2.5)
    with pytest.raises(ValueError, match=r"box_blur: 'diameter' must be >= 1; got 0"):
        purecv.box_blur(GOOD, 0)


def test_set_num_threads_like_cv2():
    try:
        purecv.setNumThreads(0)
        assert purecv.getNumThreads() == 1
        purecv.setNumThreads(1)
        assert purecv.getNumThreads() == 1
        purecv.setNumThreads(10_000)
        assert purecv.getNumThreads() >= 1
    finally:
        purecv.setNumThreads(-1)
    with pytest.raises(TypeError, match="'nthreads' must be an int"):
        purecv.setNumThreads(1.5)
