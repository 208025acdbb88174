"""Claims recomputed from respondent data: levels, changes, sample sizes, and their two uses."""
import numpy as np
import pandas as pd
import pytest
from scipy import stats

import supportstats as ss
from supportstats import recompute as rc


def _bool(values):
    return pd.array(values, dtype="boolean")


@pytest.fixture
def claims():
    rows = [
        ("demo_2021.share", "demo", "Demo report", "share", "share", 28, "percent", None),
        ("demo_2022.share", "demo", "Demo report", "share", "share", 48, "percent", "demo_2021.share"),
        ("demo_2021.score", "demo", "Demo report", "score", "mean", 45, "points", None),
        ("demo_2022.score", "demo", "Demo report", "score", "mean", 51, "points", "demo_2021.score"),
        ("demo_2022.in_domain", "demo", "Demo report", "share", "share", 50, "percent", None),
        ("demo_2022.n_respondents", "demo", "Demo report", "n", "count", 100, "count", None),
    ]
    out = pd.DataFrame(rows, columns=["claim_id", "survey", "report", "metric", "statistic", "value", "unit",
                                      "compared_to"])
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
    w21 = pd.DataFrame({"flag": _bool([True] * 28 + [False] * 72), "score": rng.normal(0, 1, 100)})
    w21["score"] += 45 - w21["score"].mean()
    w22 = pd.DataFrame({"flag": _bool([True] * 48 + [False] * 52),
                        "other": _bool(([True] * 24 + [False] * 24) + [pd.NA] * 52),
                        "score": rng.normal(0, 1, 100)})
    w22["score"] += 51 - w22["score"].mean()
    return {"demo_2021": w21, "demo_2022": w22}


def test_matches_published_rounds_half_away_from_zero():
    assert rc.matches_published(0.485, 49) and not rc.matches_published(0.4849, 49)
    assert rc.matches_published(5.54, 5.5, unit="points") and not rc.matches_published(5.56, 5.5, unit="points")
    assert not rc.matches_published(np.nan, 5)


def test_levels_are_domains_of_the_whole_sample(claims, measures, data):
    r = ss.recompute_levels(["demo_2021.share", "demo_2022.in_domain"], data, claims=claims, measures=measures)
    assert r["matches"].tolist() == [True, True]
    assert r.loc[1, "estimate"] == pytest.approx(50.0) and r.loc[1, "n"] == 48  # 24 of the 48 flagged
    claims.loc[claims.claim_id == "demo_2021.share", "value"] = 31
    bad = ss.recompute_levels(["demo_2021.share"], data, claims=claims, measures=measures).iloc[0]
    est = ss.weighted_share(data["demo_2021"], "flag").iloc[0]
    assert not bad["matches"]
    assert bad["p_value"] == pytest.approx(2 * stats.norm.sf(abs((28 - 31) / (100 * est["se"]))))


def test_changes_use_independent_se(claims, measures, data):
    r = ss.recompute_changes([("demo_2022.share", "demo_2021.share", "demo_2022.share")], data,
                             claims=claims, measures=measures).iloc[0]
    a, b = (ss.weighted_share(data[k], "flag").iloc[0] for k in ("demo_2021", "demo_2022"))
    se = np.hypot(a["se"], b["se"])
    assert r["estimate"] == pytest.approx(20.0) and r["matches"]
    assert r["p_value"] == pytest.approx(2 * stats.norm.sf(0.20 / se))


def test_sample_sizes_against_the_stated_range(claims):
    ok = ss.recompute_sample_sizes({"demo_2022": pd.DataFrame({"x": range(99)})}, claims=claims).iloc[0]
    short = ss.recompute_sample_sizes({"demo_2022": pd.DataFrame({"x": range(90)})}, claims=claims).iloc[0]
    assert ok["matches"] and not short["matches"]


def test_a_real_export_is_evidence_and_the_reconstruction_is_a_pipeline_check(claims, measures, data):
    r = ss.recompute_levels(["demo_2021.share"], data, claims=claims, measures=measures)
    ev = ss.as_findings(r, notebook="nb")
    assert ev.loc[0, "evidence"] == "real export" and ev.loc[0, "verdict"] == "reproduced"
    pc = ss.as_pipeline_checks(r, notebook="nb")
    assert pc.loc[0, "passed"] and "verdict" not in pc.columns and "p_value" not in pc.columns
    ch = ss.recompute_changes([("demo_2022.share", "demo_2021.share", "demo_2022.share")], data,
                              claims=claims, measures=measures)
    row = ss.as_findings(ch, notebook="nb").iloc[0]
    assert row["p_value"] == row["p_value_min"]  # nothing assumed: both ends are the same test
