"""The report: readable from a phone to a desktop, offline, with alt text and data links; checked in Chromium."""
import base64
import json
import os
import re
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from supportstats.figures import draw_figure
from supportstats.messages import msg
from supportstats.paths import ROOT
from supportstats.report import _Renderer, build_report, escape_dollars
from supportstats.report_fonts import mark_languages

# set SUPPORTSTATS_SCREENSHOTS=/some/dir to keep the screenshots and look at them
SHOTS = Path(os.environ["SUPPORTSTATS_SCREENSHOTS"]) if os.environ.get("SUPPORTSTATS_SCREENSHOTS") else None
PROSE = "ROAR 5.5% ↔ $550,000 imply $100,000 a point."
UNMARKED = "回答 そう思う"
# quoted as the findings notebooks quote the source articles: the label after the source is the language
QUOTES = ("> 「チームの**士気の低下**を経験しており」 — CS operations article (Intercom), `001` (ja)\n>\n"
          "> 「研究發現,64% 的客戶支持負責人表示」 — 2022 Customer Support Trends (Intercom), `002` (zh)\n>\n"
          "> 「지원 리더의 40%가 이를 주요 문제로 강조했습니다」 — Klaus, `004` (ko)")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """A small report laid out as `make reproduce` lays it out: figures/, data/, reports/."""
    root = tmp_path_factory.mktemp("report")
    figures = root / "figures"
    df = pd.DataFrame({"label": ["trends_2022.team_burnout", "trends_2022.leader_burnout"], "estimate": [0.64, 0.55],
                       "ci_low": [0.613, 0.522], "ci_high": [0.667, 0.578], "n": 1214})
    shown = draw_figure("03_burnout", "estimates", df, title=msg("finding.trends_2022.team_burnout", share=0.64),
                        folder=figures, source=msg("source.trends", year=2022), synthetic=True)
    changes = pd.DataFrame({"label": ["benchmark_2022.csat_change_pp", "nps_tracking_change"],
                            "estimate": [11.0, 0.2], "ci_low": [8.6, 0.12], "ci_high": [13.4, 0.27],
                            "unit": ["means", "shares"]})
    draw_figure("99_findings_forest", "forest", changes, title="Changes", folder=figures, panel="unit",
                scale={"means": None, "shares": "share"})
    findings = root / "findings.csv"
    shutil.copy(ROOT / "data" / "processed" / "findings.csv", findings)
    data, meta = shown._repr_mimebundle_()
    wide = pd.read_csv(findings).head(8).to_html()
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell(f"# 07 · demo\n\n{QUOTES}\n\n{PROSE}"),
        nbformat.v4.new_code_cell("shown", outputs=[nbformat.v4.new_output("display_data", data=data, metadata=meta)]),
        nbformat.v4.new_code_cell("table", outputs=[nbformat.v4.new_output(
            "execute_result", data={"text/html": wide, "text/plain": "table"}, execution_count=1)]),
        nbformat.v4.new_code_cell("verdict", outputs=[nbformat.v4.new_output(
            "display_data", data={"text/markdown": f"**Verdict.** {PROSE}", "text/plain": "v"})]),
        # CJK with no language: a heading, and a string in code (an answer label, as 00_data_audit shows them)
        nbformat.v4.new_markdown_cell(f"## {UNMARKED}"),
        nbformat.v4.new_code_cell(f'label = "{UNMARKED}"'),
    ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    reports = root / "reports"
    page = reports / "notebooks" / "07_demo.html"
    page.parent.mkdir(parents=True)
    page.write_text(_Renderer().page(page, nbformat.writes(nb), "07_demo"), encoding="utf-8")
    (root / "07_demo.ipynb").write_text(nbformat.writes(nb), encoding="utf-8")
    index = build_report([root / "07_demo.ipynb", root / "03_failed.ipynb"], reports=reports, figures=figures,
                         findings=findings, failed=["03_failed"])
    # the index in Japanese (its headings and the figures' alt text), as an editor's --lang ja run writes it
    index_ja = build_report([root / "07_demo.ipynb"], reports=root / "reports_ja", figures=figures, findings=findings,
                            lang="ja")
    return {"root": root, "index": index, "page": page, "alt": shown.alt, "index_ja": index_ja}


