"""HTML pages as HTTP answers: the page language a request asks for, and a rendered template as
a response that varies on ``Accept`` and ``Accept-Language``."""

from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse

from sousei_kg.web.html import LANGUAGES, choose_language, render_page


def page_language(request: Request) -> str:
    """``ja`` or ``en``: ``?lang=`` if given and known, else the best ``Accept-Language`` match,
    else Japanese (the language of the source)."""
    return choose_language(request.query_params.get("lang"), request.headers.get("accept-language"))


def render(
    request: Request,
    template: str,
    *,
    lang: str,
    public_base: str,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """Render a template (:func:`sousei_kg.web.html.render_page`) into an HTML response that
    varies on ``Accept`` and ``Accept-Language``."""
    body = render_page(
        template,
        lang=lang,
        public_base=public_base,
        path=request.url.path,
        switch_to={code: language_switch_url(request, code) for code in LANGUAGES},
        **context,
    )
    response = HTMLResponse(body, status_code=status_code, headers=headers)
    response.headers["Content-Language"] = lang
    vary = [v.strip() for v in response.headers.get("Vary", "").split(",") if v.strip()]
    for name in ("Accept", "Accept-Language"):
        if name.lower() not in (v.lower() for v in vary):
            vary.append(name)
    response.headers["Vary"] = ", ".join(vary)
    return response


def language_switch_url(request: Request, lang: str) -> str:
    """This page's path and query with ``lang`` set, so switching language keeps the page (and
    its search terms or parameters)."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    params.append(("lang", lang))
    return request.url.path + "?" + urlencode(params)
