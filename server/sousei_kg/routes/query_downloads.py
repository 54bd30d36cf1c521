"""``/queries/{name}.{csv,tsv,json,xml,xlsx}``: each named query at a URL that names its format,
for analysts and their tools (issue 16, "Downloads analysts open").

The URL decides the format, whatever ``Accept`` says: pandas' ``read_csv`` sends ``Accept: */*``
and used to get JSON back from ``/queries/{name}``. ``.json`` and ``.xml`` are the SPARQL results
formats, exactly as ``?format=json`` gives them. ``.csv``, ``.tsv`` and ``.xlsx`` are tidy tables
(:mod:`sousei_kg.named_queries.tables`): the header's columns without the parameters the request
bound, plain cells, CSV with a byte-order mark for Excel. Every download runs like the query's
own route (same parameters, time limit, result cap, fair share, caches and rate limit: the lean
path calls this endpoint below the same middleware), and says when the cap cut it.
"""

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from sousei_kg.config import Settings
from sousei_kg.dataset.knowledge_graph import KnowledgeGraph
from sousei_kg.execution.evaluate import term_to_spec
from sousei_kg.execution.jobs import QueryJob
from sousei_kg.http.conditional import etag_for, not_modified, validators
from sousei_kg.http.deps import GraphDep, SettingsDep, public_base
from sousei_kg.http.errors import response_for
from sousei_kg.http.query_answers import limit_headers, run_limited, solutions_limited
from sousei_kg.linked_data.label_search import NAMED_QUERY, IndexedQuery, indexed_named_query
from sousei_kg.named_queries.catalogue import NamedQuery
from sousei_kg.named_queries.parameters import RESERVED_PARAMS, ParameterError
from sousei_kg.named_queries.tables import delimited, download_columns, table_of
from sousei_kg.remote.compatibility import refuse_if_wrong_on_engine
from sousei_kg.sparql.formats import JSON_RESULTS, XML_RESULTS
from sousei_kg.store.readable import Term
from sousei_kg.web.workbook import MEDIA_TYPE as XLSX_MEDIA_TYPE
from sousei_kg.web.workbook import workbook

DOWNLOAD_ROWS = 100_000
"""The most rows a tidy download holds when the server has no result cap (it is built whole)."""
MEDIA_TYPES: dict[str, str] = {
    "csv": "text/csv; charset=utf-8; header=present",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "json": JSON_RESULTS.content_type,
    "xml": XML_RESULTS.content_type,
    "xlsx": XLSX_MEDIA_TYPE,
}
"""The formats a download URL can name, by extension."""
_SPARQL_RESULTS = {"json": JSON_RESULTS, "xml": XML_RESULTS}


def _bindings(request: Request, query: NamedQuery) -> dict[str, Any]:
    values: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        if key not in RESERVED_PARAMS:
            values.setdefault(key, []).append(value)
    return query.bind(values)


async def query_to_run(
    graph: KnowledgeGraph, query: NamedQuery, bindings: Mapping[str, Term], row_cap: int
) -> IndexedQuery:
    """What to run for ``query``: its own text, or for search-labels the same answer read from
    the label index where the dataset has one (issue 20; read off the event loop)."""
    own = IndexedQuery(query.text, detached=False)
    if query.name != NAMED_QUERY:
        return own
    indexed = await run_in_threadpool(
        indexed_named_query, graph, query.name, query.text, bindings, row_cap
    )
    return indexed or own


async def download(
    request: Request, graph: KnowledgeGraph, settings: Settings, query: NamedQuery, kind: str
) -> Response:
    """Run ``query`` with the request's parameters and answer in the format ``kind`` names.

    Returns:
        400 for bad parameters; 304 when the client's validator matches; else the download, as an
        attachment named after the query, with ``X-Result-Truncated: true`` if the cap cut it.
    """
    refuse_if_wrong_on_engine(settings, query.name)
    try:
        bindings = _bindings(request, query)
    except ParameterError as error:
        return response_for(error)
    signature = "&".join(f"{k}={v}" for k, v in sorted(bindings.items()))
    etag = etag_for(graph, "download", query.name, signature, kind)
    if (cached := not_modified(request, graph, etag)) is not None:
        return cached
    headers = {
        **validators(graph, etag),
        "Content-Disposition": f'attachment; filename="{query.name}.{kind}"',
    }
    substitutions = tuple((name, term_to_spec(term)) for name, term in bindings.items())
    if kind in _SPARQL_RESULTS:
        fmt = _SPARQL_RESULTS[kind]
        run = await query_to_run(graph, query, bindings, settings.result_cap)
        job = QueryJob(
            query=run.text,
            detached=run.detached,
            solutions_format=fmt.key,
            graph_format=None,
            row_cap=settings.result_cap,
            byte_cap=settings.result_max_bytes,
            substitutions=substitutions,
            cap_link=public_base(request, settings) + "limits#result-cap",
        )
        return await run_limited(request, job, settings, headers)
    row_cap = settings.result_cap or DOWNLOAD_ROWS
    run = await query_to_run(graph, query, bindings, row_cap)
    job = QueryJob(
        query=run.text,
        detached=run.detached,
        solutions_format=JSON_RESULTS.key,
        graph_format=None,
        row_cap=row_cap,
        byte_cap=settings.result_max_bytes,
        substitutions=substitutions,
        cap_link=public_base(request, settings) + "limits#result-cap",
    )
    answered = await solutions_limited(request, job, settings, headers, query.name)
    if isinstance(answered, Response):
        return answered
    outcome, result = answered
    table = table_of(
        query.name,
        result,
        download_columns(query, bindings),
        parameters=[p.name for p in query.params],
        echoes=bindings.values(),
        truncated=outcome.truncated,
    )
    headers = {**headers, **limit_headers(settings), "Content-Type": MEDIA_TYPES[kind]}
    if outcome.truncated:
        headers["X-Result-Truncated"] = "true"
    if kind == "xlsx":
        body = workbook(
            [table],
            title=query.summary,
            source_url=str(request.url),
            version=graph.version,
        )
    else:
        body = delimited(table, delimiter="\t" if kind == "tsv" else ",", bom=kind == "csv")
    return Response(body, headers=headers)


class QueryDownload:
    """The endpoint of one named query in one format (a callable object, like
    :class:`sousei_kg.routes.queries.QueryOperation`, so the lean path can call it)."""

    def __init__(self, query: NamedQuery, kind: str) -> None:
        if kind not in MEDIA_TYPES:
            raise ValueError(f"no download format {kind!r}; known: {', '.join(MEDIA_TYPES)}")
        self.query = query
        self.kind = kind

    async def __call__(self, request: Request, graph: GraphDep, settings: SettingsDep) -> Response:
        return await download(request, graph, settings, self.query, self.kind)


def download_url(base: str, name: str, kind: str, params: dict[str, str]) -> str:
    """The URL of a named query's download, with its parameters (for the pages' links)."""
    query = urlencode(params)
    return f"{base}queries/{name}.{kind}" + (f"?{query}" if query else "")
