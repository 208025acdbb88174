"""Cleaning: every step, the audit trail, loud errors on bad values, and properties (hypothesis)."""
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supportstats import schema, synth, synth_targets, synth_waves
from supportstats.clean import clean_file, clean_survey, guess_survey, load_wave, resolve_wave, write_clean
from supportstats.errors import InputError
from supportstats.parse import parse_percent, parse_size
from supportstats.paths import DATA_PROCESSED, DATA_RAW
from supportstats.steps import STEPS

WAVES = list(synth_targets.SAMPLE_SIZES)
STEP_OF_FAULT = {"blank": "drop_blank", "duplicate": "deduplicate", "test": "drop_tests",
                 "partial": "drop_partials", "speeder": "drop_speeders", "straightliner": "drop_straightliners"}


@pytest.fixture(scope="module")
def generated():
    return {(s, w): synth_waves.generate_wave(s, w) for s, w in WAVES}


@pytest.fixture(scope="module")
def small():
    """A small benchmark wave (all fault kinds) for the error tests."""
    return synth_waves.generate_wave("benchmark", 2022, n=100, seed=11)


def clean_rows(w):
    """The raw rows of the clean core (no injected fault)."""
    return w.raw.drop(index=w.faults.row - 2).reset_index(drop=True)


# ---------------------------------------------------------------------------- the committed files
@pytest.mark.parametrize("survey,wave", WAVES)
def test_cleaning_the_committed_file_gives_back_the_clean_core(generated, survey, wave):
    res = load_wave(survey, wave)
    w = generated[(survey, wave)]
    pd.testing.assert_frame_equal(res.data, w.core)
    schema.clean_schema(survey).validate(res.data)
    assert res.n_raw == res.n_clean + res.n_excluded == len(w.raw)
    # every excluded row is an injected fault, removed by the step meant for it
    ex = res.exclusions.merge(w.faults, on="row", how="outer", suffixes=("", "_fault"), indicator=True)
    assert (ex["_merge"] == "both").all()
    assert (ex["step"] == ex["fault"].map(STEP_OF_FAULT)).all()
    report = res.report.set_index("step")
    assert list(report.index) == list(STEPS)
    assert report.n_excluded.sum() == res.n_excluded
    assert (report.n_in - report.n_excluded == report.n_out).all()
    expected = w.faults.fault.map(STEP_OF_FAULT).value_counts()
    assert report.n_excluded[report.n_excluded > 0].to_dict() == expected.to_dict()


def test_exclusions_name_id_row_step_reason_and_value(generated):
    res = load_wave("trends", 2022)
    assert list(res.exclusions.columns) == ["respondent_id", "row", "step", "reason", "value", "provenance"]
    assert res.exclusions.provenance.eq(synth.SYNTHETIC_MARK).all()
    ex = res.exclusions.set_index("step")
    assert ex.loc["drop_speeders", "value"].astype(int).lt(120).all()
    assert ex.loc["deduplicate", "value"].str.startswith("duplicate of row ").all()
    assert ex.loc["drop_blank", "respondent_id"].eq("").all()
    assert res.exclusions.row.is_monotonic_increasing and res.exclusions.row.min() >= 2


def _committed(path):
    """A committed processed CSV as text columns, without the provenance column it gains on re-execution."""
    return pd.read_csv(path, dtype=str, keep_default_na=False).drop(columns="provenance", errors="ignore")


@pytest.mark.parametrize("survey,wave", WAVES)
def test_cleaning_gives_the_committed_processed_data_apart_from_provenance(survey, wave, tmp_path):
    """The definitions-as-data pipeline cleans the synthetic waves to exactly what the old code wrote."""
    res = load_wave(survey, wave)
    stem = f"synthetic_{survey}_{wave}"
    write_clean(res, tmp_path, stem=stem)
    for kind in ("clean", "exclusions"):
        new = pd.read_csv(tmp_path / f"{stem}_{kind}.csv", dtype=str, keep_default_na=False)
        assert new["provenance"].eq(synth.SYNTHETIC_MARK).all(), kind
        pd.testing.assert_frame_equal(new.drop(columns="provenance"), _committed(DATA_PROCESSED / f"{stem}_{kind}.csv"))


