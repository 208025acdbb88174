"""Column maps: loading and checking them, applying them, and reading a user's export through one."""
import json
import re
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

from supportstats.column_maps import apply_column_map, load_column_map, read_survey
from supportstats.definition import load_definition
from supportstats.errors import InputError
from supportstats.io import read_table
from test_io import QUALTRICS, _frame

MAP_YAML = """\
survey: trends
columns:
  ResponseId: respondent_id
  Q9_3: Q9_3_team_burnout
  Flag: flag
values:
  Q9_3_team_burnout: {1: Strongly disagree, 4: Agree, 5: Strongly agree}
  flag: {yes: "true", no: "false", 01: first}
constants:
  wave: 2022
"""


def test_column_map_from_yaml_keeps_codes_as_written(tmp_path):
    m = tmp_path / "map.yml"
    m.write_text(MAP_YAML)
    cmap = load_column_map(m)
    assert cmap["values"]["flag"] == {"yes": "true", "no": "false", "01": "first"}
    export = pd.DataFrame({"ResponseId": ["R_1", "R_2", "R_3"], "Q9_3": ["4", "5.0", "9"],
                           "Flag": ["yes", "no", "01"], "Other": ["x", "y", "z"]})
    out = apply_column_map(export, cmap, source="export.csv")
    assert _frame(out).to_dict("list") == {
        "respondent_id": ["R_1", "R_2", "R_3"],
        "Q9_3_team_burnout": ["Agree", "Strongly agree", "9"],  # unknown code left for cleaning
        "flag": ["true", "false", "first"], "wave": ["2022"] * 3}
    assert out.attrs["survey"] == "trends"
    kept = apply_column_map(export, {**cmap, "keep_unmapped": True})
    assert kept.columns.tolist()[-2:] == ["Other", "wave"]


def test_column_map_naming_absent_columns_names_map_column_and_what_exists(tmp_path):
    m = tmp_path / "map.yml"
    m.write_text("columns:\n  ResponseID: respondent_id\n  Q99: Q9_3_team_burnout\n")
    export = pd.DataFrame({f"c{i}": ["1"] for i in range(30)} | {"ResponseId": ["R_1"]})
    with pytest.raises(InputError) as err:
        apply_column_map(export, m, source="export.csv")
    msg = str(err.value)
    assert msg.startswith(str(m)) and "column 'ResponseID'" in msg and "export.csv" in msg
    assert "c0, c1" in msg and "(+19 more)" in msg and "\n" not in msg


@pytest.mark.parametrize("bad, fragment", [
    ({"survey": "benchmarks", "columns": {}}, "unknown survey"),
    ({"columns": {"a": "x", "b": "x"}}, "both 'a' and 'b' map onto 'x'"),
    ({"columns": {"a": "x"}, "valeus": {}}, "unknown key(s) valeus"),
    ({"columns": {"a": "x"}, "values": {"y": {1: "Yes"}}}, "column 'y'"),
    ({"columns": {"a": "wave"}, "constants": {"wave": 2022}}, "both a constant"),
    ({"columns": ["a", "b"]}, "'columns' must be a mapping"),
])
def test_bad_column_maps(bad, fragment):
    with pytest.raises(InputError) as err:
        load_column_map(bad)
    assert fragment in str(err.value)


def test_map_read_options_reach_the_reader(tmp_path, capsys):
    from supportstats.cli import main
    p = tmp_path / "trends_2022_sjis.csv"
    raw = pd.read_csv(Path(__file__).parent / "data" / "exports" / "trends_2022_valid.csv", dtype=str,
                      keep_default_na=False)
    raw["Q9_1_expectations_rising"] = "強くそう思う"
    raw = raw.replace({"동의": "同意"})  # Korean has no place in a Japanese code page
    p.write_bytes(raw.to_csv(index=False).encode("cp932"))
    with pytest.raises(InputError, match="Shift-JIS"):  # 0x81 and friends are not cp1252
        read_table(p)
    m = tmp_path / "map.yml"
    m.write_text("survey: trends\nkeep_unmapped: true\nread: {encoding: cp932, header_rows: 1}\n")
    assert load_column_map(m)["read"] == {"encoding": "cp932", "header_rows": 1}
    df = read_survey(p, m)
    assert df.attrs["encoding"] == "cp932" and set(df["Q9_1_expectations_rising"]) == {"強くそう思う"}
    assert main(["clean", str(p), "--map", str(m), "--out", str(tmp_path / "out")]) == 0
    assert "n_raw = n_clean + n_excluded: 4 = 4 + 0" in capsys.readouterr().out
    with pytest.raises(InputError, match="unknown read option"):
        load_column_map({"read": {"delimiter": ";"}})
    with pytest.raises(InputError, match="must be 1, 2 or 3"):
        load_column_map({"read": {"header_rows": 4}})


