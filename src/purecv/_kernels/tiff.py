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
def lzw_decode(src, out):
    """Decode ``src`` into ``out``; return the bytes written (at most ``len(out)``), or -1 for a bad code."""
    prefix = np.zeros(4096, np.int32)
    suffix = np.zeros(4096, np.uint8)
    first = np.zeros(4096, np.uint8)
    length = np.zeros(4096, np.int32)
    for c in range(256):
        suffix[c] = c
        first[c] = c
        length[c] = 1
    n_bits = src.shape[0] * 8
    pos = 0  # bit position in src
    n = 0  # bytes written
    nxt = _FIRST
    width = 9
    old = -1
    while pos + width <= n_bits:
        code = 0
        for _ in range(width):  # MSB first
            code = (code << 1) | ((src[pos >> 3] >> (7 - (pos & 7))) & 1)
            pos += 1
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
            # the new entry: old's string + the first byte of code's (of old's own, if code is that entry)
            prefix[nxt] = old
            suffix[nxt] = first[code] if code < nxt else first[old]
            first[nxt] = first[old]
            length[nxt] = length[old] + 1
            nxt += 1
            if nxt >= (1 << width) - 1 and width < 12:
                width += 1
        # write code's string backwards from its last byte
        size = length[code]
        end = min(n + size, out.shape[0])
        k = code
        for i in range(n + size - 1, n - 1, -1):
            if i < end:
                out[i] = suffix[k]
            k = prefix[k]
        n = end
        if n == out.shape[0]:
            break
        old = code
    return n


@kernel
def _put(dst, pos, code, width):
    """Append ``code`` in ``width`` bits, MSB first, at bit ``pos`` of the zeroed ``dst``; return the end."""
    for b in range(width - 1, -1, -1):
        if (code >> b) & 1:
            dst[pos >> 3] |= np.uint8(128 >> (pos & 7))
        pos += 1
    return pos


@kernel
def lzw_encode(src, dst):
    """Encode ``src`` into the zeroed ``dst`` (``len(src) * 3 // 2 + 16`` bytes or more); return its length.

    The string table is a (prefix code, next byte) -> code map; each entry records the table generation it
    belongs to, so a clear costs nothing.
    """
    table = np.zeros(4096 * 256, np.int32)  # (generation << 12) | code
    gen = 1
    pos = _put(dst, 0, _CLEAR, 9)
    width = 9
    nxt = _FIRST
    if src.shape[0] == 0:
        pos = _put(dst, pos, _EOI, width)
        return (pos + 7) >> 3
    w = np.int32(src[0])
    for i in range(1, src.shape[0]):
        k = src[i]
        slot = w * 256 + k
        entry = table[slot]
        if entry >> 12 == gen:
            w = entry & 4095
            continue
        pos = _put(dst, pos, w, width)
        table[slot] = (gen << 12) | nxt
        nxt += 1
        if nxt == 4094:  # table full: clear and start over
            pos = _put(dst, pos, _CLEAR, width)
            gen += 1
            nxt = _FIRST
            width = 9
        elif nxt > (1 << width) - 1:
            width += 1
        w = np.int32(k)
    pos = _put(dst, pos, w, width)
    nxt += 1
    if nxt != 4094 and nxt > (1 << width) - 1:
        width += 1
    pos = _put(dst, pos, _EOI, width)
    return (pos + 7) >> 3


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
