"""Message catalogs: every string a figure draws, in five languages, with locale-formatted numbers.

One YAML file per language in ``supportstats/locales/<lang>.yml`` maps a message id to its
text. Placeholders are named and typed, ``{n:int}``, ``{share:pct}``, and are formatted for
the language with Babel (CLDR data): ``1,214`` / ``1.214``, ``64%`` / ``64 %``, a decimal
comma in Spanish. The languages are those of the source articles: ``en``, ``ja``,
``zh_Hant`` (Traditional characters, as the Chinese article is written), ``es``, ``ko``.

A message missing from one language is an error, never a silent fallback to English; the
tests walk every id in every language and check that placeholders agree.

Placeholder kinds (the part after the colon):

``int``     whole number with the locale's grouping (``1,214``)
``num``     number, up to three decimals as needed (``22.1``, ``22,1``)
``num0``    number rounded to a whole (``78``)
``num1``    number with one decimal (``5.5``)
``pct``     a share 0–1 as a whole percent (``64%``, ``64 %``)
``pct1``    a share 0–1 as a percent with up to one decimal (``64.5%``)
``signed``  a number with its sign, ``+11``/``−6`` (typographic minus), up to one decimal
``year``    a year, never grouped (``2022``)
``date``    a ``datetime.date`` in the locale's medium form
``text``    text as given (the default when no kind is written; a bare number is ``int``/``num``);
            a mapping ``{lang: text}`` gives the text of the language rendered
``msg``     a :class:`Msg` (or a plain string), rendered in the same language
"""
from __future__ import annotations

import datetime as _dt
import functools
import math
import re
import string
from collections.abc import Mapping
from pathlib import Path

import yaml

__all__ = ["LANGUAGES", "Msg", "msg", "tr", "label", "sentence_case", "format_value", "catalog",
           "message_ids", "placeholders", "MessageError", "resolve_lang"]

#: The languages of the source articles, English first; also the figure folder names.
LANGUAGES: tuple[str, ...] = ("en", "ja", "zh_Hant", "es", "ko")
_LOCALES = Path(__file__).with_name("locales")
_MINUS = "\u2212"


class MessageError(KeyError):
    """A message id, placeholder or language the catalogs do not have."""

    def __str__(self):  # KeyError would quote the whole message
        return str(self.args[0]) if self.args else ""


class Msg:
    """A message id with its values, rendered later in whatever language is asked for.

    Chart functions take ``Msg`` wherever they take text, so one call can draw a figure in
    every language. Values may themselves be ``Msg`` (rendered in the same language).

    Examples
    --------
    >>> m = Msg("footer.n", n=1214)
    >>> m.render("en"), m.render("es")
    ('n = 1,214', 'n = 1.214')
    """

    __slots__ = ("id", "values")

    def __init__(self, id, /, **values):  # noqa: A002 - "id" is the catalog's word
        self.id, self.values = str(id), dict(values)

    def render(self, lang: str) -> str:
        """The text in ``lang``."""
        return tr(self.id, lang, **self.values)

    def __repr__(self):
        args = "".join(f", {k}={v!r}" for k, v in self.values.items())
        return f"Msg({self.id!r}{args})"

    def __eq__(self, other):
        return isinstance(other, Msg) and (self.id, self.values) == (other.id, other.values)

    __hash__ = None


def msg(id, /, **values) -> Msg:  # noqa: A002
    """Shorthand for :class:`Msg`: ``msg("footer.source", source=msg("source.trends", year=2022))``.

    Examples
    --------
    >>> msg("footer.source", source=msg("source.trends", year=2022)).render("ja")
    '出典：Customer Support Trends 2022'
    """
    return Msg(id, **values)


def resolve_lang(lang) -> tuple[str, ...]:
    """The languages ``lang`` asks for: ``"all"`` → every one; a code → that one.

    Raises
    ------
    MessageError
        For a code that is not one of :data:`LANGUAGES`.

    Examples
    --------
    >>> resolve_lang("all")[:2], resolve_lang("zh_Hant"), resolve_lang(["ko", "en"])
    (('en', 'ja'), ('zh_Hant',), ('en', 'ko'))
    """
    if lang == "all" or lang is None:
        return LANGUAGES
    wanted = [lang] if isinstance(lang, str) else list(lang)
    bad = [code for code in wanted if code not in LANGUAGES]
    if bad or not wanted:
        raise MessageError(f"unknown language {bad[0] if bad else lang!r}; expected 'all' or one of "
                           f"{', '.join(LANGUAGES)}")
    return tuple(code for code in LANGUAGES if code in wanted)


