"""The write process (issue 14): a write that misses its deadline or crashes the process costs
the process, never the server; the write is wholly absent; the process is replaced (and finishes
any journalled write); and it has no network (issue 15)."""

import asyncio
import hashlib
import os
import shutil
import signal
import time
from pathlib import Path

import pytest

from sousei_kg.dataset.graph_naming import shipped_files
from sousei_kg.store.canonical import version_hash
from sousei_kg.store.directory import build_store, open_store
from sousei_kg.writes.baseline_file import NO_VIOLATIONS, remember_baseline
from sousei_kg.writes.orders import ProcessSettings, WriteOrder
from sousei_kg.writes.refusals import WriteLimits
from sousei_kg.writes.write_side import WriteFailedError, WriteSide
from sousei_kg.writes.writer import Commit
from write_support import CURATION, WRITE, small_store

# A WHERE over the union that runs for minutes (a three-way cross product with a filter that keeps
# nothing): what a write that misses its deadline looks like.
RUNAWAY = (
    "INSERT { GRAPH <urn:runaway> { <urn:s> <urn:p> 1 } } "
    "WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i FILTER(STR(?c) = CONCAT(STR(?f), STR(?i), 'x')) }"
)


HARMLESS = "INSERT DATA { GRAPH <urn:test:extra> { <urn:test:a> <urn:test:b> 'c' } }"


@pytest.fixture(scope="module")
def shipped_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped data built into a store, its Violations remembered as `sousei-kg build` does
    (so a write process starts in a second, not after validating the whole store)."""
    store = tmp_path_factory.mktemp("shipped") / "store"
    manifest = build_store(store, shipped_files())
    remember_baseline(store, manifest.version_hash, None, NO_VIOLATIONS)
    return store


@pytest.fixture
def real_store(shipped_store: Path, tmp_path: Path) -> Path:
    """A fresh copy of the shipped store for one test."""
    return Path(shutil.copytree(shipped_store, tmp_path / "store"))


def side_for(store: Path, resources: Path | None) -> WriteSide:
    return WriteSide(
        ProcessSettings(
            directory=store,
            resources=resources,
            limits=WriteLimits(),
            isolate_network=True,
            memory_budget=1024 * 1024 * 1024,
            snapshot_grace_seconds=60,
        )
    )


def order(text: str, timeout: float = 30.0) -> WriteOrder:
    return WriteOrder(
        operation="update",
        target=None,
        base_iri="http://127.0.0.1/update",
        token=hashlib.sha256(WRITE.encode()).hexdigest()[:16],
        payload_sha256=hashlib.sha256(text.encode()).hexdigest(),
        timeout=timeout,
        text=text,
    )


def test_a_write_past_its_deadline_is_stopped_and_absent(real_store: Path) -> None:
    store = real_store  # the real data: the runaway's cross product is large

    async def scenario() -> None:
        side = side_for(store, None)
        start = await side.start()
        try:
            first_pid = side._process.pid if side._process else None
            started = time.monotonic()
            with pytest.raises(WriteFailedError) as failed:
                await side.submit(order(RUNAWAY, timeout=1.0))
            assert failed.value.kind == "deadline"
            assert time.monotonic() - started < 15
            assert side._process is not None and side._process.pid != first_pid  # replaced
            assert side.current is not None and side.current.version == start.version
            done = await side.submit(order(HARMLESS))
            assert done.added == 1
        finally:
            await side.close()

    asyncio.run(scenario())


def test_a_crashed_write_process_is_replaced_and_the_write_is_absent(real_store: Path) -> None:
    """The process dies during a write (here: killed from outside, as a segfault in a parser
    would end it): the client gets a 4xx that says so, the store is unchanged, and the next
    write goes to a new process."""
    store = real_store

    async def scenario() -> None:
        side = side_for(store, None)
        before = await side.start()
        try:
            process = side._process
            assert process is not None and process.pid is not None
            loop = asyncio.get_running_loop()
            loop.call_later(0.5, os.kill, process.pid, signal.SIGSEGV)
            with pytest.raises(WriteFailedError) as failed:
                await side.submit(order(RUNAWAY))
            assert failed.value.kind == "crashed"
            after: Commit = await side.submit(order(HARMLESS))
            assert after.seq == before.seq + 1  # nothing was written in between
        finally:
            await side.close()
        assert version_hash(open_store(store)) == after.version

    asyncio.run(scenario())


@pytest.mark.live
def test_load_in_the_write_process_reaches_no_network(
    tmp_path: Path, listener: tuple[str, list[bytes]]
) -> None:
    """Defence in depth behind the guard (which refuses LOAD at the route): as root on Linux the
    write process has no network, so a LOAD sent to it directly cannot connect."""
    if os.geteuid() != 0:
        pytest.fail("this test needs root (network namespaces); CI runs as root")
    url, received = listener
    store, resources = small_store(tmp_path)

    async def scenario() -> None:
        side = side_for(store, resources)
        await side.start()
        try:
            assert side.network_isolated
            with pytest.raises(WriteFailedError):
                await side.submit(order(f"LOAD <{url}data.ttl> INTO GRAPH <{CURATION}>"))
        finally:
            await side.close()

    asyncio.run(scenario())
    assert received == []


def test_shutdown_is_prompt_during_a_write(real_store: Path) -> None:
    """close() while a write runs (before its commit point) stops the process at once."""
    store = real_store

    async def scenario() -> None:
        side = side_for(store, None)
        await side.start()
        pending = asyncio.get_running_loop().create_task(side.submit(order(RUNAWAY)))
        await asyncio.sleep(1.0)
        started = time.monotonic()
        await side.close()
        assert time.monotonic() - started < 3
        with pytest.raises(WriteFailedError):
            await pending

    asyncio.run(scenario())
