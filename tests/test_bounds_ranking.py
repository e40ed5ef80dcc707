"""Tests of the ranking closed forms (the ranking-gap theorem and the label-noise theorem of the book)."""

import numpy as np
import pytest

from synutil.bounds.ranking import (
    label_noise_inverse,
    label_noise_risk,
    label_noise_sample_factor,
    ranking_failure_bound,
    ranking_margin_ratio,
)
from synutil.generators import LabelNoise, ModelGenerator
from synutil.sim.laws import MarginClassification


# ---------------------------------------------------------------- the ranking-gap theorem


def test_margin_ratio_hand_computed():
    assert ranking_margin_ratio([0.0, 0.03, 0.01], gap=0.2) == pytest.approx(0.3)
    assert ranking_margin_ratio(np.zeros(4), gap=1.0) == 0.0


def test_failure_bound_hand_computed():
    # half gap 0.1; terms 0.01^2/0.1^2 + 0.02^2/0.05^2 = 0.01 + 0.16
    assert ranking_failure_bound([0.0, 0.05], [1e-4, 4e-4], gap=0.2) == pytest.approx(0.17)
    # capped at one
    assert ranking_failure_bound([0.0, 0.0], [1.0, 1.0], gap=0.2) == 1.0
    # zero variance and a valid margin: no failure possible
    assert ranking_failure_bound([0.01, 0.02], [0.0, 0.0], gap=0.1) == 0.0


def test_margin_ratio_constant_is_sharp():
    """Two learners moving towards each other swap just above ratio 1; one mover needs ratio 2."""
    from synutil.ranking import generalization_gap, kendall_tau

    r = np.array([0.10, 0.20, 0.40])  # gap 0.1
    gap = generalization_gap(r)
    assert gap == pytest.approx(0.1)
    for eps, flips in ((-1e-3, False), (1e-3, True)):
        u = gap / 2 + eps
        r_syn = r + np.array([u, -u, 0.0])
        assert ranking_margin_ratio(np.abs(r_syn - r), gap) == pytest.approx(1 + 2 * eps / gap)
        assert (kendall_tau(r, r_syn) < 1) == flips
    for eps, flips in ((-1e-3, False), (1e-3, True)):
        r_syn = r + np.array([0.0, -(gap + eps), 0.0])
        assert ranking_margin_ratio(np.abs(r_syn - r), gap) == pytest.approx(2 + 2 * eps / gap)
        assert (kendall_tau(r, r_syn) < 1) == flips


def test_failure_bound_equals_the_theorem_formula():
    rng = np.random.default_rng(3)
    for _ in range(20):
        gap = rng.uniform(0.05, 1.0)
        u = rng.uniform(0, 0.49 * gap, size=4)
        s2 = rng.uniform(0, 1e-3, size=4) * gap**2
        expected = min(1.0, float(np.sum(s2 / (gap / 2 - u) ** 2)))
        assert ranking_failure_bound(u, s2, gap) == pytest.approx(expected, rel=1e-12)
        assert ranking_margin_ratio(u, gap) == pytest.approx(u.max() / (gap / 2), rel=1e-12)


def test_failure_bound_invalid_margin_returns_one():
    assert ranking_failure_bound([0.0, 0.1], [0.0, 0.0], gap=0.2) == 1.0
    assert ranking_failure_bound([0.0, 0.5], [1e-9, 1e-9], gap=0.2) == 1.0


def test_failure_bound_monotone():
    u = np.linspace(0.0, 0.099, 50)
    b_u = [ranking_failure_bound([0.0, x], [1e-5, 1e-5], gap=0.2) for x in u]
    assert np.all(np.diff(b_u) >= 0)  # increasing in the utility
    g = np.linspace(0.05, 1.0, 50)
    b_g = [ranking_failure_bound([0.0, 0.02], [1e-5, 1e-5], gap=x) for x in g]
    assert np.all(np.diff(b_g) <= 0)  # decreasing in the gap
    v = np.linspace(0.0, 1e-3, 50)
    b_v = [ranking_failure_bound([0.0, 0.02], [x, x], gap=0.2) for x in v]
    assert np.all(np.diff(b_v) >= 0)  # increasing in the variance


