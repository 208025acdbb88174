"""Titles state the finding and its verdict, from the verdict row, in every language."""
import pytest

from supportstats.messages import LANGUAGES, MessageError
from supportstats.titles import VERDICT_MESSAGES, finding_title, verdict_phrase

VERDICTS = ["consistent", "inconsistent", "significant change", "change within noise", "depends on assumptions",
            "untestable", "external", "reproduced", "not reproduced"]


def test_every_verdict_of_the_contract_has_a_phrase_in_every_language():
    assert sorted(VERDICT_MESSAGES) == sorted(VERDICTS)
    for verdict in VERDICTS:
        for assumption in (None, "sd", "n", "overlap"):
            row = {"verdict": verdict, "assumption": assumption, "threshold": 22.1}
            if verdict == "depends on assumptions" and assumption is None:
                continue
            for lang in LANGUAGES:
                assert verdict_phrase(row).render(lang).strip()


def test_phrases_say_where_the_verdict_flips():
    row = {"verdict": "depends on assumptions", "assumption": "sd", "threshold": 22.1}
    assert verdict_phrase(row).render("en") == "depends on the SD (flips at SD 22.1)"
    assert verdict_phrase(row).render("ko") == "SD에 따라 달라짐(SD 22.1에서 판정이 바뀜)"
    assert verdict_phrase({"verdict": "significant change", "assumption": "sd"}).render("en") == \
        "significant at every possible SD"
    assert verdict_phrase({"verdict": "significant change", "assumption": float("nan")}).render("en") == \
        "a significant change"
    with pytest.raises(MessageError, match="needs the assumption"):
        verdict_phrase({"verdict": "depends on assumptions"})
    with pytest.raises(MessageError, match="no phrase for verdict 'maybe'"):
        verdict_phrase({"verdict": "maybe"})


def test_finding_title_from_a_row():
    row = {"claim_id": "benchmark_2022.csat_change_pp", "verdict": "significant change", "assumption": "sd",
           "published": 11.0, "unit": "points"}
    title = finding_title(row, before=78, after=89)
    assert title.render("en") == "Average CSAT rose from 78 to 89 — significant at every possible SD"
    assert title.render("zh_Hant") == "平均 CSAT 從 78 升至 89 — 在任何可能的SD下皆顯著"
    assert title.render("es") == "El CSAT medio subió de 78 a 89: significativo con cualquier DE posible"
    share = finding_title({"claim_id": "trends_2022.team_burnout", "verdict": "consistent", "published": 64,
                           "unit": "percent"})
    assert share.render("es").startswith("El 64\xa0% de los responsables")
    with pytest.raises(MessageError, match="no finding message 'finding.nope.x'"):
        finding_title({"claim_id": "nope.x", "verdict": "consistent"})


def test_rows_as_series_and_namedtuples():
    import pandas as pd

    table = pd.DataFrame([{"claim_id": "trends_2022.team_burnout", "verdict": "consistent", "published": 64.0,
                           "unit": "percent", "assumption": float("nan")}])
    expected = "64% of leaders say their team burned out — consistent with the data"
    assert finding_title(table.iloc[0]).render("en") == expected
    assert finding_title(table.set_index("claim_id").loc["trends_2022.team_burnout"]).render("en") == expected
    assert finding_title(next(table.itertuples(index=False))).render("en") == expected
