"""Synthetic-data generators with ``fit(X, y)`` / ``sample(n, random_state=...)``.

torch-based generators are imported lazily, so ``import synutil.generators`` never imports torch.
"""

from ._base import BootstrapGenerator, GaussianGenerator, ModelGenerator, SyntheticGenerator
from .knobs import CoverageGap, FeatureLaw, FeatureShift, LabelNoise, ResponseError

__all__ = [
    "SyntheticGenerator",
    "GaussianGenerator",
    "BootstrapGenerator",
    "ModelGenerator",
    "FeatureShift",
    "FeatureLaw",
    "CoverageGap",
    "ResponseError",
    "LabelNoise",
]
