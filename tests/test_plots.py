import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import seaborn as sns

from supportstats.plots import (DPI, SYNTHETIC_NOTE, add_footer, plot_estimates, plot_forest, save_figure,
                                set_theme)


@pytest.fixture
def shares():
    return pd.DataFrame({"label": ["Team burned out", "Leader burned out"], "estimate": [0.64, 0.55],
                         "ci_low": [0.61, 0.52], "ci_high": [0.67, 0.58], "n": [1204, 1204], "level": 0.95})


@pytest.fixture
def changes():
    return pd.DataFrame({"label": ["NPS tracking", "CSAT tracking", "Churn"], "estimate": [0.20, 0.03, -0.06],
                         "ci_low": [0.12, -0.04, -0.09], "ci_high": [0.28, 0.10, -0.02]})


def footer_text(fig):
    return [t.get_text() for t in fig.texts if t.get_gid() == "supportstats-footer"][0]


def test_backend_and_theme():
    set_theme()
    assert matplotlib.get_backend().lower() == "agg"
    assert matplotlib.rcParams["svg.hashsalt"] == "supportstats"
    assert sns.color_palette()[:3] == sns.color_palette("colorblind")[:3]


def test_estimates_draw_ci_published_and_footer(shares):
    fig = plot_estimates(shares, title="64% say their team burned out", published=[0.64, np.nan],
                         source="Trends report 2022", synthetic=True)
    ax = fig.axes[0]
    assert fig.texts[0].get_text() == "64% say their team burned out"
    ticks = {t.get_text(): y for t, y in zip(ax.get_yticklabels(), ax.get_yticks())}
    assert ticks["Team burned out"] > ticks["Leader burned out"]  # first row on top
    assert ax.xaxis.get_major_formatter()(0.25) == "25%"
    assert [t.get_text() for t in ax.texts] == ["64%", "55%"]
    (points, caps, bars), = ax.containers
    assert bars[0].get_segments()[0][:, 0].tolist() == pytest.approx([0.61, 0.67])  # CI of the first row
    published = ax.collections[-1].get_offsets()
    assert published.shape == (1, 2) and published[0][0] == pytest.approx(0.64)
    assert footer_text(fig).startswith("n = 1,204  ·  Source: Trends report 2022")
    assert SYNTHETIC_NOTE in footer_text(fig)
    plt.close(fig)


def test_plain_and_percent_scales(shares):
    means = shares.assign(estimate=[78.0, 89.0], ci_low=[76.0, 87.0], ci_high=[80.0, 91.0])
    fig = plot_estimates(means, title="CSAT", scale="percent")
    assert fig.axes[0].xaxis.get_major_formatter()(80) == "80%"
    plt.close(fig)
    fig = plot_estimates(means, title="CSAT", scale=None, ci=None)
    assert [t.get_text() for t in fig.axes[0].texts] == ["78", "89"]
    plt.close(fig)
    with pytest.raises(KeyError, match="'upper'"):
        plot_estimates(shares, title="x", ci=("ci_low", "upper"))
    with pytest.raises(ValueError, match="scale="):
        plot_estimates(shares, title="x", scale="pp")


def test_forest_zero_line_and_significance_markers(changes):
    fig = plot_forest(changes, title="Changes 2021 → 2022", source="Benchmark report")
    ax = fig.axes[0]
    assert any(list(line.get_xdata()) == [0, 0] for line in ax.get_lines())
    assert [t.get_text() for t in ax.texts] == ["+20 pp", "+3 pp", "\u22126 pp"]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["95% CI excludes 0", "95% CI includes 0"]
    assert SYNTHETIC_NOTE not in footer_text(fig)
    plt.close(fig)


def test_long_title_wraps_and_footer_leaves_room(shares):
    title = "Average CSAT rose from 78% to 89% between the 2021 and 2022 benchmark waves, an 11-point rise"
    fig = plot_estimates(shares, title=title, source="A long source name " * 3, synthetic=True)
    assert "\n" in fig.texts[0].get_text()
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    footer = [t for t in fig.texts if t.get_gid() == "supportstats-footer"][0]
    foot_box = footer.get_window_extent(renderer)
    axes_box = fig.axes[0].get_tightbbox(renderer)  # includes tick labels and the x label
    assert foot_box.y1 < axes_box.y0, "footer overlaps the axes"
    assert foot_box.x1 <= fig.bbox.x1, "footer runs off the figure"
    assert footer.get_text().splitlines()[-1] == SYNTHETIC_NOTE
    plt.close(fig)


def test_add_footer_replaces_itself():
    fig, _ = plt.subplots(layout="constrained")
    add_footer(fig, n=10, source="a")
    add_footer(fig, n=20, source="b")
    assert [t.get_text() for t in fig.texts] == ["n = 20  ·  Source: b"]
    plt.close(fig)


def test_save_is_byte_identical_and_closes(shares, tmp_path):
    def draw():
        return plot_estimates(shares, title="Burnout", published="estimate", source="s", synthetic=True)

    fig = draw()
    png, svg = save_figure(fig, "burnout", folder=tmp_path)
    assert not plt.fignum_exists(fig.number)
    first = png.read_bytes(), svg.read_bytes()
    save_figure(draw(), "burnout", folder=tmp_path / "again")
    second = (tmp_path / "again" / "burnout.png").read_bytes(), (tmp_path / "again" / "burnout.svg").read_bytes()
    assert first == second
    assert first[0][:8] == b"\x89PNG\r\n\x1a\n" and b"Software" not in first[0]
    assert b"<dc:date>" not in first[1] and b"Matplotlib" not in first[1]
    from PIL import Image

    with Image.open(png) as im:
        assert im.size[0] == 8 * DPI
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["burnout.png", "burnout.svg"]
    with pytest.raises(ValueError, match="name"):
        save_figure(draw(), "../escape", folder=tmp_path)


def test_sd_sensitivity_axis_is_floored_and_labelled():
    from supportstats.plots import plot_sd_sensitivity

    sens = pd.DataFrame({"sd": [5, 40, 80], "p_value": [1e-90, 1e-3, 0.2], "max_significant_sd": 68.5})
    fig = plot_sd_sensitivity(sens, title="+11 points", alpha=0.05)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and ax.get_ylim()[0] >= 1e-17
    assert "below 1e-16" in ax.get_legend().get_texts()[0].get_text()
    plt.close(fig)


def test_exclusions_and_ratio_readings_draw(tmp_path):
    from supportstats.plots import plot_exclusions, plot_ratio_readings

    steps = pd.DataFrame({"2021": [3, 0], "2022": [1, 0]}, index=["deduplicate", "never_used"])
    fig = plot_exclusions(steps, title="Exclusions", synthetic=True)
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["deduplicate"]  # empty steps dropped
    plt.close(fig)
    grid = pd.DataFrame({"p0": [0.1, 0.2, 0.1, 0.2], "p1": [0.4, 0.8, 0.31, 0.5], "kind": ["risk"] * 2 + ["odds"] * 2,
                         "ratio": 4.0})
    fig = plot_ratio_readings(grid, title="4x")
    assert ax_fmt(fig)(0.5) == "50%"
    plt.close(fig)


def ax_fmt(fig):
    return fig.axes[0].yaxis.get_major_formatter()
