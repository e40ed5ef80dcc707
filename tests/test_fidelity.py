"""Tests of synutil.fidelity against scipy, POT, scikit-learn and direct O(n^2) references."""

import numpy as np
import ot
import pandas as pd
import pytest
from scipy import stats
from scipy.spatial.distance import cdist

from synutil.fidelity import (
    METRIC_INFO,
    classifier_two_sample_auc,
    ipm,
    median_bandwidth,
    mmd2,
    mmd_test,
    sliced_wasserstein,
    total_variation,
    wasserstein_1d,
)


def rng(seed=0):
    return np.random.default_rng(seed)


# ---------------------------------------------------------------- total variation
def test_tv_identical_and_disjoint():
    x = rng().integers(0, 5, size=200)
    assert total_variation(x, x) == 0.0
    assert total_variation(x, x + 10) == 1.0
    Z = rng().normal(size=(50, 2))
    assert total_variation(Z, Z[::-1]) == 0.0
    assert total_variation(Z, Z + 100, bins=5) == 1.0


def test_tv_discrete_closed_form_and_rows():
    # pmfs (0.5, 0.5, 0) and (0.25, 0.25, 0.5): TV = 0.5 * (0.25 + 0.25 + 0.5) = 0.5
    assert total_variation([0, 1, 0, 1], [0, 1, 2, 2]) == pytest.approx(0.5)
    # rows as tuples: (0,0),(0,1) vs (0,0),(1,0) -> half the mass moves
    assert total_variation([[0, 0], [0, 1]], [[0, 0], [1, 0]]) == pytest.approx(0.5)


def test_tv_binned_matches_histograms():
    x, y = rng(1).normal(size=500), rng(2).normal(0.5, 1.0, size=300)
    edges = np.histogram_bin_edges(np.r_[x, y], bins=12)
    p = np.histogram(x, edges)[0] / x.size
    q = np.histogram(y, edges)[0] / y.size
    assert total_variation(x, y, bins=12) == pytest.approx(0.5 * np.abs(p - q).sum(), abs=1e-12)
    assert total_variation(x, y, bins=edges) == pytest.approx(0.5 * np.abs(p - q).sum(), abs=1e-12)
    X, Y = rng(3).normal(size=(400, 2)), rng(4).normal(size=(300, 2)) + 0.3
    Z = np.vstack([X, Y])
    ed = [np.histogram_bin_edges(Z[:, j], bins=6) for j in range(2)]
    P = np.histogramdd(X, ed)[0] / 400
    Q = np.histogramdd(Y, ed)[0] / 300
    assert total_variation(X, Y, bins=6) == pytest.approx(0.5 * np.abs(P - Q).sum(), abs=1e-12)
    assert total_variation(X, Y, bins=ed) == pytest.approx(0.5 * np.abs(P - Q).sum(), abs=1e-12)
    common = np.linspace(-1.0, 1.0, 5)  # one array for every column; outside values go to the end bins
    Pc = np.histogramdd(np.clip(X, -1, 1), [common, common])[0] / 400
    Qc = np.histogramdd(np.clip(Y, -1, 1), [common, common])[0] / 300
    assert total_variation(X, Y, bins=common) == pytest.approx(0.5 * np.abs(Pc - Qc).sum(), abs=1e-12)


def test_tv_dataframes_matched_by_name():
    a = pd.DataFrame({"u": [0, 1, 1], "v": [1, 1, 0]})
    b = pd.DataFrame({"v": [1, 1, 0], "u": [0, 1, 1]})
    assert total_variation(a, b) == 0.0


# ---------------------------------------------------------------- Wasserstein
@pytest.mark.parametrize("n, m", [(100, 100), (137, 61), (1, 9), (500, 333)])
def test_wasserstein_1d_equals_scipy(n, m):
    x, y = rng(n).normal(size=n), rng(m + 1).exponential(size=m)
    assert abs(wasserstein_1d(x, y) - stats.wasserstein_distance(x, y)) < 1e-10


