"""Correlation with a large kernel: FFT down the columns, kernel taps along the rows.

The plain formula is the neighbourhood driver's (:mod:`.neighbourhood`)::

    dst[y, x] = delta + sum(w[ky, kx] * P[y + ky, x + kx * C])      # P: border-padded rows, C channels

For a block of ``B = N - kh + 1`` output rows, the ``N`` padded rows it reads are transformed along y
(a length-``N`` real FFT per lane, all ``W * C`` lanes at once, so every butterfly is a vectorised pass
over a row of lanes). In that spectrum the sum over ``ky`` is a product: for each frequency ``f``,
``D[f, x] = sum_kx conj(G[f, kx]) * S[f, x + kx * C]`` with ``G[f, kx]`` the FFT of kernel column
``kx``, which costs ``kw`` complex multiply-adds per lane and frequency instead of ``kw * kh`` real ones.
An inverse FFT gives the ``B`` output rows exactly (circular wrap-around only touches rows past ``B``).

Per task (a block of rows times a chunk of lanes with its ``(kw - 1) * C`` lanes of halo):

1. gather the ``N`` padded rows, converted to the work dtype, as ``N / 2`` complex rows (even rows real,
   odd rows imaginary) in bit-reversed order;
2. a complex FFT of length ``N / 2`` down the rows (radix 2, two stages per pass), then the split
   step that gives the spectrum of the real rows (frequencies ``0 .. N / 2``);
3. the taps along x, frequency by frequency (pairs ``f`` and ``N / 2 - f`` together), and the merge step
   of the inverse real FFT, written in bit-reversed order;
4. an inverse FFT, then ``+ delta`` and the same finish step as the direct path.

All scale factors (``1 / N``, the halves of the split and merge steps) are folded into the kernel
spectrum. Accuracy: float64 work gives results within about 1e-13 of the exact sum relative to
``sum|w| * max|src|``; float32 work within about 1e-7.
"""

from __future__ import annotations

import numpy as np
from numba import prange

from .._border import border_table
from .._jit import current_threads, kernel, parallel_kernel
from .neighbourhood import PARALLEL_MIN_WORK
from .saturate import saturate_row

__all__ = ["all_finite", "fft_block_rows", "spectral_correlate", "spectral_pays"]

_LANES = 512  # output lanes per task: with their halo, a task's buffers stay in L2
_FFT_TAP_PASSES = 7  # the FFT path costs about this many direct tap passes per kernel column (measured)


def fft_block_rows(kh: int, height: int) -> int:
    """The FFT length ``N`` for kernels of ``kh`` rows: about 8 kh, no longer than the image needs."""
    n = 16
    while n < 8 * kh and n < 256 + 4 * kh:
        n *= 2
    while n // 2 >= height + kh - 1 and n // 2 > kh:  # one block covers the image
        n //= 2
    return n


def spectral_pays(nonzero: int, kh: int, kw: int, height: int) -> bool:
    """Whether the FFT path beats the direct one for a kernel with ``nonzero`` taps.

    Measured on 1920x1080x4 (float32 and float64 work, one thread): direct costs about ``nonzero`` tap
    passes; the FFT path about ``_FFT_TAP_PASSES * kw`` of them, scaled by the overlap ``N / (N - kh + 1)``;
    the two cross near 9x9.
    """
    n = fft_block_rows(kh, height)
    return nonzero > _FFT_TAP_PASSES * kw * n / (n - kh + 1)


@kernel
def _count_special(bits, mask):
    """How many of the float ``bits`` (viewed as ints) have an all-ones exponent: inf or NaN."""
    count = 0
    for r in range(bits.shape[0]):
        row = bits[r]
        for x in range(row.shape[0]):
            count += (row[x] & mask) == mask
    return count


def all_finite(rows: np.ndarray) -> bool:
    """True if the float (H, W*C) rows hold no NaN or infinity (one vectorised pass)."""
    if rows.dtype == np.float32:
        return _count_special(rows.view(np.int32), np.int32(0x7F800000)) == 0
    return _count_special(rows.view(np.int64), np.int64(0x7FF0000000000000)) == 0


@kernel
def _fft_rows(re, im, m, n, twr, twi):
    """In place: complex FFT of length ``m`` down rows ``[0, m)`` (given in bit-reversed order), lanes < n.

    Radix-2 decimation in time, two stages per pass over the rows (:func:`_radix4`) and one lone stage
    first when ``log2(m)`` is odd; ``twr[h + j] + 1j * twi[h + j]`` is the twiddle ``exp(-2 pi i j / (2 h))``
    (negate ``twi`` for the inverse transform).
    """
    stages = 0  # log2(m)
    while (1 << stages) < m:
        stages += 1
    h = 1
    if stages % 2 == 1:
        for start in range(0, m, 2):
            ar, ai, br, bi = re[start], im[start], re[start + 1], im[start + 1]
            for x in range(n):  # (a, b) <- (a + b, a - b)
                tr, ti = br[x], bi[x]
                br[x] = ar[x] - tr
                bi[x] = ai[x] - ti
                ar[x] = ar[x] + tr
                ai[x] = ai[x] + ti
        h = 2
    while h < m:
        for start in range(0, m, 4 * h):
            for j in range(h):
                _radix4(re, im, start + j, h, n, twr[h + j], twi[h + j], twr[2 * h + j], twi[2 * h + j],
                        twr[3 * h + j], twi[3 * h + j])  # fmt: skip
        h *= 4


