"""``/sparql``: the SPARQL 1.1 Protocol query endpoint (GET, form POST, direct POST).

A person who follows a link here with a browser gets the query editor; every other request goes
down the query pipeline (:mod:`sousei_kg.http.query_pipeline`: parse, guard, negotiate, cache, run,
answer). The OpenAPI description of the parameters is in :mod:`sousei_kg.routes.sparql_openapi`.
"""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from sousei_kg.http.deps import GraphDep, SettingsDep
from sousei_kg.http.errors import error_response
from sousei_kg.http.negotiation import prefers_html
from sousei_kg.http.query_pipeline import VARY, answer_query, endpoint_url
from sousei_kg.routes import sparql_openapi
from sousei_kg.routes.editor import editor_page

router = APIRouter(tags=["sparql"])

PATHS = ("/sparql", "/sparql/")
ALLOW = "GET, HEAD, POST, OPTIONS"


def is_browser_visit(request: Request) -> bool:
    """A person following a link (YASGUI's share links are such GETs, and so is a bare visit):
    a GET that prefers HTML and asks for no ``format=``. It gets the editor, which reads any query
    from the URL, rather than a results file."""
    if request.method not in ("GET", "HEAD") or not prefers_html(request.headers.get("accept")):
        return False  # (the remembered Accept verdict first: parsing the query string costs more)
    params = request.query_params
    return "format" not in params and "output" not in params


async def sparql_query(request: Request, graph: GraphDep, settings: SettingsDep) -> Response:
    """SPARQL 1.1 Protocol query operation; a bare GET returns the Service Description."""
    if is_browser_visit(request):
        return editor_page(request, endpoint_url(request, settings))
    return await answer_query(request, graph, settings)


async def allowed_methods() -> Response:
    """A plain OPTIONS (CORS preflights are answered by the middleware before this)."""
    return Response(status_code=204, headers={"Allow": ALLOW, **VARY})


async def method_not_allowed(request: Request) -> Response:
    """PUT, DELETE, PATCH: 405 with ``Allow`` (and ``Vary``, like every answer of /sparql)."""
    return error_response(
        405,
        f"method {request.method} is not allowed at /sparql; use GET or POST",
        {"Allow": ALLOW, **VARY},
    )


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
        responses=sparql_openapi.RESPONSES,
        openapi_extra=sparql_openapi.GET_DOC,
        include_in_schema=not _slash,
        operation_id="sparql_query_get" + _slash,
    )
    router.add_api_route(
        _path,
        sparql_query,
        methods=["POST"],
        summary="SPARQL query (POST form or application/sparql-query)",
        response_class=Response,
        responses=sparql_openapi.RESPONSES,
        openapi_extra=sparql_openapi.POST_DOC,
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
