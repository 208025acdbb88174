"""supportstats.weights: Kish quantities and raking against R's survey::rake (stored numbers)."""
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from supportstats import design_effect, effective_n, rake

REF = Path(__file__).parent / "reference"
R = json.loads((REF / "reference.json").read_text())


def test_kish_design_effect_and_effective_n():
    w = np.array([1.0, 2.0, 3.0, 4.0])
    assert design_effect(w) == pytest.approx(4 * 30 / 100)
    assert effective_n(w) == pytest.approx(100 / 30)
    assert effective_n(pd.Series(w)) * design_effect(w) == pytest.approx(4)
    assert design_effect(np.full(7, 3.3)) == pytest.approx(1)


def test_effective_n_matches_r_per_domain():
    data = pd.read_csv(REF / "api_strat.csv")
    for row in R["survey_means"]:
        if row["design"] == "weights_only" and row["variable"] == "api00" and row["by"] == "stype":
            w = data.loc[data.stype == row["group"], "pw"]
            assert effective_n(w) == pytest.approx(row["n_eff"], rel=1e-12)


@pytest.mark.parametrize("bad", [[1, 0, 2], [1, -1], [1, np.nan], [], [1, np.inf]])
def test_bad_weights(bad):
    with pytest.raises(ValueError, match="weights"):
        design_effect(bad)


# --------------------------------------------------------------------------- rake
def _margins(*names):
    return {k: R["rake_margins"][k] for k in names}


@pytest.mark.parametrize("file, names, weight", [
    ("strat", ("stype", "sch.wide"), "pw"),
    ("clus1", ("stype", "sch.wide", "awards"), None),
])
def test_rake_matches_r_survey_rake(file, names, weight):
    data = pd.read_csv(REF / f"api_{file}.csv")
    expected = pd.read_csv(REF / f"rake_{file}.csv")
    w = rake(data, _margins(*names), weight=weight, total="margins", tol=1e-12, max_iter=500)
    assert (expected.cds.to_numpy() == data.cds.to_numpy()).all()
    np.testing.assert_allclose(w.to_numpy(), expected.weight.to_numpy(), rtol=1e-6)
    report = w.attrs["rake"]
    assert report["converged"] and report["max_margin_error"] < 1e-12 and report["kind"] == "counts"
    for name in names:
        got = w.groupby(data[name]).sum()
        for level, target in R["rake_margins"][name].items():
            assert got[level] == pytest.approx(target, rel=1e-9)


def test_rake_shares_give_same_relative_weights_scaled_to_n():
    data = pd.read_csv(REF / "api_strat.csv")
    counts = _margins("stype", "sch.wide")
    shares = {k: {lv: v / sum(m.values()) for lv, v in m.items()} for k, m in counts.items()}
    a = rake(data, counts, weight="pw")
    b = rake(data, shares, weight="pw")
    assert a.sum() == pytest.approx(len(data)) and b.sum() == pytest.approx(len(data))
    np.testing.assert_allclose(a, b, rtol=1e-9)
    assert rake(data, shares, total=1000.0).sum() == pytest.approx(1000)
    assert list(a.index) == list(data.index) and a.name == "weight"


def test_rake_trim_caps_weights():
    rng = np.random.default_rng(3)
    data = pd.DataFrame({"a": rng.choice(["x", "y"], 500, p=[0.85, 0.15]),
                         "b": rng.choice(["u", "v", "w"], 500, p=[0.6, 0.3, 0.1])})
    margins = {"a": {"x": 0.7, "y": 0.3}, "b": {"u": 0.4, "v": 0.35, "w": 0.25}}
    free = rake(data, margins)
    capped = rake(data, margins, trim=3.0)
    assert free.max() > 3.0 * free.mean()
    assert capped.max() <= 3.0 * capped.mean() * (1 + 1e-9)
    report = capped.attrs["rake"]
    assert report["converged"] and report["trimmed"] > 0 and report["max_margin_error"] < 1e-8
    assert capped.groupby(data.a).sum()["y"] / capped.sum() == pytest.approx(0.3, abs=1e-8)


def test_rake_infeasible_trim_warns_and_reports_the_real_margin_error():
    data = pd.DataFrame({"a": ["x"] * 90 + ["y"] * 10})
    with pytest.warns(RuntimeWarning, match="did not converge"):
        w = rake(data, {"a": {"x": 0.5, "y": 0.5}}, trim=2.0, max_iter=10)
    assert not w.attrs["rake"]["converged"]
    assert w.attrs["rake"]["max_margin_error"] == pytest.approx(
        abs(w[data.a == "y"].sum() / w.sum() - 0.5))


def test_rake_warns_when_it_cannot_converge():
    data = pd.DataFrame({"size": ["s"] * 5 + ["l"] * 5, "region": ["e"] * 5 + ["w"] * 5})
    margins = {"size": {"s": 0.5, "l": 0.5}, "region": {"e": 0.2, "w": 0.8}}
    with pytest.warns(RuntimeWarning, match="did not converge"):
        w = rake(data, margins, max_iter=20)
    assert not w.attrs["rake"]["converged"]


@pytest.mark.parametrize("margins, exc, match", [
    ({"stype": {"E": 1.0, "H": 0.0}}, ValueError, "sample level 'M'"),
    ({"stype": {"E": 0.5, "H": 0.2, "M": 0.2, "X": 0.1}}, ValueError, "margin level 'X'"),
    ({"stype": {"E": 100, "H": 50, "M": 50}, "awards": {"No": 100, "Yes": 50}}, ValueError,
     "do not sum alike"),
    ({"nope": {"a": 1.0}}, KeyError, "nope"),
    ({"stype": {"E": 0.5, "H": -0.1, "M": 0.6}}, ValueError, "non-negative"),
    ({}, ValueError, "non-empty"),
    ({"stype": {"E": 0.5, "H": 0.28, "M": 0.2}}, ValueError, "looks like shares.*0.98"),
    ({"stype": {"E": 0.5, "H": 0.3, "M": 0.2}, "awards": {"No": 0.4, "Yes": 0.58}}, ValueError,
     "'awards' looks like shares"),
    ({"stype": {"E": 0.5, "H": 0.3, "M": 0.2}, "awards": {"No": 400, "Yes": 600}}, ValueError,
     "do not sum alike"),
])
def test_rake_bad_margins(margins, exc, match):
    data = pd.read_csv(REF / "api_strat.csv")
    with pytest.raises(exc, match=match):
        rake(data, margins)


def test_rake_bad_arguments():
    data = pd.read_csv(REF / "api_strat.csv")
    m = {"awards": {"No": 0.4, "Yes": 0.6}}
    with pytest.raises(ValueError, match="missing values"):
        rake(data.assign(awards=data.awards.where(data.index != 3)), m)
    with pytest.raises(ValueError, match="total='margins' needs count margins"):
        rake(data, m, total="margins")
    with pytest.raises(ValueError, match="trim"):
        rake(data, m, trim=0.5)
    with pytest.raises(ValueError, match="population of 1000, not total=500"):
        rake(data, {"awards": {"No": 400, "Yes": 600}}, total=500)
    assert rake(data, {"awards": {"No": 400, "Yes": 600}}, total=1000).sum() == pytest.approx(1000)
    with pytest.raises(ValueError, match="row 2"):
        rake(data.assign(pw=data.pw.where(data.index != 2, 0.0)), m, weight="pw")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert rake(data, m).attrs["rake"]["converged"]
