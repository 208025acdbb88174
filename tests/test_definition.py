"""Survey definitions as data: the built-ins load, bad definitions fail in one line, labels display."""
import pytest
import yaml

from supportstats.definition import (builtin_surveys, display_labels, label_table, load_definition,
                                     normalize_label)
from supportstats.errors import InputError

BASE = """\
id: acme
title: Acme
languages: [en, ja]
columns:
  rid: {role: id}
  happy: {type: yes_no}
  region:
    type: categorical
    levels:
      north: {en: North, ja: 北}
      south: {en: South, ja: 南}
"""


def _write(tmp_path, text, name="acme.yml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_builtin_surveys_are_yaml_files_shipped_in_the_package():
    import supportstats

    assert builtin_surveys() == ("benchmark", "cs_ops", "trends")
    for name in builtin_surveys():
        d = load_definition(name)
        assert d.source.endswith(f"supportstats/surveys/{name}.yml")
        assert d.languages == ("en", "ja", "zh_Hant", "es", "ko")
        assert d.role("id").name == "respondent_id" and d.cleaning["min_duration_sec"] == 120
    assert load_definition("trends") is load_definition("trends")  # parsed once
    # the package ships them: pyproject's package-data names the folder
    text = (supportstats.paths.ROOT / "pyproject.toml").read_text()
    assert '"surveys/*.yml", "surveys/*.csv"' in text


def test_display_labels_in_every_declared_language():
    for lang, label in {"en": "North America", "ja": "北米", "zh_Hant": "北美", "es": "Norteamérica",
                        "ko": "북미"}.items():
        assert display_labels("trends", "region", lang)["north_america"] == label
    t = label_table("benchmark")
    assert set(t.lang) == {"en", "ja", "zh_Hant", "es", "ko"}
    assert t[(t.column == "csat") & (t.level == "")].label.tolist() == ["CSAT"] * 5
    with pytest.raises(KeyError, match="labels in en, ja, zh_Hant, es, ko; got 'fr'"):
        display_labels("trends", "region", "fr")


def test_a_definition_of_ones_own_loads_with_yaml_yes_no_kept_as_text(tmp_path):
    d = load_definition(_write(tmp_path, BASE + "  on: {type: yes_no}\n"))
    assert [c.name for c in d.columns] == ["rid", "happy", "region", "on"]  # 'on' is not a boolean
    assert d.column("happy").vocabulary.lookup[normalize_label("はい")] == "yes"
    assert display_labels(d, "region", "ja").tolist() == ["北", "南"]


BAD = [
    ("title: Acme\n", "title: [1, 2]\n", "row 2: key title: got '1, 2'; expected a title"),
    ("  happy: {type: yes_no}\n", "  happy: {type: likert}\n",
     "row 6: key columns.happy.type: got 'likert'; expected one of categorical, ordinal, yes_no"),
    ("  happy: {type: yes_no}\n", "  happy: {type: yes_no, role: id}\n",
     "key columns.happy: got 'role=id, type=yes_no'; expected exactly one of role:"),
    ("      south: {en: South, ja: 南}\n", "      south: {en: South}\n",
     "row 11: key columns.region.levels.south: got 'en'; expected a label in every declared language (en, ja); "
     "missing ja"),
    ("      south: {en: South, ja: 南}\n", "      south: {en: north, ja: 南}\n",
     "key columns.region.levels.south: got 'north'; expected labels unique to one level"),
    ("  happy: {type: yes_no}\n", "  happy: {type: ordinal, vocabulary: agree7}\n",
     "key columns.happy.vocabulary: got 'agree7'; expected a vocabulary of this file () or a shipped one "
     "(agree5, company_size"),
    ("  happy: {type: yes_no}\n", "  happy: {type: number, range: [10, 1]}\n",
     "key columns.happy.range: got '10, 1'; expected low <= high"),
    ("  happy: {type: yes_no}\n", "  happy: {type: yes_no}\n  happy: {type: number}\n",
     "row 7: expected a YAML survey definition (not valid YAML (duplicate key 'happy'))"),
    ("  rid: {role: id}\n", "  rid: {type: free_text}\n", "key columns: got 'no role: id'; expected one column "
     "with role: id"),
    ("  happy: {type: yes_no}\n", "  happy: {type: yes_no, asked_if: region}\n",
     "key columns.happy.asked_if: got 'region'; expected the name of a yes_no column"),
    ("  happy: {type: yes_no}\n", "  happy: {type: yes_no, colour: red}\n",
     "row 6: key columns.happy.colour: got 'colour'; expected one of the keys"),
    ("languages: [en, ja]\n", "languages: [en, ja]\ngrids: {g: [happy, region]}\n",
     "key grids.g: got 'happy, region'; expected questions that share one vocabulary"),
    ("  rid: {role: id}\n", "  rid: {role: id}\n  w: {role: weight, required: false}\n",
     "row 6: key columns.w.required: got False; expected required: true for a design column, or default:"),
    ("languages: [en, ja]\n", "languages: [en, ja]\ncleaning: {min_speed: 3}\n",
     "key cleaning.min_speed: got 'min_speed'; expected one of the keys min_duration_sec, min_grid_items"),
]


@pytest.mark.parametrize("old,new,expected", BAD, ids=[b[2][:40] for b in BAD])
def test_a_bad_definition_is_one_line_naming_file_line_key_and_expected(tmp_path, old, new, expected):
    assert old in BASE
    p = _write(tmp_path, BASE.replace(old, new, 1))
    with pytest.raises(InputError) as err:
        load_definition(p)
    msg = str(err.value)
    assert "\n" not in msg and msg.startswith(str(p) + ": "), msg
    assert expected in msg, msg


def test_missing_file_not_yaml_and_unknown_name(tmp_path):
    with pytest.raises(InputError, match="survey definition not found"):
        load_definition(tmp_path / "nope.yml")
    with pytest.raises(InputError, match=r"row 2: expected a YAML survey definition \(not valid YAML"):
        load_definition(_write(tmp_path, "id: [unclosed\n"))
    with pytest.raises(InputError, match="expected one of benchmark, cs_ops, trends, or a YAML definition file"):
        load_definition("mine")


def test_thresholds_override_the_definition():
    d = load_definition("trends").with_cleaning(min_duration_sec=60)
    assert d.cleaning["min_duration_sec"] == 60 and load_definition("trends").cleaning["min_duration_sec"] == 120
    with pytest.raises(ValueError, match="thresholds: unknown"):
        load_definition("trends").with_cleaning(speed=1)


def test_the_built_in_yaml_is_plain_yaml():
    """Any YAML tool reads the shipped files (our loader only adds line numbers and stricter booleans)."""
    from supportstats.definition import SURVEYS_DIR

    for p in SURVEYS_DIR.glob("*.yml"):
        assert isinstance(yaml.safe_load(p.read_text(encoding="utf-8")), dict)


def test_libyaml_loader_reads_every_shipped_yaml_as_the_pure_python_one_lines_included():
    """The loaders use libyaml's parser (8x faster in every kernel); the result may not move."""
    from pathlib import Path

    import supportstats
    from supportstats import definition_yaml

    if not hasattr(yaml, "CSafeLoader"):
        pytest.skip("PyYAML without libyaml: the loaders are the pure-Python ones already")
    assert issubclass(definition_yaml._Loader, yaml.CSafeLoader)

    class Pure(yaml.SafeLoader):
        pass

    Pure.yaml_implicit_resolvers = definition_yaml._Loader.yaml_implicit_resolvers
    Pure.yaml_constructors = definition_yaml._Loader.yaml_constructors
    files = sorted(Path(supportstats.__file__).parent.rglob("*.yml"))
    assert len(files) >= 10
    for path in files:
        text = path.read_text(encoding="utf-8")
        fast, pure = yaml.load(text, Loader=definition_yaml._Loader), yaml.load(text, Loader=Pure)
        assert fast == pure, path
        assert fast.lines == pure.lines, path
        assert yaml.load(text, Loader=yaml.CSafeLoader) == yaml.safe_load(text), path
