"""The findings table: one verdict per registered claim, about the report and nothing else.

``data/processed/findings.csv`` answers one question per claim: *what does the evidence
about the report say?* Evidence is the published aggregates with stated assumptions
(:mod:`supportstats.evidence`), the registry's consistency checks
(:func:`supportstats.check_claims`), or a real export recomputed with its design. A number
recomputed from the synthetic reconstruction was generated to match and says nothing about
the report: it goes to ``pipeline_checks.csv`` (:mod:`supportstats.pipeline`), never here.

Each findings notebook builds rows for the claims it covers and saves them with
:func:`record_findings`; ``99_findings`` calls :func:`assemble_findings`, which adds every
claim no notebook covered, marks what the registry checks found ``inconsistent``, adjusts
the p-values of each report's distinct tests (Holm and Benjamini–Hochberg, at both ends of
each assumption range), sets the verdicts from the adjusted p-values and writes the table,
validated against :data:`FINDINGS_SCHEMA`. Verdicts and the sentences in ``detail`` are
computed from the row's own columns (:func:`change_verdict`, :func:`supportstats.describe`), so a
reader can recheck every one of them.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from . import paths
from .outputs import read_csv, write_csv
from .multiplicity import adjust_rows
from .sentences import describe

__all__ = [
    "VERDICTS", "EVIDENCE", "FINDING_COLUMNS", "FINDINGS_SCHEMA", "finding_row", "change_verdict",
    "adjust_families", "record_findings", "load_findings", "assemble_findings",
    "read_findings", "check_findings", "registry_findings", "registry_fields",
    "findings_summary", "data_source_banner",
]

#: Verdicts about a report. ``reproduced``/``not reproduced`` only ever rest on a real export.
VERDICTS = ("consistent", "inconsistent", "significant change", "change within noise",
            "depends on assumptions", "untestable", "external", "reproduced", "not reproduced")
#: What a row's verdict rests on.
EVIDENCE = ("published aggregates", "registry checks", "real export", "none")
FINDING_COLUMNS = [
    "claim_id", "survey", "report", "metric", "measure", "notebook", "kind",
    "published", "published_high", "bound", "unit", "evidence",
    "estimate", "ci_low", "ci_high", "margin", "n", "n_low", "n_high", "level", "alpha",
    "test", "test_statistic", "df", "p_value", "p_value_min",
    "family", "p_holm", "p_holm_min", "p_bh", "p_bh_min",
    "assumption", "threshold_on", "threshold", "verdict", "detail",
]
# the registry's columns and the multiplicity columns are (re)filled by assemble_findings
_ROW_FIELDS = set(FINDING_COLUMNS) - {"family", "p_holm", "p_holm_min", "p_bh", "p_bh_min"}
_TEXT = ["claim_id", "survey", "report", "metric", "measure", "notebook", "kind", "bound", "unit",
         "evidence", "test", "family", "assumption", "threshold_on", "verdict", "detail"]
FINDINGS_DIR = paths.FINDINGS_RECORDS
_P = pa.Column(float, pa.Check.in_range(0, 1), nullable=True)

_COLUMN_SPECS = {
    "claim_id": pa.Column(str, unique=True),
    "notebook": pa.Column(str, nullable=True),
    "kind": pa.Column(str, pa.Check.isin(["level", "change", "reading", "count", "wording", "ratio",
                                          "external", "untestable"])),
    "published": pa.Column(float), "published_high": pa.Column(float, nullable=True),
    "bound": pa.Column(str, nullable=True),
    "evidence": pa.Column(str, pa.Check.isin(list(EVIDENCE))),
    "level": pa.Column(float, pa.Check.in_range(0, 1, include_min=False, include_max=False), nullable=True),
    "alpha": pa.Column(float, pa.Check.in_range(0, 1, include_min=False, include_max=False), nullable=True),
    "verdict": pa.Column(str, pa.Check.isin(list(VERDICTS))),
    "detail": pa.Column(str),
    **{c: pa.Column(str) for c in ["survey", "report", "metric", "measure", "unit"]},
    **{c: pa.Column(str, nullable=True) for c in ["test", "family", "assumption"]},
    "threshold_on": pa.Column(str, pa.Check.isin(["sd", "n"]), nullable=True),
    **{c: _P for c in ["p_value", "p_value_min", "p_holm", "p_holm_min", "p_bh", "p_bh_min"]},
}

#: The contract of ``findings.csv`` (checked on write and by the tests).
FINDINGS_SCHEMA = pa.DataFrameSchema(
    {c: _COLUMN_SPECS.get(c, pa.Column(float, nullable=True)) for c in FINDING_COLUMNS},
    checks=[
        pa.Check(lambda d: list(d.columns) == FINDING_COLUMNS, error="columns must be FINDING_COLUMNS, in order"),
        pa.Check(lambda d: ~d["verdict"].isin(["reproduced", "not reproduced"]) | (d["evidence"] == "real export"),
                 error="reproduced/not reproduced only from a real export"),
        pa.Check(lambda d: (d["p_value_min"].isna() == d["p_value"].isna())
                 & (d["p_value_min"].fillna(0) <= d["p_value"].fillna(0) + 1e-12),
                 error="p_value_min is given with p_value and is not larger"),
    ],
    strict=True, ordered=True, coerce=True,
)


def data_source_banner(source: str, files=()) -> str:
    """A Markdown banner saying which data a notebook ran on and what its numbers can show.

    Examples
    --------
    >>> print(data_source_banner("synthetic reconstruction", ["data/raw/synthetic_cs_ops_2023.csv"]).splitlines()[0])
    **Respondent data: SYNTHETIC RECONSTRUCTION.** ...
    """
    names = ", ".join(f"`{Path(f).name}`" for f in files)
    if source == "synthetic reconstruction":
        return ("**Respondent data: SYNTHETIC RECONSTRUCTION.** The respondent data behind the published "
                "reports are not public. These files were generated by `supportstats synth` to match the "
                "published figures, so anything recomputed from them is a pipeline demonstration, never "
                "evidence about a report. The verdicts below rest on the published figures alone."
                + (f"\n\nFiles: {names}" if names else ""))
    return ("**Respondent data: REAL EXPORT.** Numbers recomputed from it are evidence about the report, next "
            "to what the published figures alone support." + (f"\n\nFiles: {names}" if names else ""))


def finding_row(claim_id: str, *, notebook: str, kind: str, verdict: str, detail: str = "", **fields) -> dict:
    """One findings row as a dict, checked against the column set and the verdicts.

    The registry's own columns (``published``, ``unit``, ...) may be given for display;
    :func:`assemble_findings` sets them from the registry, and the multiplicity columns.

    Examples
    --------
    >>> row = finding_row("anecdote.intercom_roar", notebook="07_automation_and_roar",
    ...                   kind="external", verdict="external", detail="Intercom's own figure.")
    >>> row["verdict"], row["p_value"]
    ('external', nan)
    """
    if verdict not in VERDICTS:
        raise ValueError(f"verdict: got {verdict!r}; expected one of {', '.join(VERDICTS)}")
    unknown = set(fields) - _ROW_FIELDS
    if unknown:
        raise KeyError(f"finding_row: unknown or table-owned field(s) {sorted(unknown)}")
    evidence = fields.get("evidence")
    if evidence not in (None, "") and evidence not in EVIDENCE:
        raise ValueError(f"evidence: got {evidence!r}; expected one of {', '.join(EVIDENCE)}")
    row = {c: np.nan for c in FINDING_COLUMNS}
    row.update(fields, claim_id=claim_id, notebook=notebook, kind=kind, verdict=verdict,
               detail=" ".join(str(detail).split()))
    return row


def registry_fields(claim) -> dict:
    """The registry's columns of a findings row, from one registry row (``load_claims()``).

    Examples
    --------
    >>> from supportstats import load_claims
    >>> float(registry_fields(load_claims().set_index("claim_id").loc["trends_2022.team_burnout"])["published"])
    64.0
    """
    return dict(published=claim["value"], published_high=claim["value_high"], bound=claim["bound"],
                unit=claim["unit"], survey=claim["survey"], report=claim["report"], metric=claim["metric"],
                measure=claim["statistic"])


def change_verdict(p_value, p_value_min, alpha: float) -> str:
    """The verdict on a change tested over a range of assumptions.

    ``significant change`` when even the least favourable end is significant
    (``p_value < alpha``), ``change within noise`` when even the most favourable end is not
    (``p_value_min >= alpha``), ``depends on assumptions`` in between. Pass adjusted
    p-values to get the verdict after multiplicity adjustment.

    Examples
    --------
    >>> change_verdict(0.01, 0.001, 0.05), change_verdict(0.3, 0.2, 0.05), change_verdict(0.3, 0.0, 0.05)
    ('significant change', 'change within noise', 'depends on assumptions')
    >>> change_verdict(0.05, 0.05, 0.05)   # p = alpha is not below alpha
    'change within noise'
    """
    if pd.isna(p_value) or pd.isna(p_value_min):
        raise ValueError(f"change_verdict needs both p-values; got {p_value!r}, {p_value_min!r}")
    if p_value_min > p_value + 1e-12:
        raise ValueError(f"p_value_min ({p_value_min}) is larger than p_value ({p_value})")
    if p_value < alpha:
        return "significant change"
    if p_value_min >= alpha:
        return "change within noise"
    return "depends on assumptions"


def findings_summary(findings: pd.DataFrame, pipeline: pd.DataFrame | None = None) -> str:
    """The findings table in a paragraph: verdicts, what they rest on, the changes, the self-checks.

    Examples
    --------
    >>> from supportstats import change_evidence
    >>> t = assemble_findings(rows=change_evidence(["benchmark_2022.nps_tracking"], notebook="02"), out=False)
    >>> print(findings_summary(t)[:60])
    **Verdict.** 52 registered claims: 1 significant change, 36 
    """
    counts = findings["verdict"].value_counts()
    order = [v for v in VERDICTS if v in counts.index]
    evidence = findings["evidence"].value_counts()
    changes = findings[findings["family"].notna()]
    text = (f"**Verdict.** {len(findings)} registered claims: "
            + ", ".join(f"{counts[v]} {v}" for v in order) + ". They rest on "
            + ", ".join(f"{evidence[e]} on {e}" for e in EVIDENCE if e in evidence.index and e != "none")
            + (f" ({evidence['none']} on nothing testable)" if "none" in evidence.index else "")
            + "; none on the synthetic reconstruction.")
    if len(changes):
        by = changes["verdict"].value_counts()
        text += (f" Of the {len(changes)} tests of a change (adjusted within each report at both ends of their "
                 f"assumption ranges): " + ", ".join(f"{by[v]} {v}" for v in VERDICTS if v in by.index) + ".")
    if pipeline is not None and len(pipeline):
        passed = int(pipeline["passed"].astype(bool).sum())
        text += (f" Separately, the pipeline recovers {passed} of {len(pipeline)} figures from the synthetic "
                 f"reconstruction it was built on (a self-check of the code, not evidence).")
    return text


def adjust_families(table: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Holm and BH within each family, at both ends of the assumption range; verdicts from them.

    A family is one report's distinct tests about the report (rows of kind ``change`` with
    a p-value and a verdict other than ``inconsistent``; one test per claim). ``p_holm``/``p_bh`` adjust the least favourable
    p-values, ``p_holm_min``/``p_bh_min`` the most favourable; each change's verdict is
    :func:`change_verdict` of the Holm-adjusted pair.

    Examples
    --------
    >>> t = pd.DataFrame({"kind": ["change"] * 2, "report": ["r"] * 2, "p_value": [0.01, 0.04],
    ...                   "p_value_min": [0.001, 0.0], "verdict": ["", ""]})
    >>> adjust_families(t)[["family", "p_holm", "p_holm_min", "verdict"]]
      family  p_holm  p_holm_min                 verdict
    0      r    0.02       0.000      significant change
    1      r    0.04       0.000      significant change
    """
    out = table.copy()
    for col in ("p_holm", "p_holm_min", "p_bh", "p_bh_min"):
        out[col] = np.nan
    out["family"] = pd.Series(np.nan, index=out.index, dtype=object)
    tested = (out["kind"] == "change") & out["p_value"].notna() & (out["verdict"] != "inconsistent")
    out.loc[tested, "family"] = out.loc[tested, "report"]
    for _, idx in out[tested].groupby("family").groups.items():
        for col, method in (("p_holm", "holm"), ("p_bh", "bh")):
            for src, dst in (("p_value", col), ("p_value_min", f"{col}_min")):
                out.loc[idx, dst] = adjust_rows(out.loc[idx, src].to_numpy(float), method)[0]
    for i in out.index[tested]:
        out.at[i, "verdict"] = change_verdict(out.at[i, "p_holm"], out.at[i, "p_holm_min"], alpha)
    return out


