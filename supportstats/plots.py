"""LEGACY chart functions, kept only until the findings notebooks move to :func:`supportstats.draw_figure`.

The figure code now lives in :mod:`supportstats.theme` (theme, fonts),
:mod:`supportstats.charts` (chart functions in five languages, from catalog messages),
:mod:`supportstats.chartkit` (header, legend, footer) and :mod:`supportstats.figures`
(bundles: PNG, SVG, CSV and alt text in every language). These English-only functions keep
the notebooks on main running, unchanged, until each is converted; then delete this module
and take ``"plots"`` out of ``supportstats._MODULES``. ``set_theme``, ``save_figure``,
``PALETTE`` and ``DPI`` are the new modules' own.
"""
from __future__ import annotations

import os
import sys
import textwrap

import matplotlib

if not os.environ.get("MPLBACKEND") and "matplotlib.pyplot" not in sys.modules:
    matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib.ticker import FuncFormatter, PercentFormatter  # noqa: E402

from .figures import save_figure  # noqa: E402,F401  (re-exported)
from .theme import DPI, PALETTE, set_theme  # noqa: E402,F401  (re-exported)

__all__ = ["set_theme", "plot_estimates", "plot_forest", "plot_sd_sensitivity", "plot_ratio_readings",
           "plot_exclusions", "add_footer", "save_figure",
           "SYNTHETIC_NOTE", "PALETTE", "DPI"]

#: The footer's warning whenever a figure is drawn from the synthetic reconstruction.
SYNTHETIC_NOTE = "SYNTHETIC RECONSTRUCTION — not the published respondents"
_SEP = "  ·  "
_WIDTH = 8.0  # inches; an editor's single-column web figure
_FOOTER_PT = 8
_TITLE_PT = 13


# ------------------------------------------------------------------------------ helpers

def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(" ".join(str(text).split()), width=width)) if text else ""


def _columns(df: pd.DataFrame, *names):
    missing = [c for c in names if c is not None and c not in df.columns]
    if missing:
        raise KeyError(f"column {missing[0]!r} not in df; columns are {', '.join(map(str, df.columns))}")


def _scale(values, scale):
    """'share' (0–1 shown as %), 'percent' (0–100 shown as %) or None (plain numbers)."""
    if scale == "auto":
        v = np.asarray(values, dtype=float)
        v = v[np.isfinite(v)]
        return "share" if v.size and v.min() >= 0 and v.max() <= 1 else None
    if scale not in ("share", "percent", None):
        raise ValueError(f"scale must be 'auto', 'share', 'percent' or None; got scale={scale!r}")
    return scale


def _fmt(value, scale, change=False) -> str:
    if not np.isfinite(value):
        return ""
    if scale == "share":
        value *= 100
    if change:
        text = f"{value:+.0f} pp" if scale else f"{value:+.3g}"
    else:
        text = f"{value:.0f}%" if scale else f"{value:.3g}"
    return text.replace("-", "\u2212")  # a typographic minus, as the axis ticks use


def _n_text(n, df) -> str | None:
    if n is None and "n" in df.columns:
        n = pd.to_numeric(df["n"], errors="coerce").dropna()
        if n.empty:
            return None
        lo, hi = int(n.min()), int(n.max())
        return f"{lo:,}" if lo == hi else f"{lo:,}–{hi:,}"
    if n is None:
        return None
    return f"{n:,}" if isinstance(n, (int, np.integer)) else str(n)


def _new_figure(rows: int, ax):
    if ax is not None:
        return ax.figure, ax
    height = max(3.2, 1.9 + 0.5 * rows)
    fig, ax = plt.subplots(figsize=(_WIDTH, height), layout="constrained")
    return fig, ax


def _finish(fig, ax, title, n, source, synthetic, xlabel, ylabel=None):
    if len(fig.axes) == 1:  # the figure's own title, from its left edge: long labels don't clip it
        fig.suptitle(_wrap(title, int(fig.get_figwidth() * 72 / (_TITLE_PT * 0.68))), x=0.01, ha="left",
                     fontsize=_TITLE_PT, fontweight="bold")
    else:
        ax.set_title(_wrap(title, 50))
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=3, borderaxespad=0.3, handletextpad=0.4,
              columnspacing=1.5)
    ax.set_xlabel(xlabel or "")
    ax.set_ylabel(ylabel or "")
    ax.grid(axis="y", visible=False)
    add_footer(fig, n=n, source=source, synthetic=synthetic)
    return fig


