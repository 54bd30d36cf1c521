"""Serialize graphs into a negotiated RDF format with pyoxigraph's writers (Turtle, N-Triples,
RDF/XML, JSON-LD, N-Quads, TriG). SELECT/ASK results are written by the query workers
(``execution.writers``), which cap them."""

from collections.abc import Iterable

from pyoxigraph import (
    Quad,
    QueryTriples,
    RdfFormat,
    Triple,
    serialize,
)

from sousei_kg.layout import PREFIXES
from sousei_kg.negotiation import (
    JSON_LD,
    N_QUADS,
    N_TRIPLES,
    RDF_XML,
    TRIG,
    TURTLE,
    Format,
)

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
