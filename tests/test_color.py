"""cvtColor against cv2 5.0.0: every code x dtype x channel layout, dstCn, dst/in place, strides, errors."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

import purecv

DTYPES = (np.uint8, np.uint16, np.float32)
CODES = list(range(12))  # COLOR_BGR2BGRA (0) ... COLOR_RGBA2GRAY (11)
GRAY_CODES = (
    purecv.COLOR_BGR2GRAY,
    purecv.COLOR_RGB2GRAY,
    purecv.COLOR_BGRA2GRAY,
    purecv.COLOR_RGBA2GRAY,
)
# cv2's float32 gray is IPP's AVX-512 kernel here; elsewhere it adds in another order (1 ulp apart).
CPU_AVX512_SKX = 256  # cv::CPU_AVX512_SKX (not exported by the Python bindings)
FLOAT_GRAY_EXACT = cv2.ipp.useIPP() and cv2.checkHardwareSupport(CPU_AVX512_SKX)


def rand(rng, shape, dtype):
    if np.dtype(dtype) == np.float32:
        return rng.random(shape, dtype=np.float32)
    return rng.integers(0, np.iinfo(dtype).max + 1, shape, dtype=dtype)


def cv2_or_error(*args, **kwargs):
    try:
        return cv2.cvtColor(*args, **kwargs)
    except cv2.error:
        return None


def assert_matches_cv2(got, want, *, gray_float=False):
    assert got.shape == want.shape
    assert got.dtype == want.dtype
    if gray_float and not FLOAT_GRAY_EXACT:
        ulps = np.abs(got.astype(np.float64) - want) / np.spacing(np.abs(want))
        assert ulps.max() <= 1
    else:
        np.testing.assert_array_equal(got, want)


def test_constants_are_cv2s():
    names = [n for n in purecv.constants.__all__ if n.startswith(("COLOR_", "ALGO_HINT_"))]
    assert len(names) == 23
    for name in names:
        assert getattr(purecv, name) == getattr(cv2, name), name


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("code", CODES)
def test_every_code_and_layout_matches_cv2(code, dtype):
    """Accepts what cv2 accepts, refuses what it refuses, and gives the same pixels."""
    rng = np.random.default_rng(code)
    for shape in [(1, 1), (2, 3), (37, 45), (8, 69)]:
        for layout in (shape, (*shape, 1), (*shape, 2), (*shape, 3), (*shape, 4)):
            src = rand(rng, layout, dtype)
            want = cv2_or_error(src, code)
            if want is None:
                with pytest.raises(ValueError, match=r"cvtColor: COLOR_.*-channel 'src'; got \d channel"):
                    purecv.cvtColor(src, code)
                continue
            got = purecv.cvtColor(src, code)
            assert_matches_cv2(got, want, gray_float=code in GRAY_CODES and dtype == np.float32)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("code", CODES)
def test_dst_cn_matches_cv2(code, dtype):
    rng = np.random.default_rng(100 + code)
    for cn in (1, 3, 4):
        src = rand(rng, (5, 9, cn), dtype)
        for dcn in range(6):
            want = cv2_or_error(src, code, dstCn=dcn)
            if want is None or (code in GRAY_CODES and dcn > 1):
                with pytest.raises(ValueError, match="cvtColor: "):
                    purecv.cvtColor(src, code, dstCn=dcn)
                continue
            got = purecv.cvtColor(src, code, dstCn=dcn)
            assert_matches_cv2(got, want, gray_float=code in GRAY_CODES and dtype == np.float32)


def test_gray_u8_exhaustive():
    """All 2**24 colours, both channel orders, 3 and 4 channels: cv2's 15-bit weights, rounded."""
    levels = np.arange(256, dtype=np.uint8)
    b, g, r = np.meshgrid(levels, levels, levels, indexing="ij")
    bgr = np.stack([b, g, r], axis=-1).reshape(4096, 4096, 3)
    for code in (purecv.COLOR_BGR2GRAY, purecv.COLOR_RGB2GRAY):
        np.testing.assert_array_equal(purecv.cvtColor(bgr, code), cv2.cvtColor(bgr, code))
    bgra = np.concatenate([bgr[:512], np.full((512, 4096, 1), 7, np.uint8)], axis=2)
    for code in (purecv.COLOR_BGRA2GRAY, purecv.COLOR_RGBA2GRAY):
        np.testing.assert_array_equal(purecv.cvtColor(bgra, code), cv2.cvtColor(bgra, code))


