r"""Privacy: does a synthetic table sit closer to the real training rows than fresh real rows do?

A generator that memorises its training table puts synthetic rows on (or very near) training rows. The distance
to the closest record (DCR) of each synthetic row measures it, and a held-out real table gives the baseline: real
rows that the generator never saw are as close to the training rows as a generator that only learnt the law
should put its synthetic rows. Distances are Euclidean on the table encoded by
:class:`synutil.tables.TableEncoder`, fitted on the real training table (numeric columns standardised, categories
one-hot, missing values imputed plus an indicator).

This is an empirical check, not a guarantee: a generator can leak without a DCR signal (e.g. rare records
reproduced among many ordinary ones), and only a differentially private generator bounds the leak.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from ._validation import check_float, reworded
from .tables.encoder import TableEncoder
from .tables.schema import (
    _BOOL_STRINGS,
    TableSchema,
    _as_frame,
    canonical_strings,
    infer_schema,
    numeric_values,
)

__all__ = ["distance_to_closest_record", "DCRResult", "exact_copy_mask"]


@dataclass(frozen=True)
class DCRResult:
    """Distances to the closest training record of synthetic rows and of held-out real rows, and a verdict."""

    verdict: str
    median_synthetic: float
    median_test: float
    p5_synthetic: float
    p5_test: float
    exact_copy_share: float
    exact_copy_share_test: float
    prob_closer: float
    p_value: float
    p_value_copies: float
    alpha: float
    n_train: int
    n_test: int
    n_synthetic: int
    dcr_synthetic: np.ndarray = field(repr=False)
    dcr_test: np.ndarray = field(repr=False)

    def to_dict(self) -> dict:
        """The summary numbers and the verdict (the distance arrays left out)."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__ if not k.startswith("dcr_")}

    def to_frame(self) -> pd.DataFrame:
        """Two rows (synthetic, real test): median and 5th percentile of DCR, share of exact copies, rows."""
        return pd.DataFrame(
            {"median_dcr": [self.median_synthetic, self.median_test], "p5_dcr": [self.p5_synthetic, self.p5_test],
             "exact_copy_share": [self.exact_copy_share, self.exact_copy_share_test],
             "n_rows": [self.n_synthetic, self.n_test]},
            index=pd.Index(["synthetic", "real_test"], name="rows"),
        )

    def __repr__(self) -> str:
        return (f"DCRResult(verdict={self.verdict!r}, median_synthetic={self.median_synthetic:.4g}, "
                f"median_test={self.median_test:.4g}, p5_synthetic={self.p5_synthetic:.4g}, p5_test={self.p5_test:.4g}, "
                f"exact_copy_share={self.exact_copy_share:.4f}, exact_copy_share_test={self.exact_copy_share_test:.4f}, "
                f"prob_closer={self.prob_closer:.3f}, p_value={self.p_value:.3g}, p_value_copies={self.p_value_copies:.3g})")


def _check_schema(schema, reference) -> TableSchema:
    if schema is None:
        return infer_schema(reference)
    if not isinstance(schema, TableSchema):
        raise ValueError(f"schema must be a TableSchema (see synutil.tables.infer_schema), got {type(schema).__name__}.")
    return schema


def _row_keys(data: pd.DataFrame, schema: TableSchema) -> pd.Series:
    """One hash per row of the raw values: numbers as floats, categories as canonical strings, missing = missing."""
    cols = {}
    for col in data.columns:
        info = schema[col]
        if info.kind == "numeric":
            x = numeric_values(data[col], col)
            cols[col] = np.where(np.isnan(x), np.inf, x + 0.0)  # one value for every missing; -0.0 -> 0.0
        else:
            strings = canonical_strings(data[col])
            if info.kind == "boolean":
                strings = [_BOOL_STRINGS.get(v, v) for v in strings]
            cols[col] = np.array(["\x00missing" if v is None else v for v in strings], dtype=object)
    return pd.util.hash_pandas_object(pd.DataFrame(cols), index=False)


def exact_copy_mask(reference, data, *, schema=None) -> np.ndarray:
    """Boolean mask: which rows of ``data`` equal some row of ``reference`` on every raw value.

    Numbers compare as floats (``1 == 1.0``), categories as canonical strings, and a missing value equals a
    missing value. Rows are compared through a 64-bit hash of their values (a false match has probability
    about :math:`n m 2^{-64}`).

    >>> ref = pd.DataFrame({"x": [1.0, None], "c": ["a", "b"]})
    >>> exact_copy_mask(ref, pd.DataFrame({"c": ["b", "b"], "x": [float("nan"), 1]})).tolist()
    [True, False]
    """
    reference = _as_frame(reference, "reference")
    schema = _check_schema(schema, reference)
    reference = schema.check(reference, name="reference", unseen="ignore")
    data = schema.check(data, name="data", unseen="ignore")
    return _row_keys(data, schema).isin(set(_row_keys(reference, schema))).to_numpy()