def _errorbars(ax, x, y, low, high, color, marker, label, filled=True, size=8):
    err = np.vstack([x - low, high - x])
    err = np.where(np.isfinite(err), np.clip(err, 0, None), 0)
    ax.errorbar(x, y, xerr=err, fmt=marker, color=color, ecolor=color, elinewidth=2, capsize=4,
                markersize=size, markerfacecolor=color if filled else "white", markeredgewidth=1.8,
                label=label, zorder=3)


# -------------------------------------------------------------------------------- plots

def plot_estimates(df, *, title, x="estimate", y="label", ci=("ci_low", "ci_high"), published=None,
                   n=None, source=None, synthetic=False, xlabel=None, scale="auto", ax=None):
    """Draw one row per estimate: the point, its CI as error bars, and the published value.

    Parameters
    ----------
    df : DataFrame
        One row per estimate, top to bottom in row order.
    title : str
        The finding, as a sentence (wrapped when long).
    x, y : str
        Columns holding the estimate and the row label.
    ci : (str, str) or None
        Columns with the interval bounds; None draws points only.
    published : str or sequence, optional
        Column name, or one value per row, of the published figure (NaN where none);
        drawn as a hollow diamond.
    n : int or str, optional
        Respondents, for the footer (default: the ``n`` column, as a range if it varies).
    source : str, optional
        Where the numbers come from, for the footer.
    synthetic : bool
        Adds :data:`SYNTHETIC_NOTE` to the footer.
    xlabel : str, optional
        Axis label.
    scale : {"auto", "share", "percent", None}
        ``share``: values in 0–1 shown as percent; ``percent``: values already in 0–100;
        None: plain numbers; ``auto``: ``share`` when every value is within 0–1.
    ax : matplotlib Axes, optional
        Draw into this axes (the footer goes on its figure).

    Returns
    -------
    matplotlib Figure

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"label": ["2021", "2022"], "estimate": [0.28, 0.48],
    ...                    "ci_low": [0.23, 0.42], "ci_high": [0.33, 0.54], "n": [300, 310]})
    >>> fig = plot_estimates(df, title="NPS tracking rose from 28% to 48%", published=[0.28, 0.48],
    ...                      source="Benchmark report", synthetic=True)
    >>> fig.axes[0].xaxis.get_major_formatter()(0.5), SYNTHETIC_NOTE in fig.texts[-1].get_text()
    ('50%', True)
    >>> plt.close(fig)
    """
    df = pd.DataFrame(df).reset_index(drop=True)
    low_col, high_col = ci if ci is not None else (None, None)
    pub_col = published if isinstance(published, str) else None
    _columns(df, x, y, low_col, high_col, pub_col)
    est = pd.to_numeric(df[x], errors="coerce").to_numpy(float)
    low = pd.to_numeric(df[low_col], errors="coerce").to_numpy(float) if low_col else est
    high = pd.to_numeric(df[high_col], errors="coerce").to_numpy(float) if high_col else est
    if published is None:
        pub = None
    elif pub_col is not None:
        pub = pd.to_numeric(df[pub_col], errors="coerce").to_numpy(float)
    else:
        pub = np.asarray(pd.to_numeric(pd.Series(list(published)), errors="coerce"), dtype=float)
        if len(pub) != len(df):
            raise ValueError(f"published has {len(pub)} values for {len(df)} rows of df")
    scale = _scale(np.concatenate([est, low, high] + ([pub] if pub is not None else [])), scale)
    labels = df[y].astype(str).tolist()
    pos = np.arange(len(df))[::-1]  # first row on top
    colors = sns.color_palette(PALETTE)
    fig, ax = _new_figure(len(df), ax)
    level = df["level"].iloc[0] if "level" in df.columns and len(df) else 0.95
    what = f"Reproduced ({float(level):.0%} CI)" if ci is not None else "Reproduced"
    _errorbars(ax, est, pos, low, high, colors[0], "o", what)
    if pub is not None and np.isfinite(pub).any():
        ok = np.isfinite(pub)
        ax.scatter(pub[ok], pos[ok], marker="D", s=80, facecolor="none", edgecolor=colors[3], linewidth=2,
                   label="Published", zorder=4)
    span = np.nanmax(np.r_[high, est, pub if pub is not None else []]) - np.nanmin(np.r_[low, est, pub if pub is not None else []])
    span = span if np.isfinite(span) and span > 0 else 1.0
    for xi, hi, yi in zip(est, high, pos):
        right = hi if np.isfinite(hi) else xi
        ax.annotate(_fmt(xi, scale), (right, yi), xytext=(6, 0), textcoords="offset points",
                    va="center", ha="left", fontsize=9, color="0.2")
    lo_lim = np.nanmin(np.r_[low, est, pub if pub is not None else []])
    hi_lim = np.nanmax(np.r_[high, est, pub if pub is not None else []])
    if scale == "share":
        ax.set_xlim(max(0.0, lo_lim - 0.08 * span) if lo_lim >= 0 else lo_lim - 0.08 * span, hi_lim + 0.18 * span)
        ax.xaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
    elif scale == "percent":
        ax.set_xlim(lo_lim - 0.08 * span, hi_lim + 0.18 * span)
        ax.xaxis.set_major_formatter(PercentFormatter(xmax=100, decimals=0))
    else:
        ax.set_xlim(lo_lim - 0.08 * span, hi_lim + 0.18 * span)
    ax.set_yticks(pos, labels)
    ax.set_ylim(-0.6, len(df) - 0.4)
    return _finish(fig, ax, title, _n_text(n, df), source, synthetic, xlabel)


