"""Banner tables: every question down, a breakdown across, with design-based column tests.

A banner is what survey researchers read first (SPSS Custom Tables, Q): for each question
(a row per answer level, or a row for a mean) and each column of a breakdown, the weighted
share or mean with its interval, the column's unweighted and effective base, and letters
naming the columns it is significantly higher than. Here the letters come from design-based
pairwise t tests (:func:`supportstats.compare_groups` on every pair), adjusted within each
row. Everything is computed from one table of PSU totals per question, so a million
respondents by 20 questions takes about a second.
"""
from __future__ import annotations

import string
from collections.abc import Mapping

import numpy as np
import pandas as pd

from .comparisons import pairwise_t
from .design import Design, as_design, domains, factor, resolve
from .linearization import domain_df, moments
from .multiplicity import adjust_rows
from .estimate import (LOW_N, _check_choice, _check_level, _column, _label, _numeric, _t_ppf,
                       design_effects, korn_graubard)

__all__ = ["banner", "banner_table", "export_banner", "BANNER_NOTE"]

#: How the letters are made, written beside every exported banner.
BANNER_NOTE = ("Letters mark the columns this column is significantly higher than (two-sided "
               "design-based t test of each pair of columns, p adjusted with {adjust} within "
               "each row, alpha {alpha:g}). {flag} marks a column whose unweighted or effective "
               "base is below {min_n}. Intervals: {level:.0%} (Korn-Graubard for shares, t for "
               "means).")

_LETTERS = string.ascii_uppercase + string.ascii_lowercase


def _labelled(mapping, key, default):
    if mapping is None:
        return default
    value = mapping.get(key, default) if isinstance(mapping, Mapping) else default
    return default if value is None else value


