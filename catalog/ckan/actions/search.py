"""package_search: CKAN's Solr parameters over the catalogue index (ckan/lib/search/query.py).

`q`, `fq` and `sort` compile from the Solr subset (`catalog.search.solr`) to one SQL query
over the index, so a search answers in milliseconds over 100,000 datasets. A plain `q` is
scored as CKAN's dismax scores it (name^4 title^4 tags^2 groups^2 text).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from catalog.ckan import arguments
from catalog.ckan import mapping as ckan
from catalog.ckan.shapes import DataDict, FacetItem, SearchFacet
from catalog.errors import InvalidFields, InvalidSearch, SearchSyntaxError
from catalog.metadata import SPDX_TO_CKAN
from catalog.search import (
    HELD_WEIGHT,
    MAX_TERMS,
    Dismax,
    Facet,
    Field,
    Kind,
    Lexicon,
    Selection,
    any_contains,
    compile_query,
    count_terms,
    dismax,
    parse_query,
)

ROWS_MAX = 1000  # ckan.search.rows_max
# The terms of all filters of one search (`fq` and every `fq_list` item), ours included.
SEARCH_TERMS_MAX = 4 * MAX_TERMS
FACET_LIMIT = 50  # search.facets.limit
DEFAULT_SORT = "score desc, metadata_modified desc"  # ckan.search.default_package_sort
VALID_SOLR_PARAMETERS = {
    "q", "fl", "fq", "rows", "sort", "start", "wt", "qf", "bf", "boost", "facet",
    "facet.mincount", "facet.limit", "facet.field", "extras", "fq_list", "tie", "defType",
    "mm", "df",
}  # fmt: skip
# package_search parameters CKAN reads with `unicode_safe`: any value, taken as text.
TEXT_PARAMETERS = {"q", "fq", "sort", "qf", "facet", "wt", "defType", "mm", "df", "tie", "bf"}
# Arguments package_search takes off before the Solr parameters are checked.
SEARCH_ARGUMENTS = {"include_private", "include_drafts", "include_deleted", "use_default_schema"}
RESOURCE_FORMATS = "CASE WHEN len(resource_names) > 0 THEN ['CSV'] ELSE []::VARCHAR[] END"


def _license_id() -> str:
    """The index's first licence as package_show's `license_id` (`ckan.license_of`): an SPDX
    name CKAN's default register knows becomes its id there (`CC-BY-4.0` → `cc-by`), any other
    stays as written; so `fq`, the facet and the sort see the id a harvester stores."""
    pairs = SPDX_TO_CKAN.items()
    assert all("'" not in spdx + id_ for spdx, id_ in pairs)  # our constants, written as SQL
    cases = " ".join(f"WHEN '{spdx}' THEN '{id_}'" for spdx, id_ in pairs)
    return f"CASE licenses[1] {cases} ELSE licenses[1] END"


LICENSE_ID = _license_id()

# CKAN's Solr fields as expressions over the index columns (catalog/search/index.py COLUMNS).
SEARCH_FIELDS: dict[str, Field] = {
    "id": Field("id", Kind.STRING),
    "name": Field("slug", Kind.STRING),
    "title": Field("title_text", Kind.TEXT),
    "title_string": Field("title", Kind.STRING),
    "notes": Field("text", Kind.TEXT),
    # every word: descriptor, resources, organization, fields, what the rows hold
    "text": Field("all_text", Kind.TEXT),
    "tags": Field("keywords", Kind.STRINGS),
    "groups": Field("themes", Kind.STRINGS),
    "organization": Field("organization", Kind.STRING),
    "res_format": Field(RESOURCE_FORMATS, Kind.STRINGS),
    "res_name": Field("resource_text", Kind.TEXT),
    "license_id": Field(LICENSE_ID, Kind.STRING),
    "metadata_modified": Field("modified_at", Kind.DATE),
    "metadata_created": Field("created_at", Kind.DATE),
    "num_resources": Field("len(resource_names)", Kind.INT),
    "num_tags": Field("len(list_distinct(keywords))", Kind.INT),
    "version": Field("version", Kind.STRING),
    "capacity": Field("'public'", Kind.STRING),
    "state": Field("state", Kind.STRING),
    "type": Field("'dataset'", Kind.STRING),
    "dataset_type": Field("'dataset'", Kind.STRING),
    "entity_type": Field("'package'", Kind.STRING),
    "extras_frequency": Field("frequency", Kind.TEXT),
    "extras_access_level": Field("access_level", Kind.TEXT),
    "extras_issued": Field("issued", Kind.TEXT),
    "extras_title_en": Field("lower(title_en)", Kind.TEXT),
}
SORT_FIELDS = {
    "score": "score",
    "id": "id",
    "name": "slug",
    "title_string": "title",
    "title": "title",
    "metadata_modified": "modified_at",
    "metadata_created": "created_at",
    "num_resources": "len(resource_names)",
    "num_tags": "len(list_distinct(keywords))",
    "license_id": LICENSE_ID,
    "organization": "organization",
    "version": "version",
}
# The multi-valued fields of CKAN's Solr schema, besides the `res_extras_*` and `vocab_*` ones.
MULTIVALUED = frozenset({
    "tags", "groups", "permission_labels", "res_name", "res_description", "res_format",
    "res_url", "res_type", "text", "urls", "depends_on", "dependency_of", "derives_from",
    "has_derivation", "links_to", "linked_from", "child_of", "parent_of",
})  # fmt: skip
FACET_FIELDS = {
    "organization": Facet("organization"),
    "groups": Facet("themes", listed=True),
    "tags": Facet("keywords", listed=True),
    "res_format": Facet(RESOURCE_FORMATS, listed=True),
    "license_id": Facet(LICENSE_ID),
    "extras_frequency": Facet("frequency"),
    "extras_access_level": Facet("access_level"),
}


@dataclass(frozen=True)
class SearchParams:
    """package_search's Solr parameters, validated (the others CKAN takes are ignored)."""

    q: str = ""
    fq: str = ""
    fq_list: list[str] = field(default_factory=list)
    fl: list[str] = field(default_factory=list)
    rows: int = 10
    start: int = 0
    sort: str = DEFAULT_SORT
    facet: str = "true"
    facet_fields: list[str] = field(default_factory=list)
    facet_limit: int = FACET_LIMIT
    facet_mincount: int = 1


