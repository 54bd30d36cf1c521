"""``/tables/{name}.csv`` and their CSVW metadata (issue 18, "CSV on the Web"): the routes, their
headers, and what the tables and the metadata documents hold."""

import csv
import io
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from sousei_kg.named_queries.tables import CONFIDENCE_LEVELS
from sousei_kg.publication.csv_tables import TABLES, CsvTable

BOM = "\ufeff"
ID = "https://w3id.org/sousei-kg/id/"
TABLE_IDS = [table.slug for table in TABLES]


def rows(client: TestClient, path: str) -> list[dict[str, str]]:
    response = client.get(path)
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def metadata(client: TestClient, path: str) -> dict[str, Any]:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/csvm+json"
    document: dict[str, Any] = json.loads(response.content)
    return document


@pytest.mark.parametrize("table", TABLES, ids=TABLE_IDS)
def test_each_table_is_csv_with_a_bom_and_names_its_metadata(
    client: TestClient, table: CsvTable
) -> None:
    response = client.get(f"/tables/{table.slug}.csv")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8; header=present"
    text = response.content.decode("utf-8")
    assert text.startswith(BOM), "a BOM, like every CSV download of the server (Excel, issue 16)"
    header = next(csv.reader(io.StringIO(text.removeprefix(BOM))))
    assert tuple(header) == table.names
    assert response.headers["link"] == (
        f'<http://testserver/tables/{table.slug}.csv-metadata.json>; rel="describedby"; '
        'type="application/csvm+json"'
    )
    assert response.headers["etag"].startswith('"')
    assert response.headers["last-modified"]
    assert len(text.splitlines()) > 2


