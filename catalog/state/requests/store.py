"""The requests table: file, look up, list, approve, deny and withdraw data requests.

A request is filed with a receipt code: 24 random bytes (192 bits), URL-safe base64. The code
is the applicant's only key to the request, so it is shown once, at filing, and only its
SHA-256 is kept (a leaked database does not open anyone's request). Reviewers and the audit
log name a request by its public `id`.

Decisions are compare-and-set on `state = 'received'`: two reviewers deciding at once, or a
reviewer and a withdrawing applicant, cannot both win. An approval makes a token with the
scope `read-dataset:<slug>` (`TokenStore.create`) in the same breath and keeps it in
`pending_token` until `reveal` hands it to the applicant, once; `reissue` replaces a lost one.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from catalog.errors import Conflict, NotFound, TooManyRequests
from catalog.state.audit import entry_time
from catalog.state.database import Connection, Database, IntegrityError
from catalog.state.requests.application import REFUSED_CATEGORIES, Application
from catalog.state.requests.grounds import STATUTORY_WORKING_DAYS, day_start, ground, reply_due
from catalog.state.requests.record import STATES, DataRequest, request_of
from catalog.state.tokens import TokenStore, stamp

RECEIPT_BYTES = 24
ID_BYTES = 6
MAX_NOTE_CHARS = 2000
# Names the lock that keeps the daily limits exact when two servers file at once (PostgreSQL).
FILING_LOCK = 0x6F64_7265_7173


@dataclass(frozen=True)
class Limits:
    """How many requests may be filed in a day (China time): from one client (all datasets),
    and for one dataset (all clients)."""

    per_client: int = 5
    total: int = 200


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class RequestStore:
    """Data requests in the state database."""

    def __init__(
        self,
        database: Database,
        clock: Callable[[], datetime] | None = None,
        reply_days: int = STATUTORY_WORKING_DAYS,
    ) -> None:
        self.database = database
        self.clock = clock or (lambda: datetime.now(UTC))
        self.reply_days = reply_days

    def file(
        self, slug: str, application: Application, client: str, limits: Limits
    ) -> tuple[DataRequest, str]:
        """File a request for dataset `slug`: its record and the receipt code (shown once).

        TooManyRequests past the daily limits. A second request from a contact that already
        waits on this dataset is filed too (refusing it would tell anyone who typed a
        victim's phone that the victim applied, and let them block the victim): the review
        marks it (`same_contact`) and may deny it as `repeated`."""
        now = self.clock()
        receipt = new_receipt()
        row = _new_row(slug, application, now, reply_due(now, self.reply_days))
        row.update(receipt_sha256=digest(receipt), client_sha256=digest(client))
        names = ", ".join(["id", *row])
        insert = f"INSERT INTO requests ({names}) VALUES ({_parameters(names)})"
        with self.database.begin() as connection:
            self._check_limits(connection, row, now, limits)
            while True:  # a clash of random ids is all but impossible
                row["id"] = secrets.token_hex(ID_BYTES)
                try:
                    with connection.savepoint():
                        connection.execute(insert, row)
                    break
                except IntegrityError:
                    continue
        return request_of(row), receipt

    def _check_limits(
        self, connection: Connection, row: dict[str, Any], now: datetime, limits: Limits
    ) -> None:
        if connection.dialect == "postgresql":
            connection.execute("SELECT pg_advisory_xact_lock(:key)", {"key": FILING_LOCK})
        counted = "SELECT count(*) FROM requests WHERE received_at >= :today AND {} = :value"
        today = entry_time(day_start(now))
        tomorrow = day_start(now) + timedelta(days=1)
        wait = max(1, int((tomorrow - now).total_seconds()))
        # Per dataset: a flood of addresses blocks at most the datasets it aims at.
        this_dataset = {"today": today, "value": row["dataset"]}
        if connection.execute(counted.format("dataset"), this_dataset).scalar() >= limits.total:
            raise _too_many("this dataset takes no more requests today", wait)
        mine = {"today": today, "value": row["client_sha256"]}
        if connection.execute(counted.format("client_sha256"), mine).scalar() >= limits.per_client:
            raise _too_many(f"at most {limits.per_client} requests a day from one client", wait)

    def find(self, receipt: str) -> DataRequest:
        """The request of a receipt code; NotFound when there is none."""
        return self._one("receipt_sha256", digest(receipt), "no request has that receipt")

    def get(self, ident: str) -> DataRequest:
        """The request of a public id; NotFound when there is none."""
        return self._one("id", ident, f"no request numbered {ident!r}")

    def lookup(self, receipt_or_id: str) -> DataRequest:
        """A request by its id (12 hex digits) or its receipt code."""
        if len(receipt_or_id) == 2 * ID_BYTES:
            return self.get(receipt_or_id)
        return self.find(receipt_or_id)

    def _one(self, column: str, value: str, missing: str) -> DataRequest:
        with self.database.connect() as connection:
            query = f"SELECT * FROM requests WHERE {column} = :value"
            row = connection.execute(query, {"value": value}).first()
        if row is None:
            raise NotFound(missing)
        return request_of(row)

    def all(self, state: str | None = None, *, overdue: bool = False) -> list[DataRequest]:
        """Requests, overdue ones first, then by when they were received."""
        if state is not None and state not in STATES:
            raise ValueError(f"state must be one of {', '.join(STATES)}, not {state!r}")
        now = self.clock()
        where = " AND state = :state" if state is not None else ""
        if overdue:
            where += " AND state = 'received' AND due_at < :now"
        query = f"SELECT * FROM requests WHERE 1 = 1{where} ORDER BY received_at, id"
        with self.database.connect() as connection:
            rows = connection.execute(query, {"state": state, "now": stamp(now)}).rows
        found = [request_of(row) for row in rows]
        return sorted(found, key=lambda r: not r.overdue(now))  # stable: time order kept

    def approve(
        self, ident: str, reviewer: str, tokens: TokenStore, lifetime: timedelta
    ) -> tuple[DataRequest, str]:
        """Approve a received request: the token made for it (shown now, and once to the
        applicant) and the record. Conflict when it is decided already."""
        found = self.get(ident)
        _undecided(found)
        made, token = tokens.create(
            f"request {found.id} ({found.name})"[:200], [f"read-dataset:{found.dataset}"], lifetime
        )
        decided = self._decide(
            ident, "approved", reviewer,
            token_id=made.id, token_expires=made.expires, pending_token=token,
        )  # fmt: skip
        if decided is None:  # decided by someone else meanwhile: the token must not live on
            tokens.revoke(made.id)
            _undecided(self.get(ident))
        return self.get(ident), token

    def reissue(self, ident: str, tokens: TokenStore) -> tuple[DataRequest, str]:
        """A new token for an approved request whose token was lost: the old one revoked,
        the new one of the same scope and expiry, returned now and waiting on the receipt
        page again (once). Conflict when the request is not approved or its token expired."""
        found = self.get(ident)
        if found.state != "approved" or found.token_id is None:
            raise Conflict(f"request {found.id} is {found.state}; only an approval has a token")
        left = _left(found.token_expires, self.clock())
        if left is not None and left <= timedelta(0):
            raise Conflict(f"the token of request {found.id} expired at {found.token_expires}")
        with contextlib.suppress(NotFound):  # revoked by hand already: a new one all the same
            tokens.revoke(found.token_id)
        made, token = tokens.create(
            f"request {found.id} ({found.name})"[:200], [f"read-dataset:{found.dataset}"], left
        )
        with self.database.begin() as connection:
            changed = _update(
                connection, "id = :id AND token_id = :old", {"id": ident, "old": found.token_id},
                token_id=made.id, token_expires=made.expires, pending_token=token,
            )  # fmt: skip
        if not changed:  # issued again by someone else meanwhile: this one must not live on
            tokens.revoke(made.id)
            raise Conflict(f"the token of request {found.id} was issued again meanwhile")
        return self.get(ident), token

    def extend(self, ident: str, days: int, reason: str) -> DataRequest:
        """Extend the reply deadline of a waiting request, once, by 1 to 15 working days
        counted from the old deadline (《贵州省政府数据共享开放条例》: once, at most 15, the
        applicant told why). ValueError for days or a reason out of bounds; Conflict when it
        is decided or extended already."""
        if not 1 <= days <= STATUTORY_WORKING_DAYS:
            raise ValueError(f"an extension is 1 to {STATUTORY_WORKING_DAYS} working days")
        reason = reason.strip()
        if not reason or len(reason) > MAX_NOTE_CHARS or _unprintable(reason):
            raise ValueError(f"the reason is 1 to {MAX_NOTE_CHARS} characters of plain text")
        found = self.get(ident)
        _undecided(found)
        due = reply_due(datetime.fromisoformat(found.due_at.replace("Z", "+00:00")), days)
        with self.database.begin() as connection:
            changed = _update(
                connection, "id = :id AND state = 'received' AND extended_at IS NULL",
                {"id": ident}, due_at=stamp(due), extended_at=entry_time(self.clock()),
                extended_days=days, extension_note=reason,
            )  # fmt: skip
        if not changed:
            again = self.get(ident)
            _undecided(again)
            raise Conflict(f"request {ident} was extended already, on {again.extended_at}")
        return self.get(ident)

    def deny(self, ident: str, reviewer: str, code: str, note: str = "") -> DataRequest:
        """Deny a received request on a legal ground (`grounds.GROUNDS`), with a note."""
        ground(code)  # ValueError names the codes
        if len(note) > MAX_NOTE_CHARS:
            raise ValueError(f"the note is {len(note)} characters; at most {MAX_NOTE_CHARS}")
        if _unprintable(note):
            raise ValueError("the note holds control or format characters (ESC, CR, bidi marks)")
        _undecided(self.get(ident))
        decided = self._decide(
            ident, "denied", reviewer, denial_ground=code, denial_note=note.strip() or None
        )
        if decided is None:
            _undecided(self.get(ident))
        return self.get(ident)

    def withdraw(self, receipt: str) -> DataRequest:
        """The applicant withdraws a request not yet decided."""
        found = self.find(receipt)
        _undecided(found)
        if self._decide(found.id, "withdrawn", "applicant") is None:
            _undecided(self.get(found.id))
        return self.get(found.id)

    def reveal(self, receipt: str) -> tuple[DataRequest, str | None]:
        """The request of a receipt and, the first time only, the token its approval made."""
        found = self.find(receipt)
        if found.state != "approved":
            return found, None
        with self.database.begin() as connection:
            pending = f"SELECT pending_token FROM requests WHERE id = :id{connection.for_update}"
            token = connection.execute(pending, {"id": found.id}).scalar()
            if token is not None:
                _update(connection, "id = :id", {"id": found.id}, pending_token=None)
        return found, token

    def _decide(self, ident: str, state: str, reviewer: str, **values: Any) -> int | None:
        with self.database.begin() as connection:
            changed = _update(
                connection, "id = :id AND state = 'received'", {"id": ident},
                state=state, decided_at=entry_time(self.clock()), reviewer=reviewer, **values,
            )  # fmt: skip
        return changed or None


def _update(connection: Connection, where: str, keys: dict[str, Any], **values: Any) -> int:
    """`UPDATE requests SET <values> WHERE <where>`: how many rows it changed."""
    setting = ", ".join(f"{name} = :set_{name}" for name in values)
    parameters = {**keys, **{f"set_{name}": value for name, value in values.items()}}
    found = connection.execute(f"UPDATE requests SET {setting} WHERE {where}", parameters)
    return int(found.rowcount)


def _parameters(names: str) -> str:
    return ", ".join(f":{name}" for name in names.split(", "))


def _new_row(slug: str, application: Application, now: datetime, due: datetime) -> dict[str, Any]:
    return {
        "dataset": slug,
        "name": application.name,
        "organization": application.organization,
        "email": application.email,
        "phone": application.phone,
        "purpose": application.purpose,
        "fields": json.dumps(list(application.fields), ensure_ascii=False),
        "period_start": application.period_start,
        "period_end": application.period_end,
        "agreed": True,
        "state": "received",
        "received_at": entry_time(now),
        "due_at": stamp(due),
    }


def _undecided(found: DataRequest) -> None:
    if found.state != "received":
        raise Conflict(f"request {found.id} is {found.state} already")


def _unprintable(text: str) -> bool:
    """Holds control or format characters (a line break aside): ESC, CR, bidi marks."""
    return any(unicodedata.category(c) in REFUSED_CATEGORIES and c != "\n" for c in text)


def _left(expires: str | None, now: datetime) -> timedelta | None:
    """The time a token expiring at `expires` has left; None when it never expires."""
    if expires is None:
        return None
    return datetime.fromisoformat(expires.replace("Z", "+00:00")) - now


def _too_many(message: str, wait: int) -> TooManyRequests:
    return TooManyRequests(f"{message}; try again tomorrow", retry_after=wait)


def new_receipt() -> str:
    """A receipt code: RECEIPT_BYTES random bytes, URL-safe. One starting with `-` would read
    as an option to `opendata requests approve`, so such a draw (1 in 64) is drawn again."""
    while (receipt := secrets.token_urlsafe(RECEIPT_BYTES)).startswith("-"):
        pass
    return receipt
