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
import re
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

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

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_LANG = re.compile(r"^[a-z]{2,3}(_[A-Za-z]{2,4})?$")
_TOP = {"id", "title", "languages", "columns", "vocabularies", "grids", "missing", "cleaning", "notes"}
_COL_KEYS = {"raw", "role", "type", "text", "label", "required", "missing", "vocabulary", "levels",
             "top_box", "range", "unit", "integer", "asked_if", "lower_bounds", "separator", "default"}


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

    def with_cleaning(self, **thresholds) -> SurveyDefinition:
        """A copy with cleaning thresholds replaced (unknown names raise ValueError)."""
        unknown = set(thresholds) - set(CLEANING_DEFAULTS)
        if unknown:
            raise ValueError(f"thresholds: unknown {sorted(unknown)}; expected some of {sorted(CLEANING_DEFAULTS)}")
        return replace(self, cleaning={**self.cleaning, **thresholds})


# ------------------------------------------------------------------------------------- loading YAML
class _Map(dict):
    """A YAML mapping that remembers the line of each key."""

    lines: dict


class _Loader(yaml.SafeLoader):
    """YAML 1.2-style booleans (only true/false; ``yes``/``no``/``on`` stay text), duplicate keys refused."""


_Loader.yaml_implicit_resolvers = {k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:bool"]
                                   for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                              list("tTfF"))


def _construct_map(loader, node):
    out = _Map()
    out.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, (list, dict)):
            raise yaml.constructor.ConstructorError(None, None, "a mapping key must be text", key_node.start_mark)
        key = str(key)
        if key in out:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = key_node.start_mark.line + 1
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)


def _read_yaml(path: Path):
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError("survey definition not found", file=path, expected="a YAML survey definition") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read: {getattr(exc, 'strerror', None) or exc}", file=path) from None
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        raise InputError(f"not valid YAML ({getattr(exc, 'problem', None) or exc})", file=path,
                         row=mark.line + 1 if mark else None, expected="a YAML survey definition") from None


class _Checker:
    """Raises one-line errors naming the file, line and key."""

    def __init__(self, source):
        self.source = source

    def fail(self, parent, key, path, got, expected):
        line = parent.lines.get(key) if isinstance(parent, _Map) and key is not None else None
        if isinstance(got, (list, tuple)):
            got = ", ".join(map(str, got))
        got_text = "nothing" if got is None else repr(got if isinstance(got, (str, int, float, bool)) else str(got))
        raise InputError(f"key {path}: got {got_text}; expected {expected}", file=self.source, row=line)

    def mapping(self, parent, key, path, *, allowed=None, required=()):
        value = parent.get(key)
        if not isinstance(value, dict):
            self.fail(parent, key, path, value, "a mapping")
        for k in required:
            if k not in value:
                self.fail(parent, key, f"{path}.{k}", None, f"a value for {k!r}")
        if allowed is not None:
            for k in value:
                if k not in allowed:
                    self.fail(value, k, f"{path}.{k}", k, "one of the keys " + ", ".join(sorted(allowed)))
        return value


def _labels(chk, parent, key, path, languages, complete=True):
    """Labels: a string (in the first declared language), a list, or {lang: str or list}.

    Answer levels need a label in every declared language (``complete``); a question's short
    label may leave some out (displays fall back to English, then the column name).
    """
    value = parent[key]
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        value = {languages[0]: value}
    elif isinstance(value, list):
        value = {languages[0]: value}
    if not isinstance(value, dict) or not value:
        chk.fail(parent, key, path, value, "a label, or a mapping of language to label(s)")
    out = {}
    for lang, labs in value.items():
        if not _LANG.match(lang):
            chk.fail(value, lang, f"{path}.{lang}", lang, "a language code such as en, ja, zh_Hant")
        labs = labs if isinstance(labs, list) else [labs]
        if not labs or not all(isinstance(x, (str, int, float)) and str(x).strip() for x in labs):
            chk.fail(value, lang, f"{path}.{lang}", labs, "one label or a list of non-blank labels")
        out[lang] = tuple(str(x) for x in labs)
    missing = [lg for lg in languages if lg not in out]
    if missing and complete:
        chk.fail(parent, key, path, ", ".join(sorted(out)),
                 "a label in every declared language (" + ", ".join(languages) + "); missing " + ", ".join(missing))
    return out


