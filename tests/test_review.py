"""`make review`: a run's notebooks against the committed ones, in a throwaway git project.

The project here is built by the test (two committed notebooks, a claims registry); the
checkout's own files are never read or written. One test runs real kernels on the runner's
tiny fixture notebooks (tests/data/notebooks/) to check that the fresh run leaves the
committed notebooks alone.
"""
import io
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

from supportstats import paths
from supportstats.review import failed_notebooks, fresh_run, main, review_notebooks

FIXTURES = Path(__file__).parent / "data" / "notebooks"


def nb_with(value, claim="trends_2022.team_burnout"):
    cell = nbformat.v4.new_code_cell(f'show("{claim}")', id="c1", execution_count=1)
    cell.outputs = [nbformat.v4.new_output("stream", text=f"{claim} {value}\n")]
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# t", id="c0"), cell])


def git(root, *args):
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


def snapshot(root: Path):
    """Every file a reviewer could see change (git-ignored run machinery left out)."""
    ignored = {".supportstats-reproduce.lock"}
    return {p: p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".git" not in p.parts and "runs" not in p.relative_to(root).parts[:1]
            and p.name not in ignored}


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = tmp_path / "project"
    (root / "notebooks").mkdir(parents=True)
    (root / "data" / "raw").mkdir(parents=True)
    (root / "data" / "raw" / "published_claims.csv").write_text(
        "claim_id,value\ntrends_2022.team_burnout,64\ncs_ops_2023.morale_decline,74\n")
    nbformat.write(nb_with(64.0), root / "notebooks" / "03_burnout.ipynb")
    nbformat.write(nb_with(74.0, "cs_ops_2023.morale_decline"), root / "notebooks" / "04_morale.ipynb")
    git(tmp_path, "init", "-q", str(root))
    git(root, "config", "user.email", "t@example.com")
    git(root, "config", "user.name", "t")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "committed outputs")
    monkeypatch.setattr(paths, "ROOT", root)
    monkeypatch.setenv(paths.OUTPUT_ROOT_ENV, str(root))  # this throwaway project is where review writes
    return root


def test_review_of_a_run_folder_in_gits_orientation(project, tmp_path):
    run = tmp_path / "run"
    (run / "notebooks").mkdir(parents=True)
    nbformat.write(nb_with(46.0), run / "notebooks" / "03_burnout.ipynb")
    shutil.copy(project / "notebooks" / "04_morale.ipynb", run / "notebooks")
    before = snapshot(project)
    out = io.StringIO()
    summary = review_notebooks(run, "HEAD", stream=out)
    assert summary[["notebook", "status", "cells", "claims"]].values.tolist() == [
        ["03_burnout", "changed", 1, "trends_2022.team_burnout"], ["04_morale", "unchanged", 0, ""]]
    text = out.getvalue().splitlines()
    assert text[:3] == ["--- HEAD:notebooks/03_burnout.ipynb", f"+++ {run}/notebooks/03_burnout.ipynb",
                        "## cell 1 (code) modified: outputs · claims: trends_2022.team_burnout"]
    assert text.index("-trends_2022.team_burnout 64.0") < text.index("+trends_2022.team_burnout 46.0")
    review = project / "reports" / "review"
    assert sorted(p.name for p in review.glob("*.html")) == ["03_burnout.html", "03_burnout.nbdime.html",
                                                             "index.html"]
    assert (review / "static" / "nbdime.js").is_file()
    index = (review / "index.html").read_text()
    assert "<a href='03_burnout.html'>03_burnout</a>" in index and "trends_2022.team_burnout" in index
    after = snapshot(project)
    assert {p: b for p, b in after.items() if "reports" not in p.parts} == before  # nothing committed touched
    # a second review with nothing changed removes the pages of the first
    summary = review_notebooks(project / "notebooks", "HEAD")
    assert set(summary["status"]) == {"unchanged"} and [p.name for p in review.glob("*.html")] == ["index.html"]


