r"""Evaluate a synthetic table in one call: utility per model with intervals, ranking agreement, fidelity, privacy.

:func:`evaluate` takes a real training table, a held-out real test table and a synthetic table (mixed types,
missing values), trains a zoo of models on real and on synthetic data, tests both on the real test table
(TRTR and TSTR), and returns an :class:`EvaluationResult` with ``to_frame()``, ``summary()`` and ``to_html(path)``.

Two replication schemes, and what their intervals cover
--------------------------------------------------------
``generator=None`` (**test bootstrap**, for a fixed synthetic table): each model is trained once on the real
training table and once on the synthetic table; the test rows are resampled ``n_replications`` times (within
each class for classification) and every interval is a percentile interval over those resamples. It covers the
**sampling of the test set only, given the trained models**: it answers "with this synthetic table and these
fitted models, how sure are we of the gap on new real data?", not "how much does the gap vary with the
generator's and the learners' randomness?".

``generator=...`` (**generator refit**): replication :math:`j=1,\dots,J` resamples the real training table
(bootstrap, within each class), refits the generator on it, draws a synthetic table of the same size as
``synthetic`` (or as ``real_train``), and retrains every model on both. The gap is averaged over replications

.. math:: \hat\Delta=\frac1J\sum_{j=1}^J\big(\hat R_{\rm test}(\hat f^{(j)}_{\rm syn})
          -\hat R_{\rm test}(\hat f^{(j)}_{\rm real})\big),

the quantity of the book's definition of generalization utility (an expectation over the real sample, the
generator and the learners), and its interval is a percentile bootstrap over replications **and** test rows, so
it covers the generator's, the learners' and the training sample's randomness **and** the test set's sampling.
``ModelUtility.given_test`` adds the book's paired interval
(:func:`~synutil.utility.generalization_utility` over the :math:`J` replications), which holds the test set
fixed. Use this scheme when you can rerun the generator (it costs :math:`J` generator fits and :math:`2JL` model
fits); use the test bootstrap to judge one table you were handed.

(The book's paired :math:`t` interval is **not** applied to bootstrap resamples of one test set: those are not
independent draws of the experiment, and the interval would shrink like :math:`1/\sqrt J` whatever the test
size.)
"""

from __future__ import annotations

import platform
import sys

import numpy as np
import pandas as pd

from .losses import LossInfo, bootstrap_indices, counts_of, resolve_loss
from .models import default_models, draw, fit_threads, resolve_generator, resolve_models, with_seed
from .result import EvaluationResult, FidelitySummary, ModelUtility, percentile_utility
from ..tables.schema import _BOOL_STRINGS, _as_frame, _check_label, _label_type_hint, canonical_strings, numeric_values
from ..ranking import _pair_signs, _tau_b, ranking_consistency
from ..tables import TableEncoder, column_fidelity, infer_schema, pairwise_fidelity
from .._validation import _describe, check_bool, check_confidence, check_int, check_memory, reworded
from ..utility import generalization_utility

__all__ = ["evaluate", "EvaluationResult", "ModelUtility", "FidelitySummary", "LossInfo", "default_models"]

MIN_ROWS = 10


def _frame(data, name):
    return _as_frame(data, name)  # a DataFrame with unique column names


def _labels(df, target, schema, task, name):
    """Target values: canonical strings (classification) or floats (regression); NaN refused."""
    s = df[target]
    if task == "classification":
        y = canonical_strings(s)
        if schema.kind(target) == "boolean":
            y = np.array([_BOOL_STRINGS.get(v, v) if v is not None else None for v in y], dtype=object)
        bad = int(sum(v is None for v in y))
    else:
        y = numeric_values(s, target, where=name)
        bad = int(np.isnan(y).sum())
    if bad:
        raise ValueError(f"the target {target!r} of {name} has {bad} missing value(s): drop those rows (a model "
                         "cannot be trained or scored on a missing label).")
    return y


