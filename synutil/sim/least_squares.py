r"""Batched least squares on a basis, for Monte Carlo over replications.

One Monte Carlo experiment of the book fits the same least-squares model to ``R`` independent samples.
:func:`fit_least_squares` solves all ``R`` problems in one call (stacked normal equations with a
stacked QR fallback for ill-conditioned designs), and :func:`least_squares_risks` scores every fit by its
exact real risk :math:`R(f)=\|f-\eta\|^2_{L^2(P_X)}+\sigma^2`, computed by quadrature under the real
feature law (or on a fixed real test sample). :func:`simulate_least_squares_risks` runs a whole
replication batch: real samples from a :class:`~synutil.sim.laws.RegressionModel`, synthetic samples
from a generator of :mod:`synutil.generators`, and the risks of both fits.

``method="sklearn"`` loops ``sklearn.linear_model.LinearRegression`` fits instead: it is the reference
implementation the tests and the benchmark compare against.
"""

from __future__ import annotations

import numpy as np

from ..bounds.quadrature import quadrature_rule
from .._validation import (
    InputTypeError,
    as_numbers,
    check_choice,
    check_finite_result,
    check_float,
    check_int,
    check_memory,
    check_random_state,
)

__all__ = ["fit_least_squares", "least_squares_risks", "simulate_least_squares_risks"]

_COND_NORMAL = 1e7  # above this condition number of the scaled Gram matrix, use QR


def _numbers(values, name: str) -> np.ndarray:
    """Numbers of any shape; NaN and infinity are reported by the caller, strings and complex values here."""
    try:
        return as_numbers(values, name=name, allow_inf=True)
    except InputTypeError:
        raise
    except ValueError:
        return np.asarray(values, dtype=float)


def _basis_values(basis, X, what: str) -> np.ndarray:
    if not callable(basis):
        raise InputTypeError(f"basis must be a callable (..., p) -> (..., k), got {type(basis).__name__}.")
    Phi = np.asarray(basis(X))
    if Phi.dtype.kind not in "biuf":
        raise InputTypeError(f"basis must return real numbers, got dtype {Phi.dtype}.")
    Phi = Phi.astype(float)
    if not np.all(np.isfinite(Phi)):
        raise ValueError(f"basis returned NaN or infinite values on {what}; use basis functions that are finite "
                         "there (or rescale the features).")
    return Phi


def _design(basis, X):
    X = _numbers(X, "X_train")
    if X.ndim == 2:
        X = X[..., None]
    if X.ndim != 3:
        raise ValueError(f"X_train must have shape (R, n, p) (or (R, n) for one feature), got {X.shape}.")
    if not np.all(np.isfinite(X)):
        raise ValueError("X_train contains NaN or infinite values; drop or impute them before fitting.")
    Phi = _basis_values(basis, X, "X_train")
    if Phi.ndim != 3 or Phi.shape[:2] != X.shape[:2]:
        raise ValueError(f"basis must map (R, n, p) features to (R, n, k) values, got shape {Phi.shape}.")
    return Phi


