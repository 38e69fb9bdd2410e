"""Limit the BLAS threads NumPy uses, without threadpoolctl.

The NumPy decoder does small matrix products (5 beams x 512) that OpenBLAS spreads over all
cores with spinning threads. On an idle 2-core machine two threads are ~30% faster than one, but
as soon as anything else runs (CT2's encoder, the GUI, other programs) spinning threads collapse:
measured 1.7-2.1 s per decoder step with 2 threads against 0.18-0.23 s with 1 under a load
average of 8-10 (docs/benchmarks.md). One thread is the predictable choice for a desktop app.
"""

from __future__ import annotations

import ctypes
import glob
import os

import numpy as np

_SETTERS = ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads",
            "openblas_set_num_threads64_", "openblas_set_num_threads")


def _openblas_libraries() -> list[str]:
    paths: list[str] = []
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            paths = sorted({line.split()[-1] for line in maps if "openblas" in line and "/" in line})
    except OSError:
        pass
    if not paths:
        base = os.path.dirname(os.path.dirname(np.__file__))
        for pattern in ("numpy.libs/*openblas*", "numpy/.dylibs/*openblas*", "numpy.libs/*openblas*.dll"):
            paths += glob.glob(os.path.join(base, pattern))
    return paths


def set_blas_threads(n: int) -> bool:
    """Set OpenBLAS's thread count for the whole process; False if no OpenBLAS was found."""
    for path in _openblas_libraries():
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for name in _SETTERS:
            fn = getattr(lib, name, None)
            if fn is not None:
                fn(ctypes.c_int(n))
                return True
    return False


def configure_from_env() -> bool:
    """QWENASR_BLAS_THREADS overrides the default of one thread."""
    try:
        n = int(os.environ.get("QWENASR_BLAS_THREADS", "1"))
    except ValueError:
        n = 1
    return set_blas_threads(max(1, n))
