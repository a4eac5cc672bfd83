"""filter2D's driver: reproduce the arithmetic cv2 uses for a call, with the fastest method that keeps it.

cv2 5.0.0 computes ``delta + sum(w * src)`` one of two ways (``filter.dispatch.cpp``):

- the *direct* path: kernel and delta rounded to float32 (float64 when the source or the output is 64F),
  taps summed in row-major order with zero taps dropped, each step a fused multiply-add, then
  ``saturate_cast`` (round half to even);
- the *DFT* path (``crossCorr``), when the kernel area is >= 130 for 8U -> 8U/16S and 32F -> 32F, else
  >= 50: the kernel rounded to float32 (64F sources keep float64), a blockwise FFT in double for integer
  sources, in float32 for float32 outputs of 8U and 32F sources. Its result is the exact sum with the
  rounded kernel, up to FFT noise.

Methods, tried in this order:

1. **box** (all taps equal, ``delta == 0``, zero constant border): running sums (:mod:`.box`), then
   ``S * w``. Integer outputs take it only where it is bit-identical to cv2 (``w`` a power of two, so cv2's
   float32 sum is exact too; or the DFT path, whose result is the exact one).
2. **int16** (an 8-bit source, an integer output, integer weights and ``delta`` with ``|delta| + 255 *
   sum|w| <= 32767``, e.g. Laplacian's or a sharpening kernel): the direct path's taps in exact int16
   lanes, twice as many per vector as float32. cv2's float32 sums are exact integers there too (and its
   DFT noise is far below 0.5), so the results are identical.
3. **separable** (a rank-1 kernel ``w = u v^T`` to float32 precision, or to 1e-13 in float64 work):
   a row pass and a column pass (:mod:`.separable`), ``kw + kh`` taps instead of ``kw * kh``. Float outputs,
   and integer outputs of the DFT path (in float64). Integer outputs of the direct path stay on it: a
   different rounding order would change values next to a tie.
4. **FFT** (:mod:`.spectral`) when its cost model beats the direct path, the sum needs not follow cv2's
   tap order (float outputs, DFT path), and the source holds no NaN or infinity.
5. **direct** (:mod:`.neighbourhood`): cv2's own order of fused multiply-adds.
"""

from __future__ import annotations

import numpy as np

from .._border import border_table
from ..constants import BORDER_CONSTANT
from .box import FINISH_F64, box_sums, sum_templates
from .neighbourhood import OP_CORRELATE, neighbourhood, tap_schedule
from .rows import plan_strips
from .sep_passes import MODE_SEQ
from .separable import FIN_CAST, FIN_ROUND, SepPlan, separable
from .spectral import all_finite, spectral_correlate, spectral_pays

__all__ = ["correlate", "cv2_uses_dft", "int16_exact", "rank_one"]


def cv2_uses_dft(sdtype: np.dtype, ddtype: np.dtype, area: int) -> bool:
    """Whether cv2 takes its DFT path: area >= 130 for 8U -> 8U/16S and 32F -> 32F, else >= 50."""
    fast = (sdtype == np.uint8 and ddtype in (np.uint8, np.int16)) or (sdtype == ddtype == np.float32)
    return area >= (130 if fast else 50)


def rank_one(weights: np.ndarray, rtol: float) -> tuple[np.ndarray, np.ndarray] | None:
    """``(u, v)`` with ``sum|w - u v^T| <= rtol * sum|w|``, or None; ``u`` a column, ``v`` a row.

    Examples
    --------
    >>> u, v = rank_one(np.outer([1.0, 2.0, 1.0], [1.0, -1.0]), 1e-12)
    >>> u.tolist(), v.tolist()
    ([1.0, 2.0, 1.0], [1.0, -1.0])
    >>> rank_one(np.eye(2), 1e-12) is None
    True
    """
    i, j = np.unravel_index(np.argmax(np.abs(weights)), weights.shape)
    if weights[i, j] == 0:
        return None
    u = weights[:, j].copy()
    v = weights[i, :] / weights[i, j]
    if np.abs(weights - np.outer(u, v)).sum() > rtol * np.abs(weights).sum():
        return None
    return u, v


def _box_weight(weights: np.ndarray, ddtype: np.dtype, dft: bool, src_max: float) -> float | None:
    """The common tap ``w`` if every tap is ``w`` and the box route reproduces cv2 (see the module notes)."""
    w = float(weights.flat[0])
    if w == 0 or not (weights == w).all():
        return None
    if ddtype.kind in "iu":
        exact = np.frexp(abs(w))[0] == 0.5  # a power of two
        if not (exact or dft) or abs(w) * weights.size * src_max >= 2.0**31:
            return None  # beyond int32, cv2 gives INT_MIN: leave that to the direct path
    return w


