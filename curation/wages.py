"""The minimum-wage family: standards by tier (one preferred figure per key) and tier areas.

A standard's key is (region, wage type, tier, reference date), where the reference date is the
table date, else the effective date the page states, else `undated`. Undated, garbled and
contradicted figures are never preferred. Values stay in 元/月 or 元/小时 as printed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from curation import reference
from curation.flags import flags_from
from curation.sources import TIER_RANK, Source, Tally, check_accounting, read_rows
from curation.units import fmt_decimal, parse_decimal

WAGE_COLUMNS = [
    "region_code", "wage_type", "tier", "reference_date", "date_basis", "as_of_date",
    "effective_date", "value", "unit", "value_as_printed", "source_id", "also_source_ids",
    "status", "flags", "reason", "note",
]  # fmt: skip
TIER_AREA_COLUMNS = [
    "as_of_date", "prefecture_code", "prefecture_name_zh", "tier", "county_code",
    "county_name_zh", "county_name_as_printed", "source_id", "note",
]  # fmt: skip
# Flags that keep a figure from being preferred, whatever its tier.
BLOCKING_FLAGS = frozenset({"contradicted", "contradicted_in_note", "undated"})


@dataclass
class WageRow:
    region_code: str
    wage_type: str
    tier: int
    reference_date: str
    date_basis: str
    as_of_date: str
    effective_date: str
    value: Decimal | None
    unit: str
    value_as_printed: str
    source: Source
    flags: set[str]
    note: str

    @property
    def key(self) -> tuple[str, str, int, str]:
        return (self.region_code, self.wage_type, self.tier, self.reference_date)

    @property
    def series(self) -> tuple[str, str, int]:
        return (self.region_code, self.wage_type, self.tier)


def make_wage_row(raw: Mapping[str, str], sources: Mapping[str, Source]) -> WageRow:
    """One printed standard, dated and flagged."""
    source = sources[raw["source_url"]]
    as_of, effective = raw["as_of_date"], raw["effective_date"]
    # The date a figure speaks about: the table date, else the date the page says it took effect.
    reference_date, basis = (as_of, "as_of") if as_of else (effective, "effective")
    if not reference_date:
        reference_date, basis = "undated", "undated"
    note = raw["note"].strip()
    flags = flags_from(note, source.kinds)
    value = parse_decimal(raw["value"])
    if value is None:
        flags.add("garbled")
    if "CONFLICT" in note:
        flags.add("contradicted_in_note")  # the transcriber checked it against MOHRSS tables
    return WageRow(
        raw["region_code"], raw["wage_type"], int(raw["tier"]), reference_date, basis, as_of,
        effective, value, raw["unit"], raw["value_as_printed"], source, flags, note,
    )  # fmt: skip


def mark_contradictions(rows: list[WageRow]) -> None:
    """A figure is contradicted when better-tier tables before and after its date agree on
    another value: a standard shown identically on both dates was in force in between."""
    dated = [r for r in rows if r.date_basis != "undated" and r.value is not None]
    by_series: dict[tuple[str, str, int], list[WageRow]] = defaultdict(list)
    for row in dated:
        by_series[row.series].append(row)
    for row in dated:
        better = [o for o in by_series[row.series]
                  if TIER_RANK[o.source.tier] < TIER_RANK[row.source.tier]]  # fmt: skip
        before = [o for o in better if o.reference_date < row.reference_date]
        after = [o for o in better if o.reference_date > row.reference_date]
        if not before or not after:
            continue
        last = max(before, key=lambda o: o.reference_date).value
        first = min(after, key=lambda o: o.reference_date).value
        if last == first and row.value != last:
            row.flags.add("contradicted")


def wage_rank(rows: list[WageRow]) -> tuple[bool, int, int, str]:
    """The preference order of agreeing figures: usable, tier, support, lowest source id."""
    blocked = rows[0].value is None or all(r.flags & BLOCKING_FLAGS for r in rows)
    sources = sorted(r.source.source_id for r in rows)
    return (blocked, min(TIER_RANK[r.source.tier] for r in rows), -len(set(sources)), sources[0])


def wage_reason(alt: list[WageRow], chosen: list[WageRow] | None) -> str:
    """Why `alt` is not the preferred figure; empty when no figure of the key is preferred."""
    first = alt[0]
    if first.value is None:
        return "value garbled on the page; the printed text is kept in value_as_printed"
    if "undated" in first.flags:
        return "the page states no date, so the figure cannot be placed in time"
    if "contradicted_in_note" in first.flags:
        return ("the source notes mark it CONFLICT: it contradicts the MOHRSS national tables"
                " (see note)")  # fmt: skip
    if "contradicted" in first.flags:
        return ("contradicted by higher-tier MOHRSS tables dated before and after it, which"
                " agree with each other")  # fmt: skip
    if chosen is None:
        return ""
    if wage_rank(alt)[1] != wage_rank(chosen)[1]:
        return "lower reliability tier than the preferred source"
    return "fewer sources agree, or tie broken by the lower source_id"


@dataclass
class WagesResolved:
    """The records of a wage file, with status preferred/alternative, and where rows went."""

    records: list[dict[str, str]] = field(default_factory=list)
    preferred: int = 0
    duplicates: int = 0
    alternatives: int = 0

    @property
    def tally(self) -> Tally:
        return Tally(self.preferred, self.duplicates, self.alternatives)


def resolve_wages(rows: list[WageRow]) -> WagesResolved:
    """Apply the preference rule to every key, in key order."""
    mark_contradictions(rows)
    groups: dict[tuple[str, str, int, str], list[WageRow]] = defaultdict(list)
    for row in rows:
        groups[row.key].append(row)
    out = WagesResolved()
    for key in sorted(groups):
        resolve_wage_key(groups[key], out)
    return out


def resolve_wage_key(rows: list[WageRow], out: WagesResolved) -> None:
    """Group one key's figures by value, prefer one cluster if any may be, list the rest."""
    clusters: dict[str, list[WageRow]] = defaultdict(list)
    for row in rows:
        # unreadable values never agree with anything: each is its own cluster
        token = fmt_decimal(row.value) if row.value is not None else f"?{id(row)}"
        clusters[token].append(row)
    ordered = sorted(clusters.values(), key=wage_rank)
    chosen = None if wage_rank(ordered[0])[0] else ordered[0]
    for cluster in ordered:
        cluster.sort(key=lambda r: (TIER_RANK[r.source.tier], r.source.source_id))
        if cluster is chosen:
            add_preferred(cluster, out)
        else:
            add_alternatives(cluster, wage_reason(cluster, chosen), out)


