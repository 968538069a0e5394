"""Fixes from the trial of issue 16, in the state database (SQLite and PostgreSQL): a lost
token issued again, a purpose counted fairly in Chinese, the faults of an application coded
for the form's own language, a deny note without control characters, and a refused check
that is no use of a token; the reply deadline extended once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from catalog.errors import Conflict
from catalog.state import InvalidApplication, Limits, RequestStore, State, request_figures
from catalog.store import ManualClock
from tests.state.test_requests import FRIDAY, application


def test_a_lost_token_is_issued_again_with_the_same_scope_and_expiry(state: State) -> None:
    store = RequestStore(state.database)
    filed, receipt = store.file("wages-test", application(), "a", Limits())
    with pytest.raises(Conflict, match="only an approval has a token"):
        store.reissue(filed.id, state.tokens)
    done, first = store.approve(filed.id, "cli:test", state.tokens, timedelta(days=30))
    assert store.reveal(receipt)[1] == first  # used up, say by a chat app's link preview
    again, second = store.reissue(filed.id, state.tokens)
    assert second != first and again.token_id != done.token_id
    assert again.token_expires == done.token_expires and again.token_pending
    assert state.tokens.check(first) is None  # the lost one is revoked
    checked = state.tokens.check(second)
    assert checked is not None and checked.may_read("wages-test")
    assert not checked.may_read("other")
    assert store.reveal(receipt) == (again, second)  # on the receipt page again, once
    assert store.reveal(receipt)[1] is None


def test_reissue_refuses_an_expired_token(state: State) -> None:
    store = RequestStore(state.database)
    filed, _ = store.file("wages-test", application(), "a", Limits())
    store.approve(filed.id, "cli:test", state.tokens, timedelta(seconds=-1))
    with pytest.raises(Conflict, match="expired"):
        store.reissue(filed.id, state.tokens)


def test_purpose_weighs_chinese_characters_double() -> None:
    assert application(purpose="研究各市州工资水平差").purpose == "研究各市州工资水平差"  # 10
    assert application(purpose="x" * 20).purpose == "x" * 20
    with pytest.raises(InvalidApplication) as raised:
        application(purpose="x" * 19)
    assert raised.value.faults["purpose"].code == "purpose-short"


def test_faults_are_coded_for_the_web_form() -> None:
    with pytest.raises(InvalidApplication) as raised:
        application(email="", phone="", purpose="", agree=False)
    faults = raised.value.faults
    assert faults["email"].code == "contact" and faults["agree"].code == "agree"
    assert dict(faults["purpose"].figures)["count"] == "0"
    assert raised.value.errors["agree"] == "the conditions must be agreed to (true)"  # the API's


@pytest.mark.parametrize("note", ["\x1b[2J\x1b[31mAPPROVED", "ok\r\nreviewer: admin", "\u202e"])
def test_deny_note_refuses_control_characters(state: State, note: str) -> None:
    store = RequestStore(state.database)
    filed, _ = store.file("wages-test", application(), "a", Limits())
    with pytest.raises(ValueError, match="control or format characters"):
        store.deny(filed.id, "cli:test", "repeated", note)
    assert store.get(filed.id).state == "received"
    assert store.deny(filed.id, "cli:test", "repeated", "第一行\n第二行").state == "denied"


def test_a_check_that_may_still_be_refused_notes_no_use(state: State) -> None:
    made, token = state.tokens.create("reader", ["read-dataset:wages-test"])
    assert state.tokens.check(token, note_use=False) is not None
    assert state.tokens.all()[0].last_used is None
    state.tokens.note_use(made.id)
    assert state.tokens.all()[0].last_used is not None


def test_the_deadline_is_extended_once_and_then_is_the_deadline(state: State) -> None:
    clock = ManualClock(FRIDAY)
    store = RequestStore(state.database, clock)
    filed, receipt = store.file("wages-test", application(), "a", Limits())
    assert filed.due_at == "2026-12-18T15:59:59Z"
    for days, reason in ((0, "人手不足"), (16, "人手不足"), (5, " "), (5, "\x1b[31m")):
        with pytest.raises(ValueError):
            store.extend(filed.id, days, reason)
    done = store.extend(filed.id, 5, "数据需跨部门核实")
    assert done.due_at == "2026-12-25T15:59:59Z"  # five working days after 18 December
    status = store.find(receipt).status(FRIDAY)
    assert status["extension"]["working_days"] == 5
    assert status["extension"]["reason"] == "数据需跨部门核实"
    with pytest.raises(Conflict, match="extended already"):
        store.extend(filed.id, 3, "again")
    clock.advance(timedelta(days=25))  # 22 December, past the first deadline, within the new
    assert not store.get(filed.id).overdue(clock())
    store.deny(filed.id, "cli:test", "not-held")
    figures = request_figures(store.all(), 2026, FRIDAY + timedelta(days=60))
    assert (figures.extended, figures.answered_late, figures.overdue) == (1, 0, 0)
    with pytest.raises(Conflict, match="denied already"):
        store.extend(filed.id, 1, "late")
