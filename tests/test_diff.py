"""`supportstats diff`: crafted findings tables, files, run folders and git revisions.

Every table here is written by the test into a temporary folder; nothing in the checkout
is read except through an explicit path, and nothing is written there.
"""
import csv
import json
import subprocess
from pathlib import Path

import pytest

from supportstats import paths
from supportstats.cli import main
from supportstats.diff import (DIFF_COLUMNS, diff_findings, findings_diff_status, format_findings_diff,
                               read_findings_table)
from supportstats.errors import InputError

CONTRACT = ["claim_id", "survey", "report", "metric", "measure", "notebook", "kind", "published",
            "published_high", "bound", "unit", "evidence", "estimate", "ci_low", "ci_high", "n", "n_low",
            "n_high", "level", "test", "test_statistic", "df", "p_value", "p_value_min", "family", "p_holm",
            "p_holm_min", "p_bh", "p_bh_min", "assumption", "threshold", "verdict", "detail"]
BURNOUT = "trends_2022.team_burnout"


def base_rows():
    """Three claims in the findings contract's layout."""
    burnout = dict.fromkeys(CONTRACT, "")
    burnout.update(claim_id=BURNOUT, survey="trends", notebook="03_burnout", kind="level", published="64",
                   measure="share", unit="percent", estimate="64.003", ci_low="61.263", ci_high="66.655",
                   n="1214", level="0.95", verdict="consistent",
                   detail="64% is within ±2.7 points (95%) if the 1,214 were a simple random sample.")
    nps = dict.fromkeys(CONTRACT, "")
    nps.update(claim_id="benchmark_2022.nps_mean", survey="benchmark", notebook="02_iqs_and_nps",
               kind="change", published="51", measure="mean", unit="points", test="welch t",
               test_statistic="1.74", df="598", p_value="0.147", p_value_min="0.030", family="benchmark",
               p_holm="0.294", p_holm_min="0.060", p_bh="0.147", p_bh_min="0.045", threshold="22.1",
               verdict="depends on assumptions", detail="Significant if SD < 22.1, not above.")
    roar = dict.fromkeys(CONTRACT, "")
    roar.update(claim_id="anecdote.intercom_roar", survey="anecdote", notebook="07_automation_and_roar",
                kind="implied", published="5.5", unit="percent", verdict="external",
                detail="Intercom's own figure.")
    return [burnout, nps, roar]


def write(path: Path, rows, columns=CONTRACT) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    return path


def changed(rows, claim, **cells):
    out = [dict(r) for r in rows]
    for r in out:
        if r["claim_id"] == claim:
            r.update(cells)
    return out


