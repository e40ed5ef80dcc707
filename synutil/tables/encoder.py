r"""Encode a mixed-type table as a float matrix, fitted on the real training table (public face: :mod:`synutil.tables`)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd  # noqa: F401  (the doctests use it)

from .schema import TableSchema, category_codes, column_list, numeric_values

__all__ = ["TableEncoder"]

_SCALES = ("standard", "minmax", None)


class TableEncoder:
    r"""Turn a mixed-type table into a float matrix, learning every constant from the real training table only.

    Numeric column :math:`x` (after imputation), scaled with the real-train statistics:

    .. math:: z = (x - \bar x_{\rm train}) / s_{\rm train}\quad(\text{"standard"}),\qquad
              z = (x - \min x_{\rm train}) / (\max x_{\rm train} - \min x_{\rm train})\quad(\text{"minmax"})

    with :math:`s` the standard deviation with ``ddof=0`` (as :class:`sklearn.preprocessing.StandardScaler`);
    a zero spread is replaced by 1 (a constant column encodes as 0).

    Missing values and the feature layout. Which columns exist is decided at ``fit`` time, so the real train, the
    real test and a synthetic table always get the same columns:

    - numeric: missing values are imputed by the real-train median (0 when the train column is all missing);
      with ``missing="indicator"`` a 0/1 column ``<name>__missing`` follows when the schema or the training
      table has missing values in that column. A table transformed later with missing values in a column that
      has no indicator is imputed and a warning says so (infer the schema on a table that has them to get one).
    - categorical, ``"onehot"``: one 0/1 column ``<name>=<category>`` per schema category, then
      ``<name>__missing`` under the same rule as numeric columns; a value the schema has not seen encodes as all
      zeros (like ``OneHotEncoder(handle_unknown="ignore")``). With ``missing="impute"`` a missing value counts
      as the most frequent training category.
    - categorical, ``"ordinal"``: one column, the category's index in the sorted categories :math:`0,\dots,K-1`;
      missing :math:`K` (or the most frequent category with ``missing="impute"``), unseen :math:`-1`; no
      indicator column is added.
    - boolean: one 0/1 column (True = 1), missing as 0 plus ``<name>__missing`` (or the most frequent value).

    Scaling applies to numeric columns only: one-hot and boolean columns stay 0/1, so that in Euclidean distance
    a mismatch of a categorical column costs :math:`\sqrt2` and of a boolean column 1, i.e. as much as one
    (real-train) standard deviation of a numeric column.

    Parameters
    ----------
    schema : TableSchema
    columns : sequence of names, optional
        Encode only these schema columns (e.g. ``schema.features`` for a model's inputs); default all.
    scale : {"standard", "minmax", None}
    categorical : {"onehot", "ordinal"}
    missing : {"indicator", "impute"}

    Examples
    --------
    >>> from synutil.tables import infer_schema
    >>> train = pd.DataFrame({"age": [20.0, 40.0, None], "pet": ["cat", "dog", "cat"]})
    >>> enc = TableEncoder(infer_schema(train)).fit(train)
    >>> enc.get_feature_names_out().tolist()
    ['age', 'age__missing', 'pet=cat', 'pet=dog']
    >>> enc.transform(pd.DataFrame({"pet": ["dog", "fish"], "age": [30.0, None]})).tolist()
    [[0.0, 0.0, 0.0, 1.0], [0.0, 1.0, 0.0, 0.0]]
    """

    def __init__(self, schema, *, columns=None, scale="standard", categorical="onehot", missing="indicator"):
        if not isinstance(schema, TableSchema):
            raise ValueError(f"schema must be a TableSchema (see synutil.tables.infer_schema), got {type(schema).__name__}.")
        if scale not in _SCALES:
            raise ValueError(f"scale must be 'standard', 'minmax' or None, got {scale!r}.")
        if categorical not in ("onehot", "ordinal"):
            raise ValueError(f"categorical must be 'onehot' or 'ordinal', got {categorical!r}.")
        if missing not in ("indicator", "impute"):
            raise ValueError(f"missing must be 'indicator' or 'impute', got {missing!r}.")
        cols = schema.columns if columns is None else tuple(column_list(columns))
        if not cols:
            raise ValueError("columns must name at least one schema column.")
        for c in cols:
            schema[c]  # raises on an unknown name
        self.schema = schema
        self.columns = cols
        self.scale = scale
        self.categorical = categorical
        self.missing = missing
        self.fitted_ = False

    def fit(self, data):
        """Learn medians, scales, most frequent categories and the feature layout from the real training table."""
        data = self.schema.check(data, name="real_train", columns=self.columns, unseen="ignore")
        if data.shape[0] < 1:
            raise ValueError("data (the real training table) has no rows; fit the encoder on real_train.")
        self.params_ = {}
        names, sources = [], []
        for col in self.columns:
            info = self.schema[col]
            p = {"kind": info.kind}
            if info.kind == "numeric":
                x = numeric_values(data[col], col, where="real_train")
                obs = x[~np.isnan(x)]
                p["median"] = float(np.median(obs)) if obs.size else 0.0
                filled = np.where(np.isnan(x), p["median"], x)
                if self.scale == "standard":
                    center, spread = filled.mean(), filled.std()
                elif self.scale == "minmax":
                    center, spread = filled.min(), filled.max() - filled.min()
                else:
                    center, spread = 0.0, 1.0
                if not (np.isfinite(center) and np.isfinite(spread)):
                    what = "standard deviation" if self.scale == "standard" else "range"
                    raise ValueError(
                        f"column {col!r} of real_train is too large to scale: its mean or {what} overflows float64 "
                        f"(values up to {np.max(np.abs(filled)):.3g}); rescale the column (e.g. divide it by 1e6) "
                        "in every table before calling."
                    )
                p["center"], p["spread"] = float(center), float(spread) if spread > 0 else 1.0
                has_missing = bool(np.isnan(x).any())
                names.append(str(col))
            else:
                codes = category_codes(data[col], info.categories, boolean=info.kind == "boolean")
                k = len(info.categories)
                counts = np.bincount(codes[codes >= 0], minlength=k)
                p["mode"] = int(np.argmax(counts)) if k else 0
                has_missing = bool((codes == -1).any())
                if info.kind == "boolean":
                    names.append(str(col))
                elif self.categorical == "onehot":
                    names += [f"{col}={c}" for c in info.categories]
                else:
                    names.append(str(col))
            p["indicator"] = self.missing == "indicator" and (has_missing or info.missing_share > 0)
            # an ordinal column codes missing as K, so it needs no extra column
            if p["indicator"] and not (info.kind == "categorical" and self.categorical == "ordinal"):
                names.append(f"{col}__missing")
            sources += [col] * (len(names) - len(sources))
            self.params_[col] = p
        self.feature_names_out_ = np.array(names, dtype=object)
        self.feature_columns_ = tuple(sources)
        self.n_features_out_ = len(names)
        self.fitted_ = True
        return self

    def _check_fitted(self):
        if not self.fitted_:
            raise ValueError("TableEncoder is not fitted yet; call fit(real_train) first.")

    def get_feature_names_out(self) -> np.ndarray:
        """Names of the output columns (see the class notes for the layout)."""
        self._check_fitted()
        return self.feature_names_out_.copy()

    def transform(self, data) -> np.ndarray:
        """Encode a table with the fitted constants; returns a float array of shape (n_rows, n_features_out_)."""
        self._check_fitted()
        data = self.schema.check(data, name="data", columns=self.columns, unseen="ignore")
        blocks, unflagged = [], []
        for col in self.columns:
            info, p = self.schema[col], self.params_[col]
            if info.kind == "numeric":
                x = numeric_values(data[col], col)
                miss = np.isnan(x)
                x = (np.where(miss, p["median"], x) - p["center"]) / p["spread"]
                blocks.append(x[:, None])
            else:
                codes = category_codes(data[col], info.categories, boolean=info.kind == "boolean")
                miss = codes == -1
                k = len(info.categories)
                ordinal = info.kind == "categorical" and self.categorical == "ordinal"
                if self.missing == "impute" or not (p["indicator"] or ordinal):
                    codes = np.where(miss, p["mode"], codes)
                if info.kind == "boolean":
                    blocks.append((codes == 1).astype(float)[:, None])
                elif self.categorical == "onehot":
                    onehot = np.zeros((len(codes), k))
                    ok = codes >= 0
                    onehot[np.flatnonzero(ok), codes[ok]] = 1.0
                    blocks.append(onehot)
                else:
                    blocks.append(np.where(codes == -1, k, np.where(codes == -2, -1, codes)).astype(float)[:, None])
                    continue
            if p["indicator"]:
                blocks.append(miss.astype(float)[:, None])
            elif miss.any() and self.missing == "indicator":
                unflagged.append(col)
        if unflagged:
            warnings.warn(
                f"columns {unflagged} have missing values but had none in the real training table or schema, so "
                "they were imputed without a missing indicator; infer the schema on a table with missing values "
                "there to get one.",
                UserWarning,
                stacklevel=2,
            )
        out = np.hstack(blocks) if blocks else np.empty((len(data), 0))
        if not np.isfinite(out).all():
            bad_features = np.flatnonzero(~np.isfinite(out).all(axis=0))
            bad = sorted({str(self.feature_columns_[j]) for j in bad_features})
            raise ValueError(
                f"data: the encoded values of column(s) {bad} overflow float64 (values far outside the real "
                "training range); rescale those columns (e.g. divide them by 1e6) in every table before calling."
            )
        return np.ascontiguousarray(out, dtype=float)

    def fit_transform(self, data) -> np.ndarray:
        """``fit(data).transform(data)``."""
        return self.fit(data).transform(data)

    def __repr__(self) -> str:
        state = f", n_features_out={self.n_features_out_}" if self.fitted_ else ", not fitted"
        return (f"TableEncoder(n_columns={len(self.columns)}, scale={self.scale!r}, categorical={self.categorical!r}, "
                f"missing={self.missing!r}{state})")
