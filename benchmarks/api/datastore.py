"""CKAN's `datastore_search` against our `/rows` asked the same question (issue 15, point 3).

Three questions, each asked of both on our server: the filtered first page with its exact
total, the deep page by keyset (CKAN's `next_page` filter `{"_id": {"gt": N}}`; `/rows`'s
cursor), and the deep page by offset. Both must give the same ids (and total). The two are
asked in turn, request after request, so that their ratio does not drift with the load.
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx

from benchmarks import hotline
from benchmarks.api.results import DatastoreQuestion, DatastoreSearch
from benchmarks.api.rig import PAGE, Rig
from benchmarks.timing import Params, Timing, summary
from catalog.query import Cursor
from catalog.search import catalogue_uuid

ACTION = "/api/3/action/datastore_search"


def datastore_search(rig: Rig) -> DatastoreSearch:
    """The three questions by `datastore_search` and by `/rows` (its cursor to the deep
    page made as the API makes it: the page after id N)."""
    version = rig.client.get(f"{rig.base}/rows", params={"limit": 1}).json()["version"]
    cursor = Cursor(version, "id", (str(rig.depth),)).encode()
    resource_id = catalogue_uuid("resource", f"{hotline.SLUG}/{hotline.RESOURCE}")
    base: Params = {"resource_id": resource_id, "limit": PAGE}
    filtered = {**base, "filters": json.dumps(rig.filters)}
    keyset = {**base, "filters": json.dumps({"_id": {"gt": rig.depth}})}
    return {
        "filtered_page": _question(
            rig,
            "filtered first page with its exact total",
            filtered,
            {**rig.filters, "limit": PAGE, "total": "exact"},
        ),
        "deep_keyset_page": _question(
            rig,
            f'deep page by keyset: filters {{"_id": {{"gt": {rig.depth:,}}}}} (with its total)'
            " vs /rows next cursor",
            keyset,
            {"limit": PAGE, "next": cursor},
            rig.rows - rig.depth,  # the total of its filter; the cursor's is of every row
        ),
        "deep_offset_page": _question(
            rig,
            f"deep page by offset {rig.depth:,} (with its total)",
            {**base, "offset": rig.depth},
            {"limit": PAGE, "offset": rig.depth},
        ),
    }


def _question(
    rig: Rig, what: str, search: Params, rows: Params, total: int | None = None
) -> DatastoreQuestion:
    """Time the question both ways; they agree on the ids, and on the total (`/rows`'s
    unless `total` is given)."""
    (ours, answer), (page, v1) = _alternated(
        rig, (f"{rig.ours.url}{ACTION}", search), (f"{rig.base}/rows", rows)
    )
    result: dict[str, Any] = answer.json()["result"]
    same = [r["id"] for r in result["records"]] == [r["id"] for r in v1.json()["rows"]]
    total = v1.json().get("total") if total is None else total
    agree = same and len(result["records"]) == PAGE and result.get("total") == total
    return {
        "what": what,
        "datastore_search": ours,
        "rows": page,
        "ratio": round(ours["p50_ms"] / page["p50_ms"], 2),
        "agree": agree,
    }


def _alternated(rig: Rig, *requests: tuple[str, Params]) -> list[tuple[Timing, httpx.Response]]:
    """Each GET timed in turn, one after the other, as many times as the plan says: a ratio
    of two taken so is not the drift of the machine's load between two runs."""
    samples: list[list[float]] = [[] for _ in requests]
    answers: list[httpx.Response] = []
    for turn in range(rig.plan.warmup + max(rig.plan.repeat, 1)):
        answers = []
        for (url, params), taken in zip(requests, samples, strict=True):
            begun = time.perf_counter()
            answers.append(rig.client.get(url, params=params).raise_for_status())
            if turn >= rig.plan.warmup:
                taken.append((time.perf_counter() - begun) * 1000)
    return [
        ({**summary(taken, rig.plan.warmup), "url": str(answer.url)}, answer)
        for taken, answer in zip(samples, answers, strict=True)
    ]
