"""Point estimates with intervals: proportions, weighted shares and weighted means.

Unweighted intervals come from statsmodels; design-based standard errors (Taylor
linearization, with optional strata, clusters and finite-population correction) are
computed here with vectorised group sums, because none of the Python survey packages we
tried was both faithful to R's ``survey`` and fast enough on a million rows (see
``benchmarks/bench_stats.py``).
"""
from __future__ import annotations

import math
import reprlib
import warnings
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from .weights import _check_weights

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


def _column(data: pd.DataFrame, name: str, argument: str) -> pd.Series:
    if not isinstance(data, pd.DataFrame):
        raise ValueError(f"data must be a pandas DataFrame; got data={type(data).__name__}")
    if name not in data.columns:
        raise KeyError(f"{argument}={name!r} is not a column of data "
                       f"(columns: {', '.join(map(str, data.columns))})")
    return data[name]


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


# ------------------------------------------------------------ design + linearization
class _Design(NamedTuple):
    weight: np.ndarray          # per row
    stratum: np.ndarray         # int code per row
    psu: np.ndarray | None      # int code per row (unique across strata) or None: rows are PSUs
    n_psu: np.ndarray           # PSUs per stratum
    scale: np.ndarray           # (1 - f_h) n_h / (n_h - 1) per stratum
    df: float                   # design degrees of freedom: PSUs - strata


def _design(data: pd.DataFrame, weight, strata, cluster, fpc) -> _Design:
    n = len(data)
    if n == 0:
        raise ValueError("data has no rows")
    w = np.ones(n) if weight is None else _check_weights(_column(data, weight, "weight"),
                                                          name=f"weight column {weight!r}")
    if strata is None:
        h = np.zeros(n, dtype=np.int64)
    else:
        col = _column(data, strata, "strata")
        if col.isna().any():
            raise ValueError(f"strata column {strata!r} has missing values")
        h = pd.factorize(col, sort=True)[0].astype(np.int64)
    n_strata = int(h.max()) + 1
    if cluster is None:
        psu = None
        n_psu = np.bincount(h, minlength=n_strata).astype(float)
    else:
        col = _column(data, cluster, "cluster")
        if col.isna().any():
            raise ValueError(f"cluster column {cluster!r} has missing values")
        # R's survey treats PSU ids as nested in strata: the same id in two strata is two PSUs.
        psu = pd.MultiIndex.from_arrays([h, col]).factorize()[0].astype(np.int64)
        first = np.zeros(int(psu.max()) + 1, dtype=np.int64)
        first[psu] = h
        n_psu = np.bincount(first, minlength=n_strata).astype(float)
    if (n_psu < 2).any():
        bad = int(np.flatnonzero(n_psu < 2)[0])
        label = "" if strata is None else f" {pd.factorize(data[strata], sort=True)[1][bad]!r}"
        raise ValueError(f"stratum{label} has a single PSU; its variance cannot be estimated")
    keep = np.ones(n_strata)
    if fpc is not None:
        pop = _as_float_array(f"fpc column {fpc!r}", _column(data, fpc, "fpc"))
        per = pd.Series(pop).groupby(h).agg(["min", "max"])
        if (per["min"] != per["max"]).any():
            raise ValueError(f"fpc column {fpc!r} must be constant within each stratum")
        pop_h = per["min"].to_numpy()
        # As in R: values <= 1 are sampling fractions, larger values population sizes in PSUs.
        frac = np.where(pop_h <= 1, pop_h, n_psu / np.where(pop_h > 0, pop_h, np.nan))
        if (~np.isfinite(frac) | (frac < 0) | (frac > 1)).any():
            raise ValueError(f"fpc column {fpc!r} is smaller than the number of sampled PSUs")
        keep = 1.0 - frac
    scale = keep * n_psu / (n_psu - 1.0)
    return _Design(w, h, psu, n_psu, scale, float(n_psu.sum() - n_strata))


def _domain_variance(z: np.ndarray, dom: np.ndarray, n_dom: int, design: _Design) -> np.ndarray:
    """Variance of the total of z within each domain (z is 0 outside, dom = -1 outside).

    For each domain d and stratum h: scale_h * (sum_psu t^2 - (sum_psu t)^2 / n_h), where
    t are PSU totals of z. PSUs without domain members contribute zeros, so summing only
    over the rows present is exact; this is what R's svyby does for a domain.
    """
    n_strata = len(design.n_psu)
    inside = dom >= 0
    z, d, h = z[inside], dom[inside], design.stratum[inside]
    if design.psu is not None:
        n_units = int(design.psu.max()) + 1
        uniq, first, inv = np.unique(d * n_units + design.psu[inside],
                                     return_index=True, return_inverse=True)
        z = np.bincount(inv, weights=z)
        d, h = uniq // n_units, h[first]
    cell = d * n_strata + h
    s1 = np.bincount(cell, weights=z, minlength=n_dom * n_strata)
    s2 = np.bincount(cell, weights=z * z, minlength=n_dom * n_strata)
    n_h = np.tile(design.n_psu, n_dom)
    var = np.tile(design.scale, n_dom) * (s2 - s1 * s1 / n_h)
    return np.maximum(var.reshape(n_dom, n_strata).sum(axis=1), 0.0)