def plot_forest(df, *, title, x="estimate", y="label", ci=("ci_low", "ci_high"), n=None, source=None,
                synthetic=False, xlabel="Change on the previous wave", scale="auto", ax=None):
    """Forest plot of changes (e.g. year over year) with CIs and a zero line.

    A change whose CI excludes zero is drawn as a filled circle, one that includes zero
    as a hollow square, so the reading does not depend on colour.

    Parameters
    ----------
    df : DataFrame
        One row per change: ``x`` (the change), ``ci`` bounds and a ``y`` label.
    title, n, source, synthetic, xlabel, ax
        As in :func:`plot_estimates`.
    scale : {"auto", "share", "percent", None}
        ``share``/``percent``: the changes are in proportion/percent units and are shown as
        percentage points (``+11 pp``); ``auto`` picks ``share`` when every bound is within −1…1.

    Returns
    -------
    matplotlib Figure

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"label": ["NPS tracking", "CSAT tracking"], "estimate": [0.20, 0.03],
    ...                    "ci_low": [0.12, -0.04], "ci_high": [0.28, 0.10]})
    >>> fig = plot_forest(df, title="Year-over-year changes, 2021 → 2022", source="Benchmark report")
    >>> [t.get_text() for t in fig.axes[0].texts]
    ['+20 pp', '+3 pp']
    >>> plt.close(fig)
    """
    df = pd.DataFrame(df).reset_index(drop=True)
    _columns(df, x, y, *ci)
    est = pd.to_numeric(df[x], errors="coerce").to_numpy(float)
    low = pd.to_numeric(df[ci[0]], errors="coerce").to_numpy(float)
    high = pd.to_numeric(df[ci[1]], errors="coerce").to_numpy(float)
    if scale == "auto":
        bounds = np.r_[est, low, high]
        bounds = bounds[np.isfinite(bounds)]
        scale = "share" if bounds.size and np.abs(bounds).max() <= 1 else None
    else:
        _scale(est, scale)
    pos = np.arange(len(df))[::-1]
    colors = sns.color_palette(PALETTE)
    fig, ax = _new_figure(len(df), ax)
    ax.axvline(0, color="0.3", linewidth=1.2, zorder=1)
    excludes = (low > 0) | (high < 0)
    level = df["level"].iloc[0] if "level" in df.columns and len(df) else 0.95
    for mask, color, marker, filled, label in [
            (excludes, colors[0], "o", True, f"{float(level):.0%} CI excludes 0"),
            (~excludes, colors[1], "s", False, f"{float(level):.0%} CI includes 0")]:
        if mask.any():
            _errorbars(ax, est[mask], pos[mask], low[mask], high[mask], color, marker, label, filled=filled)
    for xi, hi, yi in zip(est, high, pos):
        ax.annotate(_fmt(xi, scale, change=True), (hi if np.isfinite(hi) else xi, yi), xytext=(6, 0),
                    textcoords="offset points", va="center", ha="left", fontsize=9, color="0.2")
    lo_lim, hi_lim = np.nanmin(np.r_[low, est, 0.0]), np.nanmax(np.r_[high, est, 0.0])
    span = (hi_lim - lo_lim) or 1.0
    ax.set_xlim(lo_lim - 0.08 * span, hi_lim + 0.2 * span)
    if scale:
        mult = 100 if scale == "share" else 1
        ax.xaxis.set_major_formatter(FuncFormatter(
            lambda v, _: f"{v * mult:+.0f} pp".replace("-", "\u2212") if round(v * mult) else "0"))
    ax.set_yticks(pos, df[y].astype(str).tolist())
    ax.set_ylim(-0.6, len(df) - 0.4)
    return _finish(fig, ax, title, _n_text(n, df), source, synthetic, xlabel)


