"""Tests of synutil.benchmark.tstr_benchmark (against a hand-written loop) and of the tie classes of
synutil.ranking (against scipy's paired t interval)."""

import itertools
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.base import clone
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import mean_absolute_error
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from synutil.benchmark import tstr_benchmark
from synutil.generators.mixture import ClassConditionalGaussianMixture
from synutil.ranking import merge_tied_columns, tie_classes

X, y = make_classification(n_samples=300, n_features=5, n_informative=3, n_classes=3, random_state=1)
X_TRAIN, Y_TRAIN, X_TEST, Y_TEST = X[:150], y[:150], X[150:], y[150:]


def jitter(rng):
    """A generator given as a callable: real training rows with noise (120 rows, its own size)."""
    rows = rng.integers(0, 150, size=120)
    return X_TRAIN[rows] + rng.normal(scale=0.8, size=(120, 5)), Y_TRAIN[rows]


def generators():
    return {
        "mixture": ClassConditionalGaussianMixture(3, 1, random_state=0).fit(X_TRAIN, Y_TRAIN),
        "jitter": jitter,
    }


def learners():
    return {
        "logistic": LogisticRegression(max_iter=500),
        "tree": DecisionTreeClassifier(max_depth=3, random_state=99),
        "forest": RandomForestClassifier(n_estimators=8),
    }


def hand_loop(gens, learns, seed, n_synthetic):
    """What tstr_benchmark promises, written out: same seed for every sample and every learner."""
    samples = {"real": (X_TRAIN, Y_TRAIN)}
    for name, gen in gens.items():
        if hasattr(gen, "sample"):
            samples[name] = gen.sample(n_synthetic, random_state=seed)
        else:
            samples[name] = gen(np.random.default_rng(seed))
    rows = []
    for name, (Xs, ys) in samples.items():
        for model, proto in learns.items():
            est = clone(proto)
            if "random_state" in est.get_params():
                est.set_params(random_state=seed)
            est.fit(Xs, ys)
            rows.append({"generator": name, "model": model, "risk": 1.0 - np.mean(est.predict(X_TEST) == Y_TEST)})
    return pd.DataFrame(rows)


def run(**kwargs):
    args = {"n_synthetic": 200, "random_state": 7}
    args.update(kwargs)
    return tstr_benchmark(generators(), learners(), X_TRAIN, Y_TRAIN, X_TEST, Y_TEST, **args)


def test_equals_hand_written_loop():
    table = run()
    expected = hand_loop(generators(), learners(), 7, 200)
    pd.testing.assert_frame_equal(table, expected, check_exact=True)
    assert table.columns.tolist() == ["generator", "model", "risk"]
    assert table.generator.tolist() == ["real"] * 3 + ["mixture"] * 3 + ["jitter"] * 3
    # the risks are error rates on the 150 test rows: multiples of 1/150
    np.testing.assert_allclose(table.risk * 150, np.round(table.risk * 150), atol=1e-9)


def test_return_estimator_gives_the_fitted_models():
    table = run(return_estimator=True)
    pd.testing.assert_frame_equal(table.drop(columns="estimator"), run(), check_exact=True)
    for row in table.itertuples():
        assert row.risk == 1.0 - np.mean(row.estimator.predict(X_TEST) == Y_TEST), (row.generator, row.model)
    assert len({id(e) for e in table.estimator}) == len(table)  # a new estimator per row
    with pytest.raises(ValueError, match="return_estimator must be True or False"):
        run(return_estimator=1)


def test_same_seed_same_table_and_seeds_matter():
    pd.testing.assert_frame_equal(run(), run(), check_exact=True)
    a = run(random_state=np.random.default_rng(3))
    b = run(random_state=np.random.default_rng(3))
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert not run(random_state=8).risk.equals(run(random_state=7).risk)


def test_generator_seed_is_derived_from_a_generator():
    seed = int(np.random.default_rng(3).integers(2**31))
    pd.testing.assert_frame_equal(run(random_state=np.random.default_rng(3)), run(random_state=seed),
                                  check_exact=True)


