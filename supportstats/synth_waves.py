"""A labelled, seeded reconstruction of every survey wave: SYNTHETIC microdata.

The responses behind the articles are not public. This module builds, for each wave, a
*clean core* whose shares and means equal the published figures to the published rounding
(targets from :mod:`supportstats.synth_targets`), then writes it the way a survey tool exports it,
with the faults real exports carry (duplicates, tests, speeders, straight-liners, partials,
blank rows, labels in five languages, percentages and company sizes in several spellings,
a UTF-8 byte-order mark). Correct cleaning (:func:`supportstats.clean.clean_survey`) gives
the clean core back exactly.

Shares use exact counts: ``k = round(p * n)``, checked so that ``k / n`` rounds back to ``p``;
*which* rows are True follows a plausible propensity (burnout where headcount was cut and
volume rose, ...), so items go together the way they plausibly would. Means are nudged in
steps of the recorded precision until they round to the published integer.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import schema
from .definition import load_definition
from .provenance import SYNTHETIC_MARK, mark_synthetic
from .synth_targets import _MIX, _PAIN_OTHER, _TEAM_MEDIAN, DEFAULTS, FAULT_RATES, SAMPLE_SIZES, SEED, _round, targets

__all__ = ["SynthWave", "generate_wave", "generate_raw"]


# ------------------------------------------------------------------------------------------ exact counts
def _count(n: int, pct: float) -> int:
    """k with round_half_up(100 k / n) == pct, closest to pct * n / 100."""
    k0 = _round(pct * n / 100)
    for k in sorted(range(max(0, k0 - 3), min(n, k0 + 3) + 1), key=lambda k: abs(k - pct * n / 100)):
        if _round(100 * k / n) == _round(pct):
            return k
    raise ValueError(f"n: {n} rows cannot show {pct:g}% at whole-percent rounding")


def _pick(k: int, score: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Boolean mask with exactly k True, more likely where ``score`` is high (logistic noise)."""
    key = np.asarray(score, float) + rng.logistic(size=len(score))
    out = np.zeros(len(score), bool)
    out[np.argsort(-key, kind="stable")[:k]] = True
    return out


def _share(n, pct, score, rng):
    return _pick(_count(n, pct), score, rng)


def _exact_mix(n: int, mix: dict, rng) -> np.ndarray:
    """Codes 0..len(mix)-1 with counts from largest remainders of the mix, in random order."""
    p = np.array(list(mix.values()), float)
    raw = p / p.sum() * n
    counts = np.floor(raw).astype(int)
    counts[np.argsort(-(raw - counts), kind="stable")[: n - counts.sum()]] += 1
    return rng.permutation(np.repeat(np.arange(len(p)), counts))


def _scores(n, mean, sd, lo, hi, rng, decimals=1):
    """0-100 scores (beta distributed, recorded to ``decimals``) whose mean rounds to ``mean``."""
    mu, var = mean / 100, (sd / 100) ** 2
    conc = max(mu * (1 - mu) / var - 1, 2.0)
    x = rng.beta(mu * conc, (1 - mu) * conc, size=n) * 100
    return _fix_mean(x, mean, lo, hi, decimals, rng)


def _fix_mean(x, mean, lo, hi, decimals, rng):
    # k / 10**d (a division) is the double nearest the decimal literal, the value a parser reads back
    scale = 10.0 ** decimals
    x = np.clip(np.round(x * scale), lo * scale, hi * scale)
    for _ in range(20):  # shift, re-clip, re-round until close
        x = np.clip(np.round(x + (mean * scale - x.mean())), lo * scale, hi * scale)
        if abs(x.mean() - mean * scale) < 1:
            break
    units = _round(mean * scale * len(x) - x.sum())  # remaining nudge, one unit per row
    room = x < hi * scale if units > 0 else x > lo * scale
    idx = rng.permutation(np.flatnonzero(room))[: abs(units)]
    x[idx] += np.sign(units)
    x = x / scale
    if _round(x.mean()) != _round(mean):
        raise ValueError(f"mean: cannot reach {mean:g} within [{lo:g}, {hi:g}] with n={len(x)}")
    return x


