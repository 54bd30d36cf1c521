"""Limits that really hold, and say so (issue 5): the time limit stops the work and answers 503
while other clients keep being served; the result cap marks every capped answer; every answer
announces both limits."""

import csv
import io
import json
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from conftest import running_server
from sousei_kg.app import create_app
from sousei_kg.config import Settings

MEASURES = "SELECT ?m WHERE { ?m a <https://w3id.org/sousei-kg/def#Measure> }"
# A cartesian product with an aggregate: no row appears until it is done (minutes on this data).
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?n"


@pytest.fixture(scope="module")
def capped() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(result_cap=5))) as client:
        yield client


def test_every_answer_announces_the_limits(capped: TestClient) -> None:
    response = capped.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert response.status_code == 200
    assert response.headers["X-Result-Limit"] == "5"
    assert response.headers["X-Query-Time-Limit"] == "30"
    assert "X-Result-Truncated" not in response.headers
    limits = capped.get("/limits").json()
    assert limits["result_cap"]["rows_or_triples"] == 5


def test_a_capped_json_answer_says_so_in_header_and_body(capped: TestClient) -> None:
    response = capped.get("/sparql", params={"query": MEASURES})
    body = response.json()
    assert response.headers["X-Result-Truncated"] == "true"
    assert len(body["results"]["bindings"]) == 5
    assert body["head"]["link"] == ["http://testserver/limits#result-cap"]


def test_a_capped_csv_answer_says_so_in_headers_only(capped: TestClient) -> None:
    response = capped.get("/sparql", params={"query": MEASURES, "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.text)))
    assert response.headers["X-Result-Truncated"] == "true"
    assert rows[0] == ["m"] and len(rows) == 6


def test_a_capped_construct(capped: TestClient) -> None:
    response = capped.get(
        "/sparql", params={"query": "CONSTRUCT WHERE { ?s a ?t }", "format": "nt"}
    )
    assert response.headers["X-Result-Truncated"] == "true"
    assert len(response.text.strip().splitlines()) == 5


def test_an_answer_at_the_cap_is_complete() -> None:
    with TestClient(create_app(Settings(result_cap=40))) as client:
        response = client.get("/sparql", params={"query": MEASURES})
    assert len(response.json()["results"]["bindings"]) == 40
    assert "X-Result-Truncated" not in response.headers
    assert "link" not in response.json()["head"]


@pytest.mark.live
def test_time_limit_stops_the_query_and_others_are_served() -> None:
    with running_server({"SOUSEI_QUERY_TIMEOUT": "2"}) as base:
        slow: dict[str, httpx.Response] = {}

        def send_slow() -> None:
            slow["response"] = httpx.get(base + "sparql", params={"query": SLOW}, timeout=30)

        started = time.monotonic()
        thread = threading.Thread(target=send_slow)
        thread.start()
        time.sleep(0.5)
        cheap_started = time.monotonic()
        cheap = httpx.get(base + "sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=10)
        cheap_seconds = time.monotonic() - cheap_started
        thread.join(timeout=30)
        elapsed = time.monotonic() - started

        response = slow["response"]
        assert response.status_code == 503
        assert "exceeded the time limit of 2 s" in response.text
        assert elapsed < 10  # stopped at the limit, not when the engine would have finished
        assert cheap.status_code == 200 and cheap_seconds < 2
        # After the kill the server still answers (a replacement worker took over).
        after = httpx.get(base + "sparql", params={"query": MEASURES}, timeout=10)
        assert after.status_code == 200
        assert len(json.loads(after.text)["results"]["bindings"]) == 40


def test_named_queries_are_held_to_the_same_limits(capped: TestClient) -> None:
    response = capped.get(
        "/queries/list-measures-for-kpi",
        params={"kpi": "https://w3id.org/sousei-kg/id/indicator/goal-2-kpi"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200
    assert response.headers["X-Result-Limit"] == "5"
    assert response.headers["X-Result-Truncated"] == "true"
    assert len(response.json()["results"]["bindings"]) == 5
    page = capped.get(
        "/queries/list-measures-for-kpi",
        params={"kpi": "https://w3id.org/sousei-kg/id/indicator/goal-2-kpi"},
        headers={"Accept": "text/html"},
    )
    assert page.status_code == 200 and page.headers["X-Result-Truncated"] == "true"
    assert (
        "The answer was cut at the limit of 5 rows" in page.text
        or "5 件で打ち切られています" in page.text
    )


def test_repeated_answers_come_from_the_cache_and_revalidate() -> None:
    with TestClient(create_app(Settings())) as client:
        first = client.get("/sparql", params={"query": MEASURES})
        etag = first.headers["ETag"]
        cache = client.app.state.result_cache  # type: ignore[attr-defined]
        assert len(cache) == 1
        again = client.get("/sparql", params={"query": MEASURES})
        assert again.content == first.content and again.headers["ETag"] == etag
        assert len(cache) == 1  # answered from the cache, not evaluated and stored twice
        not_modified = client.get(
            "/sparql", params={"query": MEASURES}, headers={"If-None-Match": etag}
        )
        assert not_modified.status_code == 304 and not_modified.content == b""
        other_format = client.get("/sparql", params={"query": MEASURES, "format": "csv"})
        assert other_format.headers["ETag"] != etag
        failed = client.get("/sparql", params={"query": "SELECT ?x WHERE {"})
        assert failed.status_code == 400 and "ETag" not in failed.headers
        assert len(cache) == 2
