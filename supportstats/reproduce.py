"""Run the findings notebooks with papermill, in parallel, and rebuild the HTML report.

``supportstats reproduce`` is a thin wrapper over :func:`reproduce`. The runner

* finds ``notebooks/NN_*.ipynb`` and runs them in worker processes (papermill's ``cwd``
  is not thread-safe, papermill #473), the ``99_*`` notebooks last because they gather
  what the others wrote;
* validates ``-p NAME=VALUE`` overrides against each notebook's ``parameters`` cell
  before any kernel starts;
* writes each executed notebook back in place with its outputs and without volatile
  metadata, so a second run leaves the bytes (and ``git status``) unchanged;
* never overwrites a committed notebook with a traceback: a failed run is kept under
  ``reports/failed/`` and the other notebooks carry on;
* renders every notebook and an index of findings and figures under ``reports/``.
"""
from __future__ import annotations

import ast
import concurrent.futures as cf
import fnmatch
import hashlib
import html
import multiprocessing
import os
import re
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from .errors import InputError
from .io import atomic_path
from .paths import DATA_PROCESSED, FIGURES, NOTEBOOKS, REPORTS

__all__ = ["reproduce", "discover_notebooks", "run_order", "notebook_parameters",
           "parse_overrides", "strip_volatile", "build_report"]

PARAMETERS_TAG = "parameters"
INJECTED_TAG = "injected-parameters"
ERROR_MARKER_TAG = "papermill-error-cell-tag"
RUN_LAST_PREFIX = "99"
KERNEL_NAME = "supportstats"  # warm kernels (supportstats.kernels); "python3" stays installed
SUMMARY_COLUMNS = ["notebook", "status", "seconds", "cell", "error", "output"]
# Cell metadata that changes on every execution (papermill timings, nbclient timestamps,
# the jupyterlab-execute-time extension); everything else a notebook author set is kept.
_VOLATILE_CELL_KEYS = ("papermill", "execution", "ExecuteTime")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_UMASK = os.umask(0)
os.umask(_UMASK)
_FILE_MODE = 0o666 & ~_UMASK


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


def run_order(paths) -> list[list[Path]]:
    """Split notebooks into stages run one after the other: ``99_*`` after all the rest.

    Notebooks within a stage run in parallel; a stage starts when the previous one has
    finished, because ``99_findings`` gathers the tables the others write.

    Examples
    --------
    >>> [[p.name for p in stage] for stage in run_order(["99_findings.ipynb", "02_b.ipynb", "01_a.ipynb"])]
    [['01_a.ipynb', '02_b.ipynb'], ['99_findings.ipynb']]
    """
    paths = sorted((Path(p) for p in paths), key=lambda p: p.name)
    first = [p for p in paths if not p.name.startswith(RUN_LAST_PREFIX)]
    last = [p for p in paths if p.name.startswith(RUN_LAST_PREFIX)]
    return [stage for stage in (first, last) if stage]


# -------------------------------------------------------------------------- parameters

def _read_notebook(path):
    import nbformat

    try:
        return nbformat.read(str(path), as_version=4)
    except Exception as exc:  # nbformat raises several types for broken JSON
        raise InputError(f"not a readable notebook ({type(exc).__name__})", file=path) from None


def notebook_parameters(path) -> dict[str, object]:
    """Return the names and default values declared in a notebook's ``parameters`` cell.

    The cell (the first one tagged ``parameters``, as papermill uses) must hold literal
    assignments only, ``name = <literal>``: a computed value would not be recomputed
    after papermill injects an override. A notebook without such a cell declares nothing.

    Raises
    ------
    InputError
        When the cell holds anything but literal assignments.

    Examples
    --------
    >>> import nbformat, tempfile, pathlib
    >>> cell = nbformat.v4.new_code_cell("alpha = 0.05  # two-sided\\nwaves = [2021, 2022]")
    >>> cell.metadata["tags"] = ["parameters"]
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "01_x.ipynb"
    >>> nbformat.write(nbformat.v4.new_notebook(cells=[cell]), str(path))
    >>> notebook_parameters(path)
    {'alpha': 0.05, 'waves': [2021, 2022]}
    """
    nb = _read_notebook(path)
    cells = [c for c in nb.cells if PARAMETERS_TAG in c.get("metadata", {}).get("tags", [])]
    if not cells:
        return {}
    try:
        tree = ast.parse(cells[0].source)
    except SyntaxError as exc:
        raise InputError("the parameters cell is not plain Python", file=path, row=exc.lineno,
                         expected="NAME = literal lines") from None
    declared: dict[str, object] = {}
    for node in tree.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # a docstring-like note
        if isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) for t in node.targets):
            names, value = [t.id for t in node.targets], node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            names, value = [node.target.id], node.value
        else:
            raise InputError("the parameters cell may hold only NAME = literal lines", file=path,
                             row=node.lineno, value=ast.unparse(node)[:60])
        try:
            literal = ast.literal_eval(value)
        except ValueError:
            raise InputError("parameters must be literals, not computed", file=path, row=node.lineno,
                             value=ast.unparse(node)[:60], expected="a number, string, bool, None, list or dict") from None
        for name in names:
            declared[name] = literal
    return declared


