"""The ``supportstats`` command line: claims, synth, clean, reproduce, kernels.

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
@click.option("--survey", default=None, help="Survey schema (benchmark, trends, cs_ops); default: the map's, else guessed from the file name.")
@click.option("--map", "column_map", type=click.Path(), default=None, help="Column map (YAML) from your export to the schema.")
@click.option("--out", type=click.Path(file_okay=False), default=None, help="Output folder (default: data/processed).")
def clean(path, survey, column_map, out):
    """Clean one raw export and print the exclusions report.

    PATH may be CSV (any common encoding and delimiter), .xlsx, SPSS .sav or Stata .dta,
    including Qualtrics/SurveyMonkey exports; see docs/column_maps.md for --map.
    """
    from pathlib import Path

    from . import schema
    from .clean import clean_survey, guess_survey, write_clean
    from .errors import InputError
    from .io import apply_column_map, load_column_map, read_table
    from .paths import DATA_PROCESSED, DATA_RAW

    out_dir = Path(out) if out else DATA_PROCESSED
    resolved = out_dir.resolve()
    if resolved == DATA_RAW.resolve() or DATA_RAW.resolve() in resolved.parents:
        raise InputError("the pipeline never writes under data/raw", file=out_dir,
                         expected="an --out folder outside data/raw")
    # every check that can fail runs before anything is written, so bad input leaves --out untouched
    cmap = load_column_map(column_map) if column_map else None
    raw = read_table(path, **(cmap["read"] if cmap else {}))
    guessed_survey, guessed_wave = guess_survey(path)
    if survey and cmap and cmap["survey"] and survey != cmap["survey"]:
        raise InputError(f"--survey {survey} contradicts the map", file=column_map, column="survey",
                         value=cmap["survey"], expected=f"survey: {survey}")
    survey = survey or (cmap and cmap["survey"]) or guessed_survey
    if survey is None:
        raise InputError("cannot tell which survey this export belongs to", file=path,
                         expected="--survey NAME, a map with 'survey:', or a file name containing it")
    if survey not in schema.SURVEYS:
        raise InputError("unknown survey", file=path, column="survey", value=survey,
                         expected="one of " + ", ".join(schema.SURVEYS))
    wave = guessed_wave
    if cmap and "wave" in cmap["constants"]:
        text = cmap["constants"]["wave"]
        if not text.isdigit():
            raise InputError("not a year", file=column_map, column="wave", value=text,
                             expected="a wave such as " + ", ".join(map(str, schema.SURVEYS[survey])))
        wave = int(text)
    if cmap:
        raw = apply_column_map(raw, cmap, source=path)
    result = clean_survey(raw, survey, wave=wave, source=str(path))
    try:
        written = write_clean(result, out_dir)
    except OSError as exc:  # e.g. a read-only folder: one line, like every other failure
        raise InputError(f"cannot write the cleaned data: {exc.strerror or exc}", file=out_dir,
                         expected="a writable --out folder") from None
    click.echo(f"{path}: {survey} {result.wave}")
    click.echo(result.report.to_string(index=False))
    click.echo(f"n_raw = n_clean + n_excluded: {result.n_raw} = {result.n_clean} + {result.n_excluded}")
    if result.n_excluded:
        by_reason = result.exclusions.groupby(["step", "reason"], sort=True).size()
        for (step, reason), n in by_reason.items():
            click.echo(f"  {step}: {reason}: {n}")
    for p in written:
        click.echo(f"wrote {p}")
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
            click.echo(f"zygote {z['pid']}: {len(z['kernels'])} kernel(s) {z['kernels']}, {z['users']} user(s), "
                       f"hash seed {z['hash_seed']}, {z['python']}, {z['socket']}")
        click.echo(f"{len(found)} zygote(s)")
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
