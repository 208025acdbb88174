"""Survey schemas: raw export columns, cleaned analysis columns, answer vocabularies.

This module is the single source of truth for what each survey asks. The data
dictionary in ``data/raw/README.md``, the pandera schemas that validate cleaned
data, the cleaning steps and the synthetic generator all read from ``FIELDS``.

A *field* is one question (or one metadata column) of a survey export. Its
``raw`` name is what a survey tool would export (question-coded, e.g.
``Q9_3_team_burnout``); its ``name`` is the cleaned analysis column fixed by the
team contract (``team_burnout``). ``kind`` says how the raw text is parsed:

``yesno``     a Yes/No question in any of the supported languages -> boolean
``likert``    a 5-point agreement item -> boolean, True for the top-2 box
              (Agree, Strongly agree); part of the survey's Likert grid
``choice``    a single choice from ``levels`` -> category
``size``      company size, free text allowed (``11 to 50 employees``) -> band
``percent``   a 0-100 score written ``89%``, ``89``, ``0.89`` or ``89,0`` -> float
``number``    a plain number (NPS, hours, team size) -> float / Int64
``meta``      export metadata used by cleaning, dropped from the cleaned data
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

import pandas as pd
import pandera.pandas as pa

__all__ = [
    "SURVEYS", "FIELDS", "Field", "LIKERT_LEVELS", "LIKERT_LABELS", "YESNO_LABELS",
    "SIZE_BANDS", "CHOICE_LABELS", "CLAIM_MEASURES", "CLAIM_OTHER_MEASURES", "fields", "raw_columns",
    "clean_columns", "likert_grid", "clean_schema", "data_dictionary", "normalize_label",
]

#: Survey name -> waves the project reconstructs.
SURVEYS: dict[str, tuple[int, ...]] = {"benchmark": (2021, 2022), "trends": (2021, 2022), "cs_ops": (2023,)}

ALL = ("benchmark", "trends", "cs_ops")

#: Company-size bands, 10 to 10,000+ employees as the benchmark article states.
SIZE_BANDS = ("10-49", "50-199", "200-999", "1000-9999", "10000+")

LIKERT_LEVELS = ("strongly_disagree", "disagree", "neutral", "agree", "strongly_agree")

#: Every accepted spelling of each Likert level (en, es, ja, zh, ko). Case,
#: surrounding/inner whitespace and full-width forms are folded by ``normalize_label``.
LIKERT_LABELS: dict[str, tuple[str, ...]] = {
    "strongly_disagree": ("Strongly disagree", "Totalmente en desacuerdo", "まったくそう思わない",
                          "非常不同意", "전혀 동의하지 않음"),
    "disagree": ("Disagree", "En desacuerdo", "そう思わない", "不同意", "동의하지 않음"),
    "neutral": ("Neither agree nor disagree", "Ni de acuerdo ni en desacuerdo", "どちらともいえない",
                "中立", "보통"),
    "agree": ("Agree", "De acuerdo", "そう思う", "同意", "동의"),
    "strongly_agree": ("Strongly agree", "Totalmente de acuerdo", "強くそう思う", "非常同意", "매우 동의"),
}

YESNO_LABELS: dict[bool, tuple[str, ...]] = {
    True: ("Yes", "Sí", "Si", "はい", "是", "예"),
    False: ("No", "いいえ", "否", "아니요"),
}

_INDUSTRY = {"software_internet": "Software / Internet", "ecommerce": "E-commerce",
             "finance": "Finance", "retail": "Retail", "consumer_services": "Consumer services",
             "education": "Education", "other": "Other"}
_REGION = {"north_america": "North America", "europe": "Europe", "asia_pacific": "Asia-Pacific",
           "latin_america": "Latin America", "middle_east_africa": "Middle East & Africa"}
_ROLE = {"vp_head": "VP / Head of Support", "director": "Director", "manager": "Manager",
         "team_lead": "Team lead"}
_PAIN = {"quality_at_scale": "Maintaining quality at scale", "repetitive_queries": "Reducing repetitive queries",
         "hiring_onboarding": "Hiring and onboarding", "disconnected_tools": "Disconnected tools",
         "measuring_impact": "Measuring impact"}
#: Choice fields: level code -> English export label.
CHOICE_LABELS: dict[str, dict[str, str]] = {"industry": _INDUSTRY, "region": _REGION, "role": _ROLE,
                                            "biggest_pain": _PAIN}


@dataclass(frozen=True)
class Field:
    """One column of a survey export and the analysis column it becomes."""

    name: str                 # cleaned analysis column ('' for metadata dropped after cleaning)
    raw: str                  # column name in the raw export
    kind: str                 # yesno, likert, choice, size, percent, number, integer, meta
    question: str             # the question (or metadata) it stands for
    surveys: tuple[str, ...] = ALL
    dtype: str = ""           # pandas dtype of the cleaned column
    levels: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    skip_if_false: str = ""   # asked only when this boolean field is True (display logic)
    required: bool = True     # raw column must exist in an export
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def allowed(self) -> str:
        """Allowed cleaned values, in words (for the data dictionary)."""
        if self.levels:
            return ", ".join(self.levels)
        if self.kind in ("yesno", "likert"):
            return "True, False, <NA>" + (" (True = Agree or Strongly agree)" if self.kind == "likert" else "")
        if self.name == "weight":
            return "a positive number"
        if self.low is not None:
            return f"{self.low:g} to {self.high:g}" + ("" if self.kind != "percent" else " (NaN if not tracked)")
        return ""

    @property
    def raw_format(self) -> str:
        """What the raw export may contain, in words (for the data dictionary)."""
        return {"id": "any text, unique per response",
                "yesno": "Yes/No in en, es, ja, zh or ko, any case or spacing; blank = not answered",
                "likert": "5-point agreement label in en, es, ja, zh or ko, any case or spacing",
                "choice": "the English label or the level code, any case or spacing",
                "size": "a band or free text: 10-49, 11 to 50 employees, 1,000-9,999, 10k+, More than 10,000",
                "percent": "89%, 89, 0.89 or 89,0; blank when not asked",
                "number": "a number; decimal point or comma, thousands as 1,000",
                "integer": "a whole number; thousands as 1,000",
                }.get(self.kind, {"submitted_at": "ISO 8601 text (not used)", "duration_sec": "a number of seconds",
                                  "progress": "0-100", "finished": "1/0 or true/false",
                                  "status": "IP Address, Survey Preview, Survey Test, ...",
                                  "email": "an address or blank"}.get(self.raw, ""))


def _f(*args, **kw) -> Field:
    return Field(*args, **kw)


B, T, C = ("benchmark",), ("trends",), ("cs_ops",)

FIELDS: tuple[Field, ...] = (
    # -- metadata every export carries ------------------------------------------------------
    _f("respondent_id", "respondent_id", "id", "Response id assigned by the survey tool", dtype="str"),
    _f("", "submitted_at", "meta", required=False, question="Submission time (ISO 8601, UTC)"),
    _f("", "duration_sec", "meta", required=False, question="Seconds from start to submission (speeders are fast)"),
    _f("", "progress", "meta", required=False, question="Percent of the questionnaire completed (partials < 100)"),
    _f("", "finished", "meta", required=False, question="1 if the respondent reached the end, else 0"),
    _f("", "status", "meta", required=False, question="Response type: 'IP Address' for real answers, 'Survey Preview'/'Survey Test' for tests"),
    _f("", "email", "meta", required=False, question="Contact e-mail (test responses use addresses like test@...)"),
    _f("weight", "weight", "number", "Survey weight (1.0 when the export has none)", dtype="float64",
       low=0.0, high=float("inf"), required=False),
    # -- firmographics (all surveys) ---------------------------------------------------------
    _f("industry", "Q1_industry", "choice", "Which industry is your company in?", dtype="category",
       levels=tuple(_INDUSTRY)),
    _f("company_size", "Q2_company_size", "size", "How many employees does your company have?",
       dtype="category", levels=SIZE_BANDS),
    _f("region", "Q3_region", "choice", "Where is your support team mainly based?", dtype="category",
       levels=tuple(_REGION)),
    _f("role", "Q4_role", "choice", "What is your role?", dtype="category", levels=tuple(_ROLE)),
    _f("team_size", "Q5_team_size", "integer", "How many people work on your support team?", dtype="Int64",
       low=1, high=100000),
    # -- benchmark: customer-service quality benchmark ----------------------------------------
    _f("tracks_csat", "Q6_tracks_csat", "yesno", "Does your team track customer satisfaction (CSAT)?", B,
       dtype="boolean"),
    _f("csat", "Q7_csat", "percent", "What was your team's average CSAT over the last 12 months (%)?", B,
       dtype="float64", low=0, high=100, skip_if_false="tracks_csat"),
    _f("tracks_iqs", "Q8_tracks_iqs", "yesno", "Does your team track an internal quality score (IQS)?", B,
       dtype="boolean"),
    _f("iqs", "Q9_iqs", "percent", "What was your team's average internal quality score (%)?", B,
       dtype="float64", low=0, high=100, skip_if_false="tracks_iqs"),
    _f("tracks_nps", "Q10_tracks_nps", "yesno", "Does your company track Net Promoter Score (NPS)?", B,
       dtype="boolean"),
    _f("nps", "Q11_nps", "number", "What is your current NPS (-100 to 100)?", B, dtype="float64",
       low=-100, high=100, skip_if_false="tracks_nps"),
    _f("frt_hours", "Q12_frt_hours", "number", "What is your average first response time, in hours?", B,
       dtype="float64", low=0, high=24 * 14),
    _f("biggest_pain", "Q13_biggest_pain", "choice", "What is the single biggest challenge for your support team?",
       B, dtype="category", levels=tuple(_PAIN)),
    _f("repetitive_top3", "Q14_repetitive_top3", "yesno",
       "Is reducing repetitive queries one of your team's top 3 challenges?", B, dtype="boolean"),
    _f("proactive_use", "Q15_proactive_use", "yesno", "Does your team use proactive support today?", B,
       dtype="boolean"),
    _f("proactive_invest_more", "Q16_1_proactive_invest_more", "likert",
       "Agree? We plan to invest more in proactive support in the coming year.", B, dtype="boolean"),
    _f("self_service_reduced_workload", "Q16_2_self_service_reduced_workload", "likert",
       "Agree? Investing in self-service options has reduced my team's workload.", B, dtype="boolean"),
    _f("leadership_values_support", "Q16_3_leadership_values_support", "likert",
       "Agree? Company leadership sees support as a value driver, not a cost centre.", B, dtype="boolean"),
    _f("qa_program_effective", "Q16_4_qa_program_effective", "likert",
       "Agree? Our quality-assurance process helps agents improve.", B, dtype="boolean"),
    # -- trends: customer-support trends survey ------------------------------------------------
    _f("volume_increased", "Q6_volume_increased", "yesno", "Has your inbound conversation volume increased in the past year?",
       T, dtype="boolean"),
    _f("headcount_cut", "Q7_headcount_cut", "yesno", "Has your support headcount been cut in the past year?", T,
       dtype="boolean"),
    _f("cut_hurt_cx", "Q8_cut_hurt_cx", "yesno", "(If cut) Has the headcount cut hurt your customer experience?", T,
       dtype="boolean", skip_if_false="headcount_cut"),
    _f("expectations_rising", "Q9_1_expectations_rising", "likert",
       "Agree? Customer expectations are higher than a year ago.", T, dtype="boolean"),
    _f("tools_slow_weekly", "Q9_2_tools_slow_weekly", "likert",
       "Agree? Disconnected tools slow my team down at least once a week.", T, dtype="boolean"),
    _f("team_burnout", "Q9_3_team_burnout", "likert", "Agree? My team is experiencing burnout.", T, dtype="boolean"),
    _f("leader_burnout", "Q9_4_leader_burnout", "likert", "Agree? I am personally experiencing burnout.", T,
       dtype="boolean"),
    _f("empathy_priority", "Q9_5_empathy_priority", "likert",
       "Agree? Empathetic support is a top priority for my team.", T, dtype="boolean"),
    _f("empathy_lack_tools", "Q9_6_empathy_lack_tools", "likert",
       "Agree? My team lacks the tools to deliver empathetic support.", T, dtype="boolean"),
    # -- cs_ops: customer-service operations research -------------------------------------------
    _f("uses_automation", "Q6_uses_automation", "yesno", "Does your support team use automation (bots, workflows)?",
       C, dtype="boolean"),
    _f("csat_improved", "Q7_csat_improved", "yesno", "Has your CSAT improved over the past year?", C,
       dtype="boolean"),
    _f("morale_decline", "Q8_1_morale_decline", "likert", "Agree? Team morale has declined over the past year.", C,
       dtype="boolean"),
    _f("morale_hurt_performance", "Q8_2_morale_hurt_performance", "likert",
       "Agree? Low morale has hurt my team's performance.", C, dtype="boolean"),
    _f("data_driven_decisions", "Q8_3_data_driven_decisions", "likert",
       "Agree? We use support data to make operational decisions.", C, dtype="boolean"),
    _f("budget_pressure", "Q8_4_budget_pressure", "likert", "Agree? We are asked to do more with the same budget.",
       C, dtype="boolean"),
)

_BY_SURVEY: dict[str, tuple[Field, ...]] = {s: tuple(f for f in FIELDS if s in f.surveys) for s in SURVEYS}


def _check_survey(survey: str) -> str:
    if survey not in SURVEYS:
        raise KeyError(f"survey: unknown survey {survey!r}; expected one of {', '.join(SURVEYS)}")
    return survey


def fields(survey: str) -> tuple[Field, ...]:
    """The fields of ``survey``, in export order.

    Examples
    --------
    >>> [f.name for f in fields("cs_ops") if f.kind == "likert"]
    ['morale_decline', 'morale_hurt_performance', 'data_driven_decisions', 'budget_pressure']
    """
    return _BY_SURVEY[_check_survey(survey)]


def raw_columns(survey: str, *, required_only: bool = False) -> list[str]:
    """Raw export column names of ``survey`` (the synthetic files carry all but ``weight``).

    Examples
    --------
    >>> raw_columns("trends")[:3]
    ['respondent_id', 'submitted_at', 'duration_sec']
    """
    return [f.raw for f in fields(survey) if f.required or not required_only]


def clean_columns(survey: str) -> list[str]:
    """Cleaned analysis columns of ``survey``, in order (``survey`` and ``wave`` after the id).

    Examples
    --------
    >>> clean_columns("cs_ops")[7:11]
    ['team_size', 'weight', 'uses_automation', 'csat_improved']
    """
    head = ["respondent_id", "survey", "wave", "industry", "company_size", "region", "role", "team_size", "weight"]
    return head + [f.name for f in fields(survey) if f.name and f.name not in head]


def likert_grid(survey: str) -> list[Field]:
    """The Likert grid (>= 4 agreement items) used to detect straight-lining.

    Examples
    --------
    >>> len(likert_grid("benchmark")) >= 4
    True
    """
    return [f for f in fields(survey) if f.kind == "likert"]


def normalize_label(text: str) -> str:
    """Fold a label for lookup: Unicode NFKC, trimmed, inner whitespace collapsed, casefolded.

    Examples
    --------
    >>> normalize_label("  Strongly   AGREE ")
    'strongly agree'
    >>> normalize_label("ＹＥＳ")
    'yes'
    """
    return " ".join(unicodedata.normalize("NFKC", str(text)).split()).casefold()


def _dtype(f: Field):
    if f.dtype == "category":
        return pd.CategoricalDtype(list(f.levels), ordered=f.kind == "size")
    return f.dtype


def clean_schema(survey: str) -> pa.DataFrameSchema:
    """The pandera schema that every cleaned ``survey`` table satisfies.

    Examples
    --------
    >>> sorted(clean_schema("trends").columns)[:3]
    ['company_size', 'cut_hurt_cx', 'empathy_lack_tools']
    """
    cols = {
        "survey": pa.Column("str", pa.Check.isin([survey])),
        "wave": pa.Column("int64", pa.Check.isin(list(SURVEYS[survey]))),
    }
    for f in fields(survey):
        if not f.name:
            continue
        checks = []
        if f.low is not None and f.kind != "integer":
            checks.append(pa.Check.in_range(f.low, f.high))
        if f.name == "weight":
            checks = [pa.Check.gt(0)]
        if f.kind == "integer":
            checks.append(pa.Check.ge(f.low))
        nullable = f.name not in ("respondent_id", "weight")
        cols[f.name] = pa.Column(_dtype(f), checks=checks, nullable=nullable, unique=f.name == "respondent_id")
    return pa.DataFrameSchema(cols, strict=True, ordered=False, name=f"{survey}_clean")


def data_dictionary(survey: str | None = None) -> pd.DataFrame:
    """Every raw and cleaned column: survey, raw name, whether required, raw format, cleaned name, kind,
    cleaned dtype, allowed cleaned values, and the question.

    Examples
    --------
    >>> d = data_dictionary("benchmark")
    >>> d.loc[d.clean_column == "csat", ["raw_column", "dtype"]].iloc[0].tolist()
    ['Q7_csat', 'float64']
    """
    rows = []
    for s in ([survey] if survey else list(SURVEYS)):
        for f in fields(s):
            rows.append({"survey": s, "raw_column": f.raw, "required": "yes" if f.required else "no",
                         "raw_format": f.raw_format, "clean_column": f.name or pd.NA, "kind": f.kind,
                         "dtype": f.dtype or "str (dropped after cleaning)", "allowed": f.allowed,
                         "question": f.question + (f" Asked only if {f.skip_if_false} is True." if f.skip_if_false else "")})
        for name, q in (("survey", "Survey name (constant)"), ("wave", "Survey wave (year)")):
            rows.append({"survey": s, "raw_column": pd.NA, "required": "", "raw_format": "", "clean_column": name,
                         "kind": "derived",
                         "dtype": "str" if name == "survey" else "int64",
                         "allowed": s if name == "survey" else ", ".join(map(str, SURVEYS[s])), "question": q})
    return pd.DataFrame(rows)


# -- which registered claims the microdata can recompute ------------------------------------------
_M = [
    # claim_id, column, statistic, level, domain, note
    ("benchmark_2021.csat_mean", "csat", "mean", None, "tracks_csat", "mean team CSAT among teams that track CSAT"),
    ("benchmark_2022.csat_mean", "csat", "mean", None, "tracks_csat", "mean team CSAT among teams that track CSAT"),
    ("benchmark_2022.iqs_tracking", "tracks_iqs", "share", None, None, "share of all teams tracking IQS"),
    ("benchmark_2021.iqs_mean", "iqs", "mean", None, "tracks_iqs", "mean IQS among teams that track IQS"),
    ("benchmark_2022.iqs_mean", "iqs", "mean", None, "tracks_iqs", "mean IQS among teams that track IQS"),
    ("benchmark_2021.nps_tracking", "tracks_nps", "share", None, None, "share of all teams tracking NPS"),
    ("benchmark_2022.nps_tracking", "tracks_nps", "share", None, None, "share of all teams tracking NPS"),
    ("benchmark_2021.nps_mean", "nps", "mean", None, "tracks_nps", "mean NPS among teams that track NPS"),
    ("benchmark_2022.nps_mean", "nps", "mean", None, "tracks_nps", "mean NPS among teams that track NPS"),
    ("benchmark_2022.quality_at_scale_pain", "biggest_pain", "share", "quality_at_scale", None,
     "share naming quality at scale as the single biggest challenge"),
    ("benchmark_2022.repetitive_queries_top3", "repetitive_top3", "share", None, None,
     "share with repetitive queries among their top 3 challenges"),
    ("benchmark_2021.proactive_use", "proactive_use", "share", None, None, "share using proactive support"),
    ("benchmark_2022.proactive_invest_more", "proactive_invest_more", "share", None, None,
     "share agreeing they will invest more in proactive support"),
    ("benchmark_2022.self_service_reduced_workload", "self_service_reduced_workload", "share", None, None,
     "share agreeing self-service reduced workload"),
    ("trends_2022.expectations_rising", "expectations_rising", "share", None, None, "share agreeing expectations rose"),
    ("trends_2022.volume_increased", "volume_increased", "share", None, None, "share whose volume increased"),
    ("trends_2022.headcount_cut", "headcount_cut", "share", None, None, "share whose headcount was cut"),
    ("trends_2022.cut_hurt_cx", "cut_hurt_cx", "share", None, "headcount_cut",
     "base unclear in the article; the reconstruction reads it as a share of those who cut headcount"),
    ("trends_2022.tools_slow_weekly", "tools_slow_weekly", "share", None, None, "share slowed by tools weekly"),
    ("trends_2022.team_burnout", "team_burnout", "share", None, None, "share reporting team burnout"),
    ("trends_2022.leader_burnout", "leader_burnout", "share", None, None, "share of leaders reporting own burnout"),
    ("trends_2022.empathy_priority", "empathy_priority", "share", None, None, "'about 73%' read as 73%"),
    ("trends_2022.empathy_lack_tools", "empathy_lack_tools", "share", None, None,
     "base unclear (all teams, or the 73% prioritising empathy); read as a share of all respondents"),
    ("cs_ops_2023.morale_decline", "morale_decline", "share", None, None, "share reporting declining morale"),
    ("cs_ops_2023.morale_hurt_performance", "morale_hurt_performance", "share", None, None,
     "base unclear (all leaders, or the 74% with declining morale); read as a share of all respondents"),
]


def _measures(rows, stat_cols=("column", "statistic", "level", "domain", "note")) -> pd.DataFrame:
    out = []
    for cid, *rest in rows:
        prefix = cid.split(".")[0]
        survey, wave = prefix.rsplit("_", 1)
        out.append({"claim_id": cid, "survey": survey, "wave": int(wave), **dict(zip(stat_cols, rest))})
    df = pd.DataFrame(out)
    for c in ("level", "domain"):
        df[c] = pd.array([v if v else pd.NA for v in df[c]], dtype="string")
    return df


#: Registered share/mean claims the cleaned microdata recomputes: share = mean of a boolean column
#: (or of ``column == level``) over rows where ``domain`` is True (all rows when NA); mean = mean of
#: ``column`` over the domain. Values live in the claims registry, never here.
CLAIM_MEASURES: pd.DataFrame = _measures(_M)

#: Registered claims that are neither a share nor a mean but that the reconstruction also honours:
#: ``max`` of a column, and ``risk_ratio`` = share(column | group) / share(column | not group).
CLAIM_OTHER_MEASURES: pd.DataFrame = _measures([
    ("benchmark_2022.frt_max_hours", "frt_hours", "max", None, None,
     "'some industries have FRTs longer than 24 hours': the largest frt_hours exceeds the value"),
    ("cs_ops_2023.automation_csat_likelihood", "csat_improved", "risk_ratio", None, "uses_automation",
     "automation users are N times as likely to report improved CSAT; domain is the grouping column"),
])
