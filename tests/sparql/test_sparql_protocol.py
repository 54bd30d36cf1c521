"""The protocol layer without HTTP: request parsing, format choice, FROM detection, the dataset a
query runs over (store.run_protocol_query) and the Service Description graph."""

from collections.abc import Iterator

import pytest
from pyoxigraph import Literal, NamedNode, Quad, QueryBoolean, QuerySolutions, Store

from sousei_kg.errors import QuerySyntaxError
from sousei_kg.http.negotiation import NotAcceptableError, choose_format
from sousei_kg.publication.service_description import FORMAT_IRIS, SD, VOID, service_description
from sousei_kg.sparql.formats import (
    GRAPH_FORMATS,
    JSON_LD,
    JSON_RESULTS,
    N_TRIPLES,
    RDF_XML,
    RESULT_FORMATS,
    TSV,
    TURTLE,
    XML_RESULTS,
)
from sousei_kg.sparql.query_protocol import (
    UPDATES_REFUSED,
    ProtocolError,
    ProtocolRequest,
    has_dataset_clause,
    parse_request,
)
from sousei_kg.store.query import run_protocol_query

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
G1, G2 = "http://example.org/g1", "http://example.org/g2"


def error_of(
    method: str, content_type: str | None, query_string: bytes, body: bytes = b""
) -> ProtocolError:
    with pytest.raises(ProtocolError) as caught:
        parse_request(method, content_type, query_string, body)
    return caught.value


# --- parse_request ---------------------------------------------------------------------------


def test_get_reads_query_and_dataset_from_the_url() -> None:
    request = parse_request(
        "GET",
        None,
        b"query=ASK%20%7B%7D&default-graph-uri=http%3A%2F%2Fexample.org%2Fg1"
        b"&named-graph-uri=http://example.org/g2&named-graph-uri=http://example.org/g1",
        b"",
    )
    assert request == ProtocolRequest("ASK {}", (G1,), (G2, G1), ())
    assert request.has_protocol_dataset
    assert not request.union_default_graph


def test_head_is_read_as_get() -> None:
    assert parse_request("HEAD", None, b"query=ASK+%7B%7D", b"").query == "ASK {}"


def test_bare_get_has_no_query() -> None:
    request = parse_request("GET", None, b"format=nt", b"")
    assert request.query is None
    assert request.formats == ("nt",)
    assert not request.union_default_graph


def test_form_post_merges_url_and_body_parameters() -> None:
    request = parse_request(
        "POST",
        "application/x-www-form-urlencoded; charset=UTF-8",
        b"default-graph-uri=http%3A%2F%2Fexample.org%2Fg1",
        b"query=SELECT+*+%7B%7D&output=csv&format=json",
    )
    assert request.query == "SELECT * {}"
    assert request.default_graphs == (G1,)
    assert request.formats == ("json", "csv")
    assert not request.union_default_graph


def test_direct_post_reads_the_body_as_the_query() -> None:
    body = "SELECT ?x { ?x ?p '地方創生' }".encode()
    request = parse_request("POST", "application/sparql-query; charset=utf-8", b"", body)
    assert request.query == body.decode()
    assert request.union_default_graph


def test_duplicate_query_is_400() -> None:
    error = error_of("GET", None, b"query=ASK%20%7B%7D&query=SELECT%20%2A%20%7B%7D")
    assert error.rule == "malformed"
    assert "2 query parameters" in error.message


def test_query_in_url_and_form_body_is_400() -> None:
    assert error_of("POST", FORM, b"query=ASK+%7B%7D", b"query=ASK+%7B%7D").rule == "malformed"


def test_query_in_url_and_direct_body_is_400() -> None:
    error = error_of("POST", DIRECT, b"query=ASK+%7B%7D", b"ASK {}")
    assert error.rule == "malformed"
    assert "body" in error.message


@pytest.mark.parametrize(
    ("method", "content_type", "query_string", "body"),
    [
        ("GET", None, b"update=CLEAR%20ALL", b""),
        ("GET", None, b"query=ASK%20%7B%7D&update=CLEAR%20ALL", b""),
        ("POST", FORM, b"", b"update=CLEAR+ALL"),
        ("POST", FORM, b"", b"update=CLEAR%20NAMED&update=CLEAR%20DEFAULT"),
        ("POST", FORM, b"", b"query=ASK+%7B%7D&update=CLEAR+ALL"),
        ("POST", "application/sparql-update", b"", b"CLEAR ALL"),
        ("POST", "application/sparql-update; charset=UTF-16", b"", "CLEAR".encode("utf-16")),
        ("POST", DIRECT, b"using-graph-uri=http%3A%2F%2Fexample.org%2Fg1", b"ASK {}"),
    ],
)
def test_updates_are_refused_with_400(
    method: str, content_type: str | None, query_string: bytes, body: bytes
) -> None:
    error = error_of(method, content_type, query_string, body)
    assert (error.rule, error.message) == ("malformed", UPDATES_REFUSED)


