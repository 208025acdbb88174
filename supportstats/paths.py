"""Every project path, resolved from one place (as cookiecutter-data-science's config.py does).

Notebooks and the CLI import these instead of building relative paths, so they work
from any working directory. ``SUPPORTSTATS_ROOT`` points the package at another checkout.

Inputs (raw data, column maps) are read relative to the project root :data:`ROOT`.
Outputs (figures, processed data, findings) are written under the *output root*
(:func:`output_root`): the project root by default, or the folder named by the
environment variable ``SUPPORTSTATS_OUTPUT_ROOT``, which ``supportstats reproduce``
sets to a staging folder for each run and the test suite sets to a temporary copy.
"""
from __future__ import annotations

import os
from pathlib import Path

__all__ = ["ROOT", "DATA_RAW", "DATA_PROCESSED", "FINDINGS_RECORDS", "PIPELINE_RECORDS", "FIGURES", "NOTEBOOKS",
           "REPORTS", "CLAIMS_CSV", "RUNS", "OUTPUT_ROOT_ENV", "output_root", "is_within"]

ROOT = Path(os.environ.get("SUPPORTSTATS_ROOT") or Path(__file__).resolve().parents[1])
DATA_RAW = ROOT / "data" / "raw"
DATA_PROCESSED = ROOT / "data" / "processed"
# what each findings notebook records (<notebook>.csv) for 99_findings to gather
FINDINGS_RECORDS = DATA_PROCESSED / "findings"
PIPELINE_RECORDS = DATA_PROCESSED / "pipeline"
FIGURES = ROOT / "figures"
NOTEBOOKS = ROOT / "notebooks"
REPORTS = ROOT / "reports"
RUNS = ROOT / "runs"
CLAIMS_CSV = DATA_RAW / "published_claims.csv"
OUTPUT_ROOT_ENV = "SUPPORTSTATS_OUTPUT_ROOT"


def output_root() -> Path:
    """The folder this process writes its outputs under (read from the environment each call).

    Examples
    --------
    >>> import os
    >>> os.environ.get(OUTPUT_ROOT_ENV) is not None or output_root() == ROOT
    True
    """
    value = os.environ.get(OUTPUT_ROOT_ENV)
    return Path(os.path.abspath(value)) if value else ROOT


def is_within(path, folder) -> bool:
    """True when ``path`` is ``folder`` or lies below it (lexically, after ``..`` and symlinks).

    Examples
    --------
    >>> is_within("/a/b/../c/d", "/a/c"), is_within("/a/bc", "/a/b")
    (True, False)
    """
    p, f = Path(os.path.realpath(path)), Path(os.path.realpath(folder))
    return p == f or f in p.parents
