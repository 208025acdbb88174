"""Chart functions: one tidy DataFrame in, one figure in one language out.

Every chart takes its text as ``str`` or :class:`~supportstats.messages.Msg` and its row
labels as codes or claim ids (labelled through :func:`~supportstats.messages.label`), so the
same call draws the figure in any of the five languages. Each returned figure carries

* ``fig.supportstats_table``: exactly the numbers drawn, one row per mark, labels in the
  figure's language (what :func:`supportstats.figures.draw_figure` writes as ``NAME.csv``);
* ``fig.supportstats_alt``: the alt text, the finding and its numbers in a sentence or two.

One unit per axis: rows whose units differ go in separate panels (``panel=``), each with its
own axis label and scale. Percent axes have ticks at whole percents.
"""
from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt  # noqa: F401  (examples close their figures)
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.container import ErrorbarContainer
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from . import chartkit as kit
from .messages import label, msg
from .theme import PALETTE, theme_context

__all__ = ["plot_estimates", "plot_forest", "plot_sd_sensitivity", "plot_ratio_readings", "plot_exclusions"]

def _themed(chart):
    """Draw ``chart`` inside its language's theme, so text gets that language's fonts."""
    import functools

    @functools.wraps(chart)
    def draw(*args, lang="en", **kwargs):
        with theme_context(lang):
            return chart(*args, lang=lang, **kwargs)

    return draw


_READINGS = {"published": "legend.published_moe", "published_max": "legend.published_max_moe",
             "estimate": "legend.estimate_ci", "synthetic": "legend.synthetic_ci"}


def _columns(df: pd.DataFrame, *names):
    missing = [c for c in names if c is not None and c not in df.columns]
    if missing:
        raise KeyError(f"column {missing[0]!r} not in df; columns are {', '.join(map(str, df.columns))}")


def _numbers(df, col, mult=1.0):
    """A column as floats, scaled (shares to percent) without float noise (0.55 * 100 = 55, not 55.000…01)."""
    if not col:
        return None
    values = pd.to_numeric(df[col], errors="coerce").to_numpy(float)
    return values if mult == 1 else np.round(values * mult, 10)


def _unit(values, scale):
    """('percent', multiplier) for shares and percents, ('number', 1) for plain numbers."""
    if scale == "auto":
        v = np.asarray(values, dtype=float)
        v = v[np.isfinite(v)]
        scale = "share" if v.size and v.min() >= -1 and v.max() <= 1 else None
    if scale not in ("share", "percent", None):
        raise ValueError(f"scale must be 'auto', 'share', 'percent' or None; got scale={scale!r}")
    return ("percent", 100.0) if scale == "share" else ("percent", 1.0) if scale == "percent" else ("number", 1.0)


def _per_panel(value, key):
    return value.get(key) if isinstance(value, Mapping) else value


def _panels(df, panel):
    if panel is None:
        if "unit" in df.columns and df["unit"].nunique() > 1:
            raise ValueError(f"one unit per axis: rows are in {', '.join(map(str, pd.unique(df['unit'])))}; "
                             "pass panel='unit' to draw each unit in its own panel")
        return [(None, df)]
    _columns(df, panel)
    return [(key, df[df[panel] == key]) for key in pd.unique(df[panel])]


def _limits(ax, lo, hi, unit, zero=False):
    lo, hi = float(np.nanmin(lo)), float(np.nanmax(hi))
    if zero:
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    span = (hi - lo) or 1.0
    left = lo - 0.08 * span
    if unit == "percent" and lo >= 0 and not zero:
        left = max(0.0, left)
    ax.set_xlim(left, hi + 0.2 * span)


