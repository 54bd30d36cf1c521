"""The DCAT catalogue lists Triple Pattern Fragments and the LDES feed as ``dcat:DataService``s
conforming to their specifications, whose endpoints answer."""

from fastapi.testclient import TestClient
from pyoxigraph import NamedNode, RdfFormat, parse

from sousei_kg.publication import catalogue_registry

FRAGMENTS_SERVICE = catalogue_registry.FRAGMENTS_SERVICE.iri
FEED_SERVICE = catalogue_registry.FEED_SERVICE.iri

DCAT = "http://www.w3.org/ns/dcat#"
CONFORMS = NamedNode("http://purl.org/dc/terms/conformsTo")


def test_every_service_is_in_the_catalogue_and_answers(client: TestClient) -> None:
    answer = client.get("/dataset", headers={"accept": "text/turtle"})
    quads = list(parse(answer.content, format=RdfFormat.TURTLE))
    services = {q.object for q in quads if q.predicate == NamedNode(DCAT + "service")}
    assert {NamedNode(FRAGMENTS_SERVICE), NamedNode(FEED_SERVICE)} <= services
    assert len(services) == 3  # with the SPARQL endpoint

    def objects(subject: str, predicate: NamedNode) -> set[str]:
        return {
            str(q.object)
            for q in quads
            if q.subject == NamedNode(subject) and q.predicate == predicate
        }

    assert "<https://linkeddatafragments.org/specification/triple-pattern-fragments/>" in objects(
        FRAGMENTS_SERVICE, CONFORMS
    )
    assert "<https://w3id.org/ldes/specification>" in objects(FEED_SERVICE, CONFORMS)
    for service in (FRAGMENTS_SERVICE, FEED_SERVICE):
        assert objects(service, NamedNode(DCAT + "servesDataset"))
        (endpoint,) = objects(service, NamedNode(DCAT + "endpointURL"))
        assert objects(service, NamedNode(DCAT + "endpointDescription")) == {endpoint}
        assert client.get(endpoint.strip("<>")).status_code == 200
