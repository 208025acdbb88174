"""Evidence from published aggregates: margins, change tests over assumption ranges, thresholds.

Reference values come from base R (tests/reference/evidence_reference.R), not from this code.
"""
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import supportstats as ss
from supportstats import ranges as ev
from supportstats.errors import InputError

REF = json.loads((Path(__file__).parent / "reference" / "evidence_reference.json").read_text())


def one(n):
    return ss.Range(n, n, n)


def test_welch_from_summaries_matches_r():
    r = ev.change_test([(45, 51)], one(84), one(144), scale=None)  # shares path is not Welch: use _mean_test
    t, df, p = REF["welch_nps_sd25"][:3]
    got = ev._mean_test(45, 25, 84, 51, 25, 144, 0.95)
    assert float(got["statistic"]) == pytest.approx(t, rel=1e-9)
    assert float(got["df"]) == pytest.approx(df, rel=1e-9)
    assert float(got["p_value"]) == pytest.approx(p, rel=1e-7)
    assert len(r) == 1


def test_change_test_takes_the_largest_possible_sd_for_a_mean():
    r = ev.change_test([(45, 51)], one(84), one(144), scale=(-100, 100)).iloc[0]
    t, df, p = REF["welch_nps_maxsd"]
    assert (r["sd1"], r["sd2"]) == pytest.approx((np.sqrt(145 * 55), np.sqrt(151 * 49)))
    assert (r["statistic"], r["df"], r["p_value"]) == pytest.approx((t, df, p), rel=1e-7)


def test_two_proportion_z_matches_r_prop_test():
    r = ev.change_test([(28, 48)], one(300), one(300)).iloc[0]
    chisq, p = REF["prop_28_48_300"]
    assert r["statistic"] ** 2 == pytest.approx(chisq, rel=1e-9)
    assert r["p_value"] == pytest.approx(p, rel=1e-7)


def test_share_margin_is_r_wilson_at_the_rounding_ends():
    low, high = REF["wilson_777_1214"]
    m = ss.share_margin((777 / 1214 * 100, 777 / 1214 * 100), 1214).iloc[0]
    assert (m.ci_low / 100, m.ci_high / 100) == pytest.approx((low, high), rel=1e-9)
    wide = ss.share_margin((63.5, 64.5), 1214).iloc[0]
    assert wide.ci_low < m.ci_low < m.ci_high < wide.ci_high
    assert wide.margin == pytest.approx(1.959964 * np.sqrt(0.64 * 0.36 / 1214) * 100, rel=1e-6)


def test_mean_margin_uses_the_scale_cap_and_r_t_quantile():
    m = ss.mean_margin((89, 89), 300, (0, 100)).iloc[0]
    assert m.sd_max == pytest.approx(np.sqrt(89 * 11))
    assert m.margin == pytest.approx(REF["t975_299"][0] * np.sqrt(89 * 11) / np.sqrt(300), rel=1e-9)
    assert m.ci_high <= 100


def test_nps_threshold_is_the_sd_where_p_crosses_alpha():
    row = ss.change_evidence(["benchmark_2022.nps_mean"], notebook="t").iloc[0]
    assert row["verdict"] == "depends on assumptions"
    assert row["threshold_on"] == "sd"
    sd = row["threshold"]
    assert sd == pytest.approx(REF["sd_threshold_nps"][0], abs=1e-4)
    # a mean without a published SD is never "within noise": at SD -> 0 the change is significant
    assert row["p_value_min"] == 0.0


