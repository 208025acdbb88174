"""Cleaning survey exports: named steps, each with an audit trail of the rows it removes.

:func:`clean_survey` runs ``STEPS`` in order on a raw export (a DataFrame of text, as
:func:`supportstats.io.read_table` returns it). Exclusion steps remove whole responses and
record why; parsing steps turn text into typed analysis columns and *raise*
:class:`~supportstats.errors.InputError` on anything they cannot read (an unknown label,
CSAT 140, NPS 300, a zero weight, the same id with different answers): a wrong value is a
question for the researcher, not a row to drop silently.

Every excluded row is attributed to exactly one step (the first that catches it), so
``n_raw == n_clean + n_excluded`` always holds. Row numbers are lines of the file as a
user counts them: the header is line 1 (Qualtrics exports: lines 1-3), the first
respondent is line 2 (resp. 4).

Work is vectorized over *distinct* values: an export has few distinct labels, percentages
and sizes, so each is parsed once and mapped back.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.errors

from . import schema
from .errors import InputError
from .io import atomic_path, write_csv
from .paths import DATA_PROCESSED, DATA_RAW

__all__ = ["STEPS", "THRESHOLDS", "CleanResult", "clean_survey", "clean_file", "write_clean", "load_wave", "label_variety",
           "parse_percent", "parse_size", "guess_survey"]

#: Cleaning steps in the order they run.
STEPS = ("drop_blank", "deduplicate", "drop_tests", "drop_partials", "drop_speeders", "normalize_labels",
         "drop_straightliners", "parse_percentages", "parse_sizes", "validate_ranges")
#: Tunable thresholds and their defaults.
THRESHOLDS = {"min_duration_sec": 120.0, "min_grid_items": 4}
_ROWS = "rows count file lines, header = line 1"
_EXCL_COLS = ("respondent_id", "row", "step", "reason", "value")


@dataclass
class CleanResult:
    """Cleaned data, the excluded rows and counts by step.

    Attributes
    ----------
    data : DataFrame
        Analysis columns (``schema.clean_columns``), one row per kept respondent, in file order.
    exclusions : DataFrame
        ``respondent_id, row, step, reason, value``: one row per excluded raw row.
    report : DataFrame
        ``step, n_in, n_excluded, n_out`` for every step in order.
    n_raw : int
        Data rows in the raw export.
    """

    data: pd.DataFrame
    exclusions: pd.DataFrame
    report: pd.DataFrame
    n_raw: int
    survey: str = ""
    wave: int = 0
    source: str | None = None
    thresholds: dict = field(default_factory=dict)

    @property
    def n_clean(self) -> int:
        return len(self.data)

    @property
    def n_excluded(self) -> int:
        return len(self.exclusions)


# ---------------------------------------------------------------------------------- value parsers
_NUM = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")


def parse_percent(text: str) -> float:
    """Read a percentage written ``89%``, ``89``, ``0.89``, ``89,0`` or ``0,89`` as points (0-100).

    Without a ``%`` sign, a value from 0 to 1 written with a decimal separator is a fraction.
    Blank gives NaN. Raises ValueError on anything else.

    Examples
    --------
    >>> [parse_percent(s) for s in ["89%", "89", "0.89", "89,0", " 87.5 % ", ""]]
    [89.0, 89.0, 89.0, 89.0, 87.5, nan]
    """
    s = str(text).strip()
    if not s:
        return float("nan")
    pct = s.endswith("%")
    s = s[:-1].rstrip() if pct else s
    if not _NUM.match(s):
        raise ValueError(text)
    has_sep = "." in s or "," in s
    v = float(s.replace(",", "."))
    if not pct and has_sep and 0 <= v <= 1:
        v *= 100
    return float(np.round(v, 6))


_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+$")


def _number(text: str) -> float:
    """A plain number; ``3,5`` is a decimal comma but ``1,000`` a thousands separator."""
    s = str(text).strip()
    if not s:
        return float("nan")
    if _THOUSANDS.match(s):
        return float(s.replace(",", ""))
    if not _NUM.match(s):
        raise ValueError(text)
    return float(s.replace(",", "."))


_SIZE_RANGE = re.compile(r"^(\d+)(?:-|to)(\d+)$")
_SIZE_PLUS = re.compile(r"^(?:morethan|over|>)?(\d+)(k)?\+?$")


def parse_size(text: str) -> str | None:
    """Company-size band (``schema.SIZE_BANDS``) of a free-text answer; None if blank.

    A range maps to the band holding its midpoint (``11 to 50 employees`` -> ``10-49``);
    ``10k+`` and ``more than 10,000`` to the band of their lower end. Raises ValueError on
    text without a size or below 10 employees.

    Examples
    --------
    >>> [parse_size(s) for s in ["10-49", "11 to 50 employees", "1,001-10,000", "10k+", "More than 10,000"]]
    ['10-49', '10-49', '1000-9999', '10000+', '10000+']
    """
    s = schema.normalize_label(text)
    if not s:
        return None
    s = s.replace("–", "-").replace("—", "-").replace(",", "").replace("employees", "").replace("people", "")
    s = s.replace(" ", "")
    m = _SIZE_RANGE.match(s)
    if m:
        lo, hi = int(m.group(1)), int(m.group(2))
        if hi < lo:
            raise ValueError(text)
        v = (lo + hi) / 2
    else:
        m = _SIZE_PLUS.match(s)
        if not m:
            raise ValueError(text)
        v = int(m.group(1)) * (1000 if m.group(2) else 1) + (1 if s.startswith(("morethan", "over", ">")) else 0)
    bounds = [10, 50, 200, 1000, 10000]
    if v < 10:
        raise ValueError(text)
    return schema.SIZE_BANDS[int(np.searchsorted(bounds, v, side="right")) - 1]


def _vocab(f: schema.Field) -> dict[str, object]:
    """Folded label -> code for one labelled field (canonical codes accepted too)."""
    fold = schema.normalize_label
    if f.kind == "likert":
        out = {fold(lab): lv for lv, labs in schema.LIKERT_LABELS.items() for lab in labs}
        out.update({fold(lv): lv for lv in schema.LIKERT_LEVELS})
        out.update({fold(lv.replace("_", " ")): lv for lv in schema.LIKERT_LEVELS})
    elif f.kind == "yesno":
        out = {fold(lab): b for b, labs in schema.YESNO_LABELS.items() for lab in labs}
        out.update({"true": True, "false": False})
    else:
        out = {fold(lab): code for code, lab in schema.CHOICE_LABELS[f.name].items()}
        out.update({fold(code): code for code in schema.CHOICE_LABELS[f.name]})
    return out


def _expected(f: schema.Field) -> str:
    if f.kind == "likert":
        return "an agreement label such as " + ", ".join(repr(v[0]) for v in schema.LIKERT_LABELS.values())
    if f.kind == "yesno":
        return "Yes or No (en/es/ja/zh/ko)"
    return "one of " + ", ".join(repr(v) for v in schema.CHOICE_LABELS[f.name].values())


# ---------------------------------------------------------------------------------- step helpers
# Raw columns travel through the steps as integer codes into ``ctx.cats[column]`` (the distinct
# texts): filtering moves integers instead of strings, and every parser runs once per distinct
# value in use. Response ids, nearly all distinct, stay text in ``ctx.ids``; rows carry ``_pos``
# (position in the export) and ``_row`` (file line).
@dataclass
class _Ctx:
    survey: str
    source: str | None
    thresholds: dict
    cats: dict = field(default_factory=dict)
    ids: pd.Series | None = None


def _codes(df, col) -> np.ndarray:
    return df[col].to_numpy()


def _used(df, ctx, col) -> np.ndarray:
    """Mask over the distinct texts of ``col`` that occur in the current rows."""
    return np.bincount(_codes(df, col), minlength=len(ctx.cats[col])) > 0


def _text_of(df, ctx, col, mask=None) -> np.ndarray:
    if col == "respondent_id":
        pos = df["_pos"].to_numpy() if mask is None else df["_pos"].to_numpy()[mask]
        return ctx.ids.take(pos).to_numpy(dtype=object)
    codes = _codes(df, col) if mask is None else _codes(df, col)[mask]
    return ctx.cats[col].take(codes).to_numpy(dtype=object)


def _excl(df: pd.DataFrame, ctx, mask, step: str, reason, value) -> pd.DataFrame:
    mask = np.asarray(mask, bool)
    n = int(mask.sum())

    def pick(v):
        return np.broadcast_to(np.asarray(v, dtype=object), (len(df),))[mask].astype(str) if n else []

    return pd.DataFrame({"respondent_id": pd.array(_text_of(df, ctx, "respondent_id", mask).astype(str), dtype="str"),
                         "row": df["_row"].to_numpy()[mask].astype(np.int64),
                         "step": pd.array([step] * n, dtype="str"),
                         "reason": pd.array(pick(reason), dtype="str"),
                         "value": pd.array(pick(value), dtype="str")})


def _none(df, ctx, step):
    return df, _excl(df, ctx, np.zeros(len(df), bool), step, "", "")


def _fail(ctx, df, pos, column, message, value=None, expected=None):
    row = int(df["_row"].iloc[pos])
    raise InputError(f"{message}; {_ROWS}", file=ctx.source, column=column, row=row, value=value,
                     expected=expected)


def _per_value(df, ctx, col, fn, message, expected, fill=None, dtype=object) -> np.ndarray:
    """``fn`` of every row's text in ``col``, computed once per distinct value; raises at the first failure."""
    cats = ctx.cats[col].to_numpy(dtype=object)
    out = np.empty(len(cats), dtype=dtype)
    out[:] = fill
    for i in np.flatnonzero(_used(df, ctx, col)):
        try:
            out[i] = fn(cats[i])
        except (ValueError, KeyError):
            pos = int(np.flatnonzero(_codes(df, col) == i)[0])
            _fail(ctx, df, pos, col, message, value=cats[i], expected=expected)
    return out[_codes(df, col)]


