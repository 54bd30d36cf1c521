"""Request limits and the rate limit (issue 5), without a real server: a bad or abusive request
gets a clear refusal (414, 413, 408, 429) that names the limit, and the app behind the
middleware never sees what was refused."""

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Message, Receive, Scope

from sousei_kg.app import create_app
from sousei_kg.config import Settings
from sousei_kg.http.protection import ProtectionMiddleware
from sousei_kg.http.rate_limit import TokenBuckets

LIMITS = Settings(
    max_url_bytes=100, max_query_bytes=50, max_update_bytes=200, body_timeout=0.2, rate_limit=False
)


class Spy:
    """A tiny app that records what reached it."""

    def __init__(self) -> None:
        self.calls = 0
        self.body_seen = 0

    async def endpoint(self, request: Request) -> Response:
        self.calls += 1
        async for chunk in request.stream():
            self.body_seen += len(chunk)
        return PlainTextResponse("ok")

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/{path:path}", self.endpoint, methods=["GET", "POST"])])


def protected(
    spy: Spy, settings: Settings = LIMITS, buckets: TokenBuckets | None = None
) -> TestClient:
    return TestClient(ProtectionMiddleware(spy.app(), settings, buckets))


def test_a_long_url_is_414_and_suggests_post() -> None:
    spy = Spy()
    response = protected(spy).get("/sparql", params={"query": "x" * 100})
    assert response.status_code == 414
    assert "limit of 100 bytes" in response.text and "POST" in response.text
    assert response.headers["content-type"].startswith("text/plain")
    assert spy.calls == 0


def test_a_declared_body_over_the_limit_is_413_unread() -> None:
    spy = Spy()
    client = protected(spy)
    response = client.post("/sparql", content=b"x" * 51)
    assert response.status_code == 413
    assert "51 bytes" in response.text and "limit of 50 bytes" in response.text
    assert response.headers["connection"] == "close"
    assert spy.calls == 0
    # Writes have their own, larger limit.
    assert client.post("/update", content=b"x" * 200).status_code == 200
    assert client.post("/store", params={"graph": "g"}, content=b"x" * 201).status_code == 413
    assert spy.calls == 1


def test_a_chunked_body_is_cut_off_at_the_limit() -> None:
    spy = Spy()

    def chunks() -> Iterator[bytes]:
        for _ in range(10):
            yield b"y" * 20

    response = protected(spy).post("/sparql", content=chunks())
    assert response.status_code == 413
    assert "passed the limit of 50 bytes for queries" in response.text
    assert spy.calls == 1 and spy.body_seen <= 50  # the app never got the rest


def test_a_bad_content_length_is_400() -> None:
    messages = asyncio.run(drive(headers=[(b"content-length", b"12abc")]))
    assert messages[0]["status"] == 400
    assert b"Content-Length '12abc'" in messages[1]["body"]


def test_a_stalled_body_is_408_in_time() -> None:
    calls = []

    async def stalling() -> Message:
        calls.append(1)
        if len(calls) == 1:
            return {"type": "http.request", "body": b"SELECT", "more_body": True}
        await asyncio.sleep(30)
        return {"type": "http.disconnect"}

    started = time.monotonic()
    messages = asyncio.run(drive(receive=stalling))
    assert time.monotonic() - started < 2
    assert messages[0]["status"] == 408
    assert b"did not arrive within 0.2 s" in messages[1]["body"]


async def drive(
    headers: list[tuple[bytes, bytes]] | None = None, receive: Receive | None = None
) -> list[Message]:
    """Call the middleware directly with a POST to /sparql; return what it sent."""
    spy, sent = Spy(), list[Message]()

    async def no_body() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    scope: Scope = {
        "type": "http",
        "method": "POST",
        "path": "/sparql",
        "raw_path": b"/sparql",
        "query_string": b"",
        "headers": headers or [],
        "client": ("127.0.0.1", 5000),
    }
    await ProtectionMiddleware(spy.app(), LIMITS)(scope, receive or no_body, send)
    return sent