def search_params(data: DataDict) -> SearchParams:
    """package_search's schema, then query.run's check of the remaining keys."""
    params = {
        key: value
        for key, value in data.items()
        if key not in SEARCH_ARGUMENTS and not key.startswith("ext_")
    }
    errors: dict[str, list[str]] = {}
    for name in TEXT_PARAMETERS & set(params):
        params[name] = arguments.text(params[name])  # CKAN's unicode_safe
    if isinstance(params.get("fl"), str):
        params["fl"] = params["fl"].replace(",", " ").split()
    for name in ("fl", "fq_list"):
        if name in params:
            params[name], message = arguments.strings(params[name])
            if message:
                errors[name] = [message]
    _numbers(params, errors)
    if "facet.field" in params:
        params["facet.field"] = _facet_fields(params["facet.field"], errors)
    if errors:
        raise InvalidFields(errors)
    unknown = sorted(set(params) - VALID_SOLR_PARAMETERS)
    if unknown:
        raise InvalidSearch(f"Invalid search parameters: {unknown}")
    sort = params.get("sort")
    return SearchParams(
        q=params.get("q", ""),
        fq=params.get("fq", ""),
        fq_list=params.get("fq_list", []),
        fl=params.get("fl", []),
        rows=min(params.get("rows", 10), ROWS_MAX),
        start=params.get("start", 0),
        sort=DEFAULT_SORT if sort in (None, "rank") else sort,
        facet=params.get("facet", "true"),
        facet_fields=params.get("facet.field", []),
        facet_limit=params.get("facet.limit", FACET_LIMIT),
        facet_mincount=params.get("facet.mincount", 1),
    )


