r"""Maximum mean discrepancy with a Gaussian kernel: blocked unbiased and linear-time estimators, and a
permutation test. Public through :mod:`synutil.fidelity`.

The unbiased estimator never forms a full kernel matrix: it sums kernel blocks of at most
``block_size x block_size`` entries (memory :math:`O(\text{block\_size}^2)`), computing squared distances
in float64 with one matrix product per block: rows are augmented so that
:math:`[x/\beta,\,-\|x/\beta\|^2/2,\,1]\cdot[y/\beta,\,1,\,-\|y/\beta\|^2/2] = -\|x-y\|^2/(2\beta^2)`
(:math:`\beta` the ``bandwidth``), then ``exp`` in place and
a sum. The within-sample sums use symmetry (only blocks on or above the diagonal).

Numerics. Rows are centred at a robust centre (the coordinate-wise median) before scaling, the exponent is
clamped at 0 (its true value is never positive, so ``exp`` never overflows), and rows more than 100 bandwidths
from the centre (outliers, or every row when the bandwidth is small for the data) have their kernel values
computed from exact coordinate differences, where the matrix-product form would lose digits to cancellation.
An overflowing difference gives a kernel value of exactly 0, never NaN. Data near the float64 limit are divided
by a power of 2 (exact) before distances are taken for the median heuristic. The population MMD² lies in
:math:`[0, 2]`; a non-finite result is an error, never a number handed back.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from scipy.spatial.distance import pdist

from .._validation import (
    as_float_array,
    as_matched_pair,
    check_choice,
    check_finite_result,
    check_int,
    check_memory,
    check_random_state,
)

__all__ = ["mmd2", "mmd_test", "MMDTestResult", "median_bandwidth"]

_MAX_MEDIAN_ROWS = 1000
_CORE_SQ = 1e4  # rows farther than 100 bandwidths from the centre: kernel values from exact differences
_UNDERFLOW = 38.6  # exp(-d^2 / 2) is exactly 0 in float64 beyond d = 38.6 bandwidths
_HUGE = 2.0**500  # above this magnitude distances are computed on data divided by a power of 2


def _pow2_scale(Z: np.ndarray) -> float:
    """A power of 2 that brings the largest magnitude of ``Z`` near 1 when squares could overflow, else 1."""
    top = float(np.max(np.abs(Z))) if Z.size else 0.0
    return float(np.ldexp(1.0, int(np.frexp(top)[1]) - 1)) if top > _HUGE else 1.0  # 2^e <= top < 2^(e+1)


def median_bandwidth(X, Y=None) -> float:
    r"""Median heuristic: the median Euclidean distance between distinct rows of the pooled sample.

    .. math:: \beta = \operatorname{median}\{\lVert z_i - z_j\rVert : i < j\}

    over the rows :math:`z` of ``X`` and ``Y`` together: the median of the distances, not their mean, and
    over the pooled sample, not ``X`` alone. DataFrames are matched by column name.

    For more than 1000 pooled rows the median is taken on a subsample of 1000 rows drawn with a fixed seed
    (0), so the bandwidth is deterministic.

    Examples
    --------
    >>> round(median_bandwidth(np.array([[0.0], [1.0], [3.0]])), 6)
    2.0
    """
    if Y is None:
        Z = as_float_array(X, name="X", ndim=2, min_rows=2)
    else:
        X, Y = as_matched_pair(X, Y, names=("X", "Y"), min_rows=1)
        Z = np.vstack([X, Y])
    return _median_bandwidth(Z)


def _median_bandwidth(Z: np.ndarray) -> float:
    if Z.shape[0] > _MAX_MEDIAN_ROWS:
        idx = np.random.default_rng(0).choice(Z.shape[0], _MAX_MEDIAN_ROWS, replace=False)
        Z = Z[idx]
    with np.errstate(over="ignore"):  # an overflowing distance is inf (never NaN): fine for a median
        h = float(np.median(pdist(Z)))
        if np.isinf(h):  # data near the float64 limit: distances of the data divided by a power of 2 (exact)
            scale = _pow2_scale(Z)
            h = float(np.median(pdist(Z / scale))) * scale
    if not h > 0:
        raise ValueError(
            "the median pairwise distance of the pooled sample is 0 (more than half the rows coincide), "
            "so the median heuristic fails; pass bandwidth=<positive float>."
        )
    check_finite_result(h, what="the median pairwise distance", fix="the data are too large for float64 "
                        "distances; rescale them (divide every column by a common constant)")
    return h


def _bandwidth(bandwidth, X, Y) -> float:
    if isinstance(bandwidth, str):
        if bandwidth != "median":
            raise ValueError(f"bandwidth must be 'median' or a positive float, got {bandwidth!r}.")
        return median_bandwidth(X, Y)
    if isinstance(bandwidth, (bool, np.bool_)) or not np.isscalar(bandwidth) or \
            not np.issubdtype(type(bandwidth), np.number) or np.iscomplexobj(bandwidth) or \
            not np.isfinite(bandwidth) or float(bandwidth) <= 0:
        raise ValueError(f"bandwidth must be 'median' or a positive float, got {bandwidth!r}.")
    h = float(bandwidth)
    _check_bandwidth_scale(h, np.vstack([X, Y]))
    return h


def _check_bandwidth_scale(h: float, Z: np.ndarray) -> None:
    """Refuse a bandwidth so far from the data's scale that MMD^2 is 0 or rounding noise whatever the data."""
    with np.errstate(over="ignore"):
        diameter = float(np.linalg.norm(Z.max(axis=0) - Z.min(axis=0)))
    if diameter == 0.0:
        return  # every row equal: MMD^2 is 0 for any bandwidth
    if h > 1e4 * diameter:
        raise ValueError(
            f"bandwidth={h:.4g} is more than 10^4 times the diameter of the pooled sample ({diameter:.4g}): "
            "every kernel value equals 1 to 8 digits and MMD^2 would be rounding noise. Choose a bandwidth on the "
            "data's scale, e.g. bandwidth='median'."
        )
    sub = Z if len(Z) <= 300 else Z[np.random.default_rng(0).choice(len(Z), 300, replace=False)]
    with np.errstate(over="ignore"):
        d = pdist(sub)
    d = d[d > 0]
    if d.size and np.quantile(d, 0.01) > _UNDERFLOW * h:
        raise ValueError(
            f"bandwidth={h:.4g} is tiny for these data: 99% of the pairwise distances exceed {_UNDERFLOW} bandwidths, "
            "where the Gaussian kernel underflows to exactly 0, so MMD^2 would be about 0 whatever the samples. "
            f"Choose a bandwidth on the data's scale (the median pairwise distance is about {np.median(d):.4g}; "
            "bandwidth='median' uses it)."
        )


