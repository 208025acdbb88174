"""Read the numbers a sentence states, in the languages of the source articles.

:func:`read_numbers` finds every number in a piece of text, whatever its script and
format, and returns what it states: a value or a range, the decimals it was written with,
its unit mark (percent, percentage points, dollars) and any qualifier ("about", "more than",
"at most"). It knows nothing of surveys or claims; the registry checks use it to confirm that
a registered value is the one its verbatim quote states.

What it reads (text is NFKC-normalised first, so ``６４％`` is ``64%``):

- Arabic digits with either separator: ``1,700``, ``1.700``, ``5.5`` / ``5,5``, ``1.234,5``. In
  Japanese, Chinese, Korean and English text a point is the decimal separator; in Spanish (or
  text of unknown language) a lone separator before exactly three digits is read both ways,
  because the articles' Spanish writes ``1,700`` and ``10,000`` the English way. A CJK or
  Korean multiplier may follow the digits (``3万``, ``5천``);
- CJK numerals: ``五``, ``十二``, ``五十万``, ``二〇二二``; two adjacent consecutive digits
  are the idiom "five or six" (``五六年`` -> 5..6);
- vague multiples, read as 1-9 of their unit (the widest reading, marked ``approx``):
  ``数十万`` / ``數十萬`` / ``수십만`` (100,000..900,000), ``数百``, ``cientos``,
  ``hundreds``, ``cientos de miles``;
- Spanish and English number words (``seis``, ``treinta y cinco``, ``dos mil``,
  ``twenty-five``);
- ranges written with a dash or tilde (``5〜10%``, ``5–10%``, ``5~10%``) or with
  ``entre ... y ...`` / ``between ... and ...``;
- marks: ``%``, ``パーセント``, ``퍼센트``, ``por ciento``, ``百分之`` (percent);
  ``パーセントポイント``, ``puntos porcentuales``, ``個百分點``, ``pp`` (points); ``$``,
  ``ドル``, ``美元``, ``달러``, ``dólares`` (usd);
- qualifiers next to the number: ``約``, ``大約``, ``약``, ``거의``, ``casi``, ``about``
  (approx); ``以上``, ``多``, ``を超える``, ``より長い``, ``이상``, ``至少``, ``más de``, ``+``
  (min); ``以下``, ``未満``, ``이하``, ``menos de`` (max); and a hedge anywhere in the text
  (``おそらく``, ``probablemente``, ``probably``, ``아마``), reported separately.

A "from A to B" (``10% から 20%``, ``del 78 % al 89 %``, ``45에서 51로``) is two numbers, not a
range: in these articles it states a change.
"""
from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

__all__ = ["read_numbers", "NUMBER_COLUMNS"]

#: Columns of :func:`read_numbers`' result.
NUMBER_COLUMNS = ("text", "start", "end", "low", "high", "decimals", "mark", "qualifier", "hedged", "in_range")

# --------------------------------------------------------------------------- lexicon
# token kinds: "add" (a value added: digits, "twenty"), "small" (multiplies what precedes it
# within a group: 十, hundred), "big" (closes a group and multiplies it: 万, mil, thousand)
_CJK_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5, "六": 6,
               "七": 7, "八": 8, "九": 9}
_CJK_UNITS = {"十": ("small", 10), "百": ("small", 100), "千": ("small", 1000),
              "万": ("big", 10 ** 4), "萬": ("big", 10 ** 4), "億": ("big", 10 ** 8), "亿": ("big", 10 ** 8),
              "십": ("small", 10), "백": ("small", 100), "천": ("small", 1000), "만": ("big", 10 ** 4),
              "억": ("big", 10 ** 8)}
_VAGUE_DIGIT = "数數幾几수"          # "several": any digit 1-9


