"""CKAN 2.12's read actions over the catalogue index, with CKAN's arguments and answers.

Each action takes the request's data dict and returns the `result` CKAN would return, or
raises from the catalogue error tree with CKAN's `__type` (ckan/logic/action/get.py and
ckan/lib/search/query.py, CKAN 2.12). `package_search` compiles `q`, `fq` and `sort` from the
Solr subset (`catalog.search.solr`) to one SQL query over the index, so it answers in milliseconds
over 100,000 datasets.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from catalog.ckan import mapping as ckan
from catalog.errors import InvalidFields, InvalidSearch, NotFound
from catalog.search import CatalogueIndex, Facet, Field, Kind, Selection, catalogue_uuid, solr

CKAN_VERSION = "2.12.0"
ROWS_MAX = 1000  # ckan.search.rows_max
FACET_LIMIT = 50  # search.facets.limit
DEFAULT_SORT = "score desc, metadata_modified desc"  # ckan.search.default_package_sort
GROUP_LIST_MAX = 1000  # ckan.group_and_organization_list_max
GROUP_LIST_ALL_FIELDS_MAX = 25
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

# CKAN's Solr fields as expressions over the index columns (catalog/search/index.py COLUMNS).
SEARCH_FIELDS: dict[str, Field] = {
    "id": Field("id", Kind.STRING),
    "name": Field("slug", Kind.STRING),
    "title": Field("title_text", Kind.TEXT),
    "title_string": Field("title", Kind.STRING),
    "notes": Field("text", Kind.TEXT),
    "text": Field("text || ' ' || resource_text || ' ' || organization", Kind.TEXT),
    "tags": Field("keywords", Kind.STRINGS),
    "groups": Field("themes", Kind.STRINGS),
    "organization": Field("organization", Kind.STRING),
    "res_format": Field(RESOURCE_FORMATS, Kind.STRINGS),
    "res_name": Field("resource_text", Kind.TEXT),
    "license_id": Field("licenses[1]", Kind.STRING),
    "metadata_modified": Field("modified_at", Kind.DATE),
    "metadata_created": Field("created_at", Kind.DATE),
    "num_resources": Field("len(resource_names)", Kind.INT),
    "num_tags": Field("len(list_distinct(keywords))", Kind.INT),
    "version": Field("version", Kind.STRING),
    "capacity": Field("'public'", Kind.STRING),
    "state": Field("'active'", Kind.STRING),
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
    "license_id": "licenses[1]",
    "organization": "organization",
    "version": "version",
}
FACET_FIELDS = {
    "organization": Facet("organization"),
    "groups": Facet("themes", listed=True),
    "tags": Facet("keywords", listed=True),
    "res_format": Facet(RESOURCE_FORMATS, listed=True),
    "license_id": Facet("licenses[1]"),
    "extras_frequency": Facet("frequency"),
    "extras_access_level": Facet("access_level"),
}


@dataclass(frozen=True)
class Action:
    run: Callable[[dict[str, Any]], Any]
    doc: str


def checked(run: Callable[[dict[str, Any]], Any]) -> Callable[[dict[str, Any]], Any]:
    """`run`, refusing data holding text no UTF-8 can carry (a lone surrogate from a JSON
    `\\ud800` escape) as a Validation Error, before it reaches DuckDB or a file name."""

    def run_checked(data: dict[str, Any]) -> Any:
        bad = _unencodable(data)
        if bad is not None:
            raise InvalidFields({bad: ["Invalid text: a lone surrogate (U+D800 to U+DFFF)"]})
        return run(data)

    return run_checked


def _unencodable(data: dict[str, Any]) -> str | None:
    """The top-level key under which `data` holds text UTF-8 cannot encode, or None.

    A walk with a stack, not recursion: JSON nests as deep as the decoder allowed.
    """
    stack: list[tuple[str, Any]] = [(key, key) for key in data]
    stack += [(key, value) for key, value in data.items()]
    while stack:
        key, value = stack.pop()
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return key.encode("utf-8", "replace").decode("utf-8")
        elif isinstance(value, dict):
            stack += [(key, item) for pair in value.items() for item in pair]
        elif isinstance(value, list | tuple):
            stack += [(key, item) for item in value]
    return None


class CkanActions:
    """The read half of CKAN's Action API over one catalogue index."""

    def __init__(self, index: CatalogueIndex, *, base_url: str, site_title: str = "") -> None:
        self.index = index
        self.base_url = base_url.rstrip("/")
        self.site_title = site_title
        self.site_description = ""
        self._lock = threading.Lock()
        self._packages: dict[tuple[str, str, str], dict[str, Any]] = {}
        self._ids: tuple[int, dict[str, str], dict[str, tuple[str, int]]] | None = None
        self._units_cache: tuple[int, dict[str, Any], dict[str, Any]] | None = None
        self.actions: dict[str, Action] = {
            name: Action(checked(getattr(self, name)), (getattr(self, name).__doc__ or "").strip())
            for name in READ_ACTIONS
        }

    # --- lookups -----------------------------------------------------------------------

    def package(self, slug: str) -> dict[str, Any]:
        """The package dict of a dataset by slug, built once per published version."""
        descriptor = self.index.descriptors()[slug]
        key = (slug, str(descriptor.get("version", "")), ckan.dataset_times(descriptor)[1] or "")
        found = self._packages.get(key)
        if found is None:
            found = ckan.package_dict(descriptor, self.base_url)
            with self._lock:
                if len(self._packages) > 200_000:
                    self._packages.clear()
                self._packages[key] = found
        return found

    def _id_maps(self) -> tuple[dict[str, str], dict[str, tuple[str, int]]]:
        descriptors = self.index.descriptors()
        if self._ids is None or self._ids[0] != id(descriptors):
            datasets = {catalogue_uuid("dataset", slug): slug for slug in descriptors}
            resources = {
                catalogue_uuid("resource", f"{slug}/{resource['name']}"): (slug, position)
                for slug, descriptor in descriptors.items()
                for position, resource in enumerate(descriptor.get("resources", []))
            }
            self._ids = (id(descriptors), datasets, resources)
        return self._ids[1], self._ids[2]

    def resource_location(self, resource_id: str) -> tuple[str, str]:
        """(dataset slug, resource name) of a served resource's CKAN id; NotFound if none."""
        found = self._id_maps()[1].get(resource_id)
        if found is None:
            raise NotFound("")
        slug, position = found
        return slug, str(self.index.descriptors()[slug]["resources"][position]["name"])

    def install(self, actions: dict[str, Callable[[dict[str, Any]], Any]]) -> None:
        """Add actions served beside the read ones (the DataStore's, the write ones)."""
        for name, run in actions.items():
            self.actions[name] = Action(checked(run), (run.__doc__ or "").strip())

    def refresh(self) -> None:
        """See the store's current state now, not at the next periodic check (after a write)."""
        self.index.invalidate()

    def _slug(self, name_or_id: str) -> str:
        if name_or_id in self.index.descriptors():
            return name_or_id
        slug = self._id_maps()[0].get(name_or_id)
        if slug is None:
            raise NotFound("")
        return slug

    # --- actions -----------------------------------------------------------------------

    def status_show(self, data: dict[str, Any]) -> dict[str, Any]:
        """Return a dictionary with information about the site's configuration."""
        return {
            "site_title": self.site_title,
            "site_description": self.site_description,
            "site_url": self.base_url,
            "error_emails_to": None,
            "locale_default": "zh_Hans_CN",
            "extensions": ["datastore"],
            "ckan_version": CKAN_VERSION,
        }

    def site_read(self, data: dict[str, Any]) -> bool:
        """Return True: the site is readable (CKAN 2.9 and earlier)."""
        return True

    def package_list(self, data: dict[str, Any]) -> list[str]:
        """Return the names of the site's datasets, sorted; `limit` and `offset` page them."""
        limit, offset = _paging(data, "limit"), _paging(data, "offset")
        names = sorted(self.index.descriptors())
        start = offset or 0
        return names[start : start + limit] if limit else names[start:]

    def current_package_list_with_resources(self, data: dict[str, Any]) -> list[dict[str, Any]]:
        """Return the datasets with their resources, most recently modified first."""
        limit, offset = _paging(data, "limit"), _paging(data, "offset")
        page = _paging(data, "page", positive=True)
        if "offset" not in data and page and limit:
            offset = (page - 1) * limit
        found = self.package_search({"q": "", "rows": limit, "start": offset or 0})
        results: list[dict[str, Any]] = found["results"]
        return results

    def package_show(self, data: dict[str, Any]) -> dict[str, Any]:
        """Return the metadata of a dataset (package) and its resources, by `id` or name."""
        name_or_id = data.get("id") or data.get("name_or_id")
        if not name_or_id:
            raise InvalidFields({"name_or_id": ["Missing value"]})
        return self.package(self._slug(str(name_or_id)))

    def resource_show(self, data: dict[str, Any]) -> dict[str, Any]:
        """Return the metadata of a resource, by `id`."""
        resource_id = data.get("id")
        if not resource_id:
            raise InvalidFields({"id": ["Missing value"]})
        found = self._id_maps()[1].get(str(resource_id))
        if found is None:
            raise NotFound("")
        slug, position = found
        resource: dict[str, Any] = self.package(slug)["resources"][position]
        return resource

    def package_search(self, data: dict[str, Any]) -> dict[str, Any]:
        """Search datasets with Solr's `q`, `fq`, `sort`, `rows`, `start` and facets."""
        params = _search_params(data)
        selection = self._selection(params)
        result = self.index.select(selection)
        packages = [self.package(slug) for slug in result.slugs]
        fields = params.get("fl")
        if fields:
            packages = [{key: package.get(key) for key in fields} for package in packages]
        facets = {name: dict(values) for name, values in result.facets.items()}
        return {
            "count": result.count,
            "facets": facets,
            "results": packages,
            "sort": params["sort"],
            "search_facets": self._search_facets(result.facets),
        }

    def organization_list(self, data: dict[str, Any]) -> list[Any]:
        """Return the names (or with `all_fields` the dicts) of the publishing units."""
        return self._group_list(data, self._organizations(), "organizations")

    def organization_show(self, data: dict[str, Any]) -> dict[str, Any]:
        """Return an organization by `id` or name; `include_datasets` adds its datasets."""
        return self._group_show(data, self._organizations(), "organization")

    def group_list(self, data: dict[str, Any]) -> list[Any]:
        """Return the names (or with `all_fields` the dicts) of the groups: our themes."""
        return self._group_list(data, self._groups(), "groups")

    def group_show(self, data: dict[str, Any]) -> dict[str, Any]:
        """Return a group (a theme) by `id` or name; `include_datasets` adds its datasets."""
        return self._group_show(data, self._groups(), "groups")

    def tag_list(self, data: dict[str, Any]) -> list[Any]:
        """Return the tags (zh and en keywords); `query` keeps those containing it."""
        query = str(data.get("query") or data.get("q") or "").strip().lower()
        tags = sorted({tag for d in self.index.descriptors().values() for tag in ckan.tag_names(d)})
        if query:
            tags = [tag for tag in tags if query in tag.lower()]
        if _truthy(data.get("all_fields")):
            return [
                {
                    "display_name": tag,
                    "id": catalogue_uuid("tag", tag),
                    "name": tag,
                    "vocabulary_id": None,
                }
                for tag in tags
            ]
        return tags

    def license_list(self, data: dict[str, Any]) -> list[dict[str, str]]:
        """Return the licenses available for datasets on the site."""
        return [dict(entry) for entry in ckan.LICENSES]

    def help_show(self, data: dict[str, Any]) -> str:
        """Return the help string for an action, by `name`."""
        name = data.get("name")
        if not name:
            raise InvalidFields({"name": ["Missing value"]})
        action = self.actions.get(str(name))
        if action is None:
            raise NotFound("Action function not found")
        return action.doc

    # --- package_search ----------------------------------------------------------------

    def _selection(self, params: dict[str, Any]) -> Selection:
        filters = ["+capacity:public " + params.get("fq", "")]
        if "+state" not in filters[0]:
            filters[0] += " +state:(active)"
        filters.extend(params.get("fq_list", []))
        where: list[str] = []
        where_params: list[Any] = []
        for text in filters:
            compiled = solr.compile_query(solr.parse(text), SEARCH_FIELDS)
            where.append(compiled.sql)
            where_params.extend(compiled.params)
        q = str(params.get("q") or "").strip()
        score, score_params = "0", list[Any]()
        if q and q not in ('""', "''", "*:*"):
            if ":" in q:
                compiled = solr.compile_query(solr.parse(q), SEARCH_FIELDS)
                where.append(compiled.sql)
                where_params.extend(compiled.params)
            else:
                condition, condition_params, score, score_params = _dismax(solr.dismax(q))
                where.append(condition)
                where_params.extend(condition_params)
        fields = params.get("facet.field", []) if params.get("facet", "true") != "false" else []
        return Selection(
            where=" AND ".join(where),
            params=where_params,
            score=score,
            score_params=score_params,
            order_by=_order_by(params["sort"]),
            limit=params["rows"],
            offset=params.get("start", 0),
            facets={name: FACET_FIELDS.get(name, Facet("NULL")) for name in fields},
            facet_limit=params.get("facet.limit", FACET_LIMIT),
            facet_mincount=params.get("facet.mincount", 1),
        )

    def _search_facets(self, facets: dict[str, list[tuple[str, int]]]) -> dict[str, Any]:
        titles = {
            **{name: group["title"] for name, group in self._groups().items()},
            **{name: org["title"] for name, org in self._organizations().items()},
        }
        shown: dict[str, Any] = {}
        for field, values in facets.items():
            items: list[dict[str, Any]] = []
            for value, count in values:
                display = value
                if field in ("groups", "organization"):
                    display = titles.get(value) or value
                elif field == "license_id" and value in ckan.LICENSES_BY_ID:
                    display = ckan.LICENSES_BY_ID[value]["title"]
                items.append({"name": value, "display_name": display, "count": count})
            # CKAN sorts facet items by display name, descending, after its plugins ran.
            items.sort(key=lambda item: str(item["display_name"]), reverse=True)
            shown[field] = {"title": field, "items": items}
        return shown

    # --- organizations and groups -------------------------------------------------------

    def _organizations(self) -> dict[str, dict[str, Any]]:
        return self._units()[0]

    def _groups(self) -> dict[str, dict[str, Any]]:
        return self._units()[1]

    def _units(self) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
        """(organizations, groups) by name, each dated by its first dataset; cached."""
        descriptors = self.index.descriptors()
        if self._units_cache is not None and self._units_cache[0] == id(descriptors):
            return self._units_cache[1], self._units_cache[2]
        organizations: dict[str, dict[str, Any]] = {}
        groups: dict[str, dict[str, Any]] = {}
        for descriptor in descriptors.values():
            created = ckan.dataset_times(descriptor)[0]
            organization = descriptor.get("organization") or {}
            name = organization.get("name")
            if name and _earlier(created, organizations.get(name)):
                organizations[name] = ckan.organization_dict(organization, created)
            for theme in descriptor.get("themes", []):
                if _earlier(created, groups.get(theme)):
                    groups[theme] = ckan.theme_group(theme, created)
        self._units_cache = (id(descriptors), organizations, groups)
        return organizations, groups

    def _group_list(
        self, data: dict[str, Any], groups: dict[str, dict[str, Any]], filter_key: str
    ) -> list[Any]:
        all_fields = _truthy(data.get("all_fields"))
        cap = GROUP_LIST_ALL_FIELDS_MAX if all_fields else GROUP_LIST_MAX
        limit = _paging(data, "limit") if data.get("limit") else None
        offset = _paging(data, "offset") or 0
        limit = cap if limit is None or limit > cap else limit
        chosen = list(groups.values())
        wanted = data.get(filter_key)
        if wanted:
            names = wanted if isinstance(wanted, list) else str(wanted).split(",")
            chosen = [group for group in chosen if group["name"] in names]
        q = str(data.get("q") or "").strip().lower()
        if q:
            chosen = [g for g in chosen if q in f"{g['name']} {g['title']}".lower()]
        counts = self._counts(filter_key)
        chosen = _sorted_groups(chosen, str(data.get("sort") or "title"), counts)
        page = chosen[offset : offset + limit]
        if not all_fields:
            return [group["name"] for group in page]
        return [
            ckan.full_group_dict(group, package_count=counts.get(group["name"], 0), extras=[])
            for group in page
        ]

    def _counts(self, kind: str) -> dict[str, int]:
        field = "organization" if kind in ("organizations", "organization") else "groups"
        result = self.index.select(
            Selection(limit=0, facets={field: FACET_FIELDS[field]}, facet_limit=-1)
        )
        return dict(result.facets[field])

    def _group_show(
        self, data: dict[str, Any], groups: dict[str, dict[str, Any]], kind: str
    ) -> dict[str, Any]:
        name_or_id = data.get("id")
        if not name_or_id:
            raise InvalidFields({"id": ["Missing value"]})
        by_id = {group["id"]: group for group in groups.values()}
        group = groups.get(str(name_or_id)) or by_id.get(str(name_or_id))
        if group is None:
            raise NotFound("")
        field = "organization" if kind == "organization" else "groups"
        shown = ckan.full_group_dict(
            group, package_count=self._counts(kind).get(group["name"], 0), extras=[]
        )
        if _truthy(data.get("include_datasets")):
            found = self.package_search({"fq": f'+{field}:"{group["name"]}"', "rows": 10})
            shown["packages"] = found["results"]
        return shown


