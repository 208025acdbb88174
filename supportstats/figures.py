"""Figure bundles: one call draws a figure in every language and writes it with its data and alt text.

For each language asked for, :func:`draw_figure` draws the chart from the same tidy data
(in the same kernel: nothing is recomputed but the drawing) and writes, in the language's
folder (``<figures_dir>/`` for English, ``<figures_dir>/<lang>/`` for the others):

``NAME.png``  ``NAME.svg``  the figure, bytes repeating from run to run
``NAME.csv``  exactly the numbers drawn, labels in that language (numbers identical across languages)
``NAME.txt``  alt text: the finding and its numbers in a sentence or two

It returns what the notebook shows: the figure in the notebook's language with its alt text.
A glyph missing from the fonts is an error naming the figure and the language, never a box.
"""
from __future__ import annotations

import re

import base64
import warnings
from collections.abc import Mapping
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt

from . import charts
from .errors import InputError
from .outputs import atomic_path
from .messages import LANGUAGES, msg, resolve_lang  # noqa: F401  (msg: used in examples)
from .paths import FIGURES
from .theme import DPI, theme_context

__all__ = ["draw_figure", "check_titles", "save_figure", "write_figure_csv", "figure_folder", "FigureOutput"]

_CHARTS = {"estimates": charts.plot_estimates, "forest": charts.plot_forest,
           "sd_sensitivity": charts.plot_sd_sensitivity, "ratio_readings": charts.plot_ratio_readings,
           "exclusions": charts.plot_exclusions}


class FigureOutput:
    """What :func:`draw_figure` returns: the figure in one language, shown as an image with alt text.

    Attributes
    ----------
    name : str
    lang : str
        The language shown.
    alt : str
        Alt text in that language.
    files : dict
        ``{lang: {"png": Path, "svg": Path, "csv": Path, "txt": Path}}`` for every language written.
    table : DataFrame
        The numbers drawn (in the shown language's labels).
    """

    def __init__(self, name, lang, png: bytes, alt: str, files: dict, table):
        self.name, self.lang, self.png, self.alt, self.files, self.table = name, lang, png, alt, files, table

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = {"image/png": base64.b64encode(self.png).decode("ascii"), "text/plain": self.alt}
        return data, {"image/png": {"alt": self.alt}}

    def __repr__(self):
        return self.alt


def figure_folder(folder, lang: str) -> Path:
    """Where a language's figures go: ``folder`` for English, ``folder/<lang>`` for the others.

    Examples
    --------
    >>> figure_folder("figures", "en").as_posix(), figure_folder("figures", "zh_Hant").as_posix()
    ('figures', 'figures/zh_Hant')
    """
    folder = Path(FIGURES if folder is None else folder)
    return folder if lang == "en" else folder / lang


def check_titles(titles, names) -> dict:
    """Check a notebook's ``titles`` parameter against the figures it draws; return it.

    Each value is a title for every language (``str``) or per language
    (``{"ja": "…", "es": "…"}``); languages not given keep the title computed from the
    verdict.

    Raises
    ------
    InputError
        For a key that names no figure (listing the figures that exist), or a language
        that is not one of the five.

    Examples
    --------
    >>> check_titles({"03_burnout": "Burnout"}, ["03_burnout"])
    {'03_burnout': 'Burnout'}
    >>> check_titles({"03_burnot": "Burnout"}, ["03_burnout", "03_morale"])
    Traceback (most recent call last):
    supportstats.errors.InputError: got '03_burnot'; expected a figure of this notebook: 03_burnout, 03_morale (unknown key in titles)
    """
    titles = dict(titles or {})
    names = list(names)
    for key, value in titles.items():
        if key not in names:
            raise InputError("unknown key in titles", value=key,
                             expected=f"a figure of this notebook: {', '.join(names)}")
        if isinstance(value, Mapping):
            bad = [code for code in value if code not in LANGUAGES]
            if bad:
                raise InputError(f"unknown language in titles[{key!r}]", value=bad[0],
                                 expected=f"one of {', '.join(LANGUAGES)}")
        elif not isinstance(value, str):
            raise InputError(f"titles[{key!r}] must be text", value=repr(value),
                             expected="a string, or a dict of language code to string")
    return titles


def _title_for(override, computed, lang):
    if override is None:
        return computed
    if isinstance(override, Mapping):
        return override.get(lang, computed)
    return override