def record_findings(rows: pd.DataFrame, notebook: str, folder=None) -> Path:
    """Save one notebook's findings rows (sorted, atomically) for ``99_findings`` to gather.

    Returns the path written: ``<folder>/<notebook>.csv`` (default ``data/processed/findings/``).

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> row = finding_row("trends_2022.trend_count", notebook="demo", kind="count",
    ...                   verdict="untestable", detail="Describes the report, not a survey estimate.")
    >>> record_findings(pd.DataFrame([row]), "demo", folder=folder).name
    'demo.csv'
    >>> load_findings(folder)[["claim_id", "verdict"]]
                      claim_id     verdict
    0  trends_2022.trend_count  untestable
    """
    folder = Path(folder) if folder is not None else FINDINGS_DIR
    rows = pd.DataFrame(rows)
    unknown = set(rows.columns) - set(FINDING_COLUMNS)
    if unknown:
        raise KeyError(f"record_findings: rows carry unknown column(s) {sorted(unknown)}")
    out = rows.reindex(columns=FINDING_COLUMNS).assign(notebook=notebook)
    twice = out.duplicated(["claim_id", "evidence"])
    if twice.any():
        raise ValueError(f"record_findings: claim(s) recorded twice on the same evidence: {sorted(out.claim_id[twice])}")
    out = out.sort_values(["claim_id", "evidence"], kind="stable")
    return write_csv(out, folder / f"{notebook}.csv", float_format="%.10g")


