"""The notebooks for any survey (``10_explore_survey``, ``11_compare_waves``): load, audit, draw, export.

A researcher points the notebooks' parameters at an export and its survey definition; these
functions do the rest, so the notebooks stay a few calls long:

* :func:`load_survey` reads and cleans the export with the audit (``n_raw = n_clean +
  n_excluded``) and says whether the data are the synthetic reconstruction;
* :func:`audit_tables` turns the audit into tables;
* :func:`figure_languages` chooses the figure languages: the definition's own, where the
  figure catalogs have them (never the five languages of the findings notebooks by default);
* :func:`draw_question_figures` draws one figure per question, each answer's share (or the
  mean) with its interval, labelled from the definition, through
  :func:`supportstats.draw_figure` (PNG, SVG, CSV and alt text per language);
* :func:`draw_waves_figure` draws the differences between two waves with their intervals;
* :func:`export_banners` writes one Excel banner per breakdown, the letters explained.

Nothing here writes ``findings.csv``: these notebooks describe the survey given, not the
vendor reports.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .banner import export_banner
from .definition import builtin_surveys, load_definition
from .design import Design
from .errors import InputError
from .figures import check_titles, draw_figure
from .messages import LANGUAGES, msg, tr
from .survey_tables import analysis_columns, answer_labels, question_label

__all__ = ["load_survey", "TwoWaves", "load_two_waves", "design_summary", "survey_overview", "audit_tables", "figure_languages",
           "question_figure_names", "draw_question_figures", "draw_waves_figure", "export_banners",
           "design_message", "explore_summary", "waves_verdict"]

#: Said by every summary: what these notebooks are, and are not.
SCOPE = ("These sentences describe the respondents in {files} and nothing else: they are not findings about "
         "the vendor reports, and this notebook writes nothing to `data/processed/findings/` (so `99_findings` "
         "is unaffected).")


def _resolve(path) -> Path:
    from .notebook import resolve

    return resolve(path)


def load_survey(export, survey_file, wave, column_map: str = ""):
    """Read and clean one export under a survey definition, with the audit.

    Parameters
    ----------
    export : str or Path
        The raw export (CSV, xlsx, SPSS, Stata, Qualtrics/SurveyMonkey), relative to the
        project root or absolute.
    survey_file : str, Path or SurveyDefinition
        The survey definition: a YAML file (relative to the project root or absolute), a
        built-in survey's name, or a loaded definition.
    wave : int
        The wave (a year).
    column_map : str
        A column map (YAML) for the export, ``""`` for none.

    Returns
    -------
    (CleanResult, SurveyDefinition, str)
        The cleaning result (``.data``, ``.exclusions``, ``.report``), the definition, and
        ``"synthetic reconstruction"`` or ``"real export"`` read from the data.

    Examples
    --------
    >>> result, d, source = load_survey("data/raw/anes96/anes96.sav", "data/raw/anes96/anes96.yml", 1996)
    >>> d.id, result.n_raw, result.n_clean, source
    ('anes96', 944, 944, 'real export')
    """
    from .clean import clean_file
    from .provenance import data_source

    if isinstance(survey_file, (str, Path)):
        text = str(survey_file)
        definition = load_definition(text if text in builtin_surveys() else _resolve(text))
    else:
        definition = load_definition(survey_file)
    result = clean_file(_resolve(export), survey=definition, wave=wave,
                        column_map=_resolve(column_map) if column_map else None)
    return result, definition, data_source(result)


@dataclass
class TwoWaves:
    """Two waves of one survey definition, ready to compare (:func:`load_two_waves`).

    Attributes
    ----------
    a, b : DataFrame
        Cleaned data of each wave.
    results : list of CleanResult
        The cleaning run(s) behind them, with their audits (one when the waves are halves).
    definition : SurveyDefinition
    source : str
        ``"synthetic reconstruction"`` or ``"real export"``.
    labels : (str, str)
        Group names in the comparison table.
    names : (str or Msg, str or Msg)
        Display names in figures.
    demo_column : str or None
        Set when the "waves" are two halves of one wave (a demonstration).
    files : (str, str)
    """

    a: pd.DataFrame
    b: pd.DataFrame
    results: list
    definition: object
    source: str
    labels: tuple
    names: tuple
    demo_column: str | None
    files: tuple


def load_two_waves(export_a, export_b, survey_file, wave_a, wave_b, *, column_map: str = "",
                   split_column: str = "") -> TwoWaves:
    """Clean two exports of one definition, or split one export in two halves as a demonstration.

    With ``export_b`` empty, the cleaned ``export_a`` is split by :func:`supportstats.split_halves`
    on ``split_column`` (alternate values): two halves of one wave, which differ only by
    chance, labelled as a demonstration everywhere they appear.

    Raises
    ------
    InputError
        ``export_b`` empty without a ``split_column``.

    Examples
    --------
    >>> w = load_two_waves("data/raw/anes96/anes96.sav", "", "data/raw/anes96/anes96.yml", 1996, 1996,
    ...                    split_column="caseid")
    >>> len(w.a), len(w.b), w.labels, w.demo_column
    (472, 472, ('half 1', 'half 2'), 'caseid')
    """
    from .provenance import data_source
    from .survey_tables import split_halves

    result_a, definition, _ = load_survey(export_a, survey_file, wave_a, column_map)
    if not export_b:
        if not split_column:
            raise InputError("export_b is empty and no split_column is given", value=export_b,
                             expected="a second export, or split_column to split export_a in halves")
        a, b = split_halves(result_a.data, split_column)
        return TwoWaves(a, b, [result_a], definition, data_source(result_a), ("half 1", "half 2"),
                        (msg("survey.half", k=1), msg("survey.half", k=2)), split_column,
                        (str(export_a), str(export_a)))
    result_b, _, _ = load_survey(export_b, definition, wave_b, column_map)
    labels = (str(wave_a), str(wave_b)) if int(wave_a) != int(wave_b) else (f"{wave_a} a", f"{wave_b} b")
    return TwoWaves(result_a.data, result_b.data, [result_a, result_b], definition,
                    data_source([result_a, result_b]), labels, labels, None, (str(export_a), str(export_b)))


def design_summary(data: pd.DataFrame, design: Design) -> str:
    """One sentence on how the estimates treat the sample.

    Examples
    --------
    >>> from supportstats.design import Design
    >>> design_summary(pd.DataFrame({"q": [1, 2, 3]}), Design())
    'Unweighted, no strata or clusters: every interval treats the 3 respondents as a simple random sample.'
    """
    parts = []
    if design.weight is None:
        parts.append("Unweighted")
    elif design.calibration:
        parts.append(f"Weights raked to the margins of {', '.join(design.margin_columns)}"
                     + (f" from the design weights {design.base_weight!r}" if design.base_weight else
                        " from equal weights"))
    else:
        parts.append(f"Weighted by {design.weight!r}")
    if design.strata is None and design.cluster is None:
        if design.weight is None:
            return (f"Unweighted, no strata or clusters: every interval treats the {len(data):,} respondents "
                    "as a simple random sample.")
        parts.append("no strata or clusters")
    if design.strata is not None:
        parts.append(f"{data[design.strata].nunique()} strata ({design.strata!r})")
    if design.cluster is not None:
        parts.append(f"{data[design.cluster].nunique()} clusters ({design.cluster!r})")
    return (", ".join(parts) + f"; standard errors by {design.se_method}, intervals with the design's "
            f"degrees of freedom ({len(data):,} respondents).")


def survey_overview(result, definition, source: str, data: pd.DataFrame, design, *, markdown: bool = True) -> str:
    """Which survey, wave and file, real or synthetic, and how it is weighted: Markdown, or one plain line.

    Examples
    --------
    >>> from supportstats.design import Design
    >>> result, d, source = load_survey("data/raw/anes96/anes96.sav", "data/raw/anes96/anes96.yml", 1996)
    >>> print(survey_overview(result, d, source, result.data, Design()).splitlines()[0])
    **American National Election Study 1996** (`anes96`), wave 1996, from `anes96.sav`: 944 raw rows, 944 respondents after cleaning; a real export (no row carries the synthetic mark).
    >>> survey_overview(result, d, source, result.data, Design(), markdown=False)[:60]
    'American National Election Study 1996 (anes96), wave 1996, f'
    """
    d = load_definition(definition)
    kind = ("the SYNTHETIC RECONSTRUCTION: a pipeline demonstration, not evidence" if source == "synthetic reconstruction"
            else "a real export (no row carries the synthetic mark)")
    text = (f"**{d.title}** (`{d.id}`), wave {result.wave}, from `{Path(str(result.source)).name}`: "
            f"{result.n_raw:,} raw rows, {result.n_clean:,} respondents after cleaning; {kind}.\n\n"
            f"{design_summary(data, design)}")
    return text if markdown else text.replace("**", "").replace("`", "").replace("\n\n", " ")


def audit_tables(result) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The audit of a cleaning run: row accounting (one row) and exclusions by step and reason.

    Examples
    --------
    >>> from supportstats.clean import load_wave
    >>> accounting, reasons = audit_tables(load_wave("cs_ops", 2023))
    >>> accounting[["n_raw", "n_clean", "n_excluded", "adds_up"]].to_dict("records")
    [{'n_raw': 1130, 'n_clean': 1000, 'n_excluded': 130, 'adds_up': True}]
    >>> reasons.columns.tolist()
    ['step', 'reason', 'rows']
    """
    accounting = pd.DataFrame([{"survey": result.survey, "wave": result.wave, "n_raw": result.n_raw,
                                "n_clean": result.n_clean, "n_excluded": result.n_excluded,
                                "adds_up": result.n_raw == result.n_clean + result.n_excluded}])
    reasons = (result.exclusions.groupby(["step", "reason"], sort=False).size().rename("rows").reset_index()
               if result.n_excluded else pd.DataFrame({"step": [], "reason": [], "rows": []}).astype(
                   {"step": "str", "reason": "str", "rows": "int64"}))
    return accounting, reasons


