"""CKAN 2.12's read actions over the catalogue index, with CKAN's arguments and answers.

Each action takes the request's data dict and returns the `result` CKAN would return, or
raises from the catalogue error tree with CKAN's `__type` (ckan/logic/action/get.py, CKAN
2.12). `package_search` is compiled to one SQL query over the index
(`catalog.ckan.actions.search`); arguments are read by CKAN's validators
(`catalog.ckan.arguments`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from catalog.ckan import mapping as ckan
from catalog.ckan.actions.registry import Action, checked
from catalog.ckan.actions.search import FACET_FIELDS, search_facets, search_params, selection
from catalog.ckan.arguments import boolean, natural
from catalog.ckan.mapping import Unit
from catalog.errors import InvalidFields, NotFound
from catalog.search import CatalogueIndex, Selection, catalogue_uuid

CKAN_VERSION = "2.12.0"
GROUP_LIST_MAX = 1000  # ckan.group_and_organization_list_max
GROUP_LIST_ALL_FIELDS_MAX = 25


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
        self._units_cache: tuple[int, dict[str, Unit], dict[str, Unit]] | None = None
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
        limit, offset = natural(data.get("limit"), "limit"), natural(data.get("offset"), "offset")
        names = sorted(self.index.descriptors())
        start = offset or 0
        return names[start : start + limit] if limit else names[start:]

    def current_package_list_with_resources(self, data: dict[str, Any]) -> list[dict[str, Any]]:
        """Return the datasets with their resources, most recently modified first."""
        limit, offset = natural(data.get("limit"), "limit"), natural(data.get("offset"), "offset")
        page = natural(data.get("page"), "page", positive=True)
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
        params = search_params(data)
        result = self.index.select(selection(params))
        packages = [self.package(slug) for slug in result.slugs]
        if params.fl:
            packages = [{key: package.get(key) for key in params.fl} for package in packages]
        facets = {name: dict(values) for name, values in result.facets.items()}
        return {
            "count": result.count,
            "facets": facets,
            "results": packages,
            "sort": params.sort,
            "search_facets": search_facets(result.facets, self._titles()),
        }

    def organization_list(self, data: dict[str, Any]) -> list[Any]:
        """Return the names (or with `all_fields` the dicts) of the publishing units."""
        return self._group_list(data, self.organizations(), "organizations")

    def organization_show(self, data: dict[str, Any]) -> dict[str, Any]:
        """Return an organization by `id` or name; `include_datasets` adds its datasets."""
        return self._group_show(data, self.organizations(), "organization")

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
        if boolean(data.get("all_fields")):
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

    # --- organizations and groups -------------------------------------------------------

    def _titles(self) -> dict[str, str]:
        """The titles of the groups and organizations by name."""
        return {
            **{name: group["title"] for name, group in self._groups().items()},
            **{name: org["title"] for name, org in self.organizations().items()},
        }

    def organizations(self) -> dict[str, Unit]:
        """The publishing units (CKAN organizations) by name."""
        return self._units()[0]

    def _groups(self) -> dict[str, Unit]:
        return self._units()[1]

    def _units(self) -> tuple[dict[str, Unit], dict[str, Unit]]:
        """(organizations, groups) by name, each dated by its first dataset; cached."""
        descriptors = self.index.descriptors()
        if self._units_cache is not None and self._units_cache[0] == id(descriptors):
            return self._units_cache[1], self._units_cache[2]
        organizations: dict[str, Unit] = {}
        groups: dict[str, Unit] = {}
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
        self, data: dict[str, Any], groups: dict[str, Unit], filter_key: str
    ) -> list[Any]:
        all_fields = boolean(data.get("all_fields"))
        cap = GROUP_LIST_ALL_FIELDS_MAX if all_fields else GROUP_LIST_MAX
        limit = natural(data.get("limit"), "limit") if data.get("limit") else None
        offset = natural(data.get("offset"), "offset") or 0
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
        self, data: dict[str, Any], groups: dict[str, Unit], kind: str
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
        if boolean(data.get("include_datasets")):
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


def _earlier(created: str | None, current: Unit | None) -> bool:
    if current is None:
        return True
    return bool(created and created < (current["created"] or created))


def _sorted_groups(groups: list[Unit], sort: str, counts: dict[str, int]) -> list[Unit]:
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
    if field == "name":
        return sorted(groups, key=lambda g: g["name"], reverse=descending)
    return sorted(groups, key=lambda g: str(g["title"]), reverse=descending)