def _by_category(df, ctx, col, fn, dtype=bool) -> np.ndarray:
    """A vectorized predicate on the distinct texts, broadcast to rows."""
    return np.asarray(fn(pd.Series(ctx.cats[col], dtype="str")), dtype=dtype)[_codes(df, col)]


# ---------------------------------------------------------------------------------- exclusion steps
def drop_blank(df, ctx):
    """Rows with every field blank (Excel leaves them when rows are deleted)."""
    cols = [c for c in df.columns if c not in ("_row", "_pos")]
    id_blank = ((ctx.ids == "") | ctx.ids.str.isspace()).to_numpy(dtype=bool)[df["_pos"].to_numpy()]
    blank = id_blank.copy()
    for c in cols:
        if blank.any():
            blank &= _by_category(df, ctx, c, lambda c: c.str.strip() == "")
    ex = _excl(df, ctx, blank, "drop_blank", "every field blank", "")
    if (id_blank & ~blank).any():
        _fail(ctx, df, int(np.flatnonzero(id_blank & ~blank)[0]), "respondent_id", "missing respondent id",
              value="", expected="a response id on every non-blank row")
    return df[~blank], ex


def deduplicate(df, ctx):
    """Exact repeat submissions: same id, same answers (case and spacing aside). Keeps the first.

    The same id with different answers is an error: which answer is true is not ours to guess.
    """
    text = ctx.ids.take(df["_pos"].to_numpy())
    dup = text.duplicated(keep=False).to_numpy()
    if not dup.any():
        return _none(df, ctx, "deduplicate")
    answers = [f.raw for f in schema.fields(ctx.survey) if f.kind not in ("meta", "id") and f.raw in df.columns]
    pos = np.flatnonzero(dup)

    def folded_ids(c):  # each answer as the id of its folded text, so 'Agree' and 'agree ' compare equal
        cats = ctx.cats[c].to_numpy(dtype=object)
        return pd.factorize(np.array([schema.normalize_label(x) for x in cats], dtype=object))[0][_codes(df, c)[dup]]

    folded = np.column_stack([folded_ids(c) for c in answers])
    ids = pd.factorize(text[dup].to_numpy())[0]
    order = np.lexsort((pos, ids))
    pos, folded, idk = pos[order], folded[order], ids[order]
    same_id = idk[1:] == idk[:-1]
    differs = same_id & (folded[1:] != folded[:-1]).any(axis=1)
    if differs.any():
        j = int(np.flatnonzero(differs)[0])
        a, b = pos[j], pos[j + 1]
        col = answers[int(np.flatnonzero(folded[j] != folded[j + 1])[0])]
        rows_ = df["_row"].to_numpy()[[a, b]]
        raise InputError(f"the same respondent id appears on rows {rows_[0]} and {rows_[1]} with different "
                         f"answers; {_ROWS}", file=ctx.source, column=col, row=int(rows_[1]),
                         value=text.iloc[a],
                         expected="one response per id (exact duplicates are dropped, conflicting ones are not)")
    later = np.zeros(len(df), bool)
    later[pos[1:][same_id]] = True
    # the first occurrence of each id is the row just before a run in the sorted order
    run_start = np.maximum.accumulate(np.where(np.r_[True, ~same_id], np.arange(len(pos)), 0))
    first_pos = pos[run_start]
    value = np.full(len(df), "", dtype=object)
    rows_all = df["_row"].to_numpy()
    value[pos[1:][same_id]] = ["duplicate of row %d" % r for r in rows_all[first_pos[1:][same_id]]]
    ex = _excl(df, ctx, later, "deduplicate", "exact duplicate of an earlier submission", value)
    return df[~later], ex


