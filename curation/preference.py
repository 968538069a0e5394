"""The preference rule for indicator figures: one preferred figure per key, the rest kept.

For each key (indicator, region, period) the printed figures are grouped by normalised value
into clusters, one cluster is preferred (rule in datasets/README.md, "Preference rule"), its
agreeing copies are cited in `also_source_ids`, and every other figure becomes an alternative
with the reason it lost.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from catalog.series import DEFECT_FLAGS, standing, why_not_preferred
from curation.observations import Row, make_row
from curation.reference import Indicator
from curation.sources import TIER_RANK, Source, Tally, check_accounting, read_rows
from curation.units import fmt_decimal, is_rounding_of

OBSERVATION_COLUMNS = [
    "indicator_code", "region_code", "year", "period_type", "period", "period_as_printed",
    "value", "unit", "value_as_printed", "unit_as_printed", "qualifier", "source_id",
    "also_source_ids", "has_alternatives", "flags", "note", "value_decimals",
]  # fmt: skip
ALTERNATIVE_COLUMNS = [*OBSERVATION_COLUMNS, "reason"]


@dataclass
class Cluster:
    """Rows of one key printing the same normalised value."""

    rows: list[Row]

    @property
    def value(self) -> Decimal | None:
        return self.rows[0].value

    @property
    def best(self) -> Row:
        return min(self.rows, key=row_rank)

    @property
    def defective(self) -> bool:
        return self.value is None or all(r.flags & DEFECT_FLAGS for r in self.rows)

    @property
    def revised(self) -> bool:
        return any("revised" in r.flags for r in self.rows)

    @property
    def tier(self) -> int:
        return min(TIER_RANK[r.source.tier] for r in self.rows)

    @property
    def rounded(self) -> bool:
        return all("rounded" in r.flags for r in self.rows)

    @property
    def source_ids(self) -> list[str]:
        return sorted({r.source.source_id for r in self.rows})


def row_rank(row: Row) -> tuple[int, bool, bool, str]:
    """Which copy of an agreeing figure represents it: best tier, original language, id."""
    return (TIER_RANK[row.source.tier], "translation" in row.flags, "rounded" in row.flags,
            row.source.source_id)  # fmt: skip


def mark_roundings(clusters: list[Cluster]) -> None:
    """Flag a figure `rounded` when it equals another printed figure rounded to its precision."""
    # In order: a flag set here changes which copy is `best` for the pairs that follow.
    for cluster, other in itertools.permutations(clusters, 2):
        if cluster.value is None or other.value is None:
            continue
        for row in cluster.rows:
            finer = other.best.step < row.step
            if finer and row.value is not None and is_rounding_of(row.value, row.step, other.value):
                row.flags.add("rounded")


@dataclass
class Resolved:
    """The records of an indicator file's two resources, and the agreeing copies folded in."""

    preferred: list[dict[str, str]]
    alternatives: list[dict[str, str]]
    duplicates: int

    @property
    def tally(self) -> Tally:
        return Tally(len(self.preferred), self.duplicates, len(self.alternatives))


def resolve(rows: Sequence[Row]) -> Resolved:
    """Apply the preference rule to every key, in key order."""
    groups: dict[tuple[str, ...], list[Row]] = defaultdict(list)
    for row in rows:
        groups[row.key].append(row)
    out = Resolved([], [], 0)
    for key in sorted(groups):
        clusters = make_clusters(groups[key])
        mark_roundings(clusters)
        clusters.sort(key=standing)
        resolve_key(clusters[0], clusters[1:], out)
    return out


def resolve_key(chosen: Cluster, others: list[Cluster], out: Resolved) -> None:
    """Add one key's preferred record and its alternatives to `out`."""
    best = chosen.best
    also = [s for s in chosen.source_ids if s != best.source.source_id]
    out.duplicates += len(chosen.rows) - 1
    out.preferred.append(observation_record(best, chosen, also, bool(others)))
    for alt in others:
        unique = unique_rows(alt.rows)
        out.duplicates += len(alt.rows) - len(unique)
        reason = why_not_preferred(alt, chosen)
        for row in unique:
            out.alternatives.append({**observation_record(row, alt, [], True), "reason": reason})


def make_clusters(rows: list[Row]) -> list[Cluster]:
    """Rows grouped by normalised value, in order of first appearance."""
    by_value: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        # unreadable values never agree with anything: each is its own cluster
        token = fmt_decimal(row.value) if row.value is not None else f"?{id(row)}"
        by_value[token].append(row)
    return [Cluster(members) for members in by_value.values()]


def unique_rows(rows: list[Row]) -> list[Row]:
    """One row per (source, printed value): a source printing a figure twice counts once."""
    seen: dict[tuple[str, str], Row] = {}
    for row in sorted(rows, key=row_rank):
        seen.setdefault((row.source.source_id, row.value_as_printed), row)
    return list(seen.values())


def observation_record(
    row: Row, cluster: Cluster, also: list[str], has_alt: bool
) -> dict[str, str]:
    """The published record of `row`; flags and note describe that printed copy only."""
    flags = row.flags | ({"revised"} if cluster.revised else set())
    return {
        "indicator_code": row.indicator_code,
        "region_code": row.region_code,
        "year": str(row.year),
        "period_type": row.period_type,
        "period": row.period,
        "period_as_printed": row.period_as_printed,
        "value": fmt_decimal(row.value),
        "unit": row.unit,
        "value_as_printed": row.value_as_printed,
        "unit_as_printed": row.unit_as_printed,
        "qualifier": row.qualifier,
        "source_id": row.source.source_id,
        "also_source_ids": ";".join(also),
        "has_alternatives": "true" if has_alt else "false",
        "flags": ";".join(sorted(flags)),
        "note": row.note,
        "value_decimals": "" if row.decimals is None else str(row.decimals),
    }


def curate_indicator_file(
    path: Path, sources: Mapping[str, Source], indicators: Mapping[str, Indicator]
) -> Resolved:
    """Read, normalise and resolve one indicator file, checking no row is lost."""
    raw_rows = read_rows(path)
    rows = [make_row(path.name, raw, sources, indicators) for raw in raw_rows]
    resolved = resolve(rows)
    check_accounting(path.name, len(raw_rows), resolved.tally)
    return resolved
