"""CKAN 2.12's read actions over the catalogue index, with CKAN's arguments and answers.

Each action takes the request's data dict and returns the `result` CKAN would return, or
raises from the catalogue error tree with CKAN's `__type` (ckan/logic/action/get.py, CKAN
2.12). `package_search` is compiled to one SQL query over the index
(`catalog.ckan.actions.search`); arguments are read by CKAN's validators
(`catalog.ckan.arguments`).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

from catalog.ckan import mapping as ckan
from catalog.ckan.actions.action import Action
from catalog.ckan.actions.groups import GroupListArguments, earlier
from catalog.ckan.actions.search import FACET_FIELDS, search_facets, search_params, selection
from catalog.ckan.arguments import boolean, natural
from catalog.ckan.shapes import (
    CkanPackage,
    CkanResource,
    DataDict,
    GroupShown,
    GroupWithPackages,
    LicenseEntry,
    SearchResult,
    Status,
    Tag,
    Unit,
)
from catalog.errors import InvalidFields, NotAuthorized, NotFound
from catalog.search import CatalogueIndex, Selection, catalogue_uuid
from catalog.store import Package as Descriptor

CKAN_VERSION = "2.12.0"


class CkanActions:
    """The read half of CKAN's Action API over one catalogue index."""

    def __init__(self, index: CatalogueIndex, *, base_url: str, site_title: str = "") -> None:
        self.index = index
        self.base_url = base_url.rstrip("/")
        self.site_title = site_title
        self.site_description = ""
        self._lock = threading.Lock()
        self._packages: dict[tuple[str, str, str, int], CkanPackage] = {}
        self._ids: tuple[int, dict[str, str], dict[str, tuple[str, int]]] | None = None
        self._units_cache: tuple[int, dict[str, Unit], dict[str, Unit]] | None = None
        # What `help_show` knows: the served actions, installed from the table of actions.
        self.actions: dict[str, Action] = {}

    # --- lookups -----------------------------------------------------------------------

    def descriptor(self, slug: str) -> Descriptor:
        """The typed descriptor of a served dataset (KeyError if none), as the index holds it."""
        return self.index.packages()[slug]

    def package(self, slug: str) -> CkanPackage:
        """The package dict of a dataset by slug, built once per published version."""
        descriptor = self.descriptor(slug)
        names = self.index.names()
        key = (slug, descriptor.version or "", descriptor.modified(), id(names))
        found = self._packages.get(key)
        if found is None:
            found = ckan.package_dict(descriptor, self.base_url, self.region_names())
            found["organization"] = self._organization_of(found["organization"])
            with self._lock:
                if len(self._packages) > 200_000:
                    self._packages.clear()
                self._packages[key] = found
        return found

    def _organization_of(self, given: Unit | None) -> Unit | None:
        """A package's organization as organization_show has it: dated by the organization's
        first dataset (CKAN's `created` is the organization's, not the dataset's)."""
        unit = self.organizations().get(given["name"]) if given is not None else None
        return unit.copy() if unit is not None else given

    def region_names(self) -> dict[str, tuple[str, str]]:
        """code → (name_zh, name_en) of every region the served code lists name."""
        return {code: (n.name_zh, n.name_en) for code, n in self.index.names().regions.items()}

    def _id_maps(self) -> tuple[dict[str, str], dict[str, tuple[str, int]]]:
        descriptors = self.index.packages()
        if self._ids is None or self._ids[0] != id(descriptors):
            datasets = {catalogue_uuid("dataset", slug): slug for slug in descriptors}
            resources = {
                catalogue_uuid("resource", f"{slug}/{resource.name}"): (slug, position)
                for slug in descriptors
                for position, resource in enumerate(self.descriptor(slug).resources)
            }
            self._ids = (id(descriptors), datasets, resources)
        return self._ids[1], self._ids[2]

    def resource_location(self, resource_id: str) -> tuple[str, str]:
        """(dataset slug, resource name) of a served resource's CKAN id; NotFound if none."""
        found = self._id_maps()[1].get(resource_id)
        if found is None:
            raise NotFound("")
        slug, position = found
        return slug, self.descriptor(slug).resources[position].name

    def resource_ids(self) -> list[str]:
        """The CKAN ids of every served resource: the DataStore's tables."""
        return list(self._id_maps()[1])

    def install(self, actions: Mapping[str, Action]) -> None:
        """Serve `actions` (`catalog.ckan.actions.registry.served`): `help_show` knows them."""
        self.actions.update(actions)

    def refresh(self) -> None:
        """See the store's current state now, not at the next periodic check (after a write)."""
        self.index.invalidate()

    def _slug(self, name_or_id: str) -> str:
        if name_or_id in self.index.packages():
            return name_or_id
        slug = self._id_maps()[0].get(name_or_id)
        if slug is None:
            raise NotFound("")
        return slug

    # --- actions -----------------------------------------------------------------------

    def status_show(self, data: DataDict) -> Status:
        """Return a dictionary with information about the site's configuration."""
        return {
            "site_title": self.site_title,
            "site_description": self.site_description,
            "site_url": self.base_url,
            "error_emails_to": None,
            "locale_default": "zh_Hans_CN",
            # CKAN lists `ckan.plugins`: the DataStore, and ckanext-dcat's `dcat` (the RDF
            # endpoints and dcat_* actions) and `structured_data` (schema.org on the pages).
            "extensions": ["datastore", "dcat", "structured_data"],
            "ckan_version": CKAN_VERSION,
        }

    def site_read(self, data: DataDict) -> bool:
        """Return True: the site is readable (CKAN 2.9 and earlier)."""
        return True

    def package_list(self, data: DataDict) -> list[str]:
        """Return the names of the site's datasets, sorted; `limit` and `offset` page them."""
        limit, offset = natural(data.get("limit"), "limit"), natural(data.get("offset"), "offset")
        names = sorted(self.index.packages())
        start = offset or 0
        return names[start : start + limit] if limit else names[start:]

    def current_package_list_with_resources(
        self, data: DataDict
    ) -> list[CkanPackage] | list[dict[str, object]]:
        """Return the datasets with their resources, most recently modified first."""
        limit, offset = natural(data.get("limit"), "limit"), natural(data.get("offset"), "offset")
        page = natural(data.get("page"), "page", positive=True)
        if "offset" not in data and page and limit:
            offset = (page - 1) * limit
        found = self.package_search({"q": "", "rows": limit, "start": offset or 0})
        return found["results"]

    def package_show(self, data: DataDict) -> CkanPackage:
        """Return the metadata of a dataset (package) and its resources, by `id` or name."""
        key = "id" if data.get("id") else "name_or_id"
        name_or_id = data.get(key)
        if not name_or_id:
            raise InvalidFields({"name_or_id": ["Missing value"]})
        if not isinstance(name_or_id, str | int):
            # A repeated query parameter arrives as a list (CKAN's `mixed`), which CKAN 2.12
            # hands to SQLAlchemy and answers with a 500: here, the client's fault, named.
            raise InvalidFields({key: ["Must be a single name or id, not a list or an object"]})
        return self.package(self._slug(str(name_or_id)))

    def resource_show(self, data: DataDict) -> CkanResource:
        """Return the metadata of a resource, by `id`."""
        resource_id = data.get("id")
        if not resource_id:
            raise InvalidFields({"id": ["Missing value"]})
        found = self._id_maps()[1].get(str(resource_id))
        if found is None:
            raise NotFound("")
        slug, position = found
        return self.package(slug)["resources"][position]

    def package_search(
        self, data: DataDict, drafts: Mapping[str, tuple[Descriptor, CkanPackage]] | None = None
    ) -> SearchResult:
        """Search datasets with Solr's `q`, `fq`, `sort`, `rows`, `start` and facets.

        `drafts`: slug → (descriptor, package dict) of unpublished datasets the caller may
        see, searched beside the published ones (`include_drafts`)."""
        drafts = drafts or {}
        params = search_params(data)
        found = selection(params, self.index.lexicon())
        result = self.index.select(found, [package for package, _ in drafts.values()])
        packages: list[CkanPackage] | list[dict[str, object]]
        packages = [drafts[s][1] if s in drafts else self.package(s) for s in result.slugs]
        if result.matches:  # which indicators and regions a plain `q` found, as extra keys
            packages = [
                {**package, **result.matches[package["name"]].as_dict()} for package in packages
            ]
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

    def organization_list(self, data: DataDict) -> list[str] | list[GroupShown]:
        """Return the names (or with `all_fields` the dicts) of the publishing units."""
        given = GroupListArguments.of(data, "organizations")
        return self._group_list(given, self.organizations(), "organizations")

    def organization_show(self, data: DataDict) -> GroupShown | GroupWithPackages:
        """Return an organization by `id` or name; `include_datasets` adds its datasets."""
        return self._group_show(data, self.organizations(), "organization")

    def group_list(self, data: DataDict) -> list[str] | list[GroupShown]:
        """Return the names (or with `all_fields` the dicts) of the groups: our themes."""
        return self._group_list(GroupListArguments.of(data, "groups"), self._groups(), "groups")

    def group_show(self, data: DataDict) -> GroupShown | GroupWithPackages:
        """Return a group (a theme) by `id` or name; `include_datasets` adds its datasets."""
        return self._group_show(data, self._groups(), "groups")

    def tag_list(self, data: DataDict) -> list[str] | list[Tag]:
        """Return the tags (zh and en keywords); `query` keeps those containing it.

        Every tag here is a free tag: the site has no vocabularies, so a `vocabulary_id` names
        none. As in CKAN (`Tag.all`, `_tag_search`), that is NotFound, or with a `query` no
        tags (an empty one is missing)."""
        query = str(data.get("query") or data.get("q") or "").strip().lower()
        vocabulary = data.get("vocabulary_id")
        if vocabulary and not query:
            raise NotFound(f"could not find vocabulary '{vocabulary}'")
        if query and "vocabulary_id" in data:  # `_tag_search` asks for it (`get_or_bust`)
            if not vocabulary:
                raise InvalidFields({"vocabulary_id": ["Missing value"]})
            return []
        # One read of the index: a descriptor per slug would read it once per dataset.
        descriptors = self.index.packages().values()
        tags = sorted({tag for descriptor in descriptors for tag in ckan.tag_names(descriptor)})
        if query:
            tags = [tag for tag in tags if query in tag.lower()]
        if boolean(data.get("all_fields")):
            shown: list[Tag] = [
                {
                    "display_name": tag,
                    "id": catalogue_uuid("tag", tag),
                    "name": tag,
                    "vocabulary_id": None,
                }
                for tag in tags
            ]
            return shown
        return tags

    def license_list(self, data: DataDict) -> list[LicenseEntry]:
        """Return the licenses available for datasets on the site."""
        return [entry.copy() for entry in ckan.LICENSES]

    def user_list(self, data: DataDict) -> list[DataDict]:
        """Return a list of the site's user accounts (none is shown to an anonymous caller)."""
        # CKAN's default (`ckan.auth.public_user_details = false`) refuses anonymous callers
        # with an Authorization Error and no message; this site has no accounts to show.
        raise NotAuthorized("")

    def user_show(self, data: DataDict) -> DataDict:
        """Return a user account (none is shown to an anonymous caller)."""
        raise NotAuthorized("")

    def help_show(self, data: DataDict) -> str:
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
        descriptors = self.index.packages()
        if self._units_cache is not None and self._units_cache[0] == id(descriptors):
            return self._units_cache[1], self._units_cache[2]
        organizations: dict[str, Unit] = {}
        groups: dict[str, Unit] = {}
        for slug in descriptors:
            descriptor = self.descriptor(slug)
            created = ckan.dataset_times(descriptor)[0]
            organization = ckan.organization_dict(descriptor, created)
            if organization and earlier(created, organizations.get(organization["name"])):
                organizations[organization["name"]] = organization
            for theme in descriptor.themes:
                if earlier(created, groups.get(theme)):
                    groups[theme] = ckan.theme_group(theme, created)
        self._units_cache = (id(descriptors), organizations, groups)
        return organizations, groups

    def _group_list(
        self, given: GroupListArguments, groups: dict[str, Unit], filter_key: str
    ) -> list[str] | list[GroupShown]:
        counts = self._counts(filter_key)
        page = given.page(list(groups.values()), counts)
        if not given.all_fields:
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
        self, data: DataDict, groups: dict[str, Unit], kind: str
    ) -> GroupShown | GroupWithPackages:
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
            return {**shown, "packages": found["results"]}
        return shown
