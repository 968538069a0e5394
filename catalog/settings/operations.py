"""The settings of running the service: its logs and how it shuts down.

`Settings` extends them; they are apart only to keep each module short.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings


class OperationsSettings(BaseSettings):
    """How the server logs and how it stops (docs/deploy.md)."""

    log_format: Literal["text", "json"] = Field(
        default="text",
        description=(
            "`text`: uvicorn's own lines; `json`: one JSON object per request on stderr (time,"
            " method, route, path, status, duration_ms, bytes, request_id) and the server's"
            " own log lines as JSON objects too."
        ),
    )
    log_client_address: bool = Field(
        default=False,
        description=(
            "Put the client's address in the JSON access log; off by default, since the"
            " department keeps no address past the usage counts (docs/report.md)."
        ),
    )
    shutdown_grace_seconds: float = Field(
        default=30.0,
        ge=0,
        le=3600,
        description=(
            "On SIGTERM, how long answers already running (a download read slowly) may take to"
            " finish before the server cuts them off and exits."
        ),
    )
    shutdown_drain_seconds: float = Field(
        default=0.0,
        ge=0,
        le=600,
        description=(
            "On SIGTERM, how long the server keeps accepting with /readyz answering 503, so a"
            " load balancer polling it stops sending first; 0 stops accepting at once."
        ),
    )
