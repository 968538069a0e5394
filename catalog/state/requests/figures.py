"""A year of data requests in figures, as the annual disclosure report counts applications.

The year is a calendar year in China time. A request counts in the year it was received
(`received`); one received earlier and still undecided when the year began is carried in
(`carried_in`, 上年结转), one still undecided when it ended is carried out (`carried_out`,
结转下年度继续办理). Decisions count in the year they were taken: granted, denied by legal
ground, withdrawn by the applicant. Of the requests whose reply deadline passed in the year,
one decided after its deadline but within the year (or by now) is `answered_late` (逾期答复);
one still undecided at the year's end (or now) is `overdue` (逾期未答复): the two never count
the same request. An extended deadline (`extended`, counted in the year it was extended) is
the deadline: a request answered within it is not late. The
reply time of a decision (granted or denied) is in working days, Monday to Friday, from the
day after it was received to the day it was decided (China time), as the deadline counts;
`median_reply_working_days` is their median.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from catalog.state.requests.grounds import CHINA
from catalog.state.requests.record import DataRequest


@dataclass(frozen=True)
class RequestFigures:
    """The requests of one year."""

    year: int
    received: int = 0
    carried_in: int = 0
    granted: int = 0
    denied: dict[str, int] = field(default_factory=dict)  # ground code → count
    withdrawn: int = 0
    overdue: int = 0
    answered_late: int = 0
    extended: int = 0  # deadlines extended in the year (延期答复)
    carried_out: int = 0
    median_reply_working_days: float | None = None

    @property
    def denied_total(self) -> int:
        return sum(self.denied.values())


def working_days_between(received: datetime, decided: datetime) -> int:
    """Working days from the day after `received` to the day of `decided` (China time)."""
    day, last = received.astimezone(CHINA).date(), decided.astimezone(CHINA).date()
    count = 0
    while day < last:
        day += timedelta(days=1)
        count += day.weekday() < 5
    return count


def request_figures(found: list[DataRequest], year: int, now: datetime) -> RequestFigures:
    """The figures of `year` from every request kept (`RequestStore.all()`), as of `now`."""
    start, end = _year_start(year), _year_start(year + 1)
    until = min(end, now)
    received = [r for r in found if start <= _at(r.received_at) < end]
    decided = [r for r in found if r.decided_at and start <= _at(r.decided_at) < end]
    denied: dict[str, int] = {}
    for request in decided:
        if request.state == "denied":
            code = request.denial_ground or "unknown"
            denied[code] = denied.get(code, 0) + 1
    replies = [
        working_days_between(_at(r.received_at), _at(r.decided_at or ""))
        for r in decided
        if r.state in ("approved", "denied")
    ]
    return RequestFigures(
        year=year,
        received=len(received),
        carried_in=sum(1 for r in found if _open_at(r, start)),
        granted=sum(1 for r in decided if r.state == "approved"),
        denied=dict(sorted(denied.items())),
        withdrawn=sum(1 for r in decided if r.state == "withdrawn"),
        overdue=sum(1 for r in found if _late_in(r, start, until) and _open_at(r, until)),
        answered_late=sum(1 for r in found if _late_in(r, start, until) and not _open_at(r, until)),
        carried_out=sum(1 for r in found if _open_at(r, end)),
        extended=sum(1 for r in found if r.extended_at and start <= _at(r.extended_at) < end),
        median_reply_working_days=float(statistics.median(replies)) if replies else None,
    )


def _year_start(year: int) -> datetime:
    return datetime.combine(date(year, 1, 1), time(0), CHINA)


def _at(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp)


def _open_at(request: DataRequest, moment: datetime) -> bool:
    """Received before `moment` and not decided by then."""
    if _at(request.received_at) >= moment:
        return False
    return request.decided_at is None or _at(request.decided_at) >= moment


def _late_in(request: DataRequest, start: datetime, until: datetime) -> bool:
    """Its deadline passed between `start` and `until` with no decision by the deadline."""
    due = _at(request.due_at)
    if not start <= due < until:
        return False
    return request.decided_at is None or _at(request.decided_at) > due
