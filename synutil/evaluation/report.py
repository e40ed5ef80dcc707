"""A self-contained HTML report of :func:`synutil.evaluate.evaluate`: one file, inline CSS, figures as base64 PNG.

The file needs nothing else (no scripts, fonts, stylesheets or network) and opens in any browser or mail client.
Figures are drawn with matplotlib's object API (:class:`matplotlib.figure.Figure`), so writing a report never
changes the pyplot backend or the open figures of a notebook.

Sections: headline (utility per model with intervals, ranking agreement), fidelity (per-column table and bar
figure, pairwise-dependence heatmap, MMD and two-sample AUC with the real-test baseline), privacy (DCR histograms
of synthetic and held-out rows), the schema, how to read each number, the seed and the versions.
"""

from __future__ import annotations

import base64
import html
import io
import math
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["write_report", "render_report"]

_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;margin:2rem auto;max-width:1100px;
color:#1f2328;line-height:1.45;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{border-bottom:1px solid #d0d7de;padding-bottom:.2rem;margin-top:2.2rem}
table{border-collapse:collapse;margin:.6rem 0;font-size:.9rem}th,td{border:1px solid #d0d7de;padding:.25rem .55rem;
text-align:left;vertical-align:top}th{background:#f6f8fa}
.meta{color:#57606a;font-size:.92rem}.note{color:#57606a;font-size:.88rem;max-width:60rem}
.good{color:#1a7f37;font-weight:600}.bad{color:#cf222e;font-weight:600}.neutral{color:#9a6700;font-weight:600}
figure{margin:.8rem 0}figure img{max-width:100%;border:1px solid #eaeef2}figcaption{color:#57606a;font-size:.88rem}
code{background:#f6f8fa;padding:0 .25rem;border-radius:3px}
"""

_READ = [
    ("TRTR / TSTR risk", "lower is better", "the loss's range",
     "real-test risk of a model trained on real (TRTR) or synthetic (TSTR) data"),
    ("signed gap TSTR - TRTR", "closer to 0 is better", "[-(high - low), high - low]",
     "> 0: training on synthetic data costs this much risk; < 0: it helped (often noise)"),
    ("utility |gap|", "lower is better", "[0, high - low]", "0 = synthetic data is as useful as real data"),
    ("Kendall tau", "higher is better", "[-1, 1]",
     "agreement of the real and synthetic orderings of the models; 1 = same order, -1 = reversed"),
    ("P(same order)", "higher is better", "[0, 1]", "share of resamples/replications with exactly the same order"),
    ("KS (numeric column)", "lower is better", "[0, 1]", "largest gap between the two empirical CDFs"),
    ("TV (categorical / boolean column)", "lower is better", "[0, 1]",
     "total variation of the category frequencies (missing counts as a category)"),
    ("pairwise dependence", "lower is better", "[0, 1] (scaled)",
     "|difference of correlations| / 2, contingency-table TV, |difference of correlation ratios|"),
    ("MMD^2", "lower is better", "[0, 2]", "kernel distance of the two encoded tables; can be slightly < 0 (unbiased)"),
    ("C2ST AUC", "closer to 0.5 is better", "[0, 1]",
     "cross-validated AUC of a classifier telling real from synthetic rows; 0.5 = indistinguishable"),
    ("DCR", "not below the real-test baseline", "[0, inf)",
     "distance of each row to its closest real training row (encoded, standardised)"),
    ("exact-copy share", "not above the baseline", "[0, 1]", "share of rows equal to some real training row"),
    ("baseline", "", "", "the same metric for the held-out real test table: the value a perfect generator would "
     "reach up to sampling noise"),
]


def _png(fig) -> str:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _figure(data: str, alt: str, caption: str) -> str:
    return (f'<figure><img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>")


def _num(v, digits=3, sign=False) -> str:
    if v is None or (isinstance(v, (float, np.floating)) and not math.isfinite(v)):
        return "n/a"
    return f"{v:+.{digits}f}" if sign else f"{v:.{digits}f}"


def _ci(lo, hi, digits=3, sign=False) -> str:
    return f"[{_num(lo, digits, sign)}, {_num(hi, digits, sign)}]"


def _table(df: pd.DataFrame, *, index=False, digits=4) -> str:
    return df.to_html(index=index, escape=True, na_rep="n/a", border=0,
                      float_format=lambda v: f"{v:.{digits}g}")


def _gap_figure(res) -> str:
    from matplotlib.figure import Figure

    names = list(res.utility)
    fig = Figure(figsize=(6.5, 0.5 + 0.45 * len(names)))
    ax = fig.add_subplot()
    for i, name in enumerate(names):
        u = res.utility[name].utility
        ax.errorbar(u.signed_gap, i, xerr=[[u.signed_gap - u.ci_low], [u.ci_high - u.signed_gap]], fmt="o",
                    color="#0969da", capsize=4)
    ax.axvline(0.0, color="0.4", lw=1, ls="--")
    ax.set_yticks(range(len(names)), names)
    ax.invert_yaxis()
    ax.set_xlabel(f"signed gap TSTR - TRTR ({res.loss.name}); > 0: synthetic training is worse")
    return _png(fig)


def _column_figure(cols: pd.DataFrame) -> str:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.5, 0.6 + 0.32 * len(cols)))
    ax = fig.add_subplot()
    y = np.arange(len(cols))
    labels = [f"{c} ({m.upper()})" for c, m in zip(cols["column"], cols["metric"])]
    ax.barh(y - 0.2, cols["value"].fillna(0.0), height=0.4, color="#0969da", label="synthetic vs real train")
    ax.barh(y + 0.2, cols["baseline"].fillna(0.0), height=0.4, color="#afb8c1", label="real test vs real train")
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlim(0, max(0.05, float(np.nanmax(np.r_[cols["value"], cols["baseline"], 0.0])) * 1.15))
    ax.set_xlabel("KS (numeric) or TV (categorical, boolean): lower is better, range [0, 1]")
    ax.legend(loc="lower right", fontsize=8)
    return _png(fig)


def _pairwise_figure(pairwise, columns) -> str | None:
    from matplotlib.figure import Figure

    table = pairwise.table
    if table.empty:
        return None
    cols = [c for c in columns if c in set(table["column_1"]) | set(table["column_2"])]
    pos = {c: i for i, c in enumerate(cols)}
    mat = np.full((len(cols), len(cols)), np.nan)
    for row in table.itertuples():
        v = row.value / (2.0 if row.metric == "abs_corr_diff" else 1.0)
        mat[pos[row.column_1], pos[row.column_2]] = mat[pos[row.column_2], pos[row.column_1]] = v
    size = 1.8 + 0.45 * len(cols)
    fig = Figure(figsize=(size + 1.2, size))
    ax = fig.add_subplot()
    im = ax.imshow(np.ma.masked_invalid(mat), cmap="Reds", vmin=0.0, vmax=max(0.1, float(np.nanmax(mat))))
    labels = [str(c) for c in cols]
    ax.set_xticks(range(len(cols)), labels, rotation=45, ha="right")
    ax.set_yticks(range(len(cols)), labels)
    if len(cols) <= 15:
        for i in range(len(cols)):
            for j in range(len(cols)):
                if np.isfinite(mat[i, j]):
                    ax.text(j, i, f"{mat[i, j]:.2f}", ha="center", va="center", fontsize=7)
    fig.colorbar(im, ax=ax, shrink=0.8, label="difference (scaled to [0, 1]); lower is better")
    return _png(fig)


def _dcr_figure(p) -> str:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.5, 3.2))
    ax = fig.add_subplot()
    both = np.r_[p.dcr_synthetic, p.dcr_test]
    hi = float(np.quantile(both, 0.99)) if both.size else 1.0
    bins = np.linspace(0.0, max(hi, 1e-9), 40)
    ax.hist(np.clip(p.dcr_synthetic, 0, hi), bins=bins, alpha=0.6, density=True, color="#0969da",
            label=f"synthetic rows (median {p.median_synthetic:.3g})")
    ax.hist(np.clip(p.dcr_test, 0, hi), bins=bins, alpha=0.6, density=True, color="#afb8c1",
            label=f"held-out real rows (median {p.median_test:.3g})")
    ax.set_xlabel("distance to the closest real training row (encoded, standardised)")
    ax.set_ylabel("density")
    ax.legend(fontsize=8)
    return _png(fig)


def _verdict(u) -> str:
    if u.ci_low > 0:
        return '<span class="bad">synthetic worse</span>'
    if u.ci_high < 0:
        return '<span class="good">synthetic better</span>'
    return '<span class="neutral">no detectable gap</span>'


def _headline(res) -> str:
    pct = f"{100 * res.confidence:g}%"
    rows = []
    for name, m in res.utility.items():
        u = m.utility
        rows.append(f"<tr><td>{html.escape(name)}</td><td>{_num(m.trtr)} {_ci(*m.trtr_ci)}</td>"
                    f"<td>{_num(m.tstr)} {_ci(*m.tstr_ci)}</td><td>{_num(u.signed_gap, sign=True)} "
                    f"{_ci(u.ci_low, u.ci_high, sign=True)}</td><td>{_num(u.utility)} "
                    f"{_ci(u.utility_ci_low, u.utility_ci_high)}</td><td>{_verdict(u)}</td></tr>")
    out = [f"<table><tr><th>model</th><th>TRTR risk [{pct} CI]</th><th>TSTR risk [{pct} CI]</th>"
           f"<th>gap TSTR - TRTR [{pct} CI]</th><th>utility |gap| [{pct} CI]</th><th>reading</th></tr>",
           *rows, "</table>"]
    given = [(n, m.given_test) for n, m in res.utility.items() if m.given_test is not None]
    if given:
        out.append("<p class='note'>Holding the real test set fixed, the book's paired interval over the "
                   f"{res.n_replications} replications (covers the generator's and the learners' randomness only): "
                   + "; ".join(f"{html.escape(n)} {_ci(g.ci_low, g.ci_high, sign=True)}" for n, g in given) + ".</p>")
    if res.ranking is not None:
        r = res.ranking
        unit = "bootstrap resamples of the test set" if res.generator is None else "replications"
        out.append(
            f"<table><tr><th>ranking agreement</th><th>value</th><th>{pct} CI</th></tr>"
            f"<tr><td>Kendall tau, real vs synthetic ordering</td><td>{_num(res.kendall_tau, 2)}</td>"
            f"<td>{_ci(*res.kendall_tau_ci, digits=2)}</td></tr>"
            f"<tr><td>P(same order) over {unit}</td><td>{_num(r.p_same_order, 2)}</td>"
            f"<td>{_ci(*r.p_same_order_ci, digits=2)}</td></tr>"
            f"<tr><td>top-1 agreement (same best model)</td><td>{_num(r.top1_agreement, 2)}</td>"
            f"<td>{_ci(*r.top1_agreement_ci, digits=2)}</td></tr></table>")
    out.append(_figure(_gap_figure(res), "gap per model", f"Signed gap TSTR - TRTR per model with its {pct} interval; "
                       "the dashed line is no gap."))
    return "\n".join(out)


def _fidelity(res) -> str:
    f = res.fidelity
    if f is None:
        return "<p class='note'>Not computed (fidelity=False).</p>"
    cols = f.columns
    show = cols[["column", "kind", "metric", "value", "baseline", "missing_real", "missing_synthetic", "note"]].rename(
        columns={"value": "synthetic", "baseline": "real test (baseline)"})
    out = [_table(show), _figure(_column_figure(cols), "per-column fidelity",
                                 "Per-column distance to real train: synthetic (blue) and held-out real rows (grey).")]
    pw = f.pairwise
    out.append(f"<p>Pairwise dependence, mean over {pw.n_pairs} pairs (scaled to [0, 1]): <b>{_num(pw.mean)}</b> "
               f"(real test baseline {_num(f.pairwise_baseline.mean)}); by metric: "
               + html.escape(", ".join(f"{k} {v:.3f}" for k, v in pw.by_metric.items())) + ".</p>")
    heat = _pairwise_figure(pw, list(res.schema.columns))
    if heat is not None:
        out.append(_figure(heat, "pairwise dependence difference",
                           "Difference of pairwise dependence between real train and synthetic: |correlation "
                           "difference|/2 (numeric pairs), contingency TV (categorical pairs), |correlation-ratio "
                           "difference| (mixed pairs)."))
    out.append(
        "<table><tr><th>whole table (encoded, standardised)</th><th>synthetic</th><th>real test (baseline)</th>"
        f"<th>reading</th></tr><tr><td>MMD^2 (Gaussian kernel, bandwidth {f.bandwidth:.3g})</td>"
        f"<td>{_num(f.mmd2, 4)}</td>"
        f"<td>{_num(f.mmd2_baseline, 4)}</td><td>lower is better</td></tr>"
        f"<tr><td>C2ST AUC (5-fold, gradient boosting)</td><td>{_num(f.c2st.auc)} &plusmn; {_num(f.c2st.auc_std)}</td>"
        f"<td>{_num(f.c2st_baseline.auc)} &plusmn; {_num(f.c2st_baseline.auc_std)}</td><td>0.5 = indistinguishable</td>"
        f"</tr></table><p class='note'>MMD and the two-sample classifier use at most {f.max_rows} rows per table.</p>")
    return "\n".join(out)


def _privacy(res) -> str:
    p = res.privacy
    if p is None:
        return "<p class='note'>Not computed (privacy=False).</p>"
    cls = "bad" if p.verdict == "memorisation signal" else "good"
    return "\n".join([
        f"<p>Verdict: <span class='{cls}'>{html.escape(p.verdict)}</span> (Mann-Whitney p = {p.p_value:.3g}, "
        f"P(synthetic row closer than a held-out row) = {p.prob_closer:.3f}, 0.5 = alike; exact copies Fisher p = "
        f"{p.p_value_copies:.3g}; level {p.alpha:g}).</p>",
        _table(p.to_frame().reset_index()),
        _figure(_dcr_figure(p), "DCR histograms", "Distance to the closest real training row: synthetic rows against "
                "held-out real rows (the baseline). Synthetic mass piled near 0 is a memorisation signal."),
        "<p class='note'>An empirical check, not a guarantee: only a differentially private generator bounds the leak."
        "</p>"])


def _check_result(res) -> None:
    from .result import EvaluationResult

    if not isinstance(res, EvaluationResult):
        raise ValueError(f"res must be the EvaluationResult of synutil.evaluate(...), got {type(res).__name__}.")


def render_report(res) -> str:
    """The report as one HTML string (see :func:`write_report`)."""
    _check_result(res)
    e = html.escape
    pct = f"{100 * res.confidence:g}%"
    meta = (f"target <code>{e(str(res.target))}</code> ({e(res.task)}); loss: {e(res.loss.name)} "
            f"({e(res.loss.direction)}, range {e(res.loss.range_text)}); rows: "
            + e(", ".join(f"{k} {v}" for k, v in res.n_rows.items())))
    scheme = (f"Scheme <b>{e(res.scheme)}</b>: {e(res.scheme_note)}. "
              f"{res.n_replications} {'bootstrap resamples' if res.generator is None else 'replications'}"
              + ("" if res.generator is None else f" (generator {e(res.generator)}, {res.n_boot} bootstrap resamples)")
              + f"; {pct} intervals.")
    if res.loss.note:
        scheme += f" Loss: {e(res.loss.note)}."
    schema = res.schema.to_frame().reset_index()
    read = pd.DataFrame(_READ, columns=["number", "direction", "range", "meaning"])
    versions = ", ".join(f"{k} {v}" for k, v in res.versions.items())
    body = [
        "<h1>Synthetic data evaluation</h1>", f"<p class='meta'>{meta}</p>", f"<p class='note'>{scheme}</p>",
        "<h2 id='headline'>Headline: utility and ranking</h2>", _headline(res),
        "<h2 id='fidelity'>Fidelity</h2>", _fidelity(res),
        "<h2 id='privacy'>Privacy</h2>", _privacy(res),
        "<h2 id='schema'>Schema</h2>", _table(schema),
        "<h2 id='how-to-read'>How to read each number</h2>", _table(read),
        "<h2 id='reproducibility'>Seed and versions</h2>",
        f"<p>Seed <code>{res.seed}</code> (pass <code>random_state={res.seed}</code> or <code>--seed {res.seed}</code> "
        f"to reproduce these numbers). Models: {e(', '.join(res.models))}.</p><p class='meta'>{e(versions)}</p>",
    ]
    return ("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'><meta name='viewport' "
            "content='width=device-width, initial-scale=1'><title>synutil evaluation: "
            f"{e(str(res.target))}</title><style>{_CSS}</style></head><body>\n" + "\n".join(body)
            + "\n</body></html>\n")


def write_report(res, path) -> Path:
    """Write the self-contained HTML report of an :class:`~synutil.evaluate.EvaluationResult` to ``path``.

    Returns the path. The file embeds its CSS and figures (base64 PNG) and loads nothing else.
    """
    _check_result(res)
    if not isinstance(path, (str, Path)) or str(path) == "":
        raise ValueError(f"path must be the name of the HTML file to write (a str or a pathlib.Path), got "
                         f"{path!r}.")
    path = Path(path)
    if path.parent and not path.parent.exists():
        raise ValueError(f"the folder {str(path.parent)!r} of the report does not exist; create it first.")
    if path.is_dir():
        raise ValueError(f"path {str(path)!r} is a folder; pass a file name such as {str(path / 'report.html')!r}.")
    text = render_report(res)
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise ValueError(f"the report could not be written to path {str(path)!r}: {error.strerror or error}; "
                         "choose a file in a folder you can write to.") from None
    return path
