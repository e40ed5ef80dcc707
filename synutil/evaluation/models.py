"""The model zoo and the generators of :func:`synutil.evaluate.evaluate`: resolving, seeding, fitting (private)."""

from __future__ import annotations

import contextlib
import copy
import importlib

import numpy as np
import pandas as pd

from .._validation import _describe, check_int, reworded

__all__ = ["default_models", "resolve_models", "with_seed", "resolve_generator", "draw", "fit_threads"]

_GENERATORS = {"copula": ("synutil.generators.copula", "GaussianCopulaGenerator"),
               "cart": ("synutil.generators.cart", "SequentialCARTGenerator")}


def default_models(task: str, *, random_state: int = 0) -> dict:
    """The default model zoo: four unfitted scikit-learn estimators, fed the :class:`~synutil.tables.TableEncoder`
    matrix (numeric columns standardised with real-train statistics, categories one-hot, missing indicators).

    Classification: logistic regression, random forest, k-NN (10 neighbours), histogram gradient boosting;
    regression: ridge, random forest, k-NN, histogram gradient boosting.

    >>> sorted(default_models("regression"))
    ['gradient_boosting', 'knn', 'random_forest', 'ridge']
    """
    from sklearn.ensemble import (HistGradientBoostingClassifier, HistGradientBoostingRegressor,
                                  RandomForestClassifier, RandomForestRegressor)
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

    if random_state is not None and not isinstance(random_state, np.random.RandomState):
        random_state = reworded(check_int, random_state, name="random_state", low=0, high=2**32 - 1,
                                message=f"random_state must be None, an int in [0, 2**32 - 1] or a numpy "
                                        f"RandomState (as scikit-learn's estimators take), got "
                                        f"{_describe(random_state)}.")
    forest = dict(n_estimators=100, min_samples_leaf=2, random_state=random_state)
    if task == "classification":
        return {"logistic_regression": LogisticRegression(max_iter=2000),
                "random_forest": RandomForestClassifier(**forest),
                "knn": KNeighborsClassifier(n_neighbors=10),
                "gradient_boosting": HistGradientBoostingClassifier(max_iter=100, random_state=random_state)}
    if task == "regression":
        return {"ridge": Ridge(alpha=1.0),
                "random_forest": RandomForestRegressor(**forest),
                "knn": KNeighborsRegressor(n_neighbors=10),
                "gradient_boosting": HistGradientBoostingRegressor(max_iter=100, random_state=random_state)}
    raise ValueError(f"task must be 'classification' or 'regression', got {task!r}.")


def with_seed(estimator, seed: int, force: bool):
    from sklearn.base import clone

    est = clone(estimator, safe=False)  # objects without get_params are deep-copied
    params = est.get_params(deep=True) if hasattr(est, "get_params") else {}
    new = {k: seed for k, v in params.items() if (k == "random_state" or k.endswith("__random_state"))
           and (force or v is None)}
    return est.set_params(**new) if new else est


def resolve_models(models, task):
    from sklearn.base import is_classifier, is_regressor

    if models is None:
        return default_models(task), True
    if isinstance(models, dict):
        items = list(models.items())
    elif isinstance(models, (list, tuple)):
        items, seen = [], {}
        for est in models:
            base = type(est).__name__
            seen[base] = seen.get(base, 0) + 1
            items.append((base if seen[base] == 1 else f"{base}_{seen[base]}", est))
    else:
        raise ValueError("models must be None, a dict {name: estimator} or a list of scikit-learn estimators.")
    if not items:
        raise ValueError("models is empty: pass at least one estimator (two or more to compare rankings).")
    keys = [str(k) for k, _ in items]
    clash = sorted({k for k in keys if keys.count(k) > 1})
    if clash:
        raise ValueError(f"models has names that read the same as text: {clash} (e.g. 1 and '1'); give each model a "
                         "distinct name.")
    for name, est in items:
        if isinstance(est, type):
            raise ValueError(f"model {name!r} is the class {est.__name__}; pass an instance, e.g. {est.__name__}().")
        if not (hasattr(est, "fit") and hasattr(est, "predict")):
            raise ValueError(f"model {name!r} has no fit/predict: pass unfitted scikit-learn estimators.")
        wrong = is_regressor(est) if task == "classification" else is_classifier(est)
        if wrong:
            raise ValueError(f"model {name!r} is a {'regressor' if task == 'classification' else 'classifier'} but "
                             f"the task is {task}.")
    return {str(k): v for k, v in items}, False


def resolve_generator(generator):
    if generator is None:
        return None, None
    if isinstance(generator, str):
        if generator not in _GENERATORS:
            raise ValueError(f"generator {generator!r} is unknown: use 'copula', 'cart', an object with "
                             "fit(df)/sample(n, random_state=...), or a callable (real_train, n, random_state).")
        module, cls = _GENERATORS[generator]
        return getattr(importlib.import_module(module), cls)(), generator
    if isinstance(generator, type):
        raise ValueError(f"generator is the class {generator.__name__}; pass an instance, e.g. {generator.__name__}().")
    if hasattr(generator, "fit") and hasattr(generator, "sample"):
        return generator, repr(generator)
    if callable(generator):
        return generator, getattr(generator, "__name__", repr(generator))
    raise ValueError("generator must be None, 'copula', 'cart', an object with fit(df)/sample(n, random_state=...),"
                     " or a callable (real_train, n, random_state) -> DataFrame.")


def draw(generator, train, n, seed, schema, j):
    try:
        if hasattr(generator, "fit") and hasattr(generator, "sample"):
            gen = copy.deepcopy(generator)
            gen.fit(train)
            out = gen.sample(n, random_state=seed)
        else:
            out = generator(train, n, seed)
    except (ValueError, TypeError) as error:
        raise ValueError(f"the generator failed in replication {j} (asked for {n} rows, fitted on real_train "
                         f"or its resample): {' '.join(str(error).split())}") from error
    if not isinstance(out, pd.DataFrame):
        raise ValueError(f"the generator returned a {type(out).__name__} in replication {j}, not a DataFrame.")
    if len(out) != n:
        raise ValueError(f"the generator returned {len(out)} rows in replication {j}; it was asked for {n}: "
                         "sample(n, ...) must return n rows.")
    return schema.check(out, name=f"the generator's table (replication {j})", unseen="ignore")


def fit_threads(n_rows):
    from threadpoolctl import threadpool_limits

    # multi-threaded histogram boosting on a few thousand rows is dominated by thread start-up
    return threadpool_limits(limits=1, user_api="openmp") if n_rows < 20000 else contextlib.nullcontext()
