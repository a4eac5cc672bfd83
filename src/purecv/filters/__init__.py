"""Public filter functions, one module per family. Import-free: ``purecv/__init__.py`` picks the names."""

__all__: list[str] = []
