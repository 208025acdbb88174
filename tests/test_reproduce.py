"""The notebook runner, on three tiny fixture notebooks (tests/data/notebooks/).

01_params declares parameters, prints the kernel's python and writes marker.txt after a
pause; 02_fails raises in its third cell (index 2); 99_gather reads marker.txt, so it only
passes when it runs after 01. Kernel starts cost ~2 s each, so the executed runs are
shared by a module-scoped fixture.
"""
import importlib
import json
import re
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

from supportstats.cli import main
from supportstats.errors import InputError

# the module, even if the package re-exports the function of the same name
rp = importlib.import_module("supportstats.reproduce")

FIXTURES = Path(__file__).parent / "data" / "notebooks"


def copy_fixtures(dest: Path) -> Path:
    nbdir = dest / "notebooks"
    shutil.copytree(FIXTURES, nbdir)
    return nbdir


def snapshot(*folders):
    return {p: p.read_bytes() for folder in folders for p in sorted(Path(folder).rglob("*")) if p.is_file()}


# ----------------------------------------------------------------- no kernel needed

def test_discover_only_and_order(tmp_path):
    nbdir = copy_fixtures(tmp_path)
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
        "n": 3, "scale": 1.5, "label": "base", "flag": True, "waves": [2021, 2022], "note": None}
    assert rp.notebook_parameters(FIXTURES / "02_fails.ipynb") == {}


def test_computed_parameter_is_rejected(tmp_path):
    nb = nbformat.read(FIXTURES / "01_params.ipynb", as_version=4)
    nb.cells[1].source += "\nroot = Path('data')"
    path = tmp_path / "01_bad.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(InputError, match="literals"):
        rp.notebook_parameters(path)


def test_overrides_are_typed_and_validated_before_running():
    paths = [FIXTURES / "01_params.ipynb", FIXTURES / "02_fails.ipynb"]
    plan = rp._plan_parameters(paths, ["n=7", "scale=2", "label=2022", "flag=false", "waves=[2022]", "note=x"])
    assert plan[paths[0]] == {"n": 7, "scale": 2.0, "label": "2022", "flag": False, "waves": [2022], "note": "x"}
    assert type(plan[paths[0]]["scale"]) is float
    assert plan[paths[1]] == {}  # 02 declares nothing: the -p does not apply to it
    assert rp._plan_parameters(paths, {"n": 4}) == {paths[0]: {"n": 4}, paths[1]: {}}
    with pytest.raises(InputError, match="unknown parameter") as err:
        rp._plan_parameters(paths, ["alpha=0.05"])
    assert "alpha" in str(err.value) and "\n" not in str(err.value)
    for bad in (["n=1.5"], ["n=True"], ["flag=1"], ["waves=2022"], ["scale=abc"]):
        with pytest.raises(InputError, match="wrong type"):
            rp._plan_parameters(paths, bad)
    for bad in (["n"], ["=3"], ["2x=3"]):
        with pytest.raises(InputError, match="bad -p"):
            rp.parse_overrides(bad)


