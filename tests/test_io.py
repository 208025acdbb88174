"""Readers: every format and encoding gives the same all-text table; bad files fail in one line."""
import codecs
import io
import json
import re
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

from supportstats.definition import load_definition
from supportstats.errors import InputError
from supportstats.io import (apply_column_map, atomic_path, load_column_map, read_survey,
                             read_table)

ROWS = [["respondent_id", "Q7_csat", "Q1_industry", "note"],
        ["r001", "89,0", "E-commerce", ""],
        ["r002", "", "Café & Co", "says \"hi\"; ok, fine"],
        ["007", "0.89", "Retail", "強くそう思う\nsecond line"]]
# blank cells are missing values (None here), not empty strings
EXPECTED = pd.DataFrame([[c if c.strip() else None for c in r] for r in ROWS[1:]], columns=ROWS[0])
HERE = Path(__file__).resolve().parent


def _csv_text(sep, rows=ROWS):
    def cell(c):
        return f'"{c.replace(chr(34), chr(34) * 2)}"' if any(x in c for x in ',;\t|"\n') else c
    return "".join(sep.join(cell(c) for c in r) + "\r\n" for r in rows)


def _frame(df):
    return pd.DataFrame({c: [None if pd.isna(v) else v for v in df[c].tolist()] for c in df.columns})


def _list(col):
    return [None if pd.isna(v) else v for v in col.tolist()]


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le-bom", "utf-16-be-bom"])
def test_csv_encodings_and_delimiters_read_identically(tmp_path, sep, encoding):
    text = _csv_text(sep)
    if encoding == "utf-16-le-bom":
        data = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    elif encoding == "utf-16-be-bom":
        data = codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    else:
        data = text.encode(encoding)
    p = tmp_path / "export.csv"
    p.write_bytes(data)
    df = read_table(p)
    pd.testing.assert_frame_equal(_frame(df), EXPECTED)
    assert df.attrs["sep"] == sep
    assert all(df[c].dtype == "str" for c in df.columns)


def test_cp1252_is_the_fallback_when_utf8_fails(tmp_path):
    rows = [r[:3] for r in ROWS[:3]]  # cp1252 has no CJK
    p = tmp_path / "legacy.csv"
    p.write_bytes(_csv_text(";", rows).encode("cp1252"))
    df = read_table(p)
    assert df.attrs["encoding"] == "cp1252"
    assert df["Q1_industry"].tolist() == ["E-commerce", "Café & Co"]


def test_explicit_encoding_and_sep_override_detection(tmp_path):
    p = tmp_path / "sjis.csv"
    p.write_bytes("id,answer\n1,強くそう思う\n".encode("shift_jis"))
    assert read_table(p, encoding="shift_jis")["answer"].tolist() == ["強くそう思う"]
    q = tmp_path / "one.csv"
    q.write_text("a;b\n1;2\n")
    assert read_table(q, sep=",").columns.tolist() == ["a;b"]


def test_single_column_and_blank_rows_are_kept(tmp_path):
    p = tmp_path / "ids.csv"
    p.write_text("respondent_id\nr1\nr2\n")
    assert read_table(p)["respondent_id"].tolist() == ["r1", "r2"]
    q = tmp_path / "blank.csv"
    q.write_text("a,b\n1,2\n,\n3,4\n")
    assert _list(read_table(q)["a"]) == ["1", None, "3"]  # kept: cleaning counts blank rows itself


def test_empty_lines_become_blank_rows_so_row_numbers_stay_file_lines(tmp_path):
    p = tmp_path / "gaps.csv"
    p.write_text('a,b\n1,2\n\n3,"x\n\ny"\n\n\n')
    df = read_table(p)
    assert _list(df["a"]) == ["1", None, "3"] and _list(df["b"]) == ["2", None, "x\n\ny"]
    q = tmp_path / "gaps_ragged.csv"
    q.write_text("a,b\n1,2\n\n3,4,5\n")
    _raises(q, "row 4: ", "line 4 has 3 fields")


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 7, 64])
def test_streamed_checks_hold_across_chunk_boundaries(tmp_path, monkeypatch, chunk):
    import supportstats.io as sio
    monkeypatch.setattr(sio, "_CHUNK", chunk)
    p = tmp_path / "x.csv"
    p.write_text("id,answer\r\n1,強くそう思う\r\n2,매우 동의\r\n", encoding="utf-8")
    assert sio._plain_utf8(p)
    assert read_table(p)["answer"].tolist() == ["強くそう思う", "매우 동의"]
    p.write_text("id,answer\r\n1,強く\r\n\r\n2,x\r\n", encoding="utf-8")
    assert not sio._plain_utf8(p)
    assert _list(read_table(p)["answer"]) == ["強く", None, "x"]
    p.write_bytes("id,answer\n1,Café\n".encode("cp1252"))
    assert not sio._plain_utf8(p) and read_table(p).attrs["encoding"] == "cp1252"