@pytest.mark.parametrize("n, m", [(100, 100), (37, 61)])
def test_wasserstein_1d_general_p_equals_pot(n, m):
    x, y = rng(n).normal(size=n), rng(m).normal(1.0, 2.0, size=m)
    for p in (1.5, 2, 3):
        ref = float(ot.wasserstein_1d(x, y, p=p)) ** (1 / p)
        assert abs(wasserstein_1d(x, y, p=p) - ref) < 1e-10


def test_wasserstein_1d_identical_and_shift():
    x = rng().normal(size=300)
    assert wasserstein_1d(x, x) == 0.0
    assert wasserstein_1d(x, x + 2.5, p=3) == pytest.approx(2.5, abs=1e-12)


def _direct_sliced(X, Y, theta, p):
    vals = []
    for t in theta.T:
        a, b = np.sort(X @ t), np.sort(Y @ t)
        if a.size == b.size:
            vals.append(np.mean(np.abs(a - b) ** p))
        else:  # exact W_p^p via fine quantile grid of the merged levels
            levels = np.union1d(np.arange(1, a.size + 1) / a.size, np.arange(1, b.size + 1) / b.size)
            w = np.diff(np.r_[0, levels])
            mid = levels - w / 2
            qa = a[np.minimum((mid * a.size).astype(int), a.size - 1)]
            qb = b[np.minimum((mid * b.size).astype(int), b.size - 1)]
            vals.append(np.sum(w * np.abs(qa - qb) ** p))
    return np.mean(vals) ** (1 / p)


@pytest.mark.parametrize("n, m, p", [(200, 200, 2), (150, 90, 2), (120, 120, 1), (80, 130, 1.5)])
def test_sliced_equals_direct_and_pot(n, m, p):
    X, Y = rng(1).normal(size=(n, 4)), rng(2).normal(size=(m, 4)) * 1.5 + 0.2
    theta = ot.sliced.get_random_projections(4, 32, seed=0)
    ours = sliced_wasserstein(X, Y, p=p, projections=theta)
    assert abs(ours - _direct_sliced(X, Y, theta, p)) < 1e-10
    assert abs(ours - float(ot.sliced_wasserstein_distance(X, Y, p=p, projections=theta))) < 1e-10


def test_sliced_seeded_and_identical():
    X, Y = rng(1).normal(size=(100, 3)), rng(2).normal(size=(100, 3))
    assert sliced_wasserstein(X, Y, random_state=5) == sliced_wasserstein(X, Y, random_state=5)
    assert sliced_wasserstein(X, X, random_state=5) == 0.0
    # in 1-D every direction is +-1, so SW_p = W_p
    x, y = rng(3).normal(size=(90, 1)), rng(4).normal(size=(70, 1))
    assert sliced_wasserstein(x, y, p=1, n_projections=4, random_state=0) == pytest.approx(
        stats.wasserstein_distance(x[:, 0], y[:, 0]), abs=1e-10
    )


# ---------------------------------------------------------------- MMD
def _mmd2_reference(X, Y, h):
    k = lambda A, B: np.exp(-cdist(A, B, "sqeuclidean") / (2 * h * h))  # noqa: E731
    n, m = len(X), len(Y)
    kxx, kyy = k(X, X), k(Y, Y)
    return (
        (kxx.sum() - np.trace(kxx)) / (n * (n - 1))
        + (kyy.sum() - np.trace(kyy)) / (m * (m - 1))
        - 2 * k(X, Y).mean()
    )


def test_mmd2_unbiased_equals_reference_and_block_independent():
    X, Y = rng(1).normal(size=(130, 3)), rng(2).normal(size=(97, 3)) + 0.4
    h = median_bandwidth(X, Y)
    ref = _mmd2_reference(X, Y, h)
    assert abs(mmd2(X, Y) - ref) < 1e-10
    for bs in (1, 7, 50, 128, 10_000):
        assert abs(mmd2(X, Y, block_size=bs) - ref) < 1e-10
    assert abs(mmd2(X, Y, bandwidth=0.7) - _mmd2_reference(X, Y, 0.7)) < 1e-10
    assert h == pytest.approx(np.median(cdist(np.vstack([X, Y]), np.vstack([X, Y]))[np.triu_indices(227, 1)]))


