"""JSON bodies whose rows DuckDB already rendered: spliced in, never parsed again."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi.responses import Response


def json_with_rows(
    head: Mapping[str, Any], rows: Sequence[str], *, headers: Mapping[str, str] | None = None
) -> Response:
    """`head` as a JSON object with `"rows": [...]` last, each row a JSON object text."""
    opening = json.dumps(dict(head), ensure_ascii=False, separators=(",", ":"))
    joiner = "," if head else ""
    body = f'{opening[:-1]}{joiner}"rows":[{",".join(rows)}]}}'
    return Response(body.encode(), media_type="application/json", headers=dict(headers or {}))
