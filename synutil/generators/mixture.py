r"""A class-conditional Gaussian mixture in PCA space: a cheap image generator with a quality knob.

The generator draws the label first, then the image given the label:

.. math::
    \tilde Y\sim\pi,\qquad \tilde Z\mid\tilde Y=c\ \sim\ \sum_{j=1}^{J}w_{cj}\,N(\mu_{cj},\Sigma_{cj}),\qquad
    \tilde X=\operatorname{clip}(\bar x+W\tilde Z),

where :math:`W` holds the first ``n_components_pca`` principal directions of the real images (fitted on
all classes together) and one mixture with ``n_mixture_components`` components is fitted per class in that
space by EM. Few principal components or few mixture components give blurry, averaged digits; more of both
give sharper ones: the two are the generator's quality knob.

Moment matching. EM's M-step makes the fitted mixture of a class reproduce that class's sample mean and
(divisor :math:`n_c`) sample covariance of the principal scores exactly, up to the ``reg_covar`` added to
the diagonal of each component: before clipping, the synthetic images of class :math:`c` have the mean and
the covariance of the real class-:math:`c` images projected on the principal subspace, and they lie in that
subspace. ``sample(..., clip=False)`` returns these unclipped draws.
"""

from __future__ import annotations

import numpy as np

from .._validation import (
    InputTypeError,
    check_bool,
    check_float,
    check_int,
    check_random_state,
)
from ._base import (
    SyntheticGenerator,
    _check_finite_sample,
    _check_n,
    _describe,
    check_labelled,
    draw_label_codes,
)

__all__ = ["ClassConditionalGaussianMixture"]


def _full_covariances(gm) -> np.ndarray:
    """Covariances of a fitted ``GaussianMixture`` as an array (k, d, d), whatever its type."""
    k, d = gm.means_.shape
    cov = gm.covariances_
    if gm.covariance_type == "full":
        return np.asarray(cov)
    if gm.covariance_type == "tied":
        return np.broadcast_to(cov, (k, d, d)).copy()
    if gm.covariance_type == "diag":
        return np.stack([np.diag(c) for c in cov])
    return np.stack([c * np.eye(d) for c in cov])  # spherical


