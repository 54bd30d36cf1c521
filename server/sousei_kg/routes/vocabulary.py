"""``/def`` (the vocabulary) and ``/shapes`` (the SHACL shapes), content-negotiated.

Terms are hash IRIs (``https://w3id.org/sousei-kg/def#Measure``), so the document is the
vocabulary itself: the HTML page has one anchored entry per term, and the RDF formats carry the
whole named graph (graph/ontology or graph/shapes), with its canonical IRIs.
"""

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from sousei_kg.http.conditional import etag_for, not_modified, validators
from sousei_kg.http.deps import GraphDep, SettingsDep, public_base
from sousei_kg.http.negotiation import choose
from sousei_kg.http.pages import page_language, render
from sousei_kg.linked_data.describe import labels_of, vocabulary_labels
from sousei_kg.linked_data.vocabulary import curie, ontology_docs, shapes_docs
from sousei_kg.routes._documents import (
    DOCUMENT_FORMATS,
    EXTENSIONS,
    alternates,
    format_name,
    href_for,
    labeller,
    link_header,
    rdf_response,
)
from sousei_kg.sparql.formats import HTML, Format

router = APIRouter(tags=["linked data"])


def _fixed_format(extension: str) -> Format:
    fmt = EXTENSIONS.get("." + extension)
    if fmt is None:
        raise HTTPException(404, f"no format .{extension}; try {', '.join(EXTENSIONS)}")
    return fmt


def _graph_document(
    name: str,
    request: Request,
    graph: GraphDep,
    settings: SettingsDep,
    fixed: Format | None,
    format_param: str | None,
) -> Response:
    """Answer ``/def`` or ``/shapes`` (``name``) in the negotiated or fixed format."""
    base = public_base(request, settings)
    lang = page_language(request)
    fmt = fixed or choose(DOCUMENT_FORMATS, request.headers.get("accept"), format_param)
    document_url = base + name
    variant = [lang, base] if fmt is HTML else []
    etag = etag_for(graph, name, fmt.key, *variant)
    headers = {**validators(graph, etag), "Link": link_header(document_url, base)}
    if fixed is None:
        if fmt is not HTML:  # render() sets Vary: Accept, Accept-Language itself
            headers["Vary"] = "Accept"
        headers["Content-Location"] = document_url + fmt.extension
    if (cached := not_modified(request, graph, etag)) is not None:
        cached.headers.update(headers)
        return cached
    triples, sections = (ontology_docs if name == "def" else shapes_docs)(graph.store)
    if fmt is not HTML:
        return rdf_response(triples, fmt, headers)
    labels = {**labels_of(triples), **vocabulary_labels(graph.store)}
    return render(
        request,
        "vocabulary.html",
        lang=lang,
        public_base=base,
        headers=headers,
        name=name,
        sections=sections,
        triple_count=len(triples),
        label=labeller(labels, lang),
        href=href_for(base),
        curie=curie,
        formats=[(url, format_name(f), f.media_type) for url, f in alternates(document_url)],
    )


@router.head("/def", include_in_schema=False, response_model=None)
@router.get(
    "/def",
    summary="The sousei vocabulary (HTML, Turtle, JSON-LD, N-Triples, RDF/XML)",
    response_model=None,
)
def vocabulary(
    request: Request, graph: GraphDep, settings: SettingsDep, format: str | None = None
) -> Response:
    """Every class, property and concept of graph/ontology.

    Raises:
        NotAcceptableError: if no offered format is acceptable (406).
    """
    return _graph_document("def", request, graph, settings, None, format)


@router.head("/def.{extension}", include_in_schema=False, response_model=None)
@router.get(
    "/def.{extension}",
    summary="The vocabulary in one format",
    response_model=None,
)
def vocabulary_as(
    extension: str, request: Request, graph: GraphDep, settings: SettingsDep
) -> Response:
    """``/def.ttl``, ``/def.jsonld``, ``/def.nt``, ``/def.rdf``, ``/def.html``.

    Raises:
        HTTPException: 404 for an unknown extension.
    """
    return _graph_document("def", request, graph, settings, _fixed_format(extension), None)


@router.head("/shapes", include_in_schema=False, response_model=None)
@router.get(
    "/shapes",
    summary="The SHACL shapes (HTML, Turtle, JSON-LD, N-Triples, RDF/XML)",
    response_model=None,
)
def shapes(
    request: Request, graph: GraphDep, settings: SettingsDep, format: str | None = None
) -> Response:
    """Every shape of graph/shapes with its messages.

    Raises:
        NotAcceptableError: if no offered format is acceptable (406).
    """
    return _graph_document("shapes", request, graph, settings, None, format)


@router.head("/shapes.{extension}", include_in_schema=False, response_model=None)
@router.get(
    "/shapes.{extension}",
    summary="The shapes in one format",
    response_model=None,
)
def shapes_as(extension: str, request: Request, graph: GraphDep, settings: SettingsDep) -> Response:
    """``/shapes.ttl`` and the other extensions.

    Raises:
        HTTPException: 404 for an unknown extension.
    """
    return _graph_document("shapes", request, graph, settings, _fixed_format(extension), None)
