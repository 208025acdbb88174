"""The cleaning steps, each a public function of (data, definition) returning (kept data, exclusions).

Call them one by one in a notebook, or let :func:`supportstats.clean.clean_survey` run them all
(``STEPS``, in order) and keep the audit. Exclusion steps remove whole responses and say why;
parsing steps turn text into typed analysis columns and *raise*
:class:`~supportstats.errors.InputError` on anything they cannot read (an unknown label, CSAT
140, a zero weight): a wrong value is a question for the researcher, not a row to drop silently.

The data travel as the export's own columns (categorical: each distinct text is read once,
however many rows share it) indexed by ``row``, the line of the export file (header = line 1;
in a Qualtrics export the first respondent is line 4). Typed columns are added under the
definition's names. ``exclusions`` always has the columns ``respondent_id, row, step, reason,
value, provenance``.

>>> import supportstats as ss
>>> from supportstats.paths import DATA_RAW
>>> d = ss.load_definition("cs_ops")
>>> raw = ss.read_table(DATA_RAW / "synthetic_cs_ops_2023.csv")
>>> kept, excluded = ss.drop_speeders(raw, d)
>>> len(raw) - len(kept) == len(excluded), excluded.step.unique().tolist(), excluded.reason.iloc[0]
(True, ['drop_speeders'], 'completed in under 120 s')
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .definition import SurveyDefinition, load_definition, normalize_label
from .errors import InputError
from .parse import parse_band, parse_number, parse_percent

__all__ = ["STEPS", "EXCLUSION_COLUMNS", "prepare", "drop_blank", "deduplicate", "drop_tests", "drop_partials",
           "drop_speeders", "recode_missing", "drop_straightliners", "normalize_labels", "parse_percentages",
           "parse_bands", "validate_ranges"]

#: Cleaning steps in the order :func:`supportstats.clean.clean_survey` runs them.
STEPS = ("drop_blank", "deduplicate", "drop_tests", "drop_partials", "drop_speeders", "recode_missing",
         "drop_straightliners", "normalize_labels", "parse_percentages", "parse_bands", "validate_ranges")
EXCLUSION_COLUMNS = ("respondent_id", "row", "step", "reason", "value", "provenance")
_ROWS = "rows count file lines, header = line 1"
_META_ROLES = ("timestamp", "duration", "progress", "finished", "status", "email")
_NOT_FINISHED = ("0", "false", "no", "0.0")
_NOT_SELECTED = ("", "0", "false", "no", "not selected", "0.0")


# ------------------------------------------------------------------------------------- the data
def _text(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _categorical(col: pd.Series) -> pd.Series:
    if isinstance(col.dtype, pd.CategoricalDtype):
        return col
    if not pd.api.types.is_string_dtype(col.dtype):
        col = col.map(_text, na_action="ignore").astype("str")
    codes, uniques = pd.factorize(col)
    return pd.Series(pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(uniques)), index=col.index,
                     name=col.name)


def _reads(d: SurveyDefinition) -> list[str]:
    """The export columns the steps read: the definition's, reader audit columns, provenance."""
    raws = d.raw_columns()
    return raws + [f"{r}_missing_code" for r in raws] + ["provenance"]


