"""The registry of published claims and the arithmetic checks run on it.

``data/raw/published_claims.csv`` holds one row per numeric claim of the source articles
(see ``.dev/TEAM.md`` for the ids). :func:`load_claims` validates it with a pandera schema;
:func:`check_claims` re-derives what can be re-derived from the published numbers alone:

- ``change_arithmetic``: a stated change against its two waves, read as percentage points
  and as a relative change, within the rounding of every published figure;
- ``ambiguous_wording``: a change whose wording allows both readings, with both implied
  earlier values;
- ``rounding_feasibility``: whole counts k out of n (or out of a plausible range of n) whose
  share rounds to the published percentage;
- ``conditional_base``: a share of a sub-group re-expressed as a share of everyone;
- ``implied_change`` and ``implied_figure``: figures the published numbers imply
  (the change between two waves; expressions in the ``implied`` column).

Which check runs on a row follows from its ``statistic``, ``compared_to``, ``relates_to``,
``base_claim`` and ``implied`` columns, never from its id.

``published`` is the earliest publication date among a row's source articles; ``quote`` is
the verbatim sentence from the first of its ``source_files``, ``quote_other`` those of the
others (``file: sentence``, ``" | "``-separated). ``n`` is the sample size an article gives for
the row's base (blank when none is given). Registry columns beyond the issue's list: ``value_high`` (upper end of a stated range),
``bound`` (``min`` for "20%+", ``max``, ``approx`` for "about", ``exact`` for a definition
or rule such as "1 head per point", which is not a rounded measurement), ``n_low``/``n_high`` (the
range of n the wording allows, scanned by the rounding check), ``relates_to`` (for a change:
the later wave's claim), ``base_claim``/``base_clear`` (the share whose sub-group may be this
row's base, and whether the wording says so), ``implied`` (``label = expression`` items over
``{claim_id}`` placeholders; label ``value`` means "must agree with this row's value"),
``quote_other`` and ``notes``.
"""
from __future__ import annotations

import functools

import ast
import math
import re
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from .errors import InputError
from .paths import CLAIMS_CSV

__all__ = ["CLAIM_COLUMNS", "CLAIM_SURVEYS", "CLAIM_STATISTICS", "CLAIM_UNITS", "CHECK_COLUMNS",
           "load_claims", "check_claims", "feasible_counts", "value_interval", "change_readings",
           "claims_table", "format_table"]

#: Columns of the registry, in file order.
CLAIM_COLUMNS = (
    "claim_id", "survey", "report", "publisher", "published", "wave", "metric", "statistic", "value",
    "value_high", "bound", "unit", "base", "n", "n_approx", "n_low", "n_high", "compared_to",
    "relates_to", "base_claim", "base_clear", "implied", "source_files", "language", "quote",
    "quote_other", "notes",
)
CLAIM_SURVEYS = ("benchmark", "trends", "cs_ops", "external", "anecdote")
#: Statistics and the units each may carry.
CLAIM_STATISTICS = {
    "share": ("percent",), "mean": ("percent", "points"), "score": ("points", "percent"),
    "change_pp": ("points",), "change_relative": ("percent",), "change_unspecified": ("percent", "points"),
    "ratio": ("ratio",), "count": ("count",), "amount": ("usd",),
    "duration": ("hours", "weeks", "months", "years"),
}
CLAIM_UNITS = ("percent", "points", "usd", "ratio", "count", "hours", "weeks", "months", "years")
BOUNDS = ("min", "max", "approx", "exact")
LANGUAGES = ("ja", "zh", "es", "ko", "en")
#: Columns of :func:`check_claims`' result.
CHECK_COLUMNS = ("check", "claim_id", "status", "detail", "reading", "estimate", "implied_low",
                 "implied_high", "n_low", "n_high", "n_feasible")

_CHANGES = ("change_pp", "change_relative")
_LEVELS = ("share", "mean", "score")
_ID = r"(?:(?:benchmark|trends|cs_ops)_\d{4}|external|anecdote)\.[a-z0-9_]+"
_NUMBER = r"-?\d+(?:\.\d+)?"
_SOURCE = r"\d{3}_[0-9a-f]{16}\.txt"
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_REQUIRED = ("claim_id", "survey", "report", "publisher", "published", "metric", "statistic", "value",
             "unit", "n_approx", "source_files", "language", "quote")


# --------------------------------------------------------------------------- intervals
def _decimals(value) -> int:
    """Decimals a number was published with, read from its shortest repr (5.5 -> 1, 300.0 -> 0)."""
    text = repr(float(value))
    if "e" in text or "." not in text:
        return 0
    frac = text.split(".")[1].rstrip("0")
    return len(frac)