@pytest.mark.parametrize("table", TABLES, ids=TABLE_IDS)
def test_a_table_revalidates_with_its_etag(client: TestClient, table: CsvTable) -> None:
    first = client.get(f"/tables/{table.slug}.csv")
    again = client.get(
        f"/tables/{table.slug}.csv", headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304
    assert again.headers["link"] == first.headers["link"]
    assert client.get(f"/tables/{table.slug}.csv").content == first.content
    head = client.head(f"/tables/{table.slug}.csv")
    assert head.status_code == 200
    assert head.headers["etag"] == first.headers["etag"]
    meta = client.get(f"/tables/{table.slug}.csv-metadata.json")
    assert meta.headers["etag"] != first.headers["etag"]
    cached = client.get(
        f"/tables/{table.slug}.csv-metadata.json", headers={"If-None-Match": meta.headers["etag"]}
    )
    assert cached.status_code == 304


def test_an_unknown_table_is_404(client: TestClient) -> None:
    for path in ("/tables/kpis.csv", "/tables/kpis.csv-metadata.json"):
        response = client.get(path, headers={"Accept": "text/plain"})
        assert response.status_code == 404
        assert "measures.csv" in response.text


def test_measures_have_one_row_per_measure_and_organisation(client: TestClient) -> None:
    """Never several organisations in one cell: each has its row, its labels and its
    confidence beside it (the issue-17 columns)."""
    found = rows(client, "/tables/measures.csv")
    keys = [(row["measure"], row["organisation"]) for row in found]
    assert len(keys) == len(set(keys))
    measures = {row["measure"] for row in found}
    assert len(measures) == 40
    with_organisation = [row for row in found if row["organisation"]]
    assert len(with_organisation) > len({row["measure"] for row in with_organisation})
    for row in with_organisation:
        assert row["organisation"].startswith(ID + "org/")
        assert " " not in row["organisation"]
        assert row["organisationLabel"] and row["organisationLabelEn"]
        assert row["organisationConfidence"] in CONFIDENCE_LEVELS
        assert row["organisationAttribution"].startswith(ID + "attribution/")
    for row in found:
        assert row["goal"] == "" or row["goal"].startswith(ID + "goal/")
        for output in row["output"].split():
            assert output.startswith(ID + "output/")
        assert row["output"].split() == sorted(row["output"].split())


def test_measures_agree_with_the_named_query(client: TestClient) -> None:
    """The table and ``list-measures-by-organization`` (issue 17) give the same measure,
    organisation and confidence triples."""
    table = {
        (row["measure"], row["organisation"], row["organisationConfidence"])
        for row in rows(client, "/tables/measures.csv")
        if row["organisation"]
    }
    query = {
        (row["measure"], row["organisation"], row["organisationConfidence"])
        for row in rows(client, "/queries/list-measures-by-organization.csv")
    }
    assert table == query


def test_organisations_programmes_and_attributions(client: TestClient) -> None:
    organisations = rows(client, "/tables/organisations.csv")
    assert len(organisations) == len({row["organisation"] for row in organisations}) == 15
    assert sum(int(row["measures"]) for row in organisations) > 40
    programmes = rows(client, "/tables/programmes.csv")
    assert {row["programme"] for row in programmes} >= {ID + "programme/relocation-support"}
    assert all(row["organisationConfidence"] in CONFIDENCE_LEVELS for row in programmes)
    attributions = rows(client, "/tables/attributions.csv")
    assert len(attributions) == len({row["attribution"] for row in attributions})
    for row in attributions:
        assert row["confidence"] in CONFIDENCE_LEVELS
        assert bool(row["object"]) != bool(row["objectValue"]), "an IRI or a literal"
    dated = next(row for row in attributions if row["objectDatatype"].endswith("#date"))
    assert len(dated["source"].split()) >= 2
    assert any(row["note"] for row in attributions)
    assert any(row["objectLanguage"] == "en" for row in attributions)


@pytest.mark.parametrize("table", TABLES, ids=TABLE_IDS)
def test_each_metadata_document_describes_its_table(client: TestClient, table: CsvTable) -> None:
    document = metadata(client, f"/tables/{table.slug}.csv-metadata.json")
    assert document["@context"] == ["http://www.w3.org/ns/csvw", {"@language": "ja"}]
    assert document["url"] == f"{table.slug}.csv"
    assert document["dc:license"] == {"@id": "https://creativecommons.org/licenses/by/4.0/"}
    assert {title["@language"] for title in document["dc:title"]} == {"ja", "en"}
    schema = document["tableSchema"]
    assert schema["aboutUrl"] == "{+" + table.primary_key[0] + "}"
    key = schema["primaryKey"]
    assert (key if isinstance(key, list) else [key]) == list(table.primary_key)
    columns = [column for column in schema["columns"] if not column.get("virtual")]
    assert tuple(column["name"] for column in columns) == table.names
    for column in columns:
        assert column["titles"]["ja"] and column["titles"]["en"], column["name"]
        assert column["titles"]["und"] == column["name"], "the header row holds the name"
        assert column["datatype"]
        if not column.get("suppressOutput"):
            assert column["propertyUrl"], column["name"]
    (virtual,) = [column for column in schema["columns"] if column.get("virtual")]
    assert virtual["propertyUrl"] == "rdf:type"
    by_name = {column["name"]: column for column in columns}
    if "organisationConfidence" in by_name:
        assert by_name["organisation"]["valueUrl"] == "{+organisation}"
        assert by_name["organisationConfidence"]["aboutUrl"] == "{+organisationAttribution}"
        assert by_name["organisationConfidence"]["valueUrl"] == (
            "https://w3id.org/sousei-kg/def#{organisationConfidence}"
        )


def test_the_table_group_lists_every_table(client: TestClient) -> None:
    group = metadata(client, "/tables/csv-metadata.json")
    assert group["@context"] == ["http://www.w3.org/ns/csvw", {"@language": "ja"}]
    assert group["@type"] == "TableGroup"
    assert [table["url"] for table in group["tables"]] == [table.filename for table in TABLES]
    for described in group["tables"]:
        single = metadata(client, f"/tables/{described['url']}-metadata.json")
        assert described == {key: value for key, value in single.items() if key != "@context"}
