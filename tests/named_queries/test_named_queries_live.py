"""Named queries over real HTTP (uvicorn via ``live_server``): the KPI question as JSON and CSV."""

import csv
import io

import httpx
import pytest

pytestmark = pytest.mark.live

KPI2 = "https://w3id.org/sousei-kg/id/indicator/goal-2-kpi"


def test_kpi_query_json_and_csv_over_the_wire(live_server: str) -> None:
    url = live_server + "queries/list-measures-for-kpi"
    as_json = httpx.get(
        url, params={"kpi": KPI2}, headers={"Accept": "application/json"}, timeout=30
    )
    assert as_json.status_code == 200
    assert as_json.headers["content-type"].startswith("application/sparql-results+json")
    measures = {b["measure"]["value"] for b in as_json.json()["results"]["bindings"]}
    assert len(measures) == 12
    as_csv = httpx.get(
        url, params={"kpi": KPI2, "sourceStatedOnly": "true", "format": "csv"}, timeout=30
    )
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert len({r["measure"] for r in rows}) == 5  # 地域医療… is matched by us (issue 17)
    bad = httpx.get(url, params={"kpi": KPI2, "x": "1"}, timeout=30)
    assert bad.status_code == 400 and "undeclared" in bad.text