def _word_lexicon() -> dict[str, tuple[str, float, float]]:
    """Spanish and English number words -> (kind, low, high)."""
    es_units = "cero uno dos tres cuatro cinco seis siete ocho nueve diez once doce trece catorce quince".split()
    lex = {w: ("add", i, i) for i, w in enumerate(es_units)}
    lex.update({"un": ("add", 1, 1), "una": ("add", 1, 1), "dieciséis": ("add", 16, 16),
                "diecisiete": ("add", 17, 17), "dieciocho": ("add", 18, 18), "diecinueve": ("add", 19, 19),
                "veinte": ("add", 20, 20)})
    veinti = "uno dos tres cuatro cinco seis siete ocho nueve".split()
    for i, w in enumerate(veinti, start=1):
        lex["veinti" + w.replace("dos", "dós").replace("tres", "trés").replace("seis", "séis")] = ("add", 20 + i, 20 + i)
        lex["veinti" + w] = ("add", 20 + i, 20 + i)
    for i, w in enumerate("treinta cuarenta cincuenta sesenta setenta ochenta noventa".split(), start=3):
        lex[w] = ("add", 10 * i, 10 * i)
    for w, v in (("cien", 100), ("ciento", 100), ("doscientos", 200), ("trescientos", 300),
                 ("cuatrocientos", 400), ("quinientos", 500), ("seiscientos", 600), ("setecientos", 700),
                 ("ochocientos", 800), ("novecientos", 900)):
        lex[w] = ("add", v, v)
        if w.endswith("os"):
            lex[w[:-2] + "as"] = ("add", v, v)
    lex.update({"mil": ("big", 1000, 1000), "millón": ("big", 1e6, 1e6), "millon": ("big", 1e6, 1e6),
                "millones": ("big", 1e6, 1e6),
                "decenas": ("vague", 10, 90), "cientos": ("vague", 100, 900), "miles": ("vague", 1000, 9000)})
    en = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
          "sixteen seventeen eighteen nineteen").split()
    lex.update({w: ("add", i, i) for i, w in enumerate(en)})
    for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), start=2):
        lex[w] = ("add", 10 * i, 10 * i)
    lex.update({"hundred": ("small", 100, 100), "thousand": ("big", 1000, 1000), "million": ("big", 1e6, 1e6),
                "hundreds": ("vague", 100, 900), "thousands": ("vague", 1000, 9000),
                "millions": ("vague", 1e6, 9e6)})
    return lex


_WORDS = _word_lexicon()
_JOINERS = {"y", "and", "de", "of"}

# marks and qualifiers; longer alternatives first so "パーセントポイント" wins over "パーセント"
_POINTS = (r"パーセントポイント|ポイント|퍼센트포인트|%\s?p\b|%포인트|個百分點|个百分点"
           r"|puntos porcentuales|percentage points?|pp\b|p\.p\.")
_PERCENT = r"%|パーセント|퍼센트|por ciento|percent|per cent"
_USD_AFTER = r"ドル|美元|美金|달러|dólares|dolares|dollars?|USD"
_PREFIX = {
    "approx": r"大約|大约|約|约|およそ|ほぼ|약|거의|aproximadamente|alrededor de(?:l)?|cerca de(?:l)?|casi|unos|unas"
              r"|about|around|approximately|roughly|nearly|almost|some",
    "min": r"至少|少なくとも|超過|超过|逾|최소|más de(?:l)?|mas de(?:l)?|al menos|over|more than|at least",
    "max": r"不到|最多|menos de(?:l)?|hasta|less than|under|up to|at most",
}
_SUFFIX = {
    "min": r"以上|を超える|を超え|超|より長い|より多い|多(?![いくかけ])|余|餘|이상|넘는|넘게|or more|o más|o mas|\+",
    "max": r"以下|未満|以内|이하|미만|or less|o menos",
    "approx": r"前後|程度|ぐらい|くらい|左右|쯤|정도|가량|ほど",
}
_HEDGES = r"おそらく|たぶん|多分|恐らく|大概|也許|或許|아마|probablemente|quizás|quizas|tal vez|probably|perhaps|maybe"
_ARTICLE = r"(?:(?:el|la|los|las|un|una|unos|unas|the|de)\s+)?"
_RANGE_DASH = re.compile(r"\s*(?:%\s*)?[〜~–—‐‑-]\s*")
_RANGE_PAIR = re.compile(r"\s*(?:%\s*)?(?:y|and)\s+" + _ARTICLE + r"$", re.I)
_RANGE_OPEN = re.compile(r"(?:entre|between)\s+" + _ARTICLE + r"$", re.I)

_CJK_CHARS = "".join(_CJK_DIGITS) + "".join(k for k, (kind, _) in _CJK_UNITS.items() if ord(k) < 0xAC00)
_KO_UNITS = "".join(k for k in _CJK_UNITS if ord(k) >= 0xAC00)
_WORD_RE = "|".join(sorted(map(re.escape, _WORDS), key=len, reverse=True))
_TOKEN = re.compile(
    r"(?P<sign>(?<![\w.,%])[-−])?(?P<arabic>(?<![\d])\d+(?:[.,]\d+)*)(?P<mult>[十百千万萬億亿" + _KO_UNITS + r"]*)"
    r"|(?P<pct>百分之)?(?P<cjk>(?:[" + _VAGUE_DIGIT[:-1] + r"](?=[十百千万萬億亿]))?[" + _CJK_CHARS + r"]+)"
    r"|(?P<ko>수[" + _KO_UNITS + r"]+)"
    r"|(?P<words>\b(?:" + _WORD_RE + r")(?:(?:\s+|\s+(?:y|and|de|of)\s+|-)(?:" + _WORD_RE + r"))*\b)",
    re.I)


