"""``/tables/{name}.csv``, ``/tables/{name}.csv-metadata.json`` and ``/tables/csv-metadata.json``:
the main tables as CSV on the Web (:mod:`sousei_kg.publication.csv_tables`) with their CSVW
metadata (:mod:`sousei_kg.publication.csvw_metadata`).

Each CSV names its metadata in a ``Link`` header (``rel="describedby"``), which is how a CSVW
processor finds it first. Every answer is written once (per dataset version for the CSV) and
carries a strong ``ETag``; the paths are in the rate limit's cheap "pages" class.
"""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from sousei_kg.http.conditional import etag_for, not_modified, validators
from sousei_kg.http.deps import GraphDep, SettingsDep, public_base
from sousei_kg.http.errors import error_response
from sousei_kg.publication.csv_tables import (
    MEDIA_TYPE,
    TABLES,
    TABLES_PATH,
    CsvTable,
    csv_table,
    csv_table_bytes,
)
from sousei_kg.publication.csvw_metadata import GROUP_FILENAME, metadata_bytes
from sousei_kg.publication.csvw_metadata import MEDIA_TYPE as METADATA_MEDIA_TYPE

router = APIRouter(tags=["harvesting"])

CACHE_CONTROL = "public, max-age=300"
"""The tables change only with the dataset version; the ETag revalidates them after that."""


def _unknown(name: str) -> Response:
    offered = ", ".join(table.filename for table in TABLES)
    return error_response(404, f"no table {name!r}; offered: {offered}")


def describedby(base: str, table: CsvTable) -> str:
    """The ``Link`` header value naming a table's CSVW metadata."""
    return f'<{base}{table.metadata_path}>; rel="describedby"; type="{METADATA_MEDIA_TYPE}"'


@router.get(
    f"/{TABLES_PATH}/{GROUP_FILENAME}",
    summary="CSVW metadata of every table (a table group)",
    response_model=None,
)
@router.head(f"/{TABLES_PATH}/{GROUP_FILENAME}", include_in_schema=False, response_model=None)
def group_metadata(request: Request, graph: GraphDep) -> Response:
    """The CSVW table group describing every table of ``/tables/``."""
    etag = etag_for(graph, f"/{TABLES_PATH}/{GROUP_FILENAME}")
    headers = {**validators(graph, etag), "Cache-Control": CACHE_CONTROL}
    if (cached := not_modified(request, graph, etag)) is not None:
        cached.headers.update(headers)
        return cached
    return Response(metadata_bytes(None), media_type=METADATA_MEDIA_TYPE, headers=headers)


@router.get(
    f"/{TABLES_PATH}/{{name}}.csv-metadata.json",
    summary="CSVW metadata of one table",
    response_model=None,
)
@router.head(
    f"/{TABLES_PATH}/{{name}}.csv-metadata.json", include_in_schema=False, response_model=None
)
def table_metadata(name: str, request: Request, graph: GraphDep) -> Response:
    """The CSVW metadata of ``/tables/{name}.csv``: its columns, their titles and datatypes, its
    primary key and how its rows become RDF."""
    table = csv_table(name)
    if table is None:
        return _unknown(name)
    etag = etag_for(graph, "/" + table.metadata_path)
    headers = {**validators(graph, etag), "Cache-Control": CACHE_CONTROL}
    if (cached := not_modified(request, graph, etag)) is not None:
        cached.headers.update(headers)
        return cached
    return Response(metadata_bytes(table.slug), media_type=METADATA_MEDIA_TYPE, headers=headers)


@router.get(f"/{TABLES_PATH}/{{name}}.csv", summary="A table as CSV", response_model=None)
@router.head(f"/{TABLES_PATH}/{{name}}.csv", include_in_schema=False, response_model=None)
def table_csv(name: str, request: Request, graph: GraphDep, settings: SettingsDep) -> Response:
    """One of the main tables (``measures``, ``organisations``, ``programmes``,
    ``attributions``) as CSV: UTF-8 with a byte-order mark, a header row of column names, one
    row per measure (or programme) and organisation; its CSVW metadata is named by ``Link``."""
    table = csv_table(name)
    if table is None:
        return _unknown(name)
    etag = etag_for(graph, "/" + table.path)
    headers = {
        **validators(graph, etag),
        "Cache-Control": CACHE_CONTROL,
        "Content-Disposition": f'inline; filename="{table.filename}"',
        "Link": describedby(public_base(request, settings), table),
    }
    if (cached := not_modified(request, graph, etag)) is not None:
        cached.headers.update(headers)
        return cached
    return Response(csv_table_bytes(graph, table), media_type=MEDIA_TYPE, headers=headers)
