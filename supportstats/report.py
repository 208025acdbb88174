"""The HTML report: an index of findings and figures, and every executed notebook rendered.

:func:`build_report` writes ``reports/index.html``; :class:`_Renderer` turns an executed
notebook into its page (used by :func:`supportstats.reproduce.reproduce`). Pages carry no
timestamps, so an unchanged run gives the same bytes.

The report reads on a phone and offline: a viewport meta, tables in horizontally scrolling
wrappers, figures at full width with their alt text (``NAME.txt``) under them and a link to
their data (``NAME.csv``); notebook pages are rendered with a template that loads nothing
from the web (no require.js, MathJax or Mermaid from a CDN), escape ``$`` before a number so
"$550,000 imply $100,000" stays prose, and link back to the index. The index's own words come
from the message catalog in the language of the figures it shows.
"""
from __future__ import annotations

import copy
import hashlib
import html
import os
import re
import uuid
from pathlib import Path

from .outputs import write_if_changed
from .messages import resolve_lang, tr
from .paths import DATA_PROCESSED, FIGURES, REPORTS
from .report_fonts import FONTS_CSS, mark_languages, write_fonts

__all__ = ["build_report", "escape_dollars"]


_TEMPLATE_DIR = Path(__file__).with_name("report_template")
# "$" before a number is money, not the start of TeX: "$550,000 imply $100,000"
_DOLLAR = re.compile(r"(?<![\\$])\$(?=\s?[0-9])")


def escape_dollars(text: str) -> str:
    r"""Escape ``$`` signs that start an amount, so Markdown never reads them as TeX.

    Examples
    --------
    >>> escape_dollars("ROAR 5.5% ↔ $550,000 imply $100,000 a point; $x$ stays math")
    'ROAR 5.5% ↔ \\$550,000 imply \\$100,000 a point; $x$ stays math'
    """
    return _DOLLAR.sub(r"\\$", text)