def test_callable_learners_get_the_seed_and_nested_random_states_are_set():
    seen = []

    def make(seed):
        seen.append(seed)
        return {"forest": RandomForestClassifier(n_estimators=8, random_state=seed)}

    by_callable = tstr_benchmark(generators(), make, X_TRAIN, Y_TRAIN, X_TEST, Y_TEST, n_synthetic=100,
                                 random_state=11)
    assert seen == [11, 11, 11]  # once per training set: real, mixture, jitter
    pipeline = Pipeline([("scale", StandardScaler()), ("forest", RandomForestClassifier(n_estimators=8))])
    by_pipeline = tstr_benchmark(generators(), {"forest": pipeline}, X_TRAIN, Y_TRAIN, X_TEST, Y_TEST,
                                 n_synthetic=100, random_state=11)
    # scaling does not change a forest's splits: the nested random_state was set to the same seed
    pd.testing.assert_frame_equal(by_callable, by_pipeline, check_exact=True)


def test_regression_losses_against_hand_loop():
    Xr, yr = make_regression(n_samples=200, n_features=3, noise=5.0, random_state=0)
    gens = {"shifted": lambda rng: (Xr[:100] + 0.3 * rng.normal(size=(100, 3)), yr[:100])}
    learns = {"ols": LinearRegression(), "tree": DecisionTreeRegressor(max_depth=3)}
    seed = 5
    Xs, ys = gens["shifted"](np.random.default_rng(seed))
    for loss, f in (("squared_error", lambda t, p: np.mean((t - p) ** 2)), (mean_absolute_error, mean_absolute_error)):
        table = tstr_benchmark(gens, learns, Xr[:100], yr[:100], Xr[100:], yr[100:], n_synthetic=50, loss=loss,
                               random_state=seed)
        for (name, Xf, yf) in (("real", Xr[:100], yr[:100]), ("shifted", Xs, ys)):
            for model, proto in learns.items():
                est = clone(proto)
                if "random_state" in est.get_params():
                    est.set_params(random_state=seed)
                expected = float(f(yr[100:], est.fit(Xf, yf).predict(Xr[100:])))
                got = table.query("generator == @name and model == @model").risk.item()
                assert got == expected, (loss, name, model)


def test_missing_class_does_not_crash():
    def two_classes(rng):
        keep = Y_TRAIN != 2
        return X_TRAIN[keep], Y_TRAIN[keep]

    with pytest.warns(UserWarning, match=r"class\(es\) \[2\] of y_test do not appear in the sample of generator "
                                         "'two classes'"):
        table = tstr_benchmark({"two classes": two_classes}, {"logistic": LogisticRegression(max_iter=500)},
                               X_TRAIN, Y_TRAIN, X_TEST, Y_TEST, n_synthetic=10, random_state=0)
    tstr = table.query("generator == 'two classes'").risk.item()
    assert tstr >= np.mean(Y_TEST == 2)  # every test row of class 2 is an error
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run()  # every class present: no warning


def test_fit_errors_name_the_sample():
    def one_class(rng):
        return X_TRAIN[Y_TRAIN == 0], Y_TRAIN[Y_TRAIN == 0]

    with pytest.raises(ValueError) as info, pytest.warns(UserWarning, match=r"class\(es\) \[1, 2\]"):
        tstr_benchmark({"one class": one_class}, {"logistic": LogisticRegression()}, X_TRAIN, Y_TRAIN, X_TEST,
                       Y_TEST, n_synthetic=10)
    assert "while fitting learner 'logistic' on the sample of 'one class'" in "".join(info.value.__notes__)


