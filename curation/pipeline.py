"""The whole curation: every dataset's data files from the sources folder, checked as it goes.

Writes only `<datasets>/<slug>/data/*`; the descriptors (`datapackage.yaml`) are edited by
hand. Output is deterministic: running it twice gives byte-identical files.

Adding an indicator table (one printed figure a row, in the columns the other indicator
tables use, read by `curation.observations`): put the CSV in `curation/sources/` and its sources in
`sources.csv`, add an `IndicatorDataset` line to `INDICATOR_DATASETS` (its encoding, or a
workbook when the publisher prints one), write `datasets/<slug>/datapackage.yaml` by hand,
then run `python -m curation` and commit the data files with the code
(tests/curation/test_pipeline.py compares them byte for byte). Any other shape of table needs
its own function here, as the minimum wages have.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from curation import reference
from curation.codelists import (
    ALIAS_COLUMNS,
    INDICATOR_COLUMNS,
    PHRASE_COLUMNS,
    REGION_COLUMNS,
    SYNONYM_COLUMNS,
    UNIT_COLUMNS,
    alias_records,
    indicator_records,
    phrase_records,
    region_records,
    synonym_records,
    unit_records,
)
from curation.preference import (
    ALTERNATIVE_COLUMNS,
    OBSERVATION_COLUMNS,
    Resolved,
    curate_indicator_file,
)
from curation.sources import SOURCE_COLUMNS, Source, load_sources, source_records
from curation.wages import TIER_AREA_COLUMNS, WAGE_COLUMNS, curate_tier_areas, curate_wages
from curation.writers import write_csv, write_xlsx

REPO_ROOT = Path(__file__).resolve().parent.parent
DATASETS_DIR = REPO_ROOT / "datasets"
# A copy of the transcribed sources (`../shared/sources`, each row with its URL), kept in the
# repository so that the curation runs, and is tested, from a clean clone.
DEFAULT_SOURCES_DIR = Path(__file__).resolve().parent / "sources"


@dataclass(frozen=True)
class IndicatorDataset:
    """One transcribed indicator table and the dataset its observations are published in."""

    source: str  # the CSV file in the sources folder
    slug: str  # the dataset folder under datasets/
    # CSV files are UTF-8 unless the publisher's own files are in another encoding.
    encoding: str = "utf-8"
    # (sheet, title row): the observations as an XLSX workbook, as the yearbook prints them.
    workbook: tuple[str, str] | None = None


YEARBOOK_TITLE = "分省社会保险统计（中国统计年鉴、中国劳动统计年鉴、2010年人口普查资料）"

# Curated in this order. A new indicator table is one line here (see the module docstring).
INDICATOR_DATASETS: tuple[IndicatorDataset, ...] = (
    IndicatorDataset("national_hrss_bulletin.csv", "national-hrss-bulletin"),
    IndicatorDataset("guizhou_hrss_indicators.csv", "guizhou-hrss-indicators"),
    IndicatorDataset("guizhou_prefecture_indicators.csv", "guizhou-prefecture-indicators"),
    IndicatorDataset(
        "provincial_social_insurance_yearbook.csv",
        "provincial-social-insurance-yearbook",
        workbook=("分省社会保险", YEARBOOK_TITLE),
    ),
    # the department's own report: published the way its offices export, in GB18030
    IndicatorDataset(
        "guizhou_hrss_disclosure_2018.csv", "guizhou-hrss-disclosure-2018", encoding="gb18030"
    ),
)


def curate(sources_dir: Path, datasets_dir: Path = DATASETS_DIR) -> None:
    """Build every dataset's data files under `datasets_dir` from `sources_dir`.

    Raises FileNotFoundError (naming the file) when a source file is missing, before anything
    is written, and AssertionError when a self-check fails.
    """
    sources = load_sources(sources_dir)
    regions = region_records()
    region_codes = {r["code"] for r in regions}
    units = curate_indicators(sources_dir, datasets_dir, sources, region_codes)
    curate_minimum_wages(sources_dir, datasets_dir / "minimum-wage-standards", sources,
                         region_codes)  # fmt: skip
    write_csv(datasets_dir / "region-codes" / "data" / "regions.csv", REGION_COLUMNS, regions,
              "utf-8-sig")  # fmt: skip
    aliases = alias_records()
    check_references(aliases, "code", region_codes)
    write_csv(datasets_dir / "region-codes" / "data" / "aliases.csv", ALIAS_COLUMNS, aliases,
              "utf-8-sig")  # fmt: skip
    write_csv(datasets_dir / "indicator-codes" / "data" / "indicators.csv", INDICATOR_COLUMNS,
              indicator_records(units, reference.indicators()))  # fmt: skip
    write_csv(datasets_dir / "indicator-codes" / "data" / "units.csv", UNIT_COLUMNS,
              unit_records(reference.units()))  # fmt: skip
    write_csv(datasets_dir / "indicator-codes" / "data" / "phrases.csv", PHRASE_COLUMNS,
              phrase_records())  # fmt: skip
    write_csv(datasets_dir / "indicator-codes" / "data" / "synonyms.csv", SYNONYM_COLUMNS,
              synonym_records())  # fmt: skip
    write_csv(datasets_dir / "hrss-sources" / "data" / "sources.csv", SOURCE_COLUMNS,
              source_records(sources))  # fmt: skip


def curate_indicators(
    sources_dir: Path, datasets_dir: Path, sources: Mapping[str, Source], region_codes: set[str]
) -> dict[str, str]:
    """Write the indicator datasets; return each indicator's one normalised unit."""
    units: dict[str, set[str]] = defaultdict(set)
    for dataset in INDICATOR_DATASETS:
        resolved = curate_indicator_file(
            sources_dir / dataset.source, sources, reference.indicators()
        )
        records = resolved.preferred + resolved.alternatives
        for record in records:
            units[record["indicator_code"]].add(record["unit"])
        check_references(records, "region_code", region_codes)
        write_indicator_dataset(datasets_dir / dataset.slug / "data", dataset, resolved)
    ambiguous = {code: u for code, u in units.items() if len(u) != 1}
    if ambiguous:
        raise AssertionError(f"indicators with more than one normalised unit: {ambiguous}")
    return {code: next(iter(u)) for code, u in units.items()}


