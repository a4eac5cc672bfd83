"""Project rules that a linter does not check: one place for JIT flags, explicit __all__, typed API."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import purecv

SRC = Path(purecv.__file__).parent
ROOT = SRC.parent.parent


def _modules() -> list[str]:
    return ["purecv", *(info.name for info in pkgutil.walk_packages([str(SRC)], prefix="purecv."))]


def test_numba_flags_live_only_in_jit_module():
    pattern = re.compile(r"\b(njit|numba\.jit|fastmath\s*=|parallel\s*=\s*True|cache\s*=\s*True)")
    offenders = []
    for path in SRC.rglob("*.py"):
        if path.name == "_jit.py":
            continue
        for lineno, line in enumerate(path.read_text().splitlines(), 1):
            if pattern.search(line.split("#")[0]):
                offenders.append(f"{path.relative_to(SRC)}:{lineno}: {line.strip()}")
    assert not offenders, "Numba flags outside purecv/_jit.py:\n" + "\n".join(offenders)


@pytest.mark.parametrize("name", _modules())
def test_every_module_declares_all(name):
    module = importlib.import_module(name)
    assert isinstance(getattr(module, "__all__", None), list | tuple), f"{name} has no explicit __all__"
    for item in module.__all__:
        assert hasattr(module, item), f"{name}.__all__ names {item!r}, which it does not define"


def test_public_functions_are_typed_and_documented():
    for name in purecv.__all__:
        obj = getattr(purecv, name)
        if not inspect.isfunction(obj):
            continue
        assert obj.__doc__, f"purecv.{name} has no docstring"
        assert "Examples" in obj.__doc__, f"purecv.{name} has no Examples in its docstring"
        sig = inspect.signature(obj)
        missing = [p for p in sig.parameters.values() if p.annotation is inspect.Parameter.empty]
        assert not missing, f"purecv.{name} lacks type hints for {[p.name for p in missing]}"
        assert sig.return_annotation is not inspect.Signature.empty, f"purecv.{name} lacks a return type"


@pytest.mark.skipif(importlib.util.find_spec("ruff") is None, reason="ruff is not installed (test extra)")
def test_ruff_is_clean():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "src", "tests", "benchmarks"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(importlib.util.find_spec("ruff") is None, reason="ruff is not installed (test extra)")
def test_ruff_format_is_clean():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "src", "tests", "benchmarks"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
