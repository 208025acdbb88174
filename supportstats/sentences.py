"""The sentence for each verdict, computed from its findings row's own columns.

For ``consistent``, the three change verdicts, ``reproduced`` and ``not reproduced`` the
sentence is fully determined by the row, so a reader can recheck it against the numbers
beside it; :func:`verdict_markdown` puts a notebook's rows in a list under "Verdict."
"""
from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["describe", "verdict_markdown"]


def _num(x, digits=1) -> str:
    x = float(x)
    if not np.isfinite(x):
        return "n/a"
    return f"{x:,.0f}" if abs(x) >= 1000 or x == round(x) else f"{x:,.{digits}f}"


def _p(x) -> str:
    x = float(x)
    return "< 0.001" if x < 0.001 else f"{x:.3f}"


def _flip(on, at) -> str:
    at = float(at)
    if on == "sd":
        return f"SD {at:.1f} (at the published values and sample sizes)"
    if not np.isfinite(at):
        return "no sample size: it is not significant at the least favourable values at any n"
    return f"n {at:,.0f} per edition (at the least favourable values)"


def describe(row) -> str:
    """The sentence for a row's verdict, computed from its own columns.

    For ``consistent``, the three change verdicts, ``reproduced`` and ``not reproduced``
    the sentence is fully determined by the row (a test checks ``detail`` starts with it);
    for the other verdicts :func:`assemble_findings` keeps the reason the notebook gave.

    Examples
    --------
    >>> describe({"verdict": "depends on assumptions", "kind": "change", "estimate": 6.0, "alpha": 0.05,
    ...           "p_holm": 0.95, "p_holm_min": 0.0, "family": "benchmark", "threshold_on": "sd", "threshold": 22.1,
    ...           "assumption": "n 84 and 144"})
    'A change of +6 points: significant at α = 0.05 under the most favourable assumptions (Holm-adjusted p < 0.001 across the benchmark tests) but not under the least favourable (adjusted p 0.950); it flips at SD 22.1 (at the published values and sample sizes). Assumed: n 84 and 144.'
    """
    get = row.get if isinstance(row, dict) else row.__getitem__
    verdict, assumption = get("verdict"), get("assumption")
    tail = f" Assumed: {assumption}." if isinstance(assumption, str) and assumption else ""
    if verdict == "consistent":
        lvl = f"{100 * float(get('level')):.0f}%"
        if get("kind") == "reading":
            return f"Consistent with the other published figures: {get('test')}.{tail}"
        return (f"Consistent: margin of error up to ±{_num(get('margin'))} points ({lvl}), so "
                f"{_num(get('ci_low'))}–{_num(get('ci_high'))} including the rounding of the published value, "
                f"if the respondents were a simple random sample (they are an opt-in panel).{tail}")
    if verdict in ("significant change", "change within noise", "depends on assumptions"):
        alpha, fam = float(get("alpha")), get("family")
        head = f"A change of {float(get('estimate')):+g} points: "
        if verdict == "significant change":
            body = (f"significant at α = {alpha:g} even under the least favourable assumptions "
                    f"(Holm-adjusted p {_p(get('p_holm'))} across the {fam} tests)")
        elif verdict == "change within noise":
            body = (f"not significant at α = {alpha:g} even under the most favourable assumptions "
                    f"(Holm-adjusted p {_p(get('p_holm_min'))} across the {fam} tests)")
        else:
            body = (f"significant at α = {alpha:g} under the most favourable assumptions (Holm-adjusted p "
                    f"{_p(get('p_holm_min'))} across the {fam} tests) but not under the least favourable "
                    f"(adjusted p {_p(get('p_holm'))}); it flips at {_flip(get('threshold_on'), get('threshold'))}")
        return f"{head}{body}.{tail}"
    if verdict in ("reproduced", "not reproduced"):
        how = "rounds" if verdict == "reproduced" else "does not round"
        return (f"The real export gives {_num(get('estimate'), 2)} ({100 * float(get('level')):.0f}% CI "
                f"{_num(get('ci_low'), 2)}–{_num(get('ci_high'), 2)}, design-based, n {_num(get('n'))}), which {how} "
                f"to the published figure.")
    return ""


def _published(row) -> str:
    value = row.get("published")
    if value is None or pd.isna(value):
        return ""
    high = row.get("published_high")
    text = _num(value) + ("" if high is None or pd.isna(high) else f"–{_num(high)}")
    unit = row.get("unit")
    text += {"percent": "%", "points": " points", "usd": " USD", "ratio": "×", "count": ""}.get(unit, f" {unit}")
    return {"min": f"{text}+", "approx": f"about {text}"}.get(row.get("bound"), text)


def verdict_markdown(rows: pd.DataFrame) -> str:
    """A notebook's verdict: one line per claim, each the sentence of its own findings row.

    Examples
    --------
    >>> from supportstats import change_evidence
    >>> print(verdict_markdown(change_evidence(["benchmark_2022.nps_tracking"], notebook="02")).splitlines()[2][:103])
    - **support teams tracking NPS** (`benchmark_2022.nps_tracking`, published 48%): *significant change*.
    """
    lines = ["**Verdict.**", ""]
    for row in pd.DataFrame(rows).to_dict("records"):
        sentence = describe(row) or row.get("detail") or ""
        lines.append(f"- **{row.get('metric', row['claim_id'])}** (`{row['claim_id']}`, published "
                     f"{_published(row)}): *{row['verdict']}*. {sentence}")
    return "\n".join(lines)