def figure_languages(definition, lang="all") -> tuple[tuple[str, ...], str]:
    """The languages to draw a survey's figures in, and a note on any that cannot be drawn.

    ``"all"`` means every language the definition declares that the figure catalogs have
    (``supportstats/locales``); a code means that language, if the definition declares it.
    A language without labels or catalog is named in the note, never drawn half-translated.

    Examples
    --------
    >>> figure_languages("trends")
    (('en', 'ja', 'zh_Hant', 'es', 'ko'), '')
    >>> figure_languages("data/raw/anes96/anes96.yml", "ja")
    ((), 'No figures in ja: the survey definition labels its answers in en only.')
    """
    d = load_definition(_resolve(definition) if str(definition).endswith((".yml", ".yaml")) else definition)
    wanted = list(d.languages) if lang in ("all", None) else [lang]
    drawn = tuple(code for code in wanted if code in LANGUAGES and code in d.languages)
    notes = []
    no_labels = [code for code in wanted if code not in d.languages]
    no_catalog = [code for code in wanted if code in d.languages and code not in LANGUAGES]
    if no_labels:
        notes.append(f"No figures in {', '.join(no_labels)}: the survey definition labels its answers in "
                     f"{', '.join(d.languages)} only.")
    if no_catalog:
        notes.append(f"No figures in {', '.join(no_catalog)}: the figure texts exist in {', '.join(LANGUAGES)} "
                     "(supportstats/locales).")
    return drawn, " ".join(notes)


