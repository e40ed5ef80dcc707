import numpy as np
import pandas as pd
import pytest

from synutil.experiments import expand_grid, run_replications, setting_seed


def draw(rng, *, scale, shift=0.0):
    return {"value": shift + scale * rng.standard_normal(), "other": rng.uniform()}


def draw_batch(rng, *, n_replications, scale):
    return {"value": scale * rng.standard_normal(n_replications)}


def test_expand_grid_is_the_cartesian_product():
    settings = expand_grid({"a": [1, 2, 3], "b": ["x", "y"]})
    assert len(settings) == 6
    assert {(s["a"], s["b"]) for s in settings} == {(a, b) for a in (1, 2, 3) for b in "xy"}
    assert expand_grid({"a": 5}) == [{"a": 5}]
    with pytest.raises(ValueError, match="grid is empty"):
        expand_grid([])


def test_streams_depend_on_setting_values_not_order_or_workers():
    df1 = run_replications(draw, {"scale": [1.0, 2.0], "shift": [0.0, 5.0]}, n_replications=4, seed=3)
    df2 = run_replications(draw, [{"shift": 5.0, "scale": 2.0}, {"scale": 1.0, "shift": 0.0}],
                           n_replications=4, seed=3, n_jobs=2)
    key = ["scale", "shift", "replication"]
    merged = df1.merge(df2, on=key, suffixes=("_1", "_2"))
    assert len(merged) == 8
    np.testing.assert_array_equal(merged["value_1"], merged["value_2"])
    np.testing.assert_array_equal(merged["other_1"], merged["other_2"])


def test_different_seeds_and_replications_give_different_streams():
    a = np.random.default_rng(setting_seed(0, {"n": 1}, 0)).standard_normal(5)
    b = np.random.default_rng(setting_seed(1, {"n": 1}, 0)).standard_normal(5)
    c = np.random.default_rng(setting_seed(0, {"n": 1}, 1)).standard_normal(5)
    assert not np.allclose(a, b) and not np.allclose(a, c)


def test_tidy_output_has_one_row_per_setting_and_replication():
    df = run_replications(draw, {"scale": [1.0, 2.0, 3.0]}, n_replications=5, seed=0)
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns) == ["scale", "replication", "value", "other"]
    assert df.groupby("scale").replication.apply(sorted).tolist() == [list(range(5))] * 3


def test_batched_mode_returns_all_replications_and_is_reproducible():
    df = run_replications(draw_batch, {"scale": [1.0, 10.0]}, n_replications=200, seed=1, batched=True)
    assert len(df) == 400
    assert df.groupby("scale").replication.nunique().tolist() == [200, 200]
    sd = df.groupby("scale").value.std()
    assert 0.8 < sd[1.0] < 1.2 and 8 < sd[10.0] < 12
    again = run_replications(draw_batch, {"scale": [10.0]}, n_replications=200, seed=1, batched=True)
    np.testing.assert_array_equal(again.value, df[df.scale == 10.0].value)


def test_cache_resumes_an_interrupted_run(tmp_path):
    calls = []

    def counted(rng, *, scale):
        calls.append(scale)
        if len(calls) == 5:
            raise KeyboardInterrupt  # the run is interrupted after four finished tasks
        return {"value": scale * rng.standard_normal()}

    with pytest.raises(KeyboardInterrupt):
        run_replications(counted, {"scale": [1.0, 2.0]}, n_replications=4, seed=0, cache_dir=tmp_path)
    assert len(list(tmp_path.glob("*.pkl"))) == 4
    calls.clear()
    df = run_replications(counted, {"scale": [1.0, 2.0]}, n_replications=4, seed=0, cache_dir=tmp_path)
    assert len(calls) == 4, "only the four unfinished tasks run again"
    fresh = run_replications(lambda rng, scale: {"value": scale * rng.standard_normal()},
                             {"scale": [1.0, 2.0]}, n_replications=4, seed=0)
    np.testing.assert_array_equal(df.value, fresh.value)


def test_progress_bar_does_not_change_results():
    a = run_replications(draw, {"scale": [1.0]}, n_replications=3, seed=2, progress=True)
    b = run_replications(draw, {"scale": [1.0]}, n_replications=3, seed=2)
    pd.testing.assert_frame_equal(a, b)


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match="n_replications must be a positive integer"):
        run_replications(draw, {"scale": [1.0]}, n_replications=0)
    with pytest.raises(ValueError, match="must return a dict of metrics or a DataFrame"):
        run_replications(lambda rng, scale: 1.0, {"scale": [1.0]}, n_replications=1)
    with pytest.raises(ValueError, match="columns of different lengths"):
        run_replications(lambda rng, n_replications, scale: {"a": [1, 2], "b": [1]},
                         {"scale": [1.0]}, n_replications=2, batched=True)
