"""``make review``: every notebook run afresh, diffed cell by cell against the committed one.

``python -m supportstats.review`` (what ``make review`` runs)

1. runs every notebook as a what-if run (:func:`fresh_run`), never over committed files;
2. diffs each notebook with nbdime in git's orientation: *old* is the committed notebook
   (``HEAD``), *new* the fresh run; ``-`` lines are what the commit has, ``+`` lines what
   the code makes now (nbval's failure report reads the other way round);
3. labels every changed cell with the registry claims it concerns (:mod:`supportstats.nbdiff`);
4. prints the diffs and writes HTML under ``reports/review/`` (git-ignored): an index, one
   page per changed notebook, and nbdime's side-by-side view, which works offline;
5. ends with ``supportstats diff`` of the findings table (committed → fresh run).
"""
from __future__ import annotations

import argparse
import html
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd

from . import paths
from .errors import InputError, SupportstatsError
from .nbdiff import (_STYLE, _changes_table, copy_nbdime_static, format_notebook_diff, nbdime_view_page,
                     notebook_changes, notebook_diff_page)

__all__ = ["fresh_run", "failed_notebooks", "review_notebooks"]

REVIEW_DIR = "reports/review"


def _registry_ids(root: Path) -> list[str]:
    try:
        return pd.read_csv(root / "data" / "raw" / "published_claims.csv", usecols=["claim_id"],
                           dtype=str)["claim_id"].dropna().tolist()
    except (OSError, ValueError):
        return []


# ----------------------------------------------------------------------------- the run

def _runner_takes_name() -> bool:
    from .cli import reproduce as command

    return any(p.name == "name" for p in command.params)


