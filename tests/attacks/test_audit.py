"""Attacks on the CKAN write actions, each refused, audited with the attacker's address, and
followed by a health check: missing, forged and revoked tokens, an 800 MB upload with a bad
token (not one byte written), uploads over the cap, zip bombs and escaping archive members,
malformed bodies with a good token. At the end `opendata audit` lists every refusal."""

from __future__ import annotations

import json
import os
import socket
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from catalog.search import catalogue_uuid
from catalog.settings import Settings
from catalog.state import AuditEntry, open_state
from catalog.store import FolderStore, Publisher
from tests.attacks.conftest import MEMORY_BUDGET_MB, assert_healthy
from tests.conftest import WAGE_CSV, write_regions, write_wages
from tests.servers import OPENDATA, Server, serving
from tests.validation.test_bombs import replaced_sheet, with_member, workbook

pytestmark = pytest.mark.slow

CAP = 16 * 2**20  # the attacked server's upload cap
MiB = 2**20
RESOURCE = catalogue_uuid("resource", "wages-test/wages")


@dataclass(frozen=True)
class Site:
    root: Path
    settings: Settings
    token: str
    revoked: str

    @property
    def uploads(self) -> Path:
        return self.settings.uploads_path

    def refusals(self) -> list[AuditEntry]:
        state = open_state(self.settings.database)
        try:
            return list(state.audit.read(outcome="refused"))
        finally:
            state.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    root = tmp_path_factory.mktemp("audit-attack")
    write_regions(root / "datasets")
    write_wages(root / "datasets")
    publisher = Publisher(FolderStore(root / "store"), root / "datasets")
    for source in publisher.plan(list(publisher.sources().values())):
        publisher.build(source)
    settings = Settings(store=root / "store", datasets=root / "datasets", state=root / "state")
    state = open_state(settings.database)
    _, token = state.tokens.create("steward", ["admin"])
    _, revoked = state.tokens.create("former", ["admin"])
    state.tokens.revoke("former")
    state.close()
    return Site(root, settings, token, revoked)


@pytest.fixture(scope="module")
def server(site: Site) -> Iterator[Server]:
    env = {
        "OPENDATA_MEMORY_BUDGET_MB": str(MEMORY_BUDGET_MB),
        "OPENDATA_DATASETS": str(site.settings.datasets),
        "OPENDATA_STATE": str(site.settings.state),
        "OPENDATA_MAX_UPLOAD_BYTES": str(CAP),
    }
    with serving(Path(site.settings.store), env=env) as running:
        yield running


def assert_envelope(answer: httpx.Response, status: int, kind: str) -> dict[str, object]:
    assert answer.status_code == status, answer.text[:300]
    body: dict[str, object] = answer.json()
    assert body["success"] is False
    error = body["error"]
    assert isinstance(error, dict) and error["__type"] == kind
    for leak in ("/tmp/", "/work/", "Traceback", str(Path.cwd())):
        assert leak not in answer.text
    return body


def last_refusal(site: Site, action: str) -> AuditEntry:
    entry = site.refusals()[-1]
    assert entry.action == action
    assert entry.client == "127.0.0.1"
    return entry


def open_files(pid: int) -> list[str]:
    """The regular files a process holds open."""
    found = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("/") and Path(target).is_file():
            found.append(target)
    return found


# --- tokens ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "recorded"),
    [
        ({}, "anonymous"),
        ({"Authorization": ""}, "anonymous"),
        ({"Authorization": "odt_000000000000_forged"}, "invalid"),
        ({"Authorization": "Bearer not-a-token"}, "invalid"),
        ({"Authorization": "odt_" + "a" * 5000}, "invalid"),
        ({"X-CKAN-API-Key": "odt_000000000000_forged"}, "anonymous"),
    ],
    ids=["none", "empty", "forged", "bearer-garbage", "long", "other-header"],
)
def test_write_without_a_valid_token_is_refused_and_audited(
    client: httpx.Client, server: Server, site: Site, header: dict[str, str], recorded: str
) -> None:
    answer = client.post(
        "/api/3/action/package_patch", json={"id": "wages-test", "title": "x"}, headers=header
    )
    assert_envelope(answer, 403, "Authorization Error")
    entry = last_refusal(site, "package_patch")
    assert entry.token == recorded
    assert entry.detail.startswith("Authorization Error")
    assert "forged" not in entry.token
    assert_healthy(server)


