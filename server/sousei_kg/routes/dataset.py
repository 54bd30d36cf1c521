"""``/.well-known/void``, ``/dataset``, ``/quality/validation-report`` and ``/download/*``: the
dataset describes itself (VoID, the DCAT-AP catalogue, its SHACL validation report) and can be
downloaded whole.

Thin handlers: negotiate, check the validators (a 304 costs no serialization), then take the body
from a cache keyed by the dataset version (and, for descriptions, the deployment and format, since
endpoint and download URLs are this server's and the contact point is its settings').
"""

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pyoxigraph import Triple

from sousei_kg.config import Settings
from sousei_kg.dataset.knowledge_graph import KnowledgeGraph
from sousei_kg.http.conditional import etag_for, not_modified, validators
from sousei_kg.http.deps import GraphDep, SettingsDep, public_base
from sousei_kg.http.errors import error_response
from sousei_kg.http.negotiation import choose, prefers_html
from sousei_kg.http.pages import page_language, render
from sousei_kg.publication.catalogue_entries import Deployment, deployment_for
from sousei_kg.publication.catalogue_registry import (
    SERVICES,
    distribution_description,
    distributions,
    table_distributions,
)
from sousei_kg.publication.controlled_terms import THEMES
from sousei_kg.publication.dcat import dcat_triples
from sousei_kg.publication.dumps import (
    DUMP_FILES,
    accepts_gzip,
    dump_bytes,
    dump_file,
    dump_sizes,
    statement_count,
)
from sousei_kg.publication.quality import REPORT_PATH, quality_measurements
from sousei_kg.publication.statistics import (
    CATALOG,
    DATASET,
    LICENSE,
    SERVICE,
    VALIDATION_REPORT,
    BoundedCache,
    serialize_description,
    statistics,
)
from sousei_kg.publication.validation_report import SEVERITY_ORDER, validation_report
from sousei_kg.publication.void import DATASET_PATH, SPARQL_PATH, VOID_PATH, void_triples
from sousei_kg.sparql.formats import GRAPH_FORMATS, HTML, Format

router = APIRouter(tags=["dataset"])

_DESCRIPTIONS: BoundedCache[tuple[str, Deployment, str, str], bytes] = BoundedCache(64)
"""Descriptions by dataset version, deployment (addresses and settings), path and format."""
Describe = Callable[[KnowledgeGraph, Deployment], list[Triple]]
PageContext = Callable[[KnowledgeGraph, Deployment], dict[str, Any]]


def _void(graph: KnowledgeGraph, deployment: Deployment) -> list[Triple]:
    return void_triples(statistics(graph), deployment.addresses, quality_measurements(graph))


def _dcat(graph: KnowledgeGraph, deployment: Deployment) -> list[Triple]:
    return dcat_triples(
        statistics(graph),
        deployment,
        SERVICES,
        distributions(graph),
        quality_measurements(graph),
    )


def _report(graph: KnowledgeGraph, _deployment: Deployment) -> list[Triple]:
    return list(validation_report(graph).triples)


def _page_context(graph: KnowledgeGraph, deployment: Deployment) -> dict[str, Any]:
    """What the VoID and DCAT pages show, from the same statistics as the RDF."""
    base = deployment.addresses.access
    stats = statistics(graph)
    sizes = dump_sizes(graph)
    files = [
        {
            "name": file.filename,
            "url": base + file.path,
            "label": file.format.label,
            "compressed": file.compressed,
            "union": file.format.union,
            "size": sizes[file.filename],
            "statements": statement_count(graph, file.format),
            "description": distribution_description(file, stats),
        }
        for file in DUMP_FILES
    ]
    tables = [
        {
            "name": table.title,
            "url": base + table.path,
            "metadata_url": base + (table.documentation_path or ""),
            "description": table.descriptions,
            "size": table.byte_size,
        }
        for table in table_distributions(graph)
    ]
    return {
        "stats": stats,
        "files": files,
        "tables": tables,
        "dataset_iri": DATASET,
        "catalog_iri": CATALOG,
        "service_iri": SERVICE,
        "licence": LICENSE,
        "endpoint": base + SPARQL_PATH,
        "void_url": base + VOID_PATH,
        "dataset_url": base + DATASET_PATH,
        "landing_page": deployment.addresses.pages + DATASET_PATH,
        "contact": deployment.contact,
        "availability": deployment.availability,
        "themes": THEMES,
        "measurements": quality_measurements(graph),
        "report_url": base + REPORT_PATH,
        "formats": GRAPH_FORMATS,
    }


def _report_context(graph: KnowledgeGraph, deployment: Deployment) -> dict[str, Any]:
    """What the validation report's page shows: the same report as the RDF."""
    base = deployment.addresses.access
    return {
        "report": validation_report(graph),
        "severities": SEVERITY_ORDER,
        "report_iri": VALIDATION_REPORT,
        "report_url": base + REPORT_PATH,
        "dataset_iri": DATASET,
        "dataset_url": base + DATASET_PATH,
        "formats": GRAPH_FORMATS,
    }


