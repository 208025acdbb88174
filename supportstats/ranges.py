"""Margins of error and two-sample tests from published summaries, over ranges of unknowns.

Statistics layer: nothing here knows about claims, surveys or files. A published figure is
an interval (its rounding), a sample size may be a range ("nearly 300"), and a standard
deviation may be unpublished but capped by the answer scale (:func:`supportstats.bounds.max_sd`).
These functions evaluate the usual tests at every corner of such a range, so the caller can
report the least and the most favourable ends. Reference values: base R (``t.test``,
``prop.test(correct = FALSE)``, ``qt``), in ``tests/reference/evidence_reference.R``.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .bounds import max_sd

__all__ = ["Range", "share_margin", "mean_margin", "change_test", "sd_curve"]


@dataclass(frozen=True)
class Range:
    """A quantity known only as a range: ``low``–``high``, ``nominal`` where flips are reported.

    Examples
    --------
    >>> Range(285, 315, 300, "nearly 300").text()
    '285–315'
    """

    low: float
    high: float
    nominal: float
    why: str = ""

    def text(self, digits: int = 0) -> str:
        lo, hi = (f"{v:,.{digits}f}" for v in (self.low, self.high))
        return lo if lo == hi else f"{lo}–{hi}"

    def grid(self) -> list[float]:
        return sorted({float(self.low), float(self.nominal), float(self.high)})


# ---------------------------------------------------------------------------- margins

def _z(level: float) -> float:
    return float(stats.norm.ppf(0.5 + level / 2))


def share_margin(value, n, level: float = 0.95) -> pd.DataFrame:
    """Margin of error of a published share at a sample size, under simple random sampling.

    The interval around the whole rounding interval of ``value`` uses Wilson's score
    interval at its ends (statsmodels ``proportion_confint(method="wilson")``), so it stays
    inside 0–100; ``margin`` is the familiar ±z·sqrt(p(1 − p)/n) at the published value.

    Parameters
    ----------
    value : tuple of float
        ``(low, high)`` rounding interval of the published share, in percent.
    n : float
        Sample size.

    Returns
    -------
    DataFrame
        One row: ``ci_low, ci_high`` (percent) and ``margin`` (percentage points).

    Examples
    --------
    >>> share_margin((63.5, 64.5), 1214).round(2)
       ci_low  ci_high  margin
    0   60.75    67.14     2.7
    """
    from statsmodels.stats.proportion import proportion_confint

    lo, hi = (float(v) / 100 for v in value)
    low, _ = proportion_confint(lo * n, n, alpha=1 - level, method="wilson")
    _, high = proportion_confint(hi * n, n, alpha=1 - level, method="wilson")
    mid = (lo + hi) / 2
    margin = _z(level) * math.sqrt(mid * (1 - mid) / n)
    return pd.DataFrame({"ci_low": [100 * low], "ci_high": [100 * high], "margin": [100 * margin]})


def mean_margin(value, n, scale, level: float = 0.95) -> pd.DataFrame:
    """Largest margin of error of a published mean at n, over every SD the scale allows.

    Returns one row: ``sd_max`` (the largest SD possible at the published value, see
    :func:`supportstats.bounds.max_sd`), ``margin`` (t·sd_max/√n) and the interval around the
    rounding interval, clipped to the scale. At SD 0 the margin is 0; the true margin lies
    between.

    Examples
    --------
    >>> mean_margin((88.5, 89.5), 300, (0, 100)).round(2)
       sd_max  margin  ci_low  ci_high
    0    31.9    3.62   84.88    92.98
    """
    lo, hi = (float(v) for v in value)
    sds = [max_sd(v, *scale) for v in (lo, hi)]
    sd = max(sds)
    t = float(stats.t.ppf(0.5 + level / 2, max(n - 1, 1)))
    margin = t * sd / math.sqrt(n)
    return pd.DataFrame({"sd_max": [sd], "margin": [margin],
                         "ci_low": [max(scale[0], lo - t * sds[0] / math.sqrt(n))],
                         "ci_high": [min(scale[1], hi + t * sds[1] / math.sqrt(n))]})


# ------------------------------------------------------------------------------ tests

def _share_test(p1, n1, p2, n2, level):
    """Pooled two-proportion z test (R ``prop.test(correct = FALSE)``) and Wald interval, vectorised."""
    p1, p2, n1, n2 = (np.asarray(v, dtype=float) / d for v, d in ((p1, 100), (p2, 100), (n1, 1), (n2, 1)))
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    se0 = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    z = np.where(se0 > 0, (p2 - p1) / np.where(se0 > 0, se0, 1), 0.0)
    se = np.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    half = _z(level) * se
    diff = p2 - p1
    return {"diff": 100 * diff, "ci_low": 100 * (diff - half), "ci_high": 100 * (diff + half),
            "statistic": z, "df": np.full_like(z, np.nan), "p_value": 2 * stats.norm.sf(np.abs(z))}


def _mean_test(m1, sd1, n1, m2, sd2, n2, level):
    """Welch's t test from summaries (scipy ``ttest_ind_from_stats``), vectorised."""
    m1, sd1, n1, m2, sd2, n2 = (np.asarray(v, dtype=float) for v in (m1, sd1, n1, m2, sd2, n2))
    v1, v2 = sd1 ** 2 / n1, sd2 ** 2 / n2
    res = stats.ttest_ind_from_stats(m2, sd2, n2, m1, sd1, n1, equal_var=False)
    df = (v1 + v2) ** 2 / (v1 ** 2 / (n1 - 1) + v2 ** 2 / (n2 - 1))
    half = stats.t.ppf(0.5 + level / 2, df) * np.sqrt(v1 + v2)
    diff = m2 - m1
    return {"diff": diff, "ci_low": diff - half, "ci_high": diff + half,
            "statistic": np.asarray(res.statistic), "df": df, "p_value": np.asarray(res.pvalue)}


