r"""Ranking consistency of models trained on synthetic data (Definition 2 of the book).

Learners :math:`\mathcal A_1,\dots,\mathcal A_K` are trained on real data and on synthetic data and all are
scored on real data. Risks are arrays of shape ``(replications, models)``. The synthetic ranking is
*consistent* when every pairwise order agrees with the real one. :func:`ranking_consistency` reports, over
replications, the probability of the same order, Kendall's :math:`\tau_b`, the share of agreeing pairs and
top-1 agreement; :func:`generalization_gap` is the gap :math:`\Delta_{\min}=\min_{k\ne l}|r_k-r_l|` that
Theorem 5 of the book compares with the utility.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from ._validation import as_float_array, check_confidence
from .utility import _t_interval

__all__ = ["RankingResult", "kendall_tau", "generalization_gap", "ranking_consistency"]


def _pair_signs(A: np.ndarray) -> np.ndarray:
    """Signs of ``A[:, k] - A[:, l]`` for all pairs ``k < l``: shape (R, K(K-1)/2)."""
    k, l = np.triu_indices(A.shape[1], 1)
    return np.sign(A[:, k] - A[:, l])


def _tau_b(sa: np.ndarray, sb: np.ndarray) -> np.ndarray:
    """Row-wise Kendall tau-b from pairwise signs; NaN where a row has only ties."""
    num = np.sum(sa * sb, axis=1)
    den = np.sqrt(np.sum(sa * sa, axis=1) * np.sum(sb * sb, axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def kendall_tau(a, b) -> float:
    r"""Kendall's rank correlation :math:`\tau_b` (tie-corrected), equal to :func:`scipy.stats.kendalltau`.

    .. math:: \tau_b = \frac{\sum_{i<j} \operatorname{sgn}(a_i-a_j)\operatorname{sgn}(b_i-b_j)}
              {\sqrt{\sum_{i<j}\operatorname{sgn}(a_i-a_j)^2\;\sum_{i<j}\operatorname{sgn}(b_i-b_j)^2}}

    Range :math:`[-1, 1]`: 1 = same order, -1 = reversed order; higher is better when comparing a
    synthetic ranking with the real one.

    Raises
    ------
    ValueError
        If the vectors differ in length, have fewer than 2 entries, contain NaN, or if either vector is all
        ties (constant): :math:`\tau_b` is then 0/0, undefined (scipy returns NaN; we raise).

    Examples
    --------
    >>> kendall_tau([1, 2, 3, 4], [1, 3, 2, 4])
    0.6666666666666666
    """
    a = as_float_array(a, name="a", ndim=1, min_rows=2)
    b = as_float_array(b, name="b", ndim=1, min_rows=2)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same length, got {a.size} and {b.size}.")
    for name, v in (("a", a), ("b", b)):
        if np.all(v == v[0]):
            raise ValueError(f"Kendall's tau is undefined: {name} is constant (all values tied).")
    if a.size > 2000:  # O(n log n) algorithm for long vectors
        return float(stats.kendalltau(a, b).statistic)
    return float(_tau_b(_pair_signs(a[None, :]), _pair_signs(b[None, :]))[0])


def _risks(risks, name: str) -> np.ndarray:
    risks = as_float_array(risks, name=name, ndim=2, min_rows=1)
    if risks.shape[1] < 2:
        raise ValueError(f"{name} must have shape (replications, models) with at least 2 models, got {risks.shape}.")
    return risks


def generalization_gap(risks) -> float:
    r"""Generalization gap :math:`\Delta_{\min} = \min_{k\ne l} |r_k - r_l|` of K models.

    :math:`r_k` is the mean over replications of column ``k`` of ``risks`` (shape (replications, models); a
    1-D array is read as one replication). Range :math:`[0,\infty)`; a larger gap makes the ranking easier
    to preserve (Theorem 5 of the book).

    Examples
    --------
    >>> round(generalization_gap([[0.10, 0.30, 0.25], [0.12, 0.28, 0.27]]), 6)
    0.03
    """
    if np.ndim(risks) == 1:
        risks = np.asarray(risks)[None, :]
    r = _risks(risks, "risks").mean(axis=0)
    diffs = np.abs(r[:, None] - r[None, :])[np.triu_indices(r.size, 1)]
    return float(diffs.min())


@dataclass(frozen=True)
class RankingResult:
    """Ranking agreement between real-trained and synthetic-trained models (higher is better).

    ``per_replication`` is a DataFrame with one row per replication (columns ``same_order``,
    ``kendall_tau``, ``pairwise_agreement``, ``top1_agreement``).
    """

    p_same_order: float
    p_same_order_ci: tuple
    mean_tau: float
    mean_tau_ci: tuple
    pairwise_agreement: float
    top1_agreement: float
    real_gap: float
    n_replications: int
    n_models: int
    n_tau_undefined: int
    confidence: float
    per_replication: pd.DataFrame = field(repr=False, compare=False)

    def to_dict(self) -> dict:
        """The scalar fields as a plain dict (``per_replication`` left out)."""
        return {k: v for k, v in self.__dict__.items() if k != "per_replication"}

    def __repr__(self) -> str:
        pct = f"{100 * self.confidence:g}%"
        lo, hi = self.p_same_order_ci
        tlo, thi = self.mean_tau_ci
        return (
            f"RankingResult(p_same_order={self.p_same_order:.3f} [{pct} CI {lo:.3f}, {hi:.3f}], "
            f"mean_tau={self.mean_tau:.3f} [{pct} CI {tlo:.3f}, {thi:.3f}], "
            f"pairwise_agreement={self.pairwise_agreement:.3f}, top1_agreement={self.top1_agreement:.3f}, "
            f"real_gap={self.real_gap:.4g}, n_replications={self.n_replications}, n_models={self.n_models})"
        )


def _wilson(successes: int, n: int, confidence: float) -> tuple[float, float]:
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def ranking_consistency(risks_real, risks_syn, *, confidence: float = 0.95) -> RankingResult:
    r"""How often models trained on synthetic data are ranked as the real-trained ones (Definition 2).

    For replication :math:`r` with pairwise signs :math:`s_{kl}=\operatorname{sgn}(R_{r,k}-R_{r,l})` (real)
    and :math:`\tilde s_{kl}` (synthetic), the orders agree when :math:`s_{kl}=\tilde s_{kl}` for all
    :math:`k<l`; the pairwise agreement is the share of such pairs, :math:`\tau_b` is Kendall's tie-corrected
    correlation and top-1 agreement is whether the argmin (first one on ties) is the same model.

    .. math:: \hat P(\text{same order}) = \frac1R\sum_r \mathbb 1\{\tilde s_{kl}^{(r)} = s_{kl}^{(r)}\ \forall k<l\}

    All four statistics are higher-is-better, with range :math:`[0,1]` (:math:`\tau\in[-1,1]`).

    Ties: a pair tied in both counts as agreeing, a pair tied in one and not in the other as disagreeing.
    A replication in which all models tie (in either array) has undefined :math:`\tau_b`: it is NaN in
    ``per_replication``, left out of ``mean_tau`` and counted in ``n_tau_undefined``.

    Parameters
    ----------
    risks_real, risks_syn : array-like of shape (R, K)
        Real-test risks of K models trained on real (resp. synthetic) data in R replications, K >= 2.
    confidence : float in (0, 1)
        Level of the Wilson interval for ``p_same_order`` and the t interval for ``mean_tau``.

    Examples
    --------
    >>> real = [[0.1, 0.2, 0.3], [0.1, 0.25, 0.3]]
    >>> syn = [[0.15, 0.2, 0.35], [0.2, 0.15, 0.3]]
    >>> res = ranking_consistency(real, syn)
    >>> res.p_same_order, round(res.mean_tau, 3), res.top1_agreement
    (0.5, 0.667, 0.5)
    """
    confidence = check_confidence(confidence)
    real = _risks(risks_real, "risks_real")
    syn = _risks(risks_syn, "risks_syn")
    if real.shape != syn.shape:
        raise ValueError(
            f"risks_real and risks_syn must have the same shape (replications, models), got {real.shape} "
            f"and {syn.shape}."
        )
    n_rep, n_models = real.shape
    sr, ss = _pair_signs(real), _pair_signs(syn)
    agree = sr == ss
    same = agree.all(axis=1)
    tau = _tau_b(sr, ss)
    pairwise = agree.mean(axis=1)
    top1 = np.argmin(real, axis=1) == np.argmin(syn, axis=1)
    defined = tau[~np.isnan(tau)]
    if defined.size:
        mean_tau = float(defined.mean())
        tau_ci = _t_interval(defined, confidence)
    else:
        mean_tau, tau_ci = float("nan"), (float("nan"), float("nan"))
    per = pd.DataFrame(
        {"same_order": same, "kendall_tau": tau, "pairwise_agreement": pairwise, "top1_agreement": top1}
    )
    return RankingResult(
        p_same_order=float(same.mean()),
        p_same_order_ci=_wilson(int(same.sum()), n_rep, confidence),
        mean_tau=mean_tau,
        mean_tau_ci=(float(tau_ci[0]), float(tau_ci[1])),
        pairwise_agreement=float(pairwise.mean()),
        top1_agreement=float(top1.mean()),
        real_gap=generalization_gap(real),
        n_replications=int(n_rep),
        n_models=int(n_models),
        n_tau_undefined=int(np.isnan(tau).sum()),
        confidence=confidence,
        per_replication=per,
    )
