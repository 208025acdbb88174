"""A survey design, declared once, and the linearization engine every estimator shares.

:class:`Design` names the columns that carry the design (weights, strata, primary sampling
units, finite-population correction) and, for weights raked to population margins, the
raking variables. Estimators accept it as ``design=``; the older ``weight=``, ``strata=``,
``cluster=``, ``fpc=`` arguments build the same object.

:func:`resolve` evaluates a design on one DataFrame (arrays of weights, strata codes, PSU
codes, the variance scale per stratum); :mod:`supportstats.linearization` computes the
estimates and their variances from it. The column helpers here (:func:`factor`,
:func:`domains`) turn blank text into missing values for every estimator.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

from .weights import _check_weights

__all__ = ["Design"]

@dataclass(frozen=True)
class Design:
    """A survey design as column names: declared once, passed to every estimator as ``design=``.

    Parameters
    ----------
    weight : str, optional
        Column of sampling (or final, calibrated) weights; ``None`` means equal weights.
    strata : str, optional
        Stratum column.
    cluster : str, optional
        Primary sampling unit column; ids are nested in strata (the same id in two strata
        is two PSUs, as ``svydesign(nest=TRUE)``). ``None``: every row is its own PSU.
    fpc : str, optional
        Finite population correction: population PSUs per stratum, or the sampling fraction
        when the value is <= 1 (as R).
    calibration : {None, "raking"}
        Whether the ``weight`` column holds weights raked to population margins. Given
        ``margins`` alone it is taken to be ``"raking"``.
    margins : sequence of str or dict, optional
        The raking variables (columns), or the margins themselves ``{column: {level:
        count or share}}``; given as a dict, the weights are checked to reproduce them.
    base_weight : str, optional
        Weights before raking. With it, standard errors use the calibration residuals
        weighted by these weights (R's ``calibrate(..., calfun="raking")``); without it,
        unweighted residuals as R's ``rake`` (both converged, they agree to first order).
    weights_fixed : bool, default False
        Treat calibrated weights as fixed: ignore the margins in standard errors (what
        R gives for ``svydesign(weights=~raked)``).

    Attributes
    ----------
    se_method : str
        How standard errors are computed: ``"linearization"``, ``"linearization,
        raking residuals"`` (as R ``rake``), ``"linearization, calibration residuals"`` (as R
        ``calibrate``) or ``"linearization, weights fixed"``.

    Raises
    ------
    ValueError
        A column name that is not a string, an unknown calibration, raking without margins
        or without a weight column, or ``base_weight`` without raking.

    References
    ----------
    Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley (ch. 2, 7).
    Deville, J.-C. & Särndal, C.-E. (1992). Calibration estimators in survey sampling.
    *JASA* 87, 376–382.

    Examples
    --------
    >>> d = Design(weight="pw", strata="stype", fpc="fpc")
    >>> d
    Design(weight='pw', strata='stype', cluster=None, fpc='fpc', calibration=None, margins=(), base_weight=None, weights_fixed=False)
    >>> Design(weight="raked", margins=["region", "size"]).se_method
    'linearization, raking residuals'
    """

    weight: str | None = None
    strata: str | None = None
    cluster: str | None = None
    fpc: str | None = None
    calibration: str | None = None
    margins: tuple = ()
    base_weight: str | None = None
    weights_fixed: bool = False

    def __post_init__(self):
        for name in ("weight", "strata", "cluster", "fpc", "base_weight"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise ValueError(f"Design {name} must be a column name (str) or None; got "
                                 f"{name}={value!r}")
        margins = self.margins
        if margins is None:
            margins = ()
        elif isinstance(margins, str):
            margins = (margins,)
        elif isinstance(margins, Mapping):
            # keep the targets (hashable) so resolve() can check the weights reproduce them
            margins = tuple((str(k), tuple((lv, float(t)) for lv, t in dict(v).items()))
                            if isinstance(v, Mapping) else str(k) for k, v in margins.items())
        else:
            margins = tuple(margins)
        object.__setattr__(self, "margins", margins)
        calibration = self.calibration
        if calibration is None and margins:
            calibration = "raking"
            object.__setattr__(self, "calibration", calibration)
        if calibration not in (None, "raking"):
            raise ValueError(f"unknown calibration={calibration!r}; expected None or 'raking'")
        if calibration is not None:
            if not margins:
                raise ValueError("calibration='raking' needs margins= (the raking variables)")
            if self.weight is None:
                raise ValueError("a raked design needs weight= (the column of raked weights)")
        elif self.base_weight is not None:
            raise ValueError("base_weight= is the weight before raking; give margins= too")
        if not isinstance(self.weights_fixed, (bool, np.bool_)):
            raise ValueError(f"weights_fixed must be True or False; got {self.weights_fixed!r}")

    @property
    def margin_columns(self) -> tuple[str, ...]:
        """The raking variables."""
        return tuple(m[0] if isinstance(m, tuple) else m for m in self.margins)

    @property
    def se_method(self) -> str:
        if self.calibration is None:
            return "linearization"
        if self.weights_fixed:
            return "linearization, weights fixed"
        if self.base_weight is not None:
            return "linearization, calibration residuals"
        return "linearization, raking residuals"


def as_design(design, weight=None, strata=None, cluster=None, fpc=None) -> Design:
    """The design from ``design=`` or from the separate column arguments (not both)."""
    loose = {k: v for k, v in (("weight", weight), ("strata", strata), ("cluster", cluster),
                               ("fpc", fpc)) if v is not None}
    if design is None:
        return Design(**loose)
    if not isinstance(design, Design):
        raise ValueError(f"design must be a supportstats.Design; got {type(design).__name__}")
    if loose:
        raise ValueError(f"give the design once: design= or {', '.join(f'{k}=' for k in loose)}, "
                         "not both")
    return design


# ------------------------------------------------------------------- helpers on columns
def column(data: pd.DataFrame, name, argument: str) -> pd.Series:
    """``data[name]``, or a KeyError naming the argument and listing the columns."""
    if not isinstance(data, pd.DataFrame):
        raise ValueError(f"data must be a pandas DataFrame; got data={type(data).__name__}")
    if name not in data.columns:
        raise KeyError(f"{argument}={name!r} is not a column of data "
                       f"(columns: {', '.join(map(str, data.columns))})")
    return data[name]


def _blank(values) -> np.ndarray:
    """True for strings that are empty or whitespace only (what readers leave for blanks)."""
    return np.array([isinstance(v, str) and not v.strip() for v in values], dtype=bool)


def factor(col: pd.Series, *, sort: bool = True) -> tuple[np.ndarray, pd.Index]:
    """Integer codes (-1 for missing, empty or whitespace-only) and the observed levels.

    A categorical column keeps its declared categories as levels (a blank category is
    dropped); anything else gets its sorted observed values.
    """
    if isinstance(col.dtype, pd.CategoricalDtype):
        codes = col.cat.codes.to_numpy().astype(np.int64)
        levels = col.cat.categories
    else:
        try:
            codes, levels = pd.factorize(col, sort=sort)
        except TypeError:          # mixed types cannot be sorted: keep first-seen order
            codes, levels = pd.factorize(col, sort=False)
        codes = codes.astype(np.int64)
    blank = _blank(levels) if levels.dtype == object or pd.api.types.is_string_dtype(levels.dtype) \
        else np.zeros(len(levels), dtype=bool)
    if blank.any():
        keep = np.flatnonzero(~blank)
        remap = np.full(len(levels), -1, dtype=np.int64)
        remap[keep] = np.arange(keep.size)
        codes = np.where(codes >= 0, remap[np.maximum(codes, 0)], -1)
        levels = levels[keep]
    return codes, levels


def domains(data: pd.DataFrame, by) -> tuple[np.ndarray, pd.DataFrame]:
    """Integer domain code per row (-1 where a grouping value is missing or blank) and keys.

    Same groups and order as ``groupby(by, sort=True, observed=True, dropna=True)``, built
    from per-column codes: several times faster than ``GroupBy.ngroup`` on a million rows.
    """
    if by is None:
        return np.zeros(len(data), dtype=np.int64), pd.DataFrame(index=[0])
    cols = [by] if isinstance(by, str) else list(by)
    codes, levels = [], []
    for c in cols:
        col = column(data, c, "by")
        code, lev = factor(col)
        codes.append(code.astype(np.int64, copy=False))
        levels.append((lev, col.dtype))
    dims = tuple(max(len(lev), 1) for lev, _ in levels)
    cells = int(np.prod(dims, dtype=np.int64))
    flat = codes[0]
    missing = codes[0] < 0
    for code, dim in zip(codes[1:], dims[1:]):
        flat = flat * dim + code
        missing |= code < 0
    if len(codes) > 1:
        flat[missing] = -1
    if cells <= 5e7:
        # one bincount over the rows, shifted by one so that missing (-1) needs no copy
        seen = np.flatnonzero(np.bincount(flat + 1, minlength=cells + 1)[1:])
        remap = np.full(cells + 1, -1, dtype=np.int64)
        remap[seen + 1] = np.arange(seen.size)
        dom = remap[flat + 1]
    else:
        seen, inv = np.unique(flat[~missing], return_inverse=True)
        dom = np.full(len(data), -1, dtype=np.int64)
        dom[~missing] = inv
    keys = {}
    for c, idx, (lev, dtype) in zip(cols, np.unravel_index(seen, dims), levels):
        if isinstance(dtype, pd.CategoricalDtype):
            keys[c] = pd.Categorical(lev.take(idx), categories=dtype.categories,
                                     ordered=dtype.ordered)
        else:
            keys[c] = lev.take(idx)
    return dom.astype(np.int64, copy=False), pd.DataFrame(keys)


# --------------------------------------------------------------------- resolved design
class Resolved(NamedTuple):
    """A design evaluated on one DataFrame: arrays, no column names."""
    weight: np.ndarray            # per row
    stratum: np.ndarray           # int code per row
    psu: np.ndarray | None        # int code per row (unique across strata) or None: rows are PSUs
    psu_stratum: np.ndarray | None  # stratum of each PSU
    n_psu: np.ndarray             # PSUs per stratum
    scale: np.ndarray             # (1 - f_h) n_h / (n_h - 1) per stratum
    df: float                     # design degrees of freedom: PSUs - strata
    has_fpc: bool
    cal_codes: tuple              # level codes per raking variable (empty: no adjustment)
    cal_weight: np.ndarray | None  # projection weights (base weights) or None (unit)
    se_method: str

    @property
    def n_strata(self) -> int:
        return len(self.n_psu)

    @property
    def calibrated(self) -> bool:
        return bool(self.cal_codes)


def resolve(data: pd.DataFrame, design: Design) -> Resolved:
    """Evaluate ``design`` on ``data``; every message names the column at fault."""
    if not isinstance(data, pd.DataFrame):
        raise ValueError(f"data must be a pandas DataFrame; got data={type(data).__name__}")
    n = len(data)
    if n == 0:
        raise ValueError("data has no rows")
    if design.weight is None:
        w = np.ones(n)
    else:
        w = _check_weights(column(data, design.weight, "weight"),
                           name=f"weight column {design.weight!r}")
    if design.strata is None:
        h = np.zeros(n, dtype=np.int64)
        strata_levels = None
    else:
        h, strata_levels = factor(column(data, design.strata, "strata"))
        if (h < 0).any():
            raise ValueError(f"strata column {design.strata!r} has missing values (first at row "
                             f"{data.index[int(np.flatnonzero(h < 0)[0])]!r})")
    n_strata = int(h.max()) + 1
    if design.cluster is None:
        psu = psu_stratum = None
        n_psu = np.bincount(h, minlength=n_strata).astype(float)
    else:
        code, _ = factor(column(data, design.cluster, "cluster"), sort=False)
        if (code < 0).any():
            raise ValueError(f"cluster column {design.cluster!r} has missing values (first at "
                             f"row {data.index[int(np.flatnonzero(code < 0)[0])]!r})")
        # R's survey treats PSU ids as nested in strata: the same id in two strata is two PSUs.
        psu = pd.factorize(code * n_strata + h)[0].astype(np.int64)
        psu_stratum = np.zeros(int(psu.max()) + 1, dtype=np.int64)
        psu_stratum[psu] = h
        n_psu = np.bincount(psu_stratum, minlength=n_strata).astype(float)
    if (n_psu < 2).any():
        bad = int(np.flatnonzero(n_psu < 2)[0])
        label = "" if strata_levels is None else f" {strata_levels[bad]!r}"
        raise ValueError(f"stratum{label} has a single PSU; its variance cannot be estimated")
    keep = np.ones(n_strata)
    if design.fpc is not None:
        pop = pd.to_numeric(column(data, design.fpc, "fpc"), errors="coerce").to_numpy(float)
        if np.isnan(pop).any():
            raise ValueError(f"fpc column {design.fpc!r} has missing or non-numeric values")
        per = pd.Series(pop).groupby(h).agg(["min", "max"])
        if (per["min"] != per["max"]).any():
            raise ValueError(f"fpc column {design.fpc!r} must be constant within each stratum")
        pop_h = per["min"].to_numpy()
        # As in R: values <= 1 are sampling fractions, larger values population sizes in PSUs.
        with np.errstate(divide="ignore", invalid="ignore"):
            frac = np.where(pop_h <= 1, pop_h, n_psu / np.where(pop_h > 0, pop_h, np.nan))
        if (~np.isfinite(frac) | (frac < 0) | (frac > 1)).any():
            raise ValueError(f"fpc column {design.fpc!r} is smaller than the number of sampled PSUs")
        keep = 1.0 - frac
    scale = keep * n_psu / (n_psu - 1.0)
    cal_codes, cal_weight = (), None
    if design.calibration is not None:
        cal_codes = tuple(_margin_codes(data, design, w))
        if design.weights_fixed:
            cal_codes = ()
        elif design.base_weight is not None:
            cal_weight = _check_weights(column(data, design.base_weight, "base_weight"),
                                        name=f"base_weight column {design.base_weight!r}")
    return Resolved(w, h, psu, psu_stratum, n_psu, scale, float(n_psu.sum() - n_strata),
                    design.fpc is not None, cal_codes, cal_weight, design.se_method)


def _margin_codes(data, design: Design, w: np.ndarray) -> list[np.ndarray]:
    codes = []
    for entry in design.margins:
        name, targets = (entry if isinstance(entry, tuple) else (entry, None))
        code, levels = factor(column(data, name, "margins"))
        if (code < 0).any():
            raise ValueError(f"raking column {name!r} has missing values; a raked design needs "
                             "every row in a level")
        codes.append(code)
        if targets is None:
            continue
        target = pd.Series(dict(targets), dtype=float)
        got = pd.Series(np.bincount(code, weights=w, minlength=len(levels)), index=levels)
        got = got.reindex(target.index, fill_value=0.0)
        share_t, share_w = target / target.sum(), got / w.sum()
        worst = (share_t - share_w).abs()
        if worst.max() > 1e-6:
            lv = worst.idxmax()
            raise ValueError(f"weight column {design.weight!r} is not raked to the margins of "
                             f"{name!r}: weighted share of {lv!r} is {share_w[lv]:.6g}, margin "
                             f"{share_t[lv]:.6g}; rake the weights first (supportstats.rake)")
    return codes
