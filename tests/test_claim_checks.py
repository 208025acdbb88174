"""Tests for supportstats.claim_checks (and claim_quotes, claim_bounds): every check, each able to fail.

Numbers are pinned to hand arithmetic written next to them; mutations are made on a copy of the
shipped registry in a temporary folder (the committed file is never touched).
"""
from __future__ import annotations

import math

import pandas as pd
import pytest

from claims_helpers import claim, mutated, one, registry, write_registry
from supportstats.claim_checks import (CHECK_COLUMNS, CHECK_STATUSES, CHECKS, change_readings, check_claims,
                                       feasible_counts)
from supportstats.claims import load_claims
from supportstats.cli import main

CSAT = [claim("benchmark_2021.csat_mean", 78, "mean"),
        claim("benchmark_2022.csat_mean", 89, "mean", compared_to="benchmark_2021.csat_mean")]


def change(value, statistic):
    return claim("benchmark_2022.csat_change", value, statistic, compared_to="benchmark_2021.csat_mean",
                 relates_to="benchmark_2022.csat_mean")




# --------------------------------------------------------------------------- the shipped registry
@pytest.fixture(scope="module")
def shipped():
    return check_claims()


def test_real_registry_checks_summary(shipped):
    checks = shipped
    assert list(checks.columns) == list(CHECK_COLUMNS)
    assert set(checks.status) <= set(CHECK_STATUSES) and set(checks.check) <= set(CHECKS)
    assert one(checks, "change_arithmetic", "benchmark_2022.csat_change_pp").reading == "points"
    assert one(checks, "change_arithmetic", "benchmark_2022.csat_change_rel").reading == "relative"
    cut = one(checks, "conditional_base", "trends_2022.cut_hurt_cx")
    assert cut.status == "warning" and cut.estimate == pytest.approx(24.96)
    roar = one(checks, "implied_figure", "anecdote.intercom_roar_savings")
    assert roar.estimate == pytest.approx(100_000)
    assert (checks.status == "inconsistent").sum() == 0


def test_every_claim_has_its_value_in_its_quote(shipped):
    quotes = shipped[shipped.check == "value_in_quote"].set_index("claim_id")
    assert len(quotes) == len(load_claims())
    assert set(quotes.status) == {"ok", "warning"}
    # the one warning: the key takeaways restate 47% as "幾乎一半" (almost half), with no 47
    assert quotes.index[quotes.status == "warning"].tolist() == ["trends_2022.tools_slow_weekly"]
    for cid, text in [("trends_2022.team_burnout", "64%"), ("anecdote.cs_ops_savings_potential", "数十万ドル"),
                      ("external.digital_transformation_years", "五六"), ("trends_2022.trend_count", "五"),
                      ("anecdote.intercom_bot_headcount_saved", "5〜10%"), ("benchmark_2022.nps_mean", "51"),
                      ("benchmark_2022.csat_change_pp", "11パーセントポイント")]:
        assert quotes.at[cid, "reading"] == text, cid
    assert "003 as 'seis'" in quotes.at["benchmark_2022.report_datapoints", "detail"]
    assert "003 as 'entre el 5 y el 10 %'" in quotes.at["anecdote.intercom_bot_headcount_saved", "detail"]


def test_cli_check_on_shipped_registry_exits_0(capsys):
    assert main(["claims", "--check"]) == 0
    out = capsys.readouterr().out
    assert "0 inconsistent" in out and "INCONSISTENT" not in out
    assert "uninformative" in out


# --------------------------------------------------------------------------- value in quote
def test_wrong_number_is_caught_and_names_the_claim(tmp_path, capsys):
    # the defect of issue 8: 64 -> 46 while the quote still says 64%
    path = mutated(tmp_path, {"trends_2022.team_burnout": {"value": "46"}})
    r = one(check_claims(load_claims(path)), "value_in_quote", "trends_2022.team_burnout")
    assert r.status == "inconsistent" and "46%" in r.detail and "64%" in r.detail
    assert main(["claims", "--check", "--path", str(path)]) == 1
    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("INCONSISTENT")]
    assert lines == [lines[0]] and lines[0].startswith("INCONSISTENT value_in_quote trends_2022.team_burnout: 46%")