_TEST_STATUS = r"(?i)preview|test|spam"
_TEST_EMAIL = r"(?i)(?:^|[^a-z])test[^@]*@"


def drop_tests(df, ctx):
    """Test responses: status 'Survey Preview'/'Survey Test' (or spam), or a test e-mail address."""
    bad = np.zeros(len(df), bool)
    reason = np.full(len(df), "", dtype=object)
    value = np.full(len(df), "", dtype=object)
    for col, pattern, why in (("status", _TEST_STATUS, "status marks a test response"),
                              ("email", _TEST_EMAIL, "test e-mail address")):
        if col in df.columns:
            m = _by_category(df, ctx, col, lambda c, p=pattern: c.str.contains(p, regex=True)) & ~bad
            bad |= m
            reason[m], value[m] = why, _text_of(df, ctx, col, m)
    return df[~bad], _excl(df, ctx, bad, "drop_tests", reason, value)


def _numeric_col(df, ctx, col, what) -> np.ndarray:
    return _per_value(df, ctx, col, _number, f"not a number ({what})", "a number", np.nan, float)


def drop_partials(df, ctx):
    """Partial completes: finished = 0/false, or progress below 100."""
    bad = np.zeros(len(df), bool)
    value = np.full(len(df), "", dtype=object)
    if "finished" in df.columns:
        m = _by_category(df, ctx, "finished", lambda c: c.str.strip().str.casefold().isin(["0", "false", "no", "0.0"]))
        bad |= m
        value[m] = np.char.add("finished=", _text_of(df, ctx, "finished", m).astype(str))
    if "progress" in df.columns:
        m = (_numeric_col(df, ctx, "progress", "progress percent") < 100) & ~bad
        bad |= m
        value[m] = np.char.add("progress=", _text_of(df, ctx, "progress", m).astype(str))
    return df[~bad], _excl(df, ctx, bad, "drop_partials", "did not finish the questionnaire", value)


