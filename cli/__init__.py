"""The `opendata` command line: the steward's and operator's entry point, above `api`."""

from cli.main import app

__all__ = ["app"]
