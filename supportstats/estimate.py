"""Point estimates with intervals: proportions, weighted shares and weighted means.

Unweighted intervals come from statsmodels; design-based standard errors (Taylor
linearization, with optional strata, clusters, finite-population correction and raking)
come from :mod:`supportstats.design`, because none of the Python survey packages we tried
was both faithful to R's ``survey`` and fast enough on a million rows (see
``benchmarks/bench_stats.py``).
"""
from __future__ import annotations

import reprlib
import warnings

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from .design import Design, Resolved, as_design, domains, factor, resolve
from .linearization import Moments, domain_df, moments
from .design import column as _column
from .errors import InputError

__all__ = ["proportion_ci", "weighted_share", "weighted_mean", "PROPORTION_METHODS", "LOW_N"]

# Rounding feasibility (whole k with k/n rounding to a published percent) lives in
# claims.feasible_counts; it is not duplicated here.

#: Default threshold below which an estimate is flagged ``low_n`` (on n and on n_eff).
LOW_N = 30

#: Interval methods accepted by :func:`proportion_ci` and :func:`weighted_share`.
PROPORTION_METHODS = ("wilson", "wilson-cc", "clopper-pearson", "agresti-coull", "jeffreys")

_STATSMODELS_NAME = {"wilson": "wilson", "clopper-pearson": "beta",
                     "agresti-coull": "agresti_coull", "jeffreys": "jeffreys"}


# --------------------------------------------------------------------------- checks
def _check_level(level) -> float:
    try:
        ok = 0.0 < float(level) < 1.0
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(f"level must be strictly between 0 and 1; got level={level!r}")
    return float(level)


def _check_choice(name: str, value, allowed) -> str:
    if value not in allowed:
        raise ValueError(f"unknown {name}={value!r}; expected one of {', '.join(map(repr, allowed))}")
    return value


