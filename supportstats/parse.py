"""Reading answers written as text: percentages, numbers, size bands, labels in five languages.

The parsers raise ValueError on text they cannot read; the cleaning steps turn that into an
:class:`~supportstats.errors.InputError` naming the file, row and column.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .definition import load_definition, normalize_label

__all__ = ["parse_percent", "parse_number", "parse_band", "parse_size", "label_variety"]

_NUM = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+$")


def parse_percent(text) -> float:
    """Read a percentage written ``89%``, ``89``, ``0.89``, ``89,0`` or ``0,89`` as points (0-100).

    Without a ``%`` sign, a value from 0 to 1 written with a decimal separator is a fraction.
    Blank gives NaN. Raises ValueError on anything else.

    Examples
    --------
    >>> [parse_percent(s) for s in ["89%", "89", "0.89", "89,0", " 87.5 % ", ""]]
    [89.0, 89.0, 89.0, 89.0, 87.5, nan]
    """
    s = str(text).strip()
    if not s:
        return float("nan")
    pct = s.endswith("%")
    s = s[:-1].rstrip() if pct else s
    if not _NUM.match(s):
        raise ValueError(text)
    has_sep = "." in s or "," in s
    v = float(s.replace(",", "."))
    if not pct and has_sep and 0 <= v <= 1:
        v *= 100
    return float(np.round(v, 6))


def parse_number(text) -> float:
    """A plain number; ``3,5`` is a decimal comma but ``1,000`` a thousands separator; blank is NaN.

    Examples
    --------
    >>> [parse_number(s) for s in ["3,5", "1,000", "-2", " 7 ", ""]]
    [3.5, 1000.0, -2.0, 7.0, nan]
    """
    s = str(text).strip()
    if not s:
        return float("nan")
    if _THOUSANDS.match(s):
        return float(s.replace(",", ""))
    if not _NUM.match(s):
        raise ValueError(text)
    return float(s.replace(",", "."))


_RANGE = re.compile(r"^(\d+)(?:-|to)(\d+)$")
_PLUS = re.compile(r"^(?:morethan|over|>)?(\d+)(k)?\+?$")
_WORD = re.compile(r"[^\W\d_]+")
_KEEP = {"to", "k", "more", "than", "over"}


def parse_band(text, bands, lower_bounds) -> str | None:
    """The band of a free-text count: a band label or code, a range, ``10k+``, ``more than 10,000``.

    A range maps to the band holding its midpoint (``11 to 50 employees`` -> the 10-49 band);
    an open value (``10k+``, ``more than 10,000``) to the band of its lower end. Words such as
    *employees* are ignored. Blank gives None. Raises ValueError below the first band or on
    text without a count.

    Parameters
    ----------
    text : str
    bands : sequence of str
        Band codes in order.
    lower_bounds : sequence of float
        The smallest value of each band.

    Examples
    --------
    >>> bands, lows = ["small", "large"], [1, 100]
    >>> [parse_band(s, bands, lows) for s in ["5 to 20 people", "150", "1k+", "more than 99", ""]]
    ['small', 'large', 'large', 'large', None]
    """
    s = normalize_label(text)
    if not s:
        return None
    s = s.replace("–", "-").replace("—", "-").replace("～", "-").replace("~", "-").replace(",", "")
    s = _WORD.sub(lambda m: m.group(0) if m.group(0) in _KEEP else " ", s)
    s = "".join(s.split())
    m = _RANGE.match(s)
    if m:
        lo, hi = int(m.group(1)), int(m.group(2))
        if hi < lo:
            raise ValueError(text)
        v = (lo + hi) / 2
    else:
        m = _PLUS.match(s)
        if not m:
            raise ValueError(text)
        v = int(m.group(1)) * (1000 if m.group(2) else 1) + (1 if s.startswith(("morethan", "over", ">")) else 0)
    if v < lower_bounds[0]:
        raise ValueError(text)
    return bands[int(np.searchsorted(np.asarray(lower_bounds, float), v, side="right")) - 1]


def parse_size(text) -> str | None:
    """Company-size band of the built-in surveys (``schema.SIZE_BANDS``); None if blank.

    Examples
    --------
    >>> [parse_size(s) for s in ["10-49", "11 to 50 employees", "1,001-10,000", "10k+", "More than 10,000"]]
    ['10-49', '10-49', '1000-9999', '10000+', '10000+']
    """
    c = load_definition("benchmark").column("company_size")
    return parse_band(text, c.vocabulary.levels, c.lower_bounds)


def script_language(text: str, spanish=frozenset()) -> str:
    """Script-based guess of a label's language: ko, ja or zh by script, else es when the
    normalized label is in ``spanish``, else en.

    >>> script_language("客戶"), script_language("顧客サービス"), script_language("Sí", {"sí"})
    ('zh', 'ja', 'es')
    """
    if any("\uac00" <= ch <= "\ud7af" for ch in text):
        return "ko"
    if any("\u3040" <= ch <= "\u30ff" for ch in text):
        return "ja"
    if any("\u4e00" <= ch <= "\u9fff" for ch in text):
        return "zh"
    return "es" if normalize_label(text) in spanish else "en"


def label_variety(raws: dict, vocabularies=None) -> pd.DataFrame:
    """How many ways the raw exports spell each answer: language, spelling, frequency.

    Looks at every column of each raw export (before cleaning) whose answers are mostly labels
    of the given vocabularies, and groups the raw labels by the answer they normalize to.

    Parameters
    ----------
    raws : dict
        ``{"<survey>_<wave>": raw DataFrame}`` as read by :func:`supportstats.io.read_table`.
    vocabularies : sequence of Vocabulary, optional
        Default: the shipped 5-point agreement scale and yes/no.

    Returns
    -------
    pandas.DataFrame
        One row per (answer, language) with ``answer``, ``language``, ``spellings`` (distinct raw
        spellings), ``rows`` (cells), ``examples`` (up to three spellings, ``|``-separated),
        sorted by answer and language.

    Examples
    --------
    >>> raw = pd.DataFrame({"Q1": ["Yes", "yes ", "はい", "No"]})
    >>> label_variety({"x_2022": raw}).loc[:, ["answer", "language", "spellings", "rows"]]
      answer language  spellings  rows
    0     no       en          1     1
    1    yes       en          2     2
    2    yes       ja          1     1
    """
    if vocabularies is None:
        d = load_definition("benchmark")
        vocabularies = [d.vocabularies["agree5"], d.vocabularies["yes_no"]]
    lookup, spanish, english = {}, set(), set()
    for voc in vocabularies:
        for lv in voc.levels:
            lookup.update({normalize_label(lab): lv for lab in voc.all_labels(lv)})
            spanish.update(normalize_label(lab) for lab in voc.labels[lv].get("es", ()))
            english.update(normalize_label(lab) for lab in voc.labels[lv].get("en", ()))
    spanish -= english  # 'No' is both: call it English
    cells = []
    for raw in raws.values():
        for col in raw.columns:
            values = raw[col].astype("string").dropna()
            values = values[values.str.strip() != ""]
            norm = values.map(normalize_label)
            hit = norm.isin(lookup.keys())
            if hit.mean() < 0.5 if len(hit) else True:  # not an answer-label column
                continue
            cells.append(pd.DataFrame({"raw": values[hit].to_numpy(), "answer": norm[hit].map(lookup).to_numpy()}))
    if not cells:
        return pd.DataFrame(columns=["answer", "language", "spellings", "rows", "examples"])
    cells = pd.concat(cells, ignore_index=True)
    cells["language"] = cells["raw"].map(lambda t: script_language(t, spanish))
    return (cells.groupby(["answer", "language"], sort=True)["raw"]
            .agg(spellings="nunique", rows="size",
                 examples=lambda s: " | ".join(repr(v) for v in sorted(s.unique())[:3]))
            .reset_index())