def _augment(Zs: np.ndarray, left: bool) -> np.ndarray:
    """Append columns so that ``aug(A, left) @ aug(B, right).T = A B^T - |a|^2/2 - |b|^2/2``."""
    half = 0.5 * np.einsum("ij,ij->i", Zs, Zs)
    ones = np.ones_like(half)
    cols = (-half, ones) if left else (ones, -half)
    return np.hstack([Zs, cols[0][:, None], cols[1][:, None]])


def _kernel_sum(A: np.ndarray, B: np.ndarray, block_size: int, symmetric: bool) -> float:
    """Sum of the Gaussian kernel over all pairs of rows of (augmented) A and B, block by block.

    One matrix product per block gives the exponent ``-|a-b|^2/2`` directly; it is clamped at 0 (rounding can
    make it slightly positive, never the true value), then ``exp`` in place and a sum: no full matrix is formed.
    With ``symmetric=True`` (A and B the same sample) the diagonal is excluded and only blocks on or above the
    diagonal are computed.
    """
    total = 0.0
    n, m = A.shape[0], B.shape[0]
    if n == 0 or m == 0:
        return 0.0
    # one buffer reused for every block: no allocation per block (repeated 32 MB allocations of varying
    # shape fragmented the heap and let the resident memory grow with n)
    buffer = np.empty(min(block_size, n) * min(block_size, m))
    for i in range(0, n, block_size):
        Ai = A[i : i + block_size]
        for j in range(i if symmetric else 0, m, block_size):
            Bj = B[j : j + block_size]
            G = buffer[: Ai.shape[0] * Bj.shape[0]].reshape(Ai.shape[0], Bj.shape[0])
            np.matmul(Ai, Bj.T, out=G)
            np.minimum(G, 0.0, out=G)
            np.exp(G, out=G)
            s = float(G.sum())
            if symmetric:
                s = s - float(np.trace(G)) if j == i else 2.0 * s
            total += s
    return total


