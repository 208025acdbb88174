"""`survey init` drafts a definition from an export; `survey check` validates one."""
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
import yaml

from supportstats.clean import clean_file
from supportstats.definition import load_definition
from supportstats.definition_yaml import _Loader
from supportstats.draft import check_survey, draft_definition, write_draft
from supportstats.errors import InputError
from supportstats.paths import DATA_RAW

FIX = Path(__file__).resolve().parent / "data" / "surveys"


def _load(text):
    return load_definition(yaml.load(text, Loader=_Loader))


def test_a_labelled_spss_file_drafts_levels_in_code_order_and_its_missing_codes(tmp_path):
    text = draft_definition(FIX / "acme_support_2023.sav", survey_id="acme")
    d = _load(text)
    kinds = {c.name: c.kind for c in d.columns}
    assert kinds["resp_id"] == "id" and kinds["wt"] == "weight" and kinds["stratum"] == "strata"
    assert kinds["psu"] == "cluster" and kinds["duration"] == "duration"
    sat = d.column("satisfaction")
    assert sat.type == "ordinal" and sat.vocabulary.name == "satisfaction5" and sat.missing == ("9",)
    assert d.column("resolved").type == "yes_no"
    assert d.column("wait_minutes").missing == ("99",) and d.column("wait_minutes").type == "number"
    assert sat.text == "How satisfied are you with our support?"
    assert "GUESS" in text and d.grids == {}  # two items are not a grid worth guessing


def test_unknown_value_labels_become_ordered_levels(tmp_path):
    df = pd.DataFrame({"id": ["a", "b", "c", "d"], "party": [1.0, 3.0, 7.0, 3.0]})
    p = tmp_path / "anes_like.sav"
    pyreadstat.write_sav(df, str(p), variable_value_labels={
        "party": {1: "Strong Democrat", 2: "Weak Democrat", 3: "Independent-Democrat", 4: "Independent",
                  5: "Independent-Republican", 6: "Weak Republican", 7: "Strong Republican"}})
    d = _load(draft_definition(p))
    party = d.column("party")
    assert party.type == "ordinal" and party.vocabulary.levels[:2] == ("strong_democrat", "weak_democrat")
    assert len(party.vocabulary.levels) == 7
    res = clean_file(p, survey=d, wave=1996)
    assert res.data.party.tolist() == ["strong_democrat", "independent_democrat", "strong_republican",
                                       "independent_democrat"]


def test_likert_scales_are_recognised_in_five_languages(tmp_path):
    raw = pd.DataFrame({"ResponseId": [f"R{i}" for i in range(5)],
                        "Q1": ["Strongly agree", "De acuerdo", "そう思う", "非常同意", "동의하지 않음"],
                        "Q2": ["はい", "예", "No", "是", "Sí"],
                        "Q3": ["とても満足", "Satisfied", "불만족", "一般", "Muy satisfecho"]})
    d = _load(draft_definition(raw))
    assert [(c.name, c.type, c.vocabulary.name if c.vocabulary else None) for c in d.questions] == [
        ("q1", "ordinal", "agree5"), ("q2", "yes_no", "yes_no"), ("q3", "ordinal", "satisfaction5")]


def test_the_draft_of_a_synthetic_export_cleans_it(tmp_path):
    out = write_draft(DATA_RAW / "synthetic_benchmark_2022.csv", tmp_path / "bench.yml")
    text = out.read_text()
    d = load_definition(out)
    assert d.column("q7_csat").type == "percent" and d.column("q16_1_proactive_invest_more").type == "ordinal"
    assert list(d.grids.values())[0][0] == "q16_1_proactive_invest_more" and "test_markers" in text
    lines = check_survey(out, DATA_RAW / "synthetic_benchmark_2022.csv")
    assert lines[-1].startswith("  drop_tests") and "definition OK" in lines
    with pytest.raises(InputError, match="already exists"):
        write_draft(DATA_RAW / "synthetic_benchmark_2022.csv", out)


def test_check_reports_what_the_definition_does_not_read(tmp_path):
    raw = pd.read_csv(FIX / "acme_support_2023.csv", dtype=str, keep_default_na=False)
    p = tmp_path / "acme_2023.csv"
    raw.assign(extra="x").to_csv(p, index=False)
    lines = check_survey(FIX / "acme_support.yml", p)
    assert "  columns the definition does not read (ignored): extra" in lines
    assert "n_raw = n_clean + n_excluded: 12 = 8 + 4" in lines


def test_observed_ranges_hold_the_data_they_came_from():
    raw = pd.DataFrame({"id": ["a", "b", "c"], "logpop": ["-2.3025850929940455", "8.895643325672793", "1"]})
    d = _load(draft_definition(raw))
    assert (d.column("logpop").low, d.column("logpop").high) == (-2.3025850929940455, 8.895643325672793)
    from supportstats.clean import clean_survey
    assert clean_survey(raw, d, wave=1996).n_clean == 3


def test_a_qualtrics_export_drafts_its_metadata_roles_and_question_text():
    export = Path(__file__).resolve().parents[1] / "examples" / "synthetic_qualtrics_trends_2022.csv"
    d = _load(draft_definition(export))
    roles = {c.raw: c.role for c in d.columns if c.role}
    assert roles == {"ResponseId": "id", "RecordedDate": "timestamp", "Duration (in seconds)": "duration",
                     "Progress": "progress", "Finished": "finished", "Status": "status", "RecipientEmail": "email"}
    assert d.column("qid1").text == "Which industry is your company in?"
    assert "provenance" not in [c.raw for c in d.columns]  # the synthetic mark is not a question


def test_design_columns_of_a_definition():
    d = load_definition(FIX / "acme_support.yml")
    assert d.design() == {"weight": "wt", "strata": "stratum", "cluster": "psu", "fpc": None}
