"""What the remote backend reads from a query's text and adds to it (sousei_kg.remote.query_text)."""

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, QueryBoolean, RdfFormat, Store, Variable

from sousei_kg.remote.query_text import (
    RemoteQueryError,
    dataset_clause,
    query_form,
    with_bindings,
)

DATA = """
<http://ex/a> <http://ex/p> <http://ex/b> .
<http://ex/b> <http://ex/p> <http://ex/c> .
<http://ex/x> <http://ex/p> <http://ex/y> .
<http://ex/a> <http://ex/label> "a"@en .
<http://ex/x> <http://ex/label> "x"@en .
"""


@pytest.fixture(scope="module")
def store() -> Store:
    store = Store()
    store.load(DATA.encode(), RdfFormat.N_TRIPLES)
    return store


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("PREFIX select: <http://ex/> # SELECT\nASK { ?s ?p ?o }", "ASK"),
        ('SELECT ("CONSTRUCT" AS ?x) WHERE {}', "SELECT"),
        ("construct where { ?s ?p ?o }", "CONSTRUCT"),
        ("DESCRIBE <http://ex/a>", "DESCRIBE"),
    ],
)
def test_the_query_form_is_read_past_prefixes_comments_and_strings(query: str, form: str) -> None:
    assert query_form(query) == form


def test_an_update_is_not_a_query() -> None:
    with pytest.raises(RemoteQueryError, match="not a SPARQL query"):
        query_form("INSERT DATA { <http://ex/a> <http://ex/p> <http://ex/b> }")


@pytest.mark.parametrize(
    ("query", "bindings"),
    [
        # A property path from the bound subject (Virtuoso ignored a VALUES join here).
        ("SELECT ?start ?end WHERE { ?start <http://ex/p>* ?end }", {"start": "http://ex/a"}),
        # The variable used inside a subquery that projects it (the label search).
        (
            "SELECT ?q ?s WHERE { { SELECT ?q ?s WHERE { ?s <http://ex/label> ?l "
            "FILTER(STR(?l) = STR(?q)) } } }",
            {"q": Literal("x")},
        ),
        # Grouped, with the parameter projected and grouped on.
        (
            "SELECT ?s (COUNT(*) AS ?n) WHERE { ?s <http://ex/p>+ ?o } GROUP BY ?s",
            {"s": "http://ex/a"},
        ),
        # ASK and CONSTRUCT (Virtuoso refuses a trailing VALUES after them).
        ("ASK WHERE { ?s <http://ex/p> <http://ex/c> }", {"s": "http://ex/b"}),
        ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", {"s": "http://ex/x"}),
        # No WHERE keyword: the trailing VALUES block.
        ("SELECT ?s ?o { ?s <http://ex/p> ?o }", {"s": "http://ex/b"}),
        # A comment ended by a bare CR between WHERE and its group (SPARQL 1.1 §19.6): the group
        # is still found, so the outer pattern is bound and not only the subquery's.
        (
            "SELECT ?s ?o ?x WHERE #c\r{ ?s <http://ex/p> ?o "
            "{ SELECT ?x WHERE { ?x <http://ex/label> ?l } } }",
            {"s": "http://ex/a"},
        ),
    ],
)
def test_bound_text_answers_what_pyoxigraph_substitution_answers(
    store: Store, query: str, bindings: dict[str, object]
) -> None:
    terms = {
        Variable(name): NamedNode(value) if isinstance(value, str) else value
        for name, value in bindings.items()
    }
    expected = store.query(query, substitutions=terms)  # type: ignore[arg-type]
    rewritten = with_bindings(query, terms)  # type: ignore[arg-type]
    assert rewritten != query
    got = store.query(rewritten)
    if isinstance(expected, QueryBoolean) or isinstance(got, QueryBoolean):
        assert isinstance(got, QueryBoolean) and bool(got) == bool(expected)
    else:
        want = sorted(map(str, expected))
        assert want, "an empty expected answer would prove nothing"
        assert sorted(map(str, got)) == want


def test_terms_are_written_by_pyoxigraph_never_pasted() -> None:
    hostile = Literal('x" } } ; DROP ALL ; SELECT * { "')
    rewritten = with_bindings("SELECT ?q WHERE { }", {Variable("q"): hostile})
    assert 'BIND("x\\" } } ; DROP ALL ; SELECT * { \\"" AS ?q)' in rewritten
    assert Store().query(rewritten)  # still one well-formed query


def test_blank_nodes_cannot_be_sent() -> None:
    with pytest.raises(RemoteQueryError, match="only IRIs and literals"):
        with_bindings("SELECT ?s WHERE { ?s ?p ?o }", {Variable("s"): BlankNode()})


def test_the_dataset_clause_is_resolved() -> None:
    clause = dataset_clause(
        "PREFIX g: <http://ex/g/> SELECT * FROM g:one FROM NAMED <two> WHERE { ?s ?p ?o }",
        "http://base/",
    )
    assert clause is not None
    assert clause.default == ("http://ex/g/one",)
    assert clause.named == ("http://base/two",)
    assert dataset_clause("SELECT * WHERE { ?s ?p ?o } # FROM <x>", None) is None
