"""Every indicator × region as a series, across the datasets that print it.

The list of series is read from the current versions the catalogue index serves, once per
version of each dataset (versions are immutable); a series' figures are read when it is asked
for and kept in a small cache keyed on the versions that printed them, so a publish is seen at
the index's next refresh and nothing stale is ever served.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from typing import NoReturn

from catalog.errors import MISSING_RETRY_SECONDS, Gone, NotFound, ObjectMissing
from catalog.search import CatalogueIndex, Matched, Named
from catalog.series.figures import (
    IndicatorTable,
    Listed,
    PrintedFigure,
    indicator_tables,
    list_series,
    read_figures,
    withdrawn_paths,
)
from catalog.series.listing import nearest
from catalog.series.periods import overlaps, recency
from catalog.series.preference import Point, prefer
from catalog.store import OneAtATime, Package

CACHED_SERIES = 512  # series kept resolved


@dataclass(frozen=True)
class Printed:
    """One series as the catalogue lists it: the tables that print it, and the years."""

    indicator: str
    region: str
    tables: tuple[IndicatorTable, ...]
    count: int
    first_year: int
    last_year: int

    def joined(self, table: IndicatorTable, listed: Listed) -> Printed:
        return Printed(
            self.indicator,
            self.region,
            (*self.tables, table),
            self.count + listed.count,
            min(self.first_year, listed.first_year),
            max(self.last_year, listed.last_year),
        )


@dataclass(frozen=True)
class Series:
    """A series with its names, its points (preferred figure and alternatives per period) and
    the datasets that print it."""

    indicator: Named
    region: Named
    points: list[Point]
    datasets: list[tuple[str, str]] = field(default_factory=list)  # (slug, version)

    def between(self, first: int | None, last: int | None) -> Series:
        """The points whose period overlaps the years `first` to `last` (either end open; the
        range rule of `catalog.series.periods`), and the datasets that print them."""
        kept = [p for p in self.points if overlaps(p.period, p.year, first, last)]
        printing = {f.slug for p in kept for f in printed_figures(p)}
        datasets = [(slug, version) for slug, version in self.datasets if slug in printing]
        return Series(self.indicator, self.region, kept, datasets)

    @property
    def latest(self) -> Point | None:
        """The point of the latest period (the latest rule of `catalog.series.periods`), not
        the last label: `2020-YTD` sorts after `2020` but is not more recent."""
        if not self.points:
            return None
        return max(self.points, key=lambda p: (*recency(p.period, p.year, p.period_type), p.period))


def _names(named: Named | None) -> tuple[str, ...]:
    return (named.name_zh, named.name_en) if named is not None else ()


def printed_figures(point: Point) -> list[PrintedFigure]:
    """Every figure printed for a point: the preferred group's and each alternative's."""
    groups = [point.preferred, *(group for group, _ in point.alternatives)]
    return [figure for group in groups for figure in group.figures]


class SeriesCatalogue:
    """The series of the datasets an index serves."""

    def __init__(self, index: CatalogueIndex) -> None:
        self.index = index
        self._lock = threading.Lock()
        self._reloading = OneAtATime()
        self._tables: dict[tuple[str, str], list[tuple[IndicatorTable, list[Listed]]]] = {}
        self._printed: dict[tuple[str, str], Printed] = {}
        self._versions: dict[str, str] = {}
        self._resolved: OrderedDict[tuple[object, ...], Series] = OrderedDict()
        self._withdrawn: dict[tuple[str, str], frozenset[tuple[str, str]]] = {}
        # Datasets of which a table's file is not in the store now (`ObjectMissing`): left
        # out of what is printed, and read again at most every second until it is back.
        self._lacking: frozenset[str] = frozenset()
        self._lacking_at = float("-inf")
        # Opening a DuckDB database costs ~20 ms; a cursor on an open one costs next to none.
        # The index's reader: a cursor of the server's one database when it shares one.
        self._con = index.reader()

    def close(self) -> None:
        """Release the connection (at shutdown)."""
        self._con.close()

    def printed(self) -> dict[tuple[str, str], Printed]:
        """(indicator, region) → where it is printed, for the versions served now."""
        packages = self.index.packages()
        versions = {slug: package.version or "" for slug, package in packages.items()}
        if versions != self._versions or self._retry_due():
            self._reloading(lambda: self._reload(packages, versions))
        return self._printed

    def _retry_due(self) -> bool:
        return bool(self._lacking) and time.monotonic() - self._lacking_at >= MISSING_RETRY_SECONDS

    def _reload(self, packages: dict[str, Package], versions: dict[str, str]) -> None:
        if versions == self._versions and not self._retry_due():
            return  # reloaded while this caller waited
        tables = {}
        lacking = set()
        for slug, version in versions.items():
            key = (slug, version)
            if key in self._tables:
                tables[key] = self._tables[key]
            elif version:
                found = indicator_tables(self.index.store, packages[slug], version)
                try:
                    with self._con.cursor() as con:
                        tables[key] = [(table, list_series(con, table.path)) for table in found]
                except ObjectMissing:
                    lacking.add(slug)
        self._lacking, self._lacking_at = frozenset(lacking), time.monotonic()
        printed: dict[tuple[str, str], Printed] = {}
        for key in sorted(tables):
            for table, series in tables[key]:
                for one in series:
                    pair = (one.indicator, one.region)
                    start = printed.get(pair) or Printed(*pair, (), 0, one.first_year, 0)
                    printed[pair] = start.joined(table, one)
        self._tables, self._printed, self._versions = tables, printed, versions

    def series(self, indicator: str, region: str) -> Series:
        """Every period of the series, or NotFound when no served table prints it."""
        found = self.printed().get((indicator, region))
        if found is None:
            self._refuse(indicator, region)
        key = (indicator, region, tuple((t.slug, t.version, t.resource) for t in found.tables))
        with self._lock:
            if key in self._resolved:
                self._resolved.move_to_end(key)
                return self._resolved[key]
        resolved = self._resolve(found)
        with self._lock:
            self._resolved[key] = resolved
            while len(self._resolved) > CACHED_SERIES:
                self._resolved.popitem(last=False)
        return resolved

    def _refuse(self, indicator: str, region: str) -> NoReturn:
        """Gone (410) when every dataset that printed the series was withdrawn, else NotFound."""
        gone = self.withdrawn_by(indicator, region)
        if gone:
            raise Gone(
                f"the series {indicator!r} for {region!r} was printed only by withdrawn"
                f" datasets: {', '.join(gone)}"
            )
        if self._lacking:  # it may be in a table the store lacks now: retry, do not keep a 404
            raise ObjectMissing(f"a table of {', '.join(sorted(self._lacking))}")
        raise NotFound(f"no dataset prints the indicator {indicator!r} for {region!r}")

    def withdrawn_by(self, indicator: str, region: str) -> list[str]:
        """The withdrawn datasets that printed the series (none served prints it now)."""
        pair = (indicator, region)
        if pair in self.printed():
            return []
        return sorted(slug for slug, pairs in self._withdrawn_series() if pair in pairs)

    def _withdrawn_series(self) -> list[tuple[str, frozenset[tuple[str, str]]]]:
        """(slug, the series it printed) of each withdrawn dataset, read once per withdrawal."""
        store = self.index.store
        found = []
        for slug in store.known_slugs():
            withdrawal = store.withdrawal(slug)
            if withdrawal is None:
                continue
            key = (slug, withdrawal.version)
            if key not in self._withdrawn:
                with self._con.cursor() as con:
                    paths = withdrawn_paths(store, *key)
                    listed = [one for path in paths for one in list_series(con, path)]
                with self._lock:
                    self._withdrawn[key] = frozenset((s.indicator, s.region) for s in listed)
            found.append((slug, self._withdrawn[key]))
        return found

    def _resolve(self, found: Printed) -> Series:
        with self._con.cursor() as con:
            figures = [
                figure
                for table in found.tables
                for figure in read_figures(con, table, found.indicator, found.region)
            ]
        names = self.index.names()
        datasets = sorted({(t.slug, t.version) for t in found.tables})
        return Series(
            names.indicators.get(found.indicator) or Named(found.indicator),
            names.regions.get(found.region) or Named(found.region),
            prefer(figures),
            datasets,
        )

    def selected(
        self, indicator: str | None = None, region: str | None = None, dataset: str | None = None
    ) -> list[Printed]:
        """The series of `indicator`, in `region`, printed by `dataset` (each None: any), in
        code order; NotFound naming the nearest codes when a code given prints no series."""
        printed = self.printed()
        found = [
            p
            for (ind, reg), p in printed.items()
            if (indicator is None or ind == indicator)
            and (region is None or reg == region)
            and (dataset is None or any(t.slug == dataset for t in p.tables))
        ]
        if not found:
            self._unknown(printed, indicator, region, dataset)
        return sorted(found, key=lambda p: (p.indicator, p.region))

    def _unknown(
        self,
        printed: dict[tuple[str, str], Printed],
        indicator: str | None,
        region: str | None,
        dataset: str | None,
    ) -> None:
        """NotFound for the first code that names no series, with the nearest ones."""
        names = self.index.names()
        known = (
            ("indicator", indicator, {i for i, _ in printed}, names.indicators),
            ("region", region, {r for _, r in printed}, names.regions),
        )
        for kind, asked, codes, named in known:
            if asked is not None and asked not in codes:
                candidates = {c: _names(named.get(c)) for c in codes}
                near = nearest(asked, candidates)
                raise NotFound(
                    f"no dataset prints a series of the {kind} {asked!r}"
                    + (f"; nearest {kind} codes: {', '.join(near)}" if near else "")
                )
        if dataset is not None and not any(t.slug == dataset for p in printed.values()
                                           for t in p.tables):  # fmt: skip
            raise NotFound(f"the dataset {dataset!r} prints no series")

    def found_by(self, matched: Matched, limit: int) -> list[Series]:
        """The series a search points to (`SearchResult.found`, over all its results): the
        indicators its words found, in the regions they found (in any region when they found
        none), best covered first."""
        indicators = [code.code for code in matched.indicators]
        regions = [code.code for code in matched.regions]
        found = []
        for printed in self.matching(indicators, regions, limit):
            try:
                found.append(self.series(printed.indicator, printed.region))
            except NotFound:  # withdrawn since the search read the catalogue
                continue
        return found

    def matching(self, indicators: list[str], regions: list[str], limit: int) -> list[Printed]:
        """The series of `indicators` in `regions` (either list empty: any), best covered
        first, then in the regions the catalogue prints most series of (全国 and 贵州 before
        the other provinces): the series a search result shows beside the datasets."""
        wanted, places = set(indicators), set(regions)
        if not wanted and not places:
            return []
        every = self.printed()
        found = [
            p
            for (indicator, region), p in every.items()
            if (not wanted or indicator in wanted) and (not places or region in places)
        ]
        order = {code: rank for rank, code in enumerate(indicators)}
        series_in = Counter(region for _, region in every)
        found.sort(
            key=lambda p: (
                order.get(p.indicator, 0),
                -len(p.tables),
                -p.count,
                -series_in[p.region],
                p.region,
            )
        )
        # Each indicator's best covered series first, then each one's second, and so on:
        # the first indicator found does not take every place.
        turn: dict[str, int] = {}
        ranked = []
        for printed in found:
            turn[printed.indicator] = turn.get(printed.indicator, -1) + 1
            ranked.append((turn[printed.indicator], printed))
        ranked.sort(key=lambda pair: pair[0])  # stable: keeps the order within a turn
        return [printed for _, printed in ranked[:limit]]
