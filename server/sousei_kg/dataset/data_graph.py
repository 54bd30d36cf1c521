"""The data graph pySHACL validates, taken from a store, and a change as rdflib triples.

The data graph is the store's union graph without ``graph:shapes``, passed through N-Triples, so
literals are exactly the rdflib terms a full validation sees. Blank nodes get fresh labels on every
parse, as in a full validation; incremental validation validates everything when the data or the
change holds a blank node (see :mod:`sousei_kg.dataset.incremental_validation`).
"""

from collections.abc import Iterable
from dataclasses import dataclass

from pyoxigraph import NamedNode, Quad, RdfFormat, Triple, serialize
from rdflib import Graph
from rdflib.term import Node

from sousei_kg.namespaces import SHAPES_GRAPH
from sousei_kg.store.canonical import union_triples
from sousei_kg.store.readable import ReadableStore

RdfTriple = tuple[Node, Node, Node]


@dataclass(frozen=True)
class TripleChange:
    """What a write changes in the union graph, as rdflib triples.

    A quad removed from one graph may leave its triple in another; such triples are listed anyway,
    which only makes the validation look at a little more than it must.
    """

    added: frozenset[RdfTriple]
    removed: frozenset[RdfTriple]

    @property
    def triples(self) -> frozenset[RdfTriple]:
        """Every added or removed triple."""
        return self.added | self.removed


def rdflib_graph(triples: Iterable[Triple]) -> Graph:
    """pyoxigraph triples as an rdflib graph."""
    graph = Graph()
    text = serialize(list(triples), format=RdfFormat.N_TRIPLES) or b""
    graph.parse(data=text.decode("utf-8"), format="nt")
    return graph


def store_data_graph(store: ReadableStore) -> Graph:
    """The store's union graph without ``graph:shapes``, as an rdflib graph."""
    return rdflib_graph(union_triples(store, exclude_graphs=frozenset({SHAPES_GRAPH})))


def triple_change(removed: Iterable[Quad], added: Iterable[Quad]) -> TripleChange:
    """The triples of a write's removed and added quads (those of ``graph:shapes`` left out: the
    data graph does not hold them)."""
    return TripleChange(
        added=frozenset(rdflib_graph(_data_triples(added))),
        removed=frozenset(rdflib_graph(_data_triples(removed))),
    )


def _data_triples(quads: Iterable[Quad]) -> list[Triple]:
    return [
        quad.triple
        for quad in quads
        if not (isinstance(quad.graph_name, NamedNode) and quad.graph_name.value == SHAPES_GRAPH)
    ]
