r"""A differentially private histogram generator for binary classification, and its utility in closed form.

The generator partitions a bounded feature box into cells (per-axis bins), counts the real rows in every
(cell, label) pair, and releases these counts with independent Laplace noise (the Laplace mechanism of
Dwork, McSherry, Nissim and Smith, 2006):

.. math::
    \tilde n_{c,y}=n_{c,y}+\xi_{c,y},\qquad \xi_{c,y}\ \text{i.i.d.}\ \mathrm{Laplace}(\mathrm{GS}_1/\epsilon),

where :math:`\mathrm{GS}_1` is the :math:`L^1` sensitivity of the count table: 2 when neighbouring datasets
differ by *replacing* one row (the default), 1 when they differ by adding or removing one row. The release is
then :math:`\epsilon`-differentially private, and so is everything computed from it alone (post-processing):
the synthetic regression function in cell :math:`c`,

.. math::
    \tilde\eta_c=\operatorname{clip}_{[0,1]}\Big(\frac12+\frac{\tilde n_{c,1}-\tilde n_{c,0}}
    {2\max(\tilde n_{c,0}+\tilde n_{c,1},\,1)}\Big),

which is the noisy share :math:`\tilde n_{c,1}/(\tilde n_{c,0}+\tilde n_{c,1})` whenever both noisy counts are
non-negative and their total is at least 1, and which always satisfies
:math:`\tilde\eta_c\ge1/2\iff\tilde n_{c,1}\ge\tilde n_{c,0}`; the synthetic feature law (a cell with probability
proportional to :math:`\max(\tilde n_{c,0}+\tilde n_{c,1},0)`, then uniform within the cell); and the synthetic rows.

The utility of the plug-in classifier :math:`\mathbb 1\{\tilde\eta\ge1/2\}` trained on this generator's
rows, in closed form (the book's privacy chapter), is in the lab layer: :mod:`synutil.bounds.privacy`.
"""

from __future__ import annotations

import math

import numpy as np

from .._validation import (
    InputTypeError,
    as_float_array,
    as_numbers,
    check_float,
    check_int,
    check_memory,
    check_random_state,
)
from ._base import SyntheticGenerator, _check_labels, _check_n, _describe

__all__ = [
    "DPHistogramGenerator",
    "histogram_sensitivity",
    "laplace_difference_sf",
    "laplace_mechanism",
]

_SENSITIVITY = {"replace-one": 2, "add-remove": 1}


def histogram_sensitivity(*, neighbouring: str = "replace-one") -> int:
    r"""The :math:`L^1` sensitivity of a (cell, label) count table under a neighbouring relation.

    .. math:: \mathrm{GS}_1=\max_{D\sim D'}\sum_{c,y}\lvert n_{c,y}(D)-n_{c,y}(D')\rvert

    Replacing one row moves it from one (cell, label) pair to another: one count falls by 1 and another
    rises by 1, so :math:`\mathrm{GS}_1=2`. Adding or removing one row changes one count by 1:
    :math:`\mathrm{GS}_1=1`.

    Parameters
    ----------
    neighbouring : {"replace-one", "add-remove"}
        ``"replace-one"``: datasets of the same size that differ in one row (bounded differential privacy);
        ``"add-remove"``: datasets that differ by one row added or removed (unbounded).

    Examples
    --------
    >>> histogram_sensitivity(), histogram_sensitivity(neighbouring="add-remove")
    (2, 1)
    """
    if not isinstance(neighbouring, str) or neighbouring not in _SENSITIVITY:
        raise ValueError(f"neighbouring must be 'replace-one' or 'add-remove', got {neighbouring!r}.")
    return _SENSITIVITY[neighbouring]


def _check_epsilon(epsilon, *, allow_inf=False, scalar=False):
    allowed = "positive (np.inf for no noise)" if allow_inf else "positive and finite"
    what = "a number" if scalar else "a number or a 1-D array of numbers"
    try:
        kind = np.asarray(epsilon).dtype.kind
    except (TypeError, ValueError):
        kind = "O"
    if epsilon is None or isinstance(epsilon, (bool, np.bool_)) or kind not in "iuf":
        raise InputTypeError(f"epsilon must be {allowed} ({what}), got {_describe(epsilon)}; it is the privacy "
                             "budget of epsilon-DP.")
    eps = np.asarray(epsilon, dtype=float)
    if scalar and eps.ndim != 0:
        raise ValueError(f"epsilon must be a single number here, got shape {eps.shape}; it is the privacy budget "
                         "of epsilon-DP.")
    if eps.ndim > 1 or np.any(np.isnan(eps)) or np.any(eps <= 0) or (not allow_inf and np.any(np.isinf(eps))):
        allowed = "positive (np.inf for no noise)" if allow_inf else "positive and finite"
        raise ValueError(f"epsilon must be {allowed}, got {epsilon!r}; it is the privacy budget of epsilon-DP.")
    return eps


