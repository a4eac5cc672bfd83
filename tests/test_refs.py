"""purecv._kernels.refs: borrowed arrays are the same memory, and count no references."""

from __future__ import annotations

import sys

import numpy as np
from numba import njit

from purecv._kernels.refs import borrowed


@njit
def _fill_tail(a, value):
    b = borrowed(a)
    tail = b[1:]
    for i in range(tail.shape[0]):
        tail[i] = value
    return b[0] + tail[-1]


@njit
def _sum_rows(a):
    b = borrowed(a)
    total = 0.0
    for r in range(b.shape[0]):
        row = b[r]
        for i in range(row.shape[0]):
            total += row[i]
    return total


def test_borrowed_is_the_same_memory():
    a = np.zeros(5, np.int32)
    assert _fill_tail(a, 7) == 7
    assert a.tolist() == [0, 7, 7, 7, 7]
    m = np.arange(12.0).reshape(3, 4)[:, ::2]  # a strided view keeps its strides
    assert _sum_rows(m) == m.sum()


def test_borrowed_leaves_reference_counts_alone():
    a = np.zeros(100, np.int64)
    before = sys.getrefcount(a)
    for _ in range(1000):
        _fill_tail(a, 1)
    assert sys.getrefcount(a) == before