def _vocabulary(chk, parent, key, path, name, languages) -> Vocabulary:
    levels = chk.mapping(parent, key, path)
    if not levels:
        chk.fail(parent, key, path, "{}", "at least one level")
    labels = {}
    for lv in levels:
        if not str(lv).strip() or str(lv) != str(lv).strip():
            chk.fail(levels, lv, f"{path}.{lv}", lv, "a level code without surrounding spaces")
        labels[str(lv)] = _labels(chk, levels, lv, f"{path}.{lv}", languages)
    voc = Vocabulary(name, tuple(labels), labels)
    seen = {}
    for lv in voc.levels:
        for lab in {normalize_label(lv), *map(normalize_label, voc.all_labels(lv))}:
            if seen.setdefault(lab, lv) != lv:
                chk.fail(levels, lv, f"{path}.{lv}", lab, f"labels unique to one level (also a label of {seen[lab]!r})")
    return voc


@functools.lru_cache(maxsize=None)
def _shipped_vocabularies_raw():
    return _read_yaml(SURVEYS_DIR / "vocabularies.yml")


def _number(chk, parent, key, path, *, integer=False, low=None):
    v = parent.get(key)
    ok = isinstance(v, (int, float)) and not isinstance(v, bool) and (not integer or float(v).is_integer())
    if not ok or (low is not None and v < low):
        chk.fail(parent, key, path, v, ("a whole number" if integer else "a number")
                 + (f" of at least {low:g}" if low is not None else ""))
    return int(v) if integer else float(v)


