"""``/sparql``: the SPARQL 1.1 Protocol query endpoint (GET, form POST, direct POST).

Thin on purpose: :mod:`sousei_kg.sparql.query_protocol` reads the request,
:mod:`sousei_kg.http.query_answers` runs the query, :mod:`sousei_kg.http.negotiation` and
:mod:`sousei_kg.sparql.graph_serialization` pick and write the format. Request parameters are
read from the raw query string and body rather than declared as FastAPI parameters, because the
protocol needs what FastAPI hides (a repeated ``query`` is an error, non-UTF-8 is an error); the
OpenAPI document describes them through ``openapi_extra``.
"""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from pyoxigraph import NamedNode, QueryTriples, Triple
from starlette.concurrency import run_in_threadpool

from sousei_kg.config import Settings
from sousei_kg.dataset.knowledge_graph import KnowledgeGraph
from sousei_kg.execution.jobs import QueryJob
from sousei_kg.http.deps import GraphDep, SettingsDep, public_base
from sousei_kg.http.negotiation import NotAcceptableError, choose_format, prefers_html
from sousei_kg.http.query_answers import run_limited
from sousei_kg.namespaces import CANONICAL_BASE
from sousei_kg.publication.service_description import service_description
from sousei_kg.sparql import guard as sparql_guard
from sousei_kg.sparql.formats import DATASET_FORMATS, GRAPH_FORMATS, RESULT_FORMATS, Format
from sousei_kg.sparql.graph_serialization import serialize_graph
from sousei_kg.sparql.query_protocol import (
    FORM,
    SPARQL_QUERY,
    ProtocolError,
    ProtocolRequest,
    parse_request,
)
from sousei_kg.store.canonical import union_triples

router = APIRouter(tags=["sparql"])

PATHS = ("/sparql", "/sparql/")
VARY = {"Vary": "Accept"}
#: What CONSTRUCT, DESCRIBE and the Service Description can be written as. N-Quads and TriG of a
#: graph put its triples in the default graph.
RDF_OFFER: tuple[Format, ...] = (*GRAPH_FORMATS, *DATASET_FORMATS)


def _endpoint(request: Request, settings: Settings) -> str:
    """The endpoint URL as clients reach it: the Service Description's ``sd:endpoint`` and the
    base IRI of queries. Falls back to the canonical base if the Host header gives no IRI."""
    endpoint = public_base(request, settings) + "sparql"
    try:
        return NamedNode(endpoint).value
    except ValueError:
        return CANONICAL_BASE + "sparql"


def _plain(status: int, message: str) -> Response:
    """An error answer: the message names the problem; never a stack trace."""
    return PlainTextResponse(f"{message}\n", status_code=status, headers=VARY)


def _rdf(triples: QueryTriples | list[Triple], fmt: Format) -> Response:
    return Response(
        serialize_graph(triples, fmt), headers={"Content-Type": fmt.content_type, **VARY}
    )


def describe_service(graph: KnowledgeGraph, endpoint: str, fmt: Format) -> Response:
    """The Service Description in ``fmt``."""
    # Distinct triples of the union graph: counted once per dataset, not on every bare GET.
    union_size = graph.derived("union-triple-count", lambda: len(union_triples(graph.store)))
    triples = service_description(endpoint, graph.graphs, union_size)
    return _rdf(triples, fmt)


def browser_landing(request: Request, endpoint: str) -> Response:
    """What a browser gets from a bare GET: the query editor (YASGUI, served by this server)."""
    # Imported here: the editor module is the web layer, built on top of the protocol routes.
    from sousei_kg.routes.editor import editor_page

    return editor_page(request, endpoint)


def describe_or_land(
    request: Request, protocol: ProtocolRequest, graph: KnowledgeGraph, endpoint: str
) -> Response:
    """A request without a query: the Service Description, or the browser's editor page."""
    accept = request.headers.get("accept")
    try:
        if not protocol.formats and prefers_html(accept):
            return browser_landing(request, endpoint)
        return describe_service(graph, endpoint, choose_format(RDF_OFFER, accept, protocol.formats))
    except NotAcceptableError as error:
        return _plain(406, f"406 Not Acceptable: {error}")


def _acceptable(
    offered: tuple[Format, ...], accept: str | None, formats: tuple[str, ...]
) -> Format | None:
    try:
        return choose_format(offered, accept, formats)
    except NotAcceptableError:
        return None


async def sparql_query(request: Request, graph: GraphDep, settings: SettingsDep) -> Response:
    """SPARQL 1.1 Protocol query operation; a bare GET returns the Service Description."""
    body = await request.body() if request.method == "POST" else b""
    try:
        protocol = parse_request(
            request.method, request.headers.get("content-type"), request.scope["query_string"], body
        )
    except ProtocolError as error:
        return _plain(error.status, error.message)
    endpoint = _endpoint(request, settings)
    accept = request.headers.get("accept")
    if protocol.query is None:
        return await run_in_threadpool(describe_or_land, request, protocol, graph, endpoint)
    if request.method == "GET" and not protocol.formats and prefers_html(accept):
        # A person following a link to a query (YASGUI's share links are such GETs): show it in
        # the editor, which reads the query from the URL, rather than download a results file.
        return browser_landing(request, endpoint)
    try:
        sparql_guard.check(protocol.query)
    except sparql_guard.ForbiddenQueryError as error:
        return _plain(400, str(error))
    # The query form is known only once the engine parsed it: negotiate for both families now,
    # and let the worker pick the one that fits.
    solutions_format = _acceptable(RESULT_FORMATS, accept, protocol.formats)
    graph_format = _acceptable(RDF_OFFER, accept, protocol.formats)
    if solutions_format is None and graph_format is None:
        offered = (*RESULT_FORMATS, *RDF_OFFER)
        requested = ", ".join(protocol.formats) or accept or ""
        return _plain(406, f"406 Not Acceptable: {NotAcceptableError(requested, offered)}")
    has_dataset = protocol.has_protocol_dataset
    job = QueryJob(
        query=protocol.query,
        solutions_format=solutions_format.key if solutions_format else None,
        graph_format=graph_format.key if graph_format else None,
        row_cap=settings.result_cap,
        default_graphs=protocol.default_graphs if has_dataset else None,
        named_graphs=protocol.named_graphs if has_dataset else None,
        union_default_graph=protocol.union_default_graph,
        base_iri=endpoint,
        cap_link=public_base(request, settings) + "limits#result-cap",
    )
    return await run_limited(request, job, settings, VARY)


