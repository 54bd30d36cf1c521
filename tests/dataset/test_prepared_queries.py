"""The SPARQL processor that keeps each text's translation answers as rdflib's own does, for
different bindings of the same text, and parses a text once."""

from rdflib import Graph, Literal, URIRef, Variable
from rdflib.plugins.sparql.processor import SPARQLProcessor

from sousei_kg.dataset import prepared_queries

DATA = """
@prefix ex: <https://example.org/> .
ex:a ex:p "1", "2" . ex:b ex:p "3" . ex:c ex:q ex:a .
"""
TEXT = "SELECT ?o WHERE { $this ex:p ?o } ORDER BY ?o"
NAMESPACES = {"ex": "https://example.org/"}


def rows(result: object) -> list[tuple[object, ...]]:
    return [tuple(row) for row in result]  # type: ignore[attr-defined]


def test_answers_as_rdflib_does_for_each_binding_and_parses_once() -> None:
    graph = Graph().parse(data=DATA, format="turtle")
    plain = SPARQLProcessor(graph)  # type: ignore[no-untyped-call]
    prepared_queries.install()
    prepared_queries._translated.cache_clear()
    for name in ("a", "b", "c"):
        this = {"this": URIRef("https://example.org/" + name)}
        raw = plain.query(TEXT, initBindings=this, initNs=NAMESPACES)  # rdflib's own processor
        expected = [(binding[Variable("o")],) for binding in raw["bindings"]]
        answered = rows(graph.query(TEXT, initBindings=this, initNs=NAMESPACES))
        assert answered == expected
    assert rows(
        graph.query(TEXT, initBindings={"this": URIRef("https://example.org/a")}, initNs=NAMESPACES)
    ) == [(Literal("1"),), (Literal("2"),)]
    info = prepared_queries._translated.cache_info()
    assert info.misses == 1 and info.hits == 3  # one text, translated once


def test_other_namespaces_are_another_translation() -> None:
    graph = Graph().parse(data=DATA, format="turtle")
    prepared_queries.install()
    other = {"ex": "https://example.org/other/"}
    this = {"this": URIRef("https://example.org/a")}
    assert rows(graph.query(TEXT, initBindings=this, initNs=other)) == []
    assert len(rows(graph.query(TEXT, initBindings=this, initNs=NAMESPACES))) == 2
