"""Data requests in the state database, on SQLite and PostgreSQL: filing within the daily
limits, duplicates filed and marked, the reply deadline in working days, overdue, decisions
that only one reviewer wins, the token shown once, and the review sessions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from catalog.errors import Conflict, NotFound, TooManyRequests
from catalog.state import (
    GROUNDS,
    Application,
    InvalidApplication,
    Limits,
    RequestStore,
    ReviewSessions,
    State,
    read_application,
    reply_due,
    same_contact,
)
from catalog.store import ManualClock

FIELDS = ["region_code", "year", "workers", "avg_wage"]
# Friday 2026-11-27 10:00 in Guiyang.
FRIDAY = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)


def application(email: str = "li@example.org", **changes: object) -> Application:
    raw: dict[str, object] = {
        "name": "李研究", "organization": "贵州大学", "email": email,
        "purpose": "研究各市州工资水平的差异，用于学术论文。", "fields": ["year", "avg_wage"],
        "period_start": "2020", "period_end": "2022-06", "agree": True, **changes,
    }  # fmt: skip
    return read_application(raw, FIELDS)


def test_reply_due_counts_working_days_from_the_day_after() -> None:
    # 15 working days from Friday 27 November: 3 weeks of weekdays, ending Friday 18 December.
    assert reply_due(FRIDAY, 15) == datetime(2026, 12, 18, 15, 59, 59, tzinfo=UTC)
    # Received on a Saturday evening in China (Saturday 12:30 UTC): Monday is day one.
    saturday = datetime(2026, 11, 28, 12, 30, tzinfo=UTC)
    assert reply_due(saturday, 1) == datetime(2026, 11, 30, 15, 59, 59, tzinfo=UTC)
    # 23:30 on Friday UTC is Saturday in China: the same.
    assert reply_due(datetime(2026, 11, 27, 23, 30, tzinfo=UTC), 1) == reply_due(saturday, 1)


@pytest.mark.parametrize(
    ("changes", "faults"),
    [
        ({"email": "", "phone": ""}, {"email"}),
        ({"email": "li@", "phone": "12345"}, {"email", "phone"}),
        ({"purpose": "short"}, {"purpose"}),
        ({"fields": []}, {"fields"}),
        ({"fields": ["year", "salary"]}, {"fields"}),
        ({"period_start": "2023", "period_end": "2021"}, {"period_end"}),
        ({"period_start": "20xx"}, {"period_start"}),
        ({"agree": "yes"}, {"agree"}),
        ({"name": "\x1b[31mx"}, {"name"}),
        ({"name": "abc\u202etxt.exe"}, {"name"}),  # bidi override (Cf)
        ({"name": "李\u200b研究"}, {"name"}),  # zero width space (Cf)
        ({"purpose": "研究各市州工资水平的差异\u2028用于学术论文。"}, {"purpose"}),  # Zl
        ({"purpose": "研究各市州工资水\u2029平的差异，用于学术论文。"}, {"purpose"}),  # Zp
        ({"purpose": "研究工资水平的差异"}, {"purpose"}),  # 9 Chinese characters
        ({"name": 7}, {"name"}),
        ({"extra": 1}, {"extra"}),
    ],
)
def test_application_names_each_field_at_fault(
    changes: dict[str, object], faults: set[str]
) -> None:
    with pytest.raises(InvalidApplication) as raised:
        application(**changes)
    assert set(raised.value.errors) == faults
    assert raised.value.status == 400


def test_application_keeps_the_dataset_field_order_and_a_phone_alone() -> None:
    found = application(email="", phone="0851-86812345", fields=["avg_wage", "year", "year"])
    assert found.fields == ("year", "avg_wage") and found.phone == "0851-86812345"


def test_request_filed_found_by_receipt_only_hashed(state: State) -> None:
    store = RequestStore(state.database, ManualClock(FRIDAY))
    filed, receipt = store.file("wages-test", application(), "203.0.113.9", Limits())
    assert len(receipt) >= 32 and store.find(receipt) == filed == store.get(filed.id)
    assert filed.state == "received" and filed.due_at == "2026-12-18T15:59:59Z"
    with state.database.connect() as connection:
        stored = connection.execute("SELECT * FROM requests").rows
    assert receipt not in repr(stored)  # only its hash
    with pytest.raises(NotFound):
        store.find(receipt[:-1] + ("A" if receipt[-1] != "A" else "B"))


def test_same_contact_is_filed_and_marked_for_the_reviewer(state: State) -> None:
    """Refusing a second request from a waiting contact told anyone typing a victim's phone
    that the victim had applied (and when), and let them block the victim's own request."""
    store = RequestStore(state.database)
    first, _ = store.file("wages-test", application(), "203.0.113.9", Limits())
    second, _ = store.file("wages-test", application("LI@example.org"), "203.0.113.10", Limits())
    phone = application("", phone="13912345678")
    third, _ = store.file("wages-test", phone, "203.0.113.11", Limits())
    fourth, _ = store.file("wages-test", phone, "203.0.113.12", Limits())
    elsewhere, _ = store.file("other", application(), "203.0.113.9", Limits())
    marks = same_contact(store.all())
    assert marks[first.id] == [second.id] and marks[second.id] == [first.id]
    assert marks[third.id] == [fourth.id] and elsewhere.id not in marks


