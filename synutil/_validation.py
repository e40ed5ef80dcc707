"""Input checks shared by every public function of :mod:`synutil`.

Every check raises a :class:`ValueError` whose message names the argument, says what is wrong and how to
fix it, so that nothing fails deep inside numpy or silently returns a wrong number. A wrong *type* (a string
where a number is needed, a bool where a count is needed) raises :class:`InputTypeError`, which is both a
``TypeError`` and a ``ValueError``: ``except ValueError`` keeps catching every bad input.

Conventions, applied by every public function:

* **Arrays** (:func:`as_float_array`): numbers only. Complex values, strings, datetimes and objects are
  refused (no silent cast to the real part or of ``"1.5"`` to 1.5); NaN and infinity are refused.
* **DataFrames** (:func:`as_matched_pair`, :func:`align_columns`): two tables that describe the same
  variables (a real and a synthetic sample, a real and a synthetic risks table) are matched by column *name*:
  the same set of names is required, the second is reordered to the first, missing and extra names are listed.
  Duplicate names are refused; integer labels never match string labels (``0`` is not ``"0"``).
* **Counts and numbers** (:func:`check_int`, :func:`check_float`): no silent truncation. ``2.5`` is not a count,
  ``True`` is not a count, ``"0.95"`` is not a number; numpy integer and float scalars are accepted, and so is a
  float with an integral value (``1e6`` rows). Ranges are checked.
* **Randomness** (:func:`check_random_state`): ``None`` (fresh entropy), an ``int >= 0``, a
  ``numpy.random.SeedSequence`` or a ``numpy.random.Generator`` (used as is, so it advances). A legacy
  ``numpy.random.RandomState`` is accepted as scikit-learn does: one seed is drawn from it (so it advances too).
  Negative integers, floats, bools and strings are refused.
* **Memory** (:func:`check_memory`): an allocation whose size follows from the options (permutations x rows,
  models x replications, ...) is estimated before it is made and refused above :data:`MEMORY_LIMIT_BYTES`
  (4 GiB, or the environment variable ``SYNUTIL_MAX_BYTES``) with the option to change.
* **Results** (:func:`check_finite_result`): a NaN or infinite result is an error that says what to do, never
  a number handed back.
"""

from __future__ import annotations

import numbers
import os
from typing import Sequence

import numpy as np
import pandas as pd

__all__ = [
    "InputTypeError",
    "MEMORY_LIMIT_BYTES",
    "as_float_array",
    "as_matched_pair",
    "as_numbers",
    "align_columns",
    "align_series",
    "column_labels",
    "as_labels",
    "check_int",
    "check_float",
    "check_bool",
    "check_choice",
    "check_confidence",
    "check_random_state",
    "check_min_rows",
    "check_memory",
    "check_finite_result",
    "reworded",
]

#: Largest allocation (bytes) a function may plan before it refuses; override with ``SYNUTIL_MAX_BYTES``.
MEMORY_LIMIT_BYTES = 4 * 2**30


class InputTypeError(TypeError, ValueError):
    """An argument of the wrong type; both a ``TypeError`` and a ``ValueError``."""


def _describe(value) -> str:
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


# ----------------------------------------------------------------------------------------------- scalars


def _is_bool(value) -> bool:
    return isinstance(value, (bool, np.bool_))


