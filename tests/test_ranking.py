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
    # Wilson interval, closed form
    p, n, z = res.p_same_order, 40, stats.norm.ppf(0.95)
    c = (p + z * z / (2 * n)) / (1 + z * z / n)
    h = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert res.p_same_order_ci == pytest.approx((c - h, c + h))
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
