"""Evaluate your own synthetic table in one call (toolkit layer).

==============================  ======================================================================
module                          contents
==============================  ======================================================================
:mod:`synutil.evaluation.core`  :func:`evaluate`: utility per model with paired intervals, ranking
                                consistency, fidelity, privacy; the two replication schemes
:mod:`synutil.evaluation.losses`  losses named by scikit-learn scorer names, direction checked
:mod:`synutil.evaluation.models`  the default model zoo; generators and models resolved and seeded
:mod:`synutil.evaluation.result`  :class:`EvaluationResult` and its tables
:mod:`synutil.evaluation.report`  the self-contained HTML report
:mod:`synutil.evaluation.cli`   ``synutil evaluate real.csv synthetic.csv --test ... --target ...``
==============================  ======================================================================

``synutil.evaluate`` is the function :func:`synutil.evaluation.core.evaluate`.
"""

from .core import evaluate
from .models import default_models
from .result import EvaluationResult, FidelitySummary, ModelUtility

__all__ = ["evaluate", "default_models", "EvaluationResult", "FidelitySummary", "ModelUtility"]