def prepare(data: pd.DataFrame, definition) -> pd.DataFrame:
    """The export ready for the steps: indexed by file line (``row``), the definition's columns categorical.

    Every step calls it first, so a frame straight from :func:`supportstats.io.read_table` can be
    passed to any step; on a prepared frame it changes nothing. Rows keep their export lines:
    a frame whose index is already named ``row`` keeps it; otherwise line = position in the index
    + header rows + 1 (``attrs["header_rows"]``, default 1).

    Examples
    --------
    >>> raw = pd.DataFrame({"respondent_id": ["a", "b"], "Q7_csat": ["89%", None]})
    >>> p = prepare(raw, "benchmark")
    >>> p.index.tolist(), str(p["Q7_csat"].dtype)
    ([2, 3], 'category')
    """
    d = load_definition(definition)
    out = data
    if data.index.name != "row":
        first = int(data.attrs.get("header_rows", 1)) + 1
        index = data.index if pd.api.types.is_integer_dtype(data.index) else np.arange(len(data))
        out = data.set_axis(pd.Index(np.asarray(index, np.int64) + first, name="row"), axis=0)
    idc = d.role("id").raw
    parsed = set(data.attrs.get("parsed", ()))  # typed by a parsing step under the export's own name
    convert = [c for c in _reads(d) if c in out.columns and c != idc and c not in parsed
               and not isinstance(out[c].dtype, pd.CategoricalDtype)]
    if convert or (idc in out.columns and not pd.api.types.is_string_dtype(out[idc].dtype)):
        out = out.copy(deep=False)
        for c in convert:
            out[c] = _categorical(out[c])
        if idc in out.columns and not pd.api.types.is_string_dtype(out[idc].dtype):
            out[idc] = out[idc].map(_text, na_action="ignore").astype("str")
    out.attrs = dict(data.attrs)
    return out


def _cats(data, col) -> tuple[np.ndarray, np.ndarray]:
    """Codes (NA -> -1) and the distinct texts of a categorical column, plus '' for NA at the end."""
    c = data[col]
    return c.cat.codes.to_numpy(), np.append(c.cat.categories.to_numpy(dtype=object), "")


def _fail(data, pos, column, message, value=None, expected=None):
    row = int(data.index[pos])
    raise InputError(f"{message}; {_ROWS}", file=data.attrs.get("source"), column=column, row=row,
                     value=value, expected=expected)


def _per_value(data, col, fn, message, expected, fill=None, dtype=object) -> np.ndarray:
    """``fn`` of every row's text in ``col``, computed once per distinct text; the first failing row raises."""
    codes, cats = _cats(data, col)
    out = np.empty(len(cats), dtype=dtype)
    if dtype is object:
        out[:] = [fill] * len(cats)  # element by element, so a tuple fill is not broadcast
    else:
        out[:] = fill
    used = np.zeros(len(cats), bool)
    used[np.unique(codes)] = True
    bad = []
    for i in np.flatnonzero(used):
        try:
            out[i] = fn(cats[i])
        except (ValueError, KeyError):
            bad.append(i)
    if bad:
        pos = int(np.flatnonzero(np.isin(np.where(codes < 0, len(cats) - 1, codes), bad))[0])
        _fail(data, pos, col, message, value=cats[codes[pos]], expected=expected)
    return out[codes]


def _by_category(data, col, fn) -> np.ndarray:
    """A vectorized predicate on the distinct texts (NA as ''), broadcast to rows."""
    codes, cats = _cats(data, col)
    return np.asarray(fn(pd.Series(cats, dtype="str")), dtype=bool)[codes]


def _ids(data, d, mask=None) -> pd.Series:
    """Response ids as text, blank ones as '' (only the rows of ``mask`` when given)."""
    col = data[d.role("id").raw]
    col = col if mask is None else col[mask]
    return col.astype("str").fillna("").reset_index(drop=True)


def _excl(data, d, mask, step, reason, value) -> pd.DataFrame:
    mask = np.asarray(mask, bool)
    n = int(mask.sum())

    def pick(v):
        return np.broadcast_to(np.asarray(v, dtype=object), (len(data),))[mask].astype(str) if n else []

    prov = (data["provenance"][mask].astype("str").to_numpy(dtype=object) if "provenance" in data.columns and n
            else np.full(n, None, dtype=object))
    return pd.DataFrame({"respondent_id": pd.array(_ids(data, d, mask).to_numpy(dtype=object), dtype="str"),
                         "row": data.index.to_numpy()[mask].astype(np.int64),
                         "step": pd.array([step] * n, dtype="str"),
                         "reason": pd.array(pick(reason), dtype="str"),
                         "value": pd.array(pick(value), dtype="str"),
                         "provenance": pd.array(prov, dtype="str")})


