"""Where a ``supportstats reproduce`` run writes, and how its outputs land.

A run never writes into the checkout while its notebooks execute. It

1. takes the project's lock (:class:`RunLock`): one run at a time per checkout;
2. finishes whatever an earlier, killed run left (:func:`recover`): a journal found on
   disk is rolled forward, stale staging folders and ``.*.tmp`` files are removed;
3. stages (:func:`make_staging`): ``runs/.staging-<id>/`` on the same file system, holding
   a copy of the committed outputs the notebooks read (``data/processed/``, ``figures/``)
   and the report pages; every kernel writes there (``SUPPORTSTATS_OUTPUT_ROOT``);
4. lands (:func:`commit`): the moves are written to a journal first, then made one by one
   with :func:`os.replace`, so a run killed in the middle of them is completed by the next.

A plain run moves its changed files into place; a what-if run renames its staging folder
to ``runs/<name>/``.
"""
from __future__ import annotations

import datetime as _dt
import errno
import fcntl
import filecmp
import json
import os
import re
import shutil
import time
import uuid
from pathlib import Path

from . import paths
from .errors import SupportstatsError

__all__ = ["RunBusyError", "RunLock", "run_slug", "make_staging", "stage_outputs", "changed_files", "commit", "recover",
           "sweep_tmp", "read_timings", "write_timings", "LOCK_NAME", "JOURNAL_NAME", "STAGING_PREFIX"]

LOCK_NAME = ".supportstats-reproduce.lock"
JOURNAL_NAME = ".journal.json"
STAGING_PREFIX = ".staging-"
TRASH_PREFIX = ".trash-"
#: Seconds each notebook took on its last run (``runs/.timings.json``), for the next run's order.
TIMINGS_NAME = ".timings.json"
#: What a run copies into its staging folder: the committed outputs notebooks read, and the report.
STAGED = ("data/processed", "figures", "reports")
#: Where ``.*.tmp`` files of a killed write may be left behind.
SWEPT = ("notebooks", "figures", "data/processed", "reports", "runs")
_TMP = re.compile(r"^\..+\.[A-Za-z0-9_]{6,}\.tmp$")


class RunBusyError(SupportstatsError):
    """Another run holds the project's lock."""


class RunLock:
    """An exclusive lock on the project (``flock`` on ``.supportstats-reproduce.lock`` at its root).

    The kernel releases it when the holder dies, even by SIGKILL, so a killed run never
    leaves a stale lock. The file says who holds it (pid, start time) for the message a
    second run prints.

    Examples
    --------
    >>> import tempfile
    >>> root = tempfile.mkdtemp()
    >>> with RunLock(root):
    ...     RunLock(root).acquire()
    Traceback (most recent call last):
    supportstats.runs.RunBusyError: another reproduce is running (pid ..., started ...); wait for it, or pass --wait
    """

    def __init__(self, root=None, *, wait: bool = False, on_wait=None):
        self.path = Path(root or paths.ROOT) / LOCK_NAME
        self.wait, self.on_wait, self.fd = wait, on_wait, None

    def acquire(self) -> "RunLock":
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                os.close(fd)
                raise
            holder = self.holder()
            if not self.wait:
                os.close(fd)
                raise RunBusyError(f"another reproduce is running ({holder}); wait for it, or pass --wait") from None
            if self.on_wait is not None:
                self.on_wait(holder)
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        started = _dt.datetime.now().astimezone().isoformat(timespec="seconds")
        os.pwrite(fd, json.dumps({"pid": os.getpid(), "started": started}).encode() + b"\n", 0)
        self.fd = fd
        return self

    def holder(self) -> str:
        try:
            info = json.loads(self.path.read_text() or "{}")
            return f"pid {info['pid']}, started {info['started']}"
        except (OSError, ValueError, KeyError):
            return "pid unknown"

    def release(self) -> None:
        if self.fd is not None:
            os.ftruncate(self.fd, 0)
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()