def question_figure_names(definition, questions=None, prefix: str = "10") -> list[str]:
    """File stems of the per-question figures: ``<prefix>_<survey id>_<question>``.

    Examples
    --------
    >>> question_figure_names("trends", ["region", "team_size"])
    ['10_trends_region', '10_trends_team_size']
    """
    d = load_definition(definition)
    return [f"{prefix}_{d.id}_{q}" for q in dict.fromkeys(analysis_columns(d, questions).question)]


def design_message(design):
    """The figure subtitle's words for a design (a :class:`~supportstats.messages.Msg`).

    Examples
    --------
    >>> from supportstats.design import Design
    >>> design_message(Design()).render("es")
    'sin ponderar; intervalos como en un muestreo aleatorio simple'
    """
    if design.calibration:
        return msg("survey.design_raked")
    if design.weight is None and design.strata is None and design.cluster is None:
        return msg("survey.design_srs")
    return msg("survey.design_weighted")


def _with_unit(text: str, unit: str, lang: str, d) -> str:
    """``text (unit)``: units are written in the definition's first language, and never twice."""
    if not unit or lang != d.languages[0] or unit.casefold() in text.casefold():
        return text
    return f"{text} ({unit})"


def _by_lang(langs, fn) -> dict:
    return {code: fn(code) for code in langs}


