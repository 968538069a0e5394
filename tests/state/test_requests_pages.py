"""The trial of issue 16 against a real server (SQLite and PostgreSQL): the token of a web
approval shown to the reviewer, lost and issued again by `opendata requests reissue`; no
denial by one stray click; the form's faults in the page's language; times in Beijing time;
the review page's decisions and marked duplicates; IPv6 clients counted by their /56."""

from __future__ import annotations

import contextlib
import itertools
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from catalog.state import CHINA, open_state
from catalog.store import FolderStore, Publisher
from tests.conftest import write_regions
from tests.servers import serving, state_of
from tests.state.conftest import new_database
from tests.state.test_requests_server import PURPOSE, Site, conditional_wages
from tests.web.conftest import CHROMIUM, browser_missing

pytestmark = pytest.mark.slow
PER_CLIENT = 3
TITLE = "测试数据 wages-test"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("requests-pages")
    write_regions(root / "datasets")
    conditional_wages(root / "datasets")
    titled(root / "datasets" / "wages-test" / "datapackage.yaml")
    publisher = Publisher(FolderStore(root / "store"), root / "datasets")
    for source in publisher.plan(list(publisher.sources().values())):
        publisher.build(source)
    env = {
        "OPENDATA_DATASETS": str(root / "datasets"),
        "OPENDATA_STORE": str(root / "store"),
        "OPENDATA_STATE": str(state_of(root / "store")),
        "OPENDATA_DATABASE_URL": new_database(request, state_of(root / "store")),
        "OPENDATA_REQUEST_MAX_PER_CLIENT_PER_DAY": str(PER_CLIENT),
        "OPENDATA_TRUST_FORWARDED_HEADERS": "true",
        "OPENDATA_REQUEST_CONTACT": "数据开放办公室 0851-86810000",
    }
    with serving(root / "store", env=env) as running:
        yield Site(running.url, env["OPENDATA_DATABASE_URL"], env)


ADDRESSES = itertools.count(1)


def apply(site: Site, email: str) -> dict[str, Any]:
    """File by the API from an address of its own (the daily limit per client is small)."""
    body = {"name": "王", "email": email, "purpose": PURPOSE, "fields": ["year"],
            "period_start": "2020", "period_end": "2021", "agree": True}  # fmt: skip
    address = f"198.51.100.{next(ADDRESSES)}"
    answer = httpx.post(f"{site.url}/api/v1/datasets/wages-test/requests", json=body,
                        headers={"X-Forwarded-For": address})  # fmt: skip
    assert answer.status_code == 201, answer.text
    found: dict[str, Any] = answer.json()
    return found


def titled(path: Path) -> None:
    """Titles for the wages table and its fields, as a data dictionary gives them."""
    descriptor = yaml.safe_load(path.read_text(encoding="utf-8"))
    resource = descriptor["resources"][0]
    resource.update(title="各市州平均工资", title_en="Average wage by prefecture")
    for field in resource["schema"]["fields"]:
        field.update(title=f"字段{field['name']}", title_en=f"Field {field['name']}")
    path.write_text(yaml.safe_dump(descriptor, allow_unicode=True, sort_keys=False), "utf-8")


def reviewer(site: Site) -> str:
    state = open_state(site.database)
    try:
        return state.tokens.create("reviewer", ["review-requests"])[1]
    finally:
        state.close()


@contextlib.contextmanager
def logged_in(site: Site) -> Iterator[tuple[httpx.Client, str]]:
    """A client logged in to /review, and the CSRF secret of its forms."""
    with httpx.Client(base_url=site.url) as browser:
        browser.post("/review/login", data={"token": reviewer(site)})
        csrf = re.search(r'name="csrf" value="([^"]+)"', browser.get("/review").text)
        assert csrf is not None
        yield browser, csrf.group(1)


