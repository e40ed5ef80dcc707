"""Tests of the mixed-table generators: GaussianCopulaGenerator and SequentialCARTGenerator."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from synutil.generators import GaussianCopulaGenerator, SequentialCARTGenerator
from synutil.tables import column_fidelity, infer_schema, mixed_table

GENERATORS = [GaussianCopulaGenerator, SequentialCARTGenerator]


@pytest.fixture(scope="module")
def real():
    df = mixed_table(2000, missing=0.08, random_state=0)
    rng = np.random.default_rng(1)
    df["tier"] = pd.Categorical(rng.choice(["gold", "silver", "bronze"], size=len(df)),
                                categories=["bronze", "silver", "gold", "platinum"])
    df["score"] = np.where(rng.random(len(df)) < 0.1, np.nan, rng.integers(0, 10, len(df)).astype(float))
    df["note"] = pd.Series(rng.choice(["yes", "no"], size=len(df)), dtype=object)
    return df


@pytest.fixture(scope="module", params=GENERATORS, ids=lambda g: g.__name__)
def fitted(request, real):
    gen = request.param().fit(real)
    return gen, gen.sample(2000, random_state=2)


def test_dtypes_order_and_values_preserved(real, fitted):
    gen, syn = fitted
    assert list(syn.columns) == list(real.columns) and len(syn) == 2000
    pd.testing.assert_series_equal(syn.dtypes, real.dtypes)
    assert isinstance(syn["tier"].dtype, pd.CategoricalDtype) and syn["tier"].dtype == real["tier"].dtype
    assert set(syn["purchased"].unique()) <= {0, 1} and syn["smoker"].dtype == bool  # binary stays binary
    assert set(syn["region"].dropna()) <= set(real["region"].dropna())
    assert set(syn["note"].unique()) <= {"yes", "no"} and syn["note"].dtype == object
    # whole-number columns come back whole; values stay in the real range
    assert np.all(syn["n_children"] == np.round(syn["n_children"]))
    score = syn["score"].dropna()
    assert np.all(score == np.round(score)) and score.between(0, 9).all()
    assert syn["age"].between(real["age"].min(), real["age"].max()).all()


def test_marginals_reproduced(real, fitted):
    gen, syn = fitted
    fid = column_fidelity(real, syn).set_index("column")
    n = m = 2000
    ks_crit = 1.95 * np.sqrt((n + m) / (n * m))  # 0.1% level of the two-sample KS test
    for col in ["age", "income"]:
        assert fid.loc[col, "value"] < ks_crit, col
    # TV of K categories: E[TV] <= 0.5 * sum_k sqrt(p_k(1-p_k)(1/n+1/m)); a bound with room, for K <= 5
    for col in ["region", "smoker", "purchased", "tier", "note"]:
        assert fid.loc[col, "value"] < 0.05, col
    for col in ["income", "region", "score"]:  # missing shares, within 4 standard errors
        p = real[col].isna().mean()
        assert syn[col].isna().mean() == pytest.approx(p, abs=4 * np.sqrt(p * (1 - p) * (1 / n + 1 / m))), col


def test_same_seed_same_rows(real, fitted):
    gen, syn = fitted
    pd.testing.assert_frame_equal(gen.sample(2000, random_state=2), syn)
    assert not gen.sample(50, random_state=3).equals(gen.sample(50, random_state=4))
    rng = np.random.default_rng(5)
    assert gen.sample(10, random_state=rng).shape == (10, len(real.columns))


def test_copula_normal_score_correlation_reproduced():
    rng = np.random.default_rng(6)
    R = np.array([[1.0, 0.6, -0.3], [0.6, 1.0, 0.2], [-0.3, 0.2, 1.0]])
    Z = rng.multivariate_normal(np.zeros(3), R, size=3000)
    real = pd.DataFrame({"a": np.exp(Z[:, 0]), "b": Z[:, 1] ** 3, "c": stats.norm.cdf(Z[:, 2])})
    gen = GaussianCopulaGenerator().fit(real)
    fitted_R = gen.correlation_.to_numpy()
    np.testing.assert_allclose(fitted_R, R, atol=4 * (1 - R**2).max() / np.sqrt(3000) + 1e-9)
    n = 20000
    syn = gen.sample(n, random_state=7)
    scores = stats.norm.ppf(syn.rank().to_numpy() / (n + 1))
    se = (1 - fitted_R**2) / np.sqrt(n)  # large-sample s.e. of a Pearson correlation
    assert np.all(np.abs(np.corrcoef(scores, rowvar=False) - fitted_R) <= 4 * se + 1e-12)
    assert list(gen.correlation_.columns) == ["a", "b", "c"]


def test_copula_constant_and_all_missing_columns():
    real = pd.DataFrame({"x": np.arange(20.0), "k": 3.0, "m": np.nan, "c": ["u"] * 20, "o": [None] * 20})
    syn = GaussianCopulaGenerator().fit(real).sample(30, random_state=0)
    assert (syn["k"] == 3.0).all() and syn["m"].isna().all() and (syn["c"] == "u").all() and syn["o"].isna().all()
    syn = SequentialCARTGenerator().fit(real).sample(30, random_state=0)
    assert (syn["k"] == 3.0).all() and syn["m"].isna().all() and (syn["c"] == "u").all() and syn["o"].isna().all()


@pytest.mark.parametrize("order", [None, ["label", "x"]])
def test_cart_reproduces_a_deterministic_dependence(order):
    rng = np.random.default_rng(8)
    x = rng.normal(size=500)
    real = pd.DataFrame({"x": x, "label": pd.cut(x, [-np.inf, -0.5, 0.5, np.inf], labels=["low", "mid", "high"]).astype(str)})
    gen = SequentialCARTGenerator(visit_sequence=order).fit(real)
    syn = gen.sample(1000, random_state=9)
    expected = pd.cut(syn["x"], [-np.inf, -0.5, 0.5, np.inf], labels=["low", "mid", "high"]).astype(str)
    assert (syn["label"] == expected).all()
    assert list(syn.columns) == ["x", "label"]
    assert set(syn["x"]) <= set(x)  # cart draws real values


def test_cart_leaf_draws_follow_the_leaf_frequencies():
    # one binary predictor, y | a=0 ~ {0: .8, 1: .2}: the leaf of a=0 gives y=1 with probability .2
    rng = np.random.default_rng(10)
    a = rng.integers(0, 2, 4000)
    y = np.where(a == 0, rng.random(4000) < 0.2, rng.random(4000) < 0.9)
    real = pd.DataFrame({"a": a.astype(bool), "y": y})
    syn = SequentialCARTGenerator().fit(real).sample(20000, random_state=11)
    for value, p in [(False, (y[a == 0]).mean()), (True, (y[a == 1]).mean())]:
        sub = syn.loc[syn["a"] == value, "y"]
        assert sub.mean() == pytest.approx(p, abs=4 * np.sqrt(p * (1 - p) / len(sub)))


def test_generator_errors(real):
    with pytest.raises(ValueError, match="must be a pandas DataFrame"):
        GaussianCopulaGenerator().fit(real.to_numpy())
    with pytest.raises(ValueError, match=r"data has 1 row\(s\) but at least 2"):
        SequentialCARTGenerator().fit(real.iloc[:1])
    with pytest.raises(ValueError, match="not fitted yet"):
        GaussianCopulaGenerator().sample(5)
    gen = GaussianCopulaGenerator().fit(real.iloc[:100])
    for bad in (0, 2.5, "10"):
        with pytest.raises(ValueError, match="n must be a positive integer"):
            gen.sample(bad)
    with pytest.raises(ValueError, match="random_state must be"):
        gen.sample(5, random_state="seed")
    with pytest.raises(ValueError, match="ridge must be"):
        GaussianCopulaGenerator(ridge=0)
    with pytest.raises(ValueError, match="min_samples_leaf must be a positive integer"):
        SequentialCARTGenerator(min_samples_leaf=0)
    with pytest.raises(ValueError, match="max_depth must be None or a positive integer"):
        SequentialCARTGenerator(max_depth=0.5)
    with pytest.raises(ValueError, match=r"visit_sequence must list every column exactly once: missing \['age'\]"):
        SequentialCARTGenerator(visit_sequence=[c for c in real.columns if c != "age"]).fit(real)
    with pytest.raises(ValueError, match=r"unknown \['zz'\]"):
        SequentialCARTGenerator(visit_sequence=list(real.columns) + ["zz"]).fit(real)
    schema = infer_schema(real.iloc[:50])
    with pytest.raises(ValueError, match="has not seen"):
        GaussianCopulaGenerator().fit(real.assign(region=real["region"].fillna("nowhere")), schema=schema)
    with pytest.raises(ValueError, match="schema must be a TableSchema"):
        GaussianCopulaGenerator().fit(real, schema="auto")
    assert "n_rows=100" in repr(gen) and repr(SequentialCARTGenerator()).startswith("SequentialCARTGenerator(visit")
