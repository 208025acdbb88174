"""supportstats.runs: the lock, the journal and the sweep, without kernels."""
import json
import os
import threading
import time

import pytest

from supportstats import runs


def test_lock_refuses_then_waits(tmp_path):
    first = runs.RunLock(tmp_path).acquire()
    with pytest.raises(runs.RunBusyError, match=rf"another reproduce is running \(pid {os.getpid()}, started "):
        runs.RunLock(tmp_path).acquire()
    got = []
    waiter = threading.Thread(target=lambda: got.append(runs.RunLock(tmp_path, wait=True, on_wait=got.append).acquire()))
    waiter.start()
    time.sleep(0.5)
    assert len(got) == 1 and got[0].startswith("pid")  # told why it waits, still waiting
    first.release()
    waiter.join(10)
    assert len(got) == 2
    got[1].release()


def test_commit_then_recover_is_idempotent(tmp_path):
    staging = tmp_path / "runs" / ".staging-x"
    (staging / "figures").mkdir(parents=True)
    (staging / "figures" / "a.png").write_text("new")
    (staging / "reports").mkdir()
    (staging / "reports" / "index.html").write_text("new report")
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "old.html").write_text("old")
    ops = [("move", staging / "figures" / "a.png", tmp_path / "figures" / "a.png"),
           ("swap", staging / "reports", tmp_path / "reports")]
    runs.commit(tmp_path, ops, cleanup=[staging])
    assert (tmp_path / "figures" / "a.png").read_text() == "new"
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == ["index.html"]
    assert not staging.exists() and not (tmp_path / "runs" / runs.JOURNAL_NAME).exists()
    # the same journal carried out again (a crash right after the moves) changes nothing
    journal = tmp_path / "runs" / runs.JOURNAL_NAME
    journal.write_text(json.dumps({"pid": 1, "ops": [[k, str(s), str(d)] for k, s, d in ops], "cleanup": []}))
    assert runs.recover(tmp_path)[0].startswith("completed the moves")
    assert (tmp_path / "reports" / "index.html").read_text() == "new report"
    assert [p.name for p in (tmp_path / "runs").iterdir()] == []


def test_sweep_removes_only_old_temporary_files(tmp_path):
    (tmp_path / "figures").mkdir()
    old, new, keep = (tmp_path / "figures" / n for n in (".a.png.x1y2z3.tmp", ".b.png.q1w2e3.tmp", "c.tmp"))
    for p in (old, new, keep):
        p.write_text("x")
    os.utime(old, (time.time() - 3600,) * 2)
    os.utime(keep, (time.time() - 3600,) * 2)
    assert runs.sweep_tmp(tmp_path) == 1
    assert not old.exists() and new.exists() and keep.exists()


def test_slugs_are_folder_names():
    assert runs.run_slug(None, {"titles": {"a": "x/y"}}) == "titles-a-x-y"
    long = runs.run_slug("01", [f"p{i}={i}" for i in range(40)])
    assert len(long) <= 80 and long == runs.run_slug("01", [f"p{i}={i}" for i in range(40)])


def test_run_folders_lock_and_temporary_files_are_git_ignored():
    import subprocess

    from supportstats.paths import ROOT

    if not (ROOT / ".git").exists():
        pytest.skip("needs the git checkout")
    names = ["runs/01_csat_rise__level-0.9/figures/a.png", "runs/.journal.json", runs.LOCK_NAME,
             "figures/.01_csat_rise.png.k2j3h4.tmp", "data/processed/findings/.x.csv.abcdef.tmp"]
    proc = subprocess.run(["git", "check-ignore", *names], cwd=ROOT, capture_output=True, text=True)
    assert proc.stdout.split() == names
