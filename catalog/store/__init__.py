"""The store: published versions on disk, the descriptors they came from, and publishing.

A version is written beside the others and served only once `CURRENT` names it; tokens and
the audit log are the store's private state.
"""

from catalog.store.audit import ANONYMOUS, AuditEntry, AuditLog, INVALID, LOCAL, OUTCOMES, Outcome, cli_token, outcome_of, parse_time
from catalog.store.descriptors import DESCRIPTOR_NAME, DatasetSource, URL_MESSAGE, descriptor_faults, is_email, is_resource_name, is_safe_url, is_slug, load_dataset, resolve, url_fields
from catalog.store.folder import CURRENT, DATASET, DESCRIPTOR, GENERATION, REPORT, Store, WITHDRAWN
from catalog.store.publish import BuildResult, Publisher
from catalog.store.tokens import LEGACY_TOKENS_FILE, TOKENS_FILE, TokenStore, adopt_legacy_tokens

__all__ = [
    "ANONYMOUS",
    "AuditEntry",
    "AuditLog",
    "BuildResult",
    "CURRENT",
    "DATASET",
    "DESCRIPTOR",
    "DESCRIPTOR_NAME",
    "DatasetSource",
    "GENERATION",
    "INVALID",
    "LEGACY_TOKENS_FILE",
    "LOCAL",
    "OUTCOMES",
    "Outcome",
    "Publisher",
    "REPORT",
    "Store",
    "TOKENS_FILE",
    "TokenStore",
    "URL_MESSAGE",
    "WITHDRAWN",
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