def _as_float_array(name: str, value) -> np.ndarray:
    try:
        arr = np.asarray(pd.array(value, dtype="Float64") if isinstance(value, pd.Series)
                         else value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numeric; got {name}={_short(value)}") from None
    if np.isnan(arr).any():
        i = int(np.flatnonzero(np.isnan(arr).ravel())[0])
        raise ValueError(f"{name} contains NaN/missing values (first at position {i}); "
                         f"got {name}={_short(value)}")
    return arr


def _short(value) -> str:
    """One-line, bounded repr for error messages (arguments may be long arrays)."""
    if isinstance(value, (pd.Series, pd.Index)):
        value = value.to_numpy()
    text = " ".join(reprlib.repr(value).split())
    return text


def _check_counts(name: str, value, *, positive: bool = False) -> np.ndarray:
    """Whole, non-negative (or positive) counts; the message names the first bad value."""
    arr = _as_float_array(name, value)
    bad = ~np.isfinite(arr) | (arr < (1 if positive else 0)) | (arr != np.round(arr))
    if bad.any():
        first = float(arr.ravel()[np.flatnonzero(bad.ravel())[0]])
        kind = "positive whole numbers" if positive else "non-negative whole numbers"
        raise ValueError(f"{name} must be {kind}; got {name}={first!r}")
    return arr


def _index_of(*values):
    for v in values:
        if isinstance(v, pd.Series):
            return v.index
    return None


# ------------------------------------------------------------------ interval maths
def _interval(x, n, level: float, method: str) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided interval for x successes out of n; x and n may be non-integer (n_eff)."""
    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    alpha = 1.0 - level
    if method == "wilson-cc":
        # Newcombe (1998) method 4, written as R's prop.test(correct=TRUE) writes it.
        z = stats.norm.ppf(1 - alpha / 2)
        p = x / n
        z22n = z * z / (2 * n)
        with np.errstate(invalid="ignore", divide="ignore"):
            pc = p + 0.5 / n
            up = (pc + z22n + z * np.sqrt(pc * (1 - pc) / n + z22n / (2 * n))) / (1 + 2 * z22n)
            pc = p - 0.5 / n
            lo = (pc + z22n - z * np.sqrt(pc * (1 - pc) / n + z22n / (2 * n))) / (1 + 2 * z22n)
        up = np.where(p + 0.5 / n >= 1, 1.0, up)
        lo = np.where(p - 0.5 / n <= 0, 0.0, lo)
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            lo, up = proportion_confint(x, n, alpha=alpha, method=_STATSMODELS_NAME[method])
        lo, up = np.asarray(lo, dtype=float), np.asarray(up, dtype=float)
        # Exact at the boundary for every method (Brown, Cai & DasGupta 2001 for Jeffreys);
        # statsmodels leaves rounding residue such as 1e-17 for Wilson at x = 0.
        lo = np.where(x <= 0, 0.0, lo)
        up = np.where(x >= n, 1.0, up)
    return np.clip(lo, 0.0, 1.0), np.clip(up, 0.0, 1.0)


def proportion_ci(successes, n, level: float = 0.95, method: str = "wilson",
                  min_n: int = LOW_N) -> pd.DataFrame:
    """Confidence interval for a proportion ``successes / n``, vectorised.

    Parameters
    ----------
    successes, n : int or array-like of int
        Counts; broadcast against each other. A pandas Series keeps its index.
    level : float, default 0.95
        Confidence level, strictly between 0 and 1.
    method : {"wilson", "wilson-cc", "clopper-pearson", "agresti-coull", "jeffreys"}
        Wilson score (no continuity correction), Wilson with continuity correction,
        exact Clopper–Pearson, Agresti–Coull, or Jeffreys (equal-tailed, with the
        Brown–Cai–DasGupta boundary modification).
    min_n : int, default 30
        Rows with ``n < min_n`` are flagged ``low_n`` (nothing is dropped).

    Returns
    -------
    pandas.DataFrame
        One row per proportion with columns

        - ``successes`` : the count given
        - ``n`` : the sample size given
        - ``estimate`` : ``successes / n``
        - ``se`` : binomial standard error ``sqrt(p (1 - p) / n)`` (0 at p = 0 or 1;
          the interval is never zero-width)
        - ``ci_low``, ``ci_high`` : interval bounds
        - ``level`` : the confidence level
        - ``method`` : the interval method
        - ``low_n`` : ``n < min_n``

    Raises
    ------
    ValueError
        If a count is negative, fractional or NaN, ``n`` is 0, ``successes > n``, the
        level is outside (0, 1) or the method is unknown.

    References
    ----------
    Newcombe, R. G. (1998). Two-sided confidence intervals for the single proportion:
    comparison of seven methods. *Statistics in Medicine* 17, 857–872.
    Brown, L. D., Cai, T. T. & DasGupta, A. (2001). Interval estimation for a binomial
    proportion. *Statistical Science* 16, 101–133.

    Examples
    --------
    >>> proportion_ci(81, 263)[["estimate", "ci_low", "ci_high"]].round(4)
       estimate  ci_low  ci_high
    0      0.308  0.2553   0.3662
    >>> proportion_ci([0, 1], 29, method="clopper-pearson")[["ci_low", "ci_high"]].round(4)
       ci_low  ci_high
    0  0.0000   0.1194
    1  0.0009   0.1776
    """
    level = _check_level(level)
    _check_choice("method", method, PROPORTION_METHODS)
    index = _index_of(successes, n)
    x = _check_counts("successes", successes)
    size = _check_counts("n", n, positive=True)
    x, size = np.broadcast_arrays(np.atleast_1d(x), np.atleast_1d(size))
    if (x > size).any():
        i = np.flatnonzero(x > size)[0]
        raise ValueError(f"successes must not exceed n; got successes={x.ravel()[i]:g} "
                         f"with n={size.ravel()[i]:g}")
    x, size = x.ravel(), size.ravel()
    p = x / size
    lo, up = _interval(x, size, level, method)
    out = pd.DataFrame({
        "successes": x.astype(np.int64), "n": size.astype(np.int64), "estimate": p,
        "se": np.sqrt(p * (1 - p) / size), "ci_low": lo, "ci_high": up, "level": level,
        "method": method, "low_n": size < min_n,
    })
    if index is not None and len(index) == len(out):
        out.index = index
    return out


# ------------------------------------------------------------- shares and means by domain
def _share_codes(col: pd.Series, column: str, value) -> np.ndarray:
    """1 (yes / equal to ``value``), 0 (another answer) or -1 (missing or blank) per row."""
    if value is None and pd.api.types.is_bool_dtype(col.dtype):
        arr = col.to_numpy(dtype=float, na_value=np.nan)
        return np.where(np.isnan(arr), -1, arr).astype(np.int64)
    codes, levels = factor(col)
    observed = np.bincount(codes[codes >= 0], minlength=len(levels)) > 0
    if value is not None:
        try:
            idx = levels.get_loc(value)
        except (KeyError, TypeError, pd.errors.InvalidIndexError):
            idx = None
        declared = isinstance(col.dtype, pd.CategoricalDtype) and isinstance(idx, (int, np.integer))
        if not isinstance(idx, (int, np.integer)) or not (observed[idx] or declared):
            seen = ", ".join(map(repr, levels[observed][:20]))
            raise InputError("value= is not among the answers", column=column, value=repr(value),
                             expected=f"one of {seen}" if seen else "some answers (none given)")
        return np.where(codes >= 0, (codes == idx).astype(np.int64), -1)
    as_num = pd.to_numeric(pd.Series(levels, dtype=object), errors="coerce").to_numpy(float)
    bad = ~np.isin(as_num, [0.0, 1.0]) & observed
    if bad.any():
        raise ValueError(f"column {column!r} is not yes/no (boolean or 0/1); got value "
                         f"{levels[int(np.flatnonzero(bad)[0])]!r}; pass value= to take the "
                         "share of one category")
    lookup = np.nan_to_num(as_num).astype(np.int64)
    return np.where(codes >= 0, lookup[np.maximum(codes, 0)], -1)


def _numeric(col: pd.Series, column: str) -> np.ndarray:
    """Float values, NaN where missing; a text column (even with blanks) is refused."""
    if not (pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype)):
        raise ValueError(f"column {column!r} must be numeric; got dtype {col.dtype}")
    y = col.to_numpy(dtype=float, na_value=np.nan)
    if np.isinf(y).any():
        raise ValueError(f"column {column!r} contains infinite values")
    return y


def _observed(dom: np.ndarray, keys: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    """Drop groups with no answer and renumber the domains."""
    used = np.bincount(dom + 1, minlength=len(keys) + 1)[1:] > 0
    if used.all():
        return dom, keys
    remap = np.full(len(keys), -1, dtype=np.int64)
    remap[used] = np.arange(int(used.sum()))
    return np.where(dom >= 0, remap[np.maximum(dom, 0)], -1), keys[used].reset_index(drop=True)


def design_effects(mom: Moments, res: Resolved, j: int) -> tuple[np.ndarray, np.ndarray]:
    """Design effect (as R's ``deff``) and design effective n of column j of ``mom``.

    The SRS variance is R's ``svyvar / n``, times ``1 - n / sum(w)`` when the design has
    an fpc (R's ``deff=TRUE``: sampling without replacement from N = sum of weights);
    without an fpc the design is with replacement and so is the SRS it is compared with
    (R's ``deff="replace"``). ``n_eff = n / deff``, or Kish's n where deff is undefined
    (a share of 0 or 1).
    """
    n, sw = mom.n, mom.sum_w
    with np.errstate(invalid="ignore", divide="ignore"):
        vsrs = mom.svyvar[:, j] / n
        if res.has_fpc:
            vsrs = np.where(sw > n, vsrs * (1 - n / sw), np.nan)
        deff = mom.var[:, j] / vsrs
        deff = np.where(np.isfinite(deff) & (vsrs > 0), deff, np.nan)
        n_eff = np.where(np.isfinite(deff) & (deff > 0), n / deff, sw * sw / mom.sum_w2)
    return deff, n_eff


def _share_interval(p, m, level, method):
    lo, up = _interval(p * m, m, level, method)
    # a raked margin's own share has se ~ 1e-17 and n_eff ~ 1e33: keep rounding noise of
    # the beta quantiles from putting the estimate outside its (near zero-width) interval
    return np.minimum(lo, p), np.maximum(up, p)


def korn_graubard(p, var, n, df, level, method="clopper-pearson"):
    """Interval of a share from its design effective n (Korn & Graubard 1998; R svyciprop beta).

    ``n_eff = p (1 - p) / var``, times ``(t_{n-1} / t_df)^2``; n where the variance is 0.
    """
    alpha = 1 - level
    with np.errstate(invalid="ignore", divide="ignore"):
        m = np.where(var > 0, p * (1 - p) / var, n)
        m = m * (stats.t.ppf(alpha / 2, np.maximum(n - 1, 1)) / _t_ppf(alpha / 2, df)) ** 2
    return _share_interval(p, m, level, method)


def _t_ppf(q, df) -> np.ndarray:
    df = np.asarray(df, dtype=float)
    if (~(df > 0)).any():
        warnings.warn("design degrees of freedom <= 0 for some rows (a group in a single PSU?): "
                      "their interval is NaN", RuntimeWarning, stacklevel=3)
    with np.errstate(invalid="ignore"):
        return np.where(df > 0, stats.t.ppf(q, np.where(df > 0, df, 1.0)), np.nan)


def _by_domain(data, by, present, res):
    dom, keys = domains(data, by)
    dom = np.where(present, dom, -1)
    return _observed(dom, keys)


def _label(base: str, res: Resolved) -> str:
    return base if res.se_method == "linearization" else f"{base}; se: {res.se_method}"


def weighted_share(data: pd.DataFrame, column: str, by=None, weight: str | None = None,
                   level: float = 0.95, method: str = "clopper-pearson", *, value=None,
                   design: Design | None = None, strata: str | None = None,
                   cluster: str | None = None, fpc: str | None = None, ci_n: str = "design",
                   min_n: int = LOW_N) -> pd.DataFrame:
    """Weighted share of a yes/no item, overall or by group, with design-based SEs.

    Groups are domains of the full sample (as R's ``svyby``): PSUs, strata and the
    variance scale are those of all rows. Missing answers (NA, and empty or
    whitespace-only text) are left out and ``n`` counts the answers used; rows with a
    missing ``by`` value are in no group.

    Parameters
    ----------
    data : pandas.DataFrame
    column : str
        A boolean or 0/1 column, or any column together with ``value``.
    by : str or list of str, optional
        Grouping columns; one output row per observed combination, sorted.
    weight : str, optional
        Weight column; ``None`` means equal weights. Shorthand for ``design=Design(weight=...)``.
    level : float, default 0.95
    method : {"clopper-pearson", "wilson", "wilson-cc", "agresti-coull", "jeffreys"}
        Interval formula, applied with the effective sample size in place of n. The default
        with ``ci_n="design"`` is the Korn–Graubard interval.
    value : optional
        Share of answers equal to this value. A value that no one gave raises (unless it is
        a declared category of a categorical column: then the share is a true 0).
    design : Design, optional
        The survey design (weights, strata, clusters, fpc, raking); or give ``weight``,
        ``strata``, ``cluster``, ``fpc`` as columns.
    strata, cluster, fpc : str, optional
        Design columns: stratum, primary sampling unit (nested in strata) and finite
        population correction (population PSUs per stratum, or sampling fraction if <= 1).
    ci_n : {"design", "kish"}, default "design"
        Effective n used in the interval formula. ``"design"``: ``p (1 - p) / se**2`` scaled
        by ``(t_{n-1} / t_df)**2``, with the group's n and df (Korn & Graubard 1998; with
        ``method="clopper-pearson"`` exactly R's ``svyciprop(method="beta")``, also by
        ``svyby``). ``"kish"``: the Kish n of the weights, which ignores strata and clusters.
    min_n : int, default 30
        Flag ``low_n`` when ``n`` or ``n_eff`` is below it.

    Returns
    -------
    pandas.DataFrame
        One row per group with an answer: the ``by`` columns, then

        - ``estimate`` : weighted share
        - ``se`` : Taylor-linearized standard error (equals R ``svymean``/``svyby``; with a
          raked design, from the calibration residuals as R)
        - ``ci_low``, ``ci_high`` : interval from ``method`` with the effective n
        - ``level`` : confidence level
        - ``n`` : unweighted number of answers in the group
        - ``n_eff`` : design effective sample size ``n / deff`` (Kish's n when deff is
          undefined, at a share of 0 or 1)
        - ``deff`` : design effect, design variance over the variance of a simple random
          sample of n (R's ``deff=TRUE`` with an fpc, ``deff="replace"`` without)
        - ``df`` : design degrees of freedom of the group: PSUs with an answer in it minus
          strata with one (R's ``degf`` of the subset design)
        - ``method`` : ``"korn-graubard"``, or the interval method and its n; with a raked
          design it also says how the SE treats the raking
        - ``low_n`` : ``n < min_n`` or ``n_eff < min_n``

    Raises
    ------
    KeyError
        A named column (including the weight column) is missing.
    ValueError
        Bad weights (missing, zero, negative), a non yes/no column, a ``value`` no one gave
        (:class:`supportstats.InputError`), a bad level, method or ci_n, a stratum with one
        PSU, or both ``design`` and design columns.

    References
    ----------
    Korn, E. L. & Graubard, B. I. (1998). Confidence intervals for proportions with small
    expected number of positive counts estimated from survey data. *Survey Methodology* 24.
    Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley (ch. 2–3).

    Examples
    --------
    >>> df = pd.DataFrame({"yes": [True, False, True, True, False, True],
    ...                    "team": ["a", "a", "a", "b", "b", "b"],
    ...                    "w": [1.0, 2.0, 1.0, 1.0, 1.0, 2.0]})
    >>> weighted_share(df, "yes", by="team", weight="w")[
    ...     ["team", "estimate", "se", "ci_low", "ci_high", "n", "df"]].round(3)
      team  estimate     se  ci_low  ci_high  n   df
    0    a      0.50  0.335   0.018    0.982  3  2.0
    1    b      0.75  0.256   0.122    0.998  3  2.0
    >>> weighted_share(df.assign(team=["a", "", None, "b", "b", "b"]), "team", value="b").n.item()
    4
    """
    level = _check_level(level)
    _check_choice("method", method, PROPORTION_METHODS)
    _check_choice("ci_n", ci_n, ("design", "kish"))
    res = resolve(data, as_design(design, weight, strata, cluster, fpc))
    y = _share_codes(_column(data, column, "column"), column, value)
    dom, keys = _by_domain(data, by, y >= 0, res)
    mom = moments(res, dom, len(keys), codes=np.maximum(y, 0), n_levels=2)
    df = domain_df(res, dom, len(keys), mom=mom)
    p, var, n = mom.estimate[:, 1], mom.var[:, 1], mom.n
    deff, n_eff = design_effects(mom, res, 1)
    if ci_n == "kish":
        with np.errstate(invalid="ignore", divide="ignore"):
            m = mom.sum_w ** 2 / mom.sum_w2
        lo, up = _share_interval(p, m, level, method)
    else:
        lo, up = korn_graubard(p, var, n, df, level, method)
    out = keys.copy()
    out["estimate"] = p
    out["se"] = np.sqrt(var)
    out["ci_low"], out["ci_high"], out["level"] = lo, up, level
    out["n"] = n.astype(np.int64)
    out["n_eff"], out["deff"], out["df"] = n_eff, deff, df
    base = "korn-graubard" if (method, ci_n) == ("clopper-pearson", "design") else f"{method}, {ci_n} n"
    out["method"] = _label(base, res)
    out["low_n"] = (out["n"] < min_n) | (out["n_eff"] < min_n)
    return out


def weighted_mean(data: pd.DataFrame, column: str, by=None, weight: str | None = None,
                  level: float = 0.95, *, design: Design | None = None, strata: str | None = None,
                  cluster: str | None = None, fpc: str | None = None,
                  min_n: int = LOW_N) -> pd.DataFrame:
    """Weighted mean of a numeric column, overall or by group, with design-based SEs.

    Groups are domains of the full sample; missing values of ``column`` are left out and
    ``n`` counts the values used. The interval is ``estimate ± t_df se`` with the group's
    design degrees of freedom, so unweighted data give exactly the one-sample t interval
    of each group.

    Parameters
    ----------
    data : pandas.DataFrame
    column : str
        Numeric column.
    by : str or list of str, optional
        Grouping columns.
    weight : str, optional
        Weight column; ``None`` means equal weights.
    level : float, default 0.95
    design : Design, optional
        The survey design; or give ``weight``, ``strata``, ``cluster``, ``fpc``.
    strata, cluster, fpc : str, optional
        Design columns, as in :func:`weighted_share`.
    min_n : int, default 30
        Flag ``low_n`` when ``n`` or ``n_eff`` is below it.

    Returns
    -------
    pandas.DataFrame
        One row per group with a value: the ``by`` columns, then

        - ``estimate`` : weighted mean
        - ``se`` : Taylor-linearized standard error (equals R ``svymean``/``svyby``)
        - ``ci_low``, ``ci_high`` : ``estimate ± t_df se``
        - ``level`` : confidence level
        - ``n`` : unweighted number of non-missing values in the group
        - ``n_eff`` : design effective sample size ``n / deff``
        - ``deff`` : design effect (R's ``deff=TRUE`` with an fpc, ``deff="replace"``
          without)
        - ``df`` : design degrees of freedom of the group (R's ``degf`` of the subset)
        - ``method`` : ``"linearization-t"`` (with a raked design, how the SE treats it)
        - ``low_n`` : ``n < min_n`` or ``n_eff < min_n``

    Raises
    ------
    KeyError
        A named column is missing.
    ValueError
        Non-numeric column, bad weights, bad level, or a stratum with one PSU.

    References
    ----------
    Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley.
    Wolter, K. M. (2007). *Introduction to Variance Estimation*, 2nd ed. Springer (ch. 6).

    Examples
    --------
    >>> df = pd.DataFrame({"csat": [70.0, 80.0, 90.0, 85.0], "w": [1.0, 1.0, 2.0, 1.0]})
    >>> weighted_mean(df, "csat", weight="w")[["estimate", "se", "n", "df"]].round(3)
       estimate    se  n   df
    0      83.0  4.49  4  3.0
    """
    level = _check_level(level)
    res = resolve(data, as_design(design, weight, strata, cluster, fpc))
    y = _numeric(_column(data, column, "column"), column)
    dom, keys = _by_domain(data, by, ~np.isnan(y), res)
    mom = moments(res, dom, len(keys), y=y)
    df = domain_df(res, dom, len(keys))
    est, se = mom.estimate[:, 0], np.sqrt(mom.var[:, 0])
    deff, n_eff = design_effects(mom, res, 0)
    tq = _t_ppf(1 - (1 - level) / 2, df)
    out = keys.copy()
    out["estimate"], out["se"] = est, se
    out["ci_low"], out["ci_high"], out["level"] = est - tq * se, est + tq * se, level
    out["n"] = mom.n.astype(np.int64)
    out["n_eff"], out["deff"], out["df"] = n_eff, deff, df
    out["method"] = _label("linearization-t", res)
    out["low_n"] = (out["n"] < min_n) | (out["n_eff"] < min_n)
    return out
