"""Input checks shared by every public function of :mod:`synutil`.

Every check raises a :class:`ValueError` whose message says what is wrong and how to fix it,
so that nothing fails deep inside numpy or silently returns NaN.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

__all__ = [
    "as_float_array",
    "as_matched_pair",
    "check_confidence",
    "check_random_state",
    "check_min_rows",
]


def _column_names(data) -> list[str] | None:
    columns = getattr(data, "columns", None)
    if columns is None:
        return None
    return [str(c) for c in columns]


def as_float_array(data, *, name: str, ndim: int | None = None, min_rows: int = 1) -> np.ndarray:
    """Convert ``data`` to a finite float array, with a readable error otherwise.

    Parameters
    ----------
    data : array-like or pandas object
        The values to check.
    name : str
        How the argument is called in the caller's signature; it is used in error messages.
    ndim : {None, 1, 2}
        Required number of dimensions. With ``ndim=2`` a 1-D input is read as a single feature
        (one column); with ``ndim=1`` a 2-D input with one column is flattened.
    min_rows : int
        Fewest rows (observations) the caller needs.

    Examples
    --------
    >>> as_float_array([1, 2, 3], name="x", ndim=2).shape
    (3, 1)
    >>> as_float_array([1.0, float("nan")], name="x")
    Traceback (most recent call last):
    ...
    ValueError: x contains NaN or infinite values (1 of 2 entries, first at row 1); drop or impute them before calling.
    """
    columns = _column_names(data)
    try:
        array = np.asarray(data, dtype=float)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"{name} must be numeric (a numpy array or a DataFrame of numbers); "
            f"converting it to float failed: {error}. Encode categorical columns first."
        ) from None
    if ndim == 2 and array.ndim == 1:
        array = array[:, None]
    if ndim == 1 and array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got an array of shape {array.shape}.")
    if array.ndim == 0:
        raise ValueError(f"{name} must be an array, got the scalar {array!r}.")
    finite = np.isfinite(array)
    if not finite.all():
        bad = ~finite
        n_bad = int(bad.sum())
        row = int(np.argwhere(bad)[0][0])
        where = ""
        if array.ndim == 2 and columns is not None:
            bad_cols = [columns[j] for j in np.flatnonzero(bad.any(axis=0))]
            where = f" in column(s) {bad_cols}"
        raise ValueError(
            f"{name} contains NaN or infinite values{where} ({n_bad} of {array.size} entries, "
            f"first at row {row}); drop or impute them before calling."
        )
    check_min_rows(array, name=name, min_rows=min_rows)
    return array


def check_min_rows(array: np.ndarray, *, name: str, min_rows: int) -> None:
    """Raise if ``array`` has fewer than ``min_rows`` rows.

    >>> check_min_rows(np.zeros((1, 2)), name="X", min_rows=2)
    Traceback (most recent call last):
    ...
    ValueError: X has 1 row(s) but at least 2 are needed.
    """
    if array.shape[0] < min_rows:
        raise ValueError(f"{name} has {array.shape[0]} row(s) but at least {min_rows} are needed.")


def as_matched_pair(X, Y, *, names: Sequence[str] = ("X", "Y"), min_rows: int = 1, ndim: int = 2):
    """Validate two samples that must describe the same variables.

    DataFrames are matched by column name (any order); the second is reordered to the first's
    columns. Arrays must have the same number of columns.

    Returns
    -------
    X, Y : ndarray
        Finite float arrays with the same number of columns.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"age": [1.0, 2.0], "income": [3.0, 4.0]})
    >>> b = pd.DataFrame({"income": [30.0], "age": [10.0]})
    >>> X, Y = as_matched_pair(a, b)
    >>> Y.tolist()
    [[10.0, 30.0]]
    """
    name_x, name_y = names
    cols_x, cols_y = _column_names(X), _column_names(Y)
    if (cols_x is None) != (cols_y is None) and ndim == 2:
        pass  # one DataFrame and one array: fall back to positional matching below
    elif cols_x is not None and cols_y is not None:
        missing = [c for c in cols_x if c not in cols_y]
        extra = [c for c in cols_y if c not in cols_x]
        if missing or extra:
            raise ValueError(
                f"{name_x} and {name_y} must have the same columns: {name_y} lacks {missing} "
                f"and has extra {extra}. Select or rename columns so that both match."
            )
        Y = Y[list(X.columns)]
    X = as_float_array(X, name=name_x, ndim=ndim, min_rows=min_rows)
    Y = as_float_array(Y, name=name_y, ndim=ndim, min_rows=min_rows)
    if ndim == 2 and X.shape[1] != Y.shape[1]:
        raise ValueError(
            f"{name_x} has {X.shape[1]} column(s) but {name_y} has {Y.shape[1]}; "
            "both samples must describe the same variables."
        )
    return X, Y


def check_confidence(confidence: float) -> float:
    """Check that a confidence level lies strictly between 0 and 1.

    >>> check_confidence(95)
    Traceback (most recent call last):
    ...
    ValueError: confidence must lie strictly between 0 and 1 (e.g. 0.95), got 95.
    """
    if not np.isscalar(confidence) or not 0.0 < float(confidence) < 1.0:
        raise ValueError(f"confidence must lie strictly between 0 and 1 (e.g. 0.95), got {confidence!r}.")
    return float(confidence)


def check_random_state(random_state) -> np.random.Generator:
    """Turn ``None``, an int, a ``SeedSequence`` or a ``Generator`` into a ``Generator``.

    >>> bool(check_random_state(0).integers(10) == check_random_state(0).integers(10))
    True
    """
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, (np.random.SeedSequence, type(None))) or np.issubdtype(
        type(random_state), np.integer
    ):
        return np.random.default_rng(random_state)
    raise ValueError(
        "random_state must be None, an int, a numpy SeedSequence or a numpy Generator, "
        f"got {type(random_state).__name__}."
    )
