"""Bounds that published numbers put on what they do not publish (placeholder; see the checks branch)."""
from __future__ import annotations

import numpy as np

__all__ = ["max_sd"]


def max_sd(mean, low=0.0, high=100.0):
    """Largest standard deviation of answers on [low, high] with the given mean.

    Examples
    --------
    >>> round(float(max_sd(78)), 1), round(float(max_sd(45, -100, 100)), 1)
    (41.4, 89.3)
    """
    m = np.asarray(mean, dtype=float)
    out = np.sqrt(np.clip((m - low) * (high - m), 0, None))
    return out if out.ndim else float(out)
