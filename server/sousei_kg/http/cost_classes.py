"""What a request costs, for the rate limit: cheap pages or SPARQL.

A crawler following links from ``/id/goal/2`` drew 196 answers of 429 and took 3.5 minutes for 363
pages, because every request drew from the one budget sized for SPARQL queries. Answers that are
cheap to give and cached per dataset version (linked-data documents, the vocabulary and shapes,
the dataset descriptions, the dumps, the pages) now have a class of their own with a budget a
polite crawler does not exhaust; what makes the engine work (the SPARQL endpoint, named queries,
label search) and every write keep theirs, tighter.

Each class is drawn from twice: by the client (address and User-Agent) and by its address group
(an IPv4 address or an IPv6 /64), whose budget is worth ``address_clients`` clients, so a client
that rotates its User-Agent gains little (docs/security.md, "Budgets").
"""

from dataclasses import dataclass

from sousei_kg.config import Settings

SPARQL_PATHS = ("/sparql", "/queries", "/update", "/store", "/search")
"""Paths whose answers are computed by the engine (or write to it)."""

ENGINE_SUFFIXES = (".xlsx",)
"""Downloads built afresh from engine queries on each request (a workbook of the KPI explorer
runs one named query per KPI, about 0.1 s of the server's CPU): priced as SPARQL, not as pages."""

FRAGMENT_PATH = "/fragments"
FRAGMENT_PRICE = 0.2
"""What one Triple Pattern Fragment takes from the pages budget. A TPF client answers a query
with many small requests (Comunica sent 413 for the README's third query, within 5 s), each one
a cached lookup of one pattern; at a whole token each, the query drew 429s. At a fifth, a client
may send 600 fragments at once and 125 a second."""


@dataclass(frozen=True)
class CostClass:
    """A budget: requests at once (``burst``) and per second after that, per client."""

    name: str
    burst: int
    per_second: float
    description: str


def cost_classes(settings: Settings) -> tuple[CostClass, CostClass]:
    """The classes the settings define: (pages, sparql)."""
    pages = CostClass(
        "pages",
        settings.page_rate_limit_burst,
        settings.page_rate_limit_per_second,
        "pages, documents, descriptions and dumps",
    )
    sparql = CostClass(
        "sparql",
        settings.rate_limit_burst,
        settings.rate_limit_per_second,
        "SPARQL queries, named queries, search and writes",
    )
    return pages, sparql


def price_of(method: str, path: str) -> float:
    """Tokens a request takes from its class's budget: :data:`FRAGMENT_PRICE` for a fragment,
    one for anything else."""
    return FRAGMENT_PRICE if method in ("GET", "HEAD") and path == FRAGMENT_PATH else 1.0


def class_of(method: str, path: str, classes: tuple[CostClass, CostClass]) -> CostClass:
    """The class of one request: ``sparql`` for the engine's paths, the workbooks and anything
    but a GET or HEAD, ``pages`` for the rest."""
    pages, sparql = classes
    if method not in ("GET", "HEAD"):
        return sparql
    if any(path == prefix or path.startswith(prefix + "/") for prefix in SPARQL_PATHS):
        return sparql
    if path.endswith(ENGINE_SUFFIXES):
        return sparql
    return pages