def test_any_wave_cleans_and_wave_errors_are_truthful(tmp_path):
    path = DATA_RAW / "synthetic_trends_2022.csv"
    assert clean_file(path, survey="trends", wave=2023).wave == 2023
    assert clean_file(path, wave=1999).data.wave.eq(1999).all()
    other = tmp_path / "trends_export.csv"  # no year in the name
    other.write_bytes(path.read_bytes())
    with pytest.raises(InputError, match=r"cannot tell which trends wave .*pass wave= \(command line: --wave YEAR\)"):
        clean_file(other)
    with pytest.raises(InputError, match=r"got 'last year'; expected a wave such as 2023 \(wave must be a whole number"):
        clean_file(other, wave="last year")
    assert resolve_wave("2024") == 2024 and resolve_wave(2024.0) == 2024


# ---------------------------------------------------------------------------- parsers
@pytest.mark.parametrize("text,value", [("89%", 89.0), ("89", 89.0), ("0.89", 89.0), ("89,0", 89.0),
                                        ("0,875", 87.5), ("87.3 %", 87.3), ("100", 100.0), ("1.0", 100.0),
                                        ("0.873", 87.3)])
def test_parse_percent(text, value):
    assert parse_percent(text) == value


@pytest.mark.parametrize("text", ["high", "89%%", "8 9", "--1"])
def test_parse_percent_rejects_text(text):
    with pytest.raises(ValueError):
        parse_percent(text)


@pytest.mark.parametrize("text,band", [("10-49", "10-49"), ("11 to 50 employees", "10-49"), ("10–49", "10-49"),
                                       ("51 to 200 employees", "50-199"), ("201-1000", "200-999"),
                                       ("1,000-9,999", "1000-9999"), ("10,000+", "10000+"), ("10k+", "10000+"),
                                       ("More than 10,000 employees", "10000+"), ("350", "200-999")])
def test_parse_size(text, band):
    assert parse_size(text) == band


@pytest.mark.parametrize("text", ["1-9", "lots", "50-10"])
def test_parse_size_rejects(text):
    with pytest.raises(ValueError):
        parse_size(text)


def test_guess_survey():
    assert guess_survey("data/raw/synthetic_trends_2021.csv") == ("trends", 2021)
    assert guess_survey("x.csv") == (None, None)


# ---------------------------------------------------------------------------- loud errors
def _mutate(raw, column, value, row_pos=None):
    raw = raw.copy()
    pos = row_pos if row_pos is not None else int(np.flatnonzero(raw["finished"].eq("1")
                                                                  & raw["status"].eq("IP Address"))[0])
    raw.loc[pos, column] = value
    return raw, pos + 2  # file line: header is line 1


@pytest.mark.parametrize("column,value,expect", [
    ("Q16_1_proactive_invest_more", "Quite agree", "agree5 scale"),
    ("Q14_repetitive_top3", "Maybe", "Yes or No"),
    ("Q1_industry", "Aerospace", "Software / Internet"),
    ("Q11_nps", "300", "from -100 to 100"),
    ("Q12_frt_hours", "-2", "from 0"),
    ("Q5_team_size", "2.5", "whole number"),
    ("Q2_company_size", "a few", "10 or more employees"),
])
def test_bad_values_raise_input_error_with_file_column_row_expected(small, column, value, expect):
    raw, line = _mutate(small.raw, column, value)
    with pytest.raises(InputError) as err:
        clean_survey(raw, "benchmark", wave=2022, source="export.csv")
    msg = str(err.value)
    assert err.value.file == "export.csv" and err.value.column == column and err.value.row == line
    assert expect in msg and value in msg and "header = line 1" in msg and "\n" not in msg


def test_csat_140_is_out_of_range(small):
    raw = small.raw.copy()
    pos = int(np.flatnonzero(raw["Q7_csat"].ne("") & raw["finished"].eq("1") & raw["status"].eq("IP Address"))[0])
    raw.loc[pos, "Q7_csat"] = "140"
    with pytest.raises(InputError, match=r"row %d: column 'Q7_csat': got '140'; expected a number from 0 to 100"
                       % (pos + 2)):
        clean_survey(raw, "benchmark", wave=2022)


