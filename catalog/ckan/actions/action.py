"""One served action: its function, refusing text UTF-8 cannot carry, and its help text.

The table of every action by name is `catalog.ckan.actions.registry`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from catalog.ckan.shapes import DataDict
from catalog.errors import InvalidFields


@dataclass(frozen=True)
class Action:
    run: Callable[[DataDict], Any]
    doc: str


def checked(run: Callable[[DataDict], Any]) -> Callable[[DataDict], Any]:
    """`run`, refusing data holding text no UTF-8 can carry (a lone surrogate from a JSON
    `\\ud800` escape) as a Validation Error, before it reaches DuckDB or a file name."""

    def run_checked(data: DataDict) -> Any:
        bad = _unencodable(data)
        if bad is not None:
            raise InvalidFields({bad: ["Invalid text: a lone surrogate (U+D800 to U+DFFF)"]})
        return run(data)

    return run_checked


def _unencodable(data: DataDict) -> str | None:
    """The top-level key under which `data` holds text UTF-8 cannot encode, or None.

    A walk with a stack, not recursion: JSON nests as deep as the decoder allowed.
    """
    stack: list[tuple[str, Any]] = [(key, key) for key in data]
    stack += [(key, value) for key, value in data.items()]
    while stack:
        key, value = stack.pop()
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return key.encode("utf-8", "replace").decode("utf-8")
        elif isinstance(value, dict):
            stack += [(key, item) for pair in value.items() for item in pair]
        elif isinstance(value, list | tuple):
            stack += [(key, item) for item in value]
    return None