def test_failure_bound_holds_for_gaussian_risks():
    """Independent check: simulate R(f_k,syn) ~ N(r~_k, s_k^2) and count mis-rankings."""
    rng = np.random.default_rng(0)
    r = np.array([0.30, 0.40, 0.50, 0.60])
    shift = np.array([0.02, -0.03, 0.01, 0.0])  # r~ - r
    s = np.array([0.01, 0.015, 0.01, 0.02])
    draws = r + shift + s * rng.standard_normal((200_000, 4))
    fail = np.mean(np.any(np.diff(draws, axis=1) <= 0, axis=1))
    bound = ranking_failure_bound(np.abs(shift), s**2, gap=0.1)
    assert 0 < fail <= bound < 1


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(utilities=[0.1], variances=[0.1], gap=0.0), "gap must be a positive"),
        (dict(utilities=[0.1], variances=[0.1], gap=-1.0), "gap must be a positive"),
        (dict(utilities=[0.1], variances=[0.1], gap=np.nan), "gap must be a positive"),
        (dict(utilities=[-0.1], variances=[0.1], gap=1.0), "utilities must be non-negative"),
        (dict(utilities=[0.1, 0.2], variances=[0.1], gap=1.0), "one entry per model"),
        (dict(utilities=[0.1], variances=[-0.1], gap=1.0), "variances must be non-negative"),
        (dict(utilities=[np.nan], variances=[0.1], gap=1.0), "NaN"),
    ],
)
def test_ranking_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ranking_failure_bound(**kwargs)


def test_margin_ratio_bad_input():
    with pytest.raises(ValueError, match="gap must be a positive"):
        ranking_margin_ratio([0.1], gap=0)
    with pytest.raises(ValueError, match="utilities must be non-negative"):
        ranking_margin_ratio([-0.1], gap=1)


# ---------------------------------------------------------------- the label-noise theorem


@pytest.mark.parametrize("rho", [0.0, 0.1, 0.3, 0.45])
def test_label_noise_inverse_roundtrip(rho):
    r = np.linspace(0, 1, 11)
    assert np.allclose(label_noise_inverse(label_noise_risk(r, rho), rho), r)
    assert label_noise_inverse(label_noise_risk(0.2, rho), rho) == pytest.approx(0.2)


def test_label_noise_map_values_and_order():
    assert label_noise_risk(0.0, 0.3) == pytest.approx(0.3)
    assert label_noise_risk(0.5, 0.3) == pytest.approx(0.5)  # chance level is a fixed point
    assert label_noise_risk(0.0, 0.0) == 0.0
    r = np.array([0.4, 0.1, 0.25, 0.3])
    assert np.array_equal(np.argsort(label_noise_risk(r, 0.45)), np.argsort(r))
    assert isinstance(label_noise_risk(0.1, 0.2), float)


def test_label_noise_sample_factor():
    assert label_noise_sample_factor(0.0) == 1.0
    assert label_noise_sample_factor(0.25) == pytest.approx(4.0)
    rhos = np.linspace(0, 0.49, 20)
    assert np.all(np.diff([label_noise_sample_factor(r) for r in rhos]) > 0)


@pytest.mark.parametrize("rho", [-0.1, 0.5, 0.7, np.nan])
def test_label_noise_bad_rho(rho):
    for func in (lambda: label_noise_risk(0.1, rho), lambda: label_noise_inverse(0.1, rho),
                 lambda: label_noise_sample_factor(rho)):
        with pytest.raises(ValueError, match="rho must be a flip probability"):
            func()


def test_label_noise_bad_risk():
    with pytest.raises(ValueError, match="risk must be 0-1 risks"):
        label_noise_risk(1.2, 0.1)
    with pytest.raises(ValueError, match="risk_syn must be 0-1 risks"):
        label_noise_inverse([-0.1], 0.1)
    with pytest.raises(ValueError, match="NaN"):
        label_noise_risk([np.nan], 0.1)


@pytest.mark.parametrize("rho", [0.1, 0.3, 0.45])
def test_affine_identity_monte_carlo(rho):
    """Flip labels with the generator knob and compare the noisy risk of fixed thresholds with the map."""
    model = MarginClassification(alpha=1.0)
    gen = LabelNoise(ModelGenerator(model), rho=rho)
    X, y_noisy = gen.sample(200_000, random_state=1)
    x = X[:, 0]
    # exact real risk of h_t(x) = 1{x >= t} for eta(x) = (1 + x)/2 on U[-1, 1]:
    # Bayes risk 1/4 plus excess int_0^|t| x/2 dx = t^2/4
    for t in (-0.6, -0.2, 0.0, 0.3, 0.8):
        pred = (x >= t).astype(int)
        risk_exact = 0.25 + t**2 / 4
        wrong = pred != y_noisy
        se = wrong.std() / np.sqrt(len(wrong))
        assert abs(wrong.mean() - label_noise_risk(risk_exact, rho)) < 4 * se
