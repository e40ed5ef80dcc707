"""Tests of the rates and worst cases of Theorems 3 and 4 (synutil.bounds.rates)."""

import numpy as np
import pytest
from scipy import integrate

from synutil.bounds.rates import (
    knn_rate_exponent,
    low_noise_exact_excess,
    low_noise_worst_case,
    worst_case_flip,
)
from synutil.sim.knn import knn_rate_neighbors
from synutil.sim.laws import MarginClassification

ALPHAS = [0.5, 1.0, 2.0, 3.5]


def test_knn_rate_exponent_values():
    assert knn_rate_exponent(1) == pytest.approx(-2 / 3)
    assert knn_rate_exponent(2) == -0.5
    assert knn_rate_exponent(6) == -0.25


def test_knn_rate_neighbors_balances_variance_and_bias():
    # k ~ N^{2/(2+p)}: sigma^2/k and (k/N)^{2/p} have the same exponent -2/(2+p)
    N = np.array([10**3, 10**5, 10**7])
    for p in (1, 2, 3):
        k = knn_rate_neighbors(N, p)
        var_slope = np.polyfit(np.log(N), np.log(1.0 / k), 1)[0]
        bias_slope = np.polyfit(np.log(N), np.log((k / N) ** (2.0 / p)), 1)[0]
        assert var_slope == pytest.approx(knn_rate_exponent(p), abs=0.01)
        assert bias_slope == pytest.approx(knn_rate_exponent(p), abs=0.01)


@pytest.mark.parametrize("alpha", ALPHAS)
def test_exact_excess_matches_quadrature(alpha):
    # excess = E[|2 eta - 1| 1{|eta - 1/2| <= d}] with margin density alpha 2^alpha t^(alpha-1)
    dens = lambda t: alpha * 2**alpha * t ** (alpha - 1)
    for d in (0.01, 0.1, 0.3, 0.5):
        value, _ = integrate.quad(lambda t: 2 * t * dens(t), 0, d)
        assert low_noise_exact_excess(d, alpha=alpha) == pytest.approx(value, rel=1e-8)
    # and in the feature space of MarginClassification: X ~ U[-1, 1], |2 eta - 1| = |x|^(1/alpha)
    d = 0.2
    x_d = (2 * d) ** alpha
    value, _ = integrate.quad(lambda x: x ** (1 / alpha), 0, x_d)  # symmetric: 2 * (1/2) * int_0^x_d
    assert low_noise_exact_excess(d, alpha=alpha) == pytest.approx(value, rel=1e-8)


@pytest.mark.parametrize("alpha", ALPHAS)
def test_exact_excess_saturates_and_is_below_bound(alpha):
    d = np.linspace(0, 1, 41)
    exact = low_noise_exact_excess(d, alpha=alpha)
    bound = low_noise_worst_case(d, alpha=alpha, C=2.0**alpha)
    assert np.all(bound >= exact)
    # the ratio bound / exact is (1 + alpha) / alpha for d <= 1/2
    small = (d > 0) & (d <= 0.5)
    assert np.allclose(bound[small] / exact[small], (1 + alpha) / alpha)
    # beyond d = 1/2 every decision is flipped: the excess risk is E|2 eta - 1| = alpha / (1 + alpha)
    assert np.allclose(exact[d >= 0.5], alpha / (1 + alpha))
    model = MarginClassification(alpha=alpha)
    assert alpha / (1 + alpha) == pytest.approx(1 - 2 * model.bayes_risk())


@pytest.mark.parametrize("alpha", [0.5, 1.0, 2.0])
def test_worst_case_flip_monte_carlo(alpha):
    model = MarginClassification(alpha=alpha)
    X = model.sample_features(400_000, random_state=1)
    eta = model.eta(X)
    for d in (0.05, 0.2):
        eta_tilde = worst_case_flip(eta, d)
        assert np.max(np.abs(eta_tilde - eta)) <= d + 1e-12
        excess = float(model.excess_risk((eta_tilde >= 0.5).astype(int), X))
        exact = low_noise_exact_excess(d, alpha=alpha)
        # Monte Carlo standard error of a mean of |2 eta - 1| 1{...} <= 2d: se <= 2d sqrt(p_d / n)
        se = np.std(np.abs(2 * eta - 1) * (np.abs(eta - 0.5) <= d)) / np.sqrt(len(X))
        assert abs(excess - exact) < 4 * se
        assert excess <= low_noise_worst_case(d, alpha=alpha, C=model.margin_constant)


