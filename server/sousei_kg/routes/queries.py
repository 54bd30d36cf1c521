"""``/queries`` (the catalogue) and ``/queries/{name}`` (run one named query), like grlc but typed
and injection-free.

Each query becomes its own route, built from its header when the app is created, so the OpenAPI
document has one operation per query with typed parameters and examples. Request values are cast
by the catalogue and bound with pyoxigraph substitutions; the SPARQL text is never edited.
"""

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pyoxigraph import (
    Literal,
    NamedNode,
    QuerySolution,
    QuerySolutions,
)
from starlette.concurrency import run_in_threadpool

from sousei_kg.config import Settings
from sousei_kg.dataset.knowledge_graph import KnowledgeGraph
from sousei_kg.execution.evaluate import term_to_spec
from sousei_kg.execution.jobs import QueryJob
from sousei_kg.http.conditional import etag_for, not_modified, validators
from sousei_kg.http.deps import GraphDep, SettingsDep, public_base
from sousei_kg.http.errors import error_response, response_for
from sousei_kg.http.negotiation import choose, prefers_html
from sousei_kg.http.pages import page_language, render
from sousei_kg.http.query_answers import limit_headers, run_limited, solutions_limited
from sousei_kg.http.query_hints import hint_headers, hint_specs, query_hints
from sousei_kg.linked_data.short_keys import graph_key_resolver
from sousei_kg.named_queries.catalogue import Catalog, NamedQuery, catalog_for
from sousei_kg.named_queries.catalogue_rdf import catalog_json, catalog_triples, openapi_parameters
from sousei_kg.named_queries.parameters import RESERVED_PARAMS, ParameterError, is_short_key
from sousei_kg.remote.compatibility import refuse_if_wrong_on_engine
from sousei_kg.routes.query_downloads import MEDIA_TYPES, QueryDownload, query_to_run
from sousei_kg.sparql.formats import (
    GRAPH_FORMATS,
    HTML,
    JSON_LD,
    JSON_RESULTS,
    RESULT_FORMATS,
    Format,
)
from sousei_kg.sparql.graph_serialization import serialize_graph
from sousei_kg.store.readable import Term
from sousei_kg.web.html import LinkRewriter

TAG = "named queries"
CATALOG_JSON = Format("json", "application/json", ".json")
# JSON-LD without its application/json alias: here plain JSON means the catalogue's own JSON.
_JSON_LD = Format(JSON_LD.key, JSON_LD.media_type, JSON_LD.extension)
CATALOG_FORMATS: tuple[Format, ...] = (
    CATALOG_JSON,
    *(_JSON_LD if f is JSON_LD else f for f in GRAPH_FORMATS),
)
PAGE_ROWS = 10_000
"""The most rows an HTML page of a named query shows when the server has no result cap."""
QUERY_FORMAT_KEYS: tuple[str, ...] = (*(f.key for f in RESULT_FORMATS), HTML.key)
DOWNLOAD_DESCRIPTION = (
    "The query at a URL that names its format, whatever Accept says. .json and .xml: the SPARQL "
    "results. .csv (UTF-8 with a byte-order mark, for Excel), .tsv and .xlsx: a tidy table of the "
    "query's columns without those that only echo a bound parameter."
)


def _wants_html(request: Request) -> bool:
    wanted = request.query_params.get("format")
    if wanted is not None:
        return wanted.strip().lower() in (HTML.key, HTML.media_type)
    return prefers_html(request.headers.get("accept"))


def _with_vary(headers: dict[str, str]) -> dict[str, str]:
    return {**headers, "Vary": "Accept"}


def list_queries(request: Request, graph: GraphDep, settings: SettingsDep) -> Response:
    """The named-query catalogue: HTML, JSON, or RDF (SHACL-AF executables in a DCAT catalogue).

    Raises:
        NotAcceptableError: if nothing offered matches ``Accept`` or ``format=`` (406).
    """
    catalog = catalog_for(settings.resources)
    base = public_base(request, settings)
    html = _wants_html(request)
    fmt = (
        HTML
        if html
        else choose(
            CATALOG_FORMATS, request.headers.get("accept"), request.query_params.get("format")
        )
    )
    lang = page_language(request) if html else ""
    etag = etag_for(graph, "queries", fmt.key, lang, base)
    if (cached := not_modified(request, graph, etag)) is not None:
        return cached
    headers = _with_vary(validators(graph, etag))
    if html:
        return render(
            request,
            "queries.html",
            lang=lang,
            public_base=base,
            headers=headers,
            queries=list(catalog),
        )
    if fmt is CATALOG_JSON:
        return JSONResponse(catalog_json(catalog, base), headers=headers)
    body = serialize_graph(catalog_triples(catalog), JSON_LD if fmt is _JSON_LD else fmt)
    return Response(body, media_type=fmt.content_type, headers=headers)


