"""Catalogs: every message in every language, same placeholders, locale formats from CLDR (Babel)."""
import string

import pytest

from supportstats.messages import (LANGUAGES, Msg, MessageError, catalog, format_value, label, message_ids, msg,
                                   placeholders, resolve_lang, sentence_case, tr)

SAMPLE = {"int": 1214, "num": 22.14, "num0": 78.4, "num1": 5.5, "pct": 0.645, "pct1": 0.645, "signed": -6.0,
          "year": 2022, "date": "2022-05-06"}


def fill(text):
    return {name: SAMPLE.get(kind, Msg("label.csat")) for name, kind in placeholders(text)}


def test_languages_are_the_articles():
    assert LANGUAGES == ("en", "ja", "zh_Hant", "es", "ko")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_exists_in_every_language(lang):
    missing = sorted(set(message_ids()) - set(catalog(lang)))
    extra = sorted(set(catalog(lang)) - set(message_ids()))
    assert not missing, f"{lang} lacks {missing}"
    assert not extra, f"{lang} has ids English does not: {extra}"


@pytest.mark.parametrize("lang", LANGUAGES[1:])
def test_placeholders_match_english(lang):
    for mid in message_ids():
        assert placeholders(catalog(lang)[mid]) == placeholders(catalog("en")[mid]), (lang, mid)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_renders(lang):
    for mid in message_ids():
        text = tr(mid, lang, **fill(catalog(lang)[mid]))
        assert text.strip() and "{" not in text, (lang, mid, text)


@pytest.mark.parametrize("lang", LANGUAGES[1:])
def test_translations_are_translated(lang):
    # a catalog copied from English would pass the other tests; most texts must differ
    same = [mid for mid in message_ids() if catalog(lang)[mid] == catalog("en")[mid]]
    assert len(same) < 0.25 * len(message_ids()), same


def test_acronyms_survive_in_every_language():
    for lang in LANGUAGES:
        for mid in ("label.csat", "label.iqs", "label.nps", "label.roar", "axis.average_csat"):
            acronym = mid.split(".")[-1].split("_")[-1].upper()
            assert acronym in tr(mid, lang), (lang, mid)


def test_traditional_not_simplified_chinese():
    text = "".join(catalog("zh_Hant").values())
    assert "客戶" in text and "趨勢" in text
    for simplified in "户势数据报显业务为这":
        assert simplified not in text, simplified


def test_locale_formats_follow_cldr():
    assert format_value(0.64, "pct", "en") == "64%"
    assert format_value(0.64, "pct", "es") == "64\xa0%"
    assert format_value(0.64, "pct", "ja") == "64%"
    assert format_value(22.1, "num", "es") == "22,1"
    assert format_value(1214, "int", "en") == "1,214"
    assert format_value(12140, "int", "es") == "12.140"
    assert format_value(0.645, "pct1", "es") == "64,5\xa0%"
    assert format_value(11, "signed", "en") == "+11" and format_value(-0.8, "signed", "es") == "\u22120,8"
    assert format_value(2022, "year", "es") == "2022"
    assert format_value("2022-05-06", "date", "ja") == "2022/05/06"


def test_missing_message_value_and_language_fail_loudly():
    with pytest.raises(MessageError, match="no message 'nope'"):
        tr("nope", "ko")
    with pytest.raises(MessageError, match=r"needs a value for \{n\}"):
        tr("footer.n", "en")
    with pytest.raises(MessageError, match="unknown language"):
        tr("footer.n", "fr", n=1)
    with pytest.raises(MessageError, match="unknown language"):
        resolve_lang("zh")
    assert resolve_lang("all") == LANGUAGES and resolve_lang("es") == ("es",)


def test_label_codes_years_and_survey_labels():
    assert label("vp_head", "es") == "VP / Responsable de soporte"
    assert label(2021, "ja") == "2021年" and label("2021", "en") == "2021"
    assert label("trends_2022.team_burnout", "ko") == "팀이 번아웃을 겪음(2022년)"
    assert label("x", "ja", labels={"x": {"ja": "エックス", "en": "X"}}) == "エックス"
    with pytest.raises(MessageError, match="has no es text"):
        label("x", "es", labels={"x": {"ja": "エックス"}})
    with pytest.raises(MessageError, match="no label for 'unknown_code'"):
        label("unknown_code", "en")


def test_sentence_case_keeps_acronyms():
    assert sentence_case("average CSAT") == "Average CSAT"
    assert sentence_case("tracking NPS") == "Tracking NPS"
    assert sentence_case("  iqs") == "  Iqs"  # a lower-case word is a word, not an acronym
    assert sentence_case("eNPS rose") == "eNPS rose"
    assert "average CSAT".capitalize() == "Average csat"  # the bug this replaces


def test_msg_renders_nested_and_compares():
    m = msg("footer.source", source=msg("source.trends", year=2022))
    assert m.render("es") == "Fuente: Customer Support Trends 2022"
    assert m == msg("footer.source", source=msg("source.trends", year=2022))
    assert "Msg('footer.source'" in repr(m)


def test_placeholder_kinds_are_known():
    kinds = {kind for lang in LANGUAGES for text in catalog(lang).values() for _, kind in placeholders(text)}
    assert kinds <= set(SAMPLE) | {"", "text", "msg"}
    assert all(field is None or field.isidentifier()
               for text in catalog("en").values() for _, field, _, _ in string.Formatter().parse(text))


def test_a_value_given_by_language_renders_in_each():
    """A survey definition's labels ({lang: text}) go into catalog messages as they are."""
    title = msg("survey.title_share", question={"en": "Resolved", "es": "Resuelto"}, share=0.75)
    assert title.render("en") == "Resolved: 75%" and title.render("es") == "Resuelto: 75\xa0%"
    with pytest.raises(MessageError, match="has text in en, es only"):
        title.render("ja")