def value_interval(value, value_high=None, bound=None, decimals=None) -> tuple[float, float]:
    """Interval of true values consistent with a published figure and its rounding.

    A figure published with ``d`` decimals may be anything within half a unit of its last
    digit; a stated range ``value``–``value_high`` widens that; ``bound="min"`` ("20%+")
    leaves the top open and ``bound="max"`` the bottom.

    Parameters
    ----------
    value : float
        The published figure.
    value_high : float, optional
        Upper end of a stated range ("5–10%").
    bound : {None, "min", "max", "approx", "exact"}, optional
        ``approx`` ("about 5.5%") is treated like a plainly rounded figure; ``exact`` (a
        definition or rule, "1 head per point") has no rounding margin.
    decimals : int, optional
        Decimals as published; inferred from ``value`` when omitted.

    Returns
    -------
    tuple of float
        ``(low, high)``; ``inf`` marks an open end.

    Examples
    --------
    >>> value_interval(89)
    (88.5, 89.5)
    >>> value_interval(5.5)
    (5.45, 5.55)
    >>> value_interval(20, bound="min")
    (19.5, inf)
    >>> value_interval(5, value_high=10)
    (4.5, 10.5)
    >>> value_interval(1, bound="exact")
    (1.0, 1.0)
    """
    if value is None or pd.isna(value):
        raise ValueError(f"value must be a number; got value={value!r}")
    if bound not in (None, *BOUNDS) and not (isinstance(bound, float) and math.isnan(bound)):
        raise ValueError(f"bound must be one of {BOUNDS} or None; got bound={bound!r}")
    d = _decimals(value) if decimals is None or pd.isna(decimals) else int(decimals)
    half = 0.0 if bound == "exact" else 0.5 * 10.0 ** -d
    top = value if value_high is None or pd.isna(value_high) else value_high
    low, high = float(value) - half, float(top) + half
    if bound == "min":
        high = math.inf
    elif bound == "max":
        low = -math.inf
    return round(low, d + 2), (high if math.isinf(high) else round(high, d + 2))


def change_readings(earlier, later) -> pd.DataFrame:
    """A change between two published levels, read as points and as a relative change.

    Each reading gets the point estimate and the interval allowed by the rounding of both
    published levels (the earlier and later values as intervals, see :func:`value_interval`).

    Parameters
    ----------
    earlier, later : float or tuple of float
        Published levels, or ``(low, high)`` intervals.

    Returns
    -------
    pandas.DataFrame
        Rows ``points`` and ``relative`` (index ``reading``) with columns ``estimate``,
        ``implied_low`` and ``implied_high``; relative changes are in percent.

    Examples
    --------
    >>> change_readings(78, 89).round(2)  # doctest: +NORMALIZE_WHITESPACE
              estimate  implied_low  implied_high
    reading
    points        11.0        10.00         12.00
    relative      14.1        12.74         15.48
    """
    e_lo, e_hi = earlier if isinstance(earlier, tuple) else value_interval(earlier)
    l_lo, l_hi = later if isinstance(later, tuple) else value_interval(later)
    e_pt = (e_lo + e_hi) / 2 if isinstance(earlier, tuple) else float(earlier)
    l_pt = (l_lo + l_hi) / 2 if isinstance(later, tuple) else float(later)
    if not (e_lo > 0 and e_pt > 0):
        raise ValueError(f"earlier must be positive for a relative change; got earlier={earlier!r}")
    rows = {
        "points": (l_pt - e_pt, l_lo - e_hi, l_hi - e_lo),
        "relative": (100 * (l_pt / e_pt - 1), 100 * (l_lo / e_hi - 1), 100 * (l_hi / e_lo - 1)),
    }
    out = pd.DataFrame.from_dict(rows, orient="index", columns=["estimate", "implied_low", "implied_high"])
    out.index.name = "reading"
    return out


def _count_range(p, n: int, decimals: int = 0) -> tuple[int, int]:
    """Smallest and largest k with 100 k / n within half a unit of p (exact; (k, k-1) if none)."""
    half = Fraction(1, 2) * Fraction(1, 10 ** decimals)
    p = Fraction(str(p))
    lo, hi = (p - half) * n / 100, (p + half) * n / 100
    return max(math.ceil(lo), 0), min(math.floor(hi), n)


def feasible_counts(p, n, decimals: int = 0) -> pd.DataFrame:
    """Whole counts k out of n whose percentage rounds to a published share.

    "48%" of n people is possible only if some whole k has ``100 k / n`` within half a unit
    of 48 (both ends allowed, whatever rounding rule the publisher used). Exact rational
    arithmetic. Pass a range of n when the base is only known roughly ("1,200+").

    Parameters
    ----------
    p : float
        Published percentage (0–100).
    n : int or iterable of int
        Base size(s).
    decimals : int, default 0
        Decimals the percentage was published with.

    Returns
    -------
    pandas.DataFrame
        One row per n with columns ``n``, ``k_low``, ``k_high``, ``n_counts`` (how many k fit)
        and ``feasible``.

    Examples
    --------
    >>> feasible_counts(48, [7, 25, 300])
         n  k_low  k_high  n_counts  feasible
    0    7      4       3         0     False
    1   25     12      12         1      True
    2  300    143     145         3      True
    """
    if not (isinstance(decimals, (int, np.integer)) and decimals >= 0):
        raise ValueError(f"decimals must be a non-negative integer; got decimals={decimals!r}")
    if p is None or pd.isna(p) or not 0 <= float(p) <= 100:
        raise ValueError(f"p must be a percentage from 0 to 100; got p={p!r}")
    sizes = [n] if isinstance(n, (int, np.integer)) else list(n)
    if not sizes or any(not isinstance(s, (int, np.integer)) or s < 1 for s in sizes):
        raise ValueError(f"n must be a positive whole number or an iterable of them; got n={n!r}")
    rows = [(int(s), *_count_range(p, int(s), decimals)) for s in sizes]
    out = pd.DataFrame(rows, columns=["n", "k_low", "k_high"])
    out["n_counts"] = (out["k_high"] - out["k_low"] + 1).clip(lower=0)
    out["feasible"] = out["n_counts"] > 0
    return out


