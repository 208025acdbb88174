"""Checks of the claims registry: what the published numbers say about each other.

:func:`check_claims` re-derives what can be re-derived from the published numbers alone:

- ``change_arithmetic``: a stated change against its two waves, read as percentage points
  and as a relative change, within the rounding of every published figure;
- ``ambiguous_wording``: a change whose wording allows several readings, with the earlier
  value each implies;
- ``rounding_feasibility``: whole counts k out of n (or out of a plausible range of n) whose
  share rounds to the published percentage;
- ``conditional_base``: a share of a sub-group re-expressed as a share of everyone;
- ``implied_change`` and ``implied_figure``: figures the published numbers imply
  (the change between two waves; expressions in the ``implied`` column).

Which check runs on a row follows from its ``statistic``, ``compared_to``, ``relates_to``,
``base_claim`` and ``implied`` columns, never from its id.
"""
from __future__ import annotations

import ast
import math
from fractions import Fraction

import numpy as np
import pandas as pd

from .claims import (_decimals, _fmt, _interval, _overlaps, _parse_implied, _point, _row, _show, _span, load_claims,
                     value_interval)

__all__ = ["CHECK_COLUMNS", "check_claims", "feasible_counts", "change_readings"]

CHECK_COLUMNS = ("check", "claim_id", "status", "detail", "reading", "estimate", "implied_low",
                 "implied_high", "n_low", "n_high", "n_feasible")

_CHANGES = ("change_pp", "change_relative")
_LEVELS = ("share", "mean", "score")


def change_readings(earlier, later) -> pd.DataFrame:
    """A change between two published levels, read as points and as a relative change.

    Each reading gets the point estimate and the interval allowed by the rounding of both
    published levels (the earlier and later values as intervals, see :func:`value_interval`).

    Parameters
    ----------
    earlier, later : float or tuple of float
        Published levels, or ``(low, high)`` intervals.

    Returns
    -------
    pandas.DataFrame
        Rows ``points`` and ``relative`` (index ``reading``) with columns ``estimate``,
        ``implied_low`` and ``implied_high``; relative changes are in percent.

    Examples
    --------
    >>> change_readings(78, 89).round(2)  # doctest: +NORMALIZE_WHITESPACE
              estimate  implied_low  implied_high
    reading
    points        11.0        10.00         12.00
    relative      14.1        12.74         15.48
    """
    e_lo, e_hi = earlier if isinstance(earlier, tuple) else value_interval(earlier)
    l_lo, l_hi = later if isinstance(later, tuple) else value_interval(later)
    e_pt = (e_lo + e_hi) / 2 if isinstance(earlier, tuple) else float(earlier)
    l_pt = (l_lo + l_hi) / 2 if isinstance(later, tuple) else float(later)
    if not (e_lo > 0 and e_pt > 0):
        raise ValueError(f"earlier must be positive for a relative change; got earlier={earlier!r}")
    rows = {
        "points": (l_pt - e_pt, l_lo - e_hi, l_hi - e_lo),
        "relative": (100 * (l_pt / e_pt - 1), 100 * (l_lo / e_hi - 1), 100 * (l_hi / e_lo - 1)),
    }
    out = pd.DataFrame.from_dict(rows, orient="index", columns=["estimate", "implied_low", "implied_high"])
    out.index.name = "reading"
    return out


def _count_range(p, n: int, decimals: int = 0) -> tuple[int, int]:
    """Smallest and largest k with 100 k / n within half a unit of p (exact; (k, k-1) if none)."""
    half = Fraction(1, 2) * Fraction(1, 10 ** decimals)
    p = Fraction(str(p))
    lo, hi = (p - half) * n / 100, (p + half) * n / 100
    return max(math.ceil(lo), 0), min(math.floor(hi), n)