def distance_to_closest_record(real_train, real_test, synthetic, *, schema=None, encoder=None,
                               alpha: float = 0.05) -> DCRResult:
    r"""Distance to the closest real training record (DCR) of synthetic rows, against held-out real rows.

    .. math:: \mathrm{DCR}(z)=\min_{1\le i\le n}\|\phi(z)-\phi(x_i)\|_2

    for the encoding :math:`\phi` (:class:`~synutil.tables.TableEncoder` fitted on the real training rows
    :math:`x_1,\dots,x_n`), computed for every synthetic row and, as the baseline, for every held-out real test
    row (:class:`sklearn.neighbors.NearestNeighbors`). Lower synthetic DCRs than test DCRs mean that the
    synthetic rows sit closer to the training rows than new data from the same law would: a memorisation signal.

    The verdict is ``"memorisation signal"`` when either one-sided test rejects at level ``alpha``:

    1. Mann--Whitney U test that synthetic DCRs are stochastically smaller than test DCRs (``p_value``); its
       effect size ``prob_closer`` :math:`=\hat P(\mathrm{DCR}_{\rm syn}<\mathrm{DCR}_{\rm test})` (ties
       half) is 0.5 when the two are alike;
    2. Fisher's exact test that exact copies of training rows (raw values, missing equal to missing) are more
       frequent among synthetic rows than among test rows (``p_value_copies``; test rows duplicate training
       rows too when the columns are discrete).

    Otherwise it is ``"no memorisation signal"``. Both tests treat the rows as independent, which the shared
    training table makes only approximately true, and with many rows they flag small effects: read
    ``prob_closer`` and the medians beside the verdict. Synthetic DCRs much *larger* than the baseline are no
    privacy problem but say the synthetic rows are far from the real ones (low fidelity).

    Parameters
    ----------
    real_train, real_test, synthetic : pandas.DataFrame
        Same column names (matched by name). ``real_test`` must not have been seen by the generator.
    schema : TableSchema, optional
        Default ``infer_schema(real_train)``.
    encoder : TableEncoder, optional
        A fitted encoder; default ``TableEncoder(schema).fit(real_train)``.
    alpha : float
        Level of the two tests.

    Returns
    -------
    DCRResult
        The verdict; medians and 5th percentiles of the synthetic and test DCRs; exact-copy shares; the two
        p-values; ``dcr_synthetic`` and ``dcr_test`` (arrays, one distance per row).

    Examples
    --------
    >>> from synutil.tables import mixed_table
    >>> real = mixed_table(600, random_state=0)
    >>> train, test = real.iloc[:300], real.iloc[300:]
    >>> copies = train.sample(300, replace=True, random_state=1)
    >>> res = distance_to_closest_record(train, test, copies)
    >>> res.verdict, res.exact_copy_share, res.median_synthetic
    ('memorisation signal', 1.0, 0.0)
    """
    from sklearn.neighbors import NearestNeighbors

    reworded(check_float, alpha, name="alpha", low=0.0, high=1.0, low_open=True, high_open=True,
             message=f"alpha must lie strictly between 0 and 1 (e.g. 0.05), got {alpha!r}.")
    real_train = _as_frame(real_train, "real_train")
    schema = _check_schema(schema, real_train)
    tables = {}
    for name, df in (("real_train", real_train), ("real_test", real_test), ("synthetic", synthetic)):
        tables[name] = schema.check(df, name=name, unseen="ignore")
        if len(tables[name]) < 1:
            raise ValueError(f"{name} has no rows; each table needs at least one.")
    if len(tables["real_test"]) < 2 or len(tables["synthetic"]) < 2:
        raise ValueError("real_test and synthetic need at least 2 rows each to compare their distances.")
    if encoder is None:
        encoder = TableEncoder(schema).fit(tables["real_train"])
    elif not isinstance(encoder, TableEncoder) or not encoder.fitted_:
        raise ValueError("encoder must be a fitted TableEncoder (fit it on real_train), or None.")
    elif set(encoder.schema.columns) != set(schema.columns):
        raise ValueError(
            f"encoder was built for the columns {list(encoder.schema.columns)}, but the tables have "
            f"{list(schema.columns)}: fit TableEncoder(schema) on real_train, or pass encoder=None."
        )
    Z = {k: encoder.transform(v) for k, v in tables.items()}
    nn = NearestNeighbors(n_neighbors=1).fit(Z["real_train"])
    d_syn = nn.kneighbors(Z["synthetic"])[0][:, 0]
    d_test = nn.kneighbors(Z["real_test"])[0][:, 0]
    train_keys = set(_row_keys(tables["real_train"], schema))
    copy_syn = _row_keys(tables["synthetic"], schema).isin(train_keys).to_numpy()
    copy_test = _row_keys(tables["real_test"], schema).isin(train_keys).to_numpy()
    mw = stats.mannwhitneyu(d_syn, d_test, alternative="less")
    u_less = d_syn.size * d_test.size - mw.statistic  # U counts pairs with d_syn > d_test (ties half)
    k_syn, k_test = int(copy_syn.sum()), int(copy_test.sum())
    table = [[k_syn, d_syn.size - k_syn], [k_test, d_test.size - k_test]]
    p_copies = float(stats.fisher_exact(table, alternative="greater").pvalue)
    p_value = float(mw.pvalue)
    signal = p_value < alpha or p_copies < alpha
    return DCRResult(
        verdict="memorisation signal" if signal else "no memorisation signal",
        median_synthetic=float(np.median(d_syn)), median_test=float(np.median(d_test)),
        p5_synthetic=float(np.percentile(d_syn, 5)), p5_test=float(np.percentile(d_test, 5)),
        exact_copy_share=float(copy_syn.mean()), exact_copy_share_test=float(copy_test.mean()),
        prob_closer=float(u_less / (d_syn.size * d_test.size)), p_value=p_value, p_value_copies=p_copies,
        alpha=float(alpha), n_train=len(tables["real_train"]), n_test=int(d_test.size), n_synthetic=int(d_syn.size),
        dcr_synthetic=d_syn, dcr_test=d_test,
    )
