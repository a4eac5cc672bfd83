"""The lane-width integer helpers (``purecv._kernels.lanes``) against NumPy's own fixed-width arithmetic."""

import numba
import numpy as np
import pytest

from purecv._kernels.lanes import mul_high, shift_right, wrap_add


@numba.njit
def _apply(a, b, s, out):
    for i in range(a.shape[0]):
        out[0, i] = wrap_add(a[i], b[i])
        out[1, i] = shift_right(a[i], s[i])


@numba.njit
def _mul_high(a, b, out):
    for i in range(a.shape[0]):
        out[i] = mul_high(a[i], b[i])


@numba.njit
def _mul_high_by(a, m, out):
    for i in range(a.shape[0]):  # one multiplier for every lane, as the box filter's rounding has it
        out[i] = mul_high(a[i], m)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.uint32, np.int16, np.int32])
def test_wrap_add_and_shift_right_match_numpy(dtype):
    info = np.iinfo(dtype)
    rng = np.random.default_rng(7)
    a = rng.integers(info.min, info.max, 5000, dtype, endpoint=True)
    b = rng.integers(info.min, info.max, 5000, dtype, endpoint=True)
    a[:4], b[:4] = (info.max, info.max, info.min, 0), (1, info.max, info.min, info.min)
    s = rng.integers(0, info.bits, 5000).astype(dtype)
    out = np.zeros((2, a.size), dtype)  # rows: wrap_add, shift_right
    _apply(a, b, s, out)
    with np.errstate(over="ignore"):
        np.testing.assert_array_equal(out[0], a + b)
    np.testing.assert_array_equal(out[1], a >> s)


@pytest.mark.parametrize(
    ("dtype", "wide"), [(np.uint8, np.uint16), (np.uint16, np.uint32), (np.uint32, np.uint64)]
)
def test_mul_high_is_the_high_half_of_the_exact_product(dtype, wide):
    info = np.iinfo(dtype)
    grid = np.linspace(0, info.max, 257).astype(dtype)
    a, b = (x.ravel() for x in np.meshgrid(grid, grid))
    out = np.zeros_like(a)
    _mul_high(a, b, out)
    want = ((a.astype(wide) * b.astype(wide)) >> info.bits).astype(dtype)
    np.testing.assert_array_equal(out, want)


@pytest.mark.parametrize("m", [1, 3, 255, 256, 4096, 7282, 32768, 65535])
def test_mul_high_by_a_constant_truncates_for_every_uint16(m):
    # the vectorised loop of the box filter's 8-bit rounding, over every input it can meet
    a = np.arange(1 << 16, dtype=np.uint16)
    out = np.zeros_like(a)
    _mul_high_by(a, np.uint16(m), out)
    want = ((a.astype(np.uint32) * m) >> 16).astype(np.uint16)
    np.testing.assert_array_equal(out, want)


def test_mul_high_refuses_signed_and_mixed_types():
    with pytest.raises(numba.TypingError):
        _mul_high(np.zeros(2, np.int16), np.zeros(2, np.int16), np.zeros(2, np.int16))
    with pytest.raises(numba.TypingError):
        _mul_high(np.zeros(2, np.uint16), np.zeros(2, np.uint32), np.zeros(2, np.uint16))
