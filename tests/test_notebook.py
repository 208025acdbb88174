"""supportstats.notebook's paths and parameter checks, papermill run directly, and nbval writing nowhere."""
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import supportstats as ss
from supportstats import paths
from supportstats.errors import InputError

ROOT = Path(__file__).resolve().parents[1]


def tracked_state(root):
    """The project conftest's snapshot of tracked files (loaded by path: tests/ has other conftests)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("supportstats_root_conftest", ROOT / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.tracked_state(root)


def test_output_path_stays_in_the_output_root(tmp_path, monkeypatch):
    monkeypatch.setenv(paths.OUTPUT_ROOT_ENV, str(tmp_path))
    assert ss.output_path("figures") == tmp_path / "figures"
    assert ss.output_path(tmp_path / "figures" / "ja") == tmp_path / "figures" / "ja"
    for bad in ("data/raw", "data/raw/published_claims.csv", "../x", "figures/../../x", "/etc", paths.DATA_RAW):
        with pytest.raises(InputError, match="inside the output root"):
            ss.output_path(bad)
    monkeypatch.delenv(paths.OUTPUT_ROOT_ENV)
    assert ss.output_path("figures") == paths.ROOT / "figures"
    assert ss.resolve("data/raw/x.csv") == paths.ROOT / "data" / "raw" / "x.csv"  # inputs: the project


def _demo(folder: Path) -> Path:
    params = nbformat.v4.new_code_cell("n = 3\nlevel = 0.95\nfigures_dir = 'figures'")
    params.metadata["tags"] = ["parameters"]
    cells = [params, nbformat.v4.new_code_cell(
        "import supportstats as ss\nss.check_parameters('01_demo', globals())\n"
        "out = ss.output_path(figures_dir)\nout.mkdir(parents=True, exist_ok=True)\n"
        "_ = (out / 'demo.txt').write_text(f'{n} {level}')")]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / "01_demo.ipynb"
    nbformat.write(nb, path)
    return path


def _papermill(args, cwd, kernel="supportstats"):
    env = {k: v for k, v in os.environ.items() if k != paths.OUTPUT_ROOT_ENV}
    return subprocess.run([str(Path(sys.executable).parent / "papermill"), *args, "-k", kernel], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("kernel", ["supportstats", "python3"])
def test_papermill_direct_writes_under_its_output_folder_and_checks_types(tmp_path, kernel):
    """Issue 11, case 3: papermill run directly wrote figures and findings into the checkout.

    A warm kernel's parent is its zygote, not papermill: it finds papermill's command line
    through JPY_PARENT_PID."""
    _demo(tmp_path)
    (tmp_path / "elsewhere" / "notebooks").mkdir(parents=True)
    proc = _papermill(["01_demo.ipynb", "elsewhere/notebooks/01_demo.ipynb", "-p", "n", "5", "-p", "level", "1"],
                      tmp_path, kernel)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (tmp_path / "elsewhere" / "figures" / "demo.txt").read_text() == "5 1.0"  # int → float, checked
    proc = _papermill(["01_demo.ipynb", "out.ipynb", "-p", "n", "lots"], tmp_path, kernel)
    assert proc.returncode == 1
    nb = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors[0]["ename"] == "InputError" and "wrong type for parameter n" in errors[0]["evalue"]
    assert not (tmp_path / "figures").exists()


def test_check_parameters_refuses_code_from_the_python_api(tmp_path):
    path = _demo(tmp_path)
    ns = {"n": 3, "level": 0.95, "figures_dir": "figures"}
    with pytest.raises(InputError, match="not a tuple"):
        ss.check_parameters(path, {**ns, "n": ("__import__('os')",)})
    with pytest.raises(InputError, match="output root"):
        ss.check_parameters(path, {**ns, "figures_dir": "data/raw"})


@pytest.mark.skipif(not (ROOT / ".git").exists(), reason="needs the git checkout")
def test_case3_nbval_writes_nothing_into_the_checkout(tmp_path):
    """Issue 11, case 3: nbval wrote figures and findings into the checkout while it tested."""
    before = tracked_state(ROOT)
    env = {k: v for k, v in os.environ.items() if k != paths.OUTPUT_ROOT_ENV}
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", "--nbval", "--nbval-kernel-name", "supportstats",
                           "notebooks/04_staffing_and_volume.ipynb"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:]
    after = tracked_state(ROOT)
    assert [name for name in before if after.get(name) != before[name]] == []  # bytes and mtimes
