"""Evidence about a report from its published numbers alone.

The respondent data behind the reports are not public, so what can be said about a
published figure rests on the figure itself and on what the article says about its sample:

- a share or a mean gets its **margin of error** at the sample size the article states,
  under simple random sampling (these are opt-in panels, so that is an assumption, and every
  sentence says so), around the rounding interval of the published value (64% is 63.5–64.5);
- a **year-over-year change** is tested over the *whole* range of what the article leaves
  open: the rounding interval of each published number, the sample size (a range where the
  article says "nearly 300" or "1,200+"), the share of respondents a mean is averaged over,
  and, for a mean, every standard deviation the answer scale allows, from 0 up to
  ``sqrt((m - low) (high - m))``. Two editions are treated as independent samples.

Each change test reports its p-value at both ends of that range: ``p_value`` at the least
favourable end (the largest p) and ``p_value_min`` at the most favourable (the smallest p),
and ``threshold_on``/``threshold`` say where the verdict flips (``sd`` 22.1, ``n`` 106). What the articles leave unpublished is in
``supportstats/assumptions.yml``, each range with its argument.
"""
from __future__ import annotations

import functools
import itertools
import math
from pathlib import Path

import pandas as pd
import yaml
from scipy import optimize

from .bounds import max_sd
from .claims import value_interval
from .errors import InputError
from .ranges import Range, _mean_test, _p_at, change_test, mean_margin, sd_curve, share_margin

__all__ = ["ASSUMPTIONS_FILE", "load_assumptions", "sample_size", "mean_base", "level_evidence",
           "change_claims", "change_evidence", "change_curve", "ratio_reasons"]

ASSUMPTIONS_FILE = Path(__file__).with_name("assumptions.yml")


# ---------------------------------------------------------------------------- assumptions

def _fail(path, key, value, expected):
    raise InputError("bad assumptions file", file=path, column=key, value=value, expected=expected)


def _range(spec, path, key) -> dict:
    if not isinstance(spec, dict):
        _fail(path, key, spec, "a map with low, high and nominal")
    if "claim" in spec:
        if set(spec) != {"claim"} or not isinstance(spec["claim"], str):
            _fail(path, key, spec, "{claim: <claim id>} alone")
        return dict(spec)
    missing = {"low", "high", "nominal"} - set(spec)
    if missing or set(spec) - {"low", "high", "nominal"}:
        _fail(path, key, spec, "exactly the keys low, high, nominal")
    lo, hi, nom = (spec[k] for k in ("low", "high", "nominal"))
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (lo, hi, nom)):
        _fail(path, key, spec, "numbers")
    if not lo <= nom <= hi:
        _fail(path, key, spec, "low <= nominal <= high")
    return {"low": float(lo), "high": float(hi), "nominal": float(nom)}