def change_test(values, n1: Range, n2: Range, *, scale=None, level: float = 0.95) -> pd.DataFrame:
    """Test a change between two published figures over every combination left open.

    Parameters
    ----------
    values : list of (earlier, later)
        Pairs of published values (percent for shares) to try: the corners of their
        rounding intervals, and, for an ambiguous change, every reading.
    n1, n2 : Range
        Sample sizes of the two editions (for a mean: the respondents it averages over).
    scale : (low, high), optional
        For means: the answer scale. The SD of each edition runs from 0 to its largest
        possible value at that mean; ``p_value`` is taken at that largest SD (p grows with the
        SD), ``p_value_min`` is 0 (the limit as the SD goes to 0). Shares need no SD.

    Returns
    -------
    DataFrame
        One row per combination tried: ``earlier, later, n1, n2, sd1, sd2, diff, ci_low,
        ci_high, statistic, df, p_value``. The least favourable combination is the row with
        the largest ``p_value``.

    Examples
    --------
    NPS 45 → 51 among 28% and 48% of about 300 teams, at the largest possible SDs:

    >>> r = change_test([(45, 51)], Range(84, 84, 84), Range(144, 144, 144), scale=(-100, 100))
    >>> r[["sd1", "sd2", "statistic", "p_value"]].round(3)
          sd1     sd2  statistic  p_value
    0  89.303  86.017      0.496    0.621
    """
    rows = []
    for (earlier, later), a, b in itertools.product(values, n1.grid(), n2.grid()):
        rows.append((float(earlier), float(later), a, b))
    grid = pd.DataFrame(rows, columns=["earlier", "later", "n1", "n2"]).drop_duplicates(ignore_index=True)
    if scale is None:
        grid["sd1"] = grid["sd2"] = np.nan
        res = _share_test(grid.earlier, grid.n1, grid.later, grid.n2, level)
    else:
        grid["sd1"] = max_sd(grid.earlier.to_numpy(), *scale)
        grid["sd2"] = max_sd(grid.later.to_numpy(), *scale)
        res = _mean_test(grid.earlier, grid.sd1, grid.n1, grid.later, grid.sd2, grid.n2, level)
    for key, value in res.items():
        grid[key] = np.asarray(value, dtype=float)
    return grid


def _p_at(earlier, later, n1, n2, sd, scale, level) -> float:
    if scale is None:
        return float(_share_test(earlier, n1, later, n2, level)["p_value"])
    return float(_mean_test(earlier, sd, n1, later, sd, n2, level)["p_value"])




def sd_curve(values, n1: Range, n2: Range, scale, *, points: int = 161, level: float = 0.95) -> pd.DataFrame:
    """p-value of a change of means against the (common) SD, from 0 to the largest possible.

    Two curves: at the published values and nominal sizes, and at the least favourable
    combination (rounding corners, smallest sizes). Each edition's SD is capped at the
    largest its scale allows at its mean.

    Returns
    -------
    DataFrame
        ``sd``, ``curve`` (``"published values, nominal n"`` or ``"least favourable"``),
        ``p_value``, ``sd_cap`` (the largest SD any edition can have in that curve).

    Examples
    --------
    >>> c = sd_curve([(45, 51), (45.5, 50.5)], Range(78, 90, 84), Range(135, 153, 144), (-100, 100), points=3)
    >>> c[["sd", "curve", "p_value"]].round(3)
           sd                        curve  p_value
    0   0.000  published values, nominal n    0.000
    1  44.651  published values, nominal n    0.329
    2  89.303  published values, nominal n    0.621
    3   0.000             least favourable    0.000
    4  44.651             least favourable    0.432
    5  89.303             least favourable    0.690
    """
    grid = change_test(values, n1, n2, scale=scale, level=level)
    worst = grid.loc[grid["p_value"].idxmax()]
    earlier, later = values[0]
    cases = {"published values, nominal n": (earlier, later, n1.nominal, n2.nominal),
             "least favourable": (worst.earlier, worst.later, worst.n1, worst.n2)}
    top = max(max_sd(v, *scale) for v in np.ravel([[c[0], c[1]] for c in cases.values()]))
    sds = np.linspace(0, top, points)
    rows = []
    for name, (m1, m2, a, b) in cases.items():
        s1 = np.minimum(sds, max_sd(m1, *scale))
        s2 = np.minimum(sds, max_sd(m2, *scale))
        with np.errstate(divide="ignore", invalid="ignore"):
            p = _mean_test(m1, s1, a, m2, s2, b, level)["p_value"]
        p = np.where(sds == 0, 0.0 if m1 != m2 else 1.0, p)
        rows.append(pd.DataFrame({"sd": sds, "curve": name, "p_value": p,
                                  "sd_cap": max(max_sd(m1, *scale), max_sd(m2, *scale))}))
    return pd.concat(rows, ignore_index=True)
