"""Taylor linearization of ratio estimates by domain: the engine every estimator shares.

Variances are linearized as in R's ``survey`` (Lumley 2010): the influence values of a
ratio estimate are totalled per PSU, centred within strata and scaled by
``(1 - f_h) n_h / (n_h - 1)``. Groups are domains of the whole sample. The work is done on
tables of PSU (or stratum) totals built by a few ``bincount`` passes over the rows, so a
million rows cost about the same whatever the number of groups and answer levels. With
raked weights the influence values are first replaced by their residuals from the raking
margins (R's ``rake`` and ``calibrate``), which is what makes a raked margin's own share
exact.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .design import Resolved

__all__: list[str] = []

# Largest dense (domain x PSU x level) table built in memory; beyond it a sparse path is used.
_DENSE_CELLS = 20_000_000


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
