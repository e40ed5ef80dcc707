r"""The schema of a real table: which columns are numeric, categorical or boolean (public face: :mod:`synutil.tables`).

Categories are kept as strings in a canonical form (``1``, ``1.0`` and ``np.int64(1)`` all read ``"1"``; booleans
and 0/1 columns read ``"False"``/``"True"``), so that a real table read from CSV and a synthetic table built by a
generator compare equal whatever dtype each ended up with.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from .._validation import check_int, reworded

__all__ = ["ColumnInfo", "TableSchema", "infer_schema", "KINDS"]

#: the three kinds of column a schema knows
KINDS = ("numeric", "categorical", "boolean")
_BOOL_STRINGS = {"True": "True", "False": "False", "1": "True", "0": "False"}


def _canonical_value(v) -> str:
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        return str(int(v)) if np.isfinite(v) and float(v).is_integer() else repr(float(v))
    return str(v)


def canonical_strings(series: pd.Series) -> np.ndarray:
    """The values of a column as canonical strings (object array), ``None`` where missing.

    >>> canonical_strings(pd.Series([1.0, None, 2.5, 1])).tolist()
    ['1', None, '2.5', '1']
    """
    codes, uniques = _factorize(series)
    table = np.array([_canonical_value(u) for u in uniques] + [None], dtype=object)
    return table[codes]  # code -1 picks the trailing None


def _factorize(series: pd.Series):
    """``pd.factorize`` with a readable error for values that cannot be compared (lists, dicts, sets)."""
    try:
        return pd.factorize(series, use_na_sentinel=True)
    except TypeError as error:
        raise ValueError(
            f"column {series.name!r} holds values that cannot be compared as categories ({error}), e.g. lists or "
            "dicts; synutil compares numbers and categories only: expand them into columns, convert them to "
            "strings, or drop the column."
        ) from None


def _refuse_datetime(series: pd.Series, name) -> None:
    dt = series.dtype
    if ptypes.is_datetime64_any_dtype(dt) or ptypes.is_timedelta64_dtype(dt) or isinstance(dt, pd.PeriodDtype) or (
        ptypes.is_object_dtype(dt) and ptypes.infer_dtype(series, skipna=True) in ("datetime", "date", "timedelta", "period")
    ):
        raise ValueError(
            f"column {name!r} holds dates or times ({dt}); synutil compares numbers and categories only: convert it "
            f"to a number (e.g. days since a reference date: (df[{name!r}] - pd.Timestamp('2000-01-01')).dt.days) "
            "or drop it."
        )


def numeric_values(series: pd.Series, name, *, where: str = "data") -> np.ndarray:
    """A numeric column as a float array with NaN where missing; refuses text and infinite values."""
    _refuse_datetime(series, name)
    complex_text = (f"column {name!r} of {where} has complex values: synutil compares real numbers; pass the real "
                    "part or the modulus explicitly (np.real, np.abs), or split it into two columns.")
    if ptypes.is_complex_dtype(series.dtype):
        raise ValueError(complex_text)
    if ptypes.is_bool_dtype(series.dtype) or ptypes.is_numeric_dtype(series.dtype):
        values = series.to_numpy(dtype=float, na_value=np.nan)
    else:
        try:
            converted = pd.to_numeric(series, errors="raise")
        except (TypeError, ValueError):
            bad = []
            for v in series.dropna().tolist()[:200]:
                if not isinstance(v, (int, float, np.number)) and repr(v) not in map(repr, bad):
                    bad.append(v)
            raise ValueError(
                f"column {name!r} of {where} is numeric in the schema but holds non-numbers such as {bad[:3]}: convert "
                f"it with pd.to_numeric, or declare it categorical (infer_schema(..., kinds={{{name!r}: 'categorical'}}))."
            ) from None
        if ptypes.is_complex_dtype(converted.dtype):
            raise ValueError(complex_text)
        values = converted.to_numpy(dtype=float, na_value=np.nan)
    if np.isinf(values).any():
        raise ValueError(f"column {name!r} of {where} has infinite values: replace them by NaN (missing) or a number.")
    return values


@dataclass(frozen=True)
class ColumnInfo:
    """What the schema knows about one column."""

    name: object
    kind: str
    dtype: str
    categories: tuple = ()
    missing_share: float = 0.0
    n_unique: int = 0
    integer: bool = False
    constant: bool = False
    all_missing: bool = False

    def to_dict(self) -> dict:
        """The fields as a plain dict (categories as a list)."""
        out = asdict(self)
        out["categories"] = list(self.categories)
        return out


@dataclass(frozen=True)
class TableSchema:
    """Column kinds of a table, in order: what :class:`~synutil.tables.TableEncoder`, the table metrics and the
    tabular generators need to know. Build it with :func:`infer_schema`."""

    column_info: tuple = field(repr=False)
    target: object = None
    n_rows: int = 0

    # ---------------------------------------------------------------- lookups
    @property
    def columns(self) -> tuple:
        """Column names, in order."""
        return tuple(c.name for c in self.column_info)

    def _of_kind(self, kind):
        return tuple(c.name for c in self.column_info if c.kind == kind)

    @property
    def numeric(self) -> tuple:
        """Names of the numeric columns."""
        return self._of_kind("numeric")

    @property
    def categorical(self) -> tuple:
        """Names of the categorical columns."""
        return self._of_kind("categorical")

    @property
    def boolean(self) -> tuple:
        """Names of the boolean columns."""
        return self._of_kind("boolean")

    @property
    def features(self) -> tuple:
        """Column names other than the target."""
        return tuple(c for c in self.columns if c != self.target)

    def __getitem__(self, name) -> ColumnInfo:
        for c in self.column_info:
            if c.name == name:
                return c
        raise ValueError(f"no column {name!r} in the schema; its columns are {list(self.columns)}.")

    def kind(self, name) -> str:
        """``"numeric"``, ``"categorical"`` or ``"boolean"``."""
        return self[name].kind

    def categories(self, name) -> tuple:
        """Categories of a categorical or boolean column (canonical strings, sorted); ``()`` for numeric."""
        return self[name].categories

    # ---------------------------------------------------------------- output
    def to_frame(self) -> pd.DataFrame:
        """One row per column: kind, dtype, categories, missing share and flags."""
        rows = []
        for c in self.column_info:
            d = c.to_dict()
            d["n_categories"] = len(c.categories)
            d["categories"] = ", ".join(c.categories[:10]) + (", ..." if len(c.categories) > 10 else "")
            d["target"] = c.name == self.target
            rows.append(d)
        order = ["name", "kind", "dtype", "n_categories", "categories", "missing_share", "n_unique", "integer",
                 "constant", "all_missing", "target"]
        return pd.DataFrame(rows, columns=order).set_index("name")

    def to_dict(self) -> dict:
        """The schema as plain Python objects (JSON-ready)."""
        return {"columns": [c.to_dict() for c in self.column_info], "target": self.target, "n_rows": self.n_rows}

    def __repr__(self) -> str:
        parts = [f"n_rows={self.n_rows}", f"target={self.target!r}"]
        for kind in KINDS:
            parts.append(f"{kind}={list(self._of_kind(kind))}")
        flags = {
            "constant": [c.name for c in self.column_info if c.constant and not c.all_missing],
            "all_missing": [c.name for c in self.column_info if c.all_missing],
            "with_missing": [c.name for c in self.column_info if c.missing_share > 0 and not c.all_missing],
        }
        parts += [f"{k}={v}" for k, v in flags.items() if v]
        return "TableSchema(" + ", ".join(parts) + ")"

    # ---------------------------------------------------------------- checking another table
    def check(self, data, *, name: str = "data", columns=None, unseen: str = "raise") -> pd.DataFrame:
        """Check that ``data`` fits this schema; return it with its columns in the schema's order.

        Columns are matched by name (any order). ``columns`` (a subset of the schema's columns) lets a table
        hold only those, e.g. the features without the target; ``data`` may then also hold other schema columns.
        Numeric columns must hold numbers, boolean columns True/False or 0/1. Category values that the schema
        has not seen are raised (``unseen="raise"``), warned about (``"warn"``) or let through (``"ignore"``).

        >>> schema = infer_schema(pd.DataFrame({"a": [1.0, 2.0], "b": ["x", "y"]}))
        >>> schema.check(pd.DataFrame({"b": ["y", "x"], "a": [0.5, 1.5]})).columns.tolist()
        ['a', 'b']
        >>> schema.check(pd.DataFrame({"a": [0.5]}), name="synthetic")
        Traceback (most recent call last):
        ...
        ValueError: synthetic does not have the schema's columns: missing ['b'], extra []. Select or rename columns so that the names match (order does not matter).
        """
        if not isinstance(unseen, str) or unseen not in ("raise", "warn", "ignore"):
            raise ValueError(f"unseen must be 'raise', 'warn' or 'ignore', got {unseen!r}.")
        data = _as_frame(data, name)
        required = list(self.columns) if columns is None else column_list(columns)
        for c in required:
            self[c]  # unknown names in `columns` raise here
        present = list(data.columns)
        missing = [c for c in required if c not in present]
        extra = [c for c in present if c not in self.columns or (columns is None and c not in required)]
        if missing or extra:
            raise ValueError(
                f"{name} does not have the schema's columns: missing {missing}, extra {extra}. Select or rename "
                "columns so that the names match (order does not matter)." + _label_type_hint(missing, extra)
            )
        data = data[required]
        problems = []
        for col in required:
            info, s = self[col], data[col]
            _refuse_datetime(s, col)
            if info.kind == "numeric":
                numeric_values(s, col, where=name)
                continue
            strings = canonical_strings(s)
            if info.kind == "boolean":
                bad = sorted({v for v in strings if v is not None and v not in _BOOL_STRINGS})
                if bad:
                    raise ValueError(
                        f"column {col!r} of {name} is boolean in the schema but holds {bad[:5]}: use True/False or 0/1."
                    )
                continue
            new = sorted({v for v in strings if v is not None} - set(info.categories))
            if new:
                problems.append(f"{col!r}: {new[:5]}{' ...' if len(new) > 5 else ''}")
        if problems and unseen != "ignore":
            msg = (f"{name} has category values the schema has not seen: {'; '.join(problems)}. Map them to known "
                   "categories or missing, infer the schema on a table that holds them, or pass unseen='ignore'.")
            if unseen == "raise":
                raise ValueError(msg)
            import warnings

            warnings.warn(msg, UserWarning, stacklevel=2)
        return data


def column_list(columns, *, name: str = "columns") -> list:
    """A list of distinct column names; a bare string is refused (it would be read as a list of letters).

    >>> column_list(("a", "b"))
    ['a', 'b']
    >>> column_list("age")
    Traceback (most recent call last):
    ...
    ValueError: columns must be a list of column names, got the string 'age'; write ['age'] for one column.
    """
    if isinstance(columns, (str, bytes)):
        raise ValueError(f"{name} must be a list of column names, got the string {columns!r}; write [{columns!r}] "
                         "for one column.")
    try:
        out = list(columns)
    except TypeError:
        raise ValueError(f"{name} must be a list of column names, got {type(columns).__name__}.") from None
    dups = [c for i, c in enumerate(out) if c in out[:i]]
    if dups:
        raise ValueError(f"{name} names column(s) {sorted(set(map(str, dups)))} more than once; list each column once.")
    return out


def _label_type_hint(missing, extra) -> str:
    """A hint when the missing and extra names are the same text with other label types (0 and '0')."""
    if missing and sorted(map(str, missing)) == sorted(map(str, extra)):
        return (" The names match as text but not as labels (e.g. 0 and '0'): give both tables one label type, e.g. "
                "df.columns = df.columns.astype(str).")
    return ""


def _check_label(label, *, name: str) -> None:
    """Refuse a column label that cannot be one (a list, a dict, an array)."""
    try:
        hash(label)
    except TypeError:
        raise ValueError(f"{name} must be one column name, got the {type(label).__name__} {label!r}.") from None


def _as_frame(data, name) -> pd.DataFrame:
    if not isinstance(data, pd.DataFrame):
        raise ValueError(
            f"{name} must be a pandas DataFrame with named columns, got {type(data).__name__}; wrap an array with "
            "pd.DataFrame(X, columns=[...])."
        )
    if data.columns.duplicated().any():
        dup = sorted({str(c) for c in data.columns[data.columns.duplicated()]})
        raise ValueError(f"{name} has duplicate column names {dup}: rename them so that each name is unique.")
    return data


def category_codes(series: pd.Series, categories, *, boolean: bool = False) -> np.ndarray:
    """Index of each value in ``categories`` (canonical strings); -1 where missing, -2 where not in ``categories``.

    With ``boolean=True`` the values 0/1 count as False/True.

    >>> category_codes(pd.Series(["b", None, "z"]), ("a", "b")).tolist()
    [1, -1, -2]
    """
    codes, uniques = _factorize(series)
    lookup = {c: i for i, c in enumerate(categories)}
    lut = np.empty(len(uniques) + 1, dtype=np.int64)
    for i, u in enumerate(uniques):
        v = _canonical_value(u)
        lut[i] = lookup.get(_BOOL_STRINGS.get(v, v) if boolean else v, -2)
    lut[-1] = -1
    return lut[codes]


def _infer_column(s: pd.Series, name, declared, max_categories) -> ColumnInfo:
    _refuse_datetime(s, name)
    dt = s.dtype
    n = len(s)
    n_missing = int(s.isna().sum())
    strings = None
    if declared is not None:
        kind = declared
    elif ptypes.is_bool_dtype(dt):
        kind = "boolean"
    elif ptypes.is_numeric_dtype(dt):
        uniq = pd.unique(s.dropna())
        kind = "boolean" if len(uniq) == 2 and set(np.asarray(uniq, dtype=float)) == {0.0, 1.0} else "numeric"
    else:
        strings = canonical_strings(s)
        observed = {v for v in strings if v is not None}
        is_bool = ptypes.infer_dtype(s, skipna=True) == "boolean"
        kind = "boolean" if is_bool and observed else "categorical"
    info = dict(name=name, kind=kind, dtype=str(dt), missing_share=n_missing / n if n else 0.0,
                all_missing=n_missing == n)
    if kind == "numeric":
        values = numeric_values(s, name)
        obs = values[~np.isnan(values)]
        info.update(n_unique=int(np.unique(obs).size), integer=bool(obs.size and np.all(obs == np.round(obs))))
    else:
        strings = canonical_strings(s) if strings is None else strings
        observed = sorted({v for v in strings if v is not None})
        if kind == "boolean":
            mapped = sorted({_BOOL_STRINGS.get(v, v) for v in observed})
            if not set(mapped) <= {"False", "True"}:
                raise ValueError(
                    f"column {name!r} is declared boolean but holds {observed[:5]}: use True/False or 0/1, or declare "
                    "it categorical."
                )
            info.update(categories=("False", "True"), n_unique=len(mapped))
        else:
            if isinstance(dt, pd.CategoricalDtype):
                observed = sorted(set(observed) | {_canonical_value(c) for c in dt.categories})
            if len(observed) > max_categories:
                raise ValueError(
                    f"column {name!r} has {len(observed)} distinct values (more than max_categories={max_categories}):"
                    " if it is an identifier, drop it; if it holds numbers as text, convert it with pd.to_numeric or "
                    f"declare it numeric (kinds={{{name!r}: 'numeric'}}); otherwise group rare values or raise "
                    "max_categories."
                )
            info.update(categories=tuple(observed), n_unique=len({v for v in strings if v is not None}))
    info["constant"] = info.get("n_unique", 0) <= 1
    return ColumnInfo(**info)


def infer_schema(data, *, target=None, kinds=None, max_categories: int = 50) -> TableSchema:
    r"""Infer the kind of every column of a table: numeric, categorical or boolean.

    .. math:: \text{kind}(c)=\begin{cases}\text{boolean}&\text{bool dtype, or values exactly }\{0,1\}
              \text{ or }\{\text{True},\text{False}\}\\ \text{categorical}&\text{object, string or category dtype}\\
              \text{numeric}&\text{other number dtypes}\end{cases}

    An integer column with few distinct values stays numeric unless declared otherwise in ``kinds``.
    Categories are recorded sorted, as canonical strings (see the module notes); the missing share (NaN, None,
    pd.NA), the number of distinct values, and whether a numeric column holds only whole numbers (``integer``;
    generators round such columns back) are recorded per column. Constant and all-missing columns are kept
    and flagged (see ``repr`` and :meth:`TableSchema.to_frame`).

    Parameters
    ----------
    data : pandas.DataFrame
        The real table (usually the real training table). Column names must be unique.
    target : column name, optional
        The response column, if any; recorded in the schema (``schema.features`` leaves it out).
    kinds : dict, optional
        ``{column: kind}`` to override the inference, e.g. ``{"zip": "categorical", "n_rooms": "numeric"}``.
    max_categories : int
        A categorical column with more distinct values is refused (likely an identifier or numbers as text).

    Raises
    ------
    ValueError
        Not a DataFrame, no rows, duplicate names, a date/time column (convert it to a number of days, or drop
        it), a categorical column with more than ``max_categories`` values, an unknown ``target`` or kind.

    Examples
    --------
    >>> df = pd.DataFrame({"age": [30.0, 41.5, None], "city": ["Paris", "Lyon", "Paris"], "smoker": [1, 0, 0]})
    >>> schema = infer_schema(df)
    >>> schema
    TableSchema(n_rows=3, target=None, numeric=['age'], categorical=['city'], boolean=['smoker'], with_missing=['age'])
    >>> schema.categories("city")
    ('Lyon', 'Paris')
    """
    data = _as_frame(data, "data")
    if data.shape[0] < 1 or data.shape[1] < 1:
        raise ValueError(f"data must have at least one row and one column, got shape {data.shape}.")
    reworded(check_int, max_categories, name="max_categories", low=2,
             message=f"max_categories must be an integer >= 2, got {max_categories!r}.")
    if kinds is not None and not isinstance(kinds, Mapping):
        raise ValueError(f"kinds must be a dict {{column: kind}} (e.g. {{'zip': 'categorical'}}), got "
                         f"{type(kinds).__name__}.")
    kinds = dict(kinds or {})
    unknown = [c for c in kinds if c not in data.columns]
    if unknown:
        raise ValueError(f"kinds names columns that data does not have: {unknown}; its columns are {list(data.columns)}.")
    bad = {c: k for c, k in kinds.items() if k not in KINDS}
    if bad:
        raise ValueError(f"kinds must map columns to one of {list(KINDS)}, got {bad}.")
    if target is not None:
        _check_label(target, name="target")
        if target not in data.columns:
            raise ValueError(f"target {target!r} is not a column of data; its columns are {list(data.columns)}."
                             + _label_type_hint([target], [c for c in data.columns if str(c) == str(target)]))
    info = tuple(_infer_column(data[c], c, kinds.get(c), max_categories) for c in data.columns)
    return TableSchema(column_info=info, target=target, n_rows=int(data.shape[0]))