def test_write_with_a_revoked_or_altered_token_is_refused(
    client: httpx.Client, server: Server, site: Site
) -> None:
    altered = site.token[:-4] + ("AAAA" if not site.token.endswith("AAAA") else "BBBB")
    for token in (site.revoked, altered, site.token.replace("odt_", "odt_0")):
        answer = client.post(
            "/api/3/action/package_delete",
            json={"id": "wages-test"},
            headers={"Authorization": token},
        )
        assert_envelope(answer, 403, "Authorization Error")
        assert last_refusal(site, "package_delete").token == "invalid"
        assert_healthy(server)
    assert client.post("/api/3/action/package_show", json={"id": "wages-test"}).status_code == 200


# --- uploads -----------------------------------------------------------------------------------

HEAD = (
    b'--b\r\nContent-Disposition: form-data; name="package_id"\r\n\r\nwages-test\r\n'
    b'--b\r\nContent-Disposition: form-data; name="upload"; filename="huge.csv"\r\n\r\n'
)
MULTIPART = {"Content-Type": "multipart/form-data; boundary=b"}


def test_upload_of_800_mb_with_a_bad_token_writes_nothing(
    server: Server, site: Site, tmp_path: Path
) -> None:
    checks: list[list[str]] = []

    def body() -> Iterator[bytes]:
        yield HEAD
        for number in range(800):
            if number % 100 == 0:  # while the bytes arrive, nothing holds a file for them
                held = [
                    f
                    for f in open_files(server.pid)
                    if f.startswith(("/tmp", str(site.root)))
                    and not f.startswith(str(site.settings.store))  # tokens, published files
                    # the state database, where the refusal is being recorded
                    and not f.startswith(str(site.settings.state / "opendata.sqlite"))
                ]
                checks.append(held + [str(p) for p in site.uploads.rglob("*")])
            yield b"x" * MiB
        yield b"\r\n--b--\r\n"

    with httpx.Client(base_url=server.url, timeout=120) as http:
        answer = http.post(
            "/api/3/action/resource_create",
            content=body(),
            headers={**MULTIPART, "Authorization": "odt_000000000000_forged"},
        )
    assert_envelope(answer, 403, "Authorization Error")
    assert checks and all(found == [] for found in checks), checks
    assert list(site.uploads.rglob("*")) == []
    assert last_refusal(site, "resource_create").token == "invalid"
    assert_healthy(server)


def test_upload_declared_past_the_cap_is_refused_before_reading(server: Server, site: Site) -> None:
    # A client that announces 800 MB and sends only the start: the answer comes at once.
    host, port = server.url.removeprefix("http://").split(":")
    head = (
        "POST /api/3/action/resource_create HTTP/1.1\r\n"
        f"Host: {host}\r\nAuthorization: {site.token}\r\n"
        f"Content-Type: {MULTIPART['Content-Type']}\r\nContent-Length: {800 * MiB}\r\n\r\n"
    )
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        connection.sendall(head.encode() + HEAD)
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            chunk = connection.recv(65536)
            if not chunk:
                break
            answer += chunk
    status, _, rest = answer.partition(b"\r\n")
    assert status.startswith(b"HTTP/1.1 413"), answer[:300]
    # Refused by the perimeter (api.perimeter.limits) from Content-Length, before the route runs.
    assert b"Payload Too Large" in rest
    assert "838860800 bytes" in last_refusal(site, "resource_create").detail
    assert_healthy(server)


def test_upload_past_the_cap_with_a_good_token_is_413_and_leaves_nothing(
    client: httpx.Client, server: Server, site: Site
) -> None:
    def body() -> Iterator[bytes]:  # chunked: the cap is met while streaming
        yield HEAD
        for _ in range(4 * CAP // MiB):
            yield b"x" * MiB
        yield b"\r\n--b--\r\n"

    answer = client.post(
        "/api/3/action/resource_create",
        content=body(),
        headers={**MULTIPART, "Authorization": site.token},
    )
    body_json = assert_envelope(answer, 413, "Validation Error")
    assert body_json["error"] == {
        "__type": "Validation Error",
        "upload": [f"File upload too large: the uploaded file is larger than {CAP:,} bytes"],
    }
    assert list(site.uploads.rglob("*")) == []
    entry = last_refusal(site, "resource_create")
    assert (entry.dataset, entry.token) == ("wages-test", site.token.split("_")[1])
    assert_healthy(server)


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("bomb.xlsx", lambda: replaced_sheet(2**30), "it would expand to 1,024 MiB"),
        ("ratio.xlsx", lambda: replaced_sheet(64 * MiB), "would expand"),
        ("escape.xlsx", lambda: with_member(workbook(), "../../evil.xml", b"<x/>"), "outside"),
        ("abs.xlsx", lambda: with_member(workbook(), "/etc/cron.d/x", b"x"), "outside"),
        ("nested.xlsx", lambda: with_member(workbook(), "x.zip", workbook()), "archive"),
        ("bomb.csv", lambda: replaced_sheet(2**30), "it would expand"),  # named as a CSV
    ],
    ids=["gigabyte", "ratio", "dotdot", "absolute", "nested", "renamed"],
)
def test_upload_of_a_hostile_archive_is_refused_unopened(
    client: httpx.Client, server: Server, site: Site, name: str, content: object, words: str
) -> None:
    assert callable(content)
    data = content()
    answer = client.post(
        "/api/3/action/resource_create",
        data={"package_id": "wages-test", "table": "hostile"},
        files={"upload": (name, data)},
        headers={"Authorization": site.token},
    )
    body = assert_envelope(answer, 409, "Validation Error")
    [message] = body["error"]["upload"]  # type: ignore[index]
    assert message.startswith(f"{name}: the archive is refused unopened") and words in message
    assert list(site.uploads.rglob("*")) == []
    assert not (site.settings.datasets / "wages-test" / "data" / "hostile.xlsx").exists()
    assert last_refusal(site, "resource_create").detail.startswith("Validation Error: upload:")
    assert_healthy(server)


