"""Budgets by client, by address and by cost class (issues 15 and 16): rotating the User-Agent
gains little, an IPv6 /64 is one address, and a polite crawler of pages is never throttled while
SPARQL keeps its tighter budget."""

import pytest
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from sousei_kg.config import Settings
from sousei_kg.http.cost_classes import class_of, cost_classes
from sousei_kg.http.protection import ProtectionMiddleware
from sousei_kg.http.rate_limit import TokenBuckets

BUDGETS = Settings(
    rate_limit=True,
    rate_limit_burst=2,
    rate_limit_per_second=0.001,
    page_rate_limit_burst=20,
    page_rate_limit_per_second=25,
    address_budget_clients=4,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


async def ok(_request: Request) -> Response:
    return PlainTextResponse("ok")


def app_from(peer: str, clock: Clock, buckets: TokenBuckets | None = None) -> TestClient:
    inner = Starlette(routes=[Route("/{path:path}", ok, methods=["GET", "POST"])])
    store = buckets or TokenBuckets(None, 2, 0.001, clock=clock, max_idle_seconds=10)
    return TestClient(ProtectionMiddleware(inner, BUDGETS, store), client=(peer, 1234))


def test_rotating_the_user_agent_gains_little() -> None:
    """Each client (address + User-Agent) may send 2 SPARQL requests; the address may send four
    clients' worth (8), whatever User-Agents it rotates through; another address is unaffected."""
    clock = Clock()
    buckets = TokenBuckets(None, 2, 0.001, clock=clock, max_idle_seconds=10)
    client = app_from("192.0.2.1", clock, buckets)
    statuses = [
        client.get("/sparql", headers={"User-Agent": f"bot/{n}"}).status_code for n in range(12)
    ]
    assert statuses == [200] * 8 + [429] * 4
    refused = client.get("/sparql", headers={"User-Agent": "fresh/1"})
    assert refused.status_code == 429 and "each address" in refused.text
    other = app_from("192.0.2.2", clock, buckets)
    assert other.get("/sparql", headers={"User-Agent": "bot/1"}).status_code == 200


@pytest.mark.parametrize(
    ("second", "shared"),
    [("2001:db8:1:2::99", True), ("2001:db8:1:3::1", False), ("192.0.2.1", False)],
)
def test_an_ipv6_64_is_one_address(second: str, shared: bool) -> None:
    clock = Clock()
    buckets = TokenBuckets(None, 2, 0.001, clock=clock, max_idle_seconds=10)
    first = app_from("2001:db8:1:2::1", clock, buckets)
    for n in range(8):  # the /64's whole budget, spent by four User-Agents
        assert first.get("/sparql", headers={"User-Agent": f"ua{n // 2}"}).status_code == 200
    status = app_from(second, clock, buckets).get("/sparql", headers={"User-Agent": "new"})
    assert status.status_code == (429 if shared else 200)


def test_a_polite_crawler_is_not_throttled_but_sparql_is() -> None:
    """20 requests a second for 30 s (600 requests) of pages: all answered. The same pace of
    SPARQL requests is refused after its budget."""
    clock = Clock()
    client = app_from("198.51.100.9", clock)
    pages, queries = [], []
    for _ in range(600):
        clock.now += 0.05
        pages.append(client.get("/doc/goal/2", headers={"User-Agent": "crawler"}).status_code)
        queries.append(client.get("/sparql", headers={"User-Agent": "crawler"}).status_code)
    assert set(pages) == {200}
    assert queries.count(429) > 500


@pytest.mark.parametrize(
    ("method", "path", "name"),
    [
        ("GET", "/doc/goal/2", "pages"),
        ("GET", "/id/goal/2", "pages"),
        ("GET", "/download/sousei-kg.ttl", "pages"),
        ("GET", "/dataset", "pages"),
        ("GET", "/tables/measures.csv", "pages"),
        ("HEAD", "/tables/attributions.csv", "pages"),
        ("GET", "/tables/measures.csv-metadata.json", "pages"),
        ("GET", "/tables/csv-metadata.json", "pages"),
        ("HEAD", "/def", "pages"),
        ("GET", "/", "pages"),
        ("GET", "/sparql", "sparql"),
        ("POST", "/sparql", "sparql"),
        ("GET", "/queries/search-labels", "sparql"),
        ("GET", "/search", "sparql"),
        ("GET", "/kpis.xlsx", "sparql"),
        ("GET", "/organisations/org-mlit.xlsx", "sparql"),
        ("GET", "/kpis", "pages"),
        ("POST", "/update", "sparql"),
        ("GET", "/store", "sparql"),
        ("POST", "/doc/goal/2", "sparql"),
    ],
)
def test_cost_classes(method: str, path: str, name: str) -> None:
    assert class_of(method, path, cost_classes(BUDGETS)).name == name