def _typed(data, new: dict) -> pd.DataFrame:
    """``data`` with typed columns added (or replacing the export's column of the same name)."""
    out = data.copy(deep=False)
    for k, v in new.items():
        out[k] = v
    out.attrs = {**data.attrs, "parsed": tuple(sorted({*data.attrs.get("parsed", ()), *new}))}
    return out


def _none(data, d, step):
    return data, _excl(data, d, np.zeros(len(data), bool), step, "", "")


def _start(data, definition):
    d = load_definition(definition)
    return prepare(data, d), d


def _present(data, d, roles=None, questions=False) -> list:
    return [c for c in d.columns if c.raw in data.columns
            and ((roles is not None and c.role in roles) or (questions and c.is_question))]


# ------------------------------------------------------------------------------------- exclusion steps
def drop_blank(data, definition):
    """Rows with every field blank (Excel leaves them when rows are deleted); the timestamp aside.

    A non-blank row without a response id raises.
    """
    data, d = _start(data, definition)
    idc = d.role("id").raw
    cols = [r for c in d.columns if c.role not in ("id", "timestamp") for r in c.raw_columns if r in data.columns]
    id_blank = _ids(data, d).str.strip().eq("").to_numpy(dtype=bool)
    blank = id_blank.copy()
    for c in cols:
        if blank.any():
            blank &= _by_category(data, c, lambda s: s.str.strip() == "")
    ex = _excl(data, d, blank, "drop_blank", "every field blank", "")
    if (id_blank & ~blank).any():
        _fail(data, int(np.flatnonzero(id_blank & ~blank)[0]), idc, "missing respondent id", value="",
              expected="a response id on every non-blank row")
    return data[~blank], ex


def deduplicate(data, definition):
    """Exact repeat submissions: same id, same answers (case and spacing aside). Keeps the first.

    The same id with different answers raises: which answer is true is not ours to guess.
    """
    data, d = _start(data, definition)
    text = _ids(data, d)
    dup = text.duplicated(keep=False).to_numpy()
    if not dup.any():
        return _none(data, d, "deduplicate")
    answers = [r for c in d.columns if c.role not in ("id", *_META_ROLES) for r in c.raw_columns]
    answers += [f"{r}_missing_code" for r in answers]
    answers = [r for r in answers if r in data.columns]
    pos = np.flatnonzero(dup)

    def folded_ids(c):  # each answer as the id of its folded text, so 'Agree' and 'agree ' compare equal
        codes, cats = _cats(data, c)
        return pd.factorize(np.array([normalize_label(x) for x in cats], dtype=object))[0][codes[dup]]

    folded = np.column_stack([folded_ids(c) for c in answers]) if answers else np.zeros((len(pos), 1), int)
    ids = pd.factorize(text[dup].to_numpy())[0]
    order = np.lexsort((pos, ids))
    pos, folded, idk = pos[order], folded[order], ids[order]
    same_id = idk[1:] == idk[:-1]
    differs = same_id & (folded[1:] != folded[:-1]).any(axis=1)
    rows_all = data.index.to_numpy()
    if differs.any():
        j = int(np.flatnonzero(differs)[0])
        a, b = pos[j], pos[j + 1]
        col = answers[int(np.flatnonzero(folded[j] != folded[j + 1])[0])]
        ra, rb = rows_all[a], rows_all[b]
        raise InputError(f"the same respondent id appears on rows {ra} and {rb} with different answers; {_ROWS}",
                         file=data.attrs.get("source"), column=col, row=int(rb), value=text.iloc[a],
                         expected="one response per id (exact duplicates are dropped, conflicting ones are not)")
    later = np.zeros(len(data), bool)
    later[pos[1:][same_id]] = True
    # the first occurrence of each id is the row just before a run in the sorted order
    run_start = np.maximum.accumulate(np.where(np.r_[True, ~same_id], np.arange(len(pos)), 0))
    first_pos = pos[run_start]
    value = np.full(len(data), "", dtype=object)
    value[pos[1:][same_id]] = ["duplicate of row %d" % r for r in rows_all[first_pos[1:][same_id]]]
    return data[~later], _excl(data, d, later, "deduplicate", "exact duplicate of an earlier submission", value)


