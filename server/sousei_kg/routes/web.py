"""The pages for people: the landing page ``/`` and the logic model ``/logic-model`` (and its static
``/logic-model.svg``); the KPI explorer is :mod:`sousei_kg.routes.kpis`.

Each page is rendered on the server from the store, in Japanese or English (``?lang=`` over
``Accept-Language``), carries validators keyed to the dataset version, language and query, and works
without JavaScript; the small scripts in ``static/`` only add suggestions and instant highlighting.
"""

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from sousei_kg.config import Settings
from sousei_kg.dataset.knowledge_graph import KnowledgeGraph
from sousei_kg.http.conditional import etag_for, not_modified, validators
from sousei_kg.http.deps import GraphDep, SettingsDep, public_base
from sousei_kg.http.harvesting import asks_for_rdf, describedby_links
from sousei_kg.http.pages import page_language, render
from sousei_kg.publication.dumps import DUMP_FILES
from sousei_kg.publication.statistics import statistics
from sousei_kg.web.diagram import Diagram, build
from sousei_kg.web.html import LinkRewriter, environment
from sousei_kg.web.kpi_explorer import LEVEL_LABELS
from sousei_kg.web.page_data import attribution_counts, counts, dataset_json_ld, json_ld

router = APIRouter(tags=["pages"])

VARY = "Accept, Accept-Language"


def diagram_of(graph: KnowledgeGraph) -> Diagram:
    """The laid-out logic model of this dataset (built once per dataset version)."""
    return graph.derived("logic-model-diagram", lambda: build(graph.store))


def page(
    request: Request,
    graph: KnowledgeGraph,
    settings: Settings,
    template: str,
    context: Callable[[str, str], dict[str, Any]],
) -> Response:
    """Render ``template`` with ``context(lang, base)``, or answer 304 if the client has it.

    The ETag covers the dataset version, the page, the language, the public base and the query
    string, so each variant a cache may hold has its own tag (``Vary`` names the headers).
    """
    base = public_base(request, settings)
    lang = page_language(request)
    etag = etag_for(graph, "page", request.url.path, lang, base, str(request.url.query))
    if (cached := not_modified(request, graph, etag)) is not None:
        cached.headers["Vary"] = VARY
        return cached
    headers = validators(graph, etag)
    return render(
        request, template, lang=lang, public_base=base, headers=headers, **context(lang, base)
    )


def svg(
    request: Request,
    graph: KnowledgeGraph,
    settings: Settings,
    template: str,
    variant: str,
    context: Callable[[str, str], dict[str, Any]],
) -> Response:
    """Render an SVG ``template`` with ``context(lang, base)``, or answer 304; ``variant`` names
    what else the drawing depends on (a selected KPI), for its ETag."""
    base = public_base(request, settings)
    lang = page_language(request)
    etag = etag_for(graph, template, lang, base, variant)
    headers = {**validators(graph, etag), "Vary": VARY, "Content-Language": lang}
    if (cached := not_modified(request, graph, etag)) is not None:
        cached.headers.update(headers)
        return cached
    body = environment().get_template(template).render(lang=lang, base=base, **context(lang, base))
    return Response(body, media_type="image/svg+xml; charset=utf-8", headers=headers)


@router.get("/", summary="The landing page: what the dataset is, its numbers and where to go")
def landing(request: Request, graph: GraphDep, settings: SettingsDep) -> Response:
    """The landing page, with a schema.org ``Dataset`` description for dataset search engines;
    ``Link`` headers to the dataset's descriptions, and 303 to ``/dataset`` for an RDF client."""
    base = public_base(request, settings)
    links = {"Link": describedby_links(base), "Vary": VARY}
    if asks_for_rdf(request.headers.get("accept")):
        return Response(status_code=303, headers={"Location": base + "dataset", **links})
    response = landing_page(request, graph, settings)
    response.headers.update(links)
    return response


def landing_page(request: Request, graph: KnowledgeGraph, settings: Settings) -> Response:
    """The landing page itself (or 304)."""

    def context(_lang: str, base: str) -> dict[str, Any]:
        enumerated, declared = counts(graph.store)
        stats = statistics(graph)
        temporal = f"{stats.period.start.value}/{stats.period.end.value}" if stats.period else None
        downloads = [(base + f.path, f.content_type.split(";")[0]) for f in DUMP_FILES]
        document = dataset_json_ld(
            base=base,
            name={
                "ja": "地方創生に関する総合戦略 知識グラフ (sousei-kg)",
                "en": "sousei-kg: Japan's Regional Revitalization strategy as a knowledge graph",
            },
            description={
                "ja": "地方創生に関する総合戦略（2025〜2029年度）の要約をRDFにしたもの。"
                "ロジックモデル（政策目標・KPI・アウトカム・アウトプット）と施策は要約のとおり。"
                "担当府省庁は要約になく、編集者が確度と出典・根拠を付けて付与したもの。",
                "en": "The summary of the Comprehensive Strategy for Regional Revitalization "
                "(FY2025–FY2029) as RDF: the logic model (goals, KPIs, outcomes, outputs) and "
                "measures as the summary states them; responsible ministries, which the summary "
                "does not name, attributed by the editors with confidence and source.",
            },
            downloads=downloads,
            version=graph.version,
            temporal=temporal,
        )
        return {
            "attributed": attribution_counts(graph.store),
            "levels": LEVEL_LABELS,
            "enumerated": enumerated,
            "declared": declared,
            "statements": graph.quad_count,
            "diagram": diagram_of(graph),
            "json_ld": json_ld(document),
        }

    return page(request, graph, settings, "index.html", context)


@router.get("/logic-model", summary="The logic model as an interactive diagram")
def logic_model(request: Request, graph: GraphDep, settings: SettingsDep) -> Response:
    """Goals → outcomes → outputs → measures; ``?kpi=`` highlights what reaches that KPI."""
    diagram = diagram_of(graph)
    selected = diagram.kpi(request.query_params.get("kpi"))

    def context(_lang: str, _base: str) -> dict[str, Any]:
        return {"d": diagram, "selected": selected.key if selected else None}

    return page(request, graph, settings, "logic-model.html", context)


@router.head("/logic-model.svg", include_in_schema=False)
@router.get(
    "/logic-model.svg",
    summary="The logic model as a static SVG (no JavaScript), for reports and slides",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}},
)
def logic_model_svg(request: Request, graph: GraphDep, settings: SettingsDep) -> Response:
    """The same drawing rendered on the server; ``?kpi=`` and ``?lang=`` as on the page."""
    diagram = diagram_of(graph)
    selected = diagram.kpi(request.query_params.get("kpi"))

    def context(_lang: str, base: str) -> dict[str, Any]:
        return {
            "d": diagram,
            "link": LinkRewriter(base),
            "selected": selected.key if selected else None,
            "svg_id": "logic-model",
        }

    return svg(
        request, graph, settings, "logic-model.svg", selected.key if selected else "", context
    )
