"""The replica benchmark's servers: `opendata serve` processes of one store sharing one state
database, and nginx on loopback in front of some of them (docs/replicas.md, deploy/nginx).

A configuration is an nginx in front of one replica, or of two: nginx stands in front of one
server too, so that 1 and 2 workers differ only in the number of workers. Its generated config
is the shipped site's proxying part (HTTP/1.1 keep-alive to an upstream of the replicas, round
robin) without TLS, compression, caching headers or its rate-limit zone: the benchmark
measures the servers, not nginx's extras.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from benchmarks.servers import OPENDATA, Server, free_port, running
from catalog.state import sqlite_url

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PUBLIC_NAME = "https://opendata.example.org"


@dataclass(frozen=True)
class Front:
    """The balancer's URL, the replicas behind it, and the processes whose CPU time counts."""

    url: str
    replicas: tuple[Server, ...]
    nginx: subprocess.Popen[bytes]


def server_settings(clients: int) -> dict[str, str]:
    """What each replica runs with beside its store: the per-client limits out of the way.

    All the benchmark's clients come from 127.0.0.1, so a per-client rate or a cap on one
    client's running requests would measure the limit, not the server. The capacity limits
    (queries, searches running at once per server) stay at their defaults.
    """
    rates = ("SQL", "EXPORTS", "AGGREGATES", "SEARCH")
    return {
        **{f"OPENDATA_RATE_{name}_PER_SECOND": "0" for name in rates},
        "OPENDATA_MAX_RUNNING_PER_CLIENT": str(max(2, clients)),
        # One public name behind the balancer (docs/replicas.md), so the links in the
        # answers are the same whichever replica made them.
        "OPENDATA_BASE_URL": PUBLIC_NAME,
    }


@contextmanager
def replica(env: Mapping[str, str], log: Path) -> Iterator[Server]:
    """`opendata serve` on a free port, ready once its /readyz says the index is loaded."""
    port = free_port()
    command = [str(OPENDATA), "serve", "--host", "127.0.0.1", "--port", str(port)]
    with running("opendata", command, port, ready_path="/readyz", log=log, env=env) as server:
        yield server


def nginx_config(folder: Path, port: int, upstreams: list[str]) -> Path:
    """nginx.conf for `folder`: its pid, log and temporary files there, listening on
    127.0.0.1:`port`, one worker (two cores are the servers')."""
    temp = "".join(
        f"    {name}_temp_path {folder / name};\n"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    servers = "".join(f"        server {address};\n" for address in upstreams)
    user = "user root;\n" if os.geteuid() == 0 else ""  # its workers write `folder` too
    config = folder / "nginx.conf"
    config.write_text(
        f"""{user}daemon off;
worker_processes 1;
pid {folder / "nginx.pid"};
error_log {folder / "nginx-error.log"} warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
{temp}    upstream opendata {{
{servers}        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $host;
        proxy_read_timeout 120s;
        proxy_max_temp_file_size 0;
        location / {{ proxy_pass http://opendata; }}
    }}
}}
""",
        encoding="utf-8",
    )
    return config


@contextmanager
def nginx(folder: Path, upstreams: list[str]) -> Iterator[Server]:
    """nginx in front of `upstreams` until the block ends, once /healthz answers through it."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    command = [NGINX, "-c", str(nginx_config(folder, port, upstreams))]
    log = folder / "nginx.log"
    with running("nginx", command, port, ready_path="/healthz", log=log, timeout=30) as server:
        yield server


@contextmanager
def replicas(
    store_env: Mapping[str, str], count: int, folder: Path, clients: int
) -> Iterator[tuple[Server, ...]]:
    """`count` replicas of the store `store_env` names, sharing one state database."""
    state = folder / "state"
    env = {
        **store_env,
        **server_settings(clients),
        "OPENDATA_STATE": str(state),
        "OPENDATA_DATABASE_URL": sqlite_url(state),
    }
    folder.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        yield tuple(
            stack.enter_context(replica(env, folder / f"replica-{n}.log")) for n in range(count)
        )


@contextmanager
def balanced(folder: Path, servers: tuple[Server, ...]) -> Iterator[Front]:
    """nginx in front of `servers`: one configuration."""
    addresses = [server.url.removeprefix("http://") for server in servers]
    with nginx(folder, addresses) as front:
        yield Front(front.url, servers, front.process)