def test_index_is_responsive_and_shows_alt_text_and_data(report):
    html = report["index"].read_text(encoding="utf-8")
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert '<div class="scroll">\n<table>' in html
    assert "figure img{width:100%" in html
    assert f'alt="{report["alt"]}"' in html and f"<figcaption>{report['alt']}<br>" in html
    assert '<a href="../figures/03_burnout.csv">Data (CSV)</a>' in html
    assert 'href="notebooks/07_demo.html"' in html and 'href="failed/03_failed.html"' in html
    assert not re.search(r'(src|href)="https?:', html)


def test_index_in_the_figures_language(report):
    index = build_report([report["root"] / "07_demo.ipynb"], reports=report["root"] / "reports_ja",
                         figures=report["root"] / "figures", findings=report["root"] / "findings.csv", lang="ja")
    html = index.read_text(encoding="utf-8")
    assert '<html lang="ja">' in html and "<h2>図</h2>" in html
    assert "../figures/ja/03_burnout.png" in html and "データ（CSV）" in html
    assert "リーダーの 64% が、チームが燃え尽きたと回答" in html


def test_notebook_page_is_offline_and_links_back(report):
    html = report["page"].read_text(encoding="utf-8")
    assert not re.search(r'<script[^>]+src="https?:', html), "a script from the web"
    assert not re.search(r'<link[^>]+href="https?:', html), "a stylesheet from the web"
    assert "MathJax" not in html and "require.min.js" not in html
    assert '<nav class="supportstats-back"><a href="../index.html">← All findings and figures</a></nav>' in html
    assert f'alt="{report["alt"]}"' in html
    assert html.count("$550,000 imply $100,000") == 2  # the markdown cell and the verdict output, as prose


def _direct(nb, name):
    """The page as nbconvert's HTMLExporter makes it from ``nb`` with the report's template."""
    from nbconvert import HTMLExporter

    from supportstats import report as rep

    exporter = HTMLExporter(template_name="lab", extra_template_paths=[str(rep._TEMPLATE_DIR)],
                            template_file="supportstats.html.j2")
    resources = {"metadata": {"name": name}, "supportstats_index": "../index.html",
                 "supportstats_fonts": "../fonts/fonts.css", "supportstats_back": rep.tr("report.back", "en")}
    direct, _ = exporter.from_notebook_node(rep._prose_safe(nb), resources=resources)
    # and each quote marked with its language, which is all the page adds
    return mark_languages(direct)


def _as_nbconvert_reserializes(page: str) -> str:
    """``page`` without its stamp, through the HTML re-parse HTMLExporter ends with."""
    from bs4 import BeautifulSoup

    return str(BeautifulSoup(page[:page.rindex("<!-- supportstats source sha256")], features="html.parser"))


def test_page_is_what_nbconvert_makes_with_its_images_and_code_in_place(report):
    """The renderer hands nbconvert tokens for the images and the highlighted code (its HTML
    re-parse and bleach are slow on base64 and on pygments' spans); the page must be what
    nbconvert makes of the notebook itself: byte for byte once re-parsed as nbconvert does
    (which only respaces the code's markup)."""
    import base64

    nb = nbformat.read(report["root"] / "07_demo.ipynb", as_version=4)
    png = [o["data"]["image/png"] for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert png and base64.b64decode(png[0])[:4] == b"\x89PNG"
    html = report["page"].read_text(encoding="utf-8")
    assert html.count(png[0].strip()) == 1 and "ssimage" not in html and "sscode" not in html
    direct = _direct(nb, "07_demo")
    assert direct.count('<p lang="') == 3
    assert _as_nbconvert_reserializes(html) == direct + ("" if direct.endswith("\n") else "\n")
    assert html.count('<div class=" highlight hl-ipython3">') == sum(c.cell_type == "code" for c in nb.cells)


@pytest.mark.parametrize("source", [
    'x = "<script>alert(1)</script>"  # <b>not bold</b> &amp; &#39;',
    "s = 'a & b' if 1 < 2 > 0 else \"\"\"<a href='javascript:x'>\"\"\"",
    "%%html\n<div onclick=\"steal()\">hi</div>",
    'print("\u00e9 \u65e5\u672c\u8a9e \x00 \x0b \x1f \x7f \x85 \ufffe")',  # control characters html5lib drops
    "",
])
def test_code_is_what_nbconvert_makes_of_it(tmp_path, source):
    """Highlighted code skips bleach: pygments escapes the source, and where html5lib would
    still drop a character the code goes through nbconvert's clean_html as before."""
    from supportstats.report import _Renderer

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)],
                                  metadata={"language_info": {"name": "python", "pygments_lexer": "ipython3"}})
    page = tmp_path / "notebooks" / "x.html"
    page.parent.mkdir()
    html = _Renderer().page(page, nbformat.writes(nb), "x")
    direct = _direct(nb, "x")
    assert _as_nbconvert_reserializes(html) == direct + ("" if direct.endswith("\n") else "\n")
    assert "<script>" not in html and "onclick=" not in html


