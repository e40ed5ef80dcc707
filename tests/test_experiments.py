import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from synutil.sim.runner import expand_grid, run_replications, setting_seed


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


# --- canonical keys, seeds and reserved names -----------------------------------------------------------

def test_n_jobs_does_not_change_the_dataframe_at_all():
    grid = {"scale": [1.0, 2.0], "law": ["beta", "uniform"], "shape": [(2, 5.0)], "flag": [True, None]}

    def f(rng, *, scale, law, shape, flag):
        return {"value": scale * rng.standard_normal() + shape[1], "u": rng.uniform()}

    one = run_replications(f, grid, n_replications=3, seed=9)
    pd.testing.assert_frame_equal(one, run_replications(f, grid, n_replications=3, seed=9, n_jobs=2))
    batch = run_replications(draw_batch, {"scale": [1.0, 2.0]}, n_replications=7, seed=9, batched=True)
    pd.testing.assert_frame_equal(batch, run_replications(draw_batch, {"scale": [1.0, 2.0]}, n_replications=7,
                                                          seed=9, batched=True, n_jobs=2))


@pytest.mark.parametrize("value", [object(), lambda x: x, [1, 2], {"a": 1}, np.arange(3), (1, object())])
def test_grid_values_without_a_canonical_form_are_refused(value):
    with pytest.raises(ValueError, match=r"no stable canonical form.*pass its name"):
        run_replications(draw, [{"scale": 1.0, "shift": value}], n_replications=1)
    with pytest.raises(ValueError, match="no stable canonical form"):
        setting_seed(0, {"shift": value}, 0)


def test_numpy_scalars_and_python_values_share_one_stream():
    a = run_replications(draw, {"scale": [np.float64(2.0)], "shift": [np.int64(1)]}, n_replications=2, seed=4)
    b = run_replications(draw, {"scale": [2.0], "shift": [1]}, n_replications=2, seed=4)
    np.testing.assert_array_equal(a.value, b.value)
    with pytest.raises(ValueError, match="grid keys must be strings"):
        setting_seed(0, {1: 2.0}, 0)


def test_setting_seed_validates_replication_and_seed():
    same = np.random.default_rng(setting_seed(0, {"n": 1}, np.int64(2))).integers(1 << 30)
    assert same == np.random.default_rng(setting_seed(0, {"n": 1}, 2)).integers(1 << 30)
    for bad in ("batch", 1.0, None, -1, True):
        with pytest.raises(ValueError, match="replication must be a non-negative integer"):
            setting_seed(0, {"n": 1}, bad)
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        setting_seed(1.5, {"n": 1}, 0)
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        run_replications(draw, {"scale": [1.0]}, n_replications=1, seed="0")


def test_reserved_and_colliding_names_are_refused():
    with pytest.raises(ValueError, match="grid key 'replication' is reserved"):
        run_replications(draw, {"scale": [1.0], "replication": [0, 1]}, n_replications=1)
    with pytest.raises(ValueError, match="grid key '__batch__' is reserved"):
        run_replications(draw, [{"scale": 1.0, "__batch__": 1}], n_replications=1)
    with pytest.raises(ValueError, match=r"returned metric\(s\) \['value'\] named like a grid key"):
        run_replications(lambda rng, scale, value: {"value": scale * value}, {"scale": [1.0], "value": [3.0]},
                         n_replications=1)
    with pytest.raises(ValueError, match=r"returned metric\(s\) \['replication'\]"):
        run_replications(lambda rng, scale: {"replication": 7, "v": scale}, {"scale": [1.0]}, n_replications=1)


