"""Cell-level diffs of two notebooks that a reviewer can read, each change labelled with its claims.

Built on nbdime, in git's orientation: *old* (``-``) is the committed notebook, *new*
(``+``) the fresh run. Three renderings of one diff:

* :func:`format_notebook_diff`: text for a terminal (where an output's HTML changed with its
  plain text, only the text is shown);
* :func:`notebook_diff_page`: a self-contained HTML page with the same text diff, coloured;
* :func:`nbdime_view_page`: nbdime's own side-by-side view, as a file that works offline
  (nbdime's bundled scripts copied beside it by :func:`copy_nbdime_static`, the diff embedded).

Every changed cell is labelled with the registry claims (``survey_wave.name``) in its
changed lines or table rows, else with those anywhere in the cell.
"""
from __future__ import annotations

import copy
import difflib
import hashlib
import html
import io
import json
import re
import shutil
from pathlib import Path

import pandas as pd

from .errors import SupportstatsError

__all__ = ["claim_ids_in", "notebook_changes", "format_notebook_diff", "notebook_diff_page",
           "nbdime_view_page", "copy_nbdime_static"]

CHANGE_COLUMNS = ["cell", "cell_type", "change", "parts", "claims"]
_ROW_SPLIT = re.compile(r"(?=<tr[\s>])")  # one record per table row of an HTML output
_TEXT_MIMES = ("text/plain", "text/html", "text/markdown", "text/latex", "application/json")


# ----------------------------------------------------------------------------- claim labels

def _pattern(claim_ids) -> re.Pattern | None:
    ids = sorted(set(claim_ids), key=len, reverse=True)  # longest first: no id shadows a longer one
    if not ids:
        return None
    return re.compile(r"(?<![\w.])(" + "|".join(map(re.escape, ids)) + r")(?!\w)")


def claim_ids_in(text: str, claim_ids) -> list[str]:
    """The claim ids that occur in ``text``, in order of first occurrence, each once.

    An id counts only as a whole word (``trends_2022.team_burnout`` is not found in
    ``trends_2022.team_burnout_rate``).

    Examples
    --------
    >>> claim_ids_in('ss.level_findings(["trends_2022.team_burnout", "trends_2022.leader_burnout"])',
    ...              ["trends_2022.leader_burnout", "trends_2022.team_burnout", "cs_ops_2023.x"])
    ['trends_2022.team_burnout', 'trends_2022.leader_burnout']
    >>> claim_ids_in("trends_2022.team_burnout_rate", ["trends_2022.team_burnout"])
    []
    """
    pattern = claim_ids if claim_ids is None or isinstance(claim_ids, re.Pattern) else _pattern(claim_ids)
    if pattern is None:
        return []
    return list(dict.fromkeys(m.group(1) for m in pattern.finditer(text)))


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else value if isinstance(value, str) else json.dumps(value)


def _records(cell) -> dict[tuple[str, str], list[str]]:
    """A cell's records by (part, rendering): source lines; per output, lines (table rows for HTML)."""
    out: dict[tuple[str, str], list[str]] = {}
    if cell is None:
        return out
    out["source", ""] = _text(cell.get("source", "")).splitlines()
    for i, output in enumerate(cell.get("outputs", []) or []):
        part = f"output {i}"
        if output.get("output_type") == "stream":
            out[part, "stream"] = _text(output.get("text", "")).splitlines()
        elif output.get("output_type") == "error":
            out[part, "error"] = [output.get("ename", ""), output.get("evalue", "")]
        for mime, value in (output.get("data") or {}).items():
            if mime in _TEXT_MIMES:
                text = _text(value)
                out[part, mime] = _ROW_SPLIT.split(text) if mime == "text/html" else text.splitlines()
            else:  # an image: one record, so a changed figure is a changed record
                out[part, mime] = [hashlib.sha1(_text(value).encode()).hexdigest()]
    return out