def _column(chk, name, spec, d, vocabs, shipped) -> Column:
    path = f"columns.{name}"
    if not _NAME.match(name) or name in RESERVED or name.endswith("_missing_code"):
        chk.fail(d["columns"], name, path, name, "a lower-case identifier (letters, digits, _) other than "
                 + ", ".join(RESERVED) + " and not ending in _missing_code")
    if spec is None:
        spec = _Map({"type": "free_text"})
        spec.lines = {}
    if not isinstance(spec, dict):
        chk.fail(d["columns"], name, path, spec, "a mapping of column settings")
    for k in spec:
        if k not in _COL_KEYS:
            chk.fail(spec, k, f"{path}.{k}", k, "one of the keys " + ", ".join(sorted(_COL_KEYS)))
    role, typ = spec.get("role"), spec.get("type")
    if (role is None) == (typ is None):
        chk.fail(spec, "role" if role else "type", path, f"role={role}, type={typ}",
                 "exactly one of role: (" + ", ".join(ROLES) + ") or type: (" + ", ".join(TYPES) + ")")
    if role is not None and role not in ROLES:
        chk.fail(spec, "role", f"{path}.role", role, "one of " + ", ".join(ROLES))
    if typ is not None and typ not in TYPES:
        chk.fail(spec, "type", f"{path}.type", typ, "one of " + ", ".join(TYPES))
    kw = {"name": name, "role": role, "type": typ, "raw": name}
    raw = spec.get("raw", name)
    if typ == "multi_select" and isinstance(raw, dict):
        kw["option_raw"] = {str(k): str(v) for k, v in raw.items()}
        kw["raw"] = name
    elif not isinstance(raw, (str, int)) or not str(raw).strip():
        chk.fail(spec, "raw", f"{path}.raw", raw, "the export's column name")
    else:
        kw["raw"] = str(raw)
    for k in ("text", "unit"):
        if k in spec:
            if not isinstance(spec[k], str):
                chk.fail(spec, k, f"{path}.{k}", spec[k], "text")
            kw[k] = spec[k]
    if "label" in spec:
        kw["label"] = {lg: v[0] for lg, v in _labels(chk, spec, "label", f"{path}.label", d["_languages"],
                                                             complete=False).items()}
    if "required" in spec:
        if not isinstance(spec["required"], bool):
            chk.fail(spec, "required", f"{path}.required", spec["required"], "true or false")
        kw["required"] = spec["required"]
    if "missing" in spec:
        kw["missing"] = _codes(chk, spec, "missing", f"{path}.missing")
    needs_vocab = typ in ("categorical", "ordinal", "multi_select", "yes_no", "band")
    if ("vocabulary" in spec or "levels" in spec) and not needs_vocab:
        k = "vocabulary" if "vocabulary" in spec else "levels"
        chk.fail(spec, k, f"{path}.{k}", k, f"no vocabulary for a {typ or role} column")
    if needs_vocab:
        if "vocabulary" in spec and "levels" in spec:
            chk.fail(spec, "levels", f"{path}.levels", "both", "either vocabulary: or levels:, not both")
        if "levels" in spec:
            kw["vocabulary"] = _vocabulary(chk, spec, "levels", f"{path}.levels", name, d["_languages"])
        else:
            vname = spec.get("vocabulary", "yes_no" if typ == "yes_no" else None)
            if vname is None:
                chk.fail(spec, None, path, None, f"vocabulary: NAME or levels: for a {typ} question")
            kw["vocabulary"] = _resolve_vocabulary(chk, spec, path, str(vname), d, vocabs, shipped)
        if typ == "yes_no" and set(kw["vocabulary"].levels) != {"yes", "no"}:
            chk.fail(spec, "vocabulary", f"{path}.vocabulary", ", ".join(kw["vocabulary"].levels),
                     "the levels yes and no")
    if "top_box" in spec:
        n = len(kw["vocabulary"].levels) if typ == "ordinal" else 0
        top = _number(chk, spec, "top_box", f"{path}.top_box", integer=True, low=1)
        if typ != "ordinal" or top >= n:
            chk.fail(spec, "top_box", f"{path}.top_box", spec["top_box"],
                     f"an ordinal question and a count below its {n} levels")
        kw["top_box"] = top
    if "range" in spec:
        rng = spec["range"]
        ok = (isinstance(rng, list) and len(rng) == 2
              and all(v is None or (isinstance(v, (int, float)) and not isinstance(v, bool)) for v in rng))
        if not ok or typ not in ("number", "percent") and role not in ("weight", "fpc", "duration", "progress"):
            chk.fail(spec, "range", f"{path}.range", rng, "[low, high] (null for no bound) on a number or percent")
        if None not in rng and rng[0] > rng[1]:
            chk.fail(spec, "range", f"{path}.range", rng, "low <= high")
        kw["low"] = None if rng[0] is None else float(rng[0])
        kw["high"] = None if rng[1] is None else float(rng[1])
    elif typ == "percent":
        kw["low"], kw["high"] = 0.0, 100.0
    if "integer" in spec:
        if typ != "number" or not isinstance(spec["integer"], bool):
            chk.fail(spec, "integer", f"{path}.integer", spec["integer"], "true or false, on a number question")
        kw["integer"] = spec["integer"]
    if "lower_bounds" in spec:
        lb = spec["lower_bounds"]
        n = len(kw["vocabulary"].levels) if typ == "band" else -1
        if (typ != "band" or not isinstance(lb, list) or len(lb) != n
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in lb)
                or sorted(lb) != lb or len(set(lb)) != len(lb)):
            chk.fail(spec, "lower_bounds", f"{path}.lower_bounds", lb,
                     f"increasing numbers, one per band ({n}), on a band question")
        kw["lower_bounds"] = tuple(float(v) for v in lb)
    elif typ == "band":
        chk.fail(spec, None, path, None, "lower_bounds: [..] (the smallest value of each band)")
    if "separator" in spec:
        if typ != "multi_select" or not isinstance(spec["separator"], str) or not spec["separator"]:
            chk.fail(spec, "separator", f"{path}.separator", spec["separator"], "a separator, on a multi_select")
        kw["separator"] = spec["separator"]
    if typ == "multi_select" and not kw.get("option_raw") and "separator" not in kw:
        chk.fail(spec, "raw", f"{path}.raw", raw, "a separator: for one column, or raw: {level: column} per option")
    if kw.get("option_raw"):
        unknown = set(kw["option_raw"]) ^ set(kw["vocabulary"].levels)
        if unknown:
            chk.fail(spec, "raw", f"{path}.raw", ", ".join(sorted(kw["option_raw"])),
                     "one export column per level: " + ", ".join(kw["vocabulary"].levels))
    if "asked_if" in spec:
        kw["asked_if"] = str(spec["asked_if"])
    if "default" in spec:
        if role != "weight":
            chk.fail(spec, "default", f"{path}.default", spec["default"], "a default only on the weight column")
        kw["default"] = _number(chk, spec, "default", f"{path}.default")
        if kw["default"] <= 0:
            chk.fail(spec, "default", f"{path}.default", spec["default"], "a positive weight")
    return Column(**kw)