@pytest.mark.parametrize("claim_id, changes", [
    ("anecdote.intercom_bot_headcount_saved", {"value_high": "12"}),        # 5〜10% registered as 5–12
    ("anecdote.intercom_bot_headcount_saved", {"value_high": ""}),          # the range lost: 5
    ("anecdote.cs_ops_savings_potential", {"value": "200000"}),             # 数十万 is 100,000..900,000 here
    ("external.digital_transformation_years", {"value_high": "7"}),         # 五六年 is 5..6
    ("trends_2022.trend_count", {"value": "6"}),                            # 五個
    ("benchmark_2022.report_datapoints", {"value": "7"}),                   # 6つ / seis
    ("trends_2022.n_respondents", {"value": "1.2"}),                        # 1,200 in Chinese is never 1.2
    ("benchmark_2022.nps_mean", {"value": "15"}),                           # 45에서 51로
    ("external.difficult_interactions_ratio", {"value": "3"}),             # derived, but its sentence says 2 倍
])
def test_value_not_in_quote_is_inconsistent(tmp_path, claim_id, changes):
    checks = check_claims(load_claims(mutated(tmp_path, {claim_id: changes})))
    assert one(checks, "value_in_quote", claim_id).status == "inconsistent"


def test_percent_claim_needs_a_percent_mark(tmp_path):
    # "12 個月" states a 12, but not 12%
    checks = check_claims(load_claims(mutated(tmp_path, {"trends_2022.team_burnout": {"value": "12"}})))
    assert one(checks, "value_in_quote", "trends_2022.team_burnout").status == "inconsistent"


@pytest.mark.parametrize("claim_id, bound", [
    ("anecdote.intercom_bot_triaged", ""),        # "1,700を超える" / "más de 1,700" say more than
    ("trends_2022.empathy_priority", ""),         # "大約 73%" says about
    ("trends_2022.team_burnout", "approx"),       # "64%" says nothing of the kind
])
def test_bound_that_disagrees_with_the_wording_warns(tmp_path, claim_id, bound):
    r = one(check_claims(load_claims(mutated(tmp_path, {claim_id: {"bound": bound}}))), "value_in_quote", claim_id)
    assert r.status == "warning" and "bound" in r.detail


def test_quote_other_versions_each_checked(tmp_path):
    # 89% is in all three versions; a version that restates it without the number is flagged
    other = ("003_eee946b40eefafda.txt: el CSAT promedio subió mucho | "
             "004_b7f13b850cb4c6c2.txt: 평균 CSAT는 올해 89%입니다.")
    r = one(check_claims(load_claims(mutated(tmp_path, {"benchmark_2022.csat_mean": {"quote_other": other}}))),
            "value_in_quote", "benchmark_2022.csat_mean")
    assert r.status == "warning" and "not stated in 003" in r.detail and "004 as '89%'" in r.detail


def test_derived_claim_without_its_number_is_checked_through_its_sources(tmp_path):
    rows = [claim("external.before", 10), claim("external.after", 20),
            claim("external.ratio", 2, "ratio", implied="value = {external.after} / {external.before}",
                  quote="interactions doubled")]
    r = one(check_claims(registry(tmp_path, rows)), "value_in_quote", "external.ratio")
    assert r.status == "ok" and r.reading == "derived" and "external.after" in r.detail
    rows[0]["quote"] = "interactions were rare"               # a source whose own number is not in its quote
    r = one(check_claims(registry(tmp_path, rows)), "value_in_quote", "external.ratio")
    assert r.status == "inconsistent" and "external.before" in r.detail
    no_source = [claim("external.ratio", 2, "ratio", quote="interactions doubled")]
    assert one(check_claims(registry(tmp_path, no_source)), "value_in_quote", "external.ratio").status == "inconsistent"