def _parse_value(text: str):
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return text


def parse_overrides(items) -> dict[str, object]:
    """Parse ``NAME=VALUE`` strings into a dict of Python values.

    A value is read as a Python literal (int, float, bool, None, list, dict, quoted str)
    and falls back to the plain text.

    Raises
    ------
    InputError
        When an item has no ``=`` or its name is not an identifier.

    Examples
    --------
    >>> parse_overrides(["alpha=0.01", "waves=[2021, 2022]", "survey=trends", "weighted=False"])
    {'alpha': 0.01, 'waves': [2021, 2022], 'survey': 'trends', 'weighted': False}
    """
    return {name: value for name, (_, value) in _parse_pairs(items).items()}


def _parse_pairs(items) -> dict[str, tuple[str, object]]:
    pairs: dict[str, tuple[str, object]] = {}
    for item in items or ():
        name, sep, text = str(item).partition("=")
        name = name.strip()
        if not sep or not name.isidentifier():
            raise InputError("bad -p option", value=item, expected="NAME=VALUE with NAME a Python identifier")
        pairs[name] = (text, _parse_value(text))  # the last -p for a name wins
    return pairs


_BOOL_WORDS = {"true": True, "false": False}


def _coerce(name, raw, value, default, path):
    """Return ``value`` converted to the declared literal's type, or raise one line."""
    if default is None:  # a None default declares no type
        return value
    kind = type(default)
    if kind is str and raw is not None:
        return value if isinstance(value, str) else raw  # "-p wave_label=2022" is the text "2022"
    if kind is bool and isinstance(raw, str) and raw.strip().lower() in _BOOL_WORDS:
        return _BOOL_WORDS[raw.strip().lower()]
    if kind is float and type(value) is int:
        return float(value)
    if type(value) is kind:
        return value
    raise InputError(f"wrong type for parameter {name}", file=path.name, value=raw if raw is not None else repr(value),
                     expected=f"{kind.__name__} like its default {default!r}")


def _plan_parameters(paths, overrides) -> dict[Path, dict]:
    """Validate overrides against every selected notebook; return the values per notebook."""
    if isinstance(overrides, Mapping):
        pairs = {str(k): (None, v) for k, v in overrides.items()}
    else:
        pairs = _parse_pairs(overrides)
    declared = {p: notebook_parameters(p) for p in paths}
    unknown = sorted(set(pairs) - {n for d in declared.values() for n in d})
    if unknown:
        known = sorted({n for d in declared.values() for n in d})
        raise InputError("unknown parameter", value=unknown[0],
                         expected=f"one of: {', '.join(known)}" if known else "no -p: the selected notebooks declare no parameters")
    plan = {}
    for path, defaults in declared.items():
        plan[path] = {name: _coerce(name, raw, value, defaults[name], path)
                      for name, (raw, value) in pairs.items() if name in defaults}
    return plan


# ---------------------------------------------------------------------------- cleaning

