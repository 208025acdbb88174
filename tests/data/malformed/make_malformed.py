"""Write the malformed exports in this folder (run once; the files are committed).

    .venv/bin/python tests/data/malformed/make_malformed.py

Each file is a few valid rows of a synthetic export with exactly one thing wrong; the
expected one-line errors live in tests/test_cli_clean.py (CASES). The valid bases are
written to tests/data/exports/ so the suite can show they clean without error.
"""
from __future__ import annotations

import codecs
from pathlib import Path

HERE = Path(__file__).resolve().parent
EXPORTS = HERE.parent / "exports"
BAD_ROW = 2  # 0-based data row that carries the fault: data row 3, file line 4


def _base(survey, wave, n=4):
    from supportstats.synth_waves import generate_wave

    w = generate_wave(survey, wave, n=100, seed=7)
    clean = w.raw[~w.raw["respondent_id"].isin(w.faults["respondent_id"])]
    return clean.head(n).reset_index(drop=True)


def _csv(df) -> bytes:
    return df.to_csv(index=False, lineterminator="\n").encode("utf-8")


def _with(df, column, value, row=BAD_ROW):
    out = df.copy()
    out.loc[row, column] = value
    return out


def main():
    trends, bench = _base("trends", 2022), _base("benchmark", 2022)
    weighted = bench.assign(weight="1.0")
    files: dict[str, bytes] = {
        "trends_2022_empty.csv": b"",
        "trends_2022_only_blank_lines.csv": codecs.BOM_UTF8 + b"\r\n\r\n  \r\n",
        "trends_2022_header_only.csv": _csv(trends.head(0)),
        "trends_2022_image.csv": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"
                                  b"\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"),
        "trends_2022_export.json": trends.to_json(orient="records", force_ascii=False).encode(),
        "trends_2022_undecodable.csv": _csv(trends.head(2)) + b"R_x,\x81\x8d\x8f\x90\x9d\n",
        "trends_2022_utf16_without_bom.csv": _csv(trends).decode().encode("utf-16-le"),
        "trends_2022_ragged_short_row.csv": _csv(trends).replace(
            _csv(trends.iloc[[BAD_ROW]]).split(b"\n")[1], b"R_short,2022-02-03T10:00:00Z,400"),
        "trends_2022_ragged_long_row.csv": _csv(trends).replace(
            _csv(trends.iloc[[1]]).split(b"\n")[1],
            _csv(trends.iloc[[1]]).split(b"\n")[1] + b",surplus,fields"),
        "trends_2022_duplicate_column_names.csv": _csv(trends).replace(
            b"Q9_2_tools_slow_weekly", b"Q9_1_expectations_rising", 1),
        "trends_2022_blank_column_name.csv": _csv(trends.assign(**{" ": ["", "", "x", ""]})),
        "trends_2022_missing_required_column.csv": _csv(trends.drop(columns="Q9_3_team_burnout")),
        "trends_2022_unknown_answer_label.csv": _csv(_with(trends, "Q9_3_team_burnout", "Maybe so")),
        "trends_2022_unknown_yesno_label.csv": _csv(_with(trends, "Q7_headcount_cut", "Perhaps")),
        "trends_2022_conflicting_duplicate_id.csv": _csv(
            _with(_with(trends, "respondent_id", trends.loc[0, "respondent_id"]),
                  "Q4_role", "Director" if trends.loc[0, "Q4_role"] != "Director" else "Manager")),
        "trends_2022_team_size_text.csv": _csv(_with(trends, "Q5_team_size", "lots")),
        "trends_2022_unknown_company_size.csv": _csv(_with(trends, "Q2_company_size", "huge")),
        "benchmark_2022_csat_140.csv": _csv(_with(_with(bench, "Q6_tracks_csat", "Yes"),
                                                  "Q7_csat", "140")),
        "benchmark_2022_nps_300.csv": _csv(_with(_with(bench, "Q10_tracks_nps", "Yes"),
                                                 "Q11_nps", "300")),
        "benchmark_2022_negative_frt.csv": _csv(_with(bench, "Q12_frt_hours", "-3")),
        "benchmark_2022_bad_percentage.csv": _csv(_with(_with(bench, "Q6_tracks_csat", "Yes"),
                                                        "Q7_csat", "eighty-nine")),
        "benchmark_2022_weight_zero.csv": _csv(_with(weighted, "weight", "0")),
        "benchmark_2022_weight_negative.csv": _csv(_with(weighted, "weight", "-1.5")),
        "benchmark_2022_weight_missing.csv": _csv(_with(weighted, "weight", "")),
        "trends_2022_corrupt.xlsx": b"PK\x03\x04 this is not really a workbook",
        "trends_2022_corrupt.sav": b"$FL2 truncated SPSS header",
        # exports that are fine but whose column map / survey name is wrong
        "trends_2022_for_bad_maps.csv": _csv(trends),
        "map_absent_columns.yml": (
            b"survey: trends\ncolumns:\n  respondent_id: respondent_id\n"
            b"  Q9_3_burnout: Q9_3_team_burnout\n  Q99: Q9_6_empathy_lack_tools\n"
            b"keep_unmapped: true\n"),
        "map_wrong_survey.yml": b"survey: trend\ncolumns:\n  respondent_id: respondent_id\n",
        "map_not_yaml.yml": b"survey: trends\ncolumns:\n  a: b\n c: [unclosed\n",
    }
    for name, data in sorted(files.items()):
        (HERE / name).write_bytes(data)
    EXPORTS.mkdir(exist_ok=True)
    (EXPORTS / "trends_2022_valid.csv").write_bytes(_csv(trends))
    (EXPORTS / "benchmark_2022_valid.csv").write_bytes(_csv(weighted))
    print(f"wrote {len(files)} files to {HERE}")


if __name__ == "__main__":
    main()