class ClassConditionalGaussianMixture(SyntheticGenerator):
    r"""Per-class Gaussian mixtures in a shared PCA space; ``sample`` returns images and labels.

    Parameters
    ----------
    n_components_pca : int, default 20
        Principal components kept (capped at the number of features and rows).
    n_mixture_components : int, default 3
        Mixture components per class. Every class needs at least this many rows.
    covariance_type : {"full", "tied", "diag", "spherical"}, default "full"
        Passed to :class:`sklearn.mixture.GaussianMixture`.
    class_proportions : None, array-like or dict, default None
        Law of the synthetic labels; ``None`` uses the empirical class proportions of ``y``.
        An array is aligned with ``classes_``; a dict maps label to weight. Weights are normalised.
    reg_covar : float, default 1e-4
        Added to the covariance diagonals for numerical stability.
    random_state : None, int or Generator
        Seeds the EM initialisation in ``fit`` (``sample`` has its own ``random_state``).

    Attributes
    ----------
    classes_ : ndarray, the labels seen in ``fit`` (a class absent from ``y`` is never generated).
    class_weights_ : ndarray, the label law used by ``sample``.
    pca_ : sklearn.decomposition.PCA
    mixtures_ : dict label -> fitted GaussianMixture

    Examples
    --------
    >>> from synutil.datasets import load_digits_data
    >>> data = load_digits_data()
    >>> gen = ClassConditionalGaussianMixture(n_components_pca=10, n_mixture_components=2, random_state=0)
    >>> X, y = gen.fit(data.X, data.y).sample(5, random_state=1)
    >>> X.shape, bool(X.min() >= 0.0 and X.max() <= 1.0)
    ((5, 64), True)
    """

    def __init__(self, n_components_pca: int = 20, n_mixture_components: int = 3, *,
                 covariance_type: str = "full", class_proportions=None, reg_covar: float = 1e-4,
                 random_state=None):
        self.n_components_pca = n_components_pca
        self.n_mixture_components = n_mixture_components
        self.covariance_type = covariance_type
        self.class_proportions = class_proportions
        self.reg_covar = reg_covar
        self.random_state = random_state

    def fit(self, X, y=None):
        """Fit the PCA on all of ``X``, then one Gaussian mixture per class of ``y``; returns ``self``."""
        from sklearn.decomposition import PCA
        from sklearn.mixture import GaussianMixture
        from threadpoolctl import threadpool_limits

        X, y = check_labelled(X, y, owner="ClassConditionalGaussianMixture")
        kind = self.covariance_type
        if not isinstance(kind, str) or kind not in ("full", "tied", "diag", "spherical"):
            raise ValueError(f"covariance_type must be 'full', 'tied', 'diag' or 'spherical', got {_describe(kind)}.")
        n_pca, n_mix = (self._positive(name) for name in ("n_components_pca", "n_mixture_components"))
        try:
            check_float(self.reg_covar, name="reg_covar", low=0.0)
        except ValueError as error:
            raise type(error)(f"reg_covar must be a non-negative number added to the covariance diagonals (e.g. "
                              f"1e-4), got {_describe(self.reg_covar)}.") from None
        classes, counts = np.unique(y, return_counts=True)
        small = {c.item(): int(k) for c, k in zip(classes, counts) if k < n_mix}
        if small:
            raise ValueError(
                f"class(es) {small} (label: rows) have fewer rows than n_mixture_components={n_mix}; "
                "lower n_mixture_components or give more rows of those classes."
            )
        single = {c.item(): int(k) for c, k in zip(classes, counts) if k < 2}
        if single:
            raise ValueError(
                f"class(es) {single} (label: rows) have a single row: a Gaussian mixture needs at least 2 rows of "
                "each class; give more rows of those classes or drop them."
            )
        rng = check_random_state(self.random_state)
        n_pca = min(n_pca, X.shape[1], X.shape[0])
        self.mixtures_ = {}
        self._chol, self._means, self._weights = {}, {}, {}
        # small matrices: one BLAS thread is much faster than several (20x on a loaded 2-core machine)
        with threadpool_limits(limits=1, user_api="blas"):
            self.pca_ = PCA(n_components=n_pca, random_state=int(rng.integers(2**31 - 1))).fit(X)
            Z = self.pca_.transform(X)
            fits = {}
            for c in classes:
                gm = GaussianMixture(n_components=n_mix, covariance_type=self.covariance_type,
                                     reg_covar=self.reg_covar, random_state=int(rng.integers(2**31 - 1)))
                fits[c.item()] = gm.fit(Z[y == c])
        for c in classes:
            gm = fits[c.item()]
            self.mixtures_[c.item()] = gm
            try:
                self._chol[c.item()] = np.linalg.cholesky(_full_covariances(gm))
            except np.linalg.LinAlgError:
                raise ValueError(
                    f"the fitted covariance of class {c.item()!r} is singular (not positive definite); raise "
                    f"reg_covar (now {self.reg_covar!r}) or lower n_components_pca."
                ) from None
            self._means[c.item()] = gm.means_
            self._weights[c.item()] = gm.weights_ / gm.weights_.sum()
        self.classes_ = classes
        self.class_weights_ = self._label_law(classes, counts)
        self.data_min_, self.data_max_ = X.min(axis=0), X.max(axis=0)
        self.n_features_in_ = X.shape[1]
        self.fitted_ = True
        return self

    def _positive(self, name) -> int:
        value = getattr(self, name)
        try:
            return check_int(value, name=name, low=1)
        except ValueError as error:
            raise type(error)(f"{name} must be positive (a whole number >= 1), got {_describe(value)}.") from None

    def _label_law(self, classes, counts) -> np.ndarray:
        props = self.class_proportions
        if props is None:
            weights = counts.astype(float)
        elif isinstance(props, dict):
            unknown = [k for k in props if k not in set(classes.tolist())]
            if unknown:
                raise ValueError(f"class_proportions names labels {unknown} that are not in y (classes {classes.tolist()}).")
            weights = np.array([self._weight(props.get(c.item(), 0.0)) for c in classes])
        else:
            raw = np.asarray(props)
            if raw.dtype.kind not in "iuf" or raw.ndim > 1:
                raise InputTypeError(f"class_proportions must be one non-negative number per class (or a dict "
                                     f"label -> weight), got {_describe(props)}.")
            weights = np.asarray(props, dtype=float).reshape(-1)
            if len(weights) != len(classes):
                raise ValueError(
                    f"class_proportions has {len(weights)} entries but y has {len(classes)} classes "
                    f"{classes.tolist()}; give one weight per class (or a dict label -> weight)."
                )
        if not np.all(np.isfinite(weights)) or np.any(weights < 0) or not weights.sum() > 0:
            raise ValueError(f"class_proportions must be non-negative with a positive sum, got {props!r}.")
        return weights / weights.sum()

    @staticmethod
    def _weight(value) -> float:
        try:
            return check_float(value, name="class_proportions", low=0.0)
        except ValueError as error:
            raise type(error)(f"class_proportions must be non-negative with a positive sum, got the weight "
                              f"{_describe(value)}.") from None

    def sample(self, n, *, random_state=None, labels=None, clip=True):
        """Draw ``n`` labelled images: labels from ``class_weights_`` (or the given ``labels``), then images.

        Parameters
        ----------
        n : int
        random_state : None, int or Generator
        labels : array-like of length n, optional
            Labels to generate (each in ``classes_``); default: drawn from ``class_weights_``.
        clip : bool, default True
            Clip each feature to its range in the real data (grey levels stay valid). ``False`` returns the
            Gaussian draws mapped back from PCA space as they are (for checking the fitted moments).

        Returns
        -------
        X : ndarray (n, n_features), clipped to the per-feature range of the real data when ``clip``.
        y : ndarray (n,), labels from ``classes_``.
        """
        self._check_fitted()
        n = _check_n(n, owner=type(self).__name__, n_columns=self.n_features_in_)
        clip = check_bool(clip, name="clip")
        rng = check_random_state(random_state)
        codes = draw_label_codes(n, classes=self.classes_, class_weights=self.class_weights_, labels=labels, rng=rng)
        y = self.classes_[codes]
        n = len(y)
        d = self.pca_.n_components_
        Z = np.empty((n, d))
        for c in np.unique(y):
            rows = np.flatnonzero(y == c)
            key = c.item()
            comp = rng.choice(len(self._weights[key]), size=len(rows), p=self._weights[key])
            noise = rng.standard_normal((len(rows), d))
            Z[rows] = self._means[key][comp] + np.einsum("nij,nj->ni", self._chol[key][comp], noise)
        X = self.pca_.inverse_transform(Z)
        if clip:
            X = np.clip(X, self.data_min_, self.data_max_)
        _check_finite_sample(type(self).__name__, X)
        return X, y

    def sample_features(self, n, rng):
        raise ValueError(
            "ClassConditionalGaussianMixture draws the label first and the image given the label; "
            "use sample(n) to get (X, y) together."
        )

    def sample_responses(self, X, rng):
        raise ValueError(
            "ClassConditionalGaussianMixture draws the label first and the image given the label, so it "
            "cannot label given images; use sample(n) to get (X, y) together."
        )