def run_slug(only=None, params=(), lang=None) -> str:
    """A readable folder name for a what-if run, from what it overrides.

    Examples
    --------
    >>> run_slug("01_csat_rise", ["level=0.9", "sd_grid=[5, 10]"])
    '01_csat_rise__level-0.9__sd_grid-5-10'
    >>> run_slug(lang="ja")
    'lang-ja'
    """
    parts = []
    if only:
        parts.append(str(only))
    if isinstance(params, dict):
        params = [f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in params.items()]
    parts.extend(str(p) for p in params or ())
    if lang:
        parts.append(f"lang={lang}")
    words = [re.sub(r"[^A-Za-z0-9_.]+", "-", part.replace("=", "-")).strip("-.") for part in parts]
    slug = "__".join(w for w in words if w) or "run"
    if len(slug) > 80:
        digest = uuid.uuid5(uuid.NAMESPACE_URL, slug).hex[:8]
        slug = slug[:70].rstrip("-_.") + "-" + digest
    return slug


def make_staging(root, *, notebooks=(), outputs=True) -> Path:
    """Create ``runs/.staging-<id>/`` with copies of the staged outputs (and ``notebooks``).

    ``outputs=False`` leaves the copies to :func:`stage_outputs`, which must run before any
    kernel writes there (the runner copies while its first kernels start).
    """
    root = Path(root)
    staging = root / "runs" / f"{STAGING_PREFIX}{uuid.uuid4().hex[:10]}"
    staging.mkdir(parents=True)
    if outputs:
        stage_outputs(root, staging)
    (staging / "notebooks").mkdir()
    for nb in notebooks:
        shutil.copy2(nb, staging / "notebooks" / Path(nb).name)
    for sub in (".runtime", ".tmp", ".logs", ".flags"):
        (staging / sub).mkdir()
    return staging


def stage_outputs(root, staging) -> None:
    """Copy the committed outputs (:data:`STAGED`) into ``staging``, their times kept."""
    for rel in STAGED:
        src = Path(root) / rel
        if src.is_dir():
            shutil.copytree(src, Path(staging) / rel, ignore=_ignore_tmp, copy_function=_copy_keep_mtime)


def _copy_keep_mtime(src, dst) -> None:
    # what stale_files needs (the time), without copy2's permission and xattr calls: 5x faster
    # on a few hundred figures, and a copy only lands when its content changed
    shutil.copyfile(src, dst)
    st = os.stat(src)
    os.utime(dst, ns=(st.st_atime_ns, st.st_mtime_ns))


def _ignore_tmp(folder, names):
    return [n for n in names if _TMP.match(n)]


def changed_files(src_dir, dst_dir, *, pattern="**/*") -> list[tuple[Path, Path]]:
    """Pairs ``(src, dst)`` for files of ``src_dir`` that are new or differ in ``dst_dir``."""
    src_dir, dst_dir = Path(src_dir), Path(dst_dir)
    pairs = []
    for src in sorted(src_dir.glob(pattern)):
        if not src.is_file() or _TMP.match(src.name):
            continue
        dst = dst_dir / src.relative_to(src_dir)
        if not dst.is_file() or not filecmp.cmp(src, dst, shallow=False):
            pairs.append((src, dst))
    return pairs


def stale_files(src_dir, dst_dir, *, since: float) -> list[tuple[Path, Path]]:
    """Pairs ``(src, dst)`` for files of a staged copy ``src_dir`` that no notebook wrote.

    The staging folder starts as a copy of the committed outputs with their times kept; a
    file still older than ``since`` (when the notebooks started) was not written by this run,
    so the committed one is an output nobody makes any more (a renamed or removed figure).
    """
    src_dir, dst_dir = Path(src_dir), Path(dst_dir)
    pairs = []
    for src in sorted(src_dir.rglob("*")):
        if src.is_file() and not _TMP.match(src.name) and src.stat().st_mtime < since:
            pairs.append((src, dst_dir / src.relative_to(src_dir)))
    return pairs


def _journal(root) -> Path:
    return Path(root) / "runs" / JOURNAL_NAME


def commit(root, ops, *, cleanup=()) -> None:
    """Record ``ops`` in the journal, carry them out, then remove ``cleanup`` and the journal.

    ``ops`` are ``("move", src, dst)`` (a file, replaced atomically),
    ``("swap", src, dst)`` (a folder renamed onto ``dst``; an existing ``dst`` goes to the
    trash first) and ``("delete", src, dst)`` (``dst`` removed: an output no notebook writes
    any more; ``src`` is its stale staged copy). Each op is done only while its ``src`` exists, so carrying out the
    journal again after a crash finishes the job without undoing any of it.
    """
    journal = _journal(root)
    ops = [[kind, str(src), str(dst)] for kind, src, dst in ops]
    record = {"pid": os.getpid(), "ops": ops, "cleanup": [str(p) for p in cleanup]}
    tmp = journal.with_name(journal.name + ".new")
    tmp.write_text(json.dumps(record, indent=1))
    os.replace(tmp, journal)  # the commit point: from here on the run is rolled forward
    _fsync_dir(journal.parent)
    _carry_out(root, record)
    journal.unlink()


