r"""The closed forms and bounds of the book's theorems, in one namespace.

=====================================  ==============================================================
function                               result of the book
=====================================  ==============================================================
:func:`theorem1_bound`                 Theorem 1: bound on the population bias :math:`B`
:func:`least_squares_population_bias`  Proposition 2: exact :math:`B` for least squares on a basis
:func:`least_squares_first_order`      Proposition 2: first-order finite-sample estimation terms
:func:`coverage_constant`              the coverage constant :math:`\kappa=\sup dP_X/d\tilde P_X`
:func:`knn_rate_exponent`              Theorem 3: the k-NN rate exponent :math:`-2/(2+p)`
:func:`low_noise_worst_case`           Theorem 4: the bound :math:`2Cd^{1+\alpha}`
:func:`low_noise_exact_excess`         Theorem 4: the exact excess risk of the worst-case flip
:func:`worst_case_flip`                Theorem 4: the flip :math:`\tilde\eta=\eta-d\,\mathrm{sign}(\eta-1/2)`
:func:`ranking_failure_bound`          Theorem 5: Chebyshev bound on a wrong ranking
:func:`ranking_margin_ratio`           Theorem 5: :math:`\max_k U_k/(\Delta_{\min}/2)`
:func:`label_noise_risk`               Theorem 6: :math:`\tilde R=\rho+(1-2\rho)R`
:func:`label_noise_inverse`            Theorem 6: the inverse map
:func:`label_noise_sample_factor`      Theorem 6: the sample price :math:`1/(1-2\rho)^2`
=====================================  ==============================================================

The implementations live in private modules grouped by topic; import them from here.
"""

from ._bounds_ranking import (
    label_noise_inverse,
    label_noise_risk,
    label_noise_sample_factor,
    ranking_failure_bound,
    ranking_margin_ratio,
)
from ._bounds_rates import knn_rate_exponent, low_noise_exact_excess, low_noise_worst_case, worst_case_flip
from ._bounds_regression import (
    FirstOrderTerms,
    LeastSquaresBias,
    coverage_constant,
    custom_basis,
    least_squares_first_order,
    least_squares_population_bias,
    polynomial_basis,
    quadrature_rule,
    theorem1_bound,
)

__all__ = [
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
    "low_noise_worst_case",
    "low_noise_exact_excess",
    "worst_case_flip",
    "ranking_margin_ratio",
    "ranking_failure_bound",
    "label_noise_risk",
    "label_noise_inverse",
    "label_noise_sample_factor",
]