def _finish(fig, axes, *, title, subtitle, lang, n, source, synthetic, xlabels):
    handles, names = [], []
    for ax, xlabel in zip(axes, xlabels):
        ax.set_xlabel(kit.literal(kit.text(xlabel, lang)))
        ax.set_ylabel("")
        ax.grid(axis="y", visible=False)
        for handle, name in zip(*ax.get_legend_handles_labels()):
            if name not in names:  # one legend for every panel: a marker may appear in only one
                handles.append(handle)
                names.append(name)
    kit.header(fig, title, subtitle, lang)
    # intervals first (matplotlib lists error-bar containers after markers)
    order = sorted(range(len(handles)), key=lambda i: not isinstance(handles[i], ErrorbarContainer))
    kit.legend(fig, [handles[i] for i in order], [names[i] for i in order])
    kit.add_footer(fig, n=n, source=source, synthetic=synthetic, lang=lang)
    return fig


def _source_text(source, lang):
    return kit.text(source, lang) if source else ""


# ------------------------------------------------------------------------------- charts

@_themed
def plot_estimates(df, *, title, subtitle=None, lang="en", x="estimate", y="label", ci=("ci_low", "ci_high"),
                   published=None, reading="published", panel=None, labels=None, n=None, level=None,
                   source=None, synthetic=False, xlabel=None, scale="auto", fig_width=None, fig_height=None):
    """One row per estimate: the point with its interval as error bars (and the published value).

    Parameters
    ----------
    df : DataFrame
        One row per estimate, top to bottom in row order.
    title : str or Msg
        The finding, as a sentence (e.g. from :func:`supportstats.titles.finding_title`).
    subtitle : str or Msg, optional
        What is measured and on whom.
    lang : str
        Language of every text drawn (one of :data:`supportstats.messages.LANGUAGES`).
    x, y : str
        Columns of the value and of the row's code (a catalog label id, a claim id, a year
        or a :class:`Msg`; see ``labels``).
    ci : (str, str) or None
        Columns with the interval bounds; None draws points only.
    published : str, optional
        Column of published values to mark (hollow diamonds), for ``reading="estimate"``.
    reading : {"published", "published_max", "estimate", "synthetic"}
        What the points are: a published value with its margin of error at the assumed n
        (simple random sample; ``published_max``: the largest margin any SD allows, for a
        mean without a published SD), an estimate from respondent data, or the synthetic
        reconstruction. Chooses the legend; never "Reproduced".
    panel : str, optional
        Column splitting rows into panels, one unit each (e.g. IQS 0–100 and NPS −100..100).
    labels : mapping, optional
        Display labels for codes, ``{code: text}`` or ``{code: {lang: text}}`` (a survey
        definition's labels); codes not in it are looked up in the catalog.
    n : int or Msg, optional
        Respondents, for the legend (default: the ``n`` column, as a range if it varies).
    level : float, optional
        Confidence level (default: the ``level`` column, else 0.95).
    source : str or Msg, optional
        Where the numbers come from, for the footer.
    synthetic : bool
        Adds the synthetic-reconstruction warning to the footer.
    xlabel : str, Msg or mapping of panel → label, optional
    scale : {"auto", "share", "percent", None} or mapping of panel → scale
        ``share``: values 0–1 drawn as percent; ``percent``: already 0–100; None: plain
        numbers; ``auto``: ``share`` when every value is within 0–1.
    fig_width, fig_height : float, optional
        Inches (default 8 wide, height from the rows).

    Returns
    -------
    matplotlib Figure
        With ``supportstats_table`` (label, estimate, ci_low, ci_high, [published], n,
        level, unit, source) and ``supportstats_alt``.

    Examples
    --------
    >>> df = pd.DataFrame({"label": ["trends_2022.team_burnout", "trends_2022.leader_burnout"],
    ...                    "estimate": [0.64, 0.55], "ci_low": [0.613, 0.522], "ci_high": [0.667, 0.578],
    ...                    "n": 1214})
    >>> fig = plot_estimates(df, title="64% say their team burned out", lang="es",
    ...                      source=msg("source.trends", year=2022), synthetic=True)
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]  # first row on top
    ['Equipo agotado (2022)', 'Responsable personalmente agotado (2022)']
    >>> fig.axes[0].xaxis.get_major_formatter()(50, 0), fig.supportstats_table["estimate"].tolist()
    ('50\\xa0%', [64.0, 55.0])
    >>> plt.close(fig)
    """
    if reading not in _READINGS:
        raise ValueError(f"reading must be one of {', '.join(_READINGS)}; got reading={reading!r}")
    df = pd.DataFrame(df).reset_index(drop=True)
    low_col, high_col = ci if ci is not None else (None, None)
    _columns(df, x, y, low_col, high_col, published)
    if level is None:
        level = float(df["level"].iloc[0]) if "level" in df.columns and len(df) else 0.95
    colors = sns.color_palette(PALETTE)
    groups = _panels(df, panel)
    fig, axes = kit.new_figure([len(g) for _, g in groups], lang, fig_width, fig_height)
    n_text = kit.n_msg(n, df)
    what = msg(_READINGS[reading], level=level, n=n_text if n_text is not None else "?")
    tables, xlabels = [], []
    for ax, (key, sub) in zip(axes, groups):
        unit, mult = _unit(np.r_[_numbers(sub, x), _numbers(sub, low_col) if low_col else []],
                           _per_panel(scale, key))
        est = _numbers(sub, x, mult)
        low = _numbers(sub, low_col, mult) if low_col else est
        high = _numbers(sub, high_col, mult) if high_col else est
        pub = _numbers(sub, published, mult) if published else None
        pos = np.arange(len(sub))[::-1]
        err = np.vstack([est - low, high - est])
        err = np.where(np.isfinite(err), np.clip(err, 0, None), 0)
        ax.errorbar(est, pos, xerr=err if ci is not None else None, fmt="o", color=colors[0], ecolor=colors[0],
                    elinewidth=2, capsize=4, markersize=8, label=kit.text(what, lang), zorder=3)
        if pub is not None and np.isfinite(pub).any():
            ok = np.isfinite(pub)
            ax.scatter(pub[ok], pos[ok], marker="D", s=80, facecolor="none", edgecolor=colors[3], linewidth=2,
                       label=msg("legend.published").render(lang), zorder=4)
        for xi, hi, yi in zip(est, high, pos):
            ax.annotate(kit.value_text(xi, unit, lang), (hi if np.isfinite(hi) else xi, yi), xytext=(6, 0),
                        textcoords="offset points", va="center", ha="left", fontsize=9, color="0.2")
        _limits(ax, np.r_[low, est, pub if pub is not None else []],
                np.r_[high, est, pub if pub is not None else []], unit)
        kit.format_axis(ax.xaxis, unit, lang)
        names = [label(v, lang, labels) for v in sub[y]]
        ax.set_yticks(pos, [kit.literal(kit.wrap(t, fig.get_figwidth() * 72 * 0.42, 10)) for t in names])
        ax.set_ylim(-0.6, len(sub) - 0.4)
        if panel is not None and len(groups) > 1:
            ax.set_title(kit.literal(label(key, lang, labels)), y=1.0, pad=6)
        xlabels.append(_per_panel(xlabel, key))
        table = pd.DataFrame({"label": names, "estimate": est, "ci_low": low, "ci_high": high})
        if panel is not None:
            table.insert(0, "panel", label(key, lang, labels))
        if pub is not None:
            table["published"] = pub
        table["n"] = pd.to_numeric(sub["n"], errors="coerce").to_numpy() if "n" in sub.columns else np.nan
        table["level"], table["unit"] = level, unit
        tables.append(table)
    table = pd.concat(tables, ignore_index=True).assign(source=_source_text(source, lang))
    _finish(fig, axes, title=title, subtitle=subtitle, lang=lang, n=None, source=source, synthetic=synthetic,
            xlabels=xlabels)
    units = dict(zip(table["label"], table["unit"]))
    items = [msg("alt.estimate_item", label=row.label, value=kit.value_text(row.estimate, units[row.label], lang),
                 low=kit.value_text(row.ci_low, units[row.label], lang),
                 high=kit.value_text(row.ci_high, units[row.label], lang)).render(lang)
             for row in table.itertuples()]
    fig.supportstats_table = table
    fig.supportstats_alt = msg("alt.estimates", title=kit.text(title, lang), items=_join(items, lang)).render(lang)
    return fig