def test_forwarded_for_counts_only_from_a_trusted_proxy() -> None:
    """One resolver (uvicorn's ProxyHeadersMiddleware, added by create_app): the rate limit sees
    the right-most untrusted X-Forwarded-For hop when the peer is a trusted proxy, and the peer
    itself otherwise. Each resolved address gets its own budget of 2 requests."""
    settings = Settings(rate_limit=True, rate_limit_burst=2, trusted_proxies=["10.0.0.0/8", "::1"])
    forwarded = {"X-Forwarded-For": "203.0.113.9, 198.51.100.7, 10.1.2.3"}

    def statuses(peer: str, headers: dict[str, str]) -> list[int]:
        with TestClient(create_app(settings), client=(peer, 5000)) as client:
            return [client.get("/queries", headers=headers).status_code for _ in range(3)]

    # Behind the proxy, clients 198.51.100.7 and 198.51.100.8 have budgets of their own.
    with TestClient(create_app(settings), client=("10.0.0.1", 5000)) as client:
        first = [client.get("/queries", headers=forwarded).status_code for _ in range(3)]
        other = {"X-Forwarded-For": "198.51.100.8"}
        second = [client.get("/queries", headers=other).status_code for _ in range(2)]
    assert first == [200, 200, 429] and second == [200, 200]
    # An untrusted peer's X-Forwarded-For is ignored: every header value shares the peer's budget.
    with TestClient(create_app(settings), client=("192.0.2.1", 5000)) as client:
        varied = [
            client.get("/queries", headers={"X-Forwarded-For": f"198.51.100.{n}"}).status_code
            for n in range(3)
        ]
    assert varied == [200, 200, 429]
    assert statuses("::1", {"X-Forwarded-For": "2001:db8::1"})[-1] == 429


def test_trusted_proxies_are_checked_and_normalised() -> None:
    assert Settings(trusted_proxies=["10.0.0.1/8", "::1"]).trusted_proxies == ["10.0.0.0/8", "::1"]
    with pytest.raises(ValueError, match=r"'proxy\.example' is not an IP"):
        Settings(trusted_proxies=["proxy.example"])


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def test_the_bucket_allows_a_burst_then_refills() -> None:
    clock = Clock()
    buckets = TokenBuckets(None, burst=3, per_second=0.5, clock=clock)
    decisions = [buckets.take(b"a") for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0]
    assert decisions[3].retry_after == 2 and decisions[3].reset == 6
    assert buckets.take(b"b").allowed  # another client has its own bucket
    clock.now += 1.9
    assert not buckets.take(b"a").allowed
    clock.now += 0.1
    assert buckets.take(b"a").allowed
    clock.now -= 500  # a clock going backwards refills nothing, and blocks nothing for long
    assert not buckets.take(b"a").allowed
    clock.now += 2
    assert buckets.take(b"a").allowed


def test_the_table_stays_bounded(tmp_path: Path) -> None:
    clock = Clock()
    buckets = TokenBuckets(tmp_path / "rl.sqlite3", 2, 1.0, clock=clock, max_clients=3)
    for client in range(6):
        buckets.take(bytes([client]))
    clock.now += 2.0  # just full again, not yet forgotten: kept, but over max_clients
    buckets.take(b"x")
    assert buckets.clients() == 3
    clock.now += 10  # idle buckets are full again: forgetting them changes nothing
    buckets.take(b"y")
    assert buckets.clients() == 1


def test_two_processes_share_one_budget(tmp_path: Path) -> None:
    # Two stores on one file stand for two server processes.
    first, second = (TokenBuckets(tmp_path / "rl.sqlite3", 4, 0.001) for _ in range(2))
    allowed = [store.take(b"c").allowed for _ in range(3) for store in (first, second)]
    assert allowed.count(True) == 4


def test_the_middleware_limits_per_client_and_announces_it() -> None:
    settings = LIMITS.model_copy(
        update={"rate_limit": True, "rate_limit_burst": 2, "rate_limit_per_second": 0.01}
    )
    client = protected(Spy(), settings, TokenBuckets(None, 2, 0.01))
    first = client.get("/sparql", headers={"User-Agent": "flood/1"})
    assert first.headers["RateLimit-Limit"] == "2" and first.headers["RateLimit-Remaining"] == "1"
    assert first.headers["RateLimit-Policy"] == "2;w=200"
    client.get("/sparql", headers={"User-Agent": "flood/1"})
    refused = client.get(
        "/sparql", headers={"User-Agent": "flood/1", "Origin": "https://a.example"}
    )
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "100"
    assert "2 requests at once and 0.01 per second" in refused.text
    assert "Retry-After" in refused.headers["Access-Control-Expose-Headers"]
    assert client.get("/sparql", headers={"User-Agent": "polite/1"}).status_code == 200
    for _ in range(3):  # monitoring and static files are not limited
        health = client.get("/health", headers={"User-Agent": "flood/1"})
        assert health.status_code == 200 and "RateLimit-Limit" not in health.headers
    assert client.get("/static/x.css", headers={"User-Agent": "flood/1"}).status_code == 200


def test_the_app_is_wrapped_outermost() -> None:
    settings = Settings(rate_limit=True, rate_limit_burst=5, max_url_bytes=200)
    with TestClient(create_app(settings)) as client:
        response = client.get(
            "/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://a.example"}
        )
        assert response.status_code == 200
        assert response.headers["RateLimit-Remaining"] == "4"
        assert "RateLimit-Reset" in response.headers["Access-Control-Expose-Headers"]
        assert "X-Dataset-Version" in response.headers
        assert client.get("/sparql", params={"query": "#" * 200}).status_code == 414
