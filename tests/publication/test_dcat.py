"""The DCAT 3 catalogue at /dataset (issue 3): catalogue, dataset, one distribution per download,
the SPARQL endpoint as a data service, and the temporal coverage as the data states it."""

import hashlib

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS

from conftest import REPO

ID = "https://w3id.org/sousei-kg/id/"
CATALOG = URIRef(ID + "catalog/sousei-kg")
DATASET = URIRef(ID + "dataset/sousei-kg")
SERVICE = URIRef(ID + "service/sparql")
CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")
IANA = "https://www.iana.org/assignments/media-types/"
BASE = "http://testserver/"
DUMP_KEYS = ("ttl", "nt", "nq", "trig", "jsonld")
PROV = Namespace("http://www.w3.org/ns/prov#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")  # open: rdflib's closed DCAT lacks DCAT 3 terms
DATA = REPO / "data"


@pytest.fixture(scope="module")
def dcat(client: TestClient) -> Graph:
    response = client.get("/dataset", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["vary"].startswith("Accept")
    return Graph().parse(data=response.text, format="turtle")


def distributions(dcat: Graph) -> dict[str, URIRef]:
    """Dump file name → distribution (the CSV tables under ``tables/`` are left out: they are
    checked in ``tests/publication/test_csv_tables.py``)."""
    found: dict[str, URIRef] = {}
    for dist in dcat.objects(DATASET, DCAT.distribution):
        assert isinstance(dist, URIRef)
        url = str(dcat.value(dist, DCAT.downloadURL))
        if url.startswith(BASE + "download/"):
            found[url.removeprefix(BASE + "download/")] = dist
    return found


@pytest.mark.parametrize(
    ("fmt", "parser"), [("jsonld", "json-ld"), ("rdfxml", "xml"), ("nt", "nt")]
)
def test_parses_in_other_formats(client: TestClient, dcat: Graph, fmt: str, parser: str) -> None:
    parsed = Graph().parse(
        data=client.get("/dataset", params={"format": fmt}).content, format=parser
    )
    assert len(parsed) == len(dcat)


def test_catalog_holds_dataset_and_service(dcat: Graph) -> None:
    assert (CATALOG, RDF.type, DCAT.Catalog) in dcat
    assert (CATALOG, DCAT.dataset, DATASET) in dcat
    assert (CATALOG, DCAT.service, SERVICE) in dcat
    titles = {t.language for t in dcat.objects(CATALOG, DCTERMS.title) if isinstance(t, Literal)}
    assert titles == {"ja", "en"}
    assert dcat.value(CATALOG, DCTERMS.publisher) is not None


def test_dataset_metadata(client: TestClient, dcat: Graph) -> None:
    assert (DATASET, RDF.type, DCAT.Dataset) in dcat
    assert dcat.value(DATASET, DCTERMS.license) == CC_BY
    titles = {t.language for t in dcat.objects(DATASET, DCTERMS.title) if isinstance(t, Literal)}
    assert titles == {"ja", "en"}
    keywords = {k.language for k in dcat.objects(DATASET, DCAT.keyword) if isinstance(k, Literal)}
    assert keywords == {"ja", "en"}
    source = URIRef(ID + "document/strategy-summary-2025")
    assert dcat.value(DATASET, PROV.wasDerivedFrom) == source
    # DCAT-AP's dcterms:source is a dcat:Dataset; the summary is a document (issue 19).
    assert dcat.value(DATASET, DCTERMS.source) is None
    version = client.get("/health").json()["dataset_version"]
    # Harvesters deduplicate by dcterms:identifier: the dataset's IRI, the same in every version.
    assert dcat.value(DATASET, DCTERMS.identifier) == Literal(str(DATASET))
    assert dcat.value(DATASET, DCAT.version) == Literal(version)
    assert (DATASET, RDFS.seeAlso, URIRef(BASE + ".well-known/void")) in dcat


def test_temporal_coverage_is_the_datas(dcat: Graph) -> None:
    data = Graph()
    for path in DATA.glob("*.ttl"):
        data.parse(path, format="turtle")
    period = data.value(URIRef(ID + "strategy/2025"), DCTERMS.temporal)
    assert period is not None
    assert dcat.value(DATASET, DCTERMS.temporal) == period
    start, end = dcat.value(period, DCAT.startDate), dcat.value(period, DCAT.endDate)
    assert start == data.value(period, DCAT.startDate)
    assert end == data.value(period, DCAT.endDate)
    assert isinstance(start, Literal) and str(start) == "2025-04-01"
    assert isinstance(end, Literal) and str(end) == "2030-03-31"


def test_one_distribution_per_dump(client: TestClient, dcat: Graph) -> None:
    found = distributions(dcat)
    assert set(found) == {f"sousei-kg.{k}{gz}" for k in DUMP_KEYS for gz in ("", ".gz")}
    for name, dist in found.items():
        assert dist == URIRef(
            ID + "distribution/sousei-kg-" + name.removeprefix("sousei-kg.").replace(".", "-")
        )
        response = client.get(f"/download/{name}", headers={"Accept-Encoding": "identity"})
        assert response.status_code == 200, name
        size = dcat.value(dist, DCAT.byteSize)
        assert isinstance(size, Literal)
        assert int(size.toPython()) == len(response.content)
        media_type = str(dcat.value(dist, DCAT.mediaType)).removeprefix(IANA)
        assert response.headers["content-type"].startswith(
            "application/gzip" if name.endswith(".gz") else media_type
        )
        compress = dcat.value(dist, DCAT.compressFormat)
        assert (compress == URIRef(IANA + "application/gzip")) == name.endswith(".gz")
        assert dcat.value(dist, DCTERMS.conformsTo) is not None
        assert dcat.value(dist, DCTERMS.license) == CC_BY
        checksum = dcat.value(dist, SPDX.checksum)
        digest = hashlib.sha256(response.content).hexdigest()
        assert str(dcat.value(checksum, SPDX.checksumValue)) == digest


def test_distributions_say_union_or_named_graphs(dcat: Graph) -> None:
    found = distributions(dcat)
    for name, dist in found.items():
        description = str(dcat.value(dist, DCTERMS.description))
        union = name.split(".")[1] in ("ttl", "nt")
        assert ("union graph" in description) == union, name


def test_sparql_endpoint_is_a_data_service(dcat: Graph) -> None:
    assert (SERVICE, RDF.type, DCAT.DataService) in dcat
    assert dcat.value(SERVICE, DCAT.endpointURL) == URIRef(BASE + "sparql")
    assert dcat.value(SERVICE, DCAT.endpointDescription) == URIRef(BASE + "sparql")
    assert dcat.value(SERVICE, DCAT.servesDataset) == DATASET
    assert dcat.value(SERVICE, DCTERMS.conformsTo) == URIRef(
        "https://www.w3.org/TR/sparql11-protocol/"
    )


def test_html_page_lists_downloads(client: TestClient) -> None:
    response = client.get("/dataset", headers={"Accept": "text/html", "Accept-Language": "en"})
    assert response.headers["content-type"].startswith("text/html")
    for key in DUMP_KEYS:
        assert f'href="{BASE}download/sousei-kg.{key}"' in response.text
    assert BASE + "sparql" in response.text
    assert "CC BY 4.0" in response.text
    assert client.get("/dataset?format=html&lang=ja").text.count("<tr>") > 10


def test_html_page_lists_the_csv_tables_with_their_metadata(client: TestClient) -> None:
    page = client.get("/dataset", headers={"Accept": "text/html", "Accept-Language": "en"}).text
    for name in ("measures", "organisations", "programmes", "attributions"):
        assert f'href="{BASE}tables/{name}.csv"' in page
        assert f'href="{BASE}tables/{name}.csv-metadata.json"' in page


def test_catalogue_and_void_link_each_other(client: TestClient, dcat: Graph) -> None:
    """Both ways (issue 19): each document points at the other, the catalogue gives the VoID as a
    page of the dataset, and the VoID names the catalogue that lists the dataset."""
    void = Graph().parse(data=client.get("/.well-known/void").text, format="turtle")
    void_url, dcat_url = URIRef(BASE + ".well-known/void"), URIRef(BASE + "dataset")
    assert (DATASET, FOAF.page, void_url) in dcat
    assert (void_url, RDF.type, FOAF.Document) in dcat
    assert (CATALOG, RDFS.seeAlso, void_url) in dcat
    assert (CATALOG, DCAT.dataset, DATASET) in void
    assert (CATALOG, FOAF.page, dcat_url) in void
    assert (void_url, RDFS.seeAlso, dcat_url) in void
    landing = dcat.value(DATASET, DCAT.landingPage)
    assert landing == URIRef("https://w3id.org/sousei-kg/dataset")
    assert void.value(DATASET, DCAT.landingPage) == landing


@pytest.mark.parametrize(
    ("iri", "document"),
    [
        ("catalog/sousei-kg", "dataset"),
        ("contact-point/deployment", "dataset"),
        ("distribution/sousei-kg-ttl-gz", "dataset"),
        ("quality/metric/named-measures", "dataset"),
        ("quality/measurement/measure-coverage", "dataset"),
        ("quality/validation-report", "quality/validation-report"),
        ("service/sparql", "sparql"),
    ],
)
def test_minted_iris_lead_to_their_documents(client: TestClient, iri: str, document: str) -> None:
    response = client.get("/id/" + iri, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == BASE + document
