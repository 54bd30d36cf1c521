"""Dumps and descriptions over real HTTP (issue 3): a standard client downloads each dump gzipped,
and rdflib reads the VoID and the DCAT catalogue straight from their URLs."""

import gzip

import httpx
import pytest
from rdflib import Dataset, Graph, Literal, Namespace, URIRef

VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DATASET = URIRef("https://w3id.org/sousei-kg/id/dataset/sousei-kg")
PARSERS = {"ttl": "turtle", "nt": "nt", "nq": "nquads", "trig": "trig", "jsonld": "json-ld"}

pytestmark = pytest.mark.live


def test_rdflib_reads_the_descriptions(live_server: str) -> None:
    void = Graph().parse(live_server + ".well-known/void")
    assert void.value(DATASET, VOID.sparqlEndpoint) == URIRef(live_server + "sparql")
    catalog = Graph().parse(live_server + "dataset")
    assert (DATASET, DCAT.distribution, None) in catalog
    service = URIRef("https://w3id.org/sousei-kg/id/service/sparql")
    assert catalog.value(service, DCAT.endpointURL) == URIRef(live_server + "sparql")


@pytest.mark.parametrize("key", sorted(PARSERS))
def test_dump_downloads_gzipped(live_server: str, key: str) -> None:
    void = Graph().parse(data=httpx.get(live_server + ".well-known/void").text, format="turtle")
    url = f"{live_server}download/sousei-kg.{key}"
    with httpx.stream("GET", url, headers={"Accept-Encoding": "gzip"}, timeout=30) as response:
        assert response.status_code == 200
        assert response.headers["content-encoding"] == "gzip"
        raw = b"".join(response.iter_raw())
    body = gzip.decompress(raw)
    if key in ("ttl", "nt"):
        count = len(Graph().parse(data=body, format=PARSERS[key]))
    else:
        dataset = Dataset()
        dataset.parse(data=body, format=PARSERS[key])
        count = sum(1 for _ in dataset.quads((None, None, None, None)))
    holder = void.value(None, VOID.dataDump, URIRef(url))
    assert holder is not None
    expected = void.value(holder, VOID.triples)
    assert isinstance(expected, Literal)
    assert count == int(expected.toPython())
