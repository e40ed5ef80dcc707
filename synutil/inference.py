r"""Confidence intervals computed on synthetic data, corrected for the generator (the book's Part V).

An analyst who receives :math:`m` synthetic rows and computes a textbook interval treats them as :math:`m`
real observations. If the generator was fitted on :math:`n` real rows, the synthetic estimate carries two
errors: the generator's own estimation error, of variance about :math:`\sigma^2/n`, and the synthetic sampling
error, about :math:`\sigma^2/m`. The textbook ("naive") interval sees only the second, so its coverage falls as
:math:`m` grows:

.. math:: \Pr(\text{naive interval covers})\ \to\ 2\,\Phi\!\Big(z_{1-\gamma/2}\sqrt{\tfrac{n}{n+m}}\Big)-1,

0.834 at :math:`m=n` for a 95% interval (the book's inference chapter states and proves this). This module
computes, from the synthetic data alone and the number of real rows the generator saw,

* :func:`synthetic_mean_interval` and :func:`synthetic_regression_interval`: one synthetic set from a
  *plug-in parametric* generator; the naive variance is multiplied by :math:`1+m/n`;
* :func:`combine_synthetic_sets`: :math:`K` synthetic sets, with the fully synthetic combining rule of
  Raghunathan, Reiter and Rubin (2003) for sets drawn from fresh posterior draws of the parameters
  (``rule="posterior"``), or :math:`\bar u_K(1/K+m/n)` for :math:`K` sets from one plug-in fit
  (``rule="plug-in"``, Raab, Nowok and Dibben 2016);
* :func:`naive_coverage` and :func:`gaussian_mean_coverage`: how badly the naive interval covers.

Every interval is returned with the naive one beside it, in a frozen :class:`SyntheticInterval`. All functions
work on one dataset or on a batch of them at once (leading axes), which is how the book checks their coverage
over thousands of replications.

**What the correction assumes.** The factor :math:`1+m/n` is exact to first order when the generator is a
correctly specified parametric model whose parameters were estimated efficiently (by the same estimator the
analyst applies) on :math:`n` real rows, and the synthetic design law matches the real one. It corrects for the
generator's *variance*, never for its *bias*: for a flexible generator (a kernel density, a mixture, a deep
network) the synthetic estimate can be centred on the wrong value and no variance inflation repairs that.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import integrate, special, stats

from ._validation import (
    _describe,
    _is_bool,
    as_float_array,
    as_numbers,
    check_bool,
    check_confidence,
    check_finite_result,
    check_int,
    reworded,
)

__all__ = [
    "SyntheticInterval",
    "CombinedInterval",
    "synthetic_mean_interval",
    "synthetic_regression_interval",
    "combine_synthetic_sets",
    "corrected_degrees_of_freedom",
    "naive_coverage",
    "gaussian_mean_coverage",
]

_RULES = ("posterior", "plug-in")


def _as_output(value):
    """A 0-d result becomes a Python float; a batch stays an array."""
    value = np.asarray(value, dtype=float)
    return float(value) if value.ndim == 0 else value


def _check_count(value, *, name: str, minimum: int) -> int:
    value = reworded(check_int, value, name=name,
                     message=f"{name} must be an integer number of rows, got {_describe(value)}.")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}.")
    return value


def _check_axis(axis, ndim: int, *, name: str, shape) -> None:
    """``axis`` must be a whole number in ``[-ndim, ndim)`` (no bools, floats or strings)."""
    if _is_bool(axis) or not isinstance(axis, (int, np.integer)) or not -ndim <= axis < ndim:
        raise ValueError(f"axis must be an integer in [-{ndim}, {ndim}) for {name} of shape {shape}, got {axis!r}.")


_FIX_SCALE = "rescale the data (e.g. divide it by its largest absolute value) and scale the interval back"


def _quantile(confidence: float, df):
    """Two-sided quantile of Student's t (the normal one where ``df`` is infinite)."""
    return special.stdtrit(df, 0.5 + confidence / 2.0)