def _check_classes(y_train, y_test, y_syn, where="synthetic"):
    test = set(y_test.tolist())
    for name, y in (("real_train", y_train), (where, y_syn)):
        missing = sorted(test - set(y.tolist()))
        if missing:
            raise ValueError(
                f"class(es) {missing} of the target appear in real_test but not in {name}: a model trained on "
                f"{name} can never predict them. Generate or keep rows of every class (e.g. class-conditional "
                "sampling), or drop those classes from real_test."
            )
    if len(set(y_train.tolist())) < 2:
        raise ValueError("real_train holds a single class of the target: there is nothing to classify.")


class _Codes:
    """Class labels (canonical strings) to integer codes 0..K-1 in sorted order; new labels get the next codes."""

    def __init__(self, classes):
        self.classes = list(classes)

    def __call__(self, y):
        lookup = {c: i for i, c in enumerate(self.classes)}
        for v in sorted(set(y.tolist()) - set(lookup)):
            lookup[v] = len(self.classes)
            self.classes.append(v)
        return np.array([lookup[v] for v in y], dtype=np.int64)


def _seed_of(random_state) -> int:
    if random_state is None:
        return int(np.random.SeedSequence().generate_state(1)[0])
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(2**32))
    if isinstance(random_state, np.random.SeedSequence):
        return int(random_state.generate_state(1)[0])
    if isinstance(random_state, np.random.RandomState):  # as scikit-learn does: one seed drawn from it
        return int(random_state.randint(0, 2**31 - 1))
    if isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool) and random_state >= 0:
        return int(random_state)
    raise ValueError(f"random_state must be None, an int >= 0, a numpy SeedSequence or a numpy Generator, got "
                     f"{_describe(random_state)}.")


def _versions() -> dict:
    import matplotlib
    import scipy
    import sklearn

    from .. import __version__

    return {"synutil": __version__, "python": platform.python_version(), "numpy": np.__version__,
            "pandas": pd.__version__, "scipy": scipy.__version__, "scikit-learn": sklearn.__version__,
            "matplotlib": matplotlib.__version__}


def _fidelity(train, test, syn, schema, seed, max_rows):
    from ..fidelity.mmd import median_bandwidth
    from ..fidelity import classifier_two_sample_auc, mmd2

    cols = column_fidelity(train, syn, schema=schema)
    cols["baseline"] = column_fidelity(train, test, schema=schema)["value"].to_numpy()
    rng = np.random.default_rng(seed)
    enc = TableEncoder(schema).fit(train)

    def sub(df):
        z = enc.transform(df)
        return z[np.sort(rng.choice(len(z), max_rows, replace=False))] if len(z) > max_rows else z

    zr, zs, zt = sub(train), sub(syn), sub(test)
    try:
        h = median_bandwidth(zr)
    except ValueError:
        raise ValueError("fidelity: most encoded rows of real_train coincide, so the MMD bandwidth cannot be set by "
                         "the median heuristic; pass fidelity=False (--no-fidelity) or add varying columns.") from None
    return FidelitySummary(
        columns=cols, pairwise=pairwise_fidelity(train, syn, schema=schema),
        pairwise_baseline=pairwise_fidelity(train, test, schema=schema),
        mmd2=mmd2(zr, zs, bandwidth=h), mmd2_baseline=mmd2(zr, zt, bandwidth=h), bandwidth=h,
        c2st=classifier_two_sample_auc(zr, zs, random_state=seed),
        c2st_baseline=classifier_two_sample_auc(zr, zt, random_state=seed), max_rows=max_rows,
    ), enc


def _snap_rounding(risks: np.ndarray, *, rel: float = 1e-12) -> np.ndarray:
    """Round risks to a grid of ``rel`` times the largest, so that values equal up to float rounding are equal.

    >>> a = np.array([0.1 + 0.2, 0.3, 0.5])
    >>> bool(a[0] == a[1]), bool(_snap_rounding(a)[0] == _snap_rounding(a)[1])
    (False, True)
    """
    top = float(np.max(np.abs(risks))) if risks.size else 0.0
    if not np.isfinite(top) or top == 0.0:
        return risks
    step = top * rel
    return np.round(risks / step) * step


