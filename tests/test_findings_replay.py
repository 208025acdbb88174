"""Replay the headline numbers from the committed findings table against the registry.

Separate from nbval: a readable failure here names the claim whose recomputed number or
verdict moved, without re-running any notebook (balance's test_e2e_from_tutorials habit).
"""
import math

import pandas as pd
import pytest

import supportstats as ss
from supportstats.paths import DATA_PROCESSED

FINDINGS = DATA_PROCESSED / "findings.csv"


@pytest.fixture(scope="module")
def findings():
    return pd.read_csv(FINDINGS).set_index("claim_id")


@pytest.fixture(scope="module")
def claims():
    return ss.load_claims().set_index("claim_id")


def test_every_registered_claim_has_exactly_one_verdict(findings, claims):
    assert findings.index.is_unique
    assert sorted(findings.index) == sorted(claims.index)
    assert set(findings["verdict"]) <= set(ss.VERDICTS)
    assert set(findings["data_source"]) <= set(ss.DATA_SOURCES)


def test_untestable_and_external_rows_say_why(findings):
    quiet = findings[findings["verdict"].isin(["untestable", "external"])]
    assert quiet["detail"].str.len().min() > 20


def test_external_and_anecdote_claims_are_never_called_reproduced(findings, claims):
    outside = claims.index[claims["survey"].isin(["external", "anecdote"])]
    assert (findings.loc[outside, "verdict"] == "external").all()


def test_reproduced_levels_round_to_the_published_figure(findings, claims):
    levels = findings[(findings["kind"] == "level") & (findings["verdict"] == "reproduced")]
    assert len(levels) >= 20
    for cid, row in levels.iterrows():
        published = claims.loc[cid, "value"]
        # reproduced is stored in the published unit (percent for shares)
        assert ss.matches_published(row["reproduced"], published, unit="points"), cid
        assert row["ci_low"] <= row["reproduced"] <= row["ci_high"], cid


# The headline numbers of the reports, as a reader would check them.
HEADLINES = {
    "benchmark_2021.csat_mean": 78, "benchmark_2022.csat_mean": 89,
    "benchmark_2022.iqs_tracking": 39, "benchmark_2021.nps_tracking": 28,
    "trends_2022.team_burnout": 64, "trends_2022.leader_burnout": 55,
    "trends_2022.volume_increased": 59, "trends_2022.headcount_cut": 52,
    "trends_2022.cut_hurt_cx": 48, "trends_2022.expectations_rising": 75,
    "cs_ops_2023.morale_decline": 74, "cs_ops_2023.morale_hurt_performance": 49,
}


@pytest.mark.parametrize("claim_id, published", sorted(HEADLINES.items()))
def test_headline_levels_replay(findings, claims, claim_id, published):
    row = findings.loc[claim_id]
    assert claims.loc[claim_id, "value"] == published
    assert row["verdict"] == "reproduced"
    assert round(row["reproduced"]) == published


def test_changes_from_published_aggregates(findings):
    csat = findings.loc["benchmark_2022.csat_change_pp"]
    assert csat["data_source"] == "published aggregates" and csat["reproduced"] == pytest.approx(11)
    assert csat["verdict"] == "significant change"
    # 73% -> 75% with ~1,200 a wave is within noise, whichever reading of "up 2%"
    expectations = findings.loc["trends_2022.expectations_change"]
    assert expectations["verdict"] == "change within noise" and expectations["p_holm"] > 0.05
    nps = findings.loc["benchmark_2022.nps_tracking"]
    assert nps["verdict"] == "significant change" and nps["ci_low"] > 0


def test_adjusted_p_values_are_no_smaller_than_raw(findings):
    tested = findings[findings["p_value"].notna()]
    assert (tested["p_holm"] >= tested["p_value"] - 1e-12).all()
    assert (tested["p_bh"] >= tested["p_value"] - 1e-12).all()
    assert (tested["p_holm"] >= tested["p_bh"] - 1e-12).all()


def test_relative_reading_of_the_csat_rise(findings):
    rel = findings.loc["benchmark_2022.csat_change_rel"]
    assert math.isclose(rel["reproduced"], 100 * (89 / 78 - 1), rel_tol=1e-3)