def check_int(value, *, name: str, low: int | None = None, high: int | None = None, allow_none: bool = False):
    """A whole number in ``[low, high]``, as a Python ``int``; never truncates.

    Accepts ``int``, numpy integers and floats with an integral value (``1e6``); refuses ``2.5``, ``True``,
    ``"3"``, NaN and ``None`` (unless ``allow_none``).

    Examples
    --------
    >>> check_int(np.int64(3), name="n"), check_int(1e3, name="n")
    (3, 1000)
    >>> check_int(2.5, name="n_boot", low=1)
    Traceback (most recent call last):
    ...
    ValueError: n_boot must be a whole number >= 1, got 2.5 (float); pass an integer such as 2 (nothing is rounded for you).
    >>> check_int(True, name="n", low=1)
    Traceback (most recent call last):
    ...
    synutil._validation.InputTypeError: n must be a whole number >= 1, got True (bool); pass an integer such as 1.
    """
    if value is None and allow_none:
        return None
    bounds = _range_text(low, high)
    if _is_bool(value) or not isinstance(value, (numbers.Integral, numbers.Real)) or isinstance(value, complex):
        raise InputTypeError(f"{name} must be a whole number{bounds}, got {_describe(value)}; pass an integer "
                             f"such as {low if low is not None else 1}.")
    if not isinstance(value, numbers.Integral):
        v = float(value)
        if not np.isfinite(v) or not v.is_integer():
            near = max(int(np.floor(v)), low) if low is not None and np.isfinite(v) else int(np.floor(v)) \
                if np.isfinite(v) else 0
            hint = f"an integer such as {near} (nothing is rounded for you)" if np.isfinite(v) else "a finite integer"
            raise ValueError(f"{name} must be a whole number{bounds}, got {_describe(value)}; pass {hint}.")
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"{name} must be a whole number{bounds}, got {value}; pass a value in that range.")
    return value


def _range_text(low, high, low_open=False, high_open=False) -> str:
    if low is not None and high is not None:
        return f" in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
    if low is not None:
        return f" {'>' if low_open else '>='} {low:g}"
    if high is not None:
        return f" {'<' if high_open else '<='} {high:g}"
    return ""


def check_float(value, *, name: str, low: float | None = None, high: float | None = None, low_open: bool = False,
                high_open: bool = False, allow_inf: bool = False, allow_none: bool = False):
    """A real number in the given range, as a Python ``float``.

    Refuses strings (``"0.95"``), bools, complex numbers, ``None`` (unless ``allow_none``), NaN and, unless
    ``allow_inf``, infinity. ``low_open``/``high_open`` make the ends strict.

    Examples
    --------
    >>> check_float(np.float32(0.25), name="rho", low=0, high=0.5, high_open=True)
    0.25
    >>> check_float(0.5, name="rho", low=0, high=0.5, high_open=True)
    Traceback (most recent call last):
    ...
    ValueError: rho must be a number in [0, 0.5), got 0.5.
    >>> check_float("0.95", name="confidence")
    Traceback (most recent call last):
    ...
    synutil._validation.InputTypeError: confidence must be a number, got '0.95' (str); pass a float, not a string.
    """
    if value is None and allow_none:
        return None
    bounds = _range_text(low, high, low_open, high_open)
    if _is_bool(value) or not isinstance(value, numbers.Real):
        hint = "a float, not a string" if isinstance(value, (str, bytes)) else "a real number"
        raise InputTypeError(f"{name} must be a number{bounds}, got {_describe(value)}; pass {hint}.")
    v = float(value)
    if np.isnan(v) or (np.isinf(v) and not allow_inf):
        raise ValueError(f"{name} must be a finite number{bounds}, got {v}.")
    if (low is not None and (v < low or (low_open and v == low))) or \
            (high is not None and (v > high or (high_open and v == high))):
        raise ValueError(f"{name} must be a number{bounds}, got {value!r}.")
    return v


def check_bool(value, *, name: str) -> bool:
    """``True`` or ``False`` (numpy bools too); ``0``, ``1`` and ``"yes"`` are refused.

    >>> check_bool(np.True_, name="batched")
    True
    """
    if not _is_bool(value):
        raise InputTypeError(f"{name} must be True or False, got {_describe(value)}.")
    return bool(value)


def check_choice(value, *, name: str, choices: Sequence):
    """One of ``choices`` (compared with ``==``, strings stay case-sensitive).

    >>> check_choice("linear", name="estimator", choices=("unbiased", "linear"))
    'linear'
    """
    if not isinstance(value, (str, numbers.Number, type(None))) or value not in tuple(choices):
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got {_describe(value)}.")
    return value