def test_cli_rejects_bad_parameter_in_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(rp, "NOTEBOOKS", copy_fixtures(tmp_path))
    assert main(["reproduce", "-p", "n=lots"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "wrong type for parameter n" in err
    assert not (tmp_path / "notebooks" / "marker.txt").exists()  # nothing ran


def test_strip_volatile_gives_stable_ids():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1"), nbformat.v4.new_code_cell("2")])
    for cell in nb.cells:
        del cell["id"]
    nb.cells[1].metadata["tags"] = ["injected-parameters"]
    nb.metadata["papermill"] = {"parameters": {"n": 7}, "start_time": "2026-01-01T00:00:00"}
    nb = rp.strip_volatile(nb)
    assert [c.id for c in nb.cells] == ["cell-0", "injected-parameters"]
    assert nb.metadata["papermill"] == {"parameters": {"n": 7}}


# ---------------------------------------------------------------- executed runs

@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("reproduce")
    nbdir = copy_fixtures(root)
    committed_failing = (nbdir / "02_fails.ipynb").read_bytes()
    kw = dict(reports=root / "reports", figures=root / "figures", findings=root / "findings.csv", progress=False)
    (root / "figures").mkdir()
    first = rp.reproduce(nbdir, **kw)
    after_first = snapshot(nbdir, root / "reports")
    second = rp.reproduce(nbdir, **kw)
    after_second = snapshot(nbdir, root / "reports")
    return dict(root=root, nbdir=nbdir, first=first, second=second, after_first=after_first,
                after_second=after_second, committed_failing=committed_failing)


def test_failure_is_isolated_and_reported(runs):
    s = runs["first"]
    assert list(s["notebook"]) == ["01_params", "02_fails", "99_gather"]
    assert list(s["status"]) == ["ok", "failed", "ok"]
    failed = s.set_index("notebook").loc["02_fails"]
    assert failed["cell"] == 2 and failed["error"] == "ValueError: boom: deliberate failure"
    assert (runs["nbdir"] / "02_fails.ipynb").read_bytes() == runs["committed_failing"]
    copy = nbformat.read(runs["root"] / "reports" / "failed" / "02_fails.ipynb", as_version=4)
    assert any(o.get("ename") == "ValueError" for c in copy.cells for o in c.get("outputs", []))
    assert (runs["root"] / "reports" / "failed" / "02_fails.html").exists()


def test_last_notebook_runs_after_the_others(runs):
    nb = nbformat.read(runs["nbdir"] / "99_gather.ipynb", as_version=4)
    assert nb.cells[1].outputs[0]["text"] == "gathered 3\n"


def test_kernel_is_the_project_python(runs):
    nb = nbformat.read(runs["nbdir"] / "01_params.ipynb", as_version=4)
    prefix, python = nb.cells[3].outputs[0]["text"].splitlines()
    assert Path(prefix).resolve() == Path(sys.prefix).resolve()
    assert Path(python).parent.resolve() == Path(sys.executable).parent.resolve()


def test_written_back_with_outputs_and_no_volatile_metadata(runs):
    text = (runs["nbdir"] / "01_params.ipynb").read_text()
    nb = json.loads(text)
    assert "papermill" not in nb["metadata"] and "widgets" not in nb["metadata"]
    assert nb["metadata"]["kernelspec"]["name"] == "python3" and "language_info" in nb["metadata"]
    for cell in nb["cells"]:
        assert not {"papermill", "execution", "ExecuteTime"} & set(cell["metadata"])
    assert [c["execution_count"] for c in nb["cells"] if c["cell_type"] == "code"] == [1, 2, 3, 4]
    assert nb["cells"][4]["outputs"][0]["data"]["text/plain"] == ["4.5"]
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", text)


def test_second_run_is_byte_identical(runs):
    assert list(runs["second"]["status"]) == ["ok", "failed", "ok"]
    assert runs["after_first"].keys() == runs["after_second"].keys()
    changed = [str(p) for p, b in runs["after_first"].items() if runs["after_second"][p] != b]
    assert changed == []
    names = {p.relative_to(runs["root"]).as_posix() for p in runs["after_first"]}
    assert {"reports/index.html", "reports/notebooks/01_params.html", "reports/notebooks/99_gather.html",
            "reports/failed/02_fails.ipynb"} <= names


def test_report_index_lists_findings_and_figures(runs, tmp_path):
    root = runs["root"]
    figures = tmp_path / "figures"
    figures.mkdir()
    (figures / "csat_rise.png").write_bytes(b"png")
    findings = tmp_path / "findings.csv"
    findings.write_text("claim_id,published,reproduced,verdict\nbenchmark_2021.csat_mean,78,77.6,reproduced\n")
    index = rp.build_report(rp.discover_notebooks(runs["nbdir"]), reports=tmp_path / "r", figures=figures,
                            findings=findings, failed=["02_fails"])
    page = index.read_text()
    assert "<td>benchmark_2021.csat_mean</td>" in page and "<td>reproduced</td>" in page
    assert 'src="../figures/csat_rise.png"' in page
    assert 'href="notebooks/01_params.html"' in page and 'href="failed/02_fails.html"' in page
    assert root.exists()


def test_cli_override_applies_and_failure_exits_nonzero(runs, tmp_path, monkeypatch, capsys):
    nbdir = copy_fixtures(tmp_path)
    monkeypatch.setattr(rp, "NOTEBOOKS", nbdir)
    monkeypatch.setattr(rp, "REPORTS", tmp_path / "reports")
    monkeypatch.setattr(rp, "FIGURES", tmp_path / "figures")
    monkeypatch.setattr(rp, "DATA_PROCESSED", tmp_path / "processed")
    assert main(["reproduce", "--only", "0[12]_*", "-p", "n=7", "-j", "2"]) == 1
    out = capsys.readouterr().out
    assert "02_fails" in out and "failed" in out and "ValueError: boom" in out
    nb = nbformat.read(nbdir / "01_params.ipynb", as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and injected[0].id == "injected-parameters"
    assert nb.metadata["papermill"] == {"parameters": {"n": 7}}
    assert nb.cells[3].outputs[0]["text"].startswith("7 1.5 base True [2021, 2022] None")
    assert (nbdir / "marker.txt").read_text() == "7"
    # a later run without -p goes back to the defaults: the stale injected cell is dropped
    assert main(["reproduce", "--only", "params"]) == 0
    nb = nbformat.read(nbdir / "01_params.ipynb", as_version=4)
    assert not any("injected-parameters" in c.metadata.get("tags", []) for c in nb.cells)
    assert "papermill" not in nb.metadata and (nbdir / "marker.txt").read_text() == "3"
