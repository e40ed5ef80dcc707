"""Tests for synutil.ensemble against a closed-form toy where A and S are known."""

import numpy as np
import pytest

from synutil.ensemble import EnsembleRisk, fit_ensemble_risk

SIGMA2, MEAN, TAU2, S_TRUE = 0.25, 0.3, 0.04, 0.09
A_TRUE = MEAN**2 + TAU2


def toy(J, K_max, rng):
    """eta = 0 at one point; mu ~ N(MEAN, TAU2) given the real sample, f_k = mu + N(0, S_TRUE) i.i.d. given mu.

    The risk of an average of K models is sigma^2 + fbar_K^2, so E R = sigma^2 + A + S/K with
    A = MEAN^2 + TAU2 and S = S_TRUE.
    """
    mu = MEAN + np.sqrt(TAU2) * rng.standard_normal(J)
    f = mu[:, None] + np.sqrt(S_TRUE) * rng.standard_normal((J, K_max))
    return {K: SIGMA2 + f[:, :K].mean(axis=1) ** 2 for K in range(1, K_max + 1)}


def truth(K):
    return SIGMA2 + A_TRUE + S_TRUE / K


def test_recovers_A_and_S_and_predicts_every_K():
    risks = toy(40_000, 20, np.random.default_rng(0))
    line = fit_ensemble_risk(risks[1], risks[2], noise_variance=SIGMA2)
    assert isinstance(line, EnsembleRisk) and line.n_replications == 40_000
    assert abs(line.A - A_TRUE) <= 4 * line.A_se
    assert abs(line.S - S_TRUE) <= 4 * line.S_se
    for K in (1, 2, 5, 20):
        pred, se = line.predict(K)
        assert abs(pred - truth(K)) <= 4 * se
        if K > 2:
            dev, dev_se = line.compare(K, risks[K])
            assert abs(dev) <= 4 * dev_se


def test_standard_errors_are_calibrated():
    # over many independent studies, (prediction - truth) / se must have unit spread: a paired standard error
    rng = np.random.default_rng(1)
    z_pred, z_dev = [], []
    for _ in range(400):
        risks = toy(200, 10, rng)
        line = fit_ensemble_risk(risks[1], risks[2], noise_variance=SIGMA2)
        pred, se = line.predict(10)
        z_pred.append((pred - truth(10)) / se)
        dev, dev_se = line.compare(10, risks[10])
        z_dev.append((dev - 0.0) / dev_se)
    for z in (np.array(z_pred), np.array(z_dev)):
        assert abs(z.mean()) < 4 / np.sqrt(z.size)
        assert 0.85 < z.std() < 1.15


def test_exact_values_without_noise():
    line = fit_ensemble_risk([1.7, 1.7, 1.7], [1.6, 1.6, 1.6], noise_variance=1.0)
    assert line.A == pytest.approx(0.5) and line.S == pytest.approx(0.2)
    assert line.A_se < 1e-12 and line.S_se < 1e-12
    risk, se = line.predict(np.array([1, 4, 10]))
    np.testing.assert_allclose(risk, [1.7, 1.55, 1.52])
    np.testing.assert_allclose(se, 0, atol=1e-12)
    assert line.predict(np.inf)[0] == pytest.approx(1.5)
    assert line.compare(4, [1.55, 1.55, 1.55]) == pytest.approx((0.0, 0.0), abs=1e-12)


def test_other_rates():
    # data on the law A + S / K^2: fitted with rate=2 it is recovered exactly
    A, S, K = 0.1, 0.4, np.array([1.0, 2.0, 3.0])
    r = {k: np.full(5, A + S / k**2) for k in K}
    line = fit_ensemble_risk(r[1.0], r[2.0], rate=2.0)
    assert line.A == pytest.approx(A) and line.S == pytest.approx(S)
    assert line.predict(3.0)[0] == pytest.approx(A + S / 9)
    assert fit_ensemble_risk(r[1.0], r[2.0]).predict(3.0)[0] != pytest.approx(A + S / 9)


def test_errors():
    with pytest.raises(ValueError, match="paired"):
        fit_ensemble_risk([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="noise_variance"):
        fit_ensemble_risk([1.0, 2.0], [1.0, 2.0], noise_variance=-1.0)
    with pytest.raises(ValueError, match="rate"):
        fit_ensemble_risk([1.0, 2.0], [1.0, 2.0], rate=0.0)
    with pytest.raises(ValueError, match="at least 2"):
        fit_ensemble_risk([1.0], [1.0])
    with pytest.raises(ValueError, match="NaN"):
        fit_ensemble_risk([1.0, np.nan], [1.0, 2.0])
    line = fit_ensemble_risk([1.0, 2.0], [0.5, 1.5])
    with pytest.raises(ValueError, match="K must be"):
        line.predict(0.5)
    with pytest.raises(ValueError, match="one K at a time"):
        line.compare([3, 4], [1.0, 2.0])
    with pytest.raises(ValueError, match="one risk per replication"):
        line.compare(3, [1.0, 2.0, 3.0])