def test_web_approval_shows_the_token_and_a_lost_one_is_issued_again(site: Site) -> None:
    filed = apply(site, "lost@example.org")
    receipt, ident = filed["receipt"], filed["request"]["id"]
    with logged_in(site) as (browser, csrf):
        done = browser.post(f"/review/{ident}/approve", data={"csrf": csrf, "days": "30"})
    shown = re.search(r'<code id="issued-token">(odt_[^<]+)</code>', done.text)
    assert done.status_code == 200 and shown is not None  # the reviewer has it, as the CLI
    page = httpx.get(f"{site.url}/requests/{receipt}").text
    assert 'id="receipt-private"' in page and "tests tests@example.org" in page  # the contact
    assert TITLE in page and "（北京时间）" in page and "UTC" not in page
    collect = httpx.post(f"{site.url}/requests/{receipt}/token").text
    example = re.search(
        r'<code id="token-example">curl -H "Authorization: Bearer (\S+)" ([^<\s]+)<', collect
    )
    assert example is not None and example.group(1) == shown.group(1)
    assert (
        httpx.get(
            example.group(2), headers={"Authorization": f"Bearer {example.group(1)}"}
        ).status_code
        == 200
    )
    again = site.cli("requests", "reissue", ident)
    assert again.returncode == 0, again.stderr
    token = again.stdout.strip()
    assert token.startswith("odt_") and token != shown.group(1)
    assert "shown only now" in again.stderr and "+08" in again.stderr
    rows = example.group(2)
    old = httpx.get(rows, headers={"Authorization": f"Bearer {shown.group(1)}"})
    assert old.status_code in (401, 403)
    assert httpx.get(rows, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    collected = httpx.post(f"{site.url}/api/v1/requests/{receipt}/token").json()
    assert collected["token"]["value"] == token  # once more on the receipt
    assert ("request reissue", "ok") in [(a, o) for a, o, _ in site.audit()]
    refused = site.cli("requests", "reissue", apply(site, "open@example.org")["receipt"])
    assert refused.returncode == 1 and "only an approval has a token" in refused.stderr


def test_deny_needs_a_chosen_ground_and_a_note(site: Site) -> None:
    ident = apply(site, "deny-me@example.org")["request"]["id"]
    with logged_in(site) as (browser, csrf):
        page = browser.get("/review").text
        assert '<option value="" selected disabled>' in page  # no ground chosen beforehand
        for form in ({"csrf": csrf}, {"csrf": csrf, "ground": "state-secret"},
                     {"csrf": csrf, "ground": "state-secret", "note": "\x1b[2J"}):  # fmt: skip
            refused = browser.post(f"/review/{ident}/deny", data=form)
            assert refused.status_code == 400 and 'id="review-error"' in refused.text
            assert refused.headers["content-type"].startswith("text/html")
        bad_days = browser.post(f"/review/{ident}/approve", data={"csrf": csrf, "days": "0"})
        assert bad_days.status_code == 400 and 'id="review-error"' in bad_days.text
        assert site.cli("requests", "show", ident).stdout.split()[2] == "received"
        done = browser.post(
            f"/review/{ident}/deny", data={"csrf": csrf, "ground": "repeated", "note": "重复"}
        )
        assert done.status_code == 303
        page = browser.get("/review").text
    decided = page.split('id="decided"')[1]
    article = decided.split(f'id="request-{ident}"')[1].split("</article>")[0]
    assert 'data-ground="repeated"' in article and "重复" in article
    assert 'class="decided-at"' in article and 'class="reviewer"' in article


def test_deny_form_in_chromium_cannot_be_sent_without_a_ground(site: Site) -> None:
    if (reason := browser_missing()) is not None:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    ident = apply(site, "chromium-deny@example.org")["request"]["id"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        page = browser.new_page()
        page.goto(f"{site.url}/review")
        page.fill("#f-token", reviewer(site))
        page.click("button[type=submit]")
        form = page.locator(f"#request-{ident} form.deny")
        form.locator("button[type=submit]").click()  # one stray click: the browser holds it
        assert form.locator("select").evaluate("s => s.validity.valueMissing") is True
        browser.close()
    assert site.cli("requests", "show", ident).stdout.split()[2] == "received"


def test_form_faults_in_the_pages_language(site: Site) -> None:
    form = {"name": "张", "purpose": "太短", "period_start": "2023", "period_end": "2021"}
    zh = httpx.post(f"{site.url}/dataset/wages-test/apply", data=form)
    en = httpx.post(f"{site.url}/dataset/wages-test/apply?lang=en", data=form)
    assert zh.status_code == en.status_code == 400
    for api in ("give an email", "characters, not", "(true)", "ends before it starts"):
        assert api not in zh.text
    for api in ("give an email", "characters, not", "(true)"):
        assert api not in en.text
    assert "请填写电子邮箱或电话" in zh.text and "结束时间早于开始时间" in zh.text
    assert "过短" in zh.text and "请阅读开放条件并勾选同意" in zh.text
    assert "Give an email address or a phone number" in en.text
    assert "The period ends before it starts." in en.text
    ten = {**form, "email": "a@example.org", "purpose": "研究各市州工资水平差", "agree": "yes",
           "period_end": "2024", "fields": "year"}  # fmt: skip
    filed = httpx.post(f"{site.url}/dataset/wages-test/apply", data=ten,
                       headers={"X-Forwarded-For": "192.0.2.77"})  # fmt: skip
    assert filed.status_code == 303  # ten Chinese characters say enough


def test_review_marks_duplicates_and_lists_open_requests_first(site: Site) -> None:
    first = apply(site, "same@example.org")["request"]["id"]
    second = apply(site, "same@example.org")["request"]["id"]
    with logged_in(site) as (browser, _):
        page = browser.get("/review").text
    waiting = page.split('id="decided"')[0]
    for mine, other in ((first, second), (second, first)):
        article = waiting.split(f'id="request-{mine}"')[1].split("</article>")[0]
        assert f'href="#request-{other}"' in article
    shown = site.cli("requests", "show", second)
    assert f"same contact as: {first}" in shown.stdout


def test_refused_review_login_is_no_use_of_the_token(site: Site) -> None:
    state = open_state(site.database)
    try:
        reader, token = state.tokens.create("reader", ["read-dataset:wages-test"])
    finally:
        state.close()
    assert httpx.post(f"{site.url}/review/login", data={"token": token}).status_code == 403
    state = open_state(site.database)
    try:
        found = next(t for t in state.tokens.all() if t.id == reader.id)
    finally:
        state.close()
    assert found.last_used is None


def test_ipv6_clients_are_counted_by_their_56(site: Site) -> None:
    def filed(address: str, n: int) -> int:
        headers = {"X-Forwarded-For": address}
        body = {
            "name": "六",
            "email": f"v6-{n}@example.org",
            "purpose": PURPOSE,
            "fields": ["year"],
            "period_start": "2020",
            "period_end": "2021",
            "agree": True,
        }
        answer = httpx.post(f"{site.url}/api/v1/datasets/wages-test/requests", json=body,
                            headers=headers)  # fmt: skip
        return answer.status_code

    # One /56 holds 256 /64s; each used to get its own daily allowance.
    codes = [filed(f"2001:db8:0:{n:x}::1", n) for n in range(PER_CLIENT + 1)]
    assert codes[:PER_CLIENT] == [201] * PER_CLIENT and codes[-1] == 429
    assert filed("2001:db8:0:100::1", 99) == 201  # the next /56 is someone else


def test_cli_names_the_setting_and_says_when_nothing_matches(site: Site) -> None:
    none = site.cli("requests", "list", "--state", "withdrawn")
    assert none.returncode == 0 and "no requests" in none.stderr
    bad = Site(site.url, site.database, {**site.env, "OPENDATA_REQUEST_REPLY_WORKING_DAYS": "0"})
    refused = bad.cli("requests", "list", "--overdue")
    assert refused.returncode == 2
    assert "OPENDATA_REQUEST_REPLY_WORKING_DAYS" in refused.stderr


def test_requests_help_reads_whole(site: Site) -> None:
    shown = site.cli("requests", "--help").stdout
    assert "reissue" in shown and "the /" not in shown


def test_token_create_warns_of_what_the_store_does_not_hold(site: Site) -> None:
    made = site.cli("token", "create", "--name", "t", "--scope", "read-dataset:no-such-ds",
                    "--scope", "publish:no-such-org", "--scope", "read-dataset:wages-test",
                    "--scope", "publish:test-org")  # fmt: skip
    assert made.returncode == 0 and made.stdout.startswith("odt_")  # allowed: it may come
    warnings = [line for line in made.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 2
    assert "'no-such-ds'" in " ".join(warnings) and "'no-such-org'" in " ".join(warnings)


def test_report_refuses_a_year_to_come(site: Site) -> None:
    year = datetime.now(CHINA).year
    refused = site.cli("report", "--year", str(year + 1))
    assert refused.returncode == 2 and "has not begun" in refused.stderr
    assert site.cli("report", "--year", str(year), "--format", "json").returncode == 0


def test_fields_listed_by_table_with_their_titles(site: Site) -> None:
    form = httpx.get(f"{site.url}/dataset/wages-test/apply").text
    table = form.split('id="table-wages"><legend>各市州平均工资</legend>')[1].split("</fieldset>")[
        0
    ]
    assert 'value="avg_wage"> <code>avg_wage</code> 字段avg_wage' in table
    assert 'id="contact">' in form and "tests@example.org" in form  # whom to ask
    english = httpx.get(f"{site.url}/dataset/wages-test/apply?lang=en").text
    assert "<legend>Average wage by prefecture</legend>" in english
    receipt = apply(site, "titles@example.org")["receipt"]
    page = httpx.get(f"{site.url}/requests/{receipt}").text
    assert "<strong>各市州平均工资</strong>: <code>year</code> 字段year" in page


def test_extension_recorded_by_cli_shown_to_applicant_and_reviewer(site: Site) -> None:
    filed = apply(site, "extend@example.org")
    receipt, ident = filed["receipt"], filed["request"]["id"]
    due = filed["request"]["due_at"]
    done = site.cli("requests", "extend", ident, "--days", "10", "--reason", "需跨部门核实")
    assert done.returncode == 0, done.stderr
    assert "extended by 10 working days" in done.stdout and "+08" in done.stdout
    status = httpx.get(f"{site.url}/api/v1/requests/{receipt}").json()
    assert status["due_at"] > due and status["extension"]["working_days"] == 10
    page = httpx.get(f"{site.url}/requests/{receipt}").text
    assert 'id="extension"' in page and "需跨部门核实" in page and "10 个工作日" in page
    with logged_in(site) as (browser, _):
        review = browser.get("/review").text
    article = review.split(f'id="request-{ident}"')[1].split("</article>")[0]
    assert 'class="extension"' in article
    again = site.cli("requests", "extend", ident, "--days", "5", "--reason", "again")
    assert again.returncode == 1 and "extended already" in again.stderr
    steps = [(a, o) for a, o, _ in site.audit()]
    assert ("request extend", "ok") in steps and ("request extend", "refused") in steps


def test_extension_on_the_review_page(site: Site) -> None:
    ident = apply(site, "extend-web@example.org")["request"]["id"]
    with logged_in(site) as (browser, csrf):
        for form in ({"days": "0", "reason": "核实"}, {"days": "16", "reason": "核实"},
                     {"days": "5", "reason": ""}):  # fmt: skip
            refused = browser.post(f"/review/{ident}/extend", data={"csrf": csrf, **form})
            assert refused.status_code == 400 and 'id="review-error"' in refused.text
        done = browser.post(
            f"/review/{ident}/extend", data={"csrf": csrf, "days": "5", "reason": "需核实"}
        )
        assert done.status_code == 303
        page = browser.get("/review").text
    article = page.split(f'id="request-{ident}"')[1].split("</article>")[0]
    assert "需核实" in article and 'class="extend"' not in article  # once only
    assert ("request extend", "ok") in [(a, o) for a, o, _ in site.audit()]


def test_an_unknown_receipt_says_whom_to_ask(site: Site) -> None:
    for answer in (httpx.get(f"{site.url}/requests/no-such-receipt"),
                   httpx.post(f"{site.url}/requests/no-such-receipt/token")):  # fmt: skip
        assert answer.status_code == 404 and 'id="receipt-unknown"' in answer.text
        assert "数据开放办公室 0851-86810000" in answer.text
        assert answer.headers["cache-control"] == "no-store"
