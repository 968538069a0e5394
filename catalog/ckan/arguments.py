"""CKAN's argument validators, one of each, shared by every action and the DataStore.

They read values as CKAN 2.12 reads them (ckan/logic/validators.py, ckan/lib/navl/
validators.py, ckan/common.py `asbool`), where CKAN reads the same argument two ways, taking
every value either way accepts:

- booleans: `true`, `yes`, `on`, `y`, `t`, `1` (any case, spaces around) are true, as is a
  JSON `true` or a non-zero number; anything else is false (CKAN's `boolean_validator`; its
  `asbool` would fail with a server error on text it does not know); missing or empty takes
  the argument's default (CKAN's `default(...)` before the validator).
- integers (`int_validator`): a whole number as a JSON number (`5`, `5.0`, `true` as 1) or as
  base-10 text; missing or blank is no value; anything else is "Invalid integer".
- naturals and positives: integers at least 0 (or 1), with CKAN's messages; a bound of ours
  may cap them ("Must be at most ...").

A fault is an `InvalidFields` naming the argument: CKAN's `Validation Error`.
"""

from __future__ import annotations

import json
from typing import Any

from catalog.errors import InvalidFields

TRUE = frozenset({"true", "yes", "on", "y", "t", "1"})


def boolean(value: Any, default: bool = False) -> bool:
    """`value` as CKAN's booleans read it (see the module); `default` when missing or empty."""
    if value is None or value == "":
        return default
    if isinstance(value, bool | int):
        return bool(value)
    return isinstance(value, str) and value.strip().lower() in TRUE


def integer(value: Any, key: str) -> int | None:
    """CKAN's int_validator: None for a missing or blank value, else a whole number."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    try:
        return int(str(value).strip())
    except ValueError:
        raise InvalidFields({key: ["Invalid integer"]}) from None


def natural(value: Any, key: str, *, positive: bool = False, most: int | None = None) -> int | None:
    """CKAN's natural_number_validator (or is_positive_integer), None when missing or blank;
    past `most`, when given, a fault of ours."""
    number = integer(value, key)
    if number is None:
        return None
    if number < (1 if positive else 0):
        message = "Must be a positive integer" if positive else "Must be a natural number"
        raise InvalidFields({key: [message]})
    if most is not None and number > most:
        raise InvalidFields({key: [f"Must be at most {most}"]})
    return number


def text(value: Any) -> str:
    """CKAN's `unicode_safe`: a string as itself, anything else as its text."""
    if isinstance(value, str):
        return value
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def strings(value: Any) -> tuple[list[str], str]:
    """CKAN's `list_of_strings` (a string counting as a list of one): the list, or the
    message the fault gets."""
    if isinstance(value, str):
        return [value], ""
    if not isinstance(value, list):
        return [], "Not a list"
    bad = [item for item in value if not isinstance(item, str)]
    if bad:
        return [], f"Not a string: {bad[0]}"
    return value, ""


def names(value: Any, key: str) -> list[str]:
    """The DataStore's `list_of_strings_or_string`, a string split at its commas."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [name.strip() for name in value.split(",") if name.strip()]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return [item.strip() for item in value]
    raise InvalidFields({key: ["Not a string or list of strings"]})