def check_confidence(confidence, *, name: str = "confidence") -> float:
    """Check that a confidence level lies strictly between 0 and 1.

    >>> check_confidence(95)
    Traceback (most recent call last):
    ...
    ValueError: confidence must lie strictly between 0 and 1 (e.g. 0.95), got 95.
    """
    if _is_bool(confidence) or not isinstance(confidence, numbers.Real):
        raise InputTypeError(f"{name} must be a number strictly between 0 and 1 (e.g. 0.95), got "
                             f"{_describe(confidence)}.")
    if not 0.0 < float(confidence) < 1.0:
        raise ValueError(f"{name} must lie strictly between 0 and 1 (e.g. 0.95), got {confidence!r}.")
    return float(confidence)


def check_random_state(random_state, *, name: str = "random_state") -> np.random.Generator:
    """Turn ``None``, an int ``>= 0``, a ``SeedSequence``, a ``Generator`` or a ``RandomState`` into a Generator.

    A ``Generator`` is returned as is (it advances); from a legacy ``RandomState`` one seed is drawn.

    >>> bool(check_random_state(0).integers(10) == check_random_state(0).integers(10))
    True
    >>> check_random_state(-1)
    Traceback (most recent call last):
    ...
    ValueError: random_state must be None, an int >= 0, a numpy SeedSequence or a numpy Generator, got -1 (int).
    """
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(int(random_state.randint(0, 2**31 - 1)))
    if random_state is None or isinstance(random_state, np.random.SeedSequence):
        return np.random.default_rng(random_state)
    message = (f"{name} must be None, an int >= 0, a numpy SeedSequence or a numpy Generator, "
               f"got {_describe(random_state)}.")
    if isinstance(random_state, numbers.Integral) and not _is_bool(random_state):
        if random_state < 0:
            raise ValueError(message)
        return np.random.default_rng(int(random_state))
    raise InputTypeError(message)


def reworded(check, value, *, message: str, **options):
    """``check(value, **options)``; on failure the same exception class with ``message`` instead.

    For a module whose own wording of the rule predates the shared checks (its tests and readers rely on it):
    the check stays the shared one (no silent truncation, bools and strings refused), the message stays theirs.

    >>> reworded(check_float, "0.05", name="alpha", low=0, high=1, message="alpha must lie in (0, 1), got '0.05'.")
    Traceback (most recent call last):
    ...
    synutil._validation.InputTypeError: alpha must lie in (0, 1), got '0.05'.
    """
    try:
        return check(value, **options)
    except ValueError as error:
        raise type(error)(message) from None


# ----------------------------------------------------------------------------------------------- memory


def _memory_limit() -> int:
    text = os.environ.get("SYNUTIL_MAX_BYTES")
    if text:
        try:
            return int(float(text))
        except ValueError:
            pass
    return MEMORY_LIMIT_BYTES


def check_memory(n_bytes, *, what: str, fix: str) -> None:
    """Refuse an allocation of ``n_bytes`` above the limit, before it is made.

    The limit is :data:`MEMORY_LIMIT_BYTES` (4 GiB) or the environment variable ``SYNUTIL_MAX_BYTES``.

    >>> check_memory(8 * 10**10, what="the permutation labels", fix="lower n_permutations")
    Traceback (most recent call last):
    ...
    ValueError: the permutation labels would need 74.5 GiB, above the 4 GiB limit (SYNUTIL_MAX_BYTES); lower n_permutations.
    """
    n_bytes = float(n_bytes)
    limit = _memory_limit()
    if n_bytes > limit:
        raise ValueError(f"{what} would need {n_bytes / 2**30:.3g} GiB, above the {limit / 2**30:.3g} GiB limit "
                         f"(SYNUTIL_MAX_BYTES); {fix}.")


def check_finite_result(value, *, what: str, fix: str):
    """Return ``value`` if every entry is finite; otherwise raise a ``ValueError`` saying what to do.

    >>> check_finite_result(float("inf"), what="MMD^2", fix="rescale the data")
    Traceback (most recent call last):
    ...
    ValueError: MMD^2 is not finite (inf): the computation overflowed; rescale the data.
    """
    arr = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(arr)):
        shown = float(arr) if arr.ndim == 0 else f"{int((~np.isfinite(arr)).sum())} non-finite entries"
        raise ValueError(f"{what} is not finite ({shown}): the computation overflowed; {fix}.")
    return value


# ----------------------------------------------------------------------------------------------- arrays


