"""HTML rendering shared by every page: the Jinja environment (autoescaped), the page language
(``?lang=`` over ``Accept-Language``) and the rewriting of canonical IRIs to this server's URLs."""

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from sousei_kg.namespaces import CANONICAL_BASE

LANGUAGES = ("ja", "en")
TEMPLATES = Path(__file__).parent / "templates"


@lru_cache
def environment() -> Environment:
    """The Jinja environment: templates from the package, every value HTML-escaped."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "xml", "svg"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def page_language(request: Request) -> str:
    """``ja`` or ``en``: ``?lang=`` if given and known, else the best ``Accept-Language`` match,
    else Japanese (the language of the source)."""
    explicit = request.query_params.get("lang")
    if explicit in LANGUAGES:
        return explicit
    header = request.headers.get("accept-language", "")
    best, best_q = "ja", -1.0
    for part in header.split(","):
        pieces = part.strip().split(";")
        tag = pieces[0].strip().lower()
        q = 1.0
        for param in pieces[1:]:
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        primary = tag.split("-")[0]
        if primary in LANGUAGES and q > best_q:
            best, best_q = primary, q
    return best


@dataclass(frozen=True)
class LinkRewriter:
    """Maps canonical ``https://w3id.org/sousei-kg/…`` IRIs to this deployment's URLs, so a local
    server is browsable end to end. RDF keeps the canonical IRIs; only HTML links change."""

    public_base: str

    def __call__(self, iri: str) -> str:
        if iri.startswith(CANONICAL_BASE):
            return self.public_base + iri.removeprefix(CANONICAL_BASE)
        return iri


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
    """Render a template into an HTML response that varies on ``Accept-Language``.

    The template gets ``lang``, ``link`` (the IRI rewriter), ``base`` (the public base URL),
    ``path`` (this page's path), ``switch_to`` (language → URL of this page in it) and ``context``.
    """
    body = (
        environment()
        .get_template(template)
        .render(
            lang=lang,
            link=LinkRewriter(public_base),
            base=public_base,
            path=request.url.path,
            switch_to={code: language_switch_url(request, code) for code in LANGUAGES},
            **context,
        )
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
