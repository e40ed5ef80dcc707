r"""A Gaussian kernel density generator: resample a real row, then add Gaussian noise to its features.

Fitted on real features :math:`x_1,\dots,x_n\in\mathbb R^p`, the generator's feature law is the Gaussian
kernel density estimate with a diagonal bandwidth matrix :math:`H=\operatorname{diag}(\beta_1^2,\dots,\beta_p^2)`,

.. math::
    \tilde g(x)=\frac1n\sum_{i=1}^n\varphi_H(x-x_i),\qquad
    \tilde x=x_I+H^{1/2}\varepsilon,\quad I\sim\mathrm{Unif}\{1,\dots,n\},\ \varepsilon\sim N(0,I_p),

so :math:`\tilde x` has mean :math:`\bar x` and covariance :math:`\hat\Sigma_{\rm emp}+H`, where
:math:`\hat\Sigma_{\rm emp}=\frac1n\sum_i(x_i-\bar x)(x_i-\bar x)^\top` divides by :math:`n` (not :math:`n-1`):
the mixture's first component is the empirical law itself.

Bandwidth rules (Scott 1992; Silverman 1986), :math:`\beta_j=c_n\,s_j` with :math:`s_j` the sample standard
deviation of column :math:`j` (``ddof=1``) and the factor

.. math::
    c_n^{\rm Scott}=n^{-1/(p+4)},\qquad
    c_n^{\rm Silverman}=\Big(\frac{4}{p+2}\Big)^{1/(p+4)}n^{-1/(p+4)},

the same factors as ``scipy.stats.gaussian_kde`` (``scotts_factor``, ``silverman_factor``); scipy uses the full
covariance, this generator its diagonal (a product kernel). A float bandwidth is an absolute kernel standard
deviation :math:`\beta`, the same in every column and not rescaled by the data.

Responses. With ``response="copy"`` (default) the synthetic row keeps the response (or label) of the real row
it was drawn from, so the synthetic regression function is the Nadaraya--Watson estimate with the same kernel,
:math:`\tilde\eta(x)=\sum_i\varphi_H(x-x_i)y_i/\sum_i\varphi_H(x-x_i)`; labels stay labels. With
``response="smooth"`` (numeric :math:`y` only) the estimate is a KDE of the joint vector :math:`(X,Y)` in
:math:`p+1` dimensions: the rules use :math:`p+1` in the factor, and :math:`\tilde y=y_I+\beta_y\varepsilon'`.
"""

from __future__ import annotations

import numpy as np
from scipy.special import logsumexp

from .._validation import (
    InputTypeError,
    as_float_array,
    check_float,
    check_int,
    check_random_state,
)
from ._base import (
    SyntheticGenerator,
    _check_finite_sample,
    _check_fitted_finite,
    _check_labels,
    _check_n,
    _describe,
)

__all__ = ["KDEGenerator", "kde_bandwidth_factor"]

_RULES = ("scott", "silverman")


def kde_bandwidth_factor(n, p, *, rule="scott") -> float:
    r"""The bandwidth factor :math:`c_n` of Scott's or Silverman's rule for ``n`` points in dimension ``p``.

    .. math:: c_n^{\rm Scott}=n^{-1/(p+4)},\qquad c_n^{\rm Silverman}=\big(n\,(p+2)/4\big)^{-1/(p+4)}

    Parameters
    ----------
    n : int
        Number of points the density is estimated from (at least 2).
    p : int
        Dimension (at least 1).
    rule : {"scott", "silverman"}
        Which rule of thumb.

    Returns
    -------
    float
        :math:`c_n`; the kernel standard deviation in column :math:`j` is :math:`c_n s_j`.

    Examples
    --------
    >>> round(kde_bandwidth_factor(100, 1), 4)   # 100 ** (-1 / 5)
    0.3981
    >>> round(kde_bandwidth_factor(100, 1, rule="silverman"), 4)   # (100 * 3 / 4) ** (-1 / 5)
    0.4217
    """
    if not isinstance(rule, str) or rule not in _RULES:
        raise ValueError(f"rule must be 'scott' or 'silverman', got {_describe(rule)}.")
    n = check_int(n, name="n", low=2)
    p = check_int(p, name="p", low=1)
    if rule == "scott":
        return float(n ** (-1.0 / (p + 4)))
    return float((n * (p + 2) / 4.0) ** (-1.0 / (p + 4)))