@kernel
def _radix4(re, im, a, h, n, w1r, w1i, w2r, w2i, w3r, w3i):
    """Stages ``h`` and ``2 h`` on rows ``a, a + h, a + 2h, a + 3h`` in one pass (4 loads, 4 stores each).

    Stage ``h``: ``(p, q) <- (p + w1 q, p - w1 q)`` on rows (a, a+h) and (a+2h, a+3h); stage ``2 h``:
    the same with ``w2`` on rows (a, a+2h) and ``w3`` on rows (a+h, a+3h).
    """
    pr, pi, qr, qi = re[a], im[a], re[a + h], im[a + h]
    rr, ri, sr, si = re[a + 2 * h], im[a + 2 * h], re[a + 3 * h], im[a + 3 * h]
    for x in range(n):
        tr = qr[x] * w1r - qi[x] * w1i
        ti = qr[x] * w1i + qi[x] * w1r
        p_r, p_i = pr[x] + tr, pi[x] + ti
        q_r, q_i = pr[x] - tr, pi[x] - ti
        tr = sr[x] * w1r - si[x] * w1i
        ti = sr[x] * w1i + si[x] * w1r
        r_r, r_i = rr[x] + tr, ri[x] + ti
        s_r, s_i = rr[x] - tr, ri[x] - ti
        tr = r_r * w2r - r_i * w2i
        ti = r_r * w2i + r_i * w2r
        pr[x], pi[x] = p_r + tr, p_i + ti
        rr[x], ri[x] = p_r - tr, p_i - ti
        tr = s_r * w3r - s_i * w3i
        ti = s_r * w3i + s_i * w3r
        qr[x], qi[x] = q_r + tr, q_i + ti
        sr[x], si[x] = q_r - tr, q_i - ti


@kernel
def _gather(src, sy, xtab, ax, cn, c0, lin, cval, out):
    """``out[x]`` = padded lane ``c0 + x`` of padded row ``sy`` (``-1``: all ``cval``), for x < lin."""
    lanes = src.shape[1]
    if sy < 0:
        for x in range(lin):
            out[x] = cval[(c0 + x) % cn]
        return
    row = src[sy]
    lo = ax * cn
    hi = lo + lanes  # interior padded lanes [lo, hi)
    a = max(c0, lo)
    b = min(c0 + lin, hi)
    if a < b:
        o = out[a - c0 :]
        s = row[a - lo :]
        for x in range(b - a):
            o[x] = s[x]
    for p in range(c0, min(c0 + lin, lo)):
        j = p // cn
        sx = xtab[j]
        out[p - c0] = row[sx * cn + p - j * cn] if sx >= 0 else cval[p - j * cn]
    for p in range(max(c0, hi), c0 + lin):
        j = p // cn
        sx = xtab[j]
        out[p - c0] = row[sx * cn + p - j * cn] if sx >= 0 else cval[p - j * cn]


