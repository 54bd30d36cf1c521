"""``/docs``: the API explorer, Swagger UI served from this server (vendored under
``static/vendor/swagger-ui`` by ``scripts/refresh-swagger-ui``), so it works offline and tells no
third party who reads it.

FastAPI's own ``/docs`` loads Swagger UI from a CDN and starts it with an inline script; this page
loads the vendored files and starts it with ``static/api-docs.js``, reading the OpenAPI URL from a
JSON data block, so its Content-Security-Policy allows no inline script and nothing from outside:
the pages' policy plus exactly what Swagger UI needs (:data:`API_DOCS_SOURCES`). ``/redoc``, which
FastAPI also served from a CDN, now leads here.
"""

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from sousei_kg.http.content_security import Sources
from sousei_kg.http.deps import SettingsDep, public_base
from sousei_kg.http.pages import page_language, render
from sousei_kg.routes.editor import script_json

router = APIRouter(tags=["pages"])

API_DOCS_SOURCES: Sources = {
    # Swagger UI's stylesheet draws its icons (arrows, locks, the copy button) as data: SVGs.
    "img-src": ["data:"],
}
"""What the explorer page allows beyond every page's policy."""


@router.get("/docs", include_in_schema=False)
def api_explorer(request: Request, settings: SettingsDep) -> Response:
    """Swagger UI over this server's OpenAPI document; "Try it out" calls this server."""
    base = public_base(request, settings)
    lang = page_language(request)
    config = {"url": base + request.app.openapi_url.lstrip("/")}
    response = render(
        request,
        "api-docs.html",
        lang=lang,
        public_base=base,
        csp=API_DOCS_SOURCES,
        config=script_json(config),
    )
    response.headers["Cache-Control"] = "no-cache"
    return response


@router.get("/redoc", include_in_schema=False)
def redoc() -> Response:
    """The other explorer FastAPI served (from a CDN): the one here answers instead."""
    return RedirectResponse("/docs", status_code=301)
