"""Tests of synutil.sim.learners: threshold ERM against brute force, the wavy task against Monte Carlo."""

import numpy as np
import pytest

from synutil.generators import LabelNoise, ModelGenerator
from synutil.sim.learners import WavyBoundaryClassification, split_gini, threshold_erm


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


# ---------------------------------------------------------------- split_gini


def _gini_brute(x, y, t):
    left, right = y[x < t], y[x >= t]
    out = 0.0
    for child in (left, right):
        if child.size:
            p = child.mean()
            out += child.size / x.size * 2 * p * (1 - p)
    return out


def test_split_gini_matches_brute_force_and_sklearn():
    from sklearn.tree import DecisionTreeClassifier

    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, size=300)
    y = (rng.uniform(size=300) < (1 + x) / 2).astype(int)
    ts = np.concatenate([np.linspace(-1.2, 1.2, 41), x[:5]])
    assert np.allclose(split_gini(x, y, ts), [_gini_brute(x, y, t) for t in ts], rtol=0, atol=1e-12)
    # probabilities in place of labels
    eta = (1 + x) / 2
    assert np.allclose(split_gini(x, eta, ts), [_gini_brute(x, eta, t) for t in ts], rtol=0, atol=1e-12)
    # scikit-learn's stump: its split minimises split_gini, and its child impurities give the same number
    tree = DecisionTreeClassifier(max_depth=1).fit(x[:, None], y).tree_
    thr = tree.threshold[0]
    weighted = (tree.n_node_samples[1] * tree.impurity[1] + tree.n_node_samples[2] * tree.impurity[2]) / x.size
    assert split_gini(x, y, thr) == pytest.approx(weighted, abs=1e-12)
    candidates = (np.sort(x)[1:] + np.sort(x)[:-1]) / 2
    assert split_gini(x, y, thr) == pytest.approx(split_gini(x, y, candidates).min(), abs=1e-12)
    assert isinstance(split_gini(x, y, 0.0), float)


@pytest.mark.parametrize("rho", [0.1, 0.3, 0.45])
def test_split_gini_is_affine_under_symmetric_noise(rho):
    """Node impurity 2 p~(1 - p~) = 2 rho (1 - rho) + (1 - 2 rho)^2 2 p (1 - p), hence for every split."""
    rng = np.random.default_rng(1)
    x = rng.uniform(-1, 1, size=500)
    eta = 1 / (1 + np.exp(-4 * x))
    ts = np.linspace(-1, 1, 21)
    clean = split_gini(x, eta, ts)
    noisy = split_gini(x, rho + (1 - 2 * rho) * eta, ts)
    assert np.allclose(noisy, 2 * rho * (1 - rho) + (1 - 2 * rho) ** 2 * clean, rtol=0, atol=1e-12)
    assert np.argmin(noisy) == np.argmin(clean)
    # an entropy criterion is not affine: the identity is special to the Gini impurity
    ent = lambda p: -(p * np.log(p) + (1 - p) * np.log(1 - p))
    left = x < 0.3
    h_clean = left.mean() * ent(eta[left].mean()) + (~left).mean() * ent(eta[~left].mean())
    e_noisy = rho + (1 - 2 * rho) * eta
    h_noisy = left.mean() * ent(e_noisy[left].mean()) + (~left).mean() * ent(e_noisy[~left].mean())
    assert abs(h_noisy - (ent(rho) + (1 - 2 * rho) ** 2 * h_clean)) > 1e-3


@pytest.mark.parametrize(
    "x, y, match",
    [
        ([0.0, 1.0], [0, 1, 1], "same positive length"),
        ([0.0, np.nan], [0, 1], "finite"),
        ([0.0, 1.0], [0, 2], "probabilities in"),
    ],
)
def test_split_gini_bad_input(x, y, match):
    with pytest.raises(ValueError, match=match):
        split_gini(x, y, 0.5)
