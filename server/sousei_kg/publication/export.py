"""The whole dataset in one RDF syntax: what ``sousei-kg export`` writes and the dumps serve."""

from typing import Literal, get_args

from pyoxigraph import (
    RdfFormat,
    serialize,
)
from rdflib import Dataset

from sousei_kg.namespaces import PREFIXES
from sousei_kg.store.canonical import all_quads, union_triples
from sousei_kg.store.readable import ReadableStore

ExportFormat = Literal["ttl", "nt", "nq", "trig", "jsonld"]
EXPORT_FORMATS: tuple[str, ...] = get_args(ExportFormat)


def export_store(store: ReadableStore, fmt: ExportFormat) -> bytes:
    """Serialize a whole store.

    ``ttl`` and ``nt`` hold the union graph (every quad's triple, deduplicated); ``nq`` and
    ``trig`` keep the named graphs; ``jsonld`` keeps them too (one ``@graph`` per named graph).

    Args:
        store: the store.
        fmt: the format.

    Returns:
        The serialization, UTF-8.
    """
    if fmt == "ttl":
        return _bytes(
            serialize(
                union_triples(store, canonical=True), format=RdfFormat.TURTLE, prefixes=PREFIXES
            )
        )
    if fmt == "nt":
        return _bytes(serialize(union_triples(store, canonical=True), format=RdfFormat.N_TRIPLES))
    if fmt == "trig":
        return _bytes(serialize(all_quads(store), format=RdfFormat.TRIG, prefixes=PREFIXES))
    nquads = _bytes(serialize(all_quads(store), format=RdfFormat.N_QUADS))
    if fmt == "nq":
        return nquads
    dataset = Dataset()
    dataset.parse(data=nquads, format="nquads")
    return dataset.serialize(format="json-ld", context=PREFIXES, auto_compact=True).encode("utf-8")


def _bytes(data: bytes | None) -> bytes:
    return data if data is not None else b""