def test_aside_refuses_a_page_that_lost_an_image_or_code():
    from supportstats import report as rep

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x", outputs=[nbformat.v4.new_output(
        "display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "x"})])])
    aside = rep._Aside()
    aside.images(nb)
    (token,) = aside.parts
    assert nb.cells[0].outputs[0]["data"]["image/png"] == token
    assert aside.back(f"<img src='data:image/png;base64,{token}'>") == "<img src='data:image/png;base64,iVBORw0KGgo='>"
    code = aside.code('<div class="highlight"><pre>x</pre></div>')
    assert aside.back(f"<img src='{token}'>{code}") == "<img src='iVBORw0KGgo='><div class=\"highlight\"><pre>x</pre></div>"
    with pytest.raises(RuntimeError, match="do not match"):
        aside.back("<p>no image</p>")
    with pytest.raises(RuntimeError, match="do not match"):
        aside.back(f"<img src='{token}'>{code}{code}")


def test_escape_dollars_leaves_math_alone():
    assert escape_dollars("$550,000 imply $100,000") == r"\$550,000 imply \$100,000"
    assert escape_dollars("$x^2$ and \\$5") == "$x^2$ and \\$5"


# ----------------------------------------------------------------------------- browser

def _chrome(tmp_path):
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and driver):
        pytest.skip("browser test needs Debian's chromium and chromium-driver "
                    "(apt-get install -y chromium chromium-driver; .ci/run installs them)")
    from selenium import webdriver

    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-extensions",
                "--hide-scrollbars", f"--user-data-dir={tmp_path / 'profile'}"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    return webdriver.Chrome(options=opts, service=webdriver.ChromeService(executable_path=driver))


def _requests(browser):
    urls = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def _set_in(browser, css: str, family: str) -> None:
    """The CJK of the first ``css`` element is drawn in ``family`` (none of this machine's fonts has it)."""
    browser.execute_async_script("const done = arguments[arguments.length - 1]; document.fonts.ready.then(done);")
    browser.execute_cdp_cmd("DOM.enable", {}), browser.execute_cdp_cmd("CSS.enable", {})
    root = browser.execute_cdp_cmd("DOM.getDocument", {})["root"]["nodeId"]
    node = browser.execute_cdp_cmd("DOM.querySelector", {"nodeId": root, "selector": css})["nodeId"]
    used = browser.execute_cdp_cmd("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    own = browser.execute_script("return Array.from(document.querySelector(arguments[0]).childNodes)"
                                 ".filter(n => n.nodeType === 3).map(n => n.data).join('')", css)
    cjk = len(re.findall(r"[\u3000-\u30ff\u4e00-\u9fff\uac00-\ud7af\uff00-\uffef]", own))
    drawn = sum(f["glyphCount"] for f in used if f["familyName"] == family)
    # every CJK character of its own text in that font: any drawn by another is a box
    assert cjk and drawn >= cjk and {f["familyName"] for f in used if "Noto" in f["familyName"]} == {family}, \
        f"{css}: {cjk} CJK characters, fonts {used}"