def _numbers(params: DataDict, errors: dict[str, list[str]]) -> None:
    """`rows`, `start` and `facet.mincount` as naturals, `facet.limit` as an integer (a
    negative one: every value); an empty one as not given."""
    for name in ("rows", "start", "facet.mincount", "facet.limit"):
        if name in params:
            try:
                read = arguments.integer if name == "facet.limit" else arguments.natural
                value = read(params[name], name)
            except InvalidFields as exc:
                errors.update(exc.errors)
                continue
            if value is None:
                params.pop(name)
            else:
                params[name] = value


def _facet_fields(fields: Any, errors: dict[str, list[str]]) -> Any:
    """`facet.field`: a list of names, or its JSON text."""
    if isinstance(fields, str):
        try:
            fields = json.loads(fields)
        except ValueError:
            errors["facet.field"] = ["Could not parse as valid JSON"]
            return fields
    if not isinstance(fields, list):
        errors["facet.field"] = ["Not a list"]
    else:
        bad = [item for item in fields if not isinstance(item, str)]
        if bad:
            errors["facet.field"] = [f"Not a string: {bad[0]}"]
    return fields


def selection(params: SearchParams, lexicon: Lexicon | None = None) -> Selection:
    """The search `params` ask for, compiled to SQL over the catalogue index; a plain `q`'s
    words read with `lexicon` (synonyms, place names).

    `fq` and each `fq_list` item are filters of their own, each of which a dataset must match
    whole, as Solr reads an `fq` parameter. CKAN instead pastes `fq` between its own
    `+capacity:public` and `+state:(active)`, where a top-level `a OR b` becomes two optional
    clauses beside required ones and filters nothing (ckan/ckanext-harvest#518): a deliberate
    departure, so that a harvester's `groups_filter_include` with several groups gathers
    exactly their datasets. Every dataset served is public and active: those filters are moot.
    """
    filters = [text for text in (params.fq, *params.fq_list) if text.strip()]
    parsed = [parse_query(text) for text in filters]
    terms = sum(count_terms(query) for query in parsed)
    if terms > SEARCH_TERMS_MAX:
        raise SearchSyntaxError(
            f"{terms} terms in fq and fq_list together; a search takes at most {SEARCH_TERMS_MAX}"
        )
    where: list[str] = []
    where_params: list[Any] = []
    for query in parsed:
        compiled = compile_query(query, SEARCH_FIELDS)
        where.append(compiled.sql)
        where_params.extend(compiled.params)
    q = params.q.strip()
    score, score_params = "0", list[Any]()
    words: list[tuple[str, ...]] = []
    if q and q not in ('""', "''", "*:*"):
        if ":" in q:
            compiled = compile_query(parse_query(q), SEARCH_FIELDS)
            where.append(compiled.sql)
            where_params.extend(compiled.params)
        else:
            words, plain = _terms(dismax(q), lexicon or Lexicon())
            condition, condition_params, score, score_params = _dismax(plain)
            where.append(condition)
            where_params.extend(condition_params)
    fields = params.facet_fields if params.facet != "false" else []
    return Selection(
        where=" AND ".join(where) or "true",
        params=where_params,
        score=score,
        score_params=score_params,
        order_by=_order_by(params.sort),
        limit=params.rows,
        offset=params.start,
        facets={name: FACET_FIELDS.get(name, Facet("NULL")) for name in fields},
        facet_limit=params.facet_limit,
        facet_mincount=params.facet_mincount,
        terms=tuple(words),
    )


