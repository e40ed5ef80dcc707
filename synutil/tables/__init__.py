r"""Real tables: their schema (numeric / categorical / boolean, missing values), an encoder for metrics and models,
and per-column and pairwise fidelity of a synthetic table to a real one.

The fidelity metrics of :mod:`synutil.fidelity` take numeric arrays on one scale. A practitioner's tables have
categorical and boolean columns, missing values and columns in very different units; this module is the layer in
between:

- :func:`infer_schema` / :class:`TableSchema`: the kind of each column, its categories and missing share; checks
  that another table (real test, synthetic) has the same columns, matched by name.
- :class:`TableEncoder`: a float matrix with every constant (medians, means, spreads, categories) learnt from the
  real training table only; use it before a distance (:mod:`synutil.privacy`, MMD, sliced Wasserstein) or a model.
- :func:`column_fidelity`: one number per column (KS for numeric, total variation for categorical and boolean).
- :func:`pairwise_fidelity`: one number per pair of columns (correlation, contingency table, correlation ratio).
- :func:`mixed_table`: a small simulated mixed-type table for examples and tests.

Every metric here is a distance: lower is better, 0 = identical.
"""

from .encoder import TableEncoder
from .fidelity import (
    TABLE_METRIC_INFO,
    PairwiseFidelity,
    column_fidelity,
    mixed_table,
    pairwise_fidelity,
)
from .schema import ColumnInfo, TableSchema, infer_schema

__all__ = [
    "infer_schema", "TableSchema", "ColumnInfo", "TableEncoder", "column_fidelity", "pairwise_fidelity",
    "PairwiseFidelity", "mixed_table", "TABLE_METRIC_INFO",
]
