"""The state database brought up by the shipped migrations, from empty and from the files the
state was kept in before (the token file, the JSON Lines audit log), on SQLite and PostgreSQL;
and the settings that choose it."""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine, MetaData, create_engine, inspect

from catalog.settings import Settings
from catalog.state import (
    ADMIN,
    DATABASE_FILE,
    Database,
    LegacyFiles,
    State,
    current,
    head,
    import_legacy,
    open_state,
    sqlite_url,
    upgrade,
    upgrade_apart,
)
from catalog.state.schema import metadata
from tests.conftest import REPO
from tests.servers import OPENDATA

OLD_AUDIT_LINES = [
    {"time": "2026-03-01T08:00:00.000001Z", "token": "cli:root", "action": "build",
     "dataset": "wages", "outcome": "ok", "detail": "published 1", "client": "local"},
    {"time": "2026-03-02T08:00:00.000002Z", "token": "invalid", "action": "package_patch",
     "dataset": "wages", "outcome": "refused", "detail": "Authorization Error: \ud800",
     "client": "203.0.113.9"},
]  # fmt: skip


def legacy_token_file(path: Path, *, revoked: bool = False) -> str:
    """A token file as `opendata token create` wrote it before the database; the token."""
    ident, secret, salt = secrets.token_hex(6), secrets.token_urlsafe(32), secrets.token_hex(16)
    digest = hashlib.sha256(bytes.fromhex(salt) + secret.encode()).hexdigest()
    entry = {"id": ident, "name": "steward", "salt": salt, "sha256": digest,
             "created": "2026-01-01T00:00:00Z", "last_used": None,
             "revoked": "2026-02-01T00:00:00Z" if revoked else None}  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"tokens": [entry]}), encoding="utf-8")
    return f"odt_{ident}_{secret}"


def legacy_audit_log(path: Path) -> None:
    lines = [json.dumps(line, ensure_ascii=True) + "\n" for line in OLD_AUDIT_LINES]
    path.write_text("".join(lines) + '{"time": "2026-', encoding="ascii")  # a cut last line


def reflecting(url: str) -> Engine:
    """SQLAlchemy's engine on the database at `url`, to compare it with `schema.metadata`."""
    return create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))


def test_migrations_from_empty_make_exactly_the_schema(database_url: str) -> None:
    database = Database.open(database_url)
    engine = reflecting(database_url)
    try:
        assert current(database) is None
        assert upgrade(database) is True
        assert current(database) == head()
        assert upgrade(database) is False  # nothing left to do
        found = MetaData()
        found.reflect(engine)
        for table in metadata.sorted_tables:
            columns = {c.name: str(c.type) for c in found.tables[table.name].columns}
            assert columns == {c.name: str(c.type.compile(engine.dialect)) for c in table.columns}
        assert {i["name"] for i in inspect(engine).get_indexes("audit")} == {"ix_audit_time"}
    finally:
        engine.dispose()
        database.dispose()


def test_a_migration_run_in_a_child_process_brings_the_database_to_the_head(
    database_url: str,
) -> None:
    """What `opendata serve` does before it opens the database (cli.serving): the child says
    whether it migrated, and a current database is left as it is."""
    assert upgrade_apart(database_url) is True
    database = Database.open(database_url)
    try:
        assert current(database) == head()
    finally:
        database.dispose()
    assert upgrade_apart(database_url) is False


def test_a_migration_that_fails_in_its_child_process_fails_with_the_childs_error(
    tmp_path: Path,
) -> None:
    url = sqlite_url(tmp_path)
    database = Database.open(url)
    try:
        with database.begin() as connection:  # a database from a release newer than this one
            connection.execute("CREATE TABLE alembic_version (version_num TEXT)")
            connection.execute("INSERT INTO alembic_version VALUES ('f00dfeed')")
    finally:
        database.dispose()
    with pytest.raises(RuntimeError, match=r"(?s)migrating the state database failed.*f00dfeed"):
        upgrade_apart(url)


def test_state_imports_the_legacy_files_once(database_url: str, tmp_path: Path) -> None:
    files = LegacyFiles(tmp_path / "state" / "api-tokens.json", tmp_path / "state" / "audit.log")
    assert files.tokens is not None and files.audit is not None
    token = legacy_token_file(files.tokens)
    legacy_audit_log(files.audit)
    state = open_state(database_url, files)
    try:
        [imported] = state.tokens.all()
        assert imported.scopes == (ADMIN,) and imported.imported
        assert state.tokens.check(token) == imported  # it writes everything, as it did
        entries = list(state.audit.read())
        assert [(e.time, e.outcome) for e in entries] == [
            (line["time"], line["outcome"]) for line in OLD_AUDIT_LINES
        ]
        assert entries[1].detail == "Authorization Error: \\ud800"
        assert not files.tokens.exists() and not files.audit.exists()
        assert files.tokens.with_name("api-tokens.json.imported").is_file()
    finally:
        state.close()
    legacy_token_file(files.tokens)  # a file put back is not taken again
    again = open_state(database_url, files)
    try:
        assert len(again.tokens.all()) == 1 and files.tokens.is_file()
    finally:
        again.close()


def test_state_imports_a_revoked_legacy_token_revoked(state: State, tmp_path: Path) -> None:
    token = legacy_token_file(tmp_path / "tokens.json", revoked=True)
    assert import_legacy(state.database, LegacyFiles(tokens=tmp_path / "tokens.json")) == [
        "api-tokens.json"
    ]
    assert state.tokens.check(token) is None


