"""An engine failure on a public query (a broken store, a bug): the client keeps the generic 500
docs/security.md promises, and the server's log gets one WARNING naming the failure kind, the
query by its hash and the exception the evaluation reported (sousei_kg.http.query_answers).

The failure is provoked in the real evaluation code (sousei_kg.execution.evaluate), on the
in-process runner (``query_workers=0``), by making the store read fail as a damaged file would:
at the start of the query, or while its rows are read."""

import logging
from collections.abc import Callable, Iterator
from typing import Any, NoReturn
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from sousei_kg.execution import evaluate as evaluation
from sousei_kg.execution.jobs import QueryFailure, QueryJob, failure_detail
from sousei_kg.http.query_answers import query_digest

LOGGER = "sousei_kg.http.query_answers"
GENERIC = "500 Internal Server Error: internal error: the query could not be evaluated\n"
STORE_FILE = "/srv/sousei/store/000042.sst"
SELECT = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1"
KPI = "https://w3id.org/sousei-kg/id/indicator/goal-2-kpi"


def _fails_at_start(*_args: Any, **_kwargs: Any) -> NoReturn:
    raise OSError(5, "Input/output error", STORE_FILE)


def _fails_while_reading(*_args: Any, **_kwargs: Any) -> Iterator[object]:
    def rows() -> Iterator[object]:
        raise RuntimeError(f"corrupt page in {STORE_FILE}\nsecond line with more engine text")
        yield  # a generator: the error comes when the first row is read

    return rows()


def _named_query_text() -> str:
    from sousei_kg.named_queries.catalogue import catalog_for

    return next(q.text for q in catalog_for(None) if q.name == "list-measures-for-kpi")


@pytest.mark.parametrize(
    ("failing", "url", "accept", "query", "exception"),
    [
        (_fails_at_start, "/sparql?query=" + quote(SELECT), "application/json", SELECT, "OSError"),
        (
            _fails_while_reading,
            "/sparql?query=" + quote(CONSTRUCT),
            "text/turtle",
            CONSTRUCT,
            "RuntimeError",
        ),
        (
            _fails_at_start,
            "/queries/list-measures-for-kpi?kpi=" + quote(KPI, safe=""),
            "text/csv",
            None,
            "OSError",
        ),
        (
            _fails_at_start,
            "/queries/list-measures-for-kpi?kpi=" + quote(KPI, safe=""),
            "text/html",
            None,
            "OSError",
        ),
    ],
)
def test_the_client_gets_the_generic_message_and_the_log_gets_the_detail(
    client_with: Callable[..., TestClient],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    failing: Callable[..., object],
    url: str,
    accept: str,
    query: str | None,
    exception: str,
) -> None:
    client = client_with(query_workers=0)
    monkeypatch.setattr(evaluation, "run_protocol_query", failing)
    caplog.set_level(logging.INFO, logger=LOGGER)
    response = client.get(url, headers={"Accept": accept})
    assert response.status_code == 500
    generic = GENERIC.removeprefix("500 Internal Server Error: ").strip()
    if accept == "text/html":  # a person gets a page saying the same
        assert generic in response.text
        assert response.headers["content-type"].startswith("text/html")
    elif accept == "application/json":  # a client naming JSON gets problem details
        assert response.json() == {
            "type": "about:blank",
            "title": "Internal Server Error",
            "status": 500,
            "detail": generic,
        }
    else:
        assert response.text == GENERIC
    assert STORE_FILE not in response.text and exception not in response.text
    [record] = [r for r in caplog.records if r.name == LOGGER]
    assert record.levelno == logging.WARNING
    message = record.getMessage()
    assert "kind=engine" in message
    assert query_digest(query or _named_query_text()) in message
    assert f"{exception}: " in message and STORE_FILE in message
    assert "second line" not in message  # one line, bounded
    assert (query or _named_query_text()) not in message  # the hash, not the text


def test_the_detail_is_the_exceptions_class_and_first_line_bounded() -> None:
    assert (
        failure_detail(OSError(5, "Input/output error")) == "OSError: [Errno 5] Input/output error"
    )
    assert failure_detail(RuntimeError("first\nsecond")) == "RuntimeError: first"
    assert failure_detail(RuntimeError()) == "RuntimeError"
    long = failure_detail(RuntimeError("x" * 10_000))
    assert len(long) == 301 and long.endswith("…")


def test_evaluation_reports_the_detail_and_keeps_the_message_generic(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What a worker process sends back (a picklable QueryFailure): the detail travels with it."""
    import pickle

    from pyoxigraph import Store

    monkeypatch.setattr(evaluation, "run_protocol_query", _fails_at_start)
    failure = evaluation.evaluate(Store(), QueryJob(SELECT, "json", None, 10))
    assert isinstance(failure, QueryFailure) and failure.kind == "engine"
    assert failure.message == "the store could not be read"
    assert failure.detail == f"OSError: [Errno 5] Input/output error: '{STORE_FILE}'"
    assert pickle.loads(pickle.dumps(failure)) == failure  # noqa: S301 - our own value
