"""Benchmark the statistics core on 1,000,000 synthetic respondents (6 industries x 5 sizes).

Targets (issue 3): ``weighted_share`` by two grouping columns <= 0.5 s; ``rake`` to two
margins <= 1 s; ``proportion_ci`` over 10,000 groups <= 50 ms. Each job is timed next to
a baseline in the same run, alternately (``benchmarks/harness.py``): median of ``--repeat``
runs after a warm-up, min–max spread, CPU seconds and the machine load.

Baselines:

* ``weighted_share``: a per-group loop that computes the same thing (design-based SE of
  each group as a domain of the whole sample, Korn–Graubard interval, design effect) with
  numpy and scipy, checked equal to ours; and, for continuity with the old README figure,
  the per-group ``DescrStatsW`` + ``proportion_confint`` loop, which computes less (a
  frequency-weight SE and a Kish–Wilson interval, not the design-based ones).
* ``rake``: weightipy (the raking package we compared); ``proportion_ci``: a loop of
  statsmodels' ``proportion_confint``.

Run: ``.venv/bin/python benchmarks/bench_stats.py [--rows N] [--repeat K] [--no-write]``.
"""
from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.weightstats import DescrStatsW

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.harness import load_line, machine_line, side_by_side, write_results  # noqa: E402
from supportstats import Design, proportion_ci, rake, weighted_share  # noqa: E402

INDUSTRIES = ["ecommerce", "finance", "health", "media", "saas", "travel"]
SIZES = ["1-10", "11-50", "51-200", "201-1000", "1000+"]
BY = ["industry", "company_size"]

WHY = """\
Why the committed figure said 10.2x and a fresh run 1.1x (issue 12)
--------------------------------------------------------------------
* The old script took the best of 3 runs of ours, then the best of 3 of the baseline, with
  no warm-up and no record of the load. The 10.2x (0.097 s vs 0.992 s) was committed ten
  minutes after a 3.5x (0.049 s vs 0.174 s) from the same code, in a commit titled "loaded
  2-core machine"; the 1.1x (0.070 s vs 0.073 s) is a quiet machine.
* The loop suffers far more from load than ours: it makes ~30 pandas group copies and
  dozens of small calls per group, and on a 2-core machine shared by ~10 busy processes
  every context switch evicts its working set. Measured here in one process, alternating
  the two, at a 1-minute load of 9-14: ours 0.06 CPU-s every run, the loop 0.08-0.51 CPU-s
  (user time; no page faults), wall 0.34-2.5 s. Its ratio to ours moves with the load
  from about 1x (quiet) to 5-10x (busy): the 10.2x was the load, not the code.
* Bytecode: the run was before .pyc files were compiled at install (PYTHONDONTWRITEBYTECODE
  is set here), so a first call paid for compiling the lazily imported modules (1.4 s vs
  0.5 s for the loop's first call, measured with and without a bytecode cache). Best-of-3
  hid that; a warm-up run now excludes it explicitly.
* What the loop computes: DescrStatsW.std_mean treats the weights as frequency weights
  (SE from sum(w) - 1 "observations") and the interval is Wilson on the Kish n: neither is
  the design-based SE of a domain that ours computes. The fair baseline below computes the
  same numbers as ours (checked to 1e-9) the obvious way, one group at a time.
Figures below: medians after a warm-up, ours and baseline alternating, with the load.
"""


def synthetic(rows: int, seed: int = 20240601) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    industry = rng.choice(INDUSTRIES, rows, p=[0.25, 0.2, 0.15, 0.1, 0.2, 0.1])
    # Size depends on industry, so raking needs real iterations (independent margins
    # converge in one sweep).
    tilt = np.arange(len(INDUSTRIES))[pd.Categorical(industry, categories=INDUSTRIES).codes]
    u = rng.random(rows) ** (1 + 0.3 * tilt)
    size = np.array(SIZES)[np.minimum((u * len(SIZES)).astype(int), len(SIZES) - 1)]
    base = 0.3 + 0.05 * pd.Series(size).map({s: i for i, s in enumerate(SIZES)}).to_numpy()
    cluster = rng.integers(0, 1000, rows)
    return pd.DataFrame({
        "industry": pd.Categorical(industry, categories=INDUSTRIES),
        "company_size": pd.Categorical(size, categories=SIZES),
        "yes": pd.array(rng.random(rows) < base, dtype="boolean"),
        "weight": rng.lognormal(0.0, 0.5, rows),
        "stratum": cluster // 20,            # 50 strata of 20 clusters
        "cluster": cluster,
    })