def load_assumptions(path=None, overrides=None) -> dict:
    """Read the ranges of what the articles leave unpublished, with any overrides merged in.

    Parameters
    ----------
    path : path-like, optional
        A YAML file like ``supportstats/assumptions.yml`` (the default).
    overrides : dict, optional
        Same layout, merged key by key over the file (a notebook's ``assumptions``
        parameter; a what-if run).

    Returns
    -------
    dict
        ``{"waves": {wave: {"n": Range, "why": str}}, "means": {claim_id: {"over": Range or
        {"claim": id}, "short": str, "why": str}}}``. (The scale of a mean is the registry's
        ``scale_low``/``scale_high``.)

    Raises
    ------
    InputError
        One line naming the file and key, for anything but the documented layout.

    Examples
    --------
    >>> a = load_assumptions()
    >>> a["waves"]["benchmark_2021"]["n"].text()
    '285–315'
    >>> a["means"]["benchmark_2022.nps_mean"]["over"]
    {'claim': 'benchmark_2022.nps_tracking'}
    >>> load_assumptions(overrides={"waves": {"benchmark_2021": {"n": {"low": 100, "high": 90, "nominal": 95}}}})
    Traceback (most recent call last):
    supportstats.errors.InputError: assumptions (overrides): column 'waves.benchmark_2021.n': ...
    """
    path = Path(path) if path is not None else ASSUMPTIONS_FILE
    try:
        st = path.stat()
    except OSError as exc:
        raise InputError(f"cannot read assumptions ({exc.strerror})", file=path) from None
    raw = _read_yaml(str(path), st.st_mtime_ns, st.st_size)
    merged = {k: dict(v) for k, v in raw.items()}
    where = path
    if overrides:
        where = "assumptions (overrides)"
        if not isinstance(overrides, dict) or set(overrides) - {"waves", "means"}:
            _fail(where, "(top level)", overrides, "a map with keys waves and/or means")
        for section, items in overrides.items():
            if not isinstance(items, dict):
                _fail(where, section, items, "a map of ids to settings")
            for key, value in items.items():
                base = dict(merged.get(section, {}).get(key, {}))
                if not isinstance(value, dict):
                    _fail(where, f"{section}.{key}", value, "a map")
                base.update(value)
                merged.setdefault(section, {})[key] = base
    out = {"waves": {}, "means": {}}
    for wave, spec in merged.get("waves", {}).items():
        if not isinstance(spec, dict) or "n" not in spec:
            _fail(where, f"waves.{wave}", spec, "a map with n: {low, high, nominal} and why")
        r = _range(spec["n"], where, f"waves.{wave}.n")
        if not isinstance(spec.get("short"), str) or not isinstance(spec.get("why"), str):
            _fail(where, f"waves.{wave}", spec, "short and why texts")
        out["waves"][wave] = {"n": Range(**r, why=spec["short"].strip()), "why": spec["why"].strip()}
    for cid, spec in merged.get("means", {}).items():
        if not isinstance(spec, dict) or "over" not in spec or set(spec) - {"over", "short", "why"}:
            _fail(where, f"means.{cid}", spec, "a map with over, short and why")
        over = _range(spec["over"], where, f"means.{cid}.over")
        if not isinstance(spec.get("short"), str) or not isinstance(spec.get("why"), str):
            _fail(where, f"means.{cid}", spec, "short and why texts")
        short = spec["short"].strip()
        out["means"][cid] = {"over": over if "claim" in over else Range(**over, why=short), "why": spec["why"].strip(),
                             "short": short}
    return out


@functools.lru_cache(maxsize=8)
def _read_yaml(path: str, mtime_ns: int, size: int) -> dict:
    """Parsed once per file version (the key carries mtime and size)."""
    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    except OSError as exc:
        raise InputError(f"cannot read assumptions ({exc.strerror})", file=path) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError("not valid YAML", file=path, row=mark.line + 1 if mark else None) from None
    if not isinstance(data, dict) or set(data) - {"waves", "means"}:
        _fail(path, "(top level)", sorted(data) if isinstance(data, dict) else data,
              "a map with keys waves and means")
    return data


# ------------------------------------------------------------------------------ bases

def _claims(claims):
    if claims is None:
        from .claims import load_claims
        claims = load_claims()
    return claims.set_index("claim_id") if "claim_id" in claims.columns else claims


def _interval(c) -> tuple[float, float]:
    bound = None if pd.isna(c["bound"]) else c["bound"]
    decimals = c.get("decimals")
    return value_interval(c["value"], c["value_high"], bound, None if decimals is None or pd.isna(decimals) else int(decimals))


def _wave_of(cid: str) -> str:
    return cid.split(".", 1)[0]