def _cell_claims(old_cell, new_cell, pattern) -> list[str]:
    """Claims in the records that differ between two versions of a cell, else in the whole cell.

    An output shown both as text and as HTML is labelled from the rendering that names the
    fewest claims: a widened text table changes every line, its HTML only the row that changed.
    """
    a, b = _records(old_cell), _records(new_cell)
    by_part: dict[str, list[list[str]]] = {}
    for key in dict.fromkeys([*a, *b]):
        x, y = a.get(key, []), b.get(key, [])
        changed = []
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, x, y, autojunk=False).get_opcodes():
            if tag != "equal":
                changed += x[i1:i2] + y[j1:j2]
        by_part.setdefault(key[0], []).append(claim_ids_in("\n".join(changed), pattern) if changed else [])
    found = []
    for found_by_rendering in by_part.values():
        named = [ids for ids in found_by_rendering if ids]
        if named:
            found += min(named, key=len)
    if found:
        return list(dict.fromkeys(found))
    everything = "\n".join(line for records in (a, b) for lines in records.values() for line in lines)
    return claim_ids_in(everything, pattern)


# ----------------------------------------------------------------------------- diffs

def _similar_lines(x, y) -> bool:
    from nbdime.diffing.generic import compare_strings_approximate

    x, y = _text(x), _text(y)
    a, b = x.splitlines(), y.splitlines()
    if a == b or difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= 0.5:
        return True
    # a short text with a changed line (one line of print) is alike character by character
    return max(len(x), len(y)) <= 10_000 and compare_strings_approximate(x, y, threshold=0.7)


def _similar_output(x, y) -> bool:
    """Line-level likeness of two outputs, so a long table with one changed row pairs up.

    nbdime's own test gives up on texts over 10,000 characters and shows the whole output
    removed and added again, which hides the one row that changed.
    """
    kind = x.get("output_type")
    if kind != y.get("output_type") or set(x) != set(y):
        return False
    if kind == "stream":
        return x.get("name") == y.get("name") and _similar_lines(x.get("text", ""), y.get("text", ""))
    if kind == "error":
        return x.get("ename") == y.get("ename")
    xd, yd = x.get("data") or {}, y.get("data") or {}
    if set(xd) != set(yd):
        return False
    return all(_similar_lines(xd[m], yd[m]) for m in xd if m in _TEXT_MIMES)


_DIFFS: dict[tuple[str, str], list] = {}  # the last few diffs: each page renders the same one


def _diff(old_nb, new_nb):
    from nbdime.diffing.generic import diff
    from nbdime.diffing.notebooks import compare_output_strict, notebook_config

    key = tuple(hashlib.sha1(json.dumps(nb, sort_keys=True).encode()).hexdigest() for nb in (old_nb, new_nb))
    if key not in _DIFFS:
        config = copy.copy(notebook_config)
        config.predicates["/cells/*/outputs"] = [_similar_output, compare_output_strict]
        if len(_DIFFS) >= 8:
            _DIFFS.pop(next(iter(_DIFFS)))
        _DIFFS[key] = diff(old_nb, new_nb, path="", config=config)
    return copy.deepcopy(_DIFFS[key])  # callers may prune what they print


def _entries(old_nb, new_nb, claim_ids):
    """One dict per cell-level change (a range of added or removed cells is one), in order.

    Keys: ``cells`` (indices: in the new notebook, in the old one for removed cells),
    ``cell_type``, ``change``, ``parts``, ``claims`` (list) and ``entry`` (nbdime's diff entry).
    Also returns the notebook-level entries (metadata) separately.
    """
    pattern = _pattern(claim_ids)
    di = _diff(old_nb, new_nb)
    cells = next((e.diff for e in di if e.key == "cells" and e.op == "patch"), [])
    out, shift = [], 0
    for e in cells:
        if e.op == "addrange":
            idx = list(range(e.key + shift, e.key + shift + len(e.valuelist)))
            claims = [c for cell in e.valuelist for c in _cell_claims(None, cell, pattern)]
            out.append(dict(cells=idx, cell_type=e.valuelist[0].cell_type, change="added", parts="cell",
                            claims=claims, entry=e))
            shift += len(e.valuelist)
        elif e.op == "removerange":
            removed = old_nb.cells[e.key:e.key + e.length]
            claims = [c for cell in removed for c in _cell_claims(cell, None, pattern)]
            out.append(dict(cells=list(range(e.key, e.key + e.length)), cell_type=removed[0].cell_type,
                            change="removed", parts="cell", claims=claims, entry=e))
            shift -= e.length
        else:
            old_cell, new_cell = old_nb.cells[e.key], new_nb.cells[e.key + shift]
            out.append(dict(cells=[e.key + shift], cell_type=new_cell.cell_type, change="modified",
                            parts=", ".join(sorted({d.key for d in e.diff})),
                            claims=_cell_claims(old_cell, new_cell, pattern), entry=e))
    for item in out:
        item["claims"] = list(dict.fromkeys(item["claims"]))
    return out, [e for e in di if e.key != "cells"]


