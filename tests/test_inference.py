"""Tests for synutil.inference (and the posterior generator behind its combining rule).

Formulas against hand computations and scipy; coverage by seeded, vectorised simulation against the exact or
nominal value, two-sided with a binomial tolerance of 4 standard errors.
"""

import numpy as np
import pytest
from scipy import integrate, stats

from synutil.generators import PosteriorGaussianGenerator
from synutil.inference import (
    CombinedInterval,
    SyntheticInterval,
    combine_synthetic_sets,
    corrected_degrees_of_freedom,
    gaussian_mean_coverage,
    naive_coverage,
    synthetic_mean_interval,
    synthetic_regression_interval,
)

Z975 = stats.norm.ppf(0.975)


def binom_tol(p, J, k=4.0):
    return k * np.sqrt(p * (1 - p) / J)


# ----------------------------------------------------------------------------- formulas by hand


def test_degrees_of_freedom_by_hand_and_limits():
    assert corrected_degrees_of_freedom(100, 100) == pytest.approx(1 / (0.5 / 99 + 1 / 99))
    assert corrected_degrees_of_freedom(50, 20, n_params=2) == pytest.approx(1 / ((20 / 70) / 48 + 1 / 18))
    assert corrected_degrees_of_freedom(50, 500, n_sets=20) == pytest.approx(1 / ((10000 / 10050) / 49 + 1 / 9980))
    assert corrected_degrees_of_freedom(100, 10**7) == pytest.approx(99, rel=1e-3)      # generator dominates
    assert corrected_degrees_of_freedom(10**7, 30) == pytest.approx(29, rel=1e-3)       # synthetic noise dominates


def test_mean_interval_by_hand():
    x = np.array([1.0, 2.0, 4.0, 7.0])
    res = synthetic_mean_interval(x, n_real=10, confidence=0.9)
    m, s = 4, np.std(x, ddof=1)
    assert isinstance(res, SyntheticInterval) and res.method == "mean"
    assert res.estimate == pytest.approx(3.5)
    assert res.naive_se == pytest.approx(s / 2)
    assert res.se == pytest.approx(s * np.sqrt(1 / 10 + 1 / 4))
    df = 1 / ((4 / 14) / 9 + 1 / 3)
    assert res.df == pytest.approx(df) and res.naive_df == 3
    assert res.ci_high - res.estimate == pytest.approx(stats.t.ppf(0.95, df) * res.se)
    assert res.estimate - res.naive_ci_low == pytest.approx(stats.t.ppf(0.95, 3) * s / 2)
    assert (res.n_real, res.n_synthetic, res.n_sets, res.confidence) == (10, m, 1, 0.9)
    assert isinstance(res.estimate, float) and set(res.to_dict()) >= {"estimate", "se", "ci_low", "naive_ci_high"}
    assert res.covers(3.5) and not res.naive_covers(100.0)


def test_mean_interval_batched_equals_one_by_one_and_axis():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 4, 25))
    batch = synthetic_mean_interval(x, n_real=40)
    assert batch.ci_low.shape == (3, 4)
    one = synthetic_mean_interval(x[2, 1], n_real=40)
    for field in ("estimate", "se", "ci_low", "ci_high", "naive_se", "naive_ci_low", "naive_ci_high"):
        assert getattr(batch, field)[2, 1] == pytest.approx(getattr(one, field))
    moved = synthetic_mean_interval(np.moveaxis(x, -1, 0), n_real=40, axis=0)
    assert np.allclose(moved.ci_high, batch.ci_high)


def test_regression_interval_against_numpy_by_hand():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(60, 2))
    y = 0.3 + x @ [1.0, -0.5] + rng.normal(size=60)
    res = synthetic_regression_interval(x, y, n_real=30, confidence=0.95)
    D = np.column_stack([np.ones(60), x])
    coef, *_ = np.linalg.lstsq(D, y, rcond=None)
    s2 = np.sum((y - D @ coef) ** 2) / (60 - 3)
    naive_se = np.sqrt(s2 * np.diag(np.linalg.inv(D.T @ D)))
    assert np.allclose(res.estimate, coef) and np.allclose(res.naive_se, naive_se)
    assert np.allclose(res.se, naive_se * np.sqrt(1 + 60 / 30))
    df = 1 / ((60 / 90) / 27 + 1 / 57)
    assert res.df == pytest.approx(df) and res.naive_df == 57
    assert np.allclose(res.ci_high - res.estimate, stats.t.ppf(0.975, df) * res.se)
    assert np.allclose(res.naive_ci_high - res.estimate, stats.t.ppf(0.975, 57) * naive_se)
    no_icpt = synthetic_regression_interval(x, y, n_real=30, fit_intercept=False)
    assert no_icpt.estimate.shape == (2,) and np.allclose(no_icpt.estimate, np.linalg.lstsq(x, y, rcond=None)[0])


