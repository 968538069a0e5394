"""Liveness and readiness: is the process up, and which datasets does it serve."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from api.openapi import SLUG, VERSION, json_example, problem_responses, responses

router = APIRouter()


@router.get(
    "/healthz",
    summary="Health check",
    tags=["health"],
    # Never rate-limited nor queued (`api.perimeter.admission`): no 429 or 503.
    responses=responses(
        json_example({"status": "ok", "datasets": {SLUG: VERSION}}), problem_responses(400)
    ),
)
async def healthz(request: Request) -> dict[str, Any]:
    """`ok` with the current version of every served dataset.

    Async on purpose: it must answer while every worker thread is busy with queries. It reads
    only the small `CURRENT` pointers, which costs microseconds on the event loop.
    """
    store = request.app.state.store
    served = {slug: store.current(slug) for slug in store.slugs()}
    return {"status": "ok", "datasets": served}