@dataclass(frozen=True)
class SyntheticInterval:
    r"""An estimate from synthetic data with its corrected and its naive confidence interval.

    Scalars for one dataset; arrays shaped like the batch (and, for regression, one entry per coefficient on
    the last axis) for many datasets at once.

    Attributes
    ----------
    estimate : float or ndarray
        The estimate computed on the synthetic data (a mean, a coefficient, or the average over :math:`K` sets).
    se, ci_low, ci_high, df : float or ndarray
        Corrected standard error, interval ``estimate -/+ t_{df} * se``, and the degrees of freedom of its
        Student quantile (``inf``: the normal quantile).
    naive_se, naive_ci_low, naive_ci_high, naive_df : float or ndarray
        The same for the textbook interval that treats the synthetic rows as real observations.
    confidence : float
        Nominal coverage of both intervals.
    n_real, n_synthetic, n_sets : int
        Rows the generator was fitted on, rows per synthetic set, number of sets.
    method : str
        ``"mean"``, ``"regression"``, ``"combined: posterior"`` or ``"combined: plug-in"``.
    """

    estimate: object
    se: object
    ci_low: object
    ci_high: object
    df: object
    naive_se: object
    naive_ci_low: object
    naive_ci_high: object
    naive_df: object
    confidence: float
    n_real: int
    n_synthetic: int
    n_sets: int
    method: str

    def covers(self, value):
        """Whether the corrected interval contains ``value`` (broadcast against a batch)."""
        as_numbers(value, name="value")  # NaN, strings and complex values would silently never be covered
        return (np.asarray(self.ci_low) <= value) & (value <= np.asarray(self.ci_high))

    def naive_covers(self, value):
        """Whether the naive interval contains ``value`` (broadcast against a batch)."""
        as_numbers(value, name="value")
        return (np.asarray(self.naive_ci_low) <= value) & (value <= np.asarray(self.naive_ci_high))

    def to_dict(self) -> dict:
        """The fields as a dict (arrays stay arrays)."""
        return asdict(self)


@dataclass(frozen=True)
class CombinedInterval(SyntheticInterval):
    r"""A :class:`SyntheticInterval` from :math:`K` synthetic sets, with the ingredients of the combining rule.

    Attributes
    ----------
    between_variance : float or ndarray
        :math:`s^2_{q,K}`, the sample variance (``ddof=1``) of the :math:`K` estimates.
    within_variance : float or ndarray
        :math:`\bar u_K`, the mean of the :math:`K` naive variances.
    variance_replaced : bool or ndarray
        ``rule="posterior"`` only: where the combining rule's variance was :math:`\le 0` and was replaced by the
        conservative :math:`(m/n)\,\bar u_K` (normal quantile). Always False for ``rule="plug-in"``.
    """

    between_variance: object = None
    within_variance: object = None
    variance_replaced: object = None


def corrected_degrees_of_freedom(n_real, n_synthetic, *, n_params=1, n_sets=1) -> float:
    r"""Degrees of freedom of the corrected interval from :math:`K` plug-in synthetic sets of :math:`m` rows.

    The corrected statistic mixes two variance estimates, the generator's (from :math:`n-q` residual degrees of
    freedom) and the synthetic sampling one (from :math:`K(m-q)`). Matching the second moment of the statistic
    to Student's :math:`t_\nu` to first order gives

    .. math:: \frac1\nu=\frac{Km}{n+Km}\,\frac{1}{n-q}+\frac{1}{K(m-q)},

    so :math:`\nu\to K(m-q)` when :math:`m\ll n` and :math:`\nu\to n-q` when :math:`m\gg n`.

    Parameters
    ----------
    n_real : int
        Real rows :math:`n` the generator was fitted on (more than ``n_params``).
    n_synthetic : int
        Rows :math:`m` per synthetic set (more than ``n_params``).
    n_params : int, default 1
        Parameters :math:`q` of the analysis model (1 for a mean; the coefficients, intercept included, for a
        regression).
    n_sets : int, default 1
        Number :math:`K` of synthetic sets from the same plug-in fit.

    Returns
    -------
    float

    Examples
    --------
    >>> round(corrected_degrees_of_freedom(100, 100), 2)   # 1 / (0.5 / 99 + 1 / 99)
    66.0
    >>> round(corrected_degrees_of_freedom(100, 10**6), 1)  # the generator's n - 1 dominates
    99.0
    """
    q = _check_count(n_params, name="n_params", minimum=1)
    n = _check_count(n_real, name="n_real", minimum=q + 1)
    m = _check_count(n_synthetic, name="n_synthetic", minimum=q + 1)
    K = _check_count(n_sets, name="n_sets", minimum=1)
    share = K * m / (n + K * m)          # the generator's share of the corrected variance
    return float(1.0 / (share / (n - q) + 1.0 / (K * (m - q))))


