"""One data request as the state database keeps it, and what its applicant may see of it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from catalog.state.requests.grounds import GROUNDS
from catalog.state.tokens import stamp

RequestState = Literal["received", "approved", "denied", "withdrawn"]
STATES: tuple[RequestState, ...] = ("received", "approved", "denied", "withdrawn")


@dataclass(frozen=True)
class DataRequest:
    """A request, never its receipt code (only the code's hash is kept)."""

    id: str
    dataset: str
    name: str
    organization: str
    email: str
    phone: str
    purpose: str
    fields: tuple[str, ...]
    period_start: str
    period_end: str
    state: RequestState
    received_at: str
    due_at: str
    decided_at: str | None = None
    reviewer: str | None = None
    denial_ground: str | None = None
    denial_note: str | None = None
    token_id: str | None = None
    token_expires: str | None = None
    # An approval's token waits to be collected on the receipt page (`RequestStore.reveal`).
    token_pending: bool = field(default=False, compare=False)
    # The reply deadline extended once (`RequestStore.extend`): when, by how much, why.
    extended_at: str | None = None
    extended_days: int | None = None
    extension_note: str | None = None

    def overdue(self, now: datetime) -> bool:
        """Undecided past its reply deadline."""
        return self.state == "received" and stamp(now) > self.due_at

    def status(self, now: datetime) -> dict[str, Any]:
        """What the applicant sees: the state, the deadline, the decision; no contact details
        (the receipt may be shared), no reviewer."""
        ground = GROUNDS.get(self.denial_ground or "")
        return {
            "id": self.id,
            "dataset": self.dataset,
            "state": self.state,
            "received_at": self.received_at,
            "due_at": self.due_at,
            "overdue": self.overdue(now),
            "extension": None
            if self.extended_at is None
            else {"at": self.extended_at, "working_days": self.extended_days,
                  "reason": self.extension_note},
            "decided_at": self.decided_at,
            "fields": list(self.fields),
            "period": {"start": self.period_start, "end": self.period_end},
            "denial": None
            if ground is None
            else {"ground": ground.code, "zh": ground.zh, "en": ground.en,
                  "basis": ground.basis, "note": self.denial_note},
            "token": None
            if self.token_id is None
            else {"id": self.token_id, "expires": self.token_expires,
                  "scope": f"read-dataset:{self.dataset}", "waiting": self.token_pending},
        }  # fmt: skip


def request_of(row: Any) -> DataRequest:
    """The record of a row of the `requests` table."""
    return DataRequest(
        id=row["id"],
        dataset=row["dataset"],
        name=row["name"],
        organization=row["organization"],
        email=row["email"],
        phone=row["phone"],
        purpose=row["purpose"],
        fields=tuple(json.loads(row["fields"])),
        period_start=row["period_start"],
        period_end=row["period_end"],
        state=row["state"],
        received_at=row["received_at"],
        due_at=row["due_at"],
        decided_at=row.get("decided_at"),
        reviewer=row.get("reviewer"),
        denial_ground=row.get("denial_ground"),
        denial_note=row.get("denial_note"),
        token_id=row.get("token_id"),
        token_expires=row.get("token_expires"),
        token_pending=row.get("pending_token") is not None,
        extended_at=row.get("extended_at"),
        extended_days=row.get("extended_days"),
        extension_note=row.get("extension_note"),
    )


def same_contact(found: Sequence[DataRequest]) -> dict[str, list[str]]:
    """For each request of `found`, the ids of the others for the same dataset from the same
    email or phone, in the order of `found`: the review marks them (a duplicate is filed, not
    refused, so nobody learns from a refusal who applied)."""
    seen: dict[tuple[str, str, str], list[str]] = {}
    for request in found:
        for kind, value in (("email", request.email), ("phone", request.phone)):
            if value:
                seen.setdefault((request.dataset, kind, value.lower()), []).append(request.id)
    others: dict[str, list[str]] = {}
    for ids in seen.values():
        for ident in ids:
            mine = others.setdefault(ident, [])
            mine.extend(i for i in ids if i != ident and i not in mine)
    return {ident: ids for ident, ids in others.items() if ids}