# --------------------------------------------------------------------------- implied expressions
_ALLOWED = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.USub, ast.UAdd, ast.Add, ast.Sub, ast.Mult,
            ast.Div, ast.Constant, ast.Name, ast.Load)


def _parse_implied(text: str) -> list[tuple[str, ast.Expression, list[str]]]:
    """Split ``label = expr; ...`` into (label, parsed expression, claim ids); ValueError if malformed."""
    items = []
    for part in str(text).split(";"):
        label, sep, expr = part.partition("=")
        label, expr = label.strip(), expr.strip()
        if not sep or not label or not expr:
            raise ValueError(f"{part.strip()!r} is not 'label = expression'")
        ids = _PLACEHOLDER.findall(expr)
        names = {cid: f"_c{i}" for i, cid in enumerate(dict.fromkeys(ids))}
        code = _PLACEHOLDER.sub(lambda m: names[m.group(1)], expr)
        try:
            tree = ast.parse(code, mode="eval")
        except SyntaxError:
            raise ValueError(f"{expr!r} is not an arithmetic expression") from None
        for node in ast.walk(tree):
            if not isinstance(node, _ALLOWED) or (isinstance(node, ast.Constant)
                                                  and not isinstance(node.value, (int, float))):
                raise ValueError(f"{expr!r} may use only numbers, {{claim_id}}, + - * / and brackets")
            if isinstance(node, ast.Name) and node.id not in names.values():
                raise ValueError(f"{expr!r}: write claim ids as {{claim_id}}")
        items.append((label, tree, list(names), expr))
    return items


def _ival(op, a, b):
    """Interval arithmetic on (low, high) pairs; NaN when undefined (division across zero)."""
    if op is ast.Add:
        return a[0] + b[0], a[1] + b[1]
    if op is ast.Sub:
        return a[0] - b[1], a[1] - b[0]
    if op is ast.Div:
        if b[0] <= 0 <= b[1]:
            return math.nan, math.nan
        b = (1 / b[1], 1 / b[0])
    with np.errstate(invalid="ignore"):
        prods = [x * y for x in a for y in b]
    prods = [p for p in prods if not math.isnan(p)]
    return (min(prods), max(prods)) if prods else (math.nan, math.nan)


def _evaluate(tree: ast.Expression, ids: list[str], env: dict) -> tuple[float, float, float]:
    """Evaluate a parsed expression to (point, low, high) given {claim_id: (point, low, high)}."""
    names = {f"_c{i}": env[cid] for i, cid in enumerate(ids)}

    def ev(node):
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant):
            v = float(node.value)
            return v, v, v
        if isinstance(node, ast.Name):
            return names[node.id]
        if isinstance(node, ast.UnaryOp):
            p, lo, hi = ev(node.operand)
            return (-p, -hi, -lo) if isinstance(node.op, ast.USub) else (p, lo, hi)
        (pa_, *ia), (pb, *ib) = ev(node.left), ev(node.right)
        op = type(node.op)
        point = {ast.Add: pa_ + pb, ast.Sub: pa_ - pb, ast.Mult: pa_ * pb,
                 ast.Div: pa_ / pb if pb else math.nan}[op]
        return (point, *_ival(op, tuple(ia), tuple(ib)))

    return ev(tree)


# --------------------------------------------------------------------------- loading
def _expected_for(column: str, ids=()) -> list[tuple[pa.Check, str]]:
    """Column checks paired with the one-line 'expected' text shown when they fail."""
    num = (pa.Check.str_matches(rf"^{_NUMBER}$"), "a plain number such as 89 or 5.5 (no %, no thousands separators)")
    whole = (pa.Check.str_matches(r"^[1-9]\d*$"), "a positive whole number (no thousands separators)")
    ref = (pa.Check.isin(sorted(ids)), "the claim_id of another row of the registry")
    truth = (pa.Check.isin(["true", "false"]), "true or false")
    return {
        "claim_id": [(pa.Check.str_matches(rf"^{_ID}$"),
                      "a slug 'survey_wave.name' (benchmark|trends|cs_ops, 4-digit wave) or 'external.name'/'anecdote.name'")],
        "survey": [(pa.Check.isin(CLAIM_SURVEYS), "one of " + ", ".join(CLAIM_SURVEYS))],
        "published": [(pa.Check.str_matches(r"^\d{4}-\d{2}-\d{2}$"), "a date YYYY-MM-DD"),
                      (pa.Check(lambda s: pd.to_datetime(s, format="%Y-%m-%d", errors="coerce").notna()),
                       "a real calendar date YYYY-MM-DD")],
        "wave": [(pa.Check.str_matches(r"^(19|20)\d{2}$"), "a 4-digit survey year, or blank")],
        "statistic": [(pa.Check.isin(list(CLAIM_STATISTICS)), "one of " + ", ".join(CLAIM_STATISTICS))],
        "value": [num], "value_high": [num],
        "bound": [(pa.Check.isin(BOUNDS), "blank or one of " + ", ".join(BOUNDS))],
        "unit": [(pa.Check.isin(CLAIM_UNITS), "one of " + ", ".join(CLAIM_UNITS))],
        "n": [whole], "n_low": [whole], "n_high": [whole],
        "n_approx": [truth], "base_clear": [truth],
        "compared_to": [ref], "relates_to": [ref], "base_claim": [ref],
        "implied": [(pa.Check(lambda s: s.map(_implied_ok(ids)), element_wise=False),
                     "'label = expression' items separated by ';', using {claim_id} of existing rows, numbers and + - * /")],
        "source_files": [(pa.Check.str_matches(rf"^{_SOURCE}(;{_SOURCE})*$"),
                          "seed file names like 000_21c998474df13a11.txt, ';'-separated")],
        "language": [(pa.Check.str_matches(rf"^({'|'.join(LANGUAGES)})(;({'|'.join(LANGUAGES)}))*$"),
                      "language codes (" + ", ".join(LANGUAGES) + "), ';'-separated")],
    }.get(column, [])