def unknown_query(name: str, settings: SettingsDep) -> Response:
    """A name that is not in the catalogue: 404 with the names that are."""
    names = ", ".join(catalog_for(settings.resources).names)
    return error_response(404, f"no named query {name!r}; known: {names}")


async def run_named_query(
    request: Request, graph: KnowledgeGraph, settings: Settings, query: NamedQuery
) -> Response:
    """Cast the request's parameters, run the query and negotiate the result.

    Returns:
        400 for undeclared, repeated, missing or ill-typed parameters; 304 when the client's
        validator matches; else the results (JSON, XML, CSV, TSV) or an HTML table.

    Raises:
        NotAcceptableError: if no result format matches (406).
    """
    refuse_if_wrong_on_engine(settings, query.name)
    values: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        if key not in RESERVED_PARAMS:
            values.setdefault(key, []).append(value)
    try:
        bindings = await bind_values(graph, query, values)
    except ParameterError as error:
        return response_for(error)
    bound_iris = [term.value for term in bindings.values() if isinstance(term, NamedNode)]
    hints = await query_hints(graph, "", None, bound_iris)
    html = _wants_html(request)
    fmt = (
        HTML
        if html
        else choose(
            RESULT_FORMATS, request.headers.get("accept"), request.query_params.get("format")
        )
    )
    base = public_base(request, settings)
    lang = page_language(request) if html else ""
    signature = "&".join(f"{k}={v}" for k, v in sorted(bindings.items()))
    etag = etag_for(graph, "queries", query.name, signature, fmt.key, lang, base if html else "")
    if (cached := not_modified(request, graph, etag)) is not None:
        cached.headers.update(hint_headers(hints))
        return cached
    headers = {**_with_vary(validators(graph, etag)), **hint_headers(hints)}
    # Named queries run on the worker pool like /sparql: the same time limit and result cap.
    # A page is built whole: without a cap it still shows at most PAGE_ROWS.
    row_cap = settings.result_cap or (PAGE_ROWS if html else 0)
    # search-labels reads only the label index's candidates where there is an index (issue 20).
    run = await query_to_run(graph, query, bindings, row_cap)
    job = QueryJob(
        query=run.text,
        detached=run.detached,
        solutions_format=JSON_RESULTS.key if html else fmt.key,
        graph_format=None,
        row_cap=row_cap,
        byte_cap=settings.result_max_bytes,
        substitutions=tuple((name, term_to_spec(term)) for name, term in bindings.items()),
        cap_link=base + "limits#result-cap",
        hints=hint_specs(hints),
    )
    if not html:
        return await run_limited(request, job, settings, headers)
    answered = await solutions_limited(request, job, settings, headers, query.name)
    if isinstance(answered, Response):
        return answered
    outcome, result = answered
    headers = {**headers, **limit_headers(settings)}
    if outcome.truncated:
        headers["X-Result-Truncated"] = "true"
    rows = table_rows(query, result, lang, LinkRewriter(base))
    return render(
        request,
        "named-query.html",
        lang=lang,
        public_base=base,
        headers=headers,
        query=query,
        bindings={k: str(v.value) for k, v in bindings.items()},
        columns=table_columns(query),
        rows=rows,
        truncated=outcome.truncated,
    )


async def bind_values(
    graph: KnowledgeGraph, query: NamedQuery, values: dict[str, list[str]]
) -> dict[str, Term]:
    """The request's values cast for ``query``; a short key given for an IRI (``goal-2-kpi``,
    as the pages take) is looked up in the dataset, on a thread (the first lookup of a dataset
    version reads its IRIs, or above ``HINTS_MAX_QUADS`` its vocabulary, and a new key on a large
    dataset asks the store: :mod:`sousei_kg.linked_data.short_keys`).

    Raises:
        ParameterError: for undeclared, repeated, missing or ill-typed values, or a short key that
            names no single resource.
        ShortKeysUnavailableError: the dataset could not be asked what a short key names (a
            remote engine failing; answered 503 by the error map).
    """
    iri_params = {p.name for p in query.params if p.type == "iri"}
    if not any(is_short_key(v) for name in iri_params for v in values.get(name, ())):
        return query.bind(values)
    return await run_in_threadpool(query.bind, values, graph_key_resolver(graph))


