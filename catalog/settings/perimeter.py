"""The perimeter's settings: what a request may send and how often, and how many run at once.

`Settings` extends them; they are apart only to keep each module short. Every field is an
`OPENDATA_*` environment variable and a CLI option like the others.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode


class PerimeterSettings(BaseSettings):
    """Limits on requests (sizes, rates, concurrency) and who may call from a browser."""

    cors_origins: Annotated[list[str], NoDecode] = Field(
        default=["*"],
        description=(
            "Origins whose browser pages may read the API (CORS, GET and HEAD), comma-separated;"
            " `*` allows every origin."
        ),
    )
    trust_forwarded_headers: bool = Field(
        default=False,
        description=(
            "Build absolute links from X-Forwarded-Proto/-Host/-Prefix instead of base_url, and"
            " rate-limit by the last X-Forwarded-For address; enable only behind a reverse proxy"
            " that sets them."
        ),
    )

    # The HTTP perimeter (api.perimeter.limits, api.perimeter.admission): what one request,
    # and one client, may ask.
    max_body_bytes: int = Field(
        default=1_048_576,
        ge=1024,
        description=(
            "Largest request body; a larger one is refused with 413 before it is read (from"
            " Content-Length) or as soon as it passes the limit (chunked), before authentication."
        ),
    )
    max_upload_bytes: int = Field(
        default=200 * 1_048_576,
        ge=1024,
        description=(
            "Largest multipart body of the CKAN upload actions (resource_create, resource_update,"
            " resource_patch) when the request carries the API token header."
        ),
    )
    max_url_bytes: int = Field(
        default=8192,
        ge=256,
        description="Longest request target (path and query string); a longer one gets 414.",
    )
    max_header_count: int = Field(
        default=100, ge=8, description="Most header fields in one request; more get 431."
    )
    max_header_bytes: int = Field(
        default=16_384,
        ge=1024,
        description="Most bytes of header names and values in one request; more get 431.",
    )
    client_stall_seconds: float = Field(
        default=30.0,
        gt=0,
        description=(
            "A client that sends no body bytes, or reads no response bytes, for this long is cut"
            " off (408 before the response started) and its admission slot freed."
        ),
    )
    max_running_queries: int = Field(
        default=4,
        ge=1,
        description=(
            "Queries running at once: SQL, rows, aggregate, CKAN datastore_search and"
            " datastore_search_sql; more wait in the admission queue."
        ),
    )
    max_running_exports: int = Field(
        default=4,
        ge=1,
        description="Downloads running at once: resource files, dataset zips, DataStore dumps.",
    )
    max_running_searches: int = Field(
        default=8,
        ge=1,
        description=(
            "Searches running at once: /api/v1/datasets, package_search, the /dataset page."
        ),
    )
    max_running_per_client: int = Field(
        default=2,
        ge=1,
        description=(
            "Requests of one class (queries, downloads, searches) one client may run at once;"
            " its others wait their turn, so that no client (one holding downloads open"
            " without reading them, say) takes every slot."
        ),
    )
    admission_queue: int = Field(
        default=256,
        ge=0,
        description=(
            "Requests of one class (queries, exports, searches) that may wait for a running"
            " slot; past it they get 503 with Retry-After at once."
        ),
    )
    admission_wait_seconds: float = Field(
        default=60.0,
        gt=0,
        description="Longest wait in the admission queue; then 503 with Retry-After.",
    )
    rate_sql_per_second: float = Field(
        default=10.0,
        ge=0,
        description=(
            "SQL requests (/api/v1/sql, datastore_search_sql) one client may make per second,"
            " sustained; 0 turns the limit off."
        ),
    )
    rate_sql_burst: int = Field(
        default=500, ge=1, description="SQL requests one client may make at once (bucket size)."
    )
    rate_exports_per_second: float = Field(
        default=10.0,
        ge=0,
        description="Downloads (files, zips, dumps) one client may start per second; 0: off.",
    )
    rate_exports_burst: int = Field(
        default=500, ge=1, description="Downloads one client may start at once (bucket size)."
    )
    rate_aggregates_per_second: float = Field(
        default=20.0,
        ge=0,
        description="Aggregate requests, and data reads (SDMX data, series), one client may make"
        " per second each; 0: off.",
    )
    rate_aggregates_burst: int = Field(
        default=500,
        ge=1,
        description="Aggregate requests, and data reads (SDMX data, series), one client may make"
        " at once.",
    )
    rate_search_per_second: float = Field(
        default=20.0,
        ge=0,
        description="Searches (API, package_search, /dataset page) per client per second; 0: off.",
    )
    rate_search_burst: int = Field(
        default=500, ge=1, description="Searches one client may make at once (bucket size)."
    )
    rate_writes_per_second: float = Field(
        default=1.0,
        ge=0,
        description=(
            "CKAN write actions per client per second, sustained; 0: off. Past it 429, and"
            " only the first refusal of a run is audited, so a flood cannot fill the disk."
        ),
    )
    rate_writes_burst: int = Field(
        default=60, ge=1, description="Write actions one client may make at once (bucket size)."
    )
    rate_limit_clients: int = Field(
        default=10_000,
        ge=1,
        description=(
            "Client addresses whose rate buckets are remembered per class; the least recently"
            " seen is forgotten first."
        ),
    )

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value
