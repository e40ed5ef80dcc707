r"""Closed forms of the book's model-ranking results (Part III of the book).

* The theorem "a generalization gap protects the ranking": if every learner's utility
  :math:`U_a=|\tilde r_a-r_a|` is below half the gap :math:`\Delta_{\min}=\min_{a\ne b}|r_a-r_b|`
  between the real expected risks, the synthetic ranking equals the real one, and a single
  synthetic draw mis-ranks with probability at most
  :math:`\sum_a s_a^2/(\Delta_{\min}/2-U_a)^2` (Chebyshev). See :func:`ranking_margin_ratio`
  and :func:`ranking_failure_bound`.
* The theorem "symmetric label noise preserves every 0-1 comparison": with binary labels flipped
  independently with probability :math:`\rho<1/2`, every classifier's synthetic 0-1 risk is the affine
  image :math:`\tilde R=\rho+(1-2\rho)R` of its real risk. See :func:`label_noise_risk`,
  :func:`label_noise_inverse` and :func:`label_noise_sample_factor`.

These functions are re-exported by :mod:`synutil.bounds`.
"""

from __future__ import annotations

import numpy as np

from .._validation import InputTypeError, align_series, as_float_array, check_bool, check_float

__all__ = [
    "ranking_margin_ratio",
    "ranking_failure_bound",
    "label_noise_risk",
    "label_noise_inverse",
    "label_noise_sample_factor",
]


def _check_gap(gap) -> float:
    if isinstance(gap, (bool, np.bool_, str, bytes)) or not np.isscalar(gap) or \
            not np.issubdtype(type(gap), np.number) or np.iscomplexobj(gap):
        raise InputTypeError(f"gap must be a positive number, got {gap!r} ({type(gap).__name__}).")
    if not np.isfinite(gap) or not float(gap) > 0:
        raise ValueError(
            f"gap must be a positive number (the smallest distance min_(a!=b) |r_a - r_b| between the real "
            f"expected risks), got {gap!r}. If two models have equal risks they cannot be ranked: report a tie."
        )
    return float(gap)


def _check_utilities(utilities) -> np.ndarray:
    u = as_float_array(utilities, name="utilities", ndim=1)
    if np.any(u < 0):
        raise ValueError(
            "utilities must be non-negative: U_a = |r~_a - r_a| is an absolute difference. "
            "Pass the absolute values of the signed gaps."
        )
    return u


def ranking_margin_ratio(utilities, gap) -> float:
    r"""How much of the half-gap the worst learner's utility uses up (the book's ranking-gap theorem).

    .. math:: \text{ratio}=\frac{\max_a U_a}{\Delta_{\min}/2},\qquad U_a=|\tilde r_a-r_a|,\quad
              \Delta_{\min}=\min_{a\ne b}|r_a-r_b| .

    A ratio below 1 guarantees that the ranking of the synthetic expected risks
    :math:`\tilde r_a` equals the ranking of the real ones :math:`r_a`. Above 1 the guarantee is lost
    (the ranking may or may not flip: the condition is sufficient, not necessary; when a single learner
    moves, the ranking of expected risks survives up to a ratio of 2).

    Parameters
    ----------
    utilities : array-like of shape (L,)
        Per-learner utilities :math:`U_a\ge 0`.
    gap : float
        The real generalization gap :math:`\Delta_{\min}>0`
        (e.g. :func:`synutil.ranking.generalization_gap` of the real risks).

    Returns
    -------
    float
        The ratio, :math:`\ge 0`.

    Examples
    --------
    >>> round(ranking_margin_ratio([0.01, 0.02, 0.005], gap=0.1), 10)
    0.4
    """
    u = _check_utilities(utilities)
    return float(u.max() / (_check_gap(gap) / 2.0))


def ranking_failure_bound(utilities, variances, gap) -> float:
    r"""Chebyshev bound on the chance that one synthetic draw mis-ranks the learners (the ranking-gap theorem).

    .. math:: P\big(\text{order of } R(\hat f_{a,\rm syn}) \ne \text{order of } r_a\big)
              \le \min\Big(1,\ \sum_{a=1}^L \frac{s_a^2}{(\Delta_{\min}/2-U_a)^2}\Big),
              \qquad s_a^2=\operatorname{Var}R(\hat f_{a,\rm syn}).

    The bound is only valid when :math:`\max_a U_a<\Delta_{\min}/2` (margin ratio below 1, see
    :func:`ranking_margin_ratio`). When that fails this function returns the trivial bound ``1.0``:
    no guarantee can be given, not "the ranking fails for sure".

    Parameters
    ----------
    utilities : array-like of shape (L,)
        Per-learner utilities :math:`U_a=|\tilde r_a-r_a|\ge0`.
    variances : array-like of shape (L,)
        Variances :math:`s_a^2\ge0` of the real risk of the model trained on one synthetic draw.
    gap : float
        The real generalization gap :math:`\Delta_{\min}>0`.

    Returns
    -------
    float
        A probability bound in :math:`[0,1]`.

    Examples
    --------
    >>> round(ranking_failure_bound([0.0, 0.01], [1e-4, 1e-4], gap=0.1), 6)  # 1e-4/0.05^2 + 1e-4/0.04^2
    0.1025
    >>> ranking_failure_bound([0.0, 0.06], [1e-4, 1e-4], gap=0.1)  # max U_a >= gap/2: no guarantee
    1.0
    """
    utilities, variances = align_series(utilities, variances, names=("utilities", "variances"))
    u = _check_utilities(utilities)
    s2 = as_float_array(variances, name="variances", ndim=1)
    if s2.shape != u.shape:
        raise ValueError(
            f"utilities and variances must have one entry per model, got {u.size} and {s2.size}."
        )
    if np.any(s2 < 0):
        raise ValueError("variances must be non-negative (they are Var R(f_a,syn); pass squares of standard deviations).")
    half = _check_gap(gap) / 2.0
    if u.max() >= half:
        return 1.0
    with np.errstate(over="ignore"):
        return float(min(1.0, np.sum(s2 / (half - u) ** 2)))