def drop_speeders(df, ctx):
    """Responses completed faster than ``min_duration_sec`` (default 120 s)."""
    if "duration_sec" not in df.columns:
        return _none(df, ctx, "drop_speeders")
    limit = float(ctx.thresholds["min_duration_sec"])
    bad = _numeric_col(df, ctx, "duration_sec", "seconds") < limit
    value = np.full(len(df), "", dtype=object)
    value[bad] = _text_of(df, ctx, "duration_sec", bad)
    return df[~bad], _excl(df, ctx, bad, "drop_speeders", f"completed in under {limit:g} s", value)


# ---------------------------------------------------------------------------------- parsing steps
def normalize_labels(df, ctx):
    """Answer labels in any supported language or spelling -> codes; unknown labels raise."""
    df = df.copy()
    fold = schema.normalize_label
    for f in schema.fields(ctx.survey):
        if f.kind not in ("likert", "yesno", "choice"):
            continue
        vocab = _vocab(f)
        levels = {"likert": list(schema.LIKERT_LEVELS), "yesno": [False, True]}.get(f.kind, list(f.levels))

        def look(u, vocab=vocab, levels=levels):
            key = fold(u)
            return -1 if key == "" else levels.index(vocab[key])

        code = _per_value(df, ctx, f.raw, look, "unknown answer label", _expected(f), -1, np.int64)
        if f.kind == "likert":
            df["_lk_" + f.name] = code.astype(np.int8)
            df[f.name] = _bool_from(code >= 3, code < 0)
        elif f.kind == "yesno":
            df[f.name] = _bool_from(code == 1, code < 0)
        else:
            df[f.name] = pd.Categorical.from_codes(code, dtype=schema._dtype(f))
    return _none(df, ctx, "normalize_labels")


