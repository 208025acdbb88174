"""Registered claims recomputed from respondent data.

What the numbers mean depends on the data. From a **real export** they are evidence about
the report (:func:`as_findings`: ``reproduced`` or ``not reproduced``, with the design-based
interval). From the **synthetic reconstruction** they were generated to match the report and
only show that the pipeline recovers what it was built on (:func:`supportstats.as_pipeline_checks`).
The functions here compute; the caller says which of the two it is.

Which column and answer each claim corresponds to is survey knowledge, kept as data:
:data:`supportstats.schema.CLAIM_MEASURES`.
"""
from __future__ import annotations

import functools

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["RECOMPUTED_COLUMNS", "matches_published", "recompute_levels", "recompute_changes",
           "recompute_sample_sizes", "as_findings", "stated_change_readings", "base_readings"]

RECOMPUTED_COLUMNS = ["claim_id", "kind", "earlier", "later", "unit", "published", "estimate", "ci_low",
                      "ci_high", "se", "n", "statistic", "p_value", "matches", "level"]


def _decimals(value: float) -> int:
    text = f"{float(value):.6f}".rstrip("0")
    return len(text.split(".")[1]) if "." in text else 0


def matches_published(estimate, published, unit="percent") -> bool:
    """True when ``estimate`` rounds to the published figure at its published precision.

    Shares are proportions (0–1) compared with a percent; means in points are compared as is.

    Examples
    --------
    >>> matches_published(0.6449, 64)
    True
    >>> matches_published(0.645, 64)   # rounds half away from zero, as reports do
    False
    >>> matches_published(88.6, 89, unit="points")
    True
    """
    if estimate is None or pd.isna(estimate):
        return False
    value = float(estimate) * (100.0 if unit == "percent" else 1.0)
    d = _decimals(published)
    scaled = value * 10 ** d
    rounded = np.floor(abs(scaled) + 0.5 + 1e-9) * np.sign(scaled) / 10 ** d
    return bool(np.isclose(rounded, float(published)))


def _measures(measures):
    if measures is None:
        from .schema import CLAIM_MEASURES
        measures = CLAIM_MEASURES
    return measures.set_index("claim_id") if "claim_id" in measures.columns else measures


def _claims(claims):
    if claims is None:
        from .claims import load_claims
        claims = load_claims()
    return claims.set_index("claim_id") if "claim_id" in claims.columns else claims


def _frame_for(data, survey, wave):
    key = f"{survey}_{int(wave)}"
    if key not in data:
        raise KeyError(f"data has no wave {key!r}; have {sorted(data)}")
    return data[key]


def _estimate(frame, m, *, weight, level):
    """Estimate one measure as a domain of the full wave sample (not by filtering first)."""
    from .estimate import weighted_mean, weighted_share

    column, choice = m["column"], m.get("level")
    if m["statistic"] == "share":
        answer = {} if choice is None or pd.isna(choice) or choice == "" else {"value": choice}
        fn = functools.partial(weighted_share, **answer)
    else:
        fn = weighted_mean
    domain = m.get("domain")
    if domain is None or pd.isna(domain) or domain == "":
        return fn(frame, column, weight=weight, level=level).iloc[0]
    res = fn(frame, column, by=domain, weight=weight, level=level)
    hit = res[res[domain].astype("boolean").fillna(False)]
    if hit.empty:
        raise ValueError(f"{m.name}: no respondents in domain {domain!r}")
    return hit.iloc[0]


def recompute_levels(claim_ids, data, *, claims=None, measures=None, weight=None, level=0.95) -> pd.DataFrame:
    """Recompute published shares and means from cleaned respondent data.

    Parameters
    ----------
    claim_ids : list of str
        Claims that :data:`supportstats.schema.CLAIM_MEASURES` maps to a column.
    data : dict
        Cleaned data by wave, keyed ``"<survey>_<wave>"``.
    weight : str, optional
        Weight column; ``None`` for unweighted estimates.

    Returns
    -------
    DataFrame
        :data:`RECOMPUTED_COLUMNS`, one row per claim: ``estimate``, ``ci_low``, ``ci_high``
        and ``se`` in the published unit (percent for shares), ``statistic``/``p_value`` a z
        test of the published value against the estimate's standard error, ``matches``
        whether the estimate rounds to the published figure.

    Examples
    --------
    >>> from supportstats import load_waves
    >>> data, _, _ = load_waves({"trends_2022": "data/raw/synthetic_trends_2022.csv"})
    >>> recompute_levels(["trends_2022.team_burnout"], data)[["published", "estimate", "n", "matches"]].round(2)
       published  estimate     n  matches
    0       64.0      64.0  1214     True
    """
    claims, measures = _claims(claims), _measures(measures)
    rows = []
    for cid in claim_ids:
        m, c = measures.loc[cid], claims.loc[cid]
        est = _estimate(_frame_for(data, m["survey"], m["wave"]), m, weight=weight, level=level)
        share = m["statistic"] == "share"
        scale = 100.0 if share else 1.0
        z = (est["estimate"] * scale - c["value"]) / (est["se"] * scale) if est["se"] > 0 else np.nan
        rows.append({
            "claim_id": cid, "kind": "level", "earlier": np.nan, "later": np.nan, "unit": c["unit"],
            "published": c["value"], "estimate": est["estimate"] * scale, "ci_low": est["ci_low"] * scale,
            "ci_high": est["ci_high"] * scale, "se": est["se"] * scale, "n": int(est["n"]), "statistic": z,
            "p_value": 2 * stats.norm.sf(abs(z)) if np.isfinite(z) else np.nan,
            "matches": matches_published(est["estimate"], c["value"], "percent" if share else "points"),
            "level": level,
        })
    return pd.DataFrame(rows, columns=RECOMPUTED_COLUMNS)


