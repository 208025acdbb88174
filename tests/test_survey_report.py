"""supportstats.survey_report, and a researcher's survey end to end: survey init → edit → clean → notebooks 10 and 11."""
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import openpyxl
import pandas as pd
import pyreadstat
import pytest

import supportstats as ss
from supportstats import paths
from supportstats import survey_report as sr
from supportstats.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "tests" / "data" / "surveys"
ANES = "data/raw/anes96/anes96.sav", "data/raw/anes96/anes96.yml"
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def acme():
    result, d, source = sr.load_survey(FIX / "acme_support_2023.sav", FIX / "acme_support.yml", 2023)
    data, design = ss.analysis_design(result.data, d, weighted=True)
    return result, d, data, design


def test_load_survey_reads_the_source_from_the_data_not_the_name():
    _, d, source = sr.load_survey("data/raw/synthetic_cs_ops_2023.csv", "cs_ops", 2023)
    assert (d.id, source) == ("cs_ops", "synthetic reconstruction")
    result, d, source = sr.load_survey(*ANES, 1996)
    assert (d.id, source, result.n_raw) == ("anes96", "real export", 944)


def test_audit_tables_account_for_every_raw_row(acme):
    result = acme[0]
    accounting, reasons = sr.audit_tables(result)
    assert accounting.iloc[0][["n_raw", "n_clean", "n_excluded"]].tolist() == [12, 8, 4]
    assert reasons.rows.sum() == 4 and set(reasons.step) == {"drop_blank", "deduplicate", "drop_speeders",
                                                              "drop_straightliners"}


def test_figures_are_drawn_in_the_definitions_languages_only():
    assert sr.figure_languages(FIX / "acme_support.yml") == (("en", "es"), "")
    drawn, note = sr.figure_languages(FIX / "acme_support.yml", "ko")
    assert drawn == () and note == "No figures in ko: the survey definition labels its answers in en, es only."
    german = {"id": "de", "title": "D", "languages": ["en", "de"], "columns": {"r": {"role": "id"}, "n": {"type": "number"}}}
    drawn, note = sr.figure_languages(german)
    assert drawn == ("en",) and "No figures in de: the figure texts exist in en, ja, zh_Hant, es, ko" in note


def test_question_figures_carry_the_definitions_labels_in_each_language(acme, tmp_path):
    result, d, data, design = acme
    est = ss.question_estimates(data, d, ["region", "resolved", "wait_minutes"], design=design)
    figs = sr.draw_question_figures(est, d, wave=2023, source_file="acme_support_2023.sav", design=design,
                                    lang=("en", "es"), folder=tmp_path,
                                    titles={"10_acme_support_region": {"es": "Dónde están"}})
    assert [f.name for f in figs] == ["10_acme_support_region", "10_acme_support_resolved", "10_acme_support_wait_minutes"]
    es = pd.read_csv(tmp_path / "es" / "10_acme_support_region.csv")
    en = pd.read_csv(tmp_path / "10_acme_support_region.csv")
    assert es.label.tolist() == ["Norte", "Sur"] and en.label.tolist() == ["North", "South"]
    np.testing.assert_array_equal(es.estimate, en.estimate)
    assert (tmp_path / "es" / "10_acme_support_region.txt").read_text().startswith("Dónde están.")
    assert figs[0].alt.startswith("region: most common answer “South” (66%).")
    assert (tmp_path / "10_acme_support_wait_minutes.txt").read_text().startswith("wait_minutes: mean 13.4.")
    assert en.source.iloc[0] == "Acme support satisfaction survey (test fixture), acme_support_2023.sav"
    with pytest.raises(InputError, match="unknown key in titles"):
        sr.draw_question_figures(est, d, wave=2023, source_file="x", design=design, folder=tmp_path,
                                 titles={"10_acme_support_regoin": "x"})


def test_a_demonstration_says_so_in_the_figure(tmp_path):
    waves = sr.load_two_waves(ANES[0], "", ANES[1], 1996, 1996, split_column="caseid")
    t = ss.compare_survey_waves(waves.a, waves.b, waves.definition, ["vote", "age"], names=waves.labels)
    fig = sr.draw_waves_figure(t, waves.definition, name="11_demo", source_file=ANES[0], names=waves.names,
                               demo_column=waves.demo_column, folder=tmp_path)
    table = pd.read_csv(tmp_path / "11_demo.csv")
    assert "DEMONSTRATION: two halves of one wave (alternate caseid), not two waves" in table.source.iloc[0]
    assert table.panel.tolist() == ["Shares of respondents", "Shares of respondents", "Age (years)"]
    assert fig.alt.startswith("0 of 3 differences between half 1 and half 2 significant after Holm adjustment")
    with pytest.raises(InputError, match="export_b is empty"):
        sr.load_two_waves(ANES[0], "", ANES[1], 1996, 1996)


