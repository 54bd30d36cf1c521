"""Error answers for people and programs (issue 16): plain text by default, RFC 9457 problem
details for a client that names JSON, a page for a browser; the same words in each. SPARQL
clients (SPARQLWrapper, YASGUI) name a results format, so they get text, which they show."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from sousei_kg.app import create_app
from sousei_kg.config import Settings
from sousei_kg.http.error_bodies import error_format

# What clients really send.
SPARQLWRAPPER_JSON = (
    "application/sparql-results+json,application/json,text/javascript,application/javascript"
)
SPARQLWRAPPER_XML = "application/sparql-results+xml"
YASGUI_SELECT = "application/sparql-results+json,*/*;q=0.9"
YASGUI_CONSTRUCT = "text/turtle,*/*;q=0.9"
CHROMIUM = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,"
    "*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
)
MISSING_PREFIX = "SELECT * WHERE { ?s sousei:hasKPI ?o }"
HEADLINE = (
    "SPARQL syntax error at line 1, column 21: the prefix sousei: is not declared; add this "
    "line before the query: PREFIX sousei: <https://w3id.org/sousei-kg/def#>"
)


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(query_workers=0))) as test_client:
        yield test_client


@pytest.mark.parametrize(
    ("accept", "form"),
    [
        (None, "text"),
        ("*/*", "text"),
        ("text/plain", "text"),
        ("application/json", "problem"),
        ("application/problem+json", "problem"),
        ("application/json;q=0.5, text/plain", "problem"),
        ("application/sparql-results+json, application/problem+json;q=0.1", "problem"),
        (SPARQLWRAPPER_JSON, "text"),
        (SPARQLWRAPPER_XML, "text"),
        (YASGUI_SELECT, "text"),
        (YASGUI_CONSTRUCT, "text"),
        ("application/ld+json", "text"),
        (CHROMIUM, "html"),
        ("text/html", "html"),
        ("application/json;q=0", "text"),
        ("not a media type, application/json", "problem"),
    ],
)
def test_the_form_follows_what_the_client_names(accept: str | None, form: str) -> None:
    assert error_format(accept) == form


def test_a_syntax_error_as_text_says_it_all_on_its_first_line(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": MISSING_PREFIX}, headers={"Accept": "*/*"})
    assert response.status_code == 400
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    first, blank, line, caret, *rest = response.text.splitlines()
    assert first == "400 Bad Request: " + HEADLINE
    assert (blank, line, caret) == (
        "",
        "   1 | SELECT * WHERE { ?s sousei:hasKPI ?o }",
        "     |                     ^",
    )
    assert rest[1].startswith("The parser said: expected one of Prefix not found")


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("application/json", "application/json"),
        ("application/sparql-results+json, application/problem+json", "application/problem+json"),
    ],
)
def test_a_syntax_error_as_problem_details(
    client: TestClient, accept: str, media_type: str
) -> None:
    response = client.get("/sparql", params={"query": MISSING_PREFIX}, headers={"Accept": accept})
    assert response.status_code == 400
    assert response.headers["content-type"] == media_type
    problem = response.json()
    assert problem.pop("engineMessage").startswith("expected one of Prefix not found")
    assert problem == {
        "type": "https://w3id.org/sousei-kg/problems#missing-prefix",
        "title": "A prefix is not declared",
        "status": 400,
        "detail": HEADLINE,
        "line": 1,
        "column": 21,
        "excerpt": "   1 | SELECT * WHERE { ?s sousei:hasKPI ?o }\n     |                     ^",
        "suggestion": "PREFIX sousei: <https://w3id.org/sousei-kg/def#>",
    }
    assert response.headers["vary"].startswith("Accept")


def test_the_problem_types_are_documented_where_they_point(client: TestClient) -> None:
    page = client.get("/problems", headers={"Accept": "text/html"})
    assert page.status_code == 200
    for kind in ("missing-prefix", "misspelt-keyword", "update-as-query", "ungrouped-variable"):
        assert f'id="{kind}"' in page.text


@pytest.mark.parametrize("accept", [SPARQLWRAPPER_JSON, YASGUI_SELECT])
def test_sparql_clients_get_the_text(client: TestClient, accept: str) -> None:
    response = client.post(
        "/sparql", data={"query": "SELEC * WHERE { ?s ?p ?o }"}, headers={"Accept": accept}
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text.startswith(
        "400 Bad Request: SPARQL syntax error at line 1, column 1: SELEC is not a SPARQL "
        "keyword; did you mean SELECT?"
    )


def test_a_browser_gets_a_page_with_the_line_and_caret(client: TestClient) -> None:
    response = client.get(
        "/sparql", params={"query": MISSING_PREFIX, "format": "csv"}, headers={"Accept": CHROMIUM}
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert "400 Bad Request" in response.text
    assert "PREFIX sousei: &lt;https://w3id.org/sousei-kg/def#&gt;" in response.text
    assert "   1 | SELECT * WHERE { ?s sousei:hasKPI ?o }" in response.text


@pytest.mark.parametrize(
    ("path", "method", "status", "message"),
    [
        ("/no/such/page", "GET", 404, "there is nothing at /no/such/page"),
        ("/dataset", "DELETE", 405, "method DELETE is not allowed at /dataset; use GET, HEAD"),
    ],
)
def test_unknown_paths_and_methods_answer_every_client_in_its_form(
    client: TestClient, path: str, method: str, status: int, message: str
) -> None:
    text = client.request(method, path)
    assert (text.status_code, text.headers["content-type"]) == (
        status,
        "text/plain; charset=utf-8",
    )
    assert text.text.startswith(f"{status} ") and message in text.text
    problem = client.request(method, path, headers={"Accept": "application/json"})
    assert problem.headers["content-type"] == "application/json"
    assert problem.json()["status"] == status and message in problem.json()["detail"]
    assert problem.json()["type"] == "about:blank"
    page = client.request(method, path, headers={"Accept": CHROMIUM})
    assert page.status_code == status
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert "content-security-policy" in page.headers
    assert f"<h1>{status} " in page.text and message in page.text
    if status == 405:
        assert text.headers["allow"] == page.headers["allow"] == "GET, HEAD"


def test_a_browser_asking_for_a_format_nobody_has_gets_a_406_page(client: TestClient) -> None:
    response = client.get("/dataset", params={"format": "xlsx"}, headers={"Accept": CHROMIUM})
    assert response.status_code == 406
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "406 Not Acceptable" in response.text and "text/turtle" in response.text


def test_an_english_reader_gets_the_page_in_english(client: TestClient) -> None:
    response = client.get("/no/such/page", headers={"Accept": "text/html", "Accept-Language": "en"})
    assert response.headers["content-language"] == "en"
    assert "Go to the landing page" in response.text
    assert "Accept-Language" in response.headers["vary"]


def test_the_favicon_is_served_and_linked(client: TestClient) -> None:
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.headers["content-type"] == "image/vnd.microsoft.icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00" and b"\x89PNG" in icon.content
    landing = client.get("/", headers={"Accept": "text/html"})
    assert '<link rel="icon" href="http://testserver/static/favicon.svg"' in landing.text
    svg = client.get("/static/favicon.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")


def test_a_routes_own_404_keeps_its_words(client: TestClient) -> None:
    response = client.get("/def.xyz", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.json()["detail"].startswith("no format .xyz; try ")
