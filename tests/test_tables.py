"""Tests of synutil.tables: schema inference and checks, the encoder, per-column and pairwise fidelity."""

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.preprocessing import StandardScaler

from synutil.tables import (
    TableEncoder,
    TableSchema,
    column_fidelity,
    infer_schema,
    mixed_table,
    pairwise_fidelity,
)


def toy():
    return pd.DataFrame({
        "num": [1.5, 2.0, np.nan, 4.0, 5.0, 6.5],
        "cat": ["a", "b", "a", None, "c", "a"],
        "flag": [True, False, True, True, False, True],
        "bin01": [0, 1, 1, 0, 0, 1],
        "count": [0, 1, 2, 1, 0, 3],
    })


# ---------------------------------------------------------------- infer_schema
def test_infer_kinds_categories_missing():
    s = infer_schema(toy(), target="flag")
    assert s.columns == ("num", "cat", "flag", "bin01", "count")
    assert s.numeric == ("num", "count") and s.categorical == ("cat",) and s.boolean == ("flag", "bin01")
    assert s.kind("cat") == "categorical" and s.target == "flag" and "flag" not in s.features
    assert s.categories("cat") == ("a", "b", "c") and s.categories("bin01") == ("False", "True")
    assert s["num"].missing_share == pytest.approx(1 / 6) and s["cat"].missing_share == pytest.approx(1 / 6)
    assert s["count"].integer and not s["num"].integer
    frame = s.to_frame()
    assert list(frame.index) == list(s.columns) and frame.loc["flag", "target"] and frame.loc["cat", "n_categories"] == 3
    assert s.to_dict()["columns"][1]["categories"] == ["a", "b", "c"]
    assert "categorical=['cat']" in repr(s) and "with_missing=['num', 'cat']" in repr(s)


def test_infer_boolean_variants_and_declared_kinds():
    df = pd.DataFrame({
        "f01": [0.0, 1.0, np.nan, 1.0],  # floats {0, 1} with a missing value
        "obj": [True, None, False, True],  # Python bools with None
        "nb": pd.array([True, False, None, True], dtype="boolean"),
        "one": [1, 1, 1, 1],  # a single value: numeric, constant
        "cats": pd.Categorical(["x", "y", "x", "x"], categories=["x", "y", "z"]),
        "code": [3, 7, 3, 7],
    })
    s = infer_schema(df, kinds={"code": "categorical"})
    assert s.boolean == ("f01", "obj", "nb")
    assert s.kind("one") == "numeric" and s["one"].constant
    assert s.categories("cats") == ("x", "y", "z")  # declared levels, used or not
    assert s.categories("code") == ("3", "7")
    assert infer_schema(df[["code"]]).kind("code") == "numeric"  # few distinct integers stay numeric


def test_canonical_categories_match_across_dtypes():
    a = pd.DataFrame({"c": [1, 2, 2]})
    b = pd.DataFrame({"c": [1.0, 2.0, np.nan]})
    s = infer_schema(a, kinds={"c": "categorical"})
    assert s.categories("c") == ("1", "2")
    s.check(b)  # 1.0 reads "1": no unseen values
    sb = infer_schema(pd.DataFrame({"b": [0, 1, 1]}))
    sb.check(pd.DataFrame({"b": [True, False, np.nan]}))  # booleans as True/False or 0/1


def test_constant_and_all_missing_flagged():
    df = pd.DataFrame({"k": ["z", "z", "z"], "m": [np.nan] * 3, "o": [None, None, None], "x": [1.0, 2.0, 3.0]})
    s = infer_schema(df)
    assert s["k"].constant and s["m"].all_missing and s["o"].all_missing and s.kind("o") == "categorical"
    assert "all_missing=['m', 'o']" in repr(s) and "constant=['k']" in repr(s)


@pytest.mark.parametrize("column", [
    pd.Series(pd.date_range("2020-01-01", periods=3)),
    pd.Series(pd.to_timedelta([1, 2, 3], unit="D")),
    pd.Series([pd.Timestamp("2020-01-01").date()] * 3, dtype=object),
])
def test_datetimes_refused_with_advice(column):
    with pytest.raises(ValueError, match=r"dates or times.*days since a reference date.*or drop it"):
        infer_schema(pd.DataFrame({"d": column, "x": [1.0, 2.0, 3.0]}))


