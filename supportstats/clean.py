"""Cleaning a survey export with an audit of every row it drops.

:func:`clean_survey` runs the public steps of :mod:`supportstats.steps` (``STEPS``, in order)
on a raw export and a survey definition, then :func:`analysis_table` builds the cleaned table
and checks it against the schema derived from the definition. Every excluded row is attributed
to exactly one step (the first that catches it), so ``n_raw == n_clean + n_excluded`` always
holds. :func:`clean_file` reads the export first (any format :mod:`supportstats.io` reads, with
an optional column map). Any wave cleans: the wave is ``wave=``, a column map's
``constants: {wave: ...}`` or a year in the file name.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.errors

from . import steps as _steps
from .definition import SurveyDefinition, builtin_surveys, load_definition
from .errors import InputError
from .outputs import atomic_path, write_csv
from .paths import DATA_PROCESSED, DATA_RAW
from .steps import EXCLUSION_COLUMNS, STEPS

__all__ = ["OPTIONAL_STEPS", "CleanResult", "analysis_table", "clean_survey", "clean_file", "write_clean",
           "load_wave", "guess_survey", "resolve_wave", "format_report"]

#: Quality steps a caller may skip (reported with zero exclusions); blank rows, duplicates and
#: parsing are never skipped.
OPTIONAL_STEPS = ("drop_tests", "drop_partials", "drop_speeders", "drop_straightliners")


@dataclass
class CleanResult:
    """Cleaned data, the excluded rows and counts by step.

    Attributes
    ----------
    data : DataFrame
        Analysis columns (``SurveyDefinition.clean_columns()``), one row per kept respondent, in file order.
    exclusions : DataFrame
        ``respondent_id, row, step, reason, value, provenance``: one row per excluded raw row.
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
    definition: SurveyDefinition | None = None

    @property
    def n_clean(self) -> int:
        return len(self.data)

    @property
    def n_excluded(self) -> int:
        return len(self.exclusions)


def guess_survey(name) -> tuple[str | None, int | None]:
    """Built-in survey and wave from a file name such as ``synthetic_benchmark_2022.csv``.

    Examples
    --------
    >>> guess_survey("exports/cs_ops_2023_final.xlsx")
    ('cs_ops', 2023)
    >>> guess_survey("my_export.csv")
    (None, None)
    """
    stem = Path(str(name)).stem.lower().replace("-", "_")
    survey = next((s for s in sorted(builtin_surveys(), key=len, reverse=True) if s in stem), None)
    m = re.search(r"(?<!\d)((?:19|20)\d\d)(?!\d)", stem)
    return survey, int(m.group(1)) if m else None


def resolve_wave(wave=None, *, source=None, survey: str = "") -> int:
    """The wave (a year) as an int: ``wave`` if given, else a year in the file name ``source``.

    Raises
    ------
    InputError
        ``wave`` is not a whole number, or none was given and the file name has no year.

    Examples
    --------
    >>> resolve_wave(2023), resolve_wave("2021"), resolve_wave(source="trends_2022_final.csv")
    (2023, 2021, 2022)
    """
    if wave is not None and not (isinstance(wave, float) and np.isnan(wave)):
        text = str(wave).strip()
        if isinstance(wave, bool) or not re.fullmatch(r"\d+(\.0+)?", text):
            raise InputError("wave must be a whole number (a year)", file=source, value=wave,
                             expected="a wave such as 2023")
        return int(float(text))
    year = guess_survey(source)[1] if source else None
    if year is None:
        raise InputError(f"cannot tell which {survey + ' ' if survey else ''}wave (year) this export is; "
                         "pass wave= (command line: --wave YEAR) or put the year in the file name",
                         file=source, expected="a wave such as 2023")
    return year


