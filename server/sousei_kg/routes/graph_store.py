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
from pyoxigraph import NamedNode, Store

from sousei_kg.http.deps import GraphDep, SettingsDep, public_base
from sousei_kg.http.errors import error_response, response_for
from sousei_kg.http.negotiation import NotAcceptableError, choose
from sousei_kg.namespaces import CANONICAL_BASE
from sousei_kg.routes._writes import (
    body_or_error,
    commit_or_error,
    payload_hash,
    principal_or_error,
    writer_of,
    writes_off,
)
from sousei_kg.sparql.formats import GRAPH_FORMATS
from sousei_kg.sparql.graph_payload import PayloadError, parse_payload
from sousei_kg.sparql.graph_serialization import serialize_graph
from sousei_kg.sparql.query_protocol import _media_type as media_type
from sousei_kg.store.graph_edits import (
    drop_graph,
    graph_triples,
    has_named_graph,
    merge_graph,
    replace_graph,
)
from sousei_kg.store.readable import ReadableStore
from sousei_kg.writes.writer import READ_ONLY_GRAPHS, WriteRequest

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
    """One Graph Store request: GET/HEAD read, PUT/POST/DELETE write."""
    method = request.method
    writing = method in ("PUT", "POST", "DELETE")
    writer = writer_of(request)
    if not (settings.write_tokens or settings.read_tokens) or (writing and writer is None):
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
    if target in READ_ONLY_GRAPHS:
        return error_response(
            403, f"{target} is read-only: writes may not change the vocabulary or shapes"
        )
    assert writer is not None  # noqa: S101 (checked above; for the type checker)
    body = await body_or_error(request, settings)
    if isinstance(body, Response):
        return body
    if method == "DELETE":

        def apply(copy: Store) -> bool:
            if not drop_graph(copy, target):
                raise _MissingGraphError
            return False

    else:
        base = target or public_base(request, settings) + "store"
        try:
            media, _charset = media_type(request.headers.get("content-type"))
            triples = parse_payload(body, media, base if "://" in base else CANONICAL_BASE)
        except PayloadError as error:
            return response_for(error)
        change = replace_graph if method == "PUT" else merge_graph

        def apply(copy: Store) -> bool:
            return change(copy, target, triples)

    write = WriteRequest(
        method.lower(), target or "default", principal.token_id, payload_hash(body), apply
    )
    try:
        commit = await commit_or_error(request, writer, write, settings)
    except _MissingGraphError:
        return error_response(404, f"there is no graph {target}")
    if isinstance(commit, Response):
        return commit
    return Response(status_code=201 if commit.created else 204)


class _MissingGraphError(Exception):
    """DELETE of a graph that does not exist (raised inside the staging step: nothing changed)."""


def _read(store: ReadableStore, target: str | None, accept: str | None) -> Response:
    if target is not None and not has_named_graph(store, target):
        return error_response(404, f"there is no graph {target}")
    try:
        fmt = choose(GRAPH_FORMATS, accept)
    except NotAcceptableError as error:
        return response_for(error)
    body = serialize_graph(graph_triples(store, target), fmt)
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
