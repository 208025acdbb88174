"""Run the findings notebooks with papermill, in parallel, and rebuild the HTML report.

``supportstats reproduce`` is a thin wrapper over :func:`reproduce`. The runner

* finds ``notebooks/NN_*.ipynb`` and runs each in a worker process of its own
  (papermill's ``cwd`` is not thread-safe, papermill #473), the ``99_*`` notebooks last
  because they gather what the others wrote;
* checks every ``-p NAME=VALUE`` override (recursively: parameters are data, never code,
  see :mod:`supportstats.params`) before any kernel starts;
* runs one run at a time per checkout (:class:`supportstats.runs.RunLock`), and first
  finishes or clears what a killed run left (:func:`supportstats.runs.recover`);
* lets every kernel write into a staging folder (``runs/.staging-<id>/``, the kernels'
  ``SUPPORTSTATS_OUTPUT_ROOT``), never into the checkout, and lands the run only when
  every notebook has finished:

  - a *plain* run (no ``-p``, no ``--only``, no ``--lang``) whose notebooks all pass moves
    its changed files into place (notebooks, ``figures/``, ``data/processed/``,
    ``reports/``), through a journal, so the committed outputs are exactly what it wrote;
    if a notebook fails, nothing committed changes and the run is kept in ``runs/failed/``;
  - a *what-if* run becomes ``runs/<name>/``: the notebooks it ran, the committed outputs
    of the others, ``findings.csv`` re-assembled by running ``99_*`` there, figures and
    report;
* writes each executed notebook without volatile metadata, so a second run leaves the
  bytes (and ``git status``) unchanged;
* stops cleanly on Ctrl-C (queued notebooks cancelled, kernels stopped, staging removed,
  committed files as they were) and fails a notebook that runs longer than ``timeout``.
"""
from __future__ import annotations

import contextlib
import fnmatch
import os
import re
import shutil
import signal
import sys
import threading
import time
from collections import deque
from pathlib import Path

from . import runs as _runs
from .errors import InputError, SupportstatsError
from .console import Progress, print_summary
from .execute import (DEFAULT_TIMEOUT, KERNEL_NAME, Workers, kernels_preloading, prestart_kernels, release_kernels,
                      start_method, worker_context)
from .outputs import write_if_changed
from .params import notebook_parameters, parse_overrides, plan_parameters
from .plan import RUN_LAST_PREFIX, notebook_needs, run_order
from .stored import strip_volatile
from .paths import FINDINGS_RECORDS, NOTEBOOKS, OUTPUT_ROOT_ENV, PIPELINE_RECORDS, ROOT

__all__ = ["reproduce", "discover_notebooks", "run_order", "notebook_needs", "notebook_parameters",
           "parse_overrides", "strip_volatile", "build_report", "RunInterrupted", "KERNEL_NAME"]

# The HTML report lives in .report; re-exported so ``reproduce.build_report`` keeps working.
from .report import _Renderer, build_report  # noqa: E402
from .report_fonts import write_fonts  # noqa: E402

SUMMARY_COLUMNS = ["notebook", "status", "seconds", "cell", "error", "output"]
_plan_parameters = plan_parameters  # the name the tests and older callers use


class RunInterrupted(SupportstatsError):
    """The run was stopped (Ctrl-C or SIGTERM) and cleaned up; the CLI exits 130."""


# --------------------------------------------------------------------------- discovery

