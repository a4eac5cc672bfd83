"""``python -m purecv``: the ``purecv`` command (see :mod:`purecv.cli`)."""

import sys

from .cli import main

__all__: list[str] = []

if __name__ == "__main__":
    sys.exit(main())
