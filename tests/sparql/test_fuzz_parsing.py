"""Hypothesis over the pure parsers behind every request (issue 5): whatever the text, each raises
only the error it declares (which the HTTP layer maps to a 4xx), and the SPARQL lexer stays fast.

Strategies mix arbitrary text with fragments of the real syntax, so the examples reach the
interesting branches (q-values, charsets, escapes, prefixed names) and not only the first check.
"""

import contextlib
import time
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.requests import Request

from sousei_kg.http.negotiation import NotAcceptableError, choose, choose_format, prefers_html
from sousei_kg.http.pages import page_language
from sousei_kg.named_queries.parameters import ParameterError, QueryParam
from sousei_kg.sparql import guard as sparql_guard
from sousei_kg.sparql.formats import ALL_FORMATS, DATASET_FORMATS, GRAPH_FORMATS, RESULT_FORMATS
from sousei_kg.sparql.lexer import (
    CACHED_TEXT_CHARS,
    MAX_NESTING,
    LexerError,
    _remembered_words,
    words,
)
from sousei_kg.sparql.query_protocol import ProtocolError, parse_request
from sousei_kg.web.html import LANGUAGES

FUZZ = settings(
    max_examples=200,
    deadline=timedelta(milliseconds=500),
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def fragments(*pieces: str) -> st.SearchStrategy[str]:
    """Text built from syntax fragments and arbitrary text, in any order."""
    return st.lists(st.sampled_from(pieces) | st.text(max_size=12), max_size=12).map("".join)


MEDIA = [f.media_type for f in ALL_FORMATS] + ["*/*", "text/*", "application/*", "x/y"]
ACCEPT = fragments(*MEDIA, ",", ";", ";q=", "q=0.5", "q=1", "q=x", "=", " ", "/", "*", "level=1")
FORMAT_PARAM = st.none() | fragments(*(f.key for f in ALL_FORMATS), *MEDIA, "turtle", ",", ";")
OFFERS = st.sampled_from(
    [RESULT_FORMATS, GRAPH_FORMATS, (*GRAPH_FORMATS, *DATASET_FORMATS), ALL_FORMATS]
)


@FUZZ
@given(offered=OFFERS, accept=st.none() | ACCEPT, format_param=FORMAT_PARAM)
def test_choose_raises_only_not_acceptable(
    offered: tuple[object, ...], accept: str | None, format_param: str | None
) -> None:
    try:
        chosen = choose(offered, accept, format_param)  # type: ignore[arg-type]
    except NotAcceptableError:
        return
    assert chosen in offered


@FUZZ
@given(accept=st.none() | ACCEPT)
def test_prefers_html_never_raises(accept: str | None) -> None:
    assert prefers_html(accept) in (True, False)


@FUZZ
@given(offered=OFFERS, accept=st.none() | ACCEPT, formats=st.lists(fragments("json", "ttl", ",")))
def test_choose_format_raises_only_not_acceptable(
    offered: tuple[object, ...], accept: str | None, formats: list[str]
) -> None:
    try:
        chosen = choose_format(offered, accept, tuple(formats))  # type: ignore[arg-type]
    except NotAcceptableError:
        return
    assert chosen in offered


METHODS = st.sampled_from(["GET", "HEAD", "POST", "PUT", "get", "post", "OPTIONS"]) | st.text(
    max_size=8
)
CONTENT_TYPES = st.none() | fragments(
    "application/sparql-query",
    "application/x-www-form-urlencoded",
    "application/sparql-update",
    "; charset=",
    "utf-8",
    "UTF8",
    "latin-1",
    "utf-16",
    ";",
    "=",
    '"',
)
QUERY_STRING = st.binary(max_size=64) | fragments(
    "query=",
    "update=",
    "&",
    "=",
    "%",
    "%ff",
    "%C3%A9",
    "%00",
    "+",
    "default-graph-uri=",
    "named-graph-uri=",
    "http://x/",
    "format=",
    "ASK{}",
    "using-graph-uri=",
).map(lambda text: text.encode("utf-8", "surrogatepass"))
BODY = st.binary(max_size=64) | fragments(
    "SELECT * {}", "query=", "ASK{}", "&", "%ff", "FROM <a>", "\\u0046ROM"
).map(lambda text: text.encode("utf-8", "surrogatepass"))


@FUZZ
@given(method=METHODS, content_type=CONTENT_TYPES, query_string=QUERY_STRING, body=BODY)
def test_parse_request_raises_only_protocol_error(
    method: str, content_type: str | None, query_string: bytes, body: bytes
) -> None:
    try:
        request = parse_request(method, content_type, query_string, body)
    except ProtocolError as error:
        assert error.rule in ("malformed", "method", "media-type")
        return
    assert request.query is None or request.query.strip()
    assert request.union_default_graph in (True, False)  # lexes the query: must not raise either


SPARQL = fragments(
    "SELECT",
    "SERVICE",
    "service",
    "LOAD",
    "FROM",
    " ",
    "\n",
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    "<http://x/>",
    "<",
    ">",
    "'",
    '"',
    "'''",
    '"""',
    "\\",
    "\\u0053",
    "\\U00000053",
    "\\uD800",
    "#",
    "ex:",
    "a.b",
    ":",
    ".",
    "?x",
    "$",
    "@en-GB",
    "_:b",
    "%41",
    "\r",
    "'''",
    "true",
    "1e5",
    "a",
    "<<",
    "\\u0027",
    "\\u000A",
    "PREFIX",
)


@FUZZ
@given(text=SPARQL)
def test_guard_raises_only_forbidden(text: str) -> None:
    try:
        sparql_guard.check(text)
    except sparql_guard.ForbiddenQueryError as error:
        assert str(error)


@FUZZ
@given(text=SPARQL | st.text())
def test_words_raises_only_lexer_error(text: str) -> None:
    try:
        found = words(text)
    except LexerError:
        return
    assert all(word.text == word.text.upper() for word in found)


@pytest.mark.parametrize(
    "text",
    [
        "a." * 50_000,  # was quadratic: 40 KB took 8 s on the event loop
        "a." * 50_000 + ":x",
        "_." * 50_000,
        "ex:" + "a." * 50_000,
        "?" * 100_000,
        "<a" * 50_000,
        "@a-" * 30_000,
        "\\u0041" * 15_000,
        "{}" * 50_000,
        # Places inside names where the engine may start a token (sparql/name_runs.py).
        "a:" * 50_000,
        "PREFIX a: <http://h:> " + "a:" * 50_000,
        "PREFIX a: <http://h:> " + "a:a." * 25_000,
        "PREFIX a: <http://h:> " + ("a:" * 60 + "\u00d7") * 800,
        "_:a" * 33_000,
        "a1" * 50_000,
        "atrue" * 20_000,
        "1e5" * 33_000,
        "FILTER(<a#>" * 9_000,
        "FILTER(?a <?b#>'" + "x" * 100_000,
    ],
)
def test_words_is_linear(text: str) -> None:
    """100 KB (the query size limit) of adversarial text lexes in well under a second of CPU time
    (CPU, not wall-clock: other processes on a busy test machine do not slow the count; a
    quadratic lexer takes many seconds on these)."""
    started = time.process_time()
    with contextlib.suppress(LexerError):
        words(text)
    assert time.process_time() - started < 1.0


@pytest.mark.parametrize("opening", ["{", "(", "["])
def test_deep_nesting_is_refused_by_the_guard(opening: str) -> None:
    """pyoxigraph's recursive parser overflows its stack on a few thousand nested brackets."""
    closing = {"{": "}", "(": ")", "[": "]"}[opening]
    words(opening * MAX_NESTING + closing * MAX_NESTING)
    with pytest.raises(sparql_guard.ForbiddenQueryError, match="nested more than"):
        sparql_guard.check(opening * 5000 + closing * 5000)


TYPES = [
    "iri",
    "string",
    "langString",
    "integer",
    "boolean",
    "xsd:string",
    "xsd:integer",
    "xsd:decimal",
    "xsd:double",
    "xsd:float",
    "xsd:date",
    "xsd:dateTime",
    "xsd:gYear",
    "xsd:anyURI",
]
VALUES = st.text() | fragments(
    "http://x/",
    "<",
    ">",
    "@",
    "ja",
    "en-GB",
    "-",
    "+",
    ".",
    "1",
    "9" * 5000,
    "e5",
    "INF",
    "NaN",
    "true",
    "0",
    "2025-01-01",
    "T12:00:00",
    "Z",
    "+09:00",
    " ",
    "\x00",
)


@FUZZ
@given(kind=st.sampled_from(TYPES), value=VALUES, enum=st.booleans())
def test_parameter_cast_raises_only_parameter_error(kind: str, value: str, enum: bool) -> None:
    param = QueryParam(name="p", type=kind, enum=("ja", "en") if enum else ())
    try:
        param.cast(value)
    except ParameterError as error:
        assert error.param == "p"


def request_with(accept_language: bytes, query_string: bytes) -> Request:
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/",
        "query_string": query_string,
        "headers": [(b"accept-language", accept_language)],
    }
    return Request(scope)


LANGUAGE_HEADER = fragments("ja", "en", "en-US", "*", ",", ";", "q=", "0.5", "nan", "inf", "-", " ")


@FUZZ
@given(
    header=LANGUAGE_HEADER.map(lambda text: text.encode("utf-8", "surrogatepass"))
    | st.binary(max_size=40),
    query_string=fragments("lang=", "ja", "en", "&", "%ff").map(
        lambda text: text.encode("utf-8", "surrogatepass")
    ),
)
def test_page_language_is_always_known(header: bytes, query_string: bytes) -> None:
    assert page_language(request_with(header, query_string)) in LANGUAGES


def test_the_lexer_remembers_only_short_texts() -> None:
    """A 10 MiB update lexed once must not stay in memory with its words after the request."""
    _remembered_words.cache_clear()
    short = "SELECT * WHERE { ?s ?p ?o }"
    long = "ASK {}" + " #" + "x" * CACHED_TEXT_CHARS
    assert words(short) is words(short)
    assert [w.text for w in words(long) if not w.inside_name] == ["ASK"]
    assert _remembered_words.cache_info().currsize == 1