# --------------------------------------------------------------------------- parsing
def _combine(tokens: list[tuple[str, float, float]]) -> tuple[float, float]:
    """Value of a sequence of (kind, low, high) tokens: low and high read separately."""
    out = []
    for pick in (1, 2):
        total = section = last_big = 0.0
        pending = None
        for tok in tokens:
            kind, v = tok[0], tok[pick]
            if kind == "add":
                pending = (pending or 0.0) + v
            elif kind == "small":
                section += (1.0 if pending is None else pending) * v
                pending = None
            else:  # big: closes a group; "mil millones", "dos mil millones" multiply what is there
                group = section + (pending or 0.0)
                if not group and total and v > last_big:
                    total *= v
                else:
                    total += (group if group else 1.0) * v
                section, pending, last_big = 0.0, None, v
        out.append(total + section + (pending or 0.0))
    return out[0], out[1]


def _read_cjk(s: str) -> tuple[float, float] | None:
    """CJK (and Korean 수-) numerals; None when the characters are not a number."""
    if s[0] in _VAGUE_DIGIT:
        tokens = [("add", 1, 9)]
        s = s[1:]
    else:
        tokens = []
    digits = [c for c in s if c in _CJK_DIGITS]
    if not any(c in _CJK_UNITS for c in s) and len(digits) > 1:
        vals = [_CJK_DIGITS[c] for c in s]
        if len(vals) == 2 and vals[1] == vals[0] + 1 and "〇" not in s and "零" not in s:
            return float(vals[0]), float(vals[1])          # 五六 -> five or six
        v = float("".join(map(str, vals)))                  # 二〇二二 -> 2022
        return v, v
    i = 0
    while i < len(s):
        c = s[i]
        if c in _CJK_DIGITS:
            d = _CJK_DIGITS[c]
            nxt = s[i + 1] if i + 1 < len(s) else ""
            if nxt in _CJK_DIGITS and _CJK_DIGITS[nxt] == d + 1:   # 十五六 -> 15..16
                tokens.append(("add", d, d + 1))
                i += 2
                continue
            tokens.append(("add", d, d))
        elif c in _CJK_UNITS:
            kind, v = _CJK_UNITS[c]
            tokens.append((kind, v, v))
        i += 1
    return _combine(tokens)


def _read_arabic(digits: str, mult: str, point: str | None) -> list[tuple[float, float, int]]:
    """Readings (value, value, decimals) of digits with separators and an optional multiplier.

    ``point`` is the language's decimal separator, or None when either may be (Spanish text
    in these articles writes 1,700 and 10,000 the English way).
    """
    seps = re.findall(r"[.,]", digits)
    groups = re.split(r"[.,]", digits)
    readings = []
    if not seps:
        readings.append((float(digits), 0))
    elif len(set(seps)) == 2:                       # 1.234,5 or 1,234.5: the last one is decimal
        last = max(digits.rfind("."), digits.rfind(","))
        whole = re.sub(r"[.,]", "", digits[:last])
        readings.append((float(whole + "." + digits[last + 1:]), len(digits) - last - 1))
    elif all(len(g) == 3 for g in groups[1:]) and len(groups[0]) <= 3 and seps[0] != point:
        readings.append((float("".join(groups)), 0))     # thousands separators
        if len(seps) == 1 and point is None:        # 1,700 may also be 1.7 with a decimal comma
            readings.append((float(groups[0] + "." + groups[1]), 3))
    elif len(seps) == 1:
        readings.append((float(groups[0] + "." + groups[1]), len(groups[1])))
    else:
        return []                                   # 1.2.3: a version or date, not a number
    out = []
    for v, d in readings:
        units = [(_CJK_UNITS[c][0], _CJK_UNITS[c][1], _CJK_UNITS[c][1]) for c in mult]
        lo, hi = _combine([("add", v, v)] + units)
        out.append((lo, hi, d if not mult else 0))
    return out


