"""supportstats.significance (tests from published aggregates) against R (stored numbers),
Newcombe's published table and exact identities. Reference numbers:
tests/reference/make_reference.R -> reference.json."""
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from supportstats import (compare_means_from_summary, compare_proportions,
                          mcnemar_from_margins, min_detectable_difference, paired_proportions,
                          risk_ratio_odds_ratio, sd_sensitivity)

REF = Path(__file__).parent / "reference"
R = json.loads((REF / "reference.json").read_text())
TOL = 1e-6


# ------------------------------------------------------------------ two proportions
@pytest.mark.parametrize("row", R["compare_proportions"],
                         ids=lambda r: f"{r['x1']}/{r['n1']}-{r['x2']}/{r['n2']}")
def test_compare_proportions_tests_match_r(row):
    args = (row["x1"], row["n1"], row["x2"], row["n2"])
    z = compare_proportions(*args, test="z").iloc[0]
    y = compare_proportions(*args, test="chi2-yates").iloc[0]
    f = compare_proportions(*args, test="fisher").iloc[0]
    if row["z_chi2"] is None:   # R gives NaN when both groups are all-no; we give 0 and p = 1
        assert z.statistic == 0 and z.p_value == 1 and f.p_value == pytest.approx(1)
        return
    assert z.statistic ** 2 == pytest.approx(row["z_chi2"], rel=TOL)
    assert np.sign(z.statistic) == np.sign(z["diff"])
    assert z.p_value == pytest.approx(row["z_p"], rel=TOL)
    assert y.statistic == pytest.approx(row["yates_chi2"], rel=TOL, abs=TOL)
    assert y.p_value == pytest.approx(row["yates_p"], rel=TOL)
    assert f.p_value == pytest.approx(row["fisher_p"], rel=TOL)
    if row["fisher_or"] is not None and np.isfinite(row["fisher_or"]):
        # Both sides find the conditional MLE by root-finding; R's uniroot tolerance is ~1e-4.
        assert f.statistic == pytest.approx(row["fisher_or"], rel=1e-3)


# Newcombe (1998b, Stat Med 17:873), Table II, method 10 (hybrid score, no correction),
# published to 4 decimals for p1 - p2; we report p2 - p1 with the groups swapped.
NEWCOMBE_TABLE_II = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),
    ((9, 10, 3, 10), (0.1705, 0.8090)),
    ((6, 7, 2, 7), (0.0582, 0.8062)),
    ((5, 56, 0, 29), (-0.0381, 0.1926)),
    ((0, 10, 0, 20), (-0.1611, 0.2775)),
    ((10, 10, 0, 20), (0.6791, 1.0000)),
]


@pytest.mark.parametrize("counts, expected", NEWCOMBE_TABLE_II)
def test_difference_interval_matches_newcombe_table_ii(counts, expected):
    x1, n1, x2, n2 = counts
    r = compare_proportions(x2, n2, x1, n1).iloc[0]
    assert r["diff"] == pytest.approx(x1 / n1 - x2 / n2)
    assert (r.ci_low, r.ci_high) == pytest.approx(expected, abs=5.1e-5)


def test_compare_proportions_vectorised_and_effect_size():
    r = compare_proportions([10, 20], 100, [20, 40], 100)
    assert len(r) == 2
    h = 2 * np.arcsin(np.sqrt(0.4)) - 2 * np.arcsin(np.sqrt(0.2))
    assert r.effect_size.iloc[1] == pytest.approx(h)
    assert r.low_n.tolist() == [False, False]


@pytest.mark.parametrize("kwargs, match", [
    (dict(x1=5, n1=4, x2=1, n2=4), "x1 must not exceed n1"),
    (dict(x1=1, n1=0, x2=1, n2=4), "n1 must be positive"),
    (dict(x1=1, n1=4, x2=-1, n2=4), "x2=-1"),
    (dict(x1=1, n1=4, x2=1, n2=4, test="t"), "test='t'"),
    (dict(x1=1, n1=4, x2=1, n2=4, level=1.5), "level=1.5"),
])
def test_compare_proportions_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        compare_proportions(**kwargs)


# ---------------------------------------------------------------------- means
@pytest.mark.parametrize("row", R["compare_means"], ids=lambda r: f"{r['mean1']}-{r['equal_var']}")
def test_compare_means_from_summary_matches_r_t_test(row):
    got = compare_means_from_summary(row["mean1"], row["sd1"], row["n1"], row["mean2"], row["sd2"],
                                     row["n2"], equal_var=row["equal_var"]).iloc[0]
    for ours, theirs in (("statistic", "statistic"), ("df", "df"), ("p_value", "p_value"),
                         ("ci_low", "ci_low"), ("ci_high", "ci_high")):
        assert got[ours] == pytest.approx(row[theirs], rel=TOL, abs=TOL), ours


def test_hedges_g():
    r = compare_means_from_summary(10, 2, 20, 12, 2, 20).iloc[0]
    assert r.effect_size == pytest.approx(1.0 * (1 - 3 / (4 * 40 - 9)))


def test_df_not_positive_gives_nan_with_warning():
    with pytest.warns(RuntimeWarning, match="degrees of freedom"):
        r = compare_means_from_summary(1, 1, 1, 2, 1, 1, equal_var=True).iloc[0]
    assert np.isnan(r.p_value) and np.isnan(r.ci_low) and np.isnan(r.df)
    with pytest.warns(RuntimeWarning):
        r = compare_means_from_summary(1, 1, 1, 2, 1, 5).iloc[0]
    assert np.isnan(r.p_value)