def test_answer_behind_display_logic_is_an_error(small):
    raw = small.raw.copy()
    pos = int(np.flatnonzero(raw["Q7_csat"].eq("") & raw["Q6_tracks_csat"].map(schema.normalize_label).eq("no")
                             & raw["finished"].eq("1") & raw["status"].eq("IP Address"))[0])
    raw.loc[pos, "Q7_csat"] = "88%"
    with pytest.raises(InputError, match="Q6_tracks_csat is No"):
        clean_survey(raw, "benchmark", wave=2022)


def test_same_id_with_different_answers_is_an_error(small):
    raw = small.raw.copy()
    a, b = 3, 7
    raw.loc[b, "respondent_id"] = raw.loc[a, "respondent_id"]
    with pytest.raises(InputError, match=f"rows {a + 2} and {b + 2} with different answers"):
        clean_survey(raw, "benchmark", wave=2022)


@pytest.mark.parametrize("weight,ok", [("0", False), ("-1", False), ("", False), ("1.5", True)])
def test_weights_must_be_positive(small, weight, ok):
    raw = small.raw.assign(weight=np.where(small.raw.respondent_id == "", "", "1"))
    raw.loc[int(np.flatnonzero(raw["finished"].eq("1") & raw["status"].eq("IP Address"))[0]), "weight"] = weight
    if ok:
        res = clean_survey(raw, "benchmark", wave=2022)
        assert res.data.weight.max() == 1.5
    else:
        with pytest.raises(InputError, match="weight"):
            clean_survey(raw, "benchmark", wave=2022)


def test_missing_required_column_names_it(small):
    with pytest.raises(InputError, match=r"row 1: column 'Q7_csat'.*missing required column"):
        clean_survey(small.raw.drop(columns="Q7_csat"), "benchmark", wave=2022, source="x.csv")


def test_missing_id_on_a_non_blank_row(small):
    raw, line = _mutate(small.raw, "respondent_id", " ")
    with pytest.raises(InputError, match=f"row {line}: column 'respondent_id'"):
        clean_survey(raw, "benchmark", wave=2022)


def test_unknown_wave_and_threshold():
    raw = synth_waves.generate_raw("trends", 2022, n=100, seed=2)
    with pytest.raises(InputError, match="which trends wave"):
        clean_survey(raw, "trends")
    with pytest.raises(ValueError, match="thresholds"):
        clean_survey(raw, "trends", wave=2022, min_speed=3)


def test_rows_count_extra_header_lines(small):
    raw, line = _mutate(small.raw, "Q11_nps", "300")
    raw.attrs["header_rows"] = 3  # a Qualtrics export: data start on line 4
    with pytest.raises(InputError) as err:
        clean_survey(raw, "benchmark", wave=2022)
    assert err.value.row == line + 2


def test_speeder_threshold_is_a_parameter(small):
    base = clean_survey(small.raw, "benchmark", wave=2022)
    strict = clean_survey(small.raw, "benchmark", wave=2022, min_duration_sec=400)
    assert strict.report.set_index("step").n_excluded["drop_speeders"] > \
        base.report.set_index("step").n_excluded["drop_speeders"]
    assert strict.n_raw == strict.n_clean + strict.n_excluded


def test_skipping_an_exclusion_step(small):
    res = clean_survey(small.raw, "benchmark", wave=2022, skip=("drop_straightliners",))
    assert res.report.set_index("step").n_excluded["drop_straightliners"] == 0
    assert res.n_clean == len(small.core) + int((small.faults.fault == "straightliner").sum())
    with pytest.raises(ValueError, match="skip"):
        clean_survey(small.raw, "benchmark", wave=2022, skip=("validate_ranges",))


def test_numbers_with_thousands_separators_and_decimal_commas(small):
    raw = small.raw.copy()
    ok = raw["finished"].eq("1") & raw["status"].eq("IP Address") & raw["respondent_id"].ne("")
    pos = np.flatnonzero(ok & raw["Q12_frt_hours"].ne(""))[:2]
    raw.loc[pos[0], "Q5_team_size"] = "1,200"
    raw.loc[pos[1], "Q12_frt_hours"] = "3,5"
    res = clean_survey(raw, "benchmark", wave=2022)
    ids = raw.loc[pos, "respondent_id"].tolist()
    got = res.data.set_index("respondent_id")
    assert got.loc[ids[0], "team_size"] == 1200 and got.loc[ids[1], "frt_hours"] == 3.5


