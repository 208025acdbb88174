"""Tests for supportstats.numerals: every number form the source articles use, and the ones they might."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supportstats.numerals import NUMBER_COLUMNS, read_numbers


def values(text, language=None, **where):
    """(low, high) of the readings, outside ranges unless asked, optionally filtered by column values."""
    t = read_numbers(text, language)
    t = t[~t.in_range]
    for col, v in where.items():
        t = t[t[col] == v]
    return [(lo, hi) for lo, hi in zip(t.low, t.high)]


@pytest.mark.parametrize("text, language, low, high, mark", [
    ("64%", None, 64, 64, "percent"),
    ("64 %", "es", 64, 64, "percent"),
    ("６４％", "ja", 64, 64, "percent"),
    ("64パーセント", "ja", 64, 64, "percent"),
    ("64 퍼센트", "ko", 64, 64, "percent"),
    ("el 64 por ciento", "es", 64, 64, "percent"),
    ("百分之六十四", "zh", 64, 64, "percent"),
    ("11パーセントポイント", "ja", 11, 11, "points"),
    ("11 puntos porcentuales", "es", 11, 11, "points"),
    ("11個百分點", "zh", 11, 11, "points"),
    ("10%p 상승", "ko", 10, 10, "points"),
    ("5.5%", None, 5.5, 5.5, "percent"),
    ("5,5 %", "es", 5.5, 5.5, "percent"),
    ("550,000 ドル", "ja", 550000, 550000, "usd"),
    ("$550,000", "en", 550000, 550000, "usd"),
    ("550.000 dólares", "es", 550000, 550000, "usd"),
    ("1,700を超える", "ja", 1700, 1700, None),
    ("五個主要趨勢", "zh", 5, 5, None),
    ("六年", "zh", 6, 6, None),
    ("十二個月", "zh", 12, 12, None),
    ("二十", "zh", 20, 20, None),
    ("五十万", "ja", 500000, 500000, None),
    ("三百五十", "zh", 350, 350, None),
    ("一億五千万", "ja", 150_000_000, 150_000_000, None),
    ("二〇二二年", "zh", 2022, 2022, None),
    ("3万人", "ja", 30000, 30000, None),
    ("1,200万", "ja", 12_000_000, 12_000_000, None),
    ("5천 명", "ko", 5000, 5000, None),
    ("seis", "es", 6, 6, None),
    ("treinta y cinco", "es", 35, 35, None),
    ("ciento veinte", "es", 120, 120, None),
    ("dos mil", "es", 2000, 2000, None),
    ("veintitrés", "es", 23, 23, None),
    ("twenty-five", "en", 25, 25, None),
    ("two hundred and five", "en", 205, 205, None),
    ("-100", None, -100, -100, None),
])
def test_single_numbers(text, language, low, high, mark):
    t = read_numbers(text, language)
    t = t[~t.in_range]
    assert len(t) >= 1, t
    r = t.iloc[0]
    assert (r.low, r.high, r.mark) == (low, high, mark), t


@pytest.mark.parametrize("text, language, low, high", [
    ("人員の5〜10%を節約", "ja", 5, 10),
    ("5–10%", None, 5, 10),
    ("5~10%", "ko", 5, 10),
    ("5%-10%", None, 5, 10),
    ("entre el 5 y el 10 % de nuestro personal", "es", 5, 10),
    ("between 5 and 10 percent", "en", 5, 10),
    ("通常需要五六年的時間", "zh", 5, 6),
    ("十五六歲", "zh", 15, 16),
    ("数十万ドル", "ja", 100_000, 900_000),
    ("數十萬美元", "zh", 100_000, 900_000),
    ("수십만 달러", "ko", 100_000, 900_000),
    ("数百人", "ja", 100, 900),
    ("cientos de profesionales", "es", 100, 900),
    ("cientos de miles", "es", 100_000, 900_000),
    ("hundreds of thousands", "en", 100_000, 900_000),
])
def test_ranges_and_vague_numbers(text, language, low, high):
    t = read_numbers(text, language)
    whole = t[~t.in_range]
    assert (low, high) in list(zip(whole.low, whole.high)), t


def test_range_ends_are_marked_and_carry_the_mark():
    t = read_numbers("人員の5〜10%を節約", "ja")
    assert t.in_range.tolist() == [True, False, True]
    rng = t[~t.in_range].iloc[0]
    assert (rng.text, rng.mark) == ("5〜10%", "percent")


@pytest.mark.parametrize("text, language", [
    ("わずか 2 週間で 10% から 20% 以上に増加", "ja"),
    ("el CSAT promedio aumentó del 78 % al 89 %", "es"),
    ("평균 NPS가 올해 45에서 51로 증가했습니다", "ko"),
    ("dos y tres", "es"),
])
def test_from_a_to_b_is_two_numbers_not_a_range(text, language):
    t = read_numbers(text, language)
    assert not t.in_range.any() and (t.low == t.high).all()


@pytest.mark.parametrize("text, language, value, qualifier", [
    ("昨年の ROAR は約 5.5% で", "ja", 5.5, "approx"),
    ("大約 75% 的領導者", "zh", 75, "approx"),
    ("거의 300명의 지원 리더", "ko", 300, "approx"),
    ("encuestamos a casi 300 líderes", "es", 300, "approx"),
    ("about 300 leaders", "en", 300, "approx"),
    ("1200 多名客戶支持負責人", "zh", 1200, "min"),
    ("従業員10人から10,000人以上の企業", "ja", 10000, "min"),
    ("24時間より長いFRT", "ja", 24, "min"),
    ("FRT de más de 24 horas", "es", 24, "min"),
    ("至少六年了", "zh", 6, "min"),
    ("2 倍以上", "ja", 2, "min"),
    ("1,200+ leaders", "en", 1200, "min"),
    ("300명 이상", "ko", 300, "min"),
    ("20%以下", "ja", 20, "max"),
    ("menos de 20 %", "es", 20, "max"),
    ("従業員10人から", "ja", 10, None),
    ("10%多い", "ja", 10, None),            # "10% more" is a change, not "more than 10%"
    ("大多数 (74%) のリーダー", "ja", 74, None),
])
def test_qualifiers_next_to_the_number(text, language, value, qualifier):
    t = read_numbers(text, language)
    r = t[(t.low == value) & ~t.in_range].iloc[0]
    assert r.qualifier == qualifier, t


def test_hedges_anywhere_in_the_sentence():
    assert read_numbers("そして、おそらく、人員の5〜10%を節約", "ja").hedged.all()
    assert read_numbers("Y probablemente ahorramos entre el 5 y el 10 %", "es").hedged.all()
    assert not read_numbers("人員の5〜10%を節約", "ja").hedged.any()


def test_lone_separator_depends_on_the_language():
    assert values("1,700", "ja") == [(1700, 1700)]
    assert values("1.700", "ja") == [(1.7, 1.7)]
    assert sorted(values("1,700", "es")) == [(1.7, 1.7), (1700, 1700)]     # the articles' Spanish writes 1,700
    assert sorted(values("1.700", "es")) == [(1.7, 1.7), (1700, 1700)]
    assert values("1.234,5", "es") == [(1234.5, 1234.5)]
    assert values("1,234.5", "en") == [(1234.5, 1234.5)]
    assert read_numbers("5.5", "ja").decimals.tolist() == [1]


def test_columns_and_empty_text():
    t = read_numbers("no numbers here")
    assert list(t.columns) == list(NUMBER_COLUMNS) and t.empty
    assert str(t.low.dtype) == "float64" and str(t.in_range.dtype) == "bool"
    with pytest.raises(ValueError, match="string"):
        read_numbers(64)


# --------------------------------------------------------------------------- round trips through Babel
@settings(max_examples=60, deadline=None)
@given(value=st.integers(min_value=0, max_value=10_000_000), locale=st.sampled_from(["ja", "zh_Hant", "ko", "es", "en"]))
def test_reads_back_what_babel_writes(value, locale):
    numbers = pytest.importorskip("babel.numbers")
    lang = locale.split("_")[0]
    text = numbers.format_decimal(value, locale=locale)
    assert (value, value) in values(f"x {text} y", lang), text


@settings(max_examples=40, deadline=None)
@given(tenths=st.integers(min_value=0, max_value=1000), locale=st.sampled_from(["ja", "zh_Hant", "ko", "es", "en"]))
def test_reads_back_babel_percentages(tenths, locale):
    numbers = pytest.importorskip("babel.numbers")
    lang = locale.split("_")[0]
    text = numbers.format_percent(tenths / 1000, locale=locale, format="#,##0.0%")
    got = values(text, lang, mark="percent")
    assert (tenths / 10, tenths / 10) in [(round(a, 6), round(b, 6)) for a, b in got], text


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=1, max_value=99_999))
def test_cjk_numerals_read_back(value):
    digits = "〇一二三四五六七八九"
    units = [(10_000, "万"), (1000, "千"), (100, "百"), (10, "十")]

    def kanji(n):
        out = ""
        for size, ch in units:
            q, n = divmod(n, size)
            if q:
                out += ("" if q == 1 and size < 10_000 else kanji(q) if size == 10_000 else digits[q]) + ch
        return out + (digits[n] if n else "")

    text = kanji(value)
    assert values(text, "ja") == [(value, value)] or (value, value) in values(text, "ja"), text
