r"""Rates and worst cases of two theorems of the book (re-exported by :mod:`synutil.bounds`).

* The k-NN rate theorem (chapter "Rates for a non-parametric learner"): the excess risk, and hence
  the generalization utility, decays like :math:`N^{-2/(2+p)}`; :func:`knn_rate_exponent` gives the
  exponent.
* The low-noise theorem (chapter "Worst case under a low-noise condition"; plug-in classification
  under the margin condition :math:`P_X(0<|\eta(X)-1/2|\le t)\le Ct^\alpha`): a synthetic regression
  function within sup-norm distance :math:`d` of :math:`\eta` costs at most :math:`2Cd^{1+\alpha}` of excess 0-1 risk
  (:func:`low_noise_worst_case`); the flip :func:`worst_case_flip` attains the order, with the exact
  value :func:`low_noise_exact_excess` for the margin law :math:`P(|\eta-1/2|\le t)=(2t)^\alpha` of
  :class:`synutil.sim.laws.MarginClassification`.
"""

from __future__ import annotations

import numbers

import numpy as np

from .._validation import InputTypeError, as_numbers, check_finite_result, check_float

__all__ = [
    "knn_rate_exponent",
    "knn_extrapolation_floor",
    "low_noise_worst_case",
    "low_noise_exact_excess",
    "worst_case_flip",
]


def _check_positive_int(value, name):
    if _is_whole(value) and int(value) >= 1:
        return int(value)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise InputTypeError(f"{name} must be a positive integer, got {value!r} ({type(value).__name__}).")
    raise ValueError(f"{name} must be a positive integer, got {value!r}.")


def _is_whole(value) -> bool:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        return False
    return bool(np.isfinite(float(value)) and float(value).is_integer())


def _check_distance(d):
    """A sup-norm distance between two regression functions with values in [0, 1]: 0 <= d <= 1."""
    if isinstance(d, (str, bytes, bool, np.bool_)) or d is None:
        raise InputTypeError(f"d must be a number or an array of numbers, got {d!r} ({type(d).__name__}).")
    try:
        d_arr = as_numbers(d, name="d")
    except InputTypeError as error:
        raise InputTypeError(f"d must be a number or an array of numbers: {error}") from None
    except ValueError:
        raise ValueError(f"d must be a finite sup-norm distance >= 0, got {d!r}.") from None
    if np.any(d_arr < 0) or np.any(d_arr > 1):
        raise ValueError(
            f"d must be a finite sup-norm distance >= 0 and <= 1 between two regression functions with values "
            f"in [0, 1], got {d!r}."
        )
    return d_arr


def _check_alpha(alpha):
    try:
        return check_float(alpha, name="alpha", low=0.0, low_open=True)
    except InputTypeError:
        raise InputTypeError(f"alpha must be a positive margin exponent, got {alpha!r} ({type(alpha).__name__}).") \
            from None
    except ValueError:
        raise ValueError(f"alpha must be a positive margin exponent, got {alpha!r}.") from None


def _out(arr):
    return float(arr) if np.ndim(arr) == 0 else arr


def knn_rate_exponent(p):
    r"""Exponent of the book's k-NN rate theorem.

    .. math:: \mathbb E R(\hat f)-R(\eta)=O\bigl(N^{-2/(2+p)}\bigr),\qquad\text{exponent } -\tfrac{2}{2+p},

    for k-NN regression with :math:`k\asymp N^{2/(2+p)}`, a Lipschitz regression function and
    bounded features in :math:`\mathbb R^p` (Györfi et al. 2002, Theorem 6.2). The same exponent
    bounds the decay of the generalization utility when :math:`\tilde\eta=\eta` and :math:`\kappa<\infty`.

    Examples
    --------
    >>> knn_rate_exponent(1), knn_rate_exponent(2)
    (-0.6666666666666666, -0.5)
    """
    p = _check_positive_int(p, "p")
    return -2.0 / (2.0 + p)


