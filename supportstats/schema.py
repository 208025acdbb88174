"""What a survey's cleaned data look like, derived from its definition: pandera schema, data dictionary.

Nothing here is written per survey: :func:`clean_schema` and :func:`data_dictionary` read a
:class:`~supportstats.definition.SurveyDefinition` (a built-in name, a YAML file or a loaded
definition). The names the rest of the project knew as constants (``LIKERT_LABELS``,
``YESNO_LABELS``, ``CHOICE_LABELS``, ``SIZE_BANDS``, ``CLAIM_MEASURES``, ...) are still here,
read on first use from the shipped data in ``supportstats/surveys/`` (``vocabularies.yml``,
the built-in definitions and ``claim_measures.csv``).
"""
from __future__ import annotations

import functools

import pandas as pd
import pandera.pandas as pa

from .definition import SURVEYS_DIR, Column, builtin_surveys, load_definition
from .definition import normalize_label  # noqa: F401  (known to callers as schema.normalize_label)

__all__ = [
    "SURVEYS", "LIKERT_LEVELS", "LIKERT_LABELS", "YESNO_LABELS", "SIZE_BANDS", "CHOICE_LABELS",
    "CLAIM_MEASURES", "CLAIM_OTHER_MEASURES", "raw_columns", "clean_columns", "grid_columns", "clean_dtype",
    "clean_schema", "data_dictionary",
]

#: Names of the built-in survey definitions (``supportstats/surveys/*.yml``).
SURVEYS: tuple[str, ...] = builtin_surveys()

_EXPORT_LANGS = ("en", "es", "ja", "zh", "ko")


def raw_columns(survey, *, required_only: bool = False) -> list[str]:
    """Export column names of a survey, in order.

    Examples
    --------
    >>> raw_columns("trends")[:3]
    ['respondent_id', 'submitted_at', 'duration_sec']
    """
    return load_definition(survey).raw_columns(required_only=required_only)


def clean_columns(survey) -> list[str]:
    """Cleaned analysis columns: id, ``survey``, ``wave``, the definition's columns, ``provenance``.

    Examples
    --------
    >>> clean_columns("cs_ops")[7:11]
    ['team_size', 'weight', 'uses_automation', 'csat_improved']
    """
    return load_definition(survey).clean_columns()


def grid_columns(survey) -> list[Column]:
    """The questions of every grid (for straight-lining), in grid order.

    Examples
    --------
    >>> [c.raw for c in grid_columns("cs_ops")][:2]
    ['Q8_1_morale_decline', 'Q8_2_morale_hurt_performance']
    """
    d = load_definition(survey)
    names = dict.fromkeys(n for items in d.grids.values() for n in items)
    return [d.column(n) for n in names]


def clean_dtype(column: Column):
    """The pandas dtype a column has in the cleaned data.

    Examples
    --------
    >>> d = load_definition("benchmark")
    >>> [str(clean_dtype(d.column(n))) for n in ("csat", "tracks_csat", "team_size", "qa_program_effective")]
    ['float64', 'boolean', 'Int64', 'boolean']
    """
    if column.role == "weight" or column.role == "fpc":
        return "float64"
    if column.role is not None:
        return "str"
    t = column.type
    if t in ("categorical", "band") or (t == "ordinal" and column.top_box is None):
        return pd.CategoricalDtype(list(column.vocabulary.levels), ordered=t != "categorical")
    if t in ("yes_no", "ordinal", "multi_select"):
        return "boolean"
    if t == "number" and column.integer:
        return "Int64"
    if t in ("number", "percent"):
        return "float64"
    return "str"


def _range_checks(c: Column) -> list:
    if c.low is not None and c.high is not None:
        return [pa.Check.in_range(c.low, c.high)]
    if c.low is not None:
        return [pa.Check.ge(c.low)]
    if c.high is not None:
        return [pa.Check.le(c.high)]
    return []


