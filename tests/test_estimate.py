"""supportstats.estimate against R (stored numbers), Newcombe's published table and exact
enumeration. Reference numbers: tests/reference/make_reference.R -> reference.json."""
import json
import math
import shutil
import subprocess
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from supportstats import Design, InputError, proportion_ci, weighted_mean, weighted_share

REF = Path(__file__).parent / "reference"
R = json.loads((REF / "reference.json").read_text())
TOL = 1e-6


def _api(name):
    return pd.read_csv(REF / f"api_{name}.csv")


DESIGNS = {
    "strat_fpc": ("strat", dict(weight="pw", strata="stype", fpc="fpc")),
    "strat": ("strat", dict(weight="pw", strata="stype")),
    "weights_only": ("strat", dict(weight="pw")),
    "unweighted": ("strat", dict()),
    "clus1_fpc": ("clus1", dict(weight="pw", cluster="dnum", fpc="fpc")),
    "clus1": ("clus1", dict(weight="pw", cluster="dnum")),
}


# ------------------------------------------------------------------- proportion_ci
@pytest.mark.parametrize("row", R["proportion_ci"],
                         ids=lambda r: f"{r['method']}-{r['x']:g}/{r['n']:g}-{r['level']}")
def test_proportion_ci_matches_r(row):
    got = proportion_ci(row["x"], row["n"], level=row["level"], method=row["method"]).iloc[0]
    assert got["ci_low"] == pytest.approx(row["ci_low"], abs=TOL)
    assert got["ci_high"] == pytest.approx(row["ci_high"], abs=TOL)


# Newcombe (1998a), Table I, published to 4 decimals: methods 3 (Wilson), 4 (Wilson with
# continuity correction) and 5 (Clopper-Pearson).
NEWCOMBE_TABLE_I = {
    "wilson": [(0.2553, 0.3662), (0.0624, 0.1605), (0.0, 0.1611), (0.0061, 0.1718)],
    "wilson-cc": [(0.2535, 0.3682), (0.0598, 0.1644), (0.0, 0.2005), (0.0018, 0.1963)],
    "clopper-pearson": [(0.2527, 0.3676), (0.0578, 0.1617), (0.0, 0.1684), (0.0009, 0.1776)],
}


@pytest.mark.parametrize("method", sorted(NEWCOMBE_TABLE_I))
def test_proportion_ci_matches_newcombe_1998_table(method):
    got = proportion_ci([81, 15, 0, 1], [263, 148, 20, 29], method=method)
    expected = np.array(NEWCOMBE_TABLE_I[method])
    np.testing.assert_allclose(got[["ci_low", "ci_high"]].to_numpy(), expected, atol=5.1e-5)


def test_clopper_pearson_bounds_solve_the_binomial_tails_exactly():
    n, level = 23, 0.9
    res = proportion_ci(np.arange(n + 1), n, level=level, method="clopper-pearson")
    a = (1 - level) / 2
    for x, lo, hi in zip(range(n + 1), res.ci_low, res.ci_high):
        if x > 0:
            assert stats.binom.sf(x - 1, n, lo) == pytest.approx(a, abs=1e-9)
        if x < n:
            assert stats.binom.cdf(x, n, hi) == pytest.approx(a, abs=1e-9)


def test_clopper_pearson_coverage_never_below_nominal_by_enumeration():
    n, level = 20, 0.95
    res = proportion_ci(np.arange(n + 1), n, level=level, method="clopper-pearson")
    for p in np.linspace(0.005, 0.995, 199):
        covered = (res.ci_low.to_numpy() <= p) & (p <= res.ci_high.to_numpy())
        coverage = stats.binom.pmf(np.arange(n + 1), n, p)[covered].sum()
        assert coverage >= level - 1e-12


def test_wilson_bounds_invert_the_score_test():
    z = stats.norm.ppf(0.975)
    for x, n in [(3, 17), (0, 12), (40, 41)]:
        r = proportion_ci(x, n).iloc[0]
        for bound in (r.ci_low, r.ci_high):
            if 0 < bound < 1:
                assert abs(x / n - bound) / math.sqrt(bound * (1 - bound) / n) == pytest.approx(z)


@pytest.mark.parametrize("method", ["wilson", "wilson-cc", "clopper-pearson", "agresti-coull",
                                    "jeffreys"])
