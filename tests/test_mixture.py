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


def test_unclipped_draws_match_class_moments_in_pca_space():
    """EM's M-step reproduces each class's mean and (divisor n_c) covariance of the principal scores."""
    from synutil.datasets import load_digits_data

    data = load_digits_data()
    X, y = data.X[:1000], data.y[:1000]
    for n_pca, n_mix in [(3, 1), (20, 3)]:
        gen = ClassConditionalGaussianMixture(n_pca, n_mix, random_state=0).fit(X, y)
        Z = gen.pca_.transform(X)
        for c in (0, 7):
            gm = gen.mixtures_[c]
            mean = gm.weights_ @ gm.means_
            second = sum(w * (S + np.outer(m, m)) for w, S, m in zip(gm.weights_, gm.covariances_, gm.means_))
            np.testing.assert_allclose(mean, Z[y == c].mean(0), atol=1e-10)
            np.testing.assert_allclose(second - np.outer(mean, mean),
                                       np.cov(Z[y == c].T, bias=True) + 1e-4 * np.eye(n_pca), atol=1e-10)
        Xs, ys = gen.sample(30_000, random_state=1, clip=False)
        # unclipped draws lie in the principal subspace and have the class means there
        resid = (Xs - gen.pca_.mean_) - gen.pca_.inverse_transform(gen.pca_.transform(Xs)) + gen.pca_.mean_
        assert np.abs(resid).max() < 1e-10
        Zs = gen.pca_.transform(Xs)
        for c in (0, 7):
            se = Zs[ys == c].std(0) / np.sqrt((ys == c).sum())
            assert np.all(np.abs(Zs[ys == c].mean(0) - Z[y == c].mean(0)) < 5 * se)
    clipped, _ = gen.sample(500, random_state=1)
    unclipped, _ = gen.sample(500, random_state=1, clip=False)
    np.testing.assert_allclose(clipped, np.clip(unclipped, X.min(0), X.max(0)))
    assert unclipped.min() < 0.0  # clipping does something on digits


def test_flip_labels_rate_and_affine_error():
    from synutil.generators import flip_labels

    rng = np.random.default_rng(0)
    y = rng.integers(0, 10, size=200_000)
    noisy = flip_labels(y, 0.3, classes=np.arange(10), random_state=1)
    changed = noisy != y
    assert abs(changed.mean() - 0.3) < 4 * np.sqrt(0.3 * 0.7 / y.size)
    # a changed label is uniform over the nine other classes
    offsets = (noisy[changed] - y[changed]) % 10
    counts = np.bincount(offsets, minlength=10)
    assert counts[0] == 0
    expected = changed.sum() / 9
    assert np.all(np.abs(counts[1:] - expected) < 5 * np.sqrt(expected))
    # error of a fixed classifier against noisy labels: rho + (1 - K rho / (K - 1)) R
    h = np.where(rng.uniform(size=y.size) < 0.2, (y + 1) % 10, y)  # wrong on 20% of the rows
    R = np.mean(h != y)
    assert abs(np.mean(h != noisy) - (0.3 + (1 - 10 * 0.3 / 9) * R)) < 0.005
    # labels of any type, same seed same labels, rho = 0 and 1
    words = np.array(["cat", "dog", "emu"])[rng.integers(0, 3, size=50)]
    np.testing.assert_array_equal(flip_labels(words, 0.5, random_state=3), flip_labels(words, 0.5, random_state=3))
    np.testing.assert_array_equal(flip_labels(words, 0.0, random_state=3), words)
    assert np.all(flip_labels(words, 1.0, random_state=3) != words)


def test_flip_labels_errors():
    from synutil.generators import flip_labels

    with pytest.raises(ValueError, match="one-dimensional"):
        flip_labels(np.zeros((2, 2)), 0.1)
    with pytest.raises(ValueError, match="probability"):
        flip_labels([0, 1], 1.5)
    with pytest.raises(ValueError, match="at least two classes"):
        flip_labels([1, 1, 1], 0.1)
    with pytest.raises(ValueError, match="not among classes"):
        flip_labels([0, 1, 5], 0.1, classes=[0, 1])
