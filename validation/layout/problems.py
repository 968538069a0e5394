"""What a printed table can get wrong against its layout, each at its line and column."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LayoutProblem:
    """One line (and column, where it applies) that does not fit the layout."""

    message: str
    line: int | None = None
    column: int | None = None
    expected: str | None = None
    found: str | None = None

    def located(self, path: str) -> str:
        """The message after `path line N, column C: `, as a steward reads it."""
        where = path
        if self.line is not None:
            where += f" line {self.line}"
        if self.column is not None:
            where += (
                f", column {self.column}" if self.line is not None else f" column {self.column}"
            )
        return f"{where}: {self.message}"


class LayoutFailure(Exception):
    """The file does not fit its layout: nothing of it may be published."""

    def __init__(self, problems: list[LayoutProblem]) -> None:
        super().__init__("; ".join(problem.message for problem in problems))
        self.problems = problems