def _implied_ok(ids):
    def ok(text) -> bool:
        try:
            return all(set(cids) <= set(ids) for _, _, cids, _ in _parse_implied(text))
        except ValueError:
            return False
    return ok


def _text_schema(ids) -> pa.DataFrameSchema:
    """Schema of the registry as text (every cell a string or blank)."""
    columns = {}
    for col in CLAIM_COLUMNS:
        checks = [c for c, _ in _expected_for(col, ids)]
        columns[col] = pa.Column(str, checks=checks, nullable=col not in _REQUIRED,
                                 unique=col == "claim_id", required=col in _REQUIRED)
    return pa.DataFrameSchema(columns, strict=False)


# cross-column rules on the typed frame: (column to blame, expected text, rule -> bool Series ok)
def _row_rules(df: pd.DataFrame) -> list[tuple[str, str, pd.Series]]:
    sid = df["survey"].where(df["survey"].isin(["external", "anecdote"]),
                             df["survey"] + "_" + df["wave"].astype("string"))
    prefix_ok = df["claim_id"].str.split(".").str[0] == sid
    unit_ok = pd.Series([u in CLAIM_STATISTICS.get(s, ()) for s, u in zip(df["statistic"], df["unit"])], index=df.index)
    nsrc = df["source_files"].str.count(";")
    nlang = df["language"].str.count(";")
    share = df["statistic"].eq("share")
    wave_of = df.set_index("claim_id")["wave"]
    earlier = df["compared_to"].map(wave_of)
    waves_ok = earlier.isna() | df["wave"].isna() | (earlier.astype("Float64") < df["wave"].astype("Float64"))
    dup_src = df["source_files"].map(lambda s: len(set(s.split(";"))) == len(s.split(";")))
    return [
        ("claim_id", "an id starting with '<survey>_<wave>.' (or 'external.'/'anecdote.') matching the survey and wave columns", prefix_ok),
        ("unit", "a unit that fits the statistic (" + "; ".join(f"{k}: {'/'.join(v)}" for k, v in CLAIM_STATISTICS.items()) + ")", unit_ok),
        ("value", "a share from 0 to 100", ~share | df["value"].between(0, 100)),
        ("value_high", "a number above value", df["value_high"].isna() | (df["value_high"] > df["value"])),
        ("n", "n present when n_approx is true", ~df["n_approx"].fillna(False) | df["n"].notna()),
        ("n_low", "n_low <= n <= n_high, both given with n", (df["n_low"].isna() & df["n_high"].isna())
         | (df["n"].notna() & (df["n_low"] <= df["n"]).fillna(False) & (df["n"] <= df["n_high"]).fillna(False))),
        ("compared_to", "a claim of an earlier wave", waves_ok.fillna(True).astype(bool)),
        ("relates_to", "a claim other than the row itself", df["relates_to"].isna() | (df["relates_to"] != df["claim_id"])),
        ("base_clear", "true or false whenever base_claim is given", df["base_claim"].isna() | df["base_clear"].notna()),
        ("source_files", "each seed file listed once", dup_src),
        ("language", "one language code per source file", nsrc == nlang),
    ]


def _typed(raw: pd.DataFrame) -> pd.DataFrame:
    df = raw.copy()
    for col in ("value", "value_high"):
        df[col] = pd.to_numeric(df[col]).astype("float64")
    for col in ("wave", "n", "n_low", "n_high"):
        df[col] = pd.to_numeric(df[col]).astype("Int64")
    for col in ("n_approx", "base_clear"):
        df[col] = df[col].map({"true": True, "false": False}).astype("boolean")
    df["published"] = pd.to_datetime(df["published"], format="%Y-%m-%d")
    df["decimals"] = raw["value"].map(lambda s: len(s.split(".")[1]) if "." in s else 0).astype("Int64")
    return df


def _fail(path, cases: list[tuple[int | None, str, object, str]]):
    """Raise one InputError for the first problem (file order), counting the others."""
    order = {c: i for i, c in enumerate(CLAIM_COLUMNS)}
    cases = sorted(cases, key=lambda c: (-1 if c[0] is None else c[0], order.get(c[1], 99)))
    row, column, value, expected = cases[0]
    more = len(cases) - 1
    msg = "data rows counted from 1 below the header" if row is not None else ""
    if more:
        msg += ("; " if msg else "") + f"{more} more problem{'s' if more > 1 else ''} in the file"
    raise InputError(msg, file=Path(path).name, row=row, column=column,
                     value=None if value is None or (isinstance(value, float) and math.isnan(value)) else value,
                     expected=expected)


