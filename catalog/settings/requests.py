"""The settings of data requests (依申请): the reply deadline, the daily limits, the grant.

`Settings` extends them; they are apart only to keep each module short.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings

from catalog.state import MAX_WORKING_DAYS, STATUTORY_WORKING_DAYS


class RequestSettings(BaseSettings):
    """How data requests are taken and answered."""

    request_reply_working_days: int = Field(
        default=STATUTORY_WORKING_DAYS,
        ge=1,
        le=MAX_WORKING_DAYS,
        description=(
            "Working days (Monday to Friday, China time) a request waits for its answer before"
            " it is overdue; 15 as 《贵州省政府数据共享开放条例》 sets for 有条件开放 data"
            " (docs/requests.md). Public holidays are not known offline and are counted."
        ),
    )
    request_max_per_client_per_day: int = Field(
        default=5,
        ge=1,
        description="Data requests one client (by address) may file in a day (China time).",
    )
    request_max_per_day: int = Field(
        default=200,
        ge=1,
        description=(
            "Data requests one dataset takes in a day (China time), all clients together: a"
            " flood from many addresses closes only the datasets it aims at, until midnight."
        ),
    )
    request_max_body_bytes: int = Field(
        default=16_384,
        ge=1024,
        le=1_048_576,
        description="Largest body of a data request (JSON or the web form); a larger one gets 413.",
    )
    request_grant_days: int = Field(
        default=90,
        ge=1,
        le=3650,
        description=(
            "Days the token of an approved request lasts when the reviewer does not say"
            " (`opendata requests approve --expires`, the review page)."
        ),
    )
    request_contact: str = Field(
        default="",
        max_length=300,
        description=(
            "Whom an applicant asks about a request (a lost receipt or token): shown on the"
            " receipt page when the dataset's descriptor names no `contact`."
        ),
    )