class NotAnEstimator:
    pass


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"generators": {}}, "generators must be a non-empty dict"),
        ({"generators": {"real": jitter}}, "'real', which names the real-data"),
        ({"generators": {0: jitter}}, "keyed by non-empty strings"),
        ({"generators": {"bad": NotAnEstimator()}}, r"generators\['bad'\] must be a fitted generator"),
        ({"generators": {"bad": lambda rng: X_TRAIN}}, r"generators\['bad'\] must return a pair \(X, y\)"),
        ({"generators": {"bad": lambda rng: (X_TRAIN[:, :3], Y_TRAIN)}}, "has 5 column"),
        ({"generators": {"bad": lambda rng: (X_TRAIN, Y_TRAIN[:-1])}}, "has 149 labels but there are 150 rows"),
        ({"learners": {"bad": NotAnEstimator()}}, r"learners\['bad'\] must be an estimator"),
        ({"learners": []}, "learners must be a non-empty dict"),
        ({"y_train": Y_TRAIN[:-1]}, "y_train has 149 labels but there are 150 rows"),
        ({"X_test": X_TEST[:, :4]}, "X_train has 5 column"),
        ({"X_test": np.where(np.arange(5) == 2, np.nan, X_TEST)}, "X_test contains NaN"),
        ({"y_test": np.where(np.arange(150) == 3, np.nan, Y_TEST)}, r"y_test has missing labels"),
        ({"n_synthetic": 2.5}, "n_synthetic must be a whole number >= 2"),
        ({"n_synthetic": 0}, "n_synthetic must be a whole number >= 2"),
        ({"loss": "accuracy"}, "loss must be 'error_rate', 'squared_error' or a callable"),
        ({"loss": lambda t, p: "low"}, "loss must return a number"),
        ({"random_state": -1}, "random_state must be None, an int >= 0"),
    ],
)
def test_validation_errors(kwargs, message):
    args = {"generators": {"jitter": jitter}, "learners": {"logistic": LogisticRegression(max_iter=500)},
            "X_train": X_TRAIN, "y_train": Y_TRAIN, "X_test": X_TEST, "y_test": Y_TEST, "n_synthetic": 50,
            "random_state": 0}
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        tstr_benchmark(args.pop("generators"), args.pop("learners"), args.pop("X_train"), args.pop("y_train"),
                       args.pop("X_test"), args.pop("y_test"), **args)


class ColumnPredictions(LinearRegression):
    """A regressor whose predict returns a column (n, 1), as some do."""

    def predict(self, X):
        return super().predict(X)[:, None]


class Probabilities(LogisticRegression):
    """A classifier whose predict returns one row of probabilities per test row (a bug to report)."""

    def predict(self, X):
        return self.predict_proba(X)


def test_predictions_of_the_wrong_shape():
    Xr, yr = make_regression(n_samples=100, n_features=2, random_state=0)
    gens = {"copy": lambda rng: (Xr[:50], yr[:50])}
    column = tstr_benchmark(gens, {"ols": ColumnPredictions()}, Xr[:50], yr[:50], Xr[50:], yr[50:],
                            n_synthetic=10, loss="squared_error", random_state=0)
    flat = tstr_benchmark(gens, {"ols": LinearRegression()}, Xr[:50], yr[:50], Xr[50:], yr[50:],
                          n_synthetic=10, loss="squared_error", random_state=0)
    pd.testing.assert_frame_equal(column, flat, check_exact=True)
    with pytest.raises(ValueError, match=r"predicted an array of shape \(150, 3\) for 150 test rows"):
        tstr_benchmark({"jitter": jitter}, {"proba": Probabilities(max_iter=500)}, X_TRAIN, Y_TRAIN, X_TEST,
                       Y_TEST, n_synthetic=10)


def test_callable_learners_must_keep_their_names():
    calls = iter([{"a": LogisticRegression()}, {"b": LogisticRegression()}])
    with pytest.raises(ValueError, match=r"learners\(seed\) returned the learners \['b'\] after \['a'\]"):
        tstr_benchmark({"jitter": jitter}, lambda seed: next(calls), X_TRAIN, Y_TRAIN, X_TEST, Y_TEST,
                       n_synthetic=10)


def test_dataframe_samples_are_matched_by_name():
    cols = [f"x{i}" for i in range(5)]
    train, test = pd.DataFrame(X_TRAIN, columns=cols), pd.DataFrame(X_TEST, columns=cols)

    def reordered_jitter(rng):
        Xs, ys = jitter(rng)
        return pd.DataFrame(Xs, columns=cols)[cols[::-1]], ys

    reordered, plain = {"jitter": reordered_jitter}, {"jitter": jitter}
    a = tstr_benchmark(reordered, {"logistic": LogisticRegression(max_iter=500)}, train, Y_TRAIN, test, Y_TEST,
                       n_synthetic=10, random_state=4)
    b = tstr_benchmark(plain, {"logistic": LogisticRegression(max_iter=500)}, X_TRAIN, Y_TRAIN, X_TEST, Y_TEST,
                       n_synthetic=10, random_state=4)
    pd.testing.assert_frame_equal(a, b, check_exact=True)


# ----------------------------------------------------------------------------------------------- tie classes


