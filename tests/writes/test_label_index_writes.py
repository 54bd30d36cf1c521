"""The label index follows every acknowledged write (issue 20): a label a write adds is found by
search-labels and the web search right after the 2xx, one it removes is gone, and the index names
the version the server publishes."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sousei_kg.app import create_app
from sousei_kg.dataset.graph_naming import shipped_files
from sousei_kg.store.directory import build_store
from sousei_kg.store.label_index import INDEX_FILE, index_version
from sousei_kg.writes.baseline_file import NO_VIOLATIONS, remember_baseline
from write_support import UPDATE, WRITER, write_settings

THING = "urn:test:label-index-thing"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
TRIPLE = f'<{THING}> <{LABEL}> "稀有な交通の名前"@ja'
GRAPH = "urn:test:label-index"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("label-index") / "store"
    manifest = build_store(store, shipped_files())
    remember_baseline(store, manifest.version_hash, None, NO_VIOLATIONS)
    assert index_version(store) == manifest.version_hash  # `sousei-kg build` makes the index
    return store


@pytest.fixture(scope="module")
def client(store: Path) -> Iterator[TestClient]:
    with TestClient(create_app(write_settings(store, None))) as client:
        yield client


def found(client: TestClient, text: str) -> list[str]:
    answer = client.get("/queries/search-labels", params={"text": text})
    assert answer.status_code == 200, answer.text
    return [b["resource"]["value"] for b in answer.json()["results"]["bindings"]]


def hits(client: TestClient, text: str) -> list[str]:
    answer = client.get("/search", params={"q": text, "format": "json"})
    return [hit["iri"] for hit in answer.json()["results"]]


def write(client: TestClient, store: Path, update: str) -> None:
    answer = client.post("/update", content=update, headers={"Content-Type": UPDATE, **WRITER})
    assert answer.status_code == 200, answer.text
    assert index_version(store) == answer.json()["dataset_version"]
    # The server answers from the index, not without it: it holds the published version.
    graph = client.app.state.knowledge_graph  # type: ignore[attr-defined]
    assert graph.version == answer.json()["dataset_version"]
    assert graph.labels is not None and graph.labels.candidates("稀有", graph.version) is not None


def test_a_label_is_found_after_its_write_and_gone_after_its_removal(
    client: TestClient, store: Path
) -> None:
    assert (store / INDEX_FILE).is_file()
    for text in ("稀有", "稀", "稀有な交通"):
        assert THING not in found(client, text)
    write(client, store, f"INSERT DATA {{ GRAPH <{GRAPH}> {{ {TRIPLE} }} }}")
    for text in ("稀有", "稀", "稀有な交通", "な交通の名"):  # two, one, three+ characters
        assert THING in found(client, text), text
        assert THING in hits(client, text), text
    write(client, store, f"DELETE DATA {{ GRAPH <{GRAPH}> {{ {TRIPLE} }} }}")
    for text in ("稀有", "稀", "稀有な交通"):
        assert THING not in found(client, text)
        assert THING not in hits(client, text)


def typed(client: TestClient, text: str) -> list[tuple[str, str | None]]:
    answer = client.get("/queries/search-labels", params={"text": text})
    assert answer.status_code == 200, answer.text
    return [
        (b["resource"]["value"], b["type"]["value"] if "type" in b else None)
        for b in answer.json()["results"]["bindings"]
    ]


def test_a_type_a_write_adds_or_removes_is_in_the_next_answer(
    client: TestClient, store: Path
) -> None:
    """search-labels is answered from the index, types included: a write that changes only a
    labelled resource's type (no label) must reach it before the 2xx."""
    kind = "urn:test:label-index-kind"
    typing = f"<{THING}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{kind}>"
    write(client, store, f"INSERT DATA {{ GRAPH <{GRAPH}> {{ {TRIPLE} }} }}")
    assert typed(client, "稀有") == [(THING, None)]
    write(client, store, f"INSERT DATA {{ GRAPH <{GRAPH}> {{ {typing} }} }}")
    assert typed(client, "稀有") == [(THING, kind)]
    graph = client.app.state.knowledge_graph  # type: ignore[attr-defined]
    answered = graph.labels.answer("稀有", graph.version, lambda _: True, 0)
    assert answered is not None and [r.type for r in answered] == [kind]  # from the index
    write(client, store, f"DELETE DATA {{ GRAPH <{GRAPH}> {{ {typing} }} }}")
    assert typed(client, "稀有") == [(THING, None)]
    write(client, store, f"DELETE DATA {{ GRAPH <{GRAPH}> {{ {TRIPLE} }} }}")
    assert typed(client, "稀有") == []
