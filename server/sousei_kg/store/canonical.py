"""The dataset as one canonical whole: counts, the union graph, every quad in one order, and the
version hash that names a release (the same data gives the same hash on every replica and
backend, whatever its load order or blank-node labels)."""

import hashlib
from collections import Counter

from pyoxigraph import (
    CanonicalizationAlgorithm,
    Dataset,
    DefaultGraph,
    NamedNode,
    Quad,
    RdfFormat,
    Triple,
    serialize,
)

from sousei_kg.store.readable import CountsItsGraphs, ReadableStore

DEFAULT_GRAPH_KEY = "default"
"""Key of the default graph in ``Manifest.graphs``."""


def quad_count(store: ReadableStore) -> int:
    """Return the number of quads in the store."""
    return len(store)


def graph_counts(store: ReadableStore) -> dict[str, int]:
    """Return the number of quads per graph IRI, ``"default"`` for the default graph."""
    if isinstance(store, CountsItsGraphs):
        return store.graph_counts()  # counted by the engine, not by fetching every quad
    counts: Counter[str] = Counter()
    for quad in store:
        graph = quad.graph_name
        counts[DEFAULT_GRAPH_KEY if isinstance(graph, DefaultGraph) else graph.value] += 1
    return dict(sorted(counts.items()))


def version_hash(store: ReadableStore) -> str:
    """Return a content hash of the store that does not depend on load order or blank-node labels.

    The quads of :func:`all_quads` (RDFC-1.0 blank-node labels) are written as N-Quads lines by
    pyoxigraph, and the SHA-256 is taken over the sorted lines.

    Returns:
        The hex digest.
    """
    nquads = serialize(all_quads(store), format=RdfFormat.N_QUADS) or b""
    digest = hashlib.sha256()
    for line in sorted(nquads.decode("utf-8").splitlines()):
        digest.update(line.encode("utf-8") + b"\n")
    return digest.hexdigest()


def all_quads(store: ReadableStore) -> list[Quad]:
    """Return every quad of the store, in one canonical order.

    Blank nodes get their RDFC-1.0 labels and the quads are sorted, so the same data gives the same
    dumps byte for byte on every replica and backend (a remote engine returns quads in its own
    order, and blank-node labels differ per load); the dumps' ETags and sizes agree with them.
    Canonicalising holds the whole dataset in memory: use it for what is published, not for counts.
    """
    dataset = Dataset(store)
    dataset.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
    return sorted(dataset, key=str)


def union_triples(
    store: ReadableStore, exclude_graphs: frozenset[str] = frozenset(), *, canonical: bool = False
) -> list[Triple]:
    """Return the union graph: every quad's triple, deduplicated, in first-seen order.

    Args:
        store: the store.
        exclude_graphs: IRIs of named graphs whose quads are left out.
        canonical: in the canonical order of :func:`all_quads` (for dumps, which must be the same
            on every replica); counting and validating need no order and skip that cost.
    """
    seen: dict[Triple, None] = {}
    for quad in all_quads(store) if canonical else store:
        graph = quad.graph_name
        if isinstance(graph, NamedNode) and graph.value in exclude_graphs:
            continue
        seen.setdefault(quad.triple, None)
    return list(seen)
