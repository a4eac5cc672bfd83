"""Shared helpers of the separable-filter tests: seeded test images, a mismatch tally with the exactness
rules, and slow, readable NumPy references for what cv2 cannot check (BORDER_WRAP, a constant border value
other than 0).

Padding is ``numpy.pad`` (not purecv's border tables); the sums are plain loops over the taps.
"""

import numpy as np

from purecv.constants import (
    BORDER_CONSTANT,
    BORDER_REFLECT,
    BORDER_REFLECT_101,
    BORDER_REPLICATE,
    BORDER_WRAP,
)

NP_MODE = {
    BORDER_REPLICATE: "edge",
    BORDER_REFLECT: "symmetric",
    BORDER_REFLECT_101: "reflect",
    BORDER_WRAP: "wrap",
}


def pad(src, top, bottom, left, right, border, value=0):
    """``src`` (H, W, C) padded by numpy.pad; ``value``: one number or one per channel for CONSTANT."""
    widths = ((top, bottom), (left, right), (0, 0))
    if border != BORDER_CONSTANT:
        return np.pad(src, widths, mode=NP_MODE[border])
    values = np.broadcast_to(np.asarray(value, np.float64), (src.shape[2],))
    out = np.empty((src.shape[0] + top + bottom, src.shape[1] + left + right, src.shape[2]), src.dtype)
    out[...] = values.astype(src.dtype)
    out[top : top + src.shape[0], left : left + src.shape[1]] = src
    return out


def correlate(src, kx, ky, anchor, border, value=0, acc=np.float64):
    """``sum_i sum_j ky[i] * kx[j] * P[y + i, x + j]`` over the padded image, in ``acc`` arithmetic."""
    src3 = src.reshape(src.shape[0], src.shape[1], -1)
    ax, ay = anchor
    kx = np.asarray(kx, acc)
    ky = np.asarray(ky, acc)
    p = pad(src3, ay, len(ky) - 1 - ay, ax, len(kx) - 1 - ax, border, value).astype(acc)
    h, w = src3.shape[:2]
    rows = np.zeros((p.shape[0], w, src3.shape[2]), acc)
    for j in range(len(kx)):  # horizontal pass
        rows += kx[j] * p[:, j : j + w]
    out = np.zeros(src3.shape, acc)
    for i in range(len(ky)):  # vertical pass
        out += ky[i] * rows[i : i + h]
    return out.reshape(src.shape)


def fixed_point(src, kx, ky, bits, border, value=0):
    """OpenCV's GaussianBlur fixed point: integer taps with ``bits`` fractional bits, exact sums, one
    rounding ``(acc + 2**(2*bits - 1)) >> 2*bits``."""
    acc = correlate(
        src.astype(np.int64),
        np.array(kx, np.int64),
        np.array(ky, np.int64),
        (len(kx) // 2, len(ky) // 2),
        border,
        value,
        acc=np.int64,
    )
    return ((acc + (1 << (2 * bits - 1))) >> (2 * bits)).astype(src.dtype)


def saturate(values, dtype):
    """Round half to even and saturate to ``dtype`` (a cast for floats)."""
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        return values.astype(dtype)
    info = np.iinfo(dtype)
    return np.clip(np.rint(values), info.min, info.max).astype(dtype)


def image(shape, dtype, rng):
    """A random image: the full integer range, or uniform in [-100, 300) for floats."""
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        return rng.uniform(-100, 300, shape).astype(dtype)
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max, shape, endpoint=True, dtype=dtype)


class Tally:
    """The exactness rules over a grid of cases.

    Integer outputs: identical where ``exact``, else never more than 1 apart and, over the grid, at most
    0.1% of the values different. Float outputs: ``|got - want| <= rtol * max(|want|, magnitude)``, rtol
    1e-5 for float32 and 1e-10 for float64, ``magnitude`` being the size of the sum (e.g.
    ``sum|kx| * sum|ky| * max|src| + |delta|``).
    """

    def __init__(self):
        self.values = 0
        self.different = 0

    def check(self, got, want, magnitude, what="", exact=False):
        assert got.shape == want.shape, what
        assert got.dtype == want.dtype, what
        if got.dtype.kind in "iu":
            diff = np.abs(got.astype(np.int64) - want.astype(np.int64))
            assert diff.max(initial=0) <= (0 if exact else 1), f"{what}: off by {diff.max()}"
            self.values += diff.size
            self.different += int(np.count_nonzero(diff))
        else:
            rtol = 1e-5 if got.dtype == np.float32 else 1e-10
            err = np.abs(got.astype(np.float64) - want.astype(np.float64))
            bound = rtol * np.maximum(np.abs(want.astype(np.float64)), magnitude)
            assert (err <= bound).all(), f"{what}: worst error {np.max(err / bound)} x the bound"

    def assert_mostly_identical(self):
        assert self.different <= 0.001 * self.values, f"{self.different} of {self.values} values differ"
