"""An application for data as the applicant sent it, checked field by field.

`read_application` takes the fields as they came (JSON, or the web form made into the same
shape) and the names of the dataset's fields, and gives an `Application` or raises
`InvalidApplication` with one message per field at fault, so the form shows each beside its
field and the API lists them all at once.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from catalog.errors import BadRequest

NAME_CHARS = (1, 100)
ORGANIZATION_CHARS = (0, 200)
PURPOSE_CHARS = (20, 2000)
MAX_FIELDS = 500
# Letters, digits and the usual punctuation before the @; a dotted host with a letter TLD.
EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.)+[A-Za-z]{2,63}")
# A mainland mobile, a landline with its area code, or an international number.
PHONE = re.compile(r"1[3-9][0-9]{9}|0[1-9][0-9]{1,2}-?[0-9]{7,8}|\+[1-9][0-9]{6,14}")
PERIOD = re.compile(r"[12][0-9]{3}(?:-(?:0[1-9]|1[0-2]))?")
KNOWN_FIELDS = frozenset(
    {"name", "organization", "email", "phone", "purpose", "fields", "period_start",
     "period_end", "agree"}
)  # fmt: skip


class InvalidApplication(BadRequest):
    """An application with fields at fault: `errors` maps each field to what is wrong."""

    slug = "invalid-application"
    title = "Invalid Application"

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Application:
    """What an applicant asks for, checked."""

    name: str
    organization: str
    email: str
    phone: str
    purpose: str
    fields: tuple[str, ...]
    period_start: str
    period_end: str


def read_application(raw: Mapping[str, object], dataset_fields: Sequence[str]) -> Application:
    """The application in `raw`; InvalidApplication names every field at fault."""
    errors: dict[str, str] = {}
    for key in sorted(set(raw) - KNOWN_FIELDS):
        errors[key[:40]] = f"unknown field; the fields are {', '.join(sorted(KNOWN_FIELDS))}"
    name = _text(raw, "name", NAME_CHARS, errors)
    organization = _text(raw, "organization", ORGANIZATION_CHARS, errors)
    email = _text(raw, "email", (0, 254), errors)
    phone = _text(raw, "phone", (0, 32), errors).replace(" ", "")
    if email and not EMAIL.fullmatch(email):
        errors["email"] = "not an email address (name@example.org)"
    if phone and not PHONE.fullmatch(phone):
        errors["phone"] = "not a phone number (13912345678, 0851-12345678 or +8613912345678)"
    if not email and not phone and "email" not in errors and "phone" not in errors:
        errors["email"] = "give an email address or a phone number to be answered at"
    purpose = _text(raw, "purpose", PURPOSE_CHARS, errors, lines=True)
    fields = _fields(raw.get("fields"), dataset_fields, errors)
    start, end = _period(raw, errors)
    if raw.get("agree") is not True:
        errors["agree"] = "the conditions must be agreed to (true)"
    if errors:
        raise InvalidApplication(errors)
    return Application(name, organization, email, phone, purpose, fields, start, end)


def _text(
    raw: Mapping[str, object],
    key: str,
    bounds: tuple[int, int],
    errors: dict[str, str],
    *,
    lines: bool = False,
) -> str:
    value = raw.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[key] = "must be text"
        return ""
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n")).strip()
    allowed = {"\n", "\t"} if lines else set()
    if any(unicodedata.category(c) in ("Cc", "Cs", "Co", "Cn") and c not in allowed for c in text):
        errors[key] = "holds control or unassigned characters"
    elif not bounds[0] <= len(text) <= bounds[1]:
        errors[key] = f"must be {bounds[0]} to {bounds[1]} characters, not {len(text)}"
    return text


def _fields(value: object, known: Sequence[str], errors: dict[str, str]) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        errors["fields"] = "a list of the dataset's field names, at least one"
        return ()
    if len(value) > MAX_FIELDS:
        errors["fields"] = f"at most {MAX_FIELDS} fields"
        return ()
    unknown = [v for v in value if v not in known]
    if unknown:
        shown = ", ".join(repr(v[:60]) for v in unknown[:5])
        errors["fields"] = f"not fields of this dataset: {shown}"
    # In the dataset's order, each once.
    return tuple(name for name in dict.fromkeys(known) if name in value)


def _period(raw: Mapping[str, object], errors: dict[str, str]) -> tuple[str, str]:
    found = []
    for key in ("period_start", "period_end"):
        value = raw.get(key)
        if not isinstance(value, str) or not PERIOD.fullmatch(value.strip()):
            errors[key] = "a year or a month: YYYY or YYYY-MM"
            found.append("")
        else:
            found.append(value.strip())
    start, end = found
    if start and end and start[:7] > end[:7] + ("-12" if len(end) == 4 else ""):
        errors["period_end"] = "the period ends before it starts"
    return start, end