# ------------------------------------------------------------------------------------------ the clean core
@dataclass
class SynthWave:
    """One generated wave: ``raw`` export (all text), the ``core`` it cleans to, and ``faults``.

    ``faults`` has one row per injected faulty row: ``respondent_id`` (blank for blank rows),
    ``row`` (1-based line in the CSV, header = line 1) and ``fault`` (a key of ``FAULT_RATES``).
    """

    survey: str
    wave: int
    raw: pd.DataFrame
    core: pd.DataFrame
    faults: pd.DataFrame
    targets: pd.DataFrame


def _core(survey, wave, n, t, rng) -> dict:
    """Analysis values of the clean core as numpy arrays (likert items as level codes 0..4)."""
    tv = dict(zip(t["name"], t["value"]))
    a = {name: _exact_mix(n, mix, rng) for name, mix in _MIX.items()}
    size = a["company_size"]
    size_z = (size - 1.7) / 1.2
    a["team_size"] = np.maximum(1, np.round(np.exp(np.log(np.take(_TEAM_MEDIAN, size)) + 0.6 * rng.normal(size=n))))
    a["team_size"] = a["team_size"].astype(np.int64)
    likert = {}
    if survey == "benchmark":
        tc = _share(n, tv["tracks_csat"], 0.5 * size_z, rng)
        ti = _share(n, tv["tracks_iqs"], 1.0 * tc + 0.3 * size_z, rng)
        tn = _share(n, tv["tracks_nps"], 0.6 * tc, rng)
        a["tracks_csat"], a["tracks_iqs"], a["tracks_nps"] = tc, ti, tn
        floor = DEFAULTS["score_floor"][0]
        for col, track, sd in (("csat", tc, "csat_sd"), ("iqs", ti, "iqs_sd")):
            v = np.full(n, np.nan)
            v[track] = _scores(track.sum(), tv[col], DEFAULTS[sd][0], floor, 100.0, rng)
            a[col] = v
        nps = np.full(n, np.nan)
        nps[tn] = _fix_mean(rng.normal(tv["nps"], DEFAULTS["nps_sd"][0], tn.sum()), tv["nps"], -100, 100, 0, rng)
        a["nps"] = nps
        cap, over = DEFAULTS["frt_cap_hours"][0], tv["frt_hours"]
        frt = np.exp(np.log(DEFAULTS["frt_median_hours"][0]) + DEFAULTS["frt_sigma"][0] * rng.normal(size=n))
        frt = np.clip(np.round(frt * 10) / 10, 0.1, cap)
        if frt.max() <= over:  # 'some industries have FRTs longer than 24 hours'
            frt[np.argmax(frt)] = _round(over * 1.5)
        a["frt_hours"] = frt
        pain = np.full(n, -1)
        levels = list(schema.CHOICE_LABELS["biggest_pain"])
        q = _share(n, tv["quality_at_scale"], 0.5 * size_z, rng)
        pain[q] = levels.index("quality_at_scale")
        rest = np.flatnonzero(~q)
        other = _exact_mix(len(rest), _PAIN_OTHER, rng)
        pain[rest] = np.array([levels.index(k) for k in _PAIN_OTHER])[other]
        a["biggest_pain"] = pain
        rep_pain = pain == levels.index("repetitive_queries")
        # naming repetitive queries the single biggest challenge implies it is in the top 3
        a["repetitive_top3"] = _pick(_count(n, tv["repetitive_top3"]), 10.0 * rep_pain, rng)
        pu = _share(n, tv["proactive_use"], 0.3 * size_z, rng)
        a["proactive_use"] = pu
        bools = {"proactive_invest_more": _share(n, tv["proactive_invest_more"], 1.0 * pu, rng),
                 "self_service_reduced_workload": _share(n, tv["self_service_reduced_workload"],
                                                         0.5 * a["repetitive_top3"], rng),
                 "leadership_values_support": _share(n, tv["leadership_values_support"], 0.3 * tc, rng),
                 "qa_program_effective": _share(n, tv["qa_program_effective"], 1.0 * ti, rng)}
    elif survey == "trends":
        ind = a["industry"]
        vol = _share(n, tv["volume_increased"], 0.6 * (ind == 1) + 0.3 * (ind == 3), rng)
        cut = _share(n, tv["headcount_cut"], -0.2 * size_z, rng)
        hurt = np.zeros(n, bool)
        hurt[cut] = _share(cut.sum(), tv["cut_hurt_cx"], 1.0 * vol[cut], rng)
        a["volume_increased"], a["headcount_cut"] = vol, cut
        a["cut_hurt_cx"] = np.where(cut, hurt.astype(np.int8), -1)  # -1: not asked
        team = _share(n, tv["team_burnout"], 1.0 * cut + 0.8 * vol + 0.4 * (cut & vol), rng)
        exp = _share(n, tv["expectations_rising"], 0.8 * vol, rng)
        tools = _share(n, tv["tools_slow_weekly"], 0.5 * team, rng)
        bools = {"expectations_rising": exp, "tools_slow_weekly": tools, "team_burnout": team,
                 "leader_burnout": _share(n, tv["leader_burnout"], 2.0 * team + 0.5 * cut, rng),
                 "empathy_priority": _share(n, tv["empathy_priority"], 0.3 * exp, rng),
                 "empathy_lack_tools": _share(n, tv["empathy_lack_tools"], 1.0 * tools, rng)}
    else:
        auto = _share(n, tv["uses_automation"], 0.4 * size_z, rng)
        base, ratio = tv["csat_improved_base"] / 100, tv["csat_improved"]
        n1, n0 = int(auto.sum()), int((~auto).sum())
        k0 = _round(base * n0)
        k1 = _round(ratio * base * n1)
        if _round((k1 / n1) / (k0 / n0)) != _round(ratio):
            raise ValueError(f"n: cannot show a {ratio:g}x ratio with {n1}/{n0} rows")
        imp = np.zeros(n, bool)
        imp[auto] = _pick(k1, np.zeros(n1), rng)
        imp[~auto] = _pick(k0, np.zeros(n0), rng)
        a["uses_automation"], a["csat_improved"] = auto, imp
        dec = _share(n, tv["morale_decline"], np.zeros(n), rng)
        bools = {"morale_decline": dec,
                 "morale_hurt_performance": _share(n, tv["morale_hurt_performance"], 3.0 * dec, rng),
                 "data_driven_decisions": _share(n, tv["data_driven_decisions"], 0.5 * auto, rng),
                 "budget_pressure": _share(n, tv["budget_pressure"], 0.5 * dec, rng)}
    # Likert levels behind each boolean: True -> agree/strongly agree, False -> the other three
    for name, b in bools.items():
        hi = np.where(rng.random(n) < 0.55, 3, 4)
        lo = rng.choice([0, 1, 2], size=n, p=[0.15, 0.45, 0.40])
        likert[name] = np.where(b, hi, lo)
    # no clean respondent straight-lines: move one item to the other level of the same side
    grid = np.column_stack(list(likert.values()))
    flat = (grid == grid[:, :1]).all(axis=1)
    first = next(iter(likert))
    likert[first] = np.where(flat, np.array([1, 2, 1, 4, 3])[likert[first]], likert[first])
    a["_likert"] = likert
    return a


