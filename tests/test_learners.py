"""Tests of synutil.learners: threshold ERM against brute force, the wavy task against Monte Carlo."""

import numpy as np
import pytest

from synutil.generators import LabelNoise, ModelGenerator
from synutil.learners import WavyBoundaryClassification, threshold_erm


def _brute_force_error(x, y):
    cands = np.concatenate([[-np.inf], np.sort(x), [np.inf]])
    return min(np.mean((x >= t).astype(int) != y) for t in cands)


def test_threshold_erm_matches_brute_force():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, size=(200, 30))
    y = (rng.uniform(size=x.shape) < 0.5 + 0.4 * np.sign(x)).astype(int)
    t = threshold_erm(x, y)
    assert t.shape == (200,)
    for r in range(200):
        err = np.mean((x[r] >= t[r]).astype(int) != y[r])
        assert err == pytest.approx(_brute_force_error(x[r], y[r]))
        assert not np.any(x[r] == t[r])  # never on a training point


def test_threshold_erm_with_ties_in_x():
    rng = np.random.default_rng(1)
    x = rng.integers(0, 5, size=(100, 20)).astype(float)
    y = rng.integers(0, 2, size=(100, 20))
    t = threshold_erm(x, y)
    for r in range(100):
        err = np.mean((x[r] >= t[r]).astype(int) != y[r])
        assert err == pytest.approx(_brute_force_error(x[r], y[r]))


def test_threshold_erm_edge_cases_and_consistency():
    assert threshold_erm([0.0, 1.0], [1, 1]) == -np.inf
    assert threshold_erm([0.0, 1.0], [0, 0]) == np.inf
    assert isinstance(threshold_erm([0.0, 1.0], [0, 1]), float)
    rng = np.random.default_rng(2)
    x = rng.uniform(-1, 1, size=(50, 5000))
    y = (rng.uniform(size=x.shape) < (1 + x) / 2).astype(int)
    assert abs(np.median(threshold_erm(x, y))) < 0.1  # consistent for the Bayes threshold 0


@pytest.mark.parametrize(
    "x, y, match",
    [
        ([0.0, 1.0], [0, 1, 1], "same shape"),
        ([0.0, np.nan], [0, 1], "NaN"),
        ([0.0, 1.0], [0, 2], "binary 0/1"),
        (np.zeros((2, 2, 2)), np.zeros((2, 2, 2)), "same shape"),
    ],
)
def test_threshold_erm_bad_input(x, y, match):
    with pytest.raises(ValueError, match=match):
        threshold_erm(x, y)


def test_wavy_task_eta_and_bayes():
    task = WavyBoundaryClassification()
    X = task.sample_features(100_000, random_state=0)
    eta = task.eta(X)
    assert np.all((eta > 0) & (eta < 1))
    assert np.array_equal(task.bayes_classifier(X), (eta >= 0.5).astype(int))
    # Bayes risk by quadrature vs Monte Carlo of E min(eta, 1 - eta)
    mc = np.minimum(eta, 1 - eta)
    assert abs(task.bayes_risk() - mc.mean()) < 4 * mc.std() / np.sqrt(len(mc))


def test_wavy_task_risk_matches_label_error_rate():
    task = WavyBoundaryClassification(amplitude=0.4, sharpness=5.0)
    X, y = task.sample(200_000, random_state=1)
    for h in (task.bayes_classifier(X), (X[:, 1] >= 0).astype(int), np.zeros(len(X), dtype=int)):
        wrong = h != y
        assert abs(task.risk(h, X) - wrong.mean()) < 4 * wrong.std() / np.sqrt(len(wrong))
    # batched predictions keep the leading axis
    assert task.risk(np.zeros((3, len(X))), X).shape == (3,)


def test_wavy_task_batched_and_seeded():
    task = WavyBoundaryClassification()
    X, y = task.sample(10, replications=4, random_state=3)
    assert X.shape == (4, 10, 2) and y.shape == (4, 10)
    X2, y2 = task.sample(10, replications=4, random_state=3)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)


def test_wavy_task_works_with_label_noise_generator():
    task = WavyBoundaryClassification()
    gen = LabelNoise(ModelGenerator(task), rho=0.25)
    X, y = gen.sample(100_000, random_state=0)
    assert X.shape == (100_000, 2)
    # mean label = E eta~ = rho + (1 - 2 rho) E eta
    eta_tilde = gen.eta(X)
    assert abs(y.mean() - eta_tilde.mean()) < 4 * np.sqrt(0.25 / len(y))
    assert np.allclose(eta_tilde, 0.25 + 0.5 * task.eta(X))


def test_wavy_task_bad_input():
    with pytest.raises(ValueError, match="sharpness positive"):
        WavyBoundaryClassification(sharpness=0.0)
    with pytest.raises(ValueError, match="2 features"):
        WavyBoundaryClassification().eta(np.zeros((3, 1)))
    with pytest.raises(ValueError, match="positive number of rows"):
        WavyBoundaryClassification().sample(0)