def sample_size(claim_id, claims=None, assumptions=None) -> Range | None:
    """The sample size behind a claim: its own, its wave's stated n, or the assumed range.

    Returns ``None`` when neither the article nor ``assumptions.yml`` gives one.

    Examples
    --------
    >>> sample_size("trends_2022.team_burnout").text()
    '1,200–1,299'
    >>> print(sample_size("benchmark_2021.proactive_use").why)
    not published, taken as the 2022 edition's "nearly 300"
    >>> sample_size("cs_ops_2023.morale_decline") is None
    True
    """
    claims, assumptions = _claims(claims), assumptions or load_assumptions()
    wave_claim = f"{_wave_of(claim_id)}.n_respondents"
    for cid in (claim_id, wave_claim):
        if cid in claims.index and not pd.isna(claims.at[cid, "n"]):
            c = claims.loc[cid]
            lo = c["n_low"] if not pd.isna(c["n_low"]) else c["n"]
            hi = c["n_high"] if not pd.isna(c["n_high"]) else c["n"]
            said = _said(claims.loc[wave_claim] if wave_claim in claims.index else c)
            # "1,200+" states a floor: the nominal n is the stated figure, not the middle
            return Range(float(lo), float(hi), float(c["n"]), f'stated: "{said}"')
    wave = assumptions["waves"].get(_wave_of(claim_id))
    return wave["n"] if wave else None


def _said(c) -> str:
    text = f"{int(c['value']):,}" if c["unit"] == "count" else f"{c['n']:,}"
    if c["bound"] == "min":
        return f"{text}+"
    return f"about {text}" if c["bound"] == "approx" or bool(c.get("n_approx")) else text


def mean_base(claim_id, claims=None, assumptions=None) -> tuple[tuple[float, float], Range | None, str]:
    """Scale of a published mean and the number of respondents it averages over.

    Returns ``(scale, n, why)``: ``scale`` is the registry's ``scale_low``–``scale_high``
    (0–100 for a mean in percent when blank); ``n`` multiplies the wave's sample size by the share of
    respondents the mean is over (the published tracking share with its rounding, or the
    assumed range); ``None`` when the wave has no sample size.

    Examples
    --------
    >>> scale, n, why = mean_base("benchmark_2022.nps_mean")
    >>> scale, n.text()
    ((-100.0, 100.0), '135–153')
    """
    claims, assumptions = _claims(claims), assumptions or load_assumptions()
    spec = assumptions["means"].get(claim_id)
    if spec is None:
        raise InputError("no base for this mean", column="means", value=claim_id,
                         expected=f"an entry in {ASSUMPTIONS_FILE.name}")
    c = claims.loc[claim_id]
    if "scale_low" in c and not pd.isna(c["scale_low"]):
        spec = {**spec, "scale": (float(c["scale_low"]), float(c["scale_high"]))}
    elif c["unit"] == "percent":
        spec = {**spec, "scale": (0.0, 100.0)}
    else:
        raise InputError("a mean without a scale", column="scale_low", value=claim_id,
                         expected="the registry's scale_low and scale_high")
    wave_n = sample_size(claim_id, claims, assumptions)
    over = spec["over"]
    if isinstance(over, dict):
        share = claims.loc[over["claim"]]
        lo, hi = _interval(share)
        over = Range(lo / 100, hi / 100, share["value"] / 100, spec["short"])
    if wave_n is None:
        return spec["scale"], None, spec["why"]
    n = Range(math.floor(over.low * wave_n.low), math.ceil(over.high * wave_n.high), over.nominal * wave_n.nominal,
              f"{over.why} of {wave_n.text()} ({wave_n.why})")
    return spec["scale"], n, spec["why"]


def _threshold(values, n1: Range, n2: Range, scale, alpha, level) -> tuple[str, float]:
    """Where the verdict flips: ``("sd", SD)`` at the published values and nominal n when the
    SD alone decides it (means), else ``("n", n per edition)`` at the least favourable values
    (and the largest possible SDs). ``("n", inf)`` when no n makes it significant."""
    earlier, later = values[0]
    if scale is not None:
        top = min(max_sd(earlier, *scale), max_sd(later, *scale))
        p = functools.partial(_p_at, earlier, later, n1.nominal, n2.nominal, scale=scale, level=level)
        if p(sd=top) >= alpha:
            return "sd", float(optimize.brentq(lambda s: p(sd=s) - alpha, 1e-9, top, xtol=1e-6))
    # the n per edition (both editions alike) at which the least favourable corner turns significant
    worst = change_test(values, n1, n2, scale=scale, level=level).sort_values("p_value").iloc[-1]

    def p_of(n):
        return _p_at(worst.earlier, worst.later, n, n, None, scale, level) if scale is None else \
            float(_mean_test(worst.earlier, worst.sd1, n, worst.later, worst.sd2, n, level)["p_value"])
    if p_of(1e7) >= alpha:
        return "n", math.inf
    return "n", float(math.ceil(optimize.brentq(lambda m: p_of(m) - alpha, 2.0, 1e7, xtol=1e-3)))