@pytest.mark.parametrize(
    ("content_type", "named"),
    [("text/plain", "'text/plain'"), (None, "no Content-Type"), ("application/json", "json")],
)
def test_post_with_another_content_type_is_415_naming_it(
    content_type: str | None, named: str
) -> None:
    error = error_of("POST", content_type, b"", b"ASK {}")
    assert error.rule == "media-type"
    assert named in error.message
    assert DIRECT in error.message and FORM in error.message


def test_non_utf8_charset_is_400() -> None:
    error = error_of("POST", "application/sparql-query; charset=UTF-16", b"", b"ASK {}")
    assert error.rule == "malformed"
    assert "UTF-16" in error.message


def test_non_utf8_body_is_400() -> None:
    error = error_of("POST", DIRECT, b"", "ASK {}".encode("utf-16"))
    assert error.rule == "malformed"
    assert "not valid UTF-8" in error.message


def test_non_utf8_percent_escape_is_400() -> None:
    error = error_of("GET", None, b"query=ASK%20%7B%FF%7D")
    assert error.rule == "malformed"
    assert "UTF-8" in error.message


@pytest.mark.parametrize(
    ("content_type", "body"), [(FORM, b""), (FORM, b"format=json"), (DIRECT, b"")]
)
def test_post_without_a_query_is_400(content_type: str, body: bytes) -> None:
    error = error_of("POST", content_type, b"", body)
    assert error.rule == "malformed"
    assert "query" in error.message


def test_empty_query_is_400() -> None:
    assert error_of("GET", None, b"query=%20").message == "the query is empty"


@pytest.mark.parametrize("value", ["relative", "http://a b", "http://ex/<x>", ""])
def test_malformed_graph_iri_is_400_naming_it(value: str) -> None:
    from urllib.parse import quote

    error = error_of("GET", None, b"query=ASK+%7B%7D&named-graph-uri=" + quote(value).encode())
    assert error.rule == "malformed"
    assert f"named-graph-uri={value!r} is not an absolute IRI" in error.message


def test_other_methods_are_405() -> None:
    assert error_of("PUT", FORM, b"query=ASK+%7B%7D").rule == "method"


# --- choose_format ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("formats", "expected"),
    [
        ((), JSON_RESULTS),
        (("xml",), XML_RESULTS),
        (("srx",), XML_RESULTS),
        (("tsv", "text/tab-separated-values"), TSV),
        (("", "text/tab-separated-values"), TSV),
        (("n3", "json"), JSON_RESULTS),
        (("application/sparql-results+xml; charset=utf-8",), XML_RESULTS),
    ],
)
def test_choose_results_format(formats: tuple[str, ...], expected: object) -> None:
    assert choose_format(RESULT_FORMATS, None, formats) is expected


@pytest.mark.parametrize(
    ("formats", "expected"),
    [
        (("turtle",), TURTLE),
        (("n3",), TURTLE),
        (("xml",), RDF_XML),
        (("rdf+xml", "application/rdf+xml"), RDF_XML),
        (("json",), JSON_LD),
        (("json-ld", "application/ld+json,application/x-json+ld"), JSON_LD),
        (("ntriples",), N_TRIPLES),
    ],
)
def test_choose_graph_format_takes_client_synonyms(
    formats: tuple[str, ...], expected: object
) -> None:
    assert choose_format(GRAPH_FORMATS, "application/ld+json", formats) is expected


def test_empty_format_values_fall_back_to_accept() -> None:
    assert choose_format(RESULT_FORMATS, "text/csv", ("", " ")).key == "csv"


def test_unknown_format_is_406() -> None:
    with pytest.raises(NotAcceptableError) as caught:
        choose_format(RESULT_FORMATS, "*/*", ("ttl", "yaml"))
    assert "ttl, yaml" in str(caught.value)


# --- has_dataset_clause ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }",
        "select * from named <http://example.org/g> { graph ?g { ?s ?p ?o } }",
        "PREFIX ex: <http://example.org/> ASK FROM ex:g { ?s ?p ?o }",
        "CONSTRUCT { ?s ?p ?o }FROM<http://example.org/g> WHERE { ?s ?p ?o }",
        "SELECT (COUNT(*) AS ?n)\nFrom <http://example.org/g>\n{ ?s ?p ?o }",
        "DESCRIBE <http://example.org/x> FROM <http://example.org/g>",
    ],
)
def test_from_clauses_are_found(query: str) -> None:
    assert has_dataset_clause(query)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?from WHERE { ?from ?p $from }",
        "PREFIX from: <http://example.org/> SELECT * { from:x ?p ?o }",
        "PREFIX ex: <http://example.org/> SELECT * { ?s ex:from ?o . ?s ex:a.from ?o }",
        "SELECT * { ?s ?p 'FROM <x>' ; ?q \"from\" ; ?r '''\nFROM\n''' }",
        'SELECT * { ?s ?p """a "quoted" FROM""" }',
        "SELECT * { ?s ?p <http://example.org/FROM> } # FROM <http://example.org/g>",
        'SELECT * { ?s ?p "x"@from . _:from ?p ?o }',
        "SELECT * { ?s <http://example.org/p> ?fromage }",
    ],
)
def test_from_elsewhere_is_not_a_dataset_clause(query: str) -> None:
    assert not has_dataset_clause(query)