def _ids(rng, m: int) -> np.ndarray:
    """m distinct Qualtrics-like response ids ``R_`` + 15 base-62 characters."""
    alphabet = np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", np.uint8)
    codes = alphabet[rng.integers(0, 62, size=(m, 15))]
    ids = np.char.add("R_", codes.view("S15").ravel().astype(str))
    if len(np.unique(ids)) != m:  # pragma: no cover - 62**15 makes this astronomically rare
        raise RuntimeError("id collision; change the seed")
    return ids


def _core_frame(survey, wave, ids, a, file_order) -> pd.DataFrame:
    """The clean core as the cleaned analysis table (dtypes as in the pandera schema)."""
    n = len(ids)
    cols = {"respondent_id": pd.array(ids, dtype="str"), "survey": pd.array([survey] * n, dtype="str"),
            "wave": np.full(n, wave, np.int64)}
    for f in load_definition(survey).columns:
        if (f.role and f.role != "weight") or f.name == "respondent_id":
            continue
        if f.name == "weight":
            cols["weight"] = np.ones(n)
        elif f.type in ("categorical", "band"):
            cols[f.name] = pd.Categorical.from_codes(a[f.name], dtype=schema.clean_dtype(f))
        elif f.type == "ordinal":
            cols[f.name] = pd.array(a["_likert"][f.name] >= 3, dtype="boolean")
        elif f.type == "yes_no":
            v = np.asarray(a[f.name])
            arr = pd.array(v.astype(bool), dtype="boolean")
            if v.dtype != bool:
                arr[v < 0] = pd.NA
            cols[f.name] = arr
        elif f.integer:
            cols[f.name] = pd.array(a[f.name], dtype="Int64")
        else:
            cols[f.name] = np.asarray(a[f.name], float)
    cols["provenance"] = pd.array([SYNTHETIC_MARK] * n, dtype="str")
    df = pd.DataFrame(cols)[schema.clean_columns(survey)]
    return df.take(file_order).reset_index(drop=True)  # cleaning keeps rows in file order


