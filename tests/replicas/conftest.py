"""The state tests' databases (SQLite, and PostgreSQL on a server of the tests' own)."""

from tests.state.conftest import database_url, postgres

__all__ = ["database_url", "postgres"]
