"""The notebook runner, on tiny fixture notebooks (tests/data/notebooks/) in throw-away projects.

01_params declares parameters, prints the kernel's python, writes marker.txt (working
folder) and figures/01_params.txt (output root) after a pause (``FIXTURE_SLEEP`` seconds
more, ended early once the file ``FIXTURE_RELEASE`` names exists); 02_fails raises in its
third cell (index 2); 99_gather reads marker.txt, so it only passes when it runs after 01, and writes data/processed/gathered.csv (``FIXTURE_SLEEP_99``).

Interrupts, SIGKILL and concurrent runs are tested on real runner processes
(``python -m supportstats.cli``-style subprocesses); the rest runs in-process. Kernel
starts cost seconds each, so executed runs are shared by module-scoped fixtures.
"""
import hashlib
import importlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import nbformat
import pytest

from supportstats import paths
from supportstats.cli import main
from supportstats.errors import InputError
from supportstats.kernels.fingerprint import cold_requested
from supportstats.runs import TIMINGS_NAME, make_staging, read_timings

# the module, even if the package re-exports the function of the same name
rp = importlib.import_module("supportstats.reproduce")
runs_mod = importlib.import_module("supportstats.runs")

FIXTURES = Path(__file__).parent / "data" / "notebooks"
PAYLOAD = ("base_rates=[0.05, 0.1, 0.15, ('\"[:0] or __import__(\"os\").system(\"id > pwned.txt\") or 0.2, 0.3 or \"',)]")


def make_project(base: Path, names=("01_params", "02_fails", "99_gather")) -> Path:
    root = base / "proj"
    (root / "notebooks").mkdir(parents=True)
    for name in names:
        shutil.copy(FIXTURES / f"{name}.ipynb", root / "notebooks")
    (root / "figures").mkdir()
    (root / "figures" / "committed.txt").write_text("committed\n")
    (root / "data" / "processed").mkdir(parents=True)
    (root / "data" / "processed" / "kept.csv").write_text("a\n1\n")
    return root


