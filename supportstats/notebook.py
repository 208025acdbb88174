"""What every findings notebook does first: settle the display, load and clean its waves.

Kept here so the notebooks stay thin (parameters, a few calls, a table, a figure, a verdict).
"""
from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from . import paths
from .errors import InputError

__all__ = ["figure_options", "setup_notebook", "check_parameters", "resolve", "output_path", "load_waves", "show", "pct"]


def setup_notebook() -> None:
    """Fix display options and the figure theme so stored outputs repeat byte for byte.

    Rounding happens here, at display time only; the data keep full precision.

    Examples
    --------
    >>> keep = ["display.precision", 6, "display.width", 80, "display.max_columns", 0,
    ...         "display.max_colwidth", 50, "display.max_rows", 60]
    >>> with pd.option_context(*keep):  # a doctest must not change the session's display
    ...     setup_notebook()
    ...     pd.get_option("display.precision")
    3
    """
    import matplotlib

    matplotlib.use("Agg")
    pd.set_option("display.precision", 3)
    pd.set_option("display.width", 120)
    pd.set_option("display.max_columns", 30)
    pd.set_option("display.max_colwidth", 80)
    pd.set_option("display.max_rows", 80)
    from .theme import set_theme

    set_theme()


def resolve(path) -> Path:
    """An *input* path from a notebook parameter: absolute as given, else relative to the project root.

    Use it for what a notebook reads (raw exports, column maps); outputs go through
    :func:`output_path`.

    Examples
    --------
    >>> resolve("data/raw").relative_to(paths.ROOT).as_posix()
    'data/raw'
    """
    p = Path(path)
    return p if p.is_absolute() else paths.ROOT / p


def output_path(path) -> Path:
    """An *output* path from a notebook parameter, under the run's output root.

    Relative paths are taken from :func:`supportstats.paths.output_root` (the project
    root, unless ``SUPPORTSTATS_OUTPUT_ROOT`` names another folder, as it does in every
    ``supportstats reproduce`` run and in the tests). A path that leaves the output root,
    or lies under ``data/raw``, is refused with one line.

    Examples
    --------
    >>> output_path("figures") == paths.output_root() / "figures"
    True
    >>> output_path("data/raw")
    Traceback (most recent call last):
    supportstats.errors.InputError: data/raw: expected a folder or file inside the output root, not under data/raw (an output location)
    """
    root = paths.output_root()
    p = Path(path)
    full = Path(os.path.normpath(p if p.is_absolute() else root / p))
    expected = "a folder or file inside the output root, not under data/raw"
    if (not paths.is_within(full, root) or paths.is_within(full, root / "data" / "raw")
            or paths.is_within(full, paths.DATA_RAW)):
        raise InputError("an output location", file=path, expected=expected)
    return full