def test_regression_interval_batched_equals_one_by_one():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(5, 40, 1))
    y = 2.0 * X[..., 0] + rng.normal(size=(5, 40))
    batch = synthetic_regression_interval(X, y, n_real=20)
    one = synthetic_regression_interval(X[3], y[3], n_real=20)
    assert batch.estimate.shape == (5, 2)
    assert np.allclose(batch.se[3], one.se) and np.allclose(batch.ci_low[3], one.ci_low)


def test_combining_rule_by_hand_both_branches():
    q = np.array([1.0, 1.3, 0.8, 1.1])
    u = np.array([0.010, 0.012, 0.011, 0.009])
    res = combine_synthetic_sets(q, u, n_real=100, n_synthetic=400)
    b, ubar = np.var(q, ddof=1), u.mean()
    T = 1.25 * b - ubar
    df = 3 * (1 - ubar / (1.25 * b)) ** 2
    assert isinstance(res, CombinedInterval) and res.method == "combined: posterior"
    assert res.estimate == pytest.approx(q.mean()) and res.se == pytest.approx(np.sqrt(T))
    assert res.df == pytest.approx(df) and not res.variance_replaced
    assert res.between_variance == pytest.approx(b) and res.within_variance == pytest.approx(ubar)
    assert res.ci_high - res.estimate == pytest.approx(stats.t.ppf(0.975, df) * np.sqrt(T))
    assert res.naive_se == pytest.approx(np.sqrt(ubar / 4)) and res.naive_df == 4 * 399
    # T <= 0: replaced by (m / n) u_bar with the normal quantile
    fix = combine_synthetic_sets([2.0, 2.0005, 1.9995], [0.02, 0.02, 0.02], n_real=50, n_synthetic=100)
    assert fix.variance_replaced and fix.se == pytest.approx(np.sqrt(2.0 * 0.02)) and np.isinf(fix.df)
    assert fix.ci_high - fix.estimate == pytest.approx(Z975 * np.sqrt(0.04))
    # plug-in rule
    plug = combine_synthetic_sets(q, u, n_real=100, n_synthetic=400, rule="plug-in")
    assert plug.se == pytest.approx(np.sqrt(ubar * (1 / 4 + 4)))
    assert plug.df == pytest.approx(corrected_degrees_of_freedom(100, 400, n_sets=4))
    assert plug.df == pytest.approx(1 / ((1600 / 1700) / 99 + 1 / (4 * 399)))
    assert not plug.variance_replaced


def test_combining_rule_batched_and_axis():
    rng = np.random.default_rng(3)
    q, u = rng.normal(size=(6, 5)), rng.uniform(0.01, 0.02, size=(6, 5))
    batch = combine_synthetic_sets(q, u, n_real=30, n_synthetic=60)
    one = combine_synthetic_sets(q[4], u[4], n_real=30, n_synthetic=60)
    assert batch.se[4] == pytest.approx(one.se) and batch.df[4] == pytest.approx(one.df)
    moved = combine_synthetic_sets(q.T, u.T, n_real=30, n_synthetic=60, axis=0)
    assert np.allclose(moved.ci_low, batch.ci_low)


def test_naive_coverage_closed_form():
    assert naive_coverage(100, 100) == pytest.approx(2 * stats.norm.cdf(Z975 / np.sqrt(2)) - 1)
    assert naive_coverage(100, 100) == pytest.approx(0.834, abs=5e-4)
    assert naive_coverage(100, 500) == pytest.approx(0.576, abs=5e-4)
    assert 1 - naive_coverage(100, 100) == pytest.approx(0.166, abs=5e-4)
    lam = np.array([0.5, 1.0, 4.0])
    out = naive_coverage(10.0, 10.0 * lam, confidence=0.9)
    assert np.allclose(out, 2 * stats.norm.cdf(stats.norm.ppf(0.95) / np.sqrt(1 + lam)) - 1)
    assert np.all(np.diff(out) < 0)


def _coverage_by_scipy(n, m, c, omega):
    f = lambda a: (2 * stats.t.cdf(c * np.sqrt(a) * omega / np.sqrt(1 / n + a / m), m - 1) - 1) \
        * stats.chi2.pdf(a * (n - 1), n - 1) * (n - 1)
    return integrate.quad(f, 0, np.inf, limit=400, epsabs=1e-12)[0]


