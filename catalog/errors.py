"""The one error tree of the platform.

    OpenDataError       500 "Internal Server Error"
    ├── BadRequest      400 "Validation Error"  a parameter the caller sent is wrong
    │   ├── InvalidParameter 400 "Validation Error" one query parameter is wrong; carries its name
    │   ├── InvalidFields 400 "Validation Error"  CKAN action arguments; carries field → messages
    │   ├── InvalidQuery 400 "Search Query Error" SQL that does not parse or bind
    │   │   └── QueryTooLarge 400                 SQL that needs more memory or bytes than allowed
    │   ├── InvalidSearch 400 "Search Query Error" a search parameter CKAN would refuse (sort, keys)
    │   └── SearchSyntaxError 400 "Search Error" a Solr `q`/`fq` that does not parse
    ├── QueryForbidden  403 "Authorization Error" SQL that is not one read-only SELECT
    ├── NotAuthorized   403 "Authorization Error" a write without a valid API token
    │   └── DataRefused 403 "Authorization Error" a conditional dataset's data, no grant
    ├── NotFound        404 "Not Found Error"   unknown dataset, version or resource
    │   └── Gone        410 "Not Found Error"   a dataset that was withdrawn (Store.withdraw)
    ├── Conflict        409 "Validation Error"  a write built on a version that is no longer current
    ├── DescriptorError 409 "Validation Error"  datapackage.yaml unreadable or inconsistent
    ├── ValidationFailed 409 "Validation Error" the data broke a check; carries the report
    ├── StoreError      500                     the store is unreadable or inconsistent
    │   └── StoreUnavailable 503 "Service Unavailable" the store did not answer (down, hung,
    │       │                                   refused); retry_after
    │       └── StoreReadFailed 503             a read of a file failed so (also an OSError)
    │           └── ObjectMissing 503           a file a version lists is not in the store
    ├── FoldersUnwritable 503 "Service Unavailable" this server cannot write its dataset folders
    ├── QueryFailed     500                     DuckDB failed
    ├── ServiceUnavailable 503                  short of memory or SQL workers now; retry_after
    ├── QueryTimeout    504                     a query ran past its time limit
    └── RequestRefused                          the HTTP perimeter turned a request away
        ├── RequestTimeout   408 "Request Timeout"  the body stopped arriving
        ├── PayloadTooLarge  413 "Payload Too Large" a body past its size limit
        ├── UriTooLong       414 "URI Too Long"   a request target past its length limit
        ├── TooManyRequests  429 "Rate Limit Error" a client past its rate limit; retry_after
        ├── HeadersTooLarge  431 "Request Header Fields Too Large" too many header fields
        └── Overloaded       503 "Service Unavailable" no slot free in time; retry_after

Every error carries its HTTP status and CKAN `__type` as class attributes, so the API renders
the REST problem body and the CKAN envelope from one place, and the CLI exits non-zero.
The CKAN Action API answers with the status CKAN gives each `__type` ("Validation Error"
and "Search Error" are 409 there), see `catalog.ckan.mapping.CKAN_STATUS`.
`title` names the problem (the HTTP reason phrase when empty); a 5xx message is shown to
callers only when `public` says it holds nothing private such as a server path.
A `RequestRefused` is answered before any route runs (`api.perimeter`); CKAN has no such
types, so their `ckan_type` is the HTTP reason phrase.
"""

from __future__ import annotations

import errno
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from validation import Report


class OpenDataError(Exception):
    status = 500
    ckan_type = "Internal Server Error"
    slug = "internal-error"
    title = ""
    public = False
    # Seconds after which the same request may pass (503, 429): sent as `Retry-After`.
    retry_after: int | None = None
    # What a 5xx whose message is private says to callers instead of "the server failed".
    public_detail: str | None = None

    def __reduce__(self) -> tuple[object, ...]:
        # Pickled as it is, not rebuilt through `__init__` (whose arguments differ by class):
        # an error crosses to the server from the process that published (`catalog.ckan`).
        return (_rebuilt, (type(self), self.args, self.__dict__))


def _rebuilt(
    kind: type[OpenDataError], args: tuple[object, ...], state: dict[str, object]
) -> OpenDataError:
    error = kind.__new__(kind, *args)
    error.args = args
    error.__dict__.update(state)
    return error


class BadRequest(OpenDataError):
    status = 400
    ckan_type = "Validation Error"
    slug = "bad-request"


class NotFound(OpenDataError):
    status = 404
    ckan_type = "Not Found Error"
    slug = "not-found"


