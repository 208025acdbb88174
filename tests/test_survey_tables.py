"""supportstats.survey_tables: a survey of your own question by question, against R (survey_tables_reference.R)."""
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

import supportstats as ss
from supportstats import survey_tables as st
from supportstats.errors import InputError
from supportstats.paths import DATA_RAW

ROOT = Path(__file__).resolve().parents[1]
REF = ROOT / "tests" / "reference"
R = json.loads((REF / "survey_tables_reference.json").read_text())
FIX = ROOT / "tests" / "data" / "surveys"
ANES = DATA_RAW / "anes96"
HALVES_QUESTIONS = ["popul", "tvnews", "selflr", "clinlr", "dolelr", "pid", "age", "educ", "vote"]
TOL = 1e-6


@pytest.fixture(scope="module")
def anes():
    r = ss.clean_file(ANES / "anes96.sav", survey=ANES / "anes96.yml", wave=1996)
    return r.data, r.definition


@pytest.fixture(scope="module")
def acme():
    r = ss.clean_file(FIX / "acme_support_2023.sav", survey=FIX / "acme_support.yml", wave=2023)
    return r.data, r.definition


# ------------------------------------------------------------------------------ what to analyse
def test_analysis_columns_expand_multi_select_and_skip_free_text(acme):
    _, d = acme
    cols = st.analysis_columns(d)
    assert cols.column.tolist() == ["satisfaction", "satisfaction_agent", "resolved", "region", "plan",
                                    "channels_email", "channels_chat", "channels_phone", "wait_minutes"]
    assert cols.set_index("column").measure.to_dict()["resolved"] == "share"
    assert cols.set_index("column").measure.to_dict()["wait_minutes"] == "mean"
    assert "comment" not in cols.question.tolist()     # free text: no share, no mean
    assert st.analysis_columns(d, exclude=("region",)).column.str.contains("region").sum() == 0


def test_an_unknown_question_is_one_line_naming_the_questions(acme):
    with pytest.raises(InputError) as err:
        st.analysis_columns(acme[1], ["satisfation"])
    assert "\n" not in str(err.value) and "satisfation" in str(err.value) and "satisfaction_agent" in str(err.value)


def test_labels_come_from_the_definition_in_its_languages(acme):
    _, d = acme
    assert st.answer_labels(d, "region", "es") == {"north": "Norte", "south": "Sur"}
    assert st.answer_labels(d, "resolved", "es")[True] == "Sí"
    assert st.question_label(d, "channels_phone", "es") == "channels: Teléfono"     # no label: the name
    assert st.question_label(d, "satisfaction") == "How satisfied are you with our support?"
    assert st.answer_labels("trends", "team_burnout", "ja")[True] == "そう思う / 強くそう思う"
    with pytest.raises(KeyError, match="not a question column"):
        st.question_label(d, "wt")


# ------------------------------------------------------------------------------ the design
def test_weighted_without_a_weight_column_raises_instead_of_weights_of_one(anes):
    data, d = anes
    with pytest.raises(InputError, match="declares no weight column"):
        st.analysis_design(data, d, weighted=True)


def test_the_design_comes_from_the_definition(acme):
    data, d = acme
    _, design = st.analysis_design(data, d, weighted=True)
    assert (design.weight, design.strata, design.cluster) == ("wt", "stratum", "psu")
    _, unweighted = st.analysis_design(data, d)
    assert (unweighted.weight, unweighted.strata, unweighted.cluster) == (None, "stratum", "psu")
    assert "2 strata ('stratum'), 4 clusters ('psu')" in ss.design_summary(data, design)


def test_raking_reproduces_the_margins_and_says_so(anes):
    data, d = anes
    raked, design = st.analysis_design(data, d, margins={"vote": {"clinton": 0.49, "dole": 0.51}})
    assert design.se_method == "linearization, raking residuals" and design.margin_columns == ("vote",)
    share = ss.weighted_share(raked, "vote", value="dole", design=design).iloc[0]
    assert share.estimate == pytest.approx(0.51, abs=1e-9) and share.se < 1e-8   # a raked margin is known
    with pytest.raises(ValueError, match="sums to 0.98"):
        st.analysis_design(data, d, margins={"vote": {"clinton": 0.49, "dole": 0.49}})


# ------------------------------------------------------------------------------ estimates
def test_anes_shares_match_r_svyciprop_beta(anes):
    data, d = anes
    est = st.question_estimates(data, d, ["pid"])
    ref = pd.DataFrame(R["anes_shares"])
    assert est.answer.tolist() == list(d.column("pid").vocabulary.levels)
    np.testing.assert_allclose(est[["estimate", "ci_low", "ci_high"]].to_numpy(float),
                               ref[["estimate", "ci_low", "ci_high"]].to_numpy(float), rtol=TOL, atol=1e-12)
    assert est.estimate.sum() == pytest.approx(1.0) and (est.n == 944).all()