@pytest.mark.filterwarnings("ignore:design degrees of freedom")  # two PSUs in a stratum of 8 rows
def test_banner_workbooks_repeat_byte_for_byte_and_explain_the_letters(acme, tmp_path):
    result, d, data, design = acme
    banners = {"region": ss.survey_banner(data, d, "region", design=design)}
    first = sr.export_banners(banners, d, tmp_path / "a")
    second = sr.export_banners(banners, d, tmp_path / "b")
    assert first[0].name == "10_acme_support_banner_region.xlsx"
    assert first[0].read_bytes() == second[0].read_bytes()
    sheet = openpyxl.load_workbook(first[0])["banner"]
    text = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(t.startswith("Letters mark the columns this column is significantly higher than") for t in text)


def test_the_summaries_say_what_they_are_not(acme):
    result, d, data, design = acme
    est = ss.question_estimates(data, d, ["resolved"], design=design)
    text = sr.explore_summary(est, {}, d, "acme_support_2023.sav")
    assert "they are not findings about the vendor reports" in text and "`data/processed/findings/`" in text
    assert "Was your issue resolved?: Yes, 71.9%" in text and "fewer than 30 answers: read with care" in text


# ------------------------------------------------------------------- a researcher's survey, end to end
def _cafe_export(path: Path, seed: int, recommend_share: float) -> None:
    """A made-up 'cafe feedback' SPSS export: labelled codes, a weight, user-missing 9 and 99, one blank row and
    one repeated row."""
    rng = np.random.default_rng(seed)
    n = 120
    df = pd.DataFrame({
        "respondent_id": [f"C{seed}{i:03d}" for i in range(n)],
        "weight": np.round(rng.uniform(0.5, 1.5, n), 3),
        "region": rng.choice([1.0, 2.0, 3.0], n),
        "satisfied": rng.choice([1.0, 2.0, 3.0, 4.0, 5.0, 9.0], n, p=[0.05, 0.1, 0.2, 0.35, 0.25, 0.05]),
        "recommend": np.where(rng.random(n) < recommend_share, 1.0, 2.0),
        "visits": np.where(rng.random(n) < 0.05, 99.0, rng.integers(1, 20, n).astype(float)),
    })
    blank = pd.DataFrame([{"respondent_id": "", **{c: np.nan for c in df.columns[1:]}}])
    df = pd.concat([df, blank, df.iloc[[3]]], ignore_index=True)
    pyreadstat.write_sav(
        df, str(path),
        column_labels={"region": "Which of our cafes did you visit?", "satisfied": "How satisfied were you?",
                       "recommend": "Would you recommend us?", "visits": "Visits in the past month"},
        variable_value_labels={
            "region": {1.0: "North", 2.0: "South", 3.0: "West"},
            "satisfied": {1.0: "Very dissatisfied", 2.0: "Dissatisfied", 3.0: "Neither satisfied nor dissatisfied",
                          4.0: "Satisfied", 5.0: "Very satisfied", 9.0: "Prefer not to say"},
            "recommend": {1.0: "Yes", 2.0: "No"}},
        missing_ranges={"satisfied": [9.0], "visits": [99.0]})


