"""Tests of synutil.privacy: distance to closest record against a brute-force reference, and its verdict."""

import numpy as np
import pandas as pd
import pytest
from scipy.spatial.distance import cdist

from synutil.privacy import DCRResult, distance_to_closest_record, exact_copy_mask
from synutil.tables import TableEncoder, infer_schema, mixed_table


@pytest.fixture(scope="module")
def split():
    real = mixed_table(1800, random_state=0)
    return real.iloc[:600], real.iloc[600:1200], real.iloc[1200:]


def test_bootstrap_copy_of_train_is_all_copies(split):
    train, test, _ = split
    copies = train.sample(600, replace=True, random_state=1)
    res = distance_to_closest_record(train, test, copies)
    # every bootstrap row IS a training row: all exact copies, all distances 0
    assert res.exact_copy_share == 1.0 and np.all(res.dcr_synthetic == 0.0)
    assert res.median_synthetic == 0.0 and res.p5_synthetic == 0.0
    assert res.verdict == "memorisation signal" and res.prob_closer == 1.0
    assert res.p_value < 1e-10 and res.p_value_copies < 1e-10


def test_independent_sample_is_like_held_out(split):
    train, test, fresh = split
    res = distance_to_closest_record(train, test, fresh)
    assert res.verdict == "no memorisation signal"
    # P(DCR_syn < DCR_test) = 1/2 for exchangeable rows; s.e. of the AUC ~ sqrt((n+m+1)/(12nm)) = 0.0167
    assert abs(res.prob_closer - 0.5) < 4 * np.sqrt(1201 / (12 * 600 * 600))
    assert res.median_synthetic == pytest.approx(res.median_test, rel=0.2)
    assert res.exact_copy_share == 0.0 and res.exact_copy_share_test == 0.0


def test_distances_match_brute_force(split):
    train, test, fresh = split
    schema = infer_schema(train)
    enc = TableEncoder(schema).fit(train)
    res = distance_to_closest_record(train, test.iloc[:100], fresh.iloc[:150], schema=schema, encoder=enc)
    Z = enc.transform(train)
    np.testing.assert_allclose(res.dcr_synthetic, cdist(enc.transform(fresh.iloc[:150]), Z).min(axis=1), atol=1e-9)
    np.testing.assert_allclose(res.dcr_test, cdist(enc.transform(test.iloc[:100]), Z).min(axis=1), atol=1e-9)
    assert res.median_synthetic == pytest.approx(np.median(res.dcr_synthetic))
    assert res.p5_test == pytest.approx(np.percentile(res.dcr_test, 5))
    assert (res.n_train, res.n_test, res.n_synthetic) == (600, 100, 150)
    # columns in another order: same numbers
    again = distance_to_closest_record(train, test.iloc[:100], fresh.iloc[:150][fresh.columns[::-1]])
    np.testing.assert_allclose(again.dcr_synthetic, res.dcr_synthetic)


def test_some_copies_among_far_rows_are_flagged(split):
    train, test, fresh = split
    far = fresh.iloc[:450].assign(age=fresh["age"].iloc[:450] + 30.0)  # far from every training row
    syn = pd.concat([far, train.iloc[:50]])
    res = distance_to_closest_record(train, test, syn)
    assert res.exact_copy_share == pytest.approx(50 / 500)
    assert res.p_value > 0.05 and res.p_value_copies < 1e-6  # the copies alone raise the signal
    assert res.verdict == "memorisation signal"


def test_exact_copy_mask_semantics():
    ref = pd.DataFrame({"x": [1.0, np.nan, 2.5], "c": ["a", None, "b"], "f": [True, False, True]})
    data = pd.DataFrame({"f": [1, 0, 1, True], "c": ["a", None, "b", "zz"], "x": [1, np.nan, 2.5000001, 1.0]})
    np.testing.assert_array_equal(exact_copy_mask(ref, data), [True, True, False, False])
    # discrete data: held-out rows can duplicate training rows, which the baseline share records
    rng = np.random.default_rng(2)
    tab = pd.DataFrame({"a": rng.choice(["x", "y"], 400), "b": rng.choice([0, 1], 400)})
    res = distance_to_closest_record(tab.iloc[:200], tab.iloc[200:300], tab.iloc[300:])
    assert res.exact_copy_share_test == 1.0 and res.exact_copy_share == 1.0
    assert res.p_value_copies == 1.0


def test_result_outputs(split):
    train, test, fresh = split
    res = distance_to_closest_record(train, test.iloc[:50], fresh.iloc[:60])
    assert isinstance(res, DCRResult)
    frame = res.to_frame()
    assert list(frame.index) == ["synthetic", "real_test"] and frame.loc["real_test", "n_rows"] == 50
    d = res.to_dict()
    assert "dcr_synthetic" not in d and d["verdict"] == res.verdict and d["alpha"] == 0.05
    assert repr(res).startswith("DCRResult(verdict=") and "dcr_synthetic" not in repr(res)
    with pytest.raises(Exception):
        res.verdict = "x"  # frozen


def test_errors(split):
    train, test, fresh = split
    with pytest.raises(ValueError, match="alpha must lie strictly between 0 and 1"):
        distance_to_closest_record(train, test, fresh, alpha=5)
    with pytest.raises(ValueError, match="schema must be a TableSchema"):
        distance_to_closest_record(train, test, fresh, schema="auto")
    with pytest.raises(ValueError, match="encoder must be a fitted TableEncoder"):
        distance_to_closest_record(train, test, fresh, encoder=TableEncoder(infer_schema(train)))
    with pytest.raises(ValueError, match="synthetic does not have the schema's columns: missing \\['age'\\]"):
        distance_to_closest_record(train, test, fresh.drop(columns="age"))
    with pytest.raises(ValueError, match="real_train has no rows"):
        distance_to_closest_record(train.iloc[:0], test, fresh, schema=infer_schema(train))
    with pytest.raises(ValueError, match="at least 2 rows each"):
        distance_to_closest_record(train, test.iloc[:1], fresh)
    with pytest.raises(ValueError, match="must be a pandas DataFrame"):
        distance_to_closest_record(train, test, fresh.to_numpy())
