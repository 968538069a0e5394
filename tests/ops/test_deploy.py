"""deploy/: the nginx site passes `nginx -t` and, run on loopback in front of a real server,
gives versioned downloads the immutable cache header and gzip, passes /readyz through, skips
a replica that is down, and refuses a body past the app's 1 MiB cap; the systemd unit
verifies; the container file builds from Debian and the lock only."""

from __future__ import annotations

import json
import re
import shutil
import signal
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from benchmarks import serve_opendata
from tests.conftest import REPO
from tests.servers import OPENDATA, Server, free_port, require_programs, serving

pytestmark = pytest.mark.slow

DEPLOY = REPO / "deploy"
SITE = DEPLOY / "nginx" / "opendata.conf"
UNIT = DEPLOY / "systemd" / "opendata@.service"
CONTAINERFILE = DEPLOY / "Containerfile"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
REGIONS = "/api/v1/datasets/region-codes/resources/regions.csv"
SECRET = "s3cret-token-never-logged"
AGENT = "TrialAgent/17"


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made by openssl for this test."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def local_site(
    folder: Path, upstreams: list[int], https: int, http: int, writer: int | None = None
) -> Path:
    """The site as shipped, with only its addresses, ports and certificate paths made local;
    the write actions go to `writer` (the first of `upstreams` unless given)."""
    require_programs(NGINX, "openssl")
    cert, key = self_signed(folder)
    text = SITE.read_text(encoding="utf-8")
    text = re.sub(r"\n *listen \[::\]:\d+[^;]*;", "", text)
    text = text.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;")
    text = text.replace("listen 80;", f"listen 127.0.0.1:{http};")
    text = text.replace("/etc/ssl/opendata/fullchain.pem", str(cert))
    text = text.replace("/etc/ssl/opendata/privkey.pem", str(key))
    text = text.replace("/var/log/nginx/", f"{folder}/")
    text = with_servers(text, "opendata", upstreams)
    text = with_servers(text, "opendata_writer", [upstreams[0] if writer is None else writer])
    site = folder / "opendata.conf"
    site.write_text(text, encoding="utf-8")
    return site


def with_servers(text: str, upstream: str, ports: list[int]) -> str:
    """`text` with the servers of its `upstream` block on loopback at `ports`, in order."""
    block = re.search(rf"\nupstream {upstream} \{{[^}}]*\}}", text)
    assert block is not None, upstream
    servers = re.findall(r"server 127\.0\.0\.1:\d+", block.group())
    assert len(servers) == len(ports)
    local = block.group()
    for shipped, port in zip(servers, ports, strict=True):
        local = local.replace(shipped, f"server 127.0.0.1:{port}", 1)
    return text.replace(block.group(), local, 1)


