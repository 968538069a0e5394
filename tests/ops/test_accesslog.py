"""`OPENDATA_LOG_FORMAT=json`: every line the server writes is a JSON object; one per request
with the documented fields, no query-string secret, no header, no client address unless
`OPENDATA_LOG_CLIENT_ADDRESS=true`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import httpx
import pytest

from benchmarks import serve_opendata

pytestmark = pytest.mark.slow

FIELDS = {
    "time", "level", "logger", "method", "route", "path", "status", "duration_ms", "bytes",
    "request_id",
}  # fmt: skip
SECRET = "s3cret-value-never-logged"
# Named like credentials, each logged verbatim once (issue 17): matched without case or
# punctuation, by the words they contain.
CREDENTIAL_NAMES = [
    "token", "api-key", "X-Amz-Credential", "X-Amz-Signature", "sig", "password\0",
    "aws_secret_access_key", "client_secret", "auth", "SessionId", "Passwd",
]  # fmt: skip


def logged_lines(store: Path, tmp_path: Path, **env: str) -> list[dict[str, Any]]:
    """Serve `store` with JSON logs, make a few requests, stop; every line of the server's
    output (stderr and stdout together) parsed as JSON (a line that is not fails the test)."""
    log = tmp_path / "server.log"
    settings = {"OPENDATA_LOG_FORMAT": "json", "OPENDATA_STATE": str(tmp_path / "state"), **env}
    with (
        serve_opendata(store, log=log, env=settings) as server,
        httpx.Client(base_url=server.url, timeout=30) as client,
    ):
        client.get(
            "/api/v1/datasets/region-codes/resources/regions/rows",
            params={"limit": 2},
            headers={"Authorization": f"Bearer {SECRET}", "X-Request-ID": "lb-1234.abc"},
        )
        client.get(
            "/api/v1/datasets", params=[("q", "wage")] + [(n, SECRET) for n in CREDENTIAL_NAMES]
        )
        client.get("/no/such/page")
        client.post("/api/v1/sql", json={"sql": "SELECT 1 AS n"})  # starts a sandbox worker
        client.post("/api/v1/sql", content=b"x" * 2_000_000)  # refused by the perimeter
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


def access_lines(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [line for line in lines if line["logger"] == "opendata.access"]


def test_json_logs_one_object_per_request_with_the_documented_fields(
    real_store: Path, tmp_path: Path
) -> None:
    lines = logged_lines(real_store, tmp_path)
    requests = {line["path"]: line for line in access_lines(lines)}
    rows = requests["/api/v1/datasets/region-codes/resources/regions/rows"]
    assert set(rows) == FIELDS | {"query"}
    assert rows["route"] == "/api/v1/datasets/{slug}/resources/{resource}/rows"
    assert rows["method"] == "GET" and rows["status"] == 200 and rows["level"] == "info"
    assert rows["bytes"] > 0 and rows["duration_ms"] > 0
    assert rows["request_id"] == "lb-1234.abc"  # the proxy's id, to follow it across logs
    assert rows["query"] == "limit=2"
    dropped = [f"{quote_plus(name)}=[dropped]" for name in CREDENTIAL_NAMES]
    assert requests["/api/v1/datasets"]["query"] == "&".join(["q=wage", *dropped])
    assert rows["time"].endswith("+00:00")
    unknown = requests["/no/such/page"]
    assert (unknown["route"], unknown["status"]) == ("unmatched", 404)
    assert len(unknown["request_id"]) == 32  # made here when no proxy sent one
    sql = [line["status"] for line in access_lines(lines) if line["path"] == "/api/v1/sql"]
    assert sql == [200, 413]
    # The server's own lines are JSON too.
    assert any(line["logger"].startswith("uvicorn") and "message" in line for line in lines)
    text = json.dumps(lines)
    assert SECRET not in text
    assert "127.0.0.1" not in json.dumps(access_lines(lines))


def test_json_logs_carry_the_client_address_only_when_asked(
    real_store: Path, tmp_path: Path
) -> None:
    lines = logged_lines(real_store, tmp_path, OPENDATA_LOG_CLIENT_ADDRESS="true")
    assert {line["client"] for line in access_lines(lines)} == {"127.0.0.1"}