def strip_volatile(nb):
    """Remove what changes from run to run, in place, and return the notebook.

    Drops papermill's notebook and cell metadata (timings, status, paths; the
    ``parameters`` used are kept when there were any), nbclient's execution timestamps
    and widget state. Gives every cell a stable id when it has none. Outputs,
    ``execution_count``, ``kernelspec`` and ``language_info`` are kept.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")])
    >>> nb.cells[0].metadata["papermill"] = {"duration": 0.5}
    >>> nb.cells[0].metadata["execution"] = {"iopub.status.idle": "2026-01-01T00:00:00Z"}
    >>> nb.metadata["papermill"] = {"duration": 2.0, "parameters": {}}
    >>> nb = strip_volatile(nb)
    >>> dict(nb.cells[0].metadata), "papermill" in nb.metadata
    ({}, False)
    """
    meta = nb.metadata
    params = dict(meta.get("papermill", {}).get("parameters") or {})
    meta.pop("papermill", None)
    meta.pop("widgets", None)
    if params:
        meta["papermill"] = {"parameters": params}
    nb.nbformat, nb.nbformat_minor = 4, max(int(nb.get("nbformat_minor", 5)), 5)
    taken = {c.get("id") for c in nb.cells}
    for index, cell in enumerate(nb.cells):
        for key in _VOLATILE_CELL_KEYS:
            cell.metadata.pop(key, None)
        tags = cell.metadata.get("tags", [])
        if INJECTED_TAG in tags:
            cell["id"] = INJECTED_TAG
        elif ERROR_MARKER_TAG in tags:
            cell["id"] = f"papermill-error-{index}"
        elif not cell.get("id"):
            new, k = f"cell-{index}", index
            while new in taken:
                k += 1000
                new = f"cell-{k}"
            cell["id"] = new
            taken.add(new)
    return nb


def _notebook_text(nb) -> str:
    import nbformat

    text = nbformat.writes(nb)  # indent 1, sorted keys: nbformat's own stable layout
    return text if text.endswith("\n") else text + "\n"


def _write_if_changed(path: Path, text: str) -> bool:
    data = text.encode("utf-8")
    if path.exists() and path.read_bytes() == data:
        return False
    mode = path.stat().st_mode & 0o777 if path.exists() else _FILE_MODE
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
        tmp.chmod(mode)  # keep the file's mode; mkstemp alone would leave 0600
    return True


# ------------------------------------------------------------------------------ worker

def _init_worker():
    """Make the kernel the venv's python and keep its noise out of the terminal."""
    bindir = str(Path(sys.executable).parent)
    os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    # JUPYTER_PATH outranks ~/.local/share/jupyter, so a stray user-level "python3"
    # kernelspec pointing at another interpreter cannot win over the venv's own.
    share = str(Path(sys.prefix) / "share" / "jupyter")
    os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [share, os.environ.get("JUPYTER_PATH")]))
    os.environ.setdefault("PYTHONHASHSEED", "0")  # set and dict-of-str orders repeat in outputs
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # debugpy's frozen-modules warning


def _context():
    """Pick how worker processes start; the worker code is spawn-safe either way.

    A single-threaded parent on Linux forks: workers inherit the modules already
    imported (papermill, pandas), which saves seconds per worker. A threaded parent (a
    Jupyter kernel, a live display) must not fork, so it uses forkserver (one clean
    server imports papermill once) or, where neither exists, spawn.
    ``SUPPORTSTATS_START_METHOD`` forces one (the tests and the benchmark use it).
    """
    methods = multiprocessing.get_all_start_methods()
    method = os.environ.get("SUPPORTSTATS_START_METHOD")
    if method is None:
        if "fork" in methods and sys.platform.startswith("linux") and threading.active_count() == 1:
            method = "fork"
        else:
            method = "forkserver" if "forkserver" in methods else "spawn"
    if method not in methods:
        raise InputError("unknown start method", value=method, expected=f"one of {', '.join(methods)}")
    ctx = multiprocessing.get_context(method)
    if method == "fork":
        import papermill  # noqa: F401  (imported once here, inherited by every worker)
    elif method == "forkserver":
        ctx.set_forkserver_preload(["__main__", "papermill", "supportstats.reproduce"])
    return ctx


def _failing_cell(nb):
    """Index (in the source notebook, injected cells not counted) and one-line error."""
    index = -1
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if INJECTED_TAG in tags or ERROR_MARKER_TAG in tags:
            continue
        index += 1
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                if out.get("ename") == "SystemExit" and str(out.get("evalue", "")) in ("", "0"):
                    continue
                return index, _one_line(f"{out.get('ename')}: {out.get('evalue')}")
    return None, None


