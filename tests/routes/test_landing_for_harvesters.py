"""``/`` for harvesters (issue 16): ``Link`` headers to VoID, DCAT and the service description on
every answer, and 303 to the DCAT description for a client that asks for RDF."""

import re
from collections.abc import Iterator

import httpx
import pytest
import rdflib
from fastapi.testclient import TestClient
from rdflib.namespace import RDF

from sousei_kg.app import create_app
from sousei_kg.config import Settings

BASE = "http://testserver/"
LINK = re.compile(r'<([^>]+)>; rel="describedby"; type="text/turtle"')
DESCRIBED_BY = [BASE + ".well-known/void", BASE + "dataset", BASE + "sparql"]
CATALOG = rdflib.URIRef("http://www.w3.org/ns/dcat#Catalog")
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(query_workers=0))) as test_client:
        yield test_client


@pytest.mark.parametrize(
    "accept",
    [
        "text/turtle",
        "application/ld+json",
        "application/rdf+xml",
        "application/n-triples",
        "text/turtle;q=1, text/html;q=0.5",
    ],
)
def test_an_rdf_client_is_sent_to_the_dcat_description(client: TestClient, accept: str) -> None:
    response = client.get("/", headers={"Accept": accept}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == BASE + "dataset"
    assert LINK.findall(response.headers["link"]) == DESCRIBED_BY
    assert "Accept" in response.headers["vary"]


@pytest.mark.parametrize(
    "accept", [None, "*/*", BROWSER, "text/html", "application/json", "text/html, text/turtle"]
)
def test_everyone_else_gets_the_page_with_the_links(client: TestClient, accept: str | None) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.get("/", headers=headers, follow_redirects=False)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert LINK.findall(response.headers["link"]) == DESCRIBED_BY


def test_a_revalidated_page_keeps_the_links(client: TestClient) -> None:
    first = client.get("/")
    again = client.get("/", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert LINK.findall(again.headers["link"]) == DESCRIBED_BY


def test_following_the_redirect_gives_the_catalogue_in_the_asked_syntax(client: TestClient) -> None:
    response = client.get("/", headers={"Accept": "text/turtle"})
    assert str(response.url) == BASE + "dataset"
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    assert any(graph.subjects(RDF.type, CATALOG))


@pytest.mark.live
def test_rdflib_reads_the_catalogue_from_the_landing_url(live_server: str) -> None:
    """rdflib dereferences the landing URL as any harvester would: RDF Accept, redirects
    followed; and every description the links name answers."""
    graph = rdflib.Graph().parse(live_server, format="turtle")
    assert any(graph.subjects(RDF.type, CATALOG))
    with httpx.Client(timeout=30) as http:
        landing = http.get(live_server, headers={"Accept": BROWSER})
        targets = LINK.findall(landing.headers["link"])
        assert [t.removeprefix(live_server) for t in targets] == [
            ".well-known/void",
            "dataset",
            "sparql",
        ]
        for target in targets:
            described = http.get(target, headers={"Accept": "text/turtle"})
            assert described.status_code == 200, target
            assert len(rdflib.Graph().parse(data=described.text, format="turtle")) > 0