@_themed
def plot_forest(df, *, title, subtitle=None, lang="en", x="estimate", y="label", ci=("ci_low", "ci_high"),
                panel=None, labels=None, level=None, n=None, source=None, synthetic=False, xlabel=None,
                scale="auto", fig_width=None, fig_height=None):
    """Forest plot of changes (e.g. year over year) with their intervals and a zero line.

    A change whose interval excludes zero is a filled circle, one that includes zero a
    hollow square, so the reading does not depend on colour. Changes in different units
    (means in points, shares in percentage points) go in separate panels (``panel=``).

    Parameters are as in :func:`plot_estimates`; ``scale`` ``share``/``percent`` draws the
    changes as percentage points (``+11 pp``), None as points (``+11``).

    Examples
    --------
    >>> df = pd.DataFrame({"label": ["benchmark_2022.csat_change_pp", "nps_tracking_change"],
    ...                    "estimate": [11.0, 0.20], "ci_low": [8.6, 0.12], "ci_high": [13.4, 0.27],
    ...                    "unit": ["points", "share"]})
    >>> fig = plot_forest(df, title="Two changes", panel="unit", scale={"points": None, "share": "share"},
    ...                   labels={"points": "CSAT", "share": "NPS tracking"})
    >>> [[t.get_text() for t in ax.texts] for ax in fig.axes]
    [['+11'], ['+20 pp']]
    >>> plt.close(fig)
    """
    df = pd.DataFrame(df).reset_index(drop=True)
    _columns(df, x, y, *ci)
    if level is None:
        level = float(df["level"].iloc[0]) if "level" in df.columns and len(df) else 0.95
    colors = sns.color_palette(PALETTE)
    groups = _panels(df, panel)
    fig, axes = kit.new_figure([len(g) for _, g in groups], lang, fig_width, fig_height)
    tables, xlabels = [], []
    for ax, (key, sub) in zip(axes, groups):
        unit, mult = _unit(np.r_[_numbers(sub, x), _numbers(sub, ci[0]), _numbers(sub, ci[1])],
                           _per_panel(scale, key))
        est, low, high = (_numbers(sub, c, mult) for c in (x, *ci))
        pos = np.arange(len(sub))[::-1]
        ax.axvline(0, color="0.3", linewidth=1.2, zorder=1)
        excludes = (low > 0) | (high < 0)
        for mask, color, marker, filled, message in [
                (excludes, colors[0], "o", True, "legend.change_excludes_zero"),
                (~excludes, colors[1], "s", False, "legend.change_includes_zero")]:
            if mask.any():
                err = np.vstack([est[mask] - low[mask], high[mask] - est[mask]])
                name = msg(message, level=level).render(lang)
                ax.errorbar(est[mask], pos[mask], xerr=np.clip(err, 0, None), fmt=marker, color=color, ecolor=color,
                            elinewidth=2, capsize=4, markersize=8, markerfacecolor=color if filled else "white",
                            markeredgewidth=1.8, label=name, zorder=3)
        for xi, hi, yi in zip(est, high, pos):
            ax.annotate(kit.value_text(xi, unit, lang, change=True), (hi if np.isfinite(hi) else xi, yi),
                        xytext=(6, 0), textcoords="offset points", va="center", ha="left", fontsize=9, color="0.2")
        _limits(ax, np.r_[low, est], np.r_[high, est], unit, zero=True)
        kit.format_axis(ax.xaxis, unit, lang, change=True)
        names = [label(v, lang, labels) for v in sub[y]]
        ax.set_yticks(pos, [kit.literal(kit.wrap(t, fig.get_figwidth() * 72 * 0.42, 10)) for t in names])
        ax.set_ylim(-0.6, len(sub) - 0.4)
        if panel is not None and len(groups) > 1:
            ax.set_title(kit.literal(label(key, lang, labels)), y=1.0, pad=6)
        xlabels.append(_per_panel(xlabel, key) or msg("axis.change_pp" if unit == "percent" else "axis.change_points"))
        table = pd.DataFrame({"label": names, "estimate": est, "ci_low": low, "ci_high": high})
        if panel is not None:
            table.insert(0, "panel", label(key, lang, labels))
        table["level"], table["unit"] = level, "percentage points" if unit == "percent" else "points"
        tables.append(table)
    table = pd.concat(tables, ignore_index=True).assign(source=_source_text(source, lang))
    _finish(fig, axes, title=title, subtitle=subtitle, lang=lang, n=kit.n_msg(n, df), source=source,
            synthetic=synthetic, xlabels=xlabels)
    items = []
    for row in table.itertuples():
        u = "percent" if row.unit == "percentage points" else "number"
        items.append(msg("alt.forest_item", label=row.label, value=kit.value_text(row.estimate, u, lang, True),
                         low=kit.value_text(row.ci_low, u, lang, True),
                         high=kit.value_text(row.ci_high, u, lang, True)).render(lang))
    fig.supportstats_table = table
    fig.supportstats_alt = msg("alt.forest", title=kit.text(title, lang), level=level,
                               items=_join(items, lang)).render(lang)
    return fig


