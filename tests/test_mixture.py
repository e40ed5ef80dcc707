"""Tests for ClassConditionalGaussianMixture: label law, per-class laws, clipping, the quality knob, errors."""

import numpy as np
import pytest

from synutil.generators import SyntheticGenerator
from synutil.generators.mixture import ClassConditionalGaussianMixture


@pytest.fixture(scope="module")
def blobs():
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 0.0, 0.0], [5.0, 5.0, 0.0], [0.0, 5.0, 5.0]])
    y = np.repeat([0, 1, 2], [600, 300, 100])
    X = centres[y] + rng.normal(size=(1000, 3)) * [1.0, 0.5, 0.2]
    return X, y, centres


def test_is_a_generator_and_seeded(blobs):
    X, y, _ = blobs
    gen = ClassConditionalGaussianMixture(3, 1, random_state=0).fit(X, y)
    assert isinstance(gen, SyntheticGenerator)
    a, b = gen.sample(50, random_state=7), gen.sample(50, random_state=7)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], gen.sample(50, random_state=8)[0])


def test_label_law_and_class_means(blobs):
    X, y, centres = blobs
    gen = ClassConditionalGaussianMixture(3, 1, random_state=0).fit(X, y)
    np.testing.assert_allclose(gen.class_weights_, [0.6, 0.3, 0.1])
    Xs, ys = gen.sample(20_000, random_state=1)
    np.testing.assert_allclose(np.bincount(ys) / len(ys), [0.6, 0.3, 0.1], atol=0.015)
    for c in range(3):
        # full PCA + one Gaussian per class: each class's mean and covariance are recovered
        np.testing.assert_allclose(Xs[ys == c].mean(0), X[y == c].mean(0), atol=0.1)
        np.testing.assert_allclose(np.cov(Xs[ys == c].T), np.cov(X[y == c].T), atol=0.1)


def test_matches_sklearn_mixture_in_pca_space(blobs):
    from sklearn.decomposition import PCA

    X, y, _ = blobs
    gen = ClassConditionalGaussianMixture(2, 2, random_state=0).fit(X, y)
    pca = PCA(2).fit(X)
    np.testing.assert_allclose(np.abs(gen.pca_.components_), np.abs(pca.components_), atol=1e-8)
    gm = gen.mixtures_[1]
    Z = gen.pca_.transform(X[y == 1])
    np.testing.assert_allclose(gm.weights_ @ gm.means_, Z.mean(0), atol=1e-6)


def test_class_proportions_and_labels(blobs):
    X, y, _ = blobs
    gen = ClassConditionalGaussianMixture(3, 1, class_proportions={2: 1.0}, random_state=0).fit(X, y)
    assert set(gen.sample(100, random_state=0)[1].tolist()) == {2}
    gen = ClassConditionalGaussianMixture(3, 1, class_proportions=[1, 1, 2], random_state=0).fit(X, y)
    np.testing.assert_allclose(gen.class_weights_, [0.25, 0.25, 0.5])
    _, ys = gen.sample(3, random_state=0, labels=[1, 0, 1])
    assert ys.tolist() == [1, 0, 1]


def test_clipped_to_data_range(blobs):
    X, y, _ = blobs
    Xs, _ = ClassConditionalGaussianMixture(3, 1, random_state=0).fit(X, y).sample(5000, random_state=0)
    assert np.all(Xs >= X.min(0)) and np.all(Xs <= X.max(0))


def test_quality_knob_on_digits():
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    from synutil.datasets import load_digits_data

    data = load_digits_data()
    rng = np.random.default_rng(0)
    idx = rng.permutation(len(data.y))
    tr, te = idx[:1000], idx[1000:]
    errors = []
    for n_pca, n_mix in [(2, 1), (20, 3)]:
        gen = ClassConditionalGaussianMixture(n_pca, n_mix, random_state=0).fit(data.X[tr], data.y[tr])
        Xs, ys = gen.sample(1000, random_state=0)
        with threadpool_limits(1):
            clf = LogisticRegression(max_iter=500).fit(Xs, ys)
        errors.append(1 - clf.score(data.X[te], data.y[te]))
    assert errors[1] < errors[0] - 0.2  # a 2-D PCA loses most of the digits' information


def test_missing_class_is_fine(blobs):
    X, y, _ = blobs
    keep = y != 1
    gen = ClassConditionalGaussianMixture(3, 1, random_state=0).fit(X[keep], y[keep])
    assert gen.classes_.tolist() == [0, 2]
    assert set(gen.sample(200, random_state=0)[1].tolist()) == {0, 2}


def test_errors(blobs):
    X, y, _ = blobs
    gen = ClassConditionalGaussianMixture(3, 2)
    with pytest.raises(ValueError, match="not fitted"):
        gen.sample(3)
    with pytest.raises(ValueError, match="fewer rows than n_mixture_components=2"):
        gen.fit(X[:11], np.r_[np.zeros(10), 1])
    with pytest.raises(ValueError, match="needs labels"):
        gen.fit(X)
    with pytest.raises(ValueError, match="one label per row"):
        gen.fit(X, y[:-1])
    with pytest.raises(ValueError, match="NaN"):
        gen.fit(np.where(X > 6, np.nan, X), y)
    with pytest.raises(ValueError, match="covariance_type"):
        ClassConditionalGaussianMixture(covariance_type="round").fit(X, y)
    with pytest.raises(ValueError, match="must be positive"):
        ClassConditionalGaussianMixture(0, 1).fit(X, y)
    with pytest.raises(ValueError, match="one weight per class"):
        ClassConditionalGaussianMixture(3, 1, class_proportions=[1, 2]).fit(X, y)
    with pytest.raises(ValueError, match="not in y"):
        ClassConditionalGaussianMixture(3, 1, class_proportions={7: 1.0}).fit(X, y)
    with pytest.raises(ValueError, match="non-negative"):
        ClassConditionalGaussianMixture(3, 1, class_proportions=[1, -1, 1]).fit(X, y)
    gen.fit(X, y)
    with pytest.raises(ValueError, match="positive number of rows"):
        gen.sample(0)
    with pytest.raises(ValueError, match="not seen in fit"):
        gen.sample(2, labels=[0, 9])
    with pytest.raises(ValueError, match="one label per row"):
        gen.sample(3, labels=[0, 1])
    with pytest.raises(ValueError, match="samples? the label first|draws the label first"):
        gen.sample_features(3, np.random.default_rng(0))
    with pytest.raises(ValueError, match="cannot label given images"):
        gen.sample_responses(X, np.random.default_rng(0))


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_covariance_types(blobs, covariance_type):
    X, y, _ = blobs
    gen = ClassConditionalGaussianMixture(3, 2, covariance_type=covariance_type, random_state=0).fit(X, y)
    Xs, ys = gen.sample(5000, random_state=0)
    np.testing.assert_allclose(Xs[ys == 0].mean(0), X[y == 0].mean(0), atol=0.1)
