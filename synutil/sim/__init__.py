"""The lab: data-generating laws with known truth, batched Monte Carlo learners, the replication runner.

The book's experiments are built from these modules; a practitioner evaluating their own tables needs the
toolkit layer (:mod:`synutil.utility`, :mod:`synutil.ranking`, :mod:`synutil.fidelity`, :func:`synutil.evaluate`)
instead, which never imports this subpackage.

==============================  ======================================================================
module                          contents
==============================  ======================================================================
:mod:`synutil.sim.laws`         feature laws and regression / classification models with known truth
:mod:`synutil.sim.least_squares`  batched least squares on a basis across Monte Carlo replications
:mod:`synutil.sim.knn`          batched k-NN regression and plug-in classification
:mod:`synutil.sim.learners`     learner families and tasks with a controlled generalization gap
:mod:`synutil.sim.selfconsuming`  generators refitted on their own samples, with exact moments
:mod:`synutil.sim.runner`       the seeded, cached, resumable replication runner (joblib or Dask)
:mod:`synutil.sim.torch_models`  sklearn-style MLP and CNN classifiers (imports torch)
==============================  ======================================================================

Import the module you need (``from synutil.sim.runner import run_replications``); importing
:mod:`synutil.sim` itself loads nothing, so torch stays unloaded until :mod:`synutil.sim.torch_models` is.
"""