def _design_cov(z: np.ndarray, design: _Design) -> np.ndarray:
    """Covariance matrix of the totals of the columns of z (rows x k) under the design."""
    if design.psu is None:
        totals, h = z, design.stratum
    else:
        n_units = int(design.psu.max()) + 1
        totals = np.column_stack([np.bincount(design.psu, weights=z[:, j], minlength=n_units)
                                  for j in range(z.shape[1])])
        h = np.zeros(n_units, dtype=np.int64)
        h[design.psu] = design.stratum
    n_strata = len(design.n_psu)
    means = np.column_stack([np.bincount(h, weights=totals[:, j], minlength=n_strata)
                             for j in range(totals.shape[1])]) / design.n_psu[:, None]
    centred = (totals - means[h]) * np.sqrt(design.scale[h])[:, None]
    return centred.T @ centred


def _domains(data: pd.DataFrame, by) -> tuple[np.ndarray, pd.DataFrame]:
    """Integer domain code per row (-1 where a grouping value is missing) and the keys.

    Same groups and order as ``groupby(by, sort=True, observed=True, dropna=True)``, built
    from per-column codes: several times faster than ``GroupBy.ngroup`` on a million rows.
    """
    if by is None:
        return np.zeros(len(data), dtype=np.int64), pd.DataFrame(index=[0])
    cols = [by] if isinstance(by, str) else list(by)
    codes, levels = [], []
    for c in cols:
        col = _column(data, c, "by")
        if isinstance(col.dtype, pd.CategoricalDtype):
            code, lev = col.cat.codes.to_numpy().astype(np.int64), col.cat.categories
        else:
            code, lev = pd.factorize(col, sort=True)
            code = code.astype(np.int64)
        codes.append(code)
        levels.append((lev, col.dtype))
    missing = np.zeros(len(data), dtype=bool)
    for code in codes:
        missing |= code < 0
    dims = tuple(max(len(lev), 1) for lev, _ in levels)
    flat = np.ravel_multi_index([np.where(missing, 0, code) for code in codes], dims)
    flat = np.where(missing, -1, flat)
    if np.prod(dims, dtype=float) <= 5e7:
        seen = np.flatnonzero(np.bincount(flat[~missing], minlength=int(np.prod(dims))))
        remap = np.full(int(np.prod(dims)), -1, dtype=np.int64)
        remap[seen] = np.arange(seen.size)
        dom = np.where(missing, -1, remap[np.where(missing, 0, flat)])
    else:
        seen, inv = np.unique(flat[~missing], return_inverse=True)
        dom = np.full(len(data), -1, dtype=np.int64)
        dom[~missing] = inv
    keys = {}
    for c, idx, (lev, dtype) in zip(cols, np.unravel_index(seen, dims), levels):
        if isinstance(dtype, pd.CategoricalDtype):
            keys[c] = pd.Categorical.from_codes(idx, dtype=dtype)
        else:
            keys[c] = lev.take(idx)
    return dom.astype(np.int64), pd.DataFrame(keys)


def _domain_ratio(data, y, present, by, weight, strata, cluster, fpc):
    """Shared engine of weighted_share/weighted_mean: estimates and linearized SEs."""
    design = _design(data, weight, strata, cluster, fpc)
    dom, keys = _domains(data, by)
    dom = np.where(present, dom, -1)
    n_dom = len(keys)
    inside = dom >= 0
    w = np.where(inside, design.weight, 0.0)
    y = np.where(inside, y, 0.0)
    dd = np.where(inside, dom, 0)
    w_tot = np.bincount(dd, weights=w, minlength=n_dom)
    w2_tot = np.bincount(dd, weights=w * w, minlength=n_dom)
    wy_tot = np.bincount(dd, weights=w * y, minlength=n_dom)
    n = np.bincount(dd, weights=inside.astype(float), minlength=n_dom)
    with np.errstate(invalid="ignore", divide="ignore"):
        est = wy_tot / w_tot
        z = w * (y - est[dd]) / w_tot[dd]
    z = np.where(inside, z, 0.0)
    var = _domain_variance(z, dom, n_dom, design)
    with np.errstate(invalid="ignore", divide="ignore"):
        n_eff = w_tot * w_tot / w2_tot
    out = keys.copy()
    out["estimate"] = est
    out["se"] = np.sqrt(var)
    out["n"] = n.astype(np.int64)
    out["n_eff"] = n_eff
    out["deff"] = n / n_eff
    out["df"] = design.df
    return out, design


