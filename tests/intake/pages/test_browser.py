"""The dashboard in a real Chromium (Debian's, driven by Playwright): what a maintainer does with it."""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, portfolio) -> Iterator[Page]:
    """A fresh browser context (no cookies) that records every URL the pages make it fetch."""
    context = browser.new_context(base_url=portfolio.base_url, viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    opened.fetched = []
    opened.on("request", lambda request: opened.fetched.append(request.url))
    yield opened
    context.close()


def sign_in(page: Page, token: str) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/signin$"))
    page.fill("#token", token)
    page.click("button:has-text('Sign in')")


def test_sign_in_find_the_insecure_site_open_its_project_follow_the_advisory_sign_out(page, portfolio):
    corporate = portfolio.site("10.2")
    sign_in(page, portfolio.admin_token)
    expect(page.locator("h1")).to_have_text("Portfolio")

    # The insecure sites, by the count that says how many there are.
    page.click("[data-kind='not_secure']")
    expect(page).to_have_url(re.compile(r"kind=not_secure"))
    page.click(f"text={corporate.site.name}")
    expect(page).to_have_url(re.compile(rf"/sites/{corporate.id}$"))
    expect(page.locator("h1")).to_have_text(corporate.site.name)

    # Its project with a security update, as Drupal's report lists it.
    facets = page.locator("tr[data-project='facets']")
    expect(facets.locator(".security-updates")).to_contain_text("Security update:")
    facets.locator("a.project-link").click()
    expect(page).to_have_url(re.compile(r"/projects/facets$"))
    row = page.locator(f"tr:has(a[href='/sites/{corporate.id}'])")
    expect(row).to_contain_text("NOT_CURRENT")

    # The advisory that makes it known-vulnerable: which sites, at which version, the fix.
    row.locator("a.advisory-link").first.click()
    expect(page).to_have_url(re.compile(r"/advisories/DRUPAL-CONTRIB-\d{4}-\d+$"))
    affected = page.locator(f"table.affected tr:has(a[href='/sites/{corporate.id}'])")
    expect(affected).to_contain_text("facets")
    expect(affected.locator("td.fix")).to_have_text(re.compile(r"^\d+\.\d+"))

    page.click("button:has-text('Sign out')")
    expect(page).to_have_url(re.compile(r"/signin$"))
    page.goto(f"/sites/{corporate.id}")
    expect(page).to_have_url(re.compile(r"/signin\?next="))
    assert all(url.startswith(portfolio.base_url) for url in page.fetched), page.fetched


def test_a_site_token_cannot_open_another_site_s_page(page, portfolio):
    portal, corporate = portfolio.site("11."), portfolio.site("10.2")
    sign_in(page, portal.token)
    expect(page.locator("table.sites tbody tr")).to_have_count(1)
    expect(page.locator("table.sites")).to_contain_text(portal.site.name)
    expect(page.locator("nav")).not_to_contain_text("Trend")

    answer = page.goto(f"/sites/{corporate.id}")
    assert answer.status == 403
    expect(page.locator("h1")).to_have_text("Not your site")
    expect(page.locator("main")).not_to_contain_text(corporate.site.name)
    assert page.goto(f"/sites/{portal.id}").status == 200


def test_every_page_fetches_only_from_the_app(page, portfolio):
    corporate = portfolio.site("10.2")
    sign_in(page, portfolio.admin_token)
    for path in ("/", f"/sites/{corporate.id}", "/projects/drupal", "/trend"):
        assert page.goto(path).status == 200, path
    stylesheets = page.evaluate("Array.from(document.styleSheets).map(sheet => sheet.cssRules.length)")
    assert stylesheets and stylesheets[0] > 10  # the app's CSS was served and applied
    assert page.fetched and all(url.startswith(portfolio.base_url) for url in page.fetched), page.fetched


def test_a_form_posted_from_another_site_cannot_sign_out(page, portfolio):
    sign_in(page, portfolio.admin_token)
    expect(page.locator("h1")).to_have_text("Portfolio")
    # A page elsewhere posts to the dashboard: without the session's CSRF token (and, SameSite=Strict,
    # without the cookie either) it changes nothing.
    page.set_content(f"<form method='post' action='{portfolio.base_url}/signout'><input name='csrf' value='x'>"
                     "<button>go</button></form>")
    page.click("button")
    page.goto("/")
    expect(page.locator("h1")).to_have_text("Portfolio")
