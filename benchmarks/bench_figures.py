"""Benchmark one figure in one language against the same figure in all five.

Target (issue 10): the five-language figure build adds at most 50% to ``make reproduce``.
A plain ``make reproduce`` draws every findings figure; this measures, side by side in one
process, what one figure costs

* ``1 language``: ``draw_figure(..., lang="en")`` (PNG, SVG, CSV, alt text);
* ``5 languages``: ``draw_figure(..., lang="all")``,

for a typical figure (estimates, 4 rows) and a two-panel forest plot, interleaved so machine
load hits all three alike; median of ``--repeat`` runs after a warm-up, with min–max and the
1-minute load average before and after. It then scales the per-figure difference to the
figures of ``make reproduce`` (``--figures``, the English PNGs in figures/) over its worker processes and
compares it with the latest ``benchmarks/results/reproduce.txt`` (taken at its own load: a rough
guide only). ``--reproduce`` measures the target itself: a plain run (figures in every language)
against a ``--lang en`` run (English only), alternating on fresh project copies.

Run: ``.venv/bin/python benchmarks/bench_figures.py [--repeat K] [--figures N]``.
"""
from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from supportstats.figures import draw_figure  # noqa: E402
from benchmarks.harness import write_results  # noqa: E402
from supportstats.messages import msg  # noqa: E402

HERE = Path(__file__).resolve().parent

ESTIMATES = pd.DataFrame({
    "label": ["trends_2022.expectations_rising", "trends_2022.tools_slow_weekly", "trends_2022.empathy_priority",
              "trends_2022.empathy_lack_tools"],
    "estimate": [0.75, 0.47, 0.73, 0.21], "ci_low": [0.726, 0.442, 0.705, 0.187],
    "ci_high": [0.774, 0.498, 0.755, 0.233], "n": 1214})
CHANGES = pd.DataFrame({
    "label": ["benchmark_2022.csat_change_pp", "iqs_change", "nps_change",
              "nps_tracking_change", "trends_2022.expectations_change"],
    "estimate": [11.0, 8.0, 6.0, 0.20, 0.02], "ci_low": [8.6, 5.4, -0.8, 0.123, -0.015],
    "ci_high": [13.4, 10.6, 12.8, 0.274, 0.055], "unit": ["means"] * 3 + ["shares"] * 2})
SOURCE = msg("source.trends", year=2022)


def bundle(folder, kind, lang):
    if kind == "estimates":
        draw_figure(kind, "estimates", ESTIMATES, title=msg("finding.trends_2022.team_burnout", share=0.64),
                    subtitle=msg("subtitle.leaders", source=SOURCE), source=SOURCE, synthetic=True,
                    xlabel=msg("axis.share_of_leaders"), folder=folder, lang=lang)
    else:
        draw_figure(kind, "forest", CHANGES, title=msg("title.with_verdict", finding=msg(
            "finding.benchmark_2022.csat_change_pp", before=78, after=89), verdict=msg("verdict.significant_all")),
                    subtitle=msg("subtitle.changes", level=0.95), panel="unit",
                    scale={"means": None, "shares": "share"}, source=msg("source.published_aggregates_each"),
                    folder=folder, lang=lang)


def reproduce_seconds() -> float | None:
    path = HERE / "results" / "reproduce.txt"
    if not path.exists():
        return None
    m = re.search(r"runner, warm kernels \(supportstats\): median ([\d.]+) s", path.read_text())
    return float(m.group(1)) if m else None