def test_clean_file_reads_guesses_and_refuses_unknown_surveys(tmp_path):
    res = clean_file(DATA_RAW / "synthetic_cs_ops_2023.csv")
    assert (res.survey, res.wave, res.n_clean) == ("cs_ops", 2023, synth_targets.SAMPLE_SIZES[("cs_ops", 2023)])
    other = tmp_path / "export.csv"
    other.write_bytes((DATA_RAW / "synthetic_cs_ops_2023.csv").read_bytes())
    with pytest.raises(InputError, match="which survey"):
        clean_file(other)
    assert clean_file(other, survey="cs_ops", wave=2023).n_clean == res.n_clean


def test_write_clean_is_atomic_deterministic_and_never_under_raw(tmp_path):
    res = load_wave("benchmark", 2022)
    a = write_clean(res, tmp_path / "a", stem="bench")
    b = write_clean(res, tmp_path / "b", stem="bench")
    assert [p.name for p in a] == ["bench_clean.parquet", "bench_clean.csv", "bench_exclusions.parquet",
                                   "bench_exclusions.csv", "bench_report.csv"]
    for pa_, pb in zip(a, b):
        assert pa_.read_bytes() == pb.read_bytes()
    back = pd.read_parquet(a[0])
    pd.testing.assert_frame_equal(back, res.data, check_dtype=False, check_categorical=False)
    assert not list((tmp_path / "a").glob(".*tmp"))
    with pytest.raises(ValueError, match="data/raw"):
        write_clean(res, DATA_RAW / "x")


# ---------------------------------------------------------------------------- properties
_settings = settings(max_examples=8, deadline=None, database=None,  # no .hypothesis/ in the repo
                     suppress_health_check=[HealthCheck.too_slow])
surveys = st.sampled_from(WAVES)


@_settings
@given(sw=surveys, seed=st.integers(0, 10_000))
def test_cleaning_clean_data_changes_nothing(sw, seed):
    w = synth_waves.generate_wave(*sw, n=100, seed=seed)
    first = clean_survey(clean_rows(w), sw[0], wave=sw[1])
    assert first.n_excluded == 0
    pd.testing.assert_frame_equal(first.data, w.core)
    # and what cleaning keeps from a faulty export cleans to itself
    res = clean_survey(w.raw, sw[0], wave=sw[1])
    kept = w.raw.drop(index=res.exclusions.row - 2).reset_index(drop=True)
    again = clean_survey(kept, sw[0], wave=sw[1])
    assert again.n_excluded == 0
    pd.testing.assert_frame_equal(again.data, res.data)


@_settings
@given(sw=surveys, seed=st.integers(0, 10_000), perm_seed=st.integers(0, 2**32 - 1))
def test_shuffling_rows_does_not_change_the_cleaned_result(sw, seed, perm_seed):
    w = synth_waves.generate_wave(*sw, n=100, seed=seed)
    order = np.random.default_rng(perm_seed).permutation(len(w.raw))
    a = clean_survey(w.raw, sw[0], wave=sw[1])
    b = clean_survey(w.raw.take(order).reset_index(drop=True), sw[0], wave=sw[1])
    key = ["respondent_id"]
    pd.testing.assert_frame_equal(a.data.sort_values(key).reset_index(drop=True),
                                  b.data.sort_values(key).reset_index(drop=True))
    pd.testing.assert_frame_equal(a.report, b.report)


@_settings
@given(sw=surveys, seed=st.integers(0, 10_000), drop=st.integers(0, 30))
def test_every_excluded_row_is_traceable_to_exactly_one_step(sw, seed, drop):
    w = synth_waves.generate_wave(*sw, n=100, seed=seed)
    raw = w.raw.iloc[drop:].reset_index(drop=True)  # cut the export anywhere
    res = clean_survey(raw, sw[0], wave=sw[1])
    ex = res.exclusions
    assert ex.row.is_unique and set(ex.step) <= set(STEPS)
    assert res.n_raw == len(raw) == res.n_clean + len(ex)
    assert ex.row.between(2, len(raw) + 1).all()
    assert ex.reason.str.len().gt(0).all()
