"""The parts every chart shares: header (title, subtitle), legend, footer, wrapping, axis formats.

A chart is laid out top to bottom as an editor's chart is: the finding as a bold title, a
subtitle saying what is measured and on whom, the legend, the panels, and a footer with n,
the source and — whenever the data are the synthetic reconstruction — a warning that they
demonstrate the pipeline and are not evidence. Constrained layout places the panels in what
is left once header and footer have reserved their lines.

Text arrives as ``str`` (drawn as given) or :class:`~supportstats.messages.Msg` (rendered
in the chart's language); numbers are formatted for the language with Babel.
"""
from __future__ import annotations

import math
import unicodedata

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter, MaxNLocator

from .messages import Msg, format_value, msg
from .theme import FOOTER_PT, SUBTITLE_PT, TITLE_PT, title_style

__all__ = ["add_footer", "literal"]

_SEP = "  ·  "
_MARGIN = 0.012  # figure fraction left free at the left edge
_WIDE = {"W", "F"}
_NO_LINE_START = set("、。，．・：；？！）」』】〕〉》”’ー々,.:;?!)%")


def text(value, lang: str) -> str:
    """Render ``value`` (str, Msg or None) in ``lang``."""
    if value is None:
        return ""
    if isinstance(value, Msg):
        return value.render(lang)
    if isinstance(value, (dict, list, tuple)):
        raise TypeError(f"chart text must be a str or a Msg; got {type(value).__name__} {value!r}")
    return str(value)


def literal(value: str) -> str:
    """Text to draw as written: ``$`` escaped, so "$3,000-$4,999" (an income band) is never math.

    matplotlib reads text between two ``$`` as mathtext; an escaped ``\\$`` is drawn as ``$``.
    Only the drawn string is escaped: tables and alt text keep the label as it is.

    Examples
    --------
    >>> literal("$3,000-$4,999")
    '\\\\$3,000-\\\\$4,999'
    """
    return str(value).replace("$", "\\$")


def _width(token: str, prop) -> float:
    """Width of ``token`` in points at the size of ``prop`` (the fonts matplotlib will use)."""
    from matplotlib.textpath import text_to_path

    return text_to_path.get_text_width_height_descent(token, prop, ismath=False)[0]


def wrap(value: str, width_pt: float, size_pt: float, bold: bool = False) -> str:
    """Break ``value`` into lines no wider than ``width_pt`` at ``size_pt``.

    Latin text breaks between words; CJK text between any two characters (never before a
    closing mark such as 、。）). Widths are measured with the current theme's fonts.

    Examples
    --------
    >>> wrap("Average CSAT rose from 78 to 89", 150, 10)
    'Average CSAT rose from 78\\nto 89'
    >>> from supportstats.theme import theme_context
    >>> with theme_context("ja"):
    ...     wrap("平均CSATは78から89に上昇した。", 100, 10).splitlines()
    ['平均CSATは78から89', 'に上昇した。']
    """
    from matplotlib.font_manager import FontProperties

    prop = FontProperties(size=size_pt, weight="bold" if bold else "normal")
    if bold and plt.rcParams["font.family"][0] != "DejaVu Sans":
        prop = FontProperties(size=size_pt)  # CJK titles: regular weight, outlined (theme.title_style)
    tokens, word = [], ""
    for ch in str(value):
        if ch == " " or unicodedata.east_asian_width(ch) in _WIDE:
            if word:
                tokens.append(word)
                word = ""
            tokens.append(ch)
        else:
            word += ch
    if word:
        tokens.append(word)
    widths: dict[str, float] = {}
    lines, line, used = [], "", 0.0
    for tok in tokens:
        if tok not in widths:
            widths[tok] = _width(tok, prop) if tok != " " else _width("a a", prop) - _width("aa", prop)
        w = widths[tok]
        if line and used + w > width_pt and tok != " " and tok[0] not in _NO_LINE_START:
            lines.append(line.rstrip())
            line, used = "", 0.0
        if not line and tok == " ":
            continue
        line += tok
        used += w
    if line.strip():
        lines.append(line.rstrip())
    return "\n".join(lines)


# ------------------------------------------------------------------------------ figure

def new_figure(rows: list[int], lang: str, fig_width: float | None, fig_height: float | None,
               header_lines: int = 3, footer_lines: int = 1):
    """A figure with one panel per entry of ``rows`` (rows of each panel), stacked.

    The height, unless given, is what the rows, header and footer need.
    """
    width = float(fig_width or 8.0)
    if fig_height:
        height = float(fig_height)
    else:
        panels = sum(max(1.0, 0.42 * r + 0.75) for r in rows)
        height = panels + (header_lines * 16 + footer_lines * 12 + 40) / 72
    fig, axes = plt.subplots(len(rows), 1, figsize=(width, height), layout="constrained", squeeze=False,
                             height_ratios=[max(1.0, r) for r in rows])
    fig.supportstats_lang = lang
    for ax in axes[:, 0]:
        # a title at a fixed height: matplotlib otherwise re-measures every tick label on each
        # draw to lift it over them (panel titles sit above the axes, where nothing else is)
        ax.set_title("", y=1.0, pad=6)
    return fig, list(axes[:, 0])


