"""The figure theme and its fonts: one look in every language, stable bytes.

Latin-script figures (``en``, ``es``) use DejaVu Sans, which ships with matplotlib. Japanese,
Korean and Traditional Chinese figures use the regional Noto Sans CJK font (``ja`` → Noto
Sans JP, ``ko`` → Noto Sans KR, ``zh_Hant`` → Noto Sans TC) vendored in
``supportstats/fonts/`` (SIL Open Font License; see the README there), so the same
character is drawn in its Japanese, Korean or Taiwanese form and no system font is needed.
They are registered with matplotlib when the theme is set.

The CJK fonts are shipped in their Regular weight only (each bold face would add ~5 MB), so
a bold title in those languages is drawn with a thin outline of its own colour
(:func:`title_style`) rather than by asking matplotlib for a bold face it does not have.

Outside a Jupyter kernel the Agg backend is used (no GUI, same pixels everywhere).
"""
from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import matplotlib

if not os.environ.get("MPLBACKEND") and "matplotlib.pyplot" not in sys.modules:
    matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import seaborn as sns  # noqa: E402

__all__ = ["set_theme", "theme_context", "register_fonts", "font_family", "title_style", "PALETTE", "DPI",
           "FONT_FILES"]

#: Colour-blind-safe palette (seaborn "colorblind", Okabe–Ito-like); shapes differ too.
PALETTE = "colorblind"
#: Default resolution of saved PNGs (8 in wide → 1200 px).
DPI = 150
FONT_DIR = Path(__file__).with_name("fonts")
#: The font file that draws each CJK language (regional glyph forms).
FONT_FILES = {"ja": "NotoSansJP-Regular.otf", "ko": "NotoSansKR-Regular.otf", "zh_Hant": "NotoSansTC-Regular.otf"}
_FAMILY = {"ja": "Noto Sans JP", "ko": "Noto Sans KR", "zh_Hant": "Noto Sans TC"}
_LATIN = "DejaVu Sans"
TITLE_PT, SUBTITLE_PT, FOOTER_PT = 13, 10, 8
_registered = False


def register_fonts() -> None:
    """Add the vendored CJK fonts to matplotlib's font manager (once per process).

    Examples
    --------
    >>> register_fonts()
    >>> from matplotlib import font_manager
    >>> Path(font_manager.findfont("Noto Sans KR", fallback_to_default=False)).name
    'NotoSansKR-Regular.otf'
    """
    global _registered
    if _registered:
        return
    from matplotlib import font_manager

    known = {Path(f.fname).name for f in font_manager.fontManager.ttflist}
    for name in FONT_FILES.values():
        if name not in known:
            font_manager.fontManager.addfont(str(FONT_DIR / name))
    _registered = True


def font_family(lang: str = "en") -> list[str]:
    """The font family list for ``lang``: the regional CJK font first, DejaVu Sans after.

    Examples
    --------
    >>> font_family("ko"), font_family("es")
    (['Noto Sans KR', 'DejaVu Sans'], ['DejaVu Sans'])
    """
    return [_FAMILY[lang], _LATIN] if lang in _FAMILY else [_LATIN]


def title_style(lang: str = "en") -> dict:
    """Keyword arguments that draw a bold title in ``lang`` (see the module note on weights).

    Examples
    --------
    >>> title_style("en")["fontweight"], title_style("ja")["fontweight"]
    ('bold', 'normal')
    """
    if lang in _FAMILY:
        import matplotlib.patheffects as pe

        return {"fontweight": "normal", "path_effects": [pe.withStroke(linewidth=0.6, foreground="#262626")],
                "color": "#262626"}
    return {"fontweight": "bold", "color": "#262626"}


def _rc(lang: str) -> dict:
    return {
        # concrete names, not "sans-serif": a Text resolves a generic family when it is drawn,
        # which may be after the theme context has closed
        "font.family": font_family(lang),
        "font.sans-serif": font_family(lang),
        "svg.hashsalt": "supportstats",
        "svg.fonttype": "path",
        "savefig.dpi": DPI,
        "figure.dpi": 100,
        "axes.titlesize": 11,
        "axes.titleweight": "normal",
        "axes.titlelocation": "left",
        "axes.labelsize": 10,
        "xtick.labelsize": 9,
        "ytick.labelsize": 10,
        "legend.fontsize": 9,
        "legend.frameon": False,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "pdf.fonttype": 42,
    }


def set_theme(lang: str = "en") -> None:
    """Apply the project theme for ``lang``: seaborn whitegrid, colour-blind palette, its fonts.

    Fixes the SVG hash salt (element ids) and keeps text as paths, so SVG bytes repeat.
    Called by :func:`supportstats.setup_notebook` (and per language by the chart functions); not on
    import, so importing the package (e.g. in the warm-kernel zygote) changes no ``rcParams``.

    Examples
    --------
    >>> set_theme()
    >>> import matplotlib as mpl
    >>> mpl.rcParams["svg.hashsalt"], mpl.rcParams["savefig.dpi"]
    ('supportstats', 150.0)
    """
    register_fonts()
    plt.rcParams.update(_full_rc(lang))


@contextlib.contextmanager
def theme_context(lang: str = "en"):
    """Draw inside this block to get ``lang``'s fonts; ``rcParams`` are restored after.

    Text takes its font when it is created, so create the figure inside the block.

    Examples
    --------
    >>> with theme_context("ja"):
    ...     plt.rcParams["font.sans-serif"][0]
    'Noto Sans JP'
    >>> plt.rcParams["font.sans-serif"][0]
    'DejaVu Sans'
    """
    register_fonts()
    with plt.rc_context(_full_rc(lang)):
        yield


def _full_rc(lang: str) -> dict:
    """Every rcParam :func:`set_theme` sets, as one mapping: a figure drawn inside
    :func:`theme_context` looks the same whether or not the theme was set in this process."""
    from cycler import cycler

    rc = {**sns.plotting_context("notebook"), **sns.axes_style("whitegrid")}
    rc["axes.prop_cycle"] = cycler(color=sns.color_palette(PALETTE))
    rc.update(_rc(lang))
    return rc


