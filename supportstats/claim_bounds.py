"""Registry checks that bound what the articles leave unpublished (uses :mod:`supportstats.bounds`).

- ``sd_cap``: the largest SD a mean's bounded scale allows at the published mean (the scale
  from the registry's ``scale_low``/``scale_high``, or 0..100 for a mean in percent); every
  SD grid over such a mean stops there;
- ``overlap_bounds``: how much two shares of the same respondents can overlap (Fréchet), for
  shares linked by ``relates_to`` and for a share whose base may be everyone
  (``base_claim`` with ``base_clear`` false);
- ``composition``: how much of a change in a mean over a group (teams that track NPS) a change
  in who is in the group could explain, for a mean whose ``base_claim`` share has an earlier wave.
"""
from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd

from .bounds import composition_change, frechet_bounds, max_sd
from .claims import _fmt, _interval, _row, _show, _span

__all__: list[str] = []


def scale_of(r) -> tuple[float, float] | None:
    """The scale of a mean or score: the registry's, or 0..100 for one in percent; None if unknown."""
    if r.statistic not in ("mean", "score"):
        return None
    if not pd.isna(r.scale_low):
        return float(r.scale_low), float(r.scale_high)
    return (0.0, 100.0) if r.unit == "percent" else None


def _clip(interval, low, high) -> tuple[float, float]:
    return max(interval[0], low), min(interval[1], high)


def _pct(x) -> str:
    return f"{x:.1f}%"


def check_sd_cap(r) -> dict | None:
    """Largest possible SD at the published mean, and over the mean's rounding interval."""
    scale = scale_of(r)
    if scale is None:
        return None
    lo, hi = scale
    i_lo, i_hi = _clip(_interval(r), lo, hi)
    at = max_sd(r.value if pd.isna(r.value_high) else (r.value + r.value_high) / 2, lo, hi)
    ends = max_sd(np.array([i_lo, i_hi]), lo, hi)
    mid = (lo + hi) / 2
    top = max_sd(mid, lo, hi) if i_lo <= mid <= i_hi else float(ends.max())   # concave in the mean
    bottom = float(ends.min())
    detail = (f"{_show(r)} on a {_fmt(lo)}..{_fmt(hi)} scale: SD at most {at:.1f} (population SD, every answer "
              f"at an end of the scale); {bottom:.2f}..{top:.2f} over {_span(i_lo, i_hi)}")
    return _row("sd_cap", r.claim_id, "ok", detail, reading=f"scale {_fmt(lo)}..{_fmt(hi)}",
                estimate=at, implied_low=bottom, implied_high=top)


def check_overlap(r, first, base_reading: bool) -> dict:
    """Fréchet bounds on the overlap of two shares of the same respondents (``first`` and ``r``).

    ``base_reading``: the pair comes from an unclear base (``base_claim``); the bounds hold
    on the reading that ``r`` is a share of everyone, and the reading that ``r``'s group lies
    inside ``first``'s (only those with a morale decline can say it hurt) needs r <= first.
    """
    a_lo, a_hi = _clip(_interval(first), 0.0, 100.0)
    b_lo, b_hi = _clip(_interval(r), 0.0, 100.0)
    low, high = frechet_bounds(first.value, r.value, total=100)
    r_low, r_high = max(0.0, a_lo + b_lo - 100), min(a_hi, b_hi)
    cond = (100 * low / first.value, 100 * high / first.value) if first.value else (math.nan, math.nan)
    head = (f"{_show(first)} ({first.metric}) and {_show(r)} ({r.metric}) of the same respondents overlap by "
            f"{_fmt(low)}..{_fmt(high)} points ({_span(r_low, r_high)} within rounding): of the {_show(first)}, "
            f"{_pct(cond[0])}..{_pct(cond[1])} are also among the {_show(r)}")
    status, notes = "ok", []
    if base_reading:
        head = f"if the {_show(r)} are of everyone (the base is unclear): {head}"
        if b_lo > a_hi:
            status = "warning"
            notes.append(f"the {_show(r)} cannot all lie inside the {_show(first)}, so on this reading "
                         f"some who did not {first.metric} still {r.metric}")
        else:
            notes.append(f"if they all lie inside the {_show(first)}, the overlap is {_show(r)}")
        notes.append(f"if they are of the {_show(first)}, the overlap is {_fmt(first.value * r.value / 100)} points")
    if r_low > r_high:
        status = "inconsistent"
        notes.append("no overlap is possible: the shares cannot be of the same respondents")
    if not base_reading and not (pd.isna(first.n) or pd.isna(r.n)) and int(first.n) != int(r.n):
        status = "inconsistent"
        notes.append(f"linked as the same respondents, but their n differ ({int(first.n)} and {int(r.n)})")
    return _row("overlap_bounds", r.claim_id, status, "; ".join([head] + notes),
                reading="of everyone" if base_reading else "same respondents",
                implied_low=low, implied_high=high)


def check_composition(r, by_id) -> dict | None:
    """How much of a change in a group's mean a change in who is in the group could explain."""
    group = by_id[r.base_claim]
    if group.statistic != "share":
        return None
    early = by_id[r.compared_to]
    if pd.isna(group.compared_to):
        detail = (f"{_show(early)} -> {_show(r)} is a mean over a group ({group.metric}: {_show(group)}) whose "
                  f"earlier size is not published, so who joined or left it could explain any part of the "
                  f"change: this check cannot fail")
        return _row("composition", r.claim_id, "uninformative", detail, reading="newcomers")
    before = by_id[group.compared_to]
    scale = scale_of(r) or (-math.inf, math.inf)
    point = composition_change(before.value, early.value, group.value, r.value, *scale).iloc[0]
    corners = np.array(list(itertools.product(*(_interval(c) for c in (before, early, group, r)))))
    spread = composition_change(*corners.T, *scale)
    lo, hi = spread["new_mean"].min(), spread["new_mean"].max()
    head = (f"{group.metric}: {_show(before)} -> {_show(group)}, their mean {_show(early)} -> {_show(r)} "
            f"({'+' if point.change >= 0 else ''}{_fmt(point.change)})")
    if pd.isna(point.new_mean):
        return _row("composition", r.claim_id, "ok", f"{head}: the group did not grow, so newcomers explain "
                    f"none of the change", reading="newcomers")
    end = scale[1] if point.change >= 0 else scale[0]
    detail = (f"{head}: if the earlier {_show(before)} still belong and still average {_show(early)}, the newcomers "
              f"({_pct(100 * point.new_share)} of the group now) need average only {_fmt(point.new_mean)} "
              f"({_span(lo, hi)} within rounding) for the mean to reach {_show(r)}; newcomers at {_fmt(end)} "
              f"could move it by up to {_fmt(point.composition_max)}, so composition alone could explain "
              f"{_pct(100 * point.share_explained)} of the change")
    status = "warning" if point.share_explained >= 1 else "ok"
    return _row("composition", r.claim_id, status, detail, reading="newcomers", estimate=point.new_mean,
                implied_low=lo, implied_high=hi)
