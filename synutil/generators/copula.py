r"""A Gaussian copula generator for mixed-type tables (numeric, categorical, boolean columns with missing values).

Each column :math:`j` is mapped to a standard normal score :math:`z_j`; the scores are modelled as jointly normal
with the correlation matrix :math:`R` of the real scores; sampling draws :math:`z\sim N(0,R)` and maps each
coordinate back:

.. math::
    z_{ij}=\Phi^{-1}\!\Big(\frac{\operatorname{rank}(x_{ij})}{m_j+1}\Big),\qquad
    \tilde x_{j}=\hat F_j^{-1}\big(\Phi(\tilde z_j)\big)

- numeric columns: ranks among the :math:`m_j` non-missing values (ties get their average rank); back through the
  empirical quantile function interpolated linearly between the order statistics at levels
  :math:`i/(m_j+1)` (so synthetic values lie in :math:`[\min x_j,\max x_j]` and need not be real values);
  whole-number columns are rounded back;
- categorical and boolean columns: category :math:`k` (sorted categories, missing last) owns the interval
  :math:`[c_{k-1},c_k)` of cumulative frequencies; a real row scores :math:`\Phi^{-1}` of its interval's midpoint,
  a synthetic :math:`u=\Phi(\tilde z)` picks the interval it falls in, so frequencies are reproduced;
- missing values: in categorical and boolean columns missing is a category, so its rate and its dependence on
  the other columns are modelled; in numeric columns the rate is reproduced, completely at random (independently
  of everything else).

:math:`R` is the pairwise-complete Pearson correlation of the scores (0 where undefined: a constant or
all-missing column), projected onto the correlation matrices (eigenvalues clipped at ``ridge``, unit diagonal).
The copula keeps monotone (rank) dependence; it misses non-monotone and interaction effects, which
:class:`~synutil.generators.SequentialCARTGenerator` can capture.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .._validation import check_float
from ._base import _describe
from ._tabular import TabularGenerator

__all__ = ["GaussianCopulaGenerator"]


def nearest_correlation(C: np.ndarray, *, floor: float = 1e-6) -> np.ndarray:
    """A correlation matrix close to the symmetric matrix ``C``: eigenvalues clipped at ``floor``, unit diagonal.

    >>> nearest_correlation(np.array([[1.0, 1.2], [1.2, 1.0]])).round(4).tolist()
    [[1.0, 1.0], [1.0, 1.0]]
    """
    C = (C + C.T) / 2
    w, V = np.linalg.eigh(C)
    C = (V * np.clip(w, floor, None)) @ V.T
    d = np.sqrt(np.diag(C))
    C = C / np.outer(d, d)
    np.fill_diagonal(C, 1.0)
    return C


class GaussianCopulaGenerator(TabularGenerator):
    r"""Gaussian copula over a mixed-type table: empirical marginals, correlated normal scores.

    See the module notes for the transforms; ``fit(df)`` then ``sample(n, random_state=...)`` returns a DataFrame
    with the training table's column names, order and dtypes.

    Parameters
    ----------
    ridge : float
        Smallest eigenvalue kept in the correlation matrix of the normal scores.

    Attributes
    ----------
    correlation_ : pandas.DataFrame
        The correlation matrix :math:`R` of the normal scores, labelled by column.

    Examples
    --------
    >>> from synutil.tables import mixed_table
    >>> real = mixed_table(500, random_state=0)
    >>> gen = GaussianCopulaGenerator().fit(real)
    >>> syn = gen.sample(300, random_state=1)
    >>> syn.shape, (syn.dtypes == real.dtypes).all()
    ((300, 6), np.True_)
    >>> sorted(syn["region"].dropna().unique()) == sorted(real["region"].dropna().unique())
    True
    """

    def __init__(self, *, ridge: float = 1e-6):
        try:
            self.ridge = check_float(ridge, name="ridge", low=0.0, high=1.0, low_open=True, high_open=True)
        except ValueError as error:
            raise type(error)(f"ridge must be a small positive number below 1 (e.g. 1e-6), got "
                              f"{_describe(ridge)}.") from None

    def _params(self):
        return {"ridge": self.ridge}

    def _fit(self, columns):
        names = list(self.schema_.columns)
        n = self.n_rows_
        Z = np.full((n, len(names)), np.nan)
        self.marginals_ = {}
        for j, col in enumerate(names):
            v = columns[col]
            if self.schema_.kind(col) == "numeric":
                ok = ~np.isnan(v)
                m = int(ok.sum())
                if m:
                    Z[ok, j] = stats.norm.ppf(stats.rankdata(v[ok]) / (m + 1))
                self.marginals_[col] = {"sorted": np.sort(v[ok]), "missing_rate": 1.0 - m / n}
            else:
                k = len(self.schema_.categories(col))
                level = np.where(v < 0, k, v)  # missing is the last level
                freq = np.bincount(level, minlength=k + 1) / n
                cum = np.cumsum(freq)
                cum[-1] = 1.0
                mid = stats.norm.ppf(np.clip(cum - freq / 2, 1e-12, 1 - 1e-12))
                Z[:, j] = mid[level]
                self.marginals_[col] = {"cum": cum, "n_categories": k}
        C = pd.DataFrame(Z).corr(min_periods=2).to_numpy()
        C = np.where(np.isfinite(C), C, 0.0)
        np.fill_diagonal(C, 1.0)
        C = nearest_correlation(C, floor=self.ridge)
        w, V = np.linalg.eigh(C)
        self._factor = V * np.sqrt(np.clip(w, 0.0, None))
        self.correlation_ = pd.DataFrame(C, index=names, columns=names)

    def _sample(self, n, rng):
        names = list(self.schema_.columns)
        U = stats.norm.cdf(rng.standard_normal((n, len(names))) @ self._factor.T)
        out = {}
        for j, col in enumerate(names):
            mg = self.marginals_[col]
            if "sorted" in mg:
                xs = mg["sorted"]
                if xs.size == 0:
                    out[col] = np.full(n, np.nan)
                    continue
                levels = np.arange(1, xs.size + 1) / (xs.size + 1)
                x = np.interp(U[:, j], levels, xs)
                if mg["missing_rate"] > 0:
                    x[rng.random(n) < mg["missing_rate"]] = np.nan
                out[col] = x
            else:
                k = mg["n_categories"]
                level = np.minimum(np.searchsorted(mg["cum"], U[:, j], side="right"), k)
                out[col] = np.where(level == k, -1, level)
        return out
