"""Searches by words and facets — /api/v1/datasets, the web catalogue — compiled to a
`Selection`.

Words are looked for as substrings (Chinese needs no segmentation), each one required;
titles and keywords rank higher. Facet selections narrow: several values of a list facet
(themes, keywords, formats, years) must all hold, several values of a single-valued facet
(organization, frequency, access level) widen to any of them. DCAT's `q` and `fq` are
package_search's (`catalog.ckan.catalogue_search`), as ckanext-dcat reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import duckdb

from catalog.errors import BadRequest, InvalidParameter
from catalog.search.records import HELD_WEIGHT
from catalog.search.selection import Facet, Predicate, Selection, all_of
from catalog.search.solr import MAX_TERMS
from catalog.search.synonyms import Lexicon, any_contains, is_year

FACETS = ("theme", "organization", "keyword", "format", "frequency", "access_level")
# Facet name → the index column it counts; list columns are unnested.
FACET_COLUMNS = {
    "theme": "themes",
    "organization": "organization",
    "keyword": "keywords",
    "format": "formats",
    "frequency": "frequency",
    "access_level": "access_level",
    "year": "years",
}
LIST_COLUMNS = {"themes", "keywords", "formats", "years"}
SORTS = {
    "relevance": "score DESC, modified DESC, slug",
    "title": "title, slug",
    "title_en": "lower(title_en), slug",
    "name": "slug",
    "-modified": "modified DESC, slug",
    "modified": "modified, slug",
    "-issued": "issued DESC, slug",
}
MAX_SEARCH_LIMIT = 1000
# DuckDB's LIMIT, OFFSET and counts are BIGINT; a larger number asked for (an offset past any
# catalogue) means the same as this one, and must not reach the engine as an overflow.
BIGINT_MAX = 2**63 - 1


@dataclass(frozen=True)
class SearchQuery:
    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = ""
    limit: int = 20
    offset: int = 0
    # Only datasets whose current version was published at or after this time (harvesters).
    modified_since: datetime | None = None
    facets: tuple[str, ...] = FACETS  # the facets to count

    def selection(self, lexicon: Lexicon | None = None) -> Selection:
        """This search as SQL over the index, its words read with `lexicon`; BadRequest for a
        limit, sort or facet unknown."""
        if not 0 <= self.limit <= MAX_SEARCH_LIMIT:
            raise BadRequest(f"limit must be between 0 and {MAX_SEARCH_LIMIT}, got {self.limit}")
        if self.offset < 0:
            raise BadRequest(f"offset must not be negative, got {self.offset}")
        sort = self.sort or ("relevance" if self.q.strip() else "name")
        if sort not in SORTS:
            raise BadRequest(f"unknown sort {sort!r}; use one of {', '.join(SORTS)}")
        lexicon = lexicon or Lexicon()
        terms = query_terms(self.q, lexicon)
        found, score = words(terms, [lexicon.is_place(term) for term in terms])
        predicate = all_of([found, facet_filter(self.filters)])
        if self.modified_since is not None:
            since = Predicate("TRY_CAST(modified AS TIMESTAMPTZ) >= ?", [self.modified_since])
            predicate = all_of([predicate, since])
        return Selection(
            where=predicate.sql,
            params=predicate.params,
            score=score.sql,
            score_params=score.params,
            order_by=SORTS[sort],
            limit=self.limit,
            offset=self.offset,
            facets={name: facet(name) for name in self.facets},
            facet_limit=-1,
            terms=tuple(terms),
        )


def facet(name: str) -> Facet:
    column = FACET_COLUMNS[name]
    return Facet(column, listed=column in LIST_COLUMNS)


def query_terms(q: str, lexicon: Lexicon) -> list[tuple[str, ...]]:
    """The words of `q`, lowercased, split at place names (at most twice as many), each with
    its synonyms."""
    words = q.lower().split()
    if len(words) > MAX_TERMS:
        raise InvalidParameter("q", f"{len(words)} words; a search takes at most {MAX_TERMS}")
    return lexicon.terms(words)


def words(terms: list[tuple[str, ...]], places: list[bool]) -> tuple[Predicate, Predicate]:
    """Every word (any of its variants) somewhere in a dataset's text; the score per word:
    `HELD_WEIGHT` when the dataset's rows hold it (a year: as a period of its rows), 3 in its
    title, 2 in its keywords.

    A place name held also adds less than 1 in all, more the fewer regions the dataset
    holds: of two datasets equal otherwise, the one about that place ranks first (Guizhou's
    own indicators above the prefectures' table for `贵州城镇登记失业率`).
    """
    found = [any_contains("all_text", variants) for variants in terms]
    scores = []
    share = 1 / max(1, sum(places))
    for variants, place in zip(terms, places, strict=True):
        for expr, weight in (("held_text", HELD_WEIGHT), ("title_text", 3), ("keyword_text", 2)):
            hit = any_contains(expr, variants)
            if expr == "held_text" and is_year(variants):  # held as a period, not as a name
                hit = Predicate("list_contains(held_years, ?)", [variants[0]])
            scores.append(Predicate(f"{weight} * {hit.sql}::INT", hit.params))
        if place:
            hit = any_contains("held_text", variants)
            specific = f"{share} * {hit.sql}::INT / (2.0 + held_regions)"
            scores.append(Predicate(specific, hit.params))
    score = Predicate(
        " + ".join(p.sql for p in scores) or "0", [x for p in scores for x in p.params]
    )
    return all_of(found), score


def facet_filter(filters: dict[str, list[str]]) -> Predicate:
    """The datasets with the chosen facet values."""
    found = []
    for name, values in filters.items():
        if name not in FACET_COLUMNS:
            raise BadRequest(f"unknown filter {name!r}; use one of {', '.join(FACETS)}")
        column = FACET_COLUMNS[name]
        if column in LIST_COLUMNS:
            found.append(Predicate(f"list_has_all({column}, ?::VARCHAR[])", [values]))
        else:
            found.append(Predicate(f"list_contains(?::VARCHAR[], {column})", [values]))
    return all_of(found)


def count_values(
    cursor: duckdb.DuckDBPyConnection, facet: Facet, base: str, selection: Selection
) -> list[tuple[str, int]]:
    """(value, datasets) of one facet, most first.

    A dataset counts once per value because the list columns hold each value once
    (`records.entry`): `list_distinct` here would triple the time of a facet.
    """
    value = f"unnest({facet.expr})" if facet.listed else facet.expr
    limit = " LIMIT ?" if selection.facet_limit >= 0 else ""
    extra = [bigint(selection.facet_limit)] if limit else []
    rows = cursor.execute(
        f"SELECT value, count(*) AS n FROM (SELECT {value} AS value FROM ({base}))"
        " WHERE value IS NOT NULL AND value <> '' GROUP BY value HAVING count(*) >= ?"
        f" ORDER BY n DESC, value{limit}",
        [*selection.params, bigint(selection.facet_mincount), *extra],
    ).fetchall()
    return [(str(row[0]), int(row[1])) for row in rows]


def bigint(number: int) -> int:
    """`number` within DuckDB's BIGINT, which means the same for every count in the index."""
    return max(-BIGINT_MAX, min(number, BIGINT_MAX))
