"""Tests for supportstats.claims: the registry, its schema and cross-column rules, intervals, display."""
from __future__ import annotations

import csv
import math
from pathlib import Path

import pandas as pd
import pytest

from claims_helpers import SEED, claim, mutated, registry
from supportstats.claims import CLAIM_COLUMNS, claims_table, format_table, load_claims, value_interval
from supportstats.cli import main
from supportstats.errors import InputError
from supportstats.paths import CLAIMS_CSV, ROOT

BAD = Path(__file__).parent / "data" / "claims_bad"
# the seeds sit beside the clone (../shared) or beside a worktree's parent (../../shared)
SEEDS = next((p for p in (ROOT.parent / "shared" / "seeds", ROOT.parent.parent / "shared" / "seeds") if p.is_dir()),
             ROOT.parent / "shared" / "seeds")


# --------------------------------------------------------------------------- the real registry
def test_registry_loads_sorted_unique_and_typed():
    claims = load_claims()
    assert len(claims) >= 40
    assert claims["claim_id"].is_unique
    assert list(claims["claim_id"]) == sorted(claims["claim_id"])
    assert claims["value"].dtype == "float64" and str(claims["n"].dtype) == "Int64"
    assert str(claims["n_approx"].dtype) == "boolean"


def test_registry_file_is_sorted_and_newline_clean():
    text = CLAIMS_CSV.read_bytes()
    assert b"\r" not in text and text.endswith(b"\n")
    ids = [r["claim_id"] for r in csv.DictReader(text.decode("utf-8").splitlines())]
    assert ids == sorted(ids)


def test_every_claim_id_a_notebook_names_is_registered():
    import re
    ids = set()
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        found = re.findall(r"(?<![a-z_])(?:(?:benchmark|trends|cs_ops)_\d{4}|external|anecdote)\.[a-z_0-9]+",
                           nb.read_text(encoding="utf-8"))
        ids |= {i for i in found if not i.endswith((".csv", ".ipynb"))}
    assert len(ids) > 30
    assert ids - set(load_claims()["claim_id"]) == set()


def test_registry_headline_values():
    c = load_claims().set_index("claim_id")
    assert c.loc["benchmark_2021.csat_mean", "value"] == 78
    assert c.loc["benchmark_2022.csat_mean", "value"] == 89
    assert c.loc["trends_2022.n_respondents", ["n_low", "n_high"]].tolist() == [1200, 1299]
    assert c.loc["anecdote.intercom_bot_headcount_saved", ["value", "value_high"]].tolist() == [5, 10]
    assert c.loc["benchmark_2022.csat_mean", "source_files"].split(";") == [
        "000_21c998474df13a11.txt", "003_eee946b40eefafda.txt", "004_b7f13b850cb4c6c2.txt"]


@pytest.mark.skipif(not SEEDS.is_dir(), reason="shared/seeds not beside the clone")
def test_every_seed_contributes_and_every_quote_is_verbatim():
    claims = load_claims()
    used = {f for files in claims["source_files"] for f in files.split(";")}
    seeds = {p.name for p in SEEDS.glob("*.txt")}
    assert seeds and seeds <= used
    for r in claims.itertuples():
        first = r.source_files.split(";")[0]
        assert r.quote in (SEEDS / first).read_text(encoding="utf-8"), r.claim_id
        if isinstance(r.quote_other, str):
            for item in r.quote_other.split(" | "):
                name, _, quote = item.partition(": ")
                assert name in r.source_files.split(";"), r.claim_id
                assert quote in (SEEDS / name).read_text(encoding="utf-8"), (r.claim_id, name)




