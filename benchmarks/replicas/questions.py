"""The replica benchmark's two fixed mixes of questions, and the check that every
configuration answers them alike.

Catalogue: `/api/v1/datasets?q=`, CKAN `package_search` and dataset pages of the shipped
catalogue. Rows: filtered pages (first and second), a keyset page from the middle of the
SYNTHETIC hotline log, and grouped aggregates. Every question is an ASCII path and query
(percent-encoded), asked in turn by every client, the same in all four configurations.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

import httpx

from benchmarks import hotline
from benchmarks.replicas.balancer import Front

RESOURCE = f"/api/v1/datasets/{hotline.SLUG}/resources/{hotline.RESOURCE}"
PAGES = ("minimum-wage-standards", "guizhou-hrss-indicators", "region-codes")
PAGE = 100
WALK_PAGE = 10_000  # the largest page the rows endpoint gives: the walk to the middle


def question(path: str, **params: str | int) -> str:
    """`path?params`, percent-encoded as a client sends it."""
    return str(httpx.URL(path, params=params))


def catalogue_mix() -> list[str]:
    searches = [question("/api/v1/datasets", q=q) for q in ("工资", "养老保险", "minimum wage")]
    ckan = [question("/api/3/action/package_search", q=q, rows=10) for q in ("就业", "社会保险")]
    return [*searches, *ckan, *(f"/dataset/{slug}" for slug in PAGES)]


def rows_mix(cursor: str) -> list[str]:
    rows, aggregate = f"{RESOURCE}/rows", f"{RESOURCE}/aggregate"
    filtered = {"prefecture": hotline.FILTER_PREFECTURE, "topic": hotline.FILTER_TOPIC}
    return [
        question(rows, **filtered, limit=PAGE),
        question(rows, **filtered, limit=PAGE, offset=PAGE),
        question(rows, channel="微信", county="520102", limit=PAGE),
        question(rows, limit=PAGE, next=cursor),
        question(aggregate, group_by="prefecture,channel", count="*", avg="wait_seconds"),
        question(aggregate, **filtered, group_by="county", count="*", sum="talk_seconds"),
    ]


def middle_cursor(url: str, rows: int) -> str:
    """The cursor of the page after the middle row, walked to as a client walks (the
    cursor names the version, the same in both stores)."""
    depth, size = rows // 2, max(1, min(WALK_PAGE, rows // 2))
    params: dict[str, str | int] = {"fields": "id", "limit": size}
    walked, cursor = 0, ""
    with httpx.Client(base_url=url, timeout=120) as client:
        while walked < max(depth, 1):
            answer = client.get(f"{RESOURCE}/rows", params=params).raise_for_status().json()
            cursor, walked = answer["next"], walked + size
            params = {"fields": "id", "limit": size, "next": cursor}
    if not cursor:
        raise RuntimeError(f"no page after row {walked} of {rows}: too few rows for a keyset page")
    return str(cursor)


def fingerprint(response: httpx.Response) -> str:
    """An answer as the check compares it: its status and the SHA-256 of its body."""
    return f"{response.status_code} {hashlib.sha256(response.content).hexdigest()[:16]}"


def answers(front: Front, questions: Iterable[str]) -> dict[str, set[str]]:
    """Each question asked through the balancer and of each replica directly."""
    found: dict[str, set[str]] = {}
    for url in (front.url, *(server.url for server in front.replicas)):
        with httpx.Client(base_url=url, timeout=120) as client:
            for asked in questions:
                found.setdefault(asked, set()).add(fingerprint(client.get(asked)))
    return found


def disagreements(seen: Iterable[Mapping[str, set[str]]]) -> dict[str, list[str]]:
    """The questions answered in more than one way (or other than 200) across `seen`."""
    merged: dict[str, set[str]] = {}
    for answered in seen:
        for asked, prints in answered.items():
            merged.setdefault(asked, set()).update(prints)
    return {
        asked: sorted(prints)
        for asked, prints in merged.items()
        if len(prints) > 1 or not next(iter(prints)).startswith("200 ")
    }
