"""Same results, same bytes: real findings notebooks on a plain kernel and on a warm one.

Each notebook runs twice in the same project copy (same paths, so paths printed in outputs
match): once on the plain ``python3`` kernel, once on the warm ``supportstats`` kernel.
The executed notebooks (volatile metadata stripped, as the runner stores them), figures
(PNG, SVG), cleaned data (CSV, Parquet), exclusion logs and per-notebook findings must be
byte-identical. ``00_data_audit`` writes processed data and a figure, ``01_csat_rise``
findings and figures. The reproduce benchmark compares all notebooks the same way.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import nbformat
import pytest
from kernel_helpers import PLAIN, WARM, runtime_folder

from supportstats.paths import ROOT
from supportstats.stored import notebook_text, strip_volatile

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="warm kernels need Linux")

NOTEBOOKS = ("00_data_audit", "01_csat_rise")


def _fresh_project(project: Path) -> Path:
    if project.exists():
        shutil.rmtree(project)
    (project / "notebooks").mkdir(parents=True)
    for name in NOTEBOOKS:
        shutil.copy2(ROOT / "notebooks" / f"{name}.ipynb", project / "notebooks")
    shutil.copytree(ROOT / "data" / "raw", project / "data" / "raw")
    return project


def _run(project: Path, kernel: str) -> dict[str, bytes]:
    import papermill as pm

    outputs = {}
    for name in NOTEBOOKS:
        out = project / "executed" / f"{name}.ipynb"
        out.parent.mkdir(exist_ok=True)
        pm.execute_notebook(str(project / "notebooks" / f"{name}.ipynb"), str(out), kernel_name=kernel,
                            cwd=str(project / "notebooks"), log_output=False, progress_bar=False,
                            request_save_on_cell_execute=False)
        nb = strip_volatile(nbformat.read(str(out), as_version=4))
        outputs[f"notebooks/{name}.ipynb"] = notebook_text(nb).encode()
    for folder in ("figures", "data/processed"):
        for path in sorted((project / folder).rglob("*")):
            if path.is_file():
                outputs[path.relative_to(project).as_posix()] = path.read_bytes()
    return outputs


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("identity")
    rt = runtime_folder()
    project = folder / "project"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SUPPORTSTATS_ROOT", str(project))
        mp.setenv("SUPPORTSTATS_OUTPUT_ROOT", str(project))  # the notebooks write under the run's output root
        mp.setenv("SUPPORTSTATS_KERNELS_DIR", str(rt))
        mp.setenv("PYTHONHASHSEED", "0")  # as the runner sets it
        mp.setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1")
        plain = _run(_fresh_project(project), PLAIN)
        warm = _run(_fresh_project(project), WARM)
    logs = [p.read_text() for p in rt.glob("*.log")]
    from supportstats.kernels.client import stop_zygotes

    stop_zygotes({"SUPPORTSTATS_KERNELS_DIR": str(rt)})
    shutil.rmtree(rt, ignore_errors=True)
    return plain, warm, logs


def test_warm_kernels_were_used(runs):
    _, _, logs = runs
    text = "".join(logs)
    assert text.count("] kernel ") >= len(NOTEBOOKS), "the warm runs did not fork their kernels"


def test_same_files_written(runs):
    plain, warm, _ = runs
    assert sorted(plain) == sorted(warm)
    kinds = {Path(name).suffix for name in plain}
    assert {".ipynb", ".png", ".svg", ".csv", ".parquet"} <= kinds


def test_every_output_is_byte_identical(runs):
    plain, warm, _ = runs
    differ = [name for name in plain if plain[name] != warm.get(name)]
    assert differ == []
