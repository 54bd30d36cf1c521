"""Headers every answer carries so that a browser treats it as what it is.

* ``X-Content-Type-Options: nosniff`` on every answer: a browser never guesses a type other than
  the one declared (a CSV or a SPARQL result holding markup is never run as HTML or script).
* On an HTML answer, ``X-Frame-Options: DENY`` (``frame-ancestors 'none'`` for browsers older
  than CSP 2), and a Content-Security-Policy if the answer has none of its own: pages rendered by
  :func:`sousei_kg.http.pages.render` carry theirs; anything else that is HTML gets the pages'
  policy, so no HTML leaves the server without one. A standalone SVG drawing, a document that
  could hold script, gets a policy that loads and runs nothing.

A pure ASGI middleware that only edits the ``http.response.start`` message (it never buffers or
re-wraps a body), placed by ``create_app`` outside every other layer, Starlette's own
server-error answer included, so the protection's refusals, the response cache's replays, static
files and the 500 of an unexpected error all pass through it.
"""

from starlette.types import Scope

from sousei_kg.http.content_security import page_policy, svg_policy
from sousei_kg.http.header_layer import HeaderLayer, Headers

NOSNIFF = (b"x-content-type-options", b"nosniff")
FRAME_DENY = (b"x-frame-options", b"DENY")
CSP = b"content-security-policy"


def _document_kind(headers: Headers) -> bytes | None:
    """``b"text/html"`` or ``b"image/svg+xml"`` when the answer is such a document, else None."""
    for name, value in headers:
        if name.lower() == b"content-type":
            media = value.split(b";", 1)[0].strip().lower()
            return media if media in (b"text/html", b"image/svg+xml") else None
    return None


def secured(headers: Headers) -> Headers:
    """``headers`` with ``nosniff``, and for HTML ``X-Frame-Options`` and (unless the answer set
    its own) the fallback Content-Security-Policy."""
    result = [(n, v) for n, v in headers if n.lower() != NOSNIFF[0]]
    result.append(NOSNIFF)
    kind = _document_kind(result)
    if kind is None:
        return result
    if kind == b"text/html" and not any(n.lower() == FRAME_DENY[0] for n, _ in result):
        result.append(FRAME_DENY)
    if not any(n.lower() == CSP for n, _ in result):
        policy = page_policy() if kind == b"text/html" else svg_policy()
        result.append((CSP, policy.encode("ascii")))
    return result


class SecurityHeadersMiddleware(HeaderLayer):
    """Adds the headers above to every HTTP answer of ``app``: every HTML answer has a policy,
    the API explorer (``/docs``, Swagger UI served from here) its own."""

    def headers_for(self, scope: Scope, headers: Headers) -> Headers:  # noqa: ARG002
        return secured(headers)
