"""Ask the cache for memory a kernel will touch soon, from inside Numba kernels.

A row filter streams each image row in once and its output row out once. The CPU's own prefetchers
follow a stream only within a 4 KiB page and only while it is being read, so at the start of every
row's pass a filter waits for memory, then computes while the memory bus idles. Asking for the *next*
row's input and output lines a few at a time, spread across the current row's arithmetic, overlaps
the two: on the 8-bit 3x3 box blur of a 4K image on one thread, 4.2 ms became 3.0 ms (measured on this
project's AMD EPYC machine; the image is twice the size of its L3 cache).

- ``prefetch_read(a, i)``: the cache line holding ``a[i]`` is wanted for reading, once (a non-temporal
  hint: ``prefetchnta`` on x86, which keeps it from displacing data the kernel reuses; on 4K float32
  rows, 61 KB each, it measured 0-6% faster than the plain hint, and the same on 8-bit rows);
- ``prefetch_write(a, i)``: the line holding ``a[i]`` will be written (fetched for ownership,
  ``prefetchw``).

Both compile to ``llvm.prefetch``, have no effect on results and never fault. Callers still keep ``i``
inside ``a``: an index past the end would ask for someone else's memory.
"""

from __future__ import annotations

from llvmlite import ir
from numba.core import cgutils, types
from numba.extending import intrinsic

__all__ = ["LINE_BYTES", "prefetch_read", "prefetch_write"]

LINE_BYTES = 64  # one x86 / ARM cache line: ask once per line

_I8P = ir.IntType(8).as_pointer()
_I32 = ir.IntType(32)
# llvm.prefetch(address, rw: 0 read / 1 write, locality: 0 = non-temporal .. 3 = keep, 1 = data cache)
_PREFETCH = ir.FunctionType(ir.VoidType(), [_I8P, _I32, _I32, _I32])


def _codegen(rw: int, locality: int):
    def codegen(context, builder, signature, args):
        array = context.make_array(signature.args[0])(context, builder, args[0])
        index = context.cast(builder, args[1], signature.args[1], types.intp)
        stride = cgutils.unpack_tuple(builder, array.strides, 1)[0]
        offset = builder.mul(index, stride)  # in bytes, whatever the layout
        address = builder.gep(builder.bitcast(array.data, _I8P), [offset])
        fn = builder.module.declare_intrinsic("llvm.prefetch", [_I8P], _PREFETCH)
        builder.call(fn, [address, ir.Constant(_I32, rw), ir.Constant(_I32, locality), ir.Constant(_I32, 1)])
        return context.get_dummy_value()

    return codegen


def _is_row_and_index(a, i):
    return isinstance(a, types.Array) and a.ndim == 1 and isinstance(i, types.Integer)


@intrinsic
def prefetch_read(typingctx, a, i):
    """Ask for the cache line of ``a[i]`` (1-D ``a``), to be read soon."""
    return types.none(a, i) if _is_row_and_index(a, i) else None, _codegen(0, 0)


@intrinsic
def prefetch_write(typingctx, a, i):
    """Ask for the cache line of ``a[i]`` (1-D ``a``) for ownership: it will be written soon."""
    return types.none(a, i) if _is_row_and_index(a, i) else None, _codegen(1, 3)
