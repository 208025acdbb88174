"""What the runner's workers inherit: papermill without IRI grammars, and a compiled notebook validator."""
import subprocess
import sys
from pathlib import Path

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "03_burnout.ipynb"

# a worker forked after the import reads and writes a notebook, and validates a broken one;
# it exits with the number of validators it had to generate itself
FORKED_WORKER = f"""
import os
import supportstats.preload
import nbformat
from nbformat import json_compat

made = []
generate = json_compat.FastJsonSchemaValidator.__init__
json_compat.FastJsonSchemaValidator.__init__ = lambda self, *a, **k: made.append(1) or generate(self, *a, **k)
pid = os.fork()
if pid == 0:
    nb = nbformat.read({str(NOTEBOOK)!r}, as_version=4)
    nbformat.writes(nb)
    nb.cells[0]["cell_type"] = "not a cell type"
    try:
        nbformat.validate(nb)
        os._exit(99)
    except nbformat.ValidationError:
        pass
    os._exit(len(made))
print(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
"""


def test_a_forked_worker_validates_notebooks_without_generating_a_validator():
    out = subprocess.run([sys.executable, "-c", FORKED_WORKER], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    # 0: none generated; a broken notebook is still refused (99 if not). Without the preload's
    # validator the worker generates one (1), as every worker did, ~0.05 CPU-s each
    assert out.stdout.strip() == "0"


def test_jsonschema_runs_without_its_iri_grammars():
    code = ("import supportstats.preload\n"
            "try:\n    import rfc3987_syntax\nexcept ImportError:\n    print('absent')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "absent", out.stderr


def test_the_runner_gets_papermill_without_pyarrow_and_numpy_which_stay_importable():
    """papermill imports pyarrow (and numpy) for hdfs:// paths: ~0.12 CPU-s of every run's runner."""
    code = ("import sys, supportstats.preload, papermill.iorw as io\n"
            "print('pyarrow' in sys.modules, 'numpy' in sys.modules)\n"
            "import pyarrow.fs, numpy\n"
            "print(pyarrow.fs.LocalFileSystem is not None, numpy.__name__)\n"
            "print(io.HadoopFileSystem.__name__)\n")  # papermill's stub for a missing optional package
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[:3] == ["False False", "True numpy", "missing_dep"]


def test_a_forked_worker_gets_its_kernel_manager_ready_without_importing_anything():
    """Each worker used to import IPython (its kernelspec lookup) and read every package's
    entry points (the provisioner factory) before its kernel could start."""
    code = ("import os, sys, supportstats.preload\n"
            "from jupyter_client.manager import KernelManager\n"
            "pid = os.fork()\n"
            "if pid == 0:\n"
            "    before = set(sys.modules)\n"
            "    km = KernelManager(kernel_name='supportstats')\n"
            "    spec = km.kernel_spec\n"
            "    from jupyter_client.provisioning.factory import KernelProvisionerFactory as F\n"
            "    factory = F.instance()\n"
            "    ok = F.initialized() and 'supportstats-warm' in factory.provisioners and spec.argv[-1] == '{connection_file}'\n"
            "    os._exit(0 if ok and set(sys.modules) == before else 1)\n"
            "print(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "0"
