"""Tests of synutil.evaluate: numbers against independent computations, both replication schemes, bad input."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.metrics import (accuracy_score, balanced_accuracy_score, log_loss, mean_absolute_error,
                             mean_squared_error, r2_score, roc_auc_score, root_mean_squared_error)
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.tree import DecisionTreeClassifier

from synutil.evaluation.losses import bootstrap_indices, counts_of, resolve_loss
from synutil.evaluation import EvaluationResult, default_models, evaluate
from synutil.tables import TableEncoder, infer_schema, mixed_table
from synutil.utility import generalization_utility

FAST = dict(progress=False, fidelity=False, privacy=False)


@pytest.fixture(scope="module")
def tables():
    real = mixed_table(700, missing=0.08, random_state=0)
    syn = mixed_table(300, missing=0.08, random_state=1)
    syn["income"] = syn["income"] * 1.3  # a visible difference in one column
    return real.iloc[:300].reset_index(drop=True), real.iloc[300:].reset_index(drop=True), syn


def _hand(model, train, fit_table, test, target):
    """The same pipeline by hand: TableEncoder on real train features, then the estimator."""
    schema = infer_schema(train, target=target)
    enc = TableEncoder(schema, columns=schema.features).fit(train)
    model.fit(enc.transform(fit_table), fit_table[target])
    return model, enc.transform(test)


def test_tstr_trtr_equal_hand_pipeline_and_ci_is_percentile(tables):
    train, test, syn = tables
    res = evaluate(train, test, syn, target="purchased", models={"lr": LogisticRegression(max_iter=1000),
                   "knn": KNeighborsClassifier(7)}, n_replications=400, random_state=3, **FAST)
    assert isinstance(res, EvaluationResult) and res.task == "classification" and res.scheme == "test-bootstrap"
    y = test["purchased"]
    for name, est in (("lr", LogisticRegression(max_iter=1000)), ("knn", KNeighborsClassifier(7))):
        m_syn, X_test = _hand(est, train, syn, test, "purchased")
        m_real, _ = _hand(type(est)(**est.get_params()), train, train, test, "purchased")
        u = res.utility[name]
        assert u.tstr == pytest.approx(1 - accuracy_score(y, m_syn.predict(X_test)), abs=1e-12)
        assert u.trtr == pytest.approx(1 - accuracy_score(y, m_real.predict(X_test)), abs=1e-12)
        gaps = res.bootstrap_syn[name] - res.bootstrap_real[name]
        assert (u.utility.ci_low, u.utility.ci_high) == pytest.approx(tuple(np.quantile(gaps, [0.025, 0.975])))
        assert u.utility.signed_gap == pytest.approx(u.tstr - u.trtr) and u.utility.risk_range == (0.0, 1.0)
        # the percentile interval over test resamples agrees with the paired t interval over test rows
        loss_syn = (m_syn.predict(X_test) != y).astype(float)
        loss_real = (m_real.predict(X_test) != y).astype(float)
        paired = generalization_utility(loss_syn, loss_real, risk_range=(0, 1))
        assert paired.signed_gap == pytest.approx(u.gap)
        assert u.utility.ci_low == pytest.approx(paired.ci_low, abs=0.012)
        assert u.utility.ci_high == pytest.approx(paired.ci_high, abs=0.012)
    assert res.bootstrap_real.shape == (400, 2) and res.replications_real.shape == (1, 2)
    assert res.ranking.n_replications == 400 and -1 <= res.kendall_tau <= 1
    assert res.kendall_tau_ci[0] <= res.kendall_tau_ci[1]


def test_same_seed_same_numbers_and_recorded_seed(tables):
    train, test, syn = tables
    kw = dict(target="purchased", models=[LogisticRegression(), DecisionTreeClassifier(max_depth=4)],
              n_replications=50, **FAST)
    a, b = evaluate(train, test, syn, random_state=11, **kw), evaluate(train, test, syn, random_state=11, **kw)
    pd.testing.assert_frame_equal(a.utility_frame(), b.utility_frame())
    assert a.models == ("LogisticRegression", "DecisionTreeClassifier") and a.seed == 11
    c = evaluate(train, test, syn, random_state=None, **kw)
    d = evaluate(train, test, syn, random_state=c.seed, **kw)  # the recorded seed reproduces a fresh run
    pd.testing.assert_frame_equal(c.utility_frame(), d.utility_frame())


def test_generator_scheme_refits_and_matches_generalization_utility(tables):
    train, test, syn = tables
    calls = []

    def noisy_bootstrap(real_train, n, random_state):  # a toy generator: resample rows, jitter a number
        calls.append((len(real_train), n, random_state))
        rng = np.random.default_rng(random_state)
        out = real_train.sample(n, replace=True, random_state=random_state).reset_index(drop=True)
        out["age"] = out["age"] + rng.normal(0, 3.0, size=n)
        return out

    res = evaluate(train, test, syn.iloc[:250], target="purchased", generator=noisy_bootstrap, n_replications=4,
                   n_boot=300, models={"lr": LogisticRegression(), "knn": KNeighborsClassifier(10)}, random_state=0,
                   **FAST)
    assert res.scheme == "generator-refit" and len(calls) == 4
    assert {c[:2] for c in calls} == {(300, 250)} and len({c[2] for c in calls}) == 4  # fresh seed per replication
    assert res.replications_real.shape == (4, 2) and res.bootstrap_syn.shape == (300, 2)
    for name in ("lr", "knn"):
        u = res.utility[name]
        assert u.tstr == pytest.approx(res.replications_syn[name].mean())
        assert u.trtr == pytest.approx(res.replications_real[name].mean())
        ref = generalization_utility(res.replications_syn[name], res.replications_real[name], risk_range=(0, 1))
        assert u.given_test == ref
        gaps = res.bootstrap_syn[name] - res.bootstrap_real[name]
        assert (u.utility.ci_low, u.utility.ci_high) == pytest.approx(tuple(np.quantile(gaps, [0.025, 0.975])))
        assert "replications and test rows" in u.utility.method
    # the real-trained models change across replications too (bootstrap resamples of real train)
    assert res.replications_real["knn"].nunique() > 1
    assert res.ranking.n_replications == 4


def test_generator_copula_without_synthetic_table(tables):
    train, test, _ = tables
    res = evaluate(train, test, None, target="purchased", generator="copula", n_replications=2, n_boot=100,
                   models={"lr": LogisticRegression()}, random_state=0, progress=False, fidelity=True, privacy=True)
    assert res.n_rows["synthetic"] == len(train) and res.generator == "copula" and res.ranking is None
    assert res.fidelity is not None and res.privacy.n_synthetic == len(train)


def test_regression_numbers_and_losses(tables):
    train, test, syn = tables
    models = {"ridge": Ridge(alpha=1.0), "knn": KNeighborsRegressor(10)}
    res = evaluate(train, test, syn, target="age", models=models, n_replications=100, random_state=0, **FAST)
    assert res.task == "regression" and res.loss.name == "mean_squared_error" and res.loss.risk_range is None
    m_syn, X_test = _hand(Ridge(alpha=1.0), train, syn, test, "age")
    assert res.utility["ridge"].tstr == pytest.approx(mean_squared_error(test["age"], m_syn.predict(X_test)))
    r2 = evaluate(train, test, syn, target="age", models=models, loss="r2", n_replications=20, random_state=0, **FAST)
    assert r2.loss.name == "1 - r2" and "score" in r2.loss.note
    assert r2.utility["ridge"].tstr == pytest.approx(1 - r2_score(test["age"], m_syn.predict(X_test)))
    mae = evaluate(train, test, syn, target="age", models=models, loss="neg_mean_absolute_error", n_replications=20,
                   random_state=0, **FAST)
    assert mae.loss.name == "mean_absolute_error"
    assert mae.utility["ridge"].tstr == pytest.approx(mean_absolute_error(test["age"], m_syn.predict(X_test)))


def test_default_zoo_multiclass_mixed_types_full_result(tables):
    train, test, syn = tables
    train, test, syn = (t.dropna(subset=["region"]) for t in tables)
    res = evaluate(train, test, syn, target="region", n_replications=100, random_state=0, progress=False)
    assert res.models == ("logistic_regression", "random_forest", "knn", "gradient_boosting")
    assert res.schema.kind("region") == "categorical" and res.schema.target == "region"
    frame = res.to_frame()
    assert set(frame["section"]) == {"utility", "ranking", "fidelity", "privacy"}
    assert set(frame.columns) >= {"section", "item", "metric", "value", "ci_low", "ci_high", "direction", "range"}
    income = frame[(frame.section == "fidelity") & (frame.item == "income")]
    assert income["value"].iloc[0] > income["baseline"].iloc[0]  # the inflated column shows
    text = res.summary()
    for word in ("TRTR", "TSTR", "Kendall tau", "fidelity", "privacy", "seed 0", "test set's sampling only"):
        assert word in text
    assert "EvaluationResult(" in repr(res) and sorted(default_models("classification")) == sorted(res.models)


def test_losses_fast_paths_equal_sklearn_on_resamples(tables):
    train, test, syn = tables
    schema = infer_schema(train, target="purchased")
    enc = TableEncoder(schema, columns=schema.features).fit(train)
    X, Xt = enc.transform(train), enc.transform(test)
    y, yt = train["purchased"].to_numpy(), test["purchased"].to_numpy()
    model = LogisticRegression(max_iter=1000).fit(X, y)
    index = bootstrap_indices(np.random.default_rng(0), len(yt), 5, strata=yt)
    checks = {
        "accuracy": lambda i: 1 - accuracy_score(yt[i], model.predict(Xt[i])),
        "balanced_accuracy": lambda i: 1 - balanced_accuracy_score(yt[i], model.predict(Xt[i])),
        "neg_log_loss": lambda i: log_loss(yt[i], model.predict_proba(Xt[i]), labels=model.classes_),
        "roc_auc": lambda i: 1 - roc_auc_score(yt[i], model.decision_function(Xt[i])),
        "f1": lambda i: 1 - __import__("sklearn.metrics").metrics.f1_score(yt[i], model.predict(Xt[i])),
    }
    for name, ref in checks.items():
        loss = resolve_loss(name, task="classification")
        prepared = loss.prepare(model, Xt, yt)
        got = loss.risks(prepared, yt, index, counts_of(index, len(yt)) if loss.fast else None)
        assert got == pytest.approx([ref(i) for i in index], abs=1e-10), name
    reg = LinearRegression().fit(X, train["age"])
    ya = test["age"].to_numpy()
    for name, ref in {"neg_mean_squared_error": mean_squared_error, "neg_mean_absolute_error": mean_absolute_error,
                      "neg_root_mean_squared_error": root_mean_squared_error,
                      "r2": lambda a, b: 1 - r2_score(a, b)}.items():
        loss = resolve_loss(name, task="regression")
        got = loss.risks(loss.prepare(reg, Xt, ya), ya, index[:, :])
        assert got == pytest.approx([ref(ya[i], reg.predict(Xt[i])) for i in index], rel=1e-10), name


def test_scores_are_turned_into_losses_or_refused(tables):
    train, test, syn = tables
    acc = resolve_loss("accuracy", task="classification")
    assert acc.info.name == "zero-one error (1 - accuracy)" and acc.info.range_text == "[0, 1]"
    assert "score" in acc.info.note and acc.info.direction == "lower is better"
    assert resolve_loss("roc_auc", task="classification").info.name == "1 - roc_auc"
    assert resolve_loss("neg_log_loss", task="classification").info.range_text == "[0, inf)"
    with pytest.raises(ValueError, match="squared error.*classification"):
        resolve_loss("neg_mean_squared_error", task="classification")
    with pytest.raises(ValueError, match="squared error"):
        evaluate(train, test, syn, target="purchased", loss="squared_error", **FAST)
    with pytest.raises(ValueError, match="classification scorer"):
        resolve_loss("accuracy", task="regression")
    with pytest.raises(ValueError, match="clustering"):
        resolve_loss("adjusted_rand_score", task="classification")
    with pytest.raises(ValueError, match="unknown loss"):
        resolve_loss("accuracy_score", task="classification")
    with pytest.raises(ValueError, match="looks like a score"):  # a score passed as a loss callable
        evaluate(train, test, syn, target="purchased", loss=accuracy_score, models=[LogisticRegression()], **FAST)
    seen = []

    def error_rate(y_true, y_pred):
        seen.append(set(np.asarray(y_true).tolist()))
        return float(np.mean(np.asarray(y_true) != np.asarray(y_pred)))

    res = evaluate(train, test, syn, target="purchased", loss=error_rate, models=[LogisticRegression()],
                   n_replications=5, random_state=0, **FAST)
    ref = evaluate(train, test, syn, target="purchased", models=[LogisticRegression()], n_replications=5,
                   random_state=0, **FAST)
    assert res.utility["LogisticRegression"].tstr == pytest.approx(ref.utility["LogisticRegression"].tstr)
    assert seen[-1] <= {"False", "True"}  # the callable sees the class labels, not internal codes


def test_bad_input_is_refused_with_clear_messages(tables):
    train, test, syn = tables
    lr = {"lr": LogisticRegression()}
    with pytest.raises(ValueError, match=r"synthetic does not have the schema's columns: missing \['age'\]"):
        evaluate(train, test, syn.drop(columns="age"), target="purchased", models=lr, **FAST)
    with pytest.raises(ValueError, match="target 'y' is not a column of real_train"):
        evaluate(train, test, syn, target="y", models=lr, **FAST)
    with pytest.raises(ValueError, match="not a column of synthetic"):
        evaluate(train, test, syn.drop(columns="purchased"), target="purchased", models=lr, **FAST)
    one_class = syn.assign(purchased=0)
    with pytest.raises(ValueError, match=r"class\(es\) \['True'\].*not in synthetic"):
        evaluate(train, test, one_class, target="purchased", models=lr, **FAST)
    with pytest.raises(ValueError, match="at least 10"):
        evaluate(train, test.iloc[:5], syn, target="purchased", models=lr, **FAST)
    with pytest.raises(ValueError, match="'region' of real_train has .* missing"):
        evaluate(train, test, syn, target="region", models=lr, **FAST)
    with pytest.raises(ValueError, match="n_replications must be an integer >= 2"):
        evaluate(train, test, syn, target="purchased", models=lr, n_replications=1, **FAST)
    with pytest.raises(ValueError, match="synthetic is None"):
        evaluate(train, test, None, target="purchased", models=lr, **FAST)
    with pytest.raises(ValueError, match="is a regressor"):
        evaluate(train, test, syn, target="purchased", models={"r": Ridge()}, **FAST)
    with pytest.raises(ValueError, match="pass an instance"):
        from synutil.generators.copula import GaussianCopulaGenerator
        evaluate(train, test, syn, target="purchased", generator=GaussianCopulaGenerator, **FAST)
    with pytest.raises(ValueError, match="distinct numeric values: use task='regression'"):
        evaluate(train, test, syn, target="age", task="classification", models=lr, **FAST)
    with pytest.raises(ValueError, match="task='regression' needs a numeric target"):
        evaluate(train, test, syn, target="smoker", task="regression", models=lr, **FAST)
    with pytest.raises(ValueError, match="DataFrame"):
        evaluate(train.to_numpy(), test, syn, target="purchased", **FAST)


def test_models_equal_up_to_rounding_are_a_tie_in_kendall_tau():
    """Two models with the same predictions computed in a different order differ in the last bits of their risks;
    their pair must count as a tie (tau_b = 1 with a third, clearly worse model), not as a random order."""
    from sklearn.dummy import DummyRegressor
    from sklearn.linear_model import LinearRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from synutil.ranking import _pair_signs, _tau_b

    rng = np.random.default_rng(0)

    def table(n):
        X = rng.normal(size=(n, 3))
        return pd.DataFrame(X, columns=list("abc")).assign(y=X @ [1.0, 2.0, 3.0] + rng.normal(size=n))

    train, test, syn = table(200), table(200), table(200)
    models = {"ols": LinearRegression(), "ols_scaled": make_pipeline(StandardScaler(), LinearRegression()),
              "mean": DummyRegressor()}
    result = evaluate(train, test, syn, target="y", models=models, n_replications=50, random_state=0,
                              progress=False)
    real, fake = result.bootstrap_real.to_numpy(), result.bootstrap_syn.to_numpy()
    gap = np.abs(real[:, 0] - real[:, 1]).max()
    assert 0 < gap < 1e-12 * np.abs(real).max(), "the data must produce risks equal up to rounding only"
    raw = _tau_b(_pair_signs(real), _pair_signs(fake))
    assert np.any(raw < 1), "without snapping, the last bits order the tied pair at random"
    assert result.kendall_tau == 1.0 and result.kendall_tau_ci == (1.0, 1.0)
