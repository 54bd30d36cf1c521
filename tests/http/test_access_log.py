"""The access log (sousei_kg.http.access_log) through the app, without a real server: one JSON
line per request with the resolved client, the route template, the status, the duration and the
bytes, also for the answers no route writes (the protection's refusals, the response cache's
replays, Starlette's 500), a bounded path, and the end of an answer: complete, broken off by an
error, or cut short by a client that went away. What a real server writes to its standard error
is in ``test_access_log_live.py``."""

import asyncio
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from starlette.types import Message, Receive, Scope, Send

from sousei_kg.http.access_log import (
    ACCESS_LOGGER,
    MAX_PATH_CHARS,
    AccessLogMiddleware,
    utc_timestamp,
)

FIELDS = ["time", "client", "method", "path", "route", "status", "ms", "bytes", "outcome"]
SELECT = "SELECT ?s WHERE { ?s a <https://w3id.org/sousei-kg/def#Measure> } LIMIT 3"


@pytest.fixture
def lines(caplog: pytest.LogCaptureFixture) -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """The access-log lines written so far, parsed (each must be one JSON object)."""
    caplog.set_level(logging.INFO, logger=ACCESS_LOGGER)

    def parsed() -> list[dict[str, Any]]:
        records = [r for r in caplog.records if r.name == ACCESS_LOGGER]
        assert all(r.levelno == logging.INFO and "\n" not in r.getMessage() for r in records)
        return [json.loads(r.getMessage()) for r in records]

    yield parsed


def test_one_line_per_request_with_every_field(
    client_with: Callable[..., TestClient], lines: Callable[[], list[dict[str, Any]]]
) -> None:
    client = client_with()
    page = client.get("/doc/goal/1", headers={"Accept": "text/html"})
    data = client.get("/sparql", params={"query": SELECT}, headers={"Accept": "text/csv"})
    missing = client.get("/no/such/thing")
    first, second, third = lines()
    assert list(first) == FIELDS
    assert first["time"].endswith("Z") and first["time"][10] == "T"
    assert first["client"] == "testclient" and first["method"] == "GET"
    assert (first["path"], first["route"]) == ("/doc/goal/1", "/doc/{path}")
    assert (first["status"], first["bytes"]) == (200, page.num_bytes_downloaded)  # gzipped
    assert first["outcome"] == "complete" and first["ms"] >= 0
    # /sparql is answered on the lean path, without the router: its exact path is its route.
    assert (second["route"], second["bytes"]) == ("/sparql", data.num_bytes_downloaded)
    assert (third["route"], third["status"]) == (None, 404) and missing.status_code == 404


def test_the_query_string_is_never_written_and_the_path_is_bounded(
    client_with: Callable[..., TestClient], lines: Callable[[], list[dict[str, Any]]]
) -> None:
    client = client_with()
    client.get("/sparql", params={"query": "ASK { ?secret ?p ?o }"})
    # Quotes, a line break and %-formats inside the written part stay inside the path field.
    long_path = '/doc/%s%(x)d"\n{"forged": true}' + "x" * 5000
    client.get(quote(long_path))
    short, long = lines()
    assert short["path"] == "/sparql" and "secret" not in json.dumps(short)
    assert long["path"] == long_path[:MAX_PATH_CHARS] + "…"
    assert long["status"] == 404 and list(long) == FIELDS  # no forged field


