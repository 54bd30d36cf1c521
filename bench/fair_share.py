"""Fair query capacity: another address's cheap queries while one address floods heavy ones.

Starts ``sousei-kg serve`` with its default settings (2 query workers, 30 s time limit; the rate
limit off, so the flood reaches the workers) on 127.0.0.1. One client at 127.0.0.1 keeps four
heavy queries in flight (a four-way cross product that runs until the time limit stops it: each
of the four sends its next query as soon as its last one is answered); another client at
127.0.0.2 sends a cheap ASK every 0.5 s. Prints the cheap client's latency (p50, p95, max) and
status mix, and the heavy client's status mix, then exits.

    python bench/fair_share.py [--seconds 90]
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter

import httpx

HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
CHEAP = "ASK { ?s ?p ?o }"
HEAVY_IN_FLIGHT = 4
TARGET_P95_SECONDS = 2.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_server(port: int) -> subprocess.Popen[bytes]:
    """``sousei-kg serve`` with default limits, the rate limit off; returns once it answers."""
    env = {**os.environ, "SOUSEI_RATE_LIMIT": "false"}
    process = subprocess.Popen(
        [sys.executable, "-m", "sousei_kg", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the server did not start within 60 s")


def flood(url: str, stop: threading.Event, statuses: Counter[int]) -> None:
    """One of the heavy client's four: the next heavy query as soon as the last is answered."""
    transport = httpx.HTTPTransport(local_address="127.0.0.1")
    with httpx.Client(transport=transport, timeout=60) as client:
        while not stop.is_set():
            response = client.get(url, params={"query": HEAVY})
            statuses[response.status_code] += 1
            if response.status_code == 429:
                time.sleep(float(response.headers.get("Retry-After", "1")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=90.0, help="how long to measure")
    seconds = parser.parse_args().seconds
    port = free_port()
    server = start_server(port)
    url = f"http://127.0.0.1:{port}/sparql"
    try:
        stop = threading.Event()
        heavy: Counter[int] = Counter()
        threads = [
            threading.Thread(target=flood, args=(url, stop, heavy), daemon=True)
            for _ in range(HEAVY_IN_FLIGHT)
        ]
        for thread in threads:
            thread.start()
        time.sleep(2.0)
        latencies: list[float] = []
        cheap: Counter[int] = Counter()
        transport = httpx.HTTPTransport(local_address="127.0.0.2")
        ends = time.monotonic() + seconds
        with httpx.Client(transport=transport, timeout=60) as client:
            n = 0
            while time.monotonic() < ends:
                started = time.monotonic()
                response = client.get(url, params={"query": f"{CHEAP} # {n}"})
                latencies.append(time.monotonic() - started)
                cheap[response.status_code] += 1
                n += 1
                time.sleep(0.5)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        server.terminate()
        server.wait(timeout=30)
    ordered = sorted(latencies)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    print(f"fair share, {seconds:g} s, default settings, one address with {HEAVY_IN_FLIGHT} heavy")
    print("queries in flight (127.0.0.1), another sending a cheap ASK every 0.5 s (127.0.0.2):")
    print(f"  cheap queries: {len(latencies)}, statuses {dict(sorted(cheap.items()))}")
    print(
        f"  cheap latency: p50 {statistics.median(latencies) * 1000:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms "
        f"(target: all 2xx, p95 <= {TARGET_P95_SECONDS:g} s: "
        f"{'met' if set(cheap) == {200} and p95 <= TARGET_P95_SECONDS else 'MISSED'})"
    )
    print(f"  heavy client's statuses: {dict(sorted(heavy.items()))}")


if __name__ == "__main__":
    main()
