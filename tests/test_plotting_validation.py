import numpy as np
import pandas as pd
import pytest
from scipy import stats

from synutil._validation import as_float_array, as_matched_pair, check_confidence, check_random_state
from synutil.plotting import fit_loglog_slope


def test_slope_and_ci_match_scipy_linregress():
    rng = np.random.default_rng(0)
    x = np.geomspace(10, 1e4, 12)
    y = 3 * x**-0.7 * np.exp(0.1 * rng.standard_normal(12))
    fit = fit_loglog_slope(x, y, confidence=0.9)
    ref = stats.linregress(np.log(x), np.log(y))
    assert fit.slope == pytest.approx(ref.slope, abs=1e-12)
    half = stats.t.ppf(0.95, 10) * ref.stderr
    assert fit.ci_low == pytest.approx(ref.slope - half, abs=1e-10)
    assert fit.ci_high == pytest.approx(ref.slope + half, abs=1e-10)


def test_weighted_fit_matches_numpy_polyfit():
    # weights (y / se)^2 on log y (delta method); numpy's polyfit takes the square roots of the weights,
    # and its covariance is scaled by the residual variance on n - 2 degrees of freedom
    rng = np.random.default_rng(3)
    x = np.geomspace(100, 1e5, 7)
    y = 2 * x**-0.5 * np.exp(0.05 * rng.standard_normal(7))
    se = y * rng.uniform(0.01, 0.2, size=7)
    fit = fit_loglog_slope(x, y, yerr=se)
    coef, cov = np.polyfit(np.log(x), np.log(y), 1, w=y / se, cov=True)
    assert fit.slope == pytest.approx(coef[0], abs=1e-12)
    assert fit.intercept == pytest.approx(coef[1], abs=1e-12)
    half = stats.t.ppf(0.975, 5) * np.sqrt(cov[0, 0])
    assert (fit.ci_high - fit.ci_low) / 2 == pytest.approx(half, rel=1e-10)


def test_weighted_fit_downweights_noisy_points():
    x = np.array([1.0, 2.0, 4.0, 8.0, 16.0])
    y = x**-1.0
    y_bad = y.copy()
    y_bad[-1] *= 3
    err = np.array([0.001, 0.001, 0.001, 0.001, 10.0]) * y
    assert abs(fit_loglog_slope(x, y_bad, yerr=err).slope + 1) < 0.01
    assert abs(fit_loglog_slope(x, y_bad).slope + 1) > 0.1


def test_slope_fit_rejects_bad_input():
    with pytest.raises(ValueError, match="positive"):
        fit_loglog_slope([1, 2, 3], [1.0, 0.0, 2.0])
    with pytest.raises(ValueError, match="same length"):
        fit_loglog_slope([1, 2, 3], [1.0, 2.0, 3.0, 4.0])
    with pytest.raises(ValueError, match="at least 3"):
        fit_loglog_slope([1, 2], [1.0, 2.0])


def test_validation_messages_name_the_problem():
    df = pd.DataFrame({"age": [1.0, np.nan], "income": [1.0, 2.0]})
    with pytest.raises(ValueError, match=r"X contains NaN.*\['age'\]"):
        as_float_array(df, name="X", ndim=2)
    a = pd.DataFrame({"u": [1.0], "v": [2.0]})
    b = pd.DataFrame({"u": [1.0], "w": [2.0]})
    with pytest.raises(ValueError, match=r"lacks \['v'\] and has extra \['w'\]"):
        as_matched_pair(a, b)
    with pytest.raises(ValueError, match="has 2 column"):
        as_matched_pair(np.zeros((3, 2)), np.zeros((3, 3)))
    with pytest.raises(ValueError, match="must be numeric"):
        as_float_array(["a", "b"], name="x")
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        check_confidence(1.0)
    with pytest.raises(ValueError, match="random_state must be"):
        check_random_state("seed")
