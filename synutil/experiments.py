"""The replication runner: a grid of settings × replications, seeded, parallel, cached, tidy.

Seeding. The random stream of a task depends only on ``seed``, the *values* of its setting and its
replication number: ``SeedSequence(seed, spawn_key=(hash(setting), replication))``. So a given
(setting, replication) always gets the same numbers, whatever the order of the grid, the number of
workers or whether part of the run came from the cache.

Vectorised Monte Carlo. With ``batched=True`` the function is called once per setting with
``n_replications`` and one generator, and must return one row per replication (a dict of arrays of
length ``n_replications`` or a DataFrame). The whole batch is then reproducible given the seed,
the setting and ``n_replications``.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import pickle
from pathlib import Path
from typing import Callable, Iterable, Mapping

import numpy as np
import pandas as pd

__all__ = ["expand_grid", "setting_seed", "run_replications"]


def expand_grid(grid) -> list[dict]:
    """Turn a dict of lists (Cartesian product) or a list of dicts into a list of settings.

    >>> expand_grid({"n": [10, 20], "shift": [0.0]})
    [{'n': 10, 'shift': 0.0}, {'n': 20, 'shift': 0.0}]
    >>> expand_grid([{"n": 5}])
    [{'n': 5}]
    """
    if grid is None:
        return [{}]
    if isinstance(grid, Mapping):
        keys = list(grid)
        values = []
        for key in keys:
            value = grid[key]
            if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
                value = [value]
            values.append(list(value))
        return [dict(zip(keys, combo)) for combo in itertools.product(*values)]
    settings = [dict(s) for s in grid]
    if not settings:
        raise ValueError("grid is empty; give at least one setting.")
    return settings


def _canonical(setting: Mapping) -> str:
    def default(obj):
        if isinstance(obj, np.generic):
            return obj.item()
        if isinstance(obj, np.ndarray):
            return obj.tolist()
        return repr(obj)

    return json.dumps({str(k): setting[k] for k in sorted(setting)}, default=default, sort_keys=True)


def _setting_key(setting: Mapping) -> int:
    digest = hashlib.sha256(_canonical(setting).encode()).digest()
    return int.from_bytes(digest[:8], "little")


def setting_seed(seed: int, setting: Mapping, replication: int | str) -> np.random.SeedSequence:
    """The seed sequence of one (setting, replication) task.

    >>> a = setting_seed(0, {"n": 10, "d": 0.5}, 3)
    >>> b = setting_seed(0, {"d": 0.5, "n": 10}, 3)
    >>> bool(np.random.default_rng(a).integers(1000) == np.random.default_rng(b).integers(1000))
    True
    """
    rep = replication if isinstance(replication, int) else 2**31
    return np.random.SeedSequence(int(seed), spawn_key=(_setting_key(setting), rep))


def _rows_from_result(result, setting, replication) -> list[dict]:
    if isinstance(result, pd.DataFrame):
        records = result.to_dict("records")
    elif isinstance(result, Mapping):
        arrays = {k: np.atleast_1d(np.asarray(v)) for k, v in result.items()}
        lengths = {len(v) for v in arrays.values()}
        if replication is not None and lengths == {1}:
            records = [{k: v[0] for k, v in arrays.items()}]
        else:
            if len(lengths) != 1:
                raise ValueError(f"the function returned columns of different lengths {sorted(lengths)}.")
            length = lengths.pop()
            records = [{k: v[i] for k, v in arrays.items()} for i in range(length)]
    else:
        raise ValueError(
            "the replication function must return a dict of metrics or a DataFrame, "
            f"got {type(result).__name__}."
        )
    rows = []
    for i, record in enumerate(records):
        row = dict(setting)
        if replication is not None:
            row.setdefault("replication", replication)
        else:
            row.setdefault("replication", i)
        row.update({k: (v.item() if isinstance(v, np.generic) else v) for k, v in record.items()})
        rows.append(row)
    return rows


def _task(func, setting, replication, seed, n_replications, cache_file):
    if cache_file is not None and cache_file.exists():
        with open(cache_file, "rb") as fh:
            return pickle.load(fh)
    if replication is None:
        rng = np.random.default_rng(setting_seed(seed, {**setting, "__batch__": n_replications}, "batch"))
        result = func(rng, n_replications=n_replications, **setting)
    else:
        rng = np.random.default_rng(setting_seed(seed, setting, replication))
        result = func(rng, **setting)
    rows = _rows_from_result(result, setting, replication)
    if cache_file is not None:
        tmp = cache_file.with_suffix(f".tmp{os.getpid()}")
        with open(tmp, "wb") as fh:
            pickle.dump(rows, fh)
        tmp.replace(cache_file)
    return rows


def run_replications(
    func: Callable,
    grid=None,
    *,
    n_replications: int,
    seed: int = 0,
    batched: bool = False,
    n_jobs: int = 1,
    progress: bool = False,
    cache_dir: str | os.PathLike | None = None,
) -> pd.DataFrame:
    """Run ``func`` for every setting of ``grid`` and every replication; return a tidy DataFrame.

    Parameters
    ----------
    func : callable
        ``func(rng, **setting) -> dict`` of metrics for one replication, or with ``batched=True``
        ``func(rng, n_replications=R, **setting)`` returning ``R`` rows at once (vectorised Monte Carlo).
    grid : dict of lists, list of dicts or None
        The settings (see :func:`expand_grid`).
    n_replications : int
        Replications per setting.
    seed : int
        Root seed; with the setting and the replication number it fixes every random stream.
    batched : bool
        Call ``func`` once per setting for all replications.
    n_jobs : int
        joblib workers (``-1`` for all cores). Results do not depend on it.
    progress : bool
        Show a tqdm progress bar over tasks.
    cache_dir : path or None
        If given, each finished task is stored there and reused, so an interrupted run resumes
        where it stopped. The cache key holds the function's name, the setting, the replication
        and the seed; delete the folder after changing the function's code.

    Returns
    -------
    pandas.DataFrame
        One row per (setting, replication): the setting's columns, ``replication``, the metrics.

    Examples
    --------
    >>> def draw(rng, *, scale):
    ...     return {"value": scale * rng.standard_normal()}
    >>> df = run_replications(draw, {"scale": [1.0, 2.0]}, n_replications=3, seed=1)
    >>> df.shape
    (6, 3)
    >>> df2 = run_replications(draw, {"scale": [2.0, 1.0]}, n_replications=3, seed=1, n_jobs=2)
    >>> bool(np.allclose(df.sort_values(["scale", "replication"])["value"],
    ...                  df2.sort_values(["scale", "replication"])["value"]))
    True
    """
    if int(n_replications) < 1:
        raise ValueError(f"n_replications must be a positive integer, got {n_replications}.")
    n_replications = int(n_replications)
    settings = expand_grid(grid)
    cache_path = None
    if cache_dir is not None:
        cache_path = Path(cache_dir)
        cache_path.mkdir(parents=True, exist_ok=True)
    name = getattr(func, "__qualname__", getattr(func, "__name__", "func"))

    def cache_file(setting, replication):
        if cache_path is None:
            return None
        key = hashlib.sha256(f"{name}|{_canonical(setting)}|{replication}|{seed}|{n_replications if replication is None else ''}".encode()).hexdigest()[:24]
        return cache_path / f"{key}.pkl"

    if batched:
        tasks = [(s, None) for s in settings]
    else:
        tasks = [(s, r) for s in settings for r in range(n_replications)]
    args = [(func, s, r, seed, n_replications, cache_file(s, r)) for s, r in tasks]

    if n_jobs == 1:
        iterator = (_task(*a) for a in args)
    else:
        from joblib import Parallel, delayed

        iterator = Parallel(n_jobs=n_jobs, return_as="generator")(delayed(_task)(*a) for a in args)
    if progress:
        from tqdm.std import tqdm  # plain text: a widget bar needs ipywidgets and warns without it

        iterator = tqdm(iterator, total=len(args), desc=name, leave=False)
    rows = [row for chunk in iterator for row in chunk]
    return pd.DataFrame(rows)