def fit_least_squares(basis, X_train, y_train, *, method="batched", ridge=0.0, rcond=1e-10):
    r"""Least-squares coefficients of ``R`` problems at once.

    .. math:: \hat\theta_r=\arg\min_\theta \sum_{i=1}^n(y_{ri}-\phi(x_{ri})^\top\theta)^2+\lambda\|\theta\|^2

    Parameters
    ----------
    basis : callable ``(..., p) -> (..., k)``.
    X_train : array ``(R, n, p)``; y_train : array ``(R, n)``.
    method : ``"batched"`` (the default) or ``"sklearn"`` (a loop of ``LinearRegression`` fits without
        intercept; the basis holds the constant).
        ``"batched"`` solves the normal equations :math:`(\Phi^\top\Phi+\lambda I)\theta=\Phi^\top y` of all
        replications with one stacked ``numpy.linalg.solve`` after scaling the Gram matrix to unit
        diagonal. Squaring the design squares its condition number, so every replication whose scaled
        Gram matrix has condition number above ``1e7`` is re-solved by a stacked QR factorisation of
        the design itself (``numpy.linalg.qr`` on ``(R', n, k)``), which is as accurate as ``lstsq``.
    ridge : float >= 0
        :math:`\lambda`. With ``0`` a rank-deficient design (on the QR path, a diagonal entry of the
        triangular factor below ``rcond`` times the largest) raises a ``ValueError``; a tiny ridge such
        as ``1e-10`` makes every problem solvable at the price of a bias of order :math:`\lambda`.

    Returns
    -------
    ndarray ``(R, k)``.

    Examples
    --------
    >>> from synutil.sim.laws import UniformLaw
    >>> X = UniformLaw().sample(50, replications=3, random_state=0)
    >>> y = 1 + 2 * X[..., 0]
    >>> np.round(fit_least_squares(lambda X: np.concatenate([X**0, X], -1), X, y), 8).tolist()
    [[1.0, 2.0], [1.0, 2.0], [1.0, 2.0]]
    """
    check_choice(method, name="method", choices=("batched", "sklearn"))
    try:
        ridge = check_float(ridge, name="ridge", low=0.0)
    except ValueError as error:
        raise type(error)(f"ridge must be a finite number >= 0, got {ridge!r}.") from None
    rcond = check_float(rcond, name="rcond", low=0.0, high=1.0, high_open=True)
    Phi = _design(basis, X_train)
    y = _numbers(y_train, "y_train")
    if y.shape != Phi.shape[:2]:
        raise ValueError(f"y_train must have shape (R, n) = {Phi.shape[:2]}, got {y.shape}.")
    if not np.all(np.isfinite(y)):
        raise ValueError("y_train contains NaN or infinite values; drop or impute them before fitting.")
    R, n, k = Phi.shape
    if method == "sklearn":
        from sklearn.linear_model import LinearRegression, Ridge

        model = Ridge(alpha=ridge, fit_intercept=False, solver="svd") if ridge > 0 else LinearRegression(fit_intercept=False)
        return _finite_theta(np.stack([model.fit(Phi[r], y[r]).coef_.copy() for r in range(R)]))
    if ridge == 0 and n < k:
        raise ValueError(f"n={n} rows cannot determine k={k} coefficients; use more rows, fewer basis functions or ridge>0.")
    # normal equations, Jacobi-scaled: G = D^-1/2 Phi'Phi D^-1/2 has unit diagonal
    PhiT = np.swapaxes(Phi, 1, 2)
    with np.errstate(over="ignore", invalid="ignore"):
        G = PhiT @ Phi
        c = (PhiT @ y[..., None])[..., 0]
    if not (np.all(np.isfinite(G)) and np.all(np.isfinite(c))):
        raise ValueError("the normal equations overflow: the design or the responses exceed the float64 range when "
                         "squared; rescale the features, the basis or y_train.")
    if ridge > 0:
        G = G + ridge * np.eye(k)
    d = np.sqrt(np.maximum(np.diagonal(G, axis1=1, axis2=2), np.finfo(float).tiny))
    Gs = G / d[:, :, None] / d[:, None, :]
    theta = np.empty((R, k))
    with np.errstate(all="ignore"):
        cond = np.linalg.cond(Gs)
    good = np.isfinite(cond) & (cond < _COND_NORMAL)
    if good.any():
        theta[good] = np.linalg.solve(Gs[good], (c[good] / d[good])[..., None])[..., 0] / d[good]
    if not good.all():  # ill-conditioned replications: stacked QR on the design itself
        theta[~good] = _qr_solve(Phi[~good], y[~good], ridge, rcond, np.flatnonzero(~good))
    return _finite_theta(theta)


def _finite_theta(theta):
    return check_finite_result(theta, what="the least-squares coefficients", fix="rescale the features, the basis "
                               "or the responses")


def _qr_solve(Phi, y, ridge, rcond, index):
    R, n, k = Phi.shape
    if ridge > 0:
        Phi = np.concatenate([Phi, np.broadcast_to(np.sqrt(ridge) * np.eye(k), (R, k, k))], axis=1)
        y = np.concatenate([y, np.zeros((R, k))], axis=1)
    Q, Rf = np.linalg.qr(Phi)
    diag = np.abs(np.diagonal(Rf, axis1=1, axis2=2))
    deficient = np.any(diag <= rcond * diag.max(axis=1, keepdims=True), axis=1)
    if deficient.any():
        bad = int(index[np.flatnonzero(deficient)[0]])
        raise ValueError(
            f"the design of replication {bad} is rank deficient (basis functions linearly dependent on its "
            "sample); use more rows, fewer basis functions, or pass a tiny ridge, e.g. ridge=1e-10."
        )
    rhs = np.einsum("rnk,rn->rk", Q, y)
    return np.linalg.solve(Rf, rhs[..., None])[..., 0]