def test_worst_case_flip_flips_exactly_the_small_margins():
    eta = np.array([0.0, 0.2, 0.41, 0.45, 0.5, 0.55, 0.59, 0.9, 1.0])
    eta_tilde = worst_case_flip(eta, 0.1)
    flipped = (eta_tilde >= 0.5) != (eta >= 0.5)
    assert flipped.tolist() == [False, False, True, True, False, True, True, False, False]
    assert worst_case_flip(eta, 0.0).tolist() == eta.tolist()
    assert np.all((worst_case_flip(eta, 0.8) >= 0) & (worst_case_flip(eta, 0.8) <= 1))


def test_log_log_slope_is_one_plus_alpha():
    d = np.geomspace(1e-3, 0.3, 12)
    for alpha in ALPHAS:
        slope = np.polyfit(np.log(d), np.log(low_noise_exact_excess(d, alpha=alpha)), 1)[0]
        assert slope == pytest.approx(1 + alpha, abs=1e-10)


def test_scalar_and_array_outputs():
    assert isinstance(low_noise_exact_excess(0.1, alpha=1.0), float)
    assert isinstance(low_noise_worst_case(0.1, alpha=1.0, C=2.0), float)
    assert low_noise_exact_excess([0.1, 0.2], alpha=1.0).shape == (2,)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: knn_rate_exponent(0), "p must be a positive integer"),
        (lambda: knn_rate_exponent(1.5), "p must be a positive integer"),
        (lambda: low_noise_worst_case(-0.1, alpha=1.0, C=2.0), "d must be a finite"),
        (lambda: low_noise_worst_case(0.1, alpha=0.0, C=2.0), "alpha must be a positive"),
        (lambda: low_noise_worst_case(0.1, alpha=1.0, C=-1.0), "C must be a positive"),
        (lambda: low_noise_exact_excess(np.nan, alpha=1.0), "d must be a finite"),
        (lambda: low_noise_exact_excess(0.1, alpha=-2), "alpha must be a positive"),
        (lambda: low_noise_exact_excess("a", alpha=1.0), "d must be a number"),
        (lambda: worst_case_flip([0.2, 1.5], 0.1), "probabilities in"),
        (lambda: worst_case_flip(["a"], 0.1), "eta must be an array"),
        (lambda: worst_case_flip([0.2], -0.1), "d must be a finite"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("c", [0.0, 0.2, 0.5, 0.7, 0.8, 0.95, 1.0])
@pytest.mark.parametrize("p", [1, 3])
def test_knn_extrapolation_floor_is_the_integral_over_the_gap(c, p):
    from scipy import integrate

    from synutil.bounds import knn_extrapolation_floor

    s = np.sin(2 * np.pi * c)
    direct = integrate.quad(lambda x: (np.sin(2 * np.pi * x) - s) ** 2, c, 1.0, epsabs=1e-14)[0] / p**2
    assert knn_extrapolation_floor(c, dimension=p) == pytest.approx(direct, abs=1e-12)


def test_knn_extrapolation_floor_refuses_bad_input():
    from synutil.bounds import knn_extrapolation_floor

    with pytest.raises(ValueError, match="gap_start"):
        knn_extrapolation_floor(1.5)
    with pytest.raises(ValueError, match="gap_start"):
        knn_extrapolation_floor(np.nan)
    with pytest.raises((ValueError, TypeError), match="dimension"):
        knn_extrapolation_floor(0.5, dimension=0)
    with pytest.raises((ValueError, TypeError), match="dimension"):
        knn_extrapolation_floor(0.5, dimension=1.5)
    assert knn_extrapolation_floor([0.7, 0.8]).shape == (2,)
