"""Headers a client controls do not reach what the server writes: an invented HTTP method
is not a new metrics series, and a `Host` header is not where a redirect points."""

from __future__ import annotations

import httpx
import pytest

from tests.attacks.conftest import assert_healthy
from tests.servers import Server

pytestmark = pytest.mark.slow


def test_invented_methods_share_one_metrics_series(client: httpx.Client, server: Server) -> None:
    for number in range(20):
        client.request(f"INVENTED{number}", "/healthz")
    text = client.get("/metrics").text
    assert "INVENTED" not in text
    assert 'method="other",route="/healthz"' in text
    assert_healthy(server)


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8080", "127.0.0.1:1"])
def test_a_trailing_slash_redirect_ignores_the_host_header(
    client: httpx.Client, server: Server, host: str
) -> None:
    answer = client.get("/api/v1/datasets/wages-test/?x=1", headers={"Host": host})
    assert answer.status_code in (301, 302, 307, 308), answer.text[:300]
    assert answer.headers["location"] == f"{server.url}/api/v1/datasets/wages-test?x=1"
    assert_healthy(server)
