"""``/ldes``: the event stream and its fragments over the shipped data (no store: the release
alone). The TREEcg client and writes are in test_ldes_client.py."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import NamedNode, RdfFormat, Store, parse

from sousei_kg.app import create_app
from sousei_kg.config import Settings
from sousei_kg.dataset.graph_naming import load_shipped
from sousei_kg.publication.change_feed import STREAM, FeedUnavailableError, feed_index
from sousei_kg.writes.versions import resources

TREE = "https://w3id.org/tree#"
LDES = "https://w3id.org/ldes#"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings())) as test_client:
        yield test_client


def test_the_stream_names_its_paths_and_view(client: TestClient) -> None:
    answer = client.get("/ldes")
    quads = list(parse(answer.content, format=RdfFormat.TURTLE))
    found = {(q.predicate.value, str(q.object)) for q in quads if q.subject == NamedNode(STREAM)}
    assert (LDES + "versionOfPath", "<http://purl.org/dc/terms/isVersionOf>") in found
    assert (LDES + "timestampPath", "<http://www.w3.org/ns/prov#generatedAtTime>") in found
    assert (TREE + "view", "<http://testserver/ldes/0>") in found


def test_one_member_per_resource_in_linked_fragments(client: TestClient) -> None:
    store = Store()
    load_shipped(store)
    expected = set(resources(store))
    seen: list[str] = []
    page, controls = 0, []
    while True:
        answer = client.get(f"/ldes/{page}", headers={"accept": "application/ld+json"})
        assert answer.status_code == 200
        controls.append(answer.headers["cache-control"])
        quads = list(parse(answer.content, format=RdfFormat.JSON_LD))
        members = [q.object for q in quads if q.predicate == NamedNode(TREE + "member")]
        assert len(members) <= 100
        seen += [
            str(q.object)
            for q in quads
            if q.predicate.value.endswith("isVersionOf") and q.subject in members
        ]
        nodes = [q.object for q in quads if q.predicate == NamedNode(TREE + "node")]
        if not nodes:
            break
        assert nodes == [NamedNode(f"http://testserver/ldes/{page + 1}")]
        page += 1
    assert sorted(seen) == sorted(f"<{r}>" for r in expected)
    assert all("immutable" in c for c in controls[:-1]) and "immutable" not in controls[-1]
    assert client.get(f"/ldes/{page + 1}").status_code == 404
    assert client.get("/ldes/x").status_code == 404


def test_no_feed_on_the_remote_backend(client: TestClient) -> None:
    graph = client.app.state.knowledge_graph  # type: ignore[attr-defined]
    with pytest.raises(FeedUnavailableError, match="embedded store only"):
        feed_index(graph, None, remote=True)
