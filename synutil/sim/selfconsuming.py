r"""Self-consuming loops: generators refitted, generation after generation, on their own samples.

A **refit chain** starts from the real law (or a real sample). Generation :math:`t\ge1` draws a training set,
partly from the generator of generation :math:`t-1` and partly (a fraction :math:`w`) fresh from the real law,
and fits the generator of generation :math:`t` on it. This module simulates such chains, vectorised over many
independent chains, and gives the exact expected moments the book's self-consuming chapter proves:

* :func:`gaussian_refit_chain` -- the Gaussian chain (mean and variance with divisor :math:`n-\text{ddof}`);
* :func:`gaussian_chain_moments`, :func:`gaussian_chain_log_drift`, :func:`fresh_data_fixed_point` -- its
  exact expected variance, mean drift, log-variance drift and the fixed point with fresh data;
* :func:`regression_refit_chain`, :func:`regression_chain_moments` -- the same for a linear-Gaussian response
  generator (least squares through the origin), whose downstream regression the chapter follows;
* :func:`refit_chain` -- any generator with ``fit``/``sample`` (e.g. :class:`synutil.generators.KDEGenerator`)
  refitted on its own samples, recording a statistic of each generation's sample;
* :func:`kde_chain_moments` -- the exact expected variance and mean drift of the Gaussian KDE chain.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import digamma, polygamma

from .._validation import (
    _describe,
    as_float_array,
    as_numbers,
    check_bool,
    check_finite_result,
    check_float,
    check_int,
    check_memory,
    check_random_state,
    reworded,
)
from ..generators.kde import kde_bandwidth_factor

__all__ = [
    "GaussianChain",
    "ChainMoments",
    "gaussian_refit_chain",
    "gaussian_chain_moments",
    "gaussian_chain_log_drift",
    "fresh_data_fixed_point",
    "RegressionChain",
    "RegressionChainMoments",
    "regression_refit_chain",
    "regression_chain_moments",
    "refit_chain",
    "kde_chain_moments",
]


def _check_size(n, *, name="n", minimum=2) -> int:
    return reworded(check_int, n, name=name, low=minimum,
                    message=f"{name} must be an integer >= {minimum}, got {_describe(n)}.")


def _check_fraction(w) -> float:
    return reworded(check_float, w, name="fresh_fraction", low=0.0, high=1.0, high_open=True,
                    message=f"fresh_fraction must lie in [0, 1) (the share of fresh real rows), got {_describe(w)}.")


def _check_ddof(ddof, n) -> int:
    return reworded(check_int, ddof, name="ddof", low=0, high=1,
                    message=f"ddof must be 0 (maximum likelihood) or 1 (unbiased), got {_describe(ddof)}.")


def _check_sd(sd, message: str) -> None:
    """``sd`` a positive finite number whose square does not overflow (the chains work with variances)."""
    reworded(check_float, sd, name="sd", low=0.0, low_open=True, message=message)
    if not np.isfinite(np.float64(sd) ** 2):
        raise ValueError(f"sd={sd!r} is too large: sd**2 overflows float64; rescale the law (e.g. sd=1).")


def _check_chain_memory(n_floats, fix: str) -> None:
    check_memory(8.0 * n_floats, what="the chains' arrays", fix=fix)


_FIX_CHAIN = "rescale the law (mean and sd of order 1) or lower n_generations: the chain overflowed float64"


def _n_fresh(n, w) -> int:
    k = int(round(w * n))
    if not np.isclose(k, w * n):
        raise ValueError(f"fresh_fraction * n must be a whole number of rows, got {w} * {n} = {w * n}.")
    return k


@dataclass(frozen=True)
class GaussianChain:
    """The fitted means and variances of ``J`` independent Gaussian refit chains.

    Column 0 is the real law (``mean``, ``sd**2``); column ``t`` is the fit of generation ``t``.
    """

    means: np.ndarray       # (J, T + 1)
    variances: np.ndarray   # (J, T + 1)
    n: int
    n_fresh: int
    ddof: int


@dataclass(frozen=True)
class ChainMoments:
    r"""Exact expected moments of the Gaussian chain, for :math:`t=0,\dots,T`.

    ``variance[t]`` is :math:`\mathbb E\hat\sigma_t^2`, ``mean_sq_drift[t]`` is
    :math:`\mathbb E(\hat\mu_t-\mu_0)^2`, and ``variance_sd[t]`` the standard deviation of
    :math:`\hat\sigma_t^2` (known in closed form without fresh data; NaN otherwise).
    """

    variance: np.ndarray
    mean_sq_drift: np.ndarray
    variance_sd: np.ndarray


def gaussian_refit_chain(n, n_generations, *, n_chains=1, mean=0.0, sd=1.0, fresh_fraction=0.0, ddof=0,
                         random_state=None) -> GaussianChain:
    r"""Simulate ``n_chains`` Gaussian refit chains at once.

    Generation :math:`t\ge1` trains on :math:`n` rows: :math:`k=wn` fresh rows from the real law
    :math:`N(\mu_0,\sigma_0^2)` and :math:`n-k` rows from the previous fit :math:`N(\hat\mu_{t-1},\hat\sigma_{t-1}^2)`
    (generation 0 is the real law), and fits

    .. math:: \hat\mu_t=\frac1n\sum_{i=1}^n x_i,\qquad \hat\sigma_t^2=\frac{1}{n-\text{ddof}}\sum_{i=1}^n(x_i-\hat\mu_t)^2 .

    Parameters
    ----------
    n : int
        Training-set size of every generation (the pooled size when ``fresh_fraction > 0``), at least 2.
    n_generations : int
        :math:`T`, the number of refits.
    n_chains : int
        :math:`J`, independent chains simulated together (one array row each).
    mean, sd : float
        :math:`\mu_0`, :math:`\sigma_0` of the real law.
    fresh_fraction : float in [0, 1)
        :math:`w`; :math:`wn` must be a whole number.
    ddof : {0, 1}
        0: maximum-likelihood variance (divisor :math:`n`); 1: unbiased (divisor :math:`n-1`).
    random_state : None, int, SeedSequence or Generator

    Returns
    -------
    GaussianChain
        ``means`` and ``variances`` of shape ``(n_chains, n_generations + 1)``.

    Examples
    --------
    >>> chain = gaussian_refit_chain(50, 3, n_chains=4, random_state=0)
    >>> chain.variances.shape, chain.variances[:, 0].tolist()
    ((4, 4), [1.0, 1.0, 1.0, 1.0])
    >>> bool(np.all(chain.variances[:, 1:] < 2))
    True
    """
    n = _check_size(n)
    T = _check_size(n_generations, name="n_generations", minimum=1)
    J = _check_size(n_chains, name="n_chains", minimum=1)
    w = _check_fraction(fresh_fraction)
    ddof = _check_ddof(ddof, n)
    message = f"mean must be finite and sd positive, got mean={mean!r}, sd={sd!r}."
    reworded(check_float, mean, name="mean", message=message)
    _check_sd(sd, message)
    k = _n_fresh(n, w)
    _check_chain_memory(J * n + 2 * J * (T + 1), "lower n_chains, n or n_generations")
    rng = check_random_state(random_state)
    means = np.empty((J, T + 1))
    variances = np.empty((J, T + 1))
    means[:, 0], variances[:, 0] = mean, sd ** 2
    x = np.empty((J, n))
    for t in range(1, T + 1):
        x[:, :k] = mean + sd * rng.standard_normal((J, k))
        x[:, k:] = means[:, t - 1, None] + np.sqrt(variances[:, t - 1, None]) * rng.standard_normal((J, n - k))
        means[:, t] = x.mean(axis=1)
        variances[:, t] = x.var(axis=1, ddof=ddof)
    check_finite_result(np.stack([means, variances]), what="the chain of fitted means and variances", fix=_FIX_CHAIN)
    return GaussianChain(means=means, variances=variances, n=n, n_fresh=k, ddof=ddof)


def gaussian_chain_moments(n, n_generations, *, sd=1.0, fresh_fraction=0.0, ddof=0) -> ChainMoments:
    r"""Exact :math:`\mathbb E\hat\sigma_t^2` and :math:`\mathbb E(\hat\mu_t-\mu_0)^2` of the Gaussian refit chain.

    With :math:`v_t=\mathbb E\hat\sigma_t^2`, :math:`e_t=\mathbb E(\hat\mu_t-\mu_0)^2`, :math:`v_0=\sigma_0^2`,
    :math:`e_0=0` and fresh fraction :math:`w`,

    .. math::
        v_t=\frac{(n-1)\big(w\sigma_0^2+(1-w)v_{t-1}\big)+n\,w(1-w)\,e_{t-1}}{n-\text{ddof}},\qquad
        e_t=\frac{w\sigma_0^2+(1-w)v_{t-1}}{n}+(1-w)^2e_{t-1}.

    Without fresh data (:math:`w=0`) this is :math:`v_t=\big(\frac{n-1}{n-\text{ddof}}\big)^t\sigma_0^2` and
    :math:`e_t=\frac{\sigma_0^2}{n}\sum_{s<t}\big(\frac{n-1}{n-\text{ddof}}\big)^s`, and the standard deviation of
    :math:`\hat\sigma_t^2` is :math:`\sigma_0^2\sqrt{\big(\frac{n^2-1}{(n-\text{ddof})^2}\big)^t-\big(\frac{n-1}{n-\text{ddof}}\big)^{2t}}`.
    For the maximum-likelihood fit (``ddof=0``) and any :math:`w`, :math:`v_t+e_t=\sigma_0^2` and
    :math:`e_t=e^*(1-\lambda^t)` with :math:`\lambda=(1-w)(1-w-1/n)` and :math:`e^*` of :func:`fresh_data_fixed_point`
    (the self-consuming chapter of the book proves both).

    Parameters
    ----------
    n : int
        Training-set size of every generation (at least 2).
    n_generations : int
        :math:`T`; the moments are returned for :math:`t=0,\dots,T`.
    sd : float
        :math:`\sigma_0`.
    fresh_fraction : float in [0, 1)
        :math:`w`.
    ddof : {0, 1}
        Divisor :math:`n-\text{ddof}` of the fitted variance.

    Examples
    --------
    >>> mom = gaussian_chain_moments(50, 40)
    >>> round(float(mom.variance[40]), 4), round(float(mom.mean_sq_drift[40]), 4)   # 0.98 ** 40, 1 - 0.98 ** 40
    (0.4457, 0.5543)
    """
    n = _check_size(n)
    T = _check_size(n_generations, name="n_generations", minimum=0)
    w = _check_fraction(fresh_fraction)
    ddof = _check_ddof(ddof, n)
    _check_sd(sd, f"sd must be positive, got {_describe(sd)}.")
    _check_chain_memory(4 * (T + 1), "lower n_generations")
    s2 = float(sd) ** 2
    a = np.empty(T + 1)
    b = np.empty(T + 1)
    a[0], b[0] = s2, 0.0
    for t in range(1, T + 1):
        a[t] = ((n - 1) * (w * s2 + (1 - w) * a[t - 1]) + n * w * (1 - w) * b[t - 1]) / (n - ddof)
        b[t] = (w * s2 + (1 - w) * a[t - 1]) / n + (1 - w) ** 2 * b[t - 1]
    if w == 0:
        t = np.arange(T + 1)
        second = s2 ** 2 * ((n ** 2 - 1) / (n - ddof) ** 2) ** t
        sd_var = np.sqrt(np.maximum(second - a ** 2, 0.0))
    else:
        sd_var = np.full(T + 1, np.nan)
    check_finite_result(np.stack([a, b] + ([sd_var] if w == 0 else [])), what="the chain's moments",
                        fix="lower n_generations or rescale sd (the moments overflow float64)")
    return ChainMoments(variance=a, mean_sq_drift=b, variance_sd=sd_var)


def gaussian_chain_log_drift(n, *, ddof=0) -> tuple[float, float]:
    r"""Mean and variance of one generation's step :math:`\log(\hat\sigma_t^2/\hat\sigma_{t-1}^2)` without fresh data.

    The step is :math:`\log\big(\chi^2_{n-1}/(n-\text{ddof})\big)`, so

    .. math:: \mathbb E=\psi\big(\tfrac{n-1}{2}\big)+\log\frac{2}{n-\text{ddof}},\qquad
              \operatorname{Var}=\psi'\big(\tfrac{n-1}{2}\big),

    with :math:`\psi` the digamma function. The mean is negative for both estimators (Jensen's inequality), so
    :math:`\log\hat\sigma_t^2\to-\infty` almost surely.

    Examples
    --------
    >>> m, v = gaussian_chain_log_drift(50)
    >>> bool(m < np.log(49 / 50) < 0), round(v, 4)
    (True, 0.0417)
    """
    n = _check_size(n)
    ddof = _check_ddof(ddof, n)
    return float(digamma((n - 1) / 2) + np.log(2 / (n - ddof))), float(polygamma(1, (n - 1) / 2))


def fresh_data_fixed_point(n, fresh_fraction, *, sd=1.0, ddof=0, include_mean_drift=True) -> tuple[float, float]:
    r"""Fixed point :math:`(v^*,e^*)` of the recursion of :func:`gaussian_chain_moments` with fresh data, :math:`w>0`.

    :math:`(v^*,e^*)` solves the two linear equations :math:`v=\frac{(n-1)(w\sigma_0^2+(1-w)v)+nw(1-w)e}{n-\text{ddof}}`
    and :math:`e=\frac{w\sigma_0^2+(1-w)v}{n}+(1-w)^2e`. For the maximum-likelihood fit (``ddof=0``) the solution is

    .. math:: e^*=\frac{\sigma_0^2}{1+w\,(n(2-w)-1)},\qquad v^*=\sigma_0^2-e^* .

    With ``include_mean_drift=False`` the mean-drift term :math:`nw(1-w)e` is dropped, which gives the
    approximation (a lower bound on :math:`v^*`)

    .. math:: v^*\approx\frac{(n-1)w/(n-\text{ddof})}{1-(n-1)(1-w)/(n-\text{ddof})}\,\sigma_0^2,

    returned with ``b = nan``.

    Examples
    --------
    >>> round(fresh_data_fixed_point(100, 0.1, include_mean_drift=False)[0], 4)   # 0.099 / 0.109
    0.9083
    >>> a, b = fresh_data_fixed_point(100, 0.1)
    >>> round(a, 4), round(b, 4)   # b = 1 / 19.9
    (0.9497, 0.0503)
    """
    n = _check_size(n)
    w = _check_fraction(fresh_fraction)
    if w == 0:
        raise ValueError("without fresh data (fresh_fraction=0) there is no fixed point above 0: the variance collapses.")
    ddof = _check_ddof(ddof, n)
    _check_sd(sd, f"sd must be positive, got {_describe(sd)}.")
    include_mean_drift = check_bool(include_mean_drift, name="include_mean_drift")
    s2 = float(sd) ** 2
    c = (n - 1) / (n - ddof)
    if not include_mean_drift:
        return float(c * w / (1 - c * (1 - w)) * s2), float("nan")
    # a (1 - c (1-w)) - [n w (1-w) / (n - ddof)] b = c w s2 ;  -(1-w)/n a + (1 - (1-w)^2) b = w s2 / n
    A = np.array([[1 - c * (1 - w), -n * w * (1 - w) / (n - ddof)], [-(1 - w) / n, 1 - (1 - w) ** 2]])
    a, b = np.linalg.solve(A, [c * w * s2, w * s2 / n])
    return float(a), float(b)


@dataclass(frozen=True)
class RegressionChain:
    """Fitted slopes and residual variances of ``J`` independent regression refit chains.

    Column 0 is the real law (``slope``, ``sd**2``); column ``t`` is the fit of generation ``t``.
    """

    slopes: np.ndarray      # (J, T + 1)
    variances: np.ndarray   # (J, T + 1)
    n: int
    n_fresh: int
    ddof: int


@dataclass(frozen=True)
class RegressionChainMoments:
    r"""Exact :math:`\mathbb E\hat\sigma_t^2` (``variance``) and :math:`\mathbb E(\hat\theta_t-\theta_0)^2`
    (``slope_sq_error``) of the regression refit chain, for :math:`t=0,\dots,T`."""

    variance: np.ndarray
    slope_sq_error: np.ndarray

    def downstream_excess(self, m):
        r"""Expected real excess risk of least squares (through the origin) on ``m`` rows of generation ``t``.

        .. math:: \mathbb E\big[(\hat\theta^{\,\rm down}_t-\theta_0)^2\big]=e_t+\frac{v_t}{m-2}\qquad(X\sim N(0,1))
        """
        m = _check_size(m, name="m", minimum=3)
        return self.slope_sq_error + self.variance / (m - 2)


def regression_refit_chain(n, n_generations, *, n_chains=1, slope=1.0, sd=1.0, fresh_fraction=0.0, ddof=0,
                           random_state=None) -> RegressionChain:
    r"""Simulate ``n_chains`` refit chains of a linear-Gaussian response generator at once.

    The real law is :math:`X\sim N(0,1)`, :math:`Y=\theta_0X+\sigma_0\varepsilon`. The generator keeps the real
    feature law and models the response: generation :math:`t\ge1` draws :math:`n` features from :math:`N(0,1)`,
    gives :math:`k=wn` of them fresh real responses and the others responses from the previous fit
    :math:`\hat\theta_{t-1}x+\hat\sigma_{t-1}\varepsilon` (generation 0 is the real law), and fits least squares
    through the origin,

    .. math:: \hat\theta_t=\frac{\sum_ix_iy_i}{\sum_ix_i^2},\qquad
              \hat\sigma_t^2=\frac{1}{n-\text{ddof}}\sum_i(y_i-\hat\theta_tx_i)^2 .

    Parameters are as in :func:`gaussian_refit_chain`; ``slope`` is :math:`\theta_0`, ``n >= 3``.

    Examples
    --------
    >>> chain = regression_refit_chain(30, 2, n_chains=3, slope=2.0, random_state=0)
    >>> chain.slopes.shape, chain.slopes[:, 0].tolist()
    ((3, 3), [2.0, 2.0, 2.0])
    """
    n = _check_size(n, minimum=3)
    T = _check_size(n_generations, name="n_generations", minimum=1)
    J = _check_size(n_chains, name="n_chains", minimum=1)
    w = _check_fraction(fresh_fraction)
    ddof = _check_ddof(ddof, n)
    message = f"slope must be finite and sd positive, got slope={slope!r}, sd={sd!r}."
    reworded(check_float, slope, name="slope", message=message)
    _check_sd(sd, message)
    k = _n_fresh(n, w)
    _check_chain_memory(3 * J * n + 2 * J * (T + 1), "lower n_chains, n or n_generations")
    rng = check_random_state(random_state)
    slopes = np.empty((J, T + 1))
    variances = np.empty((J, T + 1))
    slopes[:, 0], variances[:, 0] = slope, sd ** 2
    y = np.empty((J, n))
    for t in range(1, T + 1):
        x = rng.standard_normal((J, n))
        noise = rng.standard_normal((J, n))
        y[:, :k] = slope * x[:, :k] + sd * noise[:, :k]
        y[:, k:] = slopes[:, t - 1, None] * x[:, k:] + np.sqrt(variances[:, t - 1, None]) * noise[:, k:]
        fit = np.sum(x * y, axis=1) / np.sum(x * x, axis=1)
        slopes[:, t] = fit
        variances[:, t] = np.sum((y - fit[:, None] * x) ** 2, axis=1) / (n - ddof)
    check_finite_result(np.stack([slopes, variances]), what="the chain of fitted slopes and variances", fix=_FIX_CHAIN)
    return RegressionChain(slopes=slopes, variances=variances, n=n, n_fresh=k, ddof=ddof)


def regression_chain_moments(n, n_generations, *, sd=1.0, fresh_fraction=0.0, ddof=0) -> RegressionChainMoments:
    r"""Exact :math:`v_t=\mathbb E\hat\sigma_t^2` and :math:`e_t=\mathbb E(\hat\theta_t-\theta_0)^2` of :func:`regression_refit_chain`.

    With :math:`k=wn` fresh rows and :math:`s=n-k` synthetic ones, :math:`v_0=\sigma_0^2`, :math:`e_0=0`,

    .. math::
        e_t=\frac{s(s+2)}{n(n+2)}\,e_{t-1}+\frac{(k\sigma_0^2+s\,v_{t-1})/n}{n-2},\qquad
        v_t=\frac{\frac{n-1}{n}\big(k\sigma_0^2+s\,v_{t-1}\big)+\frac{sk}{n+2}\,e_{t-1}}{n-\text{ddof}} .

    (:math:`\sum x_i^2\sim\chi^2_n` is independent of the synthetic share
    :math:`B=\sum_{\rm syn}x_i^2/\sum x_i^2\sim\mathrm{Beta}(s/2,k/2)`, and :math:`\mathbb E[1/\chi^2_n]=1/(n-2)`.)

    Examples
    --------
    >>> mom = regression_chain_moments(50, 2)
    >>> round(float(mom.slope_sq_error[1]), 5), round(float(mom.slope_sq_error[2]), 5)   # 1/48, (1 + 0.98)/48
    (0.02083, 0.04125)
    """
    n = _check_size(n, minimum=3)
    T = _check_size(n_generations, name="n_generations", minimum=0)
    w = _check_fraction(fresh_fraction)
    ddof = _check_ddof(ddof, n)
    _check_sd(sd, f"sd must be positive, got {_describe(sd)}.")
    _check_chain_memory(2 * (T + 1), "lower n_generations")
    s2 = float(sd) ** 2
    k = _n_fresh(n, w)
    syn = n - k
    a = np.empty(T + 1)
    b = np.empty(T + 1)
    a[0], b[0] = s2, 0.0
    for t in range(1, T + 1):
        pooled = k * s2 + syn * a[t - 1]
        b[t] = syn * (syn + 2) / (n * (n + 2)) * b[t - 1] + pooled / n / (n - 2)
        a[t] = ((n - 1) / n * pooled + syn * k / (n + 2) * b[t - 1]) / (n - ddof)
    check_finite_result(np.stack([a, b]), what="the chain's moments",
                        fix="lower n_generations or rescale sd (the moments overflow float64)")
    return RegressionChainMoments(variance=a, slope_sq_error=b)


def refit_chain(generator, X, n_generations, *, n_rows=None, statistic=None, fresh=None, fresh_fraction=0.0,
                random_state=None):
    r"""Refit ``generator`` on its own samples for ``n_generations`` generations, starting from the real rows ``X``.

    Sample 0 is ``X``. For :math:`t\ge1` the generator is fitted on sample :math:`t-1` and sample :math:`t` is
    :math:`n-k` of its rows plus :math:`k=wn` fresh real rows ``fresh(k, rng)`` (rows of the real law), so with
    :math:`w=0` each generation sees only the previous generation's output:

    .. math:: X^{(t)}\sim\tilde P\big[X^{(t-1)}\big]^{\,n},\qquad t=1,\dots,T.

    Parameters
    ----------
    generator : object with ``fit(X)`` and ``sample(n, random_state=...)``
        Refitted in place at every generation, e.g. :class:`synutil.generators.KDEGenerator`.
    X : array-like ``(n, p)``
        The real sample.
    n_generations : int
    n_rows : int, optional
        Rows per generation; default ``len(X)``.
    statistic : callable, optional
        Applied to every sample ``X^{(t)}``; default: the array itself (a copy).
    fresh : callable ``fresh(k, rng) -> (k, p)``, optional
        Draws fresh real rows; needed when ``fresh_fraction > 0``.
    fresh_fraction : float in [0, 1)
    random_state : None, int, SeedSequence or Generator

    Returns
    -------
    list
        ``[statistic(X^{(0)}), ..., statistic(X^{(T)})]``.

    Examples
    --------
    >>> from synutil.generators import KDEGenerator
    >>> X = np.random.default_rng(0).normal(size=(40, 1))
    >>> v = refit_chain(KDEGenerator(bandwidth=0.1), X, 3, statistic=lambda Z: float(Z.var()), random_state=0)
    >>> len(v), v[0] == float(X.var())
    (4, True)
    """
    if not (callable(getattr(generator, "fit", None)) and callable(getattr(generator, "sample", None))):
        raise ValueError(f"generator must have fit(X) and sample(n, random_state=...) (e.g. "
                         f"synutil.generators.KDEGenerator()), got {_describe(generator)}.")
    X = as_float_array(X, name="X", ndim=2, min_rows=2)
    T = _check_size(n_generations, name="n_generations", minimum=1)
    n = len(X) if n_rows is None else _check_size(n_rows, name="n_rows")
    w = _check_fraction(fresh_fraction)
    k = _n_fresh(n, w)
    if k > 0 and not callable(fresh):
        raise ValueError("fresh_fraction > 0 needs fresh(k, rng), a function that draws k real rows.")
    if statistic is not None and not callable(statistic):
        raise ValueError(f"statistic must be a function of one sample (or None for the samples), got "
                         f"{_describe(statistic)}.")
    statistic = (lambda Z: Z.copy()) if statistic is None else statistic
    rng = check_random_state(random_state)
    out = [statistic(X)]
    current = X
    for t in range(1, T + 1):
        generator.fit(current)
        synthetic = _generated_rows(generator.sample(n - k, random_state=rng), n - k, X.shape[1], t)
        if k > 0:
            real = _fresh_rows(fresh(k, rng), k, X.shape[1])
            synthetic = np.vstack([real, synthetic])
        current = synthetic
        out.append(statistic(current))
    return out


def _generated_rows(drawn, n_rows: int, p: int, t: int) -> np.ndarray:
    """The rows of ``generator.sample(...)``, a tuple ``(X, y)`` as synutil's generators return, checked."""
    what = f"generator.sample({n_rows}) at generation {t}"
    if not isinstance(drawn, (tuple, list)):
        raise ValueError(f"{what} returned a {type(drawn).__name__}; refit_chain needs (X, y) like synutil's "
                         "generators (y may be None): wrap it, e.g. return X, None.")
    rows = as_float_array(drawn[0], name=f"the rows X of {what}", ndim=2)
    if rows.shape != (n_rows, p):
        raise ValueError(f"{what} returned rows of shape {rows.shape}; expected ({n_rows}, {p}).")
    return rows


def _fresh_rows(drawn, k: int, p: int) -> np.ndarray:
    """The rows of ``fresh(k, rng)``: (k, p), or k values when p = 1."""
    name = f"fresh({k}, rng)"
    rows = as_float_array(drawn, name=name)
    if rows.ndim == 1 and p == 1:
        rows = rows[:, None]
    if rows.shape != (k, p):
        raise ValueError(f"{name} returned an array of shape {rows.shape}; it must draw {k} real rows of {p} "
                         f"column(s), shape ({k}, {p}).")
    return rows


def kde_chain_moments(n, n_generations, *, variance0, bandwidth="scott", p=1) -> tuple[np.ndarray, np.ndarray]:
    r"""Exact expected sample variance and mean drift of the KDE refit chain (per column, given sample 0).

    With :math:`S_t^2` the empirical variance (divisor :math:`n`) of sample :math:`t`, :math:`\bar x_t` its mean,
    :math:`\beta_t` the kernel standard deviation fitted on it, and :math:`\bar S_t^2=\mathbb E S_t^2`:

    .. math::
        \mathbb E[S_{t+1}^2\mid X^{(t)}]=\tfrac{n-1}{n}\big(S_t^2+\beta_t^2\big),\qquad
        \mathbb E(\bar x_t-\bar x_0)^2=\frac1n\sum_{s<t}\mathbb E\big(S_s^2+\beta_s^2\big),

    so :math:`\bar S_t^2=\gamma^tS_0^2+(n-1)\beta^2(1-\gamma^t)` for a fixed bandwidth :math:`\beta` (:math:`\gamma=\frac{n-1}{n}`),
    and :math:`\bar S_t^2=(\gamma+c_n^2)^tS_0^2` for a rule :math:`\beta_t=c_n s_t` (:math:`s_t^2=\frac{n}{n-1}S_t^2`).

    Parameters
    ----------
    n : int
        Rows per generation.
    n_generations : int
    variance0 : float or array
        :math:`S_0^2` of the real sample (divisor :math:`n`), per column.
    bandwidth : {"scott", "silverman"} or float
        As in :class:`synutil.generators.KDEGenerator`.
    p : int
        Dimension (enters the rules' factor).

    Returns
    -------
    (variance, mean_sq_drift) : arrays of shape ``(T + 1,) + shape(variance0)``

    Examples
    --------
    >>> v, d = kde_chain_moments(50, 2, variance0=1.0, bandwidth=0.1)
    >>> np.round(v, 4).tolist()   # 1, 0.98 (1 + 0.01), 0.98 (0.9898 + 0.01)
    [1.0, 0.9898, 0.9798]
    """
    n = _check_size(n)
    T = _check_size(n_generations, name="n_generations", minimum=0)
    reworded(as_numbers, variance0, name="variance0", low=0.0,
             message=f"variance0 must be finite and non-negative, got {_describe(variance0)}.")
    v0 = np.asarray(variance0, dtype=float)
    p = reworded(check_int, p, name="p", low=1, message=f"p must be a positive integer dimension, got {_describe(p)}.")
    if isinstance(bandwidth, str):
        if bandwidth not in ("scott", "silverman"):
            raise ValueError(f"bandwidth must be 'scott', 'silverman' or a positive number, got {bandwidth!r}.")
    else:
        reworded(check_float, bandwidth, name="bandwidth", low=0.0, low_open=True,
                 message=f"a float bandwidth must be positive, got {_describe(bandwidth)}.")
    _check_chain_memory(4 * (T + 1) * max(v0.size, 1), "lower n_generations")
    rho = (n - 1) / n
    v = np.empty((T + 1,) + v0.shape)
    v[0] = v0
    kernel = np.empty_like(v)   # E beta_t^2
    if isinstance(bandwidth, str):
        c2 = kde_bandwidth_factor(n, p, rule=bandwidth) ** 2
        try:
            for t in range(T + 1):
                v[t] = (rho + c2) ** t * v0
                kernel[t] = c2 * n / (n - 1) * v[t]
        except OverflowError:
            raise ValueError(f"the expected variance overflows float64 before generation {T} (it grows like "
                             f"{rho + c2:.4g}^t); lower n_generations.") from None
    else:
        b2 = float(bandwidth) ** 2
        if not b2 > 0:
            raise ValueError(f"a float bandwidth must be positive, got {bandwidth!r}.")
        for t in range(T + 1):
            v[t] = rho ** t * v0 + (n - 1) * b2 * (1 - rho ** t)
        kernel[:] = b2
    drift = np.concatenate([np.zeros((1,) + v0.shape), np.cumsum(v + kernel, axis=0)[:-1] / n])
    check_finite_result(np.stack([v, drift]), what="the chain's expected variance and drift",
                        fix="lower n_generations or rescale variance0 and bandwidth (they overflow float64)")
    return v, drift
