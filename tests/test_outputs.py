"""Writing: the write guard, atomic writes, spreadsheet-safe CSV."""
import re
from pathlib import Path

import pandas as pd
import pytest

from supportstats.errors import InputError
from supportstats.outputs import atomic_path, check_write, read_csv, write_csv

HERE = Path(__file__).resolve().parent


def test_atomic_path_leaves_nothing_on_failure(tmp_path):
    out = tmp_path / "sub" / "x.csv"
    with pytest.raises(RuntimeError):
        with atomic_path(out) as tmp:
            tmp.write_text("half")
            raise RuntimeError("crash")
    assert list((tmp_path / "sub").iterdir()) == []


# ------------------------------------------------ issue 11: write guard, safe CSV

def test_atomic_path_refuses_data_raw_and_writes_outside_the_output_root(tmp_path, monkeypatch):
    from supportstats import paths

    before = sorted((p.name, p.stat().st_mtime_ns) for p in paths.DATA_RAW.iterdir())
    with pytest.raises(InputError, match="raw data are immutable"):
        with atomic_path(paths.CLAIMS_CSV) as tmp:
            tmp.write_text("overwritten")
    with pytest.raises(InputError, match="raw data are immutable"):
        check_write(paths.DATA_RAW / "new.csv")
    assert sorted((p.name, p.stat().st_mtime_ns) for p in paths.DATA_RAW.iterdir()) == before
    assert check_write(paths.DATA_RAW / "x.csv", allow_raw=True)  # synth's way in
    root = tmp_path / "run"
    monkeypatch.setenv(paths.OUTPUT_ROOT_ENV, str(root))
    assert check_write(root / "figures" / "a.png") == root / "figures" / "a.png"
    with pytest.raises(InputError, match="outside the run's output root"):
        check_write(paths.FIGURES / "01_csat_rise.png")  # the checkout, during a run
    with pytest.raises(InputError, match="raw data are immutable"):
        check_write(root / "data" / "raw" / "x.csv")


def test_case6_formula_cells_are_escaped_and_round_trip(tmp_path):
    """Issue 11, case 6: formula-like answers went verbatim into CSVs editors open in Excel."""
    nasty = ['=HYPERLINK("http://x","click")', "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3", "\tx", "\rx",
             "'=already quoted", "plain", "-5", "+3.5", "", None]
    df = pd.DataFrame({"text": nasty, "number": [-1.5] * len(nasty), "count": range(-6, 6)})
    path = write_csv(df, tmp_path / "t.csv", float_format="%.10g")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    for cell in raw["text"]:
        assert cell in ("-5", "+3.5") or not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert raw["text"].tolist()[:7] == ["'" + v for v in nasty[:7]]
    assert raw["number"].tolist()[0] == "-1.5" and raw["count"].tolist()[0] == "-6"  # numbers stay numbers
    back = read_csv(path)
    assert back["text"].tolist()[:10] == nasty[:10] and back["number"].equals(df["number"])


def test_case6_cleaned_exports_are_spreadsheet_safe(tmp_path):
    from supportstats.cli import main

    src = tmp_path / "trends_2022_mine.csv"
    lines = (HERE / "data" / "exports" / "trends_2022_valid.csv").read_text(encoding="utf-8-sig").splitlines()
    ids = ['"=HYPERLINK(""http://x"",""click"")"', "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3"]
    rows = [lines[0]] + [i + line[line.index(","):] for i, line in zip(ids, lines[1:])]
    rows[4] = rows[4].replace(",100,1,", ",40,0,", 1)  # the last respondent stops early: excluded
    src.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["clean", str(src), "--out", str(out)]) == 0
    clean_csv = (out / "trends_2022_mine_clean.csv").read_text()
    excl_csv = (out / "trends_2022_mine_exclusions.csv").read_text()
    for text in (clean_csv, excl_csv):
        assert not re.search(r'(^|,)"?[=+@]', text, flags=re.M)
    assert "'=HYPERLINK" in clean_csv and "'-2+3" in excl_csv
    parquet = pd.read_parquet(out / "trends_2022_mine_clean.parquet")
    assert parquet["respondent_id"].iloc[0] == '=HYPERLINK("http://x","click")'  # Parquet keeps the raw value
    back = read_csv(out / "trends_2022_mine_clean.csv", dtype=str, keep_default_na=False)
    assert back["respondent_id"].tolist() == parquet["respondent_id"].tolist()
