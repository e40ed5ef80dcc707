r"""Sequential CART synthesis of a mixed-type table, the ``"cart"`` method of synthpop (Nowok, Raab & Dibben, 2016).

Columns are synthesised one at a time in a visit sequence :math:`v_1,\dots,v_p`. The first is drawn from its
marginal (real values resampled with replacement); each next column from a decision tree fitted on the real table
to predict it from the columns before it:

.. math:: \tilde x_{v_j}\sim \hat P\big(x_{v_j}\mid \text{leaf}_j(\tilde x_{v_1},\dots,\tilde x_{v_{j-1}})\big)

i.e. the synthetic row is dropped down the tree and a real value is drawn uniformly from the training rows in the
leaf it lands in (a classification tree for categorical and boolean columns, a regression tree for numeric ones;
``min_samples_leaf`` bounds how few real values a leaf offers). Synthetic values are therefore real values, but
recombined across columns.

Missing values: in a categorical or boolean column missing is a class of its own; in a numeric column a
classification tree first draws whether the value is missing, and a regression tree fitted on the non-missing
rows draws the value. As predictors, numeric columns enter as the value (missing imputed by the median) plus a
missing indicator, categorical and boolean columns one-hot with a column for missing.

Privacy: with small leaves, or with columns whose values identify rows, CART can reproduce real rows; check with
:func:`synutil.privacy.distance_to_closest_record`.
"""

from __future__ import annotations

import numpy as np

from .._validation import InputTypeError
from ._base import _describe
from ._tabular import TabularGenerator

__all__ = ["SequentialCARTGenerator"]


class _LeafDonors:
    """A fitted tree and, for each leaf, the real values of the training rows that fall in it."""

    def __init__(self, tree, X, y):
        self.tree = tree
        leaves = tree.apply(X)
        order = np.argsort(leaves, kind="stable")
        self.values = y[order]
        ids, self.start, self.count = np.unique(leaves[order], return_index=True, return_counts=True)
        self.position = np.full(tree.tree_.node_count, -1, dtype=np.int64)
        self.position[ids] = np.arange(ids.size)

    def draw(self, X, rng):
        pos = self.position[self.tree.apply(X)]
        return self.values[self.start[pos] + (rng.random(len(pos)) * self.count[pos]).astype(np.int64)]


class SequentialCARTGenerator(TabularGenerator):
    r"""synthpop-style sequential CART: each column drawn from the leaf of a tree on the columns before it.

    See the module notes for the method; ``fit(df)`` then ``sample(n, random_state=...)`` returns a DataFrame
    with the training table's column names, order and dtypes (the visit sequence changes only the order in which
    columns are synthesised).

    Parameters
    ----------
    visit_sequence : sequence of column names, optional
        The order in which columns are synthesised; every column exactly once. Default: the table's order.
        synthpop's advice: start with a column with few values, put the columns others depend on early.
    min_samples_leaf : int
        Fewest training rows in a leaf (synthpop's ``minbucket``, 5 by default).
    max_depth : int, optional
        Depth limit of the trees (default none).

    The trees are fitted deterministically (scikit-learn trees with ``random_state=0``, which only breaks ties
    between equally good splits); all randomness of sampling comes from ``random_state``.

    Examples
    --------
    >>> import pandas as pd
    >>> x = np.linspace(-1, 1, 200)
    >>> real = pd.DataFrame({"x": x, "sign": np.where(x < 0, "neg", "pos")})
    >>> syn = SequentialCARTGenerator().fit(real).sample(100, random_state=0)
    >>> bool(((syn["x"] < 0) == (syn["sign"] == "neg")).all())
    True
    """

    def __init__(self, *, visit_sequence=None, min_samples_leaf: int = 5, max_depth=None):
        if not np.issubdtype(type(min_samples_leaf), np.integer) or min_samples_leaf < 1:
            raise ValueError(f"min_samples_leaf must be a positive integer, got {min_samples_leaf!r}.")
        if max_depth is not None and (not np.issubdtype(type(max_depth), np.integer) or max_depth < 1):
            raise ValueError(f"max_depth must be None or a positive integer, got {max_depth!r}.")
        if visit_sequence is not None and (isinstance(visit_sequence, (str, bytes)) or not np.iterable(visit_sequence)):
            raise InputTypeError(f"visit_sequence must be None or a list of column names (every column once), got "
                                 f"{_describe(visit_sequence)}.")
        self.visit_sequence = None if visit_sequence is None else list(visit_sequence)
        self.min_samples_leaf = int(min_samples_leaf)
        self.max_depth = max_depth

    def _params(self):
        return {"visit_sequence": self.visit_sequence, "min_samples_leaf": self.min_samples_leaf,
                "max_depth": self.max_depth}

    def _design(self, col, v) -> np.ndarray:
        """Predictor columns of one column's internal values (same layout for real and synthetic rows)."""
        if self.schema_.kind(col) == "numeric":
            miss = np.isnan(v)
            return np.column_stack([np.where(miss, self._medians[col], v), miss])
        k = len(self.schema_.categories(col))
        return (np.where(v < 0, k, v)[:, None] == np.arange(k + 1)).astype(float)

    def _fit(self, columns):
        from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

        order = list(self.columns_) if self.visit_sequence is None else list(self.visit_sequence)
        missing = [c for c in self.columns_ if c not in order]
        unknown = [c for c in order if c not in self.columns_]
        if missing or unknown or len(set(order)) != len(order):
            raise ValueError(
                f"visit_sequence must list every column exactly once: missing {missing}, unknown {unknown}, "
                f"repeated {sorted({str(c) for c in order if order.count(c) > 1})}."
            )
        self.order_ = order
        self._medians = {c: (float(np.nanmedian(v)) if (~np.isnan(v)).any() else 0.0)
                         for c, v in columns.items() if self.schema_.kind(c) == "numeric"}
        tree_args = dict(min_samples_leaf=self.min_samples_leaf, max_depth=self.max_depth, random_state=0)
        self._first = columns[order[0]]
        self._models = {}
        X = np.empty((self.n_rows_, 0))
        for prev, col in zip(order[:-1], order[1:]):
            X = np.hstack([X, self._design(prev, columns[prev])])
            y = columns[col]
            if self.schema_.kind(col) != "numeric":
                self._models[col] = {"class": _LeafDonors(DecisionTreeClassifier(**tree_args).fit(X, y), X, y)}
                continue
            miss = np.isnan(y)
            model = {}
            if miss.any() and not miss.all():
                model["missing"] = _LeafDonors(DecisionTreeClassifier(**tree_args).fit(X, miss), X, miss)
            if not miss.all():
                model["value"] = _LeafDonors(DecisionTreeRegressor(**tree_args).fit(X[~miss], y[~miss]), X[~miss], y[~miss])
            self._models[col] = model

    def _sample(self, n, rng):
        out = {self.order_[0]: self._first[rng.integers(0, self._first.size, size=n)]}
        X = np.empty((n, 0))
        for prev, col in zip(self.order_[:-1], self.order_[1:]):
            X = np.hstack([X, self._design(prev, out[prev])])
            model = self._models[col]
            if "class" in model:
                out[col] = model["class"].draw(X, rng)
                continue
            x = np.full(n, np.nan)
            miss = model["missing"].draw(X, rng) if "missing" in model else np.full(n, "value" not in model)
            if "value" in model and (~miss).any():
                x[~miss] = model["value"].draw(X[~miss], rng)
            out[col] = x
        return out
