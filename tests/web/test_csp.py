"""The pages under their Content-Security-Policy, in Debian's headless Chromium.

Each page is opened with a listener for `securitypolicyviolation` installed before any of its
own scripts run; the test fails on any violation, on any console error, and when the page did
not do its work (the preview table filled, the chart drawn, Swagger UI listing operations), so
a policy that silently broke a page fails too.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.web.conftest import browser_missing

if (reason := browser_missing()) is not None:
    pytest.skip(reason, allow_module_level=True)

from playwright.sync_api import Browser, Page, expect

from tests.web.test_browser import DESKTOP, browser, open_page

pytestmark = pytest.mark.slow

__all__ = ["browser"]  # the module fixture, shared with the other browser tests

LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline")
    + " at " + e.sourceFile + ":" + e.lineNumber);
});
"""


@pytest.fixture
def page(browser: Browser, server: str) -> Iterator[Page]:
    opened, watch = open_page(browser, server, DESKTOP)
    opened.add_init_script(LISTEN)
    yield opened
    violations = opened.evaluate("window.__violations")
    opened.context.close()
    assert violations == [], violations
    watch.check()


def visit(page: Page, url: str) -> None:
    answer = page.goto(url)
    assert answer is not None and answer.status == 200
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
    assert answer.headers["x-content-type-options"] == "nosniff"


def test_csp_home_page_has_no_violation(page: Page, server: str) -> None:
    visit(page, server + "/")
    expect(page.get_by_label("搜索数据集")).to_be_visible()


def test_csp_search_page_has_no_violation(page: Page, server: str) -> None:
    visit(page, server + "/dataset?q=工资")
    expect(page.locator("#count")).to_contain_text("个数据集")


def test_csp_dataset_page_runs_its_script_and_draws_its_chart(page: Page, server: str) -> None:
    visit(page, server + "/dataset/national-hrss-bulletin")
    # The preview is filled by /static/app.js through the rows API.
    expect(page.locator("#pv-status")).to_contain_text("共 300 行")
    expect(page.locator("svg.chart polyline").first).to_be_attached()
    # The chart legend takes its colours from the stylesheet, not from inline style.
    colour = page.locator("figcaption .key").first.evaluate(
        "e => getComputedStyle(e, '::before').backgroundColor"
    )
    assert colour == "rgb(0, 96, 168)", colour


def test_csp_docs_start_swagger_ui_without_inline_script(page: Page, server: str) -> None:
    visit(page, server + "/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("HRSS Open Data")
    expect(page.locator(".opblock").first).to_be_visible()
