"""Timing and machine description shared by the benchmark scripts."""

from __future__ import annotations

import os
import platform
import time

import numpy as np


def best_time(func, repeats: int) -> tuple[float, object]:
    """Best wall time of ``repeats`` calls, and the last result (checked against the reference)."""
    best, out = np.inf, None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = func()
        best = min(best, time.perf_counter() - t0)
    return best, out


def machine() -> str:
    """One line: cores, CPU model, library versions and the load when the run started."""
    import scipy
    import sklearn

    model = "unknown"
    try:
        with open("/proc/cpuinfo") as fh:
            model = next(line.split(":", 1)[1].strip() for line in fh if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"nproc={os.cpu_count()}, CPU: {model}, python {platform.python_version()}, numpy {np.__version__}, "
        f"scipy {scipy.__version__}, scikit-learn {sklearn.__version__}, load average (1 min) at start {load:.1f}"
    )
