"""``/metrics`` of a real ``sousei-kg serve --workers 2``: prometheus-client's multiprocess mode
sums both processes (whichever answers the scrape), a query stopped at the time limit shows as a
timeout and a worker kill, and the endpoint is open to loopback only when the resolved client is
loopback (behind a trusted proxy, the forwarded client counts; forwarding headers without a
trusted proxy are not taken for a local client)."""

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from conftest import running_server

pytestmark = pytest.mark.live

READ = "read-token-for-the-live-metrics-test"
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def scrape(base: str, **headers: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    answer = httpx.get(base + "metrics", headers=headers, timeout=10)
    assert answer.status_code == 200, answer.text
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(answer.text)
        for s in family.samples
    }


def total(
    found: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    wanted = set(labels.items())
    return sum(v for (n, ls), v in found.items() if n == name and wanted <= ls)


def test_two_processes_one_view_timeouts_and_kills() -> None:
    env = {"SOUSEI_QUERY_WORKERS": "1", "SOUSEI_QUERY_TIMEOUT": "1", "SOUSEI_READ_TOKENS": READ}
    with running_server(env, "--workers", "2") as base:
        with httpx.Client(base_url=base, timeout=30) as client:
            for _ in range(20):
                assert (
                    client.get("/doc/goal/1", headers={"accept": "text/turtle"}).status_code == 200
                )
            stopped = client.get("/sparql", params={"query": HEAVY})
            assert stopped.status_code == 503
        for _ in range(4):  # whichever process answers, it reads every process's values
            found = scrape(base)
            assert (
                total(found, "sousei_http_requests_total", route="/doc/{path}", status="200") == 20
            )
            assert total(found, "sousei_query_slots") == 2  # one worker in each of 2 processes
            assert total(found, "sousei_query_timeouts_total") == 1
            assert total(found, "sousei_query_worker_kills_total", reason="timeout") == 1
        version = httpx.get(base + "health", timeout=10).json()["dataset_version"]
        assert total(found, "sousei_dataset_version", version=version) == 1
        assert total(found, "sousei_http_request_duration_seconds_count", route="/doc/{path}") == 20
        # Loopback through a proxy the server does not trust: not local.
        forwarded = httpx.get(
            base + "metrics", headers={"X-Forwarded-For": "198.51.100.9"}, timeout=10
        )
        assert forwarded.status_code == 401


def test_behind_a_trusted_proxy_the_forwarded_client_decides() -> None:
    env = {"SOUSEI_READ_TOKENS": READ}
    with running_server(env, "--trusted-proxy", "127.0.0.1") as base:
        remote = httpx.get(base + "metrics", headers={"X-Forwarded-For": "203.0.113.7"}, timeout=10)
        assert remote.status_code == 401
        assert "Bearer" in remote.headers["www-authenticate"]
        found = scrape(
            base, **{"X-Forwarded-For": "203.0.113.7", "Authorization": f"Bearer {READ}"}
        )
        assert total(found, "sousei_auth_failures_total") == 1
        scrape(base)  # the proxy's own host, with no forwarded client: loopback