def synthetic_mean_interval(x_syn, *, n_real, confidence=0.95, axis=-1) -> SyntheticInterval:
    r"""Interval for the mean of the real law from one synthetic sample of a plug-in Gaussian-type generator.

    With :math:`\tilde\mu` and :math:`\tilde s` the mean and standard deviation (``ddof=1``) of the :math:`m`
    synthetic values and :math:`n` the real rows the generator was fitted on,

    .. math:: \tilde\mu\pm t_{\nu}\,\tilde s\sqrt{\frac1n+\frac1m}\quad\text{(corrected)},\qquad
              \tilde\mu\pm t_{m-1}\,\frac{\tilde s}{\sqrt m}\quad\text{(naive)},

    with :math:`\nu` from :func:`corrected_degrees_of_freedom`. The correction assumes that the generator
    estimated the mean and the variance from the :math:`n` real rows (as a fitted normal does) and sampled
    :math:`m` rows from the fitted law; then :math:`\operatorname{Var}(\tilde\mu-\mu)=\sigma^2(1/n+1/m)` exactly
    (the book's inference proposition). For a generator that is biased or less efficient than the sample mean
    the corrected interval is not valid.

    Parameters
    ----------
    x_syn : array-like
        Synthetic values; the sample runs along ``axis`` (at least 2 values), other axes are a batch.
    n_real : int
        Number of real rows the generator was fitted on (at least 2).
    confidence : float, default 0.95
        Nominal coverage, strictly between 0 and 1.
    axis : int, default -1
        Axis of ``x_syn`` that holds one synthetic sample.

    Returns
    -------
    SyntheticInterval

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> real = rng.normal(10.0, 2.0, size=50)
    >>> syn = rng.normal(real.mean(), real.std(ddof=1), size=500)   # a fitted normal, sampled 10 times over
    >>> res = synthetic_mean_interval(syn, n_real=50)
    >>> round(res.se / res.naive_se, 4)                             # sqrt(1 + m / n) = sqrt(11)
    3.3166
    >>> bool(res.naive_df == 499), res.method
    (True, 'mean')
    """
    confidence = check_confidence(confidence)
    n = _check_count(n_real, name="n_real", minimum=2)
    x = as_float_array(x_syn, name="x_syn")
    _check_axis(axis, x.ndim, name="x_syn", shape=x.shape)
    if isinstance(x_syn, pd.DataFrame) and x.ndim == 2 and axis in (1, -1):
        # a table's rows are its observations: one column is one sample, several columns need axis=0
        if x.shape[1] != 1:
            raise ValueError(f"x_syn is a DataFrame with {x.shape[1]} columns, whose rows are the synthetic values: "
                             "pass axis=0 for one interval per column, or one column (a Series).")
        x = x[:, 0]
    x = np.moveaxis(x, axis, -1)
    m = x.shape[-1]
    if m < 2:
        raise ValueError(f"x_syn has {m} synthetic value(s) along axis {axis}; at least 2 are needed for a variance.")
    estimate = x.mean(axis=-1)
    s = x.std(axis=-1, ddof=1)
    naive_se = s / math.sqrt(m)
    se = s * math.sqrt(1.0 / n + 1.0 / m)
    df = corrected_degrees_of_freedom(n, m)
    naive_df = float(m - 1)
    half, naive_half = _quantile(confidence, df) * se, _quantile(confidence, naive_df) * naive_se
    check_finite_result(np.stack([estimate - half, estimate + half, estimate - naive_half, estimate + naive_half]),
                        what="the interval of the mean of x_syn", fix=_FIX_SCALE)
    return SyntheticInterval(
        estimate=_as_output(estimate), se=_as_output(se), ci_low=_as_output(estimate - half),
        ci_high=_as_output(estimate + half), df=df, naive_se=_as_output(naive_se),
        naive_ci_low=_as_output(estimate - naive_half), naive_ci_high=_as_output(estimate + naive_half),
        naive_df=naive_df, confidence=confidence, n_real=n, n_synthetic=m, n_sets=1, method="mean",
    )