def _blank_to_na(raw: pd.DataFrame) -> pd.DataFrame:
    out = raw.copy()
    for col in out.columns:
        s = out[col].astype("string")
        out[col] = s.mask(s.str.strip() == "").astype(object).where(lambda x: x.notna(), None)
    return out


def load_claims(path=None) -> pd.DataFrame:
    """Read and validate the registry of published claims.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        Registry CSV (UTF-8); default ``supportstats.paths.CLAIMS_CSV``.

    Returns
    -------
    pandas.DataFrame
        One row per claim, sorted by ``claim_id``, with the columns of :data:`CLAIM_COLUMNS`
        typed (``value``/``value_high`` float, ``wave``/``n``/``n_low``/``n_high`` Int64,
        ``n_approx``/``base_clear`` boolean, ``published`` datetime, the rest text with
        ``NaN`` for blanks) plus ``decimals``, the decimals ``value`` was written with.

    Raises
    ------
    InputError
        One line naming the file, the data row (counted from 1 below the header, as a
        spreadsheet user counts records), the column and what was expected, for the first
        problem in the file: a missing column, a bad number, an unknown statistic, unit or
        survey, a duplicate ``claim_id``, a ``compared_to``/``relates_to``/``base_claim`` or
        ``implied`` reference to a missing id, or an inconsistent row (e.g. an id whose
        prefix does not match its survey and wave).

    Examples
    --------
    >>> claims = load_claims()
    >>> row = claims.set_index("claim_id").loc["benchmark_2022.csat_mean"]
    >>> float(row.value), row.unit, row.compared_to
    (89.0, 'percent', 'benchmark_2021.csat_mean')
    >>> claims["claim_id"].is_unique
    True
    """
    path = Path(CLAIMS_CSV if path is None else path)
    if not path.is_file():
        raise InputError("registry file not found", file=str(path))
    stat = path.stat()
    # notebooks ask for the registry many times; validate each version of the file once
    return _load_claims_cached(str(path.resolve()), stat.st_mtime_ns, stat.st_size).copy()


@functools.lru_cache(maxsize=8)
def _load_claims_cached(path: str, mtime_ns: int, size: int) -> pd.DataFrame:
    path = Path(path)
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", file=path.name) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"not a readable CSV: {' '.join(str(exc).split())}", file=path.name) from None
    raw = _blank_to_na(raw)
    ids = set(raw["claim_id"].dropna()) if "claim_id" in raw else set()
    schema = _text_schema(ids)
    try:
        schema.validate(raw, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = [_case(raw, c, ids) for c in exc.failure_cases.itertuples(index=False)]
        _fail(path, [c for c in cases if c is not None])
    for col in CLAIM_COLUMNS:          # optional columns may be left out of the file
        if col not in raw:
            raw[col] = None
    df = _typed(raw)
    cases = [(int(i) + 1, col, raw.at[i, col], expected)
             for col, expected, ok in _row_rules(df) for i in ok.index[~ok.astype(bool)]]
    if cases:
        _fail(path, cases)
    return df.sort_values("claim_id", kind="stable").reset_index(drop=True)


def _case(raw: pd.DataFrame, c, ids) -> tuple[int | None, str, object, str] | None:
    """One pandera failure case as (data row, column, value, expected); None to skip it."""
    row = None if c.index is None or pd.isna(c.index) else int(c.index) + 1
    column, check = c.column, str(c.check)
    if check == "column_in_dataframe":
        return None, str(c.failure_case), None, f"a column named {str(c.failure_case)!r} in the header"
    if check == "not_nullable":
        return row, column, None, "a value (this column may not be blank)"
    if check == "field_uniqueness":
        # blame the repeats, not the first occurrence a reader would keep
        if not raw[column].duplicated(keep="first").iloc[row - 1]:
            return None
        first = int(raw.index[raw[column] == c.failure_case][0]) + 1
        return row, column, c.failure_case, f"a claim_id used by no other row (data row {first} has it)"
    expected = _expected_for(column, ids)
    k = int(c.check_number) if c.check_number is not None and not pd.isna(c.check_number) else 0
    text = expected[k][1] if k < len(expected) else check
    return row, column, c.failure_case, text


# --------------------------------------------------------------------------- checks
def _fmt(x) -> str:
    if x is None or pd.isna(x):
        return "?"
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.4g}"


def _span(lo, hi) -> str:
    return f"{_fmt(lo)}..{_fmt(hi)}"


def _overlaps(a, b) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def _row(check, claim_id, status, detail, **numbers) -> dict:
    out = {"check": check, "claim_id": claim_id, "status": status, "detail": detail}
    out.update(numbers)
    return out


def _interval(r) -> tuple[float, float]:
    return value_interval(r.value, r.value_high, None if pd.isna(r.bound) else r.bound, r.decimals)


def _point(r) -> float:
    return r.value if pd.isna(r.value_high) else (r.value + r.value_high) / 2


