"""HTML pages as HTTP answers: the page language a request asks for, and a rendered template as
a response that varies on ``Accept`` and ``Accept-Language`` and carries the pages'
Content-Security-Policy (:mod:`sousei_kg.http.content_security`)."""

from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse

from sousei_kg.http.content_security import Sources, content_security_policy, page_policy
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
    csp: Sources | None = None,
    **context: Any,
) -> HTMLResponse:
    """Render a template (:func:`sousei_kg.web.html.render_page`) into an HTML response that
    varies on ``Accept`` and ``Accept-Language``.

    Its ``Content-Security-Policy`` is the pages' own; ``csp`` adds the sources a page needs
    beyond it (the editor's, for YASGUI)."""
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
    policy = content_security_policy(extra=csp) if csp else page_policy()
    response.headers["Content-Security-Policy"] = policy
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