def _read_words(s: str) -> list[tuple[int, int, float, float, bool]]:
    """Split a run of number words into numbers: (start, end, low, high, vague) per number."""
    numbers, cur, joiner = [], [], None

    def close():
        if not cur:
            return
        tokens, vague = [], False
        for _, _, tok, after in cur:
            if tok[0] == "vague":
                vague = True
                unit = _unit(tok)
                if after not in ("de", "of"):               # cientos: 1..9 hundreds
                    tokens.append(("add", tok[1] / unit, tok[2] / unit))
                tokens.append(("big" if unit >= 1000 else "small", unit, unit))   # de miles: x 1000
            else:
                tokens.append(tok)
        numbers.append((cur[0][0], cur[-1][1], *_combine(tokens), vague))
        cur.clear()

    for m in re.finditer(r"[^\s-]+", s):
        w = m.group().lower()
        if w in _JOINERS:
            joiner = w
            continue
        tok = _WORDS[w]
        if cur and not _continues(cur[-1][2], tok, joiner):
            close()
        cur.append((m.start(), m.end(), tok, joiner if cur else None))
        joiner = None
    close()
    return numbers


def _unit(tok) -> float:
    """Order of magnitude of a vague word's range (cientos: 100..900 -> 100)."""
    return float(10 ** int(np.floor(np.log10(tok[1])))) if tok[1] >= 10 else 1.0


def _continues(prev, tok, joiner) -> bool:
    """Whether word ``tok`` continues the number ending in word ``prev``.

    "treinta y cinco", "ciento veinte", "dos mil", "two hundred and five", "cientos de miles"
    continue; "dos y tres", "veinte treinta", "seis cientos" do not.
    """
    if joiner in ("de", "of"):
        return prev[0] == "vague" and tok[0] in ("big", "vague") and tok[1] >= 1000
    if tok[0] == "vague" or prev[0] == "vague":
        return False
    if tok[0] in ("big", "small"):
        return prev[0] != "big" or tok[1] > prev[1]
    if prev[0] in ("big", "small"):
        return tok[1] < prev[1]
    tens = prev[1] >= 20 and prev[1] % 10 == 0
    if joiner in ("y", "and"):
        return tens and prev[1] < 100 and tok[1] < 10
    place = 10 ** (len(str(int(prev[1]))) - 1)              # 20 -> 10, 200 -> 100
    return tens and tok[1] < place


def _mark(text: str, end: int, pct_prefix: bool, start: int) -> tuple[str | None, int]:
    """Unit mark following position ``end`` (or ``$`` before ``start``); returns (mark, new end)."""
    if pct_prefix:
        return "percent", end
    for mark, pattern in (("points", _POINTS), ("percent", _PERCENT), ("usd", _USD_AFTER)):
        m = re.match(r"\s?(?:" + pattern + ")", text[end:], re.I)
        if m:
            return mark, end + m.end()
    if re.search(r"(?:US)?\$\s?$", text[:start]):
        return "usd", end
    return None, end


# decimal separator by language; absent: either (the articles' Spanish writes 1,700 the English way)
_DECIMAL_POINT = {"ja": ".", "zh": ".", "ko": ".", "en": "."}
_CLAUSE_STOP = r"\d\s,.;:!?、。，；：！？()（）「」\"“”"


def _qualifier(text: str, start: int, end: int) -> str | None:
    before = text[max(0, start - 30):start]
    for kind, pattern in _PREFIX.items():
        if re.search(r"(?<![a-záéíóúñ])(?:" + pattern + r")\s*" + _ARTICLE + r"$", before, re.I):
            return kind
    after = text[end:end + 12]
    for kind, pattern in _SUFFIX.items():
        if re.match(r"\s*[^" + _CLAUSE_STOP + r"]{0,3}?\s*(?:" + pattern + ")", after, re.I):
            return kind
    return None


