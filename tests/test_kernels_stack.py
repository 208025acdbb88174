"""The probe of a cold kernel's BLAS thread counts, against what importing numpy and scipy gives."""
import json
import os
import subprocess
import sys

import pytest

from supportstats.kernels.stack import PROBE, THREAD_VARS

# what a cold kernel has once it has imported numpy and scipy.linalg: the reference
IMPORTED = ("import json, numpy, scipy.linalg, threadpoolctl; "
            "print(json.dumps({i['filepath']: i['num_threads'] for i in threadpoolctl.threadpool_info()}))")


def run(code: str, **env) -> dict:
    e = {k: v for k, v in os.environ.items() if k not in THREAD_VARS}
    e.update(env)
    out = subprocess.run([sys.executable, "-c", code], env=e, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.splitlines()[0])


@pytest.mark.parametrize("env", [{}, {"OPENBLAS_NUM_THREADS": "1"}, {"OMP_NUM_THREADS": "1"},
                                 {"GOTO_NUM_THREADS": "1", "OMP_NUM_THREADS": "2"}],
                         ids=["default", "openblas-1", "omp-1", "goto-1-omp-2"])
def test_probe_gives_the_counts_a_kernel_that_imports_numpy_and_scipy_has(env):
    expected = run(IMPORTED, **env)
    assert expected  # BLAS libraries found at all: else the comparison proves nothing
    assert run(PROBE, **env) == expected


def test_probe_loads_the_libraries_without_importing_the_packages():
    """Its point: the libraries start as they would, without numpy's and scipy's imports."""
    assert run(PROBE) == run(IMPORTED)
    loaded = "\nimport sys\nprint('numpy' in sys.modules, 'scipy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", PROBE + loaded], capture_output=True, text=True, timeout=120)
    assert out.stdout.splitlines()[-1] == "False False"


def test_probe_imports_the_packages_where_their_compiled_modules_cannot_be_found():
    blind = "import importlib.util\nimportlib.util.find_spec = None\n"
    check = "\nimport sys\nassert 'numpy' in sys.modules and 'scipy.linalg' in sys.modules"
    assert run(blind + PROBE + check, OPENBLAS_NUM_THREADS="1") == run(IMPORTED, OPENBLAS_NUM_THREADS="1")
