"""A linked-data harvester that knows only one resource's local URL finds the endpoint, the dumps
and the vocabulary by following links, as issue 3 asks: 303 → document → ``Link`` headers → VoID →
``void:sparqlEndpoint`` / ``void:dataDump`` / ``void:vocabulary`` → each of them works."""

import re

import httpx
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import VOID

LINK = re.compile(r'<([^>]+)>\s*;\s*rel="([^"]+)"(?:\s*;\s*type="([^"]+)")?')


def links(response: httpx.Response) -> list[tuple[str, str, str | None]]:
    """(target, rel, type) of every ``Link`` header, resolved against the response URL."""
    found = []
    for header in response.headers.get_list("link"):
        for target, rel, media in LINK.findall(header):
            found.append((str(response.url.join(target)), rel, media or None))
    return found


@pytest.mark.live
def test_harvest_from_one_resource(live_server: str) -> None:
    with httpx.Client(timeout=30) as http:
        start = live_server + "id/goal/2"
        redirect = http.get(start, headers={"Accept": "text/turtle"})
        assert redirect.status_code == 303
        document = http.get(redirect.headers["location"], headers={"Accept": "text/turtle"})
        assert document.status_code == 200
        Graph().parse(data=document.text, format="turtle")

        void_links = [t for t, rel, _ in links(document) if rel.endswith("void#inDataset")]
        assert void_links, "the document should point at the VoID description of its dataset"
        void_response = http.get(void_links[0], headers={"Accept": "text/turtle"})
        void = Graph().parse(data=void_response.text, format="turtle")

        endpoints = {str(o) for o in void.objects(None, VOID.sparqlEndpoint)}
        dumps = {str(o) for o in void.objects(None, VOID.dataDump)}
        vocabularies = {str(o) for o in void.objects(None, VOID.vocabulary)}
        assert endpoints and dumps

        for endpoint in endpoints:
            answer = http.get(endpoint, params={"query": "ASK { ?s a ?t }"})
            assert answer.status_code == 200 and answer.json()["boolean"] is True
        for dump in dumps:
            response = http.get(dump)
            assert response.status_code == 200 and len(response.content) > 1000

        # The vocabulary: its canonical IRI is listed, and the VoID says where this deployment
        # serves a copy (foaf:page, void:dataDump), so the harvester needs no other knowledge.
        own = URIRef("https://w3id.org/sousei-kg/def")
        assert own in {URIRef(v) for v in vocabularies}
        copies = [str(o) for o in void.objects(own, VOID.dataDump)]
        assert copies and copies[0].startswith(live_server)
        vocabulary = http.get(copies[0], headers={"Accept": "text/turtle"})
        ontology = Graph().parse(data=vocabulary.text, format="turtle")
        assert (URIRef("https://w3id.org/sousei-kg/def#Measure"), None, None) in ontology
