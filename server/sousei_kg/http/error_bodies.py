"""How an error answer is written, chosen from the client's ``Accept`` when the answer is sent.

:mod:`sousei_kg.http.errors` decides *what* an error says (status, message, details); this module
writes it in the form the client reads best:

- **RFC 9457 problem details** (``application/problem+json``) when ``Accept`` names JSON
  explicitly: ``application/problem+json``, or ``application/json`` from a client that names no
  SPARQL results or RDF format. SPARQLWrapper asks for SPARQL JSON results with
  ``application/sparql-results+json,application/json,…`` and YASGUI with
  ``application/sparql-results+json,*/*;q=0.9``: both name a results format, so both get text,
  which they show as it is (SPARQLWrapper puts the body in its exception). A client that accepts
  only ``application/json`` gets the same document as ``application/json``.
- **an HTML page** for a browser (``Accept`` prefers ``text/html``), in the page language, with the
  pages' Content-Security-Policy.
- **plain text** otherwise (``*/*``, curl, pandas, httpx): ``<status> <reason>: <message>`` on the
  first line, so the first line alone says what is wrong; details (the offending line of a query
  with a caret, the parser's own message) follow after a blank line.

Why at send time: an error is often built far from the request (a worker's refusal, a parameter
check), and the one place that sees every answer with its request is the answer itself
(:class:`ErrorResponse` reads ``Accept`` from the ASGI scope when it is sent). So every error of
the map is negotiated, and no call site needs the request.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Literal

import mimeparse
from fastapi import Request
from fastapi.responses import Response
from starlette.types import Receive, Scope, Send

from sousei_kg.http.deps import public_base
from sousei_kg.http.pages import page_language, render
from sousei_kg.sparql.formats import DATASET_FORMATS, GRAPH_FORMATS, RESULT_FORMATS

ErrorFormat = Literal["text", "problem", "html"]

PROBLEM_JSON = "application/problem+json"
_DATA_MEDIA = frozenset(f.media_type for f in (*RESULT_FORMATS, *GRAPH_FORMATS, *DATASET_FORMATS))
"""SPARQL results and RDF media types: a client naming one is a SPARQL or RDF client."""


def _ranges(accept: str) -> dict[str, float]:
    """``Accept`` as media type → q (the highest given), wildcards included."""
    ranges: dict[str, float] = {}
    for part in accept.split(","):
        if not part.strip():
            continue
        try:
            main, sub, params = mimeparse.parse_media_range(part)
        except (mimeparse.MimeTypeParseException, ValueError, IndexError):
            continue
        try:
            q = float(params.get("q", "1"))
        except ValueError:
            q = 0.0
        media = f"{main}/{sub}".lower()
        ranges[media] = max(q, ranges.get(media, 0.0))
    return ranges


def error_format(accept: str | None) -> ErrorFormat:
    """Which form an error answer takes for this ``Accept`` (see the module docstring)."""
    if not accept:
        return "text"
    ranges = _ranges(accept)
    if ranges.get(PROBLEM_JSON, 0) > 0:
        return "problem"
    data_client = any(ranges.get(media, 0) > 0 for media in _DATA_MEDIA)
    if ranges.get("application/json", 0) > 0 and not data_client:
        return "problem"
    html = max(ranges.get("text/html", 0), ranges.get("application/xhtml+xml", 0))
    if html > 0 and html >= max((q for m, q in ranges.items() if m in _DATA_MEDIA), default=0):
        return "html"
    return "text"


def problem_media_type(accept: str | None) -> str:
    """``application/problem+json`` unless the client accepts only ``application/json``."""
    ranges = _ranges(accept or "")
    accepted = (PROBLEM_JSON, "application/*", "*/*")
    return PROBLEM_JSON if any(ranges.get(m, 0) > 0 for m in accepted) else "application/json"


@dataclass(frozen=True)
class ErrorDetails:
    """What an error answer says, whatever its form.

    Attributes:
        status: the HTTP status.
        message: what is wrong and what to do: the text's first line, the problem's ``detail``.
        more: further lines for people (a query's offending line with a caret, the parser's
            message), after a blank line in text, in a ``<pre>`` in HTML.
        problem_type: the problem's ``type`` (``about:blank``: nothing beyond the status).
        title: the problem's ``title`` (the status phrase for ``about:blank``).
        members: extension members of the problem document (``line``, ``column``…).
    """

    status: int
    message: str
    more: str = ""
    problem_type: str = "about:blank"
    title: str | None = None
    members: Mapping[str, object] = field(default_factory=dict)

    @property
    def phrase(self) -> str:
        return HTTPStatus(self.status).phrase

    def text(self) -> str:
        body = f"{self.status} {self.phrase}: {self.message}\n"
        return body + (f"\n{self.more.rstrip()}\n" if self.more else "")

    def problem(self) -> bytes:
        document: dict[str, object] = {
            "type": self.problem_type,
            "title": self.title or self.phrase,
            "status": self.status,
            "detail": self.message,
            **self.members,
        }
        return json.dumps(document, ensure_ascii=False).encode("utf-8")


class ErrorResponse(Response):
    """An error answer, written as text, problem details or a page when it is sent.

    Its body is the text form until then, so code that reads ``body`` before sending sees what a
    plain client gets.
    """

    media_type = "text/plain"

    def __init__(self, details: ErrorDetails, headers: Mapping[str, str] | None = None) -> None:
        self.details = details
        self.extra_headers = dict(headers or {})
        super().__init__(details.text(), details.status, headers=self.extra_headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        accept = request.headers.get("accept")
        form = error_format(accept)
        if form == "problem":
            self._replace(self.details.problem(), problem_media_type(accept))
        elif form == "html" and "app" in scope:
            page = self._page(request)
            self._replace(bytes(page.body), "text/html; charset=utf-8", page.headers)
        await super().__call__(scope, receive, send)

    def _page(self, request: Request) -> Response:
        settings = request.app.state.settings
        lang = page_language(request)
        return render(
            request,
            "error.html",
            lang=lang,
            public_base=public_base(request, settings),
            status_code=self.details.status,
            status=self.details.status,
            phrase=self.details.phrase,
            message=self.details.message,
            more=self.details.more,
        )

    def _replace(
        self, body: bytes, media_type: str, page_headers: Mapping[str, str] | None = None
    ) -> None:
        """Swap the body and its type, keeping every header given (``Allow``, ``Retry-After``…)
        and adding the page's own (its policy, ``Content-Language``, ``Vary``)."""
        self.body = body
        kept = [
            (name, value)
            for name, value in self.raw_headers
            if name not in (b"content-length", b"content-type")
        ]
        added: list[tuple[bytes, bytes]] = []
        for name, value in (page_headers or {}).items():
            lower = name.lower().encode("latin-1")
            if lower in (b"content-length", b"content-type", b"vary"):
                continue
            if not any(existing == lower for existing, _ in kept):
                added.append((lower, value.encode("latin-1")))
        self.raw_headers = [
            *kept,
            *added,
            (b"content-type", media_type.encode("latin-1")),
            (b"content-length", str(len(body)).encode("latin-1")),
        ]
        if page_headers is not None:  # a page varies on the language too
            self._add_vary("Accept-Language")

    def _add_vary(self, name: str) -> None:
        vary = [v for v in self.raw_headers if v[0] == b"vary"]
        if not vary:
            self.raw_headers.append((b"vary", name.encode("latin-1")))
            return
        values = [p.strip() for p in vary[0][1].decode("latin-1").split(",")]
        if name.lower() not in (v.lower() for v in values):
            values.append(name)
        self.raw_headers = [h for h in self.raw_headers if h[0] != b"vary"]
        self.raw_headers.append((b"vary", ", ".join(values).encode("latin-1")))
