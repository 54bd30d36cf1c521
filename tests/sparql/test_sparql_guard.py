"""The SERVICE/LOAD guard: refused in every spelling the engine would accept, and only there."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sousei_kg.sparql.guard import ForbiddenQueryError, check, forbidden_keywords

REFUSED = [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "select * where { service <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * WHERE { SeRvIcE SILENT <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * WHERE { VALUES ?e { <http://127.0.0.1:9/> } SERVICE ?e { ?s ?p ?o } }",
    "SELECT * WHERE { { SELECT * WHERE { SERVICE <http://[::1]:9/> { ?s ?p ?o } } } }",
    "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <http://2130706433/> { ?s ?p ?o } } }",
    "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * WHERE { \\U00000053\\U00000045RVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o.SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o;SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * WHERE {SERVICE<http://127.0.0.1:9/>{?s ?p ?o}}",
    "SELECT * WHERE { # comment\nSERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * WHERE { #x\rSERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * WHERE { #x\r\nSERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "#x\rLOAD <http://127.0.0.1:9/data.ttl> INTO GRAPH <http://example.org/g>",
    "SELECT * WHERE { FILTER(?a <?b) SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ex:a.SERVICE <http://127.0.0.1:9/> }",
    "LOAD <http://127.0.0.1:9/data.ttl>",
    "load silent <http://127.0.0.1:9/data.ttl> INTO GRAPH <http://example.org/g>",
    'SELECT * WHERE { ?s ?p "a" . SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }',
    "SELECT * WHERE { ?s ?p 'it''s' SERVICE <http://127.0.0.1:9/> {} }",
    # Keywords the engine reads without a boundary after them, or inside a longer name.
    "SELECT * WHERE { SERVICESILENT<http://127.0.0.1:9/> { ?s ?p ?o } }",
    "PREFIX : <http://127.0.0.1:9/> SELECT * WHERE { SERVICE:x { ?s ?p ?o } }",
    "PREFIX ex: <http://127.0.0.1:9/> SELECT * WHERE { SERVICEex:x { ?s ?p ?o } }",
    "SELECT * WHERE { ?a ?b trueSERVICE<http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * WHERE { ?a ?b 1e5SERVICE<http://127.0.0.1:9/> { ?s ?p ?o } }",
    "PREFIX q: <http://127.0.0.1:> SELECT * WHERE { ?a ?b q:SERVICE <http://127.0.0.1:9/> {} }",
    "LOADSILENT<http://127.0.0.1:9/data.ttl>",
    "PREFIX : <http://127.0.0.1:9/> LOAD:x",
]

ALLOWED = [
    "SELECT * WHERE { ?s ?p ?o }",
    "SELECT * WHERE { ?s ?p 'SERVICE <http://127.0.0.1:9/>' }",
    'SELECT * WHERE { ?s ?p """multi\nline SERVICE\n""" }',
    "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://127.0.0.1:9/> in a comment",
    "SELECT * WHERE { ?s <http://example.org/SERVICE> ?o }",
    "PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ex:service ?o . ?x ex:load ?y }",
    "PREFIX ex: <http://example.org/> SELECT ?service ?load WHERE { ?service ex:p ?load }",
    "SELECT * WHERE { ?s ?p ?o FILTER(LANG(?o) = 'en') }",
    'SELECT * WHERE { ?s ?p "x"@en-GB }',
    # Names holding the letters, where the engine reads them as part of the name.
    "PREFIX sd: <http://www.w3.org/ns/sparql-service-description#> SELECT * { ?s a sd:Service }",
    "PREFIX dcat: <http://www.w3.org/ns/dcat#> SELECT ?u { ?d dcat:downloadURL ?u }",
    "PREFIX schema: <https://schema.org/> SELECT * { ?s schema:serviceType ?t }",
    "PREFIXex:<http://example.org/> SELECT * WHERE { ?s ex:loadFactor ?o }",
    # Outside brackets an IRI holding '#' or ' is an IRI, whatever follows on its line.
    'SELECT * WHERE { ?s <http://example.org/#p> """two\nlines SERVICE <x> {}""" }',
    "SELECT * WHERE { ?s <http://example.org/Ocean's_Eleven> ?o }",
]


@pytest.mark.parametrize("text", REFUSED)
def test_refused(text: str) -> None:
    with pytest.raises(ForbiddenQueryError, match="is not allowed on this endpoint"):
        check(text)


@pytest.mark.parametrize("text", ALLOWED)
def test_allowed(text: str) -> None:
    check(text)


@pytest.mark.parametrize(
    "text",
    [
        # (a keyword after them: a text that names neither keyword is let through unlexed)
        "SELECT * WHERE { ?s ?p 'unterminated } LOAD",
        'SELECT * WHERE { ?s ?p """never closed } SERVICE',
        "SELECT * WHERE { ?s ?p '\\uD800' }",
        # Escapes the two readings disagree on, IRIs that pyoxigraph may read as less-than or as
        # a triple term: each hides a SERVICE the engine would run.
        "SELECT * WHERE { BIND('x\\u0027' AS ?a) SERVICE <http://127.0.0.1:9/> {} BIND('y\\u0027' AS ?b) }",
        "SELECT * WHERE { # \\u000A '''\nSERVICE <http://127.0.0.1:9/> {} # '''\n}",
        "SELECT * WHERE { ?s ?p ?a FILTER(?a <?b&&'> || ') SERVICE <http://127.0.0.1:9/> {} #'\n}",
        "SELECT * WHERE { ?s ?p ?a FILTER(?a <?b#>'''\n) SERVICE <http://127.0.0.1:9/> {} #'''\n}",
        "SELECT * WHERE { OPTIONAL { <<?a#x> '''\n ?b ?c >> } SERVICE <http://127.0.0.1:9/> {} #'''\n}",
    ],
)
def test_unsure_is_refused(text: str) -> None:
    with pytest.raises(ForbiddenQueryError):
        check(text)


def test_message_names_the_keyword() -> None:
    with pytest.raises(ForbiddenQueryError) as error:
        check("LOAD <http://127.0.0.1:9/x>")
    assert str(error.value).startswith("LOAD is not allowed on this endpoint")
    assert forbidden_keywords("SELECT * { SERVICE <x> {} } LOAD") == ["SERVICE", "LOAD"]


FILLER = st.sampled_from(
    [" ", "\n", "{", "}", ".", ";", "(", ")", "?s", "<http://x/>", "'s'", "# c\n", "ex:p", "1"]
)


@settings(max_examples=300, deadline=None)
@given(
    before=st.lists(FILLER, max_size=8),
    after=st.lists(FILLER, max_size=8),
    keyword=st.sampled_from(["SERVICE", "service", "Service", "LOAD", "load"]),
    separator=st.sampled_from([" ", "\n", "\t", "{", "(", ".", ";", "}"]),
)
def test_a_keyword_between_tokens_is_always_found(
    before: list[str], after: list[str], keyword: str, separator: str
) -> None:
    """Whatever well-formed tokens surround it, a standalone keyword is found."""
    text = "".join(before) + separator + keyword + " <http://127.0.0.1:9/> " + "".join(after)
    assert keyword.upper() in forbidden_keywords(text)
