"""The CSV tables read by a CSVW processor (the ``csvw`` package): each validates against its
metadata, and csv2rdf gives statements the graph holds, about our own IRIs (issue 18).

The served bytes are written to a folder as they came (byte-order mark included) and read
from there: the ``csvw`` package decodes a local file as the tabular data model says (the
Encoding Standard's UTF-8 decoder, which drops the mark), while over HTTP it decodes as plain
``utf-8`` and keeps the mark in the first heading (docs/deployment.md, "CSV on the Web"). The
metadata is still found the way a processor finds it over HTTP: by the CSV's ``Link`` header.
"""

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import csvw
import csvw.utils
import pytest
from csvw.metadata_utils import NAMESPACES
from fastapi.testclient import TestClient
from pyoxigraph import Literal, NamedNode, Store
from rdflib import Graph, Namespace, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.namespace import DCTERMS, FOAF, RDF

from sousei_kg.publication.csv_tables import TABLES, CsvTable
from sousei_kg.publication.csvw_metadata import GROUP_FILENAME

ID = "https://w3id.org/sousei-kg/id/"
OURS = ("https://w3id.org/sousei-kg/",)
TABLE_IDS = [table.slug for table in TABLES]
Triple = tuple[str, str, str]
DCAT = Namespace("http://www.w3.org/ns/dcat#")