def banner(data: pd.DataFrame, questions, by: str, *, design: Design | None = None,
           weight: str | None = None, strata: str | None = None, cluster: str | None = None,
           fpc: str | None = None, level: float = 0.95, adjust: str = "holm",
           alpha: float = 0.05, total: bool = True, categorical=(), labels=None,
           value_labels=None, min_n: int = LOW_N) -> pd.DataFrame:
    """Weighted banner table: questions by the columns of a breakdown, with column letters.

    Parameters
    ----------
    data : pandas.DataFrame
    questions : str or list of str
        Question columns. A yes/no (boolean), text or categorical column gives one row per
        answer level (the share choosing it); a numeric column one row (its mean), unless
        named in ``categorical``.
    by : str
        The breakdown column; each observed level is a column of the banner.
    design : Design, optional
        The survey design; or give ``weight``, ``strata``, ``cluster``, ``fpc``.
    weight, strata, cluster, fpc : str, optional
    level : float, default 0.95
        Level of the intervals.
    adjust : {"holm", "bh", "bonferroni", "by"}, default "holm"
        Adjustment of the pairwise p-values within each row.
    alpha : float, default 0.05
        A letter is given where the adjusted p-value is below ``alpha``.
    total : bool, default True
        Add a ``"Total"`` column (all respondents with a breakdown value; not tested).
    categorical : sequence of str
        Numeric columns to tabulate by level (e.g. a 1–5 scale) instead of as a mean.
    labels : dict, optional
        ``{column: label}`` for questions and the breakdown (e.g. from a survey definition).
    value_labels : dict, optional
        ``{column: {level: label}}`` for answer levels and breakdown levels.
    min_n : int, default 30
        Flag ``low_n`` when a column's unweighted or effective base is below it.

    Returns
    -------
    pandas.DataFrame
        Tidy: one row per question level (or mean) and column, in question order, with

        - ``question``, ``question_label`` : the column and its label
        - ``level``, ``level_label`` : the answer level (None for a mean) and its label
        - ``measure`` : ``"share"`` or ``"mean"``
        - ``group``, ``group_label``, ``letter`` : the banner column, its label and its
          letter (``""`` for Total)
        - ``estimate``, ``se``, ``ci_low``, ``ci_high`` : as :func:`weighted_share` (Korn–
          Graubard) and :func:`weighted_mean`
        - ``n`` : unweighted base (answers to the question in the column)
        - ``base_eff`` : effective base, Kish's ``(sum w)^2 / sum w^2`` of those answers
        - ``n_eff``, ``deff``, ``df`` : design effective n, design effect and df of the cell
        - ``higher_than`` : letters of the columns this one is significantly higher than
        - ``low_n`` : ``n`` or ``base_eff`` below ``min_n``

        ``.attrs["banner"]`` records ``adjust``, ``alpha``, ``level``, ``min_n``, the
        breakdown and its label, and the SE method.

    Raises
    ------
    KeyError
        A named column is missing.
    ValueError
        Fewer than two breakdown levels, bad weights or design, a bad adjust/alpha/level.

    See Also
    --------
    banner_table : the wide display form. export_banner : write it to Excel.

    Examples
    --------
    >>> df = pd.DataFrame({"resolved": ["Yes", "No"] * 30 + ["Yes"] * 20,
    ...                    "csat": [4.0, 2.0] * 30 + [5.0] * 20,
    ...                    "plan": ["free"] * 40 + ["pro"] * 40})
    >>> b = banner(df, ["resolved", "csat"], by="plan", total=False)
    >>> b[["question", "level", "group", "letter", "estimate", "n", "higher_than"]].round(3)
       question level group letter  estimate   n higher_than
    0  resolved    No  free      A      0.50  40           B
    1  resolved    No   pro      B      0.25  40
    2  resolved   Yes  free      A      0.50  40
    3  resolved   Yes   pro      B      0.75  40           A
    4      csat  None  free      A      3.00  40
    5      csat  None   pro      B      4.00  40           A
    """
    level = _check_level(level)
    _check_choice("adjust", adjust, ("holm", "bh", "bonferroni", "by"))
    if not 0 < float(alpha) < 1:
        raise ValueError(f"alpha must be strictly between 0 and 1; got alpha={alpha!r}")
    questions = [questions] if isinstance(questions, str) else list(questions)
    if not questions:
        raise ValueError("questions must name at least one column")
    if not isinstance(by, str):
        raise ValueError(f"by must be one column name; got by={by!r}")
    res = resolve(data, as_design(design, weight, strata, cluster, fpc))
    dom_all, keys = domains(data, by)
    groups = list(keys[by])
    if len(groups) < 2:
        raise ValueError(f"by={by!r} needs at least two levels; got {groups}")
    D = len(groups)
    letters = [_LETTERS[i] if i < len(_LETTERS) else f"#{i + 1}" for i in range(D)]
    pairs = np.array([(i, j) for i in range(D) for j in range(i + 1, D)], dtype=np.int64)
    group_labels = [str(_labelled(_labelled(value_labels, by, None), g, g)) for g in groups]
    parts = {k: [] for k in ("question", "question_label", "level", "level_label", "measure",
                             "group", "group_label", "letter", "higher_than")}
    cells = []
    ncol = D + (1 if total else 0)
    for q in questions:
        col = _column(data, q, "questions")
        numeric = (pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype)
                   and q not in categorical)
        if numeric:
            y = _numeric(col, q)
            present = ~np.isnan(y)
            levels, spec = [None], {"y": y}
        else:
            codes, lev = factor(col)
            present = codes >= 0
            levels, spec = list(lev), {"codes": np.maximum(codes, 0), "n_levels": len(lev)}
        dom = np.where(present, dom_all, -1)
        mom = moments(res, dom, D, cov=True, **spec)
        df = domain_df(res, dom, D, mom=mom)
        pair_df = domain_df(res, dom, D, pairs=pairs, mom=mom) - 1.0
        if total:
            tdom = np.where(present & (dom_all >= 0), 0, -1)
            tmom = moments(res, tdom, 1, **spec)
            tdf = domain_df(res, tdom, 1, mom=tmom)
        p_rows = np.array([pairwise_t(mom.estimate[:, j], mom.cov[j], pair_df, pairs, level)["p_value"]
                           for j in range(len(levels))])
        diffs = mom.estimate[pairs[:, 1]] - mom.estimate[pairs[:, 0]]          # (pairs, J)
        p_adj = adjust_rows(p_rows, adjust)                                    # (J, pairs)
        qlabel = _labelled(labels, q, q)
        qvalues = _labelled(value_labels, q, None)
        for j, lv in enumerate(levels):
            higher = [[] for _ in range(D)]
            for (a, b), pa, diff in zip(pairs, p_adj[j], diffs[:, j]):
                if pa < alpha:
                    winner, loser = (b, a) if diff > 0 else (a, b)
                    higher[winner].append(letters[loser])
            block = _cells(mom, res, j, df, level, numeric)
            if total:
                block = {k: np.concatenate([_cells(tmom, res, j, tdf, level, numeric)[k], v])
                         for k, v in block.items()}
            cells.append(block)
            parts["higher_than"] += ([""] if total else []) + ["".join(sorted(h)) for h in higher]
            parts["group"] += (["Total"] if total else []) + groups
            parts["group_label"] += (["Total"] if total else []) + group_labels
            parts["letter"] += ([""] if total else []) + letters
            parts["question"] += [q] * ncol
            parts["question_label"] += [qlabel] * ncol
            parts["level"] += [lv] * ncol
            parts["level_label"] += [None if lv is None else str(_labelled(qvalues, lv, lv))] * ncol
            parts["measure"] += ["mean" if numeric else "share"] * ncol
    numbers = {k: np.concatenate([c[k] for c in cells]) for k in cells[0]}
    # levels keep their own type (text, numbers, booleans) and None for a mean
    parts["level"] = pd.Series(parts["level"], dtype=object)
    parts["level_label"] = pd.Series(parts["level_label"], dtype=object)
    out = pd.DataFrame({**{k: parts[k] for k in ("question", "question_label", "level",
                                                  "level_label", "measure", "group",
                                                  "group_label", "letter")},
                        **numbers, "higher_than": parts["higher_than"]})
    out["n"] = out["n"].astype(np.int64)
    out["low_n"] = (out["n"] < min_n) | (out["base_eff"] < min_n)
    out.attrs["banner"] = {"by": by, "by_label": _labelled(labels, by, by), "adjust": adjust,
                           "alpha": float(alpha), "level": level, "min_n": min_n,
                           "se_method": _label("linearization", res)}
    return out


