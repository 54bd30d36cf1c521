"""SPARQL errors told to people (issue 16): each common mistake, refused by the engine itself,
becomes one sentence that names it and says what to do, at the right line and column, with the
offending line, a caret and the engine's own message."""

import pytest
from pyoxigraph import Store

from sousei_kg.errors import QuerySyntaxError
from sousei_kg.sparql.explain import QueryProblem, display_width, explain
from sousei_kg.store.query import run_query

UPDATES = "send updates to /update"


def refused(text: str) -> QueryProblem:
    """What pyoxigraph says of ``text``, explained."""
    with pytest.raises(QuerySyntaxError) as caught:
        run_query(Store(), text)
    error = caught.value
    return explain(text, error.line, error.column, error.message, where_updates_go=UPDATES)


def test_a_missing_known_prefix_is_named_with_its_prefix_line() -> None:
    problem = refused("SELECT * WHERE {\n  ?s sousei:hasKPI ?o }")
    assert problem.kind == "missing-prefix"
    assert problem.summary == (
        "the prefix sousei: is not declared; add this line before the query: "
        "PREFIX sousei: <https://w3id.org/sousei-kg/def#>"
    )
    assert problem.suggestion == "PREFIX sousei: <https://w3id.org/sousei-kg/def#>"
    assert (problem.line, problem.column) == (2, 6)  # the name, not where the parser stopped
    assert problem.excerpt() == "   2 |   ?s sousei:hasKPI ?o }\n     |      ^"
    assert "Prefix not found" in problem.engine_message  # the raw message stays as detail
    assert problem.text().endswith("The parser said: " + problem.engine_message)


def test_a_missing_prefix_close_to_a_declared_one_is_offered_that_one() -> None:
    problem = refused(
        "PREFIX sousei: <https://w3id.org/sousei-kg/def#>\nSELECT * { ?s souse:x ?o }"
    )
    assert problem.kind == "missing-prefix"
    assert problem.summary == "the prefix souse: is not declared; did you mean sousei:?"


def test_an_unknown_prefix_is_named_and_told_how_to_declare_it() -> None:
    problem = refused("SELECT * WHERE { ?s a zzq:Thing }")
    assert problem.summary == (
        "the prefix zzq: is not declared; declare it before the query with "
        "PREFIX zzq: <namespace IRI>"
    )
    assert problem.suggestion is None


@pytest.mark.parametrize(
    ("text", "word", "keyword", "column"),
    [
        ("SELEC * WHERE { ?s ?p ?o }", "SELEC", "SELECT", 1),
        ("SELECT * WHERE { ?s ?p ?o } ORDR BY ?s", "ORDR", "ORDER", 29),
        ("SELECT * WHERE { ?s ?p ?o FILTR(?s) }", "FILTR", "FILTER", 27),
        ("select distint ?s where { ?s ?p ?o }", "distint", "DISTINCT", 8),
        ("SELECT * WHERE { OPTINAL { ?s ?p ?o } }", "OPTINAL", "OPTIONAL", 18),
        ("CONSTRUCT WHERE { ?s ?p ?o } LIMT 1", "LIMT", "LIMIT", 30),
    ],
)
def test_a_misspelt_keyword_gets_the_nearest_keyword(
    text: str, word: str, keyword: str, column: int
) -> None:
    problem = refused(text)
    assert problem.kind == "misspelt-keyword"
    assert problem.summary == f"{word} is not a SPARQL keyword; did you mean {keyword}?"
    assert problem.suggestion == keyword
    assert (problem.line, problem.column) == (1, column)


@pytest.mark.parametrize(
    ("text", "operation"),
    [
        ("INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }", "INSERT"),
        ("PREFIX ex: <http://example.org/>\nDELETE WHERE { ?s ex:p ?o }", "DELETE"),
        ("CLEAR ALL", "CLEAR"),
    ],
)
def test_an_update_sent_as_a_query_is_told_so_and_where_updates_go(
    text: str, operation: str
) -> None:
    problem = refused(text)
    assert problem.kind == "update-as-query"
    assert problem.summary == f"this is a SPARQL Update ({operation}), not a query; {UPDATES}"


def test_an_aggregate_without_group_by_is_one_sentence_naming_the_variable() -> None:
    problem = refused("SELECT ?s (COUNT(?o) AS ?n) WHERE { ?s ?p ?o }")
    assert problem.kind == "ungrouped-variable"
    assert problem.summary == (
        "the SELECT uses COUNT(…), which makes the solutions one group, so ?s cannot be selected "
        "on its own: add GROUP BY ?s, or select it through an aggregate such as "
        "(SAMPLE(?s) AS ?any_s)"
    )
    assert (problem.line, problem.column) == (1, 8)


def test_a_projected_variable_outside_group_by_is_named() -> None:
    problem = refused("SELECT ?x ?s WHERE { ?s ?p ?o } GROUP BY ?s")
    assert problem.kind == "ungrouped-variable"
    assert problem.summary.startswith("?x is selected but neither grouped nor aggregated")


def test_a_select_expression_reusing_a_pattern_variable_is_named() -> None:
    problem = refused("SELECT (STR(?s) AS ?s) WHERE { ?s ?p ?o }")
    assert problem.kind == "rebound-variable"
    assert problem.summary.startswith("(… AS ?s) names a variable the pattern already binds")


def test_an_open_group_at_the_end_points_at_its_brace() -> None:
    problem = refused("SELECT ?s WHERE {\n  ?s ?p ?o .\n  OPTIONAL { ?s ?q ?r }\n")
    assert problem.kind == "unclosed-group"
    assert problem.summary == "the query ends before the { on line 1, column 17 is closed: add }"
    assert (problem.line, problem.column) == (1, 17)


def test_any_other_error_keeps_the_readable_part_of_what_the_parser_expected() -> None:
    problem = refused("SELECT * WHERE { ?s ?p ?o . } GROUP ?s")
    assert problem.kind == "syntax"
    assert problem.summary == "the parser expected BY"
    assert problem.headline.startswith("SPARQL syntax error at line 1, column ")


def test_the_caret_counts_wide_characters_twice() -> None:
    problem = refused('SELECT * WHERE { ?s ?p "日本語" . ?s skos:x ?o }')
    assert problem.kind == "missing-prefix"
    line, caret = problem.excerpt().splitlines()
    # The caret sits under the "s" of skos: in a terminal, where each kanji takes two columns.
    assert display_width(line[: line.index("skos")]) == len(caret) - 1
    assert caret.endswith("^")


def test_a_long_line_is_cut_around_the_caret() -> None:
    text = "SELECT * WHERE { " + "?s ?p ?o . " * 40 + "?s sousei:x ?o }"
    problem = refused(text)
    line, caret = problem.excerpt().splitlines()
    assert len(line) < 200 and "sousei:x" in line
    assert line[len(caret) - 1 :].startswith("sousei:x")


def test_a_text_the_lexer_cannot_read_is_still_explained_from_the_engine() -> None:
    problem = explain("SELECT 'x\\q'", 1, 9, "expected one of ')'", where_updates_go=UPDATES)
    assert problem.kind == "syntax"
    assert problem.summary == "the parser expected ')'"


def test_lines_ending_in_crlf_are_counted_as_the_engine_counts_them() -> None:
    problem = refused("SELECT ?s WHERE {\r\n ?s ?p ?o .\r\n ?s ?p ?q . FILTR(?s) }")
    assert (problem.kind, problem.line, problem.column) == ("misspelt-keyword", 3, 13)
    assert problem.source_line == " ?s ?p ?q . FILTR(?s) }"
