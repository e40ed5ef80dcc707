"""Synthetic-data generators with ``fit(X, y)`` / ``sample(n, random_state=...)``.

torch-based generators are imported lazily, so ``import synutil.generators`` never imports torch:
``synutil.generators.ConditionalVAE`` loads :mod:`synutil.generators.vae` (and torch) on first use.
"""

from ._base import BootstrapGenerator, GaussianGenerator, ModelGenerator, SyntheticGenerator
from .knobs import CoverageGap, FeatureLaw, FeatureShift, LabelNoise, ResponseError, flip_labels
from .dp_histogram import DPHistogramGenerator
from .kde import KDEGenerator, kde_bandwidth_factor
from .mixture import ClassConditionalGaussianMixture
from .parametric import ParametricRegressionGenerator
from .posterior import PosteriorGaussianGenerator
from ._tabular import TabularGenerator
from .cart import SequentialCARTGenerator
from .copula import GaussianCopulaGenerator

__all__ = [
    "SyntheticGenerator",
    "GaussianGenerator",
    "BootstrapGenerator",
    "ModelGenerator",
    "ClassConditionalGaussianMixture",
    "DPHistogramGenerator",
    "KDEGenerator",
    "kde_bandwidth_factor",
    "ParametricRegressionGenerator",
    "PosteriorGaussianGenerator",
    "TabularGenerator",
    "GaussianCopulaGenerator",
    "SequentialCARTGenerator",
    "ConditionalVAE",
    "FeatureShift",
    "FeatureLaw",
    "CoverageGap",
    "ResponseError",
    "LabelNoise",
    "flip_labels",
]


def __getattr__(name):
    if name == "ConditionalVAE":
        from .vae import ConditionalVAE

        return ConditionalVAE
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
