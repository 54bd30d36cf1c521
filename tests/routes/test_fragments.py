"""``/fragments``: Triple Pattern Fragments over the shipped data, with the Quad Pattern
Fragments ``graph`` (a real client, Comunica, is in test_fragments_comunica.py)."""

import threading
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    RdfFormat,
    Store,
    Triple,
    parse,
)

from sousei_kg.app import create_app
from sousei_kg.config import Settings
from sousei_kg.dataset.graph_naming import load_shipped
from sousei_kg.execution.versioned_lru import VersionedLRU
from sousei_kg.publication import fragments
from sousei_kg.publication.fragment_pattern import UNION_GRAPH
from sousei_kg.publication.fragments import PAGE_SIZE

HYDRA = "http://www.w3.org/ns/hydra/core#"
VOID = "http://rdfs.org/ns/void#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
META = "https://w3id.org/sousei-kg/graph/meta"
TRIG = {"accept": "application/trig"}


@pytest.fixture(scope="module")
def store() -> Store:
    store = Store()
    load_shipped(store)
    return store


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings())) as test_client:
        yield test_client


def _quads(body: bytes, fmt: RdfFormat, base: str) -> list[Quad]:
    return list(parse(body, format=fmt, base_iri=base))


def _data(quads: list[Quad]) -> list[Quad]:
    """The page without its controls (TriG keeps them in the ``#metadata`` graph)."""
    return [
        q
        for q in quads
        if not (isinstance(q.graph_name, NamedNode) and "#metadata" in q.graph_name.value)
    ]


def _text(term: object) -> str:
    assert isinstance(term, NamedNode | BlankNode | Literal)
    return term.value


def _value(quads: list[Quad], subject: str, predicate: str) -> str | None:
    for quad in quads:
        if quad.subject == NamedNode(subject) and quad.predicate == NamedNode(predicate):
            return _text(quad.object)
    return None


def _walk(client: TestClient, url: str) -> tuple[list[Quad], int, int]:
    """Every page of a fragment by its hydra:next links: the data, the count, the pages."""
    data: list[Quad] = []
    pages = 0
    count = -1
    while url:
        answer = client.get(url, headers=TRIG)
        assert answer.status_code == 200, answer.text
        quads = _quads(answer.content, RdfFormat.TRIG, url)
        page = _data(quads)
        assert len({Triple(q.subject, q.predicate, q.object) for q in page}) <= PAGE_SIZE
        data += page
        pages += 1
        whole = url.split("&page=")[0].split("?page=")[0]
        count = int(_value(quads, whole, HYDRA + "totalItems") or -1)
        url = _value(quads, url, HYDRA + "next") or ""
    return data, count, pages


def test_the_default_fragment_is_every_named_graph_page_by_page(
    client: TestClient, store: Store
) -> None:
    """Pages of 100 triples linked by hydra:next; each quad in its own graph; the count is the
    number of distinct triples; together the pages are exactly the store's quads."""
    data, count, pages = _walk(client, "http://testserver/fragments")
    assert set(data) == set(store)
    union = {Triple(q.subject, q.predicate, q.object) for q in store}
    assert count == len(union) and pages == -(-len(union) // PAGE_SIZE)


def test_a_pattern_a_graph_and_the_union(client: TestClient, store: Store) -> None:
    predicate = SKOS + "prefLabel"
    expected = {
        q for q in store.quads_for_pattern(None, NamedNode(predicate), None, NamedNode(META))
    }
    assert expected
    query = urlencode({"predicate": predicate, "graph": META})
    data, count, _ = _walk(client, f"http://testserver/fragments?{query}")
    assert set(data) == expected and count == len(expected)
    # The union: every named graph's triples, as the default graph.
    query = urlencode({"predicate": predicate, "graph": UNION_GRAPH})
    data, count, _ = _walk(client, f"http://testserver/fragments?{query}")
    union = {
        Triple(q.subject, q.predicate, q.object)
        for q in store.quads_for_pattern(None, NamedNode(predicate), None)
    }
    assert {Triple(q.subject, q.predicate, q.object) for q in data} == union
    assert all(q.graph_name == DefaultGraph() for q in data) and count == len(union)


def test_literal_objects_and_an_empty_fragment(client: TestClient) -> None:
    answer = client.get("/fragments", params={"object": '"強い経済"@ja'}, headers=TRIG)
    data = _data(_quads(answer.content, RdfFormat.TRIG, "http://testserver/"))
    assert "https://w3id.org/sousei-kg/id/goal/1" in {_text(q.subject) for q in data}
    assert all(_text(q.object) == "強い経済" for q in data)
    empty = client.get("/fragments", params={"subject": "http://nothing.example/"}, headers=TRIG)
    assert empty.status_code == 200
    quads = _quads(empty.content, RdfFormat.TRIG, "http://testserver/")
    assert _data(quads) == []
    assert _value(quads, str(empty.url), HYDRA + "totalItems") == "0"


def test_the_search_form_and_the_default_graph_are_declared(client: TestClient) -> None:
    quads = _quads(
        client.get("/fragments", headers=TRIG).content, RdfFormat.TRIG, "http://testserver/"
    )
    templates = [_text(q.object) for q in quads if q.predicate == NamedNode(HYDRA + "template")]
    assert templates == ["http://testserver/fragments{?subject,predicate,object,graph}"]
    variables = {_text(q.object) for q in quads if q.predicate == NamedNode(HYDRA + "variable")}
    assert variables == {"subject", "predicate", "object", "graph"}
    default = [_text(q.object) for q in quads if q.predicate.value.endswith("#defaultGraph")]
    assert default == [UNION_GRAPH]


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", RdfFormat.TURTLE),
        ("application/n-triples", RdfFormat.N_TRIPLES),
        ("application/ld+json", RdfFormat.JSON_LD),
        ("application/trig", RdfFormat.TRIG),
    ],
)
def test_formats_by_accept(client: TestClient, accept: str, fmt: RdfFormat) -> None:
    answer = client.get(
        "/fragments",
        params={"subject": "https://w3id.org/sousei-kg/id/goal/1"},
        headers={"accept": accept},
    )
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith(accept)
    quads = _quads(answer.content, fmt, "http://testserver/")
    labels = {_text(q.object) for q in quads if q.predicate == NamedNode(SKOS + "prefLabel")}
    assert "強い経済" in labels
    assert any(q.predicate == NamedNode(VOID + "triples") for q in quads)


