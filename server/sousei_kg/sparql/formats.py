"""The formats answers are written in: SPARQL results, RDF graphs and datasets, and HTML.

Plain data (media types, short keys, file extensions), so that the query workers, the serialisers
and the HTTP layer's content negotiation (:mod:`sousei_kg.http.negotiation`) name formats the same
way.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    """A response format.

    Attributes:
        key: the short name accepted by ``format=`` and used as a file extension key (``ttl``).
        media_type: the IANA media type sent as ``Content-Type`` (without parameters).
        extension: the file extension of documents in this format (``.ttl``).
        aliases: other media types that select this format (``application/json`` for JSON results).
    """

    key: str
    media_type: str
    extension: str
    aliases: tuple[str, ...] = ()

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` header value, with a UTF-8 charset for textual formats."""
        return f"{self.media_type}; charset=utf-8"


JSON_RESULTS = Format("json", "application/sparql-results+json", ".srj", ("application/json",))


XML_RESULTS = Format("xml", "application/sparql-results+xml", ".srx", ("application/xml",))


CSV = Format("csv", "text/csv", ".csv")


TSV = Format("tsv", "text/tab-separated-values", ".tsv")


TURTLE = Format("ttl", "text/turtle", ".ttl", ("application/x-turtle",))


N_TRIPLES = Format("nt", "application/n-triples", ".nt", ("text/plain",))


RDF_XML = Format("rdfxml", "application/rdf+xml", ".rdf", ("application/xml",))


JSON_LD = Format("jsonld", "application/ld+json", ".jsonld", ("application/json",))


N_QUADS = Format("nq", "application/n-quads", ".nq")


TRIG = Format("trig", "application/trig", ".trig")


HTML = Format("html", "text/html", ".html", ("application/xhtml+xml",))


#: SELECT and ASK results, the default first.
RESULT_FORMATS: tuple[Format, ...] = (JSON_RESULTS, XML_RESULTS, CSV, TSV)


#: Graphs (CONSTRUCT, DESCRIBE, documents), the default first.
GRAPH_FORMATS: tuple[Format, ...] = (TURTLE, N_TRIPLES, RDF_XML, JSON_LD)


#: Datasets with named graphs (dumps).
DATASET_FORMATS: tuple[Format, ...] = (N_QUADS, TRIG)


ALL_FORMATS: tuple[Format, ...] = (*RESULT_FORMATS, *GRAPH_FORMATS, *DATASET_FORMATS, HTML)


def by_key(key: str) -> Format | None:
    """Return the format with this short name (``ttl``) or extension (``.ttl``), if any."""
    for fmt in ALL_FORMATS:
        if key in (fmt.key, fmt.extension):
            return fmt
    return None
