"""The ``purecv`` command: ``purecv demo``, ``purecv blur IN OUT -k K``, ``purecv bench``.

A thin layer over the public functions. Heavy modules (the bench package, tqdm, matplotlib, cv2) are
imported only by the command that needs them, so ``purecv blur`` starts fast. Bad arguments and
unreadable files end with argparse's one-line message and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import __version__
from .constants import (
    BORDER_CONSTANT,
    BORDER_DEFAULT,
    BORDER_REFLECT,
    BORDER_REFLECT_101,
    BORDER_REPLICATE,
    BORDER_WRAP,
)

__all__ = ["BORDERS", "build_parser", "main", "parse_ksize", "parse_size"]

BORDERS = {
    "default": BORDER_DEFAULT,
    "constant": BORDER_CONSTANT,
    "replicate": BORDER_REPLICATE,
    "reflect": BORDER_REFLECT,
    "reflect101": BORDER_REFLECT_101,
    "wrap": BORDER_WRAP,
}


def parse_ksize(text: str) -> tuple[int, int]:
    """``'5'`` -> ``(5, 5)``; ``'7x3'`` -> ``(7, 3)`` (width x height), each >= 1.

    Examples
    --------
    >>> parse_ksize("5"), parse_ksize("7x3")
    ((5, 5), (7, 3))
    """
    parts = text.lower().split("x")
    try:
        values = [int(p) for p in parts]
    except ValueError:
        values = []
    if len(values) not in (1, 2) or min(values) < 1:
        msg = f"expected a kernel size K or WxH with positive ints (e.g. 5 or 7x3); got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return (values[0], values[-1])


def parse_size(text: str) -> tuple[int, int]:
    """``'3840x2160'`` -> ``(3840, 2160)`` (width x height).

    Examples
    --------
    >>> parse_size("3840x2160")
    (3840, 2160)
    """
    parts = text.lower().split("x")
    try:
        values = [int(p) for p in parts]
    except ValueError:
        values = []
    if len(values) != 2 or min(values) < 1:
        msg = f"expected an image size WxH with positive ints (e.g. 3840x2160); got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return (values[0], values[1])


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        msg = f"expected a positive int; got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return value


def _thread_list(text: str) -> list[int]:
    try:
        values = [int(p) for p in text.split(",")]
    except ValueError:
        values = []
    if not values or min(values) < 1:
        msg = f"expected positive thread counts separated by commas (e.g. 1,2); got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return values


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``purecv`` command and its subcommands."""
    parser = argparse.ArgumentParser(
        prog="purecv",
        description="OpenCV's image filters as short Python kernels compiled by Numba.",
    )
    parser.add_argument("--version", action="version", version=f"purecv {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="{demo,blur,bench}")

    demo = sub.add_parser(
        "demo",
        help="the article's box-blur benchmark, redone: timings, speedups, output checks",
        description="Time the article's 8x8 box blur of the fire emoji: naive Python, OpenCV filter2D and "
        "blur, purecv, Mojo (when installed); check every output against cv2.blur's definition; write "
        "the blurred images and a bar chart.",
    )
    demo.add_argument("--out", default="purecv-demo", help="output folder (default: ./purecv-demo)")
    demo.add_argument("--threads", type=_positive, help="threads for purecv and OpenCV (default: all)")
    demo.add_argument("--repeats", type=_positive, default=25, help="interleaved rounds (default: 25)")
    demo.add_argument("--naive-repeats", type=_positive, default=3, help="naive Python runs (default: 3)")
    demo.add_argument("--no-naive", action="store_true", help="skip the naive Python row (~0.4 s a run)")
    demo.add_argument("--size", type=parse_size, help="also run at WxH (the image tiled), e.g. 3840x2160")
    demo.add_argument("--json", action="store_true", help="print the figures as JSON")
    demo.add_argument("--no-plot", action="store_true", help="do not draw the bar chart")
    demo.add_argument("--no-progress", action="store_true", help="no progress bars")

    blur = sub.add_parser(
        "blur",
        help="box-blur an image file",
        description="Read IN unchanged (any channels and depth purecv.imread supports), blur it with a "
        "normalised box, write OUT (format from its extension).",
    )
    blur.add_argument("input", metavar="IN", help="input image file")
    blur.add_argument("output", metavar="OUT", help="output image file")
    blur.add_argument("-k", "--ksize", type=parse_ksize, required=True, help="kernel size K or WxH")
    blur.add_argument(
        "--border", choices=list(BORDERS), default="default", help="border (default: reflect101)"
    )
    blur.set_defaults(subparser=blur)  # so errors print blur's own usage line

    bench = sub.add_parser(
        "bench",
        help="the speed suite: purecv against OpenCV, row by row",
        description="Time purecv's filters against their OpenCV counterparts (interleaved pairs, median "
        "of per-pair ratios), at each thread count, plus fresh-process start-up and cold compile times.",
    )
    bench.add_argument("--threads", type=_thread_list, default=[1, 2], help="thread counts (default: 1,2)")
    bench.add_argument("--repeats", type=_positive, help="pairs per row (default: 21; --quick: 5)")
    bench.add_argument("--quick", action="store_true", help="fewer repeats and process runs, 1080p images")
    bench.add_argument("--filter", action="append", metavar="NAME", help="only rows whose name has NAME")
    bench.add_argument("--no-process", action="store_true", help="skip the fresh-process timings")
    bench.add_argument("--json", action="store_true", help="print the results as JSON")
    bench.add_argument("--markdown", action="store_true", help="print the results as a Markdown table")
    bench.add_argument("--plot", metavar="PNG", help="draw the speedups into this PNG file")
    bench.add_argument("--no-progress", action="store_true", help="no progress bars")
    return parser


def _blur(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    import purecv

    try:
        img = purecv.imread(args.input, purecv.IMREAD_UNCHANGED)
    except (OSError, ValueError) as exc:
        parser.error(f"cannot read an image from {args.input!r}: {exc}")
    try:
        out = purecv.blur(img, args.ksize, borderType=BORDERS[args.border])
    except (TypeError, ValueError) as exc:
        parser.error(f"cannot blur {args.input!r}: {exc}")
    try:
        purecv.imwrite(args.output, out)
    except (OSError, ValueError, TypeError) as exc:
        parser.error(f"cannot write an image to {args.output!r}: {exc}")
    shape = "x".join(map(str, img.shape))
    print(
        f"{args.output}: {shape} {img.dtype.name}, blur {args.ksize[0]}x{args.ksize[1]}, border {args.border}"
    )
    return 0


def _demo(args: argparse.Namespace) -> int:
    from .bench.demo import DemoOptions, run_demo
    from .bench.demo_report import render, to_json, write_outputs

    opts = DemoOptions(
        threads=args.threads,
        repeats=args.repeats,
        naive_repeats=args.naive_repeats,
        naive=not args.no_naive,
        size=args.size,
        progress=not args.no_progress,
    )
    result = run_demo(opts)
    write_outputs(result, args.out, plot=not args.no_plot)
    print(to_json(result) if args.json else render(result))
    return 0


def _bench(args: argparse.Namespace) -> int:
    from .bench.suite import SuiteOptions, render_markdown, render_text, run_suite, suite_json

    opts = SuiteOptions(
        threads=args.threads,
        repeats=args.repeats,
        quick=args.quick,
        filters=args.filter or [],
        processes=not args.no_process,
        progress=not args.no_progress,
    )
    result = run_suite(opts)
    if args.plot:
        from .bench.suite import plot_suite

        result["chart"] = plot_suite(result, args.plot)
    if args.json:
        print(suite_json(result))
    elif args.markdown:
        print(render_markdown(result))
    else:
        print(render_text(result))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``purecv`` command with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "blur":
        return _blur(args, args.subparser)
    if args.command == "demo":
        return _demo(args)
    return _bench(args)


if __name__ == "__main__":
    sys.exit(main())
