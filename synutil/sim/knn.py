r"""k-nearest-neighbour regression and plug-in classification, batched across Monte Carlo replications.

The book's k-NN rate theorem studies k-NN regression trained on real and on synthetic samples; its
low-noise chapter uses a k-NN plug-in classifier. A Monte Carlo study fits the same learner on ``R`` independent
samples. Instead of ``R`` scikit-learn fits, :func:`knn_predict` takes all replications at once:

* ``p == 1``: each replication is sorted once; the ``k`` nearest neighbours of a query are a window
  of ``k`` consecutive sorted points, found by a vectorised binary search over all replications and
  queries, and averaged with cumulative sums. Cost :math:`O(Rn\log n + RN\log n)`.
* ``p >= 2``: one C k-d tree per replication (:class:`scipy.spatial.cKDTree`, queries on all
  cores); the Python work per replication is two calls. A fully vectorised alternative,
  ``algorithm="brute"``, computes squared distances of a block of queries to all training points of
  all replications and applies ``numpy.argpartition``; blocks are sized so that one block's distance
  array stays under ``working_memory`` MiB. Its cost :math:`O(RNnp)` makes it worthwhile only for
  small ``n`` (measured in ``benchmarks/bench_knn.py``).

``method="sklearn"`` runs :class:`sklearn.neighbors.KNeighborsRegressor` once per replication: the
reference implementation, used by the tests and the benchmark.

Ties. With continuous features, distance ties have probability zero and both methods return the
same numbers (up to floating-point rounding of the averages). When two training points are exactly
as far from a query, the sorted 1-D path keeps the one with the smaller feature value, the k-d tree
and brute paths keep whichever their search returns first, and scikit-learn has its own rule:
do not expect agreement on data with duplicated feature values.
"""

from __future__ import annotations

import numpy as np

from .._validation import InputTypeError, as_numbers, check_choice, check_float, check_int, check_memory

__all__ = ["knn_predict", "knn_classify", "knn_rate_neighbors"]


def knn_rate_neighbors(N, p):
    r"""The number of neighbours :math:`k\asymp N^{2/(2+p)}` of the book's k-NN rate theorem.

    .. math:: k(N, p) = \max\bigl(1, \operatorname{round}(N^{2/(2+p)})\bigr),

    capped at ``N``. With this choice the variance :math:`\sigma^2/k` and the squared bias
    :math:`O((k/N)^{2/p})` of k-NN regression with a Lipschitz regression function are of the same
    order :math:`N^{-2/(2+p)}` (Györfi et al. 2002, Theorem 6.2).

    Parameters
    ----------
    N : int or array of int
        Training-sample size(s), at least 1.
    p : int
        Feature dimension, at least 1.

    Returns
    -------
    int or ndarray of int

    Examples
    --------
    >>> knn_rate_neighbors(1000, 1), knn_rate_neighbors(10_000, 2)
    (100, 100)
    >>> knn_rate_neighbors([8, 64], 1).tolist()
    [4, 16]
    """
    N_arr = np.asarray(N)
    if N_arr.dtype.kind not in "iuf" or not np.all(np.isfinite(N_arr)) or np.any(N_arr < 1) or \
            np.any(N_arr != np.round(N_arr)):
        raise ValueError(f"N must be a positive integer sample size (or an array of them), got {N!r}.")
    try:
        p = check_int(p, name="p", low=1)
    except ValueError as error:
        raise type(error)(f"p must be a positive integer feature dimension, got {p!r}.") from None
    k = np.maximum(1, np.round(N_arr.astype(float) ** (2.0 / (2.0 + int(p))))).astype(int)
    k = np.minimum(k, N_arr.astype(int))
    return int(k) if k.ndim == 0 else k


def _numbers(values, name: str) -> np.ndarray:
    """Numbers of any shape; NaN and infinity are reported by the caller, strings and complex values here."""
    try:
        return as_numbers(values, name=name, allow_inf=True)
    except InputTypeError as error:
        raise InputTypeError(f"X_train, y_train and X_query must be numeric arrays: {error}") from None
    except ValueError:  # NaN
        return np.asarray(values, dtype=float)