class KDEGenerator(SyntheticGenerator):
    r"""Gaussian kernel density generator: a random real row plus :math:`N(0,H)` noise on its features.

    .. math:: \tilde x=x_I+H^{1/2}\varepsilon,\qquad \mathbb E\tilde x=\bar x,\qquad
              \operatorname{Var}\tilde x_j=\tfrac1n\textstyle\sum_i(x_{ij}-\bar x_j)^2+\beta_j^2

    Parameters
    ----------
    bandwidth : {"scott", "silverman"} or float, default "scott"
        A rule of thumb (the kernel standard deviation of column :math:`j` is
        :func:`kde_bandwidth_factor` times the column's sample standard deviation, ``ddof=1``), or a positive
        float: the absolute kernel standard deviation :math:`\beta`, the same for every column.
    response : {"copy", "smooth"}, default "copy"
        ``"copy"`` keeps the response (or label) of the real row drawn; ``"smooth"`` adds Gaussian noise to a
        numeric response as well (a KDE of the joint vector :math:`(X,Y)`: the rules then use dimension
        :math:`p+1`, and the response's kernel standard deviation is the factor times its sample standard
        deviation, or the float bandwidth).

    Attributes
    ----------
    X_ : ndarray ``(n, p)``
        The real features the density is centred on.
    y_ : ndarray ``(n,)`` or None
        The real responses, if ``fit`` was given any.
    factor_ : float or None
        :math:`c_n` of the rule; None for a float bandwidth.
    bandwidth_ : ndarray ``(p,)``
        :math:`\beta_1,\dots,\beta_p`, the kernel standard deviations of the features.
    response_bandwidth_ : float or None
        :math:`\beta_y` with ``response="smooth"``, else None.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(400, 2)); y = (X[:, 0] > 0).astype(int)
    >>> gen = KDEGenerator(bandwidth="scott").fit(X, y)
    >>> bool(np.allclose(gen.bandwidth_, 400 ** (-1 / 6) * X.std(axis=0, ddof=1)))
    True
    >>> Xs, ys = gen.sample(5, random_state=1)
    >>> Xs.shape, sorted(set(ys.tolist())) <= [0, 1]
    ((5, 2), True)
    >>> gen_fixed = KDEGenerator(bandwidth=0.5).fit(X)
    >>> gen_fixed.bandwidth_.tolist(), gen_fixed.sample(3, random_state=0)[1] is None
    ([0.5, 0.5], True)
    """

    def __init__(self, bandwidth="scott", *, response="copy"):
        if isinstance(bandwidth, str):
            if bandwidth not in _RULES:
                raise ValueError(f"bandwidth must be 'scott', 'silverman' or a positive float, got {bandwidth!r}.")
        else:
            try:
                check_float(bandwidth, name="bandwidth", low=0.0, low_open=True)
            except InputTypeError:
                raise InputTypeError(f"bandwidth must be 'scott', 'silverman' or a positive float, got "
                                     f"{_describe(bandwidth)}.") from None
            except ValueError:
                raise ValueError(f"a float bandwidth must be positive and finite, got {bandwidth!r}.") from None
        if not isinstance(response, str) or response not in ("copy", "smooth"):
            raise ValueError(f"response must be 'copy' or 'smooth', got {_describe(response)}.")
        self.bandwidth = bandwidth
        self.response = response

    def fit(self, X, y=None):
        """Fit on real features ``X`` (and optional responses or labels ``y``); returns ``self``."""
        X = as_float_array(X, name="X", ndim=2, min_rows=2)
        if y is not None:
            if self.response == "smooth":
                y = as_float_array(y, name="y", ndim=1)
                if len(y) != len(X):
                    raise ValueError(f"X has {len(X)} rows but y has {len(y)}; pass one response per row.")
            else:  # responses or labels, copied: the shared label check (no NaN or None, one per row)
                y = _check_labels(y, n_rows=len(X))
        self._fit(X, y)
        self.n_features_in_ = X.shape[1]
        self.fitted_ = True
        return self

    def _fit(self, X, y):
        n, p = X.shape
        smooth = self.response == "smooth" and y is not None
        if isinstance(self.bandwidth, str):
            self.factor_ = kde_bandwidth_factor(n, p + 1 if smooth else p, rule=self.bandwidth)
            self.bandwidth_ = self.factor_ * X.std(axis=0, ddof=1)
            self.response_bandwidth_ = float(self.factor_ * y.std(ddof=1)) if smooth else None
        else:
            self.factor_ = None
            self.bandwidth_ = np.full(p, float(self.bandwidth))
            self.response_bandwidth_ = float(self.bandwidth) if smooth else None
        _check_fitted_finite(type(self).__name__, "bandwidth",
                             np.r_[self.bandwidth_, self.response_bandwidth_ or 0.0])
        self.X_ = X
        self.y_ = y

    def sample(self, n, *, random_state=None):
        r"""Draw ``n`` synthetic rows ``(X_syn, y_syn)``; ``y_syn`` is None when ``fit`` had no ``y``.

        Each row picks a real row index uniformly, then adds :math:`N(0,H)` noise to its features (and, with
        ``response="smooth"``, :math:`N(0,\beta_y^2)` noise to its response). The same ``random_state`` gives
        the same rows.
        """
        self._check_fitted()
        n = _check_n(n, owner=type(self).__name__, n_columns=self.X_.shape[1])
        rng = check_random_state(random_state)
        idx = rng.integers(0, len(self.X_), size=n)
        X = self.X_[idx] + rng.standard_normal((n, self.X_.shape[1])) * self.bandwidth_
        if self.y_ is None:
            _check_finite_sample(type(self).__name__, X)
            return X, None
        y = self.y_[idx]
        if self.response_bandwidth_ is not None:
            y = y + self.response_bandwidth_ * rng.standard_normal(n)
        _check_finite_sample(type(self).__name__, X, y)
        return X, y

    def sample_features(self, n, rng):
        return self.sample(n, random_state=rng)[0]

    def sample_responses(self, X, rng):
        raise ValueError("KDEGenerator draws whole rows; use sample(n) rather than responses for given features.")

    def logpdf(self, X):
        r"""Log of the fitted feature density :math:`\log\tilde g(x)` at the rows of ``X``, shape ``(n,)``.

        .. math:: \log\tilde g(x)=\log\frac1n\sum_i\prod_j\frac{1}{\beta_j}\,\phi\Big(\frac{x_j-x_{ij}}{\beta_j}\Big)

        Raises a ValueError when a column has zero bandwidth (a constant column under a rule of thumb): the
        density is then singular.
        """
        self._check_fitted()
        X = as_float_array(X, name="X", ndim=2)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(f"X must have {self.n_features_in_} columns, got {X.shape[1]}.")
        if np.any(self.bandwidth_ <= 0):
            raise ValueError("the density is singular: some column has zero bandwidth (a constant column).")
        const = -np.sum(np.log(self.bandwidth_)) - 0.5 * X.shape[1] * np.log(2 * np.pi) - np.log(len(self.X_))
        chunk = max(1, 2_000_000 // (len(self.X_) * X.shape[1]))
        out = np.empty(len(X))
        for start in range(0, len(X), chunk):
            z = (X[start:start + chunk, None, :] - self.X_[None, :, :]) / self.bandwidth_
            out[start:start + chunk] = logsumexp(-0.5 * np.sum(z ** 2, axis=2), axis=1) + const
        return out