def test_infer_schema_errors():
    with pytest.raises(ValueError, match="must be a pandas DataFrame"):
        infer_schema(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="at least one row"):
        infer_schema(pd.DataFrame({"a": []}))
    with pytest.raises(ValueError, match=r"duplicate column names \['a'\]"):
        infer_schema(pd.DataFrame([[1, 2]], columns=["a", "a"]))
    with pytest.raises(ValueError, match="target 'y' is not a column"):
        infer_schema(toy(), target="y")
    with pytest.raises(ValueError, match=r"kinds names columns that data does not have: \['zz'\]"):
        infer_schema(toy(), kinds={"zz": "numeric"})
    with pytest.raises(ValueError, match="kinds must map columns to one of"):
        infer_schema(toy(), kinds={"num": "text"})
    with pytest.raises(ValueError, match="declared boolean but holds"):
        infer_schema(toy(), kinds={"count": "boolean"})
    with pytest.raises(ValueError, match="holds non-numbers.*pd.to_numeric"):
        infer_schema(toy(), kinds={"cat": "numeric"})
    with pytest.raises(ValueError, match=r"12 distinct values \(more than max_categories=10\).*identifier"):
        infer_schema(pd.DataFrame({"id": [f"r{i}" for i in range(12)]}), max_categories=10)
    with pytest.raises(ValueError, match="max_categories must be an integer >= 2"):
        infer_schema(toy(), max_categories=1)
    with pytest.raises(ValueError, match="infinite values"):
        infer_schema(pd.DataFrame({"x": [1.0, np.inf]}))


# ---------------------------------------------------------------- TableSchema.check
def test_check_matches_by_name_and_reports_columns():
    s = infer_schema(toy())
    shuffled = toy()[["count", "flag", "cat", "bin01", "num"]]
    assert list(s.check(shuffled).columns) == list(s.columns)
    with pytest.raises(ValueError, match=r"synthetic does not have the schema's columns: missing \['num'\], extra \['new'\]"):
        s.check(toy().drop(columns="num").assign(new=1), name="synthetic")
    with pytest.raises(ValueError, match="duplicate column names"):
        s.check(pd.concat([toy(), toy()[["num"]]], axis=1))
    with pytest.raises(ValueError, match="must be a pandas DataFrame"):
        s.check(toy().to_numpy())
    # a subset of columns: the others may be present or not
    assert list(s.check(toy()[["cat", "num"]], columns=["num", "cat"]).columns) == ["num", "cat"]
    assert list(s.check(toy(), columns=["cat"]).columns) == ["cat"]
    with pytest.raises(ValueError, match="no column 'zz' in the schema"):
        s.check(toy(), columns=["zz"])


def test_check_values():
    s = infer_schema(toy())
    bad = toy().assign(cat=["a", "d", "e", None, "a", "a"])
    with pytest.raises(ValueError, match=r"category values the schema has not seen: 'cat': \['d', 'e'\]"):
        s.check(bad)
    with pytest.warns(UserWarning, match="has not seen"):
        s.check(bad, unseen="warn")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s.check(bad, unseen="ignore")
    with pytest.raises(ValueError, match="unseen must be"):
        s.check(toy(), unseen="drop")
    with pytest.raises(ValueError, match="column 'num' of synthetic is numeric in the schema but holds non-numbers"):
        s.check(toy().assign(num=["1", "x", "2", "3", "4", "5"]), name="synthetic")
    with pytest.raises(ValueError, match=r"column 'flag' of data is boolean in the schema but holds \['yes'\]"):
        s.check(toy().assign(flag=["yes"] * 6))
    with pytest.raises(ValueError, match="dates or times"):
        s.check(toy().assign(num=pd.date_range("2020-01-01", periods=6)))
    with pytest.raises(ValueError, match="no column 'zz'"):
        s.kind("zz")


