"""Checks of the claims registry: what the quotes and the published numbers say about each other.

:func:`check_claims` runs every check on every row it applies to:

- ``value_in_quote`` (:mod:`supportstats.claim_quotes`): the registered number is the one the
  verbatim quote states, in any of its languages;
- ``sd_cap``, ``overlap_bounds``, ``composition`` (:mod:`supportstats.claim_bounds`): bounds on
  what the articles leave unpublished (largest SD at a mean, overlap of two shares, how much
  of a change in a group mean a change in who is in the group could explain);
- ``change_arithmetic``: a stated change against its two waves, read as percentage points
  and as a relative change, within the rounding of every published figure;
- ``ambiguous_wording``: a change whose wording allows several readings, with the earlier
  value each implies;
- ``rounding_feasibility``: whole counts k out of n (or out of a plausible range of n) whose
  share rounds to the published percentage (``uninformative`` where it cannot fail);
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

from .claim_bounds import check_composition, check_overlap, check_sd_cap
from .claim_quotes import check_quote
from .claims import (_DEFAULT_READINGS, CLAIM_COLUMNS, _decimals, _fmt, _interval, _overlaps, _parse_implied, _point,
                     _row, _show, _span, load_claims, value_interval)

__all__ = ["CHECK_COLUMNS", "CHECKS", "CHECK_STATUSES", "check_claims", "feasible_counts", "change_readings"]

#: Checks :func:`check_claims` runs, in the order of the docs.
CHECKS = ("value_in_quote", "change_arithmetic", "ambiguous_wording", "rounding_feasibility", "conditional_base",
          "overlap_bounds", "sd_cap", "composition", "implied_change", "implied_figure")
#: Statuses of a check, from fine to contradicted; ``uninformative`` marks a check that cannot fail.
CHECK_STATUSES = ("ok", "uninformative", "warning", "inconsistent")
#: Columns of :func:`check_claims`' result.
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


def _count_range(p, n: int, decimals: int = 0, interval=None) -> tuple[int, int]:
    """Smallest and largest k with 100 k / n in ``interval`` (default: p within half a unit); (k, k-1) if none."""
    if interval is None:
        half = Fraction(1, 2) * Fraction(1, 10 ** decimals)
        lo, hi = Fraction(str(p)) - half, Fraction(str(p)) + half
    else:
        lo, hi = (Fraction(str(x)) if math.isfinite(x) else None for x in interval)
    k_lo = 0 if lo is None else max(math.ceil(lo * n / 100), 0)
    k_hi = n if hi is None else min(math.floor(hi * n / 100), n)
    return k_lo, k_hi


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


def _check_ambiguous(r, by_id) -> list[dict]:
    """A change whose wording allows several readings: what each implies, and which the numbers can test.

    ``points`` and ``relative`` imply last wave's level from this wave's (``relates_to``) and
    are tested when that earlier level is published (``compared_to``, or the later level's);
    ``change_of_change`` ("up 2% on last year's increase": the increase itself grew by 2) says
    nothing about last wave's level and is tested only when the two waves before are published too.
    """
    names = (r.readings if isinstance(r.readings, str) else _DEFAULT_READINGS).split(";")
    late = by_id[r.relates_to] if isinstance(r.relates_to, str) else None
    earlier_id = r.compared_to if isinstance(r.compared_to, str) else (
        late.compared_to if late is not None and isinstance(late.compared_to, str) else None)
    early = by_id[earlier_id] if earlier_id else None
    s_lo, s_hi = _interval(r)
    rows = []
    for name in names:
        est = lo = hi = math.nan
        if name == "change_of_change":
            before = by_id[early.compared_to] if early is not None and isinstance(early.compared_to, str) else None
            what = f"the change itself grew by {_fmt(r.value)} on last wave's change"
            if late is not None and before is not None:
                e_lo, e_hi = _interval(early)
                (l_lo, l_hi), (b_lo, b_hi) = _interval(late), _interval(before)
                est = (late.value - early.value) - (early.value - before.value)
                lo, hi = (l_lo - e_hi) - (e_hi - b_lo), (l_hi - e_lo) - (e_lo - b_hi)
                fits = bool(_overlaps((s_lo, s_hi), (lo, hi)))
                test = (f"{_show(before)} -> {_show(early)} -> {_show(late)} gives {_fmt(est)} ({_span(lo, hi)}): "
                        + ("fits" if fits else "ruled out"))
            else:
                fits, test = None, "cannot be tested: needs the levels of the two waves before, not published"
        elif late is None:
            what = (f"earlier level = p - {_fmt(r.value)}" if name == "points"
                    else f"earlier level = p / {_fmt(1 + r.value / 100)}")
            fits, test = None, "cannot be tested: the later level p is not published"
        else:
            l_lo, l_hi = _interval(late)
            if name == "points":
                est, lo, hi = late.value - r.value, l_lo - s_hi, l_hi - s_lo
            else:
                est, lo, hi = late.value / (1 + r.value / 100), l_lo / (1 + s_hi / 100), l_hi / (1 + s_lo / 100)
            what = f"earlier level {_fmt(est)} ({_span(lo, hi)}) under {_show(late)}"
            if early is None:
                fits, test = None, "cannot be tested: the earlier level is not published"
            else:
                fits = bool(_overlaps(_interval(early), (lo, hi)))
                test = f"published earlier level {_show(early)} " + ("fits" if fits else "rules it out")
        rows.append((name, est, lo, hi, what, fits, test))
    ruled_out = all(f is False for *_, f, _ in rows)
    testable = [name for name, *_, f, _ in rows if f is not None]
    summary = (f"{_show(r)} allows {len(rows)} readings ({', '.join(names)}); "
               + (f"the published numbers test {', '.join(testable)}" if testable else "the published numbers test none"))
    out = []
    for name, est, lo, hi, what, fits, test in rows:
        status = "inconsistent" if ruled_out else "warning"
        out.append(_row("ambiguous_wording", r.claim_id, status, f"{summary}. {name}: {what}; {test}",
                        reading=name, estimate=est, implied_low=lo, implied_high=hi))
    return out


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
    """Whole counts k out of n (or a plausible range of n) whose share lies in the published interval.

    A share whose interval is at least 100 / n wide admits a whole k at every n of the range,
    whatever its value: the check cannot fail there (GRIM: any whole percent is reachable once
    n >= 100) and says ``uninformative`` instead of ``ok``.
    """
    n = int(r.n)
    lo = int(r.n_low) if not pd.isna(r.n_low) else n
    hi = int(r.n_high) if not pd.isna(r.n_high) else n
    interval = _interval(r)
    sizes = range(lo, hi + 1)
    ranges = [_count_range(r.value, m, interval=interval) for m in sizes]
    feasible = [m for m, (k_lo, k_hi) in zip(sizes, ranges) if k_hi >= k_lo]
    k_lo, k_hi = _count_range(r.value, n, interval=interval)
    nf = len(feasible)
    ks = f"k = {k_lo}..{k_hi} of n = {n}" if k_hi >= k_lo else f"no whole k of n = {n}"
    where = "" if lo == hi else f"; {nf} of {hi - lo + 1} n in {lo}..{hi} feasible"
    if 0 < nf < hi - lo + 1:
        where += f" ({_runs(feasible)})"
    width = interval[1] - interval[0]
    if not nf or (k_hi < k_lo and not r.n_approx):
        status = "inconsistent"
    elif width >= 100 / lo:
        status = "uninformative"
        where += (f"; cannot fail: an interval {_fmt(width)} points wide holds a whole k at every n >= "
                  f"{math.ceil(100 / width)}")
    else:
        status = "ok"
    detail = f"{_show(r)} of {'~' if r.n_approx else ''}{n}: {ks}{where}"
    return _row("rounding_feasibility", r.claim_id, status, detail,
                implied_low=float(k_lo) if k_hi >= k_lo else math.nan,
                implied_high=float(k_hi) if k_hi >= k_lo else math.nan,
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
    """Check every claim of the registry against its quote and the other published numbers.

    Parameters
    ----------
    claims : pandas.DataFrame, optional
        The registry as returned by :func:`load_claims` (default: load the project registry).

    Returns
    -------
    pandas.DataFrame
        One row per check, claim and reading, sorted by ``claim_id`` then ``check``, with columns

        - ``check`` : one of :data:`CHECKS`
        - ``claim_id`` : the claim checked
        - ``status`` : one of :data:`CHECK_STATUSES`: ``ok``; ``warning`` (consistent but
          needs a reader's care: several readings, an unclear base, a fit only at the rounding
          edges, a quote version without the number, a change composition alone could explain);
          ``inconsistent`` (the published numbers contradict each other or the quote);
          ``uninformative`` (the check cannot fail here, e.g. rounding at n >= 100)
        - ``detail`` : one sentence with the numbers
        - ``reading`` : the reading used (``points``, ``relative``, ``change_of_change``, a
          label, the number as the quote writes it, ...)
        - ``estimate``, ``implied_low``, ``implied_high`` : the implied figure and its interval
          from the rounding of the published numbers (``rounding_feasibility``: the whole
          counts k at the nominal n; ``sd_cap``: the largest SD at the published mean and its
          range over the mean's rounding; ``overlap_bounds``: the Fréchet bounds at the
          published shares; ``composition``: what newcomers to the group must average)
        - ``n_low``, ``n_high``, ``n_feasible`` : the n scanned and how many admit a whole count

    Which checks run on a row is decided by its columns: every row -> value in quote;
    ``change_pp``/``change_relative`` with ``compared_to`` and ``relates_to`` -> change
    arithmetic; ``change_unspecified`` -> ambiguous wording (one row per reading); a ``share``
    with ``n`` -> rounding; ``base_claim`` -> conditional base; a share with ``relates_to`` (or
    an unclear ``base_claim``) share -> overlap bounds; a mean on a bounded scale -> SD cap; a
    mean with ``compared_to`` and a ``base_claim`` share -> composition; a level with
    ``compared_to`` -> implied change; ``implied`` -> implied figure.

    Examples
    --------
    >>> checks = check_claims()
    >>> checks.loc[checks.claim_id == "benchmark_2022.csat_change_rel", ["check", "status", "reading"]]
    ...                                                            # doctest: +NORMALIZE_WHITESPACE
                    check status   reading
    ... change_arithmetic     ok  relative
    ...    value_in_quote     ok       14%
    >>> cap = checks[(checks.check == "sd_cap") & (checks.claim_id == "benchmark_2021.csat_mean")]
    >>> round(float(cap.estimate.iloc[0]), 1)
    41.4
    >>> sorted(checks.status.unique())
    ['ok', 'uninformative', 'warning']
    """
    claims = load_claims() if claims is None else claims
    claims = claims.copy()
    for col in CLAIM_COLUMNS:
        if col not in claims:
            claims[col] = None
    if "decimals" not in claims:
        claims["decimals"] = claims["value"].map(_decimals)
    by_id = {r.claim_id: r for r in claims.itertuples(index=False)}
    rows, memo = [], {}
    for r in claims.itertuples(index=False):
        has = lambda col: not pd.isna(getattr(r, col))  # noqa: E731
        rows.append(check_quote(r, by_id, memo))
        if r.statistic in _CHANGES and has("compared_to") and has("relates_to"):
            rows.append(_check_change(r, by_id))
        if r.statistic == "change_unspecified":
            rows.extend(_check_ambiguous(r, by_id))
        if r.statistic == "share" and r.unit == "percent" and has("n") and not has("value_high"):
            rows.append(_check_rounding(r))
        if has("base_claim"):
            rows.append(_check_base(r, by_id))
        if r.statistic == "share" and has("relates_to") and by_id[r.relates_to].statistic == "share":
            rows.append(check_overlap(r, by_id[r.relates_to], base_reading=False))
        if (r.statistic == "share" and has("base_claim") and by_id[r.base_claim].statistic == "share"
                and not pd.isna(r.base_clear) and not bool(r.base_clear)):
            rows.append(check_overlap(r, by_id[r.base_claim], base_reading=True))
        rows.append(check_sd_cap(r))
        if r.statistic in ("mean", "score") and has("compared_to") and has("base_claim"):
            rows.append(check_composition(r, by_id))
        if r.statistic in _LEVELS and has("compared_to"):
            rows.append(_check_implied_change(r, by_id))
        if has("implied"):
            rows.extend(_check_implied(r, by_id))
    out = pd.DataFrame([row for row in rows if row is not None], columns=list(CHECK_COLUMNS))
    for col in ("estimate", "implied_low", "implied_high"):
        out[col] = out[col].astype("float64")
    for col in ("n_low", "n_high", "n_feasible"):
        out[col] = out[col].astype("Int64")
    return out.sort_values(["claim_id", "check"], kind="stable").reset_index(drop=True)
