"""Batched least squares against a per-replication scikit-learn loop (run by hand, not in CI).

    .venv/bin/python benchmarks/bench_least_squares.py [--quick] [--append-results]

Runs the Corollary 1 grid of the book's chapter "features need not match" (real U[0,1], synthetic
Beta(2,5), noise sd 0.5, n = m over a grid, the well-specified basis (1, cos 2 pi x, sin 2 pi x) and the
misspecified basis (1, x)) through ``synutil.sim.runner.run_replications(batched=True)`` twice with the
same seed, hence the same data: once with ``method="batched"`` (stacked normal equations, QR fallback for ill-conditioned designs) and
once with ``method="sklearn"`` (a loop of ``LinearRegression`` fits). It checks that every risk agrees to
1e-8, then prints the end-to-end ratio (data generation, fits and exact risks) and the ratio of the
fitting step alone. Target (issue 4): the batched grid >= 5x faster end to end. Timings are the best of
``repeats`` runs (time.perf_counter).
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import best_time, machine  # noqa: E402

from synutil.bounds import custom_basis, polynomial_basis
from synutil.sim.runner import run_replications
from synutil.generators import FeatureLaw, ModelGenerator
from synutil.sim.least_squares import fit_least_squares, simulate_least_squares_risks
from synutil.sim.laws import BetaLaw, sine_regression

MODEL = sine_regression(noise_sd=0.5)
GEN = FeatureLaw(ModelGenerator(MODEL), law=BetaLaw(2, 5))
BASES = {
    "well": custom_basis(1.0, lambda X: np.cos(2 * np.pi * X[..., 0]), lambda X: np.sin(2 * np.pi * X[..., 0])),
    "mis": polynomial_basis(1),
}


def batch(rng, *, n_replications, n, basis, method):
    if method == "none":  # draw the data and evaluate the design only
        X, y = MODEL.sample(n, replications=n_replications, random_state=rng)
        Xs, ys = GEN.sample(n_replications * n, random_state=rng)
        BASES[basis](X), BASES[basis](Xs.reshape(n_replications, n, -1))
        return {"risk_real": np.zeros(n_replications), "risk_syn": np.zeros(n_replications)}
    return simulate_least_squares_risks(BASES[basis], model=MODEL, generator=GEN, n=n, m=n,
                                        n_replications=n_replications, random_state=rng, method=method)


def grid_run(method, sizes, n_reps):
    # the method is not part of the grid, so both methods get identical random streams
    def func(rng, *, n_replications, n, basis):
        return batch(rng, n_replications=n_replications, n=n, basis=basis, method=method)

    func.__qualname__ = "corollary1_grid"
    return run_replications(func, {"n": sizes, "basis": list(BASES)}, n_replications=n_reps, seed=0, batched=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller grid (a smoke test)")
    parser.add_argument("--append-results", action="store_true", help="append the table to benchmarks/RESULTS.md")
    args = parser.parse_args()
    sizes = [50, 200, 800] if args.quick else [50, 100, 200, 400, 800, 1600, 3200]
    n_reps = 100 if args.quick else 300
    repeats = 1 if args.quick else 5
    info = machine()

    # interleaved, best of `repeats` each: both methods see the same background load
    # the shared part (data generation and basis evaluation) is the Amdahl limit of the end-to-end ratio
    t_batched = t_sklearn = t_shared = np.inf
    for _ in range(repeats):
        tb_, a = best_time(lambda: grid_run("batched", sizes, n_reps), 1)
        ts_, b = best_time(lambda: grid_run("sklearn", sizes, n_reps), 1)
        tz_, _ = best_time(lambda: grid_run("none", sizes, n_reps), 1)
        t_batched, t_sklearn, t_shared = min(t_batched, tb_), min(t_sklearn, ts_), min(t_shared, tz_)
    diff = max(np.max(np.abs(a[c].to_numpy() - b[c].to_numpy())) for c in ("risk_real", "risk_syn"))
    assert diff < 1e-8, f"batched and sklearn risks differ by {diff:.3g}"

    # the solver alone, on the largest setting: the design Phi is precomputed (identity basis)
    rng = np.random.default_rng(1)
    X, y = MODEL.sample(max(sizes), replications=n_reps, random_state=rng)
    Phi = BASES["well"](X)
    ident = lambda Z: Z  # noqa: E731
    tf_b, tb = best_time(lambda: fit_least_squares(ident, Phi, y), repeats)
    tf_s, ts = best_time(lambda: fit_least_squares(ident, Phi, y, method="sklearn"), repeats)
    assert np.max(np.abs(tb - ts)) < 1e-8

    n_fits = 2 * len(sizes) * len(BASES) * n_reps
    cmd = "python benchmarks/bench_least_squares.py" + (" --quick" if args.quick else "")
    lines = [
        "",
        "## Least-squares Monte Carlo (issue 4)",
        "",
        f"Machine: {info}.",
        f"Command: `{cmd}` (best of {repeats}, the two methods interleaved).",
        f"Grid: Corollary 1 chapter, n = m in {sizes}, 2 bases, {n_reps} replications per setting "
        f"({n_fits} OLS fits in all, real and synthetic), run through `run_replications(batched=True)` with "
        f"`method='batched'` (stacked normal equations, QR fallback) and `method='sklearn'` (loop of LinearRegression), same seed.",
        f"Agreement: max |risk difference| = {diff:.2e} (must be < 1e-8).",
        "",
        "| what | batched (s) | sklearn loop (s) | speed-up |",
        "|---|---|---|---|",
        f"| whole grid: data, fits, exact risks | {t_batched:.3f} | {t_sklearn:.3f} | {t_sklearn / t_batched:.1f}x |",
        f"| shared part alone: data generation and design evaluation | {t_shared:.3f} | {t_shared:.3f} | limit "
        f"{(t_sklearn) / t_shared:.1f}x |",
        f"| solver only (design precomputed), n = {max(sizes)}, k = 3, {n_reps} replications | {tf_b:.4f} | {tf_s:.4f} | {tf_s / tf_b:.1f}x |",
        "",
        f"Target: >= 5x on the whole grid: {'met' if t_sklearn / t_batched >= 5 else 'NOT met'}.",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if args.append_results:
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "RESULTS.md")
        with open(path, "a") as fh:
            fh.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