# ---------------------------------------------------------------- TableEncoder
def test_encoder_layout_and_standard_scaling_like_sklearn():
    train = mixed_table(300, random_state=0)
    s = infer_schema(train)
    enc = TableEncoder(s).fit(train)
    names = enc.get_feature_names_out().tolist()
    assert names == ["age", "region=east", "region=north", "region=south", "region=west", "region__missing",
                     "income", "income__missing", "n_children", "smoker", "purchased"]
    assert enc.feature_columns_ == ("age",) + ("region",) * 5 + ("income",) * 2 + ("n_children", "smoker", "purchased")
    X = enc.transform(train)
    assert X.shape == (300, 11) and X.dtype == float
    ref = StandardScaler().fit_transform(train[["age", "n_children"]].to_numpy(dtype=float))
    np.testing.assert_allclose(X[:, [0, 8]], ref, atol=1e-12)
    inc = train["income"].to_numpy()
    filled = np.where(np.isnan(inc), np.nanmedian(inc), inc)
    np.testing.assert_allclose(X[:, 6], (filled - filled.mean()) / filled.std(), atol=1e-12)
    np.testing.assert_array_equal(X[:, 7], np.isnan(inc))
    np.testing.assert_array_equal(X[:, 9], train["smoker"].to_numpy())
    onehot = X[:, 1:6]
    assert np.all(onehot.sum(axis=1) == 1)
    np.testing.assert_array_equal(onehot[:, 4], train["region"].isna())
    # constants come from the training table only
    test = mixed_table(200, random_state=1)
    np.testing.assert_allclose(enc.transform(test)[:, 0], (test["age"] - train["age"].mean()) / train["age"].std(ddof=0))
    # reordered columns give the same matrix
    np.testing.assert_array_equal(enc.transform(test[test.columns[::-1]]), enc.transform(test))
    assert "n_features_out=11" in repr(enc)


def test_encoder_options():
    train = pd.DataFrame({"x": [1.0, 3.0, 5.0, 5.0], "c": ["a", "b", "a", None], "k": [2.0, 2.0, 2.0, 2.0]})
    s = infer_schema(train)
    mm = TableEncoder(s, scale="minmax", categorical="ordinal").fit(train)
    assert mm.get_feature_names_out().tolist() == ["x", "c", "k"]
    out = mm.transform(pd.DataFrame({"x": [3.0, 9.0], "c": [None, "zz"], "k": [2.0, 3.0]}))
    np.testing.assert_allclose(out, [[0.5, 2.0, 0.0], [2.0, -1.0, 1.0]])  # missing -> K = 2, unseen -> -1; sd 0 -> 1
    raw = TableEncoder(s, scale=None, missing="impute").fit(train)
    assert raw.get_feature_names_out().tolist() == ["x", "c=a", "c=b", "k"]
    out = raw.transform(pd.DataFrame({"x": [np.nan], "c": [None], "k": [2.0]}))
    np.testing.assert_allclose(out, [[4.0, 1.0, 0.0, 2.0]])  # median 4, most frequent category "a"
    sub = TableEncoder(s, columns=["c"]).fit(train)
    assert sub.get_feature_names_out().tolist() == ["c=a", "c=b", "c__missing"]
    assert sub.transform(train[["c"]]).shape == (4, 3)


def test_encoder_missing_indicator_decided_at_fit():
    train = pd.DataFrame({"x": [1.0, 2.0, 3.0], "b": [True, False, True]})
    enc = TableEncoder(infer_schema(train)).fit(train)
    assert enc.get_feature_names_out().tolist() == ["x", "b"]
    with pytest.warns(UserWarning, match=r"columns \['x', 'b'\] have missing values but had none"):
        out = enc.transform(pd.DataFrame({"x": [np.nan], "b": [None]}))
    assert out.shape == (1, 2)
    # the schema saying "can be missing" gives the indicator even when the fitting table has none
    s = infer_schema(pd.DataFrame({"x": [1.0, np.nan]}))
    enc = TableEncoder(s).fit(pd.DataFrame({"x": [1.0, 2.0]}))
    assert enc.get_feature_names_out().tolist() == ["x", "x__missing"]