def naive_share(data: pd.DataFrame) -> pd.DataFrame:
    """The old baseline: filter each group, DescrStatsW + proportion_confint per group."""
    rows = []
    for (ind, size), part in data.groupby(BY, observed=True):
        d = DescrStatsW(part["yes"].to_numpy(dtype=float), weights=part["weight"].to_numpy())
        w = part["weight"].to_numpy()
        n_eff = w.sum() ** 2 / (w * w).sum()
        lo, hi = proportion_confint(d.mean * n_eff, n_eff, method="wilson")
        rows.append((ind, size, d.mean, d.std_mean, lo, hi))
    return pd.DataFrame(rows, columns=BY + ["estimate", "se", "ci_low", "ci_high"])


def loop_share(data: pd.DataFrame, clustered: bool = False) -> pd.DataFrame:
    """Same numbers as ``weighted_share`` (default interval), one group at a time.

    Each group is a domain of the whole sample: its influence values are zero outside it,
    so the variance needs the whole sample's PSUs and strata, not the group's rows alone.
    """
    y = data["yes"].to_numpy(dtype=float)
    w = data["weight"].to_numpy()
    n = len(data)
    if clustered:
        h = data["stratum"].to_numpy()
        psu = h * 1000 + data["cluster"].to_numpy()
        psu_codes, psu = np.unique(psu, return_inverse=True)
        psu_h = psu_codes // 1000
        n_h = np.bincount(psu_h).astype(float)
        n_psu = len(psu_codes)
    rows = []
    for key, idx in data.groupby(BY, observed=True).indices.items():
        wg, yg = w[idx], y[idx]
        total = wg.sum()
        p = (wg * yg).sum() / total
        z = wg * (yg - p) / total
        m = len(idx)
        if clustered:
            t = np.bincount(psu[idx], weights=z, minlength=n_psu)
            s1 = np.bincount(psu_h, weights=t)
            s2 = np.bincount(psu_h, weights=t * t)
            var = np.sum(n_h / (n_h - 1) * (s2 - s1 * s1 / n_h))
            seen = np.unique(psu[idx])
            df = seen.size - np.unique(psu_h[seen]).size
        else:
            var = n / (n - 1) * (np.sum(z * z) - np.sum(z) ** 2 / n)
            df = m - 1
        neff = p * (1 - p) / var * (stats.t.ppf(0.025, m - 1) / stats.t.ppf(0.025, df)) ** 2
        lo = stats.beta.ppf(0.025, neff * p, neff * (1 - p) + 1)
        hi = stats.beta.ppf(0.975, neff * p + 1, neff * (1 - p))
        deff = var / (p * (1 - p) * m / (m - 1) / m)
        rows.append((*key, p, np.sqrt(var), lo, hi, deff, df))
    return pd.DataFrame(rows, columns=BY + ["estimate", "se", "ci_low", "ci_high", "deff", "df"])


def naive_ci(x: np.ndarray, n: np.ndarray) -> list:
    return [proportion_confint(int(a), int(b), method="wilson") for a, b in zip(x, n)]


def weightipy_rake(data: pd.DataFrame, margins: dict):
    import weightipy as wp
    percent = {k: {lv: 100 * v for lv, v in m.items()} for k, m in margins.items()}
    scheme = wp.scheme_from_dict(percent, rim_params={"convcrit": 1e-8, "max_iterations": 1000})
    frame = data[list(margins)].astype(str)
    return wp.weight(frame, scheme)


