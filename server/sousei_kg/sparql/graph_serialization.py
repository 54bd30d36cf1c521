"""Serialize graphs into a negotiated RDF format with pyoxigraph's writers (Turtle, N-Triples,
RDF/XML, JSON-LD, N-Quads, TriG). SELECT/ASK results are written by the query workers
(``execution.writers``), which cap them."""

from collections.abc import Iterable
from typing import IO, Protocol, cast

from pyoxigraph import (
    Quad,
    QueryTriples,
    RdfFormat,
    Triple,
    serialize,
)

from sousei_kg.namespaces import PREFIXES
from sousei_kg.sparql.formats import JSON_LD, N_QUADS, N_TRIPLES, RDF_XML, TRIG, TURTLE, Format


class SupportsWrite(Protocol):
    """What pyoxigraph's serializers write to: a binary stream's ``write``."""

    def write(self, data: bytes, /) -> int:
        """Take ``data``; return how many bytes were taken."""
        ...


_RDF: dict[Format, RdfFormat] = {
    TURTLE: RdfFormat.TURTLE,
    N_TRIPLES: RdfFormat.N_TRIPLES,
    RDF_XML: RdfFormat.RDF_XML,
    JSON_LD: RdfFormat.JSON_LD,
    N_QUADS: RdfFormat.N_QUADS,
    TRIG: RdfFormat.TRIG,
}
# Formats whose writers take prefixes (the others ignore them or have none).
_WITH_PREFIXES = {TURTLE, TRIG}


def serialize_graph(
    triples: QueryTriples | Iterable[Triple] | Iterable[Quad], fmt: Format
) -> bytes:
    """Write triples (or quads, for N-Quads and TriG) in an RDF format.

    Raises:
        KeyError: if ``fmt`` is not an RDF format.
    """
    rdf_format = _RDF[fmt]
    if fmt in _WITH_PREFIXES:
        return serialize(triples, format=rdf_format, prefixes=PREFIXES) or b""
    return serialize(triples, format=rdf_format) or b""


def write_graph(
    triples: QueryTriples | Iterable[Triple], fmt: Format, output: SupportsWrite
) -> None:
    """:func:`serialize_graph` into ``output`` as the triples come (pyoxigraph writes ~8 KiB
    at a time), for answers streamed without being held whole.

    Raises:
        KeyError: if ``fmt`` is not an RDF format.
    """
    rdf_format = _RDF[fmt]
    prefixes = PREFIXES if fmt in _WITH_PREFIXES else None
    # pyoxigraph only calls write(); its stubs ask for a whole IO[bytes].
    serialize(triples, cast(IO[bytes], output), format=rdf_format, prefixes=prefixes)
