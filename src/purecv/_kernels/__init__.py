"""Drivers and Numba kernels. No validation here: the public functions check every argument first."""

__all__: list[str] = []
