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


# Each fault's code and its English text (the API's); the web form words them itself
# (`web.applications`), in Chinese or English, from the code and its figures.
FAULTS: dict[str, str] = {
    "unknown-field": "unknown field; the fields are {fields}",
    "not-text": "must be text",
    "characters": "holds control, format, separator or unassigned characters",
    "length": "must be {low} to {high} characters, not {count}",
    "purpose-short": "too short: at least {low} characters (a Chinese character counts two)",
    "email": "not an email address (name@example.org)",
    "phone": "not a phone number (13912345678, 0851-12345678 or +8613912345678)",
    "contact": "give an email address or a phone number to be answered at",
    "fields": "a list of the dataset's field names, at least one",
    "fields-many": "at most {high} fields",
    "fields-unknown": "not fields of this dataset: {shown}",
    "period": "a year or a month: YYYY or YYYY-MM",
    "period-order": "the period ends before it starts",
    "agree": "the conditions must be agreed to (true)",
}
# Refused in any text: controls, format characters (bidi overrides, zero widths), line and
# paragraph separators, surrogates, private use, unassigned.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


@dataclass(frozen=True)
class Fault:
    """What is wrong with one field: a code of `FAULTS` and the figures its text names."""

    code: str
    figures: tuple[tuple[str, str], ...] = ()

    def text(self, wording: Mapping[str, str] = FAULTS) -> str:
        return wording[self.code].format(**dict(self.figures))


class InvalidApplication(BadRequest):
    """An application with fields at fault: `errors` maps each field to what is wrong (in
    English), `faults` to the `Fault` the web form words in its own language."""

    slug = "invalid-application"
    title = "Invalid Application"

    def __init__(self, faults: dict[str, Fault]) -> None:
        self.faults = faults
        self.errors = {key: fault.text() for key, fault in faults.items()}
        super().__init__("; ".join(f"{key}: {text}" for key, text in self.errors.items()))


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


Faults = dict[str, Fault]


def _fault(code: str, **figures: object) -> Fault:
    return Fault(code, tuple((key, str(value)) for key, value in figures.items()))


def read_application(raw: Mapping[str, object], dataset_fields: Sequence[str]) -> Application:
    """The application in `raw`; InvalidApplication names every field at fault."""
    errors: Faults = {}
    for key in sorted(set(raw) - KNOWN_FIELDS):
        errors[key[:40]] = _fault("unknown-field", fields=", ".join(sorted(KNOWN_FIELDS)))
    name = _text(raw, "name", NAME_CHARS, errors)
    organization = _text(raw, "organization", ORGANIZATION_CHARS, errors)
    email = _text(raw, "email", (0, 254), errors)
    phone = _text(raw, "phone", (0, 32), errors).replace(" ", "")
    if email and not EMAIL.fullmatch(email):
        errors["email"] = _fault("email")
    if phone and not PHONE.fullmatch(phone):
        errors["phone"] = _fault("phone")
    if not email and not phone and "email" not in errors and "phone" not in errors:
        errors["email"] = _fault("contact")
    purpose = _text(raw, "purpose", (1, PURPOSE_CHARS[1]), errors, lines=True)
    if "purpose" not in errors and weighed(purpose) < PURPOSE_CHARS[0]:
        errors["purpose"] = _fault("purpose-short", low=PURPOSE_CHARS[0])
    fields = _fields(raw.get("fields"), dataset_fields, errors)
    start, end = _period(raw, errors)
    if raw.get("agree") is not True:
        errors["agree"] = _fault("agree")
    if errors:
        raise InvalidApplication(errors)
    return Application(name, organization, email, phone, purpose, fields, start, end)


def weighed(text: str) -> int:
    """The length of `text` with a wide (Chinese) character counted twice: a purpose of ten
    Chinese characters says as much as twenty Latin letters."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _text(
    raw: Mapping[str, object],
    key: str,
    bounds: tuple[int, int],
    errors: Faults,
    *,
    lines: bool = False,
) -> str:
    value = raw.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[key] = _fault("not-text")
        return ""
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n")).strip()
    allowed = {"\n", "\t"} if lines else set()
    if any(unicodedata.category(c) in REFUSED_CATEGORIES and c not in allowed for c in text):
        errors[key] = _fault("characters")
    elif not bounds[0] <= len(text) <= bounds[1]:
        errors[key] = _fault("length", low=bounds[0], high=bounds[1], count=len(text))
    return text


def _fields(value: object, known: Sequence[str], errors: Faults) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        errors["fields"] = _fault("fields")
        return ()
    if len(value) > MAX_FIELDS:
        errors["fields"] = _fault("fields-many", high=MAX_FIELDS)
        return ()
    unknown = [v for v in value if v not in known]
    if unknown:
        errors["fields"] = _fault("fields-unknown", shown=", ".join(v[:60] for v in unknown[:5]))
    # In the dataset's order, each once.
    return tuple(name for name in dict.fromkeys(known) if name in value)


def _period(raw: Mapping[str, object], errors: Faults) -> tuple[str, str]:
    found = []
    for key in ("period_start", "period_end"):
        value = raw.get(key)
        if not isinstance(value, str) or not PERIOD.fullmatch(value.strip()):
            errors[key] = _fault("period")
            found.append("")
        else:
            found.append(value.strip())
    start, end = found
    if start and end and start[:7] > end[:7] + ("-12" if len(end) == 4 else ""):
        errors["period_end"] = _fault("period-order")
    return start, end
