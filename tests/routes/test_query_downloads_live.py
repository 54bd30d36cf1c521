"""The download URLs over real HTTP, read the way analysts read them: pandas ``read_csv`` and
``read_excel`` straight from the URL, whatever ``Accept`` they send (issue 16: pandas on
``/queries/NAME`` got JSON parsed as CSV, 0 rows by 869 columns, and no error)."""

import pandas as pd
import pytest

pytestmark = pytest.mark.live

KPI2 = "https://w3id.org/sousei-kg/id/indicator/goal-2-kpi"
LEVELS = {"OfficialSource", "SecondarySource", "WidelyKnown", "Inferred"}


@pytest.mark.parametrize("accept", [None, "application/json", "text/html"])
def test_pandas_reads_the_kpi_csv_whatever_it_accepts(live_server: str, accept: str | None) -> None:
    url = f"{live_server}queries/list-measures-for-kpi.csv?kpi={KPI2}"
    options = {"Accept": accept} if accept else None
    frame = pd.read_csv(url, storage_options=options)
    assert "organisationConfidence" in frame.columns and "kpi" not in frame.columns
    assert frame.columns[0] == "kpiLabel"  # the byte-order mark is not part of a name
    assert frame["measure"].nunique() == 12
    assert set(frame["organisationConfidence"].dropna()) <= LEVELS
    mlit = frame[frame["organisationLabel"] == "国土交通省"]
    assert set(mlit["organisationConfidence"]) == {
        "OfficialSource",
        "SecondarySource",
        "WidelyKnown",
    }


def test_pandas_reads_the_tsv_and_the_workbook(live_server: str) -> None:
    base = f"{live_server}queries/list-measures-by-organization"
    tsv = pd.read_csv(base + ".tsv", sep="\t")
    assert {"organisation", "organisationConfidence", "measure"} <= set(tsv.columns)
    assert set(tsv["organisationConfidence"]) <= LEVELS
    sheets = pd.read_excel(base + ".xlsx", sheet_name=None)
    first = next(iter(sheets.values()))
    assert any("Confidence of the organisation" in str(c) for c in first.columns)
    assert len(first) == len(tsv)