def _show(r) -> str:
    """A claim's value as published, with its unit ('89%', '+11 pp', '$550,000', '20%+')."""
    v = _fmt(r.value) + ("" if pd.isna(r.value_high) else f"–{_fmt(r.value_high)}")
    sign = "+" if r.statistic.startswith("change") and r.value > 0 else ""
    unit = {"percent": "%", "points": " pp" if r.statistic.startswith("change") else "", "ratio": "x",
            "count": "", "usd": ""}.get(r.unit, f" {r.unit}")
    if unit.startswith(" ") and r.bound == "min":     # "24+ hours", but "20%+" and "2x+"
        v += "+"
    elif r.bound == "min":
        unit += "+"
    text = ("$" if r.unit == "usd" else "") + sign + v + unit
    return "~" + text if r.bound == "approx" else "<" + text if r.bound == "max" else text


def _check_change(r, by_id) -> dict:
    """Stated change vs its two waves, under both readings, within rounding."""
    early, late = by_id[r.compared_to], by_id[r.relates_to]
    readings = change_readings(_interval(early), _interval(late))
    readings.loc["points", "estimate"] = late.value - early.value
    readings.loc["relative", "estimate"] = 100 * (late.value / early.value - 1)
    stated = _interval(r)
    fits = [k for k in readings.index
            if _overlaps(stated, (readings.at[k, "implied_low"], readings.at[k, "implied_high"]))]
    label = "points" if r.statistic == "change_pp" else "relative"
    use = label if label in fits else (fits[0] if fits else label)
    est, lo, hi = readings.loc[use]
    both = "; ".join(f"{k}: {'+' if readings.at[k, 'estimate'] >= 0 else ''}{_fmt(readings.at[k, 'estimate'])}"
                     f"{' pp' if k == 'points' else '%'} ({_span(readings.at[k, 'implied_low'], readings.at[k, 'implied_high'])})"
                     for k in readings.index)
    head = f"{_show(early)} -> {_show(late)} stated as {_show(r)}; {both}"
    if not fits:
        status, verdict = "inconsistent", "neither reading fits within the rounding of the published figures"
    elif label not in fits:
        status, verdict = "warning", f"recorded as {label} but only the {use} reading fits"
    elif round(est, int(r.decimals)) != r.value:
        status, verdict = "warning", (f"the {use} reading fits only at the rounding edges "
                                      f"(published levels give {_fmt(round(est, int(r.decimals)))})")
    else:
        status, verdict = "ok", f"uses the {use} reading"
    return _row("change_arithmetic", r.claim_id, status, f"{head}: {verdict}", reading=use,
                estimate=est, implied_low=lo, implied_high=hi)


def _check_ambiguous(r, by_id) -> dict:
    """A change that can be read as points or relative: both implied earlier values."""
    s_lo, s_hi = _interval(r)
    if pd.isna(r.relates_to):
        detail = (f"{_show(r)} can mean +{_fmt(r.value)} points or +{_fmt(r.value)}% relative; the later level "
                  f"p is not published, so the earlier level is p - {_fmt(r.value)} or p / {_fmt(1 + r.value / 100)} "
                  f"(the readings differ by {_fmt(r.value)} - p/{_fmt(100 / r.value + 1)} points)")
        return _row("ambiguous_wording", r.claim_id, "warning", detail, reading="both")
    late = by_id[r.relates_to]
    l_lo, l_hi = _interval(late)
    pts = (late.value - r.value, l_lo - s_hi, l_hi - s_lo)
    rel = (late.value / (1 + r.value / 100), l_lo / (1 + s_hi / 100), l_hi / (1 + s_lo / 100))
    detail = (f"{_show(r)} on {_show(late)} can mean points or relative: earlier level {_fmt(pts[0])} "
              f"({_span(*pts[1:])}) as points, {_fmt(rel[0])} ({_span(*rel[1:])}) as relative")
    status = "warning"
    if not pd.isna(r.compared_to):
        early = _interval(by_id[r.compared_to])
        fits = [k for k, v in (("points", pts), ("relative", rel)) if _overlaps(early, v[1:])]
        detail += f"; published earlier level {_show(by_id[r.compared_to])} fits: {', '.join(fits) or 'neither'}"
        status = "inconsistent" if not fits else status
    return _row("ambiguous_wording", r.claim_id, status, detail, reading="both",
                implied_low=min(pts[1], rel[1]), implied_high=max(pts[2], rel[2]))


def _runs(values: list[int]) -> str:
    """Sorted integers as compact runs: [6, 8, 9, 10] -> '6, 8..10'."""
    out, start = [], None
    for i, v in enumerate(values):
        start = v if start is None else start
        if i + 1 == len(values) or values[i + 1] != v + 1:
            out.append(str(v) if v == start else f"{start}..{v}")
            start = None
    return ", ".join(out)


def _check_rounding(r) -> dict:
    """Whole counts k out of n (or a plausible range of n) that round to the published share."""
    n = int(r.n)
    lo = int(r.n_low) if not pd.isna(r.n_low) else n
    hi = int(r.n_high) if not pd.isna(r.n_high) else n
    d = int(r.decimals)
    scan = feasible_counts(r.value, range(lo, hi + 1), d)
    at_n = feasible_counts(r.value, n, d).iloc[0]
    nf = int(scan["feasible"].sum())
    ks = (f"k = {at_n.k_low}..{at_n.k_high} of n = {n}" if at_n.feasible else f"no whole k of n = {n}")
    where = "" if lo == hi else f"; {nf} of {hi - lo + 1} n in {lo}..{hi} feasible"
    if 0 < nf < hi - lo + 1:
        where += f" ({_runs(scan.loc[scan['feasible'], 'n'].tolist())})"
    status = "ok" if nf else "inconsistent"
    if not at_n.feasible and nf and not r.n_approx:
        status = "inconsistent"
    detail = f"{_show(r)} of {'~' if r.n_approx else ''}{n}: {ks}{where}"
    return _row("rounding_feasibility", r.claim_id, status, detail,
                implied_low=float(at_n.k_low) if at_n.feasible else math.nan,
                implied_high=float(at_n.k_high) if at_n.feasible else math.nan,
                n_low=lo, n_high=hi, n_feasible=nf)