def read_numbers(text: str, language: str | None = None) -> pd.DataFrame:
    """Every number a piece of text states, with its range, unit mark and qualifier.

    Parameters
    ----------
    text : str
        A sentence in any of Japanese, Chinese, Korean, Spanish or English.
    language : str, optional
        Its language (``ja``, ``zh``, ``ko``, ``en``: the decimal separator is a point, so
        ``1,700`` is only 1700). Unknown or ``es``: a lone separator before three digits is
        read both ways.

    Returns
    -------
    pandas.DataFrame
        One row per reading, in text order, with columns

        - ``text`` : the number as written, with its mark (from the NFKC-normalised text)
        - ``start``, ``end`` : its position in the normalised text
        - ``low``, ``high`` : the value (``low == high``) or the range stated
        - ``decimals`` : decimals it was written with (0 for words)
        - ``mark`` : ``percent``, ``points``, ``usd`` or None
        - ``qualifier`` : ``approx``, ``min``, ``max`` or None; vague words are ``approx``
        - ``hedged`` : the text hedges its numbers ("probably") somewhere
        - ``in_range`` : the number is one end of a range, which has a row of its own

        A number with two readings (``1,700``: 1700 or, with a decimal comma, 1.7) has a row
        for each.

    Examples
    --------
    >>> read_numbers("研究發現,64% 的客戶支持負責人")[["text", "low", "high", "mark"]]
      text   low  high     mark
    0  64%  64.0  64.0  percent
    >>> read_numbers("人員の5〜10%を節約")[["text", "low", "high", "mark", "in_range"]]
        text   low  high     mark  in_range
    0      5   5.0   5.0     None      True
    1  5〜10%   5.0  10.0  percent     False
    2    10%  10.0  10.0  percent      True
    >>> read_numbers("数十万ドルを節約")[["low", "high", "mark", "qualifier"]]
            low      high mark qualifier
    0  100000.0  900000.0  usd    approx
    >>> read_numbers("通常需要五六年的時間")[["text", "low", "high"]]
      text  low  high
    0   五六  5.0   6.0
    """
    if not isinstance(text, str):
        raise ValueError(f"text must be a string; got {text!r}")
    s = unicodedata.normalize("NFKC", text)
    point = _DECIMAL_POINT.get(language)
    hedged = re.search(_HEDGES, s, re.I) is not None
    found = []  # (start, end, low, high, decimals, pct_prefix, vague)
    for m in _TOKEN.finditer(s):
        if m.group("arabic"):
            sign = -1.0 if m.group("sign") else 1.0
            for lo, hi, d in _read_arabic(m.group("arabic"), m.group("mult"), point):
                found.append((m.start(), m.end(), sign * lo, sign * hi, d, False, False))
        elif m.group("cjk"):
            val = _read_cjk(m.group("cjk"))
            if val is not None:
                found.append((m.start(), m.end(), *val, 0,
                              bool(m.group("pct")), m.group("cjk")[0] in _VAGUE_DIGIT))
        elif m.group("ko"):
            found.append((m.start(), m.end(), *_read_cjk(m.group("ko")), 0, False, True))
        else:
            for a, b, lo, hi, vague in _read_words(m.group("words")):
                found.append((m.start() + a, m.start() + b, lo, hi, 0, False, vague))
    rows = []
    for start, end, lo, hi, d, pct, vague in found:
        mark, mend = _mark(s, end, pct, start)
        qual = "approx" if vague else _qualifier(s, start, mend)
        rows.append(dict(text=s[start:mend], start=start, end=mend, low=lo, high=hi, decimals=d, mark=mark,
                         qualifier=qual, hedged=hedged, in_range=False))
    rows.extend(_ranges(s, rows, hedged))
    rows.sort(key=lambda r: (r["start"], r["end"]))
    dtypes = {"text": object, "start": "int64", "end": "int64", "low": "float64", "high": "float64",
              "decimals": "int64", "mark": object, "qualifier": object, "hedged": "bool", "in_range": "bool"}
    return pd.DataFrame({c: pd.Series([r[c] for r in rows], dtype=dtypes[c]) for c in NUMBER_COLUMNS})


def _ranges(s: str, rows: list[dict], hedged: bool) -> list[dict]:
    """Range rows for pairs of numbers joined by a dash/tilde or by entre/between ... y/and."""
    out = []
    singles = sorted({(r["start"], r["end"]): r for r in rows}.values(), key=lambda r: r["start"])
    for a, b in zip(singles, singles[1:]):
        gap = s[a["end"]:b["start"]]
        dash = _RANGE_DASH.fullmatch(gap) and a["high"] < b["low"]
        paired = (_RANGE_PAIR.fullmatch(gap) and _RANGE_OPEN.search(s[:a["start"]]) and a["high"] < b["low"])
        if not (dash or paired):
            continue
        for r in (a, b):
            for row in rows:
                if row["start"] == r["start"]:
                    row["in_range"] = True
        end_mark = b["mark"] or a["mark"]
        qual = a["qualifier"] or b["qualifier"]
        start = a["start"]
        if paired:
            start = _RANGE_OPEN.search(s[:a["start"]]).start()
        out.append(dict(text=s[start:b["end"]], start=start, end=b["end"], low=a["low"], high=b["high"],
                        decimals=max(a["decimals"], b["decimals"]), mark=end_mark, qualifier=qual,
                        hedged=hedged, in_range=False))
    return out