def analysis_table(data: pd.DataFrame, definition, wave) -> pd.DataFrame:
    """The cleaned table from data the steps have parsed: the definition's columns in order, ``survey``,
    ``wave`` and ``provenance`` added, checked against :func:`supportstats.schema.clean_schema`.

    Columns the export does not have (allowed only when not ``required``) are missing values.

    Examples
    --------
    >>> d = load_definition({"id": "mini", "title": "Mini", "languages": ["en"],
    ...                      "columns": {"rid": {"role": "id"}, "happy": {"type": "yes_no"}}})
    >>> raw = pd.DataFrame({"rid": ["a", "b"], "happy": ["Yes", "no"]})
    >>> from supportstats.steps import normalize_labels
    >>> kept, _ = normalize_labels(raw, d)
    >>> analysis_table(kept, d, 2024)
      rid survey  wave  happy provenance
    0   a   mini  2024   True        NaN
    1   b   mini  2024  False        NaN
    """
    from .schema import clean_dtype, clean_schema

    d = load_definition(definition)
    idc = d.role("id")
    n = len(data)
    cols = {idc.name: pd.array(data[idc.raw].to_numpy(dtype=object), dtype="str"),
            "survey": pd.array([d.id] * n, dtype="str"), "wave": np.full(n, int(wave), np.int64)}
    for c in d.columns:
        if c is idc:
            continue
        for name in c.clean_names:
            if name in data.columns:
                col = data[name]
                if c.role in ("strata", "cluster") or c.type == "free_text":
                    col = col.astype("str")
                cols[name] = col.to_numpy() if isinstance(col.dtype, np.dtype) else col.array
            else:
                dtype = "boolean" if c.type == "multi_select" else clean_dtype(c)
                cols[name] = pd.Series([pd.NA] * n, dtype=dtype if dtype != "str" else "str").array
        if c.is_question:
            for audit in {f"{c.name}_missing_code", *(f"{r}_missing_code" for r in c.raw_columns)}:
                if audit in data.columns:
                    cols[audit] = pd.array(data[audit].astype("str").to_numpy(dtype=object), dtype="str")
            if d.missing_codes(c) and f"{c.name}_missing_code" not in cols:
                cols[f"{c.name}_missing_code"] = pd.array([None] * n, dtype="str")
    prov = data["provenance"].astype("str").to_numpy(dtype=object) if "provenance" in data.columns else [None] * n
    cols["provenance"] = pd.array(prov, dtype="str")
    out = pd.DataFrame(cols)
    order = [c for c in d.clean_columns() if c in out.columns and c != "provenance"]
    out = out[order + [c for c in out.columns if c not in order and c != "provenance"] + ["provenance"]]
    try:
        clean_schema(d).validate(out)
    except pandera.errors.SchemaError as exc:
        raise InputError(f"cleaned data fails the {d.id} schema ({' '.join(str(exc).split())[:300]}); were the "
                         "parsing steps run?", file=data.attrs.get("source")) from None
    return out


def clean_survey(raw: pd.DataFrame, survey, wave=None, source=None, skip=(), **thresholds) -> CleanResult:
    """Clean one raw export: run ``STEPS`` and keep the audit trail.

    Parameters
    ----------
    raw : DataFrame
        The export (``supportstats.io.read_table``); ``raw.attrs["header_rows"]`` (default 1)
        and ``raw.attrs["source"]`` are used for row numbers and messages.
    survey : str, Path, dict or SurveyDefinition
        A built-in survey (``benchmark``, ``trends``, ``cs_ops``) or your own definition (a YAML
        file, see ``docs/survey_definitions.md``).
    wave : int, optional
        Any year. Default: a year in the file name ``source``; without one, InputError.
    source : str or Path, optional
        File name for messages (default ``raw.attrs["source"]``).
    skip : sequence of str, optional
        Quality steps not to run (``OPTIONAL_STEPS``); reported with zero exclusions.
    **thresholds
        Override the definition's ``cleaning:``: ``min_duration_sec`` (speeders), ``min_progress``
        (partials), ``min_grid_items`` (straight-liners), ``test_markers``.

    Returns
    -------
    CleanResult
        ``.data`` validated by ``schema.clean_schema(survey)``; ``.exclusions``; ``.report``;
        ``n_raw == n_clean + n_excluded``.

    Raises
    ------
    InputError
        Missing required columns, unknown labels, out-of-range scores, unreadable numbers or sizes,
        non-positive weights, the same id with different answers, no wave; the message names the file,
        column, row (file line, header = line 1) and what was expected.

    Examples
    --------
    >>> from supportstats.schema import raw_columns
    >>> raw = pd.DataFrame({c: [""] for c in raw_columns("cs_ops", required_only=True)})
    >>> r = clean_survey(raw, "cs_ops", wave=2024)
    >>> r.n_raw, r.n_clean, int(r.report.set_index("step").loc["drop_blank", "n_excluded"])
    (1, 0, 1)
    """
    d = load_definition(survey)
    if thresholds:
        d = d.with_cleaning(**thresholds)
    skip = (skip,) if isinstance(skip, str) else tuple(skip)
    if set(skip) - set(OPTIONAL_STEPS):
        raise ValueError(f"skip: {sorted(set(skip) - set(OPTIONAL_STEPS))} cannot be skipped; expected some of "
                         f"{list(OPTIONAL_STEPS)}")
    source = source if source is not None else raw.attrs.get("source")
    source = None if source is None else str(source)
    wave = resolve_wave(wave, source=source, survey=d.id)
    missing = [c for c in d.raw_columns(required_only=True) if c not in raw.columns]
    if missing:
        where = "see data/raw/README.md" if d.id in builtin_surveys() and "surveys" in d.source else d.source
        raise InputError(f"missing required column(s) {', '.join(missing)}; the header is line 1",
                         file=source, column=missing[0], row=1,
                         expected=f"the {d.id} export columns ({where})")
    # the timestamp is not used by any step; leaving it out saves encoding a million of them
    ts = d.role("timestamp")
    keep = [c for c in _steps._reads(d) if c in raw.columns and (ts is None or c != ts.raw)]
    data = raw[keep]
    data.attrs = {**raw.attrs, "source": source}
    data = _steps.prepare(data, d)
    excls, report = [], []
    for name in STEPS:
        n_in = len(data)
        step = getattr(_steps, name)
        data, ex = _steps._none(data, d, name) if name in skip else step(data, d)
        excls.append(ex)
        report.append({"step": name, "n_in": n_in, "n_excluded": len(ex), "n_out": len(data)})
    table = analysis_table(data, d, wave)
    exclusions = pd.concat(excls, ignore_index=True).sort_values("row", kind="stable").reset_index(drop=True)
    result = CleanResult(table, exclusions[list(EXCLUSION_COLUMNS)], pd.DataFrame(report), len(raw), d.id,
                         int(wave), source, {**d.cleaning, "skip": skip}, d)
    assert result.n_raw == result.n_clean + result.n_excluded
    return result