_TEST_REASON = {"status": "status marks a test response", "email": "test e-mail address"}


def drop_tests(data, definition):
    """Test responses: a column whose role has a test marker (``cleaning.test_markers``) matches it."""
    data, d = _start(data, definition)
    bad = np.zeros(len(data), bool)
    reason = np.full(len(data), "", dtype=object)
    value = np.full(len(data), "", dtype=object)
    for role, pattern in d.cleaning["test_markers"].items():
        c = d.role(role)
        if c is None or c.raw not in data.columns:
            continue
        m = _by_category(data, c.raw, lambda s, p=pattern: s.str.contains(p, regex=True)) & ~bad
        bad |= m
        reason[m] = _TEST_REASON.get(role, f"{role} marks a test response")
        value[m] = _cats(data, c.raw)[1][data[c.raw].cat.codes.to_numpy()[m]]
    return data[~bad], _excl(data, d, bad, "drop_tests", reason, value)


def _numeric(data, col, what) -> np.ndarray:
    return _per_value(data, col, parse_number, f"not a number ({what})", "a number", np.nan, float)


def _texts(data, col, mask) -> np.ndarray:
    codes, cats = _cats(data, col)
    return cats[codes[mask]].astype(str)


def drop_partials(data, definition):
    """Partial completes: the ``finished`` column says 0/false/no, or ``progress`` is below ``min_progress``."""
    data, d = _start(data, definition)
    bad = np.zeros(len(data), bool)
    value = np.full(len(data), "", dtype=object)
    fin, prog = d.role("finished"), d.role("progress")
    if fin is not None and fin.raw in data.columns:
        m = _by_category(data, fin.raw, lambda s: s.str.strip().str.casefold().isin(_NOT_FINISHED))
        bad |= m
        value[m] = np.char.add(f"{fin.raw}=", _texts(data, fin.raw, m))
    if prog is not None and prog.raw in data.columns:
        m = (_numeric(data, prog.raw, "progress percent") < float(d.cleaning["min_progress"])) & ~bad
        bad |= m
        value[m] = np.char.add(f"{prog.raw}=", _texts(data, prog.raw, m))
    return data[~bad], _excl(data, d, bad, "drop_partials", "did not finish the questionnaire", value)


def drop_speeders(data, definition):
    """Responses completed faster than ``cleaning.min_duration_sec`` (the ``duration`` column, seconds)."""
    data, d = _start(data, definition)
    c = d.role("duration")
    limit = float(d.cleaning["min_duration_sec"])
    if c is None or c.raw not in data.columns or limit <= 0:
        return _none(data, d, "drop_speeders")
    bad = _numeric(data, c.raw, "seconds") < limit
    value = np.full(len(data), "", dtype=object)
    value[bad] = _texts(data, c.raw, bad)
    return data[~bad], _excl(data, d, bad, "drop_speeders", f"completed in under {limit:g} s", value)


def _is_code(text: str, codes) -> bool:
    folded = normalize_label(text)
    for code in codes:
        if isinstance(code, (int, float)):
            try:
                if parse_number(text) == float(code):
                    return True
            except ValueError:
                pass
        elif folded == normalize_label(code):
            return True
    return False