def _order_by(sort: str) -> str:
    """Solr's `sort` ("field dir, ...") as SQL.

    A field of CKAN's schema that holds several values cannot be sorted by: Solr refuses it,
    and CKAN answers that as a Search Error (409). Any other name is a field of CKAN's
    schema (its catch-all dynamic `*` is a single-valued string), empty here: it sorts
    nothing, as it does there.
    """
    terms = []
    for part in str(sort).split(","):
        words = part.split()
        if not words:
            continue
        if len(words) != 2 or words[1].lower() not in ("asc", "desc"):
            raise InvalidSearch('Invalid "sort" parameter')
        if _multivalued(words[0]):
            raise SearchSyntaxError(f"can not sort on multivalued field: {words[0]}")
        expr = SORT_FIELDS.get(words[0])
        if expr is not None:
            terms.append(f"{expr} {words[1].upper()} NULLS LAST")
    return ", ".join(terms) or "slug"


def _multivalued(name: str) -> bool:
    """Whether CKAN's Solr schema (ckan/config/solr/schema.xml) makes `name` multi-valued."""
    return name in MULTIVALUED or name.startswith(("res_extras_", "vocab_"))


@dataclass(frozen=True)
class PlainQuery:
    """A plain `q`'s words, each with its variants, and how many optional ones must match."""

    required: list[tuple[str, ...]]
    optional: list[tuple[str, ...]]
    prohibited: list[tuple[str, ...]]
    minimum_match: int


def _terms(query: Dismax, lexicon: Lexicon) -> tuple[list[tuple[str, ...]], PlainQuery]:
    """The words of `query` split at place names and expanded with synonyms."""
    required = lexicon.terms(query.required)
    optional = lexicon.terms(query.optional)
    prohibited = [lexicon.variants(word) for word in query.prohibited]
    split = Dismax((), tuple(variants[0] for variants in optional), ())
    plain = PlainQuery(required, optional, prohibited, split.minimum_match)
    return [*required, *optional], plain


def _dismax(query: PlainQuery) -> tuple[str, list[Any], str, list[Any]]:
    """WHERE and score of a plain `q` over held^100 name^4 title^4 tags^2 groups^2 text."""
    text = SEARCH_FIELDS["text"].expr
    where, params = [], []
    for variants, negated in [(v, "") for v in query.required] + [
        (v, "NOT ") for v in query.prohibited
    ]:
        found = any_contains(text, variants)
        where.append(negated + found.sql)
        params.extend(found.params)
    if query.optional and query.minimum_match:
        found_each = [any_contains(text, variants) for variants in query.optional]
        where.append("(" + " + ".join(f"{f.sql}::INT" for f in found_each) + ") >= ?")
        params.extend([*(x for f in found_each for x in f.params), query.minimum_match])
    score_terms, score_params = [], []
    for variants in (*query.required, *query.optional):
        for expr, weight in SCORED:
            found = any_contains(expr.replace("TEXT", text), variants)
            score_terms.append(f"{weight} * {found.sql}::INT")
            score_params.extend(found.params)
    score = " + ".join(score_terms) or "0"
    return " AND ".join(where) or "true", params, score, score_params


# What a plain `q`'s word scores where it is found: CKAN's dismax boosts, and above them what
# the dataset's rows hold (an indicator, a region, a year).
SCORED = (
    ("held_text", HELD_WEIGHT),
    ("slug", 4),
    ("title_text", 4),
    ("keyword_text", 2),
    ("lower(array_to_string(themes, ' '))", 2),
    ("TEXT", 1),
)


def search_facets(
    facets: dict[str, list[tuple[str, int]]], titles: dict[str, str]
) -> dict[str, SearchFacet]:
    """`search_facets` as CKAN shows them: each value with its display name (the title of a
    group or organization in `titles`, a license's title) and count."""
    shown: dict[str, SearchFacet] = {}
    for name, values in facets.items():
        items: list[FacetItem] = []
        for value, count in values:
            display = value
            if name in ("groups", "organization"):
                display = titles.get(value) or value
            elif name == "license_id" and value in ckan.LICENSES_BY_ID:
                display = ckan.LICENSES_BY_ID[value]["title"]
            items.append({"name": value, "display_name": display, "count": count})
        # CKAN sorts facet items by display name, descending, after its plugins ran.
        items.sort(key=lambda item: item["display_name"], reverse=True)
        shown[name] = {"title": name, "items": items}
    return shown
