"""The response cache replays repeated GETs without running the application again
(sousei_kg.http.response_cache), and never replays what it must not."""

from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sousei_kg.app import create_app
from sousei_kg.config import Settings
from sousei_kg.execution.jobs import QueryJob, QueryOutcome
from sousei_kg.execution.result_cache import CacheKey, ResultCache
from sousei_kg.execution.versioned_lru import ENTRY_OVERHEAD_BYTES
from sousei_kg.http.response_cache import ResponseCacheMiddleware


def _app(max_bytes: int = 1_000_000) -> tuple[Starlette, list[str]]:
    """A tiny app behind the middleware that counts the requests reaching it."""
    calls: list[str] = []

    async def sparql(request: Request) -> Response:
        calls.append(request.url.query)
        status = 404 if "missing" in request.url.query else 200
        size = int(request.query_params.get("size", "10"))
        headers = {"Content-Type": request.headers.get("accept", "text/plain")}
        if "untagged" not in request.url.query:
            headers["ETag"] = f'"{len(calls)}"'
        return Response(b"x" * size, status_code=status, headers=headers)

    app = Starlette(routes=[Route("/sparql", sparql), Route("/other", sparql)])
    app.state.knowledge_graph = SimpleNamespace(version="v1")
    app.add_middleware(ResponseCacheMiddleware, max_bytes=max_bytes)
    return app, calls


def test_a_repeated_get_is_replayed_with_the_same_headers_and_body() -> None:
    app, calls = _app()
    with TestClient(app) as client:
        first = client.get("/sparql?query=a")
        second = client.get("/sparql?query=a")
    assert len(calls) == 1
    assert second.content == first.content
    assert second.headers["etag"] == first.headers["etag"] == '"1"'
    assert second.headers["content-type"] == first.headers["content-type"]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"Accept": "text/csv"}, {"Accept": "application/json"}),
        ({"Accept-Encoding": "gzip"}, {"Accept-Encoding": "identity"}),
        ({"Accept-Language": "ja"}, {"Accept-Language": "en"}),
        ({"Origin": "https://a.example"}, {"Origin": "https://b.example"}),
        ({"Host": "a.example"}, {"Host": "b.example"}),
    ],
)
def test_headers_that_change_the_answer_are_part_of_the_key(
    first: dict[str, str], second: dict[str, str]
) -> None:
    app, calls = _app()
    with TestClient(app) as client:
        client.get("/sparql?query=a", headers=first)
        client.get("/sparql?query=a", headers=second)
        client.get("/sparql?query=a", headers=first)
    assert len(calls) == 2


@pytest.mark.parametrize(
    ("url", "headers"),
    [
        ("/sparql?query=a", {"Authorization": "Bearer t"}),
        ("/sparql?query=a", {"Cookie": "c=1"}),
        ("/sparql?query=missing", {}),
        ("/sparql?query=untagged", {}),
        ("/other?query=a", {}),
        ("/sparql?query=a&size=300000", {}),
    ],
    ids=["credentials", "cookie", "not-200", "no-etag", "other-path", "too-large"],
)
def test_what_must_not_be_replayed_reaches_the_application_each_time(
    url: str, headers: dict[str, str]
) -> None:
    app, calls = _app()
    with TestClient(app) as client:
        client.get(url, headers=headers)
        client.get(url, headers=headers)
    assert len(calls) == 2


def test_if_none_match_on_a_stored_answer_is_a_304_without_body() -> None:
    app, calls = _app()
    with TestClient(app) as client:
        etag = client.get("/sparql?query=a").headers["etag"]
        revalidated = client.get("/sparql?query=a", headers={"If-None-Match": f"W/{etag}"})
    assert revalidated.status_code == 304
    assert revalidated.content == b""
    assert revalidated.headers["etag"] == etag
    assert "content-type" not in revalidated.headers
    assert len(calls) == 1


def test_a_new_dataset_version_is_never_answered_from_the_old_one() -> None:
    app, calls = _app()
    with TestClient(app) as client:
        client.get("/sparql?query=a")
        app.state.knowledge_graph = SimpleNamespace(version="v2")
        after = client.get("/sparql?query=a")
        client.get("/sparql?query=a")
    assert len(calls) == 2
    assert after.headers["etag"] == '"2"'


def test_memory_stays_within_the_bound() -> None:
    entry = 900 + ENTRY_OVERHEAD_BYTES  # and a few hundred bytes of headers and key
    app, calls = _app(max_bytes=4 * entry + 500)

    with TestClient(app) as client:
        for n in range(10):
            client.get(f"/sparql?query={n}&size=900")
        cache = next(m for m in _middleware(app) if isinstance(m, ResponseCacheMiddleware))
        assert len(cache) in (3, 4)  # 3 or 4 such answers fit; the older ones were evicted
        client.get("/sparql?query=0&size=900")
    assert len(calls) == 11  # the oldest was evicted, so it ran again


