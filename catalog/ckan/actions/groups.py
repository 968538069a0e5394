"""organization_list and group_list's arguments, read once, and the page they choose.

CKAN 2.12 (ckan/logic/action/get.py `_group_or_org_list`): `all_fields` caps the page at 25,
else at 1000 (`ckan.group_and_organization_list_max`); `organizations` / `groups` keep the
names given (a list, or text split at commas); `q` keeps names or titles containing it;
`sort` is `name`, `title` or `package_count` (`packages`), with `asc` or `desc`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from catalog.ckan.arguments import boolean, natural
from catalog.ckan.shapes import DataDict, Unit
from catalog.errors import InvalidFields

GROUP_LIST_MAX = 1000  # ckan.group_and_organization_list_max
GROUP_LIST_ALL_FIELDS_MAX = 25
SORT_FIELDS = ("name", "title", "package_count")


@dataclass(frozen=True)
class GroupListArguments:
    all_fields: bool
    limit: int
    offset: int
    names: list[object] | None  # as given: a name that is not text matches none
    q: str
    sort: str
    descending: bool

    @classmethod
    def of(cls, data: DataDict, filter_key: str) -> GroupListArguments:
        """The arguments of a list action; `filter_key` names its filter (`organizations`)."""
        all_fields = boolean(data.get("all_fields"))
        cap = GROUP_LIST_ALL_FIELDS_MAX if all_fields else GROUP_LIST_MAX
        limit = natural(data.get("limit"), "limit") if data.get("limit") else None
        offset = natural(data.get("offset"), "offset") or 0
        wanted = data.get(filter_key)
        names: list[object] | None = None
        if wanted:
            names = list(wanted) if isinstance(wanted, list) else [*str(wanted).split(",")]
        sort, descending = _sort(str(data.get("sort") or "title"))
        return cls(
            all_fields=all_fields,
            limit=cap if limit is None or limit > cap else limit,
            offset=offset,
            names=names,
            q=str(data.get("q") or "").strip().lower(),
            sort=sort,
            descending=descending,
        )

    def page(self, groups: list[Unit], counts: dict[str, int]) -> list[Unit]:
        """The groups these arguments keep, sorted, one page of them."""
        if self.names is not None:
            groups = [group for group in groups if group["name"] in self.names]
        if self.q:
            groups = [g for g in groups if self.q in f"{g['name']} {g['title']}".lower()]
        ordered = sorted(groups, key=self._key(counts), reverse=self.descending)
        return ordered[self.offset : self.offset + self.limit]

    def _key(self, counts: dict[str, int]) -> Callable[[Unit], str] | Callable[[Unit], int]:
        if self.sort == "package_count":
            return lambda group: counts.get(group["name"], 0)
        if self.sort == "name":
            return lambda group: group["name"]
        return lambda group: group["title"]


def _sort(sort: str) -> tuple[str, bool]:
    """(field, descending) of a list's `sort`; packages sort most first unless `asc`."""
    words = sort.split()
    field = words[0] if words else "title"
    if field in ("packages", "package_count"):
        return "package_count", not (len(words) > 1 and words[1] == "asc")
    if field not in SORT_FIELDS:
        raise InvalidFields({"sort": [f"Cannot sort by field `{field}`"]})
    return field, len(words) > 1 and words[1] == "desc"


def earlier(created: str | None, current: Unit | None) -> bool:
    """Whether a unit first seen at `created` is older than the one found so far."""
    if current is None:
        return True
    return bool(created and created < (current["created"] or created))