def plot_sd_sensitivity(sens, *, title, alpha=0.05, n=None, source=None, synthetic=False, ax=None):
    """p-value of a published difference of means across assumed standard deviations.

    Draws the output of :func:`supportstats.sd_sensitivity`: the p-value (log scale)
    against the assumed SD, the ``alpha`` line, and the largest SD at which the
    difference stays significant.

    Examples
    --------
    >>> from supportstats import sd_sensitivity
    >>> fig = plot_sd_sensitivity(sd_sensitivity(78, 300, 89, 300, sds=[10, 40, 80]),
    ...                           title="+11 points stays significant up to SD 68")
    >>> fig.axes[0].get_yscale()
    'log'
    >>> plt.close(fig)
    """
    df = pd.DataFrame(sens).sort_values("sd")
    _columns(df, "sd", "p_value", "max_significant_sd")
    fig, ax = _new_figure(6, ax)
    colors = sns.color_palette(PALETTE)
    floor = 1e-16  # smaller p-values all read "far below alpha"; a 100-decade axis hides the crossing
    clipped = bool((df["p_value"] < floor).any())
    ax.plot(df["sd"], df["p_value"].clip(lower=floor), marker="o", color=colors[0],
            label="p-value (Welch t test" + ("; below 1e-16 drawn at 1e-16)" if clipped else ")"))
    ax.axhline(alpha, color=colors[3], linestyle="--", linewidth=1.5, label=f"α = {alpha:g}")
    max_sd = float(df["max_significant_sd"].iloc[0])
    ax.axvline(max_sd, color="0.4", linestyle=":", linewidth=1.5, label=f"significant up to SD ≈ {max_sd:.0f}")
    ax.set_yscale("log")
    ax.set_ylim(max(float(df["p_value"].min()), floor) / 3, 1.5)
    return _finish(fig, ax, title, n, source, synthetic, "Assumed standard deviation (points)", "p-value")


def plot_ratio_readings(grid, *, title, n=None, source=None, synthetic=False, ax=None):
    """What "k times more likely" implies across base rates, read as a risk or an odds ratio.

    Draws the output of :func:`supportstats.risk_ratio_odds_ratio` (both ``kind`` values):
    the implied share in the more likely group against the base rate.

    Examples
    --------
    >>> from supportstats import risk_ratio_odds_ratio
    >>> grid = pd.concat([risk_ratio_odds_ratio([0.1, 0.2], 4, kind=k) for k in ("risk", "odds")])
    >>> fig = plot_ratio_readings(grid, title="4x more likely")
    >>> len(fig.axes[0].lines)
    3
    >>> plt.close(fig)
    """
    df = pd.DataFrame(grid)
    _columns(df, "p0", "p1", "kind", "ratio")
    fig, ax = _new_figure(6, ax)
    colors = sns.color_palette(PALETTE)
    for (kind, sub), color, marker in zip(df.groupby("kind", sort=True), colors, ("o", "s")):
        sub = sub.sort_values("p0")
        ratio = float(sub["ratio"].iloc[0])
        ax.plot(sub["p0"], sub["p1"], marker=marker, color=color,
                label=f"read as {'an odds' if kind == 'odds' else 'a risk'} ratio of {ratio:g}")
    lim = float(np.nanmax(df["p0"])) * 1.05
    ax.plot([0, lim], [0, lim], color="0.5", linestyle=":", linewidth=1, label="no difference")
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_ylim(0, 1.02)
    return _finish(fig, ax, title, n, source, synthetic, "Base rate among the comparison group",
                   "Implied rate in the 'more likely' group")


