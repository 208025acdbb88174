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
   Meanwhile ``/proc`` is read every 0.1 s for the CPU of the kernels (forked and plain) and
   the zygotes, and of the rest by command (pytest and what it forks, supportstats
   subprocesses, papermill, Chromium, others, this benchmark): the warm suite's CPU with every warm
   kernel's start (its CPU when ready, measured in 1.) and every zygote taken out is a bound
   no kernel, however fast, gets below.

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
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.harness import load, machine_cpu_seconds, write_results  # noqa: E402

IMPORTS = "import supportstats, pandas, seaborn, statsmodels.api"



_TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid) -> tuple[int, str, float] | None:
    """``(parent pid, start tick, CPU-seconds user + system)`` of ``pid``, or None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rpartition(")")[2].split()
    except OSError:
        return None
    return int(fields[1]), fields[19], (int(fields[11]) + int(fields[12])) / _TICK


def process_cpu(pid: int) -> float | None:
    """CPU-seconds (user + system) process ``pid`` has used, or None once it is gone."""
    stat = _stat(pid)
    return None if stat is None else stat[2]


#: The kinds of kernel process :class:`KernelCPU` tells apart.
KERNELS = ("forked", "zygote", "plain")
#: The rest of the machine's processes, by command, as the results name them.
REST = {"pytest": "pytest, its workers and what they fork", "cli": "subprocesses running supportstats",
        "papermill": "papermill commands", "chromium": "Chromium", "other": "other processes",
        "sampler": "this benchmark"}
KINDS = (*KERNELS, *REST)


class KernelCPU(threading.Thread):
    """CPU-seconds of kernels and zygotes while a suite runs, read from ``/proc`` every 0.1 s.

    A zygote is a process whose command line runs ``supportstats.kernels.zygote``; a forked
    kernel is one of those whose parent is a zygote (it runs no new command); a plain kernel
    runs ``ipykernel_launcher``. Each process counts from its CPU when first seen (0 for one
    started meanwhile) to its last reading, so a process's last 0.1 s before it exits is lost.
    """

    def __init__(self):
        super().__init__(daemon=True)
        self._done, self._seen = threading.Event(), {}  # (pid, start tick) -> [kind, first, last]
        self._scan(baseline=True)

    @staticmethod
    def _kind(pid: str, ppid: int) -> str | None:
        if int(pid) == os.getpid():
            return "sampler"
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read()
            with open(f"/proc/{ppid}/cmdline", "rb") as f:
                parent = f.read()
        except OSError:
            return None
        if b"supportstats.kernels.zygote" in cmd:
            return "forked" if b"supportstats.kernels.zygote" in parent else "zygote"
        if b"ipykernel_launcher" in cmd:
            return "plain"
        # the rest, by command line (a forked process keeps its parent's): pytest and xdist's
        # workers (execnet's bootstrap) with the runner workers a test forks in-process
        if b"chrom" in cmd.split(b"\0")[0]:
            return "chromium"
        if b"pytest" in cmd or b"exec(eval(sys.stdin.readline()))" in cmd:
            return "pytest"
        if b"supportstats" in cmd:
            return "cli"
        return "papermill" if b"papermill" in cmd else "other"

    def _scan(self, baseline=False):
        for pid in os.listdir("/proc"):
            stat = _stat(pid) if pid.isdigit() else None
            if stat is None:
                continue
            ppid, started, cpu = stat
            key = (pid, started)
            if key not in self._seen:
                self._seen[key] = [self._kind(pid, ppid), cpu if baseline else 0.0, cpu]
            self._seen[key][2] = cpu

    def run(self):
        while not self._done.wait(0.1):
            self._scan()

    def stop(self) -> dict[str, tuple[float, int]]:
        """``{kind: (CPU-seconds, processes)}`` for each of :data:`KINDS`."""
        self._done.set()
        self.join()
        out = {kind: [0.0, 0] for kind in KINDS}
        for kind, first, last in self._seen.values():
            if kind is not None and last > first:
                out[kind][0] += last - first
                out[kind][1] += 1
        return {kind: (cpu, n) for kind, (cpu, n) in out.items()}


def summary(values) -> str:
    values = sorted(values)
    return f"median {statistics.median(values):.2f} s (min {values[0]:.2f}, max {values[-1]:.2f}, n={len(values)})"


def ready_with_imports(name: str, cwd: str) -> tuple[float, float | None]:
    """Seconds to the reply of IMPORTS, and the kernel's CPU-seconds when it was ready."""
    from jupyter_client.manager import KernelManager

    started = time.perf_counter()
    km = KernelManager(kernel_name=name)
    km.start_kernel(cwd=cwd)
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=300)
        start_cpu = process_cpu(km.provisioner.pid)
        reply = kc.execute_interactive(IMPORTS, timeout=300, output_hook=lambda msg: None)
        seconds = time.perf_counter() - started
        assert reply["content"]["status"] == "ok", reply["content"]
        warm = getattr(km.provisioner, "warm", None)
        assert warm is not False, "the warm kernelspec started a cold kernel"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    return seconds, start_cpu


