"""Tests for the DP histogram generator against closed forms and independent computations: the Laplace noise's law
(scale 2/epsilon for replace-one, 1/epsilon for add/remove-one, KS against scipy), the privacy ratio of two
neighbouring datasets, the released eta tending to the true share as epsilon grows, the sampler's law, the exact
flip probabilities (against a direct multinomial sum) and the low-noise constants (against quadrature)."""

import itertools

import numpy as np
import pytest
from scipy import integrate, stats

from synutil.generators import DPHistogramGenerator, SyntheticGenerator
from synutil.bounds.privacy import (
    binned_classification_law,
    dp_histogram_excess_risk,
    dp_histogram_flip_probability,
    dp_low_noise_bound,
    dp_low_noise_constant,
    dp_low_noise_excess,
    dp_margin_scale,
)
from synutil.generators.dp_histogram import (
    histogram_sensitivity,
    laplace_difference_sf,
    laplace_mechanism,
)
from synutil.sim.laws import MarginClassification


def _data(n=2000, seed=0):
    return MarginClassification(alpha=1.0).sample(n, random_state=seed)


def _true_counts(X, y, bins):
    edges = np.linspace(-1, 1, bins + 1)
    return np.histogram2d(X[:, 0], y, bins=[edges, [-0.5, 0.5, 1.5]])[0]


@pytest.mark.parametrize("neighbouring,scale", [("replace-one", 2.0), ("add-remove", 1.0)])
def test_noise_has_the_laplace_law(neighbouring, scale):
    epsilon = 0.8
    X, y = _data()
    gen = DPHistogramGenerator(epsilon=epsilon, bins=100, bounds=(-1, 1), neighbouring=neighbouring,
                               random_state=np.random.default_rng(3))
    true = _true_counts(X, y, 100)
    noise = np.concatenate([(gen.fit(X, y).noisy_counts_ - true).ravel() for _ in range(50)])   # 10,000 values
    theta = scale / epsilon
    assert gen.noise_scale_ == pytest.approx(theta, rel=1e-12)
    assert stats.kstest(noise, stats.laplace(scale=theta).cdf).pvalue > 1e-3
    # power: the other relation's scale and a Gaussian of the same variance are rejected
    other = (3 - scale) / epsilon
    assert stats.kstest(noise, stats.laplace(scale=other).cdf).pvalue < 1e-6
    assert stats.kstest(noise, stats.norm(scale=np.sqrt(2) * theta).cdf).pvalue < 1e-3
    se = theta / np.sqrt(len(noise))
    assert abs(np.mean(np.abs(noise)) - theta) <= 4 * se


def test_sensitivity_is_the_brute_force_maximum():
    pairs = [(c, y) for c in range(3) for y in range(2)]

    def table(rows):
        t = np.zeros((3, 2))
        for c, y in rows:
            t[c, y] += 1
        return t

    replace = max(np.abs(table(D) - table(D[:i] + (new,) + D[i + 1:])).sum()
                  for D in itertools.product(pairs, repeat=2) for i in range(2) for new in pairs)
    add = max(np.abs(table(D) - table(D[:i] + D[i + 1:])).sum() for D in itertools.product(pairs, repeat=2) for i in range(2))
    assert histogram_sensitivity() == replace == 2
    assert histogram_sensitivity(neighbouring="add-remove") == add == 1
    with pytest.raises(ValueError, match="neighbouring"):
        histogram_sensitivity(neighbouring="swap")


def test_neighbouring_datasets_privacy_ratio():
    """The worst event S = {n_A released >= n_A, n_B released <= n_B} has P_D(S)/P_D'(S) = e^epsilon."""
    epsilon, J = 1.0, 6000
    X, y = _data(40, seed=1)
    row = int(np.flatnonzero((y == 0) & (X[:, 0] < 0))[0])
    X2, y2 = X.copy(), y.copy()
    X2[row, 0], y2[row] = 0.9, 1                                   # move one row from (bin 0 or 1, 0) to (bin 3, 1)
    probe = DPHistogramGenerator(epsilon=epsilon, bins=4, bounds=(-1, 1), random_state=0).fit(X, y)
    A, B = int(probe.cell_index(X[[row]])[0]), 3
    true_D, true_D2 = _true_counts(X, y, 4), _true_counts(X2, y2, 4)
    assert np.abs(true_D - true_D2).sum() == 2
    freq = {}
    for name, (X_, y_), seed in [("D", (X, y), 10), ("D'", (X2, y2), 11)]:
        gen = DPHistogramGenerator(epsilon=epsilon, bins=4, bounds=(-1, 1), random_state=np.random.default_rng(seed))
        rel = np.stack([gen.fit(X_, y_).noisy_counts_ for _ in range(J)])
        freq[name] = np.mean((rel[:, A, 0] >= true_D[A, 0]) & (rel[:, B, 1] <= true_D[B, 1]))
        if name == "D":
            llr = np.sum(np.abs(rel - true_D2) - np.abs(rel - true_D), axis=(1, 2)) / gen.noise_scale_
            assert llr.max() == pytest.approx(epsilon, abs=1e-9)       # the density ratio is at most e^epsilon ...
            assert np.mean(np.isclose(llr, epsilon)) == pytest.approx(0.25, abs=4 * np.sqrt(0.1875 / J))   # ... attained
    p, q = freq["D"], freq["D'"]
    assert p == pytest.approx(0.25, abs=4 * np.sqrt(0.1875 / J))
    assert q == pytest.approx(0.25 * np.exp(-epsilon), abs=4 * np.sqrt(q * (1 - q) / J))
    se = np.sqrt((1 - p) / (p * J) + (1 - q) / (q * J))
    assert abs(np.log(p / q) - epsilon) <= 4 * se


