r"""Task-relevant function classes :math:`V` for the integral probability metric :math:`d_V`.

The book's fidelity chapter measures fidelity with :math:`d_V(P,Q)=\sup_{v\in V}|\mathbb E_P v-\mathbb E_Q v|`.
Global choices of :math:`V` (indicators, 1-Lipschitz functions, an RKHS ball) give total variation,
Wasserstein-1 and MMD. For least squares on a basis :math:`\phi=(\phi_1,\dots,\phi_q)` the classes that
matter are much smaller (the book's "task-relevant fidelity" proposition and its exact least-squares bias):

* :func:`basis_residual_class` — :math:`V=\{\phi_j r\}_{j\le k}` with the real approximation residual
  :math:`r=\eta-\phi^\top\theta_P`, functions of the features only (exact synthetic responses);
* :func:`residual_moment_class` — :math:`V=\{(x,y)\mapsto\phi_j(x)(y-\phi(x)^\top\theta_P)\}_{j\le q}`,
  functions of the joint vector :math:`(x,y)`, which also see response errors;
* :func:`least_squares_fidelity` — the moment gap :math:`b` of that joint class between a real and a
  synthetic sample, :math:`d_V=\max_j|b_j|`, the plug-in population bias :math:`B` and the bound
  :math:`B\le\lambda_{\max}(\Sigma_Q^{-1}\Sigma_P\Sigma_Q^{-1})\sum_j d_{\{v_j\}}^2`.

A basis is any callable mapping features of shape ``(n, p)`` to a design matrix of shape ``(n, q)``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Callable

import numpy as np

from .._validation import InputTypeError, as_float_array, as_matched_pair, check_finite_result, check_int

__all__ = [
    "basis_residual_class",
    "residual_moment_class",
    "least_squares_fidelity",
    "LeastSquaresFidelity",
]


def _design(basis: Callable, X: np.ndarray, *, name: str) -> np.ndarray:
    if not callable(basis):
        raise InputTypeError(
            "basis must be a callable mapping features of shape (n, p) to a design matrix of shape (n, q), "
            f"e.g. lambda X: np.column_stack([np.ones(len(X)), X[:, 0]]); got {type(basis).__name__}."
        )
    design = np.asarray(basis(X))
    if design.dtype.kind not in "biuf":
        raise InputTypeError(f"basis({name}) must return real numbers, got dtype {design.dtype}.")
    design = design.astype(float)
    if design.ndim == 1:
        design = design[:, None]
    if design.ndim != 2 or design.shape[0] != X.shape[0]:
        raise ValueError(
            f"basis({name}) must return an array of shape (n, q) with n = {X.shape[0]} rows, "
            f"got shape {design.shape}."
        )
    if not np.all(np.isfinite(design)):
        raise ValueError(f"basis({name}) returned NaN or infinite values; check the basis on these features.")
    return design


def _solve_normal(design: np.ndarray, target: np.ndarray, *, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Second-moment matrix and least-squares coefficients; raise if the design is singular."""
    with np.errstate(over="ignore", invalid="ignore"):
        gram = design.T @ design / len(design)
    if not np.all(np.isfinite(gram)):
        raise ValueError(f"the basis values on {name} are too large for float64 second moments; rescale the "
                         "features or the basis functions.")
    if np.linalg.matrix_rank(gram) < gram.shape[0]:
        raise ValueError(
            f"the basis is linearly dependent on {name} (its second-moment matrix is singular); "
            "use fewer basis functions or features that spread over more values."
        )
    with np.errstate(over="ignore", invalid="ignore"):
        coef = np.linalg.solve(gram, design.T @ target / len(design))
    check_finite_result(coef, what=f"the least-squares coefficients on {name}", fix="rescale the responses or "
                        "the basis")
    return gram, coef


def _checked_eta(eta: Callable) -> Callable:
    """``eta`` whose every output is checked by :func:`_responses` (real, one finite value per row)."""
    return lambda X: _responses(eta, X, name="X")