def _box(src, dst, cn, kh, kw, anchor, border, w) -> None:
    """``dst = w * S`` (S: the window sums), rounded half to even and saturated for integer outputs."""
    height, lanes = dst.shape
    ay, ax = anchor
    if src.dtype.kind == "f":
        acc = np.float64
    else:
        acc = (
            np.int32
            if kh * kw * max(abs(np.iinfo(src.dtype).min), np.iinfo(src.dtype).max) < 2**31
            else np.int64
        )
    to_int = dst.dtype.kind in "iu"
    info = np.iinfo(dst.dtype) if to_int else None
    lo, hi = (float(info.min), float(info.max)) if to_int else (-np.inf, np.inf)
    ytab = border_table(height, ay, kh - 1 - ay, border)
    xtab = border_table(lanes // cn, ax, kw - 1 - ax, border)
    rounding = (FINISH_F64, 0, 0, 0, w, lanes, lo, hi, to_int, False)
    n_strips = plan_strips(height, lanes, kh)  # the same rule as blur's
    # Column sums of up to 257 rows of 8-bit values fit in uint16 (as blur's), whatever the window sum's type.
    col = np.dtype(np.uint16) if src.dtype == np.uint8 and kh <= 257 else np.dtype(acc)
    col, acc = sum_templates(xtab, cn, col, acc)
    box_sums(src, dst, ytab, xtab, ax, cn, kw, kh, square=False, col=col, acc=acc, rounding=rounding,
             n_strips=n_strips)  # fmt: skip


def int16_exact(sdtype: np.dtype, ddtype: np.dtype, weights: np.ndarray, delta: float) -> bool:
    """Whether ``delta + sum(w * src)`` is exact in int16 lanes for every 8-bit source (method 2).

    Examples
    --------
    >>> laplacian = np.array([[2.0, 0, 2], [0, -8, 0], [2, 0, 2]])
    >>> u8, s16 = np.dtype(np.uint8), np.dtype(np.int16)
    >>> int16_exact(u8, s16, laplacian, 0.0), int16_exact(u8, s16, laplacian / 8, 0.0)
    (True, False)
    """
    if sdtype != np.uint8 or ddtype.kind not in "iu" or delta != round(delta):
        return False
    if not np.array_equal(weights, np.round(weights)):
        return False
    return abs(delta) + 255 * float(np.abs(weights).sum()) <= np.iinfo(np.int16).max


def correlate(src, dst, cn, weights, anchor, border, cval, delta) -> None:
    """``dst = delta + correlation of src with weights``, as cv2.filter2D computes it.

    ``src``, ``dst``: (H, W*C) C-contiguous rows, not overlapping; ``weights``: finite float64 (kh, kw);
    ``anchor = (ay, ax)``; ``border`` without BORDER_ISOLATED; ``cval``: float64 per channel, already
    saturated to the source dtype.
    """
    kh, kw = weights.shape
    height = dst.shape[0]
    sdt, ddt = src.dtype, dst.dtype
    dft = cv2_uses_dft(sdt, ddt, kh * kw) and sdt != np.float64
    if dft:  # crossCorr's kernel is float32; its sum is (nearly) exact
        weights = weights.astype(np.float32).astype(np.float64)
        work = np.dtype(np.float32 if ddt == np.float32 else np.float64)
    else:  # the direct path's kernel and sums: float32, or float64 with a 64F source or output
        work = np.dtype(np.float64 if np.float64 in (sdt, ddt) else np.float32)
        weights = weights.astype(work).astype(np.float64)
    exact_order = not dft and ddt.kind in "iu"  # keep cv2's tap order: values next to ties round alike

    src_max = float(np.iinfo(sdt).max) if sdt.kind in "iu" else np.inf
    zero_border = border != BORDER_CONSTANT or not cval.any()
    w = _box_weight(weights, ddt, dft, src_max) if delta == 0 and zero_border else None
    if w is not None:
        _box(src, dst, cn, kh, kw, anchor, border, w)
        return
    if int16_exact(sdt, ddt, weights, delta):
        sched = tap_schedule(weights.astype(np.int16), cn)
        cv16 = cval.astype(np.int16)
        neighbourhood(src, dst, cn, (kh, kw), anchor, border, cv16, OP_CORRELATE, delta, sched)
        return
    if not exact_order and min(kh, kw) > 1:
        factors = rank_one(weights, 1e-7 if work == np.float32 else 1e-13)
        if factors is not None:
            fins = FIN_ROUND if ddt.kind in "iu" else FIN_CAST
            lanes = dst.shape[1]
            plan = SepPlan(False, factors[1].astype(work), factors[0].astype(work), anchor[::-1],
                           MODE_SEQ, MODE_SEQ, fins, work, work, delta=float(delta),
                           n_fma_row=lanes, n_fma_col=lanes)  # fmt: skip
            separable(src, dst, cn, plan, border, cval)
            return
    nonzero = max(1, int(np.count_nonzero(weights)))
    if (
        not exact_order
        and spectral_pays(nonzero, kh, kw, height)
        and (sdt.kind != "f" or all_finite(src))  # NaN and inf stay local on the direct path
    ):
        spectral_correlate(src, dst, cn, weights, anchor, border, cval.astype(work), delta)
        return
    if dft:  # the direct path standing in for cv2's DFT one: an exact sum needs double
        work = np.dtype(np.float64)
    sched = tap_schedule(weights.astype(work), cn)
    neighbourhood(src, dst, cn, (kh, kw), anchor, border, cval.astype(work), OP_CORRELATE, delta, sched)
