"""Notebook parameters are data: literal defaults, overridden only by JSON-like values of the same shape.

papermill writes every override into the notebook as Python source, so a value that is
not plain data (a tuple, a set, an object whose ``repr`` is code) could run as code in the
kernel, and again under nbval and "Run all". The runner therefore checks each override
*recursively* against the default the notebook declares, before any kernel starts, and
each notebook checks what it received again (:func:`supportstats.notebook.check_parameters`)
for callers of papermill's Python API, who bypass the runner.

Parameters whose name ends in ``_dir`` or ``_csv`` name *output* locations: relative to
the run's output root, never under ``data/raw`` nor outside the root
(:func:`check_output_location`).
"""
from __future__ import annotations

import ast
import json
import math
import posixpath
from collections.abc import Mapping
from pathlib import Path

from .errors import InputError

__all__ = ["PARAMETERS_TAG", "LANGUAGES", "notebook_parameters", "parse_overrides", "check_parameter",
           "plan_parameters", "is_output_parameter", "check_output_location"]

PARAMETERS_TAG = "parameters"
#: Languages the figures are published in (``figures/`` holds English, ``figures/<lang>/`` the others).
LANGUAGES = ("en", "ja", "zh_Hant", "es", "ko")
_OUTPUT_SUFFIXES = ("_dir", "_csv")
_BOOL_WORDS = {"true": True, "false": False}


# ------------------------------------------------------------------------ declarations

def _cells(path) -> list[dict]:
    """The notebook's cells as plain dicts (``source`` as one string).

    A version-4 file is read as JSON: importing nbformat costs a kernel about a second
    (jsonschema builds its URI grammars on import), and only one tagged cell is needed.
    """
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError) as exc:
        raise InputError(f"not a readable notebook ({type(exc).__name__})", file=path) from None
    if isinstance(data, dict) and data.get("nbformat") == 4 and isinstance(data.get("cells"), list):
        cells = [c for c in data["cells"] if isinstance(c, dict)]
    else:
        import nbformat  # an older format: let nbformat convert it

        try:
            cells = nbformat.read(str(path), as_version=4).cells
        except Exception as exc:  # nbformat raises several types for broken notebooks
            raise InputError(f"not a readable notebook ({type(exc).__name__})", file=path) from None
    return [{"metadata": c.get("metadata") or {},
             "source": "".join(c.get("source") or "") if not isinstance(c.get("source"), str) else c["source"]}
            for c in cells]


def notebook_parameters(path) -> dict[str, object]:
    """Return the names and default values declared in a notebook's ``parameters`` cell.

    The cell (the first one tagged ``parameters``, as papermill uses) must hold literal
    assignments only, ``name = <literal>``: a computed value would not be recomputed
    after papermill injects an override. A notebook without such a cell declares nothing.

    Raises
    ------
    InputError
        When the cell holds anything but literal assignments.

    Examples
    --------
    >>> import nbformat, tempfile, pathlib
    >>> cell = nbformat.v4.new_code_cell("alpha = 0.05\\nwaves = [2021, 2022]")
    >>> cell.metadata["tags"] = ["parameters"]
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "01_x.ipynb"
    >>> nbformat.write(nbformat.v4.new_notebook(cells=[cell]), str(path))
    >>> notebook_parameters(path)
    {'alpha': 0.05, 'waves': [2021, 2022]}
    """
    cells = [c for c in _cells(path) if PARAMETERS_TAG in (c["metadata"].get("tags") or [])]
    if not cells:
        return {}
    try:
        tree = ast.parse(cells[0]["source"])
    except SyntaxError as exc:
        raise InputError("the parameters cell is not plain Python", file=path, row=exc.lineno,
                         expected="NAME = literal lines") from None
    declared: dict[str, object] = {}
    for node in tree.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # a docstring-like note
        if isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) for t in node.targets):
            names, value = [t.id for t in node.targets], node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            names, value = [node.target.id], node.value
        else:
            raise InputError("the parameters cell may hold only NAME = literal lines", file=path,
                             row=node.lineno, value=ast.unparse(node)[:60])
        try:
            literal = ast.literal_eval(value)
        except ValueError:
            raise InputError("parameters must be literals, not computed", file=path, row=node.lineno,
                             value=ast.unparse(node)[:60], expected="a number, string, bool, None, list or dict") from None
        for name in names:
            declared[name] = literal
    return declared


# --------------------------------------------------------------------------- overrides

def _parse_value(text: str):
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return text