def _cells(mom, res, j, df, level, numeric) -> dict:
    est, var, n = mom.estimate[:, j], mom.var[:, j], mom.n
    se = np.sqrt(var)
    if numeric:
        tq = _t_ppf(1 - (1 - level) / 2, df)
        lo, up = est - tq * se, est + tq * se
    else:
        lo, up = korn_graubard(est, var, n, df, level)
    deff, n_eff = design_effects(mom, res, j)
    with np.errstate(invalid="ignore", divide="ignore"):
        base_eff = mom.sum_w ** 2 / mom.sum_w2
    return {"estimate": est, "se": se, "ci_low": lo, "ci_high": up, "n": n,
            "base_eff": base_eff, "n_eff": n_eff, "deff": deff, "df": np.asarray(df, dtype=float)}


def banner_table(table: pd.DataFrame, *, digits: int = 0, mean_digits: int = 1,
                 flag: str = "*") -> pd.DataFrame:
    """The wide display form of :func:`banner`: text cells, one column per banner column.

    Shares print as percentages, means with ``mean_digits`` decimals, each followed by the
    letters of the columns it is significantly higher than; cells of a low base end with
    ``flag``. Each question starts with its unweighted and effective base.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`banner`.
    digits : int, default 0
        Decimals of percentages.
    mean_digits : int, default 1
    flag : str, default "*"

    Returns
    -------
    pandas.DataFrame
        Index ``(question, row)``; columns ``"<label> (<letter>)"`` (Total first); text.

    Examples
    --------
    >>> df = pd.DataFrame({"resolved": ["Yes", "No"] * 30 + ["Yes"] * 20,
    ...                    "plan": ["free"] * 40 + ["pro"] * 40})
    >>> banner_table(banner(df, "resolved", by="plan"))
                                   Total free (A) pro (B)
    question row
    resolved Base (unweighted)        80       40      40
             Base (effective)         80       40      40
             No                      38%     50% B     25%
             Yes                     62%       50%   75% A
    """
    if "higher_than" not in table.columns:
        raise ValueError("table must be the output of supportstats.banner")
    headers = {}
    for g, lab, let in table[["group", "group_label", "letter"]].drop_duplicates(
            subset="group_label").itertuples(index=False):
        headers[lab] = lab if not let else f"{lab} ({let})"
    rows = {}
    for (_, qlabel), part in table.groupby(["question", "question_label"], sort=False):
        first = part.drop_duplicates("group_label").set_index("group_label")
        rows[(qlabel, "Base (unweighted)")] = {headers[g]: f"{int(r.n)}" for g, r in first.iterrows()}
        rows[(qlabel, "Base (effective)")] = {headers[g]: f"{r.base_eff:.0f}" for g, r in first.iterrows()}
        for lab, cells in part.groupby("level_label", sort=False, dropna=False):
            text = {}
            for r in cells.itertuples(index=False):
                if r.measure == "share":
                    v = f"{100 * r.estimate:.{digits}f}%"
                else:
                    v = f"{r.estimate:.{mean_digits}f}"
                if r.higher_than:
                    v += f" {r.higher_than}"
                if r.low_n:
                    v += flag
                text[headers[r.group_label]] = v
            rows[(qlabel, "Mean" if cells.measure.iloc[0] == "mean" else str(lab))] = text
    wide = pd.DataFrame.from_dict(rows, orient="index")[list(headers.values())]
    wide.index = pd.MultiIndex.from_tuples(wide.index, names=["question", "row"])
    return wide.fillna("")