def test_bad_map_files(tmp_path):
    with pytest.raises(InputError, match="column map not found"):
        load_column_map(tmp_path / "nope.yml")
    bad = tmp_path / "bad.yml"
    bad.write_text("columns:\n  a: x\n b: [\n")
    with pytest.raises(InputError, match=r"bad.yml: row \d+: .*not valid YAML"):
        load_column_map(bad)
    (tmp_path / "list.yml").write_text("- a\n- b\n")
    with pytest.raises(InputError, match="not a mapping"):
        load_column_map(tmp_path / "list.yml")


def test_read_survey_reads_and_maps(tmp_path):
    p = tmp_path / "qualtrics.csv"
    p.write_text(QUALTRICS)
    df = read_survey(p, {"survey": "trends", "columns": {"ResponseId": "respondent_id",
                                                         "Q9_3": "Q9_3_team_burnout"},
                         "values": {"Q9_3_team_burnout": {4: "Agree", 5: "Strongly agree"}}})
    assert _frame(df).to_dict("list") == {"respondent_id": ["R_1", "R_2"],
                                          "Q9_3_team_burnout": ["Agree", "Strongly agree"]}
    assert df.attrs["header_rows"] == 3 and df.attrs["source"] == str(p)
    assert read_survey(p).attrs["survey"] is None


# ----------------------------------------------------------------------------------------------
# A user's export in every format, renamed and coded its own way, cleans to the same data as the
# synthetic CSV it was made from. The exports are built here from a small generated wave.

EXAMPLE_MAP = Path(__file__).resolve().parents[1] / "examples" / "column_map_example.yml"
STATUS_CODE = {"IP Address": "0", "Survey Preview": "1", "Survey Test": "2", "": ""}


@pytest.fixture(scope="module")
def wave():
    from supportstats.synth_waves import generate_wave
    return generate_wave("trends", 2022, n=100, seed=5)


@pytest.fixture(scope="module")
def reference(wave, tmp_path_factory):
    from supportstats.clean import clean_survey
    p = tmp_path_factory.mktemp("ref") / "synthetic_trends_2022.csv"
    p.write_text(wave.raw.to_csv(index=False), encoding="utf-8-sig")
    return clean_survey(read_table(p), "trends")


def _coded(raw, *, spanish_yesno=False):
    """The raw export as a tool with numeric answer codes writes it, under the example map's names."""
    from supportstats import schema
    fold = schema.normalize_label
    likert = {fold(lab): str(i + 1) for i, lv in enumerate(schema.LIKERT_LEVELS)
              for lab in schema.LIKERT_LABELS[lv]}
    yesno = {fold(lab): ("Sí" if spanish_yesno and b else "No" if spanish_yesno else "1" if b else "2")
             for b, labs in schema.YESNO_LABELS.items() for lab in labs}
    out = raw.copy()
    for f in load_definition("trends").columns:
        table = likert if f.type == "ordinal" else yesno if f.type == "yes_no" else None
        if table is not None:
            out[f.raw] = [table[fold(v)] if isinstance(v, str) and v.strip() else "" for v in raw[f.raw]]
    out["status"] = out["status"].map(STATUS_CODE)
    out["finished"] = out["finished"].map({"1": "True", "0": "False", "": ""})
    theirs = {ours: t for t, ours in load_column_map(EXAMPLE_MAP)["columns"].items()}
    return out.rename(columns=theirs)


def _spss_name(name):
    return re.sub(r"\W", "_", name)


def _labelled(raw, path, kind):
    """SPSS/Stata: answer codes stored as numbers with value labels, as statistical packages keep them."""
    from supportstats import schema
    coded = _coded(raw).rename(columns=_spss_name)
    ours = {_spss_name(t): o for t, o in load_column_map(EXAMPLE_MAP)["columns"].items()}
    field_kind = {f.raw: {"ordinal": "likert", "yes_no": "yesno"}.get(f.kind, f.kind)
                  for f in load_definition("trends").columns}
    labels, frame = {}, {}
    for col in coded.columns:
        values = coded[col]
        if field_kind.get(ours.get(col, col)) == "likert":
            labels[col] = {i + 1: lab[0] for i, lab in enumerate(schema.LIKERT_LABELS.values())}
        elif field_kind.get(ours.get(col, col)) == "yesno":
            labels[col] = {1: "Yes", 2: "No"}
        if col in labels or col in ("Duration__in_seconds_", "Progress", "QID5_TEXT"):
            frame[col] = pd.to_numeric(values.replace("", None)).astype(float)
        else:
            frame[col] = values.tolist()
    write = pyreadstat.write_sav if kind == "sav" else pyreadstat.write_dta
    write(pd.DataFrame(frame), str(path), variable_value_labels=labels)
    cmap = load_column_map(EXAMPLE_MAP)
    cmap["columns"] = {_spss_name(k): v for k, v in cmap["columns"].items()}
    return cmap


