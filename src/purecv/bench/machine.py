"""What every benchmark result records about the machine it ran on: CPU, flags, cores, versions, commit.

Examples
--------
>>> info = machine_info()
>>> sorted(k for k in ("cpu", "versions", "cores") if k in info)
['cores', 'cpu', 'versions']
>>> info["versions"]["purecv"] == __import__("purecv").__version__
True
"""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

__all__ = ["SIMD_FLAGS", "cpu_flags", "cpu_model", "describe", "git_commit", "machine_info"]

# The CPU flags that decide which SIMD code numba (LLVM) and OpenCV dispatch to.
SIMD_FLAGS = (
    "sse4_2",
    "avx",
    "avx2",
    "fma",
    "avx512f",
    "avx512bw",
    "avx512vl",
    "avx512_vnni",
    "asimd",
    "sve",
    "sve2",
)


def _cpuinfo() -> dict[str, str]:
    """The first processor's fields of /proc/cpuinfo (empty off Linux)."""
    fields: dict[str, str] = {}
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return fields
    for line in text.splitlines():
        if not line.strip():
            if fields:
                break
            continue
        key, _, value = line.partition(":")
        fields.setdefault(key.strip(), value.strip())
    return fields


def cpu_model() -> str:
    """The CPU's marketing name, e.g. ``'AMD EPYC'``, or the best the OS gives."""
    info = _cpuinfo()
    for key in ("model name", "Model", "Hardware", "cpu model"):
        if info.get(key):
            return info[key]
    if sys.platform == "darwin":
        try:
            out = subprocess.run(
                ["sysctl", "-n", "machdep.cpu.brand_string"], capture_output=True, text=True, timeout=5
            )
            if out.stdout.strip():
                return out.stdout.strip()
        except OSError:
            pass
    return platform.processor() or platform.machine()


def cpu_flags() -> list[str]:
    """The SIMD flags of :data:`SIMD_FLAGS` this CPU reports (from /proc/cpuinfo, else LLVM's features)."""
    info = _cpuinfo()
    flags = set((info.get("flags") or info.get("Features") or "").split())
    if not flags:
        try:
            import llvmlite.binding as llvm

            features = llvm.get_host_cpu_features()
            flags = {name.replace("-", "").replace(".", "_") for name, on in features.items() if on}
            flags |= {"sse4_2"} if "sse42" in flags else set()
        except Exception:  # best effort: an unknown CPU is still a valid result
            flags = set()
    return [f for f in SIMD_FLAGS if f in flags]


def git_commit() -> str | None:
    """The purecv checkout's commit (with ``-dirty`` when it has changes), or None outside a checkout."""
    import purecv

    here = Path(purecv.__file__).resolve().parent
    try:
        head = subprocess.run(
            ["git", "-C", str(here), "rev-parse", "--short=12", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
        )
        if head.returncode != 0:
            return None
        dirty = subprocess.run(
            ["git", "-C", str(here), "status", "--porcelain", "--untracked-files=no", "--", "."],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return head.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")


def _version(module: str) -> str | None:
    try:
        return __import__(module).__version__
    except Exception:  # a missing or broken optional package is reported as absent
        return None


def machine_info() -> dict[str, Any]:
    """Machine, versions and commit as a JSON-ready dict; the header of every benchmark result."""
    import numba

    import purecv

    try:
        import llvmlite.binding as llvm

        llvm_cpu = llvm.get_host_cpu_name()
    except Exception:
        llvm_cpu = None
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    return {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "cpu": cpu_model(),
        "llvm_cpu": llvm_cpu,
        "flags": cpu_flags(),
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "numba_threads": numba.config.NUMBA_NUM_THREADS,
        "platform": platform.platform(),
        "versions": {
            "python": platform.python_version(),
            "purecv": purecv.__version__,
            "numpy": _version("numpy"),
            "numba": numba.__version__,
            "llvmlite": _version("llvmlite"),
            "opencv": _version("cv2"),
        },
        "commit": git_commit(),
    }


def describe(info: dict[str, Any]) -> str:
    """One or two lines for people: CPU, flags, cores, versions, commit.

    Examples
    --------
    >>> describe({"cpu": "AMD EPYC", "flags": ["avx2"], "cores": 2, "usable_cores": 2,
    ...           "versions": {"python": "3.11.7", "numba": "0.68.1", "opencv": None}, "commit": None})
    'AMD EPYC (avx2), 2 cores (2 usable)\\npython 3.11.7, numba 0.68.1, opencv not installed'
    """
    versions = ", ".join(f"{k} {v if v else 'not installed'}" for k, v in info["versions"].items())
    line = f"{info['cpu']} ({' '.join(info['flags']) or 'no SIMD flags found'}), "
    line += f"{info['cores']} cores ({info['usable_cores']} usable)"
    commit = f", commit {info['commit']}" if info.get("commit") else ""
    return f"{line}\n{versions}{commit}"