def test_refusals_replays_and_server_errors_are_logged(
    client_with: Callable[..., TestClient], lines: Callable[[], list[dict[str, Any]]]
) -> None:
    client = client_with(
        rate_limit=True, rate_limit_burst=4, page_rate_limit_burst=1, max_url_bytes=300
    )
    client.get("/sparql", params={"query": "#" * 400})  # 414 from the protection
    client.get("/sparql", params={"query": SELECT})
    client.get("/sparql", params={"query": SELECT})  # replayed by the response cache
    client.get("/limits")
    client.get("/limits")  # 429: the pages burst of 1 is spent
    assert [line["status"] for line in lines()] == [414, 200, 200, 200, 429]
    assert {line["outcome"] for line in lines()} == {"complete"}

    broken = client_with(raise_server_exceptions=False)

    def fails() -> None:
        raise RuntimeError("a bug")

    broken.app.add_api_route("/fails", fails)  # type: ignore[attr-defined]
    assert broken.get("/fails").status_code == 500
    last = lines()[-1]
    assert (last["route"], last["status"], last["outcome"]) == ("/fails", 500, "error")


def test_the_client_is_the_one_the_trusted_proxy_named(
    lines: Callable[[], list[dict[str, Any]]],
) -> None:
    from sousei_kg.app import create_app
    from sousei_kg.config import Settings

    app = create_app(Settings(trusted_proxies=["10.0.0.0/8"]))
    with TestClient(app, client=("10.1.2.3", 5000)) as client:
        client.get("/health", headers={"X-Forwarded-For": "203.0.113.7, 10.9.9.9"})
        client.get("/health")
    forwarded, direct = lines()
    assert forwarded["client"] == "203.0.113.7" and direct["client"] == "10.1.2.3"


def test_no_access_log_writes_nothing(
    client_with: Callable[..., TestClient], lines: Callable[[], list[dict[str, Any]]]
) -> None:
    client = client_with(access_log=False)
    client.get("/health")
    client.get("/sparql", params={"query": "ASK {}"})
    assert lines() == []


async def _streamed(receive: Receive, send: Send, *, client_leaves: bool) -> None:
    """Three chunks; the client may leave after the first (uvicorn then answers receive() with
    http.disconnect, which is how a streaming answer learns of it and stops)."""
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"12345", "more_body": True})
    if client_leaves and (await receive())["type"] == "http.disconnect":
        return
    await send({"type": "http.response.body", "body": b"67890", "more_body": True})
    await send({"type": "http.response.body", "body": b"!", "more_body": False})


def _drive(app: Callable[..., Any], messages: list[Message]) -> None:
    async def receive() -> Message:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(_message: Message) -> None:
        pass

    scope = {"type": "http", "method": "GET", "path": "/s", "client": ("192.0.2.1", 1)}
    asyncio.run(AccessLogMiddleware(app)(scope, receive, send))


def test_a_streamed_answer_is_logged_when_it_ends_with_what_was_sent(
    lines: Callable[[], list[dict[str, Any]]],
) -> None:
    async def whole(_scope: Scope, receive: Receive, send: Send) -> None:
        await _streamed(receive, send, client_leaves=False)

    async def left(_scope: Scope, receive: Receive, send: Send) -> None:
        await _streamed(receive, send, client_leaves=True)

    _drive(whole, [])
    _drive(left, [])
    complete, disconnected = lines()
    assert (complete["bytes"], complete["outcome"]) == (11, "complete")
    assert (disconnected["bytes"], disconnected["outcome"]) == (5, "disconnected")
    assert disconnected["status"] == 200


def test_an_answer_broken_off_by_an_error_is_logged_as_such(
    lines: Callable[[], list[dict[str, Any]]],
) -> None:
    async def breaks(_scope: Scope, _receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"1234", "more_body": True})
        raise OSError("the worker died")

    with pytest.raises(OSError, match="worker died"):
        _drive(breaks, [])
    [line] = lines()
    assert (line["status"], line["bytes"], line["outcome"]) == (200, 4, "error")


def test_the_time_is_utc_with_milliseconds() -> None:
    assert utc_timestamp(0.5) == "1970-01-01T00:00:00.500Z"
    assert utc_timestamp(1_796_300_000.0421) == "2026-12-03T12:13:20.042Z"
    assert utc_timestamp(1_796_300_001.999) == "2026-12-03T12:13:21.999Z"  # the next second