def check_parameters(notebook: str, namespace: dict) -> None:
    """Check a notebook's parameters as it received them; settle where it writes.

    Called in each notebook's first cell after the parameters. The values in
    ``namespace`` (the notebook's ``globals()``) are checked against the defaults that
    ``notebooks/<notebook>.ipynb`` declares (:func:`supportstats.params.check_parameter`):
    a run through papermill's Python API that passed a wrong type stops here with one line
    instead of three cells later. A float parameter given as an int becomes a float.

    Run by papermill's command line (``papermill IN OUT``) without
    ``SUPPORTSTATS_OUTPUT_ROOT`` set, the notebook writes under a folder derived from
    ``OUT``: ``OUT``'s folder, or its parent when that folder is called ``notebooks``.

    ``notebook`` is the notebook's name (looked up in ``notebooks/``, then the working
    folder) or the path of its ``.ipynb`` file; when neither is found, nothing is checked.

    Examples
    --------
    >>> import nbformat, tempfile, pathlib
    >>> cell = nbformat.v4.new_code_cell("level = 0.95\\nsd_grid = [5, 10]\\nfigures_dir = 'figures'")
    >>> cell.metadata["tags"] = ["parameters"]
    >>> nb = pathlib.Path(tempfile.mkdtemp()) / "01_demo.ipynb"
    >>> nbformat.write(nbformat.v4.new_notebook(cells=[cell]), str(nb))
    >>> ns = {"level": 1, "sd_grid": [5, 7.5], "figures_dir": "figures"}
    >>> check_parameters(nb, ns)
    >>> ns["level"]
    1.0
    >>> check_parameters(nb, {**ns, "sd_grid": [5, "10"]})
    Traceback (most recent call last):
    supportstats.errors.InputError: 01_demo.ipynb: got '10'; expected a list of numbers (wrong type for parameter sd_grid[1])
    """
    from .params import check_output_location, check_parameter, is_output_parameter, notebook_parameters

    if str(notebook).endswith(".ipynb"):
        source, file = Path(notebook), Path(notebook).name
    else:
        file = f"{notebook}.ipynb"
        source = next((d / file for d in (paths.NOTEBOOKS, Path.cwd()) if (d / file).is_file()), None)
    if source is not None and not source.is_file():
        source = None
    if source is not None:
        for name, default in notebook_parameters(source).items():
            if name not in namespace:
                raise InputError(f"parameter {name} is not set", file=file, expected="the parameters cell to run first")
            namespace[name] = check_parameter(name, namespace[name], default, file=file)
            if is_output_parameter(name):
                check_output_location(name, namespace[name], file=file)
    if not os.environ.get(paths.OUTPUT_ROOT_ENV):
        out = _papermill_output()
        if out is not None:
            root = out.parent.parent if out.parent.name == "notebooks" else out.parent
            os.environ[paths.OUTPUT_ROOT_ENV] = str(root)


