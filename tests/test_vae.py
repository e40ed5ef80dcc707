"""Tests for ConditionalVAE: determinism, the training budget as quality knob, label control, errors."""

import numpy as np
import pytest
import torch

from synutil.datasets import load_digits_data
from synutil.generators import SyntheticGenerator
from synutil.generators.vae import ConditionalVAE


@pytest.fixture(scope="module")
def digits():
    data = load_digits_data()
    idx = np.random.default_rng(0).permutation(len(data.y))[:600]
    return data.X[idx], data.y[idx]


def small(**kw):
    return ConditionalVAE(**{"latent_dim": 4, "hidden": 64, "epochs": 3, "random_state": 0, "n_threads": 1, **kw})


def test_same_seed_same_samples(digits):
    X, y = digits
    a, b = small().fit(X, y), small().fit(X, y)
    assert a.history_ == b.history_
    np.testing.assert_array_equal(a.sample(20, random_state=1)[0], b.sample(20, random_state=1)[0])
    c = small(random_state=1).fit(X, y)
    assert not np.array_equal(a.sample(20, random_state=1)[0], c.sample(20, random_state=1)[0])
    assert isinstance(a, SyntheticGenerator)


def test_budget_lowers_training_loss(digits):
    X, y = digits
    short, long = small(epochs=2).fit(X, y), small(epochs=25).fit(X, y)
    assert len(long.history_) == 25
    assert long.history_[-1] < short.history_[-1] - 2.0
    # the first two epochs of the long run are the short run (same seed, same stream)
    np.testing.assert_allclose(long.history_[:2], short.history_)


def test_labels_and_output_range(digits):
    X, y = digits
    vae = small(epochs=20, batch_size=32, lr=3e-3).fit(X, y)
    Xs, ys = vae.sample(2000, random_state=0)
    assert Xs.shape == (2000, 64) and Xs.min() >= 0.0 and Xs.max() <= 1.0
    np.testing.assert_allclose(np.bincount(ys, minlength=10) / 2000, np.bincount(y, minlength=10) / len(y), atol=0.03)
    _, fixed = vae.sample(3, random_state=0, labels=[7, 7, 2])
    assert fixed.tolist() == [7, 7, 2]
    # conditioning works: class means of synthetic images are closest to the matching real class means
    real_means = np.stack([X[y == c].mean(0) for c in range(10)])
    syn_means = np.stack([Xs[ys == c].mean(0) for c in range(10)])
    dist = ((syn_means[:, None] - real_means[None]) ** 2).sum(-1)
    assert (dist.argmin(1) == np.arange(10)).all()


def test_gaussian_likelihood_and_progress(digits):
    X, y = digits
    vae = small(likelihood="gaussian", epochs=5, progress=True).fit(X, y)
    assert vae.history_[-1] < vae.history_[0]
    assert np.isfinite(vae.sample(5, random_state=0)[0]).all()


def test_torch_state_untouched(digits):
    X, y = digits
    torch.manual_seed(5)
    expected = torch.rand(2)
    torch.manual_seed(5)
    small(epochs=1).fit(X, y)
    assert torch.equal(torch.rand(2), expected)


def test_errors(digits):
    X, y = digits
    vae = small()
    with pytest.raises(ValueError, match="not fitted"):
        vae.sample(2)
    with pytest.raises(ValueError, match=r"must lie in \[0, 1\]"):
        vae.fit(X * 16, y)
    with pytest.raises(ValueError, match="needs labels"):
        vae.fit(X)
    with pytest.raises(ValueError, match="one label per row"):
        vae.fit(X, y[:-1])
    with pytest.raises(ValueError, match="NaN"):
        vae.fit(np.where(X > 0.9, np.nan, X), y)
    with pytest.raises(ValueError, match="epochs must be a positive integer"):
        small(epochs=0).fit(X, y)
    with pytest.raises(ValueError, match="likelihood"):
        small(likelihood="poisson").fit(X, y)
    with pytest.raises(ValueError, match="beta"):
        small(beta=-1.0).fit(X, y)
    vae.fit(X, y)
    with pytest.raises(ValueError, match="not seen in fit"):
        vae.sample(2, labels=[0, 11])
    with pytest.raises(ValueError, match="one label per row"):
        vae.sample(2, labels=[0])
    with pytest.raises(ValueError, match="positive number of rows"):
        vae.sample(0)
    with pytest.raises(ValueError, match="label first"):
        vae.sample_features(2, np.random.default_rng(0))
    with pytest.raises(ValueError, match="cannot label given"):
        vae.sample_responses(X, np.random.default_rng(0))


