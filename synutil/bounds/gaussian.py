r"""Population values of the fidelity metrics between Gaussian laws (the lab layer's calibration points).

For a real law :math:`N(0,I_p)` and a synthetic law shifted by a vector :math:`v` of norm :math:`s=\lVert v\rVert`,
every fidelity metric of :mod:`synutil.fidelity` has a closed form. The book's fidelity chapter and the toolkit
chapter check the estimators against them; a reader can use them the same way, to see what value an estimator
should return on data whose answer is known.

==============================================  ===============================================================
function                                        population value
==============================================  ===============================================================
:func:`gaussian_shift_total_variation`          total variation :math:`2\Phi(s/2)-1`
:func:`gaussian_wasserstein_1d`                 :math:`W_1` and :math:`W_2` between :math:`N(0,1)` and
                                                :math:`N(s,\omega^2)`; :math:`\lvert s\rvert` for a pure shift
:func:`gaussian_shift_sliced_wasserstein`       sliced :math:`W_p` of an exact shift, directions uniform on
                                                the sphere (:math:`s/\sqrt p` for :math:`W_2`)
:func:`gaussian_shift_mmd2`                     :math:`\mathrm{MMD}^2` with the Gaussian kernel of bandwidth
                                                :math:`\beta`
:func:`gaussian_expected_kernel`                :math:`\mathbb E\,k(X,X')` for :math:`X,X'\sim N(0,I_p)`
                                                independent
:func:`gaussian_shift_c2st_auc`                 AUC of the best (monotone) score, :math:`\Phi(s/\sqrt2)`
:func:`folded_normal_mean`                      :math:`\mathbb E\lvert N(\mu,\varsigma^2)\rvert`
==============================================  ===============================================================

Every function broadcasts over its array arguments (``shift``, and ``mean`` and ``sd`` of
:func:`folded_normal_mean`): a scalar gives a ``float``, an array an array of the same shape. Options are
keyword-only. These are standard Gaussian integrals, not results of the book; the fidelity chapter derives them.
"""

from __future__ import annotations

import numpy as np
from scipy import special, stats

from .._validation import as_numbers, check_float, check_int

__all__ = [
    "gaussian_shift_total_variation",
    "gaussian_wasserstein_1d",
    "gaussian_shift_sliced_wasserstein",
    "gaussian_shift_mmd2",
    "gaussian_expected_kernel",
    "gaussian_shift_c2st_auc",
    "folded_normal_mean",
]


def _out(array: np.ndarray):
    return float(array) if np.ndim(array) == 0 else array


def _shift(shift) -> np.ndarray:
    return np.abs(as_numbers(shift, name="shift"))


def gaussian_shift_total_variation(shift):
    r"""Total variation distance between :math:`N(0,I_p)` and :math:`N(v,I_p)`, with :math:`s=\lVert v\rVert`.

    .. math:: \mathrm{TV}=\sup_A\lvert P(A)-Q(A)\rvert=2\,\Phi\!\Big(\frac{s}{2}\Big)-1 .

    The likelihood ratio is monotone along :math:`v`, so the supremum is attained by the half-space
    :math:`\{v^\top x<s^2/2\}`; the value does not depend on the dimension.

    Parameters
    ----------
    shift : float or array-like
        The size :math:`s` of the shift (its sign does not matter).

    Returns
    -------
    float or ndarray
        Values in :math:`[0,1)`; lower means closer laws.

    Examples
    --------
    >>> round(gaussian_shift_total_variation(0.5), 6)
    0.197413
    >>> gaussian_shift_total_variation([0.0, 2.0]).round(4).tolist()
    [0.0, 0.6827]
    """
    s = _shift(shift)
    return _out(2.0 * stats.norm.cdf(s / 2.0) - 1.0)


def folded_normal_mean(mean, sd):
    r"""Mean of the folded normal law, :math:`\mathbb E\lvert Z\rvert` for :math:`Z\sim N(\mu,\varsigma^2)`.

    .. math:: \mathbb E\lvert Z\rvert=\mu\big(1-2\Phi(-\mu/\varsigma)\big)+2\varsigma\,\varphi(\mu/\varsigma),

    and :math:`\lvert\mu\rvert` when :math:`\varsigma=0`. The fidelity chapter uses it for the expected binned total
    variation (one folded normal per cell) and for :math:`W_1` between :math:`N(0,1)` and :math:`N(s,\omega^2)`.

    Parameters
    ----------
    mean : float or array-like
        The mean :math:`\mu`.
    sd : float or array-like
        The standard deviation :math:`\varsigma\ge0`; broadcast against ``mean``.

    Returns
    -------
    float or ndarray
        :math:`\mathbb E\lvert Z\rvert\ge\lvert\mu\rvert`.

    Examples
    --------
    >>> round(folded_normal_mean(0.0, 1.0), 6)  # sqrt(2 / pi)
    0.797885
    >>> folded_normal_mean([0.5, -0.5], [0.0, 0.0]).tolist()
    [0.5, 0.5]
    """
    mu = as_numbers(mean, name="mean")
    sd = as_numbers(sd, name="sd", low=0)
    mu, sd = np.broadcast_arrays(mu, sd)
    positive = sd > 0
    ratio = np.divide(mu, sd, out=np.zeros_like(mu), where=positive)
    folded = mu * (1.0 - 2.0 * stats.norm.cdf(-ratio)) + 2.0 * sd * stats.norm.pdf(ratio)
    return _out(np.where(positive, folded, np.abs(mu)))


