"""``fma(a, b, c)``: the fused multiply-add ``a * b + c`` with a single rounding, inside Numba kernels.

OpenCV's float filters accumulate with ``v_muladd``, which is a fused multiply-add under its AVX2/FMA3 and
AVX-512 dispatch (``_mm256_fmadd_ps``). Reproducing that rounding keeps purecv's float32 sums identical to
cv2's, and so its integer outputs identical at the rare values that sit next to a rounding tie. Numba never
fuses ``a * b + c`` by itself with ``fastmath`` off, so this calls LLVM's ``llvm.fma`` intrinsic, which
becomes one ``vfmadd`` instruction per vector and still lets LLVM vectorise the loop around it.

The arguments must be three floats of the same type (float32 or float64): cast constants first
(``np.float32(w)``). Three integers of the same type give ``a * b + c`` in that type.

Examples
--------
One rounding instead of two: with ``x = 1 + 2**-12``, ``x * x - (1 + 2**-11)`` is ``2**-24`` exactly,
which float32 multiply-then-add rounds away (the kernels of :mod:`.taps` compute ``fma(x, w, acc)``):

>>> import numpy as np
>>> from purecv._kernels.taps import single
>>> x = np.array([1 + 2**-12], np.float32)
>>> acc = np.array([-(1 + 2**-11)], np.float32)
>>> single(acc, x, 1, 1, np.array([0]), x)
>>> float(acc[0]) == 2**-24, float(x[0] * x[0] + np.float32(-(1 + 2**-11)))
(True, 0.0)
"""

from __future__ import annotations

from llvmlite import ir
from numba.core import types
from numba.extending import intrinsic

__all__ = ["fma"]


@intrinsic
def fma(typingctx, a, b, c):
    """``a * b + c`` rounded once (LLVM ``llvm.fma``); a, b, c: the same float type.

    For three integers of the same type, ``a * b + c`` in that type (wrapping), so the same tap kernels
    serve exact integer accumulators (int16 lanes: twice as many per vector as float32).
    """
    if not (isinstance(a, types.Float | types.Integer) and a == b == c):
        return None
    sig = a(a, b, c)

    def codegen(context, builder, signature, args):
        if isinstance(signature.return_type, types.Integer):
            return builder.add(builder.mul(args[0], args[1]), args[2])
        lty = context.get_value_type(signature.return_type)
        fn = builder.module.declare_intrinsic("llvm.fma", [lty], ir.FunctionType(lty, [lty, lty, lty]))
        return builder.call(fn, args)

    return sig, codegen
