"""HTML rendering shared by every page: the Jinja environment (autoescaped), the choice of page
language (``?lang=`` over ``Accept-Language``) and the rewriting of canonical IRIs to this
server's URLs. No HTTP objects here: :mod:`sousei_kg.http.pages` turns a request into these
arguments and the rendered text into a response."""

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from sousei_kg.namespaces import CANONICAL_BASE

LANGUAGES = ("ja", "en")
TEMPLATES = Path(__file__).parent / "templates"
INLINE_STYLES = ("_logic_model.css",)
"""Templates of static CSS that pages include inside a ``<style>`` element (the diagram's, which
must travel inside a saved SVG). Their text is allowed by hash in the pages' Content-Security-
Policy, so each must be constant: no variables, no blocks."""


@lru_cache
def environment() -> Environment:
    """The Jinja environment: templates from the package, every value HTML-escaped."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "xml", "svg"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


@lru_cache
def inline_styles() -> tuple[str, ...]:
    """The exact text of each :data:`INLINE_STYLES` template, as an ``{% include %}`` inside a
    ``<style>`` element writes it (what a browser hashes to check it against the policy)."""
    return tuple(environment().get_template(name).render() for name in INLINE_STYLES)


def choose_language(explicit: str | None, accept_language: str | None) -> str:
    """``ja`` or ``en``: ``explicit`` (``?lang=``) if given and known, else the best
    ``Accept-Language`` match, else Japanese (the language of the source)."""
    if explicit in LANGUAGES:
        return explicit
    best, best_q = "ja", -1.0
    for part in (accept_language or "").split(","):
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


def render_page(
    template: str,
    *,
    lang: str,
    public_base: str,
    path: str,
    switch_to: dict[str, str],
    **context: Any,
) -> str:
    """Render a page template.

    The template gets ``lang``, ``link`` (the IRI rewriter), ``base`` (the public base URL),
    ``path`` (this page's path), ``switch_to`` (language → URL of this page in it) and ``context``.
    """
    return (
        environment()
        .get_template(template)
        .render(
            lang=lang,
            link=LinkRewriter(public_base),
            base=public_base,
            path=path,
            switch_to=switch_to,
            **context,
        )
    )
