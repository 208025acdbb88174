"""Write the TEST FIXTURES in this folder (run once; the files are committed).

    .venv/bin/python tests/data/surveys/make_fixtures.py

acme_support_2023.sav and acme_support_2023.csv are the same made-up 12-row export of the survey
defined in acme_support.yml, as SPSS (numeric codes with value labels, "Prefer not to say" = 9 and
"don't know" = 99 declared user-missing) and as a CSV a survey tool writes (labels, blanks,
whitespace-only cells, "Prefer not to say" and 99 as text). They carry a weight, strata and
clusters, one blank row, one exact duplicate, one speeder and one straight-liner. Not real data.
SPSS files embed their creation time, so a rerun changes the .sav bytes, not its content.
"""
from pathlib import Path

import pandas as pd
import pyreadstat

HERE = Path(__file__).resolve().parent
SAT = {1: "Very dissatisfied", 2: "Dissatisfied", 3: "Neither satisfied nor dissatisfied", 4: "Satisfied",
       5: "Very satisfied", 9: "Prefer not to say"}
# resp_id, wt, stratum, psu, duration, satisfaction, satisfaction_agent, resolved (1 yes, 2 no),
# region, plan, channels, wait_minutes, comment
ROWS = [
    ("A01", 1.2, "S1", "P1", 300, 5, 4, 1, "North", "Pro", "Email;Chat", 5, "Great"),
    ("A02", 0.8, "S1", "P1", 250, 4, 5, 1, "Norte", "Free", "Chat", 12, ""),
    ("A03", 1.0, "S1", "P2", 400, 9, 3, 2, "South", "Prefer not to say", "", None, "   "),
    ("A04", 1.5, "S2", "P3", 180, 2, 1, 2, "Sur", "Enterprise", "Teléfono", None, "Slow"),
    ("A05", 1.1, "S2", "P3", 220, 3, None, 1, "South", "Pro", "Email", 99, ""),
    ("A06", 0.9, "S2", "P4", 20, 5, 5, 1, "North", "Free", "Chat", 3, ""),          # speeder
    ("A07", 1.0, "S1", "P2", 310, 1, 2, 1, "North", "", "Phone", 45, "Never again"),
    (None, None, "", "", None, None, None, None, "", "", "", None, ""),               # blank row
    ("A08", 1.3, "S2", "P4", 260, 4, 3, 1, "South", "Enterprise", "Email;Phone", 8, ""),
    ("A09", 0.7, "S1", "P1", 280, 5, 5, 2, "Norte", "Pro", "Correo", None, ""),      # straight-liner
    ("A10", 1.0, "S2", "P3", 330, 3, 4, 1, "Sur", "Free", "Chat;Email", 0, ""),
    ("A01", 1.2, "S1", "P1", 300, 5, 4, 1, "North", "Pro", "Email;Chat", 5, "Great"),  # exact duplicate
]
COLS = ["resp_id", "wt", "stratum", "psu", "duration", "satisfaction", "satisfaction_agent", "resolved", "region",
        "plan", "channels", "wait_minutes", "comment"]


def main():
    df = pd.DataFrame(ROWS, columns=COLS)
    numeric = ["wt", "duration", "satisfaction", "satisfaction_agent", "resolved", "wait_minutes"]
    sav = df.copy()
    for c in numeric:
        sav[c] = pd.to_numeric(sav[c]).astype(float)
    for c in ("resp_id",):
        sav[c] = sav[c].fillna("")
    pyreadstat.write_sav(sav, str(HERE / "acme_support_2023.sav"),
                         column_labels={"satisfaction": "How satisfied are you with our support?",
                                        "resolved": "Was your issue resolved?"},
                         variable_value_labels={"satisfaction": SAT, "satisfaction_agent": SAT,
                                                "resolved": {1: "Yes", 2: "No"}},
                         missing_ranges={"satisfaction": [9], "satisfaction_agent": [9], "wait_minutes": [99]})
    csv = df.astype(object)
    for c in ("satisfaction", "satisfaction_agent"):
        csv[c] = [SAT[int(v)] if pd.notna(v) else "" for v in df[c]]
    csv["resolved"] = [("Yes" if v == 1 else "No") if pd.notna(v) else "" for v in df["resolved"]]
    for c in ("wt", "duration", "wait_minutes"):
        csv[c] = [("%g" % v) if pd.notna(v) else "" for v in df[c]]
    csv["resp_id"] = csv["resp_id"].fillna("")
    csv.to_csv(HERE / "acme_support_2023.csv", index=False, lineterminator="\n")


if __name__ == "__main__":
    main()
