"""The order a run starts its notebooks in, planned from the last run's times.

A run has two stages: every notebook, then the ``99_*`` ones, which gather what the others
recorded. A ``99_*`` notebook waits only for the notebooks that record findings
(:func:`notebook_needs`); one that explores a researcher's own survey records none and can
run beside it. So the order the first stage starts in decides whether a core falls idle
while ``99_findings`` waits, or while it runs alone at the end. Starting the longest first,
the usual rule, is the wrong one here: a long notebook that ``99_findings`` does not need
then holds a core early, and nothing is left to run beside ``99_findings``.
:func:`run_order` instead simulates the runner's own rule (:func:`makespan`) with the last
run's times and keeps the order that ends soonest.
"""
from __future__ import annotations

import json
from pathlib import Path

__all__ = ["RUN_LAST_PREFIX", "RECORDS_FINDINGS_KEY", "run_order", "notebook_needs", "makespan"]

#: Notebooks whose name starts with this run after the rest (they gather what the rest recorded).
RUN_LAST_PREFIX = "99"
#: Notebook metadata by which a notebook says it records no findings (``99_*`` need not wait).
RECORDS_FINDINGS_KEY = ("supportstats", "records_findings")
# Local search stops after this many improvements (a run has a dozen notebooks, not hundreds).
_MAX_STEPS = 200


def run_order(paths, expected=None, *, jobs: int = 2, needs=None) -> list[list[Path]]:
    """Split notebooks into stages, ``99_*`` after all the rest, and order the first stage.

    Notebooks within a stage run in parallel on ``jobs`` cores. A later stage's notebook is
    made ready once the stage before has nothing left to start, and runs once the notebooks
    it needs (``needs``, default :func:`notebook_needs`) have ended. Without times the first
    stage starts in name order. With ``expected`` (seconds by notebook name, from the last
    run: :func:`supportstats.runs.read_timings`) it starts in the order whose simulated run
    (:func:`makespan`) ends soonest, found by swapping and moving notebooks while that shortens
    it, from name order, from longest first and from what the last stage needs first. A
    notebook without a time counts as the longest known one.

    Examples
    --------
    >>> [[p.name for p in stage] for stage in run_order(["99_findings.ipynb", "02_b.ipynb", "01_a.ipynb"])]
    [['01_a.ipynb', '02_b.ipynb'], ['99_findings.ipynb']]

    ``01_x`` takes 3 s and records nothing; ``99_f`` needs ``02_a`` and ``03_b``. Name
    order (or longest first) ends at 6 s, as ``99_f`` waits for ``03_b`` and then runs
    alone; starting ``01_x`` last lets it run beside ``99_f``, ending at 5 s:

    >>> p = {n: Path(f"{n}.ipynb") for n in ("01_x", "02_a", "03_b", "99_f")}
    >>> times = {"01_x": 3.0, "02_a": 2.0, "03_b": 2.0, "99_f": 2.0}
    >>> needs = {p["99_f"]: frozenset({p["02_a"], p["03_b"]})}
    >>> [q.name for q in run_order(p.values(), times, jobs=2, needs=needs)[0]]
    ['02_a.ipynb', '03_b.ipynb', '01_x.ipynb']
    """
    paths = sorted(Path(p) for p in paths)
    first = [p for p in paths if not p.name.startswith(RUN_LAST_PREFIX)]
    last = [p for p in paths if p.name.startswith(RUN_LAST_PREFIX)]
    if expected and first:
        needs = notebook_needs(paths) if needs is None else needs
        known = [float(s) for s in expected.values()]
        seconds = {p: float(expected.get(p.stem, max(known))) for p in paths}
        first = _best_order(first, last, seconds, needs, jobs)
    return [stage for stage in (first, last) if stage]