def discover_notebooks(folder=None, only=None) -> list[Path]:
    """Return the numbered notebooks ``NN_*.ipynb`` of ``folder``, sorted by name.

    Parameters
    ----------
    folder : path-like, optional
        Folder to search (default: ``notebooks/``).
    only : str, optional
        Keep the notebooks whose file name or stem matches this glob (``"0[12]_*"``),
        or contains it as a substring (``"burnout"``).

    Returns
    -------
    list of Path

    Raises
    ------
    InputError
        When nothing is found or ``only`` matches nothing.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> for name in ["99_findings.ipynb", "01_csat.ipynb", "scratch.ipynb"]:
    ...     _ = (d / name).write_text("{}")
    >>> [p.name for p in discover_notebooks(d)]
    ['01_csat.ipynb', '99_findings.ipynb']
    >>> [p.name for p in discover_notebooks(d, only="csat")]
    ['01_csat.ipynb']
    """
    folder = Path(NOTEBOOKS if folder is None else folder)
    found = sorted(folder.glob("[0-9][0-9]_*.ipynb"))
    if not found:
        raise InputError("no notebooks to run", file=folder, expected="files named NN_*.ipynb")
    if only:
        found = [p for p in found if _matches(p, only)]
        if not found:
            raise InputError("--only matches no notebook", file=folder, value=only,
                             expected="a glob or substring of a notebook name")
    return found


def _matches(path: Path, only: str) -> bool:
    if any(ch in only for ch in "*?["):
        return fnmatch.fnmatch(path.name, only) or fnmatch.fnmatch(path.stem, only)
    return only in path.name


def _recorded_anyway(staging: Path, path: Path, since: float) -> str:
    """The error for a notebook that says it records no findings and wrote some since ``since``."""
    for folder in (FINDINGS_RECORDS, PIPELINE_RECORDS):
        record = staging / folder.relative_to(ROOT) / f"{path.stem}.csv"
        if record.exists() and record.stat().st_mtime >= since:
            return (f"{path.name} recorded {record.parent.name} rows, but its metadata says "
                    f'"records_findings": false, so {RUN_LAST_PREFIX}_* notebooks did not wait for it; '
                    "remove that key")
    return ""


# ------------------------------------------------------------------------------ runner

def _select(notebooks, only):
    """The notebook folder, every numbered notebook in it, and the selected ones."""
    if notebooks is None or isinstance(notebooks, (str, os.PathLike)) and Path(notebooks).is_dir():
        folder = Path(NOTEBOOKS if notebooks is None else notebooks)
        return folder, discover_notebooks(folder), discover_notebooks(folder, only=only)
    every = [Path(p) for p in ([notebooks] if isinstance(notebooks, (str, os.PathLike)) else notebooks)]
    selected = [p for p in every if not only or _matches(p, only)]
    if not selected:
        raise InputError("no notebooks to run", value=only, expected="a glob or substring of a notebook name")
    folder = selected[0].parent
    return folder, discover_notebooks(folder), selected