def _bool_from(values, na) -> pd.arrays.BooleanArray:
    return pd.arrays.BooleanArray(np.asarray(values, bool), np.asarray(na, bool))


def drop_straightliners(df, ctx):
    """The same answer to every item of the Likert grid (needs ``min_grid_items`` answered items)."""
    grid = [f.name for f in schema.likert_grid(ctx.survey)]
    need = int(ctx.thresholds["min_grid_items"])
    if len(grid) < need:
        return _none(df, ctx, "drop_straightliners")
    lv = np.column_stack([df["_lk_" + g].to_numpy() for g in grid])
    answered = (lv >= 0).sum(axis=1)
    first = lv.max(axis=1)
    same = ((lv == first[:, None]) | (lv < 0)).all(axis=1)
    bad = same & (answered >= need)
    value = np.array(schema.LIKERT_LEVELS, dtype=object)[np.clip(first, 0, 4)]
    return df[~bad], _excl(df, ctx, bad, "drop_straightliners", f"same answer to all {len(grid)} grid items", value)


def parse_percentages(df, ctx):
    """0-100 scores written as ``89%``, ``89``, ``0.89`` or ``89,0`` -> float points."""
    df = df.copy()
    for f in schema.fields(ctx.survey):
        if f.kind == "percent":
            df[f.name] = _per_value(df, ctx, f.raw, parse_percent, "not a percentage",
                                    "a percentage such as 89%, 89, 0.89 or 89,0", np.nan, float)
    return _none(df, ctx, "parse_percentages")


def parse_sizes(df, ctx):
    """Company sizes in free text (``11 to 50 employees``, ``10k+``) -> size band."""
    df = df.copy()
    f = next(f for f in schema.fields(ctx.survey) if f.kind == "size")
    bands = list(schema.SIZE_BANDS)
    code = _per_value(df, ctx, f.raw, lambda t: -1 if parse_size(t) is None else bands.index(parse_size(t)),
                      "not a company size",
                      "a size of 10 or more employees such as 10-49, 11 to 50 employees, 10,000+", -1, np.int64)
    df[f.name] = pd.Categorical.from_codes(code, dtype=schema._dtype(f))
    return _none(df, ctx, "parse_sizes")


def _raw_value(df, ctx, f, raw_text, i):
    code = raw_text[f.name][i] if f.name in raw_text else df[f.raw].iloc[i]
    return ctx.cats[f.raw][int(code)]


def validate_ranges(df, ctx):
    """Numbers (NPS, hours, team size, weight) parsed and every score checked against its range."""
    df = df.copy()
    has_weight = "weight" in df.columns
    raw_text = {}
    for f in schema.fields(ctx.survey):
        if f.kind in ("number", "integer") and f.raw in df.columns:
            raw_text[f.name] = df[f.raw].to_numpy()  # codes; the text is looked up only for a message
            df[f.name] = _numeric_col(df, ctx, f.raw, f.question)
    if has_weight:
        bad = ~(df["weight"].to_numpy(float) > 0)  # NaN (blank) fails too
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            _fail(ctx, df, i, "weight", "missing or non-positive weight", value=ctx.cats["weight"][int(raw_text["weight"][i])],
                  expected="a positive number")
    else:
        df["weight"] = 1.0
    for f in schema.fields(ctx.survey):
        if f.low is None or f.name not in df.columns or f.name == "weight":
            continue
        v = df[f.name].to_numpy(float)
        bad = (v < f.low) | (v > f.high)
        if f.kind == "integer":
            bad |= ~np.isnan(v) & (v != np.round(v))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            _fail(ctx, df, i, f.raw, "out of range", value=_raw_value(df, ctx, f, raw_text, i),
                  expected=f"{'a whole number' if f.kind == 'integer' else 'a number'} from {f.low:g} to {f.high:g}")
        if f.kind == "integer":
            df[f.name] = pd.arrays.IntegerArray(np.where(np.isnan(v), 0, v).astype(np.int64), np.isnan(v))
    for f in schema.fields(ctx.survey):
        if f.skip_if_false:
            asked = df[f.skip_if_false].fillna(True).to_numpy(bool)
            bad = df[f.name].notna().to_numpy() & ~asked
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                gate_raw = next(g.raw for g in schema.fields(ctx.survey) if g.name == f.skip_if_false)
                _fail(ctx, df, i, f.raw, f"answered although {gate_raw} is No",
                      value=_raw_value(df, ctx, f, raw_text, i),
                      expected=f"blank when {gate_raw} is No (display logic)")
    return _none(df, ctx, "validate_ranges")