def write_indicator_dataset(data: Path, dataset: IndicatorDataset, resolved: Resolved) -> None:
    """Observations and alternatives, in the format the dataset is published in."""
    if dataset.workbook is None:
        write_csv(data / "observations.csv", OBSERVATION_COLUMNS, resolved.preferred,
                  dataset.encoding)  # fmt: skip
    else:
        sheet, title = dataset.workbook
        write_xlsx(data / "observations.xlsx", sheet, title, OBSERVATION_COLUMNS,
                   resolved.preferred, {"year", "value", "value_decimals"})  # fmt: skip
    write_csv(data / "alternatives.csv", ALTERNATIVE_COLUMNS, resolved.alternatives,
              dataset.encoding)  # fmt: skip


def curate_minimum_wages(
    sources_dir: Path, dataset_dir: Path, sources: Mapping[str, Source], region_codes: set[str]
) -> None:
    """The three resources of `minimum-wage-standards`."""
    guizhou = curate_wages(sources_dir / "guizhou_min_wage.csv", sources)
    snapshots = curate_wages(sources_dir / "provincial_min_wage_snapshots.csv", sources)
    areas = curate_tier_areas(sources_dir / "guizhou_min_wage_tier_areas.csv", sources)
    check_references(guizhou + snapshots, "region_code", region_codes)
    check_references(areas, "county_code", region_codes)
    check_references(areas, "prefecture_code", region_codes)
    data = dataset_dir / "data"
    write_csv(data / "guizhou_standards.csv", WAGE_COLUMNS, guizhou)
    write_csv(data / "provincial_snapshots.csv", WAGE_COLUMNS, snapshots)
    write_csv(data / "guizhou_tier_areas.csv", TIER_AREA_COLUMNS, areas)


def check_references(records: Iterable[dict[str, str]], field_name: str, known: set[str]) -> None:
    """Every non-empty `field_name` of `records` is in the code list `known`."""
    missing = {r[field_name] for r in records if r[field_name]} - known
    if missing:
        raise AssertionError(f"{field_name} values missing from the code list: {sorted(missing)}")
