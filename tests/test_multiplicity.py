"""supportstats.multiplicity against R's p.adjust (stored numbers) and statsmodels' multipletests.
Reference numbers: tests/reference/make_reference.R -> reference.json."""
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from supportstats import adjust_pvalues

REF = Path(__file__).parent / "reference"
R = json.loads((REF / "reference.json").read_text())
TOL = 1e-6


@pytest.mark.parametrize("method", ["holm", "bonferroni", "bh", "by"])
def test_adjust_pvalues_matches_r_p_adjust(method):
    p = np.array([np.nan if v is None else v for v in R["p_adjust"]["p"]])
    expected = np.array([np.nan if v is None else v for v in R["p_adjust"][method]])
    got = adjust_pvalues(pd.Series(p, index=list("abcdefgh")), method)
    assert list(got.index) == list("abcdefgh")
    np.testing.assert_allclose(got.p_adjusted.to_numpy(), expected, rtol=TOL, equal_nan=True)


@pytest.mark.parametrize("method, sm", [("holm", "holm"), ("bonferroni", "bonferroni"),
                                        ("bh", "fdr_bh"), ("by", "fdr_by")])
def test_adjust_pvalues_equals_statsmodels_with_ties(method, sm):
    from statsmodels.stats.multitest import multipletests
    rng = np.random.default_rng(2)
    for p in list(rng.uniform(0, 0.2, (4, 12)) ** 2) + [np.full(6, 0.01), np.array([0.5])]:
        np.testing.assert_allclose(adjust_pvalues(p, method).p_adjusted,
                                   multipletests(p, method=sm)[1], rtol=1e-12)


def test_adjust_pvalues_needs_a_method_and_valid_p():
    with pytest.raises(TypeError):
        adjust_pvalues([0.1, 0.2])
    with pytest.raises(ValueError, match="method='fdr'"):
        adjust_pvalues([0.1], "fdr")
    with pytest.raises(ValueError, match="1.2"):
        adjust_pvalues([0.1, 1.2], "holm")