# ----------------------------------------------------------------------------- catalogs

@functools.lru_cache(maxsize=None)
def catalog(lang: str) -> dict[str, str]:
    """The message catalog of one language: ``{message id: text}``.

    Examples
    --------
    >>> catalog("zh_Hant")["label.csat"]
    'CSAT'
    """
    if lang not in LANGUAGES:
        raise MessageError(f"unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}")
    path = _LOCALES / f"{lang}.yml"
    # libyaml's parser where PyYAML has it: the five catalogs in 5 ms, not 45 ms, in every kernel
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise MessageError(f"{path}: expected a flat mapping of message id to text")
    return {str(k): v for k, v in data.items()}


def message_ids() -> list[str]:
    """Every message id, as the English catalog (the reference) lists them.

    Examples
    --------
    >>> "footer.synthetic" in message_ids()
    True
    """
    return sorted(catalog("en"))


def placeholders(text: str) -> set[tuple[str, str]]:
    """The ``(name, kind)`` placeholders of a message text.

    Examples
    --------
    >>> sorted(placeholders("n = {n:int}, {what}"))
    [('n', 'int'), ('what', '')]
    """
    return {(name, spec or "") for _, name, spec, _ in string.Formatter().parse(text) if name is not None}


# ----------------------------------------------------------------------------- numbers

@functools.lru_cache(maxsize=None)
def _locale(lang: str):
    from babel import Locale

    return Locale.parse(lang)


def _finite(value) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"cannot format {value!r} as a number")
    return number


def _decimal(value, lang, digits):
    from babel.numbers import format_decimal

    rounded = round(_finite(value), digits)
    text = format_decimal(rounded + 0.0, locale=_locale(lang), decimal_quantization=False)
    return text.replace("-", _MINUS)


def _percent(value, lang, digits):
    from babel.numbers import format_percent

    rounded = round(_finite(value) * 100, digits) / 100
    return format_percent(rounded + 0.0, locale=_locale(lang), decimal_quantization=False).replace("-", _MINUS)


def _signed(value, lang):
    number = round(_finite(value), 1)
    body = _decimal(abs(number), lang, 1)
    return body if number == 0 else ("+" if number > 0 else _MINUS) + body


def _date(value, lang):
    from babel.dates import format_date

    if isinstance(value, str):
        value = _dt.date.fromisoformat(value)
    return format_date(value, format="medium", locale=_locale(lang))


_KINDS = {
    "int": lambda v, lang: _decimal(round(_finite(v)), lang, 0),
    "num": lambda v, lang: _decimal(v, lang, 3),
    "num0": lambda v, lang: _decimal(v, lang, 0),
    "num1": lambda v, lang: _decimal(v, lang, 1),
    "pct": lambda v, lang: _percent(v, lang, 0),
    "pct1": lambda v, lang: _percent(v, lang, 1),
    "signed": _signed,
    "year": lambda v, lang: str(int(v)),
    "date": _date,
}


@functools.lru_cache(maxsize=4096)
def _format_number(value: float, kind: str, lang: str) -> str:
    return _KINDS[kind](value, lang)


def format_value(value, kind: str, lang: str) -> str:
    """Format one value the way a placeholder of ``kind`` does in ``lang``.

    Examples
    --------
    >>> [format_value(0.64, "pct", l) for l in ("en", "es")]
    ['64%', '64\\xa0%']
    >>> format_value(1214, "int", "es"), format_value(22.14, "num", "es"), format_value(-6, "signed", "en")
    ('1.214', '22,14', '−6')
    """
    if kind == "" and isinstance(value, (int, float)) and not isinstance(value, bool):
        kind = "int" if isinstance(value, int) or float(value).is_integer() else "num"
    elif kind in ("", "text"):
        return value.render(lang) if isinstance(value, Msg) else str(value)
    if kind == "msg":
        return value.render(lang) if isinstance(value, Msg) else str(value)
    if kind not in _KINDS:
        raise MessageError(f"unknown placeholder kind {kind!r}; expected one of {', '.join(sorted(_KINDS))}, text, msg")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _format_number(value, kind, lang)  # tick labels repeat on every draw
    return _KINDS[kind](value, lang)


