"""Readers: every format and encoding gives the same all-text table; bad files fail in one line."""
import codecs
import io
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

from supportstats.errors import InputError
from supportstats.io import read_table

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


# ------------------------------------------------ issue 11: large fields

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
