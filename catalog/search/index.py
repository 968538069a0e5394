"""The catalogue index: search and facets over the published descriptors.

The index is rebuilt from the store (the current `datapackage.json` of every dataset), so any
number of API replicas can serve one store without shared state. It lives in a private
in-memory DuckDB table: a substring scan answers Chinese queries without word segmentation,
and a catalogue of 100,000 datasets still scans in milliseconds.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

from catalog.search.holdings import (
    Held,
    Holding,
    Named,
    Names,
    read_holding,
    read_vocabulary,
    resolve,
)
from catalog.search.records import COLUMNS, catalogue_uuid, entry, utc_moment
from catalog.search.selection import Facet, HeldCode, Matched, SearchResult, Selection
from catalog.search.synonyms import Lexicon, is_year, matching
from catalog.store import Package, Store

if TYPE_CHECKING:
    from catalog.search.facets import SearchQuery

# DuckDB's LIMIT, OFFSET and counts are BIGINT; a larger number asked for (an offset past any
# catalogue) means the same as this one, and must not reach the engine as an overflow.
BIGINT_MAX = 2**63 - 1
MAX_MATCHED = 20  # indicators (and regions) a result lists as matched
UUID_FORM = re.compile(r"[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}")  # a dataset's id

__all__ = ["BIGINT_MAX", "CatalogueIndex", "catalogue_uuid", "entry", "utc_moment"]


class CatalogueIndex:
    """Search over the current descriptors of a store; refreshed when the store changes."""

    def __init__(self, store: Store, *, refresh_seconds: float = 1.0) -> None:
        self.store = store
        self.refresh_seconds = refresh_seconds
        self._con = duckdb.connect(config={"enable_external_access": "false"})
        self._lock = threading.Lock()
        # One refresh at a time, and a search waits for it: a search that found the check
        # recent while the first load was still reading descriptors met no table (a 500).
        self._refresh_lock = threading.Lock()
        self._packages: dict[str, Package] = {}
        self._held: dict[str, Held] = {}
        # What each (slug, version) holds: versions are immutable, so it is read once.
        self._holdings: dict[tuple[str, str], Holding] = {}
        self._lexicon = Lexicon()
        self._names = Names()
        self._state: dict[str, str | None] = {}
        self._checked = float("-inf")
        self._generation = ""

    def packages(self) -> dict[str, Package]:
        """slug → current published descriptor, refreshed at most every `refresh_seconds`."""
        self._refresh()
        return self._packages

    def lexicon(self) -> Lexicon:
        """The synonyms and place names query words are read with (`catalog.search.synonyms`)."""
        self._refresh()
        return self._lexicon

    def slug_of(self, given: str) -> str:
        """The slug of a dataset asked for by its name or its id (`package_show`'s UUID), as
        ckanext-dcat's `/dataset/{id}.ttl` takes either; `given` when neither is current."""
        packages = self.packages()
        if given in packages or not UUID_FORM.fullmatch(given):
            return given
        return next((n for n in packages if catalogue_uuid("dataset", n) == given), given)

    def names(self) -> Names:
        """The names of every indicator and region the current datasets hold."""
        self._refresh()
        return self._names

    def load(self, packages: Sequence[Package], held: Mapping[str, Held] | None = None) -> None:
        """Replace the index contents (also used by benchmarks to index synthetic catalogues);
        `held`: what each dataset's rows hold, by slug."""
        held = held or {}
        rows = [entry(package, held.get(package.name)) for package in packages]
        with self._lock:
            self._con.execute("DROP TABLE IF EXISTS datasets")
            self._con.execute(f"CREATE TABLE datasets ({COLUMNS})")
            if rows:
                # One Arrow table instead of row-by-row inserts: 100,000 rows in about a second.
                self._con.register("incoming", pa.Table.from_pylist(rows))
                try:
                    self._con.execute("INSERT INTO datasets BY NAME SELECT * FROM incoming")
                finally:
                    self._con.unregister("incoming")
            self._packages = {package.name: package for package in packages}
            self._held = dict(held)
            self._names = Names.of(self._held.values())

    def invalidate(self) -> None:
        """Look at the store again on the next read (after a write in this process)."""
        self._checked = float("-inf")
        self._generation = ""

    def _refresh(self) -> None:
        with self._refresh_lock:
            self._refresh_now()

    def _refresh_now(self) -> None:
        now = time.monotonic()
        if now - self._checked < self.refresh_seconds:
            return
        self._checked = now
        # Read before scanning: a publish during the scan changes it, so the next look rescans.
        generation = self.store.generation()
        if generation and generation == self._generation:
            return
        state = {slug: self.store.current(slug) for slug in self.store.slugs()}
        if state != self._state:
            self._reload(state)
            self._state = state
        self._generation = generation

    def _reload(self, state: dict[str, str | None]) -> None:
        """Index the current versions with what their rows hold, named by the code lists."""
        packages = [self.store.package(slug) for slug in state]
        vocabulary = read_vocabulary(self.store, state)
        holdings = {
            (p.name, version): self._holdings.get((p.name, version))
            or read_holding(self.store, p, version)
            for p in packages
            if (version := state[p.name])
        }
        self._holdings = {key: holding for key, holding in holdings.items() if holding}
        held = {slug: resolve(holding, vocabulary) for (slug, _), holding in holdings.items()}
        names = _names(packages, held.values())
        self._lexicon = Lexicon.of(vocabulary.synonyms, vocabulary.places, names)
        self.load(packages, held)

    def select(self, selection: Selection, drafts: Sequence[Package] = ()) -> SearchResult:
        """A page of slugs, the total and facet counts: every search of the catalogue.

        `drafts`: unpublished descriptors searched beside the index, with `state` "draft"
        (CKAN's `include_drafts` for a token that may see them); never kept in the index."""
        self._refresh()
        table = "datasets"
        if drafts:
            table = "(SELECT * FROM datasets UNION ALL BY NAME SELECT * FROM drafts)"
        # Only the page query computes the score; the count and the facets need none.
        base = f"SELECT * FROM {table} WHERE {selection.where}"
        params = selection.params
        ranked = (
            f"SELECT slug, {selection.score} AS score FROM {table}"
            f" WHERE {selection.where} ORDER BY {selection.order_by}, slug"
        )
        ordered = [*selection.score_params, *params]
        with self._lock:
            cursor = self._con.cursor()
            _register_drafts(cursor, drafts)
            count = cursor.execute(f"SELECT count(*) FROM ({base})", params).fetchone()
            if selection.terms:  # every result, best first: its series need them all
                every = [row[0] for row in cursor.execute(ranked, ordered).fetchall()]
                start = min(selection.offset, len(every))
                page = every[start : start + max(selection.limit, 0)]
            else:
                paged = [*ordered, _bigint(selection.limit), _bigint(selection.offset)]
                every = []
                rows = cursor.execute(f"{ranked} LIMIT ? OFFSET ?", paged).fetchall()
                page = [row[0] for row in rows]
            facets = {
                name: _count_values(cursor, facet, base, selection)
                for name, facet in selection.facets.items()
            }
        if not selection.terms:
            return SearchResult(count[0] if count else 0, page, facets)
        return SearchResult(
            count=count[0] if count else 0,
            slugs=page,
            facets=facets,
            matches={slug: self._matched([slug], selection) for slug in page},
            found=self._series_asked(every, selection),
        )

    def _indicator_words(self, selection: Selection) -> list[tuple[str, ...]]:
        """The terms that may name an indicator: neither place names nor years. Read with
        the index's own lexicon, so that every search of it (CKAN's too) agrees."""
        lexicon = self._lexicon
        return [t for t in selection.terms if not lexicon.is_place(t) and not is_year(t)]

    def _series_asked(self, slugs: list[str], selection: Selection) -> Matched:
        """`_matched` over every result, for the series a search lists; nothing when the
        query named something that is no indicator held (`贵阳最低工资`: minimum wages are
        no indicator series, and Guiyang's other series are not what was asked)."""
        found = self._matched(slugs, selection)
        words = self._indicator_words(selection)
        return found if found.indicators or not words else Matched()

    def _matched(self, slugs: list[str], selection: Selection) -> Matched:
        """The indicators and regions of `slugs` the query's words found: indicators by the
        words that are not place names (`全国` does not find 全国公务员人数 in
        `全国城镇登记失业率`), regions by every word. Codes more datasets hold come first."""
        words = self._indicator_words(selection)
        held = [self._held.get(slug) or Held() for slug in slugs]
        return Matched(
            indicators=_named([n for h in held for n in h.indicators], words),
            regions=_named([n for h in held for n in h.regions], list(selection.terms)),
        )

    def search(self, query: SearchQuery) -> SearchResult:
        """`select` of a search by words and facets (/api/v1/datasets, DCAT, the web pages)."""
        return self.select(query.selection(self.lexicon()))


def _names(packages: Sequence[Package], held: Iterable[Held]) -> Iterator[str]:
    """The names a query word without spaces is cut by: titles, keywords, field titles, and
    the indicators and regions the rows hold."""
    for package in packages:
        yield from (package.title or "", package.title_en or "", *package.keywords)
        for resource in package.resources:
            fields = resource.table_schema.fields if resource.table_schema else []
            yield from (f.title or "" for f in fields)
    for one in held:
        yield from (n.name_zh for n in (*one.indicators, *one.regions))


def _named(codes: Sequence[Named], terms: list[tuple[str, ...]]) -> list[HeldCode]:
    """The codes matching the most of `terms`, those held by more datasets first."""
    by_code = {named.code: named for named in codes}
    held_by = Counter(named.code for named in codes)
    keys = matching(((code, named.text) for code, named in by_code.items()), terms)
    keys.sort(key=lambda code: -held_by[code])  # stable: ties keep the datasets' order
    return [HeldCode(key, by_code[key].name_zh, by_code[key].name_en) for key in keys[:MAX_MATCHED]]


def _register_drafts(cursor: duckdb.DuckDBPyConnection, drafts: Sequence[Package]) -> None:
    """`drafts` as the table `drafts` of this cursor only (a cursor is a connection of its
    own: nothing registered here is seen by another search)."""
    if drafts:
        rows = [entry(package, state="draft") for package in drafts]
        cursor.register("drafts", pa.Table.from_pylist(rows))


def _count_values(
    cursor: duckdb.DuckDBPyConnection, facet: Facet, base: str, selection: Selection
) -> list[tuple[str, int]]:
    """(value, datasets) of one facet, most first.

    A dataset counts once per value because the list columns hold each value once
    (`records.entry`): `list_distinct` here would triple the time of a facet.
    """
    value = f"unnest({facet.expr})" if facet.listed else facet.expr
    limit = " LIMIT ?" if selection.facet_limit >= 0 else ""
    extra = [_bigint(selection.facet_limit)] if limit else []
    rows = cursor.execute(
        f"SELECT value, count(*) AS n FROM (SELECT {value} AS value FROM ({base}))"
        " WHERE value IS NOT NULL AND value <> '' GROUP BY value HAVING count(*) >= ?"
        f" ORDER BY n DESC, value{limit}",
        [*selection.params, _bigint(selection.facet_mincount), *extra],
    ).fetchall()
    return [(str(row[0]), int(row[1])) for row in rows]


def _bigint(number: int) -> int:
    """`number` within DuckDB's BIGINT, which means the same for every count in the index."""
    return max(-BIGINT_MAX, min(number, BIGINT_MAX))