class _Formatter(string.Formatter):
    def __init__(self, lang, message_id):
        self.lang, self.message_id = lang, message_id

    def get_value(self, key, args, kwargs):
        if key not in kwargs:
            raise MessageError(f"message {self.message_id!r} ({self.lang}) needs a value for {{{key}}}")
        return kwargs[key]

    def format_field(self, value, format_spec):
        if isinstance(value, Msg) and format_spec in ("", "text", "msg"):
            return value.render(self.lang)
        if isinstance(value, Mapping) and format_spec in ("", "text"):
            # text by language, e.g. a survey definition's label {"en": "Region", "es": "Región"}
            if self.lang not in value:
                raise MessageError(f"message {self.message_id!r} ({self.lang}): a value has text in "
                                   f"{', '.join(map(str, value))} only")
            return str(value[self.lang])
        return format_value(value, format_spec, self.lang)


def tr(message_id: str, lang: str = "en", /, **values) -> str:
    """The text of ``message_id`` in ``lang``, its placeholders filled and formatted.

    Raises
    ------
    MessageError
        When the language lacks the message, or a placeholder has no value.

    Examples
    --------
    >>> tr("footer.n", "en", n=1214), tr("footer.n", "es", n=1214)
    ('n = 1,214', 'n = 1.214')
    >>> tr("footer.source", "es", source={"en": "My survey", "es": "Mi encuesta"})
    'Fuente: Mi encuesta'
    >>> tr("no.such.id", "ja")
    Traceback (most recent call last):
    supportstats.messages.MessageError: no message 'no.such.id' in the ja catalog (supportstats/locales/ja.yml)
    """
    texts = catalog(lang)
    try:
        text = texts[message_id]
    except KeyError:
        raise MessageError(f"no message {message_id!r} in the {lang} catalog (supportstats/locales/{lang}.yml)") from None
    return _Formatter(lang, message_id).vformat(text, (), values)


# ------------------------------------------------------------------------------ labels

_WORD = re.compile(r"\S+")


def sentence_case(text: str) -> str:
    """Capitalise the first letter only, keeping acronyms and names as written.

    ``str.capitalize`` lowercases the rest ("Average csat"); this does not.

    Examples
    --------
    >>> sentence_case("average CSAT"), sentence_case("tracking NPS, 2021 → 2022"), sentence_case("iOS users")
    ('Average CSAT', 'Tracking NPS, 2021 → 2022', 'iOS users')
    """
    text = str(text)
    match = _WORD.search(text)
    if not match:
        return text
    word = match.group()
    if any(ch.isupper() for ch in word[1:]):  # iOS, eNPS: a name, leave it
        return text
    i = match.start()
    return text[:i] + text[i].upper() + text[i + 1:]


def label(code, lang: str = "en", labels: Mapping | None = None) -> str:
    """The display label of a category code (or claim id) in ``lang``.

    Looks first in ``labels`` (a survey definition's display labels: ``{code: text}`` or
    ``{code: {lang: text}}``), then in the catalog under ``label.<code>``. A code with no
    label in the language asked for raises: a raw code never reaches an axis.

    Examples
    --------
    >>> label("north_america", "ja"), label("csat", "es"), label(2022, "ko")
    ('北米', 'CSAT', '2022년')
    >>> label("emea", "en", labels={"emea": {"en": "Europe, Middle East & Africa"}})
    'Europe, Middle East & Africa'
    """
    if isinstance(code, Msg):
        return code.render(lang)
    key = str(code)
    if labels is not None and key in labels:
        value = labels[key]
        if isinstance(value, Mapping):
            if lang not in value:
                raise MessageError(f"label of {key!r} has no {lang} text; it has {', '.join(map(str, value))}")
            value = value[lang]
        return str(value)
    if isinstance(code, (int,)) or (key.isdigit() and len(key) == 4):
        return tr("label.year", lang, year=int(key))
    message_id = key if key.startswith("label.") else f"label.{key}"
    if message_id not in catalog(lang):
        raise MessageError(f"no label for {key!r} in the {lang} catalog: add {message_id!r} to "
                           f"supportstats/locales/*.yml or pass labels=")
    return tr(message_id, lang)