def fresh_run(name: str = "review", *, root=None, jobs=None) -> tuple[Path, int]:
    """Run every notebook as a what-if run; return its folder and the runner's exit code.

    With a runner that takes ``--name`` (what-if runs under ``runs/<name>/``) this is
    ``supportstats reproduce --name NAME``. Until then, the notebooks, ``data/`` and
    ``figures/`` are copied to ``reports/review/run/`` (git-ignored) and the runner runs
    there with ``SUPPORTSTATS_ROOT`` pointing at the copy, so no committed file is written.
    Exit code 1 means a notebook failed (its executed copy is kept, see :func:`failed_notebooks`).
    """
    root = Path(paths.ROOT if root is None else root)
    bindir = Path(sys.executable).parent
    env = dict(os.environ, PATH=f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}")
    if _runner_takes_name():
        env["SUPPORTSTATS_ROOT"] = str(root)
        cmd = [str(bindir / "supportstats"), "reproduce", "--name", name] + (["--jobs", str(jobs)] if jobs else [])
        folder, cwd = root / "runs" / name, root
    else:
        folder = cwd = root / REVIEW_DIR / "run"
        if folder.exists():
            shutil.rmtree(folder)
        for part in ("notebooks", "data/raw", "data/processed", "figures"):
            if (root / part).exists():
                shutil.copytree(root / part, folder / part, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        env["SUPPORTSTATS_ROOT"] = str(folder)  # paths.ROOT of the runner and of every kernel
        code = ("import sys; from supportstats.reproduce import reproduce; "
                f"s = reproduce(jobs={int(jobs) if jobs else None}); sys.exit(int((s['status'] != 'ok').any()))")
        cmd = [sys.executable, "-c", code]
    rc = subprocess.run(cmd, cwd=cwd, env=env, check=False).returncode
    if rc not in (0, 1):
        raise SupportstatsError(f"the notebook run stopped (exit {rc}); nothing to review")
    return folder, rc


def _notebook_folder(run: Path) -> Path:
    return run / "notebooks" if (run / "notebooks").is_dir() else run


def failed_notebooks(run) -> dict[str, Path]:
    """The executed copies of the notebooks that failed in a run (``reports/failed/*.ipynb``)."""
    run = Path(run)
    found = {}
    for folder in (run / "reports" / "failed", run / "failed"):
        for p in sorted(folder.glob("*.ipynb")):
            found.setdefault(p.stem, p)
    return found


# ----------------------------------------------------------------------------- the review

def _read_nb(text: str, label: str):
    import nbformat

    try:
        return nbformat.reads(text, as_version=4)
    except Exception as exc:  # nbformat raises several types for broken JSON
        raise InputError(f"not a readable notebook ({type(exc).__name__})", file=label) from None


def _old_notebooks(old: str, root: Path) -> dict[str, tuple[str, str]]:
    """name -> (label, text) of the committed notebooks: a git revision's, or a folder's."""
    folder = Path(old) if Path(old).is_dir() else root / old if (root / old).is_dir() else None
    if folder is not None:
        folder = _notebook_folder(folder)
        return {p.stem: (str(p), p.read_text(encoding="utf-8")) for p in sorted(folder.glob("[0-9][0-9]_*.ipynb"))}
    from .diff import _git, _is_revision

    if not _is_revision(old, root):
        raise InputError("not a git revision or a folder of notebooks", value=old, expected="e.g. HEAD")
    listed = _git(root, "ls-tree", "--name-only", f"{old}:notebooks").stdout.decode().split()
    out = {}
    for name in sorted(n for n in listed if re.fullmatch(r"\d\d_.*\.ipynb", n)):
        shown = _git(root, "show", f"{old}:./notebooks/{name}")
        out[Path(name).stem] = (f"{old}:notebooks/{name}", shown.stdout.decode("utf-8"))
    return out


def review_notebooks(new, old: str = "HEAD", *, root=None, out=None, claim_ids=None, stream=None,
                     color: bool = False) -> pd.DataFrame:
    """Diff each notebook of a run against the committed one; print the diffs, write HTML.

    Parameters
    ----------
    new : path-like
        A run folder (its ``notebooks/``) or a folder of executed ``NN_*.ipynb``. A
        notebook that failed in the run is taken from ``reports/failed/`` (its traceback is the diff).
    old : str
        A git revision (default ``HEAD``) or a folder of notebooks: the *old* side.
    root : path-like, optional
        The project (default :data:`supportstats.paths.ROOT`).
    out : path-like, optional
        Folder for the HTML (default ``reports/review/``): ``index.html``, ``<notebook>.html``
        (the labelled diff) and ``<notebook>.nbdime.html`` (nbdime's side-by-side view, offline).
    claim_ids : iterable of str, optional
        Default: the registry's.
    stream : file-like, optional
        Where the terminal diff goes (default: nowhere).

    Returns
    -------
    DataFrame
        One row per notebook: ``notebook, status`` (``changed``, ``unchanged``, ``added``,
        ``removed``, ``failed``), ``cells`` (cells changed), ``claims`` and ``page`` (the HTML written).
    """
    from .outputs import atomic_path

    root = Path(paths.ROOT if root is None else root)
    out = Path(root / REVIEW_DIR if out is None else out)
    claim_ids = _registry_ids(root) if claim_ids is None else list(claim_ids)
    run = Path(new)
    fresh = {p.stem: p for p in sorted(_notebook_folder(run).glob("[0-9][0-9]_*.ipynb"))}
    failed = failed_notebooks(run)
    fresh.update(failed)
    committed = _old_notebooks(old, root)
    if not fresh:
        raise InputError("no notebooks to review", file=run, expected="NN_*.ipynb in the run's notebooks/")
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("*.html"):
        stale.unlink()
    rows = []
    for name in sorted(set(fresh) | set(committed)):
        if name not in fresh:
            rows.append((name, "removed", 0, "", ""))
            continue
        import nbformat

        new_label = str(fresh[name].relative_to(root) if fresh[name].is_relative_to(root) else fresh[name])
        new_nb = _read_nb(fresh[name].read_text(encoding="utf-8"), new_label)
        old_label, old_text = committed.get(name, (f"{old} (no such notebook)", None))
        old_nb = _read_nb(old_text, old_label) if old_text is not None else nbformat.v4.new_notebook()
        table = notebook_changes(old_nb, new_nb, claim_ids)
        status = "failed" if name in failed else "added" if old_text is None else "changed" if len(table) else "unchanged"
        claims = ", ".join(dict.fromkeys(c for cs in table["claims"] for c in cs.split(", ") if c))
        page = ""
        if len(table):
            view = f"{name}.nbdime.html"
            copy_nbdime_static(out / "static")
            with atomic_path(out / view) as tmp:
                tmp.write_text(nbdime_view_page(old_nb, new_nb, title=name, old_label=old_label,
                                                new_label=new_label, summary=_changes_table(table)),
                               encoding="utf-8")
            with atomic_path(out / f"{name}.html") as tmp:
                tmp.write_text(notebook_diff_page(old_nb, new_nb, claim_ids, title=name, old_label=old_label,
                                                  new_label=new_label, view=view), encoding="utf-8")
            page = str(out / f"{name}.html")
            if stream is not None:
                stream.write(format_notebook_diff(old_nb, new_nb, claim_ids, old_label=old_label,
                                                  new_label=new_label, color=color) + "\n")
        rows.append((name, status, len(table), claims, page))
    summary = pd.DataFrame(rows, columns=["notebook", "status", "cells", "claims", "page"])
    with atomic_path(out / "index.html") as tmp:
        tmp.write_text(_index_page(summary, old, run), encoding="utf-8")
    return summary


def _index_page(summary: pd.DataFrame, old: str, run: Path) -> str:
    esc = html.escape
    rows = "".join(
        f"<tr><td>{f'<a href={chr(39)}{esc(r.notebook)}.html{chr(39)}>{esc(r.notebook)}</a>' if r.page else esc(r.notebook)}"
        f"</td><td>{esc(r.status)}</td><td>{r.cells}</td><td class='claims'>{esc(r.claims)}</td></tr>"
        for r in summary.itertuples(index=False))
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>review</title><style>{_STYLE}</style>"
            f"</head><body><h1>Notebook review</h1><p>Git's orientation: <span class='del'>- {esc(old)}</span> → "
            f"<span class='ins'>+ fresh run ({esc(str(run))})</span></p><table><tr><th>notebook</th><th>status</th>"
            f"<th>cells changed</th><th>claims</th></tr>{rows}</table></body></html>\n")