def test_registry_new_columns_typed_and_documented():
    c = load_claims().set_index("claim_id")
    assert list(CLAIM_COLUMNS[-3:]) == ["scale_low", "scale_high", "readings"]
    assert c.loc["benchmark_2022.nps_mean", ["scale_low", "scale_high"]].tolist() == [-100, 100]
    assert c.loc["benchmark_2021.csat_mean", ["scale_low", "scale_high"]].tolist() == [0, 100]
    assert c["scale_low"].dtype == "float64"
    assert c.loc["trends_2022.expectations_change", "readings"] == "points;relative;change_of_change"
    assert c.loc["trends_2022.leader_burnout", "relates_to"] == "trends_2022.team_burnout"
    doc = (ROOT / "docs" / "claims_registry.md").read_text(encoding="utf-8")
    for col in CLAIM_COLUMNS:
        assert f"`{col}`" in doc, col


@pytest.mark.parametrize("changes, column, expected", [
    ({"trends_2022.team_burnout": {"scale_low": "0", "scale_high": "100"}}, "scale_low", "on a mean or score only"),
    ({"benchmark_2022.nps_mean": {"scale_low": ""}}, "scale_low", "scale_low and scale_high together"),
    ({"benchmark_2022.nps_mean": {"scale_low": "100", "scale_high": "-100"}}, "scale_high", "above scale_low"),
    ({"benchmark_2022.nps_mean": {"scale_low": "0", "scale_high": "50"}}, "scale_high", "value (and value_high) on the scale"),
    ({"trends_2022.expectations_change": {"readings": "points;percent"}}, "readings", "readings from points"),
    ({"trends_2022.expectations_change": {"readings": "points"}}, "readings", "two or more different readings"),
    ({"trends_2022.team_burnout": {"readings": "points;relative"}}, "readings", "change_unspecified row only"),
    ({"trends_2022.leader_burnout": {"relates_to": "benchmark_2022.nps_tracking"}}, "relates_to",
     "another share of the same survey and wave"),
    ({"trends_2022.leader_burnout": {"relates_to": "trends_2022.n_respondents"}}, "relates_to",
     "another share of the same survey and wave"),
])
def test_new_columns_are_validated(tmp_path, changes, column, expected):
    with pytest.raises(InputError) as info:
        load_claims(mutated(tmp_path, changes))
    assert info.value.column == column and expected in str(info.value)
    assert "\n" not in str(info.value)

# --------------------------------------------------------------------------- schema errors
@pytest.mark.parametrize("name, row, column, expected", [
    ("unknown_unit", 2, "unit", "one of percent"),
    ("unknown_statistic", 1, "statistic", "one of share"),
    ("unknown_survey", 3, "survey", "one of benchmark"),
    ("value_not_a_number", 2, "value", "a plain number"),
    ("missing_compared_to", 2, "compared_to", "claim_id of another row"),
    ("duplicate_claim_id", 3, "claim_id", "data row 1 has it"),
    ("blank_quote", 2, "quote", "may not be blank"),
    ("prefix_mismatch", 3, "claim_id", "matching the survey and wave"),
    ("language_count", 2, "language", "one language code per source file"),
    ("implied_unknown_id", 3, "implied", "{claim_id} of existing rows"),
    ("bad_date", 1, "published", "real calendar date"),
    ("missing_column", None, "quote", "in the header"),
])
def test_bad_registry_names_file_row_column(name, row, column, expected):
    with pytest.raises(InputError) as info:
        load_claims(BAD / f"{name}.csv")
    err, msg = info.value, str(info.value)
    assert "\n" not in msg
    assert err.file == f"{name}.csv" and msg.startswith(f"{name}.csv: ")
    assert err.row == row and err.column == column
    assert expected in msg
    if row is not None:
        assert f"row {row}:" in msg


def test_optional_columns_may_be_left_out(tmp_path):
    path = tmp_path / "lean.csv"
    path.write_text("claim_id,survey,report,publisher,published,metric,statistic,value,unit,n_approx,"
                    "source_files,language,quote\n"
                    f"external.a,external,r,p,2022-05-06,m,share,66,percent,false,{SEED},ja,q\n", encoding="utf-8")
    claims = load_claims(path)
    assert claims.loc[0, "value"] == 66 and pd.isna(claims.loc[0, "n"])


