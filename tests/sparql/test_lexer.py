"""The SPARQL lexer's rules, each checked against the grammar (SPARQL 1.1 §19) and pyoxigraph.

tests/sparql/test_guard_against_engine.py holds the whole guard to the engine; these are the rules
one at a time, so a failure names the rule that broke. No network: where the engine's reading of a
glued keyword matters, ``BIND`` stands in for ``SERVICE`` (pyoxigraph parses both the same way).
"""

import pyoxigraph
import pytest

from sousei_kg.sparql.lexer import LexerError, Word, comment_end, words


def texts(found: tuple[Word, ...]) -> list[str]:
    return [word.text for word in found]


def primary(text: str) -> list[str]:
    return [word.text for word in words(text) if not word.inside_name]


def inner(text: str) -> list[str]:
    return [word.text for word in words(text) if word.inside_name]


def parses(text: str, base: str | None = None) -> bool:
    try:
        pyoxigraph.Store().query(text, base_iri=base)
    except SyntaxError:
        return False
    return True


@pytest.mark.parametrize("line_end", ["\r", "\n", "\r\n", "\n\r"])
def test_a_comment_ends_at_either_line_end(line_end: str) -> None:
    """§19.6: a comment runs to 0x0D or 0x0A; pyoxigraph ends it at either too."""
    text = f"SELECT * WHERE {{ #x{line_end}BIND(1 AS ?a) }}"
    assert texts(words(text)) == ["SELECT", "WHERE", "BIND", "AS"]
    answer = pyoxigraph.Store().query(text)
    assert isinstance(answer, pyoxigraph.QuerySolutions)
    assert list(answer)  # the engine reads the BIND: it is not a comment


def test_a_comment_without_a_line_end_runs_to_the_end() -> None:
    assert texts(words("ASK {} # SERVICE\tLOAD")) == ["ASK"]
    assert comment_end("# x", 0) == 3
    assert comment_end("# x\ry\nz", 0) == 3


@pytest.mark.parametrize("escape", ["\\u000A", "\\u000d", "\\U0000000a", "\\U0000000D"])
def test_a_comment_holding_an_escaped_line_end_is_refused(escape: str) -> None:
    """§19.2 decodes the escape first and ends the comment there; pyoxigraph does not."""
    text = f"SELECT * WHERE {{ # {escape} BIND(1 AS ?a)\n}}"
    assert parses(text)  # pyoxigraph: all one comment
    with pytest.raises(LexerError, match="line end"):
        words(text)
    assert primary("ASK {} # \\u0041 \\u000B") == ["ASK"]  # other escapes change nothing


def test_whitespace_is_the_four_ws_characters() -> None:
    assert primary("SELECT\r*\tWHERE\n{ }") == ["SELECT", "WHERE"]
    assert not parses("SELECT\x0c* WHERE { }")  # form feed is no WS for the engine


@pytest.mark.parametrize("quote", ["'", '"'])
@pytest.mark.parametrize("line_end", ["\r", "\n"])
def test_a_one_line_string_holds_no_line_end(quote: str, line_end: str) -> None:
    text = f"ASK {{ FILTER({quote}a{line_end}b{quote} != '') }}"
    assert not parses(text)
    with pytest.raises(LexerError, match="not terminated on its line"):
        words(text)


@pytest.mark.parametrize("quote", ["'''", '"""'])
def test_a_long_string_holds_line_ends_and_single_quotes(quote: str) -> None:
    text = f"ASK {{ FILTER({quote}a\r'b\"\nSERVICE{quote} != '') }}"
    assert parses(text)
    assert primary(text) == ["ASK", "FILTER"]


@pytest.mark.parametrize("escape", ["\\t", "\\b", "\\n", "\\r", "\\f", '\\"', "\\'", "\\\\"])
def test_echar_escapes_are_read(escape: str) -> None:
    text = f"ASK {{ FILTER('{escape}' != \"{escape}\") }}"
    assert parses(text)
    assert primary(text) == ["ASK", "FILTER"]


@pytest.mark.parametrize("string", ["'\\a'", "'''\\a'''", "'\\u12'", "'\\U0000004'", "'\\uD800'"])
def test_any_other_escape_in_a_string_is_refused(string: str) -> None:
    assert not parses(f"ASK {{ FILTER({string} != '') }}")
    with pytest.raises(LexerError):
        words(f"ASK {{ FILTER({string} != '') }}")