_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def reproduce(notebooks=None, jobs=None, only=None, params=None, *, lang=None, name=None, wait=False,
              report=True, progress=True, timeout=DEFAULT_TIMEOUT, root=None, as_frame=True) -> pd.DataFrame | list[dict]:
    """Run the numbered notebooks with papermill in a staging folder, then land the run.

    Overrides are checked against every notebook before any kernel starts. Notebooks run
    in up to ``jobs`` worker processes, ``99_*`` ones after all the others, each kernel
    writing under the run's staging folder. A *plain* run (no ``params``, ``only``,
    ``lang`` or ``name``) then moves its changed files into place, if every notebook
    passed; otherwise nothing committed changes and the run is kept in ``runs/failed/``.
    Any other run is a *what-if* run, saved complete as ``runs/<name>/``. A failed
    notebook's executed copy (with the traceback) is under the run's
    ``reports/failed/<name>.ipynb`` (and ``.html``; ``.log`` holds the kernel's stderr).

    Parameters
    ----------
    notebooks : path-like or list of path-like, optional
        A folder to search for ``NN_*.ipynb`` (default ``notebooks/``) or explicit files.
        The project folder (outputs, ``runs/``, the lock) is the notebook folder's parent.
    jobs : int, optional
        Worker processes (default: ``os.cpu_count()``).
    only : str, optional
        Glob or substring selecting notebooks by name (a what-if run; ``99_*`` notebooks
        not selected run too, to re-assemble the findings).
    params : mapping or list of str, optional
        ``{"alpha": 0.01}`` or ``["alpha=0.01"]``, applied to every notebook that declares
        the name and checked against its default (:func:`supportstats.params.plan_parameters`).
    lang : str, optional
        Shorthand for ``-p lang=<lang>`` on every notebook that declares ``lang``.
    name : str, optional
        Folder name of the what-if run under ``runs/`` (default: a slug of the overrides).
    wait : bool
        Wait for a run already holding the project's lock instead of stopping at once.
    report : bool
        Render notebooks and ``index.html`` under the run's ``reports/``.
    progress : bool
        Show progress (a rich bar on a terminal, plain lines otherwise) and the summary.
    timeout : float, optional
        Seconds one notebook may run; past them its running cell is interrupted and the
        notebook fails naming that cell. ``None``: no limit.
    root : path-like, optional
        The project folder (default: the notebook folder's parent).
    as_frame : bool
        Return the summary as a DataFrame (default), or as a list of one dict per row
        with the same keys (``run_dir`` under each row's ``"run_dir"``): the
        ``supportstats reproduce`` command's way, which never imports pandas (~0.3
        CPU-seconds of the runner's, taken from the notebooks' cores).

    Returns
    -------
    DataFrame
        One row per notebook run, in run order: ``notebook, status`` (``ok``/``failed``),
        ``seconds, cell`` (index of the failing cell in the notebook, counting from 0),
        ``error`` (one line) and ``output`` (where its executed notebook ended up).
        ``attrs["run_dir"]`` is the run's folder (the project for a plain run that landed).

    Raises
    ------
    InputError
        For a bad ``-p``, an ``only`` that matches nothing, or an unreadable parameters cell.
    supportstats.runs.RunBusyError
        When another run holds the lock (and ``wait`` is false).
    RunInterrupted
        On Ctrl-C or SIGTERM, after stopping every worker and kernel and removing the staging folder.

    Examples
    --------
    Overrides are checked before any kernel starts:

    >>> import nbformat, tempfile, pathlib
    >>> cell = nbformat.v4.new_code_cell("alpha = 0.05")
    >>> cell.metadata["tags"] = ["parameters"]
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> nbformat.write(nbformat.v4.new_notebook(cells=[cell]), str(folder / "01_test.ipynb"))
    >>> reproduce(folder, params=["alpha=high"], progress=False)
    Traceback (most recent call last):
    supportstats.errors.InputError: 01_test.ipynb: got 'high'; expected a number like its default 0.05 (wrong type for parameter alpha)
    >>> reproduce(folder, params=["beta=1"], progress=False)
    Traceback (most recent call last):
    supportstats.errors.InputError: got 'beta'; expected one of: alpha (unknown parameter)
    """
    folder, every, selected = _select(notebooks, only)
    root = Path(root) if root is not None else folder.parent
    what_if = bool(params) or only is not None or lang is not None or name is not None or selected != every
    to_run = list(selected)
    if what_if and any(not p.name.startswith(RUN_LAST_PREFIX) for p in selected):
        to_run += [p for p in every if p.name.startswith(RUN_LAST_PREFIX) and p not in to_run]
    plan = plan_parameters(to_run, params or {}, lang=lang)
    if jobs is not None and int(jobs) < 1:
        raise InputError("bad --jobs", value=jobs, expected="a positive number of workers")
    if timeout is not None and not float(timeout) > 0:
        raise InputError("bad --timeout", value=timeout, expected="a positive number of seconds")
    run_name = None
    if what_if:
        run_name = name or _runs.run_slug(only, params, lang)
        if not _NAME.match(run_name) or run_name == "failed":
            raise InputError("bad --name", value=run_name,
                             expected="letters, digits, '.', '_' or '-', not starting with '.', and not 'failed'")
    jobs = int(jobs or os.cpu_count() or 1)

    def waiting(holder):
        if progress:
            print(f"waiting for another reproduce ({holder})", file=sys.stderr, flush=True)

    lock = _runs.RunLock(root, wait=wait, on_wait=waiting).acquire()
    saved_env = os.environ.pop(OUTPUT_ROOT_ENV, None)  # the runner decides where kernels write
    old_term = _raise_on_sigterm()
    staging, landed = None, False
    try:
        for line in _runs.recover(root):
            if progress:
                print(f"recovered: {line}", file=sys.stderr, flush=True)
        # the committed outputs are copied in while the first kernels start (before any gate opens)
        staging = _runs.make_staging(root, notebooks=every if what_if else (), outputs=False)
        started = time.time()  # every output a kernel writes is stamped well after this
        rows = _run_stages(to_run, plan, staging, jobs=jobs, timeout=timeout, report=report, progress=progress,
                           expected=_runs.read_timings(root), before_gates=lambda: _runs.stage_outputs(root, staging),
                           pages_ahead=not what_if)
        _runs.write_timings(root, {r["notebook"]: r["seconds"] for r in rows if r["status"] == "ok"})
        order = {p.stem: i for i, p in enumerate(to_run)}
        summary = sorted(({c: r.get(c) for c in SUMMARY_COLUMNS} for r in rows), key=lambda r: order[r["notebook"]])
        failed = [r["notebook"] for r in summary if r["status"] != "ok"]
        if report:
            names = [p for p in every if (staging / "notebooks" / p.name).exists() or p.stem in failed] if what_if else every
            build_report(names, reports=staging / "reports", figures=staging / "figures",
                         findings=staging / "data" / "processed" / "findings.csv", failed=failed,
                         lang=lang if lang not in (None, "all") else "en")
        run_dir = root if not what_if and not failed else root / "runs" / (run_name or "failed")
        ops = _landing(root, staging, run_dir, started=started, what_if=what_if, report=report, summary=summary,
                       params=params, lang=lang)
        _block_signals(True)
        try:
            _runs.commit(root, ops, cleanup=[staging])
            landed = True
        finally:
            _block_signals(False)
    except KeyboardInterrupt:
        with _no_interrupts():  # a second Ctrl-C must not stop the clean-up
            if staging is not None and not landed:
                shutil.rmtree(staging, ignore_errors=True)
        raise RunInterrupted("interrupted: " + ("the run had already landed" if landed
                                                 else "workers and kernels stopped, committed files as they were")) from None
    finally:
        signal.signal(signal.SIGTERM, old_term) if old_term is not None else None
        if saved_env is not None:
            os.environ[OUTPUT_ROOT_ENV] = saved_env
        if staging is not None and staging.exists() and not landed:
            shutil.rmtree(staging, ignore_errors=True)
        lock.release()
    for row in summary:
        row["output"] = str(_final_output(run_dir, row))
    if progress:
        print_summary(summary)
        if what_if:
            print(f"what-if run saved in {_shown(run_dir, root)}/ (committed files unchanged)", file=sys.stderr)
        elif failed:
            print(f"{len(failed)} notebook(s) failed: committed files unchanged; this run is in "
                  f"{_shown(run_dir, root)}/", file=sys.stderr)
    if not as_frame:
        return [dict(row, run_dir=str(run_dir)) for row in summary]
    import pandas as pd

    frame = pd.DataFrame(summary, columns=SUMMARY_COLUMNS)
    frame["cell"] = frame["cell"].astype("Int64")
    frame.attrs["run_dir"] = str(run_dir)
    return frame


