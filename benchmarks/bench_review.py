"""Wall time of the notebook review (``make review`` without its run) vs nbdime's own ``nbdiff`` CLI.

Both compare the same nine pairs: the committed notebooks against copies in which the
published value of ``trends_2022.team_burnout`` reads 46.0 instead of 64.0 in every output
(03_burnout and 99_findings change; the others are identical), no kernel involved.

* review: ``review_notebooks(copy, committed)``: nbdime's diff once per pair, the claim labels,
  the terminal text, the labelled HTML page and nbdime's offline view per changed notebook;
* nbdiff: ``nbdiff committed.ipynb copy.ipynb`` for each notebook, one after another: the text
  diff a reviewer would get by hand, without labels or HTML (mostly the CLI's start-up);
* nbdime library: ``diff_notebooks`` and the text print in this process, nbdime's defaults: the
  diffing work alone, for the cost of what the review adds.

Target: review <= 10 s for the nine notebooks, ratio to the nbdiff loop <= 1.5. Reports the
median of ``--repeat`` runs after a warm-up, with the spread and the load average.

    .venv/bin/python benchmarks/bench_review.py [--repeat N]
"""
from __future__ import annotations

import argparse
import io
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from supportstats import nbdiff  # noqa: E402
from benchmarks.harness import write_results  # noqa: E402
from supportstats.review import review_notebooks  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def make_pairs(work: Path) -> tuple[Path, Path]:
    old, new = work / "old", work / "new"
    shutil.copytree(ROOT / "notebooks", old, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    new.mkdir()
    for path in sorted(old.glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                for mime in ("text/plain", "text/html"):
                    text = out.get("data", {}).get(mime)
                    if isinstance(text, str) and "trends_2022.team_burnout" in text:
                        out["data"][mime] = text.replace("64.0", "46.0", 1)
        nbformat.write(nb, new / path.name)
    return old, new


def time_review(old: Path, new: Path, work: Path) -> float:
    nbdiff._DIFFS.clear()  # each run computes its diffs afresh
    start = time.perf_counter()
    review_notebooks(new, str(old), out=work / "html", stream=io.StringIO())
    return time.perf_counter() - start


def time_nbdiff(old: Path, new: Path) -> float:
    start = time.perf_counter()
    for path in sorted(old.glob("[0-9][0-9]_*.ipynb")):
        subprocess.run([str(BIN / "nbdiff"), "--no-color", str(path), str(new / path.name)],
                       capture_output=True, check=False)
    return time.perf_counter() - start


def time_nbdime_library(old: Path, new: Path) -> float:
    from nbdime import diff_notebooks
    from nbdime.prettyprint import PrettyPrintConfig, pretty_print_notebook_diff

    start = time.perf_counter()
    for path in sorted(old.glob("[0-9][0-9]_*.ipynb")):
        a, b = nbformat.read(path, as_version=4), nbformat.read(new / path.name, as_version=4)
        pretty_print_notebook_diff(str(path), str(new / path.name), a, diff_notebooks(a, b),
                                   PrettyPrintConfig(out=io.StringIO(), use_color=False))
    return time.perf_counter() - start


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-review-") as tmp:
        work = Path(tmp)
        old, new = make_pairs(work)
        time_review(old, new, work), time_nbdime_library(old, new), time_nbdiff(old, new)  # warm-up
        review, library, loop, loads = [], [], [], []
        for _ in range(args.repeat):  # side by side, alternating, so all see the same load
            loads.append(os.getloadavg()[0])
            review.append(time_review(old, new, work))
            library.append(time_nbdime_library(old, new))
            loop.append(time_nbdiff(old, new))
    med_r, med_b, med_l = statistics.median(review), statistics.median(library), statistics.median(loop)
    lines = [
        f"notebook review, 9 notebooks (2 changed), median of {args.repeat} after a warm-up",
        f"review_notebooks: {med_r:.2f} s (range {min(review):.2f}-{max(review):.2f})",
        f"nbdime library (diff + text, default settings): {med_b:.2f} s (range {min(library):.2f}-{max(library):.2f})",
        f"nbdiff CLI loop:  {med_l:.2f} s (range {min(loop):.2f}-{max(loop):.2f})",
        f"ratio review / nbdiff loop: {med_r / med_l:.2f} (target <= 1.5); review / nbdime library: "
        f"{med_b and med_r / med_b:.2f} (labels, HTML pages and views on top); review target <= 10 s",
        f"load average (1 min) during the runs: {min(loads):.1f}-{max(loads):.1f} on {os.cpu_count()} cores; "
        f"{platform.python_implementation()} {platform.python_version()}",
    ]
    print("\n".join(lines))
    write_results("review", "\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