def _check_base(r, by_id) -> dict:
    """A figure whose base is (or may be) a sub-group defined by another share."""
    parent = by_id[r.base_claim]
    p_lo, p_hi = _interval(parent)
    if r.statistic != "share":
        if pd.isna(parent.n):
            detail = f"{_show(r)} is a {r.statistic} over the {_show(parent)} ({parent.metric}); no n published"
            return _row("conditional_base", r.claim_id, "ok", detail)
        n_lo = parent.n_low if not pd.isna(parent.n_low) else parent.n
        n_hi = parent.n_high if not pd.isna(parent.n_high) else parent.n
        est, lo, hi = parent.value * parent.n / 100, p_lo * n_lo / 100, p_hi * n_hi / 100
        detail = (f"{_show(r)} is a {r.statistic} over the {_show(parent)} of {'~' if parent.n_approx else ''}"
                  f"{parent.n} ({parent.metric}): about {est:.0f} respondents ({lo:.0f}..{hi:.0f})")
        return _row("conditional_base", r.claim_id, "ok", detail, reading="subgroup n",
                    estimate=est, implied_low=lo, implied_high=hi)
    s_lo, s_hi = _interval(r)
    of_all = (r.value * parent.value / 100, s_lo * p_lo / 100, s_hi * p_hi / 100)
    detail = (f"{_show(r)} of the {_show(parent)} who {parent.metric} = {_fmt(of_all[0])}% of all "
              f"({_span(*of_all[1:])})")
    if r.base_clear:
        return _row("conditional_base", r.claim_id, "ok", detail, reading="subgroup",
                    estimate=of_all[0], implied_low=of_all[1], implied_high=of_all[2])
    among = (100 * r.value / parent.value, 100 * s_lo / p_hi, 100 * s_hi / p_lo)
    detail = f"base unclear: {detail}; or {_show(r)} of all = {_fmt(among[0])}% of that group ({_span(*among[1:])})"
    status = "warning"
    if among[1] > 100:
        detail += " (impossible: more than the whole group, so the base must be the sub-group)"
    return _row("conditional_base", r.claim_id, status, detail, reading="both", estimate=of_all[0],
                implied_low=of_all[1], implied_high=of_all[2])


def _check_implied_change(r, by_id) -> dict:
    early = by_id[r.compared_to]
    readings = change_readings(_interval(early), _interval(r))
    readings.loc["points", "estimate"] = r.value - early.value
    readings.loc["relative", "estimate"] = 100 * (r.value / early.value - 1)
    pts, rel = readings.loc["points"], readings.loc["relative"]
    detail = (f"{_show(early)} -> {_show(r)}: {'+' if pts.estimate >= 0 else ''}{_fmt(pts.estimate)} points "
              f"({_span(pts.implied_low, pts.implied_high)}), {'+' if rel.estimate >= 0 else ''}"
              f"{_fmt(rel.estimate)}% relative ({_span(rel.implied_low, rel.implied_high)}, "
              f"x{_fmt(r.value / early.value)})")
    return _row("implied_change", r.claim_id, "ok", detail, reading="points", estimate=pts.estimate,
                implied_low=pts.implied_low, implied_high=pts.implied_high)


def _check_implied(r, by_id) -> list[dict]:
    env = {cid: (_point(c), *_interval(c)) for cid, c in by_id.items()}
    out = []
    for label, tree, ids, expr in _parse_implied(r.implied):
        est, lo, hi = _evaluate(tree, ids, env)
        shown = f"{_fmt(est)} ({_span(lo, hi)})"
        if label == "value":
            own = _interval(r)
            ok = _overlaps(own, (lo, hi))
            detail = (f"{_show(r)} vs {expr} = {shown}: "
                      + ("consistent" if ok else "does not fit"))
            status = "ok" if ok else "inconsistent"
        else:
            detail, status = f"implies {label} ≈ {shown}", "ok"
        out.append(_row("implied_figure", r.claim_id, status, detail, reading=label, estimate=est,
                        implied_low=lo, implied_high=hi))
    return out


