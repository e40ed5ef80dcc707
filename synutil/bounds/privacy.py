r"""The utility cost of a differentially private histogram generator, in closed form (lab layer).

For the generator :class:`synutil.generators.DPHistogramGenerator` (Laplace noise on the (cell, label) counts;
see its module for the mechanism), the plug-in classifier :math:`\mathbb 1\{\tilde\eta\ge1/2\}` trained on
its rows has an exactly computable utility (the book's privacy chapter): the flip probability of each cell over
the real sample and the mechanism (:func:`dp_histogram_flip_probability`), the expected excess 0-1 risk
(:func:`dp_histogram_excess_risk`) of a law seen through bins (:func:`binned_classification_law`), the margin
scale :math:`\zeta` (:func:`dp_margin_scale`), and the low-noise limit, constant and bound
(:func:`dp_low_noise_excess`, :func:`dp_low_noise_constant`, :func:`dp_low_noise_bound`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import fft as sp_fft
from scipy.special import gamma as gamma_function
from scipy.special import gammainc, gammaincc

from .._validation import InputTypeError, as_float_array, as_numbers, check_float, check_int, check_memory
from ..generators.dp_histogram import (
    _check_epsilon,
    _check_positive_number,
    _laplace_sf,
    histogram_sensitivity,
)
from ..generators._base import _describe

__all__ = [
    "BinnedLaw",
    "binned_classification_law",
    "dp_histogram_excess_risk",
    "dp_histogram_flip_probability",
    "dp_low_noise_bound",
    "dp_low_noise_constant",
    "dp_low_noise_excess",
    "dp_margin_scale",
]


@dataclass(frozen=True)
class BinnedLaw:
    """A binary classification law seen through 1-D bins (see :func:`binned_classification_law`).

    ``cell_probs[c, y]`` is :math:`P(X\\in\\mathcal X_c, Y=y)`, ``margin_weights[c]`` is
    :math:`\\mathbb E[|2\\eta(X)-1|\\,\\mathbb 1\\{X\\in\\mathcal X_c\\}]`, ``bayes_labels[c]`` the Bayes decision
    on the bin, ``quadrature_error`` the largest change of any entry when the number of nodes is halved.
    """

    edges: np.ndarray
    cell_probs: np.ndarray
    margin_weights: np.ndarray
    bayes_labels: np.ndarray
    quadrature_error: float


def _gauss_bins(eta, density, edges, k):
    t, v = np.polynomial.legendre.leggauss(k)
    mid, half = (edges[1:] + edges[:-1]) / 2, (edges[1:] - edges[:-1]) / 2
    x = mid[:, None] + half[:, None] * t[None, :]
    e = _values_at_nodes(eta, x.reshape(-1, 1), "eta", x.shape)
    if np.any((e < 0) | (e > 1)):
        raise ValueError(f"eta must return probabilities in [0, 1], got values in [{e.min():.3g}, {e.max():.3g}] "
                         "on the bins; eta(x) is P(Y = 1 | X = x).")
    g = _values_at_nodes(density, x.reshape(-1), "density", x.shape)
    if np.any(g < 0):
        raise ValueError(f"density must be non-negative, got values down to {g.min():.3g} on the bins.")
    g = g * half[:, None] * v[None, :]
    return np.sum(g, axis=1), np.sum(g * e, axis=1), np.sum(g * np.abs(2 * e - 1), axis=1), e


def _values_at_nodes(function, points, name, shape):
    raw = function(points)
    try:
        if np.iscomplexobj(raw):
            raise TypeError
        values = np.asarray(raw, dtype=float)
    except (TypeError, ValueError):
        raise InputTypeError(f"{name} must return real numbers, got {_describe(raw)}.") from None
    if values.size != math.prod(shape):
        raise ValueError(f"{name} must return one value per point ({len(points)} points), got shape {values.shape}.")
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{name} returned NaN or infinite values on the bins; it must be finite there.")
    return values.reshape(shape)


def binned_classification_law(eta, edges, *, density=None, quad_points=64) -> BinnedLaw:
    r"""Cell probabilities, margin weights and Bayes decisions of a 1-D law on given bins (Gauss--Legendre).

    .. math:: P(X\in\mathcal X_c,Y=1)=\int_{\mathcal X_c}\eta\,g,\qquad
              w_c=\int_{\mathcal X_c}|2\eta-1|\,g

    Parameters
    ----------
    eta : callable
        Maps features of shape ``(k, 1)`` to :math:`\eta` values ``(k,)`` (as the models of
        :mod:`synutil.sim.laws`).
    edges : array-like
        Increasing bin edges :math:`e_0<\dots<e_I`.
    density : callable, optional
        The feature density :math:`g` on 1-D points; uniform on :math:`[e_0,e_I]` by default.
    quad_points : int
        Gauss--Legendre nodes per bin (at least 4; the error estimate halves it).

    Raises a ValueError when the Bayes decision changes inside a bin (put a bin edge at the boundary).

    Examples
    --------
    >>> law = binned_classification_law(lambda x: (1 + x[:, 0]) / 2, [-1, 0, 1])
    >>> np.round(law.cell_probs, 6).tolist(), np.round(law.margin_weights, 6).tolist(), law.bayes_labels.tolist()
    ([[0.375, 0.125], [0.125, 0.375]], [0.25, 0.25], [0, 1])
    """
    if not callable(eta):
        raise InputTypeError(f"eta must be a callable mapping features (k, 1) to values (k,), got {_describe(eta)}.")
    if density is not None and not callable(density):
        raise InputTypeError(f"density must be None or a callable of 1-D points, got {_describe(density)}.")
    edges = as_float_array(edges, name="edges", ndim=1, min_rows=2)
    if np.any(np.diff(edges) <= 0):
        raise ValueError("edges must be strictly increasing.")
    quad_points = check_int(quad_points, name="quad_points", low=4)
    check_memory(8.0 * 8 * len(edges) * quad_points, what=f"the quadrature nodes ({quad_points} per bin)",
                 fix="lower quad_points (64 is plenty for smooth eta and density)")
    if density is None:
        width = edges[-1] - edges[0]

        def density(x):
            return np.full(np.shape(x), 1.0 / width)

    prob, q1, w, e = _gauss_bins(eta, density, edges, int(quad_points))
    prob_h, q1_h, w_h, _ = _gauss_bins(eta, density, edges, int(quad_points) // 2)
    side = e >= 0.5
    mixed = np.any(side, axis=1) & ~np.all(side, axis=1)
    if mixed.any():
        raise ValueError(f"the Bayes decision changes inside bin(s) {np.flatnonzero(mixed)[:5].tolist()}; "
                         "put a bin edge at the decision boundary.")
    cell_probs = np.column_stack([prob - q1, q1])
    error = float(max(np.max(np.abs(prob - prob_h)), np.max(np.abs(q1 - q1_h)), np.max(np.abs(w - w_h))))
    return BinnedLaw(edges=edges, cell_probs=cell_probs, margin_weights=w,
                     bayes_labels=side[:, 0].astype(int), quadrature_error=error)


def _window(q0, q1, n, width_sd=9.0):
    """FFT size for the law of n_1 - n_0: the mean's cell +- width_sd standard deviations (aliasing < 1e-17)."""
    var = n * (q0 + q1) - n * (q1 - q0) ** 2
    half = int(np.ceil(width_sd * np.sqrt(max(float(var.max()), 0.0)) + 10))
    return sp_fft.next_fast_len(2 * half + 1)