def laplace_mechanism(values, *, sensitivity, epsilon, random_state=None) -> np.ndarray:
    r"""Release ``values`` with i.i.d. Laplace noise of scale ``sensitivity / epsilon``.

    .. math:: M(D)=f(D)+(\xi_1,\dots,\xi_d),\qquad \xi_i\sim\mathrm{Laplace}(\mathrm{GS}_1/\epsilon),\quad
              \text{density }\tfrac{\epsilon}{2\,\mathrm{GS}_1}e^{-\epsilon|z|/\mathrm{GS}_1}

    It is :math:`\epsilon`-differentially private when ``sensitivity`` is the :math:`L^1` sensitivity of
    :math:`f` under the neighbouring relation (Dwork, McSherry, Nissim and Smith, 2006).

    Examples
    --------
    >>> noisy = laplace_mechanism(np.zeros(100_000), sensitivity=2, epsilon=0.5, random_state=0)
    >>> round(float(np.mean(np.abs(noisy))), 1)    # E|xi| = scale = 4
    4.0
    """
    values = as_float_array(values, name="values")
    eps = float(_check_epsilon(epsilon, scalar=True))
    _check_positive_number(sensitivity, "sensitivity")
    rng = check_random_state(random_state)
    return values + rng.laplace(0.0, sensitivity / eps, size=values.shape)


def laplace_difference_sf(z, *, scale=1.0) -> np.ndarray:
    r"""Survival function :math:`P(\xi-\xi'>z)` of the difference of two i.i.d. Laplace(``scale``) variables.

    .. math:: \Psi(z)=\tfrac12e^{-z/\theta}\big(1+\tfrac{z}{2\theta}\big)\ (z\ge0),\qquad \Psi(z)=1-\Psi(-z)\ (z<0),

    with :math:`\theta` the scale; the density of the difference is
    :math:`\frac{1}{4\theta}(1+|z|/\theta)e^{-|z|/\theta}`.

    Examples
    --------
    >>> float(laplace_difference_sf(0.0)), round(float(laplace_difference_sf(2.0)), 6)   # e^-2 = 0.135335
    (0.5, 0.135335)
    """
    _check_positive_number(scale, "scale")
    z = as_numbers(z, name="z", allow_inf=True) / scale
    return _laplace_sf(z)


def _laplace_sf(z) -> np.ndarray:
    """:func:`laplace_difference_sf` at unit scale, without the input checks (internal, hot loops)."""
    a = np.abs(z)
    tail = 0.5 * np.exp(-a) * (1.0 + a / 2.0)
    return np.where(z >= 0, tail, 1.0 - tail)


def _check_positive_number(value, name):
    try:
        return check_float(value, name=name, low=0.0, low_open=True)
    except ValueError as error:
        raise type(error)(f"{name} must be positive and finite, got {_describe(value)}.") from None