def clean_schema(survey) -> pa.DataFrameSchema:
    """The pandera schema every cleaned table of ``survey`` satisfies, derived from its definition.

    Examples
    --------
    >>> s = clean_schema("trends")
    >>> sorted(s.columns)[:3], s.columns["wave"].dtype
    (['.+_missing_code$', 'company_size', 'cut_hurt_cx'], DataType(int64))
    """
    d = load_definition(survey)
    cols = {"survey": pa.Column("str", pa.Check.isin([d.id])),
            "wave": pa.Column("int64", pa.Check.ge(0))}
    for c in d.columns:
        if c.role == "id":
            cols[c.name] = pa.Column("str", unique=True, nullable=False)
        elif c.role in ("weight", "fpc"):
            cols[c.name] = pa.Column("float64", pa.Check.gt(0), nullable=False)
        elif c.role in ("strata", "cluster"):
            cols[c.name] = pa.Column("str", nullable=False)
        elif c.type == "multi_select":
            cols.update({n: pa.Column("boolean", nullable=True) for n in c.clean_names})
        elif c.type is not None:
            checks = _range_checks(c) if c.type in ("number", "percent") else []
            cols[c.name] = pa.Column(clean_dtype(c), checks=checks, nullable=True)
        if c.is_question and d.missing_codes(c):
            cols[f"{c.name}_missing_code"] = pa.Column("str", nullable=True)
    cols["provenance"] = pa.Column("str", nullable=True)
    # codes an SPSS/Stata file declares missing arrive with the file, not the definition
    cols[".+_missing_code$"] = pa.Column("str", nullable=True, regex=True, required=False)
    return pa.DataFrameSchema(cols, strict=True, ordered=False, name=f"{d.id}_clean")


_ROLE_FORMAT = {"id": "any text, unique per response", "timestamp": "date-time text (not used)",
                "duration": "a number of seconds", "progress": "0-100", "finished": "1/0 or true/false",
                "status": "IP Address, Survey Preview, Survey Test, ...", "email": "an address or blank",
                "weight": "a positive number", "strata": "a stratum label", "cluster": "a cluster label",
                "fpc": "a population size or sampling fraction"}


def _raw_format(c: Column) -> str:
    if c.role:
        return _ROLE_FORMAT[c.role]
    langs = ", ".join(sorted({lg for lv in c.vocabulary.levels for lg in c.vocabulary.labels[lv]})) \
        if c.vocabulary is not None else ""
    return {"yes_no": f"Yes/No in {langs}, any case or spacing; blank = not answered",
            "ordinal": f"a {c.vocabulary.name if c.vocabulary else ''} label in {langs}, any case or spacing",
            "categorical": f"a level label ({langs}) or the level code, any case or spacing",
            "multi_select": "the selected levels" + (f", separated by {c.separator!r}" if c.separator else
                                                     " (one column per level, blank = not selected)"),
            "band": "a band or free text: 10-49, 11 to 50 employees, 1,000-9,999, 10k+, More than 10,000",
            "percent": "89%, 89, 0.89 or 89,0; blank when not asked",
            "number": "a whole number; thousands as 1,000" if c.integer else
                      "a number; decimal point or comma, thousands as 1,000",
            "free_text": "any text"}[c.type]


def _allowed(c: Column) -> str:
    if c.type == "ordinal" and c.top_box:
        top = c.vocabulary.levels[-c.top_box:]
        return "True, False, <NA> (True = " + " or ".join(c.vocabulary.label(lv, "en") if "en" in
                                                           c.vocabulary.labels[lv] else lv for lv in top) + ")"
    if c.vocabulary is not None and c.type != "yes_no" and c.type != "multi_select":
        return ", ".join(c.vocabulary.levels)
    if c.type in ("yes_no", "multi_select"):
        return "True, False, <NA>"
    if c.role == "weight":
        return "a positive number" + (f" ({c.default:g} when the export has none)" if c.default else "")
    if c.low is not None or c.high is not None:
        lo = "" if c.low is None else f"{c.low:g}"
        hi = "" if c.high is None else f"{c.high:g}"
        return f"{lo} to {hi}".strip() + (" (NaN if not asked)" if c.asked_if else "")
    return ""


