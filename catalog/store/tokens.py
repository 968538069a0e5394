"""API tokens for the write actions: created by the steward, stored hashed, revocable.

A token reads `odt_<id>_<secret>`: `id` names the entry in the token file, `secret` is 32
random bytes (urlsafe base64). The id is public and never changes: `opendata token list`
shows it, and the audit log (`catalog.store.audit`) names the token of each write by it. Only
`sha256(salt || secret)` is kept, with a random salt per token; a 256-bit secret cannot be
guessed, so a slow hash would add nothing but latency. The token itself is printed once by
`opendata token create` and never stored.

The file (`Settings.tokens_path`: `<state>/api-tokens.json`, outside git and outside the
store, so that nothing the query engine can open holds it) keeps every token ever made with
its name and its created, last-used and revoked times; it is rewritten whole, under a lock, by
an atomic rename. A file left at the old place, `<store>/.api-tokens.json`, is moved to the
new one the first time the tokens are used (`adopt_legacy_tokens`).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import json
import logging
import os
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from catalog.errors import NotFound

PREFIX = "odt_"
TOKENS_FILE = "api-tokens.json"
LEGACY_TOKENS_FILE = ".api-tokens.json"
logger = logging.getLogger(__name__)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class ApiToken:
    """One token's record; never the token itself."""

    id: str
    name: str
    salt: str
    sha256: str
    created: str
    last_used: str | None = None
    revoked: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked is None


class TokenStore:
    """The token file: create, list, revoke and check tokens."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def create(self, name: str) -> tuple[ApiToken, str]:
        """A new token named `name`: its record and the token, which is shown only now."""
        if not name.strip():
            raise ValueError("a token needs a name")
        secret = secrets.token_urlsafe(32)
        salt = secrets.token_hex(16)
        with self._editing() as tokens:
            ident = secrets.token_hex(6)
            while any(token.id == ident for token in tokens):
                ident = secrets.token_hex(6)
            record = ApiToken(ident, name.strip(), salt, _digest(salt, secret), _now())
            tokens.append(record)
        return record, f"{PREFIX}{ident}_{secret}"

    def all(self) -> list[ApiToken]:
        """Every token made, revoked ones included, oldest first."""
        return self._read()

    def revoke(self, name_or_id: str) -> list[ApiToken]:
        """Revoke the active tokens with this id or name; NotFound when there is none."""
        revoked = []
        with self._editing() as tokens:
            for position, token in enumerate(tokens):
                if token.active and name_or_id in (token.id, token.name):
                    tokens[position] = replace(token, revoked=_now())
                    revoked.append(tokens[position])
        if not revoked:
            raise NotFound(f"no active token named or numbered {name_or_id!r}")
        return revoked

    def check(self, presented: str) -> ApiToken | None:
        """The active token `presented` is (`Bearer ` allowed), noting its use; else None."""
        text = presented.strip()
        if text.lower().startswith("bearer "):
            text = text[7:].strip()
        if not text.startswith(PREFIX) or "_" not in text[len(PREFIX) :]:
            return None
        ident, _, secret = text[len(PREFIX) :].partition("_")
        found = next((t for t in self._read() if t.id == ident and t.active), None)
        if found is None or not hmac.compare_digest(found.sha256, _digest(found.salt, secret)):
            return None
        with self._editing() as tokens:
            for position, token in enumerate(tokens):
                if token.id == ident:
                    tokens[position] = replace(token, last_used=_now())
        return found

    def _read(self) -> list[ApiToken]:
        try:
            loaded: dict[str, Any] = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        return [ApiToken(**entry) for entry in loaded.get("tokens", [])]

    @contextlib.contextmanager
    def _editing(self) -> Iterator[list[ApiToken]]:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        lock_path = self.path.with_name(self.path.name + ".lock")
        with lock_path.open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            tokens = self._read()
            yield tokens
            text = json.dumps({"tokens": [asdict(t) for t in tokens]}, indent=1)
            temporary = self.path.with_name(f".{self.path.name}.{secrets.token_hex(4)}")
            temporary.write_text(text + "\n", encoding="utf-8")
            os.chmod(temporary, 0o600)
            os.replace(temporary, self.path)


def _digest(salt: str, secret: str) -> str:
    return hashlib.sha256(bytes.fromhex(salt) + secret.encode()).hexdigest()


def adopt_legacy_tokens(legacy: Path, target: Path) -> bool:
    """Move a token file from its old place in the store to `target`; True if it moved.

    When both exist, `target` wins and the old file is left for the operator to delete,
    with a warning: it may hold tokens revoked since.
    """
    if not legacy.is_file():
        return False
    if target.exists():
        logger.warning(
            "API tokens: %s is used; the old %s is still in the store. Delete it.", target, legacy
        )
        return False
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # `move` copies across file systems; the copy is complete before the old file goes.
    shutil.move(legacy, target)
    legacy.with_name(legacy.name + ".lock").unlink(missing_ok=True)
    os.chmod(target, 0o600)
    logger.warning(
        "API tokens moved from %s to %s: the store is readable by the query engine, private"
        " state is not",
        legacy,
        target,
    )
    return True