def _difference_law(q0, q1, n, size):
    """Exact law of Z = n_1 - n_0 for the multinomial counts of each cell, on a window around the mean (FFT).

    The characteristic function is (r + q_1 e^{it} + q_0 e^{-it})^n with r = 1 - q_0 - q_1; it is computed in
    polar form, with log1p for the modulus, and only where the modulus exceeds e^{-700} (elsewhere it is 0 to
    double precision).
    """
    center = np.rint(n * (q1 - q0))
    t = 2 * np.pi * np.fft.fftfreq(size)
    occupied, half_angle = (q0 + q1)[:, None], 2.0 * np.sin(t / 2)[None, :] ** 2     # 1 - cos t, without cancellation
    re = 1.0 - occupied * half_angle
    im = (q1 - q0)[:, None] * np.sin(t)[None, :]
    # |z|^2 - 1 in closed form, so that n log|z| keeps its precision when n is large
    log_mod = 0.5 * n * np.log1p(-2.0 * occupied * half_angle + (occupied * half_angle) ** 2 + im ** 2)
    keep = log_mod > -700.0
    phase = n * np.arctan2(im[keep], re[keep]) - (t[None, :] * center[:, None])[keep]
    psi = np.zeros(re.shape, dtype=complex)
    psi[keep] = np.exp(log_mod[keep] + 1j * phase)
    law = np.clip(np.real(sp_fft.fft(psi, axis=1)) / size, 0.0, None)
    offsets = np.rint(np.fft.fftfreq(size) * size)
    return center[:, None] + offsets[None, :], law


