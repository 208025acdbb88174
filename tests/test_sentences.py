"""supportstats.sentences: each verdict's sentence carries its own row's numbers, and only them."""
import pandas as pd

from supportstats import describe, verdict_markdown


def _row(**kw):
    base = {"claim_id": "trends_2022.team_burnout", "metric": "support leaders whose team burned out",
            "published": 64.0, "unit": "percent", "level": 0.95}
    return {**base, **kw}


def test_a_real_export_sentence_states_its_estimate_interval_and_n():
    yes = describe(_row(verdict="reproduced", estimate=64.2, ci_low=61.5, ci_high=66.9, n=1214))
    no = describe(_row(verdict="not reproduced", estimate=58.04, ci_low=55.1, ci_high=61.0, n=1214))
    assert yes == ("The real export gives 64.20 (95% CI 61.50–66.90, design-based, n 1,214), "
                   "which rounds to the published figure.")
    assert "58.04" in no and "does not round" in no


def test_a_consistent_sentence_names_the_margin_and_the_sampling_assumption():
    s = describe(_row(verdict="consistent", kind="level", margin=2.7, ci_low=61.3, ci_high=66.7, level=0.9,
                      assumption="n 1,214"))
    assert "±2.7 points (90%)" in s and "61.3–66.7" in s and "opt-in panel" in s
    assert s.endswith("Assumed: n 1,214.")


def test_change_sentences_quote_the_adjusted_p_of_the_end_that_decides():
    common = dict(kind="change", estimate=11.0, alpha=0.05, family="benchmark", threshold_on="n", threshold=320)
    sig = describe(_row(verdict="significant change", p_holm=0.0004, p_holm_min=0.0001, **common))
    noise = describe(_row(verdict="change within noise", p_holm=0.9, p_holm_min=0.31, **common))
    mid = describe(_row(verdict="depends on assumptions", p_holm=0.2, p_holm_min=0.01, **common))
    assert sig.startswith("A change of +11 points: significant") and "p < 0.001" in sig
    assert "least favourable" not in noise and "p 0.310" in noise
    assert "adjusted p 0.200" in mid and "flips at n 320 per edition" in mid


def test_verdict_markdown_gives_one_line_per_row_and_keeps_a_notebooks_own_reason():
    rows = pd.DataFrame([
        _row(verdict="reproduced", estimate=64.2, ci_low=61.5, ci_high=66.9, n=1214),
        _row(claim_id="x.y", metric="a count", verdict="not testable", detail="Nothing published tests it.",
             unit="count", published=1200.0),
    ])
    lines = verdict_markdown(rows).splitlines()
    assert lines[:2] == ["**Verdict.**", ""] and len(lines) == 4
    assert lines[2].startswith("- **support leaders whose team burned out** (`trends_2022.team_burnout`, "
                               "published 64%): *reproduced*. The real export gives 64.20")
    assert lines[3].endswith("published 1,200): *not testable*. Nothing published tests it.")