def notebook_changes(old_nb, new_nb, claim_ids=()) -> pd.DataFrame:
    """One row per changed cell of ``new_nb`` against ``old_nb``, with the claims it concerns.

    Parameters
    ----------
    old_nb, new_nb : nbformat.NotebookNode
        The committed notebook and the freshly run one (git's orientation: old → new).
    claim_ids : iterable of str
        The registry's claim ids (``data/raw/published_claims.csv``).

    Returns
    -------
    DataFrame
        ``cell`` (index in the new notebook; in the old one for a removed cell),
        ``cell_type``, ``change`` (``modified``, ``added``, ``removed``), ``parts``
        (what changed: ``source``, ``outputs``, ``metadata``, ...) and ``claims`` (the
        claim ids in the changed lines or rows, else in the cell; comma-separated).

    Examples
    --------
    >>> import nbformat
    >>> def nb(value):
    ...     cell = nbformat.v4.new_code_cell('show("trends_2022.team_burnout")', id="c1")
    ...     cell.outputs = [nbformat.v4.new_output("stream", text=f"trends_2022.team_burnout {value}\\n")]
    ...     return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# x", id="c0"), cell])
    >>> notebook_changes(nb(64), nb(46), ["trends_2022.team_burnout"])
       cell cell_type    change    parts                    claims
    0     1      code  modified  outputs  trends_2022.team_burnout
    """
    entries, _ = _entries(old_nb, new_nb, claim_ids)
    rows = [(i, item["cell_type"], item["change"], item["parts"], ", ".join(item["claims"]))
            for item in entries for i in item["cells"]]
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)


def _without_html_twins(entry):
    """A cell diff whose outputs show text/plain alone where text/html changed with it."""
    entry = copy.deepcopy(entry)
    for part in entry.diff if entry.op == "patch" else []:
        if part.key != "outputs" or part.op != "patch":
            continue
        for out in part.diff:
            for data in (d for d in out.get("diff") or [] if d.key == "data" and d.op == "patch"):
                keys = {d.key for d in data.diff}
                if {"text/plain", "text/html"} <= keys:
                    data.diff = [d for d in data.diff if d.key != "text/html"]
    return entry


def _pretty(old_nb, entry, color: bool, terminal: bool) -> str:
    from nbdime.prettyprint import PrettyPrintConfig, pretty_print_diff_entry

    buf = io.StringIO()
    if terminal:
        entry = _without_html_twins(entry)
    pretty_print_diff_entry(old_nb.cells, entry, "/cells", PrettyPrintConfig(out=buf, use_color=color))
    return buf.getvalue()


def _sections(old_nb, new_nb, claim_ids, color=False, terminal=True):
    """(heading, claims, body) for every changed cell, and for notebook metadata when it changed."""
    entries, rest = _entries(old_nb, new_nb, claim_ids)
    out = []
    for item in entries:
        cells = item["cells"]
        where = f"cell {cells[0]}" if len(cells) == 1 else f"cells {cells[0]}-{cells[-1]}"
        heading = f"{where} ({item['cell_type']}) {item['change']}"
        if item["change"] == "modified":
            heading += f": {item['parts']}"
        out.append((heading, ", ".join(item["claims"]), _pretty(old_nb, item["entry"], color, terminal)))
    if rest:
        from nbdime.prettyprint import PrettyPrintConfig, pretty_print_diff

        buf = io.StringIO()
        pretty_print_diff(old_nb, rest, "", PrettyPrintConfig(out=buf, use_color=color))
        out.append(("notebook metadata", "", buf.getvalue()))
    return out


