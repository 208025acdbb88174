"""supportstats.report_fonts: the report's CJK quotes in the package's fonts, cut to the characters used."""
import io
import json
import re
from pathlib import Path

from fontTools.ttLib import TTFont

from supportstats import report_fonts as rf

ROOT = Path(__file__).resolve().parents[1]
JA, ZH, KO = "チームの士気の低下", "研究發現負責人", "지원 리더의 강조했습니다"


def _fonts(css: Path) -> dict[str, Path]:
    text = css.read_text(encoding="utf-8")
    return {family: css.parent / url for family, url in re.findall(r'font-family:"([^"]+)";src:url\("([^"]+)"\)', text)}


def test_each_language_s_font_holds_its_characters_and_is_cut_down(tmp_path):
    pages = [f'<p lang="ja">{JA}</p>', f'<p lang="zh-Hant">{ZH}</p><p lang="ko">{KO}</p>']
    css = rf.write_fonts(tmp_path, pages)
    fonts = _fonts(css)
    assert set(fonts) == {"Noto Sans JP", "Noto Sans TC", "Noto Sans KR"}
    for family, text in (("Noto Sans JP", JA), ("Noto Sans TC", ZH), ("Noto Sans KR", KO.replace(" ", ""))):
        cmap = TTFont(fonts[family]).getBestCmap()
        assert all(ord(c) in cmap for c in text), family
        assert len(cmap) < 400 and fonts[family].stat().st_size < 200_000  # not the 5 MB font
    assert ":lang(zh-Hant){" in css.read_text() and (tmp_path / "fonts" / "LICENSE-OFL.txt").exists()


def test_same_characters_keep_the_files_and_new_ones_replace_them(tmp_path):
    css = rf.write_fonts(tmp_path, [JA])
    first = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in css.parent.iterdir()}
    rf.write_fonts(tmp_path, [JA + JA])
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in css.parent.iterdir()} == first
    other = rf.write_fonts(tmp_path / "again", [JA])  # the same bytes in another folder: deterministic
    assert {p.name: p.read_bytes() for p in other.parent.iterdir()} == {k: v[0] for k, v in first.items()}
    rf.write_fonts(tmp_path, [JA + KO])
    names = sorted(p.name for p in css.parent.iterdir())
    assert len(names) == 5 and not set(names) & (set(first) - {"fonts.css", "LICENSE-OFL.txt"})
    assert all(n in css.read_text() for n in names if n.endswith(".otf"))


def test_every_cjk_quote_in_the_notebooks_declares_a_language_the_report_knows():
    """A quote with no label would get no lang, and so no regional glyph forms, in the report."""
    checked = 0
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] != "markdown":
                continue
            quote = [line[1:].strip() for line in "".join(cell["source"]).splitlines() if line.startswith(">")]
            for paragraph in " ".join(quote).split("  "):
                if rf._CJK.search(paragraph):
                    labels = re.findall(r"`\d{3}` \(([A-Za-z_-]+)\)", paragraph)
                    assert labels and labels[0] in rf._LABELS and rf._LABELS[labels[0]] in rf._FONTS, \
                        f"{path.name}: {paragraph[:60]}"
                    checked += 1
    assert checked >= 10


def _cmaps(css: Path) -> dict[str, set[int]]:
    return {family: set(TTFont(path).getBestCmap() or ()) for family, path in _fonts(css).items()}


def test_every_character_is_drawn_in_the_font_the_whole_fonts_would_draw_it_in(tmp_path):
    """Chinese and Korean get only their text's characters and those the fonts before them
    lack; in every context a page has, each character still comes from the same font."""
    mixed = "한국어 研究發現 チーム 龘"  # no language: Japanese first, then Chinese, then Korean
    pages = [f'<html lang="en"><p lang="ja">{JA}</p><p lang="zh-Hant">{ZH}</p><p lang="ko">{KO}</p><p>{mixed}</p></html>']
    css = rf.write_fonts(tmp_path, pages)
    cut = _cmaps(css)
    whole = {family: set(TTFont(rf._FONTS_DIR / name).getBestCmap()) for name, family in rf._FONTS.values()}
    contexts = {("Noto Sans JP", "Noto Sans TC", "Noto Sans KR"): JA + ZH + KO + mixed,
                ("Noto Sans JP",): JA, ("Noto Sans TC",): ZH, ("Noto Sans KR",): KO}
    for order, text in contexts.items():
        for c in set(rf._CJK.findall(text)):
            first = lambda fonts: next((f for f in order if ord(c) in fonts[f]), None)  # noqa: E731
            assert first(cut) == first(whole), (c, order)
    assert not any(ord(c) in cut["Noto Sans TC"] for c in "チーム")  # Japanese draws those
    assert all(ord(c) in cut["Noto Sans KR"] for c in "한국어")  # only Korean has them
    every = "".join(sorted(set(rf._CJK.findall(JA + ZH + KO + mixed))))
    for name, family in list(rf._FONTS.values())[1:]:  # what each had when every font got every character
        assert cut[family] < set(TTFont(io.BytesIO(rf._subset(rf._FONTS_DIR / name, every)[0])).getBestCmap())


def test_a_page_or_element_in_a_language_gives_that_font_all_its_characters(tmp_path):
    """Beyond the quotes' paragraphs, a lang anywhere (the page's own, a researcher's span)
    may put any of the page's text in that language."""
    tc = set(TTFont(rf._FONTS_DIR / rf._FONTS["zh-Hant"][0]).getBestCmap())
    has = {ord(c) for c in JA} & tc  # what the whole Chinese font can draw of the Japanese text
    assert has & {ord(c) for c in "チーム"}
    for i, page in enumerate((f'<html lang="zh-Hant"><p>{JA}</p></html>', f'<p>{JA}</p><span lang="zh-Hant-TW">x</span>',
                              f'<div xml:lang="zh_Hant">{JA}</div>')):
        css = rf.write_fonts(tmp_path / str(i), [page])
        assert has <= _cmaps(css)["Noto Sans TC"], page
    css = rf.write_fonts(tmp_path / "zh", [f'<html lang="zh"><p>{JA}</p></html>'])  # :lang(zh-Hant) is not zh
    assert not has & _cmaps(css)["Noto Sans TC"]