def recompute_changes(specs, data, *, claims=None, measures=None, weight=None, level=0.95) -> pd.DataFrame:
    """Recompute year-over-year changes from two waves of respondent data (later minus earlier).

    Each spec is ``(claim_id, earlier_claim, later_claim)``; both level claims must be in
    ``CLAIM_MEASURES``. The two waves are independent samples: the difference's standard
    error is the root sum of squares of the two (design-based) standard errors; a two-sided
    z test gives ``p_value``.

    Examples
    --------
    >>> from supportstats import load_waves
    >>> data, _, _ = load_waves({"benchmark_2021": "data/raw/synthetic_benchmark_2021.csv",
    ...                          "benchmark_2022": "data/raw/synthetic_benchmark_2022.csv"})
    >>> spec = ("benchmark_2022.nps_tracking", "benchmark_2021.nps_tracking", "benchmark_2022.nps_tracking")
    >>> recompute_changes([spec], data)[["published", "estimate", "matches"]].round(1)
       published  estimate  matches
    0       20.0      20.0     True
    """
    claims, measures = _claims(claims), _measures(measures)
    z_crit = stats.norm.ppf(0.5 + level / 2)
    rows = []
    for cid, prev, later in specs:
        e = {}
        for key in (prev, later):
            m = measures.loc[key]
            e[key] = _estimate(_frame_for(data, m["survey"], m["wave"]), m, weight=weight, level=level)
        scale = 100.0 if measures.loc[later, "statistic"] == "share" else 1.0
        diff = (e[later]["estimate"] - e[prev]["estimate"]) * scale
        se = float(np.hypot(e[prev]["se"], e[later]["se"])) * scale
        z = diff / se if se > 0 else np.nan
        published = claims.loc[later, "value"] - claims.loc[prev, "value"]
        rows.append({
            "claim_id": cid, "kind": "change", "earlier": prev, "later": later, "unit": "points",
            "published": published, "estimate": diff, "ci_low": diff - z_crit * se, "ci_high": diff + z_crit * se,
            "se": se, "n": int(e[prev]["n"] + e[later]["n"]), "statistic": z,
            "p_value": 2 * stats.norm.sf(abs(z)) if np.isfinite(z) else np.nan,
            "matches": matches_published(diff, published, "points"), "level": level,
        })
    return pd.DataFrame(rows, columns=RECOMPUTED_COLUMNS)


def recompute_sample_sizes(data, *, claims=None) -> pd.DataFrame:
    """Each wave's cleaned n against the sample size its article states ("nearly 300", "1,200+").

    ``matches`` when n lies in the registry's ``n_low``–``n_high`` for that wave.

    Examples
    --------
    >>> from supportstats import load_waves
    >>> data, _, _ = load_waves({"trends_2022": "data/raw/synthetic_trends_2022.csv"})
    >>> recompute_sample_sizes(data)[["claim_id", "estimate", "matches"]]
                        claim_id  estimate  matches
    0  trends_2022.n_respondents      1214     True
    """
    claims = _claims(claims)
    rows = []
    for key in sorted(data):
        cid = f"{key}.n_respondents"
        if cid not in claims.index:
            continue
        c, n = claims.loc[cid], len(data[key])
        rows.append({"claim_id": cid, "kind": "count", "earlier": np.nan, "later": np.nan, "unit": "count",
                     "published": c["value"], "estimate": n, "ci_low": np.nan, "ci_high": np.nan, "se": np.nan,
                     "n": n, "statistic": np.nan, "p_value": np.nan,
                     "matches": bool(c["n_low"] <= n <= c["n_high"]), "level": np.nan})
    return pd.DataFrame(rows, columns=RECOMPUTED_COLUMNS)


