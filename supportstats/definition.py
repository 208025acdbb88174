"""Survey definitions as data: one YAML file per questionnaire, loaded and checked here.

A definition says what an export holds and how to clean it: an ``id``, a ``title``, the
display ``languages``; ``columns`` (each with a *role* such as ``id`` or ``weight``, or a
question *type* such as ``ordinal`` or ``yes_no``); answer ``vocabularies`` with labels in
every language an export may use; ``grids`` for straight-lining; declared ``missing`` codes;
and ``cleaning`` thresholds. The three built-in questionnaires (``benchmark``, ``trends``,
``cs_ops``) are such files shipped in ``supportstats/surveys/``, beside the shared
vocabularies (``vocabularies.yml``). ``docs/survey_definitions.md`` is the how-to.

A bad definition raises :class:`~supportstats.errors.InputError` in one line naming the
file, the line, the key and what was expected.
"""
from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path

from .errors import InputError

__all__ = ["ROLES", "TYPES", "SurveyDefinition", "Column", "Vocabulary", "load_definition",
           "builtin_surveys", "normalize_label", "display_labels", "label_table"]

SURVEYS_DIR = Path(__file__).resolve().parent / "surveys"

#: Column roles: what a column is for, rather than what it asks.
ROLES = ("id", "weight", "strata", "cluster", "fpc", "timestamp", "duration", "progress",
         "finished", "status", "email")
#: Question types and what each becomes in the cleaned data.
TYPES = ("categorical", "ordinal", "yes_no", "multi_select", "number", "percent", "free_text", "band")
#: Roles kept in the cleaned data (the survey design); the others are used by cleaning, then dropped.
KEPT_ROLES = ("id", "weight", "strata", "cluster", "fpc")
#: Columns every cleaned table may carry whatever the definition says.
RESERVED = ("survey", "wave", "provenance")
#: Cleaning thresholds and their defaults (a definition's ``cleaning:`` overrides them).
CLEANING_DEFAULTS = {"min_duration_sec": 0.0, "min_progress": 100.0, "min_grid_items": 4,
                     "test_markers": {}}



def normalize_label(text) -> str:
    """Fold a label for lookup: Unicode NFKC, trimmed, inner whitespace collapsed, casefolded.

    Examples
    --------
    >>> normalize_label("  Strongly   AGREE ")
    'strongly agree'
    >>> normalize_label("ＹＥＳ")
    'yes'
    """
    return " ".join(unicodedata.normalize("NFKC", str(text)).split()).casefold()


# ------------------------------------------------------------------------------------- the model
@dataclass(frozen=True)
class Vocabulary:
    """Answer levels in order, each with labels by language (the first label of a language displays)."""

    name: str
    levels: tuple[str, ...]
    labels: dict = field(compare=False)  # level -> {lang: (label, ...)}

    def label(self, level: str, lang: str) -> str:
        """The display label of ``level`` in ``lang``."""
        return self.labels[level][lang][0]

    def all_labels(self, level: str, order=("en", "es", "ja", "zh", "ko")) -> tuple[str, ...]:
        """Every label of ``level``: the languages in ``order`` first, then the rest; no repeats."""
        langs = [lg for lg in order if lg in self.labels[level]]
        langs += [lg for lg in self.labels[level] if lg not in langs]
        return tuple(dict.fromkeys(lab for lg in langs for lab in self.labels[level][lg]))

    @functools.cached_property
    def lookup(self) -> dict:
        """Folded label (or level code) -> level."""
        out = {}
        for lv in self.levels:
            out[normalize_label(lv)] = lv
            out[normalize_label(lv.replace("_", " "))] = lv
        for lv in self.levels:
            for lab in self.all_labels(lv):
                out[normalize_label(lab)] = lv
        return out


