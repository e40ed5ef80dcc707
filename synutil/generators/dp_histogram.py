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

The functions below give the utility of the plug-in classifier :math:`\mathbb 1\{\tilde\eta\ge1/2\}` exactly
(the book's privacy chapter): the flip probability of each cell over the real sample and the mechanism
(:func:`dp_histogram_flip_probability`), the expected excess 0-1 risk (:func:`dp_histogram_excess_risk`), and
its low-noise limit, constant and bound (:func:`dp_low_noise_excess`, :func:`dp_low_noise_constant`,
:func:`dp_low_noise_bound`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import fft as sp_fft
from scipy.special import gamma as gamma_function
from scipy.special import gammainc, gammaincc

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
    "BinnedLaw",
    "binned_classification_law",
    "dp_histogram_excess_risk",
    "dp_histogram_flip_probability",
    "dp_low_noise_bound",
    "dp_low_noise_constant",
    "dp_low_noise_excess",
    "dp_margin_scale",
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


@dataclass(frozen=True)
class BinnedLaw:
    """A binary classification law seen through 1-D bins (see :func:`binned_classification_law`).

    ``cell_probs[c, y]`` is :math:`P(X\\in\\mathcal X_c, Y=y)`, ``margin_weights[c]`` is
    :math:`\\mathbb E[|2\\eta(X)-1|\\,\\mathbb 1\\{X\\in\\mathcal X_c\\}]`, ``bayes_labels[c]`` the Bayes decision
    on the bin, ``quadrature_error`` the largest change of any entry when the number of nodes is halved.
    """

    edges: np.ndarray
    cell_probs: np.ndarray
    margin_weights: np.ndarray
    bayes_labels: np.ndarray
    quadrature_error: float


def _gauss_bins(eta, density, edges, k):
    t, v = np.polynomial.legendre.leggauss(k)
    mid, half = (edges[1:] + edges[:-1]) / 2, (edges[1:] - edges[:-1]) / 2
    x = mid[:, None] + half[:, None] * t[None, :]
    e = _values_at_nodes(eta, x.reshape(-1, 1), "eta", x.shape)
    if np.any((e < 0) | (e > 1)):
        raise ValueError(f"eta must return probabilities in [0, 1], got values in [{e.min():.3g}, {e.max():.3g}] "
                         "on the bins; eta(x) is P(Y = 1 | X = x).")
    g = _values_at_nodes(density, x.reshape(-1), "density", x.shape)
    if np.any(g < 0):
        raise ValueError(f"density must be non-negative, got values down to {g.min():.3g} on the bins.")
    g = g * half[:, None] * v[None, :]
    return np.sum(g, axis=1), np.sum(g * e, axis=1), np.sum(g * np.abs(2 * e - 1), axis=1), e


def _values_at_nodes(function, points, name, shape):
    raw = function(points)
    try:
        if np.iscomplexobj(raw):
            raise TypeError
        values = np.asarray(raw, dtype=float)
    except (TypeError, ValueError):
        raise InputTypeError(f"{name} must return real numbers, got {_describe(raw)}.") from None
    if values.size != math.prod(shape):
        raise ValueError(f"{name} must return one value per point ({len(points)} points), got shape {values.shape}.")
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{name} returned NaN or infinite values on the bins; it must be finite there.")
    return values.reshape(shape)


def binned_classification_law(eta, edges, *, density=None, quad_points=64) -> BinnedLaw:
    r"""Cell probabilities, margin weights and Bayes decisions of a 1-D law on given bins (Gauss--Legendre).

    .. math:: P(X\in\mathcal X_c,Y=1)=\int_{\mathcal X_c}\eta\,g,\qquad
              w_c=\int_{\mathcal X_c}|2\eta-1|\,g

    Parameters
    ----------
    eta : callable
        Maps features of shape ``(k, 1)`` to :math:`\eta` values ``(k,)`` (as the models of
        :mod:`synutil.simulate`).
    edges : array-like
        Increasing bin edges :math:`e_0<\dots<e_I`.
    density : callable, optional
        The feature density :math:`g` on 1-D points; uniform on :math:`[e_0,e_I]` by default.
    quad_points : int
        Gauss--Legendre nodes per bin (at least 4; the error estimate halves it).

    Raises a ValueError when the Bayes decision changes inside a bin (put a bin edge at the boundary).

    Examples
    --------
    >>> law = binned_classification_law(lambda x: (1 + x[:, 0]) / 2, [-1, 0, 1])
    >>> np.round(law.cell_probs, 6).tolist(), np.round(law.margin_weights, 6).tolist(), law.bayes_labels.tolist()
    ([[0.375, 0.125], [0.125, 0.375]], [0.25, 0.25], [0, 1])
    """
    if not callable(eta):
        raise InputTypeError(f"eta must be a callable mapping features (k, 1) to values (k,), got {_describe(eta)}.")
    if density is not None and not callable(density):
        raise InputTypeError(f"density must be None or a callable of 1-D points, got {_describe(density)}.")
    edges = as_float_array(edges, name="edges", ndim=1, min_rows=2)
    if np.any(np.diff(edges) <= 0):
        raise ValueError("edges must be strictly increasing.")
    quad_points = check_int(quad_points, name="quad_points", low=4)
    check_memory(8.0 * 8 * len(edges) * quad_points, what=f"the quadrature nodes ({quad_points} per bin)",
                 fix="lower quad_points (64 is plenty for smooth eta and density)")
    if density is None:
        width = edges[-1] - edges[0]

        def density(x):
            return np.full(np.shape(x), 1.0 / width)

    prob, q1, w, e = _gauss_bins(eta, density, edges, int(quad_points))
    prob_h, q1_h, w_h, _ = _gauss_bins(eta, density, edges, int(quad_points) // 2)
    side = e >= 0.5
    mixed = np.any(side, axis=1) & ~np.all(side, axis=1)
    if mixed.any():
        raise ValueError(f"the Bayes decision changes inside bin(s) {np.flatnonzero(mixed)[:5].tolist()}; "
                         "put a bin edge at the decision boundary.")
    cell_probs = np.column_stack([prob - q1, q1])
    error = float(max(np.max(np.abs(prob - prob_h)), np.max(np.abs(q1 - q1_h)), np.max(np.abs(w - w_h))))
    return BinnedLaw(edges=edges, cell_probs=cell_probs, margin_weights=w,
                     bayes_labels=side[:, 0].astype(int), quadrature_error=error)


def _window(q0, q1, n, width_sd=9.0):
    """FFT size for the law of n_1 - n_0: the mean's cell +- width_sd standard deviations (aliasing < 1e-17)."""
    var = n * (q0 + q1) - n * (q1 - q0) ** 2
    half = int(np.ceil(width_sd * np.sqrt(max(float(var.max()), 0.0)) + 10))
    return sp_fft.next_fast_len(2 * half + 1)


def _difference_law(q0, q1, n, size):
    """Exact law of Z = n_1 - n_0 for the multinomial counts of each cell, on a window around the mean (FFT).

    The characteristic function is (r + q_1 e^{it} + q_0 e^{-it})^n with r = 1 - q_0 - q_1; it is computed in
    polar form, with log1p for the modulus, and only where the modulus exceeds e^{-700} (elsewhere it is 0 to
    double precision).
    """
    center = np.rint(n * (q1 - q0))
    t = 2 * np.pi * np.fft.fftfreq(size)
    occupied, half_angle = (q0 + q1)[:, None], 2.0 * np.sin(t / 2)[None, :] ** 2     # 1 - cos t, without cancellation
    re = 1.0 - occupied * half_angle
    im = (q1 - q0)[:, None] * np.sin(t)[None, :]
    # |z|^2 - 1 in closed form, so that n log|z| keeps its precision when n is large
    log_mod = 0.5 * n * np.log1p(-2.0 * occupied * half_angle + (occupied * half_angle) ** 2 + im ** 2)
    keep = log_mod > -700.0
    phase = n * np.arctan2(im[keep], re[keep]) - (t[None, :] * center[:, None])[keep]
    psi = np.zeros(re.shape, dtype=complex)
    psi[keep] = np.exp(log_mod[keep] + 1j * phase)
    law = np.clip(np.real(sp_fft.fft(psi, axis=1)) / size, 0.0, None)
    offsets = np.rint(np.fft.fftfreq(size) * size)
    return center[:, None] + offsets[None, :], law


def dp_histogram_flip_probability(cell_probs, bayes_labels, *, n, epsilon, neighbouring="replace-one",
                                  method="exact") -> np.ndarray:
    r"""Probability that the released plug-in decision of each cell differs from the Bayes decision.

    .. math:: \pi_c=\mathbb E\,\Psi\Big(\sigma_c\,(n_{c,1}-n_{c,0})\,\frac{\epsilon}{\mathrm{GS}_1}\Big),
              \qquad \sigma_c=2h^*_c-1,

    with :math:`\Psi` the standard :func:`laplace_difference_sf` and the expectation over the multinomial
    counts of ``n`` real rows (computed exactly, by the FFT of the probability generating function of
    :math:`n_{c,1}-n_{c,0}`). With ``method="mean"`` the counts are replaced by their expectations (the
    privacy noise alone). ``epsilon=np.inf`` gives the noise-free histogram, whose decision
    :math:`\mathbb 1\{n_{c,1}\ge n_{c,0}\}` breaks ties towards 1.

    Parameters
    ----------
    cell_probs : array ``(I, 2)``
        :math:`P(X\in\mathcal X_c,Y=y)`.
    bayes_labels : array ``(I,)``
        The Bayes decision :math:`h^*_c\in\{0,1\}` of each cell (constant on the cell).
    n : int
        Number of real rows.
    epsilon : float or 1-D array
        Privacy budgets; the result has one row per budget when an array is given.

    Examples
    --------
    >>> probs = np.array([[0.3, 0.2], [0.2, 0.3]])    # cell 0: P(n_1 >= n_0); cell 1: P(n_1 < n_0)
    >>> np.round(dp_histogram_flip_probability(probs, [0, 1], n=100, epsilon=np.inf), 4).tolist()
    [0.0876, 0.0671]
    """
    cell_probs = as_float_array(cell_probs, name="cell_probs", ndim=2)
    if cell_probs.shape[1] != 2 or np.any(cell_probs < 0) or cell_probs.sum() > 1 + 1e-9:
        raise ValueError("cell_probs must be (I, 2) non-negative probabilities with total at most 1.")
    labels = np.asarray(bayes_labels)
    if labels.dtype.kind not in "biuf" or labels.shape != (len(cell_probs),) or not np.all(np.isin(labels, [0, 1])):
        raise ValueError(f"bayes_labels must be {len(cell_probs)} labels in {{0, 1}}.")
    n = check_int(n, name="n", low=1)
    if not isinstance(method, str) or method not in ("exact", "mean"):
        raise ValueError(f"method must be 'exact' or 'mean', got {method!r}.")
    eps = _check_epsilon(epsilon, allow_inf=True)
    sens = histogram_sensitivity(neighbouring=neighbouring)
    sign = 2.0 * labels - 1.0
    q0, q1 = cell_probs[:, 0], cell_probs[:, 1]
    out = np.empty((eps.size, len(cell_probs)))
    if method == "mean":
        z = sign * int(n) * (q1 - q0)
        for i, e in enumerate(eps.reshape(-1)):
            out[i] = (z < 0) | ((z == 0) & (labels == 0)) if np.isinf(e) else _laplace_sf(z * e / sens)
    else:
        size = _window(q0, q1, int(n))
        check_memory(8.0 * 12 * size * min(len(cell_probs), max(1, 2_000_000 // size)),
                     what=f"the exact law of the counts of n={n} rows", fix="pass method='mean', or a smaller n")
        chunk = max(1, 2_000_000 // size)
        for start in range(0, len(cell_probs), chunk):
            sl = slice(start, start + chunk)
            values, law = _difference_law(q0[sl], q1[sl], int(n), size)
            z = (sign[sl, None] * values).astype(np.int64)
            z_min, z_max = int(z.min()), int(z.max())
            use_table = z_max - z_min < 4 * z.size      # Psi on the integer range once, then gathered
            for i, e in enumerate(eps.reshape(-1)):
                if np.isinf(e):
                    wrong = (z < 0) | ((values == 0) & (labels[sl, None] == 0))
                    out[i, sl] = np.sum(law * wrong, axis=1)
                elif use_table:
                    table = _laplace_sf(np.arange(z_min, z_max + 1) * (e / sens))
                    out[i, sl] = np.sum(law * table[z - z_min], axis=1)
                else:
                    out[i, sl] = np.sum(law * _laplace_sf(z * (e / sens)), axis=1)
    return out[0] if eps.ndim == 0 else out


def dp_histogram_excess_risk(law: BinnedLaw, *, n, epsilon, neighbouring="replace-one", method="exact"):
    r"""Expected excess 0-1 risk of the plug-in classifier of the DP histogram: :math:`\sum_c w_c\pi_c`.

    .. math:: \mathbb E\,R(\mathbb 1\{\tilde\eta\ge1/2\})-R(h^*)=\sum_c w_c\,\pi_c,\qquad
              w_c=\mathbb E\big[|2\eta(X)-1|\,\mathbb 1\{X\in\mathcal X_c\}\big]

    ``law`` comes from :func:`binned_classification_law`; ``pi_c`` from :func:`dp_histogram_flip_probability`.

    Examples
    --------
    >>> law = binned_classification_law(lambda x: (1 + x[:, 0]) / 2, np.linspace(-1, 1, 5))
    >>> round(float(dp_histogram_excess_risk(law, n=400, epsilon=np.inf)), 6)
    0.000728
    """
    if not isinstance(law, BinnedLaw):
        raise InputTypeError(f"law must be a BinnedLaw from binned_classification_law, got {_describe(law)}.")
    flips = dp_histogram_flip_probability(law.cell_probs, law.bayes_labels, n=n, epsilon=epsilon,
                                          neighbouring=neighbouring, method=method)
    return flips @ law.margin_weights


def dp_margin_scale(n_per_bin, epsilon, *, neighbouring="replace-one"):
    r"""The scale :math:`\zeta` of the privacy error of :math:`\tilde\eta` near :math:`1/2`, in a bin of
    :math:`\bar n` rows.

    .. math:: \zeta=\frac{\mathrm{GS}_1}{2\bar n\epsilon}\quad(=1/(\bar n\epsilon)\ \text{for replace-one})

    Examples
    --------
    >>> float(dp_margin_scale(1e5, 2e-3))
    0.005
    """
    eps = _check_epsilon(epsilon)
    as_numbers(n_per_bin, name="n_per_bin", low=0.0, low_open=True)
    return histogram_sensitivity(neighbouring=neighbouring) / (2.0 * np.asarray(n_per_bin, dtype=float) * eps)


def _check_alpha(alpha):
    try:
        return check_float(alpha, name="alpha", low=0.0, low_open=True)
    except ValueError as error:
        raise type(error)(f"alpha must be a positive finite margin exponent, got {_describe(alpha)}.") from None


def dp_low_noise_constant(alpha) -> float:
    r"""The constant :math:`c_\alpha` of the privacy-dominated excess risk :math:`c_\alpha\zeta^{1+\alpha}` under the
    margin law :math:`P(|\eta-1/2|\le t)=(2t)^\alpha`.

    .. math:: c_\alpha=2\alpha2^\alpha\int_0^\infty u^\alpha\Psi(u)\,du=\alpha\,2^{\alpha-1}\,\Gamma(\alpha+1)\,(\alpha+3)

    Examples
    --------
    >>> dp_low_noise_constant(1.0), dp_low_noise_constant(2.0)
    (4.0, 40.0)
    """
    a = _check_alpha(alpha)
    return float(a * 2.0 ** (a - 1) * gamma_function(a + 1) * (a + 3))


def dp_low_noise_excess(zeta, *, alpha) -> np.ndarray:
    r"""The privacy-dominated excess risk :math:`\mathbb E[2M\,\Psi(M/\zeta)]`, :math:`M=|\eta(X)-1/2|`, under the
    margin law :math:`P(M\le t)=(2t)^\alpha` on :math:`[0,1/2]`.

    .. math:: \alpha2^\alpha\zeta^{1+\alpha}\Big[\gamma\big(\alpha+1,\tfrac1{2\zeta}\big)
              +\tfrac12\gamma\big(\alpha+2,\tfrac1{2\zeta}\big)\Big]\ \le\ c_\alpha\zeta^{1+\alpha}

    with :math:`\gamma` the lower incomplete gamma function; it tends to :math:`E M=\alpha/(2(1+\alpha))` as
    :math:`\zeta\to\infty` (every decision a coin flip).

    Examples
    --------
    >>> round(float(dp_low_noise_excess(0.01, alpha=1.0) / (4.0 * 0.01 ** 2)), 6)
    1.0
    """
    a = _check_alpha(alpha)
    zeta = as_numbers(zeta, name="zeta", low=0.0, low_open=True)
    T = 1.0 / (2.0 * zeta)
    lower = gammainc(a + 1, T) * gamma_function(a + 1) + 0.5 * gammainc(a + 2, T) * gamma_function(a + 2)
    return a * 2.0**a * zeta ** (1 + a) * lower


def dp_low_noise_bound(zeta, *, alpha, C) -> np.ndarray:
    r"""Upper bound :math:`\bar c_\alpha C\zeta^{1+\alpha}` on :math:`\mathbb E[2M\Psi(M/\zeta)]` under the margin
    condition :math:`P_X(0<M\le t)\le Ct^\alpha`.

    .. math:: \bar c_\alpha=\tfrac12\big[\Gamma(\alpha+3,\sqrt2)-2\,\Gamma(\alpha+1,\sqrt2)\big]
              =2\int_{\sqrt2}^\infty u^\alpha\,\big|\tfrac{d}{du}\,u\Psi(u)\big|\,du

    with :math:`\Gamma(\cdot,\cdot)` the upper incomplete gamma function.

    Examples
    --------
    >>> round(float(dp_low_noise_bound(1.0, alpha=1.0, C=1.0)), 3)
    2.247
    """
    a = _check_alpha(alpha)
    _check_positive_number(C, "C")
    zeta = as_numbers(zeta, name="zeta", low=0.0)
    r2 = np.sqrt(2.0)
    const = 0.5 * (gammaincc(a + 3, r2) * gamma_function(a + 3) - 2 * gammaincc(a + 1, r2) * gamma_function(a + 1))
    return const * C * zeta ** (1 + a)
