"""What the synthetic reconstruction reproduces, and what it assumes: SYNTHETIC microdata's parameters.

Each wave's clean core reproduces *targets* (:func:`targets`): the published figures of the
claims registry, derived values where an article's wording needs reading, and documented
defaults (:data:`DEFAULTS`) for what the articles do not give. Beside them: the seed, the
clean-core sample sizes, the rates of faulty rows added to each raw export, and the
firmographic mixes. :mod:`supportstats.synth_waves` generates the waves from these;
:mod:`supportstats.synth` writes them to ``data/raw`` with a README documenting every one.
"""
from __future__ import annotations

import math

import pandas as pd

__all__ = ["SEED", "SAMPLE_SIZES", "FAULT_RATES", "DEFAULTS", "targets"]

SEED = 20220522  # publication date of the 2022 benchmark article

#: Clean-core sample sizes. Published: benchmark 2022 "nearly 300" -> 296 (just under 300, and
#: every whole percentage is reachable: 1/296 < 0.5 pp); trends 2022 "1,200+" -> 1,214.
#: Unpublished (defaults): the first benchmark edition is taken as somewhat smaller (250); the
#: 2021 trends wave and the 2023 operations research as 1,000 each (round, typical of vendor panels).
SAMPLE_SIZES: dict[tuple[str, int], int] = {("benchmark", 2021): 250, ("benchmark", 2022): 296,
                                            ("trends", 2021): 1000, ("trends", 2022): 1214,
                                            ("cs_ops", 2023): 1000}

#: Faulty rows added on top of the clean core, as a share of the core size (at least one each).
FAULT_RATES: dict[str, float] = {"blank": 0.01, "duplicate": 0.02, "test": 0.01, "partial": 0.04,
                                 "speeder": 0.03, "straightliner": 0.02}

#: Parameters the articles do not give: (value, why). Percentages are in points.
DEFAULTS: dict[str, tuple[float, str]] = {
    "benchmark_2021.tracks_csat": (70.0, "2021 CSAT-tracking share; the 2022 article says '10% more teams' "
                                         "track CSAT, read as relative: 70% x 1.10 = 77% in 2022"),
    "csat_sd": (8.0, "SD of team CSAT across teams (points; assumed): with mean 89 about 95% of teams fall "
                     "between 73 and 100, a spread of team averages, not of single ratings"),
    "iqs_sd": (7.0, "SD of team internal quality scores (points; assumed): QA rubrics compress scores a little "
                    "more than customer ratings"),
    "nps_sd": (25.0, "SD of company NPS across teams (points on -100..100; assumed): NPS differs widely between "
                     "industries, so the spread is wide"),
    "score_floor": (30.0, "lowest team CSAT/IQS generated; keeps every score well above 1 so a plain "
                          "'0.89' can only mean a fraction"),
    "frt_median_hours": (3.0, "median average first response time, hours (lognormal)"),
    "frt_sigma": (1.2, "lognormal sigma of first response time: heavy right tail (about 7% above 12 h, "
                       "1-2% above 24 h: 'some industries have FRTs longer than 24 hours')"),
    "frt_cap_hours": (96.0, "longest first response time generated (4 days); recorded to 0.1 h"),
    "carry_over": (float("nan"), "an item the wave's article does not report takes the other wave's published value "
                        "(no-change assumption)"),
    "pain_other_levels": (float("nan"), "biggest challenge besides quality at scale: repetitive queries 18%, hiring and "
                               "onboarding 14%, disconnected tools 12%, measuring impact 8%"),
    "leadership_values_support": (60.0, "share agreeing leadership sees support as a value driver"),
    "qa_program_effective": (65.0, "share agreeing their QA process helps agents improve"),
    "uses_automation": (40.0, "share of support teams using automation (2023)"),
    "csat_improved_base": (15.0, "share reporting improved CSAT among teams without automation; with the "
                                 "published 4x, 60% of automation users"),
    "data_driven_decisions": (55.0, "share agreeing they use support data for decisions"),
    "budget_pressure": (70.0, "share agreeing they must do more with the same budget"),
    "duration_median_sec": (420.0, "median completion time of real responses (7 minutes)"),
    "min_duration_sec": (120.0, "speeder threshold used by cleaning; real responses never go below 150 s"),
}

_PAIN_OTHER = {"repetitive_queries": 18, "hiring_onboarding": 14, "disconnected_tools": 12, "measuring_impact": 8}
_MIX = {  # firmographic mixes (shares), documented in the README
    "industry": {"software_internet": 34, "ecommerce": 15, "finance": 12, "retail": 10, "consumer_services": 11,
                 "education": 8, "other": 10},
    "company_size": {"10-49": 22, "50-199": 28, "200-999": 24, "1000-9999": 17, "10000+": 9},
    "region": {"north_america": 45, "europe": 34, "asia_pacific": 12, "latin_america": 6, "middle_east_africa": 3},
    "role": {"vp_head": 22, "director": 26, "manager": 37, "team_lead": 15},
}
_TEAM_MEDIAN = (3, 8, 25, 80, 300)  # support-team size by company-size band


