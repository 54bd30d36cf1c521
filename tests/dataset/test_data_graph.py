"""The data graph of a store and the triples of a change, as incremental validation sees them."""

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, Store
from rdflib import Literal as RdfLiteral
from rdflib import URIRef

from sousei_kg.dataset.data_graph import store_data_graph, triple_change
from sousei_kg.namespaces import SHAPES_GRAPH

EX = "http://example.org/"
INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
CURATION = NamedNode("https://w3id.org/sousei-kg/graph/curation")
STRATEGY = NamedNode("https://w3id.org/sousei-kg/graph/strategy-2025")
SHAPES = NamedNode(SHAPES_GRAPH)


def quad(subject: str, obj: Literal | NamedNode, graph: NamedNode) -> Quad:
    return Quad(NamedNode(EX + subject), NamedNode(EX + "p"), obj, graph)


def test_the_data_graph_is_the_union_without_the_shapes() -> None:
    store = Store()
    store.extend(
        [
            quad("a", Literal("1", datatype=NamedNode(INTEGER)), CURATION),
            quad("a", Literal("1", datatype=NamedNode(INTEGER)), STRATEGY),
            quad("b", Literal("x", language="ja"), STRATEGY),
            quad("c", Literal("plain"), STRATEGY),
            quad("shape", NamedNode(EX + "S"), SHAPES),
        ]
    )
    assert set(store_data_graph(store)) == {
        (URIRef(EX + "a"), URIRef(EX + "p"), RdfLiteral("1", datatype=URIRef(INTEGER))),
        (URIRef(EX + "b"), URIRef(EX + "p"), RdfLiteral("x", lang="ja")),
        (URIRef(EX + "c"), URIRef(EX + "p"), RdfLiteral("plain")),
    }


def test_a_change_lists_the_triples_of_its_quads_outside_the_shapes_graph() -> None:
    change = triple_change(
        removed=[quad("a", NamedNode(EX + "b"), CURATION)],
        added=[
            quad("c", Literal("x"), STRATEGY),
            quad("shape", NamedNode(EX + "S"), SHAPES),
            Quad(BlankNode("n1"), NamedNode(EX + "p"), Literal("y"), STRATEGY),
        ],
    )
    assert (URIRef(EX + "a"), URIRef(EX + "p"), URIRef(EX + "b")) in change.removed
    assert (URIRef(EX + "c"), URIRef(EX + "p"), RdfLiteral("x")) in change.added
    assert len(change.added) == 2  # the blank node's triple, not the shape's
    assert change.triples == change.added | change.removed
