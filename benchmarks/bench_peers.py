"""Agreement and speed of synutil's table metrics against SDMetrics and SynthEval (run by hand, not in CI).

    .venv/bin/python benchmarks/bench_peers.py [--peer-python PATH] [--repeats 3] [--append-results]

SDMetrics (and its dependency copulas) requires pandas < 3 and this project's environment has pandas 3, so the
peers are installed in a separate virtual environment (never into .venv; the constraints file keeps any torch pinned to the CPU build):

    python3.11 -m venv /tmp/peers-venv
    /tmp/peers-venv/bin/pip install --constraint constraints.txt sdmetrics syntheval

The script builds the tables in the project environment -- the Palmer penguins (``palmerpenguins``), the
stratified train/test split of the chapter "Evaluating your own synthetic data", and a Gaussian-copula and a
sequential-CART synthetic table -- writes them to CSV, computes synutil's numbers, then runs itself with the peer
environment's Python (``--peer``) on the same files and compares, per synthetic table:

* KS per numeric column and TV per categorical column: synutil ``column_fidelity`` against SDMetrics
  ``KSComplement`` / ``TVComplement`` (1 - score), and the column averages against SynthEval ``ks_test``;
* pairwise dependence: synutil ``pairwise_fidelity`` against SDMetrics ``CorrelationSimilarity`` (Pearson,
  ``|difference| = 2 (1 - score)``) and ``ContingencySimilarity`` (TV = 1 - score);
* MMD^2: synutil ``mmd2`` against SynthEval ``mmd`` (unbiased U statistic) on the same encoded table, standardised
  as SynthEval does, with the same Gaussian bandwidth (SynthEval's default gamma, beta = 1 / sqrt(gamma));
* TSTR / TRTR: synutil ``evaluate`` (zero-one error) against SynthEval ``cls_acc`` on the holdout (1 - micro F1,
  which is 1 - accuracy), with the same two estimators (SynthEval's 'logreg' and 'rf') on the same encoded features.

Timings are the best of ``--repeats`` runs of each library's public call on the same data; the time ratio is
peer / synutil (above 1: synutil faster). The calls do not do identical work (noted in the table).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import best_time, machine  # noqa: E402

SEED = 20260815          # the chapter's seed: the same split and synthetic tables
TARGET = "species"
GENERATORS = ("copula", "cart")
DEFAULT_PEER_PYTHON = "/tmp/peers-venv/bin/python"


# ----------------------------------------------------------------------------------------------- peer side
def peer(data_dir: str, out: str, repeats: int) -> None:
    """Run SDMetrics and SynthEval on the CSV files of ``data_dir``; write their numbers and timings to ``out``."""
    import warnings

    import pandas as pd
    from sdmetrics.column_pairs import ContingencySimilarity, CorrelationSimilarity
    from sdmetrics.single_column import KSComplement, TVComplement
    from syntheval.metrics.utility.metric_accuracy_difference import ClassificationAccuracy
    from syntheval.metrics.utility.metric_kolmogorov_smirnov import KolmogorovSmirnovTest
    from syntheval.metrics.utility.metric_max_mean_discrepancy import MaximumMeanDiscrepancy

    warnings.filterwarnings("ignore")
    meta = json.load(open(os.path.join(data_dir, "meta.json")))
    num, cat = meta["numeric"], meta["categorical"]
    read = lambda name: pd.read_csv(os.path.join(data_dir, f"{name}.csv"))  # noqa: E731
    train = read("train")
    from importlib.metadata import version

    result = {"versions": {"sdmetrics": version("sdmetrics"), "syntheval": version("syntheval"), "pandas": pd.__version__}}
    for gen in GENERATORS:
        syn = read(f"syn_{gen}")
        r = {}

        def sdm_columns():
            ks = {c: 1.0 - KSComplement.compute(train[c], syn[c]) for c in num}
            tv = {c: 1.0 - TVComplement.compute(train[c], syn[c]) for c in cat}
            return ks, tv

        r["t_sdm_columns"], (r["sdm_ks"], r["sdm_tv"]) = best_time(sdm_columns, repeats)

        def sdm_pairs():
            corr = {f"{a}|{b}": 2 * (1.0 - CorrelationSimilarity.compute(train[[a, b]], syn[[a, b]],
                                                                        coefficient="Pearson"))
                    for i, a in enumerate(num) for b in num[i + 1:]}
            cont = {f"{a}|{b}": 1.0 - ContingencySimilarity.compute(train[[a, b]], syn[[a, b]])
                    for i, a in enumerate(cat) for b in cat[i + 1:]}
            return corr, cont

        r["t_sdm_pairs"], (r["sdm_corr"], r["sdm_cont"]) = best_time(sdm_pairs, repeats)

        # SynthEval's KS test on complete cases (it does not handle missing values), categories as codes
        cc_train, cc_syn = read("cc_train"), read(f"cc_syn_{gen}")

        def se_ks():
            res = KolmogorovSmirnovTest(cc_train, cc_syn, cat_cols=cat, num_cols=num, do_preprocessing=False,
                                        verbose=False).evaluate(n_perms=1000)
            return res

        r["t_se_ks"], res = best_time(se_ks, repeats)
        r["se_ks_num"], r["se_tv_cat"] = float(res["avg ks"]), float(res["avg tvd"])

        z_train, z_syn = read("z_train"), read(f"z_syn_{gen}")
        cols = list(z_train.columns)

        def se_mmd():
            return MaximumMeanDiscrepancy(z_train, z_syn, cat_cols=[], num_cols=cols, do_preprocessing=False,
                                          verbose=False).evaluate(use_cats=False, kernel="rbf", gamma=meta["gamma"])

        r["t_se_mmd"], res = best_time(se_mmd, repeats)
        r["se_mmd_u"] = res["u_mmd"]
        r["se_gamma_default"] = MaximumMeanDiscrepancy(z_train, z_syn, cat_cols=[], num_cols=cols,
                                                       do_preprocessing=False, verbose=False).evaluate(
            use_cats=False, kernel="rbf")["rbf_gamma"]

        f_train, f_syn, f_test = read("f_train"), read(f"f_syn_{gen}"), read("f_test")
        fcols = [c for c in f_train.columns if c != TARGET]

        def se_cls():
            return ClassificationAccuracy(f_train, f_syn, f_test, cat_cols=[TARGET], num_cols=fcols,
                                          analysis_target=TARGET, do_preprocessing=False, verbose=False).evaluate(
                cls_models=["logreg", "rf"], F1_type="micro", k_folds=2)

        r["t_se_cls"], res = best_time(se_cls, repeats)
        test_rows = res["test results"]
        r["se_cls"] = {row.model: {"trtr": 1.0 - row.TRTR_acc, "tstr": 1.0 - row.TSTR_acc}
                       for row in test_rows.itertuples()}
        result[gen] = r
    json.dump(result, open(out, "w"), indent=1)


# ----------------------------------------------------------------------------------------------- main side
def make_tables(data_dir: str) -> dict:
    """The chapter's tables, written to CSV for the peers; returns them for synutil."""
    import pandas as pd
    from palmerpenguins import load_penguins
    from sklearn.model_selection import train_test_split

    from synutil.generators import GaussianCopulaGenerator, SequentialCARTGenerator
    from synutil.tables import TableEncoder, infer_schema

    penguins = load_penguins()
    train, test = (p.reset_index(drop=True) for p in
                   train_test_split(penguins, test_size=1 / 3, stratify=penguins[TARGET], random_state=SEED))
    schema = infer_schema(train, target=TARGET)
    syn = {"copula": GaussianCopulaGenerator().fit(train).sample(len(train), random_state=SEED + 1),
           "cart": SequentialCARTGenerator().fit(train).sample(len(train), random_state=SEED + 1)}
    num, cat = list(schema.numeric), list(schema.categorical)
    enc_all = TableEncoder(schema).fit(train)              # the encoding of evaluate's fidelity and privacy checks
    enc_feat = TableEncoder(schema, columns=schema.features).fit(train)  # the models' inputs
    names_all, names_feat = list(enc_all.get_feature_names_out()), list(enc_feat.get_feature_names_out())
    z = {"train": enc_all.transform(train)}
    z.update({g: enc_all.transform(t) for g, t in syn.items()})
    # SynthEval standardises with the real mean and std (ddof 0) plus 1e-8; synutil gets the same matrices
    mean, sd = z["train"].mean(axis=0), z["train"].std(axis=0) + 1e-8
    s = {k: (v - mean) / sd for k, v in z.items()}
    pooled = {g: np.vstack([s["train"], s[g]]) for g in syn}
    from scipy.spatial.distance import cdist

    gamma = {}
    for g in syn:
        d2 = cdist(pooled[g], pooled[g], "sqeuclidean")
        gamma[g] = 1.0 / (2 * np.median(d2[d2 > 0]))  # SynthEval's default for its own table
    gamma_common = gamma["copula"]                     # one bandwidth for both tables and both libraries

    def features(df):
        out = pd.DataFrame(enc_feat.transform(df), columns=names_feat)
        out[TARGET] = df[TARGET].to_numpy()
        return out

    write = lambda df, name: df.to_csv(os.path.join(data_dir, f"{name}.csv"), index=False)  # noqa: E731
    write(train, "train")
    complete = lambda df: df.dropna().reset_index(drop=True)  # noqa: E731
    codes = {c: {v: i for i, v in enumerate(sorted(train[c].dropna().unique()))} for c in cat}
    as_codes = lambda df: df.assign(**{c: df[c].map(codes[c]) for c in cat})  # noqa: E731
    write(as_codes(complete(train)), "cc_train")
    write(pd.DataFrame(z["train"], columns=names_all), "z_train")
    write(features(train), "f_train")
    write(features(test), "f_test")
    for g, t in syn.items():
        write(t, f"syn_{g}")
        write(as_codes(complete(t)), f"cc_syn_{g}")
        write(pd.DataFrame(z[g], columns=names_all), f"z_syn_{g}")
        write(features(t), f"f_syn_{g}")
    json.dump({"numeric": num, "categorical": cat, "gamma": gamma_common}, open(os.path.join(data_dir, "meta.json"), "w"))
    return dict(train=train, test=test, syn=syn, s=s, gamma=gamma_common, gamma_each=gamma, complete=complete,
                as_codes=as_codes, features=features, num=num, cat=cat, schema=schema)