@pytest.mark.parametrize("width", [390, 1400])
def test_report_in_headless_chromium(report, tmp_path, width):
    browser = _chrome(tmp_path)
    try:
        browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600})
        for page in (report["index"], report["page"], report["index_ja"]):
            browser.get(page.as_uri())
            browser.execute_script("window.scrollTo(0, document.body.scrollHeight); window.scrollTo(0, 0);")
            state = browser.execute_script("""
                const imgs = Array.from(document.images);
                return {scroll: document.documentElement.scrollWidth, inner: window.innerWidth,
                        images: imgs.length, loaded: imgs.filter(i => i.complete && i.naturalWidth > 0).length,
                        widest: Math.max(...imgs.map(i => i.getBoundingClientRect().right)),
                        text: document.body.innerText};""")
            assert state["inner"] == width
            assert state["scroll"] <= width, f"{page.name} scrolls sideways at {width} px ({state['scroll']} px wide)"
            assert state["images"] and state["loaded"] == state["images"], f"{page.name}: images not loaded"
            assert state["widest"] <= width
            if page == report["page"]:
                assert "$550,000 imply $100,000" in state["text"]
                assert "← All findings and figures" in state["text"]
                # the quotes in the report's own fonts, whatever the machine has (no CJK font here)
                loaded = browser.execute_async_script(
                    "const done = arguments[arguments.length - 1];"
                    "document.fonts.ready.then(() => done(Array.from(document.fonts)"
                    ".filter(f => f.status === 'loaded').map(f => f.family.replace(/\"/g, ''))));")
                assert {"Noto Sans JP", "Noto Sans TC", "Noto Sans KR"} <= set(loaded), loaded
                for css, family in (('p[lang="ja"]', "Noto Sans JP"), ('p[lang="ja"] strong', "Noto Sans JP"),
                                    ('p[lang="zh-Hant"]', "Noto Sans TC"), ('p[lang="ko"]', "Noto Sans KR"),
                                    ("h2", "Noto Sans JP"), (".jp-InputArea-editor span.s2", "Noto Sans JP")):
                    _set_in(browser, css, family)
            if page == report["index_ja"]:
                _set_in(browser, "h1", "Noto Sans JP")  # bold, where Chromium once fell back to boxes
            shot = browser.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
            (SHOTS or tmp_path).mkdir(parents=True, exist_ok=True)
            ((SHOTS or tmp_path) / f"{page.stem}_{width}.png").write_bytes(base64.b64decode(shot["data"]))
        # file: and data: are the report; chrome: is the browser's own new-tab page
        outside = [u for u in _requests(browser) if not u.startswith(("file:", "data:", "about:", "chrome:"))]
        assert not outside, f"requests left the machine: {outside[:5]}"
    finally:
        browser.quit()


def test_findings_table_reads_every_field_as_its_text_as_pandas_does(tmp_path):
    """The index reads findings.csv with the csv module (no pandas in the runner); the cells
    must be what pandas' dtype=str, keep_default_na=False read, quoting and BOM included."""
    import html

    from supportstats.report import _FINDINGS_COLUMNS, _cell, _findings_table

    header = ["claim_id", "published", "estimate", "reproduced", "ci_low", "ci_high", "n", "verdict", "evidence",
              "data_source", "extra"]
    rows = [["C01", "78%", "0.781", "NA", "", "null", "1200", 'says "yes", then no', "pipeline check", "synthetic", "x"],
            ["C02", "1,234", "-inf", "nan", "0.1", "0.2", "", "line\nbreak", "", "real", "y"]]
    for encoding in ("utf-8", "utf-8-sig"):
        path = tmp_path / f"findings-{encoding}.csv"
        pd.DataFrame(rows, columns=header).to_csv(path, index=False, encoding=encoding)
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        cols = [c for c in _FINDINGS_COLUMNS if c in table]
        expected = [[html.escape(_cell(str(v))) for v in row] for row in table[cols].itertuples(index=False)]
        page = _findings_table(path, "en")
        assert re.findall(r"<th>(.*?)</th>", page) == cols
        shown = [re.findall(r"<td>(.*?)</td>", tr, flags=re.S) for tr in re.findall(r"<tr><td>.*?</tr>", page, flags=re.S)]
        assert shown == expected
    empty = tmp_path / "empty.csv"
    empty.write_text(",".join(header) + "\n")
    assert "<tbody>\n\n</tbody>" in _findings_table(empty, "en")
