"""Synthetic-data generators with ``fit(X, y)`` / ``sample(n, random_state=...)``.

torch-based generators are imported lazily, so ``import synutil.generators`` never imports torch:
``synutil.generators.ConditionalVAE`` loads :mod:`synutil.generators.vae` (and torch) on first use.
"""

from ._base import BootstrapGenerator, GaussianGenerator, ModelGenerator, SyntheticGenerator
from .knobs import CoverageGap, FeatureLaw, FeatureShift, LabelNoise, ResponseError
from .mixture import ClassConditionalGaussianMixture

__all__ = [
    "SyntheticGenerator",
    "GaussianGenerator",
    "BootstrapGenerator",
    "ModelGenerator",
    "ClassConditionalGaussianMixture",
    "ConditionalVAE",
    "FeatureShift",
    "FeatureLaw",
    "CoverageGap",
    "ResponseError",
    "LabelNoise",
]


def __getattr__(name):
    if name == "ConditionalVAE":
        from .vae import ConditionalVAE

        return ConditionalVAE
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
