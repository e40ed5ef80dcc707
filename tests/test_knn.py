"""Tests of synutil.sim.knn: batched k-NN regression and plug-in classification against scikit-learn."""

import numpy as np
import pytest
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

from synutil.sim.knn import knn_classify, knn_predict, knn_rate_neighbors


def _data(R, n, p, N, seed, shared=True):
    rng = np.random.default_rng(seed)
    X = rng.uniform(size=(R, n, p))
    y = np.sin(4 * X.sum(axis=-1)) + rng.normal(size=(R, n))
    shape = (N, p) if shared else (R, N, p)
    Q = rng.uniform(-0.2, 1.2, size=shape)  # queries also outside the training range
    return X, y, Q


@pytest.mark.parametrize("p", [1, 2, 3])
@pytest.mark.parametrize("k", [1, 6, 37])
@pytest.mark.parametrize("shared", [True, False])
def test_batched_equals_sklearn(p, k, shared):
    X, y, Q = _data(R=4, n=120, p=p, N=90, seed=p * 100 + k, shared=shared)
    fast = knn_predict(X, y, Q, n_neighbors=k)
    brute = knn_predict(X, y, Q, n_neighbors=k, algorithm="brute", working_memory=0.01)  # many blocks
    ref = np.stack(
        [KNeighborsRegressor(n_neighbors=k).fit(X[r], y[r]).predict(Q if shared else Q[r]) for r in range(4)]
    )
    assert fast.shape == (4, 90)
    assert np.allclose(fast, ref, rtol=0, atol=1e-12)
    assert np.allclose(brute, ref, rtol=0, atol=1e-12)
    assert np.allclose(knn_predict(X, y, Q, n_neighbors=k, method="sklearn"), ref, rtol=0, atol=0)


def test_k_equal_n_gives_the_mean_and_k_one_interpolates():
    X, y, Q = _data(R=3, n=40, p=1, N=10, seed=0)
    for algorithm in ("auto", "brute"):
        out = knn_predict(X, y, Q, n_neighbors=40, algorithm=algorithm)
        assert np.allclose(out, y.mean(axis=1, keepdims=True))
    # 1-NN at the training points returns the training responses
    for p in (1, 2):
        X, y, _ = _data(R=2, n=30, p=p, N=1, seed=p)
        assert np.allclose(knn_predict(X, y, X, n_neighbors=1), y)


def test_single_replication_shapes():
    X, y, Q = _data(R=1, n=50, p=1, N=8, seed=3)
    out = knn_predict(X[0], y[0], Q[:, 0], n_neighbors=5)  # 1-D queries read as one feature
    assert out.shape == (8,)
    assert np.allclose(out, KNeighborsRegressor(n_neighbors=5).fit(X[0], y[0]).predict(Q))


def test_one_dimensional_ties_keep_the_smaller_feature():
    X = np.array([[0.0], [1.0], [2.0]])
    y = np.array([10.0, 20.0, 30.0])
    # 1.5 is as far from 1 as from 2; 0.5 as far from 0 as from 1: the smaller point is kept
    assert knn_predict(X, y, np.array([[1.5], [0.5]]), n_neighbors=1).tolist() == [20.0, 10.0]
    assert knn_predict(X, y, np.array([[1.0]]), n_neighbors=2).tolist() == [15.0]


def test_replications_are_independent():
    X, y, Q = _data(R=5, n=60, p=2, N=20, seed=7)
    full = knn_predict(X, y, Q, n_neighbors=4)
    assert np.allclose(full[2], knn_predict(X[2], y[2], Q, n_neighbors=4))


def test_knn_classify_matches_sklearn_for_odd_k_and_sends_ties_to_one():
    rng = np.random.default_rng(5)
    for p in (1, 2):
        X = rng.uniform(size=(3, 200, p))
        labels = (rng.uniform(size=(3, 200)) < X[..., 0]).astype(int)
        Q = rng.uniform(size=(100, p))
        out = knn_classify(X, labels, Q, n_neighbors=7)
        ref = np.stack([KNeighborsClassifier(n_neighbors=7).fit(X[r], labels[r]).predict(Q) for r in range(3)])
        assert np.array_equal(out, ref)
    X = np.array([[0.0], [1.0]])
    assert knn_classify(X, np.array([0, 1]), np.array([[0.4]]), n_neighbors=2).tolist() == [1]


