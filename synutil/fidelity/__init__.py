"""Fidelity: how far a synthetic sample is from a real one (toolkit layer).

=====================================  ================================================================
module                                 what it measures
=====================================  ================================================================
:mod:`synutil.fidelity.distances`      total variation, exact 1-D and sliced Wasserstein, the classifier
                                       two-sample AUC, the IPM over a finite class; ``METRIC_INFO``
:mod:`synutil.fidelity.mmd`            MMD² (unbiased, biased, linear), the permutation test, the
                                       median-heuristic bandwidth
:mod:`synutil.fidelity.classes`        task-relevant classes :math:`V` for least squares and the fidelity
                                       :math:`d_V` with the bias it bounds
=====================================  ================================================================

Every metric states its direction and range in its docstring and in :data:`METRIC_INFO`.
"""

from .classes import LeastSquaresFidelity, basis_residual_class, least_squares_fidelity, residual_moment_class
from .distances import (
    METRIC_INFO,
    C2STResult,
    IPMResult,
    classifier_two_sample_auc,
    ipm,
    sliced_wasserstein,
    total_variation,
    wasserstein_1d,
)
from .mmd import MMDTestResult, median_bandwidth, mmd2, mmd_test

__all__ = [
    "METRIC_INFO", "total_variation", "wasserstein_1d", "sliced_wasserstein", "mmd2", "mmd_test",
    "MMDTestResult", "median_bandwidth", "classifier_two_sample_auc", "C2STResult", "ipm", "IPMResult",
    "basis_residual_class", "residual_moment_class", "least_squares_fidelity", "LeastSquaresFidelity",
]