def test_batched_functions_must_return_one_row_per_replication():
    def scalar_batch(rng, *, n_replications, scale):
        return {"value": scale * rng.standard_normal()}  # forgot the replications

    with pytest.raises(ValueError, match=r"batched function .*scalar_batch returned 1 rows for n_replications=5"):
        run_replications(scalar_batch, {"scale": [1.0]}, n_replications=5, batched=True)
    with pytest.raises(ValueError, match=r"short_frame returned 3 rows for n_replications=4"):
        def short_frame(rng, *, n_replications, scale):
            return pd.DataFrame({"value": rng.standard_normal(n_replications - 1)})

        run_replications(short_frame, {"scale": [1.0]}, n_replications=4, batched=True)
    with pytest.raises(ValueError, match="returned no rows"):
        run_replications(lambda rng, scale: pd.DataFrame({"v": []}), {"scale": [1.0]}, n_replications=1)
    one = run_replications(scalar_batch, {"scale": [1.0]}, n_replications=1, batched=True)
    assert len(one) == 1  # one replication, one row: fine


# --- cache keys ----------------------------------------------------------------------------------------

def _make(k):
    def same_name(rng, *, scale):
        return {"value": k * scale * rng.standard_normal()}
    return same_name


def test_functions_sharing_a_qualname_do_not_share_cache_entries(tmp_path):
    grid = {"scale": [1.0]}
    one = run_replications(_make(1), grid, n_replications=2, seed=0, cache_dir=tmp_path)
    two = run_replications(_make(2), grid, n_replications=2, seed=0, cache_dir=tmp_path)  # closure differs
    np.testing.assert_allclose(two.value, 2 * one.value)
    other_module = _make(1)
    other_module.__module__ = "somewhere.else"
    run_replications(other_module, grid, n_replications=2, seed=0, cache_dir=tmp_path)
    namespace = {}
    exec("def same_name(rng, *, scale):\n    return {'value': -scale}", namespace)  # no source: code hash
    edited = namespace["same_name"]
    edited.__qualname__, edited.__module__ = _make(1).__qualname__, _make(1).__module__
    assert run_replications(edited, grid, n_replications=2, seed=0, cache_dir=tmp_path).value.tolist() == [-1.0, -1.0]
    assert len(list(tmp_path.glob("*.pkl"))) == 8
    f, g = (lambda rng, scale: {"value": scale}), (lambda rng, scale: {"value": -scale})  # one line, one source
    assert run_replications(f, grid, n_replications=1, cache_dir=tmp_path).value[0] == 1.0
    assert run_replications(g, grid, n_replications=1, cache_dir=tmp_path).value[0] == -1.0


def test_unreadable_cache_files_are_misses_with_a_warning(tmp_path):
    calls = []

    def counted(rng, *, scale):
        calls.append(scale)
        return {"value": scale * rng.standard_normal()}

    first = run_replications(counted, {"scale": [1.0, 2.0]}, n_replications=2, seed=0, cache_dir=tmp_path)
    files = sorted(tmp_path.glob("*.pkl"))
    assert len(files) == 4
    files[0].write_bytes(files[0].read_bytes()[:7])  # truncated
    files[1].write_bytes(b"not a pickle at all")      # garbage
    calls.clear()
    with pytest.warns(RuntimeWarning, match="cache file .* is unreadable") as record:
        again = run_replications(counted, {"scale": [1.0, 2.0]}, n_replications=2, seed=0, cache_dir=tmp_path)
    assert {str(files[0]), str(files[1])} <= {w.message.args[0].split()[2] for w in record}
    assert len(calls) == 2, "only the two damaged tasks run again"
    pd.testing.assert_frame_equal(first, again)
    calls.clear()
    run_replications(counted, {"scale": [1.0, 2.0]}, n_replications=2, seed=0, cache_dir=tmp_path)
    assert calls == [], "the damaged files were overwritten with good ones"
    assert not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob(".*"))


