"""The command line for surveys of one's own: clean --survey-file/--wave, survey check, survey init."""
from pathlib import Path

import pytest

from supportstats.cli import main
from supportstats.paths import DATA_RAW

FIX = Path(__file__).resolve().parent / "data" / "surveys"
ACME = FIX / "acme_support.yml"


def _one_error_line(capsys):
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and "Traceback" not in err, err
    return err


def test_clean_with_a_survey_file_gives_the_audit(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["clean", str(FIX / "acme_support_2023.sav"), "--survey-file", str(ACME), "--wave", "2023",
                 "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "acme_support 2023" in printed and "n_raw = n_clean + n_excluded: 12 = 8 + 4" in printed
    assert "  drop_straightliners: same answer to all 2 grid items: 1" in printed
    assert (out / "acme_support_2023_clean.parquet").exists()


def test_clean_any_wave_of_a_built_in_survey(tmp_path, capsys):
    assert main(["clean", str(DATA_RAW / "synthetic_trends_2022.csv"), "--survey", "trends", "--wave", "2023",
                 "--out", str(tmp_path)]) == 0
    assert "trends 2023" in capsys.readouterr().out


@pytest.mark.parametrize("args, fragments", [
    (["--survey", "mine"], ["got 'mine'", "one of benchmark, cs_ops, trends", "--survey-file my_survey.yml"]),
    (["--survey", "trends", "--survey-file", str(ACME)], ["not both"]),
    (["--survey-file", str(FIX / "absent.yml")], ["absent.yml", "survey definition not found"]),
    (["--survey", "trends", "--wave", "next"], ["got 'next'", "a wave such as 2023"]),
])
def test_clean_bad_survey_options_fail_in_one_line(tmp_path, capsys, args, fragments):
    out = tmp_path / "out"
    code = main(["clean", str(FIX / "acme_support_2023.csv"), *args, "--out", str(out)])
    err = _one_error_line(capsys)
    assert code == 2 and not out.exists()
    for f in fragments:
        assert f in err, err


def test_survey_check(capsys, tmp_path):
    assert main(["survey", "check", str(ACME), str(FIX / "acme_support_2023.csv"), "--wave", "2023"]) == 0
    printed = capsys.readouterr().out
    assert "definition OK" in printed and "n_raw = n_clean + n_excluded: 12 = 8 + 4" in printed
    bad = tmp_path / "bad.yml"
    bad.write_text(ACME.read_text().replace("type: yes_no", "type: yesno"))
    assert main(["survey", "check", str(bad)]) == 2
    err = _one_error_line(capsys)
    assert "bad.yml: row" in err and "key columns.resolved.type: got 'yesno'" in err


def test_survey_init_writes_a_draft_or_nothing(tmp_path, capsys):
    out = tmp_path / "mine.yml"
    assert main(["survey", "init", str(FIX / "acme_support_2023.sav"), "--out", str(out)]) == 0
    assert "guesses to check" in capsys.readouterr().out
    assert main(["survey", "check", str(out), str(FIX / "acme_support_2023.sav"), "--wave", "2023"]) == 0
    capsys.readouterr()
    assert main(["survey", "init", str(FIX / "acme_support_2023.sav"), "--out", str(out)]) == 2
    assert "already exists" in _one_error_line(capsys)
    png = tmp_path / "picture.csv"
    png.write_bytes(b"\x89PNG\r\n\x1a\n0000")
    assert main(["survey", "init", str(png), "--out", str(tmp_path / "other.yml")]) == 2
    assert "PNG image" in _one_error_line(capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.yml", "picture.csv"]  # nothing half-written