# --------------------------------------------------------------------------- SD cap
@pytest.mark.parametrize("claim_id, expected", [
    ("benchmark_2021.csat_mean", math.sqrt(78 * 22)),              # 41.4
    ("benchmark_2022.csat_mean", math.sqrt(89 * 11)),              # 31.3
    ("benchmark_2021.iqs_mean", math.sqrt(81 * 19)),
    ("benchmark_2021.nps_mean", math.sqrt(145 * 55)),              # NPS on -100..100: 89.3
    ("benchmark_2022.nps_mean", math.sqrt(151 * 49)),
])
def test_sd_cap_at_every_published_mean(shipped, claim_id, expected):
    r = one(shipped, "sd_cap", claim_id)
    assert r.status == "ok" and r.estimate == pytest.approx(expected)
    assert r.implied_low <= r.estimate <= r.implied_high


def test_sd_cap_numbers_and_rounding_range(shipped):
    csat = one(shipped, "sd_cap", "benchmark_2021.csat_mean")
    assert round(csat.estimate, 1) == 41.4 and round(one(shipped, "sd_cap", "benchmark_2022.csat_mean").estimate, 1) == 31.3
    # over 77.5..78.5 the cap runs from sqrt(78.5 * 21.5) to sqrt(77.5 * 22.5)
    assert (csat.implied_low, csat.implied_high) == pytest.approx((math.sqrt(78.5 * 21.5), math.sqrt(77.5 * 22.5)))
    assert set(shipped.loc[shipped.check == "sd_cap", "claim_id"]) == {
        f"benchmark_{w}.{m}_mean" for w in (2021, 2022) for m in ("csat", "iqs", "nps")}


def test_sd_cap_scale_comes_from_the_registry(tmp_path):
    rows = [claim("benchmark_2022.a", 45, "mean", unit="points", scale_low=-100, scale_high=100),
            claim("benchmark_2022.b", 45, "mean", unit="points"),              # no scale: no cap
            claim("benchmark_2022.c", 50, "mean")]                             # percent: 0..100
    checks = check_claims(registry(tmp_path, rows))
    assert one(checks, "sd_cap", "benchmark_2022.a").estimate == pytest.approx(math.sqrt(145 * 55))
    assert one(checks, "sd_cap", "benchmark_2022.c").implied_high == pytest.approx(50)
    assert checks[(checks.check == "sd_cap") & (checks.claim_id == "benchmark_2022.b")].empty


# --------------------------------------------------------------------------- overlap (Fréchet)
@pytest.mark.parametrize("claim_id, low, high", [
    ("trends_2022.leader_burnout", 64 + 55 - 100, 55),             # 19..55
    ("cs_ops_2023.morale_hurt_performance", 74 + 49 - 100, 49),    # 23..49
    ("trends_2022.empathy_lack_tools", 0, 21),                     # 73 + 21 < 100
])
def test_overlap_bounds_of_the_three_pairs(shipped, claim_id, low, high):
    r = one(shipped, "overlap_bounds", claim_id)
    assert (r.implied_low, r.implied_high) == (low, high) and r.status == "ok"


def test_overlap_conditional_shares(shipped):
    r = one(shipped, "overlap_bounds", "trends_2022.leader_burnout")
    # of the 64% with a burned-out team, 19/64 = 29.7% .. 55/64 = 85.9% also burned out personally
    assert "29.7%..85.9%" in r.detail and "18..55.5 within rounding" in r.detail


def test_pair_with_different_n_cannot_be_the_same_respondents(tmp_path):
    path = mutated(tmp_path, {"trends_2022.leader_burnout": {"n": "300", "n_low": "285", "n_high": "315"}})
    r = one(check_claims(load_claims(path)), "overlap_bounds", "trends_2022.leader_burnout")
    assert r.status == "inconsistent" and "n differ" in r.detail


def test_nested_reading_impossible_when_the_inner_share_is_larger(tmp_path):
    rows = [claim("trends_2022.cut", 52), claim("trends_2022.hurt", 60, base_claim="trends_2022.cut", base_clear="false")]
    r = one(check_claims(registry(tmp_path, rows)), "overlap_bounds", "trends_2022.hurt")
    assert r.status == "warning" and "cannot all lie inside" in r.detail
    assert (r.implied_low, r.implied_high) == (12, 52)
    rows[1]["base_clear"] = "true"                 # base is the sub-group: not shares of the same people
    assert one(check_claims(registry(tmp_path, rows)), "conditional_base", "trends_2022.hurt").status == "ok"
    assert check_claims(registry(tmp_path, rows)).query("check == 'overlap_bounds'").empty


