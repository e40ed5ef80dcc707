r"""Small learners and a classification task used by the model-ranking chapters.

* :func:`threshold_erm` — exact empirical-risk minimisation over 1-D thresholds
  :math:`h_t(x)=\mathbb 1\{x\ge t\}`, batched over Monte Carlo replications (one sort per replication).
  It is the 0-1 learner of the label-noise sample-price experiment.
* :func:`split_gini` — the weighted Gini impurity of a split, the criterion that CART (scikit-learn's
  ``DecisionTreeClassifier``) minimises; with probabilities :math:`\eta(x)` in place of labels it is the
  population criterion, which the label-noise chapter uses to show that symmetric label noise leaves the
  population splits of a depth-limited tree unchanged.
* :class:`WavyBoundaryClassification` — a 2-D binary task with a curved Bayes boundary, on which
  learners of different capacity (a stump, logistic regression, a shallow tree, k-NN, boosting, a
  small network) have clearly different risks; its known :math:`\eta` gives each classifier's exact
  conditional risk, so rankings are not blurred by test-label noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validation import InputTypeError, as_numbers, check_float, check_int, check_memory, check_random_state
from .laws import BinaryClassificationModel, _size

__all__ = ["threshold_erm", "split_gini", "WavyBoundaryClassification"]


def _numbers(values, name: str) -> np.ndarray:
    """Numbers of any shape, NaN and infinity allowed (reported by the caller); strings and complex refused."""
    try:
        return as_numbers(values, name=name, allow_inf=True)
    except InputTypeError:
        raise
    except ValueError:  # NaN: the caller's own message
        return np.asarray(values, dtype=float)


def threshold_erm(x, y):
    r"""Empirical 0-1 risk minimiser over thresholds, for ``R`` samples at once.

    .. math:: \hat t=\arg\min_{t}\ \frac1n\sum_{i=1}^n \mathbb 1\{\mathbb 1\{x_i\ge t\}\ne y_i\}

    Candidate thresholds are the sample points and :math:`+\infty` (predict 0 everywhere); among
    minimisers the smallest candidate is returned. The returned :math:`\hat t` lies midway between the
    chosen sample point and its left neighbour, so that it does not sit on a training point.

    Parameters
    ----------
    x : array of shape (n,) or (R, n)
        One feature per sample (a batch of ``R`` samples).
    y : array of the same shape, 0/1 labels.

    Returns
    -------
    float or ndarray of shape (R,)
        Thresholds (``inf`` when predicting 0 everywhere is best, ``-inf`` when the first point starts the 1s).

    Examples
    --------
    >>> float(threshold_erm([0.1, 0.4, 0.2, 0.9], [0, 1, 0, 1]))
    0.30000000000000004
    >>> threshold_erm([[0.0, 1.0, 2.0], [0.0, 1.0, 2.0]], [[0, 0, 1], [1, 0, 0]]).tolist()
    [1.5, inf]
    """
    x_arr = _numbers(x, "x")
    y_arr = np.asarray(y)
    if y_arr.dtype.kind not in "biuf":
        raise InputTypeError(f"y must hold binary 0/1 labels (numbers), got dtype {y_arr.dtype}; encode the classes "
                             "as 0 and 1.")
    if x_arr.shape != y_arr.shape or x_arr.ndim not in (1, 2):
        raise ValueError(f"x and y must have the same shape (n,) or (R, n), got {x_arr.shape} and {y_arr.shape}.")
    if x_arr.shape[-1] < 1:
        raise ValueError("x must hold at least one point per sample.")
    if not np.all(np.isfinite(x_arr)):
        raise ValueError("x contains NaN or infinite values; drop or impute them before fitting.")
    if not np.isin(y_arr, (0, 1)).all():
        raise ValueError("y must hold binary 0/1 labels; encode the classes as 0 and 1.")
    single = x_arr.ndim == 1
    X = np.atleast_2d(x_arr)
    Y = np.atleast_2d(y_arr).astype(float)
    order = np.argsort(X, axis=1, kind="stable")
    xs = np.take_along_axis(X, order, axis=1)
    ys = np.take_along_axis(Y, order, axis=1)
    n = xs.shape[1]
    # threshold at sorted position j (j = 0..n): points j..n-1 predicted 1.
    ones_left = np.concatenate([np.zeros((len(xs), 1)), np.cumsum(ys, axis=1)], axis=1)  # 1s predicted 0
    zeros_right = (n - np.arange(n + 1)) - (ys.sum(axis=1, keepdims=True) - ones_left)  # 0s predicted 1
    errors = ones_left + zeros_right
    # ties between equal x values: only positions where x changes are attainable thresholds
    valid = np.ones_like(errors, dtype=bool)
    valid[:, 1:n] = xs[:, 1:] > xs[:, :-1]
    j = np.argmin(np.where(valid, errors, np.inf), axis=1)
    padded = np.concatenate([np.full((len(xs), 1), -np.inf), xs, np.full((len(xs), 1), np.inf)], axis=1)
    left, right = padded[np.arange(len(xs)), j], padded[np.arange(len(xs)), j + 1]
    with np.errstate(invalid="ignore"):
        t = np.where(np.isinf(left) | np.isinf(right), np.where(np.isinf(left), -np.inf, np.inf), (left + right) / 2)
    return float(t[0]) if single else t


def split_gini(x, y, thresholds):
    r"""Weighted Gini impurity of the splits :math:`\{x<t\}\,|\,\{x\ge t\}`, one value per threshold :math:`t`.

    .. math:: G(t)=\sum_{c\in\{\text{left},\,\text{right}\}}\frac{n_c}{n}\;2p_c(1-p_c),
              \qquad p_c=\text{mean of } y \text{ over the points of child } c .

    This is the criterion that CART (``DecisionTreeClassifier(criterion="gini")``) minimises over splits
    at a node. ``y`` may hold 0/1 labels (the empirical criterion) or probabilities :math:`\eta(x_i)\in[0,1]`:
    with ``x`` a large sample or a regular grid of the feature law, :math:`G` is then the population
    criterion. A child without points contributes 0. Lower is better; range :math:`[0, 1/2]`.

    Parameters
    ----------
    x : array of shape (n,)
        The feature the node splits on.
    y : array of shape (n,)
        Labels in {0, 1} or probabilities in [0, 1].
    thresholds : float or array of shape (T,)

    Returns
    -------
    float or ndarray of shape (T,)

    Examples
    --------
    >>> np.round(split_gini([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1], [0.5, 0.15]), 6).tolist()  # pure; then 1 | 3
    [0.0, 0.333333]
    >>> round(float(split_gini([0.1, 0.2, 0.8, 0.9], [0.2, 0.2, 0.9, 0.7], 0.5)), 6)  # 0.5*0.32 + 0.5*0.32
    0.32
    """
    x_arr = _numbers(x, "x")
    y_arr = _numbers(y, "y")
    if x_arr.ndim != 1 or x_arr.shape != y_arr.shape or x_arr.size < 1:
        raise ValueError(f"x and y must be 1-D arrays of the same positive length, got {x_arr.shape} and {y_arr.shape}.")
    if not (np.all(np.isfinite(x_arr)) and np.all(np.isfinite(y_arr))):
        raise ValueError("x and y must be finite; drop or impute missing values before computing the impurity.")
    if np.any((y_arr < 0) | (y_arr > 1)):
        raise ValueError("y must hold 0/1 labels or probabilities in [0, 1].")
    t = _numbers(thresholds, "thresholds")
    if np.isnan(t).any():
        raise ValueError("thresholds must be numbers (infinite allowed), not NaN.")
    order = np.argsort(x_arr, kind="stable")
    xs, ys = x_arr[order], y_arr[order]
    csum = np.concatenate([[0.0], np.cumsum(ys)])
    n = xs.size
    n_left = np.searchsorted(xs, t, side="left")  # points with x < t
    n_right = n - n_left
    s_left = csum[n_left]
    s_right = csum[-1] - s_left
    p_left = s_left / np.maximum(n_left, 1)
    p_right = s_right / np.maximum(n_right, 1)
    out = (n_left * 2 * p_left * (1 - p_left) + n_right * 2 * p_right * (1 - p_right)) / n
    return float(out) if out.ndim == 0 else out


@dataclass(frozen=True)
class WavyBoundaryClassification(BinaryClassificationModel):
    r"""Binary classification on :math:`[-1,1]^2` with a sine-shaped Bayes boundary.

    .. math:: X\sim U[-1,1]^2,\qquad \eta(x)=\frac{1}{1+\exp\{-s\,(x_2-a\sin(\pi x_1))\}},

    with amplitude :math:`a` and sharpness :math:`s`. The Bayes classifier is
    :math:`\mathbb 1\{x_2\ge a\sin(\pi x_1)\}`: an axis-aligned stump, a linear rule, a shallow tree and
    flexible learners reach clearly different risks. It has the interface of
    :class:`synutil.sim.laws.MarginClassification`, so :class:`synutil.generators.ModelGenerator` and
    :class:`synutil.generators.LabelNoise` accept it.

    Examples
    --------
    >>> task = WavyBoundaryClassification()
    >>> X, y = task.sample(5, random_state=0)
    >>> X.shape, y.shape
    ((5, 2), (5,))
    >>> round(task.bayes_risk(), 3)
    0.069
    """

    amplitude: float = 0.6
    sharpness: float = 10.0

    def __post_init__(self):
        for name in ("amplitude", "sharpness"):
            value = getattr(self, name)
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
                raise InputTypeError(f"{name} must be a number, got {value!r} ({type(value).__name__}).")
        if not (np.isfinite(self.amplitude) and np.isfinite(self.sharpness) and self.sharpness > 0):
            raise ValueError(
                f"amplitude must be finite and sharpness positive, got {self.amplitude!r} and {self.sharpness!r}."
            )

    def _score(self, X):
        X = np.asarray(X, dtype=float)
        if X.shape[-1] != 2:
            raise ValueError(f"X must have 2 features (last axis), got shape {X.shape}.")
        return X[..., 1] - self.amplitude * np.sin(np.pi * X[..., 0])

    def eta(self, X):
        r""":math:`P(Y=1\mid X=x)`."""
        return 1.0 / (1.0 + np.exp(-self.sharpness * self._score(X)))

    def bayes_classifier(self, X):
        return (self._score(X) >= 0).astype(int)

    def sample_features(self, n, *, replications=None, random_state=None):
        rng = check_random_state(random_state)
        return rng.uniform(-1.0, 1.0, size=_size(n, replications, 2))

    def risk(self, predictions, X):
        r"""0-1 risk of the predictions given the features, averaged over ``X``.

        .. math:: \frac1N\sum_i \big[\eta(x_i)\,(1-h(x_i))+(1-\eta(x_i))\,h(x_i)\big]

        This is :math:`E[\mathbb 1\{h(X)\ne Y\}\mid X]` averaged over a real feature sample: the real
        risk without the noise of test labels. ``predictions`` may carry leading replication axes.
        """
        h = _numbers(predictions, "predictions")
        eta = self.eta(X)
        if h.ndim < 1 or h.shape[-1] != np.shape(eta)[-1]:
            raise ValueError(f"predictions must have one entry per row of X (last axis {np.shape(eta)[-1]}), got shape "
                             f"{h.shape}.")
        if not np.all((h >= 0) & (h <= 1)):
            raise ValueError("predictions must be 0/1 labels (or probabilities of class 1 in [0, 1]), without NaN.")
        return np.mean(eta * (1 - h) + (1 - eta) * h, axis=-1)

    def bayes_risk(self, *, n_nodes: int = 200) -> float:
        r""":math:`E\min(\eta,1-\eta)` by Gauss–Legendre quadrature on each axis."""
        n_nodes = check_int(n_nodes, name="n_nodes", low=2)
        check_memory(48.0 * n_nodes**2, what=f"a {n_nodes} x {n_nodes} quadrature grid", fix="lower n_nodes")
        z, w = np.polynomial.legendre.leggauss(n_nodes)
        x1, x2 = np.meshgrid(z, z, indexing="ij")
        eta = self.eta(np.stack([x1, x2], axis=-1))
        return float(np.sum(np.outer(w, w) * np.minimum(eta, 1 - eta)) / 4.0)
