"""``/fragments``: Triple Pattern Fragments, with the ``graph`` of Quad Pattern Fragments
(:mod:`sousei_kg.publication.fragments`).

Read without SPARQL: a client (Comunica, or a crawler) asks for the triples matching one pattern,
a page at a time, and follows the ``hydra:search`` form and the ``hydra:next`` links. Each page
depends only on the request and the dataset version, so it carries a strong ``ETag`` (and the
response cache replays it); the path is in the rate limit's cheap "pages" class.
"""

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pyoxigraph import RdfFormat

from sousei_kg.http.conditional import etag_for, not_modified, validators
from sousei_kg.http.deps import GraphDep, SettingsDep, public_base
from sousei_kg.http.negotiation import choose
from sousei_kg.publication.fragment_pattern import read_pattern
from sousei_kg.publication.fragments import FRAGMENTS_PATH, fragment, page_quads, serialize_page
from sousei_kg.sparql.formats import JSON_LD, N_QUADS, N_TRIPLES, TRIG, TURTLE, Format

router = APIRouter(tags=["harvesting"])

FRAGMENT_FORMATS: tuple[Format, ...] = (TRIG, TURTLE, N_TRIPLES, JSON_LD, N_QUADS)
"""What a page is written in, by ``Accept`` (TriG by default: it keeps the graphs and sets the
controls apart from the data)."""

CACHE_CONTROL = "public, max-age=300"
"""Pages change only with the dataset version; the ETag revalidates them after that."""


@router.get(
    "/" + FRAGMENTS_PATH,
    summary="Triple (Quad) Pattern Fragments: the triples matching one pattern, a page at a time",
    response_model=None,
)
@router.head("/" + FRAGMENTS_PATH, include_in_schema=False, response_model=None)
def fragments(request: Request, graph: GraphDep, settings: SettingsDep) -> Response:
    """One page of the fragment of ``subject``, ``predicate``, ``object`` (each optional; an IRI
    as it is, a literal as ``"text"@lang`` or ``"text"^^datatype``) in ``graph`` (optional: every
    named graph; ``https://w3id.org/sousei-kg/graph/union``: their union as the default graph).

    Raises:
        FragmentRequestError: a malformed parameter (400).
        FragmentPageNotFoundError: a page past the last one (404).
        NotAcceptableError: no offered format matches ``Accept`` (406).
    """
    params: dict[str, list[str]] = {}
    for name, value in request.query_params.multi_items():
        params.setdefault(name, []).append(value)
    pattern = read_pattern(params)
    fmt = choose(FRAGMENT_FORMATS, request.headers.get("accept"))
    base = public_base(request, settings)
    query = request.url.query
    requested = base + FRAGMENTS_PATH + ("?" + query if query else "")
    etag = etag_for(graph, "/" + FRAGMENTS_PATH, fmt.key, requested)
    headers = {**validators(graph, etag), "Vary": "Accept", "Cache-Control": CACHE_CONTROL}
    if (cached := not_modified(request, graph, etag)) is not None:
        cached.headers.update(headers)
        return cached
    rdf_format = RdfFormat.from_media_type(fmt.media_type)
    assert rdf_format is not None  # noqa: S101 (every offered format is an RDF format)
    quads = page_quads(
        fragment(graph, pattern), pattern, base, requested, quads=rdf_format.supports_datasets
    )
    return Response(serialize_page(quads, rdf_format), media_type=fmt.content_type, headers=headers)
