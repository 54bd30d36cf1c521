"""The Content-Security-Policy of our pages: what a page may load and run.

Every page is served with a policy that allows only this server's own scripts, stylesheets,
images and connections (``'self'``), no plugins, no ``<base>``, no framing by other sites and
forms that submit only here. Nothing inline may run: our templates hold no inline script (the
``<script type="application/json">`` and ``application/ld+json`` blocks are data blocks, which a
browser never executes and CSP therefore does not govern), and the few inline styles that exist
are allowed by the SHA-256 hash of their exact text, never by ``'unsafe-inline'``.

Why hashes and not per-response nonces: a nonce in a page's body makes every answer different,
which breaks the strong ``ETag`` each page carries (RFC 9110 §8.8.1) and would let the response
cache replay one nonce to many clients. The inline styles we allow are constant texts, so their
hashes are constant too, and the policy is the same for every answer of a page. Nonces remain
available (:func:`new_nonce`) for a page whose inline content is generated per response, such as
a documentation page whose set-up script carries its configuration: give
:func:`content_security_policy` the nonce and the extra sources that page needs, and put the
same nonce on its ``<script>`` element.
"""

import base64
import hashlib
import secrets
from collections.abc import Mapping, Sequence
from functools import lru_cache

from sousei_kg.web.html import inline_styles

Sources = Mapping[str, Sequence[str]]
"""Extra sources per directive (``{"img-src": ["data:"]}``), added to the base policy."""

BASE_POLICY: Mapping[str, tuple[str, ...]] = {
    # Everything not named below: this server only.
    "default-src": ("'self'",),
    # Our scripts and YASGUI's, all files under /static; no inline script, no eval.
    "script-src": ("'self'",),
    # Our stylesheets; inline styles only by hash (see the module docstring).
    "style-src": ("'self'",),
    "img-src": ("'self'",),
    # No <object>/<embed>: nothing needs a plugin, and they can run script.
    "object-src": ("'none'",),
    # No page uses <base>; forbidding it stops an injected one redirecting relative URLs.
    "base-uri": ("'none'",),
    # No other site may frame our pages (clickjacking); X-Frame-Options says it to old browsers.
    "frame-ancestors": ("'none'",),
    # Our forms (search, KPI chooser, named-query parameters) submit to this server only.
    "form-action": ("'self'",),
}
"""The policy every page starts from."""

SVG_POLICY_BASE: Mapping[str, tuple[str, ...]] = {"default-src": ("'none'",)}
"""A standalone SVG drawing (``/logic-model.svg``) loads nothing and runs nothing; its own
``<style>`` is allowed by hash."""


def sha256_source(text: str) -> str:
    """The CSP hash source (``'sha256-…'``) allowing an inline ``<style>`` (or, with
    ``'unsafe-hashes'``, a ``style`` attribute) whose text is exactly ``text``."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def new_nonce() -> str:
    """A fresh nonce (144 random bits, URL-safe base64) for one response's inline elements."""
    return secrets.token_urlsafe(18)


def _combined(base: Mapping[str, tuple[str, ...]], *additions: Sources) -> str:
    """``base`` with each addition's sources appended to its directive, serialised."""
    directives = {name: list(sources) for name, sources in base.items()}
    for addition in additions:
        for name, sources in addition.items():
            current = [s for s in directives.get(name, []) if s != "'none'"]  # 'none' is alone
            directives[name] = current + [s for s in sources if s not in current]
    return "; ".join(" ".join((name, *sources)) for name, sources in directives.items())


def _own_styles() -> Sources:
    return {"style-src": [sha256_source(text) for text in inline_styles()]}


def content_security_policy(*, nonce: str | None = None, extra: Sources | None = None) -> str:
    """A page's policy: :data:`BASE_POLICY`, our own inline styles by hash, then ``extra``.

    Args:
        nonce: allow inline ``<script>`` and ``<style>`` elements carrying this nonce (a fresh
            one per response: :func:`new_nonce`); ``None`` for none.
        extra: more sources per directive, for a page that needs them (the editor's YASGUI);
            a directive the base policy lacks is added with just these sources.
    """
    with_nonce: Sources = {"script-src": [f"'nonce-{nonce}'"], "style-src": [f"'nonce-{nonce}'"]}
    return _combined(BASE_POLICY, _own_styles(), with_nonce if nonce else {}, extra or {})


@lru_cache
def page_policy() -> str:
    """The policy of every page rendered without extra sources (constant: computed once)."""
    return content_security_policy()


@lru_cache
def svg_policy() -> str:
    """The policy of a standalone SVG drawing: nothing loaded, nothing run, our styles by hash."""
    return _combined(SVG_POLICY_BASE, _own_styles())