def test_missing_file_is_input_error(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_claims(tmp_path / "nope.csv")


def test_error_counts_further_problems(tmp_path):
    rows = [claim("benchmark_2022.a", 1, unit="pct"), claim("benchmark_2022.b", 1, statistic="median")]
    with pytest.raises(InputError, match=r"row 1: column 'unit'.*1 more problem"):
        registry(tmp_path, rows)


def test_share_above_100_and_wrong_unit_for_statistic(tmp_path):
    with pytest.raises(InputError, match="column 'value'.*share from 0 to 100"):
        registry(tmp_path, [claim("benchmark_2022.a", 120)])
    with pytest.raises(InputError, match="column 'unit'.*fits the statistic"):
        registry(tmp_path, [claim("benchmark_2022.a", 12, unit="usd")])



# --------------------------------------------------------------------------- intervals
def test_value_interval_rounding_and_bounds():
    assert value_interval(89) == (88.5, 89.5)
    assert value_interval(5.5) == (5.45, 5.55)
    assert value_interval(20, bound="min") == (19.5, math.inf)
    assert value_interval(20, bound="max") == (-math.inf, 20.5)
    assert value_interval(1, bound="exact") == (1.0, 1.0)
    assert value_interval(5, value_high=10, bound="exact") == (5.0, 10.0)
    with pytest.raises(ValueError, match="bound"):
        value_interval(1, bound="roughly")


@pytest.mark.parametrize("value, value_high, decimals, expected", [
    (5.5, None, 1, (5.5 * 0.95, 5.5 * 1.05)),          # "約 5.5%": ±5% is wider than ±0.05
    (73, None, 0, (69.35, 76.65)),                     # "大約 73%"
    (300, None, 0, (285, 315)),                        # "約300人", as the registry's n_low/n_high
    (2, None, 0, (1.5, 2.5)),                          # ±5% of 2 is narrower than its rounding: rounding wins
    (5, 10, 0, (4.5, 10.5)),                           # "おそらく 5〜10%": ±5% of 5 and of 10 is within rounding
    (48, 52, 0, (45.6, 54.6)),                         # a range widened at each end
    (100000, 900000, 0, (95000, 945000)),              # 数十万ドル
])
def test_about_widens_beyond_rounding(value, value_high, decimals, expected):
    low, high = value_interval(value, value_high, "approx", decimals)
    assert (low, high) == pytest.approx(expected)
    plain = value_interval(value, value_high, None, decimals)
    assert low <= plain[0] and high >= plain[1]


# --------------------------------------------------------------------------- display and CLI
def test_claims_table_and_format_table_trim():
    t = claims_table()
    assert list(t.columns) == ["claim_id", "value", "unit", "base", "n", "sources"]
    assert t.set_index("claim_id").loc["anecdote.intercom_roar_savings", "value"] == "$550,000"
    text = format_table(t, {"base": 10})
    assert max(len(line) for line in text.splitlines()) < 140
    assert "…" in text


def test_cli_prints_registry(capsys):
    assert main(["claims"]) == 0
    out = capsys.readouterr().out
    assert "benchmark_2022.csat_mean" in out and "claims" in out.splitlines()[-1]


def test_cli_bad_registry_one_line_exit_2(capsys):
    assert main(["claims", "--path", str(BAD / "unknown_unit.csv")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "unknown_unit.csv: row 2: column 'unit'" in err
    assert main(["claims", "--check", "--path", str(BAD / "unknown_unit.csv")]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_claim_measures_point_at_registered_claims():
    from supportstats import schema
    measures = getattr(schema, "CLAIM_MEASURES", None)
    if measures is None or not len(measures):
        pytest.skip("schema.CLAIM_MEASURES not written yet")
    ids = measures["claim_id"] if isinstance(measures, pd.DataFrame) else pd.Series(list(measures))
    assert set(ids) - set(load_claims()["claim_id"]) == set()