def column_labels(data, *, name: str = "X") -> list | None:
    """The column labels of a DataFrame (``None`` for anything else); duplicate labels are refused.

    >>> column_labels(pd.DataFrame([[1, 2]], columns=["a", "a"]), name="X_syn")
    Traceback (most recent call last):
    ...
    ValueError: X_syn has duplicate column name(s) ['a']; columns are matched by name, so each name must be unique. Rename or drop the duplicates.
    """
    columns = getattr(data, "columns", None)
    if columns is None or not hasattr(data, "iloc"):
        return None
    labels = list(columns)
    if len(set(labels)) != len(labels):
        seen, dups = set(), []
        for c in labels:
            if c in seen and c not in dups:
                dups.append(c)
            seen.add(c)
        raise ValueError(f"{name} has duplicate column name(s) {dups}; columns are matched by name, so each name "
                         "must be unique. Rename or drop the duplicates.")
    return labels


def _label_types(labels) -> str:
    return "/".join(sorted({type(c).__name__ for c in labels}))


def align_columns(data, reference: list, *, name: str, reference_name: str):
    """Reorder the DataFrame ``data`` to the column labels ``reference``; the two sets must be equal.

    >>> df = pd.DataFrame({"b": [2.0], "a": [1.0]})
    >>> align_columns(df, ["a", "b"], name="Y", reference_name="X").columns.tolist()
    ['a', 'b']
    """
    labels = column_labels(data, name=name)
    missing = [c for c in reference if c not in labels]
    extra = [c for c in labels if c not in reference]
    if missing or extra:
        as_text = sorted(map(str, reference)) == sorted(map(str, labels))
        if as_text:
            raise ValueError(
                f"{reference_name} and {name} name the same columns with different label types "
                f"({reference_name}: {_label_types(reference)}, {name}: {_label_types(labels)}), e.g. 0 and '0'; "
                "make them one type, e.g. df.columns = df.columns.astype(str) on both."
            )
        raise ValueError(
            f"{reference_name} and {name} must have the same columns: {name} lacks {missing} "
            f"and has extra {extra}. Select or rename columns so that both match."
        )
    return data if labels == list(reference) else data.loc[:, list(reference)]


def _frame_to_array(data, name: str) -> np.ndarray:
    bad = []
    for label, dtype in data.dtypes.items():
        if not (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)) or \
                pd.api.types.is_complex_dtype(dtype):
            bad.append((label, str(dtype)))
    if bad:
        raise InputTypeError(
            f"{name} must be numeric, but it has non-numeric column(s) {[b[0] for b in bad]} (dtype {', '.join(sorted({b[1] for b in bad}))}); "
            "encode categorical or text columns as numbers (e.g. pandas.get_dummies) before calling."
        )
    return data.to_numpy(dtype=float, na_value=np.nan)


def _to_float(data, name: str) -> np.ndarray:
    if hasattr(data, "dtypes") and hasattr(data, "columns") and hasattr(data, "iloc"):
        return _frame_to_array(data, name)
    if hasattr(data, "dtype") and hasattr(data, "to_numpy") and not isinstance(data, np.ndarray):  # Series, Index
        if isinstance(data.dtype, pd.CategoricalDtype):
            raise InputTypeError(f"{name} is categorical; encode it as numbers before calling.")
        if pd.api.types.is_numeric_dtype(data.dtype) and not pd.api.types.is_complex_dtype(data.dtype):
            return data.to_numpy(dtype=float, na_value=np.nan)
        data = data.to_numpy()
    try:
        raw = np.asarray(data)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be a rectangular array of numbers (rows of equal length): {error}") from None
    kind = raw.dtype.kind
    if kind == "c" or (kind == "O" and any(isinstance(v, complex) for v in raw.ravel())):
        raise InputTypeError(f"{name} must be numeric (real), but it has complex values; pass real numbers (e.g. "
                             "np.real(x) or np.abs(x) explicitly if that is what you mean).")
    if kind in "USa" or (kind == "O" and any(isinstance(v, (str, bytes)) for v in raw.ravel())):
        raise InputTypeError(f"{name} must be numeric, but it contains strings; convert it to numbers (encode "
                             "categories, parse text) before calling.")
    if kind in "mMV":
        raise InputTypeError(f"{name} has dtype {raw.dtype}; pass numbers (convert dates or records explicitly).")
    try:
        return np.asarray(raw, dtype=float)
    except (TypeError, ValueError) as error:
        raise InputTypeError(f"{name} must be numeric (a numpy array or a DataFrame of numbers); converting it to "
                             f"float failed: {error}. Encode categorical columns first.") from None