def test_released_eta_tends_to_the_true_share():
    X, y = _data(5000, seed=2)
    true = _true_counts(X, y, 10)
    share = true[:, 1] / true.sum(axis=1)
    errors = []
    for epsilon in [0.01, 1.0, 1e9]:
        gen = DPHistogramGenerator(epsilon=epsilon, bins=10, bounds=(-1, 1), random_state=4).fit(X, y)
        errors.append(np.max(np.abs(gen.eta_ - share)))
    assert errors[2] < 1e-6
    assert errors[0] > errors[1] > errors[2]


def test_post_processing_and_weights():
    gen = DPHistogramGenerator(epsilon=0.05, bins=30, bounds=(-1, 1), random_state=5).fit(*_data(300, seed=3))
    noisy = gen.noisy_counts_
    total = noisy.sum(axis=1)
    assert np.any(total < 1)                                        # the floor of the denominator is exercised
    np.testing.assert_allclose(gen.eta_, np.clip(0.5 + (noisy[:, 1] - noisy[:, 0]) / (2 * np.maximum(total, 1)), 0, 1))
    np.testing.assert_array_equal(gen.eta_ >= 0.5, noisy[:, 1] >= noisy[:, 0])
    ok = (noisy >= 0).all(axis=1) & (total >= 1)
    np.testing.assert_allclose(gen.eta_[ok], noisy[ok, 1] / total[ok])
    np.testing.assert_allclose(gen.cell_weights_, np.maximum(total, 0) / np.maximum(total, 0).sum())


def test_sampler_draws_from_the_released_histogram():
    X, y = _data(20_000, seed=6)
    gen = DPHistogramGenerator(epsilon=0.5, bins=8, bounds=(-1, 1), random_state=7).fit(X, y)
    m = 200_000
    Xs, ys = gen.sample(m, random_state=8)
    assert Xs.shape == (m, 1) and set(np.unique(ys)) <= {0, 1}
    cells = gen.cell_index(Xs)
    k = np.bincount(cells, minlength=8)
    chi2 = np.sum((k - m * gen.cell_weights_) ** 2 / (m * gen.cell_weights_))
    assert stats.chi2(7).sf(chi2) > 1e-4
    ones = np.bincount(cells, weights=ys, minlength=8)
    z = (ones - k * gen.eta_) / np.sqrt(k * gen.eta_ * (1 - gen.eta_))
    assert np.all(np.abs(z) < 4.5)
    offsets = (Xs[:, 0] + 1) / 0.25 - cells
    assert stats.kstest(offsets, "uniform").pvalue > 1e-3
    X1, y1 = gen.sample(50, random_state=9)
    X2, y2 = gen.sample(50, random_state=9)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert isinstance(gen, SyntheticGenerator)
    np.testing.assert_array_equal(gen.predict(Xs[:100]), (gen.eta_[cells[:100]] >= 0.5).astype(int))


def test_same_seed_same_release_and_generator_gives_fresh_noise():
    X, y = _data(500)
    a = DPHistogramGenerator(epsilon=1.0, bins=5, bounds=(-1, 1), random_state=1).fit(X, y).noisy_counts_
    b = DPHistogramGenerator(epsilon=1.0, bins=5, bounds=(-1, 1), random_state=1).fit(X, y).noisy_counts_
    np.testing.assert_array_equal(a, b)
    gen = DPHistogramGenerator(epsilon=1.0, bins=5, bounds=(-1, 1), random_state=np.random.default_rng(1))
    assert not np.array_equal(gen.fit(X, y).noisy_counts_, gen.fit(X, y).noisy_counts_)


