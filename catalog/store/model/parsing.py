"""Descriptor documents into the model, with errors a steward can act on.

pydantic reports a location such as `('resources', 0, 'schema', 'fields', 2, 'titel')`;
the steward wants "resources[0].schema.fields[2].titel: unknown key (did you mean
`title`?)" and the file it is in; a code outside its vocabulary likewise gets "frequency:
unknown value `anual` (did you mean `annual`?)". The nearest key is looked for among the keys
that the object at that place declares (difflib, as Python's own "did you mean" does).
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from typing import Any, Union

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from catalog.errors import OpenDataError
from catalog.store.model.package import Document, Package
from validation import printable


def parse_package(document: Any, origin: str, error: type[OpenDataError]) -> Package:
    """The model of `document` (read from `origin`); `error` naming every fault otherwise."""
    if not isinstance(document, dict):
        raise error(f"{origin}: expected a mapping at the top level")
    package, faults = try_package(document)
    if package is None:
        raise error(f"{origin}: {listed(faults)}")
    return package


def try_package(document: Document) -> tuple[Package | None, dict[str, str]]:
    """The model of `document` and no faults, or None and {place: message} for each fault."""
    try:
        return Package.of(document), {}
    except ValidationError as exc:
        return None, _faults(exc)


def listed(faults: dict[str, str]) -> str:
    """The faults as one message; a key or value from the document is shown escaped
    (`\\x1b`), so that printing the message cannot drive the steward's terminal."""
    return printable("; ".join(f"{place}: {message}" for place, message in faults.items()))


def _faults(exc: ValidationError) -> dict[str, str]:
    """One message per place; a value that fits no member of a union gets them all in one."""
    found: dict[str, list[str]] = {}
    for detail in exc.errors():
        place, message = _place_and_message(detail)
        found.setdefault(place, []).append(message)
    return {place: _either(messages) for place, messages in found.items()}


def _either(messages: list[str]) -> str:
    if len(messages) == 1:
        return messages[0]
    return "Input should be " + " or ".join(m.removeprefix("Input should be ") for m in messages)


def _place_and_message(detail: ErrorDetails) -> tuple[str, str]:
    model, steps = _walk(detail["loc"])
    if detail["type"] == "extra_forbidden":
        key = str(detail["loc"][-1])
        return _place([*steps, key]), f"unknown key{_suggestion(key, model)}"
    if detail["type"] == "literal_error":
        return _place(steps), _unknown_value(detail)
    return _place(steps), detail["msg"]


def _unknown_value(detail: ErrorDetails) -> str:
    """A code outside its vocabulary, said as an unknown key is: with the nearest code."""
    known = re.findall(r"'([^']*)'", str((detail.get("ctx") or {}).get("expected", "")))
    value = str(detail["input"])
    close = difflib.get_close_matches(value, known, n=1, cutoff=0.6)
    if close:
        return f"unknown value `{value}` (did you mean `{close[0]}`?)"
    return f"unknown value `{value}`; use one of " + ", ".join(f"`{code}`" for code in known)


def _walk(loc: tuple[int | str, ...]) -> tuple[type[BaseModel], list[int | str]]:
    """The model holding the last key of `loc`, and the steps that are keys or positions.

    pydantic also puts a union's member names into a location (`str`, `list[str]`); those
    are not keys of the document and are left out of the place shown.
    """
    model: type[BaseModel] = Package
    holder = model
    steps: list[int | str] = []
    for step in loc:
        if isinstance(step, int):
            steps.append(step)
            continue
        holder = model
        field = _field_by_key(model, step)
        if field is None:
            continue
        steps.append(step)
        model = _inner_model(field.annotation) or model
    return holder, steps


def _field_by_key(model: type[BaseModel], key: str) -> Any:
    for name, field in model.model_fields.items():
        if (field.alias or name) == key:
            return field
    return None


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    """The model inside `X | None`, `list[X]` and the like, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (Union, types.UnionType, list):
        for argument in typing.get_args(annotation):
            found = _inner_model(argument)
            if found is not None:
                return found
    return None


def _suggestion(key: str, model: type[BaseModel]) -> str:
    known = [field.alias or name for name, field in model.model_fields.items()]
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    return f" (did you mean `{close[0]}`?)" if close else ""


def _place(steps: list[int | str]) -> str:
    text = ""
    for step in steps:
        text += f"[{step}]" if isinstance(step, int) else f".{step}" if text else step
    return text