class Gone(NotFound):
    status = 410
    slug = "gone"
    title = "Gone"


class Conflict(OpenDataError):
    # Another publish (another process, server or CLI) changed the dataset between the
    # moment a writer read it and the moment it would have replaced it: retry from the new
    # version rather than silently replace one the writer never saw.
    status = 409
    ckan_type = "Validation Error"
    slug = "conflict"
    title = "Conflict"
    public = True


class DescriptorError(OpenDataError):
    status = 409
    ckan_type = "Validation Error"
    slug = "invalid-descriptor"


class ValidationFailed(OpenDataError):
    status = 409
    ckan_type = "Validation Error"
    slug = "validation-failed"

    def __init__(self, dataset: str, report: Report) -> None:
        super().__init__(f"{dataset}: validation failed with {len(report.errors)} error(s)")
        self.dataset = dataset
        self.report = report


class StoreError(OpenDataError):
    slug = "store-error"


class StoreUnavailable(StoreError):
    """The store did not answer in time, refused, or cannot be reached: 503 with
    `Retry-After`, so a load balancer tries another replica (nginx's `proxy_next_upstream`
    retries 503s). The message names the server and bucket for the log and the CLI; callers
    get `public_detail`."""

    status = 503
    ckan_type = "Service Unavailable"
    slug = "store-unavailable"
    title = "Service Unavailable"
    retry_after = 2
    public_detail = "the data store did not answer; retry in a moment"


# What an object store's file reads say when the store fails under DuckDB (`StoreReadFailed`):
# DuckDB keeps a Python filesystem's error only as text, so the text marks it as the store's.
STORE_READ_FAILED = "the object store failed a read"


