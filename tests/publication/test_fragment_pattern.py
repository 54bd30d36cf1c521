"""Reading a Triple Pattern Fragment request: terms in the Linked Data Fragments notation, bounded
before any parser, refused with a message that names the parameter."""

import pytest
from pyoxigraph import Literal, NamedNode

from sousei_kg.publication.fragment_pattern import (
    MAX_PAGE,
    MAX_TERM_CHARS,
    UNION_GRAPH,
    FragmentRequestError,
    read_pattern,
)

XSD = "http://www.w3.org/2001/XMLSchema#"


def test_iris_literals_and_variables() -> None:
    pattern = read_pattern(
        {
            "subject": ["https://w3id.org/sousei-kg/id/goal/1"],
            "predicate": ["<http://www.w3.org/2004/02/skos/core#prefLabel>"],
            "object": ['"強い経済"@ja'],
        }
    )
    assert pattern.subject == NamedNode("https://w3id.org/sousei-kg/id/goal/1")
    assert pattern.predicate == NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
    assert pattern.object == Literal("強い経済", language="ja")
    assert pattern.graph == "all" and pattern.page == 1 and not pattern.paged
    for variable in ("", "?s", "_:b0"):
        assert read_pattern({"subject": [variable]}).subject is None


def test_literal_forms_and_the_last_quote_ends_the_text() -> None:
    assert read_pattern({"object": ['"5"^^' + XSD + "integer"]}).object == Literal(
        "5", datatype=NamedNode(XSD + "integer")
    )
    assert read_pattern({"object": ['"plain"']}).object == Literal("plain")
    assert read_pattern({"object": ['"say "hi""@en']}).object == Literal('say "hi"', language="en")


def test_graph_selects_one_graph_or_the_union() -> None:
    graph = "https://w3id.org/sousei-kg/graph/meta"
    assert read_pattern({"graph": [graph]}).graph == NamedNode(graph)
    assert read_pattern({"graph": [UNION_GRAPH]}).graph == "union"
    assert read_pattern({"graph": ["?g"]}).graph == "all"


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"subject": ['"a literal"']}, "subject: a literal cannot be a subject"),
        ({"predicate": ["not an iri"]}, "predicate: 'not an iri' is not an IRI"),
        ({"object": ['"x"@@']}, "is not a literal"),
        ({"object": ['"x"^^not-absolute']}, "object datatype"),
        ({"graph": ['"g"']}, "graph: a literal cannot be a graph"),
        ({"subject": ["http://a/", "http://b/"]}, "subject is given 2 times"),
        ({"page": ["0"]}, "page: '0' is not a page number"),
        ({"page": ["-1"]}, "is not a page number"),
        ({"page": [str(MAX_PAGE + 1)]}, "is not a page number"),
        ({"page": ["9" * 400]}, "is not a page number"),
        ({"object": ["http://a/" + "x" * MAX_TERM_CHARS]}, "more than the limit"),
    ],
)
def test_bad_requests_are_refused_naming_the_parameter(
    params: dict[str, list[str]], says: str
) -> None:
    with pytest.raises(FragmentRequestError, match=None) as refused:
        read_pattern(params)
    assert says in str(refused.value)


def test_the_page_is_read_and_remembered() -> None:
    pattern = read_pattern({"page": ["3"], "predicate": ["http://a/p"]})
    assert pattern.page == 3 and pattern.paged
    assert pattern.given == (("predicate", "http://a/p"),)
