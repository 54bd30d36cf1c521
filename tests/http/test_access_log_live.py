"""The access log of a real ``sousei-kg serve``: its standard error gets one well-formed JSON line
per request (the client as resolved behind a trusted proxy, the bytes really sent, streamed
answers when they end, a client that leaves mid-stream), and ``--no-access-log`` gives none."""

import json
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from conftest import running_server, server_log

pytestmark = pytest.mark.live

IDENTITY = {"Accept-Encoding": "identity"}
EVERYTHING = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
ENDLESS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def access_lines(base: str) -> list[dict[str, Any]]:
    """The JSON lines of the server's standard error (other lines: start-up, warnings)."""
    lines = server_log(base).read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines if line.startswith("{")]


def wait_for(base: str, done: Callable[[list[dict[str, Any]]], bool]) -> list[dict[str, Any]]:
    """The access lines once ``done`` says they are all there (a line is written when its
    answer ends, just after the client has it), within 10 s."""
    deadline = time.monotonic() + 10
    while not done(lines := access_lines(base)):
        assert time.monotonic() < deadline, f"not logged in time: {lines[-5:]}"
        time.sleep(0.05)
    return lines


def test_one_well_formed_line_per_request_with_the_resolved_client() -> None:
    with running_server(None, "--trusted-proxy", "127.0.0.1") as base:
        before = len(wait_for(base, lambda lines: len(lines) >= 1))  # start-up's /health polls
        page = httpx.get(base + "doc/goal/1", headers={"Accept": "text/html", **IDENTITY})
        dump = httpx.get(base + "doc/goal/1.ttl", headers=IDENTITY)
        form = httpx.post(base + "sparql", data={"query": "ASK {}"}, headers=IDENTITY)
        head = httpx.head(base + "sparql", params={"query": "ASK {}"})
        missing = httpx.get(base + "no/such/page", headers=IDENTITY)
        proxied = httpx.get(base + "health", headers={"X-Forwarded-For": "203.0.113.7", **IDENTITY})
        sent = [page, dump, form, head, missing, proxied]
        lines = wait_for(base, lambda lines: len(lines) >= before + len(sent))[before:]
        time.sleep(0.3)  # nothing more may come: one line per request
        assert len(access_lines(base)) == before + len(sent)
    for line, response in zip(lines, sent, strict=True):
        assert set(line) == {"time", "client", "method", "path", "route", "status", "ms"} | {
            "bytes",
            "outcome",
        }
        assert line["method"] == response.request.method
        assert line["path"] == response.request.url.path
        assert line["status"] == response.status_code
        assert line["bytes"] == response.num_bytes_downloaded
        assert line["outcome"] == "complete"
        assert isinstance(line["ms"], float | int) and 0 <= line["ms"] < 10_000
    assert [line["client"] for line in lines] == ["127.0.0.1"] * 5 + ["203.0.113.7"]
    assert [line["route"] for line in lines] == [
        "/doc/{path}",
        "/doc/{path}",
        "/sparql",
        "/sparql",
        None,
        "/health",
    ]
    assert lines[3]["bytes"] == 0  # HEAD: the app wrote a body, the server sent none


def test_streamed_answers_are_logged_when_they_end_and_a_client_that_leaves_too() -> None:
    with running_server(None, "--result-cap", "0", "--query-timeout", "20") as base:
        before = len(wait_for(base, lambda lines: len(lines) >= 1))
        whole = httpx.get(
            base + "sparql", params={"query": EVERYTHING}, headers=IDENTITY, timeout=30
        )
        assert whole.status_code == 200 and "x-result-limit" not in whole.headers
        assert whole.num_bytes_downloaded > 256 * 1024  # several chunks of 64 KiB
        complete = wait_for(base, lambda lines: len(lines) > before)[before]
        assert (complete["status"], complete["outcome"]) == (200, "complete")
        assert complete["bytes"] == whole.num_bytes_downloaded

        params = {"query": ENDLESS}
        with httpx.stream("GET", base + "sparql", params=params, headers=IDENTITY) as endless:
            received = len(next(endless.iter_raw()))
            left_at = time.monotonic()
        lines = wait_for(base, lambda lines: len(lines) > before + 1)
        logged_after = time.monotonic() - left_at
        gone = lines[before + 1]
    assert (gone["status"], gone["outcome"]) == (200, "disconnected")
    assert gone["bytes"] >= received
    # Logged when the client left, not when the time limit would have broken the answer off.
    assert logged_after < 10 and gone["ms"] < 15_000


def test_no_access_log_writes_none() -> None:
    with running_server(None, "--no-access-log") as base:
        for _ in range(3):
            assert httpx.get(base + "sparql", params={"query": "ASK {}"}).status_code == 200
        assert httpx.get(base + "no/such/page").status_code == 404
        time.sleep(0.5)
        log = server_log(base).read_text("utf-8")
    assert "serving" in log  # the right file: the start-up line is there
    assert access_lines(base) == []
