"""What the linked-data routes share: document formats, ``Link`` headers, RDF responses, the
embedded JSON-LD, IRI → local URL mapping and the "not found" page.

Kept apart from the routers so ``/doc``, ``/def`` and ``/shapes`` answer in exactly the same way.
"""

from collections.abc import Callable, Iterable

from fastapi import Request
from fastapi.responses import Response
from markupsafe import Markup
from pyoxigraph import Triple

from sousei_kg.http.errors import error_response
from sousei_kg.http.negotiation import prefers_html
from sousei_kg.http.pages import render
from sousei_kg.linked_data.describe import Labels, pick_label
from sousei_kg.linked_data.vocabulary import curie
from sousei_kg.namespaces import CANONICAL_BASE, ID
from sousei_kg.sparql.formats import HTML, JSON_LD, N_TRIPLES, RDF_XML, TURTLE, Format
from sousei_kg.sparql.graph_serialization import serialize_graph
from sousei_kg.web.html import LinkRewriter

#: Formats of a document, HTML first: a browser (or ``Accept: */*``) gets the page.
DOCUMENT_FORMATS: tuple[Format, ...] = (HTML, TURTLE, JSON_LD, N_TRIPLES, RDF_XML)
#: The extension of each document format in ``/doc/{path}.{ext}`` URLs.
EXTENSIONS: dict[str, Format] = {
    ".html": HTML,
    ".ttl": TURTLE,
    ".jsonld": JSON_LD,
    ".nt": N_TRIPLES,
    ".rdf": RDF_XML,
}
FORMAT_NAMES = {HTML: "HTML", TURTLE: "Turtle", JSON_LD: "JSON-LD", N_TRIPLES: "N-Triples"}
VOID_IN_DATASET = "http://rdfs.org/ns/void#inDataset"
# Canonical IRIs this server answers for; other IRIs under the base (graph IRIs, the
# vocabulary's version IRI) stay canonical in HTML links rather than lead to a 404.
_SERVED_PREFIXES = (ID, CANONICAL_BASE + "def#", CANONICAL_BASE + "shapes#")
_SERVED_DOCUMENTS = (CANONICAL_BASE + "def", CANONICAL_BASE + "shapes")


def split_extension(path: str) -> tuple[str, Format | None]:
    """``goal/2.ttl`` → (``goal/2``, Turtle); a path with no known extension is returned whole."""
    for extension, fmt in EXTENSIONS.items():
        if path.endswith(extension):
            return path.removesuffix(extension), fmt
    return path, None


def alternates(document_url: str) -> list[tuple[str, Format]]:
    """The extension URL of every format of a document, as (URL, format) pairs."""
    return [(document_url + ext, fmt) for ext, fmt in EXTENSIONS.items()]


def link_header(document_url: str, public_base: str) -> str:
    """``Link`` header of a document: each format as an alternate, and the dataset it is in."""
    links = [
        f'<{url}>; rel="alternate"; type="{fmt.media_type}"'
        for url, fmt in alternates(document_url)
    ]
    links.append(f'<{public_base}.well-known/void>; rel="{VOID_IN_DATASET}"')
    return ", ".join(links)


def format_name(fmt: Format) -> str:
    """A human name for a format (``RDF/XML``)."""
    return FORMAT_NAMES.get(fmt, "RDF/XML")


def rdf_response(triples: Iterable[Triple], fmt: Format, headers: dict[str, str]) -> Response:
    """Serialize triples with canonical IRIs (RDF is never rewritten to the local host)."""
    return Response(serialize_graph(triples, fmt), media_type=fmt.content_type, headers=headers)


def embedded_json_ld(triples: Iterable[Triple]) -> Markup:
    """JSON-LD safe to put inside ``<script type="application/ld+json">``.

    JSON allows ``<``, ``>`` and ``&`` only inside strings, where ``\\u003c`` etc. mean the same,
    so escaping them keeps the JSON equal while no ``</script>`` or ``<!--`` can end the element.
    """
    text = serialize_graph(triples, JSON_LD).decode("utf-8")
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escape)
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)  # noqa: S704 - every markup-significant character is escaped above


def href_for(public_base: str) -> Callable[[str], str]:
    """Map a canonical IRI to the URL a browser follows: this server for what it serves
    (``/id/…``, ``/def#…``, ``/shapes#…``), the IRI itself otherwise."""
    rewrite = LinkRewriter(public_base)

    def href(iri: str) -> str:
        served = iri.startswith(_SERVED_PREFIXES) or iri in _SERVED_DOCUMENTS
        return rewrite(iri) if served else iri

    return href


def labeller(labels: Labels, lang: str) -> Callable[[str], str]:
    """A template function naming an IRI in the page language (fallbacks: :func:`pick_label`,
    then a compact ``prefix:name`` for unlabelled vocabulary terms such as ``rdf:type``)."""

    def label(iri: str) -> str:
        name = pick_label(labels, iri, lang)
        return curie(iri) if name == iri else name

    return label


def not_found(request: Request, *, iri: str, lang: str, public_base: str) -> Response:
    """404 for an IRI nobody describes: a page with a search link for browsers, text otherwise."""
    if prefers_html(request.headers.get("accept")) or request.url.path.endswith(".html"):
        hint = iri.rstrip("/").rsplit("/", 1)[-1]
        return render(
            request,
            "not_found.html",
            lang=lang,
            public_base=public_base,
            status_code=404,
            iri=iri,
            hint=hint,
        )
    return error_response(
        404, f"nothing is known about <{iri}>; search by label at {public_base}search?q=…"
    )
