"""View models of the web catalogue: what the HTML pages show, computed without any web framework.

Everything about one published version is cached by (slug, version): versions are immutable,
so a cache entry never goes stale, and a new version simply gets entries of its own.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from html import escape
from typing import Any

from markdown_it import MarkdownIt

from catalog.errors import OpenDataError
from catalog.query import (
    AggregateRequest,
    ExportRequest,
    QueryEngine,
    RowsRequest,
    csv_chunks,
    json_chunks,
)
from catalog.search import FACET_COLUMNS, MAX_LIMIT, CatalogueIndex, SearchQuery, entry
from catalog.store import Store, is_safe_url
from web.charts import Series, compact, line_chart

# Downloads whose bytes are a function of the version alone; XLSX embeds its creation time.
DIGESTED = ("csv", "json", "ndjson")
DIGEST_MAX_ROWS = 200_000
HEADLINE_DATASET = "national-hrss-bulletin"
HEADLINE_INDICATORS = (
    "employed_persons_urban",
    "urban_new_jobs",
    "surveyed_unemployment_rate",
    "migrant_workers_total",
    "basic_pension_participants",
    "unemployment_insurance_participants",
)
YEARLY_PERIODS = "annual,year_end"
CHART_LIMIT = 10_000
RENDERED_MAX = 256
NATIONAL = "000000"
_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def markdown_html(text: str) -> str:
    """Markdown as HTML with raw HTML escaped and unsafe link schemes refused."""
    return str(_MARKDOWN.render(text or ""))


def years_covered(descriptor: dict[str, Any]) -> list[int]:
    """Every year between the descriptor's `temporal` start and end."""
    temporal = descriptor.get("temporal") or {}
    found = [_year(temporal.get("start")), _year(temporal.get("end"))]
    start, end = found[0] or found[1], found[1] or found[0]
    if start is None or end is None or end < start:
        return []
    return list(range(start, end + 1))


def _year(value: Any) -> int | None:
    match = re.match(r"\s*(\d{4})", str(value or ""))
    return int(match.group(1)) if match else None


def terms(q: str) -> list[str]:
    return [t for t in q.lower().split() if t]


def highlight(text: str, words: Iterable[str]) -> str:
    """`text` escaped, each case-insensitive occurrence of a word wrapped in `<mark>`."""
    words = sorted({w for w in words if w}, key=len, reverse=True)
    if not words:
        return escape(text)
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    out.append(escape(text[last:]))
    return "".join(out)