@kernel
def _split(zr, zi, m, n, cs, sn):
    """Spectrum of the real rows from the FFT ``Z`` of their packed pairs, in place (row ``m`` added).

    ``X2[k] = Z[k] + conj(Z[m - k]) - i e^{-i t} (Z[k] - conj(Z[m - k]))``, ``t = pi k / m``: twice
    the real FFT (the 2 is folded into the kernel spectrum).
    """
    for x in range(n):
        a = zr[0, x]
        b = zi[0, x]
        zr[0, x] = 2 * (a + b)
        zi[0, x] = 0
        zr[m, x] = 2 * (a - b)
        zi[m, x] = 0
    for k in range(1, m // 2 + 1):
        q = m - k
        c, s, c2, s2 = cs[k], sn[k], cs[q], sn[q]
        kr, ki, qr, qi = zr[k], zi[k], zr[q], zi[q]
        for x in range(n):
            ar, ai, br, bi = kr[x], ki[x], qr[x], qi[x]
            sr = ar + br
            si = ai - bi
            dr = ar - br
            di = ai + bi
            kr[x] = sr + c * di - s * dr
            ki[x] = si - s * di - c * dr
            qr[x] = sr + c2 * di + s2 * dr
            qi[x] = -si - s2 * di + c2 * dr


@kernel
def _taps(acc_r, acc_i, xr, xi, hr, hi, kw, cn, n):
    """``acc[x] = sum_t h[t] * X[x + t * cn]`` (complex), four taps per pass over the lanes."""
    for x in range(n):
        acc_r[x] = 0
        acc_i[x] = 0
    t = 0
    while t + 3 < kw:
        r0, i0, r1, i1 = xr[t * cn :], xi[t * cn :], xr[(t + 1) * cn :], xi[(t + 1) * cn :]
        r2, i2, r3, i3 = xr[(t + 2) * cn :], xi[(t + 2) * cn :], xr[(t + 3) * cn :], xi[(t + 3) * cn :]
        a0, b0, a1, b1 = hr[t], hi[t], hr[t + 1], hi[t + 1]
        a2, b2, a3, b3 = hr[t + 2], hi[t + 2], hr[t + 3], hi[t + 3]
        for x in range(n):
            acc_r[x] += (a0 * r0[x] - b0 * i0[x] + a1 * r1[x] - b1 * i1[x]) + (
                a2 * r2[x] - b2 * i2[x] + a3 * r3[x] - b3 * i3[x]
            )
            acc_i[x] += (a0 * i0[x] + b0 * r0[x] + a1 * i1[x] + b1 * r1[x]) + (
                a2 * i2[x] + b2 * r2[x] + a3 * i3[x] + b3 * r3[x]
            )
        t += 4
    while t < kw:
        r0, i0 = xr[t * cn :], xi[t * cn :]
        a0, b0 = hr[t], hi[t]
        for x in range(n):
            acc_r[x] += a0 * r0[x] - b0 * i0[x]
            acc_i[x] += a0 * i0[x] + b0 * r0[x]
        t += 1


@kernel
def _merge(tr, ti, k, m, cs, sn, brev, ur, ui, n):
    """Inverse split step for frequencies ``k`` and ``m - k`` (in ``t*[0]``, ``t*[1]``), bit-reversed.

    ``Z'[k] = Y[k] + conj(Y[m - k]) + i e^{i t} (Y[k] - conj(Y[m - k]))``; an unscaled inverse FFT of
    ``Z'`` then holds the even output rows in its real part and the odd ones in its imaginary part.
    """
    q = m - k
    c, s, c2, s2 = cs[k], sn[k], cs[q], sn[q]
    kr, ki = ur[brev[k]], ui[brev[k]]
    both = k != 0 and q != k
    qr, qi = ur[brev[q % m]], ui[brev[q % m]]
    yr, yi, wr, wi = tr[0], ti[0], tr[1], ti[1]
    for x in range(n):
        ar, ai, br, bi = yr[x], yi[x], wr[x], wi[x]
        sr = ar + br
        si = ai - bi
        dr = ar - br
        di = ai + bi
        kr[x] = sr - c * di - s * dr
        ki[x] = si + c * dr - s * di
        if both:
            qr[x] = sr - c2 * di + s2 * dr
            qi[x] = -si - c2 * dr - s2 * di


@kernel
def _block(src, dst, y0, c0, nout, ytab, xtab, ax, cn, kh, kw, cval, delta, tables, to_int, lo, hi, bufs):
    """Output rows ``[y0, y0 + N - kh + 1)`` (clipped to the image) for lanes ``[c0, c0 + nout)``."""
    brev, twr, twi, itwi, cs, sn, hr, hi_ = tables
    zr, zi, tr, ti, ur, ui = bufs
    m = brev.shape[0]
    n_rows = 2 * m
    lin = nout + (kw - 1) * cn
    for t in range(n_rows):
        row = zr[brev[t // 2]] if t % 2 == 0 else zi[brev[t // 2]]
        p = y0 + t
        _gather(src, ytab[p] if p < ytab.shape[0] else -1, xtab, ax, cn, c0, lin, cval, row)
    _fft_rows(zr, zi, m, lin, twr, twi)
    _split(zr, zi, m, lin, cs, sn)
    for k in range(m // 2 + 1):
        _taps(tr[0], ti[0], zr[k], zi[k], hr[k], hi_[k], kw, cn, nout)
        _taps(tr[1], ti[1], zr[m - k], zi[m - k], hr[m - k], hi_[m - k], kw, cn, nout)
        _merge(tr, ti, k, m, cs, sn, brev, ur, ui, nout)
    _fft_rows(ur, ui, m, nout, twr, itwi)
    for u in range(min(n_rows - kh + 1, dst.shape[0] - y0)):
        row = ur[u // 2] if u % 2 == 0 else ui[u // 2]
        for x in range(nout):
            row[x] += delta
        saturate_row(row[:nout], dst[y0 + u, c0 : c0 + nout], to_int, lo, hi)


@kernel
def _run_tasks(
    w, n_workers, src, dst, ytab, xtab, ax, cn, kh, kw, cval, delta, tables, to_int, lo, hi, chunk
):
    """Worker ``w`` of ``n_workers``: its share of the (row block, lane chunk) tasks, with one set of buffers.

    Buffers per worker, not per task: fresh pages for every task cost as much as the FFTs.
    """
    height, lanes = dst.shape
    m = tables[0].shape[0]
    rows_out = 2 * m - kh + 1
    n_bx = (lanes + chunk - 1) // chunk
    n_tasks = (height + rows_out - 1) // rows_out * n_bx
    lin = chunk + (kw - 1) * cn
    z = (np.empty((m + 1, lin), cval.dtype), np.empty((m + 1, lin), cval.dtype))
    t = (np.empty((2, chunk), cval.dtype), np.empty((2, chunk), cval.dtype))
    u = (np.empty((m, chunk), cval.dtype), np.empty((m, chunk), cval.dtype))
    bufs = (z[0], z[1], t[0], t[1], u[0], u[1])
    for task in range(n_tasks * w // n_workers, n_tasks * (w + 1) // n_workers):
        y0 = (task // n_bx) * rows_out
        c0 = (task % n_bx) * chunk
        nout = min(chunk, lanes - c0)
        _block(src, dst, y0, c0, nout, ytab, xtab, ax, cn, kh, kw, cval, delta, tables, to_int, lo, hi, bufs)


@parallel_kernel
def _blocks(src, dst, ytab, xtab, ax, cn, kh, kw, cval, delta, tables, to_int, lo, hi, chunk, n_workers):
    """:func:`_run_tasks` for every worker, on the thread pool."""
    for w in prange(n_workers):
        _run_tasks(
            w, n_workers, src, dst, ytab, xtab, ax, cn, kh, kw, cval, delta, tables, to_int, lo, hi, chunk
        )


def _bit_reversal(m: int) -> np.ndarray:
    bits = m.bit_length() - 1
    idx = np.arange(m)
    rev = np.zeros(m, np.int64)
    for b in range(bits):
        rev |= ((idx >> b) & 1) << (bits - 1 - b)
    return rev


def spectral_correlate(src, dst, cn, weights, anchor, border, cval, delta) -> None:
    """``dst = delta + correlation of (H, W*C) rows src with weights``, by FFT; work dtype = cval's.

    ``anchor = (ay, ax)``; ``border`` without ``BORDER_ISOLATED``; ``cval``: the BORDER_CONSTANT value per
    channel; ``weights``: float64 (kh, kw). Results for non-finite inputs are not local (a NaN spreads
    over its block): callers send those to the direct path.
    """
    work = cval.dtype
    kh, kw = weights.shape
    ay, ax = anchor
    height, lanes = dst.shape
    n = fft_block_rows(kh, height)
    m = n // 2
    ytab = border_table(src.shape[0], ay, kh - 1 - ay, border)
    xtab = border_table(lanes // cn, ax, kw - 1 - ax, border)

    twiddle = np.zeros(max(m, 1), np.complex128)
    h = 1
    while h < m:
        twiddle[h : 2 * h] = np.exp(-2j * np.pi * np.arange(h) / (2 * h))
        h *= 2
    freq = np.arange(m + 1)
    phase = np.exp(2j * np.pi * freq / n)
    # h[f, kx] = conj(G[f, kx]) / (4 m): the inverse FFT's 1 / m and the halves of split and merge.
    spectrum = np.exp(-2j * np.pi * np.outer(freq, np.arange(kh)) / n) @ weights
    taps = np.conj(spectrum) / (4 * m)
    tables = (
        _bit_reversal(m),
        twiddle.real.astype(work),
        twiddle.imag.astype(work),
        (-twiddle.imag).astype(work),
        phase.real.astype(work),
        phase.imag.astype(work),
        np.ascontiguousarray(taps.real.astype(work)),
        np.ascontiguousarray(taps.imag.astype(work)),
    )
    to_int = dst.dtype.kind in "iu"
    info = np.iinfo(dst.dtype) if to_int else None
    lo, hi = (float(info.min), float(info.max)) if to_int else (-np.inf, np.inf)
    chunk = min(_LANES, lanes)
    tasks = ((height + n - kh) // (n - kh + 1)) * ((lanes + chunk - 1) // chunk)
    workers = min(tasks, current_threads())
    args = (src, dst, ytab, xtab, ax, cn, kh, kw, cval, work.type(delta), tables, to_int, work.type(lo),
            work.type(hi), chunk)  # fmt: skip
    # small jobs stay on this thread; the work in lane-taps, the unit of the direct path's threshold
    if workers == 1 or height * lanes * _FFT_TAP_PASSES * kw < PARALLEL_MIN_WORK:
        _run_tasks(0, 1, *args)
    else:
        _blocks(*args, workers)
