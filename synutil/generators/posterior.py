r"""A Gaussian generator that redraws its parameters from their posterior for every synthetic set.

The fully synthetic combining rule of Raghunathan, Reiter and Rubin (2003)
(:func:`synutil.inference.combine_synthetic_sets` with ``rule="posterior"``) is valid only if each synthetic
set comes from the *posterior predictive* law: first a fresh draw of the parameters from their posterior given
the real data, then the rows. A plug-in generator (:class:`synutil.generators.GaussianGenerator`) samples every
set from the same fitted parameters, and the rule then badly under-covers. This generator does it right for a
multivariate normal model of the rows :math:`z_i\in\mathbb R^d` (the features, with the response appended when
``fit`` is given one). Under the Jeffreys prior :math:`\pi(\mu,\Sigma)\propto|\Sigma|^{-(d+1)/2}` the posterior is

.. math::
    \Sigma\mid D_n\sim\mathcal W^{-1}\big(n-1,\ (n-1)\hat\Sigma\big),\qquad
    \mu\mid\Sigma,D_n\sim N\big(\bar z,\ \Sigma/n\big),

with :math:`\hat\Sigma` the sample covariance (``ddof=1``). For :math:`d=1` this is
:math:`\sigma^2_*=(n-1)s^2/\chi^2_{n-1}` and :math:`\mu_*\sim N(\bar z,\sigma^2_*/n)`. Each call of ``sample``
makes one such draw and then returns rows from :math:`N(\mu_*,\Sigma_*)`.
"""

from __future__ import annotations

import numpy as np

from .._validation import as_float_array, check_random_state
from ._base import (
    SyntheticGenerator,
    _check_finite_sample,
    _check_fitted_finite,
    _check_n,
)

__all__ = ["PosteriorGaussianGenerator"]


class PosteriorGaussianGenerator(SyntheticGenerator):
    r"""Multivariate normal rows with parameters drawn afresh from their posterior at each ``sample`` call.

    .. math:: \Sigma_*\sim\mathcal W^{-1}\big(n-1,(n-1)\hat\Sigma\big),\quad \mu_*\sim N(\bar z,\Sigma_*/n),\quad
              \tilde z_1,\dots,\tilde z_m\overset{iid}\sim N(\mu_*,\Sigma_*)

    Attributes
    ----------
    mean_ : ndarray ``(d,)``
        :math:`\bar z`, the real rows' mean (features, then the response if ``fit`` had one).
    cov_ : ndarray ``(d, d)``
        :math:`\hat\Sigma`, their sample covariance (``ddof=1``).
    n_ : int
        The number of real rows.
    has_response_ : bool
        Whether the last coordinate is a response (returned separately by ``sample``).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(5.0, 2.0, size=(40, 1))
    >>> gen = PosteriorGaussianGenerator().fit(x)
    >>> Xs, ys = gen.sample(3, random_state=1)
    >>> Xs.shape, ys is None
    ((3, 1), True)
    >>> mu, cov = gen.draw_parameters(random_state=2)      # one posterior draw
    >>> mu.shape, cov.shape
    ((1,), (1, 1))
    >>> a, _ = gen.sample(5, random_state=7); b, _ = gen.sample(5, random_state=7)
    >>> bool(np.array_equal(a, b))                          # same seed, same rows
    True
    """

    def fit(self, X, y=None):
        """Fit on real rows ``X`` (and an optional response ``y``, modelled jointly); returns ``self``."""
        X = as_float_array(X, name="X", ndim=2, min_rows=2)
        Z = X
        if y is not None:
            y = as_float_array(y, name="y", ndim=1)
            if len(y) != len(X):
                raise ValueError(f"X has {len(X)} rows but y has {len(y)}; pass one response per row.")
            Z = np.column_stack([X, y])
        n, d = Z.shape
        if n <= d:
            raise ValueError(f"the posterior of a {d}-dimensional normal needs more than {d} real rows, got {n}.")
        cov = np.atleast_2d(np.cov(Z, rowvar=False))
        _check_fitted_finite(type(self).__name__, "covariance of the real rows", np.r_[cov.ravel(), Z.mean(axis=0)])
        try:
            np.linalg.cholesky(cov)
        except np.linalg.LinAlgError:
            raise ValueError("the real rows' covariance is singular (a constant or collinear column); "
                             "drop that column before fitting.") from None
        self.mean_ = Z.mean(axis=0)
        self.cov_ = cov
        self.n_ = n
        self.has_response_ = y is not None
        self.n_features_in_ = X.shape[1]
        # Cholesky factor of the inverse-Wishart scale's inverse, ((n - 1) cov)^-1, for the Bartlett draw
        try:
            self._chol_inv_scale = np.linalg.cholesky(np.linalg.inv((n - 1) * cov))
        except np.linalg.LinAlgError:
            raise ValueError("the real rows' covariance is numerically singular (a constant or collinear column, or "
                             "columns on very different scales); drop that column or standardise the columns "
                             "before fitting.") from None
        _check_fitted_finite(type(self).__name__, "inverse covariance", self._chol_inv_scale)
        self.fitted_ = True
        return self

    def draw_parameters(self, *, random_state=None):
        r"""One posterior draw :math:`(\mu_*,\Sigma_*)`.

        :math:`\Sigma_*=W^{-1}` with :math:`W\sim\mathcal W(n-1,((n-1)\hat\Sigma)^{-1})` drawn by Bartlett's
        decomposition, then :math:`\mu_*\sim N(\bar z,\Sigma_*/n)`.
        """
        self._check_fitted()
        rng = check_random_state(random_state)
        d, df = len(self.mean_), self.n_ - 1
        if d == 1:                                   # sigma^2_* = (n - 1) s^2 / chi^2_{n-1}
            var = (df * self.cov_[0, 0]) / rng.chisquare(df)
            mean = self.mean_ + np.sqrt(var / self.n_) * rng.standard_normal(1)
            return mean, np.array([[var]])
        A = np.zeros((d, d))
        A[np.diag_indices(d)] = np.sqrt(rng.chisquare(df - np.arange(d)))
        A[np.tril_indices(d, -1)] = rng.standard_normal(d * (d - 1) // 2)
        LA = self._chol_inv_scale @ A
        cov = np.linalg.inv(LA @ LA.T)
        cov = (cov + cov.T) / 2.0
        mean = self.mean_ + np.linalg.cholesky(cov / self.n_) @ rng.standard_normal(d)
        return mean, cov

    def sample(self, n, *, random_state=None):
        """Draw fresh posterior parameters, then ``n`` rows ``(X_syn, y_syn)``; ``y_syn`` is None without a response."""
        self._check_fitted()
        n = _check_n(n, owner=type(self).__name__, n_columns=len(self.mean_))
        rng = check_random_state(random_state)
        mean, cov = self.draw_parameters(random_state=rng)
        noise = rng.standard_normal((n, len(mean)))
        Z = mean + (noise * np.sqrt(cov[0, 0]) if len(mean) == 1 else noise @ np.linalg.cholesky(cov).T)
        _check_finite_sample(type(self).__name__, Z)
        if self.has_response_:
            return Z[:, :-1], Z[:, -1]
        return Z, None

    def sample_features(self, n, rng):
        return self.sample(n, random_state=rng)[0]

    def sample_responses(self, X, rng):
        raise ValueError("PosteriorGaussianGenerator draws whole rows; use sample(n) rather than responses for given features.")