def feasible_counts(p, n, decimals: int = 0) -> pd.DataFrame:
    """Whole counts k out of n whose percentage rounds to a published share.

    "48%" of n people is possible only if some whole k has ``100 k / n`` within half a unit
    of 48 (both ends allowed, whatever rounding rule the publisher used). Exact rational
    arithmetic. Pass a range of n when the base is only known roughly ("1,200+").

    Parameters
    ----------
    p : float
        Published percentage (0–100).
    n : int or iterable of int
        Base size(s).
    decimals : int, default 0
        Decimals the percentage was published with.

    Returns
    -------
    pandas.DataFrame
        One row per n with columns ``n``, ``k_low``, ``k_high``, ``n_counts`` (how many k fit)
        and ``feasible``.

    Examples
    --------
    >>> feasible_counts(48, [7, 25, 300])
         n  k_low  k_high  n_counts  feasible
    0    7      4       3         0     False
    1   25     12      12         1      True
    2  300    143     145         3      True
    """
    if not (isinstance(decimals, (int, np.integer)) and decimals >= 0):
        raise ValueError(f"decimals must be a non-negative integer; got decimals={decimals!r}")
    if p is None or pd.isna(p) or not 0 <= float(p) <= 100:
        raise ValueError(f"p must be a percentage from 0 to 100; got p={p!r}")
    sizes = [n] if isinstance(n, (int, np.integer)) else list(n)
    if not sizes or any(not isinstance(s, (int, np.integer)) or s < 1 for s in sizes):
        raise ValueError(f"n must be a positive whole number or an iterable of them; got n={n!r}")
    rows = [(int(s), *_count_range(p, int(s), decimals)) for s in sizes]
    out = pd.DataFrame(rows, columns=["n", "k_low", "k_high"])
    out["n_counts"] = (out["k_high"] - out["k_low"] + 1).clip(lower=0)
    out["feasible"] = out["n_counts"] > 0
    return out



def _ival(op, a, b):
    """Interval arithmetic on (low, high) pairs; NaN when undefined (division across zero)."""
    if op is ast.Add:
        return a[0] + b[0], a[1] + b[1]
    if op is ast.Sub:
        return a[0] - b[1], a[1] - b[0]
    if op is ast.Div:
        if b[0] <= 0 <= b[1]:
            return math.nan, math.nan
        b = (1 / b[1], 1 / b[0])
    with np.errstate(invalid="ignore"):
        prods = [x * y for x in a for y in b]
    prods = [p for p in prods if not math.isnan(p)]
    return (min(prods), max(prods)) if prods else (math.nan, math.nan)


def _evaluate(tree: ast.Expression, ids: list[str], env: dict) -> tuple[float, float, float]:
    """Evaluate a parsed expression to (point, low, high) given {claim_id: (point, low, high)}."""
    names = {f"_c{i}": env[cid] for i, cid in enumerate(ids)}

    def ev(node):
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant):
            v = float(node.value)
            return v, v, v
        if isinstance(node, ast.Name):
            return names[node.id]
        if isinstance(node, ast.UnaryOp):
            p, lo, hi = ev(node.operand)
            return (-p, -hi, -lo) if isinstance(node.op, ast.USub) else (p, lo, hi)
        (pa_, *ia), (pb, *ib) = ev(node.left), ev(node.right)
        op = type(node.op)
        point = {ast.Add: pa_ + pb, ast.Sub: pa_ - pb, ast.Mult: pa_ * pb,
                 ast.Div: pa_ / pb if pb else math.nan}[op]
        return (point, *_ival(op, tuple(ia), tuple(ib)))

    return ev(tree)



