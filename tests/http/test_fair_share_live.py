"""Fair query capacity on a real server: one address keeps heavy queries in flight, another
address's cheap queries are still answered (issue 14; the figures are in bench/fair_share.py)."""

import threading
import time

import httpx
import pytest

from conftest import running_server

HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
CHEAP = "ASK { ?s ?p ?o }"


def _flood(base: str, stop: threading.Event, statuses: list[int]) -> None:
    """Keep one heavy query in flight from 127.0.0.1 until ``stop`` (each loop bounded)."""
    transport = httpx.HTTPTransport(local_address="127.0.0.1")
    with httpx.Client(transport=transport, timeout=30) as client:
        while not stop.is_set():
            response = client.get(base + "sparql", params={"query": HEAVY})
            statuses.append(response.status_code)
            if response.status_code == 429:
                time.sleep(0.2)


@pytest.mark.live
def test_another_address_is_served_while_one_floods_heavy_queries() -> None:
    with running_server({"SOUSEI_QUERY_TIMEOUT": "6"}) as base:
        stop = threading.Event()
        flood_statuses: list[int] = []
        flooders = [
            threading.Thread(target=_flood, args=(base, stop, flood_statuses), daemon=True)
            for _ in range(4)
        ]
        for thread in flooders:
            thread.start()
        time.sleep(1.0)  # the heavy queries hold what they can
        cheap: list[tuple[int, float]] = []
        transport = httpx.HTTPTransport(local_address="127.0.0.2")
        with httpx.Client(transport=transport, timeout=20) as client:
            for n in range(10):
                started = time.monotonic()
                response = client.get(
                    base + "sparql", params={"query": f"{CHEAP} # {n}"}, headers={"Accept": "*/*"}
                )
                cheap.append((response.status_code, time.monotonic() - started))
                time.sleep(0.2)
        stop.set()
        for thread in flooders:
            thread.join(timeout=30)
    assert [status for status, _ in cheap] == [200] * 10
    # A liveness bound, far above the 2 s the benchmark holds it to: without the worker kept for
    # other addresses, these waited for the flood's whole time limit (or got 503).
    assert max(seconds for _, seconds in cheap) < 5
    # The flood itself is held back: beyond one running and two waiting, it is refused at once.
    assert 429 in flood_statuses