def test_encoder_errors():
    s = infer_schema(toy())
    with pytest.raises(ValueError, match="schema must be a TableSchema"):
        TableEncoder(toy())
    with pytest.raises(ValueError, match="scale must be"):
        TableEncoder(s, scale="robust")
    with pytest.raises(ValueError, match="categorical must be"):
        TableEncoder(s, categorical="target")
    with pytest.raises(ValueError, match="missing must be"):
        TableEncoder(s, missing="drop")
    with pytest.raises(ValueError, match="no column 'zz'"):
        TableEncoder(s, columns=["zz"])
    with pytest.raises(ValueError, match="at least one schema column"):
        TableEncoder(s, columns=[])
    enc = TableEncoder(s)
    assert "not fitted" in repr(enc)
    with pytest.raises(ValueError, match=r"not fitted yet; call fit\(real_train\)"):
        enc.transform(toy())
    with pytest.raises(ValueError, match="not fitted yet"):
        enc.get_feature_names_out()
    with pytest.raises(ValueError, match="real_train does not have the schema's columns"):
        enc.fit(toy().drop(columns="cat"))


# ---------------------------------------------------------------- column_fidelity
def test_column_fidelity_ks_matches_scipy_and_tv_by_hand():
    rng = np.random.default_rng(0)
    real = pd.DataFrame({"x": rng.normal(size=300), "c": rng.choice(["a", "b", "c"], size=300)})
    syn = pd.DataFrame({"x": rng.normal(0.3, 1.0, size=200), "c": rng.choice(["a", "b", "d"], size=200)})
    real.loc[::10, "x"] = np.nan
    real.loc[::7, "c"] = None
    syn.loc[::4, "x"] = np.nan
    res = column_fidelity(real, syn)
    assert list(res.columns) == ["column", "kind", "metric", "value", "direction", "range", "missing_real",
                                 "missing_synthetic", "note"]
    ks = stats.ks_2samp(real["x"].dropna(), syn["x"].dropna()).statistic
    assert res.loc[0, "value"] == pytest.approx(ks, abs=1e-12)
    assert res.loc[0, "missing_real"] == pytest.approx(0.1) and res.loc[0, "missing_synthetic"] == pytest.approx(0.25)
    p = real["c"].value_counts(dropna=False, normalize=True)
    q = syn["c"].value_counts(dropna=False, normalize=True)
    tv = 0.5 * p.sub(q, fill_value=0).abs().sum()
    assert res.loc[1, "value"] == pytest.approx(tv, abs=1e-12)
    assert "values not in the schema: ['d']" in res.loc[1, "note"]
    assert set(res["direction"]) == {"lower is better"} and set(res["range"]) == {"[0, 1]"}


def test_column_fidelity_hand_values_identical_and_reordered():
    real = pd.DataFrame({"c": ["a", "a", "b", None], "b": [1, 0, 0, 0]})
    syn = pd.DataFrame({"b": [True, True, False, False], "c": ["a", "b", "b", "b"]})
    res = column_fidelity(real, syn).set_index("column")
    # c: real (a .5, b .25, missing .25), syn (a .25, b .75): TV = .5 (.25 + .5 + .25) = .5
    assert res.loc["c", "value"] == pytest.approx(0.5)
    # b: real (True .25), syn (True .5): TV = .25
    assert res.loc["b", "value"] == pytest.approx(0.25) and res.loc["b", "kind"] == "boolean"
    df = mixed_table(400, random_state=3)
    assert column_fidelity(df, df)["value"].abs().max() == 0.0
    other = mixed_table(300, random_state=4)
    a = column_fidelity(df, other)
    b = column_fidelity(df[df.columns[::-1]], other, schema=infer_schema(df))
    pd.testing.assert_frame_equal(a, b)


def test_column_fidelity_all_missing_and_errors():
    real = pd.DataFrame({"x": [1.0, 2.0, 3.0]})
    res = column_fidelity(real, pd.DataFrame({"x": [np.nan, np.nan]}))
    assert np.isnan(res.loc[0, "value"]) and res.loc[0, "note"] == "no non-missing values in synthetic"
    with pytest.raises(ValueError, match="synthetic does not have the schema's columns"):
        column_fidelity(real, pd.DataFrame({"y": [1.0]}))
    with pytest.raises(ValueError, match="at least one row each"):
        column_fidelity(real, real.iloc[:0])
    with pytest.raises(ValueError, match="schema must be a TableSchema"):
        column_fidelity(real, real, schema={"x": "numeric"})


