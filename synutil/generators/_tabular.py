"""The base of the generators of whole mixed-type tables: ``fit(df)`` then ``sample(n, random_state=...)`` -> DataFrame.

Unlike :class:`~synutil.generators.SyntheticGenerator` (numeric ``X`` and a response ``y``), these generators see one
table with numeric, categorical and boolean columns and missing values (:func:`synutil.tables.infer_schema`), and
return a table with the same column names, order and dtypes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from ..tables.schema import TableSchema, _as_frame, category_codes, infer_schema, numeric_values
from .._validation import InputTypeError, check_random_state
from ._base import _check_n

__all__ = ["TabularGenerator"]


class TabularGenerator:
    """Base class: ``fit(data, schema=None)`` then ``sample(n, random_state=...)`` returns a DataFrame.

    Subclasses implement ``_fit(columns)`` and ``_sample(n, rng)``, both on the internal form of the table: a dict
    from column name to a float array (numeric; NaN = missing) or to an int array of category codes (categorical
    and boolean: the index in ``schema_.categories(name)``, -1 = missing). The base class validates the input,
    and turns sampled columns back into the original dtypes: whole-number numeric columns are rounded (int
    dtypes stay int), booleans come back as they came (bool, 0/1, True/False objects), categories as the
    original values (and a ``category`` dtype as the same categorical dtype).

    Edge cases: a constant column comes back constant and an all-missing column all missing (with their dtypes);
    duplicate column names, complex-valued and date/time columns, and tables with fewer than 2 rows are refused
    with a ``ValueError`` (``TypeError`` for complex values) that says what to change.
    """

    fitted_: bool = False

    def fit(self, data, *, schema=None):
        """Fit on a real table (a DataFrame; at least 2 rows); ``schema`` defaults to ``infer_schema(data)``."""
        data = _as_frame(data, "data")
        complex_columns = [c for c in data.columns if ptypes.is_complex_dtype(data[c].dtype) or (
            ptypes.is_object_dtype(data[c].dtype) and ptypes.infer_dtype(data[c], skipna=True).startswith("complex"))]
        if complex_columns:
            raise InputTypeError(f"data has complex-valued column(s) {complex_columns}; a generator of tables models "
                                 "real numbers and categories: pass the real part, the modulus or both as columns.")
        if schema is None:
            schema = infer_schema(data)
        elif not isinstance(schema, TableSchema):
            raise ValueError(f"schema must be a TableSchema (see synutil.tables.infer_schema), got {type(schema).__name__}.")
        table = schema.check(data, name="data", unseen="raise")
        if len(table) < 2:
            raise ValueError(f"data has {len(table)} row(s) but at least 2 are needed to fit {type(self).__name__}.")
        self.schema_ = schema
        self.columns_ = list(data.columns)
        self.dtypes_ = {c: data[c].dtype for c in self.columns_}
        self.representatives_ = {}
        internal = {}
        for col in schema.columns:
            info = schema[col]
            if info.kind == "numeric":
                internal[col] = numeric_values(table[col], col)
                continue
            codes = category_codes(table[col], info.categories, boolean=info.kind == "boolean")
            internal[col] = codes
            reps = list(info.categories) if info.kind == "categorical" else [False, True]
            seen, first = np.unique(codes, return_index=True)
            for k, i in zip(seen, first):
                if k >= 0:
                    reps[k] = table[col].iloc[i]
            self.representatives_[col] = reps
        self.n_rows_ = len(table)
        self._fit(internal)
        self.fitted_ = True
        return self

    def _fit(self, columns):  # pragma: no cover - overridden
        raise NotImplementedError

    def _sample(self, n, rng):  # pragma: no cover - overridden
        raise NotImplementedError

    def sample(self, n, *, random_state=None) -> pd.DataFrame:
        """Draw ``n`` synthetic rows as a DataFrame; the same ``random_state`` gives the same rows."""
        if not self.fitted_:
            raise ValueError(f"{type(self).__name__} is not fitted yet; call fit(data) first.")
        n = _check_n(n, owner=type(self).__name__, n_columns=2 * len(self.columns_) + 1,
                     phrase="a positive integer number of rows")
        internal = self._sample(n, check_random_state(random_state))
        return pd.DataFrame({c: self._restore(c, internal[c]) for c in self.columns_})

    def _restore(self, col, values) -> pd.Series:
        info, dtype = self.schema_[col], self.dtypes_[col]
        if info.kind == "numeric":
            x = np.round(values) if info.integer else np.asarray(values, dtype=float)
            missing = bool(np.isnan(x).any())
            if isinstance(dtype, np.dtype) and dtype.kind in "iu" and missing:
                return pd.Series(pd.array(x, dtype="Int64"), name=col)
            return pd.Series(x, name=col).astype(dtype)
        reps = self.representatives_[col]
        out = np.empty(len(values), dtype=object)
        ok = values >= 0
        out[ok] = np.asarray(reps, dtype=object)[values[ok]]
        out[~ok] = None
        missing = not ok.all()
        if isinstance(dtype, pd.CategoricalDtype):
            return pd.Series(pd.Categorical(out, dtype=dtype), name=col)
        if isinstance(dtype, np.dtype) and dtype.kind in "biu" and missing:
            dtype = "boolean" if dtype.kind == "b" else "Int64"
        if ptypes.is_object_dtype(dtype):
            return pd.Series(out, dtype=object, name=col)
        try:
            return pd.Series(out, dtype=object, name=col).astype(dtype)
        except (TypeError, ValueError):  # pragma: no cover - an exotic dtype: keep the values as objects
            return pd.Series(out, dtype=object, name=col)

    def __repr__(self) -> str:
        params = [f"{k}={v!r}" for k, v in self._params().items()]
        if self.fitted_:
            params += [f"n_rows={self.n_rows_}", f"n_columns={len(self.columns_)}"]
        return f"{type(self).__name__}({', '.join(params)})"

    def _params(self) -> dict:
        return {}
