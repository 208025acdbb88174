"""The ``supportstats`` command line: claims, synth, anes96, clean, survey (init, check), reproduce, diff, kernels.

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
    from .claim_checks import CHECK_STATUSES, check_claims
    from .claims import claims_table, format_table, load_claims

    registry = load_claims(path)
    if not check:
        click.echo(format_table(claims_table(registry), {"value": 24, "base": 40}))
        click.echo(f"{len(registry)} claims")
        return 0
    checks = check_claims(registry)
    click.echo(format_table(checks[["check", "claim_id", "status", "detail"]], {"detail": 100}))
    counts = checks["status"].value_counts()
    summary = ", ".join(f"{counts.get(s, 0)} {s}" for s in CHECK_STATUSES)
    click.echo(f"{len(checks)} checks on {checks['claim_id'].nunique()} claims: {summary}")
    # contradictions first: they are why the exit code is 1
    flagged = checks[checks["status"].isin(["inconsistent", "warning"])]
    flagged = flagged.sort_values("status", key=lambda s: s.ne("inconsistent"), kind="stable")
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
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Folder to write into (default: data/raw/anes96).")
def anes96(out):
    """Write the bundled real survey, ANES 1996 as statsmodels ships it, byte for byte."""
    from .anes96 import write_anes96

    for path in write_anes96(out):
        click.echo(f"wrote {path}")
    return 0


@cli.command()
@click.argument("path", type=click.Path())
@click.option("--survey", default=None, help="Built-in survey (benchmark, cs_ops, trends); default: the map's, else a name in the file name.")
@click.option("--survey-file", type=click.Path(), default=None, help="Your own survey definition (YAML); see docs/survey_definitions.md.")
@click.option("--wave", default=None, help="Wave (year) of the export, any year; default: the map's, else a year in the file name.")
@click.option("--map", "column_map", type=click.Path(), default=None, help="Column map (YAML) from your export to the survey's columns.")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Output folder (default: data/processed for an export inside the project, else a cleaned/ folder next to it).")
def clean(path, survey, survey_file, wave, column_map, out):
    """Clean one raw export and print the exclusions report.

    PATH may be CSV (any common encoding and delimiter), .xlsx, SPSS .sav or Stata .dta,
    including Qualtrics/SurveyMonkey exports; see docs/column_maps.md for --map.
    """
    from pathlib import Path

    from .clean import clean_file, format_report, write_clean
    from .definition import builtin_surveys
    from .errors import InputError
    from .paths import DATA_PROCESSED, DATA_RAW, ROOT, is_within

    # a user's respondents never land in the project unless they asked for it
    out_dir = Path(out) if out else DATA_PROCESSED if is_within(path, ROOT) else Path(path).parent / "cleaned"
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
@click.option("--only", default=None, help="Run only notebooks whose name matches this glob/substring (a what-if run).")
@click.option("-p", "params", multiple=True, metavar="NAME=VALUE", help="Override a notebook parameter (a what-if run).")
@click.option("--lang", default=None, help="Same as -p lang=LANG on every notebook that declares lang (a what-if run).")
@click.option("--name", default=None, help="Folder of the what-if run under runs/ (default: made from the overrides).")
@click.option("--timeout", type=float, default=None, help="Seconds one notebook may run before it fails (default: 1800).")
@click.option("--wait", is_flag=True, help="Wait for a run already in progress instead of exiting at once.")
def reproduce(jobs, only, params, lang, name, timeout, wait):
    """Run every findings notebook with papermill and rebuild figures, tables and the report.

    A plain run (no -p, --only, --lang or --name) updates the committed outputs in place,
    once every notebook has passed. Any other run is a what-if run, saved whole under
    runs/NAME/; it never changes committed files. Exits 1 when a notebook fails (the
    others still run), 2 on a bad option or when another run holds the lock, 130 on Ctrl-C.
    """
    from .reproduce import DEFAULT_TIMEOUT
    from .reproduce import reproduce as run_notebooks  # papermill loads only for this command

    rows = run_notebooks(jobs=jobs, only=only, params=list(params), lang=lang, name=name, wait=wait,
                         timeout=DEFAULT_TIMEOUT if timeout is None else timeout, as_frame=False)
    return int(any(row["status"] != "ok" for row in rows))


@cli.command()
@click.argument("old", required=False)
@click.argument("new", required=False)
@click.option("--verdicts-only", is_flag=True, help="Exit 1 only when a verdict changed; ignore numbers and text that moved.")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True,
              help="text for a terminal, markdown for a CI comment, json for tools.")
@click.option("--color/--no-color", default=None, help="Colour the text format (default: on a terminal).")
def diff(old, new, verdicts_only, fmt, color):
    """Compare two findings tables claim by claim: what changed, old → new.

    OLD and NEW are each a findings CSV, a run folder (runs/NAME/), or a git revision
    (HEAD, HEAD~1, a branch: its committed data/processed/findings.csv). Default: OLD is
    HEAD, NEW the working tree's data/processed/findings.csv.

    Exits 0 when nothing changed, 1 when something did, 2 on bad input.
    """
    from .diff import diff_findings, findings_diff_status, format_findings_diff

    changes = diff_findings(old or "HEAD", new)
    color = sys.stdout.isatty() if color is None else color
    click.echo(format_findings_diff(changes, fmt, verdicts_only=verdicts_only, color=color and fmt == "text"),
               color=color)
    return findings_diff_status(changes, verdicts_only=verdicts_only)


@cli.command()
@click.option("--install", is_flag=True, help="Install the 'supportstats' kernelspec into this Python's prefix.")
@click.option("--stop", is_flag=True, help="Stop every warm-kernel zygote of this user, and their kernels.")
def kernels(install, stop):
    """List the warm-kernel zygotes (default), install the kernelspec, or stop them all."""
    from .kernels import client, install_kernelspec

    if install:
        click.echo(f"installed {install_kernelspec()}")
    if stop:
        pids = client.stop_zygotes()
        click.echo(f"stopped {len(pids)} zygote(s)" + (f": {', '.join(map(str, pids))}" if pids else ""))
    if not install and not stop:
        found = client.zygotes()
        for z in found:
            ends = "" if z.get("ends_in") is None else f", unused: ends in {z['ends_in']} s"
            click.echo(f"zygote {z['pid']}: {len(z['kernels'])} kernel(s) {z['kernels']}, {z['users']} user(s){ends}, "
                       f"hash seed {z['hash_seed']}, {z['python']}, {z['socket']}")
        click.echo(f"{len(found)} zygote(s)" + (" (supportstats kernels --stop ends them now)" if found else ""))
    return 0


def main(argv=None):
    """Entry point: run the CLI, turning library errors into one line and exit code 2."""
    try:
        rv = cli.main(args=argv, prog_name="supportstats", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code if isinstance(exc, click.UsageError) else 2
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("interrupted", err=True)
        return 130
    except SupportstatsError as exc:
        if type(exc).__name__ == "RunInterrupted":  # the runner cleaned up after Ctrl-C
            click.echo(str(exc), err=True)
            return 130
        click.echo(f"error: {' '.join(str(exc).split())}", err=True)
        return 2
    except (ValueError, KeyError, FileNotFoundError) as exc:
        msg = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        click.echo(f"error: {' '.join(str(msg).split())}", err=True)
        return 2
    # a command may return an int exit code (e.g. 1 when a check finds an inconsistency)
    return rv if isinstance(rv, int) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


def run():  # console-script entry point
    from .quick_exit import exit_now

    exit_now(main())  # the process ends here: its modules need not be freed one by one
