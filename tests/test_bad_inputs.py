"""Issue 9: no silent wrong numbers. Every bad input to the public API raises a clear error that names the argument;
edge cases that are valid (reordered DataFrame columns, data far apart or near the float64 limit, duplicated rows)
give the right number.

The tables below walk the public functions by the kind of bad input: NaN, inf, complex values, strings, wrong
ndim, mismatched lengths or columns, duplicate or missing columns, integer vs string labels, too few rows, a missing
class, bool/float/str where a count is needed, a negative ``random_state``, and sizes that would not fit in memory.
Each case asserts a ``ValueError`` or ``TypeError`` whose message contains the name of the offending argument.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.spatial.distance import cdist
from sklearn.linear_model import LinearRegression, LogisticRegression

from synutil import bounds, fidelity, plotting, ranking, utility
from synutil.fidelity import classes as fidelity_classes
from synutil.sim import knn, learners, least_squares
from synutil.sim import laws as simulate
from synutil.sim import runner as experiments
from synutil._validation import (
    InputTypeError,
    as_float_array,
    as_matched_pair,
    check_float,
    check_int,
    check_memory,
    check_random_state,
)

RNG = np.random.default_rng(20240609)
X = RNG.normal(size=(40, 2))
Y = RNG.normal(size=(40, 2)) + 0.5
X1 = RNG.normal(size=30)
Y1 = RNG.normal(size=25)
RISKS = RNG.normal(size=(12, 3)) + [0.0, 1.0, 2.0]
LINE = bounds.polynomial_basis(1)
ETA = lambda Z: np.sin(2 * np.pi * Z[..., 0])  # noqa: E731


def _line(Z):
    return np.column_stack([np.ones(len(Z)), Z[:, 0]])


def _with(array, value, where=(3, 1)):
    out = np.array(array, dtype=complex if isinstance(value, complex) else float)
    out[where] = value
    return out


def _nan(a):
    return _with(a, np.nan, (3, 1) if np.ndim(a) == 2 else 3)


def _inf(a):
    return _with(a, np.inf, (3, 1) if np.ndim(a) == 2 else 3)


def _complex(a):
    return np.asarray(a) + 1j


def _strings(a):
    return np.asarray(a).astype(str)


# ------------------------------------------------------------------------------------------ array inputs
# (name, function of the corrupted argument, the clean value of that argument, the argument's name)
ARRAY_CASES = [
    ("mmd2.X", lambda v: fidelity.mmd2(v, Y), X, "X"),
    ("mmd2.Y", lambda v: fidelity.mmd2(X, v), Y, "Y"),
    ("mmd_test.X", lambda v: fidelity.mmd_test(v, Y, n_permutations=5, random_state=0), X, "X"),
    ("median_bandwidth.X", lambda v: fidelity.median_bandwidth(v, Y), X, "X"),
    ("sliced_wasserstein.Y", lambda v: fidelity.sliced_wasserstein(X, v, random_state=0), Y, "Y"),
    ("wasserstein_1d.x", lambda v: fidelity.wasserstein_1d(v, Y1), X1, "x"),
    ("total_variation.y", lambda v: fidelity.total_variation(X, v, bins=4), Y, "y"),
    ("c2st.X", lambda v: fidelity.classifier_two_sample_auc(v, Y, cv=2, random_state=0), X, "X"),
    ("ipm.Y", lambda v: fidelity.ipm(X, v, [lambda Z: Z[:, 0]]), Y, "Y"),
    ("least_squares_fidelity.X_syn", lambda v: fidelity_classes.least_squares_fidelity(
        _line, X, X[:, 0], v, X[:, 1]), X, "X_syn"),
    ("least_squares_fidelity.y_real", lambda v: fidelity_classes.least_squares_fidelity(
        _line, X, v, X, X[:, 1]), X1[:40] if len(X1) >= 40 else np.r_[X1, X1][:40], "y_real"),
    ("basis_residual_class.X_real", lambda v: fidelity_classes.basis_residual_class(_line, ETA, v), X, "X_real"),
    ("generalization_utility.risk_syn", lambda v: utility.generalization_utility(v, X1), X1, "risk_syn"),
    ("generalization_utility.risk_real", lambda v: utility.generalization_utility(X1, v), X1, "risk_real"),
    ("tstr_trtr.X_syn", lambda v: utility.tstr_trtr(LinearRegression(), X, X[:, 0], v, X[:, 0], X, X[:, 0]), X,
     "X_syn"),
    ("ranking_consistency.risks_real", lambda v: ranking.ranking_consistency(v, RISKS), RISKS, "risks_real"),
    ("ranking_consistency.risks_syn", lambda v: ranking.ranking_consistency(RISKS, v), RISKS, "risks_syn"),
    ("generalization_gap.risks", lambda v: ranking.generalization_gap(v), RISKS, "risks"),
    ("kendall_tau.a", lambda v: ranking.kendall_tau(v, X1), X1, "a"),
    ("fit_loglog_slope.y", lambda v: plotting.fit_loglog_slope([1.0, 2.0, 4.0, 8.0], v),
     np.array([1.0, 0.5, 0.25, 0.125]), "y"),
    ("knn_predict.X_train", lambda v: knn.knn_predict(v, X[:, 0], X, n_neighbors=3), X, "X_train"),
    ("fit_least_squares.y_train", lambda v: least_squares.fit_least_squares(LINE, X[None], v[None]), X1[:30] * 0
     + np.arange(30.0), "y_train"),
    ("threshold_erm.x", lambda v: learners.threshold_erm(v, (X1 > 0).astype(int)), X1, "x"),
    ("split_gini.x", lambda v: learners.split_gini(v, (X1 > 0).astype(float), 0.0), X1, "x"),
    ("label_noise_inverse.risk_syn", lambda v: bounds.label_noise_inverse(v, 0.1), np.full(5, 0.3), "risk_syn"),
    ("ranking_failure_bound.variances", lambda v: bounds.ranking_failure_bound(np.zeros(5), v, 1.0),
     np.full(5, 0.01), "variances"),
    ("coverage_constant.points", lambda v: bounds.coverage_constant(np.ones(5), np.ones(5), v), np.arange(5.0),
     "points"),
    ("worst_case_flip.eta", lambda v: bounds.worst_case_flip(v, 0.1), np.full(5, 0.3), "eta"),
]
ARRAY_IDS = [c[0] for c in ARRAY_CASES]


def _raises_naming(call, name, kinds=(ValueError, TypeError)):
    with pytest.raises(kinds) as info:
        call()
    assert name in str(info.value), f"the message does not name {name!r}: {info.value}"
    return info.value


@pytest.mark.parametrize("corrupt", [_nan, _inf], ids=["nan", "inf"])
@pytest.mark.parametrize("case", ARRAY_CASES, ids=ARRAY_IDS)
def test_non_finite_entries_are_refused(case, corrupt):
    _, call, clean, name = case
    if name == "eta":  # probabilities: the message names the rule, eta is in it
        pass
    _raises_naming(lambda: call(corrupt(clean)), name)


@pytest.mark.parametrize("corrupt", [_complex, _strings], ids=["complex", "strings"])
@pytest.mark.parametrize("case", ARRAY_CASES, ids=ARRAY_IDS)
def test_complex_and_string_entries_are_refused(case, corrupt):
    _, call, clean, name = case
    error = _raises_naming(lambda: call(corrupt(clean)), name)
    assert isinstance(error, TypeError) and isinstance(error, ValueError)


def test_object_and_datetime_columns_are_refused_with_the_column_name():
    df = pd.DataFrame({"age": [1.0, 2.0, 3.0], "city": ["a", "b", "c"]})
    with pytest.raises(TypeError, match=r"X has non-numeric column\(s\) \['city'\]|non-numeric column\(s\) \['city'\]"):
        fidelity.mmd2(df, df)
    when = pd.DataFrame({"t": pd.to_datetime(["2020-01-01", "2020-01-02", "2020-01-03"])})
    _raises_naming(lambda: fidelity.sliced_wasserstein(when, when), "X")
    _raises_naming(lambda: fidelity.mmd2(np.array([[1.0], [None], [2.0]], dtype=object), X[:, :1]), "X")
    _raises_naming(lambda: fidelity.mmd2([[1.0, 2.0], [3.0]], X), "X")  # ragged


WRONG_NDIM = [
    ("wasserstein_1d", lambda: fidelity.wasserstein_1d(X, X1), "x"),
    ("mmd2", lambda: fidelity.mmd2(X[None], Y), "X"),
    ("kendall_tau", lambda: ranking.kendall_tau(X, X), "a"),
    ("generalization_utility", lambda: utility.generalization_utility(X, X), "risk_syn"),
    ("ranking_consistency", lambda: ranking.ranking_consistency(RISKS[None], RISKS[None]), "risks_real"),
    ("knn_predict", lambda: knn.knn_predict(X[None, None], X1, X, n_neighbors=1), "X_train"),
    ("fit_least_squares", lambda: least_squares.fit_least_squares(LINE, X1, X1), "X_train"),
    ("fit_loglog_slope", lambda: plotting.fit_loglog_slope(np.ones((3, 2)), np.ones(3)), "x"),
    ("coverage_constant", lambda: bounds.coverage_constant(np.ones(5), np.ones(5), np.ones((5, 1, 1))), "points"),
]


@pytest.mark.parametrize("case", WRONG_NDIM, ids=[c[0] for c in WRONG_NDIM])
def test_wrong_ndim(case):
    _, call, name = case
    _raises_naming(call, name)


MISMATCHED = [
    ("mmd2 columns", lambda: fidelity.mmd2(X, np.ones((5, 3))), "Y"),
    ("sliced_wasserstein columns", lambda: fidelity.sliced_wasserstein(X, np.ones((5, 3))), "Y"),
    ("c2st columns", lambda: fidelity.classifier_two_sample_auc(X, np.ones((40, 3))), "Y"),
    ("generalization_utility lengths", lambda: utility.generalization_utility(X1, X1[:-1]), "risk_real"),
    ("ranking shapes", lambda: ranking.ranking_consistency(RISKS, RISKS[:-1]), "risks_syn"),
    ("kendall lengths", lambda: ranking.kendall_tau(X1, X1[:-1]), "b"),
    ("tstr_trtr y_syn", lambda: utility.tstr_trtr(LinearRegression(), X, X[:, 0], X, X[:-1, 0], X, X[:, 0]),
     "y_syn"),
    ("least_squares_fidelity y_syn", lambda: fidelity_classes.least_squares_fidelity(
        _line, X, X[:, 0], X, X[:-1, 0]), "y_syn"),
    ("knn y_train", lambda: knn.knn_predict(X, X1[:10], X, n_neighbors=1), "y_train"),
    ("threshold_erm y", lambda: learners.threshold_erm(X1, X1[:-1] > 0), "y"),
    ("ranking_failure_bound variances", lambda: bounds.ranking_failure_bound([0.1, 0.1], [0.1], 1.0), "variances"),
    ("fit_loglog_slope", lambda: plotting.fit_loglog_slope([1, 2, 3], [1.0, 2.0, 3.0, 4.0]), "y"),
    ("worst_case_flip d", lambda: bounds.worst_case_flip([0.1, 0.2], [0.1, 0.2, 0.3]), "d"),
    ("decomposition_bound", lambda: bounds.decomposition_bound(kappa=[1.0, 2.0], approx_error_syn=[0.1, 0.1, 0.1],
                                                              response_error=0.0, approx_error_real=0.0), "kappa"),
]


@pytest.mark.parametrize("case", MISMATCHED, ids=[c[0] for c in MISMATCHED])
def test_mismatched_lengths_and_columns(case):
    _, call, name = case
    _raises_naming(call, name)


# ------------------------------------------------------------------------------------------ DataFrames by name
DF_X = pd.DataFrame(X, columns=["age", "income"])
DF_Y = pd.DataFrame(Y, columns=["age", "income"])
DF_RISKS = pd.DataFrame(RISKS, columns=["lr", "rf", "knn"])
DF_SYN = pd.DataFrame(RISKS + RNG.normal(scale=0.3, size=RISKS.shape), columns=["lr", "rf", "knn"])

# (name, f(first frame, second frame) -> number or result, first, second)
FRAME_CASES = [
    ("mmd2", lambda a, b: fidelity.mmd2(a, b), DF_X, DF_Y),
    ("mmd2 linear", lambda a, b: fidelity.mmd2(a, b, estimator="linear", bandwidth=1.0), DF_X, DF_Y),
    ("mmd_test", lambda a, b: fidelity.mmd_test(a, b, n_permutations=20, random_state=0).p_value, DF_X, DF_Y),
    ("median_bandwidth", lambda a, b: fidelity.median_bandwidth(a, b), DF_X, DF_Y),
    ("sliced_wasserstein", lambda a, b: fidelity.sliced_wasserstein(a, b, random_state=0), DF_X, DF_Y),
    ("total_variation", lambda a, b: fidelity.total_variation(a, b, bins=4), DF_X, DF_Y),
    ("c2st", lambda a, b: fidelity.classifier_two_sample_auc(a, b, cv=3, classifier=LogisticRegression(),
                                                             random_state=0).auc, DF_X, DF_Y),
    ("ipm", lambda a, b: fidelity.ipm(a, b, [lambda Z: Z[:, 0] - 2 * Z[:, 1]]).value, DF_X, DF_Y),
    ("least_squares_fidelity", lambda a, b: fidelity_classes.least_squares_fidelity(
        _line, a, DF_X.age * 2 + DF_X.income, b, DF_Y.age * 2 - DF_Y.income).bias, DF_X, DF_Y),
    ("tstr_trtr", lambda a, b: utility.tstr_trtr(LinearRegression(), a, DF_X.age - DF_X.income, b,
                                                 DF_Y.age - 2 * DF_Y.income, a, DF_X.age).gap, DF_X, DF_Y),
    ("ranking_consistency", lambda a, b: ranking.ranking_consistency(a, b).to_dict(), DF_RISKS, DF_SYN),
]
FRAME_IDS = [c[0] for c in FRAME_CASES]


def _same(u, v):
    if isinstance(u, dict):
        assert u.keys() == v.keys()
        for key in u:
            _same(u[key], v[key])
    elif isinstance(u, tuple):
        np.testing.assert_array_equal(np.asarray(u, dtype=float), np.asarray(v, dtype=float))
    else:
        assert u == v or (np.isnan(u) and np.isnan(v)), (u, v)


@pytest.mark.parametrize("case", FRAME_CASES, ids=FRAME_IDS)
def test_reordered_columns_give_the_same_numbers(case):
    _, call, a, b = case
    aligned = call(a, b)
    reordered = call(a, b[list(b.columns[::-1])])
    _same(aligned, reordered)


@pytest.mark.parametrize("case", FRAME_CASES, ids=FRAME_IDS)
def test_missing_extra_duplicate_and_mistyped_columns(case):
    _, call, a, b = case
    first = b.columns[0]
    renamed = b.rename(columns={first: "zzz"})
    error = _raises_naming(lambda: call(a, renamed), "zzz")
    assert "lacks" in str(error) and str(first) in str(error)
    duplicated = b.copy()
    duplicated.columns = [first] * b.shape[1]
    error = _raises_naming(lambda: call(a, duplicated), "duplicate")
    assert str(first) in str(error)
    ints_a = a.set_axis(range(a.shape[1]), axis=1)
    strs_b = b.set_axis([str(i) for i in range(b.shape[1])], axis=1)
    _raises_naming(lambda: call(ints_a, strs_b), "label types")


def test_ranking_consistency_matches_models_by_name():
    # the probe's case: the synthetic table lists the same models in another order
    res = ranking.ranking_consistency(DF_RISKS, DF_RISKS[["knn", "lr", "rf"]])
    assert res.p_same_order == 1.0 and res.mean_tau == 1.0
    with pytest.raises(ValueError, match=r"lacks \['knn'\] and has extra \['svm'\]"):
        ranking.ranking_consistency(DF_RISKS, DF_RISKS.rename(columns={"knn": "svm"}))


def test_series_of_per_model_values_are_matched_by_label():
    u = pd.Series([0.0, 0.01], index=["lr", "rf"])
    v = pd.Series([1e-4, 4e-4], index=["lr", "rf"])
    assert bounds.ranking_failure_bound(u, v[::-1], 0.1) == bounds.ranking_failure_bound(u, v, 0.1)
    with pytest.raises(ValueError, match="index labels"):
        bounds.ranking_failure_bound(u, v.set_axis(["lr", "knn"]), 0.1)
    means_real = pd.Series([0.1, 0.2, 0.3], index=["lr", "rf", "knn"])
    means_syn = pd.Series([0.35, 0.15, 0.25], index=["knn", "lr", "rf"])
    assert ranking.kendall_tau(means_real, means_syn) == 1.0


TOO_FEW = [
    ("mmd2", lambda: fidelity.mmd2(X[:1], Y), "X"),
    ("mmd_test", lambda: fidelity.mmd_test(X, Y[:1]), "Y"),
    ("generalization_utility", lambda: utility.generalization_utility([1.0], [1.0]), "risk_syn"),
    ("kendall_tau", lambda: ranking.kendall_tau([1.0], [2.0]), "a"),
    ("ranking 1 model", lambda: ranking.ranking_consistency(RISKS[:, :1], RISKS[:, :1]), "risks_real"),
    ("fit_loglog_slope", lambda: plotting.fit_loglog_slope([1, 2], [1.0, 2.0]), "x"),
    ("c2st rows < cv", lambda: fidelity.classifier_two_sample_auc(X[:3], Y, cv=5), "X"),
    ("least_squares_fidelity", lambda: fidelity_classes.least_squares_fidelity(_line, X[:1], [1.0], X, X[:, 0]),
     "X_real"),
    ("knn n_neighbors > n", lambda: knn.knn_predict(X[:3], X1[:3], X, n_neighbors=5), "n_neighbors"),
    ("tstr_trtr", lambda: utility.tstr_trtr(LinearRegression(), X[:1], [1.0], X, X[:, 0], X, X[:, 0]), "X_real"),
]


@pytest.mark.parametrize("case", TOO_FEW, ids=[c[0] for c in TOO_FEW])
def test_too_few_rows(case):
    _, call, name = case
    _raises_naming(call, name)


def test_a_missing_class_is_named():
    y = (X[:, 0] > 0).astype(int)
    error = _raises_naming(lambda: utility.tstr_trtr(LogisticRegression(), X, y, X, np.zeros(40, int), X, y,
                                                     loss="zero_one"), "y_syn")
    assert "[1]" in str(error)
    _raises_naming(lambda: utility.tstr_trtr(LogisticRegression(), X, y, X, y, X, np.r_[y[:-1], np.nan],
                                             loss="zero_one"), "y_test")


# ------------------------------------------------------------------------------------------ options
BAD_COUNTS = [2.5, True, "3", None, float("nan"), -1]

# (name, f(value of the option), the option's name)
COUNT_OPTIONS = [
    ("mmd_test.n_permutations", lambda v: fidelity.mmd_test(X, Y, n_permutations=v), "n_permutations"),
    ("mmd2.block_size", lambda v: fidelity.mmd2(X, Y, block_size=v), "block_size"),
    ("sliced_wasserstein.n_projections", lambda v: fidelity.sliced_wasserstein(X, Y, n_projections=v),
     "n_projections"),
    ("total_variation.bins", lambda v: fidelity.total_variation(X, Y, bins=v), "bins"),
    ("c2st.cv", lambda v: fidelity.classifier_two_sample_auc(X, Y, cv=v), "cv"),
    ("generalization_utility.n_boot", lambda v: utility.generalization_utility(
        X1, X1 + 1, method="bootstrap", n_boot=v), "n_boot"),
    ("run_replications.n_replications", lambda v: experiments.run_replications(
        lambda rng: {"v": 1.0}, None, n_replications=v), "n_replications"),
    ("run_replications.seed", lambda v: experiments.run_replications(
        lambda rng: {"v": 1.0}, None, n_replications=1, seed=v), "seed"),
    ("run_replications.n_jobs", lambda v: experiments.run_replications(
        lambda rng: {"v": 1.0}, None, n_replications=1, n_jobs=v if v != -1 else 0), "n_jobs"),
    ("knn_predict.n_neighbors", lambda v: knn.knn_predict(X, X1[:40] if len(X1) >= 40 else np.r_[X1, X1][:40], X,
                                                          n_neighbors=v), "n_neighbors"),
    ("knn_rate_exponent.p", lambda v: bounds.knn_rate_exponent(v), "p"),
    ("knn_rate_neighbors.p", lambda v: knn.knn_rate_neighbors(100, v), "p"),
    ("polynomial_basis.degree", lambda v: bounds.polynomial_basis(v), "degree"),
    ("quadrature_rule.n_nodes", lambda v: bounds.quadrature_rule(simulate.UniformLaw(), n_nodes=v), "n_nodes"),
    ("least_squares_first_order.n", lambda v: bounds.least_squares_first_order(
        LINE, eta=ETA, real_law=simulate.UniformLaw(), syn_law=simulate.UniformLaw(), n=v, m=10, noise_sd=1.0), "n"),
    ("least_squares_population_bias.n_samples", lambda v: bounds.least_squares_population_bias(
        LINE, eta=ETA, real_law=simulate.UniformLaw(), syn_law=simulate.UniformLaw(), method="monte_carlo",
        n_samples=v), "n_samples"),
    ("UniformLaw.sample.n", lambda v: simulate.UniformLaw().sample(v), "n"),
    ("RegressionModel.sample.replications", lambda v: simulate.sine_regression().sample(5, replications=v),
     "replications"),
    ("simulate_least_squares_risks.n_replications", lambda v: least_squares.simulate_least_squares_risks(
        LINE, model=simulate.sine_regression(), generator=simulate.sine_regression(), n=5, m=5, n_replications=v),
     "n_replications"),
    ("residual_moment_class.n_features", lambda v: fidelity_classes.residual_moment_class(
        _line, [1.0, 2.0], n_features=v if v is not None else 0), "n_features"),
    ("WavyBoundaryClassification.bayes_risk.n_nodes", lambda v: learners.WavyBoundaryClassification().bayes_risk(
        n_nodes=v), "n_nodes"),
]


@pytest.mark.parametrize("value", BAD_COUNTS, ids=["2.5", "True", "str", "None", "nan", "negative"])
@pytest.mark.parametrize("case", COUNT_OPTIONS, ids=[c[0] for c in COUNT_OPTIONS])
def test_counts_are_never_truncated_or_coerced(case, value):
    _, call, name = case
    if name in ("bins", "replications") and value is None:
        pytest.skip("None is a valid value here (discrete data; no replication axis)")
    _raises_naming(lambda: call(value), name)


BAD_NUMBERS = [
    ("generalization_utility.confidence", lambda v: utility.generalization_utility(X1, X1 + 1, confidence=v),
     "confidence"),
    ("ranking_consistency.confidence", lambda v: ranking.ranking_consistency(RISKS, RISKS, confidence=v),
     "confidence"),
    ("fit_loglog_slope.confidence", lambda v: plotting.fit_loglog_slope([1, 2, 4], [1.0, 0.5, 0.2], confidence=v),
     "confidence"),
    ("required_replications.power", lambda v: utility.required_replications(0.1, 1.0, power=v), "power"),
    ("required_replications.gap", lambda v: utility.required_replications(v, 1.0), "gap"),
    ("mmd2.bandwidth", lambda v: fidelity.mmd2(X, Y, bandwidth=v), "bandwidth"),
    ("wasserstein_1d.p", lambda v: fidelity.wasserstein_1d(X1, Y1, p=v), "p"),
    ("label_noise_risk.rho", lambda v: bounds.label_noise_risk(0.1, v), "rho"),
    ("ranking_margin_ratio.gap", lambda v: bounds.ranking_margin_ratio([0.1], v), "gap"),
    ("low_noise_worst_case.alpha", lambda v: bounds.low_noise_worst_case(0.1, alpha=v, C=2.0), "alpha"),
    ("low_noise_worst_case.C", lambda v: bounds.low_noise_worst_case(0.1, alpha=1.0, C=v), "C"),
    ("decomposition_bound.kappa", lambda v: bounds.decomposition_bound(
        kappa=v, approx_error_syn=0.1, response_error=0.1, approx_error_real=0.1), "kappa"),
    ("least_squares_first_order.noise_sd", lambda v: bounds.least_squares_first_order(
        LINE, eta=ETA, real_law=simulate.UniformLaw(), syn_law=simulate.UniformLaw(), n=10, m=10, noise_sd=v),
     "noise_sd"),
    ("fit_least_squares.ridge", lambda v: least_squares.fit_least_squares(LINE, X[None, :, :1], X[None, :, 1],
                                                                          ridge=v), "ridge"),
    ("sine_regression.noise_sd", lambda v: simulate.sine_regression(noise_sd=v), "noise_sd"),
    ("BetaLaw.a", lambda v: simulate.BetaLaw(v, 2.0), "a"),
    ("MarginClassification.alpha", lambda v: simulate.MarginClassification(alpha=v), "alpha"),
    ("coverage_constant.atol", lambda v: bounds.coverage_constant(np.ones(3), np.ones(3), np.arange(3.0), atol=v),
     "atol"),
]


@pytest.mark.parametrize("value", ["0.5", None, float("nan"), 1 + 0j, True], ids=["str", "None", "nan", "complex",
                                                                                  "bool"])
@pytest.mark.parametrize("case", BAD_NUMBERS, ids=[c[0] for c in BAD_NUMBERS])
def test_numbers_are_never_coerced(case, value):
    _, call, name = case
    if name == "kappa" and isinstance(value, complex):
        pass
    _raises_naming(lambda: call(value), name)


RANDOM_STATE_CALLS = [
    ("mmd_test", lambda r: fidelity.mmd_test(X, Y, n_permutations=5, random_state=r)),
    ("sliced_wasserstein", lambda r: fidelity.sliced_wasserstein(X, Y, random_state=r)),
    ("c2st", lambda r: fidelity.classifier_two_sample_auc(X, Y, cv=2, random_state=r)),
    ("generalization_utility", lambda r: utility.generalization_utility(X1, X1 + 1, method="bootstrap",
                                                                        random_state=r)),
    ("UniformLaw.sample", lambda r: simulate.UniformLaw().sample(5, random_state=r)),
    ("RegressionModel.sample", lambda r: simulate.sine_regression().sample(5, random_state=r)),
    ("MarginClassification.sample", lambda r: simulate.MarginClassification().sample(5, random_state=r)),
    ("WavyBoundaryClassification.sample", lambda r: learners.WavyBoundaryClassification().sample(5, random_state=r)),
    ("least_squares_population_bias", lambda r: bounds.least_squares_population_bias(
        LINE, eta=ETA, real_law=simulate.UniformLaw(), syn_law=simulate.UniformLaw(), random_state=r)),
    ("simulate_least_squares_risks", lambda r: least_squares.simulate_least_squares_risks(
        LINE, model=simulate.sine_regression(), generator=simulate.sine_regression(), n=5, m=5, n_replications=2,
        random_state=r)),
]


@pytest.mark.parametrize("value", [-1, 1.5, "0", True], ids=["negative", "float", "str", "bool"])
@pytest.mark.parametrize("case", RANDOM_STATE_CALLS, ids=[c[0] for c in RANDOM_STATE_CALLS])
def test_bad_random_state(case, value):
    _, call = case
    _raises_naming(lambda: call(value), "random_state")


def test_random_state_accepts_generators_seed_sequences_and_legacy_random_state():
    a = fidelity.sliced_wasserstein(X, Y, random_state=np.random.default_rng(3))
    b = fidelity.sliced_wasserstein(X, Y, random_state=np.random.SeedSequence(3))
    assert a == b
    c = fidelity.sliced_wasserstein(X, Y, random_state=np.random.RandomState(3))
    d = fidelity.sliced_wasserstein(X, Y, random_state=np.random.RandomState(3))
    assert c == d
    assert fidelity.sliced_wasserstein(X, Y, random_state=np.int64(3)) == fidelity.sliced_wasserstein(
        X, Y, random_state=3)


HUGE = [
    ("mmd_test n_permutations=10**8", lambda: fidelity.mmd_test(X, Y, n_permutations=10**8), "n_permutations"),
    ("ranking 5,000 models", lambda: ranking.ranking_consistency(np.ones((20, 5000)), np.ones((20, 5000))),
     "models"),
    ("bootstrap n_boot=10**11", lambda: utility.generalization_utility(X1, X1 + 1, method="bootstrap",
                                                                        n_boot=10**11), "n_boot"),
    ("sample 10**11 rows", lambda: simulate.UniformLaw().sample(10**11), "rows"),
    ("run_replications 10**9", lambda: experiments.run_replications(lambda rng: {"v": 1}, None,
                                                                      n_replications=10**9), "n_replications"),
    ("population bias n_samples", lambda: bounds.least_squares_population_bias(
        LINE, eta=ETA, real_law=simulate.UniformLaw(), syn_law=simulate.UniformLaw(), method="monte_carlo",
        n_samples=10**11), "n_samples"),
    ("sliced_wasserstein n_projections", lambda: fidelity.sliced_wasserstein(X, Y, n_projections=10**10),
     "n_projections"),
    ("quadrature n_nodes", lambda: bounds.quadrature_rule(simulate.UniformLaw(), n_nodes=10**11), "n_nodes"),
]


@pytest.mark.parametrize("case", HUGE, ids=[c[0] for c in HUGE])
def test_huge_sizes_are_refused_before_allocating(case):
    _, call, name = case
    error = _raises_naming(call, name, kinds=(ValueError,))
    assert "GiB" in str(error) and not isinstance(error, MemoryError)


def test_memory_limit_can_be_raised(monkeypatch):
    monkeypatch.setenv("SYNUTIL_MAX_BYTES", str(2**50))
    check_memory(2**45, what="x", fix="y")
    monkeypatch.setenv("SYNUTIL_MAX_BYTES", "1000")
    with pytest.raises(ValueError, match="above the"):
        check_memory(2000, what="x", fix="y")


# ------------------------------------------------------------------------------------------ numerics: MMD
def _mmd2_reference(A, B, h):
    k = lambda U, V: np.exp(-cdist(U, V, "sqeuclidean") / (2 * h * h))  # noqa: E731
    n, m = len(A), len(B)
    kxx, kyy = k(A, A), k(B, B)
    return (kxx.sum() - np.trace(kxx)) / (n * (n - 1)) + (kyy.sum() - np.trace(kyy)) / (m * (m - 1)) \
        - 2 * k(A, B).mean()


@pytest.mark.parametrize("shift", [1e3, 1e9, 1e10, 1e15])
def test_mmd2_far_apart_samples_match_the_reference_and_stay_in_range(shift):
    A, B = RNG.normal(size=(120, 2)), RNG.normal(size=(100, 2)) + shift
    h = fidelity.median_bandwidth(A, B)
    value = fidelity.mmd2(A, B)
    assert abs(value - _mmd2_reference(A, B, h)) < 1e-12
    assert -0.1 < value <= 2.0
    test = fidelity.mmd_test(A, B, n_permutations=20, random_state=0)
    assert abs(test.statistic - value) < 1e-12 and test.p_value == pytest.approx(1 / 21)


def test_mmd_with_an_extreme_outlier_is_finite_and_right():
    A, B = RNG.normal(size=(150, 2)), RNG.normal(size=(150, 2))
    A_out = A.copy()
    A_out[0, 0] = 1e200
    h = fidelity.median_bandwidth(A_out, B)
    value = fidelity.mmd2(A_out, B)
    assert np.isfinite(value) and abs(value - _mmd2_reference(A_out, B, h)) < 1e-12
    test = fidelity.mmd_test(A_out, B, n_permutations=50, random_state=0)
    assert np.isfinite(test.statistic) and test.p_value > 0.05  # same law: no spurious detection


def test_mmd_near_the_float64_limit_equals_the_rescaled_value():
    A, B = RNG.uniform(-1, 1, size=(100, 2)), RNG.uniform(-1, 1, size=(100, 2)) * 0.8 + 0.1
    assert fidelity.mmd2(A * 1.7e308, B * 1.7e308) == pytest.approx(fidelity.mmd2(A, B), abs=1e-12)
    assert fidelity.mmd_test(A * 1.7e308, B * 1.7e308, n_permutations=20, random_state=0).p_value == \
        fidelity.mmd_test(A, B, n_permutations=20, random_state=0).p_value


@pytest.mark.parametrize("bandwidth", [0.05, 0.3, 1.0, 7.0])
def test_mmd_matches_the_reference_on_ordinary_and_heavy_tailed_data(bandwidth):
    A, B = RNG.standard_cauchy(size=(150, 3)), RNG.standard_cauchy(size=(130, 3))
    h = fidelity.median_bandwidth(A, B)
    assert abs(fidelity.mmd2(A, B) - _mmd2_reference(A, B, h)) < 1e-12
    assert abs(fidelity.mmd_test(A, B, n_permutations=3, random_state=0).statistic
               - _mmd2_reference(A, B, h)) < 1e-12
    C, D = RNG.normal(size=(150, 2)), RNG.normal(size=(130, 2)) + 0.3
    assert abs(fidelity.mmd2(C, D, bandwidth=bandwidth) - _mmd2_reference(C, D, bandwidth)) < 1e-12
    assert abs(fidelity.mmd2(C, D, bandwidth=bandwidth, block_size=17) - _mmd2_reference(C, D, bandwidth)) < 1e-12


def test_mmd_refuses_a_bandwidth_off_the_data_scale():
    _raises_naming(lambda: fidelity.mmd2(X, Y, bandwidth=1e-6), "bandwidth")
    _raises_naming(lambda: fidelity.mmd2(X, Y, bandwidth=1e9), "bandwidth")
    _raises_naming(lambda: fidelity.mmd_test(X, Y, bandwidth=1e-6), "bandwidth")


@pytest.mark.parametrize("scale", [1e-150, 1e150, 1.5e307])
def test_wasserstein_distances_are_scale_equivariant_near_the_float64_limits(scale):
    a, b = RNG.uniform(-1, 1, 50), RNG.uniform(-1, 1, 40) + 0.2
    for p in (1, 2):
        assert fidelity.wasserstein_1d(a * scale, b * scale, p=p) == pytest.approx(
            fidelity.wasserstein_1d(a, b, p=p) * scale, rel=1e-12)
    A, B = RNG.uniform(-1, 1, size=(30, 2)), RNG.uniform(-1, 1, size=(20, 2))
    assert fidelity.sliced_wasserstein(A * scale, B * scale, random_state=0) == pytest.approx(
        fidelity.sliced_wasserstein(A, B, random_state=0) * scale, rel=1e-12)


def test_generalization_gap_and_utility_with_huge_values_are_right_or_refused():
    assert ranking.generalization_gap([[1e308, 1.5e308], [1e308, 1.5e308]]) == pytest.approx(5e307)
    _raises_naming(lambda: ranking.generalization_gap([1.7e308, -1.7e308]), "rescale")
    res = utility.generalization_utility([1e200, 2e200, 3e200], [1e200, 2e200, 4e200])
    assert np.isfinite(res.ci_low) and np.isfinite(res.ci_high)
    _raises_naming(lambda: utility.generalization_utility([1.7e308, -1.7e308], [-1.7e308, 0.0]), "rescale")


# ------------------------------------------------------------------------------------------ C2ST
def test_c2st_identical_and_bootstrap_copies_are_indistinguishable():
    A = RNG.normal(size=(150, 2))
    assert fidelity.classifier_two_sample_auc(A, A.copy(), random_state=0).auc == 0.5
    boot = A[np.random.default_rng(1).integers(0, 150, 150)]
    res = fidelity.classifier_two_sample_auc(A, boot, random_state=0)
    assert abs(res.auc - 0.5) < 0.1  # was 0.32: copies in training folds with the opposite label


def test_c2st_groups_only_values_shared_by_both_samples():
    # discrete real data with many repeated rows, none of them in Y: a real difference, still detected
    A = (RNG.normal(size=(80, 2)) > 0).astype(float)
    B = RNG.normal(size=(80, 2)) + 0.3
    assert fidelity.classifier_two_sample_auc(A, B, random_state=0).auc > 0.9
    # the same law on both sides, discrete: indistinguishable
    C = (RNG.normal(size=(80, 2)) > 0).astype(float)
    assert abs(fidelity.classifier_two_sample_auc(A, C, random_state=0).auc - 0.5) < 0.15


def test_c2st_without_duplicates_keeps_the_stratified_folds():
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold

    A, B = RNG.normal(size=(60, 2)), RNG.normal(size=(60, 2)) + 0.7
    res = fidelity.classifier_two_sample_auc(A, B, cv=3, random_state=5)
    seed = int(np.random.default_rng(5).integers(2**31 - 1))
    Z, lab = np.vstack([A, B]), np.r_[np.ones(60, int), np.zeros(60, int)]
    aucs = []
    for train, test in StratifiedKFold(3, shuffle=True, random_state=seed).split(Z, lab):
        model = HistGradientBoostingClassifier(random_state=seed).fit(Z[train], lab[train])
        aucs.append(roc_auc_score(lab[test], model.predict_proba(Z[test])[:, 1]))
    assert res.auc == pytest.approx(np.mean(aucs), abs=1e-12)


def test_c2st_seeds_a_user_classifier_without_random_state():
    from sklearn.ensemble import RandomForestClassifier

    a = fidelity.classifier_two_sample_auc(X, Y, classifier=RandomForestClassifier(n_estimators=10), cv=3,
                                           random_state=2)
    b = fidelity.classifier_two_sample_auc(X, Y, classifier=RandomForestClassifier(n_estimators=10), cv=3,
                                           random_state=2)
    assert a == b
    _raises_naming(lambda: fidelity.classifier_two_sample_auc(X, Y, classifier="forest"), "classifier")


# ------------------------------------------------------------------------------------------ bounds in range
def test_decomposition_bound_refuses_inputs_outside_the_theorem():
    error = _raises_naming(lambda: bounds.theorem1_bound(kappa=1.0, approx_error_syn=0.0, response_error=0.0,
                                                          approx_error_real=1.0), "approx_error_real")
    assert "hypotheses" in str(error)
    grid = np.linspace(0.0, 2.0, 11)
    values = bounds.decomposition_bound(kappa=4.0, approx_error_syn=grid[:, None], response_error=0.3,
                                        approx_error_real=np.minimum(grid[None, :], 0.3))
    assert np.all(values >= 0)


def test_coverage_constant_is_at_least_one_or_refused():
    assert bounds.coverage_constant(simulate.UniformLaw().pdf, simulate.UniformLaw().pdf,
                                    np.linspace(0, 1, 11)) == 1.0
    _raises_naming(lambda: bounds.coverage_constant(np.full(3, 0.5), np.ones(3), np.arange(3.0)), "points")


@pytest.mark.parametrize("rho", [0.0, 0.2, 0.45])
def test_label_noise_inverse_stays_in_the_unit_interval(rho):
    r = np.linspace(0, 1, 101)
    out = bounds.label_noise_inverse(r, rho)
    assert np.all((out >= 0) & (out <= 1))
    inside = (r >= rho) & (r <= 1 - rho)
    np.testing.assert_allclose(out[inside], (r[inside] - rho) / (1 - 2 * rho), rtol=0, atol=1e-15)
    raw = bounds.label_noise_inverse(r, rho, clip=False)
    np.testing.assert_allclose(raw, (r - rho) / (1 - 2 * rho), rtol=0, atol=1e-15)


def test_low_noise_bounds_stay_finite_and_in_their_domain():
    assert bounds.low_noise_exact_excess(0.5, alpha=3000.0) == pytest.approx(3000 / 3001)
    _raises_naming(lambda: bounds.low_noise_worst_case(2.0, alpha=1.0, C=1.0), "d")
    _raises_naming(lambda: bounds.low_noise_worst_case(0.5, alpha=1.0, C=1e308), "C")


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_least_squares_fidelity_refuses_overflow_and_non_finite_basis():
    A = RNG.uniform(size=(50, 1))
    _raises_naming(lambda: fidelity_classes.least_squares_fidelity(lambda Z: np.column_stack(
        [np.ones(len(Z)), 1 / (Z[:, 0] - Z[0, 0])]), A, A[:, 0], A, A[:, 0]), "basis")
    _raises_naming(lambda: fidelity_classes.least_squares_fidelity(lambda Z: np.column_stack(
        [np.ones(len(Z)), Z[:, 0] * 1e200]), A, A[:, 0], A, A[:, 0]), "rescale")


# ------------------------------------------------------------------------------------------ the helpers
def test_check_int_and_check_float():
    assert check_int(np.int32(4), name="n") == 4 and check_int(1e3, name="n") == 1000
    for bad in (2.5, True, "3", None, float("inf")):
        _raises_naming(lambda: check_int(bad, name="n_things"), "n_things")
    assert check_float(np.float32(0.5), name="x") == 0.5 and check_float(3, name="x") == 3.0
    for bad in ("0.5", True, None, float("nan"), 1j):
        _raises_naming(lambda: check_float(bad, name="level"), "level")
    _raises_naming(lambda: check_float(2.0, name="level", low=0, high=1), "level")


def test_check_random_state_policy():
    assert isinstance(check_random_state(None), np.random.Generator)
    g = np.random.default_rng(0)
    assert check_random_state(g) is g
    for bad in (-1, 1.5, "0", True, [1, 2]):
        _raises_naming(lambda: check_random_state(bad), "random_state")


def test_as_float_array_and_matched_pair_messages():
    _raises_naming(lambda: as_float_array(np.zeros((3, 0)), name="X"), "X")
    frame = pd.DataFrame({"a": pd.array([1, None, 3], dtype="Int64")})
    error = _raises_naming(lambda: as_float_array(frame, name="X"), "X")
    assert "['a']" in str(error)
    a = pd.DataFrame([[1.0, 2.0]], columns=["u", "v"])
    X2, Y2 = as_matched_pair(a, a[["v", "u"]])
    np.testing.assert_array_equal(X2, Y2)
    with pytest.raises(InputTypeError):
        as_float_array(["1.5", "2"], name="x")


# ------------------------------------------------------------------------------------------ datasets, torch models
def test_dataset_loaders_refuse_bad_options_and_files(tmp_path):
    from synutil import datasets

    _raises_naming(lambda: datasets.load_digits_data(scale="no"), "scale")
    _raises_naming(lambda: datasets.load_mnist(None), "path")
    _raises_naming(lambda: datasets.load_mnist(tmp_path, split=["train"]), "split")
    _raises_naming(lambda: datasets.load_mnist(tmp_path, scale=1), "scale")
    file = tmp_path / "mnist.npz"
    np.savez(file, x_train=np.full((2, 28, 28), 300.0), y_train=np.array([3, 5]))
    _raises_naming(lambda: datasets.load_mnist(file), "grey levels")
    np.savez(file, x_train=np.full((2, 28, 28), 3.0), y_train=np.array([3.5, np.nan]))
    _raises_naming(lambda: datasets.load_mnist(file), "labels")
    np.savez(file, x_train=np.full((2, 28, 28), 3.0 + 1j), y_train=np.array([3, 5]))
    _raises_naming(lambda: datasets.load_mnist(file), "images")


@pytest.mark.parametrize("option, value", [("epochs", True), ("epochs", 2.5), ("epochs", "3"), ("lr", float("inf")),
                                           ("lr", "0.1"), ("weight_decay", "0"), ("n_threads", 1.5),
                                           ("batch_size", 0.5), ("random_state", -1), ("hidden", (10**9,))])
def test_torch_classifier_options(option, value):
    torch_models = pytest.importorskip("synutil.sim.torch_models")
    clf = torch_models.TorchMLPClassifier(epochs=2, n_threads=1).set_params(**{option: value})
    name = "hidden" if option == "hidden" else option
    _raises_naming(lambda: clf.fit(X, (X[:, 0] > 0).astype(int)), name)


def test_torch_classifier_refuses_missing_labels_and_fractional_image_shape():
    torch_models = pytest.importorskip("synutil.sim.torch_models")
    labels = np.array([0, None] * 20, dtype=object)
    _raises_naming(lambda: torch_models.TorchMLPClassifier(epochs=2).fit(X, labels), "y")
    _raises_naming(lambda: torch_models.SmallCNNClassifier(image_shape=(2.5, 2)).fit(X[:, :2].repeat(2, axis=1)[:, :4],
                                                                                     (X[:, 0] > 0).astype(int)),
                   "image_shape")


@pytest.mark.parametrize("old, new", sorted(__import__("synutil._compat", fromlist=["MOVED"]).MOVED.items()))
def test_old_module_paths_still_import_as_the_moved_module(old, new):
    """Code written against the flat layout keeps working: the old name is the new module itself, and a public
    old name warns (once per process: a second import finds the module in ``sys.modules``)."""
    import importlib
    import sys
    import warnings

    seen_before = old in sys.modules
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        module = importlib.import_module(old)
    assert module is importlib.import_module(new)
    assert module.__spec__.name == new
    warned = any(issubclass(w.category, DeprecationWarning) and new in str(w.message) for w in caught)
    public = not old.rsplit(".", 1)[-1].startswith("_")
    if not seen_before:
        assert warned == public, (old, [str(w.message) for w in caught])