def gaussian_wasserstein_1d(shift, *, scale: float = 1.0, order: int = 1):
    r"""Wasserstein distance between :math:`N(0,1)` and :math:`N(s,\omega^2)` on the line.

    The quantile coupling is optimal in one dimension and moves :math:`z` to :math:`s+\omega z`, so

    .. math:: W_1=\mathbb E\,\lvert s+(\omega-1)Z\rvert,\qquad W_2=\sqrt{s^2+(\omega-1)^2},
              \qquad Z\sim N(0,1),

    a folded-normal mean (:func:`folded_normal_mean`) for :math:`W_1`. For a pure shift
    (:math:`\omega=1`) both are :math:`\lvert s\rvert`.

    Parameters
    ----------
    shift : float or array-like
        The location :math:`s` of the synthetic law.
    scale : float, default 1.0
        Its standard deviation :math:`\omega>0`.
    order : {1, 2}
        The order :math:`p` of :math:`W_p`.

    Returns
    -------
    float or ndarray
        :math:`W_p\ge0`, in the units of the data; lower means closer laws.

    Examples
    --------
    >>> gaussian_wasserstein_1d(-0.5)
    0.5
    >>> round(gaussian_wasserstein_1d(0.5, scale=1.5, order=2), 6)  # sqrt(0.5^2 + 0.5^2)
    0.707107
    """
    s = as_numbers(shift, name="shift")
    scale = check_float(scale, name="scale", low=0, low_open=True)
    order = check_int(order, name="order", low=1, high=2)
    if order == 2:
        return _out(np.sqrt(s**2 + (scale - 1.0) ** 2))
    return folded_normal_mean(s, abs(scale - 1.0))


def gaussian_shift_sliced_wasserstein(shift, *, dimension: int, order: float = 2):
    r"""Sliced Wasserstein distance of an exact shift in :math:`\mathbb R^p`, directions uniform on the sphere.

    Every projection :math:`u^\top X` of :math:`N(0,I_p)` against :math:`N(v,I_p)` is a pure shift by
    :math:`u^\top v`, at distance :math:`\lvert u^\top v\rvert` in every order, so with :math:`s=\lVert v\rVert` and
    :math:`u_1^2\sim\mathrm{Beta}(\tfrac12,\tfrac{p-1}2)`

    .. math:: SW_r=\big(\mathbb E_u\lvert u^\top v\rvert^r\big)^{1/r}
              =s\,\Big(\frac{\Gamma(\frac{r+1}2)\,\Gamma(\frac p2)}{\sqrt\pi\,\Gamma(\frac{p+r}2)}\Big)^{1/r},

    which is :math:`s/\sqrt p` for :math:`r=2`, and :math:`s/2` for :math:`r=1` in :math:`p=3` dimensions. The same
    holds for any pair of laws that differ by a translation :math:`v`.

    Parameters
    ----------
    shift : float or array-like
        The norm :math:`s=\lVert v\rVert` of the shift (its sign does not matter).
    dimension : int
        The dimension :math:`p\ge1`.
    order : float, default 2
        The order :math:`r\ge1` of the sliced distance.

    Returns
    -------
    float or ndarray
        :math:`SW_r\ge0`, in the units of the data; lower means closer laws.

    Examples
    --------
    >>> round(gaussian_shift_sliced_wasserstein(2.0, dimension=3), 6)  # 2 / sqrt(3)
    1.154701
    >>> round(gaussian_shift_sliced_wasserstein(2.0, dimension=3, order=1), 6)
    1.0
    """
    s = _shift(shift)
    p = check_int(dimension, name="dimension", low=1)
    r = check_float(order, name="order", low=1)
    log_moment = (special.gammaln((r + 1) / 2) + special.gammaln(p / 2)
                  - 0.5 * np.log(np.pi) - special.gammaln((p + r) / 2))
    return _out(s * np.exp(log_moment / r))