def evaluate(real_train, real_test, synthetic=None, *, target, task="auto", models=None, loss=None, generator=None,
             n_replications=None, n_boot=None, confidence=0.95, random_state=None, progress=True, fidelity=True,
             privacy=True, max_rows=2000) -> EvaluationResult:
    r"""Evaluate a synthetic table against real data: utility per model, ranking, fidelity and privacy.

    Utility: each model is trained on real data (TRTR) and on synthetic data (TSTR) and both are scored on
    ``real_test``; the signed gap :math:`\Delta=R_{\rm TSTR}-R_{\rm TRTR}` (lower risks are better, so a positive
    gap means synthetic training costs accuracy) and the utility :math:`U=|\Delta|` (lower is better, 0 = as useful
    as real data) get percentile intervals; see the module notes for what each replication scheme's interval
    covers. Ranking: Kendall's :math:`\tau_b` between the real-trained and synthetic-trained orderings of the
    models (range :math:`[-1,1]`, 1 = same order), with a bootstrap interval, and
    :func:`~synutil.ranking.ranking_consistency` over resamples (test bootstrap) or replications (generator).
    Fidelity (``real_train`` vs ``synthetic``, with ``real_test`` vs ``real_train`` as the no-generator baseline):
    per-column KS/TV, pairwise dependence, MMD² and classifier two-sample AUC on the encoded, standardised table
    (at most ``max_rows`` rows per table). Privacy: :func:`~synutil.privacy.distance_to_closest_record`.

    Parameters
    ----------
    real_train, real_test : pandas.DataFrame
        Real training rows (the generator's input) and held-out real rows (never seen by the generator). Columns
        are matched by name (``real_test`` and ``synthetic`` may list them in any order; ``real_train``'s order is
        the models' feature order); at least 10 rows each.
    synthetic : pandas.DataFrame or None
        The synthetic table, same columns. May be None when ``generator`` is given (a table is then drawn from
        the generator fitted on ``real_train``, for fidelity and privacy).
    target : column name
        The response. Missing values in it are refused.
    task : {"auto", "classification", "regression"}
        ``"auto"``: classification for a categorical or boolean target, regression for a numeric one (pass
        ``"classification"`` for integer-coded classes).
    models : None, dict {name: estimator} or list of estimators
        Unfitted scikit-learn estimators, fed the :class:`~synutil.tables.TableEncoder` matrix of the features
        (fitted on ``real_train`` only). Default :func:`default_models`: logistic regression (ridge), random
        forest, k-NN, gradient boosting. A ``random_state`` left at None is set from the seed.
    loss : None, str or callable
        A scikit-learn scorer name (``"accuracy"``, ``"neg_log_loss"``, ``"roc_auc"``, ``"neg_mean_squared_error"``,
        ...): a score is turned into a loss (``1 - score`` or ``-score``) and a ``neg_*`` loss negated back, as
        :class:`LossInfo` records; or a callable ``loss(y_true, y_pred)`` whose direction is checked. Default: the
        zero-one error (classification; range [0, 1]) or the squared error (regression). A squared-error loss on a
        classification target is refused.
    generator : None, "copula", "cart", object with ``fit(df)``/``sample(n, random_state=...)``, or callable
        ``(real_train, n, random_state) -> DataFrame``. Given: the generator-refit scheme.
    n_replications : int >= 2, optional
        Test bootstrap: resamples of the test set (default 1000, or 200 for scorers without a fast path).
        Generator refit: refits (default 10).
    n_boot : int, optional
        Generator refit only: bootstrap resamples of replications and test rows for the intervals (default 1000).
    confidence : float in (0, 1)
    random_state : None, int >= 0 or numpy Generator
        The seed is recorded in the result (drawn fresh when None); the same seed gives the same numbers.
    progress : bool
        A tqdm progress bar on stderr.
    fidelity, privacy : bool
        Compute the fidelity summary and the DCR privacy check.
    max_rows : int
        Rows per table used by MMD and the two-sample classifier (a seeded subsample).

    Returns
    -------
    EvaluationResult

    Raises
    ------
    ValueError
        Not DataFrames, different columns, a missing target, NaN in the target, fewer than 10 rows, a class of
        ``real_test`` missing from ``synthetic`` or ``real_train`` (named), a loss that does not fit the task.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from synutil.tables import mixed_table
    >>> real = mixed_table(600, random_state=0)
    >>> syn = mixed_table(300, random_state=1)  # stands in for a generator's output
    >>> res = evaluate(real[:300], real[300:], syn, target="purchased", models={"logreg": LogisticRegression()},
    ...                n_replications=200, random_state=0, progress=False, fidelity=False, privacy=False)
    >>> res.task, res.scheme, res.loss.name
    ('classification', 'test-bootstrap', 'zero-one error (1 - accuracy)')
    >>> u = res.utility["logreg"].utility
    >>> bool(u.ci_low <= u.signed_gap <= u.ci_high)
    True
    """
    from tqdm.auto import tqdm

    from ..privacy import distance_to_closest_record

    real_train, real_test = _frame(real_train, "real_train"), _frame(real_test, "real_test")
    gen, gen_name = resolve_generator(generator)
    if synthetic is None and gen is None:
        raise ValueError("synthetic is None: pass the synthetic table, or a generator to draw it from.")
    _check_label(target, name="target")
    for name, df in (("real_train", real_train), ("real_test", real_test), ("synthetic", synthetic)):
        if df is None:
            continue
        _frame(df, name)
        if target not in df.columns:
            raise ValueError(f"the target {target!r} is not a column of {name}; its columns are {list(df.columns)}."
                             + _label_type_hint([target], [c for c in df.columns if str(c) == str(target)]))
        if len(df) < MIN_ROWS:
            raise ValueError(f"{name} has {len(df)} rows; evaluate needs at least {MIN_ROWS} per table.")
    if not isinstance(task, str) or task not in ("auto", "classification", "regression"):
        raise ValueError(f"task must be 'auto', 'classification' or 'regression', got {task!r}.")
    confidence = check_confidence(confidence)
    reworded(check_int, max_rows, name="max_rows", low=MIN_ROWS,
             message=f"max_rows must be an integer >= {MIN_ROWS}, got {_describe(max_rows)}.")
    progress, fidelity, privacy = (check_bool(v, name=k) for k, v in
                                   (("progress", progress), ("fidelity", fidelity), ("privacy", privacy)))
    schema = infer_schema(real_train, target=target)
    info = schema[target]
    if info.n_unique <= 1 and not info.all_missing:
        raise ValueError(f"the target {target!r} takes a single value in real_train: there is nothing to predict "
                         "(a classification needs two classes or more, a regression a target that varies).")
    if task == "classification" and schema.kind(target) == "numeric":
        if schema[target].n_unique > 50:
            raise ValueError(f"task='classification' but the target {target!r} takes {schema[target].n_unique} "
                             "distinct numeric values: use task='regression' (or 'auto') for a quantity.")
        schema = infer_schema(real_train, target=target, kinds={target: "categorical"})
    if task == "regression" and schema.kind(target) != "numeric":
        raise ValueError(f"task='regression' needs a numeric target, but {target!r} is {schema.kind(target)} in "
                         "real_train; use task='classification' (or 'auto').")
    if not schema.features:
        raise ValueError(f"the tables hold only the target {target!r}: add feature columns.")
    train = schema.check(real_train, name="real_train")
    test = schema.check(real_test, name="real_test", unseen="ignore")
    seed = _seed_of(random_state)
    ss = np.random.SeedSequence(seed)
    s_boot, s_models, s_fid, s_gen = (int(c.generate_state(1)[0]) for c in ss.spawn(4))
    if task == "auto":
        task = "regression" if schema.kind(target) == "numeric" else "classification"
    y_train = _labels(train, target, schema, task, "real_train")
    y_test = _labels(test, target, schema, task, "real_test")
    if synthetic is None:
        synthetic = draw(gen, train, len(train), s_gen, schema, 0)
    syn = schema.check(synthetic, name="synthetic", unseen="ignore")
    y_syn = _labels(syn, target, schema, task, "synthetic")
    codes = labels_test = None
    if task == "classification":
        _check_classes(y_train, y_test, y_syn)
        labels_train, labels_test = y_train, y_test
        codes = _Codes(schema.categories(target))
        y_train, y_test, y_syn = codes(y_train), codes(y_test), codes(y_syn)
    strata = y_test if task == "classification" else None
    lossobj = resolve_loss(loss, task=task, y_test=labels_test if codes is not None else y_test)
    lossobj.labels = None if codes is None else codes.classes
    zoo, force = resolve_models(models, task)
    names = list(zoo)
    if n_replications is None:
        n_replications = 10 if gen is not None else (1000 if lossobj.fast else 200)
    if n_boot is None:
        n_boot = 1000 if lossobj.fast else 200
    for label, v in (("n_replications", n_replications), ("n_boot", n_boot)):
        reworded(check_int, v, name=label, low=2,
                 message=f"{label} must be an integer >= 2 (intervals need replications; e.g. "
                         f"{'10' if label == 'n_replications' and gen is not None else '1000'}), got {_describe(v)}.")
    n_replications, n_boot = int(n_replications), int(n_boot)
    n_boot = n_replications if gen is None else n_boot
    n_reps = 1 if gen is None else n_replications
    check_memory(8.0 * n_boot * (n_reps + 6 * len(names)) + 16.0 * n_reps * len(names) * len(real_test) + 6.4e7,
                 what=f"the bootstrap of {len(names)} model(s) over {n_boot} resamples and {n_reps} replication(s)",
                 fix="lower n_replications" + ("" if gen is None else " or n_boot"))
    encoder = TableEncoder(schema, columns=schema.features).fit(train)
    X_test = encoder.transform(test)
    steps = n_reps * (2 * len(names) + (gen is not None)) + 1 + bool(fidelity) + bool(privacy)
    bar = tqdm(total=steps, disable=not progress, desc="synutil evaluate", unit="step", file=sys.stderr)
    prepared = [[[None] * len(names) for _ in range(n_reps)] for _ in range(2)]
    rep_risk = np.empty((2, n_reps, len(names)))
    rep_seeds = np.random.SeedSequence(s_gen).spawn(n_reps)
    train_strata = y_train if task == "classification" else None
    try:
        for j in range(n_reps):
            if gen is None:
                tables = [(train, y_train), (syn, y_syn)]
                model_seed = s_models
            else:
                bar.set_postfix_str(f"replication {j + 1}/{n_reps}: generator")
                r = np.random.default_rng(rep_seeds[j])
                rows = bootstrap_indices(r, len(train), 1, train_strata)[0]
                train_j = train.iloc[rows].reset_index(drop=True)
                table = draw(gen, train_j, len(syn), int(r.integers(2**32)), schema, j + 1)
                where = f"the generator's table (replication {j + 1})"
                y_rep = _labels(table, target, schema, task, where)
                if task == "classification":
                    _check_classes(labels_train, labels_test, y_rep, where=where)
                    y_rep = codes(y_rep)
                tables = [(train_j, y_train[rows]), (table, y_rep)]
                model_seed = int(r.integers(2**32))
                bar.update()
            for s, (df, y) in enumerate(tables):
                X = encoder.transform(df)
                for m, name in enumerate(names):
                    bar.set_postfix_str(f"{'TSTR' if s else 'TRTR'} {name}")
                    who = (f"model {name!r} trained on {'the synthetic table' if s else 'real_train'}"
                           + ("" if gen is None else f" (replication {j + 1})"))
                    try:
                        with fit_threads(len(df)):
                            fitted = with_seed(zoo[name], model_seed, force).fit(X, y)
                            prepared[s][j][m] = lossobj.prepare(fitted, X_test, y_test)
                        rep_risk[s, j, m] = lossobj.full(prepared[s][j][m], y_test)
                    except (ValueError, TypeError, ArithmeticError, AttributeError) as error:
                        raise ValueError(f"{who} failed: {' '.join(str(error).split())}") from error
                    _check_risks(rep_risk[s, j, m], who, lossobj)
                    bar.update()
        bar.set_postfix_str("bootstrap")
        boot = _bootstrap(lossobj, prepared, y_test, strata, n_boot, np.random.default_rng(s_boot))
        for s in range(2):
            for m, name in enumerate(names):
                _check_risks(boot[s, m], f"model {name!r} trained on {'the synthetic table' if s else 'real_train'}, "
                             "on bootstrap resamples of real_test,", lossobj)
        bar.update()
        fid = enc_all = None
        if fidelity:
            bar.set_postfix_str("fidelity")
            fid, enc_all = _fidelity(train, test, syn, schema, s_fid, max_rows)
            bar.update()
        dcr = None
        if privacy:
            bar.set_postfix_str("privacy")
            dcr = distance_to_closest_record(train, test, syn, schema=schema, encoder=enc_all)
            bar.update()
    finally:
        bar.close()
    point = rep_risk.mean(axis=1)  # (2, L)
    utility = {}
    for m, name in enumerate(names):
        given = None
        if gen is not None:
            given = generalization_utility(rep_risk[1, :, m], rep_risk[0, :, m], confidence=confidence,
                                           risk_range=lossobj.info.risk_range)
        utility[name] = percentile_utility(name, point[0, m], point[1, m], boot[0, m], boot[1, m], confidence,
                                           lossobj.info, given, "replications and test rows" if gen else "test rows")
    ranking, tau, tau_ci = None, float("nan"), (float("nan"), float("nan"))
    if len(names) >= 2:
        # risks equal up to float rounding are ties: two models with the same predictions computed in a
        # different order must not be ranked by their last bits
        b_real, b_syn, p_real, p_syn = (_snap_rounding(a) for a in (boot[0].T, boot[1].T, point[0], point[1]))
        rr, rs = (b_real, b_syn) if gen is None else (_snap_rounding(rep_risk[0]), _snap_rounding(rep_risk[1]))
        ranking = ranking_consistency(rr, rs, confidence=confidence)
        taus = _tau_b(_pair_signs(b_real), _pair_signs(b_syn))
        tau = float(_tau_b(_pair_signs(p_real[None]), _pair_signs(p_syn[None]))[0])
        if np.isfinite(taus).any():
            a = (1 - confidence) / 2
            tau_ci = tuple(float(v) for v in np.nanquantile(taus, [a, 1 - a]))
    frame = lambda a: pd.DataFrame(a, columns=names)  # noqa: E731
    return EvaluationResult(
        task=task, target=target, loss=lossobj.info, scheme="test-bootstrap" if gen is None else "generator-refit",
        n_replications=int(n_replications), n_boot=n_boot, confidence=float(confidence), seed=seed,
        generator=gen_name, models=tuple(names), utility=utility,
        replications_real=frame(rep_risk[0]), replications_syn=frame(rep_risk[1]),
        bootstrap_real=frame(boot[0].T), bootstrap_syn=frame(boot[1].T),
        ranking=ranking, kendall_tau=tau, kendall_tau_ci=tau_ci, fidelity=fid, privacy=dcr, schema=schema,
        n_rows={"real_train": len(train), "real_test": len(test), "synthetic": len(syn)}, versions=_versions(),
    )


