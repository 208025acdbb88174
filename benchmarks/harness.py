"""The benchmarks' one way to time: warm-up, then ours and the baseline alternately, medians.

Why alternately: on a shared 2-core machine the load changes from second to second. Timing
all of ours and then all of the baseline (what ``bench_stats.py`` used to do, best of 3
each) lets one side run in a quiet spell and the other in a busy one; the committed 10.2x
was such a reading (see ``results/stats.txt``). Interleaving puts both under the same load,
and the median of several runs with its min–max spread says how much to trust the ratio.
Every result line carries the 1-minute load average before and after.
"""
from __future__ import annotations

import gc
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"


@dataclass
class Timing:
    """Seconds of each timed run (warm-up runs excluded): wall clock and this process's CPU."""
    runs: list = field(default_factory=list)
    cpu: list = field(default_factory=list)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def spread(self) -> str:
        return f"{min(self.runs):.3f}-{max(self.runs):.3f}"

    def __str__(self) -> str:
        return f"{self.median:.3f} s (min-max {self.spread}, {len(self.runs)} runs)"


def load() -> float:
    """1-minute load average (runnable processes; above the core count means queuing)."""
    return os.getloadavg()[0]


def machine_cpu_seconds() -> float:
    """CPU-seconds every process on the machine has used since boot (user, nice, system)."""
    with open("/proc/stat") as f:
        user, nice, system = (int(v) for v in f.readline().split()[1:4])
    return (user + nice + system) / os.sysconf("SC_CLK_TCK")


def time_once(fn) -> tuple[float, float, object]:
    """Wall and CPU seconds of one call. CPU time leaves out waiting for a core, so under
    load it moves less than wall time: reported beside it."""
    gc.collect()                # a collection owed by the previous run is not charged to this one
    c0, t0 = time.process_time(), time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, time.process_time() - c0, out


def side_by_side(jobs: dict, repeat: int = 7, warmup: int = 1) -> tuple[dict, dict, tuple]:
    """Time several callables on the same data, interleaved: a, b, a, b, ...

    Returns ``({name: Timing}, {name: last result}, (load before, load after))``. The
    warm-up runs (first call: lazy imports, caches, page faults) are not timed.
    """
    before = load()
    results = {}
    for _ in range(warmup):
        for name, fn in jobs.items():
            results[name] = fn()
    timings = {name: Timing() for name in jobs}
    for _ in range(repeat):
        for name, fn in jobs.items():
            seconds, cpu, results[name] = time_once(fn)
            timings[name].runs.append(seconds)
            timings[name].cpu.append(cpu)
    return timings, results, (before, load())


def machine_line() -> str:
    import numpy as np
    import pandas as pd
    bytecode = "on" if not sys.dont_write_bytecode else "off (PYTHONDONTWRITEBYTECODE)"
    return (f"machine: {os.cpu_count()} cores, {platform.system()} {platform.machine()}, Python "
            f"{platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}; "
            f"bytecode writing {bytecode}")


def load_line(loads: tuple) -> str:
    return (f"load average (1 min) {loads[0]:.2f} before, {loads[1]:.2f} after; "
            f"{os.cpu_count()} cores (load above the core count means runs queue for a CPU)")


def write_results(name: str, text: str) -> Path:
    """Write ``benchmarks/results/<name>.txt`` through the library's atomic writer."""
    sys.path.insert(0, str(ROOT))
    from supportstats.outputs import atomic_path
    path = RESULTS / f"{name}.txt"
    with atomic_path(path) as tmp:
        Path(tmp).write_text(text)
    return path