def ours(t: dict, repeats: int) -> dict:
    """synutil's numbers and timings on the same tables."""
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression

    from synutil.evaluation import evaluate
    from synutil.fidelity import mmd2
    from synutil.tables import column_fidelity, pairwise_fidelity

    train, test, num, cat = t["train"], t["test"], t["num"], t["cat"]
    out = {}
    for g, syn in t["syn"].items():
        r = {}
        r["t_columns"], cols = best_time(lambda: column_fidelity(train, syn), repeats)
        cols = cols.set_index("column")["value"]
        r["ks"] = {c: float(cols[c]) for c in num}
        r["tv"] = {c: float(cols[c]) for c in cat}
        r["t_pairs"], pw = best_time(lambda: pairwise_fidelity(train, syn), repeats)
        table = pw.table
        r["corr"] = {f"{a}|{b}": float(v) for a, b, m, v in table[["column_1", "column_2", "metric", "value"]]
                     .itertuples(index=False) if m == "abs_corr_diff"}
        r["cont"] = {f"{a}|{b}": float(v) for a, b, m, v in table[["column_1", "column_2", "metric", "value"]]
                     .itertuples(index=False) if m == "contingency_tv"}
        cc_train, cc_syn = t["as_codes"](t["complete"](train)), t["as_codes"](t["complete"](syn))
        cc = column_fidelity(cc_train.astype({c: str for c in cat}), cc_syn.astype({c: str for c in cat}))
        cc = cc.set_index("column")["value"]
        r["cc_ks_num"], r["cc_tv_cat"] = float(cc[num].mean()), float(cc[cat].mean())
        beta = 1.0 / np.sqrt(t["gamma"])  # exp(-gamma d^2 / 2) = exp(-d^2 / (2 beta^2))
        r["t_mmd"], r["mmd_u"] = best_time(lambda: mmd2(t["s"]["train"], t["s"][g], bandwidth=beta), repeats)
        models = {"logreg": LogisticRegression(solver="saga", max_iter=5000, random_state=42),
                  "rf": RandomForestClassifier(n_estimators=10, max_depth=15, random_state=42)}
        ftrain, ftest, fsyn = t["features"](train), t["features"](test), t["features"](syn)
        run = lambda: evaluate(ftrain, ftest, fsyn, target=TARGET, models=models, random_state=SEED,  # noqa: E731
                               progress=False, fidelity=False, privacy=False, n_replications=200)
        r["t_cls"], res = best_time(run, repeats)
        r["cls"] = {m: {"trtr": u.trtr, "tstr": u.tstr} for m, u in res.utility.items()}
        out[g] = r
    return out


