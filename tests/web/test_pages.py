"""The HTML pages in-process: status, language, title, metadata, weight, over the real datasets."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest

from api import create_app
from catalog.settings import Settings
from tests.servers import store_location

pytestmark = pytest.mark.anyio

MAX_PAGE_BYTES = 200_000
PAGES = [
    "/",
    "/dataset",
    "/dataset?q=养老",
    "/dataset/national-hrss-bulletin",
    "/dataset/minimum-wage-standards",
    "/dataset/provincial-social-insurance-yearbook",
    "/dataset/region-codes",
    "/organization/guizhou-hrss",
    "/group/social-insurance",
    "/api",
]
HTML = {"Accept": "text/html"}


class Page(HTMLParser):
    """The parts of a page the tests look at: tags with attributes, scripts' text, titles."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[tuple[dict[str, str], str]] = []
        self.title = ""
        self._in: str | None = None
        self._attrs: dict[str, str] = {}
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        self.tags.append((tag, found))
        if tag in ("script", "title"):
            self._in, self._attrs = tag, found
            if tag == "script":
                self.scripts.append((found, ""))

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "title":
            self.title += data
        elif self._in == "script":
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def find(self, tag: str, **wanted: str) -> list[dict[str, str]]:
        return [
            attrs
            for name, attrs in self.tags
            if name == tag and all(attrs.get(k.replace("_", "-")) == v for k, v in wanted.items())
        ]

    def jsonld(self) -> list[Any]:
        return [json.loads(t) for a, t in self.scripts if a.get("type") == "application/ld+json"]


async def page(web: httpx.AsyncClient, path: str, **headers: str) -> tuple[httpx.Response, Page]:
    response = await web.get(path, headers={**HTML, **headers})
    return response, Page(response.text)


