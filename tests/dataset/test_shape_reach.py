"""Which shapes are confined to focus nodes, what they read, and why others run whole-graph."""

from rdflib import Graph, Namespace
from rdflib.namespace import RDF

from sousei_kg.dataset.shacl_paths import EMPTY, Read, Repeat, Sequence, Step
from sousei_kg.dataset.shape_reach import ShapesReach, TopShape, analyse_shapes

EX = Namespace("http://example.org/")
PREAMBLE = """\
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <http://example.org/> .
"""


def analyse(turtle: str) -> ShapesReach:
    return analyse_shapes(Graph().parse(data=PREAMBLE + turtle, format="turtle"))


def shape(reach: ShapesReach, name: str) -> TopShape:
    return next(s for s in reach.shapes if s.node == EX[name])


def reads(reach: ShapesReach, name: str) -> set[Read] | None:
    found = shape(reach, name).reads
    return None if found is None else set(found)


def test_a_class_target_and_nested_shapes_give_reads_along_their_paths() -> None:
    reach = analyse("""
        ex:S a sh:NodeShape ; sh:targetClass ex:C ;
            sh:property [ sh:path ( ex:p [ sh:oneOrMorePath ex:q ] ) ; sh:node ex:N ] ;
            sh:property [ sh:path ex:r ; sh:class ex:D ; sh:lessThan ex:s ] .
        ex:N a sh:NodeShape ; sh:closed true ; sh:property [ sh:path [ sh:inversePath ex:t ] ] .
    """)
    p = Step(EX.p)
    q_plus = Sequence((p, Repeat(Step(EX.q), 0, True)))
    values = Sequence((p, Repeat(Step(EX.q), 1, True)))
    assert reads(reach, "S") == {
        Read(EMPTY, RDF.type, False),  # the class target
        Read(EMPTY, EX.p, False),
        Read(q_plus, EX.q, False),
        Read(values, None, False),  # sh:closed at the values of sh:node
        Read(values, EX.t, True),
        Read(EMPTY, EX.r, False),
        Read(Step(EX.r), RDF.type, False),  # sh:class
        Read(EMPTY, EX.s, False),  # sh:lessThan compares with the focus node's ex:s
    }
    assert shape(reach, "S").whole_graph is None
    assert [s.node for s in reach.shapes] == [EX.S]  # ex:N has no target


def test_targets_read_their_predicates() -> None:
    reach = analyse("""
        ex:A sh:targetSubjectsOf ex:p ; sh:nodeKind sh:IRI .
        ex:B sh:targetObjectsOf ex:q ; sh:nodeKind sh:IRI .
        ex:C sh:targetNode ex:x ; sh:nodeKind sh:IRI .
        ex:D a sh:NodeShape , rdfs:Class ; sh:nodeKind sh:IRI .
    """)
    assert reads(reach, "A") == {Read(EMPTY, EX.p, False)}
    assert reads(reach, "B") == {Read(EMPTY, EX.q, True)}
    assert reads(reach, "C") == set()
    assert shape(reach, "C").nodes == {EX.x}
    assert shape(reach, "D").classes == {EX.D}  # an implicit class target
    assert reads(reach, "D") == {Read(EMPTY, RDF.type, False)}


def test_qualified_value_shapes_read_their_siblings_when_disjoint() -> None:
    reach = analyse("""
        ex:S sh:targetNode ex:x ;
            sh:property [ sh:path ex:p ; sh:qualifiedValueShape [ sh:class ex:A ] ;
                          sh:qualifiedMinCount 1 ; sh:qualifiedValueShapesDisjoint true ] ;
            sh:property [ sh:path ex:p ; sh:qualifiedValueShape [ sh:property [ sh:path ex:q ] ] ;
                          sh:qualifiedMinCount 1 ] .
    """)
    assert Read(Step(EX.p), EX.q, False) in (reads(reach, "S") or set())
    assert Read(Step(EX.p), RDF.type, False) in (reads(reach, "S") or set())


def test_why_shapes_are_validated_over_the_whole_graph() -> None:
    reach = analyse("""
        ex:Scan sh:targetNode ex:x ; sh:sparql [ sh:select "SELECT $this WHERE { ?s ?p ?o }" ] .
        ex:Target sh:target [ a sh:SPARQLTarget ; sh:select "SELECT ?this WHERE { ?this <http://example.org/p> 1 }" ] ;
            sh:nodeKind sh:IRI .
        ex:Nested sh:targetClass ex:C ;
            sh:property [ sh:path ex:p ; sh:property [ sh:path ex:q ; sh:minCount 1 ] ] .
        ex:Recursive sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:node ex:Recursive ] .
        ex:Expression sh:targetClass ex:C ; sh:expression [ ex:fn ( ex:x ) ] .
        ex:PathSparql sh:targetClass ex:C ;
            sh:property [ sh:path ex:p ;
                sh:sparql [ sh:select "SELECT $this ?value WHERE { $this $PATH ?value }" ] ] .
    """)
    reasons = {s.node: s.whole_graph or "" for s in reach.whole_graph}
    assert "reads beyond $this" in reasons[EX.Scan]
    assert "SPARQL target" in reasons[EX.Target]
    assert "reports at the value nodes" in reasons[EX.Nested]
    assert "recursive" in reasons[EX.Recursive]
    assert "expression" in reasons[EX.Expression]
    assert "property shape" in reasons[EX.PathSparql]
    assert reach.confined == ()
    # What the whole-graph shapes read, when it is known.
    assert shape(reach, "Scan").predicates == {None}
    assert shape(reach, "Target").predicates == {EX.p}
    assert shape(reach, "Nested").predicates == {RDF.type, EX.p, EX.q}


def test_custom_constraint_components_are_not_confined() -> None:
    reach = analyse("""
        ex:Component a sh:ConstraintComponent ;
            sh:parameter [ sh:path ex:maxWords ] ;
            sh:validator [ a sh:SPARQLAskValidator ; sh:ask "ASK { FILTER(true) }" ] .
        ex:S sh:targetClass ex:C ; ex:maxWords 3 .
    """)
    assert "custom constraint component" in (shape(reach, "S").whole_graph or "")


def test_rules_and_referenced_blank_node_shapes_switch_incremental_validation_off() -> None:
    assert analyse("ex:S sh:targetClass ex:C ; sh:rule [ a sh:TripleRule ] .").off is not None
    assert analyse("ex:F a sh:SPARQLFunction .").off is not None
    assert (
        analyse("""
        ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:node _:b ] .
        _:b sh:targetClass ex:D ; sh:nodeKind sh:IRI .
    """).off
        == "a blank-node shape with targets is also used by another shape"
    )
    assert analyse("ex:S sh:targetClass ex:C ; sh:nodeKind sh:IRI .").off is None
