"""Above ``STATISTICS_MAX_QUADS`` no request counts the dataset: the descriptions take the
statistics the store keeps for the version served, else the light ones (the quads per graph, no
other counts, and what was not counted is left out). Made of the shipped data by setting the bound
low, with the counting spied on: the statistics queries and the union graph's triples."""

import json
import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS

from sousei_kg.app import create_app
from sousei_kg.cli.main import cli
from sousei_kg.config import Settings
from sousei_kg.dataset.graph_naming import shipped_files
from sousei_kg.dataset.knowledge_graph import open_knowledge_graph
from sousei_kg.publication import statistics as statistics_module
from sousei_kg.publication.statistics import (
    BoundedCache,
    compute_statistics,
    describe_built,
    refresh_statistics,
    statistics,
)
from sousei_kg.publication.statistics_record import (
    DatasetStatistics,
    read_statistics_file,
    statistics_from_json,
    statistics_json,
    write_statistics_file,
)
from sousei_kg.remote.graph import open_remote_graph
from sousei_kg.remote.remote_store import RemoteStore
from sousei_kg.routes import dataset as dataset_routes
from sousei_kg.store.backups import backup, restore
from sousei_kg.store.canonical import union_triple_count, union_triples
from sousei_kg.store.directory import STATISTICS_FILE, build_store, read_manifest
from sousei_kg.store.query import run_query
from sousei_kg.store.readable import QueryResult, ReadableStore, Term

VOID = Namespace("http://rdfs.org/ns/void#")
DATASET = URIRef("https://w3id.org/sousei-kg/id/dataset/sousei-kg")
UNION = URIRef("https://w3id.org/sousei-kg/id/dataset/sousei-kg-union")
DATE_TIME = URIRef("http://www.w3.org/2001/XMLSchema#dateTime")
CURATION = URIRef("https://w3id.org/sousei-kg/graph/curation")
COUNTED_ONLY = (
    VOID.entities,
    VOID.distinctSubjects,
    VOID.distinctObjects,
    VOID.classes,
    VOID.properties,
    VOID.classPartition,
    VOID.propertyPartition,
    VOID.exampleResource,
    VOID.vocabulary,
)
"""What the dataset's VoID states only when the whole dataset was counted."""
PAGES = ("/", "/.well-known/void", "/dataset")
SHIPPED_QUADS = 4310