def recode_missing(data, definition):
    """Declared missing codes (``missing:``, e.g. 99 or "Prefer not to say") become missing values.

    The code a respondent gave is kept in ``<question>_missing_code`` (so is a code an SPSS or
    Stata file declares missing, which the reader already turned into a missing value).
    No rows are excluded.

    Examples
    --------
    >>> d = load_definition({"id": "mini", "title": "Mini", "languages": ["en"], "missing": [99],
    ...                      "columns": {"rid": {"role": "id"}, "age": {"type": "number"}}})
    >>> kept, _ = recode_missing(pd.DataFrame({"rid": ["a", "b"], "age": ["34", "99"]}), d)
    >>> kept["age"].tolist(), kept["age_missing_code"].tolist()
    (['34', nan], [nan, '99'])
    """
    data, d = _start(data, definition)
    out = None
    for c in d.questions:
        codes = d.missing_codes(c)
        for raw in c.raw_columns:
            reader = f"{raw}_missing_code"
            if raw not in data.columns or (not codes and reader not in data.columns):
                continue
            audit = f"{c.name}_missing_code" if len(c.raw_columns) == 1 else f"{raw}_missing_code"
            out = data.copy(deep=False) if out is None else out
            col = out[raw]
            hit = _by_category(out, raw, lambda s, k=codes: s.map(lambda t: _is_code(t, k)).astype(bool)) \
                if codes else np.zeros(len(out), bool)
            given = (out[reader].astype("str") if reader in out.columns
                     else pd.Series(pd.NA, index=out.index, dtype="str"))
            given = given.where(~hit, col.astype("str"))
            out[raw] = col.where(~hit)
            if audit != reader and reader in out.columns:
                out = out.drop(columns=reader)
            out[audit] = given
    return _none(data if out is None else out, d, "recode_missing")


def _level_codes(data, c) -> np.ndarray:
    """Level index of every row's answer to a labelled question (-1 blank); unknown labels raise."""
    voc = c.vocabulary
    lookup = dict(voc.lookup)
    if c.type == "yes_no":
        lookup.update({"true": "yes", "false": "no"})
    index = {lv: i for i, lv in enumerate(voc.levels)}

    def look(text):
        key = normalize_label(text)
        return -1 if key == "" else index[lookup[key]]

    return _per_value(data, c.raw, look, "unknown answer label", _expected(c), -1, np.int64)


def _expected(c) -> str:
    voc = c.vocabulary
    first = [voc.all_labels(lv)[0] for lv in voc.levels]
    if c.type == "yes_no":
        langs = [lg for lg in ("en", "es", "ja", "zh", "ko") if lg in voc.labels["yes"]]
        return "Yes or No (" + "/".join(langs or list(voc.labels["yes"])) + ")"
    if c.type == "ordinal":
        return f"an answer on the {voc.name} scale such as " + ", ".join(map(repr, first))
    return "one of " + ", ".join(map(repr, first))


def drop_straightliners(data, definition):
    """The same answer to every item of a grid (at least ``cleaning.min_grid_items`` answered)."""
    data, d = _start(data, definition)
    need = int(d.cleaning["min_grid_items"])
    bad = np.zeros(len(data), bool)
    reason = np.full(len(data), "", dtype=object)
    value = np.full(len(data), "", dtype=object)
    for gname, items in d.grids.items():
        cols = [d.column(n) for n in items]
        if len(cols) < need or any(c.raw not in data.columns for c in cols):
            continue
        lv = np.column_stack([_level_codes(data, c) for c in cols])
        answered = (lv >= 0).sum(axis=1)
        first = lv.max(axis=1)
        same = ((lv == first[:, None]) | (lv < 0)).all(axis=1)
        m = same & (answered >= need) & ~bad
        bad |= m
        levels = np.array(cols[0].vocabulary.levels, dtype=object)
        reason[m] = (f"same answer to all {len(cols)} grid items" if len(d.grids) == 1
                     else f"same answer to all {len(cols)} items of grid {gname}")
        value[m] = levels[np.clip(first[m], 0, len(levels) - 1)]
    return data[~bad], _excl(data, d, bad, "drop_straightliners", reason, value)


# ------------------------------------------------------------------------------------- parsing steps
def _bool(values, na) -> pd.arrays.BooleanArray:
    return pd.arrays.BooleanArray(np.asarray(values, bool), np.asarray(na, bool))


