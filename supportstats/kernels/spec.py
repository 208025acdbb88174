"""The ``supportstats`` kernelspec: ipykernel's own, started through the warm provisioner.

``make setup`` installs it into the virtual environment (``.venv/share/jupyter/kernels/``),
beside the plain ``python3`` kernelspec, which stays.
"""
from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

__all__ = ["KERNEL_NAME", "DISPLAY_NAME", "PROVISIONER", "kernelspec", "install_kernelspec", "find_kernelspec"]

KERNEL_NAME = "supportstats"
DISPLAY_NAME = "Python 3 (supportstats, warm)"
#: The provisioner's entry-point name (``pyproject.toml``, ``jupyter_client.kernel_provisioners``).
PROVISIONER = "supportstats-warm"


def kernelspec() -> dict:
    """The ``kernel.json`` content: ipykernel's spec with the warm provisioner.

    Examples
    --------
    >>> spec = kernelspec()
    >>> spec["display_name"], spec["metadata"]["kernel_provisioner"]["provisioner_name"]
    ('Python 3 (supportstats, warm)', 'supportstats-warm')
    >>> spec["argv"]
    ['python', '-m', 'ipykernel_launcher', '-f', '{connection_file}']
    """
    from ipykernel.kernelspec import get_kernel_dict

    spec = get_kernel_dict()
    spec["argv"][0] = "python"  # as the venv's python3 spec: jupyter_client puts the running Python there
    spec["display_name"] = DISPLAY_NAME
    spec["interrupt_mode"] = "signal"
    spec.setdefault("metadata", {})["kernel_provisioner"] = {"provisioner_name": PROVISIONER, "config": {}}
    return spec


def install_kernelspec(prefix=None) -> Path:
    """Install (or update) the ``supportstats`` kernelspec under ``prefix`` (default: this Python's).

    Returns
    -------
    Path
        The folder holding ``kernel.json``.
    """
    from ipykernel.kernelspec import RESOURCES
    from jupyter_client.kernelspec import KernelSpecManager

    prefix = sys.prefix if prefix is None else str(prefix)
    with tempfile.TemporaryDirectory(prefix="supportstats-kernelspec-") as tmp:
        folder = Path(tmp) / KERNEL_NAME
        shutil.copytree(RESOURCES, folder)
        (folder / "kernel.json").write_text(json.dumps(kernelspec(), indent=1, sort_keys=True) + "\n")
        return Path(KernelSpecManager().install_kernel_spec(str(folder), KERNEL_NAME, prefix=prefix, replace=True))


def find_kernelspec(name: str) -> dict | None:
    """The ``kernel.json`` of the kernelspec ``name``, found where jupyter_client looks; None if absent.

    The first of jupyter_core's ``jupyter_path("kernels")`` folders holding a folder of that
    name (in lower case) with a ``kernel.json`` wins, as in ``KernelSpecManager``, which
    then also looks in IPython's folder (``~/.ipython/kernels``), not searched here. A runner
    calls this before it starts the zygote, which waits for it: importing jupyter_client
    for ``KernelSpecManager`` and its IPython folder took ~0.13 s of it, this ~0.01 s.

    Examples
    --------
    >>> find_kernelspec("supportstats")["metadata"]["kernel_provisioner"]["provisioner_name"]
    'supportstats-warm'
    >>> find_kernelspec("no-such-kernel") is None
    True
    """
    from jupyter_core.paths import jupyter_path

    for folder in map(Path, jupyter_path("kernels")):
        if not folder.is_dir():
            continue
        for entry in sorted(folder.iterdir()):
            if entry.name.lower() == name.lower() and (entry / "kernel.json").is_file():
                return json.loads((entry / "kernel.json").read_text(encoding="utf-8"))
    return None
