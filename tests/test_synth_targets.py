"""Targets of the SYNTHETIC reconstruction: every number names where it comes from."""
from supportstats import synth_targets


def test_targets_name_their_source():
    t = synth_targets.targets("benchmark", 2022)
    assert t.source.str.match(r"^(registry|derived|default)").all()
    assert (t.loc[t.name == "csat", "source"] == "registry: benchmark_2022.csat_mean").all()
    t21 = synth_targets.targets("trends", 2021).set_index("name")
    assert t21.loc["team_burnout", "source"].startswith("default (carry-over)")