# ------------------------------------------------------------------------------------------ raw export
_VARIANT_RATE = 0.15  # share of label cells written in another language or spelling
_PERCENT_FORMATS = (0.45, 0.30, 0.12, 0.13)  # '89.5%', '89.5', '0.895', '89,5'
_SIZE_TEXT_RATE = 0.35
#: Free-text spellings of each company-size band (first = canonical). Ranges map to the band
#: holding their midpoint, so '11 to 50 employees' is the 10-49 band.
SIZE_TEXT = {"10-49": ("10-49", "10 to 49 employees", "11 to 50 employees", "10–49", " 10 - 49 "),
             "50-199": ("50-199", "51 to 200 employees", "50 to 199", "50–199"),
             "200-999": ("200-999", "201 to 1,000 employees", "201-1000", "200 – 999"),
             "1000-9999": ("1000-9999", "1,000-9,999", "1001 to 10,000 employees", "1,001-10,000"),
             "10000+": ("10000+", "10,000+", "10k+", "More than 10,000 employees", "10,001+ employees")}
_START = {2021: "2021-02-01", 2022: "2022-02-01", 2023: "2022-10-03"}  # fieldwork opens; six weeks long


def _spellings(label: str) -> list[str]:
    return [label.lower(), label.upper(), label.lower() + " ", " " + label, label.replace(" ", "  ")]


def _label_table(survey_kind: str, levels) -> list[list[str]]:
    """Per level: canonical English label first, then the variants a messy export shows."""
    if survey_kind == "likert":
        rows = [[schema.LIKERT_LABELS[lv][0], *schema.LIKERT_LABELS[lv][1:], *_spellings(schema.LIKERT_LABELS[lv][0])]
                for lv in levels]
    elif survey_kind == "yesno":
        rows = [[schema.YESNO_LABELS[b][0], *schema.YESNO_LABELS[b][1:], *_spellings(schema.YESNO_LABELS[b][0])]
                for b in (False, True)]
    else:
        rows = [[lab, *_spellings(lab)] for lab in levels]
    width = max(map(len, rows))
    return [r + r[1:2] * (width - len(r)) for r in rows]  # pad so the table is rectangular


def _labels(codes, table, rng) -> np.ndarray:
    """Text for level codes (-1 -> blank), canonical or, at _VARIANT_RATE, a random variant."""
    tab = np.array([r + [""] for r in table] + [[""] * (len(table[0]) + 1)], dtype=object)
    codes = np.asarray(codes)
    var = np.where(rng.random(len(codes)) < _VARIANT_RATE, rng.integers(1, tab.shape[1] - 1, len(codes)), 0)
    return tab[np.where(codes < 0, len(table), codes), var]


def _fmt_num(v: float) -> str:
    s = f"{v:.6f}".rstrip("0").rstrip(".")
    return "0" if s == "-0" else s


def _percent_text(values, rng) -> np.ndarray:
    """Percent scores as an export shows them; NaN -> blank."""
    values = np.asarray(values, float)
    out = np.full(len(values), "", dtype=object)
    ok = ~np.isnan(values)
    codes, uniq = pd.factorize(values[ok])
    forms = []
    for v in uniq:
        frac = f"{v / 100:.6f}".rstrip("0")
        forms.append((_fmt_num(v) + "%", _fmt_num(v), frac + "0" if frac.endswith(".") else frac,
                      f"{v:.1f}".replace(".", ",")))
    forms = np.array(forms, dtype=object).reshape(-1, 4)
    fmt = rng.choice(4, size=len(codes), p=_PERCENT_FORMATS)
    out[ok] = forms[codes, fmt]
    return out