def test_knn_rate_neighbors():
    assert knn_rate_neighbors(1, 1) == 1
    assert knn_rate_neighbors(1000, 1) == 100
    assert knn_rate_neighbors(10_000, 2) == 100
    assert knn_rate_neighbors(2, 1) == 2  # round(2^(2/3)) = 2, capped at N
    assert knn_rate_neighbors(np.array([100, 400]), 2).tolist() == [10, 20]


def test_rate_of_the_excess_risk_in_one_dimension():
    # with k = N^{2/3} and eta Lipschitz the excess risk falls like N^{-2/3} (the book's k-NN rate theorem)
    rng = np.random.default_rng(11)
    Q = np.linspace(0, 1, 2001)[:, None]
    sizes = np.array([200, 800, 3200])
    excess = []
    for N in sizes:
        X = rng.uniform(size=(40, N, 1))
        y = np.sin(2 * np.pi * X[..., 0]) + rng.normal(size=(40, N))
        f = knn_predict(X, y, Q, n_neighbors=knn_rate_neighbors(N, 1))
        excess.append(np.mean((f - np.sin(2 * np.pi * Q[:, 0])) ** 2))
    slope = np.polyfit(np.log(sizes), np.log(excess), 1)[0]
    assert abs(slope + 2 / 3) < 0.15


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(X_train=np.zeros((2, 5, 1)), y_train=np.zeros((2, 4)), X_query=np.zeros((3, 1)), n_neighbors=1),
         r"y_train must have shape \(R, n\)"),
        (dict(X_train=np.zeros(5), y_train=np.zeros(5), X_query=np.zeros((3, 1)), n_neighbors=1),
         "X_train must have shape"),
        (dict(X_train=np.zeros((5, 1)), y_train=np.zeros((5, 1)), X_query=np.zeros((3, 1)), n_neighbors=1),
         "y_train must be 1-D"),
        (dict(X_train=np.zeros((2, 5, 2)), y_train=np.zeros((2, 5)), X_query=np.zeros((3, 1)), n_neighbors=1),
         "X_query has 1 feature"),
        (dict(X_train=np.zeros((2, 5, 1)), y_train=np.zeros((2, 5)), X_query=np.zeros((3, 3, 1)), n_neighbors=1),
         "3-D X_query must have shape"),
        (dict(X_train=np.zeros((2, 5, 1)), y_train=np.zeros((2, 5)), X_query=np.zeros(3), n_neighbors=1),
         "X_query must have shape"),
        (dict(X_train=np.zeros((2, 5, 1)), y_train=np.zeros((2, 5)), X_query=np.zeros((3, 1)), n_neighbors=6),
         "n_neighbors must lie between 1"),
        (dict(X_train=np.zeros((2, 5, 1)), y_train=np.zeros((2, 5)), X_query=np.zeros((3, 1)), n_neighbors=2.5),
         "n_neighbors must be a positive integer"),
        (dict(X_train=np.full((2, 5, 1), np.nan), y_train=np.zeros((2, 5)), X_query=np.zeros((3, 1)), n_neighbors=1),
         "X_train contains NaN"),
        (dict(X_train=[["a"]], y_train=[1.0], X_query=[[0.0]], n_neighbors=1), "must be numeric"),
        (dict(X_train=np.zeros((2, 5, 1)), y_train=np.zeros((2, 5)), X_query=np.zeros((3, 1)), n_neighbors=1,
              method="tree"), "method must be 'batched' or 'sklearn'"),
        (dict(X_train=np.zeros((2, 5, 1)), y_train=np.zeros((2, 5)), X_query=np.zeros((3, 1)), n_neighbors=1,
              algorithm="kd"), "algorithm must be 'auto' or 'brute'"),
        (dict(X_train=np.zeros((2, 5, 1)), y_train=np.zeros((2, 5)), X_query=np.zeros((3, 1)), n_neighbors=1,
              algorithm="brute", working_memory=0), "working_memory must be a positive"),
    ],
)
def test_knn_predict_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        knn_predict(**kwargs)


def test_bad_labels_and_rate_arguments():
    with pytest.raises(ValueError, match="binary 0/1 labels"):
        knn_classify(np.zeros((4, 1)), np.array([0, 1, 2, 1]), np.zeros((1, 1)), n_neighbors=1)
    with pytest.raises(ValueError, match="N must be a positive integer"):
        knn_rate_neighbors(0, 1)
    with pytest.raises(ValueError, match="N must be a positive integer"):
        knn_rate_neighbors(10.5, 1)
    with pytest.raises(ValueError, match="p must be a positive integer"):
        knn_rate_neighbors(10, 0)