ALLOW = "GET, HEAD, POST, OPTIONS"


async def allowed_methods() -> Response:
    """A plain OPTIONS (CORS preflights are answered by the middleware before this)."""
    return Response(status_code=204, headers={"Allow": ALLOW, **VARY})


async def method_not_allowed(request: Request) -> Response:
    """PUT, DELETE, PATCH: 405 with ``Allow`` (and ``Vary``, like every answer of /sparql)."""
    return PlainTextResponse(
        f"method {request.method} is not allowed at /sparql; use GET or POST\n",
        status_code=405,
        headers={"Allow": ALLOW, **VARY},
    )


# --- OpenAPI -------------------------------------------------------------------------------

_EXAMPLE = (
    "PREFIX sousei: <https://w3id.org/sousei-kg/def#>\n"
    "SELECT ?goal WHERE { ?goal a sousei:PolicyGoal }"
)
_GRAPH_PARAM = {
    "type": "array",
    "items": {"type": "string", "format": "iri"},
}
_FORMAT_PARAM = {
    "in": "query",
    "name": "format",
    "required": False,
    "description": (
        "Overrides Accept: json, xml, csv, tsv (SELECT/ASK); ttl, nt, rdfxml, jsonld, nq, trig "
        "(CONSTRUCT/DESCRIBE); or a full media type. `output` is a synonym."
    ),
    "schema": {"type": "string"},
    "example": "json",
}
_DATASET_PARAMS = [
    {
        "in": "query",
        "name": name,
        "required": False,
        "description": description,
        "schema": _GRAPH_PARAM,
        "style": "form",
        "explode": True,
        "example": ["https://w3id.org/sousei-kg/graph/strategy-2025"],
    }
    for name, description in (
        ("default-graph-uri", "A graph of this store merged into the default graph (repeatable)."),
        ("named-graph-uri", "A graph of this store made available to GRAPH (repeatable)."),
    )
]
_MEDIA = {
    fmt.media_type: {"schema": {"type": "string"}}
    for fmt in (*RESULT_FORMATS, *GRAPH_FORMATS, *DATASET_FORMATS)
}
_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "SELECT/ASK results (default JSON) or an RDF graph for CONSTRUCT/DESCRIBE "
        "(default Turtle); a bare GET returns the Service Description.",
        "content": _MEDIA,
    },
    400: {"description": "Syntax error (with line and column), bad parameter, or an update."},
    406: {"description": "No offered format matches Accept or format=."},
    415: {"description": "POST body that is neither a form nor application/sparql-query."},
}
_GET_DOC = {
    "parameters": [
        {
            "in": "query",
            "name": "query",
            "required": False,
            "description": "The SPARQL 1.1 query. Without it: the Service Description.",
            "schema": {"type": "string"},
            "example": _EXAMPLE,
        },
        *_DATASET_PARAMS,
        _FORMAT_PARAM,
    ]
}
_POST_DOC = {
    "parameters": [*_DATASET_PARAMS, _FORMAT_PARAM],
    "requestBody": {
        "required": True,
        "content": {
            FORM: {
                "schema": {
                    "type": "object",
                    "required": ["query"],
                    "properties": {
                        "query": {"type": "string"},
                        "default-graph-uri": _GRAPH_PARAM,
                        "named-graph-uri": _GRAPH_PARAM,
                        "format": {"type": "string"},
                    },
                },
                "example": {"query": _EXAMPLE},
            },
            SPARQL_QUERY: {"schema": {"type": "string"}, "example": _EXAMPLE},
        },
    },
}

for _path in PATHS:
    # Both spellings are routes of their own: a redirect would lose a POST body behind proxies.
    # Only /sparql is documented; HEAD is GET without a body.
    _slash = "_slash" if _path.endswith("/") else ""
    router.add_api_route(
        _path,
        sparql_query,
        methods=["GET"],
        summary="SPARQL query (GET) or, without a query, the Service Description",
        response_class=Response,
        responses=_RESPONSES,
        openapi_extra=_GET_DOC,
        include_in_schema=not _slash,
        operation_id="sparql_query_get" + _slash,
    )
    router.add_api_route(
        _path,
        sparql_query,
        methods=["POST"],
        summary="SPARQL query (POST form or application/sparql-query)",
        response_class=Response,
        responses=_RESPONSES,
        openapi_extra=_POST_DOC,
        include_in_schema=not _slash,
        operation_id="sparql_query_post" + _slash,
    )
    router.add_api_route(
        _path,
        sparql_query,
        methods=["HEAD"],
        include_in_schema=False,
        operation_id="sparql_query_head" + _slash,
    )
    router.add_api_route(
        _path,
        allowed_methods,
        methods=["OPTIONS"],
        include_in_schema=False,
        operation_id="sparql_options" + _slash,
    )
    router.add_api_route(
        _path,
        method_not_allowed,
        methods=["PUT", "DELETE", "PATCH"],
        include_in_schema=False,
        operation_id="sparql_method_not_allowed" + _slash,
    )
