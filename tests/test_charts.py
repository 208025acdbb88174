"""Chart functions: the editor's defects stay fixed, in every language."""
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from supportstats.charts import plot_estimates, plot_exclusions, plot_forest, plot_ratio_readings, plot_sd_sensitivity
from supportstats.messages import LANGUAGES, MessageError, msg
from supportstats.theme import theme_context


@pytest.fixture
def staffing():  # the 04_staffing_and_volume numbers whose ticks were mislabelled
    return pd.DataFrame({"label": ["trends_2022.volume_increased", "trends_2022.headcount_cut", "trends_2022.cut_hurt_cx"],
                         "estimate": [0.59, 0.52, 0.48], "ci_low": [0.562, 0.492, 0.441],
                         "ci_high": [0.618, 0.548, 0.519], "n": [1214, 1214, 631]})


@pytest.fixture
def changes():
    return pd.DataFrame({"label": ["benchmark_2022.csat_change_pp", "nps_change",
                                   "nps_tracking_change"],
                         "estimate": [11.0, 6.0, 0.20], "ci_low": [8.6, -0.8, 0.123], "ci_high": [13.4, 12.8, 0.274],
                         "unit": ["means", "means", "shares"]})


def texts_of(fig):
    out = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        out += [ax.get_xlabel(), ax.get_title()] + [t.get_text() for t in ax.texts]
        out += [t.get_text() for t in ax.get_yticklabels() + ax.get_xticklabels()]
    for leg in fig.legends:
        out += [t.get_text() for t in leg.get_texts()]
    return [t for t in out if t]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_percent_ticks_sit_at_the_whole_percents_they_name(staffing, lang):
    with theme_context(lang):
        fig = plot_estimates(staffing, title="t", lang=lang)
        fig.canvas.draw()
    ax = fig.axes[0]
    locs = [v for v in ax.get_xticks() if ax.get_xlim()[0] <= v <= ax.get_xlim()[1]]
    assert locs and all(float(v).is_integer() for v in locs)
    assert len(set(np.diff(locs))) == 1  # evenly spaced
    for loc, tick in zip(ax.get_xticks(), ax.get_xticklabels()):
        if ax.get_xlim()[0] <= loc <= ax.get_xlim()[1]:
            assert tick.get_text().replace("\xa0", "").rstrip("%") == str(int(loc)), (loc, tick.get_text())
    plt.close(fig)


def test_legend_says_what_the_points_are_never_reproduced(staffing):
    fig = plot_estimates(staffing, title="t")
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["Published, with 95% margin of error (n = 631–1,214, simple random sample assumed)"]
    assert not any("Reproduced" in t for t in texts_of(fig))
    plt.close(fig)
    fig = plot_estimates(staffing.assign(published=[0.59, 0.52, 0.48]), title="t", reading="estimate",
                         published="published", n=1214)
    assert [t.get_text() for t in fig.legends[0].get_texts()] == [
        "Estimate from the respondent data, with 95% confidence interval (n = 1,214)", "Published"]
    plt.close(fig)


def test_header_footer_and_table(staffing):
    fig = plot_estimates(staffing, title=msg("finding.trends_2022.headcount_cut", share=0.52),
                         subtitle=msg("subtitle.leaders", source=msg("source.trends", year=2022)), lang="ko",
                         source=msg("source.trends", year=2022), synthetic=True)
    by_gid = {t.get_gid(): t.get_text() for t in fig.texts}
    assert by_gid["supportstats-title"] == "지원 팀의 52%가 인력을 줄임"
    assert by_gid["supportstats-subtitle"] == "Customer Support Trends 2022에서 조사한 지원 리더"
    assert by_gid["supportstats-footer"].endswith("합성 재구성 데이터 — 분석 과정 시연용이며 증거가 아님")
    table = fig.supportstats_table
    assert table.columns.tolist() == ["label", "estimate", "ci_low", "ci_high", "n", "level", "unit", "source"]
    assert table["estimate"].tolist() == pytest.approx([59, 52, 48]) and table["unit"].eq("percent").all()
    assert fig.supportstats_alt.startswith("지원 팀의 52%가 인력을 줄임. 지원 문의량 증가: 59%(56%~62%)")
    plt.close(fig)


def test_footer_never_overlaps_the_axes_and_warning_keeps_its_line(staffing):
    title = "Average CSAT rose from 78% to 89% between the 2021 and 2022 benchmark waves, an 11-point rise " * 2
    fig = plot_estimates(staffing, title=title, source="A long source name " * 6, synthetic=True)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = {t.get_gid(): t.get_window_extent(renderer) for t in fig.texts}
    axes_box = fig.axes[0].get_tightbbox(renderer)
    legend_box = fig.legends[0].get_window_extent(renderer)
    assert boxes["supportstats-footer"].y1 < axes_box.y0, "footer overlaps the axes"
    assert boxes["supportstats-subtitle" if "supportstats-subtitle" in boxes else "supportstats-title"].y0 > legend_box.y1
    assert legend_box.y0 > axes_box.y1 - 1, "legend overlaps the panel"
    for box in [*boxes.values(), legend_box]:
        assert box.x1 <= fig.bbox.x1 + 1, "text runs off the figure"
    footer = [t for t in fig.texts if t.get_gid() == "supportstats-footer"][0]
    assert footer.get_text().splitlines()[-1] == "SYNTHETIC RECONSTRUCTION — pipeline demonstration, not evidence"
    plt.close(fig)


