"""Verdict rows: recomputation, change tests, assembly of the whole registry."""
import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

import supportstats as ss
from supportstats import findings as fnd


def _bool(values):
    return pd.array(values, dtype="boolean")


@pytest.fixture
def claims():
    rows = [
        # claim_id, survey, report, metric, statistic, value, unit, compared_to
        ("demo_2021.share", "demo", "Demo report", "share", "share", 28, "percent", None),
        ("demo_2022.share", "demo", "Demo report", "share", "share", 48, "percent", "demo_2021.share"),
        ("demo_2021.score", "demo", "Demo report", "score", "mean", 45, "points", None),
        ("demo_2022.score", "demo", "Demo report", "score", "mean", 51, "points", "demo_2021.score"),
        ("demo_2022.in_domain", "demo", "Demo report", "share", "share", 50, "percent", None),
        ("demo_2022.n_respondents", "demo", "Demo report", "n", "count", 100, "count", None),
        ("external.other", "external", "Other", "x", "share", 66, "percent", None),
    ]
    cols = ["claim_id", "survey", "report", "metric", "statistic", "value", "unit", "compared_to"]
    out = pd.DataFrame(rows, columns=cols)
    out["n_low"], out["n_high"] = 95.0, 105.0
    return out


@pytest.fixture
def measures():
    return pd.DataFrame([
        ("demo_2021.share", "demo", 2021, "flag", "share", pd.NA, pd.NA),
        ("demo_2022.share", "demo", 2022, "flag", "share", pd.NA, pd.NA),
        ("demo_2021.score", "demo", 2021, "score", "mean", pd.NA, pd.NA),
        ("demo_2022.score", "demo", 2022, "score", "mean", pd.NA, pd.NA),
        ("demo_2022.in_domain", "demo", 2022, "other", "share", pd.NA, "flag"),
    ], columns=["claim_id", "survey", "wave", "column", "statistic", "level", "domain"])


@pytest.fixture
def data():
    rng = np.random.default_rng(7)
    w21 = pd.DataFrame({"flag": _bool([True] * 28 + [False] * 72),
                        "score": 45 + rng.normal(0, 1, 100) - 0.0})
    w21["score"] += 45 - w21["score"].mean()
    w22 = pd.DataFrame({"flag": _bool([True] * 48 + [False] * 52),
                        "other": _bool(([True] * 24 + [False] * 24) + [pd.NA] * 52),
                        "score": 51 + rng.normal(0, 1, 100)})
    w22["score"] += 51 - w22["score"].mean()
    return {"demo_2021": w21, "demo_2022": w22}


def test_matches_published_rounds_half_away_from_zero():
    assert fnd.matches_published(0.485, 49) and not fnd.matches_published(0.4849, 49)
    assert fnd.matches_published(5.54, 5.5, unit="points") and not fnd.matches_published(5.56, 5.5, unit="points")
    assert not fnd.matches_published(np.nan, 5)


def test_level_findings_reproduce_and_flag_mismatch(claims, measures, data):
    rows = ss.level_findings(["demo_2021.share", "demo_2022.in_domain"], data, notebook="nb",
                             data_source="synthetic reconstruction", claims=claims, measures=measures)
    assert rows["verdict"].tolist() == ["reproduced", "reproduced"]
    # the domain share is computed among flag == True only (24 of 48), not among all rows
    assert rows.loc[1, "reproduced"] == pytest.approx(50.0) and rows.loc[1, "n"] == 48
    assert (rows["ci_low"] < rows["reproduced"]).all() and (rows["reproduced"] < rows["ci_high"]).all()
    claims.loc[claims.claim_id == "demo_2021.share", "value"] = 31
    bad = ss.level_findings(["demo_2021.share"], data, notebook="nb", data_source="real export",
                            claims=claims, measures=measures)
    assert bad["verdict"].iloc[0] == "not reproduced"
    # z test of the published value against the estimate's standard error
    est = ss.weighted_share(data["demo_2021"], "flag").iloc[0]
    z = (28 - 31) / (100 * est["se"])
    assert bad["p_value"].iloc[0] == pytest.approx(2 * stats.norm.sf(abs(z)))


def test_change_findings_difference_and_independent_se(claims, measures, data):
    rows = ss.change_findings(["demo_2022.share"], data, notebook="nb", data_source="synthetic reconstruction",
                              claims=claims, measures=measures)
    r = rows.iloc[0]
    a, b = (ss.weighted_share(data[k], "flag").iloc[0] for k in ("demo_2021", "demo_2022"))
    se = np.hypot(a["se"], b["se"])
    assert r["reproduced"] == pytest.approx(20.0)
    assert r["p_value"] == pytest.approx(2 * stats.norm.sf(0.20 / se))
    assert r["ci_low"] == pytest.approx(100 * (0.20 - 1.959963985 * se))
    assert r["verdict"] == "significant change" and r["published"] == 20


