"""Titles that state the finding, computed from a verdict row of ``findings.csv``.

A title is the claim's finding (``finding.<claim_id>`` in the catalogs, e.g. "Average CSAT
rose from {before} to {after}") joined to a phrase for its verdict ("significant at every
possible SD", "depends on the SD (flips at SD 22.1)"). Both are :class:`Msg`, so a figure
bundle renders the same title in every language from the same row.

Verdicts (the ``verdict`` column) and their phrases; ``assumption`` names what the verdict
was tested over (``sd``, ``n``, ``overlap``, ``base_rate``) and ``threshold`` where it flips:

=========================  ==============================================================
``consistent``             consistent with the data / … at every possible {assumption}
``inconsistent``           inconsistent with the data / … at every possible {assumption}
``significant change``     a significant change / significant at every possible {assumption}
``change within noise``    within the noise / … at every possible {assumption}
``depends on assumptions`` depends on the {assumption} (flips at {assumption} {threshold})
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

__all__ = ["finding_title", "verdict_phrase", "VERDICT_MESSAGES"]

#: verdict → (message without an assumption, message with one)
VERDICT_MESSAGES = {
    "consistent": ("verdict.consistent", "verdict.consistent_any"),
    "inconsistent": ("verdict.inconsistent", "verdict.inconsistent_any"),
    "significant change": ("verdict.significant", "verdict.significant_any"),
    "change within noise": ("verdict.within_noise", "verdict.within_noise_any"),
    "depends on assumptions": ("verdict.depends_open", "verdict.depends"),
    "untestable": ("verdict.untestable", "verdict.untestable"),
    "external": ("verdict.external", "verdict.external"),
    "reproduced": ("verdict.reproduced", "verdict.reproduced"),
    "not reproduced": ("verdict.not_reproduced", "verdict.not_reproduced"),
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
    """The phrase for a row's verdict, with its assumption and flip point when it has them.

    Examples
    --------
    >>> verdict_phrase({"verdict": "significant change", "assumption": "sd"}).render("en")
    'significant at every possible SD'
    >>> verdict_phrase({"verdict": "depends on assumptions", "assumption": "sd", "threshold": 22.1}).render("es")
    'depende de la DE (cambia con una DE de 22,1)'
    """
    row = _as_dict(row)
    verdict = _get(row, "verdict")
    if verdict not in VERDICT_MESSAGES:
        raise MessageError(f"no phrase for verdict {verdict!r}; expected one of {', '.join(VERDICT_MESSAGES)}")
    plain, assumed = VERDICT_MESSAGES[verdict]
    assumption = _get(row, "assumption")
    if verdict == "depends on assumptions" and assumption is None:
        raise MessageError("a 'depends on assumptions' verdict needs the assumption it depends on")
    if assumption is None:
        return Msg(plain)
    what = Msg(f"assumption.{str(assumption).strip().lower().replace(' ', '_')}")
    threshold = _get(row, "threshold")
    if verdict == "depends on assumptions" and threshold is not None:
        return Msg(assumed, assumption=what, threshold=float(threshold))
    return Msg(assumed if assumed != plain else plain, **({"assumption": what} if assumed != plain else {}))


def finding_title(row, finding: str | None = None, **values) -> Msg:
    """The title of a figure: the claim's finding and its verdict, e.g.
    "Average CSAT rose from 78 to 89 — significant at every possible SD".

    Parameters
    ----------
    row : mapping or namedtuple
        A row of ``findings.csv`` (``claim_id``, ``verdict``, ``assumption``, ``threshold``,
        ``published``, ``unit``, ...).
    finding : str, optional
        Message id of the finding (default ``finding.<claim_id>``).
    **values
        Values for the finding's placeholders beyond the row's own (``before``, ``after``).
        The row's columns are passed too, and ``share`` (``published`` / 100 when the unit
        is percent).

    Examples
    --------
    >>> row = {"claim_id": "benchmark_2022.csat_change_pp", "verdict": "significant change", "assumption": "sd",
    ...        "published": 11.0, "unit": "points"}
    >>> title = finding_title(row, before=78, after=89)
    >>> title.render("en")
    'Average CSAT rose from 78 to 89 — significant at every possible SD'
    >>> title.render("ja")
    '平均 CSAT は 78 から 89 に上昇 — どのSDでも有意'
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
