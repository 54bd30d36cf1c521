"""``/organisations``: measures per organisation as a server-rendered chart, and
``/organisations/{slug}``: one organisation's measures, with the goals they serve.

The per-organisation table is the named query ``list-measures-by-organization`` run with the
organisation bound by substitution; its CSV is that query's download URL
(``/queries/list-measures-by-organization.csv``). ``/organisations.xlsx`` and
``/organisations/{slug}.xlsx`` are the same views as Excel workbooks (a sheet per view). Every
count and row carries our confidence in the attribution (issue 17).
"""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from sousei_kg.http.conditional import etag_for, not_modified, validators
from sousei_kg.http.deps import GraphDep, SettingsDep, public_base
from sousei_kg.http.pages import page_language
from sousei_kg.linked_data.describe import solutions_of, vocabulary_labels
from sousei_kg.named_queries.catalogue import catalog_for
from sousei_kg.named_queries.tables import CONFIDENCE_LEVELS as LEVELS
from sousei_kg.named_queries.tables import Table, download_columns, table_of
from sousei_kg.namespaces import ID
from sousei_kg.routes._documents import href_for, labeller, not_found
from sousei_kg.routes.query_downloads import download_url
from sousei_kg.routes.web import diagram_of, page, svg
from sousei_kg.store.query import run_query
from sousei_kg.web.kpi_explorer import LEVEL_LABELS, level_name
from sousei_kg.web.page_data import Organisation, iri_of, organisation, organisations
from sousei_kg.web.workbook import MEDIA_TYPE, workbook

router = APIRouter(tags=["pages"])

ORG_QUERY = "list-measures-by-organization"


def _page_for(base: str) -> Any:
    return lambda slug: f"{base}organisations/{slug}"


@router.get("/organisations", summary="Organisations and their measures, as a chart")
def overview(request: Request, graph: GraphDep, settings: SettingsDep) -> Response:
    """Every organisation with how many named measures it is responsible for."""

    def context(_lang: str, base: str) -> dict[str, Any]:
        return {
            "orgs": organisations(graph.store),
            "page_for": _page_for(base),
            "levels": LEVEL_LABELS,
        }

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


def _measures_of(rows: Any) -> dict[str, dict[str, Any]]:
    """The named query's rows (one per measure and source) folded into one entry per measure:
    its goals, our confidence (the level's name), the attribution and its sources."""
    measures: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = measures.setdefault(
            row["measure"].value,
            {"goals": [], "confidence": None, "attribution": None, "sources": []},
        )
        if row["goal"] is not None and row["goal"].value not in entry["goals"]:
            entry["goals"].append(row["goal"].value)
        if row["organisationConfidence"] is not None:
            entry["confidence"] = level_name(row["organisationConfidence"].value)
        if row["organisationAttribution"] is not None:
            entry["attribution"] = row["organisationAttribution"].value
        source = row["organisationSource"]
        if source is not None and source.value not in entry["sources"]:
            entry["sources"].append(source.value)
    return measures


def _org_table(graph: GraphDep, settings: SettingsDep, found: Organisation) -> Table:
    """One organisation's measures as a tidy table (the columns of its CSV download)."""
    query = catalog_for(settings.resources).get(ORG_QUERY)
    if query is None:  # the shipped catalogue always has it
        raise LookupError(f"the named query {ORG_QUERY} is missing")
    bindings = query.bind({"organization": [found.iri]})
    result = solutions_of(run_query(graph.store, query.text, bindings))
    return table_of(
        f"{found.slug} {found.label('ja')}",
        result,
        download_columns(query, bindings),
        parameters=[p.name for p in query.params],
        echoes=bindings.values(),
    )


def _overview_table(orgs: list[Organisation]) -> Table:
    """Every organisation with its measure count, in total and by confidence level."""
    columns = ("organisation", "organisationLabel", "organisationLabelEn", "measures", *LEVELS)
    rows = tuple(
        (
            o.iri,
            o.labels.get("ja", ""),
            o.labels.get("en", ""),
            str(o.measures),
            *(str(o.by_confidence.get(level, 0)) for level in LEVELS),
        )
        for o in orgs
    )
    return Table("府省庁 Organisations", columns, rows)


def _xlsx(request: Request, graph: GraphDep, tables: list[Table], name: str) -> Response:
    etag = etag_for(graph, "organisations.xlsx", request.url.path)
    if (cached := not_modified(request, graph, etag)) is not None:
        return cached
    body = workbook(
        tables,
        title="府省庁と施策 / Organisations and their measures (sousei-kg)",
        source_url=str(request.url),
        version=graph.version,
        notes=[
            "担当府省庁は要約に記載がなく、本プロジェクトが確度とともに付与したもの。",
            "The summary names no organisation: each is our attribution, with its confidence.",
        ],
    )
    headers = {
        **validators(graph, etag),
        "Content-Disposition": f'attachment; filename="{name}.xlsx"',
    }
    return Response(body, media_type=MEDIA_TYPE, headers=headers)


@router.head("/organisations.xlsx", include_in_schema=False)
@router.get(
    "/organisations.xlsx",
    summary="Organisations and their measures as an Excel workbook: a sheet per view",
    response_class=Response,
    responses={200: {"content": {MEDIA_TYPE: {}}}},
)
def overview_xlsx(request: Request, graph: GraphDep, settings: SettingsDep) -> Response:
    """The overview (counts by confidence), then a sheet per organisation with its measures."""
    orgs = organisations(graph.store)
    tables = [_overview_table(orgs)] + [_org_table(graph, settings, o) for o in orgs if o.measures]
    return _xlsx(request, graph, tables, "organisations")


@router.head("/organisations/{slug}.xlsx", include_in_schema=False)
@router.get(
    "/organisations/{slug}.xlsx",
    summary="One organisation's measures as an Excel workbook",
    response_class=Response,
    responses={200: {"content": {MEDIA_TYPE: {}}}},
)
def organisation_xlsx(
    slug: str, request: Request, graph: GraphDep, settings: SettingsDep
) -> Response:
    """The measures attributed to ``id/org/{slug}``, with our confidence and the sources."""
    found = organisation(graph.store, slug)
    if found is None:
        base = public_base(request, settings)
        lang = page_language(request)
        return not_found(request, iri=f"{ID}org/{slug}", lang=lang, public_base=base)
    return _xlsx(request, graph, [_org_table(graph, settings, found)], f"measures-{slug}")


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
        return {
            "org": found,
            "measures": _measures_of(solutions_of(result)),
            "d": diagram_of(graph),
            "csv": download_url(base, ORG_QUERY, "csv", {"organization": found.iri}),
            "xlsx": f"{base}organisations/{found.slug}.xlsx",
            "levels": LEVEL_LABELS,
            "label": labeller(vocabulary_labels(graph.store), lang),
            "href": href_for(base),
        }

    return page(request, graph, settings, "organisation.html", context)
