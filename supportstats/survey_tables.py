"""A survey of your own, question by question: estimates, banners and wave comparisons from its definition.

The survey definition (:mod:`supportstats.definition`) says which columns of the cleaned data
are questions, what their answers are and how they are labelled, and which columns carry the
design (weights, strata, clusters). The functions here turn that into the tables a researcher
reads first, each a tidy DataFrame computed with the design-based estimators
(:func:`~supportstats.weighted_share`, :func:`~supportstats.weighted_mean`,
:func:`~supportstats.banner`, :func:`~supportstats.compare_waves`):

* :func:`question_estimates` — every answer's share (or a number's mean) with its interval;
* :func:`survey_banner` — every question by a breakdown, labelled from the definition;
* :func:`compare_survey_waves` — two waves question by question, Holm and BH across all tests;

and say what they show in sentences (:func:`estimates_summary`, :func:`banner_summary`,
:func:`waves_summary`). These describe *the data given*; they are not findings about the
vendor reports (nothing here writes ``findings.csv``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .banner import banner
from .comparisons import compare_waves
from .definition import SurveyDefinition, load_definition
from .design import Design
from .errors import InputError
from .estimate import LOW_N, weighted_mean, weighted_share
from .multiplicity import adjust_pvalues
from .weights import rake

__all__ = ["analysis_columns", "question_label", "answer_labels", "analysis_design", "question_estimates", "estimates_summary", "survey_banner", "banner_summary",
           "compare_survey_waves", "waves_summary", "split_halves"]

_ESTIMATE_COLUMNS = ["question", "column", "measure", "answer", "estimate", "se", "ci_low", "ci_high",
                     "level", "n", "n_eff", "deff", "df", "low_n", "method"]


# ------------------------------------------------------------------------------ what to analyse
def analysis_columns(definition, questions=None, *, exclude=()) -> pd.DataFrame:
    """The cleaned columns to analyse, one row each, in the definition's order.

    Parameters
    ----------
    definition : str, Path, dict or SurveyDefinition
    questions : list of str, optional
        Question names of the definition (default: every question). Free-text questions are
        left out: they have no share or mean.
    exclude : sequence of str
        Questions to leave out (e.g. the breakdown of a banner).

    Returns
    -------
    pandas.DataFrame
        ``question``, ``column`` (the cleaned column: a multi-select question has one per
        option), ``type``, ``measure`` (``"levels"``: the share of every answer;
        ``"share"``: the share of True, for yes/no, top-box and multi-select options;
        ``"mean"``: for numbers and percents), ``option`` (the option of a multi-select
        column, else None), ``unit``.

    Raises
    ------
    InputError
        A name that is not a question of the definition (listing the questions).

    Examples
    --------
    >>> analysis_columns("trends", ["region", "team_size", "headcount_cut"])[["column", "measure", "unit"]]
              column measure    unit
    0         region  levels
    1      team_size    mean  people
    2  headcount_cut   share
    """
    d = load_definition(definition)
    known = {c.name: c for c in d.questions}
    wanted = list(known) if not questions else list(questions)
    for name in wanted:
        if name not in known:
            raise InputError(f"not a question of survey {d.id}", value=name,
                             expected="one of " + ", ".join(known))
    rows = []
    for name in wanted:
        c = known[name]
        if c.type == "free_text" or name in exclude:
            continue
        if c.type == "multi_select":
            rows += [(name, f"{name}_{lv}", c.type, "share", lv, c.unit) for lv in c.vocabulary.levels]
        elif c.type in ("number", "percent"):
            rows.append((name, name, c.type, "mean", None, c.unit or ("percent" if c.type == "percent" else "")))
        elif c.type == "yes_no" or (c.type == "ordinal" and c.top_box):
            rows.append((name, name, c.type, "share", None, c.unit))
        else:
            rows.append((name, name, c.type, "levels", None, c.unit))
    return pd.DataFrame(rows, columns=["question", "column", "type", "measure", "option", "unit"])


def _column_of(d: SurveyDefinition, column: str):
    """(question, option) of a cleaned column; KeyError naming the analysable columns."""
    for c in d.questions:
        if column == c.name and c.type != "multi_select":
            return c, None
        if c.type == "multi_select" and column.startswith(f"{c.name}_") and column[len(c.name) + 1:] in c.vocabulary.levels:
            return c, column[len(c.name) + 1:]
    raise KeyError(f"column: {column!r} is not a question column of {d.id}")


def question_label(definition, column: str, lang: str | None = None) -> str:
    """Display label of a question column: its ``label`` in ``lang``, else in the first language, else its text.

    A multi-select option column reads ``"<question>: <option>"``.

    Examples
    --------
    >>> question_label("trends", "team_burnout", "es")
    'Agotamiento del equipo'
    >>> question_label({"id": "m", "title": "M", "languages": ["en"], "columns": {"r": {"role": "id"},
    ...                 "q": {"type": "yes_no", "text": "Was it solved?"}}}, "q")
    'Was it solved?'
    """
    d = load_definition(definition)
    lang = lang or d.languages[0]
    c, option = _column_of(d, column)
    text = c.label.get(lang) or c.label.get(d.languages[0]) or c.text or c.name
    return f"{text}: {c.vocabulary.label(option, lang)}" if option is not None else text


def _yes_no(lang: str) -> dict:
    probe = load_definition({"id": "probe", "title": "probe", "languages": ["en"],
                             "columns": {"r": {"role": "id"}, "q": {"type": "yes_no"}}})
    voc = probe.column("q").vocabulary
    use = lang if lang in voc.labels["yes"] else "en"
    return {True: voc.label("yes", use), False: voc.label("no", use)}


def answer_labels(definition, column: str, lang: str | None = None) -> dict:
    """Display labels of a question column's answers in the cleaned data: ``{answer: label}``.

    Levels of a categorical, ordinal or band question map to their labels; a yes/no
    question's True/False to its Yes/No; a top-box question's True/False to the labels of
    the levels each stands for; a multi-select option's True/False to Yes/No. A number has none.

    Examples
    --------
    >>> answer_labels("trends", "team_burnout")[True]
    'Agree / Strongly agree'
    >>> answer_labels("trends", "region", "ja")["europe"]
    'ヨーロッパ'
    """
    d = load_definition(definition)
    lang = lang or d.languages[0]
    c, option = _column_of(d, column)
    if c.vocabulary is None:
        return {}
    voc = c.vocabulary
    if option is not None:
        return _yes_no(lang)
    if c.type == "yes_no":
        return {True: voc.label("yes", lang), False: voc.label("no", lang)}
    if c.type == "ordinal" and c.top_box:
        top, rest = voc.levels[-c.top_box:], voc.levels[:-c.top_box]
        return {True: " / ".join(voc.label(lv, lang) for lv in top),
                False: " / ".join(voc.label(lv, lang) for lv in rest)}
    return {lv: voc.label(lv, lang) for lv in voc.levels}


# ------------------------------------------------------------------------------ the design
def analysis_design(data: pd.DataFrame, definition, *, weighted: bool = False,
                    margins: dict | None = None) -> tuple[pd.DataFrame, Design]:
    """The design the definition declares, with weighting on or off and optional raking.

    Strata, clusters and fpc always come from the definition (they describe how the sample
    was drawn). ``weighted`` uses its weight column; ``margins`` rakes the weights (from the
    design weights when ``weighted``, else from equal weights) to population margins, and
    the returned design says so, so that standard errors use the calibration residuals.

    Parameters
    ----------
    data : pandas.DataFrame
        Cleaned data of the survey.
    definition : str, Path, dict or SurveyDefinition
    weighted : bool, default False
    margins : dict, optional
        ``{column: {level: share or count}}`` as :func:`supportstats.rake`.

    Returns
    -------
    (pandas.DataFrame, Design)
        The data (with a ``raked_weight`` column when raked) and its design.

    Raises
    ------
    InputError
        ``weighted=True`` but the definition declares no weight column.

    Examples
    --------
    >>> df = pd.DataFrame({"region": ["north"] * 3 + ["south"]})
    >>> data, design = analysis_design(df, "trends", margins={"region": {"north": 0.5, "south": 0.5}})
    >>> design.se_method, data["raked_weight"].round(2).tolist()
    ('linearization, raking residuals', [0.67, 0.67, 0.67, 2.0])
    """
    d = load_definition(definition)
    cols = d.design()
    if weighted and cols["weight"] is None:
        raise InputError("weighted=True, but the survey definition declares no weight column", file=d.source or None,
                         expected="weighted=False, or a column with role: weight")
    weight = cols["weight"] if weighted else None
    common = {"strata": cols["strata"], "cluster": cols["cluster"], "fpc": cols["fpc"]}
    if not margins:
        return data, Design(weight=weight, **common)
    name = "raked_weight"
    while name in data.columns:
        name = "_" + name
    raked = rake(data, dict(margins), weight=weight)
    data = data.assign(**{name: raked.to_numpy()})
    return data, Design(weight=name, margins=dict(margins), base_weight=weight, **common)


# ------------------------------------------------------------------------------ estimates
def question_estimates(data: pd.DataFrame, definition, questions=None, *, design: Design | None = None,
                       level: float = 0.95, min_n: int = LOW_N) -> pd.DataFrame:
    """Every question's answers: the share of each answer (or the mean) with a design-based interval.

    Parameters
    ----------
    data : pandas.DataFrame
        Cleaned data (:func:`supportstats.clean_file`).
    definition : str, Path, dict or SurveyDefinition
    questions : list of str, optional
        Default: every question but free text.
    design : Design, optional
        Default: equal weights, no strata or clusters (see :func:`analysis_design`).
    level : float, default 0.95
    min_n : int, default 30

    Returns
    -------
    pandas.DataFrame
        One row per answer (``measure="share"``; ``answer`` is the level code, or True for
        a yes/no, top-box or multi-select column) or per number (``measure="mean"``,
        ``answer`` None), in the definition's order, with ``question``, ``column``,
        ``estimate``, ``se``, ``ci_low``, ``ci_high`` (Korn–Graubard for shares, t for
        means), ``level``, ``n`` (answers), ``n_eff``, ``deff``, ``df``, ``low_n``,
        ``method``. A question no one answered has no rows; ``.attrs["unanswered"]`` names it.

    Examples
    --------
    >>> d = {"id": "m", "title": "M", "languages": ["en"], "columns": {"r": {"role": "id"},
    ...      "region": {"type": "categorical", "levels": {"north": "North", "south": "South", "east": "East"}}}}
    >>> df = pd.DataFrame({"region": pd.Categorical(["north"] * 30 + ["east"] * 10,
    ...                                             categories=["north", "south", "east"])})
    >>> question_estimates(df, d)[["answer", "estimate", "ci_low", "ci_high", "n"]].round(3)
      answer  estimate  ci_low  ci_high   n
    0  north      0.75   0.586    0.874  40
    1  south      0.00   0.000    0.088  40
    2   east      0.25   0.126    0.414  40
    """
    d = load_definition(definition)
    design = design or Design()
    parts = []
    for row in analysis_columns(d, questions).itertuples(index=False):
        if row.column not in data.columns:
            raise KeyError(f"column {row.column!r} of survey {d.id} is not in data; is it the cleaned data?")
        if row.measure == "mean":
            r = weighted_mean(data, row.column, design=design, level=level, min_n=min_n).assign(answer=None)
        elif row.measure == "share":
            r = weighted_share(data, row.column, design=design, level=level, min_n=min_n).assign(answer=True)
        else:
            levels = d.column(row.question).vocabulary.levels
            r = pd.concat([weighted_share(data, row.column, value=lv, design=design, level=level, min_n=min_n)
                           .assign(answer=lv) for lv in levels], ignore_index=True)
        parts.append(r.assign(question=row.question, column=row.column,
                              measure="mean" if row.measure == "mean" else "share"))
    out = pd.concat(parts, ignore_index=True)[_ESTIMATE_COLUMNS]
    out["answer"] = out["answer"].astype(object).where(out["answer"].notna(), None)
    out.attrs["unanswered"] = [q for q in dict.fromkeys(analysis_columns(d, questions).question)
                               if q not in set(out.question)]
    return out


def _pct(x) -> str:
    return f"{100 * float(x):.1f}%"


def estimates_summary(estimates: pd.DataFrame, definition, lang: str | None = None) -> list[str]:
    """One sentence per question of :func:`question_estimates`: the most common answer, or the mean.

    Examples
    --------
    >>> df = pd.DataFrame({"team_size": [4.0, 6.0, 8.0, 10.0]})
    >>> estimates_summary(question_estimates(df, "trends", ["team_size"]), "trends")
    ['Support team size: mean 7.0 people (95% CI 2.9 to 11.1), n = 4 (fewer than 30 answers: read with care).']
    """
    d = load_definition(definition)
    lines = []
    for question, part in estimates.groupby("question", sort=False):
        first = part.iloc[0]
        label = question_label(d, first.column, lang)
        ci = f"{first.level:.0%} CI"
        care = f" (fewer than {LOW_N} answers: read with care)" if bool(part.low_n.any()) else ""
        if first.measure == "mean":
            unit = analysis_columns(d, [question]).unit.iloc[0]
            lines.append(f"{label}: mean {first.estimate:.1f}{' ' + unit if unit else ''} ({ci} "
                         f"{first.ci_low:.1f} to {first.ci_high:.1f}), n = {int(first.n):,}{care}.")
            continue
        top = part.loc[part.estimate.idxmax()]
        if part.column.nunique() > 1:      # a multi-select question: one column per option
            lead = f"{label}: most chosen {question_label(d, top.column, lang).split(': ', 1)[-1]}"
        else:
            name = answer_labels(d, top.column, lang).get(top.answer, str(top.answer))
            lead = f"{label}: {name}" if len(part) == 1 else f"{label}: most common answer {name}"
        lines.append(f"{lead}, {_pct(top.estimate)} ({ci} {_pct(top.ci_low)} to {_pct(top.ci_high)}), "
                     f"n = {int(top.n):,}{care}.")
    unanswered = estimates.attrs.get("unanswered") or []
    if unanswered:
        lines.append("No answers at all, so no estimate: "
                     + ", ".join(question_label(d, analysis_columns(d, [q]).column.iloc[0], lang) for q in unanswered) + ".")
    return lines


# ------------------------------------------------------------------------------ banners
def survey_banner(data: pd.DataFrame, definition, by: str, questions=None, *, design: Design | None = None,
                  lang: str | None = None, level: float = 0.95, adjust: str = "holm", alpha: float = 0.05,
                  min_n: int = LOW_N) -> pd.DataFrame:
    """:func:`supportstats.banner` of every question by one breakdown, labelled from the definition.

    Parameters
    ----------
    data : pandas.DataFrame
        Cleaned data.
    definition : str, Path, dict or SurveyDefinition
    by : str
        The breakdown: a question with answer levels (categorical, ordinal, band, yes/no,
        or a multi-select option column).
    questions : list of str, optional
        Default: every question but free text and the breakdown.
    design : Design, optional
    lang : str, optional
        Language of the labels (default: the definition's first).
    level, adjust, alpha, min_n
        As :func:`supportstats.banner`.

    Returns
    -------
    pandas.DataFrame
        The banner (tidy), as :func:`supportstats.banner` returns it; questions no one
        answered are left out and named in ``.attrs["banner"]["unanswered"]``.

    Raises
    ------
    InputError
        ``by`` is not a question with answer levels.

    Examples
    --------
    >>> df = pd.DataFrame({"headcount_cut": [True] * 40 + [False] * 40,
    ...                    "team_size": [10.0] * 40 + [20.0] * 40})
    >>> b = survey_banner(df, "trends", "headcount_cut", ["team_size", "headcount_cut"])
    >>> b[["question_label", "group_label", "estimate", "higher_than"]]
          question_label group_label  estimate higher_than
    0  Support team size       Total      15.0
    1  Support team size          No      20.0           B
    2  Support team size         Yes      10.0
    """
    d = load_definition(definition)
    lang = lang or d.languages[0]
    try:
        question, _ = _column_of(d, by)
    except KeyError:
        question = None
    if question is None or question.type in ("number", "percent", "free_text"):
        raise InputError(f"a breakdown needs answer levels; {by!r} is "
                         + (f"a {question.type} question" if question is not None else "not a question column"),
                         value=by, expected="a categorical, ordinal, band or yes/no question of " + d.id)
    cols = analysis_columns(d, questions, exclude=(question.name,) if question.type != "multi_select" else ())
    columns = [c for c in cols.column if c != by]
    unanswered = [c for c in columns if c in data.columns and not data[c].notna().any()]
    columns = [c for c in columns if c not in unanswered]
    if not columns:
        raise InputError("no question to tabulate: none has an answer", value=by,
                         expected="questions with at least one answer")
    labels = {c: question_label(d, c, lang) for c in [*columns, *unanswered, by]}
    value_labels = {c: answer_labels(d, c, lang) for c in [*columns, by]}
    out = banner(data, columns, by, design=design or Design(), level=level, adjust=adjust, alpha=alpha,
                 labels=labels, value_labels=value_labels, min_n=min_n)
    out.attrs["banner"]["unanswered"] = [labels[c] for c in unanswered]
    return out


def banner_summary(table: pd.DataFrame) -> str:
    """What a banner shows, in a sentence: how many rows differ between columns, and low bases.

    Examples
    --------
    >>> df = pd.DataFrame({"headcount_cut": [True] * 40 + [False] * 40,
    ...                    "team_size": [10.0] * 40 + [20.0] * 40})
    >>> banner_summary(survey_banner(df, "trends", "headcount_cut", ["team_size"]))
    'By Headcount cut (A No, B Yes): 1 of 1 rows differ significantly between at least two columns (design-based t test of each pair of columns, Holm within each row, α = 0.05). No column has a base below 30.'
    """
    info = table.attrs.get("banner", {})
    tested = table[table.letter != ""]
    letters = ", ".join(f"{r.letter} {r.group_label}" for r in
                        tested.drop_duplicates("letter").itertuples(index=False))
    rows = tested.groupby(["question", "level_label"], sort=False, dropna=False)["higher_than"].agg(
        lambda s: (s != "").any())
    adjust = {"bh": "Benjamini–Hochberg", "by": "Benjamini–Yekutieli"}.get(info.get("adjust"),
                                                                         str(info.get("adjust", "holm")).capitalize())
    text = (f"By {info.get('by_label', '')} ({letters}): {int(rows.sum())} of {len(rows)} rows differ significantly "
            f"between at least two columns (design-based t test of each pair of columns, {adjust} within each "
            f"row, α = {info.get('alpha', 0.05):g}).")
    low = tested[tested.n < info.get("min_n", LOW_N)].groupby("group_label", sort=False)["n"].min()
    if low.empty:
        text += f" No column has a base below {info.get('min_n', LOW_N)}."
    else:
        text += " Low bases (below {}; flagged *): ".format(info.get("min_n", LOW_N)) + ", ".join(
            f"{g} (n = {int(n)})" for g, n in low.items()) + "."
    if info.get("unanswered"):
        text += " Left out, no answers at all: " + ", ".join(info["unanswered"]) + "."
    return text


# ------------------------------------------------------------------------------ two waves
def compare_survey_waves(wave_a: pd.DataFrame, wave_b: pd.DataFrame, definition, questions=None, *,
                         design: Design | None = None, names=("a", "b"), level: float = 0.95,
                         min_n: int = LOW_N) -> pd.DataFrame:
    """Two waves of one definition compared question by question, with Holm and BH across every test.

    Each answer's share (and each mean) is compared with :func:`supportstats.compare_waves`
    (R ``svyttest`` on the two waves stacked as strata); the p-values of all rows are then
    adjusted together, as one family, with Holm and Benjamini–Hochberg. An answer that
    neither wave gave cannot be tested (``p_value`` NaN) and is not counted.

    Parameters
    ----------
    wave_a, wave_b : pandas.DataFrame
        Cleaned data of the two waves (the same definition).
    definition : str, Path, dict or SurveyDefinition
    questions : list of str, optional
    design : Design, optional
        The design of each wave (the same columns in both).
    names : (str, str)
        Names of the waves in ``group_a`` and ``group_b``.
    level : float, default 0.95
    min_n : int, default 30

    Returns
    -------
    pandas.DataFrame
        One row per answer (or mean): ``question``, ``column``, ``answer``, ``measure``,
        ``group_a``, ``group_b``, ``estimate_a``, ``estimate_b``, ``n_a``, ``n_b``, ``diff``
        (b − a), ``se``, ``ci_low``, ``ci_high`` (unadjusted), ``level``, ``statistic``
        (t), ``df``, ``p_value``, ``p_holm``, ``p_bh``, ``method``, ``low_n``. A question
        without answers in one of the waves is left out and named in ``.attrs["not_compared"]``.

    Examples
    --------
    >>> a = pd.DataFrame({"headcount_cut": [True] * 30 + [False] * 70, "team_size": [5.0, 7.0] * 50})
    >>> b = pd.DataFrame({"headcount_cut": [True] * 50 + [False] * 50, "team_size": [5.0, 8.0] * 50})
    >>> t = compare_survey_waves(a, b, "trends", ["team_size", "headcount_cut"], names=("2022", "2023"))
    >>> t[["column", "diff", "p_value", "p_holm", "p_bh"]].round(4)
              column  diff  p_value  p_holm    p_bh
    0      team_size   0.5   0.0063  0.0075  0.0063
    1  headcount_cut   0.2   0.0037  0.0075  0.0063
    """
    d = load_definition(definition)
    design = design or Design()
    parts, skipped = [], []
    for row in analysis_columns(d, questions).itertuples(index=False):
        for name, wave in (("wave_a", wave_a), ("wave_b", wave_b)):
            if row.column not in wave.columns:
                raise KeyError(f"column {row.column!r} of survey {d.id} is not in {name}")
        if not (wave_a[row.column].notna().any() and wave_b[row.column].notna().any()):
            skipped.append(row.question)
            continue
        kw = dict(design=design, labels=tuple(names), level=level, min_n=min_n)
        if row.measure == "levels":
            for lv in d.column(row.question).vocabulary.levels:
                with np.errstate(invalid="ignore", divide="ignore"):
                    parts.append(compare_waves(wave_a, wave_b, row.column, value=lv, **kw)
                                 .assign(answer=lv, question=row.question))
        else:
            parts.append(compare_waves(wave_a, wave_b, row.column, **kw)
                         .assign(answer=None if row.measure == "mean" else True, question=row.question))
    if not parts:
        raise InputError("no question has answers in both waves", value=", ".join(dict.fromkeys(skipped)),
                         expected="questions answered in both waves")
    out = pd.concat(parts, ignore_index=True).rename(columns={"variable": "column"})
    out["answer"] = out["answer"].astype(object).where(out["answer"].notna(), None)
    untestable = ~(out["se"] > 0)
    out.loc[untestable, ["statistic", "p_value"]] = np.nan
    out["p_holm"] = adjust_pvalues(out["p_value"], "holm")["p_adjusted"].to_numpy()
    out["p_bh"] = adjust_pvalues(out["p_value"], "bh")["p_adjusted"].to_numpy()
    out = out[["question", "column", "answer", "measure", "group_a", "group_b", "estimate_a", "estimate_b",
               "n_a", "n_b", "diff", "se", "ci_low", "ci_high", "level", "statistic", "df", "p_value",
               "p_holm", "p_bh", "method", "low_n"]]
    out.attrs["not_compared"] = list(dict.fromkeys(skipped))
    return out


def waves_summary(table: pd.DataFrame, definition, alpha: float = 0.05, lang: str | None = None) -> str:
    """What :func:`compare_survey_waves` shows, in sentences: significant differences after adjustment.

    Examples
    --------
    >>> a = pd.DataFrame({"headcount_cut": [True] * 30 + [False] * 70})
    >>> b = pd.DataFrame({"headcount_cut": [True] * 50 + [False] * 50})
    >>> print(waves_summary(compare_survey_waves(a, b, "trends", ["headcount_cut"], names=("2022", "2023")), "trends"))
    Of 1 tested difference (2023 minus 2022), 1 is significant after Holm adjustment and 1 after Benjamini–Hochberg (α = 0.05); unadjusted, 1 has p < 0.05, where chance alone would give about 0.1 of 1. Largest: Headcount cut (Yes) +20.0 percentage points (95% CI 6.6 to 33.4; p = 0.0038, Holm 0.0038).
    """
    d = load_definition(definition)
    tested = table[table.p_value.notna()]
    m = len(tested)
    a, b = (str(table.group_a.iloc[0]), str(table.group_b.iloc[0])) if len(table) else ("a", "b")
    skipped = table.attrs.get("not_compared") or []
    not_compared = ("" if not skipped else " Not compared, no answers in one wave: " + ", ".join(
        question_label(d, analysis_columns(d, [q]).column.iloc[0], lang) for q in skipped) + ".")
    if m == 0:
        return f"No difference between {a} and {b} could be tested." + not_compared
    holm, bh, raw = (int((tested[c] < alpha).sum()) for c in ("p_holm", "p_bh", "p_value"))

    def count(k, noun="difference"):
        return f"{k} {noun}" + ("" if k == 1 else "s")

    verb = "is" if holm == 1 else "are"
    text = (f"Of {count(m, 'tested difference')} ({b} minus {a}), {holm} {verb} significant after Holm adjustment "
            f"and {bh} after Benjamini–Hochberg (α = {alpha:g}); unadjusted, {raw} "
            f"{'has' if raw == 1 else 'have'} p < {alpha:g}, where chance alone would give about {m * alpha:.1f} of {m}.")
    top = tested.loc[tested.statistic.abs().idxmax()]
    label = question_label(d, top.column, lang)
    if top.measure == "share":
        answer = answer_labels(d, top.column, lang).get(top.answer, str(top.answer))
        label = f"{label} ({answer})"
        scale, unit = 100.0, " percentage points"
    else:
        scale, unit = 1.0, ""
    text += (f" Largest: {label} {scale * top['diff']:+.1f}{unit} ({top.level:.0%} CI {scale * top.ci_low:.1f} to "
             f"{scale * top.ci_high:.1f}; p = {top.p_value:.2g}, Holm {top.p_holm:.2g}).")
    return text + not_compared


def split_halves(data: pd.DataFrame, column: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two halves of one wave: rows ordered by ``column`` (as numbers when every value is one), alternately.

    For demonstrating a wave comparison on a single wave: with a respondent id as the
    column, the halves are the odd and the even ids, which differ only by chance.

    Raises
    ------
    KeyError
        ``column`` is not in data.
    InputError
        A missing value in ``column``.

    Examples
    --------
    >>> a, b = split_halves(pd.DataFrame({"id": ["1", "2", "10", "3"], "q": [1, 2, 3, 4]}), "id")
    >>> a.id.tolist(), b.id.tolist()
    (['1', '3'], ['2', '10'])
    """
    if column not in data.columns:
        raise KeyError(f"column {column!r} is not in data (columns: {', '.join(map(str, data.columns))})")
    values = data[column]
    if values.isna().any():
        raise InputError("a missing value in the column that splits the halves", column=column,
                         row=data.index[int(np.flatnonzero(values.isna().to_numpy())[0])], expected="a value on every row")
    numbers = pd.to_numeric(values.astype(str), errors="coerce")
    key = numbers if numbers.notna().all() else values.astype(str)
    order = np.argsort(key.to_numpy(), kind="stable")
    first = np.zeros(len(data), dtype=bool)
    first[order[0::2]] = True
    return data[first], data[~first]
