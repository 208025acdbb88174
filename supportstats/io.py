"""Reading survey exports (CSV, Excel, SPSS, Stata, Qualtrics, SurveyMonkey) as text.

Every reader returns the export as text: each column ``str``, no number coercion, so cleaning
sees exactly what the respondent's tool wrote (``89,0`` stays ``89,0``); blank and
whitespace-only cells are missing values (NaN), so nothing counts them as an answer. Codes an
SPSS or Stata file declares missing (user-missing) are missing values too, the code kept in
``<column>_missing_code``. Renaming and recoding an export into a survey's schema is
:mod:`supportstats.column_maps`' job. Bad input raises
:class:`~supportstats.errors.InputError` naming the file, the line or row, and what was expected.
"""
from __future__ import annotations

import codecs
import csv
import io
import json
import math
import re
from pathlib import Path

import pandas as pd

from .errors import InputError

__all__ = ["read_table"]

_TEXT_SUFFIXES = {".csv", ".tsv", ".txt", ".tab", ""}
_EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
_DELIMITERS = ",;\t|"
_SNIFF_BYTES = 64 * 1024
_CHUNK = 1 << 24
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_GAP = re.compile(rb"\n\r?\n")  # an empty line
# magic numbers of files people drop in by mistake; checked before any decoding
_MAGIC = [
    (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"), (b"\xd0\xcf\x11\xe0", "an old binary Office file (.xls/.doc)"),
    (b"\x1f\x8b", "a gzip archive"), (b"PAR1", "a Parquet file"),
]


def read_table(path, *, encoding=None, sep=None, header_rows=None, sheet=None) -> pd.DataFrame:
    """Read a survey export with every column as text; blank cells are missing values.

    The format comes from the file's content and suffix: delimited text (``.csv``, ``.tsv``,
    ``.txt``), Excel (``.xlsx``), SPSS (``.sav``) or Stata (``.dta``). Text is decoded as
    UTF-8 (with or without BOM), UTF-16 (recognized by its byte-order mark) or, when UTF-8
    fails, cp1252; the delimiter (comma, semicolon, tab or pipe) is sniffed from the first
    lines. Qualtrics-style exports (three header rows: ids, question text, ``ImportId`` JSON)
    and SurveyMonkey-style exports (two header rows: question, sub-answer) are recognized and
    their extra header rows dropped.

    Parameters
    ----------
    path : str or Path
        The export file.
    encoding : str, optional
        Text encoding; overrides detection (e.g. ``"shift_jis"``, which detection cannot tell
        apart from cp1252).
    sep : str, optional
        Delimiter; overrides sniffing.
    header_rows : {1, 2, 3}, optional
        Number of header rows: 1 plain, 2 SurveyMonkey-style, 3 Qualtrics-style.
        Detected when omitted. Ignored for SPSS and Stata files, which carry names in metadata.
    sheet : str or int, optional
        Excel sheet name or 0-based position (default: the first sheet).

    Returns
    -------
    pandas.DataFrame
        One row per data row (blank rows kept, so cleaning can count them), columns named as
        in the export, all values ``str``; blank and whitespace-only cells are missing (NaN).
        ``df.attrs`` holds ``source``, ``format``,
        ``encoding``, ``sep``, ``header_rows`` and ``question_text`` (column → question wording,
        from the extra header rows or SPSS/Stata variable labels); SPSS/Stata files add
        ``column_labels`` and ``value_labels`` (column → {code: label}, codes as text).
        Coded SPSS/Stata answers are replaced by their value labels; values the file declares
        user-missing become NaN, each such column getting a ``<column>_missing_code`` column with
        the code (and ``attrs["missing_codes"]``, column → declared codes).

    Raises
    ------
    InputError
        Missing, empty, binary, JSON or undecodable file; ragged rows; duplicate or blank
        column names; a header with no data rows.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = p.write_text("id;csat\\n1;\\n2;89,0\\n", encoding="utf-8-sig")
    >>> df = read_table(p)
    >>> df["csat"].tolist(), df.attrs["sep"], df.attrs["encoding"]
    ([nan, '89,0'], ';', 'utf-8-sig')
    """
    path = Path(path)
    if header_rows not in (None, 1, 2, 3):
        raise ValueError(f"header_rows must be 1, 2, 3 or None, got {header_rows!r}")
    head = _read_head(path)
    kind = _kind(path, head)
    attrs = {"source": str(path), "format": kind, "encoding": None, "sep": None}
    if kind in ("sav", "dta"):
        df = _read_labelled(path, kind)
        attrs["header_rows"] = 1
        attrs.update(df.attrs)
        df = _blanks_to_missing(df)
        df.attrs = attrs
        return df
    if kind == "xlsx":
        grid = _read_excel_grid(path, sheet)
    else:
        if encoding is None and not head.startswith(_UTF16_BOMS) and _plain_utf8(path):
            source = path  # parsed straight from disk: the bytes are never all in memory
            enc = "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"
        else:
            source, enc = _to_utf8(path.read_bytes(), path, encoding)
            head = source[: _SNIFF_BYTES + 1]
            _reject_binary(source, path)
        sample = _head_text(head)
        _reject_non_tabular(sample, path)
        sep = sep or _sniff_sep(sample)
        grid = _parse_text(source, sep, path)
        del source
        attrs.update(encoding=enc, sep=sep)
    df, extra = _split_header(grid, header_rows, path)
    attrs.update(extra)
    df = _blanks_to_missing(df)
    df.attrs = attrs
    return df


def _blanks_to_missing(df: pd.DataFrame) -> pd.DataFrame:
    """Blank and whitespace-only cells become missing values, column by column."""
    out = {}
    for c in df.columns:
        col = df[c]
        if col.dtype != "str":
            col = col.astype("str")
        blank = col.eq("") | col.str.isspace()
        out[c] = col.where(~blank) if blank.any() else col
    return pd.DataFrame(out, index=df.index)


def _read_head(path: Path) -> bytes:
    """The first bytes of the file (enough to recognize its format and sniff its delimiter)."""
    if not path.exists():
        raise InputError("file not found", file=path, expected="an existing survey export")
    if path.is_dir():
        raise InputError("is a folder", file=path, expected="a survey export file")
    try:
        with open(path, "rb") as f:
            head = f.read(_SNIFF_BYTES + 1)
        blank = b" \t\r\n\x00" + codecs.BOM_UTF8 + codecs.BOM_UTF16_LE + codecs.BOM_UTF16_BE
        if not head.strip(blank) and (len(head) <= _SNIFF_BYTES
                                      or not path.read_bytes().strip(blank)):
            raise InputError("file is empty", file=path,
                             expected="a header row and at least one data row")
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=path) from None
    return head


