"""The pages carry our confidence wherever a curated statement shows (issue 17), and give analysts
Excel workbooks of the KPI explorer and the organisation views (issue 16)."""

import io
import re

import openpyxl
from fastapi.testclient import TestClient
from rdflib import RDF, Graph, Namespace, URIRef

ID = "https://w3id.org/sousei-kg/id/"
SOUSEI = Namespace("https://w3id.org/sousei-kg/def#")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_landing_page_says_what_the_summary_states_and_what_we_attribute(
    client: TestClient,
) -> None:
    page = client.get("/?lang=en").text
    assert "The summary names no ministry" in page
    assert "ministries responsible, all linked" not in page
    section = page[page.index('id="trust-title"') :]
    assert "Stated in the summary" in section and "Attributed by us" in section
    # The curated statements counted by level, each level linked to its definition.
    counts = dict(
        re.findall(r'class="confidence level-(\w+)"[^>]*>[^<]+</a></th><td>(\d+)', section)
    )
    assert set(counts) == {"OfficialSource", "SecondarySource", "WidelyKnown", "Inferred"}
    assert all(int(n) > 0 for n in counts.values())
    japanese = client.get("/?lang=ja").text
    assert "要約は担当府省庁を書いていません" in japanese


def test_kpi_explorer_min_confidence_says_how_many_dropped(client: TestClient) -> None:
    everything = client.get("/kpis?kpi=goal-2-kpi&lang=en").text
    assert "12 measures" in everything and 'id="dropped"' not in everything
    page = client.get("/kpis?kpi=goal-2-kpi&minConfidence=SecondarySource&lang=en").text
    assert "8 measures" in page
    assert re.search(r'id="dropped">; 4 measures dropped: no responsible organisation at', page)
    assert "level-WidelyKnown" not in page.split('class="kpi-paths"')[1].split("</table>")[0]
    assert '<option value="SecondarySource" selected>' in page
    assert "minConfidence=SecondarySource" in page.split('id="csv-download"')[1][:300]
    bad = client.get("/kpis?kpi=goal-2-kpi&minConfidence=Certain")
    assert bad.status_code == 400 and "minConfidence" in bad.text


def test_kpi_workbook_has_a_sheet_per_kpi_with_the_confidence_column(client: TestClient) -> None:
    response = client.get("/kpis.xlsx")
    assert response.status_code == 200 and response.headers["content-type"] == XLSX
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["1. goal-1-kpi", "2. goal-2-kpi", "3. goal-3-kpi", "About"]
    for sheet in book.worksheets[:3]:
        assert sheet.freeze_panes == "A2"
        headings = [str(c.value) for c in sheet[1]]
        assert any(h.startswith("担当府省庁の確度\n") for h in headings)
        assert sheet.column_dimensions["A"].width and sheet.column_dimensions["A"].width <= 60
    one = openpyxl.load_workbook(io.BytesIO(client.get("/kpis.xlsx?kpi=goal-2-kpi").content))
    assert one.sheetnames == ["2. goal-2-kpi", "About"]
    about = [str(c.value) for row in one["About"].iter_rows() for c in row if c.value]
    assert "OfficialSource" in about and any("kpis.xlsx" in a for a in about)


def test_an_unknown_kpi_gets_404_not_every_kpi(client: TestClient) -> None:
    response = client.get("/kpis.xlsx?kpi=goal-9-kpi")
    assert response.status_code == 404
    assert "goal-9-kpi" in response.text and "goal-2-kpi" in response.text
    assert response.headers["content-type"] != XLSX
    assert client.get("/kpis.xlsx?kpi=").status_code == 200  # empty: the whole workbook


def test_organisation_workbooks_have_a_sheet_per_view(client: TestClient) -> None:
    book = openpyxl.load_workbook(io.BytesIO(client.get("/organisations.xlsx").content))
    overview = book.worksheets[0]
    headings = [str(c.value) for c in overview[1]]
    assert headings[3] == "施策数\nMeasures" and "うち推定\nof which Inferred" in headings
    assert len(book.sheetnames) == 1 + 14 + 1  # overview, each organisation with measures, About
    mlit = openpyxl.load_workbook(io.BytesIO(client.get("/organisations/mlit.xlsx").content))
    sheet = mlit.worksheets[0]
    confidence = [str(c.value) for c in sheet[1]].index(
        "担当府省庁の確度\nConfidence of the organisation"
    )
    levels = {row[confidence].value for row in sheet.iter_rows(min_row=2)}
    assert levels == {"OfficialSource", "SecondarySource", "WidelyKnown"}
    assert client.get("/organisations/nope.xlsx").status_code == 404
    page = client.get("/organisations/mlit").text
    assert 'href="http://testserver/organisations/mlit.xlsx"' in page
    assert 'href="http://testserver/organisations.xlsx"' in client.get("/organisations").text


def test_split_measures_keep_their_iris_and_link_their_programmes(client: TestClient) -> None:
    """Issue 17: the two nodes that were both Measure and Programme split; no IRI goes away."""
    for measure, programme in (
        ("accompanying-support-system", "accompanying-support-system"),
        ("new-export-support-10000-companies", "new-export-support"),
    ):
        old = client.get(f"/id/measure/{measure}", follow_redirects=False)
        assert old.status_code == 303
        graph = Graph().parse(data=client.get(f"/doc/measure/{measure}.ttl").text, format="turtle")
        node, target = URIRef(ID + f"measure/{measure}"), URIRef(ID + f"programme/{programme}")
        assert set(graph.objects(node, RDF.type)) == {SOUSEI.Measure}
        assert (node, SOUSEI.involvesProgramme, target) in graph
        assert client.get(f"/id/programme/{programme}", follow_redirects=True).status_code == 200
        doc = Graph().parse(
            data=client.get(f"/doc/programme/{programme}.ttl").text, format="turtle"
        )
        assert set(doc.objects(target, RDF.type)) == {SOUSEI.Programme}
