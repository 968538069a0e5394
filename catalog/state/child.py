"""`python -m catalog.state.child`: the child process a server migrates its state database in
(`catalog.state.upgrade_apart`). It reads the database's URL on stdin, brings the schema to the
newest migration as every command does in its own process (`upgrade`), and prints `migrated`
or `current`."""

import sys

from catalog.state.database import Database
from catalog.state.migrate import upgrade

if __name__ == "__main__":
    database = Database.open(sys.stdin.read())
    try:
        print("migrated" if upgrade(database) else "current")
    finally:
        database.dispose()
