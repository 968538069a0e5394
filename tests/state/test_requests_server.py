"""Data requests end to end against a real server, with the state in SQLite and in PostgreSQL:
a request filed through the web form in headless Chromium, approved by `opendata requests
approve`, its token collected once from the receipt page by a POST (a GET takes nothing);
denied with a legal ground; overdue; the review page's login, scope, CSRF; bad input, huge
bodies and the daily limit refused."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import yaml

from catalog.state import Limits, RequestStore, open_state, read_application
from catalog.store import FolderStore, ManualClock, Publisher
from tests.conftest import write_regions, write_wages
from tests.servers import OPENDATA, serving, state_of
from tests.state.conftest import new_database
from tests.web.conftest import CHROMIUM, browser_missing

pytestmark = pytest.mark.slow
PER_CLIENT = 8
PURPOSE = "研究贵州各市州工资水平的差异，用于学术论文。"


@dataclass(frozen=True)
class Site:
    url: str
    database: str
    env: dict[str, str]

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [OPENDATA, *args], capture_output=True, text=True, timeout=120,
            env={**os.environ, **self.env},
        )  # fmt: skip

    def audit(self) -> list[tuple[str, str, str]]:
        state = open_state(self.database)
        try:
            return [(e.action, e.outcome, e.detail) for e in state.audit.read()]
        finally:
            state.close()

    def file(self, email: str, **changes: object) -> httpx.Response:
        body = {"name": "王", "email": email, "purpose": PURPOSE, "fields": ["year"],
                "period_start": "2020", "period_end": "2021", "agree": True, **changes}  # fmt: skip
        return httpx.post(f"{self.url}/api/v1/datasets/wages-test/requests", json=body)


def conditional_wages(datasets: Path) -> None:
    folder = write_wages(datasets)
    descriptor = yaml.safe_load((folder / "datapackage.yaml").read_text(encoding="utf-8"))
    descriptor["access_level"] = "conditional"
    descriptor["register"] = {"open_conditions": "仅限学术研究使用，不得转让。"}
    text = yaml.safe_dump(descriptor, allow_unicode=True, sort_keys=False)
    (folder / "datapackage.yaml").write_text(text, encoding="utf-8")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("requests")
    write_regions(root / "datasets")
    conditional_wages(root / "datasets")
    publisher = Publisher(FolderStore(root / "store"), root / "datasets")
    for source in publisher.plan(list(publisher.sources().values())):
        publisher.build(source)
    database = new_database(request, state_of(root / "store"))
    env = {
        "OPENDATA_DATASETS": str(root / "datasets"),
        "OPENDATA_STORE": str(root / "store"),
        "OPENDATA_STATE": str(state_of(root / "store")),
        "OPENDATA_DATABASE_URL": database,
        "OPENDATA_REQUEST_MAX_PER_CLIENT_PER_DAY": str(PER_CLIENT),
    }
    with serving(root / "store", env=env) as running:
        yield Site(running.url, database, env)


def test_request_filed_in_chromium_approved_by_cli_token_shown_once(site: Site) -> None:
    if (reason := browser_missing()) is not None:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        page = browser.new_page()
        page.goto(f"{site.url}/dataset/wages-test")
        page.click("#apply-link")  # the dataset's page links to the form
        page.wait_for_url(f"{site.url}/dataset/wages-test/apply")
        assert "仅限学术研究使用" in page.inner_text("p.conditions")
        page.fill("#f-name", "张研究")
        page.fill("#f-email", "zhang@")
        page.fill("#f-purpose", PURPOSE)
        page.check("input[name=fields][value=avg_wage]")
        page.fill("#f-period_start", "2020")
        page.fill("#f-period_end", "2022")
        page.click("button[type=submit]")  # not agreed, a bad email: shown beside the fields
        assert page.inner_text("#e-email").startswith("不是有效的电子邮箱")  # the page's tongue
        assert "勾选同意" in page.inner_text("#e-agree")
        assert page.input_value("#f-purpose") == PURPOSE  # nothing typed is lost
        assert page.is_checked("input[name=fields][value=avg_wage]")
        page.fill("#f-email", "zhang@example.edu.cn")
        page.check("#f-agree")
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r".*/requests/[A-Za-z0-9_-]{32}\?new=1"))
        assert page.get_attribute("#request-state", "data-state") == "received"
        receipt = page.url.split("/requests/")[1].split("?")[0]
        approved = site.cli("requests", "approve", receipt, "--expires", "30d")
        assert approved.returncode == 0, approved.stderr
        token = approved.stdout.strip()
        assert token.startswith("odt_") and "shown only now" in approved.stderr
        preview = httpx.get(f"{site.url}/requests/{receipt}")  # a chat app's link preview
        assert token not in preview.text and 'id="collect-token"' in preview.text
        assert preview.headers["cache-control"] == "no-store"
        page.goto(f"{site.url}/requests/{receipt}")
        page.click("#collect-token button[type=submit]")  # the applicant's click
        assert page.inner_text("#issued-token") == token
        page.goto(f"{site.url}/requests/{receipt}")  # looked at again: the token is gone
        assert page.locator("#issued-token").count() == 0
        browser.close()
    policy = httpx.get(f"{site.url}/dataset/wages-test/apply").headers["content-security-policy"]
    assert "form-action 'self'" in policy and "script-src 'self'" in policy
    second = httpx.post(f"{site.url}/requests/{receipt}/token")
    assert token not in second.text and token.split("_")[1] in second.text
    status = httpx.get(f"{site.url}/api/v1/requests/{receipt}").json()
    assert status["state"] == "approved" and "value" not in status["token"]
    assert status["token"]["waiting"] is False
    assert status["token"]["scope"] == "read-dataset:wages-test"
    state = open_state(site.database)
    try:
        granted = state.tokens.check(token)
        assert granted is not None and granted.may_read("wages-test") and not granted.may_review()
    finally:
        state.close()
    actions = [(a, o) for a, o, _ in site.audit()]
    for step in ("request received", "request approve", "token create"):
        assert (step, "ok") in actions


def test_request_by_api_denied_by_cli_with_its_ground(site: Site) -> None:
    filed = site.file("deny@example.org")
    assert filed.status_code == 201 and filed.headers["location"] == filed.json()["status_url"]
    receipt = filed.json()["receipt"]
    refused = site.cli("requests", "deny", receipt, "--reason", "because")
    assert refused.returncode == 1 and "state-secret" in refused.stderr
    denied = site.cli(
        "requests", "deny", receipt, "--reason", "purpose-not-lawful", "--note", "用途不明"
    )
    assert denied.returncode == 0, denied.stderr
    status = httpx.get(filed.json()["status_url"]).json()
    assert (status["state"], status["denial"]["ground"]) == ("denied", "purpose-not-lawful")
    assert status["denial"]["note"] == "用途不明" and status["decided_at"]
    page = httpx.get(f"{site.url}/requests/{receipt}?lang=en").text
    assert 'data-ground="purpose-not-lawful"' in page and "用途不明" in page
    again = site.cli("requests", "approve", receipt)
    assert again.returncode == 1 and "denied already" in again.stderr


def test_overdue_in_the_json_the_cli_and_first_on_the_review_page(site: Site) -> None:
    month_ago = ManualClock(datetime.now(UTC) - timedelta(days=40))
    state = open_state(site.database)
    try:
        store = RequestStore(state.database, month_ago)
        raw = {"name": "迟", "email": "late@example.org", "purpose": PURPOSE, "fields": ["year"],
               "period_start": "2020", "period_end": "2020", "agree": True}  # fmt: skip
        late, receipt = store.file("wages-test", read_application(raw, ["year"]), "x", Limits())
        _, reviewer = state.tokens.create("reviewer", ["review-requests"])
    finally:
        state.close()
    assert httpx.get(f"{site.url}/api/v1/requests/{receipt}").json()["overdue"] is True
    listed = site.cli("requests", "list", "--overdue")
    assert listed.stdout.splitlines()[0].startswith(f"{late.id}  wages-test  received  OVERDUE")
    with httpx.Client(base_url=site.url) as browser:
        browser.post("/review/login", data={"token": reviewer})
        page = browser.get("/review").text
    first = re.search(r'<article class="request-review" id="request-([0-9a-f]{12})"', page)
    assert first is not None and first.group(1) == late.id
    assert 'data-overdue="true"' in page


def test_review_page_login_scope_cookie_and_csrf(site: Site) -> None:
    state = open_state(site.database)
    try:
        _, reader = state.tokens.create("reader only", ["read-dataset:wages-test"])
        _, reviewer = state.tokens.create("reviewer", ["review-requests"])
    finally:
        state.close()
    filed = site.file("review@example.org").json()
    with httpx.Client(base_url=site.url) as browser:
        refused = browser.post("/review/login", data={"token": reader})
        assert refused.status_code == 403 and 'id="login-refused"' in refused.text
        assert "opendata_review" not in browser.cookies
        assert browser.get("/review").text.count("request-review") == 0  # still the login form
        logged = browser.post("/review/login", data={"token": reviewer})
        assert logged.status_code == 303
        cookie = logged.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "path=/review" in cookie
        page = browser.get("/review").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', page)
        assert csrf is not None
        ident = filed["request"]["id"]
        forged = browser.post(f"/review/{ident}/approve", data={"csrf": "guess", "days": "7"})
        assert forged.status_code == 403
        foreign = browser.post(
            f"/review/{ident}/approve", data={"csrf": csrf.group(1), "days": "7"},
            headers={"Origin": "https://evil.example"},
        )  # fmt: skip
        assert foreign.status_code == 403
        assert httpx.get(filed["status_url"]).json()["state"] == "received"
        done = browser.post(f"/review/{ident}/approve", data={"csrf": csrf.group(1), "days": "7"})
        assert done.status_code == 200  # the page itself, with the token shown once
        shown = re.search(r'<code id="issued-token">(odt_[^<]+)</code>', done.text)
        assert shown is not None
        assert httpx.get(filed["status_url"]).json()["token"]["waiting"] is True
        status = httpx.post(filed["status_url"] + "/token").json()
        assert status["state"] == "approved" and status["token"]["value"] == shown.group(1)
        browser.post("/review/logout", data={"csrf": csrf.group(1)})
        assert (
            browser.post(f"/review/{ident}/deny", data={"csrf": csrf.group(1)}).status_code == 403
        )
    refusals = [d for a, o, d in site.audit() if a.startswith("review") and o == "refused"]
    assert "not a reviewer's token" in refusals and len(refusals) >= 3


@pytest.mark.parametrize(
    ("path", "body", "headers", "status"),
    [
        ("wages-test", b'{"name": 1', {"content-type": "application/json"}, 400),
        ("wages-test", b"[]", {"content-type": "application/json"}, 400),
        ("wages-test", b"name=x", {"content-type": "application/x-www-form-urlencoded"}, 415),
        ("wages-test", b'{"agree": true}', {"content-type": "application/json"}, 400),
        ("no-such-dataset", b"{}", {"content-type": "application/json"}, 404),
        ("regions-test", b"{}", {"content-type": "application/json"}, 409),
        ("wages-test", b"{" + b" " * 20_000 + b"}", {"content-type": "application/json"}, 413),
    ],
)
def test_bad_applications_get_a_precise_4xx(
    site: Site, path: str, body: bytes, headers: dict[str, str], status: int
) -> None:
    answer = httpx.post(
        f"{site.url}/api/v1/datasets/{path}/requests", content=body, headers=headers
    )
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert "Traceback" not in answer.text and "/tmp" not in answer.text


def test_huge_chunked_body_and_form_are_refused_413(site: Site) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"purpose": "'
        for _ in range(100):
            yield b"x" * 1000

    url = f"{site.url}/api/v1/datasets/wages-test/requests"
    answer = httpx.post(url, content=chunks(), headers={"content-type": "application/json"})
    assert answer.status_code == 413
    form = httpx.post(f"{site.url}/dataset/wages-test/apply", data={"purpose": "x" * 20_000})
    assert form.status_code == 413


def test_duplicate_filed_revealing_nothing_then_the_daily_limit(site: Site) -> None:
    first = site.file("twice@example.org")
    again = site.file("twice@example.org")  # anyone may type anyone's contact
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["receipt"] != again.json()["receipt"]
    assert "waiting" not in again.text and again.json()["request"]["state"] == "received"
    answers = [site.file(f"many{n}@example.org") for n in range(PER_CLIENT)]
    refused = [a for a in answers if a.status_code == 429]
    assert refused and int(refused[0].headers["retry-after"]) > 0
    assert "requests a day from one client" in refused[0].json()["detail"]
