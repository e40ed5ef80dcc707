r"""Losses and the test-set bootstrap of :func:`synutil.evaluate.evaluate` (private).

A loss is named by a scikit-learn scorer name (``"accuracy"``, ``"neg_log_loss"``, ``"roc_auc"``,
``"neg_mean_squared_error"``, ...) or is a callable ``loss(y_true, y_pred) -> float``. Every risk here is a
**loss: lower is better**. A scorer that is a score (higher is better) is turned into a loss, ``1 - score`` when
the score is at most 1 (``accuracy`` -> the zero-one error), ``-score`` otherwise; a ``neg_*`` scorer is negated
back into the loss it negates. The conversion is recorded in :class:`LossInfo`, never done silently.

Risks on bootstrap resamples of the test set are computed from per-row tables for the common losses
(zero-one, balanced accuracy, log loss, squared, absolute and root squared error, R²): a resample is a vector of
row counts :math:`c` and the risk a function of :math:`c^\top A` for a per-row table :math:`A`, so a thousand
resamples cost a few matrix products. Other scorers are recomputed on each resample (slower).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.metaestimators import available_if

__all__ = ["LossInfo", "resolve_loss", "bootstrap_indices", "counts_of"]

_REGRESSION = {
    "d2_absolute_error_score", "explained_variance", "r2", "neg_max_error", "neg_mean_absolute_error",
    "neg_mean_absolute_percentage_error", "neg_mean_gamma_deviance", "neg_mean_poisson_deviance",
    "neg_mean_squared_error", "neg_mean_squared_log_error", "neg_median_absolute_error",
    "neg_root_mean_squared_error", "neg_root_mean_squared_log_error",
}
_CLUSTERING = {
    "adjusted_mutual_info_score", "adjusted_rand_score", "completeness_score", "fowlkes_mallows_score",
    "homogeneity_score", "mutual_info_score", "normalized_mutual_info_score", "rand_score", "v_measure_score",
}
_UNIT_SCORES = ("accuracy", "balanced_accuracy", "average_precision", "f1", "jaccard", "precision", "recall",
                "roc_auc", "top_k_accuracy")
_ALIASES = {"zero_one": "accuracy", "error_rate": "accuracy", "squared_error": "neg_mean_squared_error",
            "absolute_error": "neg_mean_absolute_error", "log_loss": "neg_log_loss"}
_SQUARED = {"neg_mean_squared_error", "neg_root_mean_squared_error", "r2", "explained_variance"}
#: scorers defined for two classes only (their multiclass forms carry a suffix: roc_auc_ovr, f1_macro, ...)
_BINARY_ONLY = {"roc_auc": "roc_auc_ovr", "average_precision": "accuracy", "f1": "f1_macro",
                "precision": "precision_macro", "recall": "recall_macro", "jaccard": "jaccard_macro"}


@dataclass(frozen=True)
class LossInfo:
    """What the reported risk is: its name, where it came from, its direction (always lower is better) and range."""

    name: str
    source: str
    low: float
    high: float
    note: str = ""
    direction: str = "lower is better"

    @property
    def range_text(self) -> str:
        lo = "(-inf" if math.isinf(self.low) else f"[{self.low:g}"
        hi = "inf)" if math.isinf(self.high) else f"{self.high:g}]"
        return f"{lo}, {hi}"

    @property
    def risk_range(self):
        """``(low, high)`` for :func:`~synutil.utility.generalization_utility`, or None when unbounded."""
        return None if math.isinf(self.high) else (self.low, self.high)

    def to_dict(self) -> dict:
        """The fields as a plain dict, with the range as text."""
        return {**asdict(self), "range": self.range_text}


class _Frozen(BaseEstimator):
    """Stored outputs of a fitted model, looked up by row index: X is a column of test-row indices."""

    def __init__(self, outputs=None, classes=None):
        self.outputs = outputs
        self.classes = classes

    def __sklearn_is_fitted__(self):
        return True

    def _get(self, method, X):
        return self.outputs[method][np.asarray(X)[:, 0].astype(np.int64)]

    def predict(self, X):
        return self._get("predict", X)


def _has(method):
    return lambda self: method in self.outputs


class _FrozenClassifier(ClassifierMixin, _Frozen):
    @property
    def classes_(self):
        return self.classes

    @available_if(_has("predict_proba"))
    def predict_proba(self, X):
        return self._get("predict_proba", X)

    @available_if(_has("decision_function"))
    def decision_function(self, X):
        return self._get("decision_function", X)


class _FrozenRegressor(RegressorMixin, _Frozen):
    pass


def counts_of(index: np.ndarray, n: int) -> np.ndarray:
    """Row counts of each resample: (B, n) from an index array (B, n)."""
    b = index.shape[0]
    flat = (np.arange(b)[:, None] * n + index).ravel()
    return np.bincount(flat, minlength=b * n).reshape(b, n).astype(float)


class Loss:
    """A resolved loss: ``prepare(model, X, y)`` once per fitted model, then ``risks(prepared, y, index)``.

    Fast losses keep a per-row table and a ``reduce(counts, table, n)``; a model the fast path cannot handle (or a
    loss without one) keeps its stored outputs and is rescored with the scikit-learn scorer on each resample.
    """

    def __init__(self, info: LossInfo, *, table=None, reduce=None, scorer=None, transform=None, func=None,
                 classification=True):
        self.info, self._table, self._reduce = info, table, reduce
        self._scorer, self._transform, self._func = scorer, transform, func
        self.classification = classification
        self.labels = None

    @property
    def fast(self) -> bool:
        return self._table is not None

    def prepare(self, model, X, y):
        if self._table is not None:
            table = self._table(model, X, y)
            if table is not None:
                return table
        if self._func is not None:
            return ("predictions", model.predict(X))
        outputs = {"predict": model.predict(X)}
        for method in ("predict_proba", "decision_function"):
            if hasattr(model, method):
                try:
                    outputs[method] = getattr(model, method)(X)
                except (AttributeError, NotImplementedError):  # e.g. predict_proba of a hinge-loss SGD
                    pass
        cls = _FrozenClassifier if self.classification else _FrozenRegressor
        return cls(outputs, getattr(model, "classes_", None))

    def full(self, prepared, y) -> float:
        """Risk on the whole test set."""
        return float(self.risks(prepared, y, np.arange(len(y))[None, :])[0])

    def risks(self, prepared, y, index: np.ndarray, counts=None) -> np.ndarray:
        """Risks on the resamples ``index`` (B, n) of the test rows (``counts``: their row counts, if known)."""
        if not isinstance(prepared, (_Frozen, tuple)):
            counts = counts_of(index, len(y)) if counts is None else counts
            return self._reduce(counts, prepared, index.shape[1])
        if isinstance(prepared, tuple) and prepared[0] == "auc":
            counts = counts_of(index, len(y)) if counts is None else counts
            return _auc_loss(counts, prepared)
        out = np.empty(index.shape[0])
        for b, idx in enumerate(index):
            if isinstance(prepared, tuple):
                yt, yp = y[idx], prepared[1][idx]
                if self.labels is not None:  # class codes back to the class labels
                    lab = np.asarray(self.labels, dtype=object)
                    yt, yp = lab[yt], lab[yp]
                out[b] = float(self._func(yt, yp))
            else:
                out[b] = self._transform(float(self._scorer(prepared, idx[:, None], y[idx])))
        return out


def _proba_true(model, X, y):
    proba = np.asarray(model.predict_proba(X), dtype=float)
    col = {c: i for i, c in enumerate(model.classes_)}
    p = proba[np.arange(len(y)), [col[v] for v in y]]
    return p / proba.sum(axis=1)


def _auc_table(model, X, y):
    """Sorted scores of a binary classifier (the scorer's response: decision_function, else predict_proba)."""
    classes = list(getattr(model, "classes_", []))
    if len(classes) != 2 or not set(np.unique(y)) <= set(classes):
        return None
    if hasattr(model, "decision_function"):
        score = np.asarray(model.decision_function(X), dtype=float)
    else:
        score = np.asarray(model.predict_proba(X), dtype=float)[:, 1]
    order = np.argsort(score, kind="mergesort")
    s = score[order]
    starts = np.flatnonzero(np.r_[True, s[1:] != s[:-1]])
    return ("auc", order, starts, (y[order] == classes[1]).astype(float))


def _auc_loss(counts, table):
    r"""1 - ROC AUC with row weights: :math:`\sum_{i+,k-}c_ic_k(1\{s_i>s_k\}+\tfrac12 1\{s_i=s_k\})/(W_+W_-)`."""
    _, order, starts, pos = table
    c = counts[:, order]
    p = np.add.reduceat(c * pos, starts, axis=1)
    q = np.add.reduceat(c * (1.0 - pos), starts, axis=1)
    below = np.cumsum(q, axis=1) - q
    with np.errstate(invalid="ignore", divide="ignore"):
        return 1.0 - (p * (below + 0.5 * q)).sum(axis=1) / (p.sum(axis=1) * q.sum(axis=1))


def _linear(g):
    return lambda counts, table, n: g(counts @ table, n)


def _fast_loss(name, info, classification):
    eps = np.finfo(float).eps

    def mean(S, n):
        return S[:, 0] / n

    if name == "accuracy":
        return Loss(info, table=lambda m, X, y: (m.predict(X) != y).astype(float)[:, None], reduce=_linear(mean))
    if name == "neg_log_loss":
        return Loss(info, table=lambda m, X, y: -np.log(np.clip(_proba_true(m, X, y), eps, 1.0))[:, None],
                    reduce=_linear(mean))
    if name == "roc_auc":
        return Loss(info, table=_auc_table, reduce=None, scorer=_scorer(name), transform=_one_minus)
    if name == "balanced_accuracy":
        def table(m, X, y):
            right = m.predict(X) == y
            classes = np.unique(y)
            return np.column_stack([c for k in classes for c in ((right & (y == k)), (y == k))]).astype(float)

        def reduce(S, n):
            with np.errstate(invalid="ignore", divide="ignore"):
                recall = S[:, 0::2] / S[:, 1::2]
            return 1.0 - np.nanmean(recall, axis=1)
        return Loss(info, table=table, reduce=_linear(reduce))
    if classification:
        return None
    if name in ("neg_mean_squared_error", "neg_root_mean_squared_error"):
        root = name == "neg_root_mean_squared_error"
        return Loss(info, table=lambda m, X, y: ((y - m.predict(X)) ** 2)[:, None],
                    reduce=_linear((lambda S, n: np.sqrt(S[:, 0] / n)) if root else mean), classification=False)
    if name == "neg_mean_absolute_error":
        return Loss(info, table=lambda m, X, y: np.abs(y - m.predict(X))[:, None], reduce=_linear(mean),
                    classification=False)
    if name == "r2":
        def reduce(S, n):
            sst = S[:, 2] - S[:, 1] ** 2 / n
            with np.errstate(invalid="ignore", divide="ignore"):
                return S[:, 0] / sst
        return Loss(info, table=lambda m, X, y: np.column_stack([(y - m.predict(X)) ** 2, y, y**2]),
                    reduce=_linear(reduce), classification=False)
    return None


def _scorer(name):
    from sklearn.metrics import get_scorer

    return get_scorer(name)


def _check_callable(func, y):
    """Refuse a callable that behaves like a score: the loss of perfect predictions must not exceed that of bad ones."""
    name = getattr(func, "__name__", type(func).__name__)
    perm = np.random.default_rng(0).permutation(len(y))
    try:
        perfect, bad = float(func(y, y)), float(func(y, y[perm]))
    except Exception as error:  # noqa: BLE001 - any failure of a user's callable becomes one clear message
        raise ValueError(f"loss callable {name!r} failed on the test labels: {error}. It must be "
                         "loss(y_true, y_pred) -> float, lower is better.") from None
    if not (np.isfinite(perfect) and np.isfinite(bad)):
        raise ValueError(f"loss callable {name!r} returned {perfect} for perfect predictions and {bad} for shuffled "
                         "ones: it must return a finite number, loss(y_true, y_pred) -> float.")
    if perfect > bad:
        raise ValueError(
            f"loss callable {name!r} looks like a score (higher is better): it gives {perfect:.4g} for perfect "
            f"predictions and {bad:.4g} for shuffled ones. Pass a loss (e.g. lambda y, p: 1 - {name}(y, p)) or a "
            "scikit-learn scorer name such as 'accuracy', which evaluate turns into a loss."
        )
    return name


def resolve_loss(loss, *, task: str, y_test=None) -> Loss:
    """Turn ``loss`` (None, a scorer name or a callable) into a :class:`Loss` for ``task``; refuse what does not fit."""
    from sklearn.metrics import get_scorer, get_scorer_names

    classification = task == "classification"
    if loss is None:
        loss = "accuracy" if classification else "neg_mean_squared_error"
    if callable(loss) and not isinstance(loss, str):
        name = _check_callable(loss, np.asarray(y_test)) if y_test is not None else getattr(loss, "__name__", "loss")
        info = LossInfo(name=name, source="callable", low=-math.inf, high=math.inf,
                        note="a callable loss(y_true, y_pred); its direction was checked (perfect <= shuffled)")
        return Loss(info, func=loss, classification=classification)
    if not isinstance(loss, str):
        raise ValueError(f"loss must be None, a scikit-learn scorer name (e.g. 'accuracy', 'neg_log_loss') or a "
                         f"callable loss(y_true, y_pred), got {type(loss).__name__}.")
    name = _ALIASES.get(loss, loss)
    if name not in get_scorer_names():
        raise ValueError(f"unknown loss {loss!r}: use a scikit-learn scorer name (sklearn.metrics.get_scorer_names(),"
                         " e.g. 'accuracy', 'neg_log_loss', 'roc_auc', 'neg_mean_squared_error') or 'zero_one', "
                         "'squared_error', 'absolute_error', 'log_loss'.")
    if name in _CLUSTERING:
        raise ValueError(f"loss {loss!r} is a clustering score, not a prediction loss; use e.g. 'accuracy' or "
                         "'neg_log_loss'.")
    if classification and name in _REGRESSION:
        what = "squared error" if name in _SQUARED else f"{name!r}"
        raise ValueError(
            f"loss {loss!r} ({what}) compares numbers, but the task is classification: class labels are not "
            "numbers. Use 'accuracy' (zero-one error), 'neg_log_loss' or 'neg_brier_score' (squared error of the "
            "predicted probabilities), or pass task='regression' if the target is a quantity."
        )
    if not classification and name not in _REGRESSION:
        raise ValueError(f"loss {loss!r} is a classification scorer, but the task is regression; use e.g. "
                         "'neg_mean_squared_error', 'neg_mean_absolute_error' or 'r2', or pass task='classification'.")
    if classification and name in _BINARY_ONLY and y_test is not None:
        n_classes = len(set(np.asarray(y_test, dtype=object).tolist()))
        if n_classes > 2:
            raise ValueError(f"loss {loss!r} is defined for two classes, but the target has {n_classes} in real_test; "
                             f"use a multiclass form such as {_BINARY_ONLY[name]!r} (or 'accuracy', 'neg_log_loss').")
    scorer = get_scorer(name)
    sign = getattr(scorer, "_sign", -1 if name.startswith("neg_") else 1)
    if sign < 0:  # a negated loss: negate it back
        base = name[4:] if name.startswith("neg_") else name
        high = 2.0 if base == "brier_score" else math.inf
        info = LossInfo(name=base, source=name, low=0.0, high=high, note=f"{name} negated back into a loss")
        transform = _neg
    elif name.startswith(_UNIT_SCORES):
        label = "zero-one error (1 - accuracy)" if name == "accuracy" else f"1 - {name}"
        info = LossInfo(name=label, source=name, low=0.0, high=1.0,
                        note=f"{name} is a score (higher is better), turned into the loss 1 - {name}")
        transform = _one_minus
    elif name in ("r2", "explained_variance", "matthews_corrcoef") or name.startswith("d2_"):
        high = 2.0 if name == "matthews_corrcoef" else math.inf
        info = LossInfo(name=f"1 - {name}", source=name, low=0.0, high=high,
                        note=f"{name} is a score (at most 1, higher is better), turned into the loss 1 - {name}")
        transform = _one_minus
    else:
        info = LossInfo(name=f"-{name}", source=name, low=-math.inf, high=math.inf,
                        note=f"{name} is a score (higher is better), turned into the loss -{name}")
        transform = _neg
    fast = _fast_loss(name, info, classification)
    return fast if fast is not None else Loss(info, scorer=scorer, transform=transform, classification=classification)


def _neg(v):
    return -v


def _one_minus(v):
    return 1.0 - v


def bootstrap_indices(rng: np.random.Generator, n: int, size: int, strata=None) -> np.ndarray:
    """``size`` bootstrap resamples of ``n`` rows, shape (size, n); within each stratum when ``strata`` is given
    (every stratum keeps its count, so every class appears in every resample).

    >>> idx = bootstrap_indices(np.random.default_rng(0), 6, 3, strata=np.array(list("aabbbc")))
    >>> idx.shape, idx[:, 5].tolist()
    ((3, 6), [5, 5, 5])
    """
    if strata is None:
        return rng.integers(0, n, size=(size, n))
    out = np.empty((size, n), dtype=np.int64)
    _, codes = np.unique(np.asarray(strata, dtype=str), return_inverse=True)
    for k in range(codes.max() + 1):
        rows = np.flatnonzero(codes == k)
        out[:, rows] = rows[rng.integers(0, rows.size, size=(size, rows.size))]
    return out
