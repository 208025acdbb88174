"""What the runner prints: a progress line per notebook (a live bar on a terminal) and the summary table."""
from __future__ import annotations

import os
import sys

__all__ = ["Progress", "print_summary"]


class Progress:
    """A rich progress bar on a terminal, plain lines otherwise (CI logs, pipes)."""

    @staticmethod
    def is_live() -> bool:
        from rich.console import Console

        return Console(stderr=True).is_terminal and not os.environ.get("CI")

    def __init__(self, total, enabled):
        from rich.console import Console

        self.console = Console(stderr=True)
        self.live = enabled and self.console.is_terminal and not os.environ.get("CI")
        self.enabled, self.total, self.done = enabled, total, 0
        if self.live:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self.bar = Progress(SpinnerColumn(), TextColumn("reproduce"), BarColumn(), MofNCompleteColumn(),
                                TimeElapsedColumn(), TextColumn("{task.description}"), console=self.console)
            self.task = self.bar.add_task("", total=total)
            self.bar.start()

    def update(self, res):
        self.done += 1
        line = f"[{self.done}/{self.total}] {res['status']:<6} {res['notebook']}  {res['seconds']:.1f} s"
        if self.live:
            self.bar.console.print(line, highlight=False, markup=False)
            self.bar.update(self.task, advance=1, description=res["notebook"])
        elif self.enabled:
            print(line, file=sys.stderr, flush=True)

    def close(self):
        if self.live:
            self.bar.stop()


def print_summary(summary):
    """Print a run's summary: a DataFrame, or rows as dicts (``reproduce(as_frame=False)``)."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console()
    if not console.is_terminal:  # CI logs and pipes: wide enough that errors stay on one line
        console = Console(width=200)
    table = Table(title="reproduce summary", title_justify="left")
    for col, justify in [("notebook", "left"), ("status", "left"), ("seconds", "right"),
                         ("cell", "right"), ("error", "left")]:
        table.add_column(col, justify=justify, overflow="fold")
    rows = summary.to_dict("records") if hasattr(summary, "to_dict") else summary
    for row in rows:
        status = "[green]ok[/]" if row["status"] == "ok" else "[bold red]failed[/]"
        cell = "" if row["cell"] is None or str(row["cell"]) in ("nan", "<NA>") else str(row["cell"])
        table.add_row(Text(row["notebook"]), status, f"{row['seconds']:.1f}", cell, Text(row["error"]))
    console.print(table)