def knn_extrapolation_floor(gap_start, *, dimension=1):
    r"""Limit utility of k-NN when synthetic features miss the end :math:`(c, 1]` of the first coordinate.

    For the sine regression function :math:`\eta(x)=\frac1p\sum_{j=1}^p\sin(2\pi x_j)` on :math:`[0,1]^p` with
    uniform real features, a generator whose features never exceed :math:`c` in the first coordinate (a
    coverage gap) leaves a k-NN learner with :math:`k\to\infty`, :math:`k/N\to0` the prediction
    :math:`\eta` evaluated at :math:`x_1=c` on the gap. Its generalization utility tends to the extrapolation floor

    .. math::

        U_\infty=\frac1{p^2}\int_c^1\big(\sin 2\pi x-\sin 2\pi c\big)^2\,dx
        =\frac1{p^2}\Big[\frac{1-c}2+\frac{\sin 4\pi c}{8\pi}-\frac{s(\cos 2\pi c-1)}{\pi}+(1-c)s^2\Big],
        \quad s=\sin 2\pi c,

    which does not shrink with the sample size: the chapters "Rates for a non-parametric learner" and
    "Features need not match" measure utilities that climb to it.

    Parameters
    ----------
    gap_start : float or array_like
        :math:`c\in[0,1]`, the largest first coordinate the synthetic features reach.
    dimension : int, default 1
        The feature dimension :math:`p`.

    Returns
    -------
    float or numpy.ndarray
        :math:`U_\infty`, broadcast over ``gap_start``.

    Examples
    --------
    >>> round(float(knn_extrapolation_floor(0.75)), 5)
    0.05669
    >>> float(knn_extrapolation_floor(1.0))
    0.0
    """
    c = as_numbers(gap_start, name="gap_start", low=0.0, high=1.0)
    p = _check_positive_int(dimension, "dimension")
    s = np.sin(2 * np.pi * c)
    value = ((1 - c) / 2 + np.sin(4 * np.pi * c) / (8 * np.pi) - s * (np.cos(2 * np.pi * c) - 1) / np.pi
             + (1 - c) * s**2) / p**2
    return _out(np.maximum(value, 0.0))


def low_noise_worst_case(d, *, alpha, C):
    r"""The bound of the book's low-noise theorem on the excess 0-1 risk of a plug-in classifier.

    .. math:: R(h_{\tilde\eta})-R(h^*)\le 2C\,d^{1+\alpha}
              \quad\text{when }\|\tilde\eta-\eta\|_\infty\le d

    and :math:`P_X(0<|\eta(X)-1/2|\le t)\le C t^\alpha` for all :math:`t>0`.

    Parameters
    ----------
    d : float or array, the sup-norm distance between :math:`\tilde\eta` and :math:`\eta`.
    alpha : float > 0, the margin exponent.
    C : float > 0, the margin constant (``MarginClassification(alpha).margin_constant`` is :math:`2^\alpha`).

    Examples
    --------
    >>> round(low_noise_worst_case(0.1, alpha=1.0, C=2.0), 6)
    0.04
    >>> low_noise_worst_case([0.0, 0.5], alpha=2.0, C=4.0).tolist()
    [0.0, 1.0]
    """
    d = _check_distance(d)
    alpha = _check_alpha(alpha)
    try:
        C = check_float(C, name="C", low=0.0, low_open=True)
    except InputTypeError:
        raise InputTypeError(f"C must be a positive margin constant, got {C!r} ({type(C).__name__}).") from None
    except ValueError:
        raise ValueError(f"C must be a positive margin constant, got {C!r}.") from None
    check_finite_result(2.0 * C, what="the bound 2 C d^(1+alpha)", fix="C is too large for a float; give a smaller "
                        "margin constant (the bound is vacuous above 1 anyway)")  # d <= 1: d^(1+alpha) <= 1
    return _out(2.0 * float(C) * d ** (1.0 + alpha))


