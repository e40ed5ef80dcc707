"""Tests of synutil.ranking against scipy.stats.kendalltau and hand-checked cases."""

import numpy as np
import pytest
from scipy import stats

from synutil.ranking import RankingResult, generalization_gap, kendall_tau, ranking_consistency


@pytest.mark.parametrize("seed", range(5))
def test_kendall_tau_equals_scipy_with_ties(seed):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 4, size=25)  # many ties
    b = rng.integers(0, 6, size=25)
    assert kendall_tau(a, b) == pytest.approx(stats.kendalltau(a, b).statistic, abs=1e-12)
    c = rng.normal(size=30)
    d = c + rng.normal(size=30)
    assert kendall_tau(c, d) == pytest.approx(stats.kendalltau(c, d).statistic, abs=1e-12)


def test_kendall_tau_long_vectors_and_extremes():
    rng = np.random.default_rng(0)
    a = rng.normal(size=3000)
    assert kendall_tau(a, a) == pytest.approx(1.0)
    assert kendall_tau(a, -a) == pytest.approx(-1.0)
    b = np.round(a + rng.normal(size=3000), 1)
    assert kendall_tau(a, b) == pytest.approx(stats.kendalltau(a, b).statistic, abs=1e-12)


def test_generalization_gap():
    risks = np.array([[0.1, 0.5, 0.3], [0.3, 0.5, 0.3]])  # means 0.2, 0.5, 0.3
    assert generalization_gap(risks) == pytest.approx(0.1)
    assert generalization_gap([1.0, 1.0, 2.0]) == 0.0


def test_identical_and_reversed():
    rng = np.random.default_rng(0)
    real = rng.uniform(size=(50, 4))
    res = ranking_consistency(real, real)
    assert res.p_same_order == 1.0 and res.mean_tau == pytest.approx(1.0)
    assert res.pairwise_agreement == 1.0 and res.top1_agreement == 1.0
    assert res.mean_tau_ci == pytest.approx((1.0, 1.0))
    rev = ranking_consistency(real, -real)
    assert rev.mean_tau == pytest.approx(-1.0) and rev.p_same_order == 0.0 and rev.pairwise_agreement == 0.0
    assert rev.top1_agreement == 0.0
    assert res.real_gap == pytest.approx(generalization_gap(real))


def test_per_replication_matches_scalar_functions():
    rng = np.random.default_rng(1)
    real = rng.normal(size=(40, 5))
    syn = real + rng.normal(scale=0.7, size=(40, 5))
    syn[0] = np.round(syn[0])  # ties in one replication
    res = ranking_consistency(real, syn, confidence=0.9)
    per = res.per_replication
    assert len(per) == 40 and res.n_replications == 40 and res.n_models == 5
    for r in range(40):
        assert per.kendall_tau[r] == pytest.approx(stats.kendalltau(real[r], syn[r]).statistic, abs=1e-12)
        assert per.same_order[r] == (np.array_equal(np.argsort(real[r]), np.argsort(syn[r]))
                                     and len(set(syn[r])) == 5)
        assert per.top1_agreement[r] == (np.argmin(real[r]) == np.argmin(syn[r]))
    assert res.mean_tau == pytest.approx(per.kendall_tau.mean())
    t = stats.t.ppf(0.95, 39) * per.kendall_tau.std(ddof=1) / np.sqrt(40)
    assert res.mean_tau_ci == pytest.approx((res.mean_tau - t, res.mean_tau + t))
    # Wilson interval, closed form (two-sided: z = Phi^{-1}(0.95) at confidence 0.9)
    p, n, z = res.p_same_order, 40, stats.norm.ppf(0.95)
    c = (p + z * z / (2 * n)) / (1 + z * z / n)
    h = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert res.p_same_order_ci == pytest.approx((c - h, c + h))
    lo, hi = stats.binomtest(int(per.same_order.sum()), 40).proportion_ci(0.9, method="wilson")
    assert res.p_same_order_ci == pytest.approx((lo, hi), abs=1e-12)
    assert "p_same_order" in repr(res) and "per_replication" not in res.to_dict()


def test_tie_conventions():
    real = np.array([[0.1, 0.2, 0.3], [0.1, 0.1, 0.3], [0.1, 0.2, 0.3]])
    syn = np.array([[0.1, 0.1, 0.3], [0.2, 0.2, 0.4], [0.5, 0.5, 0.5]])
    res = ranking_consistency(real, syn)
    per = res.per_replication
    # row 0: tie only in syn -> disagreement; row 1: tie in both -> agreement; row 2: syn all tied
    assert list(per.same_order) == [False, True, False]
    assert per.pairwise_agreement.tolist() == pytest.approx([2 / 3, 1.0, 0.0])
    assert np.isnan(per.kendall_tau[2]) and res.n_tau_undefined == 1
    assert res.mean_tau == pytest.approx(np.nanmean(per.kendall_tau))


