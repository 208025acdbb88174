"""What the runner's worker processes share before they fork: papermill, without IRI grammars,
and nbformat's compiled notebook validator.

jsonschema (under nbformat, under papermill) imports ``rfc3987_syntax`` eagerly, which builds
about 35 Earley grammars on import (~0.9 s on a 2-core machine) for the ``iri`` formats, which
no notebook schema uses (python-jsonschema/jsonschema#1428). The runner's processes import
papermill once, here, with that module marked absent; jsonschema then skips those two format
checks, as it does wherever the package is not installed.

papermill imports pyarrow (and with it numpy, ~0.12 CPU-seconds) for its HDFS paths, which
a run never uses: pyarrow is marked absent only while papermill imports, so papermill's
``hdfs://`` handler reports it missing, and anything that imports pyarrow later gets it.

nbformat validates a notebook each time it reads or writes one, with a validator it generates
from the schema (fastjsonschema) the first time a process asks for it: ~0.05 CPU-seconds, paid
by every worker, 11 a run. It is made here once, for the current notebook format (the one
papermill writes), and kept by every worker in nbformat's own cache. Importing this module is
how a worker context (fork, or forkserver's preload) gets papermill, and what a kernel
manager needs before it starts a kernel (see the end of this module).
"""
import sys

sys.modules.setdefault("rfc3987_syntax", None)  # None in sys.modules: "import" raises ImportError
_PYARROW_ABSENT = "pyarrow" not in sys.modules
if _PYARROW_ABSENT:
    sys.modules["pyarrow"] = None
try:
    import papermill  # noqa: E402,F401  (imported here, inherited by every worker)
finally:
    if _PYARROW_ABSENT and sys.modules.get("pyarrow", "") is None:
        del sys.modules["pyarrow"]

import nbformat  # noqa: E402
from nbformat.validator import get_validator  # noqa: E402

get_validator(nbformat.v4.nbformat, nbformat.v4.nbformat_minor)

# What each worker's KernelManager does before its kernel starts, done once here: the
# kernelspec lookup imports IPython for IPython's own kernels folder (~35 ms, paid by every
# worker forked before anything else had imported it), and the provisioner factory reads
# every installed package's entry points (~5 ms a worker)
from jupyter_client.kernelspec import KernelSpecManager  # noqa: E402
from jupyter_client.provisioning.factory import KernelProvisionerFactory  # noqa: E402

KernelSpecManager().kernel_dirs  # noqa: B018  (its default imports what the lookup needs)
KernelProvisionerFactory.instance()

import supportstats.kernels.provisioner  # noqa: E402,F401
import supportstats.kernels.ready  # noqa: E402,F401
