"""The SPARQL 1.1 Protocol, query side: what a request to ``/sparql`` asks for.

Pure functions over the method, ``Content-Type``, raw query string and body, so every protocol rule
(https://www.w3.org/TR/sparql11-protocol/#query-operation) is testable without HTTP. The route only
maps :class:`ProtocolError` to a response. Updates are never accepted here: a request that carries
one is refused with 400, whatever its shape, so no update can slip through a mis-parsed request.
"""

from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qsl

import mimeparse
from pyoxigraph import NamedNode

from sousei_kg.errors import SouseiError
from sousei_kg.sparql import guard
from sousei_kg.sparql.lexer import LexerError, words
from sousei_kg.sparql.memo import bounded_memo

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
UPDATES_REFUSED = "updates are not accepted at /sparql"
_UPDATE_PARAMS = ("update", "using-graph-uri", "using-named-graph-uri")


ProtocolRule = Literal["malformed", "method", "media-type"]
"""Which kind of rule a request broke: what it says (the default), the method it uses, or the
media type of its body. The HTTP layer maps each to its status (:mod:`sousei_kg.http.errors`)."""


class ProtocolError(SouseiError):
    """A request that breaks the SPARQL 1.1 Protocol (query or update side).

    Args:
        message: what is wrong and what to send instead, for the response body.
        rule: which kind of rule the request broke.
    """

    def __init__(self, message: str, rule: ProtocolRule = "malformed") -> None:
        self.message = message
        self.rule: ProtocolRule = rule
        super().__init__(message)


@dataclass(frozen=True)
class ProtocolRequest:
    """A parsed query request.

    Attributes:
        query: the SPARQL text; ``None`` for a bare GET (answered by the Service Description).
        default_graphs: ``default-graph-uri`` values (absolute IRIs), in order.
        named_graphs: ``named-graph-uri`` values (absolute IRIs), in order.
        formats: ``format=`` and ``output=`` values, in order (they override ``Accept``).
    """

    query: str | None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()

    @property
    def has_protocol_dataset(self) -> bool:
        """Whether the request names its dataset (which then replaces any FROM in the query)."""
        return bool(self.default_graphs or self.named_graphs)

    @property
    def union_default_graph(self) -> bool:
        """Whether the default graph is the union of all graphs: only when neither the request
        nor the query names a dataset."""
        return (
            self.query is not None
            and not self.has_protocol_dataset
            and not has_dataset_clause(self.query)
        )


def parse_request(
    method: str, content_type: str | None, query_string: bytes, body: bytes
) -> ProtocolRequest:
    """Parse a request to the query endpoint.

    Args:
        method: the HTTP method (``HEAD`` is read as ``GET``).
        content_type: the ``Content-Type`` header, if any.
        query_string: the raw URL query string (percent-encoded bytes).
        body: the raw request body.

    Returns:
        The request; its ``query`` is ``None`` for a GET without ``query=``.

    Raises:
        ProtocolError: 400 for duplicate or missing queries, updates, malformed IRIs or non-UTF-8
            text; 415 for a POST that is neither a form nor ``application/sparql-query``; 405 for
            other methods.
    """
    params = _pairs(query_string, "the URL query string")
    method = method.upper()
    if method == "POST":
        media, charset = _media_type(content_type)
        if media == SPARQL_UPDATE:
            raise ProtocolError(UPDATES_REFUSED)
        if media not in (FORM, SPARQL_QUERY):
            got = f"Content-Type {media!r}" if media else "no Content-Type"
            raise ProtocolError(
                f"a POST query needs Content-Type {FORM} or {SPARQL_QUERY}; got {got}",
                rule="media-type",
            )
        if charset is not None and charset.lower().replace("-", "") != "utf8":
            raise ProtocolError(f"the request body must be UTF-8; charset={charset} is not")
        if media == FORM:
            for name, values in _pairs(body, "the form body").items():
                params.setdefault(name, []).extend(values)
        else:
            if "query" in params:
                raise ProtocolError(
                    "the query is the request body; do not also send query= in the URL"
                )
            params["query"] = [_utf8(body, "the request body")]
    elif method not in ("GET", "HEAD"):
        raise ProtocolError(f"method {method} is not allowed; use GET or POST", rule="method")
    if any(name in params for name in _UPDATE_PARAMS):
        raise ProtocolError(UPDATES_REFUSED)
    queries = params.get("query", [])
    if len(queries) > 1:
        raise ProtocolError(f"{len(queries)} query parameters; send exactly one query")
    query = queries[0] if queries else None
    if query is None and method == "POST":
        raise ProtocolError("no query: send query=… in the form, or the query itself")
    if query is not None and not query.strip():
        raise ProtocolError("the query is empty")
    return ProtocolRequest(
        query=query,
        default_graphs=_iris(params, "default-graph-uri"),
        named_graphs=_iris(params, "named-graph-uri"),
        formats=(*params.get("format", ()), *params.get("output", ())),
    )


def has_dataset_clause(query: str) -> bool:
    """Whether a query has a ``FROM`` or ``FROM NAMED`` clause.

    Needed because pyoxigraph's ``use_default_graph_as_union`` overrides the query's own FROM
    (checked with 0.5.13), and its Python API exposes no parsed query to ask. The keyword FROM only
    occurs in dataset clauses, so the shared lexer's words (outside comments, strings and IRIs) are
    exact for queries that parse; a text the lexer cannot split fails to parse anyway. A text
    without a backslash (an escape) in which ``FROM`` appears in no letter case has none, and is
    not lexed (most queries: lexing is the costly part of an uncached query's checks).
    """
    if "\\" not in query and "FROM" not in query.upper():
        return False
    return lexed_dataset_clause(query)


@bounded_memo(guard.REMEMBERED_TEXTS, guard.REMEMBERED_BYTES)
def lexed_dataset_clause(query: str) -> bool:
    """:func:`has_dataset_clause` by the lexer's words; remembered per text, within the guard's
    bounds (:mod:`sousei_kg.sparql.memo`)."""
    try:
        return any(w.text == "FROM" and not w.inside_name for w in words(query))
    except LexerError:
        return False


def _media_type(content_type: str | None) -> tuple[str | None, str | None]:
    """The media type (lowercase, no parameters) and its charset parameter, if any."""
    if content_type is None or not content_type.strip():
        return None, None
    try:
        main, sub, parameters = mimeparse.parse_mime_type(content_type)
    except (mimeparse.MimeTypeParseException, ValueError):
        return content_type.strip().lower(), None
    return f"{main}/{sub}".lower(), parameters.get("charset")


def _utf8(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ProtocolError(
            f"{what} is not valid UTF-8 (byte {error.start}); SPARQL requests are UTF-8"
        ) from error


def _pairs(data: bytes, what: str) -> dict[str, list[str]]:
    """Decode ``application/x-www-form-urlencoded`` data, refusing anything that is not UTF-8."""
    params: dict[str, list[str]] = {}
    try:
        pairs = parse_qsl(_utf8(data, what), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError as error:
        raise ProtocolError(f"{what} has a percent-escape that is not UTF-8") from error
    for name, value in pairs:
        params.setdefault(name, []).append(value)
    return params


def _iris(params: dict[str, list[str]], name: str) -> tuple[str, ...]:
    """The values of a graph parameter, each checked to be an absolute IRI."""
    iris: list[str] = []
    for value in params.get(name, ()):
        try:
            iris.append(NamedNode(value.strip()).value)
        except ValueError as error:
            raise ProtocolError(f"{name}={value!r} is not an absolute IRI: {error}") from error
    return tuple(iris)