def _prose_safe(nb):
    """A copy of ``nb`` whose Markdown (cells and outputs) has its amounts' ``$`` escaped."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = escape_dollars(cell.source)
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "text/markdown" in data:
                md = data["text/markdown"]
                data["text/markdown"] = escape_dollars("".join(md) if isinstance(md, list) else md)
    return nb


_IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
# What html5lib (under nbconvert's clean_html) drops from text; highlighted code holding one
# goes through clean_html as nbconvert would send it.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


class _Aside:
    """The heavy parts of a page, swapped for short tokens while nbconvert renders it.

    nbconvert re-parses each page with Python's ``html.parser`` (to add alt text and focus),
    and sanitizes each code cell's highlighted HTML with bleach: both take time that grows
    with the base64 of every figure and with every ``<span>`` pygments writes, most of a
    page's rendering. Images and highlighted code go through the template as tokens, and
    :meth:`back` puts them in their places, so the page is nbconvert's own: byte for byte once
    re-parsed as nbconvert does, which only respaces the code's markup (tested).

    Highlighted code skips bleach: pygments escapes every character of the source, so bleach
    returns its HTML unchanged, except for the control characters html5lib drops (then the
    code goes through nbconvert's ``clean_html`` as before).
    """

    def __init__(self):
        self.parts: dict[str, str] = {}
        self._nonce = uuid.uuid4().hex  # no notebook text can hold a token by chance

    def _token(self, kind: str, text: str) -> str:
        token = f"ss{kind}{self._nonce}n{len(self.parts):06d}"
        self.parts[token] = text
        return token

    def images(self, nb) -> None:
        """Swap every image in ``nb`` (in place) for a token."""
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                for mime in _IMAGE_TYPES:
                    if isinstance(data.get(mime), str):
                        data[mime] = self._token("image", data[mime])

    def code(self, highlighted: str) -> str:
        """A token for one code cell's highlighted HTML."""
        if _CONTROL.search(highlighted):
            from nbconvert.filters.strings import clean_html

            highlighted = clean_html(highlighted)
        return self._token("code", highlighted)

    def back(self, body: str) -> str:
        if not self.parts:
            return body
        pattern = re.compile("|".join(self.parts))  # tokens are letters and digits
        found = pattern.findall(body)
        if sorted(found) != sorted(self.parts):  # a token lost or repeated: never guess where a part goes
            raise RuntimeError(f"report page: images and code do not match their places "
                               f"({len(found)} of {len(self.parts)})")
        return pattern.sub(lambda m: self.parts[m.group(0)], body)


# changes when the same notebook and template make other bytes, so older pages are redone
_RENDERING = b"code aside"


class _Renderer:
    """nbconvert's HTMLExporter with the report's offline template, loaded only when a page is out of date.

    Each page ends with a hash of the notebook it was made from (and of the template), so an
    unchanged notebook is not rendered again (and nbconvert not even imported) on the next run.
    """

    def __init__(self, lang: str = "en"):
        self._exporter = None
        self._page = None
        self.lang = lang

    def _highlight_code(self, source, language=None, metadata=None) -> str:
        """The exporter's ``highlight_code`` filter: the page's highlighter, its HTML set aside."""
        aside, highlight = self._page
        return aside.code(highlight(source, language=language, metadata=metadata))

    def page(self, target: Path, text: str, title: str) -> str | None:
        """The page for ``text``, or None when ``target`` already holds it."""
        template = (_TEMPLATE_DIR / "supportstats.html.j2").read_bytes()
        digest = hashlib.sha256(text.encode() + template + self.lang.encode() + _RENDERING).hexdigest()
        stamp = f"<!-- supportstats source sha256 {digest} -->\n"
        if target.exists() and target.read_text(encoding="utf-8", errors="replace").endswith(stamp):
            return None
        if self._exporter is None:
            import logging

            from nbconvert import HTMLExporter

            quiet = logging.getLogger("supportstats.report.nbconvert")
            quiet.setLevel(logging.ERROR)  # e.g. "Alternative text is missing": noise for a build step
            self._exporter = HTMLExporter(log=quiet, template_name="lab", extra_template_paths=[str(_TEMPLATE_DIR)],
                                          template_file="supportstats.html.j2",
                                          filters={"highlight_code": self._highlight_code})
        import nbformat

        index = Path(os.path.relpath(target.parent.parent / "index.html", target.parent)).as_posix()
        fonts = Path(os.path.relpath(target.parent.parent / FONTS_CSS, target.parent)).as_posix()
        resources = {"metadata": {"name": title}, "supportstats_index": index, "supportstats_fonts": fonts,
                     "supportstats_back": tr("report.back", self.lang)}
        nb = _prose_safe(nbformat.reads(text, as_version=4))
        aside = _Aside()
        aside.images(nb)
        from nbconvert.filters.highlight import Highlight2HTML

        # the highlighter HTMLExporter makes when it is given none
        info = nb.metadata.get("language_info", {})
        lexer = info.get("pygments_lexer", info.get("name", None))
        self._page = aside, Highlight2HTML(pygments_lexer=lexer, parent=self._exporter)
        try:
            body, _ = self._exporter.from_notebook_node(nb, resources=resources)
        finally:
            self._page = None
        body = mark_languages(aside.back(body))
        return body + ("" if body.endswith("\n") else "\n") + stamp


def _cell(value: str) -> str:
    """Numbers rounded for reading (the CSV keeps full precision); text as is."""
    try:
        number = float(value)
    except ValueError:
        return value
    if value.strip().lower() in ("nan", "inf", "-inf", ""):
        return value
    return f"{number:,.0f}" if abs(number) >= 1000 else f"{number:.4g}"


_FINDINGS_COLUMNS = ["claim_id", "published", "estimate", "reproduced", "ci_low", "ci_high", "n", "verdict",
                     "evidence", "data_source", "notebook"]


def _findings_table(findings: Path, lang: str) -> str:
    if not findings.exists():
        return f"<p>{html.escape(tr('report.no_findings', lang))}</p>"
    import csv  # each field as its text (as pandas' dtype=str, keep_default_na=False): no pandas in the runner

    with open(findings, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        header = next(reader, [])
        table = [dict(zip(header, fields)) for fields in reader if fields]
    cols = [c for c in _FINDINGS_COLUMNS if c in header]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    rows = "\n".join("<tr>" + "".join(f"<td>{html.escape(_cell(row.get(c, '')))}</td>" for c in cols) + "</tr>"
                     for row in table)
    return f'<div class="scroll">\n<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}\n</tbody>\n</table>\n</div>'


_STYLE = """*{box-sizing:border-box}
html,body{overflow-x:hidden}
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:70rem;margin:0 auto;padding:1rem;color:#222;line-height:1.45}
h1{font-size:1.5rem;line-height:1.25}
.scroll{overflow-x:auto;max-width:100%;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;font-size:.9rem}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;white-space:nowrap}
th:first-child,td:first-child{position:sticky;left:0;background:#fff}
@media (max-width:600px){th:first-child,td:first-child{white-space:normal;overflow-wrap:anywhere;min-width:8rem;max-width:10rem}}
.figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,30rem),1fr));gap:1.5rem}
figure{margin:0}figure img{width:100%;height:auto;display:block;border:1px solid #eee}
figcaption{font-size:.9rem;color:#444;margin-top:.4rem}figcaption .name{font-family:ui-monospace,monospace;font-size:.8rem;color:#666}
.failed{color:#b00}"""


def _figure(png: Path, rel: str, lang: str) -> str:
    alt_file, csv_file = png.with_suffix(".txt"), png.with_suffix(".csv")
    alt = alt_file.read_text(encoding="utf-8").strip() if alt_file.exists() else png.stem
    src = f"{rel}/{html.escape(png.name)}"
    data = (f' · <a href="{rel}/{html.escape(csv_file.name)}">{html.escape(tr("report.data_csv", lang))}</a>'
            if csv_file.exists() else "")
    return (f'<figure><a href="{src}"><img src="{src}" alt="{html.escape(alt)}"></a>'
            f'<figcaption>{html.escape(alt)}<br><span class="name">{html.escape(png.stem)}</span>{data}'
            f"</figcaption></figure>")


def build_report(notebooks=None, *, reports=None, figures=None, findings=None, failed=(), lang="en") -> Path:
    """Write ``reports/index.html``: findings, figures and links to the rendered notebooks.

    Rendered notebooks themselves are written by :func:`supportstats.reproduce.reproduce`
    (``reports/notebooks/<name>.html``); this writes only the index, with no
    timestamps, so an unchanged run gives the same bytes.

    Parameters
    ----------
    notebooks : list of path-like, optional
        Notebooks to link (default: every numbered notebook in ``notebooks/``).
    reports, figures : path-like, optional
        Report and figure folders (default: ``reports/``, ``figures/``). The figures shown
        are the language's: ``figures/`` for English, ``figures/<lang>/`` for the others,
        each ``NAME.png`` with its ``NAME.txt`` (alt text) and ``NAME.csv`` (data) beside it.
    findings : path-like, optional
        Findings CSV (default: ``data/processed/findings.csv``); listed when present.
    failed : iterable of str
        Names (stems) of notebooks that failed in this run; linked to their failed copy.
    lang : str
        Language of the index's words and of the figures shown.

    Returns
    -------
    Path
        The index file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> (d / "figures").mkdir()
    >>> index = build_report([d / "01_a.ipynb"], reports=d / "reports", figures=d / "figures",
    ...                      findings=d / "none.csv")
    >>> index.name, "01_a" in index.read_text(), 'name="viewport"' in index.read_text()
    ('index.html', True, True)
    """
    (lang,) = resolve_lang(lang) if lang != "all" else ("en",)
    reports = Path(REPORTS if reports is None else reports)
    figures = Path(FIGURES if figures is None else figures)
    shown = figures if lang == "en" else figures / lang
    findings = Path(DATA_PROCESSED / "findings.csv" if findings is None else findings)
    if notebooks is None:
        from .reproduce import discover_notebooks

        notebooks = discover_notebooks()
    names = sorted(Path(p).stem for p in notebooks)
    failed = set(failed)
    items = []
    for name in names:
        if name in failed:
            items.append(f'<li class="failed">{html.escape(name)}: {html.escape(tr("report.failed", lang))}, '
                         f'<a href="failed/{name}.html">{html.escape(tr("report.see_error", lang))}</a></li>')
        else:
            items.append(f'<li><a href="notebooks/{name}.html">{html.escape(name)}</a></li>')
    pngs = sorted(shown.glob("*.png")) if shown.exists() else []
    rel = Path(os.path.relpath(shown, reports)).as_posix()
    figs = ('<div class="figures">\n' + "\n".join(_figure(p, rel, lang) for p in pngs) + "\n</div>") if pngs \
        else f"<p>{html.escape(tr('report.no_figures', lang))}</p>"
    title = html.escape(tr("report.title", lang))
    page = (f'<!DOCTYPE html>\n<html lang="{lang.replace("_", "-")}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{title}</title>\n'
            f'<style>\n{_STYLE}\n</style>\n<link rel="stylesheet" href="{FONTS_CSS}">\n</head>\n<body>\n<h1>{title}</h1>\n'
            f"<h2>{html.escape(tr('report.findings', lang))}</h2>\n{_findings_table(findings, lang)}\n"
            f"<h2>{html.escape(tr('report.figures', lang))}</h2>\n{figs}\n"
            f"<h2>{html.escape(tr('report.notebooks', lang))}</h2>\n<ul>\n" + "\n".join(items) + "\n</ul>\n</body>\n</html>\n")
    index = reports / "index.html"
    pages = [p.read_text(encoding="utf-8") for folder in ("notebooks", "failed") for p in sorted((reports / folder).glob("*.html"))]
    write_fonts(reports, [page, *pages])
    write_if_changed(index, page)
    return index
