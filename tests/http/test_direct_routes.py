"""The lean path (sousei_kg.http.direct_routes): the hot query routes are answered without FastAPI's
router, by the same endpoints, with the app's exception handlers, and everything else still goes
through the router."""

from types import SimpleNamespace
from typing import Annotated

import pytest
from fastapi import Depends, FastAPI, Request
from fastapi.responses import PlainTextResponse, Response
from fastapi.testclient import TestClient
from starlette.types import Receive, Scope, Send

from sousei_kg.app import create_app
from sousei_kg.config import Settings
from sousei_kg.dataset.knowledge_graph import KnowledgeGraph
from sousei_kg.http.deps import GraphDep, SettingsDep, get_app_settings
from sousei_kg.http.direct_routes import DirectRoutes, LeanPathError, check_endpoint
from sousei_kg.http.negotiation import NotAcceptableError
from sousei_kg.routes import sparql as sparql_routes


def _tiny_app() -> tuple[FastAPI, list[str]]:
    """An app whose router records what reaches it, with one direct route at ``/direct``."""
    reached_router: list[str] = []
    app = FastAPI()
    app.state.knowledge_graph = SimpleNamespace(version="v")
    app.state.settings = SimpleNamespace()

    async def direct(request: Request, _graph: KnowledgeGraph, _settings: Settings) -> Response:
        wanted = request.query_params.get("fail")
        if wanted == "406":
            raise NotAcceptableError("text/x-nothing", ())
        if wanted == "bug":
            raise RuntimeError("a bug")
        return PlainTextResponse(f"direct {request.method}")

    @app.api_route("/direct", methods=["GET", "OPTIONS"])
    @app.get("/other")
    async def routed(request: Request) -> Response:
        reached_router.append(f"{request.method} {request.url.path}")
        return PlainTextResponse("routed")

    @app.exception_handler(NotAcceptableError)
    async def not_acceptable(_request: Request, error: NotAcceptableError) -> Response:
        return PlainTextResponse(f"406: {error}", status_code=406)

    app.add_middleware(DirectRoutes, routes=[(("GET", "HEAD"), "/direct", direct)])
    return app, reached_router


def test_a_direct_route_is_answered_without_the_router_and_the_rest_is_routed() -> None:
    app, reached_router = _tiny_app()
    with TestClient(app) as client:
        assert client.get("/direct").text == "direct GET"
        assert client.head("/direct").status_code == 200
        assert reached_router == []
        assert client.options("/direct").text == "routed"  # a method not listed
        assert client.get("/other").text == "routed"  # a path not listed
    assert reached_router == ["OPTIONS /direct", "GET /other"]


def test_exceptions_get_the_apps_handlers_and_others_propagate() -> None:
    app, _ = _tiny_app()
    with TestClient(app, raise_server_exceptions=False) as client:
        refused = client.get("/direct?fail=406")
        broken = client.get("/direct?fail=bug")
    assert refused.status_code == 406 and "text/x-nothing" in refused.text
    assert broken.status_code == 500  # the server-error middleware's answer, as from the router


def test_the_real_apps_query_routes_do_not_reach_the_router() -> None:
    """Record every request that reaches the real app's router: the query routes never do, the
    rest still does, and the OpenAPI document (built from the routes) still has them all."""
    app = create_app()
    reached_router: list[str] = []
    routed = app.router.middleware_stack

    async def recording(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            reached_router.append(f"{scope['method']} {scope['path']}")
        await routed(scope, receive, send)

    app.router.middleware_stack = recording
    with TestClient(app) as client:
        ask = client.get(
            "/sparql", params={"query": "ASK {}"}, headers={"Accept": "application/json"}
        )
        posted = client.post("/sparql", data={"query": "ASK {}"})
        named = client.get(
            "/queries/search-labels", params={"text": "交通"}, headers={"Accept": "text/csv"}
        )
        headed = client.head("/queries/search-labels", params={"text": "交通"})
        assert reached_router == []
        refused = client.put("/sparql")
        operations = client.get("/openapi.json").json()["paths"]
    assert reached_router == ["PUT /sparql", "GET /openapi.json"]
    assert refused.status_code == 405
    assert ask.status_code == 200 and ask.json()["boolean"] is True
    assert ask.headers["X-Result-Limit"] and ask.headers["ETag"]
    assert posted.status_code == 200
    assert named.status_code == 200 and named.text.startswith("resource,label,")
    assert headed.status_code == 200 and headed.content == b""
    assert "/sparql" in operations and "/queries/search-labels" in operations


@pytest.mark.parametrize("path", ["/sparql", "/queries/search-labels"])
def test_head_answers_like_get_without_a_body(path: str) -> None:
    params = {"query": "ASK {}"} if path == "/sparql" else {"text": "交通"}
    with TestClient(create_app()) as client:
        got = client.get(path, params=params)
        head = client.head(path, params=params)
    assert head.status_code == got.status_code == 200
    assert head.headers["ETag"] == got.headers["ETag"]
    assert head.content == b""


def test_an_endpoint_with_a_dependency_the_lean_path_would_skip_fails_at_start_up() -> None:
    """A dependency added to an endpoint would show in OpenAPI and be skipped on the lean path:
    building such an app fails, naming the endpoint and the parameter."""

    def audited() -> str:
        return "audited"

    async def extra(
        request: Request, graph: GraphDep, settings: SettingsDep, who: str = Depends(audited)
    ) -> Response:
        raise AssertionError((request, graph, settings, who))

    async def other_source(
        request: Request, graph: Annotated[KnowledgeGraph, Depends(audited)], settings: SettingsDep
    ) -> Response:
        raise AssertionError((request, graph, settings))

    check_endpoint(sparql_routes.sparql_query)  # the real endpoints pass
    for endpoint, wrong in ((extra, "4 parameters"), (other_source, "'graph'")):
        with pytest.raises(LeanPathError, match=wrong):
            check_endpoint(endpoint)
        app = FastAPI()
        with pytest.raises(LeanPathError):
            DirectRoutes(app, routes=[(("GET",), "/x", endpoint)])


def test_dependency_overrides_take_effect_on_the_query_routes() -> None:
    """With an override of the settings dependency (a cap of 1 row), GET /sparql answers with the
    overridden settings: the request went through the router, which applies overrides."""
    query = "SELECT ?g WHERE { ?g a <https://w3id.org/sousei-kg/def#PolicyGoal> }"
    app = create_app()
    capped = Settings(result_cap=1, rate_limit=False)
    with TestClient(app) as client:
        plain = client.get("/sparql", params={"query": query, "format": "json"})
        app.dependency_overrides[get_app_settings] = lambda: capped
        overridden = client.get("/sparql", params={"query": query, "format": "csv"})
    assert len(plain.json()["results"]["bindings"]) == 3
    assert overridden.headers["X-Result-Truncated"] == "true"
    assert overridden.text.strip().count("\n") == 1  # the header row and one row
