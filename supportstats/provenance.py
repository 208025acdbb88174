"""Where data come from, read from the data themselves: the synthetic mark.

``supportstats synth`` writes a ``provenance`` column on every row of the files it generates
(:data:`SYNTHETIC_MARK`). The readers keep it, column maps carry it, cleaning carries it into
the cleaned data and the exclusions, and :func:`data_source` reads it back — so a synthetic
file renamed ``my_trends_export.csv``, or saved as ``.xlsx`` or ``.sav``, is still the
synthetic reconstruction. Data without the mark are a real export.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["PROVENANCE_COLUMN", "SYNTHETIC_MARK", "SOURCES", "mark_synthetic", "data_source"]

PROVENANCE_COLUMN = "provenance"
#: The value ``supportstats synth`` writes in the provenance column of every generated row.
SYNTHETIC_MARK = "synthetic reconstruction (supportstats synth)"
#: What :func:`data_source` returns.
SOURCES = ("synthetic reconstruction", "real export")


def mark_synthetic(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with the synthetic mark in a last ``provenance`` column, on every row.

    Examples
    --------
    >>> mark_synthetic(pd.DataFrame({"q": ["Yes"]})).columns.tolist()
    ['q', 'provenance']
    """
    out = frame.drop(columns=PROVENANCE_COLUMN, errors="ignore")
    out[PROVENANCE_COLUMN] = pd.array([SYNTHETIC_MARK] * len(out), dtype="str")
    return out


def _is_synthetic(frame: pd.DataFrame) -> bool:
    if PROVENANCE_COLUMN not in frame.columns:
        return False
    values = frame[PROVENANCE_COLUMN]
    if isinstance(values, pd.DataFrame):  # two columns of that name: any will do
        return any(_is_synthetic(values.iloc[:, [i]].set_axis([PROVENANCE_COLUMN], axis=1))
                   for i in range(values.shape[1]))
    text = values.dropna().astype("str").str.strip().unique()
    return bool(np.isin(SYNTHETIC_MARK, text))


def _frames(obj):
    from .clean import CleanResult

    if isinstance(obj, pd.DataFrame):
        yield obj
    elif isinstance(obj, CleanResult):
        yield obj.data
        yield obj.exclusions
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _frames(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from _frames(v)
    elif isinstance(obj, (str, Path)):
        from .io import read_table

        yield read_table(obj)
    else:
        raise TypeError(f"data_source: expected DataFrames, CleanResults, files or a dict/list of them; "
                        f"got {type(obj).__name__}")


def data_source(frames) -> str:
    """``"synthetic reconstruction"`` if any row carries the synthetic mark, else ``"real export"``.

    Reads the ``provenance`` column, never a file name. Anything synthetic makes the whole
    synthetic: a result resting partly on generated rows is not evidence from a real export.

    Parameters
    ----------
    frames : DataFrame, CleanResult, str/Path of an export, or a dict/list/tuple of these

    Examples
    --------
    >>> from supportstats.paths import DATA_RAW
    >>> data_source(DATA_RAW / "synthetic_cs_ops_2023.csv")
    'synthetic reconstruction'
    >>> data_source(pd.DataFrame({"q": ["Yes"]}))
    'real export'
    >>> data_source({"a": mark_synthetic(pd.DataFrame({"q": [1]})), "b": pd.DataFrame({"q": [2]})})
    'synthetic reconstruction'
    """
    found = list(_frames(frames))
    if not found:
        raise ValueError("data_source: give at least one data frame or file")
    return SOURCES[0] if any(_is_synthetic(f) for f in found) else SOURCES[1]