def _join(items, lang):
    from babel.lists import format_list

    return format_list(list(items), locale=lang) if items else ""


@_themed
def plot_sd_sensitivity(curve, *, title, subtitle=None, lang="en", alpha=0.05, n=None, source=None,
                        synthetic=False, fig_width=None, fig_height=None):
    """p-value of a published change of means against the unpublished SD, over every possible SD.

    Draws :func:`supportstats.change_curve` (or :func:`supportstats.ranges.sd_curve`): one
    line at the published values and sample sizes, one at the least favourable ones, the
    ``alpha`` line, and the largest SD the answer scale allows. Where the lines cross ``alpha``
    the verdict flips.

    Examples
    --------
    >>> from supportstats import change_curve
    >>> fig = plot_sd_sensitivity(change_curve("benchmark_2022.nps_mean", points=9), title="NPS 45 → 51",
    ...                           lang="ko")
    >>> fig.axes[0].get_yscale(), fig.supportstats_table.columns.tolist()
    ('log', ['curve', 'sd', 'p_value', 'alpha', 'sd_cap', 'source'])
    >>> plt.close(fig)
    """
    df = pd.DataFrame(curve)
    _columns(df, "sd", "curve", "p_value", "sd_cap")
    fig, axes = kit.new_figure([6], lang, fig_width, fig_height)
    ax = axes[0]
    colors = sns.color_palette(PALETTE)
    floor = 1e-16  # smaller p-values all read "far below alpha"; a 100-decade axis hides the crossing
    names = {"published values, nominal n": ("legend.p_nominal", colors[0], "-"),
             "least favourable": ("legend.p_least", colors[1], "--")}
    tables, last = [], {}
    for key, part in df.groupby("curve", sort=False):
        part = part[part["sd"] > 0].sort_values("sd")
        legend_id, color, style = names.get(key, ("legend.p_value", colors[2], "-"))
        ax.plot(part["sd"], part["p_value"].clip(lower=floor), color=color, linestyle=style, linewidth=2,
                label=msg(legend_id).render(lang))
        last[key] = _crossing(part["sd"].to_numpy(float), part["p_value"].to_numpy(float), alpha)
        tables.append(pd.DataFrame({"curve": msg(legend_id).render(lang), "sd": part["sd"].astype(float),
                                    "p_value": part["p_value"].astype(float)}))
    ax.axhline(alpha, color=colors[3], linestyle=":", linewidth=1.5, label=msg("legend.alpha", alpha=alpha).render(lang))
    cap = float(df["sd_cap"].max())
    ax.axvline(cap, color="0.4", linestyle="-.", linewidth=1, label=msg("legend.largest_sd", sd=cap).render(lang))
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(base=10, numticks=8))
    ax.yaxis.set_major_formatter(FuncFormatter(kit.power_of_ten))
    ax.yaxis.set_minor_formatter(NullFormatter())
    low = max(float(df.loc[df["sd"] > 0, "p_value"].min()), floor)
    ax.set_ylim(low / 3, 1.5)
    ax.set_xlim(0, cap * 1.04)
    kit.format_axis(ax.xaxis, "number", lang)
    _finish(fig, axes, title=title, subtitle=subtitle, lang=lang, n=kit.n_msg(n), source=source,
            synthetic=synthetic, xlabels=[msg("axis.sd_both")])
    ax.set_ylabel(msg("axis.p_value").render(lang))
    table = pd.concat(tables, ignore_index=True).assign(alpha=float(alpha), sd_cap=cap,
                                                        source=_source_text(source, lang))
    alt = msg("alt.sd_range", title=kit.text(title, lang), alpha=alpha,
              sd_nominal=last.get("published values, nominal n", 0.0), sd_least=last.get("least favourable", 0.0),
              cap=cap)
    fig.supportstats_table, fig.supportstats_alt = table, alt.render(lang)
    return fig


