r"""Ranking consistency of models trained on synthetic data (the book's definition of ranking consistency).

Learners :math:`\mathcal A_1,\dots,\mathcal A_L` are trained on real data and on synthetic data and all are
scored on real data. Risks are arrays of shape ``(J, L)``: ``J`` replications (one real draw and one synthetic
draw each), ``L`` learners. The synthetic ranking is *consistent* when every pairwise order agrees with the
real one. :func:`ranking_consistency` reports, over replications, the probability of the same order, Kendall's
:math:`\tau_b`, the share of agreeing pairs and top-1 agreement, each with an interval that stays inside the
statistic's range; :func:`generalization_gap` is the gap :math:`\Delta_{\min}=\min_{a\ne b}|r_a-r_b|` that the
book's theorem "a generalization gap protects the ranking" compares with the utility. Learners that the real
replications cannot order are grouped into tie classes (:func:`tie_classes`, the procedure of the chapter
"Deep networks on digits") and averaged within each class (:func:`merge_tied_columns`) before the rankings
are compared.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from ._validation import (
    InputTypeError,
    align_columns,
    align_series,
    as_float_array,
    check_confidence,
    check_finite_result,
    check_memory,
    column_labels,
)
from .utility import _mean, _t_interval, generalization_utility

__all__ = [
    "RankingResult",
    "generalization_gap",
    "kendall_tau",
    "merge_tied_columns",
    "ranking_consistency",
    "tie_classes",
]


def _pair_signs(A: np.ndarray) -> np.ndarray:
    """Signs of ``A[:, k] - A[:, l]`` for all pairs of columns ``k < l``: shape (J, L(L-1)/2); 0 marks a tie."""
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
    synthetic ranking with the real one. Ties matter: a pair tied in one vector and not in the other
    counts in one factor of the denominator only, so with ties :math:`\tau_b` differs from
    :math:`\tau_a=(\text{concordant}-\text{discordant})/\binom{n}{2}`.

    Raises
    ------
    ValueError
        If the vectors differ in length, have fewer than 2 entries, contain NaN, or if either vector is all
        ties (constant): :math:`\tau_b` is then 0/0, undefined (scipy returns NaN; we raise).

    Examples
    --------
    >>> kendall_tau([1, 2, 3, 4], [1, 3, 2, 4])
    0.6666666666666666
    >>> round(kendall_tau([1, 1, 2, 3], [1, 2, 3, 4]), 6)  # one tie: tau_b = 5 / sqrt(5 * 6), tau_a = 5/6
    0.912871
    """
    a, b = align_series(a, b, names=("a", "b"))  # two Series (e.g. mean risk per model) are matched by label
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


def _model_means(risks: np.ndarray) -> np.ndarray:
    """Column means, without overflow of the sums for risks near the float64 limit."""
    if float(np.max(np.abs(risks))) * risks.shape[0] < 1e300:
        return risks.mean(axis=0)
    return np.array([_mean(risks[:, a]) for a in range(risks.shape[1])])


def generalization_gap(risks) -> float:
    r"""Generalization gap :math:`\Delta_{\min} = \min_{a\ne b} |r_a - r_b|` of L models.

    :math:`r_a` is the mean over replications of column ``a`` of ``risks`` (shape (replications, models); a
    1-D array is read as one replication). The minimum runs over **all** pairs, not only neighbouring
    columns. Range :math:`[0,\infty)`; a larger gap makes the ranking easier to preserve (the book's
    theorem "a generalization gap protects the ranking").

    Examples
    --------
    >>> round(generalization_gap([[0.10, 0.30, 0.25], [0.12, 0.28, 0.27]]), 6)
    0.03
    """
    if np.ndim(risks) == 1 and column_labels(risks) is None:
        risks = as_float_array(risks, name="risks", ndim=1)[None, :]
    risks = _risks(risks, "risks")
    check_memory(16.0 * risks.shape[1] ** 2, what=f"the pairwise gaps of {risks.shape[1]} models",
                 fix="compare fewer models at once")
    if float(np.max(np.abs(risks))) * risks.shape[0] < 1e300:
        r = _risks(risks, "risks").mean(axis=0)
    else:  # the column sums would overflow
        r = _model_means(risks)
    with np.errstate(over="ignore", invalid="ignore"):
        diffs = np.abs(r[:, None] - r[None, :])[np.triu_indices(r.size, 1)]
    return float(check_finite_result(diffs.min(), what="the generalization gap", fix="the risks exceed the float64 "
                                     "range; rescale them"))


