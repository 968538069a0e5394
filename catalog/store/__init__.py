"""The store: published versions on disk, the descriptors they came from, and publishing.

A version is written beside the others and served only once `CURRENT` names it; tokens and
the audit log are the store's private state.
"""

from catalog.store.audit import (
    ANONYMOUS,
    INVALID,
    LOCAL,
    OUTCOMES,
    AuditEntry,
    AuditLog,
    Outcome,
    cli_token,
    outcome_of,
    parse_time,
)
from catalog.store.descriptors import (
    DESCRIPTOR_NAME,
    URL_MESSAGE,
    DatasetSource,
    descriptor_faults,
    is_email,
    is_resource_name,
    is_safe_url,
    is_slug,
    load_dataset,
    resolve,
    url_fields,
)
from catalog.store.folder import CURRENT, DATASET, DESCRIPTOR, GENERATION, REPORT, WITHDRAWN, Store
from catalog.store.publish import BuildResult, Publisher
from catalog.store.tokens import LEGACY_TOKENS_FILE, TOKENS_FILE, TokenStore, adopt_legacy_tokens

__all__ = [
    "ANONYMOUS",
    "CURRENT",
    "DATASET",
    "DESCRIPTOR",
    "DESCRIPTOR_NAME",
    "GENERATION",
    "INVALID",
    "LEGACY_TOKENS_FILE",
    "LOCAL",
    "OUTCOMES",
    "REPORT",
    "TOKENS_FILE",
    "URL_MESSAGE",
    "WITHDRAWN",
    "AuditEntry",
    "AuditLog",
    "BuildResult",
    "DatasetSource",
    "Outcome",
    "Publisher",
    "Store",
    "TokenStore",
    "adopt_legacy_tokens",
    "cli_token",
    "descriptor_faults",
    "is_email",
    "is_resource_name",
    "is_safe_url",
    "is_slug",
    "load_dataset",
    "outcome_of",
    "parse_time",
    "resolve",
    "url_fields",
]
