"""A catalogue search compiled to SQL, and what it finds.

Every search of the catalogue — CKAN's `q`/`fq`, the facets of /api/v1/datasets, the DCAT
pages, the web catalogue — is compiled to a `Selection` and run by
`CatalogueIndex.select`, the one place that counts, pages and facets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Predicate:
    """A SQL condition over the index columns and its parameters, in the order of its `?`s."""

    sql: str = "true"
    params: list[Any] = field(default_factory=list)


def all_of(predicates: list[Predicate]) -> Predicate:
    """True where every one of `predicates` is (true when there are none)."""
    if not predicates:
        return Predicate()
    sql = " AND ".join(f"({p.sql})" for p in predicates)
    return Predicate(sql, [param for p in predicates for param in p.params])


@dataclass(frozen=True)
class Facet:
    """A facet as a SQL expression over the index columns; `listed` when it yields a list."""

    expr: str
    listed: bool = False


@dataclass(frozen=True)
class Selection:
    """A search already expressed in SQL over the index columns (`catalog.search.records`).

    Only trusted code builds these (from a field registry, a facet table): the strings are
    SQL, the caller's values travel in `params` and `score_params`.
    """

    where: str = "true"
    params: list[Any] = field(default_factory=list)
    score: str = "0"
    score_params: list[Any] = field(default_factory=list)
    order_by: str = "slug"
    limit: int = 10
    offset: int = 0
    facets: dict[str, Facet] = field(default_factory=dict)
    facet_limit: int = 50  # negative: every value
    facet_mincount: int = 1
    # The query's words, each with its variants (`catalog.search.synonyms`): what the index
    # tells each result matched.
    terms: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class HeldCode:
    """A code a dataset holds, with its Chinese and English names."""

    code: str
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class Matched:
    """The indicators and regions of one result that the query's words found."""

    indicators: list[HeldCode] = field(default_factory=list)
    regions: list[HeldCode] = field(default_factory=list)

    def as_dict(self) -> dict[str, list[dict[str, str]]]:
        """The keys a search result carries them under (extra keys CKAN clients ignore)."""
        return {
            "matched_indicators": [vars(code).copy() for code in self.indicators],
            "matched_regions": [vars(code).copy() for code in self.regions],
        }


@dataclass(frozen=True)
class SearchResult:
    count: int
    slugs: list[str]
    facets: dict[str, list[tuple[str, int]]]
    matches: dict[str, Matched] = field(default_factory=dict)  # by slug, when a query had words
    # What the words found in every result, not only this page's: the series a search shows.
    found: Matched = field(default_factory=Matched)
