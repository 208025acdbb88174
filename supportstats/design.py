"""A survey design, declared once, and the linearization engine every estimator shares.

:class:`Design` names the columns that carry the design (weights, strata, primary sampling
units, finite-population correction) and, for weights raked to population margins, the
raking variables. Estimators accept it as ``design=``; the older ``weight=``, ``strata=``,
``cluster=``, ``fpc=`` arguments build the same object.

Variances are Taylor-linearized as in R's ``survey`` (Lumley 2010): the influence values of
a ratio estimate are totalled per PSU, centred within strata and scaled by
``(1 - f_h) n_h / (n_h - 1)``. Groups are domains of the whole sample. Everything is done on
tables of PSU (or stratum) totals built by one ``bincount`` over the rows, so a million rows
cost a few such passes whatever the number of groups and answer levels. With raked weights
the influence values are first replaced by their residuals from the raking margins (R's
``rake`` and ``calibrate``), which is what makes a raked margin's own share exact.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

from .weights import _check_weights

__all__ = ["Design"]

# Largest dense (domain x PSU x level) table built in memory; beyond it a sparse path is used.
_DENSE_CELLS = 20_000_000


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


# ------------------------------------------------------------------ calibration residuals
def residualize(res: Resolved, u: np.ndarray) -> np.ndarray:
    """Replace influence values ``u`` (rows x k) by their residuals from the raking margins.

    ``u / w`` is regressed on the indicators of every raking level (least squares weighted
    by the base weights, or unweighted when none are given) and the residual is multiplied
    back by ``w``: R's ``calibrate`` (``qr.resid`` on the base weights) and, converged, R's
    ``rake`` (its back-fitting of unweighted margin means).
    """
    if not res.calibrated:
        return u
    u = np.asarray(u, dtype=float)
    flat = u.ndim == 1
    u2 = u[:, None] if flat else u
    r = u2 / res.weight[:, None]
    omega = np.ones(len(r)) if res.cal_weight is None else res.cal_weight
    sizes = [int(c.max()) + 1 for c in res.cal_codes]
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    k = int(offsets[-1])
    gram = np.zeros((k, k))
    for i, (ci, si) in enumerate(zip(res.cal_codes, sizes)):
        for j, (cj, sj) in enumerate(zip(res.cal_codes, sizes)):
            if j < i:
                continue
            block = np.bincount(ci * sj + cj, weights=omega, minlength=si * sj).reshape(si, sj)
            gram[offsets[i]:offsets[i + 1], offsets[j]:offsets[j + 1]] = block
            gram[offsets[j]:offsets[j + 1], offsets[i]:offsets[i + 1]] = block.T
    rhs = np.vstack([np.column_stack([np.bincount(c, weights=omega * r[:, col], minlength=s)
                                      for col in range(r.shape[1])])
                     for c, s in zip(res.cal_codes, sizes)])
    beta = np.linalg.pinv(gram) @ rhs
    fitted = sum(beta[offsets[i] + c] for i, c in enumerate(res.cal_codes))
    out = (r - fitted) * res.weight[:, None]
    return out[:, 0] if flat else out


# ----------------------------------------------------------------------- variance engine
def _stratum_centre(t: np.ndarray, res: Resolved, unit_stratum: np.ndarray) -> np.ndarray:
    """Centre PSU totals ``t`` (..., units) within strata and scale by sqrt(scale_h)."""
    flat = t.reshape(-1, t.shape[-1])
    sums = np.stack([np.bincount(unit_stratum, weights=row, minlength=res.n_strata)
                     for row in flat]).reshape(t.shape[:-1] + (res.n_strata,))
    means = sums / res.n_psu
    return (t - means[..., unit_stratum]) * np.sqrt(res.scale[unit_stratum])


def design_cov(z: np.ndarray, res: Resolved) -> np.ndarray:
    """Covariance matrix of the totals of the columns of z (rows x k) under the design."""
    z = residualize(res, z)
    if res.psu is None:
        totals, unit_h = z, res.stratum
    else:
        n_units = len(res.psu_stratum)
        totals = np.column_stack([np.bincount(res.psu, weights=z[:, j], minlength=n_units)
                                  for j in range(z.shape[1])])
        unit_h = res.psu_stratum
    centred = _stratum_centre(totals.T, res, unit_h).T
    return centred.T @ centred


class Moments(NamedTuple):
    """Domain estimates of one question: J columns (answer levels, or one mean)."""
    estimate: np.ndarray          # (D, J)
    var: np.ndarray               # (D, J)
    cov: np.ndarray | None        # (J, D, D) when asked for
    n: np.ndarray                 # (D,) answers in the domain
    sum_w: np.ndarray             # (D,)
    sum_w2: np.ndarray            # (D,)
    svyvar: np.ndarray            # (D, J): R's svyvar (weighted variance, n/(n-1))
    units_in: np.ndarray | None = None   # (D, PSUs) bool: PSUs with an answer (clustered)
    strata_in: np.ndarray | None = None  # (D, strata) bool: strata with an answer


def moments(res: Resolved, dom: np.ndarray, n_dom: int, *, codes=None, n_levels=None,
            y=None, cov: bool = False) -> Moments:
    """Ratio estimates by domain with linearized variances (and covariances across domains).

    Give either ``codes`` (answer level per row, ``n_levels`` of them: one share per level)
    or ``y`` (numeric: one mean). ``dom`` is -1 for rows outside every domain (a missing
    answer or grouping value); they still count as PSUs of the design, as in R's domains.
    """
    if not res.calibrated:
        units = res.n_strata if res.psu is None else len(res.psu_stratum)
        J = 1 if codes is None else int(n_levels)
        if (n_dom + 1) * units * J <= _DENSE_CELLS:
            return _moments_from_tables(res, dom, n_dom, codes, J,
                                        None if y is None else np.asarray(y, dtype=float), cov)
    inside = dom >= 0
    d = dom[inside]
    w = res.weight[inside]
    sum_w = np.bincount(d, weights=w, minlength=n_dom)
    sum_w2 = np.bincount(d, weights=w * w, minlength=n_dom)
    n = np.bincount(d, minlength=n_dom).astype(float)
    centred = None
    if codes is not None:
        J = int(n_levels)
        tot = np.bincount(d * J + codes[inside], weights=w, minlength=n_dom * J).reshape(n_dom, J)
        centre = 0.0
    else:
        # centred on the overall mean, so the moment sums below do not cancel digits away
        y_all = np.asarray(y, dtype=float)
        centre = float(np.sum(w * y_all[inside]) / max(np.sum(w), 1e-300))
        centred = y_all - centre
        yc = centred[inside]
        J = 1
        tot = np.bincount(d, weights=w * yc, minlength=n_dom)[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        est_c = tot / sum_w[:, None]
    if codes is not None:
        svyvar = est_c * (1 - est_c)
    else:
        wy2 = np.bincount(d, weights=w * yc * yc, minlength=n_dom)
        with np.errstate(invalid="ignore", divide="ignore"):
            svyvar = (wy2 / sum_w - est_c[:, 0] ** 2)[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        svyvar = svyvar * (n / (n - 1))[:, None]
    args = (res, dom, inside, n_dom, J, est_c, sum_w, codes, centred)
    if res.calibrated:
        var, cv = _var_rows(*args, cov=cov)
    elif res.psu is None:
        var, cv = _var_strata(*args, cov=cov)
    elif not cov:
        var, cv = _var_sparse(*args), None
    else:
        var, cv = _var_rows(*args, cov=cov)
    return Moments(est_c + centre, np.maximum(var, 0.0), cv, n, sum_w, sum_w2, svyvar)


def _moments_from_tables(res, dom, n_dom, codes, J, y, cov) -> Moments:
    """Estimates by domain from a few bincounts over the rows: the fast path.

    Tables are by (domain, unit, level), a unit being a PSU, or a stratum when rows are
    the PSUs (then sums of w and w^2 per stratum give the sums of z and z^2 exactly). Rows
    outside every domain go to an extra domain 0 that is dropped, so no row is copied.
    """
    clustered = res.psu is not None
    units = len(res.psu_stratum) if clustered else res.n_strata
    key = (dom + 1) * units + (res.psu if clustered else res.stratum)
    w = res.weight
    D1 = n_dom + 1

    def table(weights=None, levels=1, k=key):
        return np.bincount(k, weights=weights, minlength=D1 * units * levels).reshape(
            D1, units, levels)[1:]

    centre = 0.0
    if codes is not None:
        lkey = key * J + codes
        a = table(w, J, lkey)                                   # sum of w by level
        counts = table(None, J, lkey).sum(2)
        w_du = a.sum(2)
    else:
        inside = dom >= 0
        sw_in = float(np.sum(w, where=inside))
        centre = float(np.sum(w * y, where=inside) / max(sw_in, 1e-300))
        yc = np.where(inside, y - centre, 0.0)                  # NaN answers are outside
        wy = w * yc
        a = table(wy)
        w_du = table(w)[:, :, 0]
        counts = table()[:, :, 0]
    sum_w = w_du.sum(1)
    n = counts.sum(1).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        est_c = a.sum(1) / sum_w[:, None]
    if codes is not None:
        svyvar = est_c * (1 - est_c)
    else:
        wy2 = np.bincount(dom + 1, weights=wy * yc, minlength=D1)[1:]
        with np.errstate(invalid="ignore", divide="ignore"):
            svyvar = (wy2 / sum_w - est_c[:, 0] ** 2)[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        svyvar = svyvar * (n / (n - 1))[:, None]
    if clustered:
        sum_w2 = np.bincount(dom + 1, weights=w * w, minlength=D1)[1:]
        with np.errstate(invalid="ignore", divide="ignore"):
            t = (a - est_c[:, None, :] * w_du[:, :, None]) / sum_w[:, None, None]
        tc = _stratum_centre(np.nan_to_num(np.moveaxis(t, 2, 0)), res, res.psu_stratum)
        var = np.einsum("jdp,jdp->dj", tc, tc)
        cv = np.einsum("jap,jbp->jab", tc, tc) if cov else None
        units_in = counts > 0
        strata_in = np.stack([np.bincount(res.psu_stratum, weights=row, minlength=res.n_strata)
                              for row in units_in]) > 0
    else:
        w2 = w * w
        if codes is not None:
            tw2 = table(w2, J, lkey)
            w2_dh = tw2.sum(2)
            pp = est_c[:, None, :]
            s = a - pp * w_du[:, :, None]
            q = (1 - 2 * pp) * tw2 + pp * pp * w2_dh[:, :, None]
        else:
            w2_dh = table(w2)[:, :, 0]
            w2y = w2 * yc
            sw2y, sw2y2 = table(w2y)[:, :, 0], table(w2y * yc)[:, :, 0]
            mu = est_c[:, :1]
            s = a - (mu * w_du)[:, :, None]
            q = (sw2y2 - 2 * mu * sw2y + mu * mu * w2_dh)[:, :, None]
        sum_w2 = w2_dh.sum(1)
        with np.errstate(invalid="ignore", divide="ignore"):
            s = np.nan_to_num(s / sum_w[:, None, None])
            q = np.nan_to_num(q / (sum_w * sum_w)[:, None, None])
        var, cv = _strata_var_cov(res, s, q, n_dom, cov)
        units_in, strata_in = None, counts > 0
    return Moments(est_c + centre, np.maximum(var, 0.0), cv, n, sum_w, sum_w2, svyvar,
                   units_in, strata_in)


def _strata_var_cov(res, s, q, n_dom, cov):
    """Variance (and covariance) from per-(domain, stratum) sums of z and z^2, rows = PSUs."""
    scale, n_h = res.scale[None, :, None], res.n_psu[None, :, None]
    var = np.sum(scale * (q - s * s / n_h), axis=1)
    if not cov:
        return var, None
    cross = -np.einsum("ahj,bhj,h->jab", s, s, res.scale / res.n_psu)
    idx = np.arange(n_dom)
    cross[:, idx, idx] = var.T
    return var, cross


def _var_strata(res, dom, inside, n_dom, J, est_c, sum_w, codes, yc, *, cov):
    """Rows are the PSUs: sums of z and z^2 per (domain, stratum) from weighted moments."""
    H = res.n_strata
    d, h, w = dom[inside], res.stratum[inside], res.weight[inside]
    key = d * H + h
    m = n_dom * H
    if codes is not None:
        k2 = key * J + codes[inside]
        sw = np.bincount(k2, weights=w, minlength=m * J).reshape(n_dom, H, J)
        sw2 = np.bincount(k2, weights=w * w, minlength=m * J).reshape(n_dom, H, J)
        w_dh, w2_dh = sw.sum(2), sw2.sum(2)
        p = est_c[:, None, :]
        s = sw - p * w_dh[:, :, None]
        q = (1 - 2 * p) * sw2 + p * p * w2_dh[:, :, None]
    else:
        y = yc[inside]
        sums = [np.bincount(key, weights=v, minlength=m).reshape(n_dom, H)
                for v in (w, w * y, w * w, w * w * y, w * w * y * y)]
        sw, swy, sw2, sw2y, sw2y2 = sums
        mu = est_c[:, :1]
        s = (swy - mu * sw)[:, :, None]
        q = (sw2y2 - 2 * mu * sw2y + mu * mu * sw2)[:, :, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.nan_to_num(s / sum_w[:, None, None])
        q = np.nan_to_num(q / (sum_w * sum_w)[:, None, None])
    return _strata_var_cov(res, s, q, n_dom, cov)


def _var_sparse(res, dom, inside, n_dom, J, est_c, sum_w, codes, yc):
    """Variances only, over the (domain, PSU) pairs present: for very many domains."""
    n_units = len(res.psu_stratum)
    d, psu, w = dom[inside], res.psu[inside], res.weight[inside]
    uniq, first, inv = np.unique(d * n_units + psu, return_index=True, return_inverse=True)
    dd, hh = uniq // n_units, res.stratum[inside][first]
    out = np.zeros((n_dom, J))
    for j in range(J):
        yj = (codes[inside] == j).astype(float) if codes is not None else yc[inside]
        with np.errstate(invalid="ignore", divide="ignore"):
            z = np.nan_to_num(w * (yj - est_c[d, j]) / sum_w[d])
        t = np.bincount(inv, weights=z)
        cell = dd * res.n_strata + hh
        s1 = np.bincount(cell, weights=t, minlength=n_dom * res.n_strata)
        s2 = np.bincount(cell, weights=t * t, minlength=n_dom * res.n_strata)
        var = np.tile(res.scale, n_dom) * (s2 - s1 * s1 / np.tile(res.n_psu, n_dom))
        out[:, j] = var.reshape(n_dom, res.n_strata).sum(axis=1)
    return out


def _var_rows(res, dom, inside, n_dom, J, est_c, sum_w, codes, yc, *, cov):
    """One influence vector per domain over all rows: needed when weights are raked."""
    n = len(dom)
    dd = np.where(inside, dom, 0)
    var = np.zeros((n_dom, J))
    cv = np.zeros((J, n_dom, n_dom)) if cov else None
    unit_h = res.stratum if res.psu is None else res.psu_stratum
    chunk = max(1, int(2e7 // n))
    for j in range(J):
        yj = (codes == j).astype(float) if codes is not None else np.nan_to_num(yc)
        with np.errstate(invalid="ignore", divide="ignore"):
            z = np.where(inside, res.weight * (yj - est_c[dd, j]) / sum_w[dd], 0.0)
        z = np.nan_to_num(z)
        tcs = []
        for start in range(0, n_dom, chunk):
            ids = np.arange(start, min(start + chunk, n_dom))
            u = np.where(dom[:, None] == ids[None, :], z[:, None], 0.0)
            u = residualize(res, u)
            if res.psu is not None:
                u = np.column_stack([np.bincount(res.psu, weights=u[:, k], minlength=len(unit_h))
                                     for k in range(u.shape[1])])
            tc = _stratum_centre(u.T, res, unit_h)
            var[ids, j] = np.einsum("dp,dp->d", tc, tc)
            tcs.append(tc)
        if cov:
            full = np.vstack(tcs)
            cv[j] = full @ full.T
    return var, cv


def domain_df(res: Resolved, dom: np.ndarray, n_dom: int, pairs=None, mom=None) -> np.ndarray:
    """Design df of each domain as R's ``degf`` of the subset design: PSUs with a member
    minus strata with a member. With ``pairs`` (k x 2 domain indices), of each union.
    ``mom`` (from :func:`moments` on the same domains) saves passes over the rows."""
    if mom is not None and mom.strata_in is not None:
        strata_in = mom.strata_in
        units = mom.n if mom.units_in is None else mom.units_in
        if pairs is None:
            count = units if units.ndim == 1 else units.sum(1)
            return (count - strata_in.sum(1)).astype(float)
        a, b = np.asarray(pairs).T
        count = units[a] + units[b] if units.ndim == 1 else (units[a] | units[b]).sum(1)
        return (count - (strata_in[a] | strata_in[b]).sum(1)).astype(float)
    inside = dom >= 0
    d = dom[inside]
    H = res.n_strata
    strata_in = np.bincount(d * H + res.stratum[inside], minlength=n_dom * H).reshape(n_dom, H) > 0
    if res.psu is None:
        units_n = np.bincount(d, minlength=n_dom).astype(float)
        if pairs is None:
            return units_n - strata_in.sum(1)
        a, b = np.asarray(pairs).T
        return units_n[a] + units_n[b] - (strata_in[a] | strata_in[b]).sum(1)
    P = len(res.psu_stratum)
    if n_dom * P <= 5e7:
        psu_in = np.bincount(d * P + res.psu[inside], minlength=n_dom * P).reshape(n_dom, P) > 0
        if pairs is None:
            return (psu_in.sum(1) - strata_in.sum(1)).astype(float)
        a, b = np.asarray(pairs).T
        return ((psu_in[a] | psu_in[b]).sum(1) - (strata_in[a] | strata_in[b]).sum(1)).astype(float)
    uniq = np.unique(d * P + res.psu[inside])
    units_n = np.bincount(uniq // P, minlength=n_dom).astype(float)
    if pairs is not None:
        raise ValueError("too many groups x PSUs for pairwise degrees of freedom")
    return units_n - strata_in.sum(1)
