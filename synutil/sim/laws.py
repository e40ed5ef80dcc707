"""Data-generating processes with known truth, used by the chapters and the tests.

Two families:

* :class:`RegressionModel` — :math:`Y = \\eta(X) + \\varepsilon`, :math:`\\varepsilon\\sim N(0,\\sigma^2)`,
  with a known regression function and a known feature law;
* :class:`MarginClassification` — binary labels with :math:`P(Y=1\\mid X=x)=\\eta(x)` whose margin
  :math:`|\\eta(X)-1/2|` has the law :math:`P(|\\eta(X)-1/2|\\le t)=(2t)^\\alpha`, the low-noise
  (Mammen–Tsybakov) condition of the book's low-noise theorem with constant :math:`C=2^\\alpha`.

Every sampler accepts ``replications=R`` and then returns arrays with a leading axis of length ``R``,
so Monte Carlo experiments can be vectorised across replications.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy import stats

from .._validation import InputTypeError, check_float, check_int, check_memory, check_random_state

__all__ = [
    "UniformLaw",
    "BetaLaw",
    "GaussianLaw",
    "RegressionModel",
    "BinaryClassificationModel",
    "MarginClassification",
    "sine_regression",
]


def _size(n: int, replications: int | None, dim: int) -> tuple[int, ...]:
    try:
        n = check_int(n, name="n", low=1)
    except ValueError as error:
        raise type(error)(f"n must be a positive number of rows, got {n!r} ({type(n).__name__}).") from None
    dim = int(dim)
    if replications is None:
        size = (n, dim)
    else:
        try:
            replications = check_int(replications, name="replications", low=1)
        except ValueError as error:
            raise type(error)(f"replications must be a positive integer, got {replications!r}.") from None
        size = (replications, n, dim)
    check_memory(8.0 * float(np.prod(np.asarray(size, dtype=float))), what=f"a sample of shape {size}",
                 fix="draw fewer rows or replications (or draw them in batches)")
    return size


def _positive_int_field(value, name: str) -> int:
    try:
        return check_int(value, name=name, low=1)
    except ValueError as error:
        raise type(error)(f"{name} must be a positive integer, got {value!r} ({type(value).__name__}).") from None


def _number_field(value, name: str, **bounds) -> float:
    return check_float(value, name=name, **bounds)


@dataclass(frozen=True)
class UniformLaw:
    """Independent uniform features on ``[low, high]^dim``.

    >>> UniformLaw(dim=2).sample(3, random_state=0).shape
    (3, 2)
    """

    low: float = 0.0
    high: float = 1.0
    dim: int = 1

    def __post_init__(self):
        low, high = _number_field(self.low, "low"), _number_field(self.high, "high")
        _positive_int_field(self.dim, "dim")
        if not low < high:
            raise ValueError(f"UniformLaw needs low < high, got low={self.low!r} and high={self.high!r}.")
        if not np.isfinite(high - low):
            raise ValueError("UniformLaw's interval is wider than the float64 range; use a narrower one.")

    def sample(self, n, *, replications=None, random_state=None):
        rng = check_random_state(random_state)
        return rng.uniform(self.low, self.high, size=_size(n, replications, self.dim))

    def pdf(self, X):
        X = np.asarray(X, dtype=float)
        inside = np.all((X >= self.low) & (X <= self.high), axis=-1)
        return inside / (self.high - self.low) ** self.dim


@dataclass(frozen=True)
class BetaLaw:
    """Independent Beta(a, b) features, rescaled to ``[low, high]^dim``.

    >>> float(BetaLaw(2, 5).pdf(np.array([[0.2]]))[0]) == float(stats.beta(2, 5).pdf(0.2))
    True
    """

    a: float
    b: float
    dim: int = 1
    low: float = 0.0
    high: float = 1.0

    def __post_init__(self):
        _number_field(self.a, "a", low=0.0, low_open=True)
        _number_field(self.b, "b", low=0.0, low_open=True)
        _positive_int_field(self.dim, "dim")
        low, high = _number_field(self.low, "low"), _number_field(self.high, "high")
        if not low < high or not np.isfinite(high - low):
            raise ValueError(f"BetaLaw needs finite low < high, got low={self.low!r} and high={self.high!r}.")

    def sample(self, n, *, replications=None, random_state=None):
        rng = check_random_state(random_state)
        unit = rng.beta(self.a, self.b, size=_size(n, replications, self.dim))
        return self.low + (self.high - self.low) * unit

    def pdf(self, X):
        X = np.asarray(X, dtype=float)
        width = self.high - self.low
        dens = stats.beta(self.a, self.b).pdf((X - self.low) / width) / width
        return np.prod(dens, axis=-1)


@dataclass(frozen=True)
class GaussianLaw:
    """Multivariate normal features.

    >>> GaussianLaw(mean=np.zeros(2), cov=np.eye(2)).sample(4, random_state=1).shape
    (4, 2)
    """

    mean: np.ndarray
    cov: np.ndarray

    def __post_init__(self):
        from .._validation import as_numbers

        mean = as_numbers(self.mean, name="mean").ravel()
        cov = np.atleast_2d(as_numbers(self.cov, name="cov"))
        if mean.size < 1 or cov.shape != (mean.size, mean.size):
            raise ValueError(f"cov must be a ({mean.size}, {mean.size}) matrix for a mean of length {mean.size}, "
                             f"got shape {cov.shape}.")
        if not np.allclose(cov, cov.T) or np.linalg.eigvalsh((cov + cov.T) / 2).min() < -1e-12 * max(
                1.0, float(np.abs(cov).max())):
            raise ValueError("cov must be a symmetric positive semi-definite covariance matrix.")

    @property
    def dim(self) -> int:
        return int(np.size(self.mean))

    def sample(self, n, *, replications=None, random_state=None):
        rng = check_random_state(random_state)
        size = _size(n, replications, self.dim)
        return rng.multivariate_normal(np.ravel(self.mean), np.atleast_2d(self.cov), size=size[:-1])

    def pdf(self, X):
        return stats.multivariate_normal(np.ravel(self.mean), np.atleast_2d(self.cov)).pdf(X)


@dataclass(frozen=True)
class RegressionModel:
    """:math:`Y=\\eta(X)+\\varepsilon` with :math:`X\\sim` ``feature_law``, :math:`\\varepsilon\\sim N(0,\\sigma^2)`.

    ``eta`` maps an array of shape ``(..., p)`` to shape ``(...)``.

    Examples
    --------
    >>> model = sine_regression(noise_sd=0.5)
    >>> X, y = model.sample(200, random_state=0)
    >>> X.shape, y.shape
    ((200, 1), (200,))
    >>> Xr, yr = model.sample(50, replications=8, random_state=0)
    >>> Xr.shape, yr.shape
    ((8, 50, 1), (8, 50))
    >>> round(model.bayes_risk, 2)
    0.25
    """

    eta: Callable[[np.ndarray], np.ndarray]
    feature_law: object
    noise_sd: float = 1.0

    def __post_init__(self):
        if not callable(self.eta):
            raise InputTypeError(f"eta must be a callable of an (..., p) feature array, got {type(self.eta).__name__}.")
        if not hasattr(self.feature_law, "sample"):
            raise InputTypeError("feature_law must have sample(n, replications=, random_state=), e.g. "
                                 f"synutil.sim.laws.UniformLaw(); got {type(self.feature_law).__name__}.")
        _number_field(self.noise_sd, "noise_sd", low=0.0)

    @property
    def bayes_risk(self) -> float:
        """Risk :math:`\\sigma^2` of :math:`\\eta` under squared loss."""
        return float(self.noise_sd) ** 2

    def responses(self, X, *, random_state=None):
        """Draw :math:`Y\\mid X` for given features (any leading shape)."""
        rng = check_random_state(random_state)
        mean = self.eta(np.asarray(X, dtype=float))
        return mean + self.noise_sd * rng.standard_normal(mean.shape)

    def sample(self, n, *, replications=None, random_state=None):
        """Draw ``n`` rows (per replication); returns ``X, y``."""
        rng = check_random_state(random_state)
        X = self.feature_law.sample(n, replications=replications, random_state=rng)
        return X, self.responses(X, random_state=rng)

    def risk(self, predict_values, X):
        """Population squared-loss risk :math:`\\|f-\\eta\\|^2+\\sigma^2`, by averaging over ``X``.

        ``predict_values`` are :math:`f(X)`; ``X`` a large sample of the feature law.
        """
        diff = np.asarray(predict_values, dtype=float) - self.eta(np.asarray(X, dtype=float))
        return np.mean(diff**2, axis=-1) + self.bayes_risk


def sine_regression(*, noise_sd: float = 0.5, frequency: float = 1.0, feature_law=None) -> RegressionModel:
    """The running example: :math:`\\eta(x)=\\sin(2\\pi\\,\\text{frequency}\\,x)` on :math:`U[0,1]`.

    >>> float(sine_regression().eta(np.array([[0.25]]))[0])
    1.0
    """
    law = UniformLaw() if feature_law is None else feature_law

    def eta(X):
        return np.sin(2 * np.pi * frequency * X[..., 0])

    return RegressionModel(eta=eta, feature_law=law, noise_sd=noise_sd)


class BinaryClassificationModel:
    """Shared sampling for binary models with a known :math:`\\eta(x)=P(Y=1\\mid X=x)`.

    Subclasses define ``eta(X)`` and ``sample_features(n, *, replications=None, random_state=None)``.
    """

    def labels(self, X, *, random_state=None):
        """Draw :math:`Y\\mid X\\sim\\mathrm{Bernoulli}(\\eta(X))` for given features (any leading shape)."""
        rng = check_random_state(random_state)
        eta = self.eta(X)
        return (rng.uniform(size=eta.shape) < eta).astype(int)

    def sample(self, n, *, replications=None, random_state=None):
        """Draw ``n`` rows (per replication); returns ``X, y``."""
        rng = check_random_state(random_state)
        X = self.sample_features(n, replications=replications, random_state=rng)
        return X, self.labels(X, random_state=rng)


@dataclass(frozen=True)
class MarginClassification(BinaryClassificationModel):
    """Binary classification with margin exponent :math:`\\alpha` (the book's low-noise theorem).

    Features :math:`X\\sim U[-1,1]`, :math:`\\eta(x)=\\tfrac12+\\tfrac12\\,\\operatorname{sign}(x)|x|^{1/\\alpha}`,
    so :math:`|\\eta(X)-\\tfrac12|\\le t \\iff |X|\\le (2t)^\\alpha` and
    :math:`P(|\\eta(X)-1/2|\\le t)=(2t)^\\alpha` for :math:`0\\le t\\le 1/2`. The Bayes classifier is
    :math:`\\mathbb 1\\{x\\ge0\\}` and the margin constant is :math:`C=2^\\alpha`.

    Examples
    --------
    >>> model = MarginClassification(alpha=1.0)
    >>> X, y = model.sample(100_000, random_state=0)
    >>> margin = np.abs(model.eta(X) - 0.5)
    >>> bool(abs(np.mean(margin <= 0.1) - 0.2) < 0.01)
    True
    """

    alpha: float = 1.0

    def __post_init__(self):
        if isinstance(self.alpha, (bool, np.bool_)) or not isinstance(self.alpha, (int, float, np.integer, np.floating)):
            raise InputTypeError(f"alpha must be positive, got {self.alpha!r} ({type(self.alpha).__name__}).")
        if not (np.isfinite(self.alpha) and self.alpha > 0):
            raise ValueError(f"alpha must be positive, got {self.alpha}.")

    @property
    def margin_constant(self) -> float:
        """:math:`C` in :math:`P(0<|\\eta-1/2|\\le t)\\le Ct^\\alpha`; here :math:`C=2^\\alpha`."""
        return 2.0**self.alpha

    def eta(self, X):
        x = np.asarray(X, dtype=float)[..., 0]
        return 0.5 + 0.5 * np.sign(x) * np.abs(x) ** (1.0 / self.alpha)

    def bayes_classifier(self, X):
        return (np.asarray(X, dtype=float)[..., 0] >= 0).astype(int)

    def bayes_risk(self) -> float:
        """:math:`E\\min(\\eta,1-\\eta)=\\tfrac12-\\tfrac12 E|X|^{1/\\alpha}=\\tfrac12-\\tfrac{\\alpha}{2(1+\\alpha)}`."""
        return 0.5 - self.alpha / (2 * (1 + self.alpha))

    def sample_features(self, n, *, replications=None, random_state=None):
        rng = check_random_state(random_state)
        return rng.uniform(-1.0, 1.0, size=_size(n, replications, 1))

    def excess_risk(self, predictions, X):
        """Excess 0-1 risk :math:`E[|2\\eta-1|\\,\\mathbb 1\\{h\\ne h^*\\}]`, averaged over ``X``."""
        wrong = np.asarray(predictions) != self.bayes_classifier(X)
        return np.mean(np.abs(2 * self.eta(X) - 1) * wrong, axis=-1)