def format_notebook_diff(old_nb, new_nb, claim_ids=(), *, old_label="old", new_label="new",
                         color=False) -> str:
    """The cell-level diff of two notebooks for a terminal, git's orientation, claims labelled.

    Each changed cell gets a ``##`` heading with its index, what changed and its claims,
    then nbdime's diff (``-`` old, ``+`` new). Where an output's HTML changed together with
    its plain text, only the text is shown (the HTML page shows both). Empty when nothing changed.

    Examples
    --------
    >>> import nbformat
    >>> def nb(value):
    ...     cell = nbformat.v4.new_code_cell("x", id="c0")
    ...     cell.outputs = [nbformat.v4.new_output("stream", text=f"trends_2022.team_burnout\\n{value}\\n")]
    ...     return nbformat.v4.new_notebook(cells=[cell])
    >>> print(format_notebook_diff(nb(64), nb(46), ["trends_2022.team_burnout"]))
    --- old
    +++ new
    ## cell 0 (code) modified: outputs · claims: trends_2022.team_burnout
    ## modified /cells/0/outputs/0/text:
    @@ -1,2 +1,2 @@
     trends_2022.team_burnout
    -64
    +46
    <BLANKLINE>
    """
    sections = _sections(old_nb, new_nb, claim_ids, color=color, terminal=True)
    if not sections:
        return ""
    bold = (lambda s: f"\x1b[1m{s}\x1b[0m") if color else (lambda s: s)
    lines = [bold(f"--- {old_label}"), bold(f"+++ {new_label}")]
    for heading, claims, body in sections:
        lines.append(bold(f"## {heading}" + (f" · claims: {claims}" if claims else "")))
        lines.append(body.rstrip("\n"))
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- HTML

_STYLE = """body{font-family:system-ui,sans-serif;max-width:80rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left;vertical-align:top}
pre{background:#f7f7f7;padding:.5rem;overflow-x:auto;font-size:.85rem}.del{background:#fdd;color:#800}
.ins{background:#dfd;color:#060}.hunk{color:#06c}.claims{font-family:monospace;color:#639}h3{margin-top:2rem}"""


def _pre(body: str) -> str:
    lines = []
    for line in body.splitlines():
        cls = "del" if line.startswith("-") else "ins" if line.startswith("+") else \
            "hunk" if line.startswith(("@@", "##")) else ""
        text = html.escape(line)
        lines.append(f'<span class="{cls}">{text}</span>' if cls else text)
    return "<pre>" + "\n".join(lines) + "</pre>"


def notebook_diff_page(old_nb, new_nb, claim_ids=(), *, title="notebook", old_label="old",
                       new_label="new", view=None) -> str:
    """A self-contained HTML page: the changed cells, their claims and nbdime's text diff.

    ``view`` is the file name of the interactive nbdime page to link to, if any.

    Examples
    --------
    >>> import nbformat
    >>> old = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("trends_2022.x: 64%", id="m")])
    >>> new = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("trends_2022.x: 46%", id="m")])
    >>> page = notebook_diff_page(old, new, ["trends_2022.x"], title="03_burnout")
    >>> '<span class="del">-  trends_2022.x: 64%</span>' in page, "cell 0 (markdown) modified" in page
    (True, True)
    """
    table = notebook_changes(old_nb, new_nb, claim_ids)
    sections = _sections(old_nb, new_nb, claim_ids, color=False, terminal=False)
    esc = html.escape
    parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{esc(title)}: review</title>"
             f"<style>{_STYLE}</style></head><body>",
             f"<h1>{esc(title)}</h1><p>Git's orientation: <span class='del'>- {esc(old_label)}</span> "
             f"→ <span class='ins'>+ {esc(new_label)}</span></p>"]
    if view:
        parts.append(f"<p><a href='{esc(view)}'>Side-by-side view (nbdime)</a></p>")
    parts.append(_changes_table(table))
    for heading, claims, body in sections:
        label = f" · claims: <span class='claims'>{esc(claims)}</span>" if claims else ""
        parts.append(f"<h3>{esc(heading)}{label}</h3>{_pre(body)}")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _changes_table(table: pd.DataFrame) -> str:
    """The changed cells of a notebook and their claims, as an HTML table."""
    if table.empty:
        return "<p>No cell changed.</p>"
    esc = html.escape
    rows = "".join(f"<tr><td>{r.cell}</td><td>{esc(r.cell_type)}</td><td>{esc(r.change)}</td>"
                   f"<td>{esc(r.parts)}</td><td class='claims'>{esc(r.claims)}</td></tr>"
                   for r in table.itertuples(index=False))
    return ("<table class='changes'><tr><th>cell</th><th>type</th><th>change</th><th>what</th><th>claims</th></tr>"
            f"{rows}</table>")


