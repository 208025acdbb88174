"""Synthetic provenance by content: the mark survives renaming, conversion and cleaning."""
import shutil

import pandas as pd
import pyreadstat
import pytest

from supportstats.clean import clean_file, write_clean
from supportstats.column_maps import read_survey
from supportstats.io import read_table
from supportstats.notebook import load_waves
from supportstats.paths import DATA_RAW
from supportstats.provenance import SYNTHETIC_MARK, data_source

SYNTH = DATA_RAW / "synthetic_trends_2022.csv"


def test_a_renamed_copy_is_still_synthetic(tmp_path):
    copy = tmp_path / "my_trends_export.csv"
    shutil.copy(SYNTH, copy)
    assert data_source(copy) == "synthetic reconstruction"
    data, results, source = load_waves({"trends_2022": str(copy)})
    assert source == "synthetic reconstruction"
    assert data["trends_2022"].provenance.eq(SYNTHETIC_MARK).all()


@pytest.mark.parametrize("fmt", ["xlsx", "sav"])
def test_a_converted_copy_is_still_synthetic(tmp_path, fmt):
    raw = read_table(SYNTH)
    path = tmp_path / f"my_trends_export.{fmt}"
    if fmt == "xlsx":
        raw.to_excel(path, index=False)
    else:
        pyreadstat.write_sav(raw.fillna(""), str(path))
    assert data_source(path) == "synthetic reconstruction"
    res = clean_file(path, survey="trends", wave=2022)
    assert data_source(res) == "synthetic reconstruction"
    assert res.data.drop(columns="provenance").equals(clean_file(SYNTH).data.drop(columns="provenance"))


def test_cleaning_carries_the_mark_into_every_processed_file(tmp_path):
    res = clean_file(SYNTH)
    for p in write_clean(res, tmp_path):
        if p.name.endswith("_report.csv"):
            continue
        back = pd.read_parquet(p) if p.suffix == ".parquet" else pd.read_csv(p)
        assert back["provenance"].eq(SYNTHETIC_MARK).all(), p.name
        assert data_source(back) == "synthetic reconstruction"


def test_data_without_the_mark_is_a_real_export(tmp_path):
    raw = read_table(SYNTH).drop(columns="provenance")
    real = tmp_path / "synthetic_trends_2022.csv"  # a synthetic-looking name does not make it synthetic
    raw.to_csv(real, index=False)
    assert data_source(real) == "real export"
    res = clean_file(real)
    assert res.data.provenance.isna().all() and data_source(res) == "real export"
    assert load_waves({"trends_2022": str(real)})[2] == "real export"


def test_any_synthetic_part_makes_the_whole_synthetic(tmp_path):
    real = read_table(SYNTH).drop(columns="provenance")
    assert data_source([real, read_table(SYNTH)]) == "synthetic reconstruction"
    assert data_source({"a": real}) == "real export"
    with pytest.raises(ValueError, match="at least one"):
        data_source([])


def test_a_column_map_keeps_the_mark(tmp_path):
    raw = read_table(SYNTH).rename(columns={"respondent_id": "ResponseId"})
    p = tmp_path / "export.csv"
    raw.to_csv(p, index=False)
    cmap = {"survey": "trends", "columns": {"ResponseId": "respondent_id"}}
    assert read_survey(p, cmap).provenance.eq(SYNTHETIC_MARK).all()