def test_weighted_clustered_estimates_match_r(acme):
    data, d = acme
    _, design = st.analysis_design(data, d, weighted=True)
    est = st.question_estimates(data, d, ["region", "wait_minutes"], design=design).set_index("answer")
    ref = pd.DataFrame(R["acme"]).set_index("what")
    for ours, theirs in ((est.loc["south"], ref.loc["region_south"]), (est.loc[[None]].iloc[0], ref.loc["wait_minutes"])):
        assert (ours.estimate, ours.se, ours.ci_low, ours.ci_high) == pytest.approx(
            (theirs.estimate, theirs.se, theirs.ci_low, theirs.ci_high), rel=TOL)
    # 99 ("don't know") and blanks are not minutes: 5 answers, not 8
    assert est.loc[[None]].iloc[0].n == 5


def test_every_answer_is_a_row_even_one_nobody_gave(acme):
    data, d = acme
    est = st.question_estimates(data, d, ["satisfaction", "channels"])
    sat = est[est.question == "satisfaction"]
    assert sat.answer.tolist() == list(d.column("satisfaction").vocabulary.levels)
    assert sat.estimate.sum() == pytest.approx(1.0) and (sat.n == 7).all()   # one "Prefer not to say" (9)
    assert est[est.question == "channels"].answer.tolist() == [True, True, True]


def test_estimates_summary_states_the_table(anes):
    data, d = anes
    est = st.question_estimates(data, d, ["pid", "age"])
    lines = st.estimates_summary(est, d)
    top = est[est.question == "pid"].sort_values("estimate").iloc[-1]
    assert lines[0] == (f"Party identification: most common answer Strong Democrat, {100 * top.estimate:.1f}% "
                        f"(95% CI {100 * top.ci_low:.1f}% to {100 * top.ci_high:.1f}%), n = 944.")
    assert lines[1].startswith("Age: mean 47.0 years (95% CI 46.0 to 48.1)")


# ------------------------------------------------------------------------------ banners
def test_a_banner_is_labelled_from_the_definition_and_leaves_out_its_breakdown(anes):
    data, d = anes
    b = st.survey_banner(data, d, "vote", ["pid", "vote", "age"])
    assert b.question.unique().tolist() == ["pid", "age"]
    assert b.group_label.unique().tolist() == ["Total", "Clinton", "Dole"]
    assert b[b.question == "pid"].level_label.iloc[0] == "Strong Democrat"
    # a mean of age by vote: the letter is where R's svyttest puts the difference
    age = b[(b.question == "age") & (b.group != "Total")].set_index("group")
    t = stats.ttest_ind(data.age[data.vote == "dole"], data.age[data.vote == "clinton"], equal_var=False)
    assert (age.higher_than.loc["dole"] == "A") == (t.statistic > 0 and t.pvalue < 0.05)


def test_a_breakdown_must_have_answer_levels(anes):
    data, d = anes
    with pytest.raises(InputError, match="'age' is a number question"):
        st.survey_banner(data, d, "age")
    with pytest.raises(InputError, match="not a question column"):
        st.survey_banner(data, d, "caseid")


def test_banner_summary_counts_what_the_banner_shows(anes):
    data, d = anes
    b = st.survey_banner(data, d, "educ", ["vote", "age"])
    text = st.banner_summary(b)
    tested = b[b.letter != ""]
    rows = tested.groupby(["question", "level_label"], dropna=False).higher_than.agg(lambda s: (s != "").any())
    assert f"{int(rows.sum())} of {len(rows)} rows differ" in text
    assert "Low bases (below 30; flagged *): 1-8 grades (n = 13)." in text


# ------------------------------------------------------------------------------ two waves
@pytest.fixture(scope="module")
def halves(anes):
    data, d = anes
    a, b = st.split_halves(data, "caseid")
    return st.compare_survey_waves(a, b, d, HALVES_QUESTIONS, names=("half 1", "half 2"))


def test_wave_comparison_matches_r_svyttest_and_p_adjust(halves):
    ref = pd.DataFrame(R["anes_halves"])
    assert len(halves) == len(ref) == 40
    ours = halves.assign(order=range(len(halves)))
    codes = {c: list(v) for c, v in ((q, ss.load_definition(ANES / "anes96.yml").column(q).vocabulary.levels)
                                     for q in ("selflr", "clinlr", "dolelr", "pid", "educ", "vote"))}
    first_code = {"selflr": 1, "clinlr": 1, "dolelr": 1, "pid": 0, "educ": 1, "vote": 0}
    ref["answer"] = [None if pd.isna(c) else codes[q][int(c) - first_code[q]] for q, c in zip(ref.column, ref.code)]
    merged = ref.merge(ours, on=["column", "answer"], how="left", suffixes=("_r", ""))
    assert merged.order.notna().all()
    np.testing.assert_allclose(merged[["diff", "statistic", "df", "p_value", "p_holm", "p_bh"]].to_numpy(float),
                               merged[["diff_r", "t", "df_r", "p", "p_holm_r", "p_bh_r"]].to_numpy(float),
                               rtol=TOL, atol=1e-12)