def test_mmd2_linear_estimator_and_ordering():
    X, Y = rng(1).normal(size=(40, 2)), rng(2).normal(size=(31, 2))
    h = 1.3
    k = lambda a, b: np.exp(-np.sum((a - b) ** 2) / (2 * h * h))  # noqa: E731
    terms = [k(X[2 * i], X[2 * i + 1]) + k(Y[2 * i], Y[2 * i + 1]) - k(X[2 * i], Y[2 * i + 1])
             - k(X[2 * i + 1], Y[2 * i]) for i in range(15)]
    assert abs(mmd2(X, Y, bandwidth=h, estimator="linear") - np.mean(terms)) < 1e-12
    # a bigger shift gives a bigger MMD (same draws, fixed bandwidth)
    Z = rng(3).normal(size=(300, 2))
    vals = [mmd2(Z, rng(4).normal(size=(300, 2)) + s, bandwidth=1.0) for s in (0.0, 0.5, 1.5)]
    assert vals[0] < vals[1] < vals[2]


def test_mmd_test_calibrated_and_powerful():
    r = rng(7)
    p_null = [mmd_test(r.normal(size=(40, 2)), r.normal(size=(40, 2)), n_permutations=50, random_state=i).p_value
              for i in range(60)]
    # under H0 the permutation p-value is (super-)uniform: P(p <= 0.1) <= 0.1 (+ 3 binomial sd of 60 draws)
    assert np.mean(np.asarray(p_null) <= 0.1) <= 0.1 + 3 * np.sqrt(0.09 / 60)
    res = mmd_test(r.normal(size=(60, 2)), r.normal(size=(50, 2)) + 1.0, n_permutations=99, random_state=0)
    assert res.p_value == pytest.approx(0.01)  # the smallest possible value (1 + 0) / (1 + 99)


def _same_pair():
    return rng(11).normal(size=(30, 2)), rng(12).normal(size=(30, 2))


def test_mmd_test_statistic_is_mmd2_and_seeded():
    X, Y = _same_pair()
    a = mmd_test(X, Y, n_permutations=30, random_state=3)
    assert a.statistic == pytest.approx(mmd2(X, Y), abs=1e-10)
    assert a == mmd_test(X, Y, n_permutations=30, random_state=3)
    assert 1 / 31 <= a.p_value <= 1


# ---------------------------------------------------------------- C2ST and IPM
def test_c2st_same_distribution_near_half_and_separated_near_one():
    # for one distribution the fold AUCs are noise around 0.5: sd of an AUC with 80 vs 80 test rows is
    # about sqrt((n+m+1)/(12 n m)) = 0.046; the mean of 5 folds is within 0.1 of 0.5 with wide margin.
    X, Y = rng(1).normal(size=(400, 3)), rng(2).normal(size=(400, 3))
    same = classifier_two_sample_auc(X, Y, random_state=0)
    assert abs(same.auc - 0.5) < 0.1, same
    far = classifier_two_sample_auc(X, Y + 4.0, random_state=0)
    assert far.auc > 0.99, far
    assert far.n_folds == 5 and len(far.fold_aucs) == 5
    assert same == classifier_two_sample_auc(X, Y, random_state=0)  # seeded


def test_c2st_custom_classifier():
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    X, Y = rng(1).normal(size=(200, 2)), rng(2).normal(size=(200, 2)) + [2.0, 0.0]
    a = classifier_two_sample_auc(X, Y, classifier=LogisticRegression(), cv=4, random_state=0)
    b = classifier_two_sample_auc(X, Y, classifier=LinearSVC(), cv=4, random_state=0)  # decision_function
    # population AUC of the best linear rule for a mean shift of 2: Phi(2 / sqrt 2) = 0.921
    assert abs(a.auc - stats.norm.cdf(np.sqrt(2))) < 0.05 and abs(b.auc - a.auc) < 0.02


