r"""Generalization utility of synthetic data, estimated from replications (the book's definition of
generalization utility, in the chapter "The two-stage pipeline").

The generalization utility is the gap between the expected real-data risks of a model trained on
synthetic data and of the same learner trained on real data,

.. math:: U = \big|\,\mathbb E\,R(\hat f_{\rm syn}) - \mathbb E\,R(\hat f_{\rm real})\,\big|,

together with the signed gap :math:`\Delta = \mathbb E R(\hat f_{\rm syn}) - \mathbb E R(\hat f_{\rm real})`.
Lower :math:`U` is better; :math:`U = 0` means that synthetic data is as useful as real data for that learner.
Both risks are always measured **on real data** ("train synthetic, test real", TSTR, against "train real,
test real", TRTR). One replication gives one pair of risks; :func:`generalization_utility` turns paired
replications into an estimate with a confidence interval, :func:`tstr_trtr` computes one pair for a
scikit-learn estimator, and :func:`required_replications` says how many replications resolve a given gap.
The intervals and the replication count are those of the proposition on paired intervals in the book's
chapter "Measuring utility".
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
from scipy import stats
from sklearn.base import clone, is_classifier

from ._validation import (
    InputTypeError,
    as_float_array,
    as_matched_pair,
    check_choice,
    check_confidence,
    check_finite_result,
    check_float,
    check_int,
    check_memory,
    check_random_state,
)

__all__ = ["UtilityResult", "TSTRResult", "generalization_utility", "tstr_trtr", "required_replications"]


def _t_interval(values: np.ndarray, confidence: float) -> tuple[float, float]:
    """Student t interval for the mean of ``values`` (degenerate when all values are equal)."""
    values = np.asarray(values, dtype=float)
    top = float(np.max(np.abs(values))) if values.size else 0.0
    scale = float(np.ldexp(1.0, int(np.frexp(top)[1]) - 1)) if top > 1e150 else 1.0  # squares must not overflow
    if scale != 1.0:
        values = values / scale
    mean = float(values.mean())
    if values.size < 2:
        return mean * scale, mean * scale
    se = float(values.std(ddof=1)) / math.sqrt(values.size)
    half = float(stats.t.ppf(0.5 + confidence / 2, df=values.size - 1)) * se
    with np.errstate(over="ignore"):
        lo, hi = (mean - half) * scale, (mean + half) * scale
    check_finite_result([lo, hi], what="the t interval", fix="the values exceed the float64 range; rescale them")
    return lo, hi


def _mean(values: np.ndarray) -> float:
    """The mean, without overflow of the sum for values near the float64 limit (plain ``mean`` otherwise)."""
    top = float(np.max(np.abs(values))) if values.size else 0.0
    if top * values.size < 1e300:
        return float(values.mean())
    scale = float(np.ldexp(1.0, int(np.frexp(top)[1]) - 1))
    return float(np.mean(values / scale)) * scale


def _abs_interval(lo: float, hi: float) -> tuple[float, float]:
    """Interval for :math:`|\\Delta|` implied by an interval ``[lo, hi]`` for :math:`\\Delta`."""
    if lo <= 0.0 <= hi:
        return 0.0, max(abs(lo), abs(hi))
    return min(abs(lo), abs(hi)), max(abs(lo), abs(hi))


def _check_risk_range(risk_range, syn: np.ndarray, real: np.ndarray) -> tuple[float, float] | None:
    """Validate ``risk_range`` (None or an increasing pair) and that every risk lies inside it."""
    if risk_range is None:
        return None
    try:
        low, high = risk_range
    except (TypeError, ValueError):
        raise ValueError(
            f"risk_range must be None or a pair (low, high), e.g. (0, 1) for error rates; got {risk_range!r}."
        ) from None
    for v in (low, high):
        if isinstance(v, (bool, np.bool_, str, bytes)) or not isinstance(v, (int, float, np.integer, np.floating)):
            raise InputTypeError(f"risk_range must be a pair of numbers (low, high), e.g. (0, 1); got {risk_range!r}.")
    low, high = float(low), float(high)
    if math.isnan(low) or math.isnan(high) or not low < high:
        raise ValueError(f"risk_range must be an increasing pair (low < high), got {risk_range!r}.")
    for name, values in (("risk_syn", syn), ("risk_real", real)):
        outside = (values < low) | (values > high)
        if outside.any():
            first = int(np.flatnonzero(outside)[0])
            raise ValueError(
                f"{name} has {int(outside.sum())} value(s) outside risk_range=({low:g}, {high:g}) (first at "
                f"replication {first}: {float(values[first])!r}); check the loss or pass the range it really has."
            )
    return low, high


@dataclass(frozen=True)
class UtilityResult:
    """Estimated generalization utility with a confidence interval (lower utility is better).

    ``ci_low, ci_high`` is the interval for the signed gap :math:`\\Delta`; ``utility_ci_low,
    utility_ci_high`` is the interval it implies for :math:`U = |\\Delta|` (it starts at 0 when the gap
    interval contains 0). ``risk_range`` is the range of the risk given to :func:`generalization_utility`
    (``None``: unbounded), and ``clipped`` says whether an interval was cut back to what that range allows.
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
    risk_range: tuple | None = None
    clipped: bool = False

    def to_dict(self) -> dict:
        """The fields as a plain dict (one row of a tidy table)."""
        return asdict(self)

    def __repr__(self) -> str:
        pct = f"{100 * self.confidence:g}%"
        note = ""
        if self.clipped:
            note = f", clipped to risk_range={tuple(float(v) for v in self.risk_range)}"
        return (
            f"UtilityResult(utility={self.utility:.4g} [{pct} CI {self.utility_ci_low:.4g}, "
            f"{self.utility_ci_high:.4g}], signed_gap={self.signed_gap:+.4g} [{pct} CI {self.ci_low:+.4g}, "
            f"{self.ci_high:+.4g}], n_replications={self.n_replications}, method={self.method!r}{note})"
        )


