"""Benchmark ``banner``: 20 questions x a 10-level breakdown on 1,000,000 respondents.

The design is stratified and clustered (weights, 50 strata, 1,000 clusters); the questions
are 12 five-level scales, 4 yes/no items and 4 numbers (means), with 5% item non-response.
Target (issue 9): <= 2 s. Baseline, in the same run and alternating with it: the same
table built with the public estimators one banner row at a time — ``weighted_share`` (or
``weighted_mean``) for the row's 10 cells, ``compare_groups`` for its 45 pairs and
``adjust_pvalues`` for the letters — checked to give the same estimates and letters.

Run: ``.venv/bin/python benchmarks/bench_banner.py [--rows N] [--repeat K] [--no-write]``.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.harness import load_line, machine_line, side_by_side, write_results  # noqa: E402
from supportstats import (Design, adjust_pvalues, banner, compare_groups, weighted_mean,  # noqa: E402
                          weighted_share)

SCALE = ["1", "2", "3", "4", "5"]
DESIGN = Design(weight="weight", strata="stratum", cluster="cluster")


def synthetic(rows: int, seed: int = 7) -> tuple[pd.DataFrame, list[str]]:
    rng = np.random.default_rng(seed)
    cluster = rng.integers(0, 1000, rows)
    effect = rng.normal(0, 0.3, 1000)[cluster]          # clusters differ: a real design effect
    region = rng.integers(0, 10, rows)
    data = {"stratum": cluster // 20, "cluster": cluster,
            "region": pd.Categorical.from_codes(region, [f"region {i}" for i in range(10)]),
            "weight": rng.lognormal(0.0, 0.4, rows)}
    questions = []
    for q in range(20):
        name = f"q{q + 1:02d}"
        latent = effect + 0.05 * region + rng.normal(0, 1, rows)
        missing = rng.random(rows) < 0.05
        if q < 12:
            code = np.digitize(latent, [-1.2, -0.4, 0.4, 1.2])
            data[name] = pd.Categorical.from_codes(np.where(missing, -1, code), SCALE)
        elif q < 16:
            data[name] = pd.array(np.where(missing, None, latent > 0.2), dtype="boolean")
        else:
            data[name] = np.where(missing, np.nan, 50 + 10 * latent)
        questions.append(name)
    return pd.DataFrame(data), questions


def loop_banner(data: pd.DataFrame, questions: list[str]) -> pd.DataFrame:
    """The same banner, one row at a time through the public estimators."""
    rows = []
    for q in questions:
        col = data[q]
        numeric = pd.api.types.is_float_dtype(col.dtype)
        values = [None] if numeric else (list(col.cat.categories) if isinstance(col.dtype, pd.CategoricalDtype)
                                         else [False, True])
        for value in values:
            if numeric:
                cells = weighted_mean(data, q, by="region", design=DESIGN)
            else:
                cells = weighted_share(data, q, by="region", value=value, design=DESIGN)
            pairs = compare_groups(data, q, "region", value=value, design=DESIGN)
            pairs["p_adjusted"] = adjust_pvalues(pairs.p_value, "holm").p_adjusted.to_numpy()
            letters = dict(zip(cells.region, "ABCDEFGHIJ"))
            higher = {g: "" for g in cells.region}
            for r in pairs[pairs.p_adjusted < 0.05].itertuples():
                hi, lo = (r.group_b, r.group_a) if r.diff > 0 else (r.group_a, r.group_b)
                higher[hi] += letters[lo]
            rows.append(cells.assign(question=q, level=value,
                                     higher_than=["".join(sorted(higher[g])) for g in cells.region]))
    return pd.concat(rows, ignore_index=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args(argv)
    data, questions = synthetic(args.rows)
    jobs = {"banner": lambda: banner(data, questions, by="region", design=DESIGN, total=False),
            "row-by-row loop": lambda: loop_banner(data, questions)}
    timings, res, loads = side_by_side(jobs, repeat=args.repeat)
    ours, loop = res["banner"], res["row-by-row loop"]
    same_est = float(np.max(np.abs(ours.estimate.to_numpy() - loop.estimate.to_numpy())))
    same_se = float(np.max(np.abs(ours.se.to_numpy() - loop.se.to_numpy())))
    same_letters = bool((ours.higher_than.to_numpy() == loop.higher_than.to_numpy()).all())
    t, b = timings["banner"], timings["row-by-row loop"]
    target = 2.0
    lines = [
        f"banner benchmark: {args.rows:,} respondents, {len(questions)} questions (12 five-level "
        "scales, 4 yes/no, 4 means; 5% item non-response) x 10 regions; weights, 50 strata, "
        "1,000 clusters", machine_line(),
        f"median of {args.repeat} runs after a warm-up, banner and loop alternating",
        f"banner            {t}  cpu {t.cpu_median:.2f} s  target <= {target:g} s: "
        f"{'yes' if t.median <= target else 'NO'}",
        f"row-by-row loop   {b}  cpu {b.cpu_median:.2f} s  (weighted_share/weighted_mean + "
        f"compare_groups + adjust_pvalues per banner row: {len(ours) // 10} rows x 10 cells)",
        f"loop / banner: {b.median / t.median:.1f}x (medians); same numbers: max |estimate diff| "
        f"{same_est:.1e}, max |se diff| {same_se:.1e}, letters identical: {same_letters} "
        f"({int((ours.higher_than != '').sum())} cells with letters)",
        load_line(loads),
    ]
    text = "\n".join(lines) + "\n"
    print(text, end="")
    if not args.no_write:
        write_results("banner", text)
    return 0 if t.median <= target and same_letters else 1


if __name__ == "__main__":
    sys.exit(main())
