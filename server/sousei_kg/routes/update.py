"""``/update``: the SPARQL 1.1 Protocol update operation (POST form or direct), behind a write
token, validated against the shipped shapes before it commits.

Off (404) unless the server has write tokens. ``/sparql`` never takes updates, and neither does a
GET here (405).
"""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from sousei_kg.http.deps import SettingsDep, public_base
from sousei_kg.http.errors import error_response, response_for
from sousei_kg.namespaces import CANONICAL_BASE
from sousei_kg.routes._writes import (
    body_or_error,
    commit_or_error,
    payload_hash,
    principal_or_error,
    write_side_of,
    writes_off,
)
from sousei_kg.sparql import guard as sparql_guard
from sousei_kg.sparql.query_protocol import ProtocolError
from sousei_kg.sparql.update_protocol import parse_update_request, with_using
from sousei_kg.writes.orders import WriteOrder

router = APIRouter(tags=["update"])

PATHS = ("/update", "/update/")
ALLOW = "POST, OPTIONS"


def _base_iri(request: Request, settings: SettingsDep) -> str:
    """What relative IRIs in an update resolve against: this endpoint's URL (the protocol says
    the base "MAY be the service endpoint")."""
    base = public_base(request, settings) + "update"
    return base if "://" in base else CANONICAL_BASE + "update"


async def sparql_update(request: Request, settings: SettingsDep) -> Response:
    """Apply a SPARQL 1.1 Update: 200 with what changed; 4xx (or 503) with the reason otherwise.

    The request is read, checked (SERVICE/LOAD, USING clauses) and bounded here; the write
    process parses and applies it (:mod:`sousei_kg.writes.write_process`).
    """
    if write_side_of(request) is None:
        return error_response(404, writes_off(settings))
    if request.method != "POST":
        message = f"method {request.method} is not allowed; updates use POST"
        return error_response(405, message, {"Allow": ALLOW})
    principal = principal_or_error(request, settings, write=True)
    if isinstance(principal, Response):
        return principal
    body = await body_or_error(request, settings)
    if isinstance(body, Response):
        return body
    try:
        parsed = parse_update_request(
            request.method, request.headers.get("content-type"), request.scope["query_string"], body
        )
        sparql_guard.check(parsed.update)
        text = with_using(parsed)
    except ProtocolError as error:
        return response_for(error)
    except sparql_guard.ForbiddenQueryError as error:
        return error_response(400, str(error).replace("the query", "the update"))
    order = WriteOrder(
        operation="update",
        target=None,
        base_iri=_base_iri(request, settings),
        token=principal.token_id,
        payload_sha256=payload_hash(body),
        timeout=settings.write_timeout,
        text=text,
    )
    commit = await commit_or_error(request, order, settings)
    if isinstance(commit, Response):
        return commit
    return JSONResponse(
        {"added": commit.added, "removed": commit.removed, "dataset_version": commit.version}
    )


async def allowed_methods() -> Response:
    """A plain OPTIONS."""
    return Response(status_code=204, headers={"Allow": ALLOW})


_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "application/sparql-update": {"schema": {"type": "string"}},
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["update"],
                    "properties": {
                        "update": {"type": "string"},
                        "using-graph-uri": {"type": "array", "items": {"type": "string"}},
                        "using-named-graph-uri": {"type": "array", "items": {"type": "string"}},
                    },
                }
            },
        },
    }
}

for _path in PATHS:
    _slash = "_slash" if _path.endswith("/") else ""
    router.add_api_route(
        _path,
        sparql_update,
        methods=["POST"],
        summary="SPARQL 1.1 Update (needs a write token; validated before it commits)",
        response_class=Response,
        openapi_extra=_DOC,
        include_in_schema=not _slash,
        operation_id="sparql_update" + _slash,
    )
    router.add_api_route(
        _path,
        sparql_update,
        methods=["GET", "HEAD", "PUT", "DELETE", "PATCH"],
        include_in_schema=False,
        operation_id="sparql_update_not_allowed" + _slash,
    )
    router.add_api_route(
        _path,
        allowed_methods,
        methods=["OPTIONS"],
        include_in_schema=False,
        operation_id="sparql_update_options" + _slash,
    )
