"""The runner's start order (supportstats.plan), checked against exhaustive enumeration."""
from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest

from supportstats.plan import makespan, run_order


def _instance(seconds: dict[str, float], recording):
    paths = {name: Path(f"{name}.ipynb") for name in seconds}
    needs = {paths["99_findings"]: frozenset(paths[n] for n in recording)}
    return paths, {paths[n]: s for n, s in seconds.items()}, needs


def _exhaustive(first, last, seconds, needs, jobs):
    return min(makespan(order, last, seconds, needs, jobs) for order in itertools.permutations(first))


def test_makespan_follows_the_runners_rule_by_hand():
    s = {"a": 4.0, "b": 1.0, "c": 1.0, "d": 1.0, "z": 1.0}
    # two cores: a on one (0-4); b, c, d on the other (0-3); z needs b and c (ended at 2),
    # and takes the first free core, the second at 3: it ends at 4
    assert makespan(["a", "b", "c", "d"], ["z"], s, {"z": {"b", "c"}}, jobs=2) == 4.0
    # z needs a: it waits for it, whatever core is free
    assert makespan(["a", "b", "c", "d"], ["z"], s, {"z": {"a"}}, jobs=2) == 5.0
    assert makespan(["a", "b", "c", "d"], ["z"], s, {}, jobs=4) == 4.0
    assert makespan(["b", "c"], [], s, {}, jobs=1) == 2.0


# seconds of one next run on this project's 2-core machine (runs/.timings.json): 10 and 11
# record no findings, 99 waits for the other eight
MEASURED = {"00_data_audit": 3.61, "01_csat_rise": 3.03, "02_iqs_and_nps": 6.35, "03_burnout": 2.01,
            "04_staffing_and_volume": 2.02, "05_expectations_tools_empathy": 1.92,
            "06_quality_at_scale_and_self_service": 2.2, "07_automation_and_roar": 2.3,
            "10_explore_survey": 3.58, "11_compare_waves": 2.11, "99_findings": 2.41}


def test_measured_times_get_the_best_order_and_longest_first_does_not():
    paths, seconds, needs = _instance(MEASURED, [n for n in MEASURED if n < "10"])
    first, last = run_order(paths.values(), MEASURED, jobs=2, needs=needs)
    planned = makespan(first, last, seconds, needs, 2)
    longest = sorted(first, key=lambda p: -seconds[p])
    assert planned < makespan(longest, last, seconds, needs, 2) - 1.0
    assert planned <= makespan(sorted(first), last, seconds, needs, 2)
    # exhaustive over the orders that start with 00 and 01 (8! orders of the rest): none ends sooner
    head, rest = sorted(first)[:2], sorted(first)[2:]
    assert planned <= min(makespan(head + list(o), last, seconds, needs, 2)
                          for o in itertools.permutations(rest)) + 1e-9


@pytest.mark.parametrize("jobs", [2, 3])
def test_plans_are_within_two_percent_of_the_exhaustive_optimum(jobs):
    rng = random.Random(7)
    gaps = []
    for _ in range(40):
        names = [f"{i:02d}_n" for i in range(6)]
        times = {n: round(rng.uniform(0.5, 6), 2) for n in names} | {"99_findings": round(rng.uniform(0.5, 4), 2)}
        paths, seconds, needs = _instance(times, [n for n in names if rng.random() < 0.7])
        first, last = run_order(paths.values(), times, jobs=jobs, needs=needs)
        planned = makespan(first, last, seconds, needs, jobs)
        assert planned <= makespan(sorted(first), last, seconds, needs, jobs) + 1e-9
        assert planned <= makespan(sorted(first, key=lambda p: -seconds[p]), last, seconds, needs, jobs) + 1e-9
        gaps.append(planned / _exhaustive(first, last, seconds, needs, jobs))
    assert max(gaps) <= 1.02
    assert sum(g <= 1 + 1e-9 for g in gaps) >= 36  # almost every plan is the optimum itself


def test_a_notebook_without_a_time_counts_as_the_longest_known():
    times = {"01_a": 2.0, "02_b": 3.0, "10_x": 3.0, "99_findings": 1.0}
    paths, _, needs = _instance(times | {"03_new": 0.0}, ["01_a", "02_b", "03_new"])

    def order(known):
        return [p.stem for p in run_order(paths.values(), known, jobs=2, needs=needs)[0]]

    assert order(times) == order(times | {"03_new": 3.0}) == ["01_a", "02_b", "03_new", "10_x"]
    assert order(times | {"03_new": 0.5}) == ["01_a", "02_b", "10_x", "03_new"]  # the time matters


def test_without_times_the_first_stage_starts_in_name_order():
    names = ["03_c.ipynb", "99_findings.ipynb", "01_a.ipynb", "10_x.ipynb"]
    assert [[p.name for p in s] for s in run_order(names, {})] == [
        ["01_a.ipynb", "03_c.ipynb", "10_x.ipynb"], ["99_findings.ipynb"]]