def test_old_side_can_be_a_folder_and_new_notebooks_are_added(project, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(project / "notebooks", run)
    nbformat.write(nb_with(1.0, "cs_ops_2023.morale_decline"), run / "05_new.ipynb")
    summary = review_notebooks(run, str(project / "notebooks"), out=tmp_path / "html")
    assert summary.set_index("notebook")["status"].to_dict() == {
        "03_burnout": "unchanged", "04_morale": "unchanged", "05_new": "added"}
    assert (tmp_path / "html" / "05_new.html").is_file()


def test_failed_notebook_is_reviewed_from_its_executed_copy(project, tmp_path, capsys):
    run = tmp_path / "run"
    shutil.copytree(project / "notebooks", run / "notebooks")
    failed = nb_with(64.0)
    failed.cells[1].outputs = [nbformat.v4.new_output("error", ename="ValueError", evalue="boom", traceback=[])]
    (run / "reports" / "failed").mkdir(parents=True)
    nbformat.write(failed, run / "reports" / "failed" / "03_burnout.ipynb")
    assert list(failed_notebooks(run)) == ["03_burnout"]
    code = main(["--new", str(run), "--no-color"])
    out, err = capsys.readouterr()
    assert code == 1 and err.strip().startswith("error: a notebook failed to run")
    assert re.search(r"^03_burnout +failed +1 +trends_2022.team_burnout$", out, re.M)
    assert "+    ename: ValueError" in out and "-      trends_2022.team_burnout 64.0" in out
    assert "findings: not compared" in out  # this project has no findings table: said, not a crash


def test_bad_old_revision_is_one_line_and_exit_2(project, tmp_path, capsys):
    code = main(["--new", str(project / "notebooks"), "--old", "no-such-branch"])
    _, err = capsys.readouterr()
    assert code == 2 and err.count("\n") == 1 and "no-such-branch" in err


def test_fresh_run_never_writes_committed_notebooks(tmp_path, monkeypatch):
    """Real kernels on the runner's fixtures: 01 runs, 02 fails on purpose, 99 gathers."""
    root = tmp_path / "project"
    shutil.copytree(FIXTURES, root / "notebooks", ignore=shutil.ignore_patterns("conftest.py"))
    (root / "data" / "raw").mkdir(parents=True)
    monkeypatch.setattr(paths, "ROOT", root)
    monkeypatch.setenv(paths.OUTPUT_ROOT_ENV, str(root))  # this throwaway project is where review writes
    before = snapshot(root)
    run, rc = fresh_run("review", root=root, jobs=2)
    assert rc == 1 and list(failed_notebooks(run)) == ["02_fails"]
    assert {p: b for p, b in snapshot(root).items() if run not in p.parents} == before
    executed = nbformat.read(run / "notebooks" / "01_params.ipynb", as_version=4)
    assert executed.cells[2].outputs[0]["text"].startswith("3 1.5 base True [2021, 2022] None")
    summary = review_notebooks(run, str(root / "notebooks"), root=root, claim_ids=[])
    assert summary.set_index("notebook")["status"].to_dict() == {
        "01_params": "changed", "02_fails": "failed", "99_gather": "changed"}


def test_fresh_run_uses_the_runners_named_runs_when_it_has_them(tmp_path, monkeypatch):
    """With `supportstats reproduce --name` (runs/<name>/), the review runs that, in the project."""
    import supportstats.review as review

    calls = []

    def fake_run(cmd, cwd, env, check):
        calls.append((cmd, cwd, env["SUPPORTSTATS_ROOT"]))
        return subprocess.CompletedProcess(cmd, 0)

    monkeypatch.setattr(review, "_runner_takes_name", lambda: True)
    monkeypatch.setattr(review.subprocess, "run", fake_run)
    run, rc = fresh_run("review", root=tmp_path, jobs=2)
    assert (run, rc) == (tmp_path / "runs" / "review", 0)
    (cmd, cwd, root), = calls
    assert cmd[1:] == ["reproduce", "--name", "review", "--jobs", "2"] and Path(cmd[0]).name == "supportstats"
    assert cwd == tmp_path and root == str(tmp_path)
    monkeypatch.setattr(review.subprocess, "run", lambda cmd, **kw: subprocess.CompletedProcess(cmd, 2))
    with pytest.raises(review.SupportstatsError, match="exit 2"):
        fresh_run("review", root=tmp_path)
