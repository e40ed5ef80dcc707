"""synutil — utility theory of synthetic data, as a toolkit and as a lab.

Generalization utility and ranking consistency of models trained on synthetic data, fidelity and privacy
measures, one-call evaluation of a real table against a synthetic one; and, for the book "Utility Theory of
Synthetic Data" that states, proves and checks every result, the theorems' closed forms and a Monte Carlo lab.

The package has two layers.

**Toolkit** — what a practitioner imports to measure their own synthetic data:

============  ==========================================================================================
evaluate      one call on your own tables: utility per model, ranking, fidelity, privacy, an HTML report
              (the function; the machinery, report and CLI live in ``synutil.evaluation``)
utility       generalization utility with paired confidence intervals; TSTR / TRTR; replications needed
ranking       ranking consistency of models trained on synthetic data; Kendall's tau; tie classes
fidelity      TV, Wasserstein (exact 1-D, sliced), MMD and its test, classifier two-sample AUC, IPM,
              task-relevant classes for least squares
tables        schema of a mixed-type table, its encoding, per-column and pairwise fidelity
privacy       distance to the closest record against a holdout baseline; exact copies
inference     intervals for a mean or regression coefficients computed on synthetic data, corrected
ensemble      the risk of models averaged over K synthetic sets: A + S / K
benchmark     generators x learners: the TSTR risk of every pair, with the TRTR baseline
generators    generators with fit/sample (tabular copula and CART, parametric, KDE, mixture, DP histogram,
              VAE) and wrappers that turn one fidelity knob each
datasets      scikit-learn's digits, MNIST from a local file
plotting      log-log slope fits with CIs and shared figures
============  ==========================================================================================

**Lab** — what the book's experiments are built from (never imported by the toolkit):

============  ==========================================================================================
bounds        the closed forms and bounds of the book's theorems (``synutil.bounds.regression``,
              ``.rates``, ``.ranking``, ``.quadrature``, ``.gaussian``)
sim           laws with known truth, batched least squares and k-NN, learner families, self-consuming
              loops, the seeded replication runner (joblib or Dask), torch models
============  ==========================================================================================

torch is imported only by ``synutil.sim.torch_models`` and ``synutil.generators.vae``; import those modules
explicitly. The old flat module names (``synutil.experiments``, ``synutil.simulate``, ...) still import, with
a ``DeprecationWarning`` naming the new place (see ``synutil._compat``).
"""

import importlib as _importlib
import sys as _sys

from . import (
    _compat,
    benchmark,
    datasets,
    ensemble,
    evaluation,
    fidelity,
    generators,
    inference,
    plotting,
    privacy,
    ranking,
    tables,
    utility,
)
from .evaluation import EvaluationResult
from .evaluation import evaluate as evaluate
from .fidelity import (
    classifier_two_sample_auc,
    ipm,
    mmd2,
    mmd_test,
    sliced_wasserstein,
    total_variation,
    wasserstein_1d,
)
from .ranking import generalization_gap, kendall_tau, ranking_consistency
from .utility import generalization_utility, required_replications, tstr_trtr

__version__ = "0.1.0"

# Old module paths keep importing (``synutil/_compat.py``). ``synutil.evaluate`` is the function; the module
# that used to carry that name is registered eagerly, because importing it lazily would make the import
# system overwrite the attribute ``synutil.evaluate`` with the module.
_compat.install()
_sys.modules.setdefault(__name__ + ".evaluate", evaluation.core)

_LAZY = {"bounds": "synutil.bounds", "sim": "synutil.sim"}


def __getattr__(name):
    """``synutil.bounds``, ``synutil.sim`` and the old module names, imported on first use."""
    target = _LAZY.get(name) or (f"{__name__}.{name}" if f"{__name__}.{name}" in _compat.MOVED else None)
    if target is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return _importlib.import_module(target)


__all__ = [
    "evaluate",
    "EvaluationResult",
    "evaluation",
    "benchmark",
    "ensemble",
    "inference",
    "privacy",
    "tables",
    "datasets",
    "fidelity",
    "generators",
    "plotting",
    "ranking",
    "utility",
    "bounds",
    "sim",
    "generalization_utility",
    "tstr_trtr",
    "required_replications",
    "kendall_tau",
    "generalization_gap",
    "ranking_consistency",
    "total_variation",
    "wasserstein_1d",
    "sliced_wasserstein",
    "mmd2",
    "mmd_test",
    "classifier_two_sample_auc",
    "ipm",
]
