"""``/id`` and ``/doc`` over HTTP (TestClient): 303s, content negotiation, Link and Vary headers,
conditional requests, the 404 page, the HTML page and its escaping (issue 3, "Linked data")."""

import json
import re
from pathlib import Path

import pytest
import rdflib
from fastapi.testclient import TestClient
from rdflib import URIRef

from conftest import FILES, write_tree
from sousei_kg.app import create_app
from sousei_kg.config import Settings

ID = "https://w3id.org/sousei-kg/id/"
MEASURE = "measure/reskilling-support"
RDF_TYPES = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
}
EXTENSIONS = {".ttl": "turtle", ".jsonld": "json-ld", ".nt": "nt", ".rdf": "xml"}


def _labels(graph: rdflib.Graph, iri: str) -> set[str]:
    skos = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")
    return {str(o) for o in graph.objects(URIRef(iri), skos.prefLabel)}


def test_id_redirects_303_to_its_document(client: TestClient) -> None:
    response = client.get("/id/goal/2", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "http://testserver/doc/goal/2"
    assert '<http://testserver/doc/goal/2>; rel="describedby"' in response.headers["link"]


@pytest.mark.parametrize("media_type", sorted(RDF_TYPES))
def test_document_negotiates_rdf_with_canonical_iris(client: TestClient, media_type: str) -> None:
    response = client.get(f"/doc/{MEASURE}", headers={"Accept": media_type})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    assert response.headers["vary"].startswith("Accept")
    assert response.headers["content-location"].startswith(f"http://testserver/doc/{MEASURE}.")
    graph = rdflib.Graph().parse(data=response.content, format=RDF_TYPES[media_type])
    assert _labels(graph, ID + MEASURE) == {"リスキリング支援", "Reskilling support"}
    assert not any("testserver" in str(term) for triple in graph for term in triple)


@pytest.mark.parametrize("extension", sorted(EXTENSIONS))
def test_extension_urls_name_one_format(client: TestClient, extension: str) -> None:
    response = client.get(f"/doc/goal/2{extension}", headers={"Accept": "text/html"})
    assert response.status_code == 200
    graph = rdflib.Graph().parse(data=response.content, format=EXTENSIONS[extension])
    assert _labels(graph, ID + "goal/2") == {"豊かな生活環境", "Affluent living environment"}


def test_link_header_lists_alternates_and_dataset(client: TestClient) -> None:
    link = client.get("/doc/goal/2.ttl").headers["link"]
    assert '<http://testserver/doc/goal/2.ttl>; rel="alternate"; type="text/turtle"' in link
    assert (
        '<http://testserver/doc/goal/2.jsonld>; rel="alternate"; type="application/ld+json"' in link
    )
    assert '<http://testserver/doc/goal/2.rdf>; rel="alternate"; type="application/rdf+xml"' in link
    assert 'rel="http://rdfs.org/ns/void#inDataset"' in link
    assert "/.well-known/void>" in link


def test_unknown_iri_is_404_with_a_search_link(client: TestClient) -> None:
    page = client.get("/id/goal/99", headers={"Accept": "text/html", "Accept-Language": "en"})
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert 'href="http://testserver/search?q=99' in page.text
    plain = client.get("/doc/goal/99", headers={"Accept": "text/turtle"})
    assert plain.status_code == 404
    assert plain.headers["content-type"].startswith("text/plain")
    assert "search" in plain.text
    assert client.get("/doc/nothing/here.html").status_code == 404


def test_406_when_no_offered_format_fits(client: TestClient) -> None:
    assert client.get(f"/doc/{MEASURE}", headers={"Accept": "image/png"}).status_code == 406


def test_measure_page_shows_labels_chain_and_organisations(client: TestClient) -> None:
    page = client.get(f"/doc/{MEASURE}?lang=en").text
    assert "リスキリング支援" in page and "Reskilling support" in page
    assert "Paths up to the goal" in page
    assert 'href="http://testserver/id/goal/1">Strong economy</a>' in page
    assert 'href="http://testserver/id/indicator/goal-1-kpi"' in page
    assert "Ministry of Economy, Trade and Industry" in page
    assert "confidence: Widely known" in page
    assert "confidence: Inferred" in page
    assert "stated in the summary" in page and "curated" in page


def test_goal_page_lists_measures_reaching_it(client: TestClient) -> None:
    page = client.get("/doc/goal/1", headers={"Accept": "text/html", "Accept-Language": "en"})
    assert "What contributes to it" in page.text
    assert f'href="http://testserver/id/{MEASURE}"' in page.text
    assert 'href="http://testserver/id/outcome/A"' in page.text


def test_language_switch(client: TestClient) -> None:
    ja = client.get("/doc/goal/1", headers={"Accept": "text/html", "Accept-Language": "en"})
    en_over = client.get("/doc/goal/1?lang=ja", headers={"Accept-Language": "en"})
    assert ja.headers["content-language"] == "en"
    assert en_over.headers["content-language"] == "ja"
    assert "<h1>Strong economy</h1>" in ja.text
    assert "<h1>強い経済</h1>" in en_over.text
    vary = {v.strip() for v in ja.headers["vary"].split(",")}
    assert {"Accept", "Accept-Language"} <= vary


def test_304_on_matching_etag(client: TestClient) -> None:
    first = client.get("/doc/goal/1.ttl")
    etag = first.headers["etag"]
    assert first.headers["last-modified"]
    again = client.get("/doc/goal/1.ttl", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["etag"] == etag
    other = client.get("/doc/goal/1.nt", headers={"If-None-Match": etag})
    assert other.status_code == 200


def test_embedded_json_ld_parses_with_canonical_iris(client: TestClient) -> None:
    page = client.get("/doc/goal/1?lang=ja").text
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert match is not None
    graph = rdflib.Graph().parse(data=match.group(1), format="json-ld")
    assert "強い経済" in _labels(graph, ID + "goal/1")


MALICIOUS = """\
@prefix sousei: <https://w3id.org/sousei-kg/def#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://w3id.org/sousei-kg/id/measure/evil> a sousei:Measure ;
    skos:prefLabel "<script>alert('x')</script>"@en , "</script><script>alert(1)</script>"@ja .
"""


def test_values_are_escaped_in_html_and_json_ld(tmp_path: Path) -> None:
    """A label holding markup must stay text: no <script> from data, no </script> breakout."""
    files = {**FILES, "data/strategy-2025--evil.ttl": MALICIOUS, "queries/README.md": "# none\n"}
    root = write_tree(tmp_path / "evil", files)
    with TestClient(create_app(Settings(resources=root))) as client:
        page = client.get("/doc/measure/evil?lang=en").text
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert page.count("</script>") == 1  # only the JSON-LD element's own end tag
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert match is not None
    labels = json.dumps(json.loads(match.group(1)), ensure_ascii=False)
    assert "</script><script>alert(1)</script>" in labels


def test_public_base_url_rewrites_html_links_only() -> None:
    settings = Settings(public_base_url="https://kg.example.org/base")
    with TestClient(create_app(settings)) as client:
        redirect = client.get("/id/goal/1", follow_redirects=False)
        page = client.get("/doc/goal/1?lang=en").text
        turtle = client.get("/doc/goal/1.ttl").text
    assert redirect.headers["location"] == "https://kg.example.org/base/doc/goal/1"
    assert 'href="https://kg.example.org/base/id/outcome/A"' in page
    assert "testserver" not in page
    assert "<https://w3id.org/sousei-kg/id/goal/1>" in turtle
    assert "kg.example.org" not in turtle


def test_dataset_description_iris_redirect_to_their_documents() -> None:
    """The IRIs minted for the dataset description are not in the store, yet dereference."""
    with TestClient(create_app(Settings())) as client:
        for path, target in (
            ("/id/dataset/sousei-kg", "/dataset"),
            ("/id/catalog/sousei-kg", "/dataset"),
            ("/id/distribution/sousei-kg-ttl", "/dataset"),
            ("/id/service/sparql", "/sparql"),
        ):
            response = client.get(path, follow_redirects=False)
            assert response.status_code == 303, path
            assert response.headers["location"].endswith(target), path