def test_validators_and_caching(client: TestClient) -> None:
    first = client.get("/fragments", params={"predicate": SKOS + "notation"})
    etag = first.headers["etag"]
    assert first.headers["cache-control"].startswith("public")
    assert "Accept" in first.headers["vary"]
    again = client.get(
        "/fragments", params={"predicate": SKOS + "notation"}, headers={"if-none-match": etag}
    )
    assert again.status_code == 304
    other = client.get("/fragments", params={"predicate": SKOS + "prefLabel"})
    assert other.headers["etag"] != etag


def test_bad_requests_get_clear_errors(client: TestClient) -> None:
    bad = client.get("/fragments", params={"predicate": '"literal"'})
    assert bad.status_code == 400
    assert bad.text.startswith("400 Bad Request: predicate: a literal cannot be a predicate")
    past = client.get("/fragments", params={"predicate": SKOS + "notation", "page": "99"})
    assert past.status_code == 404 and "past the last page" in past.text
    assert client.get("/fragments", headers={"accept": "text/csv"}).status_code == 406


def test_reads_from_the_store_are_bounded_server_wide(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fragment not yet read waits for one of the read slots, then gets a 503 that says why;
    a fragment already read is answered from the cache while the slots are busy."""
    read = {"predicate": SKOS + "prefLabel"}
    assert client.get("/fragments", params=read, headers=TRIG).status_code == 200
    busy = threading.BoundedSemaphore(1)
    monkeypatch.setattr(fragments, "_READS", busy)
    monkeypatch.setattr(fragments, "READ_WAIT_SECONDS", 0.2)
    unread = {"predicate": SKOS + "altLabel", "object": '"never read before"@en'}
    assert busy.acquire(timeout=1)  # another request is reading
    try:
        refused = client.get("/fragments", params=unread, headers=TRIG)
        assert refused.status_code == 503
        assert refused.headers["retry-after"] == "5"
        assert "reading 2 other fragments" in refused.text and "retry" in refused.text
        assert client.get("/fragments", params=read, headers=TRIG).status_code == 200
    finally:
        busy.release()
    assert client.get("/fragments", params=unread, headers=TRIG).status_code == 200


def test_a_fragment_larger_than_the_cut_says_its_count_is_a_lower_bound(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fragments, "MAX_FRAGMENT_TRIPLES", 10)
    fresh = VersionedLRU(fragments.CACHE_BYTES, fragments._entry_bytes)
    monkeypatch.setattr(fragments, "_CACHE", fresh)  # not the whole fragment read before
    broad = {"predicate": SKOS + "prefLabel", "graph": UNION_GRAPH}
    fresh_answer = {"accept": "application/trig, */*;q=0.1"}  # not the response cache's copy
    answer = client.get("/fragments", params=broad, headers=fresh_answer)
    assert answer.status_code == 200
    quads = _quads(answer.content, RdfFormat.TRIG, str(answer.url))
    whole = str(answer.url)
    assert _value(quads, whole, HYDRA + "totalItems") == "10"
    comment = _value(quads, whole, "http://www.w3.org/2000/01/rdf-schema#comment")
    assert comment == "cut at 10 triples: the count is a lower bound"
    assert len(_data(quads)) == 10
