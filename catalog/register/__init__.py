"""The provincial platform's register (政务信息资源目录, GB/T 21063.3): one entry per dataset
with its 信息项, derived from the descriptors and the steward's `register` declarations
(`entries`), served as CSV, XLSX and JSON (`tables`). docs/register.md explains it."""

from catalog.register.entries import ITEM_TYPES, Entry, Item
from catalog.register.formats import DOWNLOAD_FORMATS, SERVICE, catalogue_formats
from catalog.register.tables import (
    HEADERS,
    ITEM_COLUMNS,
    MAX_ITEMS,
    RESOURCE_COLUMNS,
    UNDECLARED,
    catalogue_register,
    register_csv,
    register_json,
    register_rows,
    register_xlsx,
)
from catalog.register.units import data_units

__all__ = [
    "DOWNLOAD_FORMATS",
    "HEADERS",
    "ITEM_COLUMNS",
    "ITEM_TYPES",
    "MAX_ITEMS",
    "RESOURCE_COLUMNS",
    "SERVICE",
    "UNDECLARED",
    "Entry",
    "Item",
    "catalogue_formats",
    "catalogue_register",
    "data_units",
    "register_csv",
    "register_json",
    "register_rows",
    "register_xlsx",
]
