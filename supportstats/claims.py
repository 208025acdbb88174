"""The registry of published claims: its columns, its schema, loading and display.

``data/raw/published_claims.csv`` holds one row per numeric claim of the source articles
(see ``docs/claims_registry.md``). :func:`load_claims` validates it with a pandera schema and
cross-column rules; :func:`claims_table` and :func:`format_table` print it. The checks run on
it live in :mod:`supportstats.claim_checks`.

``published`` is the earliest publication date among a row's source articles; ``quote`` is
the verbatim sentence from the first of its ``source_files``, ``quote_other`` those of the
others (``file: sentence``, ``" | "``-separated). ``n`` is the sample size an article gives for
the row's base (blank when none is given). Registry columns beyond the issue's list: ``value_high`` (upper end of a stated range),
``bound`` (``min`` for "20%+", ``max``, ``approx`` for "about", ``exact`` for a definition
or rule such as "1 head per point", which is not a rounded measurement), ``n_low``/``n_high`` (the
range of n the wording allows, scanned by the rounding check), ``relates_to`` (for a change:
the later wave's claim; for a share: another share of the same respondents), ``base_claim``/``base_clear``
(the share whose sub-group may be this row's base, and whether the wording says so), ``implied``
(``label = expression`` items over ``{claim_id}`` placeholders; label ``value`` means "must agree
with this row's value"), ``quote_other``, ``notes``, ``scale_low``/``scale_high`` (the scale of a
mean or score, e.g. -100..100 for NPS) and ``readings`` (the readings a ``change_unspecified``
wording allows, from :data:`CHANGE_READINGS`).
"""
from __future__ import annotations

import ast
import functools
import math
import re
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from .bounds import approx_interval, rounding_interval
from .errors import InputError
from .paths import CLAIMS_CSV

__all__ = ["CLAIM_COLUMNS", "CLAIM_SURVEYS", "CLAIM_STATISTICS", "CLAIM_UNITS", "CHANGE_READINGS", "load_claims",
           "value_interval", "claims_table", "format_table"]

#: Columns of the registry, in file order.
CLAIM_COLUMNS = (
    "claim_id", "survey", "report", "publisher", "published", "wave", "metric", "statistic", "value",
    "value_high", "bound", "unit", "base", "n", "n_approx", "n_low", "n_high", "compared_to",
    "relates_to", "base_claim", "base_clear", "implied", "source_files", "language", "quote",
    "quote_other", "notes", "scale_low", "scale_high", "readings",
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
#: Readings a change of unspecified kind may have ("up 2%"): +2 points, +2% of the earlier
#: level, or "the increase itself grew by 2" (this year's change = last year's change + 2).
CHANGE_READINGS = ("points", "relative", "change_of_change")
_DEFAULT_READINGS = "points;relative"

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
        ``approx`` ("about 5.5%") widens the interval to ±5% of the value, never narrower
        than its rounding (:func:`supportstats.bounds.approx_interval`); ``exact`` (a
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
    >>> value_interval(5.5, bound="approx")
    (5.225, 5.775)
    >>> value_interval(1, bound="exact")
    (1.0, 1.0)
    """
    if value is None or pd.isna(value):
        raise ValueError(f"value must be a number; got value={value!r}")
    if bound not in (None, *BOUNDS) and not (isinstance(bound, float) and math.isnan(bound)):
        raise ValueError(f"bound must be one of {BOUNDS} or None; got bound={bound!r}")
    bound = None if bound is None or (isinstance(bound, float) and math.isnan(bound)) else bound
    d = _decimals(value) if decimals is None or pd.isna(decimals) else int(decimals)
    top = value if value_high is None or pd.isna(value_high) else value_high
    if bound == "exact":
        low, high = float(value), float(top)
    elif bound == "approx":
        low, high = approx_interval(value, d)[0], approx_interval(top, d)[1]
    else:
        low, high = rounding_interval(value, d)[0], rounding_interval(top, d)[1]
    if bound == "min":
        high = math.inf
    elif bound == "max":
        low = -math.inf
    return low, high


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
        "n_approx": [truth], "base_clear": [truth], "scale_low": [num], "scale_high": [num],
        "readings": [(pa.Check.str_matches(rf"^({'|'.join(CHANGE_READINGS)})(;({'|'.join(CHANGE_READINGS)}))*$"),
                      "readings from " + ", ".join(CHANGE_READINGS) + ", ';'-separated")],
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
    by_id = df.set_index("claim_id")
    target = df["relates_to"].map(lambda t: by_id.loc[t] if isinstance(t, str) and t in by_id.index else None)
    same_people = pd.Series([t is None or s != "share" or (t["statistic"] == "share" and t["survey"] == sv
                                                           and (pd.isna(t["wave"]) and pd.isna(w) or t["wave"] == w))
                             for t, s, sv, w in zip(target, df["statistic"], df["survey"], df["wave"])], index=df.index)
    lo, hi = df["scale_low"], df["scale_high"]
    top = df["value_high"].fillna(df["value"])
    scaled = df["statistic"].isin(["mean", "score"])
    readings = df["readings"].map(lambda x: x.split(";") if isinstance(x, str) else None)
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
        ("relates_to", "for a share: another share of the same survey and wave (the same respondents)",
         same_people.astype(bool)),
        ("base_clear", "true or false whenever base_claim is given", df["base_claim"].isna() | df["base_clear"].notna()),
        ("scale_low", "scale_low and scale_high together, on a mean or score only",
         (lo.isna() & hi.isna()) | (lo.notna() & hi.notna() & scaled)),
        ("scale_high", "a number above scale_low, with value (and value_high) on the scale",
         lo.isna() | hi.isna() | ((lo < hi) & (df["value"] >= lo) & (top <= hi)).fillna(False)),
        ("readings", "two or more different readings, on a change_unspecified row only",
         readings.isna() | (df["statistic"].eq("change_unspecified")
                            & readings.map(lambda r: r is not None and len(set(r)) == len(r) >= 2))),
        ("source_files", "each seed file listed once", dup_src),
        ("language", "one language code per source file", nsrc == nlang),
    ]


def _typed(raw: pd.DataFrame) -> pd.DataFrame:
    df = raw.copy()
    for col in ("value", "value_high", "scale_low", "scale_high"):
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

