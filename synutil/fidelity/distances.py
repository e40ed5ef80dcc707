r"""Fidelity: distances between a real sample and a synthetic sample (the book's chapter "Fidelity, and the
:math:`(V,d)`-fidelity level" defines them as integral probability metrics).

Every metric here is an estimate of an integral probability metric
:math:`d_V(P,Q)=\sup_{v\in V}|\mathbb E_P v-\mathbb E_Q v|` for some class :math:`V` (indicators: total
variation; 1-Lipschitz functions: Wasserstein-1; RKHS unit ball: MMD), or a proxy for one (the classifier
two-sample AUC). :data:`METRIC_INFO` gives the direction and range of each, so a reader never has to
guess whether 0.8 is good. The book's message is that utility depends on fidelity only through a
*task-relevant* class :math:`V`; :func:`ipm` computes :math:`d_V` for a finite class of your choice.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from .mmd import MMDTestResult, median_bandwidth, mmd2, mmd_test
from .._validation import (
    InputTypeError,
    as_float_array,
    as_matched_pair,
    check_finite_result,
    check_float,
    check_int,
    check_memory,
    check_random_state,
)

__all__ = [
    "METRIC_INFO", "total_variation", "wasserstein_1d", "sliced_wasserstein", "mmd2", "mmd_test",
    "MMDTestResult", "median_bandwidth", "classifier_two_sample_auc", "C2STResult", "ipm", "IPMResult",
]

#: name -> (direction, range) of every fidelity metric.
METRIC_INFO = {
    "total_variation": ("lower is better", "[0, 1]: 0 = identical, 1 = disjoint supports"),
    "wasserstein_1d": ("lower is better", "[0, inf): 0 = identical, in the units of the data"),
    "sliced_wasserstein": ("lower is better", "[0, inf): 0 = identical, in the units of the data"),
    "mmd2": ("lower is better", "[0, 2] (population): 0 = identical; the unbiased estimate can dip below 0"),
    "mmd_test": ("higher p-value = less evidence of a difference", "p-value in (0, 1]"),
    "classifier_two_sample_auc": ("closer to 0.5 is better", "[0, 1]: 0.5 = indistinguishable, 1 = separable"),
    "ipm": ("lower is better", "[0, inf): 0 = the class V cannot tell the samples apart"),
}


def _stable_mean(values: np.ndarray) -> float:
    """The mean, without overflow of the sum for values near the float64 limit (plain ``mean`` otherwise)."""
    top = float(np.max(np.abs(values))) if values.size else 0.0
    if top * values.size < 1e300:
        return float(values.mean())
    scale = float(np.ldexp(1.0, int(np.frexp(top)[1]) - 1))  # 2^e <= top: values / scale lie in [-2, 2]
    return float(np.mean(values / scale)) * scale


def _pmfs(ix: np.ndarray, iy: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    return np.bincount(ix, minlength=size) / ix.size, np.bincount(iy, minlength=size) / iy.size


def total_variation(x, y, *, bins=None) -> float:
    r"""Total variation distance between two empirical distributions.

    .. math:: \mathrm{TV}(\hat P,\hat Q) = \tfrac12\sum_{c}|\hat p_c-\hat q_c|

    over cells :math:`c`. Range :math:`[0,1]`: 0 = identical, 1 = disjoint; lower is better.

    Parameters
    ----------
    x, y : array-like of shape (n,) or (n, p)
        Samples (DataFrames matched by column name).
    bins : None, int, array of edges, or a sequence of these (one per column)
        ``None``: discrete data; cells are the distinct values (1-D) or distinct rows (2-D) of the pooled
        sample. Otherwise continuous data binned on common edges: an int gives equal-width edges over the
        pooled sample's range in each dimension (:func:`numpy.histogram_bin_edges`); a numpy array of edges
        is used as given for every column, values outside the edges counted in the nearest end bin; a list
        gives one int or array of edges per column. In p dimensions the cells are the
        product bins (at most :math:`10^6`), so keep p small. Binned TV depends on the bins: it is 0 for
        samples differing only within bins, and it tends to 1 for continuous data as bins get finer.

    Examples
    --------
    >>> total_variation([0, 0, 1, 1], [0, 1, 1, 1])
    0.25
    >>> total_variation([0.1, 0.2], [5.1, 5.2], bins=4)
    1.0
    """
    X, Y = as_matched_pair(x, y, names=("x", "y"), min_rows=1)
    if bins is None:
        _, inv = np.unique(np.vstack([X, Y]), axis=0, return_inverse=True)
        inv = inv.ravel()
        p, q = _pmfs(inv[: X.shape[0]], inv[X.shape[0] :], int(inv.max()) + 1)
        return float(0.5 * np.abs(p - q).sum())
    d = X.shape[1]
    if isinstance(bins, (str, bytes, bool, np.bool_)) or not (np.isscalar(bins) or hasattr(bins, "__len__")):
        raise InputTypeError(f"bins must be None, a positive integer, an array of edges or one of these per column, "
                             f"got {bins!r} ({type(bins).__name__}).")
    if np.isscalar(bins) or isinstance(bins, np.ndarray) or (d == 1 and np.ndim(bins) == 1):
        per_dim = [bins] * d
    else:
        per_dim = list(bins)
        if len(per_dim) != d:
            raise ValueError(f"bins must be an int, edges, or one entry per column ({d}); got {len(per_dim)}.")
    Z = np.vstack([X, Y])
    codes, shape = [], []
    for j, b in enumerate(per_dim):
        col = Z[:, j]
        if np.isscalar(b):
            if isinstance(b, (bool, np.bool_)) or not np.issubdtype(type(b), np.integer) or b < 1:
                raise ValueError(f"bins must be a positive integer or an array of edges, got {b!r}.")
            with np.errstate(over="ignore"):
                wide = not np.isfinite(col.max() - col.min())
            if wide:  # a range beyond float64: bin the data divided by 4 (the same cells)
                col = col * 0.25
                edges = np.histogram_bin_edges(col, bins=int(b))
            else:
                edges = np.histogram_bin_edges(Z[:, j], bins=int(b))
        else:
            try:
                edges = as_float_array(b, name="bins", ndim=1, min_rows=2)
            except ValueError as error:
                raise type(error)(f"bin edges must be a 1-D increasing array with at least 2 finite entries: "
                                  f"{error}") from None
            if not np.all(np.diff(edges) > 0):
                raise ValueError("bin edges must be a 1-D increasing array with at least 2 entries.")
        codes.append(np.searchsorted(edges[1:-1], col, side="right"))
        shape.append(edges.size - 1)
    if np.prod(np.asarray(shape, dtype=float)) > 1e6:
        raise ValueError(f"{' x '.join(map(str, shape))} product bins exceed 10**6: use fewer bins or columns.")
    flat = np.ravel_multi_index(tuple(codes), tuple(shape)) if d > 1 else codes[0]
    p, q = _pmfs(flat[: X.shape[0]], flat[X.shape[0] :], int(np.prod(shape)))
    return float(0.5 * np.abs(p - q).sum())


def _quantile_coupling(n: int, m: int):
    """Index pairs and weights of the monotone coupling of two uniform empirical measures (sizes n, m)."""
    # levels i*m and j*n (common denominator n*m): two sorted runs, merged in linear time by the stable
    # sort (timsort); a level present in both appears twice, the copy gets weight 0.
    levels = np.concatenate([np.arange(1, n + 1, dtype=np.int64) * m, np.arange(1, m + 1, dtype=np.int64) * n])
    levels.sort(kind="stable")
    weights = np.diff(levels, prepend=0) / (n * m)
    return (levels + m - 1) // m - 1, (levels + n - 1) // n - 1, weights


def _wpp_sorted(xs: np.ndarray, ys: np.ndarray, p: float) -> np.ndarray:
    """W_p^p between sorted samples along the last axis (all rows at once)."""
    n, m = xs.shape[-1], ys.shape[-1]
    if n == m:
        diff = np.abs(xs - ys)
        w = None
    else:
        ix, iy, w = _quantile_coupling(n, m)
        diff = np.abs(xs[..., ix] - ys[..., iy])
    if p != 1:
        with np.errstate(over="ignore"):
            diff **= p
        if not np.all(np.isfinite(diff)):
            raise ValueError(f"|x - y|^p overflows float64 for p={p:g} even on rescaled data; use a smaller p.")
    return diff.mean(axis=-1) if w is None else diff @ w


def _check_p(p) -> float:
    try:
        return check_float(p, name="p", low=1.0)
    except InputTypeError:
        raise InputTypeError(f"p must be a number >= 1, got {p!r} ({type(p).__name__}).") from None
    except ValueError:
        raise ValueError(f"p must be a number >= 1, got {p!r}.") from None


def _power_scale(Z: np.ndarray, p: float) -> float:
    """A power of 2 ``s`` such that the ``p``-th powers of differences of ``Z / s`` neither overflow nor underflow.

    1 for ordinary data (results unchanged); dividing by a power of 2 is exact, and :math:`W_p` is homogeneous:
    :math:`W_p(x/s, y/s) = W_p(x, y)/s`.
    """
    top = float(np.max(np.abs(Z))) if Z.size else 0.0
    if top == 0.0 or abs(p * np.log2(top)) < 900:
        return 1.0
    return float(np.ldexp(1.0, int(np.frexp(top)[1]) - 2))  # top / s in [2, 4): differences stay below 8


def _finite_distance(value: float, name: str) -> float:
    return float(check_finite_result(value, what=name, fix="the distance itself exceeds the float64 range; "
                                     "rescale the data (divide every column by a common constant)"))


def wasserstein_1d(x, y, *, p: float = 1) -> float:
    r"""Exact p-Wasserstein distance between two 1-D empirical distributions (any sizes).

    .. math:: W_p(\hat P,\hat Q) = \Big(\int_0^1 |F^{-1}(t) - G^{-1}(t)|^p\,dt\Big)^{1/p}

    computed from the sorted samples by merging the two empirical quantile functions (the optimal
    coupling in 1-D is the quantile coupling). For ``p=1`` it equals
    :func:`scipy.stats.wasserstein_distance`. Range :math:`[0,\infty)` in the units of the data:
    0 = identical; lower is better.

    Examples
    --------
    >>> round(wasserstein_1d([0.0, 1.0, 3.0], [1.0, 2.0]), 6)  # 1/3 + 1/6 + 1/3
    0.833333
    """
    p = _check_p(p)
    x = np.sort(as_float_array(x, name="x", ndim=1))
    y = np.sort(as_float_array(y, name="y", ndim=1))
    scale = max(_power_scale(x, p), _power_scale(y, p))
    if scale != 1.0:  # p-th powers would overflow or underflow: the distance of the data divided by 2^e
        with np.errstate(over="ignore"):
            return _finite_distance(wasserstein_1d(x / scale, y / scale, p=p) * scale, "wasserstein_1d")
    return float(_wpp_sorted(x, y, p) ** (1.0 / p))


def sliced_wasserstein(X, Y, *, n_projections: int = 128, p: float = 2, projections=None, random_state=None) -> float:
    r"""Sliced p-Wasserstein distance (Bonneel et al., 2015), defined as in POT.

    .. math:: SW_p(\hat P,\hat Q) = \Big(\frac1L\sum_{l=1}^L W_p^p(u_l^\top\hat P, u_l^\top\hat Q)\Big)^{1/p}

    with directions :math:`u_l` uniform on the unit sphere (the root is taken after averaging
    :math:`W_p^p` over directions, not of each :math:`W_p`). Equals
    ``ot.sliced_wasserstein_distance(X, Y, p=p, projections=projections)`` given the same projections. Range
    :math:`[0,\infty)` in the units of the data: 0 = identical; lower is better.

    Parameters
    ----------
    X, Y : array-like of shape (n, d) and (m, d)
    n_projections : int
        Number L of random directions (ignored when ``projections`` is given).
    p : float >= 1
    projections : array of shape (d, L), optional
        Directions as columns (POT's convention), used as given (not renormalised).
    random_state : None, int, SeedSequence or Generator
        Draws the directions (normalised standard Gaussian columns).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3))
    >>> sliced_wasserstein(X, X, random_state=0)
    0.0
    """
    X, Y = as_matched_pair(X, Y, names=("X", "Y"), min_rows=1)
    p = _check_p(p)
    d = X.shape[1]
    if projections is None:
        try:
            n_projections = check_int(n_projections, name="n_projections", low=1)
        except ValueError as error:
            raise type(error)(f"n_projections must be a positive integer, got {n_projections!r}.") from None
        check_memory(8.0 * n_projections * (d + 2 * (X.shape[0] + Y.shape[0])),
                     what=f"sliced_wasserstein with n_projections={n_projections}", fix="use fewer projections")
        theta = check_random_state(random_state).standard_normal((d, n_projections))
        theta /= np.linalg.norm(theta, axis=0, keepdims=True)
    else:
        theta = as_float_array(projections, name="projections", ndim=2)
        if theta.shape[0] != d:
            raise ValueError(f"projections must have shape (d, n_projections) = ({d}, L), got {theta.shape}.")
    sx, st = _power_scale(np.vstack([X, Y]), p), _power_scale(theta, 1.0)
    if sx * st != 1.0:  # far from 1: project data divided by powers of 2 (exact), multiply the distance back
        with np.errstate(over="ignore"):
            value = sliced_wasserstein(X / sx, Y / sx, p=p, projections=theta / st) * sx * st
        return _finite_distance(value, "sliced_wasserstein")
    xp = theta.T @ X.T  # (L, n): contiguous rows, sorted in one call
    yp = theta.T @ Y.T
    xp.sort(axis=1)
    yp.sort(axis=1)
    return float(np.mean(_wpp_sorted(xp, yp, p)) ** (1.0 / p))


@dataclass(frozen=True)
class C2STResult:
    """Cross-validated AUC of a real-vs-synthetic classifier: 0.5 = indistinguishable, 1 = separable."""

    auc: float
    auc_std: float
    n_folds: int
    fold_aucs: tuple = field(repr=False)

    def to_dict(self) -> dict:
        """The fields as a plain dict."""
        return asdict(self)

    def __repr__(self) -> str:
        return f"C2STResult(auc={self.auc:.4f}, auc_std={self.auc_std:.4f}, n_folds={self.n_folds})"


def classifier_two_sample_auc(X, Y, *, classifier=None, cv: int = 5, random_state=None) -> C2STResult:
    r"""Classifier two-sample test (Lopez-Paz & Oquab, 2017): cross-validated ROC AUC of real vs synthetic.

    .. math:: \mathrm{AUC} = P\big(s(X') > s(Y')\big) + \tfrac12 P\big(s(X') = s(Y')\big)

    for the out-of-fold score :math:`s` of a classifier trained to tell rows of ``X`` (label 1) from rows
    of ``Y`` (label 0). Range :math:`[0,1]`: 0.5 = indistinguishable (closer to 0.5 is better),
    1 = perfectly separable.

    Below 0.5: the out-of-fold scores rank synthetic rows above real rows more often than not. With folds that
    keep identical rows together (below) an AUC under 0.5 is sampling noise around 0.5, of the order of
    ``auc_std``; read it as "indistinguishable", never as "better than real". An AUC far below 0.5 (several
    ``auc_std``) points to a leak between folds or a classifier that anti-learns, not to good synthetic data.

    Duplicated rows. Rows shared by ``X`` and ``Y`` (e.g. a synthetic sample that copies real rows) are kept in
    one fold together with every other copy of the same value (scikit-learn's ``StratifiedGroupKFold``, one group
    per shared value): otherwise a copy in the training folds with the opposite label pushes the score of its
    twin in the test fold the wrong way and the AUC drops far below 0.5 (0.07 for ``X`` against ``X.copy()``).
    Values found in one sample only stay ungrouped (a value that only the real data has is a real difference the
    classifier may learn). When no row of ``X`` is a row of ``Y`` the folds are ``StratifiedKFold``'s, as before;
    so are they when the shared values are too few to make ``cv`` grouped folds holding both samples (discrete
    data with a handful of values, each with many copies: the classifier then learns each value's frequency and
    splitting its copies biases the AUC by little). ``X`` against an exact copy gives 0.5.

    Parameters
    ----------
    X, Y : array-like of shape (n, p), (m, p)
        DataFrames are matched by column name.
    classifier : scikit-learn classifier with ``predict_proba`` or ``decision_function``, optional
        Default: :class:`sklearn.ensemble.HistGradientBoostingClassifier` (default settings, seeded) - it
        picks up differences in marginals and in interactions, not only in means, and needs no scaling.
        A classifier of your own is cloned for each fold; if it has a ``random_state`` parameter left at
        ``None``, it is set from ``random_state`` (so the result is reproducible); a ``random_state`` you set on
        the classifier is kept. Fits run with OpenMP limited to one thread: for the small samples of a two-sample
        test, multi-threaded histogram boosting is dominated by thread overhead (it was 50x slower on a
        loaded 2-core machine).
    cv : int
        Number of stratified folds (shuffled, seeded by ``random_state``); each class needs at least
        ``cv`` rows, and there must be at least ``cv`` distinct rows.
    random_state : None, int, SeedSequence or Generator

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> res = classifier_two_sample_auc(rng.normal(size=(200, 2)), rng.normal(size=(200, 2)) + 3.0,
    ...                                 random_state=0)
    >>> bool(res.auc > 0.95)
    True
    >>> X = rng.normal(size=(100, 2))
    >>> classifier_two_sample_auc(X, X.copy(), random_state=0).auc
    0.5
    """
    from sklearn.base import clone
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold
    from threadpoolctl import threadpool_limits

    try:
        cv = check_int(cv, name="cv", low=2)
    except ValueError as error:
        raise type(error)(f"cv must be an integer >= 2, got {cv!r}.") from None
    X, Y = as_matched_pair(X, Y, names=("X", "Y"), min_rows=2)
    if cv > min(X.shape[0], Y.shape[0]):
        raise ValueError(f"cv={cv} folds need at least {cv} rows in each sample (X has {X.shape[0]}, Y has "
                         f"{Y.shape[0]}); lower cv.")
    rng = check_random_state(random_state)
    seed = int(rng.integers(2**31 - 1))
    if classifier is None:
        classifier = HistGradientBoostingClassifier(random_state=seed)
    else:
        if not hasattr(classifier, "fit") or not (
                hasattr(classifier, "predict_proba") or hasattr(classifier, "decision_function")):
            raise InputTypeError("classifier must be a scikit-learn classifier with fit and predict_proba or "
                                 f"decision_function, got {type(classifier).__name__}.")
        classifier = clone(classifier)
        params = classifier.get_params(deep=False) if hasattr(classifier, "get_params") else {}
        if "random_state" in params and params["random_state"] is None:
            classifier.set_params(random_state=seed)
    Z = np.vstack([X, Y])
    labels = np.r_[np.ones(X.shape[0], dtype=int), np.zeros(Y.shape[0], dtype=int)]
    _, value = np.unique(Z, axis=0, return_inverse=True)
    value = value.ravel()
    in_x = np.zeros(int(value.max()) + 1, dtype=bool)
    in_y = np.zeros_like(in_x)
    in_x[value[: X.shape[0]]] = True
    in_y[value[X.shape[0] :]] = True
    shared = (in_x & in_y)[value]  # rows whose exact value occurs in both samples, with opposite labels
    folds = None
    if shared.any():
        groups = np.where(shared, value, in_x.size + np.arange(Z.shape[0]))
        if np.unique(groups).size >= cv:
            grouped = list(StratifiedGroupKFold(n_splits=cv, shuffle=True, random_state=seed).split(Z, labels, groups))
            if all(np.unique(labels[part]).size == 2 for fold in grouped for part in fold):
                folds = grouped
    if folds is None:  # no shared rows (or too few distinct values to group): plain stratified folds
        folds = list(StratifiedKFold(n_splits=cv, shuffle=True, random_state=seed).split(Z, labels))
    aucs = []
    with threadpool_limits(limits=1, user_api="openmp"):
        for train, test in folds:
            model = clone(classifier).fit(Z[train], labels[train])
            if hasattr(model, "predict_proba"):
                score = model.predict_proba(Z[test])[:, list(model.classes_).index(1)]
            else:
                score = model.decision_function(Z[test])
            score = np.asarray(score, dtype=float)
            if not np.all(np.isfinite(score)):
                raise ValueError("the classifier returned NaN or infinite scores; rescale the data or use another "
                                 "classifier.")
            aucs.append(float(roc_auc_score(labels[test], score)))
    aucs = np.asarray(aucs)
    return C2STResult(auc=float(aucs.mean()), auc_std=float(aucs.std(ddof=1)), n_folds=int(cv), fold_aucs=tuple(aucs))


@dataclass(frozen=True)
class IPMResult:
    """:math:`d_V` for a finite class V: the largest absolute mean gap, which function attains it, all gaps."""

    value: float
    argmax: int
    function: object = field(repr=False)
    gaps: np.ndarray = field(repr=False)

    def to_dict(self) -> dict:
        """Value, argmax and the gaps as a list (the function itself left out)."""
        return {"value": self.value, "argmax": self.argmax, "gaps": self.gaps.tolist()}

    def __repr__(self) -> str:
        name = getattr(self.function, "__name__", type(self.function).__name__)
        return f"IPMResult(value={self.value:.4g}, argmax={self.argmax}, function={name}, n_functions={self.gaps.size})"


def ipm(X, Y, functions) -> IPMResult:
    r"""Integral probability metric :math:`d_V` over a finite class of functions (the book's fidelity chapter).

    .. math:: d_V(\hat P,\hat Q) = \max_{v\in V}\Big|\frac1n\sum_i v(x_i) - \frac1m\sum_j v(y_j)\Big|

    Range :math:`[0,\infty)`: 0 = no function of V tells the samples apart; lower is better. Choose V as
    the functions your downstream task depends on (e.g. candidate predictors, a loss of each model).

    Parameters
    ----------
    X, Y : array-like of shape (n, p), (m, p)
    functions : sequence of callables
        Each maps an array of shape (n_rows, p) to an array of shape (n_rows,) of finite values.

    Examples
    --------
    >>> X = np.array([[0.0], [1.0]]); Y = np.array([[1.0], [2.0]])
    >>> res = ipm(X, Y, [lambda Z: Z[:, 0], lambda Z: Z[:, 0] ** 2])
    >>> res.value, res.argmax
    (2.0, 1)
    """
    X, Y = as_matched_pair(X, Y, names=("X", "Y"), min_rows=1)
    if isinstance(functions, (str, bytes)) or not (callable(functions) or hasattr(functions, "__iter__")):
        raise InputTypeError(f"functions must be a callable or a sequence of callables, got {type(functions).__name__}.")
    functions = list(functions) if not callable(functions) else [functions]
    if not functions:
        raise ValueError("functions must be a non-empty sequence of callables.")
    gaps = np.empty(len(functions))
    for i, v in enumerate(functions):
        if not callable(v):
            raise ValueError(f"functions[{i}] is not callable (got {type(v).__name__}).")
        vals = []
        for Z, name in ((X, "X"), (Y, "Y")):
            out = np.asarray(v(Z))
            if out.dtype.kind not in "biuf":
                raise InputTypeError(f"functions[{i}] must return real numbers; on {name} it returned dtype "
                                     f"{out.dtype}.")
            out = out.astype(float)
            if out.shape != (Z.shape[0],):
                raise ValueError(
                    f"functions[{i}] must map an array of shape (n_rows, p) to shape (n_rows,); on {name} it returned "
                    f"shape {out.shape} for n_rows={Z.shape[0]}."
                )
            if not np.isfinite(out).all():
                raise ValueError(f"functions[{i}] returned NaN or infinite values on {name}.")
            vals.append(_stable_mean(out))
        with np.errstate(over="ignore"):
            gaps[i] = abs(vals[0] - vals[1])
        check_finite_result(gaps[i], what=f"the mean gap of functions[{i}]", fix="its values exceed the float64 "
                            "range; rescale the function")
    k = int(np.argmax(gaps))
    return IPMResult(value=float(gaps[k]), argmax=k, function=functions[k], gaps=gaps)
