"""The union graph's distinct triples, counted without holding them (``union_triple_count``): the
same number as ``len(union_triples(store))``, which holds every triple in Python."""

from hypothesis import given, settings
from hypothesis import strategies as st
from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad, Store

from sousei_kg.dataset.graph_naming import load_shipped
from sousei_kg.store.canonical import graph_counts, union_triple_count, union_triples

EX = "https://example.org/"
TERMS = [NamedNode(EX + name) for name in "abc"]
GRAPHS: list[NamedNode | DefaultGraph] = [
    DefaultGraph(),
    *(NamedNode(EX + f"graph/{n}") for n in range(3)),
]


def test_the_shipped_data() -> None:
    store = Store()
    load_shipped(store, None)
    assert union_triple_count(store, graph_counts(store)) == len(union_triples(store)) == 4310


def test_a_triple_in_several_graphs_counts_once() -> None:
    s, p, o = TERMS
    blank = BlankNode("b")
    store = Store()
    big = NamedNode(EX + "graph/big")
    store.extend(Quad(NamedNode(EX + f"x{i}"), p, o, big) for i in range(10))
    # in the largest graph and two others; in the default graph and one other; in one only
    store.extend(Quad(NamedNode(EX + "x1"), p, o, g) for g in GRAPHS[1:3])
    store.extend(Quad(s, p, blank, g) for g in GRAPHS[:2])
    store.extend(Quad(s, p, Literal("only"), g) for g in GRAPHS[3:])
    graphs = graph_counts(store)
    assert sum(graphs.values()) == len(store) == 15
    assert union_triple_count(store, graphs) == len(union_triples(store)) == 12


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(TERMS),
            st.sampled_from(TERMS),
            st.sampled_from(TERMS),
            st.sampled_from(range(len(GRAPHS))),
        ),
        max_size=40,
    )
)
def test_as_many_as_the_union_graph_holds(
    quads: list[tuple[NamedNode, NamedNode, NamedNode, int]],
) -> None:
    store = Store()
    store.extend(Quad(s, p, o, GRAPHS[g]) for s, p, o, g in quads)
    assert union_triple_count(store, graph_counts(store)) == len(union_triples(store))
