r"""Wrappers that degrade a generator along one fidelity knob each, and compose.

Each wrapper takes a fitted base generator (for instance :class:`~synutil.generators.ModelGenerator`,
a perfect generator) and changes exactly one ingredient of the synthetic distribution
:math:`\tilde P=(\tilde P_X,\tilde P_{Y\mid X})`:

============================  ======================================================  =====================
wrapper                       what changes                                            book ingredient
============================  ======================================================  =====================
:class:`FeatureShift`         :math:`\tilde X = c + s(X-c) + \delta`                  feature fidelity
:class:`FeatureLaw`           :math:`\tilde P_X` replaced by a given law              feature fidelity
:class:`CoverageGap`          a region of feature space never generated               coverage (:math:`\kappa=\infty`)
:class:`ResponseError`        :math:`\tilde\eta=\eta+\gamma h`                          response estimation
:class:`LabelNoise`           binary labels flipped with probability :math:`\rho`     response estimation
============================  ======================================================  =====================

:func:`flip_labels` is the multiclass counterpart for labels that are already drawn (e.g. by a
class-conditional image generator): each label is replaced, with probability :math:`\rho`, by one of the
*other* classes chosen uniformly.

Responses are always drawn *at the synthetic features*, so a feature knob leaves the response law
:math:`\tilde P_{Y\mid X}` untouched and a response knob leaves :math:`\tilde P_X` untouched.

Examples
--------
>>> from synutil.sim.laws import sine_regression
>>> from synutil.generators import ModelGenerator
>>> gen = ResponseError(FeatureShift(ModelGenerator(sine_regression(noise_sd=0.0)), shift=0.5),
...                     gamma=0.1, direction=lambda X: np.ones(len(X)))
>>> X, y = gen.sample(4, random_state=0)
>>> bool(np.allclose(y, np.sin(2 * np.pi * X[:, 0]) + 0.1))
True
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .._validation import (
    InputTypeError,
    as_labels,
    as_numbers,
    check_float,
    check_int,
    check_random_state,
)
from ._base import ModelGenerator, SyntheticGenerator, _describe

__all__ = ["FeatureShift", "FeatureLaw", "CoverageGap", "ResponseError", "LabelNoise", "flip_labels"]


def _feature_dim(gen):
    """The number of features ``gen`` draws, or None when it cannot be told without drawing from it.

    A throwaway random generator is used where a draw is needed, so the caller's stream is not touched.
    """
    while isinstance(gen, _Wrapper):
        if isinstance(gen, FeatureLaw) and gen._law_dim is not None:
            return gen._law_dim
        gen = gen.base
    dim = getattr(gen, "n_features_in_", None) if getattr(gen, "fitted_", False) else None
    if dim is not None:
        return int(dim)
    if isinstance(gen, ModelGenerator):
        law = getattr(gen.model, "feature_law", None)
        if law is not None and isinstance(getattr(law, "dim", None), (int, np.integer)):
            return int(law.dim)
        try:
            X = np.asarray(gen.sample_features(1, np.random.default_rng(0)))
        except Exception:  # noqa: BLE001 - the check is skipped, the real draw will raise if it must
            return None
        return int(X.shape[-1]) if X.ndim >= 2 else 1
    return None


def _check_callable(value, name: str, what: str):
    if not callable(value):
        raise InputTypeError(f"{name} must be a callable {what}, got {_describe(value)}.")
    return value


class _Wrapper(SyntheticGenerator):
    def __init__(self, base: SyntheticGenerator):
        if not isinstance(base, SyntheticGenerator):
            raise InputTypeError(f"base must be a synutil generator (e.g. ModelGenerator(model) or a fitted "
                                 f"GaussianGenerator), got {_describe(base)}.")
        self.base = base

    @property
    def fitted_(self):
        return self.base.fitted_

    @property
    def n_features_in_(self):
        return getattr(self.base, "n_features_in_", None)

    def _check_fitted(self):
        if not self.base.fitted_:
            raise ValueError(f"{type(self).__name__} wraps a {type(self.base).__name__} that is not fitted yet; "
                             "call fit(X, y) first (on the wrapper or on its base).")

    def _fit(self, X, y):
        self.base.fit(X, y)

    def fit(self, X, y=None):
        self.base.fit(X, y)
        return self

    def sample_features(self, n, rng):
        return self.base.sample_features(n, rng)

    def sample_responses(self, X, rng):
        return self.base.sample_responses(X, rng)

    def eta(self, X):
        """The synthetic regression function :math:`\\tilde\\eta` when the base exposes one."""
        if not callable(getattr(self.base, "eta", None)):
            raise InputTypeError(f"{type(self.base).__name__} does not expose its regression function eta(X); "
                                 "wrap a ModelGenerator (or another knob) to use eta.")
        return self.base.eta(X)


class FeatureShift(_Wrapper):
    r"""Move and stretch the synthetic features: :math:`\tilde X=c+s\,(X-c)+\delta`.

    Parameters
    ----------
    base : SyntheticGenerator
    shift : float or array, the location shift :math:`\delta`.
    scale : float, the stretch :math:`s>0` around the centre :math:`c`.
    center : float or array, default 0.
    """

    def __init__(self, base, *, shift=0.0, scale=1.0, center=0.0):
        super().__init__(base)
        self._shift = self._vector(shift, "shift", "a location shift")
        self._scale = self._vector(scale, "scale", "a stretch, positive", low=0.0)
        self._center = self._vector(center, "center", "the centre of the stretch")
        self.shift, self.scale, self.center = shift, scale, center
        dim = _feature_dim(base)
        if dim is not None:
            self._check_lengths(dim)

    @staticmethod
    def _vector(value, name, what, low=None):
        values = as_numbers(value, name=name, low=low, low_open=low is not None)
        if values.ndim > 1 or values.size == 0:
            raise ValueError(f"{name} ({what}) must be a number or one value per feature (a 1-D array), got "
                             f"shape {values.shape}.")
        return values.item() if values.ndim == 0 else values

    def _check_lengths(self, dim):
        for name, value in (("shift", self._shift), ("scale", self._scale), ("center", self._center)):
            if np.ndim(value) == 1 and len(value) != dim:
                raise ValueError(f"{name} has {len(value)} entries but the base generator draws {dim} feature(s); "
                                 f"pass a number or exactly {dim} value(s), one per feature.")

    def sample_features(self, n, rng):
        X = self.base.sample_features(n, rng)
        self._check_lengths(np.shape(X)[-1] if np.ndim(X) >= 2 else 1)
        return self._center + self._scale * (X - self._center) + self._shift


class FeatureLaw(_Wrapper):
    """Replace the synthetic feature law by ``law`` (anything with ``sample(n, random_state=rng)``).

    >>> from synutil.sim.laws import sine_regression, BetaLaw
    >>> from synutil.generators import ModelGenerator
    >>> X, _ = FeatureLaw(ModelGenerator(sine_regression()), law=BetaLaw(2, 5)).sample(1000, random_state=0)
    >>> round(float(X.mean()), 1)  # Beta(2, 5) has mean 2/7
    0.3
    """

    _law_dim = None

    def __init__(self, base, *, law):
        super().__init__(base)
        if not callable(getattr(law, "sample", None)):
            raise InputTypeError("law must have a sample(n, random_state=...) method, e.g. synutil.sim.laws.BetaLaw; "
                                 f"got {_describe(law)}.")
        self.law = law
        law_dim = getattr(law, "dim", None)
        if isinstance(law_dim, (int, np.integer)):
            self._check_dim(int(law_dim), _feature_dim(base))
            self._law_dim = int(law_dim)

    def _check_dim(self, law_dim, base_dim):
        if base_dim is not None and law_dim != base_dim:
            raise ValueError(
                f"law draws {law_dim}-dimensional features but the base generator {type(self.base).__name__} has "
                f"{base_dim} feature(s), and its responses are drawn at these features; pass a law of dimension "
                f"{base_dim} (e.g. BetaLaw(..., dim={base_dim}))."
            )

    def sample_features(self, n, rng):
        raw = self.law.sample(n, random_state=rng)
        try:
            if np.iscomplexobj(raw):
                raise TypeError
            X = np.asarray(raw, dtype=float)
        except (TypeError, ValueError):
            raise InputTypeError(f"law.sample(n) must return real numbers, got {_describe(raw)}.") from None
        if X.ndim == 0 or X.shape[0] != n:
            raise ValueError(f"law.sample(n) must return n={n} rows, shape ({n},) or ({n}, p); got shape "
                             f"{np.shape(raw)}.")
        X = X.reshape(n, -1)
        if not np.all(np.isfinite(X)):
            raise ValueError(f"law.sample(n) returned NaN or infinite features; check the law {_describe(self.law)}.")
        self._check_dim(X.shape[1], _feature_dim(self.base))
        return X


class CoverageGap(_Wrapper):
    """Never generate features inside a region (the coverage constant :math:`\\kappa` becomes infinite).

    Parameters
    ----------
    removed : callable
        ``removed(X) -> bool array``; rows where it is True are rejected and redrawn.

    >>> from synutil.sim.laws import sine_regression
    >>> from synutil.generators import ModelGenerator
    >>> gen = CoverageGap(ModelGenerator(sine_regression()), removed=lambda X: X[:, 0] > 0.7)
    >>> X, _ = gen.sample(500, random_state=0)
    >>> float(X.max()) <= 0.7
    True
    """

    def __init__(self, base, *, removed: Callable[[np.ndarray], np.ndarray], max_tries: int = 1000):
        super().__init__(base)
        _check_callable(removed, "removed", "removed(X) -> one bool per row")
        self.removed, self.max_tries = removed, check_int(max_tries, name="max_tries", low=1)

    def _mask(self, X):
        raw = self.removed(X)
        mask = np.asarray(raw)
        if mask.shape != (len(X),):
            raise ValueError(f"removed(X) must return one bool per row of X, shape ({len(X)},); got shape "
                             f"{mask.shape}.")
        if mask.dtype.kind != "b":
            if mask.dtype.kind not in "iu" or not np.isin(mask, (0, 1)).all():
                raise ValueError(f"removed(X) must return booleans (True = never generate that row), got dtype "
                                 f"{mask.dtype}; compare, e.g. removed=lambda X: X[:, 0] > 0.7.")
            mask = mask.astype(bool)
        return mask

    def sample_features(self, n, rng):
        kept = []
        total = 0
        for _ in range(self.max_tries):
            X = self.base.sample_features(n, rng)
            X = X[~self._mask(X)]
            kept.append(X)
            total += len(X)
            if total >= n:
                return np.concatenate(kept)[:n]
        raise ValueError(
            "CoverageGap rejected almost every draw: the removed region covers (nearly) all of the base "
            "generator's feature law. Remove a smaller region."
        )


class ResponseError(_Wrapper):
    r"""Add a systematic error to the synthetic regression function: :math:`\tilde\eta=\eta+\gamma h`.

    Parameters
    ----------
    gamma : float, the size of the error.
    direction : callable, ``h(X) -> array`` of shape ``(n,)``.
    """

    def __init__(self, base, *, gamma: float, direction: Callable[[np.ndarray], np.ndarray]):
        super().__init__(base)
        try:
            gamma = check_float(gamma, name="gamma")
        except ValueError as error:
            raise type(error)(f"gamma (the size of the response error) must be a finite number, got "
                              f"{_describe(gamma)}.") from None
        _check_callable(direction, "direction", "h(X) -> one value per row")
        self.gamma, self.direction = gamma, direction

    def _h(self, X):
        raw = self.direction(X)
        try:
            if np.iscomplexobj(raw):
                raise TypeError
            h = np.asarray(raw, dtype=float)
        except (TypeError, ValueError):
            raise InputTypeError(f"direction(X) must return real numbers, got {_describe(raw)}.") from None
        rows = np.shape(X)[:-1] if np.ndim(X) >= 2 else (len(X),)
        if h.ndim != 0 and h.shape != rows:
            raise ValueError(f"direction(X) must return one value per row of X, shape {rows}; got shape "
                             f"{h.shape}.")
        if not np.all(np.isfinite(h)):
            raise ValueError("direction(X) returned NaN or infinite values; it must be finite on the features.")
        return h

    def sample_responses(self, X, rng):
        return self.base.sample_responses(X, rng) + self.gamma * self._h(X)

    def eta(self, X):
        return super().eta(X) + self.gamma * self._h(X)


class LabelNoise(_Wrapper):
    r"""Flip binary 0/1 labels independently with probability :math:`\rho<1/2`.

    The synthetic regression function becomes :math:`\tilde\eta=\rho+(1-2\rho)\eta` (the label-noise
    theorem of the book, chapter "Bad responses, good rankings").

    >>> from synutil.sim.laws import MarginClassification
    >>> from synutil.generators import ModelGenerator
    >>> gen = LabelNoise(ModelGenerator(MarginClassification(alpha=1.0)), rho=0.3)
    >>> X, y = gen.sample(50_000, random_state=0)
    >>> bool(abs(y[X[:, 0] < -0.999].mean() - 0.3) < 0.2)  # eta ~ 0 there, so about rho are ones
    True
    """

    def __init__(self, base, *, rho: float):
        super().__init__(base)
        try:
            self.rho = check_float(rho, name="rho", low=0.0, high=0.5, high_open=True)
        except ValueError as error:
            raise type(error)(f"rho must lie in [0, 0.5) so that labels stay informative, got "
                              f"{_describe(rho)}.") from None

    def sample_responses(self, X, rng):
        y = np.asarray(self.base.sample_responses(X, rng))
        if not np.isin(y, (0, 1)).all():
            raise ValueError("LabelNoise needs binary 0/1 labels from its base generator.")
        flip = rng.uniform(size=y.shape) < self.rho
        return np.where(flip, 1 - y, y)

    def eta(self, X):
        return self.rho + (1 - 2 * self.rho) * super().eta(X)


def flip_labels(y, rho: float, *, classes=None, random_state=None) -> np.ndarray:
    r"""Symmetric multiclass label noise: each label becomes, with probability :math:`\rho`, another class.

    Independently for each entry, with probability :math:`\rho` the label is replaced by one of the
    :math:`K-1` other classes, chosen uniformly; otherwise it is kept. For every classifier :math:`h` the
    error rate against the noisy labels is then the affine image of its error rate :math:`R(h)` against
    the clean ones,

    .. math:: \tilde R(h)=\rho+\Big(1-\frac{K}{K-1}\,\rho\Big)R(h),

    increasing in :math:`R(h)` as long as :math:`\rho<(K-1)/K` (the multiclass form of the label-noise
    theorem of the book; for :math:`K=2` it is :math:`\rho+(1-2\rho)R(h)`).

    Parameters
    ----------
    y : array-like of shape (n,)
        Labels, each in ``classes``.
    rho : float in [0, 1]
        Probability that a label is replaced.
    classes : array-like, optional
        The :math:`K\ge2` possible labels; default: the distinct values of ``y``.
    random_state : None, int, SeedSequence or Generator

    Examples
    --------
    >>> y = np.repeat(np.arange(10), 1000)
    >>> noisy = flip_labels(y, 0.3, random_state=0)
    >>> round(float(np.mean(noisy != y)), 2), bool(set(noisy.tolist()) <= set(range(10)))
    (0.3, True)
    """
    shape = np.shape(y.to_numpy() if hasattr(y, "to_numpy") else y)
    if len(shape) != 1:
        raise ValueError(f"y must be one-dimensional (one label per row), got shape {shape}.")
    y = as_labels(y, name="y", min_classes=0)
    try:
        rho = check_float(rho, name="rho", low=0.0, high=1.0)
    except ValueError as error:
        raise type(error)(f"rho must be a probability in [0, 1], got {_describe(rho)}.") from None
    classes = np.unique(y) if classes is None else np.unique(as_labels(classes, name="classes"))
    if len(classes) < 2:
        raise ValueError(f"label noise needs at least two classes, got {classes.tolist()}.")
    unknown = np.setdiff1d(np.unique(y), classes)
    if len(unknown):
        raise ValueError(f"labels {unknown.tolist()} of y are not among classes {classes.tolist()}.")
    rng = check_random_state(random_state)
    k = len(classes)
    codes = np.searchsorted(classes, y)
    flip = rng.uniform(size=len(y)) < float(rho)
    # an offset in 1..K-1 moves a label to one of the K-1 other classes, uniformly
    shifted = (codes + rng.integers(1, k, size=len(y))) % k
    return classes[np.where(flip, shifted, codes)]