def _static_dir() -> Path:
    import nbdime.webapp

    return Path(nbdime.webapp.__file__).parent / "static"


def copy_nbdime_static(dest) -> Path:
    """Copy nbdime's bundled web scripts and fonts (no source maps) to ``dest``, once per version."""
    import nbdime

    dest = Path(dest)
    stamp = dest / f".nbdime-{nbdime.__version__}"
    if not stamp.exists():
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(_static_dir(), dest, ignore=shutil.ignore_patterns("*.map"))
        stamp.touch()
    return dest


# nbdime's page asks its server for the diff (POST api/diff); offline, this answers from the page
_OFFLINE = """<script type="application/json" id="supportstats-diff">{data}</script>
<script>(function () {{
  var payload = document.getElementById("supportstats-diff").textContent;
  var online = window.fetch;
  window.fetch = function (input, init) {{
    var url = typeof input === "string" ? input : (input && input.url) || "";
    if (/api\\/diff(\\?|$)/.test(url)) {{
      return Promise.resolve(new Response(payload, {{status: 200, headers: {{"Content-Type": "application/json"}}}}));
    }}
    return online ? online.apply(this, arguments) : Promise.reject(new Error("offline"));
  }};
}})();</script>
"""


def nbdime_view_page(old_nb, new_nb, *, title="notebook", old_label="old", new_label="new",
                     static="static", summary="") -> str:
    """nbdime's interactive diff page, working from a file with no server and no network.

    The page is nbdime's own ``difftool.html`` template; the diff (computed here with
    nbdime) is embedded in it, and nbdime's scripts load from ``static`` (a folder made by
    :func:`copy_nbdime_static`, relative to the page). ``summary`` is HTML put above the view.
    """
    import jinja2
    import nbdime.webapp

    templates = Path(nbdime.webapp.__file__).parent / "templates"
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates)), autoescape=True)
    config = {"base": old_label, "remote": new_label, "baseUrl": "/", "closable": False, "savable": False,
              "hideUnchanged": True, "collapseIdentical": 2}
    page = env.get_template("difftool.html").render(
        config_data=config, static_url=lambda name: f"{static.rstrip('/')}/{name}")
    data = json.dumps({"base": old_nb, "diff": _diff(old_nb, new_nb)}, ensure_ascii=False, default=dict)
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    head = f"<h2>{html.escape(title)}</h2>"
    anchors = {"root": '<div id="nbdime-root"', "script": f'<script src="{static.rstrip("/")}/nbdime.js">'}
    for where, marker in anchors.items():
        if page.count(marker) != 1:
            raise SupportstatsError(f"nbdime's difftool.html changed: cannot find {marker!r}")
    page = page.replace(anchors["root"], head + summary + anchors["root"])
    for side, label in (("base", f"- old: {old_label}"), ("remote", f"+ new: {new_label}")):
        page = page.replace(f'<span id="nbdime-header-{side}">{side.capitalize()}</span>',
                            f'<span id="nbdime-header-{side}">{html.escape(label)}</span>')
    page = page.replace(anchors["script"], _OFFLINE.format(data=data) + anchors["script"])
    return page.replace("<title>nbdime - diff and merge your Jupyter notebooks</title>",
                        f"<title>{html.escape(title)}: nbdime diff</title>")
