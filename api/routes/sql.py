"""Read-only SQL over the views `<dataset>__<resource>`: `GET|POST /api/v1/sql`."""

from __future__ import annotations

from typing import Annotated, Any

from anyio import CapacityLimiter, to_thread
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from api.deps import EngineDep
from api.openapi import REFUSED, TOO_LARGE, cached, json_example, problem_responses, responses
from api.render import json_with_rows
from catalog.errors import ServiceUnavailable
from catalog.sandbox import RETRY_AFTER

router = APIRouter(prefix="/api/v1", tags=["sql"])

DESCRIPTION = (
    "One `SELECT` or `WITH` query over the views named `<dataset>__<resource>` (dashes in the "
    "dataset name become underscores, e.g. `wages_test__wages`), which show the current "
    "version of every published dataset. No files, network, settings, catalogue functions, "
    "ATTACH, COPY, INSTALL/LOAD, PRAGMA, SET or second statement. A query runs in a sandbox "
    "process within the time limit and its own memory cap (past it: 400, `query-too-large`); "
    "the result holds at most `row_cap` rows and `byte_cap` bytes of them (then `truncated` "
    "is true). When every sandbox is busy the answer is 503 with `Retry-After`."
)
EXAMPLE = "SELECT year, sum(workers) AS workers FROM wages__wages GROUP BY year ORDER BY year"


class SqlQuery(BaseModel):
    sql: str = Field(examples=[EXAMPLE], description="One read-only SELECT or WITH query.")


class SqlResult(BaseModel):
    fields: list[dict[str, Any]] = Field(
        examples=[[{"name": "year", "type": "integer", "sql_type": "BIGINT"}]]
    )
    truncated: bool
    row_cap: int
    byte_cap: int = Field(description="Most bytes of rows (as JSON text) one answer holds.")
    rows: list[dict[str, Any]] = Field(examples=[[{"year": 2021, "workers": 1700}]])


RESPONSES = responses(
    {200: {"model": SqlResult}},
    json_example(
        {
            "fields": [{"name": "tier", "type": "integer", "sql_type": "BIGINT"}],
            "truncated": False,
            "row_cap": 10000,
            "rows": [{"tier": 1}],
        }
    ),
    problem_responses(*REFUSED, 403, 504),
)


async def _answer(request: Request, engine: EngineDep, text: str) -> Response:
    # Queries wait for a sandbox worker on threads of their own, as many as may wait at all:
    # however many arrive, they never hold the threads that other routes and /healthz need.
    # Admission is counted here, on the event loop (one thread: check and count are one step),
    # so a request past the capacity is refused at once instead of queueing for a thread.
    state = request.app.state
    limiter: CapacityLimiter | None = getattr(state, "sql_limiter", None)
    if limiter is None:
        limiter = state.sql_limiter = CapacityLimiter(engine.sandbox.capacity)
        state.sql_admitted = 0
    if state.sql_admitted >= limiter.total_tokens:
        raise ServiceUnavailable("the SQL service is busy; retry in a moment", RETRY_AFTER)
    state.sql_admitted += 1
    try:
        table = await to_thread.run_sync(engine.sql, text, limiter=limiter)
    finally:
        state.sql_admitted -= 1
    head = {
        "fields": table.fields,
        "truncated": table.truncated,
        "row_cap": engine.settings.sql_row_cap,
        "byte_cap": engine.settings.sql_result_bytes,
    }
    return json_with_rows(head, table.rows)


@router.get(
    "/sql",
    summary="Run a read-only SQL query",
    description=DESCRIPTION,
    response_model=None,
    responses=responses(RESPONSES, cached(200)),
)
async def sql_get(
    request: Request,
    engine: EngineDep,
    sql: Annotated[
        str, Query(description="One read-only SELECT or WITH query.", examples=[EXAMPLE])
    ],
) -> Response:
    return await _answer(request, engine, sql)


@router.post(
    "/sql",
    summary="Run a read-only SQL query sent as JSON",
    description=DESCRIPTION,
    response_model=None,
    responses=responses(RESPONSES, problem_responses(TOO_LARGE)),
)
async def sql_post(request: Request, engine: EngineDep, query: SqlQuery) -> Response:
    return await _answer(request, engine, query.sql)
