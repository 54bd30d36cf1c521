"""``/kpis``: the KPI explorer, and ``/kpis.xlsx``, its Excel download.

Pick a KPI → the measures with a path to its goal, hop by hop, with each responsible organisation,
our confidence in it (a badge linking to the attribution: source, rationale) and a
``minConfidence`` choice that keeps only organisations at or above a level; a measure left with
none drops out, and the page says how many did (issue 17). Both answers are the named query
``list-measures-for-kpi`` run with the request's values bound by substitution, so the page, its
CSV (``/queries/list-measures-for-kpi.csv``) and its workbook show the same rows.
"""

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pyoxigraph import QuerySolutions

from sousei_kg.config import Settings
from sousei_kg.dataset.knowledge_graph import KnowledgeGraph
from sousei_kg.http.conditional import etag_for, not_modified, validators
from sousei_kg.http.deps import GraphDep, SettingsDep
from sousei_kg.http.errors import error_response, response_for
from sousei_kg.linked_data.describe import solutions_of
from sousei_kg.named_queries.catalogue import NamedQuery, catalog_for
from sousei_kg.named_queries.parameters import ParameterError
from sousei_kg.named_queries.tables import Table, download_columns, table_of
from sousei_kg.remote.compatibility import refuse_if_wrong_on_engine
from sousei_kg.routes.query_downloads import download_url
from sousei_kg.routes.web import diagram_of, page
from sousei_kg.store.query import run_query
from sousei_kg.store.readable import Term
from sousei_kg.web.diagram import Kpi
from sousei_kg.web.kpi_explorer import LEVEL_LABELS, Path, measures_of, paths_of
from sousei_kg.web.workbook import MEDIA_TYPE, workbook

router = APIRouter(tags=["pages"])

KPI_QUERY = "list-measures-for-kpi"
"""The named query behind the KPI explorer's table and its downloads."""


def kpi_query(settings: Settings) -> NamedQuery:
    """The shipped named query the explorer runs."""
    query = catalog_for(settings.resources).get(KPI_QUERY)
    if query is None:  # the shipped catalogue always has it
        raise LookupError(f"the named query {KPI_QUERY} is missing")
    return query


def _bind(query: NamedQuery, kpi: Kpi, minimum: str | None) -> dict[str, Term]:
    """The query's bindings for one KPI and the chosen level (cast and checked by the header).

    Raises:
        ParameterError: if ``minimum`` is not a level (the error map answers 400).
    """
    values = {"kpi": [kpi.iri]}
    if minimum:
        values["minConfidence"] = [minimum]
    return query.bind(values)


def _solutions(graph: KnowledgeGraph, query: NamedQuery, bindings: dict[str, Term]) -> Any:
    return solutions_of(run_query(graph.store, query.text, bindings))


@router.get("/kpis", summary="KPI explorer: the measures that reach a KPI, with paths")
def kpis(request: Request, graph: GraphDep, settings: SettingsDep) -> Response:
    """Pick a KPI (``?kpi=goal-2-kpi``) and, optionally, ``?minConfidence=SecondarySource``."""
    refuse_if_wrong_on_engine(settings, KPI_QUERY)
    diagram = diagram_of(graph)
    selected = diagram.kpi(request.query_params.get("kpi"))
    minimum = request.query_params.get("minConfidence") or None
    query = kpi_query(settings)
    try:
        bindings = _bind(query, selected, minimum) if selected is not None else {}
    except ParameterError as error:
        return response_for(error)

    def context(_lang: str, base: str) -> dict[str, Any]:
        paths: list[Path] = []
        every: list[str] = []
        params: dict[str, str] = {}
        if selected is not None:
            paths = paths_of(_solutions(graph, query, bindings))
            every = measures_of(paths_of(_solutions(graph, query, _bind(query, selected, None))))
            params = {"kpi": selected.iri, **({"minConfidence": minimum} if minimum else {})}
        measures = measures_of(paths)
        return {
            "d": diagram,
            "selected": selected.key if selected else None,
            "kpi": selected,
            "rows": paths,
            "measures": measures,
            "dropped": len(every) - len(measures),
            "min_confidence": minimum,
            "levels": LEVEL_LABELS,
            "query_name": KPI_QUERY,
            "csv": download_url(base, KPI_QUERY, "csv", params),
            "xlsx": f"{base}kpis.xlsx?"
            + urlencode({"kpi": selected.key if selected else "", "minConfidence": minimum or ""}),
        }

    return page(request, graph, settings, "kpis.html", context)


def kpi_table(graph: KnowledgeGraph, query: NamedQuery, kpi: Kpi, minimum: str | None) -> Table:
    """One KPI's rows as a tidy table (the columns of the CSV download)."""
    bindings = _bind(query, kpi, minimum)
    solutions = _solutions(graph, query, bindings)
    assert isinstance(solutions, QuerySolutions)  # noqa: S101 - solutions_of checked it
    return table_of(
        f"{kpi.goal.notation}. {kpi.key}",
        solutions,
        download_columns(query, bindings),
        parameters=[p.name for p in query.params],
        echoes=bindings.values(),
    )


@router.head("/kpis.xlsx", include_in_schema=False)
@router.get(
    "/kpis.xlsx",
    summary="The KPI explorer as an Excel workbook: a sheet per KPI",
    response_class=Response,
    responses={200: {"content": {MEDIA_TYPE: {}}}},
)
def kpis_xlsx(request: Request, graph: GraphDep, settings: SettingsDep) -> Response:
    """A sheet per KPI (only the chosen one with ``?kpi=``), each row a path and a responsible
    organisation with our confidence in it; ``?minConfidence=`` as on the page."""
    refuse_if_wrong_on_engine(settings, KPI_QUERY)
    diagram = diagram_of(graph)
    asked = request.query_params.get("kpi") or None
    selected = diagram.kpi(asked)
    if asked is not None and selected is None:
        # Not every KPI instead: a misspelt key must not answer with a workbook of all of them.
        keys = ", ".join(k.key for k in diagram.kpis)
        return error_response(
            404,
            f"no KPI {asked!r} in the dataset; use one of {keys} (or its IRI), or leave out "
            "kpi= for a sheet per KPI",
        )
    minimum = request.query_params.get("minConfidence") or None
    query = kpi_query(settings)
    etag = etag_for(graph, "kpis.xlsx", selected.key if selected else "", minimum or "")
    if (cached := not_modified(request, graph, etag)) is not None:
        return cached
    chosen = [selected] if selected is not None else list(diagram.kpis)
    try:
        tables = [kpi_table(graph, query, k, minimum) for k in chosen]
    except ParameterError as error:
        return response_for(error)
    name = f"kpis-{selected.key}" if selected else "kpis"
    notes = [f"最低確度 / minConfidence: {minimum}"] if minimum else []
    body = workbook(
        tables,
        title="KPI エクスプローラ / KPI explorer (sousei-kg)",
        source_url=str(request.url),
        version=graph.version,
        notes=notes,
    )
    headers = {
        **validators(graph, etag),
        "Content-Disposition": f'attachment; filename="{name}.xlsx"',
    }
    return Response(body, media_type=MEDIA_TYPE, headers=headers)
