"""Schemas derived from the survey definitions: the column contract, vocabularies, pandera schemas, CLAIM_MEASURES."""
import numpy as np
import pandas as pd
import pandera.errors
import pytest

from supportstats import schema
from supportstats.claims import load_claims
from supportstats.definition import load_definition
from supportstats.errors import InputError

# the analysis-column contract of .dev/TEAM.md, copied here so a schema change has to be deliberate
COMMON = {"respondent_id": "str", "survey": "str", "wave": "int64", "industry": "category",
          "company_size": "category", "region": "category", "role": "category", "team_size": "Int64",
          "weight": "float64"}
CONTRACT = {
    "benchmark": {"tracks_csat": "boolean", "csat": "float64", "tracks_iqs": "boolean", "iqs": "float64",
                  "tracks_nps": "boolean", "nps": "float64", "frt_hours": "float64", "biggest_pain": "category",
                  "repetitive_top3": "boolean", "proactive_use": "boolean", "proactive_invest_more": "boolean",
                  "self_service_reduced_workload": "boolean"},
    "trends": {c: "boolean" for c in ("expectations_rising", "volume_increased", "headcount_cut", "cut_hurt_cx",
                                      "tools_slow_weekly", "team_burnout", "leader_burnout", "empathy_priority",
                                      "empathy_lack_tools")},
    "cs_ops": {c: "boolean" for c in ("morale_decline", "morale_hurt_performance", "uses_automation",
                                      "csat_improved")},
}


@pytest.mark.parametrize("survey", list(schema.SURVEYS))
def test_clean_columns_honour_the_team_contract(survey):
    cols = schema.clean_columns(survey)
    assert cols[:9] == list(COMMON) and cols[-1] == "provenance"
    s = schema.clean_schema(survey)
    for name, dtype in {**COMMON, **CONTRACT[survey]}.items():
        assert name in cols
        if name not in ("survey", "wave"):
            got = s.columns[name].dtype
            assert str(got).startswith(dtype) or (dtype == "category" and "category" in str(got)), (name, got)


def test_biggest_pain_has_the_quality_at_scale_level():
    f = load_definition("benchmark").column("biggest_pain")
    assert "quality_at_scale" in f.vocabulary.levels


@pytest.mark.parametrize("survey", list(schema.SURVEYS))
def test_each_survey_has_a_likert_grid_of_at_least_four_items(survey):
    assert len(schema.grid_columns(survey)) >= 4


@pytest.mark.parametrize("survey", list(schema.SURVEYS))
def test_raw_columns_are_question_coded_and_unique(survey):
    raw = schema.raw_columns(survey)
    assert len(raw) == len(set(raw))
    questions = [f.raw for f in load_definition(survey).questions]
    assert all(c.startswith("Q") and c.split("_")[0][1:].isdigit() for c in questions)
    assert {"respondent_id", "duration_sec", "progress", "finished", "status"} <= set(raw)


def test_vocabularies_cover_five_languages_without_collisions():
    folded = {}
    for level, labels in schema.LIKERT_LABELS.items():
        assert len(labels) == 5  # en, es, ja, zh, ko
        for lab in labels:
            key = schema.normalize_label(lab)
            assert folded.setdefault(key, level) == level, lab
    yes = {schema.normalize_label(x) for x in schema.YESNO_LABELS[True]}
    no = {schema.normalize_label(x) for x in schema.YESNO_LABELS[False]}
    assert not yes & no
    assert schema.normalize_label("strongly agree ") == schema.normalize_label("Strongly  AGREE")


def test_clean_schema_rejects_out_of_range_and_unknown_levels():
    s = schema.clean_schema("benchmark")
    df = pd.DataFrame({c: pd.Series(dtype=schema.clean_dtype(f)) for f in load_definition("benchmark").columns
                       if (c := f.name) and f.clean_names})
    df.insert(1, "survey", pd.Series(dtype="str"))
    df.insert(2, "wave", pd.Series(dtype="int64"))
    row = {"respondent_id": "R_1", "survey": "benchmark", "wave": 2022, "industry": "finance",
           "company_size": "10-49", "region": "europe", "role": "manager", "team_size": 3, "weight": 1.0,
           "csat": 140.0, "provenance": None}
    bad = pd.concat([df, pd.DataFrame([row])], ignore_index=True).astype(df.dtypes.to_dict())
    with pytest.raises(pandera.errors.SchemaError):
        s.validate(bad)
    ok = bad.assign(csat=89.0)
    s.validate(ok)