def compare(ours_: dict, theirs: dict, t: dict) -> tuple[list, list]:
    """Rows of the agreement table and of the timing table."""
    agree, timing = [], []
    for g in GENERATORS:
        a, b = ours_[g], theirs[g]
        ks = max(abs(a["ks"][c] - b["sdm_ks"][c]) for c in t["num"])
        tv_cols = [c for c in t["cat"] if not t["train"][c].isna().any() and not t["syn"][g][c].isna().any()]
        tv = max(abs(a["tv"][c] - b["sdm_tv"][c]) for c in tv_cols)
        tv_missing = {c: (a["tv"][c], b["sdm_tv"][c]) for c in t["cat"] if c not in tv_cols}
        corr = max(abs(a["corr"][k] - b["sdm_corr"][k]) for k in b["sdm_corr"])
        cont = max(abs(a["cont"][k] - b["sdm_cont"][k]) for k in b["sdm_cont"])
        agree += [
            (g, "KS, every numeric column", "SDMetrics KSComplement", ks, "exact"),
            (g, f"TV, categorical columns without missing values ({', '.join(tv_cols)})", "SDMetrics TVComplement", tv,
             "exact"),
        ]
        for c, (x, y) in tv_missing.items():
            agree.append((g, f"TV of '{c}' (has missing values): synutil {x:.4f}, SDMetrics {y:.4f}",
                          "SDMetrics TVComplement", abs(x - y),
                          "differs by definition: synutil counts missing as a category, SDMetrics drops it"))
        agree += [
            (g, "absolute difference of Pearson correlations, every numeric pair", "SDMetrics CorrelationSimilarity",
             corr, "exact"),
            (g, "contingency TV, every categorical pair", "SDMetrics ContingencySimilarity", cont, "exact"),
            (g, "mean KS over numeric columns (complete cases)", "SynthEval ks_test", abs(a["cc_ks_num"] - b["se_ks_num"]),
             "exact"),
            (g, "mean TV over categorical columns (complete cases)", "SynthEval ks_test",
             abs(a["cc_tv_cat"] - b["se_tv_cat"]), "SynthEval rounds each TV to 4 decimals"),
            (g, f"MMD^2 (U statistic), same bandwidth: synutil {a['mmd_u']:.6f}", "SynthEval mmd",
             abs(a["mmd_u"] - b["se_mmd_u"]), "exact"),
        ]
        for m in a["cls"]:
            d = max(abs(a["cls"][m]["trtr"] - b["se_cls"][m]["trtr"]), abs(a["cls"][m]["tstr"] - b["se_cls"][m]["tstr"]))
            agree.append((g, f"TRTR / TSTR error, '{m}': synutil {a['cls'][m]['trtr']:.4f} / {a['cls'][m]['tstr']:.4f}",
                          "SynthEval cls_acc (holdout)", d, "exact"))
        timing += [
            (g, "per-column KS/TV", "SDMetrics, one call per column", b["t_sdm_columns"], a["t_columns"],
             "synutil also reports missing shares"),
            (g, "pairwise dependence", "SDMetrics, one call per pair", b["t_sdm_pairs"], a["t_pairs"],
             "synutil also computes the numeric-categorical pairs"),
            (g, "KS/TV per column", "SynthEval ks_test", b["t_se_ks"], a["t_columns"],
             "SynthEval adds a permutation test (1000 permutations) per categorical column"),
            (g, "MMD^2", "SynthEval mmd", b["t_se_mmd"], a["t_mmd"], "same matrices and bandwidth"),
            (g, "TSTR/TRTR, 2 models", "SynthEval cls_acc", b["t_se_cls"], a["t_cls"],
             "SynthEval adds 2-fold cross-validation; synutil adds 200 bootstrap resamples"),
        ]
    return agree, timing


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peer", nargs=2, metavar=("DATA_DIR", "OUT_JSON"), help=argparse.SUPPRESS)
    parser.add_argument("--peer-python", default=os.environ.get("SYNUTIL_PEERS_PYTHON", DEFAULT_PEER_PYTHON),
                        help="Python of the environment with sdmetrics and syntheval")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--append-results", action="store_true", help="append the tables to benchmarks/RESULTS.md")
    args = parser.parse_args(argv)
    if args.peer:
        peer(args.peer[0], args.peer[1], args.repeats)
        return 0
    if not os.path.exists(args.peer_python):
        print(f"no peer environment at {args.peer_python}; see the module docstring for how to make one")
        return 2
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-peers-") as data_dir:
        tables = make_tables(data_dir)
        mine = ours(tables, args.repeats)
        out = os.path.join(data_dir, "peers.json")
        env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "PYTHONPATH": ""}
        subprocess.run([args.peer_python, os.path.abspath(__file__), "--peer", data_dir, out, "--repeats",
                        str(args.repeats)], check=True, env=env)
        theirs = json.load(open(out))
    agree, timing = compare(mine, theirs, tables)
    v = theirs["versions"]
    lines = [
        "## SDMetrics and SynthEval on the penguins (issue 8, chapter \"Evaluating your own synthetic data\")",
        "",
        f"Machine: {machine()}.",
        f"Peers: SDMetrics {v['sdmetrics']}, SynthEval {v['syntheval']}, in a separate environment with pandas "
        f"{v['pandas']} (SDMetrics and its dependency copulas require pandas < 3: installing them into .venv would "
        "downgrade its pandas, as `pip install --dry-run` shows), so the two sides also run different pandas "
        "versions.",
        f"Command: `.venv/bin/python benchmarks/bench_peers.py` (best of {args.repeats}; wall time of the whole "
        f"script {time.perf_counter() - start:.0f} s). Tables: the chapter's split of the Palmer penguins "
        f"({len(tables['train'])} training and {len(tables['test'])} test rows) and its copula and CART tables "
        f"({len(tables['train'])} rows each). MMD bandwidth: SynthEval's default gamma = {tables['gamma']:.4f} for "
        "the copula table, used for both tables and both libraries.",
        "",
        "| table | quantity | peer | largest difference | note |",
        "|---|---|---|---:|---|",
    ]
    lines += [f"| {g} | {q} | {p} | {d:.1e} | {n} |" for g, q, p, d, n in agree]
    exact = max(d for *_, d, n in agree if n == "exact")
    lines += ["", f"Agreement: every quantity marked exact agrees to {exact:.0e} or better; SynthEval's TV averages "
              "agree to its 4-decimal rounding; the TV of a categorical column with missing values differs by "
              "definition (synutil counts missing as a category, as its docstring says; SDMetrics drops missing "
              "values)."]
    lines += ["", "| table | what | peer call | peer (s) | synutil (s) | ratio peer / synutil | note |",
              "|---|---|---|---:|---:|---:|---|"]
    lines += [f"| {g} | {w} | {p} | {tp:.4f} | {to:.4f} | {tp / to:.1f}x | {n} |" for g, w, p, tp, to, n in timing]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.append_results:
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "RESULTS.md")
        with open(path, "a") as fh:
            fh.write("\n" + text)
        print(f"appended to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