READ_ACTIONS = (
    "status_show",
    "site_read",
    "package_list",
    "current_package_list_with_resources",
    "package_show",
    "resource_show",
    "package_search",
    "organization_list",
    "organization_show",
    "group_list",
    "group_show",
    "tag_list",
    "license_list",
    "help_show",
)
# CKAN's actions that change something: a GET to them is refused as CKAN refuses it.
WRITE_ACTIONS = frozenset(
    f"{entity}_{verb}"
    for entity in ("package", "resource", "organization", "group", "datastore", "resource_view")
    for verb in ("create", "update", "patch", "delete")
) | {"datastore_upsert", "package_revise", "dataset_purge", "api_token_create"}


def _earlier(created: str | None, current: dict[str, Any] | None) -> bool:
    if current is None:
        return True
    return bool(created and created < (current["created"] or created))


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in ("true", "1", "yes", "on", "t", "y")


def _integer(value: Any, field: str) -> int | None:
    """CKAN's int_validator: None for empty, an error for anything not whole."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    try:
        return int(str(value).strip())
    except ValueError:
        raise InvalidFields({field: ["Invalid integer"]}) from None


def _paging(data: dict[str, Any], field: str, *, positive: bool = False) -> int | None:
    value = _integer(data.get(field), field)
    if value is not None and value < (1 if positive else 0):
        message = "Must be a positive integer" if positive else "Must be a natural number"
        raise InvalidFields({field: [message]})
    return value


def _search_params(data: dict[str, Any]) -> dict[str, Any]:
    """package_search's schema, then query.run's check of the remaining keys."""
    params = {
        key: value
        for key, value in data.items()
        if key not in SEARCH_ARGUMENTS and not key.startswith("ext_")
    }
    errors: dict[str, list[str]] = {}
    for field in TEXT_PARAMETERS & set(params):
        params[field] = _text(params[field])  # CKAN's unicode_safe
    if isinstance(params.get("fl"), str):
        params["fl"] = params["fl"].replace(",", " ").split()
    for field in ("fl", "fq_list"):
        if field in params:
            params[field], message = _strings(params[field])
            if message:
                errors[field] = [message]
    for field in ("rows", "start", "facet.mincount", "facet.limit"):
        if field in params:
            try:
                value = _paging(params, field) if field != "facet.limit" else None
                if field == "facet.limit":
                    value = _integer(params[field], field)
            except InvalidFields as exc:
                errors.update(exc.errors)
                continue
            if value is None:
                params.pop(field)
            else:
                params[field] = value
    if "facet.field" in params:
        fields = params["facet.field"]
        if isinstance(fields, str):
            try:
                fields = json.loads(fields)
            except ValueError:
                errors["facet.field"] = ["Could not parse as valid JSON"]
        if "facet.field" not in errors and not isinstance(fields, list):
            errors["facet.field"] = ["Not a list"]
        elif "facet.field" not in errors:
            bad = [item for item in fields if not isinstance(item, str)]
            if bad:
                errors["facet.field"] = [f"Not a string: {bad[0]}"]
        params["facet.field"] = fields
    if errors:
        raise InvalidFields(errors)
    params["rows"] = min(params.get("rows", 10), ROWS_MAX)
    if params.get("sort") in (None, "rank"):
        params["sort"] = DEFAULT_SORT
    unknown = sorted(set(params) - VALID_SOLR_PARAMETERS)
    if unknown:
        raise InvalidSearch(f"Invalid search parameters: {unknown}")
    return params


def _text(value: Any) -> str:
    """CKAN's `unicode_safe`: a string as itself, anything else as its text."""
    if isinstance(value, str):
        return value
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _strings(value: Any) -> tuple[list[str], str]:
    """A string or a list of strings as a list, or the message CKAN's `list_of_strings` gives."""
    if isinstance(value, str):
        return [value], ""
    if not isinstance(value, list):
        return [], "Not a list"
    bad = [item for item in value if not isinstance(item, str)]
    if bad:
        return [], f"Not a string: {bad[0]}"
    return value, ""