def test_aggregate_mean_change_matches_scipy_welch(claims):
    rows = ss.aggregate_change_findings(["demo_2022.score"], notebook="nb", claims=claims, sd_assumed=25,
                                        n_assumed={"demo_2021.score": 84, "demo_2022.score": 144})
    ref = stats.ttest_ind_from_stats(51, 25, 144, 45, 25, 84, equal_var=False)
    assert rows["p_value"].iloc[0] == pytest.approx(ref.pvalue, rel=1e-9)
    assert rows["data_source"].iloc[0] == "published aggregates"


def test_aggregate_share_change_uses_whole_counts(claims):
    rows = ss.aggregate_change_findings(["demo_2022.share"], notebook="nb", claims=claims,
                                        n_assumed={"demo_2021.share": 300, "demo_2022.share": 300})
    # 28% and 48% of 300 = 84 and 144; pooled two-proportion z test by hand
    p = (84 + 144) / 600
    z = (144 / 300 - 84 / 300) / np.sqrt(p * (1 - p) * (2 / 300))
    assert rows["statistic"].iloc[0] == pytest.approx(z)
    assert rows["verdict"].iloc[0] == "significant change"


def test_change_spec_without_compared_to_is_an_error(claims, measures, data):
    with pytest.raises(ValueError, match="compared_to"):
        ss.change_findings(["demo_2021.share"], data, notebook="nb", data_source="real export",
                           claims=claims, measures=measures)


def test_finding_row_rejects_unknown_verdict_and_fields():
    with pytest.raises(ValueError, match="verdict"):
        ss.finding_row("x", notebook="n", kind="level", verdict="looks fine", detail="")
    with pytest.raises(KeyError, match="colour"):
        ss.finding_row("x", notebook="n", kind="level", verdict="external", detail="", colour="red")
    with pytest.raises(ValueError, match="data_source"):
        ss.finding_row("x", notebook="n", kind="level", verdict="external", detail="", data_source="vibes")


def test_assemble_covers_every_claim_once_and_adjusts_per_report(claims, measures, data, tmp_path):
    levels = ss.level_findings(["demo_2021.share"], data, notebook="01_a", data_source="synthetic reconstruction",
                               claims=claims, measures=measures)
    change = ss.change_findings(["demo_2022.share", "demo_2022.score"], data, notebook="02_b",
                                data_source="synthetic reconstruction", claims=claims, measures=measures)
    ss.record_findings(levels, "01_a", folder=tmp_path)
    ss.record_findings(change, "02_b", folder=tmp_path)
    checks = pd.DataFrame([{"check": "rounding", "claim_id": "demo_2021.score", "status": "inconsistent",
                            "detail": "no whole count fits"}])
    out = ss.assemble_findings(claims, rows=ss.load_findings(tmp_path), checks=checks, out=tmp_path / "f.csv")
    assert sorted(out["claim_id"]) == sorted(claims["claim_id"])
    verdict = out.set_index("claim_id")["verdict"]
    assert verdict["external.other"] == "external"
    assert verdict["demo_2021.score"] == "inconsistent"
    assert verdict["demo_2022.n_respondents"] == "untestable"
    p = out.loc[out.p_value.notna(), "p_value"].to_numpy()
    holm = multipletests(p, method="holm")[1]
    np.testing.assert_allclose(out.loc[out.p_value.notna(), "p_holm"].to_numpy(), holm)
    assert (tmp_path / "f.csv").read_text().count("\n") == len(claims) + 1


def test_record_findings_is_byte_stable(claims, measures, data, tmp_path):
    rows = ss.level_findings(["demo_2022.share", "demo_2021.share"], data, notebook="nb",
                             data_source="synthetic reconstruction", claims=claims, measures=measures)
    path = ss.record_findings(rows, "nb", folder=tmp_path)
    first = path.read_bytes()
    ss.record_findings(rows.iloc[::-1], "nb", folder=tmp_path)
    assert path.read_bytes() == first
    assert list(pd.read_csv(path)["claim_id"]) == ["demo_2021.share", "demo_2022.share"]


def test_sample_size_findings(claims):
    frame = pd.DataFrame({"company_size": pd.Categorical(["10-49"] * 60 + ["10000+"] * 39)})
    rows = ss.sample_size_findings({"demo_2022": frame}, notebook="00", data_source="real export", claims=claims)
    r = rows.set_index("claim_id").loc["demo_2022.n_respondents"]
    assert r["reproduced"] == 99 and r["verdict"] == "reproduced"
    frame = frame.iloc[:90]
    rows = ss.sample_size_findings({"demo_2022": frame}, notebook="00", data_source="real export", claims=claims)
    assert rows.set_index("claim_id").loc["demo_2022.n_respondents", "verdict"] == "not reproduced"


def test_data_source_of_requires_every_file_synthetic():
    assert ss.data_source_of("data/raw/synthetic_a.csv", "x/synthetic_b.csv") == "synthetic reconstruction"
    assert ss.data_source_of("data/raw/synthetic_a.csv", "mine.sav") == "real export"
    with pytest.raises(ValueError):
        ss.data_source_of()