def test_boundary_counts_give_proper_intervals(method):
    r = proportion_ci([0, 12], 12, method=method)
    assert r.ci_low.iloc[0] == 0 and r.ci_high.iloc[0] > 0.05
    assert r.ci_high.iloc[1] == 1 and r.ci_low.iloc[1] < 0.95
    assert (r.ci_high - r.ci_low > 0).all()


def test_proportion_ci_vectorised_keeps_series_index_and_flags_low_n():
    x = pd.Series([3, 40], index=["small", "large"])
    r = proportion_ci(x, pd.Series([10, 100], index=["small", "large"]))
    assert list(r.index) == ["small", "large"]
    assert r.low_n.tolist() == [True, False]
    assert list(r.columns) == ["successes", "n", "estimate", "se", "ci_low", "ci_high", "level",
                               "method", "low_n"]


@pytest.mark.parametrize("kwargs, match", [
    (dict(successes=1, n=0), "n must be positive"),
    (dict(successes=5, n=4), "successes must not exceed n"),
    (dict(successes=-1, n=4), "successes=-1"),
    (dict(successes=1.5, n=4), "successes=1.5"),
    (dict(successes=float("nan"), n=4), "successes contains NaN"),
    (dict(successes=1, n=4, level=1.0), "level=1.0"),
    (dict(successes=1, n=4, level=0), "level=0"),
    (dict(successes=1, n=4, method="wald"), "method='wald'"),
])
def test_proportion_ci_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        proportion_ci(**kwargs)


# ------------------------------------------------------------- design-based estimates
def _ref_rows(variable):
    return [r for r in R["survey_means"] if r["variable"] == variable]


def _ours(row):
    file, design = DESIGNS[row["design"]]
    data = _api(file)
    by = None if row["by"] == "" else row["by"].split("+")
    if row["variable"] == "yes":
        res = weighted_share(data, "yes", by=by, **design)
    else:
        res = weighted_mean(data, row["variable"], by=by, **design)
    if by is None:
        return res.iloc[0]
    keys = res[by].astype(str).agg("|".join, axis=1)
    return res[keys == row["group"]].iloc[0]


@pytest.mark.parametrize("variable", ["api00", "yes", "api00_na"])
def test_design_estimates_and_linearized_se_match_r_survey(variable):
    for row in _ref_rows(variable):
        got = _ours(row)
        where = f"{row['design']} {row['by']} {row['group']}"
        assert got["estimate"] == pytest.approx(row["estimate"], rel=TOL, abs=TOL), where
        assert got["se"] == pytest.approx(row["se"], rel=TOL, abs=TOL), where


def _deff_rows():
    return [r for r in R["deff"]]


@pytest.mark.parametrize("row", R["deff"], ids=lambda r: f"{r['design']}-{r['variable']}-{r['group']}")
def test_design_effect_and_domain_df_match_r(row):
    got = _ours(dict(row, by=row["by"], group=row["group"]))
    # with an fpc the SRS compared with is without replacement (R deff=TRUE), else with (R "replace")
    want = row["deff_true"] if "fpc" in row["design"] else row["deff_replace"]
    assert got["deff"] == pytest.approx(want, rel=TOL)
    assert got["n_eff"] == pytest.approx(got["n"] / want, rel=TOL)
    assert got["df"] == row["degf"]


@pytest.mark.parametrize("row", R["svyciprop_beta"],
                         ids=lambda r: f"{r['design']}-{r['group']}-{r['level']}")
def test_default_share_interval_is_r_svyciprop_beta_overall_and_by_domain(row):
    file, design = DESIGNS[row["design"]]
    by = None if row["by"] == "" else row["by"]
    res = weighted_share(_api(file), "yes", by=by, level=row["level"], design=Design(**design))
    got = res.iloc[0] if by is None else res[res[by] == row["group"]].iloc[0]
    assert got.method == "korn-graubard"
    assert got.estimate == pytest.approx(row["estimate"], rel=TOL)
    assert (got.ci_low, got.ci_high) == pytest.approx((row["ci_low"], row["ci_high"]), abs=TOL)


def test_weighted_mean_interval_uses_design_df_like_r_confint():
    for row in _ref_rows("api00"):
        if row["by"] == "":
            got = _ours(row)
            assert got["df"] == row["df"]
            assert got["ci_low"] == pytest.approx(row["ci_low_t"], rel=TOL)
            assert got["ci_high"] == pytest.approx(row["ci_high_t"], rel=TOL)


