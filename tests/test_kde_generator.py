"""Tests for KDEGenerator against closed forms: the bandwidth factors (and scipy's), the mixture's mean and
variance (empirical variance with ddof=0 plus beta^2), seeding, responses, the density, errors."""

import numpy as np
import pytest
from scipy import stats

from synutil.generators import KDEGenerator, SyntheticGenerator, kde_bandwidth_factor


def _data(n=300, p=2, seed=0):
    rng = np.random.default_rng(seed)
    return rng.gamma(2.0, size=(n, p)) * np.arange(1, p + 1)


@pytest.mark.parametrize("n,p", [(50, 1), (200, 2), (1000, 3)])
def test_factors_are_the_closed_forms_and_scipys(n, p):
    assert kde_bandwidth_factor(n, p) == pytest.approx(n ** (-1 / (p + 4)), rel=1e-12)
    silver = (4 / (p + 2)) ** (1 / (p + 4)) * n ** (-1 / (p + 4))
    assert kde_bandwidth_factor(n, p, rule="silverman") == pytest.approx(silver, rel=1e-12)
    kde = stats.gaussian_kde(_data(n, p).T)
    assert kde_bandwidth_factor(n, p) == pytest.approx(kde.scotts_factor(), rel=1e-12)
    assert kde_bandwidth_factor(n, p, rule="silverman") == pytest.approx(kde.silverman_factor(), rel=1e-12)


@pytest.mark.parametrize("rule", ["scott", "silverman"])
def test_bandwidth_is_the_diagonal_of_scipys_kernel_covariance(rule):
    X = _data(250, 3)
    gen = KDEGenerator(bandwidth=rule).fit(X)
    kde = stats.gaussian_kde(X.T, bw_method=rule)
    np.testing.assert_allclose(gen.bandwidth_ ** 2, np.diag(kde.covariance), rtol=1e-10)
    assert gen.factor_ == pytest.approx(kde.factor, rel=1e-12)
    np.testing.assert_allclose(gen.bandwidth_, gen.factor_ * X.std(axis=0, ddof=1), rtol=1e-12)


def test_float_bandwidth_is_absolute():
    gen = KDEGenerator(bandwidth=0.3).fit(_data(40, 2))
    np.testing.assert_array_equal(gen.bandwidth_, [0.3, 0.3])
    assert gen.factor_ is None


@pytest.mark.parametrize("bandwidth", ["scott", 0.7])
def test_sample_mean_and_variance_match_the_mixture(bandwidth):
    X = _data(60, 2, seed=1)
    gen = KDEGenerator(bandwidth=bandwidth).fit(X)
    m = 400_000
    Xs, _ = gen.sample(m, random_state=5)
    mean, var = X.mean(axis=0), X.var(axis=0) + gen.bandwidth_ ** 2   # ddof=0: the empirical law
    se_mean = np.sqrt(var / m)
    assert np.all(np.abs(Xs.mean(axis=0) - mean) <= 4 * se_mean)
    fourth = np.mean((X - mean) ** 4, axis=0) + 6 * X.var(axis=0) * gen.bandwidth_ ** 2 + 3 * gen.bandwidth_ ** 4
    se_var = np.sqrt((fourth - var ** 2) / m)
    assert np.all(np.abs(Xs.var(axis=0) - var) <= 4 * se_var)
    # the separation matters: ddof=1 of the real data, or no kernel term, would be off by many s.e.
    assert np.all(np.abs(X.var(axis=0, ddof=1) + gen.bandwidth_ ** 2 - var) > 4 * se_var)
    assert np.all(np.abs(X.var(axis=0) - var) > 4 * se_var)


def test_same_seed_same_rows_and_interface():
    X = _data(80, 2)
    y = np.arange(80.0)
    gen = KDEGenerator().fit(X, y)
    assert isinstance(gen, SyntheticGenerator)
    a, b = gen.sample(25, random_state=3), gen.sample(25, random_state=3)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], gen.sample(25, random_state=4)[0])


def test_copied_response_is_the_drawn_rows():
    X = _data(30, 1)
    y = np.arange(30.0)
    gen = KDEGenerator(bandwidth=1e-6).fit(X, y)
    Xs, ys = gen.sample(500, random_state=0)
    np.testing.assert_allclose(Xs[:, 0], X[ys.astype(int), 0], atol=1e-4)
    labels = np.array(["a", "b"] * 15)
    _, ls = KDEGenerator().fit(X, labels).sample(10, random_state=0)
    assert set(ls) <= {"a", "b"}


def test_every_row_is_drawn_with_probability_one_over_n():
    X = _data(20, 1)
    _, idx = KDEGenerator(bandwidth=0.1).fit(X, np.arange(20)).sample(200_000, random_state=4)
    counts = np.bincount(idx, minlength=20)
    assert counts.min() > 0
    assert stats.chisquare(counts).pvalue > 1e-4


def test_smoothed_response_uses_the_joint_rule():
    X = _data(200, 2)
    y = X[:, 0] + np.random.default_rng(1).standard_normal(200)
    gen = KDEGenerator(response="smooth").fit(X, y)
    c = 200 ** (-1 / 7)   # joint KDE in p + 1 = 3 dimensions
    assert gen.factor_ == pytest.approx(c)
    assert gen.response_bandwidth_ == pytest.approx(c * y.std(ddof=1))
    _, ys = gen.sample(200_000, random_state=2)
    var = y.var() + gen.response_bandwidth_ ** 2
    assert abs(ys.var() - var) <= 4 * np.sqrt(2 * var ** 2 / 200_000) * 2


def test_logpdf_matches_scipy_in_one_dimension():
    X = _data(120, 1)
    gen = KDEGenerator(bandwidth="silverman").fit(X)
    grid = np.linspace(-1, 12, 37)[:, None]
    kde = stats.gaussian_kde(X[:, 0], bw_method="silverman")
    np.testing.assert_allclose(gen.logpdf(grid), kde.logpdf(grid[:, 0]), rtol=1e-9)


def test_errors():
    with pytest.raises(ValueError, match="bandwidth"):
        KDEGenerator(bandwidth="auto")
    with pytest.raises(ValueError, match="positive"):
        KDEGenerator(bandwidth=-1.0)
    with pytest.raises(ValueError, match="response"):
        KDEGenerator(response="noise")
    with pytest.raises(ValueError, match="not fitted"):
        KDEGenerator().sample(3)
    with pytest.raises(ValueError, match="rows"):
        KDEGenerator().fit(_data(10, 1), np.zeros(9))
    with pytest.raises(ValueError, match="positive number"):
        KDEGenerator().fit(_data(10, 1)).sample(0)
    with pytest.raises(ValueError, match="numeric"):
        KDEGenerator(response="smooth").fit(_data(4, 1), ["a", "b", "a", "b"])
    with pytest.raises(ValueError, match="rule"):
        kde_bandwidth_factor(10, 1, rule="auto")
    with pytest.raises(ValueError, match="n must"):
        kde_bandwidth_factor(1, 1)