def _binary(col: pd.Series, column: str, value) -> tuple[np.ndarray, np.ndarray]:
    present = col.notna().to_numpy()
    if value is not None:
        return (col == value).fillna(False).to_numpy(dtype=float), present
    if pd.api.types.is_bool_dtype(col.dtype):
        return col.fillna(False).to_numpy(dtype=float), present
    vals = pd.to_numeric(col, errors="coerce")
    ok = vals.isna() | vals.isin([0, 1])
    if not (ok & (vals.notna() | col.isna())).all():
        bad = col[~(ok & (vals.notna() | col.isna()))].iloc[0]
        raise ValueError(f"column {column!r} is not yes/no (boolean or 0/1); got value {bad!r}; "
                         "pass value= to take the share of one category")
    return vals.fillna(0).to_numpy(dtype=float), present


def weighted_share(data: pd.DataFrame, column: str, by=None, weight: str | None = None,
                   level: float = 0.95, method: str = "wilson", *, value=None,
                   strata: str | None = None, cluster: str | None = None, fpc: str | None = None,
                   ci_n: str = "kish", min_n: int = LOW_N) -> pd.DataFrame:
    """Weighted share of a yes/no item, overall or by group, with design-based SEs.

    Groups are domains of the full sample (as R's ``svyby``): the design (strata, PSUs,
    degrees of freedom) is that of all rows. Rows where ``column`` is missing are outside
    every domain (R's ``na.rm=TRUE``); rows with a missing ``by`` value are in no group.

    Parameters
    ----------
    data : pandas.DataFrame
    column : str
        A boolean or 0/1 column, or any column together with ``value``.
    by : str or list of str, optional
        Grouping columns; one output row per observed combination, sorted.
    weight : str, optional
        Weight column; ``None`` means equal weights.
    level : float, default 0.95
    method : {"wilson", "wilson-cc", "clopper-pearson", "agresti-coull", "jeffreys"}
        Interval formula, applied with the effective sample size in place of n.
    value : optional
        Share of rows equal to this value (e.g. one category of a categorical column).
    strata, cluster, fpc : str, optional
        Design columns: stratum, primary sampling unit (nested in strata) and finite
        population correction (population PSUs per stratum, or sampling fraction if <= 1).
    ci_n : {"kish", "design"}, default "kish"
        Effective n used in the interval formula. ``"kish"`` uses the Kish n_eff of the
        weights in the group, common practice for weighted-only surveys; it ignores
        clustering. ``"design"`` uses ``p (1 - p) / se**2`` scaled by
        ``(t_{n-1} / t_df)**2`` (Korn & Graubard 1998; R's ``svyciprop(method="beta")``
        when ``method="clopper-pearson"``); prefer it with clusters or strata.
    min_n : int, default 30
        Flag ``low_n`` when ``n`` or ``n_eff`` is below it.

    Returns
    -------
    pandas.DataFrame
        One row per group: the ``by`` columns, then

        - ``estimate`` : weighted share
        - ``se`` : Taylor-linearized standard error (equals R ``svymean``/``svyby``)
        - ``ci_low``, ``ci_high`` : interval from ``method`` with the effective n
        - ``level`` : confidence level
        - ``n`` : unweighted number of answers in the group
        - ``n_eff`` : Kish effective sample size ``(sum w)^2 / sum w^2`` in the group
        - ``deff`` : Kish design effect ``n / n_eff``
        - ``df`` : design degrees of freedom (PSUs minus strata of the whole sample)
        - ``method`` : interval method
        - ``low_n`` : ``n < min_n`` or ``n_eff < min_n``

        With ``weight=None`` and no design columns, ``estimate``, ``ci_low`` and
        ``ci_high`` equal :func:`proportion_ci`; ``se`` is R's ``sqrt(p(1-p)/(n-1))``.

    Raises
    ------
    KeyError
        A named column is missing.
    ValueError
        Bad weights (missing, zero, negative), a non yes/no column, a bad level, method or
        ci_n, or a stratum with one PSU.

    References
    ----------
    Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley (ch. 2–3).
    Kish, L. (1965). *Survey Sampling*. Wiley.
    Korn, E. L. & Graubard, B. I. (1998). Confidence intervals for proportions with small
    expected number of positive counts estimated from survey data. *Survey Methodology* 24.

    Examples
    --------
    >>> df = pd.DataFrame({"yes": [True, False, True, True, False, True],
    ...                    "team": ["a", "a", "a", "b", "b", "b"],
    ...                    "w": [1.0, 2.0, 1.0, 1.0, 1.0, 2.0]})
    >>> weighted_share(df, "yes", by="team", weight="w")[
    ...     ["team", "estimate", "se", "n", "n_eff", "low_n"]].round(3)
      team  estimate     se  n  n_eff  low_n
    0    a      0.50  0.335  3  2.667   True
    1    b      0.75  0.256  3  2.667   True
    """
    level = _check_level(level)
    _check_choice("method", method, PROPORTION_METHODS)
    _check_choice("ci_n", ci_n, ("kish", "design"))
    y, present = _binary(_column(data, column, "column"), column, value)
    out, design = _domain_ratio(data, y, present, by, weight, strata, cluster, fpc)
    p = out["estimate"].to_numpy()
    if ci_n == "kish":
        m = out["n_eff"].to_numpy()
    else:
        se2 = out["se"].to_numpy() ** 2
        nm1 = np.maximum(out["n"].to_numpy() - 1, 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            m = np.where(se2 > 0, p * (1 - p) / se2, out["n"].to_numpy())
            m = m * (stats.t.ppf((1 - level) / 2, nm1) / _t_ppf((1 - level) / 2, design.df)) ** 2
    lo, up = _interval(p * m, m, level, method)
    out.insert(out.columns.get_loc("se") + 1, "ci_low", lo)
    out.insert(out.columns.get_loc("ci_low") + 1, "ci_high", up)
    out.insert(out.columns.get_loc("ci_high") + 1, "level", level)
    out["method"] = method
    out["low_n"] = (out["n"] < min_n) | (out["n_eff"] < min_n)
    return out


def _t_ppf(q: float, df: float) -> float:
    if not df > 0:
        warnings.warn(f"design degrees of freedom df={df:g} <= 0: interval is NaN",
                      RuntimeWarning, stacklevel=3)
        return math.nan
    return float(stats.t.ppf(q, df))


def weighted_mean(data: pd.DataFrame, column: str, by=None, weight: str | None = None,
                  level: float = 0.95, *, strata: str | None = None, cluster: str | None = None,
                  fpc: str | None = None, min_n: int = LOW_N) -> pd.DataFrame:
    """Weighted mean of a numeric column, overall or by group, with design-based SEs.

    Groups are domains of the full sample; missing values of ``column`` are outside
    every domain. The interval is ``estimate ± t_{df} se`` with the design degrees of
    freedom, so unweighted data give exactly the one-sample t interval.

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
    strata, cluster, fpc : str, optional
        Design columns, as in :func:`weighted_share`.
    min_n : int, default 30
        Flag ``low_n`` when ``n`` or ``n_eff`` is below it.

    Returns
    -------
    pandas.DataFrame
        One row per group: the ``by`` columns, then

        - ``estimate`` : weighted mean
        - ``se`` : Taylor-linearized standard error (equals R ``svymean``/``svyby``)
        - ``ci_low``, ``ci_high`` : ``estimate ± t_{df} se``
        - ``level`` : confidence level
        - ``n`` : unweighted number of non-missing values in the group
        - ``n_eff`` : Kish effective sample size in the group
        - ``deff`` : Kish design effect ``n / n_eff``
        - ``df`` : design degrees of freedom (PSUs minus strata of the whole sample)
        - ``method`` : ``"linearization-t"``
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
    col = _column(data, column, "column")
    if not (pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype)):
        raise ValueError(f"column {column!r} must be numeric; got dtype {col.dtype}")
    present = col.notna().to_numpy()
    y = col.to_numpy(dtype=float, na_value=np.nan)
    if np.isinf(y[present]).any():
        raise ValueError(f"column {column!r} contains infinite values")
    out, design = _domain_ratio(data, np.nan_to_num(y), present, by, weight, strata, cluster, fpc)
    tq = _t_ppf(1 - (1 - level) / 2, design.df)
    est, se = out["estimate"].to_numpy(), out["se"].to_numpy()
    out.insert(out.columns.get_loc("se") + 1, "ci_low", est - tq * se)
    out.insert(out.columns.get_loc("ci_low") + 1, "ci_high", est + tq * se)
    out.insert(out.columns.get_loc("ci_high") + 1, "level", level)
    out["method"] = "linearization-t"
    out["low_n"] = (out["n"] < min_n) | (out["n_eff"] < min_n)
    return out

