"""Column maps: how a user's export becomes a survey's raw schema, and reading an export through one.

A column map (:func:`load_column_map`) renames and recodes a user's export into a survey's
schema and adds constant columns; :func:`apply_column_map` applies one to an export read by
:func:`supportstats.io.read_table`; :func:`read_survey` does both. Bad maps raise
:class:`~supportstats.errors.InputError` naming the map file, the column and what was expected.
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import yaml

from . import schema
from .errors import InputError
from .io import read_table

__all__ = ["load_column_map", "apply_column_map", "read_survey"]


_MAP_KEYS = {"survey", "columns", "values", "constants", "keep_unmapped", "read"}
_READ_KEYS = {"encoding", "sep", "header_rows", "sheet"}


class _TextLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml's parser, ~8x faster
    """YAML loader that keeps every scalar as written: ``yes``, ``01`` and ``1.0`` are codes."""


_TextLoader.yaml_implicit_resolvers = {}


def load_column_map(path_or_dict) -> dict:
    """Load and check a column map from a YAML file or a dict.

    A column map says how a user's export becomes a survey's raw schema::

        survey: trends                # benchmark, trends or cs_ops
        columns:                      # their column: our column (unlisted columns are dropped)
          Q1: respondent_id
          Q7: team_burnout
        values:                       # our column: {their code: our label}
          team_burnout: {1: Yes, 2: No}
        constants:                    # our column: value, for columns the export lacks
          wave: 2022
        keep_unmapped: false          # true keeps the export's other columns unchanged
        read: {header_rows: 2}        # read_table options the export needs (optional)

    Parameters
    ----------
    path_or_dict : str, Path or dict
        A YAML file, or the same structure as a dict.

    Returns
    -------
    dict
        Keys ``survey`` (str or None), ``columns``, ``values``, ``constants`` (all keys and
        values as text), ``keep_unmapped`` (bool), ``read`` (options for :func:`read_table`)
        and ``source`` (the file, for messages).

    Raises
    ------
    InputError
        Unreadable YAML, unknown keys, an unknown survey, two export columns mapped onto one,
        values or constants for a column the map does not produce.

    Examples
    --------
    >>> cmap = load_column_map({"survey": "trends", "columns": {"Q1": "respondent_id",
    ...                         "Q7": "team_burnout"}, "values": {"team_burnout": {1: "Yes"}},
    ...                         "constants": {"wave": 2022}})
    >>> cmap["values"], cmap["constants"]
    ({'team_burnout': {'1': 'Yes'}}, {'wave': '2022'})
    """
    if isinstance(path_or_dict, dict):
        raw, source = path_or_dict, "<column map>"
    else:
        source = Path(path_or_dict)
        if not source.is_file():
            raise InputError("column map not found", file=source,
                             expected="a YAML column map file")
        try:
            raw = yaml.load(source.read_text(encoding="utf-8-sig"), Loader=_TextLoader)
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            where = getattr(exc, "problem_mark", None)
            row = where.line + 1 if where is not None else None
            raise InputError(f"not valid YAML ({getattr(exc, 'problem', None) or exc})",
                             file=source, row=row, expected="a YAML mapping") from None
    if not isinstance(raw, dict):
        raise InputError("column map is not a mapping", file=source,
                         expected="keys survey, columns, values, constants")
    unknown = sorted(set(map(str, raw)) - _MAP_KEYS)
    if unknown:
        raise InputError(f"unknown key(s) {', '.join(unknown)}", file=source,
                         expected=f"only {', '.join(sorted(_MAP_KEYS))}")
    survey = raw.get("survey")
    survey = None if survey in (None, "", "~", "null") else str(survey).strip()
    if survey is not None and survey not in schema.SURVEYS and not survey.endswith((".yml", ".yaml")):
        raise InputError("unknown survey", file=source, column="survey", value=survey,
                         expected=f"one of {', '.join(schema.SURVEYS)}, or a survey definition file (.yml)")

    def mapping(key):
        val = raw.get(key) or {}
        if not isinstance(val, dict):
            raise InputError(f"{key!r} must be a mapping", file=source, value=val)
        return {_code(k): v for k, v in val.items()}

    columns = {k: str(v).strip() for k, v in mapping("columns").items()}
    targets = {}
    for theirs, ours in columns.items():
        if not ours:
            raise InputError("maps onto an empty name", file=source, column=theirs)
        if ours in targets:
            raise InputError(f"both {targets[ours]!r} and {theirs!r} map onto {ours!r}",
                             file=source, column=ours, expected="one export column per column")
        targets[ours] = theirs
    constants = {k.strip(): _code(v) for k, v in mapping("constants").items()}
    for col in constants:
        if col in targets:
            raise InputError("is both a constant and mapped from the export column "
                             f"{targets[col]!r}", file=source, column=col)
    keep = str(raw.get("keep_unmapped", "false")).strip().lower()
    if keep not in ("true", "false", "yes", "no"):
        raise InputError("must be true or false", file=source, column="keep_unmapped", value=keep)
    values = {}
    for col, codes in mapping("values").items():
        if not isinstance(codes, dict):
            raise InputError("values must map codes to labels", file=source, column=col,
                             value=codes)
        if col not in targets and keep in ("false", "no"):
            raise InputError("has value codes but no export column maps onto it", file=source,
                             column=col, expected=f"one of {_trim(sorted(targets))}")
        values[col] = {_code(k): str(v) for k, v in codes.items()}
    read = mapping("read")
    bad = sorted(set(read) - _READ_KEYS)
    if bad:
        raise InputError(f"unknown read option(s) {', '.join(bad)}", file=source, column="read",
                         expected=f"only {', '.join(sorted(_READ_KEYS))}")
    read = {k: str(v) for k, v in read.items()}
    for key in ("header_rows", "sheet"):
        if key in read and read[key].isdigit():  # a sheet given by position, as in read_table
            read[key] = int(read[key])
    if read.get("header_rows", 1) not in (1, 2, 3):
        raise InputError("must be 1, 2 or 3", file=source, column="read.header_rows",
                         value=read["header_rows"])
    return {"survey": survey, "columns": columns, "values": values, "constants": constants,
            "keep_unmapped": keep in ("true", "yes"), "read": read, "source": str(source)}


def apply_column_map(df: pd.DataFrame, cmap, *, source=None) -> pd.DataFrame:
    """Rename, recode and complete an export with a column map.

    Parameters
    ----------
    df : pandas.DataFrame
        An export as returned by :func:`read_table` (all text).
    cmap : dict, str or Path
        A column map, loaded or not (see :func:`load_column_map`).
    source : str or Path, optional
        The export's file name for messages (default: ``df.attrs["source"]``).

    Returns
    -------
    pandas.DataFrame
        A new frame: mapped columns renamed (in the map's order) with codes replaced by
        labels (codes the map does not list are kept as written, so cleaning can report
        them), then constant columns. ``attrs`` keep the export's and add ``column_map``
        and ``survey``.

    Raises
    ------
    InputError
        The map names an export column that does not exist (naming the map file, the column
        and the columns that do exist).

    Examples
    --------
    >>> export = pd.DataFrame({"ID": ["a", "b"], "Q7": ["1", "2.0"]})
    >>> out = apply_column_map(export, {"columns": {"ID": "respondent_id", "Q7": "team_burnout"},
    ...                                 "values": {"team_burnout": {1: "Yes", 2: "No"}},
    ...                                 "constants": {"wave": 2022}})
    >>> out.to_dict("list")
    {'respondent_id': ['a', 'b'], 'team_burnout': ['Yes', 'No'], 'wave': ['2022', '2022']}
    """
    if not isinstance(cmap, dict) or "source" not in cmap:
        cmap = load_column_map(cmap)
    source = source if source is not None else df.attrs.get("source", "<export>")
    missing = [c for c in cmap["columns"] if c not in df.columns]
    if missing:
        raise InputError(
            f"the map names {len(missing)} column(s) that the export {source} does not have "
            f"({', '.join(map(repr, missing[:5]))}); its columns are: {_trim(list(df.columns))}",
            file=cmap["source"], column=missing[0])
    pairs = list(cmap["columns"].items())
    taken = set(cmap["columns"]) | set(cmap["columns"].values())
    if cmap["keep_unmapped"]:
        pairs += [(c, c) for c in df.columns if c not in taken]
    else:
        # the synthetic mark and the codes a reader declared missing travel with their rows
        pairs += [(f"{t}_missing_code", f"{o}_missing_code") for t, o in cmap["columns"].items()
                  if f"{t}_missing_code" in df.columns and f"{o}_missing_code" not in taken]
        if "provenance" in df.columns and "provenance" not in taken:
            pairs.append(("provenance", "provenance"))
    out = {ours: _recode(df[theirs], cmap["values"].get(ours)) for theirs, ours in pairs}
    result = pd.DataFrame(out, index=df.index)
    for col, value in cmap["constants"].items():
        if col in result.columns:
            raise InputError(f"constant {col!r} clashes with an export column of the same name",
                             file=cmap["source"], column=col)
        result[col] = value
    result = result.astype("str")
    result.attrs = {**df.attrs, "column_map": cmap["source"], "survey": cmap["survey"]}
    return result


def read_survey(path, column_map=None, **read_kw) -> pd.DataFrame:
    """Read an export (:func:`read_table`) and apply a column map if given.

    Parameters
    ----------
    path : str or Path
        The export file.
    column_map : dict, str or Path, optional
        See :func:`load_column_map`. Without one the export must already use the schema's
        column names.
    **read_kw
        Passed to :func:`read_table` (``encoding``, ``sep``, ``header_rows``, ``sheet``);
        they override the map's ``read:`` options.

    Returns
    -------
    pandas.DataFrame
        All-text frame; ``attrs["survey"]`` is the map's survey (or None).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "export.csv"
    >>> _ = p.write_text("ID;Burnout\\nr1;1\\nr2;2\\n", encoding="utf-16")
    >>> df = read_survey(p, {"survey": "trends",
    ...                      "columns": {"ID": "respondent_id", "Burnout": "team_burnout"},
    ...                      "values": {"team_burnout": {1: "Yes", 2: "No"}}})
    >>> df["team_burnout"].tolist(), df.attrs["survey"], df.attrs["encoding"]
    (['Yes', 'No'], 'trends', 'utf-16')
    """
    if column_map is None:
        df = read_table(path, **read_kw)
        df.attrs["survey"] = None
        return df
    if not isinstance(column_map, dict) or "source" not in column_map:
        column_map = load_column_map(column_map)
    df = read_table(path, **{**column_map.get("read", {}), **read_kw})
    return apply_column_map(df, column_map, source=path)


def _recode(col: pd.Series, codes) -> pd.Series:
    """Replace codes by labels, looking up each distinct value once (exports have few)."""
    col = col.astype("str")
    if not codes:
        return col
    keys, uniq = pd.factorize(col)  # missing values: key -1, kept missing
    labels = pd.array([codes.get(_code(u), u) for u in uniq] + [None], dtype="str")
    return pd.Series(labels[keys] if len(col) else col, index=col.index, name=col.name)


def _code(value) -> str:
    """A code as text, so YAML's 1, a file's '1' and SPSS's 1.0 all match."""
    text = str(value).strip()
    return re.sub(r"^(-?\d+)\.0+$", r"\1", text)


def _trim(names, limit=12) -> str:
    shown = ", ".join(map(str, names[:limit]))
    return shown + (f", … (+{len(names) - limit} more)" if len(names) > limit else "")