def _deployment(request: Request, settings: Settings) -> Deployment:
    return deployment_for(settings, public_base(request, settings))


def _describe(
    request: Request,
    graph: KnowledgeGraph,
    deployment: Deployment,
    path: str,
    describe: Describe,
    template: str,
    page_context: PageContext,
    format_param: str | None,
) -> Response:
    base = deployment.addresses.access
    accept = request.headers.get("accept")
    wants_html = (format_param or "").lower() == HTML.key or (
        format_param is None and prefers_html(accept)
    )
    if wants_html:
        lang = page_language(request)
        etag = etag_for(graph, path, HTML.key, lang, base)
        if (cached := not_modified(request, graph, etag)) is not None:
            cached.headers["Vary"] = "Accept, Accept-Language"
            return cached
        return render(
            request,
            template,
            lang=lang,
            public_base=base,
            headers=validators(graph, etag),
            **page_context(graph, deployment),
        )
    fmt: Format = choose(GRAPH_FORMATS, accept, format_param)
    etag = etag_for(graph, path, fmt.key, base)
    headers = {**validators(graph, etag), "Vary": "Accept"}
    if (cached := not_modified(request, graph, etag)) is not None:
        cached.headers.update(headers)
        return cached

    def write() -> bytes:
        return serialize_description(describe(graph, deployment), fmt.media_type)

    body = _DESCRIPTIONS.get((graph.version, deployment, path, fmt.key), write)
    return Response(body, media_type=fmt.content_type, headers=headers)


@router.get("/.well-known/void", summary="VoID description of the dataset", response_model=None)
@router.head("/.well-known/void", include_in_schema=False, response_model=None)
def void_description(
    request: Request, graph: GraphDep, settings: SettingsDep, format: str | None = None
) -> Response:
    """The VoID description (Turtle, N-Triples, RDF/XML, JSON-LD or HTML by ``Accept``/``format=``).

    Raises:
        NotAcceptableError: if no offered format matches (406).
    """
    deployment = _deployment(request, settings)
    return _describe(
        request, graph, deployment, "/" + VOID_PATH, _void, "void.html", _page_context, format
    )


@router.get("/dataset", summary="DCAT-AP 3 catalogue of the dataset", response_model=None)
@router.head("/dataset", include_in_schema=False, response_model=None)
def dataset_description(
    request: Request, graph: GraphDep, settings: SettingsDep, format: str | None = None
) -> Response:
    """The DCAT catalogue (Turtle, N-Triples, RDF/XML, JSON-LD or HTML by ``Accept``/``format=``).

    Raises:
        NotAcceptableError: if no offered format matches (406).
    """
    deployment = _deployment(request, settings)
    return _describe(
        request, graph, deployment, "/" + DATASET_PATH, _dcat, "dataset.html", _page_context, format
    )


@router.get(
    "/quality/validation-report",
    summary="SHACL validation report of the dataset",
    response_model=None,
)
@router.head("/quality/validation-report", include_in_schema=False, response_model=None)
def validation_report_document(
    request: Request, graph: GraphDep, settings: SettingsDep, format: str | None = None
) -> Response:
    """The SHACL validation report of the dataset as published (Turtle, N-Triples, RDF/XML,
    JSON-LD or HTML by ``Accept``/``format=``): ``/id/quality/validation-report`` leads here.
    Validated once per dataset version, when first asked for.

    Raises:
        NotAcceptableError: if no offered format matches (406).
    """
    deployment = _deployment(request, settings)
    return _describe(
        request,
        graph,
        deployment,
        "/" + REPORT_PATH,
        _report,
        "validation-report.html",
        _report_context,
        format,
    )


@router.get("/download/{filename}", summary="Download a dump", response_model=None)
@router.head("/download/{filename}", include_in_schema=False, response_model=None)
def download(filename: str, request: Request, graph: GraphDep, settings: SettingsDep) -> Response:
    """A dump of the whole dataset, as an attachment.

    A plain dump is sent gzip-encoded (``Content-Encoding: gzip``) when ``Accept-Encoding``
    allows, from bytes compressed once; ``*.gz`` files are the compressed files themselves.
    """
    file = dump_file(filename)
    if file is None:
        names = ", ".join(f.filename for f in DUMP_FILES)
        return error_response(404, f"no dump {filename!r}; offered: {names}")
    encode = not file.compressed and accepts_gzip(request.headers.get("accept-encoding"))
    etag = etag_for(graph, "/" + file.path, "gzip" if encode else "identity")
    base = public_base(request, settings)
    headers = {
        **validators(graph, etag),
        "Content-Disposition": f'attachment; filename="{file.filename}"',
        "Link": f'<{base}{DATASET_PATH}>; rel="describedby"',
        "Vary": "Accept-Encoding",
    }
    if (cached := not_modified(request, graph, etag)) is not None:
        cached.headers.update(headers)
        return cached
    data = dump_bytes(graph, file.format)
    if encode:
        headers["Content-Encoding"] = "gzip"
    body = data.gzipped if encode or file.compressed else data.plain
    return Response(body, media_type=file.content_type, headers=headers)
