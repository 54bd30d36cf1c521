"""Dumps and descriptions over real HTTP (issue 3): a standard client downloads each dump gzipped,
and rdflib reads the VoID and the DCAT catalogue straight from their URLs."""

import gzip

import httpx
import pytest
from rdflib import Dataset, Graph, Literal, Namespace, URIRef

from conftest import running_server
from dcat_ap_support import accepted, mandatory_and_range, recommended

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


def test_a_harvester_validates_the_catalogue_of_a_configured_server() -> None:
    """A real ``serve`` with the catalogue's flags (issue 19): a harvester reads ``/dataset`` by
    its URL, validates it with the DCAT-AP shapes, and finds the operator's contact point, the
    planned availability and the public base URL in it; also with ``--workers 2``, whose
    processes take the options from the environment ``serve`` hands them."""
    public = "https://kg.example.org/"
    flags = (
        "--public-base-url",
        public,
        "--contact-name",
        "Example Open Data Team",
        "--contact-url",
        "mailto:opendata@example.org",
        "--planned-availability",
        "available",
        "--workers",
        "2",
    )
    with running_server(None, *flags) as base:
        response = httpx.get(base + "dataset", headers={"Accept": "text/turtle"}, timeout=30)
    assert response.status_code == 200
    catalog = Graph().parse(data=response.text, format="turtle")
    assert mandatory_and_range(catalog) == set()
    assert recommended(catalog) == accepted()
    vcard = Namespace("http://www.w3.org/2006/vcard/ns#")
    contact = catalog.value(DATASET, DCAT.contactPoint)
    assert catalog.value(contact, vcard.hasEmail) == URIRef("mailto:opendata@example.org")
    assert str(catalog.value(contact, vcard.fn)) == "Example Open Data Team"
    availability = URIRef("http://data.europa.eu/r5r/availability")
    available = "http://publications.europa.eu/resource/authority/planned-availability/AVAILABLE"
    assert set(catalog.objects(None, availability)) == {URIRef(available)}
    assert catalog.value(DATASET, DCAT.landingPage) == URIRef(public + "dataset")
