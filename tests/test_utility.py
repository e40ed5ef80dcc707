"""Tests of synutil.utility: closed forms, CI coverage by simulation, TSTR/TRTR, bad input."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import mean_absolute_error

from synutil.utility import UtilityResult, generalization_utility, required_replications, tstr_trtr


def test_t_interval_closed_form():
    rng = np.random.default_rng(0)
    real = rng.normal(1.0, 0.1, size=30)
    syn = real + rng.normal(0.05, 0.02, size=30)
    res = generalization_utility(syn, real, confidence=0.9)
    d = syn - real
    half = stats.t.ppf(0.95, 29) * d.std(ddof=1) / math.sqrt(30)
    assert res.signed_gap == pytest.approx(d.mean()) and res.utility == pytest.approx(abs(d.mean()))
    assert (res.ci_low, res.ci_high) == pytest.approx((d.mean() - half, d.mean() + half))
    assert (res.utility_ci_low, res.utility_ci_high) == pytest.approx((res.ci_low, res.ci_high))
    assert res.n_replications == 30 and res.method == "t" and res.confidence == 0.9
    assert set(res.to_dict()) >= {"utility", "signed_gap", "ci_low", "ci_high", "utility_ci_low"}
    assert "utility=" in repr(res) and "90% CI" in repr(res)


def test_utility_interval_from_gap_interval():
    # negative gap: |gap| interval is [min |.|, max |.|]
    res = generalization_utility([1.0, 1.1, 0.9, 1.0], [2.0, 2.05, 1.95, 2.1])
    assert res.signed_gap < 0 and res.ci_high < 0
    assert res.utility_ci_low == pytest.approx(-res.ci_high) and res.utility_ci_high == pytest.approx(-res.ci_low)
    # gap interval containing 0: [0, max |.|]
    res = generalization_utility([1.0, 1.2, 0.8, 1.1], [1.1, 1.0, 0.9, 1.05])
    assert res.ci_low < 0 < res.ci_high
    assert res.utility_ci_low == 0.0
    assert res.utility_ci_high == pytest.approx(max(-res.ci_low, res.ci_high))


def test_bootstrap_percentile_and_seed():
    rng = np.random.default_rng(1)
    real, syn = rng.normal(size=50), rng.normal(0.3, 1.0, size=50)
    a = generalization_utility(syn, real, method="bootstrap", n_boot=500, random_state=3)
    b = generalization_utility(syn, real, method="bootstrap", n_boot=500, random_state=3)
    assert a == b and a.method == "bootstrap"
    # reference: the same resamples drawn directly
    r = np.random.default_rng(3)
    d = syn - real
    means = d[r.integers(0, 50, size=(500, 50))].mean(axis=1)
    assert (a.ci_low, a.ci_high) == pytest.approx(tuple(np.quantile(means, [0.025, 0.975])))


@pytest.mark.parametrize("method", ["t", "bootstrap"])
def test_ci_covers_true_gap_at_nominal_rate(method):
    # 300 simulated experiments of R = 100 paired replications with a true gap of 0.2: the interval must
    # cover 0.2 in 95% of them, up to 3 binomial standard deviations (sqrt(.95 * .05 / 300) = 0.0126).
    # The percentile bootstrap undercovers in small samples (measured on 1500 experiments: 0.927 at R = 60
    # with 400 resamples; 0.948 on 1200 at R = 100 with 2000 resamples), hence R = 100 and default n_boot.
    rng = np.random.default_rng(2024)
    n_exp, R, gap = 300, 100, 0.2
    covered = 0
    for i in range(n_exp):
        real = rng.normal(1.0, 0.3, size=R)
        syn = real + gap + rng.normal(0.0, 0.5, size=R)
        res = generalization_utility(syn, real, method=method, random_state=i)
        covered += res.ci_low <= gap <= res.ci_high
    rate = covered / n_exp
    assert abs(rate - 0.95) <= 3 * math.sqrt(0.95 * 0.05 / n_exp), rate


def test_tstr_trtr_regression_matches_manual_and_dataframes():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 2))
    y = X @ np.array([1.0, -2.0]) + rng.normal(scale=0.5, size=600)
    Xs = X[200:400] + np.array([0.0, 1.0])
    ys = y[200:400] + 0.3 * Xs[:, 0]  # a wrong slope in the synthetic responses
    res = tstr_trtr(LinearRegression(), X[:200], y[:200], Xs, ys, X[400:], y[400:])
    trtr = np.mean((LinearRegression().fit(X[:200], y[:200]).predict(X[400:]) - y[400:]) ** 2)
    tstr = np.mean((LinearRegression().fit(Xs, ys).predict(X[400:]) - y[400:]) ** 2)
    assert (res.trtr, res.tstr) == pytest.approx((trtr, tstr)) and res.gap == pytest.approx(tstr - trtr)
    assert res.gap > 0 and res.loss == "squared_error"
    # DataFrames with columns in another order give the same result
    cols = ["a", "b"]
    d_real = pd.DataFrame(X[:200], columns=cols)
    d_syn = pd.DataFrame(Xs, columns=cols)[["b", "a"]]
    d_test = pd.DataFrame(X[400:], columns=cols)[["b", "a"]]
    res2 = tstr_trtr(LinearRegression(), d_real, y[:200], d_syn, ys, d_test, y[400:])
    assert (res2.trtr, res2.tstr) == pytest.approx((res.trtr, res.tstr))
    mae = tstr_trtr(LinearRegression(), X[:200], y[:200], Xs, ys, X[400:], y[400:], loss=mean_absolute_error)
    assert mae.loss == "mean_absolute_error" and mae.tstr > mae.trtr


def test_tstr_trtr_classification_with_string_labels():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 2))
    y = np.where(X[:, 0] > 0, "yes", "no")
    res = tstr_trtr(LogisticRegression(), X[:150], y[:150], X[150:300], y[150:300][::-1], X[300:], y[300:],
                    loss="zero_one")
    assert res.trtr < 0.1 and res.tstr > res.trtr  # shuffled synthetic labels carry no signal


def test_required_replications_formula_and_power():
    z = stats.norm.ppf(0.975) + stats.norm.ppf(0.8)
    assert required_replications(0.1, 0.5) == math.ceil((z * 5) ** 2)
    assert required_replications(-0.1, 0.5) == required_replications(0.1, 0.5)
    assert required_replications(1.0, 0.0) == 2
    # simulated power of the paired t interval at that R is close to 0.8
    rng = np.random.default_rng(5)
    R = required_replications(0.2, 1.0)
    hits = [generalization_utility(0.2 + rng.normal(size=R), np.zeros(R)).ci_low > 0 for _ in range(300)]
    assert abs(np.mean(hits) - 0.8) < 3 * math.sqrt(0.16 / 300) + 0.01


def test_bad_inputs():
    with pytest.raises(ValueError, match="method must be"):
        generalization_utility([1, 2], [1, 2], method="z")
    with pytest.raises(ValueError, match="paired"):
        generalization_utility([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="risk_syn has 1 row"):
        generalization_utility([1.0], [1.0])
    with pytest.raises(ValueError, match="risk_real contains NaN"):
        generalization_utility([1.0, 2.0], [1.0, np.nan])
    with pytest.raises(ValueError, match="confidence must lie"):
        generalization_utility([1.0, 2.0], [1.0, 2.0], confidence=95)
    with pytest.raises(ValueError, match="n_boot"):
        generalization_utility([1.0, 2.0], [1.0, 2.0], method="bootstrap", n_boot=1)
    with pytest.raises(ValueError, match="power must"):
        required_replications(0.1, 1.0, power=1.5)
    with pytest.raises(ValueError, match="gap must be"):
        required_replications(0.0, 1.0)
    with pytest.raises(ValueError, match="sd must be"):
        required_replications(0.1, -1.0)
    X = np.random.default_rng(0).normal(size=(20, 2))
    y = (X[:, 0] > 0).astype(int)
    with pytest.raises(ValueError, match=r"class\(es\) \[1\] appear in y_real but not in y_syn"):
        tstr_trtr(LogisticRegression(), X, y, X, np.zeros(20, int), X, y, loss="zero_one")
    with pytest.raises(ValueError, match="X_real has 2 column.*but X_syn has 3"):
        tstr_trtr(LinearRegression(), X, y, np.ones((20, 3)), y, X, y)
    with pytest.raises(ValueError, match=r"lacks \['b'\]"):
        tstr_trtr(LinearRegression(), pd.DataFrame(X, columns=["a", "b"]), y,
                  pd.DataFrame(X, columns=["a", "c"]), y, X, y)
    with pytest.raises(ValueError, match="y_syn has 19 entries"):
        tstr_trtr(LinearRegression(), X, y, X, y[:19], X, y)
    with pytest.raises(ValueError, match="y_test contains NaN"):
        tstr_trtr(LinearRegression(), X, y, X, y, X, np.r_[y[:-1], np.nan])
    with pytest.raises(ValueError, match="loss must be"):
        tstr_trtr(LinearRegression(), X, y, X, y, X, y, loss="hinge")


def test_result_is_frozen():
    res = generalization_utility([1.0, 2.0, 3.0], [1.0, 1.5, 2.0])
    assert isinstance(res, UtilityResult)
    with pytest.raises(AttributeError):
        res.utility = 0.0


def test_small_sample_coverage_needs_t_quantile():
    # J = 4 normal replications: the Student interval covers at exactly 95%; a z quantile would cover
    # P(|t_3| <= 1.96) = 0.855 and a divisor-J standard deviation P(|t_3| <= 3.182 sqrt(3/4)) = 0.924.
    rng = np.random.default_rng(11)
    n_exp, J, gap = 2000, 4, 0.3
    real = rng.normal(1.0, 0.5, size=(n_exp, J))
    syn = real + gap + rng.normal(0.0, 0.2, size=(n_exp, J))  # strongly paired: sd(TSTR - TRTR) = 0.2
    covered = [(lambda r: r.ci_low <= gap <= r.ci_high)(generalization_utility(s, r_)) for s, r_ in zip(syn, real)]
    se = math.sqrt(0.95 * 0.05 / n_exp)
    assert abs(np.mean(covered) - 0.95) <= 3.5 * se, np.mean(covered)
    assert 0.95 - stats.t.cdf(1.96, 3) * 2 + 1 > 10 * se  # the z variant would be far outside the band


def test_required_replications_is_smallest_J_reaching_power():
    # independent definition: the smallest J >= 2 with sqrt(J) |gap| / sd >= z_{(1+c)/2} + z_power
    for gap, sd, conf, power in [(0.1, 0.5, 0.95, 0.8), (-0.013, 0.041, 0.9, 0.9), (0.004, 0.02, 0.95, 0.9),
                                 (0.3, 1.0, 0.99, 0.5), (2.0, 1.0, 0.95, 0.8)]:
        target = stats.norm.ppf(0.5 + conf / 2) + stats.norm.ppf(power)
        J = 2
        while math.sqrt(J) * abs(gap) / sd < target:
            J += 1
        assert required_replications(gap, sd, confidence=conf, power=power) == J, (gap, sd, conf, power)
    assert required_replications(0.004, 0.02, power=0.9) == 263  # the chapter's exercise
    assert required_replications(0.002, 0.02, power=0.9) == 1051


def test_risk_range_clips_to_what_a_difference_of_risks_can_be():
    # two replications of error rates: t_{1, 0.975} = 12.71 makes the interval wider than [-1, 1]
    syn, real = np.array([0.30, 0.46]), np.array([0.20, 0.20])
    free = generalization_utility(syn, real)
    d = syn - real
    half = stats.t.ppf(0.975, 1) * d.std(ddof=1) / math.sqrt(2)
    assert (free.ci_low, free.ci_high) == pytest.approx((d.mean() - half, d.mean() + half))
    assert free.ci_high > 1 and not free.clipped and free.risk_range is None
    rate = generalization_utility(syn, real, risk_range=(0, 1))
    assert rate.clipped and rate.risk_range == (0.0, 1.0)
    assert (rate.ci_low, rate.ci_high) == pytest.approx((free.ci_low, 1.0))
    assert (rate.utility_ci_low, rate.utility_ci_high) == (0.0, 1.0)
    assert (rate.utility, rate.signed_gap) == (free.utility, free.signed_gap)
    assert "clipped to risk_range=(0.0, 1.0)" in repr(rate) and "clipped" not in repr(free)
    # a range that does not start at 0: the gap can lie in [l - h, h - l] = [-3, 3], not in [2, 5]
    big = generalization_utility([5.0, 2.0, 4.9], [2.0, 2.1, 2.0], risk_range=(2, 5))
    wide = generalization_utility([5.0, 2.0, 4.9], [2.0, 2.1, 2.0])
    assert wide.ci_low > -3 and wide.ci_high > 3
    assert (big.ci_low, big.ci_high) == pytest.approx((wide.ci_low, 3.0)) and big.clipped
    assert (big.utility_ci_low, big.utility_ci_high) == pytest.approx((0.0, 3.0))
    # both ends clipped, negative gap
    both = generalization_utility([0.0, 0.4], [0.5, 0.5], risk_range=(0, 1))
    assert (both.ci_low, both.ci_high, both.utility_ci_low, both.utility_ci_high) == (-1.0, 1.0, 0.0, 1.0)
    # a negative gap whose interval excludes 0 and reaches below -1: only the low end moves
    neg = generalization_utility([0.0, 0.05, 0.0], [0.9, 0.95, 0.6], risk_range=(0, 1))
    raw = generalization_utility([0.0, 0.05, 0.0], [0.9, 0.95, 0.6])
    assert raw.ci_low < -1 < raw.ci_high < 0
    assert (neg.ci_low, neg.ci_high) == pytest.approx((-1.0, raw.ci_high))
    assert (neg.utility_ci_low, neg.utility_ci_high) == pytest.approx((-raw.ci_high, 1.0))
    # nothing to clip: same numbers as without a range, clipped False
    rng = np.random.default_rng(3)
    r = rng.uniform(0.1, 0.2, size=50)
    s = r + rng.uniform(0.0, 0.05, size=50)
    inside, plain = generalization_utility(s, r, risk_range=(0, 1)), generalization_utility(s, r)
    assert not inside.clipped and (inside.ci_low, inside.ci_high) == (plain.ci_low, plain.ci_high)
    # the percentile bootstrap never leaves [min G_j, max G_j], so it is never clipped
    boot = generalization_utility(syn, real, method="bootstrap", n_boot=200, random_state=0, risk_range=(0, 0.5))
    assert not boot.clipped and 0.1 - 1e-12 <= boot.ci_low <= boot.ci_high <= 0.26 + 1e-12


def test_risk_range_bad_input():
    with pytest.raises(ValueError, match="outside risk_range"):
        generalization_utility([0.5, 1.2], [0.5, 0.5], risk_range=(0, 1))
    with pytest.raises(ValueError, match=r"risk_real has 1 value\(s\) outside"):
        generalization_utility([0.5, 0.2], [-0.1, 0.5], risk_range=(0, 1))
    with pytest.raises(ValueError, match="increasing pair"):
        generalization_utility([0.5, 0.2], [0.5, 0.5], risk_range=(1, 0))
    with pytest.raises(ValueError, match="increasing pair"):
        generalization_utility([0.5, 0.2], [0.5, 0.5], risk_range=(0, float("nan")))
    with pytest.raises(ValueError, match="pair"):
        generalization_utility([0.5, 0.2], [0.5, 0.5], risk_range=1.0)
    with pytest.raises(TypeError):
        generalization_utility([0.5, 0.2], [0.5, 0.5], 0.95, "t", 100, None, (0, 1))  # keyword-only