def run(capsys, *args):
    code = main(["diff", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


# ----------------------------------------------------------------------------- claims and cells

def test_verdict_change_names_the_claim_old_and_new_verdict(tmp_path, capsys):
    old = write(tmp_path / "old.csv", base_rows())
    new = write(tmp_path / "new.csv", changed(base_rows(), BURNOUT, published="46", verdict="inconsistent",
                                              detail="46% lies outside 61.3–66.7."))
    code, out, err = run(capsys, old, new)
    assert code == 1 and err == ""
    lines = out.splitlines()
    assert lines[0] == f"--- {old} (3 claims)" and lines[1] == f"+++ {new} (3 claims)"
    header = lines.index(f"{BURNOUT}  [03_burnout]")
    assert lines[header + 1].split() == ["verdict", "consistent", "→", "inconsistent"]  # git's orientation
    assert lines[header + 2].split() == ["published", "64", "→", "46"]
    assert "- 64% is within" in out and "+ 46% lies outside" in out  # long text: - old, + new
    assert "nps_mean" not in out and "intercom_roar" not in out  # unchanged claims stay out
    assert lines[-1] == "1 claim changed (1 verdict), 0 added, 0 removed"
    assert run(capsys, old, new, "--verdicts-only")[0] == 1


def test_p_value_change_only_counts_unless_verdicts_only(tmp_path, capsys):
    old = write(tmp_path / "old.csv", base_rows())
    new = write(tmp_path / "new.csv", changed(base_rows(), "benchmark_2022.nps_mean", p_value="0.160",
                                              p_holm="0.320"))
    code, out, _ = run(capsys, old, new)
    assert code == 1
    assert "p_value  0.147 → 0.16" in out and "p_holm   0.294 → 0.32" in out
    code, out, _ = run(capsys, old, new, "--verdicts-only")
    assert code == 0
    assert "nps_mean" not in out and "2 other changes ignored (--verdicts-only)" in out


def test_identical_tables_and_storage_noise_are_no_change(tmp_path, capsys):
    rows = base_rows()
    old = write(tmp_path / "old.csv", rows)
    noisy = changed(rows, "benchmark_2022.nps_mean", p_value="0.14700000001", df="598.0", p_value_min="0.03")
    new = write(tmp_path / "new.csv", noisy)
    code, out, _ = run(capsys, old, new)
    assert code == 0 and out.splitlines()[-1] == "0 claims changed (0 verdicts), 0 added, 0 removed"
    assert run(capsys, old, old)[0] == 0
    # but a real move at the fourth significant digit is shown with the digits that tell it apart
    moved = write(tmp_path / "moved.csv", changed(rows, "benchmark_2022.nps_mean", p_value="0.14701"))
    code, out, _ = run(capsys, old, moved)
    assert code == 1 and "p_value  0.147 → 0.14701" in out


def test_blank_to_number_and_text_changes(tmp_path):
    rows = base_rows()
    new = changed(rows, BURNOUT, p_value="0.5", bound="approx")
    ch = diff_findings(write(tmp_path / "a.csv", rows), write(tmp_path / "b.csv", new))
    got = {r.column: (r.change, r.old, r.new) for r in ch.itertuples()}
    assert got == {"p_value": ("number", "", "0.5"), "bound": ("text", "", "approx")}
    assert list(ch["column"]) == ["p_value", "bound"]  # contract order: p before the rest
    assert findings_diff_status(ch) == 1 and findings_diff_status(ch, verdicts_only=True) == 0


def test_added_and_removed_claims(tmp_path, capsys):
    rows = base_rows()
    extra = dict(rows[2], claim_id="cs_ops_2023.new_claim", verdict="untestable", notebook="")
    old = write(tmp_path / "old.csv", rows)
    new = write(tmp_path / "new.csv", [rows[0], rows[1], extra])
    code, out, _ = run(capsys, old, new)
    assert code == 1
    assert "- claim anecdote.intercom_roar  [07_automation_and_roar]  external" in out
    assert "+ claim cs_ops_2023.new_claim  [no notebook]  untestable" in out
    assert out.splitlines()[-1] == "0 claims changed (0 verdicts), 1 added, 1 removed"
    # a claim that appears or disappears takes its verdict with it
    assert run(capsys, old, new, "--verdicts-only")[0] == 1


def test_tables_of_two_layouts_compare_on_shared_columns(tmp_path, capsys):
    """Today's table (duplicated `statistic`, `reproduced`) against the contract: no crash."""
    legacy_cols = ["claim_id", "survey", "metric", "statistic", "notebook", "published", "unit", "reproduced",
                   "ci_low", "ci_high", "n", "statistic", "p_value", "verdict", "detail", "p_holm", "p_bh"]
    legacy = tmp_path / "legacy.csv"
    with open(legacy, "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(legacy_cols)
        for r in base_rows():
            w.writerow([r["claim_id"], r["survey"], r["metric"], r["measure"], r["notebook"], r["published"],
                        r["unit"], r["estimate"], r["ci_low"], r["ci_high"], r["n"], r["test_statistic"],
                        r["p_value"], "reproduced" if r["claim_id"] == BURNOUT else r["verdict"], r["detail"],
                        r["p_holm"], r["p_bh"]])
    new = write(tmp_path / "new.csv", base_rows())
    table = read_findings_table(legacy)
    assert "statistic.1" in table.columns  # the duplicate kept apart, as pandas names it
    ch = diff_findings(legacy, new)
    assert set(ch.loc[ch["change"] == "column removed", "column"]) == {"statistic", "statistic.1", "reproduced"}
    assert "estimate" in set(ch.loc[ch["change"] == "column added", "column"])
    cells = ch[ch["change"].isin(["verdict", "number", "text"])]
    assert cells[["claim_id", "column", "old", "new"]].values.tolist() == [
        [BURNOUT, "verdict", "reproduced", "consistent"]]
    code, out, _ = run(capsys, legacy, new)
    assert code == 1 and "columns removed: statistic, reproduced, statistic.1" in out


def test_spreadsheet_escapes_are_read_back(tmp_path):
    rows = base_rows()
    escaped = changed(rows, BURNOUT, detail="'-2.7 points", metric="'=HYPERLINK(1)")
    plain = changed(rows, BURNOUT, detail="-2.7 points", metric="=HYPERLINK(1)")
    t = read_findings_table(write(tmp_path / "e.csv", escaped))
    assert t.set_index("claim_id").loc[BURNOUT, "detail"] == "-2.7 points"
    assert diff_findings(tmp_path / "e.csv", write(tmp_path / "p.csv", plain)).empty
    assert read_findings_table(write(tmp_path / "q.csv", changed(rows, BURNOUT, detail="'quoted'"))) \
        .set_index("claim_id").loc[BURNOUT, "detail"] == "'quoted'"


# ----------------------------------------------------------------------------- formats

def test_markdown_table_for_a_ci_comment(tmp_path, capsys):
    old = write(tmp_path / "old.csv", base_rows())
    rows = changed(base_rows(), BURNOUT, verdict="inconsistent", ci_low="60", detail="x | y", metric="a|b")
    rows = changed(rows, "benchmark_2022.nps_mean", p_value_min="0.041", n="300", notebook="02_iqs|nps")
    new = write(tmp_path / "new.csv", rows)
    code, out, _ = run(capsys, old, new, "--format", "markdown")
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == f"### Findings: `{old}` → `{new}`"
    head = lines.index("| claim | notebook | verdict | published | estimate | interval | p | p Holm | p BH "
                       "| other changes |")
    table = [line for line in lines[head + 2:] if line.startswith("|")]
    assert len(table) == 2 and all(len(line.replace("\\|", "").split("|")) == 12 for line in table)
    nps, burnout = table
    assert "| `benchmark_2022.nps_mean` | 02_iqs\\|nps | depends on assumptions |" in nps  # pipes escaped
    assert "min: 0.03 → 0.041" in nps and nps.endswith("| `notebook`, `n` |")
    assert "consistent → **inconsistent**" in burnout and "low: 61.26 → 60 |" in burnout
    assert burnout.endswith("| `metric`, `detail` |")


def test_json_for_tools(tmp_path, capsys):
    old = write(tmp_path / "old.csv", base_rows())
    new = write(tmp_path / "new.csv", changed(base_rows(), "benchmark_2022.nps_mean", p_value="0.2"))
    code, out, _ = run(capsys, old, new, "--format", "json")
    doc = json.loads(out)
    assert code == 1 and doc["status"] == 1 and doc["verdict_changed"] is False
    assert (doc["n_old"], doc["n_new"]) == (3, 3)
    assert doc["changes"] == [{"claim_id": "benchmark_2022.nps_mean", "notebook": "02_iqs_and_nps",
                               "verdict": "depends on assumptions", "change": "number", "column": "p_value",
                               "old": 0.147, "new": 0.2}]
    code, out, _ = run(capsys, old, new, "--format", "json", "--verdicts-only")
    assert code == 0 and json.loads(out)["changes"] == []


def test_unknown_format_is_a_usage_error(tmp_path, capsys):
    path = write(tmp_path / "a.csv", base_rows())
    code, _, err = run(capsys, path, path, "--format", "html")
    assert code == 2 and "html" in err
    with pytest.raises(InputError, match="unknown format"):
        format_findings_diff(diff_findings(path, path), "html")


def test_diff_columns_are_the_contract():
    assert set(DIFF_COLUMNS) == set(CONTRACT) - {"claim_id"}


# ----------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("make, fragments", [
    (lambda d: d / "missing.csv", ["missing.csv", "not a findings file, run folder or git revision"]),
    (lambda d: _bytes(d / "image.csv", b"\x89PNG\r\n\x1a\n\x00\xff"), ["image.csv", "not UTF-8"]),
    (lambda d: _bytes(d / "empty.csv", b"\n"), ["empty.csv", "empty file"]),
    (lambda d: _bytes(d / "nokey.csv", b"id,verdict\na,consistent\n"), ["column 'claim_id'", "no claim_id"]),
    (lambda d: _bytes(d / "twice.csv", b"claim_id,verdict\na.b,x\na.b,y\n"), ["row 3", "claim listed twice"]),
    (lambda d: _bytes(d / "ragged.csv", b"claim_id,verdict\na.b\n"), ["row 2", "1 fields but the header has 2"]),
    (lambda d: (d / "emptyrun").mkdir() or d / "emptyrun", ["emptyrun", "run folder without a findings table"]),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, make, fragments):
    good = write(tmp_path / "good.csv", base_rows())
    bad = make(tmp_path)
    for args in ([bad, good], [good, bad]):
        code, out, err = run(capsys, *args)
        assert code == 2 and out == ""
        assert err.count("\n") == 1 and err.startswith("error: ") and "Traceback" not in err
        for fragment in fragments:
            assert fragment in err


def _bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# ----------------------------------------------------------------------------- revisions and runs

def git(repo: Path, *args):
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A project with two commits of data/processed/findings.csv; the package's ROOT points at it."""
    root = tmp_path / "project"
    table = root / "data" / "processed" / "findings.csv"
    git(tmp_path, "init", "-q", "-b", "main", str(root))
    git(root, "config", "user.email", "t@example.com")
    git(root, "config", "user.name", "t")
    write(table, base_rows())
    git(root, "add", "-A")
    git(root, "commit", "-qm", "first")
    write(table, changed(base_rows(), BURNOUT, verdict="inconsistent", published="46"))
    git(root, "commit", "-qam", "second")
    git(root, "branch", "before", "HEAD~1")
    monkeypatch.setattr(paths, "ROOT", root)
    monkeypatch.chdir(tmp_path)  # relative paths and revisions must not depend on where we stand
    return root


def test_git_revisions(repo, capsys):
    code, out, _ = run(capsys, "HEAD~1", "HEAD")
    assert code == 1
    assert out.splitlines()[:2] == ["--- HEAD~1:data/processed/findings.csv (3 claims)",
                                    "+++ HEAD:data/processed/findings.csv (3 claims)"]
    assert "verdict    consistent → inconsistent" in out
    assert run(capsys, "before", "main")[1] == out.replace("HEAD~1", "before").replace("HEAD:", "main:")
    assert run(capsys)[0] == 0  # default: HEAD against the working tree, unchanged
    write(repo / "data" / "processed" / "findings.csv",
          changed(base_rows(), BURNOUT, verdict="consistent", published="46"))
    code, out, _ = run(capsys)
    assert code == 1 and out.splitlines()[1] == "+++ data/processed/findings.csv (3 claims)"
    assert "  verdict  inconsistent → consistent" in out
    assert run(capsys, "before")[0] == 1  # one argument: that revision against the working tree
    code, _, err = run(capsys, "HEAD~5")
    assert code == 2 and "HEAD~5" in err and err.count("\n") == 1
    code, _, err = run(capsys, "HEAD:data/raw/nothing.csv", "HEAD")
    assert code == 2 and "not in that revision" in err
    with pytest.raises(InputError, match="not a findings file"):
        read_findings_table("--output=/tmp/x", root=repo)  # never passed to git as an option


def test_run_folders_and_mixes(repo, capsys):
    run_dir = repo / "runs" / "ci"
    write(run_dir / "data" / "processed" / "findings.csv", changed(base_rows(), BURNOUT, verdict="inconsistent",
                                                                    published="46", estimate="63.9"))
    code, out, _ = run(capsys, "HEAD", "runs/ci")  # relative to the project, not the current folder
    assert code == 1
    assert out.splitlines()[1] == "+++ runs/ci/data/processed/findings.csv (3 claims)"
    assert "  estimate  64 → 63.9" in out and "  verdict" not in out
    assert run(capsys, "HEAD", "runs/ci", "--verdicts-only")[0] == 0
    assert run(capsys, "HEAD~1", str(run_dir) + "/", "--verdicts-only")[0] == 1
    flat = repo / "runs" / "flat"
    write(flat / "findings.csv", base_rows())
    assert run(capsys, "HEAD~1", "runs/flat")[0] == 0


def test_diff_reads_without_writing(repo, capsys):
    before = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file()}
    run(capsys, "HEAD~1", "HEAD", "--format", "json")
    after = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file()}
    assert before == after