def _num_text(values) -> np.ndarray:
    values = np.asarray(values, float)
    out = np.full(len(values), "", dtype=object)
    ok = ~np.isnan(values)
    codes, uniq = pd.factorize(values[ok])
    out[ok] = np.array([_fmt_num(v) for v in uniq], dtype=object)[codes]
    return out


def _raw_core(survey, wave, ids, a, rng) -> dict[str, np.ndarray]:
    """The clean core written as the survey tool would export it (with label/number variants)."""
    n = len(ids)
    dur = np.clip(np.exp(np.log(DEFAULTS["duration_median_sec"][0]) + 0.45 * rng.normal(size=n)), 150, 3600)
    out = {"respondent_id": ids.astype(object),
           "submitted_at": _times(wave, rng, n),
           "duration_sec": np.round(dur).astype(np.int64).astype(str).astype(object),
           "progress": np.full(n, "100", dtype=object), "finished": np.full(n, "1", dtype=object),
           "status": np.full(n, "IP Address", dtype=object), "email": np.full(n, "", dtype=object)}
    for f in load_definition(survey).columns:
        if f.raw in out or f.name == "weight":
            continue
        if f.type == "ordinal":
            out[f.raw] = _labels(a["_likert"][f.name], _label_table("likert", schema.LIKERT_LEVELS), rng)
        elif f.type == "yes_no":
            out[f.raw] = _labels(np.asarray(a[f.name]).astype(np.int8), _label_table("yesno", None), rng)
        elif f.type == "categorical":
            out[f.raw] = _labels(a[f.name], _label_table("choice", schema.CHOICE_LABELS[f.name].values()), rng)
        elif f.type == "band":
            tab = [list(SIZE_TEXT[b]) for b in schema.SIZE_BANDS]
            width = max(map(len, tab))
            tab = np.array([r + r[1:2] * (width - len(r)) for r in tab], dtype=object)
            var = np.where(rng.random(n) < _SIZE_TEXT_RATE, rng.integers(1, width, n), 0)
            out[f.raw] = tab[a[f.name], var]
        elif f.type == "percent":
            out[f.raw] = _percent_text(a[f.name], rng)
        else:
            out[f.raw] = _num_text(a[f.name])
    return out


def _times(wave, rng, m) -> np.ndarray:
    start = np.datetime64(_START[wave] + "T08:00:00")
    secs = rng.integers(0, 42 * 86400, m).astype("timedelta64[s]")
    return np.char.add(np.datetime_as_string(start + secs, unit="s"), "Z").astype(object)


def _inject_faults(survey, wave, raw: dict, n_new_ids: np.ndarray, counts: dict, rng):
    """Append faulty rows (see FAULT_RATES) built from random clean rows; return rows and labels."""
    n = len(raw["respondent_id"])
    cols = list(raw)
    grid = [f.raw for f in schema.grid_columns(survey)]
    answers = [f.raw for f in load_definition(survey).columns if f.is_question and f.raw in raw]
    blocks, kinds = [], []
    ids = iter(n_new_ids)
    for kind in FAULT_RATES:
        m = counts[kind]
        tmpl = rng.integers(0, n, m)
        rows = {c: raw[c][tmpl].copy() for c in cols}
        if kind == "blank":
            rows = {c: np.full(m, "", dtype=object) for c in cols}
        elif kind != "duplicate":
            rows["respondent_id"] = np.array([next(ids) for _ in range(m)], dtype=object)
            rows["submitted_at"] = _times(wave, rng, m)
        if kind == "test":
            which = np.arange(m) % 3
            rows["status"] = np.where(which == 0, "Survey Preview", np.where(which == 1, "Survey Test", "IP Address"))
            rows["status"] = rows["status"].astype(object)
            rows["email"] = np.where(which == 2, "test@example.com", "").astype(object)
        elif kind == "partial":
            prog = rng.integers(5, 96, m)
            rows["progress"] = prog.astype(str).astype(object)
            rows["finished"] = np.full(m, "0", dtype=object)
            stop = np.floor(prog / 100 * len(answers)).astype(int)
            for j, c in enumerate(answers):
                rows[c] = np.where(j >= stop, "", rows[c]).astype(object)
        elif kind == "speeder":
            rows["duration_sec"] = rng.integers(20, 110, m).astype(str).astype(object)
        elif kind == "straightliner":
            table = np.array(_label_table("likert", schema.LIKERT_LEVELS), dtype=object)
            pick = table[rng.integers(0, 5, m), np.where(rng.random(m) < 0.7, 0, rng.integers(1, table.shape[1], m))]
            for c in grid:
                rows[c] = pick.copy()
        blocks.append(rows)
        kinds += [kind] * m
    return blocks, np.array(kinds, dtype=object)


