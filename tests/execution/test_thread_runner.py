"""``--query-workers 0``: queries evaluated on threads of the server process (measuring only)."""

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from sousei_kg.app import create_app
from sousei_kg.config import Settings
from sousei_kg.execution.thread_runner import ThreadRunner

ASK = {"query": "ASK WHERE { ?s a <https://w3id.org/sousei-kg/def#Measure> }"}
JSON = {"Accept": "application/sparql-results+json"}


def test_queries_are_answered_in_process() -> None:
    with TestClient(create_app(Settings(query_workers=0, rate_limit=False))) as client:
        assert isinstance(client.app.state.query_pool, ThreadRunner)  # type: ignore[attr-defined]
        answer = client.get("/sparql", params=ASK, headers=JSON)
    assert answer.status_code == 200
    assert answer.json()["boolean"] is True


def test_the_time_limit_still_answers_503() -> None:
    """The client is answered at the limit; the thread itself runs on (documented)."""
    settings = Settings(query_workers=0, rate_limit=False, query_timeout=0.3)
    slow = {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"}
    with TestClient(create_app(settings)) as client:
        answer = client.get("/sparql", params=slow, headers=JSON)
    assert answer.status_code == 503
    assert "time limit" in answer.text


def test_in_process_evaluation_refuses_write_tokens() -> None:
    with pytest.raises(ValidationError, match="writes need worker processes"):
        Settings(query_workers=0, write_tokens=["secret" * 4])