def _papermill_output() -> Path | None:
    """The output notebook of the papermill command line that started this kernel, if any."""
    try:
        # a warm kernel's parent is its zygote; the process that asked for it is JPY_PARENT_PID
        ppid = int(os.environ.get("JPY_PARENT_PID") or os.getppid())
        argv = [a.decode() for a in Path(f"/proc/{ppid}/cmdline").read_bytes().split(b"\0") if a]
        cwd = Path(os.readlink(f"/proc/{ppid}/cwd"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    at = next((i for i, a in enumerate(argv[:3]) if Path(a).name == "papermill"), None)
    if at is None:
        return None
    try:
        from papermill.cli import papermill as command

        ctx = command.make_context("papermill", argv[at + 1:], resilient_parsing=True)
    except Exception:  # not a command line papermill itself would accept
        return None
    out = ctx.params.get("output_path")
    if not out or out == "-" or "://" in out:
        raise InputError("papermill writes this notebook to a stream or URL", value=out,
                         expected=f"{paths.OUTPUT_ROOT_ENV} set to the folder for its figures and tables")
    out = Path(out)
    return out if out.is_absolute() else cwd / out


def figure_options(*, lang, titles, fig_width, fig_height, dpi, figures_dir, names) -> dict:
    """The editor's figure parameters of a notebook, checked, as keyword arguments for
    :func:`supportstats.draw_figure`.

    ``titles`` keys must be among ``names`` (the figures the notebook draws); an empty
    title means "the title computed from the verdict". ``fig_height`` 0 means "as tall as
    the content needs". The figures go under the run's output root.

    Examples
    --------
    >>> opts = figure_options(lang="all", titles={"03_burnout": ""}, fig_width=8.0, fig_height=0.0, dpi=150,
    ...                       figures_dir="figures", names=["03_burnout"])
    >>> sorted(opts)
    ['dpi', 'fig_height', 'fig_width', 'folder', 'lang', 'titles']
    >>> figure_options(lang="fr", titles={}, fig_width=8.0, fig_height=0.0, dpi=150, figures_dir="figures", names=[])
    Traceback (most recent call last):
    supportstats.errors.InputError: got 'fr'; expected all, or one of en, ja, zh_Hant, es, ko (lang)
    """
    from .errors import InputError
    from .figures import check_titles
    from .messages import LANGUAGES

    if lang != "all" and lang not in LANGUAGES:
        raise InputError("lang", value=lang, expected=f"all, or one of {', '.join(LANGUAGES)}")
    return {"lang": lang, "titles": check_titles(titles, names), "fig_width": float(fig_width),
            "fig_height": float(fig_height) or None, "dpi": int(dpi), "folder": output_path(figures_dir)}


def load_waves(raw_files: dict, column_map: str = "", survey_file: str = "") -> tuple[dict, dict, str]:
    """Read and clean each wave named in a notebook's ``raw_files`` parameter.

    Parameters
    ----------
    raw_files : dict
        ``{"<survey>_<wave>": path}``, e.g. ``{"trends_2022": "data/raw/synthetic_trends_2022.csv"}``.
        Any wave (year) cleans.
    column_map : str
        Path of a YAML column map for a real export (see ``docs/column_maps.md``); ``""`` for none.
    survey_file : str
        Path of your own survey definition (``docs/survey_definitions.md``); ``""`` for the built-in
        survey named in each key. The keys' survey part must then be the definition's ``id``.

    Returns
    -------
    data : dict
        Cleaned DataFrame per key.
    results : dict
        The full :class:`supportstats.clean.CleanResult` per key (exclusions, report).
    source : str
        ``"synthetic reconstruction"`` or ``"real export"``, read from the data's provenance mark
        (:func:`supportstats.provenance.data_source`), never from the file names.

    Examples
    --------
    >>> data, results, source = load_waves({"cs_ops_2023": "data/raw/synthetic_cs_ops_2023.csv"})
    >>> source, len(data["cs_ops_2023"]), results["cs_ops_2023"].n_raw
    ('synthetic reconstruction', 1000, 1130)
    """
    from .clean import clean_file
    from .definition import load_definition
    from .provenance import data_source

    definition = load_definition(resolve(survey_file)) if survey_file else None
    data, results = {}, {}
    for key in sorted(raw_files):
        survey, _, wave = key.rpartition("_")
        if not wave.isdigit() or not survey:
            raise ValueError(f"raw_files: key {key!r} must look like '<survey>_<wave>', e.g. 'trends_2022'")
        if definition is not None and survey != definition.id:
            raise ValueError(f"raw_files: key {key!r} names survey {survey!r} but survey_file defines "
                             f"{definition.id!r}; use keys like '{definition.id}_{wave}'")
        res = clean_file(resolve(raw_files[key]), survey=definition or survey, wave=int(wave),
                         column_map=resolve(column_map) if column_map else None)
        results[key], data[key] = res, res.data
    if not results:
        raise ValueError("raw_files: name at least one wave, e.g. {'trends_2022': 'data/raw/synthetic_trends_2022.csv'}")
    return data, results, data_source(results)


def show(df: pd.DataFrame, digits: int = 3) -> pd.DataFrame:
    """Round a table for display (floats only); a meaningful (named) index becomes a column.

    Examples
    --------
    >>> show(pd.DataFrame({"estimate": [0.123456], "n": [10]}))
       estimate   n
    0     0.123  10
    >>> show(pd.DataFrame({"estimate": [0.5]}, index=pd.Index(["points"], name="reading")))
      reading  estimate
    0  points       0.5
    """
    named = any(name is not None for name in df.index.names)
    out = df.reset_index(drop=not named).copy()
    floats = out.select_dtypes("float").columns
    out[floats] = out[floats].round(digits)
    return out


def pct(x, digits: int = 1) -> str:
    """Format a proportion as a percent string for prose.

    Examples
    --------
    >>> pct(0.6449)
    '64.5%'
    """
    return f"{100 * float(x):.{digits}f}%"
