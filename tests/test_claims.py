"""Tests for supportstats.claims: the registry, its schema errors, every kind of check, the CLI."""
from __future__ import annotations

import csv
import math
from pathlib import Path

import pandas as pd
import pytest

from supportstats.claims import (CHECK_COLUMNS, CLAIM_COLUMNS, change_readings, check_claims, claims_table,
                                 feasible_counts, format_table, load_claims, value_interval)
from supportstats.cli import main
from supportstats.errors import InputError
from supportstats.paths import CLAIMS_CSV, ROOT

BAD = Path(__file__).parent / "data" / "claims_bad"
SEEDS = ROOT.parent / "shared" / "seeds"
SEED = "000_21c998474df13a11.txt"


# --------------------------------------------------------------------------- fabricated registries
def claim(claim_id, value, statistic="share", unit=None, **kw):
    """One registry row with harmless defaults; the wave comes from the id."""
    survey, _, wave = claim_id.split(".")[0].rpartition("_")
    if not survey:
        survey, wave = claim_id.split(".")[0], ""
    unit = unit or {"change_pp": "points", "ratio": "ratio", "amount": "usd", "count": "count"}.get(statistic, "percent")
    row = dict(claim_id=claim_id, survey=survey, report="r", publisher="p", published="2022-05-22", wave=wave,
               metric="m", statistic=statistic, value=str(value), unit=unit, n_approx="false",
               source_files=SEED, language="ja", quote="q")
    row.update({k: str(v) for k, v in kw.items()})
    return row


def write_registry(path, rows) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=CLAIM_COLUMNS, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, "") for c in CLAIM_COLUMNS})
    return path


def registry(tmp_path, rows) -> pd.DataFrame:
    return load_claims(write_registry(tmp_path / "claims.csv", rows))


def one(checks, check, claim_id):
    sel = checks[(checks.check == check) & (checks.claim_id == claim_id)]
    assert len(sel) == 1, checks[["check", "claim_id", "status", "detail"]]
    return sel.iloc[0]


CSAT = [claim("benchmark_2021.csat_mean", 78, "mean"),
        claim("benchmark_2022.csat_mean", 89, "mean", compared_to="benchmark_2021.csat_mean")]


def change(value, statistic):
    return claim("benchmark_2022.csat_change", value, statistic, compared_to="benchmark_2021.csat_mean",
                 relates_to="benchmark_2022.csat_mean")


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


def test_real_registry_checks_summary():
    checks = check_claims()
    assert list(checks.columns) == list(CHECK_COLUMNS)
    assert set(checks.status) <= {"ok", "warning", "inconsistent"}
    assert one(checks, "change_arithmetic", "benchmark_2022.csat_change_pp").reading == "points"
    assert one(checks, "change_arithmetic", "benchmark_2022.csat_change_rel").reading == "relative"
    cut = one(checks, "conditional_base", "trends_2022.cut_hurt_cx")
    assert cut.status == "warning" and cut.estimate == pytest.approx(24.96)
    roar = one(checks, "implied_figure", "anecdote.intercom_roar_savings")
    assert roar.estimate == pytest.approx(100_000)
    assert (checks.status == "inconsistent").sum() == 0


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
    assert len(check_claims(claims)) == 0


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


# --------------------------------------------------------------------------- helpers
def test_value_interval_rounding_and_bounds():
    assert value_interval(89) == (88.5, 89.5)
    assert value_interval(5.5) == (5.45, 5.55)
    assert value_interval(20, bound="min") == (19.5, math.inf)
    assert value_interval(1, bound="exact") == (1.0, 1.0)
    with pytest.raises(ValueError, match="bound"):
        value_interval(1, bound="roughly")


def test_change_readings_78_to_89():
    r = change_readings(78, 89)
    assert r.loc["points"].tolist() == pytest.approx([11, 10, 12])
    assert r.loc["relative", "estimate"] == pytest.approx(14.1026, abs=1e-3)
    assert r.loc["relative", "implied_low"] == pytest.approx(100 * (88.5 / 78.5 - 1))
    assert r.loc["relative", "implied_high"] == pytest.approx(100 * (89.5 / 77.5 - 1))


def test_feasible_counts_exact_edges():
    t = feasible_counts(48, [7, 25, 300]).set_index("n")
    assert not t.at[7, "feasible"] and t.at[25, "k_low"] == 12
    assert (t.at[300, "k_low"], t.at[300, "k_high"]) == (143, 145)
    # 12.5% = 1/8 lies on the rounding edge of both 12% and 13%: both must accept it
    assert feasible_counts(12, 8).feasible.iloc[0] and feasible_counts(13, 8).feasible.iloc[0]
    assert feasible_counts(5.5, 200, decimals=1).k_low.iloc[0] == 11
    with pytest.raises(ValueError, match="n must be"):
        feasible_counts(48, 0)
    with pytest.raises(ValueError, match="p must be"):
        feasible_counts(148, 10)