def test_daily_limits_per_client_and_in_all(state: State) -> None:
    clock = ManualClock(FRIDAY)
    store = RequestStore(state.database, clock)
    limits = Limits(per_client=2, total=3)
    for n in range(2):
        store.file("wages-test", application(f"a{n}@example.org"), "198.51.100.1", limits)
    with pytest.raises(TooManyRequests, match="from one client") as raised:
        store.file("wages-test", application("a2@example.org"), "198.51.100.1", limits)
    assert raised.value.retry_after is not None and 0 < raised.value.retry_after <= 86400
    store.file("wages-test", application("b@example.org"), "198.51.100.2", limits)
    with pytest.raises(TooManyRequests, match="this dataset takes no more requests today"):
        store.file("wages-test", application("c@example.org"), "198.51.100.3", limits)
    # The cap is per dataset: a flood aimed at one leaves the others open.
    store.file("other", application("c@example.org"), "198.51.100.3", limits)
    clock.advance(timedelta(days=1))  # a new day in China
    store.file("wages-test", application("c@example.org"), "198.51.100.3", limits)


def test_overdue_after_the_deadline_listed_first(state: State) -> None:
    clock = ManualClock(FRIDAY)
    store = RequestStore(state.database, clock, reply_days=2)
    late, _ = store.file("wages-test", application("late@example.org"), "a", Limits())
    clock.advance(timedelta(days=4))  # Tuesday: late's Monday+Tuesday have passed? not yet
    fresh, _ = store.file("wages-test", application("new@example.org"), "b", Limits())
    assert store.all(overdue=True) == []
    clock.advance(timedelta(days=1))  # Wednesday 10:00: late was due Tuesday 23:59:59
    assert [r.id for r in store.all(overdue=True)] == [late.id]
    assert [r.id for r in store.all()] == [late.id, fresh.id]
    store.deny(late.id, "cli:test", "not-held")
    assert store.all(overdue=True) == []  # decided: no longer overdue


def test_approval_issues_a_read_token_shown_once(state: State) -> None:
    store = RequestStore(state.database)
    filed, receipt = store.file("wages-test", application(), "a", Limits())
    assert store.reveal(receipt) == (filed, None)
    done, token = store.approve(filed.id, "cli:test", state.tokens, timedelta(days=30))
    checked = state.tokens.check(token)
    assert checked is not None and checked.may_read("wages-test")
    assert not checked.may_read("other") and not checked.may_review()
    assert done.token_id == checked.id and done.token_expires == checked.expires
    assert store.reveal(receipt) == (done, token)
    assert store.reveal(receipt) == (done, None)  # once
    with pytest.raises(Conflict, match="approved already"):
        store.deny(filed.id, "cli:other", "repeated")
    with pytest.raises(Conflict):
        store.approve(filed.id, "cli:other", state.tokens, timedelta(days=1))
    assert len(state.tokens.all()) == 1  # the refused approval made no token


def test_denial_records_the_ground_and_note(state: State) -> None:
    store = RequestStore(state.database)
    filed, receipt = store.file("wages-test", application(), "a", Limits())
    with pytest.raises(ValueError, match="unknown denial ground"):
        store.deny(filed.id, "cli:test", "because")
    store.deny(filed.id, "cli:test", "third-party-rights", "含个人信息")
    status = store.find(receipt).status(datetime.now(UTC))
    assert status["state"] == "denied" and status["overdue"] is False
    assert status["denial"]["ground"] == "third-party-rights"
    assert status["denial"]["note"] == "含个人信息"
    assert "第十五条" in status["denial"]["basis"]
    assert "email" not in status and "name" not in status  # the receipt may be shared


def test_withdrawn_by_the_applicant_then_not_decidable(state: State) -> None:
    store = RequestStore(state.database)
    filed, receipt = store.file("wages-test", application(), "a", Limits())
    assert store.withdraw(receipt).state == "withdrawn"
    with pytest.raises(Conflict, match="withdrawn already"):
        store.approve(filed.id, "cli:test", state.tokens, timedelta(days=1))


def test_every_ground_cites_its_law() -> None:
    assert all("条例" in g.basis and g.zh and g.en for g in GROUNDS.values())


def test_review_session_ends_with_logout_revocation_or_expiry(state: State) -> None:
    reviewer, _ = state.tokens.create("reviewer", ["review-requests"])
    reader, _ = state.tokens.create("reader", ["read-dataset:wages-test"])
    clock = ManualClock(datetime.now(UTC))
    sessions = ReviewSessions(state.database, clock)
    with pytest.raises(ValueError):
        sessions.start(reader)
    cookie = sessions.start(reviewer)
    found = sessions.check(cookie)
    assert found is not None and found.token.id == reviewer.id and len(found.csrf) >= 32
    assert sessions.check(cookie + "x") is None
    sessions.end(cookie)
    assert sessions.check(cookie) is None
    again = sessions.start(reviewer)
    state.tokens.revoke(reviewer.id)
    assert sessions.check(again) is None
    admin, _ = state.tokens.create("admin", ["admin"])
    late = sessions.start(admin)
    clock.advance(timedelta(hours=9))
    assert sessions.check(late) is None


def test_a_receipt_never_starts_with_a_dash(state: State, monkeypatch: pytest.MonkeyPatch) -> None:
    """`opendata requests approve -17sh…` read a receipt drawn with a leading `-` (1 in 64)
    as an option: the CLI suite failed on such a draw."""
    draws = iter(["-17shiinlRTYxuspN9082QzoWziypKBt", "A7shiinlRTYxuspN9082QzoWziypKBt"])
    monkeypatch.setattr("secrets.token_urlsafe", lambda size: next(draws))
    store = RequestStore(state.database, ManualClock(FRIDAY))
    filed, receipt = store.file("wages-test", application(), "203.0.113.9", Limits())
    assert receipt == "A7shiinlRTYxuspN9082QzoWziypKBt" and store.find(receipt) == filed