def whole_runs(rounds: int) -> list[tuple[float, float]]:
    """``supportstats reproduce`` (every language) and ``reproduce --lang en``, alternating, each on a
    fresh copy of the project after one warm-up pair; seconds of each, a zygote started by every run."""
    import subprocess

    from bench_reproduce import env, fresh_copy, notebooks_folder

    from supportstats.kernels.client import stop_zygotes

    out = []
    with tempfile.TemporaryDirectory(prefix="bench-figures-runs-") as tmp:
        project, rt = Path(tmp) / "project", Path(tmp) / "rt"
        rt.mkdir(mode=0o700)
        for round_ in range(rounds + 1):
            pair = []
            for lang in (None, "en"):
                nbdir = fresh_copy(notebooks_folder(None), project)
                code = ("import sys; import supportstats.reproduce as r; "
                        f"s = r.reproduce({str(nbdir)!r}, lang={lang!r}, progress=False); "
                        "sys.exit(int((s.status != 'ok').any()))")
                t0 = time.perf_counter()
                proc = subprocess.run([sys.executable, "-c", code], env=env(project, SUPPORTSTATS_KERNELS_DIR=str(rt)),
                                      capture_output=True, text=True)
                pair.append(time.perf_counter() - t0)
                stop_zygotes({"SUPPORTSTATS_KERNELS_DIR": str(rt)})
                if proc.returncode:
                    sys.exit(f"reproduce failed:\n{proc.stderr[-2000:]}")
            if round_:
                out.append(tuple(pair))
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--figures", type=int, default=len(list((HERE.parent / "figures").glob("*.png"))),
                        help="figures a plain make reproduce draws (default: the English PNGs in figures/)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="reproduce's worker processes")
    parser.add_argument("--reproduce", action="store_true",
                        help="time the reproduce runner on a project copy before and after, same load")
    args = parser.parse_args(argv)
    runner = []
    if args.reproduce:
        runner = whole_runs(rounds=2)
    load_before = os.getloadavg()[0]
    jobs = {"1 language": lambda d, k: bundle(d, k, "en"),
            "5 languages": lambda d, k: bundle(d, k, "all")}
    times = {(name, kind): [] for name in jobs for kind in ("estimates", "forest")}
    with tempfile.TemporaryDirectory(prefix="bench-figures-") as tmp:
        for rep in range(args.repeat + 1):  # the first round warms fonts, caches and imports
            for kind in ("estimates", "forest"):
                for name, job in jobs.items():
                    t0 = time.perf_counter()
                    job(Path(tmp) / name.replace(" ", "_"), kind)
                    if rep:
                        times[(name, kind)].append(time.perf_counter() - t0)
    load_after = os.getloadavg()[0]
    lines = ["one figure: draw_figure in 1 and in 5 languages (seconds per figure)",
             f"machine: {os.cpu_count()} cores, {platform.system()} {platform.machine()}, Python {platform.python_version()}",
             f"repeats: {args.repeat} after one warm-up round, interleaved; 1-min load average {load_before:.1f} before, "
             f"{load_after:.1f} after (other work on the machine inflates every timing)", ""]
    med = {}
    for kind in ("estimates", "forest"):
        for name in jobs:
            ts = times[(name, kind)]
            med[(name, kind)] = statistics.median(ts)
            lines.append(f"{kind:<10} {name:<12} median {med[(name, kind)]:.3f}  (min {min(ts):.3f}, max {max(ts):.3f})")
    per_fig = statistics.mean(med[("5 languages", k)] - med[("1 language", k)] for k in ("estimates", "forest"))
    one = statistics.mean(med[("1 language", k)] for k in ("estimates", "forest"))
    five = statistics.mean(med[("5 languages", k)] for k in ("estimates", "forest"))
    lines += ["", f"5 languages / 1 language: {five / one:.2f}x; added per figure by the other four: {per_fig:.2f} s",
              f"whole run: {args.figures} figures x {per_fig:.2f} s = {args.figures * per_fig:.1f} s of CPU, "
              f"~{args.figures * per_fig / args.jobs:.1f} s wall over {args.jobs} workers"]
    if runner:
        every = statistics.median(t for t, _ in runner)
        english = statistics.median(e for _, e in runner)
        lines += ["", "whole run, side by side on fresh project copies (warm kernels), alternating:",
                  f"  plain run (figures in all five languages): {', '.join(f'{t:.1f}' for t, _ in runner)} s",
                  f"  --lang en run (English figures only):      {', '.join(f'{e:.1f}' for _, e in runner)} s",
                  f"  five languages add {100 * (every / english - 1):.0f}% to the run (goal <= +50%: "
                  f"{'met' if every / english <= 1.5 else 'NOT met'})"]
    else:
        base = reproduce_seconds()
        if base:
            ratio = args.figures * per_fig / args.jobs / base
            lines.append(f"vs make reproduce {base:.1f} s (benchmarks/results/reproduce.txt, measured at ITS load, "
                         f"not this one): +{100 * ratio:.0f}% (goal <= +50%); run with --reproduce for a same-load figure")
    text = "\n".join(lines) + "\n"
    print(text, end="")
    write_results("figures", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
