"""Warm kernels against plain ones, side by side in one run: kernel start, and the test suite.

1. **Kernel ready with the stack imported**: wall time from ``KernelManager.start_kernel``
   to the reply of ``import supportstats, pandas, seaborn, statsmodels.api``, for the warm
   ``supportstats`` kernelspec (zygote already running) and the plain ``python3`` one,
   alternating, median of ``--repeat`` after one warm-up each. The first warm kernel of a
   fresh zygote (zygote start included) is reported too. Goal: warm ≤ 0.5 s.
2. **The test suite** (``--suite``): ``make test``'s pytest command with warm kernels
   (nbval on ``supportstats``) against the same command with plain ones (nbval on
   ``python3`` and ``SUPPORTSTATS_KERNELS=cold``, so the runner's kernels start cold too),
   alternating, ``--suite-repeat`` times. The warm-kernel tests themselves
   (``tests/test_kernels*.py``) are left out of both: they cannot run without warm kernels.
   Goal: warm ≤ 0.7 × plain. Each test's time (pytest's ``--durations=0``) is summed by
   file, to show which files the warm kernels speed up and how much of the suite the others are.

Every figure is printed with the 1-minute load average around it (this machine is
shared). Results go to ``benchmarks/results/kernels.txt``.

    .venv/bin/python -m benchmarks kernels [--repeat 7] [--suite] [--suite-repeat 3]
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.harness import load, machine_cpu_seconds, write_results  # noqa: E402

IMPORTS = "import supportstats, pandas, seaborn, statsmodels.api"



def summary(values) -> str:
    values = sorted(values)
    return f"median {statistics.median(values):.2f} s (min {values[0]:.2f}, max {values[-1]:.2f}, n={len(values)})"


def ready_with_imports(name: str, cwd: str) -> float:
    from jupyter_client.manager import KernelManager

    started = time.perf_counter()
    km = KernelManager(kernel_name=name)
    km.start_kernel(cwd=cwd)
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=300)
        reply = kc.execute_interactive(IMPORTS, timeout=300, output_hook=lambda msg: None)
        seconds = time.perf_counter() - started
        assert reply["content"]["status"] == "ok", reply["content"]
        warm = getattr(km.provisioner, "warm", None)
        assert warm is not False, "the warm kernelspec started a cold kernel"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    return seconds


def bench_start(repeat: int, lines: list[str]) -> float:
    from supportstats.kernels.client import stop_zygotes

    rt = tempfile.mkdtemp(prefix="bench-kernels-rt-")
    os.environ["SUPPORTSTATS_KERNELS_DIR"] = rt
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    cwd = tempfile.mkdtemp(prefix="bench-kernels-cwd-")
    loads = [load()]
    first = ready_with_imports("supportstats", cwd)  # starts the zygote
    ready_with_imports("python3", cwd)  # warm-up: page cache, bytecode
    times = {"supportstats": [], "python3": []}
    for _ in range(repeat):
        for name in times:
            times[name].append(ready_with_imports(name, cwd))
        loads.append(load())
    stop_zygotes({"SUPPORTSTATS_KERNELS_DIR": rt})
    warm, plain = statistics.median(times["supportstats"]), statistics.median(times["python3"])
    lines += [
        f"kernel ready + `{IMPORTS}` (KernelManager.start_kernel to execute reply), alternating:",
        f"  warm  (supportstats, zygote running): {summary(times['supportstats'])}   goal <= 0.5 s: "
        f"{'met' if warm <= 0.5 else 'NOT met'}",
        f"  plain (python3):                      {summary(times['python3'])}",
        f"  ratio warm / plain: {warm / plain:.2f}; first warm kernel, zygote start included: {first:.2f} s",
        f"  1-min load average during: {min(loads):.1f}-{max(loads):.1f}",
    ]
    return plain


def suite_command(kernel: str) -> list[str]:
    ignore = [f"--ignore={p.relative_to(ROOT)}" for p in sorted((ROOT / "tests").glob("test_kernels*.py"))]
    # --durations=0 only reports each test's time (for where the two suites differ)
    return [sys.executable, "-m", "pytest", "-q", "-n", "auto", "--dist", "loadfile", "--nbval",
            "--nbval-kernel-name", kernel, "--durations=0", *ignore, "tests", "supportstats", "notebooks"]


def per_file(output: str) -> dict[str, float]:
    """Seconds of test time (setup, call, teardown) by file, from pytest's --durations report."""
    import re

    files: dict[str, float] = {}
    for seconds, nodeid in re.findall(r"^([\d.]+)s (?:setup|call|teardown)\s+(\S+)", output, re.M):
        name = nodeid.split("::")[0]
        files[name] = files.get(name, 0.0) + float(seconds)
    return files


def run_suite(warm: bool) -> tuple[float, int, float, dict]:
    """Seconds, exit code, load, and (warm) how many zygotes started and kernels they forked."""
    import re

    from supportstats.kernels.client import stop_zygotes

    env = dict(os.environ)
    rt = tempfile.mkdtemp(prefix="bench-suite-rt-")  # this run's zygotes only, counted from their logs
    env["SUPPORTSTATS_KERNELS_DIR"] = rt
    # as make test keeps the zygotes in a folder of its own: for the whole session
    env["SUPPORTSTATS_KERNELS_LINGER"] = "300"
    if not warm:
        env["SUPPORTSTATS_KERNELS"] = "cold"
    before = load()
    cpu, started = machine_cpu_seconds(), time.perf_counter()
    proc = subprocess.run(suite_command("supportstats" if warm else "python3"), cwd=ROOT, env=env,
                          capture_output=True, text=True)
    seconds = time.perf_counter() - started
    cpu = machine_cpu_seconds() - cpu  # the whole machine's: forked kernels are no child of pytest
    stop_zygotes({"SUPPORTSTATS_KERNELS_DIR": rt})
    logs = "".join(p.read_text(errors="replace") for p in Path(rt).glob("z-*.log"))
    counts = {"zygotes": len(re.findall(r"\] starting for ", logs)), "kernels": len(re.findall(r"\] kernel \d+ for ", logs))}
    if proc.returncode != 0:
        print(proc.stdout[-3000:], file=sys.stderr)
    counts["files"] = per_file(proc.stdout)
    counts["cpu"] = cpu
    return seconds, proc.returncode, (before + load()) / 2, counts