def _crossing(sd, p, alpha) -> float:
    """The SD where a rising p-value curve crosses ``alpha`` (log-linear between grid points);
    the last SD drawn when it never does, 0 when it starts above."""
    above = np.nonzero(p >= alpha)[0]
    if not len(above):
        return float(sd[-1])
    i = int(above[0])
    if i == 0:
        return 0.0
    lp = np.log(np.clip(p[i - 1:i + 1], 1e-300, None))
    t = (np.log(alpha) - lp[0]) / (lp[1] - lp[0])
    return float(sd[i - 1] + t * (sd[i] - sd[i - 1]))


def _p_text(p, lang):
    """A p-value for prose: two significant digits, or "< 0.0001" (in the locale's digits)."""
    from babel.numbers import format_decimal

    p = float(p)
    if p < 1e-4:
        return "< " + format_decimal(0.0001, format="0.0###", locale=lang)
    return format_decimal(float(f"{p:.2g}"), format="0.0###", locale=lang)


@_themed
def plot_ratio_readings(grid, *, title, subtitle=None, lang="en", n=None, source=None, synthetic=False,
                        fig_width=None, fig_height=None):
    """What "k times more likely" implies across base rates, read as a risk or an odds ratio.

    Draws the output of :func:`supportstats.risk_ratio_odds_ratio` (both ``kind`` values):
    the implied share in the more likely group against the base rate, both in percent.

    Examples
    --------
    >>> from supportstats import risk_ratio_odds_ratio
    >>> grid = pd.concat([risk_ratio_odds_ratio([0.1, 0.2], 4, kind=k) for k in ("risk", "odds")])
    >>> fig = plot_ratio_readings(grid, title="4x more likely", lang="ja")
    >>> len(fig.axes[0].lines), fig.supportstats_table["reading"].unique().tolist()
    (3, ['オッズ比', 'リスク比'])
    >>> plt.close(fig)
    """
    df = pd.DataFrame(grid)
    _columns(df, "p0", "p1", "kind", "ratio")
    fig, axes = kit.new_figure([6], lang, fig_width, fig_height)
    ax = axes[0]
    colors = sns.color_palette(PALETTE)
    tables = []
    for (kind, sub), color, marker in zip(df.groupby("kind", sort=True), colors, ("o", "s")):
        sub = sub.sort_values("p0")
        ratio = float(sub["ratio"].iloc[0])
        name = msg("legend.read_as_odds" if kind == "odds" else "legend.read_as_risk", ratio=ratio).render(lang)
        base, implied = _numbers(sub, "p0", 100), _numbers(sub, "p1", 100)
        ax.plot(base, implied, marker=marker, color=color, label=name)
        tables.append(pd.DataFrame({"reading": label(f"{kind}_ratio", lang), "ratio": ratio,
                                    "base_rate": base, "implied_rate": implied}))
    lim = float(np.nanmax(df["p0"])) * 105
    ax.plot([0, lim], [0, lim], color="0.5", linestyle=":", linewidth=1,
            label=msg("legend.no_difference").render(lang))
    kit.format_axis(ax.xaxis, "percent", lang)
    kit.format_axis(ax.yaxis, "percent", lang)
    ax.set_ylim(0, 102)
    _finish(fig, axes, title=title, subtitle=subtitle, lang=lang, n=kit.n_msg(n), source=source,
            synthetic=synthetic, xlabels=[msg("axis.base_rate")])
    ax.set_ylabel(kit.wrap(msg("axis.implied_rate").render(lang), fig.get_figheight() * 72 * 0.6, 10))
    table = pd.concat(tables, ignore_index=True).assign(unit="percent", source=_source_text(source, lang))
    top = df[df["p0"] == df["p0"].max()].set_index("kind")["p1"]
    fig.supportstats_table = table
    fig.supportstats_alt = msg("alt.ratio_readings", title=kit.text(title, lang), p0=float(df["p0"].max()),
                               ratio=float(df["ratio"].iloc[0]), risk=float(top.get("risk", np.nan)),
                               odds=float(top.get("odds", np.nan))).render(lang)
    return fig


