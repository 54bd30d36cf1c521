"""``/ldes`` and ``/ldes/{n}``: the LDES change feed (:mod:`sousei_kg.publication.change_feed`).

``/ldes`` is the event stream with its view (where a client such as the TREEcg ``ldes-client``
starts); ``/ldes/{n}`` are its fragments, oldest first. Every fragment but the newest is full and
never changes, so it is sent ``immutable``; the newest is revalidated (``max-age`` of a few
seconds), so a client that polls it sees each write. Both are in the rate limit's pages class.
"""

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pyoxigraph import RdfFormat, Triple, serialize

from sousei_kg.http.conditional import etag_for, not_modified, validators
from sousei_kg.http.deps import GraphDep, SettingsDep, public_base
from sousei_kg.http.negotiation import choose
from sousei_kg.publication.change_feed import (
    FEED_PATH,
    PREFIXES,
    FeedUnavailableError,
    feed_index,
    page_triples,
    stream_triples,
)
from sousei_kg.sparql.formats import JSON_LD, N_TRIPLES, TURTLE, Format

router = APIRouter(tags=["harvesting"])

FEED_FORMATS: tuple[Format, ...] = (TURTLE, N_TRIPLES, JSON_LD)
IMMUTABLE = "public, max-age=31536000, immutable"
MUTABLE = "public, max-age=5"
MAX_PAGE_DIGITS = 9


def _answer(triples: list[Triple], fmt: Format, headers: dict[str, str]) -> Response:
    rdf_format = RdfFormat.from_media_type(fmt.media_type)
    assert rdf_format is not None  # noqa: S101 (every offered format is an RDF format)
    prefixes = PREFIXES if rdf_format == RdfFormat.TURTLE else None
    body = serialize(triples, format=rdf_format, prefixes=prefixes) or b""
    return Response(body, media_type=fmt.content_type, headers=headers)


@router.get("/" + FEED_PATH, summary="The LDES change feed: the event stream", response_model=None)
@router.head("/" + FEED_PATH, include_in_schema=False, response_model=None)
def stream(request: Request, graph: GraphDep, settings: SettingsDep) -> Response:
    """The ``ldes:EventStream``: its version and timestamp paths and its view.

    Raises:
        FeedUnavailableError: on the remote backend (404).
    """
    feed_index(graph, settings.store, settings.backend == "remote")
    fmt = choose(FEED_FORMATS, request.headers.get("accept"))
    base = public_base(request, settings)
    etag = etag_for(graph, "/" + FEED_PATH, fmt.key, base)
    headers = {**validators(graph, etag), "Vary": "Accept", "Cache-Control": "public, max-age=60"}
    if (cached := not_modified(request, graph, etag)) is not None:
        cached.headers.update(headers)
        return cached
    return _answer(stream_triples(base), fmt, headers)


@router.get(
    "/" + FEED_PATH + "/{page}",
    summary="One fragment of the LDES change feed (0 is the oldest)",
    response_model=None,
)
@router.head("/" + FEED_PATH + "/{page}", include_in_schema=False, response_model=None)
def fragment(page: str, request: Request, graph: GraphDep, settings: SettingsDep) -> Response:
    """Members ``page*100`` to ``page*100+99``, with the relation to the next fragment.

    Raises:
        FeedUnavailableError: on the remote backend, or past the last fragment (404).
    """
    if not page.isdigit() or len(page) > MAX_PAGE_DIGITS:
        raise FeedUnavailableError(f"{page[:40]!r} is not a fragment number")
    number = int(page)
    index = feed_index(graph, settings.store, settings.backend == "remote")
    fmt = choose(FEED_FORMATS, request.headers.get("accept"))
    base = public_base(request, settings)
    full = number < index.pages - 1
    etag = etag_for(graph, f"/{FEED_PATH}/{number}", fmt.key, base)
    headers = {
        **validators(graph, etag),
        "Vary": "Accept",
        "Cache-Control": IMMUTABLE if full else MUTABLE,
    }
    if (cached := not_modified(request, graph, etag)) is not None:
        cached.headers.update(headers)
        return cached
    triples = page_triples(index, settings.store, base, number)
    return _answer(triples, fmt, headers)