def test_forest_keeps_acronyms_and_one_unit_per_panel(changes):
    fig = plot_forest(changes, title="t", panel="unit", scale={"means": None, "shares": "share"})
    means, shares = fig.axes
    assert [t.get_text() for t in means.get_yticklabels()] == ["Average CSAT, 2021 → 2022", "Average NPS, 2021 → 2022"]
    assert means.get_xlabel() == "Change on the previous wave (points)"
    assert shares.get_xlabel() == "Change on the previous wave (percentage points)"
    assert [t.get_text() for t in shares.texts] == ["+20 pp"] and [t.get_text() for t in means.texts] == ["+11", "+6"]
    assert (means.get_title(loc="left"), shares.get_title(loc="left")) == ("Averages", "Shares")
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["95% interval excludes no change", "95% interval includes no change"]
    plt.close(fig)
    with pytest.raises(ValueError, match="one unit per axis"):
        plot_forest(changes, title="t")


def test_mixed_units_without_panels_are_refused(staffing):
    with pytest.raises(ValueError, match="one unit per axis"):
        plot_estimates(staffing.assign(unit=["share", "share", "points"]), title="t")


def test_unlabelled_codes_never_reach_an_axis(staffing):
    with pytest.raises(MessageError, match="no label for 'north_pole'"):
        plot_estimates(staffing.assign(label=["north_pole", "europe", "asia_pacific"]), title="t", lang="ja")


def assert_inside(fig):
    """Every legend and figure-level text lies within the figure (a too-wide legend was cut)."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    width, height = fig.bbox.width, fig.bbox.height
    for artist in list(fig.legends) + list(fig.texts):
        box = artist.get_window_extent(renderer)
        assert box.x0 >= -1 and box.x1 <= width + 1 and box.y0 >= -1 and box.y1 <= height + 1, \
            f"{type(artist).__name__} {box} outside the {width:.0f} x {height:.0f} figure"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_other_charts_draw_in_every_language(lang):
    sens = pd.DataFrame({"sd": [0, 5, 40, 80] * 2, "p_value": [0, 1e-90, 1e-3, 0.2, 0, 1e-9, 0.04, 0.4],
                         "curve": ["published values, nominal n"] * 4 + ["least favourable"] * 4, "sd_cap": 89.3})
    grid = pd.DataFrame({"p0": [0.1, 0.2, 0.1, 0.2], "p1": [0.4, 0.8, 0.31, 0.5], "kind": ["risk"] * 2 + ["odds"] * 2,
                         "ratio": 4.0})
    steps = pd.DataFrame({"trends_2021": [3, 0], "trends_2022": [1, 0]}, index=["deduplicate", "drop_tests"])
    with theme_context(lang):
        figs = [plot_sd_sensitivity(sens, title="t", lang=lang), plot_ratio_readings(grid, title="t", lang=lang),
                plot_exclusions(steps, title="t", lang=lang)]
    sd, ratio, excl = figs
    assert sd.axes[0].get_yscale() == "log" and sd.axes[0].get_ylim()[0] >= 1e-17
    assert sd.axes[0].get_ylim()[0] <= 1e-16  # p-values far below alpha drawn at the floor
    assert len(sd.supportstats_table) == 6 and sd.supportstats_table["sd_cap"].iloc[0] == pytest.approx(89.3)
    assert ratio.supportstats_table["implied_rate"].max() == pytest.approx(80)
    assert len(excl.legends[0].get_texts()) == 1  # steps without exclusions are dropped
    assert excl.supportstats_table["rows"].sum() == 4
    for fig in figs:
        assert fig.supportstats_alt.startswith("t")
        assert_inside(fig)
        plt.close(fig)


def test_footer_stays_below_the_last_axis_of_a_tall_figure():
    """A 60-row forest is 30 inches tall: 1.2% of that lifted the footer into the last axis label."""
    rows = pd.DataFrame({"label": [f"row {i}" for i in range(60)], "estimate": np.linspace(-0.05, 0.05, 60),
                         "ci_low": np.linspace(-0.1, 0.0, 60), "ci_high": np.linspace(0.0, 0.1, 60)})
    fig = plot_forest(rows, title="Sixty differences", labels={f"row {i}": f"Row {i}" for i in range(60)},
                      source="A source")
    assert fig.get_figheight() > 20
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    footer = [t for t in fig.texts if t.get_gid() == "supportstats-footer"][0].get_window_extent(renderer)
    assert footer.y1 < fig.axes[-1].get_tightbbox(renderer).y0, "footer overlaps the last axis label"
    plt.close(fig)


def test_labels_with_dollar_signs_are_text_not_math():
    df = pd.DataFrame({"label": ["low", "high"], "estimate": [0.2, 0.8], "ci_low": [0.1, 0.7], "ci_high": [0.3, 0.9]})
    fig = plot_estimates(df, title="Income from $3,000 to $4,999", labels={"low": "$3,000-$4,999", "high": "$5,000+"})
    assert fig.supportstats_table.label.tolist() == ["$3,000-$4,999", "$5,000+"]   # the data keep the label
    fig.canvas.draw()
    label = fig.axes[0].get_yticklabels()[0]
    assert label.get_text() == r"\$3,000-\$4,999"           # escaped for matplotlib, drawn with its $ signs
    # what matplotlib draws (its own parsing): the label with its $ signs, as text, not math
    assert label._preprocess_math(label.get_text()) == ("$3,000-$4,999", False)
    assert label._preprocess_math("$3,000-$4,999")[1] is True      # unescaped, it would be math
    assert fig.texts[0].get_text().startswith(r"Income from \$3,000")
    plt.close(fig)