def test_unweighted_wave_differences_have_welchs_standard_error(halves, anes):
    data, _ = anes
    a, b = st.split_halves(data, "caseid")
    row = halves[halves.column == "age"].iloc[0]
    t = stats.ttest_ind(b.age.astype(float), a.age.astype(float), equal_var=False)
    assert row.statistic == pytest.approx(t.statistic, rel=1e-10)
    assert row.p_holm == pytest.approx(multipletests(halves.p_value, method="holm")[1][halves.column.tolist().index("age")])


def test_an_answer_neither_wave_gave_is_not_tested_nor_counted(acme):
    data, d = acme
    a, b = data.iloc[:4], data.iloc[4:]
    t = st.compare_survey_waves(a, b, d, ["plan", "resolved"], names=("x", "y"))
    assert t.p_value.notna().sum() == 4           # free, pro, enterprise and resolved; every answer seen once
    none = data.assign(plan=pd.Categorical(["free"] * 8, categories=data.plan.cat.categories))
    t = st.compare_survey_waves(none.iloc[:4], none.iloc[4:], d, ["plan", "resolved"], names=("x", "y"))
    untested = t[t.p_value.isna()]
    assert untested.answer.tolist() == ["free", "pro", "enterprise"]    # all "free" in both: nothing to test
    assert t.p_holm.notna().sum() == 1 and t.p_holm.dropna().iloc[0] == pytest.approx(t.p_value.dropna().iloc[0])


def test_waves_summary_counts_and_names_the_largest(halves, anes):
    text = st.waves_summary(halves, anes[1])
    assert text.startswith("Of 40 tested differences (half 2 minus half 1), 0 are significant after Holm adjustment "
                           "and 0 after Benjamini–Hochberg (α = 0.05)")
    top = halves.loc[halves.statistic.abs().idxmax()]
    assert f"{100 * top['diff']:+.1f} percentage points" in text


def test_split_halves_alternate_numeric_ids(anes):
    data, _ = anes
    a, b = st.split_halves(data, "caseid")
    assert len(a) == len(b) == 472 and set(a.caseid) | set(b.caseid) == set(data.caseid)
    assert (a.caseid.astype(int) % 2 == 1).all()
    with pytest.raises(InputError, match="missing value"):
        st.split_halves(data.assign(caseid=data.caseid.where(data.index != 5)), "caseid")


@pytest.mark.skipif(shutil.which("Rscript") is None, reason="Rscript not installed")
def test_reference_script_reproduces_the_stored_numbers(tmp_path):
    done = subprocess.run(["Rscript", str(REF / "survey_tables_reference.R"), str(tmp_path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    if done.returncode != 0 and "there is no package" in done.stderr:
        pytest.skip("R packages survey/haven/jsonlite not installed")
    assert done.returncode == 0, done.stderr
    fresh = json.loads((tmp_path / "survey_tables_reference.json").read_text())
    for key in R:
        a, b = pd.DataFrame(fresh[key]), pd.DataFrame(R[key])
        assert a.columns.tolist() == b.columns.tolist()
        num = b.select_dtypes("number").columns
        np.testing.assert_allclose(a[num].to_numpy(float), b[num].to_numpy(float), rtol=1e-9, equal_nan=True)


def test_a_question_nobody_answered_is_named_not_dropped_silently():
    d = {"id": "m", "title": "M", "languages": ["en"], "columns": {
        "r": {"role": "id"}, "region": {"type": "categorical", "levels": {"north": "North", "south": "South"}},
        "ok": {"type": "yes_no", "label": "Solved"}, "n": {"type": "number"}}}
    df = pd.DataFrame({"region": pd.Categorical(["north", "north", "south", "south"] * 10),
                       "ok": pd.array([None] * 40, dtype="boolean"),
                       "n": [1.0, 3.0] * 20, "r": [str(i) for i in range(40)]})
    est = st.question_estimates(df, d)
    assert est.attrs["unanswered"] == ["ok"] and "ok" not in est.question.tolist()
    assert st.estimates_summary(est, d)[-1] == "No answers at all, so no estimate: Solved."
    b = st.survey_banner(df, d, "region")
    assert b.question.unique().tolist() == ["n"]
    assert st.banner_summary(b).endswith("Left out, no answers at all: Solved.")
    a, bb = st.split_halves(df, "r")
    t = st.compare_survey_waves(a, bb.assign(n=np.nan), d)
    assert t.column.unique().tolist() == ["region"] and t.attrs["not_compared"] == ["ok", "n"]
    assert st.waves_summary(t, d).endswith("Not compared, no answers in one wave: Solved, n.")
    with pytest.raises(InputError, match="no question has answers in both waves"):
        st.compare_survey_waves(a, bb, d, ["ok"])