def as_float_array(data, *, name: str, ndim: int | None = None, min_rows: int = 1) -> np.ndarray:
    """Convert ``data`` to a finite float array, with a readable error otherwise.

    Parameters
    ----------
    data : array-like or pandas object
        The values to check. Complex values, strings, datetimes and objects are refused.
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
    >>> as_float_array([1 + 2j], name="x")
    Traceback (most recent call last):
    ...
    synutil._validation.InputTypeError: x must be numeric (real), but it has complex values; pass real numbers (e.g. np.real(x) or np.abs(x) explicitly if that is what you mean).
    """
    columns = getattr(data, "columns", None)
    columns = None if columns is None else list(columns)
    array = _to_float(data, name)
    if ndim == 2 and array.ndim == 1:
        array = array[:, None]
    if ndim == 1 and array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got an array of shape {array.shape}.")
    if array.ndim == 0:
        raise ValueError(f"{name} must be an array, got the scalar {array!r}.")
    if array.ndim >= 2 and array.shape[1] == 0:
        raise ValueError(f"{name} has no columns (shape {array.shape}); pass at least one feature.")
    finite = np.isfinite(array)
    if not finite.all():
        bad = ~finite
        n_bad = int(bad.sum())
        row = int(np.argwhere(bad)[0][0])
        where = ""
        if array.ndim == 2 and columns is not None and len(columns) == array.shape[1]:
            bad_cols = [str(columns[j]) for j in np.flatnonzero(bad.any(axis=0))]
            where = f" in column(s) {bad_cols}"
        raise ValueError(
            f"{name} contains NaN or infinite values{where} ({n_bad} of {array.size} entries, "
            f"first at row {row}); drop or impute them before calling."
        )
    check_min_rows(array, name=name, min_rows=min_rows)
    return array


