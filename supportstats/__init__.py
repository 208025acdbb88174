"""supportstats: reproduce and test the headline numbers of customer-support survey reports.

Every public function of the thematic modules is available here (pingouin style):
``import supportstats as ss; ss.proportion_ci(...)``; users never import submodules.

The modules load on first use of any name, not at ``import supportstats``: the CLI and
the notebook runner start without paying for pandas, scipy and matplotlib in the parent
process (each notebook kernel loads them anyway).
"""
import importlib
import importlib.util

__version__ = "0.1.0"

#: Modules whose ``__all__`` make up the flat namespace, in load order.
_MODULES = ("errors", "bounds", "numerals", "design", "linearization", "estimate", "weights", "significance", "multiplicity",
            "comparisons", "banner", "ranges", "claims", "claim_checks", "outputs", "io", "column_maps",
            "definition", "schema", "parse", "steps", "clean", "provenance", "draft", "synth_targets", "synth_waves", "synth",
            "anes96",
            "survey_tables", "messages", "theme", "titles", "figures", "survey_report", "evidence", "recompute",
            "sentences", "findings", "pipeline", "diff", "nbdiff", "review", "params", "notebook")
_loaded = False


def _load_all():
    global _loaded, __all__
    names = []
    for mod_name in _MODULES:
        mod = importlib.import_module(f".{mod_name}", __name__)
        for name in mod.__all__:
            globals()[name] = getattr(mod, name)
        names.extend(mod.__all__)
    __all__ = sorted(set(names))
    _loaded = True


def __getattr__(name):
    if not name.startswith("_") and importlib.util.find_spec(f"{__name__}.{name}") is not None:
        # "from . import charts" inside the package asks for a submodule: import just that one
        return importlib.import_module(f".{name}", __name__)
    if name.startswith("__") or _loaded:
        if name == "__all__" and not _loaded:
            _load_all()
            return __all__
        raise AttributeError(f"module 'supportstats' has no attribute {name!r}")
    _load_all()
    try:
        return globals()[name]
    except KeyError:
        raise AttributeError(f"module 'supportstats' has no attribute {name!r}") from None


def __dir__():
    if not _loaded:
        _load_all()
    return sorted(set(globals()) | set(__all__))
