"""The query editor a browser gets at ``/sparql``: YASGUI, vendored under
``static/vendor/yasgui`` (``scripts/refresh-yasgui``), configured by ``static/editor.js`` from a
JSON block this module fills.

Nothing is loaded from outside the server: the endpoint is this server's ``/sparql``, the prefix
autocompletion reads ``/sparql-editor/prefixes.json`` here instead of prefix.cc, and the other
outside services YASGUI knows (LOV term lookup, URL shortener, public endpoints) are switched off
in the configuration. The named queries become example tabs, ready to run.

The page's Content-Security-Policy is the pages' own plus exactly what YASGUI 4.2.28 needs
(:data:`EDITOR_SOURCES`); it needs no inline script and no ``eval``.
"""

import json

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from markupsafe import Markup

from sousei_kg.http.content_security import Sources, sha256_source
from sousei_kg.http.deps import public_base
from sousei_kg.http.pages import page_language, render
from sousei_kg.named_queries.catalogue import catalog_for
from sousei_kg.namespaces import CANONICAL_BASE, KNOWN_PREFIXES

router = APIRouter(tags=["pages"])

EDITOR_PREFIXES: dict[str, str] = KNOWN_PREFIXES
"""Prefixes the editor pre-fills and autocompletes (``id:`` too: YASQE writes full IRIs for
slashed local names, so it does no harm there); the same an error for an undeclared prefix
offers (:data:`sousei_kg.namespaces.KNOWN_PREFIXES`)."""

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


YASGUI_STYLE_ELEMENTS = (
    # The table plugin's column resizer (YASR's "grip") adds this <style> to <head> when it
    # draws a result table ...
    " .grip-resizable{table-layout:fixed;} .grip-resizable > tbody > tr > td, .grip-resizable >"
    " tbody > tr > th{overflow:hidden} .grip-padding > tbody > tr > td, .grip-padding > tbody > tr"
    " > th{padding-left:0!important; padding-right:0!important;} .grip-container{ height:0px;"
    " position:relative;} .grip-handle{margin-left:-5px; position:absolute; z-index:5; }"
    " .grip-handle .grip-resizable{position:absolute;background-color:red;filter:alpha(opacity=1)"
    ";opacity:0;width:10px;height:100%;cursor: col-resize;top:0px} .grip-lastgrip{position:"
    "absolute; width:1px; } .grip-drag{ border-left:1px dotted black;\t} .grip-flex{width:auto!"
    "important;} .grip-handle.grip-disabledgrip .grip-resizable{cursor:default; display:none;}",
    # ... and this one while a column is dragged wider or narrower (its default dragCursor).
    "*{cursor:col-resize!important}",
)
"""The exact text of the ``<style>`` elements YASGUI's script creates (a style element created by
script is inline for CSP). Constant strings in ``yasgui.min.js``, so they are allowed by hash;
``tests/routes/test_editor_csp.py`` checks each is still in the vendored file."""

YASGUI_STYLE_ATTRIBUTES = (
    # YASQE's tooltip on a syntax error underlines the expected tokens with
    # <strong style='text-decoration:underline'> (the only style attribute in its markup).
    "text-decoration:underline",
)
"""The ``style`` attribute values YASGUI writes into markup (``innerHTML``), allowed by hash with
``'unsafe-hashes'`` in ``style-src-attr`` (CSP 3). A browser without ``style-src-attr`` falls back
to ``style-src`` and only drops the underline."""

EDITOR_SOURCES: Sources = {
    "style-src": [sha256_source(text) for text in YASGUI_STYLE_ELEMENTS],
    "style-src-attr": ["'unsafe-hashes'", *(sha256_source(a) for a in YASGUI_STYLE_ATTRIBUTES)],
    # The result table's sort arrows are data: PNGs in yasgui.min.css (DataTables).
    "img-src": ["data:"],
}
"""What the editor page allows beyond every page's policy: YASGUI's own inline styles, each by
its hash (never ``'unsafe-inline'``), and images from ``data:`` URLs."""


def script_json(value: object) -> Markup:
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
        csp=EDITOR_SOURCES,
        config=script_json(config),
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
