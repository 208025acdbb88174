"""Cleaning steps as public functions of (data, definition); missing values never silent."""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from supportstats import steps
from supportstats.clean import analysis_table, clean_file, clean_survey
from supportstats.definition import load_definition
from supportstats.errors import InputError
from supportstats.io import read_table
from supportstats.paths import DATA_RAW
from supportstats.steps import STEPS

FIX = Path(__file__).resolve().parent / "data" / "surveys"
ACME = FIX / "acme_support.yml"


@pytest.mark.parametrize("survey,wave", [("trends", 2022), ("benchmark", 2021)])
def test_calling_the_steps_one_by_one_gives_what_clean_survey_gives(survey, wave):
    d = load_definition(survey)
    raw = read_table(DATA_RAW / f"synthetic_{survey}_{wave}.csv")
    before = raw.copy()
    data, exclusions = raw, []
    for name in STEPS:
        data, ex = getattr(steps, name)(data, d)
        assert list(ex.columns) == list(steps.EXCLUSION_COLUMNS)
        exclusions.append(ex)
    table = analysis_table(data, d, wave)
    whole = clean_survey(raw, survey, wave=wave)
    pd.testing.assert_frame_equal(table, whole.data)
    ex = pd.concat(exclusions, ignore_index=True).sort_values("row", kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(ex, whole.exclusions)
    pd.testing.assert_frame_equal(raw, before)  # no step changes the frame it is given


def test_each_step_returns_kept_rows_and_their_exclusions_with_reasons():
    raw = read_table(DATA_RAW / "synthetic_cs_ops_2023.csv")
    d = load_definition("cs_ops")
    for name in ("drop_blank", "drop_tests", "drop_partials", "drop_speeders"):
        kept, ex = getattr(steps, name)(raw, d)
        assert len(kept) + len(ex) == len(raw) and len(ex) > 0, name
        assert ex.step.eq(name).all() and ex.reason.str.len().gt(0).all()
        assert set(ex.row).isdisjoint(kept.index) and kept.index.name == "row"


def test_a_threshold_is_data_of_the_definition():
    raw = read_table(DATA_RAW / "synthetic_cs_ops_2023.csv")
    base = load_definition("cs_ops")
    _, ex = steps.drop_speeders(raw, base)
    _, strict = steps.drop_speeders(raw, base.with_cleaning(min_duration_sec=300))
    assert len(strict) > len(ex) and strict.reason.eq("completed in under 300 s").all()


@pytest.fixture(scope="module")
def acme():
    return {fmt: clean_file(FIX / f"acme_support_2023.{fmt}", survey=ACME, wave=2023) for fmt in ("csv", "sav")}


@pytest.mark.parametrize("fmt", ["csv", "sav"])
def test_fixture_audit_and_design_columns(acme, fmt):
    r = acme[fmt]
    assert (r.n_raw, r.n_clean, r.n_excluded) == (12, 8, 4)
    assert r.exclusions.set_index("row").step.to_dict() == {7: "drop_speeders", 9: "drop_blank",
                                                            11: "drop_straightliners", 13: "deduplicate"}
    d = r.data.set_index("resp_id")
    assert d.wt.dtype == "float64" and d.loc["A04", "wt"] == 1.5
    assert d.stratum.tolist()[:3] == ["S1", "S1", "S1"] and d.psu.nunique() == 4


@pytest.mark.parametrize("fmt", ["csv", "sav"])
def test_blanks_and_declared_codes_become_missing_with_the_code_kept(acme, fmt):
    d = acme[fmt].data.set_index("resp_id")
    # "Prefer not to say" (text in the CSV, SPSS user-missing 9 in the .sav) is missing, not a level
    assert pd.isna(d.loc["A03", "satisfaction"])
    assert d.loc["A03", "satisfaction_missing_code"] == {"csv": "Prefer not to say", "sav": "9"}[fmt]
    assert d.satisfaction.notna().sum() == 7 and d.satisfaction_missing_code.notna().sum() == 1
    assert pd.isna(d.loc["A03", "plan"]) and d.loc["A03", "plan_missing_code"] == "Prefer not to say"
    assert pd.isna(d.loc["A07", "plan"]) and pd.isna(d.loc["A07", "plan_missing_code"])  # blank: no code
    # 99 minutes is the declared "don't know", not a wait
    assert pd.isna(d.loc["A05", "wait_minutes"]) and d.loc["A05", "wait_minutes_missing_code"] == "99"
    assert d.wait_minutes.max() == 45
    assert pd.isna(d.loc["A05", "satisfaction_agent"])  # a blank cell is missing
    assert pd.isna(d.loc["A03", "comment"])  # whitespace only is blank
    assert d.loc["A01", ["channels_email", "channels_chat", "channels_phone"]].tolist() == [True, True, False]
    assert pd.isna(d.loc["A03", "channels_email"])  # no channel given: unanswered, not "none"
    assert d.region.tolist().count("south") == 5  # 'Sur' and 'South' are one level


def test_csv_and_sav_clean_to_the_same_answers(acme):
    a, b = (acme[f].data.drop(columns=["satisfaction_missing_code"]) for f in ("csv", "sav"))
    pd.testing.assert_frame_equal(a, b)


def test_recode_missing_alone_in_a_notebook():
    d = load_definition(ACME)
    raw = read_table(FIX / "acme_support_2023.csv")
    kept, ex = steps.recode_missing(raw, d)
    assert ex.empty and len(kept) == len(raw)
    assert kept.loc[4, "plan_missing_code"] == "Prefer not to say" and pd.isna(kept.loc[4, "plan"])


def test_an_unknown_label_still_raises_with_row_and_column(tmp_path):
    text = (FIX / "acme_support_2023.csv").read_text().replace("A04,1.5,S2,P3,180,Dissatisfied",
                                                               "A04,1.5,S2,P3,180,Meh")
    p = tmp_path / "acme_2023.csv"
    p.write_text(text)
    with pytest.raises(InputError, match=r"row 5: column 'satisfaction': got 'Meh'; expected an answer on the "
                                         r"satisfaction5 scale"):
        clean_file(p, survey=ACME)


def test_missing_design_column_values_raise(tmp_path):
    text = (FIX / "acme_support_2023.csv").read_text().replace("A05,1.1,S2,P3", "A05,1.1,,P3")
    p = tmp_path / "acme_2023.csv"
    p.write_text(text)
    with pytest.raises(InputError, match=r"row 6: column 'stratum'.*missing strata"):
        clean_file(p, survey=ACME)
    assert np.isnan(np.nan)
