"""Tests for the sklearn-style torch classifiers: interface, determinism, accuracy, input checks."""

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from synutil.datasets import load_digits_data
from synutil.sim.torch_models import SmallCNNClassifier, TorchMLPClassifier


@pytest.fixture(scope="module")
def digits():
    data = load_digits_data()
    idx = np.random.default_rng(0).permutation(len(data.y))
    return data.X[idx[:800]], data.y[idx[:800]], data.X[idx[800:1300]], data.y[idx[800:1300]]


FAST = {"TorchMLPClassifier": dict(hidden=(32,), epochs=60, random_state=0, n_threads=1),
        "SmallCNNClassifier": dict(channels=(8,), hidden=32, epochs=30, batch_size=200, random_state=0, n_threads=1)}


@pytest.mark.parametrize("cls", [TorchMLPClassifier, SmallCNNClassifier])
def test_learns_digits_and_is_deterministic(digits, cls):
    Xtr, ytr, Xte, yte = digits
    a = cls(**FAST[cls.__name__]).fit(Xtr, ytr)
    b = cls(**FAST[cls.__name__]).fit(Xtr, ytr)
    assert a.score(Xte, yte) > 0.88
    np.testing.assert_array_equal(a.predict_proba(Xte), b.predict_proba(Xte))
    c = cls(**{**FAST[cls.__name__], "random_state": 1}).fit(Xtr, ytr)
    assert not np.array_equal(a.predict_proba(Xte), c.predict_proba(Xte))
    proba = a.predict_proba(Xte)
    assert proba.shape == (len(Xte), 10)
    np.testing.assert_allclose(proba.sum(1), 1.0, atol=1e-6)
    np.testing.assert_array_equal(a.predict(Xte), a.classes_[proba.argmax(1)])
    assert a.loss_curve_[-1] < a.loss_curve_[0]


def test_sklearn_interface_and_string_labels():
    X, y = make_classification(200, 5, random_state=0)
    labels = np.array(["no", "yes"])[y]
    clf = TorchMLPClassifier(hidden=(8, 8), epochs=100, random_state=0, n_threads=1)
    params = clf.get_params()
    assert params["hidden"] == (8, 8) and params["epochs"] == 100
    twin = clone(clf)
    assert twin.get_params() == params and not hasattr(twin, "model_")
    clf.fit(X, labels)
    assert clf.classes_.tolist() == ["no", "yes"]
    assert set(clf.predict(X)) <= {"no", "yes"}
    # close to logistic regression on a (nearly) linear problem
    assert clf.score(X, labels) >= LogisticRegression().fit(X, labels).score(X, labels) - 0.05
    np.testing.assert_array_equal(twin.fit(X, labels).predict_proba(X), clf.predict_proba(X))


def test_global_torch_state_untouched():
    X, y = make_classification(50, 3, n_informative=2, n_redundant=0, random_state=0)
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    threads = torch.get_num_threads()
    TorchMLPClassifier(epochs=2, random_state=0, n_threads=1).fit(X, y)
    assert torch.equal(torch.rand(3), expected)
    assert torch.get_num_threads() == threads


def test_minibatches_and_cnn_on_other_shapes():
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(60, 12))
    y = (X[:, 0] > 0.5).astype(int)
    cnn = SmallCNNClassifier(image_shape=(3, 4), channels=4, hidden=8, epochs=3, batch_size=16,
                             random_state=0, n_threads=1).fit(X, y)
    assert cnn.predict(X).shape == (60,)
    mlp = TorchMLPClassifier(hidden=4, epochs=2, batch_size=7, random_state=0, n_threads=1).fit(X, y)
    assert len(mlp.loss_curve_) == 2


def test_input_errors():
    X, y = np.random.default_rng(0).uniform(size=(20, 64)), np.arange(20) % 2
    clf = TorchMLPClassifier(epochs=1, random_state=0)
    with pytest.raises(ValueError, match="not fitted"):
        clf.predict(X)
    with pytest.raises(ValueError, match="NaN"):
        clf.fit(np.where(X > 0.99, np.nan, X), y)
    with pytest.raises(ValueError, match="one label per row"):
        clf.fit(X, y[:-1])
    with pytest.raises(ValueError, match="single class"):
        clf.fit(X, np.zeros(20))
    with pytest.raises(ValueError, match="NaN or infinite labels"):
        clf.fit(X, np.r_[np.nan, np.arange(19) % 2.0])
    with pytest.raises(ValueError, match="epochs must be a positive integer"):
        TorchMLPClassifier(epochs=0).fit(X, y)
    with pytest.raises(ValueError, match="lr must be a positive number"):
        TorchMLPClassifier(lr=-1.0).fit(X, y)
    with pytest.raises(ValueError, match="weight_decay"):
        TorchMLPClassifier(weight_decay=-1.0).fit(X, y)
    with pytest.raises(ValueError, match="batch_size"):
        TorchMLPClassifier(batch_size=0).fit(X, y)
    with pytest.raises(ValueError, match="hidden width"):
        TorchMLPClassifier(hidden=(0,)).fit(X, y)
    with pytest.raises(ValueError, match="n_threads"):
        TorchMLPClassifier(n_threads=0).fit(X, y)
    clf.fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features but TorchMLPClassifier was fitted on 64"):
        clf.predict(X[:, :3])
    with pytest.raises(ValueError, match="image_shape=\\(8, 8\\) needs 64"):
        SmallCNNClassifier(epochs=1).fit(X[:, :10], y)
    with pytest.raises(ValueError, match="image_shape must be"):
        SmallCNNClassifier(image_shape=(64,), epochs=1).fit(X, y)
