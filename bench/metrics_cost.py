"""What the metrics cost each request: the edge layer (``http/metrics.MetricsMiddleware``) around
a bare ASGI app, in process, with prometheus-client in multiprocess mode (as ``sousei-kg serve``
runs it) or not.

    python bench/metrics_cost.py [--single-process] [--requests N]

Prints the median over 7 rounds of the time per request with and without the layer, and the
difference. The layer is what every request pays; the query-path updates (a histogram and two
gauges per query) are of the same kind, once per query.
"""

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROUNDS = 7


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--single-process", action="store_true")
    parser.add_argument("--requests", type=int, default=20_000)
    options = parser.parse_args()
    if not options.single_process:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="metrics-cost-")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))
    from sousei_kg.http.metrics import MetricsMiddleware  # after the variable, as serve does

    class State:
        knowledge_graph = None

    class App:
        state = State()

    async def bare(_scope: dict[str, object], _receive: object, send: object) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})  # type: ignore[operator]
        await send({"type": "http.response.body", "body": b"ok"})  # type: ignore[operator]

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b""}

    async def send(_message: dict[str, object]) -> None:
        return None

    layered = MetricsMiddleware(bare)  # type: ignore[arg-type]

    async def run(app: object) -> float:
        scope = {
            "type": "http",
            "method": "GET",
            "path": "/doc/goal/1",
            "app": App(),
            "route": None,
        }
        started = time.perf_counter()
        for _ in range(options.requests):
            await app(dict(scope), receive, send)  # type: ignore[operator]
        return (time.perf_counter() - started) / options.requests * 1e6

    without = statistics.median(asyncio.run(run(bare)) for _ in range(ROUNDS))
    with_layer = statistics.median(asyncio.run(run(layered)) for _ in range(ROUNDS))
    mode = "single process" if options.single_process else "multiprocess"
    print(
        f"{mode}: {without:.2f} µs without, {with_layer:.2f} µs with the metrics layer: "
        f"{with_layer - without:.2f} µs per request"
    )


if __name__ == "__main__":
    main()
