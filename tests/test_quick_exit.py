"""supportstats.quick_exit: a process ends without finalization, and nothing a user sees of an exit is lost."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SCRIPT = """
import atexit, logging, pathlib, sys, tempfile, threading, time
from supportstats.quick_exit import exit_now

out = pathlib.Path(sys.argv[1])
atexit.register(lambda: (out / "atexit.txt").write_text("ran"))
threading.Thread(target=lambda: (time.sleep(0.3), (out / "thread.txt").write_text("joined"))).start()
kept = tempfile.TemporaryDirectory(dir=out)  # removed by its weakref finalizer, an atexit function
(pathlib.Path(kept.name) / "x").write_text("x")
handler = logging.FileHandler(out / "log.txt", delay=False)
logging.getLogger("t").addHandler(handler)
logging.getLogger("t").warning("logged")  # logging.shutdown (atexit) flushes and closes it
sys.stdout.write("no newline, still buffered")
class Finalized:
    def __del__(self):
        (out / "finalized.txt").write_text("freed")  # what finalization would do, and exit_now skips
keep = Finalized()
exit_now(CODE)
"""


@pytest.mark.parametrize("code, expected, stderr", [(0, 0, ""), (None, 0, ""), (3, 3, ""), ("a message", 1, "a message\n"),
                                                     (256 + 7, 7, "")])
def test_exit_now_keeps_what_an_exit_shows(tmp_path, code, expected, stderr):
    proc = subprocess.run([sys.executable, "-c", SCRIPT.replace("CODE", repr(code)), str(tmp_path)],
                          capture_output=True, text=True, timeout=60)
    assert (proc.returncode, proc.stdout, proc.stderr) == (expected, "no newline, still buffered", stderr)
    files = {p.name: p.read_text() for p in tmp_path.iterdir() if p.is_file()}
    assert files == {"atexit.txt": "ran", "thread.txt": "joined", "log.txt": "logged\n"}  # no "finalized.txt"
    assert [p for p in tmp_path.iterdir() if p.is_dir()] == []  # the temporary folder went


def test_the_command_line_ends_through_it(tmp_path):
    """``supportstats`` (the console script) prints all it has to and exits with its code."""
    exe = Path(sys.executable).with_name("supportstats")
    ok = subprocess.run([str(exe), "claims"], capture_output=True, text=True, timeout=120)
    bad = subprocess.run([str(exe), "reproduce", "--jobs", "0"], capture_output=True, text=True, timeout=120,
                         cwd=tmp_path)
    assert ok.returncode == 0 and ok.stdout.count("\n") > 50, ok.stderr
    assert (bad.returncode, bad.stdout) == (2, "") and bad.stderr.startswith("error: ") and "Traceback" not in bad.stderr
