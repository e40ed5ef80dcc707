r"""Closed forms of the book's regression results: the three-term decomposition and the exact least-squares bias.

The book numbers its results itself; they are named here by title and by their label in the book.

* The three-term decomposition theorem (``thm-decomposition-three-terms``, squared loss): the population bias
  :math:`B=R(\tilde f_{\mathcal F})-R(f_{\mathcal F})` obeys
  :math:`0\le B\le(\sqrt\kappa\,a_{\mathcal F}(\tilde P_X,\tilde\eta)+\|\tilde\eta-\eta\|_{L^2(P_X)})^2-a_{\mathcal F}(P_X,\eta)^2`.
  read as :math:`+\infty` when :math:`\kappa=\infty`. See :func:`decomposition_bound` (alias
  :func:`theorem1_bound`) and :func:`coverage_constant`.
* The exact-bias proposition (``prop-decomposition-exact-bias``, least squares on a basis): :math:`B=(\theta_Q-\theta_P)^\top\Sigma_P(\theta_Q-\theta_P)`,
  with the split of :math:`\theta_Q-\theta_P` into a response-error part and a misspecification part,
  and the first-order finite-sample terms. See :func:`least_squares_population_bias` and
  :func:`least_squares_first_order`.

Expectations under a feature law are computed either by Gaussian quadrature in one dimension
(Gauss–Legendre for uniform laws and for any law with a ``pdf`` on a bounded ``support``,
Gauss–Jacobi for Beta laws, which integrates their endpoint singularities exactly, Gauss–Hermite for
Gaussian laws) or by Monte Carlo from a large sample. See :func:`quadrature_rule`.

These functions are re-exported by :mod:`synutil.bounds`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from .quadrature import custom_basis, polynomial_basis, quadrature_rule
from .._validation import (
    InputTypeError,
    as_float_array,
    as_numbers,
    check_choice,
    check_float,
    check_int,
    check_memory,
    check_random_state,
)

__all__ = [
    "decomposition_bound",
    "theorem1_bound",
    "coverage_constant",
    "polynomial_basis",
    "custom_basis",
    "quadrature_rule",
    "LeastSquaresBias",
    "least_squares_population_bias",
    "FirstOrderTerms",
    "least_squares_first_order",
]


def decomposition_bound(*, kappa, approx_error_syn, response_error, approx_error_real):
    r"""Upper bound of the three-term decomposition theorem of the book on the population bias :math:`B`.

    .. math:: B\le\big(\sqrt{\kappa}\,a_{\mathcal F}(\tilde P_X,\tilde\eta)+\|\tilde\eta-\eta\|_{L^2(P_X)}\big)^2
              -a_{\mathcal F}(P_X,\eta)^2

    The bound is :math:`+\infty` when :math:`\kappa=\infty` (the synthetic feature law misses part of the
    real support), whatever the other arguments: the change of measure behind it is then unavailable.
    ``theorem1_bound`` is the same function under its former name.

    Parameters
    ----------
    kappa : float or array, the coverage constant :math:`\sup dP_X/d\tilde P_X\ge1` (``inf`` allowed).
    approx_error_syn : :math:`a_{\mathcal F}(\tilde P_X,\tilde\eta)\ge0`.
    response_error : :math:`\|\tilde\eta-\eta\|_{L^2(P_X)}\ge0`.
    approx_error_real : :math:`a_{\mathcal F}(P_X,\eta)\ge0`.

    Returns
    -------
    float or ndarray (broadcast). ``inf`` wherever ``kappa`` is infinite.

    Examples
    --------
    >>> decomposition_bound(kappa=4.0, approx_error_syn=0.1, response_error=0.3, approx_error_real=0.2)
    0.21
    >>> decomposition_bound(kappa=float("inf"), approx_error_syn=0.0, response_error=0.1, approx_error_real=0.0)
    inf
    """
    k = as_numbers(kappa, name="kappa", low=1.0, allow_inf=True)
    a_syn, d, a_real = (as_numbers(v, name=name, low=0.0) for name, v in (
        ("approx_error_syn", approx_error_syn), ("response_error", response_error),
        ("approx_error_real", approx_error_real)))
    try:
        np.broadcast_shapes(k.shape, a_syn.shape, d.shape, a_real.shape)
    except ValueError:
        raise ValueError("kappa, approx_error_syn, response_error and approx_error_real must be numbers or arrays "
                         f"that broadcast together; got shapes {k.shape}, {a_syn.shape}, {d.shape}, {a_real.shape}.") \
            from None
    finite = np.isfinite(k)
    root = np.sqrt(np.where(finite, k, 1.0))
    # Under the theorem's hypotheses a_F(P_X, eta) <= sqrt(kappa) a_F(Q, eta~) + ||eta~ - eta||_{L2(P_X)} (take the
    # synthetic best fit as a candidate for the real problem), so the bound is >= 0. Inputs that break this
    # inequality cannot come from laws satisfying the hypotheses: refuse them instead of returning a negative
    # bound on a non-negative bias. Rounding below 0 is clipped.
    reach = root * a_syn + d
    broken = finite & (a_real > reach + 1e-9 * np.maximum(1.0, np.maximum(reach, a_real)))
    if np.any(broken):
        b_broken, b_real, b_reach = np.broadcast_arrays(broken, a_real, reach)
        first = tuple(np.argwhere(b_broken)[0])
        raise ValueError(
            f"approx_error_real={float(b_real[first]):.6g} exceeds sqrt(kappa)*approx_error_syn + response_error = "
            f"{float(b_reach[first]):.6g}: impossible under the theorem's hypotheses (a_F(P_X, eta) <= sqrt(kappa) "
            "a_F(Q, eta~) + ||eta~ - eta||_{L2(P_X)}), and the bound would be negative. Check that approx_error_real "
            "is measured under P_X, approx_error_syn under the synthetic law Q, response_error in L2(P_X), and that "
            "kappa = sup dP_X/dQ is not underestimated (use a finer grid in coverage_constant)."
        )
    with np.errstate(over="ignore", invalid="ignore"):
        out = np.where(finite, (root * a_syn + d) ** 2 - a_real**2, np.inf)
    if np.any(finite & ~np.isfinite(out)):
        raise ValueError("the bound overflows float64 (the errors are too large to square); rescale the response "
                         "(the three errors scale with it, the bound with its square).")
    out = np.maximum(out, 0.0)  # rounding only: the inequality above makes the bound >= 0
    return float(out) if out.ndim == 0 else out


theorem1_bound = decomposition_bound


def coverage_constant(p_density, q_density, points, *, atol: float = 0.0):
    r"""Coverage constant :math:`\kappa=\sup_x \frac{dP}{dQ}(x)` evaluated on ``points``.

    .. math:: \kappa=\sup_{x:\,p(x)>0} p(x)/q(x)

    ``inf`` when :math:`q(x)\le` ``atol`` at a point where :math:`p(x)>0` (:math:`Q` misses part of the
    support of :math:`P`). The supremum is taken over the given points only: use a fine grid that
    contains the endpoints of the support.

    Parameters
    ----------
    p_density, q_density : callables ``(N, p) -> (N,)`` (e.g. ``law.pdf``) or arrays of density values.
    points : array ``(N,)`` or ``(N, p)``.

    Examples
    --------
    >>> from synutil.sim.laws import UniformLaw, BetaLaw
    >>> grid = np.linspace(0, 1, 101)[:, None]
    >>> round(coverage_constant(UniformLaw().pdf, BetaLaw(0.5, 1).pdf, grid), 6)
    2.0
    >>> coverage_constant(UniformLaw().pdf, BetaLaw(2, 5).pdf, grid)
    inf
    """
    pts = as_float_array(points, name="points")
    if pts.ndim == 1:
        pts = pts[:, None]
    if pts.ndim != 2:
        raise ValueError(f"points must be a non-empty finite array of shape (N,) or (N, p), got shape {pts.shape}.")
    atol = check_float(atol, name="atol", low=0.0)
    p = _density_values(p_density, pts, "p_density")
    q = _density_values(q_density, pts, "q_density")
    if p.shape != (len(pts),) or q.shape != (len(pts),):
        raise ValueError("p_density and q_density must give one density value per point.")
    for name, dens in (("p_density", p), ("q_density", q)):
        if np.any(dens < 0) or np.any(np.isnan(dens)):
            raise ValueError(f"densities must be non-negative numbers: {name} gives negative or NaN values.")
    on = p > 0
    if not on.any():
        raise ValueError("p_density is zero at every point; give points inside the support of P.")
    if np.any(q[on] <= atol):
        return float("inf")
    with np.errstate(over="ignore"):
        kappa = float(np.max(p[on] / q[on]))
    if not np.isfinite(kappa):
        return float("inf")
    if kappa >= 1.0 - 1e-9:
        return float(np.max(p[on] / q[on]))
    raise ValueError(
        f"the largest density ratio p/q on the points is {kappa:.6g} < 1, impossible for two probability "
        "densities (kappa = sup dP/dQ >= 1 since both integrate to 1): the points miss where p >= q, or a "
        "density is not normalised. Use a fine grid over the whole support of P, endpoints included."
    )


def _density_values(density, pts, name):
    if callable(density):
        density = density(pts)
    try:
        return as_numbers(density, name=name, allow_inf=True).reshape(-1)
    except InputTypeError:
        raise
    except ValueError:  # NaN: reported by the caller
        return np.full(len(pts), np.nan)


def _rule(law, method, n_nodes, n_samples, rng, support):
    if method == "quadrature":
        return quadrature_rule(law, n_nodes=n_nodes, support=support)
    X = np.asarray(law.sample(n_samples, random_state=rng), dtype=float).reshape(n_samples, -1)
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{type(law).__name__}.sample returned NaN or infinite features; check the law's parameters.")
    return X, np.full(len(X), 1.0 / len(X))


def _values(func, X, name):
    out = np.asarray(func(X))
    if out.dtype.kind not in "biuf":
        raise InputTypeError(f"{name} must return real numbers, got dtype {out.dtype}.")
    if out.size != len(X):
        raise ValueError(f"{name} must map (N, p) features to N values, got shape {out.shape} for N={len(X)}.")
    out = out.astype(float).reshape(len(X))
    if not np.all(np.isfinite(out)):
        raise ValueError(f"{name} returned NaN or infinite values on the support of the feature law; it must be "
                         "finite there (check its formula and the law's support).")
    return out


def _eval(basis, eta, X):
    Phi = np.asarray(basis(X))
    if Phi.dtype.kind not in "biuf":
        raise InputTypeError(f"basis must return real numbers, got dtype {Phi.dtype}.")
    Phi = Phi.astype(float)
    if Phi.ndim != 2 or Phi.shape[0] != len(X):
        raise ValueError(f"basis must map (N, p) features to (N, q) values, got shape {Phi.shape}.")
    if not np.all(np.isfinite(Phi)):
        raise ValueError("basis returned NaN or infinite values on the support of the feature law; use basis "
                         "functions that are finite there (or rescale the features).")
    return Phi, _values(eta, X, "eta")


def _solve(S, v, which):
    if np.linalg.cond(S) > 1e12:
        raise ValueError(
            f"Sigma_{which} = E[phi phi^T] is singular or nearly so: the basis functions are linearly "
            f"dependent on the support of the {which} law. Remove redundant basis functions."
        )
    return np.linalg.solve(S, v)


@dataclass(frozen=True)
class _Result:
    def to_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True, repr=False)
class LeastSquaresBias(_Result):
    r"""Population quantities of the exact-bias proposition of the book (see :func:`least_squares_population_bias`)."""

    B: float
    theta_P: np.ndarray
    theta_Q: np.ndarray
    Sigma_P: np.ndarray
    Sigma_Q: np.ndarray
    b: np.ndarray
    response_part: np.ndarray
    misspecification_part: np.ndarray
    vd_bound: float
    approx_error_real: float
    approx_error_syn: float
    response_error: float
    kappa: float

    def decomposition_bound(self) -> float:
        """The bound of the three-term decomposition theorem for these laws (needs ``kappa``)."""
        if np.isnan(self.kappa):
            raise ValueError("kappa is unknown for these laws (method='monte_carlo', or a law without a pdf): "
                             "compute it with coverage_constant and call decomposition_bound(kappa=..., ...).")
        return decomposition_bound(kappa=self.kappa, approx_error_syn=self.approx_error_syn,
                                   response_error=self.response_error, approx_error_real=self.approx_error_real)

    def theorem1_bound(self) -> float:
        """Former name of :meth:`decomposition_bound`."""
        return self.decomposition_bound()

    def __repr__(self) -> str:
        return (f"LeastSquaresBias(B={self.B:.4g}, vd_bound={self.vd_bound:.4g}, kappa={self.kappa:.4g}, "
                f"a_real={self.approx_error_real:.4g}, a_syn={self.approx_error_syn:.4g}, "
                f"response_error={self.response_error:.4g}, q={len(self.theta_P)})")


def _population(basis, eta, eta_syn, real_law, syn_law, method, n_nodes, n_samples, random_state, support):
    rng = check_random_state(random_state)
    method = check_choice(method, name="method", choices=("quadrature", "monte_carlo"))
    eta_syn = eta if eta_syn is None else eta_syn
    if not (callable(basis) and callable(eta) and callable(eta_syn)):
        raise InputTypeError("basis, eta and eta_syn must be callables of an (N, p) feature array.")
    for name, law in (("real_law", real_law), ("syn_law", syn_law)):
        if not hasattr(law, "sample"):
            raise InputTypeError(f"{name} must be a feature law with sample(n, random_state=) (e.g. synutil.sim.laws."
                                 f"UniformLaw()), got {type(law).__name__}.")
    if method == "monte_carlo":
        n_samples = check_int(n_samples, name="n_samples", low=2)
        dim = int(getattr(real_law, "dim", 1) or 1)
        check_memory(8.0 * n_samples * (dim + 16), what=f"n_samples={n_samples} Monte Carlo draws",
                     fix="lower n_samples")
    if support is not None:
        try:
            sup_p, sup_q = support
        except (TypeError, ValueError):
            raise ValueError("support must be a pair of (low, high) intervals, one for real_law and one for "
                             f"syn_law, got {support!r}.") from None
    else:
        sup_p, sup_q = None, None
    XP, wP = _rule(real_law, method, n_nodes, n_samples, rng, sup_p)
    XQ, wQ = _rule(syn_law, method, n_nodes, n_samples, rng, sup_q)
    PhiP, etaP = _eval(basis, eta, XP)
    PhiQ, etaQ = _eval(basis, eta, XQ)
    etasP = _values(eta_syn, XP, "eta_syn")
    etasQ = _values(eta_syn, XQ, "eta_syn")
    SP = PhiP.T @ (wP[:, None] * PhiP)
    SQ = PhiQ.T @ (wQ[:, None] * PhiQ)
    thP = _solve(SP, PhiP.T @ (wP * etaP), "P")
    thQ = _solve(SQ, PhiQ.T @ (wQ * etasQ), "Q")
    return dict(XP=XP, wP=wP, XQ=XQ, wQ=wQ, PhiP=PhiP, PhiQ=PhiQ, etaP=etaP, etaQ=etaQ, etasP=etasP,
                etasQ=etasQ, SP=SP, SQ=SQ, thP=thP, thQ=thQ)


def _bias(SP, diff):
    r""":math:`B=(\theta_Q-\theta_P)^\top\Sigma_P(\theta_Q-\theta_P)`, clipped at 0 against rounding."""
    return float(max(diff @ SP @ diff, 0.0))


def _kappa(real_law, syn_law, XP):
    if not (hasattr(real_law, "pdf") and hasattr(syn_law, "pdf")):
        return float("nan")
    lo, hi = float(XP.min()), float(XP.max())
    if hasattr(real_law, "low") and hasattr(real_law, "high"):
        lo, hi = float(real_law.low), float(real_law.high)
    grid = np.linspace(lo, hi, 2001)[:, None]
    return max(1.0, coverage_constant(real_law.pdf, syn_law.pdf, grid))


def least_squares_population_bias(basis, *, eta, eta_syn=None, real_law, syn_law, method="quadrature",
                                  n_nodes=256, n_samples=1_000_000, support=None, random_state=None):
    r"""Exact population bias of least squares trained on synthetic data (the exact-bias proposition of the book).

    .. math:: B=(\theta_Q-\theta_P)^\top\Sigma_P(\theta_Q-\theta_P),\quad
              \theta_Q-\theta_P=\underbrace{\Sigma_Q^{-1}\mathbb E_Q[\phi(\tilde\eta-\eta)]}_{\text{response part}}
              +\underbrace{\Sigma_Q^{-1}\mathbb E_Q[\phi r]}_{\text{misspecification part}}

    with :math:`r=\eta-\phi^\top\theta_P`, :math:`\Sigma_Q=\mathbb E_Q\phi\phi^\top`,
    :math:`\theta_Q=\Sigma_Q^{-1}\mathbb E_Q[\phi\tilde\eta]`.

    Parameters
    ----------
    basis : callable ``(N, p) -> (N, q)`` (see :func:`polynomial_basis`, :func:`custom_basis`).
    eta, eta_syn : callables ``(N, p) -> (N,)``; the real and synthetic regression functions
        (``eta_syn=None`` means :math:`\tilde\eta=\eta`).
    real_law, syn_law : feature laws :math:`P_X` and :math:`Q=\tilde P_X` (``synutil.sim.laws`` laws).
    method : ``"quadrature"`` (1-D, see :func:`quadrature_rule`) or ``"monte_carlo"`` (``n_samples`` draws).
    support : optional pair of ``(low, high)`` intervals for laws that only have a ``pdf``.

    Returns
    -------
    LeastSquaresBias
        ``B``, ``theta_P``, ``theta_Q``, ``Sigma_P``, ``Sigma_Q``, ``b`` :math:`=\mathbb E_Q[\phi r]-\mathbb E_P[\phi r]`,
        the two parts of :math:`\theta_Q-\theta_P`, ``vd_bound`` :math:`=\lambda_{\max}(\Sigma_Q^{-1}\Sigma_P\Sigma_Q^{-1})
        \|b+\mathbb E_Q[\phi(\tilde\eta-\eta)]\|^2` (part (c) of that proposition: with :math:`\tilde\eta=\eta` it is
        :math:`\lambda_{\max}\sum_j d_{\{\phi_jr\}}(P_X,Q)^2`), the ingredients of the decomposition bound
        (:math:`a_{\mathcal F}(P_X,\eta)`, :math:`a_{\mathcal F}(Q,\tilde\eta)`, :math:`\|\tilde\eta-\eta\|_{L^2(P_X)}`)
        and ``kappa`` on a grid of the real support (``nan`` without densities).

    Examples
    --------
    >>> from synutil.sim.laws import UniformLaw, BetaLaw
    >>> eta = lambda X: np.sin(2 * np.pi * X[..., 0])
    >>> res = least_squares_population_bias(polynomial_basis(1), eta=eta, real_law=UniformLaw(), syn_law=BetaLaw(2, 5))
    >>> round(res.B, 3)
    0.048
    >>> round(least_squares_population_bias(polynomial_basis(1), eta=eta, real_law=UniformLaw(), syn_law=UniformLaw()).B, 12)
    0.0
    """
    pop = _population(basis, eta, eta_syn, real_law, syn_law, method, n_nodes, n_samples, random_state, support)
    SP, SQ, thP, thQ, wP, wQ = pop["SP"], pop["SQ"], pop["thP"], pop["thQ"], pop["wP"], pop["wQ"]
    rP = pop["etaP"] - pop["PhiP"] @ thP
    rQ = pop["etaQ"] - pop["PhiQ"] @ thP
    b = pop["PhiQ"].T @ (wQ * rQ) - pop["PhiP"].T @ (wP * rP)
    g_resp = pop["PhiQ"].T @ (wQ * (pop["etasQ"] - pop["etaQ"]))
    resp = np.linalg.solve(SQ, g_resp)
    mis = np.linalg.solve(SQ, pop["PhiQ"].T @ (wQ * rQ))
    diff = thQ - thP
    B = _bias(SP, diff)
    SQi = np.linalg.inv(SQ)
    M = SQi @ SP @ SQi
    lam = float(np.max(np.linalg.eigvalsh((M + M.T) / 2)))
    vd = lam * float(np.sum((b + g_resp) ** 2))
    a_real = float(np.sqrt(max(wP @ rP**2, 0.0)))
    a_syn = float(np.sqrt(max(wQ @ (pop["etasQ"] - pop["PhiQ"] @ thQ) ** 2, 0.0)))
    resp_err = float(np.sqrt(wP @ (pop["etasP"] - pop["etaP"]) ** 2))
    kappa = _kappa(real_law, syn_law, pop["XP"]) if method == "quadrature" else float("nan")
    return LeastSquaresBias(B=B, theta_P=thP, theta_Q=thQ, Sigma_P=SP, Sigma_Q=SQ, b=b, response_part=resp,
                            misspecification_part=mis, vd_bound=vd, approx_error_real=a_real,
                            approx_error_syn=a_syn, response_error=resp_err, kappa=kappa)


@dataclass(frozen=True, repr=False)
class FirstOrderTerms(_Result):
    r"""First-order prediction of :math:`\mathbb E R(\hat f_{\rm syn})-\mathbb E R(\hat f_{\rm real})` for OLS."""

    B: float
    syn_variance_term: float
    syn_bias_term: float
    syn_term: float
    real_term: float
    predicted_gap: float
    predicted_utility: float
    n: int
    m: int

    def __repr__(self) -> str:
        return (f"FirstOrderTerms(gap={self.predicted_gap:.4g} = B {self.B:.4g} + syn {self.syn_term:.4g} "
                f"- real {self.real_term:.4g}; n={self.n}, m={self.m})")


def least_squares_first_order(basis, *, eta, eta_syn=None, real_law, syn_law, n, m, noise_sd, noise_sd_syn=None,
                              method="quadrature", n_nodes=256, n_samples=1_000_000, support=None,
                              random_state=None):
    r"""First-order finite-sample terms of OLS on a basis (the first-order expansion of the book's decomposition chapter).

    .. math:: \mathbb E R(\hat f_{\rm syn})-\mathbb E R(\hat f_{\rm real})\approx B
              +\tfrac1m\operatorname{tr}(\Sigma_P\Sigma_Q^{-1}\Omega_Q\Sigma_Q^{-1})
              +\tfrac2m\zeta_Q^\top\Sigma_P(\theta_Q-\theta_P)
              -\tfrac1n\operatorname{tr}(\Sigma_P^{-1}\Omega_P)

    with :math:`\Omega_Q=\mathbb E_Q[\phi\phi^\top(\tilde Y-\phi^\top\theta_Q)^2]`,
    :math:`\Omega_P=\mathbb E_P[\phi\phi^\top(Y-\phi^\top\theta_P)^2]` (homoscedastic Gaussian noise of
    sd ``noise_sd`` and ``noise_sd_syn``). The middle term is the first-order bias of random-design OLS,
    :math:`\mathbb E\hat\theta_{\rm syn}-\theta_Q\approx\zeta_Q/m`,
    :math:`\zeta_Q=-\Sigma_Q^{-1}\mathbb E_Q[\phi\,(\phi^\top\Sigma_Q^{-1}\phi)(\tilde\eta-\phi^\top\theta_Q)]`,
    which meets the non-zero gradient :math:`2\Sigma_P(\theta_Q-\theta_P)` of :math:`R` at :math:`\tilde f_{\mathcal F}`;
    it vanishes when :math:`B=0` or the class is well specified for :math:`\tilde\eta` (the real side has no such
    term because the gradient at :math:`f_{\mathcal F}` is 0). ``syn_term`` is the sum of the two synthetic terms
    and estimates :math:`\mathbb E R(\hat f_{\rm syn})-R(\tilde f_{\mathcal F})`; ``real_term`` estimates
    :math:`\mathbb E R(\hat f_{\rm real})-R(f_{\mathcal F})`. All are first order: the remainders are
    :math:`O(m^{-2})` and :math:`O(n^{-2})` for a fixed basis size :math:`q` under regularity conditions.

    Examples
    --------
    >>> from synutil.sim.laws import UniformLaw
    >>> eta = lambda X: 1 + 2 * X[..., 0]
    >>> t = least_squares_first_order(polynomial_basis(1), eta=eta, real_law=UniformLaw(), syn_law=UniformLaw(),
    ...                               n=100, m=200, noise_sd=1.0)
    >>> round(t.real_term, 6), round(t.syn_term, 6), round(t.predicted_gap, 6)  # q sigma^2/n, q sigma^2/m
    (0.02, 0.01, -0.01)
    """
    for name, v in (("n", n), ("m", m)):
        try:
            check_int(v, name=name, low=1)
        except ValueError as error:
            raise type(error)(f"{name} must be a positive integer sample size, got {v!r} ({type(v).__name__}).") \
                from None
    n, m = int(n), int(m)
    noise_sd = check_float(noise_sd, name="noise_sd", low=0.0)
    sd_syn = noise_sd if noise_sd_syn is None else check_float(noise_sd_syn, name="noise_sd_syn", low=0.0)
    pop = _population(basis, eta, eta_syn, real_law, syn_law, method, n_nodes, n_samples, random_state, support)
    SP, SQ, thP, thQ, wP, wQ = pop["SP"], pop["SQ"], pop["thP"], pop["thQ"], pop["wP"], pop["wQ"]
    PhiP, PhiQ = pop["PhiP"], pop["PhiQ"]
    eP = pop["etaP"] - PhiP @ thP
    eQ = pop["etasQ"] - PhiQ @ thQ
    OmP = PhiP.T @ ((wP * (eP**2 + noise_sd**2))[:, None] * PhiP)
    OmQ = PhiQ.T @ ((wQ * (eQ**2 + sd_syn**2))[:, None] * PhiQ)
    SQi = np.linalg.inv(SQ)
    diff = thQ - thP
    B = _bias(SP, diff)
    var_syn = float(np.trace(SP @ SQi @ OmQ @ SQi)) / m
    lev = np.einsum("ij,jk,ik->i", PhiQ, SQi, PhiQ)
    zeta = -SQi @ (PhiQ.T @ (wQ * lev * eQ))
    bias_syn = 2.0 * float(zeta @ SP @ diff) / m
    real = float(np.trace(np.linalg.solve(SP, OmP))) / n
    gap = B + var_syn + bias_syn - real
    return FirstOrderTerms(B=B, syn_variance_term=var_syn, syn_bias_term=bias_syn, syn_term=var_syn + bias_syn,
                           real_term=real, predicted_gap=gap, predicted_utility=abs(gap), n=int(n), m=int(m))