def _order_by(sort: str) -> str:
    """Solr's `sort` ("field dir, ...") as SQL; unknown fields sort as Solr's empty ones."""
    terms = []
    for part in str(sort).split(","):
        words = part.split()
        if not words:
            continue
        if len(words) != 2 or words[1].lower() not in ("asc", "desc"):
            raise InvalidSearch('Invalid "sort" parameter')
        expr = SORT_FIELDS.get(words[0])
        if expr is not None:
            terms.append(f"{expr} {words[1].upper()} NULLS LAST")
    return ", ".join(terms) or "slug"


def _dismax(query: solr.Dismax) -> tuple[str, list[Any], str, list[Any]]:
    """WHERE and score of a plain `q` over name^4 title^4 tags^2 groups^2 text."""
    text = SEARCH_FIELDS["text"].expr
    hit = f"contains({text}, ?)"
    where = [hit for _ in query.required] + [f"NOT {hit}" for _ in query.prohibited]
    params: list[Any] = [*query.required, *query.prohibited]
    if query.optional and query.minimum_match:
        where.append("(" + " + ".join(f"{hit}::INT" for _ in query.optional) + ") >= ?")
        params.extend([*query.optional, query.minimum_match])
    score_terms, score_params = [], []
    for term in (*query.required, *query.optional):
        score_terms.append(
            "4 * contains(slug, ?)::INT + 4 * contains(title_text, ?)::INT"
            " + 2 * contains(keyword_text, ?)::INT"
            " + 2 * contains(lower(array_to_string(themes, ' ')), ?)::INT"
            f" + {hit}::INT"
        )
        score_params.extend([term] * 5)
    score = " + ".join(score_terms) or "0"
    return " AND ".join(where) or "true", params, score, score_params


def _sorted_groups(
    groups: list[dict[str, Any]], sort: str, counts: dict[str, int]
) -> list[dict[str, Any]]:
    words = sort.split()
    field = words[0] if words else "title"
    if field in ("packages", "package_count"):
        field, descending = "package_count", not (len(words) > 1 and words[1] == "asc")
    else:
        descending = len(words) > 1 and words[1] == "desc"
    if field not in ("name", "title", "package_count"):
        raise InvalidFields({"sort": [f"Cannot sort by field `{field}`"]})
    if field == "package_count":
        return sorted(groups, key=lambda g: counts.get(g["name"], 0), reverse=descending)
    return sorted(groups, key=lambda g: str(g[field]), reverse=descending)