def bench_start(repeat: int, lines: list[str]) -> float:
    from supportstats.kernels.client import stop_zygotes

    rt = tempfile.mkdtemp(prefix="bench-kernels-rt-")
    os.environ["SUPPORTSTATS_KERNELS_DIR"] = rt
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    cwd = tempfile.mkdtemp(prefix="bench-kernels-cwd-")
    loads = [load()]
    first = ready_with_imports("supportstats", cwd)[0]  # starts the zygote
    ready_with_imports("python3", cwd)  # warm-up: page cache, bytecode
    times = {"supportstats": [], "python3": []}
    cpus = {"supportstats": [], "python3": []}
    for _ in range(repeat):
        for name in times:
            seconds, cpu = ready_with_imports(name, cwd)
            times[name].append(seconds)
            cpus[name].append(cpu)
        loads.append(load())
    stop_zygotes({"SUPPORTSTATS_KERNELS_DIR": rt})
    warm, plain = statistics.median(times["supportstats"]), statistics.median(times["python3"])
    lines += [
        f"kernel ready + `{IMPORTS}` (KernelManager.start_kernel to execute reply), alternating:",
        f"  warm  (supportstats, zygote running): {summary(times['supportstats'])}   goal <= 0.5 s: "
        f"{'met' if warm <= 0.5 else 'NOT met'}",
        f"  plain (python3):                      {summary(times['python3'])}",
        f"  ratio warm / plain: {warm / plain:.2f}; first warm kernel, zygote start included: {first:.2f} s",
        f"  CPU-seconds of a kernel when ready (before the imports), median: warm "
        f"{statistics.median(cpus['supportstats']):.2f}, plain {statistics.median(cpus['python3']):.2f}",
        f"  1-min load average during: {min(loads):.1f}-{max(loads):.1f}",
    ]
    return plain, statistics.median(cpus["supportstats"])


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
    sampler = KernelCPU()
    sampler.start()
    cpu, started = machine_cpu_seconds(), time.perf_counter()
    proc = subprocess.run(suite_command("supportstats" if warm else "python3"), cwd=ROOT, env=env,
                          capture_output=True, text=True)
    seconds = time.perf_counter() - started
    cpu = machine_cpu_seconds() - cpu  # the whole machine's: forked kernels are no child of pytest
    kernels_cpu = sampler.stop()
    stop_zygotes({"SUPPORTSTATS_KERNELS_DIR": rt})
    logs = "".join(p.read_text(errors="replace") for p in Path(rt).glob("z-*.log"))
    counts = {"zygotes": len(re.findall(r"\] starting for ", logs)), "kernels": len(re.findall(r"\] kernel \d+ for ", logs))}
    if proc.returncode != 0:
        print(proc.stdout[-3000:], file=sys.stderr)
    counts["files"] = per_file(proc.stdout)
    counts["cpu"] = cpu
    counts["by_kind"] = kernels_cpu
    return seconds, proc.returncode, (before + load()) / 2, counts


def bench_suite(repeat: int, lines: list[str], cold_start: float, warm_start_cpu: float):
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
    kind = {w: {k: (statistics.median(r[3]["by_kind"][k][0] for r in runs[w]),
                    statistics.median(r[3]["by_kind"][k][1] for r in runs[w])) for k in KINDS}
            for w in (True, False)}
    rest = {w: cpu[w] - sum(kind[w][k][0] for k in KERNELS) for w in (True, False)}
    floor = cpu[True] - kind[True]["zygote"][0] - kind[True]["forked"][1] * warm_start_cpu
    lines += [
        f"  CPU-seconds by process (read from /proc every 0.1 s), median: warm suite: forked kernels "
        f"{kind[True]['forked'][0]:.0f} ({kind[True]['forked'][1]:.0f}), zygotes {kind[True]['zygote'][0]:.0f} "
        f"({kind[True]['zygote'][1]:.0f}), plain kernels {kind[True]['plain'][0]:.0f} ({kind[True]['plain'][1]:.0f}: "
        f"the tests that ask for python3), everything else {rest[True]:.0f}; plain suite: plain kernels "
        f"{kind[False]['plain'][0]:.0f} ({kind[False]['plain'][1]:.0f}), everything else {rest[False]:.0f}",
        "  everything else by process, median (processes): "
        + "; ".join(f"{suite} suite: " + ", ".join(
            f"{REST[k]} {kind[w][k][0]:.0f} ({kind[w][k][1]:.0f})" for k in REST)
            + f", unattributed (processes gone within 0.1 s) {rest[w] - sum(kind[w][k][0] for k in REST):.0f}"
            for suite, w in (("warm", True), ("plain", False))),
        f"  the warm suite's CPU without the zygotes and without every forked kernel's start "
        f"({warm_start_cpu:.2f} CPU-s when ready, above), i.e. were warm kernels free: {floor:.0f} CPU-s, "
        f"{floor / cpu[False]:.2f} of the plain suite's; what is left is the notebooks' own cells and the "
        f"{rest[True]:.0f} CPU-s of everything that is no kernel",
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
    cold_start, warm_start_cpu = bench_start(args.repeat, lines)
    if args.suite:
        bench_suite(args.suite_repeat, lines, cold_start, warm_start_cpu)
    lines += [f"note: {args.note}"] if args.note else []
    text = "\n".join(lines) + "\n"
    print(text, end="")
    write_results("kernels", text)


if __name__ == "__main__":
    main()