def _middleware(app: Starlette) -> list[object]:
    """The layers of the built middleware stack, outermost first."""
    found = []
    layer: object = app.middleware_stack
    while layer is not None:
        found.append(layer)
        layer = getattr(layer, "app", None)
    return found


def test_the_real_app_replays_gzip_bytes_and_keeps_the_limits_headers() -> None:
    """Through create_app: the replayed answer is the compressed one, with the version header
    (added outside the cache) and the limits the route announces."""
    settings = Settings(rate_limit=False, query_workers=1)
    app = create_app(settings)
    with TestClient(app) as client:
        params = {"query": "SELECT ?s WHERE { ?s a <https://w3id.org/sousei-kg/def#Measure> }"}
        headers = {"Accept": "application/sparql-results+json", "Accept-Encoding": "gzip"}
        first = client.get("/sparql", params=params, headers=headers)
        cache = next(m for m in _middleware(app) if isinstance(m, ResponseCacheMiddleware))
        assert len(cache) == 1  # stored by the middleware, not only by the route's result cache
        second = client.get("/sparql", params=params, headers=headers)
    assert first.status_code == second.status_code == 200
    assert second.headers["content-encoding"] == "gzip"
    assert second.content == first.content
    assert second.headers["x-dataset-version"] == first.headers["x-dataset-version"]
    assert second.headers["x-result-limit"] == first.headers["x-result-limit"]
    assert len(second.json()["results"]["bindings"]) == 40


def test_the_rate_limit_still_counts_replayed_answers() -> None:
    settings = Settings(rate_limit=True, rate_limit_burst=3, rate_limit_per_second=0.01)
    with TestClient(create_app(settings)) as client:
        statuses = [
            client.get("/sparql", params={"query": "ASK WHERE { ?s ?p ?o }"}).status_code
            for _ in range(5)
        ]
    assert statuses[:3] == [200, 200, 200]
    assert statuses[3:] == [429, 429]


def test_the_memory_bound_counts_what_small_answers_hold_not_only_their_bodies() -> None:
    """Tiny answers cost far more than their bodies (key, headers, objects): counting bodies
    alone let a 64 MB cache hold ~1 GB. 200 answers of 10 bytes must not all fit in 100 KB."""
    app, _calls = _app(max_bytes=100_000)
    with TestClient(app) as client:
        for i in range(200):
            client.get(f"/sparql?query=q{i}")
        middleware = next(m for m in _middleware(app) if isinstance(m, ResponseCacheMiddleware))
        assert 0 < len(middleware) <= 100_000 // ENTRY_OVERHEAD_BYTES
    results = ResultCache(100_000)
    for i in range(200):
        job = QueryJob(f"ASK {{}} # {i}", "json", None, 10)
        results.remember(CacheKey("v1", job), QueryOutcome("boolean", "json", b"{}", 1, False))
    assert 0 < len(results) <= 100_000 // ENTRY_OVERHEAD_BYTES


def test_header_values_count_toward_the_bound_and_long_ones_are_not_cached() -> None:
    """The probe: 18,000 requests with a 46 KB Accept-Language grew a server by ~700 MB against a
    64 MiB bound. Values past 256 bytes are answered but not cached; shorter ones count."""
    app, calls = _app(max_bytes=200_000)
    with TestClient(app) as client:
        for n in range(40):
            headers = {"Accept-Language": f"ja;q=0.{n % 10}, " + "x" * 46_000}
            assert client.get("/sparql?query=a", headers=headers).status_code == 200
        cache = next(m for m in _middleware(app) if isinstance(m, ResponseCacheMiddleware))
        assert len(cache) == 0 and len(calls) == 40
        for n in range(200):  # 250-byte values: cached, each entry counted with its key
            client.get("/sparql?query=a", headers={"Accept-Language": f"{n:03d}" + "y" * 247})
        held = cache._answers._bytes  # the bound is what this test checks
        assert 0 < held <= 200_000
        assert len(cache) < 200  # the keys' bytes pushed older entries out


def test_case_and_spacing_of_a_varying_header_do_not_make_a_new_entry() -> None:
    app, calls = _app()
    with TestClient(app) as client:
        client.get("/sparql?query=a", headers={"Accept-Language": "ja, en;q=0.5"})
        client.get("/sparql?query=a", headers={"Accept-Language": "JA,  en;q=0.5"})
    assert len(calls) == 1
