r"""The generator interface and the simplest generators.

A generator is fitted on a real sample and then draws synthetic rows. It is split into two stages, as
in the book's setting (Section "The two-stage pipeline"): a feature law :math:`\tilde P_X` and a
response law :math:`\tilde P_{Y\mid X}` whose mean is :math:`\tilde\eta`. Keeping them apart lets the
wrappers of :mod:`synutil.generators.knobs` turn one fidelity knob at a time.
"""

from __future__ import annotations

import numpy as np

from .._validation import (
    InputTypeError,
    as_float_array,
    as_labels,
    check_finite_result,
    check_float,
    check_int,
    check_memory,
    check_random_state,
)

__all__ = ["SyntheticGenerator", "GaussianGenerator", "BootstrapGenerator", "ModelGenerator", "check_labelled", "draw_label_codes"]


# ----------------------------------------------------------------------------------------------- private checks
# Shared by the generators of this package (not part of the public API).


def _describe(value) -> str:
    """``repr`` of a value with its type, shortened, for error messages."""
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


def _check_n(n, *, owner: str, n_columns: int = 1, phrase: str = "a positive number of rows") -> int:
    """The number of rows ``n`` to draw, as an int >= 1; refused before anything is allocated when too large.

    ``2.5``, ``True``, ``"5"`` and ``0`` are refused (nothing is rounded). ``n_columns`` sizes the memory estimate.

    >>> _check_n(np.int64(3), owner="G")
    3
    >>> _check_n(2.5, owner="G")
    Traceback (most recent call last):
    ...
    ValueError: n must be a positive number of rows (a whole number >= 1), got 2.5 (float); pass an integer such as 2 (nothing is rounded for you).
    """
    try:
        value = check_int(n, name="n", low=1)
    except InputTypeError:
        raise InputTypeError(f"n must be {phrase} (a whole number >= 1), got {_describe(n)}; pass an integer "
                             "such as 100.") from None
    except ValueError:
        hint = "such as 100"
        if isinstance(n, (float, np.floating)) and np.isfinite(n) and n >= 1:
            hint = f"such as {int(np.floor(n))} (nothing is rounded for you)"
        raise ValueError(f"n must be {phrase} (a whole number >= 1), got {_describe(n)}; pass an integer "
                         f"{hint}.") from None
    check_memory(8.0 * 4 * value * (max(int(n_columns), 1) + 1), what=f"{owner}.sample(n={value})",
                 fix="draw fewer rows (or draw them in batches)")
    return value


def _check_labels(y, *, n_rows: int, name: str = "y") -> np.ndarray:
    """Class labels, one per row: NaN, None and complex labels are refused (see ``_validation.as_labels``)."""
    return as_labels(y, name=name, n_rows=n_rows)


def _check_fitted_finite(owner: str, what: str, value, fix: str = "rescale the real data (e.g. standardise "
                         "each column) before fitting"):
    """Refuse a fitted parameter that is NaN or infinite (the data's scale overflowed)."""
    return check_finite_result(value, what=f"the {what} fitted by {owner}", fix=fix)


def _check_finite_sample(owner: str, X, y=None):
    """Refuse synthetic rows that are NaN or infinite instead of handing them back."""
    fix = ("the fitted parameters or a knob make the draws overflow; rescale the real data (e.g. standardise "
           "each column), or check the wrapped generator's knobs (shift, scale, law, gamma, direction)")
    for part, values in (("features", X), ("responses", y)):
        if values is None:
            continue
        arr = np.asarray(values)
        if arr.dtype.kind in "fc":
            check_finite_result(arr, what=f"the array of synthetic {part} drawn by {owner}", fix=fix)