# --------------------------------------------------------------------------- change arithmetic
def test_change_points_reading_ok(tmp_path):
    r = one(check_claims(registry(tmp_path, CSAT + [change(11, "change_pp")])), "change_arithmetic",
            "benchmark_2022.csat_change")
    assert (r.status, r.reading) == ("ok", "points")
    assert (r.implied_low, r.implied_high) == pytest.approx((10, 12))


def test_change_relative_14_ok_as_relative(tmp_path):
    r = one(check_claims(registry(tmp_path, CSAT + [change(14, "change_relative")])), "change_arithmetic",
            "benchmark_2022.csat_change")
    assert (r.status, r.reading) == ("ok", "relative")
    assert r.estimate == pytest.approx(14.10, abs=0.01)


@pytest.mark.parametrize("stated", [9, 16])
def test_change_fitting_neither_reading_is_inconsistent(tmp_path, stated):
    # 78 -> 89 allows 10..12 points and 12.74..15.48% relative; 9 and 16 fit neither
    r = one(check_claims(registry(tmp_path, CSAT + [change(stated, "change_pp")])), "change_arithmetic",
            "benchmark_2022.csat_change")
    assert r.status == "inconsistent" and "neither reading" in r.detail


def test_change_13_pp_fits_only_as_relative(tmp_path):
    r = one(check_claims(registry(tmp_path, CSAT + [change(13, "change_pp")])), "change_arithmetic",
            "benchmark_2022.csat_change")
    assert (r.status, r.reading) == ("warning", "relative")


def test_change_12_pp_fits_only_at_rounding_edges(tmp_path):
    # 77.6 -> 89.4 is +11.8, published as 78 -> 89 and "+12": possible, but only at the edges
    r = one(check_claims(registry(tmp_path, CSAT + [change(12, "change_pp")])), "change_arithmetic",
            "benchmark_2022.csat_change")
    assert r.status == "warning" and "rounding edges" in r.detail


def test_change_recorded_with_the_wrong_reading_is_warning(tmp_path):
    r = one(check_claims(registry(tmp_path, CSAT + [change(14, "change_pp")])), "change_arithmetic",
            "benchmark_2022.csat_change")
    assert (r.status, r.reading) == ("warning", "relative")


# --------------------------------------------------------------------------- ambiguous wording
def test_ambiguous_change_gives_both_earlier_values(tmp_path):
    rows = [claim("trends_2022.rising", 75),
            claim("trends_2022.rising_change", 2, "change_unspecified", relates_to="trends_2022.rising")]
    r = one(check_claims(registry(tmp_path, rows)), "ambiguous_wording", "trends_2022.rising_change")
    assert r.status == "warning"
    assert "73 (72..74) as points" in r.detail and "73.53" in r.detail
    assert r.implied_low == pytest.approx(72.0) and r.implied_high == pytest.approx(75.5 / 1.015)


def test_ambiguous_change_without_later_level_still_warns(tmp_path):
    rows = [claim("benchmark_2022.tracking_change", 10, "change_unspecified")]
    r = one(check_claims(registry(tmp_path, rows)), "ambiguous_wording", "benchmark_2022.tracking_change")
    assert r.status == "warning" and "p - 10 or p / 1.1" in r.detail


def test_ambiguous_change_contradicted_by_published_earlier_level(tmp_path):
    rows = [claim("trends_2021.rising", 60), claim("trends_2022.rising", 75, compared_to="trends_2021.rising"),
            claim("trends_2022.rising_change", 2, "change_unspecified", relates_to="trends_2022.rising",
                  compared_to="trends_2021.rising")]
    r = one(check_claims(registry(tmp_path, rows)), "ambiguous_wording", "trends_2022.rising_change")
    assert r.status == "inconsistent"


# --------------------------------------------------------------------------- rounding feasibility
def test_infeasible_share_for_exact_n(tmp_path):
    r = one(check_claims(registry(tmp_path, [claim("benchmark_2022.a", 48, n=7)])), "rounding_feasibility",
            "benchmark_2022.a")
    assert r.status == "inconsistent" and r.n_feasible == 0


def test_infeasible_over_whole_approximate_range(tmp_path):
    rows = [claim("benchmark_2022.a", 48, n=7, n_approx="true", n_low=5, n_high=9)]
    r = one(check_claims(registry(tmp_path, rows)), "rounding_feasibility", "benchmark_2022.a")
    assert r.status == "inconsistent" and (r.n_low, r.n_high, r.n_feasible) == (5, 9, 0)


def test_approximate_n_scans_range(tmp_path):
    rows = [claim("benchmark_2022.a", 50, n=7, n_approx="true", n_low=6, n_high=8)]
    r = one(check_claims(registry(tmp_path, rows)), "rounding_feasibility", "benchmark_2022.a")
    assert r.status == "ok" and r.n_feasible == 2          # n = 6 (3/6) and n = 8 (4/8); not 7
    assert "(6, 8)" in r.detail
    assert math.isnan(r.implied_low)                        # no whole k at the nominal n = 7