def test_weighted_share_wilson_with_kish_n_and_korn_graubard_match_r():
    for row in _ref_rows("yes"):
        if row["by"] != "":
            continue
        file, design = DESIGNS[row["design"]]
        kish = weighted_share(_api(file), "yes", method="wilson", ci_n="kish", **design).iloc[0]
        assert kish["ci_low"] == pytest.approx(row["wilson_kish_low"], abs=TOL)
        assert kish["ci_high"] == pytest.approx(row["wilson_kish_high"], abs=TOL)
        kg = weighted_share(_api(file), "yes", method="clopper-pearson", ci_n="design",
                            **design).iloc[0]
        assert kg["ci_low"] == pytest.approx(row["beta_low"], abs=TOL), row["design"]
        assert kg["ci_high"] == pytest.approx(row["beta_high"], abs=TOL), row["design"]


def test_unweighted_share_equals_proportion_ci():
    data = _api("strat")
    for method in ["wilson", "wilson-cc", "jeffreys"]:
        ours = weighted_share(data, "sch.wide", by="stype", value="Yes", method=method, ci_n="kish")
        direct = proportion_ci(ours.estimate * ours.n, ours.n, method=method)
        np.testing.assert_allclose(ours[["estimate", "ci_low", "ci_high"]].to_numpy(),
                                   direct[["estimate", "ci_low", "ci_high"]].to_numpy(), atol=1e-12)
    whole = weighted_share(data, "sch.wide", value="Yes").iloc[0]
    assert whole.deff == pytest.approx(1) and whole.n_eff == pytest.approx(whole.n)
    # Korn-Graubard on a simple random sample is Clopper-Pearson on n - 1 trials (as R)
    m, p = whole.n - 1, whole.estimate
    cp = (stats.beta.ppf(0.025, m * p, m * (1 - p) + 1), stats.beta.ppf(0.975, m * p + 1, m * (1 - p)))
    assert (whole.ci_low, whole.ci_high) == pytest.approx(cp, abs=1e-12)


def test_domain_is_not_the_same_as_filtering_first():
    data = _api("clus1")
    design = dict(weight="pw", cluster="dnum")
    domain = weighted_mean(data, "api00", by="stype", **design).set_index("stype")
    high = data[data.stype == "H"]
    filtered = weighted_mean(high, "api00", **design).iloc[0]
    assert domain.loc["H", "estimate"] == pytest.approx(filtered["estimate"])
    # the df are the domain's (R's degf of the subset), the SE uses every PSU of the sample
    assert domain.loc["H", "df"] == filtered["df"] == high.dnum.nunique() - 1
    assert domain.loc["H", "se"] != pytest.approx(filtered["se"], rel=1e-3)


def test_share_output_columns_and_low_n_flag():
    data = _api("strat")
    res = weighted_share(data, "yes", by=["stype", "awards"], weight="pw")
    assert list(res.columns) == ["stype", "awards", "estimate", "se", "ci_low", "ci_high", "level",
                                 "n", "n_eff", "deff", "df", "method", "low_n"]
    assert res.low_n.tolist() == list((res.n < 30) | (res.n_eff < 30))
    assert res.low_n.any() and not res.low_n.all()


def test_boolean_column_with_missing_values_and_value_argument():
    df = pd.DataFrame({"a": pd.array([True, False, None, True], dtype="boolean"),
                       "cat": ["x", "y", None, "x"], "w": [1.0, 2.0, 3.0, 1.0]})
    r = weighted_share(df, "a", weight="w").iloc[0]
    assert r.n == 3 and r.estimate == pytest.approx(0.5)
    r = weighted_share(df, "cat", value="x", weight="w").iloc[0]
    assert r.n == 3 and r.estimate == pytest.approx(0.5)