def _responses(eta: Callable, X: np.ndarray, *, name: str) -> np.ndarray:
    out = np.asarray(eta(X))
    if out.dtype.kind not in "biuf":
        raise InputTypeError(f"eta({name}) must return real numbers, got dtype {out.dtype}.")
    out = out.astype(float).reshape(-1)
    if out.shape != (len(X),):
        raise ValueError(f"eta({name}) must return one value per row ({len(X)}), got shape {out.shape}.")
    if not np.all(np.isfinite(out)):
        raise ValueError(f"eta({name}) returned NaN or infinite values; eta must be finite on these features.")
    return out


def basis_residual_class(basis: Callable, eta: Callable, X_real) -> list[Callable]:
    r"""The class :math:`V=\{\phi_j\,r\}_{j=1}^q` of the book's exact least-squares bias with exact responses.

    .. math:: r=\eta-\phi^\top\theta_P,\qquad \theta_P=\Sigma_P^{-1}\mathbb E_P[\phi\,\eta],

    where :math:`\theta_P` (the :math:`L^2(P_X)` projection of :math:`\eta` on the span of the basis)
    is computed on the real features ``X_real``, a large sample of :math:`P_X`. When the synthetic
    responses are exact (:math:`\tilde\eta=\eta`), the population bias of least squares trained on
    synthetic features :math:`Q` obeys :math:`B\le\lambda_{\max}(\Sigma_Q^{-1}\Sigma_P\Sigma_Q^{-1})
    \sum_j d_{\{\phi_j r\}}(P_X,Q)^2`. Every :math:`v` has :math:`\mathbb E_{P_X}v=0` (on ``X_real``,
    exactly), and a well-specified basis (:math:`r\equiv0`) gives :math:`d_V=0` for every :math:`Q`.

    Parameters
    ----------
    basis : callable
        ``basis(X) -> (n, q)`` design matrix.
    eta : callable
        The real regression function, ``eta(X) -> (n,)``.
    X_real : array-like of shape (n, p)
        Features drawn from the real law :math:`P_X`.

    Returns
    -------
    list of callables
        ``v_j(X) -> (n,)`` for ``j = 0..q-1``; each has attributes ``coef`` (:math:`\theta_P`) and ``index``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(size=(20_000, 1))
    >>> line = lambda X: np.column_stack([np.ones(len(X)), X[:, 0]])
    >>> V = basis_residual_class(line, lambda X: np.sin(2 * np.pi * X[:, 0]), X)
    >>> [bool(abs(v(X).mean()) < 1e-12) for v in V]  # centred under P by construction
    [True, True]
    >>> V_ok = basis_residual_class(line, lambda X: 1 + 2 * X[:, 0], X)  # well specified: r = 0
    >>> float(np.abs(V_ok[1](rng.beta(2, 5, size=(100, 1)))).max()) < 1e-10
    True
    """
    X_real = as_float_array(X_real, name="X_real", ndim=2, min_rows=2)
    if not callable(eta):
        raise InputTypeError(f"eta must be a callable eta(X) -> (n,), got {type(eta).__name__}.")
    design = _design(basis, X_real, name="X_real")
    target = _responses(eta, X_real, name="X_real")
    eta = _checked_eta(eta)
    _, coef = _solve_normal(design, target, name="X_real")

    def make(j: int) -> Callable:
        def v(X):
            X = as_float_array(X, name="X", ndim=2)
            D = _design(basis, X, name="X")
            residual = np.asarray(eta(X), dtype=float).reshape(-1) - D @ coef
            return D[:, j] * residual

        v.coef, v.index = coef, j
        v.__name__ = f"phi_{j}_times_residual"
        return v

    return [make(j) for j in range(design.shape[1])]


