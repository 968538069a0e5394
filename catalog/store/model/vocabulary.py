"""The codes a descriptor may give for its theme, update frequency and access level.

The one list of each: the model (`Package.themes`, `.frequency`, `.access_level`) accepts
these and nothing else, so a typo (`anual`) is an error naming the nearest code instead of a
value DCAT would silently drop. Their labels and their codes in other vocabularies (EU
authorities, data.json) are `catalog.metadata.vocabularies`', keyed by these; the codes are
documented in docs/descriptor.md.

A keyword is a CKAN tag wherever the catalogue is harvested, so it obeys CKAN's tag
validators (`ckan.logic.validators.tag_length_validator`, `tag_name_validator`): 2 to 100
characters, each a letter or digit of any script, a space, `-`, `_` or `.`. A keyword CKAN
would refuse fails the whole dataset's import there, so it is a fault of the steward's
descriptor (`text_faults`, checked with the folder's names and links), naming it. Versions
published before the rule stay readable: the model itself does not refuse them.
"""

from __future__ import annotations

import re
from typing import Any, Literal, get_args

Theme = Literal[
    "social-insurance",
    "employment",
    "wages",
    "statistics-bulletin",
    "government-transparency",
    "labour-relations",
    "talent",
    "reference-data",
]
Frequency = Literal[
    "realtime",
    "daily",
    "weekly",
    "monthly",
    "quarterly",
    "semiannual",
    "annual",
    "irregular",
    "archived",
    "other",
]
AccessLevel = Literal["unconditional", "conditional"]

THEME_CODES: tuple[str, ...] = get_args(Theme)
FREQUENCY_CODES: tuple[str, ...] = get_args(Frequency)
ACCESS_LEVEL_CODES: tuple[str, ...] = get_args(AccessLevel)

# CKAN's MIN_TAG_LENGTH, MAX_TAG_LENGTH and tag_name_validator's pattern (`\w` of any script).
TAG_LENGTH = (2, 100)
_TAG_CHARACTERS = re.compile(r"[\w \-.]*", re.UNICODE)


def ckan_tag(keyword: str) -> str:
    """`keyword` when CKAN's tag validators accept it; ValueError naming it otherwise."""
    shortest, longest = TAG_LENGTH
    if not shortest <= len(keyword) <= longest:
        raise ValueError(
            f"keyword {keyword!r} is {len(keyword)} characters; a CKAN tag has"
            f" {shortest} to {longest}"
        )
    if not _TAG_CHARACTERS.fullmatch(keyword):
        bad = sorted({char for char in keyword if not _TAG_CHARACTERS.fullmatch(char)})
        raise ValueError(
            f"keyword {keyword!r} has {' '.join(repr(c) for c in bad)}: a CKAN tag holds only"
            " letters, digits, spaces, '-', '_' and '.'"
        )
    return keyword


def keyword_faults(descriptor: dict[str, Any]) -> dict[str, str]:
    """The keywords of `descriptor` CKAN would refuse, by their place (`keywords_en[1]`)."""
    faults = {}
    for key in ("keywords", "keywords_en"):
        listed = descriptor.get(key)
        for position, keyword in enumerate(listed if isinstance(listed, list) else []):
            if isinstance(keyword, str):
                try:
                    ckan_tag(keyword)
                except ValueError as exc:
                    faults[f"{key}[{position}]"] = str(exc)
    return faults


# Characters no text of a descriptor may hold: C0 and C1 controls but TAB, LF and CR (XML 1.0
# forbids the C0 ones, so one in a title would break every RDF/XML page listing the dataset),
# the noncharacters U+FFFE and U+FFFF, and lone surrogates (a JSON or YAML escape can write
# one; no UTF-8 can carry it, so every answer naming the dataset would fail to encode).
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def control_faults(document: Any) -> dict[str, str]:
    """Every text in `document` holding a control character, by its place (`title`,
    `resources[0].schema.fields[2].title`), the character shown escaped. Walked with a list,
    not recursion: the depth of a document is the steward's."""
    faults: dict[str, str] = {}
    waiting: list[tuple[str, Any]] = [("", document)]
    while waiting:
        where, value = waiting.pop()
        if isinstance(value, str):
            found = CONTROL.search(value)
            if found:
                faults[where or "(text)"] = (
                    f"holds the control character U+{ord(found[0]):04X}; text may not hold one"
                    if not LONE_SURROGATE.match(found[0])
                    else f"holds the lone surrogate U+{ord(found[0]):04X}; text may not hold one"
                )
        elif isinstance(value, dict):
            waiting.extend((f"{where}.{k}" if where else str(k), v) for k, v in value.items())
        elif isinstance(value, list):
            waiting.extend((f"{where}[{n}]", v) for n, v in enumerate(value))
    return dict(sorted(faults.items()))


def text_faults(descriptor: dict[str, Any]) -> dict[str, str]:
    """The keywords CKAN would refuse and the texts holding a control character."""
    return {**keyword_faults(descriptor), **control_faults(descriptor)}


def encodable(document: Any) -> Any:
    """`document` with every character `CONTROL` names read as U+FFFD: a version published
    before descriptors refused them stays servable on every surface (UTF-8 cannot carry a lone
    surrogate; XML, and so RDF/XML, forbids the C0 controls; HTML and CSV readers stumble on
    them). Nothing else is changed."""
    if isinstance(document, str):
        return CONTROL.sub("\ufffd", document)
    if isinstance(document, dict):
        return {key: encodable(value) for key, value in document.items()}
    if isinstance(document, list):
        return [encodable(value) for value in document]
    return document