_STEP_FUNCS = {name: globals()[name] for name in STEPS}


# ---------------------------------------------------------------------------------- the pipeline
def guess_survey(name) -> tuple[str | None, int | None]:
    """Survey and wave from a file name such as ``synthetic_benchmark_2022.csv``.

    Examples
    --------
    >>> guess_survey("exports/cs_ops_2023_final.xlsx")
    ('cs_ops', 2023)
    >>> guess_survey("my_export.csv")
    (None, None)
    """
    stem = Path(str(name)).stem.lower()
    survey = next((s for s in ("cs_ops", "benchmark", "trends") if s in stem.replace("-", "_")), None)
    m = re.search(r"(?<!\d)(20\d\d)(?!\d)", stem)
    return survey, int(m.group(1)) if m else None


def clean_survey(raw: pd.DataFrame, survey: str, wave: int | None = None, source=None,
                 skip=(), **thresholds) -> CleanResult:
    """Clean one raw export of ``survey``: run ``STEPS`` and keep the audit trail.

    Parameters
    ----------
    raw : DataFrame
        The export as text (``supportstats.io.read_table``); ``raw.attrs["header_rows"]`` (default 1)
        and ``raw.attrs["source"]`` are used for row numbers and messages.
    survey : {"benchmark", "trends", "cs_ops"}
    wave : int, optional
        Default: from the file name in ``source``, else the survey's only wave.
    source : str or Path, optional
        File name for messages (default ``raw.attrs["source"]``).
    skip : sequence of str, optional
        Quality steps not to run: any of ``drop_tests``, ``drop_partials``, ``drop_speeders``,
        ``drop_straightliners`` (e.g. for a grid that legitimately gets uniform answers); reported with
        zero exclusions. Blank rows, duplicates and parsing are never skipped.
    **thresholds
        ``min_duration_sec`` (default 120: speeders), ``min_grid_items`` (default 4: answered grid
        items needed to call a straight-liner).

    Returns
    -------
    CleanResult
        ``.data`` validated by ``schema.clean_schema(survey)``; ``.exclusions``; ``.report``;
        ``n_raw == n_clean + n_excluded``.

    Raises
    ------
    InputError
        Missing required columns, unknown labels, out-of-range scores, unreadable numbers or sizes,
        non-positive weights, the same id with different answers; the message names the file,
        column, row (file line, header = line 1) and what was expected.

    Examples
    --------
    >>> raw = pd.DataFrame({c: [""] for c in schema.raw_columns("cs_ops", required_only=True)})
    >>> r = clean_survey(raw, "cs_ops")
    >>> r.n_raw, r.n_clean, int(r.report.set_index("step").loc["drop_blank", "n_excluded"])
    (1, 0, 1)
    """
    survey = schema._check_survey(survey)
    unknown = set(thresholds) - set(THRESHOLDS)
    if unknown:
        raise ValueError(f"thresholds: unknown {sorted(unknown)}; expected {sorted(THRESHOLDS)}")
    th = {**THRESHOLDS, **thresholds}
    skip = (skip,) if isinstance(skip, str) else tuple(skip)
    # blank rows and duplicate ids would break the one-row-per-respondent table; parsing is not optional
    optional = ("drop_tests", "drop_partials", "drop_speeders", "drop_straightliners")
    if set(skip) - set(optional):
        raise ValueError(f"skip: {sorted(set(skip) - set(optional))} cannot be skipped; expected some of "
                         f"{list(optional)}")
    source = source if source is not None else raw.attrs.get("source")
    if wave is None:
        wave = guess_survey(source)[1] if source else None
        if wave is None and len(schema.SURVEYS[survey]) == 1:
            wave = schema.SURVEYS[survey][0]
    if wave not in schema.SURVEYS[survey]:
        raise InputError(f"cannot tell which {survey} wave this is (pass wave=)", file=source, value=wave,
                         expected="one of " + ", ".join(map(str, schema.SURVEYS[survey])))
    missing = [c for c in schema.raw_columns(survey, required_only=True) if c not in raw.columns]
    if missing:
        raise InputError(f"missing required column(s) {', '.join(missing)}; the header is line 1",
                         file=source, column=missing[0], row=1,
                         expected=f"the {survey} export columns (see data/raw/README.md)")
    # submitted_at is not used by any step; leaving it out saves encoding a million timestamps
    keep = [c for c in schema.raw_columns(survey) if c in raw.columns and c != "submitted_at"]
    ctx = _Ctx(survey, None if source is None else str(source), th)
    cols = {}
    for c in keep:
        col = raw[c] if raw[c].dtype == "str" else raw[c].astype("str")
        col = (col.fillna("") if col.hasnans else col).reset_index(drop=True)
        if c == "respondent_id":
            ctx.ids = col
            continue
        codes, ctx.cats[c] = pd.factorize(col, use_na_sentinel=False)
        cols[c] = codes.astype(np.int16 if len(ctx.cats[c]) < 2**15 else np.int32)  # a quarter of the memory
    df = pd.DataFrame(cols)
    df["_pos"] = np.arange(len(raw), dtype=np.int64)
    first = int(raw.attrs.get("header_rows", 1)) + 1
    df["_row"] = np.arange(first, first + len(df), dtype=np.int64)
    excls, report = [], []
    for name in STEPS:
        n_in = len(df)
        df, ex = _none(df, ctx, name) if name in skip else _STEP_FUNCS[name](df, ctx)
        excls.append(ex)
        report.append({"step": name, "n_in": n_in, "n_excluded": len(ex), "n_out": len(df)})
    df["respondent_id"] = pd.array(ctx.ids.take(df["_pos"].to_numpy()).to_numpy(), dtype="str")
    data = df.assign(survey=survey, wave=np.int64(wave))[schema.clean_columns(survey)]
    data["survey"] = data["survey"].astype("str")
    data = data.reset_index(drop=True)  # rows stay in file order
    try:
        schema.clean_schema(survey).validate(data)
    except pandera.errors.SchemaError as exc:  # pragma: no cover - steps should make this unreachable
        raise InputError(f"cleaned data fails the {survey} schema: {exc}", file=ctx.source) from None
    exclusions = pd.concat(excls, ignore_index=True).sort_values("row", kind="stable").reset_index(drop=True)
    result = CleanResult(data, exclusions, pd.DataFrame(report), len(raw), survey, int(wave), ctx.source,
                         {**th, "skip": skip})
    assert result.n_raw == result.n_clean + result.n_excluded
    return result


