r"""Risk of an ensemble over several synthetic datasets: the line :math:`A+S/K` (the book's Part V).

Train one model on each of :math:`K` synthetic datasets that are i.i.d. given the real sample
:math:`D_n` (one generator fit sampled :math:`K` times, or :math:`K` fits on bootstrap resamples) and
average them, :math:`\bar f_K=\frac1K\sum_k f_k`. Under squared loss the expected real risk is exactly

.. math:: \mathbb E R(\bar f_K)=\sigma^2+A+\frac SK,\qquad
          A=\mathbb E\lVert\mathbb E[f\mid D_n]-\eta\rVert^2_{L^2(P_X)},\quad
          S=\mathbb E\lVert f-\mathbb E[f\mid D_n]\rVert^2_{L^2(P_X)}.

Two numbers fix the whole curve, so risks measured at :math:`K=1` and :math:`K=2` predict every
:math:`K`. :func:`fit_ensemble_risk` does that from paired replications (both risks of a replication
come from the same real sample, the :math:`K=2` ensemble containing the :math:`K=1` model or not).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ._validation import (
    _describe,
    align_series,
    as_float_array,
    as_numbers,
    check_finite_result,
    check_float,
    reworded,
)

__all__ = ["EnsembleRisk", "fit_ensemble_risk"]


def _check_sizes(K) -> np.ndarray:
    message = (f"K must be a number of synthetic datasets >= 1 (or a 1-D array of them; inf gives the limit "
               f"sigma^2 + A), got {_describe(K)}.")
    K_arr = reworded(as_numbers, K, name="K", low=1.0, allow_inf=True, message=message)
    if K_arr.size == 0 or K_arr.ndim > 1:
        raise ValueError(message)
    return K_arr


@dataclass(frozen=True)
class EnsembleRisk:
    r"""The fitted line :math:`\mathbb E R(\bar f_K)=\sigma^2+A+S\,K^{-\text{rate}}` and its standard errors.

    ``A`` and ``S`` are the estimates, ``A_se`` and ``S_se`` their standard errors across
    replications; ``noise_variance`` is the :math:`\sigma^2` subtracted to get ``A`` (it does not enter
    the predicted risks). Use :meth:`predict` for the risk at any :math:`K` and :meth:`compare` to test
    risks measured at some :math:`K` against the line.
    """

    A: float
    S: float
    A_se: float
    S_se: float
    noise_variance: float
    rate: float
    n_replications: int
    risk_1: np.ndarray = field(repr=False)
    risk_2: np.ndarray = field(repr=False)

    def _weight(self, K):
        # predicted risk = (1 - c) * risk_1 + c * risk_2 with c = (1 - K^-rate) / (1 - 2^-rate)
        return (1.0 - _check_sizes(K) ** (-self.rate)) / (1.0 - 2.0 ** (-self.rate))

    def _combine(self, K):
        c = np.atleast_1d(self._weight(K))
        return (1.0 - c)[:, None] * self.risk_1[None, :] + c[:, None] * self.risk_2[None, :]

    def predict(self, K):
        r"""Predicted expected risk at ``K`` datasets and its standard error.

        .. math:: \hat R_K=\sigma^2+\hat A+\hat S K^{-\text{rate}}=(1-c_K)\,\bar R_1+c_K\,\bar R_2,\qquad
                  c_K=\frac{1-K^{-\text{rate}}}{1-2^{-\text{rate}}},

        with the standard error of the mean of the per-replication combinations
        :math:`(1-c_K)R_{1,j}+c_KR_{2,j}` (paired: it keeps the correlation of the two risks).

        Returns
        -------
        risk, se : float, or arrays shaped like ``K``
        """
        Z = self._combine(K)
        risk = Z.mean(axis=1)
        se = Z.std(axis=1, ddof=1) / math.sqrt(self.n_replications)
        if np.ndim(K) == 0:
            return float(risk[0]), float(se[0])
        return risk.reshape(np.shape(K)), se.reshape(np.shape(K))

    def compare(self, K, risk_K):
        r"""Mean deviation of risks measured at ``K`` datasets from the line, with its paired standard error.

        ``risk_K`` holds one risk per replication, from the same replications as ``risk_1`` and
        ``risk_2``. The deviation :math:`\frac1J\sum_j\big(R_{K,j}-(1-c_K)R_{1,j}-c_KR_{2,j}\big)` has mean
        zero when the line is right; its standard error comes from the per-replication differences.

        Returns
        -------
        deviation, se : float
        """
        if np.ndim(K) != 0:
            raise ValueError(f"compare takes one K at a time, got {K!r}.")
        _check_sizes(K)
        r = as_float_array(risk_K, name="risk_K", ndim=1, min_rows=2)
        if r.shape != self.risk_1.shape:
            raise ValueError(f"risk_K must hold one risk per replication ({self.n_replications}), got {r.size}.")
        diff = r - self._combine(K)[0]
        return float(diff.mean()), float(diff.std(ddof=1) / math.sqrt(diff.size))


def fit_ensemble_risk(risk_1, risk_2, *, noise_variance=0.0, rate=1.0) -> EnsembleRisk:
    r"""Estimate :math:`A` and :math:`S` of the ensemble-risk line from risks at :math:`K=1` and :math:`K=2`.

    .. math:: \hat S=\frac{\bar R_1-\bar R_2}{1-2^{-\text{rate}}},\qquad \hat A=\bar R_1-\hat S-\sigma^2,

    where :math:`\bar R_K` averages, over :math:`J` replications, the real risk of the average of the
    models trained on :math:`K` synthetic datasets. With ``rate=1`` (the exact law of the book's
    several-synthetic-sets proposition) this is :math:`\hat S=2(\bar R_1-\bar R_2)`,
    :math:`\hat A=2\bar R_2-\bar R_1-\sigma^2`; other rates are there to measure how far another law
    would be from the data. Both estimates are unbiased when the law holds; they are not clipped at 0.

    Parameters
    ----------
    risk_1, risk_2 : array-like of shape (J,)
        Real risk of the single model and of the two-model average, replication by replication
        (``J >= 2``, the same real sample in entry ``j`` of both).
    noise_variance : float >= 0, default 0
        :math:`\sigma^2`, subtracted so that ``A`` is an excess risk; 0 leaves it in.
    rate : float > 0, default 1
        The exponent of :math:`K` in the line.

    Returns
    -------
    EnsembleRisk

    Examples
    --------
    A toy with known answer: :math:`\sigma^2=1`, :math:`A=0.5`, :math:`S=0.2`, no sampling noise.

    >>> line = fit_ensemble_risk([1.7, 1.7], [1.6, 1.6], noise_variance=1.0)
    >>> round(line.A, 12), round(line.S, 12)
    (0.5, 0.2)
    >>> risk, se = line.predict(10)
    >>> round(risk, 12), se
    (1.52, 0.0)
    """
    risk_1, risk_2 = align_series(risk_1, risk_2, names=("risk_1", "risk_2"))  # replications matched by label
    r1 = as_float_array(risk_1, name="risk_1", ndim=1, min_rows=2)
    r2 = as_float_array(risk_2, name="risk_2", ndim=1, min_rows=2)
    if r1.shape != r2.shape:
        raise ValueError(f"risk_1 and risk_2 must be paired (one entry per replication), got lengths {r1.size} and {r2.size}.")
    reworded(check_float, noise_variance, name="noise_variance", low=0.0,
             message=f"noise_variance must be a finite number >= 0, got {_describe(noise_variance)}.")
    reworded(check_float, rate, name="rate", low=0.0, low_open=True,
             message=f"rate must be a positive number, got {_describe(rate)}.")
    if 1.0 - 2.0 ** (-rate) == 0.0:
        raise ValueError(f"rate={rate!r} is too small: 1 - 2**-rate rounds to 0 in float64, so S cannot be "
                         "separated from A; use a rate of at least 1e-15.")
    J = r1.size
    s = (r1 - r2) / (1.0 - 2.0 ** (-rate))      # per-replication estimates of S ...
    a = r1 - s - noise_variance                  # ... and of A; their means are the estimates
    check_finite_result(np.r_[a.mean(), s.mean(), a.std(ddof=1), s.std(ddof=1)],
                        what="the fit of A and S (with standard errors)",
                        fix="rescale risk_1 and risk_2 (e.g. divide them by their largest absolute value)")
    return EnsembleRisk(A=float(a.mean()), S=float(s.mean()), A_se=float(a.std(ddof=1) / math.sqrt(J)),
                        S_se=float(s.std(ddof=1) / math.sqrt(J)), noise_variance=float(noise_variance),
                        rate=float(rate), n_replications=int(J), risk_1=r1, risk_2=r2)
