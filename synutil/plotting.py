r"""Plot helpers the chapters share, and the log–log slope fit behind the rate assertions.

The rate theorems of the book predict power laws :math:`y\approx c\,x^{s}`. :func:`fit_loglog_slope`
estimates :math:`s` by least squares on :math:`(\log x,\log y)` with a t confidence interval, optionally
weighted by the standard errors of :math:`y`; :func:`loglog_plot` draws the points, error bars, the fit
and a reference slope.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from scipy import stats

from ._validation import (
    InputTypeError,
    _frame_to_array,
    as_float_array,
    check_bool,
    check_confidence,
    check_finite_result,
    check_float,
)

__all__ = ["SlopeFit", "fit_loglog_slope", "loglog_plot", "heatmap"]


@dataclass(frozen=True)
class SlopeFit:
    """A fitted power law :math:`y = e^{a} x^{s}` with a CI for the slope :math:`s`."""

    slope: float
    intercept: float
    ci_low: float
    ci_high: float
    confidence: float
    n_points: int

    def to_dict(self) -> dict:
        return asdict(self)

    def __repr__(self) -> str:
        pct = round(100 * self.confidence)
        return (
            f"SlopeFit(slope={self.slope:.3f}, {pct}% CI [{self.ci_low:.3f}, {self.ci_high:.3f}], "
            f"n_points={self.n_points})"
        )

    def predict(self, x):
        """The fitted curve :math:`e^{a}x^{s}`."""
        return np.exp(self.intercept) * np.asarray(x, dtype=float) ** self.slope


def fit_loglog_slope(x, y, *, yerr=None, confidence: float = 0.95) -> SlopeFit:
    r"""Least-squares slope of :math:`\log y` on :math:`\log x`, with a t confidence interval.

    .. math:: \log y_i = a + s\log x_i + e_i,

    weighted by :math:`w_i = (y_i/\mathrm{se}_i)^2` when standard errors ``yerr`` of ``y`` are given
    (the delta method: :math:`\mathrm{se}(\log y)\approx \mathrm{se}(y)/y`).

    Parameters
    ----------
    x, y : array-like, positive, at least 3 points.
    yerr : array-like, optional
        Standard errors of ``y``.
    confidence : float

    Examples
    --------
    >>> fit = fit_loglog_slope([1, 2, 4, 8], [3.0, 0.75, 0.1875, 0.046875])
    >>> round(fit.slope, 6), round(float(np.exp(fit.intercept)), 6)
    (-2.0, 3.0)
    """
    confidence = check_confidence(confidence)
    x = as_float_array(x, name="x", ndim=1, min_rows=3)
    y = as_float_array(y, name="y", ndim=1, min_rows=3)
    if x.shape != y.shape:
        raise ValueError(f"x and y must have the same length, got {len(x)} and {len(y)}.")
    if np.any(x <= 0) or np.any(y <= 0):
        raise ValueError("x and y must be positive to be drawn on log–log axes; drop zero or negative values.")
    lx, ly = np.log(x), np.log(y)
    if np.unique(lx).size < 2:
        raise ValueError("x must hold at least 2 distinct values to fit a slope.")
    if yerr is None:
        w = np.ones_like(lx)
    else:
        yerr = as_float_array(yerr, name="yerr", ndim=1)
        if yerr.shape != y.shape or np.any(yerr <= 0):
            raise ValueError("yerr must be positive standard errors, one per point of y.")
        with np.errstate(over="ignore"):
            w = (y / yerr) ** 2
        if not np.all(np.isfinite(w)):
            raise ValueError("yerr is too small relative to y (the weights (y/yerr)^2 overflow); give standard errors "
                             "on the scale of y.")
    design = np.column_stack([np.ones_like(lx), lx])
    sw = np.sqrt(w)
    coef, *_ = np.linalg.lstsq(design * sw[:, None], ly * sw, rcond=None)
    resid = (ly - design @ coef) * sw
    dof = len(x) - 2
    if dof > 0:
        sigma2 = resid @ resid / dof
        cov = sigma2 * np.linalg.inv((design * w[:, None]).T @ design)
        half = stats.t.ppf(0.5 + confidence / 2, dof) * np.sqrt(cov[1, 1])
    else:  # pragma: no cover - guarded by min_rows=3
        half = np.inf
    check_finite_result([coef[0], coef[1], half], what="the slope fit", fix="check x, y and yerr for extreme values")
    return SlopeFit(
        slope=float(coef[1]),
        intercept=float(coef[0]),
        ci_low=float(coef[1] - half),
        ci_high=float(coef[1] + half),
        confidence=confidence,
        n_points=len(x),
    )


def loglog_plot(ax, x, y, *, yerr=None, label=None, fit=True, reference_slope=None, color=None, marker="o"):
    """Draw ``y`` against ``x`` on log–log axes with error bars, the fitted line and a reference slope.

    Returns the :class:`SlopeFit` when ``fit`` is true, else ``None``. The legend shows the fitted
    slope with its CI, and the reference slope ``reference_slope`` (a dashed line through the
    geometric middle of the points) when given.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> fit = loglog_plot(ax, [10, 100, 1000], [1.0, 0.1, 0.01], reference_slope=-1)
    >>> round(fit.slope, 3)
    -1.0
    >>> plt.close(fig)
    """
    fit = check_bool(fit, name="fit")
    x = as_float_array(x, name="x", ndim=1)
    y = as_float_array(y, name="y", ndim=1)
    if x.shape != y.shape:
        raise ValueError(f"x and y must have the same length, got {len(x)} and {len(y)}.")
    if np.any(x <= 0) or np.any(y <= 0):
        raise ValueError("x and y must be positive to be drawn on log–log axes; drop zero or negative values.")
    if yerr is not None:
        yerr = as_float_array(yerr, name="yerr", ndim=1)
        if yerr.shape != y.shape or np.any(yerr < 0):
            raise ValueError("yerr must be non-negative standard errors, one per point of y.")
    reference_slope = check_float(reference_slope, name="reference_slope", allow_none=True)
    result = fit_loglog_slope(x, y, yerr=yerr) if fit else None
    text = label or ""
    if result is not None:
        text = f"{text}  slope {result.slope:.2f} [{result.ci_low:.2f}, {result.ci_high:.2f}]".strip()
    points = ax.errorbar(x, y, yerr=yerr, fmt=marker, color=color, capsize=3, label=text, ms=5)
    color = points[0].get_color()
    grid = np.geomspace(x.min(), x.max(), 50)
    if result is not None:
        ax.plot(grid, result.predict(grid), "-", color=color, lw=1.2, alpha=0.8)
    if reference_slope is not None:
        mid_x = np.exp(np.mean(np.log(x)))
        mid_y = np.exp(np.mean(np.log(y)))
        ax.plot(
            grid,
            mid_y * (grid / mid_x) ** reference_slope,
            "--",
            color=color,
            lw=1,
            alpha=0.6,
            label=f"reference slope {reference_slope:g}",
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    return result


def heatmap(ax, table, *, cmap="viridis", fmt=".2g", cbar_label=None, annot=True):
    """Draw a pandas DataFrame as an annotated seaborn heatmap (rows on y, columns on x).

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt, pandas as pd
    >>> fig, ax = plt.subplots()
    >>> _ = heatmap(ax, pd.DataFrame([[0.0, 1.0], [2.0, 3.0]], index=[0, 1], columns=["a", "b"]))
    >>> plt.close(fig)
    """
    import pandas as pd
    import seaborn as sns

    if not isinstance(table, pd.DataFrame):
        raise InputTypeError(f"table must be a pandas DataFrame (rows on y, columns on x), got {type(table).__name__}.")
    _frame_to_array(table, "table")  # numbers only (NaN cells are left blank by seaborn)
    return sns.heatmap(
        table,
        ax=ax,
        cmap=cmap,
        annot=annot,
        fmt=fmt,
        cbar_kws={"label": cbar_label} if cbar_label else None,
    )
