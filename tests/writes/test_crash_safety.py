"""Crash safety: a real server is killed with SIGKILL at random moments during a stream of writes,
restarted, and nothing acknowledged is lost, nothing unacknowledged is half there (issue 5).

Each write inserts three triples about one numbered subject, so a query counts 0 or 3 for it.
After the last restart: every acknowledged write has its 3 triples and a ``write`` plus a
``committed`` record (matched by payload hash) in the audit log; every unacknowledged one has 0
or 3 triples, and a ``committed`` record exactly when it has 3. The LDES change feed, replicated
by the TREEcg client after the last restart, has a version of every write that has its triples
(every acknowledged one among them) and of no other.
"""

import hashlib
import random
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from conftest import start_server
from js_clients import run_script
from sousei_kg.store.directory import AUDIT_FILE
from sousei_kg.writes.audit import read_records
from write_support import UPDATE, WRITE, WRITER, small_store

KILLS = 20
BUDGET_SECONDS = 180.0
EX = "urn:crash:"


def payload(n: int) -> bytes:
    subject = f"<{EX}write/{n}>"
    return (
        f"INSERT DATA {{ GRAPH <{EX}graph> {{ {subject} <{EX}n> {n} . {subject} <{EX}a> 'a' . "
        f"{subject} <{EX}b> 'b' . }} }}"
    ).encode()


@contextmanager
def server(store: Path, resources: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """A writing server on the store; killed (not stopped) on exit, as the test needs."""
    env = {"SOUSEI_RATE_LIMIT": "false", "SOUSEI_QUERY_WORKERS": "1", "SOUSEI_WRITE_TOKENS": WRITE}
    process, base = start_server(env, "--store", str(store), "--resources", str(resources))
    try:
        yield process, base
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


@pytest.mark.live
def test_kill_9_loses_no_acknowledged_write(tmp_path: Path) -> None:
    store, resources = small_store(tmp_path)
    acknowledged: set[int] = set()
    sent: set[int] = set()
    rng = random.Random(20260501)  # noqa: S311 (test timing, not security)
    started, kills, n = time.monotonic(), 0, 0
    while kills < KILLS:
        assert time.monotonic() - started < BUDGET_SECONDS, f"only {kills} kills in time"
        with server(store, resources) as (process, base):
            killer = threading.Timer(rng.uniform(0.05, 0.6), process.send_signal, [signal.SIGKILL])
            killer.start()
            with httpx.Client(base_url=base, timeout=5) as client:
                while process.poll() is None:
                    n += 1
                    sent.add(n)
                    headers = {"Content-Type": UPDATE, **WRITER}
                    try:
                        response = client.post("/update", content=payload(n), headers=headers)
                    except httpx.TransportError:
                        break
                    assert response.status_code == 200, response.text
                    acknowledged.add(n)
            killer.join()
            kills += 1
    with server(store, resources) as (_process, base):
        query = f"SELECT ?s (COUNT(*) AS ?c) {{ GRAPH <{EX}graph> {{ ?s ?p ?o }} }} GROUP BY ?s"
        rows = httpx.get(base + "sparql", params={"query": query}, timeout=10).json()
        feed = run_script("ldes-replicate.mjs", base + "ldes")["members"]
    in_feed = {
        int(m["isVersionOf"].rsplit("/", 1)[1])
        for m in feed
        if str(m["isVersionOf"]).startswith(f"{EX}write/")
        and [f"{EX}n", m["isVersionOf"].rsplit("/", 1)[1]] in m["statements"]
    }
    counts = {
        int(row["s"]["value"].rsplit("/", 1)[1]): int(row["c"]["value"])
        for row in rows["results"]["bindings"]
    }
    records = list(read_records(store / AUDIT_FILE))
    written = {r["payload_sha256"]: int(r["seq"]) for r in records if r["event"] == "write"}
    committed = {int(r["seq"]) for r in records if r["event"] == "committed"}
    assert len(acknowledged) >= KILLS, "too few writes were acknowledged to mean anything"
    for number in sorted(sent):
        digest = hashlib.sha256(payload(number)).hexdigest()
        present = counts.get(number, 0)
        assert present in (0, 3), f"write {number} is half there ({present} of 3 triples)"
        in_audit = digest in written and written[digest] in committed
        if number in acknowledged:
            assert present == 3, f"acknowledged write {number} is missing"
            assert number in in_feed, f"acknowledged write {number} is missing from the feed"
        assert (number in in_feed) == (present == 3), f"feed and store disagree on write {number}"
        assert in_audit == (present == 3), f"audit and store disagree on write {number}"
