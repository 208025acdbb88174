"""Writing the project's outputs: the write guard, atomic writes, spreadsheet-safe CSV, workbooks.

Every file the library writes goes through :func:`atomic_path`, which checks the target with
:func:`check_write` (nothing under ``data/raw``, nothing outside the run's output root) and
renames a finished temporary file into place, so a failure leaves nothing half-written.
:func:`write_csv` is the project's one CSV writer (escaping cells a spreadsheet would run as
formulas) and :func:`read_csv` its reader; :func:`save_workbook` saves an openpyxl workbook
whose bytes depend only on its content.
"""
from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import tempfile
from pathlib import Path

from . import paths
from .errors import InputError

__all__ = ["atomic_path", "write_if_changed", "save_workbook", "write_csv", "read_csv"]

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


def write_if_changed(path, text: str) -> bool:
    r"""Write ``text`` (UTF-8) to ``path`` atomically unless it already holds exactly that;
    return whether it wrote (an unchanged file keeps its modification time).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "page.html"
    >>> write_if_changed(out, "<p>1</p>\n"), write_if_changed(out, "<p>1</p>\n")
    (True, False)
    """
    path = Path(path)
    data = text.encode("utf-8")
    if path.exists() and path.read_bytes() == data:
        return False
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return True


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
    >>> import tempfile, pathlib, pandas as pd
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
    import pandas as pd  # here: the runner imports this module and starts kernels before it needs pandas

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
    :func:`supportstats.io.read_table`, which keeps every cell as written.

    Examples
    --------
    >>> import io as _io
    >>> read_csv(_io.StringIO("a\\n'=1+1\\n''@x\\n")).a.tolist()
    ['=1+1', "'@x"]
    """
    import pandas as pd

    df = pd.read_csv(path, **kwargs)
    for i in range(df.shape[1]):
        col = df.iloc[:, i]
        if col.dtype == object or pd.api.types.is_string_dtype(col):
            df.isetitem(i, col.map(_unescape_cell, na_action="ignore"))
    df.columns = [_unescape_cell(c) for c in df.columns]
    return df
