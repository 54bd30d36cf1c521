"""What the landing page ``/`` tells harvesters: where the dataset's descriptions are.

Every answer of ``/`` (the page, a 304, a redirect) carries ``Link`` headers (RFC 8288) with
``rel="describedby"`` to the VoID description, the DCAT catalogue and the SPARQL service
description, so a crawler that only fetches ``/`` finds all three. A client that asks ``/`` for
RDF (``Accept: text/turtle``…) is sent with 303 See Other to the DCAT description (``/dataset``,
which negotiates the same formats) instead of getting the HTML page.
"""

from sousei_kg.http.negotiation import NotAcceptableError, choose
from sousei_kg.sparql.formats import DATASET_FORMATS, GRAPH_FORMATS, HTML, TURTLE, Format

DESCRIPTIONS = (".well-known/void", "dataset", "sparql")
"""VoID, DCAT and the service description (a bare GET of the endpoint), relative to the base."""

_RDF_ONLY = tuple(
    Format(f.key, f.media_type, f.extension) for f in (*GRAPH_FORMATS, *DATASET_FORMATS)
)
"""RDF syntaxes by their own media types only: ``application/json`` and ``application/xml``
(aliases of JSON-LD and RDF/XML elsewhere) ask for no RDF here."""


def describedby_links(base: str) -> str:
    """The ``Link`` header value naming the three descriptions, each as Turtle."""
    return ", ".join(
        f'<{base}{path}>; rel="describedby"; type="{TURTLE.media_type}"' for path in DESCRIPTIONS
    )


def asks_for_rdf(accept: str | None) -> bool:
    """Whether ``Accept`` prefers an RDF syntax to HTML (HTML wins ties and ``*/*``)."""
    try:
        return choose((HTML, *_RDF_ONLY), accept) is not HTML
    except NotAcceptableError:
        return False