def test_data_dictionary_documents_every_raw_and_clean_column():
    d = schema.data_dictionary()
    for survey in schema.SURVEYS:
        sub = d[d.survey == survey]
        assert set(schema.raw_columns(survey)) <= set(sub.raw_column.dropna())
        assert set(schema.clean_columns(survey)) <= set(sub.clean_column.dropna())
        assert sub.question.str.len().gt(5).all()
        assert sub.dtype.str.len().gt(0).all()


def test_claim_measures_point_at_registered_claims_and_real_columns():
    reg = load_claims().set_index("claim_id")
    m = schema.CLAIM_MEASURES
    assert m.claim_id.is_unique and set(m.statistic) <= {"share", "mean"}
    for r in m.itertuples():
        assert r.claim_id in reg.index, r.claim_id
        assert r.claim_id.startswith(f"{r.survey}_{r.wave}.")
        assert r.column in schema.clean_columns(r.survey)
        if not pd.isna(r.domain):
            assert r.domain in CONTRACT[r.survey]
        if not pd.isna(r.level):
            f = load_definition(r.survey).column(r.column)
            assert r.level in f.vocabulary.levels
    # every survey-wave share/mean in the registry is covered (or is a change/count/ratio elsewhere)
    survey_claims = reg[reg.survey.isin(list(schema.SURVEYS)) & reg.statistic.isin(["share", "mean"])]
    assert set(survey_claims.index) == set(m.claim_id)
    assert set(schema.CLAIM_OTHER_MEASURES.claim_id) <= set(reg.index)


def test_claim_measures_reading_of_cut_hurt_cx_is_documented():
    row = schema.CLAIM_MEASURES.set_index("claim_id").loc["trends_2022.cut_hurt_cx"]
    assert row["domain"] == "headcount_cut" and "reads it as a share of those who cut" in row["note"]


def test_unknown_survey_names_the_built_ins_and_survey_file():
    with pytest.raises(InputError, match="got 'nps_panel'; expected one of benchmark, cs_ops, trends, or a YAML "
                                         r"definition file \(--survey-file"):
        schema.clean_columns("nps_panel")
    assert np.array_equal(schema.SIZE_BANDS, ("10-49", "50-199", "200-999", "1000-9999", "10000+"))


def test_claim_measures_are_data_shipped_in_the_package():
    from supportstats.definition import SURVEYS_DIR

    shipped = pd.read_csv(SURVEYS_DIR / "claim_measures.csv", dtype=str, keep_default_na=False)
    both = pd.concat([schema.CLAIM_MEASURES, schema.CLAIM_OTHER_MEASURES], ignore_index=True)
    assert shipped.claim_id.tolist() == both.claim_id.tolist()
    assert (shipped.column == both.column).all() and (shipped.statistic == both.statistic).all()
    mine = schema.CLAIM_MEASURES
    mine.loc[0, "column"] = "changed"  # a copy each time: callers cannot corrupt it
    assert schema.CLAIM_MEASURES.loc[0, "column"] == "csat"


def test_the_schema_is_derived_for_a_survey_of_ones_own(tmp_path):
    d = load_definition({"id": "acme", "title": "Acme", "languages": ["en"], "missing": [99],
                         "columns": {"rid": {"role": "id"}, "w": {"role": "weight"}, "st": {"role": "strata"},
                                     "sat": {"type": "ordinal", "vocabulary": "satisfaction5"},
                                     "age": {"type": "number", "range": [18, None], "integer": True},
                                     "tags": {"type": "multi_select", "separator": ";",
                                              "levels": {"a": "A", "b": "B"}}}})
    s = schema.clean_schema(d)
    assert s.columns["sat"].dtype.type.ordered and list(s.columns["sat"].dtype.type.categories)[0] == "very_dissatisfied"
    assert str(s.columns["age"].dtype) == "Int64" and str(s.columns["tags_a"].dtype) == "boolean"
    assert {"sat_missing_code", "age_missing_code", "tags_missing_code"} <= set(s.columns)
    assert d.clean_columns()[:4] == ["rid", "survey", "wave", "w"]
