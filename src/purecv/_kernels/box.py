"""Box-filter driver and kernels: separable running sums, O(1) per pixel in the kernel size.

The plain formula, for an output pixel ``(y, x)`` of a ``kw`` x ``kh`` box anchored at ``(ax, ay)``::

    S(y, x) = sum(src[ytab[y + i], xtab[x + j]] for i in range(kh) for j in range(kw))
    dst(y, x) = normalise(S(y, x))          # OpenCV's rounding recipe, see ``_finish_row``

Per strip of output rows (one strip per task of the thread pool, each with its own ``kh - 1`` rows of halo):

1. a *column sum* per lane of the border-padded width, updated as a running sum down the strip
   (``colsum += row_in - row_out``), vectorised across all ``W * C`` lanes;
2. its horizontal border lanes copied from the interior through the border table;
3. the horizontal window sum of the column sums (``_window_sum``), vectorised across the width, tap by
   tap for narrow windows and sliding along the row for wide ones;
4. OpenCV's normalisation and saturation into the output row (``_finish_row``); on an image of
   PREFETCH_MIN_BYTES or more, in blocks that first ask the cache for the next row's memory
   (``_finish_span``), so streaming the image overlaps the arithmetic instead of alternating with it.
   Wide windows of int32 sums (8- and 16-bit boxes of area > 256) do 3 and 4 in one loop
   (``_slide_finish``).

The per-row helpers (``_add_rows``, ``_copy_border_column``, ``_finish_row``) are inlined into the strip
loop: a call with its array views costs tens of nanoseconds, which on the article's 256x256 image was a
sixth of the whole filter (measured 36 -> 31 us); three call sites of ``_finish_row`` (two here, one in
``_finish_span``) keep compile time down.

Accumulators are as narrow as they can be: uint16 column sums for 8-bit input of up to 257 rows (32 lanes
per AVX-512 instruction), window sums in OpenCV's type (uint16 for an 8-bit box of area <= 256, int32 for
other integer sums, float64 for floating-point input).

The rounding recipe travels as one tuple, ``rounding = (mode, ds, dd, shift, scale, tail, lo, hi, to_int,
neg_to_hi)``, see :func:`_finish_row`.
"""

from __future__ import annotations

import functools

import numpy as np
from numba import prange

from .._jit import inline_kernel, kernel, parallel_kernel, when_none
from .lanes import mul_high, shift_right, wrap_add
from .prefetch import LINE_BYTES, prefetch_read, prefetch_write
from .refs import borrowed
from .rows import strip_range

__all__ = [
    "FINISH_F32",
    "FINISH_F64",
    "FINISH_FIX8",
    "FINISH_RAW",
    "FINISH_SINGLE",
    "SINGLE_MAX_TAPS",
    "box_rows",
    "box_rows_parallel",
    "box_sums",
    "sum_templates",
    "fix8_magic",
    "opencv_fix8",
]

# How a window sum S becomes an output value (one choice per call, branched per row, never per pixel).
FINISH_FIX8 = 0  # 8-bit, area <= 256: OpenCV's ((S + dd) * ds) >> 23 (ColumnSum<ushort, uchar>)
FINISH_F32 = 1  # int sums to int output: rint(f32(S) * f32(scale)) in OpenCV's SIMD body, f64 in its tail
FINISH_F64 = 2  # S * scale in double, then round half to even and saturate (int) or cast (float)
FINISH_RAW = 3  # normalize=False: saturate S into the output type
FINISH_SINGLE = 4  # float32 sums to float32 output: S * float32(scale), in float32

# Bytes per buffer of the horizontal pass: its chunk of lanes (CHUNK_BYTES / itemsize) and buffers stay in
# L1, and each chunk costs a few calls and views (~60 ns), so chunks are as long as L1 allows.
CHUNK_BYTES = 16384

# The rounding pass works in blocks of a KiB of source (and output) row; each block first asks for the
# same lanes of the rows the next output row reads and writes (``prefetch``): the row entering its
# window, the row leaving it when the window is at least PREFETCH_LEAVING_ROWS tall (shorter windows
# find it still in cache), and its output row. Measured on 4K images, one thread: 8-bit blocks of 512,
# 1024 and 2048 lanes took 3.0, 2.7 and 4.5 ms (k3); float32 blocks of 256, 512 and 1024 lanes 23.4,
# 23.8 and 30 ms (k9). Images under PREFETCH_MIN_BYTES (source and output) skip all this: they are
# found in the L3 cache (32 MiB on the machine measured) and the blocks' views and hints only cost. On
# the article's 256x256 image they cost half as much again as the filter (47 -> 76 us); at 5.5-7.4 MB
# (720p 3-channel 8-bit, 1440p 1-channel 8-bit, 720p 1-channel float32), 20-35% (k3 and k9, one thread,
# the filter called on the same image). At 16.6 MB (540x960x4 float32) prefetching won k9 by 15% and
# lost k3 by 5-15%; at 66 MB (4K) it wins.
PREFETCH_BLOCK_BYTES = 1024
PREFETCH_LEAVING_ROWS = 16
PREFETCH_MIN_BYTES = 12 << 20

