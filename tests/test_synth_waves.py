"""The SYNTHETIC generator: published figures, plausible structure, faults, messy spellings, seeds."""
import math

import pandas as pd
import pytest

from supportstats import schema, synth_targets, synth_waves
from supportstats.claims import load_claims
from supportstats.provenance import SYNTHETIC_MARK

WAVES = list(synth_targets.SAMPLE_SIZES)


def half_up(x):
    return math.floor(x + 0.5)


@pytest.fixture(scope="module")
def waves():
    return {(s, w): synth_waves.generate_wave(s, w) for s, w in WAVES}


@pytest.fixture(scope="module")
def registry():
    return load_claims().set_index("claim_id")["value"].astype(float)


def measure(core, column, statistic, level=None, domain=None):
    d = core if domain is None or pd.isna(domain) else core[core[domain].fillna(False).astype(bool)]
    col = d[column]
    if level is not None and not pd.isna(level):
        col = col == level
    v = col.astype(float).mean()
    return 100 * v if statistic == "share" else v


@pytest.mark.parametrize("claim", schema.CLAIM_MEASURES.claim_id.tolist())
def test_clean_core_reproduces_every_registered_share_and_mean(waves, registry, claim):
    r = schema.CLAIM_MEASURES.set_index("claim_id").loc[claim]
    core = waves[(r.survey, int(r.wave))].core
    est = measure(core, r.column, r.statistic, r.level, r.domain)
    assert half_up(est) == half_up(registry[claim]), (claim, est)


def test_other_registered_measures(waves, registry):
    b = waves[("benchmark", 2022)].core
    assert b.frt_hours.max() > registry["benchmark_2022.frt_max_hours"]  # 'longer than 24 hours'
    c = waves[("cs_ops", 2023)].core
    auto = c.uses_automation.astype(bool)
    ratio = c.csat_improved[auto].astype(float).mean() / c.csat_improved[~auto].astype(float).mean()
    assert half_up(ratio) == registry["cs_ops_2023.automation_csat_likelihood"]
    assert 0.05 <= c.csat_improved[~auto].astype(float).mean() <= 0.30  # a plausible base rate


def test_sample_sizes_match_the_published_wording(waves):
    assert 290 <= len(waves[("benchmark", 2022)].core) < 300  # 'nearly 300'
    assert len(waves[("trends", 2022)].core) >= 1200  # '1,200+'
    for key, n in synth_targets.SAMPLE_SIZES.items():
        assert len(waves[key].core) == n


def test_documented_readings_of_vague_changes(waves, registry):
    share = lambda key, col: 100 * waves[key].core[col].astype(float).mean()  # noqa: E731
    c21, c22 = share(("benchmark", 2021), "tracks_csat"), share(("benchmark", 2022), "tracks_csat")
    assert half_up(c21) == 70 and half_up(c22) == 77  # '10% more teams', relative
    e21, e22 = share(("trends", 2021), "expectations_rising"), share(("trends", 2022), "expectations_rising")
    assert half_up(e22) - half_up(e21) == registry["trends_2022.expectations_change"]  # 'up 2%', points
    # the published change in mean CSAT holds between the two reconstructed waves
    m21 = waves[("benchmark", 2021)].core.csat.mean()
    m22 = waves[("benchmark", 2022)].core.csat.mean()
    assert half_up(m22 - m21) == registry["benchmark_2022.csat_change_pp"]


