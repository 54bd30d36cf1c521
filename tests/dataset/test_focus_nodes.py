"""The focus nodes a change affects, and which of them a shape targets."""

from rdflib import Graph, Literal, Namespace
from rdflib.namespace import RDF, RDFS

from sousei_kg.dataset.data_graph import TripleChange
from sousei_kg.dataset.focus_nodes import TargetIndex, affected_nodes
from sousei_kg.dataset.shacl_paths import EMPTY, Read, Repeat, Sequence, Step
from sousei_kg.dataset.shape_reach import TopShape

EX = Namespace("http://example.org/")


def graph(*triples: tuple[object, object, object]) -> Graph:
    data = Graph()
    for triple in triples:
        data.add(triple)  # type: ignore[arg-type]
    return data


def added(*triples: tuple[object, object, object]) -> TripleChange:
    return TripleChange(added=frozenset(triples), removed=frozenset())  # type: ignore[arg-type]


def test_a_read_at_the_focus_node_affects_the_changed_triple_s_subject_or_object() -> None:
    data = graph((EX.a, EX.p, EX.b))
    change = added((EX.a, EX.p, EX.b))
    assert affected_nodes(data, change, [Read(EMPTY, EX.p, False)]) == {EX.a}
    assert affected_nodes(data, change, [Read(EMPTY, EX.p, True)]) == {EX.b}
    assert affected_nodes(data, change, [Read(EMPTY, EX.q, False)]) == set()
    assert affected_nodes(data, change, [Read(EMPTY, None, False)]) == {EX.a}


def test_a_read_further_out_walks_back_to_the_focus_nodes() -> None:
    data = graph(
        (EX.a, EX.p, EX.b),
        (EX.b, EX.p, EX.c),
        (EX.c, EX.q, Literal("x")),
        (EX.z, EX.p, EX.c),
    )
    change = added((EX.c, EX.q, Literal("x")))
    two_hops = Read(Sequence((Step(EX.p), Step(EX.p))), EX.q, False)
    assert affected_nodes(data, change, [two_hops]) == {EX.a}
    transitive = Read(Repeat(Step(EX.p), 0, True), EX.q, False)
    assert affected_nodes(data, change, [transitive]) == {EX.a, EX.b, EX.c, EX.z}


def test_a_removed_edge_on_the_way_is_found_through_its_own_read() -> None:
    """The focus node ``a`` read ``c``'s ``q`` through ``a p b p c``. Both ``b p c`` and ``c q x``
    are removed, so walking back from ``c`` in the post-state misses ``a``; the read of ``p`` at
    ``b`` (a prefix step, itself a read) finds it."""
    data = graph((EX.a, EX.p, EX.b))
    change = TripleChange(
        added=frozenset(),
        removed=frozenset({(EX.b, EX.p, EX.c), (EX.c, EX.q, Literal("x"))}),
    )
    reads = [
        Read(EMPTY, EX.p, False),
        Read(Step(EX.p), EX.p, False),
        Read(Sequence((Step(EX.p), Step(EX.p))), EX.q, False),
    ]
    assert EX.a in affected_nodes(data, change, reads)
    assert affected_nodes(data, change, reads[2:]) == set()


def top(**targets: frozenset[object]) -> TopShape:
    return TopShape(
        node=EX.S,
        classes=targets.get("classes", frozenset()),  # type: ignore[arg-type]
        nodes=targets.get("nodes", frozenset()),  # type: ignore[arg-type]
        subjects_of=targets.get("subjects_of", frozenset()),  # type: ignore[arg-type]
        objects_of=targets.get("objects_of", frozenset()),  # type: ignore[arg-type]
        reads=frozenset(),
        predicates=frozenset(),
        whole_graph=None,
    )


def test_targets_are_decided_as_pyshacl_decides_them() -> None:
    data = graph(
        (EX.Capital, RDFS.subClassOf, EX.City),
        (EX.tokyo, RDF.type, EX.Capital),
        (EX.osaka, RDF.type, EX.City),
        (EX.acme, EX.locatedIn, EX.tokyo),
        (EX.acme, EX.label, Literal("ACME")),
    )
    index = TargetIndex(data)
    everything = {EX.tokyo, EX.osaka, EX.acme, EX.nowhere, Literal("ACME")}
    assert index.targets(top(classes=frozenset({EX.City})), everything) == {EX.tokyo, EX.osaka}
    assert index.targets(top(classes=frozenset({EX.Capital})), everything) == {EX.tokyo}
    assert index.targets(top(nodes=frozenset({EX.nowhere})), everything) == {EX.nowhere}
    assert index.targets(top(subjects_of=frozenset({EX.locatedIn})), everything) == {EX.acme}
    assert index.targets(top(objects_of=frozenset({EX.locatedIn, EX.label})), everything) == {
        EX.tokyo,
        Literal("ACME"),
    }