# ------------------------------------------------------------------------------ rows

def _row(claims, **fields) -> dict:
    from .findings import finding_row, registry_fields

    return finding_row(**{**registry_fields(claims.loc[fields["claim_id"]]), **fields})


def level_evidence(claim_ids, *, notebook: str, claims=None, assumptions=None, level: float = 0.95) -> pd.DataFrame:
    """Findings rows for published shares and means: margin of error at the stated n.

    A share gets its Wilson interval around its rounding interval at the smallest n the
    article allows (simple random sampling assumed); a share whose base is unclear ("48%
    said the cut hurt": of everyone, or of the 52% who cut?) is given the n of both
    readings. A mean gets the margin at the largest SD its scale allows (from 0 up). Where
    no sample size is published or assumable the verdict is ``untestable``; otherwise
    ``consistent`` (the registry checks can still turn it ``inconsistent`` when the table
    is assembled).

    Examples
    --------
    >>> rows = level_evidence(["trends_2022.team_burnout"], notebook="demo")
    >>> rows[["published", "ci_low", "ci_high", "margin", "n_low", "n_high", "verdict"]].round(1)
       published  ci_low  ci_high  margin   n_low  n_high     verdict
    0       64.0    60.7     67.2     2.7  1200.0  1299.0  consistent
    """
    claims, assumptions = _claims(claims), assumptions or load_assumptions()
    rows = []
    for cid in claim_ids:
        c = claims.loc[cid]
        lo, hi = _interval(c)
        common = dict(claim_id=cid, notebook=notebook, kind="level", evidence="published aggregates",
                      estimate=c["value"], level=level)
        if c["statistic"] == "share":
            n = sample_size(cid, claims, assumptions)
            base = c["base_claim"] if not pd.isna(c["base_claim"]) else None
            readings = ""
            if n is not None and base is not None:
                b_lo, b_hi = _interval(claims.loc[base])
                sub = Range(b_lo / 100 * n.low, b_hi / 100 * n.high, claims.at[base, "value"] / 100 * n.nominal)
                if bool(c["base_clear"]):
                    n = Range(sub.low, sub.high, sub.nominal, f"{claims.at[base, 'value']:g}% of {n.text()}")
                else:
                    readings = (f"; the base is unclear: of all {n.text()}, or of the {claims.at[base, 'value']:g}% "
                                f"({base}) ≈ {sub.text()}")
                    n = Range(sub.low, n.high, n.nominal, n.why)
            if n is None:
                rows.append(_row(claims, **{**common, "evidence": "none"}, verdict="untestable", assumption="no sample size published",
                                 detail=("No sample size is published for this survey, so the figure has no "
                                         "margin of error; nothing else published tests it.")))
                continue
            m = share_margin((lo, hi), n.low, level).iloc[0]
            rows.append(_row(claims, **common, ci_low=m.ci_low, ci_high=m.ci_high, n=n.nominal, n_low=n.low,
                             n_high=n.high, margin=m.margin,
                             test="margin of error (Wilson score interval)",
                             assumption=f"simple random sample of {n.text()} ({n.why}){readings}",
                             verdict="consistent", detail=""))
        elif c["statistic"] == "mean":
            scale, n, why = mean_base(cid, claims, assumptions)
            if n is None:
                rows.append(_row(claims, **{**common, "evidence": "none"}, verdict="untestable", assumption="no sample size published",
                                 detail="No sample size is published for this survey, so the mean has no margin of error."))
                continue
            m = mean_margin((lo, hi), n.low, scale, level).iloc[0]
            rows.append(_row(claims, **common, ci_low=m.ci_low, ci_high=m.ci_high, n=n.nominal, n_low=n.low,
                             n_high=n.high, margin=m.margin,
                             test="margin of error (t interval) at SD 0 to the largest the scale allows",
                             assumption=(f"simple random sample of {n.text()} ({n.why}); SD 0–{m.sd_max:.1f} "
                                         f"on a {scale[0]:g} to {scale[1]:g} scale"),
                             verdict="consistent", detail=""))
        else:
            raise InputError("not a share or a mean", column="statistic", value=f"{cid}: {c['statistic']}",
                             expected="a claim whose statistic is share or mean")
    return pd.DataFrame(rows)


