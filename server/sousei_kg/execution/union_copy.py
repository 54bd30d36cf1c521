"""A small store is queried from an in-memory copy whose default graph already is the union.

Every query that names no dataset reads the union of the store's graphs (the data is split over
strategy, curation, ontology… graphs). pyoxigraph evaluates that union per triple pattern, by
scanning every graph and removing duplicates, and this was most of the engine's time: at the real
size ``list-measures-for-kpi`` took 4.8 ms over the union and 1.7 ms over a default graph holding
the same triples; the raw benchmark shapes took 1.5 to 4 times less (docs/performance.md). So a
worker whose store is small copies it into memory once, with the union written into the copy's
default graph (the source's own default graph is empty: every triple lives in a named graph), and
evaluates union queries over that default graph. Named graphs are copied too, so ``GRAPH``,
``FROM`` and the protocol's dataset read exactly what they read in the source.

Only stores up to :data:`MAX_COPIED_QUADS` are copied: the copy costs memory in every worker
(~60 ms and a few MB at the real size), which a large store cannot afford.
"""

from dataclasses import dataclass

from pyoxigraph import DefaultGraph, Quad, Store

MAX_COPIED_QUADS = 200_000
"""Larger stores are queried as they are (their union evaluated per pattern)."""


@dataclass(frozen=True)
class QueryStore:
    """The store a worker evaluates with, and whether its default graph is the union."""

    store: Store
    union_in_default_graph: bool = False


def for_queries(
    store: Store, quad_count: int | None = None, max_quads: int = MAX_COPIED_QUADS
) -> QueryStore:
    """``store`` itself, or its in-memory copy with the union in the default graph when it holds at
    most ``max_quads`` quads and nothing in its own default graph.

    ``quad_count``: the store's size if known. Without it the store is counted, which reads every
    quad of a large on-disk store (seconds at 10 M): pass the manifest's count.
    """
    size = len(store) if quad_count is None else quad_count
    if size > max_quads or any(
        True for _ in store.quads_for_pattern(None, None, None, DefaultGraph())
    ):
        return QueryStore(store)
    quads = list(store)
    copy = Store()
    copy.extend(quads)
    copy.extend(Quad(q.subject, q.predicate, q.object, DefaultGraph()) for q in quads)
    return QueryStore(copy, union_in_default_graph=True)