def _run(args, cwd, env=None):
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def _papermill(notebook, out, params: list, root: Path):
    env = {**os.environ, paths.OUTPUT_ROOT_ENV: str(root)}
    done = _run([str(BIN / "papermill"), str(paths.NOTEBOOKS / f"{notebook}.ipynb"), str(out), "-k", "supportstats",
                 "--cwd", str(paths.NOTEBOOKS), *params], cwd=root, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    nb = nbformat.read(out, as_version=4)
    assert not [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    return nb


def _markdown(nb) -> str:
    return "\n".join(o["data"]["text/markdown"] for c in nb.cells for o in c.get("outputs", [])
                     if "text/markdown" in o.get("data", {}))


@pytest.fixture(scope="module")
def researcher(tmp_path_factory):
    """survey init on the researcher's .sav, one edit, survey check, clean: the commands of the README."""
    home = tmp_path_factory.mktemp("researcher")
    _cafe_export(home / "cafe_feedback_2024.sav", 2024, 0.3)
    _cafe_export(home / "cafe_feedback_2025.sav", 2025, 0.7)
    cli = str(BIN / "supportstats")
    init = _run([cli, "survey", "init", "cafe_feedback_2024.sav", "--out", "cafe.yml"], cwd=home)
    assert init.returncode == 0, init.stderr
    draft = (home / "cafe.yml").read_text()
    # the researcher's edit: the cafes have no order, whatever the codes say
    guess = "    type: ordinal                # GUESS: order of the codes 1..3; categorical if it means nothing\n"
    assert guess in draft
    (home / "cafe.yml").write_text(draft.replace(guess, "    type: categorical\n"))
    check = _run([cli, "survey", "check", "cafe.yml", "cafe_feedback_2024.sav"], cwd=home)
    clean = _run([cli, "clean", "cafe_feedback_2024.sav", "--survey-file", "cafe.yml", "--wave", "2024",
                  "--out", "cleaned"], cwd=home)
    return home, draft, check, clean


def test_init_check_and_clean_give_the_audit(researcher):
    home, draft, check, clean = researcher
    assert "role: weight" in draft and "vocabulary: satisfaction5" in draft and "missing: [\"9\"]" in draft
    assert check.returncode == 0 and "definition OK" in check.stdout, check.stderr
    assert clean.returncode == 0, clean.stderr
    assert "n_raw = n_clean + n_excluded: 122 = 120 + 2" in clean.stdout
    assert "drop_blank: every field blank: 1" in clean.stdout
    assert "deduplicate: exact duplicate of an earlier submission: 1" in clean.stdout
    assert (home / "cleaned" / "cafe_feedback_2024_clean.csv").is_file()


def test_notebook_10_explores_the_researchers_survey_with_parameters_only(researcher):
    home = researcher[0]
    run = home / "run10"
    run.mkdir()
    nb = _papermill("10_explore_survey", run / "10_explore_survey.ipynb",
                    ["-p", "export", str(home / "cafe_feedback_2024.sav"), "-p", "survey_file", str(home / "cafe.yml"),
                     "-p", "wave", "2024", "-y", "breakdowns: [region]", "-p", "weighted", "True",
                     "-y", "margins: {region: {north: 0.5, south: 0.3, west: 0.2}}",
                     "-p", "processed_dir", "out", "-p", "figures_dir", "figs"], run)
    text = _markdown(nb)
    assert "a real export" in text
    assert "Weights raked to the margins of region from the design weights 'weight'" in text
    assert "standard errors by linearization, calibration residuals" in text
    assert "By Which of our cafes did you visit? (A North, B South, C West)" in text
    assert "they are not findings about the vendor reports" in text
    for q in ("region", "satisfied", "recommend", "visits"):
        assert (run / "figs" / f"10_cafe_feedback_{q}.png").is_file(), q
    book = openpyxl.load_workbook(run / "out" / "10_cafe_feedback_banner_region.xlsx")
    assert book.sheetnames == ["banner", "data"]
    data = pd.read_csv(run / "out" / "cafe_feedback_2024_clean.csv")
    assert len(data) == 120 and data.satisfied_missing_code.notna().sum() == data.satisfied.isna().sum() > 0
    visits = pd.read_csv(run / "figs" / "10_cafe_feedback_visits.csv")
    assert visits.n.iloc[0] == data.visits.notna().sum() < 120       # 99 = "don't know", not 99 visits
    region = pd.read_csv(run / "figs" / "10_cafe_feedback_region.csv").set_index("label")
    assert region.estimate.to_dict() == pytest.approx({"North": 50.0, "South": 30.0, "West": 20.0})   # raked
    assert (region.ci_high - region.ci_low).max() < 1e-6          # a raking margin's own share is known
    assert not (run / "data" / "processed" / "findings").exists()          # not a finding about any report
    assert not (ROOT / "out").exists() and not (ROOT / "figs").exists()


def test_notebook_11_compares_two_real_waves_and_finds_a_planted_change(researcher):
    home = researcher[0]
    run = home / "run11"
    run.mkdir()
    nb = _papermill("11_compare_waves", run / "11_compare_waves.ipynb",
                    ["-p", "export_a", str(home / "cafe_feedback_2024.sav"),
                     "-p", "export_b", str(home / "cafe_feedback_2025.sav"), "-p", "survey_file", str(home / "cafe.yml"),
                     "-p", "wave_a", "2024", "-p", "wave_b", "2025", "-y", "questions: []", "-p", "lang", "en",
                     "-p", "processed_dir", "out", "-p", "figures_dir", "figs"], run)
    table = pd.read_csv(run / "out" / "11_cafe_feedback_waves.csv")
    rec = table[table.column == "recommend"].iloc[0]
    assert rec.estimate_b - rec.estimate_a > 0.25 and rec.p_holm < 0.001      # 30% → 70% recommend
    assert "DEMONSTRATION" not in _markdown(nb) and "(2025 minus 2024)" in _markdown(nb)
    figure = pd.read_csv(run / "figs" / "11_cafe_feedback_waves.csv")
    assert "DEMONSTRATION" not in figure.source.iloc[0]
