"""One SPARQL query request, top to bottom: parse → guard → negotiate → hint → cache → run →
answer.

Every step is a call into the module that owns it, in the order a request meets them:

1. **parse** the SPARQL 1.1 Protocol request (:mod:`sousei_kg.sparql.query_protocol`); a request
   without a query is answered by the Service Description;
2. **guard**: refuse ``SERVICE`` and ``LOAD`` (:mod:`sousei_kg.sparql.guard`);
3. **negotiate** the answer's format for both query forms (the form is known only once the engine
   parsed the query, so the worker picks the one that fits) (:mod:`sousei_kg.http.negotiation`);
4. **hint**: IRIs of ours the query names and the dataset lacks, with the nearest that exists
   (:mod:`sousei_kg.http.query_hints`; remembered per text);
5. **cache**, 6. **run** in a killable worker within the limits and 7. **answer**
   (:func:`sousei_kg.http.query_answers.run_limited`).

A step that refuses the request raises its own exception; :mod:`sousei_kg.http.errors` turns it
into the answer. Browser visits never get here: ``routes/sparql`` sends them to the editor first.
"""

from fastapi import Request
from fastapi.responses import Response
from pyoxigraph import NamedNode
from starlette.concurrency import run_in_threadpool

from sousei_kg.config import Settings
from sousei_kg.dataset.knowledge_graph import KnowledgeGraph
from sousei_kg.execution.jobs import QueryJob
from sousei_kg.http.deps import public_base
from sousei_kg.http.negotiation import (
    REMEMBERED_BYTES,
    REMEMBERED_HEADERS,
    NotAcceptableError,
    choose_format,
)
from sousei_kg.http.query_answers import run_limited
from sousei_kg.http.query_hints import hint_headers, hint_specs, query_hints
from sousei_kg.namespaces import CANONICAL_BASE
from sousei_kg.publication.service_description import service_description
from sousei_kg.sparql import guard
from sousei_kg.sparql.formats import DATASET_FORMATS, GRAPH_FORMATS, RESULT_FORMATS, Format
from sousei_kg.sparql.graph_serialization import serialize_graph
from sousei_kg.sparql.memo import bounded_memo
from sousei_kg.sparql.query_protocol import ProtocolRequest, parse_request
from sousei_kg.store.canonical import union_triples

VARY = {"Vary": "Accept"}
RDF_OFFER: tuple[Format, ...] = (*GRAPH_FORMATS, *DATASET_FORMATS)
"""What CONSTRUCT, DESCRIBE and the Service Description can be written as. N-Quads and TriG of a
graph put its triples in the default graph."""


def endpoint_url(request: Request, settings: Settings) -> str:
    """The endpoint URL as clients reach it: the Service Description's ``sd:endpoint`` and the
    base IRI of queries. Falls back to the canonical base if the Host header gives no IRI."""
    return _checked_endpoint(public_base(request, settings) + "sparql")


@bounded_memo(REMEMBERED_HEADERS, REMEMBERED_BYTES)
def _checked_endpoint(endpoint: str) -> str:
    """``endpoint`` if it is an IRI, else the canonical one; remembered per ``Host`` value (the
    base of the URL), since every query asks."""
    try:
        return NamedNode(endpoint).value
    except ValueError:
        return CANONICAL_BASE + "sparql"


async def answer_query(request: Request, graph: KnowledgeGraph, settings: Settings) -> Response:
    """Answer one protocol request (see the module docstring for the steps).

    Raises:
        ProtocolError: the request breaks the protocol (400, 405, 415).
        ForbiddenQueryError: the query uses SERVICE or LOAD (400).
        NotAcceptableError: no offered format matches ``Accept`` or ``format=`` (406).
    """
    body = await request.body() if request.method == "POST" else b""
    protocol = parse_request(
        request.method, request.headers.get("content-type"), request.scope["query_string"], body
    )
    accept = request.headers.get("accept")
    endpoint = endpoint_url(request, settings)
    if protocol.query is None:
        fmt = choose_format(RDF_OFFER, accept, protocol.formats)
        return await run_in_threadpool(describe_service, graph, endpoint, fmt)
    guard.check(protocol.query)
    solutions_format, graph_format = negotiate(protocol, accept)
    graphs = (*protocol.default_graphs, *protocol.named_graphs)
    hints = await query_hints(graph, protocol.query, endpoint, graphs)
    job = QueryJob(
        query=protocol.query,
        solutions_format=solutions_format.key if solutions_format else None,
        graph_format=graph_format.key if graph_format else None,
        row_cap=settings.result_cap,
        byte_cap=settings.result_max_bytes,
        default_graphs=protocol.default_graphs if protocol.has_protocol_dataset else None,
        named_graphs=protocol.named_graphs if protocol.has_protocol_dataset else None,
        union_default_graph=protocol.union_default_graph,
        base_iri=endpoint,
        cap_link=public_base(request, settings) + "limits#result-cap",
        hints=hint_specs(hints),
    )
    return await run_limited(request, job, settings, {**VARY, **hint_headers(hints)})


def negotiate(protocol: ProtocolRequest, accept: str | None) -> tuple[Format | None, Format | None]:
    """The formats for solutions (SELECT/ASK) and for graphs (CONSTRUCT/DESCRIBE); one may be
    ``None`` (that form is then "not acceptable"), never both.

    Raises:
        NotAcceptableError: if neither form can be written in an acceptable format.
    """
    solutions, graphs = _negotiated(accept, protocol.formats)
    if solutions is None and graphs is None:
        requested = ", ".join(protocol.formats) or accept or ""
        raise NotAcceptableError(requested, (*RESULT_FORMATS, *RDF_OFFER))
    return solutions, graphs


@bounded_memo(REMEMBERED_HEADERS, REMEMBERED_BYTES)
def _negotiated(
    accept: str | None, formats: tuple[str, ...]
) -> tuple[Format | None, Format | None]:
    """Both formats of :func:`negotiate` (``None``: not acceptable), remembered per ``Accept``
    and ``format=`` values: one look-up per query instead of two negotiations."""
    return _acceptable(RESULT_FORMATS, accept, formats), _acceptable(RDF_OFFER, accept, formats)


def _acceptable(
    offered: tuple[Format, ...], accept: str | None, formats: tuple[str, ...]
) -> Format | None:
    try:
        return choose_format(offered, accept, formats)
    except NotAcceptableError:
        return None


def describe_service(graph: KnowledgeGraph, endpoint: str, fmt: Format) -> Response:
    """The Service Description in ``fmt`` (what a bare GET of the endpoint answers)."""
    # Distinct triples of the union graph: counted once per dataset, not on every bare GET.
    union_size = graph.derived("union-triple-count", lambda: len(union_triples(graph.store)))
    body = serialize_graph(service_description(endpoint, graph.graphs, union_size), fmt)
    return Response(body, headers={"Content-Type": fmt.content_type, **VARY})
