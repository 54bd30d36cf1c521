"""What a SHACL-SPARQL query reads relative to $this, and when it reads the whole graph."""

import pytest
from rdflib import Namespace
from rdflib.namespace import RDF

from sousei_kg.dataset.shacl_paths import EMPTY, Read, Repeat, Sequence, Step
from sousei_kg.dataset.sparql_reach import query_reach

EX = Namespace("http://example.org/")
PREFIXES = {"ex": str(EX)}


def reach_of(where: str, *, this_bound: bool = True) -> set[Read] | None:
    reads = query_reach(
        f"SELECT $this ?value WHERE {{ {where} }}", PREFIXES, this_bound=this_bound
    ).reads
    return None if reads is None else set(reads)


def test_patterns_reached_from_this_give_reads_with_their_paths() -> None:
    assert reach_of("$this ex:p ?x . ?x ex:q ?value . ?y ex:r ?x") == {
        Read(EMPTY, EX.p, False),
        Read(Step(EX.p), EX.q, False),
        Read(Step(EX.p), EX.r, True),
    }


def test_patterns_may_be_written_in_any_order() -> None:
    assert reach_of("?x ex:q ?value . $this ex:p ?x") == {
        Read(EMPTY, EX.p, False),
        Read(Step(EX.p), EX.q, False),
    }


def test_property_paths_and_variable_predicates() -> None:
    assert reach_of("$this ex:p+/^ex:q ?value . $this ?any ?o") == {
        Read(EMPTY, None, False),
        Read(Repeat(Step(EX.p), 0, True), EX.p, False),
        Read(Repeat(Step(EX.p), 1, True), EX.q, True),
    }


def test_not_exists_sees_the_variables_of_its_group() -> None:
    assert reach_of("$this ex:p ?value . FILTER NOT EXISTS { ?value a ex:C }") == {
        Read(EMPTY, EX.p, False),
        Read(Step(EX.p), RDF.type, False),
    }


def test_a_subselect_grouped_by_this_is_anchored() -> None:
    where = """$this ex:count ?declared .
        { SELECT $this (COUNT(?m) AS ?n) WHERE { OPTIONAL { ?m ex:in $this } } GROUP BY $this }
        FILTER(?n != ?declared)"""
    assert reach_of(where) == {Read(EMPTY, EX["count"], False), Read(EMPTY, EX["in"], True)}


@pytest.mark.parametrize(
    "where",
    [
        pytest.param("{ ?value ?p ?o } UNION { ?s ?p ?value } FILTER(isBlank(?value))", id="scan"),
        pytest.param(
            "$this ex:count ?n . { SELECT (COUNT(?m) AS ?all) WHERE { ?m a ex:M } }",
            id="count-of-everything",
        ),
        pytest.param("$this ex:p ?x . FILTER NOT EXISTS { ?y ex:q ?z }", id="unrelated-exists"),
        # ?y is only bound when the OPTIONAL matches: unbound, ?y ex:r ?z matches every edge.
        pytest.param("$this ex:p ?x . OPTIONAL { ?x ex:q ?y } ?y ex:r ?value", id="optional-var"),
        # A FILTER in a UNION branch does not see what the enclosing group binds (rdflib
        # evaluates this branch with ?x unbound).
        pytest.param(
            "$this ex:p ?x . { FILTER NOT EXISTS { ?x ex:q ?z } } UNION { ?x ex:r ?z }",
            id="filter-in-union-branch",
        ),
        pytest.param("$this ex:p ?x . MINUS { ?x ex:q ?z }", id="minus"),
        pytest.param("GRAPH ?g { $this ex:p ?value }", id="graph"),
        pytest.param("$this ex:p ?x . ex:const ex:q ?value", id="constant-subject"),
    ],
)
def test_queries_that_read_beyond_this(where: str) -> None:
    assert reach_of(where) is None


def test_this_anchors_nothing_in_a_target_query() -> None:
    assert reach_of("?this a ex:C", this_bound=False) is None


def test_predicates_are_listed_even_when_unanchored() -> None:
    reach = query_reach(
        "SELECT ?this WHERE { ?this a ex:C . FILTER NOT EXISTS { ?x ex:p/ex:q ?this } }",
        PREFIXES,
        this_bound=False,
    )
    assert reach.predicates == {RDF.type, EX.p, EX.q}
    assert None in query_reach("SELECT * WHERE { ?s ?p ?o }").predicates


def test_a_query_that_does_not_parse_reads_anything() -> None:
    reach = query_reach("SELECT $this WHERE { $this undeclared:p ?x }", PREFIXES)
    assert reach.reads is None
    assert reach.predicates == {None}


def test_the_reads_of_a_two_hop_query_follow_sequences() -> None:
    reads = reach_of("$this ex:p ?x . ?x ex:q ?y . ?y ex:r ?value")
    assert Read(Sequence((Step(EX.p), Step(EX.q))), EX.r, False) in (reads or set())