def _check_change(r, by_id) -> dict:
    """Stated change vs its two waves, under both readings, within rounding."""
    early, late = by_id[r.compared_to], by_id[r.relates_to]
    readings = change_readings(_interval(early), _interval(late))
    readings.loc["points", "estimate"] = late.value - early.value
    readings.loc["relative", "estimate"] = 100 * (late.value / early.value - 1)
    stated = _interval(r)
    fits = [k for k in readings.index
            if _overlaps(stated, (readings.at[k, "implied_low"], readings.at[k, "implied_high"]))]
    label = "points" if r.statistic == "change_pp" else "relative"
    use = label if label in fits else (fits[0] if fits else label)
    est, lo, hi = readings.loc[use]
    both = "; ".join(f"{k}: {'+' if readings.at[k, 'estimate'] >= 0 else ''}{_fmt(readings.at[k, 'estimate'])}"
                     f"{' pp' if k == 'points' else '%'} ({_span(readings.at[k, 'implied_low'], readings.at[k, 'implied_high'])})"
                     for k in readings.index)
    head = f"{_show(early)} -> {_show(late)} stated as {_show(r)}; {both}"
    if not fits:
        status, verdict = "inconsistent", "neither reading fits within the rounding of the published figures"
    elif label not in fits:
        status, verdict = "warning", f"recorded as {label} but only the {use} reading fits"
    elif round(est, int(r.decimals)) != r.value:
        status, verdict = "warning", (f"the {use} reading fits only at the rounding edges "
                                      f"(published levels give {_fmt(round(est, int(r.decimals)))})")
    else:
        status, verdict = "ok", f"uses the {use} reading"
    return _row("change_arithmetic", r.claim_id, status, f"{head}: {verdict}", reading=use,
                estimate=est, implied_low=lo, implied_high=hi)


def _check_ambiguous(r, by_id) -> dict:
    """A change that can be read as points or relative: both implied earlier values."""
    s_lo, s_hi = _interval(r)
    if pd.isna(r.relates_to):
        detail = (f"{_show(r)} can mean +{_fmt(r.value)} points or +{_fmt(r.value)}% relative; the later level "
                  f"p is not published, so the earlier level is p - {_fmt(r.value)} or p / {_fmt(1 + r.value / 100)} "
                  f"(the readings differ by {_fmt(r.value)} - p/{_fmt(100 / r.value + 1)} points)")
        return _row("ambiguous_wording", r.claim_id, "warning", detail, reading="both")
    late = by_id[r.relates_to]
    l_lo, l_hi = _interval(late)
    pts = (late.value - r.value, l_lo - s_hi, l_hi - s_lo)
    rel = (late.value / (1 + r.value / 100), l_lo / (1 + s_hi / 100), l_hi / (1 + s_lo / 100))
    detail = (f"{_show(r)} on {_show(late)} can mean points or relative: earlier level {_fmt(pts[0])} "
              f"({_span(*pts[1:])}) as points, {_fmt(rel[0])} ({_span(*rel[1:])}) as relative")
    status = "warning"
    if not pd.isna(r.compared_to):
        early = _interval(by_id[r.compared_to])
        fits = [k for k, v in (("points", pts), ("relative", rel)) if _overlaps(early, v[1:])]
        detail += f"; published earlier level {_show(by_id[r.compared_to])} fits: {', '.join(fits) or 'neither'}"
        status = "inconsistent" if not fits else status
    return _row("ambiguous_wording", r.claim_id, status, detail, reading="both",
                implied_low=min(pts[1], rel[1]), implied_high=max(pts[2], rel[2]))


def _runs(values: list[int]) -> str:
    """Sorted integers as compact runs: [6, 8, 9, 10] -> '6, 8..10'."""
    out, start = [], None
    for i, v in enumerate(values):
        start = v if start is None else start
        if i + 1 == len(values) or values[i + 1] != v + 1:
            out.append(str(v) if v == start else f"{start}..{v}")
            start = None
    return ", ".join(out)


def _check_rounding(r) -> dict:
    """Whole counts k out of n (or a plausible range of n) that round to the published share."""
    n = int(r.n)
    lo = int(r.n_low) if not pd.isna(r.n_low) else n
    hi = int(r.n_high) if not pd.isna(r.n_high) else n
    d = int(r.decimals)
    scan = feasible_counts(r.value, range(lo, hi + 1), d)
    at_n = feasible_counts(r.value, n, d).iloc[0]
    nf = int(scan["feasible"].sum())
    ks = (f"k = {at_n.k_low}..{at_n.k_high} of n = {n}" if at_n.feasible else f"no whole k of n = {n}")
    where = "" if lo == hi else f"; {nf} of {hi - lo + 1} n in {lo}..{hi} feasible"
    if 0 < nf < hi - lo + 1:
        where += f" ({_runs(scan.loc[scan['feasible'], 'n'].tolist())})"
    status = "ok" if nf else "inconsistent"
    if not at_n.feasible and nf and not r.n_approx:
        status = "inconsistent"
    detail = f"{_show(r)} of {'~' if r.n_approx else ''}{n}: {ks}{where}"
    return _row("rounding_feasibility", r.claim_id, status, detail,
                implied_low=float(at_n.k_low) if at_n.feasible else math.nan,
                implied_high=float(at_n.k_high) if at_n.feasible else math.nan,
                n_low=lo, n_high=hi, n_feasible=nf)


