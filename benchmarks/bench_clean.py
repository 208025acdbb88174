"""Benchmark: read and clean 1,000,000 raw rows (target: <= 10 s, peak memory <= 2 GB).

The rows come from the same generator as the committed synthetic files (the benchmark
survey, its widest export: 26 columns, every fault kind, labels in five languages). The
file is written once (not timed); reading and cleaning then run in a fresh child process
so that its peak resident memory (``resource.getrusage(...).ru_maxrss``) is the pipeline's
alone. A second child repeats the run under ``tracemalloc`` for the peak of Python-level
allocations (slower, so it is not the timed run). Results: printed and written to
``benchmarks/results/clean.txt``.

Run: ``.venv/bin/python benchmarks/bench_clean.py [--rows N] [--survey NAME]``.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.harness import write_results  # noqa: E402

HERE = Path(__file__).resolve().parent

_CHILD = r"""
import json, resource, sys, time, tracemalloc
path, survey, wave, trace = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
from supportstats.io import read_table
from supportstats.clean import clean_survey
if trace:
    tracemalloc.start()
t0 = time.perf_counter()
raw = read_table(path)
t1 = time.perf_counter()
res = clean_survey(raw, survey, wave=wave)
t2 = time.perf_counter()
out = {"read_s": t1 - t0, "clean_s": t2 - t1, "total_s": t2 - t0, "n_raw": res.n_raw,
       "n_clean": res.n_clean, "n_excluded": res.n_excluded,
       "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
if trace:
    out["tracemalloc_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
print(json.dumps(out))
"""


_GEN = r"""
import sys, time
from supportstats.synth import raw_to_csv_bytes
from supportstats.synth_targets import FAULT_RATES
from supportstats.synth_waves import generate_raw
path, rows, survey, wave = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
t0 = time.perf_counter()
core_n = int(rows / (1 + sum(FAULT_RATES.values()))) + 1
raw = generate_raw(survey, wave, n=core_n, seed=1).head(rows)
open(path, "wb").write(raw_to_csv_bytes(raw))
print(time.perf_counter() - t0)
"""


def _child(path, survey, wave, trace) -> dict:
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(path), survey, str(wave), "1" if trace else "0"],
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--survey", default="benchmark")
    ap.add_argument("--wave", type=int, default=2022)
    ap.add_argument("--no-write", action="store_true", help="do not write benchmarks/results/clean.txt")
    args = ap.parse_args(argv)
    load = os.getloadavg()[0]  # other jobs on the machine slow the wall clock; say so

    # every heavy step runs in its own child: Linux keeps ru_maxrss across fork/exec, so a parent
    # that had generated the data would pass its own peak on to the measured process
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"bench_{args.survey}_{args.wave}.csv"
        gen = subprocess.run([sys.executable, "-c", _GEN, str(path), str(args.rows), args.survey, str(args.wave)],
                             capture_output=True, text=True, check=True)
        gen_s = float(gen.stdout.strip().splitlines()[-1])
        size_mb = path.stat().st_size / 2**20
        timed = _child(path, args.survey, args.wave, trace=False)
        traced = _child(path, args.survey, args.wave, trace=True)
    ok = timed["total_s"] <= 10 and timed["maxrss_mb"] <= 2048
    lines = [
        f"clean benchmark: {timed['n_raw']:,} raw rows of {args.survey} {args.wave} ({size_mb:.0f} MB CSV), "
        f"{timed['n_clean']:,} kept, {timed['n_excluded']:,} excluded",
        f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.machine()}, "
        f"load average before the run {load:.2f}",
        f"generate (not timed against the target): {gen_s:.1f} s",
        f"read_table: {timed['read_s']:.2f} s; clean_survey: {timed['clean_s']:.2f} s; "
        f"total: {timed['total_s']:.2f} s (target <= 10 s)",
        f"peak RSS of the read+clean process (getrusage ru_maxrss): {timed['maxrss_mb']:.0f} MB (target <= 2048 MB)",
        f"peak Python allocations (tracemalloc, separate run): {traced['tracemalloc_peak_mb']:.0f} MB",
        f"result: {'PASS' if ok else 'FAIL'}",
    ]
    text = "\n".join(lines) + "\n"
    print(text, end="")
    if not args.no_write:
        write_results("clean", text)
    return timed


if __name__ == "__main__":
    main()