def header(fig, title, subtitle, lang: str) -> int:
    """Draw the title (the finding) and the subtitle at the top left; reserve their space."""
    width_pt = fig.get_figwidth() * 72 * (1 - 2 * _MARGIN)
    t = wrap(text(title, lang), width_pt, TITLE_PT, bold=True)
    s = wrap(text(subtitle, lang), width_pt, SUBTITLE_PT)
    for old in [x for x in fig.texts if x.get_gid() in ("supportstats-title", "supportstats-subtitle")]:
        old.remove()
    h = fig.get_figheight() * 72
    y = h - 8.0
    if t:
        fig.text(_MARGIN, y / h, literal(t), ha="left", va="top", fontsize=TITLE_PT, gid="supportstats-title",
                 linespacing=1.25, **title_style(lang))
        y -= t.count("\n") * TITLE_PT * 1.25 + TITLE_PT * 1.3 + 4
    if s:
        fig.text(_MARGIN, y / h, literal(s), ha="left", va="top", fontsize=SUBTITLE_PT, color="0.3",
                 gid="supportstats-subtitle", linespacing=1.3)
        y -= s.count("\n") * SUBTITLE_PT * 1.3 + SUBTITLE_PT * 1.35 + 2
    fig.supportstats_top = (h - y + 6) / h
    _reserve(fig)
    return (t.count("\n") + 1 if t else 0) + (s.count("\n") + 1 if s else 0)


def _reserve(fig):
    top = getattr(fig, "supportstats_top", 0.0)
    bottom = getattr(fig, "supportstats_bottom", 0.0)
    engine = fig.get_layout_engine()
    if engine is not None and hasattr(engine, "set") and "rect" in engine.get():
        engine.set(rect=(0, bottom, 1, 1 - top - bottom))
    else:
        fig.subplots_adjust(top=min(fig.subplotpars.top, 1 - top - 0.02), bottom=max(fig.subplotpars.bottom, bottom + 0.08))


def _legend_columns(count: int, ncols: int) -> list[range]:
    """The entries of each legend column, as matplotlib fills them: the first ``count % ncols``
    columns hold one entry more.

    >>> [list(c) for c in _legend_columns(4, 3)]
    [[0, 1], [2], [3]]
    """
    rows, large = divmod(count, ncols)
    sizes = [rows + 1] * large + [rows] * (ncols - large)
    starts = [sum(sizes[:i]) for i in range(ncols)]
    return [range(start, start + size) for start, size in zip(starts, sizes)]


def legend(fig, handles, labels):
    """The legend under the header, from the figure's left edge; its lines are reserved too.

    As many columns as fit the figure's width (measured with the theme's fonts); a label
    too long for one line is wrapped.
    """
    if not handles:
        return None
    from matplotlib.font_manager import FontProperties

    size, handle_pt, gap_pt = 9.0, 2.5 * 9 + 0.5 * 9, 1.6 * 9
    width_pt = fig.get_figwidth() * 72 * (1 - 2 * _MARGIN)
    labels = [wrap(lab, width_pt - handle_pt, size) for lab in labels]
    prop = FontProperties(size=size)
    widths = [max(_width(line, prop) for line in lab.splitlines()) + handle_pt for lab in labels]
    ncols, columns = 1, _legend_columns(len(labels), 1)
    for n in range(len(labels), 0, -1):
        columns = _legend_columns(len(labels), n)
        if sum(max(widths[i] for i in col) for col in columns) + gap_pt * (n - 1) <= width_pt:
            ncols = n
            break
    rows = len(columns[0])
    lines_per_row = [max(labels[col[r]].count("\n") + 1 for col in columns if r < len(col)) for r in range(rows)]
    height = sum(lines_per_row) * size * 1.25 + (rows - 1) * 0.6 * size + 10
    top = getattr(fig, "supportstats_top", 0.0)
    box = fig.legend(handles, [literal(lab) for lab in labels], loc="upper left", bbox_to_anchor=(_MARGIN, 1 - top), ncols=ncols,
                     handletextpad=0.5, columnspacing=1.6, borderaxespad=0.0, borderpad=0.0, labelspacing=0.6)
    fig.supportstats_top = top + height / 72 / fig.get_figheight()
    _reserve(fig)
    return box