def _shown(path: Path, root: Path) -> str:
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)


def _final_output(run_dir: Path, row: dict) -> Path:
    if row["status"] == "ok":
        return run_dir / "notebooks" / f"{row['notebook']}.ipynb"
    return run_dir / "reports" / "failed" / f"{row['notebook']}.ipynb"


def _raise_on_sigterm():
    """Treat SIGTERM like Ctrl-C, so a terminated run cleans up as an interrupted one does."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def handler(signum, frame):
        raise KeyboardInterrupt

    return signal.signal(signal.SIGTERM, handler)


@contextlib.contextmanager
def _no_interrupts():
    """Ignore Ctrl-C while stopping workers or removing the staging folder."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)


def _block_signals(block: bool) -> None:
    """Hold Ctrl-C and SIGTERM while the journal's moves are made (delivered right after)."""
    if threading.current_thread() is threading.main_thread():
        signal.pthread_sigmask(signal.SIG_BLOCK if block else signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})


def _landing(root: Path, staging: Path, run_dir: Path, *, started, what_if, report, summary, params, lang) -> list:
    """The journal's operations that land this run.

    A plain run lands its changed files and removes the committed outputs it did not write:
    the committed outputs are exactly what a plain run writes, so a figure renamed or
    dropped from a notebook leaves no stale copy behind."""
    for sub in (".runtime", ".tmp", ".flags", ".logs"):
        shutil.rmtree(staging / sub, ignore_errors=True)
    if run_dir != root:  # a what-if run, or a plain run with a failure: the whole folder
        import json

        manifest = {"what_if": what_if, "notebooks": [r["notebook"] for r in summary],
                    "status": {r["notebook"]: r["status"] for r in summary},
                    "params": params if isinstance(params, dict) else list(params or []), "lang": lang}
        (staging / "run.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False, default=str) + "\n")
        return [("swap", staging, run_dir)]
    ops = [("move", s, d) for s, d in _runs.changed_files(staging / "notebooks", root / "notebooks", pattern="*.ipynb")]
    for rel in ("figures", "data/processed"):
        ops += [("move", s, d) for s, d in _runs.changed_files(staging / rel, root / rel)]
        ops += [("delete", s, d) for s, d in _runs.stale_files(staging / rel, root / rel, since=started)]
    if report:
        ops.append(("swap", staging / "reports", root / "reports"))
    return ops


#: Notebooks made ready ahead of a free core (see ``_run_stages``).
AHEAD = 1


def _run_stages(to_run, plan, staging: Path, *, jobs, timeout, report, progress, expected=None,
                before_gates=None, pages_ahead=False) -> list[dict]:
    """Run every stage in worker processes; write results into the staging folder.

    ``expected``: seconds by notebook name from the last run, for :func:`run_order` to plan
    the start order with.
    ``before_gates``: called once the first workers are starting their kernels, before any
    notebook runs a cell.
    ``pages_ahead``: the notebooks as they are will come back byte for byte (a plain run):
    while the zygote imports the stack and no kernel can start, the runner's idle core
    renders their report pages; a notebook that comes back different gets its page again.
    """
    # the zygote imports the stack while this process imports papermill (and rich, to ask the
    # terminal) and forks its workers: every kernel waits for it, so it starts first
    prestarted = prestart_kernels(staging)
    live = progress and Progress.is_live()
    method = start_method(live)
    needs, since = notebook_needs(to_run), time.time()
    stages = run_order(to_run, expected, jobs=jobs, needs=needs)
    # those a 99 notebook does not wait for (none when no 99 notebook runs: nothing can miss them)
    waited = frozenset().union(*needs.values())
    last = [p for p in to_run if p.name.startswith(RUN_LAST_PREFIX)]
    says_none = {p for p in to_run if p not in last and p not in waited} if last else set()
    workers = Workers(worker_context(method))
    renderer = _Renderer() if report else None
    results: dict[Path, dict] = {}
    rows, bar = [], Progress(len(to_run), progress)

    def task(p):
        return {"path": str(p), "params": plan[p], "cwd": str(staging / "notebooks"), "staging": str(staging),
                "timeout": timeout, "runner_pid": os.getpid(), "forked": method == "fork"}

    queues = [deque(stage) for stage in stages]

    def schedule(ahead=AHEAD, open_gates=True):
        # one notebook more than there are cores gets ready (kernel up, parameters in) while
        # the others run, and goes through its gate the moment a core is free; a later
        # stage's only once its own stage has nothing left to start, and through its gate
        # only when every notebook it needs (notebook_needs) has ended
        for queue in queues:
            while queue and len(workers) < jobs + ahead:
                p = queue.popleft()
                workers.start(p, task(p), gated=True)
            if queue:
                break
        for p in list(workers.gates) if open_gates else ():
            if workers.executing < jobs and needs[p] <= results.keys():
                workers.open(p)

    pages = [] if renderer is not None else None
    try:
        # the first kernels start while the runner finishes setting up (nothing runs before
        # their gates open); the notebook ahead waits, so as not to slow their start
        schedule(ahead=0, open_gates=False)
        if before_gates is not None:
            before_gates()
        # the pages in run order, then (None) the report's fonts for their characters
        ahead = [*(p for stage in stages for p in stage), None] if pages_ahead and renderer is not None and prestarted \
            else []
        while len(results) < len(to_run):
            schedule()
            while ahead and kernels_preloading():
                _work_ahead(ahead.pop(0), staging, renderer)
            if not any(queues) and not workers.gates:
                # every notebook has its core: what the runner still has to do is done while
                # the last ones run (a core falls idle), never in a notebook's way
                _render(pages, renderer)
            done = workers.wait()
            for path, res in done:
                if res["status"] == "ok" and path in says_none:
                    if error := _recorded_anyway(staging, path, since):
                        res.update(status="failed", error=error)
                results[path] = res
            schedule()  # before the results are stored: a core never waits for the runner
            for path, res in done:
                res["output"] = str(_store(res, path, staging, pages))
                rows.append(res)
                bar.update(res)
        _render(pages, renderer)
    finally:
        with _no_interrupts():
            workers.stop()
            bar.close()
            if prestarted:
                release_kernels()
    return rows


def _work_ahead(path: Path | None, staging: Path, renderer) -> None:
    """One piece of the report made while the zygote imports the stack: the page of the
    committed notebook ``path``, or (None) the fonts for the characters of the pages made."""
    pages = staging / "reports" / "notebooks"
    if path is None:
        write_fonts(staging / "reports", [p.read_text(encoding="utf-8") for p in sorted(pages.glob("*.html"))])
    else:
        _render([(pages / f"{path.stem}.html", path.read_text(encoding="utf-8"), path.stem)], renderer)


def _store(res, path: Path, staging: Path, pages: list | None) -> Path:
    """Write one result into the staging folder: the executed notebook, or its failed copy.

    Its report page is appended to ``pages`` as ``(page, text, name)``, for :func:`_render`
    (``pages`` None: no report).
    """
    name = path.stem
    reports, failed_dir = staging / "reports", staging / "reports" / "failed"
    keep: dict[Path, str | None] = {}  # None: written later, or not at all
    page = None
    if res["status"] == "ok":
        target = staging / "notebooks" / path.name
        keep[target] = res["text"]
        page = reports / "notebooks" / f"{name}.html"
    elif res["text"] is None:  # no notebook came back (kernel died, no kernelspec): keep its stderr
        target = failed_dir / f"{name}.log"
        keep[target] = res.get("log") or res["error"] + "\n"
    else:
        target = failed_dir / f"{name}.ipynb"
        keep[target] = res["text"]
        page = failed_dir / f"{name}.html"
        if res.get("log"):
            keep[failed_dir / f"{name}.log"] = res["log"]
    if page is not None and pages is not None:
        keep[page] = None
        pages.append((page, res["text"], name))
    for file, text in keep.items():
        if text is not None:
            write_if_changed(file, text)
    for ext in (".ipynb", ".html", ".log"):  # a failure fixed since, or a different failure
        stale = failed_dir / f"{name}{ext}"
        if stale not in keep:
            stale.unlink(missing_ok=True)
    return target


def _render(pages: list | None, renderer) -> None:
    """Write the report pages in ``pages`` (emptied) that are not already up to date (None: no report)."""
    while pages:
        page, text, name = pages.pop(0)
        html = renderer.page(page, text, name)
        if html is not None:
            write_if_changed(page, html)