# --------------------------------------------------------------------------- composition
def test_composition_nps_new_trackers_need_59_4(shipped):
    r = one(shipped, "composition", "benchmark_2022.nps_mean")
    assert r.estimate == pytest.approx((51 * 48 - 45 * 28) / 20)                     # 59.4
    # extremes over the rounding of 28, 45, 48, 51 (the formula is monotone in each)
    assert r.implied_high == pytest.approx((51.5 * 47.5 - 44.5 * 28.5) / 19)         # 62.0
    assert r.implied_low == pytest.approx((50.5 * 48.5 - 45.5 * 27.5) / 21)          # 57.05
    assert r.status == "warning" and "100.0% of the change" in r.detail
    assert "up to 22.92" in r.detail                                                 # 20/48 * (100 - 45)


def test_composition_that_cannot_explain_everything_is_ok(tmp_path):
    path = mutated(tmp_path, {"benchmark_2022.nps_mean": {"value": "70"}})
    r = one(check_claims(load_claims(path)), "composition", "benchmark_2022.nps_mean")
    # newcomers would need (70*48 - 45*28)/20 = 105 > 100: composition explains at most 22.92 of +25
    assert r.estimate == pytest.approx(105) and r.status == "ok"
    assert f"{100 * (20 / 48 * 55) / 25:.1f}% of the change" in r.detail


def test_composition_without_earlier_group_size_is_uninformative(shipped):
    r = one(shipped, "composition", "benchmark_2022.iqs_mean")
    assert r.status == "uninformative" and "cannot fail" in r.detail


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
def test_three_readings_of_the_chinese_wording(shipped):
    rows = shipped[(shipped.check == "ambiguous_wording") & (shipped.claim_id == "trends_2022.expectations_change")]
    assert rows.reading.tolist() == ["points", "relative", "change_of_change"]
    r = rows.set_index("reading")
    assert (r.at["points", "estimate"], r.at["points", "implied_low"], r.at["points", "implied_high"]) == (73, 72, 74)
    assert r.at["relative", "estimate"] == pytest.approx(75 / 1.02)
    assert math.isnan(r.at["change_of_change", "estimate"])
    assert set(r.status) == {"warning"} and "test none" in r.at["points", "detail"]
    assert "needs the levels of the two waves before" in r.at["change_of_change", "detail"]


def test_ambiguous_change_gives_every_earlier_value(tmp_path):
    rows = [claim("trends_2022.rising", 75),
            claim("trends_2022.rising_change", 2, "change_unspecified", relates_to="trends_2022.rising")]
    checks = check_claims(registry(tmp_path, rows))
    pts = one(checks, "ambiguous_wording", "trends_2022.rising_change", "points")
    rel = one(checks, "ambiguous_wording", "trends_2022.rising_change", "relative")
    assert "73 (72..74)" in pts.detail and rel.status == pts.status == "warning"
    assert rel.implied_low == pytest.approx(74.5 / 1.025) and rel.implied_high == pytest.approx(75.5 / 1.015)


def test_ambiguous_change_without_later_level_still_warns(tmp_path):
    rows = [claim("benchmark_2022.tracking_change", 10, "change_unspecified")]
    checks = check_claims(registry(tmp_path, rows))
    assert one(checks, "ambiguous_wording", "benchmark_2022.tracking_change", "points").detail.count("p - 10")
    assert "p / 1.1" in one(checks, "ambiguous_wording", "benchmark_2022.tracking_change", "relative").detail


def test_ambiguous_change_contradicted_by_published_earlier_level(tmp_path):
    rows = [claim("trends_2021.rising", 60), claim("trends_2022.rising", 75, compared_to="trends_2021.rising"),
            claim("trends_2022.rising_change", 2, "change_unspecified", relates_to="trends_2022.rising",
                  compared_to="trends_2021.rising")]
    checks = check_claims(registry(tmp_path, rows))
    assert set(checks.loc[checks.check == "ambiguous_wording", "status"]) == {"inconsistent"}
    # an untestable third reading keeps the claim open: not inconsistent, but said so
    rows[2]["readings"] = "points;relative;change_of_change"
    checks = check_claims(registry(tmp_path, rows))
    assert set(checks.loc[checks.check == "ambiguous_wording", "status"]) == {"warning"}


