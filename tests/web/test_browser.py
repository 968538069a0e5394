"""The catalogue in Debian's headless Chromium, driven by Playwright, against a real server.

Every test fails on a request to any host but the server and on any console error. The
screenshots (home, search, dataset; desktop and phone) go to `screenshots/` at the root.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx
import pytest

from tests.web.conftest import CHROMIUM, SCREENSHOTS, browser_missing

if (reason := browser_missing()) is not None:
    pytest.skip(reason, allow_module_level=True)

from playwright.sync_api import Browser, Page, expect, sync_playwright

pytestmark = pytest.mark.slow

FLAGS = [
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        # Playwright gives every launch a fresh temporary profile (--user-data-dir) and passes
        # --headless and --no-sandbox itself.
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=FLAGS
        )
        yield launched
        launched.close()


@dataclass
class Watch:
    """What a page did that it must not: reach another host, log an error."""

    origin: str
    foreign: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def check(self) -> None:
        assert self.foreign == [], f"requests to other hosts: {self.foreign}"
        assert self.errors == [], f"console errors: {self.errors}"


def open_page(
    browser: Browser, server: str, size: dict[str, int], **options: object
) -> tuple[Page, Watch]:
    context = browser.new_context(viewport=size, accept_downloads=True, **options)  # type: ignore[arg-type]
    watch = Watch(origin=urlsplit(server).netloc)

    def guard(route: object) -> None:
        request = route.request  # type: ignore[attr-defined]
        if urlsplit(request.url).netloc != watch.origin and not request.url.startswith("data:"):
            watch.foreign.append(request.url)
            route.abort()  # type: ignore[attr-defined]
        else:
            route.continue_()  # type: ignore[attr-defined]

    context.route("**/*", guard)
    page = context.new_page()
    page.on("console", lambda m: watch.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: watch.errors.append(str(e)))
    return page, watch


@pytest.fixture
def desktop(browser: Browser, server: str) -> Iterator[tuple[Page, Watch]]:
    page, watch = open_page(browser, server, DESKTOP)
    yield page, watch
    page.context.close()
    watch.check()


def test_a_cjk_font_is_installed_for_chromium() -> None:
    found = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False)
    assert found.stdout.strip(), (
        "no CJK font: Chinese renders as boxes (apt-get install fonts-noto-cjk)"
    )


def test_search_in_chinese_from_the_home_page(desktop: tuple[Page, Watch], server: str) -> None:
    page, _ = desktop
    page.goto(server + "/")
    page.get_by_label("搜索数据集").fill("最低工资")
    page.keyboard.press("Enter")
    page.wait_for_url("**/dataset?q=*")
    expect(page.locator("#count")).to_contain_text("个数据集")
    expect(page.locator("mark").first).to_have_text("最低工资")
    page.locator(".cards").get_by_role("link", name="最低工资标准", exact=False).first.click()
    page.wait_for_url("**/dataset/minimum-wage-standards")
    expect(page.locator("h1")).to_contain_text("最低工资标准")


def test_preview_table_filters_through_the_api(desktop: tuple[Page, Watch], server: str) -> None:
    page, _ = desktop
    page.goto(server + "/dataset/national-hrss-bulletin")
    status = page.locator("#pv-status")
    expect(status).to_contain_text("共 300 行")
    page.select_option("#pv-field", "indicator_code")
    page.fill("#pv-value", "urban_new_jobs")
    page.click("#preview-form button[type=submit]")
    expect(status).not_to_contain_text("共 300 行")
    expect(status).to_contain_text("第 1–")
    cells = page.locator("#pv-table-el tbody tr td:first-child").all_inner_texts()
    assert cells and set(cells) == {"urban_new_jobs"}
    expected = httpx.get(
        server + "/api/v1/datasets/national-hrss-bulletin/resources/observations/rows",
        params={"indicator_code": "urban_new_jobs", "limit": 20},
    ).json()
    expect(status).to_contain_text(f"共 {expected['total']} 行")
    assert len(cells) == len(expected["rows"])


def test_preview_pages_with_the_next_cursor(desktop: tuple[Page, Watch], server: str) -> None:
    page, _ = desktop
    page.goto(server + "/dataset/national-hrss-bulletin")
    status = page.locator("#pv-status")
    expect(status).to_contain_text("第 1–20 行")
    page.click("#pv-next")
    expect(status).to_contain_text("第 21–40 行")
    page.click("#pv-prev")
    expect(status).to_contain_text("第 1–20 行")


def test_language_switch_persists_across_pages(desktop: tuple[Page, Watch], server: str) -> None:
    page, _ = desktop
    page.goto(server + "/dataset/region-codes")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    page.get_by_role("link", name="English").click()
    page.wait_for_url("**lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.locator("h1")).to_have_text("Region codes used by the HRSS datasets")
    page.goto(server + "/")
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.get_by_role("heading", name="Themes")).to_be_visible()


def test_csv_download_has_the_bytes_of_the_api(desktop: tuple[Page, Watch], server: str) -> None:
    page, _ = desktop
    page.goto(server + "/dataset/region-codes")
    link = page.locator('a[download][data-format="csv"]').first
    with page.expect_download() as info:
        link.click()
    download = info.value
    with open(download.path(), "rb") as saved:
        body = saved.read()
    href = link.get_attribute("href")
    assert href is not None
    assert body == httpx.get(server + href).content
    assert link.get_attribute("data-sha256")
    assert len(body) == int(link.get_attribute("data-bytes") or 0)


def test_keyboard_reaches_the_search_box_first(desktop: tuple[Page, Watch], server: str) -> None:
    page, _ = desktop
    page.goto(server + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.id || document.activeElement.textContent")
    assert focused


@pytest.mark.parametrize(("name", "size"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_screenshots_of_home_search_and_dataset(
    browser: Browser, server: str, name: str, size: dict[str, int]
) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    options = (
        {"is_mobile": True, "has_touch": True, "device_scale_factor": 2} if name == "phone" else {}
    )
    page, watch = open_page(browser, server, size, **options)
    for shot, path in (
        ("home", "/"),
        ("search", "/dataset?q=养老"),
        ("dataset", "/dataset/national-hrss-bulletin"),
    ):
        page.goto(server + path)
        if shot == "dataset":
            expect(page.locator("#pv-status")).to_contain_text("共 300 行")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= size["width"], f"{shot} scrolls sideways on {name}: {width}px"
        page.screenshot(path=str(SCREENSHOTS / f"{shot}-{name}.png"), full_page=True)
    page.context.close()
    watch.check()