def _change_spec(cid, claims):
    """(earlier, later, readings) for a change claim; readings map a name to (earlier, later) pairs."""
    c = claims.loc[cid]
    measure = c["statistic"]
    if measure in ("change_pp", "change_relative") or (not pd.isna(c["compared_to"]) and measure in ("share", "mean")):
        earlier_id = c["compared_to"]
        later_id = c["relates_to"] if measure.startswith("change") else cid
        e, l_ = claims.loc[earlier_id], claims.loc[later_id]
        pairs = list(itertools.product(sorted({*_interval(e), e["value"]}), sorted({*_interval(l_), l_["value"]})))
        return earlier_id, later_id, {"as published": [(e["value"], l_["value"])] + pairs}, []
    if measure == "change_unspecified" and not pd.isna(c["relates_to"]):
        later_id = c["relates_to"]
        l_ = claims.loc[later_id]
        late = sorted({*_interval(l_), l_["value"]})
        step = sorted({*_interval(c), c["value"]})
        said = c.get("readings")
        names = str(said).split(";") if isinstance(said, str) and said else ["points", "relative"]
        readings, untestable = {}, []
        for name in names:
            if name == "points":
                readings[f"+{c['value']:g} points"] = [(l_["value"] - c["value"], l_["value"])] + \
                    [(v - s, v) for v, s in itertools.product(late, step)]
            elif name == "relative":
                readings[f"+{c['value']:g}% relative"] = [(l_["value"] / (1 + c["value"] / 100), l_["value"])] + \
                    [(v / (1 + s / 100), v) for v, s in itertools.product(late, step)]
            else:  # change_of_change: the increase itself grew; needs two earlier editions' levels
                untestable.append(f"the increase itself grew by {c['value']:g} (needs the increase of the "
                                  "year before, which is not published)")
        return None, later_id, readings, untestable
    return None, None, {}, []


def change_claims(claims=None, report=None) -> list[str]:
    """The claims that carry a test of a change, one per hypothesis.

    A change is tested once: on its stated-change claim (``change_pp`` "+11 points", or an
    unspecified "up 2%" with the level it relates to) or, where the article states none, on
    the later level with ``compared_to`` ("IQS rose from 81 to 89"). A relative reading of a
    change tested elsewhere ("+14%") is not a second test.

    Examples
    --------
    >>> change_claims(report="Customer Service Quality Benchmark Report 2022 (2nd edition)")
    ['benchmark_2022.csat_change_pp', 'benchmark_2022.iqs_mean', 'benchmark_2022.nps_mean', 'benchmark_2022.nps_tracking']
    """
    claims = _claims(claims)
    if report is not None:
        claims = claims[claims["report"] == report]
    stated = set(claims.loc[claims["statistic"].isin(["change_pp", "change_relative"]), "relates_to"].dropna())
    out = []
    for cid, c in claims.iterrows():
        if c["statistic"] == "change_pp" or (c["statistic"] == "change_unspecified" and not pd.isna(c["relates_to"])):
            out.append(cid)
        elif c["statistic"] in ("share", "mean") and not pd.isna(c["compared_to"]) and cid not in stated:
            out.append(cid)
    return sorted(out)


