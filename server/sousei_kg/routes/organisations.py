"""``/organisations``: measures per organisation as a server-rendered chart, and
``/organisations/{slug}``: one organisation's measures, with the goals they serve.

The per-organisation table is the named query ``list-measures-by-organization`` run with the
organisation bound by substitution; its CSV is that query's own ``format=csv`` URL.
"""

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from sousei_kg.http.deps import GraphDep, SettingsDep, public_base
from sousei_kg.http.pages import page_language
from sousei_kg.linked_data.describe import solutions_of, vocabulary_labels
from sousei_kg.named_queries.catalogue import catalog_for
from sousei_kg.namespaces import ID
from sousei_kg.routes._documents import href_for, labeller, not_found
from sousei_kg.routes.web import diagram_of, page, svg
from sousei_kg.store.query import run_query
from sousei_kg.web.page_data import iri_of, organisation, organisations

router = APIRouter(tags=["pages"])

ORG_QUERY = "list-measures-by-organization"


def _page_for(base: str) -> Any:
    return lambda slug: f"{base}organisations/{slug}"


@router.get("/organisations", summary="Organisations and their measures, as a chart")
def overview(request: Request, graph: GraphDep, settings: SettingsDep) -> Response:
    """Every organisation with how many named measures it is responsible for."""

    def context(_lang: str, base: str) -> dict[str, Any]:
        return {"orgs": organisations(graph.store), "page_for": _page_for(base)}

    return page(request, graph, settings, "organisations.html", context)


@router.head("/organisations.svg", include_in_schema=False)
@router.get(
    "/organisations.svg",
    summary="Measures per organisation as a static SVG bar chart",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}},
)
def overview_svg(request: Request, graph: GraphDep, settings: SettingsDep) -> Response:
    """The chart of ``/organisations`` on its own, for reports."""

    def context(_lang: str, base: str) -> dict[str, Any]:
        return {"orgs": organisations(graph.store), "page_for": _page_for(base)}

    return svg(request, graph, settings, "organisations.svg", "", context)


@router.get("/organisations/{slug}", summary="One organisation and its measures")
def organisation_page(
    slug: str, request: Request, graph: GraphDep, settings: SettingsDep
) -> Response:
    """The measures attributed to ``id/org/{slug}``, with goal, confidence and source."""
    found = organisation(graph.store, slug)
    if found is None:
        iri = f"{ID}org/{slug}"
        base = public_base(request, settings)
        return not_found(request, iri=iri, lang=page_language(request), public_base=base)

    def context(lang: str, base: str) -> dict[str, Any]:
        query = catalog_for(settings.resources).get(ORG_QUERY)
        if query is None:  # the shipped catalogue always has it
            raise LookupError(f"the named query {ORG_QUERY} is missing")
        result = run_query(graph.store, query.text, {"organization": iri_of(found.slug)})
        measures: dict[str, dict[str, Any]] = {}
        for row in solutions_of(result):
            entry = measures.setdefault(
                row["measure"].value, {"goals": [], "confidence": None, "sources": []}
            )
            if row["goal"] is not None and row["goal"].value not in entry["goals"]:
                entry["goals"].append(row["goal"].value)
            if row["confidence"] is not None:
                entry["confidence"] = row["confidence"].value
            if row["source"] is not None and row["source"].value not in entry["sources"]:
                entry["sources"].append(row["source"].value)
        csv = f"{base}queries/{ORG_QUERY}?" + urlencode(
            {"organization": found.iri, "format": "csv"}
        )
        return {
            "org": found,
            "measures": measures,
            "d": diagram_of(graph),
            "csv": csv,
            "label": labeller(vocabulary_labels(graph.store), lang),
            "href": href_for(base),
        }

    return page(request, graph, settings, "organisation.html", context)
