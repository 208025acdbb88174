"""The one exception family the library raises for bad input.

Every message is a single line naming the file, column and row where known, the
offending value, and what was expected, so the CLI can print it as is.
"""
from __future__ import annotations

__all__ = ["SupportstatsError", "InputError"]


class SupportstatsError(Exception):
    """Base class: the CLI turns these into one line on stderr and exit code 2."""


class InputError(SupportstatsError, ValueError):
    """Bad input data: a file, column, row or value that is not what was expected.

    Examples
    --------
    >>> str(InputError("not a score", file="a.csv", column="csat", row=7, value="140",
    ...                expected="a number from 0 to 100"))
    "a.csv: row 7: column 'csat': got '140'; expected a number from 0 to 100 (not a score)"
    """

    def __init__(self, message: str = "", *, file=None, column=None, row=None,
                 value=None, expected=None):
        self.message, self.file, self.column = message, file, column
        self.row, self.value, self.expected = row, value, expected
        super().__init__(str(self))

    def __str__(self) -> str:
        where = []
        if self.file is not None:
            where.append(str(self.file))
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        what = []
        if self.value is not None:
            what.append(f"got {str(self.value)!r}")
        if self.expected is not None:
            what.append(f"expected {self.expected}")
        text = "; ".join(what)
        if self.message:
            text = f"{text} ({self.message})" if text else self.message
        line = ": ".join(where + [text]) if where else text
        return " ".join(line.split())  # always one line
