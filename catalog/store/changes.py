"""The change feed: every publish, update and withdrawal, from the store's append-only logs.

Nothing is logged twice: `<store>/<slug>/HISTORY` (written by `Store.commit` under the
dataset's lock) holds each version that became current, in the order it did, and
`<store>/<slug>/WITHDRAWN` (written by `Store.withdraw`, under the same lock) each
withdrawal. Replaying both in time order classifies each version: the first one served (or
the first after a withdrawal) is `published`, a later one `updated`. Every version that was
ever current is in the feed, even one replaced a moment later by a concurrent publish. A
harvester that remembers the time of the last change it saw asks again with `since` at that
time and learns of deletions too. A store written before HISTORY existed has its earlier
switches derived from each version's publish time (`Store.history`). Withdrawing one
superseded version changes nothing a harvester mirrors, so it is not in the feed.

`since` is inclusive: a change stamped with exactly the time of the last one seen is sent
again rather than lost; applying a change twice is harmless.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from catalog.errors import InvalidParameter
from catalog.store.base import Store
from catalog.store.records import DATASET

KINDS = ("published", "updated", "withdrawn")


@dataclass(frozen=True)
class Change:
    kind: str
    dataset: str
    version: str
    time: str


def parse_moment(value: str, parameter: str) -> datetime:
    """An ISO 8601 date or date-time; naive ones are taken as UTC."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise InvalidParameter(parameter, f"{value!r} is not an ISO 8601 date or time") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def changes_since(store: Store, since: datetime | None = None) -> list[Change]:
    """Every change at or after `since` (all of them without it), oldest first."""
    found = [change for slug in store.known_slugs() for change in dataset_changes(store, slug)]
    if since is not None:
        found = [change for change in found if _instant(change.time) >= since]
    return sorted(found, key=lambda c: (_instant(c.time), c.dataset, KINDS.index(c.kind)))


def dataset_changes(store: Store, slug: str) -> list[Change]:
    """The history of one dataset, oldest first."""
    events: list[tuple[datetime, int, str, str]] = [
        (_instant(served.time), position, "version", served.version)
        for position, served in enumerate(store.history(slug))
    ]
    events += [
        (_instant(w.withdrawn), len(events), "withdrawal", w.version)
        for w in store.withdrawals(slug)
        if w.scope == DATASET
    ]
    history = []
    served = False
    for when, _order, event, version in sorted(events):
        if event == "withdrawal":
            kind, served = "withdrawn", False
        else:
            kind, served = ("updated" if served else "published"), True
        history.append(Change(kind=kind, dataset=slug, version=version, time=_stamp(when)))
    return history


def _instant(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _stamp(when: datetime) -> str:
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")
