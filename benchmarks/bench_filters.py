"""purecv's speed suite against OpenCV: the same as ``purecv bench`` (see ``--help``).

    python benchmarks/bench_filters.py --quick              # a table, 1920x1080 images
    python benchmarks/bench_filters.py --markdown > t.md    # the README's table
    python benchmarks/bench_filters.py --json > bench.json  # every figure, with the machine and versions
    python benchmarks/bench_filters.py --filter blur --threads 1,2,4 --plot speedups.png

The protocol (interleaved pairs after warm-up, median of per-pair ratios, JIT compile time apart, same
thread count on both sides, public API only) is in ``purecv.bench.harness`` and DESIGN.md.
"""

import sys

from purecv.cli import main

if __name__ == "__main__":
    sys.exit(main(["bench", *sys.argv[1:]]))
