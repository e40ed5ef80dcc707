"""Batched k-NN against a per-replication scikit-learn loop on the Theorem 3 grid (run by hand, not in CI).

    .venv/bin/python benchmarks/bench_knn.py [--full] [--repeats 3]

Rebuilds the grid of the book's chapter "Theorem 3: rates for a non-parametric learner": p in {1, 2},
real features U[0,1]^p, eta(x) = mean_j sin(2 pi x_j), noise sd 1, N = n = m over the chapter's sizes,
k = round(N^(2/(2+p))), four training sets per setting (real, and the perfect, tilted Beta(1/4, 1) and
coverage-gap synthetic generators), all replications of a setting drawn once with a fixed seed. The
excess risk of every fit is computed on the chapter's midpoint test grid. Then the same predictions are
computed by ``synutil.sim.knn.knn_predict`` with ``method="batched"`` (sorted windows for p = 1, one C k-d
tree per replication for p = 2) and ``method="sklearn"`` (a loop of ``KNeighborsRegressor``), every
excess risk is checked to agree to 1e-10, and the times of the prediction step are compared (the data
are generated once, outside the timings). For p = 2, the fully vectorised ``algorithm="brute"`` is timed
too. Default: the chapter's fast-mode grid; ``--full``: the full-mode grid. Target (issue 4): >= 5x on the
grid. Timings are the best of ``repeats`` runs (time.perf_counter).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import best_time  # noqa: E402

from synutil.generators import CoverageGap, FeatureLaw, ModelGenerator
from synutil.sim.knn import knn_predict, knn_rate_neighbors
from synutil.sim.laws import BetaLaw, RegressionModel, UniformLaw


def eta(X):
    return np.mean(np.sin(2 * np.pi * X), axis=-1)


def build_grid(full: bool, seed: int = 0):
    sizes = {1: [250 * 2**j for j in range(8 if full else 6)], 2: [500 * 2**j for j in range(6 if full else 4)]}
    reps = {1: 200 if full else 40, 2: 60 if full else 20}
    n_grid = {1: 2000, 2: 50}
    rng = np.random.default_rng(seed)
    tasks = []
    for p in (1, 2):
        model = RegressionModel(eta=eta, feature_law=UniformLaw(dim=p), noise_sd=1.0)
        gens = [ModelGenerator(model), FeatureLaw(ModelGenerator(model), law=BetaLaw(0.25, 1.0, dim=p)),
                CoverageGap(ModelGenerator(model), removed=lambda X: X[:, 0] > 0.8)]
        grid = np.stack(np.meshgrid(*[(np.arange(n_grid[p]) + 0.5) / n_grid[p]] * p, indexing="ij"), -1).reshape(-1, p)
        for N in sizes[p]:
            R = reps[p]
            sets = [model.sample(N, replications=R, random_state=rng)]
            for gen in gens:
                X, y = gen.sample(R * N, random_state=rng)
                sets.append((X.reshape(R, N, p), y.reshape(R, N)))
            tasks.append({"p": p, "N": N, "R": R, "k": knn_rate_neighbors(N, p), "grid": grid, "sets": sets})
    return tasks


def excess_risks(task, **kwargs):
    target = eta(task["grid"])
    return [np.mean((knn_predict(X, y, task["grid"], n_neighbors=task["k"], **kwargs) - target) ** 2, axis=1)
            for X, y in task["sets"]]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="the chapter's full-mode grid (slow for sklearn)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]
    tasks = build_grid(args.full)
    rows, worst = [], 0.0
    totals = {1: [0.0, 0.0], 2: [0.0, 0.0]}
    for task in tasks:
        t_fast, fast = best_time(lambda: excess_risks(task), args.repeats)
        t_ref, ref = best_time(lambda: excess_risks(task, method="sklearn"), args.repeats)
        diff = max(float(np.max(np.abs(a - b))) for a, b in zip(fast, ref))
        worst = max(worst, diff)
        t_brute = np.nan
        if task["p"] == 2:
            t_brute, brute = best_time(lambda: excess_risks(task, algorithm="brute"), 1)
            worst = max(worst, max(float(np.max(np.abs(a - b))) for a, b in zip(brute, ref)))
        totals[task["p"]][0] += t_fast
        totals[task["p"]][1] += t_ref
        rows.append((task["p"], task["N"], task["R"], task["k"], t_fast, t_ref, t_brute))
        print(f"p={task['p']} N={task['N']:>6} R={task['R']:>3} k={task['k']:>5}: batched {t_fast:8.3f}s  "
              f"sklearn {t_ref:8.3f}s  ratio {t_ref / t_fast:6.1f}x  "
              + (f"brute {t_brute:8.3f}s  " if task["p"] == 2 else "")
              + f"max|diff| {diff:.1e}",
              flush=True)
    if worst > 1e-10:
        sys.exit(f"batched and sklearn excess risks disagree: max |diff| = {worst:.2e}")
    fast_all = totals[1][0] + totals[2][0]
    ref_all = totals[1][1] + totals[2][1]
    print()
    print(f"Machine: nproc={os.cpu_count()}, CPU: {platform.processor() or platform.machine()}, python "
          f"{platform.python_version()}, numpy {np.__version__}, load average (1 min) at start {load:.1f}.")
    print(f"Agreement: max |excess-risk difference| = {worst:.2e} (must be < 1e-10).")
    print()
    print("| part of the grid | batched (s) | sklearn loop (s) | speed-up |")
    print("|---|---|---|---|")
    for p in (1, 2):
        print(f"| p = {p} (4 training sets per N) | {totals[p][0]:.2f} | {totals[p][1]:.2f} | {totals[p][1] / totals[p][0]:.1f}x |")
    print(f"| whole grid | {fast_all:.2f} | {ref_all:.2f} | {ref_all / fast_all:.1f}x |")
    brute_p2 = sum(r[6] for r in rows if r[0] == 2)
    print(f"\np = 2 with algorithm='brute' (single run): {brute_p2:.2f} s")
    print(f"Target: >= 5x on the whole grid: {'met' if ref_all / fast_all >= 5 else 'NOT met'}.")


if __name__ == "__main__":
    main()