# Up to this width a window is summed tap by tap; above it, by doubling widths (log2(kw) passes), or by
# sliding along the row (two passes whatever the width): from _SLIDING_MIN_TAPS on for 2, 4, 8 or 16
# channels, from _SERIAL_MIN_TAPS on (lane by lane) otherwise. Measured on 4K rows.
_DIRECT_MAX_TAPS = 10
_SLIDING_MIN_TAPS = 11
_SERIAL_MIN_TAPS = 24
# The lanes a sliding int32 window sum that rounds as it goes (_slide_finish) jumps at once: one 256-bit
# vector. LLVM vectorises x86 loops 256 bits wide by default, AVX-512 or not (Intel's cores); a jump of
# one vector keeps the running sums in a register from one iteration to the next, where a jump of 16
# lanes spans two iterations and reloads each vector from memory, a store-to-load forward on the chain
# of adds. Measured on an Intel Xeon (Sapphire Rapids class), 4K u8 4ch, one thread, alternating
# processes (3 each): k25 10.5 -> 9.0 ms, k51 11.0 -> 9.6 ms, k101 14.5 -> 11.9 ms.
_SLIDE_LANES = 8
# Windows of this many columns are summed from pair sums (_pair_sums): 7 to 12, where they save work.
_PAIR_MIN_TAPS = 7
_PAIR_MAX_TAPS = 12
# The widest window whose sums may be taken in float32 from double column sums (``box_sums``): tap by
# tap, never sliding (a float32 running sum along a row would gather error lane after lane).
SINGLE_MAX_TAPS = _DIRECT_MAX_TAPS + 2


def opencv_fix8(area: int) -> tuple[int, int]:
    """OpenCV's ``(ds, dd)`` for an 8-bit box of ``area`` <= 256: ``out = ((S + dd) * ds) >> 23``."""
    exact = float(1 << 23) / area
    ds = int(np.floor(exact))
    dd = area // 2
    if exact - ds < 0.5:
        dd += 1
    else:
        ds += 1
    return ds, dd


