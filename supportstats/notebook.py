"""What every findings notebook does first: settle the display, load and clean its waves.

Kept here so the notebooks stay thin (parameters, a few calls, a table, a figure, a verdict).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import paths

__all__ = ["setup_notebook", "resolve", "load_waves", "show", "pct"]


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
    from .plots import set_theme

    set_theme()


def resolve(path) -> Path:
    """A path from a notebook parameter: absolute as given, relative to the project root.

    Examples
    --------
    >>> resolve("data/raw").relative_to(paths.ROOT).as_posix()
    'data/raw'
    """
    p = Path(path)
    return p if p.is_absolute() else paths.ROOT / p


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
