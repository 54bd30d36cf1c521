"""Texts the guard lets through without lexing (``guard.passes_without_lexing``): only those in
which no reading, the lexer's or the engine's, can find SERVICE or LOAD or nest too deep."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sousei_kg.sparql.guard import (
    ForbiddenQueryError,
    check,
    forbidden_keywords,
    passes_without_lexing,
    refusal,
)
from sousei_kg.sparql.lexer import MAX_NESTING, LexerError


def test_a_plain_query_is_let_through_without_lexing() -> None:
    text = "SELECT ?label WHERE { <https://w3id.org/sousei-kg/id/goal/2> ?p ?label } LIMIT 7"
    before = refusal.cache_info().misses
    assert passes_without_lexing(text)
    check(text)
    assert refusal.cache_info().misses == before  # the lexing verdict was never asked for


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * { SERVICE <http://127.0.0.1:9/> {} }",
        "select * { sErViCe <http://127.0.0.1:9/> {} }",
        "LoAd <http://127.0.0.1:9/x>",
        "SELECT * { ?s ?p 'the word service in a string' }",  # the lexer decides, not this check
        "SELECT * { \\u0053ERVICE <http://127.0.0.1:9/> {} }",
        "SELECT * { ?s ?p 'a\\'b' }",  # any backslash
        # Non-ASCII letters that upper-case to ASCII ones: LONG S (U+017F) and DOTLESS I (U+0131).
        "SELECT * { \u017ferv\u0131ce <http://127.0.0.1:9/> {} }",
        "SELECT * WHERE " + "{" * (MAX_NESTING + 1) + "}" * (MAX_NESTING + 1),
        "SELECT * WHERE { FILTER(" + "(" * MAX_NESTING + "1" + ")" * MAX_NESTING + ") }",
    ],
)
def test_texts_that_might_name_a_keyword_or_nest_too_deep_are_lexed(text: str) -> None:
    assert not passes_without_lexing(text)


def test_deep_nesting_without_a_keyword_is_still_refused() -> None:
    deep = "SELECT * WHERE " + "{" * (MAX_NESTING + 5) + "}" * (MAX_NESTING + 5)
    with pytest.raises(ForbiddenQueryError, match="nested more than"):
        check(deep)


TRICKY = st.sampled_from(
    [
        *"{}()[]<>'\"#.;:?$ \n\r\tSERVICELOADservicelodaIKk\u017f\u0131\\",
        "ex:",
        "<http://x/>",
        "'''",
        "u0053",
    ]
)


@settings(max_examples=2000, deadline=None)
@given(st.lists(TRICKY, max_size=60).map("".join))
def test_what_passes_unlexed_the_lexer_would_let_through(text: str) -> None:
    """The shortcut agrees with the lexer: a text it lets through names no keyword the lexer
    finds, and nests no deeper than the lexer accepts (the lexer may still be unsure of a string
    or an IRI in it; with no keyword in the text, nothing can hide there)."""
    if not passes_without_lexing(text):
        return
    try:
        assert forbidden_keywords(text) == []
    except ForbiddenQueryError as error:  # the lexer unsure: never about nesting here
        assert "nested" not in str(error)
    except LexerError as error:
        assert "nested" not in str(error)
