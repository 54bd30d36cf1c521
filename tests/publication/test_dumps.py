"""The dumps at /download/sousei-kg.* (issue 3): each re-parses to as many statements as the VoID
says, is offered gzip-compressed, and answers conditional requests with 304."""

import gzip
import os
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient
from rdflib import Dataset, Graph, Literal, Namespace, URIRef

from sousei_kg.publication.dumps import accepts_gzip

VOID = Namespace("http://rdfs.org/ns/void#")
BASE = "http://testserver/"
PARSERS = {"ttl": "turtle", "nt": "nt", "nq": "nquads", "trig": "trig", "jsonld": "json-ld"}
UNION_FORMATS = {"ttl", "nt"}
IDENTITY = {"Accept-Encoding": "identity"}


@pytest.fixture(scope="module")
def void(client: TestClient) -> Graph:
    return Graph().parse(data=client.get("/.well-known/void").text, format="turtle")


def statements(body: bytes, key: str) -> int:
    """Parse a dump and count its statements: triples for ttl/nt, quads otherwise."""
    if key in UNION_FORMATS:
        return len(Graph().parse(data=body, format=PARSERS[key]))
    dataset = Dataset()
    dataset.parse(data=body, format=PARSERS[key])
    return sum(1 for _ in dataset.quads((None, None, None, None)))


def void_count(void: Graph, url: str) -> int:
    """void:triples of the (sub)dataset that lists ``url`` as its void:dataDump."""
    holders = list(void.subjects(VOID.dataDump, URIRef(url)))
    assert len(holders) == 1, url
    value = void.value(holders[0], VOID.triples)
    assert isinstance(value, Literal)
    return int(value.toPython())


@pytest.mark.parametrize("key", sorted(PARSERS))
def test_dump_reparses_to_the_voids_count(client: TestClient, void: Graph, key: str) -> None:
    name = f"sousei-kg.{key}"
    response = client.get(f"/download/{name}", headers=IDENTITY)
    assert response.status_code == 200
    assert "content-encoding" not in response.headers
    assert response.headers["content-disposition"] == f'attachment; filename="{name}"'
    assert statements(response.content, key) == void_count(void, BASE + "download/" + name)
    packed = client.get(f"/download/{name}.gz", headers=IDENTITY)
    assert packed.headers["content-type"] == "application/gzip"
    assert gzip.decompress(packed.content) == response.content


def test_union_dumps_say_so(client: TestClient) -> None:
    for key in UNION_FORMATS:
        head = client.get(f"/download/sousei-kg.{key}").text[:400]
        assert "union graph" in head


def test_nquads_keep_every_graph(client: TestClient, void: Graph) -> None:
    dataset = Dataset()
    dataset.parse(data=client.get("/download/sousei-kg.nq").content, format="nquads")
    graphs = {str(quad[3]) for quad in dataset.quads((None, None, None, None))}
    dataset_iri = URIRef("https://w3id.org/sousei-kg/id/dataset/sousei-kg")
    subsets = {str(s) for s in void.objects(dataset_iri, VOID.subset)}
    assert graphs == {s for s in subsets if "/graph/" in s}


def test_gzip_when_accepted(client: TestClient) -> None:
    response = client.get("/download/sousei-kg.nt", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["vary"]
    plain = client.get("/download/sousei-kg.nt", headers=IDENTITY)
    assert response.content == plain.content  # the client decoded it
    assert response.headers["etag"] != plain.headers["etag"]
    assert int(response.headers["content-length"]) < len(plain.content) / 3


@pytest.mark.parametrize(
    "path",
    ["/download/sousei-kg.ttl", "/download/sousei-kg.nq.gz", "/dataset", "/.well-known/void"],
)
def test_not_modified(client: TestClient, path: str) -> None:
    first = client.get(path)
    etag, last_modified = first.headers["etag"], first.headers["last-modified"]
    by_tag = client.get(path, headers={"If-None-Match": etag})
    assert by_tag.status_code == 304
    assert by_tag.headers["etag"] == etag
    assert by_tag.content == b""
    by_date = client.get(path, headers={"If-Modified-Since": last_modified})
    assert by_date.status_code == 304
    assert client.get(path, headers={"If-None-Match": '"other"'}).status_code == 200


def test_head_and_unknown_dump(client: TestClient) -> None:
    head = client.head("/download/sousei-kg.trig", headers=IDENTITY)
    assert head.status_code == 200
    assert head.content == b""
    assert int(head.headers["content-length"]) > 1000
    assert len(head.headers["x-dataset-version"]) == 64
    assert client.get("/download/sousei-kg.rdf").status_code == 404


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, False),
        ("", False),
        ("gzip", True),
        ("deflate, gzip;q=0.5", True),
        ("gzip;q=0", False),
        ("*", True),
        ("*, gzip;q=0", False),
        ("br, x-gzip", True),
        ("identity", False),
    ],
)
def test_accepts_gzip(header: str | None, expected: bool) -> None:
    assert accepts_gzip(header) is expected


def test_dumps_are_the_same_bytes_in_every_process() -> None:
    """The strong ETag is derived from the dataset version, so two servers over the same data must
    send identical bytes (rdflib's JSON-LD order varies with the hash seed; ours must not)."""
    script = (
        "import hashlib, sys\n"
        "from fastapi.testclient import TestClient\n"
        "from sousei_kg.app import create_app\n"
        "from sousei_kg.config import Settings\n"
        "with TestClient(create_app(Settings())) as c:\n"
        "    for k in ('ttl', 'nt', 'nq', 'trig', 'jsonld'):\n"
        "        body = c.get('/download/sousei-kg.' + k, headers={'Accept-Encoding': 'identity'}).content\n"
        "        print(k, hashlib.sha256(body).hexdigest())\n"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-W", "ignore", "-c", script],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    ]
    assert runs[0] == runs[1]
    assert runs[0].count("\n") == 5
