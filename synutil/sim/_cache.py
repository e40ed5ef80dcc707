"""Canonical keys and the crash-safe task cache of :mod:`synutil.sim.runner` (private).

Everything that names a task -- its setting, its random stream, its cache file -- is computed from
a *canonical form* that is the same in every process and on every machine: no ``repr`` of an object
(whose text may hold a memory address) and no ``hash()`` of a string (salted per process) ever feeds
a key. Grid values that have no such form are refused with a :class:`ValueError` that says how to
fix the grid.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import os
import pickle
import types
import uuid
import warnings
from pathlib import Path

import numpy as np

__all__ = ["canonical_setting", "setting_key", "function_fingerprint", "task_file", "load_rows", "store_rows"]

_SCALARS = (str, int, float, bool, type(None), np.bool_, np.integer, np.floating)
_CACHE_VERSION = "synutil-cache-2"


def _short(value, width: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."


def _plain(value, *, path: str):
    """The JSON-ready form of one allowed grid value; ValueError for anything else."""
    if isinstance(value, _SCALARS):
        return value.item() if isinstance(value, np.generic) else value
    if isinstance(value, tuple):
        return [_plain(v, path=f"{path}[{i}]") for i, v in enumerate(value)]
    hint = " (use a tuple)" if isinstance(value, list) else ""
    raise ValueError(
        f"grid value {path}={_short(value)} of type {type(value).__name__} has no stable canonical "
        f"form{hint}: its random stream and cache key would differ between processes. Grid values must be "
        "names, numbers, strings, booleans, None or tuples of those. To vary an object (a generator, a "
        "model, a function), pass its name, e.g. {'generator': ['gaussian', 'copula']}, and look the object "
        "up inside the replication function (GENERATORS[generator])."
    )


def canonical_setting(setting) -> str:
    """The canonical text of a setting: sorted keys, plain JSON values, the same in every process.

    >>> canonical_setting({"n": np.int64(10), "law": "beta", "shape": (2, 5.0)})
    '{"law": "beta", "n": 10, "shape": [2, 5.0]}'
    >>> canonical_setting({"model": object()})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ValueError: grid value model=<object object at 0x...> of type object has no stable canonical form...
    """
    for key in setting:
        if not isinstance(key, str):
            raise ValueError(f"grid keys must be strings (they are passed as keyword arguments), got {key!r}.")
    plain = {key: _plain(setting[key], path=key) for key in sorted(setting)}
    return json.dumps(plain, sort_keys=True, allow_nan=True)


def setting_key(setting) -> int:
    """A 64-bit integer from the SHA-256 of :func:`canonical_setting` (a ``SeedSequence`` spawn key)."""
    return int.from_bytes(hashlib.sha256(canonical_setting(setting).encode()).digest()[:8], "little")


# -- the identity of a replication function --------------------------------------------------------

def _const_text(const) -> str:
    if isinstance(const, types.CodeType):
        return _code_text(const)
    if isinstance(const, tuple):
        return "(" + ",".join(_const_text(c) for c in const) + ")"
    if isinstance(const, frozenset):  # iteration order of a frozenset of strings varies per process
        return "{" + ",".join(sorted(_const_text(c) for c in const)) + "}"
    return f"{type(const).__name__}:{const!r}"  # literals only: numbers, strings, bytes, None, Ellipsis


def _code_text(code: types.CodeType) -> str:
    return f"code({code.co_code.hex()}|{','.join(code.co_names)}|{','.join(_const_text(c) for c in code.co_consts)})"


def _state_text(value, seen: frozenset) -> str:
    """A stable text for a default, a closure cell or a partial's argument (best effort, never an address)."""
    try:
        return json.dumps(_plain(value, path="value"))
    except ValueError:
        pass
    if isinstance(value, np.ndarray) and value.dtype != object:
        digest = hashlib.sha256(np.ascontiguousarray(value).tobytes()).hexdigest()
        return f"array:{value.dtype.str}:{value.shape}:{digest}"
    if isinstance(value, (types.FunctionType, functools.partial)):
        return "<recursive>" if id(value) in seen else "|".join(_function_parts(value, seen))
    return f"<{type(value).__module__}.{type(value).__qualname__}>"  # other objects: their type only


