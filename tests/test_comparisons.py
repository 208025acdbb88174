"""supportstats.comparisons (tests on respondent-level data) against R's survey package
(svyttest, svychisq; stored numbers), base R and exact enumeration. Reference numbers:
tests/reference/make_reference.R -> reference.json."""
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from supportstats import (Design, InputError, compare_groups, compare_proportions, compare_waves,
                          crosstab_test, paired_proportions, two_by_two)
from supportstats.significance import _newcombe_paired

REF = Path(__file__).parent / "reference"
R = json.loads((REF / "reference.json").read_text())
TOL = 1e-6


# ---------------------------------------------------------------------- paired
def _pairs(n11, n10, n01, n00):
    a = [True] * (n11 + n10) + [False] * (n01 + n00)
    b = [True] * n11 + [False] * n10 + [True] * n01 + [False] * n00
    return pd.DataFrame({"a": pd.array(a, dtype="boolean"), "b": pd.array(b, dtype="boolean")})


@pytest.mark.parametrize("row", R["paired"], ids=lambda r: f"{r['n10']}-{r['n01']}")
def test_paired_proportions_match_r(row):
    data = _pairs(row["n11"], row["n10"], row["n01"], row["n00"])
    exact = paired_proportions(data, "a", "b", exact=True).iloc[0]
    assert exact.p_value == pytest.approx(row["exact_p"], rel=TOL)
    if row["chi2"] is not None:
        asym = paired_proportions(data, "a", "b", exact=False).iloc[0]
        assert asym.statistic == pytest.approx(row["chi2"], rel=TOL)
        assert asym.p_value == pytest.approx(row["chi2_p"], rel=TOL)
    assert (exact.ci_low, exact.ci_high) == pytest.approx((row["ci_low"], row["ci_high"]), abs=TOL)
    assert exact.ci_low <= exact["diff"] <= exact.ci_high


def test_paired_interval_coverage_by_exact_enumeration():
    """Average coverage of the paired interval over a grid, enumerating every 2x2 table."""
    n = 20
    tables = np.array([(a, b, c, n - a - b - c) for a in range(n + 1) for b in range(n + 1 - a)
                       for c in range(n + 1 - a - b)])
    cis = np.column_stack(_newcombe_paired(*tables.T, 0.95))
    coverages = []
    for probs in [(0.3, 0.1, 0.2, 0.4), (0.5, 0.05, 0.05, 0.4), (0.1, 0.3, 0.1, 0.5)]:
        true = probs[2] - probs[1]
        inside = (cis[:, 0] <= true) & (true <= cis[:, 1])
        coverages.append(stats.multinomial.pmf(tables[inside], n, probs).sum())
    assert 0.93 < np.mean(coverages) < 0.985


def test_paired_chooses_exact_with_few_discordant_pairs_and_drops_incomplete():
    data = _pairs(10, 3, 5, 12)
    data.loc[0, "a"] = pd.NA
    r = paired_proportions(data, "a", "b").iloc[0]
    assert r.method == "mcnemar-exact" and r.n == 29 and r.n_discordant == 8


def test_paired_bad_input():
    data = _pairs(10, 3, 5, 12).assign(c=["x"] * 30)
    with pytest.raises(KeyError, match="zz"):
        paired_proportions(data, "a", "zz")
    with pytest.raises(ValueError, match="yes/no"):
        paired_proportions(data, "a", "c")


# ---------------------------------------------------------------------- crosstab
DESIGNS = {
    "strat_fpc": ("strat", dict(weight="pw", strata="stype", fpc="fpc")),
    "strat": ("strat", dict(weight="pw", strata="stype")),
    "weights_only": ("strat", dict(weight="pw")),
    "clus1_fpc": ("clus1", dict(weight="pw", cluster="dnum", fpc="fpc")),
    "clus1": ("clus1", dict(weight="pw", cluster="dnum")),
}


