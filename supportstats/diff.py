"""What a change does to the findings: compare two findings tables claim by claim.

``supportstats diff [OLD] [NEW]`` is a thin wrapper over this module. A table can come from

* a file (``data/processed/findings.csv``, ``/tmp/findings.csv``);
* a run folder (``runs/ci/``, read as ``runs/ci/data/processed/findings.csv``);
* a git revision (``HEAD``, ``HEAD~1``, a branch or tag: the committed
  ``data/processed/findings.csv`` at that revision, read with ``git show``), or ``REV:path``.

Rows are matched on ``claim_id``. Every column the two tables share is compared, the
findings contract's columns first (:data:`DIFF_COLUMNS`): numbers within a tolerance,
text exactly. Claims and columns that only one table has are reported, never an error, so
two tables written under different versions of the contract can still be compared.
Orientation is git's: *old* → *new*, ``-`` old, ``+`` new.
"""
from __future__ import annotations

import csv
import io
import json
import math
import os
import subprocess
from pathlib import Path

import pandas as pd

from . import paths
from .errors import InputError

__all__ = ["DIFF_COLUMNS", "read_findings_table", "diff_findings", "findings_diff_status",
           "format_findings_diff"]

#: The findings contract's columns in display order: the ones a reviewer reads first, then the rest.
DIFF_COLUMNS = (
    "verdict", "published", "published_high", "estimate", "ci_low", "ci_high",
    "p_value", "p_value_min", "p_holm", "p_holm_min", "p_bh", "p_bh_min",
    "notebook", "survey", "report", "metric", "measure", "kind", "bound", "unit", "evidence",
    "n", "n_low", "n_high", "level", "test", "test_statistic", "df", "family",
    "assumption", "threshold", "detail",
)
KEY = "claim_id"
FINDINGS_IN_REPO = "data/processed/findings.csv"
CHANGE_COLUMNS = ["claim_id", "notebook", "verdict", "change", "column", "old", "new"]
#: Kinds of change (the ``change`` column); the ones ``--verdicts-only`` still counts.
VERDICT_CHANGES = ("verdict", "claim added", "claim removed")
# Escapes the project's CSV writer puts before text that a spreadsheet would run as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_GROUPS = [  # markdown table: heading, columns shown together
    ("verdict", ("verdict",)), ("published", ("published", "published_high")),
    ("estimate", ("estimate",)), ("interval", ("ci_low", "ci_high")),
    ("p", ("p_value", "p_value_min")), ("p Holm", ("p_holm", "p_holm_min")),
    ("p BH", ("p_bh", "p_bh_min")),
]
_SECONDARY = {"ci_low": "low", "ci_high": "high", "published_high": "high", "p_value_min": "min", "p_holm_min": "min", "p_bh_min": "min"}


# ----------------------------------------------------------------------------- reading

def read_findings_table(source=None, *, root=None) -> pd.DataFrame:
    """Read a findings table from a file, a run folder or a git revision, as text.

    Parameters
    ----------
    source : str, path-like or file-like, optional
        A CSV file; a run folder (its ``data/processed/findings.csv``, or a ``findings.csv``
        directly inside it); a git revision of the project (``HEAD``, ``HEAD~1``, ``main``),
        read with ``git show REV:data/processed/findings.csv``; ``REV:path``; or an open
        text buffer. Default: the working tree's ``data/processed/findings.csv``.
        A path that exists wins over a revision of the same name.
    root : path-like, optional
        The project (and git work tree) that relative paths and revisions refer to
        (default: :data:`supportstats.paths.ROOT`).

    Returns
    -------
    DataFrame
        Every column as ``str`` (blank cells ``""``), in file order, with the spreadsheet
        escape (a ``'`` before a leading ``=``, ``+``, ``-``, ``@``) removed. ``attrs["source"]``
        names where it came from.

    Raises
    ------
    InputError
        A source that is none of the above, a file that is not a UTF-8 CSV, a table
        without ``claim_id`` or with a claim twice.

    Examples
    --------
    >>> import io
    >>> t = read_findings_table(io.StringIO("claim_id,verdict,detail\\na.b,consistent,'-2 points\\n"))
    >>> t.to_dict("records"), t.attrs["source"]
    ([{'claim_id': 'a.b', 'verdict': 'consistent', 'detail': '-2 points'}], '<buffer>')
    """
    root = Path(paths.ROOT if root is None else root)
    if source is None:  # the working tree's table, wherever the command runs from
        return _read_csv_text(_decode(_read_bytes(root / FINDINGS_IN_REPO), FINDINGS_IN_REPO), FINDINGS_IN_REPO)
    if hasattr(source, "read"):
        text, label = source.read(), getattr(source, "name", "<buffer>")
        if isinstance(text, bytes):
            text = _decode(text, label)
        return _read_csv_text(text, label)
    text, label = _load(str(source), root)
    return _read_csv_text(text, label)


