"""Large answers, streamed or held: peak memory of the server while a client downloads 1 M rows.

Part of bench/run.py (real size): the real graph has 3,759 quads, so a cross product with a LIMIT
makes a SELECT of 1,000,000 rows and a CONSTRUCT of 1,000,000 triples (the target is judged on the
SELECT: the engine itself keeps what a CONSTRUCT has written, to write each triple once, and
interns the strings a query makes, so the CONSTRUCT's memory grows inside pyoxigraph however its
output is sent). Each is downloaded (read
64 KiB at a time) from our server twice: with ``--result-cap 0`` (streamed as the engine writes it)
and with ``--result-cap 1000000`` (the capped path: the whole answer is built in the worker and
handed to the server before the first byte). A thread samples the resident memory of the server's
process tree every 20 ms; the figure is the peak above what it used before the download.
"""

import http.client
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROWS = 1_000_000
QUERIES = {
    "select": (
        f"SELECT ?s ?p ?o ?x WHERE {{ ?s ?p ?o . ?x ?q ?r }} LIMIT {ROWS}",
        "application/sparql-results+json",
    ),
    "construct": (
        # A fresh object per row: the engine writes each triple of a CONSTRUCT once, and the
        # data has fewer than 1 M distinct (?s ?p ?x) combinations.
        f"CONSTRUCT {{ ?s ?p ?u }} WHERE {{ ?s ?p ?o . ?x ?q ?r BIND(STRUUID() AS ?u) }} "
        f"LIMIT {ROWS}",
        "application/n-triples",
    ),
}
MODES = {"streamed": "0", "held whole": str(ROWS)}


def download(url: str, accept: str, timeout: float = 300) -> tuple[int, int, float, str]:
    """(bytes, lines, seconds, outcome) of one GET, read 64 KiB at a time. The outcome is
    ``complete``, the status of a refusal (``503``: the worker's memory limit, issue 14), or
    ``broken off`` when the answer stopped midway (a streamed answer whose worker was stopped)."""
    started = time.perf_counter()
    size = lines = 0
    outcome = "complete"
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            while chunk := response.read(65536):
                size += len(chunk)
                lines += chunk.count(b"\n")
    except urllib.error.HTTPError as error:
        outcome = str(error.code)
    except http.client.IncompleteRead as error:
        size += len(error.partial)
        outcome = "broken off"
    return size, lines, time.perf_counter() - started, outcome


def peak_rss_during(rss_mb: Callable[[], float], work: Callable[[], Any]) -> tuple[float, Any]:
    """Run ``work`` while sampling ``rss_mb`` every 20 ms; (peak MB, what ``work`` returned)."""
    peak = rss_mb()
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.02):
            peak = max(peak, rss_mb())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        result = work()
    finally:
        done.set()
        sampler.join()
    return peak, result


def measure(start_server: Callable[[str, str], Any], out_dir: Path) -> list[dict[str, Any]]:
    """One row per mode and query. ``start_server(name, cap)`` returns a started bench Server
    (``base``, ``endpoint``, ``rss_mb()``, ``stop()``) running with ``--result-cap cap``."""
    rows = []
    for mode, cap in MODES.items():
        server = start_server(f"ours-cap-{cap}", cap)
        try:
            for name, (query, accept) in QUERIES.items():
                url = server.base + server.endpoint + "?" + urllib.parse.urlencode({"query": query})
                before = server.rss_mb()
                peak, (size, lines, seconds, outcome) = peak_rss_during(
                    server.rss_mb, lambda url=url, accept=accept: download(url, accept)
                )
                rows.append(
                    {
                        "query": name,
                        "mode": mode,
                        "bytes": size,
                        "lines": lines,
                        "seconds": seconds,
                        "outcome": outcome,
                        "rss_before_mb": before,
                        "rss_peak_mb": peak,
                    }
                )
        finally:
            server.stop()
    (out_dir / "streaming.txt").write_text("\n".join(map(str, rows)) + "\n")
    return rows


def report(rows: list[dict[str, Any]]) -> list[str]:
    """The results section."""
    out = [
        f"## Large results: {ROWS:,} rows streamed vs held whole (real size, cross product)",
        "",
        "`streamed`: `--result-cap 0`; `held whole`: `--result-cap 1000000` (the capped path "
        "builds the whole answer before its first byte). Peak: resident memory of the server's "
        "process tree, sampled every 20 ms during the download, above its level before.",
        "",
        "A refusal (503) or an answer broken off is the worker's memory limit (512 MiB by "
        "default, issue 14) stopping a query that needs more: holding 1 M rows whole does, and so "
        "does a CONSTRUCT of 1 M distinct triples (the engine keeps them to drop duplicates).",
        "",
        "| query | mode | outcome | MB sent | N-Triples lines | seconds | MB/s | RSS before MB "
        "| peak MB | growth MB |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        mb = r["bytes"] / 1e6
        out.append(
            f"| {r['query']} | {r['mode']} | {r.get('outcome', 'complete')} | {mb:,.1f} | "
            f"{lines(r)} | {r['seconds']:.2f} | "
            f"{mb / r['seconds']:,.1f} | {r['rss_before_mb']:,.0f} | {r['rss_peak_mb']:,.0f} | "
            f"{r['rss_peak_mb'] - r['rss_before_mb']:,.0f} |"
        )
    return [*out, ""]


def lines(row: dict[str, Any]) -> str:
    """Triples of an N-Triples answer (one per line); JSON has no line per row."""
    return f"{row['lines']:,}" if row["query"] == "construct" else "–"


def growth(rows: list[dict[str, Any]], mode: str, query: str = "select") -> float:
    """The memory growth of a mode's download of ``query``, in MB."""
    return max(
        r["rss_peak_mb"] - r["rss_before_mb"]
        for r in rows
        if r["mode"] == mode and r["query"] == query
    )


def outcome(rows: list[dict[str, Any]], mode: str, query: str = "select") -> str:
    """How a mode's download of ``query`` ended (``complete``, a status, or ``broken off``)."""
    return next(
        str(r.get("outcome", "complete")) for r in rows if r["mode"] == mode and r["query"] == query
    )
