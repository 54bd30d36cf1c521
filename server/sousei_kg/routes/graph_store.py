"""``/store``: the SPARQL 1.1 Graph Store HTTP Protocol, indirect identification
(``/store?default`` or ``/store?graph=IRI``).

Every method needs a token: reading (GET, HEAD) a read or a write token, writing (PUT replaces,
POST merges, DELETE drops) a write token. The same data is public through ``/sparql`` and the
dumps; ``/store`` is the authenticated interface of the people who maintain it. Off (404) unless
the server has tokens; writes are off unless it has write tokens. The vocabulary and shapes graphs
are read-only (403). Writes are validated before they commit, like ``/update``.
"""

from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pyoxigraph import NamedNode
from starlette.concurrency import run_in_threadpool

from sousei_kg.http.deps import GraphDep, SettingsDep
from sousei_kg.http.errors import error_response, response_for
from sousei_kg.http.negotiation import NotAcceptableError, choose
from sousei_kg.routes._writes import (
    body_or_error,
    commit_or_error,
    payload_hash,
    principal_or_error,
    write_side_of,
    writes_off,
)
from sousei_kg.sparql.formats import GRAPH_FORMATS
from sousei_kg.sparql.graph_payload import PayloadError, check_payload
from sousei_kg.sparql.graph_serialization import serialize_graph
from sousei_kg.sparql.query_protocol import _media_type as media_type
from sousei_kg.store.canonical import union_triples
from sousei_kg.store.graph_edits import (
    graph_triples,
    has_named_graph,
)
from sousei_kg.store.readable import ReadableStore
from sousei_kg.writes.orders import WriteOrder
from sousei_kg.writes.refusals import READ_ONLY_GRAPHS

router = APIRouter(tags=["graph store"])

ALLOW = "GET, HEAD, PUT, POST, DELETE, OPTIONS"


class _TargetError(Exception):
    pass


def _target(query_string: bytes) -> str | None:
    """The graph the request names: an IRI, or ``None`` for ``?default``.

    Raises:
        _TargetError: if it names none, both, several, or an invalid IRI.
    """
    try:
        params = parse_qsl(query_string.decode("utf-8"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise _TargetError("the URL query string is not UTF-8") from None
    graphs = [value for name, value in params if name == "graph"]
    default = any(name == "default" for name, _ in params)
    if default + len(graphs) != 1:
        raise _TargetError("name exactly one graph: /store?default or /store?graph=IRI")
    if default:
        return None
    try:
        return NamedNode(graphs[0].strip()).value
    except ValueError as error:
        raise _TargetError(f"graph={graphs[0]!r} is not an absolute IRI: {error}") from None


async def graph_store(request: Request, graph: GraphDep, settings: SettingsDep) -> Response:
    """One Graph Store request: GET/HEAD read, PUT/POST/DELETE write.

    ``?default`` is the default graph every query reads, the union of the named graphs: it can
    be read, never written (405). A write's body is checked here (media type, nesting) and
    parsed and applied by the write process.
    """
    method = request.method
    writing = method in ("PUT", "POST", "DELETE")
    if not (settings.write_tokens or settings.read_tokens) or (
        writing and write_side_of(request) is None
    ):
        return error_response(404, writes_off(settings))
    principal = principal_or_error(request, settings, write=writing)
    if isinstance(principal, Response):
        return principal
    try:
        target = _target(request.scope["query_string"])
    except _TargetError as error:
        return error_response(400, str(error))
    if not writing:
        return _read(graph.store, target, request.headers.get("accept"))
    if target is None:
        return error_response(
            405,
            "the default graph is the read-only union of the named graphs; write to a named "
            "graph: /store?graph=IRI",
            {"Allow": "GET, HEAD"},
        )
    if target in READ_ONLY_GRAPHS:
        return error_response(
            403, f"{target} is read-only: writes may not change the vocabulary or shapes"
        )
    body = await body_or_error(request, settings)
    if isinstance(body, Response):
        return body
    media: str | None = None
    if method != "DELETE":
        media, _charset = media_type(request.headers.get("content-type"))
        try:
            # Linear, but up to seconds for a 10 MB body: off the event loop.
            await run_in_threadpool(check_payload, body, media, settings.max_payload_depth)
        except PayloadError as error:
            return response_for(error)
    order = WriteOrder(
        operation="put" if method == "PUT" else "post" if method == "POST" else "delete",
        target=target,
        base_iri=target,
        token=principal.token_id,
        payload_sha256=payload_hash(body),
        timeout=settings.write_timeout,
        payload=body if method != "DELETE" else None,
        media_type=media,
    )
    commit = await commit_or_error(request, order, settings)
    if isinstance(commit, Response):
        return commit
    return Response(status_code=201 if commit.created else 204)


def _read(store: ReadableStore, target: str | None, accept: str | None) -> Response:
    if target is not None and not has_named_graph(store, target):
        return error_response(404, f"there is no graph {target}")
    try:
        fmt = choose(GRAPH_FORMATS, accept)
    except NotAcceptableError as error:
        return response_for(error)
    triples = union_triples(store) if target is None else graph_triples(store, target)
    body = serialize_graph(triples, fmt)
    return Response(body, headers={"Content-Type": fmt.content_type, "Vary": "Accept"})


async def allowed_methods() -> Response:
    """A plain OPTIONS."""
    return Response(status_code=204, headers={"Allow": ALLOW})


for _path in ("/store", "/store/"):
    _slash = "_slash" if _path.endswith("/") else ""
    for _method in ("GET", "PUT", "POST", "DELETE", "HEAD"):
        router.add_api_route(
            _path,
            graph_store,
            methods=[_method],
            summary=f"Graph Store HTTP Protocol {_method} (needs a token; writes are validated)",
            response_class=Response,
            include_in_schema=not _slash and _method != "HEAD",
            operation_id=f"graph_store_{_method.lower()}{_slash}",
        )
    router.add_api_route(
        _path,
        allowed_methods,
        methods=["OPTIONS"],
        include_in_schema=False,
        operation_id="graph_store_options" + _slash,
    )
