"""Integer arithmetic that stays in its lane width, inside Numba kernels.

Numba widens every small-integer operation to 64 bits (``uint16 + uint16`` is a ``uint64``), and LLVM
narrows a vectorised loop back only when it can prove the high bits never matter. A multiply followed
by a shift defeats that proof, so such a loop ran in 64-bit lanes: 8 per AVX-512 instruction instead of
32. These three helpers emit the operation in the arguments' own type, so LLVM keeps 16-bit lanes and
the x86 backend picks ``vpaddw``, ``vpmulhuw`` and ``vpsrlw``.

All take two integers of one type and return that type, wrapping like C:

- ``wrap_add(a, b)``: ``(a + b) mod 2**bits``;
- ``mul_high(a, b)``: ``(a * b) >> bits`` of the exact double-width product (unsigned only);
- ``shift_right(a, s)``: ``a >> s``, logical for unsigned types, ``0 <= s < bits``.

Examples
--------
What each returns, written with NumPy's uint16 arithmetic (``tests/test_lanes.py`` checks the kernels
against these expressions for every uint16 input pair along a grid):

>>> import numpy as np
>>> a, b = np.uint16(60000), np.uint16(10000)
>>> # wrap_add(a, b), mul_high(a, b), shift_right(a, 4); NumPy warns of the wrap it is asked for:
>>> with np.errstate(over="ignore"):
...     int(a + b), int((np.uint32(a) * np.uint32(b)) >> 16), int(a >> np.uint16(4))
(4464, 9155, 3750)
"""

from __future__ import annotations

from llvmlite import ir
from numba.core import types
from numba.extending import intrinsic

__all__ = ["mul_high", "shift_right", "wrap_add"]


def _same_integers(a, b, unsigned=False):
    return isinstance(a, types.Integer) and a == b and not (unsigned and a.signed)


@intrinsic
def wrap_add(typingctx, a, b):
    """``a + b`` in the arguments' integer type, wrapping."""
    if not _same_integers(a, b):
        return None

    def codegen(context, builder, signature, args):
        return builder.add(args[0], args[1])

    return a(a, b), codegen


@intrinsic
def mul_high(typingctx, a, b):
    """The high half of the double-width product of two unsigned integers of one type."""
    if not _same_integers(a, b, unsigned=True):
        return None

    # Plain formula: trunc((zext(a) * zext(b)) >> bits). Written so, a loop by a broadcast constant kept
    # its product in 32-bit lanes (vpmovzxwd, vpmulld or a widened vpmulhuw, then vpmovdw: shuffles on
    # the one shuffle port). As LLVM's unsigned fixed-point multiply with the scale at the full width,
    # the x86 backend emits one vpmulhuw per vector of 16-bit lanes: the box filter's 8-bit rounding of
    # a 4K row (15360 lanes, in cache) went from 0.067 to 0.051 ns a lane, the 4K blur (u8, 4 channels,
    # one thread, alternating processes) from 5.3-5.6 to 4.8-4.9 ms (k3), 7.9-8.1 to 7.2 ms (k9).
    # LLVM leaves the rounding direction unspecified where the product is not exact; every backend
    # truncates (its expansion is this same high half), and tests/test_lanes.py holds it to that.
    def codegen(context, builder, signature, args):
        bits = signature.return_type.bitwidth
        lane = ir.IntType(bits)
        fnty = ir.FunctionType(lane, [lane, lane, ir.IntType(32)])
        fixed_mul = builder.module.declare_intrinsic(f"llvm.umul.fix.i{bits}", fnty=fnty)
        return builder.call(fixed_mul, [args[0], args[1], ir.Constant(ir.IntType(32), bits)])

    return a(a, b), codegen


@intrinsic
def shift_right(typingctx, a, s):
    """``a >> s`` in ``a``'s type (logical for unsigned, arithmetic for signed); ``s`` of the same type."""
    if not _same_integers(a, s):
        return None

    def codegen(context, builder, signature, args):
        if signature.return_type.signed:
            return builder.ashr(args[0], args[1])
        return builder.lshr(args[0], args[1])

    return a(a, s), codegen