def test_share_at_zero_is_not_zero_width():
    df = pd.DataFrame({"a": [False] * 40, "w": np.linspace(1, 2, 40)})
    r = weighted_share(df, "a", weight="w").iloc[0]
    assert r.estimate == 0 and r.ci_low == 0 and r.ci_high > 0.05


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(column="nope"), KeyError, "column='nope'"),
    (dict(column="yes", by="nope"), KeyError, "by='nope'"),
    (dict(column="yes", weight="nope"), KeyError, "weight='nope'"),
    (dict(column="stype"), ValueError, "not yes/no"),
    (dict(column="yes", level=95), ValueError, "level=95"),
    (dict(column="yes", method="logit"), ValueError, "method='logit'"),
    (dict(column="yes", ci_n="n"), ValueError, "ci_n='n'"),
    (dict(column="stype", value="X"), InputError, "'X'.*one of 'E', 'H', 'M'"),
    (dict(column="yes", design=Design(weight="pw"), weight="pw"), ValueError, "design once"),
])
def test_weighted_share_bad_input(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        weighted_share(_api("strat"), **kwargs)


@pytest.mark.parametrize("bad", [0.0, -1.0, np.nan])
def test_bad_weights_are_refused_with_their_row(bad):
    data = _api("strat")
    data.loc[5, "pw"] = bad
    with pytest.raises(ValueError, match="row 5"):
        weighted_mean(data, "api00", weight="pw")


def test_single_psu_stratum_is_refused():
    data = _api("clus1").assign(st=lambda d: np.where(d.dnum == d.dnum.iloc[0], "a", "b"))
    with pytest.raises(ValueError, match="single PSU"):
        weighted_mean(data, "api00", weight="pw", strata="st", cluster="dnum")


def test_weighted_mean_rejects_non_numeric():
    with pytest.raises(ValueError, match="must be numeric"):
        weighted_mean(_api("strat"), "stype")


@pytest.mark.skipif(shutil.which("Rscript") is None, reason="Rscript not installed")
def test_reference_script_reproduces_the_stored_numbers(tmp_path):
    """Live R: re-run make_reference.R and compare with the committed reference.json."""
    root = Path(__file__).parents[1]
    done = subprocess.run(["Rscript", str(REF / "make_reference.R"), str(tmp_path)], cwd=root,
                          capture_output=True, text=True, timeout=300)
    if done.returncode != 0 and "there is no package" in done.stderr:
        pytest.skip("R packages survey/pwr/jsonlite not installed")
    assert done.returncode == 0, done.stderr
    fresh = json.loads((tmp_path / "reference.json").read_text())
    for key in ("proportion_ci", "compare_proportions", "survey_means", "svychisq", "svyciprop_beta",
                "deff", "svyttest", "svyttest_waves", "raking_se"):
        a, b = pd.DataFrame(fresh[key]), pd.DataFrame(R[key])
        num = a.select_dtypes("number").columns
        np.testing.assert_allclose(a[num].to_numpy(float), b[num].to_numpy(float), rtol=1e-9,
                                   equal_nan=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.testing.assert_allclose(pd.read_csv(tmp_path / "rake_strat.csv").weight,
                                   pd.read_csv(REF / "rake_strat.csv").weight, rtol=1e-9)


def test_groups_match_pandas_groupby_including_boolean_and_missing_keys():
    df = pd.DataFrame({
        "y": pd.array([True, False, True, None, True, False, True, True], dtype="boolean"),
        "cut": pd.array([True, True, False, False, None, True, False, True], dtype="boolean"),
        "size": pd.Categorical(["s", "l", "s", "l", "s", None, "l", "s"], categories=["s", "m", "l"]),
    })
    with pytest.warns(RuntimeWarning, match="degrees of freedom <= 0"):   # groups of one answer
        res = weighted_share(df, "y", by=["cut", "size"])
    answered = df[df.y.notna()]
    expected = answered.groupby(["cut", "size"], observed=True, sort=True)["y"].agg(["mean", "size"])
    assert [tuple(k) for k in res[["cut", "size"]].itertuples(index=False)] == list(expected.index)
    np.testing.assert_allclose(res.estimate, expected["mean"].astype(float))
    assert res.n.tolist() == expected["size"].tolist()
    assert res["size"].dtype == df["size"].dtype


def test_interval_properties_hold_for_random_counts():
    hypothesis = pytest.importorskip("hypothesis")
    st = hypothesis.strategies

    @hypothesis.settings(max_examples=150, deadline=None)
    @hypothesis.given(n=st.integers(1, 5000), frac=st.floats(0, 1), level=st.floats(0.5, 0.999))
    def check(n, frac, level):
        x = int(round(frac * n))
        for method in ["wilson", "wilson-cc", "clopper-pearson", "agresti-coull", "jeffreys"]:
            r = proportion_ci(x, n, level=level, method=method).iloc[0]
            assert 0 <= r.ci_low <= r.estimate <= r.ci_high <= 1
            assert r.ci_high - r.ci_low > 0
        wide = proportion_ci(x, n, level=min(level + 0.0005, 0.9995)).iloc[0]
        narrow = proportion_ci(x, n, level=level).iloc[0]
        assert wide.ci_low <= narrow.ci_low + 1e-15 and wide.ci_high >= narrow.ci_high - 1e-15

    check()


def test_design_results_do_not_depend_on_weight_scale_or_row_order():
    data = _api("clus1")
    design = dict(weight="pw", cluster="dnum", fpc="fpc")
    base = weighted_share(data, "yes", by="stype", **design)
    scaled = weighted_share(data.assign(pw=data.pw * 123.4), "yes", by="stype", **design)
    shuffled = weighted_share(data.sample(frac=1, random_state=1), "yes", by="stype", **design)
    cols = ["estimate", "se", "ci_low", "ci_high"]
    np.testing.assert_allclose(scaled[cols], base[cols], rtol=1e-10)
    # (deff with an fpc compares with SRS without replacement from N = sum of weights, as R)
    np.testing.assert_allclose(shuffled[cols + ["deff", "n_eff"]], base[cols + ["deff", "n_eff"]],
                               rtol=1e-10)


# ----------------------------------------------------- missing values are never counted
def test_blank_and_whitespace_answers_are_missing_and_n_says_so():
    """Issue 9: readers leave blanks as "", which used to be counted (n = 400, 0.1525)."""
    answers = ["Very satisfied"] * 61 + ["Other"] * 331 + [""] * 5 + ["  "] * 3
    df = pd.DataFrame({"sat": answers, "region": ["n", "s"] * 200})
    got = weighted_share(df, "sat", value="Very satisfied").iloc[0]
    assert got.n == 392 and got.estimate == pytest.approx(61 / 392)
    by = weighted_share(df.assign(region=df.region.where(df.index % 50 != 0, "")), "sat",
                        value="Other", by="region")
    assert list(by.region) == ["n", "s"]


def test_value_that_no_one_gave_raises_but_a_declared_empty_category_is_zero():
    df = pd.DataFrame({"resolved": ["Yes"] * 30 + ["No"] * 10})
    with pytest.raises(InputError, match="'Maybe'.*one of 'No', 'Yes'"):
        weighted_share(df, "resolved", value="Maybe")
    declared = df.assign(resolved=pd.Categorical(df.resolved, categories=["Yes", "No", "Maybe"]))
    assert weighted_share(declared, "resolved", value="Maybe").estimate.iloc[0] == 0


def test_missing_weight_column_raises():
    df = pd.DataFrame({"yes": [True, False] * 20})
    with pytest.raises(KeyError, match="weight='weight' is not a column"):
        weighted_share(df, "yes", weight="weight")
    with pytest.raises(KeyError, match="weight='weight' is not a column"):
        weighted_mean(df.assign(x=1.0), "x", design=Design(weight="weight"))


def test_low_n_fires_on_the_design_effective_n():
    data = _api("clus1")
    res = weighted_mean(data, "api00", weight="pw", cluster="dnum")
    row = res.iloc[0]
    assert row.n == 183 and row.deff > 9 and row.n_eff < 30 and row.low_n


def test_design_argument_equals_the_loose_columns():
    data = _api("clus1")
    a = weighted_share(data, "yes", by="stype", weight="pw", cluster="dnum", fpc="fpc")
    b = weighted_share(data, "yes", by="stype", design=Design(weight="pw", cluster="dnum", fpc="fpc"))
    pd.testing.assert_frame_equal(a, b)


def test_simulated_cluster_design_interval_uses_the_design():
    """Issue 9: with a strong cluster effect the Kish interval is far too narrow."""
    rng = np.random.default_rng(5)
    cluster = np.repeat(np.arange(40), 25)
    p = np.clip(0.55 + rng.normal(0, 0.2, 40), 0.02, 0.98)[cluster]
    df = pd.DataFrame({"y": rng.random(1000) < p, "c": cluster, "w": rng.uniform(1, 2, 1000)})
    design = weighted_share(df, "y", weight="w", cluster="c").iloc[0]
    kish = weighted_share(df, "y", weight="w", cluster="c", ci_n="kish", method="wilson").iloc[0]
    assert design.deff > 3
    assert design.ci_high - design.ci_low > 1.5 * (kish.ci_high - kish.ci_low)
    assert design.n_eff == pytest.approx(design.n / design.deff)
