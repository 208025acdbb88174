"""Benchmark the statistics core on 1,000,000 synthetic respondents (6 industries x 5 sizes).

Targets (issue 3): ``weighted_share`` by two grouping columns <= 0.5 s; ``rake`` to two
margins <= 1 s; ``proportion_ci`` over 10,000 groups <= 50 ms. Each is timed next to the
same job done the obvious way in the same run: a per-group loop over statsmodels calls,
and raking with weightipy (the raking package we compared; skipped with a note if it is
not installed). Timings are the best of ``--repeat`` runs. Results: printed and written to
``benchmarks/results/stats.txt``.

Run: ``.venv/bin/python benchmarks/bench_stats.py [--rows N] [--repeat K]``.
"""
from __future__ import annotations

import argparse
import platform
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.weightstats import DescrStatsW

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from supportstats import proportion_ci, rake, weighted_share  # noqa: E402
from supportstats.io import atomic_path  # noqa: E402

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "stats.txt"
INDUSTRIES = ["ecommerce", "finance", "health", "media", "saas", "travel"]
SIZES = ["1-10", "11-50", "51-200", "201-1000", "1000+"]


def synthetic(rows: int, seed: int = 20240601) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    industry = rng.choice(INDUSTRIES, rows, p=[0.25, 0.2, 0.15, 0.1, 0.2, 0.1])
    # Size depends on industry, so raking needs real iterations (independent margins
    # converge in one sweep).
    tilt = np.arange(len(INDUSTRIES))[pd.Categorical(industry, categories=INDUSTRIES).codes]
    u = rng.random(rows) ** (1 + 0.3 * tilt)
    size = np.array(SIZES)[np.minimum((u * len(SIZES)).astype(int), len(SIZES) - 1)]
    base = 0.3 + 0.05 * pd.Series(size).map({s: i for i, s in enumerate(SIZES)}).to_numpy()
    return pd.DataFrame({
        "industry": pd.Categorical(industry, categories=INDUSTRIES),
        "company_size": pd.Categorical(size, categories=SIZES),
        "yes": pd.array(rng.random(rows) < base, dtype="boolean"),
        "weight": rng.lognormal(0.0, 0.5, rows),
    })


def best_of(fn, repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def naive_share(data: pd.DataFrame) -> pd.DataFrame:
    """The obvious way: filter each group, DescrStatsW + proportion_confint per group."""
    rows = []
    for (ind, size), part in data.groupby(["industry", "company_size"], observed=True):
        d = DescrStatsW(part["yes"].to_numpy(dtype=float), weights=part["weight"].to_numpy())
        w = part["weight"].to_numpy()
        n_eff = w.sum() ** 2 / (w * w).sum()
        lo, hi = proportion_confint(d.mean * n_eff, n_eff, method="wilson")
        rows.append((ind, size, d.mean, d.std_mean, lo, hi))
    return pd.DataFrame(rows, columns=["industry", "company_size", "estimate", "se", "ci_low",
                                       "ci_high"])


def naive_ci(x: np.ndarray, n: np.ndarray) -> list:
    return [proportion_confint(int(a), int(b), method="wilson") for a, b in zip(x, n)]


def weightipy_rake(data: pd.DataFrame, margins: dict):
    import weightipy as wp
    percent = {k: {lv: 100 * v for lv, v in m.items()} for k, m in margins.items()}
    scheme = wp.scheme_from_dict(percent, rim_params={"convcrit": 1e-8, "max_iterations": 1000})
    frame = data[list(margins)].astype(str)
    return wp.weight(frame, scheme)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--groups", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)

    data = synthetic(args.rows)
    rows = []

    # 1. weighted share by industry x size (30 domains) ---------------------------
    t_ours, ours = best_of(lambda: weighted_share(data, "yes", by=["industry", "company_size"],
                                                  weight="weight"), args.repeat)
    t_naive, naive = best_of(lambda: naive_share(data), args.repeat)
    diff = np.max(np.abs(ours["estimate"].to_numpy() - naive["estimate"].to_numpy()))
    rows.append(("weighted_share by 2 groups", t_ours, 0.5, "per-group DescrStatsW + "
                 "proportion_confint", t_naive, f"max |estimate diff| {diff:.1e}"))

    # 2. rake to two margins -------------------------------------------------------
    margins = {"industry": dict(zip(INDUSTRIES, [0.2, 0.2, 0.2, 0.1, 0.2, 0.1])),
               "company_size": dict(zip(SIZES, [0.2, 0.2, 0.2, 0.2, 0.2]))}
    t_ours, w = best_of(lambda: rake(data, margins), args.repeat)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t_pkg, w_pkg = best_of(lambda: weightipy_rake(data, margins), args.repeat)
        w_pkg = np.asarray(w_pkg, dtype=float)
        agree = np.max(np.abs(w.to_numpy() / w.mean() - w_pkg / w_pkg.mean()))
        rows.append(("rake, 2 margins", t_ours, 1.0, "weightipy.weight", t_pkg,
                     f"max |weight diff| {agree:.1e}; {w.attrs['rake']['iterations']} sweeps"))
    except ImportError:
        rows.append(("rake, 2 margins", t_ours, 1.0, "weightipy (not installed)", float("nan"),
                     f"{w.attrs['rake']['iterations']} sweeps"))

    # 3. proportion_ci over many groups --------------------------------------------
    rng = np.random.default_rng(7)
    n = rng.integers(1, 500, args.groups)
    x = rng.binomial(n, 0.4)
    t_ours, ci = best_of(lambda: proportion_ci(x, n), args.repeat)
    t_naive, ci_naive = best_of(lambda: naive_ci(x, n), 1)
    diff = np.max(np.abs(ci["ci_low"].to_numpy() - np.array([c[0] for c in ci_naive])))
    rows.append((f"proportion_ci, {args.groups:,} groups", t_ours, 0.05,
                 "loop of proportion_confint", t_naive, f"max |ci_low diff| {diff:.1e}"))

    lines = [f"supportstats statistics benchmark: {args.rows:,} rows, 6 industries x 5 sizes; "
             f"best of {args.repeat}",
             f"python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
             f"{platform.machine()}",
             "",
             f"{'job':32} {'ours s':>8} {'target':>7} {'ok':>3} {'baseline s':>11} {'speed-up':>9}  "
             "baseline / check"]
    for job, t, target, base_name, t_base, note in rows:
        ratio = t_base / t if np.isfinite(t_base) else float("nan")
        lines.append(f"{job:32} {t:8.3f} {target:7.2f} {'yes' if t <= target else 'NO':>3} "
                     f"{t_base:11.3f} {ratio:8.1f}x  {base_name}; {note}")
    text = "\n".join(lines) + "\n"
    print(text, end="")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(RESULTS) as tmp:
        Path(tmp).write_text(text)
    return 0 if all(r[1] <= r[2] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
