"""The stored form of an executed notebook: what changes from run to run removed, a stable layout.

A second run of an unchanged notebook then writes the same bytes, so ``git status`` stays
clean (papermill's timings, nbclient's timestamps and random cell ids would change them).
"""
from __future__ import annotations

__all__ = ["INJECTED_TAG", "ERROR_MARKER_TAG", "strip_volatile", "notebook_text"]

INJECTED_TAG = "injected-parameters"
ERROR_MARKER_TAG = "papermill-error-cell-tag"
# Cell metadata that changes on every execution (papermill timings, nbclient timestamps,
# the jupyterlab-execute-time extension); everything else a notebook author set is kept.
_VOLATILE_CELL_KEYS = ("papermill", "execution", "ExecuteTime")


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


def notebook_text(nb) -> str:
    """The notebook as stored: nbformat's own stable layout (indent 1, sorted keys), one final newline."""
    import nbformat

    text = nbformat.writes(nb)  # indent 1, sorted keys: nbformat's own stable layout
    return text if text.endswith("\n") else text + "\n"
