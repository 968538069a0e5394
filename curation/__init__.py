"""Curation: builds the data files of `datasets/` from the transcribed sources.

Run it as `python -m curation [SOURCES_DIR]`. The rules (units, preference, flags) are
documented for users in `datasets/README.md`; the reference tables (regions, counties,
indicators, source titles, units and their factors) are data files in `curation/reference/`.

Modules, from the bottom: `reference` (the tables), `units` (exact decimal normalisation),
`sources` (reading and titling sources), `flags`, `observations` (one printed figure),
`preference` (the rule for indicator files), `wages` (minimum wages and tier areas),
`codelists` (regions and indicators), `writers` (CSV and reproducible XLSX), `pipeline` (which
also says how to add a source table).
"""

from curation.pipeline import DATASETS_DIR, DEFAULT_SOURCES_DIR, curate

__all__ = ["DATASETS_DIR", "DEFAULT_SOURCES_DIR", "curate"]
