"""The article's box-blur benchmark, redone: the same as ``purecv demo`` (see ``--help``).

python benchmarks/article_demo.py                      # table, images and chart in ./purecv-demo/
python benchmarks/article_demo.py --size 3840x2160     # also at 4K (the fire image tiled)
python benchmarks/article_demo.py --threads 1 --json   # single-threaded, figures as JSON
"""

import sys

from purecv.cli import main

if __name__ == "__main__":
    sys.exit(main(["demo", *sys.argv[1:]]))