def low_noise_exact_excess(d, *, alpha):
    r"""Exact excess 0-1 risk of the worst-case flip at distance :math:`d` (the book's low-noise theorem).

    For the margin law :math:`P(|\eta(X)-1/2|\le t)=(2t)^\alpha`, :math:`0\le t\le 1/2` (density
    :math:`\alpha2^\alpha t^{\alpha-1}`), the flip :math:`\tilde\eta=\eta-d\operatorname{sign}(\eta-1/2)`
    changes the plug-in decision exactly where :math:`|\eta-1/2|\le d`, so

    .. math:: R(h_{\tilde\eta})-R(h^*)=\mathbb E\bigl[|2\eta-1|\,\mathbb 1\{|\eta-1/2|\le d\}\bigr]
              =\int_0^{d}2t\,\alpha2^\alpha t^{\alpha-1}\,dt=\frac{2\alpha\,2^\alpha}{1+\alpha}\,d^{1+\alpha}

    for :math:`d\le1/2`, and :math:`\alpha/(1+\alpha)` (every decision flipped) for :math:`d\ge1/2`.
    It is the bound :func:`low_noise_worst_case` with :math:`C=2^\alpha` times :math:`\alpha/(1+\alpha)`.

    Examples
    --------
    >>> round(low_noise_exact_excess(0.1, alpha=1.0), 6)
    0.02
    >>> low_noise_exact_excess(0.7, alpha=1.0)  # every decision flipped: E|2 eta - 1| = 1/2
    0.5
    """
    d = _check_distance(d)
    alpha = _check_alpha(alpha)
    dd = np.minimum(d, 0.5)
    if alpha > 1000.0:  # 2**alpha overflows beyond 1023, (2 dd)**alpha <= 1 does not: the same value rearranged
        return _out(2.0 / (1.0 + 1.0 / alpha) * (2.0 * dd) ** alpha * dd)
    return _out(2.0 * alpha * 2.0**alpha / (1.0 + alpha) * dd ** (1.0 + alpha))


def worst_case_flip(eta, d):
    r"""The synthetic regression function that moves every point towards the wrong side by :math:`d`.

    .. math:: \tilde\eta(x)=\operatorname{clip}_{[0,1]}\bigl(\eta(x)-d\,\operatorname{sign}(\eta(x)-1/2)\bigr),

    so :math:`\|\tilde\eta-\eta\|_\infty\le d` and the plug-in rule :math:`\mathbb 1\{\tilde\eta\ge1/2\}`
    disagrees with the Bayes classifier exactly where :math:`0<|\eta-1/2|\le d` (and, for
    :math:`\eta<1/2`, also at :math:`|\eta-1/2|=d`). Points with :math:`\eta=1/2` are left alone.
    This is the case that attains the rate of the book's low-noise theorem.

    Examples
    --------
    >>> worst_case_flip(np.array([0.1, 0.45, 0.5, 0.55, 0.95]), 0.1).round(2).tolist()
    [0.2, 0.55, 0.5, 0.45, 0.85]
    """
    try:
        eta = as_numbers(eta, name="eta", allow_inf=True)
    except InputTypeError as error:
        raise InputTypeError(f"eta must be an array of probabilities in [0, 1]: {error}") from None
    except ValueError:  # NaN
        eta = np.full(1, np.nan)
    if not np.all(np.isfinite(eta)) or np.any((eta < 0) | (eta > 1)):
        raise ValueError("eta must hold probabilities in [0, 1] (no NaN); pass eta(X), not labels or scores.")
    d = _check_distance(d)
    try:
        np.broadcast_shapes(eta.shape, d.shape)
    except ValueError:
        raise ValueError(f"d must be a number or an array that broadcasts against eta: shapes {d.shape} and "
                         f"{eta.shape}.") from None
    return np.clip(eta - d * np.sign(eta - 0.5), 0.0, 1.0)
