"""Replay the committed findings table against the registry and against its own columns.

Separate from nbval: a readable failure here names the claim whose verdict or number moved,
without re-running any notebook (balance's test_e2e_from_tutorials habit).
"""
import numpy as np
import pandas as pd
import pytest

import supportstats as ss
from supportstats.paths import DATA_PROCESSED

FINDINGS = DATA_PROCESSED / "findings.csv"


@pytest.fixture(scope="module")
def findings():
    return ss.read_findings(FINDINGS)


@pytest.fixture(scope="module")
def claims():
    return ss.load_claims().set_index("claim_id")


def test_the_table_is_the_contract(findings):
    assert list(findings.columns) == ss.FINDING_COLUMNS
    assert len(set(findings.columns)) == len(findings.columns)
    ss.FINDINGS_SCHEMA.validate(findings)


def test_one_row_per_claim_with_the_registry_value_exactly(findings, claims):
    assert sorted(findings["claim_id"]) == sorted(claims.index) and len(findings) == 52
    f = findings.set_index("claim_id").loc[claims.index]
    for col, reg in [("published", "value"), ("published_high", "value_high"), ("unit", "unit"),
                     ("bound", "bound")]:
        for cid in claims.index:
            a, b = f.at[cid, col], claims.at[cid, reg]
            assert (pd.isna(a) and pd.isna(b)) or a == b, f"{cid}: {col} {a!r} but the registry says {b!r}"


def test_verdicts_detail_and_adjusted_p_agree_with_the_row(findings):
    assert ss.check_findings(findings) == []


def test_no_verdict_rests_on_the_synthetic_reconstruction(findings):
    assert set(findings["evidence"]) <= {"published aggregates", "registry checks", "none"}
    assert not findings["verdict"].isin(["reproduced", "not reproduced"]).any()
    assert not findings["detail"].str.contains("recomputed from the synthetic", case=False).any()


def test_holm_and_bh_recompute_from_the_tables_own_columns(findings):
    from statsmodels.stats.multitest import multipletests
    for family, part in findings[findings["family"].notna()].groupby("family"):
        for src, holm, bh in [("p_value", "p_holm", "p_bh"), ("p_value_min", "p_holm_min", "p_bh_min")]:
            np.testing.assert_allclose(part[holm], multipletests(part[src], method="holm")[1], err_msg=family)
            np.testing.assert_allclose(part[bh], multipletests(part[src], method="fdr_bh")[1], err_msg=family)
        assert part["claim_id"].is_unique


# The headline changes, as a reader would check them.
def test_nps_45_to_51_depends_on_the_sd_and_says_where_it_flips(findings):
    row = findings.set_index("claim_id").loc["benchmark_2022.nps_mean"]
    assert row["verdict"] == "depends on assumptions"
    assert row["threshold_on"] == "sd" and row["threshold"] == pytest.approx(22.14, abs=0.01)


def test_csat_and_iqs_are_judged_over_every_possible_sd_with_tracker_n(findings):
    f = findings.set_index("claim_id")
    for cid in ("benchmark_2022.csat_change_pp", "benchmark_2022.iqs_mean"):
        assert f.at[cid, "verdict"] in ("significant change", "depends on assumptions"), cid
        assert f.at[cid, "p_value_min"] == 0.0, cid            # SD 0 is possible: never "within noise"
        assert "largest the 0 to 100 scale allows" in f.at[cid, "assumption"], cid
        assert f.at[cid, "n_low"] < 300, cid                    # trackers only, not the whole sample


def test_one_test_per_change_and_nothing_synthetic_in_the_families(findings):
    fam = findings[findings["family"].notna()]
    assert set(fam["claim_id"]) == {"benchmark_2022.csat_change_pp", "benchmark_2022.iqs_mean",
                                    "benchmark_2022.nps_mean", "benchmark_2022.nps_tracking",
                                    "trends_2022.expectations_change"}
    assert (fam["evidence"] == "published aggregates").all()


def test_levels_state_their_margin_and_assumption(findings):
    lv = findings[(findings["kind"] == "level") & (findings["verdict"] == "consistent")]
    assert len(lv) >= 20
    assert (lv["ci_low"] <= lv["published"]).all() and (lv["published"] <= lv["ci_high"]).all()
    assert lv["detail"].str.contains("simple random sample").all()
    burn = lv.set_index("claim_id").loc["trends_2022.team_burnout"]
    assert burn["margin"] == pytest.approx(2.7, abs=0.05) and burn["n_low"] == 1200


def test_untestable_and_external_rows_say_why(findings):
    quiet = findings[findings["verdict"].isin(["untestable", "external"])]
    assert quiet["detail"].str.len().min() > 40
