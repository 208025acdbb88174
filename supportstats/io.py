"""Reading survey exports and writing outputs atomically."""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

import pandas as pd

from .errors import InputError

__all__ = ["atomic_path", "read_table"]


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path beside ``path``; rename it onto ``path`` only on success.

    A crash or an exception leaves nothing half-written: the temporary file is removed.

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
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def read_table(path, *, encoding=None, sep=None, header_rows=None, sheet=None) -> pd.DataFrame:
    """Read a survey export with every column as text (blanks are ``""``, never NaN).

    Parameters
    ----------
    path : str or Path
        The export file.
    encoding, sep : str, optional
        Override the detected text encoding and delimiter.
    header_rows, sheet : optional
        Reserved (multi-header exports, Excel sheet); full support follows.

    Returns
    -------
    pandas.DataFrame
        One row per data row, columns as in the header, all values ``str``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = p.write_text("id,csat\\n1,\\n2,89\\n", encoding="utf-8-sig")
    >>> read_table(p)["csat"].tolist()
    ['', '89']
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("file not found", file=path, expected="an existing survey export")
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False,
                       encoding=encoding or "utf-8-sig", sep=sep or ",")
