"""Pipeline self-checks: does the code recover what the synthetic reconstruction was built on?

The synthetic waves were generated from the registry, so recomputing a published share from
them can only agree — unless the pipeline (reading, cleaning, estimating) is broken. That is
worth checking, and worth nothing as evidence about a report. These checks therefore live
in their own table, ``data/processed/pipeline_checks.csv``, with a pass/fail column and no
p-value, no verdict and no multiplicity family; ``tests/test_pipeline.py`` fails when one
fails.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import paths
from .outputs import read_csv, write_csv

__all__ = ["PIPELINE_COLUMNS", "as_pipeline_checks", "split_microdata", "microdata_note", "audit_markdown",
           "record_pipeline_checks", "load_pipeline_checks", "assemble_pipeline_checks"]

PIPELINE_COLUMNS = ["check", "claim_id", "notebook", "target", "target_high", "recomputed", "ci_low",
                    "ci_high", "n", "passed", "detail"]
PIPELINE_DIR = paths.PIPELINE_RECORDS
_WHAT = {
    "level": "recovers the published figure it was generated to match (to its published rounding)",
    "change": "recovers the published change between the two waves it was generated to match",
    "count": "cleans to a sample size within the range the article states",
}


def as_pipeline_checks(recomputed: pd.DataFrame, *, notebook: str) -> pd.DataFrame:
    """Pipeline-check rows from numbers recomputed on the synthetic reconstruction.

    Parameters
    ----------
    recomputed : DataFrame
        From :func:`supportstats.recompute_levels`, :func:`~supportstats.recompute_changes`
        or :func:`~supportstats.recompute_sample_sizes`.

    Returns
    -------
    DataFrame
        :data:`PIPELINE_COLUMNS`: what was checked, the target, what the pipeline gave, and
        ``passed``.

    Examples
    --------
    >>> r = pd.DataFrame([{"claim_id": "trends_2022.team_burnout", "kind": "level", "published": 64.0,
    ...                    "estimate": 64.003, "ci_low": 61.3, "ci_high": 66.7, "n": 1214, "matches": True}])
    >>> as_pipeline_checks(r, notebook="03_burnout")[["check", "target", "recomputed", "passed"]]
                       check  target  recomputed  passed
    0  recovers level (synthetic)    64.0      64.003    True
    """
    rows = []
    for r in recomputed.to_dict("records"):
        rows.append({"check": f"recovers {r['kind']} (synthetic)", "claim_id": r["claim_id"], "notebook": notebook,
                     "target": r["published"], "target_high": pd.NA, "recomputed": r["estimate"],
                     "ci_low": r.get("ci_low"), "ci_high": r.get("ci_high"), "n": r["n"],
                     "passed": bool(r["matches"]),
                     "detail": f"The pipeline {_WHAT[r['kind']]}: {'yes' if r['matches'] else 'NO'}. "
                               "A pipeline check, not evidence about the report."})
    return pd.DataFrame(rows, columns=PIPELINE_COLUMNS)


def split_microdata(recomputed: pd.DataFrame, *, source: str, notebook: str, alpha: float = 0.05):
    """What numbers recomputed from respondent data are: evidence, or a pipeline check.

    Returns ``(findings_rows, pipeline_rows)``: from a real export, findings rows
    (:func:`supportstats.as_findings`) and no pipeline checks; from the synthetic
    reconstruction, no findings rows and pipeline checks (:func:`as_pipeline_checks`).

    Examples
    --------
    >>> r = pd.DataFrame([{"claim_id": "x.y", "kind": "level", "published": 1.0, "estimate": 1.0,
    ...                    "ci_low": 0.9, "ci_high": 1.1, "n": 9, "matches": True}])
    >>> evidence, checks = split_microdata(r, source="synthetic reconstruction", notebook="demo")
    >>> len(evidence), len(checks)
    (0, 1)
    """
    from .recompute import as_findings

    if source == "synthetic reconstruction":
        return pd.DataFrame(), as_pipeline_checks(recomputed, notebook=notebook)
    if source != "real export":
        raise ValueError(f"source: got {source!r}; expected 'synthetic reconstruction' or 'real export'")
    return as_findings(recomputed, notebook=notebook, alpha=alpha), pd.DataFrame(columns=PIPELINE_COLUMNS)


def microdata_note(source: str) -> str:
    """What the respondent-data section of a notebook shows, in Markdown.

    Examples
    --------
    >>> microdata_note("synthetic reconstruction").split(".")[0]
    '**Pipeline demonstration, not evidence'
    """
    if source == "synthetic reconstruction":
        return ("**Pipeline demonstration, not evidence.** These numbers come from the synthetic "
                "reconstruction, which was generated to match the published figures: they show that "
                "reading, cleaning and estimating recover what the data were built on, and say nothing "
                "about the report. They are saved as pipeline checks, never as findings.")
    return ("**Evidence from the real export.** These numbers are recomputed from respondent data, with "
            "design-based intervals, and are compared with the published figures in the findings table.")


def audit_markdown(accounting: pd.DataFrame, by_step: pd.DataFrame, source: str) -> str:
    """The data audit's sentence: row accounting across waves and the largest exclusion step.

    Examples
    --------
    >>> acc = pd.DataFrame({"wave": ["a"], "n_raw": [110], "n_clean": [100], "n_excluded": [10], "adds_up": [True]})
    >>> print(audit_markdown(acc, pd.DataFrame({"a": [7, 3]}, index=["deduplicate", "drop_tests"]), "real export"))
    **Audit.** Every raw row is accounted for in all 1 waves: 110 raw rows = 100 cleaned + 10 excluded (real export). The largest exclusion step is 'deduplicate' (7 rows).
    """
    steps = by_step.sum(axis=1)
    ok = bool(accounting["adds_up"].all())
    head = ("Every raw row is accounted for" if ok else "Row accounting does NOT add up") + f" in all {len(accounting)} waves"
    what = " This audits the pipeline: the faults were generated." if source == "synthetic reconstruction" else ""
    return (f"**Audit.** {head}: {accounting.n_raw.sum():,} raw rows = {accounting.n_clean.sum():,} cleaned + "
            f"{accounting.n_excluded.sum():,} excluded ({source}). The largest exclusion step is "
            f"'{steps.idxmax()}' ({int(steps.max()):,} rows).{what}")


def record_pipeline_checks(rows: pd.DataFrame, notebook: str, folder=None) -> Path:
    """Save one notebook's pipeline checks for ``99_findings`` to gather.

    Examples
    --------
    >>> import tempfile
    >>> r = pd.DataFrame([{"claim_id": "x.y", "kind": "level", "published": 1.0, "estimate": 1.0,
    ...                    "ci_low": 0.9, "ci_high": 1.1, "n": 9, "matches": True}])
    >>> record_pipeline_checks(as_pipeline_checks(r, notebook="demo"), "demo", folder=tempfile.mkdtemp()).name
    'demo.csv'
    """
    folder = Path(folder) if folder is not None else PIPELINE_DIR
    out = pd.DataFrame(rows).reindex(columns=PIPELINE_COLUMNS).assign(notebook=notebook)
    out = out.sort_values(["check", "claim_id"], kind="stable")
    path = folder / f"{notebook}.csv"
    return write_csv(out, path, float_format="%.10g")


def load_pipeline_checks(folder=None) -> pd.DataFrame:
    """Every notebook's saved pipeline checks.

    Examples
    --------
    >>> set(load_pipeline_checks().columns) == set(PIPELINE_COLUMNS)
    True
    """
    folder = Path(folder) if folder is not None else PIPELINE_DIR
    files = sorted(folder.glob("*.csv"))
    if not files:
        return pd.DataFrame(columns=PIPELINE_COLUMNS)
    return pd.concat([read_csv(f, dtype={"check": str, "claim_id": str, "notebook": str, "detail": str})
                      for f in files], ignore_index=True)


def assemble_pipeline_checks(rows=None, *, out=None) -> pd.DataFrame:
    """Gather the pipeline checks into one table (``data/processed/pipeline_checks.csv``).

    Examples
    --------
    >>> table = assemble_pipeline_checks(out=False)
    >>> bool(table["passed"].all())
    True
    """
    rows = load_pipeline_checks() if rows is None else pd.DataFrame(rows)
    table = (rows.reindex(columns=PIPELINE_COLUMNS).sort_values(["notebook", "check", "claim_id"], kind="stable")
             .reset_index(drop=True))
    table["passed"] = table["passed"].astype(bool)
    if out is not False:
        path = Path(out) if out is not None else paths.DATA_PROCESSED / "pipeline_checks.csv"
        write_csv(table, path, float_format="%.10g")
    return table
