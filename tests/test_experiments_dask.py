"""run_replications on a Dask cluster: the same DataFrame as n_jobs=1, the same cache, a progress bar."""

import sys

import numpy as np
import pandas as pd
import pytest

distributed = pytest.importorskip("distributed")
cloudpickle = pytest.importorskip("cloudpickle")

from synutil.sim.runner import run_replications  # noqa: E402

# the workers cannot import this test module by name: ship its functions by value
cloudpickle.register_pickle_by_value(sys.modules[__name__])


def draw(rng, *, scale, law):
    return {"value": scale * rng.standard_normal(), "law_id": len(law) + rng.uniform()}


def draw_batch(rng, *, n_replications, scale):
    return {"value": scale * rng.standard_normal(n_replications)}


def wrong_rows(rng, *, n_replications, scale):
    return {"value": scale * rng.standard_normal(n_replications - 1)}


GRID = {"scale": [1.0, 2.0, 3.0], "law": ["beta", "uniform"]}


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None,
                                  worker_dashboard_address=None) as cluster, distributed.Client(cluster) as c:
        yield c


def test_cluster_gives_the_identical_dataframe(client):
    local = run_replications(draw, GRID, n_replications=5, seed=11)
    remote = run_replications(draw, GRID, n_replications=5, seed=11, client=client)
    pd.testing.assert_frame_equal(local, remote)
    local_b = run_replications(draw_batch, {"scale": [1.0, 5.0]}, n_replications=50, seed=2, batched=True)
    remote_b = run_replications(draw_batch, {"scale": [1.0, 5.0]}, n_replications=50, seed=2, batched=True,
                                client=client)
    pd.testing.assert_frame_equal(local_b, remote_b)


def test_scheduler_address_and_progress_bar(client, capsys, tmp_path):
    run_replications(draw, {"scale": [1.0], "law": ["beta"]}, n_replications=2, seed=3, cache_dir=tmp_path)
    local = run_replications(draw, GRID, n_replications=2, seed=3)
    remote = run_replications(draw, GRID, n_replications=2, seed=3, client=client.scheduler.address, progress=True,
                              cache_dir=tmp_path)
    pd.testing.assert_frame_equal(local, remote)
    assert "2/12" in capsys.readouterr().err  # the bar counts the cached tasks as done


def test_cluster_resumes_from_and_fills_the_same_cache(client, tmp_path):
    half = run_replications(draw, {"scale": [1.0], "law": ["beta"]}, n_replications=4, seed=5, cache_dir=tmp_path)
    assert len(list(tmp_path.glob("*.pkl"))) == 4
    full = run_replications(draw, GRID, n_replications=4, seed=5, client=client, cache_dir=tmp_path)
    assert len(list(tmp_path.glob("*.pkl"))) == 24
    pd.testing.assert_frame_equal(full.iloc[:4], half)
    pd.testing.assert_frame_equal(full, run_replications(draw, GRID, n_replications=4, seed=5))
    again = run_replications(draw, GRID, n_replications=4, seed=5, cache_dir=tmp_path)  # all hits, locally
    pd.testing.assert_frame_equal(full, again)


def test_errors_on_the_cluster_reach_the_caller(client):
    with pytest.raises(ValueError, match=r"wrong_rows returned 9 rows for n_replications=10"):
        run_replications(wrong_rows, {"scale": [1.0]}, n_replications=10, batched=True, client=client)
    with pytest.raises(ValueError, match="distributed.Client or a scheduler address"):
        run_replications(draw, GRID, n_replications=1, client=42)


def test_missing_dask_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ImportError, match=r"pip install 'synutil\[dask\]'"):
        run_replications(draw, GRID, n_replications=1, client="tcp://127.0.0.1:1")


def test_dask_result_does_not_depend_on_the_seed_path(client):
    # a different root seed gives different numbers on the cluster too (the seed does reach the workers)
    a = run_replications(draw, GRID, n_replications=2, seed=0, client=client)
    b = run_replications(draw, GRID, n_replications=2, seed=1, client=client)
    assert not np.allclose(a.value, b.value)