def _read(path, column_map=None) -> pd.DataFrame:
    from . import io
    if column_map is not None:
        return io.read_survey(path, column_map)
    return io.read_table(path)


def clean_file(path, survey: str | None = None, column_map=None, wave: int | None = None,
               **thresholds) -> CleanResult:
    """Read an export (any format ``supportstats.io`` reads, optional column map) and clean it.

    ``survey`` and ``wave`` are guessed from the file name when omitted.

    Examples
    --------
    >>> from supportstats.paths import DATA_RAW
    >>> r = clean_file(DATA_RAW / "synthetic_cs_ops_2023.csv")
    >>> r.survey, r.wave, r.n_raw == r.n_clean + r.n_excluded
    ('cs_ops', 2023, True)
    """
    g_survey, g_wave = guess_survey(path)
    survey = survey or g_survey
    if survey is None:
        raise InputError("cannot tell which survey this export belongs to (pass survey=)", file=path,
                         expected="a file name containing benchmark, trends or cs_ops, or --survey")
    raw = _read(path, column_map)
    return clean_survey(raw, survey, wave=wave or g_wave, source=str(path), **thresholds)


def write_clean(result: CleanResult, out_dir=None, stem: str | None = None) -> list[Path]:
    """Write ``<stem>_clean.parquet/.csv``, ``<stem>_exclusions.parquet/.csv`` and ``<stem>_report.csv``.

    Each file is written atomically; Parquet bytes are identical across runs. Never writes under
    ``data/raw``. Returns the paths written.

    Examples
    --------
    >>> import tempfile
    >>> r = load_wave("cs_ops", 2023)
    >>> [p.name for p in write_clean(r, tempfile.mkdtemp(), stem="ops")][:2]
    ['ops_clean.parquet', 'ops_clean.csv']
    """
    out = Path(out_dir or DATA_PROCESSED)
    if out.resolve() == DATA_RAW.resolve() or DATA_RAW.resolve() in out.resolve().parents:
        raise ValueError(f"out_dir: {out} is under data/raw, which the pipeline never writes")
    stem = stem or (Path(result.source).stem if result.source else f"{result.survey}_{result.wave}")
    written = []
    for name, df in (("clean", result.data), ("exclusions", result.exclusions)):
        for ext in ("parquet", "csv"):
            path = out / f"{stem}_{name}.{ext}"
            if ext == "parquet":  # Parquet keeps the raw values; CSV is spreadsheet-safe
                with atomic_path(path) as tmp:
                    df.to_parquet(tmp, index=False, engine="pyarrow", compression="zstd")
            else:
                write_csv(df, path)
            written.append(path)
    path = write_csv(result.report.assign(n_raw=result.n_raw), out / f"{stem}_report.csv")
    return written + [path]


