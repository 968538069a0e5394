"""Drafting a dataset from a table as it arrived (`opendata init`).

Reads a printed table (CSV in UTF-8, UTF-8 with BOM or GB18030; XLSX with merged cells),
detects its layout as `docs/steward.md` and `docs/descriptor.md` declare it, and drafts the
descriptor a steward reviews before `opendata build`. Sits between `cli` and `validation`:
it reads the reference datasets as files, their descriptors with the store's strict YAML
reader (`catalog.store.read_descriptor`), and imports nothing else of the catalogue.
"""

from drafting.assemble import Draft
from drafting.draft import draft_dataset, init_dataset
from drafting.grid import DraftError
from drafting.table import Steward

__all__ = ["Draft", "DraftError", "Steward", "draft_dataset", "init_dataset"]
