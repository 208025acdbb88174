"""Fonts travel with the project: every catalog string of every language renders without a missing glyph."""
import hashlib
import unicodedata
import warnings
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import pytest
from matplotlib import font_manager

from supportstats.messages import LANGUAGES, catalog, message_ids, placeholders, tr
from supportstats.theme import FONT_DIR, FONT_FILES, font_family, set_theme, theme_context
from test_messages import fill

SHA256 = {"NotoSansJP-Regular.otf": "dff723ba59d57d136764a04b9b2d03205544f7cd785a711442d6d2d085ac5073",
          "NotoSansKR-Regular.otf": "69975a0ac8472717870aefeab0a4d52739308d90856b9955313b2ad5e0148d68",
          "NotoSansTC-Regular.otf": "5bab0cb3c1cf89dde07c4a95a4054b195afbcfe784d69d75c340780712237537"}


def test_vendored_fonts_are_the_documented_files_with_their_licence():
    for name, digest in SHA256.items():
        assert hashlib.sha256((FONT_DIR / name).read_bytes()).hexdigest() == digest, name
    assert "SIL Open Font License" in (FONT_DIR / "LICENSE-OFL.txt").read_text()
    assert sorted(FONT_FILES.values()) == sorted(SHA256)


def test_fonts_register_without_system_fonts():
    set_theme()
    for lang, file in FONT_FILES.items():
        found = font_manager.findfont(font_manager.FontProperties(family=font_family(lang)[0]),
                                      fallback_to_default=False)
        assert Path(found).resolve() == (FONT_DIR / file).resolve()
        assert Path(found).is_relative_to(Path(__file__).resolve().parents[1] / "supportstats")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_catalog_string_renders_without_missing_glyphs(lang):
    texts = [tr(mid, lang, **fill(catalog(lang)[mid])) for mid in message_ids()]
    with theme_context(lang), warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        fig = plt.figure(figsize=(30, 60))
        for i, text in enumerate(texts):
            fig.text(0.01, 1 - (i + 1) / (len(texts) + 1), text, fontsize=6)
        fig.text(0.5, 0.5, "bold", fontweight="bold")
        fig.canvas.draw()
        plt.close(fig)
    missing = [str(w.message) for w in seen if "missing from font" in str(w.message)]
    assert not missing, missing[:3]


def _cmap(path):
    from fontTools.ttLib import TTFont

    return set(TTFont(path, lazy=True).getBestCmap())


@pytest.mark.parametrize("lang", ["ja", "ko", "zh_Hant"])
def test_cjk_text_is_drawn_by_the_regional_font(lang):
    # the fallback (DejaVu) has no CJK; every wide character must come from the regional font,
    # so 直, 骨, 海 take their Japanese, Korean or Taiwanese forms
    cmap = _cmap(FONT_DIR / FONT_FILES[lang])
    wide = {ch for text in catalog(lang).values() for ch in text if unicodedata.east_asian_width(ch) in "WF"}
    assert wide and not [ch for ch in wide if ord(ch) not in cmap]


def _charset(codec, lead, trail):
    out = set()
    for a in lead:
        for b in trail:
            try:
                out.add(bytes([a, b]).decode(codec))
            except UnicodeDecodeError:
                pass
    return out


@pytest.mark.parametrize("lang, codec, lead, trail", [
    ("ja", "euc_jp", range(0xA1, 0xFF), range(0xA1, 0xFF)),          # JIS X 0208
    ("ko", "euc_kr", range(0xA1, 0xFF), range(0xA1, 0xFF)),          # KS X 1001
    ("zh_Hant", "big5", range(0xA1, 0xFA), [*range(0x40, 0x7F), *range(0xA1, 0xFF)]),
])
def test_an_editors_title_in_the_regional_charset_renders(lang, codec, lead, trail):
    chars = _charset(codec, lead, trail) | ({chr(c) for c in range(0xAC00, 0xD7A4)} if lang == "ko" else set())
    covered = _cmap(FONT_DIR / FONT_FILES[lang]) | _cmap(matplotlib.get_data_path() + "/fonts/ttf/DejaVuSans.ttf")
    missing = sorted(ch for ch in chars if ord(ch) not in covered and unicodedata.category(ch) != "Co")
    assert len(chars) > 6000 and len(missing) <= 3, missing
