"""Reading a notebook's parameters cell (the runner's overrides are tested in test_reproduce)."""
import json
import subprocess
import sys

import nbformat
import pytest

from supportstats.errors import InputError
from supportstats.params import notebook_parameters


def _write(path, cells, version=4):
    path.write_text(json.dumps({"nbformat": version, "nbformat_minor": 5, "metadata": {}, "cells": cells}))
    return path


def _cell(source, tags=("parameters",)):
    return {"cell_type": "code", "metadata": {"tags": list(tags)}, "source": source, "outputs": [],
            "execution_count": None}


def test_source_as_lines_or_one_string_and_the_first_tagged_cell(tmp_path):
    nb = _write(tmp_path / "a.ipynb", [_cell("x = 1", tags=()), _cell(["alpha = 0.05\n", "waves = [2021]"]),
                                       _cell("alpha = 0.5")])
    assert notebook_parameters(nb) == {"alpha": 0.05, "waves": [2021]}
    nb = _write(tmp_path / "b.ipynb", [_cell("lang = 'all'\n")])
    assert notebook_parameters(nb) == {"lang": "all"}
    assert notebook_parameters(_write(tmp_path / "c.ipynb", [_cell("x = 1", tags=())])) == {}


def test_older_format_is_converted_by_nbformat(tmp_path):
    v3 = {"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [{"cells": [
        {"cell_type": "code", "input": "alpha = 0.01", "language": "python", "metadata": {"tags": ["parameters"]},
         "outputs": []}]}]}
    path = tmp_path / "old.ipynb"
    path.write_text(json.dumps(v3))
    assert nbformat.read(str(path), as_version=4).cells[0].metadata["tags"] == ["parameters"]
    assert notebook_parameters(path) == {"alpha": 0.01}


@pytest.mark.parametrize("text", ["{not json", "", "[1, 2]"])
def test_unreadable_notebook_is_one_line_naming_the_file(tmp_path, text):
    path = tmp_path / "broken.ipynb"
    path.write_text(text)
    with pytest.raises(InputError, match=r"broken\.ipynb.*not a readable notebook"):
        notebook_parameters(path)


def test_reading_parameters_does_not_import_nbformat(tmp_path):
    # each kernel reads its parameters cell; nbformat (via jsonschema) costs it about a second
    path = _write(tmp_path / "a.ipynb", [_cell("n = 3")])
    code = ("import sys; from supportstats.params import notebook_parameters; "
            f"print(notebook_parameters({str(path)!r}), 'nbformat' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["{'n':", "3}", "False"]