def table_columns(query: NamedQuery) -> list[str]:
    """The HTML table's columns: ``path`` (if declared) then every other returned column that is
    neither a path hop nor a label shown in place of its IRI."""
    hidden = set(query.path_columns)
    hidden |= {f"{v}{s}" for v in query.variables for s in ("Label", "LabelEn")}
    rest = [v for v in query.returns if v not in hidden]
    return (["path"] if query.path_columns else []) + rest


Lookup = Callable[[str], Term | None]


def _cell(lookup: Lookup, var: str, lang: str, link: LinkRewriter) -> dict[str, str] | None:
    """One table cell: an IRI shows its label in the page language (else the other one, else the
    IRI) and links to its page on this server; a literal shows its value."""
    term = lookup(var)
    if term is None:
        return None
    if isinstance(term, NamedNode):
        ja, en = lookup(f"{var}Label"), lookup(f"{var}LabelEn")
        label = (en or ja) if lang == "en" else (ja or en)
        text = label.value if isinstance(label, Literal) else term.value
        return {"text": text, "href": link(term.value), "iri": term.value}
    return {"text": term.value}


def table_rows(
    query: NamedQuery, solutions: QuerySolutions, lang: str, link: LinkRewriter
) -> list[dict[str, Any]]:
    """Rows of the HTML table: a cell per column, and the path as its list of hops."""
    variables = set(query.variables)
    columns = [c for c in table_columns(query) if c != "path"]
    rows: list[dict[str, Any]] = []
    for solution in solutions:

        def lookup(name: str, solution: QuerySolution = solution) -> Term | None:
            if name not in variables:
                return None
            term = solution[name]
            return term if isinstance(term, NamedNode | Literal) else None

        row: dict[str, Any] = {c: _cell(lookup, c, lang, link) for c in columns}
        row["path"] = [c for v in query.path_columns if (c := _cell(lookup, v, lang, link))]
        rows.append(row)
    return rows


class QueryOperation:
    """The endpoint of one named query (a callable object, so each route has its own query
    without a closure; FastAPI reads the dependencies from ``__call__``)."""

    def __init__(self, query: NamedQuery) -> None:
        self.query = query

    async def __call__(self, request: Request, graph: GraphDep, settings: SettingsDep) -> Response:
        return await run_named_query(request, graph, settings, self.query)


def _responses() -> dict[int | str, dict[str, Any]]:
    content: dict[str, Any] = {f.media_type: {} for f in (*RESULT_FORMATS, HTML)}
    return {
        200: {"description": "The solutions, in the negotiated format.", "content": content},
        400: {"description": "An undeclared, repeated, missing or ill-typed parameter."},
        406: {"description": "No offered format matches Accept or format=."},
    }


def router_for(settings: Settings) -> APIRouter:
    """A router with ``/queries`` and one operation per query of the settings' catalogue.

    Raises:
        CatalogError: if a query file is bad (the app does not start).
    """
    catalog: Catalog = catalog_for(settings.resources)
    router = APIRouter(tags=[TAG])
    for path in ("/queries", "/queries/"):
        router.add_api_route(
            path,
            list_queries,
            methods=["GET"],
            summary="The named queries",
            include_in_schema=path == "/queries",
            response_class=Response,
            operation_id=None if path == "/queries" else "list_queries_slash",
        )
    for query in catalog:
        router.add_api_route(
            f"/queries/{query.name}",
            QueryOperation(query),
            methods=["GET"],
            operation_id=query.name.replace("-", "_"),
            summary=query.summary,
            description=query.description,
            tags=list(query.tags),
            response_class=Response,
            responses=_responses(),
            openapi_extra={"parameters": openapi_parameters(query, QUERY_FORMAT_KEYS)},
        )
        for kind, media_type in MEDIA_TYPES.items():
            router.add_api_route(
                f"/queries/{query.name}.{kind}",
                QueryDownload(query, kind),
                methods=["GET"],
                operation_id=f"{query.name.replace('-', '_')}_{kind}",
                summary=f"{query.summary} ({kind.upper()} download)",
                description=DOWNLOAD_DESCRIPTION,
                tags=list(query.tags),
                response_class=Response,
                responses={
                    200: {"description": f"The answer as {kind}.", "content": {media_type: {}}},
                    400: {
                        "description": "An undeclared, repeated, missing or ill-typed parameter."
                    },
                },
                openapi_extra={"parameters": openapi_parameters(query, ())},
            )
    router.add_api_route("/queries/{name}", unknown_query, methods=["GET"], include_in_schema=False)
    return router