def generalization_utility(
    risk_syn,
    risk_real,
    *,
    confidence: float = 0.95,
    method: str = "t",
    n_boot: int = 2000,
    random_state=None,
    risk_range=None,
) -> UtilityResult:
    r"""Generalization utility from paired per-replication real-test risks (the book's definition).

    With :math:`G_j = \text{TSTR}_j - \text{TRTR}_j` the gap of replication :math:`j=1,\dots,J`,

    .. math:: \hat\Delta = \bar G = \frac1J\sum_{j=1}^J G_j, \qquad \hat U = |\hat\Delta|,
              \qquad \hat\Delta \pm t_{J-1,(1+c)/2}\,\frac{S_G}{\sqrt J}

    (:math:`S_G` the standard deviation of the :math:`G_j` with divisor :math:`J-1`, :math:`c` the
    confidence). Lower :math:`U` is better; its range is :math:`[0,\infty)`, or :math:`[0, h-l]` for
    risks in :math:`[l, h]`, and 0 means synthetic data is as useful as real data.

    Parameters
    ----------
    risk_syn, risk_real : array-like of shape (J,)
        Real-test risk of the model trained on synthetic data (TSTR) and of the one trained on real data
        (TRTR) in each of ``J >= 2`` replications. Entry ``j`` of both comes from the same replication
        (the same real sample), so the interval is a paired one.
    confidence : float in (0, 1)
    method : {"t", "bootstrap"}
        ``"t"``: paired Student t interval :math:`\hat\Delta \pm t_{J-1}\, S_G/\sqrt J`.
        ``"bootstrap"``: percentile bootstrap of the mean difference (``n_boot`` resamples of replications).
    n_boot : int
        Bootstrap resamples (``method="bootstrap"`` only).
    random_state : None, int, SeedSequence or Generator
        Seeds the bootstrap.
    risk_range : None or (low, high), keyword-only
        The range :math:`[l, h]` the risk can take, e.g. ``(0, 1)`` for error rates (0-1 loss) or any
        bounded loss. ``None`` (the default) means unbounded, and nothing is clipped. When given, every
        risk must lie in the range, the gap interval is intersected with :math:`[l-h,\ h-l]` (the only
        values a difference of two such risks can take) and the utility interval with :math:`[0,\ h-l]`;
        ``clipped`` in the result says whether that changed an interval.

    Returns
    -------
    UtilityResult
        ``ci_low, ci_high`` cover the signed gap; ``utility_ci_low, utility_ci_high`` cover :math:`U`:
        if the gap interval contains 0 it is :math:`[0, \max(|lo|,|hi|)]`, otherwise
        :math:`[\min(|lo|,|hi|), \max(|lo|,|hi|)]`.

    Raises
    ------
    ValueError
        Unpaired inputs, fewer than two replications, NaN, a bad ``method`` or ``confidence``, or a
        ``risk_range`` that is not an increasing pair or that some risk lies outside of.

    Examples
    --------
    >>> res = generalization_utility([1.2, 1.3, 1.1, 1.25], [1.0, 1.1, 1.0, 1.05])
    >>> round(res.utility, 4), round(res.signed_gap, 4)
    (0.175, 0.175)
    >>> bool(res.ci_low > 0)
    True

    Two replications of error rates: the Student interval (:math:`t_{1,0.975}\approx12.7`) reaches beyond
    what a difference of error rates can be, and ``risk_range=(0, 1)`` cuts it back to :math:`[-1, 1]`.

    >>> wide = generalization_utility([0.30, 0.46], [0.20, 0.20])
    >>> round(wide.ci_low, 3), round(wide.ci_high, 3), round(wide.utility_ci_high, 3)
    (-0.836, 1.196, 1.196)
    >>> rate = generalization_utility([0.30, 0.46], [0.20, 0.20], risk_range=(0, 1))
    >>> round(rate.ci_low, 3), rate.ci_high, rate.utility_ci_high, rate.clipped
    (-0.836, 1.0, 1.0, True)
    """
    confidence = check_confidence(confidence)
    check_choice(method, name="method", choices=("t", "bootstrap"))
    syn = as_float_array(risk_syn, name="risk_syn", ndim=1, min_rows=2)
    real = as_float_array(risk_real, name="risk_real", ndim=1, min_rows=2)
    if syn.shape != real.shape:
        raise ValueError(
            f"risk_syn and risk_real must be paired (one entry per replication), got lengths "
            f"{syn.size} and {real.size}."
        )
    bounds = _check_risk_range(risk_range, syn, real)
    with np.errstate(over="ignore", invalid="ignore"):
        diff = syn - real
    check_finite_result(diff, what="risk_syn - risk_real", fix="the risks exceed the float64 range; rescale them")
    gap = float(check_finite_result(float(_mean(diff)), what="the mean gap", fix="rescale the risks"))
    if method == "t":
        lo, hi = _t_interval(diff, confidence)
    else:
        try:
            n_boot = check_int(n_boot, name="n_boot", low=10)
        except ValueError as error:
            raise type(error)(f"n_boot must be a whole number of at least 10, got {n_boot!r} "
                              f"({type(n_boot).__name__}).") from None
        check_memory(8.0 * n_boot, what=f"n_boot={n_boot} bootstrap means", fix="lower n_boot (2,000 is plenty "
                     "for a 95% interval)")
        rng = check_random_state(random_state)
        means = np.empty(int(n_boot))
        chunk = max(1, 2_000_000 // diff.size)
        for start in range(0, int(n_boot), chunk):
            stop = min(int(n_boot), start + chunk)
            idx = rng.integers(0, diff.size, size=(stop - start, diff.size))
            means[start:stop] = diff[idx].mean(axis=1)
        alpha = 1.0 - confidence
        lo, hi = (float(v) for v in np.quantile(means, [alpha / 2, 1 - alpha / 2]))
        check_finite_result([lo, hi], what="the bootstrap interval", fix="the risks exceed the float64 range; "
                            "rescale them")
    ulo, uhi = _abs_interval(lo, hi)
    clipped = False
    if bounds is not None:
        width = bounds[1] - bounds[0]
        new = (max(lo, -width), min(hi, width), max(ulo, 0.0), min(uhi, width))
        clipped = new != (lo, hi, ulo, uhi)
        lo, hi, ulo, uhi = new
    return UtilityResult(
        utility=abs(gap), signed_gap=gap, ci_low=float(lo), ci_high=float(hi), utility_ci_low=float(ulo),
        utility_ci_high=float(uhi), confidence=confidence, n_replications=int(diff.size), method=method,
        risk_range=bounds, clipped=bool(clipped),
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


def _labels(y, *, name: str, n_rows: int, numeric: bool, x_name: str = "X") -> np.ndarray:
    if numeric:
        y = as_float_array(y, name=name, ndim=1)
    else:
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.ndim != 1:
            raise ValueError(f"{name} must be 1-dimensional, got an array of shape {y.shape}.")
        if y.dtype.kind == "c":
            raise InputTypeError(f"{name} has complex values; class labels must be integers, strings or booleans.")
        if y.dtype.kind in "f" and not np.isfinite(y).all():
            raise ValueError(f"{name} contains NaN or infinite values; drop or impute them before calling.")
        if y.dtype.kind == "O" and any(v is None or (isinstance(v, float) and not math.isfinite(v)) for v in y):
            raise ValueError(f"{name} contains missing values (None or NaN); drop them before calling.")
    if y.shape[0] != n_rows:
        raise ValueError(f"{name} has {y.shape[0]} entries but {x_name} has {n_rows} rows; pass one per row.")
    return y


def tstr_trtr(estimator, X_real, y_real, X_syn, y_syn, X_test, y_test, *, loss="squared_error") -> TSTRResult:
    r"""Train on real and on synthetic data, test both on real data (one replication of a utility experiment).

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
    if not (hasattr(estimator, "fit") and hasattr(estimator, "predict")):
        raise InputTypeError(f"estimator must be a scikit-learn estimator with fit and predict, got "
                             f"{type(estimator).__name__}.")
    Xr, Xs = as_matched_pair(X_real, X_syn, names=("X_real", "X_syn"), min_rows=2)
    _, Xt = as_matched_pair(X_real, X_test, names=("X_real", "X_test"), min_rows=1)
    numeric = loss == "squared_error"
    yr = _labels(y_real, name="y_real", n_rows=Xr.shape[0], numeric=numeric, x_name="X_real")
    ys = _labels(y_syn, name="y_syn", n_rows=Xs.shape[0], numeric=numeric, x_name="X_syn")
    yt = _labels(y_test, name="y_test", n_rows=Xt.shape[0], numeric=numeric, x_name="X_test")
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
        value = loss(y_true, y_pred)
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise InputTypeError(f"loss must return a number (the mean loss), got {type(value).__name__}.")
        return float(value)

    def checked(value: float) -> float:
        return float(check_finite_result(value, what=f"the {loss_name} risk", fix="the predictions or responses "
                                         "exceed the float64 range (rescale the responses) or the loss returned "
                                         "NaN"))

    real_model = clone(estimator).fit(Xr, yr)
    syn_model = clone(estimator).fit(Xs, ys)
    with np.errstate(over="ignore", invalid="ignore"):
        trtr = risk(yt, real_model.predict(Xt))
        tstr = risk(yt, syn_model.predict(Xt))
    trtr, tstr = checked(trtr), checked(tstr)
    return TSTRResult(trtr=trtr, tstr=tstr, gap=tstr - trtr, loss=loss_name)


def required_replications(gap: float, sd: float, *, confidence: float = 0.95, power: float = 0.8) -> int:
    r"""Replications for the paired-t interval of the signed gap to exclude 0 with a given power.

    Normal approximation (part 4 of the proposition on paired intervals, chapter "Measuring utility"):
    the smallest :math:`J` with :math:`\sqrt J\,|\Delta|/\sigma_G \ge z_{(1+c)/2} + z_\omega`, i.e.

    .. math:: J^\star = \Big\lceil \Big(\frac{(z_{(1+c)/2} + z_{\omega})\, \sigma_G}{|\Delta|}\Big)^2 \Big\rceil,

    with :math:`c` the confidence, :math:`\omega` the power and :math:`\sigma_G` the standard deviation of the
    per-replication gap TSTR - TRTR. At least 2.

    Parameters
    ----------
    gap : float
        The gap :math:`\Delta` to detect (non-zero; its sign does not matter), e.g. from a pilot run.
    sd : float
        Standard deviation :math:`\sigma_G` of the per-replication gaps (>= 0).
    confidence : float in (0, 1)
        Confidence of the two-sided interval whose exclusion of 0 counts as a detection.
    power : float in (0, 1)
        Target probability :math:`\omega` of a detection.

    Returns
    -------
    int
        :math:`J^\star`, rounded up (so that the approximate power is at least ``power``), and at least 2.

    Examples
    --------
    >>> required_replications(0.1, 0.5)
    197
    >>> required_replications(0.05, 0.5)  # half the gap: four times the replications
    785
    """
    confidence = check_confidence(confidence)
    power = _number(power, "power", "must lie strictly between 0 and 1 (e.g. 0.8)")
    if not 0.0 < power < 1.0:
        raise ValueError(f"power must lie strictly between 0 and 1 (e.g. 0.8), got {power!r}.")
    gap = _number(gap, "gap", "must be a finite non-zero number (a zero gap is never resolved)")
    if not np.isfinite(gap) or gap == 0:
        raise ValueError(f"gap must be a finite non-zero number (a zero gap is never resolved), got {gap!r}.")
    sd = _number(sd, "sd", "must be a finite non-negative standard deviation")
    if not np.isfinite(sd) or sd < 0:
        raise ValueError(f"sd must be a finite non-negative standard deviation, got {sd!r}.")
    z = stats.norm.ppf(0.5 + confidence / 2) + stats.norm.ppf(power)
    with np.errstate(over="ignore"):
        if not float(((z * sd) / abs(gap)) ** 2) < 1e15:
            raise ValueError(f"gap={gap!r} is too small against sd={sd!r}: it would take more than 10^15 "
                             "replications to resolve; give a larger gap (the smallest one that matters) or a "
                             "smaller sd.")
    n = math.ceil(((z * sd) / abs(gap)) ** 2 - 1e-12)
    return max(int(n), 2)


def _number(value, name: str, rule: str) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise InputTypeError(f"{name} {rule}, got {value!r} ({type(value).__name__}).")
    return float(value)
