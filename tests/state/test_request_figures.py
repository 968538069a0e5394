"""A year of data requests in figures, on SQLite and PostgreSQL: requests filed and decided
at chosen moments (China time) across the turn of the year."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from catalog.state import (
    Limits,
    RequestStore,
    State,
    read_application,
    request_figures,
    working_days_between,
)

CST = timezone(timedelta(hours=8))
PURPOSE = "研究贵州各市州工资水平的差异，用于学术论文。"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CST)


class Desk:
    """Requests filed and decided at the moments a test says."""

    def __init__(self, state: State) -> None:
        self.state = state
        self.now = at("2026-01-01T00:00")
        self.store = RequestStore(state.database, clock=lambda: self.now)

    def file(self, when: str, email: str) -> tuple[str, str]:
        self.now = at(when)
        raw = {"name": "王", "email": email, "purpose": PURPOSE, "fields": ["year"],
               "period_start": "2020", "period_end": "2021", "agree": True}  # fmt: skip
        found, receipt = self.store.file(
            "wages", read_application(raw, ["year"]), email, Limits(100, 100)
        )
        return found.id, receipt

    def approve(self, when: str, ident: str) -> None:
        self.now = at(when)
        self.store.approve(ident, "cli:test", self.state.tokens, timedelta(days=30))

    def deny(self, when: str, ident: str, ground: str) -> None:
        self.now = at(when)
        self.store.deny(ident, "cli:test", ground)

    def withdraw(self, when: str, receipt: str) -> None:
        self.now = at(when)
        self.store.withdraw(receipt)


def test_request_figures_count_a_year_as_the_disclosure_report_does(state: State) -> None:
    desk = Desk(state)
    carried, _ = desk.file("2025-12-29T10:00", "a@example.org")
    quick, _ = desk.file("2026-03-02T09:00", "b@example.org")
    late, _ = desk.file("2026-03-02T09:30", "c@example.org")
    _, receipt = desk.file("2026-06-01T09:00", "d@example.org")
    desk.file("2026-12-30T09:00", "e@example.org")  # still waiting at the year's end
    desk.file("2026-11-02T09:00", "f@example.org")  # waiting past its deadline, 23 November
    desk.approve("2026-01-05T10:00", carried)  # 5 working days (New Year's Day counted)
    desk.deny("2026-03-04T10:00", quick, "state-secret")  # 2 working days
    desk.deny("2026-04-01T10:00", late, "repeated")  # 22 working days: past its deadline
    desk.withdraw("2026-06-02T10:00", receipt)
    found = request_figures(desk.store.all(), 2026, at("2027-02-01T00:00"))
    assert (found.received, found.carried_in, found.granted) == (5, 1, 1)
    assert found.denied == {"repeated": 1, "state-secret": 1} and found.denied_total == 2
    # Answered late and never answered are two figures: the late denial is not "逾期未答复".
    assert (found.withdrawn, found.overdue, found.answered_late, found.carried_out) == (1, 1, 1, 2)
    assert found.median_reply_working_days == 5.0
    before = request_figures(desk.store.all(), 2025, at("2027-02-01T00:00"))
    assert (before.received, before.carried_in, before.carried_out) == (1, 0, 1)
    assert before.median_reply_working_days is None


def test_request_figures_of_a_running_year_count_no_deadline_still_ahead(state: State) -> None:
    desk = Desk(state)
    desk.file("2026-11-02T09:00", "f@example.org")  # due 23 November
    assert request_figures(desk.store.all(), 2026, at("2026-11-23T12:00")).overdue == 0
    assert request_figures(desk.store.all(), 2026, at("2026-11-24T00:01")).overdue == 1


def test_working_days_count_from_the_day_after_to_the_day_of_the_decision() -> None:
    friday = datetime(2026, 3, 6, 1, 0, tzinfo=UTC)  # 09:00 in China
    assert working_days_between(friday, friday) == 0
    assert working_days_between(friday, friday + timedelta(days=3)) == 1  # Monday
    # 23:30 UTC on Friday is Saturday in China: the next Monday is its first working day,
    # as it would be of a request received on the Friday.
    saturday = datetime(2026, 3, 6, 23, 30, tzinfo=UTC)
    assert working_days_between(saturday, at("2026-03-09T00:00")) == 1
    assert working_days_between(saturday, at("2026-03-08T23:59")) == 0