def test_corners_carry_the_extremes_of_a_fine_grid():
    """The least favourable p over a fine grid of every unknown equals the corner search."""
    n1, n2 = ss.Range(78, 90, 84), ss.Range(135, 153, 144)
    corners = ev.change_test([(44.5, 50.5), (45.5, 50.5), (44.5, 51.5), (45.5, 51.5), (45, 51)], n1, n2,
                             scale=(-100, 100))
    fine = [(a, b) for a in np.linspace(44.5, 45.5, 11) for b in np.linspace(50.5, 51.5, 11)]
    grid = ev.change_test(fine, ss.Range(78, 90, 84), ss.Range(135, 153, 144), scale=(-100, 100))
    assert corners["p_value"].max() == pytest.approx(grid["p_value"].max(), rel=1e-12)
    # and for shares, at sizes in between
    corners = ev.change_test([(72.5, 75.5), (73.5, 74.5), (73, 75)], ss.Range(1200, 1299, 1200), ss.Range(1200, 1299, 1200))
    for n in (1200, 1250, 1299):
        mid = ev.change_test([(a, b) for a in np.linspace(72.5, 73.5, 5) for b in np.linspace(74.5, 75.5, 5)],
                             one(n), one(n))
        assert mid["p_value"].max() <= corners["p_value"].max() + 1e-12


def test_verdicts_over_the_range_for_the_benchmark_changes():
    rows = ss.change_evidence(["benchmark_2022.csat_change_pp", "benchmark_2022.iqs_mean",
                               "benchmark_2022.nps_mean", "benchmark_2022.nps_tracking",
                               "trends_2022.expectations_change"], notebook="t").set_index("claim_id")
    assert rows.loc["benchmark_2022.nps_tracking", "verdict"] == "significant change"
    assert rows.loc["trends_2022.expectations_change", "verdict"] == "change within noise"
    for cid in ("benchmark_2022.csat_change_pp", "benchmark_2022.iqs_mean", "benchmark_2022.nps_mean"):
        assert rows.loc[cid, "verdict"] == "depends on assumptions", cid
    # tracker n, never the whole sample: CSAT and IQS averages are over the teams that track them
    assert rows.loc["benchmark_2022.iqs_mean", "n_low"] < 300
    # the CSAT flip is in n (significant at every possible SD from 106 trackers a wave)
    assert rows.loc["benchmark_2022.csat_change_pp", ["threshold_on", "threshold"]].tolist() == ["n", 106]
    # the third reading of "up 2%" is named as untestable
    assert "untestable reading" in rows.loc["trends_2022.expectations_change", "assumption"]


def test_untestable_without_a_sample_size_or_a_pair():
    lv = ss.level_evidence(["cs_ops_2023.morale_decline"], notebook="t").iloc[0]
    assert lv["verdict"] == "untestable"
    ch = ss.change_evidence(["benchmark_2022.csat_tracking_change"], notebook="t").iloc[0]
    assert ch["verdict"] == "untestable"


def test_unclear_base_gives_the_n_of_both_readings():
    row = ss.level_evidence(["trends_2022.cut_hurt_cx"], notebook="t").iloc[0]
    assert row["n_low"] == pytest.approx(0.515 * 1200) and row["n_high"] == 1299
    assert "base is unclear" in row["assumption"]


def test_assumptions_overrides_and_bad_files(tmp_path):
    a = ss.load_assumptions(overrides={"waves": {"benchmark_2021": {"n": {"low": 500, "high": 600, "nominal": 550}}}})
    assert a["waves"]["benchmark_2021"]["n"].text() == "500–600"
    bad = tmp_path / "a.yml"
    bad.write_text("waves:\n  x:\n    n: {low: 5}\n")
    with pytest.raises(InputError, match=r"a\.yml: column 'waves\.x\.n'.*low, high, nominal"):
        ss.load_assumptions(bad)
    bad.write_text("means:\n  x.y:\n    over: {low: 0.5, high: 0.4, nominal: 0.45}\n    short: s\n    why: w\n")
    with pytest.raises(InputError, match="low <= nominal <= high"):
        ss.load_assumptions(bad)
    narrow = ss.load_assumptions(overrides={"means": {"benchmark_2021.csat_mean": {"over": {"low": 0.9, "high": 1.0, "nominal": 1.0}},
                                                       "benchmark_2022.csat_mean": {"over": {"low": 0.9, "high": 1.0, "nominal": 1.0}}}})
    row = ss.change_evidence(["benchmark_2022.csat_change_pp"], notebook="t", assumptions=narrow).iloc[0]
    assert row["verdict"] == "significant change"  # with >= 256 trackers a wave, every SD is significant
