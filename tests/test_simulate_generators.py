import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from synutil.generators import (
    BootstrapGenerator,
    CoverageGap,
    FeatureLaw,
    FeatureShift,
    GaussianGenerator,
    LabelNoise,
    ModelGenerator,
    ResponseError,
)
from synutil.sim.laws import BetaLaw, GaussianLaw, MarginClassification, RegressionModel, UniformLaw, sine_regression


@pytest.mark.parametrize("alpha", [0.5, 1.0, 2.0])
def test_margin_law_has_the_stated_exponent(alpha):
    model = MarginClassification(alpha=alpha)
    X, _ = model.sample(400_000, random_state=1)
    margin = np.abs(model.eta(X) - 0.5)
    for t in (0.05, 0.1, 0.25, 0.4):
        assert abs(np.mean(margin <= t) - (2 * t) ** alpha) < 4e-3
    assert model.margin_constant == 2.0**alpha


@pytest.mark.parametrize("alpha", [0.5, 1.0, 3.0])
def test_margin_bayes_risk_matches_numerical_integration(alpha):
    model = MarginClassification(alpha=alpha)
    expected = integrate.quad(lambda x: 0.5 * min(model.eta(np.array([[x]]))[0], 1 - model.eta(np.array([[x]]))[0]),
                              -1, 1, points=[0])[0]
    assert model.bayes_risk() == pytest.approx(expected, abs=1e-8)
    X, y = model.sample(300_000, random_state=0)
    assert np.mean(model.bayes_classifier(X) != y) == pytest.approx(expected, abs=4e-3)


@pytest.mark.parametrize("alpha", [0.5, 2.0])
def test_margin_excess_risk_is_the_weighted_disagreement(alpha):
    # R(h) - R(h*) = E[|2 eta - 1| 1{h != h*}], checked against the 0-1 risks computed from eta directly
    model = MarginClassification(alpha=alpha)
    X = np.linspace(-1, 1, 20_001)[:, None]
    eta = model.eta(X)
    h = (X[:, 0] >= 0.3).astype(int)  # wrong on [0, 0.3)
    risk = lambda pred: np.mean(np.where(pred == 1, 1 - eta, eta))
    assert model.excess_risk(h, X) == pytest.approx(risk(h) - risk(model.bayes_classifier(X)), abs=1e-12)
    assert model.excess_risk(h, X) == pytest.approx(alpha / (1 + alpha) * 0.3 ** (1 + 1 / alpha) / 2, rel=2e-3)


def test_beta_law_pdf_and_sampler_keep_the_shape_order():
    law = BetaLaw(0.25, 1.0, dim=2)
    x = np.array([[0.3, 0.8]])
    assert law.pdf(x)[0] == pytest.approx(0.25 * 0.3**-0.75 * 0.25 * 0.8**-0.75)
    X = law.sample(50_000, random_state=0)
    assert X.mean(axis=0) == pytest.approx([0.2, 0.2], abs=0.006)  # a / (a + b), se 0.0013


def test_regression_model_risk_is_squared_distance_plus_noise():
    model = sine_regression(noise_sd=0.3)
    X, y = model.sample(200_000, random_state=2)
    f = 0.5 * X[:, 0]
    empirical = np.mean((f - y) ** 2)
    assert model.risk(f, X) == pytest.approx(empirical, rel=5e-3)
    Xr, yr = model.sample(10, replications=7, random_state=0)
    assert Xr.shape == (7, 10, 1) and yr.shape == (7, 10)


def test_feature_laws_match_scipy():
    X = BetaLaw(2, 5).sample(100_000, random_state=0)
    assert stats.kstest(X[:, 0], stats.beta(2, 5).cdf).pvalue > 1e-3
    assert UniformLaw(-1, 1, dim=3).pdf(np.zeros((1, 3)))[0] == pytest.approx(1 / 8)
    law = GaussianLaw(mean=np.array([1.0, -1.0]), cov=np.array([[1.0, 0.5], [0.5, 2.0]]))
    Z = law.sample(100_000, random_state=0)
    np.testing.assert_allclose(np.cov(Z, rowvar=False), law.cov, atol=0.05)


