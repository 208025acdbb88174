"""Fabricated registries for the tests of supportstats.claims and supportstats.claim_checks."""
from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from supportstats.claims import CLAIM_COLUMNS, load_claims

SEED = "000_21c998474df13a11.txt"


def default_quote(value, value_high=None, unit="percent", bound=None) -> str:
    """A sentence stating the value as the registry records it, so value_in_quote passes."""
    mark = "%" if unit == "percent" else ""
    text = f"{value}{mark}" if value_high is None else f"{value}–{value_high}{mark}"
    if unit == "usd":
        text = "$" + text
    return {"approx": f"about {text}", "min": f"{text}+", "max": f"at most {text}"}.get(bound, text)


def claim(claim_id, value, statistic="share", unit=None, **kw):
    """One registry row with harmless defaults; the wave comes from the id; the quote states the value."""
    survey, _, wave = claim_id.split(".")[0].rpartition("_")
    if not survey:
        survey, wave = claim_id.split(".")[0], ""
    unit = unit or {"change_pp": "points", "ratio": "ratio", "amount": "usd", "count": "count"}.get(statistic, "percent")
    quote = kw.pop("quote", None) or default_quote(value, kw.get("value_high"), unit, kw.get("bound"))
    row = dict(claim_id=claim_id, survey=survey, report="r", publisher="p", published="2022-05-22", wave=wave,
               metric="m", statistic=statistic, value=str(value), unit=unit, n_approx="false",
               source_files=SEED, language="ja", quote=quote)
    row.update({k: str(v) for k, v in kw.items()})
    return row


def write_registry(path, rows, columns=CLAIM_COLUMNS) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(columns), lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, "") for c in columns})
    return path


def registry(tmp_path, rows) -> pd.DataFrame:
    return load_claims(write_registry(tmp_path / "claims.csv", rows))


def real_rows() -> list[dict]:
    """The shipped registry as text rows, to mutate a copy."""
    from supportstats.paths import CLAIMS_CSV
    with open(CLAIMS_CSV, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def mutated(tmp_path, changes: dict[str, dict]) -> Path:
    """A copy of the shipped registry with some cells changed: {claim_id: {column: text}}."""
    rows = real_rows()
    ids = {r["claim_id"] for r in rows}
    assert set(changes) <= ids, set(changes) - ids
    for r in rows:
        r.update(changes.get(r["claim_id"], {}))
    return write_registry(tmp_path / "mutated.csv", rows, columns=list(rows[0]))


def one(checks, check, claim_id, reading=None):
    sel = checks[(checks.check == check) & (checks.claim_id == claim_id)]
    if reading is not None:
        sel = sel[sel.reading == reading]
    assert len(sel) == 1, checks[["check", "claim_id", "status", "detail"]]
    return sel.iloc[0]