def read_findings(path) -> pd.DataFrame:
    """Read a findings CSV written by this package, with text columns as text.

    Examples
    --------
    >>> read_findings(paths.DATA_PROCESSED / "findings.csv")[["claim_id", "verdict"]].iloc[0].tolist()
    ['anecdote.cs_ops_savings_potential', 'external']
    """
    return read_csv(path, dtype={c: object for c in _TEXT}, keep_default_na=True)


def load_findings(folder=None) -> pd.DataFrame:
    """Read every notebook's saved findings rows (sorted by notebook, then claim).

    Examples
    --------
    >>> rows = load_findings()
    >>> sorted(rows["notebook"].unique())[:2]
    ['00_data_audit', '01_csat_rise']
    """
    folder = Path(folder) if folder is not None else FINDINGS_DIR
    files = sorted(folder.glob("*.csv"))
    if not files:
        return pd.DataFrame(columns=FINDING_COLUMNS)
    frames = [read_findings(f) for f in files]
    return pd.concat(frames, ignore_index=True).sort_values(["notebook", "claim_id"], kind="stable")


def registry_findings(claim_ids, *, notebook: str, reasons=None, claims=None, checks=None) -> pd.DataFrame:
    """Findings rows for claims whose only evidence is the registry's checks, or nothing.

    - a stated change read against its two published levels (``change_relative``,
      ``change_pp``; e.g. "+14%" on 78 → 89) is ``consistent`` when a reading fits, with the
      check's arithmetic in ``test`` (the change itself is tested once, on its other claim);
    - an ``external`` or ``anecdote`` claim is ``external``, with the checks' arithmetic;
    - a stated sample size is ``untestable``: it is the n every margin of that edition uses;
    - anything else is ``untestable``, with ``reasons[claim_id]`` (or the checks' words).

    A registry check that finds a claim ``inconsistent`` overrides all of these when the
    table is assembled.

    Examples
    --------
    >>> rows = registry_findings(["benchmark_2022.csat_change_rel", "benchmark_2022.n_respondents"], notebook="01")
    >>> rows[["claim_id", "kind", "verdict"]]
                             claim_id     kind     verdict
    0  benchmark_2022.csat_change_rel  reading  consistent
    1    benchmark_2022.n_respondents    count  untestable
    """
    if claims is None:
        from .claims import load_claims
        claims = load_claims()
    if checks is None:
        from .claim_checks import check_claims
        checks = check_claims(claims)
    claims = claims.set_index("claim_id")
    reasons = dict(reasons or {})
    said = checks.groupby("claim_id")["detail"].agg("; ".join)
    rows = []
    for cid in claim_ids:
        c = claims.loc[cid]
        arithmetic = said.get(cid, "")
        reg = registry_fields(c)
        if cid in reasons:
            kind = "external" if c["survey"] in ("external", "anecdote") else (
                "ratio" if c["statistic"] == "ratio" else "untestable")
            verdict = "external" if kind == "external" else "untestable"
            rows.append(finding_row(cid, **reg, notebook=notebook, kind=kind, verdict=verdict, evidence="none",
                                    detail=reasons[cid]))
        elif c["survey"] in ("external", "anecdote"):
            rows.append(finding_row(cid, **reg, notebook=notebook, kind="external", verdict="external",
                                    evidence="registry checks" if arithmetic else "none",
                                    detail=("A figure the article attributes to others or tells as an anecdote; "
                                            "no respondent data can test it." + (f" Its arithmetic: {arithmetic}."
                                                                                  if arithmetic else ""))))
        elif c["statistic"] in ("change_relative", "change_pp") and arithmetic:
            rows.append(finding_row(cid, **reg, notebook=notebook, kind="reading", verdict="consistent",
                                    evidence="registry checks", test=arithmetic))
        elif c["statistic"] == "count" and not pd.isna(c["n"]):
            lo, hi = int(c["n_low"]), int(c["n_high"])
            rows.append(finding_row(cid, **reg, notebook=notebook, kind="count", verdict="untestable", evidence="none",
                                    n=float(c["n"]), n_low=lo, n_high=hi, detail=(
                                        f"The sample size the article states; every margin of error and test of "
                                        f"this edition uses the range its wording allows, {lo:,}–{hi:,}.")))
        elif c["statistic"] == "change_unspecified":
            rows.append(finding_row(cid, **reg, notebook=notebook, kind="wording", verdict="untestable", evidence="none",
                                    detail=("Neither edition's level is published, so the change cannot be tested, "
                                            "however it is read." + (f" Readings: {arithmetic}." if arithmetic else ""))))
        else:
            rows.append(finding_row(cid, **reg, notebook=notebook, kind="untestable", verdict="untestable", evidence="none",
                                    detail=_UNCOVERED.get(c["statistic"], "Nothing published tests this claim.")
                                    + (f" Registry checks: {arithmetic}." if arithmetic else "")))
    return pd.DataFrame(rows)