def snippet(text: str, words: Iterable[str], width: int = 90) -> str:
    """About `width` characters of plain `text` around the first word found (or its start)."""
    plain = re.sub(r"[*_`#>\[\]]", "", text or "")
    plain = re.sub(r"\s+", " ", plain).strip()
    lowered = plain.lower()
    hits = [i for w in words if (i := lowered.find(w)) >= 0]
    start = max(0, min(hits) - width // 3) if hits else 0
    excerpt = plain[start : start + width]
    return ("…" if start else "") + excerpt + ("…" if start + width < len(plain) else "")


def facet_values(descriptor: dict[str, Any]) -> dict[str, list[str]]:
    """The values each search facet takes for one dataset, as the catalogue index counts them."""
    columns = entry(descriptor)
    found: dict[str, list[str]] = {}
    for name, column in FACET_COLUMNS.items():
        value = columns[column]
        found[name] = [str(v) for v in value] if isinstance(value, list) else [str(value)]
    found["year"] = [str(y) for y in years_covered(descriptor)]
    return found


def count_facets(descriptors: Iterable[dict[str, Any]]) -> dict[str, list[tuple[str, int]]]:
    counters: dict[str, Counter[str]] = {}
    for descriptor in descriptors:
        for name, values in facet_values(descriptor).items():
            counters.setdefault(name, Counter()).update(v for v in set(values) if v)
    return {
        name: sorted(counter.items(), key=lambda item: (-item[1], item[0]))
        for name, counter in counters.items()
    }


SORTS = ("relevance", "-modified", "title", "name")


@dataclass(frozen=True)
class SearchPage:
    count: int
    descriptors: list[dict[str, Any]]
    facets: dict[str, list[tuple[str, int]]]
    page: int
    pages: int


def search_catalogue(
    index: CatalogueIndex,
    q: str,
    filters: dict[str, list[str]],
    years: list[str],
    sort: str,
    page: int,
    size: int,
) -> SearchPage:
    """One page of matching datasets with facet counts, years covered among the facets.

    The index answers the words and facets; the years a dataset covers come from its
    `temporal`, so that facet is counted and applied here, over at most MAX_LIMIT matches.
    """
    if sort not in SORTS or (sort == "relevance" and not q.strip()):
        sort = "relevance" if q.strip() else "name"
    result = index.search(SearchQuery(q=q, filters=filters, sort=sort, limit=MAX_LIMIT))
    everything = index.descriptors()
    found = [everything[slug] for slug in result.slugs if slug in everything]
    if years:
        wanted = set(years)
        found = [d for d in found if wanted <= {str(y) for y in years_covered(d)}]
    count = len(found) if years or result.count <= MAX_LIMIT else result.count
    pages = max(1, -(-len(found) // size))
    page = min(max(page, 1), pages)
    return SearchPage(
        count=count,
        descriptors=found[(page - 1) * size : page * size],
        facets=count_facets(found),
        page=page,
        pages=pages,
    )


@dataclass(frozen=True)
class ResourceChange:
    name: str
    rows_before: int | None
    rows_after: int | None
    fields_added: list[str]
    fields_removed: list[str]


@dataclass(frozen=True)
class VersionEntry:
    version: str
    published: str
    input_sha256: str
    current: bool
    valid: bool | None
    changes: list[ResourceChange]
    first: bool


@dataclass(frozen=True)
class ValidationSummary:
    valid: bool
    errors: int
    warnings: int
    tasks: list[tuple[str, int | None, bool]]  # (resource, rows, valid)


@dataclass(frozen=True)
class Download:
    extension: str
    url: str
    size: int | None
    sha256: str


@dataclass(frozen=True)
class Figure:
    code: str
    name: str
    year: int
    value: str
    source_title: str
    source_url: str
    tier: str


@dataclass(frozen=True)
class Chart:
    svg: str
    indicator: str
    indicators: list[tuple[str, str]]  # (code, label)
    unit: str
    series: list[Series]
    years: list[int]


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
        text = make()
        with self._lock:
            self._rendered[key] = text
            while len(self._rendered) > RENDERED_MAX:
                self._rendered.popitem(last=False)
        return text

    def _cached(self, key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
        if key in self._cache:
            return self._cache[key]
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

    def _history(self, slug: str, infos: list[Any]) -> list[VersionEntry]:
        entries = []
        before: dict[str, Any] | None = None
        for info in infos:
            after = self.store.descriptor(slug, info.version)
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
        stats = report.get("stats") or {}
        tasks = [
            (str(t.get("name", "")), (t.get("stats") or {}).get("rows"), bool(t.get("valid")))
            for t in report.get("tasks", [])
        ]
        return ValidationSummary(
            valid=bool(report.get("valid")),
            errors=int(stats.get("errors", len(report.get("errors", [])))),
            warnings=int(stats.get("warnings", len(report.get("warnings", [])))),
            tasks=tasks,
        )

    # -- downloads ----------------------------------------------------------------------------

    def downloads(self, descriptor: dict[str, Any], resource: dict[str, Any]) -> list[Download]:
        """Each download format of a resource with its size and SHA-256 where they are fixed."""
        slug, name = str(descriptor["name"]), str(resource["name"])
        version = str(descriptor.get("version", ""))
        base = f"/api/v1/datasets/{slug}/resources/{name}"
        found = []
        for extension in ("csv", "xlsx", "json", "ndjson", "parquet"):
            size: int | None = None
            digest = ""
            if extension == "parquet":
                size = resource.get("byte_size") or resource.get("bytes")
                digest = str(resource.get("hash", "")).removeprefix("sha256:")
            elif extension in DIGESTED and (resource.get("rows") or 0) <= DIGEST_MAX_ROWS:
                size, digest = self._cached(
                    ("digest", slug, version, name, extension),
                    partial(self._digest, slug, name, version, extension),
                )
            found.append(Download(extension, f"{base}.{extension}", size, digest))
        return found

    def _digest(self, slug: str, name: str, version: str, extension: str) -> tuple[int, str]:
        selection = self.engine.select(slug, name, ExportRequest(version=version))
        chunks: Iterator[bytes] = (
            csv_chunks(self.engine, selection)
            if extension == "csv"
            else json_chunks(self.engine, selection, lines=extension == "ndjson")
        )
        hasher, size = hashlib.sha256(), 0
        for chunk in chunks:
            hasher.update(chunk)
            size += len(chunk)
        return size, hasher.hexdigest()

    # -- chart --------------------------------------------------------------------------------

    def chart(self, descriptor: dict[str, Any], indicator: str, lang: str) -> Chart | None:
        """A line chart of one indicator by year (a line per region) for year × indicator data."""
        resource = chart_resource(descriptor)
        if resource is None:
            return None
        slug, version = str(descriptor["name"]), str(descriptor.get("version", ""))
        rows: list[dict[str, Any]] = self._cached(
            ("chart", slug, version, resource["name"]),
            lambda: self._chart_rows(slug, resource, version),
        )
        names = self.code_names(descriptor, "indicators", lang)
        regions = self.code_names(descriptor, "regions", lang)
        return build_chart(rows, indicator, names, regions, lang)

    def _chart_rows(self, slug: str, resource: dict[str, Any], version: str) -> list[Any]:
        fields = {f["name"] for f in resource["schema"]["fields"]}
        group = (
            ["indicator_code", "year", "unit"] if "unit" in fields else ["indicator_code", "year"]
        )
        if "region_code" in fields:
            group.insert(1, "region_code")
        filters = [("period_type__in", YEARLY_PERIODS)] if "period_type" in fields else []
        table = self.engine.aggregate(
            slug,
            str(resource["name"]),
            AggregateRequest(
                filters=filters,
                group_by=",".join(group),
                measures={"max": "value"},
                limit=CHART_LIMIT,
                version=version,
            ),
        )
        return [json.loads(row) for row in table.rows]

    def code_names(self, descriptor: dict[str, Any], resource: str, lang: str) -> dict[str, str]:
        """code → name of an embedded code list (`indicators`, `regions`), in `lang`."""
        slug, version = str(descriptor["name"]), str(descriptor.get("version", ""))
        found = [r for r in descriptor.get("resources", []) if r.get("name") == resource]
        columns = (
            {f["name"] for f in found[0].get("schema", {}).get("fields", [])} if found else set()
        )
        wanted = [c for c in ("code", "name_zh", "name_en") if c in columns]
        if "code" not in wanted or len(wanted) < 2:
            return {}
        rows: list[dict[str, Any]] = self._cached(
            ("codes", slug, version, resource),
            lambda: self._all_rows(slug, resource, version, ",".join(wanted)),
        )
        key = "name_en" if lang == "en" else "name_zh"
        return {str(r["code"]): str(r.get(key) or r.get("name_zh") or r["code"]) for r in rows}

    def _all_rows(
        self, slug: str, resource: str, version: str | None, fields: str
    ) -> list[dict[str, Any]]:
        page = self.engine.rows(
            slug, resource, RowsRequest(fields=fields, limit=10_000, version=version, total="none")
        )
        return [json.loads(row) for row in page.rows]

    # -- home page ----------------------------------------------------------------------------

    def headline(self, lang: str) -> list[Figure]:
        """The latest national figure of a few key indicators, each with its source."""
        version = self.store.current(HEADLINE_DATASET)
        if version is None:
            return []
        figures: list[Figure] = self._cached(
            ("headline", version, lang), lambda: self._headline(lang)
        )
        return figures

    def _headline(self, lang: str) -> list[Figure]:
        slug = HEADLINE_DATASET
        try:
            page = self.engine.rows(
                slug,
                "observations",
                RowsRequest(
                    filters=[
                        ("region_code", "000000"),
                        ("indicator_code__in", ",".join(HEADLINE_INDICATORS)),
                        ("period_type__in", YEARLY_PERIODS),
                    ],
                    fields="indicator_code,year,value,unit,source_id",
                    sort="-year",
                    limit=1000,
                    total="none",
                ),
            )
            descriptor = self.store.descriptor(slug)
            names = self.code_names(descriptor, "indicators", lang)
            sources = {
                str(r["source_id"]): r
                for r in self._all_rows(slug, "sources", None, "source_id,url,title_zh,title_en")
            }
        except OpenDataError:
            return []
        latest: dict[str, dict[str, Any]] = {}
        for row in (json.loads(text) for text in page.rows):
            latest.setdefault(str(row["indicator_code"]), row)
        tiers = {
            str(s.get("id")): str(s.get("reliability_tier", "")) for s in descriptor["sources"]
        }
        figures = []
        for code in HEADLINE_INDICATORS:
            row = latest.get(code)
            if row is None:
                continue
            source = sources.get(str(row["source_id"]), {})
            title = source.get("title_en" if lang == "en" else "title_zh") or row["source_id"]
            figures.append(
                Figure(
                    code=code,
                    name=names.get(code, code),
                    year=int(row["year"]),
                    value=figure_text(float(row["value"]), str(row["unit"]), lang),
                    source_title=str(title),
                    source_url=safe_link(source.get("url")),
                    tier=tiers.get(str(row["source_id"]), ""),
                )
            )
        return figures


def safe_link(value: Any) -> str:
    """`value` if a page may link to it (http(s) or mailto), else "" (shown as plain text).

    Checked again at render time: data published before links were checked on the way in
    may hold `javascript:` or `data:` URLs.
    """
    return str(value) if is_safe_url(value) else ""


def resource_changes(before: dict[str, Any] | None, after: dict[str, Any]) -> list[ResourceChange]:
    """Per resource: row counts before and after, fields added and removed."""
    old = {str(r["name"]): r for r in (before or {}).get("resources", [])}
    new = {str(r["name"]): r for r in after.get("resources", [])}
    changes = []
    for name in [*new, *(n for n in old if n not in new)]:
        was, now = old.get(name), new.get(name)
        old_fields = _field_names(was)
        new_fields = _field_names(now)
        changes.append(
            ResourceChange(
                name=name,
                rows_before=was.get("rows") if was else None,
                rows_after=now.get("rows") if now else None,
                fields_added=[f for f in new_fields if f not in old_fields] if was else [],
                fields_removed=[f for f in old_fields if f not in new_fields] if now else [],
            )
        )
    return changes


def _field_names(resource: dict[str, Any] | None) -> list[str]:
    if not resource:
        return []
    return [str(f["name"]) for f in resource.get("schema", {}).get("fields", [])]


def chart_resource(descriptor: dict[str, Any]) -> dict[str, Any] | None:
    """The first own resource with `indicator_code`, a year and a numeric `value`."""
    for resource in descriptor.get("resources", []):
        if resource.get("embedded_from") or not resource.get("rows"):
            continue
        types = {f["name"]: f.get("type") for f in resource.get("schema", {}).get("fields", [])}
        if (
            "indicator_code" in types
            and types.get("year") in ("integer", "year")
            and types.get("value") in ("number", "integer")
        ):
            return dict(resource)
    return None


def build_chart(
    rows: list[dict[str, Any]],
    indicator: str,
    names: dict[str, str],
    regions: dict[str, str],
    lang: str,
) -> Chart | None:
    """The chart of `indicator` (or the indicator with the most years) from aggregated rows."""
    by_indicator: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if row.get("max_value") is not None:
            by_indicator.setdefault(str(row["indicator_code"]), []).append(row)
    years = {code: {r["year"] for r in found} for code, found in by_indicator.items()}
    eligible = sorted((code for code in years if len(years[code]) >= 2), key=lambda c: c)
    if not eligible:
        return None
    if indicator not in eligible:
        indicator = max(eligible, key=lambda c: (len(years[c]), -eligible.index(c)))
    chosen = by_indicator[indicator]
    units = Counter(str(r.get("unit") or "") for r in chosen)
    unit = units.most_common(1)[0][0]
    lines: dict[str, dict[int, float]] = {}
    for row in chosen:
        if str(row.get("unit") or "") == unit:
            region = str(row.get("region_code") or "")
            lines.setdefault(region, {})[int(row["year"])] = float(row["max_value"])
    if len(lines) > 2:
        # The national total next to provinces flattens every provincial line against zero.
        lines.pop(NATIONAL, None)
    ranked = sorted(lines, key=lambda r: (-len(lines[r]), -max(lines[r].values()), r))[:8]
    series = [
        Series(regions.get(r, r) or names.get(indicator, indicator), sorted(lines[r].items()))
        for r in sorted(ranked)
    ]
    title = names.get(indicator, indicator)
    return Chart(
        svg=line_chart(series, title=title, unit=unit, lang=lang),
        indicator=indicator,
        indicators=[(code, names.get(code, code)) for code in eligible],
        unit=unit,
        series=series,
        years=sorted({y for s in series for y, _ in s.points}),
    )


def figure_text(value: float, unit: str, lang: str) -> str:
    """A headline number with its unit: `4.68亿人`, `5.2%`, `467.73 million persons`."""
    if unit in ("%", "ratio"):
        return f"{value:g}{'%' if unit == '%' else ''}"
    if lang == "zh":
        return f"{compact(value, 'zh')}{unit}"
    english = {"人": "persons", "元": "yuan", "人次": "person-times", "户": "households"}
    return f"{_english_number(value)} {english.get(unit, unit)}".strip()


def _english_number(value: float) -> str:
    for size, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if abs(value) >= size:
            return f"{value / size:,.2f}".rstrip("0").rstrip(".") + f" {word}"
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"


def human_size(size: int | None) -> str:
    if size is None:
        return ""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"