def export_banner(table: pd.DataFrame, path, *, title: str | None = None,
                  source: str | None = None, digits: int = 0, mean_digits: int = 1) -> None:
    """Write a banner to Excel: the display table with the letters explained, and the data.

    Sheet ``banner`` holds the wide table under ``title`` with a note saying what the
    letters, the flag and the intervals mean; sheet ``data`` the tidy table, full
    precision. The file is written atomically (``supportstats.outputs.atomic_path``) and its
    bytes depend only on the inputs (fixed document and zip-entry dates).

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`banner`.
    path : str or pathlib.Path
        ``.xlsx`` file to write.
    title : str, optional
        First line of the banner sheet.
    source : str, optional
        A source line (survey, n, field dates) written under the note.
    digits, mean_digits : int
        As :func:`banner_table`.

    Examples
    --------
    >>> import tempfile, pathlib, openpyxl
    >>> df = pd.DataFrame({"resolved": ["Yes", "No"] * 30 + ["Yes"] * 20,
    ...                    "plan": ["free"] * 40 + ["pro"] * 40})
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "banner.xlsx"
    >>> export_banner(banner(df, "resolved", by="plan"), out, title="Resolved, by plan")
    >>> openpyxl.load_workbook(out).sheetnames
    ['banner', 'data']
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from .outputs import save_workbook   # the one guarded writer (a data-layer helper, used lazily)

    info = table.attrs.get("banner", {})
    wide = banner_table(table, digits=digits, mean_digits=mean_digits)
    note = BANNER_NOTE.format(adjust={"bh": "Benjamini-Hochberg", "by": "Benjamini-Yekutieli"}.get(
        info.get("adjust"), str(info.get("adjust", "holm")).capitalize()),
        alpha=info.get("alpha", 0.05), flag="*", min_n=info.get("min_n", LOW_N),
        level=info.get("level", 0.95))
    wb = Workbook()
    ws = wb.active
    ws.title = "banner"
    row = 1
    if title:
        ws.cell(row, 1, title).font = Font(bold=True, size=12)
        row += 1
    ws.cell(row, 1, f"Columns: {info.get('by_label', '')}; standard errors: "
                    f"{info.get('se_method', 'linearization')}")
    row += 2
    ws.cell(row, 1, "question").font = Font(bold=True)
    ws.cell(row, 2, "").font = Font(bold=True)
    for j, header in enumerate(wide.columns, start=3):
        c = ws.cell(row, j, header)
        c.font = Font(bold=True)
        c.alignment = Alignment(horizontal="right")
    last_q = None
    for (question, label), values in wide.iterrows():
        row += 1
        if question != last_q:
            ws.cell(row, 1, question).font = Font(bold=True)
            last_q = question
        ws.cell(row, 2, label)
        for j, v in enumerate(values, start=3):
            ws.cell(row, j, v).alignment = Alignment(horizontal="right")
    row += 2
    ws.cell(row, 1, note)
    if source:
        ws.cell(row + 1, 1, source)
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 22
    data = wb.create_sheet("data")
    tidy = table.astype(object).where(table.notna(), None)
    data.append(list(tidy.columns))
    for values in tidy.itertuples(index=False):
        data.append([v.item() if hasattr(v, "item") else v for v in values])
    save_workbook(wb, path)
