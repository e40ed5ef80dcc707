"""synutil — utility theory of synthetic data, as a toolkit.

Generalization utility and ranking consistency of models trained on synthetic data, fidelity
measures, the closed forms of the book's theorems, generators with one fidelity knob each, and a
seeded replication runner. The book "Utility Theory of Synthetic Data" that ships with it states,
proves and checks every result these functions implement.

Modules
-------
evaluate     one call on your own tables: utility per model, ranking, fidelity, privacy, an HTML report
tables       schema of a mixed-type table, its encoding, per-column and pairwise fidelity
privacy      distance to the closest record against a holdout baseline; exact copies
inference    intervals for a mean or regression coefficients computed on synthetic data, corrected
ensemble     the risk of models averaged over K synthetic sets: A + S / K
utility      generalization utility with confidence intervals; TSTR / TRTR
ranking      ranking consistency of models trained on synthetic data; Kendall's tau
fidelity     TV, Wasserstein (exact 1-D, sliced), MMD, classifier two-sample AUC, finite-class IPM
fidelity_classes  task-relevant function classes V for least squares, and d_V with the bias it bounds
least_squares  batched least squares on a basis across Monte Carlo replications
knn          batched k-NN regression and plug-in classification across replications
learners     learner families and tasks with a controlled generalization gap
bounds       closed forms and bounds of the book's theorems
generators   generators with fit/sample and wrappers that turn one fidelity knob each
simulate     data-generating processes with known truth
selfconsuming  generators refitted on their own samples (self-consuming loops), exact moments
experiments  the seeded, parallel, cached replication runner
plotting     log-log slope fits with CIs and shared figures
datasets     scikit-learn's digits, MNIST from a local file

torch is imported only by ``synutil.torch_models`` (sklearn-style MLP and CNN classifiers) and
``synutil.generators.vae``; import those modules explicitly.
"""

from . import (
    bounds,
    datasets,
    ensemble,
    experiments,
    fidelity,
    fidelity_classes,
    generators,
    inference,
    knn,
    learners,
    least_squares,
    plotting,
    privacy,
    ranking,
    selfconsuming,
    simulate,
    tables,
    utility,
)
from .evaluate import EvaluationResult
from .evaluate import evaluate as evaluate
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

__all__ = [
    "evaluate",
    "EvaluationResult",
    "bounds",
    "ensemble",
    "inference",
    "privacy",
    "selfconsuming",
    "tables",
    "datasets",
    "experiments",
    "fidelity",
    "fidelity_classes",
    "generators",
    "knn",
    "learners",
    "least_squares",
    "plotting",
    "ranking",
    "simulate",
    "utility",
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