def _function_parts(func, seen: frozenset = frozenset()) -> list[str]:
    seen = seen | {id(func)}
    if isinstance(func, functools.partial):
        return (["partial"] + _function_parts(func.func, seen) + [_state_text(a, seen) for a in func.args]
                + [f"{k}={_state_text(v, seen)}" for k, v in sorted(func.keywords.items())])
    if isinstance(func, types.MethodType):
        return ["method", f"<{type(func.__self__).__qualname__}>"] + _function_parts(func.__func__, seen)
    target = func if isinstance(func, (types.FunctionType, types.BuiltinFunctionType)) else type(func)
    parts = [getattr(target, "__module__", None) or "", getattr(target, "__qualname__", type(target).__name__)]
    try:  # the source, and the code object too: two lambdas on one line share their source text
        parts.append(hashlib.sha256(inspect.getsource(target).encode()).hexdigest())
    except (OSError, TypeError):
        parts.append("no source")
    code = getattr(target, "__code__", None) or getattr(getattr(target, "__call__", None), "__code__", None)
    parts.append(hashlib.sha256(_code_text(code).encode()).hexdigest() if code is not None else "no code")
    if isinstance(func, types.FunctionType):
        parts += [_state_text(d, seen) for d in func.__defaults__ or ()]
        parts += [f"{k}={_state_text(v, seen)}" for k, v in sorted((func.__kwdefaults__ or {}).items())]
        parts += [_state_text(cell.cell_contents, seen) for cell in func.__closure__ or () if _cell_full(cell)]
    elif target is not func:  # a callable object: its public state
        parts += [f"{k}={_state_text(v, seen)}" for k, v in sorted(getattr(func, "__dict__", {}).items())]
    return parts


def _cell_full(cell) -> bool:
    try:
        cell.cell_contents
    except ValueError:  # a cell not filled yet
        return False
    return True


def function_fingerprint(func) -> str:
    """Module, qualified name, a hash of the source (or of the code object when the source is missing),
    and the defaults and closure values of a replication function, hashed.

    Two functions with the same ``__qualname__`` but different modules or code get different
    fingerprints; editing a function's body gives a new one. Globals the function reads are not part
    of it (change ``cache_dir`` when they change).

    >>> f = lambda rng, n: {"v": n}
    >>> g = lambda rng, n: {"v": 2 * n}
    >>> function_fingerprint(f) == function_fingerprint(f), function_fingerprint(f) == function_fingerprint(g)
    (True, False)
    """
    return hashlib.sha256("\x1f".join(_function_parts(func)).encode()).hexdigest()


# -- the cache files ---------------------------------------------------------------------------------

def task_file(cache_path: Path, fingerprint: str, setting: str, replication, seed: int, n_replications: int) -> Path:
    """The cache file of one task: a hash of everything that determines its rows."""
    batch = n_replications if replication is None else None
    text = json.dumps([_CACHE_VERSION, fingerprint, setting, replication, seed, batch])
    return cache_path / f"{hashlib.sha256(text.encode()).hexdigest()[:32]}.pkl"


def load_rows(path: Path):
    """The rows stored in ``path``, or None when it is missing or unreadable (with a warning naming it)."""
    try:
        with open(path, "rb") as fh:
            rows = pickle.load(fh)
    except FileNotFoundError:
        return None
    except Exception as exc:  # truncated, garbage, written by an incompatible version...
        problem = f"{type(exc).__name__}: {exc}"
    else:
        if isinstance(rows, list) and all(isinstance(r, dict) for r in rows):
            return rows
        problem = f"it holds a {type(rows).__name__}, not a list of rows"
    warnings.warn(f"cache file {path} is unreadable ({problem}); treating it as a miss: the task runs again "
                  "and the file is overwritten.", RuntimeWarning, stacklevel=3)
    return None


def store_rows(path: Path, rows) -> None:
    """Write ``rows`` to ``path`` atomically: a temporary file, flushed and fsynced, then ``os.replace``."""
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(tmp, "wb") as fh:
            pickle.dump(rows, fh, protocol=pickle.HIGHEST_PROTOCOL)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
