"""The query editor a browser gets at ``/sparql``: YASGUI, vendored under
``static/vendor/yasgui`` (``scripts/refresh-yasgui``), configured by ``static/editor.js`` from a
JSON block this module fills.

Nothing is loaded from outside the server: the endpoint is this server's ``/sparql``, the prefix
autocompletion reads ``/sparql-editor/prefixes.json`` here instead of prefix.cc, and the other
outside services YASGUI knows (LOV term lookup, URL shortener, public endpoints) are switched off
in the configuration. The named queries become example tabs, ready to run.
"""

import json

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from markupsafe import Markup

from sousei_kg.http.deps import public_base
from sousei_kg.http.pages import page_language, render
from sousei_kg.named_queries.catalogue import catalog_for
from sousei_kg.namespaces import CANONICAL_BASE, ID, PREFIXES

router = APIRouter(tags=["pages"])

EDITOR_PREFIXES: dict[str, str] = {**PREFIXES, "id": ID}
"""Prefixes the editor pre-fills and autocompletes (``id:`` too: YASQE writes full IRIs for
slashed local names, so it does no harm there)."""

STARTER_QUERY = """\
PREFIX sousei: <https://w3id.org/sousei-kg/def#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
# The three policy goals and their KPIs.
SELECT ?goal ?goalLabel ?kpi ?kpiLabel WHERE {
  ?goal a sousei:PolicyGoal ; skos:prefLabel ?goalLabel ; sousei:hasKPI ?kpi .
  ?kpi skos:prefLabel ?kpiLabel .
  FILTER(LANG(?goalLabel) = LANG(?kpiLabel))
} ORDER BY ?goal ?goalLabel
"""


def _script_json(value: object) -> Markup:
    """JSON safe inside ``<script type="application/json">`` (``<``, ``>``, ``&`` escaped)."""
    text = json.dumps(value, ensure_ascii=False)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escape)
    return Markup(text)  # noqa: S704 - every markup-significant character is escaped above


def editor_page(request: Request, endpoint: str) -> Response:
    """The YASGUI page for ``request``, querying ``endpoint`` (this server's ``/sparql``)."""
    settings = request.app.state.settings
    base = public_base(request, settings)
    lang = page_language(request)
    catalog = catalog_for(settings.resources)
    tabs = [{"name": "goals-and-kpis", "title": "", "query": STARTER_QUERY}]
    tabs += [{"name": q.name, "title": q.summary, "query": q.text} for q in catalog]
    config = {
        "endpoint": endpoint,
        "canonicalBase": CANONICAL_BASE,
        "localBase": base,
        "prefixes": EDITOR_PREFIXES,
        "prefixesUrl": base + "sparql-editor/prefixes.json",
        "tabs": tabs,
        "lang": lang,
    }
    response = render(
        request,
        "editor.html",
        lang=lang,
        public_base=base,
        config=_script_json(config),
        queries=list(catalog),
    )
    response.headers["Cache-Control"] = "no-cache"
    return response


@router.get(
    "/sparql-editor/prefixes.json",
    summary="The prefixes the query editor autocompletes (in place of prefix.cc)",
)
def editor_prefixes() -> JSONResponse:
    """``{prefix: namespace IRI}``, the format YASQE's prefix autocompleter reads."""
    return JSONResponse(EDITOR_PREFIXES, headers={"Cache-Control": "max-age=3600"})
