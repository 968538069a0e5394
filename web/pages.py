"""View models of the web catalogue: what the HTML pages show, computed without any web framework.

Everything about one published version is cached by (slug, version): versions are immutable,
so a cache entry never goes stale, and a new version simply gets entries of its own. What is
cached is shared by every visitor, so it is made as nobody (`catalog.state.reading_as(None)`):
a conditional dataset's data can never reach it, whatever grant the request carried.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from catalog.errors import OpenDataError
from catalog.query import (
    FORMATS,
    AggregateRequest,
    Digest,
    ExportRequest,
    Format,
    QueryEngine,
    RowsRequest,
    encode,
)
from catalog.state import reading_as
from catalog.store import Package, Resource, Store, VersionInfo
from web.charts import YEARLY_PERIODS, Chart, build_chart, chart_resource, fields_of
from web.headline import Featured, Headline, featured, figures, national_filters
from web.rows import DataRow
from web.text import safe_link
from web.versions import ValidationSummary, VersionEntry, resource_changes, validation_summary

# `safe_link` lives in web.text; tests/catalog/test_store_names.py imports it from here.
__all__ = ["Download", "PageData", "safe_link"]

# Downloads hashed on the page only up to this many rows: hashing reads the whole export.
DIGEST_MAX_ROWS = 200_000
CHART_LIMIT = 10_000
RENDERED_MAX = 256


@dataclass(frozen=True)
class Download:
    extension: str
    url: str
    size: int | None
    sha256: str


@dataclass
class PageData:
    """The page view models of one store, with per-version caches."""

    store: Store
    engine: QueryEngine
    _cache: dict[tuple[Any, ...], Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _rendered: OrderedDict[tuple[Any, ...], str] = field(default_factory=OrderedDict)

    def rendered(self, key: tuple[Any, ...], make: Callable[[], str]) -> str:
        """A rendered page kept while it is among the most recent `RENDERED_MAX` ones."""
        with self._lock:
            if key in self._rendered:
                self._rendered.move_to_end(key)
                return self._rendered[key]
        with reading_as(None):  # kept for everyone: never made with one request's grant
            text = make()
        with self._lock:
            self._rendered[key] = text
            while len(self._rendered) > RENDERED_MAX:
                self._rendered.popitem(last=False)
        return text

    def _cached(self, key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
        if key in self._cache:
            return self._cache[key]
        with reading_as(None):  # kept for everyone: never made with one request's grant
            value = make()
        with self._lock:
            self._cache[key] = value
        return value

    # -- versions and validation --------------------------------------------------------------

    def history(self, slug: str) -> list[VersionEntry]:
        """Every version, newest first, each with what changed since the one before it."""
        # A withdrawn version's data and descriptor are gone; the page lists what is left.
        infos = [info for info in self.store.versions(slug) if not info.withdrawn]
        key = ("history", slug, tuple((i.version, i.current) for i in infos))
        result: list[VersionEntry] = self._cached(key, lambda: self._history(slug, infos))
        return result

    def _history(self, slug: str, infos: list[VersionInfo]) -> list[VersionEntry]:
        entries = []
        before: Package | None = None
        for info in infos:
            after = self.store.package(slug, info.version)
            entries.append(
                VersionEntry(
                    version=info.version,
                    published=info.published,
                    input_sha256=info.input_sha256,
                    current=info.current,
                    valid=self.validation(slug, info.version).valid,
                    changes=resource_changes(before, after),
                    first=before is None,
                )
            )
            before = after
        return list(reversed(entries))

    def validation(self, slug: str, version: str) -> ValidationSummary:
        result: ValidationSummary = self._cached(
            ("validation", slug, version), lambda: self._validation(slug, version)
        )
        return result

    def _validation(self, slug: str, version: str) -> ValidationSummary:
        try:
            report = self.store.report(slug, version)
        except (OSError, ValueError, OpenDataError):
            return ValidationSummary(valid=False, errors=0, warnings=0, tasks=[])
        return validation_summary(report)

    # -- downloads ----------------------------------------------------------------------------

    def downloads(
        self, package: Package, resource: Resource, *, computed: bool = True
    ) -> list[Download]:
        """Each download format of a resource with its size and SHA-256 where they are fixed;
        `computed=False` leaves out those that only reading the data could give."""
        slug, name, version = package.name, resource.name, package.version or ""
        base = f"/api/v1/datasets/{slug}/resources/{name}"
        found = []
        for fmt in FORMATS.values():
            size: int | None = None
            digest = ""
            stored = resource.download(fmt.extension)
            if stored is not None:  # rendered at publish: its bytes are recorded
                size, digest = stored.bytes, stored.sha256
            elif fmt.digest is Digest.STORED:
                size = resource.byte_size or resource.bytes
                digest = (resource.hash or "").removeprefix("sha256:")
            elif (
                computed
                and fmt.digest is Digest.COMPUTED
                and (resource.rows or 0) <= DIGEST_MAX_ROWS
            ):
                size, digest = self._cached(
                    ("digest", slug, version, name, fmt.extension),
                    partial(self._digest, slug, name, version, fmt),
                )
            found.append(Download(fmt.extension, f"{base}.{fmt.extension}", size, digest))
        return found

    def _digest(self, slug: str, name: str, version: str, fmt: Format) -> tuple[int, str]:
        """Size and SHA-256 of the download's bytes, as the download route encodes them."""
        selection = self.engine.select(slug, name, ExportRequest(version=version))
        hasher, size = hashlib.sha256(), 0
        for chunk in encode(self.engine, selection, fmt).chunks:
            hasher.update(chunk)
            size += len(chunk)
        return size, hasher.hexdigest()

    # -- chart --------------------------------------------------------------------------------

    def chart(self, package: Package, indicator: str, lang: str) -> Chart | None:
        """A line chart of one indicator by year (a line per region) for year × indicator data."""
        resource = chart_resource(package)
        if resource is None:
            return None
        slug, version = package.name, package.version or ""
        rows: list[DataRow] = self._cached(
            ("chart", slug, version, resource.name),
            lambda: self._chart_rows(slug, resource, version),
        )
        names = self.code_names(package, "indicators", lang)
        regions = self.code_names(package, "regions", lang)
        return build_chart(rows, indicator, names, regions, lang)

    def _chart_rows(self, slug: str, resource: Resource, version: str) -> list[Any]:
        fields = {f.name for f in fields_of(resource)}
        group = (
            ["indicator_code", "year", "unit"] if "unit" in fields else ["indicator_code", "year"]
        )
        if "region_code" in fields:
            group.insert(1, "region_code")
        filters = [("period_type__in", YEARLY_PERIODS)] if "period_type" in fields else []
        table = self.engine.aggregate(
            slug,
            resource.name,
            AggregateRequest(
                filters=filters,
                group_by=",".join(group),
                measures={"max": "value"},
                limit=CHART_LIMIT,
                version=version,
            ),
        )
        return [json.loads(row) for row in table.rows]

    def code_names(self, package: Package, resource: str, lang: str) -> dict[str, str]:
        """code → name of an embedded code list (`indicators`, `regions`), in `lang`."""
        slug, version = package.name, package.version or ""
        found = next((r for r in package.resources if r.name == resource), None)
        columns = {f.name for f in fields_of(found)}
        wanted = [c for c in ("code", "name_zh", "name_en") if c in columns]
        if "code" not in wanted or len(wanted) < 2:
            return {}
        rows: list[DataRow] = self._cached(
            ("codes", slug, version, resource),
            lambda: self._all_rows(slug, resource, version, ",".join(wanted)),
        )
        key = "name_en" if lang == "en" else "name_zh"
        return {str(r["code"]): str(r.get(key) or r.get("name_zh") or r["code"]) for r in rows}

    def _all_rows(
        self, slug: str, resource: str, version: str | None, fields: str
    ) -> list[DataRow]:
        page = self.engine.rows(
            slug, resource, RowsRequest(fields=fields, limit=10_000, version=version, total="none")
        )
        return [json.loads(row) for row in page.rows]

    # -- home page ----------------------------------------------------------------------------

    def headline(self, packages: Mapping[str, Package], lang: str) -> Headline | None:
        """The latest national figures a dataset among `packages` features, with sources."""
        offer = featured(packages)
        if offer is None:
            return None
        package = packages[offer.slug]
        key = ("headline", offer.slug, package.version or "", lang)
        found: Headline = self._cached(key, lambda: self._headline(offer, package, lang))
        return found

    def _headline(self, offer: Featured, package: Package, lang: str) -> Headline:
        title = offer.title_en if lang == "en" and offer.title_en else offer.title
        version = package.version or ""
        try:
            page = self.engine.rows(
                offer.slug,
                offer.resource,
                RowsRequest(
                    filters=national_filters(offer),
                    fields="indicator_code,year,value,unit,source_id",
                    sort="-year",
                    limit=1000,
                    total="none",
                    version=version,
                ),
            )
            names = self.code_names(package, "indicators", lang)
            sources = {
                str(r["source_id"]): r
                for r in self._all_rows(
                    offer.slug, "sources", version, "source_id,url,title_zh,title_en"
                )
            }
        except OpenDataError:
            return Headline(offer.slug, title)
        tiers = {
            str(s.id): "" if s.reliability_tier is None else str(s.reliability_tier)
            for s in package.sources
        }
        rows = [json.loads(text) for text in page.rows]
        return Headline(offer.slug, title, figures(offer, rows, names, sources, tiers, lang))
