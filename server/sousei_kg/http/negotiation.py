"""Content negotiation: pick a response format from ``Accept`` (q-values, wildcards) or ``format=``.

Pure functions with no HTTP objects, so every route (SPARQL results, resource documents, dumps,
dataset descriptions) negotiates the same way and the rules are testable on their own. Parsing and
ranking of media ranges is python-mimeparse's (RFC 9110 semantics); this module only maps our
formats onto it.
"""

import mimeparse

from sousei_kg.sparql.formats import GRAPH_FORMATS, HTML, RESULT_FORMATS, TURTLE, Format
from sousei_kg.sparql.memo import bounded_memo

REMEMBERED_HEADERS = 256
"""The most decisions each negotiation memo holds (per offer, ``Accept`` and ``format=``)."""

REMEMBERED_BYTES = 256 * 1024
"""The most bytes of headers each memo holds: a client sending a new long ``Accept`` with every
request (the request head is bounded at 48 KiB by default) cannot make one hold more than this; a
header over a quarter of it is not held at all, and is negotiated each time."""


class NotAcceptableError(ValueError):
    """No offered format satisfies the request; the message says what is offered."""

    def __init__(self, requested: str, offered: tuple[Format, ...]) -> None:
        self.requested = requested
        self.offered = offered
        names = ", ".join(f"{f.media_type} (format={f.key})" for f in offered)
        super().__init__(f"cannot produce {requested!r}; this resource is available as: {names}")


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


# Remembered per (offered, Accept, format=), refusals included (as None): a few distinct Accept
# headers are most of the traffic, and parsing one with mimeparse was ~8% of a cheap query's time
# (docs/performance.md; /sparql negotiates twice per query, and one of the two usually refuses).
@bounded_memo(REMEMBERED_HEADERS, REMEMBERED_BYTES)
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


@bounded_memo(REMEMBERED_HEADERS, REMEMBERED_BYTES)
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


# Names clients send in format= / output= that are not our short keys. SPARQLWrapper sends
# "turtle", "n3", "rdf+xml" and "json-ld"; Fuseki and Virtuoso accept the same.
_FORMAT_SYNONYMS = {
    "turtle": "ttl",
    "n3": "ttl",  # Turtle is a subset of N3: a Turtle document is a valid answer.
    "ntriples": "nt",
    "n-triples": "nt",
    "rdf+xml": "rdfxml",
    "rdf": "rdfxml",
    "json-ld": "jsonld",
    "srj": "json",
    "srx": "xml",
}
# For CONSTRUCT/DESCRIBE, "xml" and "json" mean the RDF syntaxes (as in Fuseki and SPARQLWrapper).
_GRAPH_SYNONYMS = {"xml": "rdfxml", "json": "jsonld"}


def choose_format(
    offered: tuple[Format, ...], accept: str | None, formats: tuple[str, ...]
) -> Format:
    """Choose the response format from ``format=``/``output=`` values, else from ``Accept``.

    Each value may be a short name (``ttl``), a client's synonym (``turtle``, ``json-ld``), a
    media type, or a comma-separated list of these (SPARQLWrapper sends all of these). The first
    item that names an offered format wins; empty values are ignored.

    Raises:
        NotAcceptableError: if the values name no offered format, or nothing matches ``Accept``.
    """
    chosen = _choose_format(offered, accept, formats)
    if chosen is None:
        if _format_items(formats):
            raise NotAcceptableError(", ".join(formats), offered)
        raise NotAcceptableError(accept or "", offered)
    return chosen


@bounded_memo(REMEMBERED_HEADERS, REMEMBERED_BYTES)
def _choose_format(
    offered: tuple[Format, ...], accept: str | None, formats: tuple[str, ...]
) -> Format | None:
    """:func:`choose_format`, with ``None`` for "nothing acceptable"; remembered per input."""
    items = _format_items(formats)
    if not items:
        return _choose(offered, accept, None)
    for item in items:
        name = _FORMAT_SYNONYMS.get(item, item)
        if TURTLE in offered:
            name = _GRAPH_SYNONYMS.get(name, name)
        chosen = _choose(offered, None, name)
        if chosen is not None:
            return chosen
    return None


def _format_items(formats: tuple[str, ...]) -> list[str]:
    """The non-empty items of ``format=``/``output=`` values, lower case, without parameters."""
    items = [i.split(";")[0].strip().lower() for v in formats for i in v.split(",")]
    return [i for i in items if i]