def synthetic_regression_interval(X_syn, y_syn, *, n_real, confidence=0.95, fit_intercept=True) -> SyntheticInterval:
    r"""Intervals for least-squares coefficients from one synthetic sample of a plug-in linear-Gaussian generator.

    Ordinary least squares on the :math:`m` synthetic rows gives :math:`\tilde\theta` and the naive covariance
    :math:`\tilde s^2(\tilde X^\top\tilde X)^{-1}`, :math:`\tilde s^2=\mathrm{RSS}/(m-q)`. The corrected
    covariance inflates it by :math:`1+m/n`:

    .. math:: \widehat{\operatorname{Var}}(\tilde\theta)=\Big(1+\frac mn\Big)\,\tilde s^2(\tilde X^\top\tilde X)^{-1},
              \qquad \tilde\theta_j\pm t_\nu\,\widehat{\operatorname{se}}_j .

    **Assumption.** The generator is a linear-Gaussian model fitted by least squares on :math:`n` real rows
    (:math:`\tilde y=\tilde x^\top\hat\theta+\hat\sigma\varepsilon`), and its synthetic design law matches the
    real one, so that :math:`\tilde X^\top\tilde X/m\approx X^\top X/n`; then the real fit's covariance is about
    :math:`m/n` times the naive synthetic one and the total is :math:`(1+m/n)` times it. Under a different
    design law, or for a generator that is not a correctly specified linear model, the factor is wrong.

    Parameters
    ----------
    X_syn : array-like, shape ``(..., m, p)`` or ``(m,)``
        Synthetic features; leading axes are a batch of datasets. A 1-D array is one feature.
    y_syn : array-like, shape ``(..., m)``
        Synthetic responses.
    n_real : int
        Real rows the generator was fitted on (more than the number of coefficients).
    confidence : float, default 0.95
    fit_intercept : bool, default True
        Prepend a column of ones; the intercept is then coefficient 0.

    Returns
    -------
    SyntheticInterval
        Arrays whose last axis runs over the :math:`q` coefficients (intercept first).

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> x = rng.normal(size=400); y = 1.0 + 0.5 * x + rng.normal(size=400)
    >>> res = synthetic_regression_interval(x, y, n_real=100)
    >>> res.estimate.shape, bool(np.allclose(res.estimate, np.polyfit(x, y, 1)[::-1]))
    ((2,), True)
    >>> bool(np.allclose(res.se / res.naive_se, np.sqrt(1 + 400 / 100)))
    True
    """
    confidence = check_confidence(confidence)
    fit_intercept = check_bool(fit_intercept, name="fit_intercept")
    X = as_float_array(X_syn, name="X_syn")
    if X.ndim == 1:
        X = X[:, None]
    y = as_float_array(y_syn, name="y_syn")
    if isinstance(y_syn, pd.DataFrame) and y.shape == X.shape[:-1] + (1,):
        y = y[:, 0]  # a one-column table of responses
    if y.shape != X.shape[:-1]:
        raise ValueError(f"y_syn must have shape {X.shape[:-1]} (one response per row of X_syn), got {y.shape}.")
    m = X.shape[-2]
    if fit_intercept:
        X = np.concatenate([np.ones(X.shape[:-1] + (1,)), X], axis=-1)
    q = X.shape[-1]
    if m <= q:
        raise ValueError(f"X_syn has {m} row(s) but {q} coefficients are fitted; at least {q + 1} rows are needed.")
    n = _check_count(n_real, name="n_real", minimum=q + 1)
    gram = np.einsum("...ij,...ik->...jk", X, X)
    singular = ("X_syn: the synthetic design is singular (a constant or duplicated column, or columns that are "
                "linear combinations of each other); drop it or set fit_intercept=False.")
    check_finite_result(gram, what="X_syn^T X_syn", fix=_FIX_SCALE)
    try:
        gram_inv = np.linalg.inv(gram)
    except np.linalg.LinAlgError:
        raise ValueError(singular) from None
    scale = np.sqrt(np.diagonal(gram, axis1=-2, axis2=-1))
    with np.errstate(divide="ignore", invalid="ignore"):
        # collinear columns, whatever their units: the condition number of the gram matrix scaled to unit diagonal
        if np.any(scale == 0) or np.any(np.linalg.cond(gram / (scale[..., :, None] * scale[..., None, :]))
                                        > 1.0 / np.finfo(float).eps):
            raise ValueError(singular)
    coef = np.einsum("...jk,...ik,...i->...j", gram_inv, X, y)
    resid = y - np.einsum("...ij,...j->...i", X, coef)
    s2 = np.einsum("...i,...i->...", resid, resid) / (m - q)
    naive_se = np.sqrt(s2[..., None] * np.diagonal(gram_inv, axis1=-2, axis2=-1))
    se = naive_se * math.sqrt(1.0 + m / n)
    df = corrected_degrees_of_freedom(n, m, n_params=q)
    naive_df = float(m - q)
    half, naive_half = _quantile(confidence, df) * se, _quantile(confidence, naive_df) * naive_se
    check_finite_result(np.stack([coef - half, coef + half, coef - naive_half, coef + naive_half]),
                        what="the coefficient intervals of X_syn, y_syn", fix=_FIX_SCALE)
    return SyntheticInterval(
        estimate=coef, se=se, ci_low=coef - half, ci_high=coef + half, df=df, naive_se=naive_se,
        naive_ci_low=coef - naive_half, naive_ci_high=coef + naive_half, naive_df=naive_df,
        confidence=confidence, n_real=n, n_synthetic=m, n_sets=1, method="regression",
    )