def draw_figure(name, chart, data, *, title, lang="all", titles=None, fig_width=None, fig_height=None, dpi=None,
                folder=None, **chart_kwargs) -> FigureOutput:
    """Draw one figure in every language asked for and write PNG, SVG, CSV and alt text for each.

    Parameters
    ----------
    name : str
        File stem, e.g. ``"03_burnout"``.
    chart : callable or str
        A chart function of :mod:`supportstats.charts` (or its short name: ``"estimates"``,
        ``"forest"``, ``"sd_sensitivity"``, ``"ratio_readings"``, ``"exclusions"``).
    data : DataFrame
        The tidy data the chart draws.
    title : str or Msg
        The finding (e.g. :func:`supportstats.titles.finding_title`); a ``Msg`` is rendered
        in each language.
    lang : str
        ``"all"`` (every language; the notebook shows English) or one code (only that one,
        written and shown).
    titles : dict, optional
        An editor's overrides keyed by figure name (see :func:`check_titles`); only this
        figure's key is used.
    fig_width, fig_height : float, optional
        Size in inches (default 8 wide, height from the content).
    dpi : int, optional
        PNG resolution (default :data:`supportstats.theme.DPI`).
    folder : path-like, optional
        The figures folder (default ``figures/``); other languages go in subfolders.
    **chart_kwargs
        Passed to the chart: ``subtitle``, ``source``, ``synthetic``, ``xlabel``, ...

    Returns
    -------
    FigureOutput
        Shown in a notebook as the image with its alt text.

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> out = pathlib.Path(tempfile.mkdtemp())
    >>> df = pd.DataFrame({"label": ["trends_2022.team_burnout"], "estimate": [0.64], "ci_low": [0.613],
    ...                    "ci_high": [0.667], "n": [1214]})
    >>> shown = draw_figure("burnout", "estimates", df, title=msg("finding.trends_2022.team_burnout", share=0.64),
    ...                     folder=out, lang="all")
    >>> shown.alt
    '64% of leaders say their team burned out. Team burned out (2022): 64% (61% to 67%).'
    >>> sorted(p.relative_to(out).as_posix() for p in out.rglob("burnout.*"))[:5]
    ['burnout.csv', 'burnout.png', 'burnout.svg', 'burnout.txt', 'es/burnout.csv']
    >>> (out / "es" / "burnout.txt").read_text()
    'El 64\\xa0% de los responsables dice que su equipo está agotado. Equipo agotado (2022): 64\\xa0% (61\\xa0% a 67\\xa0%).\\n'
    """
    draw = _CHARTS.get(chart, chart) if isinstance(chart, str) else chart
    if not callable(draw):
        raise InputError("unknown chart", value=chart, expected=f"a chart function or one of {', '.join(_CHARTS)}")
    langs = resolve_lang(lang)
    shown_lang = "en" if lang == "all" else langs[0]
    override = (titles or {}).get(name) or None  # "" in a titles parameter: the computed title
    files, shown = {}, None
    for code in langs:
        with theme_context(code):
            with _glyphs_checked(name, code):
                fig = draw(data, title=_title_for(override, title, code), lang=code, fig_width=fig_width,
                           fig_height=fig_height, **chart_kwargs)
                target = figure_folder(folder, code)
                table, alt = fig.supportstats_table, fig.supportstats_alt
                png, svg = save_figure(fig, name, folder=target, dpi=dpi)
        csv = write_figure_csv(table, target / f"{name}.csv")
        txt = target / f"{name}.txt"
        _write_text(txt, alt + "\n")
        files[code] = {"png": png, "svg": svg, "csv": csv, "txt": txt}
        if code == shown_lang:
            shown = (png.read_bytes(), alt, table)
    return FigureOutput(name, shown_lang, shown[0], shown[1], files, shown[2])


class _glyphs_checked:
    """Turn matplotlib's "Glyph … missing from font(s)" warning into an error naming the figure."""

    def __init__(self, name, lang):
        self.name, self.lang = name, lang

    def __enter__(self):
        self._catch = warnings.catch_warnings(record=True)
        self._seen = self._catch.__enter__()
        warnings.simplefilter("always")

    def __exit__(self, *exc):
        self._catch.__exit__(*exc)
        missing = [str(w.message) for w in self._seen if "missing from font" in str(w.message)]
        for w in self._seen:
            if "missing from font" not in str(w.message):
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        if missing and exc[0] is None:
            plt.close("all")
            raise InputError(f"figure {self.name} ({self.lang}): {missing[0]}",
                             expected="text the language's font can draw (check the title override)")
        return False


def _write_text(path: Path, text: str) -> Path:
    # always written, like every output (a runner tells a file no notebook writes any more by
    # its time: a skipped identical write would look stale)
    data = text.encode("utf-8")
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return path


def write_figure_csv(table, path) -> Path:
    """Write the numbers a figure draws as UTF-8 CSV (the one place figures write CSV).

    Numbers keep full precision with a point as decimal separator in every language, so
    the files of two languages differ only in their labels. Spreadsheet-safe like every CSV
    the project writes (:func:`supportstats.outputs.write_csv`).

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> p = write_figure_csv(pd.DataFrame({"label": ["Equipo"], "estimate": [64.0]}),
    ...                      pathlib.Path(tempfile.mkdtemp()) / "f.csv")
    >>> p.read_text()
    'label,estimate\\nEquipo,64.0\\n'
    """
    from .outputs import write_csv

    return write_csv(table, Path(path))


