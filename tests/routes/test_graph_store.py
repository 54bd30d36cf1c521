"""``/store``: the Graph Store HTTP Protocol behind tokens, validated like ``/update`` (issue 5)."""

from collections.abc import Iterator

import pytest
import rdflib
from fastapi.testclient import TestClient

from sousei_kg.app import create_app
from write_support import READER, SOUSEI, WRITER, listener, small_store, write_settings

G = "urn:example:graph"
TTL = {"Content-Type": "text/turtle", **WRITER}
RDFXML = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="urn:a"><rdf:value>plain</rdf:value></rdf:Description>
</rdf:RDF>"""
BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="urn:a"><rdf:value>&b;</rdf:value></rdf:Description>
</rdf:RDF>"""


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    store, resources = small_store(tmp_path_factory.mktemp("gsp"))
    with TestClient(create_app(write_settings(store, resources))) as client:
        yield client


def triples(client: TestClient, target: str) -> set[tuple[str, str, str]]:
    """The graph's triples without blank nodes (their labels differ from one read to the next)."""
    response = client.get(f"/store?{target}", headers={**READER, "Accept": "application/n-triples"})
    assert response.status_code == 200, response.text
    graph = rdflib.Graph().parse(data=response.text, format="nt")
    return {
        (str(s), str(p), str(o))
        for s, p, o in graph
        if not isinstance(s, rdflib.BNode) and not isinstance(o, rdflib.BNode)
    }


def test_put_post_get_delete_a_named_graph(client: TestClient) -> None:
    target = f"graph={G}"
    assert client.get(f"/store?{target}", headers=READER).status_code == 404
    response = client.put(f"/store?{target}", content="<urn:a> <urn:b> 1 .", headers=TTL)
    assert response.status_code == 201
    assert triples(client, target) == {("urn:a", "urn:b", "1")}
    response = client.put(f"/store?{target}", content="<urn:a> <urn:b> 2 .", headers=TTL)
    assert response.status_code == 204
    response = client.post(f"/store?{target}", content="<urn:a> <urn:b> 3 .", headers=TTL)
    assert response.status_code == 204
    assert triples(client, target) == {("urn:a", "urn:b", "2"), ("urn:a", "urn:b", "3")}
    rows = client.get(
        "/sparql", params={"query": f"SELECT ?o {{ GRAPH <{G}> {{ ?s ?p ?o }} }}"}
    ).json()["results"]["bindings"]
    assert sorted(row["o"]["value"] for row in rows) == ["2", "3"]
    assert client.delete(f"/store?{target}", headers=WRITER).status_code == 204
    assert client.get(f"/store?{target}", headers=READER).status_code == 404
    assert client.delete(f"/store?{target}", headers=WRITER).status_code == 404


def test_the_default_graph_is_the_read_only_union(client: TestClient) -> None:
    """?default reads what every query reads as its default graph: the union of the named
    graphs; writing it is refused (405), and nothing changes."""
    assert client.put("/store?graph=urn:g1", content="<urn:a> <urn:b> <urn:c> .", headers=TTL)
    assert client.put("/store?graph=urn:g2", content="<urn:d> <urn:e> <urn:f> .", headers=TTL)
    union = triples(client, "default")
    assert {("urn:a", "urn:b", "urn:c"), ("urn:d", "urn:e", "urn:f")} <= union
    for method in ("PUT", "POST", "DELETE"):
        body = "<urn:x> <urn:y> <urn:z> ." if method != "DELETE" else None
        refused = client.request(method, "/store?default", content=body, headers=TTL)
        assert refused.status_code == 405 and refused.headers["Allow"] == "GET, HEAD"
        assert "read-only union" in refused.text
    assert triples(client, "default") == union


@pytest.mark.parametrize(
    ("media", "body"),
    [
        ("application/n-triples", "<urn:a> <urn:b> <urn:c> ."),
        ("application/rdf+xml", RDFXML),
        ("application/ld+json", '{"@id": "urn:a", "urn:b": "c"}'),
    ],
)
def test_graph_syntaxes(client: TestClient, media: str, body: str) -> None:
    response = client.put(
        "/store?graph=urn:syntax", content=body, headers={"Content-Type": media, **WRITER}
    )
    assert response.status_code in (201, 204), response.text
    assert len(triples(client, "graph=urn:syntax")) == 1


@pytest.mark.parametrize("media", ["application/n-quads", "text/csv", None])
def test_other_media_types_are_415(client: TestClient, media: str | None) -> None:
    headers = {**WRITER, **({"Content-Type": media} if media else {})}
    response = client.put(
        "/store?graph=urn:x", content="<urn:a> <urn:b> <urn:c> .", headers=headers
    )
    assert response.status_code == 415


def test_rdf_xml_with_a_doctype_is_refused(client: TestClient) -> None:
    response = client.put(
        "/store?graph=urn:xml",
        content=BILLION_LAUGHS,
        headers={"Content-Type": "application/rdf+xml", **WRITER},
    )
    assert response.status_code == 400 and "DOCTYPE" in response.text


@pytest.mark.live
def test_json_ld_remote_context_is_never_fetched(client: TestClient) -> None:
    with listener() as (url, connections):
        body = f'{{"@context": "{url}context.jsonld", "@id": "urn:a", "b": "c"}}'
        response = client.put(
            "/store?graph=urn:ld",
            content=body,
            headers={"Content-Type": "application/ld+json", **WRITER},
        )
    assert response.status_code == 400
    assert connections == []


@pytest.mark.parametrize("graph", ["ontology", "shapes"])
def test_vocabulary_and_shapes_graphs_are_read_only(client: TestClient, graph: str) -> None:
    target = f"/store?graph={SOUSEI}graph/{graph}"
    assert client.put(target, content="<urn:a> <urn:b> <urn:c> .", headers=TTL).status_code == 403
    assert client.delete(target, headers=WRITER).status_code == 403
    assert client.get(target, headers=READER).status_code == 200


def test_violating_put_is_409(client: TestClient) -> None:
    body = f"<{SOUSEI}id/measure/nolabel> a <{SOUSEI}def#Measure> ."
    response = client.put(f"/store?graph={SOUSEI}graph/curation", content=body, headers=TTL)
    assert response.status_code == 409
    assert "ValidationReport" in response.text


@pytest.mark.parametrize("query", ["", "default&graph=urn:a", "graph=urn:a&graph=urn:b", "graph=x"])
def test_exactly_one_graph_must_be_named(client: TestClient, query: str) -> None:
    assert client.get(f"/store?{query}", headers=READER).status_code == 400
