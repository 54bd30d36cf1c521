"""Changing whole graphs of a store, and reading one (what the Graph Store Protocol and the write
path's staging copy need)."""

from collections.abc import Sequence

from pyoxigraph import DefaultGraph, NamedNode, Quad, Store, Triple

from sousei_kg.store.readable import ReadableStore


def copy_store(store: Store) -> Store:
    """An in-memory copy of every quad (blank-node identifiers kept), and every named graph,
    even an empty one."""
    copy = Store()
    copy.extend(store)
    for graph in store.named_graphs():
        copy.add_graph(graph)
    return copy


def has_named_graph(store: ReadableStore, iri: str) -> bool:
    """Whether the store has the named graph (possibly empty)."""
    return bool(store.contains_named_graph(NamedNode(iri)))


def graph_triples(store: ReadableStore, iri: str | None) -> list[Triple]:
    """The triples of one graph: a named graph, or the default graph for ``None``."""
    graph = DefaultGraph() if iri is None else NamedNode(iri)
    return [quad.triple for quad in store.quads_for_pattern(None, None, None, graph)]


def _graph(iri: str | None) -> NamedNode | DefaultGraph:
    return DefaultGraph() if iri is None else NamedNode(iri)


def merge_graph(store: Store, iri: str | None, triples: Sequence[Triple]) -> bool:
    """Add triples to a graph (``None``: the default graph). Returns whether it created the
    named graph."""
    graph = _graph(iri)
    created = isinstance(graph, NamedNode) and not store.contains_named_graph(graph)
    if isinstance(graph, NamedNode):
        store.add_graph(graph)
    store.extend(Quad(t.subject, t.predicate, t.object, graph) for t in triples)
    return created


def replace_graph(store: Store, iri: str | None, triples: Sequence[Triple]) -> bool:
    """Make a graph hold exactly ``triples``. Returns whether it created the named graph."""
    store.clear_graph(_graph(iri))
    return merge_graph(store, iri, triples)


def drop_graph(store: Store, iri: str | None) -> bool:
    """Remove a named graph (``None``: empty the default graph). Returns whether it existed."""
    graph = _graph(iri)
    if isinstance(graph, NamedNode) and not store.contains_named_graph(graph):
        return False
    store.remove_graph(graph)
    return True
