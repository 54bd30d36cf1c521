"""Serialize query results and graphs into a negotiated format.

SELECT/ASK results use pyoxigraph's SPARQL results writers (JSON, XML, CSV, TSV); graphs use its RDF
writers (Turtle, N-Triples, RDF/XML, JSON-LD, N-Quads, TriG). One table maps our formats to theirs.
"""

from collections.abc import Iterable

from pyoxigraph import (
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Triple,
    serialize,
)

from sousei_kg.layout import PREFIXES
from sousei_kg.negotiation import (
    CSV,
    JSON_LD,
    JSON_RESULTS,
    N_QUADS,
    N_TRIPLES,
    RDF_XML,
    TRIG,
    TSV,
    TURTLE,
    XML_RESULTS,
    Format,
)

_RESULTS: dict[Format, QueryResultsFormat] = {
    JSON_RESULTS: QueryResultsFormat.JSON,
    XML_RESULTS: QueryResultsFormat.XML,
    CSV: QueryResultsFormat.CSV,
    TSV: QueryResultsFormat.TSV,
}
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


def serialize_solutions(result: QuerySolutions | QueryBoolean, fmt: Format) -> bytes:
    """Write SELECT solutions or an ASK boolean in a SPARQL results format.

    Raises:
        KeyError: if ``fmt`` is not a SPARQL results format.
    """
    return result.serialize(format=_RESULTS[fmt]) or b""


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


def is_graph_format(fmt: Format) -> bool:
    """Whether ``fmt`` writes RDF (as opposed to SPARQL results)."""
    return fmt in _RDF
