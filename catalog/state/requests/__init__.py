"""Data requests (依申请): an applicant asks for a conditional dataset, a reviewer decides.

application  what an applicant sends, checked field by field (`read_application`)
grounds      the reply deadline in working days, the legal grounds of a denial
record       one request as kept, and what its applicant sees (`DataRequest.status`)
store        file, list, approve (a `read-dataset:<slug>` token), deny, withdraw
figures      a year of requests in figures, for the annual report
sessions     the review page's logins: cookie hashed at rest, CSRF secret, token re-checked
"""

from catalog.state.requests.application import (
    KNOWN_FIELDS,
    Application,
    InvalidApplication,
    read_application,
)
from catalog.state.requests.figures import RequestFigures, request_figures, working_days_between
from catalog.state.requests.grounds import (
    CHINA,
    GROUNDS,
    MAX_WORKING_DAYS,
    STATUTORY_WORKING_DAYS,
    Ground,
    ground,
    reply_due,
)
from catalog.state.requests.record import STATES, DataRequest, RequestState, same_contact
from catalog.state.requests.sessions import ReviewSession, ReviewSessions
from catalog.state.requests.store import Limits, RequestStore

__all__ = [
    "CHINA",
    "GROUNDS",
    "KNOWN_FIELDS",
    "MAX_WORKING_DAYS",
    "STATES",
    "STATUTORY_WORKING_DAYS",
    "Application",
    "DataRequest",
    "Ground",
    "InvalidApplication",
    "Limits",
    "RequestFigures",
    "RequestState",
    "RequestStore",
    "ReviewSession",
    "ReviewSessions",
    "ground",
    "read_application",
    "reply_due",
    "request_figures",
    "same_contact",
    "working_days_between",
]