@pytest.fixture(scope="module")
def folder(client: TestClient, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every table and metadata document as served, in one folder."""
    out = tmp_path_factory.mktemp("tables")
    names = [GROUP_FILENAME]
    for table in TABLES:
        names += [table.filename, table.metadata_filename]
    for name in names:
        response = client.get(f"/tables/{name}")
        assert response.status_code == 200, name
        (out / name).write_bytes(response.content)
    return out


@pytest.fixture(scope="module")
def store(client: TestClient) -> Store:
    """The store the app serves (its union graph is what csv2rdf must agree with)."""
    app: Any = client.app
    served: Store = app.state.knowledge_graph.store
    return served


def read(path: Path) -> csvw.CSVW:
    """A CSVW processor's view of a metadata document, with every warning kept."""
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        return csvw.CSVW(str(path), validate=True)


@pytest.mark.parametrize("table", TABLES, ids=TABLE_IDS)
def test_each_table_validates_against_its_metadata(folder: Path, table: CsvTable) -> None:
    processor = read(folder / table.metadata_filename)
    assert processor.is_valid, [str(warning.message) for warning in processor.warnings]
    (described,) = processor.tables
    assert described.check_primary_key()
    # Strict reading raises at the first cell that does not fit its column.
    parsed = list(described.iterdicts())
    lines = (folder / table.filename).read_text(encoding="utf-8-sig").splitlines()
    assert len(parsed) == len(lines) - 1 > 0
    assert list(parsed[0])[: len(table.names)] == list(table.names)


def test_the_table_group_validates(folder: Path) -> None:
    processor = read(folder / GROUP_FILENAME)
    assert processor.is_valid, [str(warning.message) for warning in processor.warnings]
    assert [table.url.string for table in processor.tables] == [t.filename for t in TABLES]


def test_a_broken_table_does_not_validate(folder: Path, tmp_path: Path) -> None:
    """The check has teeth: a confidence level that is none of the scheme's fails."""
    for name in ("measures.csv", "measures.csv-metadata.json"):
        (tmp_path / name).write_bytes((folder / name).read_bytes())
    text = (tmp_path / "measures.csv").read_text(encoding="utf-8")
    (tmp_path / "measures.csv").write_text(
        text.replace(",OfficialSource,", ",Official,", 1), encoding="utf-8"
    )
    assert not read(tmp_path / "measures.csv-metadata.json").is_valid


def expand(name: str) -> str:
    """A property as csv2json writes it (``skos:prefLabel``), as an IRI."""
    prefix, _, local = name.partition(":")
    return NAMESPACES[prefix] + local if prefix in NAMESPACES and "//" not in name else name


def statements(node: dict[str, Any]) -> Iterator[Triple]:
    """The triples of one csv2json ``describes`` object (nested objects included)."""
    subject = node["@id"]
    for key, values in node.items():
        if key == "@id":
            continue
        predicate = str(RDF.type) if key == "@type" else expand(key)
        for value in values if isinstance(values, list) else [values]:
            if isinstance(value, dict):
                yield subject, predicate, value["@id"]
                yield from statements(value)
            elif key == "@type":  # csv2json writes a class of a known vocabulary prefixed
                yield subject, predicate, expand(str(value))
            else:
                yield subject, predicate, str(value)


def csv2rdf(folder: Path, table: CsvTable) -> list[Triple]:
    """The statements a CSVW processor makes of a table (csv2json's standard mode, read as RDF:
    the ``csvw`` package has no csv2rdf of its own)."""
    converted = read(folder / table.metadata_filename).to_json()
    return [
        triple
        for row in converted["tables"][0]["row"]
        for node in row["describes"]
        for triple in statements(node)
    ]


def holds(store: Store, triple: Triple) -> bool:
    """The union graph holds the triple (a literal in any language or datatype)."""
    subject, predicate, value = triple
    found = store.quads_for_pattern(NamedNode(subject), NamedNode(predicate), None, None)
    if value.startswith(("http://", "https://")):
        return any(quad.object == NamedNode(value) for quad in found)
    return any(isinstance(q.object, Literal) and q.object.value == value for q in found)


@pytest.mark.parametrize("table", TABLES, ids=TABLE_IDS)
def test_csv2rdf_gives_statements_of_the_graph(folder: Path, store: Store, table: CsvTable) -> None:
    triples = csv2rdf(folder, table)
    subjects = {subject for subject, _, _ in triples}
    rows = (folder / table.filename).read_text(encoding="utf-8-sig").splitlines()[1:]
    assert len({s for s, p, _ in triples if p == str(RDF.type)}) == len(
        {row.split(",", 1)[0] for row in rows}
    ), "every row's aboutUrl is one of the table's key IRIs"
    for subject in subjects:
        assert subject.startswith(ID), subject
        assert next(store.quads_for_pattern(NamedNode(subject), None, None, None), None), subject
    missing = [triple for triple in set(triples) if not holds(store, triple)]
    assert missing == []
    objects = {o for _, _, o in triples if o.startswith(OURS)}
    assert objects, "csv2rdf links our IRIs"


def test_csv2rdf_of_measures_names_organisations_and_confidence(folder: Path, store: Store) -> None:
    sousei = "https://w3id.org/sousei-kg/def#"
    triples = set(csv2rdf(folder, TABLES[0]))
    responsible = {(s, o) for s, p, o in triples if p == sousei + "responsibleOrganization"}
    assert len(responsible) > 40
    confidences = {o for _, p, o in triples if p == sousei + "confidence"}
    assert confidences <= {
        sousei + level for level in ("OfficialSource", "SecondarySource", "WidelyKnown", "Inferred")
    }
    assert len(confidences) >= 2
    stated = {
        (q.subject.value, q.object.value)
        for q in store.quads_for_pattern(None, NamedNode(sousei + "responsibleOrganization"), None)
        if isinstance(q.subject, NamedNode)
        and isinstance(q.object, NamedNode)
        and q.subject.value.startswith(ID + "measure/")
    }
    assert responsible == stated


def test_the_link_header_leads_a_processor_to_the_metadata(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``csvw`` looks for the metadata of a CSV URL by its ``Link: rel="describedby"`` first (the
    requests go to the app, not the network)."""

    def head(url: str) -> tuple[str, list[csvw.utils.LinkHeader]]:
        response = client.head(url)
        links = [
            link
            for value in response.headers.get_list("link")
            for link in csvw.utils.LinkHeader.iter_links(value)
        ]
        return response.headers["content-type"].split(";")[0], links

    def get(url: str) -> csvw.utils.GetResponse:
        response = client.get(url)
        return csvw.utils.GetResponse(status_code=response.status_code, content=response.content)

    monkeypatch.setattr(csvw.utils, "request_head", head)
    monkeypatch.setattr(csvw.utils, "request_get", get)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Ignoring linked metadata…" would be a warning
        found, no_header = csvw.CSVW.locate_metadata("http://testserver/tables/measures.csv")
    assert found["url"] == "measures.csv"
    assert found["tableSchema"]["primaryKey"] == ["measure", "organisation"]
    assert no_header is False


def test_the_catalogue_lists_each_table_with_its_metadata(client: TestClient) -> None:
    dcat = Graph().parse(
        data=client.get("/dataset", headers={"Accept": "text/turtle"}).text, format="turtle"
    )
    standard = URIRef("https://www.w3.org/TR/tabular-data-model/")
    assert (standard, RDF.type, DCTERMS.Standard) in dcat
    for table in TABLES:
        dist = URIRef(f"{ID}distribution/sousei-kg-csv-{table.slug}")
        assert (dist, RDF.type, DCAT.Distribution) in dcat
        assert (URIRef(ID + "dataset/sousei-kg"), DCAT.distribution, dist) in dcat
        url = dcat.value(dist, DCAT.downloadURL)
        assert str(url) == f"http://testserver/tables/{table.filename}"
        body = client.get(str(url)).content
        assert int(str(dcat.value(dist, DCAT.byteSize))) == len(body)
        assert dcat.value(dist, DCAT.mediaType) == URIRef(
            "https://www.iana.org/assignments/media-types/text/csv"
        )
        assert dcat.value(dist, DCTERMS.format) == URIRef(
            "http://publications.europa.eu/resource/authority/file-type/CSV"
        )
        assert dcat.value(dist, DCTERMS.conformsTo) == standard
        assert dcat.value(dist, DCTERMS.title) is not None
        descriptions = list(dcat.objects(dist, DCTERMS.description))
        assert {d.language for d in descriptions if isinstance(d, RdfLiteral)} == {"ja", "en"}
        page = dcat.value(dist, FOAF.page)
        assert str(page) == f"http://testserver/tables/{table.metadata_filename}"
        assert client.get(str(page)).status_code == 200
