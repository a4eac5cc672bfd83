"""Benchmarks: the timing harness, the ``purecv demo`` and ``purecv bench`` runs, and their peers.

Nothing here is imported by ``import purecv``; the CLI imports these modules when a command needs them.
OpenCV, matplotlib and the Mojo peer are optional here and never imported at package import time.
"""

__all__: list[str] = []
