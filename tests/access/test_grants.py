"""The grant of one request (`catalog.state.Reader`): checked once, refused the same way
whatever is wrong with the token, nobody outside a request."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog.errors import DataRefused
from catalog.state import (
    ApiToken,
    Reader,
    current_reader,
    may_read_data,
    open_state,
    reading_as,
    require_data,
    sqlite_url,
)


def test_outside_any_request_nobody_reads_a_conditional_dataset() -> None:
    assert current_reader() is None
    assert may_read_data("open", "unconditional") and may_read_data("open", None)
    assert not may_read_data("secret", "conditional")
    with pytest.raises(DataRefused, match="/dataset/secret/apply"):
        require_data("secret", "conditional")


def test_a_reader_checks_its_token_once_and_records_each_refusal(tmp_path: Path) -> None:
    state = open_state(sqlite_url(tmp_path))
    try:
        token = state.tokens.create("r", ["read-dataset:secret"])[1]
        checks: list[str] = []
        refusals: list[tuple[str, str, str]] = []

        def check(presented: str) -> ApiToken | None:
            checks.append(presented)
            return state.tokens.check(presented)

        reader = Reader(f"Bearer {token}", check, lambda *entry: refusals.append(entry))
        with reading_as(reader):
            require_data("secret", "conditional")
            require_data("secret", "conditional")
            with pytest.raises(DataRefused):
                require_data("other", "conditional")
        assert len(checks) == 1 and reader.touched
        assert refusals == [
            (
                token.split("_")[1],
                "other",
                "no grant of it in the token's scopes read-dataset:secret",
            )
        ]
    finally:
        state.close()


@pytest.mark.parametrize("presented", ["", "odt_nonsense", "Basic dXNlcjpwYXNz"])
def test_no_token_or_one_that_does_not_check_is_refused_alike(presented: str) -> None:
    refusals: list[tuple[str, str, str]] = []
    reader = Reader(presented, lambda _: None, lambda *entry: refusals.append(entry))
    with reading_as(reader), pytest.raises(DataRefused):
        require_data("secret", "conditional")
    who = "invalid" if presented else "anonymous"
    assert refusals == [(who, "secret", "a token that does not check" if presented else "no token")]