def change_evidence(claim_ids, *, notebook: str, claims=None, assumptions=None, level: float = 0.95,
                    alpha: float = 0.05, family: bool = True) -> pd.DataFrame:
    """Findings rows for year-over-year changes, tested from the published figures alone.

    For each change, :func:`change_test` runs over every rounding corner and reading, the
    range of each edition's n and (for means) every possible SD; ``p_value`` is the largest
    p (least favourable), ``p_value_min`` the smallest, ``threshold_on``/``threshold`` where
    significance at ``alpha`` flips: the SD at the published values and nominal n (``sd``), or
    the n per edition at the least favourable values (``n``). The verdict (before multiplicity adjustment, which
    :func:`supportstats.findings.adjust_families` applies across the report) is
    ``significant change`` when significant everywhere, ``change within noise`` when
    nowhere, ``depends on assumptions`` otherwise.

    With ``family=True`` (the default) every test of the same report
    (:func:`change_claims`) is run too, with the same assumptions, the family is adjusted
    (:func:`supportstats.adjust_families`), and the rows returned carry the adjusted
    p-values, the verdict they give, and the sentence that states it.

    Examples
    --------
    >>> rows = change_evidence(["benchmark_2022.nps_mean"], notebook="demo", family=False)
    >>> rows[["published", "estimate", "p_value", "p_value_min", "verdict"]].round(3)
       published  estimate  p_value  p_value_min                 verdict
    0       51.0       6.0     0.69          0.0  depends on assumptions
    >>> change_evidence(["benchmark_2022.nps_mean"], notebook="demo")[["p_holm", "p_holm_min", "verdict"]].round(3)
       p_holm  p_holm_min                 verdict
    0    0.69         0.0  depends on assumptions
    >>> rows[["threshold_on", "threshold"]].round(1).values.tolist()
    [['sd', 22.1]]
    """
    from .findings import adjust_families, change_verdict
    from .sentences import describe

    claims, assumptions = _claims(claims), assumptions or load_assumptions()
    claim_ids = list(claim_ids)
    if family:
        reports = set(claims.loc[claim_ids, "report"])
        members = sorted({m for r in reports for m in change_claims(claims, report=r)} | set(claim_ids))
        table = change_evidence(members, notebook=notebook, claims=claims, assumptions=assumptions, level=level,
                                alpha=alpha, family=False)
        table = adjust_families(table.assign(alpha=alpha), alpha)
        table["detail"] = [describe(r) or r["detail"] for r in table.to_dict("records")]
        return table.set_index("claim_id").loc[claim_ids].reset_index()
    rows = []
    for cid in claim_ids:
        c = claims.loc[cid]
        earlier_id, later_id, readings, untestable = _change_spec(cid, claims)
        common = dict(claim_id=cid, notebook=notebook, kind="change", evidence="published aggregates", level=level)
        if not readings:
            rows.append(_row(claims, **{**common, "evidence": "none"}, verdict="untestable", assumption="", detail=(
                f"Neither edition's level of {c['metric'].replace('change in ', '')} is published, so "
                f"the stated {c['value']:g}% change cannot be tested, however it is read.")))
            continue
        later = claims.loc[later_id]
        if later["statistic"] == "mean":
            scale, n2, _ = mean_base(later_id, claims, assumptions)
            _, n1, _ = mean_base(earlier_id, claims, assumptions)
        else:
            scale = None
            n2 = sample_size(later_id, claims, assumptions)
            n1 = sample_size(earlier_id, claims, assumptions) if earlier_id else n2
            if earlier_id is None:  # an unspecified change: the edition a year before the later claim's
                before = f"{later['survey']}_{int(later['wave']) - 1}"
                n1 = sample_size(f"{before}.n_respondents", claims, assumptions)
        if n1 is None or n2 is None:
            rows.append(_row(claims, **{**common, "evidence": "none"}, verdict="untestable", assumption="no sample size published",
                             detail="No sample size is published for one of the editions, so the change cannot be tested."))
            continue
        tests = pd.concat([change_test(pairs, n1, n2, scale=scale, level=level).assign(reading=name)
                           for name, pairs in readings.items()], ignore_index=True)
        worst = tests.loc[tests["p_value"].idxmax()]
        first = next(iter(readings.values()))
        nominal = change_test(first[:1], Range(n1.nominal, n1.nominal, n1.nominal),
                              Range(n2.nominal, n2.nominal, n2.nominal), scale=scale, level=level).iloc[0]
        p_min = 0.0 if scale is not None and (tests["diff"] != 0).any() else float(tests["p_value"].min())
        p_max = float(tests["p_value"].max())
        kind_test = ("Welch t test from the published means" if scale is not None
                     else "two-proportion z test from the published shares")
        sd_text = ""
        if scale is not None:
            sd_text = (f"; SD 0 to the largest the {scale[0]:g} to {scale[1]:g} scale allows "
                       f"({worst.sd1:.1f} and {worst.sd2:.1f} at the least favourable values)")
        reading_text = f"; readings: {', '.join(readings)}" if len(readings) > 1 else ""
        rows.append(_row(
            claims, **common, estimate=float(nominal["diff"]), ci_low=float(tests["ci_low"].min()),
            ci_high=float(tests["ci_high"].max()), n=n1.nominal + n2.nominal, n_low=n1.low + n2.low,
            n_high=n1.high + n2.high, test=f"{kind_test}, independent editions",
            test_statistic=float(worst["statistic"]), df=float(worst["df"]), p_value=p_max, p_value_min=p_min,
            **({} if (p_max < alpha) == (p_min < alpha) else
               dict(zip(("threshold_on", "threshold"), _threshold(first, n1, n2, scale, alpha, level)))),
            assumption=(f"independent simple random samples of n {n1.text()} ({n1.why}) and {n2.text()} ({n2.why})"
                        f"{sd_text}; published values anywhere in their rounding intervals{reading_text}"
                        + (f"; untestable reading: {untestable[0]}" if untestable else "")),
            verdict=change_verdict(p_max, p_min, alpha), detail="",
        ))
    return pd.DataFrame(rows)


