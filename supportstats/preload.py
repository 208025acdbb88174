"""What the runner's worker processes share before they fork: papermill, without IRI grammars.

jsonschema (under nbformat, under papermill) imports ``rfc3987_syntax`` eagerly, which builds
about 35 Earley grammars on import (~0.9 s on a 2-core machine) for the ``iri`` formats, which
no notebook schema uses (python-jsonschema/jsonschema#1428). The runner's processes import
papermill once, here, with that module marked absent; jsonschema then skips those two format
checks, as it does wherever the package is not installed. Nothing else changes: importing this
module is how a worker context (fork, or forkserver's preload) gets papermill.
"""
import sys

sys.modules.setdefault("rfc3987_syntax", None)  # None in sys.modules: "import" raises ImportError

import papermill  # noqa: E402,F401  (imported here, inherited by every worker)