def makespan(order, last, seconds, needs, jobs: int) -> float:
    """When a run would end that starts ``order`` and then ``last``, by the runner's rule.

    Each of ``jobs`` cores takes the next notebook of ``order`` the moment it is free; once
    none is left to start, the notebooks of ``last`` in turn, each on the first free core
    but not before every notebook it needs (``needs[p]``, a set of paths) has ended.
    ``seconds`` gives each notebook's time.

    Examples
    --------
    >>> s = {"a": 3.0, "b": 2.0, "c": 2.0, "z": 2.0}
    >>> makespan(["a", "b", "c"], ["z"], s, {"z": {"b", "c"}}, jobs=2)
    6.0
    >>> makespan(["b", "c", "a"], ["z"], s, {"z": {"b", "c"}}, jobs=2)
    5.0
    """
    free = [0.0] * max(1, int(jobs))
    ended = {}
    for p in list(order) + list(last):
        core = min(range(len(free)), key=free.__getitem__)
        start = max([free[core]] + [ended[q] for q in needs.get(p, ()) if q in ended])
        ended[p] = free[core] = start + seconds[p]
    return max(free)


def _best_order(first, last, seconds, needs, jobs) -> list[Path]:
    """The order of ``first`` with the shortest :func:`makespan`, from a local search.

    Among orders that end at the same time, the one first in name order wins, so equal
    times always give the same plan.
    """
    def key(order):
        return round(makespan(order, last, seconds, needs, jobs), 6), [p.name for p in order]

    def descend(order):
        for _ in range(_MAX_STEPS):
            options = []
            for i in range(len(order)):
                for j in range(len(order)):
                    if i != j:
                        swapped, moved = list(order), list(order)
                        swapped[i], swapped[j] = swapped[j], swapped[i]
                        moved.insert(j, moved.pop(i))
                        options += [swapped, moved]
            step = min(options, key=key, default=order)
            if key(step)[0] >= key(order)[0]:
                break
            order = step
        return order

    needed = frozenset().union(*(needs.get(p, frozenset()) for p in last))
    longest = sorted(first, key=lambda p: (-seconds[p], p.name))
    # three starts: name order, longest first, and what the last stage needs first (longest first)
    starts = (list(first), longest, sorted(longest, key=lambda p: p not in needed))
    return min((descend(order) for order in starts), key=key)


def notebook_needs(paths) -> dict[Path, frozenset[Path]]:
    """The notebooks each one must wait for: a ``99_*`` one waits for all that record findings.

    ``99_findings`` gathers the findings and pipeline checks the others record. A notebook
    whose metadata holds ``"supportstats": {"records_findings": false}`` (an exploration of
    a researcher's own survey, say) records none, so a ``99_*`` notebook runs beside it
    instead of after it. Every other notebook counts as recording, so a new notebook is
    waited for until it says otherwise; the runner fails one that says so and still records,
    rather than let ``99_findings`` miss its rows unnoticed.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> for name, meta in [("01_a", {}), ("10_explore", {"supportstats": {"records_findings": False}}),
    ...                    ("99_findings", {})]:
    ...     _ = (d / f"{name}.ipynb").write_text(json.dumps({"cells": [], "metadata": meta}))
    >>> needs = notebook_needs(sorted(d.glob("*.ipynb")))
    >>> {p.stem: sorted(q.stem for q in waits) for p, waits in needs.items()}
    {'01_a': [], '10_explore': [], '99_findings': ['01_a']}
    """
    paths = [Path(p) for p in paths]
    recording = frozenset(p for p in paths if not p.name.startswith(RUN_LAST_PREFIX) and not _records_none(p))
    return {p: recording if p.name.startswith(RUN_LAST_PREFIX) else frozenset() for p in paths}


def _records_none(path: Path) -> bool:
    """True when the notebook's metadata says it records no findings."""
    try:
        meta = json.loads(Path(path).read_text(encoding="utf-8")).get("metadata", {})
    except (OSError, ValueError, AttributeError):  # unreadable: waited for; papermill reports the problem
        return False
    outer, key = RECORDS_FINDINGS_KEY
    return isinstance(meta.get(outer), dict) and meta[outer].get(key, True) is False