def _direct_kernel(A: np.ndarray, B: np.ndarray, h: float) -> np.ndarray:
    """Kernel matrix from exact coordinate differences ``(a - b) / h``: no cancellation, no NaN.

    An overflowing difference or square gives ``inf`` and a kernel value of exactly 0, which is right.
    """
    D = np.zeros((A.shape[0], B.shape[0]))
    with np.errstate(over="ignore"):
        for j in range(A.shape[1]):
            diff = np.subtract.outer(0.5 * A[:, j], 0.5 * B[:, j])  # halves: exact, and a - b cannot overflow
            diff /= 0.5 * h
            diff *= diff
            D += diff
    D *= -0.5
    return np.exp(D, out=D)


def _direct_sum(A: np.ndarray, B: np.ndarray, h: float) -> float:
    total = 0.0
    rows = max(1, int(2**21 // max(1, B.shape[0])))  # about 16 MB per block
    for i in range(0, A.shape[0], rows):
        total += float(_direct_kernel(A[i : i + rows], B, h).sum())
    return total


class _Sample:
    """A sample in bandwidth units around a common robust centre, split into core and far rows.

    Core rows (within 100 bandwidths of the centre) go through the fast matrix-product path, whose rounding
    error in the exponent is about ``1e-16 |z|^2``; far rows (outliers, data far from the centre relative to
    the bandwidth, where that error would not be negligible) go through exact differences.
    """

    def __init__(self, Z: np.ndarray, centre: np.ndarray, h: float):
        self.raw, self.h = Z, h
        with np.errstate(over="ignore", invalid="ignore"):
            Zs = (Z - centre) / h
            sq = np.einsum("ij,ij->i", Zs, Zs)
        core = np.isfinite(sq) & (sq <= _CORE_SQ)
        self.all_core = bool(core.all())
        self.core_idx, self.far_idx = np.flatnonzero(core), np.flatnonzero(~core)
        Zc = Zs if self.all_core else Zs[self.core_idx]
        self.left, self.right = _augment(Zc, True), _augment(Zc, False)
        self.far = Z[self.far_idx]
        self.core_raw = Z if self.all_core else Z[self.core_idx]


def _centre(X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Coordinate-wise median of the first 1000 rows of each sample: robust to outliers, never overflows."""
    return np.median(np.vstack([X[:1000], Y[:1000]]), axis=0)


def _within_sum(S: _Sample, block_size: int) -> float:
    """Sum of the kernel over ordered pairs i != j of one sample."""
    total = _kernel_sum(S.left, S.right, block_size, symmetric=True)
    if S.far.shape[0]:
        total += 2.0 * _direct_sum(S.far, S.core_raw, S.h)
        total += _direct_sum(S.far, S.far, S.h) - S.far.shape[0]  # the diagonal of far rows is exactly 1
    return total


def _cross_sum(S: _Sample, T: _Sample, block_size: int) -> float:
    total = _kernel_sum(S.left, T.right, block_size, symmetric=False)
    if S.far.shape[0]:
        total += _direct_sum(S.far, T.raw, S.h)
    if T.far.shape[0]:
        total += _direct_sum(S.core_raw, T.far, S.h)
    return total


def _check_block(block_size) -> int:
    if isinstance(block_size, (bool, np.bool_)) or not np.issubdtype(type(block_size), np.integer) or block_size < 1:
        raise ValueError(f"block_size must be a positive integer, got {block_size!r}.")
    return int(block_size)


def _mmd2_unbiased(X: np.ndarray, Y: np.ndarray, h: float, block_size: int = 2048, centre=None) -> float:
    centre = _centre(X, Y) if centre is None else centre
    SX, SY = _Sample(X, centre, h), _Sample(Y, centre, h)
    n, m = X.shape[0], Y.shape[0]
    kxx = _within_sum(SX, block_size)
    kyy = _within_sum(SY, block_size)
    kxy = _cross_sum(SX, SY, block_size)
    return kxx / (n * (n - 1)) + kyy / (m * (m - 1)) - 2.0 * kxy / (n * m)


def mmd2(X, Y, *, bandwidth="median", estimator: str = "unbiased", block_size: int = 2048) -> float:
    r"""Squared maximum mean discrepancy with the Gaussian kernel :math:`k(x,y)=e^{-\|x-y\|^2/(2\beta^2)}`.

    .. math:: \widehat{\mathrm{MMD}}{}^2_u = \frac{\sum_{i\ne j}k(x_i,x_j)}{n(n-1)}
              + \frac{\sum_{i\ne j}k(y_i,y_j)}{m(m-1)} - \frac{2}{nm}\sum_{i,j}k(x_i,y_j)

    Direction and range: lower is better; the population value lies in :math:`[0, 2]` (0 iff the two
    distributions are equal, since the Gaussian kernel is characteristic). The unbiased estimate can be
    slightly negative when the distributions are close.

    Numerics: every kernel value is computed without overflow and without cancellation error that matters
    (the exponent :math:`-\|x-y\|^2/(2\beta^2)` is formed around a robust centre, clamped at 0, and rows far
    from the centre in bandwidth units, such as outliers, use exact coordinate differences), so samples far
    apart, badly scaled or with extreme outliers give the right value; data near the float64 limit (1e308) are
    divided by a power of 2 first.

    Parameters
    ----------
    X, Y : array-like of shape (n, p) and (m, p)
        Samples (DataFrames are matched by column name), at least 2 rows each.
    bandwidth : "median" or float
        The bandwidth :math:`\beta` of the kernel. ``"median"``: median pairwise distance of the pooled
        sample (on a fixed-seed subsample of 1000 rows when larger), see :func:`median_bandwidth`. A float
        is checked against the data's scale: one so small that the kernel underflows to 0 for 99% of the pairs,
        or larger than :math:`10^4` times the diameter of the pooled sample, is refused (MMD² would be 0 or
        rounding noise whatever the samples).
    estimator : {"unbiased", "linear"}
        ``"unbiased"``: the U-statistic above, summed in blocks of ``block_size`` rows (memory
        :math:`O(\text{block\_size}^2)`; the result does not depend on ``block_size`` beyond rounding).
        ``"linear"``: the linear-time estimator of Gretton et al. (2012),
        :math:`\frac1{B}\sum_{b} h(z_{2b-1}, z_{2b})` with
        :math:`h(z,z')=k(x,x')+k(y,y')-k(x,y')-k(x',y)` on consecutive pairs of rows, using the first
        :math:`2\lfloor\min(n,m)/2\rfloor` rows of each sample (rows are assumed to be in random order).
    block_size : int

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(500, 2)); Y = rng.normal(size=(500, 2)) + 1.0
    >>> bool(mmd2(X, Y) > 0.1), bool(abs(mmd2(X, X[::-1] + 0.0)) < 1e-2)
    (True, True)
    """
    X, Y = as_matched_pair(X, Y, names=("X", "Y"), min_rows=2)
    check_choice(estimator, name="estimator", choices=("unbiased", "linear"))
    block_size = _check_block(block_size)
    h = _bandwidth(bandwidth, X, Y)
    centre = _centre(X, Y)
    scale = 1.0 / h  # k = exp(-|x-y|^2 / (2 h^2)) = exp(xs.ys - |xs|^2/2 - |ys|^2/2) with xs = x / h
    if estimator == "linear":
        b = min(X.shape[0], Y.shape[0]) // 2
        with np.errstate(over="ignore", invalid="ignore"):
            Xs, Ys = (X - centre) * scale, (Y - centre) * scale
        if np.all(np.isfinite(Xs)) and np.all(np.isfinite(Ys)):
            def k(u, v):
                with np.errstate(over="ignore"):  # a square beyond float64 is inf: kernel 0, right
                    return np.exp(-0.5 * np.sum((u - v) ** 2, axis=1))
        else:  # rows beyond float64 in bandwidth units: exact halved differences of the raw data, never inf - inf
            Xs, Ys = X, Y

            def k(u, v):
                with np.errstate(over="ignore"):
                    return np.exp(-0.5 * np.sum(((0.5 * u - 0.5 * v) * (2.0 * scale)) ** 2, axis=1))

        x1, x2, y1, y2 = Xs[0 : 2 * b : 2], Xs[1 : 2 * b : 2], Ys[0 : 2 * b : 2], Ys[1 : 2 * b : 2]
        value = float(np.mean(k(x1, x2) + k(y1, y2) - k(x1, y2) - k(x2, y1)))
    else:
        value = _mmd2_unbiased(X, Y, 1.0 / scale, block_size, centre=centre)
    return check_finite_result(value, what="MMD^2", fix="rescale the data or choose another bandwidth")


@dataclass(frozen=True)
class MMDTestResult:
    """Permutation test of :math:`H_0: P = Q` with the unbiased MMD² statistic (small p = different)."""

    statistic: float
    p_value: float
    n_permutations: int
    bandwidth: float

    def to_dict(self) -> dict:
        """The fields as a plain dict."""
        return asdict(self)

    def __repr__(self) -> str:
        return (
            f"MMDTestResult(statistic={self.statistic:.4g}, p_value={self.p_value:.4g}, "
            f"n_permutations={self.n_permutations}, bandwidth={self.bandwidth:.4g})"
        )


_DENSE_LIMIT = 6000  # pooled rows up to which the pooled kernel matrix is formed once


def _gram(Z: np.ndarray, h: float) -> np.ndarray:
    """The full kernel matrix of the pooled sample (diagonal 1), with the numerics of :func:`mmd2`."""
    S = _Sample(Z, np.median(Z[:2000], axis=0), h)
    core = S.left @ S.right.T
    np.minimum(core, 0.0, out=core)
    np.exp(core, out=core)
    if S.all_core:
        K = core
    else:
        K = np.empty((Z.shape[0], Z.shape[0]))
        K[np.ix_(S.core_idx, S.core_idx)] = core
        far = _direct_kernel(S.far, Z, h)
        K[S.far_idx, :] = far
        K[:, S.far_idx] = far.T
    np.fill_diagonal(K, 1.0)
    return K


def mmd_test(X, Y, *, n_permutations: int = 200, random_state=None, bandwidth="median") -> MMDTestResult:
    r"""Permutation two-sample test with the unbiased MMD² (Gaussian kernel) as statistic.

    .. math:: p = \frac{1 + \#\{b: T_b \ge T_{\rm obs}\}}{1 + B}

    where :math:`T_b` is the statistic after randomly reassigning the pooled rows to samples of sizes n and m.
    The p-value lies in :math:`(0, 1]`; small values are evidence that the distributions differ. The bandwidth
    is fixed once on the pooled sample (it is permutation invariant). Up to 6000 pooled rows the pooled kernel
    matrix is formed once and all permutations are evaluated with one matrix product; beyond that each
    permutation calls the blocked :func:`mmd2` (slow).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> res = mmd_test(rng.normal(size=(100, 2)), rng.normal(size=(100, 2)) + 1.0, random_state=0)
    >>> bool(res.p_value < 0.05)
    True
    """
    X, Y = as_matched_pair(X, Y, names=("X", "Y"), min_rows=2)
    n_permutations = check_int(n_permutations, name="n_permutations", low=1)
    rng = check_random_state(random_state)
    h = _bandwidth(bandwidth, X, Y)
    n, m = X.shape[0], Y.shape[0]
    Z = np.vstack([X, Y])
    N = n + m
    dense = N <= _DENSE_LIMIT
    check_memory(8.0 * N * (n_permutations + 1) * (2 if dense else 1) + (8.0 * N * N if dense else 0.0),
                 what=f"mmd_test with n_permutations={n_permutations} on {N} pooled rows",
                 fix="lower n_permutations (1,000 permutations resolve p-values down to 0.001)")
    labels = np.zeros((N, n_permutations + 1))
    labels[:n, 0] = 1.0
    for b in range(1, n_permutations + 1):
        labels[rng.permutation(N)[:n], b] = 1.0
    if dense:
        K = _gram(Z, h)
        KA = K @ labels
        total = float(K.sum())
        s_xx = np.einsum("ib,ib->b", labels, KA)
        s_xy = KA.sum(axis=0) - s_xx
        s_yy = total - s_xx - 2.0 * s_xy
        stats_ = (s_xx - n) / (n * (n - 1)) + (s_yy - m) / (m * (m - 1)) - 2.0 * s_xy / (n * m)
    else:
        stats_ = np.empty(n_permutations + 1)
        for b in range(n_permutations + 1):
            mask = labels[:, b] > 0
            stats_[b] = _mmd2_unbiased(Z[mask], Z[~mask], h)
    check_finite_result(stats_, what="the MMD^2 permutation statistics", fix="rescale the data or choose another "
                        "bandwidth")
    observed = float(stats_[0])
    exceed = int(np.sum(stats_[1:] >= observed - 1e-12 * max(1.0, abs(observed))))
    return MMDTestResult(
        statistic=observed, p_value=(1 + exceed) / (1 + n_permutations), n_permutations=int(n_permutations),
        bandwidth=h,
    )