def data_dictionary(survey=None) -> pd.DataFrame:
    """Every raw and cleaned column: survey, raw name, whether required, raw format, cleaned name,
    kind (role or type), cleaned dtype, allowed cleaned values, and the question.

    Parameters
    ----------
    survey : str, Path or SurveyDefinition, optional
        Default: every built-in survey.

    Examples
    --------
    >>> d = data_dictionary("benchmark")
    >>> d.loc[d.clean_column == "csat", ["raw_column", "dtype"]].iloc[0].tolist()
    ['Q7_csat', 'float64']
    """
    rows = []
    for s in ([survey] if survey is not None else list(SURVEYS)):
        d = load_definition(s)
        for c in d.columns:
            clean = c.clean_names or (pd.NA,)
            raws = c.raw_columns
            for i, name in enumerate(clean if len(clean) >= len(raws) else raws):
                rows.append({"survey": d.id, "raw_column": raws[min(i, len(raws) - 1)],
                             "required": "yes" if c.required else "no", "raw_format": _raw_format(c),
                             "clean_column": clean[min(i, len(clean) - 1)], "kind": c.kind,
                             "dtype": str(clean_dtype(c)).replace("category", "category") if c.clean_names
                             else "str (dropped after cleaning)",
                             "allowed": _allowed(c),
                             "question": (c.text or c.name) + (f" Asked only if {c.asked_if} is True."
                                                               if c.asked_if else "")})
            if c.is_question and d.missing_codes(c):
                rows.append({"survey": d.id, "raw_column": pd.NA, "required": "", "raw_format": "",
                             "clean_column": f"{c.name}_missing_code", "kind": "audit", "dtype": "str",
                             "allowed": ", ".join(map(str, d.missing_codes(c))),
                             "question": f"The declared missing code {c.name} held (the value is missing)"})
        for name, q, dt, allowed in (("survey", "Survey name (constant)", "str", d.id),
                                     ("wave", "Survey wave (year); any wave cleans", "int64", "a year"),
                                     ("provenance", "Where the row comes from: 'synthetic reconstruction "
                                      "(supportstats synth)' on generated rows, blank on a real export",
                                      "str", "text or <NA>")):
            rows.append({"survey": d.id, "raw_column": "provenance" if name == "provenance" else pd.NA,
                         "required": "no" if name == "provenance" else "", "raw_format":
                         "the mark written by supportstats synth" if name == "provenance" else "",
                         "clean_column": name, "kind": "derived", "dtype": dt, "allowed": allowed, "question": q})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------------- shipped data
@functools.lru_cache(maxsize=None)
def _constants() -> dict:
    d = load_definition(SURVEYS[0])
    agree = d.vocabularies["agree5"] if "agree5" in d.vocabularies else next(
        c.vocabulary for c in d.columns if c.vocabulary is not None and c.vocabulary.name == "agree5")
    yes_no = next(c.vocabulary for c in d.columns if c.type == "yes_no")
    size = next(c.vocabulary for c in d.columns if c.type == "band")
    choices = {}
    for s in SURVEYS:
        for c in load_definition(s).columns:
            if c.type == "categorical":
                choices[c.name] = {lv: c.vocabulary.label(lv, "en") for lv in c.vocabulary.levels}
    return {
        "LIKERT_LEVELS": agree.levels,
        "LIKERT_LABELS": {lv: agree.all_labels(lv, _EXPORT_LANGS) for lv in agree.levels},
        "YESNO_LABELS": {b: yes_no.all_labels("yes" if b else "no", _EXPORT_LANGS) for b in (True, False)},
        "SIZE_BANDS": size.levels,
        "CHOICE_LABELS": choices,
    }


def _measures(df: pd.DataFrame) -> pd.DataFrame:
    prefix = df["claim_id"].str.split(".").str[0]
    out = pd.DataFrame({"claim_id": df["claim_id"], "survey": prefix.str.rsplit("_", n=1).str[0],
                        "wave": prefix.str.rsplit("_", n=1).str[1].astype(int)})
    out = pd.concat([out, df.drop(columns="claim_id")], axis=1)
    for c in out.columns:
        if c != "wave":
            out[c] = out[c].astype("string" if c in ("level", "domain") else "str")
    return out.reset_index(drop=True)


@functools.lru_cache(maxsize=None)
def _claim_measures() -> tuple[pd.DataFrame, pd.DataFrame]:
    df = pd.read_csv(SURVEYS_DIR / "claim_measures.csv", dtype=str, keep_default_na=False, na_values=[""])
    df = df.astype(object).where(df.notna(), None)
    share_mean = df["statistic"].isin(["share", "mean"])
    return _measures(df[share_mean].reset_index(drop=True)), _measures(df[~share_mean].reset_index(drop=True))


def __getattr__(name):
    # read on first use, so importing the package does not parse YAML
    if name in ("LIKERT_LEVELS", "LIKERT_LABELS", "YESNO_LABELS", "SIZE_BANDS", "CHOICE_LABELS"):
        return _constants()[name]
    if name == "CLAIM_MEASURES":
        return _claim_measures()[0].copy()
    if name == "CLAIM_OTHER_MEASURES":
        return _claim_measures()[1].copy()
    raise AttributeError(f"module 'supportstats.schema' has no attribute {name!r}")
