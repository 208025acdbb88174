"""Reading survey exports (CSV, Excel, SPSS, Stata, Qualtrics, SurveyMonkey) and writing atomically.

Every reader returns the export as text: each column ``str``, no number coercion, so cleaning
sees exactly what the respondent's tool wrote (``89,0`` stays ``89,0``); blank and
whitespace-only cells are missing values (NaN), so nothing counts them as an answer. Codes an
SPSS or Stata file declares missing (user-missing) are missing values too, the code kept in
``<column>_missing_code``. A column map (:func:`load_column_map`) renames and recodes a user's export into a
survey's schema; :func:`read_survey` does both. Bad input raises
:class:`~supportstats.errors.InputError` naming the file, the line or row, and what was expected.
"""
from __future__ import annotations

import codecs
import contextlib
import csv
import io
import json
import math
import os
import re
import tempfile
from pathlib import Path

import pandas as pd
import yaml

from . import paths, schema
from .errors import InputError

__all__ = ["atomic_path", "save_workbook", "write_csv", "read_csv", "read_table", "load_column_map",
           "apply_column_map", "read_survey"]

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


#: Temporary files of :func:`atomic_path` are named ``.<name>.<random>.tmp`` (git-ignored as ``.*.tmp``).
TMP_PATTERN = ".*.tmp"


def check_write(path, *, allow_raw: bool = False) -> Path:
    """Refuse a write under ``data/raw`` or outside the run's output root; return the absolute path.

    ``data/raw`` holds the immutable raw data: only ``supportstats synth`` (and scripts that
    write bundled raw data) pass ``allow_raw=True``. When ``SUPPORTSTATS_OUTPUT_ROOT`` is set
    (every ``supportstats reproduce`` kernel, the test suite), a write must also land under
    that folder, or in the system's temporary folder outside the project.

    Examples
    --------
    >>> from supportstats.paths import DATA_RAW
    >>> check_write(DATA_RAW / "published_claims.csv")
    Traceback (most recent call last):
    supportstats.errors.InputError: .../data/raw/published_claims.csv: expected a file outside data/raw (raw data are immutable; the pipeline never writes there)
    """
    target = Path(os.path.abspath(path))
    root_env = os.environ.get(paths.OUTPUT_ROOT_ENV)
    root = Path(os.path.abspath(root_env)) if root_env else paths.ROOT
    in_raw = paths.is_within(target, paths.DATA_RAW) or paths.is_within(target, root / "data" / "raw")
    if in_raw and allow_raw:
        return target  # synth's deliberate way in, wherever the run's outputs go
    if in_raw:
        raise InputError("raw data are immutable; the pipeline never writes there", file=target,
                         expected="a file outside data/raw")
    if root_env and not paths.is_within(target, root):
        scratch = paths.is_within(target, tempfile.gettempdir()) and not paths.is_within(target, paths.ROOT)
        if not scratch:
            raise InputError("outside the run's output root", file=target, expected=f"a file under {root}")
    return target


@contextlib.contextmanager
def atomic_path(path, *, allow_raw: bool = False):
    """Yield a temporary path beside ``path``; rename it onto ``path`` only on success.

    A crash or an exception leaves nothing half-written: the temporary file is removed
    (one killed outright leaves a git-ignored ``.<name>.*.tmp`` that the next
    ``supportstats reproduce`` sweeps). Every file the library writes goes through here,
    so the guard of :func:`check_write` holds for all of them: nothing under ``data/raw``
    (unless ``allow_raw``), nothing outside the run's output root.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
    >>> with atomic_path(out) as tmp:
    ...     _ = tmp.write_text("done")
    >>> out.read_text()
    'done'
    """
    path = Path(path)
    check_write(path, allow_raw=allow_raw)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp)
    try:
        yield tmp
        # mkstemp makes the file private (0600); outputs get the usual umask-derived mode
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def save_workbook(workbook, path, *, allow_raw: bool = False) -> Path:
    """Save an openpyxl workbook atomically, its bytes depending only on its content.

    openpyxl stamps the time of saving into ``docProps/core.xml`` and into every zip entry;
    here the document dates and the entry dates are fixed (2000-01-01), so the same workbook
    gives the same file in every run.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from openpyxl import Workbook
    >>> def book():
    ...     wb = Workbook()
    ...     wb.active["A1"] = "same"
    ...     return wb
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> a, b = save_workbook(book(), folder / "a.xlsx"), save_workbook(book(), folder / "b.xlsx")
    >>> a.read_bytes() == b.read_bytes()
    True
    """
    import datetime
    import zipfile

    path = Path(path)
    workbook.properties.created = datetime.datetime(2000, 1, 1)
    buffer = io.BytesIO()
    workbook.save(buffer)
    with atomic_path(path, allow_raw=allow_raw) as tmp:
        with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(tmp, "w") as dst:
            for item in src.infolist():
                body = src.read(item.filename)
                if item.filename == "docProps/core.xml":
                    body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2000-01-01T00:00:00Z", body)
                entry = zipfile.ZipInfo(item.filename, date_time=(2000, 1, 1, 0, 0, 0))
                entry.compress_type = zipfile.ZIP_DEFLATED
                dst.writestr(entry, body)
    return path