def plot_exclusions(by_step, *, title, n=None, source=None, synthetic=False, ax=None):
    """Stacked bars of excluded raw rows by cleaning step, one bar per wave.

    Parameters
    ----------
    by_step : DataFrame
        Rows are cleaning steps, columns are waves, values are excluded row counts.

    Examples
    --------
    >>> t = pd.DataFrame({"w1": [3, 5], "w2": [1, 2]}, index=["deduplicate", "drop_tests"])
    >>> fig = plot_exclusions(t, title="Exclusions")
    >>> len(fig.axes[0].patches)
    4
    >>> plt.close(fig)
    """
    table = pd.DataFrame(by_step).T  # one row per wave
    table = table.loc[:, table.sum(axis=0) > 0]
    fig, ax = _new_figure(len(table) + 2, ax)
    colors = sns.color_palette(PALETTE, n_colors=max(len(table.columns), 3))
    left = np.zeros(len(table))
    pos = np.arange(len(table))[::-1]
    for step, color in zip(table.columns, colors):
        ax.barh(pos, table[step].to_numpy(float), left=left, color=color, label=str(step).replace("_", " "))
        left += table[step].to_numpy(float)
    ax.set_yticks(pos, [str(i).replace("_", " ") for i in table.index])
    return _finish(fig, ax, title, n, source, synthetic, "Excluded raw rows")


# ------------------------------------------------------------------------ footer, saving

def add_footer(fig, *, n=None, source=None, synthetic=False):
    """Write the footer: ``n = …  ·  Source: …  ·  SYNTHETIC RECONSTRUCTION — …``.

    One line when it fits the figure's width; otherwise the synthetic warning gets a line
    of its own, so it is never the part that wraps or is cut. Space is reserved below the
    axes (constrained layout), so the footer does not overlap the tick labels. Calling it
    again replaces the footer.

    Examples
    --------
    >>> fig, ax = plt.subplots(figsize=(10, 4), layout="constrained")
    >>> add_footer(fig, n=1200, source="Trends report 2022", synthetic=True).get_text()
    'n = 1,200  ·  Source: Trends report 2022  ·  SYNTHETIC RECONSTRUCTION — not the published respondents'
    >>> add_footer(fig, n="298–305", source="Benchmark report").get_text()
    'n = 298–305  ·  Source: Benchmark report'
    >>> plt.close(fig)
    """
    for old in [t for t in fig.texts if t.get_gid() == "supportstats-footer"]:
        old.remove()
    parts = []
    if n is not None:
        parts.append(f"n = {n:,}" if isinstance(n, (int, np.integer)) else f"n = {n}")
    if source:
        parts.append(f"Source: {source}")
    width = max(40, int(fig.get_figwidth() * 72 / (_FOOTER_PT * 0.6)))  # DejaVu Sans ~0.6 em a char
    full = _SEP.join(parts + ([SYNTHETIC_NOTE] if synthetic else []))
    if len(full) <= width:
        lines = [full]
    else:
        lines = textwrap.wrap(_SEP.join(parts), width=width, break_on_hyphens=False)
        lines += [SYNTHETIC_NOTE] if synthetic else []
    footer = fig.text(0.01, 0.012, "\n".join(lines), ha="left", va="bottom", fontsize=_FOOTER_PT,
                      color="#8a3b00" if synthetic else "0.3", gid="supportstats-footer", linespacing=1.4)
    reserve = (len(lines) * _FOOTER_PT * 1.45 + 10) / 72 / fig.get_figheight()
    engine = fig.get_layout_engine()
    if engine is not None and hasattr(engine, "set") and "rect" in engine.get():
        engine.set(rect=(0, reserve, 1, 1 - reserve))
    else:
        fig.subplots_adjust(bottom=max(fig.subplotpars.bottom, reserve + 0.08))
    return footer
