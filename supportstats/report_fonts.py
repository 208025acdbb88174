"""The report's Japanese, Chinese and Korean text in fonts that travel with it.

The quotes from the source articles are Japanese, Traditional Chinese and Korean; on a machine
without CJK fonts (a fresh server, a CI image) they would show as empty boxes. The report uses
the package's own Noto Sans fonts (``supportstats/fonts/``, SIL OFL, the ones the figures use),
cut down with fontTools' subsetter (installed with matplotlib) to the characters its pages
contain: under 100 KB a language instead of 5 MB, for a phone, and nothing fetched from the web.
Japanese comes first in every font list, so its font gets every character; the Chinese and
Korean fonts get the characters of the text in their language (a quote's paragraph; a whole
page whose ``lang``, or any element's but a quote's, is theirs) and those the fonts before
them lack, the only ones a browser ever asks them for (half the bytes, a quarter less time to cut).

``reports/fonts/fonts.css`` declares them and is linked from every page; each quote is marked
with the language its notebook declares (``… `001` (ja)``), so it gets that region's glyph
forms (the same Han character is drawn differently in Japanese, Chinese and Korean). CJK text
outside a quote (an answer label in a table, a string in code) has no language; the three
fonts open the page's font lists, so it is drawn in them too (in Japanese forms where a
character is in all three) rather than in boxes on a machine without CJK fonts. The page
bytes do not depend on the fonts: a new character rewrites the fonts and the stylesheet only.
"""
from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

from .outputs import atomic_path, write_if_changed

__all__ = ["mark_languages", "write_fonts", "FONTS_CSS"]

_FONTS_DIR = Path(__file__).with_name("fonts")
#: The stylesheet's path inside ``reports/``.
FONTS_CSS = "fonts/fonts.css"
# language tag -> (font file, family); Chinese is Traditional, as the Chinese seed article is
_FONTS = {"ja": ("NotoSansJP-Regular.otf", "Noto Sans JP"), "zh-Hant": ("NotoSansTC-Regular.otf", "Noto Sans TC"),
          "ko": ("NotoSansKR-Regular.otf", "Noto Sans KR")}
# the labels the notebooks put after a quote's source: `003` (es)
_LABELS = {"ja": "ja", "zh": "zh-Hant", "zh_Hant": "zh-Hant", "zh-Hant": "zh-Hant", "ko": "ko", "es": "es", "en": "en"}
_LABEL = re.compile(r"</code>\s*\((" + "|".join(map(re.escape, _LABELS)) + r")\)")
_QUOTE = re.compile(r"<blockquote>.*?</blockquote>", re.S)
_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)
# CJK punctuation, kana, Han, Hangul and full-width forms
_CJK = re.compile(r"[\u2e80-\u2fdf\u3000-\u30ff\u3100-\u31ff\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f"
                  r"\uac00-\ud7ff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")
_SANS = 'system-ui,-apple-system,"Segoe UI"'
# any lang attribute (xml:lang too), and the paragraphs mark_languages gives one
_LANG_ATTR = re.compile(r"""[\s:]lang\s*=\s*["']?([A-Za-z0-9_-]+)""")
_LANG_PARAGRAPH = re.compile(r'<p lang="([A-Za-z0-9_-]+)">(.*?)</p>', re.S)
# JupyterLab's font lists (its theme's --jp-*-font-family), and the index's, opened by the
# report's fonts: they hold only CJK characters, so every other character falls through to the
# fonts after them (after system-ui, Chromium draws CJK in its last-resort boxes without trying
# them). "html:root" outranks the theme's ":root", which comes later in the page.
_LAB_SANS = ('system-ui,-apple-system,blinkmacsystemfont,"Segoe UI",helvetica,arial,sans-serif,'
             '"Apple Color Emoji","Segoe UI Emoji","Segoe UI Symbol"')
_LAB_MONO = 'menlo,consolas,"DejaVu Sans Mono",monospace'


def mark_languages(page: str) -> str:
    """Give each quoted paragraph the ``lang`` its source label declares.

    Examples
    --------
    >>> mark_languages('<blockquote>\\n<p>「士気」 — <code>001</code> (ja)</p>\\n</blockquote>')
    '<blockquote>\\n<p lang="ja">「士気」 — <code>001</code> (ja)</p>\\n</blockquote>'
    >>> mark_languages("<p>「研究」 <code>002</code> (zh)</p>")  # outside a quote: left alone
    '<p>「研究」 <code>002</code> (zh)</p>'
    """
    def paragraph(m):
        label = _LABEL.search(m.group(1))
        return f'<p lang="{_LABELS[label.group(1)]}">{m.group(1)}</p>' if label else m.group(0)

    return _QUOTE.sub(lambda q: _PARAGRAPH.sub(paragraph, q.group(0)), page)


