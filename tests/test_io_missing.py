"""Readers never hand on a blank or a declared missing code as an answer (issue 9), kept apart from
test_io.py so the reading side of missing values has one place."""
from pathlib import Path

import pandas as pd
import pyreadstat

from supportstats.column_maps import apply_column_map
from supportstats.io import read_table

FIX = Path(__file__).resolve().parent / "data" / "surveys"


def test_blank_and_whitespace_only_cells_are_missing(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("id,a,b\n1,  ,x\n2,,\t\n3,\u3000,y\n", encoding="utf-8")
    df = read_table(p)
    assert df["a"].isna().all() and df["b"].isna().tolist() == [False, True, False]
    assert df["id"].tolist() == ["1", "2", "3"] and all(df[c].dtype == "str" for c in df)


def test_spss_user_missing_codes_become_missing_with_the_code_kept():
    df = read_table(FIX / "acme_support_2023.sav")
    assert df.attrs["missing_codes"] == {"satisfaction": ["9"], "satisfaction_agent": ["9"], "wait_minutes": ["99"]}
    row = df[df.resp_id == "A03"].iloc[0]
    assert pd.isna(row["satisfaction"]) and row["satisfaction_missing_code"] == "9"
    assert df.loc[df.resp_id == "A05", "wait_minutes_missing_code"].tolist() == ["99"]
    assert df["satisfaction"].dropna().isin(["Very satisfied", "Satisfied", "Dissatisfied", "Very dissatisfied",
                                             "Neither satisfied nor dissatisfied"]).all()
    # the labels stay available, the missing code's label included
    assert df.attrs["value_labels"]["satisfaction"]["9"] == "Prefer not to say"


def test_stata_extended_missing_values_become_missing(tmp_path):
    p = tmp_path / "x.dta"
    df = pd.DataFrame({"id": ["a", "b", "c"], "sat": pd.Series([1.0, 5.0, "a"], dtype=object)})
    pyreadstat.write_dta(df, str(p), missing_user_values={"sat": ["a"]},
                         variable_value_labels={"sat": {1: "Low", 5: "High"}})
    out = read_table(p)
    assert out["sat"].tolist()[:2] == ["Low", "High"] and pd.isna(out["sat"].iloc[2])
    assert out["sat_missing_code"].tolist()[2] == "a" and out.attrs["missing_codes"] == {"sat": ["a"]}


def test_a_column_map_recodes_around_missing_values_and_renames_their_codes():
    df = read_table(FIX / "acme_support_2023.sav")
    out = apply_column_map(df, {"columns": {"resp_id": "rid", "satisfaction": "sat"},
                                "values": {"sat": {"Very satisfied": "5"}}})
    assert out.columns.tolist() == ["rid", "sat", "sat_missing_code"]
    assert out["sat"].iloc[0] == "5" and pd.isna(out["sat"].iloc[2]) and out["sat_missing_code"].iloc[2] == "9"
