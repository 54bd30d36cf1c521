"""CSVW metadata (W3C Metadata Vocabulary for Tabular Data) of the tables of
:mod:`sousei_kg.publication.csv_tables`: one document per table at
``/tables/{name}.csv-metadata.json`` (where a CSVW processor looks by default) and a table group
listing all of them at ``/tables/csv-metadata.json``.

The documents say what each column holds (titles in Japanese and English, datatype), which
columns tell rows apart (``primaryKey``), and how a row becomes RDF: the row is about the IRI in
its key column (``aboutUrl``), a column's cells are values of ``propertyUrl``, IRIs through
``valueUrl`` templates, so csv2rdf gives statements about our own
``https://w3id.org/sousei-kg/id/…`` IRIs. A virtual column states each row's class.

The documents name the table by a relative ``url`` (resolved against the document's own
address) and hold nothing about the deployment or the data's version, so every server gives the
same bytes: they are written once per process.
"""

import json
from functools import cache
from typing import Any

from sousei_kg.publication.catalogue_entries import PUBLISHER_AGENT
from sousei_kg.publication.csv_tables import TABLES, CsvTable, TableColumn
from sousei_kg.publication.statistics import DATASET, LICENSE

MEDIA_TYPE = "application/csvm+json"
"""The media type IANA registered for CSVW metadata (the W3C recommendation's own)."""
CSVW_CONTEXT = "http://www.w3.org/ns/csvw"
CONTEXT: list[Any] = [CSVW_CONTEXT, {"@language": "ja"}]
"""The documents' ``@context``: CSVW, with Japanese as the language of plain text."""
GROUP_FILENAME = "csv-metadata.json"
"""The table group's file name (CSVW's default location for a folder)."""
TITLE = {"ja": "sousei-kg の表（CSV）", "en": "The tables of sousei-kg (CSV)"}
DESCRIPTION = {
    "ja": "地方創生のナレッジグラフ sousei-kg の主な表：施策、府省庁、制度・事業、帰属記述。",
    "en": "The main tables of sousei-kg, the knowledge graph of Japan's regional "
    "revitalization strategy: measures, organisations, programmes and attributions.",
}


def texts(values: dict[str, str] | Any) -> list[dict[str, str]]:
    """Language-tagged JSON-LD values, one per language."""
    return [{"@value": text, "@language": language} for language, text in values.items()]


def column_description(column: TableColumn) -> dict[str, Any]:
    """One column: its name, titles, datatype and how its cells become RDF."""
    out: dict[str, Any] = {
        "name": column.name,
        # The header row holds the name; the "und" title says so to any CSVW validator.
        "titles": {**column.titles, "und": column.name},
        "datatype": dict(column.datatype)
        if not isinstance(column.datatype, str)
        else column.datatype,
    }
    if column.required:
        out["required"] = True
    if column.separator is not None:
        out["separator"] = column.separator
    if column.lang is not None:
        out["lang"] = column.lang
    if column.about_url is not None:
        out["aboutUrl"] = column.about_url
    if column.property_url is not None:
        out["propertyUrl"] = column.property_url
    if column.value_url is not None:
        out["valueUrl"] = column.value_url
    if column.suppress:
        out["suppressOutput"] = True
    return out


def table_description(table: CsvTable) -> dict[str, Any]:
    """A table's description, without ``@context`` (as it appears in the table group)."""
    return {
        "@type": "Table",
        "url": table.filename,
        "dc:title": texts(table.titles),
        "dc:description": texts(table.descriptions),
        "dc:license": {"@id": LICENSE},
        "dc:publisher": {"@id": PUBLISHER_AGENT.iri},
        "prov:wasDerivedFrom": {"@id": DATASET},
        "dialect": {"encoding": "utf-8", "header": True, "headerRowCount": 1},
        "tableSchema": {
            "aboutUrl": table.about_url,
            "primaryKey": list(table.primary_key)
            if len(table.primary_key) > 1
            else table.primary_key[0],
            "columns": [
                *(column_description(column) for column in table.columns),
                {
                    "name": "type",
                    "virtual": True,
                    "propertyUrl": "rdf:type",
                    "valueUrl": table.rdf_class,
                },
            ],
        },
    }


def table_metadata(table: CsvTable) -> dict[str, Any]:
    """The metadata document of one table."""
    return {"@context": CONTEXT, **table_description(table)}


def group_metadata() -> dict[str, Any]:
    """The table group: every table, described in full."""
    return {
        "@context": CONTEXT,
        "@type": "TableGroup",
        "dc:title": texts(TITLE),
        "dc:description": texts(DESCRIPTION),
        "dc:license": {"@id": LICENSE},
        "dc:publisher": {"@id": PUBLISHER_AGENT.iri},
        "prov:wasDerivedFrom": {"@id": DATASET},
        "tables": [table_description(table) for table in TABLES],
    }


@cache
def metadata_bytes(slug: str | None) -> bytes:
    """The JSON of the table ``slug``'s metadata, or of the table group when ``None``."""
    document = group_metadata()
    for table in TABLES:
        if table.slug == slug:
            document = table_metadata(table)
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
