"""A data request's JSON body is read as the CKAN endpoint reads one, against a real server:
nesting deeper than 64 levels is a 400 saying so (it was Python's RecursionError, a 500),
and the server goes on answering."""

from __future__ import annotations

import pytest

from tests.access.conftest import SECRET, Site

pytestmark = pytest.mark.slow

URL = f"/api/v1/datasets/{SECRET}/requests"
JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize("depth", [8000, 100])
def test_a_deeply_nested_body_is_a_400(site: Site, depth: int) -> None:
    with site.client() as client:
        answer = client.post(URL, content="[" * depth + "]" * depth, headers=JSON)
        assert answer.status_code == 400, answer.text
        assert "nested deeper than 64" in answer.json()["detail"]
        assert client.get("/healthz").status_code == 200


def test_other_bounds_of_the_ckan_reader_hold_too(site: Site) -> None:
    with site.client() as client:
        for body in ('{"name": "\\ud800"}', '{"name": 1e999}', '{"name": NaN}', "[]"):
            answer = client.post(URL, content=body, headers=JSON)
            assert answer.status_code == 400, (body, answer.text)
