"""Pieces every filter driver shares: row layout, strip planning and border-padded rows.

Images reach the kernels as C-contiguous 2-D arrays of ``H`` rows by ``W * C`` lanes (channels interleaved),
so a kernel vectorises across the whole contiguous width whatever the channel count.
"""

from __future__ import annotations

import numpy as np

from .._jit import current_threads, kernel

__all__ = ["as_rows", "pad_row", "plan_strips", "strip_range"]

# Below this many lanes (about 0.1 ms of work) a call runs on one thread. Waking the pool costs 10-20 us
# on a quiet machine, where two threads already win at 256x256x4 (box_blur 48 us against 76 us, measured
# here). On a busy machine a woken thread can wait a whole scheduler tick (16-32 ms seen on this project's
# shared 2-vCPU machine): setNumThreads(1) avoids that on a loaded machine.
PARALLEL_MIN_LANES = 1 << 18


def as_rows(img: np.ndarray) -> np.ndarray:
    """View a (H, W) or (H, W, C) array as C-contiguous (H, W*C) rows, copying only if it must."""
    img = np.ascontiguousarray(img)
    return img.reshape(img.shape[0], -1)


def plan_strips(height: int, lanes: int, halo: int) -> int:
    """Number of row strips for a parallel kernel: 1 when the image is small, else a few per thread.

    Each strip recomputes ``halo`` rows of context, so strips stay several halos tall.
    """
    threads = current_threads()
    if threads == 1 or height * lanes < PARALLEL_MIN_LANES:
        return 1
    min_rows = max(16, 2 * halo)
    return max(1, min(4 * threads, height // min_rows))


@kernel
def strip_range(height, n_strips, s):
    """Rows ``[y0, y1)`` of strip ``s`` when ``height`` rows are cut into ``n_strips`` near-equal strips."""
    return (height * s) // n_strips, (height * (s + 1)) // n_strips


@kernel
def pad_row(row, xtab, before, cn, cval, out):
    """Write ``row`` (W*cn lanes) into ``out`` with its horizontal border, cast to ``out``'s dtype.

    ``out[(j * cn) + c] = row[xtab[j] * cn + c]``, or ``cval[c]`` where ``xtab[j] < 0`` (BORDER_CONSTANT).
    The interior is one contiguous copy; only the ``len(xtab) - W`` border columns go through the table.
    """
    width = row.shape[0] // cn
    base = before * cn
    interior = out[base : base + row.shape[0]]  # indexed by the bare counter, so the copy vectorises
    for i in range(row.shape[0]):
        interior[i] = row[i]
    for j0, j1 in ((0, before), (before + width, xtab.shape[0])):  # only the border columns use the table
        for j in range(j0, j1):
            src = xtab[j]
            for c in range(cn):
                out[j * cn + c] = cval[c] if src < 0 else out[base + src * cn + c]
