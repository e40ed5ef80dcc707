"""The replication runner: a grid of settings × replications, seeded, parallel, cached, tidy.

Seeding. The random stream of a task depends only on ``seed``, the *values* of its setting and its
replication number: ``SeedSequence(seed, spawn_key=(key(setting), replication))``, where ``key`` is a
SHA-256 of the setting's canonical text (sorted keys, plain JSON values). So a given (setting,
replication) always gets the same numbers, whatever the order of the grid, the number of workers, the
machine (joblib locally or a Dask cluster), or whether part of the run came from the cache. Grid values
are names, numbers, strings, booleans, None or tuples of those; anything else (an object, a function)
has no canonical text and is refused: pass a name and look the object up inside the function.

Vectorised Monte Carlo. With ``batched=True`` the function is called once per setting with
``n_replications`` and one generator, and must return exactly one row per replication (a dict of
arrays of length ``n_replications`` or a DataFrame). The whole batch is then reproducible given the
seed, the setting and ``n_replications``.

Crash safety. With ``cache_dir`` the parent process stores each finished task atomically (temporary
file, fsync, rename) as soon as it arrives, so an interrupted run resumes where it stopped; workers
never write, and joblib workers exit when the parent dies. An unreadable cache file is a miss (with a
warning naming it) and is overwritten.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from pathlib import Path
from typing import Callable, Iterable, Mapping

import numpy as np
import pandas as pd

from ._cache import canonical_setting, function_fingerprint, load_rows, setting_key, store_rows, task_file
from .._validation import InputTypeError, check_bool, check_int, check_memory

__all__ = ["expand_grid", "setting_seed", "run_replications"]

RESERVED_KEYS = frozenset({"replication", "__batch__"})
_BATCH_STREAM = 2**31  # the spawn key of a batch's stream; replication indices stay far below it


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
            if not values[-1]:
                raise ValueError(f"grid key {key!r} has no values; give at least one (an empty list would run nothing).")
        return [dict(zip(keys, combo)) for combo in itertools.product(*values)]
    if isinstance(grid, (str, bytes)) or not isinstance(grid, Iterable):
        raise InputTypeError(f"grid must be a dict of lists, a list of dicts or None, got {type(grid).__name__}.")
    settings = []
    for i, s in enumerate(grid):
        if not isinstance(s, Mapping):
            raise InputTypeError(f"grid[{i}] must be a dict of grid values, got {type(s).__name__}; pass a list of "
                                 "dicts or a dict of lists.")
        settings.append(dict(s))
    if not settings:
        raise ValueError("grid is empty; give at least one setting.")
    return settings


def _check_index(value, name: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {value!r} ({type(value).__name__}).")
    return int(value)


def setting_seed(seed: int, setting: Mapping, replication: int) -> np.random.SeedSequence:
    """The seed sequence of one (setting, replication) task.

    Parameters
    ----------
    seed : int
        Root seed (non-negative).
    setting : mapping
        Grid values: names, numbers, strings, booleans, None or tuples of those.
    replication : int
        Replication index (non-negative integer; anything else raises ``ValueError``).

    Returns
    -------
    numpy.random.SeedSequence
        ``SeedSequence(seed, spawn_key=(key(setting), replication))``: the same in every process.

    Examples
    --------
    >>> a = setting_seed(0, {"n": 10, "d": 0.5}, 3)
    >>> b = setting_seed(0, {"d": 0.5, "n": 10}, 3)
    >>> bool(np.random.default_rng(a).integers(1000) == np.random.default_rng(b).integers(1000))
    True
    >>> setting_seed(0, {"n": 10}, "batch")
    Traceback (most recent call last):
    ValueError: replication must be a non-negative integer, got 'batch' (str).
    """
    seed, replication = _check_index(seed, "seed"), _check_index(replication, "replication")
    if replication >= _BATCH_STREAM:
        raise ValueError(f"replication must be below 2**31, got {replication}.")
    return np.random.SeedSequence(seed, spawn_key=(setting_key(setting), replication))


def _batch_seed(seed: int, setting: Mapping, n_replications: int) -> np.random.SeedSequence:
    return np.random.SeedSequence(seed, spawn_key=(setting_key({**setting, "__batch__": n_replications}), _BATCH_STREAM))


def _func_name(func) -> str:
    name = getattr(func, "__qualname__", None) or type(func).__qualname__
    module = getattr(func, "__module__", None)
    return f"{module}.{name}" if module else name


def _rows_from_result(result, setting, replication, func, n_replications) -> list[dict]:
    if isinstance(result, pd.DataFrame):
        columns, records = [str(c) for c in result.columns], result.to_dict("records")
    elif isinstance(result, Mapping):
        columns = [str(c) for c in result]
        arrays = {k: np.atleast_1d(np.asarray(v)) for k, v in result.items()}
        lengths = {len(v) for v in arrays.values()}
        if not arrays:
            records = []
        elif replication is not None and lengths == {1}:
            records = [{k: v[0] for k, v in arrays.items()}]
        else:
            if len(lengths) != 1:
                raise ValueError(f"{_func_name(func)} returned columns of different lengths {sorted(lengths)}.")
            records = [{k: v[i] for k, v in arrays.items()} for i in range(lengths.pop())]
    else:
        raise ValueError(
            "the replication function must return a dict of metrics or a DataFrame, "
            f"got {type(result).__name__} from {_func_name(func)}."
        )
    clash = sorted(set(columns) & (set(setting) | {"replication"}))
    if clash:
        raise ValueError(
            f"{_func_name(func)} returned metric(s) {clash} named like a grid key or the runner's "
            "'replication' column; rename the metric or the grid key (one would silently overwrite the other)."
        )
    if replication is None and len(records) != n_replications:
        raise ValueError(
            f"batched function {_func_name(func)} returned {len(records)} rows for n_replications="
            f"{n_replications} (setting {setting}); it must return exactly one row per replication."
        )
    if not records:
        raise ValueError(f"{_func_name(func)} returned no rows for setting {setting}, replication {replication}.")
    rows = []
    for i, record in enumerate(records):
        row = dict(setting)
        row["replication"] = i if replication is None else replication
        row.update({k: (v.item() if isinstance(v, np.generic) else v) for k, v in record.items()})
        rows.append(row)
    return rows


_WATCHDOG = None


def _exit_with_parent(interval: float = 0.25) -> None:
    """In a joblib worker: a daemon thread that ends the process once its parent has died."""
    global _WATCHDOG
    if _WATCHDOG is not None:
        return
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(interval)
        os._exit(1)  # reparented: the runner is gone, stop computing for nobody

    _WATCHDOG = threading.Thread(target=watch, name="synutil-parent-watchdog", daemon=True)
    _WATCHDOG.start()


def _compute(func, seed, n_replications, runner_pid, index, setting, replication):
    if runner_pid is not None and os.getpid() != runner_pid:
        _exit_with_parent()
    if replication is None:
        rng = np.random.default_rng(_batch_seed(seed, setting, n_replications))
        result = func(rng, n_replications=n_replications, **setting)
    else:
        rng = np.random.default_rng(setting_seed(seed, setting, replication))
        result = func(rng, **setting)
    return index, _rows_from_result(result, setting, replication, func, n_replications)


def _on_dask(client, compute, jobs):
    """Yield ``(index, rows)`` as the cluster finishes them; cancel what is left on exit."""
    try:
        from distributed import Client, as_completed
    except ImportError as exc:
        raise ImportError("run_replications(client=...) needs Dask: pip install 'synutil[dask]'") from exc
    own = isinstance(client, str)
    if own:
        client = Client(client)
    elif not isinstance(client, Client):
        raise ValueError(f"client must be a distributed.Client or a scheduler address, got {type(client).__name__}.")
    futures = []
    try:
        futures = client.map(compute, *zip(*jobs), pure=False) if jobs else []
        for future in as_completed(futures):
            yield future.result()
    finally:
        client.cancel([future for future in futures if not future.done()])
        if own:
            client.close()


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
    client=None,
) -> pd.DataFrame:
    """Run ``func`` for every setting of ``grid`` and every replication; return a tidy DataFrame.

    Parameters
    ----------
    func : callable
        ``func(rng, **setting) -> dict`` of metrics for one replication (or a DataFrame of rows), or
        with ``batched=True`` ``func(rng, n_replications=R, **setting)`` returning exactly ``R`` rows at
        once (vectorised Monte Carlo).
    grid : dict of lists, list of dicts or None
        The settings (see :func:`expand_grid`). Keys are strings other than ``replication`` and the
        names of returned metrics; values are names, numbers, strings, booleans, None or tuples of
        those (objects are refused: pass a name and look the object up inside ``func``).
    n_replications : int
        Replications per setting.
    seed : int
        Root seed; with the setting and the replication number it fixes every random stream.
    batched : bool
        Call ``func`` once per setting for all replications.
    n_jobs : int
        joblib workers (``-1`` for all cores). Results do not depend on it. Ignored with ``client``.
    progress : bool
        Show a tqdm progress bar over tasks (cached tasks count as done).
    cache_dir : path or None
        If given, each finished task is stored there and reused, so an interrupted run resumes
        where it stopped, in this or any later process. The key holds the function's module, name,
        source and code, defaults and closure values, the setting, the replication, the seed and,
        batched, ``n_replications``; it does not hold globals the function reads.
    client : distributed.Client, str or None
        Run the tasks on a Dask cluster (a client or a scheduler address; needs ``synutil[dask]``).
        The result is identical to ``n_jobs=1``: same seeds, same row order.

    Returns
    -------
    pandas.DataFrame
        One row per (setting, replication): the setting's columns, ``replication``, the metrics.

    Notes
    -----
    The same call runs on a Dask cluster (``pip install 'synutil[dask]'``); the workers need
    synutil and see ``func`` through cloudpickle, the parent keeps the cache::

        from dask.distributed import Client
        client = Client("tcp://scheduler:8786")        # or dask_jobqueue.SLURMCluster(...).get_client()
        df = run_replications(func, grid, n_replications=1000, client=client, cache_dir="runs/ch5")

    Each task costs about 0.1 ms with ``n_jobs=1``, a few milliseconds of scheduling on Dask and a
    few milliseconds of fsync with ``cache_dir``: keep tasks coarse (``batched=True`` gives one task
    per setting) when a replication itself takes milliseconds.

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
    >>> run_replications(draw, {"scale": [1.0], "replication": [0]}, n_replications=1)
    Traceback (most recent call last):
    ValueError: grid key 'replication' is reserved by the runner; rename it.
    """
    try:
        n_replications = check_int(n_replications, name="n_replications", low=1)
    except ValueError as error:
        raise type(error)(f"n_replications must be a positive integer, got {n_replications!r} "
                          f"({type(n_replications).__name__}).") from None
    seed = _check_index(seed, "seed")
    if not callable(func):
        raise InputTypeError(f"func must be a callable func(rng, **setting), got {type(func).__name__}.")
    batched, progress = check_bool(batched, name="batched"), check_bool(progress, name="progress")
    n_jobs = check_int(n_jobs, name="n_jobs")
    if n_jobs == 0:
        raise ValueError("n_jobs must be a positive number of workers, or -1 for all cores (joblib's convention); "
                         "got 0.")
    if cache_dir is not None and not isinstance(cache_dir, (str, os.PathLike)):
        raise InputTypeError(f"cache_dir must be a path (str or os.PathLike) or None, got {type(cache_dir).__name__}.")
    settings = expand_grid(grid)
    n_tasks = len(settings) * (1 if batched else n_replications)
    check_memory(1024.0 * n_tasks, what=f"the bookkeeping of {n_tasks} tasks ({len(settings)} settings x "
                 f"{n_replications} replications)", fix="lower n_replications, run the grid in parts, or use "
                 "batched=True (one task per setting)")
    canon = []
    for setting in settings:
        for key in RESERVED_KEYS.intersection(setting):
            raise ValueError(f"grid key {key!r} is reserved by the runner; rename it.")
        canon.append(canonical_setting(setting))
    tasks = [(i, None) for i in range(len(settings))] if batched else \
        [(i, r) for i in range(len(settings)) for r in range(n_replications)]

    files = [None] * len(tasks)
    results = [None] * len(tasks)
    if cache_dir is not None:
        cache_path = Path(cache_dir)
        cache_path.mkdir(parents=True, exist_ok=True)
        fingerprint = function_fingerprint(func)
        files = [task_file(cache_path, fingerprint, canon[s], r, seed, n_replications) for s, r in tasks]
        results = [load_rows(f) for f in files]
    todo = [(k, settings[s], r) for k, (s, r) in enumerate(tasks) if results[k] is None]

    name = getattr(func, "__qualname__", getattr(func, "__name__", "func"))
    bar = None
    if progress:
        from tqdm.std import tqdm  # plain text: a widget bar needs ipywidgets and warns without it

        bar = tqdm(total=len(tasks), initial=len(tasks) - len(todo), desc=name, leave=False)
    try:
        if client is not None:
            from functools import partial

            finished = _on_dask(client, partial(_compute, func, seed, n_replications, None), todo)
        elif n_jobs == 1:
            finished = (_compute(func, seed, n_replications, None, *job) for job in todo)
        else:
            from joblib import Parallel, delayed

            task = delayed(_compute)
            finished = Parallel(n_jobs=n_jobs, return_as="generator_unordered")(
                task(func, seed, n_replications, os.getpid(), *job) for job in todo)
        for k, rows in finished:
            results[k] = rows
            if files[k] is not None:
                store_rows(files[k], rows)
            if bar is not None:
                bar.update()
    finally:
        if bar is not None:
            bar.close()
    return pd.DataFrame([row for chunk in results for row in chunk])