@pytest.mark.parametrize(
    "string",
    [
        "'x\\u0027'",  # the string's own quote
        '"x\\u0022"',
        "'''x\\u0027'''",
        '"""x\\U00000022"""',
        "'x\\u005C'",  # a backslash, which would escape what follows
        "'''x\\u005c'''",
        "'x\\u000A'",  # a line end, in a one-line string
        '"x\\u000d"',
    ],
)
def test_a_code_point_escape_the_two_readings_disagree_on_is_refused(string: str) -> None:
    """pyoxigraph reads these as one character inside the string; §19.2 decodes them before
    parsing, where they end the string, escape the next character, or break the line."""
    with pytest.raises(LexerError, match="recommendation reads"):
        words(f"ASK {{ FILTER({string} != '') }}")


def test_pyoxigraph_reads_an_escaped_quote_as_a_character() -> None:
    answer = pyoxigraph.Store().query("SELECT ?a WHERE { BIND('x\\u0027' AS ?a) }")
    assert isinstance(answer, pyoxigraph.QuerySolutions)
    assert [row["a"].value for row in answer] == ["x'"]


@pytest.mark.parametrize(
    "string", ["'\\u0022'", '"\\u0027"', "'''\\u000A'''", '"""\\u000d"""', "'\\u00e9\\U0001F600'"]
)
def test_a_code_point_escape_both_readings_agree_on_is_read(string: str) -> None:
    text = f"ASK {{ FILTER({string} != '') }}"
    assert parses(text)
    assert primary(text) == ["ASK", "FILTER"]


def test_an_escape_outside_strings_may_spell_only_a_name_character() -> None:
    """§19.2 reads ``\\u0053ERVICE`` as SERVICE (pyoxigraph refuses the text): the lexer reads it
    as the recommendation does, so the word is seen; an escape spelling punctuation, a quote or
    a space would move a boundary, and is refused."""
    assert not parses("\\u0053ELECT * WHERE { }")
    assert primary("SELECT * WHERE { \\u0053ERVICE <x> {} }") == ["SELECT", "WHERE", "SERVICE"]
    found = words("ASK { e\\u003As }")
    assert [(word.text, word.start) for word in found] == [("ASK", 0), ("E", 6), ("S", 13)]
    for escape in ["\\u0027", "\\u0023", "\\u0020", "\\u003C", "\\u005C", "\\u007B"]:
        with pytest.raises(LexerError, match="only a name character"):
            words(f"ASK {{ {escape}SERVICE }}")


def test_iri_escapes_are_decoded_but_may_not_spell_what_an_iri_cannot_hold() -> None:
    assert parses("ASK { <urn:x:\\u0041> ?p ?o }")
    assert primary("ASK { <urn:x:\\u0041> ?p ?o }") == ["ASK"]
    for escape in ["\\u003E", "\\u0020", "\\u0022", "\\u007B", "\\u005C"]:
        assert not parses(f"ASK {{ <urn:x:{escape}> ?p ?o }}")
        with pytest.raises(LexerError, match="IRIs cannot hold"):
            words(f"ASK {{ <urn:x:{escape}> ?p ?o }}")


def test_in_an_expression_less_than_reads_what_looks_like_an_iri() -> None:
    """After an operand, pyoxigraph reads '<' as less-than, so ``<?b&&'>`` is no IRI: its ' opens
    a string and its # a comment. Only inside brackets, where expressions are."""
    less_than = "SELECT * WHERE { ?s ?p ?a FILTER(?a <?b&&'x'>'x') }"
    assert parses(less_than)  # (?a < ?b) && ('x' > 'x')
    with pytest.raises(LexerError, match="holds '"):
        words(less_than)
    assert primary("ASK { <urn:x:Ocean's> ?p ?o }") == ["ASK"]  # outside brackets: an IRI
    long_string_after_hash = "SELECT * WHERE { ?s ?p ?a FILTER(?a <?b#>'''\n) BIND(1 AS ?z) #'''\n}"
    assert parses(long_string_after_hash)  # pyoxigraph: the "#" starts a comment, BIND is read
    with pytest.raises(LexerError, match="may read that '#'"):
        words(long_string_after_hash)
    assert primary("ASK { FILTER(?a = <urn:x#y>) ?s ?p 'one line' }") == ["ASK", "FILTER"]


def test_after_a_less_than_sign_a_triple_term_may_open() -> None:
    text = "SELECT * WHERE { OPTIONAL { <<?a#x> '''\n ?b ?c >> } BIND(1 AS ?z) #'''\n}"
    assert parses(text)  # pyoxigraph: '<<', ?a, a comment; BIND is read
    with pytest.raises(LexerError, match="may read that '#'"):
        words(text)
    assert primary("ASK { << <urn:a> <urn:b> <urn:c> >> ?p ?o }") == ["ASK"]