def _check_inside(fig, name) -> None:
    """Refuse a figure whose legend or header/footer text runs past its edges (a cut legend
    entry is lost to the reader): one line naming the figure and the text."""
    renderer = fig.canvas.get_renderer()
    width, height = fig.bbox.width, fig.bbox.height
    for artist in list(fig.legends) + list(fig.texts):
        box = artist.get_window_extent(renderer)
        if box.x0 < -1 or box.x1 > width + 1 or box.y0 < -1 or box.y1 > height + 1:
            what = "legend" if artist in fig.legends else repr(artist.get_text()[:40])
            plt.close(fig)
            raise InputError(f"figure {name}: the {what} runs past the figure's edge",
                             expected="a wider figure (fig_width) or a shorter title")


def _settle_layout(fig) -> None:
    """Solve the layout once, then freeze it for both files.

    With a layout engine set, every ``savefig`` draws twice (a dry run that solves the
    layout, then the real draw, which solves it again). The layout is in figure fractions
    and points, the same at any dpi, so it is solved here once and the engine switched off:
    the PNG and the SVG are each drawn once.
    """
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)
        fig.set_layout_engine("none")
        # "none" leaves a placeholder engine, and any engine makes savefig do its dry-run draw
        fig._layout_engine = None


_SVG_CLIP_ID = re.compile(rb'<clipPath id="(p[0-9a-f]{10})">')


def _stable_svg_ids(svg: bytes) -> bytes:
    """Number the SVG's clip paths in order of appearance.

    matplotlib names a clip path by a hash of its rectangle's floats; the same figure laid out
    twice can differ in the last bits of those floats (the drawn coordinates, written to six
    decimals, do not), which changed the ids, and so the bytes, from run to run.

    Examples
    --------
    >>> _stable_svg_ids(b'<clipPath id="pabcdef0123">x</clipPath> url(#pabcdef0123)')
    b'<clipPath id="clip0">x</clipPath> url(#clip0)'
    """
    for i, old in enumerate(dict.fromkeys(_SVG_CLIP_ID.findall(svg))):
        svg = svg.replace(b'id="' + old + b'"', b'id="clip%d"' % i).replace(b"url(#" + old + b")", b"url(#clip%d)" % i)
    return svg


def save_figure(fig, name, folder=None, dpi=None) -> list[Path]:
    """Write ``<name>.png`` and ``<name>.svg`` atomically, byte-identical across runs; close ``fig``.

    PNG without the ``Software`` tag; SVG with text as paths, a fixed hash salt and no
    ``Date``/``Creator``.

    Parameters
    ----------
    fig : matplotlib Figure
    name : str
        File stem, e.g. ``"01_csat_rise"``.
    folder : path-like, optional
        Default ``figures/``.
    dpi : int, optional
        PNG resolution (default :data:`supportstats.theme.DPI`).

    Returns
    -------
    list of Path
        ``[png, svg]``.

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> out = pathlib.Path(tempfile.mkdtemp())
    >>> df = pd.DataFrame({"label": ["csat"], "estimate": [0.89], "ci_low": [0.86], "ci_high": [0.92]})
    >>> paths = save_figure(charts.plot_estimates(df, title="Average CSAT 89"), "csat", folder=out)
    >>> [p.name for p in paths]
    ['csat.png', 'csat.svg']
    >>> first = [p.read_bytes() for p in paths]
    >>> _ = save_figure(charts.plot_estimates(df, title="Average CSAT 89"), "csat", folder=out)
    >>> [p.read_bytes() for p in paths] == first
    True
    """
    name = str(name)
    if not name or "/" in name or "\\" in name or name.startswith("."):
        plt.close(fig)
        raise ValueError(f"name must be a plain file stem; got name={name!r}")
    folder = Path(FIGURES if folder is None else folder)
    paths = [folder / f"{name}.png", folder / f"{name}.svg"]
    # zlib level 1: these flat-colour images come out within 1% of level 6's size, ~15% faster
    settings = [
        dict(format="png", dpi=int(dpi or DPI), metadata={"Software": None}, pil_kwargs={"compress_level": 1}),
        dict(format="svg", metadata={"Date": None, "Creator": None}),
    ]
    try:
        with matplotlib.rc_context({"svg.hashsalt": "supportstats", "svg.fonttype": "path"}):
            _settle_layout(fig)
            _check_inside(fig, name)
            for path, kw in zip(paths, settings):
                with atomic_path(path) as tmp:
                    fig.savefig(tmp, facecolor="white", **kw)
                    if kw["format"] == "svg":
                        tmp.write_bytes(_stable_svg_ids(tmp.read_bytes()))
    finally:
        plt.close(fig)
    return paths