def write_fonts(reports: Path, pages) -> Path:
    """Write ``reports/fonts/``: each font cut down to the CJK characters of ``pages`` it may draw, and the stylesheet.

    ``pages`` are the texts of the report's pages. Fonts already cut for the same characters
    are kept; those of an earlier character set are removed. Returns the stylesheet's path.
    """
    every, own = _characters(pages)
    chars = "".join(sorted(every))
    folder = Path(reports) / "fonts"
    folder.mkdir(parents=True, exist_ok=True)
    # the per-language sets follow from these and the fonts: the key needs no font opened
    key = hashlib.sha256("|".join([chars, *("".join(sorted(own[lang])) for lang in _FONTS)]).encode()).hexdigest()[:12]
    rules, keep = [], {"fonts.css", "LICENSE-OFL.txt"}
    targets = {lang: folder / f"{Path(name).stem}-{key}.otf" for lang, (name, _) in _FONTS.items()}
    keep |= {t.name for t in targets.values()}
    if chars and not all(t.exists() for t in targets.values()):
        missing = set(chars)  # drawn by none of the fonts so far
        for lang, (name, _) in _FONTS.items():
            wanted = set(chars) if lang == "ja" else own[lang] | missing
            cut, covered = _subset(_FONTS_DIR / name, "".join(sorted(wanted)))
            missing -= covered
            with atomic_path(targets[lang]) as tmp:
                tmp.write_bytes(cut)
    for lang, (name, family) in _FONTS.items():
        if chars:
            rules.append(f'@font-face{{font-family:"{family}";src:url("{targets[lang].name}") format("opentype");'
                         "font-display:swap}")
        # first: it holds only these characters, so the rest falls through to the system font; after
        # system-ui, Chromium sets bold CJK in its last-resort boxes without ever trying it
        rules.append(f':lang({lang}){{font-family:"{family}",{_SANS},sans-serif}}')
    if chars:
        cjk = ",".join(f'"{family}"' for _, family in _FONTS.values())
        rules.append(f"html:root{{--jp-ui-font-family:{cjk},{_LAB_SANS};--jp-content-font-family:{cjk},{_LAB_SANS};"
                     f"--jp-code-font-family:{cjk},{_LAB_MONO}}}")
        rules.append(f"body{{font-family:{cjk},{_SANS},sans-serif}}")
    write_if_changed(folder / "LICENSE-OFL.txt", (_FONTS_DIR / "LICENSE-OFL.txt").read_text(encoding="utf-8"))
    for old in folder.iterdir():
        if old.name not in keep:
            old.unlink()
    css = folder / "fonts.css"
    write_if_changed(css, "/* Noto Sans JP, TC and KR (SIL OFL, LICENSE-OFL.txt), cut down to the report's "
                          "characters */\n" + "\n".join(rules) + "\n")
    return css


def _characters(pages) -> tuple[set[str], dict[str, set[str]]]:
    """The CJK characters of ``pages``, and those a ``:lang(...)`` rule of each font's language may apply to.

    A quote's paragraph (``<p lang="ko">``, from :func:`mark_languages`) gives its own
    characters; a page with any other ``lang`` of that language (its ``<html>``, a span in a
    researcher's markdown) gives all of its characters. ``:lang(zh-Hant)`` matches
    ``zh-Hant`` and ``zh-Hant-TW``, not ``zh``: as CSS does.

    Examples
    --------
    >>> every, own = _characters(['<html lang="en"><p lang="ko">지원</p><p>研究</p></html>'])
    >>> sorted(every), sorted(own["ko"])
    (['研', '究', '원', '지'], ['원', '지'])
    >>> sorted(_characters(['<html lang="zh-Hant"><p>研究</p></html>'])[1]["zh-Hant"])
    ['研', '究']
    """
    every, found = set(), {lang: set() for lang in _FONTS}
    for page in pages:
        chars = set(_CJK.findall(page))
        if not chars:
            continue
        every |= chars
        paragraphs = _LANG_PARAGRAPH.findall(page)
        others = _LANG_ATTR.findall(page)
        for value, _ in paragraphs:
            others.remove(value)
        for lang in _FONTS:
            if any(_is_lang(value, lang) for value in others):
                found[lang] |= chars
            else:
                for value, text in paragraphs:
                    if _is_lang(value, lang):
                        found[lang] |= set(_CJK.findall(text))
    return every, found


def _is_lang(value: str, lang: str) -> bool:
    value, lang = value.lower().replace("_", "-"), lang.lower()
    return value == lang or value.startswith(lang + "-")


def _subset(font: Path, chars: str) -> tuple[bytes, set[str]]:
    """``font`` cut down to ``chars``, and which of ``chars`` it has."""
    from fontTools import subset

    options = subset.Options()
    options.layout_features = ["*"]  # vertical and locale forms (locl) stay
    options.name_IDs = ["*"]  # the font's names and its licence notice stay
    loaded = subset.load_font(str(font), options)
    cmap = loaded.getBestCmap()
    covered = {c for c in chars if ord(c) in cmap}
    cutter = subset.Subsetter(options)
    cutter.populate(text=chars)
    cutter.subset(loaded)
    out = io.BytesIO()
    subset.save_font(loaded, out, options)
    return out.getvalue(), covered