#: What a row's reason says when no notebook covered the claim, by the registry's statistic.
_UNCOVERED = {
    "count": "A count that describes the report or who was surveyed, not a survey estimate; nothing published tests it.",
    "duration": "A duration the article mentions, not a survey estimate with a sample size; nothing published tests it.",
    "ratio": "A ratio without the shares or sample size behind it; nothing published tests it.",
}
# evidence ranks: a real export outranks the published aggregates, which outrank a reason alone
_RANK = {"real export": 0, "published aggregates": 1, "registry checks": 2, "none": 3}


def assemble_findings(claims=None, rows=None, checks=None, *, alpha: float = 0.05, out=None) -> pd.DataFrame:
    """Build the findings table: every registered claim, exactly once, with its verdict.

    - a claim covered by notebooks keeps its strongest row (real export over published
      aggregates over a reason alone; then the first notebook in name order);
    - claims of the ``external`` and ``anecdote`` surveys are ``external``;
    - a claim a registry check (:func:`supportstats.check_claims`) finds ``inconsistent``
      is ``inconsistent``, with the check's detail — the run goes on;
    - every other uncovered claim is ``untestable``, with the reason;
    - p-values are adjusted within each report (:func:`adjust_families`), verdicts follow
      from the adjusted p-values, and ``detail`` starts with :func:`describe` of the row.

    Returns
    -------
    DataFrame
        :data:`FINDING_COLUMNS`, one row per claim, validated by :data:`FINDINGS_SCHEMA`;
        written to ``out`` (default ``data/processed/findings.csv``) unless ``out`` is False.

    Examples
    --------
    >>> from supportstats import change_evidence, level_evidence
    >>> rows = pd.concat([level_evidence(["trends_2022.team_burnout"], notebook="03_burnout"),
    ...                   change_evidence(["benchmark_2022.nps_mean", "benchmark_2022.nps_tracking"],
    ...                                   notebook="02_iqs_and_nps")])
    >>> table = assemble_findings(rows=rows, out=False)
    >>> len(table), table["claim_id"].is_unique
    (52, True)
    >>> table.set_index("claim_id").loc["benchmark_2022.nps_mean", ["p_holm", "p_holm_min", "verdict"]]
    p_holm                          0.69
    p_holm_min                       0.0
    verdict       depends on assumptions
    Name: benchmark_2022.nps_mean, dtype: object
    >>> table.set_index("claim_id").loc["external.forrester_time_valued", "verdict"]
    'external'
    """
    if claims is None:
        from .claims import load_claims
        claims = load_claims()
    if rows is None:
        rows = load_findings()
    if checks is None:
        from .claim_checks import check_claims
        checks = check_claims(claims)
    rows = pd.DataFrame(rows).reindex(columns=FINDING_COLUMNS)
    rows = (rows.assign(_rank=rows["evidence"].map(_RANK).fillna(3))
            .sort_values(["_rank", "notebook", "claim_id"], kind="stable", na_position="last")
            .drop_duplicates("claim_id", keep="first").drop(columns="_rank").set_index("claim_id"))
    bad = checks[checks["status"] == "inconsistent"].groupby("claim_id")["detail"].agg("; ".join)

    records = []
    for _, c in claims.sort_values("claim_id").iterrows():
        cid = c["claim_id"]
        if cid in rows.index:
            rec = rows.loc[cid].to_dict()
        elif c["survey"] in ("external", "anecdote"):
            rec = finding_row(cid, notebook="", kind="external", verdict="external", evidence="none",
                              detail=("A number the article attributes to others or tells as an anecdote; "
                                      "no respondent data can test it."))
        else:
            rec = finding_row(cid, notebook="", kind="untestable", verdict="untestable", evidence="none",
                              detail=_UNCOVERED.get(c["statistic"], "No published figure or data tests this claim."))
        rec["claim_id"] = cid
        rec["survey"], rec["report"], rec["metric"] = c["survey"], c["report"], c["metric"]
        rec["measure"], rec["published"], rec["published_high"] = c["statistic"], c["value"], c["value_high"]
        rec["bound"], rec["unit"] = c["bound"], c["unit"]
        if pd.isna(rec.get("evidence")) or rec.get("evidence") == "":
            rec["evidence"] = "none"
        if pd.isna(rec.get("alpha")) and rec.get("kind") == "change":
            rec["alpha"] = alpha
        if cid in bad.index:
            rec["verdict"], rec["evidence"] = "inconsistent", "registry checks"
            rec["detail"] = f"Registry check: {bad[cid]}."
        records.append(rec)
    table = pd.DataFrame(records, columns=FINDING_COLUMNS)
    table[_TEXT] = table[_TEXT].astype(object)
    table = adjust_families(table, alpha)
    table["alpha"] = table["alpha"].where(table["family"].isna(), alpha)
    table["detail"] = [_with_sentence(r) for r in table.to_dict("records")]
    table = FINDINGS_SCHEMA.validate(table)
    if out is not False:
        path = Path(out) if out is not None else paths.DATA_PROCESSED / "findings.csv"
        write_csv(table, path, float_format="%.10g")
    return table


