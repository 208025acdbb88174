"""supportstats.banner: every cell equals the estimator it stands for (themselves checked
against R), letters equal the pairwise design-based tests adjusted within each row."""
import hashlib
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from supportstats import (BANNER_NOTE, Design, adjust_pvalues, banner, banner_table,
                          compare_groups, export_banner, weighted_mean, weighted_share)

REF = Path(__file__).parent / "reference"
DESIGN = Design(weight="pw", cluster="dnum", fpc="fpc")


@pytest.fixture(scope="module")
def clus1():
    return pd.read_csv(REF / "api_clus1.csv")


@pytest.fixture(scope="module")
def table(clus1):
    return banner(clus1, ["sch.wide", "meals3", "api00"], by="stype", design=DESIGN)


def test_cells_are_the_estimators_by_domain(clus1, table):
    cols = ["estimate", "se", "ci_low", "ci_high", "n", "n_eff", "deff", "df"]
    for level in ["high", "low", "mid"]:
        got = table[(table.question == "meals3") & (table.level == level) & (table.group != "Total")]
        want = weighted_share(clus1, "meals3", value=level, by="stype", design=DESIGN)
        np.testing.assert_allclose(got[cols].to_numpy(float), want[cols].to_numpy(float), rtol=1e-10)
    got = table[(table.question == "api00") & (table.group != "Total")]
    want = weighted_mean(clus1, "api00", by="stype", design=DESIGN)
    np.testing.assert_allclose(got[cols].to_numpy(float), want[cols].to_numpy(float), rtol=1e-10)
    total = table[(table.question == "api00") & (table.group == "Total")].iloc[0]
    assert total.estimate == pytest.approx(weighted_mean(clus1, "api00", design=DESIGN).estimate[0])
    assert list(table.letter.unique()) == ["", "A", "B", "C"]


@pytest.mark.parametrize("adjust", ["holm", "bh"])
def test_letters_are_pairwise_design_tests_adjusted_within_each_row(adjust):
    strat = pd.read_csv(REF / "api_strat.csv")
    design = Design(weight="pw", strata="stype", fpc="fpc")
    table = banner(strat, ["stype", "awards", "api00"], by="meals3", design=design, adjust=adjust)
    letter = {"high": "A", "low": "B", "mid": "C"}
    checked = 0
    for (q, level), cells in table[table.group != "Total"].groupby(["question", "level"], dropna=False):
        value = None if pd.isna(level) else level
        pairs = compare_groups(strat, q, "meals3", value=value, design=design)
        p_adj = adjust_pvalues(pairs.p_value, adjust).p_adjusted
        expected = {g: set() for g in letter}
        for r, pa in zip(pairs.itertuples(), p_adj):
            if pa < 0.05:
                hi, lo = (r.group_b, r.group_a) if r.diff > 0 else (r.group_a, r.group_b)
                expected[hi].add(letter[lo])
                checked += 1
        got = {g: set(h) for g, h in zip(cells.group, cells.higher_than)}
        assert got == expected, (q, level)
    assert checked >= 3     # the data do give letters: the check is not vacuous


def test_labels_blanks_and_low_bases(clus1):
    data = clus1.assign(sch_text=clus1["sch.wide"].where(clus1.index % 10 != 0, " "),
                        stype=clus1.stype.where(clus1.index % 25 != 1, ""))
    t = banner(data, ["sch_text"], by="stype", design=DESIGN, total=False,
               labels={"sch_text": "Met target", "stype": "School type"},
               value_labels={"sch_text": {"Yes": "yes", "No": "no"}, "stype": {"E": "Elementary"}})
    assert set(t.level) == {"No", "Yes"} and set(t.level_label) == {"no", "yes"}
    assert list(t.group.unique()) == ["E", "H", "M"]
    assert t.group_label.iloc[0] == "Elementary" and t.question_label.iloc[0] == "Met target"
    answered = data[(data.sch_text.str.strip() != "") & (data.stype != "")]
    assert t[t.level == "Yes"].n.tolist() == answered.groupby("stype").size().tolist()
    assert t.low_n.tolist() == list((t.n < 30) | (t.base_eff < 30))
    assert t.low_n.any() and not t.low_n.all()
    assert t.attrs["banner"]["by_label"] == "School type"


def test_numeric_scale_can_be_tabulated_by_level():
    df = pd.DataFrame({"sat": [1, 2, 3, 4, 5] * 20, "plan": ["a", "b"] * 50})
    as_mean = banner(df, "sat", by="plan", total=False)
    by_level = banner(df, "sat", by="plan", total=False, categorical=["sat"])
    assert list(as_mean.measure.unique()) == ["mean"] and len(as_mean) == 2
    assert len(by_level) == 10
    np.testing.assert_allclose(by_level.groupby("group").estimate.sum(), 1.0)


def test_wide_form_and_bases():
    df = pd.DataFrame({"resolved": ["Yes", "No"] * 30 + ["Yes"] * 20,
                       "plan": ["free"] * 40 + ["pro"] * 40})
    wide = banner_table(banner(df, "resolved", by="plan"))
    assert list(wide.columns) == ["Total", "free (A)", "pro (B)"]
    assert wide.loc[("resolved", "Base (unweighted)")].tolist() == ["80", "40", "40"]
    assert wide.loc[("resolved", "Yes"), "pro (B)"] == "75% A"
    with pytest.raises(ValueError, match="output of supportstats.banner"):
        banner_table(df)


def test_export_is_atomic_explained_and_byte_stable(tmp_path, table):
    out = tmp_path / "banner.xlsx"
    export_banner(table, out, title="API by school type", source="R survey: apiclus1")
    first = hashlib.sha256(out.read_bytes()).hexdigest()
    export_banner(table, out, title="API by school type", source="R survey: apiclus1")
    assert hashlib.sha256(out.read_bytes()).hexdigest() == first
    assert [p.name for p in tmp_path.iterdir()] == ["banner.xlsx"]      # no temporary left
    wb = openpyxl.load_workbook(out)
    cells = [c for row in wb["banner"].iter_rows(values_only=True) for c in row if c]
    assert "API by school type" in cells and "R survey: apiclus1" in cells
    assert any(str(c).startswith("Letters mark the columns") and "Holm" in c for c in cells)
    assert BANNER_NOTE.split("{")[0] in " ".join(map(str, cells))
    data = pd.DataFrame(list(wb["data"].iter_rows(min_row=2, values_only=True)),
                        columns=next(wb["data"].iter_rows(max_row=1, values_only=True)))
    np.testing.assert_allclose(data.estimate.astype(float), table.estimate, rtol=1e-15)


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(questions=["api00"], by="cds"), None, None),
    (dict(questions=["api00"], by="nope"), KeyError, "by='nope'"),
    (dict(questions=["nope"], by="stype"), KeyError, "questions='nope'"),
    (dict(questions=[], by="stype"), ValueError, "at least one"),
    (dict(questions=["api00"], by="stype", adjust="fdr"), ValueError, "adjust='fdr'"),
    (dict(questions=["api00"], by="stype", alpha=5), ValueError, "alpha=5"),
])
def test_bad_requests(clus1, kwargs, exc, match):
    if exc is None:
        with pytest.warns(RuntimeWarning, match="degrees of freedom"):   # one school per column
            banner(clus1.head(40), design=Design(weight="pw"), **kwargs)
        return
    with pytest.raises(exc, match=match):
        banner(clus1, design=DESIGN, **kwargs)
    with pytest.raises(ValueError, match="at least two levels"):
        banner(clus1.assign(one="x"), ["api00"], by="one")