def as_findings(recomputed: pd.DataFrame, *, notebook: str, alpha: float = 0.05) -> pd.DataFrame:
    """Findings rows from numbers recomputed on a **real export** (evidence about the report).

    Levels and sample sizes are ``reproduced`` when the recomputed figure rounds to (or lies
    in the stated range of) the published one, else ``not reproduced``; changes get the
    microdata test (its p-value is both ends of the range: nothing is assumed) and are
    adjusted with the rest of their report when the table is assembled.

    Examples
    --------
    >>> r = pd.DataFrame([{"claim_id": "trends_2022.team_burnout", "kind": "level", "unit": "percent",
    ...                    "published": 64.0, "estimate": 61.2, "ci_low": 58.4, "ci_high": 64.0, "se": 1.4,
    ...                    "n": 1190, "statistic": -2.0, "p_value": 0.046, "matches": False, "level": 0.95}])
    >>> as_findings(r, notebook="03_burnout")[["claim_id", "evidence", "verdict"]]
                       claim_id     evidence         verdict
    0  trends_2022.team_burnout  real export  not reproduced
    """
    from .findings import finding_row

    rows = []
    for r in recomputed.to_dict("records"):
        common = dict(notebook=notebook, evidence="real export", estimate=r["estimate"], ci_low=r["ci_low"],
                      ci_high=r["ci_high"], n=r["n"], level=r["level"], test_statistic=r["statistic"])
        if r["kind"] == "change":
            rows.append(finding_row(r["claim_id"], kind="change", verdict="change within noise", alpha=alpha,
                                    test="design-based z test, independent waves (real export)",
                                    p_value=r["p_value"], p_value_min=r["p_value"], **common))
        else:
            rows.append(finding_row(r["claim_id"], kind=r["kind"],
                                    verdict="reproduced" if r["matches"] else "not reproduced",
                                    test="recomputed from the real export, design-based interval", **common))
    return pd.DataFrame(rows)


def stated_change_readings(earlier: pd.DataFrame, later: pd.DataFrame, column: str, *,
                           stated_change: float, weight=None, level=0.95) -> pd.DataFrame:
    """Read an ambiguous "X% more" against two waves of respondent data, both ways.

    For wording such as "10% more teams track CSAT than last year", estimate the share in
    each wave, then report the change as points and as a relative change, and the earlier
    share each reading of the stated change would imply from the later wave's share.

    Examples
    --------
    >>> a = pd.DataFrame({"t": pd.array([True] * 70 + [False] * 30, dtype="boolean")})
    >>> b = pd.DataFrame({"t": pd.array([True] * 77 + [False] * 23, dtype="boolean")})
    >>> stated_change_readings(a, b, "t", stated_change=10)[["change", "implied_earlier", "matches"]]
              change  implied_earlier  matches
    reading
    points       7.0        67.000000    False
    relative    10.0        70.000000     True
    """
    from .estimate import weighted_share

    p1 = float(weighted_share(earlier, column, weight=weight, level=level)["estimate"].iloc[0]) * 100
    p2 = float(weighted_share(later, column, weight=weight, level=level)["estimate"].iloc[0]) * 100
    readings = {"points": (p2 - p1, p2 - stated_change),
                "relative": (100 * (p2 / p1 - 1), p2 / (1 + stated_change / 100))}
    rows = [{"reading": name, "earlier": p1, "later": p2, "change": change, "stated": float(stated_change),
             "implied_earlier": implied, "matches": matches_published(change, stated_change, unit="points")}
            for name, (change, implied) in readings.items()]
    return pd.DataFrame(rows).set_index("reading")


def base_readings(frame: pd.DataFrame, column: str, base: str, *, published: float,
                  base_published: float, weight=None, level=0.95) -> pd.DataFrame:
    """A share whose base is unclear, estimated both ways (as a domain and of everyone).

    Examples
    --------
    >>> f = pd.DataFrame({"cut": pd.array([True] * 52 + [False] * 48, dtype="boolean"),
    ...                   "hurt": pd.array([True] * 25 + [False] * 27 + [pd.NA] * 48, dtype="boolean")})
    >>> base_readings(f, "hurt", "cut", published=48, base_published=52)[["estimate", "implied_by_published"]].round(1)
                             estimate  implied_by_published
    reading
    share of everyone            25.0                  25.0
    share of the base group      48.1                  92.3
    """
    from .estimate import weighted_share

    both = (frame[column].astype("boolean").fillna(False) & frame[base].astype("boolean").fillna(False))
    everyone = weighted_share(frame.assign(_both=both.astype("boolean")), "_both", weight=weight, level=level).iloc[0]
    within = weighted_share(frame, column, by=base, weight=weight, level=level)
    within = within[within[base].astype("boolean").fillna(False)].iloc[0]
    return pd.DataFrame({
        "reading": ["share of everyone", "share of the base group"],
        "estimate": [100 * everyone["estimate"], 100 * within["estimate"]],
        "ci_low": [100 * everyone["ci_low"], 100 * within["ci_low"]],
        "ci_high": [100 * everyone["ci_high"], 100 * within["ci_high"]],
        "n": [int(everyone["n"]), int(within["n"])],
        "implied_by_published": [published * base_published / 100, 100 * published / base_published],
    }).set_index("reading")