def main_config(folder: Path, site: Path) -> Path:
    """An nginx.conf of this test's own: its pid, logs and temporary files in `folder`."""
    temp = "\n".join(
        f"    {name}_temp_path {folder / name};"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    config = folder / "nginx.conf"
    config.write_text(
        f"""user root;
daemon off;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"} warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    access_log {folder / "access.log"};
{temp}
    include {site};
}}
""",
        encoding="utf-8",
    )
    return config


def test_nginx_site_passes_nginx_t(tmp_path: Path) -> None:
    site = local_site(tmp_path, [free_port(), free_port()], free_port(), free_port())
    checked = subprocess.run(
        [NGINX, "-t", "-c", str(main_config(tmp_path, site))], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr
    assert "syntax is ok" in checked.stderr


@contextmanager
def nginx_in_front(folder: Path, upstreams: list[int], writer: int | None = None) -> Iterator[str]:
    """nginx on loopback, running the shipped site in front of `upstreams` (the write
    actions to `writer`, else the first); its https URL."""
    https = free_port()
    site = local_site(folder, upstreams, https, free_port(), writer)
    nginx = subprocess.Popen([NGINX, "-c", str(main_config(folder, site))])
    url = f"https://127.0.0.1:{https}"
    try:
        wait_for(url, folder / "cert.pem", nginx)
        yield url
    finally:
        nginx.send_signal(signal.SIGQUIT)  # graceful: let workers finish
        nginx.wait(timeout=30)


def port_of(server: Server) -> int:
    return int(server.url.rsplit(":", 1)[1])


def replica_env(folder: Path) -> dict[str, str]:
    return {"OPENDATA_STATE": str(folder / "state"), "OPENDATA_TRUST_FORWARDED_HEADERS": "true"}


@pytest.fixture
def behind_nginx(real_store: Path, tmp_path: Path) -> Iterator[str]:
    """nginx on loopback in front of a real server and of a replica that is down."""
    with (
        serving(real_store, env=replica_env(tmp_path)) as server,
        nginx_in_front(tmp_path, [port_of(server), free_port()]) as url,
    ):
        yield url


def tls(folder: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(folder / "cert.pem"))


def wait_for(url: str, cert: Path, nginx: subprocess.Popen[bytes]) -> None:
    context = ssl.create_default_context(cafile=str(cert))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert nginx.poll() is None, "nginx exited"
        try:
            httpx.get(url + "/healthz", verify=context, timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("nginx did not answer")


def test_nginx_in_front_caches_versioned_downloads_and_refuses_large_bodies(
    behind_nginx: str, real_store: Path, tmp_path: Path
) -> None:
    version = (real_store / "region-codes" / "CURRENT").read_text(encoding="utf-8").strip()
    stored = real_store / "region-codes" / version / "downloads" / "regions.csv"
    with httpx.Client(base_url=behind_nginx, verify=tls(tmp_path), timeout=30) as client:
        gz = {"Accept-Encoding": "gzip"}
        # Several times: the replica that is down is skipped, never answered 502.
        pinned = [client.get(REGIONS, params={"version": version}, headers=gz) for _ in range(4)]
        current = client.get(REGIONS, headers=gz)
        ready = client.get("/readyz")
        too_large = client.post(
            "/api/v1/sql",
            content=b"x" * (1024 * 1024 + 1),
            headers={"Content-Type": "application/json"},
        )
        small = client.post("/api/v1/sql", json={"sql": "SELECT 1 AS n"})
    for answer in pinned:
        assert answer.status_code == 200
        assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert answer.headers["content-encoding"] == "gzip"
        assert answer.content == stored.read_bytes()  # httpx decoded the gzip
        # A download is compressed by the replica, which tags its gzip body `W/"…-gzip"`
        # (nginx, compressing it, would weaken the replica's strong tag into one of its own).
        assert answer.headers["etag"].startswith('W/"') and answer.headers["etag"].endswith(
            '-gzip"'
        )
    assert current.headers["cache-control"] == "public, max-age=60"
    assert ready.status_code == 200 and ready.json() == {"status": "ready"}
    assert ready.headers["cache-control"] == "no-store"
    assert too_large.status_code == 413
    assert "nginx" in too_large.text  # refused by nginx, before it reached the app
    assert small.status_code == 200


def test_nginx_in_front_keeps_answering_while_a_replica_stops(
    real_store: Path, tmp_path: Path
) -> None:
    # Two replicas sharing the store and the state database; one gets SIGTERM halfway.
    env = replica_env(tmp_path)
    with (
        serving(real_store, env=env) as first,
        serving(real_store, env=env) as second,
        nginx_in_front(tmp_path, [port_of(first), port_of(second)]) as url,
        httpx.Client(base_url=url, verify=tls(tmp_path), timeout=30) as client,
    ):
        statuses = []
        for turn in range(40):
            if turn == 10:
                first.process.send_signal(signal.SIGTERM)
            statuses.append(client.get("/api/v1/datasets/region-codes").status_code)
            time.sleep(0.05)
        assert first.process.wait(timeout=30) == 0
        assert client.get("/readyz").status_code == 200  # the other replica
    assert statuses == [200] * 40


def test_nginx_in_front_logs_no_address_agent_or_query_and_shares_the_request_id(
    real_store: Path, tmp_path: Path
) -> None:
    # Found by an operator's trial: the site had no log_format, so nginx's default kept
    # client addresses, user agents and `?token=` query strings.
    log = tmp_path / "app.log"
    env = {**replica_env(tmp_path), "OPENDATA_LOG_FORMAT": "json"}
    with (
        serve_opendata(real_store, log=log, env=env, timeout=60) as server,
        nginx_in_front(tmp_path, [port_of(server), free_port()]) as url,
        httpx.Client(base_url=url, verify=tls(tmp_path), timeout=30) as client,
    ):
        answer = client.get(
            "/api/v1/datasets",
            params={"q": "wage", "token": SECRET, "api-key": SECRET},
            headers={"User-Agent": AGENT},
        )
    assert answer.status_code == 200
    lines = (tmp_path / "opendata.access.log").read_text(encoding="utf-8").splitlines()
    line = next(line for line in lines if "/api/v1/datasets" in line)
    assert (
        '"GET /api/v1/datasets HTTP/2.0" 200' in line
        or '"GET /api/v1/datasets HTTP/1.1" 200' in line
    )
    assert SECRET not in line and AGENT not in line and "127.0.0.1" not in line and "?" not in line
    request_id = answer.headers["x-request-id"]  # nginx's, echoed by the app
    assert re.fullmatch(r"[0-9a-f]{32}", request_id) and request_id in line
    app_lines = [json.loads(entry) for entry in log.read_text(encoding="utf-8").splitlines()]
    assert any(entry.get("request_id") == request_id for entry in app_lines)


def test_nginx_in_front_logs_no_rate_limit_refusal_in_its_error_log(
    behind_nginx: str, tmp_path: Path
) -> None:
    # Found by the issue 17 trial: each 429 of the zone wrote an `error` line naming the
    # client and the request line, `?token=` included, past the error log's `warn` level.
    with httpx.Client(base_url=behind_nginx, verify=tls(tmp_path), timeout=30) as client:
        statuses = [
            client.get("/api/no-such-route", params={"token": SECRET}).status_code
            for _ in range(400)
        ]
    assert statuses.count(429) > 0  # past the zone's 20 a second and its burst of 200
    errors = (tmp_path / "error.log").read_text(encoding="utf-8")
    assert "limiting requests" not in errors
    assert not [line for line in errors.splitlines() if SECRET in line and "upstream" not in line]


def test_nginx_in_front_keeps_a_port_other_than_443_in_the_links(
    behind_nginx: str, tmp_path: Path
) -> None:
    # Found by the issue 17 trial: the site forwarded `$host`, which has no port, so the
    # links of a site served on https://host:8443 pointed at https://host/.
    assert not behind_nginx.endswith(":443")
    portless = behind_nginx.rsplit(":", 1)[0] + "/"
    with httpx.Client(base_url=behind_nginx, verify=tls(tmp_path), timeout=30) as client:
        catalogues = [  # DCAT: landing pages and download URLs
            client.get("/catalog.jsonld"),
            client.get("/api/3/action/dcat_catalog_show", params={"format": "jsonld"}),
        ]
        page = client.get("/dataset/region-codes")  # its links, its schema.org JSON-LD
    for answer in [*catalogues, page]:
        assert answer.status_code == 200, answer.request.url
        assert f"{behind_nginx}/dataset/region-codes" in answer.text, answer.request.url
        assert portless not in answer.text, answer.request.url
    for answer in catalogues:
        assert f"{behind_nginx}{REGIONS}" in answer.text, answer.request.url


def test_nginx_in_front_gives_each_download_the_tag_the_replica_gives_it(
    real_store: Path, tmp_path: Path
) -> None:
    # Found by the issue 17 trial: a download's ETag through nginx was not the replica's own.
    # The tag hashed the forwarded headers (a download holds no link), and nginx, which
    # compressed it, weakened the replica's strong tag to W/"…", a tag the replica never gave.
    version = (real_store / "region-codes" / "CURRENT").read_text(encoding="utf-8").strip()
    downloads = [
        f"{REGIONS}?version={version}",
        REGIONS,
        REGIONS.replace(".csv", ".parquet"),
        REGIONS.replace(".csv", ".json"),
        "/api/v1/datasets/region-codes.zip",
    ]
    with (
        serving(real_store, env=replica_env(tmp_path)) as server,
        nginx_in_front(tmp_path, [port_of(server), free_port()]) as url,
        httpx.Client(base_url=url, verify=tls(tmp_path), timeout=30) as proxied,
        httpx.Client(base_url=server.url, timeout=30) as direct,
    ):
        for path in downloads:
            for coding in ("identity", "gzip"):
                asked = {"Accept-Encoding": coding}
                mine, theirs = direct.get(path, headers=asked), proxied.get(path, headers=asked)
                assert (mine.status_code, theirs.status_code) == (200, 200), path
                assert theirs.headers["etag"] == mine.headers["etag"], (path, coding)
                assert theirs.content == mine.content, (path, coding)
                encoded = mine.headers.get("content-encoding")
                assert theirs.headers.get("content-encoding") == encoded, (path, coding)
                # A strong tag names one body; a gzip body's tag is weak (its own bytes vary).
                assert mine.headers["etag"].startswith("W/") == (encoded == "gzip"), path
            tag = direct.get(path, headers={"Accept-Encoding": "identity"}).headers["etag"]
            again = proxied.get(path, headers={"If-None-Match": tag, "Accept-Encoding": "gzip"})
            assert again.status_code == 304, path
        zipped = proxied.get(downloads[0], headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"  # compressed all the same


class StoreAway(BaseHTTPRequestHandler):
    """A replica whose store does not answer, as nginx sees it: 503 with `Retry-After` (the
    question is what nginx makes of that answer, not why a replica gives it: tests/s3's
    operations tests and tests/ops/test_database_away.py check the replicas' side)."""

    def do_GET(self) -> None:
        body = b'{"status": 503, "title": "Service Unavailable"}'
        self.send_response(503)
        self.send_header("Retry-After", "5")
        self.send_header("Content-Type", "application/problem+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def store_away() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), StoreAway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def test_nginx_in_front_passes_the_replicas_503_on_and_never_answers_its_own_502(
    tmp_path: Path,
) -> None:
    # Found by the issue 17 trial: with `http_503` in proxy_next_upstream, the replicas'
    # 503s counted against max_fails, both were skipped, and nine of ten requests got
    # nginx's 502 page without Retry-After.
    with (
        store_away() as first,
        store_away() as second,
        nginx_in_front(tmp_path, [first, second]) as url,
        httpx.Client(base_url=url, verify=tls(tmp_path), timeout=30) as client,
    ):
        answers = [client.get("/api/v1/datasets/region-codes") for _ in range(10)]
    assert [answer.status_code for answer in answers] == [503] * 10
    assert all(answer.headers.get("retry-after") == "5" for answer in answers)


def test_nginx_in_front_offers_http2_over_tls(behind_nginx: str, tmp_path: Path) -> None:
    context = tls(tmp_path)
    context.set_alpn_protocols(["h2", "http/1.1"])
    host, port = behind_nginx.removeprefix("https://").split(":")
    with (
        socket.create_connection((host, int(port)), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname=host) as wrapped,
    ):
        assert wrapped.selected_alpn_protocol() == "h2"
        assert wrapped.version() in ("TLSv1.2", "TLSv1.3")


def test_systemd_unit_verifies(tmp_path: Path) -> None:
    # The unit as shipped, with ExecStart pointing at this checkout's `opendata` (verify
    # checks that the command exists) and a user that exists here.
    text = UNIT.read_text(encoding="utf-8")
    text = text.replace("/opt/opendata/.venv/bin/opendata", OPENDATA)
    unit = tmp_path / "opendata@.service"
    unit.write_text(text, encoding="utf-8")
    instance = tmp_path / "opendata@8001.service"
    instance.symlink_to(unit)
    verified = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(instance)], capture_output=True, text=True
    )
    problems = [
        line
        for line in verified.stderr.splitlines()
        # Not about the unit: this machine (a container) has no systemd running.
        if "System has not been booted with systemd" not in line and line.strip()
    ]
    assert problems == [], verified.stderr


def test_containerfile_builds_from_debian_and_the_lock_as_a_user_with_a_health_check() -> None:
    text = CONTAINERFILE.read_text(encoding="utf-8")
    names = [line.split(None, 1)[0] for line in text.splitlines() if re.match(r"[A-Z]+ ", line)]
    assert re.search(r"^FROM debian:bookworm-slim$", text, re.MULTILINE)
    assert names.count("FROM") == 1
    assert "pip install --no-cache-dir --require-hashes -r requirements.lock" in text
    last_run = len(names) - 1 - names[::-1].index("RUN")
    assert names.index("USER") > last_run  # nothing runs as root after the switch
    assert re.search(r"^USER opendata$", text, re.MULTILINE)
    assert re.search(r"^HEALTHCHECK .*\n.*127\.0\.0\.1:8000/healthz", text, re.MULTILINE)
    assert re.search(r'^CMD \["opendata", "serve"\]$', text, re.MULTILINE)