def _carry_out(root, record) -> None:
    trash = Path(root) / "runs" / f"{TRASH_PREFIX}{os.getpid()}"
    for kind, src, dst in record["ops"]:
        src, dst = Path(src), Path(dst)
        if not os.path.lexists(src):
            continue  # done before the crash
        dst.parent.mkdir(parents=True, exist_ok=True)
        if kind == "move":
            os.replace(src, dst)
        elif kind == "delete":
            dst.unlink(missing_ok=True)
            src.unlink()
        elif kind == "swap":
            if dst.exists():
                trash.mkdir(parents=True, exist_ok=True)
                os.rename(dst, trash / uuid.uuid4().hex[:10])
            os.rename(src, dst)
        else:
            raise ValueError(f"unknown journal op {kind!r}")
    for path in record.get("cleanup", []):
        shutil.rmtree(path, ignore_errors=True)
    shutil.rmtree(trash, ignore_errors=True)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def recover(root) -> list[str]:
    """Finish what a killed run left behind; call it holding the lock. Returns what was done.

    A journal on disk means the run was killed while moving its outputs into place: the
    moves are completed (rolled forward). Staging and trash folders without a journal
    belong to runs killed before that point and are removed, which rolls them back (the
    committed files were never touched). Stale ``.*.tmp`` files are swept.
    """
    root = Path(root)
    done = []
    journal = _journal(root)
    if journal.exists():
        try:
            record = json.loads(journal.read_text())
        except ValueError:  # torn before the commit point: nothing was moved yet
            record = None
        if record is not None:
            _carry_out(root, record)
            done.append(f"completed the moves of an interrupted run (pid {record.get('pid')})")
        journal.unlink()
    journal.with_name(journal.name + ".new").unlink(missing_ok=True)
    runs = root / "runs"
    if runs.is_dir():
        for stale in sorted(list(runs.glob(f"{STAGING_PREFIX}*")) + list(runs.glob(f"{TRASH_PREFIX}*"))):
            shutil.rmtree(stale, ignore_errors=True)
            done.append(f"removed {stale.relative_to(root)}")
    swept = sweep_tmp(root)
    if swept:
        done.append(f"removed {swept} stale temporary file(s)")
    return done


def sweep_tmp(root, *, older_than: float = 60.0) -> int:
    """Remove ``.<name>.<random>.tmp`` files left by killed writes (older than ``older_than`` seconds)."""
    root, now, n = Path(root), time.time(), 0
    for rel in SWEPT:
        folder = root / rel
        if not folder.is_dir():
            continue
        for path in folder.rglob(".*.tmp"):
            try:
                if _TMP.match(path.name) and path.is_file() and now - path.stat().st_mtime > older_than:
                    path.unlink()
                    n += 1
            except OSError:
                pass
    return n


def read_timings(root) -> dict[str, float]:
    """Seconds each notebook's cells took when it last ran here, by notebook name (``{}`` if unknown).

    Only an ordering hint: an unreadable or odd file is ignored.

    Examples
    --------
    >>> import tempfile
    >>> root = tempfile.mkdtemp()
    >>> read_timings(root)
    {}
    >>> write_timings(root, {"02_b": 4.75, "01_a": float("nan")})
    >>> read_timings(root)
    {'02_b': 4.75}
    """
    try:
        data = json.loads((Path(root) / "runs" / TIMINGS_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): float(v) for k, v in data.items()
            if isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0}


def write_timings(root, seconds: dict[str, float]) -> None:
    """Merge ``seconds`` (NaN for a notebook that did not finish: left out) into the timings file."""
    from .outputs import write_if_changed

    merged = read_timings(root)
    merged.update({k: round(float(v), 2) for k, v in seconds.items() if v == v and v >= 0})
    write_if_changed(Path(root) / "runs" / TIMINGS_NAME, json.dumps(merged, indent=1, sort_keys=True) + "\n")
