"""What a person meets in a real browser (issue 16), in Debian's Chromium against a live server:
the API explorer works offline under its own policy, the editor shows the server's explanation of
a mistake and a query's hints above its results, unknown pages are pages, and the site has an
icon. Every page is checked as in ``test_browser.py``: no request leaves the server, no console
error, no CSP violation."""

import pytest
from playwright.sync_api import Browser, Page
from test_browser import browser, open_page, shot

pytestmark = pytest.mark.live

__all__ = ["browser"]  # the module-scoped Chromium of test_browser.py, shared


def run_in_editor(page: Page, query: str) -> None:
    """Put ``query`` in the editor's current tab and run it with the tab's button."""
    page.wait_for_function("window.souseiEditor && window.souseiEditor.getTab()")
    page.evaluate("(q) => window.souseiEditor.getTab().getYasqe().setValue(q)", query)
    page.locator(".tabPanel.active .yasqe_queryButton").click()


def test_the_api_explorer_works_offline_under_its_policy(
    browser: Browser, live_server: str
) -> None:
    page, watch = open_page(browser, live_server, locale="en-US")
    response = page.goto(live_server + "docs", wait_until="networkidle")
    assert response is not None and response.status == 200
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy
    tags = page.locator(".swagger-ui .opblock-tag")
    tags.first.wait_for()
    assert tags.count() >= 10  # every tag listed, folded
    page.locator(".opblock-tag", has_text="named queries").first.click()
    operations = page.locator(".swagger-ui .opblock")
    operations.first.wait_for()
    assert operations.count() >= 10
    named = page.locator(".opblock-summary-path", has_text="/queries/list-measures-for-kpi")
    named.first.click()  # an operation opens, with its typed parameters
    page.locator(".parameters-container .parameter__name", has_text="kpi").first.wait_for()
    page.wait_for_load_state("networkidle")
    shot(page, "api-explorer")
    watch.assert_clean()
    page.context.close()


def test_the_editor_shows_the_servers_explanation_of_a_mistake(
    browser: Browser, live_server: str
) -> None:
    page, watch = open_page(browser, live_server, locale="en-US")
    page.goto(live_server + "sparql", wait_until="networkidle")
    run_in_editor(page, "SELECT * WHERE { ?s sousei:hasKPI ?o }")
    shown = page.locator(".yasr .errorResult")
    shown.first.wait_for()
    text = shown.first.inner_text()
    assert "the prefix sousei: is not declared" in text
    assert "PREFIX sousei: <https://w3id.org/sousei-kg/def#>" in text
    shot(page, "editor-error")
    # The browser reports the 400 answer of the query, and YASGUI logs it as an error of its
    # request ("Error: Bad Request"); nothing else may go wrong.
    watch.errors = [
        e
        for e in watch.errors
        if "status of 400" not in e and not e.startswith("Error: Bad Request")
    ]
    watch.assert_clean()
    page.context.close()


def test_the_editor_shows_a_querys_hints_above_its_results(
    browser: Browser, live_server: str
) -> None:
    page, watch = open_page(browser, live_server, locale="en-US")
    page.goto(live_server + "sparql", wait_until="networkidle")
    run_in_editor(
        page,
        "PREFIX sousei: <http://w3id.org/sousei-kg/def#>\n"
        "SELECT ?goal WHERE { ?goal a sousei:PolicyGoal }",
    )
    hint = page.locator(".query-hints p")
    hint.first.wait_for()
    assert hint.first.inner_text() == (
        "<http://w3id.org/sousei-kg/def#PolicyGoal> is not in the dataset "
        "(did you mean <https://w3id.org/sousei-kg/def#PolicyGoal>?)"
    )
    # Above the results of its tab.
    assert page.evaluate(
        "document.querySelector('.query-hints').nextElementSibling.classList.contains('yasr')"
    )
    shot(page, "editor-hint")
    # A corrected query clears the hint.
    run_in_editor(
        page,
        "PREFIX sousei: <https://w3id.org/sousei-kg/def#>\n"
        "SELECT ?goal WHERE { ?goal a sousei:PolicyGoal }",
    )
    page.locator(".yasr table.dataTable tbody tr").nth(2).wait_for()
    page.wait_for_function("document.querySelector('.query-hints').hidden")
    watch.assert_clean()
    page.context.close()


def test_an_unknown_page_is_a_page_with_the_sites_icon(browser: Browser, live_server: str) -> None:
    page, watch = open_page(browser, live_server, locale="en-US")
    response = page.goto(live_server + "no/such/page", wait_until="networkidle")
    assert response is not None and response.status == 404
    assert response.headers["content-type"].startswith("text/html")
    assert page.locator("h1").inner_text() == "404 Not Found"
    assert page.locator("a", has_text="Go to the landing page").is_visible()
    # The icon every page links (/favicon.ico itself is checked over HTTP in
    # tests/http/test_error_bodies.py: Playwright's routing cannot pass a request for it).
    icon = page.evaluate("document.querySelector('link[rel=icon]').href")
    assert page.evaluate("(url) => fetch(url).then(r => r.status)", icon) == 200
    watch.errors = [e for e in watch.errors if "status of 404" not in e]
    watch.assert_clean()
    # Where the problem types of SPARQL errors point: a page like the others.
    response = page.goto(live_server + "problems#missing-prefix", wait_until="networkidle")
    assert response is not None and response.status == 200
    assert page.locator("#missing-prefix").is_visible()
    watch.assert_clean()
    page.context.close()