def test_change_of_change_tested_when_three_waves_are_published(tmp_path):
    # 60 -> 70 (+10) -> 82 (+12): the change grew by 2, so "up 2% on last year's increase" fits only that way
    rows = [claim("trends_2020.rising", 60), claim("trends_2021.rising", 70, compared_to="trends_2020.rising"),
            claim("trends_2022.rising", 82, compared_to="trends_2021.rising"),
            claim("trends_2022.rising_change", 2, "change_unspecified", relates_to="trends_2022.rising",
                  readings="points;relative;change_of_change")]
    checks = check_claims(registry(tmp_path, rows))
    coc = one(checks, "ambiguous_wording", "trends_2022.rising_change", "change_of_change")
    # L - 2E + B with L in 81.5..82.5, E in 69.5..70.5, B in 59.5..60.5 (E counts twice, at one value)
    assert coc.estimate == pytest.approx(2) and (coc.implied_low, coc.implied_high) == (0, 4)
    assert "fits" in coc.detail and coc.status == "warning"
    assert "rules it out" in one(checks, "ambiguous_wording", "trends_2022.rising_change", "points").detail
    rows[2]["value"], rows[2]["quote"] = "90", "90%"                 # +10 then +20: the change grew by 10
    checks = check_claims(registry(tmp_path, rows))
    assert set(checks.loc[checks.check == "ambiguous_wording", "status"]) == {"inconsistent"}


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


def test_rounding_at_n_300_cannot_fail_and_says_so(tmp_path):
    r = one(check_claims(registry(tmp_path, [claim("benchmark_2022.a", 48, n=300)])), "rounding_feasibility",
            "benchmark_2022.a")
    assert (r.status, r.implied_low, r.implied_high) == ("uninformative", 143, 145)
    assert "cannot fail" in r.detail


def test_rounding_below_100_is_informative(tmp_path):
    r = one(check_claims(registry(tmp_path, [claim("benchmark_2022.a", 48, n=25)])), "rounding_feasibility",
            "benchmark_2022.a")
    assert (r.status, r.implied_low, r.implied_high) == ("ok", 12, 12)


def test_every_whole_percent_reachable_from_n_100_by_enumeration():
    # the rule behind "uninformative": all 101 whole percents are reachable at every n >= 100, not at n = 99
    for n in (100, 101, 137, 300):
        assert all(any(abs(100 * k / n - p) <= 0.5 for k in range(n + 1)) for p in range(101)), n
    assert not all(any(abs(100 * k / 99 - p) <= 0.5 for k in range(100)) for p in range(101))


def test_shipped_rounding_checks_are_all_uninformative(shipped):
    rounding = shipped[shipped.check == "rounding_feasibility"]
    assert len(rounding) > 10 and set(rounding.status) == {"uninformative"}


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
    # "約 5.5%" is 5.225..5.775 (±5%), so $550,000 per ROAR point is an interval, not one number
    assert (per_point.implied_low, per_point.implied_high) == pytest.approx((549999.5 / 5.775, 550000.5 / 5.225))
    per_head = one(checks, "implied_figure", "anecdote.heads")
    assert per_head.estimate == pytest.approx(100_000) and per_head.status == "ok"


def test_shipped_roar_per_point_carries_the_about(shipped):
    r = one(shipped, "implied_figure", "anecdote.intercom_roar_savings")
    assert round(r.implied_low) == 95238 and round(r.implied_high) == 105263


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


def test_checks_are_sorted_and_deterministic(shipped):
    a = check_claims()
    pd.testing.assert_frame_equal(a, shipped)
    assert list(zip(a.claim_id, a.check)) == sorted(zip(a.claim_id, a.check))


def test_cli_check_exit_codes(tmp_path, capsys):
    path = write_registry(tmp_path / "bad_change.csv", CSAT + [change(16, "change_pp")])
    assert main(["claims", "--check", "--path", str(path)]) == 1
    assert "INCONSISTENT change_arithmetic" in capsys.readouterr().out