def dp_histogram_flip_probability(cell_probs, bayes_labels, *, n, epsilon, neighbouring="replace-one",
                                  method="exact") -> np.ndarray:
    r"""Probability that the released plug-in decision of each cell differs from the Bayes decision.

    .. math:: \pi_c=\mathbb E\,\Psi\Big(\sigma_c\,(n_{c,1}-n_{c,0})\,\frac{\epsilon}{\mathrm{GS}_1}\Big),
              \qquad \sigma_c=2h^*_c-1,

    with :math:`\Psi` the standard :func:`laplace_difference_sf` and the expectation over the multinomial
    counts of ``n`` real rows (computed exactly, by the FFT of the probability generating function of
    :math:`n_{c,1}-n_{c,0}`). With ``method="mean"`` the counts are replaced by their expectations (the
    privacy noise alone). ``epsilon=np.inf`` gives the noise-free histogram, whose decision
    :math:`\mathbb 1\{n_{c,1}\ge n_{c,0}\}` breaks ties towards 1.

    Parameters
    ----------
    cell_probs : array ``(I, 2)``
        :math:`P(X\in\mathcal X_c,Y=y)`.
    bayes_labels : array ``(I,)``
        The Bayes decision :math:`h^*_c\in\{0,1\}` of each cell (constant on the cell).
    n : int
        Number of real rows.
    epsilon : float or 1-D array
        Privacy budgets; the result has one row per budget when an array is given.

    Examples
    --------
    >>> probs = np.array([[0.3, 0.2], [0.2, 0.3]])    # cell 0: P(n_1 >= n_0); cell 1: P(n_1 < n_0)
    >>> np.round(dp_histogram_flip_probability(probs, [0, 1], n=100, epsilon=np.inf), 4).tolist()
    [0.0876, 0.0671]
    """
    cell_probs = as_float_array(cell_probs, name="cell_probs", ndim=2)
    if cell_probs.shape[1] != 2 or np.any(cell_probs < 0) or cell_probs.sum() > 1 + 1e-9:
        raise ValueError("cell_probs must be (I, 2) non-negative probabilities with total at most 1.")
    labels = np.asarray(bayes_labels)
    if labels.dtype.kind not in "biuf" or labels.shape != (len(cell_probs),) or not np.all(np.isin(labels, [0, 1])):
        raise ValueError(f"bayes_labels must be {len(cell_probs)} labels in {{0, 1}}.")
    n = check_int(n, name="n", low=1)
    if not isinstance(method, str) or method not in ("exact", "mean"):
        raise ValueError(f"method must be 'exact' or 'mean', got {method!r}.")
    eps = _check_epsilon(epsilon, allow_inf=True)
    sens = histogram_sensitivity(neighbouring=neighbouring)
    sign = 2.0 * labels - 1.0
    q0, q1 = cell_probs[:, 0], cell_probs[:, 1]
    out = np.empty((eps.size, len(cell_probs)))
    if method == "mean":
        z = sign * int(n) * (q1 - q0)
        for i, e in enumerate(eps.reshape(-1)):
            out[i] = (z < 0) | ((z == 0) & (labels == 0)) if np.isinf(e) else _laplace_sf(z * e / sens)
    else:
        size = _window(q0, q1, int(n))
        check_memory(8.0 * 12 * size * min(len(cell_probs), max(1, 2_000_000 // size)),
                     what=f"the exact law of the counts of n={n} rows", fix="pass method='mean', or a smaller n")
        chunk = max(1, 2_000_000 // size)
        for start in range(0, len(cell_probs), chunk):
            sl = slice(start, start + chunk)
            values, law = _difference_law(q0[sl], q1[sl], int(n), size)
            z = (sign[sl, None] * values).astype(np.int64)
            z_min, z_max = int(z.min()), int(z.max())
            use_table = z_max - z_min < 4 * z.size      # Psi on the integer range once, then gathered
            for i, e in enumerate(eps.reshape(-1)):
                if np.isinf(e):
                    wrong = (z < 0) | ((values == 0) & (labels[sl, None] == 0))
                    out[i, sl] = np.sum(law * wrong, axis=1)
                elif use_table:
                    table = _laplace_sf(np.arange(z_min, z_max + 1) * (e / sens))
                    out[i, sl] = np.sum(law * table[z - z_min], axis=1)
                else:
                    out[i, sl] = np.sum(law * _laplace_sf(z * (e / sens)), axis=1)
    return out[0] if eps.ndim == 0 else out


def dp_histogram_excess_risk(law: BinnedLaw, *, n, epsilon, neighbouring="replace-one", method="exact"):
    r"""Expected excess 0-1 risk of the plug-in classifier of the DP histogram: :math:`\sum_c w_c\pi_c`.

    .. math:: \mathbb E\,R(\mathbb 1\{\tilde\eta\ge1/2\})-R(h^*)=\sum_c w_c\,\pi_c,\qquad
              w_c=\mathbb E\big[|2\eta(X)-1|\,\mathbb 1\{X\in\mathcal X_c\}\big]

    ``law`` comes from :func:`binned_classification_law`; ``pi_c`` from :func:`dp_histogram_flip_probability`.

    Examples
    --------
    >>> law = binned_classification_law(lambda x: (1 + x[:, 0]) / 2, np.linspace(-1, 1, 5))
    >>> round(float(dp_histogram_excess_risk(law, n=400, epsilon=np.inf)), 6)
    0.000728
    """
    if not isinstance(law, BinnedLaw):
        raise InputTypeError(f"law must be a BinnedLaw from binned_classification_law, got {_describe(law)}.")
    flips = dp_histogram_flip_probability(law.cell_probs, law.bayes_labels, n=n, epsilon=epsilon,
                                          neighbouring=neighbouring, method=method)
    return flips @ law.margin_weights


def dp_margin_scale(n_per_bin, epsilon, *, neighbouring="replace-one"):
    r"""The scale :math:`\zeta` of the privacy error of :math:`\tilde\eta` near :math:`1/2`, in a bin of
    :math:`\bar n` rows.

    .. math:: \zeta=\frac{\mathrm{GS}_1}{2\bar n\epsilon}\quad(=1/(\bar n\epsilon)\ \text{for replace-one})

    Examples
    --------
    >>> float(dp_margin_scale(1e5, 2e-3))
    0.005
    """
    eps = _check_epsilon(epsilon)
    as_numbers(n_per_bin, name="n_per_bin", low=0.0, low_open=True)
    return histogram_sensitivity(neighbouring=neighbouring) / (2.0 * np.asarray(n_per_bin, dtype=float) * eps)


def _check_alpha(alpha):
    try:
        return check_float(alpha, name="alpha", low=0.0, low_open=True)
    except ValueError as error:
        raise type(error)(f"alpha must be a positive finite margin exponent, got {_describe(alpha)}.") from None


def dp_low_noise_constant(alpha) -> float:
    r"""The constant :math:`c_\alpha` of the privacy-dominated excess risk :math:`c_\alpha\zeta^{1+\alpha}` under the
    margin law :math:`P(|\eta-1/2|\le t)=(2t)^\alpha`.

    .. math:: c_\alpha=2\alpha2^\alpha\int_0^\infty u^\alpha\Psi(u)\,du=\alpha\,2^{\alpha-1}\,\Gamma(\alpha+1)\,(\alpha+3)

    Examples
    --------
    >>> dp_low_noise_constant(1.0), dp_low_noise_constant(2.0)
    (4.0, 40.0)
    """
    a = _check_alpha(alpha)
    return float(a * 2.0 ** (a - 1) * gamma_function(a + 1) * (a + 3))


def dp_low_noise_excess(zeta, *, alpha) -> np.ndarray:
    r"""The privacy-dominated excess risk :math:`\mathbb E[2M\,\Psi(M/\zeta)]`, :math:`M=|\eta(X)-1/2|`, under the
    margin law :math:`P(M\le t)=(2t)^\alpha` on :math:`[0,1/2]`.

    .. math:: \alpha2^\alpha\zeta^{1+\alpha}\Big[\gamma\big(\alpha+1,\tfrac1{2\zeta}\big)
              +\tfrac12\gamma\big(\alpha+2,\tfrac1{2\zeta}\big)\Big]\ \le\ c_\alpha\zeta^{1+\alpha}

    with :math:`\gamma` the lower incomplete gamma function; it tends to :math:`E M=\alpha/(2(1+\alpha))` as
    :math:`\zeta\to\infty` (every decision a coin flip).

    Examples
    --------
    >>> round(float(dp_low_noise_excess(0.01, alpha=1.0) / (4.0 * 0.01 ** 2)), 6)
    1.0
    """
    a = _check_alpha(alpha)
    zeta = as_numbers(zeta, name="zeta", low=0.0, low_open=True)
    T = 1.0 / (2.0 * zeta)
    lower = gammainc(a + 1, T) * gamma_function(a + 1) + 0.5 * gammainc(a + 2, T) * gamma_function(a + 2)
    return a * 2.0**a * zeta ** (1 + a) * lower


def dp_low_noise_bound(zeta, *, alpha, C) -> np.ndarray:
    r"""Upper bound :math:`\bar c_\alpha C\zeta^{1+\alpha}` on :math:`\mathbb E[2M\Psi(M/\zeta)]` under the margin
    condition :math:`P_X(0<M\le t)\le Ct^\alpha`.

    .. math:: \bar c_\alpha=\tfrac12\big[\Gamma(\alpha+3,\sqrt2)-2\,\Gamma(\alpha+1,\sqrt2)\big]
              =2\int_{\sqrt2}^\infty u^\alpha\,\big|\tfrac{d}{du}\,u\Psi(u)\big|\,du

    with :math:`\Gamma(\cdot,\cdot)` the upper incomplete gamma function.

    Examples
    --------
    >>> round(float(dp_low_noise_bound(1.0, alpha=1.0, C=1.0)), 3)
    2.247
    """
    a = _check_alpha(alpha)
    _check_positive_number(C, "C")
    zeta = as_numbers(zeta, name="zeta", low=0.0)
    r2 = np.sqrt(2.0)
    const = 0.5 * (gammaincc(a + 3, r2) * gamma_function(a + 3) - 2 * gammaincc(a + 1, r2) * gamma_function(a + 1))
    return const * C * zeta ** (1 + a)
