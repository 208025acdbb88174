"""The package as a whole: its layers (imports point down only) and its flat namespace."""
import ast
from pathlib import Path

import pytest

import supportstats

PACKAGE = Path(supportstats.__file__).parent

# bottom to top, as the README's Layout lists them; a module may import its own layer and below
LAYERS = {
    "base": {"errors", "paths"},
    "statistics": {"bounds", "design", "linearization", "estimate", "weights", "significance", "multiplicity", "comparisons",
                   "ranges"},
    "data": {"io", "column_maps", "parse", "definition", "definition_yaml", "schema", "steps", "clean", "draft",
             "synth", "synth_targets", "synth_waves", "anes96", "provenance", "outputs", "claims"},
    "claims and tables": {"claim_checks", "claim_quotes", "claim_bounds", "numerals", "banner", "survey_tables"},
    "verdicts": {"evidence", "recompute", "pipeline", "sentences", "findings", "diff"},
    "figures and text": {"messages", "theme", "chartkit", "charts", "titles", "figures", "nbdiff", "report_fonts"},
    "faces": {"notebook", "params", "plan", "preload", "stored", "console", "execute", "runs", "reproduce", "report", "review",
              "survey_report", "kernels", "cli", "quick_exit", "__init__"},
}
RANK = {mod: rank for rank, mods in enumerate(LAYERS.values()) for mod in mods}


def module_of(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def imported(path: Path, package: Path = PACKAGE) -> set[str]:
    """Top-level supportstats modules a file imports, at module level or inside functions."""
    found = set()
    inside_subpackage = path.parent != package
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("supportstats.")}
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                if not (node.module or "").startswith("supportstats"):
                    continue
                parts = node.module.split(".")[1:]
            elif node.level == 1 and inside_subpackage:
                continue  # within the subpackage itself
            else:
                parts = (node.module or "").split(".") if node.module else []
            if parts and parts[0]:
                found.add(parts[0])
            else:
                found |= {a.name for a in node.names}
    return found


def test_every_module_has_a_layer():
    modules = {module_of(p) for p in PACKAGE.rglob("*.py")}
    assert modules - set(RANK) == set(), "add the new module to LAYERS here and to the README's Layout"
    assert set(RANK) - modules == set(), "a module in LAYERS no longer exists"


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_imports_point_down(path):
    own = module_of(path)
    upward = sorted(m for m in imported(path) if m in RANK and RANK[m] > RANK[own])
    assert upward == [], f"{own} ({list(LAYERS)[RANK[own]]}) imports from a layer above it: {upward}"


def test_the_checker_sees_an_upward_import(tmp_path):
    # the test above could pass by seeing nothing: the same reader on a file that imports up
    probe = tmp_path / "probe.py"
    probe.write_text("from .design import SurveyDesign\n"
                     "def f():\n    from .findings import registry_findings\n    import supportstats.cli\n")
    assert imported(probe, package=tmp_path) == {"design", "findings", "cli"}


def test_flat_namespace_loads_lazily_and_fully():
    import subprocess
    import sys

    code = ("import sys, supportstats as ss; assert 'pandas' not in sys.modules; "
            "assert callable(ss.proportion_ci) and 'pandas' in sys.modules; print(len(ss.__all__))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert int(out) > 100