# ------------------------------------------------------------------------------------------ targets
def _registry() -> dict[str, float]:
    from .claims import load_claims  # late: claims may import schema
    reg = load_claims()
    if "claim_id" in reg.columns:
        reg = reg.set_index("claim_id")
    return pd.to_numeric(reg["value"], errors="coerce").to_dict()


def _round(x: float) -> int:
    """Round half up, as reports do (Python's round() goes half-to-even)."""
    return math.floor(x + 0.5)


def targets(survey: str, wave: int, claims: dict | None = None) -> pd.DataFrame:
    """Targets of one wave's clean core: one row per quantity, with where it comes from.

    Parameters
    ----------
    survey, wave : str, int
    claims : dict, optional
        claim id -> numeric value; defaults to the registry (``load_claims()``).

    Returns
    -------
    pandas.DataFrame
        ``name, statistic, value, domain, source``: ``share`` values in percent, ``mean`` in the
        column's unit, ``max_exceeds`` (the largest value is above this), ``risk_ratio`` as a multiple; ``source`` is ``registry: <claim id>``,
        ``derived: ...`` or ``default: ...``.

    Examples
    --------
    >>> t = targets("trends", 2021).set_index("name")
    >>> float(t.loc["expectations_rising", "value"]), t.loc["expectations_rising", "source"][:8]
    (73.0, 'derived:')
    """
    if (survey, wave) not in SAMPLE_SIZES:
        raise KeyError(f"survey/wave: unknown wave {survey}_{wave}")
    reg = _registry() if claims is None else claims
    other = {2021: 2022, 2022: 2021}.get(wave)
    rows = []

    def add(name, stat, value, source, domain=None):
        rows.append({"name": name, "statistic": stat, "value": float(value), "domain": domain, "source": source})

    def claim(name, stat, cid, domain=None):
        """Published value of this wave, else the other wave's (carry-over default)."""
        own = f"{survey}_{wave}.{cid}"
        if own in reg and not pd.isna(reg[own]):
            return add(name, stat, reg[own], f"registry: {own}", domain)
        alt = f"{survey}_{other}.{cid}"
        if other and alt in reg and not pd.isna(reg[alt]):
            return add(name, stat, reg[alt], f"default (carry-over): {alt}", domain)
        if name in DEFAULTS:
            return add(name, stat, DEFAULTS[name][0], f"default: {DEFAULTS[name][1]}", domain)
        raise KeyError(f"claims: no value for {own} (nor {alt})")

    if survey == "benchmark":
        base = DEFAULTS["benchmark_2021.tracks_csat"][0]
        if wave == 2021:
            add("tracks_csat", "share", base, "default: " + DEFAULTS["benchmark_2021.tracks_csat"][1])
        else:
            rel = reg["benchmark_2022.csat_tracking_change"]
            add("tracks_csat", "share", _round(base * (1 + rel / 100)),
                f"derived: default 2021 {base:g}% x (1 + benchmark_2022.csat_tracking_change {rel:g}%), relative reading")
        claim("csat", "mean", "csat_mean", "tracks_csat")
        claim("tracks_iqs", "share", "iqs_tracking")
        claim("iqs", "mean", "iqs_mean", "tracks_iqs")
        claim("tracks_nps", "share", "nps_tracking")
        claim("nps", "mean", "nps_mean", "tracks_nps")
        claim("frt_hours", "max_exceeds", "frt_max_hours")
        claim("quality_at_scale", "share", "quality_at_scale_pain")
        claim("repetitive_top3", "share", "repetitive_queries_top3")
        claim("proactive_use", "share", "proactive_use")
        claim("proactive_invest_more", "share", "proactive_invest_more")
        claim("self_service_reduced_workload", "share", "self_service_reduced_workload")
        for name in ("leadership_values_support", "qa_program_effective"):
            add(name, "share", DEFAULTS[name][0], "default: " + DEFAULTS[name][1])
    elif survey == "trends":
        if wave == 2021:
            now, d = reg["trends_2022.expectations_rising"], reg["trends_2022.expectations_change"]
            add("expectations_rising", "share", now - d,
                f"derived: trends_2022.expectations_rising {now:g}% - trends_2022.expectations_change {d:g}, "
                "'up 2%' read as percentage points")
        else:
            claim("expectations_rising", "share", "expectations_rising")
        for name in ("volume_increased", "headcount_cut", "tools_slow_weekly", "team_burnout", "leader_burnout",
                     "empathy_priority", "empathy_lack_tools"):
            claim(name, "share", name)
        claim("cut_hurt_cx", "share", "cut_hurt_cx", "headcount_cut")
    else:
        claim("morale_decline", "share", "morale_decline")
        claim("morale_hurt_performance", "share", "morale_hurt_performance")
        for name in ("uses_automation", "data_driven_decisions", "budget_pressure"):
            add(name, "share", DEFAULTS[name][0], "default: " + DEFAULTS[name][1])
        add("csat_improved_base", "share", DEFAULTS["csat_improved_base"][0],
            "default: " + DEFAULTS["csat_improved_base"][1], "not uses_automation")
        claim("csat_improved", "risk_ratio", "automation_csat_likelihood", "uses_automation")
    out = pd.DataFrame(rows)
    out["domain"] = out["domain"].astype("string")
    return out
