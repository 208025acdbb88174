"""Surveys of your own: draft a definition from an export (``survey init``), check one (``survey check``).

The draft is a starting point, not a verdict: every line where :func:`draft_definition` had to
guess carries a ``# GUESS`` comment saying what it assumed. What it reads: value labels and
their order from SPSS/Stata files, user-missing codes they declare, answer scales in the five
export languages (the shipped vocabularies: agreement, satisfaction, yes/no), numeric ranges,
and candidate id, weight, timestamp and design columns from names and values.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import yaml

from .definition import SURVEYS_DIR, load_definition, normalize_label
from .definition_yaml import _Loader, read_yaml
from .errors import InputError
from .parse import parse_number, parse_percent, script_language

__all__ = ["draft_definition", "write_draft", "check_survey"]

_ROLE_NAMES = [
    ("id", r"^(respondent|response|resp|case|record|participant|interview)?_?(id|no|number|num|uuid)$|^caseid$"),
    ("weight", r"(^|_)(weight|weights|wt|wgt|pweight|finalwt|wt_final)($|_)"),
    ("timestamp", r"^(recorded|start|end|submit|submitted|submission)_?(date|time|at)$"
                  r"|(^|_)(date|datetime|timestamp|submitted_at)($|_)"),
    ("duration", r"(^|_)(duration|seconds|duration_in_seconds|time_taken)($|_)"),
    ("progress", r"^progress$"),
    ("finished", r"^(finished|completed?)$"),
    ("status", r"^(status|response_type)$"),
    ("email", r"e_?mail($|_)"),
    ("strata", r"^(strat|strata|stratum|stype)$"),
    ("cluster", r"^(cluster|psu|clus|dnum)$"),
    ("fpc", r"^(fpc|fpc\d)$"),
]
_MAX_LEVELS = 20


def _slug(text: str, used: set) -> str:
    s = re.sub(r"[^0-9a-z]+", "_", normalize_label(text)).strip("_")
    s = s if s and s[0].isalpha() else f"q_{s}" if s else "column"
    base, i = s, 2
    while s in used:
        s, i = f"{base}_{i}", i + 1
    used.add(s)
    return s


def _q(text) -> str:
    return json.dumps(str(text), ensure_ascii=False)


def _shipped():
    """The shipped vocabularies, resolved through a throw-away definition that uses them all."""
    raw = read_yaml(SURVEYS_DIR / "vocabularies.yml")
    probe = {"id": "probe", "title": "probe", "languages": ["en"],
             "columns": {"rid": {"role": "id"}, **{f"v_{n}": {"type": "categorical", "vocabulary": n} for n in raw}}}
    return [c.vocabulary for c in load_definition(probe).columns if c.vocabulary is not None]


def _scale(values) -> tuple[str | None, str]:
    """A shipped vocabulary every value belongs to (most levels first), and its type."""
    folded = {normalize_label(v) for v in values} - {""}
    if not folded:
        return None, ""
    for voc in sorted(_shipped(), key=lambda v: -len(v.levels)):
        lookup = dict(voc.lookup)
        if voc.name == "yes_no":
            lookup.update({"true": "yes", "false": "no"})
        if voc.name in ("industry", "region", "role", "company_size"):
            continue
        if folded <= set(lookup) and (voc.name == "yes_no" or len({lookup[f] for f in folded}) >= 2):
            return voc.name, "yes_no" if voc.name == "yes_no" else "ordinal"
    return None, ""


def _num(v: float) -> str:
    """A number as YAML reads it back exactly (``%g`` would round 8.895643 into a range its data exceed)."""
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def _numbers(values):
    try:
        return [parse_number(v) for v in values]
    except ValueError:
        return None


def _column_yaml(name, raw, col: pd.Series, attrs, has_id) -> tuple[list[str], str | None]:
    """YAML lines of one column, and its role if it took one."""
    head = [f"  {_q(name)}:"]
    if raw != name:
        head.append(f"    raw: {_q(raw)}")
    question = (attrs.get("question_text") or {}).get(raw)
    if question and question != raw:
        head.append(f"    text: {_q(question)}")
    values = col.dropna().astype(str)
    distinct = list(dict.fromkeys(values.tolist()))
    low = normalize_label(raw).replace(" ", "_")
    for role, pattern in _ROLE_NAMES:
        if re.search(pattern, low) and not (role == "id" and has_id):
            note = "; some ids repeat (cleaning drops exact repeats)" if role == "id" and values.duplicated().any() else ""
            return head + [f"    role: {role}                # GUESS: from the column name{note}"], role
    labels = (attrs.get("value_labels") or {}).get(raw)
    missing = (attrs.get("missing_codes") or {}).get(raw)
    extra = []
    if missing:
        extra.append(f"    missing: [{', '.join(_q(m) for m in missing)}]   # declared user-missing in the file")
    if labels:
        ordered = list(labels.items())
        nums = _numbers([k for k, _ in ordered])
        if nums is not None:
            ordered = [kv for _, kv in sorted(zip(nums, ordered), key=lambda t: t[0])]
        texts = [lab for code, lab in ordered if code not in (missing or [])]
        unlabelled = [v for v in distinct if v not in set(labels.values())]
        vocab, typ = _scale(texts + unlabelled)
        if vocab:
            return head + [f"    type: {typ}", f"    vocabulary: {vocab}        # recognised from the value labels"] \
                + extra, None
        typ = "ordinal" if nums is not None and len(texts) >= 3 else "categorical"
        lines = head + [f"    type: {typ}" + ("                # GUESS: order of the codes "
                                            f"{ordered[0][0]}..{ordered[-1][0]}; categorical if it means nothing"
                                            if typ == "ordinal" else "")] + extra + ["    levels:"]
        used = set()
        for code, lab in ordered:
            if code in (missing or []):
                continue
            lines.append(f"      {_q(_slug(lab, used))}: {_q(lab)}   # code {code}")
        for v in unlabelled:
            lines.append(f"      {_q(_slug(v, used))}: {_q(v)}   # GUESS: found in the data without a value label")
        return lines, None
    if not distinct:
        return head + ["    type: free_text              # GUESS: every cell is blank", "    required: false"], None
    vocab, typ = _scale(distinct)
    if vocab:
        hint = "   # recognised; add top_box: 2 to clean to True for the top two levels" if typ == "ordinal" else ""
        return head + [f"    type: {typ}", f"    vocabulary: {vocab}{hint}"] + extra, None
    if values.str.strip().str.endswith("%").any():
        try:
            if all(0 <= parse_percent(v) <= 100 for v in distinct):
                return head + ["    type: percent                # GUESS: written as percentages"] + extra, None
        except ValueError:
            pass
    nums = _numbers(distinct)
    if nums is not None:
        lo, hi = min(nums), max(nums)
        integer = all(float(v).is_integer() for v in nums)
        return head + ["    type: number"] + (["    integer: true"] if integer else []) + [
            f"    range: [{_num(lo)}, {_num(hi)}]          # GUESS: the observed range; widen it to what the question allows"
        ] + extra, None
    groups = {}  # spellings that fold to one label ('North America', 'north america ') are one level
    for v in values.tolist():
        groups.setdefault(normalize_label(v), {}).setdefault(v, 0)
        groups[normalize_label(v)][v] += 1
    if len(groups) <= _MAX_LEVELS and len(groups) < max(3, 0.5 * len(values)):
        used = set()
        lines = head + ["    type: categorical            # GUESS: few distinct answers; levels as found, most "
                        "frequent first"] + extra + ["    levels:"]
        for key, spellings in sorted(groups.items(), key=lambda kv: (-sum(kv[1].values()), kv[0])):
            main = max(spellings, key=lambda v: (spellings[v], v == v.strip(), v))
            lines.append(f"      {_q(_slug(main, used))}: {_q(main.strip())}")
        return lines, None
    return head + ["    type: free_text              # GUESS: many distinct answers"] + extra, None


def draft_definition(export, *, survey_id: str | None = None, title: str | None = None) -> str:
    """A YAML survey definition drafted from an export; ``# GUESS`` marks what to check.

    Parameters
    ----------
    export : str, Path or DataFrame
        Any export :func:`supportstats.io.read_table` reads (CSV, xlsx, SPSS, Stata,
        Qualtrics/SurveyMonkey), or such a frame.
    survey_id, title : str, optional
        Default: from the file name.

    Returns
    -------
    str
        The definition's text; it loads with :func:`supportstats.definition.load_definition`.

    Examples
    --------
    >>> raw = pd.DataFrame({"ResponseId": ["R1", "R2", "R3"], "Happy": ["Yes", "No", "はい"],
    ...                     "Score": ["7", "9", "10"], "Q5": ["Agree", "Strongly agree", "Disagree"]})
    >>> text = draft_definition(raw, survey_id="demo")
    >>> d = load_definition(yaml.load(text, Loader=_Loader))
    >>> [(c.name, c.kind) for c in d.columns]
    [('responseid', 'id'), ('happy', 'yes_no'), ('score', 'number'), ('q5', 'ordinal')]
    """
    from .io import read_table

    if isinstance(export, pd.DataFrame):
        raw, source = export, export.attrs.get("source", "<data frame>")
    else:
        raw, source = read_table(export), str(export)
    stem = Path(str(source)).stem if source != "<data frame>" else "my_survey"
    used = set()
    sid = survey_id or _slug(re.sub(r"[_-]?(19|20)\d\d", "", stem) or "my_survey", set())
    lines_all, has_id = [], False
    langs = {"en"}
    columns = [c for c in raw.columns if c != "provenance" and not str(c).endswith("_missing_code")]
    for c in columns:
        name = _slug(str(c), used)
        lines, role = _column_yaml(name, str(c), raw[c], raw.attrs, has_id)
        has_id = has_id or role == "id"
        lines_all += lines
        for v in raw[c].dropna().astype(str).unique()[:50]:
            langs.add(script_language(v))
    if not has_id:
        unique = [c for c in columns if raw[c].notna().all() and not raw[c].duplicated().any()]
        note = ("# GUESS: no column is named like a response id; " +
                (f"{unique[0]!r} has a unique value on every row: give it role: id" if unique
                 else "no column is unique on every row: add a response id to the export"))
        lines_all = [f"  {note}"] + lines_all
        if unique:
            name = [ln for ln in lines_all if ln.startswith("  \"")][columns.index(unique[0])]
            i = lines_all.index(name)
            j = i + 1
            while j < len(lines_all) and lines_all[j].startswith("    "):
                j += 1
            lines_all[i:j] = [name, *[ln for ln in lines_all[i + 1:j] if ln.startswith(("    raw:", "    text:"))],
                              "    role: id                     # GUESS: the only column unique on every row"]
    # labels are in the export's languages; English first when there is any
    languages = sorted(langs - {"zh"} if "zh" in langs and len(langs) > 1 else langs, key=lambda x: x != "en")
    languages = ["en"] if languages == [] else languages
    header = [
        f"# Survey definition drafted by `supportstats survey init` from {Path(str(source)).name} ({len(raw)} rows).",
        "# Lines marked GUESS are assumptions: check them, then run",
        f"#   supportstats survey check THIS_FILE {Path(str(source)).name}",
        "# The format: docs/survey_definitions.md",
        f"id: {sid}",
        f"title: {_q(title or stem.replace('_', ' '))}   # GUESS: the title tables and figures show",
        f"languages: [{', '.join(languages[:1])}]   # display languages of the labels below",
        "",
        "columns:",
    ]
    tail = _grids(lines_all) + _cleaning(lines_all)
    text = "\n".join(header + lines_all + tail) + "\n"
    try:
        load_definition(yaml.load(text, Loader=_Loader))
    except InputError as exc:  # pragma: no cover - a draft that does not load is a bug here
        raise InputError(f"the drafted definition does not load ({exc})", file=source) from None
    return text


def _grids(lines) -> list[str]:
    """Runs of three or more consecutive questions on one shipped scale: candidate grids."""
    runs, current, last = [], [], None
    for i, ln in enumerate(lines):
        if ln.startswith('  "'):
            name = json.loads(ln.strip().rstrip(":"))
        m = re.match(r"    vocabulary: (\w+)", ln)
        if m and lines[i - 1].strip() == "type: ordinal":
            if m.group(1) == last:
                current.append(name)
            else:
                runs.append(current)
                current, last = [name], m.group(1)
    runs.append(current)
    runs = [r for r in runs if len(r) >= 3]
    if not runs:
        return []
    out = ["", "grids:                 # GUESS: consecutive questions on one scale (for straight-lining)"]
    return out + [f"  grid_{k + 1}: [{', '.join(r)}]" for k, r in enumerate(runs)]


def _cleaning(lines) -> list[str]:
    roles = {m.group(1) for ln in lines for m in [re.match(r"    role: (\w+)", ln)] if m}
    out = ["", "cleaning:"]
    if "duration" in roles:
        out.append("  min_duration_sec: 0     # GUESS: a speeder threshold in seconds (the built-in surveys use 120)")
    if "progress" in roles:
        out.append("  min_progress: 100       # responses with less progress are partial completes")
    markers = [r for r in ("status", "email") if r in roles]
    if markers:
        out.append("  test_markers:           # GUESS: patterns of test responses (those of the built-in surveys)")
        pats = {"status": "(?i)preview|test|spam", "email": "(?i)(?:^|[^a-z])test[^@]*@"}
        out += [f"    {r}: {_q(pats[r])}" for r in markers]
    return out if len(out) > 2 else []


def write_draft(export, out, *, survey_id=None, title=None, overwrite: bool = False) -> Path:
    """Draft a definition from ``export`` and write it to ``out`` atomically (refuses to overwrite).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from supportstats.paths import DATA_RAW
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "mine.yml"
    >>> write_draft(DATA_RAW / "synthetic_cs_ops_2023.csv", out).name
    'mine.yml'
    """
    from .outputs import atomic_path

    out = Path(out)
    if out.exists() and not overwrite:
        raise InputError("already exists; not overwritten", file=out, expected="a new file name (or --force)")
    if out.suffix not in (".yml", ".yaml"):
        raise InputError("a survey definition is a .yml file", file=out, expected="a name ending in .yml")
    text = draft_definition(export, survey_id=survey_id, title=title)
    with atomic_path(out) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return out


def check_survey(definition, export=None, *, column_map=None, wave=None) -> list[str]:
    """Check a definition (and an export against it): the lines ``supportstats survey check`` prints.

    Raises InputError at the first problem (one line: file, line or row, key or column, expected).

    Examples
    --------
    >>> from supportstats.paths import DATA_RAW
    >>> lines = check_survey("trends", DATA_RAW / "synthetic_trends_2022.csv")
    >>> lines[0].split(": ", 1)[1][:40], [ln for ln in lines if ln.startswith("n_raw")]
    ('survey trends (Customer-support trends s', ['n_raw = n_clean + n_excluded: 1371 = 1214 + 157'])
    """
    from .clean import clean_survey, format_report, guess_survey
    from .column_maps import apply_column_map, load_column_map
    from .io import read_table

    d = load_definition(definition)
    roles = ", ".join(f"{c.role} {c.name}" for c in d.columns if c.role)
    types = pd.Series([c.type for c in d.questions]).value_counts()
    lines = [f"{d.source}: survey {d.id} ({d.title}): {len(d.columns)} columns",
             f"  questions: {len(d.questions)} (" + ", ".join(f"{n} {t}" for t, n in types.items()) + ")",
             f"  roles: {roles}", f"  languages: {', '.join(d.languages)}",
             "  grids: " + (", ".join(f"{g} ({len(v)} items)" for g, v in d.grids.items()) or "none"),
             "  missing codes: " + (", ".join(map(str, d.missing)) or "none survey-wide"),
             "  cleaning: " + ", ".join(f"{k} {v}" for k, v in d.cleaning.items() if k != "test_markers"),
             "definition OK"]
    if export is None:
        return lines
    cmap = load_column_map(column_map) if column_map else None
    raw = read_table(export, **(cmap["read"] if cmap else {}))
    if cmap:
        raw = apply_column_map(raw, cmap, source=export)
    ignored = [c for c in raw.columns if c not in d.raw_columns() and c != "provenance"
               and not str(c).endswith("_missing_code")]
    if wave is None:
        wave = guess_survey(export)[1] or 0  # the wave does not change what is valid
    result = clean_survey(raw, d, wave=wave, source=str(export))
    lines.append(f"{export}: every value reads under {d.id}")
    if ignored:
        lines.append(f"  columns the definition does not read (ignored): {', '.join(map(str, ignored))}")
    return lines + format_report(result)[1:]