class DPHistogramGenerator(SyntheticGenerator):
    r"""An :math:`\epsilon`-differentially private histogram generator for binary labels on a bounded box.

    .. math:: \tilde n_{c,y}=n_{c,y}+\mathrm{Laplace}(\mathrm{GS}_1/\epsilon),\qquad
              \tilde\eta_c=\operatorname{clip}_{[0,1]}\Big(\tfrac12+\frac{\tilde n_{c,1}-\tilde n_{c,0}}
              {2\max(\tilde n_{c,0}+\tilde n_{c,1},1)}\Big)

    The box and the bins are public: they are fixed before the data are seen (never computed from the
    data, which would void the guarantee). Cells are the products of the per-axis bins, numbered in C order.

    Parameters
    ----------
    epsilon : float
        The privacy budget :math:`\epsilon>0`.
    bins : int or sequence of int
        Number of equal-width bins per axis (one int for every axis).
    bounds : pair of floats, or sequence of pairs, default (0, 1)
        ``(low, high)`` of the box, for every axis or one pair per axis (the default suits features scaled to
        the unit box). Rows outside raise a ValueError (clip them into the box first: clipping a row is a
        per-row map and keeps the guarantee).
    neighbouring : {"replace-one", "add-remove"}, default "replace-one"
        The neighbouring relation of the guarantee; it sets the sensitivity (2 or 1, see
        :func:`histogram_sensitivity`) and so the noise scale :math:`\mathrm{GS}_1/\epsilon`.
    random_state : None, int, SeedSequence or Generator
        Randomness of the mechanism (stored; an int gives the same noise at every ``fit``).

    Attributes
    ----------
    noise_scale_ : float
        :math:`\mathrm{GS}_1/\epsilon`, the scale of each Laplace variable.
    noisy_counts_ : ndarray ``(n_cells, 2)``
        The released counts :math:`\tilde n_{c,0},\tilde n_{c,1}` (the true counts are not stored).
    eta_ : ndarray ``(n_cells,)``
        The released synthetic regression function :math:`\tilde\eta_c` per cell.
    cell_weights_ : ndarray ``(n_cells,)``
        Probabilities of the cells under the synthetic feature law.
    edges_ : list of ndarray
        Bin edges per axis.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(-1, 1, size=(20_000, 1)); y = (rng.uniform(size=20_000) < (1 + X[:, 0]) / 2).astype(int)
    >>> gen = DPHistogramGenerator(epsilon=1.0, bins=4, bounds=(-1, 1), random_state=1).fit(X, y)
    >>> gen.noise_scale_, np.round(gen.eta_, 2).tolist()          # true shares 0.125, 0.375, 0.625, 0.875
    (2.0, [0.13, 0.37, 0.63, 0.87])
    >>> Xs, ys = gen.sample(5, random_state=2)
    >>> Xs.shape, sorted(set(ys.tolist())) <= [0, 1]
    ((5, 1), True)
    >>> DPHistogramGenerator(epsilon=0, bins=4, bounds=(-1, 1))
    Traceback (most recent call last):
    ...
    ValueError: epsilon must be positive and finite, got 0; it is the privacy budget of epsilon-DP.
    """

    def __init__(self, *, epsilon, bins, bounds=(0.0, 1.0), neighbouring="replace-one", random_state=None):
        self.epsilon = float(_check_epsilon(epsilon, scalar=True))
        bins_arr = np.atleast_1d(np.asarray(bins))
        if bins_arr.ndim != 1 or not np.issubdtype(bins_arr.dtype, np.integer) or np.any(bins_arr < 1):
            raise ValueError(f"bins must be a positive int or a sequence of positive ints, got {bins!r}.")
        try:
            kind = np.asarray(bounds).dtype.kind
        except (TypeError, ValueError):
            kind = "O"
        if bounds is None or kind not in "iuf":
            raise InputTypeError(f"bounds must be a finite (low, high) pair of numbers with low < high, or one per "
                                 f"axis, got {_describe(bounds)}.")
        bounds_arr = np.asarray(bounds, dtype=float)
        if bounds_arr.shape == (2,):
            bounds_arr = bounds_arr[None, :]
        if bounds_arr.ndim != 2 or bounds_arr.shape[1] != 2 or not np.all(np.isfinite(bounds_arr)) \
                or np.any(bounds_arr[:, 1] <= bounds_arr[:, 0]):
            raise ValueError(f"bounds must be a finite (low, high) pair with low < high, or one per axis, got {bounds!r}.")
        self.sensitivity = histogram_sensitivity(neighbouring=neighbouring)
        if not isinstance(random_state, (np.random.Generator, np.random.RandomState)):
            check_random_state(random_state)  # refuse -1, 1.5, "seed" now, not at fit (nothing is drawn)
        self.bins = bins
        self.bounds = bounds
        self.neighbouring = neighbouring
        self.random_state = random_state
        self._bins, self._bounds = bins_arr, bounds_arr

    def _geometry(self, p):
        bins = np.broadcast_to(self._bins, (p,)) if len(self._bins) == 1 else self._bins
        bounds = np.broadcast_to(self._bounds, (p, 2)) if len(self._bounds) == 1 else self._bounds
        if len(bins) != p or len(bounds) != p:
            raise ValueError(f"bins and bounds describe {len(bins)} and {len(bounds)} axes, but the data have {p} columns.")
        self.bins_ = np.array(bins, dtype=int)
        self.bounds_ = np.array(bounds, dtype=float)
        n_cells = math.prod(int(k) for k in bins)
        check_memory(8.0 * 2 * 6 * n_cells, what=f"the (cell, label) count table of {n_cells} cells",
                     fix="use fewer bins (or fewer axes)")
        self.edges_ = [np.linspace(lo, hi, k + 1) for (lo, hi), k in zip(self.bounds_, self.bins_)]
        self.n_cells_ = int(np.prod(self.bins_))
        self.n_features_in_ = p

    def cell_index(self, X) -> np.ndarray:
        """Index of the cell of every row of ``X`` (C order over the per-axis bins)."""
        if not hasattr(self, "bounds_"):
            raise ValueError(f"{type(self).__name__} is not fitted yet; call fit(X, y) (or fit_counts) first.")
        X = as_float_array(X, name="X", ndim=2)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(f"X must have {self.n_features_in_} columns, got {X.shape[1]}.")
        low, high = self.bounds_[:, 0], self.bounds_[:, 1]
        outside = np.any((X < low) | (X > high), axis=1)
        if outside.any():
            raise ValueError(f"{int(outside.sum())} row(s) of X lie outside the public bounds {self.bounds_.tolist()}; "
                             "clip them into the box first.")
        idx = np.floor((X - low) / (high - low) * self.bins_).astype(int)
        idx = np.minimum(idx, self.bins_ - 1)            # the upper edge belongs to the last bin
        return np.ravel_multi_index(tuple(idx.T), tuple(self.bins_))

    def fit(self, X, y=None):
        """Count the real rows per (cell, label) and release the counts with Laplace noise; returns ``self``."""
        X = as_float_array(X, name="X", ndim=2, min_rows=1)
        if y is None:
            raise ValueError("DPHistogramGenerator needs binary labels: call fit(X, y).")
        y_arr = _check_labels(y, n_rows=len(X))
        if y_arr.dtype.kind not in "biuf":
            raise InputTypeError(f"y must be binary labels 0/1 (numbers or booleans), got values of dtype "
                                 f"{y_arr.dtype} such as {y_arr[:3].tolist()}.")
        y_float = y_arr.astype(float)
        if not np.all((y_float == 0) | (y_float == 1)):
            raise ValueError(f"y must be binary labels 0/1, got the values {np.unique(y_float)[:10].tolist()}.")
        self._geometry(X.shape[1])
        cells = self.cell_index(X)
        counts = np.bincount(2 * cells + y_float.astype(int), minlength=2 * self.n_cells_).reshape(self.n_cells_, 2)
        return self._release(counts)

    def fit_counts(self, counts, *, n_features=1):
        r"""Release a given (cell, label) count table ``(n_cells, 2)``, as ``fit`` does after counting.

        For simulations that draw the table directly (a multinomial) instead of ``n`` rows. The cells are
        those of ``bins`` and ``bounds`` on ``n_features`` axes. Returns ``self``.
        """
        counts = as_float_array(counts, name="counts", ndim=2)
        self._geometry(check_int(n_features, name="n_features", low=1))
        if counts.shape != (self.n_cells_, 2):
            raise ValueError(f"counts must have shape ({self.n_cells_}, 2), one row per cell, got {counts.shape}.")
        if not np.all(np.isfinite(counts)) or np.any(counts < 0) or np.any(counts != np.round(counts)):
            raise ValueError("counts must be non-negative integers.")
        return self._release(counts)

    def _release(self, counts):
        self.noise_scale_ = self.sensitivity / self.epsilon
        noisy = laplace_mechanism(counts, sensitivity=self.sensitivity, epsilon=self.epsilon,
                                  random_state=self.random_state)
        total = noisy[:, 0] + noisy[:, 1]
        self.noisy_counts_ = noisy
        self.eta_ = np.clip(0.5 + (noisy[:, 1] - noisy[:, 0]) / (2.0 * np.maximum(total, 1.0)), 0.0, 1.0)
        weights = np.maximum(total, 0.0)
        self.cell_weights_ = weights / weights.sum() if weights.sum() > 0 else np.full(self.n_cells_, 1.0 / self.n_cells_)
        self.fitted_ = True
        return self

    def eta(self, X) -> np.ndarray:
        r"""The released synthetic regression function :math:`\tilde\eta` at the rows of ``X``."""
        self._check_fitted()
        return self.eta_[self.cell_index(X)]

    def predict(self, X) -> np.ndarray:
        r"""The plug-in classifier of the release, :math:`\mathbb 1\{\tilde\eta(x)\ge1/2\}`."""
        return (self.eta(X) >= 0.5).astype(int)

    def _cell_points(self, cells, rng):
        multi = np.column_stack(np.unravel_index(cells, tuple(self.bins_)))
        low, high = self.bounds_[:, 0], self.bounds_[:, 1]
        width = (high - low) / self.bins_
        return low + (multi + rng.uniform(size=multi.shape)) * width

    def sample(self, n, *, random_state=None):
        """Draw ``n`` synthetic rows: a cell with probability ``cell_weights_``, a uniform point in it, a label
        with probability ``eta_`` of the cell. The same ``random_state`` gives the same rows."""
        self._check_fitted()
        n = _check_n(n, owner=type(self).__name__, n_columns=self.n_features_in_)
        rng = check_random_state(random_state)
        cells = rng.choice(self.n_cells_, size=n, p=self.cell_weights_)
        X = self._cell_points(cells, rng)
        y = (rng.uniform(size=int(n)) < self.eta_[cells]).astype(int)
        return X, y

    def sample_features(self, n, rng):
        return self._cell_points(rng.choice(self.n_cells_, size=int(n), p=self.cell_weights_), rng)

    def sample_responses(self, X, rng):
        return (rng.uniform(size=len(X)) < self.eta(X)).astype(int)
