"""A real survey bundled with the project: the 1996 American National Election Study.

statsmodels ships a subset of ANES 1996 (``statsmodels.datasets.anes96``: 944 respondents, 10
variables and ``logpopul``, a transform of one of them) with its codebook in the dataset's
``NOTE``. :func:`write_anes96` writes it once, the way a researcher's export arrives, under
``data/raw/anes96/``:

``anes96.sav``    SPSS: numeric codes, variable labels and value labels from the codebook
``anes96.xlsx``   the same respondents as a survey tool's Excel export (labels as text)
``codebook.txt``  the dataset's description and codebook exactly as statsmodels documents it

A respondent id, ``caseid`` (1 to 944 in statsmodels' row order, which is sorted by income),
is added: ANES as shipped has none. Nothing else is changed: the value labels are the
codebook's words, typos included (``$14,000-$14.999``). The files are immutable; only this
function writes them (``supportstats anes96``), and a test keeps them byte-identical to what
it writes. The survey definition beside them (``anes96.yml``) was drafted by
``supportstats survey init`` and edited by hand (see ``data/raw/anes96/README.md``).

ANES as shipped has no weights, no blanks and no user-missing codes: it is a smoke test of
the pipeline on data no one here wrote, not a test of those paths.
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from .outputs import atomic_path, save_workbook
from .paths import DATA_RAW

__all__ = ["ANES96_DIR", "anes96_codebook", "anes96_frame", "write_anes96"]

#: Where the bundled files live.
ANES96_DIR = DATA_RAW / "anes96"
#: SPSS stamps its creation time into the file header; a fixed one keeps the bytes repeating.
_SAV_STAMP = (92, b"01 Jan 7000:00:00")
_FILE_LABEL = "ANES 1996 subset as shipped by statsmodels (datasets.anes96)"


def _statsmodels_dataset():
    from statsmodels.datasets import anes96

    return anes96


def anes96_codebook() -> dict:
    """The codebook of statsmodels' ANES 1996 subset, parsed from the dataset's ``NOTE``.

    Returns
    -------
    dict
        ``{column: {"label": text, "values": {code: label}}}`` in the codebook's order;
        ``values`` is empty for a variable without value labels. The three left-right
        scales share the values the codebook lists once for all of them.

    Examples
    --------
    >>> book = anes96_codebook()
    >>> book["PID"]["label"], book["PID"]["values"][0], book["vote"]["values"]
    ('Party identification of respondent.', 'Strong Democrat', {0: 'Clinton', 1: 'Dole'})
    >>> book["ClinLR"]["values"][7], len(book["income"]["values"])
    ('Extremely Conservative', 24)
    """
    ds = _statsmodels_dataset()
    columns = set(ds.load_pandas().data.columns)
    book: dict = {}
    current, shared, pending = None, None, 0
    variable = re.compile(r"^\s*(\w+)\s*[-:]\s+(.*\S)\s*$")
    value = re.compile(r"^\s*(\d+)\s*-\s+(.*\S)\s*$")
    following = re.compile(r"^\s*The following (\d+) variables all take the values:\s*$")
    for line in ds.NOTE.splitlines():
        if not line.strip():
            continue
        if m := following.match(line):
            pending, shared, current = int(m.group(1)), {}, None
            continue
        if (m := variable.match(line)) and m.group(1) in columns:
            current = m.group(1)
            book[current] = {"label": m.group(2), "values": {}}
            if pending:
                book[current]["values"] = dict(shared)
                pending -= 1
            continue
        if m := value.match(line):
            target = shared if shared is not None and current is None else book[current]["values"]
            target[int(m.group(1))] = m.group(2)
            continue
        if current is not None:  # a label that goes on over the next line
            book[current]["label"] += " " + line.strip()
    return book


def anes96_frame() -> pd.DataFrame:
    """The respondents as statsmodels ships them, with ``caseid`` (1 to 944) in front.

    Examples
    --------
    >>> df = anes96_frame()
    >>> df.shape, df.columns[:3].tolist(), df.caseid.is_unique
    ((944, 12), ['caseid', 'popul', 'TVnews'], True)
    """
    data = _statsmodels_dataset().load_pandas().data
    return pd.concat([pd.DataFrame({"caseid": range(1, len(data) + 1)}, dtype="float64"),
                      data.reset_index(drop=True)], axis=1)


def _codebook_text() -> str:
    import statsmodels

    ds = _statsmodels_dataset()
    head = (f"ANES 1996 as documented by statsmodels {statsmodels.__version__} "
            "(statsmodels.datasets.anes96), verbatim.\n"
            "Written by supportstats.anes96.write_anes96; the respondent id caseid is added by it.\n\n")
    parts = [("TITLE", ds.TITLE), ("SOURCE", ds.SOURCE), ("COPYRIGHT", ds.COPYRIGHT),
             ("DESCRSHORT", ds.DESCRSHORT), ("DESCRLONG", ds.DESCRLONG), ("NOTE", ds.NOTE)]
    return head + "".join(f"{name}:\n{text.strip(chr(10))}\n\n" for name, text in parts).rstrip("\n") + "\n"


def _write_sav(df: pd.DataFrame, book: dict, path: Path) -> None:
    import pyreadstat

    labels = {"caseid": "Respondent id (added: the statsmodels subset has none)",
              **{c: v["label"] for c, v in book.items()}}
    values = {c: {float(k): lab for k, lab in v["values"].items()} for c, v in book.items() if v["values"]}
    with atomic_path(path, allow_raw=True) as tmp:
        pyreadstat.write_sav(df, str(tmp), file_label=_FILE_LABEL,
                             column_labels={c: labels.get(c, "") for c in df.columns},
                             variable_value_labels=values)
        data = bytearray(tmp.read_bytes())
        at, stamp = _SAV_STAMP
        if data[:4] != b"$FL2" or not re.fullmatch(rb"\d\d \w{3} \d\d\d\d:\d\d:\d\d", bytes(data[at:at + 17])):
            raise RuntimeError(f"{path.name}: unexpected SPSS header layout; cannot fix its creation time")
        data[at:at + 17] = stamp
        tmp.write_bytes(bytes(data))
        tmp.chmod(0o644)


def _write_xlsx(df: pd.DataFrame, book: dict, path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "anes96"
    ws.append(list(df.columns))
    labelled = {c: v["values"] for c, v in book.items() if v["values"]}
    for row in df.itertuples(index=False):
        cells = []
        for c, v in zip(df.columns, row):
            if c in labelled:
                cells.append(labelled[c][int(v)])
            else:
                cells.append(int(v) if float(v).is_integer() else float(v))
        ws.append(cells)
    save_workbook(wb, path, allow_raw=True)


def write_anes96(out_dir=None) -> list[Path]:
    """Write ``anes96.sav``, ``anes96.xlsx`` and ``codebook.txt`` into ``out_dir`` (default ``data/raw/anes96``).

    The bytes depend only on statsmodels' data and codebook (the SPSS header's creation
    time is fixed at 01 Jan 70 00:00:00, the workbook's dates at 2000-01-01), so a rerun
    rewrites the committed files unchanged.

    Returns
    -------
    list of Path
        The files written.

    Examples
    --------
    >>> import tempfile
    >>> [p.name for p in write_anes96(tempfile.mkdtemp())]
    ['anes96.sav', 'anes96.xlsx', 'codebook.txt']
    """
    out = Path(out_dir) if out_dir is not None else ANES96_DIR
    book = anes96_codebook()
    df = anes96_frame()
    missing = [c for c in df.columns if c not in book and c not in ("caseid", "logpopul")]
    if missing:
        raise RuntimeError(f"statsmodels' anes96 codebook does not document {missing}")
    paths = [out / "anes96.sav", out / "anes96.xlsx", out / "codebook.txt"]
    _write_sav(df, book, paths[0])
    _write_xlsx(df, book, paths[1])
    with atomic_path(paths[2], allow_raw=True) as tmp:
        tmp.write_text(_codebook_text(), encoding="utf-8")
        tmp.chmod(0o644)
    return paths
