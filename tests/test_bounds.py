"""Tests for supportstats.bounds against hand arithmetic and exact enumeration."""
from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from supportstats.bounds import (APPROX_RELATIVE, approx_interval, composition_change, frechet_bounds, max_sd,
                                 rounding_interval)


# --------------------------------------------------------------------------- max_sd
def test_max_sd_hand_values():
    assert round(max_sd(78), 1) == 41.4                     # sqrt(78 * 22)
    assert round(max_sd(89), 1) == 31.3                     # sqrt(89 * 11)
    assert round(max_sd(45, low=-100, high=100), 1) == 89.3  # sqrt(145 * 55)
    assert max_sd(50) == 50.0 and max_sd(0) == 0.0 and max_sd(100) == 0.0


def test_max_sd_is_the_sd_of_the_two_point_distribution():
    # 78% of answers at 100 and 22% at 0 have mean 78 and population SD 100 * sqrt(.78 * .22)
    values = np.r_[np.full(78, 100.0), np.zeros(22)]
    assert values.mean() == 78 and max_sd(78) == pytest.approx(values.std(ddof=0))


def test_max_sd_by_exact_enumeration():
    # every multiset of 4 answers on 0..10: no SD exceeds the bound, and it is reached at the means
    # that two-point mixtures of 0 and 10 can make (0, 2.5, 5, 7.5, 10)
    best = {}
    for combo in itertools.combinations_with_replacement(range(11), 4):
        m, sd = np.mean(combo), np.std(combo, ddof=0)
        best[m] = max(best.get(m, 0.0), sd)
    for m, sd in best.items():
        assert sd <= max_sd(m, 0, 10) + 1e-12
    for m in (0, 2.5, 5, 7.5, 10):
        assert best[m] == pytest.approx(max_sd(m, 0, 10))


def test_max_sd_keeps_the_shape_of_its_input():
    assert isinstance(max_sd(78), float)
    arr = max_sd([78, 89])
    assert isinstance(arr, np.ndarray) and arr.round(1).tolist() == [41.4, 31.3]
    s = max_sd(pd.Series([78.0, np.nan], index=["csat_2021", "x"], name="mean"))
    assert list(s.index) == ["csat_2021", "x"] and s.name == "mean" and np.isnan(s["x"])


@pytest.mark.parametrize("kwargs, match", [
    (dict(mean=101), "on the scale"), (dict(mean=-1), "on the scale"),
    (dict(mean=5, low=10, high=0), "low < high"), (dict(mean="a"), "numeric"),
])
def test_max_sd_rejects_impossible_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        max_sd(**kwargs)


# --------------------------------------------------------------------------- Fréchet
@pytest.mark.parametrize("a, b, low, high", [
    (64, 55, 19, 55), (74, 49, 23, 49), (73, 21, 0, 21), (100, 30, 30, 30), (0, 50, 0, 0),
])
def test_frechet_hand_values(a, b, low, high):
    assert frechet_bounds(a, b, total=100) == (low, high)
    lo, hi = frechet_bounds(a / 100, b / 100)
    assert (lo, hi) == pytest.approx((low / 100, high / 100))


def test_frechet_by_exact_enumeration():
    # n = 20 respondents: for every pair of margins, the overlaps a 2x2 table can have
    n = 20
    for ka in range(n + 1):
        for kb in range(n + 1):
            possible = [k for k in range(n + 1) if k <= ka and k <= kb and n - ka - kb + k >= 0]
            low, high = frechet_bounds(ka, kb, total=n)
            assert (min(possible), max(possible)) == (low, high)
            assert possible == list(range(int(low), int(high) + 1))     # every value between is attainable


def test_frechet_vectorised_and_checked():
    low, high = frechet_bounds(np.array([0.64, 0.74]), np.array([0.55, 0.49]))
    assert low == pytest.approx([0.19, 0.23]) and high == pytest.approx([0.55, 0.49])
    with pytest.raises(ValueError, match="share from 0 to 100"):
        frechet_bounds(120, 5, total=100)


# --------------------------------------------------------------------------- composition
def test_composition_nps_hand_arithmetic():
    r = composition_change(28, 45, 48, 51, low=-100, high=100).iloc[0]
    assert r.new_mean == pytest.approx((51 * 0.48 - 45 * 0.28) / 0.20)    # 59.4
    assert r.new_mean == pytest.approx(59.4)
    assert r.new_share == pytest.approx(20 / 48) and bool(r.feasible)
    assert r.composition_max == pytest.approx(20 / 48 * (100 - 45))       # 22.92
    assert r.share_explained == 1.0


def test_composition_reconstructs_the_published_mean():
    # 28 old trackers at 45 and 20 newcomers at 59.4 average exactly 51 over 48
    new_mean = composition_change(0.28, 45, 0.48, 51).new_mean.iloc[0]
    assert (28 * 45 + 20 * new_mean) / 48 == pytest.approx(51)


def test_composition_that_needs_an_impossible_mean():
    # 28% -> 30%, 45 -> 51: newcomers would need (51*30 - 45*28)/2 = 135 > 100
    r = composition_change(28, 45, 30, 51).iloc[0]
    assert r.new_mean == pytest.approx(135) and not bool(r.feasible)
    assert r.composition_max == pytest.approx(2 / 30 * 55)
    assert r.share_explained == pytest.approx((2 / 30 * 55) / 6)


def test_composition_of_a_fall_and_of_a_group_that_did_not_grow():
    fall = composition_change(20, 80, 40, 60).iloc[0]              # newcomers at 40 pull 80 down to 60
    assert fall.new_mean == pytest.approx(40) and fall.composition_max == pytest.approx(0.5 * (0 - 80))
    assert fall.share_explained == 1.0
    shrink = composition_change(40, 60, 30, 70).iloc[0]
    assert math.isnan(shrink.new_mean) and pd.isna(shrink.feasible) and math.isnan(shrink.share_explained)


def test_composition_vectorised_over_rounding_corners():
    corners = np.array(list(itertools.product((27.5, 28.5), (44.5, 45.5), (47.5, 48.5), (50.5, 51.5))))
    out = composition_change(*corners.T, low=-100, high=100)
    assert len(out) == 16
    assert out.new_mean.max() == pytest.approx(1178 / 19) and out.new_mean.min() == pytest.approx(1198 / 21)


# --------------------------------------------------------------------------- intervals
def test_rounding_interval():
    assert rounding_interval(64) == (63.5, 64.5)
    assert rounding_interval(5.5, 1) == (5.45, 5.55)
    assert rounding_interval(550000) == (549999.5, 550000.5)
    with pytest.raises(ValueError, match="decimals"):
        rounding_interval(5, -1)


def test_approx_interval_rule():
    assert APPROX_RELATIVE == 0.05
    assert approx_interval(5.5, 1) == (5.225, 5.775)
    assert approx_interval(73) == (69.35, 76.65)
    assert approx_interval(300) == (285, 315)
    assert approx_interval(2) == (1.5, 2.5)                    # rounding is wider than ±5% here
    assert approx_interval(-40) == (-42, -38)
    assert approx_interval(73, relative=0.1) == pytest.approx((65.7, 80.3))
    for v, d in [(5.5, 1), (73, 0), (2, 0), (0.25, 2)]:
        r, a = rounding_interval(v, d), approx_interval(v, d)
        assert a[0] <= r[0] and a[1] >= r[1]