def test_a_failed_write_leaves_no_partial_file(tmp_path, monkeypatch):
    from synutil import _cache

    target = tmp_path / "x.pkl"
    _cache.store_rows(target, [{"a": 1}])

    def broken_dump(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(_cache.pickle, "dump", broken_dump)
    with pytest.raises(OSError, match="disk full"):
        _cache.store_rows(target, [{"a": 2}])
    assert [p.name for p in tmp_path.iterdir()] == ["x.pkl"]
    assert _cache.load_rows(target) == [{"a": 1}]


# --- fresh processes -------------------------------------------------------------------------------------

FRESH = textwrap.dedent("""
    import sys
    from synutil.sim.runner import run_replications

    cache, log, out = sys.argv[1], sys.argv[2], sys.argv[3]
    SCALES = {"small": 1.0, "big": 10.0}

    def draw(rng, *, size, shape, k=2):
        with open(log, "a") as fh:
            fh.write(size + "\\n")
        return {"value": SCALES[size] * rng.standard_normal() + k * shape[0]}

    grid = {"size": ["small", "big"], "shape": [(1, 0.5)]}
    run_replications(draw, grid, n_replications=3, seed=1, cache_dir=cache).to_pickle(out + ".cached")
    run_replications(draw, grid, n_replications=3, seed=1).to_pickle(out + ".computed")
""")


def test_a_fresh_process_hits_the_cache_and_gets_the_same_numbers(tmp_path):
    script, log = tmp_path / "fresh.py", tmp_path / "calls.log"
    script.write_text(FRESH)
    for run in range(2):  # string hashing is salted differently in each process
        env = {**os.environ, "PYTHONHASHSEED": str(run + 1)}
        subprocess.run([sys.executable, str(script), str(tmp_path / "cache"), str(log), str(tmp_path / f"{run}.pkl")],
                       check=True, env=env, timeout=300)
        assert len(log.read_text().split()) == 12 + 6 * run, "the second process hits the cache"
    frames = [pd.read_pickle(tmp_path / f"{run}.pkl.{how}") for run in range(2) for how in ("cached", "computed")]
    for frame in frames[1:]:
        pd.testing.assert_frame_equal(frames[0], frame)


ORPHANS = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    from synutil.sim.runner import run_replications

    pids, cache = Path(sys.argv[1]), sys.argv[2]

    def slow(rng, *, i):
        (pids / str(os.getpid())).touch()
        time.sleep(2.0)
        return {"v": i}

    run_replications(slow, {"i": list(range(8))}, n_replications=1, n_jobs=2, cache_dir=cache)
""")


def _alive(pid):
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has exited
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_stop_when_the_parent_is_killed(tmp_path):
    script, pids, cache = tmp_path / "orphans.py", tmp_path / "pids", tmp_path / "cache"
    script.write_text(ORPHANS)
    pids.mkdir()
    parent = subprocess.Popen([sys.executable, str(script), str(pids), str(cache)])
    try:
        deadline = time.monotonic() + 120
        while len(list(pids.iterdir())) < 2 and time.monotonic() < deadline and parent.poll() is None:
            time.sleep(0.05)
        workers = [int(p.name) for p in pids.iterdir()]
        assert len(workers) == 2, "both workers started a task"
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in workers), "loky workers outlived their parent"
    time.sleep(2.5)  # a surviving worker would now finish its task and start the next one
    assert sorted(int(p.name) for p in pids.iterdir()) == sorted(workers)
    assert not list(cache.glob("*.pkl")), "nothing is written once the parent is gone"


def test_fingerprints_of_recursive_partial_and_callable_functions():
    import functools

    from synutil.sim._cache import function_fingerprint

    def outer(k):
        def rec(rng, n=2):
            return rec(rng, n - 1) if n else {"v": k}
        return rec

    class Scaled:
        def __init__(self, k):
            self.k = k

        def __call__(self, rng, *, scale):
            return {"value": self.k * scale}

    assert function_fingerprint(outer(1)) == function_fingerprint(outer(1)) != function_fingerprint(outer(2))
    assert function_fingerprint(functools.partial(draw, shift=1.0)) != function_fingerprint(
        functools.partial(draw, shift=2.0))
    assert function_fingerprint(Scaled(1)) != function_fingerprint(Scaled(2))
    assert function_fingerprint(Scaled(np.ones(3))) == function_fingerprint(Scaled(np.ones(3)))
