"""Figures of evidence from published aggregates (to be folded into the figure modules)."""
from __future__ import annotations

import pandas as pd

__all__ = ["plot_sd_curve"]


def plot_sd_curve(curve, *, title, alpha=0.05, source=None, ax=None):
    """p-value of a published change of means against the unpublished SD, two curves.

    Examples
    --------
    >>> from supportstats import change_curve
    >>> fig = plot_sd_curve(change_curve("benchmark_2022.nps_mean", points=5), title="NPS 45 → 51")
    >>> fig.axes[0].get_yscale()
    'log'
    >>> import matplotlib.pyplot as plt; plt.close(fig)
    """
    import seaborn as sns

    from .plots import PALETTE, _finish, _new_figure

    df = pd.DataFrame(curve)
    fig, ax = _new_figure(6, ax)
    colors = sns.color_palette(PALETTE)
    floor = 1e-16
    for (name, part), color in zip(df.groupby("curve", sort=False), colors):
        part = part[part["sd"] > 0]
        ax.plot(part["sd"], part["p_value"].clip(lower=floor), color=color, label=f"p-value, {name}")
    ax.axhline(alpha, color=colors[3], linestyle="--", linewidth=1.5, label=f"α = {alpha:g}")
    ax.set_yscale("log")
    ax.set_ylim(max(float(df.loc[df.sd > 0, "p_value"].min()), floor) / 3, 1.5)
    return _finish(fig, ax, title, None, source, False, "Standard deviation of the answers, both editions (points)",
                   "p-value")