def test_gray_u8_formula():
    """The documented recipe: (B*3735 + G*19235 + R*9798 + 2**14) >> 15."""
    bgr = np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255], [10, 20, 30], [255, 255, 255]]], np.uint8)
    b, g, r = (bgr[..., i].astype(np.int64) for i in range(3))
    np.testing.assert_array_equal(
        purecv.cvtColor(bgr, purecv.COLOR_BGR2GRAY), (b * 3735 + g * 19235 + r * 9798 + 16384) >> 15
    )


def test_gray_u16_extremes_and_grid():
    """The 16-bit sum must not overflow: every corner of the cube, then a seeded grid."""
    ends = (0, 1, 32768, 65534, 65535)
    corners = np.array([[[b, g, r] for b in ends for g in ends for r in ends]])
    rng = np.random.default_rng(7)
    for src in (corners.astype(np.uint16), rand(rng, (300, 301, 3), np.uint16)):
        for code in (purecv.COLOR_BGR2GRAY, purecv.COLOR_RGB2GRAY):
            np.testing.assert_array_equal(purecv.cvtColor(src, code), cv2.cvtColor(src, code))


@pytest.mark.parametrize("cn", [3, 4])
def test_gray_f32_every_tail_width(cn):
    """Widths 1..40 cover IPP's 8-pixel body and its 4-pixel tail block; values in [0, 255], not [0, 1]."""
    rng = np.random.default_rng(cn)
    codes = (purecv.COLOR_BGR2GRAY, purecv.COLOR_RGB2GRAY)
    for width in range(1, 41):
        src = (rng.random((7, width, cn), dtype=np.float32) * 255).astype(np.float32)
        for code in codes:
            assert_matches_cv2(purecv.cvtColor(src, code), cv2.cvtColor(src, code), gray_float=True)


@pytest.mark.parametrize(
    ("dtype", "alpha"), [(np.uint8, 255), (np.uint16, 65535), (np.float32, 1.0)], ids=["u8", "u16", "f32"]
)
def test_added_alpha_is_the_dtype_max(dtype, alpha):
    gray = np.zeros((2, 3), dtype)
    bgr = np.zeros((2, 3, 3), dtype)
    cases = [(gray, purecv.COLOR_GRAY2BGRA), (bgr, purecv.COLOR_BGR2BGRA), (bgr, purecv.COLOR_RGB2BGRA)]
    for src, code in cases:
        out = purecv.cvtColor(src, code)
        assert out.shape == (2, 3, 4)
        assert (out[..., 3] == alpha).all()
        assert (out[..., :3] == 0).all()


def test_alpha_passes_through():
    bgra = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    out = purecv.cvtColor(bgra, purecv.COLOR_BGRA2RGBA)
    np.testing.assert_array_equal(out, bgra[..., [2, 1, 0, 3]])
    np.testing.assert_array_equal(purecv.cvtColor(bgra, purecv.COLOR_BGR2BGRA), bgra)


def test_gray_2d_and_3d_single_channel():
    rng = np.random.default_rng(3)
    gray = rand(rng, (6, 7), np.uint8)
    for code in (purecv.COLOR_GRAY2BGR, purecv.COLOR_GRAY2BGRA, purecv.COLOR_BGR2RGB, purecv.COLOR_BGR2BGRA):
        a = purecv.cvtColor(gray, code)
        np.testing.assert_array_equal(a, purecv.cvtColor(gray[..., None], code))
        np.testing.assert_array_equal(a, cv2.cvtColor(gray, code))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "view",
    [
        lambda a: a[::2, ::3],
        lambda a: a[1:, :-1],
        lambda a: a[..., ::-1],
        lambda a: a.transpose(1, 0, 2),
        lambda a: np.asfortranarray(a),
    ],
    ids=["step", "crop", "reversed-channels", "transposed", "fortran"],
)
def test_non_contiguous_sources(view, dtype):
    rng = np.random.default_rng(11)
    for cn, codes in [(3, (0, 2, 4, 6, 7)), (4, (1, 3, 5, 10, 11))]:
        src = view(rand(rng, (23, 31, cn), dtype))
        assert not src.flags.c_contiguous
        for code in codes:
            assert_matches_cv2(
                purecv.cvtColor(src, code),
                cv2.cvtColor(np.ascontiguousarray(src), code),
                gray_float=code in GRAY_CODES and dtype == np.float32,
            )


