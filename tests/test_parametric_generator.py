"""Tests for ParametricRegressionGenerator against closed forms: OLS coefficients, the unbiased residual
variance, the conditional law of the synthetic responses, the two feature laws, errors."""

import numpy as np
import pytest

from synutil.bounds import custom_basis, polynomial_basis
from synutil.generators import ParametricRegressionGenerator, SyntheticGenerator
from synutil.sim.laws import BetaLaw, RegressionModel, UniformLaw

LINE = polynomial_basis(1)


def _data(n=200, seed=0, sd=0.5):
    rng = np.random.default_rng(seed)
    X = rng.uniform(size=(n, 1))
    return X, 1 + 2 * X[:, 0] + sd * rng.standard_normal(n)


def test_is_a_generator_and_seeded():
    X, y = _data()
    gen = ParametricRegressionGenerator(LINE).fit(X, y)
    assert isinstance(gen, SyntheticGenerator)
    a, b = gen.sample(30, random_state=3), gen.sample(30, random_state=3)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[1], gen.sample(30, random_state=4)[1])


@pytest.mark.parametrize("degree", [0, 1, 3])
def test_coefficients_and_residual_variance_are_least_squares(degree):
    X, y = _data(n=57, seed=degree)
    gen = ParametricRegressionGenerator(polynomial_basis(degree)).fit(X, y)
    Phi = np.vander(X[:, 0], degree + 1, increasing=True)
    coef, rss, *_ = np.linalg.lstsq(Phi, y, rcond=None)
    np.testing.assert_allclose(gen.coef_, coef, rtol=1e-10, atol=1e-12)
    q = degree + 1
    assert gen.n_basis_ == q
    assert gen.residual_variance_ == pytest.approx(float(rss[0]) / (57 - q), rel=1e-10)
    assert gen.residual_sd_ == pytest.approx(np.sqrt(float(rss[0]) / (57 - q)), rel=1e-10)
    np.testing.assert_allclose(gen.predict_mean(X), Phi @ coef, rtol=1e-10, atol=1e-12)


def test_two_features_custom_basis():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(300, 2))
    y = 0.5 - X[:, 0] + 3 * X[:, 1] ** 2 + 0.1 * rng.standard_normal(300)
    basis = custom_basis(1.0, lambda Z: Z[..., 0], lambda Z: Z[..., 1] ** 2)
    gen = ParametricRegressionGenerator(basis).fit(X, y)
    Phi = np.c_[np.ones(300), X[:, 0], X[:, 1] ** 2]
    np.testing.assert_allclose(gen.coef_, np.linalg.lstsq(Phi, y, rcond=None)[0], rtol=1e-10)
    Xs, ys = gen.sample(10, random_state=0)
    assert Xs.shape == (10, 2) and ys.shape == (10,)


def test_residual_variance_is_unbiased():
    # E sigma_hat^2 = sigma^2 exactly for a well-specified model with q coefficients (RSS / (n - q))
    model = RegressionModel(eta=lambda X: 1 + 2 * X[..., 0], feature_law=UniformLaw(), noise_sd=0.5)
    X, y = model.sample(12, replications=4000, random_state=5)
    s2 = np.array([ParametricRegressionGenerator(LINE).fit(X[j], y[j]).residual_variance_ for j in range(4000)])
    se = s2.std(ddof=1) / np.sqrt(s2.size)
    assert abs(s2.mean() - 0.25) <= 4 * se          # dividing by n (or n - 1) would be 17% (9%) low: > 10 se


def test_synthetic_responses_have_the_right_conditional_mean_and_variance():
    X, y = _data(n=40, seed=2)
    gen = ParametricRegressionGenerator(LINE, feature_law=UniformLaw()).fit(X, y)
    Xs, ys = gen.sample(200_000, random_state=1)
    resid = ys - (gen.coef_[0] + gen.coef_[1] * Xs[:, 0])
    n = resid.size
    assert abs(resid.mean()) <= 4 * gen.residual_sd_ / np.sqrt(n)
    assert abs((resid**2).mean() / gen.residual_variance_ - 1) <= 4 * np.sqrt(2 / n)
    # the conditional mean is the fitted line at every x: regress the synthetic responses on (1, x)
    coef = np.linalg.lstsq(np.c_[np.ones(n), Xs[:, 0]], ys, rcond=None)[0]
    assert np.all(np.abs(coef - gen.coef_) <= 4 * gen.residual_sd_ * np.array([2.0, 3.5]) / np.sqrt(n))


def test_empirical_feature_law_is_a_uniform_bootstrap_of_the_real_rows():
    X, y = _data(n=25, seed=3)
    gen = ParametricRegressionGenerator(LINE).fit(X, y)
    Xs, _ = gen.sample(50_000, random_state=0)
    assert np.isin(Xs[:, 0], X[:, 0]).all()
    counts = np.bincount(np.searchsorted(np.sort(X[:, 0]), Xs[:, 0]), minlength=25)
    expected = 50_000 / 25
    chi2 = ((counts - expected) ** 2 / expected).sum()          # chi-square with 24 df: mean 24, sd ~ 6.9
    assert counts.min() > 0 and chi2 < 24 + 5 * np.sqrt(48)


def test_given_feature_law_is_used():
    X, y = _data(n=30, seed=4)
    gen = ParametricRegressionGenerator(LINE, feature_law=BetaLaw(0.5, 0.5)).fit(X, y)
    Xs, _ = gen.sample(100_000, random_state=0)
    x = Xs[:, 0]
    assert abs(x.mean() - 0.5) <= 4 * np.sqrt(1 / 8 / x.size)
    assert abs(x.var() - 1 / 8) <= 4 * np.sqrt((3 / 128 - 1 / 64) / x.size)
    assert not np.isin(x, X[:, 0]).any()


def test_errors():
    X, y = _data(n=10)
    with pytest.raises(ValueError, match="needs responses"):
        ParametricRegressionGenerator(LINE).fit(X)
    with pytest.raises(ValueError, match="more rows than basis functions"):
        ParametricRegressionGenerator(polynomial_basis(9)).fit(X, y)
    with pytest.raises(ValueError, match="rank"):
        ParametricRegressionGenerator(LINE).fit(np.ones((10, 1)), y)
    with pytest.raises(ValueError, match="callable"):
        ParametricRegressionGenerator("line")
    with pytest.raises(ValueError, match="feature_law"):
        ParametricRegressionGenerator(LINE, feature_law="gaussian")
    with pytest.raises(ValueError, match="feature_law"):
        ParametricRegressionGenerator(LINE, feature_law=3.0)
    with pytest.raises(ValueError, match="not fitted"):
        ParametricRegressionGenerator(LINE).sample(3)
    with pytest.raises(ValueError, match="rows but y has"):
        ParametricRegressionGenerator(LINE).fit(X, y[:5])
    with pytest.raises(ValueError, match="NaN"):
        ParametricRegressionGenerator(LINE).fit(X, np.r_[y[:-1], np.nan])
    gen = ParametricRegressionGenerator(LINE, feature_law=UniformLaw(dim=2)).fit(X, y)
    with pytest.raises(ValueError, match="must return shape"):
        gen.sample(3, random_state=0)
    gen = ParametricRegressionGenerator(LINE).fit(X, y)
    with pytest.raises(ValueError, match="X must have shape"):
        gen.predict_mean(np.ones((3, 2)))
    with pytest.raises(ValueError, match="positive number of rows"):
        gen.sample(0)
