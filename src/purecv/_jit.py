"""The one place that sets Numba's options, and purecv's thread control.

Every kernel module decorates with :func:`kernel` (serial) or :func:`parallel_kernel`; no other module passes
``fastmath=``, ``cache=`` or ``parallel=`` itself (``tests/test_style.py`` checks this).

- ``cache=True``: compiled code is kept on disk next to the module, so a fresh process skips compilation.
- ``nogil=True``: a kernel releases the GIL, so Python threads can filter images concurrently.
- ``fastmath=False``: results stay bit-exact with OpenCV; reassociating float sums would change them.
- ``error_model="numpy"``: no Python-style division checks in the loops (the drivers never divide by zero).
- ``boundscheck`` is left to ``NUMBA_BOUNDSCHECK`` so a test run can switch it on globally.
"""

from __future__ import annotations

import threading

import numba
from numba.core import types
from numba.extending import overload

__all__ = [
    "JIT_OPTIONS",
    "current_threads",
    "getNumThreads",
    "inline_kernel",
    "kernel",
    "parallel_kernel",
    "setNumThreads",
    "when_none",
]

JIT_OPTIONS = {"cache": True, "nogil": True, "fastmath": False, "error_model": "numpy"}

_MAX_THREADS = numba.config.NUMBA_NUM_THREADS
_threads = _MAX_THREADS
_applied = threading.local()  # the count last given to numba.set_num_threads, per thread


def kernel(func):
    """Compile ``func`` as a serial purecv kernel."""
    return numba.njit(**JIT_OPTIONS)(func)


def inline_kernel(func):
    """Compile ``func`` as a serial kernel that Numba inlines into each caller's code.

    For a small loop whose machine code is better compiled in its caller's context than behind a call
    (measured on the box filter: 7% on the whole filter for its tap-by-tap window sum, 14% on a 256x256
    image for its per-row helpers).
    """
    return numba.njit(inline="always", **JIT_OPTIONS)(func)


def parallel_kernel(func):
    """Compile ``func`` as a purecv kernel whose ``prange`` loops run on the thread pool."""
    return numba.njit(parallel=True, **JIT_OPTIONS)(func)


def when_none(flag, if_none, otherwise):
    """``if_none`` where ``flag`` is None, else ``otherwise``, chosen when Numba compiles the caller.

    For a kernel whose variants differ in the type of one buffer (a float32 copy of double sums, say):
    a plain ``a if flag is None else b`` needs ``a`` and ``b`` of one type, this needs neither. In
    Python it is the plain expression.

    Examples
    --------
    >>> when_none(None, "a", "b"), when_none(True, "a", "b")
    ('a', 'b')
    """
    return if_none if flag is None else otherwise


@overload(when_none)
def _when_none(flag, if_none, otherwise):
    if isinstance(flag, types.NoneType | types.Omitted):
        return lambda flag, if_none, otherwise: if_none
    return lambda flag, if_none, otherwise: otherwise


def setNumThreads(nthreads: int) -> None:  # noqa: N802 (cv2's name)
    """Set the number of threads purecv's kernels use, as ``cv2.setNumThreads`` does.

    Parameters
    ----------
    nthreads : int
        ``0`` runs every kernel on the calling thread; a negative value restores the default (all of
        Numba's threads, ``NUMBA_NUM_THREADS``); a positive value is capped at that default.

    Examples
    --------
    >>> import purecv
    >>> purecv.setNumThreads(1)
    >>> purecv.getNumThreads()
    1
    >>> purecv.setNumThreads(-1)
    """
    global _threads
    if isinstance(nthreads, bool) or not isinstance(nthreads, int):
        msg = f"setNumThreads: 'nthreads' must be an int; got {nthreads!r}"
        raise TypeError(msg)
    _threads = _MAX_THREADS if nthreads < 0 else max(1, min(nthreads, _MAX_THREADS))


def getNumThreads() -> int:  # noqa: N802 (cv2's name)
    """Return the number of threads purecv's kernels use (see :func:`setNumThreads`).

    Examples
    --------
    >>> import purecv
    >>> purecv.getNumThreads() >= 1
    True
    """
    return _threads


def current_threads() -> int:
    """Apply the requested thread count to Numba in the calling thread and return it.

    ``numba.set_num_threads`` is thread-local, so the drivers call this before each parallel kernel; what
    was applied is remembered per thread, so the common case costs one attribute read.
    """
    if getattr(_applied, "threads", None) != _threads:
        numba.set_num_threads(_threads)
        _applied.threads = _threads
    return _threads
