"""``/id/{path}`` and ``/doc/{path}``: dereferenceable resource IRIs, per "Cool URIs for the
Semantic Web" (303 See Other from the thing to the document about it).

``https://w3id.org/sousei-kg/id/{path}`` is answered at ``/id/{path}`` on this host; the document
``/doc/{path}`` negotiates HTML and four RDF formats, and ``/doc/{path}.ttl`` etc. name one format
each. The RDF keeps canonical IRIs; only HTML links point at this server.
"""

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from sousei_kg.http.conditional import etag_for, not_modified, validators
from sousei_kg.http.deps import GraphDep, SettingsDep, public_base
from sousei_kg.http.negotiation import choose
from sousei_kg.http.pages import page_language, render
from sousei_kg.linked_data.describe import describe, exists, resource_view, vocabulary_labels
from sousei_kg.linked_data.logic_model import chain, is_chain_member
from sousei_kg.namespaces import ID
from sousei_kg.publication.catalogue_registry import describing_path
from sousei_kg.routes._documents import (
    DOCUMENT_FORMATS,
    alternates,
    embedded_json_ld,
    format_name,
    href_for,
    labeller,
    link_header,
    not_found,
    rdf_response,
    split_extension,
)
from sousei_kg.sparql.formats import HTML

router = APIRouter(tags=["linked data"])


@router.head("/id/{path:path}", include_in_schema=False, response_model=None)
@router.get(
    "/id/{path:path}",
    summary="A resource IRI: 303 See Other to the document describing it",
    response_model=None,
)
def resource(path: str, request: Request, graph: GraphDep, settings: SettingsDep) -> Response:
    """Redirect the IRI of a thing to its document, which is what can be sent over HTTP."""
    base = public_base(request, settings)
    iri = ID + path
    if (generated := describing_path(iri)) is not None:
        location = base + generated
    elif exists(graph.store, iri):
        location = f"{base}doc/{path}"
    else:
        return not_found(request, iri=iri, lang=page_language(request), public_base=base)
    if request.url.query:
        location += "?" + request.url.query
    return RedirectResponse(
        location,
        status_code=303,
        headers={"Link": f'<{location.split("?")[0]}>; rel="describedby"'},
    )


@router.head("/doc/{path:path}", include_in_schema=False, response_model=None)
@router.get(
    "/doc/{path:path}",
    summary="The document about a resource (HTML, Turtle, JSON-LD, N-Triples, RDF/XML)",
    response_model=None,
)
def document(
    path: str,
    request: Request,
    graph: GraphDep,
    settings: SettingsDep,
    format: str | None = None,
) -> Response:
    """Describe ``https://w3id.org/sousei-kg/id/{path}`` in the negotiated (or named) format.

    Raises:
        NotAcceptableError: if neither ``Accept`` nor ``format=`` names a format offered here
            (the app maps it to 406).
    """
    base = public_base(request, settings)
    lang = page_language(request)
    resource_path, fixed = split_extension(path)
    if fixed is not None and exists(graph.store, ID + path):
        resource_path, fixed = path, None  # an IRI that itself ends in ".ttl" wins
    iri = ID + resource_path
    if not exists(graph.store, iri):
        return not_found(request, iri=iri, lang=lang, public_base=base)
    fmt = fixed or choose(DOCUMENT_FORMATS, request.headers.get("accept"), format)
    document_url = f"{base}doc/{resource_path}"
    variant = [lang, base] if fmt is HTML else []
    etag = etag_for(graph, "doc", resource_path, fmt.key, *variant)
    headers = {**validators(graph, etag), "Link": link_header(document_url, base)}
    if fixed is None:
        if fmt is not HTML:  # render() sets Vary: Accept, Accept-Language itself
            headers["Vary"] = "Accept"
        headers["Content-Location"] = document_url + fmt.extension
    if (cached := not_modified(request, graph, etag)) is not None:
        cached.headers.update(headers)
        return cached
    triples = describe(graph.store, iri)
    if fmt is not HTML:
        return rdf_response(triples, fmt, headers)
    view = resource_view(graph.store, iri, triples)
    model = chain(graph.store, iri) if is_chain_member(view.types) else None
    labels = {**vocabulary_labels(graph.store), **(model.labels if model else {}), **view.labels}
    return render(
        request,
        "resource.html",
        lang=lang,
        public_base=base,
        headers=headers,
        iri=iri,
        view=view,
        chain=model,
        label=labeller(labels, lang),
        href=href_for(base),
        formats=[(url, format_name(f), f.media_type) for url, f in alternates(document_url)],
        json_ld=embedded_json_ld(triples),
    )