def _one_line(text, width=160):
    text = " ".join(_ANSI.sub("", str(text)).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _warm_kernel(cwd: str):
    """Start a kernel and load the package in it, before the notebook may run.

    Used for a later stage (``99_*``) while the last notebooks of the stage before it
    still run: the kernel start and imports overlap their work instead of following it.
    Loading modules has no visible effect on the notebook's outputs. Returns None (the
    notebook then starts its own kernel) if anything goes wrong.
    """
    from jupyter_client.manager import KernelManager

    km = KernelManager(kernel_name=KERNEL_NAME)
    try:
        km.start_kernel(cwd=cwd)
        kc = km.client()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=60)
            kc.execute_interactive("import supportstats; supportstats._load_all()", silent=True,
                                   store_history=False, timeout=120, output_hook=lambda msg: None)
        finally:
            kc.stop_channels()
        return km
    except Exception:  # a warm-up is an optimisation, never a failure
        if km.has_kernel:
            km.shutdown_kernel(now=True)
        return None


def _wait_for(flag: str, limit: float = 3600.0) -> None:
    deadline = time.monotonic() + limit
    while not Path(flag).exists() and time.monotonic() < deadline:
        time.sleep(0.05)


def _execute(path: str, params: dict, cwd: str, timeout, after: str | None = None) -> dict:
    """Run one notebook in this worker; return its status and cleaned JSON text.

    With ``after`` (a flag file), warm a kernel first and start the notebook only once the
    runner has created the flag, i.e. once every notebook of the previous stage finished.
    """
    import nbformat
    import papermill as pm

    km = None
    if after is not None:
        km = _warm_kernel(cwd)
        _wait_for(after)
    started = time.perf_counter()
    result = {"notebook": Path(path).stem, "status": "ok", "cell": None, "error": "", "text": None, "log": ""}
    with tempfile.TemporaryDirectory(prefix="supportstats-run-") as tmpdir:
        out, log = Path(tmpdir) / "out.ipynb", Path(tmpdir) / "kernel.log"
        nb = nbformat.read(path, as_version=4)
        # a stale injected cell from an earlier "-p" run would keep overriding the defaults
        nb.cells = [c for c in nb.cells if INJECTED_TAG not in c.get("metadata", {}).get("tags", [])]
        nb.metadata.pop("papermill", None)  # and so would its recorded parameters
        strip_volatile(nb)  # ids first, so papermill's upgrade does not draw random ones
        sys.stdout.flush(), sys.stderr.flush()
        saved = os.dup(1), os.dup(2)
        with open(log, "wb") as sink:
            os.dup2(sink.fileno(), 1), os.dup2(sink.fileno(), 2)
            try:
                extra = {"km": km} if km is not None else {}
                pm.execute_notebook(nb, str(out), parameters=params or None, kernel_name=KERNEL_NAME,
                                    cwd=cwd, log_output=False, progress_bar=False,
                                    request_save_on_cell_execute=False, execution_timeout=timeout,
                                    **extra)
            except pm.PapermillExecutionError:
                result["status"] = "failed"
            except Exception as exc:  # kernel died, timeout, no such kernel: still one line
                result["status"], result["error"] = "failed", _one_line(f"{type(exc).__name__}: {exc}")
            finally:
                if km is not None and km.has_kernel:  # a kernel we started is ours to stop
                    km.shutdown_kernel(now=True)
                sys.stdout.flush(), sys.stderr.flush()
                os.dup2(saved[0], 1), os.dup2(saved[1], 2)
                os.close(saved[0]), os.close(saved[1])
        if out.exists():
            executed = nbformat.read(str(out), as_version=4)
            if result["status"] == "failed":
                cell, error = _failing_cell(executed)
                result["cell"], result["error"] = cell, error or result["error"]
            result["text"] = _notebook_text(strip_volatile(executed))
        if result["status"] == "failed":
            result["log"] = log.read_text(errors="replace")
    result["seconds"] = time.perf_counter() - started
    return result


# ------------------------------------------------------------------------------ report

class _Renderer:
    """nbconvert's HTMLExporter, loaded only when a page is out of date.

    Each page ends with a hash of the notebook it was made from, so an unchanged notebook
    is not rendered again (and nbconvert not even imported) on the next run.
    """

    def __init__(self):
        self._exporter = None

    def page(self, target: Path, text: str, title: str) -> str | None:
        """The page for ``text``, or None when ``target`` already holds it."""
        stamp = f"<!-- supportstats source sha256 {hashlib.sha256(text.encode()).hexdigest()} -->\n"
        if target.exists() and target.read_text(encoding="utf-8", errors="replace").endswith(stamp):
            return None
        if self._exporter is None:
            import logging

            from nbconvert import HTMLExporter

            quiet = logging.getLogger("supportstats.reproduce.nbconvert")
            quiet.setLevel(logging.ERROR)  # e.g. "Alternative text is missing": noise for a build step
            self._exporter = HTMLExporter(log=quiet)
        import nbformat

        body, _ = self._exporter.from_notebook_node(nbformat.reads(text, as_version=4),
                                                    resources={"metadata": {"name": title}})
        return body + ("" if body.endswith("\n") else "\n") + stamp


