"""Views that skip Numba's reference counting, inside Numba kernels.

Every array view a kernel makes (``a[i]``, ``a[lo:hi]``) and every array it passes to another kernel
takes a reference to the memory the array came from and gives it back later, each an atomic
increment or decrement of a shared counter (``NRT_incref``/``NRT_decref``, a ``lock`` instruction of
tens of cycles). A row filter makes a few views per row and per chunk of a row; on the 4K box blur
these counters took 13% (3x3) to 27% (51x51) of the profile (``perf``, one thread).

``borrowed(a)`` is ``a`` without its owner: the same data, shape and strides, but no reference, so
views of it and calls with it count nothing (Numba's counting functions return at once on a null
owner). The owner must outlive the borrowed array: borrow only what the caller of the kernel holds
for the whole call (its arguments), never an array the kernel itself allocates and could free.

``tests/test_refs.py`` checks that a borrowed array reads and writes the same memory, that its views
do, and that the owner's reference count is left as it was.
"""

from __future__ import annotations

from llvmlite import ir
from numba.core import types
from numba.extending import intrinsic

__all__ = ["borrowed"]


@intrinsic
def borrowed(typingctx, a):
    """``a`` (an array) with no owner: its views and calls skip reference counting."""
    if not isinstance(a, types.Array):
        return None

    def codegen(context, builder, signature, args):
        view = context.make_array(signature.args[0])(context, builder, value=args[0])
        view.meminfo = ir.Constant(view.meminfo.type, None)
        view.parent = ir.Constant(view.parent.type, None)
        return view._getvalue()

    return a(a), codegen