def test_bad_inputs():
    with pytest.raises(ValueError, match="undefined: b is constant"):
        kendall_tau([1, 2, 3], [2, 2, 2])
    with pytest.raises(ValueError, match="same length"):
        kendall_tau([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="a contains NaN"):
        kendall_tau([1, np.nan, 3], [1, 2, 3])
    with pytest.raises(ValueError, match="same shape"):
        ranking_consistency(np.ones((5, 3)), np.ones((5, 4)))
    with pytest.raises(ValueError, match="at least 2 models"):
        ranking_consistency(np.ones((5, 1)), np.ones((5, 1)))
    with pytest.raises(ValueError, match="at least 2 models"):
        generalization_gap(np.ones((5, 1)))
    with pytest.raises(ValueError, match="risks_syn contains NaN"):
        ranking_consistency(np.ones((3, 2)), np.full((3, 2), np.nan))
    with pytest.raises(ValueError, match="confidence must lie"):
        ranking_consistency(np.ones((3, 2)), np.ones((3, 2)), confidence=1.0)
    res = ranking_consistency(np.eye(3), np.eye(3))
    assert isinstance(res, RankingResult)


def test_kendall_tau_is_tau_b_not_tau_a():
    # one tie in a: 6 pairs, 5 concordant, 1 tied -> tau_a = 5/6, tau_b = 5/sqrt(5 * 6)
    a, b = [1, 1, 2, 3], [1, 2, 3, 4]
    assert kendall_tau(a, b) == pytest.approx(5 / np.sqrt(30), abs=1e-12)
    assert kendall_tau(a, b) != pytest.approx(5 / 6, abs=1e-3)
    res = ranking_consistency(np.array([a, a], dtype=float), np.array([b, b], dtype=float))
    assert res.mean_tau == pytest.approx(5 / np.sqrt(30), abs=1e-12)


@pytest.mark.parametrize("k, n, confidence", [(0, 10, 0.95), (3, 10, 0.95), (10, 10, 0.9), (57, 150, 0.99)])
def test_wilson_intervals_match_scipy(k, n, confidence):
    real = np.tile([0.1, 0.2, 0.3], (n, 1))
    syn = real.copy()
    syn[k:] = [0.2, 0.1, 0.3]  # the last n - k replications swap the first two models (top-1 changes too)
    res = ranking_consistency(real, syn, confidence=confidence)
    assert res.p_same_order == pytest.approx(k / n)
    ref = stats.binomtest(k, n).proportion_ci(confidence, method="wilson")
    assert res.p_same_order_ci == pytest.approx((ref.low, ref.high), abs=1e-12)
    assert res.top1_agreement_ci == pytest.approx((ref.low, ref.high), abs=1e-12)
    assert 0.0 <= res.p_same_order_ci[0] <= res.p_same_order <= res.p_same_order_ci[1] <= 1.0
    if k == n:  # all agree: the interval does not collapse to a point
        assert res.p_same_order_ci[0] < 1.0


def _clipped_t(values, confidence, low, high):
    lo, hi = stats.t.interval(confidence, len(values) - 1, loc=np.mean(values), scale=stats.sem(values))
    return max(low, lo), min(high, hi), lo, hi


def test_tau_interval_stays_in_range():
    real = np.tile([1.0, 2.0, 3.0, 4.0], (6, 1))
    syn = real.copy()
    syn[0] = [2.0, 1.0, 3.0, 4.0]  # tau = 2/3 in one replication, 1 in five
    res = ranking_consistency(real, syn)
    lo, hi, raw_lo, raw_hi = _clipped_t(res.per_replication.kendall_tau, 0.95, -1.0, 1.0)
    assert raw_hi > 1.0  # the plain t interval leaves the range ...
    assert res.mean_tau_ci == pytest.approx((lo, 1.0), abs=1e-12)  # ... the reported one stops at 1
    assert res.mean_tau_ci[0] == pytest.approx(raw_lo, abs=1e-12)  # the other end is the t interval's
    # the same at the other end of the range
    rev = ranking_consistency(real, -syn)
    lo, hi, raw_lo, raw_hi = _clipped_t(rev.per_replication.kendall_tau, 0.95, -1.0, 1.0)
    assert raw_lo < -1.0 and rev.mean_tau_ci == pytest.approx((-1.0, hi), abs=1e-12)
    # pairwise agreement: a share, so its interval lies in [0, 1]
    lo, hi, raw_lo, raw_hi = _clipped_t(res.per_replication.pairwise_agreement, 0.95, 0.0, 1.0)
    assert raw_hi > 1.0 and res.pairwise_agreement_ci == pytest.approx((lo, 1.0), abs=1e-12)


def test_clipping_keeps_the_coverage_of_the_t_interval():
    """Any mean in [-1, 1] lies in the reported interval exactly when it lies in the plain t interval."""
    rng = np.random.default_rng(4)
    real = np.tile(np.arange(4.0), (8, 1))
    grid = np.linspace(-1, 1, 201)
    clipped_somewhere = False
    for _ in range(100):
        syn = real.copy()
        swap = rng.uniform(size=8) < 0.3  # swap the first two models in some replications: tau 1 or 2/3
        syn[swap, :2] = syn[swap, 1::-1]
        res = ranking_consistency(real, syn)
        tau = res.per_replication.kendall_tau.to_numpy()
        if np.ptp(tau) == 0:
            continue
        _, _, raw_lo, raw_hi = _clipped_t(tau, 0.95, -1.0, 1.0)
        lo, hi = res.mean_tau_ci
        clipped_somewhere |= raw_hi > 1.0
        assert np.array_equal((lo <= grid) & (grid <= hi), (raw_lo <= grid) & (grid <= raw_hi))
        assert -1.0 <= lo <= hi <= 1.0
    assert clipped_somewhere


def test_tau_interval_matches_clipped_scipy_on_random_rankings():
    rng = np.random.default_rng(5)
    real = rng.normal(size=(12, 5))
    syn = real + rng.normal(scale=0.2, size=(12, 5))
    res = ranking_consistency(real, syn, confidence=0.9)
    lo, hi, _, _ = _clipped_t(res.per_replication.kendall_tau, 0.9, -1.0, 1.0)
    assert res.mean_tau_ci == pytest.approx((lo, hi), abs=1e-12)
    assert -1.0 <= res.mean_tau_ci[0] <= res.mean_tau <= res.mean_tau_ci[1] <= 1.0