@pytest.mark.parametrize("dtype", DTYPES)
def test_dst_is_filled_and_returned(dtype):
    rng = np.random.default_rng(5)
    src = rand(rng, (9, 10, 3), dtype)
    for code, shape in [(purecv.COLOR_BGR2GRAY, (9, 10)), (purecv.COLOR_BGR2RGBA, (9, 10, 4))]:
        dst = np.zeros(shape, dtype)
        out = purecv.cvtColor(src, code, dst)
        assert out is dst
        assert_matches_cv2(dst, cv2.cvtColor(src, code), gray_float=code == purecv.COLOR_BGR2GRAY)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("cn", [3, 4])
def test_in_place(cn, dtype):
    rng = np.random.default_rng(6)
    src = rand(rng, (64, 65, cn), dtype)
    want = cv2.cvtColor(src, purecv.COLOR_BGR2RGB, dstCn=cn)
    out = purecv.cvtColor(src, purecv.COLOR_BGR2RGB, src, dstCn=cn)
    assert out is src
    np.testing.assert_array_equal(src, want)


def test_dst_non_contiguous_and_overlapping():
    rng = np.random.default_rng(8)
    big = rand(rng, (20, 40, 3), np.uint8)
    src = big[:, :20].copy()
    want = cv2.cvtColor(src, purecv.COLOR_BGR2RGB)
    dst = big[:, 20:]  # a strided view of another array
    assert purecv.cvtColor(src, purecv.COLOR_BGR2RGB, dst) is dst
    np.testing.assert_array_equal(dst, want)
    # dst overlaps src shifted by one pixel: the result must be as if src were read first
    buf = rand(rng, (10, 11, 3), np.uint8)
    src, dst = buf[:, :-1], buf[:, 1:]
    want = cv2.cvtColor(np.ascontiguousarray(src), purecv.COLOR_BGR2RGB)
    purecv.cvtColor(src, purecv.COLOR_BGR2RGB, dst)
    np.testing.assert_array_equal(dst, want)
    flat = rand(rng, (4 * 5 * 3 + 3,), np.uint8)
    src, dst = flat[:-3].reshape(4, 5, 3), flat[3:].reshape(4, 5, 3)
    want = cv2.cvtColor(src.copy(), purecv.COLOR_BGR2RGB)
    purecv.cvtColor(src, purecv.COLOR_BGR2RGB, dst)
    np.testing.assert_array_equal(dst, want)


def test_hint_accepted_like_cv2():
    rng = np.random.default_rng(9)
    src = rand(rng, (5, 6, 3), np.uint8)
    for hint in (purecv.ALGO_HINT_DEFAULT, purecv.ALGO_HINT_ACCURATE, purecv.ALGO_HINT_APPROX):
        np.testing.assert_array_equal(
            purecv.cvtColor(src, purecv.COLOR_BGR2GRAY, hint=hint),
            cv2.cvtColor(src, cv2.COLOR_BGR2GRAY, hint=hint),
        )


