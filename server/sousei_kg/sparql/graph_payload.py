"""Reading an RDF graph sent to ``/store`` (Graph Store Protocol PUT and POST).

Only graph syntaxes are taken (a Graph Store request names one graph). Nothing is ever fetched:
pyoxigraph's JSON-LD parser has no document loader, so a remote ``@context`` is a syntax error,
and RDF/XML with a ``DOCTYPE`` is refused before parsing, because the RDF/XML parser expands
internal entities without a size limit ("billion laughs"). Blank nodes get fresh identifiers, so a
merge never joins them with blank nodes already in the store.
"""

import re

from pyoxigraph import RdfFormat, Triple, parse

from sousei_kg.errors import SouseiError
from sousei_kg.sparql.payload_depth import nesting_depth
from sousei_kg.sparql.query_protocol import ProtocolRule

PAYLOAD_FORMATS: dict[str, RdfFormat] = {
    "text/turtle": RdfFormat.TURTLE,
    "application/x-turtle": RdfFormat.TURTLE,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "text/plain": RdfFormat.N_TRIPLES,
    "application/rdf+xml": RdfFormat.RDF_XML,
    "application/ld+json": RdfFormat.JSON_LD,
}
_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_POSITION = re.compile(r"^Parser error (?:at|between) .*?: ")


class PayloadError(SouseiError):
    """A body the server will not read.

    Args:
        message: what is wrong, for the client.
        rule: ``media-type`` for a syntax that is not a graph syntax, else ``malformed``.
    """

    def __init__(self, message: str, rule: ProtocolRule = "malformed") -> None:
        self.message = message
        self.rule: ProtocolRule = rule
        super().__init__(message)


_FAMILIES = {RdfFormat.JSON_LD: "json", RdfFormat.RDF_XML: "xml"}


def check_payload(body: bytes, media: str | None, max_depth: int) -> None:
    """Refuse a body before any parser reads it: a media type that is not a graph syntax, RDF/XML
    with a DOCTYPE, or nesting deeper than ``max_depth`` (:mod:`sousei_kg.sparql.payload_depth`).

    Raises:
        PayloadError: naming what is wrong.
    """
    rdf_format = _format_of(media)
    if rdf_format == RdfFormat.RDF_XML and _DOCTYPE.search(body):
        raise PayloadError("RDF/XML with a DOCTYPE or ENTITY declaration is refused")
    depth = nesting_depth(body, _FAMILIES.get(rdf_format, "turtle"))
    if depth > max_depth:
        raise PayloadError(
            f"the graph nests {depth} levels deep, more than the limit of {max_depth} "
            "(collections, blank-node property lists, JSON objects and arrays, XML elements)"
        )


def _format_of(media: str | None) -> RdfFormat:
    """The syntax of a graph sent as ``media``.

    Raises:
        PayloadError: ``media-type`` if it is not a graph syntax.
    """
    rdf_format = PAYLOAD_FORMATS.get(media or "")
    if rdf_format is None:
        got = f"Content-Type {media!r}" if media else "no Content-Type"
        names = ", ".join(sorted(set(PAYLOAD_FORMATS) - {"application/x-turtle", "text/plain"}))
        raise PayloadError(f"a graph must be sent as one of {names}; got {got}", rule="media-type")
    return rdf_format


def parse_payload(body: bytes, media: str | None, base_iri: str) -> list[Triple]:
    """Parse a graph.

    Args:
        body: the request body.
        media: the media type (lowercase, no parameters), or ``None``.
        base_iri: what relative IRIs resolve against.

    Raises:
        PayloadError: 415 for a media type that is not a graph syntax; 400 for RDF/XML with a
            DOCTYPE, a syntax error, or a named graph in the data.
    """
    rdf_format = _format_of(media)
    if rdf_format == RdfFormat.RDF_XML and _DOCTYPE.search(body):
        raise PayloadError("RDF/XML with a DOCTYPE or ENTITY declaration is refused")
    try:
        return [
            quad.triple
            for quad in parse(
                body,
                format=rdf_format,
                base_iri=base_iri,
                without_named_graphs=True,
                rename_blank_nodes=True,
            )
        ]
    except SyntaxError as error:
        message = _POSITION.sub("", error.msg or str(error)).splitlines()[0][:300]
        raise PayloadError(f"the graph does not parse: {message}") from None
