"""`supportstats clean`: reports on good exports; one stderr line, exit 2 and no output on bad ones.

The malformed exports live in tests/data/malformed/ (made by make_malformed.py there): each is
a few valid synthetic rows with one thing wrong. Row numbers are file lines (header = line 1);
the faulty row is line 4 wherever a row applies.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from supportstats.cli import main
from supportstats.paths import DATA_PROCESSED, DATA_RAW

HERE = Path(__file__).resolve().parent
BAD = HERE / "data" / "malformed"
GOOD = HERE / "data" / "exports"
MAPS_BASE = "trends_2022_for_bad_maps.csv"

# file, extra CLI arguments, fragments the one error line must contain
CASES = [
    ("trends_2022_does_not_exist.csv", [], ["not found"]),
    ("trends_2022_empty.csv", [], ["file is empty"]),
    ("trends_2022_only_blank_lines.csv", [], ["file is empty"]),
    ("trends_2022_header_only.csv", [], ["no data rows"]),
    ("trends_2022_image.csv", [], ["PNG image", "not a table"]),
    ("trends_2022_export.json", [], ["looks like JSON"]),
    ("trends_2022_undecodable.csv", [], ["cannot decode", "line 4", "expected UTF-8, UTF-16 or cp1252"]),
    ("trends_2022_utf16_without_bom.csv", [], ["NUL byte", "byte-order mark"]),
    ("trends_2022_ragged_short_row.csv", [], ["row 4", "line 4 has 3 fields but the header has 21"]),
    ("trends_2022_ragged_long_row.csv", [], ["row 3", "line 3 has 23 fields"]),
    ("trends_2022_duplicate_column_names.csv", [], ["column 'Q9_1_expectations_rising'", "duplicate"]),
    ("trends_2022_blank_column_name.csv", [], ["row 4", "column 22 has data but no name"]),
    ("trends_2022_missing_required_column.csv", [], ["column 'Q9_3_team_burnout'", "missing required"]),
    ("trends_2022_unknown_answer_label.csv", [], ["row 4", "column 'Q9_3_team_burnout'", "got 'Maybe so'",
                                                  "unknown answer label"]),
    ("trends_2022_unknown_yesno_label.csv", [], ["row 4", "column 'Q7_headcount_cut'", "got 'Perhaps'"]),
    ("trends_2022_conflicting_duplicate_id.csv", [], ["row 4", "same respondent id", "different answers"]),
    ("trends_2022_team_size_text.csv", [], ["row 4", "column 'Q5_team_size'", "got 'lots'"]),
    ("trends_2022_unknown_company_size.csv", [], ["row 4", "column 'Q2_company_size'", "got 'huge'"]),
    ("benchmark_2022_csat_140.csv", [], ["row 4", "column 'Q7_csat'", "got '140'", "from 0 to 100"]),
    ("benchmark_2022_nps_300.csv", [], ["row 4", "column 'Q11_nps'", "got '300'", "from -100 to 100"]),
    ("benchmark_2022_negative_frt.csv", [], ["row 4", "column 'Q12_frt_hours'", "got '-3'"]),
    ("benchmark_2022_bad_percentage.csv", [], ["row 4", "column 'Q7_csat'", "got 'eighty-nine'",
                                               "percentage"]),
    ("benchmark_2022_weight_zero.csv", [], ["row 4", "column 'weight'", "got '0'", "positive"]),
    ("benchmark_2022_weight_negative.csv", [], ["row 4", "column 'weight'", "got '-1.5'"]),
    ("benchmark_2022_weight_missing.csv", [], ["row 4", "column 'weight'", "missing or non-positive"]),
    ("trends_2022_corrupt.xlsx", [], ["cannot read workbook", "expected an Excel 2007+ workbook"]),
    ("trends_2022_corrupt.sav", [], ["cannot read as SPSS .sav"]),
    (MAPS_BASE, ["--map", "map_absent_columns.yml"],
     ["map_absent_columns.yml", "column 'Q9_3_burnout'", "names 2 column(s) that the export",
      MAPS_BASE, "'Q9_3_burnout', 'Q99'", "its columns are: respondent_id, submitted_at"]),
    (MAPS_BASE, ["--map", "map_wrong_survey.yml"], ["map_wrong_survey.yml", "unknown survey", "got 'trend'"]),
    (MAPS_BASE, ["--map", "map_not_yaml.yml"], ["map_not_yaml.yml", "not valid YAML"]),
    (MAPS_BASE, ["--survey", "trend"], ["unknown survey", "got 'trend'", "benchmark, cs_ops, trends",
                                        "--survey-file my_survey.yml"]),
    (MAPS_BASE, ["--survey", "benchmark"], ["missing required column(s) Q6_tracks_csat"]),
    ("trends_2022_unknown_answer_label.csv", ["--map", "map_wrong_survey.yml", "--survey", "trends"],
     ["map_wrong_survey.yml", "unknown survey"]),
]
IDS = [f"{c[0]}{' ' + ' '.join(c[1]) if c[1] else ''}" for c in CASES]


def _args(name, extra):
    extra = [str(BAD / a) if a.endswith(".yml") else a for a in extra]
    return ["clean", str(BAD / name), *extra]


def _state(folder: Path):
    """Every file under ``folder`` with size and mtime: proof nothing was written."""
    if not folder.exists():
        return None
    return sorted((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*"))


@pytest.fixture(scope="module")
def raw_before():
    return _state(DATA_RAW)


@pytest.mark.parametrize("name, extra, fragments", CASES, ids=IDS)
def test_malformed_export_fails_in_one_line(name, extra, fragments, tmp_path, capsys, raw_before):
    out = tmp_path / "out"
    processed_before = _state(DATA_PROCESSED)
    code = main(_args(name, extra) + ["--out", str(out)])
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert code == 2, captured
    assert len(lines) == 1, captured.err
    line = lines[0]
    assert line.startswith("error: ") and "Traceback" not in line
    named = [a for a in extra if a.endswith(".yml")] or [name]
    assert any(str(BAD / n) in line for n in named), line  # names the file at fault
    for fragment in fragments:
        assert fragment in line, f"{fragment!r} not in {line!r}"
    assert captured.out == ""
    assert not out.exists() or not any(out.iterdir())
    assert _state(DATA_PROCESSED) == processed_before
    assert _state(DATA_RAW) == raw_before


def test_at_least_twenty_malformed_files_all_exercised():
    on_disk = {p.name for p in BAD.iterdir() if p.suffix not in (".py", ".md")}
    used = {c[0] for c in CASES} | {a for c in CASES for a in c[1] if a.endswith(".yml")}
    assert len(on_disk - {MAPS_BASE}) >= 20
    assert on_disk <= used, f"files without a case: {sorted(on_disk - used)}"


def test_the_command_line_exits_2_without_traceback(tmp_path):
    """A real process: exit code, stderr and the default output folder (under a scratch root)."""
    env = {**os.environ, "SUPPORTSTATS_ROOT": str(tmp_path)}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE.parent), env.get("PYTHONPATH")]))
    proc = subprocess.run([sys.executable, "-m", "supportstats.cli", "clean",
                           str(BAD / "benchmark_2022_nps_300.csv")],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert "row 4" in proc.stderr and "Q11_nps" in proc.stderr
    assert not (tmp_path / "data" / "processed").exists()


def test_refuses_to_write_under_data_raw(tmp_path, capsys, raw_before):
    code = main(["clean", str(GOOD / "trends_2022_valid.csv"), "--out", str(DATA_RAW / "cleaned")])
    err = capsys.readouterr().err
    assert code == 2 and "never writes under data/raw" in err
    assert _state(DATA_RAW) == raw_before


@pytest.mark.parametrize("name, survey, n", [("trends_2022_valid.csv", "trends", 4),
                                             ("benchmark_2022_valid.csv", "benchmark", 4)])
def test_valid_exports_clean_and_report(name, survey, n, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["clean", str(GOOD / name), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"{survey} 2022" in printed
    assert f"n_raw = n_clean + n_excluded: {n} = {n} + 0" in printed
    stem = Path(name).stem
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"{stem}_{kind}" for kind in ("clean.csv", "clean.parquet", "exclusions.csv",
                                      "exclusions.parquet", "report.csv"))


def test_report_counts_every_step_on_a_faulty_export(tmp_path, capsys):
    """A generated raw file with every kind of fault: counts by step add up in the printed report."""
    import pandas as pd

    from supportstats.synth_waves import generate_wave

    w = generate_wave("cs_ops", 2023, n=100, seed=11)
    src = tmp_path / "my_cs_ops_2023.csv"
    src.write_text(w.raw.to_csv(index=False), encoding="utf-8-sig")
    assert main(["clean", str(src), "--out", str(tmp_path / "out")]) == 0
    printed = capsys.readouterr().out
    n_raw = len(w.raw)
    assert f"n_raw = n_clean + n_excluded: {n_raw} = 100 + {n_raw - 100}" in printed
    report = pd.read_csv(tmp_path / "out" / "my_cs_ops_2023_report.csv")
    assert report["n_excluded"].sum() == n_raw - 100
    for step in ("drop_blank", "deduplicate", "drop_tests", "drop_partials", "drop_speeders",
                 "drop_straightliners"):
        assert f"\n  {step}: " in printed, step


def test_survey_and_wave_from_map_or_flags(tmp_path, capsys):
    src = tmp_path / "export.csv"  # a name that gives nothing away
    src.write_bytes((GOOD / "trends_2022_valid.csv").read_bytes())
    assert main(["clean", str(src), "--out", str(tmp_path / "o")]) == 2
    assert "cannot tell which survey" in capsys.readouterr().err
    assert main(["clean", str(src), "--survey", "trends", "--out", str(tmp_path / "o")]) == 2
    assert "cannot tell which trends wave" in capsys.readouterr().err
    cmap = tmp_path / "map.yml"
    cmap.write_text("survey: trends\nkeep_unmapped: true\nconstants:\n  wave: 2022\n")
    assert main(["clean", str(src), "--map", str(cmap), "--out", str(tmp_path / "o")]) == 0
    assert "trends 2022" in capsys.readouterr().out
    assert main(["clean", str(src), "--map", str(cmap), "--survey", "benchmark",
                 "--out", str(tmp_path / "o2")]) == 2
    assert "contradicts the map" in capsys.readouterr().err
    assert not (tmp_path / "o2").exists()


def test_unwritable_output_folder_is_one_line(tmp_path, capsys):
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("a file where the output folder should be")
    code = main(["clean", str(GOOD / "trends_2022_valid.csv"), "--out", str(blocker / "sub")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "cannot write the cleaned data" in err


def test_case3_clean_without_out_keeps_a_users_export_out_of_the_project(tmp_path, capsys):
    """Issue 11, case 3: `supportstats clean EXPORT` wrote a real export's respondents into data/processed."""
    processed_before = _state(DATA_PROCESSED)
    src = tmp_path / "exports" / "trends_2022_mine.csv"
    src.parent.mkdir()
    src.write_bytes((GOOD / "trends_2022_valid.csv").read_bytes())
    assert main(["clean", str(src)]) == 0
    assert f"wrote {src.parent / 'cleaned' / 'trends_2022_mine_clean.csv'}" in capsys.readouterr().out
    assert sorted(p.name for p in (src.parent / "cleaned").iterdir())[:2] == [
        "trends_2022_mine_clean.csv", "trends_2022_mine_clean.parquet"]
    assert _state(DATA_PROCESSED) == processed_before


def test_clean_without_out_writes_a_project_export_to_data_processed(tmp_path):
    """An export inside the project still goes to its data/processed/ (here a scratch project)."""
    env = {k: v for k, v in os.environ.items() if k != "SUPPORTSTATS_OUTPUT_ROOT"}
    env.update(SUPPORTSTATS_ROOT=str(tmp_path))
    src = tmp_path / "data" / "raw" / "trends_2022_valid.csv"
    src.parent.mkdir(parents=True)
    src.write_bytes((GOOD / "trends_2022_valid.csv").read_bytes())
    proc = subprocess.run([sys.executable, "-m", "supportstats.cli", "clean", str(src)],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "data" / "processed" / "trends_2022_valid_clean.csv").exists()