def _with_sentence(rec: dict) -> str:
    sentence = describe(rec)
    reason = rec.get("detail") if isinstance(rec.get("detail"), str) else ""
    if not sentence:
        return reason
    return sentence if not reason or reason.startswith(sentence) else f"{sentence} {reason}"


def check_findings(table: pd.DataFrame, alpha: float | None = None) -> list[str]:
    """Every way a findings table disagrees with itself; an empty list when it does not.

    Rechecks the schema, that Holm/BH recompute from the table's own p-values and
    families, that each change's verdict follows from its adjusted p-values, and that
    each ``detail`` starts with the sentence :func:`describe` computes from the row.

    Examples
    --------
    >>> from supportstats import change_evidence
    >>> rows = change_evidence(["benchmark_2022.nps_mean", "benchmark_2022.nps_tracking"], notebook="02")
    >>> table = assemble_findings(rows=rows, out=False)
    >>> check_findings(table)
    []
    >>> broken = table.copy()
    >>> i = broken.index[broken.verdict == "significant change"][0]
    >>> broken.loc[i, "verdict"] = "change within noise"
    >>> check_findings(broken)[0].split(":")[0]
    'benchmark_2022.nps_tracking'
    """
    problems = []
    try:
        FINDINGS_SCHEMA.validate(table, lazy=True)
    except pa.errors.SchemaErrors as exc:
        problems.append(f"schema: {exc.failure_cases[['column', 'check']].drop_duplicates().to_dict('records')}")
        return problems
    for _, row in table.iterrows():
        cid = row["claim_id"]
        if row["kind"] == "change" and pd.notna(row["p_holm"]):
            a = alpha if alpha is not None else row["alpha"]
            want = change_verdict(row["p_holm"], row["p_holm_min"], a)
            if row["verdict"] != want:
                problems.append(f"{cid}: verdict {row['verdict']!r} but its adjusted p-values give {want!r}")
        sentence = describe(row.to_dict())
        if sentence and not str(row["detail"]).startswith(sentence):
            problems.append(f"{cid}: detail does not state the row's own verdict ({sentence[:60]}...)")
    again = adjust_families(table, float(table["alpha"].dropna().iloc[0]) if table["alpha"].notna().any() else 0.05)
    for col in ("p_holm", "p_holm_min", "p_bh", "p_bh_min"):
        a, b = table[col].to_numpy(float), again[col].to_numpy(float)
        if not np.allclose(a, b, equal_nan=True, rtol=1e-9, atol=1e-12):
            problems.append(f"{col}: does not recompute from p_value/p_value_min within the families")
    return problems
