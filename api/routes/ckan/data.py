"""The data dict of a CKAN action, read from the request as CKAN reads it, and run.

GET takes the query arguments, POST a JSON body or a form (ckan/views/api.py
`_get_request_data`). Bodies are read under caps (`api.uploads`); what would fail far from
here (deep nesting, integers past 64 bits, lone surrogates) is refused here, in CKAN's words.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request
from starlette.datastructures import ImmutableMultiDict

from api.uploads import read_body, read_multipart
from catalog.ckan import Action, DataDict
from catalog.errors import InvalidFields

# Nesting of a request's JSON; CKAN's deepest documents (a schema's field constraints inside
# a resource inside a package) are about six deep.
MAX_DEPTH = 64
TOO_DEEP = f"nested deeper than {MAX_DEPTH} levels"
# Digits of the longest integer read: 2**64 has 20; a longer one is refused, never parsed.
MAX_INT_DIGITS = 20
OUT_OF_RANGE = "a number is out of range"
DECODING = "Error decoding JSON data. Error: "
_SURROGATE = re.compile("[\ud800-\udfff]")
logger = logging.getLogger(__name__)


def run_action(known: Action, data: DataDict) -> Any:
    """Run an action. JSON can send any type for any argument, and the actions expect CKAN's:
    a crash on a type error with arguments of other JSON types is the caller's error."""
    try:
        return known.run(data)
    except (TypeError, AttributeError, OverflowError) as exc:
        kinds = {key: _json_kind(value) for key, value in data.items()}
        wrong = {key: [f"Unexpected JSON {kind}"] for key, kind in kinds.items() if kind}
        if not wrong:
            raise
        logger.warning("CKAN action refused arguments of unexpected types", exc_info=True)
        raise InvalidFields(wrong) from exc


def _json_kind(value: Any) -> str:
    """The JSON type of a non-string argument ("" for a string or an upload)."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if value is None:
        return "null"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else ""


async def request_data(
    request: Request, *, side_effect_free: bool, folder: Path | None = None, file_limit: int = 0
) -> DataDict:
    """The data dict as CKAN reads it: form, else URL arguments (reads only), else JSON.
    Bodies are read under caps (`api.uploads`); files go to `folder`, writes only."""
    if request.method == "GET" and not side_effect_free:
        raise ValueError("Invalid request. Please use POST method for your request")
    content_type = request.headers.get("content-type", "").lower()
    body = b""
    if request.method == "POST" and content_type.startswith("multipart/form-data"):
        items = await read_multipart(request, folder, file_limit=file_limit)
        if items:
            return _checked(_form_data(items))
    elif request.method == "POST":
        body = await read_body(request)
        if content_type.startswith("application/x-www-form-urlencoded"):
            fields = _urlencoded(body)
            if fields:
                return _checked(_form_data(fields))
    if request.query_params and side_effect_free:
        _check_query(request)
        return _checked(_mixed(request.query_params))
    if not body.strip():
        return {}
    return _checked(_json_object(body))


def _check_query(request: Request) -> None:
    """Refuse a query string whose %-escapes are not UTF-8 (`%ED%A0%80`, a UTF-8-encoded
    surrogate; `%FF`), which would otherwise reach the actions as replacement characters."""
    raw = request.scope.get("query_string", b"").decode("latin-1")
    try:
        parse_qsl(raw, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise ValueError("the query string is not UTF-8 text") from None


def _urlencoded(body: bytes) -> list[tuple[str, str]]:
    try:
        return parse_qsl(
            body.decode("utf-8"), keep_blank_values=True, errors="strict", max_num_fields=10_000
        )
    except UnicodeDecodeError:
        raise ValueError("the form is not UTF-8 text") from None


class _NotJson(ValueError):
    """What Python's JSON reader takes but JSON does not (or no engine below does)."""


def _bounded_int(digits: str) -> int:
    """A JSON integer, refused in our words past 64 bits' worth of digits (Python's own
    refusal past 4,300 digits names `sys.set_int_max_str_digits`)."""
    if len(digits.lstrip("-")) > MAX_INT_DIGITS:
        raise _NotJson(OUT_OF_RANGE)
    return int(digits)