def test_snapshots_equal_separate_fits(digits):
    X, y = digits
    long = small(epochs=6, snapshot_epochs=(2, 4)).fit(X, y)
    assert sorted(long.snapshots_) == [2, 4]
    for e in (2, 4, 6):
        alone = small(epochs=e).fit(X, y)
        snap = long.at_epoch(e)
        assert snap.epochs == e and snap.history_ == alone.history_
        np.testing.assert_array_equal(snap.sample(30, random_state=2)[0], alone.sample(30, random_state=2)[0])
    # the snapshot is a copy: the original keeps its final weights
    np.testing.assert_array_equal(long.sample(5, random_state=0)[0], long.at_epoch(6).sample(5, random_state=0)[0])
    with pytest.raises(ValueError, match="no snapshot after epoch 3"):
        long.at_epoch(3)
    with pytest.raises(ValueError, match="exceeds epochs"):
        small(epochs=3, snapshot_epochs=(5,)).fit(X, y)
    with pytest.raises(ValueError, match="snapshot_epochs"):
        small(epochs=3, snapshot_epochs=(0,)).fit(X, y)


def test_loss_terms_match_an_independent_computation(digits):
    from scipy import stats

    X, y = digits
    vae = small(epochs=15, batch_size=64).fit(X, y)
    rec, kl = vae.loss_terms(X, y, random_state=0)
    assert rec.shape == kl.shape == (len(X),) and np.all(kl >= 0)
    np.testing.assert_array_equal(rec, vae.loss_terms(X, y, random_state=0)[0])  # seeded
    mu, logvar = vae.encode(X, y)
    assert mu.shape == logvar.shape == (len(X), 4)
    # closed-form KL and a Monte Carlo estimate from scipy's normal densities
    np.testing.assert_allclose(kl, 0.5 * (mu**2 + np.exp(logvar) - 1 - logvar).sum(1), rtol=1e-4, atol=1e-5)
    rng = np.random.default_rng(1)
    sd = np.exp(0.5 * logvar)
    z = mu + sd * rng.standard_normal(mu.shape)
    p = np.clip(vae.decode(z, y), 1e-7, 1 - 1e-7)
    rec_mc = -(X * np.log(p) + (1 - X) * np.log1p(-p)).sum(1)
    kl_mc = (stats.norm.logpdf(z, mu, sd) - stats.norm.logpdf(z)).sum(1)
    for diff in (rec - rec_mc, kl - kl_mc):
        assert abs(diff.mean()) < 4 * diff.std(ddof=1) / np.sqrt(len(diff)) + 1e-6
    # the training loss of the last epoch is close to the evaluation-mode negative ELBO
    assert abs(vae.history_[-1] - (rec + kl).mean()) < 0.05 * vae.history_[-1]
    with pytest.raises(ValueError, match="z must have shape"):
        vae.decode(np.zeros((2, 3)), [0, 1])
    with pytest.raises(ValueError, match="X must have shape"):
        vae.encode(X[:, :10], y)
    gaussian = small(likelihood="gaussian", epochs=2).fit(X, y)
    assert np.all(np.isfinite(gaussian.loss_terms(X[:5], y[:5], random_state=0)[0]))
