"""The ceiling: the least a Python SPARQL endpoint on pyoxigraph can do per request.

Why it exists (issue 20): `oxigraph serve` is Rust end to end, so "ours / oxigraph" mixes two
things, what Python costs at all and what *we* add on top of it. This server is bare Python on the
same stack as ours (uvicorn + httptools, pyoxigraph in process, the same data) with nothing else:
no framework, no worker processes, no SERVICE/LOAD guard, no content negotiation beyond "JSON for
solutions, N-Triples (or Turtle) for graphs", no limits, no caches, no logging. What ours answers
per second divided by what this answers per second is the share of bare Python we keep; the gap
is what our isolation, guard, negotiation, limits and caches cost. It is a measuring device, not
a server to deploy: one slow query blocks every other request, and any query may run for ever.

    python bench/ceiling_app.py --port 8000 --file bench/data/real.nq             # in memory
    python bench/ceiling_app.py --port 8000 --store bench/data/stores/oxigraph-1m  # read-only

``--file`` loads N-Quads into an in-memory store (what bench/run.py does at the real size, with
the N-Quads export the other servers load); ``--store`` opens an existing store read-only (at
1 M and 10 M triples: the one `oxigraph load` built from the same N-Quads, since ours also reads
from disk at that size). Queries run over the union of the graphs
(``use_default_graph_as_union=True``), as `oxigraph serve --union-default-graph` does.

Endpoint: ``GET /sparql?query=…``. Answers 200 with SPARQL JSON (SELECT, ASK) or N-Triples
(CONSTRUCT, DESCRIBE; Turtle if ``Accept`` names ``text/turtle``), 400 with the engine's message
for a query it refuses, 404 for any other path.
"""

import argparse
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import uvicorn
from pyoxigraph import QueryResultsFormat, QueryTriples, RdfFormat, Store

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

JSON = b"application/sparql-results+json"
NTRIPLES = b"application/n-triples"
TURTLE = b"text/turtle"


def make_app(store: Store) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    """The bare ASGI app answering SPARQL GETs from ``store``."""

    async def app(scope: Scope, _receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan is off; nothing else is expected
            return
        status, content_type, body = answer(store, scope)
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", content_type),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    return app


def answer(store: Store, scope: Scope) -> tuple[int, bytes, bytes]:
    """(status, content type, body) of one request."""
    if scope["path"] != "/sparql":
        return 404, b"text/plain", b"not found"
    query = parse_qs(scope["query_string"].decode("latin-1")).get("query")
    if not query:
        return 400, b"text/plain", b"no query"
    try:
        result = store.query(query[0], use_default_graph_as_union=True)
        if isinstance(result, QueryTriples):
            accept = dict(scope["headers"]).get(b"accept", b"")
            if TURTLE in accept:
                return 200, TURTLE, result.serialize(format=RdfFormat.TURTLE)
            return 200, NTRIPLES, result.serialize(format=RdfFormat.N_TRIPLES)
        return 200, JSON, result.serialize(format=QueryResultsFormat.JSON)
    except (SyntaxError, ValueError, OSError) as error:
        return 400, b"text/plain", str(error).encode()


def open_store(files: list[Path], location: Path | None) -> Store:
    """An in-memory store with ``files`` (N-Quads) loaded, or ``location`` opened read-only."""
    if location is not None:
        return Store.read_only(str(location))
    store = Store()
    for path in files:
        store.bulk_load(path=str(path), format=RdfFormat.N_QUADS)
    return store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    data = parser.add_mutually_exclusive_group(required=True)
    data.add_argument("--file", type=Path, action="append", help="N-Quads to load in memory")
    data.add_argument("--store", type=Path, help="a store to open read-only")
    args = parser.parse_args()
    store = open_store(args.file or [], args.store)
    uvicorn.run(
        make_app(store),
        host=args.host,
        port=args.port,
        http="httptools",
        loop="asyncio",
        lifespan="off",
        access_log=False,
        log_level="warning",
    )


if __name__ == "__main__":
    main()
