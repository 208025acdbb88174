"""Titles that state the finding, computed from a verdict row of ``findings.csv``.

A title is the claim's finding (``finding.<claim_id>`` in the catalogs, e.g. "Average CSAT
rose from {before} to {after}") joined to a phrase for its verdict ("significant under every
assumption tested", "depends on the SD (flips at SD 22.1)"). Both are :class:`Msg`, so a
figure bundle renders the same title in every language from the same row.

Verdicts (the ``verdict`` column) and their phrases; ``margin`` is a level's margin of
error, ``threshold_on`` (``sd`` or ``n``) and ``threshold`` say where a change's verdict flips:

=========================  ==============================================================
``consistent``             ±{margin} points if a simple random sample / consistent with
                           the other published figures (no margin)
``inconsistent``           inconsistent with the article's own figures
``significant change``     significant under every assumption tested
``change within noise``    within the noise under every assumption tested
``depends on assumptions`` depends on the {SD or sample size} (flips at … {threshold})
``untestable``             cannot be tested from what was published
``external``               reported by others, not testable here
``reproduced``             reproduced from the respondent data (real exports only)
``not reproduced``         not reproduced from the respondent data (real exports only)
=========================  ==============================================================
"""
from __future__ import annotations

import math
from collections.abc import Mapping

from .messages import Msg, MessageError, catalog

__all__ = ["finding_title", "verdict_phrase", "sample_size_text", "VERDICT_MESSAGES"]

#: verdict → message id of its phrase
VERDICT_MESSAGES = {
    "consistent": "verdict.consistent",
    "inconsistent": "verdict.inconsistent",
    "significant change": "verdict.significant_all",
    "change within noise": "verdict.within_noise_all",
    "depends on assumptions": "verdict.depends",
    "untestable": "verdict.untestable",
    "external": "verdict.external",
    "reproduced": "verdict.reproduced",
    "not reproduced": "verdict.not_reproduced",
}


def _as_dict(row) -> dict:
    """A findings row as a dict: a mapping, a pandas Series (its name is the claim id when the
    table was indexed by it) or a namedtuple from ``itertuples``."""
    if isinstance(row, Mapping):
        return dict(row)
    if hasattr(row, "to_dict"):
        out = row.to_dict()
        if "claim_id" not in out and isinstance(getattr(row, "name", None), str):
            out["claim_id"] = row.name
        return out
    if hasattr(row, "_asdict"):
        return row._asdict()
    raise TypeError(f"a findings row must be a mapping, Series or namedtuple; got {type(row).__name__}")


def _get(row, key):
    value = row.get(key)
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        return None
    return value


def verdict_phrase(row) -> Msg:
    """The phrase for a row's verdict, with its margin or flip point when it has them.

    Examples
    --------
    >>> verdict_phrase({"verdict": "significant change"}).render("en")
    'significant under every assumption tested'
    >>> verdict_phrase({"verdict": "depends on assumptions", "threshold_on": "sd", "threshold": 22.1}).render("es")
    'depende de la DE (cambia con una DE de 22,1)'
    >>> verdict_phrase({"verdict": "consistent", "margin": 2.716}).render("ja")
    '単純無作為抽出なら誤差 ±2.7 ポイント'
    """
    row = _as_dict(row)
    verdict = _get(row, "verdict")
    if verdict not in VERDICT_MESSAGES:
        raise MessageError(f"no phrase for verdict {verdict!r}; expected one of {', '.join(VERDICT_MESSAGES)}")
    if verdict == "consistent" and _get(row, "margin") is not None:
        return Msg("verdict.consistent_margin", margin=float(row["margin"]))
    if verdict == "depends on assumptions":
        on, at = _get(row, "threshold_on"), _get(row, "threshold")
        if on is None or at is None or not math.isfinite(float(at)):
            return Msg("verdict.depends_any")
        at = round(float(at), 1) if on == "sd" else float(round(float(at)))
        return Msg("verdict.depends", assumption=Msg(f"assumption.{on}"), threshold=at)
    return Msg(VERDICT_MESSAGES[verdict])


def finding_title(row, finding: str | None = None, **values) -> Msg:
    """The title of a figure: the claim's finding and its verdict, e.g.
    "Average CSAT rose from 78 to 89 — significant at every possible SD".

    Parameters
    ----------
    row : mapping or namedtuple
        A row of ``findings.csv`` (``claim_id``, ``verdict``, ``margin``, ``threshold_on``,
        ``threshold``, ``published``, ``unit``, ...).
    finding : str, optional
        Message id of the finding (default ``finding.<claim_id>``).
    **values
        Values for the finding's placeholders beyond the row's own (``before``, ``after``).
        The row's columns are passed too, and ``share`` (``published`` / 100 when the unit
        is percent).

    Examples
    --------
    >>> row = {"claim_id": "benchmark_2022.csat_change_pp", "verdict": "depends on assumptions",
    ...        "threshold_on": "n", "threshold": 106, "published": 11.0, "unit": "points"}
    >>> title = finding_title(row, before=78, after=89)
    >>> title.render("en")
    'Average CSAT rose from 78 to 89 — depends on the sample size (flips at sample size 106)'
    >>> title.render("ja")
    '平均 CSAT は 78 から 89 に上昇 — 標本サイズ次第（標本サイズ 106 で判定が変わる）'
    """
    row = _as_dict(row)
    claim = _get(row, "claim_id")
    message = finding or f"finding.{claim}"
    if message not in catalog("en"):
        raise MessageError(f"no finding message {message!r}: add it to supportstats/locales/*.yml "
                           "(see supportstats.titles)")
    fields = {k: v for k, v in row.items() if _get(row, k) is not None}
    if _get(row, "unit") == "percent" and _get(row, "published") is not None:
        fields["share"] = float(row["published"]) / 100
    fields.update(values)
    return Msg("title.with_verdict", finding=Msg(message, **fields), verdict=verdict_phrase(row))


def sample_size_text(rows) -> Msg | None:
    """The sample sizes behind some findings rows, for a legend: ``1,200–1,299`` or ``300``.

    Uses ``n_low``/``n_high`` (the range the article's wording allows, or the tracker
    range of a mean); rows without a sample size are left out. None when no row has one.

    Examples
    --------
    >>> import pandas as pd
    >>> sample_size_text(pd.DataFrame({"n_low": [1200, 618], "n_high": [1299, 1299]})).render("es")
    '618–1.299'
    """
    import pandas as pd

    table = pd.DataFrame(rows)
    low = pd.to_numeric(table.get("n_low"), errors="coerce").dropna()
    high = pd.to_numeric(table.get("n_high"), errors="coerce").dropna()
    if low.empty or high.empty:
        return None
    lo, hi = int(math.floor(low.min())), int(math.ceil(high.max()))
    return Msg("n.one", n=lo) if lo == hi else Msg("n.range", low=lo, high=hi)
