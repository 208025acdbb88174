"""Tests on respondent-level data: two groups, two waves, paired items, 2x2 and r x c tables.

Design-based where a design is given (R ``survey``'s ``svyttest`` and ``svychisq``);
the tests from published aggregates are in :mod:`supportstats.significance`.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.contingency_tables import Table2x2, mcnemar

from .design import Design, as_design, domains, factor, resolve
from .linearization import design_cov, domain_df, moments
from .estimate import (LOW_N, _check_choice, _check_level, _column, _label, _numeric,
                       _share_codes)
from .multiplicity import adjust_pvalues
from .significance import _newcombe_paired, compare_proportions

__all__ = ["compare_groups", "compare_waves", "crosstab_test", "paired_proportions",
           "two_by_two"]


def _yes_no_pairs(data, *columns):
    """Boolean arrays of the rows where every named yes/no column is answered.

    ``columns`` are ``(column_name, argument_name)`` pairs; blanks count as missing; a
    value other than boolean or 0/1 is a ValueError naming the column and the value.
    """
    codes = [_share_codes(_column(data, name, arg), name, None) for name, arg in columns]
    answered = np.logical_and.reduce([c >= 0 for c in codes])
    return tuple(c[answered].astype(bool) for c in codes)


def paired_proportions(data: pd.DataFrame, a: str, b: str, level: float = 0.95,
                       exact: bool | None = None, min_n: int = LOW_N) -> pd.DataFrame:
    """McNemar test and interval for two yes/no items answered by the same respondents.

    Rows where either item is missing are dropped (complete pairs only).

    Parameters
    ----------
    data : pandas.DataFrame
    a, b : str
        Boolean (or 0/1) columns.
    level : float, default 0.95
    exact : bool, optional
        Exact binomial McNemar test; ``None`` chooses it when there are fewer than 25
        discordant pairs, else the chi-square test with continuity correction (= R
        ``mcnemar.test``).
    min_n : int, default 30
        Flag ``low_n`` when the number of complete pairs is below it.

    Returns
    -------
    pandas.DataFrame
        One row with columns

        - ``n`` : complete pairs
        - ``p_a``, ``p_b`` : shares answering yes to a and to b
        - ``diff`` : ``p_b - p_a``
        - ``ci_low``, ``ci_high`` : Newcombe's score interval for paired data (method 10)
        - ``level`` : confidence level
        - ``n_discordant`` : pairs answering differently
        - ``statistic`` : chi-square, or the smaller discordant count when exact
        - ``df`` : 1 for chi-square, NaN when exact
        - ``p_value`` : two-sided
        - ``effect_size`` : discordant-pair odds ratio (b-only / a-only)
        - ``method`` : ``"mcnemar-exact"`` or ``"mcnemar-chi2"``
        - ``low_n`` : ``n < min_n``

    Raises
    ------
    KeyError
        A named column is missing.
    ValueError
        A column is not yes/no, there are no complete pairs, or a bad level.

    References
    ----------
    McNemar, Q. (1947). *Psychometrika* 12, 153–157. Newcombe, R. G. (1998). Improved
    confidence intervals for the difference between binomial proportions based on paired
    data. *Statistics in Medicine* 17, 2635–2650.

    Examples
    --------
    >>> df = pd.DataFrame({"before": [True] * 20 + [False] * 30,
    ...                    "after": [True] * 15 + [False] * 5 + [True] * 12 + [False] * 18})
    >>> paired_proportions(df, "before", "after")[["diff", "n_discordant", "p_value", "method"]]
       diff  n_discordant  p_value         method
    0  0.14            17  0.14346  mcnemar-exact
    """
    level = _check_level(level)
    ya, yb = _yes_no_pairs(data, (a, "a"), (b, "b"))
    n = ya.size
    if n == 0:
        raise ValueError(f"no respondent answered both {a!r} and {b!r}")
    n11, n10 = int(np.sum(ya & yb)), int(np.sum(ya & ~yb))
    n01, n00 = int(np.sum(~ya & yb)), int(np.sum(~ya & ~yb))
    disc = n10 + n01
    use_exact = disc < 25 if exact is None else bool(exact)
    res = mcnemar([[n11, n10], [n01, n00]], exact=use_exact, correction=True)
    pa, pb = (n11 + n10) / n, (n11 + n01) / n
    lo, up = (float(v) for v in _newcombe_paired(n11, n10, n01, n00, level))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.float64(n01) / n10
    return pd.DataFrame({
        "n": [n], "p_a": pa, "p_b": pb, "diff": pb - pa, "ci_low": lo, "ci_high": up,
        "level": level, "n_discordant": disc, "statistic": float(res.statistic),
        "df": np.nan if use_exact else 1.0, "p_value": float(res.pvalue),
        "effect_size": float(ratio), "method": "mcnemar-exact" if use_exact else "mcnemar-chi2",
        "low_n": n < min_n,
    })


def two_by_two(data: pd.DataFrame, exposure: str, outcome: str, level: float = 0.95,
               min_n: int = LOW_N) -> pd.DataFrame:
    """Risk ratio, odds ratio and risk difference of a yes/no outcome by a yes/no exposure.

    For claims like "companies using automation are 4x more likely to see CSAT improve":
    the exposed group (exposure true) is compared with the rest. Rows with either value
    missing are dropped. Unweighted counts.

    Parameters
    ----------
    data : pandas.DataFrame
    exposure, outcome : str
        Boolean (or 0/1) columns.
    level : float, default 0.95
    min_n : int, default 30
        Flag ``low_n`` when either group is smaller.

    Returns
    -------
    pandas.DataFrame
        Three rows (``measure`` = ``risk_ratio``, ``odds_ratio``, ``risk_difference``) with

        - ``measure`` : the effect measure
        - ``estimate``, ``ci_low``, ``ci_high`` : estimate and interval (Katz log interval
          for the risk ratio, Woolf logit interval for the odds ratio, both via statsmodels
          ``Table2x2``, with 0.5 added to every cell when one is empty; Newcombe's hybrid
          score interval for the difference)
        - ``level`` : confidence level
        - ``p_exposed``, ``p_unexposed`` : outcome shares; ``n_exposed``, ``n_unexposed`` : sizes
        - ``statistic``, ``p_value`` : two-proportion z test of no association (same each row)
        - ``method`` : interval method
        - ``low_n`` : either group smaller than ``min_n``

    Raises
    ------
    KeyError
        A named column is missing.
    ValueError
        A column is not yes/no, or a group is empty.

    References
    ----------
    Katz, D. et al. (1978). *Biometrics* 34, 469–474. Woolf, B. (1955). *Ann. Hum. Genet.*
    19, 251–253. Newcombe, R. G. (1998). *Statistics in Medicine* 17, 873–890.

    Examples
    --------
    >>> df = pd.DataFrame({"auto": [True] * 40 + [False] * 40,
    ...                    "improved": [True] * 30 + [False] * 10 + [True] * 15 + [False] * 25})
    >>> two_by_two(df, "auto", "improved")[["measure", "estimate", "ci_low", "ci_high"]].round(3)
               measure  estimate  ci_low  ci_high
    0       risk_ratio     2.000   1.290    3.100
    1       odds_ratio     5.000   1.914   13.061
    2  risk_difference     0.375   0.158    0.546
    """
    level = _check_level(level)
    e, o = _yes_no_pairs(data, (exposure, "exposure"), (outcome, "outcome"))
    a, b = int(np.sum(e & o)), int(np.sum(e & ~o))
    c, d = int(np.sum(~e & o)), int(np.sum(~e & ~o))
    if a + b == 0 or c + d == 0:
        raise ValueError(f"exposure={exposure!r} must have both exposed and unexposed "
                         f"respondents; got {a + b} exposed and {c + d} unexposed")
    table = np.array([[a, b], [c, d]], dtype=float)
    if (table == 0).any():
        table = table + 0.5       # Haldane-Anscombe, on every cell
    t2 = Table2x2(table, shift_zeros=False)
    alpha = 1 - level
    rr_lo, rr_hi = t2.riskratio_confint(alpha=alpha)
    or_lo, or_hi = t2.oddsratio_confint(alpha=alpha, method="normal")
    diff = compare_proportions(c, c + d, a, a + b, level=level, test="z").iloc[0]
    common = {"level": level, "p_exposed": a / (a + b), "p_unexposed": c / (c + d),
              "n_exposed": a + b, "n_unexposed": c + d, "statistic": diff.statistic,
              "p_value": diff.p_value, "low_n": min(a + b, c + d) < min_n}
    return pd.DataFrame([
        {"measure": "risk_ratio", "estimate": t2.riskratio, "ci_low": rr_lo, "ci_high": rr_hi,
         **common, "method": "katz-log"},
        {"measure": "odds_ratio", "estimate": t2.oddsratio, "ci_low": or_lo, "ci_high": or_hi,
         **common, "method": "woolf-logit"},
        {"measure": "risk_difference", "estimate": diff["diff"], "ci_low": diff.ci_low,
         "ci_high": diff.ci_high, **common, "method": "newcombe"},
    ])


def crosstab_test(data: pd.DataFrame, row: str, col: str, weight: str | None = None, *,
                  design: Design | None = None, strata: str | None = None,
                  cluster: str | None = None, fpc: str | None = None,
                  min_n: int = LOW_N) -> pd.DataFrame:
    """Chi-square test of independence for a two-way table, design-corrected with a design.

    Without weights or design columns this is Pearson's chi-square (R ``chisq.test(...,
    correct=FALSE)``). With them it is R's ``svychisq``: Pearson's X² of the weighted table
    scaled to the n rows used, and Rao & Scott's corrections from the generalized design
    effects δ (eigenvalues of the design-based against the multinomial covariance of the
    table's interaction contrasts):

    - ``rao-scott-chisq`` (R ``statistic="Chisq"``): R prints X² itself as "X-squared"
      and takes the p-value of ``X² / mean(δ)`` on ``(r-1)(c-1)`` df (the first-order
      correction). ``statistic`` is that X², as R prints it; ``deff`` is mean(δ), so the
      corrected statistic is ``statistic / deff``.
    - ``rao-scott-f`` (R ``statistic="F"``, R's default): ``F = X² / sum(δ)`` on
      ``d0 = sum(δ)² / sum(δ²)`` and ``d0 · ν`` df, ν the design df (the second-order
      correction).

    Rows with a missing or blank value in either column are dropped. (With missing values R
    scales the table to all rows of the data, so its printed X² is larger by
    ``rows / rows used``; its p-values and F are the ones here.)

    Parameters
    ----------
    data : pandas.DataFrame
    row, col : str
        Categorical columns; observed levels only.
    weight : str, optional
    design : Design, optional
        The survey design; or give ``weight``, ``strata``, ``cluster``, ``fpc``.
    strata, cluster, fpc : str, optional
        Design columns, as in :func:`supportstats.weighted_share`.
    min_n : int, default 30
        Flag ``low_n`` when fewer rows than this are used.

    Returns
    -------
    pandas.DataFrame
        One row per test (``pearson``; or ``rao-scott-chisq`` and ``rao-scott-f``) with

        - ``statistic`` : X² (Pearson's, of the weighted table) or F
        - ``statistic_name`` : R's name for it, ``"X-squared"`` or ``"F"``
        - ``df`` : degrees of freedom (numerator df for F)
        - ``df_denom`` : denominator df of F (NaN otherwise)
        - ``p_value`` : upper-tail p-value (for ``rao-scott-chisq``, of ``statistic / deff``)
        - ``deff`` : mean generalized design effect mean(δ) (NaN for ``pearson``)
        - ``effect_size`` : Cramér's V of the (weighted) table
        - ``n`` : rows used; ``n_rows``, ``n_cols`` : table dimensions
        - ``method`` : the test
        - ``low_n`` : ``n < min_n``

        A warning is issued when an expected count of the (weighted) table is below 5.

    Raises
    ------
    KeyError
        A named column is missing.
    ValueError
        Fewer than two levels in a column, or bad weights/design.

    References
    ----------
    Rao, J. N. K. & Scott, A. J. (1984). On chi-squared tests for multiway contingency
    tables with cell proportions estimated from survey data. *Ann. Statist.* 12, 46–60.
    Lumley, T. (2010). *Complex Surveys*, section 6.2.

    Examples
    --------
    >>> df = pd.DataFrame({"team": ["a"] * 40 + ["b"] * 40,
    ...                    "burnout": [True] * 30 + [False] * 10 + [True] * 18 + [False] * 22})
    >>> crosstab_test(df, "team", "burnout")[["statistic", "df", "p_value", "method"]].round(4)
       statistic   df  p_value   method
    0        7.5  1.0   0.0062  pearson
    """
    des = as_design(design, weight, strata, cluster, fpc)
    ri, rlev = factor(_column(data, row, "row"))
    ci, clev = factor(_column(data, col, "col"))
    complete = (ri >= 0) & (ci >= 0)
    for name, codes, lev in ((row, ri, rlev), (col, ci, clev)):
        seen = np.unique(codes[codes >= 0])
        if seen.size < 2:
            raise ValueError(f"column {name!r} needs at least two observed levels; got "
                             f"{list(lev[seen])}")
    # observed levels only, numbered in sorted order
    ri = np.where(complete, np.searchsorted(np.unique(ri[complete]), ri), 0)
    ci = np.where(complete, np.searchsorted(np.unique(ci[complete]), ci), 0)
    nr, nc = int(ri.max()) + 1, int(ci.max()) + 1
    n = int(complete.sum())
    designed = des != Design()
    res = resolve(data, des)
    w = np.where(complete, res.weight, 0.0)
    cell = np.where(complete, ri + nr * ci, 0)        # rows fastest, as R's interaction()
    table = np.bincount(cell, weights=w, minlength=nr * nc)
    table = table / table.sum() * n
    grid = table.reshape(nc, nr).T
    expected = np.outer(grid.sum(1), grid.sum(0)) / n
    with np.errstate(invalid="ignore", divide="ignore"):
        x2 = float(np.sum(np.where(expected > 0, (grid - expected) ** 2 / expected, 0.0)))
    if (expected < 5).any():
        warnings.warn(f"expected counts below 5 in the {row!r} x {col!r} table: the chi-square "
                      "approximation may be poor", RuntimeWarning, stacklevel=2)
    k = (nr - 1) * (nc - 1)
    cramer = np.sqrt(x2 / (n * (min(nr, nc) - 1)))
    base = {"effect_size": cramer, "n": n, "n_rows": nr, "n_cols": nc, "low_n": n < min_n}
    if not designed:
        return pd.DataFrame([{"statistic": x2, "statistic_name": "X-squared", "df": float(k),
                              "df_denom": np.nan, "p_value": stats.chi2.sf(x2, k),
                              "deff": np.nan, **base, "method": "pearson"}])
    # Rao-Scott: generalized design effects delta of the interaction contrasts.
    props = table / n
    onehot = np.zeros((len(data), nr * nc))
    onehot[np.flatnonzero(complete), cell[complete]] = 1.0
    z = w[:, None] * (onehot - props) / w.sum()
    z[~complete] = 0.0
    V = design_cov(z, res)
    rows_g, cols_g = np.tile(np.arange(nr), nc), np.repeat(np.arange(nc), nr)
    main = np.column_stack([np.ones(nr * nc)] + [(rows_g == i) * 1.0 for i in range(1, nr)]
                           + [(cols_g == j) * 1.0 for j in range(1, nc)])
    inter = np.column_stack([(rows_g == i) * (cols_g == j) * 1.0
                             for j in range(1, nc) for i in range(1, nr)])
    cmat = inter - main @ np.linalg.lstsq(main, inter, rcond=None)[0]
    inv_p = np.where(props > 0, 1.0 / np.where(props > 0, props, 1.0), 0.0)
    denom = cmat.T @ (inv_p[:, None] / n * cmat)
    numr = cmat.T @ (inv_p[:, None] * V * inv_p[None, :]) @ cmat
    delta = np.linalg.solve(denom, numr)
    tr, tr2 = np.trace(delta), np.trace(delta @ delta)
    d0 = tr * tr / tr2
    nu = res.df
    mean_delta = tr / k
    f = x2 / tr
    return pd.DataFrame([
        {"statistic": x2, "statistic_name": "X-squared", "df": float(k), "df_denom": np.nan,
         "p_value": stats.chi2.sf(x2 / mean_delta, k), "deff": mean_delta, **base,
         "method": "rao-scott-chisq"},
        {"statistic": f, "statistic_name": "F", "df": d0, "df_denom": d0 * nu,
         "p_value": stats.f.sf(f, d0, d0 * nu) if nu > 0 else np.nan, "deff": mean_delta,
         **base, "method": "rao-scott-f"},
    ])


# ------------------------------------------------------------ design-based group contrasts
def pairwise_t(estimate: np.ndarray, cov: np.ndarray, df: np.ndarray, pairs: np.ndarray,
               level: float) -> dict:
    """Differences ``estimate[b] - estimate[a]`` for each (a, b) pair, with t tests."""
    a, b = pairs[:, 0], pairs[:, 1]
    diff = estimate[b] - estimate[a]
    se = np.sqrt(np.maximum(cov[a, a] + cov[b, b] - 2 * cov[a, b], 0.0))
    df = np.asarray(df, dtype=float)
    ok = df > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        t = diff / se
        tq = np.where(ok, stats.t.ppf(1 - (1 - level) / 2, np.where(ok, df, 1.0)), np.nan)
        p = np.where(ok, 2 * stats.t.sf(np.abs(t), np.where(ok, df, 1.0)), np.nan)
    return {"diff": diff, "se": se, "ci_low": diff - tq * se, "ci_high": diff + tq * se,
            "statistic": t, "df": np.where(ok, df, np.nan), "p_value": p}


def _measure(col: pd.Series, value) -> str:
    """"share" for a value, a yes/no or a text column; "mean" for other numbers."""
    numeric = pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype)
    if not numeric or value is not None:
        return "share"
    return "share" if bool((col.isna() | col.isin([0, 1])).all()) else "mean"


def _contrasts(data, column, by, des, level, value, pairs, adjust, min_n, wanted=None):
    """Engine of compare_groups/compare_waves: every requested pair of ``by`` groups."""
    level = _check_level(level)
    if adjust is not None:
        _check_choice("adjust", adjust, ("holm", "bonferroni", "bh", "by"))
    res = resolve(data, des)
    col = _column(data, column, "column")
    measure = _measure(col, value)
    if measure == "mean":
        y = _numeric(col, column)
        present = ~np.isnan(y)
    else:
        codes = _share_codes(col, column, value)
        present = codes >= 0
    dom, keys = domains(data, by)
    dom = np.where(present, dom, -1)
    groups = list(keys.iloc[:, 0]) if keys.shape[1] == 1 else list(keys.itertuples(index=False))
    counts = np.bincount(dom[dom >= 0], minlength=len(groups))
    if pairs is None:
        idx = [(i, j) for i in range(len(groups)) for j in range(i + 1, len(groups))]
    else:
        where = {g: i for i, g in enumerate(groups)}
        idx = []
        for pair in pairs:
            if len(pair) != 2 or any(g not in where for g in pair):
                raise ValueError(f"pairs must name two groups of {by!r} each; got {pair!r} "
                                 f"(groups: {', '.join(map(repr, groups))})")
            idx.append((where[pair[0]], where[pair[1]]))
    if wanted is not None:
        idx = wanted
    empty = [groups[i] for pair in idx for i in pair if counts[i] == 0]
    if not idx or empty:
        raise ValueError(f"{by!r} needs at least two groups with answers to {column!r}; "
                         f"got groups {groups}" + (f", none answered in {empty[0]!r}" if empty else ""))
    pair_arr = np.array(idx, dtype=np.int64)
    if measure == "mean":
        mom = moments(res, dom, len(groups), y=y, cov=True)
        j = 0
    else:
        mom = moments(res, dom, len(groups), codes=np.maximum(codes, 0), n_levels=2, cov=True)
        j = 1
    est = mom.estimate[:, j]
    df = domain_df(res, dom, len(groups), pairs=pair_arr, mom=mom) - 1.0
    stat = pairwise_t(est, mom.cov[j], df, pair_arr, level)
    a, b = pair_arr[:, 0], pair_arr[:, 1]
    out = pd.DataFrame({
        "variable": column, "value": value, "measure": measure,
        "group_a": [groups[i] for i in a], "group_b": [groups[i] for i in b],
        "estimate_a": est[a], "estimate_b": est[b],
        "n_a": mom.n[a].astype(np.int64), "n_b": mom.n[b].astype(np.int64), **stat,
        "level": level})
    out = out[["variable", "value", "measure", "group_a", "group_b", "estimate_a", "estimate_b",
               "n_a", "n_b", "diff", "se", "ci_low", "ci_high", "level", "statistic", "df",
               "p_value"]]
    if adjust is not None:
        out["p_adjusted"] = adjust_pvalues(out["p_value"], adjust)["p_adjusted"].to_numpy()
    out["method"] = _label("design-based t", res)
    out["low_n"] = np.minimum(out["n_a"], out["n_b"]) < min_n
    return out


def compare_groups(data: pd.DataFrame, column: str, by: str, weight: str | None = None,
                   level: float = 0.95, *, value=None, design: Design | None = None,
                   strata: str | None = None, cluster: str | None = None,
                   fpc: str | None = None, pairs=None, adjust: str | None = None,
                   min_n: int = LOW_N) -> pd.DataFrame:
    """Difference of weighted means or shares between groups, design-based (R ``svyttest``).

    Groups are domains of the whole sample. For each pair of groups (a, b) the difference
    ``estimate_b - estimate_a`` gets a linearized standard error that includes the
    covariance of the two estimates (they share PSUs), a t test and a t interval. The df
    are R's for ``svyttest(y ~ group, design)`` on the design restricted to the two groups:
    their PSUs minus their strata, minus 1. Rows with a missing answer are left out.

    Parameters
    ----------
    data : pandas.DataFrame
    column : str
        Numeric column (difference of means), or a yes/no column, or any column with
        ``value`` (difference of shares).
    by : str
        Grouping column; two or more groups.
    weight : str, optional
    level : float, default 0.95
    value : optional
        Compare the shares answering this value.
    design : Design, optional
        The survey design; or give ``weight``, ``strata``, ``cluster``, ``fpc``.
    strata, cluster, fpc : str, optional
    pairs : list of (group, group), optional
        The comparisons to make; default every pair, in sorted group order.
    adjust : {None, "holm", "bonferroni", "bh", "by"}
        Add ``p_adjusted`` over the pairs.
    min_n : int, default 30
        Flag ``low_n`` when either group has fewer answers.

    Returns
    -------
    pandas.DataFrame
        One row per comparison with columns

        - ``variable``, ``value``, ``measure`` (``"mean"`` or ``"share"``)
        - ``group_a``, ``group_b`` : the groups; ``estimate_a``, ``estimate_b`` : their
          estimates; ``n_a``, ``n_b`` : their answers
        - ``diff`` : ``estimate_b - estimate_a``; ``se`` : its design-based SE
        - ``ci_low``, ``ci_high`` : ``diff ± t_df se``; ``level``
        - ``statistic`` : t; ``df`` : design df (see above); ``p_value`` : two-sided
        - ``p_adjusted`` : only with ``adjust``
        - ``method`` : ``"design-based t"`` (and how a raked design's SE is computed)
        - ``low_n`` : either group below ``min_n``

    Raises
    ------
    KeyError
        A named column is missing.
    ValueError
        Fewer than two groups with answers, an unknown pair, a text column without
        ``value``, a ``value`` no one gave, bad weights or design.

    References
    ----------
    Lumley, T. (2010). *Complex Surveys*, section 3.4 (R ``svyttest``).

    Examples
    --------
    >>> df = pd.DataFrame({"csat": [70.0, 80, 90, 85, 60, 75, 95, 88],
    ...                    "plan": ["free"] * 4 + ["pro"] * 4})
    >>> r = compare_groups(df, "csat", "plan")
    >>> r[["group_a", "group_b", "diff", "statistic", "df", "p_value"]].round(3)
      group_a group_b  diff  statistic   df  p_value
    0    free     pro -1.75     -0.215  6.0    0.837
    """
    des = as_design(design, weight, strata, cluster, fpc)
    if not isinstance(by, str):
        raise ValueError(f"by must be one column name; got by={by!r}")
    return _contrasts(data, column, by, des, level, value, pairs, adjust, min_n)


def compare_waves(wave_a: pd.DataFrame, wave_b: pd.DataFrame, column: str,
                  weight: str | None = None, level: float = 0.95, *, value=None,
                  design: Design | None = None, strata: str | None = None,
                  cluster: str | None = None, fpc: str | None = None,
                  labels=("a", "b"), min_n: int = LOW_N) -> pd.DataFrame:
    """Difference between two independent waves of a survey, design-based.

    The waves are stacked as strata of one design (each wave's own strata and PSUs
    nested in it, a raked wave raked within itself) and compared as in
    :func:`compare_groups`: R's ``svyttest(y ~ wave, design)`` on the stacked design, with
    df = PSUs - strata of both waves - 1.

    Parameters
    ----------
    wave_a, wave_b : pandas.DataFrame
        The two waves, with the same columns for ``column`` and the design.
    column : str
    weight : str, optional
    level : float, default 0.95
    value : optional
        Compare the shares answering this value.
    design : Design, optional
        The design of each wave (the same columns in both); or ``weight``, ``strata``,
        ``cluster``, ``fpc``.
    strata, cluster, fpc : str, optional
    labels : (str, str), default ("a", "b")
        Names of the waves in ``group_a`` and ``group_b``.
    min_n : int, default 30

    Returns
    -------
    pandas.DataFrame
        One row, columns as :func:`compare_groups`; ``diff`` is wave b minus wave a.

    Raises
    ------
    KeyError
        A column missing from either wave.
    ValueError
        As :func:`compare_groups`; also equal labels.

    Examples
    --------
    >>> a = pd.DataFrame({"resolved": ["Yes"] * 60 + ["No"] * 40})
    >>> b = pd.DataFrame({"resolved": ["Yes"] * 70 + ["No"] * 30 + [""] * 5})
    >>> r = compare_waves(a, b, "resolved", value="Yes", labels=("2022", "2023"))
    >>> r[["group_a", "group_b", "n_a", "n_b", "diff", "df", "p_value"]].round(3)
      group_a group_b  n_a  n_b  diff     df  p_value
    0    2022    2023  100  100   0.1  197.0     0.14
    """
    des = as_design(design, weight, strata, cluster, fpc)
    if len(labels) != 2 or labels[0] == labels[1]:
        raise ValueError(f"labels must be two different names; got labels={labels!r}")
    for name, wave in (("wave_a", wave_a), ("wave_b", wave_b)):
        if not isinstance(wave, pd.DataFrame):
            raise ValueError(f"{name} must be a pandas DataFrame; got {type(wave).__name__}")
        resolve(wave, des)                 # each wave's own design checks (margins included)
        _column(wave, column, "column")
    needed = [column] + [c for c in (des.weight, des.strata, des.cluster, des.fpc,
                                     des.base_weight, *des.margin_columns) if c is not None]
    needed = list(dict.fromkeys(needed))
    stacked = pd.concat([wave_a[needed], wave_b[needed]], ignore_index=True)
    wave = np.repeat([0, 1], [len(wave_a), len(wave_b)])
    extra = {"_wave": pd.Categorical.from_codes(wave, categories=list(labels))}

    def nested(name):
        return pd.factorize(pd.MultiIndex.from_arrays([wave, stacked[name].to_numpy()]))[0]

    extra["_stratum"] = nested(des.strata) if des.strata else wave
    if des.cluster:
        extra["_psu"] = nested(des.cluster)
    for m in des.margin_columns:
        extra[f"_margin_{m}"] = nested(m)
    stacked = stacked.assign(**extra)
    stacked_design = Design(weight=des.weight, strata="_stratum",
                            cluster="_psu" if des.cluster else None, fpc=des.fpc,
                            margins=[f"_margin_{m}" for m in des.margin_columns],
                            base_weight=des.base_weight, weights_fixed=des.weights_fixed)
    return _contrasts(stacked, column, "_wave", stacked_design, level, value, None, None,
                      min_n, wanted=[(0, 1)])