def _figure_kwargs(lang, titles, fig_width, fig_height, dpi, folder):
    return dict(lang=list(lang), titles=titles, fig_width=fig_width or None, fig_height=fig_height or None,
                dpi=dpi or None, folder=folder)


def draw_question_figures(estimates: pd.DataFrame, definition, *, wave: int, source_file, design,
                          lang=("en",), synthetic: bool = False, prefix: str = "10", titles=None,
                          fig_width=None, fig_height=None, dpi=None, folder=None) -> list:
    """One figure per question of :func:`supportstats.question_estimates`, in each language asked for.

    Each figure shows every answer's share (or the mean) with its interval; the title states
    the most common answer (or the mean), labels come from the definition.

    Parameters
    ----------
    estimates : pandas.DataFrame
        Output of :func:`supportstats.question_estimates`.
    definition : SurveyDefinition or anything :func:`supportstats.load_definition` takes
    wave : int
    source_file : str or Path
        The export, named in the footer.
    design : Design
        Named in the subtitle.
    lang : sequence of str
        Languages to draw (see :func:`figure_languages`); the first is shown.
    synthetic : bool
        The data are the synthetic reconstruction (footer warning).
    prefix : str
        Figure names are ``<prefix>_<survey id>_<question>``.
    titles, fig_width, fig_height, dpi, folder
        As :func:`supportstats.draw_figure` (0 for a size or dpi means the default).

    Returns
    -------
    list of FigureOutput

    Examples
    --------
    >>> import tempfile
    >>> from supportstats.design import Design
    >>> from supportstats.survey_tables import question_estimates
    >>> df = pd.DataFrame({"headcount_cut": [True] * 30 + [False] * 10})
    >>> est = question_estimates(df, "trends", ["headcount_cut"])
    >>> [f] = draw_question_figures(est, "trends", wave=2024, source_file="mine.csv", design=Design(),
    ...                             lang=["en", "es"], folder=tempfile.mkdtemp())
    >>> f.alt
    'Headcount cut: 75%. Yes: 75% (59% to 87%).'
    >>> sorted(f.files)
    ['en', 'es']
    """
    d = load_definition(definition)
    if not lang:
        return []
    langs = tuple(lang)
    names = question_figure_names(d, list(dict.fromkeys(estimates.question)), prefix)
    titles = check_titles(titles, names)
    subtitle = msg("survey.subtitle", survey=d.title, wave=int(wave), design=design_message(design))
    source = msg("survey.source", survey=d.title, file=Path(str(source_file)).name)
    out = []
    for name, (question, part) in zip(names, estimates.groupby("question", sort=False)):
        part = part.reset_index(drop=True)
        first = part.iloc[0]
        qlabel = _by_lang(langs, lambda code: question_label(d, first.column, code))
        if first.measure == "mean":
            codes = [first.column]
            labels = {first.column: qlabel}
            unit = analysis_columns(d, [question]).unit.iloc[0]
            axis = {code: _with_unit(qlabel[code], unit, code, d) for code in langs}
            title = msg("survey.title_mean", question=qlabel, value=float(first.estimate))
            xlabel, scale = msg("survey.axis_mean", question=axis), None
        else:
            codes = [f"{r.column}={r.answer}" for r in part.itertuples(index=False)]
            labels = {}
            for code, r in zip(codes, part.itertuples(index=False)):
                if part.column.nunique() > 1:      # multi-select: a row per option
                    labels[code] = _by_lang(langs, lambda c: question_label(d, r.column, c).split(": ", 1)[-1])
                else:
                    labels[code] = _by_lang(langs, lambda c: answer_labels(d, r.column, c).get(r.answer, str(r.answer)))
            top = int(part.estimate.idxmax())
            if len(part) == 1:
                title = msg("survey.title_share", question=qlabel, share=float(first.estimate))
            else:
                title = msg("survey.title_levels", question=qlabel, answer=labels[codes[top]],
                            share=float(part.estimate.iloc[top]))
            xlabel, scale = msg("axis.share_of_respondents"), "share"
        data = part.assign(label=codes)[["label", "estimate", "ci_low", "ci_high", "n", "level"]]
        out.append(draw_figure(name, "estimates", data, title=title, subtitle=subtitle, source=source,
                               reading="synthetic" if synthetic else "estimate", synthetic=synthetic,
                               labels=labels, xlabel=xlabel, scale=scale,
                               **_figure_kwargs(langs, titles, fig_width, fig_height, dpi, folder)))
    return out


