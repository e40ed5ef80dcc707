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
>>> from synutil.simulate import sine_regression
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

from .._validation import check_random_state
from ._base import SyntheticGenerator

__all__ = ["FeatureShift", "FeatureLaw", "CoverageGap", "ResponseError", "LabelNoise", "flip_labels"]


class _Wrapper(SyntheticGenerator):
    def __init__(self, base: SyntheticGenerator):
        if not isinstance(base, SyntheticGenerator):
            raise ValueError(f"base must be a synutil generator, got {type(base).__name__}.")
        self.base = base

    @property
    def fitted_(self):
        return self.base.fitted_

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
        if not np.all(np.asarray(scale) > 0):
            raise ValueError(f"scale must be positive, got {scale}.")
        self.shift, self.scale, self.center = shift, scale, center

    def sample_features(self, n, rng):
        X = self.base.sample_features(n, rng)
        return self.center + self.scale * (X - self.center) + self.shift


class FeatureLaw(_Wrapper):
    """Replace the synthetic feature law by ``law`` (anything with ``sample(n, random_state=rng)``).

    >>> from synutil.simulate import sine_regression, BetaLaw
    >>> from synutil.generators import ModelGenerator
    >>> X, _ = FeatureLaw(ModelGenerator(sine_regression()), law=BetaLaw(2, 5)).sample(1000, random_state=0)
    >>> round(float(X.mean()), 1)  # Beta(2, 5) has mean 2/7
    0.3
    """

    def __init__(self, base, *, law):
        super().__init__(base)
        if not hasattr(law, "sample"):
            raise ValueError("law must have a sample(n, random_state=...) method, e.g. synutil.simulate.BetaLaw.")
        self.law = law

    def sample_features(self, n, rng):
        return np.asarray(self.law.sample(n, random_state=rng), dtype=float).reshape(n, -1)


class CoverageGap(_Wrapper):
    """Never generate features inside a region (the coverage constant :math:`\\kappa` becomes infinite).

    Parameters
    ----------
    removed : callable
        ``removed(X) -> bool array``; rows where it is True are rejected and redrawn.

    >>> from synutil.simulate import sine_regression
    >>> from synutil.generators import ModelGenerator
    >>> gen = CoverageGap(ModelGenerator(sine_regression()), removed=lambda X: X[:, 0] > 0.7)
    >>> X, _ = gen.sample(500, random_state=0)
    >>> float(X.max()) <= 0.7
    True
    """

    def __init__(self, base, *, removed: Callable[[np.ndarray], np.ndarray], max_tries: int = 1000):
        super().__init__(base)
        self.removed, self.max_tries = removed, max_tries

    def sample_features(self, n, rng):
        kept = []
        total = 0
        for _ in range(self.max_tries):
            X = self.base.sample_features(n, rng)
            X = X[~np.asarray(self.removed(X), dtype=bool)]
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
        self.gamma, self.direction = float(gamma), direction

    def sample_responses(self, X, rng):
        return self.base.sample_responses(X, rng) + self.gamma * np.asarray(self.direction(X), dtype=float)

    def eta(self, X):
        return self.base.eta(X) + self.gamma * np.asarray(self.direction(X), dtype=float)


class LabelNoise(_Wrapper):
    r"""Flip binary 0/1 labels independently with probability :math:`\rho<1/2`.

    The synthetic regression function becomes :math:`\tilde\eta=\rho+(1-2\rho)\eta` (the label-noise
    theorem of the book, chapter "Bad responses, good rankings").

    >>> from synutil.simulate import MarginClassification
    >>> from synutil.generators import ModelGenerator
    >>> gen = LabelNoise(ModelGenerator(MarginClassification(alpha=1.0)), rho=0.3)
    >>> X, y = gen.sample(50_000, random_state=0)
    >>> bool(abs(y[X[:, 0] < -0.999].mean() - 0.3) < 0.2)  # eta ~ 0 there, so about rho are ones
    True
    """

    def __init__(self, base, *, rho: float):
        super().__init__(base)
        if not 0.0 <= rho < 0.5:
            raise ValueError(f"rho must lie in [0, 0.5) so that labels stay informative, got {rho}.")
        self.rho = float(rho)

    def sample_responses(self, X, rng):
        y = np.asarray(self.base.sample_responses(X, rng))
        if not np.isin(y, (0, 1)).all():
            raise ValueError("LabelNoise needs binary 0/1 labels from its base generator.")
        flip = rng.uniform(size=y.shape) < self.rho
        return np.where(flip, 1 - y, y)

    def eta(self, X):
        return self.rho + (1 - 2 * self.rho) * self.base.eta(X)


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
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"y must be one-dimensional (one label per row), got shape {y.shape}.")
    if not np.isscalar(rho) or not 0.0 <= float(rho) <= 1.0:
        raise ValueError(f"rho must be a probability in [0, 1], got {rho!r}.")
    classes = np.unique(y) if classes is None else np.unique(np.asarray(classes))
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
