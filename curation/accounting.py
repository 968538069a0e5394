"""The self-check that no source row is lost: rows in = preferred + duplicates + alternatives."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tally:
    """Where the rows of one input file went."""

    preferred: int
    duplicates: int
    alternatives: int

    @property
    def total(self) -> int:
        return self.preferred + self.duplicates + self.alternatives


def check_accounting(name: str, rows_in: int, tally: Tally) -> None:
    """Every input row is preferred, an agreeing duplicate, or an alternative — none lost.

    Prints the tally of each file, so a run shows where every row went.
    """
    if rows_in != tally.total:
        raise AssertionError(
            f"{name}: {rows_in} rows in, but {tally.preferred} preferred +"
            f" {tally.duplicates} duplicates + {tally.alternatives} alternatives"
        )
    print(
        f"{name}: {rows_in} rows = {tally.preferred} preferred"
        f" + {tally.duplicates} duplicates + {tally.alternatives} alternatives"
    )
