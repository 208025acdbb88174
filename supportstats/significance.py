"""Tests from published aggregates: counts, summary statistics and shares, no microdata.

Thin, vectorised wrappers around statsmodels and scipy, plus what neither provides in
the form the findings need: tests from published summaries, SD sensitivity, McNemar
bounds from two published margins and risk/odds-ratio readings. Multiple-testing
adjustment is in :mod:`supportstats.multiplicity`. Tests on respondent-level data are in :mod:`supportstats.comparisons`.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import optimize, stats
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import confint_proportions_2indep

from .estimate import (LOW_N, _as_float_array, _check_choice, _check_counts, _check_level,
                       _interval, _short)

__all__ = ["compare_proportions", "compare_means_from_summary", "sd_sensitivity",
           "min_detectable_difference", "risk_ratio_odds_ratio",
           "mcnemar_from_margins"]


def _pair_counts(x, n, xname, nname):
    xa = _check_counts(xname, x)
    na = _check_counts(nname, n, positive=True)
    xa, na = np.broadcast_arrays(np.atleast_1d(xa), np.atleast_1d(na))
    if (xa > na).any():
        i = np.flatnonzero((xa > na).ravel())[0]
        raise ValueError(f"{xname} must not exceed {nname}; got {xname}={xa.ravel()[i]:g} "
                         f"with {nname}={na.ravel()[i]:g}")
    return xa.ravel(), na.ravel()


def compare_proportions(x1, n1, x2, n2, level: float = 0.95, test: str = "z",
                        min_n: int = LOW_N) -> pd.DataFrame:
    """Compare two independent proportions: difference, Newcombe interval and a test.

    Parameters
    ----------
    x1, n1, x2, n2 : int or array-like of int
        Successes and sample sizes of group 1 and group 2 (broadcast; one row per pair).
    level : float, default 0.95
    test : {"z", "chi2-yates", "fisher"}
        Pooled two-sample z test without continuity correction (= R ``prop.test(...,
        correct=FALSE)``, statistic signed like ``diff``), Pearson chi-square with Yates'
        correction (= R ``prop.test`` default), or Fisher's exact test (two-sided, as R).
    min_n : int, default 30
        Flag ``low_n`` when either n is below it.

    Returns
    -------
    pandas.DataFrame
        One row per pair with columns

        - ``p1``, ``p2`` : the two proportions; ``n1``, ``n2`` : their sizes
        - ``diff`` : ``p2 - p1``
        - ``ci_low``, ``ci_high`` : Newcombe hybrid score interval of ``p2 - p1``
        - ``level`` : confidence level
        - ``statistic`` : z, chi-square, or (Fisher) the conditional MLE odds ratio
        - ``df`` : 1 for chi-square, NaN otherwise
        - ``p_value`` : two-sided p-value
        - ``effect_size`` : Cohen's h, ``2 asin sqrt(p2) - 2 asin sqrt(p1)``
        - ``test`` : the test used
        - ``low_n`` : ``min(n1, n2) < min_n``

        When both groups are all-no or all-yes, z and chi-square are 0 with p = 1.

    Raises
    ------
    ValueError
        Bad counts (negative, fractional, NaN, x > n, n = 0), level or test.

    References
    ----------
    Newcombe, R. G. (1998). Interval estimation for the difference between independent
    proportions: comparison of eleven methods. *Statistics in Medicine* 17, 873–890
    (method 10). Cohen, J. (1988). *Statistical Power Analysis*, 2nd ed., ch. 6.

    Examples
    --------
    >>> r = compare_proportions(48, 80, 56, 70)
    >>> r[["diff", "ci_low", "ci_high", "p_value"]].round(4)
       diff  ci_low  ci_high  p_value
    0   0.2  0.0524   0.3339    0.008
    """
    level = _check_level(level)
    _check_choice("test", test, ("z", "chi2-yates", "fisher"))
    a1, m1 = _pair_counts(x1, n1, "x1", "n1")
    a2, m2 = _pair_counts(x2, n2, "x2", "n2")
    a1, m1, a2, m2 = np.broadcast_arrays(a1, m1, a2, m2)
    p1, p2 = a1 / m1, a2 / m2
    lo, up = confint_proportions_2indep(a2, m2, a1, m1, method="newcomb", compare="diff",
                                        alpha=1 - level)
    lo, up = np.atleast_1d(lo).astype(float), np.atleast_1d(up).astype(float)
    pooled = (a1 + a2) / (m1 + m2)
    degenerate = (pooled <= 0) | (pooled >= 1)
    df = np.full(p1.shape, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        if test == "z":
            stat = (p2 - p1) / np.sqrt(pooled * (1 - pooled) * (1 / m1 + 1 / m2))
            stat = np.where(degenerate, 0.0, stat)
            pval = 2 * stats.norm.sf(np.abs(stat))
        elif test == "chi2-yates":
            obs = np.stack([a1, m1 - a1, a2, m2 - a2])
            exp = np.stack([m1 * pooled, m1 * (1 - pooled), m2 * pooled, m2 * (1 - pooled)])
            yates = np.minimum(0.5, np.abs(p1 - p2) / (1 / m1 + 1 / m2))
            stat = np.sum((np.abs(obs - exp) - yates) ** 2 / exp, axis=0)
            stat = np.where(degenerate, 0.0, stat)
            df[:] = 1.0
            pval = stats.chi2.sf(stat, 1)
        else:
            stat, pval = np.empty(p1.shape), np.empty(p1.shape)
            for i in range(p1.size):
                table = np.array([[a2[i], m2[i] - a2[i]], [a1[i], m1[i] - a1[i]]], dtype=np.int64)
                pval[i] = stats.fisher_exact(table).pvalue
                stat[i] = stats.contingency.odds_ratio(table, kind="conditional").statistic
    return pd.DataFrame({
        "p1": p1, "n1": m1.astype(np.int64), "p2": p2, "n2": m2.astype(np.int64),
        "diff": p2 - p1, "ci_low": lo, "ci_high": up, "level": level, "statistic": stat,
        "df": df, "p_value": pval,
        "effect_size": 2 * np.arcsin(np.sqrt(p2)) - 2 * np.arcsin(np.sqrt(p1)),
        "test": test, "low_n": np.minimum(m1, m2) < min_n,
    })


def _positive(name, value):
    arr = _as_float_array(name, value)
    if (~np.isfinite(arr) | (arr <= 0)).any():
        bad = float(arr.ravel()[np.flatnonzero((~np.isfinite(arr) | (arr <= 0)).ravel())[0]])
        raise ValueError(f"{name} must be positive and finite; got {name}={bad!r}")
    return arr


def _warn_df(df: np.ndarray) -> np.ndarray:
    bad = ~(df > 0)
    if bad.any():
        warnings.warn("degrees of freedom <= 0 (a group of size 1?): statistic, p-value and "
                      "interval are NaN for those rows", RuntimeWarning, stacklevel=3)
    return np.where(bad, np.nan, df)


def compare_means_from_summary(mean1, sd1, n1, mean2, sd2, n2, level: float = 0.95,
                               equal_var: bool = False, min_n: int = LOW_N) -> pd.DataFrame:
    """Two-sample t test and interval from published means, SDs and sizes.

    Parameters
    ----------
    mean1, sd1, n1, mean2, sd2, n2 : float or array-like
        Summaries of group 1 and group 2 (broadcast; one row per comparison).
    level : float, default 0.95
    equal_var : bool, default False
        False: Welch's t with Satterthwaite df; True: pooled-variance Student t.
    min_n : int, default 30
        Flag ``low_n`` when either n is below it.

    Returns
    -------
    pandas.DataFrame
        One row per comparison with columns

        - ``mean1``, ``mean2``, ``n1``, ``n2`` : the inputs
        - ``diff`` : ``mean2 - mean1``
        - ``se`` : standard error of the difference
        - ``ci_low``, ``ci_high`` : ``diff ± t_df se``
        - ``level`` : confidence level
        - ``statistic`` : ``diff / se`` (t)
        - ``df`` : degrees of freedom (NaN, with a warning, when <= 0)
        - ``p_value`` : two-sided
        - ``effect_size`` : Hedges' g (pooled SD, small-sample factor ``1 - 3/(4(n1+n2)-9)``)
        - ``method`` : ``"welch"`` or ``"pooled"``
        - ``low_n`` : ``min(n1, n2) < min_n``

    Raises
    ------
    ValueError
        NaN inputs, SDs not positive, sizes not positive whole numbers, or a bad level.

    References
    ----------
    Welch, B. L. (1947). The generalization of "Student's" problem when several different
    population variances are involved. *Biometrika* 34, 28–35.
    Hedges, L. V. & Olkin, I. (1985). *Statistical Methods for Meta-Analysis*. Academic Press.

    Examples
    --------
    >>> r = compare_means_from_summary(78, 15, 300, 89, 12, 300)
    >>> r[["diff", "statistic", "df", "effect_size"]].round(2)
       diff  statistic      df  effect_size
    0  11.0       9.92  570.51         0.81
    """
    level = _check_level(level)
    m1, m2 = _as_float_array("mean1", mean1), _as_float_array("mean2", mean2)
    s1, s2 = _positive("sd1", sd1), _positive("sd2", sd2)
    k1, k2 = _check_counts("n1", n1, positive=True), _check_counts("n2", n2, positive=True)
    m1, s1, k1, m2, s2, k2 = (np.atleast_1d(a).ravel() for a in
                              np.broadcast_arrays(m1, s1, k1, m2, s2, k2))
    v1, v2 = s1 ** 2 / k1, s2 ** 2 / k2
    diff = m2 - m1
    with np.errstate(invalid="ignore", divide="ignore"):
        pooled_var = ((k1 - 1) * s1 ** 2 + (k2 - 1) * s2 ** 2) / (k1 + k2 - 2)
        if equal_var:
            se = np.sqrt(pooled_var * (1 / k1 + 1 / k2))
            df = k1 + k2 - 2.0
        else:
            se = np.sqrt(v1 + v2)
            df = (v1 + v2) ** 2 / (v1 ** 2 / (k1 - 1) + v2 ** 2 / (k2 - 1))
        df = _warn_df(np.where(np.isfinite(df), df, 0.0))
        t = diff / se
        tq = stats.t.ppf(1 - (1 - level) / 2, df)
        g = diff / np.sqrt(pooled_var) * (1 - 3 / (4 * (k1 + k2) - 9))
    return pd.DataFrame({
        "mean1": m1, "n1": k1.astype(np.int64), "mean2": m2, "n2": k2.astype(np.int64),
        "diff": diff, "se": se, "ci_low": diff - tq * se, "ci_high": diff + tq * se,
        "level": level, "statistic": np.where(np.isnan(df), np.nan, t), "df": df,
        "p_value": 2 * stats.t.sf(np.abs(t), df), "effect_size": g,
        "method": "pooled" if equal_var else "welch", "low_n": np.minimum(k1, k2) < min_n,
    })


def sd_sensitivity(mean1, n1, mean2, n2, sds, alpha: float = 0.05) -> pd.DataFrame:
    """How a difference of published means fares across assumed standard deviations.

    For means reported without an SD (e.g. CSAT 78 → 89), assume both groups share an SD
    and run Welch's t test for each assumed value. With equal SDs Welch's df does not
    depend on the SD, so the largest SD at which the difference stays significant has a
    closed form, ``|diff| / (t_{1-alpha/2, df} sqrt(1/n1 + 1/n2))``.

    Parameters
    ----------
    mean1, n1, mean2, n2 : float, int
        The two published means and their sample sizes.
    sds : float or array-like
        Assumed common standard deviations (positive).
    alpha : float, default 0.05
        Two-sided significance level.

    Returns
    -------
    pandas.DataFrame
        One row per assumed SD with columns

        - ``sd`` : assumed standard deviation
        - ``diff`` : ``mean2 - mean1``
        - ``se`` : standard error of the difference
        - ``statistic`` : Welch t
        - ``df`` : Welch–Satterthwaite df
        - ``p_value`` : two-sided
        - ``significant`` : ``p_value < alpha``
        - ``max_significant_sd`` : largest SD keeping ``p_value < alpha`` (same each row)

    Raises
    ------
    ValueError
        Bad sizes, non-positive SDs, or alpha outside (0, 1).

    References
    ----------
    Welch, B. L. (1947). *Biometrika* 34, 28–35.

    Examples
    --------
    >>> r = sd_sensitivity(78, 300, 89, 300, sds=[10, 40, 80])
    >>> r[["sd", "p_value", "significant"]].round(4)
         sd  p_value  significant
    0  10.0   0.0000         True
    1  40.0   0.0008         True
    2  80.0   0.0927        False
    >>> round(float(r.max_significant_sd.iloc[0]), 2)
    68.6
    """
    if not 0 < float(alpha) < 1:
        raise ValueError(f"alpha must be strictly between 0 and 1; got alpha={alpha!r}")
    for name, v in (("mean1", mean1), ("mean2", mean2)):
        if np.ndim(v) or not np.isfinite(_as_float_array(name, v)):
            raise ValueError(f"{name} must be one finite number; got {name}={v!r}")
    k1 = float(_check_counts("n1", n1, positive=True))
    k2 = float(_check_counts("n2", n2, positive=True))
    grid = np.atleast_1d(_positive("sds", sds)).ravel()
    res = compare_means_from_summary(mean1, grid, k1, mean2, grid, k2, level=1 - alpha)
    df = float(res["df"].iloc[0])
    limit = abs(float(mean2) - float(mean1)) / (stats.t.ppf(1 - alpha / 2, df)
                                                 * np.sqrt(1 / k1 + 1 / k2))
    return pd.DataFrame({
        "sd": grid, "diff": res["diff"], "se": res["se"], "statistic": res["statistic"],
        "df": res["df"], "p_value": res["p_value"], "significant": res["p_value"] < alpha,
        "max_significant_sd": limit,
    })


def min_detectable_difference(p1, n1, n2, alpha: float = 0.05, power: float = 0.8,
                              alternative: str = "two-sided") -> pd.DataFrame:
    """Smallest change from a share ``p1`` that two samples of n1 and n2 detect with power.

    Solves the arcsine (Cohen's h) normal approximation for the effect size (statsmodels'
    ``NormalIndPower`` power function, solved to machine precision) and converts it back to
    shares above and below p1.

    Parameters
    ----------
    p1 : float or array-like
        Baseline share, in (0, 1).
    n1, n2 : int or array-like of int
        Sizes of the baseline and comparison samples.
    alpha : float, default 0.05
    power : float, default 0.8
    alternative : {"two-sided", "larger"}
        ``"larger"`` solves the one-sided test.

    Returns
    -------
    pandas.DataFrame
        One row per input with columns

        - ``p1``, ``n1``, ``n2``, ``alpha``, ``power`` : the inputs
        - ``effect_size`` : detectable Cohen's h
        - ``p2_up``, ``p2_down`` : detectable shares above and below p1 (NaN if outside [0, 1])
        - ``diff_up``, ``diff_down`` : ``p2_up - p1`` and ``p1 - p2_down``

    Raises
    ------
    ValueError
        p1 outside (0, 1), bad sizes, alpha/power outside (0, 1) or unknown alternative.

    References
    ----------
    Cohen, J. (1988). *Statistical Power Analysis for the Behavioral Sciences*, 2nd ed., ch. 6.

    Examples
    --------
    >>> r = min_detectable_difference(0.5, 300, 300)
    >>> r[["effect_size", "diff_up", "diff_down"]].round(4)
       effect_size  diff_up  diff_down
    0       0.2287   0.1134     0.1134
    """
    _check_choice("alternative", alternative, ("two-sided", "larger"))
    for name, v in (("alpha", alpha), ("power", power)):
        if not 0 < float(v) < 1:
            raise ValueError(f"{name} must be strictly between 0 and 1; got {name}={v!r}")
    base = _as_float_array("p1", p1)
    if ((base <= 0) | (base >= 1)).any():
        raise ValueError(f"p1 must be strictly between 0 and 1; got p1={_short(p1)}")
    k1 = _check_counts("n1", n1, positive=True)
    k2 = _check_counts("n2", n2, positive=True)
    base, k1, k2 = (np.atleast_1d(a).ravel() for a in np.broadcast_arrays(base, k1, k2))
    solver = NormalIndPower()

    def solve(a, b):
        # statsmodels' own solve_power stops ~1e-6 short in power; brentq on its power
        # function pins h to machine precision.
        def gap(h):
            return solver.power(effect_size=h, nobs1=a, alpha=alpha, ratio=b / a,
                                alternative=alternative) - power
        return optimize.brentq(gap, 1e-12, 2 * np.pi, xtol=1e-14, rtol=1e-14)

    h = np.array([solve(a, b) for a, b in zip(k1, k2)], dtype=float)
    phi = np.arcsin(np.sqrt(base))
    up_angle, down_angle = phi + h / 2, phi - h / 2
    p_up = np.where(up_angle <= np.pi / 2, np.sin(np.minimum(up_angle, np.pi / 2)) ** 2, np.nan)
    p_down = np.where(down_angle >= 0, np.sin(np.maximum(down_angle, 0)) ** 2, np.nan)
    return pd.DataFrame({
        "p1": base, "n1": k1.astype(np.int64), "n2": k2.astype(np.int64), "alpha": float(alpha),
        "power": float(power), "effect_size": h, "p2_up": p_up, "p2_down": p_down,
        "diff_up": p_up - base, "diff_down": base - p_down,
    })


def _newcombe_paired(n11, n10, n01, n00, level):
    """Newcombe (1998b) method 10 for p_b - p_a, from the 2x2 table(s) of pairs (vectorised)."""
    n11, n10, n01, n00 = (np.asarray(v, dtype=float) for v in (n11, n10, n01, n00))
    n = n11 + n10 + n01 + n00
    pa, pb = (n11 + n10) / n, (n11 + n01) / n
    la, ua = _interval(n11 + n10, n, level, "wilson")
    lb, ub = _interval(n11 + n01, n, level, "wilson")
    margins = (n11 + n10) * (n01 + n00) * (n11 + n01) * (n10 + n00)
    with np.errstate(invalid="ignore", divide="ignore"):
        phi = np.where(margins > 0, (n11 * n00 - n10 * n01) / np.sqrt(margins), 0.0)
    # theta = p_a - p_b in Newcombe's notation; we report p_b - p_a, so swap and negate.
    dl = np.sqrt(np.maximum((pa - la) ** 2 - 2 * phi * (pa - la) * (ub - pb) + (ub - pb) ** 2, 0.0))
    du = np.sqrt(np.maximum((ua - pa) ** 2 - 2 * phi * (ua - pa) * (pb - lb) + (pb - lb) ** 2, 0.0))
    theta = pa - pb
    return -(theta + du), -(theta - dl)


def _mcnemar_arrays(n10, n01, exact):
    """McNemar statistic and p-value, vectorised; exact = binomial on the discordant pairs."""
    n10, n01 = np.asarray(n10, dtype=float), np.asarray(n01, dtype=float)
    disc = n10 + n01
    use_exact = disc < 25 if exact is None else np.full(disc.shape, bool(exact))
    with np.errstate(invalid="ignore", divide="ignore"):
        chi2 = np.where(disc > 0, (np.abs(n10 - n01) - 1) ** 2 / disc, 0.0)
    small = np.minimum(n10, n01)
    p_exact = np.minimum(1.0, 2 * stats.binom.cdf(small, disc, 0.5))
    p_chi2 = np.where(disc > 0, stats.chi2.sf(chi2, 1), 1.0)
    return (np.where(use_exact, small, chi2), np.where(use_exact, np.nan, 1.0),
            np.where(use_exact, p_exact, p_chi2), use_exact)


def mcnemar_from_margins(p_a, p_b, n, level: float = 0.95, exact: bool | None = None
                         ) -> pd.DataFrame:
    """Bound a paired (McNemar) comparison when only the two published shares are known.

    Two shares of the same n respondents ("64% of teams, 55% of leaders") fix the yes
    counts ``x_a`` and ``x_b`` but not how many said yes to both. Every overlap the
    margins allow gives a different McNemar test; this lists them all. The difference is
    the same for every overlap; the least overlap is the least favourable to significance.

    Parameters
    ----------
    p_a, p_b : float
        Published shares (0–1) of the two items; counts are ``round(p * n)``.
    n : int
        Number of respondents answering both.
    level : float, default 0.95
    exact : bool, optional
        As in :func:`paired_proportions` (``None``: exact below 25 discordant pairs).

    Returns
    -------
    pandas.DataFrame
        One row per feasible overlap, sorted by ``n_both``, with columns

        - ``n`` : respondents; ``x_a``, ``x_b`` : yes counts; ``n_both`` : yes to both
        - ``p_a``, ``p_b`` : shares; ``diff`` : ``p_b - p_a``
        - ``ci_low``, ``ci_high`` : Newcombe's paired score interval (method 10)
        - ``level`` : confidence level
        - ``n_discordant`` : pairs answering differently
        - ``statistic``, ``df``, ``p_value`` : McNemar test (as R ``mcnemar.test``)
        - ``method`` : ``"mcnemar-exact"`` or ``"mcnemar-chi2"``

    Raises
    ------
    ValueError
        Shares outside [0, 1], n not a positive whole number, or a bad level.

    References
    ----------
    McNemar, Q. (1947). *Psychometrika* 12, 153–157. Newcombe, R. G. (1998). *Statistics in
    Medicine* 17, 2635–2650.

    Examples
    --------
    >>> b = mcnemar_from_margins(0.64, 0.55, 1200)
    >>> b.iloc[[0, -1]][["n_both", "n_discordant", "diff", "p_value"]].round(4)
         n_both  n_discordant  diff  p_value
    0       228           972 -0.09   0.0006
    432     660           108 -0.09   0.0000
    """
    level = _check_level(level)
    size = int(_check_counts("n", n, positive=True))
    counts = []
    for name, p in (("p_a", p_a), ("p_b", p_b)):
        if np.ndim(p) or not 0 <= float(_as_float_array(name, p)) <= 1:
            raise ValueError(f"{name} must be one share between 0 and 1; got {name}={p!r}")
        counts.append(int(round(float(p) * size)))
    xa, xb = counts
    both = np.arange(max(0, xa + xb - size), min(xa, xb) + 1)
    n10, n01 = xa - both, xb - both
    n00 = size - xa - xb + both
    lo, up = _newcombe_paired(both, n10, n01, n00, level)
    stat, df, pval, use_exact = _mcnemar_arrays(n10, n01, exact)
    return pd.DataFrame({
        "n": size, "x_a": xa, "x_b": xb, "n_both": both, "p_a": xa / size, "p_b": xb / size,
        "diff": (xb - xa) / size, "ci_low": lo, "ci_high": up, "level": level,
        "n_discordant": n10 + n01, "statistic": stat, "df": df, "p_value": pval,
        "method": np.where(use_exact, "mcnemar-exact", "mcnemar-chi2"),
    })


def risk_ratio_odds_ratio(p0, ratio, kind: str = "risk") -> pd.DataFrame:
    """Translate "k times more likely" into shares, risk ratio, odds ratio and difference.

    A claim like "4x more likely" is a risk ratio or an odds ratio, and the two differ
    greatly unless the base rate is small. Given the base rate ``p0`` of the comparison
    group and the stated ratio, return what the other group's share would be under the
    stated reading, and the other measures it implies. Inputs form a grid (every p0 with
    every ratio).

    Parameters
    ----------
    p0 : float or array-like
        Base rate(s) in the comparison group, in (0, 1).
    ratio : float or array-like
        Stated ratio(s), positive.
    kind : {"risk", "odds"}
        Read ``ratio`` as a risk ratio (``p1 = ratio p0``) or an odds ratio.

    Returns
    -------
    pandas.DataFrame
        One row per (p0, ratio), sorted, with columns

        - ``p0`` : base rate; ``ratio`` : stated ratio; ``kind`` : its reading
        - ``p1`` : implied share in the other group (NaN when impossible, i.e. > 1)
        - ``risk_ratio``, ``odds_ratio`` : ``p1 / p0`` and ``(p1/(1-p1)) / (p0/(1-p0))``
        - ``risk_difference`` : ``p1 - p0``
        - ``feasible`` : the reading gives a share within [0, 1]

    Raises
    ------
    ValueError
        p0 outside (0, 1), a non-positive ratio, or an unknown kind.

    References
    ----------
    Zhang, J. & Yu, K. F. (1998). What's the relative risk? *JAMA* 280, 1690–1691.

    Examples
    --------
    >>> risk_ratio_odds_ratio([0.1, 0.2], 4)[["p0", "p1", "odds_ratio", "feasible"]].round(3)
        p0   p1  odds_ratio  feasible
    0  0.1  0.4         6.0      True
    1  0.2  0.8        16.0      True
    >>> risk_ratio_odds_ratio(0.2, 4, kind="odds")[["p1", "risk_ratio"]].round(3)
          p1  risk_ratio
    0  0.5       2.5
    """
    _check_choice("kind", kind, ("risk", "odds"))
    base = np.atleast_1d(_as_float_array("p0", p0)).ravel()
    if ((base <= 0) | (base >= 1)).any():
        raise ValueError(f"p0 must be strictly between 0 and 1; got p0={_short(p0)}")
    rr = np.atleast_1d(_positive("ratio", ratio)).ravel()
    base, rr = (a.ravel() for a in np.meshgrid(np.sort(base), np.sort(rr), indexing="ij"))
    if kind == "risk":
        p1 = base * rr
    else:
        p1 = rr * base / (1 - base + rr * base)
    feasible = p1 <= 1
    p1 = np.where(feasible, p1, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        odds = (p1 / (1 - p1)) / (base / (1 - base))
    return pd.DataFrame({"p0": base, "ratio": rr, "kind": kind, "p1": p1,
                         "risk_ratio": p1 / base, "odds_ratio": odds,
                         "risk_difference": p1 - base, "feasible": feasible})