def _raises(path, *fragments, **kw):
    with pytest.raises(InputError) as err:
        read_table(path, **kw)
    msg = str(err.value)
    assert "\n" not in msg and str(path) in msg
    for f in fragments:
        assert f in msg, msg
    return msg


def test_bad_files_fail_in_one_line_naming_the_file(tmp_path):
    _raises(tmp_path / "absent.csv", "not found")
    (tmp_path / "empty.csv").write_bytes(b"")
    _raises(tmp_path / "empty.csv", "empty")
    (tmp_path / "bom_only.csv").write_bytes(codecs.BOM_UTF8 + b"\r\n")
    _raises(tmp_path / "bom_only.csv", "empty")
    (tmp_path / "header.csv").write_text("a,b\n")
    _raises(tmp_path / "header.csv", "no data rows")
    (tmp_path / "img.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    _raises(tmp_path / "img.csv", "PNG")
    (tmp_path / "data.json").write_text('[{"a": 1}]')
    _raises(tmp_path / "data.json", "JSON")
    (tmp_path / "bad.csv").write_bytes(b"a,b\n1,2\n3,\x81\xfe\n")
    _raises(tmp_path / "bad.csv", "cannot decode", "line 3", "expected UTF-8, UTF-16 or cp1252")
    (tmp_path / "u16.csv").write_bytes("a,b\n1,2\n".encode("utf-16-le"))  # no BOM
    _raises(tmp_path / "u16.csv", "NUL", "byte-order mark")
    (tmp_path / "dup.csv").write_text("a,b,a\n1,2,3\n")
    _raises(tmp_path / "dup.csv", "column 'a'", "duplicate")
    (tmp_path / "noname.csv").write_text("a,,b\n1,,2\n3,x,4\n")
    _raises(tmp_path / "noname.csv", "row 3", "no name")
    (tmp_path / "dir.csv").mkdir()
    _raises(tmp_path / "dir.csv", "folder")
    (tmp_path / "fake.xlsx").write_text("a,b\n1,2\n")
    _raises(tmp_path / "fake.xlsx", "not a valid .xlsx")
    (tmp_path / "fake.sav").write_text("a,b\n1,2\n")
    _raises(tmp_path / "fake.sav", "SPSS")
    (tmp_path / "fake.dta").write_bytes(b"\x00\x01garbage")
    _raises(tmp_path / "fake.dta", "Stata")
    with pytest.raises(ValueError, match="header_rows"):
        read_table(tmp_path / "header.csv", header_rows=4)


@pytest.mark.parametrize("body, line, n", [
    ("a,b,c\n1,2,3\n4,5\n6,7,8\n", 3, 2),
    ("a,b,c\n1,2,3\n4,5,6\n\"x\ny\",7,8,9\n", 5, 4),  # a quoted newline does not shift the count
])
def test_ragged_rows_name_the_line(tmp_path, body, line, n):
    p = tmp_path / "ragged.csv"
    p.write_text(body)
    _raises(p, f"row {line}: ", f"line {line} has {n} fields", "header has 3")


QUALTRICS = (
    'StartDate,ResponseId,Q7,Q9_3\n'
    '"Start Date","Response ID","What was your team\'s average CSAT, in %?","Agree? My team is experiencing burnout."\n'
    '{"ImportId":"startDate"},{"ImportId":"_recordId"},{"ImportId":"QID7_TEXT"},{"ImportId":"QID9_3"}\n'
    "2022-05-01,R_1,89,4\n2022-05-02,R_2,,5\n")
SURVEYMONKEY = (
    "Respondent ID,Collector ID,What was your CSAT?,Which channels do you support?,,\n"
    ",,Response,Email,Chat,Other (please specify)\n"
    "1001,55,89,Email,,\n1002,55,78,,Chat,Phone\n")


def test_qualtrics_three_header_rows(tmp_path):
    p = tmp_path / "qualtrics.csv"
    p.write_text(QUALTRICS, encoding="utf-8-sig")
    df = read_table(p)
    assert df.attrs["header_rows"] == 3
    assert df.columns.tolist() == ["StartDate", "ResponseId", "Q7", "Q9_3"]
    assert _list(df["Q7"]) == ["89", None]
    assert df.attrs["question_text"]["Q7"] == "What was your team's average CSAT, in %?"
    assert df.attrs["import_ids"]["Q9_3"] == "QID9_3"
    assert len(read_table(p, header_rows=1)) == 4  # forcing one header row keeps the others as data


def test_surveymonkey_two_header_rows(tmp_path):
    p = tmp_path / "monkey.csv"
    p.write_text(SURVEYMONKEY)
    df = read_table(p)
    assert df.attrs["header_rows"] == 2
    assert df.columns.tolist() == [
        "Respondent ID", "Collector ID", "What was your CSAT?",
        "Which channels do you support? - Email", "Which channels do you support? - Chat",
        "Which channels do you support? - Other (please specify)"]
    assert df["What was your CSAT?"].tolist() == ["89", "78"]
    assert df.attrs["question_text"]["Which channels do you support? - Chat"] == \
        "Which channels do you support?"


def test_xlsx_reads_text_and_chooses_sheets(tmp_path):
    p = tmp_path / "export.xlsx"
    with pd.ExcelWriter(p) as xl:
        pd.DataFrame({"x": [1]}).to_excel(xl, sheet_name="notes", index=False)
        pd.DataFrame({"id": ["007", "r2"], "csat": [89, 0.89], "size": ["10-49", None]}).to_excel(
            xl, sheet_name="responses", index=False)
    df = read_table(p, sheet="responses")
    assert {c: _list(df[c]) for c in df.columns} == {"id": ["007", "r2"], "csat": ["89", "0.89"],
                                          "size": ["10-49", None]}
    assert read_table(p).columns.tolist() == ["x"]
    with pytest.raises(InputError, match="no such sheet"):
        read_table(p, sheet="missing")
    q = tmp_path / "qualtrics.xlsx"
    pd.read_csv(io.StringIO(QUALTRICS), header=None, dtype=str).to_excel(q, header=False, index=False)
    assert read_table(q).attrs["header_rows"] == 3


@pytest.mark.parametrize("kind", ["sav", "dta"])
def test_spss_and_stata_apply_value_labels(tmp_path, kind):
    df = pd.DataFrame({"rid": ["a", "b", "c"], "burnout": [1.0, 2.0, float("nan")],
                       "csat": [89.0, 0.89, 7.0]})
    p = tmp_path / f"export.{kind}"
    write = pyreadstat.write_sav if kind == "sav" else pyreadstat.write_dta
    write(df, str(p), column_labels=["Response id", "My team is burned out", "CSAT %"],
          variable_value_labels={"burnout": {1: "Agree", 2: "Disagree"}})
    out = read_table(p)
    assert {c: _list(out[c]) for c in out.columns} == {"rid": ["a", "b", "c"],
                                           "burnout": ["Agree", "Disagree", None],
                                           "csat": ["89", "0.89", "7"]}
    assert out.attrs["value_labels"] == {"burnout": {"1": "Agree", "2": "Disagree"}}
    assert out.attrs["column_labels"]["burnout"] == "My team is burned out"
    assert out.attrs["question_text"]["csat"] == "CSAT %"


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


def test_atomic_path_leaves_nothing_on_failure(tmp_path):
    out = tmp_path / "sub" / "x.csv"
    with pytest.raises(RuntimeError):
        with atomic_path(out) as tmp:
            tmp.write_text("half")
            raise RuntimeError("crash")
    assert list((tmp_path / "sub").iterdir()) == []


# ----------------------------------------------------------------------------------------------
# A user's export in every format, renamed and coded its own way, cleans to the same data as the
# synthetic CSV it was made from. The exports are built here from a small generated wave.

EXAMPLE_MAP = Path(__file__).resolve().parents[1] / "examples" / "column_map_example.yml"
STATUS_CODE = {"IP Address": "0", "Survey Preview": "1", "Survey Test": "2", "": ""}


@pytest.fixture(scope="module")
def wave():
    from supportstats.synth import generate_wave
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


# ----------------------------------------------------------------------------------------------
# Property: whatever text a table holds, writing it in any supported encoding and delimiter and
# reading it back gives the same table.

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_cell = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x00")
                | st.sampled_from([",", ";", "\t", "|", '"', "\n", " ", "%"]), max_size=8)