def change_curve(claim_id, *, claims=None, assumptions=None, points: int = 161, level: float = 0.95) -> pd.DataFrame:
    """p-value of a published change of means against the unpublished SD (for a figure).

    The curves of :func:`supportstats.ranges.sd_curve` for this claim's two editions, with the
    sizes and rounding intervals :func:`change_evidence` uses.

    Examples
    --------
    >>> c = change_curve("benchmark_2022.nps_mean", points=5)
    >>> sorted(c["curve"].unique())
    ['least favourable', 'published values, nominal n']
    """
    claims, assumptions = _claims(claims), assumptions or load_assumptions()
    earlier_id, later_id, readings, _ = _change_spec(claim_id, claims)
    if claims.at[later_id, "statistic"] != "mean":
        raise InputError("not a change of means", value=claim_id, expected="a claim comparing two published means")
    scale, n2, _ = mean_base(later_id, claims, assumptions)
    _, n1, _ = mean_base(earlier_id, claims, assumptions)
    return sd_curve(next(iter(readings.values())), n1, n2, scale, points=points, level=level)


def ratio_reasons(claims, claim_id) -> dict:
    """Why a bare "N times more likely" is untestable, and what each reading requires.

    Examples
    --------
    >>> from supportstats import load_claims
    >>> print(ratio_reasons(load_claims(), "cs_ops_2023.automation_csat_likelihood")["cs_ops_2023.automation_csat_likelihood"][:92])
    No base rate, sample size or design is published for "4x more likely", so it cannot be teste
    """
    ratio = float(_claims(claims).at[claim_id, "value"])
    return {claim_id: (
        f"No base rate, sample size or design is published for \"{ratio:g}x more likely\", so it cannot be "
        f"tested. Read as a risk ratio it is possible only if at most {100 / ratio:.0f}% of the comparison group "
        f"would see the outcome anyway; read as an odds ratio, at any base rate. The article does not say which.")}