def as_numbers(value, *, name: str, low: float | None = None, high: float | None = None, low_open: bool = False,
               high_open: bool = False, allow_inf: bool = False) -> np.ndarray:
    """A number or an array of numbers of any shape (a 0-d array for a scalar), all inside the given range.

    For the closed forms that broadcast over their arguments. Strings, bools, complex values and NaN are
    refused; infinity only with ``allow_inf``.

    >>> as_numbers([0.1, 0.2], name="d", low=0).tolist()
    [0.1, 0.2]
    >>> as_numbers(-1.0, name="d", low=0, high=1)
    Traceback (most recent call last):
    ...
    ValueError: d must lie in [0, 1], got -1.0.
    """
    try:
        kind = None if hasattr(value, "dtypes") else np.asarray(value).dtype.kind
    except (TypeError, ValueError):
        kind = None  # ragged: reported by _to_float
    if _is_bool(value) or kind == "b":
        raise InputTypeError(f"{name} must be a number or an array of numbers, got booleans {_describe(value)}.")
    array = _to_float(value, name)
    if np.isnan(array).any() or (not allow_inf and np.isinf(array).any()):
        raise ValueError(f"{name} must be {'' if allow_inf else 'finite '}numbers without NaN, got {value!r}.")
    bad = np.zeros(array.shape, dtype=bool)
    if low is not None:
        bad |= (array <= low) if low_open else (array < low)
    if high is not None:
        bad |= (array >= high) if high_open else (array > high)
    if bad.any():
        shown = float(array) if array.ndim == 0 else f"{int(bad.sum())} value(s) outside, first {array[bad][0]!r}"
        text = _range_text(low, high, low_open, high_open)
        raise ValueError(f"{name} must {'lie' if text.startswith(' in') else 'be'}{text}, got {shown}.")
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

    Two DataFrames are matched by column name (any order; see :func:`align_columns`): the second is reordered
    to the first's columns. With one DataFrame and one array, or two arrays, columns are matched by position
    and their numbers must agree.

    Returns
    -------
    X, Y : ndarray
        Finite float arrays with the same number of columns.

    Examples
    --------
    >>> a = pd.DataFrame({"age": [1.0, 2.0], "income": [3.0, 4.0]})
    >>> b = pd.DataFrame({"income": [30.0], "age": [10.0]})
    >>> X, Y = as_matched_pair(a, b)
    >>> Y.tolist()
    [[10.0, 30.0]]
    """
    name_x, name_y = names
    cols_x, cols_y = column_labels(X, name=name_x), column_labels(Y, name=name_y)
    if cols_x is not None and cols_y is not None:
        Y = align_columns(Y, cols_x, name=name_y, reference_name=name_x)
    X = as_float_array(X, name=name_x, ndim=ndim, min_rows=min_rows)
    Y = as_float_array(Y, name=name_y, ndim=ndim, min_rows=min_rows)
    if ndim == 2 and X.shape[1] != Y.shape[1]:
        raise ValueError(
            f"{name_x} has {X.shape[1]} column(s) but {name_y} has {Y.shape[1]}; "
            "both samples must describe the same variables."
        )
    return X, Y


def align_series(a, b, *, names: Sequence[str] = ("a", "b")):
    """Reorder the pandas Series ``b`` to the index labels of the Series ``a`` (e.g. one entry per model name).

    Anything but two Series is returned unchanged (positional). Two Series with equal indexes are unchanged;
    with the same labels in another order ``b`` is reordered; with other labels a ``ValueError`` lists them.

    >>> u = pd.Series([0.1, 0.2], index=["lr", "rf"]); v = pd.Series([2.0, 1.0], index=["rf", "lr"])
    >>> align_series(u, v)[1].tolist()
    [1.0, 2.0]
    """
    if not (isinstance(a, pd.Series) and isinstance(b, pd.Series)) or a.index.equals(b.index):
        return a, b
    name_a, name_b = names
    for s, name in ((a, name_a), (b, name_b)):
        if not s.index.is_unique:
            raise ValueError(f"{name} has duplicate index labels; entries are matched by label, so each must be unique.")
    missing = [c for c in a.index if c not in b.index]
    extra = [c for c in b.index if c not in a.index]
    if missing or extra:
        raise ValueError(f"{name_a} and {name_b} are Series with different index labels: {name_b} lacks {missing} "
                         f"and has extra {extra}. Give both the same labels (or pass plain arrays, matched by "
                         "position).")
    return a, b.loc[a.index]


def as_labels(y, *, name: str = "y", n_rows: int | None = None, min_classes: int = 1) -> np.ndarray:
    """A 1-D array of class labels (ints, strings or bools); NaN, None and complex labels are refused.

    >>> as_labels([0, 1, 1], name="y").tolist()
    [0, 1, 1]
    >>> as_labels([0.0, float("nan")], name="y")
    Traceback (most recent call last):
    ...
    ValueError: y has missing labels (NaN or None) at row(s) [1]; drop those rows or give them a class.
    """
    labels = np.asarray(y.to_numpy() if hasattr(y, "to_numpy") else y)
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    if labels.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of class labels, got shape {labels.shape}.")
    if labels.dtype.kind == "c":
        raise InputTypeError(f"{name} has complex values; class labels must be integers or strings.")
    if labels.dtype.kind in "fO":
        missing = [i for i, v in enumerate(labels.tolist())
                   if v is None or (isinstance(v, float) and not np.isfinite(v))]
        if missing:
            raise ValueError(f"{name} has missing labels (NaN or None) at row(s) {missing[:5]}; drop those rows "
                             "or give them a class.")
    if n_rows is not None and labels.shape[0] != n_rows:
        raise ValueError(f"{name} has {labels.shape[0]} labels but there are {n_rows} rows; give one label per row.")
    n_classes = len(np.unique(labels)) if labels.size else 0
    if n_classes < min_classes:
        raise ValueError(f"{name} has {n_classes} class(es) but at least {min_classes} are needed.")
    return labels