def test_feasible_share_reports_count_range(tmp_path):
    r = one(check_claims(registry(tmp_path, [claim("benchmark_2022.a", 48, n=300)])), "rounding_feasibility",
            "benchmark_2022.a")
    assert (r.status, r.implied_low, r.implied_high) == ("ok", 143, 145)


# --------------------------------------------------------------------------- conditional bases
def base_rows(clear, value=48):
    return [claim("trends_2022.cut", 52),
            claim("trends_2022.hurt", value, base_claim="trends_2022.cut", base_clear=clear)]


def test_conditional_share_of_all(tmp_path):
    r = one(check_claims(registry(tmp_path, base_rows("true"))), "conditional_base", "trends_2022.hurt")
    assert r.status == "ok"
    assert r.estimate == pytest.approx(24.96)
    assert (r.implied_low, r.implied_high) == pytest.approx((47.5 * 51.5 / 100, 48.5 * 52.5 / 100))


def test_unclear_base_warns_with_both_readings(tmp_path):
    r = one(check_claims(registry(tmp_path, base_rows("false"))), "conditional_base", "trends_2022.hurt")
    assert r.status == "warning" and "92.31%" in r.detail and "24.96%" in r.detail


def test_unclear_base_that_cannot_be_everyone(tmp_path):
    r = one(check_claims(registry(tmp_path, base_rows("false", value=60))), "conditional_base", "trends_2022.hurt")
    assert "impossible" in r.detail


def test_mean_over_subgroup_implies_its_n(tmp_path):
    rows = [claim("benchmark_2022.track", 39, n=300, n_approx="true", n_low=285, n_high=315),
            claim("benchmark_2022.score", 89, "mean", base_claim="benchmark_2022.track", base_clear="true")]
    r = one(check_claims(registry(tmp_path, rows)), "conditional_base", "benchmark_2022.score")
    assert r.estimate == pytest.approx(117) and r.implied_low == pytest.approx(38.5 * 2.85)


# --------------------------------------------------------------------------- implied figures
def roar_rows(extra=None):
    return [claim("anecdote.roar", 5.5, bound="approx"),
            claim("anecdote.savings", 550000, "amount", implied="usd per point = {anecdote.savings} / {anecdote.roar}"),
            claim("anecdote.heads", 1, "ratio", bound="exact",
                  implied="usd per head = {anecdote.savings} / ({anecdote.roar} * {anecdote.heads})"),
            *(extra or [])]


def test_implied_per_point_and_per_head(tmp_path):
    checks = check_claims(registry(tmp_path, roar_rows()))
    per_point = one(checks, "implied_figure", "anecdote.savings")
    assert per_point.estimate == pytest.approx(100_000)
    assert (per_point.implied_low, per_point.implied_high) == pytest.approx((550000 / 5.55, 550000 / 5.45), rel=1e-5)
    per_head = one(checks, "implied_figure", "anecdote.heads")
    assert per_head.estimate == pytest.approx(100_000) and per_head.status == "ok"


def test_stated_ratio_checked_against_its_parts(tmp_path):
    def rows(ratio):
        return [claim("external.before", 10), claim("external.after", 20),
                claim("external.ratio", ratio, "ratio",
                      implied="value = {external.after} / {external.before}")]
    assert one(check_claims(registry(tmp_path, rows(2))), "implied_figure", "external.ratio").status == "ok"
    bad = one(check_claims(registry(tmp_path, rows(3))), "implied_figure", "external.ratio")
    assert bad.status == "inconsistent"


def test_implied_change_between_waves(tmp_path):
    r = one(check_claims(registry(tmp_path, CSAT)), "implied_change", "benchmark_2022.csat_mean")
    assert r.estimate == pytest.approx(11) and "+14.1% relative" in r.detail


def test_checks_are_sorted_and_deterministic(tmp_path):
    a, b = check_claims(), check_claims()
    pd.testing.assert_frame_equal(a, b)
    assert list(zip(a.claim_id, a.check)) == sorted(zip(a.claim_id, a.check))


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


def test_cli_check_exit_codes(tmp_path, capsys):
    assert main(["claims", "--check"]) == 0
    assert "0 inconsistent" in capsys.readouterr().out
    path = write_registry(tmp_path / "bad_change.csv", CSAT + [change(16, "change_pp")])
    assert main(["claims", "--check", "--path", str(path)]) == 1
    assert "INCONSISTENT change_arithmetic" in capsys.readouterr().out


def test_cli_bad_registry_one_line_exit_2(capsys):
    assert main(["claims", "--path", str(BAD / "unknown_unit.csv")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "unknown_unit.csv: row 2: column 'unit'" in err


def test_claim_measures_point_at_registered_claims():
    from supportstats import schema
    measures = getattr(schema, "CLAIM_MEASURES", None)
    if measures is None or not len(measures):
        pytest.skip("schema.CLAIM_MEASURES not written yet")
    ids = measures["claim_id"] if isinstance(measures, pd.DataFrame) else pd.Series(list(measures))
    assert set(ids) - set(load_claims()["claim_id"]) == set()