def _cell(value: str) -> str:
    """Numbers rounded for reading (the CSV keeps full precision); text as is."""
    try:
        number = float(value)
    except ValueError:
        return value
    if value.strip().lower() in ("nan", "inf", "-inf", ""):
        return value
    return f"{number:,.0f}" if abs(number) >= 1000 else f"{number:.4g}"


def _findings_table(findings: Path) -> str:
    if not findings.exists():
        return "<p>No findings table yet (<code>data/processed/findings.csv</code> is written by 99_findings).</p>"
    table = pd.read_csv(findings, dtype=str, keep_default_na=False)
    cols = [c for c in ["claim_id", "published", "reproduced", "ci_low", "ci_high", "verdict", "data_source",
                        "notebook"] if c in table]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    rows = "\n".join("<tr>" + "".join(f"<td>{html.escape(_cell(str(v)))}</td>" for v in row) + "</tr>"
                     for row in table[cols].itertuples(index=False))
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}\n</tbody>\n</table>"


_STYLE = """body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;font-size:.9rem}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}
figure{display:inline-block;margin:0 1rem 1.5rem 0;max-width:32rem}figure img{max-width:100%}
.failed{color:#b00}"""


def build_report(notebooks=None, *, reports=None, figures=None, findings=None, failed=()) -> Path:
    """Write ``reports/index.html``: findings, figures and links to the rendered notebooks.

    Rendered notebooks themselves are written by :func:`reproduce`
    (``reports/notebooks/<name>.html``); this writes only the index, with no
    timestamps, so an unchanged run gives the same bytes.

    Parameters
    ----------
    notebooks : list of path-like, optional
        Notebooks to link (default: every numbered notebook in ``notebooks/``).
    reports, figures : path-like, optional
        Report and figure folders (default: ``reports/``, ``figures/``).
    findings : path-like, optional
        Findings CSV (default: ``data/processed/findings.csv``); listed when present.
    failed : iterable of str
        Names (stems) of notebooks that failed in this run; linked to their failed copy.

    Returns
    -------
    Path
        The index file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> (d / "figures").mkdir()
    >>> index = build_report([d / "01_a.ipynb"], reports=d / "reports", figures=d / "figures",
    ...                      findings=d / "none.csv")
    >>> index.name, "01_a" in index.read_text()
    ('index.html', True)
    """
    reports = Path(REPORTS if reports is None else reports)
    figures = Path(FIGURES if figures is None else figures)
    findings = Path(DATA_PROCESSED / "findings.csv" if findings is None else findings)
    names = sorted(Path(p).stem for p in (discover_notebooks() if notebooks is None else notebooks))
    failed = set(failed)
    items = []
    for name in names:
        if name in failed:
            items.append(f'<li class="failed">{html.escape(name)}: failed in the last run, '
                         f'<a href="failed/{name}.html">see the error</a></li>')
        else:
            items.append(f'<li><a href="notebooks/{name}.html">{html.escape(name)}</a></li>')
    pngs = sorted(figures.glob("*.png")) if figures.exists() else []
    rel = Path(os.path.relpath(figures, reports)).as_posix()
    figs = "\n".join(f'<figure><a href="{rel}/{html.escape(p.name)}"><img src="{rel}/{html.escape(p.name)}" '
                     f'alt="{html.escape(p.stem)}"></a><figcaption>{html.escape(p.stem)}</figcaption></figure>'
                     for p in pngs) or "<p>No figures yet.</p>"
    page = (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>supportstats report</title>\n'
            f"<style>\n{_STYLE}\n</style>\n</head>\n<body>\n<h1>supportstats: reproduced findings</h1>\n"
            f"<h2>Findings</h2>\n{_findings_table(findings)}\n<h2>Figures</h2>\n{figs}\n"
            f"<h2>Notebooks</h2>\n<ul>\n" + "\n".join(items) + "\n</ul>\n</body>\n</html>\n")
    index = reports / "index.html"
    _write_if_changed(index, page)
    return index


# ------------------------------------------------------------------------------ runner