@pytest.mark.parametrize("kwargs, match", [
    (dict(sd1=0), "sd1=0.0"), (dict(sd2=np.nan), "sd2 contains NaN"), (dict(n1=2.5), "n1=2.5"),
])
def test_compare_means_bad_input(kwargs, match):
    args = dict(mean1=1, sd1=1, n1=10, mean2=2, sd2=1, n2=10) | kwargs
    with pytest.raises(ValueError, match=match):
        compare_means_from_summary(**args)


def test_sd_sensitivity_threshold_is_where_p_crosses_alpha():
    r = sd_sensitivity(78, 300, 89, 300, sds=[5, 20, 60, 90])
    limit = r.max_significant_sd.iloc[0]
    at = compare_means_from_summary(78, limit, 300, 89, limit, 300).iloc[0]
    assert at.p_value == pytest.approx(0.05, rel=1e-9)
    assert r.significant.tolist() == (r.sd < limit).tolist()
    assert (r.df == r.df.iloc[0]).all()   # Welch df does not depend on a common SD


def test_sd_sensitivity_bad_input():
    with pytest.raises(ValueError, match="sds"):
        sd_sensitivity(78, 300, 89, 300, sds=[10, -1])
    with pytest.raises(ValueError, match="alpha"):
        sd_sensitivity(78, 300, 89, 300, sds=[10], alpha=5)


# ---------------------------------------------------------------------- power
@pytest.mark.parametrize("row", R["min_detectable_difference"], ids=lambda r: str(r["n1"]))
def test_min_detectable_difference_matches_r_pwr(row):
    r = min_detectable_difference(row["p1"], row["n1"], row["n2"]).iloc[0]
    # pwr solves with uniroot's default tolerance (~1e-4); the identity below is exact.
    assert r.effect_size == pytest.approx(row["h"], rel=1e-4)
    # The detected share really has the stated power under the arcsine approximation.
    if np.isfinite(r.p2_up):
        h = 2 * np.arcsin(np.sqrt(r.p2_up)) - 2 * np.arcsin(np.sqrt(row["p1"]))
        m = np.sqrt(row["n1"] * row["n2"] / (row["n1"] + row["n2"]))
        z = stats.norm.ppf(0.975)
        power = stats.norm.sf(z - h * m) + stats.norm.cdf(-z - h * m)
        assert power == pytest.approx(0.8, abs=1e-9)


def test_min_detectable_difference_out_of_range_is_nan():
    r = min_detectable_difference(0.02, 20, 20).iloc[0]
    assert np.isnan(r.p2_down) and np.isfinite(r.p2_up)
    with pytest.raises(ValueError, match="p1"):
        min_detectable_difference(1.0, 20, 20)


# ---------------------------------------------------------------------- ratios
def test_risk_and_odds_ratio_readings():
    r = risk_ratio_odds_ratio([0.05, 0.2, 0.3], [2, 4])
    assert len(r) == 6
    row = r[(r.p0 == 0.3) & (r.ratio == 4)].iloc[0]
    assert not row.feasible and np.isnan(row.p1)
    ok = r[r.feasible]
    np.testing.assert_allclose(ok.p1 / ok.p0, ok.risk_ratio)
    np.testing.assert_allclose((ok.p1 / (1 - ok.p1)) / (ok.p0 / (1 - ok.p0)), ok.odds_ratio)
    o = risk_ratio_odds_ratio([0.05, 0.3], 4, kind="odds")
    np.testing.assert_allclose(o.odds_ratio, 4.0)
    assert (o.risk_ratio < 4).all()
    with pytest.raises(ValueError, match="ratio"):
        risk_ratio_odds_ratio(0.2, 0)
    with pytest.raises(ValueError, match="kind='hazard'"):
        risk_ratio_odds_ratio(0.2, 2, kind="hazard")


# ---------------------------------------------------------------- margins-only McNemar
def _pairs(n11, n10, n01, n00):
    a = [True] * (n11 + n10) + [False] * (n01 + n00)
    b = [True] * n11 + [False] * n10 + [True] * n01 + [False] * n00
    return pd.DataFrame({"a": pd.array(a, dtype="boolean"), "b": pd.array(b, dtype="boolean")})


def test_mcnemar_from_margins_matches_r_and_the_microdata_version():
    b = mcnemar_from_margins(0.64, 0.55, 1200).set_index("n_both")
    assert b.index.min() == 228 and b.index.max() == 660 and len(b) == 433
    for row in R["mcnemar_margins"]:
        got = b.loc[row["n_both"]]
        assert got.statistic == pytest.approx(row["statistic"], rel=TOL)
        assert got.p_value == pytest.approx(row["p_value"], rel=TOL)
    one = b.loc[400]
    micro = paired_proportions(_pairs(400, 768 - 400, 660 - 400, 1200 - 768 - 660 + 400),
                               "a", "b", exact=False).iloc[0]
    for col in ["diff", "ci_low", "ci_high", "statistic", "p_value"]:
        assert one[col] == pytest.approx(micro[col], rel=1e-12), col
    assert b.p_value.is_monotonic_decreasing


def test_mcnemar_from_margins_bad_input():
    with pytest.raises(ValueError, match="p_a"):
        mcnemar_from_margins(64, 0.55, 1200)
    with pytest.raises(ValueError, match="n"):
        mcnemar_from_margins(0.64, 0.55, 0)
