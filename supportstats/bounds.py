"""Bounds that published aggregates put on what they do not publish.

Pure arithmetic on numbers, knowing nothing of surveys, claims or files: the largest SD a
bounded scale allows at a given mean, the overlap two shares of the same people can have,
how much of a change in a group mean a change in who is in the group could explain, and the
interval of true values behind a rounded or approximate figure. Assumption ranges elsewhere
in the package (SD grids, overlap grids) are capped with these, so that no verdict rests on an
impossible value.

References
----------
Bhatia, R. and Davis, C. (2000). A better bound on the variance. *The American Mathematical
Monthly* 107(4), 353-357: a variable on [low, high] with mean m has variance at most
(m - low)(high - m), attained by putting all mass on the two ends.

Fréchet, M. (1951). Sur les tableaux de corrélation dont les marges sont données. *Annales de
l'Université de Lyon* 3(14), 53-77: two events of probability a and b overlap by at least
max(0, a + b - 1) and at most min(a, b).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["max_sd", "frechet_bounds", "composition_change", "rounding_interval", "approx_interval",
           "APPROX_RELATIVE"]

#: Relative half-width of an approximate figure ("about 5.5%" -> 5.5 ± 5%).
APPROX_RELATIVE = 0.05


def _like(values, template):
    """Return ``values`` shaped like ``template``: float for scalars, Series keeps its index."""
    if isinstance(template, pd.Series):
        return pd.Series(values, index=template.index, name=template.name)
    if np.ndim(template) == 0:
        return float(values)
    return np.asarray(values, dtype=float)


def _array(name, x) -> np.ndarray:
    try:
        arr = np.asarray(x.to_numpy(dtype=float, na_value=np.nan) if isinstance(x, pd.Series) else x,
                         dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numeric; got {name}={x!r}") from None
    return arr


def max_sd(mean, low=0.0, high=100.0):
    """Largest standard deviation a variable bounded by ``low`` and ``high`` can have at ``mean``.

    ``sqrt((mean - low) * (high - mean))`` (Bhatia-Davis): the *population* SD (divisor n) of
    a distribution with all its mass on the two ends of the scale. A sample SD (divisor n - 1)
    can exceed it by the factor sqrt(n / (n - 1)), negligible at survey sizes.

    Parameters
    ----------
    mean : float or array-like or pandas.Series
        Mean(s) on the scale.
    low, high : float, default 0 and 100
        Ends of the scale (CSAT on 0-100; NPS on -100..100).

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        Same shape as ``mean``; NaN where ``mean`` is NaN.

    Raises
    ------
    ValueError
        If ``low >= high`` or a mean lies outside the scale.

    Examples
    --------
    >>> round(max_sd(78), 1), round(max_sd(89), 1)
    (41.4, 31.3)
    >>> round(max_sd(45, low=-100, high=100), 1)     # NPS: sqrt(145 * 55)
    89.3
    >>> max_sd([0, 50, 100]).tolist()
    [0.0, 50.0, 0.0]
    """
    m = _array("mean", mean)
    low, high = float(low), float(high)
    if not low < high:
        raise ValueError(f"the scale needs low < high; got low={low!r}, high={high!r}")
    if np.any((m < low) | (m > high)):
        raise ValueError(f"mean must lie on the scale {low:g}..{high:g}; got mean={mean!r}")
    with np.errstate(invalid="ignore"):
        return _like(np.sqrt((m - low) * (high - m)), mean)


def frechet_bounds(a, b, total=1.0):
    """Smallest and largest overlap of two shares of the same respondents.

    Whatever the respondents answered, the share holding both answers lies between
    ``max(0, a + b - total)`` and ``min(a, b)`` (Fréchet bounds), and every value between is
    attainable.

    Parameters
    ----------
    a, b : float or array-like or pandas.Series
        The two shares, both in the same unit.
    total : float, default 1.0
        The whole: 1 for fractions, 100 for percentages.

    Returns
    -------
    tuple
        ``(low, high)``, each shaped like ``a``.

    Raises
    ------
    ValueError
        If a share lies outside ``0..total``.

    Examples
    --------
    >>> frechet_bounds(0.64, 0.55)                     # doctest: +NUMBER
    (0.19, 0.55)
    >>> frechet_bounds(73, 21, total=100)
    (0.0, 21.0)
    """
    x, y = _array("a", a), _array("b", b)
    total = float(total)
    for name, v, orig in (("a", x, a), ("b", y, b)):
        if np.any((v < 0) | (v > total)):
            raise ValueError(f"{name} must be a share from 0 to {total:g}; got {name}={orig!r}")
    low = np.maximum(0.0, x + y - total)
    high = np.minimum(x, y)
    return _like(low, a), _like(high, a)


def composition_change(share_before, mean_before, share_after, mean_after, low=0.0, high=100.0) -> pd.DataFrame:
    """How much of a change in a group's mean a change in who is in the group could explain.

    The group (say, teams that track NPS) grows from ``share_before`` to ``share_after`` of
    everyone while its mean moves from ``mean_before`` to ``mean_after``. Suppose the earlier
    members all stay and keep their mean: then the newcomers alone must average

        new_mean = (mean_after * share_after - mean_before * share_before) / (share_after - share_before)

    for the group's mean to reach ``mean_after`` with no member changing. If that is possible
    on the scale, a change in composition could explain the whole change; if not, at most
    ``composition_max`` of it, the change newcomers at the end of the scale would make.

    Parameters
    ----------
    share_before, share_after : float or array-like
        Size of the group before and after, in any one unit (fractions or percent).
    mean_before, mean_after : float or array-like
        The group's mean before and after.
    low, high : float, default 0 and 100
        Ends of the scale of the mean.

    Returns
    -------
    pandas.DataFrame
        One row per input, columns

        - ``change`` : ``mean_after - mean_before``
        - ``new_share`` : the newcomers, ``share_after - share_before``, as a fraction of
          the group after (``(share_after - share_before) / share_after``)
        - ``new_mean`` : what the newcomers must average, earlier members unchanged
        - ``feasible`` : whether ``new_mean`` lies on the scale
        - ``composition_max`` : the largest change newcomers alone can make (at ``high``
          for a rise, ``low`` for a fall)
        - ``share_explained`` : ``composition_max / change``, capped at 1 (1 when composition
          alone could explain the whole change)

        NaN where the group did not grow (``share_after <= share_before``): with no newcomers
        this decomposition says nothing.

    Examples
    --------
    NPS trackers grew from 28% to 48% of teams, their mean NPS from 45 to 51:

    >>> composition_change(28, 45, 48, 51, low=-100, high=100).round(3)
       change  new_share  new_mean  feasible  composition_max  share_explained
    0     6.0      0.417      59.4      True           22.917              1.0
    """
    s0, m0 = _array("share_before", share_before), _array("mean_before", mean_before)
    s1, m1 = _array("share_after", share_after), _array("mean_after", mean_after)
    low, high = float(low), float(high)
    if not low < high:
        raise ValueError(f"the scale needs low < high; got low={low!r}, high={high!r}")
    s0, m0, s1, m1 = np.broadcast_arrays(*(np.atleast_1d(v) for v in (s0, m0, s1, m1)))
    grew = s1 > s0
    with np.errstate(invalid="ignore", divide="ignore"):
        gap = np.where(grew, s1 - s0, np.nan)
        new_mean = (m1 * s1 - m0 * s0) / gap
        frac = gap / s1
        change = m1 - m0
        end = np.where(change >= 0, high, low)
        comp_max = frac * (end - m0)
        explained = np.where(change == 0, 1.0, np.minimum(1.0, comp_max / change))
    explained = np.where(grew, explained, np.nan)
    feasible = pd.array(np.where(grew, (new_mean >= low) & (new_mean <= high), False), dtype="boolean")
    feasible[~grew] = pd.NA
    return pd.DataFrame({"change": change.astype(float), "new_share": frac, "new_mean": new_mean,
                         "feasible": feasible, "composition_max": comp_max, "share_explained": explained})


def _half_unit(decimals) -> float:
    if not (isinstance(decimals, (int, np.integer)) and decimals >= 0):
        raise ValueError(f"decimals must be a non-negative whole number; got decimals={decimals!r}")
    return 0.5 * 10.0 ** -int(decimals)


def rounding_interval(value, decimals=0) -> tuple[float, float]:
    """True values that round to ``value`` at ``decimals`` decimals (both ends included).

    Both ends are kept because publishers round halves either way.

    Parameters
    ----------
    value : float
    decimals : int, default 0

    Returns
    -------
    tuple of float
        ``(value - half a unit, value + half a unit)``.

    Examples
    --------
    >>> rounding_interval(64)
    (63.5, 64.5)
    >>> rounding_interval(5.5, 1)
    (5.45, 5.55)
    """
    half = _half_unit(decimals)
    v = float(value)
    d = int(decimals) + 1
    return round(v - half, d), round(v + half, d)


def approx_interval(value, decimals=0, relative=APPROX_RELATIVE) -> tuple[float, float]:
    """True values an approximate figure ("about 5.5%", "約300人", "大約 73%") allows.

    The rule: ``relative`` (5%) of the value either side, and never narrower than the
    figure's rounding interval. "About 300" is 285..315; "about 5.5%" 5.225..5.775; "about
    73%" 69.35..76.65; "about 2" keeps its rounding interval 1.5..2.5, which is wider than
    ±5%. The same ±5% is the project's reading of "nearly 300" as a sample size.

    Parameters
    ----------
    value : float
    decimals : int, default 0
        Decimals the figure was published with.
    relative : float, default :data:`APPROX_RELATIVE`
        Relative half-width.

    Returns
    -------
    tuple of float

    Examples
    --------
    >>> approx_interval(300)
    (285.0, 315.0)
    >>> approx_interval(5.5, 1)
    (5.225, 5.775)
    >>> approx_interval(2)
    (1.5, 2.5)
    """
    if not (isinstance(relative, (int, float)) and 0 <= relative < 1):
        raise ValueError(f"relative must be a fraction from 0 to 1; got relative={relative!r}")
    r_low, r_high = rounding_interval(value, decimals)
    v = float(value)
    spread = abs(v) * relative
    d = int(decimals) + 6       # drops float noise (5.5 * 0.95 = 5.2250000000000005)
    return round(min(r_low, v - spread), d), round(max(r_high, v + spread), d)