def test_ipm_finite_class():
    X, Y = rng(1).normal(size=(500, 2)), rng(2).normal(size=(400, 2))
    fs = [lambda Z: Z[:, 0], lambda Z: Z[:, 1] ** 2, lambda Z: np.sin(Z[:, 0] * Z[:, 1])]
    res = ipm(X, Y, fs)
    gaps = [abs(f(X).mean() - f(Y).mean()) for f in fs]
    assert np.allclose(res.gaps, gaps) and res.value == max(gaps) and res.function is fs[int(np.argmax(gaps))]
    assert ipm(X, X, fs).value == 0.0
    assert res.to_dict()["argmax"] == res.argmax


def test_metric_info_covers_metrics():
    for name in ("total_variation", "wasserstein_1d", "sliced_wasserstein", "mmd2", "classifier_two_sample_auc",
                 "ipm", "mmd_test"):
        direction, rng_ = METRIC_INFO[name]
        assert isinstance(direction, str) and isinstance(rng_, str)


# ---------------------------------------------------------------- bad input
def test_bad_inputs():
    X = rng().normal(size=(20, 2))
    bad = X.copy()
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match="Y contains NaN"):
        mmd2(X, bad)
    with pytest.raises(ValueError, match="X has 2 column"):
        sliced_wasserstein(X, X[:, :1].repeat(3, axis=1)[:, :3])
    a = pd.DataFrame(X, columns=["a", "b"])
    b = pd.DataFrame(X, columns=["a", "c"])
    with pytest.raises(ValueError, match=r"lacks \['b'\] and has extra \['c'\]"):
        classifier_two_sample_auc(a, b)
    df = pd.DataFrame(bad, columns=["a", "b"])
    with pytest.raises(ValueError, match=r"column\(s\) \['b'\]"):
        total_variation(a, df)
    with pytest.raises(ValueError, match="at least 2"):
        mmd2(X[:1], X)
    with pytest.raises(ValueError, match="bandwidth must be"):
        mmd2(X, X, bandwidth=-1.0)
    with pytest.raises(ValueError, match="bandwidth must be"):
        mmd2(X, X, bandwidth="scott")
    with pytest.raises(ValueError, match="median pairwise distance"):
        mmd2(np.zeros((5, 2)), np.zeros((5, 2)))
    with pytest.raises(ValueError, match="estimator must be"):
        mmd2(X, X, estimator="biased")
    with pytest.raises(ValueError, match="block_size"):
        mmd2(X, X, block_size=0)
    with pytest.raises(ValueError, match="p must be"):
        wasserstein_1d([1.0], [2.0], p=0.5)
    with pytest.raises(ValueError, match="x must be 1-dimensional"):
        wasserstein_1d(X, X[:, 0])
    with pytest.raises(ValueError, match="projections must have shape"):
        sliced_wasserstein(X, X, projections=np.ones((3, 4)))
    with pytest.raises(ValueError, match="n_projections"):
        sliced_wasserstein(X, X, n_projections=0)
    with pytest.raises(ValueError, match="product bins"):
        total_variation(np.zeros((5, 3)), np.ones((5, 3)), bins=200)
    with pytest.raises(ValueError, match="one entry per column"):
        total_variation(X, X, bins=[3, 3, 3])
    with pytest.raises(ValueError, match="increasing"):
        total_variation(X[:, 0], X[:, 0], bins=[1.0, 0.0])
    with pytest.raises(ValueError, match="cv must be"):
        classifier_two_sample_auc(X, X, cv=1)
    with pytest.raises(ValueError, match="n_permutations"):
        mmd_test(X, X, n_permutations=0)
    with pytest.raises(ValueError, match="random_state"):
        mmd_test(X, X, random_state="zero")
    with pytest.raises(ValueError, match=r"functions\[0\] must map"):
        ipm(X, X, [lambda Z: Z])
    with pytest.raises(ValueError, match="NaN or infinite values on X"):
        ipm(X, X, [lambda Z: np.full(len(Z), np.inf)])
    with pytest.raises(ValueError, match="not callable"):
        ipm(X, X, [1.0])
    with pytest.raises(ValueError, match="non-empty"):
        ipm(X, X, [])