def _fault_counts(n: int) -> dict[str, int]:
    return {k: max(1, _round(r * n)) for k, r in FAULT_RATES.items()}


def generate_wave(survey: str, wave: int, n: int | None = None, seed: int | None = None,
                  claims: dict | None = None) -> SynthWave:
    """Generate one wave: the raw export, its clean core and the list of injected faults.

    Parameters
    ----------
    survey, wave : str, int
    n : int, optional
        Clean-core size (default ``SAMPLE_SIZES``); the raw export has ``n`` plus the faulty rows.
    seed : int, optional
        Default: derived from ``SEED``, the survey and the wave, so each file has its own stream.
    claims : dict, optional
        claim id -> value, instead of the registry (tests use this).

    Examples
    --------
    >>> w = generate_wave("cs_ops", 2023, n=200, seed=1,
    ...     claims={"cs_ops_2023.morale_decline": 74, "cs_ops_2023.morale_hurt_performance": 49,
    ...             "cs_ops_2023.automation_csat_likelihood": 4})
    >>> len(w.core), len(w.raw) - len(w.core) == len(w.faults)
    (200, True)
    >>> round(100 * w.core["morale_decline"].mean())
    74
    """
    n = SAMPLE_SIZES[(survey, wave)] if n is None else int(n)
    if n < 20:
        raise ValueError(f"n: need at least 20 clean rows, got {n}")
    t = targets(survey, wave, claims)
    if seed is None:
        seed = SEED + zlib.crc32(f"{survey}_{wave}".encode())
    rng = np.random.default_rng(seed)
    a = _core(survey, wave, n, t, rng)
    counts = _fault_counts(n)
    n_new = sum(v for k, v in counts.items() if k not in ("duplicate", "blank"))
    ids = _ids(rng, n + n_new)
    core_ids, new_ids = ids[:n], ids[n:]
    raw = _raw_core(survey, wave, core_ids, a, rng)
    blocks, kinds = _inject_faults(survey, wave, raw, new_ids, counts, rng)
    cols = list(raw)
    allrows = {c: np.concatenate([raw[c]] + [b[c] for b in blocks]) for c in cols}
    kind_all = np.concatenate([np.full(n, "", dtype=object), kinds])
    # exports are in submission order; blank rows land anywhere
    key = np.where(allrows["submitted_at"] == "", "", allrows["submitted_at"]) + allrows["respondent_id"]
    order = np.argsort(key, kind="stable")
    blanks = order[kind_all[order] == "blank"]
    rest = order[kind_all[order] != "blank"]
    pos = np.sort(rng.integers(0, len(rest) + 1, len(blanks)))
    order = np.insert(rest, pos, blanks)
    raw_df = pd.DataFrame({c: pd.array(allrows[c][order].astype(str), dtype="str") for c in cols})
    raw_df = mark_synthetic(raw_df)  # every row, blank ones too: the source is in the data, not the file name
    kind_sorted = kind_all[order]
    faulty = np.flatnonzero(kind_sorted != "")
    faults = pd.DataFrame({"respondent_id": pd.array(raw_df["respondent_id"].to_numpy()[faulty], dtype="str"),
                           "row": faulty + 2, "fault": pd.array(kind_sorted[faulty].astype(str), dtype="str")})
    core = _core_frame(survey, wave, core_ids, a, order[order < n])
    return SynthWave(survey, wave, raw_df, core, faults, t)


def generate_raw(survey: str, wave: int, n: int | None = None, seed: int | None = None,
                 claims: dict | None = None) -> pd.DataFrame:
    """The raw export (all text) of :func:`generate_wave`; ``n`` is the clean-core size.

    Examples
    --------
    >>> raw = generate_raw("trends", 2022, n=100, seed=3)
    >>> len(raw), raw.columns[0]
    (113, 'respondent_id')
    """
    return generate_wave(survey, wave, n=n, seed=seed, claims=claims).raw
