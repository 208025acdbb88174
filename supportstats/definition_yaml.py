"""Reading and checking survey definition YAML: line numbers, strict keys, one-line errors.

:func:`supportstats.definition.load_definition` is the public entry; this module turns parsed
YAML (or a dict) into a :class:`~supportstats.definition.SurveyDefinition`, refusing anything
unexpected with an :class:`~supportstats.errors.InputError` that names the file, the line, the
key and what was expected.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path

import yaml

from .definition import (CLEANING_DEFAULTS, RESERVED, ROLES, SURVEYS_DIR, TYPES, Column, SurveyDefinition,
                         Vocabulary, normalize_label)
from .errors import InputError

__all__: list[str] = []

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_LANG = re.compile(r"^[a-z]{2,3}(_[A-Za-z]{2,4})?$")
_TOP = {"id", "title", "languages", "columns", "vocabularies", "grids", "missing", "cleaning", "notes"}
_COL_KEYS = {"raw", "role", "type", "text", "label", "required", "missing", "vocabulary", "levels",
             "top_box", "range", "unit", "integer", "asked_if", "lower_bounds", "separator", "default"}


class _Map(dict):
    """A YAML mapping that remembers the line of each key."""

    lines: dict


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml's parser, ~8x faster
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


def read_yaml(path):
    """Parsed YAML of a definition file (mappings remember their lines); one-line errors."""
    path = Path(path)
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
    return read_yaml(SURVEYS_DIR / "vocabularies.yml")


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


def definition_from_data(d, source) -> SurveyDefinition:
    """A checked definition from parsed YAML or a dict; ``source`` names it in errors."""
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
    for c in columns:
        if c.role in ("weight", "strata", "cluster", "fpc") and not c.required and c.default is None:
            chk.fail(cols[c.name], "required", f"columns.{c.name}.required", False,
                     "required: true for a design column" + (", or default: a weight for exports without the column"
                                                             if c.role == "weight" else ""))
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