def normalize_labels(data, definition):
    """Answer labels in any language or spelling -> levels; yes/no -> boolean; unknown labels raise.

    An ordinal question with ``top_box: k`` becomes True for its top k levels; other categorical
    and ordinal questions become (ordered) categories of level codes; multi-select questions one
    boolean column per level; free text stays text, blank as missing.
    """
    from .schema import clean_dtype

    data, d = _start(data, definition)
    new = {}
    for c in d.questions:
        if c.type in ("categorical", "ordinal", "yes_no") and c.raw in data.columns:
            code = _level_codes(data, c)
            if c.type == "yes_no":
                new[c.name] = _bool(code == c.vocabulary.levels.index("yes"), code < 0)
            elif c.type == "ordinal" and c.top_box:
                new[c.name] = _bool(code >= len(c.vocabulary.levels) - c.top_box, code < 0)
            else:
                new[c.name] = pd.Categorical.from_codes(code, dtype=clean_dtype(c))
        elif c.type == "multi_select":
            new.update(_multi_select(data, c))
        elif c.type == "free_text" and c.raw in data.columns:
            text = data[c.raw].astype("str")
            new[c.name] = text.where(text.str.strip() != "")
    return _none(_typed(data, new), d, "normalize_labels")


def _multi_select(data, c) -> dict:
    voc, out = c.vocabulary, {}
    if c.option_raw:
        cols = [raw for raw in c.option_raw.values() if raw in data.columns]
        if not cols:
            return {}
        picked = {lv: _by_category(data, raw, lambda s: ~s.str.strip().str.casefold().isin(_NOT_SELECTED))
                  for lv, raw in c.option_raw.items() if raw in data.columns}
        blank = np.logical_and.reduce([_by_category(data, raw, lambda s: s.str.strip() == "") for raw in cols])
        return {f"{c.name}_{lv}": _bool(picked.get(lv, np.zeros(len(data), bool)), blank) for lv in voc.levels}
    if c.raw not in data.columns:
        return {}
    index = {lv: i for i, lv in enumerate(voc.levels)}

    def look(text):
        parts = [normalize_label(p) for p in str(text).split(c.separator)]
        return tuple(sorted({index[voc.lookup[p]] for p in parts if p}))

    chosen = _per_value(data, c.raw, look, "unknown answer label", "levels of " + ", ".join(voc.levels)
                        + f" separated by {c.separator!r}", (), object)
    blank = np.array([len(t) == 0 for t in chosen])
    for i, lv in enumerate(voc.levels):
        out[f"{c.name}_{lv}"] = _bool(np.array([i in t for t in chosen], bool), blank)
    return out


def parse_percentages(data, definition):
    """0-100 scores written as ``89%``, ``89``, ``0.89`` or ``89,0`` -> float points."""
    data, d = _start(data, definition)
    new = {c.name: _per_value(data, c.raw, parse_percent, "not a percentage",
                              "a percentage such as 89%, 89, 0.89 or 89,0", np.nan, float)
           for c in d.questions if c.type == "percent" and c.raw in data.columns}
    return _none(_typed(data, new), d, "parse_percentages")


def parse_bands(data, definition):
    """Counts in bands or free text (``11 to 50 employees``, ``10k+``) -> ordered band."""
    from .schema import clean_dtype

    data, d = _start(data, definition)
    new = {}
    for c in d.questions:
        if c.type != "band" or c.raw not in data.columns:
            continue
        voc = c.vocabulary
        index = {lv: i for i, lv in enumerate(voc.levels)}

        def band(text, c=c, voc=voc, index=index):
            key = normalize_label(text)
            if key in voc.lookup:
                return index[voc.lookup[key]]
            got = parse_band(text, voc.levels, c.lower_bounds)
            return -1 if got is None else index[got]

        unit = f" {c.unit}" if c.unit else ""
        what = (c.label.get("en") or c.name.replace("_", " ")).lower()
        code = _per_value(data, c.raw, band, f"not a {what}",
                          f"a band such as {voc.levels[0]} or a count of {c.lower_bounds[0]:g} or more{unit}, "
                          f"e.g. 11 to 50{unit}, 10,000+", -1, np.int64)
        new[c.name] = pd.Categorical.from_codes(code, dtype=clean_dtype(c))
    return _none(_typed(data, new), d, "parse_bands")