def add_footer(fig, *, n=None, source=None, synthetic=False, lang: str = "en"):
    """Write the footer: ``n = …  ·  Source: …`` and the synthetic-data warning.

    One line when it fits the figure's width; otherwise the warning gets a line of its own,
    so it is never the part that wraps or is cut. Space is reserved below the panels.
    Calling it again replaces the footer.

    Parameters
    ----------
    n : int, str, Msg, optional
        Respondents (an int is formatted for the language).
    source : str or Msg, optional
        Where the numbers come from.
    synthetic : bool
        Add the warning that the data are the synthetic reconstruction.
    lang : str
        Language of the footer.

    Examples
    --------
    >>> fig, ax = plt.subplots(figsize=(10, 4), layout="constrained")
    >>> add_footer(fig, n=1200, source="Trends report 2022", synthetic=True).get_text()
    'n = 1,200  ·  Source: Trends report 2022  ·  SYNTHETIC RECONSTRUCTION — pipeline demonstration, not evidence'
    >>> add_footer(fig, n=1200, source=msg("source.trends", year=2022), lang="es").get_text()
    'n = 1.200  ·  Fuente: Customer Support Trends 2022'
    >>> plt.close(fig)
    """
    for old in [t for t in fig.texts if t.get_gid() == "supportstats-footer"]:
        old.remove()
    parts = []
    if n is not None:
        parts.append(msg("footer.n", n=n).render(lang))
    if source:
        parts.append(msg("footer.source", source=source).render(lang))
    warning = msg("footer.synthetic").render(lang) if synthetic else ""
    width_pt = fig.get_figwidth() * 72 * (1 - 2 * _MARGIN)
    full = _SEP.join(parts + ([warning] if warning else []))
    if not full:
        lines = []
    elif "\n" not in wrap(full, width_pt, FOOTER_PT):
        lines = [full]
    else:
        lines = wrap(_SEP.join(parts), width_pt, FOOTER_PT).splitlines() + ([warning] if warning else [])
    # 1.2% of the height from the bottom edge, but never more than the 7 pt kept free below it
    # (a tall figure's 1.2% would lift the footer into the last axis label)
    bottom = min(0.012, 7.0 / 72 / fig.get_figheight())
    footer = fig.text(_MARGIN, bottom, literal("\n".join(lines)), ha="left", va="bottom", fontsize=FOOTER_PT,
                      color="#8a3b00" if synthetic else "0.3", gid="supportstats-footer", linespacing=1.4)
    fig.supportstats_bottom = (len(lines) * FOOTER_PT * 1.45 + 10) / 72 / fig.get_figheight()
    _reserve(fig)
    return footer


# ------------------------------------------------------------------------------ numbers

def n_msg(n, df: pd.DataFrame | None = None):
    """n for a legend or footer: the given value, or the ``n`` column (a range if it varies)."""
    if n is None and df is not None and "n" in df.columns:
        values = pd.to_numeric(df["n"], errors="coerce").dropna()
        if values.empty:
            return None
        lo, hi = int(values.min()), int(values.max())
        return msg("n.one", n=lo) if lo == hi else msg("n.range", low=lo, high=hi)
    if isinstance(n, (int, np.integer)) and not isinstance(n, bool):
        return msg("n.one", n=int(n))
    return n


def value_text(value: float, unit: str, lang: str, change: bool = False) -> str:
    """A data label: ``64%``/``64 %`` for percent units, ``+11 pp`` for changes, ``78`` else."""
    if not np.isfinite(value):
        return ""
    if change:
        return msg("unit.pp" if unit == "percent" else "unit.points", value=float(value)).render(lang)
    if unit == "percent":
        return format_value(float(value) / 100, "pct", lang)
    return format_value(round(float(value), 1), "num", lang)


def format_axis(axis, unit: str, lang: str, change: bool = False) -> None:
    """Ticks at round values (whole percents on a percent axis) labelled for the language."""
    axis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 5, 10], integer=unit == "percent"))

    def label(v, _pos):
        if change and abs(v) < 1e-9:
            return "0"
        return value_text(v, unit, lang, change=change)

    axis.set_major_formatter(FuncFormatter(label))


_SUPERSCRIPT = str.maketrans("-0123456789", "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079")


def power_of_ten(v, _pos=None) -> str:
    """A log-axis tick as plain text, ``10⁻³``: the same text path (and fonts) as every other
    label, where matplotlib's default would typeset each tick as mathtext at every save.

    >>> power_of_ten(0.001), power_of_ten(1.0), power_of_ten(100.0)
    ('10⁻³', '1', '10²')
    """
    if not v > 0:
        return ""
    exponent = round(math.log10(v))
    if exponent == 0:
        return "1"
    return "10" + str(exponent).translate(_SUPERSCRIPT)

