"""The change feed: every publish, update and withdrawal, as JSON and as Atom."""

from __future__ import annotations

import json
from typing import Annotated
from xml.etree import ElementTree

from fastapi import APIRouter, Query, Request, Response
from typing_extensions import TypedDict

from api.deps import StoreDep
from api.openapi import (
    REFUSED,
    SLUG,
    TAGGED,
    TIME,
    VERSION,
    bodies,
    cached,
    example,
    json_example,
    problem_responses,
    responses,
)
from api.routes.documents import InfoDep, get_and_head, tagged
from catalog.metadata import CatalogueInfo, Links
from catalog.store import Change, changes_since, parse_moment

router = APIRouter(tags=["metadata"])

ATOM = "http://www.w3.org/2005/Atom"


# Response models: a `typing_extensions` TypedDict (pydantic reads only those on Python
# 3.11), its keys written in this order.
class ChangeEntry(TypedDict):
    """One change, with the addresses of the dataset's page, DCAT record and API."""

    id: str
    type: str
    dataset: str
    version: str
    time: str
    page: str
    dcat: str
    api: str


class ChangeList(TypedDict):
    since: str | None
    count: int
    changes: list[ChangeEntry]


@router.get(
    "/api/v1/changes",
    summary="Every publish, update and withdrawal since a time",
    responses=responses(
        json_example({"changes": [{"dataset": SLUG, "type": "publish", "version": VERSION}]}),
        cached(200),
        problem_responses(*REFUSED),
    ),
)
def list_changes(
    store: StoreDep,
    info: InfoDep,
    since: Annotated[
        str,
        Query(
            description="ISO 8601 time; changes at or after it (inclusive).",
            openapi_examples=example(TIME),
        ),
    ] = "",
) -> ChangeList:
    """Oldest first. Ask again with `since` = the `time` of the last change you applied."""
    after = parse_moment(since, "since") if since else None
    found = changes_since(store, after)
    return ChangeList(
        since=since or None,
        count=len(found),
        changes=[_change_json(info, change) for change in found],
    )


@get_and_head(
    router,
    "/feeds/changes.atom",
    summary="The change feed as Atom (newest first)",
    description="Publishes, updates and withdrawals as an Atom feed, newest first.",
    response_class=Response,
    responses=responses(
        bodies(
            {
                "application/atom+xml": '<feed xmlns="http://www.w3.org/2005/Atom">'
                "<title>changes</title></feed>"
            }
        ),
        TAGGED,
        problem_responses(*REFUSED),
    ),
)
def atom_feed(
    request: Request,
    store: StoreDep,
    info: InfoDep,
    since: Annotated[
        str,
        Query(
            description="ISO 8601 time; default: the latest 200.", openapi_examples=example(TIME)
        ),
    ] = "",
) -> Response:
    after = parse_moment(since, "since") if since else None
    found = list(reversed(changes_since(store, after)))
    body = atom(info, found if after else found[:200])
    return tagged(request, body, "application/atom+xml; charset=utf-8")


def atom(info: CatalogueInfo, found: list[Change]) -> bytes:
    """An Atom 1.0 feed (RFC 4287) of `found`, which is newest first."""
    ElementTree.register_namespace("", ATOM)
    feed = ElementTree.Element(f"{{{ATOM}}}feed")
    feed_url = f"{info.base_url}/feeds/changes.atom"
    _sub(feed, "id", feed_url)
    _sub(feed, "title", f"{info.title_en}: changes")
    _sub(feed, "updated", found[0].time if found else "1970-01-01T00:00:00Z")
    author = ElementTree.SubElement(feed, f"{{{ATOM}}}author")
    _sub(author, "name", info.publisher_en)
    ElementTree.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=feed_url)
    for change in found:
        entry = ElementTree.SubElement(feed, f"{{{ATOM}}}entry")
        details = _change_json(info, change)
        _sub(entry, "id", details["id"])
        _sub(entry, "title", f"{change.dataset} {change.kind} (version {change.version})")
        _sub(entry, "updated", change.time)
        _sub(entry, "summary", json.dumps(details, ensure_ascii=False))
        ElementTree.SubElement(entry, f"{{{ATOM}}}category", term=change.kind)
        ElementTree.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", href=details["page"])
        ElementTree.SubElement(
            entry, f"{{{ATOM}}}link", rel="describedby", href=details["dcat"], type="text/turtle"
        )
    text: bytes = ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True)
    return text


def _change_json(info: CatalogueInfo, change: Change) -> ChangeEntry:
    links = Links(info.base_url)
    return ChangeEntry(
        id=f"{info.base_url}/api/v1/changes#{change.dataset}/{change.version}/{change.kind}",
        type=change.kind,
        dataset=change.dataset,
        version=change.version,
        time=change.time,
        page=links.dataset(change.dataset),
        dcat=f"{links.dataset(change.dataset)}.ttl",
        api=links.api(change.dataset),
    )


def _sub(parent: ElementTree.Element, tag: str, text: str) -> None:
    ElementTree.SubElement(parent, f"{{{ATOM}}}{tag}").text = text