def combine_synthetic_sets(estimates, variances, *, n_real, n_synthetic, rule="posterior", confidence=0.95,
                           n_params=1, axis=-1) -> CombinedInterval:
    r"""Combine the estimates of :math:`K` synthetic sets into one interval.

    Each set :math:`k` gives an estimate :math:`q_k` and its naive variance :math:`u_k` (computed as if the set
    were real data, e.g. ``naive_se ** 2`` of :func:`synthetic_mean_interval`). With :math:`\bar q_K`,
    :math:`\bar u_K` their means and :math:`s^2_{q,K}` the sample variance of the :math:`q_k`:

    .. math:: T_K=\Big(1+\frac1K\Big)s^2_{q,K}-\bar u_K,\qquad
              \nu=(K-1)\Big(1-\frac{\bar u_K}{(1+1/K)\,s^2_{q,K}}\Big)^2 \qquad(\texttt{rule="posterior"}),

    the fully synthetic rule of Raghunathan, Reiter and Rubin (2003). It assumes that each set was drawn from
    the posterior predictive law: a *fresh posterior draw* of the generator's parameters for every set (as
    :class:`synutil.generators.PosteriorGaussianGenerator` does). :math:`T_K` can be :math:`\le0`; it is then
    replaced by the conservative :math:`(m/n)\,\bar u_K` with a normal quantile (Reiter 2002).

    For :math:`K` sets drawn from *one* plug-in fit (no posterior draws), ``rule="plug-in"`` uses
    :math:`T_K=\bar u_K\,(1/K+m/n)` (Raab, Nowok and Dibben 2016) with the degrees of freedom of
    :func:`corrected_degrees_of_freedom`. The naive interval pools the :math:`K` sets as one dataset:
    :math:`\bar q_K\pm t_{K(m-q)}\sqrt{\bar u_K/K}`.

    Parameters
    ----------
    estimates, variances : array-like
        :math:`q_k` and :math:`u_k\ge0`, the :math:`K` sets along ``axis`` (:math:`K\ge2`); other axes a batch.
    n_real : int
        Real rows :math:`n` the generator was fitted on.
    n_synthetic : int
        Rows :math:`m` in each synthetic set.
    rule : {"posterior", "plug-in"}, default "posterior"
        How the sets were generated (see above).
    confidence : float, default 0.95
    n_params : int, default 1
        Coefficients :math:`q` of the analysis model (for the degrees of freedom).
    axis : int, default -1

    Returns
    -------
    CombinedInterval

    Examples
    --------
    >>> res = combine_synthetic_sets([1.0, 1.2, 0.9, 1.1], [0.01, 0.012, 0.011, 0.009], n_real=100, n_synthetic=500)
    >>> round(res.estimate, 3), round(res.between_variance, 5), round(res.within_variance, 4)
    (1.05, 0.01667, 0.0105)
    >>> round(res.se ** 2, 5)                  # (1 + 1/4) * 0.01667 - 0.0105
    0.01033
    >>> bool(res.variance_replaced)
    False
    """
    confidence = check_confidence(confidence)
    if not isinstance(rule, str) or rule not in _RULES:
        raise ValueError(f"rule must be 'posterior' (fresh posterior draw per set) or 'plug-in' (one fit), got {rule!r}.")
    q_ = as_float_array(estimates, name="estimates")
    u_ = as_float_array(variances, name="variances")
    if q_.shape != u_.shape:
        raise ValueError(f"estimates and variances must have the same shape, got {q_.shape} and {u_.shape}.")
    if np.any(u_ < 0):
        raise ValueError("variances must be non-negative (they are squared standard errors).")
    _check_axis(axis, q_.ndim, name="estimates", shape=q_.shape)
    q_, u_ = np.moveaxis(q_, axis, -1), np.moveaxis(u_, axis, -1)
    K = q_.shape[-1]
    if K < 2:
        raise ValueError(f"estimates: the combining rule needs K >= 2 synthetic sets along axis {axis}, got {K}; "
                         "with one set use synthetic_mean_interval or synthetic_regression_interval.")
    p = _check_count(n_params, name="n_params", minimum=1)
    n = _check_count(n_real, name="n_real", minimum=p + 1)
    m = _check_count(n_synthetic, name="n_synthetic", minimum=p + 1)
    q_bar = q_.mean(axis=-1)
    u_bar = u_.mean(axis=-1)
    b = q_.var(axis=-1, ddof=1)
    if rule == "posterior":
        T = (1.0 + 1.0 / K) * b - u_bar
        replaced = T <= 0
        with np.errstate(divide="ignore", invalid="ignore"):
            df = (K - 1) * (1.0 - u_bar / ((1.0 + 1.0 / K) * b)) ** 2
        T = np.where(replaced, (m / n) * u_bar, T)
        df = np.where(replaced, np.inf, df)
    else:
        T = u_bar * (1.0 / K + m / n)
        replaced = np.zeros(np.shape(T), dtype=bool)
        df = np.full(np.shape(T), corrected_degrees_of_freedom(n, m, n_params=p, n_sets=K))
    se = np.sqrt(T)
    naive_se = np.sqrt(u_bar / K)
    naive_df = float(K * (m - p))
    half, naive_half = _quantile(confidence, df) * se, _quantile(confidence, naive_df) * naive_se
    # the interval itself may be infinite (Student's quantile for degrees of freedom near 0); its centre and
    # standard errors may not
    check_finite_result(np.stack([q_bar, se, naive_se]), what="the combined estimate of estimates, variances",
                        fix=_FIX_SCALE)
    replaced = bool(replaced) if np.ndim(replaced) == 0 else replaced
    return CombinedInterval(
        estimate=_as_output(q_bar), se=_as_output(se), ci_low=_as_output(q_bar - half),
        ci_high=_as_output(q_bar + half), df=_as_output(df), naive_se=_as_output(naive_se),
        naive_ci_low=_as_output(q_bar - naive_half), naive_ci_high=_as_output(q_bar + naive_half),
        naive_df=naive_df, confidence=confidence, n_real=n, n_synthetic=m, n_sets=K,
        method=f"combined: {rule}", between_variance=_as_output(b), within_variance=_as_output(u_bar),
        variance_replaced=replaced,
    )


