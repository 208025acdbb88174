"""Registry check ``value_in_quote``: the registered number is the one its quote states.

Every version of a claim's verbatim sentence (``quote``, and the other languages' sentences in
``quote_other``) is read with :func:`supportstats.numerals.read_numbers`; the registered
``value`` (with ``value_high``, a range) must be among the numbers stated, with a fitting unit
mark, and the registry's ``bound`` must agree with the qualifier the sentence puts on it.
"""
from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from .claims import _interval, _parse_implied, _row, _show
from .numerals import read_numbers

__all__: list[str] = []

# unit of a claim -> marks its number may carry in the text (None: no mark)
_MARKS = {"percent": {"percent"}, "points": {None, "points"}, "usd": {None, "usd"}}
_QUALIFIER_WORDS = {"approx": "'about'", "min": "'more than'", "max": "'at most'", None: "no qualifier"}


def versions(r) -> list[tuple[str, str, str | None]]:
    """(label, sentence, language) for the quote and each quote_other item ('002', '002 (2nd)', ...)."""
    files = r.source_files.split(";")
    langs = dict(zip(files, r.language.split(";"))) if isinstance(r.language, str) else {}
    items = [(files[0], r.quote)]
    if isinstance(r.quote_other, str):
        for item in r.quote_other.split(" | "):
            name, _, text = item.partition(": ")
            items.append((name, text))
    out, seen = [], {}
    for name, text in items:
        seen[name] = seen.get(name, 0) + 1
        nth = seen[name]
        label = name.split("_")[0] + ("" if nth == 1 else f" ({nth}{ {2: 'nd', 3: 'rd'}.get(nth, 'th')})")
        out.append((label, text, langs.get(name)))
    return out


@functools.lru_cache(maxsize=512)
def _numbers(text: str, language) -> pd.DataFrame:
    """read_numbers, once per sentence (claims share sentences); callers must not modify the result."""
    return read_numbers(text, language)


def _matches(r, numbers: pd.DataFrame) -> pd.DataFrame:
    """Readings of the text that state the claim's value (or range) with a fitting unit mark."""
    marks = _MARKS.get(r.unit)
    mark_ok = numbers["mark"].map(lambda m: True if marks is None else (None if pd.isna(m) else m) in marks)
    if pd.isna(r.value_high):
        hit = np.isclose(numbers["low"], r.value) & np.isclose(numbers["high"], r.value) & ~numbers["in_range"]
    else:
        hit = np.isclose(numbers["low"], r.value) & np.isclose(numbers["high"], r.value_high)
    return numbers[hit & mark_ok.astype(bool)]


def _bound_of(reading) -> set:
    """Qualifiers a reading carries: its own, and 'approx' when its sentence hedges."""
    own = None if pd.isna(reading.qualifier) else reading.qualifier
    return {own} | ({"approx"} if reading.hedged and own is None else set())


def _stated(label, numbers) -> str:
    shown = ", ".join(dict.fromkeys(numbers["text"])) if len(numbers) else "none"
    return f"{label} (numbers there: {shown})"


def check_quote(r, by_id, memo: dict | None = None) -> dict:
    """The ``value_in_quote`` row of one claim (see the module docstring)."""
    memo = {} if memo is None else memo
    if r.claim_id in memo:
        return memo[r.claim_id]
    expected = None if pd.isna(r.bound) or r.bound == "exact" else r.bound
    found, missing, agree = [], [], False
    for label, text, lang in versions(r):
        numbers = _numbers(text, lang)
        hits = _matches(r, numbers)
        if len(hits):
            found.append((label, hits.iloc[0]))
            agree = agree or any(expected in _bound_of(h) if expected else _bound_of(h) == {None}
                                 for h in hits.itertuples())
        else:
            missing.append((label, numbers))
    if not found:
        row = _derived(r, by_id, memo, missing)
    else:
        head = f"{_show(r)} stated in " + ", ".join(f"{lb} as '{h.text}'" for lb, h in found)
        status, notes = "ok", []
        if missing:
            status = "warning"
            notes.append("not stated in " + "; ".join(_stated(lb, n) for lb, n in missing))
        if not agree:
            status = "warning"
            said = sorted({q for _, h in found for q in _bound_of(h)}, key=str)
            notes.append(f"the registry's bound is {r.bound if isinstance(r.bound, str) else 'blank'} but the text gives "
                         + " or ".join(_QUALIFIER_WORDS.get(q, str(q)) for q in said))
        first = found[0][1]
        row = _row("value_in_quote", r.claim_id, status, "; ".join([head] + notes), reading=first.text,
                   estimate=first.low, implied_low=first.low, implied_high=first.high)
    memo[r.claim_id] = row
    return row


def _sources(r) -> tuple[list[str], str]:
    """Claims a value is derived from, and how: an ``implied`` 'value = ...' item or a change's two waves."""
    if isinstance(r.implied, str):
        for label, _, ids, expr in _parse_implied(r.implied):
            if label == "value":
                return ids, expr
    if r.statistic in ("change_pp", "change_relative") and isinstance(r.compared_to, str) \
            and isinstance(r.relates_to, str):
        return [r.compared_to, r.relates_to], "the change between its two waves"
    return [], ""


def _unaccounted(r, by_id, text: str, lang) -> pd.DataFrame:
    """Numbers of a sentence that could be r's value and that no other claim citing the sentence registers."""
    numbers = _numbers(text, lang)
    numbers = numbers[~numbers["in_range"]].drop_duplicates(["start", "end"])   # one reading per number
    marks = _MARKS.get(r.unit)
    if marks is not None:
        numbers = numbers[numbers["mark"].map(lambda m: m in marks)]
    for c in by_id.values():
        if c.claim_id != r.claim_id and any(t == text for _, t, _ in versions(c)):
            hit = _matches(c, numbers)
            if len(hit):
                numbers = numbers.drop(hit.index[0])
    return numbers


def _derived(r, by_id, memo, missing) -> dict:
    """A value no version states: fine only if it is derived from claims whose quotes state theirs,
    and its own sentence states no number that could be it and that no other claim registers."""
    said = "; ".join(_stated(lb, n) for lb, n in missing)
    ids, how = _sources(r)
    stray = [(label, _unaccounted(r, by_id, text, lang)) for label, text, lang in versions(r)]
    stray = [(label, n) for label, n in stray if len(n)]
    if not ids or stray:
        extra = ("; " + "; ".join(f"{lb} states {', '.join(n['text'])}, which no claim registers" for lb, n in stray)
                 if ids and stray else "")
        return _row("value_in_quote", r.claim_id, "inconsistent",
                    f"{_show(r)} is not stated in its quote: {said}{extra}", reading="")
    rows = [check_quote(by_id[cid], by_id, memo) for cid in ids]
    bad = [cid for cid, row in zip(ids, rows) if row["status"] == "inconsistent"]
    if bad:
        return _row("value_in_quote", r.claim_id, "inconsistent",
                    f"{_show(r)} is not stated in its quote ({said}) and is derived ({how}) from "
                    + ", ".join(bad) + ", whose values are not in their quotes either", reading="derived")
    own = _interval(r)
    parts = ", ".join(f"{cid} ({_show(by_id[cid])})" for cid in ids)
    return _row("value_in_quote", r.claim_id, "ok",
                f"{_show(r)} is not stated in its quote ({said}); it is derived ({how}) from {parts}, whose values "
                f"their quotes state; the arithmetic is checked by implied_figure/change_arithmetic",
                reading="derived", implied_low=own[0], implied_high=own[1])
