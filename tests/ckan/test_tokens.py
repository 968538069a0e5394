"""API tokens: shown once, stored hashed, checked, revoked."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog.errors import NotFound
from catalog.store import TokenStore


def test_token_is_stored_only_as_a_salted_hash(tmp_path: Path) -> None:
    tokens = TokenStore(tmp_path / "tokens.json")
    record, token = tokens.create("steward")
    text = (tmp_path / "tokens.json").read_text()
    assert token not in text
    assert token.split("_", 2)[2] not in text
    assert record.salt in text
    assert (tmp_path / "tokens.json").stat().st_mode & 0o077 == 0


def test_token_check_accepts_plain_and_bearer_and_notes_use(tmp_path: Path) -> None:
    tokens = TokenStore(tmp_path / "tokens.json")
    record, token = tokens.create("steward")
    assert tokens.check(token) == record
    assert tokens.check(f"Bearer {token}") is not None
    assert tokens.check(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert tokens.check("odt_nothing") is None
    assert tokens.all()[0].last_used is not None


def test_revoked_token_no_longer_checks(tmp_path: Path) -> None:
    tokens = TokenStore(tmp_path / "tokens.json")
    _, token = tokens.create("steward")
    _, other = tokens.create("robot")
    assert [t.name for t in tokens.revoke("steward")] == ["steward"]
    assert tokens.check(token) is None
    assert tokens.check(other) is not None
    assert [t.revoked is not None for t in tokens.all()] == [True, False]
    with pytest.raises(NotFound):
        tokens.revoke("steward")