def residual_moment_class(basis: Callable, coef, *, n_features: int | None = None) -> list[Callable]:
    r"""The joint class :math:`V=\{v_j\}`, :math:`v_j(x,y)=\phi_j(x)\,(y-\phi(x)^\top\theta)`.

    .. math:: v_j(x,y)=\phi_j(x)\,\big(y-\phi(x)^\top\theta\big),\qquad j=1,\dots,q.

    The functions act on joint rows ``Z = np.column_stack([X, y])`` (features first, the response
    last). With :math:`\theta=\theta_P` the real least-squares coefficients, :math:`\mathbb E_P v_j=0`
    and :math:`\mathbb E_{\tilde P}v_j` is the :math:`j`-th moment gap :math:`b_j` of the book's
    task-relevant fidelity proposition, which covers feature changes and response errors at once (see
    :func:`least_squares_fidelity`).

    Parameters
    ----------
    basis : callable
        ``basis(X) -> (n, q)``.
    coef : array-like of shape (q,)
        :math:`\theta`, usually the least-squares coefficients on the real data.
    n_features : int, optional
        Number of feature columns of ``Z``; by default all columns but the last.

    Examples
    --------
    >>> line = lambda X: np.column_stack([np.ones(len(X)), X[:, 0]])
    >>> V = residual_moment_class(line, [1.0, 2.0])
    >>> Z = np.array([[0.5, 2.5], [1.0, 3.0]])  # y = 1 + 2x + (0.5, 0)
    >>> V[1](Z).tolist()
    [0.25, 0.0]
    """
    coef = as_float_array(coef, name="coef", ndim=1)
    if not callable(basis):
        raise InputTypeError(f"basis must be a callable basis(X) -> (n, q), got {type(basis).__name__}.")
    n_features = check_int(n_features, name="n_features", low=1, allow_none=True)

    def make(j: int) -> Callable:
        def v(Z):
            Z = as_float_array(Z, name="Z", ndim=2)
            p = Z.shape[1] - 1 if n_features is None else n_features
            if p < 1 or Z.shape[1] != p + 1:
                raise ValueError(
                    f"Z must hold the features followed by one response column; got {Z.shape[1]} column(s) "
                    f"for {p} feature(s). Pass np.column_stack([X, y])."
                )
            D = _design(basis, Z[:, :p], name="X")
            if D.shape[1] != len(coef):
                raise ValueError(f"basis gives {D.shape[1]} functions but coef has {len(coef)} entries.")
            return D[:, j] * (Z[:, p] - D @ coef)

        v.index = j
        v.__name__ = f"phi_{j}_times_residual"
        return v

    return [make(j) for j in range(len(coef))]


@dataclass(frozen=True)
class LeastSquaresFidelity:
    r"""Task-relevant fidelity of a synthetic sample for least squares on a basis.

    Attributes
    ----------
    moment_gap : ndarray (q,)
        :math:`b_j=\mathbb E_{\tilde P}v_j-\mathbb E_P v_j`, :math:`v_j=\phi_j(x)(y-\phi(x)^\top\theta_P)`.
    d_v : float
        :math:`d_V(P,\tilde P)=\max_j|b_j|` for :math:`V=\{v_j\}` (lower is better, :math:`\ge0`).
    bias : float
        Plug-in population bias :math:`B=(\theta_Q-\theta_P)^\top\Sigma_P(\theta_Q-\theta_P)`.
    bias_bound : float
        :math:`\lambda_{\max}(\Sigma_Q^{-1}\Sigma_P\Sigma_Q^{-1})\,\sum_j b_j^2\ \ge B`.
    lambda_max : float
    coef_real, coef_syn : ndarray (q,)
        :math:`\theta_P`, :math:`\theta_Q` (least squares on each sample).
    n_real, n_syn : int
    """

    moment_gap: np.ndarray
    d_v: float
    bias: float
    bias_bound: float
    lambda_max: float
    coef_real: np.ndarray
    coef_syn: np.ndarray
    n_real: int
    n_syn: int

    def to_dict(self) -> dict:
        out = asdict(self)
        for key in ("moment_gap", "coef_real", "coef_syn"):
            out[key] = np.asarray(out[key]).tolist()
        return out

    def __repr__(self) -> str:
        return (
            f"LeastSquaresFidelity(d_v={self.d_v:.4g}, bias={self.bias:.4g}, bias_bound={self.bias_bound:.4g}, "
            f"lambda_max={self.lambda_max:.3g}, n_real={self.n_real}, n_syn={self.n_syn})"
        )