def _span(c) -> str:
    what = "a whole number" if c.integer else "a number"
    if c.low is not None and c.high is not None:
        return f"{what} from {c.low:g} to {c.high:g}"
    return f"{what} of at least {c.low:g}" if c.low is not None else f"{what} of at most {c.high:g}"


def validate_ranges(data, definition):
    """Numbers (scores, hours, counts, weights) parsed and checked against their range; design columns
    present on every row; answers behind display logic (``asked_if``) only where asked."""
    data, d = _start(data, definition)
    out = data.copy(deep=False)
    for c in d.columns:
        if c.raw not in data.columns:
            continue
        if c.type == "number" or c.role in ("weight", "fpc"):
            out[c.name] = _numeric(data, c.raw, c.text or c.name)
        elif c.role in ("strata", "cluster"):
            text = data[c.raw].astype("str")
            blank = (text.isna() | (text.str.strip() == "")).to_numpy()
            if blank.any():
                _fail(data, int(np.flatnonzero(blank)[0]), c.raw, f"missing {c.role}", value="",
                      expected=f"a {c.role} label on every row (the survey design)")
            out[c.name] = text
    for c in d.columns:
        if c.role not in ("weight", "fpc"):
            continue
        if c.name not in out.columns:
            if c.role == "weight" and c.default is not None:
                out[c.name] = float(c.default)
            continue
        bad = ~(out[c.name].to_numpy(float) > 0)  # NaN (blank) fails too
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            codes, cats = _cats(data, c.raw)
            _fail(data, i, c.raw, f"missing or non-positive {c.role}", value=cats[codes[i]],
                  expected="a positive number")
    for c in d.questions:
        if c.type not in ("number", "percent") or c.name not in out.columns:
            continue
        v = out[c.name].to_numpy(float)
        bad = np.zeros(len(v), bool)
        if c.low is not None:
            bad |= v < c.low
        if c.high is not None:
            bad |= v > c.high
        if c.integer:
            bad |= ~np.isnan(v) & (v != np.round(v))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            _fail(data, i, c.raw, "out of range", value=_raw_value(data, out, c, i), expected=_span(c))
        if c.integer:
            out[c.name] = pd.arrays.IntegerArray(np.where(np.isnan(v), 0, v).astype(np.int64), np.isnan(v))
    for c in d.questions:
        if c.asked_if and c.name in out.columns and c.asked_if in out.columns:
            gate = d.column(c.asked_if)
            asked = out[c.asked_if].fillna(True).to_numpy(bool)
            answered = out[c.name].notna().to_numpy()
            bad = answered & ~asked
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                _fail(data, i, c.raw, f"answered although {gate.raw} is No", value=_raw_value(data, out, c, i),
                      expected=f"blank when {gate.raw} is No (display logic)")
    out.attrs = {**data.attrs, "parsed": tuple(sorted({*data.attrs.get("parsed", ()),
                                                       *(c for c in out.columns if c not in data.columns
                                                         or out[c].dtype != data[c].dtype)}))}
    return _none(out, d, "validate_ranges")


def _raw_value(data, out, c, i):
    col = data[c.raw] if c.raw in data.columns else out[c.name]
    if isinstance(col.dtype, pd.CategoricalDtype) and c.raw != c.name:
        return str(col.iloc[i])
    v = out[c.name].iloc[i]
    return _text(float(v)) if isinstance(v, (int, float, np.number)) else str(v)