def _load(spec: str, root: Path) -> tuple[str, str]:
    """The text of a findings table and a label for it, from a path, run folder or revision."""
    for base in (Path.cwd(), root):
        path = base / spec
        if path.is_file():
            return _decode(_read_bytes(path), spec), spec
        if path.is_dir():
            for inner in (FINDINGS_IN_REPO, "findings.csv"):
                if (path / inner).is_file():
                    label = f"{spec.rstrip('/' + os.sep)}/{inner}"
                    return _decode(_read_bytes(path / inner), label), label
            raise InputError("a run folder without a findings table", file=spec,
                             expected=f"{FINDINGS_IN_REPO} or findings.csv inside it")
    if ":" in spec:
        rev, inner = spec.split(":", 1)
        inner = inner if inner.startswith(("./", "/")) or not inner else f"./{inner}"
    else:
        rev, inner = spec, f"./{FINDINGS_IN_REPO}"
    if not rev or not _is_revision(rev, root):
        raise InputError("not a findings file, run folder or git revision", value=spec,
                         expected=f"a CSV file, runs/<name>/, or a revision such as HEAD (in {root})")
    label = f"{rev}:{inner.removeprefix('./')}"
    shown = _git(root, "show", f"{rev}:{inner}")
    if shown.returncode != 0:
        raise InputError(f"not in that revision ({_first_line(shown.stderr)})", file=label)
    return _decode(shown.stdout, label), label


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=path) from None


def _git(root: Path, *args) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, check=False)
    except OSError as exc:
        raise InputError(f"cannot run git: {exc.strerror or exc}", expected="git on PATH") from None


def _is_revision(rev: str, root: Path) -> bool:
    if rev.startswith("-"):  # never let a "revision" become a git option
        return False
    return _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}").returncode == 0


def _first_line(data: bytes) -> str:
    lines = data.decode("utf-8", "replace").strip().splitlines()
    return " ".join(lines[0].split()) if lines else "git failed"