@pytest.mark.parametrize("n,m", [(5, 3), (20, 20), (100, 1000)])
def test_exact_coverage_against_an_independent_quadrature(n, m):
    naive = _coverage_by_scipy(n, m, stats.t.ppf(0.975, m - 1), 1 / np.sqrt(m))
    corr = _coverage_by_scipy(n, m, stats.t.ppf(0.975, corrected_degrees_of_freedom(n, m)), np.sqrt(1 / n + 1 / m))
    assert gaussian_mean_coverage(n, m) == pytest.approx(naive, abs=1e-8)
    assert gaussian_mean_coverage(n, m, interval="corrected") == pytest.approx(corr, abs=1e-8)
    assert abs(gaussian_mean_coverage(n, m, interval="corrected") - 0.95) < 0.005


def test_exact_coverage_tends_to_the_closed_form():
    assert gaussian_mean_coverage(4000, 4000) == pytest.approx(naive_coverage(4000, 4000), abs=1e-3)


# ----------------------------------------------------------------------------- coverage by simulation


@pytest.mark.parametrize("n,m", [(30, 6), (30, 30), (30, 300)])
def test_mean_coverage_by_simulation(n, m):
    rng = np.random.default_rng(10 + m)
    J = 20_000
    x = 3.0 + 2.0 * rng.standard_normal((J, n))
    syn = x.mean(1, keepdims=True) + x.std(1, ddof=1, keepdims=True) * rng.standard_normal((J, m))
    res = synthetic_mean_interval(syn, n_real=n)
    for covers, exact in [(res.naive_covers(3.0), gaussian_mean_coverage(n, m)),
                          (res.covers(3.0), gaussian_mean_coverage(n, m, interval="corrected"))]:
        assert abs(covers.mean() - exact) <= binom_tol(exact, J)
    assert abs(res.covers(3.0).mean() - 0.95) <= binom_tol(0.95, J)


def test_regression_type_one_error_by_simulation():
    rng = np.random.default_rng(20)
    J, n, m = 10_000, 80, 400
    x = rng.standard_normal((J, n))
    y = 1.0 + rng.standard_normal((J, n))                      # slope 0: a true null
    xb, sx = x.mean(1, keepdims=True), x.std(1, ddof=1, keepdims=True)
    ss = ((x - xb) ** 2).sum(1, keepdims=True)
    b1 = ((x - xb) * (y - y.mean(1, keepdims=True))).sum(1, keepdims=True) / ss
    b0 = y.mean(1, keepdims=True) - b1 * xb
    s = np.sqrt(((y - b0 - b1 * x) ** 2).sum(1, keepdims=True) / (n - 2))
    xs = xb + sx * rng.standard_normal((J, m))
    ys = b0 + b1 * xs + s * rng.standard_normal((J, m))
    res = synthetic_regression_interval(xs[..., None], ys, n_real=n)
    naive_err, corr_err = 1 - res.naive_covers(0.0)[:, 1].mean(), 1 - res.covers(0.0)[:, 1].mean()
    closed = 1 - naive_coverage(n, m)
    assert abs(naive_err - closed) <= binom_tol(closed, J)
    assert abs(corr_err - 0.05) <= binom_tol(0.05, J)


def test_combining_rules_cover_by_simulation():
    """Sets summarised by their exact sampling law: q_k ~ N(mu_k, sigma_k^2/m), (m-1) s_k^2/sigma_k^2 ~ chi2_{m-1}."""
    rng = np.random.default_rng(30)
    J, n, m, K = 20_000, 50, 500, 20
    xbar = rng.standard_normal(J) / np.sqrt(n)
    s2 = rng.chisquare(n - 1, J) / (n - 1)
    sig2 = (n - 1) * s2[:, None] / rng.chisquare(n - 1, (J, K))          # posterior draws
    mu = xbar[:, None] + np.sqrt(sig2 / n) * rng.standard_normal((J, K))
    q = mu + np.sqrt(sig2 / m) * rng.standard_normal((J, K))
    u = sig2 * rng.chisquare(m - 1, (J, K)) / (m - 1) / m
    post = combine_synthetic_sets(q, u, n_real=n, n_synthetic=m)
    assert abs(post.covers(0.0).mean() - 0.95) <= binom_tol(0.95, J)
    q_plug = xbar[:, None] + np.sqrt(s2[:, None] / m) * rng.standard_normal((J, K))
    u_plug = s2[:, None] * rng.chisquare(m - 1, (J, K)) / (m - 1) / m
    plug = combine_synthetic_sets(q_plug, u_plug, n_real=n, n_synthetic=m, rule="plug-in")
    assert abs(plug.covers(0.0).mean() - 0.95) <= binom_tol(0.95, J)
    wrong = combine_synthetic_sets(q_plug, u_plug, n_real=n, n_synthetic=m, rule="posterior")
    assert wrong.covers(0.0).mean() < 0.95 - binom_tol(0.95, J)


# ----------------------------------------------------------------------------- the posterior generator


