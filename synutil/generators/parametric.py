r"""A fitted parametric regression generator: least squares on a basis plus Gaussian residual noise.

The generator of the book's Part V. Fitted on a real sample :math:`D_n=\{(x_i,y_i)\}`, it estimates

.. math::
    \hat\theta=\arg\min_\theta\sum_{i=1}^n\big(y_i-\phi(x_i)^\top\theta\big)^2,\qquad
    \hat\sigma^2=\frac{1}{n-q}\sum_{i=1}^n\big(y_i-\phi(x_i)^\top\hat\theta\big)^2,

with :math:`q` the size of the basis :math:`\phi`, and draws synthetic rows

.. math::
    \tilde x\sim\tilde P_X,\qquad \tilde y=\phi(\tilde x)^\top\hat\theta+\hat\sigma\,\varepsilon,\quad
    \varepsilon\sim N(0,1),

so its synthetic regression function is :math:`\tilde\eta=\phi^\top\hat\theta`. The feature law
:math:`\tilde P_X` is either the empirical law of the real features (a bootstrap of the real rows'
features) or a given law :math:`Q` (any object with ``sample(n, random_state=...)``, e.g. the laws of
:mod:`synutil.sim.laws`). :math:`\hat\sigma^2` divides by :math:`n-q`, so it is unbiased for
:math:`\sigma^2` when the basis contains :math:`\eta`; the book's fitted-generator chapter uses that.
"""

from __future__ import annotations

import numpy as np

from .._validation import InputTypeError, as_float_array, check_random_state
from ._base import SyntheticGenerator, _check_fitted_finite, _describe

__all__ = ["ParametricRegressionGenerator"]


class ParametricRegressionGenerator(SyntheticGenerator):
    r"""OLS of :math:`y` on a basis :math:`\phi(x)`, plus Gaussian noise of the estimated residual variance.

    .. math:: \tilde y=\phi(\tilde x)^\top\hat\theta+\hat\sigma\,\varepsilon,\qquad
              \hat\sigma^2=\lVert y-\Phi\hat\theta\rVert^2/(n-q)

    Parameters
    ----------
    basis : callable
        Maps features ``(..., p)`` to basis values ``(..., q)`` (for instance
        :func:`synutil.bounds.polynomial_basis`); the constant function must be in it if the model
        needs an intercept.
    feature_law : ``"empirical"`` or a law, default ``"empirical"``
        ``"empirical"``: synthetic features are drawn with replacement from the real features seen in
        ``fit`` (each real row with probability :math:`1/n`). Otherwise an object with
        ``sample(n, random_state=...)`` returning an array ``(n, p)``: the synthetic feature law
        :math:`Q`, fixed in advance and not fitted.

    Attributes
    ----------
    coef_ : ndarray ``(q,)``
        :math:`\hat\theta`, the least-squares coefficients (as ``numpy.linalg.lstsq``).
    residual_variance_ : float
        :math:`\hat\sigma^2`, residual sum of squares over :math:`n-q`.
    residual_sd_ : float
        :math:`\hat\sigma`.
    n_basis_ : int
        :math:`q`.
    X_ : ndarray ``(n, p)``
        The real features (drawn from when ``feature_law="empirical"``).

    Examples
    --------
    >>> from synutil.bounds import polynomial_basis
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(size=(200, 1)); y = 1 + 2 * X[:, 0] + 0.5 * rng.standard_normal(200)
    >>> gen = ParametricRegressionGenerator(polynomial_basis(1)).fit(X, y)
    >>> bool(np.allclose(gen.coef_, np.linalg.lstsq(np.c_[np.ones(200), X], y, rcond=None)[0]))
    True
    >>> Xs, ys = gen.sample(5, random_state=1)
    >>> Xs.shape, ys.shape, bool(np.isin(Xs, X).all())
    ((5, 1), (5,), True)
    """

    def __init__(self, basis, *, feature_law="empirical"):
        if not callable(basis):
            raise InputTypeError(f"basis must be a callable mapping features (..., p) to (..., q), got {type(basis).__name__}.")
        if isinstance(feature_law, str):
            if feature_law != "empirical":
                raise ValueError(f"feature_law must be 'empirical' or a law with sample(n, random_state=...), got {feature_law!r}.")
        elif not callable(getattr(feature_law, "sample", None)):
            raise InputTypeError(f"feature_law must be 'empirical' or a law with sample(n, random_state=...), got {type(feature_law).__name__}.")
        self.basis = basis
        self.feature_law = feature_law

    def _design(self, X):
        raw = self.basis(np.asarray(X, dtype=float))
        try:
            if np.iscomplexobj(raw):
                raise TypeError
            Phi = np.asarray(raw, dtype=float)
        except (TypeError, ValueError):
            raise InputTypeError(f"basis must return real numbers, got {_describe(raw)}.") from None
        if Phi.ndim != 2 or Phi.shape[0] != len(X):
            raise ValueError(f"basis must map features (n, p) to values (n, q), got shape {Phi.shape} for {len(X)} rows.")
        if not np.all(np.isfinite(Phi)):
            raise ValueError("basis returned NaN or infinite values on these features; make it finite on the "
                             "features' range (or rescale the features).")
        return Phi

    def _fit(self, X, y):
        if y is None:
            raise ValueError("ParametricRegressionGenerator needs responses: call fit(X, y).")
        Phi = self._design(X)
        n, q = Phi.shape
        if n <= q:
            raise ValueError(f"fit needs more rows than basis functions to estimate the noise: n={n}, q={q}.")
        coef, _, rank, _ = np.linalg.lstsq(Phi, y, rcond=None)
        if rank < q:
            raise ValueError(f"the design has rank {rank} < q={q} (basis functions linearly dependent on this sample); "
                             "use more distinct rows or fewer basis functions.")
        resid = y - Phi @ coef
        self.coef_ = coef
        self.n_basis_ = q
        self.residual_variance_ = float(resid @ resid / (n - q))
        self.residual_sd_ = float(np.sqrt(self.residual_variance_))
        _check_fitted_finite(type(self).__name__, "least-squares fit (coefficients, residual variance)",
                             np.r_[self.coef_, self.residual_variance_], fix="rescale y (and X) before fitting")
        self.X_ = X

    def predict_mean(self, X):
        r"""The synthetic regression function :math:`\tilde\eta(x)=\phi(x)^\top\hat\theta`, shape ``(n,)``."""
        self._check_fitted()
        shape = np.shape(X)
        X = as_float_array(X, name="X", ndim=2)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(f"X must have shape (n, {self.n_features_in_}), got {shape}.")
        return self._design(X) @ self.coef_

    def sample_features(self, n, rng):
        if isinstance(self.feature_law, str):
            return self.X_[rng.integers(0, len(self.X_), size=int(n))]
        raw = self.feature_law.sample(int(n), random_state=rng)
        try:
            if np.iscomplexobj(raw):
                raise TypeError
            X = np.asarray(raw, dtype=float)
        except (TypeError, ValueError):
            raise InputTypeError(f"feature_law.sample(n) must return real numbers, got {_describe(raw)}.") from None
        X = X[:, None] if X.ndim == 1 else X
        if X.shape != (int(n), self.n_features_in_):
            raise ValueError(f"feature_law.sample(n) must return shape (n, {self.n_features_in_}), got {X.shape}.")
        if not np.all(np.isfinite(X)):
            raise ValueError("feature_law.sample(n) returned NaN or infinite features; check the law.")
        return X

    def sample_responses(self, X, rng):
        mean = self._design(X) @ self.coef_
        return mean + self.residual_sd_ * check_random_state(rng).standard_normal(len(mean))