def _decode(data: bytes, label: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", file=label, expected="a findings CSV") from None


def _read_csv_text(text: str, label: str) -> pd.DataFrame:
    """The one place findings CSV text becomes a table (swap in the project's reader here)."""
    if not text.strip():
        raise InputError("empty file", file=label, expected="a findings CSV with a header row")
    csv.field_size_limit(2**31 - 1)  # a long detail sentence is no reason to fail
    try:
        records = [r for r in csv.reader(io.StringIO(text, newline="")) if r]
    except csv.Error as exc:
        raise InputError(f"not a readable CSV ({exc})", file=label) from None
    header = records[0]
    for line, record in enumerate(records[1:], start=2):
        if len(record) != len(header):
            raise InputError(f"{len(record)} fields but the header has {len(header)}", file=label, row=line,
                             expected="one cell per column")
    table = pd.DataFrame(records[1:], columns=_unique(header), dtype=str)
    if KEY not in table.columns:
        raise InputError("no claim_id column", file=label, column=KEY,
                         expected="a findings table with one row per claim_id")
    table = table.map(_unescape)
    dup = table[KEY].duplicated()
    if dup.any():
        first = int(dup.to_numpy().argmax())
        raise InputError("claim listed twice", file=label, row=first + 2, column=KEY,
                         value=table[KEY].iloc[first], expected="one row per claim")
    table.attrs["source"] = label
    return table


def _unique(names: list[str]) -> list[str]:
    """Column names made unique as pandas does (``statistic``, ``statistic.1``)."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        k = seen.get(name, 0)
        seen[name] = k + 1
        out.append(name if k == 0 else f"{name}.{k}")
    return out


def _unescape(cell: str) -> str:
    if len(cell) > 1 and cell[0] == "'" and cell[1] in _FORMULA_STARTS:
        return cell[1:]
    return cell


# ----------------------------------------------------------------------------- comparing

def _number(cell: str):
    """float (nan for a blank cell), or None when the cell is text."""
    if not cell.strip():
        return math.nan
    try:
        return float(cell)
    except ValueError:
        return None


def _same_number(a: float, b: float, rtol: float, atol: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b or math.isclose(a, b, rel_tol=rtol, abs_tol=atol)


def diff_findings(old, new, *, rtol: float = 1e-6, atol: float = 1e-12, root=None) -> pd.DataFrame:
    """Compare two findings tables claim by claim; one row per change, old → new.

    Parameters
    ----------
    old, new : DataFrame or source
        Tables from :func:`read_findings_table`, or anything it accepts.
    rtol, atol : float
        Two numbers are the same when ``math.isclose`` says so with these tolerances (the
        tables store ten significant digits, so the defaults ignore only storage noise).
    root : path-like, optional
        Passed to :func:`read_findings_table`.

    Returns
    -------
    DataFrame
        ``claim_id, notebook, verdict, change, column, old, new`` with ``change`` one of
        ``verdict``, ``number``, ``text`` (a cell), ``claim added``, ``claim removed``
        (``old``/``new``: the verdict), ``column added``, ``column removed`` (``claim_id``
        blank). ``notebook`` and ``verdict`` give the claim's context (the new table's, or
        the old one's for a removed claim); ``old``/``new`` are the cells as written.
        Claims come in ``claim_id`` order, the changed cells of a claim in
        :data:`DIFF_COLUMNS` order. ``attrs`` hold ``old``/``new`` (the sources) and
        ``n_old``/``n_new`` (claims in each).

    Examples
    --------
    >>> import io
    >>> old = read_findings_table(io.StringIO(
    ...     "claim_id,notebook,verdict,p_value\\nt.burnout,03_burnout,consistent,0.2\\nt.x,01,external,\\n"))
    >>> new = read_findings_table(io.StringIO(
    ...     "claim_id,notebook,verdict,p_value\\nt.burnout,03_burnout,inconsistent,0.0010\\nt.x,01,external,\\n"))
    >>> diff_findings(old, new)[["claim_id", "change", "column", "old", "new"]]
        claim_id  change   column         old           new
    0  t.burnout  verdict  verdict  consistent  inconsistent
    1  t.burnout   number  p_value         0.2        0.0010
    """
    old = old if isinstance(old, pd.DataFrame) else read_findings_table(old, root=root)
    new = new if isinstance(new, pd.DataFrame) else read_findings_table(new, root=root)
    shared = [c for c in new.columns if c in old.columns and c != KEY]
    order = {c: i for i, c in enumerate(DIFF_COLUMNS)}
    shared.sort(key=lambda c: (order.get(c, len(order)), new.columns.get_loc(c)))
    a, b = old.set_index(KEY), new.set_index(KEY)
    rows = []
    for claim in sorted(set(a.index) | set(b.index)):
        if claim not in a.index:
            rows.append(_row(claim, b.loc[claim], "claim added", "", "", b.loc[claim].get("verdict", "")))
            continue
        if claim not in b.index:
            rows.append(_row(claim, a.loc[claim], "claim removed", "", a.loc[claim].get("verdict", ""), ""))
            continue
        ra, rb = a.loc[claim], b.loc[claim]
        for col in shared:
            x, y = ra[col], rb[col]
            if x == y:
                continue
            nx, ny = _number(x), _number(y)
            if col == "verdict":
                change = "verdict"
            elif nx is not None and ny is not None:  # a blank cell counts as a missing number
                if _same_number(nx, ny, rtol, atol):
                    continue
                change = "number"
            else:
                change = "text"
            rows.append(_row(claim, rb, change, col, x, y))
    for col in [c for c in old.columns if c not in new.columns]:
        rows.append({"claim_id": "", "notebook": "", "verdict": "", "change": "column removed",
                     "column": col, "old": "", "new": ""})
    for col in [c for c in new.columns if c not in old.columns]:
        rows.append({"claim_id": "", "notebook": "", "verdict": "", "change": "column added",
                     "column": col, "old": "", "new": ""})
    out = pd.DataFrame(rows, columns=CHANGE_COLUMNS)
    out.attrs.update(old=old.attrs.get("source", "old"), new=new.attrs.get("source", "new"),
                     n_old=len(old), n_new=len(new))
    return out


def _row(claim, context, change, column, old, new) -> dict:
    return {"claim_id": claim, "notebook": context.get("notebook", ""), "verdict": context.get("verdict", ""),
            "change": change, "column": column, "old": old, "new": new}


def _kept(changes: pd.DataFrame, verdicts_only: bool) -> pd.DataFrame:
    return changes[changes["change"].isin(VERDICT_CHANGES)] if verdicts_only else changes


def findings_diff_status(changes: pd.DataFrame, *, verdicts_only: bool = False) -> int:
    """Exit status as ``diff`` gives it: 0 nothing changed, 1 something changed.

    With ``verdicts_only``, 1 means a verdict changed (a claim added or removed counts;
    numbers, text and columns that moved do not).

    Examples
    --------
    >>> import pandas as pd
    >>> moved = pd.DataFrame([{"claim_id": "a.b", "change": "number", "column": "p_value"}])
    >>> findings_diff_status(moved), findings_diff_status(moved, verdicts_only=True)
    (1, 0)
    """
    return int(len(_kept(changes, verdicts_only)) > 0)


# ----------------------------------------------------------------------------- formatting

def _fmt(cell: str, other: str = "") -> str:
    """A cell for display: numbers rounded, with enough digits to tell ``other`` apart."""
    x, y = _number(cell), _number(other)
    if x is None:
        return cell
    if math.isnan(x):
        return "—" if not cell.strip() else cell
    digits = 4
    while digits < 12:
        shown = _short(x, digits)
        if y is None or math.isnan(y) or x == y or shown != _short(y, digits):
            return shown
        digits += 1
    return _short(x, digits)


def _short(x: float, digits: int) -> str:
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.{digits}g}"


def _pair(old: str, new: str) -> tuple[str, str]:
    return _fmt(old, new), _fmt(new, old)


def _claims(changes: pd.DataFrame):
    """(claim_id, rows) for each claim with a cell change, in order."""
    cells = changes[changes["change"].isin(["verdict", "number", "text"])]
    return list(cells.groupby("claim_id", sort=False))


def _summary(changes: pd.DataFrame, verdicts_only: bool) -> str:
    kept = _kept(changes, verdicts_only)
    n_changed = kept.loc[kept["change"].isin(["verdict", "number", "text"]), "claim_id"].nunique()
    n_verdict = int((kept["change"] == "verdict").sum())
    n_add, n_rem = int((kept["change"] == "claim added").sum()), int((kept["change"] == "claim removed").sum())
    cols = int(kept["change"].isin(["column added", "column removed"]).sum())
    parts = [f"{n_changed} claim{'s' * (n_changed != 1)} changed ({n_verdict} verdict{'s' * (n_verdict != 1)})",
             f"{n_add} added", f"{n_rem} removed"]
    if cols:
        parts.append(f"{cols} column{'s' * (cols != 1)} added or removed")
    ignored = len(changes) - len(kept)
    if verdicts_only and ignored:
        parts.append(f"{ignored} other change{'s' * (ignored != 1)} ignored (--verdicts-only)")
    return ", ".join(parts)


def format_findings_diff(changes: pd.DataFrame, fmt: str = "text", *, verdicts_only: bool = False,
                         color: bool = False) -> str:
    """Render :func:`diff_findings` for a terminal (``text``), a CI comment (``markdown``) or tools (``json``).

    Orientation is git's: old → new; in text, a long cell shows as a ``-`` old and a
    ``+`` new line. Numbers are rounded for display only (four significant digits, more
    when needed to show that two numbers differ).

    Examples
    --------
    >>> import io
    >>> old = read_findings_table(io.StringIO("claim_id,notebook,verdict\\nt.b,03_burnout,consistent\\n"))
    >>> new = read_findings_table(io.StringIO("claim_id,notebook,verdict\\nt.b,03_burnout,inconsistent\\n"))
    >>> print(format_findings_diff(diff_findings(old, new)))
    --- <buffer> (1 claim)
    +++ <buffer> (1 claim)
    t.b  [03_burnout]
      verdict  consistent → inconsistent
    1 claim changed (1 verdict), 0 added, 0 removed
    """
    if fmt == "text":
        return _text(changes, verdicts_only, color)
    if fmt == "markdown":
        return _markdown(changes, verdicts_only)
    if fmt == "json":
        return _json(changes, verdicts_only)
    raise InputError("unknown format", value=fmt, expected="text, markdown or json")


def _text(changes, verdicts_only, color) -> str:
    def paint(s, code):
        return f"\x1b[{code}m{s}\x1b[0m" if color else s

    at = changes.attrs
    kept = _kept(changes, verdicts_only)
    lines = [paint(f"--- {at.get('old', 'old')} ({_n(at.get('n_old'))})", "1"),
             paint(f"+++ {at.get('new', 'new')} ({_n(at.get('n_new'))})", "1")]
    for claim, rows in _claims(kept):
        lines.append(paint(f"{claim}  [{rows['notebook'].iloc[0] or 'no notebook'}]", "36"))
        width = max(len(c) for c in rows["column"])
        for r in rows.itertuples(index=False):
            old, new = _pair(r.old, r.new)
            if len(old) + len(new) > 70:
                lines.append(f"  {r.column:<{width}}  " + paint(f"- {old}", "31"))
                lines.append(f"  {'':<{width}}  " + paint(f"+ {new}", "32"))
            else:
                lines.append(f"  {r.column:<{width}}  " + paint(old or "—", "31") + " → " + paint(new or "—", "32"))
    for r in kept[kept["change"] == "claim removed"].itertuples(index=False):
        lines.append(paint(f"- claim {r.claim_id}  [{r.notebook or 'no notebook'}]  {r.old or '—'}", "31"))
    for r in kept[kept["change"] == "claim added"].itertuples(index=False):
        lines.append(paint(f"+ claim {r.claim_id}  [{r.notebook or 'no notebook'}]  {r.new or '—'}", "32"))
    for what, code in (("column removed", "31"), ("column added", "32")):
        names = kept.loc[kept["change"] == what, "column"].tolist()
        if names:
            lines.append(paint(f"{what.replace('column', 'columns')}: {', '.join(names)}", code))
    lines.append(_summary(changes, verdicts_only))
    return "\n".join(lines)


def _n(n) -> str:
    return "?" if n is None else f"{n} claim{'s' * (n != 1)}"


def _md(text: str) -> str:
    text = str(text).replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
    return " ".join(text.split())


def _markdown(changes, verdicts_only) -> str:
    at = changes.attrs
    kept = _kept(changes, verdicts_only)
    lines = [f"### Findings: `{_md(at.get('old', 'old'))}` → `{_md(at.get('new', 'new'))}`", "",
             f"**{_summary(changes, verdicts_only)}** ({_n(at.get('n_old'))} → {_n(at.get('n_new'))})", ""]
    claims = _claims(kept)
    if claims:
        grouped = {c for _, cols in _GROUPS for c in cols}
        lines.append("| claim | notebook | " + " | ".join(h for h, _ in _GROUPS) + " | other changes |")
        lines.append("|---" * (len(_GROUPS) + 3) + "|")
        for claim, rows in claims:
            by_col = {r.column: r for r in rows.itertuples(index=False)}
            cells = [f"`{_md(claim)}`", _md(rows["notebook"].iloc[0])]
            for heading, cols in _GROUPS:
                cells.append(_md_group(heading, cols, by_col, rows["verdict"].iloc[0]))
            cells.append(", ".join(f"`{_md(c)}`" for c in by_col if c not in grouped))
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    for what, sign in (("claim removed", "Removed claims"), ("claim added", "Added claims")):
        sub = kept[kept["change"] == what]
        if len(sub):
            lines.append(f"{sign}: " + ", ".join(
                f"`{_md(r.claim_id)}` ({_md(r.notebook or 'no notebook')}, {_md(r.old or r.new or '—')})"
                for r in sub.itertuples(index=False)))
            lines.append("")
    for what in ("column removed", "column added"):
        names = kept.loc[kept["change"] == what, "column"].tolist()
        if names:
            lines.append(f"{what.replace('column', 'Columns').capitalize()}: " + ", ".join(f"`{_md(c)}`" for c in names))
            lines.append("")
    if not len(kept):
        lines.append("No change in the findings.")
    return "\n".join(lines).rstrip("\n") + "\n"


def _md_group(heading, cols, by_col, verdict) -> str:
    if heading == "interval":
        if not any(c in by_col for c in cols):
            return ""
        if all(c in by_col for c in cols):
            (olo, nlo), (ohi, nhi) = (_pair(by_col[c].old, by_col[c].new) for c in cols)
            return _md(f"[{olo or '—'}, {ohi or '—'}] → [{nlo or '—'}, {nhi or '—'}]")
    parts = []
    for c in cols:
        if c in by_col:
            old, new = _pair(by_col[c].old, by_col[c].new)
            prefix = f"{_SECONDARY[c]}: " if c in _SECONDARY else ""
            arrow = f"{old or '—'} → **{new or '—'}**" if c == "verdict" else f"{old or '—'} → {new or '—'}"
            parts.append(prefix + _md(arrow))
    if not parts and heading == "verdict":
        return _md(verdict)  # unchanged: shown for context
    return "<br>".join(parts)


def _json(changes, verdicts_only) -> str:
    at = changes.attrs
    kept = _kept(changes, verdicts_only)
    records = []
    for r in kept.itertuples(index=False):
        rec = r._asdict()
        if r.change == "number":
            for side in ("old", "new"):
                x = _number(rec[side])
                rec[side] = None if x is None or math.isnan(x) or math.isinf(x) else x
        records.append(rec)
    doc = {"old": at.get("old"), "new": at.get("new"), "n_old": at.get("n_old"), "n_new": at.get("n_new"),
           "verdicts_only": verdicts_only, "status": findings_diff_status(changes, verdicts_only=verdicts_only),
           "verdict_changed": bool(changes["change"].isin(VERDICT_CHANGES).any()),
           "summary": _summary(changes, verdicts_only), "changes": records}
    return json.dumps(doc, ensure_ascii=False, indent=1)
