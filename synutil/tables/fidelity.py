"""Per-column and pairwise fidelity of a synthetic table to a real one (see :mod:`synutil.tables`)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from .._validation import check_float, check_int, check_memory, check_random_state, reworded
from .encoder import TableEncoder
from .schema import (
    _BOOL_STRINGS,
    ColumnInfo,
    TableSchema,
    _as_frame,
    _canonical_value,
    _factorize,
    infer_schema,
    numeric_values,
)

__all__ = [
    "infer_schema", "TableSchema", "ColumnInfo", "TableEncoder", "column_fidelity", "pairwise_fidelity",
    "PairwiseFidelity", "mixed_table", "TABLE_METRIC_INFO",
]

#: metric name -> (direction, range) of the per-column and pairwise metrics
TABLE_METRIC_INFO = {
    "ks": ("lower is better", "[0, 1]"),
    "tv": ("lower is better", "[0, 1]"),
    "abs_corr_diff": ("lower is better", "[0, 2]"),
    "contingency_tv": ("lower is better", "[0, 1]"),
    "corr_ratio_diff": ("lower is better", "[0, 1]"),
}
_RANGE_MAX = {"ks": 1.0, "tv": 1.0, "abs_corr_diff": 2.0, "contingency_tv": 1.0, "corr_ratio_diff": 1.0}


def _prepare(real, synthetic, schema):
    real, synthetic = _as_frame(real, "real"), _as_frame(synthetic, "synthetic")
    if schema is None:
        schema = infer_schema(real)
    elif not isinstance(schema, TableSchema):
        raise ValueError(f"schema must be a TableSchema (see infer_schema), got {type(schema).__name__}.")
    real = schema.check(real, name="real", unseen="ignore")
    synthetic = schema.check(synthetic, name="synthetic", unseen="ignore")
    if len(real) < 1 or len(synthetic) < 1:
        raise ValueError(f"real and synthetic need at least one row each, got {len(real)} and {len(synthetic)}.")
    return real, synthetic, schema


def _shared_codes(a: pd.Series, b: pd.Series, info: ColumnInfo):
    """Integer codes of two columns on one shared list of values, missing as its own value (the last code)."""
    parts = []
    for s in (a, b):
        codes, uniques = _factorize(s)
        strings = [_canonical_value(u) for u in uniques]
        if info.kind == "boolean":
            strings = [_BOOL_STRINGS.get(v, v) for v in strings]
        parts.append((codes, strings))
    values = sorted(set(parts[0][1]) | set(parts[1][1]))
    lookup = {v: i for i, v in enumerate(values)}
    k = len(values)
    out = [np.array([lookup[v] for v in strings] + [k], dtype=np.int64)[codes] for codes, strings in parts]
    return out[0], out[1], k + 1, values


def _tv_codes(ca, cb, size) -> float:
    tv = float(0.5 * np.abs(np.bincount(ca, minlength=size) / ca.size - np.bincount(cb, minlength=size) / cb.size).sum())
    return min(tv, 1.0)  # two disjoint distributions can sum to 1 + 1 ulp


def column_fidelity(real, synthetic, *, schema=None) -> pd.DataFrame:
    r"""Per-column fidelity of a synthetic table: one distance per column, lower is better.

    Numeric columns: the two-sample Kolmogorov--Smirnov statistic on the non-missing values (equal to
    ``scipy.stats.ks_2samp(x, y).statistic``); categorical and boolean columns: the total variation distance of
    the category frequencies, missing counted as a category of its own:

    .. math:: \mathrm{KS}=\sup_t|\hat F_{\rm real}(t)-\hat F_{\rm syn}(t)|,\qquad
              \mathrm{TV}=\tfrac12\sum_{c}|\hat p_c-\hat q_c|

    Both lie in :math:`[0,1]`: 0 = identical marginals, 1 = disjoint. Missing shares are reported beside the
    metric (KS ignores them; TV counts them).

    Parameters
    ----------
    real, synthetic : pandas.DataFrame
        Same column names (any order; matched by name).
    schema : TableSchema, optional
        Default ``infer_schema(real)``. Category values of ``synthetic`` that ``real`` never takes are counted
        (they raise TV) and listed in ``note``.

    Returns
    -------
    pandas.DataFrame
        One row per column, in the schema's order: ``column, kind, metric, value, direction, range,
        missing_real, missing_synthetic, note``. ``value`` is NaN (with a note) when a numeric column has no
        non-missing value in one of the tables.

    Examples
    --------
    >>> real = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "c": ["a", "a", "b", None]})
    >>> syn = pd.DataFrame({"c": ["a", "b", "b", "b"], "x": [1.0, 2.0, 3.0, 9.0]})
    >>> column_fidelity(real, syn)[["column", "metric", "value"]]
      column metric  value
    0      x     ks   0.25
    1      c     tv   0.50
    """
    real, synthetic, schema = _prepare(real, synthetic, schema)
    rows = []
    for col in schema.columns:
        info = schema[col]
        note = ""
        if info.kind == "numeric":
            x = numeric_values(real[col], col, where="real")
            y = numeric_values(synthetic[col], col, where="synthetic")
            mr, ms = float(np.isnan(x).mean()), float(np.isnan(y).mean())
            x, y = x[~np.isnan(x)], y[~np.isnan(y)]
            if x.size and y.size:
                value = float(stats.ks_2samp(x, y, method="asymp").statistic)
            else:
                value = np.nan
                note = "no non-missing values in " + " and ".join(n for n, v in (("real", x), ("synthetic", y)) if not v.size)
            metric = "ks"
        else:
            ca, cb, size, values = _shared_codes(real[col], synthetic[col], info)
            k = size - 1
            mr, ms = float((ca == k).mean()), float((cb == k).mean())
            value, metric = _tv_codes(ca, cb, size), "tv"
            unseen = sorted(set(values) - set(info.categories))
            if unseen:
                note = f"values not in the schema: {unseen[:5]}"
        direction, rng = TABLE_METRIC_INFO[metric]
        rows.append(dict(column=col, kind=info.kind, metric=metric, value=value, direction=direction, range=rng,
                         missing_real=mr, missing_synthetic=ms, note=note))
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class PairwiseFidelity:
    """Pairwise fidelity: a tidy table (one row per pair of columns) and its summary."""

    mean: float
    by_metric: dict
    n_pairs: int
    n_undefined: int
    table: pd.DataFrame = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        """The tidy table of pairs."""
        return self.table.copy()

    def to_dict(self) -> dict:
        """The summary as a plain dict (the table left out)."""
        return {"mean": self.mean, "by_metric": dict(self.by_metric), "n_pairs": self.n_pairs,
                "n_undefined": self.n_undefined}

    def __repr__(self) -> str:
        by = ", ".join(f"{k}={v:.4f}" for k, v in self.by_metric.items())
        return (f"PairwiseFidelity(mean={self.mean:.4f}, n_pairs={self.n_pairs}, n_undefined={self.n_undefined}, "
                f"by_metric={{{by}}})")


def _check_scale(x, col, where) -> None:
    """Refuse a numeric column whose squared deviations overflow: its correlations would be NaN or a wrong 0."""
    obs = x[~np.isnan(x)]
    with np.errstate(over="ignore", invalid="ignore"):
        total = np.sum((obs - obs.mean()) ** 2) if obs.size else 0.0
    if not np.isfinite(total):
        raise ValueError(
            f"column {col!r} of {where} is too large for correlations: its squared deviations overflow float64 "
            f"(values up to {np.max(np.abs(obs)):.3g}); rescale the column (e.g. divide it by 1e6) in both tables "
            "before calling."
        )


def _corr_ratio(codes, x) -> float:
    """Correlation ratio eta of a numeric x on groups ``codes``, over the rows where x is not missing."""
    ok = ~np.isnan(x)
    codes, x = codes[ok], x[ok]
    if x.size < 2:
        return np.nan
    total = ((x - x.mean()) ** 2).sum()
    if total <= 0:
        return np.nan
    n_g = np.bincount(codes)
    means = np.bincount(codes, weights=x) / np.maximum(n_g, 1)
    between = (n_g * (means - x.mean()) ** 2).sum()
    return float(np.sqrt(min(between / total, 1.0)))


def pairwise_fidelity(real, synthetic, *, schema=None, mixed: str = "correlation_ratio") -> PairwiseFidelity:
    r"""Pairwise fidelity: how well the synthetic table keeps the dependence between each pair of columns.

    For each pair of columns :math:`(a,b)`, by kinds:

    - numeric--numeric, ``abs_corr_diff`` in :math:`[0,2]`: :math:`|r_{\rm real}(a,b)-r_{\rm syn}(a,b)|`,
      Pearson correlations on the rows where both are present (pairwise-complete);
    - categorical/boolean--categorical/boolean, ``contingency_tv`` in :math:`[0,1]`: the total variation
      distance between the two contingency tables (joint frequencies, missing as a category of its own);
    - numeric--categorical/boolean, ``corr_ratio_diff`` in :math:`[0,1]`: :math:`|\eta_{\rm real}-\eta_{\rm syn}|`
      with the correlation ratio of the numeric column on the categories (missing categories a group of their own,
      rows with the numeric value missing left out):

    .. math:: \eta^2=\frac{\sum_k n_k(\bar x_k-\bar x)^2}{\sum_i (x_i-\bar x)^2}

      ``mixed="skip"`` leaves these pairs out.

    A pair whose statistic is undefined in either table (a constant column, fewer than 2 rows) gets NaN and a note,
    and is left out of the summary.

    Parameters
    ----------
    real, synthetic : pandas.DataFrame
        Same column names, matched by name.
    schema : TableSchema, optional
        Default ``infer_schema(real)``.
    mixed : {"correlation_ratio", "skip"}

    Returns
    -------
    PairwiseFidelity
        ``table`` (columns ``column_1, column_2, kinds, metric, real, synthetic, value, range, note``; ``real``
        and ``synthetic`` hold the two correlations or correlation ratios, NaN for contingency tables),
        ``by_metric`` (mean value per metric), ``mean`` (mean over defined pairs of ``value`` divided by its range's
        upper end, so every pair counts on :math:`[0,1]`; correlation gaps count half), ``n_pairs``,
        ``n_undefined``.

    Examples
    --------
    >>> real = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "y": [1.0, 2.0, 3.0, 5.0]})
    >>> res = pairwise_fidelity(real, real)
    >>> res.mean, res.n_pairs
    (0.0, 1)
    """
    if not isinstance(mixed, str) or mixed not in ("correlation_ratio", "skip"):
        raise ValueError(f"mixed must be 'correlation_ratio' or 'skip', got {mixed!r}.")
    real, synthetic, schema = _prepare(real, synthetic, schema)
    cols = schema.columns
    num = {c: (numeric_values(real[c], c, where="real"), numeric_values(synthetic[c], c, where="synthetic"))
           for c in schema.numeric}
    if len(num) >= 2 or (mixed != "skip" and len(num) < len(cols)):  # some pair uses a numeric column's spread
        for c, pair in num.items():
            for x, where in zip(pair, ("real", "synthetic")):
                _check_scale(x, c, where)
    cat = {c: _shared_codes(real[c], synthetic[c], schema[c])[:3] for c in cols if c not in num}
    corr_r = pd.DataFrame({c: v[0] for c, v in num.items()}).corr(min_periods=2) if num else None
    corr_s = pd.DataFrame({c: v[1] for c, v in num.items()}).corr(min_periods=2) if num else None
    rows = []
    for i, a in enumerate(cols):
        for b in cols[i + 1:]:
            note, sr, ss = "", np.nan, np.nan
            if a in num and b in num:
                metric = "abs_corr_diff"
                sr, ss = float(corr_r.loc[a, b]), float(corr_s.loc[a, b])
                value = abs(sr - ss)
            elif a in cat and b in cat:
                metric = "contingency_tv"
                (ra, sa, ka), (rb, sb, kb) = cat[a], cat[b]
                value = _tv_codes(ra * kb + rb, sa * kb + sb, ka * kb)
            else:
                if mixed == "skip":
                    continue
                metric = "corr_ratio_diff"
                c, x = (a, b) if a in cat else (b, a)
                sr, ss = _corr_ratio(cat[c][0], num[x][0]), _corr_ratio(cat[c][1], num[x][1])
                value = abs(sr - ss)
            kinds = f"{schema.kind(a)}-{schema.kind(b)}"
            if np.isnan(value):
                note = "undefined (a constant or all-missing column, or fewer than 2 complete rows)"
            rows.append(dict(column_1=a, column_2=b, kinds=kinds, metric=metric, real=sr, synthetic=ss,
                             value=float(value), range=TABLE_METRIC_INFO[metric][1], note=note))
    table = pd.DataFrame(rows, columns=["column_1", "column_2", "kinds", "metric", "real", "synthetic", "value",
                                        "range", "note"])
    ok = table["value"].notna()
    scaled = table.loc[ok, "value"] / table.loc[ok, "metric"].map(_RANGE_MAX)
    by_metric = {m: float(v) for m, v in table[ok].groupby("metric", sort=False)["value"].mean().items()}
    return PairwiseFidelity(mean=float(scaled.mean()) if ok.any() else np.nan, by_metric=by_metric,
                            n_pairs=int(len(table)), n_undefined=int((~ok).sum()), table=table)


def mixed_table(n: int = 500, *, missing: float = 0.05, random_state=None) -> pd.DataFrame:
    r"""A simulated mixed-type table with known dependence, for examples and tests.

    Columns: ``age`` (float, uniform on [18, 80]), ``region`` (str: north/south/east/west, with missing values),
    ``income`` (float, log-normal, rising with age, depending on region, with missing values), ``n_children``
    (int, Poisson), ``smoker`` (bool, more likely when young) and ``purchased`` (int 0/1, logistic in age, smoker
    and region; a natural target). A share ``missing`` of ``region`` and of ``income`` is missing, completely at
    random.

    .. math:: \log(\text{income}) = 9.5 + 0.015\,\text{age} + 0.3\,[\text{north}] + 0.4\,\varepsilon

    Examples
    --------
    >>> df = mixed_table(200, random_state=0)
    >>> df.dtypes.astype(str).tolist()
    ['float64', 'str', 'float64', 'int64', 'bool', 'int64']
    >>> infer_schema(df, target="purchased").boolean
    ('smoker', 'purchased')
    """
    n = reworded(check_int, n, name="n", low=1, message=f"n must be a positive integer number of rows, got {n!r}.")
    reworded(check_float, missing, name="missing", low=0.0, high=1.0, high_open=True,
             message=f"missing must be a share in [0, 1), got {missing!r}.")
    check_memory(16 * 8 * n, what=f"a mixed table of n={n} rows", fix="lower n")
    rng = check_random_state(random_state)
    age = np.round(rng.uniform(18, 80, size=n), 1)
    region = rng.choice(np.array(["north", "south", "east", "west"], dtype=object), p=[0.4, 0.3, 0.2, 0.1], size=n)
    north = region == "north"
    income = np.round(np.exp(9.5 + 0.015 * age + 0.3 * north + 0.4 * rng.standard_normal(n)), 0)
    n_children = rng.poisson(1.2, size=n).astype(np.int64)
    smoker = rng.random(n) < 1.0 / (1.0 + np.exp(0.04 * (age - 40)))
    logit = -1.0 + 0.03 * (age - 40) + 1.0 * smoker + 0.8 * north
    purchased = (rng.random(n) < 1.0 / (1.0 + np.exp(-logit))).astype(np.int64)
    region[rng.random(n) < missing] = None
    income[rng.random(n) < missing] = np.nan
    return pd.DataFrame({"age": age, "region": pd.Series(region), "income": income,
                         "n_children": n_children, "smoker": smoker, "purchased": purchased})
