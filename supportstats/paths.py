"""Every project path, resolved from one place (as cookiecutter-data-science's config.py does).

Notebooks and the CLI import these instead of building relative paths, so they work
from any working directory. ``SUPPORTSTATS_ROOT`` points the package at another checkout.
"""
from __future__ import annotations

import os
from pathlib import Path

__all__ = ["ROOT", "DATA_RAW", "DATA_PROCESSED", "FIGURES", "NOTEBOOKS", "REPORTS", "CLAIMS_CSV"]

ROOT = Path(os.environ.get("SUPPORTSTATS_ROOT") or Path(__file__).resolve().parents[1])
DATA_RAW = ROOT / "data" / "raw"
DATA_PROCESSED = ROOT / "data" / "processed"
FIGURES = ROOT / "figures"
NOTEBOOKS = ROOT / "notebooks"
REPORTS = ROOT / "reports"
CLAIMS_CSV = DATA_RAW / "published_claims.csv"