def parse_overrides(items) -> dict[str, object]:
    """Parse ``NAME=VALUE`` strings into a dict of Python values.

    A value is read as a Python literal (int, float, bool, None, list, dict, quoted str)
    and falls back to the plain text. Nothing is checked here but the syntax:
    :func:`plan_parameters` checks the values.

    Raises
    ------
    InputError
        When an item has no ``=`` or its name is not an identifier.

    Examples
    --------
    >>> parse_overrides(["alpha=0.01", "waves=[2021, 2022]", "survey=trends", "weighted=False"])
    {'alpha': 0.01, 'waves': [2021, 2022], 'survey': 'trends', 'weighted': False}
    """
    return {name: value for name, (_, value) in _parse_pairs(items).items()}


def _parse_pairs(items) -> dict[str, tuple[str | None, object]]:
    pairs: dict[str, tuple[str | None, object]] = {}
    for item in items or ():
        name, sep, text = str(item).partition("=")
        name = name.strip()
        if not sep or not name.isidentifier():
            raise InputError("bad -p option", value=item, expected="NAME=VALUE with NAME a Python identifier")
        pairs[name] = (text, _parse_value(text))  # the last -p for a name wins
    return pairs


def _kind(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "str"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "dict"
    return type(value).__name__


def _describe(default) -> str:
    if isinstance(default, bool):
        return "true or false"
    if isinstance(default, int):
        return "a whole number"
    if isinstance(default, float):
        return "a number"
    if isinstance(default, str):
        return "text"
    if isinstance(default, list):
        kinds = sorted({_kind(v) for v in default})
        inner = {"number": "numbers", "str": "texts", "bool": "booleans", "list": "lists", "dict": "mappings"}
        return "a list of " + " or ".join(inner.get(k, k) for k in kinds) if kinds else "a list"
    if isinstance(default, dict):
        return "a mapping with keys among " + ", ".join(map(str, default)) if default else "a mapping"
    return "JSON data"


class _Bad(Exception):
    def __init__(self, where, value, expected):
        super().__init__(where)
        self.where, self.value, self.expected = where, value, expected


def _data_only(value, where: str):
    """Refuse anything JSON cannot hold: tuples, sets, bytes, objects, NaN, non-text keys."""
    if value is None or isinstance(value, (bool, int, str)):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _Bad(where, value, "a finite number")
        return
    if isinstance(value, list):
        for i, item in enumerate(value):
            _data_only(item, f"{where}[{i}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise _Bad(f"{where}", key, "text keys only")
            _data_only(item, f"{where}[{key!r}]")
        return
    raise _Bad(where, value, "JSON data: a number, text, true/false, None, or a list or mapping of them, "
                             f"not a {type(value).__name__}")


def _match(value, default, where: str):
    """``value`` checked against the shape of ``default``; ints become floats where the default is a float."""
    if default is None:
        return value
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
    elif isinstance(default, int):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif isinstance(default, float):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    elif isinstance(default, str):
        if isinstance(value, str):
            return value
    elif isinstance(default, list):
        if isinstance(value, list):
            kinds = {_kind(v): v for v in default}
            if not kinds:
                return value
            out = []
            for i, item in enumerate(value):
                template = kinds.get(_kind(item))
                if template is None:
                    raise _Bad(f"{where}[{i}]", item, _describe(default))
                if _kind(item) == "number":  # a list of numbers stays a list of numbers, as given
                    out.append(item)
                else:
                    out.append(_match(item, template, f"{where}[{i}]"))
            return out
    elif isinstance(default, dict):
        if isinstance(value, dict):
            if not default:
                return value
            out = {}
            for key, item in value.items():
                if key not in default:
                    raise _Bad(f"{where}[{key!r}]", key, f"a key among {', '.join(map(str, default))}")
                out[key] = _match(item, default[key], f"{where}[{key!r}]")
            return out
    raise _Bad(where, value, f"{_describe(default)} like its default {default!r}"[:200])


def check_parameter(name: str, value, default, *, file=None, raw: str | None = None):
    """Return ``value`` if it has the shape of ``default``, else raise one line.

    The value must be JSON data (numbers, text, booleans, None, lists and mappings of
    them, at any depth), and match the declared default: a float parameter takes any
    number (an int becomes a float), a list of numbers only numbers, a mapping only the
    keys its default has (each value checked against the default's). A ``None`` default
    takes any JSON data. ``raw`` is the text given on the command line: a text parameter
    keeps it as typed (``-p label=2022`` is the text ``"2022"``), a boolean takes
    ``true``/``false`` in any case.

    Raises
    ------
    InputError
        Naming the parameter (and the element inside it), the value and what was expected.

    Examples
    --------
    >>> check_parameter("sd_grid", [5, 10.5], [5, 10, 15])
    [5, 10.5]
    >>> check_parameter("level", 1, 0.95)
    1.0
    >>> check_parameter("sd_grid", [5, ("x",)], [5, 10])
    Traceback (most recent call last):
    supportstats.errors.InputError: got "('x',)"; expected JSON data: a number, text, true/false, None, or a list or mapping of them, not a tuple (wrong type for parameter sd_grid[1])
    >>> check_parameter("raw_files", {"trends_2023": "x.csv"}, {"trends_2022": "a.csv"})
    Traceback (most recent call last):
    supportstats.errors.InputError: got 'trends_2023'; expected a key among trends_2022 (wrong type for parameter raw_files['trends_2023'])
    """
    if raw is not None:
        if isinstance(default, str) and not isinstance(value, str):
            value = raw  # "-p wave_label=2022" is the text "2022"
        elif isinstance(default, bool) and raw.strip().lower() in _BOOL_WORDS:
            value = _BOOL_WORDS[raw.strip().lower()]
    try:
        _data_only(value, name)
        return _match(value, default, name)
    except _Bad as bad:
        shown = bad.value if isinstance(bad.value, str) else repr(bad.value)
        if raw is not None and bad.where == name:
            shown = raw
        raise InputError(f"wrong type for parameter {bad.where}", file=file, value=shown[:120],
                         expected=bad.expected) from None


def is_output_parameter(name: str) -> bool:
    """True for parameters naming an output location (``*_dir``, ``*_csv``).

    Examples
    --------
    >>> is_output_parameter("figures_dir"), is_output_parameter("findings_csv"), is_output_parameter("column_map")
    (True, True, False)
    """
    return name.endswith(_OUTPUT_SUFFIXES)


def check_output_location(name: str, value, *, file=None) -> str:
    """An output location must be a relative path inside the output root and not under ``data/raw``.

    Examples
    --------
    >>> check_output_location("figures_dir", "figures/alt")
    'figures/alt'
    >>> check_output_location("findings_csv", "data/raw/published_claims.csv")
    Traceback (most recent call last):
    supportstats.errors.InputError: got 'data/raw/published_claims.csv'; expected a folder or file inside the run's output root, not under data/raw (parameter findings_csv)
    """
    expected = "a folder or file inside the run's output root, not under data/raw"
    text = str(value)
    norm = posixpath.normpath(text.replace("\\", "/"))
    if (not text.strip() or Path(text).is_absolute() or norm == ".." or norm.startswith("../")
            or norm == "data/raw" or norm.startswith("data/raw/")):
        raise InputError(f"parameter {name}", file=file, value=text, expected=expected)
    return text


def plan_parameters(paths, overrides, *, lang=None) -> dict[Path, dict]:
    """Check overrides against every selected notebook; return the values per notebook.

    Every override must be declared by at least one of the notebooks and fit the
    declared default of each notebook that declares it (:func:`check_parameter`);
    output locations must stay inside the output root (:func:`check_output_location`).
    ``lang`` is ``-p lang=<lang>`` for the notebooks that declare ``lang``, checked
    against :data:`LANGUAGES`. Nothing runs before this returns.

    Examples
    --------
    >>> import nbformat, tempfile, pathlib
    >>> cell = nbformat.v4.new_code_cell("alpha = 0.05")
    >>> cell.metadata["tags"] = ["parameters"]
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "01_x.ipynb"
    >>> nbformat.write(nbformat.v4.new_notebook(cells=[cell]), str(path))
    >>> plan_parameters([path], ["alpha=1"]) == {path: {"alpha": 1.0}}
    True
    """
    if isinstance(overrides, Mapping):
        pairs = {str(k): (None, v) for k, v in overrides.items()}
    else:
        pairs = _parse_pairs(overrides)
    if lang is not None:
        if lang not in LANGUAGES:
            raise InputError("unknown language", value=lang, expected=f"one of {', '.join(LANGUAGES)}")
        if "lang" in pairs:
            raise InputError("give the language once", value="lang", expected="either --lang or -p lang=, not both")
        pairs["lang"] = (None, lang)
    declared = {Path(p): notebook_parameters(p) for p in paths}
    unknown = sorted(set(pairs) - {n for d in declared.values() for n in d})
    if unknown:
        known = sorted({n for d in declared.values() for n in d})
        what = "--lang: no selected notebook declares a lang parameter" if unknown[0] == "lang" and lang else "unknown parameter"
        raise InputError(what, value=unknown[0],
                         expected=f"one of: {', '.join(known)}" if known else "no -p: the selected notebooks declare no parameters")
    plan = {}
    for path, defaults in declared.items():
        values = {}
        for name, (raw, value) in pairs.items():
            if name not in defaults:
                continue
            values[name] = check_parameter(name, value, defaults[name], file=path.name, raw=raw)
            if is_output_parameter(name):
                check_output_location(name, values[name], file=path.name)
        plan[path] = values
    return plan