def add_preferred(cluster: list[WageRow], out: WagesResolved) -> None:
    """The best copy, citing the other sources that print the same figure."""
    also = sorted({r.source.source_id for r in cluster[1:]} - {cluster[0].source.source_id})
    out.records.append(wage_record(cluster[0], also, "preferred", ""))
    out.preferred += 1
    out.duplicates += len(cluster) - 1


def add_alternatives(cluster: list[WageRow], reason: str, out: WagesResolved) -> None:
    """Each (source, printed value) once; a repeat of one is a duplicate."""
    seen: set[tuple[str, str]] = set()
    for row in cluster:
        ident = (row.source.source_id, row.value_as_printed)
        if ident in seen:
            out.duplicates += 1
            continue
        seen.add(ident)
        out.records.append(wage_record(row, [], "alternative", reason))
        out.alternatives += 1


def wage_record(row: WageRow, also: list[str], status: str, reason: str) -> dict[str, str]:
    """The published record of one printed standard."""
    return {
        "region_code": row.region_code, "wage_type": row.wage_type, "tier": str(row.tier),
        "reference_date": row.reference_date, "date_basis": row.date_basis,
        "as_of_date": row.as_of_date, "effective_date": row.effective_date,
        "value": fmt_decimal(row.value), "unit": row.unit,
        "value_as_printed": row.value_as_printed, "source_id": row.source.source_id,
        "also_source_ids": ";".join(also), "status": status,
        "flags": ";".join(sorted(row.flags)), "reason": reason, "note": row.note,
    }  # fmt: skip


def curate_wages(path: Path, sources: Mapping[str, Source]) -> list[dict[str, str]]:
    """Read and resolve one minimum-wage file, checking no row is lost."""
    raw_rows = read_rows(path)
    resolved = resolve_wages([make_wage_row(raw, sources) for raw in raw_rows])
    check_accounting(path.name, len(raw_rows), resolved.tally)
    return resolved.records


def curate_tier_areas(path: Path, sources: Mapping[str, Source]) -> list[dict[str, str]]:
    """County → tier rows with verified county codes, sorted by date, prefecture and tier."""
    records = [tier_area_record(raw, sources) for raw in read_rows(path)]
    print(f"{path.name}: {len(records)} rows = {len(records)} tier-area rows")
    return sorted(records, key=lambda r: (
        r["as_of_date"], r["prefecture_code"], r["tier"], r["county_code"],
        r["county_name_as_printed"],
    ))  # fmt: skip


def tier_area_record(raw: Mapping[str, str], sources: Mapping[str, Source]) -> dict[str, str]:
    """One tier-area row; a county name not in the verified table keeps an empty code."""
    printed = raw["county_or_district_zh"]
    county = reference.counties().get(printed)  # never guess a code from a similar name
    note = raw["note"].strip()
    if county is None:
        note = "; ".join(p for p in (note, "county code not verified; left empty") if p)
    return {
        "as_of_date": raw["as_of_date"], "prefecture_code": raw["prefecture_code"],
        "prefecture_name_zh": raw["prefecture_zh"], "tier": raw["tier"],
        "county_code": county.code if county else "",
        "county_name_zh": county.name_zh if county else "",
        "county_name_as_printed": printed,
        "source_id": sources[raw["source_url"]].source_id, "note": note,
    }  # fmt: skip
