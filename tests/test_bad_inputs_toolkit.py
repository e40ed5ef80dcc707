"""Issue 9 for the toolkit modules written after the first audit: ensemble, inference, privacy, tables,
evaluation (core, losses, models, report, CLI) and the self-consuming chains.

Every bad input raises a ``ValueError`` or ``TypeError`` whose message names the argument (or the column, the
model, the table) and says what to fix; nothing fails deep inside numpy/pandas/scikit-learn, and nothing returns
NaN, infinity or a number computed from a silently coerced option. Each row of the tables below is a case the
code before this audit got wrong (an opaque error, or a silent wrong answer). The last part checks valid edge
cases: columns given in another order give the same numbers, and options that are whole numbers written as floats
are accepted.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

from synutil import ensemble, inference, privacy
from synutil.evaluation import default_models, evaluate
from synutil.evaluation.cli import main as cli_main
from synutil.evaluation.report import render_report, write_report
from synutil.generators import KDEGenerator
from synutil.sim import selfconsuming as sc
from synutil.tables import (
    TableEncoder,
    column_fidelity,
    infer_schema,
    mixed_table,
    pairwise_fidelity,
)

RNG = np.random.default_rng(20240610)
X50 = RNG.normal(size=50)
XY = RNG.normal(size=(60, 2))
Y60 = XY @ [1.0, 2.0] + RNG.normal(size=60)
EST, VAR = [1.0, 1.2, 0.9, 1.1], [0.01, 0.012, 0.011, 0.009]
R1, R2 = [1.7, 1.8, 1.6], [1.6, 1.65, 1.55]
LINE = ensemble.fit_ensemble_risk(R1, R2, noise_variance=1.0)
INTERVAL = inference.synthetic_mean_interval(X50, n_real=50)
REAL = mixed_table(300, random_state=0)
TRAIN, TEST = REAL.iloc[:150].reset_index(drop=True), REAL.iloc[150:].reset_index(drop=True)
SYN = mixed_table(150, random_state=1)
SCHEMA = infer_schema(TRAIN)
SMALL_TRAIN, SMALL_TEST, SMALL_SYN = TRAIN.iloc[:80], TEST.iloc[:80], SYN.iloc[:80]
MODELS = {"lr": LogisticRegression(max_iter=500), "tree": DecisionTreeClassifier(max_depth=3, random_state=0)}
HUGE = pd.DataFrame({"a": [1e200, -1e200, 0.0, 1.0], "b": [1.0, 2.0, 3.0, 4.0]})


def _evaluate(train=SMALL_TRAIN, test=SMALL_TEST, syn=SMALL_SYN, **options):
    args = {"target": "purchased", "models": MODELS, "n_replications": 20, "random_state": 0, "progress": False,
            "fidelity": False, "privacy": False}
    args.update(options)
    return evaluate(train, test, syn, **args)


class _ArrayGenerator:
    """A generator whose ``sample`` returns a bare array instead of ``(X, y)``."""

    def fit(self, X):
        self.X = X
        return self

    def sample(self, n, random_state=None):
        return np.zeros((n, self.X.shape[1]))


class _NaNGenerator(_ArrayGenerator):
    def sample(self, n, random_state=None):
        return np.full((n, self.X.shape[1]), np.nan), None


def _no_random_state(train, n):  # a generator callable with the wrong signature
    return train


# ------------------------------------------------------------------------------------------------ bad inputs
# (id, call, regex the message must match; it names the offending argument, column, model or table)
CASES = [
    # tables: schema and checks
    ("infer_schema.complex column", lambda: infer_schema(pd.DataFrame({"a": [1 + 1j, 2.0]})),
     r"column 'a' of data has complex values"),
    ("infer_schema.list column", lambda: infer_schema(pd.DataFrame({"a": [[1], [2]]})),
     r"column 'a' holds values that cannot be compared"),
    ("infer_schema.kinds list", lambda: infer_schema(TRAIN, kinds=["age"]), r"kinds must be a dict"),
    ("infer_schema.target list", lambda: infer_schema(TRAIN, target=["purchased"]),
     r"target must be one column name"),
    ("infer_schema.target label type", lambda: infer_schema(pd.DataFrame({0: [1.0, 2.0], 1: [0, 1]}), target="1"),
     r"target '1' is not a column.*label type"),
    ("check.columns string", lambda: SCHEMA.check(SYN, columns="age"), r"columns must be a list of column names"),
    ("check.complex column", lambda: SCHEMA.check(SYN.assign(age=SYN.age + 1j), name="synthetic"),
     r"column 'age' of synthetic has complex values"),
    ("TableEncoder.columns twice", lambda: TableEncoder(SCHEMA, columns=["age", "age"]).fit(TRAIN),
     r"columns names column\(s\) \['age'\] more than once"),
    ("TableEncoder.fit overflow", lambda: TableEncoder(infer_schema(HUGE)).fit(HUGE),
     r"column 'a' of real_train is too large to scale"),
    ("TableEncoder.fit overflow minmax", lambda: TableEncoder(infer_schema(HUGE * 1e108), scale="minmax").fit(
        HUGE * 1e108), r"column 'a' of real_train is too large to scale"),
    ("column_fidelity.real array", lambda: column_fidelity(TRAIN.to_numpy(), SYN),
     r"^real must be a pandas DataFrame"),
    ("column_fidelity.complex", lambda: column_fidelity(TRAIN, SYN.assign(age=SYN.age + 1j)),
     r"column 'age' of synthetic has complex values"),
    ("pairwise_fidelity.overflow", lambda: pairwise_fidelity(HUGE.assign(a=[1e160, -1e160, 0.0, 1.0]), HUGE.assign(
        a=[1.0, -1.0, 0.0, 1.0])), r"column 'a' of real is too large for correlations"),
    ("mixed_table.missing string", lambda: mixed_table(10, missing="0.1"), r"missing must be a share"),
    ("mixed_table.missing complex", lambda: mixed_table(10, missing=0.1 + 0j), r"missing must be a share"),
    ("mixed_table.huge", lambda: mixed_table(10**11), r"lower n"),
    # privacy
    ("dcr.alpha string", lambda: privacy.distance_to_closest_record(TRAIN, TEST, SYN, alpha="0.05"),
     r"alpha must lie strictly between 0 and 1"),
    ("dcr.alpha complex", lambda: privacy.distance_to_closest_record(TRAIN, TEST, SYN, alpha=0.05 + 0j),
     r"alpha must lie strictly between 0 and 1"),
    ("dcr.real_train array", lambda: privacy.distance_to_closest_record(TRAIN.to_numpy(), TEST, SYN),
     r"^real_train must be a pandas DataFrame"),
    ("dcr.encoder other columns", lambda: privacy.distance_to_closest_record(
        TRAIN, TEST, SYN, encoder=TableEncoder(infer_schema(TRAIN[["age"]])).fit(TRAIN[["age"]])),
     r"encoder was built for the columns \['age'\]"),
    ("dcr.overflow", lambda: privacy.distance_to_closest_record(HUGE, HUGE, HUGE),
     r"column 'a' of real_train is too large to scale"),
    ("exact_copy_mask.reference array", lambda: privacy.exact_copy_mask(TRAIN.to_numpy(), SYN),
     r"^reference must be a pandas DataFrame"),
    ("exact_copy_mask.schema", lambda: privacy.exact_copy_mask(TRAIN, SYN, schema="auto"),
     r"schema must be a TableSchema"),
    ("exact_copy_mask.complex", lambda: privacy.exact_copy_mask(pd.DataFrame({"a": [1.0]}), pd.DataFrame(
        {"a": [1 + 1j]})), r"column 'a' of data has complex values"),
    # inference
    ("corrected_df.n_real string", lambda: inference.corrected_degrees_of_freedom("100", 100),
     r"n_real must be an integer"),
    ("corrected_df.n_sets complex", lambda: inference.corrected_degrees_of_freedom(100, 100, n_sets=2 + 0j),
     r"n_sets must be an integer"),
    ("mean_interval.n_real string", lambda: inference.synthetic_mean_interval(X50, n_real="50"),
     r"n_real must be an integer"),
    ("mean_interval.axis string", lambda: inference.synthetic_mean_interval(X50, n_real=50, axis="0"),
     r"axis must be an integer"),
    ("mean_interval.axis None", lambda: inference.synthetic_mean_interval(X50, n_real=50, axis=None),
     r"axis must be an integer"),
    ("mean_interval.axis bool", lambda: inference.synthetic_mean_interval(np.ones((3, 5)) + np.arange(5), n_real=50,
                                                                         axis=True), r"axis must be an integer"),
    ("mean_interval.table of columns", lambda: inference.synthetic_mean_interval(
        pd.DataFrame({"a": X50, "b": X50 + 1}), n_real=50), r"x_syn is a DataFrame with 2 columns.*axis=0"),
    ("mean_interval.overflow", lambda: inference.synthetic_mean_interval(np.r_[X50, 1e300, -1e300], n_real=50),
     r"x_syn is not finite.*rescale"),
    ("regression_interval.fit_intercept int", lambda: inference.synthetic_regression_interval(
        XY, Y60, n_real=50, fit_intercept=1), r"fit_intercept must be True or False"),
    ("regression_interval.fit_intercept str", lambda: inference.synthetic_regression_interval(
        XY, Y60, n_real=50, fit_intercept="no"), r"fit_intercept must be True or False"),
    ("regression_interval.nearly collinear", lambda: inference.synthetic_regression_interval(
        np.c_[XY, XY[:, 0] + 1e-13 * np.sin(np.arange(60))], Y60, n_real=50),
     r"X_syn: the synthetic design is singular"),
    ("regression_interval.overflow", lambda: inference.synthetic_regression_interval(XY * 1e200, Y60, n_real=50),
     r"X_syn\^T X_syn is not finite.*rescale"),
    ("combine.axis string", lambda: inference.combine_synthetic_sets(EST, VAR, n_real=100, n_synthetic=500,
                                                                    axis="0"), r"axis must be an integer"),
    ("combine.n_params string", lambda: inference.combine_synthetic_sets(EST, VAR, n_real=100, n_synthetic=500,
                                                                        n_params="2"), r"n_params must be an integer"),
    ("combine.overflow", lambda: inference.combine_synthetic_sets([1e308, -1e308, 1e308], [0.1, 0.1, 0.1],
                                                                  n_real=100, n_synthetic=500),
     r"estimates, variances is not finite"),
    ("naive_coverage.bool", lambda: inference.naive_coverage(True, 100), r"n_real must be a positive"),
    ("naive_coverage.string", lambda: inference.naive_coverage(100, "100"), r"n_synthetic must be a positive"),
    ("naive_coverage.complex", lambda: inference.naive_coverage(100 + 1j, 100), r"n_real must be a positive"),
    ("naive_coverage.shapes", lambda: inference.naive_coverage([10, 20, 30], [10, 20]),
     r"n_real and n_synthetic must broadcast"),
    ("covers.nan", lambda: INTERVAL.covers(np.nan), r"value must be finite"),
    ("covers.string", lambda: INTERVAL.covers("0"), r"value must be numeric"),
    ("naive_covers.complex", lambda: INTERVAL.naive_covers(1j), r"value must be numeric"),
    # ensemble
    ("fit_ensemble_risk.noise_variance string", lambda: ensemble.fit_ensemble_risk(R1, R2, noise_variance="1"),
     r"noise_variance must be a finite number"),
    ("fit_ensemble_risk.noise_variance bool", lambda: ensemble.fit_ensemble_risk(R1, R2, noise_variance=True),
     r"noise_variance must be a finite number"),
    ("fit_ensemble_risk.rate bool", lambda: ensemble.fit_ensemble_risk(R1, R2, rate=True), r"rate must be"),
    ("fit_ensemble_risk.rate string", lambda: ensemble.fit_ensemble_risk(R1, R2, rate="1"), r"rate must be"),
    ("fit_ensemble_risk.rate tiny", lambda: ensemble.fit_ensemble_risk(R1, R2, rate=1e-300),
     r"rate=1e-300 is too small"),
    ("fit_ensemble_risk.overflow", lambda: ensemble.fit_ensemble_risk([1e308, -1e308, 1e308], [0.0, 0.0, 0.0]),
     r"rescale risk_1 and risk_2"),
    ("predict.K string", lambda: LINE.predict("2"), r"K must be a number of synthetic datasets"),
    ("predict.K bool", lambda: LINE.predict(True), r"K must be a number of synthetic datasets"),
    ("predict.K complex", lambda: LINE.predict(2 + 0j), r"K must be a number of synthetic datasets"),
    ("predict.K 2-D", lambda: LINE.predict([[1, 2]]), r"K must be a number of synthetic datasets"),
    ("compare.K string", lambda: LINE.compare("2", [1.5, 1.6, 1.5]), r"K must be a number of synthetic datasets"),
    # self-consuming chains
    ("gaussian_refit_chain.n nan", lambda: sc.gaussian_refit_chain(np.nan, 2), r"n must be an integer >= 2"),
    ("gaussian_refit_chain.n inf", lambda: sc.gaussian_refit_chain(np.inf, 2), r"n must be an integer >= 2"),
    ("gaussian_refit_chain.n_generations bool", lambda: sc.gaussian_refit_chain(20, True),
     r"n_generations must be an integer"),
    ("gaussian_refit_chain.n_chains bool", lambda: sc.gaussian_refit_chain(20, 2, n_chains=True),
     r"n_chains must be an integer"),
    ("gaussian_refit_chain.fresh_fraction string", lambda: sc.gaussian_refit_chain(20, 2, fresh_fraction="0.1"),
     r"fresh_fraction must lie in \[0, 1\)"),
    ("gaussian_refit_chain.ddof bool", lambda: sc.gaussian_refit_chain(20, 2, ddof=True), r"ddof must be 0"),
    ("gaussian_refit_chain.mean string", lambda: sc.gaussian_refit_chain(20, 2, mean="0"), r"mean must be finite"),
    ("gaussian_refit_chain.mean bool", lambda: sc.gaussian_refit_chain(20, 2, mean=True), r"mean must be finite"),
    ("gaussian_refit_chain.sd overflow", lambda: sc.gaussian_refit_chain(20, 2, sd=1e200), r"sd=1e\+200 is too large"),
    ("gaussian_refit_chain.mean overflow", lambda: sc.gaussian_refit_chain(20, 2, mean=1e308, random_state=0),
     r"fitted means and variances is not finite.*rescale"),
    ("gaussian_refit_chain.huge", lambda: sc.gaussian_refit_chain(10**6, 10, n_chains=10**5), r"lower n_chains"),
    ("gaussian_chain_moments.sd string", lambda: sc.gaussian_chain_moments(20, 3, sd="1"), r"sd must be positive"),
    ("gaussian_chain_moments.sd complex", lambda: sc.gaussian_chain_moments(20, 3, sd=1 + 0j), r"sd must be positive"),
    ("gaussian_chain_moments.overflow", lambda: sc.gaussian_chain_moments(2, 5000, ddof=1),
     r"moments is not finite.*lower n_generations"),
    ("gaussian_chain_moments.huge", lambda: sc.gaussian_chain_moments(20, 10**10), r"lower n_generations"),
    ("gaussian_chain_log_drift.ddof bool", lambda: sc.gaussian_chain_log_drift(20, ddof=True), r"ddof must be 0"),
    ("fresh_data_fixed_point.sd negative", lambda: sc.fresh_data_fixed_point(20, 0.1, sd=-1.0),
     r"sd must be positive"),
    ("fresh_data_fixed_point.sd nan", lambda: sc.fresh_data_fixed_point(20, 0.1, sd=np.nan), r"sd must be positive"),
    ("fresh_data_fixed_point.include_mean_drift", lambda: sc.fresh_data_fixed_point(20, 0.1, include_mean_drift=0),
     r"include_mean_drift must be True or False"),
    ("regression_refit_chain.slope string", lambda: sc.regression_refit_chain(30, 2, slope="1"),
     r"slope must be finite"),
    ("regression_chain_moments.sd string", lambda: sc.regression_chain_moments(30, 2, sd="1"), r"sd must be positive"),
    ("refit_chain.generator", lambda: sc.refit_chain(object(), XY, 2), r"generator must have fit\(X\) and sample"),
    ("refit_chain.statistic", lambda: sc.refit_chain(KDEGenerator(), XY, 2, statistic=3),
     r"statistic must be a function"),
    ("refit_chain.sample returns an array", lambda: sc.refit_chain(_ArrayGenerator(), XY, 2, random_state=0),
     r"generator.sample\(60\) at generation 1 returned a ndarray"),
    ("refit_chain.sample returns NaN", lambda: sc.refit_chain(_NaNGenerator(), XY, 2, random_state=0),
     r"generator.sample\(60\) at generation 1 contains NaN"),
    ("refit_chain.fresh shape", lambda: sc.refit_chain(KDEGenerator(), XY, 2, fresh_fraction=0.5, random_state=0,
                                                      fresh=lambda k, rng: rng.normal(size=(k, 3))),
     r"fresh\(30, rng\) returned an array of shape \(30, 3\)"),
    ("kde_chain_moments.negative bandwidth", lambda: sc.kde_chain_moments(50, 2, variance0=1.0, bandwidth=-0.1),
     r"bandwidth must be positive"),
    ("kde_chain_moments.bandwidth None", lambda: sc.kde_chain_moments(50, 2, variance0=1.0, bandwidth=None),
     r"bandwidth must be positive"),
    ("kde_chain_moments.bandwidth rule", lambda: sc.kde_chain_moments(50, 2, variance0=1.0, bandwidth="Scott"),
     r"bandwidth must be 'scott', 'silverman'"),
    ("kde_chain_moments.variance0 string", lambda: sc.kde_chain_moments(50, 2, variance0="1"),
     r"variance0 must be finite"),
    ("kde_chain_moments.p bool", lambda: sc.kde_chain_moments(50, 2, variance0=1.0, p=True), r"p must be a positive"),
    ("kde_chain_moments.overflow", lambda: sc.kde_chain_moments(50, 5000, variance0=1.0),
     r"overflows float64.*lower n_generations"),
    # evaluate
    ("evaluate.duplicate columns of real_train", lambda: _evaluate(train=pd.concat(
        [SMALL_TRAIN, SMALL_TRAIN[["age"]]], axis=1)), r"real_train has duplicate column names \['age'\]"),
    ("evaluate.target list", lambda: _evaluate(target=["purchased"]), r"target must be one column name"),
    ("evaluate.single-valued target", lambda: _evaluate(train=SMALL_TRAIN.assign(purchased=0), test=SMALL_TEST.assign(
        purchased=0), syn=SMALL_SYN.assign(purchased=0)), r"target 'purchased' takes a single value in real_train"),
    ("evaluate.fidelity int", lambda: _evaluate(fidelity=1), r"fidelity must be True or False"),
    ("evaluate.privacy string", lambda: _evaluate(privacy="no"), r"privacy must be True or False"),
    ("evaluate.progress int", lambda: _evaluate(progress=0), r"progress must be True or False"),
    ("evaluate.huge n_replications", lambda: _evaluate(n_replications=10**10), r"lower n_replications"),
    ("evaluate.loss returns NaN", lambda: _evaluate(loss=lambda y, p: np.nan),
     r"loss callable '<lambda>' returned nan"),
    ("evaluate.r2 on a constant test target", lambda: _evaluate(
        target="age", test=SMALL_TEST.assign(age=40.0), models={"ridge": Ridge()}, loss="r2"),
     r"risk of model 'ridge' trained on real_train is not finite"),
    ("evaluate.models with clashing names", lambda: _evaluate(models={1: LogisticRegression(), "1": Ridge()}),
     r"models has names that read the same as text"),
    ("evaluate.model class", lambda: _evaluate(models={"lr": LogisticRegression}), r"model 'lr' is the class"),
    ("evaluate.model without predict_proba", lambda: _evaluate(models={"svc": SVC()}, loss="neg_log_loss"),
     r"model 'svc' trained on real_train failed"),
    ("evaluate.binary loss on many classes", lambda: _evaluate(
        target="n_children", task="classification", loss="roc_auc", train=TRAIN[TRAIN.n_children <= 2],
        test=TEST[TEST.n_children <= 2], syn=SYN[SYN.n_children <= 2]), r"loss 'roc_auc' is defined for two classes"),
    ("evaluate.generator returns too few rows", lambda: _evaluate(
        generator=lambda train, n, seed: train.iloc[:12], n_replications=2), r"the generator returned 12 rows"),
    ("evaluate.generator signature", lambda: _evaluate(generator=_no_random_state, n_replications=2),
     r"the generator failed in replication 1"),
    ("evaluate.complex column", lambda: _evaluate(syn=SMALL_SYN.assign(age=SMALL_SYN.age + 1j)),
     r"column 'age' of synthetic has complex values"),
    ("evaluate.overflowing column", lambda: _evaluate(train=SMALL_TRAIN.assign(
        age=np.where(np.arange(80) == 0, 1e308, SMALL_TRAIN.age))), r"column 'age' of real_train is too large"),
    ("evaluate.fidelity without spread", lambda: _evaluate(fidelity=True, **{k: v.assign(
        age=1.0, region="north", income=5.0, n_children=1, smoker=True, purchased=np.arange(80) < 8) for k, v in
        (("train", SMALL_TRAIN), ("test", SMALL_TEST), ("syn", SMALL_SYN))}), r"pass fidelity=False"),
    ("default_models.random_state", lambda: default_models("classification", random_state=-1),
     r"random_state must be None, an int"),
    ("default_models.random_state bool", lambda: default_models("regression", random_state=True),
     r"random_state must be None, an int"),
]


@pytest.fixture(scope="module")
def result():
    return _evaluate()


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_input_raises_a_clear_error(case):
    _, call, pattern = case
    with pytest.raises((ValueError, TypeError)) as info:
        call()
    assert re.search(pattern, str(info.value)), f"{str(info.value)!r} does not match {pattern!r}"


REPORT_CASES = [
    ("write_report.folder", lambda res, tmp: write_report(res, tmp), r"path '.*' is a folder"),
    ("write_report.None", lambda res, tmp: write_report(res, None), r"path must be the name of the HTML file"),
    ("to_html.folder", lambda res, tmp: res.to_html(tmp), r"path '.*' is a folder"),
    ("write_report.not a result", lambda res, tmp: write_report("x", tmp / "r.html"),
     r"res must be the EvaluationResult"),
    ("render_report.not a result", lambda res, tmp: render_report(None), r"res must be the EvaluationResult"),
]


@pytest.mark.parametrize("case", REPORT_CASES, ids=[c[0] for c in REPORT_CASES])
def test_bad_report_input_raises_a_clear_error(case, result, tmp_path):
    _, call, pattern = case
    with pytest.raises((ValueError, TypeError)) as info:
        call(result, tmp_path)
    assert re.search(pattern, str(info.value)), f"{str(info.value)!r} does not match {pattern!r}"


# ------------------------------------------------------------------------------------------------ the CLI
@pytest.fixture(scope="module")
def csvs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli_bad")
    SMALL_TRAIN.to_csv(folder / "train.csv", index=False)
    SMALL_TEST.to_csv(folder / "test.csv", index=False)
    SMALL_SYN.to_csv(folder / "syn.csv", index=False)
    pd.concat([SMALL_SYN, SMALL_SYN[["age"]]], axis=1).to_csv(folder / "syn_dup.csv", index=False)
    return folder


CLI_BASE = ["evaluate", "train.csv", "syn.csv", "--test", "test.csv", "--target", "purchased", "--no-progress",
            "--no-fidelity", "--no-privacy", "--replications", "20"]
CLI_CASES = [
    ("out is a folder", [*CLI_BASE, "--out", "."], "is a folder"),
    ("out is empty", [*CLI_BASE, "--out", ""], "is a folder"),
    ("out ends with a slash", [*CLI_BASE, "--out", "sub/"], "is a folder"),
    ("duplicate header", [*CLI_BASE[:2], "syn_dup.csv", *CLI_BASE[3:]], "duplicate column names ['age']"),
    ("huge replications", [*CLI_BASE, "--replications", str(10**10)], "lower n_replications"),
]


@pytest.mark.parametrize("case", CLI_CASES, ids=[c[0] for c in CLI_CASES])
def test_cli_bad_input_is_one_line_and_exit_2(case, csvs, monkeypatch, capsys):
    _, args, message = case
    monkeypatch.chdir(csvs)
    assert cli_main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("synutil: error: ") and message in err[0], err


# ------------------------------------------------------------------------------------------------ valid edge cases
def _reversed(df):
    return df[df.columns[::-1]]


def test_table_functions_match_columns_by_name():
    pd.testing.assert_frame_equal(column_fidelity(TRAIN, _reversed(SYN)), column_fidelity(TRAIN, SYN))
    pd.testing.assert_frame_equal(pairwise_fidelity(TRAIN, _reversed(SYN)).table, pairwise_fidelity(TRAIN, SYN).table)
    encoder = TableEncoder(SCHEMA).fit(TRAIN)
    np.testing.assert_array_equal(encoder.transform(_reversed(SYN)), encoder.transform(SYN))
    np.testing.assert_array_equal(privacy.exact_copy_mask(TRAIN, _reversed(TRAIN)), np.ones(len(TRAIN), bool))
    a = privacy.distance_to_closest_record(TRAIN, _reversed(TEST), _reversed(SYN))
    b = privacy.distance_to_closest_record(TRAIN, TEST, SYN)
    assert a.to_dict() == b.to_dict()
    np.testing.assert_array_equal(a.dcr_synthetic, b.dcr_synthetic)


def test_evaluate_matches_columns_of_test_and_synthetic_by_name(result):
    other = _evaluate(test=_reversed(SMALL_TEST), syn=_reversed(SMALL_SYN))
    pd.testing.assert_frame_equal(other.to_frame(), result.to_frame())
    pd.testing.assert_frame_equal(other.bootstrap_syn, result.bootstrap_syn)


def test_disjoint_categories_stay_within_the_range_of_the_distance():
    # the shares of region's four categories and missing, against a value real never takes, summed to 1 + 1 ulp
    real = mixed_table(200, random_state=0)
    tv = column_fidelity(real, real.assign(region="mars"))
    assert tv.set_index("column").loc["region", "value"] == 1.0
    pair = pairwise_fidelity(real[["region", "smoker"]], real[["region", "smoker"]].assign(region="mars"))
    assert 0.0 <= pair.table["value"].max() <= 1.0


def test_whole_numbers_written_as_floats_are_accepted():
    pd.testing.assert_frame_equal(mixed_table(1e2, random_state=3), mixed_table(100, random_state=3))
    assert infer_schema(TRAIN, max_categories=50.0) == infer_schema(TRAIN)
    assert _evaluate(n_replications=20.0).to_frame().equals(_evaluate(n_replications=20).to_frame())


def test_evaluate_accepts_seed_sequences_and_legacy_random_states():
    a = _evaluate(random_state=np.random.SeedSequence(5))
    b = _evaluate(random_state=np.random.SeedSequence(5))
    assert a.seed == b.seed and a.to_frame().equals(b.to_frame())
    c = _evaluate(random_state=np.random.RandomState(5))
    d = _evaluate(random_state=np.random.RandomState(5))
    assert c.seed == d.seed and c.to_frame().equals(d.to_frame())


def test_ensemble_pairs_series_by_label():
    r1 = pd.Series([1.7, 1.8, 1.6, 1.75], index=["a", "b", "c", "d"])
    r2 = pd.Series([1.6, 1.65, 1.55, 1.62], index=["a", "b", "c", "d"])
    aligned = ensemble.fit_ensemble_risk(r1, r2)
    shuffled = ensemble.fit_ensemble_risk(r1, r2.iloc[[2, 0, 3, 1]])
    assert (shuffled.A, shuffled.S, shuffled.A_se, shuffled.S_se) == (aligned.A, aligned.S, aligned.A_se, aligned.S_se)
    with pytest.raises(ValueError, match="risk_2 lacks"):
        ensemble.fit_ensemble_risk(r1, r2.rename(index={"a": "z"}))


def test_inference_reads_one_column_tables_and_badly_scaled_designs():
    one = inference.synthetic_mean_interval(pd.DataFrame({"x": X50}), n_real=50)
    assert one.to_dict() == inference.synthetic_mean_interval(pd.Series(X50), n_real=50).to_dict()
    per_column = inference.synthetic_mean_interval(pd.DataFrame({"a": X50, "b": X50 + 1}), n_real=50, axis=0)
    np.testing.assert_array_equal(per_column.estimate, [X50.mean(), (X50 + 1).mean()])
    # a feature in units of 1e8 next to the intercept is badly scaled, not collinear: it must not be refused
    x = RNG.normal(size=200) * 1e8
    res = inference.synthetic_regression_interval(x, 2 * x + RNG.normal(size=200) * 1e8, n_real=100)
    assert np.all(np.isfinite(res.se)) and res.ci_low[1] < 2 < res.ci_high[1]
    res_lr = LinearRegression().fit(x[:, None], 2 * x)
    assert res_lr.coef_[0] == pytest.approx(2.0)


def test_combining_rule_with_degrees_of_freedom_near_zero_gives_an_unbounded_interval():
    # T_K > 0 but nu near 0: Student's quantile overflows to inf, a valid (uninformative) interval, not an error
    u = (1.0 - np.sqrt(0.008437)) * 0.75  # two sets 1 apart: nu = (1 - u / (1.5 * 0.5))^2 = 0.008437
    res = inference.combine_synthetic_sets([0.0, 1.0], [u, u], n_real=100, n_synthetic=500)
    assert res.df == pytest.approx(0.008437) and np.isfinite(res.se) and not res.variance_replaced
    assert res.ci_low == -np.inf and res.ci_high == np.inf and bool(res.covers(123.0))
