# The article's two SIMD box blurs, ported to Mojo 1.2 (`pip install mojo==1.2.0`) as a benchmark peer.
#
# Python passes the address of a C-contiguous (height, width, 4) uint8 NumPy array plus its height and
# width; each RGBA pixel is read as one uint32 (channel c = bits 8c..8c+7). No copy crosses the boundary.
#
# The algorithm is the article's, kept as it is (it is NOT OpenCV's blur):
#   out[y, x].c = (sum over ky, kx in range(-R, R) of img[clamp(y + ky), clamp(x + kx)].c) // (2R)^2
#   for c = 0, 1, 2 (mask and shift), alpha (bits 24..31) = 255,
# an O(k^2) window sum over the 2R x 2R box that leans left/up (x-R .. x+R-1), coordinates clamped to the
# image, integer division (truncation), results written to a temporary buffer, then copied back over the
# NumPy array in place. `box_blur_simd` steps over each row by the SIMD width and leaves the last
# `width % SIMD_WIDTH` pixels of every row as they were; `box_blur_vectorized` uses `vectorize`, which
# also handles that remainder.
#
# What changed for safety: the article clamps only the first pixel of each SIMD load and then reads
# SIMD_WIDTH consecutive pixels from there, so near the right edge the upper lanes read the next row, in
# the last rows past the end of the buffer, and near the left edge lanes 1.. read shifted pixels. Here a
# chunk whose window loads all lie inside the row keeps the article's contiguous loads (all chunks but
# those at the two ends of a row); an edge chunk clamps every lane's own column and gathers, once per
# window row, the w + 2R - 1 pixels its loads need, then takes the shifted lane groups from registers
# (`blur_pixels`). No lane reads outside its row, and every pixel gets the clamped window mean.
# purecv.bench.mojo_peer.article_blur_model is the NumPy model of exactly this computation.

from std.algorithm import vectorize
from std.bit import next_power_of_two
from std.math import iota, max, min
from std.memory import Layout, Pointer, alloc, dealloc, unsafe_memcpy
from std.os import abort
from std.python import PythonObject
from std.python.bindings import PythonModuleBuilder
from std.sys.info import simd_width_of

comptime DIAMETER = 8
comptime RADIUS = DIAMETER // 2
comptime AREA = UInt32(DIAMETER * DIAMETER)
comptime SIMD_WIDTH = simd_width_of[DType.uint32]()  # 16 lanes of 32 bits with AVX-512
comptime PixelPtr = Pointer[UInt32, MutUntrackedOrigin]


@export
def PyInit_mojo_blur() abi("C") -> PythonObject:
    try:
        var m = PythonModuleBuilder("mojo_blur")
        m.def_function[box_blur_simd](
            "box_blur_simd",
            docstring="box_blur_simd(address, height, width): the article's fixed-width SIMD box blur, in place",
        )
        m.def_function[box_blur_vectorized](
            "box_blur_vectorized",
            docstring="box_blur_vectorized(address, height, width): the article's box blur with vectorize",
        )
        m.def_function[simd_width]("simd_width", docstring="pixels (uint32 lanes) per SIMD load")
        m.def_function[diameter]("diameter", docstring="side of the box window (compile-time)")
        return m.finalize()
    except e:
        abort(String("failed to create the mojo_blur Python module: ", e))


def simd_width() raises -> PythonObject:
    return PythonObject(SIMD_WIDTH)


def diameter() raises -> PythonObject:
    return PythonObject(DIAMETER)


def blur_pixels[w: Int](src: PixelPtr, y: Int, x: Int, height: Int, width: Int) -> SIMD[DType.uint32, w]:
    """The blurred pixels (y, x) .. (y, x + w - 1): the article's loop body."""
    var sum_r = SIMD[DType.uint32, w](0)
    var sum_g = SIMD[DType.uint32, w](0)
    var sum_b = SIMD[DType.uint32, w](0)
    # Do all the loads of these w pixels' windows lie inside the row? (every chunk but the edge ones)
    var inside = x - RADIUS >= 0 and x + w + RADIUS - 1 <= width
    comptime SEG = next_power_of_two(w + 2 * RADIUS - 1)  # columns x-R .. x+w+R-2, rounded up
    for ky in range(-RADIUS, RADIUS):
        var iy = min(max(y + ky, 0), height - 1)
        var row = src.unsafe_offset(iy * width)
        if inside:
            for kx in range(-RADIUS, RADIUS):
                var pixels = row.unsafe_load[width=w](x + kx)  # the article's load
                sum_r += pixels & 0xFF
                sum_g += (pixels >> 8) & 0xFF
                sum_b += (pixels >> 16) & 0xFF
        else:
            # Safe edge path (not in the article): gather the window row's columns, each clamped on
            # its own, once, then take the 2R shifted lane groups from registers.
            var cols = min(max(iota[DType.int64, SEG]() + Int64(x - RADIUS), Int64(0)), Int64(width - 1))
            var segment = row.unsafe_gather(cols)
            comptime for k in range(2 * RADIUS):
                var pixels = segment.slice[w, offset=k]()  # columns x + k - R .. x + k - R + w - 1
                sum_r += pixels & 0xFF
                sum_g += (pixels >> 8) & 0xFF
                sum_b += (pixels >> 16) & 0xFF
    var r = sum_r // AREA
    var g = sum_g // AREA
    var b = sum_b // AREA
    return r | (g << 8) | (b << 16) | (SIMD[DType.uint32, w](255) << 24)


def check_args(address: Int, height: Int, width: Int) raises:
    if address == 0 or height <= 0 or width <= 0:
        raise Error("mojo_blur: need a non-null address and height, width > 0")


def box_blur_simd(address: PythonObject, height: PythonObject, width: PythonObject) raises:
    """Fixed-width version: whole SIMD_WIDTH chunks only; the row tail keeps its pixels."""
    var h = Int(py=height)
    var w = Int(py=width)
    var addr = Int(py=address)
    check_args(addr, h, w)
    var image = PixelPtr(unsafe_from_address=addr)
    var full = (w // SIMD_WIDTH) * SIMD_WIDTH
    var tmp = alloc(Layout[UInt32](count=h * w))
    var out = tmp.unsafe_ptr()
    for y in range(h):
        for x in range(0, full, SIMD_WIDTH):
            out.unsafe_store(y * w + x, blur_pixels[SIMD_WIDTH](image, y, x, h, w))
    if full > 0:
        for y in range(h):  # copy back the blurred part of each row; the tail stays unblurred
            unsafe_memcpy(dest=image.unsafe_offset(y * w), src=out.unsafe_offset(y * w), count=full)
    dealloc(tmp^)


def box_blur_vectorized(address: PythonObject, height: PythonObject, width: PythonObject) raises:
    """`vectorize` version: every pixel, the remainder of each row included."""
    var h = Int(py=height)
    var w = Int(py=width)
    var addr = Int(py=address)
    check_args(addr, h, w)
    var image = PixelPtr(unsafe_from_address=addr)
    var tmp = alloc(Layout[UInt32](count=h * w))
    var out = tmp.unsafe_ptr()
    for y in range(h):

        def blur_row[lanes: Int](x: Int) {mut out, imm}:
            out.unsafe_store(y * w + x, blur_pixels[lanes](image, y, x, h, w))

        vectorize[SIMD_WIDTH](w, blur_row)
    unsafe_memcpy(dest=image, src=out, count=h * w)
    dealloc(tmp^)