class _Progress:
    """A rich progress bar on a terminal, plain lines otherwise (CI logs, pipes)."""

    def __init__(self, total, enabled):
        from rich.console import Console

        self.console = Console(stderr=True)
        self.live = enabled and self.console.is_terminal and not os.environ.get("CI")
        self.enabled, self.total, self.done = enabled, total, 0
        if self.live:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self.bar = Progress(SpinnerColumn(), TextColumn("reproduce"), BarColumn(), MofNCompleteColumn(),
                                TimeElapsedColumn(), TextColumn("{task.description}"), console=self.console)
            self.task = self.bar.add_task("", total=total)
            self.bar.start()

    def update(self, res):
        self.done += 1
        line = f"[{self.done}/{self.total}] {res['status']:<6} {res['notebook']}  {res['seconds']:.1f} s"
        if self.live:
            self.bar.console.print(line, highlight=False, markup=False)
            self.bar.update(self.task, advance=1, description=res["notebook"])
        elif self.enabled:
            print(line, file=sys.stderr, flush=True)

    def close(self):
        if self.live:
            self.bar.stop()


def _print_summary(summary: pd.DataFrame):
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console()
    if not console.is_terminal:  # CI logs and pipes: wide enough that errors stay on one line
        console = Console(width=200)
    table = Table(title="reproduce summary", title_justify="left")
    for col, justify in [("notebook", "left"), ("status", "left"), ("seconds", "right"),
                         ("cell", "right"), ("error", "left")]:
        table.add_column(col, justify=justify, overflow="fold")
    for row in summary.itertuples(index=False):
        status = "[green]ok[/]" if row.status == "ok" else "[bold red]failed[/]"
        cell = "" if pd.isna(row.cell) else str(row.cell)
        table.add_row(Text(row.notebook), status, f"{row.seconds:.1f}", cell, Text(row.error))
    console.print(table)


