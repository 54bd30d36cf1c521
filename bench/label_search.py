"""search-labels with and without the label index (issue 20), on a large generated dataset.

Builds (once) a store of the real graph plus ``bench/generate.py``'s synthetic local strategies
(``bench/ourstore.py``, which also builds the label index), then answers the named query
search-labels, and the web search ``/search``, through the whole application (``TestClient``: the
lean path, the query worker, the serialisation; one request at a time, c=1; the result cache off,
the default row cap of 10,000) twice: with ``labels.sqlite3``, then with it moved aside, which is
how a store without an index is served (the plain SPARQL query reads every label). Prints the
p50 and p90 of each, their ratio, and whether both answers were byte-identical, as a Markdown
table; ``--output`` writes it to a file too.

    PYTHONPATH=server .venv/bin/python bench/label_search.py --triples 1e6 \\
        --output bench/results/label-index-1m.md

Bounded: ``--plain`` requests per text without the index (each reads every label: ~1 s at 1 M,
9-23 s at 10 M), ``--indexed`` with it; each text is asked once first (not timed) to warm up.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

from fastapi.testclient import TestClient

from sousei_kg.app import create_app
from sousei_kg.config import Settings
from sousei_kg.store.directory import read_manifest
from sousei_kg.store.label_index import INDEX_FILE, index_version

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent

CASES: list[tuple[str, str]] = [
    ("2-char ja (gram table)", "/queries/search-labels?text=" + urllib.parse.quote("交通")),
    ("1-char ja (gram table)", "/queries/search-labels?text=" + urllib.parse.quote("県")),
    ("3+-char ja (trigram)", "/queries/search-labels?text=" + urllib.parse.quote("子育て施策")),
    ("ja, language=ja", "/queries/search-labels?language=ja&text=" + urllib.parse.quote("観光")),
    ("en, 3+ chars", "/queries/search-labels?text=TOURISM%20measure%201-1"),
    ("en, 2 chars (SQLite scan)", "/queries/search-labels?text=zq"),
    ("nothing matches", "/queries/search-labels?text=xyzzy"),
    ("web search 2-char ja", "/search?format=json&q=" + urllib.parse.quote("交通")),
    ("web search en", "/search?format=json&q=tourism%20measure%2012"),
]


def build(triples: float, data: Path) -> Path:
    """The store of this size, generated and built unless it is there already."""
    label = f"{int(triples / 1e6)}m" if triples >= 1e6 else f"{int(triples / 1e3)}k"
    synthetic = data / f"synthetic-{label}.nq"
    store = data / "stores" / f"label-index-{label}"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "server")}
    if not synthetic.exists():
        print(f"generating {synthetic}", file=sys.stderr)
        subprocess.run(
            [
                sys.executable,
                str(BENCH / "generate.py"),
                "--triples",
                str(triples),
                "--output",
                str(synthetic),
            ],
            check=True,
            env=env,
        )
    if not (store / "manifest.json").exists() or index_version(store) is None:
        print(f"building {store}", file=sys.stderr)
        out = subprocess.run(
            [
                sys.executable,
                str(BENCH / "ourstore.py"),
                "--store",
                str(store),
                "--extra",
                str(synthetic),
            ],
            check=True,
            env=env,
            capture_output=True,
            text=True,
        )
        phases = json.loads(out.stdout.strip().splitlines()[-1])
        (store / "build-phases.json").write_text(json.dumps(phases, indent=2))
    return store


def measure(store: Path, requests: int) -> dict[str, tuple[list[float], bytes]]:
    """Per case: the latencies (ms) of ``requests`` answers after one untimed one, and the body."""
    settings = Settings(
        store=store, result_cache_bytes=0, rate_limit=False, query_workers=1, query_timeout=300
    )
    found: dict[str, tuple[list[float], bytes]] = {}
    with TestClient(create_app(settings)) as client:
        for name, path in CASES:
            first = client.get(path)
            if first.status_code != 200:
                raise SystemExit(f"{name}: {first.status_code} {first.text[:300]}")
            times = []
            for _ in range(requests):
                start = time.perf_counter()
                answer = client.get(path)
                times.append((time.perf_counter() - start) * 1000)
                if answer.status_code != 200:
                    raise SystemExit(f"{name}: {answer.status_code}")
            found[name] = (times, first.content)
            print(f"  {name}: p50 {statistics.median(times):.1f} ms", file=sys.stderr)
    return found


def rows_of(body: bytes) -> int:
    data = json.loads(body)
    if "results" in data and isinstance(data["results"], dict):
        return len(data["results"]["bindings"])
    return len(data["results"])


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=float, default=1e6)
    parser.add_argument("--data", type=Path, default=BENCH / "data")
    parser.add_argument("--plain", type=int, default=5, help="timed requests without the index")
    parser.add_argument("--indexed", type=int, default=30, help="timed requests with it")
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args()
    store = build(args.triples, args.data)
    manifest = read_manifest(store)
    phases = json.loads((store / "build-phases.json").read_text())
    index = store / INDEX_FILE
    print("with the index", file=sys.stderr)
    indexed = measure(store, args.indexed)
    aside = store / (INDEX_FILE + ".aside")
    index.rename(aside)
    try:
        print("without the index", file=sys.stderr)
        plain = measure(store, args.plain)
    finally:
        aside.rename(index)
    engine_bytes = sum(f.stat().st_size for f in (store / "oxigraph").rglob("*") if f.is_file())
    lines = [
        f"# search-labels with and without the label index, {manifest.quad_count:,} quads",
        "",
        f"Command: `PYTHONPATH=server python bench/label_search.py --triples {args.triples:g}"
        f" --plain {args.plain} --indexed {args.indexed}` on {os.cpu_count()} cores"
        f" ({platform.machine()}, Python {platform.python_version()}), "
        f"{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}.",
        "",
        "Through the whole application (TestClient, c=1, one query worker, result cache off, row"
        " cap 10,000). *without*: the same store with `labels.sqlite3` moved aside (the plain"
        " SPARQL query reads every label). *same answer*: the two bodies are byte-identical.",
        "",
        "| case | rows | without p50 ms | without p90 ms | with p50 ms | with p90 ms | speed-up"
        " (p50) | same answer |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, _path in CASES:
        with_times, with_body = indexed[name]
        without_times, without_body = plain[name]
        p50_with, p50_without = statistics.median(with_times), statistics.median(without_times)
        lines.append(
            f"| {name} | {rows_of(with_body):,} | {p50_without:,.1f}"
            f" | {pct(without_times, 0.9):,.1f} | {p50_with:,.1f} | {pct(with_times, 0.9):,.1f}"
            f" | {p50_without / p50_with:,.1f}×"
            f" | {'yes' if with_body == without_body else '**NO**'} |"
        )
    lines += [
        "",
        f"Index: {phases.get('label_index_labels', 0):,} labels, built in"
        f" {phases.get('label_index_s', 0):.1f} s (bulk load of the synthetic file"
        f" {phases.get('bulk_load_extra_s', 0):.1f} s); `labels.sqlite3`"
        f" {index.stat().st_size / 1e6:,.0f} MB, the engine's `oxigraph/`"
        f" {engine_bytes / 1e6:,.0f} MB.",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if args.output is not None:
        args.output.write_text(text)


if __name__ == "__main__":
    main()
