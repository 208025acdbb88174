"""Wall time of the reproduce runner vs a sequential loop of the papermill CLI, same notebooks, same run.

Both run on fresh copies of the notebooks (so the committed ones are not touched) and
both are timed as a user would start them, interpreter start-up and imports included:

* runner: ``python -c "reproduce(<copy>)"`` — what ``make reproduce`` runs;
* loop:   ``papermill in.ipynb out.ipynb -k python3 --cwd <copy>`` for each notebook, one after another.

Uses ``notebooks/`` when it holds ``NN_*.ipynb``, else the test fixtures. Prints the
seconds and the ratio and writes ``benchmarks/results/reproduce.txt``.

    .venv/bin/python benchmarks/bench_reproduce.py [--notebooks DIR] [--repeat N] [--methods fork,spawn]
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "reproduce.txt"
BIN = Path(sys.executable).parent


def notebooks_folder(arg):
    if arg:
        return Path(arg)
    real = ROOT / "notebooks"
    return real if sorted(real.glob("[0-9][0-9]_*.ipynb")) else ROOT / "tests" / "data" / "notebooks"


def fresh_copy(src: Path, dest: Path) -> Path:
    """Copy the notebooks into ``dest`` and the raw data beside them, as a project of its own.

    Kernels get ``SUPPORTSTATS_ROOT=dest.parent`` (see :func:`project_env`), so figures,
    processed data and findings go into the copy, never into this checkout.
    """
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "marker.txt"))
    raw = dest.parent / "data" / "raw"
    if not raw.exists():
        shutil.copytree(ROOT / "data" / "raw", raw)
    return dest


def project_env(nbdir: Path, **extra):
    return env(SUPPORTSTATS_ROOT=str(nbdir.parent), **extra)


def env(**extra):
    e = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    e.pop("SUPPORTSTATS_START_METHOD", None)  # the default unless a method is asked for
    e.update(extra)
    return e


def time_runner(src: Path, work: Path, method=None) -> tuple[float, int]:
    nbdir = work / "runner" if (work / "runner").exists() else fresh_copy(src, work / "runner")
    code = ("import sys; from supportstats.reproduce import reproduce; "
            f"s = reproduce({str(nbdir)!r}, progress=False); "
            "sys.exit(int((s.status != 'ok').any()))")
    extra = {"SUPPORTSTATS_START_METHOD": method} if method else {}
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], env=project_env(nbdir, **extra),
                          capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        sys.exit(f"runner crashed:\n{proc.stderr[-2000:]}")
    return seconds, proc.returncode


def time_papermill_loop(src: Path, work: Path) -> tuple[float, int]:
    nbdir = fresh_copy(src, work / "loop")
    out = work / "loop-out"
    out.mkdir()
    failed = 0
    start = time.perf_counter()
    for nb in sorted(nbdir.glob("[0-9][0-9]_*.ipynb")):
        proc = subprocess.run([str(BIN / "papermill"), str(nb), str(out / nb.name), "-k", "python3",
                               "--cwd", str(nbdir)], env=project_env(nbdir), capture_output=True)
        failed += proc.returncode != 0
    return time.perf_counter() - start, failed


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--notebooks", help="folder of NN_*.ipynb (default: notebooks/, else the test fixtures)")
    ap.add_argument("--repeat", type=int, default=1, help="repeat each measurement, keep the fastest")
    ap.add_argument("--methods", default="", help="also time these worker start methods, e.g. fork,forkserver,spawn")
    ap.add_argument("--note", default="", help="a line added to the results file (e.g. where the notebooks came from)")
    args = ap.parse_args(argv)
    src = notebooks_folder(args.notebooks)
    names = [p.name for p in sorted(src.glob("[0-9][0-9]_*.ipynb"))]
    if not names:
        sys.exit(f"no NN_*.ipynb in {src}")
    load_before = os.getloadavg()[0]
    runner, rerun, loop, extra = [], [], [], {}
    for i in range(args.repeat):
        with tempfile.TemporaryDirectory(prefix="bench-reproduce-") as tmp:
            runner.append(time_runner(src, Path(tmp)))
            rerun.append(time_runner(src, Path(tmp)))  # same copy: pages cached, notebooks unchanged
        with tempfile.TemporaryDirectory(prefix="bench-reproduce-") as tmp:
            loop.append(time_papermill_loop(src, Path(tmp)))
        for method in filter(None, args.methods.split(",")):
            with tempfile.TemporaryDirectory(prefix="bench-reproduce-") as tmp:
                extra.setdefault(method, []).append(time_runner(src, Path(tmp), method)[0])
    r_sec, r_fail = min(runner)
    l_sec, l_fail = min(loop)
    rel = src.relative_to(ROOT) if src.is_relative_to(ROOT) else src
    lines = [
        "reproduce runner vs sequential papermill CLI loop (wall seconds, start-up and imports included)",
        f"machine: {os.cpu_count()} cores, {platform.system()} {platform.machine()}, Python {platform.python_version()}",
        f"notebooks: {rel} ({len(names)}: {', '.join(names)})",
        f"repeats: {args.repeat} (fastest kept); 1-min load average {load_before:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after (other work on the machine inflates both timings)",
        f"runner (supportstats reproduce, default jobs = {os.cpu_count()}): {r_sec:.1f} s  (exit {r_fail})",
        f"runner again on the same copy (report pages cached): {min(rerun)[0]:.1f} s",
        f"papermill CLI loop: {l_sec:.1f} s  ({l_fail} notebook(s) failed)",
        f"ratio runner / loop: {r_sec / l_sec:.2f} first run, {min(rerun)[0] / l_sec:.2f} rerun"
        "  (goal <= 0.40; runner goal <= 30 s)",
    ]
    lines += [f"runner with start method {m}: {min(v):.1f} s" for m, v in sorted(extra.items())]
    lines += [f"note: {args.note}"] if args.note else []
    text = "\n".join(lines) + "\n"
    print(text, end="")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text)


if __name__ == "__main__":
    main()