def _check_inputs(X_train, y_train, X_query, n_neighbors):
    X, y, Q = (_numbers(v, name) for v, name in ((X_train, "X_train"), (y_train, "y_train"), (X_query, "X_query")))
    single = X.ndim == 2
    if single:
        if y.ndim != 1:
            raise ValueError(f"with a 2-D X_train (n, p), y_train must be 1-D (n,), got shape {y.shape}.")
        X, y = X[None], y[None]
        if Q.ndim == 1:
            Q = Q[:, None]
    if X.ndim != 3:
        raise ValueError(
            f"X_train must have shape (R, n, p) (replications, rows, features) or (n, p), got shape {X.shape}."
        )
    R, n, p = X.shape
    if y.shape != (R, n):
        raise ValueError(f"y_train must have shape (R, n) = {(R, n)} to match X_train, got {y.shape}.")
    if Q.ndim == 2:
        if Q.shape[1] != p:
            raise ValueError(f"X_query has {Q.shape[1]} feature(s) but X_train has {p}.")
    elif Q.ndim == 3:
        if Q.shape[0] != R or Q.shape[2] != p:
            raise ValueError(f"a 3-D X_query must have shape (R, N, p) with R={R} and p={p}, got {Q.shape}.")
    else:
        raise ValueError(f"X_query must have shape (N, p) or (R, N, p), got shape {Q.shape}.")
    for name, arr in (("X_train", X), ("y_train", y), ("X_query", Q)):
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} contains NaN or infinite values; drop or impute them before calling.")
    try:
        k = check_int(n_neighbors, name="n_neighbors")
    except ValueError as error:
        raise type(error)(f"n_neighbors must be a positive integer, got {n_neighbors!r} "
                          f"({type(n_neighbors).__name__}).") from None
    if not 1 <= k <= n:
        raise ValueError(f"n_neighbors must lie between 1 and the number of training rows n={n}, got {k}.")
    return X, y, Q, k, single


def _predict_1d(X, y, Q, k):
    R, n, _ = X.shape
    order = np.argsort(X[..., 0], axis=1, kind="stable")
    xs = np.take_along_axis(X[..., 0], order, axis=1)
    ys = np.take_along_axis(y, order, axis=1)
    cs = np.concatenate([np.zeros((R, 1)), np.cumsum(ys, axis=1)], axis=1)
    q = np.broadcast_to(Q[..., 0], (R, Q.shape[-2]))
    lo = np.zeros(q.shape, dtype=np.intp)
    hi = np.full(q.shape, n - k, dtype=np.intp)
    # Binary search for the left end of the window of the k nearest sorted points: the window
    # [mid, mid + k) should move right while the point leaving on the left is farther than the point
    # entering on the right (ties keep the left, smaller, point).
    for _ in range(int(n - k).bit_length() + 1):
        active = lo < hi
        if not active.any():
            break
        mid = (lo + hi) // 2
        left = q - np.take_along_axis(xs, mid, axis=1)
        right = np.take_along_axis(xs, np.minimum(mid + k, n - 1), axis=1) - q
        move = left > right
        lo = np.where(active & move, mid + 1, lo)
        hi = np.where(active & ~move, mid, hi)
    return (np.take_along_axis(cs, lo + k, axis=1) - np.take_along_axis(cs, lo, axis=1)) / k