class StoreReadFailed(StoreUnavailable, ConnectionError):
    """An object store's file read that the store failed (down, hung, refusing): 503 where
    pyarrow read it, and an OSError to the readers it runs under. Inside DuckDB, which keeps
    its text only, the DuckDB error carrying it is the store's failure, never a damaged
    file's (`store_failure`): answered 503 too, and nothing empty is kept from it."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"{STORE_READ_FAILED}: {detail}")


# What `ObjectMissing` says, by which it is told from other failures inside DuckDB too.
OBJECT_MISSING = "the store holds no object at"
# How often what was left out for a missing file looks for it again (the catalogue index,
# the series catalogue, a SQL worker's views): the store is asked once a second at most.
MISSING_RETRY_SECONDS = 1.0


class ObjectMissing(StoreReadFailed):
    """A file a published version lists that the store does not hold (a restore that brought
    the descriptors back first, an object lost): 503 with `Retry-After` to whoever reads it,
    as the store failing. It is one file's failure, not the store's: the catalogue index
    loads without what that dataset holds and reads it again later, so that one lost object
    does not leave every replica unready (issue 17)."""

    def __init__(self, where: str) -> None:
        super().__init__(f"{OBJECT_MISSING} {where}, which a version lists")


def store_failure(exc: BaseException) -> StoreUnavailable | None:
    """`StoreUnavailable` when `exc` (a DuckDB error) came of the store failing a read (an
    `ObjectMissing` when the file was not there), else None (the file itself could not be
    read)."""
    text = str(exc)
    # The store's filesystem raises inside DuckDB, which hands the Python error on as its
    # base class `Error`; a query's own errors are subclasses (`error('…')` is an
    # InvalidInputException, a failed CAST a ConversionException), so no text a query
    # writes passes for the store failing (SQL that did got a 503).
    if type(exc).__name__ != "Error" or STORE_READ_FAILED not in text:
        return None
    if OBJECT_MISSING in text:
        return ObjectMissing("a file read while it was queried")
    return StoreUnavailable("the object store failed a read of a file while it was queried")


def raise_store_failure(exc: BaseException) -> None:
    """Raise `StoreUnavailable` from `exc` when the store failed; return when it did not."""
    failed = store_failure(exc)
    if failed is not None:
        raise failed from exc


class FoldersUnwritable(OpenDataError):
    """A write action on a server whose dataset folders (`OPENDATA_DATASETS`) the system
    refuses to change: a read-only mount, permission denied, a folder missing. 503 without
    `Retry-After` (the same server will refuse again: writes belong to the one server that
    owns the folders, docs/replicas.md). The message, with the path, is for the log; callers
    get `public_detail`, which names the cause without it."""

    status = 503
    ckan_type = "Service Unavailable"
    slug = "folders-unwritable"
    title = "Service Unavailable"

    def __init__(self, cause: OSError) -> None:
        super().__init__(f"dataset folders not writable: {cause}")
        self.public_detail = (
            f"this server cannot write its dataset folders ({_cause(cause)}); nothing was "
            "changed: send write actions to the server that owns the dataset folders"
        )


def _cause(error: OSError) -> str:
    if error.errno == errno.EROFS:
        return "a read-only file system"
    if error.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if error.errno in (errno.ENOENT, errno.ENOTDIR):
        return "a folder is missing"
    if error.errno == errno.ENOSPC:
        return "no space left"
    return "the system refused"


class InvalidParameter(BadRequest):
    slug = "invalid-parameter"
    title = "Invalid Parameter"

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter


class InvalidFields(BadRequest):
    slug = "invalid-fields"
    title = "Invalid Fields"

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {', '.join(v)}" for k, v in errors.items()))
        self.errors = errors


class InvalidSearch(BadRequest):
    ckan_type = "Search Query Error"
    slug = "invalid-search"
    title = "Invalid Search"


class SearchSyntaxError(BadRequest):
    # CKAN answers a query Solr cannot parse with "Search Error" (409 on the Action API).
    ckan_type = "Search Error"
    slug = "search-syntax-error"
    title = "Search Syntax Error"


class InvalidQuery(BadRequest):
    ckan_type = "Search Query Error"
    slug = "invalid-query"
    title = "Invalid Query"


class QueryTooLarge(InvalidQuery):
    # A 4xx, not a 5xx: the same query will need the same memory next time.
    slug = "query-too-large"
    title = "Query Too Large"


class QueryForbidden(OpenDataError):
    status = 403
    ckan_type = "Authorization Error"
    slug = "forbidden-query"
    title = "Forbidden Query"


class NotAuthorized(OpenDataError):
    status = 403
    ckan_type = "Authorization Error"
    slug = "not-authorized"
    title = "Not Authorized"
    public = True


class DataRefused(NotAuthorized):
    """The data of a conditional dataset (有条件开放) asked without a token granted it: the
    same answer for no token, an unknown, expired or revoked one and one of other scopes."""

    slug = "data-refused"
    title = "Data Refused"

    def __init__(self, dataset: str) -> None:
        self.dataset = dataset
        self.apply = f"/dataset/{dataset}/apply"
        super().__init__(
            f"The data of dataset {dataset!r} is open on conditions (有条件开放): it is served "
            f"only with a token granted this dataset. Apply for it at {self.apply}"
        )


class QueryFailed(OpenDataError):
    slug = "query-failed"
    title = "Query Failed"
    public = True


class ServiceUnavailable(OpenDataError):
    """The server cannot take this request now (memory, busy or restarting SQL workers)."""

    status = 503
    ckan_type = "Service Unavailable"
    slug = "unavailable"
    title = "Service Unavailable"
    public = True

    def __init__(self, message: str, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class QueryTimeout(OpenDataError):
    # 504: the engine behind the API did not answer in time; retrying the same query will not
    # help, so the detail says to narrow it.
    status = 504
    ckan_type = "Search Query Error"
    slug = "query-timeout"
    title = "Query Timeout"
    public = True


class RequestRefused(OpenDataError):
    """Refused at the perimeter, before any route ran; `retry_after` seconds when it may pass."""

    public = True

    def __init__(self, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RequestTimeout(RequestRefused):
    status = 408
    ckan_type = "Request Timeout"
    slug = "request-timeout"
    title = "Request Timeout"


class PayloadTooLarge(RequestRefused):
    status = 413
    ckan_type = "Payload Too Large"
    slug = "payload-too-large"
    title = "Payload Too Large"


class UriTooLong(RequestRefused):
    status = 414
    ckan_type = "URI Too Long"
    slug = "uri-too-long"
    title = "URI Too Long"


class TooManyRequests(RequestRefused):
    status = 429
    ckan_type = "Rate Limit Error"
    slug = "rate-limited"
    title = "Too Many Requests"
    # The first refusal since the client's bucket last gave a token: a run is audited once.
    first = True


class HeadersTooLarge(RequestRefused):
    status = 431
    ckan_type = "Request Header Fields Too Large"
    slug = "headers-too-large"
    title = "Request Header Fields Too Large"


class Overloaded(RequestRefused):
    # 503, not 500: the server is sound but busy, and the same request will pass later.
    status = 503
    ckan_type = "Service Unavailable"
    slug = "overloaded"
    title = "Service Unavailable"
