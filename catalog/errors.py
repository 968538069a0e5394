"""The one error tree of the platform.

    OpenDataError       500 "Internal Server Error"
    ├── BadRequest      400 "Validation Error"  a parameter the caller sent is wrong
    ├── NotFound        404 "Not Found Error"   unknown dataset, version or resource
    ├── DescriptorError 409 "Validation Error"  datapackage.yaml unreadable or inconsistent
    ├── ValidationFailed 409 "Validation Error" the data broke a check; carries the report
    └── StoreError      500                     the store is unreadable or inconsistent

Every error carries its HTTP status and CKAN `__type` as class attributes, so the API renders
the REST problem body and the CKAN envelope from one place, and the CLI exits non-zero.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from validation import Report


class OpenDataError(Exception):
    status = 500
    ckan_type = "Internal Server Error"
    slug = "internal-error"


class BadRequest(OpenDataError):
    status = 400
    ckan_type = "Validation Error"
    slug = "bad-request"


class NotFound(OpenDataError):
    status = 404
    ckan_type = "Not Found Error"
    slug = "not-found"


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
