"""The findings table: rows, verdict rules, multiplicity at both ends, assembly, self-consistency."""
import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests

import supportstats as ss
from supportstats import findings as fnd


@pytest.fixture(scope="module")
def benchmark_rows():
    return ss.change_evidence(["benchmark_2022.csat_change_pp", "benchmark_2022.iqs_mean",
                               "benchmark_2022.nps_mean", "benchmark_2022.nps_tracking"], notebook="02")


# ----------------------------------------------------------------------------- verdict rules
@pytest.mark.parametrize("p, p_min, alpha, want", [
    (0.049, 0.001, 0.05, "significant change"),
    (0.051, 0.001, 0.05, "depends on assumptions"),
    (0.050, 0.050, 0.05, "change within noise"),    # p = alpha is not below alpha
    (0.099, 0.060, 0.05, "change within noise"),    # would be "significant" at 2 * alpha
    (0.009, 0.001, 0.01, "significant change"),
    (0.011, 0.001, 0.01, "depends on assumptions"),
    (0.30, 0.0, 0.05, "depends on assumptions"),
])
def test_change_verdict_thresholds(p, p_min, alpha, want):
    assert ss.change_verdict(p, p_min, alpha) == want


def test_change_verdict_refuses_inverted_or_missing_ends():
    with pytest.raises(ValueError, match="larger"):
        ss.change_verdict(0.01, 0.2, 0.05)
    with pytest.raises(ValueError, match="both"):
        ss.change_verdict(np.nan, 0.2, 0.05)


def test_families_adjust_both_ends_and_verdicts_read_the_adjusted_p():
    t = pd.DataFrame({"kind": ["change"] * 3 + ["level"], "report": ["A", "A", "B", "A"],
                      "p_value": [0.03, 0.02, 0.04, np.nan], "p_value_min": [0.01, 0.001, 0.04, np.nan],
                      "verdict": ["", "", "", "consistent"]})
    out = ss.adjust_families(t, alpha=0.05)
    assert out["family"].tolist()[:3] == ["A", "A", "B"] and pd.isna(out["family"].iloc[3])
    np.testing.assert_allclose(out["p_holm"][:2], multipletests([0.03, 0.02], method="holm")[1])
    np.testing.assert_allclose(out["p_holm_min"][:2], multipletests([0.01, 0.001], method="holm")[1])
    np.testing.assert_allclose(out["p_bh"][:2], multipletests([0.03, 0.02], method="fdr_bh")[1])
    # 0.03 alone would be significant; after Holm within A it is 0.04 (still) and 0.04 (0.02 * 2)
    assert out["verdict"].tolist() == ["significant change", "significant change", "significant change", "consistent"]
    out = ss.adjust_families(t.assign(p_value=[0.03, 0.04, 0.04, np.nan]), alpha=0.05)
    assert out["verdict"].iloc[0] == "depends on assumptions"  # Holm 0.06 at the least favourable end


def test_holm_and_bh_match_r_p_adjust():
    import json
    from pathlib import Path
    ref = json.loads((Path(__file__).parent / "reference" / "evidence_reference.json").read_text())
    t = pd.DataFrame({"kind": ["change"] * 4, "report": ["A"] * 4, "p_value": [0.09, 0.19, 0.69, 1e-6],
                      "p_value_min": [0.0] * 4, "verdict": [""] * 4})
    out = ss.adjust_families(t)
    np.testing.assert_allclose(out["p_holm"], ref["holm"], rtol=1e-12)
    np.testing.assert_allclose(out["p_bh"], ref["bh"], rtol=1e-12)


# ------------------------------------------------------------------------------ assembly
def test_assemble_covers_the_registry_and_keeps_the_strongest_row(benchmark_rows, tmp_path):
    claims = ss.load_claims()
    levels = ss.level_evidence(["trends_2022.team_burnout"], notebook="03_burnout")
    real = ss.finding_row("trends_2022.team_burnout", notebook="03_burnout", kind="level", verdict="reproduced",
                          evidence="real export", estimate=64.2, ci_low=61.5, ci_high=66.9, n=1214, level=0.95)
    ss.record_findings(pd.concat([levels, benchmark_rows]), "03_burnout", folder=tmp_path)
    ss.record_findings(pd.DataFrame([real]), "10_real", folder=tmp_path)
    table = ss.assemble_findings(claims, rows=ss.load_findings(tmp_path), out=tmp_path / "f.csv")
    assert sorted(table.claim_id) == sorted(claims.claim_id) and table.claim_id.is_unique
    by = table.set_index("claim_id")
    assert by.loc["trends_2022.team_burnout", "evidence"] == "real export"  # real export outranks aggregates
    assert by.loc["external.forrester_time_valued", "verdict"] == "external"
    assert by.loc["trends_2022.trend_count", "verdict"] == "untestable"
    assert ss.check_findings(table) == []
    # the written file reads back to the same table, and is the contract
    again = ss.read_findings(tmp_path / "f.csv")
    assert list(again.columns) == ss.FINDING_COLUMNS
    assert ss.check_findings(again) == []


