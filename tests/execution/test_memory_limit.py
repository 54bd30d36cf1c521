"""Bounded memory per query (issue 14): a worker limits its address space to its measured baseline
plus a budget, a query past it is stopped (the worker dies of it and is replaced), and answers are
capped in bytes as well as rows."""

import asyncio
import json
import os
import resource
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest
from pyoxigraph import Store

from conftest import running_server, tree_rss_mib
from sousei_kg.confinement import address_space_bytes
from sousei_kg.dataset.graph_naming import load_shipped
from sousei_kg.execution.evaluate import evaluate
from sousei_kg.execution.jobs import QueryJob, QueryOutcome
from sousei_kg.execution.pool import QueryMemoryError, WorkerPool
from sousei_kg.execution.worker import StoreSource

# A 931-byte query that doubles a 16-byte string 27 times: 2 GiB for the last value alone.
DOUBLINGS = " ".join(
    ['BIND("0123456789abcdef" AS ?s0)']
    + [f"BIND(CONCAT(?s{i}, ?s{i}) AS ?s{i + 1})" for i in range(27)]
)
EXPLOSIVE = f"SELECT (STRLEN(?s27) AS ?n) WHERE {{ {DOUBLINGS} }}"
# Each row carries an 8 KiB value: 10,000 rows would make an 80 MB answer.
WIDE_ROWS = (
    "SELECT ?s (CONCAT(" + ", ".join(["STR(?s)"] * 200) + ") AS ?wide) "
    "WHERE { ?s ?p ?o } LIMIT 10000"
)
MIB = 1024 * 1024


def test_the_limit_is_the_baseline_plus_the_budget() -> None:
    """In a fresh process: the soft RLIMIT_AS is what was mapped at rest plus the budget."""
    program = (
        "import resource\n"
        "from sousei_kg.confinement import address_space_bytes, "
        "limit_to_baseline_plus\n"
        "before = address_space_bytes()\n"
        "assert limit_to_baseline_plus(256 * 1024 * 1024)\n"
        "soft, _hard = resource.getrlimit(resource.RLIMIT_AS)\n"
        "print(before, soft)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=True
    )
    before, soft = (int(n) for n in result.stdout.split())
    assert 256 * MIB <= soft - before < 256 * MIB + 64 * MIB
    assert address_space_bytes() is not None  # Linux: the baseline can be read
    assert resource.getrlimit(resource.RLIMIT_AS)[0] == resource.RLIM_INFINITY  # not this one


def test_a_query_past_the_memory_limit_is_stopped_and_its_worker_replaced() -> None:
    async def scenario() -> None:
        pool = WorkerPool(1, StoreSource(), memory_budget=256 * MIB)
        await pool.start()
        try:
            assert pool.memory_limited
            with pytest.raises(QueryMemoryError, match="256 MiB per query"):
                await pool.run(QueryJob(EXPLOSIVE, "json", None, 10), 60)
            after = await pool.run(QueryJob("ASK { ?s ?p ?o }", "json", None, 1), 30)
            assert isinstance(after, QueryOutcome) and json.loads(after.body)["boolean"] is True
        finally:
            await pool.close()

    asyncio.run(scenario())


def test_answers_are_capped_in_bytes_too() -> None:
    store = Store()
    load_shipped(store)
    job = QueryJob(WIDE_ROWS, "json", None, 10_000, cap_link="https://x/limits", byte_cap=MIB)
    capped = evaluate(store, job)
    assert isinstance(capped, QueryOutcome)
    assert capped.truncated and 0 < len(capped.body) <= MIB
    document = json.loads(capped.body)
    assert len(document["results"]["bindings"]) == capped.rows < 10_000
    assert document["head"]["link"] == ["https://x/limits"]
    # One more row would not have fitted: the cut keeps as much as the cap allows.
    wider = QueryJob(WIDE_ROWS, "json", None, capped.rows + 1)
    whole = evaluate(store, wider)
    assert isinstance(whole, QueryOutcome) and len(whole.body) > MIB


@pytest.mark.live
def test_the_probes_cannot_raise_the_servers_memory_much() -> None:
    """The 931-byte doubling query and the 80 MB answer, against a real server: answered 503 and
    a capped 200, and the server's processes grow by less than the per-query budget."""
    with running_server() as base:
        health = httpx.get(base + "health", timeout=10).json()
        assert health["isolation"]["queries_memory_limited"] is True
        server_pid = _server_pid(base)
        before = tree_rss_mib(server_pid)
        peak = before
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.wait(0.02):
                peak = max(peak, tree_rss_mib(server_pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            explosive = httpx.get(base + "sparql", params={"query": EXPLOSIVE}, timeout=60)
            wide = httpx.get(base + "sparql", params={"query": WIDE_ROWS}, timeout=60)
            still = httpx.get(base + "sparql", params={"query": "ASK {}"}, timeout=30)
        finally:
            done.set()
            sampler.join()
    assert explosive.status_code == 503 and "memory" in explosive.text
    assert wide.status_code == 200 and wide.headers["X-Result-Truncated"] == "true"
    assert len(wide.content) <= int(wide.headers["X-Result-Byte-Limit"])
    assert still.status_code == 200
    print(f"server tree RSS: {before:.0f} MiB before, {peak:.0f} MiB at the peak")
    assert peak - before < 600, (before, peak)


def _server_pid(base: str) -> int:
    """The pid of the server listening at ``base`` (a child of this test process)."""
    port = base.rstrip("/").rsplit(":", 1)[1]
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"serve" in cmdline and port.encode() in cmdline and int(proc.name) != os.getpid():
            return int(proc.name)
    raise AssertionError("server process not found")