def _check_risks(risks, where: str, loss) -> None:
    """A NaN or infinite risk is an error (percentile intervals would silently drop it)."""
    risks = np.asarray(risks, dtype=float)
    if not np.all(np.isfinite(risks)):
        bad = risks[~np.isfinite(risks)]
        raise ValueError(
            f"the {loss.info.name} risk of {where} is not finite ({bad.size} value(s), e.g. {bad[0]}): a callable "
            "loss must return a finite number, and a loss that divides by the spread of the target (r2, "
            "explained_variance) needs a real_test target that varies; choose another loss or check the tables."
        )


def _bootstrap(loss, prepared, y, strata, n_boot, rng, max_cells=4_000_000):
    """Risks averaged over resampled replications, on resampled test rows: shape (2, L, n_boot)."""
    n_reps, n_models, n = len(prepared[0]), len(prepared[0][0]), len(y)
    weights = rng.multinomial(n_reps, np.full(n_reps, 1.0 / n_reps), size=n_boot) / n_reps
    out = np.empty((2, n_models, n_boot))
    chunk = max(1, max_cells // n)
    for start in range(0, n_boot, chunk):
        stop = min(n_boot, start + chunk)
        index = bootstrap_indices(rng, n, stop - start, strata)
        w = weights[start:stop]
        counts = counts_of(index, n) if loss.fast else None
        for s in range(2):
            for m in range(n_models):
                risks = np.column_stack([loss.risks(prepared[s][j][m], y, index, counts) for j in range(n_reps)])
                out[s, m, start:stop] = (risks * w).sum(axis=1)
    return out