@dataclass(frozen=True)
class Column:
    """One column of an export: a role or a question type, and what cleaning does with it."""

    name: str
    raw: str
    role: str | None = None
    type: str | None = None
    text: str = ""
    label: dict = field(default_factory=dict, compare=False)   # lang -> short display label
    required: bool = True
    missing: tuple = ()
    vocabulary: Vocabulary | None = None
    top_box: int | None = None
    low: float | None = None
    high: float | None = None
    unit: str = ""
    integer: bool = False
    asked_if: str | None = None
    lower_bounds: tuple = ()
    separator: str | None = None
    option_raw: dict = field(default_factory=dict, compare=False)  # multi_select: level -> raw column
    default: float | None = None

    @property
    def kind(self) -> str:
        """The role or the type."""
        return self.role or self.type

    @property
    def is_question(self) -> bool:
        return self.type is not None

    @property
    def raw_columns(self) -> tuple[str, ...]:
        """Export columns this column reads (several for a multi-select with one column per option)."""
        return tuple(self.option_raw.values()) if self.option_raw else (self.raw,)

    @property
    def clean_names(self) -> tuple[str, ...]:
        """Columns it becomes in the cleaned data (none for roles used only by cleaning)."""
        if self.role and self.role not in KEPT_ROLES:
            return ()
        if self.type == "multi_select":
            return tuple(f"{self.name}_{lv}" for lv in self.vocabulary.levels)
        return (self.name,)


@dataclass(frozen=True)
class SurveyDefinition:
    """A questionnaire: its columns, vocabularies, grids, missing codes and cleaning thresholds.

    Examples
    --------
    >>> d = load_definition("trends")
    >>> d.id, d.languages[:2], d.column("team_burnout").type, d.role("weight").default
    ('trends', ('en', 'ja'), 'ordinal', 1.0)
    >>> d.grids["agreement"][:2]
    ('expectations_rising', 'tools_slow_weekly')
    """

    id: str
    title: str
    languages: tuple[str, ...]
    columns: tuple[Column, ...]
    grids: dict = field(default_factory=dict, compare=False)
    missing: tuple = ()
    cleaning: dict = field(default_factory=lambda: dict(CLEANING_DEFAULTS), compare=False)
    vocabularies: dict = field(default_factory=dict, compare=False)
    source: str = ""
    notes: str = ""

    def column(self, name: str) -> Column:
        """The column called ``name`` (KeyError naming the known columns otherwise)."""
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"column: {self.id} has no column {name!r}; it has "
                       + ", ".join(c.name for c in self.columns))

    def role(self, role: str) -> Column | None:
        """The column with ``role`` (None when the definition has none)."""
        return next((c for c in self.columns if c.role == role), None)

    @property
    def questions(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.is_question)

    def raw_columns(self, *, required_only: bool = False) -> list[str]:
        """Export column names, in order."""
        return [r for c in self.columns if c.required or not required_only for r in c.raw_columns]

    def missing_codes(self, column: Column) -> tuple:
        """Declared missing codes of a question: its own, then the survey-wide ones."""
        return tuple(dict.fromkeys((*column.missing, *(self.missing if column.is_question else ()))))

    def clean_columns(self) -> list[str]:
        """Cleaned analysis columns in order: id, survey, wave, the rest as declared, then provenance."""
        idc = self.role("id").name
        out = [idc, "survey", "wave"]
        for c in self.columns:
            if c.name == idc:
                continue
            out += c.clean_names
            if c.is_question and self.missing_codes(c):
                out.append(f"{c.name}_missing_code")
        return out + ["provenance"]

    def design(self) -> dict:
        """The survey design's columns in the cleaned data: ``weight``, ``strata``, ``cluster``, ``fpc`` (None if absent).

        Examples
        --------
        >>> load_definition("trends").design()
        {'weight': 'weight', 'strata': None, 'cluster': None, 'fpc': None}
        """
        return {r: (c.name if (c := self.role(r)) is not None else None) for r in ("weight", "strata", "cluster", "fpc")}

    def with_cleaning(self, **thresholds) -> SurveyDefinition:
        """A copy with cleaning thresholds replaced (unknown names raise ValueError)."""
        unknown = set(thresholds) - set(CLEANING_DEFAULTS)
        if unknown:
            raise ValueError(f"thresholds: unknown {sorted(unknown)}; expected some of {sorted(CLEANING_DEFAULTS)}")
        return replace(self, cleaning={**self.cleaning, **thresholds})


def builtin_surveys() -> tuple[str, ...]:
    """Names of the survey definitions shipped with the package.

    Examples
    --------
    >>> builtin_surveys()
    ('benchmark', 'cs_ops', 'trends')
    """
    return tuple(sorted(p.stem for p in SURVEYS_DIR.glob("*.yml") if p.stem != "vocabularies"))