# ---------------------------------------------------------------- pairwise_fidelity
def test_pairwise_values_by_hand():
    rng = np.random.default_rng(1)
    n = 200
    x = rng.normal(size=n)
    real = pd.DataFrame({"x": x, "y": x + rng.normal(size=n), "c": np.where(x > 0, "p", "n"),
                         "d": rng.choice(["u", "v"], size=n)})
    real.loc[::9, "y"] = np.nan
    syn = pd.DataFrame({"x": rng.normal(size=n), "y": rng.normal(size=n), "c": rng.choice(["p", "n"], size=n),
                        "d": rng.choice(["u", "v", "w"], size=n)})
    res = pairwise_fidelity(real, syn)
    t = res.table.set_index(["column_1", "column_2"])
    assert res.n_pairs == 6 and res.n_undefined == 0
    r_real = real[["x", "y"]].dropna().corr().iloc[0, 1]
    r_syn = np.corrcoef(syn["x"], syn["y"])[0, 1]
    assert t.loc[("x", "y"), "value"] == pytest.approx(abs(r_real - r_syn), abs=1e-12)
    assert t.loc[("x", "y"), "real"] == pytest.approx(r_real, abs=1e-12)
    p = pd.crosstab(real["c"], real["d"], normalize=True)
    q = pd.crosstab(syn["c"], syn["d"], normalize=True)
    assert t.loc[("c", "d"), "value"] == pytest.approx(0.5 * p.sub(q, fill_value=0).abs().sum().sum(), abs=1e-12)

    def eta(df, cat, num):
        d = df[[cat, num]].dropna(subset=[num])
        g = d.groupby(cat)[num]
        between = (g.count() * (g.mean() - d[num].mean()) ** 2).sum()
        return np.sqrt(between / ((d[num] - d[num].mean()) ** 2).sum())

    assert t.loc[("y", "c"), "value"] == pytest.approx(abs(eta(real, "c", "y") - eta(syn, "c", "y")), abs=1e-12)
    assert t.loc[("x", "c"), "metric"] == "corr_ratio_diff" and t.loc[("x", "c"), "kinds"] == "numeric-categorical"
    scaled = t["value"] / t["metric"].map({"abs_corr_diff": 2.0}).fillna(1.0)
    assert res.mean == pytest.approx(scaled.mean())
    assert res.by_metric["abs_corr_diff"] == pytest.approx(t.loc[("x", "y"), "value"])
    skip = pairwise_fidelity(real, syn, mixed="skip")
    assert skip.n_pairs == 2 and set(skip.table["metric"]) == {"abs_corr_diff", "contingency_tv"}
    assert res.to_frame().shape == (6, 9) and res.to_dict()["n_pairs"] == 6 and "PairwiseFidelity(mean=" in repr(res)


def test_pairwise_identical_reordered_undefined_and_errors():
    df = mixed_table(300, random_state=5)
    same = pairwise_fidelity(df, df)
    assert same.mean == 0.0 and same.table["value"].max() == 0.0 and same.n_pairs == 15
    other = mixed_table(300, random_state=6)
    a = pairwise_fidelity(df, other).table
    b = pairwise_fidelity(df, other[other.columns[::-1]]).table
    pd.testing.assert_frame_equal(a, b)
    const = pd.DataFrame({"x": [1.0, 2.0, 3.0], "k": [5.0, 5.0, 5.0]})
    res = pairwise_fidelity(const, const)
    assert res.n_undefined == 1 and np.isnan(res.mean) and "undefined" in res.table.loc[0, "note"]
    with pytest.raises(ValueError, match="mixed must be"):
        pairwise_fidelity(df, df, mixed="drop")
    with pytest.raises(ValueError, match="real does not have the schema's columns"):
        pairwise_fidelity(df.drop(columns="age"), df, schema=infer_schema(df))


# ---------------------------------------------------------------- mixed_table
def test_mixed_table_seeded_and_errors():
    a, b = mixed_table(100, random_state=7), mixed_table(100, random_state=7)
    pd.testing.assert_frame_equal(a, b)
    assert isinstance(infer_schema(a), TableSchema)
    big = mixed_table(4000, missing=0.1, random_state=8)
    assert big["income"].isna().mean() == pytest.approx(0.1, abs=4 * np.sqrt(0.09 / 4000))
    assert mixed_table(50, missing=0.0, random_state=0).isna().sum().sum() == 0
    with pytest.raises(ValueError, match="n must be a positive integer"):
        mixed_table(0)
    with pytest.raises(ValueError, match=r"missing must be a share in \[0, 1\)"):
        mixed_table(10, missing=1.0)
