"""Benchmarks, not tests: our server side by side with Datasette and the DuckDB floor.

Run from the checkout as `python -m benchmarks <which> [options]` (see `__main__`); each
benchmark writes `<name>.json` and `<name>.md` into `bench-results/` (`report`).

- `validation`: our vectorised validation against `frictionless validate`;
- `api` (package): the REST API against Datasette and DuckDB on a synthetic hotline log;
- `ckan`: the Action API against the same work in DuckDB;
- `load` (package): many clients at once against one server, a publish in the middle;
- `replicas` (package): 1 and 2 workers behind nginx, over a folder and an S3 store.

Beside them: `servers` starts real servers and waits for them (the tests start theirs with
it too), `s3server` starts moto's S3 server (the S3 tests' too), `hotline` and `catalogue`
make the synthetic data, `timing`, `memory` and `exports` measure.

The package is not in the wheel: it needs the checkout's `datasets/` and the `dev` extra
(Datasette).
"""

from benchmarks.servers import OPENDATA, ROOT, Server, free_port, running, serve_opendata

__all__ = ["OPENDATA", "ROOT", "Server", "free_port", "running", "serve_opendata"]