_NAN_PAIR = (float("nan"), float("nan"))


@dataclass(frozen=True)
class RankingResult:
    """Ranking agreement between real-trained and synthetic-trained models (higher is better).

    Every interval lies inside the range of its statistic: :math:`[0, 1]` for the three proportions,
    :math:`[-1, 1]` for Kendall's tau. ``per_replication`` is a DataFrame with one row per replication
    (columns ``same_order``, ``kendall_tau``, ``pairwise_agreement``, ``top1_agreement``).
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
    top1_agreement_ci: tuple = _NAN_PAIR
    pairwise_agreement_ci: tuple = _NAN_PAIR

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
    """Wilson score interval for a binomial proportion (two-sided, no continuity correction); inside [0, 1]."""
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def _in_range(interval, low: float, high: float) -> tuple[float, float]:
    """Intersect an interval for a mean with the range ``[low, high]`` of the averaged values.

    The mean of variables in ``[low, high]`` lies in ``[low, high]``, so the intersection keeps every mean the
    interval covers: its coverage is unchanged and no end lies outside the range.
    """
    return max(low, float(interval[0])), min(high, float(interval[1]))


def ranking_consistency(risks_real, risks_syn, *, confidence: float = 0.95) -> RankingResult:
    r"""How often models trained on synthetic data are ranked as the real-trained ones (ranking consistency).

    For replication :math:`j` with pairwise signs :math:`s_{ab}=\operatorname{sgn}(R_{j,a}-R_{j,b})` (real)
    and :math:`\tilde s_{ab}` (synthetic), the orders agree when :math:`s_{ab}=\tilde s_{ab}` for all
    :math:`a<b`; the pairwise agreement is the share of such pairs, :math:`\tau_b` is Kendall's tie-corrected
    correlation (as :func:`scipy.stats.kendalltau`) and top-1 agreement is whether the argmin (first one on
    ties) is the same model.

    .. math:: \hat P(\text{same order}) = \frac1J\sum_{j=1}^J
              \mathbb 1\{\tilde s_{ab}^{(j)} = s_{ab}^{(j)}\ \forall a<b\}

    All four statistics are higher-is-better, with range :math:`[0,1]` (:math:`\tau\in[-1,1]`).

    Intervals (all two-sided at level ``confidence``, all inside the statistic's range):

    * ``p_same_order_ci`` and ``top1_agreement_ci``: Wilson score intervals for a binomial proportion
      (replications are independent); they lie in :math:`[0, 1]` by construction and do not collapse to a point
      when every replication agrees.
    * ``mean_tau_ci`` and ``pairwise_agreement_ci``: Student :math:`t` intervals (:math:`t_{J-1}` quantile,
      sample standard deviation with ``ddof=1``) for the mean of the per-replication values, **intersected with
      the range** :math:`[-1, 1]` (resp. :math:`[0, 1]`). A mean of values in a range lies in that range, so the
      intersection keeps the coverage of the :math:`t` interval; it only removes impossible values (near
      :math:`\tau=1` the plain :math:`t` interval pokes above 1). When all replications give the same value the
      interval is that point: look at ``p_same_order_ci`` then.

    Ties: a pair tied in both counts as agreeing, a pair tied in one and not in the other as disagreeing.
    A replication in which all models tie (in either array) has undefined :math:`\tau_b`: it is NaN in
    ``per_replication``, left out of ``mean_tau`` and counted in ``n_tau_undefined``.

    Parameters
    ----------
    risks_real, risks_syn : array-like of shape (J, L)
        Real-test risks of L models trained on real (resp. synthetic) data in J replications, L >= 2. Two
        DataFrames are matched by column name (the model names): the same names are required, in any order.
    confidence : float in (0, 1)
        Level of the intervals.

    Examples
    --------
    >>> real = [[0.1, 0.2, 0.3], [0.1, 0.25, 0.3]]
    >>> syn = [[0.15, 0.2, 0.35], [0.2, 0.15, 0.3]]
    >>> res = ranking_consistency(real, syn)
    >>> res.p_same_order, round(res.mean_tau, 3), res.top1_agreement
    (0.5, 0.667, 0.5)

    Near perfect agreement the plain t interval for the mean tau would end above 1; the reported one stops at 1:

    >>> real = [[1, 2, 3, 4]] * 5
    >>> syn = [[1, 2, 3, 4]] * 4 + [[2, 1, 3, 4]]
    >>> res = ranking_consistency(real, syn)
    >>> round(res.mean_tau, 4), [round(v, 4) for v in res.mean_tau_ci]  # the t interval is [0.7482, 1.1184]
    (0.9333, [0.7482, 1.0])
    >>> [round(v, 4) for v in res.p_same_order_ci]  # Wilson: 4 of 5
    [0.3755, 0.9638]
    """
    confidence = check_confidence(confidence)
    labels_real = column_labels(risks_real, name="risks_real")
    if labels_real is not None and column_labels(risks_syn, name="risks_syn") is not None:
        # two tables of risks: the same models, matched by name (risks_syn reordered to risks_real)
        risks_syn = align_columns(risks_syn, labels_real, name="risks_syn", reference_name="risks_real")
    real = _risks(risks_real, "risks_real")
    syn = _risks(risks_syn, "risks_syn")
    if real.shape != syn.shape:
        raise ValueError(
            f"risks_real and risks_syn must have the same shape (replications, models), got {real.shape} "
            f"and {syn.shape}."
        )
    n_rep, n_models = real.shape
    n_pairs = n_models * (n_models - 1) // 2
    check_memory(8.0 * 6 * n_rep * n_pairs, what=f"pairwise signs of {n_models} models in {n_rep} replications",
                 fix="compare fewer models at once (the pairwise agreement needs every pair)")
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
        tau_ci = _in_range(tau_ci, -1.0, 1.0)
    else:
        mean_tau, tau_ci = float("nan"), _NAN_PAIR
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
        top1_agreement_ci=_wilson(int(top1.sum()), n_rep, confidence),
        pairwise_agreement_ci=_in_range(_t_interval(pairwise, confidence), 0.0, 1.0),
    )


def tie_classes(real_risks, *, confidence: float = 0.95) -> list:
    r"""Group learners whose real risks the replications cannot order (tie classes), best class first.

    The learners (columns of ``real_risks``) are sorted by their mean real risk :math:`\bar r_{(1)}\le\dots\le
    \bar r_{(L)}`. For each adjacent pair the paired Student :math:`t` interval of the mean difference,

    .. math:: \bar G \pm t_{J-1,(1+c)/2}\,\frac{S_G}{\sqrt J}, \qquad G_j = R_{j,(k+1)} - R_{j,(k)},

    is computed by :func:`synutil.utility.generalization_utility` (:math:`c` the confidence). Adjacent
    learners whose interval contains 0 are merged: a tie class is a maximal run of sorted learners linked by
    such unresolved steps, and a new class starts at every step whose interval excludes 0. Only adjacent
    pairs are tested, so two members of one class may be resolved from each other when a learner between
    them is tied with both. Ranking consistency is then judged on the classes
    (:func:`merge_tied_columns`): a pair the real replications cannot order has no order to preserve.

    Parameters
    ----------
    real_risks : array-like of shape (J, L)
        Real-test risks of ``L >= 2`` learners trained on real data, in ``J >= 2`` replications (paired: row
        ``j`` of every column comes from the same replication). A DataFrame's columns name the learners.
    confidence : float in (0, 1)
        Level of the adjacent intervals; a higher level merges more.

    Returns
    -------
    list of lists
        The tie classes in increasing order of mean risk; each lists its members' column indices (column
        names for a DataFrame) in column order. Every column is in exactly one class.

    Raises
    ------
    ValueError
        Fewer than 2 replications or 2 learners, NaN, or a bad ``confidence``.

    Examples
    --------
    >>> risks = [[0.10, 0.30, 0.31], [0.12, 0.28, 0.27], [0.11, 0.33, 0.35]]
    >>> tie_classes(risks)
    [[0], [1, 2]]
    >>> tie_classes(pd.DataFrame(risks, columns=["cnn", "mlp", "logistic"]))
    [['cnn'], ['mlp', 'logistic']]
    """
    confidence = check_confidence(confidence)
    labels = column_labels(real_risks, name="real_risks")
    real = _risks(real_risks, "real_risks")
    if real.shape[0] < 2:
        raise ValueError(f"real_risks has {real.shape[0]} replication(s); the paired intervals that decide the "
                         "ties need at least 2.")
    order = np.argsort(_model_means(real), kind="stable")
    label_of = np.zeros(real.shape[1], dtype=int)
    for a, b in itertools.pairwise(order):
        step = generalization_utility(real[:, b], real[:, a], confidence=confidence)
        label_of[b] = label_of[a] + int(not step.ci_low <= 0 <= step.ci_high)
    classes = [np.flatnonzero(label_of == c).tolist() for c in np.unique(label_of)]
    if labels is not None:
        return [[labels[i] for i in members] for members in classes]
    return classes


def merge_tied_columns(risks, classes):
    r"""Replace the columns of each tie class by their average, replication by replication.

    For a class :math:`C` and every row :math:`j`, :math:`R_{j,a}\leftarrow\frac1{|C|}\sum_{b\in C}R_{j,b}` for
    all :math:`a\in C`. Applied to the real and to the synthetic risks with the classes of
    :func:`tie_classes`, it makes a tied pair tied in both, so :func:`ranking_consistency` counts it as
    agreeing and Kendall's :math:`\tau_b` leaves it out: agreement is judged on the resolved pairs only.

    Parameters
    ----------
    risks : array-like of shape (J, L)
        Risks of ``L`` learners in ``J`` replications (real or synthetic).
    classes : list of lists
        Disjoint groups of column indices (column names for a DataFrame), e.g. the output of
        :func:`tie_classes`. Columns in no group are left unchanged.

    Returns
    -------
    ndarray or DataFrame
        A new float array of the same shape (a DataFrame with the same index and columns for a DataFrame).

    Raises
    ------
    ValueError
        NaN, an unknown or repeated column, or a class that is not a non-empty list.

    Examples
    --------
    >>> merge_tied_columns([[0.1, 0.3, 0.5], [0.2, 0.4, 0.2]], [[0], [1, 2]])
    array([[0.1, 0.4, 0.4],
           [0.2, 0.3, 0.3]])
    """
    labels = column_labels(risks, name="risks")
    values = as_float_array(risks, name="risks", ndim=2)
    if isinstance(classes, (str, bytes)) or not hasattr(classes, "__iter__"):
        raise InputTypeError(f"classes must be a list of lists of columns (e.g. the output of tie_classes), got "
                             f"{type(classes).__name__}.")
    seen: set = set()
    merged = values.copy()
    for members in classes:
        if isinstance(members, (str, bytes)) or not hasattr(members, "__iter__") or len(list(members)) == 0:
            raise ValueError(f"each class must be a non-empty list of columns, got {members!r}.")
        positions = []
        for c in members:
            if labels is not None:
                if c not in labels:
                    raise ValueError(f"class {list(members)!r} names the column {c!r}, which risks does not have "
                                     f"(columns {labels}).")
                pos = labels.index(c)
            else:
                if isinstance(c, (bool, np.bool_)) or not isinstance(c, (int, np.integer)):
                    raise InputTypeError(f"with an array of risks, classes hold column indices (ints), got {c!r}.")
                if not 0 <= int(c) < values.shape[1]:
                    raise ValueError(f"class {list(members)!r} has the column index {c}, outside 0..."
                                     f"{values.shape[1] - 1}.")
                pos = int(c)
            if pos in seen:
                raise ValueError(f"column {c!r} is in more than one class; tie classes must be disjoint.")
            seen.add(pos)
            positions.append(pos)
        merged[:, positions] = values[:, positions].mean(axis=1, keepdims=True)
    if labels is not None:
        return pd.DataFrame(merged, index=risks.index, columns=risks.columns)
    return merged
