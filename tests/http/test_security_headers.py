"""``X-Content-Type-Options: nosniff`` on every answer, and framing protection plus a
Content-Security-Policy on every HTML answer (sousei_kg.http.security_headers), through the real
app: routes, errors, static files, the protection's raw refusals, the response cache's replays
and Starlette's own 500. What only a real server shows (no ``server`` header, the protocol's own
400 and 431) is in ``test_http_protocol.py``."""

from collections.abc import Callable
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sousei_kg.app import create_app
from sousei_kg.config import Settings
from sousei_kg.http.content_security import page_policy, svg_policy
from sousei_kg.http.response_cache import ResponseCacheMiddleware
from sousei_kg.http.security_headers import SecurityHeadersMiddleware

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
SELECT = "SELECT ?s WHERE { ?s a <https://w3id.org/sousei-kg/def#Measure> } LIMIT 3"
NAMED = "/queries/list-measures-for-kpi?kpi=" + quote(
    "https://w3id.org/sousei-kg/id/indicator/goal-2-kpi", safe=""
)


def _nosniff(response: httpx.Response) -> bool:
    return response.headers.get_list("x-content-type-options") == ["nosniff"]


@pytest.mark.parametrize(
    ("method", "url", "headers", "status"),
    [
        ("GET", "/", BROWSER, 200),
        ("GET", "/health", {}, 200),
        ("GET", "/doc/goal/1.ttl", {}, 200),
        ("GET", "/sparql", {}, 200),
        ("GET", "/sparql?query=" + quote(SELECT), {"Accept": "text/csv"}, 200),
        ("GET", NAMED, {}, 200),
        ("GET", "/static/style.css", {}, 200),
        ("GET", "/logic-model.svg", {}, 200),
        ("GET", "/no/such/page", {}, 404),
        ("GET", "/doc/no-such-thing", BROWSER, 404),
        ("GET", "/sparql?query=SELEC", {}, 400),
        ("DELETE", "/sparql", {}, 405),
        ("GET", "/sparql?query=" + quote(SELECT), {"Accept": "image/png"}, 406),
        ("GET", "/docs", {}, 200),
    ],
)
def test_every_answer_is_nosniff(
    client: TestClient, method: str, url: str, headers: dict[str, str], status: int
) -> None:
    response = client.request(method, url, headers=headers)
    assert response.status_code == status
    assert _nosniff(response), response.headers


def test_the_protections_own_refusals_are_nosniff(client_with: Callable[..., TestClient]) -> None:
    """414, 413 and 429 are written by the protection middleware as raw ASGI messages."""
    client = client_with(
        rate_limit=True, rate_limit_burst=2, page_rate_limit_burst=2, max_url_bytes=200
    )
    too_long = client.get("/sparql", params={"query": "#" * 300})
    too_large = client.post(
        "/sparql", content=b"x" * 200_000, headers={"Content-Type": "application/sparql-query"}
    )
    statuses = [client.get("/limits") for _ in range(3)]
    assert (too_long.status_code, too_large.status_code) == (414, 413)
    assert statuses[-1].status_code == 429
    assert all(_nosniff(r) for r in (too_long, too_large, statuses[-1]))


def test_a_replayed_answer_is_nosniff() -> None:
    app = create_app(Settings())
    with TestClient(app) as client:
        first = client.get("/sparql", params={"query": SELECT})
        cache = _layer(app, ResponseCacheMiddleware)
        assert len(cache) == 1
        replayed = client.get("/sparql", params={"query": SELECT})
    assert replayed.content == first.content and replayed.headers["etag"] == first.headers["etag"]
    assert _nosniff(first) and _nosniff(replayed)


def test_starlettes_own_500_is_nosniff(client_with: Callable[..., TestClient]) -> None:
    """An unexpected exception is answered by Starlette's server-error middleware, outside every
    ``add_middleware`` layer; the security headers are outside it (sousei_kg.http.edge)."""
    client = client_with(raise_server_exceptions=False)

    def broken() -> None:
        raise RuntimeError("a bug")

    client.app.add_api_route("/broken", broken)  # type: ignore[attr-defined]
    response = client.get("/broken")
    assert response.status_code == 500
    assert _nosniff(response)


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/doc/measure/reskilling-support",
        "/doc/no-such-thing",
        "/kpis",
        "/organisations",
        "/logic-model",
        "/search?q=交通",
        "/queries",
        NAMED,
        "/def",
        "/dataset",
        "/sparql",
    ],
)
def test_every_page_has_a_policy_and_refuses_framing(client: TestClient, url: str) -> None:
    response = client.get(url, headers=BROWSER)
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["x-frame-options"] == "DENY"
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_a_standalone_svg_runs_nothing(client: TestClient) -> None:
    response = client.get("/logic-model.svg")
    assert response.headers["content-security-policy"] == svg_policy()
    assert svg_policy().startswith("default-src 'none'")


def test_the_api_explorer_has_its_own_policy_and_loads_nothing_from_outside(
    client: TestClient,
) -> None:
    """/docs is Swagger UI served from here, under the pages' policy plus data: images; FastAPI's
    CDN pages (and their exemption from the policy) are gone, and /redoc leads to /docs."""
    response = client.get("/docs")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "img-src 'self' data:" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response.headers["x-frame-options"] == "DENY" and _nosniff(response)
    assert "cdn." not in response.text and "https://" not in response.text.split("<body")[0]
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in response.text
    assert "<script>" not in response.text  # only src= scripts and a JSON data block
    redoc = client.get("/redoc", follow_redirects=False)
    assert (redoc.status_code, redoc.headers["location"]) == (301, "/docs")


def _tiny(response: Response) -> TestClient:
    async def endpoint(_request: Request) -> Response:
        return response

    return TestClient(SecurityHeadersMiddleware(Starlette(routes=[Route("/", endpoint)])))


def test_html_without_a_policy_of_its_own_gets_the_pages_policy() -> None:
    answer = _tiny(Response("<p>hi</p>", media_type="text/html")).get("/")
    assert answer.headers["content-security-policy"] == page_policy()
    assert answer.headers["x-frame-options"] == "DENY"
    svg = _tiny(Response("<svg/>", media_type="image/svg+xml")).get("/")
    assert svg.headers["content-security-policy"] == svg_policy()


def test_a_policy_of_its_own_is_kept_and_nosniff_is_not_doubled() -> None:
    own = {"Content-Security-Policy": "default-src 'none'", "X-Content-Type-Options": "nosniff"}
    answer = _tiny(Response("<p>hi</p>", media_type="text/html", headers=own)).get("/")
    assert answer.headers.get_list("content-security-policy") == ["default-src 'none'"]
    assert _nosniff(answer)
    plain = _tiny(Response("{}", media_type="application/json")).get("/")
    assert "content-security-policy" not in plain.headers
    assert "x-frame-options" not in plain.headers and _nosniff(plain)


def _layer(app: object, cls: type[ResponseCacheMiddleware]) -> ResponseCacheMiddleware:
    layer = getattr(app, "middleware_stack", None)
    while layer is not None and not isinstance(layer, cls):
        layer = getattr(layer, "app", None)
    assert layer is not None
    return layer
