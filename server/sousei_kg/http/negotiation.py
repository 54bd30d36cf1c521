"""Content negotiation: pick a response format from ``Accept`` (q-values, wildcards) or ``format=``.

Pure functions with no HTTP objects, so every route (SPARQL results, resource documents, dumps,
dataset descriptions) negotiates the same way and the rules are testable on their own. Parsing and
ranking of media ranges is python-mimeparse's (RFC 9110 semantics); this module only maps our
formats onto it.
"""

from dataclasses import dataclass
from functools import lru_cache

import mimeparse


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


class NotAcceptableError(ValueError):
    """No offered format satisfies the request; the message says what is offered."""

    def __init__(self, requested: str, offered: tuple[Format, ...]) -> None:
        self.requested = requested
        self.offered = offered
        names = ", ".join(f"{f.media_type} (format={f.key})" for f in offered)
        super().__init__(f"cannot produce {requested!r}; this resource is available as: {names}")


def by_key(key: str) -> Format | None:
    """Return the format with this short name (``ttl``) or extension (``.ttl``), if any."""
    for fmt in ALL_FORMATS:
        if key in (fmt.key, fmt.extension):
            return fmt
    return None


def choose(
    offered: tuple[Format, ...], accept: str | None, format_param: str | None = None
) -> Format:
    """Choose the format of a response.

    Args:
        offered: the formats this response can take, the default first.
        accept: the ``Accept`` header, or ``None``.
        format_param: a ``format=`` (or ``output=``) parameter: a short name such as ``ttl`` or a
            full media type; it overrides ``Accept``, as Fuseki and Virtuoso allow.

    Returns:
        The chosen format: the default when there is no preference.

    Raises:
        NotAcceptableError: if ``format_param`` names no offered format, or nothing offered
            matches ``Accept``.
    """
    chosen = _choose(offered, accept, format_param)
    if chosen is None:
        raise NotAcceptableError(format_param or accept or "", offered)
    return chosen


# Remembered per (offered, Accept, format=), refusals included: a few distinct Accept headers are
# most of the traffic, and parsing one with mimeparse was ~8% of a cheap query's time
# (docs/performance.md; /sparql negotiates twice per query, and one of the two usually refuses).
@lru_cache(maxsize=256)
def _choose(
    offered: tuple[Format, ...], accept: str | None, format_param: str | None
) -> Format | None:
    """:func:`choose`, with ``None`` for "nothing acceptable"."""
    if format_param:
        wanted = format_param.strip().lower()
        for fmt in offered:
            if wanted in (fmt.key, fmt.media_type, *fmt.aliases):
                return fmt
        return None
    if accept is None or not accept.strip():
        return offered[0]
    # mimeparse breaks ties in favour of the *last* candidate: list the default last.
    candidates: list[tuple[str, Format]] = []
    for fmt in reversed(offered):
        candidates.extend((alias, fmt) for alias in reversed(fmt.aliases))
    for fmt in reversed(offered):
        candidates.append((fmt.media_type, fmt))
    try:
        best = mimeparse.best_match([media for media, _ in candidates], accept)
    except (mimeparse.MimeTypeParseException, ValueError, IndexError):
        return None
    for media, fmt in candidates:
        if media == best:
            return fmt
    return None


@lru_cache(maxsize=256)
def prefers_html(accept: str | None) -> bool:
    """Whether a browser-like ``Accept`` ranks HTML above every RDF and results format."""
    if not accept:
        return False
    try:
        best = mimeparse.best_match(
            [*(f.media_type for f in (*GRAPH_FORMATS, *RESULT_FORMATS)), HTML.media_type], accept
        )
    except (mimeparse.MimeTypeParseException, ValueError, IndexError):
        return False
    return best == HTML.media_type and "html" in accept