def _few(claims: str, keep: int = 3) -> str:
    ids = [c for c in claims.split(", ") if c]
    return ", ".join(ids[:keep]) + (f" (+{len(ids) - keep} more)" if len(ids) > keep else "")


def main(argv=None) -> int:
    """``python -m supportstats.review``: what ``make review`` runs. Exit 1 if a notebook failed to run."""
    ap = argparse.ArgumentParser(prog="python -m supportstats.review", description=__doc__.splitlines()[0])
    ap.add_argument("--old", default="HEAD", help="git revision or folder of the old notebooks (default HEAD)")
    ap.add_argument("--new", default=None, help="an existing run folder to review instead of running the notebooks")
    ap.add_argument("--name", default="review", help="name of the what-if run (runs/NAME/ with a runner that takes --name)")
    ap.add_argument("--jobs", "-j", type=int, default=None, help="worker processes for the run")
    ap.add_argument("--color", action=argparse.BooleanOptionalAction, default=None, help="colour the terminal diff")
    args = ap.parse_args(argv)
    color = sys.stdout.isatty() if args.color is None else args.color
    try:
        rc = 0
        if args.new:
            run = Path(args.new)
        else:
            run, rc = fresh_run(args.name, jobs=args.jobs)
        summary = review_notebooks(run, args.old, stream=sys.stdout, color=color)
        shown = summary.drop(columns="page").assign(claims=summary["claims"].map(_few))
        print(shown.to_string(index=False))
        print(f"HTML: {Path(paths.ROOT) / REVIEW_DIR / 'index.html'}\n")
        from .diff import diff_findings, format_findings_diff

        root = Path(paths.ROOT).resolve()
        run = run.resolve()
        label = str(run.relative_to(root)) if run.is_relative_to(root) else str(run)
        try:
            print(format_findings_diff(diff_findings(args.old, label), color=color))
        except InputError as exc:
            print(f"findings: not compared ({exc})")
        if (summary["status"] == "failed").any() or rc:
            print("error: a notebook failed to run; its traceback is in the diff above", file=sys.stderr)
            return 1
        return 0
    except (SupportstatsError, OSError) as exc:
        print(f"error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