def _max_diff(a: pd.DataFrame, b: pd.DataFrame, cols) -> float:
    return float(np.max(np.abs(a[cols].to_numpy(float) - b[cols].to_numpy(float))))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--groups", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--no-write", action="store_true", help="print only")
    args = ap.parse_args(argv)

    data = synthetic(args.rows)
    lines = []

    def report(job, target, timings, loads, ours, base, note):
        t, b = timings[ours], timings[base]
        ok = "yes" if t.median <= target else "NO"
        lines.append(f"{job}\n  ours      {t}  cpu {t.cpu_median:.3f} s  target <= {target:g} s: {ok}\n"
                     f"  baseline  {b}  cpu {b.cpu_median:.3f} s  ({base})\n"
                     f"  baseline / ours: {b.median / t.median:.2f}x (medians)  {note}\n"
                     f"  {load_line(loads)}")
        return t.median <= target

    ok = []
    # 1. weighted share by industry x size (30 domains), weights only --------------------
    jobs = {"ours": lambda: weighted_share(data, "yes", by=BY, weight="weight"),
            "per-group loop, same numbers (numpy + scipy)": lambda: loop_share(data),
            "old baseline: per-group DescrStatsW + proportion_confint": lambda: naive_share(data)}
    timings, res, loads = side_by_side(jobs, repeat=args.repeat)
    names = list(jobs)
    same = _max_diff(res["ours"], res[names[1]], ["estimate", "se", "ci_low", "ci_high", "deff", "df"])
    ok.append(report(f"weighted_share, {args.rows:,} rows by 2 groups (30 domains), weights only", 0.5,
                     timings, loads, "ours", names[1], f"max |diff| of every column {same:.1e}"))
    old = timings[names[2]]
    lines.append(f"  old baseline {old}  cpu {old.cpu_median:.3f} s: "
                 f"{old.median / timings['ours'].median:.2f}x ours (computes a frequency-weight SE "
                 f"and a Kish-Wilson interval, not ours; max |estimate diff| "
                 f"{_max_diff(res['ours'], res[names[2]], ['estimate']):.1e})")

    # 2. the same with a stratified cluster design (50 strata, 1,000 clusters) -----------
    design = Design(weight="weight", strata="stratum", cluster="cluster")
    jobs = {"ours": lambda: weighted_share(data, "yes", by=BY, design=design),
            "per-group loop, same numbers (numpy + scipy)": lambda: loop_share(data, clustered=True)}
    timings, res, loads = side_by_side(jobs, repeat=args.repeat)
    base = list(jobs)[1]
    same = _max_diff(res["ours"], res[base], ["estimate", "se", "ci_low", "ci_high", "df"])
    ok.append(report(f"weighted_share, {args.rows:,} rows by 2 groups, 50 strata x 1,000 clusters", 0.5,
                     timings, loads, "ours", base, f"max |diff| {same:.1e}"))

    # 3. rake to two margins ---------------------------------------------------------------
    margins = {"industry": dict(zip(INDUSTRIES, [0.2, 0.2, 0.2, 0.1, 0.2, 0.1])),
               "company_size": dict(zip(SIZES, [0.2, 0.2, 0.2, 0.2, 0.2]))}
    try:
        import weightipy  # noqa: F401
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            jobs = {"ours": lambda: rake(data, margins), "weightipy.weight": lambda: weightipy_rake(data, margins)}
            timings, res, loads = side_by_side(jobs, repeat=args.repeat)
        w, w_pkg = res["ours"], np.asarray(res["weightipy.weight"], dtype=float)
        agree = np.max(np.abs(w.to_numpy() / w.mean() - w_pkg / w_pkg.mean()))
        ok.append(report(f"rake, {args.rows:,} rows, 2 margins", 1.0, timings, loads, "ours", "weightipy.weight",
                         f"max |weight diff| {agree:.1e}; {w.attrs['rake']['iterations']} sweeps"))
    except ImportError:
        lines.append("rake: weightipy not installed, baseline skipped")

    # 4. proportion_ci over many groups ----------------------------------------------------
    rng = np.random.default_rng(7)
    n = rng.integers(1, 500, args.groups)
    x = rng.binomial(n, 0.4)
    jobs = {"ours": lambda: proportion_ci(x, n), "loop of proportion_confint": lambda: naive_ci(x, n)}
    timings, res, loads = side_by_side(jobs, repeat=max(3, args.repeat // 2))
    diff = np.max(np.abs(res["ours"]["ci_low"].to_numpy() - np.array([c[0] for c in res[list(jobs)[1]]])))
    ok.append(report(f"proportion_ci, {args.groups:,} groups", 0.05, timings, loads, "ours",
                     "loop of proportion_confint", f"max |ci_low diff| {diff:.1e}"))

    text = "\n".join([f"supportstats statistics benchmark: {args.rows:,} rows; median of {args.repeat} "
                      "runs after a warm-up, ours and baseline alternating", machine_line(), "",
                      WHY] + lines) + "\n"
    print(text, end="")
    if not args.no_write:
        write_results("stats", text)
    return 0 if all(ok) else 1


if __name__ == "__main__":
    sys.exit(main())
