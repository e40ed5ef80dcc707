r"""The closed forms and bounds of the book's theorems, in one namespace.

The book numbers its results itself; they are named here by title (the book's label in brackets).

=====================================  ==================================================================
function                               result of the book
=====================================  ==================================================================
:func:`decomposition_bound`            three-term decomposition (``thm-decomposition-three-terms``):
                                       bound on the population bias :math:`B`; ``theorem1_bound`` is
                                       its former name
:func:`least_squares_population_bias`  exact bias of least squares (``prop-decomposition-exact-bias``)
:func:`least_squares_first_order`      first-order finite-sample estimation terms of least squares
:func:`coverage_constant`              the coverage constant :math:`\kappa=\sup dP_X/d\tilde P_X`
:func:`knn_rate_exponent`              rates of k-NN: the exponent :math:`-2/(2+p)`
:func:`knn_extrapolation_floor`        the same, under a coverage gap: the limit utility :math:`U_\infty`
:func:`low_noise_worst_case`           worst case under a low-noise condition: :math:`2Cd^{1+\alpha}`
:func:`low_noise_exact_excess`         the same: exact excess risk of the worst-case flip
:func:`worst_case_flip`                the same: the flip :math:`\tilde\eta=\eta-d\,\mathrm{sign}(\eta-1/2)`
:func:`ranking_failure_bound`          a generalization gap protects the ranking: Chebyshev bound
:func:`ranking_margin_ratio`           the same: :math:`\max_a U_a/(\Delta_{\min}/2)`
:func:`label_noise_risk`               symmetric label noise: :math:`\tilde R=\rho+(1-2\rho)R`
:func:`label_noise_inverse`            the same: the inverse map
:func:`label_noise_sample_factor`      the same: the sample price :math:`1/(1-2\rho)^2`
``dp_histogram_*``, ``dp_low_noise_*``   privacy costs utility: the exact excess risk of a DP histogram
                                       generator and its low-noise limit (:mod:`synutil.bounds.privacy`)
``gaussian_shift_*``, ...              fidelity metrics between :math:`N(0,I)` and a shifted copy in closed
                                       form (:mod:`synutil.bounds.gaussian`): TV, Wasserstein, sliced
                                       Wasserstein, MMD², the two-sample classifier's AUC
=====================================  ==================================================================

The implementations live in the modules of this subpackage, by topic: :mod:`synutil.bounds.regression`,
:mod:`synutil.bounds.rates`, :mod:`synutil.bounds.ranking`, :mod:`synutil.bounds.quadrature` (quadrature rules and
bases) and :mod:`synutil.bounds.gaussian` (distances between Gaussian laws). This is the lab layer: the book's
theorems in closed form. The toolkit a practitioner uses on data (:mod:`synutil.utility`, :mod:`synutil.ranking`,
:mod:`synutil.fidelity`, ...) never imports it.
"""

from .gaussian import (
    folded_normal_mean,
    gaussian_expected_kernel,
    gaussian_shift_c2st_auc,
    gaussian_shift_mmd2,
    gaussian_shift_sliced_wasserstein,
    gaussian_shift_total_variation,
    gaussian_wasserstein_1d,
)
from .privacy import (
    binned_classification_law,
    BinnedLaw,
    dp_histogram_excess_risk,
    dp_histogram_flip_probability,
    dp_low_noise_bound,
    dp_low_noise_constant,
    dp_low_noise_excess,
    dp_margin_scale,
)
from .ranking import (
    label_noise_inverse,
    label_noise_risk,
    label_noise_sample_factor,
    ranking_failure_bound,
    ranking_margin_ratio,
)
from .rates import knn_extrapolation_floor, knn_rate_exponent, low_noise_exact_excess, low_noise_worst_case, worst_case_flip
from .regression import (
    FirstOrderTerms,
    LeastSquaresBias,
    coverage_constant,
    decomposition_bound,
    custom_basis,
    least_squares_first_order,
    least_squares_population_bias,
    polynomial_basis,
    quadrature_rule,
    theorem1_bound,
)

__all__ = [
    "decomposition_bound",
    "theorem1_bound",
    "coverage_constant",
    "polynomial_basis",
    "custom_basis",
    "quadrature_rule",
    "LeastSquaresBias",
    "least_squares_population_bias",
    "FirstOrderTerms",
    "least_squares_first_order",
    "knn_rate_exponent",
    "knn_extrapolation_floor",
    "low_noise_worst_case",
    "low_noise_exact_excess",
    "worst_case_flip",
    "ranking_margin_ratio",
    "ranking_failure_bound",
    "label_noise_risk",
    "label_noise_inverse",
    "label_noise_sample_factor",
    "gaussian_shift_total_variation",
    "gaussian_wasserstein_1d",
    "gaussian_shift_sliced_wasserstein",
    "gaussian_expected_kernel",
    "gaussian_shift_mmd2",
    "gaussian_shift_c2st_auc",
    "folded_normal_mean",
    "BinnedLaw",
    "binned_classification_law",
    "dp_histogram_excess_risk",
    "dp_histogram_flip_probability",
    "dp_low_noise_bound",
    "dp_low_noise_constant",
    "dp_low_noise_excess",
    "dp_margin_scale",
]
