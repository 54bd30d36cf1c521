"""The write-path probes of issue 14 against a real server: deeply nested payloads, a 7 MB update, a
10 MB literal and SIGTERM during a write. Each is answered (or the server stops) promptly, nothing
changes, and the server's processes grow by less than a few hundred MB."""

import contextlib
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from conftest import start_server, stop_process, tree_rss_mib
from write_support import CURATION, UPDATE, WRITE, WRITER, small_store

MIB = 1024 * 1024
TTL = {"Content-Type": "text/turtle", **WRITER}


class PeakRss:
    """Samples a process tree's resident memory every 20 ms while in use."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.before = tree_rss_mib(pid)
        self.peak = self.before
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._done.wait(0.02):
            self.peak = max(self.peak, tree_rss_mib(self.pid))

    def __enter__(self) -> "PeakRss":
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._done.set()
        self._thread.join()


ENV = {"SOUSEI_WRITE_TOKENS": WRITE, "SOUSEI_QUERY_WORKERS": "1"}


@pytest.fixture
def store(tmp_path: Path) -> tuple[Path, Path]:
    return small_store(tmp_path)


@pytest.fixture
def server(store: tuple[Path, Path]) -> "Iterator[tuple[subprocess.Popen[bytes], str]]":
    args = ("--store", str(store[0]), "--resources", str(store[1]))
    process, base = start_server(ENV, *args)
    yield process, base
    stop_process(process)


def version(base: str) -> str:
    value: str = httpx.get(base + "health", timeout=10).json()["dataset_version"]
    return value


@pytest.mark.live
def test_the_probes_are_refused_and_cost_little(
    server: "tuple[subprocess.Popen[bytes], str]",
) -> None:
    process, base = server
    before = version(base)
    deep_jsonld = b'{"urn:p": ' * 5000 + b'"x"' + b"}" * 5000
    deep_turtle = b"<urn:a> <urn:b> " + b"( " * 20_000 + b")" * 20_000 + b" ."
    triples = " ".join(f"<urn:subject/{n}> <urn:p> 'value number {n}' ." for n in range(140_000))
    big_update = f"INSERT DATA {{ GRAPH <{CURATION}> {{ {triples} }} }}".encode()
    assert len(big_update) > 6 * MIB
    long_literal = (
        f"INSERT DATA {{ GRAPH <{CURATION}> {{ <urn:s> <urn:p> '{'x' * (9 * MIB)}' }} }}"
    ).encode()
    target = f"{base}store?graph=urn:probe"
    with PeakRss(process.pid) as memory, httpx.Client(timeout=120) as client:
        jsonld = client.put(
            target, content=deep_jsonld, headers={"Content-Type": "application/ld+json", **WRITER}
        )
        turtle = client.put(target, content=deep_turtle, headers=TTL)
        update = client.post(
            base + "update", content=big_update, headers={"Content-Type": UPDATE, **WRITER}
        )
        literal = client.post(
            base + "update", content=long_literal, headers={"Content-Type": UPDATE, **WRITER}
        )
    assert jsonld.status_code == 400 and "nests 5000 levels" in jsonld.text
    assert turtle.status_code == 400 and "nests" in turtle.text
    assert update.status_code == 413 and "quads" in update.text, update.text
    assert literal.status_code == 413 and "literal" in literal.text, literal.text
    assert process.poll() is None and version(base) == before
    print(f"server tree RSS: {memory.before:.0f} MiB before, {memory.peak:.0f} MiB at the peak")
    assert memory.peak - memory.before < 700


@pytest.mark.live
def test_sigterm_stops_the_server_promptly_during_a_write(
    server: "tuple[subprocess.Popen[bytes], str]", store: tuple[Path, Path]
) -> None:
    """A write that validates for a long time (here a large one) does not hold the server up:
    SIGTERM ends it, and the write, before its commit point, is wholly absent."""
    process, base = server
    before = version(base)
    triples = " ".join(f"<urn:s{n}> <urn:p> {n} ." for n in range(40_000))
    body = f"INSERT DATA {{ GRAPH <{CURATION}> {{ {triples} }} }}".encode()
    sent = threading.Thread(
        target=lambda: _ignore_errors(
            lambda: httpx.post(
                base + "update",
                content=body,
                headers={"Content-Type": UPDATE, **WRITER},
                timeout=60,
            )
        ),
        daemon=True,
    )
    sent.start()
    time.sleep(1.0)
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)
    assert time.monotonic() - started < 10
    sent.join(timeout=30)
    # All or nothing: after a restart the write is wholly there or wholly absent.
    args = ("--store", str(store[0]), "--resources", str(store[1]))
    again, base = start_server(ENV, *args)
    try:
        query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{CURATION}> {{ ?s <urn:p> ?o }} }}"
        rows = httpx.get(base + "sparql", params={"query": query}, timeout=30).json()
        count = int(rows["results"]["bindings"][0]["n"]["value"])
        assert count in (0, 40_000)
        assert (count == 0) == (version(base) == before)
    finally:
        stop_process(again)


def _ignore_errors(call: "Callable[[], object]") -> None:
    with contextlib.suppress(httpx.HTTPError):
        call()