# ------------------------------------------------------------------ spreadsheet-safe CSV
# OWASP "CSV injection": a cell that starts with = + - @ tab or CR is a formula to Excel,
# LibreOffice and Google Sheets. Such text cells are written with a leading ' (shown as
# text, not evaluated); a cell that already starts with ' before one of them gets one
# more, so read_csv can strip exactly one and every round trip is exact. Text that is a
# plain number ("-5", "+3.2") is no formula and is left alone; so are numeric columns.
_FORMULA = re.compile(r"^'*[=+\-@\t\r]")
_ESCAPED = re.compile(r"^'+[=+\-@\t\r]")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def _escape_cell(v):
    if isinstance(v, str) and _FORMULA.match(v) and not _PLAIN_NUMBER.match(v):
        return "'" + v
    return v


def _unescape_cell(v):
    if isinstance(v, str) and _ESCAPED.match(v):
        return v[1:]
    return v


def write_csv(df: pd.DataFrame, path, *, float_format: str | None = None, allow_raw: bool = False) -> Path:
    """Write a table as spreadsheet-safe CSV, atomically: the project's one CSV writer.

    UTF-8, ``\\n`` line ends, no index. Text cells that a spreadsheet would run as a
    formula (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return) get a leading
    ``'`` (OWASP's advice against CSV injection); numeric columns and text that is a plain
    number are written as they are. :func:`read_csv` removes the ``'`` again. Parquet files
    keep the raw values.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> df = pd.DataFrame({"id": ['=HYPERLINK("http://x","click")', "-5", "ok"], "n": [-1, 2, 3]})
    >>> print(write_csv(df, path).read_text(), end="")
    id,n
    "'=HYPERLINK(""http://x"",""click"")",-1
    -5,2
    ok,3
    >>> read_csv(path).equals(df)
    True
    """
    out = df.copy(deep=False)
    has_cr = False
    for i in range(out.shape[1]):  # by position: column names may repeat
        col = out.iloc[:, i]
        if pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col):
            continue
        out.isetitem(i, col.map(_escape_cell, na_action="ignore"))
        # the csv module quotes a cell holding "\n" but not one holding a lone "\r", which
        # would then end the row for most readers: such a (rare) file has every text cell quoted
        has_cr = has_cr or bool(col.map(lambda v: isinstance(v, str) and "\r" in v, na_action="ignore").any())
    if any(isinstance(c, str) and _FORMULA.match(c) for c in out.columns):
        out.columns = [_escape_cell(c) for c in out.columns]
    path = Path(path)
    with atomic_path(path, allow_raw=allow_raw) as tmp:
        out.to_csv(tmp, index=False, lineterminator="\n", float_format=float_format, encoding="utf-8",
                   quoting=csv.QUOTE_NONNUMERIC if has_cr else csv.QUOTE_MINIMAL)
    return path


def read_csv(path, **kwargs) -> pd.DataFrame:
    """Read a CSV the project wrote (:func:`write_csv`), removing its spreadsheet escapes.

    ``kwargs`` go to :func:`pandas.read_csv`. Raw survey exports are read with
    :func:`read_table`, which keeps every cell as written.

    Examples
    --------
    >>> import io as _io
    >>> read_csv(_io.StringIO("a\\n'=1+1\\n''@x\\n")).a.tolist()
    ['=1+1', "'@x"]
    """
    df = pd.read_csv(path, **kwargs)
    for i in range(df.shape[1]):
        col = df.iloc[:, i]
        if col.dtype == object or pd.api.types.is_string_dtype(col):
            df.isetitem(i, col.map(_unescape_cell, na_action="ignore"))
    df.columns = [_unescape_cell(c) for c in df.columns]
    return df


# --------------------------------------------------------------------------- reading


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


# --------------------------------------------------------------------------- column maps

_MAP_KEYS = {"survey", "columns", "values", "constants", "keep_unmapped", "read"}
_READ_KEYS = {"encoding", "sep", "header_rows", "sheet"}


class _TextLoader(yaml.SafeLoader):
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