def _surveymonkey(raw, path):
    """Two header rows: question text over 'Response'; metadata columns have a blank second row."""
    from supportstats import schema
    question = {f.raw: f.text for f in load_definition("trends").questions}
    top = [("Respondent ID" if c == "respondent_id" else question.get(c, c)) for c in raw.columns]
    sub = ["Response" if c in question else "" for c in raw.columns]
    grid = pd.DataFrame([top, sub] + raw.to_numpy().tolist())
    grid.to_csv(path, header=False, index=False, encoding="utf-8")
    return {"survey": "trends", "columns": dict(zip(top, raw.columns)), "constants": {"wave": 2022}}


def _qualtrics(raw, path):
    from supportstats import schema
    coded = _coded(raw)
    question = {f.raw: f.text for f in load_definition("trends").columns}
    ours = {t: o for t, o in load_column_map(EXAMPLE_MAP)["columns"].items()}
    rows = [list(coded.columns), [question.get(ours.get(c, c), c) for c in coded.columns],
            [json.dumps({"ImportId": c}) for c in coded.columns]] + coded.to_numpy().tolist()
    pd.DataFrame(rows).to_csv(path, header=False, index=False, encoding="utf-8-sig")
    return EXAMPLE_MAP


def _export(fmt, raw, folder):
    path = folder / {"xlsx": "export.xlsx", "sav": "export.sav", "dta": "export.dta"}.get(fmt, f"{fmt}.csv")
    if fmt == "utf16_semicolon":
        path.write_text(_coded(raw).to_csv(index=False, sep=";"), encoding="utf-16")
    elif fmt == "cp1252":
        path.write_bytes(_coded(raw, spanish_yesno=True).to_csv(index=False).encode("cp1252"))
    elif fmt == "xlsx":
        _coded(raw).to_excel(path, index=False, sheet_name="Responses")
    elif fmt in ("sav", "dta"):
        return path, _labelled(raw, path, fmt)
    elif fmt == "qualtrics":
        return path, _qualtrics(raw, path)
    elif fmt == "surveymonkey":
        return path, _surveymonkey(raw, path)
    return path, EXAMPLE_MAP


FORMATS = {"utf16_semicolon": ("utf-16", ";", 1), "cp1252": ("cp1252", ",", 1), "xlsx": (None, None, 1),
           "sav": (None, None, 1), "dta": (None, None, 1), "qualtrics": ("utf-8-sig", ",", 3),
           "surveymonkey": ("utf-8", ",", 2)}


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_user_export_in_every_format_cleans_like_the_synthetic_csv(fmt, wave, reference, tmp_path):
    from supportstats.clean import clean_survey
    path, cmap = _export(fmt, wave.raw, tmp_path)
    df = read_survey(path, cmap)
    encoding, sep, header_rows = FORMATS[fmt]
    assert (df.attrs["encoding"], df.attrs["sep"], df.attrs["header_rows"]) == (encoding, sep, header_rows)
    assert df.attrs["survey"] == "trends"
    result = clean_survey(df, df.attrs["survey"], wave=2022)
    pd.testing.assert_frame_equal(result.data, reference.data)
    assert result.report["n_excluded"].tolist() == reference.report["n_excluded"].tolist()
    shift = header_rows - 1  # exclusions point at the same respondents, on the export's own lines
    assert result.exclusions["row"].tolist() == [r + shift for r in reference.exclusions["row"]]


def test_example_map_through_the_command_line(wave, reference, tmp_path, capsys):
    from supportstats.cli import main
    path, cmap = _export("qualtrics", wave.raw, tmp_path)
    out = tmp_path / "out"
    assert main(["clean", str(path), "--map", str(cmap), "--out", str(out)]) == 0
    assert "trends 2022" in capsys.readouterr().out
    cleaned = pd.read_parquet(out / "qualtrics_clean.parquet")
    pd.testing.assert_frame_equal(cleaned, reference.data, check_dtype=False, check_categorical=False)


def test_committed_example_export_runs_with_the_example_map(tmp_path, capsys):
    """examples/: the SYNTHETIC Qualtrics export and its map, as docs/column_maps.md shows them."""
    from supportstats.cli import main
    export = EXAMPLE_MAP.parent / "synthetic_qualtrics_trends_2022.csv"
    assert main(["clean", str(export), "--map", str(EXAMPLE_MAP), "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    n_raw, n_clean, n_excluded = map(int, re.search(
        r"n_raw = n_clean \+ n_excluded: (\d+) = (\d+) \+ (\d+)", printed).groups())
    assert n_raw == len(read_table(export)) == n_clean + n_excluded and n_clean > 0