def test_two_dimensional_bins():
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.uniform(0, 3, 4000), rng.uniform(-1, 1, 4000)])
    y = (X[:, 0] >= 2).astype(int)
    gen = DPHistogramGenerator(epsilon=1e9, bins=[3, 4], bounds=[(0, 3), (-1, 1)], random_state=0).fit(X, y)
    assert gen.n_cells_ == 12 and gen.noisy_counts_.shape == (12, 2)
    expected = np.ravel_multi_index((np.minimum(X[:, 0].astype(int), 2), np.minimum(((X[:, 1] + 1) * 2).astype(int), 3)),
                                    (3, 4))
    np.testing.assert_array_equal(gen.cell_index(X), expected)
    hist = np.histogramdd(np.column_stack([X, y]), bins=[[0, 1, 2, 3], np.linspace(-1, 1, 5), [-0.5, 0.5, 1.5]])[0]
    np.testing.assert_allclose(gen.noisy_counts_, hist.reshape(12, 2), atol=1e-6)
    Xs, ys = gen.sample(1000, random_state=1)
    assert Xs.shape == (1000, 2) and np.all((Xs >= [0, -1]) & (Xs <= [3, 1]))
    np.testing.assert_array_equal(ys, (Xs[:, 0] >= 2).astype(int))         # eta is 0 or 1 in each cell here
    assert gen.cell_index([[3.0, 1.0]])[0] == 11                              # the upper edge is in the last bin


def test_bad_input_raises_clear_errors():
    X, y = _data(50)
    for eps in [0, -1.0, np.nan, np.inf]:
        with pytest.raises(ValueError, match="epsilon"):
            DPHistogramGenerator(epsilon=eps, bins=4, bounds=(-1, 1))
    with pytest.raises(ValueError, match="bins"):
        DPHistogramGenerator(epsilon=1.0, bins=0, bounds=(-1, 1))
    with pytest.raises(ValueError, match="bins"):
        DPHistogramGenerator(epsilon=1.0, bins=2.5, bounds=(-1, 1))
    with pytest.raises(ValueError, match="bounds"):
        DPHistogramGenerator(epsilon=1.0, bins=4, bounds=(1, -1))
    gen = DPHistogramGenerator(epsilon=1.0, bins=4, bounds=(-1, 1))
    with pytest.raises(ValueError, match="NaN"):
        gen.fit(np.where(np.arange(50)[:, None] == 3, np.nan, X), y)
    with pytest.raises(ValueError, match="NaN"):
        gen.fit(X, np.where(np.arange(50) == 3, np.nan, y))
    with pytest.raises(ValueError, match="binary"):
        gen.fit(X, y + 1)
    with pytest.raises(ValueError, match="binary"):
        gen.fit(X, np.array(["a", "b"] * 25))
    with pytest.raises(ValueError, match="labels"):
        gen.fit(X)
    with pytest.raises(ValueError, match="one label per row"):
        gen.fit(X, y[:10])
    with pytest.raises(ValueError, match="outside the public bounds"):
        gen.fit(X * 2, y)
    with pytest.raises(ValueError, match="columns"):
        DPHistogramGenerator(epsilon=1.0, bins=[2, 2], bounds=(-1, 1)).fit(X, y)
    with pytest.raises(ValueError, match="not fitted"):
        DPHistogramGenerator(epsilon=1.0, bins=4, bounds=(-1, 1)).sample(5)
    with pytest.raises(ValueError, match="shape"):
        gen.fit_counts(np.ones((3, 2)))
    with pytest.raises(ValueError, match="non-negative integers"):
        gen.fit_counts(np.full((4, 2), 0.5))
    with pytest.raises(ValueError, match="positive number of rows"):
        gen.fit(X, y).sample(0)
    with pytest.raises(ValueError, match="sensitivity"):
        laplace_mechanism([1.0], sensitivity=0, epsilon=1.0)


def test_laplace_difference_sf_is_the_convolution_tail():
    lap = stats.laplace()
    for z in [-2.5, -0.3, 0.0, 0.8, 3.0]:
        tail = integrate.quad(lambda v: lap.pdf(v) * lap.sf(z + v), -np.inf, np.inf, epsabs=1e-13)[0]
        assert laplace_difference_sf(z) == pytest.approx(tail, abs=1e-9)
        assert laplace_difference_sf(3 * z, scale=3.0) == pytest.approx(tail, abs=1e-9)


@pytest.mark.parametrize("epsilon", [0.3, np.inf])
def test_flip_probability_equals_a_direct_multinomial_sum(epsilon):
    law = binned_classification_law(MarginClassification(alpha=2.0).eta, np.linspace(-1, 1, 7))
    n = 30
    pkg = dp_histogram_flip_probability(law.cell_probs, law.bayes_labels, n=n, epsilon=epsilon)
    for c, ((q0, q1), h) in enumerate(zip(law.cell_probs, law.bayes_labels)):
        total = 0.0
        for a, b in itertools.product(range(n + 1), repeat=2):      # a = n_{c,1}, b = n_{c,0}
            if a + b > n:
                continue
            p = stats.multinomial.pmf([a, b, n - a - b], n, [q1, q0, 1 - q0 - q1])
            z = (a - b) * (1 if h == 1 else -1)
            if np.isinf(epsilon):
                wrong = (a < b) if h == 1 else (a >= b)
            else:
                wrong = laplace_difference_sf(z * epsilon / 2)
            total += p * wrong
        assert pkg[c] == pytest.approx(total, abs=1e-11)