def naive_coverage(n_real, n_synthetic, *, confidence=0.95):
    r"""Large-sample coverage of the naive interval on synthetic data from a plug-in generator.

    .. math:: 2\,\Phi\!\Big(z_{1-\gamma/2}\sqrt{\frac{n}{n+m}}\Big)-1,\qquad 1-\gamma=\text{confidence};

    one minus it is the type-I error of the naive test of a true null. It is the limit as :math:`n\to\infty`
    with :math:`m/n` fixed (the book's inference proposition); :func:`gaussian_mean_coverage` gives the exact
    finite-sample value for a mean.

    Parameters
    ----------
    n_real, n_synthetic : float or array-like
        Real rows :math:`n` and synthetic rows :math:`m` (positive; broadcast together).
    confidence : float, default 0.95

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> round(naive_coverage(100, 100), 3), round(naive_coverage(100, 500), 3), round(naive_coverage(100, 1000), 3)
    (0.834, 0.576, 0.445)
    """
    confidence = check_confidence(confidence)
    n, m = (reworded(as_numbers, v, name=name, low=0.0, low_open=True,
                     message=f"{name} must be a positive, finite number of rows (or an array of them), got "
                             f"{_describe(v)}.")
            for v, name in ((n_real, "n_real"), (n_synthetic, "n_synthetic")))
    try:
        np.broadcast_shapes(n.shape, m.shape)
    except ValueError:
        raise ValueError(f"n_real and n_synthetic must broadcast together, got shapes {n.shape} and "
                         f"{m.shape}.") from None
    z = stats.norm.ppf(0.5 + confidence / 2.0)
    return _as_output(2.0 * stats.norm.cdf(z * np.sqrt(n / (n + m))) - 1.0)