@pytest.mark.parametrize("row", [r for r in R["svychisq"] if r["design"] in DESIGNS],
                         ids=lambda r: f"{r['design']}-{r['row']}x{r['col']}")
def test_rao_scott_matches_r_svychisq(row):
    file, design = DESIGNS[row["design"]]
    data = pd.read_csv(REF / f"api_{file}.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        res = crosstab_test(data, row["row"], row["col"], **design).set_index("method")
    f, c = res.loc["rao-scott-f"], res.loc["rao-scott-chisq"]
    assert f.statistic == pytest.approx(row["F"], rel=TOL)
    assert f.df == pytest.approx(row["ndf"], rel=TOL)
    assert f.df_denom == pytest.approx(row["ddf"], rel=TOL)
    assert f.statistic_name == "F" and c.statistic_name == "X-squared"
    # R's "Chisq" prints Pearson's X^2 of the weighted table and tests X^2 / mean(delta);
    # we report the same X^2, and mean(delta) as deff (sum(delta) = X^2 / F).
    assert c.statistic == pytest.approx(row["pearson_x2"], rel=TOL)
    assert c.deff == pytest.approx(row["pearson_x2"] / (row["F"] * row["chisq_df"]), rel=TOL)
    assert c.df == row["chisq_df"]
    if row["F_p"] > 1e-50:
        assert f.p_value == pytest.approx(row["F_p"], rel=TOL)
        assert c.p_value == pytest.approx(row["chisq_p"], rel=TOL)


def test_first_order_statistic_is_what_r_prints_not_x2_over_mean_delta():
    """Issue 9: we used to report X^2 / mean(delta) = 34.49 where R prints X^2 = 26.75."""
    data = pd.read_csv(REF / "api_strat.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        c = crosstab_test(data, "sch.wide", "stype", weight="pw", strata="stype", fpc="fpc").iloc[0]
    assert c.statistic == pytest.approx(26.7535, abs=1e-4)
    assert c.statistic / c.deff == pytest.approx(34.4949, abs=1e-4)
    assert c.p_value == pytest.approx(stats.chi2.sf(c.statistic / c.deff, 2))


def test_crosstab_with_missing_values_matches_r_up_to_r_scaling_to_all_rows():
    ref = R["svychisq_na"]
    data = pd.read_csv(REF / "api_strat.csv")
    data.loc[::ref["missing_every"], "meals3"] = None
    res = crosstab_test(data, "meals3", "stype", weight="pw", strata="stype").set_index("method")
    c, f = res.loc["rao-scott-chisq"], res.loc["rao-scott-f"]
    assert c.n == ref["rows"] - ref["missing"]
    assert c.statistic * ref["rows"] / c.n == pytest.approx(ref["pearson_x2"], rel=TOL)
    assert c.p_value == pytest.approx(ref["chisq_p"], rel=TOL)
    assert (f.statistic, f.df, f.df_denom, f.p_value) == pytest.approx(
        (ref["F"], ref["ndf"], ref["ddf"], ref["F_p"]), rel=TOL)


def test_crosstab_never_shows_a_blank_level():
    data = pd.read_csv(REF / "api_strat.csv")
    blank = data.assign(meals3=data.meals3.where(data.index % 9 != 0, "  "))
    missing = data.assign(meals3=data.meals3.where(data.index % 9 != 0, None))
    a = crosstab_test(blank, "meals3", "stype", weight="pw")
    b = crosstab_test(missing, "meals3", "stype", weight="pw")
    assert a.n_rows.iloc[0] == 3
    pd.testing.assert_frame_equal(a, b)


def test_unweighted_crosstab_is_pearson_like_r():
    data = pd.read_csv(REF / "api_strat.csv")
    r = crosstab_test(data, "meals3", "stype").iloc[0]
    assert r.method == "pearson" and r.statistic_name == "X-squared" and np.isnan(r.deff)
    assert r.statistic == pytest.approx(R["pearson"]["statistic"], rel=TOL)
    assert r.p_value == pytest.approx(R["pearson"]["p_value"], rel=TOL)
    assert r.df == R["pearson"]["df"]


def test_crosstab_warns_on_small_expected_counts_and_checks_columns():
    df = pd.DataFrame({"a": ["x", "y"] * 5, "b": ["u"] * 9 + ["v"]})
    with pytest.warns(RuntimeWarning, match="expected counts below 5"):
        crosstab_test(df, "a", "b")
    with pytest.raises(KeyError, match="col='nope'"):
        crosstab_test(df, "a", "nope")
    with pytest.raises(ValueError, match="two observed levels"):
        crosstab_test(df.assign(c="same"), "a", "c")


# ---------------------------------------------------------------------- 2x2
@pytest.mark.parametrize("row", R["two_by_two"], ids=lambda r: f"{r['a']}-{r['b']}-{r['c']}-{r['d']}")
def test_two_by_two_matches_hand_written_r(row):
    a, b, c, d = (int(row[k]) for k in "abcd")
    data = pd.DataFrame({"exp": [True] * (a + b) + [False] * (c + d),
                         "out": [True] * a + [False] * b + [True] * c + [False] * d})
    res = two_by_two(data, "exp", "out").set_index("measure")
    for measure, key in (("risk_ratio", "rr"), ("odds_ratio", "or")):
        got = res.loc[measure]
        assert (got.estimate, got.ci_low, got.ci_high) == pytest.approx(
            (row[key], row[f"{key}_low"], row[f"{key}_high"]), rel=TOL)
    rd = res.loc["risk_difference"]
    direct = compare_proportions(c, c + d, a, a + b).iloc[0]
    assert (rd.estimate, rd.ci_low, rd.ci_high) == pytest.approx(
        (direct["diff"], direct.ci_low, direct.ci_high))
    assert res.p_exposed.iloc[0] == pytest.approx(a / (a + b))


def test_two_by_two_bad_input():
    data = pd.DataFrame({"exp": [True] * 10, "out": [True, False] * 5, "txt": ["x"] * 10})
    with pytest.raises(ValueError, match="unexposed"):
        two_by_two(data, "exp", "out")
    with pytest.raises(ValueError, match="yes/no"):
        two_by_two(data, "txt", "out")
    with pytest.raises(KeyError, match="zz"):
        two_by_two(data, "exp", "zz")


# ------------------------------------------------------------- two groups (R svyttest)
DESIGNS_T = dict(DESIGNS, unweighted=("strat", dict()))


def _api(name):
    return pd.read_csv(REF / f"api_{name}.csv")


@pytest.mark.parametrize("row", R["svyttest"], ids=lambda r: f"{r['design']}-{r['formula']}-{r['case']}")
def test_compare_groups_matches_r_svyttest(row):
    file, design = DESIGNS_T[row["design"]]
    y, group = (part.strip() for part in row["formula"].split("~"))
    pairs = [("E", "M")] if row["case"].startswith("pair") else None
    got = compare_groups(_api(file), y, group, design=Design(**design), pairs=pairs)
    assert len(got) == 1
    got = got.iloc[0]
    assert got["diff"] == pytest.approx(row["estimate"], rel=TOL)
    assert got.statistic == pytest.approx(row["statistic"], rel=TOL)
    assert got.df == row["df"]
    assert got.p_value == pytest.approx(row["p_value"], rel=TOL)
    assert (got.ci_low, got.ci_high) == pytest.approx((row["ci_low"], row["ci_high"]), rel=TOL)
    assert got["diff"] == pytest.approx(got.estimate_b - got.estimate_a)
    assert got.measure == ("share" if y == "yes" else "mean")


def test_pairwise_ses_of_three_groups_match_one_svyglm():
    ref = R["svyglm_stype_clus1"]
    got = compare_groups(_api("clus1"), "api00", "stype", weight="pw", cluster="dnum",
                         adjust="holm").set_index(["group_a", "group_b"])
    assert got.loc[("E", "H"), "diff"] == pytest.approx(ref["coef"]["stypeH"], rel=TOL)
    assert got.loc[("E", "H"), "se"] == pytest.approx(ref["se"]["stypeH"], rel=TOL)
    assert got.loc[("E", "M"), "se"] == pytest.approx(ref["se"]["stypeM"], rel=TOL)
    assert got.loc[("H", "M"), "se"] == pytest.approx(ref["se_m_minus_h"], rel=TOL)
    # Holm over the three pairs, as R's p.adjust
    p = got.p_value.to_numpy()
    order = np.argsort(p)
    holm = np.minimum(1, np.maximum.accumulate(p[order] * (3 - np.arange(3))))
    np.testing.assert_allclose(got.p_adjusted.to_numpy()[order], holm)


def test_group_covariance_matters_in_a_cluster_design():
    """Two groups that share PSUs are not independent: the SE is not sqrt(se_a^2 + se_b^2)."""
    data = _api("clus1")
    from supportstats import weighted_mean
    by = weighted_mean(data, "api00", by="sch.wide", weight="pw", cluster="dnum").set_index("sch.wide")
    got = compare_groups(data, "api00", "sch.wide", weight="pw", cluster="dnum").iloc[0]
    naive = np.hypot(by.loc["No", "se"], by.loc["Yes", "se"])
    assert got.se != pytest.approx(naive, rel=0.01)


@pytest.mark.parametrize("row", R["svyttest_waves"], ids=lambda r: f"{r['design']}-{r['formula']}")
def test_compare_waves_matches_r_on_the_stacked_design(row):
    y = row["formula"].split("~")[0].strip()
    if row["design"] == "unweighted":
        got = compare_waves(_api("strat"), _api("clus2"), y)
    else:
        got = compare_waves(_api("clus1"), _api("clus2"), y, design=Design(weight="pw", cluster="dnum"))
    got = got.iloc[0]
    assert got["diff"] == pytest.approx(row["estimate"], rel=TOL)
    assert got.statistic == pytest.approx(row["statistic"], rel=TOL)
    assert got.df == row["df"]
    assert got.p_value == pytest.approx(row["p_value"], rel=TOL)
    assert (got.ci_low, got.ci_high) == pytest.approx((row["ci_low"], row["ci_high"]), rel=TOL)


def test_compare_waves_nests_strata_and_clusters_in_waves():
    """The same stratum or cluster id in two waves is two strata or clusters."""
    a, b = _api("clus1"), _api("clus2")
    got = compare_waves(a, b, "api00", weight="pw", cluster="dnum", strata="stype").iloc[0]
    psus = a.groupby("stype").dnum.nunique().sum() + b.groupby("stype").dnum.nunique().sum()
    assert got.df == psus - 6 - 1


def test_compare_groups_blanks_missing_and_bad_requests():
    df = pd.DataFrame({"resolved": ["Yes", "No", "", " ", None, "Yes"] * 10,
                       "plan": ["a", "b"] * 30})
    got = compare_groups(df, "resolved", "plan", value="Yes").iloc[0]
    assert (got.n_a, got.n_b) == (10, 20) and got.measure == "share"
    with pytest.raises(InputError, match="'Maybe'.*one of 'No', 'Yes'"):
        compare_groups(df, "resolved", "plan", value="Maybe")
    with pytest.raises(ValueError, match="yes/no"):
        compare_groups(df, "resolved", "plan")
    with pytest.raises(ValueError, match="pairs must name two groups"):
        compare_groups(df, "resolved", "plan", value="Yes", pairs=[("a", "z")])
    with pytest.raises(ValueError, match="at least two groups"):
        compare_groups(df.assign(plan="a"), "resolved", "plan", value="Yes")
    with pytest.raises(KeyError, match="weight='w'"):
        compare_groups(df, "resolved", "plan", value="Yes", weight="w")
    with pytest.raises(ValueError, match="labels"):
        compare_waves(df, df, "resolved", value="Yes", labels=("x", "x"))