def test_published_columns_equal_the_registry_exactly(benchmark_rows):
    claims = ss.load_claims().set_index("claim_id")
    table = ss.assemble_findings(rows=benchmark_rows, out=False).set_index("claim_id")
    for col, reg in [("published", "value"), ("published_high", "value_high"), ("unit", "unit"), ("bound", "bound"),
                     ("measure", "statistic")]:
        norm = [lambda s: [None if pd.isna(v) else v for v in s]][0]
        assert norm(table[col]) == norm(claims.loc[table.index, reg]), col


def test_inconsistent_registry_check_wins_and_leaves_the_family(benchmark_rows):
    checks = pd.DataFrame([{"check": "value_in_quote", "claim_id": "benchmark_2022.nps_tracking",
                            "status": "inconsistent", "detail": "46 is not in the quote"}])
    table = ss.assemble_findings(rows=benchmark_rows, checks=checks, out=False).set_index("claim_id")
    assert table.loc["benchmark_2022.nps_tracking", "verdict"] == "inconsistent"
    assert "46 is not in the quote" in table.loc["benchmark_2022.nps_tracking", "detail"]
    assert pd.isna(table.loc["benchmark_2022.nps_tracking", "p_holm"])
    fam = table[table["family"].notna()]
    assert len(fam) == 3  # csat, iqs, nps_mean: one test each, no duplicates, nothing synthetic


def test_no_verdict_rests_on_the_synthetic_reconstruction():
    assert "synthetic reconstruction" not in ss.EVIDENCE
    with pytest.raises(ValueError, match="evidence"):
        ss.finding_row("x", notebook="n", kind="level", verdict="consistent", evidence="synthetic reconstruction")
    bad = ss.finding_row("trends_2022.team_burnout", notebook="n", kind="level", verdict="reproduced",
                         evidence="published aggregates")
    with pytest.raises(Exception, match="real export"):
        ss.assemble_findings(rows=pd.DataFrame([bad]), out=False)


def test_check_findings_catches_a_verdict_its_numbers_do_not_give(benchmark_rows):
    table = ss.assemble_findings(rows=benchmark_rows, out=False)
    assert ss.check_findings(table) == []
    i = table.index[table.claim_id == "benchmark_2022.nps_tracking"][0]
    broken = table.copy()
    broken.loc[i, "verdict"] = "depends on assumptions"
    assert any(p.startswith("benchmark_2022.nps_tracking: verdict") for p in ss.check_findings(broken))
    broken = table.copy()
    broken.loc[i, "p_holm"] = 0.5
    assert any(p.startswith("p_holm") for p in ss.check_findings(broken))
    broken = table.copy()
    broken.loc[i, "detail"] = "Significant at α = 0.1."
    assert any("detail" in p for p in ss.check_findings(broken))


def test_detail_states_the_adjusted_verdict(benchmark_rows):
    table = ss.assemble_findings(rows=benchmark_rows, out=False).set_index("claim_id")
    nps = table.loc["benchmark_2022.nps_mean"]
    assert nps["detail"].startswith("A change of +6 points: significant at α = 0.05 under the most favourable")
    assert "flips at SD 22.1" in nps["detail"] and "Holm-adjusted" in nps["detail"]


def test_finding_row_rejects_unknown_verdicts_fields_and_table_columns():
    with pytest.raises(ValueError, match="verdict"):
        ss.finding_row("x", notebook="n", kind="level", verdict="reproduced by construction")
    with pytest.raises(KeyError, match="colour"):
        ss.finding_row("x", notebook="n", kind="level", verdict="external", colour="red")
    with pytest.raises(KeyError, match="p_holm"):
        ss.finding_row("x", notebook="n", kind="change", verdict="external", p_holm=0.1)


def test_record_findings_is_byte_stable_and_refuses_duplicates(benchmark_rows, tmp_path):
    path = ss.record_findings(benchmark_rows, "02", folder=tmp_path)
    first = path.read_bytes()
    ss.record_findings(benchmark_rows.iloc[::-1], "02", folder=tmp_path)
    assert path.read_bytes() == first
    with pytest.raises(ValueError, match="twice on the same evidence"):
        ss.record_findings(pd.concat([benchmark_rows, benchmark_rows]), "02", folder=tmp_path)


def test_a_value_not_in_its_quote_is_inconsistent_and_the_table_still_builds(tmp_path):
    """Registry with team burnout 64 -> 46 while its quote still says 64%: flagged, not fatal."""
    from supportstats.paths import CLAIMS_CSV
    text = CLAIMS_CSV.read_text(encoding="utf-8").splitlines(keepends=True)
    i = next(k for k, line in enumerate(text) if line.startswith("trends_2022.team_burnout,"))
    text[i] = text[i].replace(",share,64,", ",share,46,", 1)
    bad = tmp_path / "claims.csv"
    bad.write_text("".join(text), encoding="utf-8")
    claims = ss.load_claims(bad)
    rows = ss.level_evidence(["trends_2022.team_burnout"], notebook="03_burnout", claims=claims)
    table = ss.assemble_findings(claims, rows=rows, out=False).set_index("claim_id")
    row = table.loc["trends_2022.team_burnout"]
    assert row["verdict"] == "inconsistent" and row["published"] == 46
    assert "not stated in its quote" in row["detail"] or "quote" in row["detail"]