def bench_suite(repeat: int, lines: list[str], cold_start: float):
    runs = {True: [], False: []}
    for _ in range(repeat):
        for warm in (True, False):
            runs[warm].append(run_suite(warm))
    warm = statistics.median(r[0] for r in runs[True])
    plain = statistics.median(r[0] for r in runs[False])
    detail = lambda rs: ", ".join(f"{r[0]:.0f} s (exit {r[1]}, load {r[2]:.1f})" for r in rs)  # noqa: E731
    kernels = max(r[3]["kernels"] for r in runs[True])
    zygotes = max(r[3]["zygotes"] for r in runs[True])
    workers = os.cpu_count() or 1
    saved = kernels * cold_start / workers  # every kernel of the suite started for free
    lines += [
        "test suite (make test's pytest command, tests/test_kernels*.py left out of both), alternating:",
        f"  warm  (nbval on supportstats):                   {summary([r[0] for r in runs[True]])}: {detail(runs[True])}",
        f"  plain (nbval on python3, SUPPORTSTATS_KERNELS=cold): {summary([r[0] for r in runs[False]])}: {detail(runs[False])}",
        f"  ratio warm / plain: {warm / plain:.2f}   goal <= 0.70: {'met' if warm / plain <= 0.7 else 'NOT met'}",
        f"  the suite starts {kernels} kernels (forked by {zygotes} zygotes in the warm run); were every one of them "
        f"free instead of a plain start ({cold_start:.2f} s, above) on {workers} workers, the plain suite would lose "
        f"at most {saved:.0f} s: no kernel, however fast, brings the ratio below {(plain - saved) / plain:.2f}",
    ]
    cpu = {w: statistics.median(r[3]["cpu"] for r in runs[w]) for w in (True, False)}
    busy = {w: statistics.median(r[3]["cpu"] / (r[0] * workers) for r in runs[w]) for w in (True, False)}
    lines += [
        f"  CPU-seconds of the whole machine, median: warm {cpu[True]:.0f}, plain {cpu[False]:.0f} "
        f"(cores busy {busy[True]:.0%} and {busy[False]:.0%} of the wall time): the plain kernels cost "
        f"{cpu[False] - cpu[True]:.0f} CPU-s more, {(cpu[False] - cpu[True]) / cpu[False]:.0%} of the plain suite's CPU",
    ]
    # where the two suites differ, file by file (test time summed over the workers, median of the runs)
    files = sorted(set().union(*(r[3]["files"] for rs in runs.values() for r in rs)))
    med = {warm_: {f: statistics.median(r[3]["files"].get(f, 0.0) for r in runs[warm_]) for f in files}
           for warm_ in (True, False)}
    gain = {f: med[False][f] - med[True][f] for f in files}
    gaining = [f for f in files if gain[f] >= 0.5]
    rest = [f for f in files if f not in gaining]
    nbval = [f for f in gaining if f.endswith(".ipynb")]
    lines += [
        f"  test time summed over the workers: warm {sum(med[True].values()):.0f} s, plain {sum(med[False].values()):.0f} s; "
        f"files {len(gaining)} of {len(files)} gain 0.5 s or more: {len(nbval)} of the "
        f"{sum(f.endswith('.ipynb') for f in files)} notebooks nbval runs "
        f"{sum(gain[f] for f in nbval):.1f} s ({min((gain[f] for f in nbval), default=0):.1f}-"
        f"{max((gain[f] for f in nbval), default=0):.1f} s each)"
        + "".join(f", {f} {gain[f]:.1f} s" for f in gaining if f not in nbval),
        f"  the other {len(rest)} files: {sum(med[True][f] for f in rest):.0f} s warm, {sum(med[False][f] for f in rest):.0f} s plain"
        f" (the longest: " + ", ".join(f"{f} {med[True][f]:.0f}/{med[False][f]:.0f} s"
                                        for f in sorted(rest, key=lambda f: -med[False][f])[:3]) + ")",
    ]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7, help="kernel starts of each kind (after one warm-up)")
    ap.add_argument("--suite", action="store_true", help="also time the test suite, warm against plain")
    ap.add_argument("--suite-repeat", type=int, default=3)
    ap.add_argument("--note", default="")
    args = ap.parse_args(argv)
    lines = [f"warm kernels vs plain kernels; machine: {os.cpu_count()} cores, {platform.system()} "
             f"{platform.machine()}, Python {platform.python_version()}; 1-min load average at start {load():.1f}"]
    cold_start = bench_start(args.repeat, lines)
    if args.suite:
        bench_suite(args.suite_repeat, lines, cold_start)
    lines += [f"note: {args.note}"] if args.note else []
    text = "\n".join(lines) + "\n"
    print(text, end="")
    write_results("kernels", text)


if __name__ == "__main__":
    main()
