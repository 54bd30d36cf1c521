"""The IRIs a query names (what query hints compare with the dataset): ``<…>`` and prefixed names
expanded, declarations, comments, strings and variables left out, and never an error."""

import pytest

from sousei_kg.sparql.query_iris import named_iris

DEF = "https://w3id.org/sousei-kg/def#"


def test_iris_and_prefixed_names_in_order_each_once() -> None:
    text = f"""PREFIX sousei: <{DEF}>
PREFIX : <https://w3id.org/sousei-kg/id/>
SELECT * WHERE {{
  ?g a sousei:PolicyGoal ; sousei:hasKPI ?k .   # <http://in.a/comment>
  ?k <http://www.w3.org/2004/02/skos/core#prefLabel> "<http://in.a/string> sousei:no"@ja .
  :goal\\/2 sousei:PolicyGoal ?x . ?x sousei:hasKPI/sousei:hasKPI :goal\\/2 .
}}"""
    assert named_iris(text) == (
        DEF + "PolicyGoal",
        DEF + "hasKPI",
        "http://www.w3.org/2004/02/skos/core#prefLabel",
        "https://w3id.org/sousei-kg/id/goal/2",
    )


def test_a_dot_ending_a_triple_is_not_part_of_the_name() -> None:
    assert named_iris(f"PREFIX s: <{DEF}> SELECT * {{ ?a a s:Measure. ?a s:x.y ?b }}") == (
        DEF + "Measure",
        DEF + "x.y",
    )


def test_relative_iris_resolve_against_base_or_the_endpoint() -> None:
    assert named_iris("BASE <https://w3id.org/sousei-kg/> ASK { <id/goal/2> ?p ?o }") == (
        "https://w3id.org/sousei-kg/id/goal/2",
    )
    assert named_iris("ASK { <goal> ?p ?o }", "http://h/sparql") == ("http://h/goal",)
    assert named_iris("ASK { <goal> ?p ?o }") == ()


def test_undeclared_prefixes_and_variables_are_not_iris() -> None:
    assert named_iris("SELECT ?x WHERE { ?x a nope:Thing ; ?p $o FILTER(LANG(?o) = 'en') }") == ()


@pytest.mark.parametrize(
    "text", ['SELECT * { ?s ?p "unterminated', "SELECT * { ?s ?p 'a\\q' }", "", "<<<>>>"]
)
def test_a_text_it_cannot_read_gives_what_was_found_and_no_error(text: str) -> None:
    assert named_iris("ASK { <https://x/a> ?p ?o } " + text)[:1] == ("https://x/a",)