def test_brackets_in_an_iri_that_may_be_less_than_count_towards_the_nesting_cap() -> None:
    nested = "ASK { FILTER(?a <" + "(" * 200 + "?b> 1" + ")" * 200 + ") }"
    with pytest.raises(LexerError, match="nested more than"):
        words(nested)
    assert primary("ASK { <urn:x:(((((> ?p ?o }") == ["ASK"]


def test_a_variable_is_a_varname() -> None:
    """VARNAME holds no '-': ``?a-SERVICE`` is ``?a``, then more tokens."""
    assert primary("ASK { FILTER(?a-SERVICE) }") == ["ASK", "FILTER", "SERVICE"]
    assert primary("ASK { ?service ?load ?o }") == ["ASK"]


def test_a_language_tag_holds_no_word() -> None:
    assert primary("ASK { ?s ?p 'x'@en-SERVICE }") == ["ASK"]
    assert parses("ASK { ?s ?p 'x'@en--ltr }")
    assert "LTR" in primary("ASK { ?s ?p 'x'@en--ltr }")  # read as more tokens: the cautious side


@pytest.mark.parametrize(
    "text",
    [
        # The engine matches keywords by their letters and reads on: a boolean, a number, the
        # verb 'a', then the next keyword.
        "SELECT * WHERE { ?a ?b trueBIND(1 AS ?x) }",
        "SELECT * WHERE { ?a ?b 1e5BIND(1 AS ?x) }",
        "SELECT * WHERE { ?a atrueBIND(1 AS ?x) }",
        # pyoxigraph 0.5 reads one group of dots in a local name: e:a.b, a dot, then BIND.
        "PREFIX e: <urn:e:> SELECT * WHERE { ?a ?b e:a.b.BIND(1 AS ?x) }",
        # http://127.0.0.1:BIND is no IRI (the port), so q: stands alone and BIND is read.
        "PREFIX q: <http://127.0.0.1:> SELECT * WHERE { ?a ?b q:BIND(1 AS ?x) }",
    ],
)
def test_a_keyword_inside_a_name_is_an_inner_word_where_the_engine_reads_it(text: str) -> None:
    assert parses(text)
    assert "BIND" in inner(text)


def test_a_prefixed_name_whose_iri_is_an_iri_is_read_whole() -> None:
    text = "PREFIX q: <http://127.0.0.1/> SELECT * WHERE { ?a ?b q:BIND(1 AS ?x) }"
    assert not parses(text)  # q:BIND is one IRI: no BIND follows
    assert "BIND" not in inner(text)
    declared = (
        "PREFIX sd: <http://www.w3.org/ns/sparql-service-description#> ASK { ?s a sd:Service }"
    )
    assert inner(declared) == ["SD", "SD"]  # the prefixes, not Service


@pytest.mark.parametrize(
    "text",
    [
        "ASK { ?s ex:service ?o }",  # undeclared: the lexer assumes nothing
        "PREFIX ex: <rel/> ASK { ?s ex:service ?o }",  # relative: resolved against a base unseen
        "PREFIX ex: <urn:x:> PREFIX ex: <http://h:> ASK { ?s ex:service ?o }",  # any disagrees
        "PREFIX ex: <http://h:> ASK { ?s ex:service ?o }",
    ],
)
def test_a_local_name_after_a_prefix_the_lexer_cannot_vouch_for_is_an_inner_word(text: str) -> None:
    assert "SERVICE" in inner(text)


@pytest.mark.parametrize(
    "declaration", ["PREFIX ex: <urn:x:>", "PREFIXex:<urn:x:>", "prefix\nex:\n<urn:x:>"]
)
def test_a_prefix_declaration_is_recognised_in_every_spelling_the_engine_takes(
    declaration: str,
) -> None:
    text = f"{declaration} SELECT * WHERE {{ ?s ex:service ?o }}"
    assert parses(text)
    assert "SERVICE" not in inner(text)


def test_word_offsets_are_in_the_text_as_given() -> None:
    text = "SELECT * WHERE { ?a ?b trueBIND(1 AS ?x) }"
    assert [(word.text, word.start) for word in words(text)] == [
        ("SELECT", 0),
        ("WHERE", 9),
        ("TRUEBIND", 23),
        ("BIND", 27),
        ("AS", 34),
    ]