def least_squares_risks(basis, theta, *, eta, noise_sd, real_law=None, X_test=None, n_nodes=256):
    r"""Exact real risk of each fitted model :math:`f_r=\phi^\top\hat\theta_r`.

    .. math:: R(f_r)=\|\phi^\top\hat\theta_r-\eta\|^2_{L^2(P_X)}+\sigma^2

    The norm is computed by quadrature under ``real_law`` (1-D, see
    :func:`synutil.bounds.quadrature_rule`) or, when ``X_test`` is given instead, as the average over that
    fixed real test sample.

    Examples
    --------
    >>> from synutil.sim.laws import UniformLaw
    >>> phi = lambda X: np.concatenate([X**0, X], -1)
    >>> risks = least_squares_risks(phi, np.array([[0.0, 1.0], [0.0, 0.0]]), eta=lambda X: X[..., 0],
    ...                             noise_sd=0.5, real_law=UniformLaw())
    >>> np.round(risks, 12).tolist()  # sigma^2, then sigma^2 + E X^2
    [0.25, 0.583333333333]
    """
    theta = np.atleast_2d(_numbers(theta, "theta"))
    if theta.ndim != 2 or not np.all(np.isfinite(theta)):
        raise ValueError(f"theta must be a finite array of shape (R, k) (or (k,)), got shape {theta.shape}.")
    noise_sd = check_float(noise_sd, name="noise_sd", low=0.0)
    if not callable(eta):
        raise InputTypeError(f"eta must be a callable of an (N, p) feature array, got {type(eta).__name__}.")
    if (real_law is None) == (X_test is None):
        raise ValueError("give exactly one of real_law (quadrature) and X_test (a fixed real test sample).")
    if real_law is not None:
        nodes, w = quadrature_rule(real_law, n_nodes=n_nodes)
    else:
        nodes = _numbers(X_test, "X_test")
        nodes = nodes[:, None] if nodes.ndim == 1 else nodes
        if nodes.ndim != 2 or not np.all(np.isfinite(nodes)):
            raise ValueError("X_test must be a finite array of shape (N, p).")
        w = np.full(len(nodes), 1.0 / len(nodes))
    Phi = _basis_values(basis, nodes, "the real features")
    if Phi.shape[-1] != theta.shape[-1]:
        raise ValueError(f"theta has {theta.shape[-1]} coefficients but the basis has {Phi.shape[-1]} functions.")
    target = np.asarray(eta(nodes))
    if target.dtype.kind not in "biuf" or target.size != len(nodes):
        raise ValueError(f"eta must return one real number per row ({len(nodes)}), got dtype {target.dtype} and shape "
                         f"{target.shape}.")
    target = target.astype(float).reshape(-1)
    if not np.all(np.isfinite(target)):
        raise ValueError("eta returned NaN or infinite values on the real features; it must be finite there.")
    with np.errstate(over="ignore", invalid="ignore"):
        resid = theta @ Phi.T - target
        check_finite_result(resid**2 @ w, what="the real risk of a fit", fix="rescale the responses (the squared "
                            "errors exceed the float64 range)")
    return resid**2 @ w + float(noise_sd) ** 2


def simulate_least_squares_risks(basis, *, model, generator, n, m, n_replications, random_state=None,
                                 method="batched", ridge=0.0, n_nodes=256):
    r"""One Monte Carlo batch: ``R`` real fits and ``R`` synthetic fits, scored on the real distribution.

    Real samples :math:`D_n` come from ``model`` (a :class:`~synutil.sim.laws.RegressionModel`), synthetic
    samples :math:`\tilde D_m` from ``generator`` (anything with ``sample(N, random_state=)``, e.g. a
    knob of :mod:`synutil.generators`; its ``R*m`` rows are split into ``R`` samples). Both fits are
    scored by :func:`least_squares_risks` under ``model.feature_law``.

    Returns
    -------
    dict with arrays ``risk_real`` and ``risk_syn`` of length ``R`` (TRTR and TSTR per replication).

    Examples
    --------
    >>> from synutil.sim.laws import sine_regression, BetaLaw
    >>> from synutil.generators import ModelGenerator, FeatureLaw
    >>> from synutil.bounds import polynomial_basis
    >>> model = sine_regression(noise_sd=0.5)
    >>> gen = FeatureLaw(ModelGenerator(model), law=BetaLaw(2, 5))
    >>> out = simulate_least_squares_risks(polynomial_basis(1), model=model, generator=gen, n=100, m=100,
    ...                                    n_replications=200, random_state=0)
    >>> bool(out["risk_syn"].mean() > out["risk_real"].mean())
    True
    """
    rng = check_random_state(random_state)
    sizes = {}
    for name, value in (("n", n), ("m", m), ("n_replications", n_replications)):
        try:
            sizes[name] = check_int(value, name=name, low=1)
        except ValueError as error:
            raise type(error)(f"n, m and n_replications must be positive integers; {error}") from None
    n, m, R = sizes["n"], sizes["m"], sizes["n_replications"]
    if not (hasattr(model, "sample") and hasattr(model, "eta") and hasattr(model, "feature_law")):
        raise InputTypeError(f"model must be a synutil.sim.laws.RegressionModel, got {type(model).__name__}.")
    if not hasattr(generator, "sample"):
        raise InputTypeError(f"generator must have sample(N, random_state=), got {type(generator).__name__}.")
    check_memory(8.0 * R * (n + m) * 4, what=f"{R} replications of n={n} real and m={m} synthetic rows",
                 fix="lower n_replications and run several batches")
    X_real, y_real = model.sample(n, replications=R, random_state=rng)
    X_syn, y_syn = generator.sample(R * m, random_state=rng)
    X_syn, y_syn = np.asarray(X_syn, dtype=float), np.asarray(y_syn, dtype=float)
    if len(X_syn) != R * m or y_syn.size != R * m:
        raise ValueError(f"generator.sample({R * m}) returned {len(X_syn)} feature rows and {y_syn.size} responses; "
                         f"it must return exactly {R * m} of each.")
    X_syn = X_syn.reshape(R, m, -1)
    y_syn = y_syn.reshape(R, m)
    out = {}
    for key, X, y in (("risk_real", X_real, y_real), ("risk_syn", X_syn, y_syn)):
        theta = fit_least_squares(basis, X, y, method=method, ridge=ridge)
        out[key] = least_squares_risks(basis, theta, eta=model.eta, noise_sd=model.noise_sd,
                                       real_law=model.feature_law, n_nodes=n_nodes)
    return out
