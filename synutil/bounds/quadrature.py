r"""Bases for least squares and quadrature rules for expectations under one-dimensional feature laws.

Used by the closed forms of the exact-bias proposition of the book (:mod:`synutil.bounds.regression`) and by the
batched least-squares Monte Carlo (:mod:`synutil.sim.least_squares`); re-exported by :mod:`synutil.bounds`.
"""

from __future__ import annotations

import numbers

import numpy as np
from scipy import special

from .._validation import InputTypeError, check_int, check_memory

__all__ = ["polynomial_basis", "custom_basis", "quadrature_rule"]


def polynomial_basis(degree: int):
    r"""The basis :math:`\phi(x)=(1,x,\dots,x^{d})` of the first feature, a callable ``(..., p) -> (..., d+1)``.

    >>> polynomial_basis(2)(np.array([[2.0]])).tolist()
    [[1.0, 2.0, 4.0]]
    """
    try:
        degree = check_int(degree, name="degree", low=0)
    except ValueError as error:
        raise type(error)(f"degree must be a non-negative integer, got {degree!r}: {error}") from None
    check_memory(8.0 * (degree + 1), what=f"a polynomial basis of degree {degree}", fix="use a lower degree (a "
                 "monomial basis is ill-conditioned beyond degree ~20 anyway)")
    powers = np.arange(int(degree) + 1)

    def basis(X):
        x = np.asarray(X, dtype=float)[..., 0]
        out = np.empty((len(powers),) + x.shape)
        out[0] = 1.0
        for j in range(1, len(powers)):
            np.multiply(out[j - 1], x, out=out[j])
        return np.moveaxis(out, 0, -1)  # basis index last, each power contiguous (see custom_basis)

    basis.names = [f"x^{j}" for j in powers]
    return basis


def custom_basis(*funcs):
    r"""A basis from functions ``f(X) -> (...)`` of an array ``(..., p)``; numbers are constant functions.

    >>> phi = custom_basis(1.0, lambda X: np.sin(2 * np.pi * X[..., 0]))
    >>> np.round(phi(np.array([[0.25], [0.5]])), 6).tolist()
    [[1.0, 1.0], [1.0, 0.0]]
    """
    if not funcs:
        raise ValueError("give at least one basis function.")
    for i, f in enumerate(funcs):
        if callable(f):
            continue
        if isinstance(f, (bool, np.bool_)) or not isinstance(f, numbers.Real):
            raise InputTypeError(f"basis functions must be callables or numbers, got {type(f).__name__} "
                                 f"(function {i}).")
        if not np.isfinite(float(f)):
            raise ValueError(f"basis functions must be callables or finite numbers, got {f!r} (function {i}).")

    def basis(X):
        X = np.asarray(X, dtype=float)
        out = np.empty((len(funcs),) + X.shape[:-1])
        for j, f in enumerate(funcs):
            out[j] = f(X) if callable(f) else f
        # a view with the basis index last; each function's values stay contiguous, which lets stacked
        # matrix products use BLAS without a copy
        return np.moveaxis(out, 0, -1)

    return basis


def quadrature_rule(law, *, n_nodes: int = 256, support=None):
    r"""Nodes and probability weights with :math:`\mathbb E_{law} g(X)\approx\sum_i w_i g(x_i)`.

    One-dimensional laws only: ``UniformLaw`` (Gauss–Legendre), ``BetaLaw`` (Gauss–Jacobi, exact for
    polynomials of degree below ``2 n_nodes`` whatever the Beta parameters), ``GaussianLaw``
    (Gauss–Hermite), or any object with ``pdf`` when ``support=(low, high)`` is given (Gauss–Legendre
    times the density; accurate for densities smooth on the support). The integrand must be smooth
    on the support for quadrature to be accurate; otherwise use Monte Carlo.

    Returns
    -------
    nodes : ndarray ``(n_nodes, 1)``; weights : ndarray ``(n_nodes,)`` summing to 1.

    Examples
    --------
    >>> from synutil.sim.laws import BetaLaw
    >>> x, w = quadrature_rule(BetaLaw(2, 5))
    >>> round(float(w @ x[:, 0]), 12)  # mean 2/7
    0.285714285714
    """
    n_nodes = check_int(n_nodes, name="n_nodes", low=2)
    try:
        key = (type(law).__name__, repr(law), n_nodes, None if support is None else tuple(map(float, support)))
    except (TypeError, ValueError):
        key = None
    if key is not None and key in _RULES:
        x, w = _RULES[key]
        return x.copy(), w.copy()
    x, w = _quadrature_rule(law, n_nodes, support)
    if key is not None and len(_RULES) < 256:
        _RULES[key] = (x, w)
    return x.copy(), w.copy()


_RULES: dict = {}


def _quadrature_rule(law, n_nodes, support):
    n = check_int(n_nodes, name="n_nodes", low=2)
    check_memory(64.0 * n, what=f"a quadrature rule with n_nodes={n}", fix="use fewer nodes (256 integrate "
                 "smooth functions to machine precision) or method='monte_carlo'")
    if getattr(law, "dim", 1) != 1:
        raise ValueError("quadrature needs a one-dimensional feature law; use method='monte_carlo' in higher dimension.")
    name = type(law).__name__
    if support is not None:
        try:
            lo, hi = (float(s) for s in support)
        except (TypeError, ValueError):
            raise ValueError(f"support must be a finite interval (low, high), got {support!r}.") from None
        if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi) or not hasattr(law, "pdf"):
            raise ValueError("support must be a finite interval (low, high) and the law must have a pdf.")
        t, w = special.roots_legendre(n)
        x = lo + (hi - lo) * (t + 1) / 2
        dens = np.asarray(law.pdf(x[:, None]), dtype=float).reshape(-1)
        if dens.shape != x.shape or not np.all(np.isfinite(dens)) or np.any(dens < 0):
            raise ValueError("law.pdf must return one finite, non-negative density value per node on the support.")
        w = w * (hi - lo) / 2 * dens
        mass = w.sum()
        if not abs(mass - 1) < 1e-3:
            raise ValueError(f"the pdf integrates to {mass:.4g} on support {support}, not 1; widen the support.")
        return x[:, None], w / mass
    if name == "UniformLaw":
        t, w = special.roots_legendre(n)
        x = law.low + (law.high - law.low) * (t + 1) / 2
    elif name == "BetaLaw":
        t, w = special.roots_jacobi(n, law.b - 1.0, law.a - 1.0)  # weight (1-t)^(b-1) (1+t)^(a-1)
        x = law.low + (law.high - law.low) * (t + 1) / 2
    elif name == "GaussianLaw":
        t, w = special.roots_hermitenorm(n)
        x = float(np.ravel(law.mean)[0]) + np.sqrt(float(np.ravel(law.cov)[0])) * t
    else:
        raise ValueError(
            f"no quadrature rule for {name}; pass support=(low, high) for a law with a pdf, "
            "or use method='monte_carlo'."
        )
    return np.asarray(x, dtype=float)[:, None], w / w.sum()
