"""``/search?q=``: find resources by label, as an HTML page or JSON (negotiated or ``format=json``).

The search text reaches SPARQL only as a bound literal (see
:mod:`sousei_kg.linked_data.label_search`).
"""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from sousei_kg.http.deps import GraphDep, SettingsDep, public_base
from sousei_kg.http.negotiation import choose
from sousei_kg.http.pages import page_language, render
from sousei_kg.linked_data.describe import vocabulary_labels
from sousei_kg.linked_data.label_search import LIMIT, search
from sousei_kg.routes._documents import href_for, labeller
from sousei_kg.sparql.formats import HTML, Format
from sousei_kg.web.kpi_explorer import LEVEL_LABELS

SEARCH_JSON = Format("json", "application/json", ".json")
SEARCH_FORMATS: tuple[Format, ...] = (HTML, SEARCH_JSON)

router = APIRouter(tags=["linked data"])


@router.head("/search", include_in_schema=False, response_model=None)
@router.get(
    "/search",
    summary="Find resources by label (ja or en, case-insensitive substring)",
    response_model=None,
)
def search_labels(
    request: Request,
    graph: GraphDep,
    settings: SettingsDep,
    q: str = "",
    format: str | None = None,
) -> Response:
    """Search ``skos:prefLabel``, ``rdfs:label`` and ``skos:altLabel`` for ``q``.

    An empty ``q`` gives the search form (HTML) or a 400 with a message (JSON).

    Raises:
        NotAcceptableError: if neither HTML nor JSON is acceptable (406).
    """
    fmt = choose(SEARCH_FORMATS, request.headers.get("accept"), format)
    base = public_base(request, settings)
    lang = page_language(request)
    href = href_for(base)
    vary = {"Vary": "Accept, Accept-Language"}
    text = q.strip()
    if fmt is SEARCH_JSON:
        if not text:
            return JSONResponse(
                {"error": "the parameter q (the text to search for) is empty"},
                status_code=400,
                headers=vary,
            )
        found = search(graph, text)
        body: dict[str, Any] = {
            "query": found.query,
            "limit": LIMIT,
            "truncated": found.truncated,
            "count": len(found.hits),
            "results": [
                {
                    "iri": hit.iri,
                    "url": href(hit.iri),
                    "labels": {k: v for k, v in hit.labels.items() if k in ("ja", "en")},
                    "types": list(hit.types),
                    # Our confidence in each label we curated (issue 17); none: the summary's.
                    "labelConfidence": hit.confidence,
                }
                for hit in found.hits
            ],
        }
        return JSONResponse(body, headers=vary)
    result = search(graph, text) if text else None
    return render(
        request,
        "search.html",
        lang=lang,
        public_base=base,
        q=text,
        result=result,
        limit=LIMIT,
        label=labeller(vocabulary_labels(graph.store), lang),
        href=href,
        levels=LEVEL_LABELS,
    )
