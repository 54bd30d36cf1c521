"""The remote backend's knowledge graph: the dataset's graphs in an engine the publisher runs."""

from datetime import UTC, datetime

from sousei_kg.config import Settings
from sousei_kg.dataset.graph_naming import dataset_graphs
from sousei_kg.dataset.knowledge_graph import KnowledgeGraph
from sousei_kg.errors import StoreNotFoundError
from sousei_kg.remote.remote_store import RemoteStore
from sousei_kg.remote.sparql_client import RemoteEndpoints
from sousei_kg.store.canonical import version_hash


def remote_store(settings: Settings) -> RemoteStore:
    """The remote engine's store the settings describe (nothing is sent yet)."""
    assert settings.query_endpoint is not None  # noqa: S101 (Settings checks it)
    endpoints = RemoteEndpoints(
        query=settings.query_endpoint,
        update=settings.update_endpoint,
        graph_store=settings.gsp_endpoint,
        engine=settings.engine,
    )
    graphs = [*dataset_graphs(settings.resources), *settings.extra_graphs]
    return RemoteStore(endpoints, graphs, settings.query_timeout)


def open_remote_graph(settings: Settings) -> KnowledgeGraph:
    """Count the dataset's graphs in the engine and hash them (unless the hash is given).

    Raises:
        StoreNotFoundError: the engine holds none of the dataset's graphs.
        RemoteUnavailableError: the engine cannot be reached.
    """
    store = remote_store(settings)
    graphs = store.graph_counts()
    if not graphs:
        raise StoreNotFoundError(
            f"the SPARQL engine at {settings.query_endpoint} holds none of the dataset's graphs; "
            "load them with `sousei-kg load --to GSP_URL`"
        )
    return KnowledgeGraph(
        store=store,
        version=settings.dataset_version or version_hash(store),
        quad_count=sum(graphs.values()),
        graphs=graphs,
        loaded_at=datetime.now(UTC),
        resources=settings.resources,
    )