def test_upload_that_fails_validation_is_refused_and_audited(
    client: httpx.Client, server: Server, site: Site
) -> None:
    bad = WAGE_CSV + "520200,2022,abc,81000.00,2023-06-01\n"
    answer = client.post(
        "/api/3/action/resource_update",
        data={"id": RESOURCE},
        files={"upload": ("wages.csv", bad.encode())},
        headers={"Authorization": site.token},
    )
    assert_envelope(answer, 409, "Validation Error")
    assert last_refusal(site, "resource_update").dataset == "wages-test"
    assert_healthy(server)


# --- bodies with a good token ------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"id": "wages-test", "title": "\\ud800"}',
        b'["id", "wages-test"]',
        b'{"id": "wages-test", "title": "\xff"}',
        b'{"id": "wages-test", "title": ' + b"[" * 1000 + b"]" * 1000 + b"}",
    ],
    ids=["nested", "surrogate", "array", "not-utf8", "deep-value"],
)
def test_write_with_a_malformed_body_is_a_400_and_audited(
    client: httpx.Client, server: Server, site: Site, body: bytes
) -> None:
    answer = client.post(
        "/api/3/action/package_patch",
        content=body,
        headers={"Authorization": site.token, "Content-Type": "application/json"},
    )
    assert answer.status_code == 400, answer.text[:300]
    assert answer.json().startswith("Bad request: JSON Error: ")
    assert last_refusal(site, "package_patch").detail.startswith("Bad request: ")
    assert_healthy(server)


def test_write_by_get_is_refused_and_audited(
    client: httpx.Client, server: Server, site: Site
) -> None:
    answer = client.get("/api/3/action/package_delete", params={"id": "wages-test"})
    assert answer.status_code == 400
    assert answer.json() == (
        "Bad request: JSON Error: Invalid request. Please use POST method for your request"
    )
    assert last_refusal(site, "package_delete").token == "anonymous"
    assert_healthy(server)


def test_write_to_a_dataset_that_does_not_exist_is_refused_and_audited(
    client: httpx.Client, server: Server, site: Site
) -> None:
    answer = client.post(
        "/api/3/action/package_delete",
        json={"id": "no-such-dataset"},
        headers={"Authorization": site.token},
    )
    assert_envelope(answer, 404, "Not Found Error")
    assert last_refusal(site, "package_delete").dataset == "no-such-dataset"
    assert_healthy(server)


def test_opendata_audit_lists_every_refusal_with_the_client_address(
    server: Server, site: Site
) -> None:
    env = {**os.environ, "OPENDATA_STATE": str(site.settings.state)}
    listed = subprocess.run(
        [OPENDATA, "--store", str(site.settings.store), "audit", "--outcome", "refused", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert len(rows) >= 24  # every refusal of the tests above
    assert {row["client"] for row in rows} == {"127.0.0.1"}
    assert {row["outcome"] for row in rows} == {"refused"}
    assert {"anonymous", "invalid", site.token.split("_")[1]} <= {row["token"] for row in rows}
    text = listed.stdout
    assert site.token not in text and site.token.split("_", 2)[2] not in text
    table = subprocess.run(
        [OPENDATA, "audit", "--action", "resource_create", "--outcome", "refused"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    assert "refused  resource_create  wages-test" in table.stdout
    assert "127.0.0.1" in table.stdout
    assert_healthy(server)