def _no_constant(name: str) -> Any:
    """`NaN`, `Infinity`, `-Infinity`: Python's extensions, no JSON (RFC 8259)."""
    raise _NotJson(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    """A JSON number with a fraction or exponent; `1e999` would be Infinity."""
    number = float(text)
    if not math.isfinite(number):
        raise _NotJson(OUT_OF_RANGE)
    return number


def _loads(text: bytes | str) -> Any:
    """JSON as RFC 8259 has it: no NaN or Infinity, integers of at most 20 digits."""
    return json.loads(
        text, parse_int=_bounded_int, parse_float=_finite_float, parse_constant=_no_constant
    )


def bounded_json(text: bytes | str) -> Any:
    """A JSON document held to the bounds of the CKAN endpoint's (the one reader of JSON
    bodies): nested at most `MAX_DEPTH` deep (never Python's RecursionError), integers of 64
    bits, finite numbers, no lone surrogates; else ValueError saying why, in plain words."""
    try:
        return _checked(_loads(text))
    except RecursionError:
        raise ValueError(TOO_DEEP) from None
    except ValueError as exc:
        raise ValueError(_shown(str(exc).removeprefix(DECODING))) from None


def _json_object(text: bytes | str) -> DataDict:
    """A JSON document that must be an object, as CKAN words each refusal."""
    try:
        data = _loads(text)
    except RecursionError:
        raise ValueError(
            f"Error decoding JSON data. Error: nested deeper than {MAX_DEPTH}"
        ) from None
    except ValueError as exc:
        # The reason, not the exception's repr: callers read words, not Python.
        raise ValueError(f"Error decoding JSON data. Error: {_shown(str(exc))}") from None
    if not isinstance(data, dict):
        raise ValueError(
            f"Request data JSON decoded to {_shown(repr(data))} but it needs to be a dictionary."
        )
    return data


def _checked(data: DataDict) -> DataDict:
    """Refuse what would fail far from here: deep nesting, integers past 64 bits (no engine
    below takes them), and lone surrogates (which JSON's `\\ud800` escapes allow but no UTF-8
    answer or file can hold)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ValueError(f"Error decoding JSON data. Error: {TOO_DEEP}")
        if isinstance(value, str):
            if _SURROGATE.search(value):
                raise ValueError("Error decoding JSON data. Error: a string holds a lone surrogate")
            if value.lstrip()[:1] in ("{", "["):
                # JSON inside an argument (`filters`, `fields` in a URL): the actions parse
                # it later, so it is held to the same rules as a JSON body now.
                stack.extend((inner, depth + 1) for inner in _embedded_json(value))
        elif isinstance(value, int) and not -(2**63) <= value < 2**63:
            raise ValueError(f"Error decoding JSON data. Error: {OUT_OF_RANGE}")
        elif isinstance(value, dict):
            stack.extend((item, depth + 1) for pair in value.items() for item in pair)
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
    return data


def _embedded_json(text: str) -> list[Any]:
    """The JSON document `text` holds, as a one-item list; none when it is not JSON."""
    try:
        return [_loads(text)]
    except RecursionError:
        raise ValueError(f"Error decoding JSON data. Error: {TOO_DEEP}") from None
    except _NotJson as exc:
        raise ValueError(f"Error decoding JSON data. Error: {exc}") from None
    except ValueError:
        return []


def _shown(text: str) -> str:
    """Caller's text echoed in an error, cut short: a refused 8 MB array is not sent back."""
    return text if len(text) <= 200 else text[:200] + "…"


def _form_data(items: Sequence[tuple[str, Any]]) -> DataDict:
    values = [value for _, value in items]
    if len(values) == 1 and values[0] in ("1", ""):
        # a JSON document posted as the only form key (CKAN's old clients)
        return _json_object(items[0][0])
    grouped: dict[str, list[Any]] = {}
    for key, value in items:
        grouped.setdefault(key, []).append(value)
    # one value as itself, several as a list (CKAN's `mixed`)
    return {key: found[0] if len(found) == 1 else found for key, found in grouped.items()}


def _mixed(multi: ImmutableMultiDict[str, Any]) -> DataDict:
    """One value as itself, several as a list (CKAN's `mixed`)."""
    found: DataDict = {}
    for key in multi:
        values = multi.getlist(key)
        found[key] = values[0] if len(values) == 1 else values
    return found
