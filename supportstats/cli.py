"""The ``supportstats`` command line: claims, synth, clean, survey (init, check), reproduce.

Bad input ends with one line on stderr and exit code 2, never a traceback.
Each command is a thin wrapper over library functions.
"""
from __future__ import annotations

import sys

import click

from .errors import SupportstatsError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli():
    """Reproduce and test the headline numbers of customer-support survey reports."""


@cli.command()
@click.option("--check", is_flag=True, help="Run the consistency checks; exit 1 if any is inconsistent.")
@click.option("--path", type=click.Path(dir_okay=False), default=None, help="Registry CSV (default: data/raw/published_claims.csv).")
def claims(check, path):
    """Print the registry of published claims, or check it (--check)."""
    from .claims import check_claims, claims_table, format_table, load_claims

    registry = load_claims(path)
    if not check:
        click.echo(format_table(claims_table(registry), {"value": 24, "base": 40}))
        click.echo(f"{len(registry)} claims")
        return 0
    checks = check_claims(registry)
    click.echo(format_table(checks[["check", "claim_id", "status", "detail"]], {"detail": 100}))
    counts = checks["status"].value_counts()
    summary = ", ".join(f"{counts.get(s, 0)} {s}" for s in ("ok", "warning", "inconsistent"))
    click.echo(f"{len(checks)} checks on {checks['claim_id'].nunique()} claims: {summary}")
    flagged = checks[checks["status"] != "ok"]
    if len(flagged):
        click.echo("")
        for r in flagged.itertuples(index=False):
            click.echo(f"{r.status.upper()} {r.check} {r.claim_id}: {r.detail}")
    return 1 if counts.get("inconsistent", 0) else 0


@cli.command()
@click.option("--out", type=click.Path(file_okay=False), default=None, help="Folder to write into (default: data/raw).")
def synth(out):
    """Regenerate the synthetic reconstruction of every survey wave, byte for byte."""
    from .synth import write_synthetic

    for path in write_synthetic(out):
        click.echo(f"wrote {path}")
    return 0


@cli.command()
@click.argument("path", type=click.Path())
@click.option("--survey", default=None, help="Built-in survey (benchmark, cs_ops, trends); default: the map's, else a name in the file name.")
@click.option("--survey-file", type=click.Path(), default=None, help="Your own survey definition (YAML); see docs/survey_definitions.md.")
@click.option("--wave", default=None, help="Wave (year) of the export, any year; default: the map's, else a year in the file name.")
@click.option("--map", "column_map", type=click.Path(), default=None, help="Column map (YAML) from your export to the survey's columns.")
@click.option("--out", type=click.Path(file_okay=False), default=None, help="Output folder (default: data/processed).")
def clean(path, survey, survey_file, wave, column_map, out):
    """Clean one raw export and print the exclusions report.

    PATH may be CSV (any common encoding and delimiter), .xlsx, SPSS .sav or Stata .dta,
    including Qualtrics/SurveyMonkey exports; see docs/column_maps.md for --map.
    """
    from pathlib import Path

    from .clean import clean_file, format_report, write_clean
    from .definition import builtin_surveys
    from .errors import InputError
    from .paths import DATA_PROCESSED, DATA_RAW

    out_dir = Path(out) if out else DATA_PROCESSED
    resolved = out_dir.resolve()
    if resolved == DATA_RAW.resolve() or DATA_RAW.resolve() in resolved.parents:
        raise InputError("the pipeline never writes under data/raw", file=out_dir,
                         expected="an --out folder outside data/raw")
    if survey and survey_file:
        raise InputError("give --survey (a built-in survey) or --survey-file (your own), not both", value=survey)
    if survey and survey not in builtin_surveys():
        raise InputError("unknown survey", file=path, column="survey", value=survey,
                         expected="one of " + ", ".join(builtin_surveys())
                         + ", or --survey-file my_survey.yml for a survey of your own")
    # every check that can fail runs before anything is written, so bad input leaves --out untouched
    result = clean_file(path, survey=Path(survey_file) if survey_file else survey, column_map=column_map, wave=wave)
    try:
        written = write_clean(result, out_dir)
    except OSError as exc:  # e.g. a read-only folder: one line, like every other failure
        raise InputError(f"cannot write the cleaned data: {exc.strerror or exc}", file=out_dir,
                         expected="a writable --out folder") from None
    for line in format_report(result):
        click.echo(line)
    for p in written:
        click.echo(f"wrote {p}")
    return 0


@cli.group()
def survey():
    """Survey definitions of your own: draft one from an export (init), check one (check)."""


@survey.command("check")
@click.argument("definition", type=click.Path())
@click.argument("export", type=click.Path(), required=False)
@click.option("--map", "column_map", type=click.Path(), default=None, help="Column map (YAML) for the export.")
@click.option("--wave", default=None, help="Wave (year) of the export.")
def survey_check(definition, export, column_map, wave):
    """Validate DEFINITION (a YAML file or a built-in name), and EXPORT against it if given."""
    from pathlib import Path

    from .definition import builtin_surveys
    from .draft import check_survey

    target = definition if definition in builtin_surveys() else Path(definition)
    for line in check_survey(target, export, column_map=column_map, wave=wave):
        click.echo(line)
    return 0


@survey.command("init")
@click.argument("export", type=click.Path())
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="Definition file to write (.yml).")
@click.option("--id", "survey_id", default=None, help="Survey id (default: from the file name).")
@click.option("--title", default=None, help="Survey title (default: from the file name).")
@click.option("--force", is_flag=True, help="Overwrite --out if it exists.")
def survey_init(export, out, survey_id, title, force):
    """Draft a survey definition from EXPORT (CSV, xlsx, SPSS, Stata, Qualtrics, SurveyMonkey)."""
    from .draft import write_draft

    path = write_draft(export, out, survey_id=survey_id, title=title, overwrite=force)
    text = path.read_text(encoding="utf-8")
    click.echo(f"wrote {path}: {text.count('GUESS')} guesses to check; then run: supportstats survey check {path} {export}")
    return 0


@cli.command()
@click.option("--jobs", "-j", type=int, default=None, help="Worker processes (default: one per core).")
@click.option("--only", default=None, help="Run only notebooks whose name matches this glob/substring.")
@click.option("-p", "params", multiple=True, metavar="NAME=VALUE", help="Override a notebook parameter.")
def reproduce(jobs, only, params):
    """Run every findings notebook with papermill and rebuild figures, tables and the report.

    Exits 1 when a notebook fails (the others still run), 2 on a bad option.
    """
    from .reproduce import reproduce as run_notebooks  # papermill loads only for this command

    summary = run_notebooks(jobs=jobs, only=only, params=list(params))
    return int((summary["status"] != "ok").any())


def main(argv=None):
    """Entry point: run the CLI, turning library errors into one line and exit code 2."""
    try:
        rv = cli.main(args=argv, prog_name="supportstats", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code if isinstance(exc, click.UsageError) else 2
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 1
    except (SupportstatsError, ValueError, KeyError, FileNotFoundError) as exc:
        msg = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        click.echo(f"error: {' '.join(str(msg).split())}", err=True)
        return 2
    # a command may return an int exit code (e.g. 1 when a check finds an inconsistency)
    return rv if isinstance(rv, int) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


def run():  # console-script entry point
    sys.exit(main())
