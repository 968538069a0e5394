"""What a token may do: its scopes, written `kind` or `kind:target`.

| scope | grants |
| --- | --- |
| `read-dataset:<slug>` | reading the data of that dataset (conditional datasets) |
| `publish:<organization>` | the CKAN write actions on that organization's datasets |
| `review-requests` | reviewing data requests |
| `admin` | everything, every organization's datasets included |

A token holds one or more. A token from the legacy token file held every right a token had
then (every write), and is imported as `admin`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal, cast, get_args

from validation import is_slug

Kind = Literal["read-dataset", "publish", "review-requests", "admin"]
KINDS: tuple[str, ...] = get_args(Kind)
TARGETED = {"read-dataset": "a dataset slug", "publish": "an organization name"}
# CKAN's rule for organization names.
ORGANIZATION = re.compile(r"[a-z0-9_-]{2,100}")
DURATION = re.compile(r"([1-9][0-9]{0,4})([hdwy])")
UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}
UNITS["y"] = 365 * UNITS["d"]
LONGEST = 10 * UNITS["y"]
SCOPE_HELP = "read-dataset:<slug>, publish:<organization>, review-requests or admin"


class ScopeError(ValueError):
    """A scope or a duration that cannot be read; the message says what is expected."""


@dataclass(frozen=True, order=True)
class Scope:
    """One right of a token."""

    kind: Kind
    target: str = ""

    def __str__(self) -> str:
        return f"{self.kind}:{self.target}" if self.target else self.kind


ADMIN = Scope("admin")


def parse_scope(text: str) -> Scope:
    """A scope as written (`publish:guizhou-hrss`); ScopeError names what is wrong."""
    kind, _, target = text.strip().partition(":")
    if kind not in KINDS:
        raise ScopeError(f"unknown scope {text!r}: a scope is {SCOPE_HELP}")
    if kind not in TARGETED:
        if target:
            raise ScopeError(f"the scope {kind} names nothing after it")
        return Scope(cast(Kind, kind))
    valid = is_slug(target) if kind == "read-dataset" else ORGANIZATION.fullmatch(target)
    if not valid:
        raise ScopeError(f"the scope {kind} needs {TARGETED[kind]}: {kind}:<name>, not {text!r}")
    return Scope(cast(Kind, kind), target)


def parse_scopes(texts: list[str] | str) -> tuple[Scope, ...]:
    """Scopes from a list or a space-separated text, sorted, each once; at least one."""
    items = texts.split() if isinstance(texts, str) else texts
    found = tuple(sorted({parse_scope(text) for text in items}))
    if not found:
        raise ScopeError(f"a token needs at least one scope: {SCOPE_HELP}")
    return found


def parse_duration(text: str) -> timedelta:
    """`12h`, `30d`, `8w` or `1y` as a time span."""
    found = DURATION.fullmatch(text.strip())
    if found is None:
        raise ScopeError(f"a duration is a number and h, d, w or y (e.g. 30d), not {text!r}")
    span = int(found.group(1)) * UNITS[found.group(2)]
    if span > LONGEST:
        raise ScopeError(f"a token lives at most {LONGEST.days // 365} years, not {text!r}")
    return span


def may_publish(scopes: tuple[Scope, ...], organization: str | None) -> bool:
    """Whether the scopes allow writing a dataset of `organization` (None: of none: admin)."""
    if ADMIN in scopes:
        return True
    return organization is not None and Scope("publish", organization) in scopes


def may_read(scopes: tuple[Scope, ...], slug: str) -> bool:
    """Whether the scopes allow reading the data of dataset `slug`."""
    return ADMIN in scopes or Scope("read-dataset", slug) in scopes


def may_review(scopes: tuple[Scope, ...]) -> bool:
    """Whether the scopes allow reviewing data requests."""
    return ADMIN in scopes or Scope("review-requests") in scopes