@functools.cache
def fix8_magic(area: int) -> tuple[int, int, int]:
    """A 16-bit multiply-high ``(m, e, shift)`` equal to OpenCV's 8-bit rounding for every sum of ``area``.

    ``((S + e) * m) >> 16 >> shift == ((S + dd) * ds) >> 23`` for all ``0 <= S <= 255 * area`` (checked
    here, exhaustively), with ``S + e < 2**16`` and ``m < 2**16``: SIMD units multiply 16-bit lanes twice
    as wide as 32-bit ones. Every area from 2 to 256 has one.
    """
    ds, dd = opencv_fix8(area)
    sums = np.arange(255 * area + 1, dtype=np.int64)
    want = ((sums + dd) * ds) >> 23
    for shift in range(9):
        for m in (-(-(1 << (16 + shift)) // area), (1 << (16 + shift)) // area):
            for e in (dd, dd - 1, dd + 1):
                x = sums + e
                if (
                    m < 1 << 16
                    and e >= 0
                    and x[-1] < 1 << 16
                    and np.array_equal(((x * m) >> 16) >> shift, want)
                ):
                    return m, e, shift
    msg = f"no 16-bit multiply-high matches OpenCV's rounding for area {area}"
    raise AssertionError(msg)


@inline_kernel
def _direct_sum(v, out, n, step, k):
    """``out[i] = v[i] + v[i + step] + ... + v[i + (k - 1) * step]`` for ``i < n``, ``2 <= k``: tap by tap.

    Vector adds over shifted views, three or four taps per pass over the row.
    """
    # Numba checks every index that might be negative (``a[i + off]``), which blocks SIMD; so each loop
    # indexes views (``a[off:][i]``) with the bare loop counter only.
    v1, v2, v3 = v[step:], v[2 * step :], v[3 * step :]
    if k == 2:
        for i in range(n):
            out[i] = v[i] + v1[i]
    elif k == 3:
        for i in range(n):
            out[i] = v[i] + v1[i] + v2[i]
    else:  # out = v0 + v1 + v2 + v3, then out += the next three taps, ...
        for i in range(n):
            out[i] = v[i] + v1[i] + v2[i] + v3[i]
    for j in range(4, k, 3):
        a, b, c = v[j * step :], v[(j + 1) * step :], v[(j + 2) * step :]
        if j + 3 <= k:
            for i in range(n):
                out[i] += a[i] + b[i] + c[i]
        elif j + 2 == k:
            for i in range(n):
                out[i] += a[i] + b[i]
        else:
            for i in range(n):
                out[i] += a[i]


@kernel
def _doubling_sum(v, out, n, step, k, tmp):
    """As :func:`_direct_sum`, by doubling widths: about ``2 * log2(k)`` passes instead of ``k / 3``.

    ``tmp`` holds sums of windows of width 1, 2, 4, ... (each doubling is one vectorised pass), and the
    binary digits of ``k`` pick which to add.
    """
    # Two buffers, so no loop reads what it writes and every pass vectorises; picking them by index rather
    # than swapping two names keeps LLVM's alias analysis (measured 4x faster).
    length = n + (k - 1) * step
    first_buf = tmp[0]
    for i in range(length):
        first_buf[i] = v[i]
    width = 1
    taken = 0  # taps already added into out
    first = True
    rest = k
    p = 0
    while True:
        cur = tmp[p]
        if rest & 1:
            part = cur[taken * step :]
            if first:
                for i in range(n):
                    out[i] = part[i]
                first = False
            else:
                for i in range(n):
                    out[i] = out[i] + part[i]
            taken += width
        rest >>= 1
        if rest == 0:
            break
        shift = width * step
        length -= shift
        nxt = tmp[1 - p]
        ahead = cur[shift:]
        for i in range(length):  # nxt[i] = cur[i] + cur[i + width * step]
            nxt[i] = cur[i] + ahead[i]
        p = 1 - p
        width *= 2


@inline_kernel
def _pair_sums(v, p, out, n, step, k):
    """Window sums of ``k`` taps (_PAIR_MIN_TAPS <= k <= _PAIR_MAX_TAPS) from sums of pairs of taps.

    Plain formula: ``p[i] = v[i] + v[i + step]``, and the window is the pairs at ``0, 2 step, 4 step,
    ...`` plus ``v[i + (k - 1) step]`` when ``k`` is odd. The last two pairs are left to the rounding
    pass (the caller passes them as its two extra taps); ``out`` gets the rest. Half the loads and adds
    of tap by tap: k = 9 is one pass for ``p`` and one of three terms, where :func:`_direct_sum` takes
    two passes of four terms before the rounding pass adds the last two.
    """
    v1 = v[step:]
    for i in range(n + (k - 2) * step):
        p[i] = v[i] + v1[i]
    p2, p4, p6 = p[2 * step :], p[4 * step :], p[6 * step :]
    if k % 2:  # out = v[k-1] + the pairs before the last two: (k - 5) / 2 of them, 1 to 3
        last = v[(k - 1) * step :]
        if k == 7:
            for i in range(n):
                out[i] = last[i] + p[i]
        elif k == 9:
            for i in range(n):
                out[i] = last[i] + p[i] + p2[i]
        else:
            for i in range(n):
                out[i] = last[i] + p[i] + p2[i] + p4[i]
    elif k == 8:  # out = the k / 2 - 2 pairs before the last two, 2 to 4
        for i in range(n):
            out[i] = p[i] + p2[i]
    elif k == 10:
        for i in range(n):
            out[i] = p[i] + p2[i] + p4[i]
    else:
        for i in range(n):
            out[i] = p[i] + p2[i] + p4[i] + p6[i]


@kernel
def _jump(step, itemsize):
    """The lanes a sliding sum of ``step`` channels jumps at once, one 512-bit vector of sums (16 lanes, 8
    for 8-byte sums), or 0 where ``step`` does not divide it (see :func:`_sliding_sum`)."""
    jump = 64 // max(itemsize, 4)
    return jump if step > 1 and jump % step == 0 else 0


@kernel
def _run_by(out, ahead, behind, n, jump):
    """``out[i + jump] = out[i] + (ahead[i] - behind[i])`` for ``i < n``, ``jump`` 8 or 16.

    LLVM vectorises a loop that reads what it wrote ``jump`` lanes back only when it can see the distance,
    so each is written with a literal; and a whole vector exactly, so each load is the vector stored one
    step earlier, which the CPU forwards from its store buffer (measured: 18, 20, 24 or 28 int32 lanes,
    or 16 double lanes, run 2 to 5 times slower). The difference is taken first, off the chain of
    dependent adds (a float add waits several cycles). uint16 ``ahead``/``behind`` (8-bit sums, jump 16)
    are differenced as int32: Numba would take ``uint16 - uint16`` unsigned, and then add it in float.
    """
    if ahead.itemsize == 2:
        for i in range(n):
            out[i + 16] = out[i] + (np.int32(ahead[i]) - np.int32(behind[i]))
    elif jump == 16:
        for i in range(n):
            out[i + 16] = out[i] + (ahead[i] - behind[i])
    else:
        for i in range(n):
            out[i + 8] = out[i] + (ahead[i] - behind[i])


@kernel
def _sliding_sum(v, out, n, step, k, tmp, narrow):
    """As :func:`_direct_sum`, with the window sliding along the row.

    Plain formula: ``out[i + step] = out[i] + v[i + k * step] - v[i]``, one add and one subtract per lane
    whatever ``k``; but each lane waits for the one ``step`` lanes back, which no SIMD unit can do. Where
    ``step`` divides a vector's lanes (``_jump``: 2, 4, 8 or 16 channels) it jumps a vector, ``m = jump /
    step`` pixels, at once: ``out[i + jump] = out[i] + W[i + k * step] - W[i]``, ``W`` the sums of ``m``
    taps, in two passes whatever ``k``; ``W`` goes into ``narrow`` (uint16) when it is long enough, else
    into ``tmp[2]``. Other channel counts slide lane by lane. Float sums slide too:
    the error a chunk of lanes (:data:`CHUNK_BYTES`) gathers, in double, is far below float32's resolution.
    """
    _first_window(v, out, step, k)
    entering = v[k * step :]
    jump = _jump(step, out.itemsize)
    if jump == 0 or n <= jump:
        nxt = out[step:]
        for i in range(n - step):
            nxt[i] = out[i] + entering[i] - v[i]
        return
    for i in range(jump - step):  # the first vector of lanes, a pixel at a time
        out[i + step] = out[i] + entering[i] - v[i]
    length = n - jump + k * step  # W for every lane the jumps read
    if narrow.shape[0] >= length:  # W in the column sums' 16 bits (see _buffers): half the bytes
        _jump_sums(v, narrow, out, length, n, step, k, jump)
    else:
        _jump_sums(v, tmp[2], out, length, n, step, k, jump)


@inline_kernel
def _first_window(v, out, step, k):
    """``out[c]`` = the first pixel's window sum, tap by tap, for its ``step`` channels (``out`` is
    scratch: it is set here, never read unset)."""
    for c in range(step):
        out[c] = 0
        for j in range(k):
            out[c] += v[j * step + c]


@inline_kernel
def _partial_sums(v, sums, length, step, jump):
    """``W``, the sums of ``jump / step`` taps that a sliding sum jumps by, into ``sums[:length]``."""
    if step == jump:
        _copy(v, sums, length)
    else:
        _direct_sum(v, sums, length, step, jump // step)


@inline_kernel
def _jump_sums(v, sums, out, length, n, step, k, jump):
    """The two passes of :func:`_sliding_sum`: ``W`` into ``sums``, then the jumps."""
    _partial_sums(v, sums, length, step, jump)
    _run_by(out, sums[k * step :], sums, n - jump, jump)


@kernel
def _window_sum(v, out, n, step, k, tmp, sliding, narrow):
    """``out[i] = v[i] + v[i + step] + ... + v[i + (k - 1) * step]`` for ``i < n`` and ``k >= 2``.

    Tap by tap for small ``k``, by doubling widths above ``_DIRECT_MAX_TAPS``; with ``sliding``, by a
    window sliding along the row (:func:`_sliding_sum`): from ``_SLIDING_MIN_TAPS`` on where it jumps a
    vector at a time, from ``_SERIAL_MIN_TAPS`` on where it goes lane by lane.
    """
    if k <= _DIRECT_MAX_TAPS:
        _direct_sum(v, out, n, step, k)
    elif sliding and k >= (_SLIDING_MIN_TAPS if _jump(step, out.itemsize) else _SERIAL_MIN_TAPS):
        _sliding_sum(v, out, n, step, k, tmp, narrow)
    else:
        _doubling_sum(v, out, n, step, k, tmp)


@inline_kernel
def _finish_row(s, a, b, d, rounding):
    """Round window sums ``S = s + a + b`` into the output row ``d`` as OpenCV does.

    The last two taps of the window arrive as views ``a`` and ``b`` and are added here, in the same pass
    as the rounding, which saves a pass over the row for small kernels. ``rounding`` is
    ``(mode, ds, dd, shift, scale, tail, lo, hi, to_int, neg_to_hi)``: a FINISH_* mode, its constants,
    the first lane of OpenCV's scalar tail, the output's saturation bounds, whether the output is an
    integer type, and whether OpenCV's SIMD body packs with saturation where its scalar tail casts
    (``neg_to_hi``; FINISH_F32: a negative result into an unsigned type; FINISH_FIX8: area 2's 256).
    """
    mode, ds, dd, shift, scale, tail, lo, hi, to_int, neg_to_hi = rounding
    n = d.shape[0]
    tail = min(tail, n)
    if mode == FINISH_FIX8:
        # OpenCV: d = ((S + dd') * ds') >> 23. Here as the 16-bit multiply-high the driver proved equal for
        # every S <= 255 * area (``fix8_magic``): d = ((S + dd) * ds) >> 16 >> shift, every step in uint16
        # lanes (``lanes``: 32 per vector; Numba's own arithmetic would run this loop in 64-bit lanes).
        m, e, bits = np.uint16(ds), np.uint16(dd), np.uint16(shift)
        if neg_to_hi:  # area 2, whose largest sum rounds to 256: cv2's SIMD body packs it to 255 and
            # its scalar tail casts it to 0 (uint8 wraps); every other area stays <= 255
            top = np.uint16(255)
            for i in range(tail):
                x = wrap_add(wrap_add(wrap_add(np.uint16(s[i]), np.uint16(a[i])), np.uint16(b[i])), e)
                d[i] = np.uint8(min(shift_right(mul_high(x, m), bits), top))
            for i in range(tail, n):
                x = wrap_add(wrap_add(wrap_add(np.uint16(s[i]), np.uint16(a[i])), np.uint16(b[i])), e)
                d[i] = np.uint8(shift_right(mul_high(x, m), bits))
        else:
            for i in range(n):
                x = wrap_add(wrap_add(wrap_add(np.uint16(s[i]), np.uint16(a[i])), np.uint16(b[i])), e)  # S+dd
                d[i] = np.uint8(shift_right(mul_high(x, m), bits))
    elif mode == FINISH_F32:
        # Body: v_round(v_cvt_f32(S) * (float)scale), in int32 lanes (|S * scale| < 2**30 as the area is
        # at least 2), then packed with saturation; packing into an unsigned type reads the int32 as
        # unsigned, so a negative result saturates to the maximum (cv2's quirk, the same instructions).
        # Tail: saturate_cast in double.
        fscale = np.float32(scale)
        if neg_to_hi:
            uhi = np.uint32(hi)
            for i in range(tail):
                v = np.int32(np.rint(np.float32(np.int32(s[i] + a[i] + b[i])) * fscale))
                d[i] = min(np.uint32(v), uhi)
        else:
            ilo, ihi = np.int32(lo), np.int32(hi)
            for i in range(tail):
                v = np.int32(np.rint(np.float32(np.int32(s[i] + a[i] + b[i])) * fscale))
                d[i] = min(max(v, ilo), ihi)
        for i in range(tail, n):
            d[i] = min(max(np.rint(np.float64(s[i] + a[i] + b[i]) * scale), lo), hi)
    elif mode == FINISH_F64 and to_int:
        for i in range(n):
            d[i] = min(max(np.rint(np.float64(s[i] + a[i] + b[i]) * scale), lo), hi)
    elif mode == FINISH_F64:
        for i in range(n):
            d[i] = np.float64(s[i] + a[i] + b[i]) * scale
    elif mode == FINISH_SINGLE:  # (float32 sums: 16 lanes a vector, where double would take 8)
        fscale = np.float32(scale)
        for i in range(n):
            d[i] = np.float32(s[i] + a[i] + b[i]) * fscale
    elif to_int:  # FINISH_RAW, with the same unsigned quirk in the SIMD body as FINISH_F32
        for i in range(tail):
            v = s[i] + a[i] + b[i]
            d[i] = hi if neg_to_hi and v < 0 else min(max(v, lo), hi)
        for i in range(tail, n):
            d[i] = min(max(s[i] + a[i] + b[i], lo), hi)
    else:
        for i in range(n):
            d[i] = s[i] + a[i] + b[i]


@inline_kernel
def _next_rows(src, dst, ny_in, ny_out, ny_dst):
    """The rows the next output row reads (``src[ny_in]``, ``src[ny_out]``) and writes (``dst[ny_dst]``),
    as views; an empty view for a row number of -1."""
    none = src[0][:0]
    next_in = src[ny_in] if ny_in >= 0 else none
    next_out = src[ny_out] if ny_out >= 0 else none
    next_dst = dst[ny_dst] if ny_dst >= 0 else dst[0][:0]
    return next_in, next_out, next_dst


@inline_kernel
def _ask_for(rows, j0, j1):
    """Ask the cache for lanes ``j0 .. j1`` of the three rows of :func:`_next_rows`, a line at a time."""
    next_in, next_out, next_dst = rows
    src_step = LINE_BYTES // next_in.itemsize
    dst_step = LINE_BYTES // next_dst.itemsize
    for j in range(j0, min(j1, next_in.shape[0]), src_step):
        prefetch_read(next_in, j)
    for j in range(j0, min(j1, next_out.shape[0]), src_step):
        prefetch_read(next_out, j)
    for j in range(j0, min(j1, next_dst.shape[0]), dst_step):
        prefetch_write(next_dst, j)


@kernel
def _finish_span(s, a, b, d, rounding, first, src, dst, ny_in, ny_out, ny_dst):
    """:func:`_finish_row` for lanes ``first .. first + len(d)`` of a row, a block of lanes at a time.

    Before each block it asks the cache for the same lanes of the source rows the next output row will
    add and subtract (``src[ny_in]``, ``src[ny_out]``) and of the row it will write (``dst[ny_dst]``), so
    their memory arrives while this row computes instead of stalling the next one (``prefetch``). A row
    number of -1 asks for nothing. (Non-temporal stores of the output, which skip fetching its lines,
    measured slower here: 4K float32 k9, one thread, 39 -> 49 ms with the output given.)
    """
    n = d.shape[0]
    rows = _next_rows(src, dst, ny_in, ny_out, ny_dst)
    lanes = PREFETCH_BLOCK_BYTES // max(src.itemsize, dst.itemsize)
    for b0 in range(0, n, lanes):
        b1 = min(b0 + lanes, n)
        _ask_for(rows, first + b0, first + b1)
        block = rounding[:5] + (max(0, rounding[5] - first - b0),) + rounding[6:]  # tail, from this block
        _finish_row(s[b0:], a[b0:], b[b0:], d[b0:b1], block)


@inline_kernel
def _slide_round(s, ahead, behind, d, lo, hi, fscale, ilo, ihi, neg_to_hi):
    """``s[i + J] = s[i] + (ahead[i] - behind[i])``, rounded into ``d[i + J]`` as OpenCV's FINISH_F32
    body rounds (see :func:`_finish_row`), for ``lo <= i < hi`` and ``J`` = :data:`_SLIDE_LANES`.

    One pass: LLVM keeps the running vector of ``J`` int32 sums in a register and rounds it there, so the
    window sums are never stored and loaded back between two passes. ``s`` is int32.
    """
    # (views from lo, indexed by the bare counter: see _direct_sum)
    s, ahead, behind, d = s[lo:], ahead[lo:], behind[lo:], d[lo:]
    if neg_to_hi:  # (an unsigned output: a negative result packs to the maximum, as in _finish_row)
        uhi = np.uint32(ihi)
        for i in range(hi - lo):
            x = np.int32(s[i] + (np.int32(ahead[i]) - np.int32(behind[i])))
            s[i + _SLIDE_LANES] = x
            d[i + _SLIDE_LANES] = min(np.uint32(np.int32(np.rint(np.float32(x) * fscale))), uhi)
    else:
        for i in range(hi - lo):
            x = np.int32(s[i] + (np.int32(ahead[i]) - np.int32(behind[i])))
            s[i + _SLIDE_LANES] = x
            d[i + _SLIDE_LANES] = min(max(np.int32(np.rint(np.float32(x) * fscale)), ilo), ihi)


@kernel
def _slide_finish(v, s, wbuf, zero, d, step, k, rounding, fetch, first, src, dst, ny_in, ny_out, ny_dst):
    """Window sums of ``k`` taps sliding along the row, rounded into ``d`` in the same pass (FINISH_F32).

    Plain formula: ``S[i] = v[i] + v[i + step] + ... + v[i + (k - 1) * step]``, ``d[i] = round(S[i])``,
    for the ``n = len(d)`` lanes. As in :func:`_sliding_sum`, with int32 sums jumping ``J`` =
    :data:`_SLIDE_LANES` lanes (``step`` 2, 4 or 8): ``S[i + J] = S[i] + W[i + k * step] - W[i]``, ``W``
    (in ``wbuf``) the sums of ``J / step`` taps; but the jumps and OpenCV's body rounding run in one loop
    (:func:`_slide_round`), where :func:`_window_sum` then :func:`_finish_row` store the sums and load
    them back (4K 8-bit rows, 51 columns, in cache: 2.9 -> 1.7 us a row). ``rounding`` has the tail from
    ``d``'s first lane; the first ``J`` lanes and OpenCV's scalar tail are rounded by :func:`_finish_row`
    from ``s``. With ``fetch``, the loop runs in blocks that first ask for the next row's memory
    (:func:`_finish_span`).
    """
    n = d.shape[0]
    jump = _SLIDE_LANES
    _first_window(v, s, step, k)
    entering = v[k * step :]
    for i in range(jump - step):  # the rest of the first vector of lanes, a pixel at a time
        s[i + step] = s[i] + entering[i] - v[i]
    length = n - jump + k * step
    w = wbuf[:length]
    _partial_sums(v, w, length, step, jump)
    ahead = w[k * step :]
    mode, ds, dd, shift, scale, tail, lo, hi, to_int, neg_to_hi = rounding
    fscale, ilo, ihi = np.float32(scale), np.int32(lo), np.int32(hi)
    body = min(max(tail, jump), n) - jump  # jumps rounded in the loop: lanes jump .. body + jump
    if fetch is None:  # (decided when Numba compiles, as in _box_strip)
        _slide_round(s, ahead, w, d, 0, body, fscale, ilo, ihi, neg_to_hi)
    else:
        rows = _next_rows(src, dst, ny_in, ny_out, ny_dst)
        lanes = PREFETCH_BLOCK_BYTES // max(src.itemsize, dst.itemsize)
        for b0 in range(0, body, lanes):
            b1 = min(b0 + lanes, body)
            _ask_for(rows, first + b0, first + (b1 if b1 < body else n))
            _slide_round(s, ahead, w, d, b0, b1, fscale, ilo, ihi, neg_to_hi)
    rest, rest_ahead, rest_behind = s[body:], ahead[body:], w[body:]
    for i in range(n - jump - body):  # the jumps into OpenCV's scalar tail, rounded below
        rest[i + jump] = rest[i] + (np.int32(rest_ahead[i]) - np.int32(rest_behind[i]))
    _finish_row(s, zero, zero, d[:jump], rounding)
    if body + jump < n:
        _finish_row(s[body + jump :], zero, zero, d[body + jump :], rounding[:5] + (0,) + rounding[6:])


@inline_kernel
def _copy(v, out, n):
    """``out[i] = v[i]`` for ``i < n``."""
    for i in range(n):
        out[i] = v[i]


@inline_kernel
def _copy_border_column(colsum, inner, j, sx, cn):
    """Padded column ``j`` of ``colsum`` reads interior column ``sx`` (or 0 where ``sx < 0``)."""
    for c in range(cn):
        colsum[j * cn + c] = inner[sx * cn + c] if sx >= 0 else 0


@inline_kernel
def _add_rows(inner, row_in, row_out, square):
    """``inner += f(row_in) - f(row_out)``, ``f`` the identity or the square, in the accumulator's type."""
    if square:
        for i in range(inner.shape[0]):
            inner[i] = inner[i] + row_in[i] * row_in[i] - row_out[i] * row_out[i]
    else:  # (inner + a - b, never a - b in the source type, which could wrap)
        for i in range(inner.shape[0]):
            inner[i] = inner[i] + row_in[i] - row_out[i]


@kernel
def _box_strip(
    src, dst, y0, y1, ytab, xtab, before, cn, kw, kh, square, bufs, rounding, exact_window, fetch, single
):
    """Output rows ``[y0, y1)``: running column sums down the strip, window sums across it.

    Returns True if a column sum ended non-finite: a NaN or inf entered a running sum and stays in it
    (``x - x`` is NaN there), so the caller reruns with ``exact_window``, which sums each window's rows
    afresh and does not slide along the row, and a NaN reaches exactly the outputs whose window holds it.
    """
    # Every array here is held by the caller for the whole call: borrowed, so the views made per row
    # and per chunk count no references (``refs``).
    src, dst, ytab, xtab = borrowed(src), borrowed(dst), borrowed(ytab), borrowed(xtab)
    colsum, hcol, hsum, tmp, zero, zero_row, narrow, pairs = bufs
    colsum, hcol, hsum, tmp = borrowed(colsum), borrowed(hcol), borrowed(hsum), borrowed(tmp)
    zero, zero_row, narrow, pairs = borrowed(zero), borrowed(zero_row), borrowed(narrow), borrowed(pairs)
    lanes = src.shape[1]
    width = lanes // cn
    base = before * cn
    inner = colsum[base : base + lanes]  # the interior lanes (a view: see _window_sum on indexing)
    hinner = hcol[base : base + lanes]
    for i in range(colsum.shape[0]):
        colsum[i] = 0
    for y in range(y0, y1):
        if y == y0 or exact_window:  # (re)start: the column sums of the window's first kh - 1 rows
            for i in range(lanes):
                inner[i] = 0
            for r in range(y, y + kh - 1):
                if ytab[r] >= 0:
                    _add_rows(inner, src[ytab[r]], zero, square)
        # column sums += row entering the window (y + kh - 1) - row that left it (y - 1)
        sy_in = ytab[y + kh - 1]
        sy_out = ytab[y - 1] if y > y0 and not exact_window else -1
        row_in, row_out = src[sy_in] if sy_in >= 0 else zero, src[sy_out] if sy_out >= 0 else zero
        # The horizontal pass reads h: the column sums, or with ``single`` a float32 copy written in the
        # same loop (``single`` is None or True, decided when Numba compiles; see box_rows).
        if single is None:
            _add_rows(inner, row_in, row_out, square)
        else:
            for i in range(lanes):
                inner[i] = inner[i] + row_in[i] - row_out[i]
                hinner[i] = inner[i]
        h, h_inner = when_none(single, (colsum, inner), (hcol, hinner))
        # Horizontal border: the column sums of border columns are those of the columns they mirror.
        for j in range(before):
            _copy_border_column(h, h_inner, j, xtab[j], cn)
        for j in range(before + width, xtab.shape[0]):
            _copy_border_column(h, h_inner, j, xtab[j], cn)
        # Window sums and rounding: S = (taps 0 .. kw-3) + tap kw-2 + tap kw-1, the last two added while
        # rounding, so a window of up to 3 taps is one pass over the row. On a large image the rounding
        # also fetches the rows the next output row reads and writes (_finish_span).
        out_row = dst[y]
        ahead = y + 1 < y1
        ny_in = ytab[y + kh] if ahead else -1
        ny_out = ytab[y] if ahead and kh >= PREFETCH_LEAVING_ROWS else -1
        ny_dst = y + 1 if ahead else -1
        if kw <= 3:
            second = h[cn:] if kw >= 2 else zero_row
            third = h[2 * cn :] if kw == 3 else zero_row
            if fetch is None:  # (decided when Numba compiles: fetch is None or True)
                _finish_row(h, second, third, out_row, rounding)
            else:
                _finish_span(h, second, third, out_row, rounding, 0, src, dst, ny_in, ny_out, ny_dst)
        else:  # a cache-sized chunk of lanes at a time, so the window-sum buffers stay in L1
            chunk = hsum.shape[0]
            # int32 sums of 8- and 16-bit input into 8- and 16-bit output slide and round in one pass
            slide_round = (
                rounding[0] == FINISH_F32
                and not exact_window
                and kw - 2 >= _SLIDING_MIN_TAPS
                and _jump(cn, hsum.itemsize) == 16
                and cn <= _SLIDE_LANES
            )
            for c0 in range(0, lanes, chunk):
                c1 = min(c0 + chunk, lanes)
                v = h[c0:]
                if slide_round and c1 - c0 > _SLIDE_LANES:  # sliding and rounding in one pass
                    last = rounding[:5] + (max(0, rounding[5] - c0),) + rounding[6:]  # tail, from this chunk
                    d = out_row[c0:c1]
                    if narrow.shape[0] > 0:  # W in the column sums' 16 bits (see _buffers)
                        _slide_finish(
                            v, hsum, narrow, zero_row, d, cn, kw, last, fetch, c0, src, dst, ny_in, ny_out,
                            ny_dst,
                        )  # fmt: skip
                    else:
                        _slide_finish(
                            v, hsum, tmp[2], zero_row, d, cn, kw, last, fetch, c0, src, dst, ny_in, ny_out,
                            ny_dst,
                        )  # fmt: skip
                    continue
                if pairs.shape[0] > 0:  # S = hsum + the last two pair sums (_pair_sums)
                    _pair_sums(v, pairs, hsum, c1 - c0, cn, kw)
                    a, b = pairs[(kw - 4 - kw % 2) * cn :], pairs[(kw - 2 - kw % 2) * cn :]
                else:
                    _window_sum(v, hsum, c1 - c0, cn, kw - 2, tmp, not exact_window, narrow)
                    a, b = v[(kw - 2) * cn :], v[(kw - 1) * cn :]
                s, d = hsum, out_row[c0:c1]
                if fetch is None:
                    last = rounding[:5] + (max(0, rounding[5] - c0),) + rounding[6:]  # tail, from this chunk
                    _finish_row(s, a, b, d, last)
                else:
                    _finish_span(s, a, b, d, rounding, c0, src, dst, ny_in, ny_out, ny_dst)
    poisoned = False
    for i in range(lanes):
        poisoned |= inner[i] - inner[i] != 0
    return poisoned


@kernel
def _buffers(src, col, acc, hrow, kh, cn, single):
    """Per-strip scratch: column sums (padded width, ``col``'s type), their copy in ``hrow``'s type with
    ``single`` (else empty), window sums and doubling buffers (a chunk each, ``acc``'s type), a zero
    source row, a zero row of the horizontal pass's type, ``narrow``, and for windows of _PAIR_MIN_TAPS to
    _PAIR_MAX_TAPS columns a chunk of pair sums in the horizontal pass's type (see :func:`_pair_sums`;
    else empty).

    ``narrow`` holds a sliding sum's ``W`` (sums of ``16 / cn`` column sums, see :func:`_sliding_sum`) in
    uint16 where they fit: 8-bit input whose int32 window sums (area > 256) slide 16 lanes at a time, and
    ``16 / cn * 255 * kh <= 65535``. Elsewhere it is empty.
    """
    halo = col.shape[0] - src.shape[1]
    chunk = CHUNK_BYTES // acc.itemsize
    kw = halo // cn + 1
    # pair sums in the horizontal pass's type: for 8-bit column sums, of up to 128 rows (2 * 255 * 128)
    paired = _PAIR_MIN_TAPS <= kw <= _PAIR_MAX_TAPS and (hrow.itemsize > 2 or kh <= 128)
    jump = _jump(cn, acc.itemsize)
    fits = col.itemsize == 2 and acc.itemsize == 4 and jump > 0 and jump // cn * 255 * kh <= 65535
    hcol = np.empty(0 if single is None else col.shape[0], hrow.dtype)
    return (
        np.empty_like(col),
        hcol,
        np.empty(chunk, acc.dtype),
        np.empty((3, chunk + halo), acc.dtype),
        np.zeros(src.shape[1], src.dtype),
        np.zeros(src.shape[1], hcol.dtype),
        np.empty(chunk + halo if fits else 0, col.dtype),
        np.empty(chunk + halo if paired else 0, hrow.dtype),
    )


@kernel
def box_rows(
    src, dst, ytab, xtab, before, cn, kw, kh, square, col, acc, hrow, rounding, exact_window, fetch, single
):  # fmt: skip
    """Box filter of (H, W*C) rows ``src`` into ``dst`` on the calling thread.

    ``col``/``acc``/``hrow``: templates of the column-sum (padded width), window-sum and horizontal-pass
    types; ``fetch``: None, or True to prefetch each next row (see :func:`_finish_span`); ``single``:
    None, or True to sum windows of float64 column sums in float32 (see :func:`box_sums`). Returns True
    if a non-finite value entered the running sums (see :func:`_box_strip`).
    """
    bufs = _buffers(src, col, acc, hrow, kh, cn, single)
    return _box_strip(
        src, dst, 0, src.shape[0], ytab, xtab, before, cn, kw, kh, square, bufs, rounding, exact_window,
        fetch, single,
    )  # fmt: skip


@parallel_kernel
def box_rows_parallel(
    src, dst, ytab, xtab, before, cn, kw, kh, square, col, acc, hrow, rounding, exact_window, fetch, single,
    n_strips,
):  # fmt: skip
    """As :func:`box_rows`, over ``n_strips`` strips of rows on the thread pool (each its own halo)."""
    poisoned = np.zeros(n_strips, np.bool_)
    for s in prange(n_strips):
        y0, y1 = strip_range(src.shape[0], n_strips, s)
        bufs = _buffers(src, col, acc, hrow, kh, cn, single)
        poisoned[s] = _box_strip(
            src, dst, y0, y1, ytab, xtab, before, cn, kw, kh, square, bufs, rounding, exact_window,
            fetch, single,
        )  # fmt: skip
    return poisoned.any()


def box_sums(rows, out_rows, ytab, xtab, before, cn, kw, kh, *, square, col, acc, rounding, n_strips):
    """Run the box kernel on (H, W*C) ``rows`` into ``out_rows``: the one entry point for every caller.

    ``ytab``/``xtab``: border tables (``purecv._border``) for ``kh``/``kw`` taps, ``before`` columns before
    the anchor; ``col``/``acc``: arrays of the column-sum and window-sum types, ``col`` as long as a
    padded row (templates: never written; :func:`sum_templates` makes them); ``rounding``: see
    :func:`_finish_row`; ``n_strips``: 1 runs on this thread. Float sums that met a NaN or inf are summed
    again window by window, so a NaN reaches exactly the outputs whose window holds it.

    float64 column sums with float32 window sums (``acc``) run the horizontal pass in float32 on a
    copy of the column sums made in the same loop that updates them: 16 lanes a vector instead of 8. The
    running sums stay in double, so their error does not grow down the image; each window adds its
    ``kw`` column sums in float32, an error of a few float32 ulps of the window's own magnitude.
    """
    fetch = True if rows.nbytes + out_rows.nbytes >= PREFETCH_MIN_BYTES else None
    single = True if col.dtype == np.float64 and acc.dtype == np.float32 else None
    hrow = acc if single else col  # the horizontal pass's type
    args = (rows, out_rows, ytab, xtab, before, cn, kw, kh, square, col, acc, hrow, rounding)
    extra = (fetch, single) if n_strips == 1 else (fetch, single, n_strips)
    run = box_rows if n_strips == 1 else box_rows_parallel
    if run(*args, False, *extra):
        run(*args, True, *extra)


def sum_templates(xtab, cn, col_dtype, acc_dtype):
    """The ``col`` and ``acc`` templates of :func:`box_sums` for a border table and the two types."""
    return np.empty(xtab.shape[0] * cn, col_dtype), np.empty(1, acc_dtype)