def _check_rho(rho) -> float:
    if isinstance(rho, (bool, np.bool_, str, bytes)) or not np.isscalar(rho) or \
            not np.issubdtype(type(rho), np.number) or np.iscomplexobj(rho):
        raise InputTypeError(f"rho must be a flip probability in [0, 0.5), got {rho!r} ({type(rho).__name__}).")
    if not np.isfinite(rho) or not 0.0 <= float(rho) < 0.5:
        raise ValueError(
            f"rho must be a flip probability in [0, 0.5), got {rho!r}; at rho = 0.5 the labels carry no "
            "information, and above it they are anti-informative (swap the labels)."
        )
    return float(rho)


def label_noise_risk(risk, rho):
    r"""Synthetic 0-1 risk of a classifier under symmetric label noise (the book's label-noise theorem).

    .. math:: \tilde R(h)=\rho+(1-2\rho)\,R(h),

    where :math:`R` is the 0-1 risk on the real distribution and :math:`\tilde R` the 0-1 risk
    against labels flipped independently with probability :math:`\rho`. The map is increasing for
    :math:`\rho<1/2`, so it preserves the ranking of every set of classifiers.

    Parameters
    ----------
    risk : float or array-like
        Real 0-1 risks in :math:`[0,1]`.
    rho : float
        Flip probability in :math:`[0, 1/2)`.

    Returns
    -------
    float or ndarray
        Same shape as ``risk``.

    Examples
    --------
    >>> round(label_noise_risk(0.1, 0.3), 10)
    0.34
    >>> label_noise_risk([0.0, 0.5, 1.0], 0.2).tolist()
    [0.2, 0.5, 0.8]
    """
    rho = _check_rho(rho)
    r = _check_risk(risk, "risk")
    out = rho + (1.0 - 2.0 * rho) * r
    return float(out) if out.ndim == 0 else out


def label_noise_inverse(risk_syn, rho, *, clip: bool = True):
    r"""Real 0-1 risk recovered from the risk measured against flipped labels (inverse of :func:`label_noise_risk`).

    .. math:: R(h)=\operatorname{clip}_{[0,1]}\Big(\frac{\tilde R(h)-\rho}{1-2\rho}\Big).

    This is how to correct accuracy measured on noisy synthetic labels when :math:`\rho` is known;
    with :math:`\rho` unknown, evaluate on real data instead.

    Range. Under symmetric noise every noisy risk lies in :math:`[\rho, 1-\rho]`, the image of :math:`[0,1]`.
    An *estimated* noisy risk can fall outside it by sampling noise (a rate below :math:`\rho`); the linear
    inverse would then be a risk below 0 or above 1, so by default the result is clipped to :math:`[0,1]`
    (the closest possible risk). Pass ``clip=False`` for the raw linear inverse, e.g. to average many
    estimates without the bias clipping adds.

    Parameters
    ----------
    risk_syn : float or array-like
        Risks against the noisy labels, in :math:`[0,1]`.
    rho : float
        Flip probability in :math:`[0, 1/2)`.
    clip : bool, keyword-only
        Clip the recovered risk to :math:`[0, 1]` (default).

    Examples
    --------
    >>> round(label_noise_inverse(0.34, 0.3), 10)
    0.1
    >>> label_noise_inverse(0.25, 0.3), round(label_noise_inverse(0.25, 0.3, clip=False), 10)  # below rho
    (0.0, -0.125)
    """
    rho = _check_rho(rho)
    clip = check_bool(clip, name="clip")
    r = _check_risk(risk_syn, "risk_syn")
    out = (r - rho) / (1.0 - 2.0 * rho)
    if clip:
        out = np.clip(out, 0.0, 1.0)
    return float(out) if out.ndim == 0 else out


def label_noise_sample_factor(rho) -> float:
    r"""Sample-size price of symmetric label noise, :math:`1/(1-2\rho)^2` (the book's label-noise chapter).

    .. math:: \frac{m(\rho)}{m(0)}\approx\frac{1}{(1-2\rho)^2}.

    The signal separating two classifiers in the empirical noisy risk shrinks by the factor
    :math:`1-2\rho` while its per-sample noise does not, so the number of samples needed to tell
    them apart grows by :math:`(1-2\rho)^{-2}` (Angluin & Laird, 1988).

    Examples
    --------
    >>> label_noise_sample_factor(0.25)
    4.0
    >>> round(label_noise_sample_factor(0.45), 6)
    100.0
    """
    rho = _check_rho(rho)
    return float(1.0 / (1.0 - 2.0 * rho) ** 2)


def _check_risk(risk, name) -> np.ndarray:
    r = np.asarray(as_float_array(np.atleast_1d(risk), name=name), dtype=float).reshape(np.shape(risk))
    if np.any((r < 0) | (r > 1)):
        raise ValueError(f"{name} must be 0-1 risks (error rates) in [0, 1]; got values outside that range.")
    return r