def test_gaussian_generator_recovers_linear_model_and_is_seeded():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(5000, 2))
    y = 1.0 + X @ np.array([2.0, -1.0]) + 0.5 * rng.normal(size=5000)
    gen = GaussianGenerator().fit(X, y)
    np.testing.assert_allclose(gen.coef_, [2.0, -1.0], atol=0.05)
    assert gen.residual_sd_ == pytest.approx(0.5, abs=0.02)
    a, b = gen.sample(50, random_state=4), gen.sample(50, random_state=4)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


def test_generators_accept_dataframes_and_reject_bad_input():
    df = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0], "b": [1.0, 0.0, 1.0, 0.5]})
    GaussianGenerator().fit(df, [1.0, 2.0, 3.0, 4.0])
    with pytest.raises(ValueError, match="NaN"):
        GaussianGenerator().fit(np.array([[0.0], [np.nan], [1.0]]), [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="one response per row"):
        GaussianGenerator().fit(np.zeros((3, 1)), [1.0, 2.0])
    with pytest.raises(ValueError, match="not fitted"):
        GaussianGenerator().sample(3)
    with pytest.raises(ValueError, match="at least 2"):
        BootstrapGenerator().fit(np.zeros((1, 2)), [1.0])


def test_bootstrap_copies_whole_rows():
    X = np.arange(10.0)[:, None]
    gen = BootstrapGenerator().fit(X, 3 * X[:, 0])
    Xs, ys = gen.sample(100, random_state=0)
    np.testing.assert_array_equal(ys, 3 * Xs[:, 0])
    assert set(Xs[:, 0]) <= set(X[:, 0])


def test_knobs_change_one_ingredient_each():
    model = sine_regression(noise_sd=0.0)
    base = ModelGenerator(model)
    X, y = FeatureShift(base, shift=2.0, scale=0.5, center=0.5).sample(2000, random_state=0)
    assert 2.25 <= X.min() and X.max() <= 2.75
    np.testing.assert_allclose(y, model.eta(X))  # responses still follow eta at the new features
    X, y = ResponseError(base, gamma=0.3, direction=lambda Z: Z[:, 0] ** 2).sample(500, random_state=0)
    np.testing.assert_allclose(y, model.eta(X) + 0.3 * X[:, 0] ** 2)
    X, _ = CoverageGap(base, removed=lambda Z: (Z[:, 0] > 0.2) & (Z[:, 0] < 0.6)).sample(3000, random_state=0)
    assert not np.any((X > 0.2) & (X < 0.6)) and len(X) == 3000
    X, _ = FeatureLaw(base, law=BetaLaw(5, 1)).sample(20_000, random_state=0)
    assert X.mean() == pytest.approx(5 / 6, abs=0.01)


def test_label_noise_flips_at_rate_rho_and_maps_eta():
    base = ModelGenerator(MarginClassification(alpha=1.0))
    clean = base.sample(100_000, random_state=5)
    noisy = LabelNoise(base, rho=0.2).sample(100_000, random_state=5)
    np.testing.assert_array_equal(clean[0], noisy[0])  # same features for the same seed
    x = np.array([[0.5]])
    assert LabelNoise(base, rho=0.2).eta(x)[0] == pytest.approx(0.2 + 0.6 * base.eta(x)[0])
    with pytest.raises(ValueError, match=r"rho must lie in \[0, 0.5\)"):
        LabelNoise(base, rho=0.5)


def test_coverage_gap_that_removes_everything_raises():
    gen = CoverageGap(ModelGenerator(sine_regression()), removed=lambda Z: np.ones(len(Z), bool), max_tries=3)
    with pytest.raises(ValueError, match="Remove a smaller region"):
        gen.sample(10, random_state=0)


def test_regression_model_validates_sizes():
    with pytest.raises(ValueError, match="positive number of rows"):
        sine_regression().sample(0)
    with pytest.raises(ValueError, match="alpha must be positive"):
        MarginClassification(alpha=0)
    assert isinstance(sine_regression(), RegressionModel)
