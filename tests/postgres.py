"""Debian's PostgreSQL server, started by the tests on a loopback port in a temporary folder.

PostgreSQL refuses to run as root, and CI runs as root: then `initdb` and `pg_ctl` run as
the `postgres` user (`runuser`), in a folder made for it outside pytest's root-only temp
tree. scripts/test installs the `postgresql` package in CI when it is missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from benchmarks import free_port

SUPERUSER = "postgres"


@dataclass(frozen=True)
class PostgresServer:
    """A running server: its port, and a database made for each caller."""

    port: int

    def url(self, database: str) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """The URL of a new, empty database on this server."""
        name = f"t_{uuid.uuid4().hex[:16]}"
        self.psql(f"CREATE DATABASE {name}")
        return self.url(name)

    def psql(self, statement: str) -> None:
        # psycopg, not the psql binary: the tests need no client program.
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as connection:
            connection.execute(statement.encode())


def binaries() -> Path:
    """The newest installed version's bin folder; fails with what to install."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=_version)
    if not found:
        raise RuntimeError("PostgreSQL is not installed: apt-get install postgresql")
    return found[-1].parent


def _version(path: Path) -> float:
    return float(path.parent.parent.name)


def _run(*command: str | Path) -> None:
    as_postgres = ["runuser", "-u", SUPERUSER, "--"] if os.getuid() == 0 else []
    subprocess.run([*as_postgres, *map(str, command)], check=True, capture_output=True)


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """A server on 127.0.0.1 until the block ends; its folder is removed after."""
    root = Path(tempfile.mkdtemp(prefix="opendata-pg-"))
    if os.getuid() == 0:
        shutil.chown(root, SUPERUSER)
    bin_folder, port = binaries(), free_port()
    data = root / "data"
    _run(bin_folder / "initdb", "-D", data, "-U", SUPERUSER, "-A", "trust", "-E", "UTF8")
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    _run(bin_folder / "pg_ctl", "-D", data, "-o", options, "-l", root / "log", "-w", "start")
    try:
        yield PostgresServer(port)
    finally:
        _run(bin_folder / "pg_ctl", "-D", data, "-m", "fast", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)
