"""Titles state the finding and its verdict, from the verdict row, in every language."""
import pytest

import supportstats as ss
from supportstats.messages import LANGUAGES, MessageError
from supportstats.titles import VERDICT_MESSAGES, finding_title, verdict_phrase


def test_every_verdict_of_the_contract_has_a_phrase_in_every_language():
    assert sorted(VERDICT_MESSAGES) == sorted(ss.VERDICTS)
    for verdict in ss.VERDICTS:
        for extra in ({}, {"margin": 2.7}, {"threshold_on": "sd", "threshold": 22.1},
                      {"threshold_on": "n", "threshold": 106.0}, {"threshold_on": "n", "threshold": float("inf")}):
            for lang in LANGUAGES:
                assert verdict_phrase({"verdict": verdict, **extra}).render(lang).strip()


def test_phrases_say_where_the_verdict_flips_and_never_call_a_level_confirmed():
    row = {"verdict": "depends on assumptions", "threshold_on": "sd", "threshold": 22.1}
    assert verdict_phrase(row).render("en") == "depends on the SD (flips at SD 22.1)"
    assert verdict_phrase(row).render("ko") == "SD에 따라 달라짐(SD 22.1에서 판정이 바뀜)"
    assert verdict_phrase({"verdict": "depends on assumptions"}).render("en") == "depends on the assumptions"
    assert verdict_phrase({"verdict": "significant change"}).render("en") == \
        "significant under every assumption tested"
    assert verdict_phrase({"verdict": "consistent", "margin": 2.716}).render("en") == \
        "±2.7 points if a simple random sample"
    assert "data" not in verdict_phrase({"verdict": "consistent"}).render("en")
    with pytest.raises(MessageError, match="no phrase for verdict 'maybe'"):
        verdict_phrase({"verdict": "maybe"})


def test_finding_title_from_a_findings_row():
    row = {"claim_id": "benchmark_2022.nps_mean", "verdict": "depends on assumptions", "threshold_on": "sd",
           "threshold": 22.14, "published": 51.0, "unit": "points"}
    title = finding_title(row, before=45, after=51)
    assert title.render("en") == "Average NPS rose from 45 to 51 — depends on the SD (flips at SD 22.1)"
    assert title.render("es").startswith("El NPS medio subió de 45 a 51: depende de la DE")
    share = finding_title({"claim_id": "trends_2022.team_burnout", "verdict": "consistent", "published": 64,
                           "unit": "percent", "margin": 2.7})
    assert share.render("es").startswith("El 64\xa0% de los responsables")
    with pytest.raises(MessageError, match="no finding message 'finding.nope.x'"):
        finding_title({"claim_id": "nope.x", "verdict": "consistent"})


def test_rows_as_series_and_namedtuples():
    import pandas as pd

    table = pd.DataFrame([{"claim_id": "trends_2022.team_burnout", "verdict": "consistent", "published": 64.0,
                           "unit": "percent", "margin": 2.7}])
    expected = "64% of leaders say their team burned out — ±2.7 points if a simple random sample"
    assert finding_title(table.iloc[0]).render("en") == expected
    assert finding_title(table.set_index("claim_id").loc["trends_2022.team_burnout"]).render("en") == expected
    assert finding_title(next(table.itertuples(index=False))).render("en") == expected


def test_the_committed_findings_give_a_title_for_every_figure_claim():
    table = ss.read_findings(ss.paths.DATA_PROCESSED / "findings.csv").set_index("claim_id")
    for cid in ("benchmark_2022.csat_change_pp", "benchmark_2022.iqs_mean", "benchmark_2022.nps_mean",
                "benchmark_2022.nps_tracking", "trends_2022.team_burnout"):
        for lang in LANGUAGES:
            assert finding_title(table.loc[cid], before=1, after=2).render(lang)