def check_claims(claims: pd.DataFrame | None = None) -> pd.DataFrame:
    """Re-derive every checkable claim from the other published numbers.

    Parameters
    ----------
    claims : pandas.DataFrame, optional
        The registry as returned by :func:`load_claims` (default: load the project registry).

    Returns
    -------
    pandas.DataFrame
        One row per check and claim, sorted by ``claim_id`` then ``check``, with columns

        - ``check`` : ``change_arithmetic``, ``ambiguous_wording``, ``rounding_feasibility``,
          ``conditional_base``, ``implied_change`` or ``implied_figure``
        - ``claim_id`` : the claim checked
        - ``status`` : ``ok``, ``warning`` (consistent but needs a reader's care: two readings,
          an unclear base, a fit only at the rounding edges) or ``inconsistent``
        - ``detail`` : one sentence with the numbers
        - ``reading`` : the reading used (``points``, ``relative``, ``both``, a label, ...)
        - ``estimate``, ``implied_low``, ``implied_high`` : the implied figure and its interval
          from the rounding of the published numbers (for ``rounding_feasibility``: the whole
          counts k at the nominal n)
        - ``n_low``, ``n_high``, ``n_feasible`` : the n scanned and how many admit a whole count

    Which checks run on a row is decided by its columns: ``change_pp``/``change_relative`` with
    ``compared_to`` and ``relates_to`` -> change arithmetic; ``change_unspecified`` -> ambiguous
    wording; a ``share`` with ``n`` -> rounding; ``base_claim`` -> conditional base; a level
    with ``compared_to`` -> implied change; ``implied`` -> implied figure.

    Examples
    --------
    >>> checks = check_claims()
    >>> checks.loc[checks.claim_id == "benchmark_2022.csat_change_rel", ["check", "status", "reading"]]
    ...                                                            # doctest: +NORMALIZE_WHITESPACE
                    check status   reading
    ... change_arithmetic     ok  relative
    >>> sorted(checks.status.unique())
    ['ok', 'warning']
    """
    claims = load_claims() if claims is None else claims
    claims = claims.copy()
    if "decimals" not in claims:
        claims["decimals"] = claims["value"].map(_decimals)
    by_id = {r.claim_id: r for r in claims.itertuples(index=False)}
    rows = []
    for r in claims.itertuples(index=False):
        has = lambda col: not pd.isna(getattr(r, col))  # noqa: E731
        if r.statistic in _CHANGES and has("compared_to") and has("relates_to"):
            rows.append(_check_change(r, by_id))
        if r.statistic == "change_unspecified":
            rows.append(_check_ambiguous(r, by_id))
        if r.statistic == "share" and r.unit == "percent" and has("n") and not has("value_high"):
            rows.append(_check_rounding(r))
        if has("base_claim"):
            rows.append(_check_base(r, by_id))
        if r.statistic in _LEVELS and has("compared_to"):
            rows.append(_check_implied_change(r, by_id))
        if has("implied"):
            rows.extend(_check_implied(r, by_id))
    out = pd.DataFrame(rows, columns=list(CHECK_COLUMNS))
    for col in ("estimate", "implied_low", "implied_high"):
        out[col] = out[col].astype("float64")
    for col in ("n_low", "n_high", "n_feasible"):
        out[col] = out[col].astype("Int64")
    return out.sort_values(["claim_id", "check"], kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------- display
def claims_table(claims: pd.DataFrame | None = None) -> pd.DataFrame:
    """The registry as a readable table: one row per claim, values written as published.

    Parameters
    ----------
    claims : pandas.DataFrame, optional
        As returned by :func:`load_claims` (default: the project registry).

    Returns
    -------
    pandas.DataFrame
        Text columns ``claim_id``, ``value`` (with unit, range and bound: ``"89%"``,
        ``"+11 pp"``, ``"$550,000"``, ``"20%+"``), ``unit``, ``base``, ``n`` (``"~300"`` when
        approximate) and ``sources`` (seed file numbers).

    Examples
    --------
    >>> t = claims_table()
    >>> t.loc[t.claim_id == "trends_2022.n_respondents", ["value", "n", "sources"]].iloc[0].tolist()
    ['1,200+', '~1200', '002']
    """
    claims = load_claims() if claims is None else claims
    if "decimals" not in claims:
        claims = claims.assign(decimals=claims["value"].map(_decimals))
    rows = []
    for r in claims.itertuples(index=False):
        n = "" if pd.isna(r.n) else ("~" if r.n_approx else "") + str(int(r.n))
        sources = ";".join(f.split("_")[0] for f in r.source_files.split(";"))
        rows.append((r.claim_id, _show(r), r.unit, "" if pd.isna(r.base) else r.base, n, sources))
    return pd.DataFrame(rows, columns=["claim_id", "value", "unit", "base", "n", "sources"])


def format_table(df: pd.DataFrame, max_width: int | dict = 40) -> str:
    """Plain-text table with left-aligned columns; cells longer than ``max_width`` end in '…'.

    Parameters
    ----------
    df : pandas.DataFrame
    max_width : int or dict, default 40
        Widest cell; a dict gives per-column widths (columns not named are not trimmed).

    Returns
    -------
    str

    Examples
    --------
    >>> import pandas as pd
    >>> print(format_table(pd.DataFrame({"a": ["x", "a long cell"], "b": [1, 22]}), max_width=6))
    a       b
    x       1
    a lon…  22
    """
    def cell(col, v):
        text = "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)
        text = " ".join(text.split())
        w = max_width.get(col) if isinstance(max_width, dict) else max_width
        return text if w is None or len(text) <= w else text[: w - 1] + "…"

    cols = [str(c) for c in df.columns]
    body = [[cell(c, v) for c, v in zip(cols, row)] for row in df.itertuples(index=False)]
    widths = [max([len(c)] + [len(r[i]) for r in body]) for i, c in enumerate(cols)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(cols, widths)).rstrip()]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in body]
    return "\n".join(lines)