def _codes(chk, parent, key, path) -> tuple:
    v = parent[key]
    v = v if isinstance(v, list) else [v]
    if not all(isinstance(x, (str, int, float)) and not isinstance(x, bool) and str(x).strip() for x in v):
        chk.fail(parent, key, path, v, "a list of codes such as [99, \"Prefer not to say\"]")
    return tuple(x if isinstance(x, (int, float)) else str(x) for x in v)


def _resolve_vocabulary(chk, spec, path, vname, d, vocabs, shipped) -> Vocabulary:
    if vname in vocabs:
        return vocabs[vname]
    if vname in shipped:
        sc = _Checker(str(SURVEYS_DIR / "vocabularies.yml"))
        voc = _vocabulary(sc, shipped, vname, vname, vname, d["_languages"])
        vocabs[vname] = voc
        return voc
    chk.fail(spec, "vocabulary", f"{path}.vocabulary", vname,
             "a vocabulary of this file (" + ", ".join(sorted(d.get("vocabularies") or {})) + ") or a shipped one ("
             + ", ".join(sorted(shipped)) + ")")


def _definition(d, source) -> SurveyDefinition:
    chk = _Checker(source)
    if not isinstance(d, dict):
        raise InputError("a survey definition is a YAML mapping", file=source,
                         expected="keys id, title, languages, columns")
    for k in d:
        if k not in _TOP:
            chk.fail(d, k, k, k, "one of the keys " + ", ".join(sorted(_TOP)))
    for k in ("id", "title", "languages", "columns"):
        if k not in d:
            raise InputError(f"key {k}: missing; expected a value for {k!r}", file=source)
    if not isinstance(d["id"], str) or not _NAME.match(d["id"]):
        chk.fail(d, "id", "id", d["id"], "a lower-case identifier such as acme_support")
    if not isinstance(d["title"], str) or not d["title"].strip():
        chk.fail(d, "title", "title", d["title"], "a title")
    langs = d["languages"] if isinstance(d["languages"], list) else [d["languages"]]
    if not langs or not all(isinstance(x, str) and _LANG.match(x) for x in langs) or len(set(langs)) != len(langs):
        chk.fail(d, "languages", "languages", d["languages"], "a list of language codes such as [en, ja, zh_Hant]")
    lines = getattr(d, "lines", {})
    d = _Map(d)
    d.lines = lines
    d["_languages"] = tuple(langs)
    shipped = _shipped_vocabularies_raw()
    vocabs = {}
    own = d.get("vocabularies") or {}
    if own:
        chk.mapping(d, "vocabularies", "vocabularies")
        for vname in own:
            vocabs[vname] = _vocabulary(chk, own, vname, f"vocabularies.{vname}", vname, d["_languages"])
    cols = chk.mapping(d, "columns", "columns")
    columns = [_column(chk, str(name), spec, d, vocabs, shipped) for name, spec in cols.items()]
    by_name = {c.name: c for c in columns}
    raws = {}
    for c in columns:
        for r in c.raw_columns:
            if r in raws:
                chk.fail(cols, c.name, f"columns.{c.name}.raw", r, f"an export column read once (also {raws[r]!r})")
            raws[r] = c.name
        if c.asked_if and (c.asked_if not in by_name or by_name[c.asked_if].type != "yes_no"):
            chk.fail(cols[c.name], "asked_if", f"columns.{c.name}.asked_if", c.asked_if, "the name of a yes_no column")
    for role in ROLES:
        with_role = [c.name for c in columns if c.role == role]
        if len(with_role) > 1:
            chk.fail(cols, with_role[1], f"columns.{with_role[1]}.role", role,
                     f"one {role} column (also {with_role[0]!r})")
    if not any(c.role == "id" for c in columns):
        chk.fail(d, "columns", "columns", "no role: id", "one column with role: id (the response id)")
    clean = [n for c in columns for n in c.clean_names]
    dup = sorted({n for n in clean if clean.count(n) > 1})
    if dup:
        chk.fail(d, "columns", "columns", dup[0], "cleaned column names that are unique")
    grids = {}
    if d.get("grids"):
        g = chk.mapping(d, "grids", "grids")
        for gname, items in g.items():
            if not isinstance(items, list) or len(items) < 2:
                chk.fail(g, gname, f"grids.{gname}", items, "a list of at least two question names")
            bad = [i for i in items if i not in by_name or by_name[i].type not in ("ordinal", "categorical", "yes_no")]
            if bad:
                chk.fail(g, gname, f"grids.{gname}", bad[0], "names of ordinal, categorical or yes_no questions")
            if len({by_name[i].vocabulary.levels for i in items}) > 1:
                chk.fail(g, gname, f"grids.{gname}", items, "questions that share one vocabulary")
            grids[str(gname)] = tuple(items)
    missing = _codes(chk, d, "missing", "missing") if d.get("missing") is not None else ()
    cleaning = dict(CLEANING_DEFAULTS)
    if d.get("cleaning"):
        cl = chk.mapping(d, "cleaning", "cleaning", allowed=set(CLEANING_DEFAULTS))
        for k in ("min_duration_sec", "min_progress"):
            if k in cl:
                cleaning[k] = _number(chk, cl, k, f"cleaning.{k}", low=0)
        if "min_grid_items" in cl:
            cleaning["min_grid_items"] = _number(chk, cl, "min_grid_items", "cleaning.min_grid_items",
                                                 integer=True, low=2)
        if "test_markers" in cl:
            tm = chk.mapping(cl, "test_markers", "cleaning.test_markers", allowed=set(ROLES))
            for role, rx in tm.items():
                try:
                    re.compile(str(rx))
                except re.error as exc:
                    chk.fail(tm, role, f"cleaning.test_markers.{role}", rx, f"a regular expression ({exc})")
            cleaning["test_markers"] = {k: str(v) for k, v in tm.items()}
    notes = d.get("notes") or ""
    return SurveyDefinition(d["id"], d["title"].strip(), d["_languages"], tuple(columns), grids, missing,
                            cleaning, vocabs, str(source), str(notes))


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
    path = SURVEYS_DIR / f"{name}.yml"
    return _definition(_read_yaml(path), str(path))


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
    if isinstance(survey, SurveyDefinition):
        return survey
    if isinstance(survey, dict):
        return _definition(survey, "<survey definition>")
    text = str(survey)
    if isinstance(survey, Path) or text.endswith((".yml", ".yaml")) or "/" in text or "\\" in text:
        path = Path(survey)
        return _definition(_read_yaml(path), str(path))
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
