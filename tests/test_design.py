"""supportstats.design and supportstats.linearization: the Design object, raking-adjusted SEs
against R's rake/calibrate (converged; stored numbers), agreement of the engine's paths."""
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import supportstats.design as design_module
import supportstats.linearization as engine
from supportstats import (Design, compare_groups, compare_waves, crosstab_test, rake,
                          weighted_mean, weighted_share)

REF = Path(__file__).parent / "reference"
R = json.loads((REF / "reference.json").read_text())
TOL = 1e-6
MARGINS = R["raking_inputs"]["margins"]


def _api(name):
    return pd.read_csv(REF / f"api_{name}.csv")


# ------------------------------------------------------------------------ the object
def test_design_is_plain_column_names_and_frozen():
    d = Design(weight="w", strata="s", cluster="c", fpc="f")
    assert (d.weight, d.strata, d.cluster, d.fpc, d.calibration) == ("w", "s", "c", "f", None)
    assert d.se_method == "linearization"
    with pytest.raises(AttributeError):
        d.weight = "other"
    assert d == Design(weight="w", strata="s", cluster="c", fpc="f") and hash(d)


def test_margins_imply_raking_and_keep_their_targets():
    d = Design(weight="w", margins=MARGINS)
    assert d.calibration == "raking" and d.margin_columns == ("stype", "awards")
    assert d.se_method == "linearization, raking residuals"
    assert Design(weight="w", margins=["stype"], base_weight="pw").se_method == \
        "linearization, calibration residuals"
    assert Design(weight="w", margins="stype", weights_fixed=True).se_method == \
        "linearization, weights fixed"
    hash(d)