class SyntheticGenerator:
    """Base class: ``fit(X, y)`` then ``sample(n, random_state=...)`` returns ``(X_syn, y_syn)``.

    Subclasses implement ``_fit``, ``sample_features(n, rng)`` and ``sample_responses(X, rng)``.
    """

    fitted_: bool = False
    #: fewest real rows ``fit`` accepts
    _min_rows: int = 2

    def fit(self, X, y=None):
        """Fit on a real sample; returns ``self``."""
        X = as_float_array(X, name="X", ndim=2, min_rows=self._min_rows)
        if y is not None:
            y = as_float_array(y, name="y", ndim=1)
            if len(y) != len(X):
                raise ValueError(f"X has {len(X)} rows but y has {len(y)}; pass one response per row.")
        self._fit(X, y)
        self.n_features_in_ = X.shape[1]
        self.fitted_ = True
        return self

    def _fit(self, X, y):  # pragma: no cover - overridden
        raise NotImplementedError

    def _check_fitted(self):
        if not self.fitted_:
            raise ValueError(f"{type(self).__name__} is not fitted yet; call fit(X, y) first.")

    def sample_features(self, n, rng):  # pragma: no cover - overridden
        raise NotImplementedError

    def sample_responses(self, X, rng):  # pragma: no cover - overridden
        raise NotImplementedError

    def sample(self, n, *, random_state=None):
        """Draw ``n`` synthetic rows; the same ``random_state`` gives the same rows."""
        self._check_fitted()
        n = _check_n(n, owner=type(self).__name__, n_columns=getattr(self, "n_features_in_", None) or 1)
        rng = check_random_state(random_state)
        X = self.sample_features(n, rng)
        y = self.sample_responses(X, rng)
        _check_finite_sample(type(self).__name__, X, y)
        return X, y


def check_labelled(X, y, *, owner: str):
    """Validate images ``X`` with one label per row in ``y`` for a class-conditional generator.

    >>> check_labelled([[0.0], [1.0]], None, owner="MyGenerator")
    Traceback (most recent call last):
    ...
    ValueError: MyGenerator needs labels: call fit(X, y).
    """
    X = as_float_array(X, name="X", ndim=2, min_rows=2)
    if y is None:
        raise ValueError(f"{owner} needs labels: call fit(X, y).")
    return X, _check_labels(y, n_rows=len(X))


def draw_label_codes(n, *, classes, class_weights, labels, rng) -> np.ndarray:
    """Indices into ``classes`` of ``n`` labels: drawn with ``class_weights``, or the given ``labels`` checked.

    Shared by the class-conditional generators, which draw the label first and the features given it.

    >>> draw_label_codes(3, classes=np.array([3, 7]), class_weights=None, labels=[7, 3, 7], rng=None).tolist()
    [1, 0, 1]
    """
    n = _check_n(n, owner="the generator")
    if labels is None:
        return check_random_state(rng).choice(len(classes), size=n, p=class_weights)
    labels = _check_labels(labels, n_rows=n, name="labels")
    unknown = np.setdiff1d(np.unique(labels), classes)
    if len(unknown):
        raise ValueError(f"labels {unknown.tolist()} were not seen in fit (classes {classes.tolist()}).")
    return np.searchsorted(classes, labels)


