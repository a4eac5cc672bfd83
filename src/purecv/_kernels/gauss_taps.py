"""Gaussian kernel taps exactly as OpenCV computes them: in software double (softdouble), then fixed point.

OpenCV builds its Gaussian kernels with SoftFloat (``getGaussianKernelBitExact``, ``smooth.dispatch.cpp``)
so they do not depend on the platform's ``libm``. Every softdouble ``+ - * /`` is an IEEE double operation,
which Python floats reproduce; only ``exp`` is OpenCV's own (a 64-entry table of ``2**(i/64)`` times a
degree-5 polynomial), ported in :func:`soft_exp`. ``libm``'s ``exp`` differs from it in the last bit for
most arguments, so this port is what makes ``getGaussianKernel`` identical to cv2's.

The 8U and 16U paths of ``GaussianBlur`` then quantise the taps to 8 or 16 fractional bits with error
diffusion (:func:`fixed_point_taps`, OpenCV's ``getGaussianKernelFixedPoint_ED``), so that they sum to
exactly one.

Examples
--------
>>> gaussian_taps(3, 0.0)
[0.25, 0.5, 0.25]
>>> fixed_point_taps(gaussian_taps(5, 1.1), 8)
[18, 63, 94, 63, 18]
"""

from __future__ import annotations

import struct
from decimal import Decimal, localcontext
from fractions import Fraction

__all__ = ["fixed_point_taps", "gaussian_taps", "soft_exp"]


def _raw(bits: int) -> float:
    """The double whose IEEE-754 bit pattern is ``bits``."""
    return struct.unpack("<d", struct.pack("<Q", bits))[0]


def _exp_table() -> list[float]:
    """``2 ** (i / 64)`` for i < 64, correctly rounded (OpenCV's ``expTab``)."""
    with localcontext() as ctx:
        ctx.prec = 40
        return [float(Decimal(2) ** (Decimal(i) / 64)) for i in range(64)]


_EXP_TAB = _exp_table()
_EXP_A0 = _raw(0x3F83CE0F3E46F431)  # EXPPOLY_32F_A0
_EXP_PRESCALE = _raw(0x3FF71547652B82FE) * 64.0  # 64 / ln(2)
_EXP_POLY = tuple(  # A0..A5 of OpenCV's f64_exp, each divided by EXPPOLY_32F_A0 as there
    c / _EXP_A0
    for c in (
        _raw(0x3F55E7AA1566C2A4),
        _raw(0x3F83B2A72B4F3CD3),
        _raw(0x3FAC6B08D81FEC75),
        _raw(0x3FCEBFBDFF82A45A),
        _raw(0x3FE62E42FEFA39F1),
        1.0,
    )
)

# sigma <= 0 with these sizes uses fixed binomial-like tables instead of the formula.
_SMALL_TABLES = {
    1: [1.0],
    3: [0.25, 0.5, 0.25],
    5: [0.0625, 0.25, 0.375, 0.25, 0.0625],
    7: [0.03125, 0.109375, 0.21875, 0.28125, 0.21875, 0.109375, 0.03125],
    9: [v / 256 for v in (4, 13, 30, 51, 60, 51, 30, 13, 4)],
}


def soft_exp(x: float) -> float:
    """OpenCV's softdouble ``exp`` (``f64_exp`` in ``softfloat.cpp``), bit for bit.

    Examples
    --------
    >>> soft_exp(0.0), soft_exp(-1.0)
    (1.0, 0.36787944117144233)
    """
    exponent = (struct.unpack("<Q", struct.pack("<d", x))[0] >> 52) & 0x7FF
    if exponent > 1023 + 10:  # |x| >= 2048: saturate the table index
        x0 = -192000.0 if x < 0 else 192000.0
    else:
        x0 = x * _EXP_PRESCALE
    v = round(x0)  # cvRound: half to even
    t = min(max((v >> 6) + 1023, 0), 2047)
    scale = _raw(t << 52)  # 2 ** (v >> 6), or 0 on underflow
    x0 = (x0 - v) / 64.0
    a0, a1, a2, a3, a4, a5 = _EXP_POLY
    poly = ((((a0 * x0 + a1) * x0 + a2) * x0 + a3) * x0 + a4) * x0 + a5
    return scale * _EXP_A0 * _EXP_TAB[v & 63] * poly


def gaussian_taps(n: int, sigma: float) -> list[float]:
    """The ``n`` taps of ``cv2.getGaussianKernel(n, sigma, CV_64F)`` as Python floats.

    ``sigma <= 0`` means ``0.3 * ((n - 1) * 0.5 - 1) + 0.8``, computed as OpenCV does with one fused
    multiply-add, except for n = 1, 3, 5, 7, 9 which use fixed tables.
    """
    if sigma <= 0:
        if n in _SMALL_TABLES:
            return list(_SMALL_TABLES[n])
        sigma = float(Fraction(n) * Fraction(0.15) + Fraction(0.35))  # mulAdd(n, 0.15, 0.35): one rounding
    scale = -0.125 / (sigma * sigma)
    half = (n - 1) // 2
    values = [soft_exp(float((2 * i + 1 - n) ** 2) * scale) for i in range(half)]
    total = 0.0
    for v in values:  # sequential, as softdouble sums them
        total += v
    total = total * 2.0 + 1.0
    if n % 2 == 0:
        total += 1.0
    norm = 1.0 / total
    taps = [0.0] * n
    for i, v in enumerate(values):
        taps[i] = taps[n - 1 - i] = v * norm
    taps[half] = norm
    if n % 2 == 0:
        taps[half + 1] = norm
    return taps


def fixed_point_taps(taps: list[float], bits: int) -> list[int]:
    """Quantise an odd, symmetric kernel to ``bits`` fractional bits with error diffusion, summing to 1.

    ``v_i = cvRound(k_i * 2**bits + err)``, ``err`` carried from tap to tap; the centre tap takes what is
    left so that the taps sum to exactly ``2**bits`` (``getGaussianKernelFixedPoint_ED``).
    """
    n = len(taps)
    one = 1 << bits
    out = [0] * n
    err = 0.0
    total = 0
    for i in range(n // 2):
        adj = taps[i] * float(one) + err
        v = round(adj)  # cvRound: half to even
        err = adj - v
        out[i] = out[n - 1 - i] = v
        total += v
    out[n // 2] = one - 2 * total
    return out