def test_posterior_generator_moments_one_dimension():
    rng = np.random.default_rng(40)
    x = rng.normal(2.0, 3.0, size=(25, 1))
    gen = PosteriorGaussianGenerator().fit(x)
    draws = [gen.draw_parameters(random_state=rng) for _ in range(20_000)]
    mus = np.array([d[0][0] for d in draws])
    vs = np.array([d[1][0, 0] for d in draws])
    s2, n = x.var(ddof=1), 25
    ev = (n - 1) * s2 / (n - 3)                                           # E[(n-1) s^2 / chi2_{n-1}]
    sd_v = ev * np.sqrt(2 / (n - 5))                                       # sd of an inverse chi-square
    assert abs(vs.mean() - ev) <= 4 * sd_v / np.sqrt(len(vs))
    assert abs(mus.mean() - x.mean()) <= 4 * np.sqrt(ev / n / len(mus))
    assert abs(mus.var() - ev / n) <= 4 * (ev / n) * np.sqrt(2 / len(mus)) * 1.5


def test_posterior_generator_two_dimensions_and_response():
    rng = np.random.default_rng(41)
    X = rng.normal(size=(40, 1))
    y = 1.0 + 2.0 * X[:, 0] + rng.normal(size=40)
    gen = PosteriorGaussianGenerator().fit(X, y)
    Z = np.column_stack([X, y])
    S = np.cov(Z, rowvar=False)
    covs = np.array([gen.draw_parameters(random_state=rng)[1] for _ in range(8_000)])
    expected = 39 * S / (40 - 2 - 2)                                      # E W^-1(nu, Psi) = Psi / (nu - d - 1)
    assert np.allclose(covs.mean(axis=0), expected, rtol=0.05)
    Xs, ys = gen.sample(7, random_state=0)
    assert Xs.shape == (7, 1) and ys.shape == (7,)
    X2, y2 = gen.sample(7, random_state=0)
    assert np.array_equal(Xs, X2) and np.array_equal(ys, y2)


# ----------------------------------------------------------------------------- errors


def test_errors_are_clear():
    good = np.arange(10.0)
    with pytest.raises(ValueError, match="n_real must be at least 2"):
        synthetic_mean_interval(good, n_real=1)
    with pytest.raises(ValueError, match="at least 2 are needed"):
        synthetic_mean_interval([1.0], n_real=10)
    with pytest.raises(ValueError, match="NaN"):
        synthetic_mean_interval([1.0, np.nan, 2.0], n_real=10)
    with pytest.raises(ValueError, match="confidence"):
        synthetic_mean_interval(good, n_real=10, confidence=95)
    with pytest.raises(ValueError, match="integer"):
        synthetic_mean_interval(good, n_real=10.5)
    with pytest.raises(ValueError, match="axis"):
        synthetic_mean_interval(good, n_real=10, axis=3)
    with pytest.raises(ValueError, match="rows are needed"):
        synthetic_regression_interval([[1.0], [2.0]], [1.0, 2.0], n_real=10)
    with pytest.raises(ValueError, match="shape"):
        synthetic_regression_interval(np.ones((5, 1)), np.ones(4), n_real=10)
    with pytest.raises(ValueError, match="singular"):
        synthetic_regression_interval(np.ones((5, 1)), np.arange(5.0), n_real=10)
    with pytest.raises(ValueError, match="n_real must be at least 3"):
        synthetic_regression_interval(np.arange(5.0), np.arange(5.0), n_real=2)
    with pytest.raises(ValueError, match="K >= 2"):
        combine_synthetic_sets([1.0], [0.1], n_real=10, n_synthetic=10)
    with pytest.raises(ValueError, match="non-negative"):
        combine_synthetic_sets([1.0, 2.0], [0.1, -0.1], n_real=10, n_synthetic=10)
    with pytest.raises(ValueError, match="same shape"):
        combine_synthetic_sets([1.0, 2.0], [0.1], n_real=10, n_synthetic=10)
    with pytest.raises(ValueError, match="rule"):
        combine_synthetic_sets([1.0, 2.0], [0.1, 0.1], n_real=10, n_synthetic=10, rule="rubin")
    with pytest.raises(ValueError, match="NaN"):
        combine_synthetic_sets([1.0, np.nan], [0.1, 0.1], n_real=10, n_synthetic=10)
    with pytest.raises(ValueError, match="positive"):
        naive_coverage(0, 10)
    with pytest.raises(ValueError, match="interval"):
        gaussian_mean_coverage(10, 10, interval="wide")
    with pytest.raises(ValueError, match="fit"):
        PosteriorGaussianGenerator().sample(3)
    with pytest.raises(ValueError, match="singular"):
        PosteriorGaussianGenerator().fit(np.column_stack([np.arange(5.0), 2 * np.arange(5.0)]))
    with pytest.raises(ValueError, match="more than 2 real rows"):
        PosteriorGaussianGenerator().fit(np.random.default_rng(0).normal(size=(2, 2)))