class GaussianGenerator(SyntheticGenerator):
    r"""Fit one multivariate normal to the joint vector :math:`(X, Y)` and sample from it.

    Features are drawn from the fitted normal :math:`N(\mu_X,\Sigma_{XX})`, responses from the
    conditional normal :math:`Y\mid X=x\sim N(\mu_Y+\beta^\top(x-\mu_X),\ \sigma^2_{Y\mid X})` with
    :math:`\beta=\Sigma_{XX}^{-1}\Sigma_{XY}`. The synthetic regression function
    :math:`\tilde\eta(x)=\mu_Y+\beta^\top(x-\mu_X)` is therefore linear, whatever the real :math:`\eta`.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(500, 2)); y = X @ [1.0, -2.0] + 0.1 * rng.normal(size=500)
    >>> gen = GaussianGenerator().fit(X, y)
    >>> np.round(gen.coef_, 1).tolist()
    [1.0, -2.0]
    >>> Xs, ys = gen.sample(3, random_state=0)
    >>> Xs.shape, ys.shape
    ((3, 2), (3,))
    """

    def __init__(self, *, ridge: float = 1e-9):
        try:
            self.ridge = check_float(ridge, name="ridge", low=0.0)
        except ValueError as error:
            raise type(error)(f"ridge must be a non-negative number added to the covariance diagonal (e.g. 1e-9), "
                              f"got {_describe(ridge)}.") from None

    def _fit(self, X, y):
        owner = type(self).__name__
        self.mean_ = X.mean(axis=0)
        cov = np.atleast_2d(np.cov(X, rowvar=False)) + self.ridge * np.eye(X.shape[1])
        _check_fitted_finite(owner, "covariance of X", cov)
        self.cov_ = cov
        self.has_response_ = y is not None
        if y is not None:
            self.y_mean_ = float(y.mean())
            cross = (X - self.mean_).T @ (y - self.y_mean_) / (len(y) - 1)
            try:
                self.coef_ = np.linalg.solve(cov, cross)
            except np.linalg.LinAlgError:
                raise ValueError(f"{owner}: the covariance of X is singular (a constant or collinear column); "
                                 "pass ridge > 0 (e.g. 1e-9) or drop that column.") from None
            resid = (y - self.y_mean_) - (X - self.mean_) @ self.coef_
            self.residual_sd_ = float(np.sqrt(resid @ resid / max(len(y) - X.shape[1] - 1, 1)))
            _check_fitted_finite(owner, "regression of y on X", np.r_[self.coef_, self.y_mean_, self.residual_sd_])

    def predict_mean(self, X):
        r"""The synthetic regression function :math:`\tilde\eta(x)`."""
        self._check_fitted()
        if not self.has_response_:
            raise ValueError(f"{type(self).__name__} was fitted without responses, so it has no regression "
                             "function; call fit(X, y).")
        shape = np.shape(X)
        X = as_float_array(X, name="X", ndim=2)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(f"X must have shape (n, {self.n_features_in_}), got {shape}.")
        return self._predict_mean(X)

    def _predict_mean(self, X):
        return self.y_mean_ + (np.asarray(X, dtype=float) - self.mean_) @ self.coef_

    def sample_features(self, n, rng):
        return rng.multivariate_normal(self.mean_, self.cov_, size=n)

    def sample_responses(self, X, rng):
        if not self.has_response_:
            return None
        return self._predict_mean(X) + self.residual_sd_ * rng.standard_normal(len(X))


class BootstrapGenerator(SyntheticGenerator):
    """Resample real rows with replacement: the "perfect copy" baseline (and a privacy worst case).

    >>> gen = BootstrapGenerator().fit([[0.0], [1.0]], [5.0, 6.0])
    >>> X, y = gen.sample(4, random_state=0)
    >>> bool(np.all((y - X[:, 0]) == 5.0))
    True
    """

    def _fit(self, X, y):
        self.X_ = X
        self.y_ = y

    def sample(self, n, *, random_state=None):
        self._check_fitted()
        n = _check_n(n, owner=type(self).__name__, n_columns=self.n_features_in_)
        rng = check_random_state(random_state)
        idx = rng.integers(0, len(self.X_), size=n)
        return self.X_[idx], (None if self.y_ is None else self.y_[idx])

    def sample_features(self, n, rng):
        return self.X_[rng.integers(0, len(self.X_), size=n)]

    def sample_responses(self, X, rng):
        raise ValueError("BootstrapGenerator copies whole rows; it cannot draw responses for new features.")


class ModelGenerator(SyntheticGenerator):
    """An oracle generator that samples from a known model of :mod:`synutil.sim.laws`.

    It stands for a generator whose fit recovered the truth exactly; the wrappers of
    :mod:`synutil.generators.knobs` then degrade one aspect at a time. ``fit`` is optional.

    >>> from synutil.sim.laws import sine_regression
    >>> X, y = ModelGenerator(sine_regression()).sample(5, random_state=0)
    >>> X.shape
    (5, 1)
    """

    def __init__(self, model):
        if not (hasattr(model, "feature_law") or callable(getattr(model, "sample_features", None))) or not (
                callable(getattr(model, "responses", None)) or callable(getattr(model, "labels", None))):
            raise InputTypeError(
                f"model must be a data-generating model of synutil.sim.laws (with a feature_law or "
                f"sample_features, and responses or labels), e.g. sine_regression(); got {_describe(model)}."
            )
        self.model = model
        self.fitted_ = True

    def _fit(self, X, y):
        pass

    def sample_features(self, n, rng):
        if hasattr(self.model, "feature_law"):
            return self.model.feature_law.sample(n, random_state=rng)
        return self.model.sample_features(n, random_state=rng)

    def sample_responses(self, X, rng):
        if hasattr(self.model, "responses"):
            return self.model.responses(X, random_state=rng)
        return self.model.labels(X, random_state=rng)

    def eta(self, X):
        """The synthetic regression function, here the model's own :math:`\\eta`."""
        return self.model.eta(X)
