"""The typed descriptor: the Data Package model (`package`, `tables`), the strict parsing that
names a misspelt key (`parsing`), the catalogue's vocabularies (`vocabulary`) and the JSON
Schema editors check a descriptor with (`json_schema`)."""

from catalog.store.model.json_schema import descriptor_schema, descriptor_schema_text
from catalog.store.model.organizations import (
    organizations,
    refuse_organization_conflict,
    with_organization,
)
from catalog.store.model.package import (
    Build,
    Check,
    Contact,
    Document,
    License,
    Organization,
    Package,
    PublishedDownload,
    Resource,
    Source,
    Temporal,
)
from catalog.store.model.parsing import listed, parse_package, try_package
from catalog.store.model.register import (
    RESOURCE_CLASSES,
    RESOURCE_CODE,
    Register,
    Sharing,
    credit_check_character,
    credit_code_fault,
    resource_code_fault,
)
from catalog.store.model.tables import (
    Constraints,
    ForeignKey,
    Reference,
    Strict,
    TableField,
    TableSchema,
)
from catalog.store.model.vocabulary import (
    ACCESS_LEVEL_CODES,
    FREQUENCY_CODES,
    THEME_CODES,
    Frequency,
    Theme,
    ckan_tag,
    control_faults,
    encodable,
    keyword_faults,
    text_faults,
)

__all__ = [
    "ACCESS_LEVEL_CODES",
    "FREQUENCY_CODES",
    "RESOURCE_CLASSES",
    "RESOURCE_CODE",
    "THEME_CODES",
    "Build",
    "Check",
    "Constraints",
    "Contact",
    "Document",
    "ForeignKey",
    "Frequency",
    "License",
    "Organization",
    "Package",
    "PublishedDownload",
    "Reference",
    "Register",
    "Resource",
    "Sharing",
    "Source",
    "Strict",
    "TableField",
    "TableSchema",
    "Temporal",
    "Theme",
    "ckan_tag",
    "control_faults",
    "credit_check_character",
    "credit_code_fault",
    "descriptor_schema",
    "descriptor_schema_text",
    "encodable",
    "keyword_faults",
    "listed",
    "organizations",
    "parse_package",
    "refuse_organization_conflict",
    "resource_code_fault",
    "text_faults",
    "try_package",
    "with_organization",
]
