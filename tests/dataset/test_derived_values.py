"""Derived values are computed once per key, and a long computation of one key does not hold up
another (the query hints' cache is read on the event loop while a dump or a table is built)."""

import threading
import time
from datetime import UTC, datetime

from pyoxigraph import Store

from sousei_kg.dataset.knowledge_graph import KnowledgeGraph


def graph() -> KnowledgeGraph:
    return KnowledgeGraph(Store(), "v", 0, {}, datetime.now(UTC))


def test_a_slow_key_does_not_hold_up_another_and_each_is_computed_once() -> None:
    kg = graph()
    started, release = threading.Event(), threading.Event()
    calls: list[str] = []

    def slow() -> str:
        calls.append("slow")
        started.set()
        release.wait(10)
        return "slow"

    worker = threading.Thread(target=kg.derived, args=("slow", slow))
    worker.start()
    assert started.wait(10)
    begun = time.monotonic()
    assert kg.derived("quick", lambda: "quick") == "quick"
    assert time.monotonic() - begun < 5  # not behind the slow key's computation
    release.set()
    worker.join(10)
    assert kg.derived("slow", lambda: "again") == "slow"
    assert calls == ["slow"]
