"""Figure bundles: five languages from one call, same numbers, repeatable bytes, data and alt text beside."""
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from supportstats.errors import InputError
from supportstats.figures import check_titles, draw_figure, save_figure
from supportstats.messages import LANGUAGES, msg
from supportstats.titles import finding_title

NUMERIC = ["estimate", "ci_low", "ci_high", "n", "level"]


@pytest.fixture
def burnout():
    return pd.DataFrame({"label": ["trends_2022.team_burnout", "trends_2022.leader_burnout"],
                         "estimate": [0.64, 0.55], "ci_low": [0.6127, 0.5219], "ci_high": [0.6673, 0.5781],
                         "n": [1214, 1214]})


def bundle(folder, data, **kw):
    row = {"claim_id": "trends_2022.team_burnout", "verdict": "consistent", "published": 64.0, "unit": "percent"}
    kw.setdefault("title", finding_title(row))
    return draw_figure("03_burnout", "estimates", data, folder=folder,
                       subtitle=msg("subtitle.leaders", source=msg("source.trends", year=2022)),
                       source=msg("source.trends", year=2022), synthetic=True, **kw)


def files(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_all_languages_written_and_bytes_repeat(burnout, tmp_path):
    shown = bundle(tmp_path / "a", burnout)
    bundle(tmp_path / "b", burnout)
    first, second = files(tmp_path / "a"), files(tmp_path / "b")
    expected = {f"{'' if lang == 'en' else lang + '/'}03_burnout.{ext}" for lang in LANGUAGES
                for ext in ("png", "svg", "csv", "txt")}
    assert set(first) == expected
    assert first == second, [k for k in first if first[k] != second[k]]
    assert shown.lang == "en" and shown.png == first["03_burnout.png"]
    assert shown.alt == "64% of leaders say their team burned out — consistent with the other published figures. Team burned out (2022): " \
                        "64% (61% to 67%) and Leader personally burned out (2022): 55% (52% to 58%)."
    bundle_, meta = shown._repr_mimebundle_()
    assert bundle_["text/plain"] == shown.alt and meta["image/png"]["alt"] == shown.alt
    for lang in LANGUAGES:
        svg = first[f"{'' if lang == 'en' else lang + '/'}03_burnout.svg"]
        assert b"<dc:date>" not in svg and b"Matplotlib" not in svg
        assert first[f"{'' if lang == 'en' else lang + '/'}03_burnout.png"][:4] == b"\x89PNG"


def test_csv_holds_the_numbers_drawn_identical_across_languages(burnout, tmp_path):
    bundle(tmp_path, burnout)
    tables = {lang: pd.read_csv(tmp_path / ("" if lang == "en" else lang) / "03_burnout.csv") for lang in LANGUAGES}
    en = tables["en"]
    assert en["estimate"].tolist() == [64.0, 55.0] and en["ci_low"].tolist() == pytest.approx([61.27, 52.19])
    assert en["source"].eq("Customer Support Trends 2022").all()
    for lang, table in tables.items():
        pd.testing.assert_frame_equal(table[NUMERIC], en[NUMERIC])
        if lang != "en":
            assert (table["label"] != en["label"]).all(), lang
    assert tables["ja"]["label"].tolist() == ["チームが燃え尽きた（2022年）", "リーダー自身が燃え尽きた（2022年）"]


def test_alt_text_states_the_finding_in_each_language(burnout, tmp_path):
    bundle(tmp_path, burnout)
    alt = {lang: (tmp_path / ("" if lang == "en" else lang) / "03_burnout.txt").read_text() for lang in LANGUAGES}
    assert alt["es"].startswith("El 64\xa0% de los responsables dice que su equipo está agotado: coherente con las demás cifras publicadas.")
    assert alt["zh_Hant"].startswith("64% 的主管表示團隊感到倦怠 — 與其他已發表數字一致。")
    assert all("64" in text and "55" in text and text.endswith("\n") for text in alt.values())


def test_single_language_and_editor_overrides(burnout, tmp_path):
    shown = bundle(tmp_path, burnout, lang="ja", titles={"03_burnout": {"ja": "燃え尽きはチームの64%"}},
                   fig_width=6, fig_height=4, dpi=100)
    assert sorted(files(tmp_path)) == [f"ja/03_burnout.{e}" for e in ("csv", "png", "svg", "txt")]
    assert shown.lang == "ja" and shown.alt.startswith("燃え尽きはチームの64%。")
    from PIL import Image

    with Image.open(tmp_path / "ja" / "03_burnout.png") as im:
        assert im.size == (600, 400)
    shown = bundle(tmp_path / "x", burnout, lang="all", titles={"03_burnout": "Burnout, everywhere"})
    assert shown.alt.startswith("Burnout, everywhere.")


def test_missing_glyph_is_an_error_not_a_box(burnout, tmp_path):
    with pytest.raises(InputError, match=r"figure 03_burnout \(en\): Glyph .* missing from font"):
        bundle(tmp_path, burnout, lang="en", titles={"03_burnout": "燃え尽き"})


def test_titles_are_checked_up_front():
    assert check_titles({}, ["a"]) == {}
    with pytest.raises(InputError, match="expected a figure of this notebook: 01_csat_rise, 01_csat_rise_sd"):
        check_titles({"01_csat": "x"}, ["01_csat_rise", "01_csat_rise_sd"])
    with pytest.raises(InputError, match="unknown language"):
        check_titles({"a": {"fr": "x"}}, ["a"])
    with pytest.raises(InputError, match="must be text"):
        check_titles({"a": 3}, ["a"])


def test_unknown_language_and_chart_refused(burnout, tmp_path):
    with pytest.raises(KeyError, match="unknown language"):
        bundle(tmp_path, burnout, lang="fr")
    with pytest.raises(InputError, match="unknown chart"):
        draw_figure("x", "pie", burnout, title="t", folder=tmp_path)


def test_bytes_repeat_in_a_fresh_process(burnout, tmp_path):
    """Another interpreter (other hash seed, cold font caches) writes the same bytes in every language."""
    import subprocess
    import sys

    bundle(tmp_path / "here", burnout)
    burnout.to_csv(tmp_path / "data.csv", index=False)
    code = (
        "import sys, pandas as pd; sys.path.insert(0, sys.argv[3]); from test_figures import bundle; "
        "bundle(__import__('pathlib').Path(sys.argv[1]), pd.read_csv(sys.argv[2]))")
    env = dict(__import__("os").environ, PYTHONHASHSEED="12345", MPLCONFIGDIR=str(tmp_path / "mpl"))
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "there"), str(tmp_path / "data.csv"),
                    str(__import__("pathlib").Path(__file__).parent)], check=True, env=env)
    here, there = files(tmp_path / "here"), files(tmp_path / "there")
    assert here.keys() == there.keys() and len(here) == 20
    assert [k for k in here if here[k] != there[k]] == []


def test_a_legend_past_the_edge_is_refused_naming_the_figure(tmp_path):
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([0, 1], label="a label far too long for a four-inch figure, placed where nothing wraps it")
    fig.legend(loc="upper left", bbox_to_anchor=(0.5, 1.0))
    with pytest.raises(InputError, match="figure cut: the legend runs past the figure's edge"):
        save_figure(fig, "cut", folder=tmp_path)
    assert list(tmp_path.iterdir()) == []  # nothing half-written
