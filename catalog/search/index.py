"""The catalogue index: search and facets over the published descriptors.

The index is built from the store at start (the current `datapackage.json` of every dataset)
and kept current incrementally, so any number of API replicas can serve one store without
shared state (docs/replicas.md). It is an Arrow table that DuckDB scans (on the query
engine's database in a server, on a private one alone): a substring scan answers Chinese
queries without word segmentation, and a catalogue of 100,000 datasets still scans in
milliseconds. Not a DuckDB table: its blocks (256 KB a column) and the key's index cost
4.2 MB for the 13 shipped datasets, the Arrow table 0.2 MB.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

from catalog.errors import MISSING_RETRY_SECONDS, ObjectMissing
from catalog.query import Generation
from catalog.search.facets import bigint, count_values
from catalog.search.holdings import (
    INDICATOR_LIST,
    REGION_LIST,
    Held,
    Holding,
    Named,
    Names,
    Vocabulary,
    lexicon_names,
    read_vocabulary,
    resolve,
    small_connection,
)
from catalog.search.reads import Mark, read_holdings, read_marks, read_packages
from catalog.search.records import catalogue_uuid, entry, index_table, utc_moment
from catalog.search.selection import HeldCode, Matched, SearchResult, Selection
from catalog.search.synonyms import Lexicon, is_year, matching
from catalog.store import (
    OneAtATime,
    Organization,
    Package,
    Store,
    organizations,
    with_organization,
)

if TYPE_CHECKING:
    from catalog.search.facets import SearchQuery

MAX_MATCHED = 20  # indicators (and regions) a result lists as matched
UUID_FORM = re.compile(r"[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}")  # a dataset's id
CODE_LISTS = frozenset({INDICATOR_LIST, REGION_LIST})  # whose names every dataset's rows take

logger = logging.getLogger(__name__)

__all__ = ["CatalogueIndex", "catalogue_uuid", "entry", "utc_moment"]


class CatalogueIndex:
    """Search over the current descriptors of a store; kept current as the store changes.

    At a change of the store's generation (read through `generation`, at most every
    `refresh_seconds`), only the datasets whose current version or withdrawals changed are
    read again (their mark: `store.current` and `store.state_time`); a new version of a code
    list renames what every dataset holds, so it re-indexes them all (from what is cached).
    """

    def __init__(
        self,
        store: Store,
        *,
        refresh_seconds: float = 1.0,
        generation: Generation | None = None,
        database: duckdb.DuckDBPyConnection | None = None,
    ) -> None:
        self.store = store
        self.generation = generation or Generation(store, refresh_seconds)
        # A server's one database (the query engine's): each DuckDB instance kept costs its
        # own catalogue, buffers and threads (~4 MB and 8 threads, measured). Alone, its own.
        self._database = database
        self._con = (
            database.cursor()
            if database is not None
            else duckdb.connect(config={"enable_external_access": "false"})
        )
        self._lock = threading.Lock()
        self._table = index_table([])  # what `datasets` is in every search
        # One refresh at a time, and a search waits for it (one meeting a first load: a 500).
        self._refreshing = OneAtATime()
        # As read (`_raw`), and as served: with each organisation's facts whole (`_serve`).
        self._raw: dict[str, Package] = {}
        self._organizations: dict[str, Organization] = {}
        self._packages: dict[str, Package] = {}
        self._held: dict[str, Held] = {}
        # What each (slug, version) holds: versions are immutable, so it is read once.
        self._holdings: dict[tuple[str, str], Holding] = {}
        self._vocabulary: Vocabulary | None = None
        self._lexicon = Lexicon()
        self._names = Names()
        self._marks: dict[str, Mark] = {}
        self._seen: tuple[str, int] | None = None
        # Datasets indexed without what their rows hold: a file of theirs was not in the
        # store (`ObjectMissing`). Read again every refresh, however long the generation holds.
        self._pending: set[str] = set()
        self._pending_at = float("-inf")
        self.reread: list[str] = []  # the datasets the last change read again
        self.load([])

    def reader(self) -> duckdb.DuckDBPyConnection:
        """A connection for bounded reads of published files (the series catalogue's): a
        cursor of the shared database, else a `small_connection`; the caller closes it."""
        database = self._database
        return database.cursor() if database is not None else small_connection(self.store.files())

    @property
    def refresh_seconds(self) -> float:
        return self.generation.refresh_seconds

    @refresh_seconds.setter
    def refresh_seconds(self, seconds: float) -> None:
        self.generation.refresh_seconds = seconds

    def packages(self) -> dict[str, Package]:
        """slug → current published descriptor, refreshed at most every `refresh_seconds`."""
        self._refresh()
        return self._packages

    def organizations(self) -> dict[str, Organization]:
        """Organisation slug → its facts as all its current datasets state them together."""
        self._refresh()
        return self._organizations

    def _serve(self, raw: dict[str, Package]) -> None:
        """Serve `raw` (as read), each with its organisation's facts whole."""
        known = organizations(raw.values())
        self._raw, self._organizations = raw, known
        self._packages = {slug: with_organization(p, known) for slug, p in raw.items()}

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
        # One Arrow table, not row-by-row inserts: 100,000 rows in about a second.
        table = index_table([entry(package, held.get(package.name)) for package in packages])
        with self._lock:
            self._table = table
            self._serve({package.name: package for package in packages})
            self._held = dict(held)
            self._names = Names.of(self._held.values())

    def invalidate(self) -> None:
        """Look at the store again on the next read (after a write in this process)."""
        self.generation.invalidate()
        self._seen = None

    def _refresh(self) -> None:
        self._refreshing(self._refresh_now)

    def _refresh_now(self) -> None:
        # Read before scanning: a publish during the scan changes it, so the next look rescans.
        token = self.generation.token()
        seen = (token, 0 if token else self.generation.reads)  # a store keeping none: rescan
        retry = max(self.refresh_seconds, MISSING_RETRY_SECONDS)
        if seen == self._seen and not (
            self._pending and self._pending_at + retry <= time.monotonic()
        ):
            return
        marks = read_marks(self.store, self.store.slugs())  # several at once (`reads`)
        changed = sorted(
            slug
            for slug in marks.keys() | self._marks.keys()
            if marks.get(slug) != self._marks.get(slug)
        )
        if changed:
            # Read on one small database, closed after: what the reads freed goes back at once
            # (the engine's kept ~10 MB past the first /readyz); one for all, not one each.
            with contextlib.closing(small_connection(self.store.files())) as reads:
                pending = self._update(marks, changed, reads)
            for slug in pending:
                marks.pop(slug, None)  # changed at the next look, so read again
            if pending:
                logger.warning(
                    "the store lacks files of %s, which their current versions list: indexed"
                    " without what their rows hold, read again in %g s",
                    ", ".join(sorted(pending)), retry,
                )  # fmt: skip
            self._pending, self._pending_at = pending, time.monotonic()
        self.reread = changed
        self._marks = marks
        self._seen = seen

    def _update(
        self, marks: dict[str, Mark], changed: list[str], reads: duckdb.DuckDBPyConnection
    ) -> set[str]:
        """Read `changed` again and index them with what their rows hold (read on `reads`),
        named by the code lists: every dataset again when a code list is among them. The
        datasets of which a file was missing (their holdings, or a code list's names)."""
        versions = {slug: mark[0] for slug, mark in marks.items()}
        every = self._vocabulary is None or not CODE_LISTS.isdisjoint(changed)
        pending: set[str] = set()
        if every:
            try:
                self._vocabulary = read_vocabulary(self.store, versions, reads)
            except ObjectMissing:  # the names as they were, till the list's files are back
                pending.update(CODE_LISTS & marks.keys())
        packages = self._read_changed(marks, changed)
        redo = packages if every else [slug for slug in changed if slug in packages]
        pending |= self._read_holdings([(packages[slug], versions[slug]) for slug in redo], reads)
        held = {slug: h for slug, h in self._held.items() if slug in packages}
        held.update((slug, self._resolve(packages[slug], versions[slug])) for slug in redo)
        self._holdings = {
            key: holding
            for key, holding in self._holdings.items()
            if versions.get(key[0]) == key[1]
        }
        held = {slug: held[slug] for slug in packages}
        names = lexicon_names(list(packages.values()), held.values())
        vocabulary = self._vocabulary or Vocabulary()
        self._lexicon = Lexicon.of(vocabulary.synonyms, vocabulary.places, names)
        if every:
            self.load(list(packages.values()), held)
        else:
            self._replace(packages, held, changed)
        return pending

    def _read_changed(self, marks: dict[str, Mark], changed: list[str]) -> dict[str, Package]:
        """The current descriptors, by slug in order: those of `changed` read again (one
        withdrawn since it was marked is left out, and looked for again at the next change)."""
        gone = set(changed)
        packages = {slug: p for slug, p in self._raw.items() if slug not in gone}
        wanted = [(slug, v) for slug in changed if slug in marks and (v := marks[slug][0])]
        found = read_packages(self.store, wanted)
        for (slug, _version), package in zip(wanted, found, strict=True):
            if package is None:
                marks.pop(slug, None)
            else:
                packages[slug] = package
        return {slug: packages[slug] for slug in sorted(packages)}

    def _read_holdings(
        self, wanted: list[tuple[Package, str | None]], reads: duckdb.DuckDBPyConnection
    ) -> set[str]:
        """Read what the versions of `wanted` not read before hold (once each: immutable);
        the datasets of which a file was missing (nothing kept of them)."""
        held = self._holdings
        unread = [(p, v) for p, v in wanted if v is not None and (p.name, v) not in held]
        found = read_holdings(self.store, unread, reads)
        pending: set[str] = set()
        for (package, version), one in zip(unread, found, strict=True):
            if one is None:
                pending.add(package.name)
            else:
                held[(package.name, version)] = one
        return pending

    def _resolve(self, package: Package, version: str | None) -> Held:
        """What `version` of `package` holds (read by `_read_holdings`), named; nothing for
        one pending."""
        holding = self._holdings.get((package.name, version)) if version is not None else None
        if holding is None:
            return Held()
        return resolve(holding, self._vocabulary or Vocabulary())

    def _replace(
        self, packages: dict[str, Package], held: dict[str, Held], changed: list[str]
    ) -> None:
        """Swap the rows of `changed` alone (a searcher waits on the lock, never sees half)."""
        rows = [entry(packages[slug], held.get(slug)) for slug in changed if slug in packages]
        with self._lock:
            gone = set(changed)
            # Typed: an empty index's mask would otherwise be of no type, which filter refuses.
            mask = [slug not in gone for slug in self._table["slug"].to_pylist()]
            kept = self._table.filter(pa.array(mask, pa.bool_()))
            self._table = pa.concat_tables([kept, index_table(rows)])
            self._serve(packages)
            self._held = held
            self._names = Names.of(held.values())

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
            cursor.register("datasets", self._table)
            _register_drafts(cursor, drafts)
            count = cursor.execute(f"SELECT count(*) FROM ({base})", params).fetchone()
            if selection.terms:  # every result, best first: its series need them all
                every = [row[0] for row in cursor.execute(ranked, ordered).fetchall()]
                start = min(selection.offset, len(every))
                page = every[start : start + max(selection.limit, 0)]
            else:
                paged = [*ordered, bigint(selection.limit), bigint(selection.offset)]
                every = []
                rows = cursor.execute(f"{ranked} LIMIT ? OFFSET ?", paged).fetchall()
                page = [row[0] for row in rows]
            facets = {
                name: count_values(cursor, facet, base, selection)
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
        cursor.register(
            "drafts", index_table([entry(package, state="draft") for package in drafts])
        )
