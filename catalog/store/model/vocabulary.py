"""The codes a descriptor may give for its theme, update frequency and access level.

The one list of each: the model (`Package.themes`, `.frequency`, `.access_level`) accepts
these and nothing else, so a typo (`anual`) is an error naming the nearest code instead of a
value DCAT would silently drop. Their labels and their codes in other vocabularies (EU
authorities, data.json) are `catalog.metadata.vocabularies`', keyed by these; the codes are
documented in docs/descriptor.md.
"""

from __future__ import annotations

from typing import Literal, get_args

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