def test_excess_risk_matches_monte_carlo_through_fit_counts():
    law = binned_classification_law(MarginClassification(alpha=1.0).eta, np.linspace(-1, 1, 21))
    n, epsilon, J = 20 * 200, 0.3, 3000
    rng = np.random.default_rng(0)
    counts = rng.multinomial(n, law.cell_probs.ravel(), size=J).reshape(J, 20, 2)
    gen = DPHistogramGenerator(epsilon=epsilon, bins=20, bounds=(-1, 1), random_state=np.random.default_rng(1))
    excess = np.array([law.margin_weights @ ((gen.fit_counts(counts[j]).eta_ >= 0.5) != law.bayes_labels)
                       for j in range(J)])
    exact = dp_histogram_excess_risk(law, n=n, epsilon=epsilon)
    assert abs(excess.mean() - exact) <= 4 * excess.std(ddof=1) / np.sqrt(J)
    # the sampling noise matters here: the privacy-only value differs by many standard errors
    mean_only = dp_histogram_excess_risk(law, n=n, epsilon=epsilon, method="mean")
    assert abs(mean_only - exact) > 8 * excess.std(ddof=1) / np.sqrt(J)


@pytest.mark.parametrize("alpha", [0.5, 1.0, 2.0, 3.0])
def test_low_noise_constants_against_quadrature(alpha):
    def psi(u):
        return 0.5 * np.exp(-u) * (1 + u / 2)

    c = 2 * alpha * 2**alpha * integrate.quad(lambda u: u**alpha * psi(u), 0, np.inf)[0]
    assert dp_low_noise_constant(alpha) == pytest.approx(c, rel=1e-9)
    cbar = 2 * integrate.quad(lambda u: u**alpha * 0.25 * np.exp(-u) * abs(2 - u**2), np.sqrt(2), np.inf)[0]
    assert dp_low_noise_bound(0.02, alpha=alpha, C=1.5) == pytest.approx(cbar * 1.5 * 0.02 ** (1 + alpha), rel=1e-9)
    for zeta in [0.01, 0.2, 3.0]:
        e = integrate.quad(lambda t: 2 * t * float(laplace_difference_sf(t / zeta)) * alpha * 2**alpha * t ** (alpha - 1),
                           0, 0.5, points=[min(10 * zeta, 0.5)], limit=200)[0]
        assert dp_low_noise_excess(zeta, alpha=alpha) == pytest.approx(e, rel=1e-7)
        assert dp_low_noise_excess(zeta, alpha=alpha) <= dp_low_noise_bound(zeta, alpha=alpha, C=2**alpha)
    assert dp_low_noise_excess(1e-4, alpha=alpha) / (c * 1e-4 ** (1 + alpha)) == pytest.approx(1, rel=1e-9)
    assert dp_low_noise_excess(1e4, alpha=alpha) == pytest.approx(alpha / (2 * (1 + alpha)), rel=1e-3)


def test_margin_scale():
    assert dp_margin_scale(1e5, 2e-3) == pytest.approx(0.005)
    assert dp_margin_scale(1e5, 2e-3, neighbouring="add-remove") == pytest.approx(0.0025)
    with pytest.raises(ValueError, match="epsilon"):
        dp_margin_scale(10, 0)


def test_binned_law_against_closed_forms():
    alpha = 2.0
    edges = np.linspace(-1, 1, 9)
    law = binned_classification_law(MarginClassification(alpha=alpha).eta, edges)
    right = edges[1:] > 0
    a, b = np.abs(np.where(right, edges[:-1], edges[1:])), np.abs(np.where(right, edges[1:], edges[:-1]))
    w = (b ** 1.5 - a ** 1.5) / 3                                   # (1/2) int_a^b sqrt(x) dx
    np.testing.assert_allclose(law.margin_weights, w, atol=10 * law.quadrature_error + 1e-15)
    np.testing.assert_allclose(law.cell_probs[:, 1], (b - a) / 4 + np.where(right, 1, -1) * w / 2,
                               atol=10 * law.quadrature_error + 1e-15)
    np.testing.assert_array_equal(law.bayes_labels, right.astype(int))
    with pytest.raises(ValueError, match="changes inside"):
        binned_classification_law(MarginClassification(alpha=1.0).eta, np.linspace(-1, 1, 4))
