"""Query hints on the HTTP edge: worked out for a request, and written into its answer.

A hint says that a query names an IRI of ours the dataset does not hold, and which one it may
mean (:mod:`sousei_kg.linked_data.query_hints`). It travels in ``X-Query-Hint`` on every answer
to the query (whatever its format, a 304 and a cached answer too), and, in SPARQL JSON results,
as ``head.hints`` (written by the worker: :func:`sousei_kg.execution.writers.write_json`).

A text seen before costs a dictionary lookup on the event loop. A new short one that names no
missing IRI of ours (nearly every query) is settled on the loop too once the dataset's IRIs are
read: a scan of the text, tens of microseconds, where a hop to a thread and back cost more than
the work. On a dataset above ``HINTS_MAX_QUADS``, where the store is asked per IRI, the same holds
for a text whose IRIs of ours are all in the vocabulary or remembered as present. The first one of
a dataset version (which reads those IRIs, or the vocabulary), a long text, one that names a
missing IRI (whose nearest-IRI search compares it with every known IRI) and, above the bound, one
naming an IRI not asked about yet (a lookup in the store) are worked out on a thread. Hints only
advise: if the dataset's IRIs cannot be read or looked up (a remote engine failing), the log says
so once and the queries of that version are answered without hints.
"""

import logging
from collections.abc import Iterable
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool

from sousei_kg.dataset.knowledge_graph import KnowledgeGraph
from sousei_kg.execution.jobs import HintSpec
from sousei_kg.linked_data.query_hints import (
    HintKey,
    HintsUnavailableError,
    QueryHint,
    hint_cache,
)

LOG = logging.getLogger("sousei_kg.http.query_hints")
HEADER = "X-Query-Hint"
ON_LOOP_CHARS = 4096
"""Texts up to this length are scanned on the event loop once the dataset's IRIs (or, above
``HINTS_MAX_QUADS``, its vocabulary) are read."""
MAX_HEADER_IRI = 256
"""Characters of an IRI written into the header at most (a header line stays bounded)."""


async def query_hints(
    graph: KnowledgeGraph, text: str, base: str | None, graphs: Iterable[str] = ()
) -> tuple[QueryHint, ...]:
    """The hints for a query ``text`` (IRIs relative to ``base``) and the graph IRIs its request
    names besides (``default-graph-uri``, ``named-graph-uri``, a named query's bound IRIs)."""
    cache = hint_cache(graph)
    key: HintKey = (text, base, tuple(graphs))
    cached = cache.cached(key)
    if cached is not None:
        return cached
    try:
        if len(text) <= ON_LOOP_CHARS and (cheap := cache.answer_if_cheap(key)) is not None:
            return cheap
        return await run_in_threadpool(cache.compute, key)
    except HintsUnavailableError as error:  # advice only: never fail a query for it
        LOG.warning("query hints are off for this dataset version: %s", error)
        return ()


def _header_iri(iri: str) -> str:
    """An IRI as header text: non-ASCII percent-encoded (an IRI as a URI), bounded."""
    text = quote(iri, safe="".join(chr(c) for c in range(0x21, 0x7F)))
    return text if len(text) <= MAX_HEADER_IRI else text[:MAX_HEADER_IRI] + "…"


def hint_headers(hints: tuple[QueryHint, ...]) -> dict[str, str]:
    """``X-Query-Hint`` for ``hints`` (none without hints): each hint as ``<iri> is not in the
    dataset (did you mean <nearest>?)``, several separated by ``; ``."""
    if not hints:
        return {}
    parts = [
        QueryHint(_header_iri(h.iri), _header_iri(h.nearest) if h.nearest else None).message
        for h in hints
    ]
    return {HEADER: "; ".join(parts).replace("…", "...")}


def hint_specs(hints: tuple[QueryHint, ...]) -> tuple[HintSpec, ...]:
    """The hints as the plain values a query job carries to its worker."""
    return tuple((h.message, h.iri, h.nearest or "") for h in hints)
