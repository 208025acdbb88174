"""The test suite (pytest, doctests, nbval) never writes into the checkout.

Before any test or kernel starts, ``SUPPORTSTATS_OUTPUT_ROOT`` points at a temporary copy
of the committed outputs the notebooks read (``data/processed/``, ``figures/``), so nbval's
kernels (which inherit the environment) write their figures and findings there, and the
library's write guard (``supportstats.outputs.check_write``) refuses any write elsewhere in the
project. At the end of the session the controller checks that no tracked file was
rewritten (same bytes *and* same modification time as before the session) and that no new
file appeared outside what git ignores.

Warm kernels' zygotes go to a folder of the session's own (``SUPPORTSTATS_KERNELS_DIR``,
unless the caller set one), stay for the whole session and are stopped at its end.
"""
import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
_OUTPUT_ROOT = "SUPPORTSTATS_OUTPUT_ROOT"
_KERNELS_DIR = "SUPPORTSTATS_KERNELS_DIR"
_LINGER = "SUPPORTSTATS_KERNELS_LINGER"


def tracked_state(root=ROOT) -> dict:
    """``{path: (sha256, mtime_ns)}`` of every file git tracks in ``root`` (empty without git)."""
    try:
        names = subprocess.run(["git", "ls-files", "-z"], cwd=root, capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return {}
    state = {}
    for name in filter(None, names.decode().split("\0")):
        path = root / name
        if path.is_file():
            state[name] = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
    return state


def untracked(root=ROOT) -> set:
    """Files git neither tracks nor ignores (empty without git)."""
    try:
        names = subprocess.run(["git", "ls-files", "-z", "--others", "--exclude-standard"], cwd=root,
                               capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return set()
    return set(filter(None, names.decode().split("\0")))


def pytest_configure(config):
    if os.environ.get(_OUTPUT_ROOT) and not hasattr(config, "workerinput"):
        return  # the caller chose where the outputs go
    if not hasattr(config, "workerinput"):
        config._supportstats_tracked = tracked_state()
        config._supportstats_untracked = untracked()
    scratch = Path(tempfile.mkdtemp(prefix="supportstats-test-outputs-"))
    for rel in ("data/processed", "figures"):
        if (ROOT / rel).is_dir():
            shutil.copytree(ROOT / rel, scratch / rel)
    os.environ[_OUTPUT_ROOT] = str(scratch)
    config._supportstats_scratch = scratch
    if not hasattr(config, "workerinput") and not os.environ.get(_KERNELS_DIR):
        # The suite's zygotes in a folder of its own (never a user's lingering one), kept for
        # the whole session (a zygote started by one test file serves the next instead of
        # importing the stack again) and stopped when the session ends.
        kernels = Path(tempfile.mkdtemp(prefix="supportstats-test-kernels-"))
        os.environ[_KERNELS_DIR] = str(kernels)
        os.environ.setdefault(_LINGER, "300")
        config._supportstats_kernels = kernels
    # a folder someone else chose (a benchmark, a user): its zygotes go soon after the suite
    os.environ.setdefault(_LINGER, "10")


def _stop_suite_zygotes(config):
    kernels = getattr(config, "_supportstats_kernels", None)
    if kernels is not None:
        from supportstats.kernels.client import stop_zygotes

        stop_zygotes({_KERNELS_DIR: str(kernels)})
        shutil.rmtree(kernels, ignore_errors=True)


def pytest_unconfigure(config):
    _stop_suite_zygotes(config)
    scratch = getattr(config, "_supportstats_scratch", None)
    if scratch is not None:
        shutil.rmtree(scratch, ignore_errors=True)


def pytest_sessionfinish(session, exitstatus):
    before = getattr(session.config, "_supportstats_tracked", None)
    if not before:
        return
    after = tracked_state()
    changed = sorted(name for name, state in before.items() if after.get(name) != state)
    added = sorted(untracked() - getattr(session.config, "_supportstats_untracked", set()))
    lines = []
    if changed:
        lines.append("the tests rewrote tracked file(s): " + ", ".join(changed[:20]))
    if added:
        lines.append("the tests wrote new file(s) into the checkout: " + ", ".join(added[:20]))
    if lines:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        for line in lines:
            if reporter is not None:
                reporter.write_line(line, red=True)
        session.exitstatus = 1
