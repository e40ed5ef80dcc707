"""Speed and memory of synutil.fidelity against reference implementations (run by hand, not in CI).

    .venv/bin/python benchmarks/bench_fidelity.py [--quick]

Checks that the values agree before timing, then prints a markdown table. Targets (issue 3):
mmd2 >= 2x faster than sklearn's rbf_kernel on full matrices (n = m = 10,000, d = 10); mmd2 at
n = m = 100,000 under 2 GB peak resident memory (VmHWM of a fresh subprocess, started first); sliced_wasserstein >= 2x faster than
POT (n = 10,000, d = 10, 128 projections); wasserstein_1d within 1.5x of scipy at n = 10**6.
Timings are the best of ``repeats`` runs (time.perf_counter).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import best_time, machine  # noqa: E402


# Peak memory is read from VmHWM in /proc/self/status (the high-water mark of this process's own address
# space). ru_maxrss is not used: on Linux a child started by fork+exec inherits the parent's maximum, which
# here would be the parent's full rbf_kernel matrices. tracemalloc gives the peak of numpy's own allocations.
_MEM_SCRIPT = """
import time, tracemalloc, numpy as np
from synutil.fidelity import mmd2
rng = np.random.default_rng(0)
X = rng.normal(size=({n}, 10)); Y = rng.normal(size=({n}, 10)) + 0.05
tracemalloc.start()
t0 = time.perf_counter(); v = mmd2(X, Y); t = time.perf_counter() - t0
traced = tracemalloc.get_traced_memory()[1] / 2**20
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")) / 1024
print(v, t, hwm, traced)
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke test")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    import ot
    from scipy.stats import wasserstein_distance
    from sklearn.metrics.pairwise import rbf_kernel

    from synutil.fidelity import median_bandwidth, mmd2, sliced_wasserstein, wasserstein_1d

    n = 2000 if args.quick else 10_000
    n_big = 20_000 if args.quick else 100_000
    n_1d = 100_000 if args.quick else 1_000_000
    rng = np.random.default_rng(0)
    rows = []

    # --- MMD^2 at n = m = 100k: peak memory in a fresh process
    out = subprocess.run([sys.executable, "-c", _MEM_SCRIPT.format(n=n_big)], capture_output=True, text=True, check=True)
    value, seconds, peak_mib, traced_mib = (float(v) for v in out.stdout.split())
    assert np.isfinite(value)
    mem_row = (f"mmd2 unbiased, n=m={n_big}, d=10", seconds, peak_mib, traced_mib)

    # --- MMD^2 vs rbf_kernel full matrices
    X, Y = rng.normal(size=(n, 10)), rng.normal(size=(n, 10)) + 0.05
    h = median_bandwidth(X, Y)
    gamma = 1.0 / (2 * h * h)

    def mmd_sklearn():
        kxx, kyy, kxy = rbf_kernel(X, X, gamma=gamma), rbf_kernel(Y, Y, gamma=gamma), rbf_kernel(X, Y, gamma=gamma)
        return (kxx.sum() - np.trace(kxx)) / (n * (n - 1)) + (kyy.sum() - np.trace(kyy)) / (n * (n - 1)) - 2 * kxy.mean()

    t_ref, v_ref = best_time(mmd_sklearn, args.repeats)
    t_ours, v_ours = best_time(lambda: mmd2(X, Y, bandwidth=h), args.repeats)
    assert abs(v_ref - v_ours) < 1e-10, (v_ref, v_ours)
    rows.append((f"mmd2 unbiased, n=m={n}, d=10", "sklearn rbf_kernel (3 full matrices)", t_ref, t_ours, ">= 2"))

    # --- sliced Wasserstein vs POT, same projections
    theta = ot.sliced.get_random_projections(10, 128, seed=0)
    t_ref, v_ref = best_time(lambda: ot.sliced_wasserstein_distance(X, Y, projections=theta, p=2), args.repeats)
    t_ours, v_ours = best_time(lambda: sliced_wasserstein(X, Y, projections=theta, p=2), args.repeats)
    assert abs(float(v_ref) - v_ours) < 1e-10, (v_ref, v_ours)
    rows.append((f"sliced_wasserstein, n=m={n}, d=10, 128 proj", "POT sliced_wasserstein_distance", t_ref, t_ours, ">= 2"))
    Yu = Y[: (3 * n) // 4]
    t_ref, v_ref = best_time(lambda: ot.sliced_wasserstein_distance(X, Yu, projections=theta, p=2), args.repeats)
    t_ours, v_ours = best_time(lambda: sliced_wasserstein(X, Yu, projections=theta, p=2), args.repeats)
    assert abs(float(v_ref) - v_ours) < 1e-10, (v_ref, v_ours)
    rows.append((f"sliced_wasserstein, n={n}, m={len(Yu)} (unequal)", "POT sliced_wasserstein_distance", t_ref, t_ours, "-"))

    # --- exact 1-D Wasserstein vs scipy
    x, y = rng.normal(size=n_1d), rng.exponential(size=n_1d)
    t_ref, v_ref = best_time(lambda: wasserstein_distance(x, y), args.repeats)
    t_ours, v_ours = best_time(lambda: wasserstein_1d(x, y), args.repeats)
    assert abs(v_ref - v_ours) < 1e-10, (v_ref, v_ours)
    rows.append((f"wasserstein_1d, n=m={n_1d}", "scipy wasserstein_distance", t_ref, t_ours, ">= 1/1.5"))
    yu = y[: (7 * n_1d) // 10]
    t_ref, v_ref = best_time(lambda: wasserstein_distance(x, yu), args.repeats)
    t_ours, v_ours = best_time(lambda: wasserstein_1d(x, yu), args.repeats)
    assert abs(v_ref - v_ours) < 1e-10, (v_ref, v_ours)
    rows.append((f"wasserstein_1d, n={n_1d}, m={len(yu)}", "scipy wasserstein_distance", t_ref, t_ours, ">= 1/1.5"))

    print(f"Machine: {machine()}\n")
    print("| case | reference | reference (s) | synutil (s) | speed-up | target |")
    print("|---|---|---:|---:|---:|---|")
    for case, ref, t_r, t_o, target in rows:
        print(f"| {case} | {ref} | {t_r:.3f} | {t_o:.3f} | {t_r / t_o:.2f}x | {target} |")
    case, seconds, peak, traced = mem_row
    print("\n| case | time (s) | peak RSS, VmHWM (MiB) | peak traced numpy allocations (MiB) | target |")
    print(f"|---|---:|---:|---:|---|\n| {case} | {seconds:.1f} | {peak:.0f} | {traced:.0f} | < 2048 MiB |")


if __name__ == "__main__":
    main()