def _check_base(r, by_id) -> dict:
    """A figure whose base is (or may be) a sub-group defined by another share."""
    parent = by_id[r.base_claim]
    p_lo, p_hi = _interval(parent)
    if r.statistic != "share":
        if pd.isna(parent.n):
            detail = f"{_show(r)} is a {r.statistic} over the {_show(parent)} ({parent.metric}); no n published"
            return _row("conditional_base", r.claim_id, "ok", detail)
        n_lo = parent.n_low if not pd.isna(parent.n_low) else parent.n
        n_hi = parent.n_high if not pd.isna(parent.n_high) else parent.n
        est, lo, hi = parent.value * parent.n / 100, p_lo * n_lo / 100, p_hi * n_hi / 100
        detail = (f"{_show(r)} is a {r.statistic} over the {_show(parent)} of {'~' if parent.n_approx else ''}"
                  f"{parent.n} ({parent.metric}): about {est:.0f} respondents ({lo:.0f}..{hi:.0f})")
        return _row("conditional_base", r.claim_id, "ok", detail, reading="subgroup n",
                    estimate=est, implied_low=lo, implied_high=hi)
    s_lo, s_hi = _interval(r)
    of_all = (r.value * parent.value / 100, s_lo * p_lo / 100, s_hi * p_hi / 100)
    detail = (f"{_show(r)} of the {_show(parent)} who {parent.metric} = {_fmt(of_all[0])}% of all "
              f"({_span(*of_all[1:])})")
    if r.base_clear:
        return _row("conditional_base", r.claim_id, "ok", detail, reading="subgroup",
                    estimate=of_all[0], implied_low=of_all[1], implied_high=of_all[2])
    among = (100 * r.value / parent.value, 100 * s_lo / p_hi, 100 * s_hi / p_lo)
    detail = f"base unclear: {detail}; or {_show(r)} of all = {_fmt(among[0])}% of that group ({_span(*among[1:])})"
    status = "warning"
    if among[1] > 100:
        detail += " (impossible: more than the whole group, so the base must be the sub-group)"
    return _row("conditional_base", r.claim_id, status, detail, reading="both", estimate=of_all[0],
                implied_low=of_all[1], implied_high=of_all[2])


def _check_implied_change(r, by_id) -> dict:
    early = by_id[r.compared_to]
    readings = change_readings(_interval(early), _interval(r))
    readings.loc["points", "estimate"] = r.value - early.value
    readings.loc["relative", "estimate"] = 100 * (r.value / early.value - 1)
    pts, rel = readings.loc["points"], readings.loc["relative"]
    detail = (f"{_show(early)} -> {_show(r)}: {'+' if pts.estimate >= 0 else ''}{_fmt(pts.estimate)} points "
              f"({_span(pts.implied_low, pts.implied_high)}), {'+' if rel.estimate >= 0 else ''}"
              f"{_fmt(rel.estimate)}% relative ({_span(rel.implied_low, rel.implied_high)}, "
              f"x{_fmt(r.value / early.value)})")
    return _row("implied_change", r.claim_id, "ok", detail, reading="points", estimate=pts.estimate,
                implied_low=pts.implied_low, implied_high=pts.implied_high)


