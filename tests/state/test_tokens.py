"""API tokens in the state database: shown once, stored hashed, scoped, expiring, revoked;
on SQLite and PostgreSQL alike."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime, timedelta

import pytest

from catalog.errors import NotFound
from catalog.state import ADMIN, Scope, ScopeError, State, TokenStore, open_state, parse_duration
from catalog.store import ManualClock


def test_token_is_stored_only_as_a_salted_hash(state: State) -> None:
    record, token = state.tokens.create("steward", ["admin"])
    with state.database.connect() as connection:
        [row] = connection.execute("SELECT * FROM tokens").rows
    stored = " ".join(map(str, row.values()))
    assert token not in stored
    assert token.split("_", 2)[2] not in stored
    assert record.salt in stored and record.sha256 in stored


def test_token_check_accepts_plain_and_bearer_and_notes_use(state: State) -> None:
    tokens = state.tokens
    record, token = tokens.create("steward", ["publish:guizhou-hrss"])
    assert tokens.check(token) == record
    assert tokens.check(f"Bearer {token}") is not None
    assert tokens.check(f"bearer  {token} ") is not None
    assert tokens.check(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    for forged in ("odt_nothing", "odt_000000000000_forged", f"odt_{record.id}_", ""):
        assert tokens.check(forged) is None
    assert tokens.all()[0].last_used is not None


def test_token_scopes_are_kept_sorted_and_checked(state: State) -> None:
    record, token = state.tokens.create(
        "steward", ["read-dataset:wages", "publish:guizhou-hrss", "publish:guizhou-hrss"]
    )
    found = state.tokens.check(token)
    assert found is not None and found.scopes == record.scopes
    assert [str(s) for s in found.scopes] == ["publish:guizhou-hrss", "read-dataset:wages"]
    assert found.may_publish("guizhou-hrss") and not found.may_publish("other-org")
    assert not found.may_publish(None)  # a dataset of no organization: admin only
    assert found.may_read("wages") and not found.may_read("regions")
    assert not found.may_review()


def test_admin_may_do_everything(state: State) -> None:
    record, _ = state.tokens.create("root", ["admin"])
    assert record.scopes == (ADMIN,)
    assert record.may_publish("any-org") and record.may_publish(None)
    assert record.may_read("x") and record.may_review()


@pytest.mark.parametrize(
    ("scopes", "message"),
    [
        ([], "at least one scope"),
        (["publish"], "needs an organization name"),
        (["publish:Org With Spaces"], "needs an organization name"),
        (["read-dataset:../x"], "needs a dataset slug"),
        (["admin:x"], "names nothing after it"),
        (["write"], "unknown scope"),
    ],
)
def test_token_with_a_wrong_scope_is_refused(state: State, scopes: list[str], message: str) -> None:
    with pytest.raises(ScopeError, match=message):
        state.tokens.create("steward", scopes)
    assert state.tokens.all() == []


def test_token_expires_and_is_then_refused(database_url: str) -> None:
    clock = ManualClock(datetime(2026, 12, 1, tzinfo=UTC))
    state = open_state(database_url)
    try:
        tokens = TokenStore(state.database, clock)
        record, token = tokens.create("visitor", ["read-dataset:wages"], parse_duration("30d"))
        assert record.expires == "2026-12-31T00:00:00Z"
        clock.advance(timedelta(days=30) - timedelta(seconds=2))
        assert tokens.check(token) is not None
        clock.advance(timedelta(seconds=2))
        assert tokens.check(token) is None
        assert tokens.all()[0].state(clock()) == "expired"
    finally:
        state.close()


def test_revoked_token_no_longer_checks(state: State) -> None:
    tokens = state.tokens
    _, token = tokens.create("steward", ["admin"])
    _, other = tokens.create("robot", ["admin"])
    assert [t.name for t in tokens.revoke("steward")] == ["steward"]
    assert tokens.check(token) is None
    assert tokens.check(other) is not None
    assert [t.revoked is not None for t in tokens.all()] == [True, False]
    assert tokens.all()[0].state(datetime.now(UTC)) == "revoked"
    with pytest.raises(NotFound):
        tokens.revoke("steward")


@pytest.mark.parametrize("text", ["0d", "30", "30 days", "-1d", "11y", "1m"])
def test_duration_that_cannot_be_read_is_refused(text: str) -> None:
    with pytest.raises(ScopeError):
        parse_duration(text)


def test_durations() -> None:
    assert parse_duration("12h") == timedelta(hours=12)
    assert parse_duration("8w") == timedelta(weeks=8)
    assert parse_duration("1y") == timedelta(days=365)
    assert Scope("publish", "x") < Scope("read-dataset", "a")


def _create_many(url: str, name: str, count: int) -> list[str]:
    state = open_state(url)
    try:
        return [state.tokens.create(f"{name}-{n}", ["admin"])[1] for n in range(count)]
    finally:
        state.close()


def test_two_processes_creating_tokens_at_once_lose_none(database_url: str) -> None:
    # Each process opens (and, the first time, migrates) the database itself.
    context = multiprocessing.get_context("spawn")
    with context.Pool(2) as pool:
        results = pool.starmap(_create_many, [(database_url, "a", 20), (database_url, "b", 20)])
    state = open_state(database_url)
    try:
        made = [token for batch in results for token in batch]
        assert len(state.tokens.all()) == 40
        assert all(state.tokens.check(token) is not None for token in made)
    finally:
        state.close()
