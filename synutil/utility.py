r"""Generalization utility of synthetic data, estimated from replications (Definition 1 of the book).

The generalization utility is the gap between the expected real-data risks of a model trained on
synthetic data and of the same learner trained on real data,

.. math:: U = \big|\,\mathbb E\,R(\hat f_{\rm syn}) - \mathbb E\,R(\hat f_{\rm real})\,\big|,

together with the signed gap :math:`\Delta = \mathbb E R(\hat f_{\rm syn}) - \mathbb E R(\hat f_{\rm real})`.
Lower :math:`U` is better; :math:`U = 0` means that synthetic data is as useful as real data for that learner.
Both risks are always measured **on real data** ("train synthetic, test real", TSTR, against "train real,
test real", TRTR). One replication gives one pair of risks; :func:`generalization_utility` turns paired
replications into an estimate with a confidence interval, :func:`tstr_trtr` computes one pair for a
scikit-learn estimator, and :func:`required_replications` says how many replications resolve a given gap.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
from scipy import stats
from sklearn.base import clone, is_classifier

from ._validation import as_float_array, as_matched_pair, check_confidence, check_random_state

__all__ = ["UtilityResult", "TSTRResult", "generalization_utility", "tstr_trtr", "required_replications"]


def _t_interval(values: np.ndarray, confidence: float) -> tuple[float, float]:
    """Student t interval for the mean of ``values`` (degenerate when all values are equal)."""
    values = np.asarray(values, dtype=float)
    mean = float(values.mean())
    if values.size < 2:
        return mean, mean
    se = float(values.std(ddof=1)) / math.sqrt(values.size)
    half = float(stats.t.ppf(0.5 + confidence / 2, df=values.size - 1)) * se
    return mean - half, mean + half


def _abs_interval(lo: float, hi: float) -> tuple[float, float]:
    """Interval for :math:`|\\Delta|` implied by an interval ``[lo, hi]`` for :math:`\\Delta`."""
    if lo <= 0.0 <= hi:
        return 0.0, max(abs(lo), abs(hi))
    return min(abs(lo), abs(hi)), max(abs(lo), abs(hi))


@dataclass(frozen=True)
class UtilityResult:
    """Estimated generalization utility with a confidence interval (lower utility is better).

    ``ci_low, ci_high`` is the interval for the signed gap :math:`\\Delta`; ``utility_ci_low,
    utility_ci_high`` is the interval it implies for :math:`U = |\\Delta|` (it starts at 0 when the gap
    interval contains 0).
    """

    utility: float
    signed_gap: float
    ci_low: float
    ci_high: float
    utility_ci_low: float
    utility_ci_high: float
    confidence: float
    n_replications: int
    method: str

    def to_dict(self) -> dict:
        """The fields as a plain dict (one row of a tidy table)."""
        return asdict(self)

    def __repr__(self) -> str:
        pct = f"{100 * self.confidence:g}%"
        return (
            f"UtilityResult(utility={self.utility:.4g} [{pct} CI {self.utility_ci_low:.4g}, "
            f"{self.utility_ci_high:.4g}], signed_gap={self.signed_gap:+.4g} [{pct} CI {self.ci_low:+.4g}, "
            f"{self.ci_high:+.4g}], n_replications={self.n_replications}, method={self.method!r})"
        )


def generalization_utility(
    risk_syn,
    risk_real,
    *,
    confidence: float = 0.95,
    method: str = "t",
    n_boot: int = 2000,
    random_state=None,
) -> UtilityResult:
    r"""Generalization utility from paired per-replication real-test risks (Definition 1 of the book).

    .. math:: \hat\Delta = \frac1R\sum_{r=1}^R \big(R_r^{\rm syn} - R_r^{\rm real}\big), \qquad \hat U = |\hat\Delta|.

    Lower is better; the range is :math:`[0,\infty)` and 0 means synthetic data is as useful as real data.

    Parameters
    ----------
    risk_syn, risk_real : array-like of shape (R,)
        Real-test risk of the model trained on synthetic data (TSTR) and of the one trained on real data
        (TRTR) in each of ``R >= 2`` replications. Entry ``r`` of both comes from the same replication
        (the same real sample), so the interval is a paired one.
    confidence : float in (0, 1)
    method : {"t", "bootstrap"}
        ``"t"``: paired Student t interval :math:`\hat\Delta \pm t_{R-1}\, s/\sqrt R`.
        ``"bootstrap"``: percentile bootstrap of the mean difference (``n_boot`` resamples of replications).
    n_boot : int
        Bootstrap resamples (``method="bootstrap"`` only).
    random_state : None, int, SeedSequence or Generator
        Seeds the bootstrap.

    Returns
    -------
    UtilityResult
        ``ci_low, ci_high`` cover the signed gap; ``utility_ci_low, utility_ci_high`` cover :math:`U`:
        if the gap interval contains 0 it is :math:`[0, \max(|lo|,|hi|)]`, otherwise
        :math:`[\min(|lo|,|hi|), \max(|lo|,|hi|)]`.

    Examples
    --------
    >>> res = generalization_utility([1.2, 1.3, 1.1, 1.25], [1.0, 1.1, 1.0, 1.05])
    >>> round(res.utility, 4), round(res.signed_gap, 4)
    (0.175, 0.175)
    >>> bool(res.ci_low > 0)
    True
    """
    confidence = check_confidence(confidence)
    if method not in ("t", "bootstrap"):
        raise ValueError(f"method must be 't' or 'bootstrap', got {method!r}.")
    syn = as_float_array(risk_syn, name="risk_syn", ndim=1, min_rows=2)
    real = as_float_array(risk_real, name="risk_real", ndim=1, min_rows=2)
    if syn.shape != real.shape:
        raise ValueError(
            f"risk_syn and risk_real must be paired (one entry per replication), got lengths "
            f"{syn.size} and {real.size}."
        )
    diff = syn - real
    gap = float(diff.mean())
    if method == "t":
        lo, hi = _t_interval(diff, confidence)
    else:
        if int(n_boot) < 10:
            raise ValueError(f"n_boot must be at least 10, got {n_boot!r}.")
        rng = check_random_state(random_state)
        means = np.empty(int(n_boot))
        chunk = max(1, 2_000_000 // diff.size)
        for start in range(0, int(n_boot), chunk):
            stop = min(int(n_boot), start + chunk)
            idx = rng.integers(0, diff.size, size=(stop - start, diff.size))
            means[start:stop] = diff[idx].mean(axis=1)
        alpha = 1.0 - confidence
        lo, hi = (float(v) for v in np.quantile(means, [alpha / 2, 1 - alpha / 2]))
    ulo, uhi = _abs_interval(lo, hi)
    return UtilityResult(
        utility=abs(gap), signed_gap=gap, ci_low=float(lo), ci_high=float(hi), utility_ci_low=float(ulo),
        utility_ci_high=float(uhi), confidence=confidence, n_replications=int(diff.size), method=method,
    )


@dataclass(frozen=True)
class TSTRResult:
    """Real-test risks of one estimator trained on real data (TRTR) and on synthetic data (TSTR).

    ``gap = tstr - trtr``: positive when synthetic training is worse (lower risks are better).
    """

    trtr: float
    tstr: float
    gap: float
    loss: str

    def to_dict(self) -> dict:
        """The fields as a plain dict."""
        return asdict(self)

    def __repr__(self) -> str:
        return f"TSTRResult(trtr={self.trtr:.4g}, tstr={self.tstr:.4g}, gap={self.gap:+.4g}, loss={self.loss!r})"


def _labels(y, *, name: str, n_rows: int, numeric: bool) -> np.ndarray:
    if numeric:
        y = as_float_array(y, name=name, ndim=1)
    else:
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.ndim != 1:
            raise ValueError(f"{name} must be 1-dimensional, got an array of shape {y.shape}.")
        if y.dtype.kind in "fc" and not np.isfinite(y).all():
            raise ValueError(f"{name} contains NaN or infinite values; drop or impute them before calling.")
        if y.dtype.kind == "O" and any(v is None or (isinstance(v, float) and not math.isfinite(v)) for v in y):
            raise ValueError(f"{name} contains missing values (None or NaN); drop them before calling.")
    if y.shape[0] != n_rows:
        raise ValueError(f"{name} has {y.shape[0]} entries but the matching X has {n_rows} rows.")
    return y


def tstr_trtr(estimator, X_real, y_real, X_syn, y_syn, X_test, y_test, *, loss="squared_error") -> TSTRResult:
    r"""Train on real and on synthetic data, test both on real data (one replication of Definition 1).

    .. math:: \text{TRTR} = \hat R_{\rm test}(\mathcal A(D_n)), \quad
              \text{TSTR} = \hat R_{\rm test}(\mathcal A(\tilde D_m)), \quad \text{gap} = \text{TSTR}-\text{TRTR}.

    Lower risks are better; a positive gap means the synthetic-trained model is worse on real data.

    Parameters
    ----------
    estimator : scikit-learn estimator
        Cloned (:func:`sklearn.base.clone`) before each fit; the argument itself is never fitted.
    X_real, y_real : real training sample.
    X_syn, y_syn : synthetic training sample.
    X_test, y_test : real test sample (held out from the generator and from ``X_real``).
    loss : {"squared_error", "zero_one"} or callable
        ``callable(y_true, y_pred) -> float`` must return the mean loss (e.g.
        :func:`sklearn.metrics.mean_absolute_error`).

    Raises
    ------
    ValueError
        Mismatched columns (DataFrames are matched by name) or lengths, NaN, or - for ``"zero_one"`` or a
        classifier - a class present in ``y_real`` but missing from ``y_syn`` (naming the class).

    Examples
    --------
    >>> from sklearn.linear_model import LinearRegression
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 2)); y = X @ [1.0, -1.0] + 0.1 * rng.normal(size=300)
    >>> res = tstr_trtr(LinearRegression(), X[:100], y[:100], X[100:200] + 0.5, y[100:200], X[200:], y[200:])
    >>> bool(res.tstr > res.trtr)
    True
    """
    if isinstance(loss, str):
        if loss not in ("squared_error", "zero_one"):
            raise ValueError(f"loss must be 'squared_error', 'zero_one' or a callable, got {loss!r}.")
        loss_name = loss
    elif callable(loss):
        loss_name = getattr(loss, "__name__", "callable")
    else:
        raise ValueError(f"loss must be 'squared_error', 'zero_one' or a callable, got {loss!r}.")
    Xr, Xs = as_matched_pair(X_real, X_syn, names=("X_real", "X_syn"), min_rows=2)
    _, Xt = as_matched_pair(X_real, X_test, names=("X_real", "X_test"), min_rows=1)
    numeric = loss == "squared_error"
    yr = _labels(y_real, name="y_real", n_rows=Xr.shape[0], numeric=numeric)
    ys = _labels(y_syn, name="y_syn", n_rows=Xs.shape[0], numeric=numeric)
    yt = _labels(y_test, name="y_test", n_rows=Xt.shape[0], numeric=numeric)
    if loss == "zero_one" or is_classifier(estimator):
        missing = sorted(set(np.unique(yr).tolist()) - set(np.unique(ys).tolist()), key=str)
        if missing:
            raise ValueError(
                f"class(es) {missing} appear in y_real but not in y_syn: the synthetic-trained classifier "
                "cannot predict them. Generate synthetic data for every class (e.g. class-conditional sampling)."
            )

    def risk(y_true, y_pred) -> float:
        if loss == "squared_error":
            return float(np.mean((np.asarray(y_true, float) - np.asarray(y_pred, float)) ** 2))
        if loss == "zero_one":
            return float(np.mean(np.asarray(y_true) != np.asarray(y_pred)))
        return float(loss(y_true, y_pred))

    real_model = clone(estimator).fit(Xr, yr)
    syn_model = clone(estimator).fit(Xs, ys)
    trtr = risk(yt, real_model.predict(Xt))
    tstr = risk(yt, syn_model.predict(Xt))
    return TSTRResult(trtr=trtr, tstr=tstr, gap=tstr - trtr, loss=loss_name)


def required_replications(gap: float, sd: float, *, confidence: float = 0.95, power: float = 0.8) -> int:
    r"""Replications for the paired-t interval of the signed gap to exclude 0 with a given power.

    Normal approximation (the "Measuring utility" chapter):

    .. math:: R = \Big\lceil \Big(\frac{(z_{1-\alpha/2} + z_{\rm power})\, s}{|\Delta|}\Big)^2 \Big\rceil,
              \quad \alpha = 1 - \text{confidence},

    with :math:`s` the standard deviation of the per-replication difference TSTR - TRTR. At least 2.

    Examples
    --------
    >>> required_replications(0.1, 0.5)
    197
    """
    confidence = check_confidence(confidence)
    if not np.isscalar(power) or not 0.0 < float(power) < 1.0:
        raise ValueError(f"power must lie strictly between 0 and 1 (e.g. 0.8), got {power!r}.")
    if not np.isfinite(gap) or gap == 0:
        raise ValueError(f"gap must be a finite non-zero number (a zero gap is never resolved), got {gap!r}.")
    if not np.isfinite(sd) or sd < 0:
        raise ValueError(f"sd must be a finite non-negative standard deviation, got {sd!r}.")
    z = stats.norm.ppf(0.5 + confidence / 2) + stats.norm.ppf(power)
    n = math.ceil(((z * sd) / abs(gap)) ** 2 - 1e-12)
    return max(int(n), 2)
