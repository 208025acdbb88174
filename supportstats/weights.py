"""Survey weights: Kish design effect and effective n, and raking to population margins.

Raking is iterative proportional fitting done on the table of raking cells (every
weight in a cell is multiplied by the same factor), so a million rows cost one
``bincount`` to build the cells and a few microseconds per iteration after that.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

__all__ = ["design_effect", "effective_n", "rake"]


def _check_weights(weights, name: str = "weights") -> np.ndarray:
    """Positive finite weights as a float array; the message names the first bad one."""
    index = weights.index if isinstance(weights, pd.Series) else None
    try:
        if isinstance(weights, pd.Series):
            arr = weights.to_numpy(dtype=float, na_value=np.nan)
        else:
            arr = np.asarray(weights, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numeric; got dtype "
                         f"{getattr(weights, 'dtype', type(weights).__name__)}") from None
    arr = np.atleast_1d(arr).ravel()
    if arr.size == 0:
        raise ValueError(f"{name} is empty")
    bad = ~np.isfinite(arr) | (arr <= 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        where = f"row {index[i]!r}" if index is not None else f"position {i}"
        raise ValueError(f"{name} must be positive and finite (no missing, zero or negative "
                         f"weights); got {float(arr[i])!r} at {where}")
    return arr


def design_effect(weights) -> float:
    """Kish design effect due to unequal weights, ``n * sum(w^2) / sum(w)^2``.

    Parameters
    ----------
    weights : array-like or pandas.Series
        Positive, finite weights.

    Returns
    -------
    float
        The design effect (1 for equal weights; larger means less information).

    Raises
    ------
    ValueError
        Missing, zero, negative or infinite weights, or no weights.

    References
    ----------
    Kish, L. (1965). *Survey Sampling*. Wiley, section 11.7.

    Examples
    --------
    >>> design_effect([1, 1, 1, 1])
    1.0
    >>> round(design_effect([1, 2, 3, 4]), 4)
    1.2
    """
    w = _check_weights(weights)
    return float(w.size * np.sum(w * w) / np.sum(w) ** 2)


def effective_n(weights) -> float:
    """Kish effective sample size, ``sum(w)^2 / sum(w^2)`` (= n / design effect).

    Parameters
    ----------
    weights : array-like or pandas.Series
        Positive, finite weights.

    Returns
    -------
    float
        The effective sample size.

    Raises
    ------
    ValueError
        Missing, zero, negative or infinite weights, or no weights.

    References
    ----------
    Kish, L. (1965). *Survey Sampling*. Wiley, section 11.7.

    Examples
    --------
    >>> effective_n([1, 2, 3, 4])
    3.3333333333333335
    """
    w = _check_weights(weights)
    return float(np.sum(w) ** 2 / np.sum(w * w))


def _margin_table(data: pd.DataFrame, margins) -> tuple[list[str], list[np.ndarray], list[np.ndarray], str]:
    """Validate margins; return variables, per-row level codes, target shares, kind."""
    if not isinstance(margins, dict) or not margins:
        raise ValueError("margins must be a non-empty dict {column: {level: count or share}}")
    variables = sorted(margins, key=str)   # IPF order fixed, as balance does
    codes, targets, sums = [], [], {}
    for var in variables:
        if var not in data.columns:
            raise KeyError(f"margins names column {var!r}, which is not in data")
        target = pd.Series(margins[var], dtype=float) if not isinstance(margins[var], pd.Series) \
            else margins[var].astype(float)
        if target.isna().any() or (target < 0).any() or not np.isfinite(target).all():
            raise ValueError(f"margin for {var!r} must be non-negative finite numbers; got "
                             f"{dict(target)}")
        col = data[var]
        if col.isna().any():
            raise ValueError(f"raking column {var!r} has missing values; rake needs every row "
                             "in a level")
        sample_levels = pd.unique(col)
        missing = [lv for lv in sample_levels if lv not in target.index]
        if missing:
            raise ValueError(f"sample level {missing[0]!r} of {var!r} has no margin; "
                             f"margin levels are {list(target.index)}")
        present = set(sample_levels)
        for lv, t in target.items():
            if lv not in present and t > 0:
                raise ValueError(f"margin level {lv!r} of {var!r} (target {t:g}) has no sample "
                                 "rows; collapse it or drop it from the margins")
            if lv in present and t == 0:
                raise ValueError(f"margin level {lv!r} of {var!r} has target 0 but sample rows")
        code = pd.Categorical(col, categories=target.index).codes.astype(np.int64)
        sums[var] = float(target.sum())
        codes.append(code)
        targets.append(target.to_numpy() / sums[var])
    totals = np.array(list(sums.values()))
    for var in variables:
        values = pd.Series(margins[var], dtype=float)
        # every target <= 1 reads as shares; shares that do not sum to 1 are an error, never
        # quietly rescaled as if they were counts
        if values.max() <= 1 and abs(sums[var] - 1.0) > 1e-6:
            raise ValueError(f"margin for {var!r} looks like shares (every target <= 1) but sums "
                             f"to {sums[var]:.6g}; shares must sum to 1 (within 1e-6), counts to "
                             "the population total")
    if np.allclose(totals, 1.0, rtol=0, atol=1e-6):
        kind = "shares"
    elif np.allclose(totals, totals[0], rtol=1e-6, atol=0) and (totals > 1 + 1e-6).all():
        kind = "counts"
    else:
        raise ValueError(f"margins do not sum alike: {sums}; give shares (each summing to 1 "
                         "within 1e-6) or counts that all sum to the same population total")
    return variables, codes, targets, kind


def _ipf(cell_w: np.ndarray, cell_codes: list[np.ndarray], targets: list[np.ndarray],
         max_iter: int, tol: float) -> tuple[np.ndarray, int, float]:
    """Iterative proportional fitting on cell totals (shares); returns cells, iters, error."""
    c = cell_w / cell_w.sum()
    err = np.inf
    it = 0
    for it in range(1, max_iter + 1):
        for code, t in zip(cell_codes, targets):
            cur = np.bincount(code, weights=c, minlength=t.size)
            with np.errstate(invalid="ignore", divide="ignore"):
                c = c * np.where(cur > 0, t / cur, 0.0)[code]
        err = max(float(np.max(np.abs(np.bincount(code, weights=c, minlength=t.size) - t)))
                  for code, t in zip(cell_codes, targets))
        if err < tol:
            break
    return c, it, err


def rake(data: pd.DataFrame, margins: dict, weight: str | None = None, max_iter: int = 100,
         tol: float = 1e-8, trim: float | None = None, total=None) -> pd.Series:
    """Rake weights to population margins of several variables (iterative proportional fitting).

    Parameters
    ----------
    data : pandas.DataFrame
    margins : dict
        ``{column: {level: target}}`` (inner dicts or Series). Targets are counts (all
        variables summing to the same population total) or shares (each summing to 1
        within 1e-6); anything else raises. Every sample level needs a margin and every
        positive margin needs sample rows.
    weight : str, optional
        Column of starting (design) weights; ``None`` starts from equal weights.
    max_iter : int, default 100
        Maximum full IPF sweeps (also the maximum trimming rounds).
    tol : float, default 1e-8
        Convergence when every weighted margin share is within ``tol`` of its target.
    trim : float, optional
        Cap weights at ``trim`` times the mean weight, re-raking after each cap until
        both hold (margins then hold to ``tol`` only if the cap allows it).
    total : None, "margins" or float
        Sum of the returned weights: ``None`` the sample size (mean weight 1),
        ``"margins"`` the population total of count margins, or a given number (which
        count margins must sum to).

    Returns
    -------
    pandas.Series
        Raked weights named ``weight``, aligned to ``data.index``. ``.attrs["rake"]``
        holds the convergence report: ``iterations`` (IPF sweeps in total),
        ``max_margin_error`` (largest absolute share error at the end), ``converged``,
        ``trimmed`` (weights at the cap) and ``kind`` (``"counts"`` or ``"shares"``).

    Raises
    ------
    KeyError
        A margin names a column not in data.
    ValueError
        Missing raking values, a sample level without a margin, a positive margin level
        without sample rows, shares not summing to 1, counts not summing to one population
        total, bad starting weights, or ``total="margins"`` with share margins.

    Warns
    -----
    RuntimeWarning
        If IPF (or trimming) has not converged after ``max_iter`` sweeps; the weights are
        returned with ``converged=False`` in the report.

    References
    ----------
    Deming, W. E. & Stephan, F. F. (1940). On a least squares adjustment of a sampled
    frequency table when the expected marginal totals are known. *Ann. Math. Stat.* 11.
    Lumley, T. (2010). *Complex Surveys*, ch. 7 (R ``survey::rake``).

    See Also
    --------
    supportstats.Design : declare the raked weights with ``margins=`` so that standard errors
        use the calibration residuals (as R's ``rake``/``calibrate``).

    Examples
    --------
    >>> df = pd.DataFrame({"size": ["small", "small", "large", "large", "large"],
    ...                    "region": ["east", "west", "east", "west", "west"]})
    >>> w = rake(df, {"size": {"small": 0.5, "large": 0.5},
    ...               "region": {"east": 0.6, "west": 0.4}})
    >>> w.round(4).tolist()
    [1.7056, 0.7944, 1.2944, 0.6028, 0.6028]
    >>> w.groupby(df["region"]).sum().round(6).to_dict()   # 60% of the 5 rows are east
    {'east': 3.0, 'west': 2.0}
    >>> w.attrs["rake"]["converged"]
    True
    """
    if not isinstance(data, pd.DataFrame):
        raise ValueError(f"data must be a pandas DataFrame; got data={type(data).__name__}")
    if len(data) == 0:
        raise ValueError("data has no rows")
    if not (isinstance(max_iter, (int, np.integer)) and max_iter >= 1):
        raise ValueError(f"max_iter must be a positive integer; got max_iter={max_iter!r}")
    if not (isinstance(tol, (int, float)) and tol > 0):
        raise ValueError(f"tol must be a positive number; got tol={tol!r}")
    if trim is not None and not (isinstance(trim, (int, float)) and trim > 1):
        raise ValueError(f"trim must be a number > 1 (cap as a multiple of the mean weight); "
                         f"got trim={trim!r}")
    variables, codes, targets, kind = _margin_table(data, margins)
    if total is None:
        out_total = float(len(data))
    elif isinstance(total, str) and total == "margins":
        if kind != "counts":
            raise ValueError("total='margins' needs count margins; got shares")
        out_total = float(sum(pd.Series(margins[variables[0]], dtype=float)))
    elif isinstance(total, (int, float)) and total > 0:
        out_total = float(total)
        pop = float(sum(pd.Series(margins[variables[0]], dtype=float)))
        if kind == "counts" and abs(pop - out_total) > 1e-6 * out_total:
            raise ValueError(f"count margins sum to a population of {pop:g}, not total={total!r}; "
                             "give total='margins', or shares")
    else:
        raise ValueError(f"total must be None, 'margins' or a positive number; got total={total!r}")
    if weight is None:
        w = np.ones(len(data))
    else:
        if weight not in data.columns:
            raise KeyError(f"weight={weight!r} is not a column of data")
        w = _check_weights(data[weight], name=f"weight column {weight!r}")

    sizes = [t.size for t in targets]
    flat = np.ravel_multi_index(codes, sizes)
    cells, first, cell_of_row = np.unique(flat, return_index=True, return_inverse=True)
    cell_codes = [code[first] for code in codes]

    iterations, trimmed, converged = 0, 0, False
    for _ in range(max_iter):
        cell_w = np.bincount(cell_of_row, weights=w, minlength=cells.size)
        c, it, err = _ipf(cell_w, cell_codes, targets, max_iter, tol)
        iterations += it
        w = w * (c / cell_w * cell_w.sum() / w.sum())[cell_of_row]
        w *= out_total / w.sum()
        if trim is None:
            converged = err < tol
            break
        cap = trim * out_total / w.size
        over = w > cap * (1 + 1e-9)
        trimmed = int(np.sum(w >= cap * (1 - 1e-9)))
        if not over.any() and err < tol:
            converged = True
            break
        w = np.minimum(w, cap)
    if trim is not None:
        # Report the margins of the weights returned, not of the last raking pass.
        err = max(float(np.max(np.abs(np.bincount(code, weights=w, minlength=t.size) / w.sum() - t)))
                  for code, t in zip(codes, targets))
        trimmed = int(np.sum(w >= trim * out_total / w.size * (1 - 1e-9)))
    if not converged:
        warnings.warn(f"rake did not converge within max_iter={max_iter} "
                      f"(max margin error {err:.3g} > tol={tol:g}); check for empty or "
                      "conflicting margins", RuntimeWarning, stacklevel=2)
    out = pd.Series(w, index=data.index, name="weight")
    out.attrs["rake"] = {"iterations": int(iterations), "max_margin_error": float(err),
                         "converged": bool(converged), "trimmed": int(trimmed), "kind": kind}
    return out