def draw_waves_figure(comparison: pd.DataFrame, definition, *, name: str, source_file, names=None,
                      demo_column: str | None = None, alpha: float = 0.05, lang=("en",), synthetic: bool = False, titles=None,
                      fig_width=None, fig_height=None, dpi=None, folder=None):
    """The differences of :func:`supportstats.compare_survey_waves` with their intervals, in one figure.

    Shares (percentage points) and each mean (in its own unit) are drawn in separate
    panels. The title counts the differences significant after Holm adjustment; the
    intervals are not adjusted (the subtitle says so). Rows that could not be tested (an
    answer neither wave gave) are left out. With ``demo_column`` the footer says the two
    "waves" are halves of one wave, a demonstration.

    Parameters
    ----------
    comparison : pandas.DataFrame
        Output of :func:`supportstats.compare_survey_waves`.
    definition : SurveyDefinition or anything :func:`supportstats.load_definition` takes
    name : str
        The figure's file stem.
    source_file : str or Path
        Named in the footer.
    names : (str or Msg, str or Msg), optional
        Display names of the two waves (default: ``group_a`` and ``group_b``).
    demo_column : str, optional
        The column the halves were split by, for a demonstration on one wave.
    alpha : float, default 0.05
        A difference is significant where its Holm-adjusted p-value is below ``alpha``.
    lang, synthetic, titles, fig_width, fig_height, dpi, folder
        As :func:`draw_question_figures`.

    Returns
    -------
    FigureOutput, or None when ``lang`` is empty

    Examples
    --------
    >>> import tempfile
    >>> from supportstats.survey_tables import compare_survey_waves
    >>> a = pd.DataFrame({"headcount_cut": [True] * 30 + [False] * 70, "team_size": [5.0, 7.0] * 50})
    >>> b = pd.DataFrame({"headcount_cut": [True] * 50 + [False] * 50, "team_size": [5.0, 8.0] * 50})
    >>> t = compare_survey_waves(a, b, "trends", ["team_size", "headcount_cut"], names=("2022", "2023"))
    >>> f = draw_waves_figure(t, "trends", name="11_demo", source_file="mine.csv", folder=tempfile.mkdtemp())
    >>> f.alt.split(". ")[0]
    '2 of 2 differences between 2022 and 2023 significant after Holm adjustment'
    """
    d = load_definition(definition)
    if not lang:
        return None
    langs = tuple(lang)
    titles = check_titles(titles, [name])
    tested = comparison[comparison.p_value.notna()]
    tested = pd.concat([tested[tested.measure == "share"], tested[tested.measure != "share"]], ignore_index=True)
    if tested.empty:
        raise InputError("no difference between the two waves could be tested", value=name,
                         expected="questions answered in both waves")
    a, b = names if names is not None else (str(tested.group_a.iloc[0]), str(tested.group_b.iloc[0]))
    codes, labels, panels, xlabel, scale = [], {}, [], {}, {}
    labels["share"] = _by_lang(langs, lambda c: tr("survey.panel_shares", c))
    xlabel["share"], scale["share"] = msg("survey.axis_diff_pp", a=a, b=b), "share"
    for r in tested.itertuples(index=False):
        code = f"{r.column}={r.answer}"
        codes.append(code)
        qlabel = _by_lang(langs, lambda c: question_label(d, r.column, c))
        if r.measure == "mean":
            panels.append(r.column)
            labels[code] = qlabel
            unit = analysis_columns(d, [r.question]).unit.iloc[0]
            labels[r.column] = {c: _with_unit(qlabel[c], unit, c, d) for c in langs}
            xlabel[r.column], scale[r.column] = msg("survey.axis_diff_mean", a=a, b=b), None
        else:
            panels.append("share")
            labels[code] = (qlabel if r.answer is True else
                            {c: f"{qlabel[c]}: {answer_labels(d, r.column, c).get(r.answer, r.answer)}" for c in langs})
    significant = int((tested.p_holm < alpha).sum())
    title = msg("survey.title_waves", significant=significant, total=len(tested), a=a, b=b)
    subtitle = msg("survey.subtitle_waves", survey=d.title, a=a, b=b)
    file = Path(str(source_file)).name
    source = (msg("survey.source_demo", survey=d.title, file=file, column=demo_column) if demo_column
              else msg("survey.source", survey=d.title, file=file))
    data = tested.assign(label=codes, panel=panels)[["label", "panel", "diff", "ci_low", "ci_high", "level"]]
    data = data.rename(columns={"diff": "estimate"})
    return draw_figure(name, "forest", data, title=title, subtitle=subtitle, source=source, synthetic=synthetic,
                       panel="panel", labels=labels, xlabel=xlabel, scale=scale,
                       **_figure_kwargs(langs, titles, fig_width, fig_height, dpi, folder))