@pytest.mark.parametrize(
    ("tokens", "audit"),
    [('{"tokens": [{"id": "x"}]}', ""), ("not json", ""), ("", '{"time": "2026"}\n[1]\n')],
)
def test_state_refuses_a_legacy_file_it_did_not_write(
    state: State, tmp_path: Path, tokens: str, audit: str
) -> None:
    folder = tmp_path / "legacy"
    folder.mkdir()
    files = LegacyFiles(folder / "api-tokens.json", folder / "audit.log")
    for path, text in ((files.tokens, tokens), (files.audit, audit)):
        if text and path is not None:
            path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="cannot be imported"):
        import_legacy(state.database, files)
    assert state.tokens.all() == [] and list(state.audit.read()) == []
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        name for name, text in (("api-tokens.json", tokens), ("audit.log", audit)) if text
    )


def test_state_legacy_token_file_moves_from_the_store_then_is_imported(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store, state = tmp_path / "store", tmp_path / "state"
    legacy = store / ".api-tokens.json"
    token = legacy_token_file(legacy)
    (store / ".api-tokens.json.lock").touch()
    settings = Settings(store=store, state=state)
    with caplog.at_level(logging.WARNING, logger="catalog.state.legacy"):
        opened = open_state(settings.database, settings.legacy_files)
    try:
        assert not legacy.exists() and not (store / ".api-tokens.json.lock").exists()
        assert "moved" in caplog.text and "imported" in caplog.text
        assert opened.tokens.check(token) is not None
        assert (state / DATABASE_FILE).stat().st_mode & 0o077 == 0
    finally:
        opened.close()


def test_settings_choose_sqlite_in_the_state_folder_else_the_url(tmp_path: Path) -> None:
    settings = Settings(store=tmp_path / "store", state=tmp_path / "state")
    assert settings.database == sqlite_url(tmp_path / "state")
    chosen = Settings(store=tmp_path / "store", database_url="postgresql://u:secret@127.0.0.1:5/db")
    assert chosen.database == "postgresql://u:secret@127.0.0.1:5/db"


@pytest.mark.parametrize("url", ["mysql://u@h/db", "sqlite://", "sqlite:///:memory:", "no url"])
def test_settings_refuse_a_database_this_platform_cannot_use(tmp_path: Path, url: str) -> None:
    with pytest.raises(ValidationError, match="database_url") as raised:
        Settings(store=tmp_path / "store", database_url=url)
    assert "secret" not in str(raised.value)


def test_opendata_db_upgrade_then_status(tmp_path: Path) -> None:
    def db(command: str) -> str:
        done = subprocess.run(
            [OPENDATA, "--store", str(tmp_path / "store"), "--state", str(tmp_path / "state"),
             "db", command],
            capture_output=True, text=True, check=True, timeout=120,
        )  # fmt: skip
        return done.stdout.strip()

    assert db("status") == f"revision none (empty); newest {head()}"
    assert db("upgrade") == f"migrated to revision {head()}"
    assert db("upgrade") == f"already at revision {head()}"
    assert db("status") == f"revision {head()}; newest {head()}"


def test_the_head_read_from_the_files_is_alembics_head() -> None:
    # The server reads the newest revision without Alembic; it must be the one Alembic runs to.
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from catalog.state import head

    config = Config()
    config.set_main_option("script_location", str(REPO / "catalog" / "state" / "migrations"))
    assert head() == ScriptDirectory.from_config(config).get_current_head()


def test_a_server_process_does_not_load_alembic_once_the_database_is_current(
    tmp_path: Path,
) -> None:
    """Alembic with Mako and Pygments is 20 MB of a server that never migrates after the first
    start, SQLAlchemy 17 MB more (its queries go through sqlite3 itself), psycopg loads only
    where PostgreSQL is the database; pyarrow.dataset brings pandas (65 MB)."""
    settings = Settings(store=tmp_path / "store", state=tmp_path / "state")
    open_state(settings.database).close()  # the first start migrates
    probe = (
        "import sys\n"
        "from catalog.settings import Settings\n"
        "from api import create_app\n"
        "from catalog.query import memory_for_serving\n"
        "memory_for_serving()\n"  # as `opendata serve` does, before the app
        f"create_app(Settings(store={str(settings.store)!r}, state={str(settings.state)!r}))\n"
        "print(sorted(m for m in ('alembic', 'mako', 'pandas', 'pyarrow.dataset', 'ckanapi',"
        " 'sqlalchemy', 'psycopg')"
        " if m in sys.modules))\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert found.stdout.strip() == "[]"


def _open_and_write(url: str) -> int:
    database = Database.open(url)
    try:
        with database.begin() as connection:
            connection.execute("CREATE TABLE IF NOT EXISTS t (x INTEGER)")
            connection.execute("INSERT INTO t VALUES (1)")
    finally:
        database.dispose()
    return 1


def test_processes_opening_a_new_sqlite_file_at_once_all_get_in(tmp_path: Path) -> None:
    # Switching a new file to WAL fails at once, without the busy timeout, when two processes
    # try together; before the retry this lost about one race in forty (found by CI).
    context = multiprocessing.get_context("fork")
    with context.Pool(6) as pool:
        for round_ in range(60):
            url = sqlite_url(tmp_path / f"round-{round_}")
            assert sum(pool.map(_open_and_write, [url] * 6, chunksize=1)) == 6
            database = Database.open(url)
            with database.connect() as connection:
                assert connection.execute("PRAGMA journal_mode").scalar() == "wal"
                assert connection.execute("SELECT count(*) FROM t").scalar() == 6
            database.dispose()