def gaussian_mean_coverage(n_real, n_synthetic, *, interval="naive", confidence=0.95) -> float:
    r"""Exact coverage of the intervals of :func:`synthetic_mean_interval` under a fitted normal generator.

    Real :math:`x_i\sim N(\mu,\sigma^2)`, the generator fits :math:`(\bar x, s^2)` and samples :math:`m` values.
    An interval :math:`\tilde\mu\pm c\,\tilde s\,\omega` covers :math:`\mu` with probability

    .. math:: \mathbb E\Big[2F_{m-1}\Big(\frac{c\,\omega\sqrt{\xi}}{\sqrt{1/n+\xi/m}}\Big)-1\Big],\qquad
              \xi\sim\chi^2_{n-1}/(n-1),

    :math:`F_{m-1}` the Student cdf; the naive interval has :math:`c=t_{m-1}`, :math:`\omega=1/\sqrt m`, the
    corrected one :math:`c=t_\nu`, :math:`\omega=\sqrt{1/n+1/m}`. The expectation is a one-dimensional integral,
    computed by adaptive quadrature to about :math:`10^{-10}`.

    Parameters
    ----------
    n_real, n_synthetic : int
        :math:`n\ge2` and :math:`m\ge2`.
    interval : {"naive", "corrected"}
    confidence : float, default 0.95

    Returns
    -------
    float

    Examples
    --------
    >>> round(gaussian_mean_coverage(100, 100), 4), round(gaussian_mean_coverage(100, 100, interval="corrected"), 4)
    (0.8344, 0.9501)
    """
    confidence = check_confidence(confidence)
    n = _check_count(n_real, name="n_real", minimum=2)
    m = _check_count(n_synthetic, name="n_synthetic", minimum=2)
    if not isinstance(interval, str):
        raise ValueError(f"interval must be 'naive' or 'corrected', got {interval!r}.")
    if interval == "naive":
        c, omega = _quantile(confidence, m - 1), 1.0 / math.sqrt(m)
    elif interval == "corrected":
        c, omega = _quantile(confidence, corrected_degrees_of_freedom(n, m)), math.sqrt(1.0 / n + 1.0 / m)
    else:
        raise ValueError(f"interval must be 'naive' or 'corrected', got {interval!r}.")

    k = n - 1                                       # xi = chi2_k / k; integrate against its density
    log_norm = math.log(k) - (k / 2.0) * math.log(2.0) - special.gammaln(k / 2.0)
    lo, hi = stats.chi2.ppf([1e-14, 1.0 - 1e-14], k) / k    # the mass outside is 2e-14

    def integrand(xi):
        density = math.exp(log_norm + (k / 2.0 - 1.0) * math.log(k * xi) - k * xi / 2.0)
        return (2.0 * special.stdtr(m - 1, c * omega * math.sqrt(xi) / math.sqrt(1.0 / n + xi / m)) - 1.0) * density

    value, _ = integrate.quad(integrand, lo, hi, points=[1.0] if lo < 1.0 < hi else None,
                              epsabs=1e-11, epsrel=1e-11, limit=200)
    return float(value)