def export_banners(banners: dict, definition, folder, *, prefix: str = "10", source: str | None = None) -> list[Path]:
    """Write each banner of ``{breakdown: banner}`` to ``<folder>/<prefix>_<survey id>_banner_<breakdown>.xlsx``.

    Each workbook holds the display table with the letters explained and the tidy data
    (:func:`supportstats.export_banner`); the bytes repeat from run to run.

    Examples
    --------
    >>> import tempfile
    >>> from supportstats.survey_tables import survey_banner
    >>> df = pd.DataFrame({"headcount_cut": [True] * 40 + [False] * 40, "team_size": [10.0] * 40 + [20.0] * 40})
    >>> [p.name for p in export_banners({"headcount_cut": survey_banner(df, "trends", "headcount_cut", ["team_size"])},
    ...                                 "trends", tempfile.mkdtemp())]
    ['10_trends_banner_headcount_cut.xlsx']
    """
    d = load_definition(definition)
    out = []
    for by, table in banners.items():
        path = Path(folder) / f"{prefix}_{d.id}_banner_{by}.xlsx"
        by_label = table.attrs.get("banner", {}).get("by_label", by)
        export_banner(table, path, title=f"{d.title}: every question by {by_label}", source=source)
        out.append(path)
    return out


def explore_summary(estimates: pd.DataFrame, banners: dict, definition, source_file, lang: str | None = None) -> str:
    """The closing Markdown of ``10_explore_survey``: each question's estimate, each banner, the scope.

    Examples
    --------
    >>> from supportstats.survey_tables import question_estimates
    >>> df = pd.DataFrame({"team_size": [4.0, 6.0, 8.0, 10.0]})
    >>> print(explore_summary(question_estimates(df, "trends", ["team_size"]), {}, "trends", "mine.csv"))
    - Support team size: mean 7.0 people (95% CI 2.9 to 11.1), n = 4 (fewer than 30 answers: read with care).
    <BLANKLINE>
    These sentences describe the respondents in `mine.csv` and nothing else: they are not findings about the vendor reports, and this notebook writes nothing to `data/processed/findings/` (so `99_findings` is unaffected).
    """
    from .survey_tables import banner_summary, estimates_summary

    lines = [f"- {s}" for s in estimates_summary(estimates, definition, lang)]
    lines += [f"- {banner_summary(table)}" for table in banners.values()]
    return "\n".join(lines) + "\n\n" + SCOPE.format(files=f"`{Path(str(source_file)).name}`")


def waves_verdict(comparison: pd.DataFrame, waves: TwoWaves, alpha: float = 0.05, lang: str | None = None) -> str:
    """The closing Markdown of ``11_compare_waves``: the tests after adjustment, and what they can show.

    Examples
    --------
    >>> from supportstats.survey_tables import compare_survey_waves
    >>> w = load_two_waves("data/raw/anes96/anes96.sav", "", "data/raw/anes96/anes96.yml", 1996, 1996,
    ...                    split_column="caseid")
    >>> t = compare_survey_waves(w.a, w.b, w.definition, ["vote"], names=w.labels)
    >>> print(waves_verdict(t, w).splitlines()[0][:72])
    **DEMONSTRATION, not two waves**: the two groups are halves of one wave
    """
    from .survey_tables import waves_summary

    text = waves_summary(comparison, waves.definition, alpha, lang)
    head = ""
    if waves.demo_column:
        head = (f"**DEMONSTRATION, not two waves**: the two groups are halves of one wave (alternate "
                f"`{waves.demo_column}`), which differ only by chance: a significant difference would be a false "
                "positive, and the adjusted tests are expected to find none.\n\n")
    files = ", ".join(f"`{f}`" for f in dict.fromkeys(Path(f).name for f in waves.files))
    return head + text + "\n\n" + SCOPE.format(files=files)