@functools.lru_cache(maxsize=None)
def _builtin(name: str) -> SurveyDefinition:
    from .definition_yaml import definition_from_data, read_yaml

    path = SURVEYS_DIR / f"{name}.yml"
    return definition_from_data(read_yaml(path), str(path))


def load_definition(survey) -> SurveyDefinition:
    """A survey definition: a built-in name, a YAML file, a dict, or a definition (returned as is).

    Parameters
    ----------
    survey : str, Path, dict or SurveyDefinition
        ``"benchmark"``, ``"trends"``, ``"cs_ops"``, or a path to your own ``.yml`` / ``.yaml``
        (see ``docs/survey_definitions.md``), or the same structure as a dict.

    Raises
    ------
    InputError
        A file that is missing, not YAML, or not a valid definition (one line: file, line, key,
        what was expected); an unknown built-in name (listing the built-in names).

    Examples
    --------
    >>> d = load_definition({"id": "mini", "title": "Mini", "languages": ["en"],
    ...                      "columns": {"rid": {"role": "id"},
    ...                                  "happy": {"type": "yes_no"}}})
    >>> [c.name for c in d.columns], d.clean_columns()
    (['rid', 'happy'], ['rid', 'survey', 'wave', 'happy', 'provenance'])
    >>> load_definition("nps_panel")
    Traceback (most recent call last):
    ...
    supportstats.errors.InputError: got 'nps_panel'; expected one of benchmark, cs_ops, trends, or a YAML definition file (--survey-file my_survey.yml) (unknown survey)
    """
    from .definition_yaml import definition_from_data, read_yaml

    if isinstance(survey, SurveyDefinition):
        return survey
    if isinstance(survey, dict):
        return definition_from_data(survey, "<survey definition>")
    text = str(survey)
    if isinstance(survey, Path) or text.endswith((".yml", ".yaml")) or "/" in text or "\\" in text:
        path = Path(survey)
        return definition_from_data(read_yaml(path), str(path))
    if text not in builtin_surveys():
        raise InputError("unknown survey", value=text, expected="one of " + ", ".join(builtin_surveys())
                         + ", or a YAML definition file (--survey-file my_survey.yml)")
    return _builtin(text)


# ------------------------------------------------------------------------------------- display labels
def display_labels(survey, column: str, lang: str = "en"):
    """Display label of every level of a question, in one of the definition's languages.

    Returns a pandas Series indexed by level code (use it with ``Series.map``).

    Examples
    --------
    >>> display_labels("trends", "region", "ja")["north_america"]
    '北米'
    >>> display_labels("benchmark", "region").head(2).to_dict()
    {'north_america': 'North America', 'europe': 'Europe'}
    """
    import pandas as pd

    d = load_definition(survey)
    if lang not in d.languages:
        raise KeyError(f"lang: {d.id} has labels in {', '.join(d.languages)}; got {lang!r}")
    c = d.column(column)
    if c.vocabulary is None:
        raise KeyError(f"column: {column!r} is a {c.kind} column without answer levels")
    voc = c.vocabulary
    return pd.Series([voc.label(lv, lang) for lv in voc.levels], index=pd.Index(voc.levels, name="level"),
                     name="label", dtype="str")


def label_table(survey):
    """Every display label of a definition: questions and their levels, one row per language.

    Returns a DataFrame ``column, level, lang, label``; ``level`` is blank for a question's own
    (short) label.

    Examples
    --------
    >>> t = label_table("cs_ops")
    >>> t[(t.column == "region") & (t.level == "europe")].set_index("lang").label.to_dict()["es"]
    'Europa'
    """
    import pandas as pd

    d = load_definition(survey)
    rows = []
    for c in d.columns:
        for lang in d.languages:
            if c.label:
                rows.append((c.name, "", lang, c.label.get(lang, c.label.get("en", c.name))))
            if c.vocabulary is not None:
                rows += [(c.name, lv, lang, c.vocabulary.label(lv, lang)) for lv in c.vocabulary.levels]
    return pd.DataFrame(rows, columns=["column", "level", "lang", "label"]).astype("str")