def _check_implied(r, by_id) -> list[dict]:
    env = {cid: (_point(c), *_interval(c)) for cid, c in by_id.items()}
    out = []
    for label, tree, ids, expr in _parse_implied(r.implied):
        est, lo, hi = _evaluate(tree, ids, env)
        shown = f"{_fmt(est)} ({_span(lo, hi)})"
        if label == "value":
            own = _interval(r)
            ok = _overlaps(own, (lo, hi))
            detail = (f"{_show(r)} vs {expr} = {shown}: "
                      + ("consistent" if ok else "does not fit"))
            status = "ok" if ok else "inconsistent"
        else:
            detail, status = f"implies {label} ≈ {shown}", "ok"
        out.append(_row("implied_figure", r.claim_id, status, detail, reading=label, estimate=est,
                        implied_low=lo, implied_high=hi))
    return out


def check_claims(claims: pd.DataFrame | None = None) -> pd.DataFrame:
    """Re-derive every checkable claim from the other published numbers.

    Parameters
    ----------
    claims : pandas.DataFrame, optional
        The registry as returned by :func:`load_claims` (default: load the project registry).

    Returns
    -------
    pandas.DataFrame
        One row per check and claim, sorted by ``claim_id`` then ``check``, with columns

        - ``check`` : ``change_arithmetic``, ``ambiguous_wording``, ``rounding_feasibility``,
          ``conditional_base``, ``implied_change`` or ``implied_figure``
        - ``claim_id`` : the claim checked
        - ``status`` : ``ok``, ``warning`` (consistent but needs a reader's care: two readings,
          an unclear base, a fit only at the rounding edges) or ``inconsistent``
        - ``detail`` : one sentence with the numbers
        - ``reading`` : the reading used (``points``, ``relative``, ``both``, a label, ...)
        - ``estimate``, ``implied_low``, ``implied_high`` : the implied figure and its interval
          from the rounding of the published numbers (for ``rounding_feasibility``: the whole
          counts k at the nominal n)
        - ``n_low``, ``n_high``, ``n_feasible`` : the n scanned and how many admit a whole count

    Which checks run on a row is decided by its columns: ``change_pp``/``change_relative`` with
    ``compared_to`` and ``relates_to`` -> change arithmetic; ``change_unspecified`` -> ambiguous
    wording; a ``share`` with ``n`` -> rounding; ``base_claim`` -> conditional base; a level
    with ``compared_to`` -> implied change; ``implied`` -> implied figure.

    Examples
    --------
    >>> checks = check_claims()
    >>> checks.loc[checks.claim_id == "benchmark_2022.csat_change_rel", ["check", "status", "reading"]]
    ...                                                            # doctest: +NORMALIZE_WHITESPACE
                    check status   reading
    ... change_arithmetic     ok  relative
    >>> sorted(checks.status.unique())
    ['ok', 'warning']
    """
    claims = load_claims() if claims is None else claims
    claims = claims.copy()
    if "decimals" not in claims:
        claims["decimals"] = claims["value"].map(_decimals)
    by_id = {r.claim_id: r for r in claims.itertuples(index=False)}
    rows = []
    for r in claims.itertuples(index=False):
        has = lambda col: not pd.isna(getattr(r, col))  # noqa: E731
        if r.statistic in _CHANGES and has("compared_to") and has("relates_to"):
            rows.append(_check_change(r, by_id))
        if r.statistic == "change_unspecified":
            rows.append(_check_ambiguous(r, by_id))
        if r.statistic == "share" and r.unit == "percent" and has("n") and not has("value_high"):
            rows.append(_check_rounding(r))
        if has("base_claim"):
            rows.append(_check_base(r, by_id))
        if r.statistic in _LEVELS and has("compared_to"):
            rows.append(_check_implied_change(r, by_id))
        if has("implied"):
            rows.extend(_check_implied(r, by_id))
    out = pd.DataFrame(rows, columns=list(CHECK_COLUMNS))
    for col in ("estimate", "implied_low", "implied_high"):
        out[col] = out[col].astype("float64")
    for col in ("n_low", "n_high", "n_feasible"):
        out[col] = out[col].astype("Int64")
    return out.sort_values(["claim_id", "check"], kind="stable").reset_index(drop=True)
