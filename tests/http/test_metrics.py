"""``/metrics``: read with prometheus-client's own text-format parser. Requests by route and
status with their times, query time, cache hits, rate-limit refusals, failed authentications and
the dataset version; readable with a token only (a TestClient is not loopback)."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from sousei_kg.app import create_app
from sousei_kg.config import Settings

READ = "read-token-for-the-metrics-test"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    settings = Settings(read_tokens=[READ], rate_limit=True, rate_limit_burst=3)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def samples(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    answer = client.get("/metrics", headers={"Authorization": f"Bearer {READ}"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    found = {}
    for family in text_string_to_metric_families(answer.text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(
    found: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str
) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


def test_not_public_without_a_token(client: TestClient) -> None:
    assert client.get("/metrics").status_code == 401
    assert (
        client.get(
            "/metrics", headers={"Authorization": "Bearer wrong-token-of-22-chars"}
        ).status_code
        == 401
    )
    found = samples(client)
    assert value(found, "sousei_auth_failures_total") >= 1


def test_requests_queries_caches_refusals_and_the_version(client: TestClient) -> None:
    before = samples(client)
    query = {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}
    ua = {"user-agent": "metrics-test"}
    for _ in range(2):
        assert (
            client.get(
                "/sparql", params=query, headers={**ua, "accept": "application/sparql-results+json"}
            ).status_code
            == 200
        )
    for _ in range(4):
        client.get("/sparql", params=query, headers={"user-agent": "flood"})
    after = samples(client)
    ok = dict(method="GET", route="/sparql", status="200")
    assert (
        value(after, "sousei_http_requests_total", **ok)
        - value(before, "sousei_http_requests_total", **ok)
        == 2 + 3  # this client's two, and the flood's burst of three (its fourth is 429)
    )
    assert value(after, "sousei_http_request_duration_seconds_count", route="/sparql") >= 2
    assert value(after, "sousei_query_duration_seconds_count") >= 1
    hits = value(after, "sousei_cache_lookups_total", cache="result", result="hit") + value(
        after, "sousei_cache_lookups_total", cache="response", result="hit"
    )
    assert hits >= 1
    assert (
        value(after, "sousei_rate_limit_refusals_total", cost_class="sparql")
        + value(after, "sousei_rate_limit_refusals_total", cost_class="pages")
        >= 1
    )
    version = client.get("/health").json()["dataset_version"]
    assert value(after, "sousei_dataset_version", version=version) == 1
    assert value(after, "sousei_query_slots") >= 1
    refused = dict(method="GET", route="unmatched", status="429")  # refused before routing
    assert value(after, "sousei_http_requests_total", **refused) >= 1
