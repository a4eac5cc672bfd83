"""OpenCV's ``saturate_cast`` from an accumulator row, shared by the 2-D, FFT and separable drivers.

The plain formula, per lane::

    out[i] = clamp(cvRound(acc[i]), lo, hi)     # integer outputs: round half to even, then saturate
    out[i] = acc[i]                             # float outputs: a cast

``cvRound`` on x86 (``cvtss2si``/``cvtsd2si``) turns NaN and values outside int32 into ``INT_MIN``, which
then saturates to ``lo``; purecv does the same. Exact integer accumulators only need the clamp
(:func:`clamp_row`).
"""

from __future__ import annotations

import numpy as np

from .._jit import kernel

__all__ = ["clamp_row", "saturate_row"]


@kernel
def saturate_row(acc, out, to_int, lo, hi):
    """``out = saturate_cast(acc[:len(out)])``: rounded and clamped to ``[lo, hi]`` if ``to_int``, else cast.

    Examples
    --------
    >>> import numpy as np
    >>> out = np.empty(5, np.uint8)
    >>> saturate_row(np.array([0.5, 1.5, -3.0, 300.0, np.nan], np.float32), out, True, 0.0, 255.0)
    >>> out.tolist()
    [0, 2, 0, 255, 0]
    """
    n = out.shape[0]
    if to_int:
        big = acc.dtype.type(2147483648.0)
        for i in range(n):
            v = acc[i]
            r = np.rint(v) if v >= -big and v < big else -big  # NaN and out-of-range: INT_MIN
            out[i] = min(max(r, lo), hi)
    else:
        for i in range(n):
            out[i] = acc[i]


@kernel
def clamp_row(acc, out, lo, hi):
    """``out = clamp(acc[:len(out)], lo, hi)``: :func:`saturate_row` for exact integer accumulators.

    Examples
    --------
    >>> import numpy as np
    >>> out = np.empty(3, np.uint8)
    >>> clamp_row(np.array([-7, 100, 4000], np.int16), out, np.int16(0), np.int16(255))
    >>> out.tolist()
    [0, 100, 255]
    """
    for i in range(out.shape[0]):
        out[i] = min(max(acc[i], lo), hi)
