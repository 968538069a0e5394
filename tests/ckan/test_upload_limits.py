"""Uploads to the CKAN write actions: the token is checked before any byte is read, files
stream into a folder of the request's own under the state folder, a cap stops them, and the
folder is gone however the request ends."""

from __future__ import annotations

import io
import os
import time
import zipfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import Workbook
from starlette.requests import Request

from api import create_app
from api.perimeter import audit_refusal
from api.uploads import remove_stale
from catalog.settings import Settings
from catalog.state import open_state
from catalog.store import Publisher
from tests.conftest import WAGE_CSV, write_regions, write_wages
from tests.servers import open_test_store, store_location

pytestmark = pytest.mark.anyio
CAP = 2**20  # the cap these tests run with: 1 MiB
BOUNDARY = "test-boundary-7d3f"
CHUNK = 64 * 1024


@dataclass
class Site:
    http: httpx.AsyncClient
    settings: Settings
    token: str
    app: Any

    @property
    def uploads(self) -> Path:
        return self.settings.state / "uploads"

    def leftovers(self) -> list[Path]:
        return [p for p in self.uploads.rglob("*")] if self.uploads.exists() else []

    def audit(self) -> list[Any]:
        state = open_state(self.settings.database)
        try:
            return list(state.audit.read())
        finally:
            state.close()


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[Site]:
    write_regions(tmp_path / "datasets")
    write_wages(tmp_path / "datasets")
    publisher = Publisher(open_test_store(tmp_path / "store"), tmp_path / "datasets")
    for source in publisher.plan(list(publisher.sources().values())):
        publisher.build(source)
    settings = Settings(
        store=store_location(tmp_path / "store"),
        datasets=tmp_path / "datasets",
        state=tmp_path / "state",
        max_upload_bytes=CAP,
        base_url="http://ckan.test",
    )
    state = open_state(settings.database)
    _, token = state.tokens.create("steward", ["admin"])
    state.close()
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app, client=("198.51.100.7", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://ckan.test") as http:
        yield Site(http, settings, token, app)


def multipart_head(fields: dict[str, str], filename: str) -> bytes:
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'
        for key, value in fields.items()
    ]
    parts.append(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="upload"; filename="{filename}"'
        "\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    return "".join(parts).encode()


MULTIPART = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
TAIL = f"\r\n--{BOUNDARY}--\r\n".encode()


class Body:
    """A multipart body streamed chunk by chunk, noting how much of it the server took."""

    def __init__(self, head: bytes, size: int, *, fail_after: int | None = None) -> None:
        self.head, self.size, self.fail_after = head, size, fail_after
        self.sent = 0
        self.seen_on_disk = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self.head
        for chunk in self._chunks():
            if self.fail_after is not None and self.sent >= self.fail_after:
                raise ConnectionResetError("the client went away")
            self.sent += len(chunk)
            yield chunk
        yield TAIL

    def _chunks(self) -> Iterator[bytes]:
        left = self.size
        while left > 0:
            yield b"x" * min(CHUNK, left)
            left -= CHUNK


def auth(site: Site) -> dict[str, str]:
    return {"Authorization": site.token}


async def test_upload_with_a_bad_token_reads_not_one_byte_of_the_body(site: Site) -> None:
    for headers in ({}, {"Authorization": "odt_000000000000_forged"}):
        body = Body(multipart_head({"id": "wages-test"}, "big.csv"), 50 * CAP)
        answer = await site.http.post(
            "/api/3/action/resource_create", content=body, headers={**MULTIPART, **headers}
        )
        assert answer.status_code == 403
        assert answer.json()["error"]["__type"] == "Authorization Error"
        assert body.sent == 0
    assert site.leftovers() == []
    assert [(e.token, e.outcome, e.client) for e in site.audit()] == [
        ("anonymous", "refused", "198.51.100.7"),
        ("invalid", "refused", "198.51.100.7"),
    ]


async def test_upload_over_the_cap_stops_at_the_cap_with_413_and_leaves_nothing(
    site: Site,
) -> None:
    body = Body(multipart_head({"package_id": "wages-test"}, "big.csv"), 20 * CAP)
    answer = await site.http.post(
        "/api/3/action/resource_create", content=body, headers={**MULTIPART, **auth(site)}
    )
    assert answer.status_code == 413
    found = answer.json()
    assert found["success"] is False
    assert found["error"]["__type"] == "Validation Error"
    assert found["error"]["upload"] == [
        f"File upload too large: the uploaded file is larger than {CAP:,} bytes"
    ]
    assert CAP <= body.sent <= CAP + 2 * CHUNK  # reading stopped at the cap
    assert site.leftovers() == []
    [entry] = site.audit()
    assert (entry.action, entry.dataset, entry.outcome) == (
        "resource_create",
        "wages-test",  # from the fields that came before the file
        "refused",
    )
    assert entry.detail.startswith("too large: ")


async def test_upload_with_a_declared_length_over_the_cap_is_refused_before_reading(
    site: Site,
) -> None:
    body = Body(multipart_head({}, "big.csv"), 3 * CAP)
    headers = {**MULTIPART, **auth(site), "Content-Length": str(100 * CAP)}
    answer = await site.http.post("/api/3/action/resource_create", content=body, headers=headers)
    assert answer.status_code == 413
    assert body.sent == 0


async def test_upload_streams_into_the_state_folder_then_it_is_removed(site: Site) -> None:
    csv = WAGE_CSV.encode()
    seen: list[tuple[str, int]] = []

    async def body() -> AsyncIterator[bytes]:
        yield multipart_head({"id": _resource_id(site)}, "wages.csv")
        yield csv[:40]
        # The server asks for more: what it read so far is on disk, in its own folder.
        seen.extend(
            (str(p.relative_to(site.uploads)), p.stat().st_size if p.is_file() else -1)
            for p in site.leftovers()
        )
        yield csv[40:]
        yield TAIL

    answer = await site.http.post(
        "/api/3/action/resource_update", content=body(), headers={**MULTIPART, **auth(site)}
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["result"]["rows"] == 3
    [(folder, _), (file, size)] = sorted(seen)
    assert folder.startswith("request-") and file == f"{folder}/file-0" and size == 40
    assert site.leftovers() == []
    [entry] = site.audit()
    assert (entry.action, entry.dataset, entry.outcome) == ("resource_update", "wages-test", "ok")


async def test_upload_folder_is_removed_when_validation_refuses_the_file(site: Site) -> None:
    bad = WAGE_CSV + "520200,2022,abc,81000.00,2023-06-01\n"
    answer = await site.http.post(
        "/api/3/action/resource_update",
        data={"id": _resource_id(site)},
        files={"upload": ("wages.csv", bad.encode())},
        headers=auth(site),
    )
    assert answer.status_code == 409
    assert site.leftovers() == []
    assert site.audit()[-1].outcome == "refused"


async def test_upload_folder_is_removed_when_the_client_goes_away(site: Site) -> None:
    head = multipart_head({"package_id": "wages-test"}, "big.csv")
    messages = [
        {"type": "http.request", "body": head, "more_body": True},
        {"type": "http.request", "body": b"x" * CHUNK, "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    headers = [(k.lower().encode(), v.encode()) for k, v in {**MULTIPART, **auth(site)}.items()]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/3/action/resource_create",
        "raw_path": b"/api/3/action/resource_create",
        "root_path": "",
        "query_string": b"",
        "headers": [*headers, (b"host", b"ckan.test")],
        "client": ("198.51.100.7", 5000),
        "server": ("ckan.test", 80),
    }
    await site.app(scope, receive, send)
    assert messages == []  # the disconnect was read
    assert site.leftovers() == []
    [entry] = site.audit()
    assert (entry.outcome, entry.detail) == ("failed", "the client disconnected")


def bomb() -> bytes:
    """A SYNTHETIC workbook whose sheet is 300 MiB of zeros (a few hundred KB compressed)."""
    book = Workbook()
    book.active.append(["region", "count"])
    plain = io.BytesIO()
    book.save(plain)
    source = zipfile.ZipFile(plain)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in source.infolist():
            if member.filename != "xl/worksheets/sheet1.xml":
                archive.writestr(member, source.read(member))
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for _ in range(300):
                sheet.write(b"0" * 2**20)
    return buffer.getvalue()


@pytest.mark.slow
async def test_upload_of_a_zip_bomb_is_refused_before_anything_opens_it(site: Site) -> None:
    content = bomb()
    assert len(content) < CAP
    answer = await site.http.post(
        "/api/3/action/resource_create",
        data={"package_id": "wages-test", "table": "bomb"},
        files={"upload": ("bomb.xlsx", content)},
        headers=auth(site),
    )
    assert answer.status_code == 409
    [message] = answer.json()["error"]["upload"]
    assert message.startswith("bomb.xlsx: the archive is refused unopened: it would expand")
    assert site.leftovers() == []
    assert site.audit()[-1].detail.startswith("Validation Error: upload: bomb.xlsx")


@pytest.mark.parametrize(
    ("body", "headers", "words"),
    [
        (b"--x\r\nno headers", {"Content-Type": "multipart/form-data"}, "without a boundary"),
        (
            f"--{BOUNDARY}\r\nContent-Disposition: form-data\r\n\r\nv\r\n--{BOUNDARY}--\r\n",
            MULTIPART,
            'no Content-Disposition "name"',
        ),
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="a"\r\n\r\n\xff\xfe\r\n'
            f"--{BOUNDARY}--\r\n".encode("latin-1"),
            MULTIPART,
            "is not UTF-8 text",
        ),
        (
            "".join(
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="f{n}"; filename="{n}.csv"'
                "\r\n\r\nx\r\n"
                for n in range(5)
            )
            + f"--{BOUNDARY}--\r\n",
            MULTIPART,
            "more than 4 files",
        ),
    ],
)
async def test_upload_malformed_multipart_is_a_400(
    site: Site, body: bytes | str, headers: dict[str, str], words: str
) -> None:
    content = body.encode() if isinstance(body, str) else body
    answer = await site.http.post(
        "/api/3/action/resource_create", content=content, headers={**headers, **auth(site)}
    )
    assert answer.status_code == 400, answer.text
    assert words in answer.json()
    assert site.leftovers() == []
    assert site.audit()[-1].outcome == "refused"


async def test_upload_a_read_action_takes_no_file(site: Site) -> None:
    answer = await site.http.post(
        "/api/3/action/package_show",
        data={"id": "wages-test"},
        files={"upload": ("x.csv", b"a,b\n")},
    )
    assert answer.status_code == 400
    assert "only the write actions take files" in answer.json()
    assert not site.uploads.exists()


async def test_upload_form_fields_over_their_cap_are_a_413(site: Site) -> None:
    answer = await site.http.post(
        "/api/3/action/package_patch",
        data={"id": "wages-test", "notes": "x" * (9 * 2**20)},
        headers=auth(site),
    )
    assert answer.status_code == 413
    assert "the request body is" in answer.json()["error"]["message"]
    assert site.audit()[-1].outcome == "refused"


def _resource_id(site: Site) -> str:
    from catalog.search import catalogue_uuid

    return catalogue_uuid("resource", "wages-test/wages")


def test_upload_folders_left_by_a_dead_process_are_removed_when_old(tmp_path: Path) -> None:
    root = tmp_path / "uploads"
    for name, age in (("request-old", 7 * 3600), ("request-live", 60)):
        (root / name).mkdir(parents=True)
        (root / name / "file-0").write_bytes(b"x")
        for path in (root / name, root / name / "file-0"):
            os.utime(path, (time.time() - age, time.time() - age))
    assert remove_stale(root) == [root / "request-old"]
    assert [p.name for p in root.iterdir()] == ["request-live"]
    assert remove_stale(tmp_path / "missing") == []


async def test_upload_refused_by_a_middleware_is_audited_through_the_hook(site: Site) -> None:
    def request(path: str) -> Request:
        return Request(
            {
                "type": "http",
                "method": "POST",
                "path": path,
                "query_string": b"",
                "headers": [(b"authorization", b"odt_x_y"), (b"host", b"ckan.test")],
                "client": ("203.0.113.5", 4000),
                "server": ("ckan.test", 80),
                "scheme": "http",
                "app": site.app,
            }
        )

    await audit_refusal(request("/api/3/action/package_create"), "body over 10 MB")
    await audit_refusal(request("/api/action/resource_create"), "body over 10 MB")
    await audit_refusal(request("/api/3/action/package_search"), "body over 10 MB")  # a read
    await audit_refusal(request("/api/v1/sql"), "body over 10 MB")
    assert [(e.action, e.token, e.client, e.detail) for e in site.audit()] == [
        ("package_create", "unchecked", "203.0.113.5", "body over 10 MB"),
        ("resource_create", "unchecked", "203.0.113.5", "body over 10 MB"),
    ]
