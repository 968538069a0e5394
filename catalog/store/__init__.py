"""The store: published versions, the descriptors they came from, and publishing.

`Store` is the interface every caller takes (`catalog.store.base`); `open_store` gives the
one for a location (`StoreLocation`): a `FolderStore` for a local folder, an `S3Store` for
`s3://bucket/prefix`. A version is written beside the others and served only once the store
makes it current. The API tokens and the
audit log are not kept here but in the state database (`catalog.state`), never in a store.
`Package` is the typed descriptor (`catalog.store.model`).
"""

from catalog.store.base import (
    DESCRIPTOR,
    DOWNLOADS,
    FAILURE_HOLD_SECONDS,
    REPORT,
    OneAtATime,
    OneAtATimeEach,
    Store,
    download_file,
    read_each,
    resource_file,
)
from catalog.store.changes import Change, changes_since, parse_moment
from catalog.store.clock import Clock, ManualClock, utc_now
from catalog.store.descriptors import (
    DESCRIPTOR_NAME,
    DRAFT_MARKER,
    URL_MESSAGE,
    DatasetSource,
    descriptor_faults,
    file_name_fault,
    is_email,
    is_safe_url,
    load_dataset,
    read_descriptor,
    resolve,
    url_fields,
)
from catalog.store.downloads import DownloadRenderer, RenderedFile
from catalog.store.files import Files, LocalFiles, files_from_spec
from catalog.store.folder import FolderStore, adopt_lock, held_locks
from catalog.store.model import (
    RESOURCE_CLASSES,
    RESOURCE_CODE,
    Document,
    Organization,
    Package,
    PublishedDownload,
    Register,
    Resource,
    Sharing,
    TableField,
    TableSchema,
    credit_check_character,
    credit_code_fault,
    descriptor_schema,
    descriptor_schema_text,
    organizations,
    resource_code_fault,
    with_organization,
)
from catalog.store.opening import StoreLocation, open_store, store_folder
from catalog.store.parquet import ASCENDING_KEY, write_parquet
from catalog.store.publish import BuildResult, Publisher
from catalog.store.records import DATASET, VERSION, Served, VersionInfo, Withdrawal
from catalog.store.s3 import S3Options, S3Store

__all__ = [
    "ASCENDING_KEY",
    "DATASET",
    "DESCRIPTOR",
    "DESCRIPTOR_NAME",
    "DOWNLOADS",
    "DRAFT_MARKER",
    "FAILURE_HOLD_SECONDS",
    "REPORT",
    "RESOURCE_CLASSES",
    "RESOURCE_CODE",
    "URL_MESSAGE",
    "VERSION",
    "BuildResult",
    "Change",
    "Clock",
    "DatasetSource",
    "Document",
    "DownloadRenderer",
    "Files",
    "FolderStore",
    "LocalFiles",
    "ManualClock",
    "OneAtATime",
    "OneAtATimeEach",
    "Organization",
    "Package",
    "PublishedDownload",
    "Publisher",
    "Register",
    "RenderedFile",
    "Resource",
    "S3Options",
    "S3Store",
    "Served",
    "Sharing",
    "Store",
    "StoreLocation",
    "TableField",
    "TableSchema",
    "VersionInfo",
    "Withdrawal",
    "adopt_lock",
    "changes_since",
    "credit_check_character",
    "credit_code_fault",
    "descriptor_faults",
    "descriptor_schema",
    "descriptor_schema_text",
    "download_file",
    "file_name_fault",
    "files_from_spec",
    "held_locks",
    "is_email",
    "is_safe_url",
    "load_dataset",
    "open_store",
    "organizations",
    "parse_moment",
    "read_descriptor",
    "read_each",
    "resolve",
    "resource_code_fault",
    "resource_file",
    "store_folder",
    "url_fields",
    "utc_now",
    "with_organization",
    "write_parquet",
]