def scipy_tie_classes(R, confidence=0.95):
    """The procedure with scipy's paired t interval (the point itself when the differences are constant)."""
    order = np.argsort(R.mean(axis=0), kind="stable")
    classes = [[order[0]]]
    for a, b in itertools.pairwise(order):
        d = R[:, b] - R[:, a]
        if np.ptp(d) == 0:
            lo = hi = d.mean()
        else:
            ci = stats.ttest_rel(R[:, b], R[:, a]).confidence_interval(confidence)
            lo, hi = ci.low, ci.high
        if lo <= 0 <= hi:
            classes[-1].append(b)
        else:
            classes.append([b])
    return [sorted(int(i) for i in c) for c in classes]


def test_tie_classes_known_answers():
    rng = np.random.default_rng(0)
    separated = np.array([0.1, 0.5, 0.3]) + 0.01 * rng.normal(size=(20, 3))
    assert tie_classes(separated) == [[0], [2], [1]]
    same = np.repeat(rng.uniform(size=(10, 1)), 4, axis=1)
    assert tie_classes(same) == [[0, 1, 2, 3]]
    frame = pd.DataFrame(separated, columns=["a", "b", "c"])
    assert tie_classes(frame) == [["a"], ["c"], ["b"]]


@pytest.mark.parametrize("seed", range(6))
def test_tie_classes_against_scipy(seed):
    rng = np.random.default_rng(seed)
    J, L = 8, 6
    means = np.sort(rng.uniform(0, 0.2, size=L))  # some adjacent pairs resolved, some not
    R = means + rng.normal(scale=0.05, size=(J, 1)) + rng.normal(scale=0.04, size=(J, L))
    R = R[:, rng.permutation(L)]
    for confidence in (0.8, 0.95, 0.99):
        assert tie_classes(R, confidence=confidence) == scipy_tie_classes(R, confidence), (seed, confidence)


def test_tie_classes_confidence_merges_more():
    rng = np.random.default_rng(1)
    base = rng.normal(size=(12, 1))
    d = 0.3 + rng.normal(scale=0.5, size=12)  # mean difference about 2.5 standard errors
    R = np.hstack([base, base + d[:, None]])
    t = stats.ttest_rel(R[:, 1], R[:, 0])
    assert t.confidence_interval(0.95).low > 0 and t.confidence_interval(0.999).low < 0
    assert tie_classes(R) == [[0], [1]]
    assert tie_classes(R, confidence=0.999) == [[0, 1]]


def test_tie_classes_validation():
    with pytest.raises(ValueError, match="at least 2 models"):
        tie_classes(np.zeros((5, 1)))
    with pytest.raises(ValueError, match="needs? at least 2"):
        tie_classes(np.zeros((1, 3)))
    with pytest.raises(ValueError, match="contains NaN"):
        tie_classes([[0.1, np.nan], [0.2, 0.3]])
    with pytest.raises(ValueError, match="confidence must lie strictly between 0 and 1"):
        tie_classes(np.zeros((3, 3)), confidence=95)


def test_merge_tied_columns():
    R = np.array([[0.1, 0.3, 0.5, 0.7], [0.2, 0.4, 0.2, 0.0]])
    merged = merge_tied_columns(R, [[0], [1, 2]])
    np.testing.assert_allclose(merged, [[0.1, 0.4, 0.4, 0.7], [0.2, 0.3, 0.3, 0.0]], rtol=0, atol=1e-15)
    assert merged[0, 0] == 0.1 and merged[0, 3] == 0.7  # columns of a singleton class or of no class: unchanged
    assert merged is not R and R[0, 1] == 0.3  # the input is not modified
    frame = pd.DataFrame(R, columns=list("abcd"), index=["r1", "r2"])
    out = merge_tied_columns(frame, [["b", "d", "c"]])
    assert out.index.tolist() == ["r1", "r2"] and out.columns.tolist() == list("abcd")
    np.testing.assert_allclose(out[["b", "c", "d"]].to_numpy(), np.repeat([[0.5], [0.2]], 3, axis=1))


@pytest.mark.parametrize(
    "classes, message",
    [
        ([[0], [0, 1]], "more than one class"),
        ([[4]], "outside 0...3"),
        ([["a"]], "column indices"),
        ([[]], "non-empty list"),
        ("01", "list of lists"),
    ],
)
def test_merge_tied_columns_validation(classes, message):
    with pytest.raises(ValueError, match=message):
        merge_tied_columns(np.zeros((2, 4)), classes)


def test_merge_tied_columns_names_unknown_column():
    with pytest.raises(ValueError, match="names the column 'z'"):
        merge_tied_columns(pd.DataFrame(np.zeros((2, 2)), columns=["a", "b"]), [["a", "z"]])