def _predict_nd(X, y, Q, k, working_memory):
    R, n, p = X.shape
    N = Q.shape[-2]
    block = max(1, int(working_memory * 2**20 // (3 * 8 * R * n)))
    out = np.empty((R, N))
    shared = Q.ndim == 2
    for start in range(0, N, block):
        Qb = Q[start : start + block] if shared else Q[:, start : start + block]
        Qb = Qb[None] if shared else Qb
        dist = np.zeros((R, Qb.shape[1], n))
        for j in range(p):
            diff = Qb[..., j][:, :, None] - X[..., j][:, None, :]
            dist += diff * diff
        if k < n:
            idx = np.argpartition(dist, k - 1, axis=-1)[..., :k]
            out[:, start : start + Qb.shape[1]] = np.take_along_axis(
                np.broadcast_to(y[:, None, :], dist.shape), idx, axis=-1
            ).mean(axis=-1)
        else:
            out[:, start : start + Qb.shape[1]] = y.mean(axis=1, keepdims=True)
    return out


def _predict_tree(X, y, Q, k):
    # One C k-d tree per replication (scipy's cKDTree, queries spread over all cores): the fastest
    # exact method for p >= 2 at the sizes of the book, well ahead of a blocked brute-force search.
    from scipy.spatial import cKDTree

    R, N = X.shape[0], Q.shape[-2]
    out = np.empty((R, N))
    for r in range(R):
        _, idx = cKDTree(X[r]).query(Q if Q.ndim == 2 else Q[r], k=[k] if k == 1 else k, workers=-1)
        out[r] = y[r][idx].reshape(N, -1).mean(axis=-1)
    return out


def _predict_sklearn(X, y, Q, k):
    from sklearn.neighbors import KNeighborsRegressor

    out = np.empty((X.shape[0], Q.shape[-2]))
    for r in range(X.shape[0]):
        model = KNeighborsRegressor(n_neighbors=k).fit(X[r], y[r])
        out[r] = model.predict(Q if Q.ndim == 2 else Q[r])
    return out


def knn_predict(X_train, y_train, X_query, *, n_neighbors, method="batched", algorithm="auto", working_memory=64):
    r"""k-NN regression estimates for many replications at once.

    .. math:: \hat f_r(x) = \frac1k\sum_{i\in N_k^{(r)}(x)} y_{r,i},

    where :math:`N_k^{(r)}(x)` are the indices of the ``k`` training points of replication ``r``
    closest to ``x`` in Euclidean distance (uniform weights, as ``KNeighborsRegressor``).
    Used for the book's k-NN rate theorem.

    Parameters
    ----------
    X_train : array of shape (R, n, p), or (n, p) for a single replication
    y_train : array of shape (R, n), or (n,)
    X_query : array of shape (N, p) (the same queries for every replication) or (R, N, p)
    n_neighbors : int
        ``k``, between 1 and ``n``; see :func:`knn_rate_neighbors` for the rate-optimal choice.
    method : {"batched", "sklearn"}
        ``"batched"`` (default) computes all replications together; ``"sklearn"`` loops over
        replications with :class:`~sklearn.neighbors.KNeighborsRegressor` (the reference).
    algorithm : {"auto", "brute"}
        For ``method="batched"``. ``"auto"``: sorted windows when ``p == 1``, one C k-d tree per
        replication (:class:`scipy.spatial.cKDTree`, parallel queries) when ``p >= 2``.
        ``"brute"``: blocked squared distances and ``numpy.argpartition`` over all replications at
        once, for any ``p`` (quick for small ``n``, quadratic in general).
    working_memory : float
        Approximate memory in MiB of one block of distances (``algorithm="brute"``).

    Returns
    -------
    ndarray of shape (R, N), or (N,) for a single replication

    Notes
    -----
    Ties between distances are broken differently by the methods (see the module docstring);
    with continuous features they do not occur.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(size=(3, 50, 1)); y = np.sin(6 * X[..., 0])
    >>> Q = np.linspace(0, 1, 7)[:, None]
    >>> fast = knn_predict(X, y, Q, n_neighbors=5)
    >>> ref = knn_predict(X, y, Q, n_neighbors=5, method="sklearn")
    >>> fast.shape, bool(np.allclose(fast, ref, rtol=0, atol=1e-12))
    ((3, 7), True)
    """
    X, y, Q, k, single = _check_inputs(X_train, y_train, X_query, n_neighbors)
    if algorithm not in ("auto", "brute"):
        raise ValueError(f"algorithm must be 'auto' or 'brute', got {algorithm!r}.")
    if method not in ("batched", "sklearn"):
        raise ValueError(f"method must be 'batched' or 'sklearn', got {method!r}.")
    R, n, p = X.shape
    top = max(float(np.max(np.abs(X))), float(np.max(np.abs(Q))) if Q.size else 0.0)
    if top > 2.0**500:  # squared distances would overflow: neighbours are the same for the data divided by 2^e
        scale = float(np.ldexp(1.0, int(np.frexp(top)[1]) - 1))
        X, Q = X / scale, Q / scale
    check_memory(8.0 * R * Q.shape[-2] * 3, what=f"predictions for {Q.shape[-2]} queries in {R} replications",
                 fix="predict fewer queries at a time")
    if method == "batched":
        if algorithm == "brute":
            try:
                working_memory = check_float(working_memory, name="working_memory", low=0.0, low_open=True)
            except ValueError:
                raise ValueError(f"working_memory must be a positive number of MiB, got {working_memory!r}.") from None
            out = _predict_nd(X, y, Q, k, working_memory)
        elif X.shape[2] == 1:
            out = _predict_1d(X, y, Q, k)
        else:
            out = _predict_tree(X, y, Q, k)
    elif method == "sklearn":
        out = _predict_sklearn(X, y, Q, k)
    else:
        raise ValueError(f"method must be 'batched' or 'sklearn', got {method!r}.")
    return out[0] if single else out


def knn_classify(X_train, y_train, X_query, *, n_neighbors, method="batched", algorithm="auto", working_memory=64):
    r"""k-NN plug-in classifier for 0/1 labels, batched across replications.

    .. math:: \hat h_r(x) = \mathbb 1\{\hat\eta_r(x)\ge 1/2\},

    with :math:`\hat\eta_r` the k-NN regression estimate of :func:`knn_predict` on the labels. A tie
    of votes (even ``k``) is sent to class 1, as for the plug-in rule :math:`\mathbb 1\{\eta\ge1/2\}`
    of the book's low-noise theorem (scikit-learn's ``KNeighborsClassifier`` sends it to class 0; with odd
    ``k`` both agree).

    Examples
    --------
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]]); y = np.array([0, 0, 1, 1])
    >>> knn_classify(X, y, np.array([[0.2], [2.8]]), n_neighbors=1).tolist()
    [0, 1]
    """
    y = np.asarray(y_train)
    if y.dtype.kind not in "biuf" or not np.isin(y, (0, 1)).all():
        raise ValueError("knn_classify needs binary 0/1 labels in y_train; encode the two classes as 0 and 1.")
    eta_hat = knn_predict(
        X_train, y, X_query, n_neighbors=n_neighbors, method=method, algorithm=algorithm,
        working_memory=working_memory,
    )
    return (eta_hat >= 0.5 - 1e-12).astype(int)
