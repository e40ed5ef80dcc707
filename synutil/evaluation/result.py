"""The result of :func:`synutil.evaluate.evaluate`: frozen dataclasses, a tidy table, a terminal summary (private)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..utility import UtilityResult, _abs_interval

__all__ = ["ModelUtility", "FidelitySummary", "EvaluationResult", "percentile_utility", "SCHEME_NOTES"]

SCHEME_NOTES = {
    "test-bootstrap": ("each model trained once on real_train and once on the synthetic table; intervals are "
                       "percentile intervals over bootstrap resamples of the real test set: they cover the test "
                       "set's sampling only, given the trained models"),
    "generator-refit": ("per replication the generator is refitted on a bootstrap resample of real_train and every "
                        "model retrained on both; intervals are percentile intervals over resampled replications "
                        "and test rows: they cover the generator's, the learners' and the training sample's "
                        "randomness and the test set's sampling"),
}


@dataclass(frozen=True)
class ModelUtility:
    """TRTR and TSTR risks of one model (lower is better) and its utility, with intervals.

    ``utility`` (a :class:`~synutil.utility.UtilityResult`) holds the signed gap TSTR - TRTR and
    :math:`U=|\\text{gap}|` with their percentile intervals; ``given_test`` (generator-refit scheme only) is
    :func:`~synutil.utility.generalization_utility` on the per-replication risks: the book's paired interval,
    which holds the real test set fixed.
    """

    model: str
    trtr: float
    tstr: float
    trtr_ci: tuple
    tstr_ci: tuple
    utility: UtilityResult
    given_test: UtilityResult | None = None

    @property
    def gap(self) -> float:
        return self.utility.signed_gap

    def to_dict(self) -> dict:
        """Flat dict: risks, gap and utility with their intervals."""
        u = self.utility
        out = {"model": self.model, "trtr": self.trtr, "trtr_ci_low": self.trtr_ci[0], "trtr_ci_high": self.trtr_ci[1],
               "tstr": self.tstr, "tstr_ci_low": self.tstr_ci[0], "tstr_ci_high": self.tstr_ci[1],
               "gap": u.signed_gap, "gap_ci_low": u.ci_low, "gap_ci_high": u.ci_high, "utility": u.utility,
               "utility_ci_low": u.utility_ci_low, "utility_ci_high": u.utility_ci_high}
        if self.given_test is not None:
            out.update(gap_given_test_ci_low=self.given_test.ci_low, gap_given_test_ci_high=self.given_test.ci_high)
        return out


def _quantiles(x, confidence):
    a = (1.0 - confidence) / 2
    lo, hi = np.nanquantile(np.asarray(x, dtype=float), [a, 1 - a])
    return float(lo), float(hi)


def percentile_utility(model, trtr, tstr, boot_real, boot_syn, confidence, loss, given, over) -> ModelUtility:
    """Point risks, and percentile intervals from the bootstrap risks (clipped to the loss's range)."""
    gap = float(tstr - trtr)
    lo, hi = _quantiles(np.asarray(boot_syn) - np.asarray(boot_real), confidence)
    ulo, uhi = _abs_interval(lo, hi)
    clipped = False
    if loss.risk_range is not None:
        w = loss.risk_range[1] - loss.risk_range[0]
        new = (max(lo, -w), min(hi, w), max(ulo, 0.0), min(uhi, w))
        clipped = new != (lo, hi, ulo, uhi)
        lo, hi, ulo, uhi = new
    util = UtilityResult(utility=abs(gap), signed_gap=gap, ci_low=lo, ci_high=hi, utility_ci_low=ulo,
                         utility_ci_high=uhi, confidence=float(confidence), n_replications=int(np.size(boot_syn)),
                         method=f"percentile bootstrap over {over}", risk_range=loss.risk_range, clipped=clipped)
    return ModelUtility(model=model, trtr=float(trtr), tstr=float(tstr), trtr_ci=_quantiles(boot_real, confidence),
                        tstr_ci=_quantiles(boot_syn, confidence), utility=util, given_test=given)


@dataclass(frozen=True, eq=False)
class FidelitySummary:
    """Fidelity of the synthetic table to ``real_train``; ``*_baseline``: the same metric for ``real_test`` (no
    generator: the sampling noise floor). All lower is better except the AUCs (0.5 = indistinguishable)."""

    columns: pd.DataFrame = field(repr=False)
    pairwise: object = field(repr=False)
    pairwise_baseline: object = field(repr=False)
    mmd2: float = float("nan")
    mmd2_baseline: float = float("nan")
    bandwidth: float = float("nan")
    c2st: object = None
    c2st_baseline: object = None
    max_rows: int = 0

    def __repr__(self) -> str:
        return (f"FidelitySummary(mean_column={self.columns['value'].mean():.4f}, pairwise={self.pairwise.mean:.4f}, "
                f"mmd2={self.mmd2:.4g} (baseline {self.mmd2_baseline:.4g}), c2st_auc={self.c2st.auc:.3f} "
                f"(baseline {self.c2st_baseline.auc:.3f}))")


def _fmt(v, digits=3, sign=False):
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return "n/a"
    return f"{v:+.{digits}f}" if sign else f"{v:.{digits}f}"


@dataclass(frozen=True, eq=False)
class EvaluationResult:
    """Everything :func:`~synutil.evaluate.evaluate` measured; ``to_frame()``, ``summary()``, ``to_html(path)``.

    Risks are losses (``loss`` says which, its range; lower is better). ``replications_real/syn``: full-test risks
    per replication and model (one row in the test-bootstrap scheme); ``bootstrap_real/syn``: risks on the
    bootstrap resamples that the intervals are percentiles of.
    """

    task: str
    target: object
    loss: object
    scheme: str
    n_replications: int
    n_boot: int
    confidence: float
    seed: int
    generator: str | None
    models: tuple
    utility: dict = field(repr=False)
    replications_real: pd.DataFrame = field(repr=False)
    replications_syn: pd.DataFrame = field(repr=False)
    bootstrap_real: pd.DataFrame = field(repr=False)
    bootstrap_syn: pd.DataFrame = field(repr=False)
    ranking: object = field(repr=False, default=None)
    kendall_tau: float = float("nan")
    kendall_tau_ci: tuple = (float("nan"), float("nan"))
    fidelity: FidelitySummary | None = field(repr=False, default=None)
    privacy: object = field(repr=False, default=None)
    schema: object = field(repr=False, default=None)
    n_rows: dict = field(default_factory=dict)
    versions: dict = field(repr=False, default_factory=dict)

    @property
    def scheme_note(self) -> str:
        """What the intervals cover."""
        return SCHEME_NOTES[self.scheme]

    def utility_frame(self) -> pd.DataFrame:
        """One row per model: TRTR, TSTR, gap and utility with their intervals."""
        return pd.DataFrame([u.to_dict() for u in self.utility.values()]).set_index("model")

    def to_frame(self) -> pd.DataFrame:
        """A tidy table: one row per number (section, item, metric, value, CI, baseline, direction, range, note)."""
        rows = []

        def add(section, item, metric, value, ci=(np.nan, np.nan), baseline=np.nan, direction="", rng="", note=""):
            rows.append(dict(section=section, item=item, metric=metric, value=value, ci_low=ci[0], ci_high=ci[1],
                             baseline=baseline, direction=direction, range=rng, note=note))

        lr, low, hi_good, near = self.loss.range_text, "lower is better", "higher is better", "closer to 0.5 is better"
        for name, u in self.utility.items():
            g = u.utility
            add("utility", name, "TRTR risk", u.trtr, u.trtr_ci, direction=low, rng=lr, note=self.loss.name)
            add("utility", name, "TSTR risk", u.tstr, u.tstr_ci, direction=low, rng=lr, note=self.loss.name)
            add("utility", name, "signed gap TSTR - TRTR", g.signed_gap, (g.ci_low, g.ci_high),
                direction="closer to 0 is better (> 0: synthetic training is worse)")
            add("utility", name, "utility |gap|", g.utility, (g.utility_ci_low, g.utility_ci_high), direction=low)
        if self.ranking is not None:
            r = self.ranking
            add("ranking", "models", "Kendall tau", self.kendall_tau, self.kendall_tau_ci, direction=hi_good,
                rng="[-1, 1]", note="real vs synthetic ordering of the models")
            add("ranking", "models", "P(same order)", r.p_same_order, r.p_same_order_ci, direction=hi_good,
                rng="[0, 1]")
            add("ranking", "models", "top-1 agreement", r.top1_agreement, r.top1_agreement_ci, direction=hi_good,
                rng="[0, 1]")
        f = self.fidelity
        if f is not None:
            for row in f.columns.itertuples():
                add("fidelity", row.column, row.metric.upper(), row.value, baseline=row.baseline, direction=low,
                    rng=row.range, note=row.note)
            add("fidelity", "pairs", "pairwise dependence (mean, scaled)", f.pairwise.mean,
                baseline=f.pairwise_baseline.mean, direction=low, rng="[0, 1]")
            add("fidelity", "table", "MMD^2", f.mmd2, baseline=f.mmd2_baseline, direction=low, rng="[0, 2]",
                note=f"Gaussian kernel, bandwidth {f.bandwidth:.3g} (median, real train)")
            c = f.c2st
            add("fidelity", "table", "C2ST AUC", c.auc, (c.auc - 2 * c.auc_std, c.auc + 2 * c.auc_std),
                baseline=f.c2st_baseline.auc, direction=near, rng="[0, 1]", note="CI: +-2 fold standard deviations")
        p = self.privacy
        if p is not None:
            below, above = "not below the baseline", "not above the baseline"
            add("privacy", "DCR", "median DCR", p.median_synthetic, baseline=p.median_test, direction=below,
                rng="[0, inf)", note=p.verdict)
            add("privacy", "DCR", "5th percentile DCR", p.p5_synthetic, baseline=p.p5_test, direction=below,
                rng="[0, inf)")
            add("privacy", "DCR", "exact-copy share", p.exact_copy_share, baseline=p.exact_copy_share_test,
                direction=above, rng="[0, 1]")
            add("privacy", "DCR", "P(synthetic closer than held-out)", p.prob_closer,
                direction="0.5 is ideal; > 0.5: closer", rng="[0, 1]", note=f"Mann-Whitney p = {p.p_value:.3g}")
        return pd.DataFrame(rows)

    def summary(self) -> str:
        """A short text table for terminals."""
        pct = f"{100 * self.confidence:g}%"
        unit = "resamples" if self.generator is None else "replications"
        gen = "" if self.generator is None else f", generator {self.generator}"
        head = [f"synutil evaluate: {self.task} of {self.target!r}; loss: {self.loss.name} ({self.loss.direction}, "
                f"range {self.loss.range_text})",
                f"scheme: {self.scheme} ({self.n_replications} {unit}{gen}); seed {self.seed}",
                "rows: " + ", ".join(f"{k} {v}" for k, v in self.n_rows.items()), ""]
        width = max(12, *(len(m) for m in self.models)) + 2
        lines = [f"{'model':<{width}}{'TRTR':>8}{'TSTR':>8}   gap TSTR-TRTR [{pct} CI]"]
        for name, u in self.utility.items():
            g = u.utility
            lines.append(f"{name:<{width}}{_fmt(u.trtr):>8}{_fmt(u.tstr):>8}   {_fmt(g.signed_gap, sign=True)} "
                         f"[{_fmt(g.ci_low, sign=True)}, {_fmt(g.ci_high, sign=True)}]")
        out = head + lines + [""]
        if self.ranking is not None:
            lo, hi = self.kendall_tau_ci
            out.append(f"ranking: Kendall tau {_fmt(self.kendall_tau, 2)} [{_fmt(lo, 2)}, {_fmt(hi, 2)}] "
                       f"(1 = same order); same order in {100 * self.ranking.p_same_order:.0f}% of {unit}")
        f = self.fidelity
        if f is not None:
            c = f.columns
            worst = c["value"].idxmax() if c["value"].notna().any() else None
            what = "n/a" if worst is None else \
                f"{c.loc[worst, 'column']!r} {c.loc[worst, 'metric']} {_fmt(c.loc[worst, 'value'])}"
            out.append(f"fidelity: worst column {what}; mean pairwise {_fmt(f.pairwise.mean)} (real test "
                       f"{_fmt(f.pairwise_baseline.mean)}); MMD^2 {_fmt(f.mmd2, 4)} "
                       f"(real test {_fmt(f.mmd2_baseline, 4)});"
                       f" C2ST AUC {_fmt(f.c2st.auc)} (real test {_fmt(f.c2st_baseline.auc)}; 0.5 = indistinguishable)")
        p = self.privacy
        if p is not None:
            out.append(f"privacy: {p.verdict}: median DCR {_fmt(p.median_synthetic)} (real test "
                       f"{_fmt(p.median_test)}); exact copies {100 * p.exact_copy_share:.1f}% (real test "
                       f"{100 * p.exact_copy_share_test:.1f}%)")
        out.append(f"intervals: {self.scheme_note}.")
        return "\n".join(out)

    def to_html(self, path) -> Path:
        """Write the self-contained HTML report (inline CSS, embedded figures) to ``path``; return the path."""
        from .report import write_report

        return write_report(self, path)

    def __repr__(self) -> str:
        gaps = ", ".join(f"{k}={u.gap:+.3g}" for k, u in self.utility.items())
        return (f"EvaluationResult(task={self.task!r}, target={self.target!r}, loss={self.loss.name!r}, "
                f"scheme={self.scheme!r}, n_replications={self.n_replications}, seed={self.seed}, gaps: {gaps}, "
                f"kendall_tau={self.kendall_tau:.3f})")