# ---------------------------------------------------------------- variants the book's checks distinguish
def test_tv_noise_floor_equal_probability_bins():
    # Two samples of one law on C equal-probability cells: E[TV] ~ sqrt((C - 1) / (pi n)) (normal approximation of
    # each |p_hat - q_hat|, exact Cauchy-Schwarz step for equal cells); 4 Monte Carlo s.e. of 150 runs.
    r, n, C = rng(21), 1_000, 10
    edges = stats.norm.ppf(np.linspace(0, 1, C + 1))
    edges[0], edges[-1] = -10.0, 10.0
    vals = [total_variation(r.normal(size=n), r.normal(size=n), bins=edges) for _ in range(150)]
    floor = np.sqrt((C - 1) / (np.pi * n))
    assert abs(np.mean(vals) - floor) < 4 * np.std(vals) / np.sqrt(150)


def test_tv_different_sizes_uses_each_sample_size():
    # pmfs (1/2, 1/2) and (1/4, 3/4) with n = 2 and m = 4 rows
    assert total_variation([0, 1], [0, 1, 1, 1]) == pytest.approx(0.25)


def test_median_bandwidth_is_pooled_median_of_distances():
    X, Y = np.array([[0.0], [1.0]]), np.array([[5.0], [9.0]])
    # pooled distances: 1, 5, 9, 4, 8, 4 -> median 4.5 (the mean would be 31/6, the median within X 1)
    assert median_bandwidth(X, Y) == pytest.approx(4.5)
    assert mmd_test(X, Y, n_permutations=1, random_state=0).bandwidth == pytest.approx(4.5)


def test_mmd2_unbiased_mean_matches_gaussian_closed_form_at_small_n():
    # E[MMD^2_u] = 2 c (1 - exp(-s^2 / (2 (beta^2 + 2)))) with c = sqrt(beta^2 / (beta^2 + 2)); the biased
    # V-statistic would add (1 - c)(1/n + 1/m) = 0.042 at n = m = 20.
    r, beta, n = rng(22), 1.0, 20
    c = np.sqrt(beta**2 / (beta**2 + 2))
    for s in (0.0, 1.5):
        vals = [mmd2(r.normal(size=(n, 1)), r.normal(size=(n, 1)) + s, bandwidth=beta) for _ in range(400)]
        exact = 2 * c * (1 - np.exp(-s**2 / (2 * (beta**2 + 2))))
        assert abs(np.mean(vals) - exact) < 4 * np.std(vals) / np.sqrt(400)


def test_mmd_test_null_p_values_uniform_on_grid():
    # exchangeable rows: p is uniform on {1, ..., B + 1} / (B + 1), mean (B + 2) / (2 (B + 1)) = 0.6 for B = 4
    r = rng(23)
    p = [mmd_test(r.normal(size=(15, 1)), r.normal(size=(15, 1)), n_permutations=4, bandwidth=1.0,
                  random_state=i).p_value for i in range(300)]
    assert set(np.round(np.asarray(p) * 5).astype(int)) <= {1, 2, 3, 4, 5}
    assert abs(np.mean(p) - 0.6) < 4 * np.sqrt(2 / 25) / np.sqrt(300)


def test_sliced_location_shift_closed_form():
    # N(0, I_3) against N(mu, I_3): SW_2 = |mu| / sqrt(3) (root of the mean of W_2^2, not the mean of W_2 = |mu| / 2)
    r = rng(24)
    mu = np.array([0.0, 2.0, 0.0])
    vals = [sliced_wasserstein(r.normal(size=(400, 3)), r.normal(size=(400, 3)) + mu, random_state=i)
            for i in range(30)]
    assert abs(np.mean(vals) - 2 / np.sqrt(3)) < 4 * np.std(vals) / np.sqrt(30) + 0.01
