r"""Generators x learners: the real-test risk of every learner trained on every synthetic sample (TSTR).

One call of :func:`tstr_benchmark` is one replication of the experiment of the book's chapter "Deep networks
on digits": every generator supplies one synthetic sample, every learner is trained on it and on the real
training sample, and every model is scored on the same real test sample. The result is a long table (one row
per generator and learner) that :func:`synutil.utility.generalization_utility` and
:func:`synutil.ranking.ranking_consistency` turn into utilities and rankings once several replications are
stacked.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd
from sklearn.base import clone

from ._validation import (
    InputTypeError,
    as_float_array,
    as_labels,
    as_matched_pair,
    check_bool,
    check_finite_result,
    check_int,
    check_random_state,
)

__all__ = ["tstr_benchmark"]

_LOSSES = ("error_rate", "squared_error")
REAL = "real"


def _check_names(mapping, *, name: str, what: str, reserved: tuple = ()) -> None:
    if not isinstance(mapping, Mapping) or not mapping:
        raise InputTypeError(f"{name} must be a non-empty dict name -> {what}, got {type(mapping).__name__}"
                             f"{' (empty)' if isinstance(mapping, Mapping) else ''}.")
    for key in mapping:
        if not isinstance(key, str) or not key.strip():
            raise InputTypeError(f"{name} must be keyed by non-empty strings (the names in the result), got the "
                                 f"key {key!r} ({type(key).__name__}).")
        if key in reserved:
            raise ValueError(f"{name} has the key {key!r}, which names the real-data (TRTR) rows of the result; "
                             "give the generator another name.")


def _check_estimator(est, *, label: str):
    if not (hasattr(est, "fit") and hasattr(est, "predict")):
        raise InputTypeError(f"{label} must be an estimator with fit and predict (scikit-learn style), got "
                             f"{type(est).__name__}.")
    return est


def _seed(random_state) -> int:
    """The one integer seed of a benchmark: an ``int`` as given, else drawn from ``random_state``."""
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, (bool, np.bool_)):
        check_random_state(random_state)  # refuses negative seeds with the package's message
        return int(random_state)
    return int(check_random_state(random_state).integers(2**31))


def _seeded(proto, seed: int):
    """A clone of ``proto`` with every ``random_state`` parameter (nested ones too) set to ``seed``."""
    est = clone(proto)
    keys = [k for k in est.get_params(deep=True) if k == "random_state" or k.endswith("__random_state")]
    if keys:
        est.set_params(**{k: seed for k in keys})
    return est


def _learners_for(learners, seed: int, names: list | None) -> dict:
    """Fresh unfitted estimators for one training set, with the same names every time."""
    if callable(learners) and not isinstance(learners, Mapping):
        made = learners(seed)
        _check_names(made, name="learners(seed)", what="estimator")
        if names is not None and list(made) != names:
            raise ValueError(f"learners(seed) returned the learners {list(made)} after {names}; it must return "
                             "the same names, in the same order, at every call.")
        return {k: _check_estimator(v, label=f"learners(seed)[{k!r}]") for k, v in made.items()}
    return {k: _seeded(v, seed) for k, v in learners.items()}


def _targets(y, *, name: str, n_rows: int, numeric: bool) -> np.ndarray:
    if numeric:
        y = as_float_array(y, name=name, ndim=1)
        if y.shape[0] != n_rows:
            raise ValueError(f"{name} has {y.shape[0]} entries but there are {n_rows} rows; give one per row.")
        return y
    return as_labels(y, name=name, n_rows=n_rows)


def tstr_benchmark(generators, learners, X_train, y_train, X_test, y_test, *, n_synthetic, loss="error_rate",
                   random_state=None, return_estimator=False) -> pd.DataFrame:
    r"""Real-test risk of every learner trained on real data (TRTR) and on every generator's sample (TSTR).

    For learner :math:`\mathcal A_a` and generator :math:`g` with synthetic sample :math:`\tilde D^{(g)}`,

    .. math:: \text{TRTR}_a = \hat R_{\rm test}\big(\mathcal A_a(D_n)\big), \qquad
              \text{TSTR}_{g,a} = \hat R_{\rm test}\big(\mathcal A_a(\tilde D^{(g)})\big), \qquad
              \hat R_{\rm test}(f) = \frac1{n_{\rm test}}\sum_{i=1}^{n_{\rm test}} \ell\big(f(x_i), y_i\big),

    with :math:`D_n` = ``(X_train, y_train)`` and the test sum over ``(X_test, y_test)``, which neither the
    generators nor the learners may have seen. Lower risks are better. One call is one replication; stack the
    tables of several calls (with different seeds) and pass the paired columns to
    :func:`synutil.utility.generalization_utility` (utility of each learner) or
    :func:`synutil.ranking.ranking_consistency` (order of the learners).

    Parameters
    ----------
    generators : dict name -> generator
        Each value is a **fitted** generator whose ``sample(n, random_state=seed)`` returns ``(X, y)`` (every
        generator of :mod:`synutil.generators`), or a callable ``rng -> (X, y)`` that draws a synthetic sample
        with the ``numpy.random.Generator`` it is given (its size is its own choice). The name ``"real"`` is
        reserved for the TRTR rows.
    learners : dict name -> estimator, or callable seed -> dict
        Unfitted scikit-learn-style estimators (``fit`` and ``predict``). Each is cloned
        (:func:`sklearn.base.clone`) for every training set, and every ``random_state`` parameter of the clone
        (nested ones of a pipeline too) is set to the benchmark's seed. A callable is called with the seed once
        per training set and must return new unfitted estimators, with the same names each time (for learners
        that are not scikit-learn estimators, or seeded differently).
    X_train, y_train : array-like
        The real training sample (the generators should have been fitted on it, and only on it).
    X_test, y_test : array-like
        The real test sample. Two DataFrames (and DataFrame samples) are matched by column name.
    n_synthetic : int, keyword-only
        Rows drawn from each generator with a ``sample`` method (at least 2).
    loss : {"error_rate", "squared_error"} or callable, keyword-only
        ``"error_rate"``: 1 - accuracy (labels of any type); ``"squared_error"``: mean squared error (numeric
        responses); a callable ``(y_true, y_pred) -> float`` must return a **loss**, lower is better (e.g.
        :func:`sklearn.metrics.mean_absolute_error`; pass ``1 - score`` for a score).
    random_state : None, int, SeedSequence or Generator, keyword-only
        The seed: an ``int`` is used as is, anything else gives one seed drawn from it. Every generator samples
        with that seed (``sample(n_synthetic, random_state=seed)``, or ``numpy.random.default_rng(seed)`` for
        a callable), and every learner is seeded with it. The same seed gives the identical table.

    Returns
    -------
    pandas.DataFrame
        Columns ``generator``, ``model``, ``risk``: first the TRTR rows (``generator == "real"``, one per
        learner), then the TSTR rows of each generator, in the order of the dicts.

    Raises
    ------
    ValueError
        Empty or badly keyed dicts, an object without ``fit``/``predict`` or ``sample``, mismatched lengths or
        columns, NaN, a bad ``n_synthetic`` or ``loss``, or a generator that returns something other than a
        sample ``(X, y)`` with the columns of ``X_train``. A class of ``y_test`` that a synthetic sample lacks
        is not an error: the models trained on it never predict that class, its test rows count as errors, and
        a ``UserWarning`` names it.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> X, y = make_classification(n_samples=400, n_features=4, random_state=0)
    >>> def jitter(rng):  # a toy generator: real training rows with Gaussian noise, labels kept
    ...     rows = rng.integers(0, 200, size=200)
    ...     return X[rows] + rng.normal(scale=1.0, size=(200, 4)), y[rows]
    >>> learners = {"logistic": LogisticRegression(), "tree": DecisionTreeClassifier(max_depth=3)}
    >>> table = tstr_benchmark({"jitter": jitter}, learners, X[:200], y[:200], X[200:], y[200:],
    ...                        n_synthetic=200, random_state=0)
    >>> table
      generator     model   risk
    0      real  logistic  0.165
    1      real      tree  0.100
    2    jitter  logistic  0.170
    3    jitter      tree  0.150

    The depth-3 tree loses more than logistic regression to the jitter (its TSTR row against its TRTR row).
    """
    if isinstance(loss, str):
        if loss not in _LOSSES:
            raise ValueError(f"loss must be 'error_rate', 'squared_error' or a callable (y_true, y_pred) -> float, "
                             f"got {loss!r}.")
    elif not callable(loss):
        raise InputTypeError(f"loss must be 'error_rate', 'squared_error' or a callable (y_true, y_pred) -> float, "
                             f"got {type(loss).__name__}.")
    n_synthetic = check_int(n_synthetic, name="n_synthetic", low=2)
    return_estimator = check_bool(return_estimator, name="return_estimator")
    _check_names(generators, name="generators", what="fitted generator or callable rng -> (X, y)",
                 reserved=(REAL,))
    for key, gen in generators.items():
        if not (callable(gen) or hasattr(gen, "sample")):
            raise InputTypeError(f"generators[{key!r}] must be a fitted generator with sample(n, random_state=...) "
                                 f"or a callable rng -> (X, y), got {type(gen).__name__}.")
    if not callable(learners) or isinstance(learners, Mapping):
        _check_names(learners, name="learners", what="unfitted estimator (or a callable seed -> dict)")
        for key, est in learners.items():
            _check_estimator(est, label=f"learners[{key!r}]")
    Xr, Xt = as_matched_pair(X_train, X_test, names=("X_train", "X_test"), min_rows=2)
    numeric = loss == "squared_error"
    yr = _targets(y_train, name="y_train", n_rows=Xr.shape[0], numeric=numeric)
    yt = _targets(y_test, name="y_test", n_rows=Xt.shape[0], numeric=numeric)
    seed = _seed(random_state)

    def risk(y_pred, label: str) -> float:
        y_pred = np.asarray(y_pred)
        if y_pred.ndim == 2 and y_pred.shape[1] == 1:
            y_pred = y_pred[:, 0]
        if y_pred.shape != yt.shape:
            raise ValueError(f"{label} predicted an array of shape {y_pred.shape} for {yt.shape[0]} test rows; "
                             "predict must return one value per row.")
        if loss == "error_rate":
            value = 1.0 - float(np.mean(yt == y_pred))
        elif loss == "squared_error":
            with np.errstate(over="ignore", invalid="ignore"):
                value = float(np.mean((yt - y_pred.astype(float)) ** 2))
        else:
            value = loss(yt, y_pred)
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
                raise InputTypeError(f"loss must return a number (the mean loss), got {type(value).__name__}.")
            value = float(value)
        return float(check_finite_result(value, what=f"the risk of {label}", fix="check the predictions and "
                                         "the loss (a callable loss must return a finite mean loss)"))

    def draw(key: str, gen):
        if hasattr(gen, "sample"):
            out = gen.sample(n_synthetic, random_state=seed)
        else:
            out = gen(np.random.default_rng(seed))
        if not (isinstance(out, tuple) and len(out) == 2):
            raise ValueError(f"generators[{key!r}] must return a pair (X, y), got {type(out).__name__}.")
        where = f"the sample of generator {key!r}"
        _, Xs = as_matched_pair(X_train, out[0], names=("X_train", f"X of {where}"), min_rows=2)
        ys = _targets(out[1], name=f"y of {where}", n_rows=Xs.shape[0], numeric=numeric)
        if loss == "error_rate":
            missing = sorted(set(np.unique(yt).tolist()) - set(np.unique(ys).tolist()), key=str)
            if missing:
                warnings.warn(f"class(es) {missing} of y_test do not appear in {where}: the models trained on it "
                              "never predict them, so those test rows count as errors.", UserWarning,
                              stacklevel=3)
        return Xs, ys

    rows, names = [], None
    samples = [(REAL, (Xr, yr))] + [(key, draw(key, gen)) for key, gen in generators.items()]
    for key, (Xs, ys) in samples:
        made = _learners_for(learners, seed, names)
        names = list(made)
        for model, est in made.items():
            try:
                est.fit(Xs, ys)
            except Exception as error:
                error.add_note(f"(raised by tstr_benchmark while fitting learner {model!r} on "
                               f"{'the real training sample' if key == REAL else f'the sample of {key!r}'})")
                raise
            rows.append({"generator": key, "model": model,
                         "risk": risk(est.predict(Xt), f"learner {model!r} trained on {key!r}"), "estimator": est})
    columns = ["generator", "model", "risk"] + (["estimator"] if return_estimator else [])
    return pd.DataFrame(rows, columns=columns)