def gaussian_expected_kernel(*, bandwidth: float, dimension: int = 1) -> float:
    r"""Expected Gaussian kernel between two independent rows of :math:`N(0,I_p)`.

    .. math:: \mathbb E\,k(X,X')=\Big(\frac{\beta^2}{\beta^2+2}\Big)^{p/2},\qquad
              k(x,y)=e^{-\lVert x-y\rVert^2/(2\beta^2)},

    since :math:`X-X'\sim N(0,2I_p)`. It is the within-sample term of :func:`gaussian_shift_mmd2`, and
    :math:`1-\mathbb E\,k(X,X')` is what each diagonal term :math:`k(x_i,x_i)=1` adds to a biased MMD estimate.

    Parameters
    ----------
    bandwidth : float
        The kernel bandwidth :math:`\beta>0`.
    dimension : int, default 1
        The dimension :math:`p\ge1`.

    Returns
    -------
    float
        A value in :math:`(0,1)`.

    Examples
    --------
    >>> round(gaussian_expected_kernel(bandwidth=1.0, dimension=2), 6)  # 1/3
    0.333333
    """
    beta = check_float(bandwidth, name="bandwidth", low=0, low_open=True)
    p = check_int(dimension, name="dimension", low=1)
    return float((beta**2 / (beta**2 + 2.0)) ** (p / 2.0))


def gaussian_shift_mmd2(shift, *, bandwidth: float, dimension: int = 1):
    r"""Population MMD² between :math:`N(0,I_p)` and :math:`N(v,I_p)` with the Gaussian kernel of bandwidth :math:`\beta`.

    A difference of two rows is :math:`N(\nu,2I_p)` with :math:`\nu\in\{0,\pm v\}`, and
    :math:`\mathbb E\,e^{-\lVert Z\rVert^2/(2\beta^2)}=c_\beta\,e^{-\lVert\nu\rVert^2/(2(\beta^2+2))}` for
    :math:`Z\sim N(\nu,2I_p)`, with :math:`c_\beta` from :func:`gaussian_expected_kernel`. Hence, with :math:`s=\lVert v\rVert`,

    .. math:: \mathrm{MMD}^2=2\Big(\frac{\beta^2}{\beta^2+2}\Big)^{p/2}
              \Big(1-e^{-s^2/(2(\beta^2+2))}\Big).

    It is what :func:`synutil.fidelity.mmd2` (unbiased or linear time) estimates with ``bandwidth=beta``.

    Parameters
    ----------
    shift : float or array-like
        The norm :math:`s=\lVert v\rVert` of the shift (its sign does not matter).
    bandwidth : float
        The kernel bandwidth :math:`\beta>0`.
    dimension : int, default 1
        The dimension :math:`p\ge1`.

    Returns
    -------
    float or ndarray
        Values in :math:`[0,2)`; lower means closer laws.

    Examples
    --------
    >>> round(gaussian_shift_mmd2(2.0, bandwidth=1.0, dimension=2), 6)  # 2/3 (1 - exp(-4/6))
    0.324389
    """
    s = _shift(shift)
    beta = check_float(bandwidth, name="bandwidth", low=0, low_open=True)
    c_beta = gaussian_expected_kernel(bandwidth=beta, dimension=dimension)
    return _out(2.0 * c_beta * (1.0 - np.exp(-(s**2) / (2.0 * (beta**2 + 2.0)))))


def gaussian_shift_c2st_auc(shift):
    r"""AUC of the best classifier score between :math:`N(0,I_p)` (real) and :math:`N(v,I_p)` (synthetic).

    The likelihood ratio is monotone in :math:`v^\top x`, so the best score is (a monotone function of)
    :math:`v^\top x`, and its AUC is :math:`P(v^\top(Y-X)>0)` with :math:`v^\top(Y-X)\sim N(s^2,2s^2)`:

    .. math:: \mathrm{AUC}=\Phi\!\Big(\frac{s}{\sqrt2}\Big),\qquad s=\lVert v\rVert .

    A classifier two-sample test (:func:`synutil.fidelity.classifier_two_sample_auc`) whose classifier learns a
    monotone score of the right direction (a logistic regression, for a mean shift) estimates it.

    Parameters
    ----------
    shift : float or array-like
        The norm :math:`s` of the shift (its sign does not matter).

    Returns
    -------
    float or ndarray
        Values in :math:`[0.5,1)`; 0.5 means indistinguishable laws.

    Examples
    --------
    >>> round(gaussian_shift_c2st_auc(1.0), 6)
    0.76025
    """
    s = _shift(shift)
    return _out(stats.norm.cdf(s / np.sqrt(2.0)))