# --- run_protocol_query: the dataset ---------------------------------------------------------


@pytest.fixture(scope="module")
def store() -> Iterator[Store]:
    """Two named graphs, one subject each."""
    store = Store()
    for graph, subject in ((G1, "http://example.org/s1"), (G2, "http://example.org/s2")):
        store.add(
            Quad(
                NamedNode(subject),
                NamedNode("http://example.org/p"),
                Literal("o"),
                NamedNode(graph),
            )
        )
    yield store


def subjects(
    store: Store,
    query: str,
    *,
    default_graphs: list[str] | None = None,
    named_graphs: list[str] | None = None,
    union_default_graph: bool = True,
) -> set[str]:
    """The values of the first variable of a SELECT."""
    result = run_protocol_query(
        store,
        query,
        default_graphs=default_graphs,
        named_graphs=named_graphs,
        union_default_graph=union_default_graph,
        base_iri="http://example.org/sparql",
    )
    assert isinstance(result, QuerySolutions)
    return {solution[0].value for solution in result if solution[0] is not None}


ALL = "SELECT ?s WHERE { ?s ?p ?o }"
S1, S2 = "http://example.org/s1", "http://example.org/s2"


def test_default_graph_is_the_union(store: Store) -> None:
    assert subjects(store, ALL) == {S1, S2}


def test_from_replaces_the_union(store: Store) -> None:
    query = "SELECT ?s FROM <http://example.org/g1> WHERE { ?s ?p ?o }"
    assert subjects(store, query, union_default_graph=False) == {S1}


def test_from_a_missing_graph_gives_an_empty_default_graph(store: Store) -> None:
    query = "SELECT ?s FROM <http://example.org/nowhere> WHERE { ?s ?p ?o }"
    assert has_dataset_clause(query)
    assert subjects(store, query, union_default_graph=False) == set()


def test_protocol_default_graphs_are_merged(store: Store) -> None:
    assert subjects(store, ALL, default_graphs=[G1]) == {S1}
    assert subjects(store, ALL, default_graphs=[G1, G2]) == {S1, S2}
    assert subjects(store, ALL, default_graphs=["http://example.org/nowhere"]) == set()


def test_protocol_named_graphs_only_leave_the_default_graph_empty(store: Store) -> None:
    assert subjects(store, ALL, named_graphs=[G1]) == set()
    graphs = "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert subjects(store, graphs, named_graphs=[G2]) == {G2}


def test_protocol_default_graphs_leave_no_named_graphs(store: Store) -> None:
    graphs = "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert subjects(store, graphs, default_graphs=[G1]) == set()


def test_protocol_dataset_overrides_from(store: Store) -> None:
    query = "SELECT ?s FROM <http://example.org/g2> WHERE { ?s ?p ?o }"
    assert subjects(store, query, default_graphs=[G1], union_default_graph=False) == {S1}


def test_relative_iris_resolve_against_the_endpoint(store: Store) -> None:
    result = run_protocol_query(
        store,
        "ASK { FILTER(STR(<x>) = 'http://example.org/x') }",
        base_iri="http://example.org/sparql",
    )
    assert isinstance(result, QueryBoolean)
    assert bool(result)


def test_syntax_error_has_line_and_column(store: Store) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        run_protocol_query(store, "SELECT *\nWHERE { ?s ?p }")
    assert (caught.value.line, caught.value.column) == (2, 16)
    assert str(caught.value).startswith("SPARQL syntax error at line 2, column 16: ")


# --- service_description ---------------------------------------------------------------------


def test_service_description_graph() -> None:
    graph = Store()
    for triple in service_description("http://example.org/sparql", {G1: 3, "default": 1}, 7):
        graph.add(Quad(triple.subject, triple.predicate, triple.object))

    def ask(query: str) -> bool:
        result = graph.query("PREFIX sd: <" + SD + ">\nPREFIX void: <" + VOID + ">\n" + query)
        assert isinstance(result, QueryBoolean)
        return bool(result)

    assert ask(
        "ASK { ?s a sd:Service ; sd:endpoint <http://example.org/sparql> ;"
        " sd:supportedLanguage sd:SPARQL11Query ; sd:feature sd:UnionDefaultGraph ;"
        " sd:defaultDataset [ sd:defaultGraph [ void:triples 7 ] ;"
        " sd:namedGraph [ sd:name <http://example.org/g1> ; sd:graph [ void:triples 3 ] ] ] }"
    )
    assert not ask("ASK { ?s sd:feature sd:BasicFederatedQuery }")
    assert not ask("ASK { ?s sd:supportedLanguage sd:SPARQL11Update }")
    assert not ask("ASK { ?d sd:namedGraph [ sd:name ?n ] FILTER(?n != <http://example.org/g1>) }")
    formats = graph.query("SELECT ?f { ?s <" + SD + "resultFormat> ?f }")
    assert isinstance(formats, QuerySolutions)
    assert {row[0] for row in formats} == set(FORMAT_IRIS.values())


def test_service_description_refuses_a_bad_endpoint() -> None:
    with pytest.raises(ValueError):
        service_description("not an iri", {}, 0)