@pytest.mark.parametrize("path", PAGES)
async def test_page_is_chinese_by_default_with_a_title(web: httpx.AsyncClient, path: str) -> None:
    response, parsed = await page(web, path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert parsed.find("html")[0]["lang"] == "zh-CN"
    assert "人力资源和社会保障开放数据目录" in parsed.title
    assert parsed.find("meta", name="viewport")
    assert parsed.find("meta", property="og:title")
    assert parsed.find("link", rel="canonical")


@pytest.mark.parametrize("path", PAGES)
async def test_page_weighs_less_than_200_kb(web: httpx.AsyncClient, path: str) -> None:
    response, parsed = await page(web, path)
    static = [a["href"] for a in parsed.find("link", rel="stylesheet")]
    static += [a["src"] for a in parsed.find("script") if a.get("src")]
    total = len(response.content)
    for url in static:
        total += len((await web.get(url)).content)
    assert total < MAX_PAGE_BYTES


@pytest.mark.parametrize("path", PAGES)
async def test_page_loads_nothing_from_another_host(web: httpx.AsyncClient, path: str) -> None:
    _, parsed = await page(web, path)
    loaded = [a.get("src", "") for t, a in parsed.tags if t in ("script", "img", "iframe")]
    loaded += [a["href"] for a in parsed.find("link", rel="stylesheet")]
    loaded += [a["href"] for a in parsed.find("link", rel="icon")]
    assert loaded
    assert all(not re.match(r"^(https?:)?//", url) for url in loaded), loaded


async def test_english_is_asked_by_query_and_remembered_in_a_cookie(
    web: httpx.AsyncClient,
) -> None:
    response, parsed = await page(web, "/dataset/national-hrss-bulletin?lang=en")
    assert parsed.find("html")[0]["lang"] == "en"
    assert "National HRSS statistical bulletin" in parsed.title
    assert "lang=en" in response.headers["set-cookie"]
    assert web.cookies.get("lang") == "en"
    _, later = await page(web, "/")
    assert later.find("html")[0]["lang"] == "en"
    _, back = await page(web, "/?lang=zh")
    assert back.find("html")[0]["lang"] == "zh-CN"


async def test_language_switch_links_to_the_same_page_in_the_other_language(
    web: httpx.AsyncClient,
) -> None:
    _, parsed = await page(web, "/dataset?q=工资&theme=wages")
    switch = [a for a in parsed.find("a") if a.get("data-lang") == "en"]
    assert switch[0]["href"].startswith("/dataset?")
    assert "lang=en" in switch[0]["href"] and "theme=wages" in switch[0]["href"]


async def test_dataset_page_embeds_schema_org_dataset(web: httpx.AsyncClient) -> None:
    _, parsed = await page(web, "/dataset/national-hrss-bulletin")
    (document,) = parsed.jsonld()
    assert document["@type"] == "Dataset"
    assert document["identifier"] == "national-hrss-bulletin"
    assert document["url"].endswith("/dataset/national-hrss-bulletin")
    assert document["distribution"]


async def test_dataset_page_links_its_dcat_serialisations(web: httpx.AsyncClient) -> None:
    _, parsed = await page(web, "/dataset/region-codes")
    alternates = {a["type"]: a["href"] for a in parsed.find("link", rel="alternate") if "type" in a}
    assert alternates["text/turtle"].endswith("/dataset/region-codes.ttl")
    assert alternates["application/ld+json"].endswith("/dataset/region-codes.jsonld")
    assert alternates["application/rdf+xml"].endswith("/dataset/region-codes.rdf")
    turtle = await web.get("/dataset/region-codes.ttl")
    assert turtle.status_code == 200
    assert turtle.headers["content-type"].startswith("text/turtle")


async def test_dataset_page_has_open_graph_tags(web: httpx.AsyncClient) -> None:
    _, parsed = await page(web, "/dataset/minimum-wage-standards")
    og = {a["property"]: a["content"] for a in parsed.find("meta") if "property" in a}
    assert og["og:title"].startswith("最低工资标准")
    assert og["og:url"].endswith("/dataset/minimum-wage-standards")
    assert og["og:locale"] == "zh_CN"
    assert og["og:description"]


async def test_dataset_page_shows_every_part_a_researcher_needs(web: httpx.AsyncClient) -> None:
    response, parsed = await page(web, "/dataset/national-hrss-bulletin")
    text = response.text
    for section in ("metadata", "preview", "chart", "downloads", "dictionary", "validation"):
        assert parsed.find("section", id=section), section
    for section in ("versions", "cite", "api"):
        assert parsed.find("section", id=section), section
    assert "<svg" in text and "employed_persons_urban" in text
    assert "[DS/OL]" in text and "[Data set]" in text
    assert "from ckanapi import RemoteCKAN" in text and "read_parquet(" in text
    assert "import httpx" in text and "curl -s" in text
    assert "通过校验" in text
    assert "S019" in text and 'class="tier tier-A"' in text
    assert "indicator_code" in text and "指标代码" in text


async def test_dataset_page_description_is_safe_markdown(web: httpx.AsyncClient) -> None:
    response, _ = await page(web, "/dataset/national-hrss-bulletin")
    assert "<strong>整理方法</strong>" in response.text
    assert "<li>" in response.text


async def test_download_sizes_and_digests_match_the_downloads(web: httpx.AsyncClient) -> None:
    _, parsed = await page(web, "/dataset/region-codes")
    prefix = "/api/v1/datasets/region-codes/resources/regions."
    links = [a for a in parsed.find("a") if "download" in a and a["href"].startswith(prefix)]
    shown = {a["data-format"]: a for a in links}  # the regions resource's (not the aliases')
    assert set(shown) == {"csv", "xlsx", "json", "ndjson", "parquet"}
    # The XLSX too: rendered at publish, its bytes are recorded.
    for ext in ("csv", "json", "ndjson", "parquet", "xlsx"):
        body = (await web.get(shown[ext]["href"])).content
        assert len(body) == int(shown[ext]["data-bytes"]), ext
        assert hashlib.sha256(body).hexdigest() == shown[ext]["data-sha256"], ext


async def test_chart_follows_the_chosen_indicator(web: httpx.AsyncClient) -> None:
    response, parsed = await page(web, "/dataset/national-hrss-bulletin?chart=urban_new_jobs")
    selected = [a for a in parsed.find("option") if "selected" in a]
    assert {"value": "urban_new_jobs", "selected": ""} in selected
    assert "<polyline" in response.text


async def test_search_finds_chinese_words_without_spaces(web: httpx.AsyncClient) -> None:
    response, parsed = await page(web, "/dataset?q=最低工资&sort=relevance")
    cards = [a["href"] for a in parsed.find("a") if a.get("href", "").startswith("/dataset/")]
    assert cards[0] == "/dataset/minimum-wage-standards"
    assert parsed.find("a", href="/dataset/minimum-wage-standards")
    assert "<mark>最低工资</mark>" in response.text


@pytest.mark.parametrize(("lang", "holds"), [("zh", "数据中含："), ("en", "Holds: ")])
async def test_search_results_say_what_each_dataset_holds(
    web: httpx.AsyncClient, lang: str, holds: str
) -> None:
    response, _ = await page(web, f"/dataset?q=贵阳&lang={lang}")
    text = " ".join(re.sub(r"<[^>]+>", "", response.text).split())
    assert f"{holds}{'贵阳市' if lang == 'zh' else 'Guiyang'}" in text


async def test_search_facets_narrow_and_count(web: httpx.AsyncClient) -> None:
    response, _ = await page(web, "/dataset?theme=reference-data")
    assert "共 3 个数据集" in response.text
    response, _ = await page(web, "/dataset?year=2010")
    assert "共 " in response.text
    assert "provincial-social-insurance-yearbook" in response.text
    assert "guizhou-hrss-disclosure-2018" not in response.text.split("results")[1]
    for facet in ("theme", "organization", "keyword", "format", "frequency", "access_level"):
        assert f"?{facet}=" in response.text or f"&amp;{facet}=" in response.text, facet


async def test_search_pages_and_sorts(web: httpx.AsyncClient) -> None:
    response, parsed = await page(web, "/dataset?size=4&sort=-modified")
    assert parsed.find("a", rel="next")
    assert "第 1 / 4 页" in response.text  # 13 datasets
    _, parsed = await page(web, "/dataset?size=4&sort=-modified&page=4")
    assert parsed.find("a", rel="prev")
    assert len([a for a in parsed.find("li") if a.get("class") == "card"]) == 1


async def test_home_shows_themes_recent_and_sourced_national_figures(
    web: httpx.AsyncClient,
) -> None:
    response, parsed = await page(web, "/")
    assert parsed.find("a", href="/group/social-insurance")
    assert "城镇就业人员" in response.text or "城镇就业" in response.text
    assert "亿人" in response.text
    assert "来源" in response.text and "http://" in response.text
    assert parsed.find("form", role="search")


async def test_organization_and_theme_pages_list_their_datasets(web: httpx.AsyncClient) -> None:
    response, _ = await page(web, "/organization/guizhou-hrss")
    assert "贵州省人力资源和社会保障厅" in response.text
    assert "national-hrss-bulletin" in response.text
    response, _ = await page(web, "/group/reference-data")
    assert "基础代码" in response.text and "region-codes" in response.text
    assert (await web.get("/group/no-such-theme", headers=HTML)).status_code == 404
    assert (await web.get("/organization/nobody", headers=HTML)).status_code == 404


async def test_unknown_dataset_is_an_html_404(web: httpx.AsyncClient) -> None:
    response, parsed = await page(web, "/dataset/no-such-dataset")
    assert response.status_code == 404
    assert parsed.find("html")[0]["lang"] == "zh-CN"


async def test_api_page_for_browsers_and_ckan_root_for_clients(web: httpx.AsyncClient) -> None:
    _, parsed = await page(web, "/api")
    assert parsed.find("a", href="/docs")
    assert parsed.find("a", href="/catalog.ttl")
    assert parsed.find("a", href="/api/3/action/package_list")
    client = await web.get("/api", headers={"Accept": "*/*"})
    assert client.json() == {"version": 1}


async def test_sitemap_lists_every_dataset(web: httpx.AsyncClient) -> None:
    response = await web.get("/sitemap.xml")
    assert response.headers["content-type"].startswith("application/xml")
    for slug in ("national-hrss-bulletin", "region-codes", "hrss-sources"):
        assert f"/dataset/{slug}</loc>" in response.text
    assert "<lastmod>" in response.text


async def test_robots_names_the_sitemap(web: httpx.AsyncClient) -> None:
    response = await web.get("/robots.txt")
    assert response.headers["content-type"].startswith("text/plain")
    assert "Sitemap: http://127.0.0.1:8000/sitemap.xml" in response.text


async def test_pages_report_their_render_time(web: httpx.AsyncClient) -> None:
    response = await web.get("/dataset/national-hrss-bulletin", headers=HTML)
    assert re.fullmatch(r"render;dur=\d+\.\d", response.headers["server-timing"])


async def test_version_history_says_what_changed(history_store: Path) -> None:
    app = create_app(Settings(store=store_location(history_store), datasets=history_store / "none"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as web:
        response, _ = await page(web, "/dataset/wages-test")
    assert response.status_code == 200
    assert "3 → 4 行 (+1)" in response.text
    assert "首个版本" in response.text
    assert "当前版本" in response.text


async def test_a_property_the_descriptor_leaves_out_shows_as_nothing(
    history_store: Path,
) -> None:
    """The pages read the descriptor model, where a property left out (here the fields'
    English titles, units and descriptions) is None: it must not read "None"."""
    app = create_app(Settings(store=store_location(history_store), datasets=history_store / "none"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as web:
        for path in ("/dataset/wages-test", "/", "/dataset?q=wages"):
            response, _ = await page(web, path)
            assert response.status_code == 200, path
            assert "None" not in response.text, path


async def test_citation_names_today_as_the_access_date(web: httpx.AsyncClient) -> None:
    response, _ = await page(web, "/dataset/region-codes")
    assert f"[{date.today().isoformat()}]" in response.text