@pytest.fixture
def counting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every count of the whole dataset as it starts: the statistics queries (by their first
    line) and the union graph read or counted. Descriptions already written are forgotten."""
    started: list[str] = []

    def query(
        store: ReadableStore, text: str, params: Mapping[str, Term] | None = None
    ) -> QueryResult:
        started.append(text.splitlines()[0])
        return run_query(store, text, params)

    def triples(*args: Any, **kwargs: Any) -> Any:
        started.append("union_triples")
        return union_triples(*args, **kwargs)

    def count(*args: Any, **kwargs: Any) -> Any:
        started.append("union_triple_count")
        return union_triple_count(*args, **kwargs)

    monkeypatch.setattr(statistics_module, "run_query", query)
    monkeypatch.setattr(statistics_module, "union_triples", triples)
    monkeypatch.setattr(statistics_module, "union_triple_count", count)
    monkeypatch.setattr(dataset_routes, "_DESCRIPTIONS", BoundedCache(64))
    return started


@pytest.fixture
def large(monkeypatch: pytest.MonkeyPatch, counting: list[str]) -> list[str]:
    """The shipped data counts as large (the bound below its 4,310 quads); gives the counts
    started, as :func:`counting`."""
    monkeypatch.setattr(statistics_module, "STATISTICS_MAX_QUADS", 1000)
    return counting


@pytest.fixture
def built(tmp_path: Path) -> Path:
    """A store of the shipped data built as ``sousei-kg build`` builds it (statistics counted)."""
    directory = tmp_path / "store"
    build_store(directory, shipped_files(), statistics=describe_built)
    return directory


@pytest.fixture
def serve() -> Iterator[Callable[..., TestClient]]:
    clients: list[TestClient] = []

    def make(**settings: Any) -> TestClient:
        client = TestClient(create_app(Settings(**settings)))
        clients.append(client.__enter__())
        return clients[-1]

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def void_of(client: TestClient) -> Graph:
    response = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    return Graph().parse(data=response.text, format="turtle")


def number(graph: Graph, subject: URIRef, predicate: URIRef) -> int:
    value = graph.value(subject, predicate)
    assert isinstance(value, Literal), (subject, predicate)
    return int(value.toPython())


def assert_light(void: Graph, quads: int) -> None:
    """The dataset's statements and each graph's, nothing that needs a count of the whole."""
    assert number(void, DATASET, VOID.triples) == quads
    assert number(void, CURATION, VOID.triples) == 2716
    assert (DATASET, VOID.subset, UNION) in void
    assert void.value(UNION, VOID.triples) is None
    for predicate in COUNTED_ONLY:
        assert void.value(DATASET, predicate) is None, predicate


def test_a_large_dataset_is_described_without_counting_it(
    large: list[str], serve: Callable[..., TestClient]
) -> None:
    client = serve()
    for path in PAGES:
        for accept in ("text/html", "text/turtle"):
            response = client.get(path, headers={"Accept": accept}, follow_redirects=False)
            assert response.status_code in (200, 303), (path, accept)
    assert large == []
    assert_light(void_of(client), SHIPPED_QUADS)
    html = client.get("/.well-known/void?lang=en", headers={"Accept": "text/html"}).text
    assert "too large to count on a request" in html
    assert "Distinct triples of the union graph" not in html
    catalogue = client.get("/dataset", headers={"Accept": "text/turtle"}).text
    assert "distinct triples" not in catalogue  # the union dumps' descriptions say no count
    dump = client.get("/download/sousei-kg.ttl").text
    assert "the union graph of all named graphs." in dump.splitlines()[2]
    assert large == []


def test_the_light_statistics_are_explained_once_per_version(
    large: list[str], serve: Callable[..., TestClient], caplog: pytest.LogCaptureFixture
) -> None:
    statistics_module._EXPLAINED.clear()
    with caplog.at_level(logging.WARNING, "sousei_kg.publication.statistics"):
        for _ in range(2):
            client = serve()
            for path in PAGES:
                assert client.get(path).status_code == 200
    explained = [r.getMessage() for r in caplog.records if "counted on a request" in r.message]
    assert len(explained) == 1, explained
    assert "no statistics are stored" in explained[0]
    assert large == []


def test_a_store_keeps_its_statistics_and_a_large_one_is_described_by_them(
    built: Path, large: list[str], serve: Callable[..., TestClient]
) -> None:
    stored = read_statistics_file(built)
    assert stored is not None
    assert stored.version == read_manifest(built).version_hash
    client = serve(store=built)
    for path in PAGES:
        assert client.get(path).status_code == 200
    void = void_of(client)
    assert large == []  # served from the file
    expected = compute_statistics(open_knowledge_graph(Settings()))  # the same data, counted
    assert replace(stored, version=expected.version) == expected
    assert number(void, UNION, VOID.triples) == expected.union_triple_count == SHIPPED_QUADS
    assert number(void, DATASET, VOID.entities) == expected.entities
    assert number(void, DATASET, VOID.distinctSubjects) == expected.distinct_subjects
    assert number(void, DATASET, VOID.distinctObjects) == expected.distinct_objects
    assert expected.class_partitions is not None and expected.property_partitions is not None
    assert number(void, DATASET, VOID.classes) == len(expected.class_partitions)
    assert number(void, DATASET, VOID.properties) == len(expected.property_partitions)
    assert len(set(void.objects(DATASET, VOID.classPartition))) == len(expected.class_partitions)


def test_statistics_of_another_version_are_not_used(
    built: Path, large: list[str], serve: Callable[..., TestClient]
) -> None:
    stored = read_statistics_file(built)
    assert stored is not None
    write_statistics_file(built, replace(stored, version="0" * 64))
    client = serve(store=built)
    assert_light(void_of(client), SHIPPED_QUADS)
    # What is known without reading the data: when the store was built.
    modified = void_of(client).value(DATASET, DCTERMS.modified)
    assert isinstance(modified, Literal) and modified.datatype == DATE_TIME
    assert modified.toPython().isoformat() == read_manifest(built).built_at
    assert client.get("/").status_code == 200
    assert large == []


@pytest.mark.parametrize("content", [b"{", b'{"schema": 1}', b'{"schema": 99}', b"[]"])
def test_an_unreadable_statistics_file_is_not_used(
    built: Path, large: list[str], serve: Callable[..., TestClient], content: bytes
) -> None:
    (built / STATISTICS_FILE).write_bytes(content)
    assert read_statistics_file(built) is None
    assert_light(void_of(serve(store=built)), SHIPPED_QUADS)
    assert large == []


def test_below_the_bound_the_dataset_is_counted_whatever_is_stored(
    built: Path, counting: list[str], serve: Callable[..., TestClient]
) -> None:
    stored = read_statistics_file(built)
    assert stored is not None
    write_statistics_file(built, replace(stored, entities=1, union_triple_count=2))
    void = void_of(serve(store=built))
    assert "union_triples" in counting  # counted on the request, as before
    assert number(void, UNION, VOID.triples) == SHIPPED_QUADS
    assert number(void, DATASET, VOID.entities) == stored.entities


def test_the_remote_backend_is_not_counted_above_the_bound(
    large: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def query(_store: RemoteStore, text: str, **_kwargs: Any) -> QueryResult:
        asked.append(text)
        raise AssertionError("the remote engine was asked")

    monkeypatch.setattr(RemoteStore, "query", query)
    monkeypatch.setattr(RemoteStore, "graph_counts", lambda _store: {str(CURATION): 2_000_000})
    graph = open_remote_graph(
        Settings(
            backend="remote", query_endpoint="http://127.0.0.1:9/sparql", dataset_version="1" * 64
        )
    )
    stats = statistics(graph)
    assert asked == [] and large == []
    assert not stats.counted
    assert stats.quad_count == 2_000_000
    assert stats.graphs == {str(CURATION): 2_000_000}
    assert stats.modified is None  # no manifest, no write: not known


def test_the_statistics_file_reads_back_what_was_written() -> None:
    graph = open_knowledge_graph(Settings())
    stats = compute_statistics(graph)
    assert stats.period is not None and stats.modified is not None
    assert statistics_from_json(statistics_json(stats)) == stats
    light = statistics_module.light_statistics(replace(graph, changed_at=graph.loaded_at))
    assert light.modified is not None and not light.counted
    assert statistics_from_json(statistics_json(light)) == light
    document = json.loads(statistics_json(stats))
    assert document["version"] == stats.version
    assert document["modified"] == {
        "value": stats.modified.value,
        "datatype": "http://www.w3.org/2001/XMLSchema#dateTime",
    }


def test_sousei_kg_build_and_statistics_write_the_file(tmp_path: Path) -> None:
    directory = tmp_path / "store"
    result = CliRunner().invoke(cli, ["build", "--store", str(directory)])
    assert result.exit_code == 0, result.output
    version = read_manifest(directory).version_hash
    first = read_statistics_file(directory)
    assert isinstance(first, DatasetStatistics) and first.version == version
    (directory / STATISTICS_FILE).unlink()
    result = CliRunner().invoke(cli, ["statistics", "--store", str(directory)])
    assert result.exit_code == 0, result.output
    assert f"version hash: {version}" in result.stdout
    assert f"union graph: {SHIPPED_QUADS} distinct triples" in result.stdout
    assert read_statistics_file(directory) == first
    assert refresh_statistics(directory) == first


def test_a_build_without_counting_leaves_no_stale_file(built: Path) -> None:
    build_store(built, shipped_files())
    assert not (built / STATISTICS_FILE).exists()


def test_a_backup_keeps_the_statistics_and_a_restore_brings_them_back(
    built: Path, tmp_path: Path
) -> None:
    stored = read_statistics_file(built)
    assert stored is not None
    backup(built, tmp_path / "backup")
    assert read_statistics_file(tmp_path / "backup") == stored
    write_statistics_file(built, replace(stored, version="0" * 64))
    restore(tmp_path / "backup", built)
    assert read_statistics_file(built) == stored
