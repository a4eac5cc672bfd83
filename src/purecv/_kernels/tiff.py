"""TIFF compression kernels: LZW (TIFF 6.0 section 13: MSB first, "early change") and PackBits.

LZW codes are 9 to 12 bits wide; 256 clears the table, 257 ends the strip, new strings start at 258. The
encoder widens its codes once the next free code passes ``2**width - 1``; the decoder, one entry behind it,
widens when its next free code reaches ``2**width - 1`` (libtiff's ``LZWDecode`` / ``LZWEncode``).
"""

from __future__ import annotations

import numpy as np

from .._jit import kernel

__all__ = ["lzw_decode", "lzw_encode", "packbits_decode"]

_CLEAR = 256
_EOI = 257
_FIRST = 258


@kernel
def _lzw_block(src, pos, stop, out, base, size, where, length):
    """Decode ``src[pos:stop]`` into ``out[base:base + size]``; return the bytes written, or -1: bad code.

    Every string in the table has already been written to ``out``: ``where[code]`` is its latest copy
    and ``length[code]`` its length, so emitting a code copies bytes from earlier in ``out``, and a new
    entry (the previous string + the next byte) starts where the previous string was just written.
    """
    # (offsets rather than slices: numba types slices as non-contiguous, which halves the speed)
    buf = np.uint64(0)  # pending bits: the lowest ``avail``, oldest first
    avail = 0
    n = 0  # bytes written
    nxt = _FIRST
    width = 9
    old = -1
    while True:
        while avail < width and pos < stop:  # MSB first: append whole bytes below the pending bits
            buf = (buf << np.uint64(8)) | np.uint64(src[pos])
            pos += 1
            avail += 8
        if avail < width:
            break
        avail -= width
        code = np.int64((buf >> np.uint64(avail)) & np.uint64((1 << width) - 1))
        if code == _EOI:
            break
        if code == _CLEAR:
            nxt = _FIRST
            width = 9
            old = -1
            continue
        if code > nxt or (code == nxt and old < 0):
            return -1
        if old >= 0 and nxt < 4096:
            where[nxt] = where[old]  # old's string, then the next byte written: code's first
            length[nxt] = length[old] + 1
            nxt += 1
            if nxt >= (1 << width) - 1 and width < 12:
                width += 1
        start = n
        if code < 256:
            if n < size:
                out[base + n] = code
            n += 1
        else:
            at = base + where[code]
            for i in range(min(length[code], size - n)):  # forward: a string may overlap its copy by a byte
                out[base + n + i] = out[at + i]
            n += length[code]
        where[code] = start  # its latest copy: the one the next byte will follow
        if n >= size:
            return size
        old = code
    return n


@kernel
def lzw_decode(src, starts, counts, out, out_starts, out_sizes, written):
    """Decode strip ``i`` (``src[starts[i]:][:counts[i]]``) into ``out[out_starts[i]:][:out_sizes[i]]``.

    ``written[i]`` gets the bytes it produced, -1 for a bad code; the string table is allocated once.
    """
    where = np.zeros(4096, np.int64)
    length = np.ones(4096, np.int64)
    for i in range(starts.shape[0]):
        stop = min(starts[i] + counts[i], src.shape[0])
        written[i] = _lzw_block(src, starts[i], stop, out, out_starts[i], out_sizes[i], where, length)


@kernel
def lzw_encode(src, dst):
    """Encode ``src`` into ``dst`` (``len(src) * 3 // 2 + 16`` bytes or more); return the bytes used.

    The string table is a (prefix code, next byte) -> code map; each entry records the table generation it
    belongs to, so a clear costs nothing. Codes go out MSB first through a 64-bit buffer.
    """
    table = np.zeros(4096 * 256, np.int32)  # (generation << 12) | code
    gen = 1
    out = 0  # bytes written
    buf = np.uint64(_CLEAR)  # pending bits (the lowest ``avail``)
    avail = 9
    width = 9
    nxt = _FIRST
    w = np.int64(src[0]) if src.shape[0] else -1
    for i in range(1, src.shape[0] + 1):
        if i < src.shape[0]:
            k = np.int64(src[i])
            entry = table[w * 256 + k]
            if entry >> 12 == gen:
                w = entry & 4095
                continue
            table[w * 256 + k] = (gen << 12) | nxt
        # emit w, then (table full) a clear
        codes = 1
        code = w
        nxt += 1
        if nxt == 4094 and i < src.shape[0]:
            codes = 2
        for c in range(codes):
            value = code if c == 0 else _CLEAR
            buf = (buf << np.uint64(width)) | np.uint64(value)
            avail += width
            while avail >= 8:
                avail -= 8
                dst[out] = np.uint8((buf >> np.uint64(avail)) & np.uint64(255))
                out += 1
        if codes == 2:
            gen += 1
            nxt = _FIRST
            width = 9
        elif nxt > (1 << width) - 1 and width < 12:
            width += 1
        if i < src.shape[0]:
            w = k
    buf = (buf << np.uint64(width)) | np.uint64(_EOI)
    avail += width
    while avail >= 8:
        avail -= 8
        dst[out] = np.uint8((buf >> np.uint64(avail)) & np.uint64(255))
        out += 1
    if avail:
        dst[out] = np.uint8((buf << np.uint64(8 - avail)) & np.uint64(255))
        out += 1
    return out


@kernel
def packbits_decode(src, out):
    """Decode PackBits runs of ``src`` into ``out``; return the bytes written (at most ``len(out)``)."""
    i = 0
    n = 0
    size = out.shape[0]
    while i < src.shape[0] and n < size:
        h = np.int32(src[i])
        i += 1
        if h < 128:  # copy the next h + 1 bytes
            for _ in range(h + 1):
                if i < src.shape[0] and n < size:
                    out[n] = src[i]
                    n += 1
                i += 1
        elif h > 128:  # repeat the next byte 257 - h times
            if i < src.shape[0]:
                for _ in range(257 - h):
                    if n < size:
                        out[n] = src[i]
                        n += 1
            i += 1
    return n
