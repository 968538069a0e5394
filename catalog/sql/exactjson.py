"""JSON read and written again with its numbers as printed, digit for digit.

DuckDB renders rows as JSON text (`json_row_sql`) with decimals as stored or printed
(`211.50`, `68380.0000`, a 22-digit value). Python's `json` reads them as floats, which write
back `211.5`, `68380.0` or lose digits. Where that text must be read and written again (CKAN's
records, rewritten with CKAN's separators; the DataStore's JSON and XML dumps), `loads_exact`
keeps every number whose float would not write back its text as an `ExactNumber`, and
`dumps_exact` writes it as it was. A number the float writes back unchanged stays a float,
so such answers keep their bytes.

Text that is JSON already (a page of records DuckDB rendered, `JsonText`) is written by
`dumps_exact` as it is, never read: CKAN's API writes its DataStore records so
(ckan/lib/lazyjson.py), and so do we.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any


class ExactNumber(Decimal):
    """A JSON number as printed: a Decimal of its exact value whose text is the printed one."""

    text: str

    def __new__(cls, text: str) -> ExactNumber:
        number = super().__new__(cls, text)
        number.text = text
        return number

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class JsonText:
    """A JSON value already written as text (compact, UTF-8), which `dumps_exact` splices
    in unread: `[{"_id":1,...},...]` as DuckDB rendered a page. `value` reads it."""

    text: str

    def value(self) -> Any:
        return loads_exact(self.text)


def exact_number(text: str) -> float | ExactNumber:
    """The JSON number `text` (with a point or an exponent): a float if it writes back `text`."""
    value = float(text)
    return value if repr(value) == text else ExactNumber(text)


def loads_exact(text: str) -> Any:
    """`text` read as JSON, its numbers exact (`exact_number`); integers are ints, as always."""
    return json.loads(text, parse_float=exact_number)


def dumps_exact(
    value: Any, *, separators: tuple[str, str] = (", ", ": "), ensure_ascii: bool = False
) -> str:
    """`value` as `json.dumps` writes it, with each `ExactNumber` written as printed and
    each `JsonText` as it is.

    The encoder cannot write a number's own text, so each one is written first as a string
    holding a random token, then replaced; a token found more often than placed (a value
    holding it by chance) draws a new one.
    """
    written = None
    while written is None:
        written = _written(value, uuid.uuid4().hex, separators, ensure_ascii)
    return written


def _written(value: Any, token: str, separators: tuple[str, str], ensure_ascii: bool) -> str | None:
    """`value` written with numbers as printed through `token`; None if a value holds it."""
    texts: list[str] = []
    written = json.dumps(
        value,
        ensure_ascii=ensure_ascii,
        separators=separators,
        default=lambda number: _placeholder(number, token, texts, ensure_ascii),
    )
    if written.count(token) != len(texts):
        return None
    return _replaced(written, token, texts) if texts else written


def _placeholder(number: object, token: str, texts: list[str], ascii_only: bool) -> str:
    if isinstance(number, JsonText):
        texts.append(_ascii(number.text) if ascii_only else number.text)
    elif isinstance(number, ExactNumber):
        texts.append(number.text)
    else:
        raise TypeError(f"Object of type {type(number).__name__} is not JSON serializable")
    return f"{token}:{len(texts) - 1}"


def _replaced(written: str, token: str, texts: list[str]) -> str:
    """`written` with each placeholder string `"<token>:<n>"` replaced by `texts[n]`: split
    on the token, as a regex of a new token each time would be compiled each time."""
    first, *rest = written.split(f'"{token}:')
    pieces = [first]
    for piece in rest:
        index, _, after = piece.partition('"')
        pieces += [texts[int(index)], after]
    return "".join(pieces)


NOT_ASCII = re.compile(r"[^\x00-\x7f]+")


def _ascii(text: str) -> str:
    """JSON `text` with every character past ASCII escaped, as `ensure_ascii` writes it:
    valid JSON holds such characters only inside strings, where an escape means the same."""
    return NOT_ASCII.sub(lambda found: json.dumps(found[0])[1:-1], text)
