"""ANES 1996, the real survey bundled in data/raw/anes96: byte-identical files, its codebook, its definition."""
import re

import pandas as pd
import pyreadstat
import pytest
import yaml
from click.testing import CliRunner

from supportstats import anes96
from supportstats.clean import clean_file
from supportstats.cli import cli
from supportstats.definition import load_definition
from supportstats.definition_yaml import _Loader
from supportstats.draft import draft_definition
from supportstats.errors import InputError
from supportstats.io import read_table
from supportstats.outputs import atomic_path
from supportstats.paths import DATA_RAW

HERE = DATA_RAW / "anes96"
FILES = ("anes96.sav", "anes96.xlsx", "codebook.txt")
DEFINITION = HERE / "anes96.yml"


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("anes96")
    return out, anes96.write_anes96(out)


@pytest.mark.parametrize("name", FILES)
def test_the_script_rewrites_the_committed_files_byte_for_byte(written, name):
    out, paths = written
    assert [p.name for p in paths] == list(FILES)
    assert (out / name).read_bytes() == (HERE / name).read_bytes(), f"{name} drifted: rerun `supportstats anes96`?"


def test_the_spss_header_carries_the_fixed_time_not_now(written):
    out, _ = written
    _, meta = pyreadstat.read_sav(str(out / "anes96.sav"), metadataonly=True)
    assert meta.creation_time.isoformat() == "1970-01-01T00:00:00"
    assert meta.number_rows == 944 and meta.file_label.startswith("ANES 1996")


def test_the_sav_holds_statsmodels_data_and_the_codebook_labels():
    from statsmodels.datasets import anes96 as sm

    df, meta = pyreadstat.read_sav(str(HERE / "anes96.sav"))
    shipped = sm.load_pandas().data
    assert df.columns.tolist() == ["caseid", *shipped.columns]
    assert df.caseid.tolist() == list(range(1, 945))
    pd.testing.assert_frame_equal(df.drop(columns="caseid"), shipped, check_dtype=False)
    labels = meta.variable_value_labels
    assert labels["PID"][0.0] == "Strong Democrat" and labels["PID"][6.0] == "Strong Republican"
    assert labels["vote"] == {0.0: "Clinton", 1.0: "Dole"}
    assert labels["selfLR"] == labels["ClinLR"] == labels["DoleLR"] and len(labels["selfLR"]) == 7
    assert labels["income"][10.0] == "$14,000-$14.999"       # the codebook's typo, kept
    assert len(labels["income"]) == 24 and len(labels["educ"]) == 7
    assert set(labels) == {"PID", "educ", "income", "vote", "selfLR", "ClinLR", "DoleLR"}
    assert meta.column_names_to_labels["TVnews"] == "Number of times per week that respondent watches TV news."
    # every value label is a line of statsmodels' NOTE
    for values in labels.values():
        for code, text in values.items():
            assert re.search(rf"^\s*{int(code)}\s*-\s+{re.escape(text)}\s*$", sm.NOTE, re.M), text


def test_the_codebook_parser_reads_what_the_note_says():
    book = anes96.anes96_codebook()
    assert list(book)[:3] == ["popul", "TVnews", "PID"]
    assert book["selfLR"]["label"] == 'Respondent\'s self-reported political leanings from "Left" to "Right".'
    assert book["age"] == {"label": "Age of respondent.", "values": {}}
    assert book["educ"]["values"][1] == "1-8 grades"


def test_the_codebook_file_is_statsmodels_text_verbatim():
    from statsmodels.datasets import anes96 as sm

    text = (HERE / "codebook.txt").read_text(encoding="utf-8")
    assert sm.NOTE.strip("\n") in text and sm.SOURCE.strip("\n") in text and "public domain" in text


def test_the_sav_and_the_xlsx_clean_to_the_same_respondents():
    a = clean_file(HERE / "anes96.sav", survey=DEFINITION, wave=1996)
    b = clean_file(HERE / "anes96.xlsx", survey=DEFINITION, wave=1996)
    assert a.n_raw == a.n_clean == b.n_clean == 944 and a.n_excluded == 0
    pd.testing.assert_frame_equal(a.data, b.data)
    assert a.data.pid.value_counts()["strong_democrat"] == 200    # statsmodels' PID == 0
    assert a.data.vote.cat.categories.tolist() == ["clinton", "dole"]


def test_the_definition_checks_clean_with_the_cli():
    result = CliRunner().invoke(cli, ["survey", "check", str(DEFINITION), str(HERE / "anes96.sav"), "--wave", "1996"])
    assert result.exit_code == 0, result.output
    assert "definition OK" in result.output
    assert "columns the definition does not read (ignored): logpopul" in result.output
    assert "n_raw = n_clean + n_excluded: 944 = 944 + 0" in result.output


def test_the_definition_is_survey_inits_draft_edited():
    """Same columns, types and levels (in order) as `survey init` drafts; the edits are the README's."""
    draft = load_definition(yaml.load(draft_definition(HERE / "anes96.sav"), Loader=_Loader))
    mine = load_definition(DEFINITION)
    assert [c.raw for c in mine.columns] == [c.raw for c in draft.columns if c.raw != "logpopul"]
    for c in mine.columns:
        d = draft.column(c.name)
        assert (c.role, c.type) == (d.role, d.type), c.name
        if c.vocabulary is not None:
            labels = [c.vocabulary.label(lv, "en") for lv in c.vocabulary.levels]
            assert labels == [d.vocabulary.label(lv, "en") for lv in d.vocabulary.levels], c.name
    text = DEFINITION.read_text(encoding="utf-8")
    guesses = [ln for ln in text.splitlines() if "# GUESS:" in ln]
    assert len(guesses) == 1 and "range: [0, 7]" in guesses[0]   # the codebook gives tvnews no range
    assert "survey init" in text


def test_the_cli_writes_where_it_is_told(tmp_path):
    result = CliRunner().invoke(cli, ["anes96", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(FILES)


def test_only_the_bundling_script_may_write_there(tmp_path):
    with pytest.raises(InputError, match="raw data are immutable"):
        with atomic_path(HERE / "anes96.sav"):
            pass
    assert read_table(HERE / "anes96.sav").shape == (944, 12)