def load_wave(survey: str, wave: int, path=None, **thresholds) -> CleanResult:
    """Cleaned data of one wave: the SYNTHETIC reconstruction, or your own export via ``path``.

    Examples
    --------
    >>> r = load_wave("benchmark", 2022)
    >>> r.n_clean, round(r.data.loc[r.data.tracks_csat.astype(bool), "csat"].mean())
    (296, 89)
    """
    path = path or DATA_RAW / f"synthetic_{survey}_{wave}.csv"
    return clean_file(path, survey=survey, wave=wave, **thresholds)


def _language(text: str) -> str:
    """Script-based guess of a label's language (en/es by vocabulary, ja/zh/ko by script)."""
    if any("\uac00" <= ch <= "\ud7af" for ch in text):
        return "ko"
    if any("\u3040" <= ch <= "\u30ff" for ch in text):
        return "ja"
    if any("\u4e00" <= ch <= "\u9fff" for ch in text):
        return "zh"
    spanish = {schema.normalize_label(v[1]) for v in schema.LIKERT_LABELS.values()} | {"sí", "si"}
    return "es" if schema.normalize_label(text) in spanish else "en"


def label_variety(raws: dict) -> pd.DataFrame:
    """How many ways the raw exports spell each answer: language, spelling, frequency.

    Looks at every yes/no and Likert column of each raw export (before cleaning) and
    groups the raw labels by the canonical answer they normalize to.

    Parameters
    ----------
    raws : dict
        ``{"<survey>_<wave>": raw DataFrame}`` as read by :func:`supportstats.io.read_table`.

    Returns
    -------
    pandas.DataFrame
        One row per (canonical answer, language) with ``answer``, ``language``,
        ``spellings`` (distinct raw spellings), ``rows`` (cells), ``examples`` (up to
        three spellings, ``|``-separated), sorted by answer and language.

    Examples
    --------
    >>> raw = pd.DataFrame({"Q1": ["Yes", "yes ", "はい", "No"]})
    >>> label_variety({"x_2022": raw}).loc[:, ["answer", "language", "spellings", "rows"]]
      answer language  spellings  rows
    0     no       en          1     1
    1    yes       en          2     2
    2    yes       ja          1     1
    """
    lookup = {}
    for level, labels in schema.LIKERT_LABELS.items():
        lookup.update({schema.normalize_label(lab): level for lab in labels})
    for value, labels in schema.YESNO_LABELS.items():
        lookup.update({schema.normalize_label(lab): "yes" if value else "no" for lab in labels})
    cells = []
    for raw in raws.values():
        for col in raw.columns:
            values = raw[col].astype("string").dropna()
            values = values[values.str.strip() != ""]
            norm = values.map(schema.normalize_label)
            hit = norm.isin(lookup.keys())
            if hit.mean() < 0.5 if len(hit) else True:  # not an answer-label column
                continue
            cells.append(pd.DataFrame({"raw": values[hit].to_numpy(), "answer": norm[hit].map(lookup).to_numpy()}))
    if not cells:
        return pd.DataFrame(columns=["answer", "language", "spellings", "rows", "examples"])
    cells = pd.concat(cells, ignore_index=True)
    cells["language"] = cells["raw"].map(_language)
    out = (cells.groupby(["answer", "language"], sort=True)["raw"]
           .agg(spellings="nunique", rows="size",
                examples=lambda s: " | ".join(repr(v) for v in sorted(s.unique())[:3]))
           .reset_index())
    return out
