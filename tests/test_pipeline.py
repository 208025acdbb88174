"""Pipeline self-checks: kept apart from the findings, and failing loudly when one fails."""
import pandas as pd
import pytest

import supportstats as ss
from supportstats.paths import DATA_PROCESSED

TABLE = DATA_PROCESSED / "pipeline_checks.csv"


def test_every_committed_pipeline_check_passes():
    table = pd.read_csv(TABLE)
    assert list(table.columns) == ss.PIPELINE_COLUMNS
    assert len(table) >= 25
    failed = table.loc[~table["passed"].astype(bool), ["notebook", "check", "claim_id", "detail"]]
    assert failed.empty, f"pipeline checks failed:\n{failed.to_string()}"


def test_pipeline_checks_never_enter_the_findings():
    findings = ss.read_findings(DATA_PROCESSED / "findings.csv")
    table = pd.read_csv(TABLE)
    assert not findings["verdict"].isin(["reproduced", "not reproduced"]).any()  # no real export here
    assert "synthetic" not in " ".join(findings["evidence"].unique())
    assert set(table["claim_id"]) & set(findings["claim_id"])  # same claims, kept apart


def test_a_wrong_value_fails_its_pipeline_check():
    r = pd.DataFrame([{"claim_id": "trends_2022.team_burnout", "kind": "level", "published": 64.0,
                       "estimate": 46.0, "ci_low": 43.2, "ci_high": 48.8, "n": 1214, "matches": False}])
    row = ss.as_pipeline_checks(r, notebook="03_burnout").iloc[0]
    assert not row["passed"] and "NO" in row["detail"]


def test_assemble_round_trips(tmp_path):
    r = pd.DataFrame([{"claim_id": "x.y", "kind": "level", "published": 1.0, "estimate": 1.0, "ci_low": 0.9,
                       "ci_high": 1.1, "n": 9, "matches": True}])
    ss.record_pipeline_checks(ss.as_pipeline_checks(r, notebook="a"), "a", folder=tmp_path)
    table = ss.assemble_pipeline_checks(ss.load_pipeline_checks(tmp_path), out=tmp_path / "p.csv")
    assert pd.read_csv(tmp_path / "p.csv")["passed"].tolist() == [True] and len(table) == 1