@st.composite
def _tables(draw):
    ncol = draw(st.integers(2, 5))
    names = [f"c{i}" for i in range(ncol)]
    rows = draw(st.lists(st.lists(_cell, min_size=ncol, max_size=ncol), min_size=1, max_size=6))
    rows[-1][0] = rows[-1][0] or "x"  # a file's trailing blank line is not a row
    return pd.DataFrame(rows, columns=names, dtype=object)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(table=_tables(), sep=st.sampled_from([",", ";", "\t", "|"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
def test_any_text_round_trips(tmp_path, table, sep, encoding):
    text = table.to_csv(index=False, sep=sep, lineterminator="\r\n")
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    p = tmp_path / "roundtrip.csv"
    p.write_bytes(data)
    df = read_table(p)
    assert df.attrs["sep"] == sep
    expected = table.astype(str).map(lambda v: v if v.strip() else None)  # blank and whitespace-only: missing
    pd.testing.assert_frame_equal(_frame(df), expected, check_dtype=False)


# ------------------------------------------------ issue 11: write guard, safe CSV, large fields

def test_atomic_path_refuses_data_raw_and_writes_outside_the_output_root(tmp_path, monkeypatch):
    from supportstats import paths
    from supportstats.io import atomic_path, check_write

    before = sorted((p.name, p.stat().st_mtime_ns) for p in paths.DATA_RAW.iterdir())
    with pytest.raises(InputError, match="raw data are immutable"):
        with atomic_path(paths.CLAIMS_CSV) as tmp:
            tmp.write_text("overwritten")
    with pytest.raises(InputError, match="raw data are immutable"):
        check_write(paths.DATA_RAW / "new.csv")
    assert sorted((p.name, p.stat().st_mtime_ns) for p in paths.DATA_RAW.iterdir()) == before
    assert check_write(paths.DATA_RAW / "x.csv", allow_raw=True)  # synth's way in
    root = tmp_path / "run"
    monkeypatch.setenv(paths.OUTPUT_ROOT_ENV, str(root))
    assert check_write(root / "figures" / "a.png") == root / "figures" / "a.png"
    with pytest.raises(InputError, match="outside the run's output root"):
        check_write(paths.FIGURES / "01_csat_rise.png")  # the checkout, during a run
    with pytest.raises(InputError, match="raw data are immutable"):
        check_write(root / "data" / "raw" / "x.csv")


def test_case6_formula_cells_are_escaped_and_round_trip(tmp_path):
    """Issue 11, case 6: formula-like answers went verbatim into CSVs editors open in Excel."""
    from supportstats.io import read_csv, write_csv

    nasty = ['=HYPERLINK("http://x","click")', "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3", "\tx", "\rx",
             "'=already quoted", "plain", "-5", "+3.5", "", None]
    df = pd.DataFrame({"text": nasty, "number": [-1.5] * len(nasty), "count": range(-6, 6)})
    path = write_csv(df, tmp_path / "t.csv", float_format="%.10g")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    for cell in raw["text"]:
        assert cell in ("-5", "+3.5") or not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert raw["text"].tolist()[:7] == ["'" + v for v in nasty[:7]]
    assert raw["number"].tolist()[0] == "-1.5" and raw["count"].tolist()[0] == "-6"  # numbers stay numbers
    back = read_csv(path)
    assert back["text"].tolist()[:10] == nasty[:10] and back["number"].equals(df["number"])


def test_case6_cleaned_exports_are_spreadsheet_safe(tmp_path):
    from supportstats.cli import main
    from supportstats.io import read_csv

    src = tmp_path / "trends_2022_mine.csv"
    lines = (HERE / "data" / "exports" / "trends_2022_valid.csv").read_text(encoding="utf-8-sig").splitlines()
    ids = ['"=HYPERLINK(""http://x"",""click"")"', "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3"]
    rows = [lines[0]] + [i + line[line.index(","):] for i, line in zip(ids, lines[1:])]
    rows[4] = rows[4].replace(",100,1,", ",40,0,", 1)  # the last respondent stops early: excluded
    src.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["clean", str(src), "--out", str(out)]) == 0
    clean_csv = (out / "trends_2022_mine_clean.csv").read_text()
    excl_csv = (out / "trends_2022_mine_exclusions.csv").read_text()
    for text in (clean_csv, excl_csv):
        assert not re.search(r'(^|,)"?[=+@]', text, flags=re.M)
    assert "'=HYPERLINK" in clean_csv and "'-2+3" in excl_csv
    parquet = pd.read_parquet(out / "trends_2022_mine_clean.parquet")
    assert parquet["respondent_id"].iloc[0] == '=HYPERLINK("http://x","click")'  # Parquet keeps the raw value
    back = read_csv(out / "trends_2022_mine_clean.csv", dtype=str, keep_default_na=False)
    assert back["respondent_id"].tolist() == parquet["respondent_id"].tolist()


def test_case7_any_field_size(tmp_path):
    """Issue 11, case 7: a field over 128 KB crashed the reader with csv.Error and a traceback."""
    big = tmp_path / "big.csv"
    big.write_text("id,text\n1," + "x" * 10_000_000 + "\n2,b\n")
    df = read_table(big)
    assert df.shape == (2, 2) and len(df["text"][0]) == 10_000_000
    gap = tmp_path / "gap.csv"
    gap.write_text("id,text\n1," + "y" * 200_000 + "\n\n2,b\n")
    df = read_table(gap)
    text = df["text"].tolist()  # the empty line is a row of missing values, kept for the audit
    assert text[0] == "y" * 200_000 and pd.isna(text[1]) and text[2] == "b"
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("id,text\n1," + "z" * 300_000 + ",extra\n")
    with pytest.raises(InputError, match="line 2 has 3 fields"):
        read_table(ragged)