@_themed
def plot_exclusions(by_step, *, title, subtitle=None, lang="en", labels=None, n=None, source=None,
                    synthetic=False, fig_width=None, fig_height=None):
    """Stacked bars of excluded raw rows by cleaning step, one bar per wave.

    Parameters
    ----------
    by_step : DataFrame
        Rows are cleaning steps (codes such as ``drop_tests``), columns are waves
        (``trends_2022``), values are excluded row counts.

    Examples
    --------
    >>> t = pd.DataFrame({"trends_2021": [3, 5], "trends_2022": [1, 2]}, index=["deduplicate", "drop_tests"])
    >>> fig = plot_exclusions(t, title="Exclusions", lang="zh_Hant")
    >>> len(fig.axes[0].patches), fig.supportstats_table["step"].tolist()[:2]
    (4, ['重複回覆', '重複回覆'])
    >>> plt.close(fig)
    """
    table = pd.DataFrame(by_step).T  # one row per wave
    table = table.loc[:, table.sum(axis=0) > 0]
    fig, axes = kit.new_figure([len(table) + 2], lang, fig_width, fig_height)
    ax = axes[0]
    colors = sns.color_palette(PALETTE, n_colors=max(len(table.columns), 3))
    left = np.zeros(len(table))
    pos = np.arange(len(table))[::-1]
    waves = [label(w, lang, labels) for w in table.index]
    rows = []
    for step, color in zip(table.columns, colors):
        counts = table[step].to_numpy(float)
        ax.barh(pos, counts, left=left, color=color, label=label(step, lang, labels))
        left += counts
        rows += [{"wave": w, "step": label(step, lang, labels), "rows": int(c)} for w, c in zip(waves, counts)]
    ax.set_yticks(pos, [kit.literal(w) for w in waves])
    kit.format_axis(ax.xaxis, "number", lang)
    _finish(fig, axes, title=title, subtitle=subtitle, lang=lang, n=kit.n_msg(n), source=source,
            synthetic=synthetic, xlabels=[msg("axis.excluded_rows")])
    out = pd.DataFrame(rows, columns=["wave", "step", "rows"]).assign(source=_source_text(source, lang))
    items = [msg("alt.exclusion_item", label=w, n=int(t)).render(lang) for w, t in zip(waves, left)]
    fig.supportstats_table = out
    fig.supportstats_alt = msg("alt.exclusions", title=kit.text(title, lang), items=_join(items, lang)).render(lang)
    return fig