BGR = np.zeros((4, 5, 3), np.uint8)
GRAY = np.zeros((4, 5), np.uint8)
READ_ONLY = np.zeros((4, 5, 3), np.uint8)
READ_ONLY.flags.writeable = False
ERRORS = {
    "not-array": (lambda: purecv.cvtColor([[1, 2]], 8), TypeError, "'src' must be a numpy.ndarray; got list"),
    "4-d": (lambda: purecv.cvtColor(BGR[None], 6), ValueError, r"2 dimensions .* got shape \(1, 4, 5, 3\)"),
    "empty": (lambda: purecv.cvtColor(BGR[:0], 6), ValueError, r"'src' is empty \(shape \(0, 5, 3\)\)"),
    "code-str": (
        lambda: purecv.cvtColor(BGR, "gray"),
        TypeError,
        "'code' must be an int COLOR_.* got 'gray'",
    ),
    "code-bool": (lambda: purecv.cvtColor(BGR, True), TypeError, "'code' must be an int COLOR_"),
    "code-12": (
        lambda: purecv.cvtColor(BGR, 12),
        ValueError,
        "'code' 12 is not a conversion purecv supports",
    ),
    "code-neg": (lambda: purecv.cvtColor(BGR, -1), ValueError, "'code' -1 is not a conversion purecv"),
    "code-hsv": (
        lambda: purecv.cvtColor(BGR, cv2.COLOR_BGR2HSV),
        ValueError,
        "'code' 40 is not a conversion",
    ),
    "gray-of-1": (
        lambda: purecv.cvtColor(GRAY, 6),
        ValueError,
        r"cvtColor: COLOR_BGR2GRAY \(6\) needs a 3- or 4-channel 'src'; got 1 channel \(shape \(4, 5\)\)",
    ),
    "gray2bgr-of-3": (
        lambda: purecv.cvtColor(BGR, 8),
        ValueError,
        r"COLOR_GRAY2BGR/COLOR_GRAY2RGB \(8\) needs a 1-channel 'src'; got 3 channels",
    ),
    "swap-of-2": (
        lambda: purecv.cvtColor(BGR[..., :2], 4),
        ValueError,
        r"COLOR_BGR2RGB/COLOR_RGB2BGR \(4\) needs a 1-, 3- or 4-channel 'src'; got 2 channels",
    ),
    "dstcn-2": (
        lambda: purecv.cvtColor(BGR, 4, dstCn=2),
        ValueError,
        r"'dstCn' for COLOR_BGR2RGB/COLOR_RGB2BGR \(4\) must be one of \(0, 3, 4\); got 2",
    ),
    "dstcn-gray": (
        lambda: purecv.cvtColor(BGR, 6, dstCn=3),
        ValueError,
        r"'dstCn' for COLOR_BGR2GRAY \(6\) must be one of \(0, 1\); got 3",
    ),
    "dstcn-float": (lambda: purecv.cvtColor(BGR, 4, dstCn=3.0), TypeError, "'dstCn' must be an int"),
    "hint-5": (
        lambda: purecv.cvtColor(BGR, 6, hint=5),
        ValueError,
        "'hint' must be ALGO_HINT_DEFAULT .* got 5",
    ),
    "hint-none": (lambda: purecv.cvtColor(BGR, 6, hint=None), TypeError, "'hint' must be an int"),
    "dst-shape": (
        lambda: purecv.cvtColor(BGR, 6, BGR),
        ValueError,
        r"'dst' has shape \(4, 5, 3\); expected \(4, 5\)",
    ),
    "dst-dtype": (
        lambda: purecv.cvtColor(BGR, 4, BGR.astype(np.uint16)),
        TypeError,
        "'dst' has dtype uint16; expected uint8",
    ),
    "dst-read-only": (lambda: purecv.cvtColor(BGR, 4, READ_ONLY), ValueError, "'dst' is read-only"),
}


@pytest.mark.parametrize("case", ERRORS, ids=list(ERRORS))
def test_errors(case):
    call, exc, pattern = ERRORS[case]
    with pytest.raises(exc, match=pattern):
        call()


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.float64, np.float16, np.bool_])
def test_unsupported_dtypes(dtype):
    name = np.dtype(dtype).name
    with pytest.raises(
        TypeError, match=f"cvtColor: 'src' has dtype {name}; expected one of uint8, uint16, float32"
    ):
        purecv.cvtColor(BGR.astype(dtype), purecv.COLOR_BGR2GRAY)