def reproduce(notebooks=None, jobs=None, only=None, params=None, *, reports=None, figures=None,
              findings=None, report=True, progress=True, timeout=None) -> pd.DataFrame:
    """Run the numbered notebooks with papermill, write them back, and rebuild the report.

    Overrides are checked against every selected notebook before any kernel starts.
    Notebooks run in ``jobs`` worker processes, ``99_*`` ones after all the others.
    A notebook that fails leaves its committed file untouched; its executed copy (with
    the traceback) goes to ``reports/failed/<name>.ipynb`` (and ``.html``; when no
    notebook came back at all, the kernel's stderr goes to ``.log``) and the others
    carry on. Kernel stderr never reaches the terminal.

    Parameters
    ----------
    notebooks : path-like or list of path-like, optional
        A folder to search for ``NN_*.ipynb`` (default ``notebooks/``) or explicit files.
    jobs : int, optional
        Worker processes (default: ``os.cpu_count()``).
    only : str, optional
        Glob or substring selecting notebooks by name.
    params : mapping or list of str, optional
        ``{"alpha": 0.01}`` or ``["alpha=0.01"]``. Applied to every selected notebook
        that declares the name; an unknown name or a value of the wrong type (an int is
        fine for a float) raises before anything runs.
    reports, figures, findings : path-like, optional
        Report folder, figure folder and findings CSV (defaults under the project root).
    report : bool
        Render notebooks and ``index.html`` under ``reports``.
    progress : bool
        Show progress (a rich bar on a terminal, plain lines otherwise) and the summary.
    timeout : float, optional
        Seconds allowed per cell (default: no limit).

    Returns
    -------
    DataFrame
        One row per notebook, in run order: ``notebook, status`` (``ok``/``failed``),
        ``seconds, cell`` (index of the failing cell in the notebook, counting from 0),
        ``error`` (one line) and ``output`` (the file written).

    Raises
    ------
    InputError
        For a bad ``-p``, an ``only`` that matches nothing, or an unreadable parameters cell.

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
    supportstats.errors.InputError: 01_test.ipynb: got 'high'; expected float like its default 0.05 (wrong type for parameter alpha)
    >>> reproduce(folder, params=["beta=1"], progress=False)
    Traceback (most recent call last):
    supportstats.errors.InputError: got 'beta'; expected one of: alpha (unknown parameter)
    """
    if notebooks is None or isinstance(notebooks, (str, os.PathLike)) and Path(notebooks).is_dir():
        paths = discover_notebooks(notebooks, only=only)
    else:
        paths = [Path(p) for p in notebooks if not only or _matches(Path(p), only)]
        if not paths:
            raise InputError("no notebooks to run", value=only, expected="a glob or substring of a notebook name")
    plan = _plan_parameters(paths, params or {})
    if jobs is not None and int(jobs) < 1:
        raise InputError("bad --jobs", value=jobs, expected="a positive number of workers")
    jobs = int(jobs or os.cpu_count() or 1)
    reports = Path(REPORTS if reports is None else reports)
    failed_dir = reports / "failed"

    rows, bar = [], None
    renderer = _Renderer() if report else None
    workers = min(jobs, len(paths))
    stages = run_order(paths)
    flags = tempfile.TemporaryDirectory(prefix="supportstats-stages-")
    early: dict = {}  # futures of the next stage, submitted while this one finishes

    def submit(pool, p, after=None):
        try:
            return pool.submit(_execute, str(p), plan[p], str(p.parent), timeout, after)
        except cf.process.BrokenProcessPool as exc:  # a worker died earlier: report, don't crash
            return _failed_future(exc)

    try:
        with cf.ProcessPoolExecutor(max_workers=workers, mp_context=_context(),
                                    initializer=_init_worker) as pool:
            try:
                for i, stage in enumerate(stages):
                    futures = early or {submit(pool, p): p for p in stage}
                    early = {}
                    flag = str(Path(flags.name) / f"stage-{i}.done")
                    following = stages[i + 1] if i + 1 < len(stages) else []
                    if bar is None:  # after the first submit: a live display runs a thread
                        bar = _Progress(len(paths), progress)
                    pending = set(futures)
                    for fut in cf.as_completed(futures):
                        pending.discard(fut)
                        # a worker is idle and this stage has nothing left to start: let the
                        # next stage warm its kernels now, gated on this stage's flag
                        if following and not early and len(pending) + len(following) <= workers:
                            early = {submit(pool, p, after=flag): p for p in following}
                        path = futures[fut]
                        try:
                            res = fut.result()
                        except Exception as exc:  # the worker itself died
                            res = {"notebook": path.stem, "status": "failed", "cell": None, "seconds": float("nan"),
                                   "error": _one_line(f"{type(exc).__name__}: {exc}"), "text": None, "log": ""}
                        res["output"] = str(_store(res, path, failed_dir, renderer, reports))
                        rows.append(res)
                        bar.update(res)
                    Path(flag).touch()
            finally:  # before the pool waits for its workers: never leave a warmed kernel waiting
                for n in range(len(stages)):
                    Path(flags.name, f"stage-{n}.done").touch()
    finally:
        if bar is not None:
            bar.close()
        flags.cleanup()
    order = {p.stem: i for i, p in enumerate(paths)}
    summary = (pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
               .sort_values("notebook", key=lambda s: s.map(order)).reset_index(drop=True))
    summary["cell"] = summary["cell"].astype("Int64")
    if report:
        build_report(discover_notebooks(paths[0].parent), reports=reports, figures=figures, findings=findings,
                     failed=summary.loc[summary["status"] == "failed", "notebook"])
    if progress:
        _print_summary(summary)
    return summary


def _failed_future(exc) -> cf.Future:
    fut: cf.Future = cf.Future()
    fut.set_exception(exc)
    return fut


def _store(res, path: Path, failed_dir: Path, renderer, reports: Path) -> Path:
    """Write one result: the notebook back in place, or its failed copy aside."""
    name = path.stem
    keep: dict[Path, str | None] = {}  # None: already up to date
    if res["status"] == "ok":
        target = path
        keep[path] = res["text"]
        page = reports / "notebooks" / f"{name}.html"
        if renderer is not None:
            keep[page] = renderer.page(page, res["text"], name)
    elif res["text"] is None:  # no notebook came back (kernel died, no kernelspec): keep its stderr
        target = failed_dir / f"{name}.log"
        keep[target] = res.get("log") or res["error"] + "\n"
    else:
        target = failed_dir / f"{name}.ipynb"
        keep[target] = res["text"]
        page = failed_dir / f"{name}.html"
        if renderer is not None:
            keep[page] = renderer.page(page, res["text"], name)
    for file, text in keep.items():
        if text is not None:
            _write_if_changed(file, text)
    for ext in (".ipynb", ".html", ".log"):  # a failure fixed since, or a different failure
        stale = failed_dir / f"{name}{ext}"
        if stale not in keep:
            stale.unlink(missing_ok=True)
    return target
