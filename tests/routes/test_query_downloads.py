"""``/queries/{name}.{csv,tsv,json,xml,xlsx}``: every named query at a URL that names its format,
whatever ``Accept`` says; tidy columns with the organisations' confidence; the same limits as the
query's own route (issue 16, "Downloads analysts open"; issue 17, the organisation columns)."""

import csv
import io
from collections.abc import Callable

import openpyxl
import pytest
from fastapi.testclient import TestClient
from openpyxl.utils import get_column_letter
from pyoxigraph import QueryResultsFormat, QuerySolutions, parse_query_results

from sousei_kg.app import direct_routes
from sousei_kg.config import Settings
from sousei_kg.http.direct_routes import check_endpoint
from sousei_kg.named_queries.catalogue import catalog_for
from sousei_kg.routes.query_downloads import MEDIA_TYPES, QueryDownload

KPI2 = "https://w3id.org/sousei-kg/id/indicator/goal-2-kpi"
KPI_CSV = "/queries/list-measures-for-kpi.csv"
ACCEPTS = ["application/json", "text/html", "*/*", "application/sparql-results+xml"]
EXAMPLES = [
    (query.name, {p.name: p.example for p in query.params if p.example is not None})
    for query in catalog_for(None)
]


def read_csv(body: bytes) -> list[dict[str, str]]:
    assert body.startswith(b"\xef\xbb\xbf"), "Excel needs the byte-order mark"
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.mark.parametrize(("name", "params"), EXAMPLES, ids=[n for n, _ in EXAMPLES])
@pytest.mark.parametrize("kind", sorted(MEDIA_TYPES))
def test_every_query_answers_in_the_format_its_url_names(
    client: TestClient, name: str, params: dict[str, str], kind: str
) -> None:
    for accept in ACCEPTS:
        response = client.get(f"/queries/{name}.{kind}", params=params, headers={"Accept": accept})
        assert response.status_code == 200, response.text[:300]
        assert response.headers["content-type"] == MEDIA_TYPES[kind], accept
        assert response.headers["content-disposition"] == (f'attachment; filename="{name}.{kind}"')
    if kind == "json":
        parsed = parse_query_results(response.content, format=QueryResultsFormat.JSON)
        assert isinstance(parsed, QuerySolutions) and list(parsed)
    if kind == "tsv":
        assert not response.content.startswith(b"\xef\xbb\xbf")
        header = response.text.splitlines()[0].split("\t")
        assert header and all(not h.startswith("?") for h in header)


def test_goal_2_csv_shows_each_ministry_with_our_confidence(client: TestClient) -> None:
    """Done when: an analyst who exports the goal-2 KPI CSV sees, for each ministry, how sure
    we are; one row per path and organisation, never a packed cell."""
    rows = read_csv(client.get(KPI_CSV, params={"kpi": KPI2}).content)
    assert {r["goal"] for r in rows} == {"https://w3id.org/sousei-kg/id/goal/2"}
    assert len({r["measure"] for r in rows}) == 12
    with_org = [r for r in rows if r["organisation"]]
    assert with_org and all(
        r["organisationConfidence"]
        in {"OfficialSource", "SecondarySource", "WidelyKnown", "Inferred"}
        for r in with_org
    )
    assert all(" / " not in r["organisationLabel"] for r in rows)
    mlit = {r["organisationConfidence"] for r in with_org if r["organisationLabel"] == "国土交通省"}
    assert mlit == {"OfficialSource", "SecondarySource", "WidelyKnown"}
    # The measure nobody could honestly attribute is there, with empty organisation cells.
    lively = [r for r in rows if r["measure"].endswith("/lively-sustainable-communities")]
    assert lively and all(r["organisation"] == r["organisationConfidence"] == "" for r in lively)


def test_downloads_leave_out_the_columns_that_echo_the_request(client: TestClient) -> None:
    bound = read_csv(client.get(KPI_CSV, params={"kpi": KPI2}).content)
    # kpi is bound, sourceStatedOnly by its default, minConfidence left empty: none is a column.
    assert not {"kpi", "sourceStatedOnly", "minConfidence"} & set(bound[0])
    assert {"kpiLabel", "measure", "organisation", "organisationConfidence"} <= set(bound[0])
    unbound = read_csv(client.get(KPI_CSV).content)
    assert "kpi" in unbound[0]  # every KPI: then the column carries data
    assert len({r["kpi"] for r in unbound}) == 3
    by_org = read_csv(
        client.get(
            "/queries/list-measures-by-organization.csv",
            params={"organization": "https://w3id.org/sousei-kg/id/org/mlit"},
        ).content
    )
    assert "organization" not in by_org[0] and "organisation" not in by_org[0]
    assert {r["organisationLabel"] for r in by_org} == {"国土交通省"}


def test_min_confidence_in_a_download(client: TestClient) -> None:
    rows = read_csv(
        client.get(KPI_CSV, params={"kpi": KPI2, "minConfidence": "SecondarySource"}).content
    )
    assert {r["organisationConfidence"] for r in rows} == {"OfficialSource", "SecondarySource"}
    assert "minConfidence" not in rows[0]


def test_xlsx_download_is_a_tidy_sheet(client: TestClient) -> None:
    response = client.get("/queries/list-measures-for-kpi.xlsx", params={"kpi": KPI2})
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    assert book.sheetnames[-1] == "About"
    assert sheet.freeze_panes == "A2"
    headings = [str(c.value) for c in sheet[1]]
    confidence = next(h for h in headings if "担当府省庁の確度" in h)
    assert "Confidence of the organisation" in confidence
    letters = [get_column_letter(i) for i in range(1, len(headings) + 1)]
    assert all(8 <= sheet.column_dimensions[c].width <= 60 for c in letters)
    as_csv = read_csv(client.get(KPI_CSV, params={"kpi": KPI2}).content)
    assert sheet.max_row - 1 == len(as_csv)


def test_bad_parameters_and_validators(client: TestClient) -> None:
    bad = client.get(KPI_CSV, params={"kpi": KPI2, "minConfidence": "Sure"})
    assert bad.status_code == 400 and "minConfidence" in bad.text
    assert client.get(KPI_CSV, params={"nope": "1"}).status_code == 400
    first = client.get(KPI_CSV, params={"kpi": KPI2})
    again = client.get(
        KPI_CSV, params={"kpi": KPI2}, headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304
    assert client.get("/queries/no-such-query.csv").status_code == 404


def test_downloads_obey_the_result_cap(client_with: Callable[..., TestClient]) -> None:
    capped = client_with(result_cap=5)
    response = capped.get(KPI_CSV)
    assert response.headers["x-result-truncated"] == "true"
    assert response.headers["x-result-limit"] == "5"
    assert len(read_csv(response.content)) == 5


def test_downloads_are_on_the_lean_path() -> None:
    """The download URLs are answered by the same middleware stack as /queries/{name}: the lean
    path holds each one, and each endpoint takes exactly (request, graph, settings)."""
    routes = {path: endpoint for _methods, path, endpoint in direct_routes(Settings())}
    for query in catalog_for(None):
        for kind in MEDIA_TYPES:
            endpoint = routes[f"/queries/{query.name}.{kind}"]
            assert isinstance(endpoint, QueryDownload)
            check_endpoint(endpoint)
