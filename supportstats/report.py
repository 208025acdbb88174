"""The HTML report: an index of findings and figures, and every executed notebook rendered.

:func:`build_report` writes ``reports/index.html``; :class:`_Renderer` turns an executed
notebook into its page (used by :func:`supportstats.reproduce.reproduce`). Pages carry no
timestamps, so an unchanged run gives the same bytes.
"""
from __future__ import annotations

import hashlib
import html
import os
from pathlib import Path

import pandas as pd

from .io import atomic_path
from .paths import DATA_PROCESSED, FIGURES, REPORTS

__all__ = ["build_report"]

_UMASK = os.umask(0)
os.umask(_UMASK)
_FILE_MODE = 0o666 & ~_UMASK


def _write_if_changed(path: Path, text: str) -> bool:
    data = text.encode("utf-8")
    if path.exists() and path.read_bytes() == data:
        return False
    mode = path.stat().st_mode & 0o777 if path.exists() else _FILE_MODE
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
        tmp.chmod(mode)
    return True



class _Renderer:
    """nbconvert's HTMLExporter, loaded only when a page is out of date.

    Each page ends with a hash of the notebook it was made from, so an unchanged notebook
    is not rendered again (and nbconvert not even imported) on the next run.
    """

    def __init__(self):
        self._exporter = None

    def page(self, target: Path, text: str, title: str) -> str | None:
        """The page for ``text``, or None when ``target`` already holds it."""
        stamp = f"<!-- supportstats source sha256 {hashlib.sha256(text.encode()).hexdigest()} -->\n"
        if target.exists() and target.read_text(encoding="utf-8", errors="replace").endswith(stamp):
            return None
        if self._exporter is None:
            import logging

            from nbconvert import HTMLExporter

            quiet = logging.getLogger("supportstats.reproduce.nbconvert")
            quiet.setLevel(logging.ERROR)  # e.g. "Alternative text is missing": noise for a build step
            self._exporter = HTMLExporter(log=quiet)
        import nbformat

        body, _ = self._exporter.from_notebook_node(nbformat.reads(text, as_version=4),
                                                    resources={"metadata": {"name": title}})
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


def _findings_table(findings: Path) -> str:
    if not findings.exists():
        return "<p>No findings table yet (<code>data/processed/findings.csv</code> is written by 99_findings).</p>"
    table = pd.read_csv(findings, dtype=str, keep_default_na=False)
    cols = [c for c in ["claim_id", "published", "reproduced", "ci_low", "ci_high", "verdict", "data_source",
                        "notebook"] if c in table]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    rows = "\n".join("<tr>" + "".join(f"<td>{html.escape(_cell(str(v)))}</td>" for v in row) + "</tr>"
                     for row in table[cols].itertuples(index=False))
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}\n</tbody>\n</table>"


_STYLE = """body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;font-size:.9rem}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}
figure{display:inline-block;margin:0 1rem 1.5rem 0;max-width:32rem}figure img{max-width:100%}
.failed{color:#b00}"""


def build_report(notebooks=None, *, reports=None, figures=None, findings=None, failed=()) -> Path:
    """Write ``reports/index.html``: findings, figures and links to the rendered notebooks.

    Rendered notebooks themselves are written by :func:`reproduce`
    (``reports/notebooks/<name>.html``); this writes only the index, with no
    timestamps, so an unchanged run gives the same bytes.

    Parameters
    ----------
    notebooks : list of path-like, optional
        Notebooks to link (default: every numbered notebook in ``notebooks/``).
    reports, figures : path-like, optional
        Report and figure folders (default: ``reports/``, ``figures/``).
    findings : path-like, optional
        Findings CSV (default: ``data/processed/findings.csv``); listed when present.
    failed : iterable of str
        Names (stems) of notebooks that failed in this run; linked to their failed copy.

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
    >>> index.name, "01_a" in index.read_text()
    ('index.html', True)
    """
    reports = Path(REPORTS if reports is None else reports)
    figures = Path(FIGURES if figures is None else figures)
    findings = Path(DATA_PROCESSED / "findings.csv" if findings is None else findings)
    if notebooks is None:
        from .reproduce import discover_notebooks

        notebooks = discover_notebooks()
    names = sorted(Path(p).stem for p in notebooks)
    failed = set(failed)
    items = []
    for name in names:
        if name in failed:
            items.append(f'<li class="failed">{html.escape(name)}: failed in the last run, '
                         f'<a href="failed/{name}.html">see the error</a></li>')
        else:
            items.append(f'<li><a href="notebooks/{name}.html">{html.escape(name)}</a></li>')
    pngs = sorted(figures.glob("*.png")) if figures.exists() else []
    rel = Path(os.path.relpath(figures, reports)).as_posix()
    figs = "\n".join(f'<figure><a href="{rel}/{html.escape(p.name)}"><img src="{rel}/{html.escape(p.name)}" '
                     f'alt="{html.escape(p.stem)}"></a><figcaption>{html.escape(p.stem)}</figcaption></figure>'
                     for p in pngs) or "<p>No figures yet.</p>"
    page = (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>supportstats report</title>\n'
            f"<style>\n{_STYLE}\n</style>\n</head>\n<body>\n<h1>supportstats: reproduced findings</h1>\n"
            f"<h2>Findings</h2>\n{_findings_table(findings)}\n<h2>Figures</h2>\n{figs}\n"
            f"<h2>Notebooks</h2>\n<ul>\n" + "\n".join(items) + "\n</ul>\n</body>\n</html>\n")
    index = reports / "index.html"
    _write_if_changed(index, page)
    return index