def state(root: Path) -> dict:
    """Bytes and mtime of every committed-output file (notebooks, figures, data)."""
    out = {}
    for rel in ("notebooks", "figures", "data"):
        for p in sorted((root / rel).rglob("*")):
            if p.is_file():
                out[p.relative_to(root).as_posix()] = (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
    return out


def leftovers(root: Path) -> list[str]:
    runs = root / "runs"
    # the timings file is kept on purpose (the next run's order); anything else hidden is a leftover
    found = [p.name for p in runs.glob(".*") if p.name != TIMINGS_NAME] if runs.exists() else []
    found += [str(p) for p in root.rglob(".*.tmp")]
    return found


# ----------------------------------------------------------------- no kernel needed

def test_discover_only_and_order(tmp_path):
    nbdir = make_project(tmp_path) / "notebooks"
    (nbdir / "scratch.ipynb").write_text("{}")
    assert [p.name for p in rp.discover_notebooks(nbdir)] == ["01_params.ipynb", "02_fails.ipynb", "99_gather.ipynb"]
    assert [p.stem for p in rp.discover_notebooks(nbdir, only="0[12]_*")] == ["01_params", "02_fails"]
    assert [p.stem for p in rp.discover_notebooks(nbdir, only="gather")] == ["99_gather"]
    with pytest.raises(InputError, match="matches no notebook"):
        rp.discover_notebooks(nbdir, only="nothing")
    stages = rp.run_order([nbdir / "99_gather.ipynb", nbdir / "02_fails.ipynb", nbdir / "01_params.ipynb"])
    assert [[p.stem for p in s] for s in stages] == [["01_params", "02_fails"], ["99_gather"]]


def test_declared_parameters():
    assert rp.notebook_parameters(FIXTURES / "01_params.ipynb") == {
        "n": 3, "scale": 1.5, "label": "base", "flag": True, "waves": [2021, 2022], "note": None,
        "figures_dir": "figures"}
    assert rp.notebook_parameters(FIXTURES / "02_fails.ipynb") == {}


def test_computed_parameter_is_rejected(tmp_path):
    nb = nbformat.read(FIXTURES / "01_params.ipynb", as_version=4)
    nb.cells[1].source += "\nroot = Path('data')"
    path = tmp_path / "01_bad.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(InputError, match="literals"):
        rp.notebook_parameters(path)


def test_overrides_are_typed_and_validated_before_running():
    paths_ = [FIXTURES / "01_params.ipynb", FIXTURES / "02_fails.ipynb"]
    plan = rp._plan_parameters(paths_, ["n=7", "scale=2", "label=2022", "flag=false", "waves=[2022]", "note=x"])
    assert plan[paths_[0]] == {"n": 7, "scale": 2.0, "label": "2022", "flag": False, "waves": [2022], "note": "x"}
    assert type(plan[paths_[0]]["scale"]) is float
    assert plan[paths_[1]] == {}  # 02 declares nothing: the -p does not apply to it
    assert rp._plan_parameters(paths_, {"n": 4}) == {paths_[0]: {"n": 4}, paths_[1]: {}}
    with pytest.raises(InputError, match="unknown parameter") as err:
        rp._plan_parameters(paths_, ["alpha=0.05"])
    assert "alpha" in str(err.value) and "\n" not in str(err.value)
    for bad in (["n=1.5"], ["n=True"], ["flag=1"], ["waves=2022"], ["scale=abc"], ["waves=[2021, 'x']"],
                ["waves=[2021, (1,)]"], ["note={1, 2}"], ["note=b'x'"], ["waves=[[2021]]"]):
        with pytest.raises(InputError, match="wrong type"):
            rp._plan_parameters(paths_, bad)
    for bad in (["n"], ["=3"], ["2x=3"]):
        with pytest.raises(InputError, match="bad -p"):
            rp.parse_overrides(bad)


@pytest.mark.parametrize("value", ["data/raw", "data/raw/x", "../outside", "/tmp/elsewhere", "figures/../../x"])
def test_output_parameters_stay_inside_the_run(value):
    with pytest.raises(InputError, match="output root"):
        rp._plan_parameters([FIXTURES / "01_params.ipynb"], [f"figures_dir={value}"])


def test_cli_rejects_bad_parameter_in_one_line(tmp_path, monkeypatch, capsys):
    root = make_project(tmp_path)
    monkeypatch.setattr(rp, "NOTEBOOKS", root / "notebooks")
    assert main(["reproduce", "-p", "n=lots"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "wrong type for parameter n" in err
    assert not (root / "runs").exists()  # nothing ran, nothing staged


def test_case1_payload_through_p_exits_2_and_runs_nothing(capsys, tmp_path, monkeypatch):
    """Issue 11, case 1: a tuple inside a list parameter was written into the notebook as code."""
    monkeypatch.chdir(tmp_path)
    notebook = paths.NOTEBOOKS / "07_automation_and_roar.ipynb"
    before = (notebook.read_bytes(), notebook.stat().st_mtime_ns)
    assert main(["reproduce", "--only", "07_automation_and_roar", "-p", PAYLOAD]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "wrong type for parameter base_rates[3]" in err and "tuple" in err
    for folder in (tmp_path, paths.ROOT, paths.NOTEBOOKS):
        assert not (folder / "pwned.txt").exists()
    assert (notebook.read_bytes(), notebook.stat().st_mtime_ns) == before
    with pytest.raises(InputError, match="not a tuple"):  # the Python API is checked the same way
        rp.reproduce(only="07_automation_and_roar", params={"base_rates": [0.05, ("x",)]}, progress=False)


@pytest.mark.parametrize("option", ["findings_csv=data/raw/published_claims.csv", "figures_dir=data/raw"])
def test_case2_parameters_cannot_write_into_raw(option, capsys):
    """Issue 11, case 2: -p could point 99_findings' outputs at data/raw."""
    registry = paths.CLAIMS_CSV
    before = sorted((p.name, p.stat().st_mtime_ns) for p in paths.DATA_RAW.iterdir())
    assert main(["reproduce", "--only", "99_findings", "-p", option]) == 2
    assert "data/raw" in capsys.readouterr().err
    assert sorted((p.name, p.stat().st_mtime_ns) for p in paths.DATA_RAW.iterdir()) == before
    assert registry.exists()


def test_lang_is_checked(capsys, tmp_path):
    assert main(["reproduce", "--lang", "xx"]) == 2
    assert "unknown language" in capsys.readouterr().err
    # a notebook that draws no figure declares no lang: --lang on it alone is refused before anything runs
    root = make_project(tmp_path)
    with pytest.raises(InputError, match="declares a lang parameter"):
        rp.reproduce(root / "notebooks", only="02_fails", lang="ja", progress=False)
    assert not (root / "runs").exists()


def test_strip_volatile_gives_stable_ids():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1"), nbformat.v4.new_code_cell("2")])
    for cell in nb.cells:
        del cell["id"]
    nb.cells[1].metadata["tags"] = ["injected-parameters"]
    nb.metadata["papermill"] = {"parameters": {"n": 7}, "start_time": "2026-01-01T00:00:00"}
    nb = rp.strip_volatile(nb)
    assert [c.id for c in nb.cells] == ["cell-0", "injected-parameters"]
    assert nb.metadata["papermill"] == {"parameters": {"n": 7}}


def test_parameters_cells_are_plain_for_papermill(caplog):
    """Issue 11, case 8: papermill could not parse parameters cells with inline comments."""
    from papermill.inspection import inspect_notebook

    for nb in sorted(paths.NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        caplog.clear()
        declared = inspect_notebook(str(nb))
        assert declared and not [r for r in caplog.records if "Unable to parse" in r.getMessage()], nb.name
        assert all(p["help"] == "" for p in declared.values()), nb.name  # no comments at all


# ---------------------------------------------------------------- executed runs (in-process)

@pytest.fixture(scope="module")
def good(tmp_path_factory):
    """A project whose notebooks all pass: two plain runs, then two what-if runs."""
    root = make_project(tmp_path_factory.mktemp("good"), names=("01_params", "99_gather"))
    nbdir = root / "notebooks"
    committed = state(root)
    first = rp.reproduce(nbdir, progress=False)
    after_first = state(root)
    second = rp.reproduce(nbdir, progress=False)
    after_second = state(root)
    what_if = rp.reproduce(nbdir, params=["n=7"], progress=False)
    after_what_if = state(root)
    subset = rp.reproduce(nbdir, only="gather", name="only-gather", progress=False)
    return dict(root=root, committed=committed, first=first, after_first=after_first, second=second,
                after_second=after_second, what_if=what_if, after_what_if=after_what_if, subset=subset)


def _why(summary) -> str:
    return summary[["notebook", "status", "cell", "error"]].to_string()


def test_plain_run_writes_in_place(good):
    root = good["root"]
    assert list(good["first"]["status"]) == ["ok", "ok"], _why(good["first"])
    assert good["first"].attrs["run_dir"] == str(root)
    assert (root / "figures" / "01_params.txt").read_text() == "3 1.5\n"
    assert (root / "data" / "processed" / "gathered.csv").read_text() == "n\n3\n"
    nb = nbformat.read(root / "notebooks" / "99_gather.ipynb", as_version=4)
    assert nb.cells[1].outputs[0]["text"] == "gathered 3\n"  # 99 ran after 01
    assert (root / "reports" / "index.html").exists() and (root / "reports" / "notebooks" / "01_params.html").exists()
    assert not (root / "notebooks" / "marker.txt").exists()  # the kernels' working folder is the staging folder
    assert leftovers(root) == [] and not (root / "runs" / "failed").exists()
    # the runs' timings, for the next run's order: every notebook that finished, in seconds
    timings = read_timings(root)
    assert sorted(timings) == ["01_params", "99_gather"] and all(0 < t < 120 for t in timings.values())
    # committed outputs that no notebook writes any more are gone: what is committed is what a plain run writes
    assert not (root / "figures" / "committed.txt").exists() and not (root / "data" / "processed" / "kept.csv").exists()
    assert (good["committed"].keys() - good["after_first"].keys()) == {"figures/committed.txt", "data/processed/kept.csv"}


def test_kernel_is_the_project_python(good):
    nb = nbformat.read(good["root"] / "notebooks" / "01_params.ipynb", as_version=4)
    prefix, python = nb.cells[3].outputs[0]["text"].splitlines()
    assert Path(prefix).resolve() == Path(sys.prefix).resolve()
    assert Path(python).parent.resolve() == Path(sys.executable).parent.resolve()


def test_written_back_with_outputs_and_no_volatile_metadata(good):
    text = (good["root"] / "notebooks" / "01_params.ipynb").read_text()
    nb = json.loads(text)
    assert "papermill" not in nb["metadata"] and "widgets" not in nb["metadata"]
    assert nb["metadata"]["kernelspec"]["name"] == "python3" and "language_info" in nb["metadata"]
    for cell in nb["cells"]:
        assert not {"papermill", "execution", "ExecuteTime"} & set(cell["metadata"])
    assert [c["execution_count"] for c in nb["cells"] if c["cell_type"] == "code"] == [1, 2, 3, 4]
    assert nb["cells"][4]["outputs"][0]["data"]["text/plain"] == ["4.5"]
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", text)


def test_second_plain_run_rewrites_nothing(good):
    assert list(good["second"]["status"]) == ["ok", "ok"], _why(good["second"])
    assert good["after_second"] == good["after_first"]  # same bytes and the same mtimes


def test_pages_rendered_while_the_zygote_imports_are_redone_only_where_the_run_differs(tmp_path, monkeypatch):
    """A plain run renders the committed notebooks' pages while no kernel can start yet
    (its zygote importing the stack); a notebook that comes back different gets its page again."""
    root = make_project(tmp_path, names=("01_params", "99_gather"))
    nbdir = root / "notebooks"
    assert list(rp.reproduce(nbdir, progress=False)["status"]) == ["ok", "ok"]
    pages = {p.name: p.read_bytes() for p in (root / "reports" / "notebooks").glob("*.html")}
    shutil.rmtree(root / "reports")
    committed = nbdir / "01_params.ipynb"
    assert '"4.5"' in committed.read_text()
    committed.write_text(committed.read_text().replace('"4.5"', '"4.25"'))  # not what the run gives back
    rendered, real_page = [], rp._Renderer.page

    def page(self, target, text, title):
        html = real_page(self, target, text, title)
        rendered.append((title, '"4.25"' in text, html is not None))
        return html

    real_fonts = rp.write_fonts

    def fonts(reports, pages):
        rendered.append(("fonts", sorted(re.findall(r"[\u3040-\u30ff\u4e00-\u9fff]", "".join(pages)))))
        return real_fonts(reports, pages)

    monkeypatch.setattr(rp._Renderer, "page", page)
    monkeypatch.setattr(rp, "write_fonts", fonts)
    monkeypatch.setattr(rp, "prestart_kernels", lambda staging: True)  # as with warm kernels
    monkeypatch.setattr(rp, "release_kernels", lambda: None)
    monkeypatch.setattr(rp, "kernels_preloading", lambda: True)
    assert list(rp.reproduce(nbdir, progress=False)["status"]) == ["ok", "ok"]
    assert rendered == [("01_params", True, True), ("99_gather", False, True),  # ahead, from the committed ones
                        ("fonts", []),  # the report's fonts for their characters (none here)
                        ("01_params", False, True), ("99_gather", False, False)]  # as each comes back
    assert {p.name: p.read_bytes() for p in (root / "reports" / "notebooks").glob("*.html")} == pages
    assert '"4.5"' in committed.read_text()
    rendered.clear()
    assert list(rp.reproduce(nbdir, params=["n=7"], progress=False)["status"]) == ["ok", "ok"]
    # a what-if run's notebooks differ from the committed ones by design: nothing is rendered ahead
    assert [title for title, _, _ in rendered] == ["01_params", "99_gather"]


def test_case3_what_if_run_leaves_committed_files_and_is_complete(good):
    """Issue 11, case 3: a -p run rewrote committed notebooks and outputs without re-running 99."""
    root = good["root"]
    assert good["after_what_if"] == good["after_first"]
    run = root / "runs" / "n-7"
    assert good["what_if"].attrs["run_dir"] == str(run)
    assert list(good["what_if"]["notebook"]) == ["01_params", "99_gather"]  # 99 re-run to gather
    assert (run / "figures" / "01_params.txt").read_text() == "7 1.5\n"
    assert (run / "data" / "processed" / "gathered.csv").read_text() == "n\n7\n"
    nb = nbformat.read(run / "notebooks" / "01_params.ipynb", as_version=4)
    assert nb.metadata["papermill"] == {"parameters": {"n": 7}}
    assert nb.cells[3].outputs[0]["text"].startswith("7 1.5 base True [2021, 2022] None")
    assert (run / "reports" / "index.html").exists() and (run / "reports" / "notebooks" / "99_gather.html").exists()
    assert json.loads((run / "run.json").read_text())["params"] == ["n=7"]
    assert not [p for p in run.rglob("*") if p.name.startswith(".")]  # no staging internals


def test_what_if_subset_copies_the_other_notebooks(good):
    run = good["root"] / "runs" / "only-gather"
    assert list(good["subset"]["notebook"]) == ["99_gather"]
    committed = good["root"] / "notebooks" / "01_params.ipynb"
    assert (run / "notebooks" / "01_params.ipynb").read_bytes() == committed.read_bytes()


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("mixed"))
    before = state(root)
    summary = rp.reproduce(root / "notebooks", progress=False)
    return dict(root=root, before=before, summary=summary, after=state(root))


def test_failed_plain_run_changes_nothing_committed(mixed):
    s = mixed["summary"]
    assert list(s["notebook"]) == ["01_params", "02_fails", "99_gather"]
    assert list(s["status"]) == ["ok", "failed", "ok"]
    failed = s.set_index("notebook").loc["02_fails"]
    assert failed["cell"] == 2 and failed["error"] == "ValueError: boom: deliberate failure"
    assert mixed["after"] == mixed["before"]
    run = mixed["root"] / "runs" / "failed"
    copy = nbformat.read(run / "reports" / "failed" / "02_fails.ipynb", as_version=4)
    assert any(o.get("ename") == "ValueError" for c in copy.cells for o in c.get("outputs", []))
    assert (run / "reports" / "failed" / "02_fails.html").exists()
    assert (run / "figures" / "01_params.txt").exists()  # the run itself is kept whole


def _notebook(path: Path, source: str, records_findings=None) -> None:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    if records_findings is not None:
        nb.metadata["supportstats"] = {"records_findings": records_findings}
    nbformat.write(nb, str(path))


_RECORD = ("import os, pathlib\n"
           "out = pathlib.Path(os.environ['SUPPORTSTATS_OUTPUT_ROOT']) / 'data' / 'processed' / 'findings'\n"
           "out.mkdir(parents=True, exist_ok=True)\n"
           "(out / '{name}.csv').write_text('claim_id\\nx\\n')\n")


def test_99_runs_beside_a_notebook_that_records_no_findings_and_one_that_lies_fails(tmp_path):
    root = make_project(tmp_path, names=())
    nbdir = root / "notebooks"
    _notebook(nbdir / "01_records.ipynb", _RECORD.format(name="01_records"))
    # holds its core until 99 has run: it only ends if 99 did not wait for it
    _notebook(nbdir / "05_explore.ipynb", "import pathlib, time\nend = time.time() + 60\n"
              "while not pathlib.Path('99_ran.txt').exists():\n"
              "    assert time.time() < end, '99 waited for a notebook that records no findings'\n"
              "    time.sleep(0.05)\n", records_findings=False)
    _notebook(nbdir / "06_liar.ipynb", _RECORD.format(name="06_liar"), records_findings=False)
    _notebook(nbdir / "99_gather.ipynb", "import os, pathlib\n"
              "found = sorted(p.name for p in (pathlib.Path(os.environ['SUPPORTSTATS_OUTPUT_ROOT']) / 'data' / "
              "'processed' / 'findings').glob('*.csv'))\n"
              "assert '01_records.csv' in found, found\n"
              "pathlib.Path('99_ran.txt').write_text('yes')\n")
    needs = rp.notebook_needs(sorted(nbdir.glob("*.ipynb")))
    assert {p.stem: sorted(q.stem for q in w) for p, w in needs.items()}["99_gather"] == ["01_records"]
    summary = rp.reproduce(nbdir, jobs=2, progress=False).set_index("notebook")
    assert summary.loc[["01_records", "05_explore", "99_gather"], "status"].tolist() == ["ok"] * 3, summary
    assert summary.loc["06_liar", "status"] == "failed"
    assert '"records_findings": false' in summary.loc["06_liar", "error"]
    assert not (root / "data" / "processed" / "findings").exists()  # a failed run lands nothing


def test_a_runs_kernels_write_no_history_into_the_users_ipython_profile(tmp_path):
    """IPython's SQLite history (~/.ipython) would get every cell of every notebook a run executes."""
    root = make_project(tmp_path, names=())
    _notebook(root / "notebooks" / "01_history.ipynb",
              "hm = get_ipython().history_manager\nprint(hm.enabled, type(hm.db).__name__, len(In))")
    summary = rp.reproduce(root / "notebooks", progress=False)
    assert list(summary["status"]) == ["ok"], _why(summary)
    nb = nbformat.read(root / "notebooks" / "01_history.ipynb", as_version=4)
    assert nb.cells[0].outputs[0]["text"] == "False DummyDB 2\n"  # no database; In[] still kept in memory


def test_kernel_sockets_are_ipc_even_under_a_long_staging_path(tmp_path, monkeypatch):
    import tempfile

    from supportstats import execute as ex

    # as short as the default runtime folder; pytest's tmp_path grows with its run counter
    kernels = Path(tempfile.mkdtemp(prefix="ssk-"))
    try:
        monkeypatch.setenv("SUPPORTSTATS_KERNELS_DIR", str(kernels))
        short = tmp_path / "r" / "k1.json"
        assert ex._ipc_prefix(short) == str(short.with_suffix("")) + "-ipc"  # beside the connection file
        deep = tmp_path / ("d" * 80) / "runs" / ".staging-0123456789" / ".runtime" / "k12345.json"
        prefix = ex._ipc_prefix(deep)  # too long for a socket there: the private kernels folder, not TCP
        assert prefix is not None and Path(prefix).parent == kernels and len(prefix + "-99999") < 100
        monkeypatch.setenv("SUPPORTSTATS_KERNELS_DIR", str(tmp_path / ("x" * 120)))
        assert ex._ipc_prefix(deep) is None  # nowhere short enough: TCP
    finally:
        shutil.rmtree(kernels, ignore_errors=True)


def test_a_gated_worker_runs_no_cell_before_its_gate_opens(tmp_path):
    from supportstats import execute as ex

    root = make_project(tmp_path, names=())
    staging = make_staging(root)
    cell = nbformat.v4.new_code_cell("import pathlib, time\npathlib.Path(NAME + '.txt').write_text(repr(time.time()))")
    tasks = {}
    for name in ("held", "dropped"):
        path = staging / "notebooks" / f"{name}.ipynb"
        cells = [nbformat.v4.new_code_cell(f"NAME = {name!r}"), cell]
        nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
        tasks[path] = {"path": str(path), "params": {}, "cwd": str(staging / "notebooks"), "staging": str(staging),
                       "timeout": 2, "runner_pid": os.getpid(), "forked": False}
    held, dropped = tasks
    workers = ex.Workers(ex.worker_context(ex.start_method(False)))
    try:
        for path, task in tasks.items():
            workers.start(path, task, gated=True)
        assert workers.executing == 0 and list(workers.gates) == [held, dropped]
        time.sleep(4)  # longer than the time limit, which counts from the gate's opening
        assert not list((staging / "notebooks").glob("*.txt"))  # kernels up, no cell run
        opened = time.time()
        workers.open(held)
        results = dict(workers.wait(120))
        assert list(results) == [held] and workers.executing == 0, {p.name: r["error"] for p, r in results.items()}
        waiting = workers.running.copy()
    finally:
        workers.stop()  # as after Ctrl-C: the worker still at its gate ends, and runs nothing
    assert results[held]["status"] == "ok", results[held]["error"]
    assert float((staging / "notebooks" / "held.txt").read_text()) >= opened
    assert not (staging / "notebooks" / "dropped.txt").exists()
    assert not any(proc.is_alive() for proc, _ in waiting.values()) and not workers.gates


def test_timeout_fails_the_notebook_naming_its_cell(tmp_path):
    root = make_project(tmp_path, names=())
    cells = [nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_code_cell("while True:\n    x += 1")]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), root / "notebooks" / "01_loop.ipynb")
    started = time.monotonic()
    s = rp.reproduce(root / "notebooks", timeout=3, progress=False)
    assert time.monotonic() - started < 120
    row = s.iloc[0]
    assert row["status"] == "failed" and row["cell"] == 1
    assert row["error"] == "timed out after 3 s (--timeout) in cell 1"


def test_report_index_lists_findings_and_figures(tmp_path):
    figures = tmp_path / "figures"
    figures.mkdir()
    (figures / "csat_rise.png").write_bytes(b"png")
    findings = tmp_path / "findings.csv"
    findings.write_text("claim_id,published,reproduced,verdict\nbenchmark_2021.csat_mean,78,77.6,reproduced\n")
    index = rp.build_report([FIXTURES / "01_params.ipynb", FIXTURES / "02_fails.ipynb"], reports=tmp_path / "r",
                            figures=figures, findings=findings, failed=["02_fails"])
    page = index.read_text()
    assert "<td>benchmark_2021.csat_mean</td>" in page and "<td>reproduced</td>" in page
    assert 'src="../figures/csat_rise.png"' in page
    assert 'href="notebooks/01_params.html"' in page and 'href="failed/02_fails.html"' in page


def test_case4_killed_move_is_rolled_forward_and_stale_files_swept(tmp_path):
    """Issue 11, case 4: the journal of a run killed while moving is completed by the next run."""
    root = make_project(tmp_path, names=("01_params",))
    staging = root / "runs" / ".staging-killed"
    (staging / "figures").mkdir(parents=True)
    (staging / "figures" / "b.txt").write_text("new b\n")
    (root / "figures" / "a.txt").write_text("new a\n")  # the first move was done before the kill
    ops = [["move", str(staging / "figures" / "a.txt"), str(root / "figures" / "a.txt")],
           ["move", str(staging / "figures" / "b.txt"), str(root / "figures" / "b.txt")]]
    (root / "runs" / runs_mod.JOURNAL_NAME).write_text(json.dumps({"pid": 1, "ops": ops, "cleanup": [str(staging)]}))
    (root / "runs" / ".staging-abandoned" / "figures").mkdir(parents=True)  # killed before its journal
    stale = root / "figures" / ".committed.txt.k3j2h1.tmp"
    stale.write_text("half")
    os.utime(stale, (time.time() - 3600,) * 2)
    # a what-if run recovers too, and (unlike a plain run) then leaves the committed files alone
    s = rp.reproduce(root / "notebooks", name="after-the-kill", progress=False)
    assert list(s["status"]) == ["ok"]
    assert (root / "figures" / "a.txt").read_text() == "new a\n"
    assert (root / "figures" / "b.txt").read_text() == "new b\n"  # rolled forward
    assert leftovers(root) == [] and not stale.exists()


# ------------------------------------------------------------- real runner processes

RUNNER = "import sys; from supportstats.cli import main; sys.exit(main(sys.argv[1:]))"


def test_the_command_runs_lands_and_reports_without_importing_pandas(tmp_path):
    """pandas is the kernels' (~0.3 CPU-s the runner took from them): the command's summary,
    journal and report index do without it."""
    root = make_project(tmp_path, names=())
    _notebook(root / "notebooks" / "01_findings.ipynb",
              "import os, pathlib\n"
              "out = pathlib.Path(os.environ['SUPPORTSTATS_OUTPUT_ROOT']) / 'data' / 'processed'\n"
              "out.mkdir(parents=True, exist_ok=True)\n"
              "(out / 'findings.csv').write_text('claim_id,verdict\\nC01,\"supported, barely\"\\n')\n")
    env = dict(os.environ, SUPPORTSTATS_ROOT=str(root), SUPPORTSTATS_KERNEL="python3")
    env.pop(paths.OUTPUT_ROOT_ENV, None)
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", RUNNER, "reproduce"], env=env, cwd=root,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    imported = {line.rsplit("|", 1)[1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    assert "papermill" in imported and "nbconvert" in imported  # the runner's own imports are seen
    assert not {"pandas", "numpy", "pyarrow"} & imported
    assert "01_findings" in proc.stdout and "ok" in proc.stdout
    assert "<td>C01</td><td>supported, barely</td>" in (root / "reports" / "index.html").read_text()


class Runner:
    """``supportstats reproduce`` in its own process group (so a killpg is a terminal's Ctrl-C)."""

    def __init__(self, root: Path, *args, kernel="python3", **env):
        self.mark = uuid.uuid4().hex
        full = {k: v for k, v in os.environ.items() if k != paths.OUTPUT_ROOT_ENV}
        # plain kernels by default: these tests follow the runner's own process tree (a warm
        # kernel is a child of its zygote, whose /proc cmdline it keeps; see the warm case below)
        full.update(SUPPORTSTATS_ROOT=str(root), SUPPORTSTATS_TEST_MARK=self.mark, SUPPORTSTATS_KERNEL=kernel,
                    **env)
        # SIGINT back to its default, as a terminal gives it: a suite started in the background
        # by a non-interactive shell inherits SIGINT ignored, and the runner respects that
        self.proc = subprocess.Popen([sys.executable, "-c", RUNNER, "reproduce", *args], env=full,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     start_new_session=True,
                                     preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        self.err: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stderr:
            self.err.append(line)

    def processes(self) -> list[tuple[int, str]]:
        """Every live process of this run (the marker is in each one's environment)."""
        found = []
        for proc in Path("/proc").glob("[0-9]*"):
            try:
                if f"SUPPORTSTATS_TEST_MARK={self.mark}".encode() in (proc / "environ").read_bytes():
                    if (proc / "stat").read_text().split(") ")[-1].startswith("Z"):
                        continue
                    found.append((int(proc.name), (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()))
            except OSError:
                continue
        return found

    def wait_for(self, condition, limit=120.0):
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if condition():
                return True
            if self.proc.poll() is not None:
                raise AssertionError(f"runner exited early ({self.proc.returncode}): {''.join(self.err)}")
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting; stderr so far: {''.join(self.err)}")

    def kernels(self):
        return [p for p in self.processes() if "ipykernel" in p[1] or "supportstats.kernels" in p[1]]

    def finish(self, limit=120.0) -> int:
        code = self.proc.wait(limit)
        self.reader.join(10)
        return code

    def no_survivors(self, limit=10.0) -> list:
        deadline = time.monotonic() + limit
        while self.processes() and time.monotonic() < deadline:
            time.sleep(0.2)
        return self.processes()


pytestmark_linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


@pytestmark_linux
@pytest.mark.parametrize("stage", ["first", "99"])
def test_case4_ctrl_c_stops_everything_and_changes_nothing(tmp_path, stage):
    """Issue 11, case 4: Ctrl-C left queued notebooks running, outputs changed and a traceback."""
    root = make_project(tmp_path)
    before = state(root)
    slow = {"FIXTURE_SLEEP": "120"} if stage == "first" else {"FIXTURE_SLEEP_99": "120"}
    run = Runner(root, "-j", "1" if stage == "first" else "2", **slow)
    if stage == "first":
        run.wait_for(lambda: run.kernels() and (root / "runs").exists())
        time.sleep(2.0)  # well inside the notebook's cells
    else:
        run.wait_for(lambda: sum(line.startswith("[") for line in run.err) == 2 and run.kernels())
        time.sleep(2.0)
    os.killpg(run.proc.pid, signal.SIGINT)
    assert run.finish(60) == 130
    errors = [line for line in run.err if not line.startswith("[")]
    assert len(errors) == 1 and errors[0].startswith("interrupted"), run.err
    assert run.no_survivors() == []
    assert state(root) == before  # nothing committed changed: no half-updated output set
    assert leftovers(root) == []  # staging (connection files, temp files) removed


@pytestmark_linux
@pytest.mark.parametrize("kernel", ["python3", "supportstats"])
def test_case4_sigkill_leaves_no_process_and_the_next_run_recovers(tmp_path, kernel):
    """Issue 11, case 4: after SIGKILL of the runner its workers hung forever and wrote outputs.

    With warm kernels (issue 12) the zygote the run started must go too: its kernels die when
    their worker's lease closes, and it ends once it has no user (linger shortened here)."""
    import tempfile

    root = make_project(tmp_path, names=("01_params", "99_gather"))
    before = state(root)
    runtime = tempfile.mkdtemp(prefix="ssk-", dir="/tmp")  # a socket path must stay short
    run = Runner(root, FIXTURE_SLEEP="120", kernel=kernel, SUPPORTSTATS_KERNELS_DIR=runtime,
                 SUPPORTSTATS_KERNELS_LINGER="1")
    # a zygote only where kernels start warm (a plain-kernel suite sets SUPPORTSTATS_KERNELS=cold)
    warm = kernel == "supportstats" and not cold_requested(os.environ)
    run.wait_for(lambda: run.kernels() and (not warm or any(Path(runtime).glob("*.sock"))))
    time.sleep(2.0)
    os.kill(run.proc.pid, signal.SIGKILL)
    run.finish(30)
    assert run.no_survivors(limit=20.0) == []
    shutil.rmtree(runtime, ignore_errors=True)
    time.sleep(1.0)
    assert state(root) == before
    assert [p.name for p in (root / "runs").glob(".staging-*")]  # left by the killed run ...
    again = Runner(root)
    assert again.finish(180) == 0, again.err
    assert any(line.startswith("recovered: removed runs/.staging-") for line in again.err)
    assert leftovers(root) == []  # ... and cleared by the next
    assert (root / "figures" / "01_params.txt").read_text() == "3 1.5\n"


@pytestmark_linux
def test_case5_second_run_refuses_at_once_or_waits(tmp_path):
    """Issue 11, case 5: two runs in one checkout mixed their outputs silently."""
    root = make_project(tmp_path, names=("01_params", "99_gather"))
    release = tmp_path / "release"  # the first run's notebook pauses until this file exists
    first = Runner(root, FIXTURE_SLEEP="120", FIXTURE_RELEASE=str(release))
    lock = root / runs_mod.LOCK_NAME
    first.wait_for(lambda: lock.exists() and lock.read_text().startswith("{"))
    started = time.monotonic()
    second = Runner(root, "-j1", "-p", "n=9")
    assert second.finish(60) == 2
    assert time.monotonic() - started < 30
    assert second.err == [f"error: another reproduce is running (pid {first.proc.pid}, started "
                          f"{json.loads(lock.read_text())['started']}); wait for it, or pass --wait\n"]
    waiting = Runner(root, "--wait", "--name", "after", "-p", "n=9")
    waiting.wait_for(lambda: any("waiting for another reproduce" in line for line in waiting.err))
    assert first.proc.poll() is None
    release.touch()
    assert first.finish(180) == 0, first.err
    assert waiting.finish(180) == 0, waiting.err
    assert (root / "figures" / "01_params.txt").read_text() == "3 1.5\n"  # the plain run's, unmixed
    assert (root / "runs" / "after" / "figures" / "01_params.txt").read_text() == "9 1.5\n"
    # case 8: a run's terminal shows no kernel noise
    noise = [line for line in first.err + waiting.err
             if re.search(r"WARNING|KeyboardInterrupt|Unable to parse|Traceback|without encryption", line)]
    assert noise == []


def test_the_summary_prints_from_rows_and_from_the_frame(capsys):
    import pandas as pd

    from supportstats.console import print_summary

    rows = [{"notebook": "01_a", "status": "ok", "seconds": 1.25, "cell": None, "error": "", "output": "x"},
            {"notebook": "02_b", "status": "failed", "seconds": float("nan"), "cell": 3, "error": "boom", "output": "y"}]
    frame = pd.DataFrame(rows)
    frame["cell"] = frame["cell"].astype("Int64")  # as reproduce() returns it: a missing cell is <NA>
    printed = []
    for summary in (rows, frame):
        print_summary(summary)
        printed.append(capsys.readouterr().out)
    assert printed[0] == printed[1]
    assert re.search(r"01_a\s*│ ok\s*│\s*1\.2\s*│\s*│", printed[0]) and re.search(r"02_b .*│\s*3 │ boom", printed[0])
