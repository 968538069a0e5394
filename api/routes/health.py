"""Liveness and readiness: is the process up, and which datasets does it serve."""

from __future__ import annotations

from fastapi import APIRouter, Request
from typing_extensions import TypedDict

from api.openapi import SLUG, VERSION, json_example, problem_responses, responses
from catalog.store import Store

router = APIRouter()


# A response model: pydantic reads only `typing_extensions` TypedDicts on Python 3.11.
class Health(TypedDict):
    status: str
    datasets: dict[str, str | None]  # slug: its current version


@router.get(
    "/healthz",
    summary="Health check",
    tags=["health"],
    # Never rate-limited nor queued (`api.perimeter.admission`): no 429 or 503.
    responses=responses(
        json_example({"status": "ok", "datasets": {SLUG: VERSION}}), problem_responses(400)
    ),
)
async def healthz(request: Request) -> Health:
    """`ok` with the current version of every served dataset.

    Async on purpose: it must answer while every worker thread is busy with queries. It reads
    only the small `CURRENT` pointers, which costs microseconds on the event loop.
    """
    store: Store = request.app.state.store
    served = {slug: store.current(slug) for slug in store.slugs()}
    return Health(status="ok", datasets=served)