def clean_file(path, survey=None, column_map=None, wave=None, **thresholds) -> CleanResult:
    """Read an export (any format ``supportstats.io`` reads, optional column map) and clean it.

    Parameters
    ----------
    path : str or Path
    survey : str, Path or SurveyDefinition, optional
        A built-in name or your own definition file. Default: the column map's ``survey:``, else a
        built-in name in the file name.
    column_map : str, Path or dict, optional
        See ``docs/column_maps.md``.
    wave : int, optional
        Any year. Default: the map's ``constants: {wave: ...}``, else a year in the file name.

    Examples
    --------
    >>> from supportstats.paths import DATA_RAW
    >>> r = clean_file(DATA_RAW / "synthetic_cs_ops_2023.csv")
    >>> r.survey, r.wave, r.n_raw == r.n_clean + r.n_excluded
    ('cs_ops', 2023, True)
    >>> clean_file(DATA_RAW / "synthetic_trends_2022.csv", wave=2031).wave
    2031
    """
    from .column_maps import apply_column_map, load_column_map
    from .io import read_table

    cmap = load_column_map(column_map) if column_map is not None else None
    g_survey, _ = guess_survey(path)
    map_survey = cmap["survey"] if cmap else None
    if map_survey and cmap["source"] and str(map_survey).endswith((".yml", ".yaml")):
        map_survey = str(Path(cmap["source"]).parent / map_survey)
    if survey is not None and map_survey is not None:
        a, b = load_definition(survey), load_definition(map_survey)
        if a.id != b.id:
            raise InputError(f"survey {a.id} contradicts the map", file=cmap["source"], column="survey",
                             value=map_survey, expected=f"survey: {a.id}")
    survey = survey if survey is not None else map_survey or g_survey
    if survey is None:
        raise InputError("cannot tell which survey this export belongs to", file=path,
                         expected="survey= (command line: --survey NAME, one of " + ", ".join(builtin_surveys())
                         + ", or --survey-file my_survey.yml), a map with 'survey:', or a built-in name in the "
                         "file name")
    d = load_definition(survey)
    if cmap and "wave" in cmap["constants"]:
        mapped = resolve_wave(cmap["constants"]["wave"], source=cmap["source"], survey=d.id)
        if wave is not None and resolve_wave(wave, source=str(path)) != mapped:
            raise InputError(f"wave {wave} contradicts the map", file=cmap["source"], column="wave", value=mapped,
                             expected=f"wave: {wave}")
        wave = mapped
    raw = read_table(path, **(cmap["read"] if cmap else {}))
    if cmap:
        raw = apply_column_map(raw, cmap, source=path)
    return clean_survey(raw, d, wave=wave, source=str(path), **thresholds)


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


def load_wave(survey, wave: int, path=None, **thresholds) -> CleanResult:
    """Cleaned data of one wave: the SYNTHETIC reconstruction of a built-in survey, or your export via ``path``.

    Examples
    --------
    >>> r = load_wave("benchmark", 2022)
    >>> r.n_clean, round(r.data.loc[r.data.tracks_csat.astype(bool), "csat"].mean())
    (296, 89)
    """
    if path is None:
        path = DATA_RAW / f"synthetic_{load_definition(survey).id}_{wave}.csv"
    return clean_file(path, survey=survey, wave=wave, **thresholds)


def format_report(result: CleanResult) -> list[str]:
    """The audit as lines of text: steps, the row accounting, exclusions by step and reason.

    Examples
    --------
    >>> format_report(load_wave("cs_ops", 2023))[-1]
    '  drop_tests: test e-mail address: 3'
    """
    lines = [f"{result.source}: {result.survey} {result.wave}", result.report.to_string(index=False),
             f"n_raw = n_clean + n_excluded: {result.n_raw} = {result.n_clean} + {result.n_excluded}"]
    if result.n_excluded:
        by_reason = result.exclusions.groupby(["step", "reason"], sort=True).size()
        lines += [f"  {step}: {reason}: {n}" for (step, reason), n in by_reason.items()]
    return lines