def least_squares_fidelity(basis: Callable, X_real, y_real, X_syn, y_syn) -> LeastSquaresFidelity:
    r"""Moment gap, :math:`d_V`, population bias and its fidelity bound for least squares on a basis.

    With :math:`\theta_P,\theta_Q` the least-squares coefficients on the real and on the synthetic
    sample and :math:`v_j(x,y)=\phi_j(x)(y-\phi(x)^\top\theta_P)`,

    .. math:: \theta_Q-\theta_P=\Sigma_Q^{-1}b,\quad b_j=\mathbb E_{\tilde P}v_j-\mathbb E_Pv_j,\quad
              B=b^\top\Sigma_Q^{-1}\Sigma_P\Sigma_Q^{-1}b\le\lambda_{\max}(\Sigma_Q^{-1}\Sigma_P\Sigma_Q^{-1})
              \sum_j d_{\{v_j\}}(P,\tilde P)^2 .

    This is the book's exact least-squares bias written as a :math:`(V,d)`-fidelity statement (the
    task-relevant fidelity proposition of the fidelity chapter). All expectations are sample means, so the identity
    :math:`\theta_Q-\theta_P=\Sigma_Q^{-1}b` holds exactly; pass large samples to approximate the
    population quantities.

    Parameters
    ----------
    basis : callable
        ``basis(X) -> (n, q)``.
    X_real, y_real : real features (n, p) and responses (n,).
        DataFrames ``X_real`` and ``X_syn`` are matched by column name (``X_syn`` is reordered to ``X_real``).
    X_syn, y_syn : synthetic features (m, p) and responses (m,).

    Returns
    -------
    LeastSquaresFidelity

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> line = lambda X: np.column_stack([np.ones(len(X)), X[:, 0]])
    >>> Xr = rng.uniform(size=(50_000, 1)); yr = 1 + 2 * Xr[:, 0] + rng.normal(size=50_000)
    >>> Xs = rng.beta(2, 5, size=(50_000, 1)); ys = 1 + 2 * Xs[:, 0] + rng.normal(size=50_000)
    >>> fid = least_squares_fidelity(line, Xr, yr, Xs, ys)   # shifted features, right basis
    >>> bool(fid.d_v < 0.02 and fid.bias < 1e-3)
    True
    >>> ys_bad = ys + 0.5 * (2 * Xs[:, 0] - 1)                # a response error
    >>> fid = least_squares_fidelity(line, Xr, yr, Xs, ys_bad)
    >>> bool(fid.bias <= fid.bias_bound), round(fid.d_v, 1)
    (True, 0.2)
    """
    X_real, X_syn = as_matched_pair(X_real, X_syn, names=("X_real", "X_syn"), min_rows=2)  # by name
    y_real = as_float_array(y_real, name="y_real", ndim=1)
    y_syn = as_float_array(y_syn, name="y_syn", ndim=1)
    for X, y, name in ((X_real, y_real, "real"), (X_syn, y_syn, "syn")):
        if len(y) != len(X):
            raise ValueError(f"X_{name} has {len(X)} rows but y_{name} has {len(y)}; pass one response per row.")
    D_real = _design(basis, X_real, name="X_real")
    D_syn = _design(basis, X_syn, name="X_syn")
    sigma_p, coef_p = _solve_normal(D_real, y_real, name="X_real")
    sigma_q, coef_q = _solve_normal(D_syn, y_syn, name="X_syn")
    gap = D_syn.T @ (y_syn - D_syn @ coef_p) / len(D_syn) - D_real.T @ (y_real - D_real @ coef_p) / len(D_real)
    inv_q = np.linalg.inv(sigma_q)
    sandwich = inv_q @ sigma_p @ inv_q
    sandwich = (sandwich + sandwich.T) / 2
    lam = float(np.linalg.eigvalsh(sandwich)[-1])
    diff = coef_q - coef_p
    bias = float(diff @ sigma_p @ diff)
    check_finite_result([lam, bias, lam * float(gap @ gap)], what="the fidelity bound", fix="rescale the features, "
                        "the responses or the basis")
    return LeastSquaresFidelity(
        moment_gap=gap,
        d_v=float(np.max(np.abs(gap))),
        bias=bias,
        bias_bound=lam * float(gap @ gap),
        lambda_max=lam,
        coef_real=coef_p,
        coef_syn=coef_q,
        n_real=len(X_real),
        n_syn=len(X_syn),
    )
