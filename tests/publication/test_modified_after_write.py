"""``dcterms:modified`` in VoID and DCAT moves when an acknowledged write changes the data, so a
harvester that compares it sees the change; it survives a restart (the manifest records it), and a
store as built reports the data's own latest ``prov:generatedAtTime``."""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from sousei_kg.app import create_app
from sousei_kg.dataset.graph_naming import shipped_files
from sousei_kg.store.directory import build_store, read_manifest
from sousei_kg.writes.baseline_file import NO_VIOLATIONS, remember_baseline
from write_support import UPDATE, WRITER, write_settings

DATASET = URIRef("https://w3id.org/sousei-kg/id/dataset/sousei-kg")
INSERT = 'INSERT DATA { GRAPH <urn:test:modified> { <urn:test:a> <urn:test:b> "c" } }'


@pytest.fixture
def store(tmp_path: Path) -> Path:
    store = tmp_path / "store"
    manifest = build_store(store, shipped_files())
    remember_baseline(store, manifest.version_hash, None, NO_VIOLATIONS)
    return store


def modified(client: TestClient, path: str) -> datetime:
    answer = client.get(path, headers={"Accept": "text/turtle"})
    assert answer.status_code == 200, answer.text
    values = set(
        Graph().parse(data=answer.text, format="turtle").objects(DATASET, DCTERMS.modified)
    )
    assert len(values) == 1, values
    (value,) = values
    assert isinstance(value, Literal)
    moment = datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@pytest.fixture
def client(store: Path) -> Iterator[TestClient]:
    with TestClient(create_app(write_settings(store, None))) as client:
        yield client


def test_a_write_moves_dcterms_modified_in_void_and_dcat(store: Path, client: TestClient) -> None:
    released = modified(client, "/dataset")
    assert read_manifest(store).changed_at is None  # as built
    before = datetime.now(UTC)
    answer = client.post("/update", content=INSERT, headers={"Content-Type": UPDATE, **WRITER})
    assert answer.status_code == 200, answer.text
    for path in ("/dataset", "/.well-known/void"):
        after = modified(client, path)
        assert after > released and after >= before.replace(microsecond=0), path
    recorded = read_manifest(store).changed_at
    assert recorded is not None and datetime.fromisoformat(recorded) >= before


def test_the_time_of_the_last_write_survives_a_restart(store: Path) -> None:
    with TestClient(create_app(write_settings(store, None))) as first:
        answer = first.post("/update", content=INSERT, headers={"Content-Type": UPDATE, **WRITER})
        assert answer.status_code == 200, answer.text
        written = modified(first, "/dataset")
    with TestClient(create_app(write_settings(store, None))) as second:
        assert modified(second, "/dataset") == written
