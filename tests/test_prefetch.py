"""The cache hints (``purecv._kernels.prefetch``): they compile for any 1-D array and change nothing."""

import platform

import numba
import numpy as np
import pytest

from purecv._kernels.prefetch import LINE_BYTES, prefetch_read, prefetch_write


@numba.njit
def _touch(a, b):
    """Ask for every line of ``a`` (read) and ``b`` (write), then return their sums."""
    for i in range(0, a.shape[0], max(1, LINE_BYTES // a.itemsize)):
        prefetch_read(a, i)
    for i in range(0, b.shape[0], max(1, LINE_BYTES // b.itemsize)):
        prefetch_write(b, i)
    return a.sum(), b.sum()


@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.float32, np.float64])
def test_prefetching_changes_nothing(dtype):
    a = np.arange(1000).astype(dtype)
    b = (np.arange(1000) % 7).astype(dtype)
    before = a.copy(), b.copy()
    for x, y in ((a, b), (a[::3], b[1::2]), (a[:0], b[:1])):  # strided views and empty rows too
        got = _touch(x, y)
        assert got == (x.sum(), y.sum())
    np.testing.assert_array_equal(a, before[0])
    np.testing.assert_array_equal(b, before[1])


@pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"), reason="x86 instruction names")
def test_hints_compile_to_prefetch_instructions():
    _touch(np.zeros(64, np.uint8), np.zeros(64, np.uint8))
    asm = _touch.inspect_asm(_touch.signatures[0])
    assert "prefetcht1" in asm
    assert "prefetchw" in asm
