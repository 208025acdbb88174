"""The ``supportstats`` command line: claims, synth, clean, reproduce.

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
    raise click.ClickException("not implemented yet")


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
@click.option("--survey", default=None, help="Survey schema (benchmark, trends, cs_ops); guessed from the file name if omitted.")
@click.option("--map", "column_map", type=click.Path(), default=None, help="Column map (YAML) from your export to the schema.")
@click.option("--out", type=click.Path(file_okay=False), default=None, help="Output folder (default: data/processed).")
def clean(path, survey, column_map, out):
    """Clean one raw export and print the exclusions report."""
    raise click.ClickException("not implemented yet")


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