@pytest.mark.parametrize("kwargs, match", [
    (dict(weight=1), "weight must be a column name"),
    (dict(weight="w", calibration="linear", margins=["a"]), "calibration='linear'"),
    (dict(weight="w", calibration="raking"), "needs margins"),
    (dict(margins=["a"]), "needs weight"),
    (dict(weight="w", base_weight="pw"), "give margins"),
    (dict(weight="w", margins=["a"], weights_fixed="yes"), "weights_fixed"),
])
def test_bad_designs(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Design(**kwargs)


def test_design_errors_name_the_column():
    data = _api("clus1")
    with pytest.raises(KeyError, match="cluster='district'"):
        weighted_mean(data, "api00", design=Design(cluster="district"))
    with pytest.raises(ValueError, match="strata column 'st' has missing values"):
        weighted_mean(data.assign(st=np.where(data.index == 4, None, "a")), "api00",
                      design=Design(strata="st"))
    with pytest.raises(ValueError, match="must be a supportstats.Design"):
        weighted_mean(data, "api00", design={"weight": "pw"})


# ----------------------------------------------------------- raking: SEs as R computes them
def _raked(name):
    data = _api(name)
    w = rake(data, MARGINS, weight="pw", total="margins", tol=1e-13, max_iter=1000)
    assert w.attrs["rake"]["converged"]
    return data.assign(w=w)


CASES = {
    "strat rake": ("strat", dict(weight="w", margins=MARGINS)),
    "strat calibrate": ("strat", dict(weight="w", margins=MARGINS, base_weight="pw")),
    "strat fixed": ("strat", dict(weight="w", margins=MARGINS, weights_fixed=True)),
    "clus1 rake": ("clus1", dict(weight="w", cluster="dnum", margins=list(MARGINS))),
    "clus1 calibrate": ("clus1", dict(weight="w", cluster="dnum", margins=MARGINS, base_weight="pw")),
}


def test_our_converged_raking_reproduces_r_and_r_default_control_does_not_converge():
    ours = _raked("strat").w.to_numpy()
    conv = np.array(R["raking_inputs"]["weights_strat"])
    np.testing.assert_allclose(ours, conv, rtol=1e-9)
    np.testing.assert_allclose(ours, R["raking_inputs"]["weights_strat_calibrate"], rtol=1e-9)
    # R's default control (maxit 10, epsilon 1 school) stops early: why the references are converged
    default = np.array(R["raking_inputs"]["default_control_weights_strat"])
    assert np.max(np.abs(default / conv - 1)) > 1e-6


@pytest.mark.parametrize("row", R["raking_se"], ids=lambda r: f"{r['case']}-{r['variable']}-{r['group']}")
def test_raked_standard_errors_match_r(row):
    file, kwargs = CASES[row["case"]]
    data, design = _raked(file), Design(**kwargs)
    if row["variable"] == "stype":
        got = weighted_share(data, "stype", value=row["group"][-1], design=design).iloc[0]
    elif row["by"]:
        got = weighted_mean(data, "api00", by="sch.wide", design=design).set_index("sch.wide").loc[row["group"]]
    elif row["variable"] == "yes":
        got = weighted_share(data, "yes", design=design).iloc[0]
    else:
        got = weighted_mean(data, "api00", design=design).iloc[0]
    assert got.estimate == pytest.approx(row["estimate"], rel=1e-9)
    if row["se"] < 1e-10:     # a raking margin's own share: exact, R prints 1e-14
        assert got.se < 1e-12
    else:
        assert got.se == pytest.approx(row["se"], rel=TOL)
    assert design.se_method in got.method


def test_raking_margin_share_has_zero_se_but_fixed_weights_do_not():
    data = _raked("strat")
    adj = weighted_share(data, "awards", value="Yes", design=Design(weight="w", margins=MARGINS)).iloc[0]
    fixed = weighted_share(data, "awards", value="Yes",
                           design=Design(weight="w", margins=MARGINS, weights_fixed=True)).iloc[0]
    assert adj.se < 1e-12 and fixed.se > 0.02
    # known by construction: the interval shrinks to the estimate, and still contains it
    assert adj.ci_low <= adj.estimate <= adj.ci_high and adj.ci_high - adj.ci_low < 1e-6
    assert fixed.ci_high - fixed.ci_low > 0.08


def test_declared_margins_are_checked_against_the_weights():
    data = _api("strat")
    with pytest.raises(ValueError, match="'pw' is not raked to the margins of 'stype'"):
        weighted_mean(data, "api00", design=Design(weight="pw", margins={"stype": {"E": 1, "H": 1, "M": 1}}))
    raked = _raked("strat")
    shares = {k: {lv: v / sum(m.values()) for lv, v in m.items()} for k, m in MARGINS.items()}
    weighted_mean(raked, "api00", design=Design(weight="w", margins=shares))


def test_raked_comparisons_and_crosstab_use_the_residuals():
    data = _raked("strat")
    design = Design(weight="w", margins=MARGINS)
    got = compare_groups(data, "api00", "sch.wide", design=design).iloc[0]
    fixed = compare_groups(data, "api00", "sch.wide",
                           design=Design(weight="w", margins=MARGINS, weights_fixed=True)).iloc[0]
    assert got["diff"] == pytest.approx(fixed["diff"]) and got.se != pytest.approx(fixed.se, rel=1e-4)
    assert "raking residuals" in got.method
    # both waves raked to the same margins: the difference of a raked share is exactly 0
    wave = compare_waves(data, data, "stype", value="E", design=design).iloc[0]
    assert abs(wave["diff"]) < 1e-12 and wave.se < 1e-12
    table = crosstab_test(data, "sch.wide", "awards", design=design).set_index("method")
    assert table.loc["rao-scott-f", "p_value"] < 1e-5


# ----------------------------------------------------- the engine's paths agree
@pytest.mark.parametrize("file, kwargs", [
    ("clus1", dict(weight="pw", cluster="dnum", fpc="fpc")),
    ("strat", dict(weight="pw", strata="stype")),
])
def test_dense_sparse_and_row_paths_agree(monkeypatch, file, kwargs):
    data = _api(file)
    design = Design(**kwargs)
    base_share = weighted_share(data, "meals3", value="mid", by="awards", design=design)
    base_mean = weighted_mean(data, "api00_na", by=["awards", "both"], design=design)
    base_pairs = compare_groups(data, "api00", "meals3", design=design)
    monkeypatch.setattr(engine, "_DENSE_CELLS", 0)
    cols = ["estimate", "se", "ci_low", "ci_high", "deff", "df"]
    np.testing.assert_allclose(weighted_share(data, "meals3", value="mid", by="awards",
                                              design=design)[cols], base_share[cols], rtol=1e-10)
    np.testing.assert_allclose(weighted_mean(data, "api00_na", by=["awards", "both"],
                                             design=design)[cols], base_mean[cols], rtol=1e-10)
    pair_cols = ["diff", "se", "df", "p_value"]
    np.testing.assert_allclose(compare_groups(data, "api00", "meals3", design=design)[pair_cols],
                               base_pairs[pair_cols], rtol=1e-10)


def test_row_path_equals_strata_path_without_clusters():
    """_var_rows (used for raked designs) and _var_strata compute the same thing."""
    data = _api("strat")
    res = design_module.resolve(data, Design(weight="pw", strata="stype", fpc="fpc"))
    dom, keys = design_module.domains(data, "meals3")
    codes, levels = design_module.factor(data["awards"])
    fast = engine.moments(res, dom, len(keys), codes=codes, n_levels=len(levels), cov=True)
    inside = dom >= 0
    args = (res, dom, inside, len(keys), len(levels), fast.estimate, fast.sum_w, codes, None)
    var, cov = engine._var_rows(*args, cov=True)
    np.testing.assert_allclose(var, fast.var, rtol=1e-10)
    np.testing.assert_allclose(cov, fast.cov, rtol=1e-9, atol=1e-15)