def test_plausible_structure(waves):
    b = waves[("benchmark", 2022)].core
    for score, track in (("csat", "tracks_csat"), ("iqs", "tracks_iqs"), ("nps", "tracks_nps")):
        assert (b[score].notna() == b[track].astype(bool)).all()  # reported only by trackers
    assert b.csat.between(0, 100).all() or b.csat.dropna().between(0, 100).all()
    assert 4 <= b.csat.std() <= 12 and 15 <= b.nps.std() <= 35
    assert b.frt_hours.mean() > 1.3 * b.frt_hours.median()  # heavy right tail
    assert set(b.company_size.dropna()) == set(schema.SIZE_BANDS)  # 10 to 10,000+
    assert {"software_internet", "consumer_services", "finance", "retail", "education", "ecommerce"} <= set(b.industry)
    t = waves[("trends", 2022)].core
    burn = t.groupby([t.headcount_cut.astype(bool), t.volume_increased.astype(bool)]).team_burnout.mean()
    assert burn[(True, True)] > burn[(False, False)] + 0.2
    assert t.cut_hurt_cx[~t.headcount_cut.astype(bool)].isna().all()
    assert t.cut_hurt_cx[t.headcount_cut.astype(bool)].notna().all()
    team = t.team_size.astype(float).groupby(t.company_size, observed=True).median()
    assert team.is_monotonic_increasing


def test_clean_core_has_no_straightliners_or_speeders(waves):
    level = {schema.normalize_label(lab): lv for lv, labs in schema.LIKERT_LABELS.items() for lab in labs}
    for (s, w), wave in waves.items():
        raw = wave.raw
        core_rows = ~raw.index.isin(wave.faults.row - 2)
        grid = raw.loc[core_rows, [f.raw for f in schema.grid_columns(s)]]
        levels = grid.map(lambda x: level[schema.normalize_label(x)])
        assert grid.shape[1] >= 4 and (levels.nunique(axis=1) > 1).all()
        assert raw.loc[core_rows, "duration_sec"].astype(int).min() >= 150
        assert raw.loc[core_rows, "status"].eq("IP Address").all() and raw.loc[core_rows, "email"].eq("").all()
        assert raw.loc[core_rows, "progress"].eq("100").all()
        faulty = raw.loc[~core_rows & raw.respondent_id.ne("")]
        straight = faulty[[f.raw for f in schema.grid_columns(s)]].map(lambda x: level.get(schema.normalize_label(x), x))
        flagged = wave.faults.set_index("row").fault.reindex(faulty.index + 2).to_numpy() == "straightliner"
        assert (straight[flagged].nunique(axis=1) == 1).all()


def test_fault_counts_follow_the_documented_rates(waves):
    for (s, w), wave in waves.items():
        n = len(wave.core)
        counts = wave.faults.fault.value_counts().to_dict()
        assert counts == {k: max(1, half_up(r * n)) for k, r in synth_targets.FAULT_RATES.items()}
        assert len(wave.raw) == n + len(wave.faults)
        assert wave.faults.row.is_unique


def test_raw_exports_carry_the_messy_spellings(waves):
    raw = pd.concat([w.raw for w in waves.values()], ignore_index=True)
    text = set(raw.stack().tolist())
    for label in ("Strongly agree", "Totalmente de acuerdo", "強くそう思う", "非常同意", "매우 동의", "strongly agree "):
        assert label in text, label
    csat = waves[("benchmark", 2022)].raw["Q7_csat"]
    assert csat.str.endswith("%").any() and csat.str.contains(",").any()
    assert csat.str.match(r"^0\.\d+$").any() and csat.str.match(r"^\d+(\.\d)?$").any()
    sizes = set(waves[("trends", 2022)].raw["Q2_company_size"])
    assert {"10-49", "11 to 50 employees"} <= sizes


def test_generator_is_deterministic_and_seeded():
    a = synth_waves.generate_raw("cs_ops", 2023, n=100, seed=7)
    b = synth_waves.generate_raw("cs_ops", 2023, n=100, seed=7)
    c = synth_waves.generate_raw("cs_ops", 2023, n=100, seed=8)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)


def test_small_n_that_cannot_show_a_share_is_refused():
    with pytest.raises(ValueError, match="n"):
        synth_waves.generate_wave("trends", 2022, n=10)


def test_every_generated_row_carries_the_synthetic_mark(waves):
    for w in waves.values():
        assert w.raw.columns[-1] == "provenance" and w.raw["provenance"].eq(SYNTHETIC_MARK).all()
        assert w.core["provenance"].eq(SYNTHETIC_MARK).all()