def _plain_utf8(path: Path) -> bool:
    """True if the file is valid UTF-8 with no NUL byte and no empty line: the fast path.

    Anything else (cp1252, binary, empty lines) is read into memory by the careful path,
    which also words the error.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    tail = b""
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                return False
            if b"\x00" in chunk or _GAP.search(tail + chunk[:4]) or _GAP.search(chunk):
                return False
            tail = (tail + chunk)[-2:]
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _kind(path: Path, data: bytes) -> str:
    suffix = path.suffix.lower()
    if data[:4] == b"PK\x03\x04":  # zip container: xlsx whatever its suffix says
        if suffix in _EXCEL_SUFFIXES or suffix in _TEXT_SUFFIXES:
            return "xlsx"
        raise InputError("is a zip archive", file=path, expected="CSV, .xlsx, .sav or .dta")
    if data[:4] in (b"$FL2", b"$FL3") or suffix in (".sav", ".zsav"):
        return "sav"
    if data[:11] == b"<stata_dta>" or suffix == ".dta":
        return "dta"
    for magic, what in _MAGIC:
        if data.startswith(magic):
            hint = " (save it as .xlsx or CSV)" if magic == b"\xd0\xcf\x11\xe0" else ""
            raise InputError(f"is {what}, not a table{hint}", file=path,
                             expected="CSV, .xlsx, .sav or .dta")
    if suffix in (".xls",):
        raise InputError("old .xls workbooks are not supported (save as .xlsx or CSV)", file=path)
    if suffix in _EXCEL_SUFFIXES:
        raise InputError("is not a valid .xlsx workbook", file=path,
                         expected="an Excel 2007+ workbook")
    return "csv"


def _line_of(data: bytes, pos: int) -> int:
    return data.count(b"\n", 0, pos) + 1


def _to_utf8(data: bytes, path: Path, encoding):
    """The file as UTF-8 bytes plus the encoding it was read in.

    UTF-8 input is validated in chunks and parsed as is, never held as a Python ``str``:
    a str of CJK answers takes four bytes a character, which would quadruple peak memory.
    """
    if encoding:
        try:
            return data.decode(encoding).encode("utf-8"), encoding
        except UnicodeDecodeError as exc:
            raise InputError(f"cannot decode byte 0x{data[exc.start]:02x} at line "
                             f"{_line_of(data, exc.start)} as {encoding}", file=path) from None
        except LookupError:
            raise ValueError(f"encoding: unknown codec {encoding!r}") from None
    if data.startswith(_UTF16_BOMS):
        try:
            return data.decode("utf-16").encode("utf-8"), "utf-16"
        except UnicodeDecodeError as exc:
            raise InputError(f"starts with a UTF-16 byte-order mark but byte {exc.start} is "
                             "invalid; expected UTF-8, UTF-16 or cp1252 text", file=path) from None
    bom = data.startswith(codecs.BOM_UTF8)
    bad = _first_invalid_utf8(data)
    if bad is None:
        return data, "utf-8-sig" if bom else "utf-8"
    if bom:  # a byte-order mark is a promise; a broken promise is an error, not cp1252
        raise InputError(f"starts with a UTF-8 byte-order mark but byte 0x{data[bad]:02x} at "
                         f"line {_line_of(data, bad)} is not UTF-8; expected UTF-8, UTF-16 or "
                         "cp1252 text", file=path)
    try:
        return data.decode("cp1252").encode("utf-8"), "cp1252"
    except UnicodeDecodeError as exc:
        raise InputError(
            f"cannot decode: byte 0x{data[bad]:02x} at line {_line_of(data, bad)} is not UTF-8 "
            f"and byte 0x{data[exc.start]:02x} at line {_line_of(data, exc.start)} is not "
            "cp1252; expected UTF-8, UTF-16 or cp1252 text (another encoding, e.g. Shift-JIS: "
            "pass encoding= or put read: {encoding: cp932} in the column map)", file=path) from None


def _first_invalid_utf8(data: bytes, chunk: int = 1 << 24):
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    for start in range(0, len(data), chunk):
        try:
            decoder.decode(view[start:start + chunk], final=start + chunk >= len(data))
        except UnicodeDecodeError as exc:
            # the decoder may hold back up to 3 bytes of an unfinished character
            return max(0, start + exc.start - len(decoder.getstate()[0]))
    return None


def _reject_binary(data: bytes, path: Path) -> None:
    nul = data.find(b"\x00")
    if nul >= 0:
        raise InputError(f"NUL byte at line {_line_of(data, nul)}: binary data or UTF-16 "
                         "without a byte-order mark; expected UTF-8, UTF-16 or cp1252 text",
                         file=path)


def _reject_non_tabular(head: str, path: Path) -> None:
    first = head.lstrip("\ufeff \t\r\n")[:1]
    if first in ("{", "["):
        raise InputError("looks like JSON, not a table", file=path,
                         expected="delimited text with a header row (CSV)")
    if first == "<":
        raise InputError("looks like HTML/XML, not a table", file=path,
                         expected="delimited text with a header row (CSV)")


def _head_text(data: bytes) -> str:
    """Whole lines from the start of the (UTF-8) file, enough to sniff the delimiter."""
    sample = data[:_SNIFF_BYTES]
    if len(data) > _SNIFF_BYTES and b"\n" in sample:  # a cut line would mislead the sniffer
        sample = sample[: sample.rfind(b"\n") + 1]
    return sample.decode("utf-8", errors="ignore").lstrip("\ufeff")


def _sniff_sep(sample: str) -> str:
    first = sample.split("\n", 1)[0]
    try:
        sep = csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
        if sep in first:
            return sep
    except csv.Error:
        pass
    # the sniffer gives up on e.g. one data row; the header line alone is a fair witness
    counts = {d: first.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


_EMPTY_LINE = re.compile(rb"\n\r?\n\s*\S")  # an empty line with content after it


def _parse_text(data, sep: str, path: Path) -> pd.DataFrame:
    """Parse UTF-8 text given as bytes or as the path of a file known to be plain UTF-8."""
    on_disk = isinstance(data, Path)
    if not on_disk and _EMPTY_LINE.search(data):
        # both fast parsers drop empty lines, which would shift every later row number;
        # the csv module keeps them, and cleaning counts them as blank rows
        return _parse_keeping_empty_lines(data.decode("utf-8"), sep, path)
    try:
        # pyarrow rejects rows with too few *and* too many fields (the C engine pads short
        # rows silently), skips a UTF-8 BOM, and parses on both cores
        grid = pd.read_csv(data if on_disk else io.BytesIO(data), sep=sep, header=None,
                           dtype=str, keep_default_na=False, na_values=[""], engine="pyarrow",
                           encoding="utf-8")
    except (pd.errors.ParserError, ValueError):
        # e.g. ragged rows, or a field larger than pyarrow's block: the csv module
        # parses it, or names the line that is wrong
        text = (data.read_bytes() if on_disk else data).decode("utf-8")
        return _parse_keeping_empty_lines(text, sep, path)
    grid.columns = range(grid.shape[1])
    return grid  # empty fields are already missing values (NaN): no "" to convert back


def _parse_keeping_empty_lines(text: str, sep: str, path: Path) -> pd.DataFrame:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff").rstrip("\r\n")), delimiter=sep)
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, len(text) + 1))  # a field can be as large as the file
    try:
        rows = _csv_rows(reader, path)
    except csv.Error as exc:
        raise InputError(f"cannot parse line {reader.line_num} ({exc})", file=path, row=reader.line_num,
                         expected=f"rows of {sep!r}-separated fields") from None
    finally:
        csv.field_size_limit(limit)
    return pd.DataFrame(rows, dtype="str")


def _csv_rows(reader, path: Path) -> list:
    rows = []
    for row in reader:
        if rows and not row:
            row = [""] * len(rows[0])
        elif rows and len(row) != len(rows[0]):
            line = reader.line_num
            raise InputError(f"line {line} has {len(row)} fields but the header has "
                             f"{len(rows[0])}", file=path, row=line,
                             expected="the same number of fields on every row")
        if row:
            rows.append(row)
    return rows


def _read_excel_grid(path: Path, sheet) -> pd.DataFrame:
    try:
        grid = pd.read_excel(path, sheet_name=0 if sheet is None else sheet, header=None,
                             dtype=object, engine="openpyxl")
    except (ValueError, KeyError, IndexError) as exc:
        if sheet is not None and ("not found" in str(exc).lower() or isinstance(exc, IndexError)):
            raise InputError("no such sheet", file=path, value=sheet) from None
        raise InputError(f"cannot read workbook ({' '.join(str(exc).split())})", file=path) from None
    except Exception as exc:  # openpyxl raises zipfile/XML errors for corrupt workbooks
        raise InputError(f"cannot read workbook ({type(exc).__name__})", file=path,
                         expected="an Excel 2007+ workbook") from None
    if grid.empty:
        raise InputError("sheet is empty", file=path, expected="a header row and data rows")
    grid = grid.map(_cell_text)
    grid.columns = range(grid.shape[1])
    return grid


def _cell_text(v) -> str:
    """Excel and SPSS store every number as a float; write integral ones as integers."""
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NaT:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, pd.Timestamp):
        return v.isoformat(sep=" ") if v.time() != pd.Timestamp(0).time() else v.date().isoformat()
    return str(v)


def _split_header(grid: pd.DataFrame, header_rows, path: Path):
    if header_rows is None:
        header_rows = _detect_header_rows(grid)
    if len(grid) <= header_rows:
        raise InputError(f"has {header_rows} header row(s) but no data rows", file=path,
                         expected="at least one respondent row")
    top = [["" if _blank(c) else str(c).strip().lstrip("\ufeff") for c in grid.iloc[i].tolist()]
           for i in range(header_rows)]
    question_text, extra = {}, {}
    if header_rows == 3:  # Qualtrics: ids, question wording, {"ImportId": ...}
        names, question_text = top[0], dict(zip(top[0], top[1]))
        extra["import_ids"] = {n: _import_id(c) for n, c in zip(names, top[2])}
    elif header_rows == 2:  # SurveyMonkey: question (merged across its options), sub-answer
        names, q = [], ""
        for head, sub in zip(*top):
            q = head or (q if sub else "")
            name = q if sub in ("", "Response") else (f"{q} - {sub}" if q else sub)
            names.append(name)
            question_text[name] = q
    else:
        names = top[0]
    data = grid.iloc[header_rows:].reset_index(drop=True)
    keep = []
    for i, name in enumerate(names):
        if name:
            keep.append(i)
        elif (has := (data[i].notna() & (data[i] != "")).to_numpy()).any():
            row = int(has.argmax()) + header_rows + 1  # file line
            raise InputError(f"column {i + 1} has data but no name in the header", file=path,
                             row=row, expected="a name for every column with data")
    names = [names[i] for i in keep]
    seen = {}
    for i, name in zip(keep, names):
        if name in seen:
            raise InputError(f"duplicate column name (columns {seen[name] + 1} and {i + 1})",
                             file=path, column=name, expected="unique column names")
        seen[name] = i
    data = data[keep]
    data.columns = names
    extra.update(header_rows=header_rows,
                 question_text={n: question_text.get(n, n) for n in names})
    return data, extra


def _detect_header_rows(grid: pd.DataFrame) -> int:
    n, top = len(grid), grid.iloc[:3].fillna("")
    if n >= 4:
        third = [c for c in top.iloc[2].tolist() if c]
        if third and sum(c.startswith('{"ImportId"') for c in third) * 2 >= len(third):
            return 3
    if n >= 3:
        first, second = top.iloc[0].tolist(), top.iloc[1].tolist()
        subs = {"Response", "Open-Ended Response"}
        if any(c in subs for c in second) and (
                "Respondent ID" in first or any(not a and b for a, b in zip(first, second))):
            return 2
    return 1


def _import_id(cell: str):
    try:
        return json.loads(cell).get("ImportId", cell)
    except (ValueError, AttributeError):
        return cell


def _read_labelled(path: Path, kind: str) -> pd.DataFrame:
    import pyreadstat

    reader = pyreadstat.read_sav if kind == "sav" else pyreadstat.read_dta
    try:
        df, meta = reader(str(path), apply_value_formats=False, user_missing=True)
    except Exception as exc:  # pyreadstat raises its own ReadstatError/PyreadstatError
        what = "SPSS .sav" if kind == "sav" else "Stata .dta"
        raise InputError(f"cannot read as {what} ({' '.join(str(exc).split())})",
                         file=path, expected=f"a valid {what} file") from None
    if df.shape[0] == 0:
        raise InputError("has no data rows", file=path, expected="at least one respondent row")
    value_labels = meta.variable_value_labels or {}
    declared = _declared_missing(meta)
    cols, audit = {}, {}
    for c in df.columns:
        labels = value_labels.get(c, {})
        missing = declared.get(c, [])
        text, codes = [], []
        for v in df[c].tolist():
            if _is_declared(v, missing):
                text.append(None)
                codes.append(_cell_text(v))
                continue
            codes.append(None)
            label = labels.get(v) if labels and not _blank(v) else None
            text.append(str(label) if label is not None else _cell_text(v))
        cols[c] = pd.array(text, dtype="str")
        if missing:
            audit[f"{c}_missing_code"] = pd.array(codes, dtype="str")
    out = pd.DataFrame({**cols, **{k: v for k, v in audit.items() if k not in cols}})
    labels = {c: (lab or "") for c, lab in zip(meta.column_names, meta.column_labels)}
    out.attrs = {"column_labels": labels,
                 "value_labels": {c: {_cell_text(k): str(v) for k, v in vl.items()} for c, vl in value_labels.items()},
                 "missing_codes": {c: [_cell_text(_missing_value(m)) for m in ms] for c, ms in declared.items()},
                 "question_text": {c: labels.get(c) or c for c in df.columns}}
    return out


def _declared_missing(meta) -> dict:
    """Column -> declared user-missing values: SPSS ranges ({lo, hi}), Stata's .a-.z letters."""
    out = {c: list(r) for c, r in (getattr(meta, "missing_ranges", None) or {}).items() if r}
    for c, values in (getattr(meta, "missing_user_values", None) or {}).items():
        out.setdefault(c, []).extend({"lo": v, "hi": v} for v in values)
    return out


def _missing_value(m):
    return m["lo"] if m["lo"] == m["hi"] else f"{_cell_text(m['lo'])}-{_cell_text(m['hi'])}"


def _blank(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _is_declared(v, ranges) -> bool:
    if _blank(v) or not ranges:
        return False
    for m in ranges:
        lo, hi = m["lo"], m["hi"]
        try:
            if lo <= v <= hi:
                return True
        except TypeError:  # a string value against numeric ranges, or the reverse
            if str(v) == str(lo):
                return True
    return False
