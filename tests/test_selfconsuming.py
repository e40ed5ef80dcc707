"""Tests for synutil.sim.selfconsuming against closed forms: the Gaussian chain's expected variance, mean drift,
log drift and fixed point; the regression chain; the KDE chain; refit_chain's bookkeeping; errors."""

import numpy as np
import pytest
from scipy import stats

from synutil.generators import KDEGenerator, kde_bandwidth_factor
from synutil.sim.selfconsuming import (
    fresh_data_fixed_point,
    gaussian_chain_log_drift,
    gaussian_chain_moments,
    gaussian_refit_chain,
    kde_chain_moments,
    refit_chain,
    regression_chain_moments,
    regression_refit_chain,
)


def _z(sample, expected):
    return (sample.mean() - expected) / (sample.std(ddof=1) / np.sqrt(len(sample)))


@pytest.mark.parametrize("ddof", [0, 1])
def test_gaussian_closed_forms_without_fresh_data(ddof):
    n, T = 20, 12
    mom = gaussian_chain_moments(n, T, sd=2.0, ddof=ddof)
    t = np.arange(T + 1)
    rho = (n - 1) / (n - ddof)
    np.testing.assert_allclose(mom.variance, 4.0 * rho ** t, rtol=1e-12)
    np.testing.assert_allclose(mom.mean_sq_drift, 4.0 / n * np.concatenate([[0], np.cumsum(rho ** t)[:-1]]), rtol=1e-12)
    np.testing.assert_allclose(mom.variance_sd, 4.0 * np.sqrt(((n ** 2 - 1) / (n - ddof) ** 2) ** t - rho ** (2 * t)),
                               rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("w,ddof", [(0.0, 0), (0.0, 1), (0.2, 0), (0.5, 1)])
def test_gaussian_chain_matches_its_moments(w, ddof):
    n, T = 20, 8
    chain = gaussian_refit_chain(n, T, n_chains=40_000, mean=3.0, sd=1.5, fresh_fraction=w, ddof=ddof, random_state=1)
    mom = gaussian_chain_moments(n, T, sd=1.5, fresh_fraction=w, ddof=ddof)
    assert chain.n_fresh == round(w * n)
    np.testing.assert_array_equal(chain.means[:, 0], 3.0)
    for t in (1, 4, T):
        assert abs(_z(chain.variances[:, t], mom.variance[t])) < 4
        assert abs(_z((chain.means[:, t] - 3.0) ** 2, mom.mean_sq_drift[t])) < 4
    if w == 0:   # the closed-form sd of the fitted variance is the sample sd
        assert chain.variances[:, T].std() == pytest.approx(mom.variance_sd[T], rel=0.05)


def test_mle_chain_conserves_the_second_moment_about_the_truth():
    for w in (0.0, 0.1, 0.5):
        mom = gaussian_chain_moments(30, 50, sd=2.0, fresh_fraction=w)
        np.testing.assert_allclose(mom.variance + mom.mean_sq_drift, 4.0, rtol=1e-12)


def test_log_drift_is_the_mean_and_variance_of_log_chi_square():
    for n, ddof in [(10, 0), (50, 0), (50, 1)]:
        mean, var = gaussian_chain_log_drift(n, ddof=ddof)
        law = stats.chi2(n - 1)
        e = law.expect(lambda c: np.log(c / (n - ddof)))
        e2 = law.expect(lambda c: np.log(c / (n - ddof)) ** 2)
        assert mean == pytest.approx(e, abs=1e-8)
        assert var == pytest.approx(e2 - e ** 2, abs=1e-8)
        assert mean < np.log((n - 1) / (n - ddof)) <= 0


@pytest.mark.parametrize("n,w", [(100, 0.1), (100, 0.5), (20, 0.3)])
def test_fixed_point_closed_form_and_limit_of_the_recursion(n, w):
    a, b = fresh_data_fixed_point(n, w, sd=2.0)
    b_closed = 4.0 / (1 + w * (n * (2 - w) - 1))
    assert b == pytest.approx(b_closed, rel=1e-12)
    assert a == pytest.approx(4.0 - b_closed, rel=1e-12)
    mom = gaussian_chain_moments(n, 400, sd=2.0, fresh_fraction=w)
    assert mom.variance[-1] == pytest.approx(a, rel=1e-10)
    assert mom.mean_sq_drift[-1] == pytest.approx(b, rel=1e-8)
    approx, nan = fresh_data_fixed_point(n, w, sd=2.0, include_mean_drift=False)
    assert approx == pytest.approx(4.0 * ((n - 1) * w / n) / (1 - (n - 1) * (1 - w) / n), rel=1e-12)
    assert np.isnan(nan) and approx < a


def test_unbiased_fixed_point_solves_the_recursion():
    a, b = fresh_data_fixed_point(40, 0.25, ddof=1)
    mom = gaussian_chain_moments(40, 500, fresh_fraction=0.25, ddof=1)
    assert (mom.variance[-1], mom.mean_sq_drift[-1]) == pytest.approx((a, b), rel=1e-9)


def test_regression_closed_forms_without_fresh_data():
    n = 25
    mom = regression_chain_moments(n, 6, sd=2.0)
    t = np.arange(7)
    a = 4.0 * ((n - 1) / n) ** t
    np.testing.assert_allclose(mom.variance, a, rtol=1e-12)
    np.testing.assert_allclose(mom.slope_sq_error, np.concatenate([[0], np.cumsum(a)[:-1]]) / (n - 2), rtol=1e-12)
    np.testing.assert_allclose(mom.downstream_excess(12), mom.slope_sq_error + a / 10, rtol=1e-12)


@pytest.mark.parametrize("w", [0.0, 0.2, 0.5])
def test_regression_chain_matches_its_moments(w):
    n, T = 10, 4
    chain = regression_refit_chain(n, T, n_chains=100_000, slope=-1.0, sd=0.5, fresh_fraction=w, random_state=2)
    mom = regression_chain_moments(n, T, sd=0.5, fresh_fraction=w)
    for t in range(1, T + 1):
        assert abs(_z(chain.variances[:, t], mom.variance[t])) < 4
        assert abs(_z((chain.slopes[:, t] + 1.0) ** 2, mom.slope_sq_error[t])) < 4


def test_chains_are_seeded():
    a = gaussian_refit_chain(10, 3, n_chains=5, random_state=7)
    b = gaussian_refit_chain(10, 3, n_chains=5, random_state=7)
    np.testing.assert_array_equal(a.variances, b.variances)
    c = regression_refit_chain(10, 3, n_chains=5, random_state=7)
    d = regression_refit_chain(10, 3, n_chains=5, random_state=7)
    np.testing.assert_array_equal(c.slopes, d.slopes)


@pytest.mark.parametrize("bandwidth", [0.3, "scott", "silverman"])
def test_kde_chain_moments_closed_forms(bandwidth):
    n, T = 40, 5
    v, d = kde_chain_moments(n, T, variance0=2.0, bandwidth=bandwidth)
    rho = (n - 1) / n
    t = np.arange(T + 1)
    if isinstance(bandwidth, str):
        c2 = kde_bandwidth_factor(n, 1, rule=bandwidth) ** 2
        np.testing.assert_allclose(v, (rho + c2) ** t * 2.0, rtol=1e-12)
        kernel = c2 * n / (n - 1) * v
    else:
        np.testing.assert_allclose(v, rho ** t * 2.0 + (n - 1) * 0.09 * (1 - rho ** t), rtol=1e-12)
        kernel = np.full(T + 1, 0.09)
    np.testing.assert_allclose(d, np.concatenate([[0], np.cumsum(v + kernel)[:-1] / n]), rtol=1e-12)


@pytest.mark.parametrize("bandwidth", [0.3, "scott"])
def test_kde_chain_matches_its_moments(bandwidth):
    X0 = np.random.default_rng(3).standard_normal((25, 1)) * 2
    T, J = 4, 1500
    stat = lambda Z: (Z[:, 0].mean(), Z[:, 0].var())  # noqa: E731
    runs = np.array([refit_chain(KDEGenerator(bandwidth=bandwidth), X0, T, statistic=stat, random_state=j)
                     for j in range(J)])
    v, d = kde_chain_moments(25, T, variance0=X0[:, 0].var(), bandwidth=bandwidth)
    for t in range(1, T + 1):
        assert abs(_z(runs[:, t, 1], v[t])) < 4
        assert abs(_z((runs[:, t, 0] - X0[:, 0].mean()) ** 2, d[t])) < 4


def test_refit_chain_bookkeeping_and_fresh_rows():
    X0 = np.zeros((10, 1))
    out = refit_chain(KDEGenerator(bandwidth=1e-9), X0, 3, fresh=lambda k, rng: np.full((k, 1), 5.0),
                      fresh_fraction=0.3, random_state=0)
    assert len(out) == 4 and all(o.shape == (10, 1) for o in out)
    np.testing.assert_array_equal(out[0], X0)
    assert np.sum(np.isclose(out[1][:, 0], 5.0)) == 3   # three fresh rows, seven copies of the zeros
    assert np.sum(np.isclose(out[1][:, 0], 0.0)) == 7


def test_errors():
    with pytest.raises(ValueError, match="fresh_fraction"):
        gaussian_refit_chain(10, 2, fresh_fraction=1.0)
    with pytest.raises(ValueError, match="whole number"):
        gaussian_refit_chain(10, 2, fresh_fraction=0.25)
    with pytest.raises(ValueError, match="ddof"):
        gaussian_chain_moments(10, 2, ddof=2)
    with pytest.raises(ValueError, match="collapses"):
        fresh_data_fixed_point(10, 0.0)
    with pytest.raises(ValueError, match="fresh"):
        refit_chain(KDEGenerator(), np.zeros((10, 1)), 2, fresh_fraction=0.2)
    with pytest.raises(ValueError, match="n must"):
        regression_refit_chain(2, 3)
    with pytest.raises(ValueError, match="variance0"):
        kde_chain_moments(10, 2, variance0=-1.0)
