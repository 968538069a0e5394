"""What every check needs to know about the resource it reports on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pyarrow as pa

from validation.errors import ReportError
from validation.reading.readers import RawTable


@dataclass
class Sink:
    """Collects errors up to a limit, so a broken million-row file stays a short report."""

    limit: int
    errors: list[ReportError] = field(default_factory=list)
    dropped: int = 0

    @property
    def room(self) -> int:
        return max(self.limit - len(self.errors), 0)

    def add(self, error: ReportError) -> None:
        if len(self.errors) < self.limit:
            self.errors.append(error)
        else:
            self.dropped += 1

    def extend(self, errors: list[ReportError]) -> None:
        for error in errors:
            self.add(error)


@dataclass
class ResourceContext:
    """One resource being validated: its descriptor, its text and, once typed, its table."""

    name: str
    path: str
    descriptor: Mapping[str, Any]
    raw: RawTable
    typed: pa.Table | None = None

    @property
    def schema(self) -> Mapping[str, Any]:
        schema: Mapping[str, Any] = self.descriptor["schema"]
        return schema

    @property
    def fields(self) -> list[Mapping[str, Any]]:
        return list(self.schema["fields"])

    def field_number(self, name: str) -> int | None:
        for number, field_ in enumerate(self.fields, start=1):
            if field_["name"] == name:
                return number
        return None

    def cells(self, row: int) -> tuple[str, ...]:
        """The source cells of the row numbered ``row``."""
        rows = self.raw.rows.to_numpy()
        index = int(np.searchsorted(rows, row))
        if index >= len(rows) or rows[index] != row:
            return ()
        return self.raw.cells(index)

    def with_cells(self, error: ReportError) -> ReportError:
        """``error`` carrying its row's source cells, as Frictionless reports do."""
        return replace(error, cells=self.cells(error.row)) if error.row is not None else error
